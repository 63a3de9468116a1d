#!/bin/sh
# The daemon's submit -> provisional decision for one e-commerce train of
# 10^4, 10^5 and 10^6 items (55 wagons), each alone against a real
# railgated and a private PostgreSQL cluster, best of DAEMON_GROWTH_RUNS
# (default 1) trains of each size; prints "items seconds", one row per
# size, for a growth table (issue 23, target 5).  The trains are those of
# bench/daemon.sh (the same files under BUILD/bench-data/daemon).
set -eu
build=${1:-build}
runs=${DAEMON_GROWTH_RUNS:-1}
cd "$(dirname "$0")/.."
data=$build/bench-data/daemon
mkdir -p "$data"
# A train number may take one original manifest per run: one file per
# size and run, each its own number (the seed's last digits).
for n in 10000 100000 1000000; do
	for r in $(seq 1 "$runs"); do
		f=$data/growth-$n-$r.edi
		[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items "$n" \
			--seed $((7000 + 10 * ${#n} + r)) --format edifact \
			--ecommerce -o "$f"
	done
done

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-growth)
echo "items seconds"
for n in 10000 100000 1000000; do
	best=""
	for r in $(seq 1 "$runs"); do
		ms=$("$build/bench/api_load" submit "$port" "$operator" "$admin" \
		    1 "$data/growth-$n-$r.edi" | head -n 1 |
		    sed -n 's/.* 1 ok, 0 errors.* p50 \([0-9.]*\) ms.*/\1/p')
		[ -n "$ms" ] || continue	# refused: api_load said why
		best=$(awk -v a="$ms" -v b="$best" 'BEGIN {
		    print (b == "" || a + 0 < b + 0) ? a : b }')
	done
	awk -v n="$n" -v ms="$best" 'BEGIN {
	    if (ms == "") printf "%d nan\n", n
	    else printf "%d %.3f\n", n, ms / 1000 }'
done
