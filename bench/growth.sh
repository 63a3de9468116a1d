#!/bin/sh
# Growth (issue 23, target 5): parse, evaluate and the daemon's submit ->
# decision for trains of 10^4, 10^5 and 10^6 items (55 wagons, railgate
# gen's e-commerce trains), as one table; each step of x10 in items may
# cost at most x11 in time.  Parse and evaluate are timed in process
# (bench/growth.c, best of 5; evaluate on 2 threads); the daemon column
# is the best of three trains of that size submitted one at a time to a
# real railgated and a private PostgreSQL cluster (bench/api_load.c).
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
data=$build/bench-data/growth
mkdir -p "$data"
sizes="10000 100000 1000000"
# The train number is the seed's last four digits (docs/generator.md):
# nine seeds, nine trains, none a replacement of another.
k=0
for n in $sizes; do
	k=$((k + 1))
	for s in 1 2 3; do
		f=$data/g$n-$s.edi
		[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items "$n" \
			--seed $((7700 + 10 * k + s)) --format edifact --ecommerce -o "$f"
	done
done
"$build/bench/growth" 5 $(for n in $sizes; do echo "$data/g$n-1.edi"; done) \
	> "$data/inproc.txt"

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-growth)
: > "$data/daemon.txt"
for n in $sizes; do
	best=""
	for s in 1 2 3; do
		ms=$("$build/bench/api_load" submit "$port" "$operator" "$admin" 1 \
			"$data/g$n-$s.edi" | sed -n 's/.* 1 ok, 0 errors.* p50 \([0-9.]*\) ms.*/\1/p')
		[ -n "$ms" ] || continue	# refused: api_load said why
		if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then
			best=$ms
		fi
	done
	echo "${best:-nan}" >> "$data/daemon.txt"
done
testbed_stop
trap - EXIT INT TERM

echo "growth: items, seconds (parse, evaluate: best of 5; daemon: best of 3 trains), and the ratio to the row above (target <= 11x per x10 items)"
printf '  %9s  %9s %7s  %9s %7s  %9s %7s\n' items parse ratio evaluate ratio \
	daemon ratio
paste -d ' ' "$data/inproc.txt" "$data/daemon.txt" | awk '
	{ d = $4 / 1000
	  if (NR == 1) printf "  %9d  %9.4f %7s  %9.4f %7s  %9.4f %7s\n", $1, $2, "", $3, "", d, ""
	  else printf "  %9d  %9.4f %6.1fx  %9.4f %6.1fx  %9.4f %6.1fx\n", $1, $2, $2 / p, $3, $3 / e, d, d / q
	  p = $2; e = $3; q = d }'
