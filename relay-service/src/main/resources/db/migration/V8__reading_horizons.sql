-- Retention deletes a device's old readings in seq order; its row here says from which seq on the device's readings
-- are kept (one above the highest seq retention deleted). The delivery report counts seqs from there: a reading
-- retention deleted is not a missing one.
create table reading_horizons (
    device_id     varchar(64) character set utf8mb4 collate utf8mb4_bin not null,
    retained_from bigint      not null,
    primary key (device_id)
);
