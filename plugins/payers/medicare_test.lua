-- Tests of plugins/payers/medicare.lua: units under CMS Pub. 100-04 ch. 5
-- §20.2, claim lines, modifiers and the rules' findings.
-- Run from the top of the tree: bin/eightmin test plugins/payers
-- luacheck: read globals describe it expect check fixture visit eightmin

local PT = { npi = "1234567893", discipline = "PT", credential = "PT" }

-- A clean Medicare PT visit with the given lines (minutes per line).
local function day(lines, extra)
  local v = { id = "T1", date = "2026-03-04", payer = "medicare", pos = "11", provider = PT,
              diagnoses = { "I69.354", "R26.81" }, lines = lines }
  for k, val in pairs(extra or {}) do v[k] = val end
  return visit(v)
end

local function units_of(result)
  local out = {}
  for _, c in ipairs(result.claims) do
    out[#out + 1] = c.cpt .. " " .. c.units .. (#c.modifiers > 0 and (" " .. table.concat(c.modifiers, " ")) or "")
  end
  return out
end

describe("medicare units: the manual's examples", function()
  it("Ex1: 97112 24 + 97110 23 = 2 + 1", function()
    local r = check(day { { cpt = "97112", minutes = 24 }, { cpt = "97110", minutes = 23 } }, "medicare")
    expect(units_of(r)):equals { "97112 2 GP", "97110 1 GP" }
    expect(r.units.timed_minutes):equals(47)
  end)
  it("Ex3: 97110 33 + 97140 7 = 2 + 1", function()
    local r = check(day { { cpt = "97110", minutes = 33 }, { cpt = "97140", minutes = 7 } }, "medicare")
    expect(units_of(r)):equals { "97110 2 GP", "97140 1 GP" }
  end)
  it("Ex4: 49 minutes are 3 units; the ultrasound gets none", function()
    local r = check(day { { cpt = "97110", minutes = 18 }, { cpt = "97140", minutes = 13 },
                          { cpt = "97116", minutes = 10 }, { cpt = "97035", minutes = 8 } }, "medicare")
    expect(units_of(r)):equals { "97110 1 GP", "97140 1 GP", "97116 1 GP" }
    expect(r.units.by_code["97035"].reason):equals("outranked")
  end)
  it("Ex5: 7 + 7 + 7 minutes bill one unit", function()
    local r = check(day { { cpt = "97112", minutes = 7 }, { cpt = "97110", minutes = 7 },
                          { cpt = "97140", minutes = 7 } }, "medicare")
    expect(units_of(r)):equals { "97112 1 GP" }
  end)
  it("an untimed code is one unit whatever its minutes", function()
    local r = check(day { { cpt = "97161", minutes = 45 }, { cpt = "97112", minutes = 10 } }, "medicare")
    expect(units_of(r)):equals { "97161 1 GP", "97112 1 GP" }
  end)
end)

describe("medicare findings", function()
  it("billing more units than the minutes earn is an error", function()
    local r = check(day { { cpt = "97112", minutes = 24, units = 3 }, { cpt = "97110", minutes = 23, units = 1 } },
                    "medicare")
    expect(r):has_finding("medicare.units-match", { severity = "error", line = 1, message = "billed 3" })
  end)
  it("units billed as earned raise no units finding", function()
    local r = check(day { { cpt = "97112", minutes = 24, units = 2 }, { cpt = "97110", minutes = 23, units = 1 } },
                    "medicare")
    expect(r):has_no_finding("medicare.units-match")
  end)
  it("a timed line without minutes is an error", function()
    expect(check(day { { cpt = "97112" } }, "medicare"))
      :has_finding("medicare.minutes-missing", { severity = "error", line = 1 })
  end)
  it("overlapping timed segments are an error", function()
    local r = check(day { { cpt = "97112", start = "09:00", ["end"] = "09:25" },
                          { cpt = "97110", start = "09:20", ["end"] = "09:40" } }, "medicare")
    expect(r):has_finding("medicare.overlapping-segments", { severity = "error" })
  end)
  it("GO on a PT visit is an error", function()
    expect(check(day { { cpt = "97110", minutes = 30, modifiers = { "GO" } } }, "medicare"))
      :has_finding("medicare.discipline-modifier", { severity = "error" })
  end)
  it("a PTA's part beyond 10% splits the code into lines with and without CQ", function()
    local r = check(day { { cpt = "97110", segments = {
      { minutes = 15, by = "PT" }, { minutes = 10, by = "PTA" } } } }, "medicare")
    expect(units_of(r)):equals { "97110 1 GP", "97110 1 GP CQ" }
  end)
  it("telehealth on 2026-02-01 falls in the lapse", function()
    local r = check(day({ { cpt = "97110", minutes = 30 } },
      { date = "2026-02-01", pos = "10", telehealth = { modality = "audio_video", patient_at_home = true } }),
      "medicare")
    expect(r):has_finding("medicare.telehealth", { severity = "error" })
  end)
  it("telehealth at home on 2026-03-04 with POS 10 is allowed", function()
    local r = check(day({ { cpt = "97110", minutes = 30 } },
      { pos = "10", telehealth = { modality = "audio_video", patient_at_home = true } }), "medicare")
    expect(r):has_no_finding("medicare.telehealth")
  end)
end)

-- CPM5 §20.1: GP/GO/GN on every always-therapy code. With no discipline
-- anywhere (no provider discipline, no credential, no line `by`) and none
-- sent, the claim line would go out bare: an error, not silence.
describe("medicare.discipline-modifier: a discipline that cannot be told", function()
  local NO_DISCIPLINE = { npi = "1234567893" }
  it("no provider discipline, credential or by, none sent: an error per code", function()
    local r = check(day({ { cpt = "97112", minutes = 24 }, { cpt = "97110", minutes = 23 } },
      { provider = NO_DISCIPLINE }), "medicare")
    expect(r):has_finding("medicare.discipline-modifier", { severity = "error", line = 1,
      message = "cannot tell whether 97112 is PT, OT or SLP: send provider.discipline or GP/GO/GN" })
    expect(r):has_finding("medicare.discipline-modifier", { severity = "error", line = 2,
      message = "cannot tell whether 97110 is PT, OT or SLP" })
    expect(units_of(r)):equals { "97112 2", "97110 1" }
  end)
  it("no provider at all: the same error", function()
    local v = { id = "T1", date = "2026-03-04", payer = "medicare", pos = "11",
                diagnoses = { "R26.81" }, lines = { { cpt = "97112", minutes = 24 } } }
    expect(check(visit(v), "medicare")):has_finding("medicare.discipline-modifier",
      { severity = "error", line = 1, message = "cannot tell whether 97112 is PT, OT or SLP" })
  end)
  it("an unknown provider discipline tells nothing either", function()
    expect(check(day({ { cpt = "97112", minutes = 24 } },
      { provider = { npi = "1234567893", discipline = "RT" } }), "medicare"))
      :has_finding("medicare.discipline-modifier", { line = 1, message = "cannot tell whether 97112" })
  end)
  it("GP sent: no finding", function()
    expect(check(day({ { cpt = "97112", minutes = 24, modifiers = { "GP" } } },
      { provider = NO_DISCIPLINE }), "medicare")):has_no_finding("medicare.discipline-modifier")
  end)
  it("the line's by tells the discipline (a PTA's line is PT): GP added, no finding", function()
    local r = check(day({ { cpt = "97112", minutes = 24, by = "PTA" } }, { provider = NO_DISCIPLINE }),
      "medicare")
    expect(r):has_no_finding("medicare.discipline-modifier")
    expect(units_of(r)[1]):contains "GP"
  end)
  it("the provider's credential tells the discipline: GO added, no finding", function()
    local r = check(day({ { cpt = "97535", minutes = 30 } },
      { provider = { npi = "1456789019", credential = "OT" } }), "medicare")
    expect(r):has_no_finding("medicare.discipline-modifier")
    expect(units_of(r)):equals { "97535 2 GO" }
  end)
  it("one line of a code with a discipline covers the code's claim line", function()
    local r = check(day({ { cpt = "97110", minutes = 10 }, { cpt = "97110", minutes = 15, by = "PT" } },
      { provider = NO_DISCIPLINE }), "medicare")
    expect(r):has_no_finding("medicare.discipline-modifier")
  end)
end)

-- CQ/CO are required from 2020-01-01 and paid at 85% from 2022-01-01
-- (domain.md §4; BBA 2018 §53107, 42 CFR 410.59(a)(4)).
describe("medicare CQ/CO by date of service", function()
  local PT_PTA = { { cpt = "97110", segments = { { minutes = 15, by = "PT" }, { minutes = 10, by = "PTA" } } } }
  local function messages(r, rule)
    local out = {}
    for _, f in ipairs(r.findings) do
      if f.rule == rule then out[#out + 1] = f.message end
    end
    return out
  end
  it("2019-12-31: no CQ on the claim and no assistant finding", function()
    local r = check(day(PT_PTA, { date = "2019-12-31" }), "medicare")
    expect(units_of(r)):equals { "97110 2 GP" }
    expect(r):has_no_finding("medicare.assistant-modifier")
  end)
  it("2019-12-31: a CQ sent before the modifier existed is not judged", function()
    expect(check(day({ { cpt = "97535", minutes = 30, modifiers = { "GO", "CQ" } } },
      { date = "2019-12-31" }), "medicare")):has_no_finding("medicare.assistant-modifier")
  end)
  it("2020-01-01: the split starts", function()
    local r = check(day(PT_PTA, { date = "2020-01-01" }), "medicare")
    expect(units_of(r)):equals { "97110 1 GP", "97110 1 GP CQ" }
    expect(r):has_finding("medicare.assistant-modifier", { message = "so 1 unit bills with CQ" })
  end)
  it("2021-12-31: CQ, but no 85% payment yet", function()
    local r = check(day(PT_PTA, { date = "2021-12-31" }), "medicare")
    expect(units_of(r)):equals { "97110 1 GP", "97110 1 GP CQ" }
    local m = messages(r, "medicare.assistant-modifier")
    expect(#m):is(1)
    expect(m[1]:find("85%", 1, true)):is_nil()
  end)
  it("2022-01-01: paid at 85%", function()
    expect(check(day(PT_PTA, { date = "2022-01-01" }), "medicare"))
      :has_finding("medicare.assistant-modifier", { message = "with CQ (paid at 85%) and 1 without" })
  end)
  it("an OTA's whole untimed service: 85% only from 2022", function()
    local eval = { { cpt = "97165", minutes = 45, by = "OTA" } }
    local ot = { npi = "1456789019", discipline = "OT", credential = "OT" }
    local early = check(day(eval, { date = "2021-06-01", provider = ot }), "medicare")
    expect(early):has_finding("medicare.assistant-modifier", { message = "so it bills with CO" })
    expect(messages(early, "medicare.assistant-modifier")[1]:find("85%", 1, true)):is_nil()
    expect(check(day(eval, { date = "2022-06-01", provider = ot }), "medicare"))
      :has_finding("medicare.assistant-modifier", { message = "so it bills with CO (paid at 85%)" })
  end)
end)
