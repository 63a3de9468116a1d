#!/bin/sh
# The parcel list (issue 22): #/train/ID/parcels of a 100,000-parcel
# e-commerce train (10 wagons) in headless Chromium driven through
# chromedriver (WebDriver, with curl), against a real railgated and a
# private PostgreSQL cluster.  Two figures per load, as the page records
# them from performance.now(): navigation start -> the list drawn (the
# summary, the scroller sized for every row, the rows in sight:
# window.railgateParcelsMs; target 300 ms) and -> all 100,000 rows in the
# page's memory (window.railgateParcelsLoadedMs, fetched in the
# background in chunks of 25,000).  The first load parses the manifest
# (the model cache is cold); then best and worst of 5 full page loads.
# Also: the rows in the document (virtual scrolling: a few dozen, never
# 100,000), a jump to the end of the list, and GET .../parcels of all
# 100,000 rows timed with curl.  PARCELS_BENCH_CONF: more of the
# daemon's configuration (a newline-separated text, e.g. "[station]" and
# "parcel_setaside = yes": parcels set aside, as at a supervision site);
# PARCELS_BENCH_PROFILE=1: the resource timings of one more load.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver > /dev/null; then
	echo "parcels: chromium or chromedriver is missing (scripts/deps.sh installs them)" >&2
	exit 1
fi
data=$build/bench-data/daemon
mkdir -p "$data"
[ -s "$data/ecommerce-100k.edi" ] || "$build/railgate" gen --wagons 10 \
	--items 100000 --seed 9 --format edifact --ecommerce \
	-o "$data/ecommerce-100k.edi"

. scripts/testbed.sh
cdpid=
cleanup() {
	set +e
	if [ -n "$cdpid" ]; then
		kill "$cdpid" 2> /dev/null || true
		wait "$cdpid" 2> /dev/null || true
	fi
	testbed_stop
}
trap cleanup EXIT INT TERM
testbed_start "$build" "${PARCELS_BENCH_CONF:-}"
operator=$(testbed_token operator bench-operator)
officer=$(testbed_token officer bench-officer)

train=$("$build/railgate" submit --token "$operator" "http://127.0.0.1:$port" \
	"$data/ecommerce-100k.edi" | sed -n 's|.* 202 /v1/trains/\([^ ]*\) .*|\1|p')
[ -n "$train" ] || { echo "parcels: the train was not accepted" >&2; exit 1; }
for i in $(seq 1 600); do
	[ "$(testbed_sql "SELECT count(*) FROM trains WHERE train_no = '$train' \
		AND decision IS NOT NULL AND NOT eval_needed")" = 1 ] && break
	sleep 0.1
done

wdport=$((40000 + $$ % 20000))
chromedriver --port="$wdport" > "$work/chromedriver.log" 2>&1 &
cdpid=$!
wd() {	# METHOD PATH [JSON]
	curl -s -X "$1" -H 'Content-Type: application/json' \
		${3:+--data-binary "$3"} "http://127.0.0.1:$wdport$2"
}
js() {	# SCRIPT: its value (a number or true/false)
	wd POST "/session/$sid/execute/sync" "{\"script\":\"$1\",\"args\":[]}" |
		sed -n 's/.*"value":\([0-9a-z.-]*\).*/\1/p'
}
for i in $(seq 1 100); do
	wd GET /status 2> /dev/null | grep -q '"ready":true' && break
	sleep 0.1
done
sid=$(wd POST /session '{"capabilities":{"alwaysMatch":{"browserName":"chrome",
	"goog:chromeOptions":{"binary":"/usr/bin/chromium","args":["--headless=new",
	"--no-sandbox","--disable-gpu","--window-size=1400,900",
	"--disable-dev-shm-usage"]}}}}' |
	sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
[ -n "$sid" ] || { echo "parcels: no browser session" >&2; exit 1; }
base=http://127.0.0.1:$port
wd POST "/session/$sid/url" "{\"url\":\"$base/console/console.css\"}" > /dev/null
wd POST "/session/$sid/execute/sync" "{\"script\":\"sessionStorage.setItem('railgate.token', arguments[0]);\",\"args\":[\"$officer\"]}" > /dev/null

# One full page load of the list: "drawn loaded rows-in-DOM".
load() {
	wd POST "/session/$sid/url" "{\"url\":\"$base/console/console.css\"}" > /dev/null
	wd POST "/session/$sid/url" "{\"url\":\"$base/#/train/$train/parcels\"}" > /dev/null
	drawn= loaded=
	for i in $(seq 1 600); do
		loaded=$(js "return window.railgateParcelsLoadedMs === undefined ? -1 : Math.round(window.railgateParcelsLoadedMs);")
		[ -n "$loaded" ] && [ "$loaded" -ge 0 ] && break
		sleep 0.05
	done
	drawn=$(js "return Math.round(window.railgateParcelsMs);")
	dom=$(js "return document.querySelectorAll('#parcels-rows .prow').length;")
	echo "$drawn $loaded $dom"
}

echo "parcels: parcel list of $train (10 wagons, 100,000 parcels), navigation start -> list drawn / all rows loaded:"
set -- $(load)
echo "  first load (model parsed): drawn in $1 ms, all loaded in $2 ms, $3 rows in the document"
best= worst= lbest= lworst=
for run in 1 2 3 4 5; do
	set -- $(load)
	echo "  load $run: drawn in $1 ms, all loaded in $2 ms, $3 rows in the document"
	[ -z "$best" ] || [ "$1" -lt "$best" ] && best=$1
	[ -z "$worst" ] || [ "$1" -gt "$worst" ] && worst=$1
	[ -z "$lbest" ] || [ "$2" -lt "$lbest" ] && lbest=$2
	[ -z "$lworst" ] || [ "$2" -gt "$lworst" ] && lworst=$2
done
total=$(js "return Number(document.body.getAttribute('data-parcels-loaded'));")
# Scrolled to the end: the last row drawn (its data-row), and how long the redraw took.
jump=$(js "var t0 = performance.now(), s = document.getElementById('parcels-scroll'); s.scrollTop = s.scrollHeight; s.dispatchEvent(new Event('scroll')); return Math.round((performance.now() - t0) * 1000);")
sleep 0.3
last=$(js "var r = document.querySelectorAll('#parcels-rows .prow'); return Number(r[r.length - 1].getAttribute('data-row'));")
echo "parcels: the list draws in $best ms (best of 5), $worst ms (worst); target 300 ms"
echo "parcels: all $total rows loaded in $lbest ms (best), $lworst ms (worst); after a jump to the end the last row drawn is $last"
size=$(curl -s -o /dev/null -w '%{time_total} s, %{size_download} bytes' \
	-H "Authorization: Bearer $officer" "$base/v1/trains/$train/parcels?limit=100000")
echo "parcels: GET /v1/trains/$train/parcels?limit=100000: $size"
if [ -n "${PARCELS_BENCH_PROFILE:-}" ]; then
	load > /dev/null
	wd POST "/session/$sid/execute/sync" '{"script":"return performance.getEntriesByType(\"resource\").map(function (e) { return e.name.replace(/^https?:[/][/][^/]*/, \"\") + \" \" + Math.round(e.startTime) + \"+\" + Math.round(e.duration); }).join(\"\\n\");","args":[]}'
	echo
fi
wd DELETE "/session/$sid" > /dev/null
