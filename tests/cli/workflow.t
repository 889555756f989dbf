# Workflows: CSV in through a clinic mapping, 837P and CMS-1500 CSV out
# (plugins/examples/csv-to-837p.lua, daily-batch.lua), the 837P read back
# by tests/lua/x12_check.lua, and eightmin.csv from a script.
W=tests/data/workflow
X=plugins/examples
export SOURCE_DATE_EPOCH=1772798400  # 2026-03-06 12:00 UTC in the 837P headers

# expect_run NAME CODE STDOUT_PART -- ARGS...: this exit code, stdout has this
expect_run() {
    name=$1 code=$2 part=$3
    shift 4
    "$EIGHTMIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne "$code" ]; then failed "$name" "exit $rc, wanted $code" "$*"
    elif ! grep -qF -- "$part" "$tmp/out"; then failed "$name" "stdout lacks: $part" "$*"
    else pass=$((pass + 1)); fi
}

# expect_same NAME GOT WANT: two files are byte for byte the same
expect_same() {
    if cmp -s "$2" "$3"; then pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: $2 differs from $3"
        diff "$3" "$2" | head -20 | sed 's/^/  /'
    fi
}

o=$tmp/wf-csv
expect_run "csv-to-837p: summary" 1 "3 visits billed, 1 held back, 1 bad records skipped" -- run $X/csv-to-837p.lua $X/visits.csv $o
expect_run "csv-to-837p: one 837P per payer" 1 "medicare: 2 claims, 4 lines, \$282.00 -> $o/837p-medicare.x12" -- run $X/csv-to-837p.lua $X/visits.csv $o
expect_run "csv-to-837p: a visit with an error finding is held back" 1 "held back: V2005: line 1 medicare.units-match: 97110: billed 3" -- run $X/csv-to-837p.lua $X/visits.csv $o
expect_exit "csv-to-837p: a bad row names its line and column" 1 "plugins/examples/visits.csv:9: column Minutes: minutes must be a whole number, got \"twenty\"" -- run $X/csv-to-837p.lua $X/visits.csv $o
expect_exit "csv-to-837p: usage" 2 "usage: eightmin run csv-to-837p.lua" -- run $X/csv-to-837p.lua
expect_same "csv-to-837p: medicare 837P" $o/837p-medicare.x12 $W/837p-medicare.x12
expect_same "csv-to-837p: ama-default 837P" $o/837p-ama-default.x12 $W/837p-ama-default.x12
expect_same "csv-to-837p: CMS-1500 CSV" $o/cms1500.csv $W/cms1500.csv
expect_out "x12 check: medicare 837P" "ok: 1 group, 1 transaction, 2 claims, 4 lines, 42 segments, \$282.00" -- run tests/lua/x12_check.lua $o/837p-medicare.x12
expect_out "x12 check: ama-default 837P" "ok: 1 group, 1 transaction, 1 claims, 2 lines, 26 segments, \$133.00" -- run tests/lua/x12_check.lua $o/837p-ama-default.x12
expect_out "x12 check: separators, escaping, bad settings, CSV quoting" "ok: self test" -- run tests/lua/x12_check.lua --self
expect_exit "x12 check: a broken file is caught" 1 "not an X12 interchange (no ISA)" -- run tests/lua/x12_check.lua $X/visits.csv

o=$tmp/wf-daily
expect_run "daily-batch: summary" 1 "2026-03-06: 10 visits billed, 9 held back, 1 bad records skipped -> $o/2026-03-06" -- run $X/daily-batch.lua $X/visits.ndjson $o
expect_run "daily-batch: control numbers go on" 1 "medicare: 9 claims, 17 lines, \$1539.00, control 4" -- run $X/daily-batch.lua $X/visits.ndjson $o
expect_out "daily-batch: its 837P reads back" "ok: 1 group, 1 transaction, 9 claims, 17 lines, 144 segments, \$1539.00" -- run tests/lua/x12_check.lua $o/2026-03-06/medicare.837p
if grep -q '"rule":"medicare.units-match"' $o/2026-03-06/findings.ndjson; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL daily-batch: findings.ndjson lacks medicare.units-match"; fi

# A visit the 837P cannot carry is held back with its reason, like one with
# an error finding: no diagnosis (HI, SV107), no date of birth (DMG) or no
# address (N3, N4) for the subscriber, who is the patient.
o=$tmp/wf-unbillable
U=$W/unbillable.csv
expect_run "csv-to-837p: no diagnosis is held back" 1 "held back: U1: no diagnosis: the 837P needs HI and SV107" -- run $X/csv-to-837p.lua $U $o
expect_run "csv-to-837p: no date of birth is held back" 1 "held back: U2: no date of birth: 2010BA needs DMG when the patient is the subscriber" -- run $X/csv-to-837p.lua $U $o
expect_run "csv-to-837p: no subscriber address is held back" 1 "held back: U3: no subscriber address: 2010BA needs N3 and N4 when the patient is the subscriber (the visit's subscriber object or settings.subscriber(visit))" -- run $X/csv-to-837p.lua $U $o
expect_run "csv-to-837p: only the billable visit is billed" 1 "1 visits billed, 3 held back, 0 bad records skipped" -- run $X/csv-to-837p.lua $U $o
expect_out "x12 check: the billable visit's 837P" "ok: 1 group, 1 transaction, 1 claims, 1 lines, 24 segments, \$90.00" -- run tests/lua/x12_check.lua $o/837p-medicare.x12
if grep -q '^U[123],' $o/cms1500.csv; then fail=$((fail + 1)); echo "FAIL csv-to-837p: a held-back visit is in cms1500.csv"; else pass=$((pass + 1)); fi
o=$tmp/wf-daily-unbillable
U=$W/unbillable.ndjson
expect_run "daily-batch: no diagnosis is held back" 1 "held back: N1: no diagnosis: the 837P needs HI and SV107" -- run $X/daily-batch.lua $U $o
expect_run "daily-batch: half an address is held back" 1 "held back: N3: subscriber address lacks city, zip: 2010BA needs N3 and N4" -- run $X/daily-batch.lua $U $o
expect_run "daily-batch: the visit's own subscriber is billed" 1 "2026-03-06: 1 visits billed, 2 held back, 0 bad records skipped" -- run $X/daily-batch.lua $U $o
if grep -qF 'NM1*IL*1*DOE*JO****MI*1EG4TE5MK73~N3*77 RIVER RD~N4*SPRINGFIELD*IL*627011234~DMG*D8*19500101*F~' $o/2026-03-06/medicare.837p
then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL daily-batch: 2010BA lacks the visit's subscriber name, address and DMG"; fi

nl='
'
expect_out "eightmin.csv: the example through the clinic mapping" "2 V2001 2026-03-04 medicare 97112=24,97110=23${nl}4 V2002 2026-03-04 medicare 97110=33,97140=7${nl}7 V2003 2026-03-05 ama-default 97110=23,97140=8${nl}9 bad: plugins/examples/visits.csv:9: column Minutes: minutes must be a whole number, got \"twenty\"${nl}10 V2005 2026-03-05 medicare 97110=20${nl}4 visits, 1 bad${nl}bad argument #2 to 'eightmin.csv.read' (mapping.cpt: expected a column name, a list of names or false, got number)" -- run tests/lua/csv_check.lua $X/visits.csv $X/clinic-settings.lua
expect_has "eightmin.csv: split visit" "4 bad: tests/data/csv/split.csv:4: column visit_id: visit \"S1\" already came at line 2" -- run tests/lua/csv_check.lua tests/data/csv/split.csv
unset SOURCE_DATE_EPOCH
