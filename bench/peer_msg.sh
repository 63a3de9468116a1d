#!/bin/sh
# Neighbouring customs link, per-message overhead (issue 8 target):
# pre_arrival messages carrying generated XML manifests of about 1, 10
# and 50 MB, sealed (gzip + sign) and opened (verify + inflate + JSON)
# by bench/peer_msg.c, in ms per message and per MB of manifest.
set -eu
build=${1:-build}
out=$build/bench-data
mkdir -p "$out"
files=""
# Items for each size: the XML profile runs to about 830 bytes an item.
for spec in 1mb:1200 10mb:12000 50mb:60000; do
	f="$out/peer-${spec%%:*}.xml"
	[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items "${spec#*:}" \
		--seed 8 --format xml -o "$f"
	files="$files $f"
done
# shellcheck disable=SC2086 # the list of files, split on purpose
"$build/bench/peer_msg" $files
