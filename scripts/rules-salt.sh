#!/bin/sh
# rules-salt.sh BUILD [FIRST] -- the selection salt of the default rule set.
#
# The random selection draws from the rule set's hash (docs/decision.md,
# "Determinism"), so every edit of etc/rules/default picks other wagons of
# the fixture trains at random, and the tests that read those trains'
# decisions (the console's, the wagon page's) would see a wagon set out
# for no reason they test.  The last line of main.rules, a comment, is the
# salt: this script tries salts from FIRST (default 1) and prints the
# first with which no wagon of any fixture train is selected at random.
# Put it in place of the one there and refresh the goldens
# (RAILGATE_FIXTURES_UPDATE=1 ... unit failclosed).
set -eu
build=${1:-build}
n=${2:-1}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
while [ "$n" -lt 10000 ]; do
	rm -rf "$tmp/rules"
	cp -r etc/rules/default "$tmp/rules"
	sed -i '$d' "$tmp/rules/main.rules"
	printf '# Selection salt %d (scripts/rules-salt.sh).\n' "$n" >> \
	    "$tmp/rules/main.rules"
	hits=0
	for f in fixtures/edifact/*.edi fixtures/xml/*.xml \
	    fixtures/failclosed/*.edi fixtures/failclosed/*.xml; do
		[ -f "$f" ] || continue
		if "$build/railgate" check --threads 1 --rules "$tmp/rules" "$f" \
		    2> /dev/null | grep -q '"rule":"random"'; then
			hits=1
			break
		fi
	done
	if [ "$hits" = 0 ]; then
		echo "$n"
		exit 0
	fi
	n=$((n + 1))
done
echo "rules-salt.sh: no salt under 10000" >&2
exit 1
