# scripts/torture-lib.sh -- sourced by the reliability runs (issue 10):
# the clients, the officer and the verdict that torture-kill.sh (the
# daemon killed) and torture-pg.sh (PostgreSQL killed and paused) share.
# Needs scripts/testbed.sh sourced first.
#
#   torture_setup BUILD CLIENTS PER SEED [EXTRA_CONF]
#	a testbed, tokens, a notice receiver subscribed, and CLIENTS x PER
#	small generated manifests (train numbers unique within the run)
#   torture_clients       starts the clients; $tt_pids
#   torture_approver      starts the officer; $tt_approver
#   torture_quiet         waits (2 minutes at most) until everything is
#                         decided, approved and delivered
#   torture_verdict WHAT  prints the counts and fails on any violation:
#	lost        a manifest answered 2xx that is not stored
#	duplicated  a train number stored as more than one run
#	twice       a train decided more than once from the same inputs
#	half        a refused manifest that a train points to
#	undecided   an accepted train with no decision
#	notices     notices not delivered, or delivered under an unknown id
#	unanswered  a client that never had an answer (300 tries)

tt_lpid=""
tt_approver=""
tt_pids=""

torture_cleanup() {
	kill $tt_lpid $tt_approver 2>/dev/null || true
	testbed_stop
}

torture_setup() {	# BUILD CLIENTS PER SEED [EXTRA_CONF]
	tt_build=$1
	tt_clients=$2
	tt_per=$3
	tt_seed=$4
	testbed_start "$tt_build" "[notices]
allow_private_endpoints = yes
retry_base_ms = 200
retry_max_s = 2
max_attempts = 1000
[evaluation]
lease_s = 3
${5:-}"
	tt_operator=$(testbed_token operator torture-operator)
	tt_officer=$(testbed_token officer torture-officer)
	tt_admin=$(testbed_token admin torture-admin)
	tt_secret=whsec_torturesecretforrailgatenotices
	tt_lport=$(testbed_free_port)
	"$tt_build/railgate" notices listen --port "$tt_lport" \
		--secret "$tt_secret" \
		--public-key "$work/station-ed25519.pub.pem" \
		> "$work/received.log" 2>/dev/null &
	tt_lpid=$!
	sleep 0.3
	curl -sf -X PUT -H "Authorization: Bearer $tt_admin" \
		-d "{\"url\":\"http://127.0.0.1:$tt_lport/n\",\"formats\":[\"json\"],\"secret\":\"$tt_secret\"}" \
		"http://127.0.0.1:$port/v1/subscriptions/torture" > /dev/null
	mkdir -p "$work/m"
	tt_n=0
	for tt_c in $(seq 1 "$tt_clients"); do
		for tt_i in $(seq 1 "$tt_per"); do
			tt_n=$((tt_n + 1))
			"$tt_build/railgate" gen --wagons 3 --items 12 \
				--seed $((tt_seed % 100000 * 10000 + tt_n)) \
				--format edifact -o "$work/m/$tt_c-$tt_i.edi"
		done
	done
}

# A client: each manifest until it has an answer; "KEY STATUS" lines.
torture_client() {	# NUMBER
	for tc_i in $(seq 1 "$tt_per"); do
		tc_key="torture-$tt_seed-$1-$tc_i"
		tc_tries=0
		while :; do
			tc_st=0
			"$tt_build/railgate" submit --token "$tt_operator" \
				--key "$tc_key" "http://127.0.0.1:$port" \
				"$work/m/$1-$tc_i.edi" > /dev/null 2>&1 || tc_st=$?
			[ "$tc_st" = 69 ] || break
			tc_tries=$((tc_tries + 1))
			[ "$tc_tries" -lt 300 ] || break
			sleep 0.1
		done
		echo "$tc_key $tc_st"
	done > "$work/client-$1.log"
}

torture_clients() {
	for tt_c in $(seq 1 "$tt_clients"); do
		torture_client "$tt_c" &
		tt_pids="$tt_pids $!"
	done
}

