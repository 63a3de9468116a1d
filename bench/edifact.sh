#!/bin/sh
# EDIFACT reading speed (issue 23, target 1): railgate gen's 100,000-item
# CUSCAR train and 1,000,000-item e-commerce train, and the shared
# 1,000,000-item CUSCAR train of ../shared/bench (syntax 4, names in three
# scripts; made here with python3 when ../shared/bench is there), each
# read into the model by edi_read (bench/edi_parse.c: best of 5 with
# the lexer on a second thread, as edi_read does from 1 MiB on, and best
# of 5 on one thread, runs alternating; the memchr scan for the
# terminator over the same bytes as the yardstick, the model's memory)
# and by the command line end to end (`railgate
# parse`, best of five, timed to the microsecond: /usr/bin/time's
# hundredths would make 0.03 s of a 17 MB file anything from 490 to 690
# MB/s).  Each figure is printed with its target; the targets are the
# 1,000,000-item trains'.
set -eu
build=${1:-build}
out=$build/bench-data
shared=${RAILGATE_SHARED:-../shared}
mkdir -p "$out"
[ -s "$out/cuscar-100k.edi" ] || "$build/railgate" gen --wagons 55 --items 100000 \
	--seed 1 --format edifact -o "$out/cuscar-100k.edi"
[ -s "$out/ecommerce-1m.edi" ] || "$build/railgate" gen --wagons 55 \
	--items 1000000 --seed 1 --format edifact --ecommerce -o "$out/ecommerce-1m.edi"
trains="cuscar-100k ecommerce-1m"
if [ -f "$shared/bench/gen_cuscar.py" ]; then
	[ -s "$out/shared-cuscar-1m.edi" ] || python3 "$shared/bench/gen_cuscar.py" \
		--items 1000000 --seed 1 --out "$out/shared-cuscar-1m.edi" > /dev/null
	trains="$trains shared-cuscar-1m"
fi

# railgate parse of $1, best of 5: "microseconds peak-RSS-KB".
parse_best() {
	best="" rss=0
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		m=$( { /usr/bin/time -f "%M" "$build/railgate" parse --format text \
			"$1" > /dev/null; } 2>&1 | tail -n 1)
		t=$(( ($(date +%s%N) - t0) / 1000 ))
		{ [ -z "$best" ] || [ "$t" -lt "$best" ]; } && best=$t
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$best $rss"
}

for f in $trains; do
	"$build/bench/edi_parse" "$out/$f.edi" 5
	size=$(stat -L -c %s "$out/$f.edi")
	r=$(parse_best "$out/$f.edi")
	best=${r% *} rss=${r#* }
	echo "  railgate parse  $(printf '%d.%03d' $((best / 1000000)) \
		$((best / 1000 % 1000))) s end to end (best of 5)," \
		"$(echo "scale=0; $size / $best" | bc) MB/s (target >= 700 MB/s)," \
		"peak RSS $((rss / 1024)) MB," \
		"$(echo "scale=2; $rss * 1024 / $size" | bc)x the file"
done
[ -f "$shared/bench/gen_cuscar.py" ] || echo "shared-cuscar-1m: skipped: ../shared/bench missing"
