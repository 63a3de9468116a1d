#!/bin/sh
# Static analysis of the project's own code with cppcheck.
#
# Suppressed, with reasons:
#  variableScope -- the house style (OpenBSD, tmux) declares locals at the
#                   top of a function on purpose;
#  missingInclude* -- system and library headers are not cppcheck's to find.
set -eu
cd "$(dirname "$0")/.."
dirs=""
for d in manifest edi rules engine db daemon cli; do
	ls "$d"/*.c >/dev/null 2>&1 && dirs="$dirs $d"
done
# shellcheck disable=SC2086
cppcheck --quiet --enable=warning,style,portability,performance --std=c11 \
	--inline-suppr --error-exitcode=1 -I. \
	--suppress=variableScope --suppress=missingInclude \
	--suppress=missingIncludeSystem $dirs
# shellcheck disable=SC2086
echo "cppcheck: clean ($(find $dirs -name '*.c' -exec cat {} + | wc -l) lines)"
