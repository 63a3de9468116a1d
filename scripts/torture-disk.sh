#!/bin/sh
# Disk full (issue 10): the database's volume and the spool's, each a
# small tmpfs, filled up under the daemon, then given space again.
#
# Database volume: trains accepted before; the volume filled to the last
# byte (PostgreSQL cannot extend a table, or PANICs when it cannot write
# its WAL); N trains posted while full must each be refused (503 with
# Retry-After, the cause in the daemon's log), never accepted unstored;
# the daemon stays up.  Space returns (and PostgreSQL is started again if
# it stopped): the same N, posted again with their keys, are accepted;
# nothing accepted is missing, nothing refused is half-stored, the audit
# chain verifies and pg_amcheck --heapallindexed finds nothing.
#
# Spool volume: a good and a broken manifest arrive in incoming/ with not
# a byte free: the good one is stored and moved to done/, the broken one
# to failed/ although its .err cannot be written (the reason is logged
# instead, and no truncated .err is left); with space back, the next
# broken file gets its .err.
#
# Needs root (mount); says so and exits 0 otherwise.
#   torture-disk.sh BUILD [N]
set -eu
build=${1:-build}
n=${2:-20}
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "torture-disk: skipped: mounting a small volume needs root"
	exit 0
fi
. scripts/testbed.sh
work=$(mktemp -d /tmp/railgate-disk.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/pg" "$work/spool"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	scripts/pgcluster.sh kill "$work/pg" > /dev/null 2>&1 || true
	umount "$work/pg" 2>/dev/null || true
	umount "$work/spool" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
if ! mount -t tmpfs -o size=112m,mode=755 railgate-pg "$work/pg" ||
    ! mount -t tmpfs -o size=4m,mode=755 railgate-spool "$work/spool"; then
	echo "torture-disk: skipped: cannot mount a tmpfs here"
	exit 0
fi
testbed_start_in "$work" "$build"
psql -qAt "$admin" -c "ALTER SYSTEM SET min_wal_size = '32MB'" \
	-c "ALTER SYSTEM SET max_wal_size = '48MB'" -c "SELECT pg_reload_conf()" \
	> /dev/null
operator=$(testbed_token operator disk-operator)
auditor=$(testbed_token auditor disk-auditor)


post() {	# FILE KEY: prints "STATUS RETRY_AFTER_HEADERS"
	st=$(curl -s -o "$work/reply" -m 30 -D "$work/h" -w '%{http_code}' \
		-H "Authorization: Bearer $operator" -H "Idempotency-Key: $2" \
		-H 'Content-Type: application/EDIFACT' --data-binary "@$1" \
		"http://127.0.0.1:$port/v1/manifests" || true)
	echo "$st $(grep -ci '^retry-after:' "$work/h" || true)"
}

mkdir -p "$work/m"
for i in $(seq 1 $((n + 5))); do
	"$build/railgate" gen --wagons 20 --items 400 --seed $((7000 + i)) \
		--format edifact -o "$work/m/$i.edi"
done
fail=0
for i in 1 2 3 4 5; do
	set -- $(post "$work/m/$i.edi" "disk-$i")
	[ "$1" = 202 ] || { echo "torture-disk: train $i before: $1"; fail=1; }
done

# --- the database's volume, full ---
dd if=/dev/zero of="$work/pg/filler" bs=1M 2>/dev/null || true
refused=0; accepted_full=0; other=0
for i in $(seq 6 $((n + 5))); do
	set -- $(post "$work/m/$i.edi" "disk-$i")
	case $1 in
	503) [ "$2" -ge 1 ] && refused=$((refused + 1)) || other=$((other + 1)) ;;
	202) accepted_full=$((accepted_full + 1)); echo "disk-$i" >> "$work/accepted" ;;
	*) other=$((other + 1)) ;;
	esac
done
alive=yes
kill -0 "$pid" 2>/dev/null || alive=no
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
cause=$(grep -c 'No space left on device\|could not extend\|could not write' \
	"$work/daemon.log" || true)
echo "torture-disk: database volume full: $n trains posted: $refused refused 503 with Retry-After, $accepted_full accepted, $other other answers; daemon up: $alive, /healthz $health; $cause log lines name the full disk"

# --- space again ---
rm -f "$work/pg/filler"
if ! psql -qAt "$admin" -c "SELECT 1" > /dev/null 2>&1; then
	echo "torture-disk: PostgreSQL stopped while the disk was full: starting it again"
	scripts/pgcluster.sh start "$work/pg" > /dev/null
