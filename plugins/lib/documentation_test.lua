-- Tests of lib/documentation.lua through the medicare rules that use it.
-- Run from the top of the tree: bin/eightmin test plugins/lib
-- luacheck: read globals describe it expect check fixture visit eightmin
local documentation = require "lib.documentation"

local GOOD_NOTE = {
  impairments = "impaired standing balance", functional_progress = "walks 150 ft without the cane",
  medical_necessity = "fall risk (BBS 41 < 45) needs skilled balance retraining",
  measures = { { name = "BBS", value = 41, prior = 35 } },
  total_timed_minutes = 47, total_minutes = 47,
}

-- A Medicare visit: Ex1 (97112 24 min, 97110 23 min) with a full note;
-- `over` replaces top-level fields, `note` merges into the note.
local function v(over, note)
  local t = {
    id = "D1", date = "2026-03-04", payer = "medicare", pos = "11",
    patient = { id = "P1", dob = "1950-01-01" },
    provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
    diagnoses = { "R26.81" },
    lines = {
      { cpt = "97112", minutes = 24, units = 2,
        interventions = { { text = "tandem stance on foam 3x30 s", goal = "balance" } } },
      { cpt = "97110", minutes = 23, units = 1,
        interventions = { { text = "sit-to-stand 3x10", goal = "strength" } } },
    },
    note = {},
  }
  for k, x in pairs(GOOD_NOTE) do t.note[k] = x end
  for k, x in pairs(note or {}) do t.note[k] = x end
  for k, x in pairs(over or {}) do t[k] = x end
  if t.note_absent then t.note, t.note_absent = nil, nil end
  return t
end

local function episode(e)
  local t = { start_of_care = "2026-02-10", treatment_day = 7, last_progress_report = nil,
              plan_of_care = { signed_on = "2026-02-20", certified_through = "2026-05-10" } }
  for k, x in pairs(e or {}) do t[k] = x end
  return t
end

