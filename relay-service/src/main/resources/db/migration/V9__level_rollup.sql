-- The roll-up of level_minutes into level_hours and level_days. Each minute part written gets the database's time in UTC:
-- a pass recomputes every hour and day whose minutes changed since the previous pass began (less a margin for
-- transactions that wrote before that and committed after), from all their minutes' parts.
alter table level_minutes add column updated_at datetime(6) not null default current_timestamp(6),
    add index level_minutes_updated (updated_at);

-- One row: when the last pass began (the database's time). A pass holds it locked (select ... for update), so that
-- passes of several relays never run together.
create table level_rollup (
    id        int         not null primary key,
    watermark datetime(6) not null
);
insert into level_rollup (id, watermark) values (1, '1970-01-01 00:00:00');
