#!/bin/bash
# The part of the official MySQL image's entrypoint that docker-compose.yml relies on, for Debian's MariaDB. On the
# first start (an empty data directory): the root account with MYSQL_ROOT_PASSWORD (local and '%'), the database
# MYSQL_DATABASE, its owner MYSQL_USER/MYSQL_PASSWORD (all rights on it), then every *.sh, *.sql and *.sql.gz of
# /docker-entrypoint-initdb.d in name order, on a server that listens on no port; then the server itself, as mysql.
set -euo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

say() { echo "[entrypoint] $*"; }

sql_string() { printf "'%s'" "${1//\'/\'\'}"; }

sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

# the SQL of the first start, for the root account (the temporary server's root has no password yet)
first_start_sql() {
	local root_password user_password
	root_password=$(sql_string "${MYSQL_ROOT_PASSWORD}")
	cat <<SQL
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost'));
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost');
ALTER USER 'root'@'localhost' IDENTIFIED BY ${root_password};
CREATE USER 'root'@'%' IDENTIFIED BY ${root_password};
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
SQL
	if [ -n "${MYSQL_DATABASE:-}" ]; then
		echo "CREATE DATABASE IF NOT EXISTS $(sql_name "${MYSQL_DATABASE}");"
	fi
	if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
		user_password=$(sql_string "${MYSQL_PASSWORD}")
		echo "CREATE USER $(sql_string "${MYSQL_USER}")@'%' IDENTIFIED BY ${user_password};"
		if [ -n "${MYSQL_DATABASE:-}" ]; then
			echo "GRANT ALL ON $(sql_name "${MYSQL_DATABASE}").* TO $(sql_string "${MYSQL_USER}")@'%';"
		fi
	fi
	echo "FLUSH PRIVILEGES;"
}

# a client as root, in MYSQL_DATABASE when there is one (as the official image runs *.sql files)
as_root() {
	MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mariadb --protocol=socket --socket="${SOCKET}" -uroot \
		${MYSQL_DATABASE:+"--database=${MYSQL_DATABASE}"}
}

first_start() {
	if [ -z "${MYSQL_ROOT_PASSWORD:-}" ]; then
		echo "[entrypoint] MYSQL_ROOT_PASSWORD is required on the first start (an empty ${DATADIR})" >&2
		exit 1
	fi
	say "first start: initialising ${DATADIR}"
	mariadb-install-db --user=mysql --datadir="${DATADIR}" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve >/dev/null
	"$@" --user=mysql --skip-networking --socket="${SOCKET}" &
	local pid=$!
	for _ in $(seq 1 60); do
		mariadb-admin --socket="${SOCKET}" -uroot ping --silent 2>/dev/null && break
		sleep 1
	done
	first_start_sql | mariadb --protocol=socket --socket="${SOCKET}" -uroot
	local file
	for file in /docker-entrypoint-initdb.d/*; do
		case "${file}" in
			*.sh)
				say "running ${file}"
				if [ -x "${file}" ]; then "${file}"; else (. "${file}"); fi
				;;
			*.sql) say "running ${file}"; as_root < "${file}" ;;
			*.sql.gz) say "running ${file}"; gunzip -c "${file}" | as_root ;;
			*) [ -e "${file}" ] && say "ignoring ${file}" ;;
		esac
	done
	MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mariadb-admin --socket="${SOCKET}" -uroot shutdown
	wait "${pid}" || true
	say "first start done"
}

if [ "${1:-}" = mariadbd ] || [ "${1:-}" = mysqld ]; then
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld "${DATADIR}"
	if [ ! -d "${DATADIR}/mysql" ]; then
		export MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD
		first_start "$@"
	fi
	exec "$@" --user=mysql
fi
exec "$@"
