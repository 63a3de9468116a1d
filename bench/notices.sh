#!/bin/sh
# Release notices (issue 7): 1,000 notices to a local receiver, then the
# fault trials (daemon SIGKILLed mid-dispatch, receiver down, receiver
# answering 500s), 20 each.  NOTICE_TRIALS and NOTICE_DOWN_S shorten it
# (the receiver is down for a minute a trial by default: about 45 min).
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
sh scripts/notice-trials.sh "$build" "${NOTICE_TRIALS:-20}" \
	"${NOTICE_DOWN_S:-60}" 100