describe("medicare.note-elements", function()
  it("passes: a full note", function()
    local r = check(v(), "medicare")
    expect(r):has_no_finding("medicare.note-elements")
    expect(#r.findings):is(0)
  end)
  it("fails: impairments and necessity missing", function()
    expect(check(v(nil, { impairments = "", medical_necessity = "  " }), "medicare"))
      :has_finding("medicare.note-elements", { severity = "warning",
        message = "the treatment note does not show impairments; medical necessity" })
  end)
  it("fails: an intervention without parameters", function()
    local t = v()
    t.lines[2].interventions = { { text = "hip strengthening", goal = "strength" } }
    expect(check(t, "medicare")):has_finding("medicare.note-elements",
      { line = 2, message = "\"hip strengthening\" gives no parameters" })
  end)
  it("no measures: only information", function()
    expect(check(v(nil, { measures = {} }), "medicare")):has_finding("medicare.note-elements",
      { severity = "info", message = "recommended, not required" })
  end)
  it("a note with minute totals only is not judged", function()
    local t = v()
    t.note = { total_timed_minutes = 47, total_minutes = 47 }
    for _, l in ipairs(t.lines) do l.interventions = nil end
    expect(check(t, "medicare")):has_no_finding("medicare.note-elements")
  end)
  it("parameters recognised", function()
    for _, s in ipairs({ "3x10", "x12", "3 sets", "30 s", "45 sec", "150 ft", "20 m", "5 lbs",
                         "red band", "grade III", "2 laps" }) do
      expect(documentation.has_parameters("work " .. s)):is_true()
    end
    expect(documentation.has_parameters("hip strengthening")):is_false()
  end)
end)

describe("medicare.minutes-support-units", function()
  it("fails: units on a line without minutes beyond the note's total", function()
    local t = v(nil, { total_timed_minutes = 24 })
    t.lines[2] = { cpt = "97530", units = 2, interventions = { { text = "transfers x5" } } }
    expect(check(t, "medicare")):has_finding("medicare.minutes-support-units",
      { severity = "error",
        message = "4 timed units are billed, but the note's 24 total timed minutes earn at most 2" })
  end)
  it("passes: the billing agrees with the note", function()
    expect(check(v(), "medicare")):has_no_finding("medicare.minutes-support-units")
  end)
  it("leaves to units-match what the lines' minutes already judge", function()
    local t = v()
    t.lines[1].units = 3
    local r = check(t, "medicare")
    expect(r):has_finding("medicare.units-match")
    expect(r):has_no_finding("medicare.minutes-support-units")
  end)
end)

describe("medicare.progress-report-due", function()
  it("fails: treatment day 11 with no progress report", function()
    expect(check(v { episode = episode { treatment_day = 11 } }, "medicare"))
      :has_finding("medicare.progress-report-due", { severity = "error",
        message = "treatment day 11 and no progress report since the start of care (2026-02-10)" })
  end)
  it("day 10: due today (information)", function()
    expect(check(v { episode = episode { treatment_day = 10 } }, "medicare"))
      :has_finding("medicare.progress-report-due", { severity = "info", message = "due today" })
  end)
  it("passes: day 7, or a recent report", function()
    expect(check(v { episode = episode() }, "medicare")):has_no_finding("medicare.progress-report-due")
    expect(check(v { episode = episode { treatment_day = 14, last_progress_report = "2026-02-24" } },
      "medicare")):has_no_finding("medicare.progress-report-due")
  end)
  it("an old report: asks, as a warning", function()
    expect(check(v { episode = episode { treatment_day = 24, last_progress_report = "2026-01-20",
                                         start_of_care = "2026-01-05" } }, "medicare"))
      :has_finding("medicare.progress-report-due", { severity = "warning", message = "43 calendar days ago" })
  end)
  it("a report from an earlier episode does not count", function()
    expect(check(v { episode = episode { treatment_day = 12, last_progress_report = "2025-11-02" } },
      "medicare")):has_finding("medicare.progress-report-due", { severity = "error" })
  end)
end)

describe("medicare.poc-certification", function()
  it("passes: signed in 10 days, 90 calendar days certified (2026-02-10 through 2026-05-10)", function()
    expect(check(v { episode = episode() }, "medicare")):has_no_finding("medicare.poc-certification")
  end)
  it("fails: not signed 30+ days after the start of care", function()
    expect(check(v { date = "2026-03-20", episode = episode { plan_of_care = { certified_through = "2026-05-10" } } },
      "medicare"))
      :has_finding("medicare.poc-certification", { severity = "error",
        message = "not certified 38 days after the start of care (2026-02-10)" })
  end)
  it("not yet signed within 30 days: information", function()
    expect(check(v { date = "2026-02-20", episode = episode { plan_of_care = { certified_through = "2026-05-10" } } },
      "medicare")):has_finding("medicare.poc-certification", { severity = "info", message = "sign it by 2026-03-12" })
  end)
  it("signed late: warning about the reason for the delay", function()
    expect(check(v { episode = episode { plan_of_care = { signed_on = "2026-03-20",
      certified_through = "2026-05-10" } } }, "medicare"))
      :has_finding("medicare.poc-certification", { severity = "warning", message = "38 days after" })
  end)
  it("fails: a certification longer than 90 days", function()
    expect(check(v { episode = episode { plan_of_care = { signed_on = "2026-02-20",
      certified_through = "2026-06-30" } } }, "medicare"))
      :has_finding("medicare.poc-certification",
        { message = "runs 141 calendar days (2026-02-10 through 2026-06-30, both counted)" })
  end)
  it("fails: the visit after the certified period", function()
    expect(check(v { date = "2026-05-12", episode = episode() }, "medicare"))
      :has_finding("medicare.poc-certification",
        { message = "after the plan of care's certification through 2026-05-10" })
  end)
  -- Calendar days are counted inclusively: the start of care is day 1.
  it("fails: 91 calendar days (2026-01-01 through 2026-04-01)", function()
    expect(check(v { date = "2026-01-20", episode = episode { start_of_care = "2026-01-01",
      plan_of_care = { signed_on = "2026-01-05", certified_through = "2026-04-01" } } }, "medicare"))
      :has_finding("medicare.poc-certification", { severity = "error", message = "the certification"
        .. " runs 91 calendar days (2026-01-01 through 2026-04-01, both counted); a certification"
        .. " covers at most 90 calendar days" })
  end)
  it("passes: 90 calendar days (2026-01-01 through 2026-03-31)", function()
    expect(check(v { date = "2026-01-20", episode = episode { start_of_care = "2026-01-01",
      plan_of_care = { signed_on = "2026-01-05", certified_through = "2026-03-31" } } }, "medicare"))
      :has_no_finding("medicare.poc-certification")
  end)
  it("fails: a recertification of 91 days, counted from recertified_on", function()
    expect(check(v { date = "2026-06-01", episode = episode { plan_of_care = { signed_on = "2026-02-20",
      recertified_on = "2026-05-08", certified_through = "2026-08-06" } } }, "medicare"))
      :has_finding("medicare.poc-certification", { severity = "error",
        message = "the recertification runs 91 calendar days (2026-05-08 through 2026-08-06" })
  end)
  it("a recertification is a certification: no 'not certified' without signed_on", function()
    local r = check(v { date = "2026-06-01", episode = episode { plan_of_care = {
      recertified_on = "2026-05-08", certified_through = "2026-08-05" } } }, "medicare")
    expect(r):has_no_finding("medicare.poc-certification")
  end)
  it("a recertification starts its own 90 days", function()
    expect(check(v { date = "2026-06-01", episode = episode { plan_of_care = { signed_on = "2026-02-20",
      recertified_on = "2026-05-08", certified_through = "2026-08-05" } } }, "medicare"))
      :has_no_finding("medicare.poc-certification")
  end)
end)

describe("medicare.vague-language", function()
  it("fails: tolerated well, continue POC, pt did well", function()
    local r = check(v(nil, { text = "Pt tolerated well. Continue POC.",
                             functional_progress = "pt did well" }), "medicare")
    expect(r):has_finding("medicare.vague-language", { message = "note.text says \"tolerated well\"" })
    expect(r):has_finding("medicare.vague-language",
      { message = "\"continue poc\", which shows no skilled care: say what" })
    expect(r):has_finding("medicare.vague-language", { message = "note.functional_progress says \"pt did well\"" })
  end)
  it("in an intervention, on its line", function()
    local t = v()
    t.lines[1].interventions = { { text = "balance 3x30 s, tolerated treatment well" } }
    expect(check(t, "medicare")):has_finding("medicare.vague-language", { line = 1 })
  end)
  it("passes: specific wording", function()
    expect(check(v(nil, { text = "Completed 3x30 s tandem stance with 2 losses of balance;"
      .. " pain 2/10 after" }), "medicare")):has_no_finding("medicare.vague-language")
  end)
end)

describe("medicare.maintenance-language", function()
  it("fails: maintenance without a skilled need", function()
    expect(check(v(nil, { medical_necessity = "maintain current level of function" }), "medicare"))
      :has_finding("medicare.maintenance-language", { severity = "warning",
        message = "maintenance therapy is covered when it needs a therapist's skill" })
  end)
  it("passes: maintenance with the skilled need (Jimmo)", function()
    expect(check(v(nil, { medical_necessity = "maintain walking; Parkinson's with freezing needs a"
      .. " therapist to progress cueing safely" }), "medicare"))
      :has_no_finding("medicare.maintenance-language")
  end)
  it("passes: no maintenance wording", function()
    expect(check(v(), "medicare")):has_no_finding("medicare.maintenance-language")
  end)
end)

describe("medicare.outcome-measure-range", function()
  it("fails: BBS 60 is above 56", function()
    expect(check(v(nil, { measures = { { name = "BBS", value = 60, prior = 35 } } }), "medicare"))
      :has_finding("medicare.outcome-measure-range", { severity = "error",
        message = "BBS value 60 is above the scale's range 0-56 points" })
  end)
  it("fails: TUG of 0 seconds, a prior out of range", function()
    local r = check(v(nil, { measures = { { name = "Timed Up and Go", value = 0 },
                                          { name = "berg", value = 40, prior = -1 } } }), "medicare")
    expect(r):has_finding("medicare.outcome-measure-range",
      { message = "Timed Up and Go value 0 is not above 0 seconds" })
    expect(r):has_finding("medicare.outcome-measure-range", { message = "berg prior -1 is below" })
  end)
  it("an unconfirmed range says so", function()
    expect(check(v(nil, { measures = { { name = "FGA", value = 31 } } }), "medicare"))
      :has_finding("medicare.outcome-measure-range", { message = "unconfirmed [U]" })
  end)
  it("passes: values within range, unknown measures left alone", function()
    expect(check(v(nil, { measures = { { name = "BBS", value = 56 }, { name = "TUG", value = 12.5 },
                                       { name = "Grip", value = 300 } } }), "medicare"))
      :has_no_finding("medicare.outcome-measure-range")
  end)
  it("BBS must be a whole score", function()
    expect(documentation.measure_problem(documentation.measure_spec("BBS"), 40.5)):contains "whole"
  end)
end)
