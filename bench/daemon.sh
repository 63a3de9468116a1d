#!/bin/sh
# The daemon's targets (issue 6), measured from the client side against a
# real railgated and a private PostgreSQL cluster:
#  - submit -> provisional decision committed, 55 wagons / 5,000 items, with
#    20 trains submitted at once (five bursts of 20, each burst decided
#    before the next), and as a stream kept at 20 in flight (100 trains);
#  - 200 concurrent readers of GET /v1/trains while trains are submitted;
#  - a 1,000,000-item e-commerce train: submit -> decision, and the
#    daemon's peak memory.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
data=$build/bench-data/daemon
mkdir -p "$data"
for i in $(seq 1 320); do
	f=$data/t5k-$i.edi
	[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items 5000 \
		--seed $((1000 + i)) --format edifact -o "$f"
done
[ -s "$data/ecommerce-1m.edi" ] || "$build/railgate" gen --wagons 55 \
	--items 1000000 --seed 7 --format edifact --ecommerce \
	-o "$data/ecommerce-1m.edi"

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-operator)
officer=$(testbed_token officer bench-officer)

# ONLY_SETUP=1: stop here with the daemon up, to profile it by hand.
[ -z "${ONLY_SETUP:-}" ] || { echo "port $port token $operator work $work admin $admin"; sleep 100000; }
echo "daemon: submit -> provisional decision, 55 wagons / 5,000 items, one at a time:"
"$build/bench/api_load" submit "$port" "$operator" "$admin" 1 \
	$(seq -f "$data/t5k-%g.edi" 201 220)
echo "daemon: submit -> provisional decision, 55 wagons / 5,000 items, bursts of 20 submitted at once:"
"$build/bench/api_load" burst "$port" "$operator" "$admin" 20 \
	$(seq -f "$data/t5k-%g.edi" 221 320)
echo "daemon: submit -> provisional decision, 55 wagons / 5,000 items, a stream kept at 20 in flight:"
"$build/bench/api_load" submit "$port" "$operator" "$admin" 20 \
	$(seq -f "$data/t5k-%g.edi" 1 100)

echo "daemon: 200 readers of GET /v1/trains for 20 s, each as fast as it can, while 100 more trains arrive:"
"$build/bench/api_load" read "$port" "$officer" 200 20 /v1/trains &
readers=$!
"$build/bench/api_load" submit "$port" "$operator" "$admin" 4 \
	$(seq -f "$data/t5k-%g.edi" 101 150)
wait "$readers"
echo "daemon: the same, each reader polling every 250 ms like a console:"
"$build/bench/api_load" read "$port" "$officer" 200 20 /v1/trains 250 &
readers=$!
"$build/bench/api_load" submit "$port" "$operator" "$admin" 4 \
	$(seq -f "$data/t5k-%g.edi" 151 200)
wait "$readers"

echo "daemon: 1,000,000-item e-commerce train ($(($(stat -c %s "$data/ecommerce-1m.edi") / 1000000)) MB), submit -> decision:"
"$build/bench/api_load" submit "$port" "$operator" "$admin" 1 "$data/ecommerce-1m.edi"
echo "daemon: peak memory $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' \
	/proc/$pid/status)"
# log_level = warn: a clean run leaves the log empty, which is 0, not a
# failure of the benchmark.
echo "daemon: $(grep -c 'warn\|error' "$work/daemon.log" 2>/dev/null || true) warnings in the log"
