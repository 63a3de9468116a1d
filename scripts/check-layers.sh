#!/bin/sh
# Lower layers never include higher ones:
#   manifest < edi < rules < db < daemon
# Prints each offending #include and exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."
status=0
check() {
	layer=$1; shift
	for higher in "$@"; do
		hits=$(grep -n "#include \"$higher/" "$layer"/*.[ch] 2>/dev/null || true)
		if [ -n "$hits" ]; then
			echo "layering: $layer/ includes $higher/:"
			echo "$hits"
			status=1
		fi
	done
}
check manifest edi rules db daemon
check edi rules db daemon
check rules db daemon
check db daemon
# Only db/ talks to PostgreSQL; only daemon/ touches libevent.
for dir in manifest edi rules daemon; do
	if grep -ln '#include <libpq-fe.h>' "$dir"/*.[ch] 2>/dev/null; then
		echo "layering: libpq included outside db/"; status=1
	fi
done
for dir in manifest edi rules db; do
	if grep -ln '#include <event2/' "$dir"/*.[ch] 2>/dev/null; then
		echo "layering: libevent included outside daemon/"; status=1
	fi
done
[ $status -eq 0 ] && echo "layers: ok"
exit $status
