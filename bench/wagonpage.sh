#!/bin/sh
# The wagon's page and the search (issue 18, item 5) on a 1,000,000-item
# e-commerce train (55 wagons, about 18,000 parcels a wagon): the time of
# GET /v1/trains/{id}/wagons/{wagon} (the stored manifest is parsed again
# on a worker for each page: best and worst of 5, first page and a page
# deep in the goods) and its size, and of GET /v1/search for a wagon's
# digits and a party's name.  Figures, not pass/fail.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
data=$build/bench-data/daemon
mkdir -p "$data"
[ -s "$data/ecommerce-1m.edi" ] || "$build/railgate" gen --wagons 55 \
	--items 1000000 --seed 7 --format edifact --ecommerce \
	-o "$data/ecommerce-1m.edi"

. scripts/testbed.sh
trap testbed_stop EXIT INT TERM
testbed_start "$build"
operator=$(testbed_token operator bench-operator)
officer=$(testbed_token officer bench-officer)

train=$("$build/railgate" submit --token "$operator" "http://127.0.0.1:$port" \
	"$data/ecommerce-1m.edi" | sed -n 's|.* 202 /v1/trains/\([^ ]*\) .*|\1|p')
[ -n "$train" ] || { echo "wagonpage: the train was not accepted" >&2; exit 1; }
for i in $(seq 1 600); do
	[ "$(testbed_sql "SELECT count(*) FROM trains WHERE train_no = '$train' \
		AND decision IS NOT NULL AND NOT eval_needed")" = 1 ] && break
	sleep 0.1
done
wagon=$(testbed_sql "SELECT number FROM wagons w JOIN trains t ON t.id = \
	w.train_id WHERE t.train_no = '$train' ORDER BY items DESC LIMIT 1")
party=$(testbed_sql "SELECT substr(split_part(names, E'\\n', 1), 1, 8) FROM \
	search_train_parties p JOIN trains t ON t.id = p.train_id \
	WHERE t.train_no = '$train'")

get() {	# PATH: prints "seconds bytes"
	curl -s -o /dev/null -w '%{time_total} %{size_download}\n' \
		-H "Authorization: Bearer $officer" "http://127.0.0.1:$port$1"
}
series() {	# LABEL PATH
	out=$(for i in 1 2 3 4 5; do get "$2"; done | sort -n)
	best=$(echo "$out" | head -n 1)
	worst=$(echo "$out" | tail -n 1)
	echo "wagonpage: $1: best ${best% *} s, worst ${worst% *} s, ${best#* } bytes"
}
items=$(testbed_sql "SELECT items FROM wagons w JOIN trains t ON t.id = \
	w.train_id WHERE t.train_no = '$train' AND number = '$wagon'")
echo "wagonpage: train $train, wagon $wagon with $items goods items"
series "wagon page, first 100 goods" "/v1/trains/$train/wagons/$wagon"
series "wagon page, 500 goods from 15000" \
	"/v1/trains/$train/wagons/$wagon?offset=15000&limit=500"
series "search, 6 digits of a wagon" "/v1/search?q=$(echo "$wagon" | cut -c4-9)"
series "search, a party's name" "/v1/search?q=$(printf %s "$party" | \
	od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g')"
