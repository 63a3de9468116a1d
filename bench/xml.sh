#!/bin/sh
# XML reading speed (issue 4 targets): a generated 1,000,000-item
# e-commerce train read by `railgate parse` (best of 3, with peak memory),
# and the same file through `xmllint --stream --noout` for comparison.
set -eu
build=${1:-build}
out=$build/bench-data
mkdir -p "$out"
f=$out/ecommerce-1m.xml
[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items 1000000 --seed 1 \
	--format xml --ecommerce -o "$f"
size=$(stat -c %s "$f")
best() {	# best of 3: "seconds KB"
	b=""
	for i in 1 2 3; do
		t=$( { /usr/bin/time -f "%e %M" "$@" > /dev/null; } 2>&1 | tail -n 1)
		if [ -z "$b" ] || [ "$(echo "${t% *} < ${b% *}" | bc)" = 1 ]; then
			b=$t
		fi
	done
	echo "$b"
}
rg=$(best "$build/railgate" parse --format text "$f")
xl=$(best xmllint --stream --noout "$f")
echo "$f: $(echo "scale=1; $size / 1000000" | bc) MB, 1000000 items"
echo "  railgate parse        ${rg% *} s, $(echo "scale=0; $size / 1000000 / ${rg% *}" | bc) MB/s, peak RSS $(echo "scale=0; ${rg#* } / 1024" | bc) MB"
echo "  xmllint --stream      ${xl% *} s, peak RSS $(echo "scale=0; ${xl#* } / 1024" | bc) MB"
echo "  ratio to xmllint      $(echo "scale=2; ${rg% *} / ${xl% *}" | bc)x"
