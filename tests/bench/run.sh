#!/bin/sh
# make bench: prints throughput figures of the core and of `eightmin check`.
set -e
n=${BENCH_VISITS:-20000}
data=build/bench/visits.ndjson
mkdir -p build/bench
sh tests/bench/gen_visits.sh "$n" > "$data"
echo "== core (build/tests/bench/bench_core)"
build/tests/bench/bench_core "$data"
echo "== eightmin check --payer medicare --format ndjson ($n visits)"
t0=$(date +%s.%N)
bin/eightmin check --payer medicare --format ndjson "$data" > build/bench/out.ndjson 2>/dev/null || true
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$n" -v lines="$(wc -l < build/bench/out.ndjson)" \
  'BEGIN { t = b - a; printf "check:  %d visits in %.2f s: %.0f visits/s (%d output lines)\n", n, t, n / t, lines }'
