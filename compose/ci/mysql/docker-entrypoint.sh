#!/bin/bash
# The part of the official mysql image's entrypoint that docker-compose.yml relies on, for Debian's MySQL. Started as
# root, it gives the data directory to mysql and goes on as mysql. On the first start (an empty data directory):
# `mysqld --initialize-insecure` (which also makes the server's TLS certificates and RSA key pair in the data
# directory), then on a server that listens on no port the root account with MYSQL_ROOT_PASSWORD (local and '%'),
# the database MYSQL_DATABASE, its owner MYSQL_USER/MYSQL_PASSWORD (all rights on it), and every *.sh, *.sql and
# *.sql.gz of /docker-entrypoint-initdb.d in name order; then the server itself. Not here: MYSQL_ALLOW_EMPTY_PASSWORD,
# MYSQL_RANDOM_ROOT_PASSWORD, the *_FILE variables and the time-zone tables (nothing in the stack uses them).
set -euo pipefail

DATADIR=/var/lib/mysql
SOCKET=/var/run/mysqld/mysqld.sock

say() { echo "[entrypoint] $*"; }

sql_string() { printf "'%s'" "${1//\'/\'\'}"; }

sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

# the SQL of the first start, for the root account (the temporary server's root has no password yet)
first_start_sql() {
	local root_password
	root_password=$(sql_string "${MYSQL_ROOT_PASSWORD}")
	cat <<SQL
SET @@SESSION.SQL_LOG_BIN = 0;
ALTER USER 'root'@'localhost' IDENTIFIED BY ${root_password};
CREATE USER 'root'@'%' IDENTIFIED BY ${root_password};
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
GRANT PROXY ON ''@'' TO 'root'@'%' WITH GRANT OPTION;
SQL
	if [ -n "${MYSQL_DATABASE:-}" ]; then
		echo "CREATE DATABASE IF NOT EXISTS $(sql_name "${MYSQL_DATABASE}");"
	fi
	if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
		echo "CREATE USER $(sql_string "${MYSQL_USER}")@'%' IDENTIFIED BY $(sql_string "${MYSQL_PASSWORD}");"
		if [ -n "${MYSQL_DATABASE:-}" ]; then
			echo "GRANT ALL ON $(sql_name "${MYSQL_DATABASE}").* TO $(sql_string "${MYSQL_USER}")@'%';"
		fi
	fi
}

# a client as root through the socket, in MYSQL_DATABASE when there is one (as the official image runs *.sql files)
as_root() {
	MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysql --protocol=socket --socket="${SOCKET}" -uroot --comments \
		${MYSQL_DATABASE:+"--database=${MYSQL_DATABASE}"}
}

first_start() {
	if [ -z "${MYSQL_ROOT_PASSWORD:-}" ]; then
		echo "[entrypoint] MYSQL_ROOT_PASSWORD is required on the first start (an empty ${DATADIR})" >&2
		exit 1
	fi
	say "first start: initialising ${DATADIR}"
	"$@" --initialize-insecure --default-time-zone=SYSTEM
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="${SOCKET}" &
	local pid=$!
	local _
	for _ in $(seq 1 60); do
		mysqladmin --socket="${SOCKET}" -uroot ping --silent >/dev/null 2>&1 && break
		kill -0 "${pid}" 2>/dev/null || { echo "[entrypoint] the first-start server stopped" >&2; exit 1; }
		sleep 1
	done
	first_start_sql | mysql --protocol=socket --socket="${SOCKET}" -uroot
	local file
	for file in /docker-entrypoint-initdb.d/*; do
		case "${file}" in
			*.sh)
				say "running ${file}"
				if [ -x "${file}" ]; then "${file}"; else (. "${file}"); fi
				;;
			*.sql) say "running ${file}"; as_root <"${file}" ;;
			*.sql.gz) say "running ${file}"; gunzip -c "${file}" | as_root ;;
			*) [ -e "${file}" ] && say "ignoring ${file}" ;;
		esac
	done
	MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysqladmin --socket="${SOCKET}" -uroot shutdown
	wait "${pid}" || true
	say "first start done"
}

if [ "${1:-}" = mysqld ]; then
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p /var/run/mysqld
		chown mysql:mysql /var/run/mysqld "${DATADIR}"
		exec setpriv --reuid=mysql --regid=mysql --init-groups /bin/bash "${BASH_SOURCE[0]}" "$@"
	fi
	if [ ! -d "${DATADIR}/mysql" ]; then
		export MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD
		first_start "$@"
	fi
	exec "$@"
fi
exec "$@"
