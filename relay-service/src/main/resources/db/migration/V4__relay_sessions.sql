-- The relays of a share group and their MQTT sessions: each relay beats its row; a relay whose row stops beating
-- (killed) or says it has left is adopted by a live one of the same share group and topic root (share_topic), which
-- takes over its session and ends it.
create table relay_sessions (
    client_id   varchar(191) not null,
    share_topic varchar(255) not null,
    beat_at     datetime(6)  not null,
    has_left    boolean      not null default false,
    adopted_by  varchar(191),
    primary key (client_id)
);
