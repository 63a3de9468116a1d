#!/bin/sh
# EDIFACT reading speed (issue 3 targets): a generated 100,000-item CUSCAR
# train and a 1,000,000-item e-commerce train, read into the model by
# edi_read (bench/edi_parse.c, best of several runs, compared with a raw
# memchr scan) and by the command line end to end (`railgate parse`).
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
	best=""
	for i in 1 2 3; do
		t=$( { /usr/bin/time -f "%e %M" "$build/railgate" parse --format text \
			"$out/$f.edi" > /dev/null; } 2>&1 | tail -n 1)
		s=${t% *}
		if [ -z "$best" ] || [ "$(echo "$s < ${best% *}" | bc)" = 1 ]; then
			best=$t
		fi
	done
	echo "  railgate parse  ${best% *} s end to end, peak RSS ${best#* } KB," \
		"$(echo "scale=0; $size / 1000000 / ${best% *}" | bc) MB/s," \
		"memory $(echo "scale=2; ${best#* } * 1024 / $size" | bc)x the file"
done
