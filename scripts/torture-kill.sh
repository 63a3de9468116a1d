#!/bin/sh
# The daemon killed with SIGKILL at random moments (issue 10): CLIENTS
# clients post PER manifests each, with an Idempotency-Key per manifest
# and retries until they get an answer; an officer approves whatever is
# decided (release notices go to a receiver); meanwhile the daemon is
# killed KILLS times, at random, and restarted at once -- during
# ingestion, evaluation, approval and notice dispatch.  Then, from the
# final database and what the clients and the receiver recorded:
#   lost        a manifest answered 2xx that is not stored
#   duplicated  a train number stored as more than one run
#   twice       a train decided more than once from the same inputs
#   half        a refused manifest that a train points to
#   undecided   an accepted train with no decision
#   notices     notices not delivered, or delivered under an unknown id
#   restart     the slowest restart, to /readyz (must be under 5 s)
# Exits 1 on any violation.  SEED makes the kills and the trains
# repeatable (a run prints the command that repeats it).
#   torture-kill.sh BUILD [KILLS [CLIENTS [PER [SEED]]]]
set -eu
build=${1:-build}
kills=${2:-200}
clients=${3:-4}
per=${4:-250}
seed=${5:-$(date +%s)}
cd "$(dirname "$0")/.."
. scripts/testbed.sh
trap 'kill $lpid $approver 2>/dev/null || true; testbed_stop' EXIT INT TERM
lpid=""
approver=""
echo "torture: repeat with: sh scripts/torture-kill.sh $build $kills $clients $per $seed"
testbed_start "$build" "[notices]
retry_base_ms = 200
retry_max_seconds = 2
max_attempts = 1000
[evaluation]
lease_seconds = 3"
operator=$(testbed_token operator torture-operator)
officer=$(testbed_token officer torture-officer)
admin_token=$(testbed_token admin torture-admin)
secret=whsec_torturesecretforrailgatenotices
lport=$(testbed_free_port)
"$build/railgate" notices listen --port "$lport" --secret "$secret" \
	--public-key "$work/station-ed25519.pub.pem" > "$work/received.log" \
	2>/dev/null &
lpid=$!
sleep 0.3
curl -sf -X PUT -H "Authorization: Bearer $admin_token" \
	-d "{\"url\":\"http://127.0.0.1:$lport/n\",\"formats\":[\"json\"],\"secret\":\"$secret\"}" \
	"http://127.0.0.1:$port/v1/subscriptions/torture" > /dev/null

# Small trains, one per manifest, train numbers unique within the run.
mkdir -p "$work/m"
n=0
for c in $(seq 1 "$clients"); do
	for i in $(seq 1 "$per"); do
		n=$((n + 1))
		"$build/railgate" gen --wagons 3 --items 12 --seed $((seed % 100000 * 10000 + n)) \
			--format edifact -o "$work/m/$c-$i.edi"
	done
done

# A client: each manifest until it has an answer; "KEY STATUS" lines.
client() {	# NUMBER
	for i in $(seq 1 "$per"); do
		key="torture-$seed-$1-$i"
		tries=0
		while :; do
			st=0
			"$build/railgate" submit --token "$operator" --key "$key" \
				"http://127.0.0.1:$port" "$work/m/$1-$i.edi" \
				> /dev/null 2>&1 || st=$?
			[ "$st" = 69 ] || break
			tries=$((tries + 1))
			[ "$tries" -lt 300 ] || break
			sleep 0.1
		done
		echo "$key $st"
	done > "$work/client-$1.log"
}

