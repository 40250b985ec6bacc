#!/bin/sh
# Run once by the mysql image, on its first start (an empty mysql-data volume), after it has made MYSQL_DATABASE and
# MYSQL_USER. MYSQL_USER owns the database: the relay's Flyway migrations run with it (SPRING_FLYWAY_USER). The relay
# itself works with this account, which may read and add rows and little else: no DDL or GRANT. The exceptions are
# relay_sessions, the relays' heartbeat rows, which they update and delete; retention, which deletes old readings,
# refused payloads and minute aggregates (locking them first: select ... for update) and moves reading_horizons; the
# level aggregates, which the relays add to and roll up (insert ... on duplicate key update, the roll-up's locked
# watermark); and the alerts' tables, whose states, alerts and outbox rows they update (and lock). Those tables do not
# exist yet (Flyway makes them), and MySQL grants on a table not yet made only together with CREATE (of that table).
set -eu
MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysql -uroot --protocol=socket <<SQL
CREATE USER IF NOT EXISTS '${RELAY_DB_USER}'@'%' IDENTIFIED BY '${RELAY_DB_PASSWORD}';
GRANT SELECT, INSERT ON \`${MYSQL_DATABASE}\`.* TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON \`${MYSQL_DATABASE}\`.relay_sessions TO '${RELAY_DB_USER}'@'%';
GRANT DELETE, CREATE ON \`${MYSQL_DATABASE}\`.readings TO '${RELAY_DB_USER}'@'%';
GRANT DELETE, CREATE ON \`${MYSQL_DATABASE}\`.quarantine TO '${RELAY_DB_USER}'@'%';
GRANT UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.reading_horizons TO '${RELAY_DB_USER}'@'%';
GRANT UPDATE, DELETE, CREATE ON \`${MYSQL_DATABASE}\`.level_minutes TO '${RELAY_DB_USER}'@'%';
GRANT UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.level_hours TO '${RELAY_DB_USER}'@'%';
GRANT UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.level_days TO '${RELAY_DB_USER}'@'%';
GRANT UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.level_rollup TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_evaluation TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_states TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alerts TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_outbox TO '${RELAY_DB_USER}'@'%';
SQL
