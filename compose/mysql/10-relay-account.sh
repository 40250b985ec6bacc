#!/bin/sh
# Run once by the mysql image, on its first start (an empty mysql-data volume), after it has made MYSQL_DATABASE and
# MYSQL_USER. MYSQL_USER owns the database: the relay's Flyway migrations run with it (SPRING_FLYWAY_USER). The relay
# itself works with this account, which may read and add readings and nothing else: no UPDATE, DELETE, DDL or GRANT.
# The exceptions are relay_sessions, the relays' heartbeat rows, which they update and delete, and the alerts' tables,
# whose states, alerts and outbox rows they update (and lock: select ... for update). Those tables do not exist yet
# (Flyway makes them), and MySQL grants on a table not yet made only together with CREATE (of that table).
set -eu
MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysql -uroot --protocol=socket <<SQL
CREATE USER IF NOT EXISTS '${RELAY_DB_USER}'@'%' IDENTIFIED BY '${RELAY_DB_PASSWORD}';
GRANT SELECT, INSERT ON \`${MYSQL_DATABASE}\`.* TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON \`${MYSQL_DATABASE}\`.relay_sessions TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_evaluation TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_states TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alerts TO '${RELAY_DB_USER}'@'%';
GRANT SELECT, INSERT, UPDATE, CREATE ON \`${MYSQL_DATABASE}\`.alert_outbox TO '${RELAY_DB_USER}'@'%';
SQL