# The officer: clears the document checks (which block an approval),
# then approves whatever has a provisional decision.
approve_loop() {
	while :; do
		testbed_sql "SELECT t.train_no || ' ' || w.number FROM wagons w
			JOIN trains t ON t.id = w.train_id WHERE w.action =
			'DOC_CHECK' AND w.resolution IS NULL AND NOT t.decision_final
			AND NOT t.eval_needed LIMIT 20" 2>/dev/null |
		while read -r t w; do
			curl -s -o /dev/null -X POST -H "Authorization: Bearer $officer" \
				-d '{"action":"release","reason":"documents seen"}' \
				"http://127.0.0.1:$port/v1/trains/$t/wagons/$w/resolution" || true
		done
		for t in $(testbed_sql "SELECT train_no FROM trains WHERE decision
			IS NOT NULL AND NOT decision_final AND NOT eval_needed
			AND state <> 'cancelled' LIMIT 20" 2>/dev/null); do
			curl -s -o /dev/null -X POST -H "Authorization: Bearer $officer" \
				-d '{"reason":"torture"}' \
				"http://127.0.0.1:$port/v1/trains/$t/approve" || true
		done
		sleep 0.3
	done
}

pids=""
for c in $(seq 1 "$clients"); do client "$c" & pids="$pids $!"; done
approve_loop &
approver=$!

# The killer: KILLS times, at a random moment, then the restart timed.
rng=$seed
slowest=0
for k in $(seq 1 "$kills"); do
	rng=$(( (rng * 1103515245 + 12345) % 2147483648 ))
	sleep "0.$(( rng % 6 + 1 ))"
	t0=$(date +%s%N)
	testbed_daemon_restart
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -le "$slowest" ] || slowest=$ms
done
# shellcheck disable=SC2086
wait $pids

# Quiet: everything decided, approved and delivered (two minutes at most).
for i in $(seq 1 600); do
	left=$(testbed_sql "SELECT (SELECT count(*) FROM trains WHERE eval_needed
		OR (decision IS NOT NULL AND NOT decision_final AND state <>
		'cancelled')) + (SELECT count(*) FROM notices WHERE state <>
		'delivered')")
	[ "$left" = 0 ] && break
	sleep 0.2
done
kill "$approver" 2>/dev/null || true

cat "$work"/client-*.log > "$work/answers"
posted=$(wc -l < "$work/answers")
accepted=$(awk '$2 == 0' "$work/answers" | wc -l)
refused=$(awk '$2 == 65' "$work/answers" | wc -l)
unanswered=$(awk '$2 != 0 && $2 != 65' "$work/answers" | wc -l)
awk '$2 == 0 {print $1}' "$work/answers" | sort > "$work/keys.accepted"
testbed_sql "SELECT idempotency_key FROM manifests WHERE accepted AND
	idempotency_key LIKE 'torture-%'" | sort > "$work/keys.stored"
lost=$(comm -23 "$work/keys.accepted" "$work/keys.stored" | wc -l)
duplicated=$(testbed_sql "SELECT count(*) FROM (SELECT train_no FROM trains
	GROUP BY train_no HAVING count(*) > 1) x")
twice=$(testbed_sql "SELECT count(*) FROM (SELECT train_id FROM decisions
	WHERE NOT final GROUP BY train_id, manifest_id, coalesce(last_event_id, 0)
	HAVING count(*) > 1) x")
half=$(testbed_sql "SELECT count(*) FROM trains t JOIN manifests m ON
	m.id = t.manifest_id WHERE NOT m.accepted")
undecided=$(testbed_sql "SELECT count(*) FROM trains WHERE decision IS NULL
	AND manifest_id IS NOT NULL")
total=$(testbed_sql "SELECT count(*) FROM notices")
grep ' signature=ok station=ok .* answer=2' "$work/received.log" | \
	awk '{print $1}' | sort -u > "$work/ids.got"
testbed_sql "SELECT id FROM notices ORDER BY id" > "$work/ids.db"
nlost=$(comm -23 "$work/ids.db" "$work/ids.got" | wc -l)
phantom=$(comm -13 "$work/ids.db" "$work/ids.got" | wc -l)
echo "torture: $kills kills; $posted manifests posted ($accepted accepted, $refused refused, $unanswered never answered); lost $lost, duplicated $duplicated, decided twice $twice, half-stored $half, undecided $undecided; $total notices, $nlost not delivered, $phantom unknown ids; slowest restart $slowest ms"
[ "$lost" = 0 ] && [ "$duplicated" = 0 ] && [ "$twice" = 0 ] && \
	[ "$half" = 0 ] && [ "$undecided" = 0 ] && [ "$nlost" = 0 ] && \
	[ "$phantom" = 0 ] && [ "$unanswered" = 0 ] && [ "$slowest" -lt 5000 ]
