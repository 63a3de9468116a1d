#!/bin/sh
# `make run`: the daemon on its embedded default, in the foreground.
#
#   scripts/run.sh [BUILD]   start (BUILD: the build directory, default build)
#   scripts/run.sh stop      stop a run left in the background (`make stop`)
#
# Starts a private PostgreSQL cluster under var/pg (unless etc/railgate.conf
# names a database), then railgated with a copy of etc/railgate.conf
# (var/railgate-run.conf) on http://127.0.0.1:8080/; on the first run it
# makes a token for each role, admin included (var/make-run-tokens, mode
# 0600, printed at every start with what each may do), officers' accounts
# to sign in with -- an officer, two supervisors (four eyes) and an
# auditor, each with a random password (var/make-run-officers, printed at
# every start) -- and submits the fixture trains, naming each one the
# daemon refuses and why.  Green trains are released by themselves after
# 60 s ([decision] auto_release = green, added to the run's copy unless
# etc/railgate.conf sets auto_release).
#
# Ctrl-C (or SIGTERM) stops the daemon, which drains first, and then the
# private cluster; its data stays under var/ for the next run.  A run left
# in the background (its shell gone) is stopped by `make stop`.
#
# RAILGATE_VAR (default var) puts every file of the run elsewhere and
# RAILGATE_LISTEN (default the configuration's) moves the daemon to
# another address: the system test (tests/system/test_make_run.c) runs
# this script in a private directory on a free port.
set -eu
cd "$(dirname "$0")/.."
var=${RAILGATE_VAR:-var}
conf=etc/railgate.conf
pidfile=$var/railgated.pid
runconf=$var/railgate-run.conf

# Values of the first "name = value" line for name in a file.
conf_value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$2" | head -n 1
}

# True when pid is this run's railgated: started on the run's copy of the
# configuration.  Not a pid reused since, and never another railgated
# (after a reboot, the station's own under systemd may have that pid).
is_railgated() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null &&
	    tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null |
	    sed -n '1s|.*/||p; 2,$p' | tr '\n' ' ' |
	    grep -qxF "railgated -c $runconf "
}

# Stops the private cluster, when this run has one; loud on failure.
stop_cluster() {
	[ -d "$var/pg" ] || return 0
	scripts/pgcluster.sh stop "$var/pg" ||
	    { echo "railgate: the private PostgreSQL under $var/pg did not stop" >&2; return 1; }
	echo "railgate: the private PostgreSQL under $var/pg stopped"
}

# `make stop`: the daemon of a run left in the background (SIGTERM: it
# drains), then the cluster.
stop_run() {
	pid=$(cat "$pidfile" 2>/dev/null || true)
	if is_railgated "$pid"; then
		kill -TERM "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "railgate: the daemon (pid $pid) did not stop within 30 s" >&2
			exit 1
		fi
		echo "railgate: the daemon (pid $pid) stopped"
	else
		echo "railgate: no daemon of make run is running ($pidfile)"
	fi
	rm -f "$pidfile"
	stop_cluster
}

if [ "${1:-}" = stop ]; then
	stop_run
	exit 0
fi
build=${1:-build}
mkdir -p "$var"
# One run of a directory at a time: a second started meanwhile (before
# the first wrote its pid file) would start the same cluster, fail to
# listen on the same address, and stop the first one's cluster.  The
# lock is held by this shell and the daemon (descriptor 9), never by
# the cluster's server, which outlives neither.
exec 9>> "$var/run.lock"
if ! flock -n 9; then
	echo "railgate: another make run is starting or running on $var; make stop stops it" >&2
	exit 1
fi
if is_railgated "$(cat "$pidfile" 2>/dev/null || true)"; then
	echo "railgate: a daemon of make run is already running (pid $(cat "$pidfile")); make stop stops it" >&2
	exit 1
fi

# The run's copy of the configuration ($runconf): its state under $var,
# the private cluster's DSN when etc/railgate.conf names no database.
dsn=$(conf_value dsn "$conf")
admin_dsn=$(conf_value admin_dsn "$conf")
private=
if [ -z "$dsn" ]; then
	echo "railgate: starting the private PostgreSQL cluster under $var/pg"
	admin_dsn=$(scripts/pgcluster.sh start "$var/pg" 9>&-)
	private=yes
	# Interrupted before the daemon runs: the cluster stops all the same.
	trap 'stop_cluster; exit 130' INT
	trap 'stop_cluster; exit 143' TERM
	# The daemon runs as railgate_app (created by the first migration),
	# which can append to the audit log but never rewrite it.
	dsn=$(printf '%s' "$admin_dsn" | sed 's/user=postgres/user=railgate_app/')
