#!/bin/sh
# The neighbouring customs link, shown end to end (make demo-border):
# two daemons, alashankou (China) and dostyk (Kazakhstan), each with its
# own private PostgreSQL cluster, certificates and signing keys
# (scripts/border-pki.sh), configured as each other's neighbour on
# 127.0.0.1.  An export train is submitted and approved at alashankou,
# goes to dostyk as a pre-arrival manifest, is decided there with the
# neighbour's seals, approved, and its release is acknowledged back.
#
#   demo-border.sh [BUILD]          run the demo (build dir, default build)
#   demo-border.sh --stop DIR       stop a demo left running by DEMO_KEEP=1
#
# DEMO_KEEP=1 leaves both daemons and clusters running at the end (or at
# a failure) for a human to explore; the script prints their ports,
# tokens and how to stop them.  Without it everything is stopped and
# removed.  Exits non-zero when any step fails.
#
# Sourced with BORDER_LIB=1 (bench/peer.sh) it only defines the border_*
# functions:
#   border_start BUILD PORTS   PORTS "fixed" (API 8081/8082, link
#                              8443/8444 when free) or "free"; sets $bwork
#   border_daemon_start NAME   starts NAME's railgated, waits until ready
#   border_daemon_kill NAME    SIGKILL, as a crash would
#   border_sql NAME SQL        a query on NAME's database, unaligned
#   border_api NAME METHOD PATH TOKEN [CURL ARGS...]   the body; status in
#                              $bwork/status
#   border_token NAME ROLE WHO prints a new token
#   border_stop                stops everything, removes $bwork (KEEP=1:
#                              keeps the directory)
set -eu

# The first free port from the list; else a random free one below the
# kernel's ephemeral range (32768 up), which outgoing connections take.
border_free_port() {
	for p in "$@"; do
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	while :; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
		[ -n "$(ss -Htan "sport = :$p" 2>/dev/null)" ] || { echo "$p"; return 0; }
	done
}

# The directory of side NAME.
border_dir() {
	echo "$bwork/$1"
}

# One side: cluster, schema, configuration with the [peer] section naming
# OTHER, daemon.  NAME OTHER API_PORT LINK_PORT OTHER_LINK_PORT
border_side_start() {
	d=$(border_dir "$1")
	mkdir -p "$d"
	chmod 755 "$d"
	admin=$(scripts/pgcluster.sh start "$d/pg")
	app=$(printf '%s' "$admin" | sed 's/user=postgres/user=railgate_app/')
	"$bbuild/railgate" db migrate --dsn "$admin" > /dev/null
	printf '%s\n' "$admin" > "$d/admin"
	echo "$3" > "$d/port"
	cat > "$d/railgate.conf" <<CONF
# $1: one side of the border demo (scripts/demo-border.sh)
[daemon]
listen = 127.0.0.1:$3
state_dir = $d
log_level = info
[database]
dsn = $app
admin_dsn = $admin
connections = 8
[peer]
name = $1
neighbour = $2
url = https://127.0.0.1:$5
listen = 127.0.0.1:$4
cert_file = $bwork/pki/$1/cert.pem
key_file = $bwork/pki/$1/key.pem
ca_file = $bwork/pki/$2/ca.pem
public_key = $bwork/pki/$2/signing.pub.pem
signing_key = $bwork/pki/$1/signing.pem
retry_base_ms = ${BORDER_RETRY_MS:-100}
retry_max_s = ${BORDER_RETRY_MAX_S:-1}
CONF
	border_daemon_start "$1"
}

border_daemon_start() {
	d=$(border_dir "$1")
	port=$(cat "$d/port")
	"$bbuild/railgated" -c "$d/railgate.conf" >> "$d/daemon.log" 2>&1 &
	echo $! > "$d/pid"
	for _ in $(seq 1 150); do
		curl -sf "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && return 0
		kill -0 "$(cat "$d/pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "border: $1's daemon did not start; its log:" >&2
	tail -n 20 "$d/daemon.log" >&2
	return 1
}

border_daemon_kill() {
	d=$(border_dir "$1")
	[ -f "$d/pid" ] || return 0
	kill -9 "$(cat "$d/pid")" 2>/dev/null || true
	wait "$(cat "$d/pid")" 2>/dev/null || true
	rm -f "$d/pid"
}

