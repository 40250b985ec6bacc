-- A sound level meter's reading of each window (contract v1.1): A-weighted levels, dB SPL when calibrated, dB re full
-- scale when not. Null for the readings of v1 devices, which carry none. Nullable columns with no default: adding
-- them rewrites no row on MySQL 8 (instant ADD COLUMN) nor on MariaDB 10.3+.
alter table readings
    add column laeq       double  null,
    add column lafmax     double  null,
    add column lafmin     double  null,
    add column laf10      double  null,
    add column laf50      double  null,
    add column laf90      double  null,
    add column calibrated boolean null;
