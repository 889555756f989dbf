-- Tests of lib/telehealth.lua: windows, gaps, POS and modifiers, and the
-- Medicare timeline of domain.md §6.2 through medicare.telehealth.
-- Run from the top of the tree: bin/eightmin test plugins/lib
-- luacheck: read globals describe it expect check fixture visit eightmin
local telehealth = require "lib.telehealth"

-- A payer's windows for the library tests: an in-person-POS era with 95,
-- then POS 02/10 with a gap between.
local WINDOWS = {
  { name = "era A", from = "2021-01-01", to = "2021-12-31", pos = { "11" }, modifiers = { "95" },
    disciplines = { "PT" } },
  { name = "era B", from = "2022-03-01", to = "2022-12-31", pos = { "02", "10" }, home = "10",
    modifiers = {}, codes = { "97110" }, disciplines = { "PT", "OT" } },
}
local GAPS = { { from = "2022-01-01", to = "2022-01-31", why = "a January lapse" } }

local function tv(date, pos, at_home, lines, discipline, modality)
  return {
    id = "T1", date = date, payer = "medicare", pos = pos,
    patient = { id = "P1", dob = "1950-01-01" },
    provider = { npi = "1234567893", discipline = discipline or "PT", credential = "PT" },
    telehealth = { modality = modality or "audio_video", patient_at_home = at_home },
    diagnoses = { "R26.81" },
    lines = lines or { { cpt = "97110", minutes = 30 } },
  }
end

