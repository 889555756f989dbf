#!/bin/sh
# CLI golden tests: runs every tests/cli/*.t file. A .t file calls
#   expect_out NAME EXPECTED_STDOUT -- ARGS...     exit 0 and exactly this stdout
#   expect_has NAME STDOUT_PART -- ARGS...         exit 0, stdout contains this
#   expect_exit NAME CODE STDERR_PART -- ARGS...   this exit code, stderr contains this
#   expect_stdin NAME CODE STDOUT_PART INPUT_FILE -- ARGS...
# $EIGHTMIN is the binary under test (default bin/eightmin).
EIGHTMIN=${EIGHTMIN:-bin/eightmin}
dir=$(dirname "$0")
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed() {
    fail=$((fail + 1))
    echo "FAIL $1: $2"
    echo "  command: eightmin $3"
    sed 's/^/  stdout: /' "$tmp/out"
    sed 's/^/  stderr: /' "$tmp/err"
}

expect_out() {
    name=$1 want=$2
    shift 3
    "$EIGHTMIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    printf '%s\n' "$want" >"$tmp/want"
    if [ "$rc" -ne 0 ]; then failed "$name" "exit $rc, wanted 0" "$*"
    elif ! cmp -s "$tmp/out" "$tmp/want"; then
        failed "$name" "stdout differs from the expected:" "$*"; sed 's/^/  wanted: /' "$tmp/want"
    else pass=$((pass + 1)); fi
}

expect_exit() {
    name=$1 code=$2 part=$3
    shift 4
    "$EIGHTMIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne "$code" ]; then failed "$name" "exit $rc, wanted $code" "$*"
    elif ! grep -qF -- "$part" "$tmp/err"; then failed "$name" "stderr lacks: $part" "$*"
    else pass=$((pass + 1)); fi
}

expect_has() {
    name=$1 part=$2
    shift 3
    "$EIGHTMIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne 0 ]; then failed "$name" "exit $rc, wanted 0" "$*"
    elif ! grep -qF -- "$part" "$tmp/out"; then failed "$name" "stdout lacks: $part" "$*"
    else pass=$((pass + 1)); fi
}

expect_stdin() {
    name=$1 code=$2 part=$3 input=$4
    shift 5
    "$EIGHTMIN" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$code" ]; then failed "$name" "exit $rc, wanted $code" "$*"
    elif ! grep -qF -- "$part" "$tmp/out"; then failed "$name" "stdout lacks: $part" "$*"
    else pass=$((pass + 1)); fi
}

for t in "$dir"/*.t; do
    . "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
