#!/bin/sh
# Release-notice fault trials (issue 7): notices are dispatched to a
# receiver (`railgate notices listen`) while
#   kill      the daemon is killed with SIGKILL at a random moment and
#             restarted,
#   down      the receiver is down for DOWN_S seconds,
#   errors    the receiver answers 500 for DOWN_S seconds,
# TRIALS times each, NOTICES notices a trial.  Afterwards every notice in
# the outbox must have reached the receiver (0 lost) and be delivered;
# repeats are counted, and every repeat carries its notice's one id (the
# receiver deduplicates on it).  Prints the figures; exits 1 on a loss.
#   notice-trials.sh BUILD [TRIALS [DOWN_S [NOTICES]]]
set -eu
build=${1:-build}
trials=${2:-20}
down=${3:-60}
per=${4:-100}
cd "$(dirname "$0")/.."
. scripts/testbed.sh
trap 'kill $lpid 2>/dev/null || true; testbed_stop' EXIT INT TERM
lpid=""
testbed_start "$build" "[notices]
allow_private_endpoints = yes
retry_base_ms = 200
retry_max_s = 2
max_attempts = 1000"
secret=whsec_trialsecretforrailgatenotices
lport=$(testbed_free_port)
[ "$lport" != "$port" ] || lport=$(testbed_free_port)
log=$work/received.log

listener_start() {	# STATUS
	"$build/railgate" notices listen --port "$lport" --secret "$secret" \
		--public-key "$work/station-ed25519.pub.pem" --status "$1" \
		>> "$log" 2>/dev/null &
	lpid=$!
	sleep 0.2
}
listener_stop() {
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" 2>/dev/null || true
}

admin_token=$(testbed_token admin trials-admin)
curl -sf -X PUT -H "Authorization: Bearer $admin_token" \
	-d "{\"url\":\"http://127.0.0.1:$lport/notices\",\"formats\":[\"json\"],\"secret\":\"$secret\"}" \
	"http://127.0.0.1:$port/v1/subscriptions/trials" > /dev/null
# One train with a final decision to hang notices on (as if approved).
testbed_sql "WITH t AS (INSERT INTO trains (train_no, run, state) VALUES
	('T0001', 1, 'released') RETURNING id),
  r AS (INSERT INTO rulesets (sha256, name, files_z) VALUES
	(repeat('0', 64), 'trials', '') ON CONFLICT DO NOTHING RETURNING 1),
  m AS (INSERT INTO manifests (sha256, raw_z, raw_size, format, source,
	principal, accepted) VALUES (repeat('1', 64), '', 0, 'edifact', 'http',
	'trials', true) RETURNING id)
  INSERT INTO decisions (train_id, document, outcome, final, ruleset_sha256,
	manifest_id, made_by)
  SELECT t.id, '{\"train\":\"T0001\",\"decision\":\"RELEASE\",\"final\":true}',
	'RELEASE', true, repeat('0', 64), m.id, 'trials' FROM t, m" > /dev/null

enqueue() {	# N notices
	testbed_sql "SELECT count(notices_enqueue(d.train_id, d.id)) FROM
		decisions d, generate_series(1, $1) WHERE d.made_by = 'trials'" \
		> /dev/null
}
wait_delivered() {	# seconds
	for i in $(seq 1 $(($1 * 10))); do
		[ "$(testbed_sql "SELECT count(*) FROM notices WHERE state <> 'delivered'")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

listener_start 200
# Speed: 1,000 notices, enqueued at once, until the last is delivered.
t0=$(date +%s.%N)
enqueue 1000
wait_delivered 120 || true
t1=$(date +%s.%N)
echo "notices: 1000 dispatched and acknowledged in $(echo "$t1 - $t0" | bc | cut -c1-5) s"

failed=0
for kind in kill down errors; do
	for t in $(seq 1 "$trials"); do
		enqueue "$per"
		case $kind in
		kill)
			sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
			testbed_daemon_restart ;;
		down)
			listener_stop; sleep "$down"; listener_start 200 ;;
		errors)
			listener_stop; listener_start 500; sleep "$down"
			listener_stop; listener_start 200 ;;
		esac
		wait_delivered 120 || { echo "notices: $kind trial $t: not all delivered"; failed=1; }
	done
	echo "notices: $trials '$kind' trials of $per notices done"
done

total=$(testbed_sql "SELECT count(*) FROM notices")
delivered=$(testbed_sql "SELECT count(*) FROM notices WHERE state = 'delivered'")
grep ' signature=ok station=ok .* answer=2' "$log" | awk '{print $1}' | sort -u > "$work/ids.got"
testbed_sql "SELECT id FROM notices ORDER BY id" > "$work/ids.db"
lost=$(comm -23 "$work/ids.db" "$work/ids.got" | wc -l)
# Received more than once with a 2xx: what the receiver deduplicates.
repeats=$(grep ' answer=2' "$log" | awk '{print $1}' | sort | uniq -d | wc -l)
bad=$(grep -c -v ' signature=ok station=ok ' "$log" || true)
echo "notices: $total notices, $delivered delivered, $lost lost, $repeats acknowledged more than once (each time under its one id), $bad with a bad signature"
[ "$lost" = 0 ] && [ "$failed" = 0 ] && [ "$bad" = 0 ]
