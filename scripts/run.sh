#!/bin/sh
# `make run`: the daemon on its embedded default, in the foreground.
#
# Starts a private PostgreSQL cluster under var/pg (unless etc/railgate.conf
# names a database), then railgated with etc/railgate.conf on
# http://127.0.0.1:8080/.  Ctrl-C stops the daemon; the cluster keeps its
# data under var/ for the next run (`scripts/pgcluster.sh stop var/pg`).
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p var
conf=etc/railgate.conf

dsn=$(sed -n 's/^[[:space:]]*dsn[[:space:]]*=[[:space:]]*//p' "$conf" | head -n 1)
runconf=$conf
if [ -z "$dsn" ]; then
	echo "railgate: starting the private PostgreSQL cluster under var/pg"
	admin=$(scripts/pgcluster.sh start var/pg)
	# The daemon runs as railgate_app (created by the first migration),
	# which can append to the audit log but never rewrite it.
	dsn=$(printf '%s' "$admin" | sed 's/user=postgres/user=railgate_app/')
	runconf=var/railgate-run.conf
	sed -e "s|^[[:space:]]*dsn[[:space:]]*=.*|dsn = $dsn\nadmin_dsn = $admin|" \
		"$conf" > "$runconf"
fi
listen=$(sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*//p' "$runconf" | head -n 1)

cat <<MSG
railgate: database   $dsn
railgate: console    http://${listen:-127.0.0.1:8080}/
railgate: health     curl http://${listen:-127.0.0.1:8080}/healthz
railgate: stop with Ctrl-C
MSG
exec "$build/railgated" -c "$runconf"
