# eightmin check: the payer and clinic scripts in plugins/, their findings,
# exit codes, and the sandbox around misbehaving scripts.
D=tests/data/check
P=tests/data/payers
N=/dev/null

# ---- payers -------------------------------------------------------------
expect_has "payers: medicare" "Medicare Part B" -- payers
expect_has "payers: ama-default" "AMA per-code (commercial default)" -- payers
expect_has "payers: acme-health" "Acme Health PPO" -- payers
expect_stdin "unknown payer in a visit: an error finding" 1 "eightmin.payer: no payer named 'no-such-payer'" $N -- check $D/unknown-payer.ndjson
expect_exit "unknown payer named on the command line" 2 "no payer named 'no-such-payer'" -- check --payer no-such-payer $D/ok.ndjson

# ---- exit codes ---------------------------------------------------------
expect_has "exit 0: a clean visit" "1 visit checked" -- check $D/pass.ndjson
expect_stdin "exit 1: an error finding" 1 "medicare.units-match" $N -- check $D/units-match.ndjson
expect_exit "exit 2: unreadable input" 2 "no-such-file.ndjson" -- check $D/no-such-file.ndjson
expect_exit "exit 2: unknown option" 2 "--frobnicate" -- check --frobnicate $D/ok.ndjson

# ---- medicare.units-match (CMS Pub. 100-04 ch. 5 s20.2) ------------------
expect_stdin "units-match: billed more than earned" 1 "medicare.units-match: 97112: billed 3, but 24 min earn 2 units under the CMS 8-minute rule: 47 timed minutes in the day give 3 timed units; bill 2" $N -- check $D/units-match.ndjson
expect_stdin "units-match: billed fewer is a warning" 1 "warning  line 2  medicare.units-match: 97140: billed 0, but 7 min earn 1 unit under the CMS 8-minute rule" $N -- check $D/units-match.ndjson
expect_stdin "units-match: cites the manual" 1 "see CMS Pub. 100-04 ch. 5 §20.2" $N -- check $D/units-match.ndjson
expect_has "units-match: Ex3 billed right" "0 errors, 0 warnings" -- check $D/units-match-ok.ndjson

# ---- medicare.minutes-missing --------------------------------------------
expect_stdin "minutes-missing" 1 "medicare.minutes-missing: 97112 is a timed code but the line has no minutes and no start/end times" $N -- check $D/minutes-missing.ndjson
expect_has "minutes-missing: start/end and an untimed code are fine" "0 errors, 0 warnings" -- check $D/minutes-missing-ok.ndjson

# ---- medicare.single-under-8 ---------------------------------------------
expect_has "single-under-8: lone 6 min" "medicare.single-under-8: 97140 for 6 min is the only timed service of the day" -- check $D/single-under-8.ndjson
expect_has "single-under-8: day under 8" "the day's timed services add up to 7 min, under 8" -- check $D/single-under-8.ndjson
expect_has "single-under-8: Ex5 7+7+7 bills one unit" "0 errors, 0 warnings" -- check $D/single-under-8-ok.ndjson
expect_stdin "clinic raises single-under-8 to error" 1 "error    line 2  medicare.single-under-8" $N -- check --clinic plugins/clinics/example.lua $D/single-under-8.ndjson

# ---- medicare.overlapping-segments (NCCI ch. 11 sP) ----------------------
expect_stdin "overlap: two codes" 1 "medicare.overlapping-segments: 97110 09:20-09:40 overlaps 97112 09:00-09:25 (line 1) by 5 min" $N -- check $D/overlap.ndjson
expect_stdin "overlap: PT and PTA on one line" 1 "two parts of 97110 overlap (09:00-09:15 PT and 09:10-09:20 PTA, 5 min)" $N -- check $D/overlap.ndjson
expect_has "overlap: supervised modality may overlap" "0 errors, 0 warnings" -- check $D/overlap-ok.ndjson

# ---- medicare.total-timed-minutes (BPM ch. 15 s220.3) --------------------
expect_stdin "total-timed: disagrees" 1 "the note says 45 total timed minutes, but the timed lines add up to 47 (97112 24 + 97110 23)" $N -- check $D/total-timed.ndjson
expect_stdin "total-timed: total under timed" 1 "the note's total treatment time (20 min) is less than its total timed minutes (24)" $N -- check $D/total-timed.ndjson
expect_has "total-timed: untimed minutes not counted" "0 errors, 0 warnings" -- check $D/total-timed-ok.ndjson

