-- Threshold alerts on the devices' minute levels (docs/levels.md, alerts).
--
-- The relays evaluate one at a time: each evaluation starts by locking the one row of alert_evaluation
-- (select ... for update), so that an episode raises one alert however many relays run.
create table alert_evaluation (
    id           int         not null,
    evaluated_at datetime(6),
    primary key (id)
);
insert into alert_evaluation (id, evaluated_at) values (1, null);

-- Where each rule stands for each device: the first minute not yet evaluated, the run of minutes over the limit,
-- and the open alert.
create table alert_states (
    rule         varchar(100) not null,
    device_id    varchar(64)  character set utf8mb4 collate utf8mb4_bin not null,
    next_minute  datetime(6)  not null,
    over_minutes int          not null,
    first_over   datetime(6),
    level        double,
    alert_id     bigint,
    primary key (rule, device_id)
);

-- One row per episode: raised_at is the start of its first minute over the limit, cleared_at null while it is open,
-- level the highest minute level of the episode so far.
create table alerts (
    id         bigint       not null auto_increment,
    rule       varchar(100) not null,
    device_id  varchar(64)  character set utf8mb4 collate utf8mb4_bin not null,
    metric     varchar(16)  not null,
    limit_db   double       not null,
    raised_at  datetime(6)  not null,
    cleared_at datetime(6),
    level      double       not null,
    primary key (id),
    index alerts_open (cleared_at, id),
    index alerts_device (device_id, id)
);

-- Each change (raised, cleared) is stored here in the transaction that makes it, then published at QoS 1 and marked:
-- a relay that stops in between leaves it for the next publisher (at least once).
create table alert_outbox (
    id           bigint        not null auto_increment,
    alert_id     bigint        not null,
    alert_change varchar(16)   not null,
    topic        varchar(255)  not null,
    payload      varchar(4096) not null,
    created_at   datetime(6)   not null,
    published_at datetime(6),
    primary key (id),
    index alert_outbox_unpublished (published_at, id)
);
