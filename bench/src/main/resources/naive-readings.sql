-- The relay's table (relay-service db/migration/V1__readings.sql), for the naive responder

create table readings (
    device_id   varchar(64) not null,
    seq         bigint      not null,
    sampled_at  datetime(6) not null,
    received_at datetime(6) not null,
    stored_at   datetime(6) not null,
    window_ms   int         not null,
    rms         double      not null,
    dbfs        double      not null,
    peak        double      not null,
    source      varchar(64) not null,
    primary key (device_id, seq),
    index readings_stored_at (stored_at),
    index readings_device_sampled_at (device_id, sampled_at)
);
