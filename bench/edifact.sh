#!/bin/sh
# EDIFACT reading speed (issue 3 targets): a generated 100,000-item CUSCAR
# train and a 1,000,000-item e-commerce train, read into the model by
# edi_read (bench/edi_parse.c, best of several runs, compared with a raw
# memchr scan) and by the command line end to end (`railgate parse`, best
# of five, timed to the microsecond: /usr/bin/time's hundredths would make
# 0.03 s of a 17 MB file anything from 490 to 690 MB/s).
set -eu
build=${1:-build}
out=$build/bench-data
mkdir -p "$out"
[ -s "$out/cuscar-100k.edi" ] || "$build/railgate" gen --wagons 55 --items 100000 \
	--seed 1 --format edifact -o "$out/cuscar-100k.edi"
[ -s "$out/ecommerce-1m.edi" ] || "$build/railgate" gen --wagons 55 \
	--items 1000000 --seed 1 --format edifact --ecommerce -o "$out/ecommerce-1m.edi"
for f in cuscar-100k ecommerce-1m; do
	"$build/bench/edi_parse" "$out/$f.edi" 5
	size=$(stat -c %s "$out/$f.edi")
	best="" rss=0
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		m=$( { /usr/bin/time -f "%M" "$build/railgate" parse --format text \
			"$out/$f.edi" > /dev/null; } 2>&1 | tail -n 1)
		t=$(( ($(date +%s%N) - t0) / 1000 ))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "  railgate parse  $(printf '%d.%03d' $((best / 1000000)) \
		$((best / 1000 % 1000))) s end to end" \
		"(best of 5), peak RSS $rss KB," \
		"$(echo "scale=0; $size / $best" | bc) MB/s," \
		"memory $(echo "scale=2; $rss * 1024 / $size" | bc)x the file"
done
