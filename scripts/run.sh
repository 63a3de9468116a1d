#!/bin/sh
# `make run`: the daemon on its embedded default, in the foreground.
#
# Starts a private PostgreSQL cluster under var/pg (unless etc/railgate.conf
# names a database), then railgated with etc/railgate.conf on
# http://127.0.0.1:8080/; on the first run it makes tokens for each role
# (var/make-run-tokens), officers' accounts to sign in with, an officer,
# two supervisors (four eyes) and an auditor, each with a random password
# (var/make-run-officers, printed at every start), and submits the
# fixture trains.  Green trains are released by themselves after 60 s
# ([decision] auto_release = green, added to the run's copy of the
# configuration unless etc/railgate.conf sets auto_release).  Ctrl-C stops the
# daemon; the cluster keeps its data under var/ for the next run
# (`scripts/pgcluster.sh stop var/pg`).
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p var
conf=etc/railgate.conf

dsn=$(sed -n 's/^[[:space:]]*dsn[[:space:]]*=[[:space:]]*//p' "$conf" | head -n 1)
runconf=$conf
if [ -z "$dsn" ]; then
	echo "railgate: starting the private PostgreSQL cluster under var/pg"
	admin=$(scripts/pgcluster.sh start var/pg)
	# The daemon runs as railgate_app (created by the first migration),
	# which can append to the audit log but never rewrite it.
	dsn=$(printf '%s' "$admin" | sed 's/user=postgres/user=railgate_app/')
	runconf=var/railgate-run.conf
	sed -e "s|^[[:space:]]*dsn[[:space:]]*=.*|dsn = $dsn\nadmin_dsn = $admin|" \
		"$conf" > "$runconf"
fi
# Green trains go by themselves here, a minute after their decision, so
# that the demonstration shows it; the daemon's default is off.
if ! grep -q '^[[:space:]]*auto_release[[:space:]]*=' "$conf"; then
	[ "$runconf" != "$conf" ] || cp "$conf" var/railgate-run.conf
	runconf=var/railgate-run.conf
	printf '\n[decision]\nauto_release = green\nauto_release_delay_s = 60\n' \
		>> "$runconf"
fi
listen=$(sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*//p' "$runconf" | head -n 1)
listen=${listen:-127.0.0.1:8080}
admin_dsn=$(sed -n 's/^[[:space:]]*admin_dsn[[:space:]]*=[[:space:]]*//p' "$runconf" | head -n 1)

# The daemon in the background while the fixtures go in, then waited for.
# Ctrl-C reaches it directly (same process group) and it drains before
# exiting; a SIGTERM to this script is passed on.
"$build/railgated" -c "$runconf" &
pid=$!
trap 'wait $pid; exit 0' INT
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' TERM
for i in $(seq 1 150); do
	curl -sf "http://$listen/readyz" > /dev/null 2>&1 && break
	kill -0 $pid 2>/dev/null || { echo "railgate: the daemon did not start" >&2; exit 1; }
	sleep 0.1
done

# Tokens for trying it out, made once and kept under var/ (mode 0600).
tokens=var/make-run-tokens
if [ ! -s "$tokens" ] && [ -n "$admin_dsn" ]; then
	umask 077
	{
		echo "operator=$("$build/railgate" token create --dsn "$admin_dsn" --role operator --name make-run-operator --carrier KZ-KTZE --carrier CN-CRCT --carrier MN-UBTZ --carrier RU-RZD --carrier VN-VNR)"
		echo "officer=$("$build/railgate" token create --dsn "$admin_dsn" --role officer --name make-run-officer)"
		echo "supervisor=$("$build/railgate" token create --dsn "$admin_dsn" --role supervisor --name make-run-supervisor)"
		echo "auditor=$("$build/railgate" token create --dsn "$admin_dsn" --role auditor --name make-run-auditor)"
	} > "$tokens"
fi
operator=$(sed -n 's/^operator=//p' "$tokens" 2>/dev/null || true)
officer=$(sed -n 's/^officer=//p' "$tokens" 2>/dev/null || true)

# Officers' accounts to sign in to the console with (name, role, display
# name, language or "-" for the browser's), once; the passwords are
# random, kept under var/ (mode 0600) and printed below.
officers=var/make-run-officers
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

# The fixture trains, once: the console has something to show.
if [ -n "$operator" ] && [ ! -e var/fixtures-loaded ]; then
	loaded=0
	for f in fixtures/edifact/*.edi fixtures/xml/ecommerce_horgos_export.xml; do
		if "$build/railgate" submit --token "$operator" "http://$listen" "$f" \
		    > /dev/null 2>&1; then
			loaded=$((loaded + 1))
		fi
	done
	echo "railgate: $loaded fixture trains submitted"
	touch var/fixtures-loaded
fi

cat <<MSG
railgate: database   $dsn
railgate: console    http://$listen/   sign in as (name, password, role):
$(sed 's/^/railgate:              /' "$officers" 2>/dev/null || true)
railgate: accounts   $officers; more with: $build/railgate officer add NAME --role ROLE -c $runconf
railgate: machines   officer token ${officer:-see $tokens}
railgate: tokens     $tokens
railgate: submit     $build/railgate submit --token ${operator:-TOKEN} http://$listen fixtures/edifact/cuscar_s3_alashankou.edi
railgate: trains     curl -H "Authorization: Bearer ${officer:-TOKEN}" http://$listen/v1/trains
railgate: stop with Ctrl-C
MSG
wait $pid
