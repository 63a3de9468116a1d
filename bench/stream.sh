#!/bin/sh
# Pushed changes (issue 18): 200 consoles hold GET /v1/stream open while
# a train a second arrives for STREAM_SECONDS (45 by default); for every
# train and every console, the time from the start of its submission to
# the console's receipt of the first message naming it, p50/p99/max, and
# the daemon's resident memory with the consoles connected, half-way and
# at the end.  Against a real railgated and a private PostgreSQL cluster.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
seconds=${STREAM_SECONDS:-45}
consoles=${STREAM_CONSOLES:-200}
data=$build/bench-data/stream
mkdir -p "$data"
for i in $(seq 1 "$seconds"); do
	f=$data/t-$i.edi
	[ -s "$f" ] || "$build/railgate" gen --wagons 20 --items 500 \
		--seed $((5000 + i)) --format edifact -o "$f"
done

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-operator)
officer=$(testbed_token officer bench-officer)
echo "stream: $consoles consoles on GET /v1/stream, a train (20 wagons / 500 items) a second for $seconds s:"
"$build/bench/stream_load" "$port" "$operator" "$officer" "$pid" \
	"$consoles" $(seq -f "$data/t-%g.edi" 1 "$seconds")
echo "stream: $(grep -c 'warn\|error' "$work/daemon.log" 2>/dev/null || true) warnings in the log"
