# eightmin check: the medicare rules built on plugins/lib (classification,
# documentation, code pairs, ceilings). Fixtures: tests/data/rules/, one
# failing and one passing file per rule.
R=tests/data/rules
N=/dev/null
OK="0 errors, 0 warnings, 0 infos"

# ---- medicare.classification-supports-code (CPT descriptors; BPM ch. 15 s220.3)
expect_has "classification: 97112 billed for squats" "warning  line 1  medicare.classification-supports-code: 97112 billed; interventions describe strengthening: Squats 3x10, lunges 2x10" -- check $R/classification.ndjson
expect_has "classification: evidence and integer confidence" "suggests 97110 at 100% confidence" -- check $R/classification.ndjson
expect_has "classification: SLS on foam supports 97112" "$OK" -- check $R/classification-ok.ndjson
expect_has "classification: a clinic hint of weight 1000 counts as 3 and cannot silence it" "info     line 1  medicare.classification-supports-code: 97110 billed; interventions describe balance" -- check --clinic $R/heavy-hints.lua $R/classification-hints.ndjson
expect_has "classification: the heavy hint shows as the weaker support" "support for 97110 is weaker ('foam' in" -- check --clinic $R/heavy-hints.lua $R/classification-hints.ndjson

# ---- medicare.note-elements (BPM ch. 15 s220.3) ---------------------------
expect_has "note-elements: missing elements" "medicare.note-elements: the treatment note does not show impairments; functional progress; medical necessity" -- check $R/note.ndjson
expect_has "note-elements: no parameters" "97112: \"perturbation training\" gives no parameters" -- check $R/note.ndjson
expect_has "note-elements: measures are only recommended" "info     visit   medicare.note-elements: the note records no objective measure" -- check $R/note.ndjson
expect_has "note-elements: a full note" "$OK" -- check $R/note-ok.ndjson

# ---- medicare.minutes-support-units (CPM ch. 5 s20.2) -----------------------
expect_stdin "minutes-support-units: units beyond the note's minutes" 1 "medicare.minutes-support-units: 4 timed units are billed, but the note's 24 total timed minutes earn at most 2" $N -- check $R/units.ndjson
expect_has "minutes-support-units: consistent" "$OK" -- check $R/units-ok.ndjson

# ---- medicare.progress-report-due (BPM ch. 15 s220.3 D) --------------------
expect_stdin "progress-report-due: day 11, none yet" 1 "medicare.progress-report-due: treatment day 11 and no progress report since the start of care (2026-03-02)" $N -- check $R/progress.ndjson
expect_has "progress-report-due: day 7, or a report 6 days ago" "$OK" -- check $R/progress-ok.ndjson

# ---- medicare.poc-certification (BPM ch. 15 s220.1.3) ----------------------
expect_stdin "poc-certification: unsigned after 30 days" 1 "the plan of care is not certified 39 days after the start of care (2026-03-02)" $N -- check $R/poc.ndjson
expect_stdin "poc-certification: visit after the period" 1 "the visit on 2026-06-02 is after the plan of care's certification through 2026-05-30" $N -- check $R/poc.ndjson
expect_stdin "poc-certification: over 90 days" 1 "the certification runs 151 calendar days (2026-03-02 through 2026-07-30, both counted); a certification covers at most 90 calendar days" $N -- check $R/poc.ndjson
expect_stdin "poc-certification: 91 calendar days, both ends counted" 1 "error    visit   medicare.poc-certification: the certification runs 91 calendar days (2026-01-01 through 2026-04-01, both counted)" $N -- check $R/poc.ndjson
expect_has "poc-certification: timely, 90 calendar days" "$OK" -- check $R/poc-ok.ndjson

# ---- medicare.vague-language (BPM ch. 15 s220.2, s220.3) --------------------
expect_has "vague-language: tolerated well" "medicare.vague-language: note.text says \"tolerated well\", which shows no skilled care" -- check $R/vague.ndjson
expect_has "vague-language: continue POC" "note.text says \"continue poc\", which shows no skilled care: say what the next visits change" -- check $R/vague.ndjson
expect_has "vague-language: specific wording" "$OK" -- check $R/vague-ok.ndjson

# ---- medicare.maintenance-language (BPM ch. 15 s220.2 C-D; Jimmo) -----------
expect_has "maintenance-language: no skilled need" "medicare.maintenance-language: note.medical_necessity speaks of maintenance (\"maintain current level of function\") but not of the skilled need: maintenance therapy is covered when it needs a therapist's skill" -- check $R/maintenance.ndjson
expect_has "maintenance-language: the skilled need shown" "$OK" -- check $R/maintenance-ok.ndjson

# ---- medicare.outcome-measure-range ----------------------------------------
expect_stdin "outcome-measure-range: BBS 58" 1 "medicare.outcome-measure-range: BBS value 58 is above the scale's range 0-56 points" $N -- check $R/measures.ndjson
expect_stdin "outcome-measure-range: TUG 0 s" 1 "TUG value 0 is not above 0 seconds" $N -- check $R/measures.ndjson
expect_has "outcome-measure-range: BBS 56, TUG 12.5" "$OK" -- check $R/measures-ok.ndjson

# ---- medicare.code-pair-modifier (NCCI ch. 1 sE, ch. 11 sP) -----------------
expect_stdin "code-pair-modifier: eval with 97140" 1 "error    line 2  medicare.code-pair-modifier: 97161 and 97140 billed the same day need 59 or XE or XS or XP or XU on 97140" $N -- check $R/pairs.ndjson
expect_stdin "code-pair-modifier: an unconfirmed pair is a warning" 1 "warning  line 2  medicare.code-pair-modifier: 97140 and 97530 billed the same day" $N -- check $R/pairs.ndjson
expect_stdin "code-pair-modifier: says it is unconfirmed" 1 "this pair is unconfirmed: check the CMS NCCI PTP file" $N -- check $R/pairs.ndjson
expect_has "code-pair-modifier: XU on 97140" "$OK" -- check $R/pairs-ok.ndjson

# ---- medicare.units-per-day-ceiling (NCCI ch. 1 sV; CPM ch. 5 s20.2(D)) -----
expect_stdin "units-per-day-ceiling: 97112 x5, unconfirmed" 1 "warning  line 1  medicare.units-per-day-ceiling: 97112: 5 units on one date of service, above the ceiling of 4" $N -- check $R/ceiling.ndjson
expect_stdin "units-per-day-ceiling: says the value is unconfirmed" 1 "the value is unconfirmed: check the CMS practitioner MUE file" $N -- check $R/ceiling.ndjson
expect_stdin "units-per-day-ceiling: two PT evaluations" 1 "error    line 1  medicare.units-per-day-ceiling: PT evaluation/re-evaluation: 2 units on one date of service, above the ceiling of 1" $N -- check $R/ceiling.ndjson
expect_has "units-per-day-ceiling: 97112 x4" "$OK" -- check $R/ceiling-ok.ndjson

# ---- the demo shows every kind of finding ------------------------------------
for rule in classification-supports-code note-elements minutes-support-units progress-report-due \
            poc-certification vague-language maintenance-language outcome-measure-range \
            code-pair-modifier units-per-day-ceiling telehealth; do
    expect_stdin "demo shows medicare.$rule" 1 "medicare.$rule:" $N -- check --clinic plugins/clinics/example.lua plugins/examples/visits.ndjson
done
