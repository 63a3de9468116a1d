#!/bin/sh
# The layers, lowest first; each may include only the ones before it:
#   manifest < edi < rules < engine < db < daemon, cli
# daemon/ never includes cli/.  cli/ may include daemon/'s configuration,
# signing and tokens, which `railgate db` and `railgate notices` share with
# the daemon.  Only daemon/ and cli/ include libevent; only db/ includes
# libpq.  Prints each offence and exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."
status=0
sources() {
	find "$1" -name '*.[ch]' | sort
}
check() {
	layer=$1; shift
	for higher in "$@"; do
		hits=$(sources "$layer" | xargs grep -n "#include \"$higher/" || true)
		if [ -n "$hits" ]; then
			echo "layering: $layer/ includes $higher/:"
			echo "$hits"
			status=1
		fi
	done
}
check manifest edi rules engine db daemon cli
check edi rules engine db daemon cli
check rules engine db daemon cli
check engine db daemon cli
check db daemon cli
check daemon cli
for dir in manifest edi rules engine daemon cli; do
	if sources "$dir" | xargs grep -ln '#include <libpq-fe.h>'; then
		echo "layering: libpq included outside db/"; status=1
	fi
done
for dir in manifest edi rules engine db; do
	if sources "$dir" | xargs grep -ln '#include <event2/'; then
		echo "layering: libevent included outside daemon/ and cli/"; status=1
	fi
done
# The HTTP server is a transport: the application (daemon/api/) hands it
# its route table and how a token is looked up (struct http_app), so
# daemon/http/ includes neither the API nor the storage.
for higher in daemon/api db; do
	hits=$(sources daemon/http | xargs grep -n "#include \"$higher/" || true)
	if [ -n "$hits" ]; then
		echo "layering: daemon/http/ includes $higher/:"
		echo "$hits"
		status=1
	fi
done
# The API is a leaf of the daemon: core code announces changes through
# daemon/hooks.h and never calls into a handler, so only daemon/api/ itself
# and railgated.c (which wires the API in) include daemon/api/.
hits=$(find daemon -name '*.[ch]' ! -path 'daemon/api/*' \
    ! -path daemon/railgated.c | sort | xargs grep -n '#include "daemon/api/' || true)
if [ -n "$hits" ]; then
	echo "layering: outside daemon/api/ and railgated.c, includes daemon/api/:"
	echo "$hits"
	status=1
fi
# Storage knows no HTTP (docs/storage.md): a function of db/functions/
# answers an outcome name (accepted, conflict, not_found ...) and the API
# maps it to a status in one table (daemon/api/outcome.c).  So, outside
# comments, no function file declares or sets an http_status (an OUT
# parameter or variable of that name), assigns a number from 100 to 599
# (":= 404"), returns one ("RETURN 409"), or writes one as a reply's
# status member ("'status', 422").  A status received from a remote
# endpoint is data, not an answer: comparing it (p_status BETWEEN 200 AND
# 299) and recording it (the deliveries.http_status column) stay allowed.
http_in_sql=$(for f in db/functions/*.sql; do
	sed 's/--.*//' "$f" | grep -inE \
	    -e 'OUT[[:space:]]+http_status' -e 'http_status[[:space:]]*:=' \
	    -e ':=[[:space:]]*[1-5][0-9][0-9]([^0-9.]|$)' \
	    -e 'RETURN[[:space:]]+[1-5][0-9][0-9]([^0-9.]|$)' \
	    -e "'status'[[:space:]]*,[[:space:]]*[1-5][0-9][0-9]" |
	    sed "s|^|$f:|" || true
done)
if [ -n "$http_in_sql" ]; then
	echo "layering: an SQL function answers an HTTP status (answer an outcome name):"
	echo "$http_in_sql"
	status=1
fi
[ $status -eq 0 ] && echo "layers: ok"
exit $status
