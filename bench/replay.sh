#!/bin/sh
# The auditor's replay (issue 9): 1,000 stored trains of 55 wagons / 5,000
# items, decided by a real railgated on a private PostgreSQL cluster, then
# `railgate replay --all` timed: every decision evaluated again from the
# stored bytes, the stored rule set and events, compared byte for byte,
# and the audit chain verified.  Target: under 60 s.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
n=${REPLAY_TRAINS:-1000}
# The same trains as bench/daemon.sh (seed 1000 + i), shared with it.
data=$build/bench-data/daemon
mkdir -p "$data"
for i in $(seq 1 "$n"); do
	f=$data/t5k-$i.edi
	[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items 5000 \
		--seed $((1000 + i)) --format edifact -o "$f"
done

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-operator)
echo "replay: storing $n trains of 55 wagons / 5,000 items (submitted 8 at a time, each decided):"
"$build/bench/api_load" submit "$port" "$operator" "$admin" 8 \
	$(seq -f "$data/t5k-%g.edi" 1 "$n") | tail -n 2
testbed_sql "SELECT count(*) || ' runs, ' || sum(CASE WHEN decision IS NULL THEN 1 ELSE 0 END) || ' undecided' FROM trains" |
	sed 's/^/replay: stored /'
# The same replay through the daemon (POST /v1/replays, one worker thread
# beside the daemon's other work) for the first REPLAY_URL_TRAINS runs,
# and --dsn (every core) for the same runs: what the API costs.
m=${REPLAY_URL_TRAINS:-100}
auditor=$(testbed_token auditor bench-auditor)
sel=$(testbed_sql "SELECT string_agg('--train ' || train_no || '@' || run, ' ' ORDER BY id) FROM (SELECT * FROM trains ORDER BY id LIMIT $m) t")
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$build/railgate" replay --url "http://127.0.0.1:$port" --token "$auditor" \
	$sel --format json 2>"$work/replay-url.err" > "$work/replay-url.json" || tail -n 3 "$work/replay-url.err"
t1=$(date +%s.%N)
# shellcheck disable=SC2086
"$build/railgate" replay --dsn "$admin" $sel --format json > "$work/replay-dsn.json" || true
t2=$(date +%s.%N)
jq -r --arg u "$(echo "$t1 - $t0" | bc)" --arg d "$(echo "$t2 - $t1" | bc)" \
	'"replay: \(.trains) trains, \(.decisions) decisions: over the API " +
	"\($u | tonumber * 10 | round / 10) s (one worker), --dsn " +
	"\($d | tonumber * 10 | round / 10) s (every core)"' "$work/replay-url.json"
# Replay with the daemon stopped: the machine's two cores are the replay's.
kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
pid=
/usr/bin/time -f '%e %M' -o "$work/replay.time" "$build/railgate" replay \
	--dsn "$admin" --all --format json > "$work/replay.json" || true
read secs kb < "$work/replay.time"
jq -r --arg s "$secs" '"replay: \(.trains) trains, \(.decisions) decisions, " +
	(if .different == 0 and .failed == 0 then "all identical" else
	"\(.identical) identical, \(.different) different, \(.failed) failed" end) +
	", \($s | tonumber * 10 | round / 10) s (audit chain: " +
	(if .audit.intact then "intact, \(.audit.checked) records" else "BROKEN" end) + ")"' \
	"$work/replay.json"
echo "replay: peak memory $((kb / 1024)) MB"