fi
listen=${RAILGATE_LISTEN:-$(conf_value listen "$conf")}
listen=${listen:-127.0.0.1:8080}
# The copy is the owner's alone (its DSN may hold a password).
(umask 077 && sed -e "s|^[[:space:]]*state_dir[[:space:]]*=.*|state_dir = $var|" \
    -e "s|^[[:space:]]*listen[[:space:]]*=.*|listen = $listen|" \
    "$conf" > "$runconf.new")
if [ -n "$private" ]; then
	sed -i -e "s|^[[:space:]]*dsn[[:space:]]*=.*|dsn = $dsn\nadmin_dsn = $admin_dsn|" \
	    "$runconf.new"
fi
# Green trains go by themselves here, a minute after their decision, so
# that the demonstration shows it; the daemon's default is off.
if ! grep -q '^[[:space:]]*auto_release[[:space:]]*=' "$conf"; then
	printf '\n[decision]\nauto_release = green\nauto_release_delay_s = 60\n' \
		>> "$runconf.new"
fi
mv "$runconf.new" "$runconf"

# The daemon in the background while the fixtures go in, then waited for,
# in a session of its own: Ctrl-C (the terminal's SIGINT to this script's
# process group) or a SIGTERM reaches this script, which passes the same
# signal on to the daemon exactly once (a second would stop it without
# finishing its work in progress), waits for it, then stops the cluster.
setsid "$build/railgated" -c "$runconf" &
pid=$!
echo "$pid" > "$pidfile"
finish() {
	trap '' INT TERM
	kill -"$1" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$pidfile"
	status=0
	[ -z "$private" ] || stop_cluster || status=1
	exit $status
}
trap 'finish INT' INT
trap 'finish TERM' TERM
for i in $(seq 1 150); do
	curl -sf "http://$listen/readyz" > /dev/null 2>&1 && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "railgate: the daemon did not start" >&2
		rm -f "$pidfile"
		[ -z "$private" ] || stop_cluster || true
		exit 1
	fi
	sleep 0.1
done

# Tokens for trying it out, one per role, kept under $var (mode 0600);
# a role missing from the file (one made before admin was added) is made.
tokens=$var/make-run-tokens
if [ -n "$admin_dsn" ]; then
	umask 077
	touch "$tokens"
	# An admin's token may be added: the file is the owner's alone, even
	# when an older one was opened to others.
	chmod 600 "$tokens"
	for role in operator officer supervisor auditor admin; do
		grep -q "^$role=" "$tokens" && continue
		set -- --role "$role" --name "make-run-$role"
		[ "$role" != operator ] || set -- "$@" --carrier KZ-KTZE \
		    --carrier CN-CRCT --carrier MN-UBTZ --carrier RU-RZD \
		    --carrier VN-VNR
		t=$("$build/railgate" token create --dsn "$admin_dsn" "$@") ||
		    { echo "railgate: no $role token made" >&2; continue; }
		echo "$role=$t" >> "$tokens"
	done
fi
token() { sed -n "s/^$1=//p" "$tokens" 2>/dev/null || true; }
operator=$(token operator)
officer=$(token officer)

# Officers' accounts to sign in to the console with (name, role, display
# name, language or "-" for the browser's), once; the passwords are
# random, kept under $var (mode 0600) and printed below.
officers=$var/make-run-officers
if [ ! -s "$officers" ] && [ -n "$admin_dsn" ]; then
	umask 077
	: > "$officers.new"
	while read -r name role lang display; do
		pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
		set -- --role "$role" --display "$display"
		[ "$lang" = "-" ] || set -- "$@" --language "$lang"
		if printf '%s\n' "$pw" | "$build/railgate" officer add "$name" "$@" \
		    --dsn "$admin_dsn" > /dev/null; then
			printf '%-10s %-10s %s  (%s)\n' "$name" "$pw" "$role" \
			    "$display" >> "$officers.new"
		fi
	done <<ACCOUNTS
