#!/bin/sh
# A streaming standby of a scripts/pgcluster.sh cluster, for the failover
# test (tests/system/test_failover.c): Unix socket only, run as
# `postgres` when the tests run as root, like the primary.
#
#   pgstandby.sh start DIR PRIMARY_SOCKET_DIR PORT   base backup, start (not waited
#                                                     for); prints the DSN
#   pgstandby.sh promote DIR                          make it the primary
#   pgstandby.sh stop DIR                             stop (immediate: a test's end)
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|promote|stop DIR ..." >&2; exit 64; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_basebackup" ] || { echo "$0: PostgreSQL server binaries not found" >&2; exit 69; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

case "$cmd" in
start)
	primary=${3:?primary socket directory}
	port=${4:?port}
	mkdir -p "$dir/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
	# -R: standby.signal and primary_conninfo; the primary's own
	# settings come along and are overridden below.
	as_pg "$bindir/pg_basebackup" -h "$primary" -p 5432 -U postgres \
		-D "$dir/data" -R -X stream --checkpoint=fast --no-sync \
		>"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 70; }
	cat >>"$dir/data/postgresql.conf" <<CONF
unix_socket_directories = '$dir/sock'
port = $port
synchronous_standby_names = ''
CONF
	# Not waited for (-W): the caller waits until the primary lists the
	# standby as synchronous, which says more, and sooner.
	as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -W \
		start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 70; }
	echo "host=$dir/sock port=$port user=postgres dbname=postgres"
	;;
promote)
	as_pg "$bindir/pg_ctl" -D "$dir/data" -w -t 60 promote >/dev/null
	;;
stop)
	[ -f "$dir/data/PG_VERSION" ] || exit 0
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop \
		>/dev/null 2>&1 || true
	;;
*) echo "usage: $0 start|promote|stop DIR ..." >&2; exit 64 ;;
esac
