#!/bin/sh
# Static analysis of the project's own code with cppcheck; the documents'
# links (scripts/check-links.sh); the OpenAPI document (Redocly, when
# installed).
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

# Links in the documents stay inside the repository.
sh scripts/check-links.sh

# The OpenAPI document against Redocly's recommended rules
# (scripts/redocly.yaml), when the linter is installed: it is an npm
# package (npm install -g @redocly/cli; 2.77.0 checked this document), and
# scripts/deps.sh installs Debian packages only.  Any error or warning
# fails.  tests/unit/test_openapi.c checks what matters most without it.
if command -v redocly >/dev/null 2>&1; then
	if ! out=$(redocly lint --config scripts/redocly.yaml --format=json \
	    daemon/api/openapi.json 2>/dev/null) ||
	    ! printf '%s\n' "$out" | grep -q '"errors": 0,' ||
	    ! printf '%s\n' "$out" | grep -q '"warnings": 0,'; then
		redocly lint --config scripts/redocly.yaml daemon/api/openapi.json
		echo "openapi.json: redocly finds errors or warnings"
		exit 1
	fi
	echo "openapi.json: redocly $(redocly --version 2>/dev/null), recommended rules: clean"
else
	echo "openapi.json: redocly not installed (npm install -g @redocly/cli), Redocly's check skipped"
fi
