#!/usr/bin/env bash
# sqlservers.sh — throwaway MariaDB and PostgreSQL servers for making test fixtures.
#
# Each server is private to a directory DIR: its data, socket, log and PID live under DIR, it
# listens on 127.0.0.1 on a free port, and it is stopped by its PID. Nothing system-wide is
# used or changed (no Debian service units, no /var/lib/mysql, no /etc/postgresql cluster), so
# a distribution's own server, if one runs, is left alone.
#
# As a library (the caller sets a trap that calls stop_sql_servers DIR):
#   . scripts/sqlservers.sh
#   sqlservers_install            installs the servers from Debian when missing
#   start_mariadb DIR             sets MARIADB_PID MARIADB_PORT MARIADB_SOCKET; root has no password
#   start_postgres DIR            sets PG_PID PG_PORT PG_SOCKDIR; superuser postgres, trust auth
#   mdb ARGS...  /  pgsql ARGS... the clients, connected to those servers
#   stop_mariadb DIR / stop_postgres DIR / stop_sql_servers DIR
# As a command:
#   scripts/sqlservers.sh install | start-mariadb DIR | start-postgres DIR | stop DIR
# PIDs and ports are also written to DIR/mariadb.pid, DIR/mariadb.port, DIR/postgres.pid and
# DIR/postgres.port, so `stop DIR` works from another shell. Sourcing it sets no shell options:
# the caller's (make-fixtures.sh runs with set -euo pipefail) apply.

SQLSERVERS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sqlservers_die() { echo "sqlservers: $*" >&2; return 1; }

# Installs MariaDB and PostgreSQL (server and client) through scripts/deps.sh when a binary is
# missing. Debian's postinst may try to start the system services; containers usually forbid
# that with policy-rc.d, and either way the servers used here are our own.
sqlservers_install() {
	if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
		if pg_bin_dir >/dev/null 2>&1 && command -v mariadb-dump >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1; then
			return 0
		fi
	fi
	"$SQLSERVERS_ROOT/scripts/deps.sh" --if-missing --sql-servers
}

# The newest PostgreSQL server binary directory (Debian keeps them per major version).
pg_bin_dir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && [ -x "$d/postgres" ] || { echo "sqlservers: no PostgreSQL server in /usr/lib/postgresql (run: $0 install)" >&2; return 1; }
	echo "$d"
}

# A TCP port on 127.0.0.1 that nothing listens on now (a connect attempt is refused).
free_port() {
	local p tries=0
	while [ $tries -lt 200 ]; do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
		tries=$((tries + 1))
	done
	sqlservers_die "no free port found"; return 1
}

# Waits until process PID is gone: TERM (or SIG), then KILL after 30 s.
stop_pid() {
	local pid=$1 sig=${2:-TERM}
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "sqlservers: pid $pid did not stop in 30 s; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# --- MariaDB ---------------------------------------------------------------------------------

mdb() { mariadb --no-defaults --socket="$MARIADB_SOCKET" -uroot "$@"; }

start_mariadb() {
	local dir=$1
	[ -n "$dir" ] || { sqlservers_die "start_mariadb DIR"; return 1; }
	local mariadbd
	mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
	[ -x "$mariadbd" ] || { sqlservers_die "mariadbd not found (run: scripts/sqlservers.sh install)"; return 1; }
	mkdir -p "$dir/mariadb"
	dir=$(cd "$dir" && pwd)
	if [ ! -d "$dir/mariadb/data/mysql" ]; then
		# A root without a password (normal auth, not unix_socket) so that any OS user connects.
		mariadb-install-db --no-defaults --datadir="$dir/mariadb/data" --user="$(id -un)" \
			--auth-root-authentication-method=normal --skip-test-db >"$dir/mariadb/install.log" 2>&1 ||
			{ tail -20 "$dir/mariadb/install.log" >&2; sqlservers_die "mariadb-install-db failed"; return 1; }
	fi
	MARIADB_PORT=$(free_port) || return 1
	MARIADB_SOCKET=$dir/mariadb/mysqld.sock
	"$mariadbd" --no-defaults --datadir="$dir/mariadb/data" --socket="$MARIADB_SOCKET" \
		--port="$MARIADB_PORT" --bind-address=127.0.0.1 --pid-file="$dir/mariadb/mysqld.pid" \
		--user="$(id -un)" --log-error="$dir/mariadb/error.log" --tmpdir="$dir/mariadb" \
		--skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M \
		--default-time-zone=+00:00 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		</dev/null >/dev/null 2>&1 &
	MARIADB_PID=$!
	echo "$MARIADB_PID" >"$dir/mariadb.pid"
	echo "$MARIADB_PORT" >"$dir/mariadb.port"
	for _ in $(seq 600); do
		if ! kill -0 "$MARIADB_PID" 2>/dev/null; then
			tail -20 "$dir/mariadb/error.log" >&2 || true
			sqlservers_die "mariadbd exited during start-up (log: $dir/mariadb/error.log)"; return 1;
		fi
		mariadb-admin --no-defaults --socket="$MARIADB_SOCKET" -uroot ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	mariadb-admin --no-defaults --socket="$MARIADB_SOCKET" -uroot ping >/dev/null 2>&1 ||
		{ stop_pid "$MARIADB_PID"; sqlservers_die "mariadbd did not answer in 60 s (log: $dir/mariadb/error.log)"; return 1; }
	export MARIADB_PID MARIADB_PORT MARIADB_SOCKET
	echo "sqlservers: mariadb pid $MARIADB_PID port $MARIADB_PORT socket $MARIADB_SOCKET" >&2
}

stop_mariadb() {
	local dir=$1 pid
	[ -f "$dir/mariadb.pid" ] || return 0
	pid=$(cat "$dir/mariadb.pid")
	stop_pid "$pid"
	rm -f "$dir/mariadb.pid" "$dir/mariadb.port"
}

# --- PostgreSQL ------------------------------------------------------------------------------

pgsql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres "$@"; }