# ---- medicare.discipline-modifier (CMS Pub. 100-04 ch. 5 s20.1) ----------
expect_stdin "discipline: GO on a PT visit" 1 "97110 was sent with GO (OT plan of care), but the provider's discipline is PT: use GP" $N -- check $D/discipline.ndjson
expect_stdin "discipline: two of GP/GO/GN" 1 "97110 carries GP and GN: a line takes only one of GP/GO/GN" $N -- check $D/discipline.ndjson
expect_has "discipline: GO added to an OT line" "97535  x2  GO" -- check $D/discipline-ok.ndjson
expect_stdin "discipline: none sent and none to tell" 1 "error    line 1  medicare.discipline-modifier: cannot tell whether 97112 is PT, OT or SLP: send provider.discipline or GP/GO/GN" $N -- check $D/discipline.ndjson
expect_has "discipline: a PTA's line is PT" "97112  x2  GP CQ" -- check $D/discipline-ok.ndjson

# ---- medicare.assistant-modifier and the CQ/CO claim split ---------------
expect_stdin "assistant: PT 15 + PTA 10 splits 97110" 1 "97110: the PTA furnished 10 min on their own, more than 10% of the 10 min left after the therapist's full units, so 1 unit bills with CQ (paid at 85%) and 1 without" $N -- check $D/assistant.ndjson
expect_stdin "assistant: CQ on an OT line" 1 "97535 carries CQ, which must pair with GP, but the line's discipline modifier is GO" $N -- check $D/assistant.ndjson
expect_has "assistant: 1 min of PTA is de minimis" "97110  x2  GP" -- check $D/assistant-ok.ndjson
expect_has "assistant: OTA in whole gets CO" "97530  x2  GO CO" -- check $D/assistant-ok.ndjson

# ---- medicare.telehealth (domain.md s6.2) --------------------------------
expect_stdin "telehealth: the 2026-01-31 lapse" 1 "telehealth on 2026-02-01 is outside Medicare telehealth for therapists: the flexibilities lapsed 2026-01-31" $N -- check $D/telehealth.ndjson
expect_stdin "telehealth: before 2020-03-01" 1 "before 2020-03-01 PTs, OTs and SLPs were not Medicare telehealth practitioners" $N -- check $D/telehealth.ndjson
expect_stdin "telehealth: after 2027" 1 "extended the flexibilities only through 2027-12-31" $N -- check $D/telehealth.ndjson
expect_stdin "telehealth: home is POS 10" 1 "telehealth with the patient at home is POS 10, not 02" $N -- check $D/telehealth.ndjson
expect_stdin "telehealth: 2023 needs modifier 95" 1 "97110 lacks modifier 95: through 2023-12-31 each telehealth line carries 95" $N -- check $D/telehealth.ndjson
expect_has "telehealth: 2021 with 95, restored 2025-11, 2026-03 and 2027-12-31" "4 visits checked, 0 bad records skipped; findings: 0 errors" -- check $D/telehealth-ok.ndjson

# ---- other payers --------------------------------------------------------
expect_stdin "ama-default: per-code units, under-billed is a warning" 1 "warning  line 2  ama-default.units-match: 97110: billed 1, but 23 min earn 2 units under the AMA per-code rule; 1 unit not billed" $N -- check $D/ama.ndjson
expect_stdin "ama-default: 7 min of 97140 earns nothing" 1 "ama-default.units-match: 97140: billed 1, but 7 min earn 0 units under the AMA per-code rule; bill 0" $N -- check $D/ama.ndjson
expect_stdin "acme-health: no 97112 by telehealth" 1 "acme-health.no-telehealth-97112: 97112 by telehealth is not covered; bill it only in person" $N -- check $D/acme.ndjson
expect_stdin "acme-health: only full 15 minutes" 1 "acme-health.units-match: 97110: billed 2, but 29 min earn 1 unit under the payer's unit policy; bill 1" $N -- check $D/acme.ndjson
expect_has "--payer overrides the visit's payer" "AM2  2026-03-04  medicare  (Medicare Part B)" -- check --payer medicare $D/ama.ndjson

# ---- clinic ----------------------------------------------------------------
expect_has "Ex2 tie without a clinic: input order" "97110  x2" -- check $D/tie.ndjson
expect_has "Ex2 tie with the clinic's preference" "97112  x2" -- check --clinic plugins/clinics/example.lua $D/tie.ndjson
expect_exit "clinic may not lower a payer rule" 2 "medicare.units-match" -- check --clinic $P/clinic-lowers.lua $D/ok.ndjson

