#!/bin/sh
# Runs every benchmark script bench/*.sh with the build directory as its
# argument.  Benchmarks print figures; they are not pass/fail tests.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
echo "railgate benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, build $build"
# The benchmarks' trains are `railgate gen`'s default ones (most wagons
# released, docs/generator.md), cached in $build/bench-data: each
# bench/*.sh makes those missing.  A generator that changed makes other
# trains from the same seeds, so the cache another one made is dropped
# (known by the bytes of two small trains), never measured as this one's.
stamp=$( { "$build/railgate" gen --wagons 55 --items 2000 --seed 1 &&
	"$build/railgate" gen --wagons 10 --items 3000 --seed 2 --ecommerce; } |
	sha256sum | cut -c1-64)
if [ "$(cat "$build/bench-data/.gen-stamp" 2> /dev/null)" != "$stamp" ]; then
	[ ! -d "$build/bench-data" ] ||
		echo "bench-data: made by another railgate gen, made again"
	rm -rf "$build/bench-data"
	mkdir -p "$build/bench-data"
	echo "$stamp" > "$build/bench-data/.gen-stamp"
fi
for b in bench/*.sh; do
	[ -f "$b" ] || continue
	echo
	echo "== $b"
	sh "$b" "$build" || echo "$b: failed with status $?"
done