# Runs a command as the user that owns the cluster: `postgres` when we are root (the server
# refuses to run as root), else ourselves.
as_pg_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start_postgres() {
	local dir=$1 bin
	[ -n "$dir" ] || { sqlservers_die "start_postgres DIR"; return 1; }
	bin=$(pg_bin_dir) || return 1
	mkdir -p "$dir/postgres"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		# The server user must reach its directory: DIR itself may be a private mktemp -d.
		chmod o+x "$dir"
		chown postgres: "$dir/postgres"
	fi
	if [ ! -f "$dir/postgres/data/PG_VERSION" ]; then
		as_pg_owner "$bin/initdb" -D "$dir/postgres/data" -U postgres --auth=trust -E UTF8 --no-locale \
			>"$dir/postgres/initdb.log" 2>&1 ||
			{ tail -20 "$dir/postgres/initdb.log" >&2; sqlservers_die "initdb failed"; return 1; }
	fi
	PG_PORT=$(free_port) || return 1
	PG_SOCKDIR=$dir/postgres
	# fsync off: a throwaway cluster; timezone UTC so timestamptz values print the same for
	# pg_dump and for the expectations.
	as_pg_owner "$bin/pg_ctl" -D "$dir/postgres/data" -l "$dir/postgres/server.log" -w -t 60 \
		-o "-k $PG_SOCKDIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c timezone=UTC" \
		start >/dev/null ||
		{ tail -20 "$dir/postgres/server.log" >&2 || true; sqlservers_die "postgres did not start (log: $dir/postgres/server.log)"; return 1; }
	PG_PID=$(head -1 "$dir/postgres/data/postmaster.pid")
	echo "$PG_PID" >"$dir/postgres.pid"
	echo "$PG_PORT" >"$dir/postgres.port"
	for _ in $(seq 100); do
		"$bin/pg_isready" -q -h "$PG_SOCKDIR" -p "$PG_PORT" && break
		sleep 0.1
	done
	export PG_PID PG_PORT PG_SOCKDIR
	echo "sqlservers: postgres pid $PG_PID port $PG_PORT socket dir $PG_SOCKDIR" >&2
}

stop_postgres() {
	local dir=$1 pid
	[ -f "$dir/postgres.pid" ] || return 0
	pid=$(cat "$dir/postgres.pid")
	# SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
	stop_pid "$pid" INT
	rm -f "$dir/postgres.pid" "$dir/postgres.port"
}

stop_sql_servers() {
	stop_mariadb "$1"
	stop_postgres "$1"
}

# --- command line ----------------------------------------------------------------------------

sqlservers_main() {
	case ${1:-} in
	install) sqlservers_install ;;
	start-mariadb) [ $# -eq 2 ] || { sqlservers_die "usage: sqlservers.sh start-mariadb DIR"; return 1; }; start_mariadb "$2" ;;
	start-postgres) [ $# -eq 2 ] || { sqlservers_die "usage: sqlservers.sh start-postgres DIR"; return 1; }; start_postgres "$2" ;;
	stop) [ $# -eq 2 ] || { sqlservers_die "usage: sqlservers.sh stop DIR"; return 1; }; stop_sql_servers "$2" ;;
	*)
		echo "usage: sqlservers.sh install | start-mariadb DIR | start-postgres DIR | stop DIR" >&2
		return 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	sqlservers_main "$@"
fi
