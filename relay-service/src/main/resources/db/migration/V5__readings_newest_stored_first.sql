-- The API pages through readings newest stored first, (stored_at, device_id, seq) descending, one device's or all of
-- them: each page is read in the order of an index, from just after the last reading of the page before.
-- readings_stored_at serves all devices (an InnoDB secondary index ends in the primary key: its rows are
-- (stored_at, device_id, seq)); this one serves a single device. It takes the place of (device_id, sampled_at), which
-- no query reads any more: the relay writes as many index rows per reading as before.
alter table readings
    add index readings_device_stored_at (device_id, stored_at, seq),
    drop index readings_device_sampled_at;
