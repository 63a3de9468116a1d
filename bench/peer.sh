#!/bin/sh
# Neighbouring customs link, exactly once (issue 8 target): 100 export
# trains submitted and approved at alashankou are forwarded to dostyk
# while dostyk (the receiving end of the link) is killed with SIGKILL and
# restarted on the same configuration, ports and database 10 times.  At
# the end both databases are counted:
#   forwarded   export trains approved (final decision) at alashankou
#   arrived     distinct trains at dostyk
#   lost        trains approved at alashankou and absent at dostyk
#   duplicated  trains present at dostyk more than once: two trains
#               (runs) of one number, two manifests from the peer, or two
#               neighbour events -- peer_inbox's key (sender, message_id)
#               makes a second row per message impossible, so a
#               duplicate would show here instead
# and one line is printed; the exit status is non-zero when any train is
# lost or duplicated.
#
# The kills are spread over the forwarding: the n-th comes once
# alashankou has had n/11 of the trains taken, so that messages are in
# flight or queued at every one.  Only the receiver is killed: a killed
# sender's lease on the message it was sending lasts 30 s (PEER_LEASE_S
# in daemon/peer/peer_out.c), so each sender kill would stall the link 30 s.
#
#   sh bench/peer.sh BUILD    (PEER_TRAINS=100 PEER_RESTARTS=10)
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
trains=${PEER_TRAINS:-100}
restarts=${PEER_RESTARTS:-10}
data=$build/bench-data/peer
mkdir -p "$data"

# The export fixture as X0001, X0002, ... (as tests/system/test_peer.c does).
for i in $(seq 1 "$trains"); do
	f=$data/$(printf 'X%04d' "$i").xml
	[ -s "$f" ] || sed "s/X9403/$(printf 'X%04d' "$i")/g" \
		fixtures/xml/cuscar_s4_unoy.xml > "$f"
done

