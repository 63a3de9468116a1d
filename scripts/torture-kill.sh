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
. scripts/torture-lib.sh
trap torture_cleanup EXIT INT TERM
echo "torture: repeat with: sh scripts/torture-kill.sh $build $kills $clients $per $seed"
torture_setup "$build" "$clients" "$per" "$seed"
torture_clients
torture_approver

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
wait $tt_pids
torture_quiet
torture_verdict "$kills kills of the daemon, slowest restart $slowest ms" && \
	[ "$slowest" -lt 5000 ]
