#!/bin/sh
# The HTTP front's cost (issue 15): every request's head is read by the
# connection guard before evhttp parses it, and a token is checked before
# a body is read.  Measured from the client side against a real railgated
# and a private PostgreSQL cluster:
#  - 50 clients on GET /healthz (public) and GET /v1/trains (a token) for
#    15 s each, a new connection per request;
#  - 40 trains of 55 wagons / 5,000 items submitted 4 at a time, submit to
#    provisional decision;
#  - what a stranger's 200 MB upload costs: the time to its 401 and the
#    daemon's memory before and after eight of them.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
data=$build/bench-data/http-front
mkdir -p "$data"
for i in $(seq 1 40); do
	f=$data/t5k-$i.edi
	[ -s "$f" ] || "$build/railgate" gen --wagons 55 --items 5000 \
		--seed $((3000 + i)) --format edifact -o "$f"
done

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
# One client address makes every request here: lift the per-client caps.
testbed_start "$build" "[http]
max_connections_per_client = 100000
auth_failures_per_client = 100000"
operator=$(testbed_token operator bench-operator)
officer=$(testbed_token officer bench-officer)

echo "http front: GET /healthz, 50 clients for 15 s:"
"$build/bench/api_load" read "$port" "$officer" 50 15 /healthz
echo "http front: GET /v1/trains with a token, 50 clients for 15 s:"
"$build/bench/api_load" read "$port" "$officer" 50 15 /v1/trains
echo "http front: submit -> provisional decision, 55 wagons / 5,000 items, 4 in flight:"
"$build/bench/api_load" submit "$port" "$operator" "$admin" 4 \
	$(seq -f "$data/t5k-%g.edi" 1 40)

rss() { awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$pid/status"; }
zero=$data/zero-200mb
[ -s "$zero" ] || truncate -s 200000000 "$zero"
echo "http front: eight 200 MB uploads with an unknown token (daemon $(rss) before):"
for i in 1 2 3 4 5 6 7 8; do
	# curl streams the file after the head, without Expect:
	# 100-continue: the daemon must answer before the body on its own.
	t0=$(date +%s%N)
	code=$(curl -s -o /dev/null -w '%{http_code} %{size_upload}' \
		-H 'Expect:' -H "Authorization: Bearer rg_unknown$i" \
		-H 'Content-Type: application/EDIFACT' -X POST -T "$zero" \
		"http://127.0.0.1:$port/v1/manifests" 2>/dev/null || true)
	t1=$(date +%s%N)
	echo "  upload $i: ${code%% *} after $(( (t1 - t0) / 1000000 )) ms, $(( ${code#* } / 1048576 )) MiB of the body sent"
done
echo "http front: daemon $(rss) after, $(grep -c . "$work/daemon.log" || true) log lines"
