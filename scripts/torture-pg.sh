#!/bin/sh
# PostgreSQL killed and paused under load (issue 10): the clients and the
# officer of torture-kill.sh work while, FAULTS times at random moments,
# the database is stopped with `pg_ctl -m immediate`, or its postmaster
# killed with SIGKILL, and started again after a random outage; every
# third fault is instead a pause (SIGSTOP, then SIGCONT 1-2 s later) of
# all the cluster's processes or of the daemon, in turn.  A probe meanwhile calls
# /healthz, GET /v1/trains and POST /v1/manifests four times a second.
# The daemon is never restarted.  Then:
#   the verdict of torture-lib.sh (lost, duplicated, twice, half-stored,
#	undecided, notices, unanswered)
#   exited      the daemon exited (it must reconnect, never exit)
#   health      /healthz not answered 200
#   bad 503     a 503 without Retry-After, or any other 5xx
#   down        a write made while the database is down (after each
#	kill) not answered 503 with Retry-After within a second
#   amcheck     pg_amcheck --heapallindexed over every database finds
#	nothing
# Exits 1 on any violation.  SEED repeats a run.
#   torture-pg.sh BUILD [FAULTS [CLIENTS [PER [SEED]]]]
set -eu
build=${1:-build}
faults=${2:-75}
clients=${3:-4}
per=${4:-100}
seed=${5:-$(date +%s)}
cd "$(dirname "$0")/.."
. scripts/testbed.sh
. scripts/torture-lib.sh
probe=""
trap 'kill $probe 2>/dev/null || true; torture_cleanup' EXIT INT TERM
echo "torture: repeat with: sh scripts/torture-pg.sh $build $faults $clients $per $seed"
torture_setup "$build" "$clients" "$per" "$seed"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata="$work/pg/data"

# The probe: one line per call, "WHAT STATUS RETRY_AFTER".
probe_loop() {
	k=0
	while :; do
		k=$((k + 1))
		st=$(curl -s -o /dev/null -m 5 -w '%{http_code}' \
			"http://127.0.0.1:$port/healthz" || true)
		echo "health $st -"
		st=$(curl -s -o /dev/null -m 5 -D "$work/probe.h" -w '%{http_code}' \
			-H "Authorization: Bearer $tt_officer" \
			"http://127.0.0.1:$port/v1/trains" || true)
		ra=$(grep -ci '^retry-after:' "$work/probe.h" || true)
		echo "read $st $ra"
		"$build/railgate" gen --wagons 2 --items 4 \
			--seed $((seed % 100000 * 10000 + 9000 + k)) \
			--format edifact -o "$work/probe.edi"
		key="torture-probe-$seed-$k"
		st=$(curl -s -o /dev/null -m 5 -D "$work/probe.h" -w '%{http_code}' \
			-H "Authorization: Bearer $tt_operator" \
			-H "Idempotency-Key: $key" \
			-H 'Content-Type: application/EDIFACT' \
			--data-binary "@$work/probe.edi" \
			"http://127.0.0.1:$port/v1/manifests" || true)
		ra=$(grep -ci '^retry-after:' "$work/probe.h" || true)
		echo "write $st $ra"
		case $st in 2??) echo "$key 0" >> "$work/client-probe.log" ;; esac
		[ -n "${TORTURE_VERBOSE:-}" ] && echo "$(date +%T.%N) write $st" >&2
		sleep 0.25
	done > "$work/probe.log"
}

# One write while the database is down: "STATUS RETRY_AFTER MS" into
# down.log.  It must be a 503 with Retry-After, at once.
down_probe() {
	downs=$((downs + 1))
	"$build/railgate" gen --wagons 2 --items 4 \
		--seed $((seed % 100000 * 10000 + 8000 + downs)) \
		--format edifact -o "$work/down.edi"
	sleep 0.1
	t0=$(date +%s%N)
	st=$(curl -s -o /dev/null -m 5 -D "$work/down.h" -w '%{http_code}' \
		-H "Authorization: Bearer $tt_operator" \
		-H 'Content-Type: application/EDIFACT' \
		--data-binary "@$work/down.edi" \
		"http://127.0.0.1:$port/v1/manifests" || true)
	ra=$(grep -ci '^retry-after:' "$work/down.h" || true)
	echo "$st $ra $(( ($(date +%s%N) - t0) / 1000000 ))" >> "$work/down.log"
}

# The cluster's processes: the postmaster and its children.
pg_pids() {
	pm=$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null || true)
	[ -n "$pm" ] || return 0
	echo "$pm"
	pgrep -P "$pm" || true
}

