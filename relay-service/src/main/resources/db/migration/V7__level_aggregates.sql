-- Noise over time, per device: minute, hour and day aggregates of the readings' A-weighted levels (a v1 reading,
-- which carries none, counts through its dBFS and is counted as such). Bucket starts are instants (UTC); hours and
-- days are those of the configured time zone (a day may last 23 or 25 hours).
--
-- Minutes are written in the transaction that stores their readings, one part per relay (writer: its MQTT client id):
-- relays of a share group store readings of the same device in the same minute, and a row per relay spares them
-- waiting on each other's locks. A reader adds the parts up. Hours and days are rolled up from the minutes by one
-- relay at a time.
--
-- energy: the sum over readings of window_ms * 10^(LAeq/10); Leq = 10 log10(energy / measured_ms).
-- histogram: the readings' LAeq in classes of 0.1 dB, "class:count" ascending, class = round(LAeq * 10).
create table level_minutes (
    device_id             varchar(64)  character set utf8mb4 collate utf8mb4_bin not null,
    minute_start          datetime(6)  not null,
    writer                varchar(191) not null,
    readings              int          not null,
    dbfs_readings         int          not null,
    uncalibrated_readings int          not null,
    measured_ms           bigint       not null,
    energy                double       not null,
    lafmax                double       not null,
    lafmin                double       not null,
    histogram             text         not null,
    primary key (device_id, minute_start, writer),
    index level_minutes_start (minute_start)
);

create table level_hours (
    device_id             varchar(64)  character set utf8mb4 collate utf8mb4_bin not null,
    hour_start            datetime(6)  not null,
    readings              int          not null,
    dbfs_readings         int          not null,
    uncalibrated_readings int          not null,
    measured_ms           bigint       not null,
    energy                double       not null,
    lafmax                double       not null,
    lafmin                double       not null,
    histogram             text         not null,
    primary key (device_id, hour_start)
);

-- A day also keeps its day, evening and night periods apart (energy and measured time of each), for Lden.
create table level_days (
    device_id             varchar(64)  character set utf8mb4 collate utf8mb4_bin not null,
    day                   date         not null,
    day_start             datetime(6)  not null,
    day_end               datetime(6)  not null,
    readings              int          not null,
    dbfs_readings         int          not null,
    uncalibrated_readings int          not null,
    measured_ms           bigint       not null,
    energy                double       not null,
    lafmax                double       not null,
    lafmin                double       not null,
    histogram             mediumtext   not null,
    day_energy            double       not null,
    day_measured_ms       bigint       not null,
    evening_energy        double       not null,
    evening_measured_ms   bigint       not null,
    night_energy          double       not null,
    night_measured_ms     bigint       not null,
    primary key (device_id, day)
);
