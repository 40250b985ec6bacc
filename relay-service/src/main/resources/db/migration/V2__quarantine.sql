-- Payloads the relay refused, kept so that an operator can see (and fix) what devices send.
create table quarantine (
    id            bigint        not null auto_increment primary key,
    topic         varchar(512)  not null,
    device_id     varchar(64)   null,
    reason        varchar(1024) not null,
    received_at   datetime(6)   not null,
    payload_bytes int           not null,
    payload       varbinary(8192) not null,
    index quarantine_received_at (received_at)
);
