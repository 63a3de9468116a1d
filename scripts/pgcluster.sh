#!/bin/sh
# A private PostgreSQL cluster: initdb into a directory, Unix socket only.
#
#   pgcluster.sh start DIR   create (if needed) and start; prints the DSN
#   pgcluster.sh stop DIR    stop (fast shutdown)
#   pgcluster.sh kill DIR    stop at once (immediate shutdown), for fault tests
#   pgcluster.sh dsn DIR     print the DSN
#
# DIR may be relative: it is resolved to an absolute path first (the
# server's commands run from / when root).  Every failure says what and
# where and exits non-zero: 64 usage, 66 DIR is not a cluster (stop, kill,
# dsn), 69 no PostgreSQL, 70 the server did not start or stop.  Stopping
# a cluster that is not running says so and succeeds.
#
# PostgreSQL refuses to run as root: when uid is 0 the server runs as the
# `postgres` system user, which then owns DIR.  The socket lives in
# DIR/sock when that path is short enough for a Unix socket (107 bytes),
# else in a private directory under /tmp recorded in DIR/sockdir.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|kill|dsn DIR" >&2; exit 64; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "$0: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 69; }

# DIR as an absolute path, symbolic links kept (see relocate_if_unreachable).
absolute() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

# An existing cluster's DIR, resolved; exits 66 naming it when it is none.
cluster_dir() {
	if [ ! -d "$dir" ]; then
		echo "$0: $dir: no such directory" >&2
		exit 66
	fi
	dir=$(cd "$dir" && pwd -P)
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		echo "$0: $dir is not a PostgreSQL cluster (no $dir/data/PG_VERSION)" >&2
		exit 66
	fi
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		# From /, which postgres can always enter.
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

sockdir() {
	if [ -f "$dir/sockdir" ]; then
		cat "$dir/sockdir"
	else
		echo "$dir/sock"
	fi
}

dsn() {
	echo "host=$(sockdir) port=5432 user=postgres dbname=postgres"
}

# When root, the server runs as `postgres`, which must reach DIR.  A clone
# under /root (mode 0700) is out of its reach: the cluster then lives in
# /var/lib/railgate-run/ and DIR becomes a symbolic link to it.  Not in
# /var/lib/railgate, the installed daemon's state (the package's, its
# mode its own): a directory of its own, which postgres may cross (0711)
# but nobody list.
relocate_if_unreachable() {
	[ "$(id -u)" -eq 0 ] || return 0
	[ -f "$dir/data/PG_VERSION" ] || chown postgres:postgres "$dir"
	(cd / && runuser -u postgres -- test -x "$dir") 2>/dev/null && return 0
	[ -L "$dir" ] && return 0
	alt=/var/lib/railgate-run/pg-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
	mkdir -p "$alt"
	chmod 711 /var/lib/railgate-run
	rmdir "$dir" 2>/dev/null || { echo "$0: $dir is not empty and postgres cannot reach it" >&2; exit 73; }
	ln -s "$alt" "$dir"
	echo "$0: postgres cannot reach $dir; the cluster lives in $alt" >&2
}

# A postmaster killed outright can linger as a zombie until its parent
# (often PID 1, in a container) reaps it: pg_ctl then takes it for a
# running server, and PostgreSQL refuses to start over its lock file.
# A lock file naming a dead or zombie process is stale: remove it.
remove_stale_pid() {
	pidfile="$dir/data/postmaster.pid"
	[ -f "$pidfile" ] || return 0
	pm=$(head -n 1 "$pidfile")
	[ -n "$pm" ] || return 0
	state=$(sed 's/.*) //' "/proc/$pm/stat" 2>/dev/null | cut -d' ' -f1)
	if [ -z "$state" ] || [ "$state" = Z ]; then
		rm -f "$pidfile"
	fi
}

start() {
	mkdir -p "$dir" || { echo "$0: cannot create $dir" >&2; exit 73; }
	dir=$(cd "$dir" && pwd)
	relocate_if_unreachable
	dir=$(cd "$dir" && pwd -P)
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		sock="$dir/sock"
		if [ ${#sock} -gt 100 ]; then
			sock=$(mktemp -d /tmp/railgate-pg.XXXXXX)
			echo "$sock" > "$dir/sockdir"
		fi
		mkdir -p "$sock"
		[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir" "$sock"
		as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 70; }
		cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
shared_buffers = 128MB
logging_collector = off
CONF
	fi
	# The socket takes anyone who reaches it as the superuser (trust):
	# its directory is the owner's alone, else any local user is
	# postgres, and through COPY ... TO PROGRAM the user running it.
	chmod 700 "$(sockdir)"
	remove_stale_pid
	if as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		dsn
		return
	fi
	as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		start >/dev/null || {
		tail -n 20 "$dir/server.log" >&2
		echo "$0: the PostgreSQL cluster under $dir did not start (log: $dir/server.log)" >&2
		exit 70
	}
	dsn
}

# Waits (at most 10 s) until process $1 has exited: pg_ctl reports a
# cluster stopped once postmaster.pid is gone, a moment before the
# postmaster itself, and a second stop racing the first (make stop and
# the run's own shell) sees "not running" sooner still.
process_gone() {
	[ -n "$1" ] || return 0
	i=0
	while [ $i -lt 100 ] && kill -0 "$1" 2>/dev/null &&
	    [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

stop() {
	cluster_dir
	remove_stale_pid
	pm=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
	# pg_ctl status: 0 running, 3 not running, anything else an error.
	rc=0
	out=$(as_pg "$bindir/pg_ctl" -D "$dir/data" status 2>&1) || rc=$?
	if [ $rc -eq 3 ]; then
		process_gone "$pm"
		echo "$0: the PostgreSQL cluster under $dir is not running" >&2
		return 0
	fi
	if [ $rc -eq 0 ] &&
	    out=$(as_pg "$bindir/pg_ctl" -D "$dir/data" -m "$1" -w -t 60 stop 2>&1); then
		process_gone "$pm"
		return 0
	fi
	# Stopped meanwhile by someone else (make stop and the run's own
	# shell at once): what was asked is done.
	if as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		:
	elif [ $? -eq 3 ]; then
		process_gone "$pm"
		return 0
	fi
	printf '%s\n' "$out" >&2
	echo "$0: the PostgreSQL cluster under $dir did not stop" >&2
	exit 70
}

dir=$(absolute "$dir")
case "$cmd" in
start) start ;;
stop) stop fast ;;
kill) stop immediate ;;
dsn) cluster_dir; dsn ;;
*) echo "usage: $0 start|stop|kill|dsn DIR" >&2; exit 64 ;;
esac
