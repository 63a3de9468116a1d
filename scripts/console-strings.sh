#!/bin/sh
# Prints the officer console's strings missing from a language's
# catalogue (daemon/api/console/catalogue-LANG.js), one a line, ready to
# paste into the catalogue as  "English": "",  and the entries whose
# {placeholders} differ from their English key.  Without LANG: zh-Hans
# and ru, the languages the console must speak completely; with LANG
# (kk, vi, or a new one): every string that language still lacks.
# The strings are found by the unit suite console_strings
# (tests/unit/test_console_strings.c), so this list and the test agree.
#   scripts/console-strings.sh [LANG] [BUILD]
set -eu
lang=${1:-}
build=${2:-build}
[ -x "$build/tests/unit" ] || { echo "$0: build $build first (make check-build)" >&2; exit 2; }
out=$(RAILGATE_CONSOLE_LANGS=${lang} RAILGATE_BUILD=$build \
	"$build/tests/unit" console_strings 2>&1 >/dev/null || true)
printf '%s\n' "$out" | sed -n \
	-e 's/^missing in \([^:]*\): \(".*"\)$/\1: \2: "",/p' \
	-e 's/^\([a-zA-Z-]*\): \(".*" has .*\)$/placeholders \1: \2/p'
