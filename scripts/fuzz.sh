#!/bin/sh
# Builds and runs the libFuzzer targets tests/fuzz/fuzz_NAME.c, each seeded
# from fixtures/NAME/ (recursively; fuzz_input from fixtures/edifact/ and
# fixtures/xml/, see seed_input; fuzz_unlist from fixtures/screening/un/),
# for a bounded time.
#
#   scripts/fuzz.sh [--seconds N] [NAME...]     default 60 s per target
#
# Crashes are saved in build-fuzz/artifacts/NAME/ and make the script fail;
# turn each into a regression fixture under fixtures/NAME/.
set -eu
cd "$(dirname "$0")/.."

seconds=60
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	*) break ;;
	esac
done

out=build-fuzz
mkdir -p "$out"
cflags="-g -O1 -std=c17 -D_GNU_SOURCE -pthread -I. $(pkg-config --cflags libxml-2.0)"
libs="$(pkg-config --libs libxml-2.0 libutf8proc openssl jansson zlib libdeflate icu-i18n icu-uc) -lm"
srcs="$(ls manifest/*.c edi/*.c rules/*.c 2>/dev/null || true) engine/*.c daemon/api/event_body.c daemon/http/auth.c daemon/http/reqhead.c"

# fuzz_input reads every format: a few manifests of each from fixtures/,
# plain, gzipped, in two gzip members and gzipped twice (refused).
seed_input() {
	for f in fixtures/edifact/cuscar_s3_alashankou.edi \
	    fixtures/edifact/cuscar_unoe_cyrillic.edi \
	    fixtures/edifact/broken/truncated.edi \
	    fixtures/xml/cuscar_s3_alashankou.xml fixtures/xml/cuscar_replace.xml \
	    fixtures/xml/broken/bad_numbers.xml; do
		b=$(basename "$f")
		cp "$f" "$1/$b"
		gzip -nc "$f" >"$1/$b.gz"
	done
	{ head -c 100 "$f" | gzip -nc; tail -c +101 "$f" | gzip -nc; } \
	    >"$1/two-members.gz"
	gzip -nc "$1/$b.gz" >"$1/nested.gz.gz"
}

# The library sources, compiled once for every target (each target used
# to compile them all again: four of the five minutes of `make check`'s
# fuzz smoke), as many at a time as there are cores.
objdir=$out/obj
rm -rf "$objdir"
mkdir -p "$objdir"
objs=""
for src in $srcs; do
	objs="$objs $objdir/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
done
# shellcheck disable=SC2086
printf '%s\n' $srcs | xargs -P "$(nproc)" -n 1 sh -c '
	o="$1/$(echo "$3" | tr / _ | sed "s/\.c\$/.o/")"
	exec clang $2 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -c "$3" -o "$o"' _ "$objdir" "$cflags"

targets=${*:-$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|tests/fuzz/fuzz_||; s|\.c$||')}
status=0
for name in $targets; do
	bin="$out/fuzz_$name"
	corpus="$out/corpus/$name"
	artifacts="$out/artifacts/$name/"
	mkdir -p "$corpus" "$artifacts"
	# shellcheck disable=SC2086
	clang $cflags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"tests/fuzz/fuzz_$name.c" $objs $libs -o "$bin"
	if [ -d "fixtures/$name" ]; then
		find "fixtures/$name" -type f ! -name '*.json' -exec cp {} "$corpus/" \;
	fi
	[ "$name" = input ] && seed_input "$corpus"
	[ "$name" = unlist ] && find fixtures/screening/un -name '*.xml' \
		-exec cp {} "$corpus/" \;
	echo "fuzz_$name: ${seconds}s on $(ls "$corpus" | wc -l) seed inputs"
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" \
		>"$out/fuzz_$name.log" 2>&1; then
		echo "fuzz_$name: FAILED, see $out/fuzz_$name.log and $artifacts"
		tail -n 30 "$out/fuzz_$name.log"
		status=1
	else
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|cov:' \
			"$out/fuzz_$name.log" | tail -n 4
	fi
done
exit $status
