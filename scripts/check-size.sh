#!/bin/sh
# Sizes the next engineer can read (STYLE.md, issue 16):
#  - no .c file outside tests/ and bench/ over 800 lines;
#  - no function over 80 lines unless the comment just above it says why,
#    with the words "long because".
# A function is what runs from a "{" in column 0 to the next "}" in
# column 0 (the house style puts both there and nothing else does).
# Prints each offence and exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."
status=0
files=$(find manifest edi rules engine db daemon cli -name '*.c' | sort)
for f in $files; do
	n=$(wc -l < "$f")
	if [ "$n" -gt 800 ]; then
		echo "size: $f has $n lines (at most 800)"
		status=1
	fi
done
# shellcheck disable=SC2086
if ! awk '
	FNR == 1 { comment = ""; incomment = 0; sig = "" }
	/^\/\*/ { comment = ""; incomment = 1 }
	incomment { comment = comment " " $0 }
	incomment && /\*\// { incomment = 0; next }
	/^{/ { start = FNR; name = sig; next }
	/^}/ && start > 0 {
		len = FNR - start - 1
		if (len > 80 && tolower(why) !~ /long because/) {
			printf "size: %s:%d: %s is %d lines (at most 80, or say " \
			    "why, long because ..., in its comment)\n", FILENAME, \
			    start, name, len
			bad = 1
		}
		start = 0; comment = ""; why = ""; next
	}
	start == 0 && /^[a-z_][a-z0-9_]*\(/ {
		sig = $0; sub(/\(.*/, "", sig); why = comment
	}
	END { exit bad }
' $files; then
	status=1
fi
[ $status -eq 0 ] && echo "sizes: ok"
exit $status
