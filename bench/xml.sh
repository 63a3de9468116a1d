#!/bin/sh
# XML reading speed and memory (issue 23, target 2): `railgate parse` of a
# file against `xmllint --stream --noout` of the same file (libxml2's own
# pace), best of 3 each, and railgate's peak RSS against the file's size.
# Targets: within 1.2x of xmllint's time, peak RSS at most 1.0x the file.
# Trains: railgate gen's 1,000,000-item e-commerce train, and the shared
# XML profile at 100,000 and 1,000,000 items (../shared/bench/gen_xml.py,
# or $RAILGATE_SHARED/bench), generated into $build/bench-data.
set -eu
build=${1:-build}
shared=${RAILGATE_SHARED:-../shared}
out=$build/bench-data
mkdir -p "$out"

best() {	# best of 3 by wall time: "seconds KB"
	b=""
	for i in 1 2 3; do
		t=$( { /usr/bin/time -f "%e %M" "$@" > /dev/null; } 2>&1 | tail -n 1)
		if [ -z "$b" ] || [ "$(echo "${t% *} < ${b% *}" | bc)" = 1 ]; then
			b=$t
		fi
	done
	echo "$b"
}

ok() {	# ok VALUE TARGET: "ok" when VALUE <= TARGET
	if [ "$(echo "$1 <= $2" | bc)" = 1 ]; then echo ok; else echo MISSED; fi
}

one() {	# one FILE ITEMS
	f=$1
	size=$(stat -L -c %s "$f")
	rg=$(best "$build/railgate" parse --format text "$f")
	xl=$(best xmllint --stream --noout "$f")
	t=$(echo "scale=2; ${rg% *} / ${xl% *}" | bc)
	m=$(echo "scale=2; ${rg#* } * 1024 / $size" | bc)
	echo "$f: $(echo "scale=1; $size / 1000000" | bc) MB, $2 items"
	echo "  railgate parse        ${rg% *} s, $(echo "scale=0; $size / 1000000 / ${rg% *}" | bc) MB/s, peak RSS $(echo "scale=0; ${rg#* } / 1024" | bc) MB"
	echo "  xmllint --stream      ${xl% *} s, peak RSS $(echo "scale=0; ${xl#* } / 1024" | bc) MB"
	echo "  time ratio to xmllint ${t}x (target 1.2x: $(ok "$t" 1.2))"
	echo "  peak RSS / file       ${m}x (target 1.0x: $(ok "$m" 1.0))"
}

f=$out/ecommerce-1m.xml
[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items 1000000 --seed 1 \
	--format xml --ecommerce -o "$f"
one "$f" 1000000

if [ -f "$shared/bench/gen_xml.py" ]; then
	for n in 100000 1000000; do
		g=$out/shared-xml-$n.xml
		[ -s "$g" ] || python3 "$shared/bench/gen_xml.py" --items "$n" \
		    --seed 1 --out "$g" > /dev/null
		one "$g" "$n"
	done
else
	echo "shared XML trains (100,000 and 1,000,000 items): skipped: $shared/bench missing"
fi
