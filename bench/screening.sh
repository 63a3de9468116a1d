#!/bin/sh
# Name screening speed (issue 19 targets): keys by script, 10,000 list
# entries against 100,000 distinct party names on 1 and 2 threads, and
# 200,000 distinct consignees against the default list (bench/screening.c).
set -eu
build=${1:-build}
"$build/bench/screening"