BORDER_LIB=1
# shellcheck source=scripts/demo-border.sh
. scripts/demo-border.sh
killer=
cleanup() {
	[ -z "$killer" ] || kill "$killer" 2>/dev/null || true
	[ -z "$killer" ] || wait "$killer" 2>/dev/null || true
	border_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM
border_start "$build" free
operator=$(border_token alashankou operator bench.operator)
officer=$(border_token alashankou officer bench.officer)
pattern="'^X[0-9]{4}\$'"

# Milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Random milliseconds in [0, $1).
rand_ms() {
	echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}

# Kills dostyk each time alashankou has had another share of the trains
# taken, keeps it down a moment (the sender backs off), restarts it.
link_killer() {
	for n in $(seq 1 "$restarts"); do
		at=$((n * trains / (restarts + 1)))
		while [ "$(border_sql alashankou "SELECT count(*) FROM peer_outbox WHERE type = 'pre_arrival' AND state = 'sent'")" -lt "$at" ]; do
			sleep 0.05
		done
		sleep "0.$(printf '%03d' "$(rand_ms 150)")"
		border_daemon_kill dostyk
		sleep "0.$(printf '%03d' "$((200 + $(rand_ms 600)))")"
		border_daemon_start dostyk
		echo "$n" >> "$bwork/restarts"
	done
}

# Polls SQL on NAME until it prints WANT, for up to SECONDS.
wait_sql() {
	deadline=$(($(now_ms) + $4 * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		[ "$(border_sql "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

start=$(now_ms)
link_killer > "$bwork/killer.log" 2>&1 &
killer=$!

# Submitted in one stream; each approved once decided, in order.
for i in $(seq 1 "$trains"); do
	id=$(printf 'X%04d' "$i")
	status=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $operator" \
		-H 'Content-Type: application/xml' --data-binary "@$data/$id.xml" \
		"http://127.0.0.1:$(cat "$bwork/alashankou/port")/v1/manifests")
	[ "$status" = 202 ] || echo "peer: $id: submitted, HTTP $status" >&2
done
for i in $(seq 1 "$trains"); do
	id=$(printf 'X%04d' "$i")
	wait_sql alashankou "SELECT count(*) FROM trains WHERE train_no = '$id' AND decision IS NOT NULL AND NOT eval_needed" 1 30 ||
	    echo "peer: $id: not decided at alashankou" >&2
	border_api alashankou POST "/v1/trains/$id/approve" "$officer" \
		-H 'Content-Type: application/json' \
		--data '{"reason": "released for export (bench)"}' > /dev/null
	[ "$(cat "$bwork/status")" = 200 ] ||
	    echo "peer: $id: approve, HTTP $(cat "$bwork/status")" >&2
done

# Every kill done, then every message taken (or given up).
wait "$killer" || echo "peer: the link killer failed: $(tail -n 3 "$bwork/killer.log")" >&2
killer=
wait_sql alashankou "SELECT count(*) FROM peer_outbox WHERE state = 'pending'" 0 120 ||
    echo "peer: messages still pending at alashankou after 120 s" >&2
elapsed=$(($(now_ms) - start))

forwarded=$(border_sql alashankou "SELECT count(DISTINCT t.train_no) FROM trains t JOIN decisions d ON d.train_id = t.id WHERE d.final AND t.direction = 'export' AND t.train_no ~ $pattern")
outbox=$(border_sql alashankou "SELECT coalesce(string_agg(state || ' ' || n, ', '), 'none') FROM (SELECT state, count(*) n FROM peer_outbox WHERE type = 'pre_arrival' GROUP BY state ORDER BY state) s")
attempts=$(border_sql alashankou "SELECT coalesce(sum(attempts), 0) FROM peer_outbox WHERE type = 'pre_arrival'")
inbox=$(border_sql dostyk "SELECT count(*) || ' rows, ' || count(DISTINCT message_id) || ' message ids' FROM peer_inbox WHERE type = 'pre_arrival'")
arrived=$(border_sql dostyk "SELECT count(DISTINCT train_no) FROM trains WHERE train_no ~ $pattern")
duplicated=$(border_sql dostyk "SELECT count(*) FROM (
	SELECT train_no FROM trains WHERE train_no ~ $pattern
	GROUP BY train_no HAVING count(*) > 1
	UNION SELECT train_no FROM manifests WHERE source = 'peer'
	GROUP BY train_no HAVING count(*) > 1
	UNION SELECT t.train_no FROM events e JOIN trains t ON t.id = e.train_id
	WHERE e.type = 'neighbour' GROUP BY t.train_no HAVING count(*) > 1) d")
border_sql alashankou "SELECT DISTINCT t.train_no FROM trains t JOIN decisions d ON d.train_id = t.id WHERE d.final AND t.train_no ~ $pattern ORDER BY 1" > "$bwork/approved"
border_sql dostyk "SELECT DISTINCT train_no FROM trains WHERE train_no ~ $pattern ORDER BY 1" > "$bwork/arrived"
lost=$(comm -23 "$bwork/approved" "$bwork/arrived" | wc -l)
done_restarts=$(wc -l < "$bwork/restarts" 2>/dev/null || echo 0)
precleared=$(border_sql dostyk "SELECT count(*) FROM trains t JOIN manifests m ON m.id = t.manifest_id WHERE t.train_no ~ $pattern AND t.direction = 'import' AND m.source = 'peer' AND m.principal = 'alashankou'")

echo "peer: alashankou outbox pre_arrival: $outbox; $attempts attempts in all ($((attempts - forwarded)) retried after a failure)"
echo "peer: dostyk inbox pre_arrival: $inbox; $precleared trains as imports from alashankou"
[ "$lost" -eq 0 ] || echo "peer: lost: $(comm -23 "$bwork/approved" "$bwork/arrived" | tr '\n' ' ')"
awk -v f="$forwarded" -v a="$arrived" -v l="$lost" -v d="$duplicated" \
    -v r="$done_restarts" -v ms="$elapsed" 'BEGIN {
	printf "peer: %d trains forwarded, %d arrived, %d lost, %d duplicated, %d link restarts, %.1f s\n", f, a, l, d, r, ms / 1000 }'
[ "$lost" -eq 0 ] && [ "$duplicated" -eq 0 ] && [ "$forwarded" -eq "$trains" ] &&
    [ "$arrived" -eq "$trains" ]