# The officer: clears the document checks (which block an approval),
# then approves whatever has a provisional decision.
torture_approve_loop() {
	while :; do
		testbed_sql "SELECT t.train_no || ' ' || w.number FROM wagons w
			JOIN trains t ON t.id = w.train_id WHERE w.action =
			'DOC_CHECK' AND w.resolution IS NULL AND NOT t.decision_final
			AND NOT t.eval_needed LIMIT 20" 2>/dev/null |
		while read -r ta_t ta_w; do
			curl -s -o /dev/null -X POST -H "Authorization: Bearer $tt_officer" \
				-d '{"action":"release","reason":"documents seen"}' \
				"http://127.0.0.1:$port/v1/trains/$ta_t/wagons/$ta_w/resolution" || true
		done
		for ta_t in $(testbed_sql "SELECT train_no FROM trains WHERE decision
			IS NOT NULL AND NOT decision_final AND NOT eval_needed
			AND state <> 'cancelled' LIMIT 20" 2>/dev/null); do
			curl -s -o /dev/null -X POST -H "Authorization: Bearer $tt_officer" \
				-d '{"reason":"torture"}' \
				"http://127.0.0.1:$port/v1/trains/$ta_t/approve" || true
		done
		sleep 0.3
	done
}

torture_approver() {
	torture_approve_loop &
	tt_approver=$!
}

torture_quiet() {
	for tq_i in $(seq 1 600); do
		tq_left=$(testbed_sql "SELECT (SELECT count(*) FROM trains WHERE
			eval_needed OR (decision IS NOT NULL AND NOT decision_final
			AND state <> 'cancelled')) + (SELECT count(*) FROM notices
			WHERE state <> 'delivered')" 2>/dev/null || echo 1)
		[ "$tq_left" = 0 ] && break
		sleep 0.2
	done
	kill "$tt_approver" 2>/dev/null || true
}

torture_verdict() {	# WHAT (the faults, for the summary line)
	cat "$work"/client-*.log > "$work/answers"
	tv_posted=$(wc -l < "$work/answers")
	tv_accepted=$(awk '$2 == 0' "$work/answers" | wc -l)
	tv_refused=$(awk '$2 == 65' "$work/answers" | wc -l)
	tv_unanswered=$(awk '$2 != 0 && $2 != 65' "$work/answers" | wc -l)
	awk '$2 == 0 {print $1}' "$work/answers" | sort > "$work/keys.accepted"
	testbed_sql "SELECT idempotency_key FROM manifests WHERE accepted AND
		idempotency_key LIKE 'torture-%'" | sort > "$work/keys.stored"
	tv_lost=$(comm -23 "$work/keys.accepted" "$work/keys.stored" | wc -l)
	tv_dup=$(testbed_sql "SELECT count(*) FROM (SELECT train_no FROM trains
		GROUP BY train_no HAVING count(*) > 1) x")
	tv_twice=$(testbed_sql "SELECT count(*) FROM (SELECT train_id FROM
		decisions WHERE NOT final GROUP BY train_id, manifest_id,
		coalesce(last_event_id, 0) HAVING count(*) > 1) x")
	tv_half=$(testbed_sql "SELECT count(*) FROM trains t JOIN manifests m
		ON m.id = t.manifest_id WHERE NOT m.accepted")
	tv_undecided=$(testbed_sql "SELECT count(*) FROM trains WHERE decision
		IS NULL AND manifest_id IS NOT NULL")
	tv_total=$(testbed_sql "SELECT count(*) FROM notices")
	grep ' signature=ok station=ok .* answer=2' "$work/received.log" | \
		awk '{print $1}' | sort -u > "$work/ids.got"
	testbed_sql "SELECT id FROM notices ORDER BY id" > "$work/ids.db"
	tv_nlost=$(comm -23 "$work/ids.db" "$work/ids.got" | wc -l)
	tv_phantom=$(comm -13 "$work/ids.db" "$work/ids.got" | wc -l)
	echo "torture: $1; $tv_posted manifests posted ($tv_accepted accepted, $tv_refused refused, $tv_unanswered never answered); lost $tv_lost, duplicated $tv_dup, decided twice $tv_twice, half-stored $tv_half, undecided $tv_undecided; $tv_total notices, $tv_nlost not delivered, $tv_phantom unknown ids"
	[ "$tv_lost" = 0 ] && [ "$tv_dup" = 0 ] && [ "$tv_twice" = 0 ] && \
		[ "$tv_half" = 0 ] && [ "$tv_undecided" = 0 ] && \
		[ "$tv_nlost" = 0 ] && [ "$tv_phantom" = 0 ] && \
		[ "$tv_unanswered" = 0 ]
}