# SIGTERM, and wait (up to 20 s) until it has gone; then SIGKILL.
border_daemon_stop() {
	d=$(border_dir "$1")
	[ -f "$d/pid" ] || return 0
	p=$(cat "$d/pid")
	kill "$p" 2>/dev/null || { rm -f "$d/pid"; return 0; }
	for _ in $(seq 1 200); do
		# A child of this shell stays a zombie until it is waited for.
		[ "$(ps -o stat= -p "$p" 2>/dev/null | cut -c1)" = Z ] && break
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	rm -f "$d/pid"
}

border_sql() {
	psql -qAt "$(cat "$(border_dir "$1")/admin")" -c "$2"
}

border_token() {
	if [ "$2" = operator ]; then
		set -- "$@" --carrier KZ-KTZE --carrier CN-CRCT --carrier MN-UBTZ \
			--carrier RU-RZD --carrier VN-VNR
	fi
	bt_dsn=$(cat "$(border_dir "$1")/admin")
	bt_role=$2 bt_name=$3
	shift 3
	"$bbuild/railgate" token create --dsn "$bt_dsn" --role "$bt_role" \
		--name "$bt_name" "$@"
}

border_api() {
	ba_port=$(cat "$(border_dir "$1")/port")
	ba_method=$2
	ba_path=$3
	ba_token=$4
	shift 4
	curl -s -o "$bwork/body" -w '%{http_code}' -X "$ba_method" \
		-H "Authorization: Bearer $ba_token" "$@" \
		"http://127.0.0.1:$ba_port$ba_path" > "$bwork/status" || true
	cat "$bwork/body"
}

# Keys, certificates, both clusters and both daemons.
border_start() {
	bbuild=$1
	bwork=$(mktemp -d /tmp/railgate-border.XXXXXX)
	chmod 755 "$bwork"
	scripts/border-pki.sh "$bwork/pki" alashankou dostyk
	if [ "$2" = fixed ]; then
		api_a=$(border_free_port 8081)
		api_d=$(border_free_port 8082)
		link_a=$(border_free_port 8443)
		link_d=$(border_free_port 8444)
	else
		api_a=$(border_free_port)
		api_d=$(border_free_port)
		link_a=$(border_free_port)
		link_d=$(border_free_port)
	fi
	border_side_start alashankou dostyk "$api_a" "$link_a" "$link_d"
	border_side_start dostyk alashankou "$api_d" "$link_d" "$link_a"
}

border_stop() {
	[ -n "${bwork:-}" ] && [ -d "$bwork" ] || return 0
	for n in alashankou dostyk; do
		border_daemon_stop "$n"
	done
	for n in alashankou dostyk; do
		if [ -d "$bwork/$n/pg" ]; then
			scripts/pgcluster.sh stop "$bwork/$n/pg" > /dev/null 2>&1 || true
		fi
	done
	[ -n "${KEEP:-}" ] || rm -rf "$bwork"
}

# --- the demo ------------------------------------------------------------

say() {
	printf '\n==> %s\n' "$*"
}

fail() {
	echo "demo-border: FAILED: $*" >&2
	for n in alashankou dostyk; do
		echo "--- the end of $n's log ($bwork/$n/daemon.log):" >&2
		tail -n 15 "$bwork/$n/daemon.log" >&2 2>/dev/null || true
	done
	exit 1
}

