#!/bin/sh
# demo.sh: a short tour of eightmin on the sample visits.
#   sh plugins/examples/demo.sh bin/eightmin
# Exits 0 when the demo ran; findings of severity error are expected (the
# sample visits show what the rules catch), so check's exit 1 is fine and
# only exit 2 (usage, unreadable input) or a crash fails the demo.
EIGHTMIN=${1:-bin/eightmin}
case $EIGHTMIN in
*/*) EIGHTMIN=$(cd "$(dirname "$EIGHTMIN")" && pwd)/$(basename "$EIGHTMIN") ;;
esac
# Run from the top of the tree so that paths in the output read plugins/...
cd "$(dirname "$0")/../.." || exit 1

echo "== eightmin demo"
echo
echo "-- CMS Pub. 100-04 ch. 5 §20.2, example 1: 24 min of 97112 and 23 of 97110"
echo "\$ eightmin units --explain 97112=24 97110=23"
"$EIGHTMIN" units --explain 97112=24 97110=23 || exit 1
echo
echo "-- the sample visits, with the example clinic's rules"
echo "\$ eightmin check --clinic plugins/clinics/example.lua plugins/examples/visits.ndjson"
"$EIGHTMIN" check --clinic plugins/clinics/example.lua plugins/examples/visits.ndjson
rc=$?
case $rc in
0|1) echo "demo: done (check exit $rc: 1 means some finding is an error, as expected here)" ;;
*) echo "demo: check failed with exit $rc" >&2; exit 1 ;;
esac