o.wang officer - Wang Lei
s.li supervisor zh-Hans Li Na
s.petrov supervisor ru Sergei Petrov
a.chen auditor - Chen Jing
ACCOUNTS
	mv "$officers.new" "$officers"
fi

# The first string field name of a compact JSON object, as jansson
# writes it ("name":"value"), its \" unescaped.
json_field() {
	sed "s/\"$1\":/\\n/" | sed -n 2p |
	    sed -n 's/^ *"\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\"/"/g'
}

# Submits fixture f as the operator; counts it loaded or refused, naming
# a refused one with the daemon's problem document.
submit_fixture() {
	total=$((total + 1))
	case $1 in *.xml) type=application/xml ;; *) type=application/EDIFACT ;; esac
	code=$(curl -s -o "$var/submit.out" -w '%{http_code}' \
	    -H "Authorization: Bearer $operator" -H "Content-Type: $type" \
	    --data-binary "@$1" "http://$listen/v1/manifests" || true)
	case $code in
	2??) loaded=$((loaded + 1)); return ;;
	esac
	refused=$((refused + 1))
	body=$(cat "$var/submit.out" 2>/dev/null || true)
	title=$(printf '%s' "$body" | json_field title)
	detail=$(printf '%s' "$body" | json_field detail)
	field=$(printf '%s' "$body" | json_field field)
	# The first error the parser reported, with its place.
	error=$(printf '%s' "$body" | sed 's/"severity":"error"/\n&/' | sed -n 2p)
	where=$(printf '%s' "$error" | json_field where)
	message=$(printf '%s' "$error" | json_field message)
	echo "railgate: fixture $1 refused: $code ${title:-(no answer)}: ${detail:-$body}${field:+ (field $field)}${where:+; at $where: $message}"
}

# The fixture trains, once: the console has something to show.  Each one
# the daemon refuses is named with its problem document's title, detail
# and place (three name no carrier, so no operator's token may send them).
if [ -n "$operator" ] && [ ! -e "$var/fixtures-loaded" ]; then
	loaded=0 refused=0 total=0
	# A replacement and a cancellation after the train they change.
	for f in fixtures/edifact/*.edi; do
		case $f in
		*_replace.edi | *_cancel.edi) ;;
		*) submit_fixture "$f" ;;
		esac
	done
	for f in fixtures/edifact/cuscar_replace.edi \
	    fixtures/edifact/cuscar_cancel.edi \
	    fixtures/xml/ecommerce_horgos_export.xml; do
		submit_fixture "$f"
	done
	rm -f "$var/submit.out"
	echo "railgate: $total fixture trains: $loaded submitted, $refused refused"
	touch "$var/fixtures-loaded"
fi

# The tokens with what each may do (docs/api.md has the table of routes).
role_can() {
	case $1 in
	operator) echo "submit manifests, send train events, upload documents, read its carriers' trains" ;;
	officer) echo "read trains, take them, resolve wagons, approve, accept documents, redeliver notices" ;;
	supervisor) echo "an officer's work, and the second pair of eyes: overrides, proposals, screening clearances" ;;
	auditor) echo "read trains, verify the audit log, replay, reports, evidence bundles; change nothing" ;;
	admin) echo "register, list and delete webhook subscriptions (/v1/subscriptions)" ;;
	esac
}

cat <<MSG
railgate: database   $dsn
railgate: console    http://$listen/   sign in as (name, password, role):
$(sed 's/^/railgate:              /' "$officers" 2>/dev/null || true)
railgate: accounts   $officers; more with: $build/railgate officer add NAME --role ROLE -c $runconf
railgate: tokens     $tokens (Authorization: Bearer TOKEN):
$(while IFS='=' read -r role t; do printf 'railgate:   %-10s %s\nrailgate:              %s\n' "$role" "$t" "$(role_can "$role")"; done < "$tokens" 2>/dev/null || true)
railgate: submit     $build/railgate submit --token ${operator:-TOKEN} http://$listen fixtures/edifact/cuscar_s3_alashankou.edi
railgate: trains     curl -H "Authorization: Bearer ${officer:-TOKEN}" http://$listen/v1/trains
railgate: stop with Ctrl-C (the daemon, then the private PostgreSQL); a run left in the background: make stop
MSG
wait "$pid" || true
# The daemon stopped by itself (not through a signal to this script).
rm -f "$pidfile"
[ -z "$private" ] || stop_cluster