pg_start() {	# until it starts: a killed postmaster's backends linger
	for i in $(seq 1 60); do
		scripts/pgcluster.sh start "$work/pg" > /dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "torture: PostgreSQL does not start again" >&2
	return 1
}

torture_clients
torture_approver
probe_loop &
probe=$!

rng=$seed
immediate=0; killed=0; pgpauses=0; dpauses=0; exited=0; downs=0
for f in $(seq 1 "$faults"); do
	rng=$(( (rng * 1103515245 + 12345) % 2147483648 ))
	sleep "$(( rng % 2 + 1 )).$(( rng % 9 ))"	# 1-3 s of work between faults
	outage="$(( rng / 8 % 2 )).$(( rng / 16 % 9 + 1 ))"
	# Every third fault a pause (of PostgreSQL, then of the daemon, in
	# turn); the others kills, one in three of the postmaster.
	if [ $((f % 3)) = 0 ]; then
		if [ $((f % 6)) = 3 ]; then
			pids=$(pg_pids)
			# shellcheck disable=SC2086
			kill -STOP $pids 2>/dev/null || true
			sleep "1.$(( rng / 16 % 9 + 1 ))"
			# shellcheck disable=SC2086
			kill -CONT $pids 2>/dev/null || true
			pgpauses=$((pgpauses + 1))
		else
			kill -STOP "$pid"
			sleep "1.$(( rng / 16 % 9 + 1 ))"
			kill -CONT "$pid"
			dpauses=$((dpauses + 1))
		fi
	elif [ $(( rng / 100 % 3 )) = 0 ]; then
		kill -9 "$(head -n 1 "$pgdata/postmaster.pid")" 2>/dev/null || true
		killed=$((killed + 1))
		down_probe
		sleep "$outage"
		pg_start
	else
		scripts/pgcluster.sh kill "$work/pg"
		immediate=$((immediate + 1))
		down_probe
		sleep "$outage"
		pg_start
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		exited=$((exited + 1))
		testbed_daemon_start
	fi
done
# shellcheck disable=SC2086
wait $tt_pids
torture_quiet
kill "$probe" 2>/dev/null || true
wait "$probe" 2>/dev/null || true
kill -0 "$pid" 2>/dev/null || exited=$((exited + 1))

health=$(awk '$1 == "health" && $2 != 200' "$work/probe.log" | wc -l)
calls=$(wc -l < "$work/probe.log")
unavail=$(awk '$2 == 503' "$work/probe.log" | wc -l)
bad503=$(awk '($2 == 503 && $3 == 0) || ($2 >= 500 && $2 != 503) ||
	$2 == "000"' "$work/probe.log" | wc -l)
downs=$(wc -l < "$work/down.log")
down_bad=$(awk '$1 != 503 || $2 == 0 || $3 >= 1000' "$work/down.log" | wc -l)
down_slowest=$(sort -n -k3 "$work/down.log" | tail -n 1 | cut -d' ' -f3)
writes_ok=$(awk '$1 == "write" && $2 ~ /^2/' "$work/probe.log" | wc -l)
sock=$(scripts/pgcluster.sh dsn "$work/pg" | sed 's/.*host=\([^ ]*\).*/\1/')
amcheck=0
(cd / && runuser -u postgres -- "$bindir/pg_amcheck" -h "$sock" -p 5432 \
	-U postgres --install-missing --heapallindexed --all) \
	> "$work/amcheck.log" 2>&1 || amcheck=$?
[ "$(id -u)" -eq 0 ] || true
statuses=$(awk '{print $1 "=" $2}' "$work/probe.log" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')
echo "torture: probe answers: ${statuses%, }"
echo "torture: probe: $calls calls, $unavail answered 503 (database down), $bad503 other 5xx or 503 without Retry-After or no answer, $health health checks not 200, $writes_ok probe manifests accepted"
echo "torture: $downs writes while the database was down: $down_bad not a prompt 503 with Retry-After (slowest answer $down_slowest ms)"
echo "torture: pg_amcheck --heapallindexed --all: exit $amcheck$( [ -s "$work/amcheck.log" ] && printf ', says: %s' "$(head -c 300 "$work/amcheck.log")")"
torture_verdict "$faults faults of PostgreSQL ($immediate immediate stops, $killed postmaster SIGKILLs, $pgpauses pauses of PostgreSQL, $dpauses of the daemon), daemon exited $exited times" && \
	[ "$exited" = 0 ] && [ "$health" = 0 ] && [ "$bad503" = 0 ] && \
	[ "$amcheck" = 0 ] && [ "$writes_ok" -gt 0 ] && [ "$down_bad" = 0 ]
