# scripts/testbed.sh -- sourced by benchmarks and fault trials: a private
# PostgreSQL cluster and railgated daemons on loopback, with tokens.
#
#   . scripts/testbed.sh
#   testbed_start BUILD [EXTRA_CONF]   sets $work $admin $app $port $pid
#   testbed_start_in WORK BUILD [EXTRA_CONF]  the same in directory WORK
#   testbed_token ROLE NAME            prints a new token
#   testbed_daemon_restart             kills -9 and restarts the daemon
#   testbed_stop                       stops everything, removes $work
#   testbed_free_port                  prints a loopback port nobody listens on
# The caller sets `trap testbed_stop EXIT`.

# A loopback TCP port no socket uses, chosen at random below the kernel's
# ephemeral range (32768 and up by default, where the tests' own servers
# and every client connection take theirs): two testbeds started at once
# (make check and make check SANITIZE=1 side by side) must not meet.
testbed_free_port() {
	while :; do
		tb_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
		ss -Htan "sport = :$tb_p" 2>/dev/null | grep -q . || break
	done
	echo "$tb_p"
}

testbed_start() {
	work=$(mktemp -d /tmp/railgate-testbed.XXXXXX)
	chmod 755 "$work"
	testbed_start_in "$work" "$@"
}

# testbed_start in a directory the caller made (and perhaps mounted
# volumes under: WORK/pg for the cluster, WORK/spool for the spool).
testbed_start_in() {	# WORK BUILD [EXTRA_CONF]
	work=$1
	tb_build=$2
	tb_extra=${3:-}
	admin=$(scripts/pgcluster.sh start "$work/pg")
	app=$(printf '%s' "$admin" | sed 's/user=postgres/user=railgate_app/')
	"$tb_build/railgate" db migrate --dsn "$admin" > /dev/null
	port=$(testbed_free_port)
	cat > "$work/railgate.conf" <<CONF
[daemon]
listen = 127.0.0.1:$port
state_dir = $work
log_level = warn
[database]
dsn = $app
admin_dsn = $admin
connections = 8
$tb_extra
CONF
	testbed_daemon_start
}

testbed_daemon_start() {
	"$tb_build/railgated" -c "$work/railgate.conf" 2>> "$work/daemon.log" &
	pid=$!
	for tb_i in $(seq 1 150); do
		curl -sf "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "testbed: the daemon did not start; its log ends:" >&2
	tail -n 15 "$work/daemon.log" >&2
	return 1
}

testbed_daemon_restart() {
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	testbed_daemon_start
}

# An operator token reads the trains of the carriers it names: every
# carrier of the fixtures and of `railgate gen`'s routes.
testbed_carriers="--carrier KZ-KTZE --carrier CN-CRCT --carrier MN-UBTZ --carrier RU-RZD --carrier VN-VNR"

testbed_token() {
	if [ "$1" = operator ]; then
		# shellcheck disable=SC2086
		"$tb_build/railgate" token create --dsn "$admin" --role "$1" \
			--name "$2" $testbed_carriers
	else
		"$tb_build/railgate" token create --dsn "$admin" --role "$1" --name "$2"
	fi
}

testbed_sql() {
	psql -qAt "$admin" -c "$1"
}

testbed_stop() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${work:-}" ] || return 0
	scripts/pgcluster.sh stop "$work/pg" > /dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
