#!/bin/sh
# Runs every benchmark script bench/*.sh with the build directory as its
# argument.  Benchmarks print figures; they are not pass/fail tests.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
echo "railgate benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, build $build"
for b in bench/*.sh; do
	[ -f "$b" ] || continue
	echo
	echo "== $b"
	sh "$b" "$build" || echo "$b: failed with status $?"
done
