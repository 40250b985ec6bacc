-- Device ids compare exactly, as the contract defines them: 'dev-A' and 'dev-a' are two devices. Under the
-- server's default collation, which ignores case, the key would take them for one, and the second device's seq 1
-- would collide with the first's. utf8mb4_bin has this name on MySQL 8 and MariaDB alike (their no-pad binary
-- collations do not); it ignores trailing spaces when comparing, which never decides here: ids are
-- [A-Za-z0-9_-] and are checked before they reach the database.
alter table readings modify device_id varchar(64) character set utf8mb4 collate utf8mb4_bin not null;
alter table quarantine modify device_id varchar(64) character set utf8mb4 collate utf8mb4_bin null;