# ---- bad records ---------------------------------------------------------
expect_stdin "bad record skipped, next visit checked" 1 "B2" $N -- check $D/bad-record.ndjson
expect_stdin "bad record counted" 1 "1 bad record skipped" $N -- check $D/bad-record.ndjson

# ---- sandbox: each misbehaving rule is one finding; the next visit runs --
expect_stdin "loop: budget" 1 "loop.bad aborted: instruction budget exceeded at tests/data/payers/loop.lua:10" $N -- check --payer $P/loop.lua $D/two.ndjson
expect_stdin "loop: next visit" 1 "loop.normal: checked T2" $N -- check --payer $P/loop.lua $D/two.ndjson
expect_stdin "pcall-loop: budget not swallowed" 1 "pcall-loop.bad aborted: instruction budget exceeded at tests/data/payers/pcall-loop.lua:10" $N -- check --payer $P/pcall-loop.lua $D/two.ndjson
expect_stdin "pcall-loop: next visit" 1 "pcall-loop.normal: checked T2" $N -- check --payer $P/pcall-loop.lua $D/two.ndjson
expect_stdin "recurse: stopped (stack or memory, whichever comes first)" 1 "recurse.bad aborted: " $N -- check --payer $P/recurse.lua $D/two.ndjson
expect_stdin "recurse: the message names the line" 1 "tests/data/payers/recurse.lua:10" $N -- check --payer $P/recurse.lua $D/two.ndjson
expect_stdin "recurse: next visit" 1 "recurse.normal: checked T2" $N -- check --payer $P/recurse.lua $D/two.ndjson
expect_stdin "alloc: memory" 1 "alloc.bad aborted: memory limit exceeded" $N -- check --payer $P/alloc.lua $D/two.ndjson
expect_stdin "alloc: where" 1 "at tests/data/payers/alloc.lua:11" $N -- check --payer $P/alloc.lua $D/two.ndjson
expect_stdin "alloc: next visit" 1 "alloc.normal: checked T2" $N -- check --payer $P/alloc.lua $D/two.ndjson
expect_stdin "error-table: text of a table error" 1 "error-table.bad aborted: tests/data/payers/error-table.lua:10: error object is a table value" $N -- check --payer $P/error-table.lua $D/two.ndjson
expect_stdin "error-table: next visit" 1 "error-table.normal: checked T2" $N -- check --payer $P/error-table.lua $D/two.ndjson
expect_stdin "escape-io: no io" 1 "escape-io.bad aborted: tests/data/payers/escape-io.lua:10: undefined global 'io'" $N -- check --payer $P/escape-io.lua $D/two.ndjson
expect_stdin "escape-io: next visit" 1 "escape-io.normal: checked T2" $N -- check --payer $P/escape-io.lua $D/two.ndjson
expect_stdin "escape-os: no os.execute" 1 "escape-os.bad aborted: tests/data/payers/escape-os.lua:10: attempt to call a nil value (field 'execute')" $N -- check --payer $P/escape-os.lua $D/two.ndjson
expect_stdin "escape-os: next visit" 1 "escape-os.normal: checked T2" $N -- check --payer $P/escape-os.lua $D/two.ndjson

# ---- --format ndjson: exact lines ------------------------------------------
expect_out "ndjson: claim lines of CMS example 1" '{"visit":"V1","cpt":"97112","units":2,"modifiers":["GP"],"dx_pointers":[1,2]}
{"visit":"V1","cpt":"97110","units":1,"modifiers":["GP"],"dx_pointers":[1,2]}' -- check --format ndjson $D/small.ndjson
expect_out "ndjson: de minimis PTA, and an OTA's whole service with CO" '{"visit":"A3","cpt":"97110","units":2,"modifiers":["GP"],"dx_pointers":[1]}
{"visit":"A4","cpt":"97530","units":2,"modifiers":["GO","CO"],"dx_pointers":[1]}
{"visit":"A4","line":1,"rule":"medicare.assistant-modifier","severity":"info","message":"97530: furnished in whole by the OTA (30 min), so 2 units bill with CO (paid at 85%)","cite":"CMS Pub. 100-04 ch. 5 §20.1; 42 CFR 410.59(a)(4), 410.60(a)(4)"}' -- check --format ndjson $D/assistant-ok.ndjson
expect_stdin "ndjson from stdin with --payer" 0 '{"visit":"V1","cpt":"97110","units":1,"modifiers":["GP"],"dx_pointers":[1,2]}' $D/small.ndjson -- check --payer medicare --format ndjson -
