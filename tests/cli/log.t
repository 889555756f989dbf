# eightmin check --log FILE and eightmin explain LOG VISIT: one JSON line
# per visit saying what decided it, read back as an explanation.
L=tests/data/log
cp "$L/payer.lua" "$tmp/logpayer.lua"

"$EIGHTMIN" check --payer "$tmp/logpayer.lua" --clinic "$L/clinic.lua" --log "$tmp/day.log" \
    "$L/day.ndjson" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 1 ]; then failed "log: check exits 1 (an error finding, a bad record)" "exit $rc, wanted 1" "check --log"
elif [ "$(wc -l <"$tmp/day.log")" -ne 2 ]; then failed "log: one line per visit" "$(wc -l <"$tmp/day.log") lines, wanted 2" "check --log"
else pass=$((pass + 1)); fi

expect_out "log: the fields of each line" "V3001: claims clinic date eightmin findings input_sha256 log_format payer record rules_fired rules_ran source units visit
  input hash matches: true
  payer logpayer 64, clinic clinic 64
  ran logpayer.units-billed,logpayer.quiet,clinic.long-line; fired logpayer.units-billed,clinic.long-line
  units cms 47 -> 3: 97112=24min/2u/leftover-unit 97110=23min/1u/full-units 97010=0min/1u/untimed
  3 claim lines, 3 findings
V3002: claims clinic date eightmin findings input_sha256 log_format payer record rules_fired rules_ran source units visit
  input hash matches: true
  payer logpayer 64, clinic clinic 64
  ran logpayer.units-billed,logpayer.quiet,clinic.long-line; fired 
  units cms 18 -> 1: 97110=18min/1u/full-units
  1 claim lines, 0 findings
2 lines" -- run "$L/fields.lua" "$tmp/day.log" "$L/day.ndjson"

expect_out "log: explain a visit" "visit V3001 of 2026-03-04
  read from $L/day.ndjson, record 1
  input sha256 0d561f9468bc6f80abeb14b474379110e5ac649da4b77737892daabc1025e3fe
decided by eightmin 0.1.0 with
  payer  logpayer (Log Test Health)
         $tmp/logpayer.lua
         sha256 fddb870b2283fcb3c47c3bac4f0af0f54fb134ec6f1499449d943173211050b3
  clinic clinic (Log Test Clinic)
         $PWD/$L/clinic.lua
         sha256 40deabeecc51d5c6c01132a2f82672bba408e9fce9c9d1b0af3e17166bcd128f
units (cms method): 47 timed minutes in the day -> 3 timed units, 4 units in all
  97112   24 min -> 2 units: its full units plus one for its leftover minutes (1 full unit + 9 min left over)
  97110   23 min -> 1 unit: its full units only (1 full unit + 8 min left over)
  97010    0 min -> 1 unit: untimed: 1 unit per day, not counted in timed minutes
rules that ran (3): logpayer.units-billed, logpayer.quiet, clinic.long-line
rules that fired (2): logpayer.units-billed, clinic.long-line
claim lines (3):
  97112  x2  GP             dx 1,2
  97110  x1  GP             dx 1,2
  97010  x1  GP             dx 1,2
findings (3):
  error    line 2  logpayer.units-billed: 97110: billed 2, earned 1; bill 1
                   see Log Test Health policy 1
  info     line 1  clinic.long-line: 97112 runs 24 min
                   see Log Test Clinic policy A
  info     line 2  clinic.long-line: 97110 runs 23 min
                   see Log Test Clinic policy A" -- explain "$tmp/day.log" V3001
expect_has "log: explain a visit with no findings" "findings (0):" -- explain "$tmp/day.log" V3002
expect_has "log: explain says which rules did not fire" "rules that fired (0): none" -- explain "$tmp/day.log" V3002

# Unchanged scripts: no warning.
"$EIGHTMIN" explain "$tmp/day.log" V3001 >"$tmp/out" 2>"$tmp/err"
if [ -s "$tmp/err" ]; then failed "log: no warning while the scripts are unchanged" "stderr not empty" "explain"
else pass=$((pass + 1)); fi

expect_exit "log: explain an unknown visit" 2 "no visit 'V9999' in the log" -- explain "$tmp/day.log" V9999
expect_exit "log: explain needs LOG and VISIT" 2 "expected LOG and VISIT, got 1 argument" -- explain "$tmp/day.log"
expect_exit "log: explain an unreadable log" 2 "cannot read the log" -- explain "$tmp/no-such.log" V3001
expect_exit "log: check --log to a folder that is not there" 2 "cannot write the decision log" -- check --log /nonexistent/day.log "$L/day.ndjson"

# A line that is not a log entry is reported and skipped.
{ echo 'not json'; cat "$tmp/day.log"; } >"$tmp/mixed.log"
expect_exit "log: a bad line is reported" 0 "mixed.log:1: not a decision log entry" -- explain "$tmp/mixed.log" V3002

# A changed payer script is noticed; so is a missing one.
echo "-- changed after the run" >>"$tmp/logpayer.lua"
expect_exit "log: a changed payer script is noticed" 0 "the payer script $tmp/logpayer.lua has changed since visit V3001 was checked (logged sha256 fddb870b2283, now" -- explain "$tmp/day.log" V3001
expect_has "log: the explanation still shows the logged version" "sha256 fddb870b2283fcb3c47c3bac4f0af0f54fb134ec6f1499449d943173211050b3" -- explain "$tmp/day.log" V3001
rm -f "$tmp/logpayer.lua"
expect_exit "log: a missing payer script is noticed" 0 "the payer script $tmp/logpayer.lua can no longer be read" -- explain "$tmp/day.log" V3001

# The API underneath: JSON through the core, SHA-256, entries, HTML helpers.
expect_out "log: API checks" "json: ok
sha256: ok
decisionlog: ok
html: ok
41 checks passed" -- run "$L/api.lua"