local function messages(v, opts)
  opts = opts or { windows = WINDOWS, gaps = GAPS, label = "Test telehealth" }
  local out = {}
  for _, p in ipairs(telehealth.problems(v, opts)) do out[#out + 1] = p.message end
  return out
end

describe("lib.telehealth windows", function()
  it("finds the window of a date, inclusive at both ends", function()
    expect(telehealth.window_for(WINDOWS, "2021-12-31").name):equals "era A"
    expect(telehealth.window_for(WINDOWS, "2022-03-01").name):equals "era B"
    expect(telehealth.window_for(WINDOWS, "2022-02-15")):is_nil()
  end)
  it("names a gap by its own words", function()
    expect(telehealth.gap_for(WINDOWS, GAPS, "2022-01-15")):equals "a January lapse"
  end)
  it("names an unlisted gap by the windows around it", function()
    expect(telehealth.gap_for(WINDOWS, GAPS, "2022-02-15"))
      :equals "it falls in the gap between era A (through 2021-12-31) and era B (from 2022-03-01)"
    expect(telehealth.gap_for(WINDOWS, GAPS, "2020-05-05")):contains "the first window, era A, starts 2021-01-01"
    expect(telehealth.gap_for(WINDOWS, GAPS, "2023-05-05")):contains "the last window, era B, ended 2022-12-31"
  end)
end)

describe("lib.telehealth problems", function()
  it("a visit that is not telehealth has none", function()
    local v = tv("2022-02-15", "11", true)
    v.telehealth = nil
    expect(messages(v)):equals {}
  end)
  it("outside every window", function()
    expect(messages(tv("2022-02-15", "10", true))[1])
      :contains "telehealth on 2022-02-15 is outside Test telehealth: it falls in the gap between era A"
  end)
  it("era A: in-person POS and 95 on every line", function()
    expect(messages(tv("2021-06-01", "11", true, { { cpt = "97110", minutes = 30, modifiers = { "95" } } })))
      :equals {}
    expect(messages(tv("2021-06-01", "11", true)))
      :equals { "97110 lacks modifier 95: through 2021-12-31 each telehealth line carries 95" }
    expect(messages(tv("2021-06-01", "02", true, { { cpt = "97110", minutes = 30, modifiers = { "95" } } })))
      :equals { "from 2021-01-01 telehealth is reported with POS 11, not POS 02" }
  end)
  it("era B: home is POS 10, away is POS 02", function()
    expect(messages(tv("2022-06-01", "10", true))):equals {}
    expect(messages(tv("2022-06-01", "02", false))):equals {}
    expect(messages(tv("2022-06-01", "02", true))):equals { "telehealth with the patient at home is POS 10, not 02" }
    expect(messages(tv("2022-06-01", "10", false)))
      :equals { "telehealth with the patient away from home is POS 02, not 10" }
  end)
  it("era B: a modifier the window does not use, a code off the list", function()
    local m = messages(tv("2022-06-01", "10", true, { { cpt = "97140", minutes = 30, modifiers = { "95" } } }))
    expect(m[1]):contains "97140 carries modifier 95 (synchronous audio/video), which telehealth from 2022-03-01"
    expect(m[2]):equals "97140 is not on the telehealth code list for 2022-03-01 to 2022-12-31"
  end)
  it("disciplines", function()
    expect(messages(tv("2021-06-01", "11", true, { { cpt = "97110", minutes = 30, modifiers = { "95" } } }, "SLP")))
      :equals { "telehealth by a SLP is not covered for 2021-06-01" }
  end)
  it("audio-only needs its modifier when the payer says so", function()
    local opts = { windows = WINDOWS, audio_only_modifier = "93" }
    expect(messages(tv("2022-06-01", "10", true, nil, nil, "audio_only"), opts))
      :equals { "97110 was furnished audio-only and lacks modifier 93" }
    expect(messages(tv("2022-06-01", "10", true, { { cpt = "97110", minutes = 30, modifiers = { "93" } } },
      nil, "audio_only"), opts)):equals {}
  end)
end)

describe("medicare.telehealth: the timeline of domain.md §6.2", function()
  local function mc(date, pos, lines)
    return check(tv(date, pos, true, lines), "medicare")
  end
  local with95 = { { cpt = "97110", minutes = 30, modifiers = { "95" } } }
  it("before 2020-03-01: not telehealth practitioners", function()
    expect(mc("2020-02-29", "11", with95)):has_finding("medicare.telehealth", { severity = "error",
      message = "before 2020-03-01 PTs, OTs and SLPs were not Medicare telehealth practitioners" })
  end)
  it("1 Mar 2020 to 2023: in-person POS with 95", function()
    expect(mc("2020-03-01", "11", with95)):has_no_finding("medicare.telehealth")
    expect(mc("2023-12-31", "11", with95)):has_no_finding("medicare.telehealth")
  end)
  it("2024 to 30 Sep 2025: POS 10, and 95 is a warning", function()
    expect(mc("2024-01-01", "10")):has_no_finding("medicare.telehealth")
    expect(mc("2025-09-30", "10", with95)):has_finding("medicare.telehealth", { severity = "warning",
      message = "97110 carries modifier 95" })
  end)
  it("the 1 Oct 2025 lapse was restored through 30 Jan 2026 (HR 5371)", function()
    expect(mc("2025-10-01", "10")):has_no_finding("medicare.telehealth")
    expect(mc("2026-01-30", "10")):has_no_finding("medicare.telehealth")
  end)
  it("31 Jan - 2 Feb 2026: the lapse, unconfirmed retroactivity", function()
    expect(mc("2026-01-31", "10")):has_finding("medicare.telehealth", { message = "unconfirmed [U]" })
    expect(mc("2026-02-02", "10")):has_finding("medicare.telehealth", { message = "lapsed 2026-01-31" })
  end)
  it("3 Feb 2026 to 2027 (CAA 2026), then nothing", function()
    expect(mc("2026-02-03", "10")):has_no_finding("medicare.telehealth")
    expect(mc("2027-12-31", "10")):has_no_finding("medicare.telehealth")
    expect(mc("2028-01-01", "10")):has_finding("medicare.telehealth", { message = "only through 2027-12-31" })
  end)
  it("a code off the 2020 list is a warning", function()
    expect(mc("2026-03-10", "10", { { cpt = "97140", minutes = 30 } })):has_finding("medicare.telehealth",
      { severity = "warning", message = "97140 is not on the telehealth code list" })
  end)
end)

-- A missing discipline or place of service is named as missing, never "nil".
describe("lib.telehealth missing fields", function()
  local function none_say_nil(ms)
    for _, m in ipairs(ms) do expect(m:find("nil", 1, true)):is_nil() end
  end
  it("no provider discipline", function()
    local v = tv("2021-06-01", "11", nil, { { cpt = "97110", minutes = 30, modifiers = { "95" } } })
    v.provider = { npi = "1234567893" }
    local ms = messages(v)
    expect(ms):equals { "no provider discipline: telehealth on 2021-06-01 is covered only for PT;"
      .. " send provider.discipline" }
    v.provider = nil
    expect(messages(v)):equals(ms)
  end)
  it("no place of service, patient at home", function()
    local ms = messages(tv("2022-03-04", nil, true))
    expect(ms):equals { "telehealth with the patient at home is POS 10, but the visit has no place of service" }
  end)
  it("no place of service, patient away from home", function()
    local ms = messages(tv("2022-03-04", nil, false))
    expect(ms):equals { "telehealth with the patient away from home is POS 02, but the visit has no"
      .. " place of service" }
  end)
  it("no place of service, no home POS in the window", function()
    local ms = messages(tv("2021-06-01", nil, nil, { { cpt = "97110", minutes = 30, modifiers = { "95" } } }))
    expect(ms):equals { "from 2021-01-01 telehealth is reported with POS 11, but the visit has no"
      .. " place of service" }
    none_say_nil(ms)
  end)
  it("through medicare: no discipline and no POS", function()
    local r = check(visit { id = "T9", date = "2026-03-04", payer = "medicare",
      patient = { id = "P1", dob = "1950-01-01" }, provider = { npi = "1234567893" },
      telehealth = { modality = "audio_video", patient_at_home = true }, diagnoses = { "R26.81" },
      lines = { { cpt = "97110", minutes = 30, modifiers = { "GP" } } } }, "medicare")
    expect(r):has_finding("medicare.telehealth", { message = "no provider discipline: telehealth on"
      .. " 2026-03-04 is covered only for PT, OT or SLP" })
    expect(r):has_finding("medicare.telehealth", { message = "is POS 10, but the visit has no place of service" })
    local ms = {}
    for _, f in ipairs(r.findings) do ms[#ms + 1] = f.message end
    none_say_nil(ms)
  end)
end)