fi
for i in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break
	sleep 0.1
done
again=0
for i in $(seq 6 $((n + 5))); do
	set -- $(post "$work/m/$i.edi" "disk-$i")
	[ "$1" = 202 ] && again=$((again + 1))
done
for i in $(seq 1 $((n + 5))); do echo "disk-$i"; done | sort > "$work/keys.want"
testbed_sql "SELECT idempotency_key FROM manifests WHERE accepted AND
	idempotency_key LIKE 'disk-%'" | sort > "$work/keys.stored"
missing=$(comm -23 "$work/keys.want" "$work/keys.stored" | wc -l)
dup=$(testbed_sql "SELECT count(*) FROM (SELECT train_no FROM trains GROUP BY
	train_no HAVING count(*) > 1) x")
half=$(testbed_sql "SELECT count(*) FROM trains t JOIN manifests m ON
	m.id = t.manifest_id WHERE NOT m.accepted")
verify=$(curl -s -H "Authorization: Bearer $auditor" \
	"http://127.0.0.1:$port/v1/audit/verify" || true)
intact=no
case $verify in *'"intact":true'*) intact=yes ;; esac
sock=$(scripts/pgcluster.sh dsn "$work/pg" | sed 's/.*host=\([^ ]*\).*/\1/')
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
amcheck=0
(cd / && runuser -u postgres -- "$bindir/pg_amcheck" -h "$sock" -p 5432 \
	-U postgres --install-missing --heapallindexed --all) \
	> "$work/amcheck.log" 2>&1 || amcheck=$?
echo "torture-disk: space back: $again of $n accepted on retry; $missing accepted keys missing, $dup trains stored twice, $half half-stored; audit chain intact: $intact; pg_amcheck exit $amcheck"
[ "$refused" = "$n" ] && [ "$accepted_full" = 0 ] && [ "$other" = 0 ] && \
	[ "$alive" = yes ] && [ "$health" = 200 ] && [ "$cause" -gt 0 ] && \
	[ "$again" = "$n" ] && [ "$missing" = 0 ] && [ "$dup" = 0 ] && \
	[ "$half" = 0 ] && [ "$intact" = yes ] && [ "$amcheck" = 0 ] || fail=1

# --- the spool's volume, full ---
mkdir -p "$work/spool/hold"
"$build/railgate" gen --wagons 2 --items 4 --seed 7900 --format edifact \
	-o "$work/spool/hold/good.edi"
printf 'UNB+UNOC:3+X+Y+261122:0900+1'"'"'UNH+1+CUSCAR:D:96B:UN'"'"'BROKEN' \
	> "$work/spool/hold/broken.edi"
dd if=/dev/zero of="$work/spool/filler" bs=64k 2>/dev/null || true
mv "$work/spool/hold/good.edi" "$work/spool/hold/broken.edi" "$work/spool/incoming/"
for i in $(seq 1 100); do
	[ -e "$work/spool/done/good.edi" ] && [ -e "$work/spool/failed/broken.edi" ] && break
	sleep 0.1
done
s_good=no; s_broken=no; s_noerr=no; s_logged=no
[ -e "$work/spool/done/good.edi" ] && s_good=yes
[ -e "$work/spool/failed/broken.edi" ] && s_broken=yes
[ ! -e "$work/spool/failed/broken.edi.err" ] && s_noerr=yes
grep -q 'spool: cannot write .*broken.edi.err' "$work/daemon.log" && \
	grep -q 'spool: broken.edi refused (.*): ' "$work/daemon.log" && s_logged=yes
rm -f "$work/spool/filler"
cp "$work/spool/failed/broken.edi" "$work/spool/hold/again.edi" 2>/dev/null || true
mv "$work/spool/hold/again.edi" "$work/spool/incoming/" 2>/dev/null || true
for i in $(seq 1 100); do
	[ -s "$work/spool/failed/again.edi.err" ] && break
	sleep 0.1
done
s_err=no
[ -s "$work/spool/failed/again.edi.err" ] && s_err=yes
echo "torture-disk: spool volume full: good file stored and in done/: $s_good; broken file in failed/: $s_broken, no truncated .err: $s_noerr, reason in the log: $s_logged; with space back its .err is written: $s_err"
[ "$s_good" = yes ] && [ "$s_broken" = yes ] && [ "$s_noerr" = yes ] && \
	[ "$s_logged" = yes ] && [ "$s_err" = yes ] || fail=1
kill -0 "$pid" 2>/dev/null || { echo "torture-disk: the daemon exited"; fail=1; }
exit $fail