# Polls SQL on NAME until it prints WANT; fails after SECONDS (15).
wait_sql() {
	for _ in $(seq 1 $((${4:-15} * 10))); do
		[ "$(border_sql "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.1
	done
	fail "$1: $2 gave '$(border_sql "$1" "$2" 2>&1)', not '$3'"
}

# Checks the status of the last border_api call.
want_status() {
	[ "$(cat "$bwork/status")" = "$1" ] ||
	    fail "$2: HTTP $(cat "$bwork/status"), not $1: $(cat "$bwork/body")"
}

demo_exit() {
	rc=$?
	if [ -n "${DEMO_KEEP:-}" ]; then
		[ "$rc" -eq 0 ] || echo "demo-border: DEMO_KEEP=1: left running for a look" >&2
		return
	fi
	border_stop
}

demo() {
	build=${1:-build}
	for tool in curl jq psql ss; do
		command -v "$tool" > /dev/null ||
		    { echo "demo-border: $tool is needed (scripts/deps.sh)" >&2; exit 69; }
	done
	[ -x "$build/railgated" ] ||
	    { echo "demo-border: no $build/railgated (make all)" >&2; exit 66; }
	trap demo_exit EXIT
	trap 'exit 130' INT TERM

	say "Keys and certificates for both services (scripts/border-pki.sh): a CA, a TLS certificate and an Ed25519 signing key each"
	border_start "$build" fixed
	a_port=$(cat "$bwork/alashankou/port")
	d_port=$(cat "$bwork/dostyk/port")
	echo "    $bwork/pki/{alashankou,dostyk}/{ca.pem,cert.pem,key.pem,signing.pem,signing.pub.pem}"
	echo "    alashankou: API http://127.0.0.1:$a_port, link $(sed -n 's/^listen = \(.*:[0-9]*\)$/\1/p' "$bwork/alashankou/railgate.conf" | tail -n 1) -> dostyk $(sed -n 's|^url = ||p' "$bwork/alashankou/railgate.conf")"
	echo "    dostyk:     API http://127.0.0.1:$d_port, link $(sed -n 's/^listen = \(.*:[0-9]*\)$/\1/p' "$bwork/dostyk/railgate.conf" | tail -n 1) -> alashankou $(sed -n 's|^url = ||p' "$bwork/dostyk/railgate.conf")"
	echo "    each with its own PostgreSQL cluster ($bwork/{alashankou,dostyk}/pg)"
	for n in alashankou dostyk; do
		grep -q "peer: link $n <-> " "$bwork/$n/daemon.log" ||
		    fail "$n's log does not show the link"
	done
	echo "    both daemons up; each pins the other's CA and public key"

	a_operator=$(border_token alashankou operator ktzh.operator)
	a_officer=$(border_token alashankou officer li.wei)
	d_officer=$(border_token dostyk officer a.nurlanov)

	say "alashankou: the railway operator submits export train X9403 (fixtures/xml/cuscar_s4_unoy.xml)"
	body=$(border_api alashankou POST /v1/manifests "$a_operator" \
		-H 'Content-Type: application/xml' \
		--data-binary @fixtures/xml/cuscar_s4_unoy.xml)
	want_status 202 "POST /v1/manifests at alashankou"
	echo "    202 Accepted: $body"
	wait_sql alashankou "SELECT count(*) FROM trains WHERE train_no = 'X9403' AND decision IS NOT NULL AND NOT eval_needed" 1
	body=$(border_api alashankou GET /v1/trains/X9403/decision "$a_officer")
	want_status 200 "GET /v1/trains/X9403/decision at alashankou"
	echo "    alashankou's provisional decision: $(printf '%s' "$body" | jq -c '{decision, final, wagons: [.wagons[]? | {position, wagon, action}]}' 2>/dev/null || printf '%s' "$body")"

	say "alashankou: an officer approves the export release"
	body=$(border_api alashankou POST /v1/trains/X9403/approve "$a_officer" \
		-H 'Content-Type: application/json' \
		--data '{"reason": "export documents and seals checked; released for export to Dostyk"}')
	want_status 200 "POST /v1/trains/X9403/approve at alashankou"
	echo "    200: $(printf '%s' "$body" | jq -c '{decision, final}' 2>/dev/null || printf '%s' "$body")"

	say "alashankou -> dostyk: the final export release queues a pre_arrival message (signed, gzip, mutual TLS)"
	wait_sql alashankou "SELECT o.state FROM peer_outbox o JOIN trains t ON t.id = o.train_id WHERE t.train_no = 'X9403' AND o.type = 'pre_arrival'" sent
	border_sql alashankou "SELECT '    outbox: ' || type || ' ' || message_id || ' ' || state || ' after ' || attempts || ' attempt(s), ' || length(body) || ' bytes gzip' FROM peer_outbox WHERE type = 'pre_arrival'"
	pre=$(border_sql alashankou "SELECT message_id FROM peer_outbox WHERE type = 'pre_arrival'")

	say "dostyk: the train arrives pre-cleared, as an import from the neighbour"
	wait_sql dostyk "SELECT count(*) FROM trains WHERE train_no = 'X9403' AND decision IS NOT NULL AND NOT eval_needed" 1
	border_sql dostyk "SELECT '    inbox: ' || type || ' ' || message_id || ' from ' || sender FROM peer_inbox"
	body=$(border_api dostyk GET /v1/trains/X9403 "$d_officer")
	want_status 200 "GET /v1/trains/X9403 at dostyk"
	echo "    GET /v1/trains/X9403 at dostyk:"
	printf '%s' "$body" | jq -c 'del(.wagons, .links, ._links)' 2>/dev/null | sed 's/^/      /' ||
	    printf '      %s\n' "$body"
	[ "$(border_sql dostyk "SELECT t.direction || '/' || m.source || '/' || m.principal FROM trains t JOIN manifests m ON m.id = t.manifest_id WHERE t.train_no = 'X9403'")" = import/peer/alashankou ] ||
	    fail "dostyk's train X9403 is not an import from the peer alashankou"
	echo "    direction/source/principal: import/peer/alashankou"
	body=$(border_api dostyk GET /v1/trains/X9403/decision "$d_officer")
	want_status 200 "GET /v1/trains/X9403/decision at dostyk"
	outcome=$(printf '%s' "$body" | jq -r .decision)
	echo "    dostyk's decision: $outcome"
	printf '%s' "$body" | jq -c '{decision, final, counts, train_hits, wagons}' 2>/dev/null | sed 's/^/      /' || true
	echo "    the neighbour event (alashankou's seals and controls, which dostyk's rules read):"
	border_sql dostyk "SELECT '      ' || e.principal || ': ' || e.body::text FROM events e JOIN trains t ON t.id = e.train_id WHERE t.train_no = 'X9403' AND e.type = 'neighbour'"
	[ -n "$(border_sql dostyk "SELECT 1 FROM events e JOIN trains t ON t.id = e.train_id WHERE t.train_no = 'X9403' AND e.type = 'neighbour'")" ] ||
	    fail "dostyk has no neighbour event for X9403"
	[ "$outcome" = RELEASE ] || fail "dostyk's decision is $outcome, not RELEASE (pre-cleared)"

	say "dostyk: an officer approves; the final decision queues a release_ack back to alashankou"
	body=$(border_api dostyk POST /v1/trains/X9403/approve "$d_officer" \
		-H 'Content-Type: application/json' \
		--data '{"reason": "pre-cleared by Alashankou customs, seals intact; released"}')
	want_status 200 "POST /v1/trains/X9403/approve at dostyk"
	echo "    200: $(printf '%s' "$body" | jq -c '{decision, final}' 2>/dev/null || printf '%s' "$body")"
	wait_sql dostyk "SELECT state FROM peer_outbox WHERE type = 'release_ack'" sent

	say "alashankou: the release acknowledgement arrives"
	wait_sql alashankou "SELECT count(*) FROM peer_inbox WHERE type = 'release_ack' AND envelope->>'ack_of' = '$pre' AND envelope->>'decision' = 'RELEASE'" 1
	border_sql alashankou "SELECT '    inbox: release_ack ' || message_id || ' from ' || sender || ': ' || envelope::text FROM peer_inbox WHERE type = 'release_ack'"
	echo "    it acknowledges pre_arrival $pre: train X9403 released at dostyk"

	say "The link as each daemon counts it (GET /metrics)"
	for n in alashankou dostyk; do
		echo "    $n: $(curl -s "http://127.0.0.1:$(cat "$bwork/$n/port")/metrics" |
		    grep '^railgate_peer_' | sed 's/^railgate_peer_//' | tr '\n' ' ')"
	done

	say "Done: X9403 released for export at alashankou, pre-cleared and released at dostyk, acknowledged back"
	if [ -n "${DEMO_KEEP:-}" ]; then
		cat <<EOF

Both daemons are still running (DEMO_KEEP=1):
  alashankou  http://127.0.0.1:$a_port/   officer token $a_officer
              operator token $a_operator
  dostyk      http://127.0.0.1:$d_port/   officer token $d_officer
  logs        $bwork/alashankou/daemon.log  $bwork/dostyk/daemon.log
  databases   psql "$(cat "$bwork/alashankou/admin")"
              psql "$(cat "$bwork/dostyk/admin")"
  try         curl -s -H 'Authorization: Bearer $d_officer' http://127.0.0.1:$d_port/v1/trains/X9403 | jq .
Stop them:    sh scripts/demo-border.sh --stop $bwork
EOF
	fi
}

if [ -z "${BORDER_LIB:-}" ]; then
	cd "$(dirname "$0")/.."
	if [ "${1:-}" = --stop ]; then
		{ [ -n "${2:-}" ] && [ -d "$2/alashankou" ]; } ||
		    { echo "usage: $0 --stop DIR" >&2; exit 64; }
		bwork=$2
		border_stop
		echo "demo-border: stopped; $bwork removed"
		exit 0
	fi
	demo "$@"
fi
