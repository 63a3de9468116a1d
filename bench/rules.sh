#!/bin/sh
# Rule engine speed.  Issue 23 (target 3): the compiled default rule set
# against the hand-written loop of bench/rules.c (every rule of
# etc/rules/default written out in C; the two must find the same hits)
# on the same train, one thread each: both times, their ratio with the
# 1.5x target and items/s per core, on the 5,000-item train and on a
# 1,000,000-parcel e-commerce train (its own file name: bench/edifact.sh
# generates ecommerce-1m.edi with another seed).  Issue 5: compiling the
# default rule set, a generated 1,000,000-item train on 1 and 2 threads,
# and the 5,000-item manifest parsed, evaluated and written as a
# decision, in process and by `railgate check`.
set -eu
build=${1:-build}
out=$build/bench-data
mkdir -p "$out"
[ -s "$out/train-5k.edi" ] || "$build/railgate" gen --wagons 55 --items 5000 \
	--seed 1 --format edifact -o "$out/train-5k.edi"
[ -s "$out/ecommerce-1m-s7.edi" ] || "$build/railgate" gen --wagons 55 \
	--items 1000000 --seed 7 --format edifact --ecommerce \
	-o "$out/ecommerce-1m-s7.edi"
"$build/bench/rules" --ratio "$out/train-5k.edi" "$out/ecommerce-1m-s7.edi"
"$build/bench/rules" "$out/train-5k.edi"
best=""
for i in 1 2 3 4 5; do
	s=$( { /usr/bin/time -f "%e" "$build/railgate" check --format json \
		"$out/train-5k.edi" > /dev/null || true; } 2>&1 | tail -n 1)
	if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then
		best=$s
	fi
done
echo "rules: railgate check (55 wagons, 5,000 items) end to end ${best} s"

# Issue 22: a 1,000,000-parcel e-commerce train parsed, evaluated and
# decided offline with parcels set aside, on two cores (target < 2 s).
best=""
for i in 1 2 3; do
	s=$( { /usr/bin/time -f "%e %M" "$build/railgate" check --threads 2 \
		--parcel-setaside "$out/ecommerce-1m-s7.edi" > /dev/null || true; } \
		2>&1 | tail -n 1)
	if [ -z "$best" ] || [ "$(echo "${s% *} < ${best% *}" | bc)" = 1 ]; then
		best=$s
	fi
done
echo "rules: railgate check --parcel-setaside (1,000,000 parcels, 2 threads)" \
	"${best% *} s, peak $(( ${best#* } / 1024 )) MiB"
