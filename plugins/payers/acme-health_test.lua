-- Tests of plugins/payers/acme-health.lua, the README's example payer: full
-- 15 minutes per unit, code by code, and no 97112 by telehealth.
-- luacheck: read globals describe it expect check fixture visit eightmin

local function day(lines, extra)
  local v = { id = "A1", date = "2026-03-04", payer = "acme-health", pos = "11",
              provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
              diagnoses = { "M54.5" }, lines = lines }
  for k, val in pairs(extra or {}) do v[k] = val end
  return visit(v)
end

describe("acme-health units", function()
  it("pays only full 15-minute units, code by code", function()
    local r = check(day { { cpt = "97112", minutes = 24 }, { cpt = "97110", minutes = 23 } }, "acme-health")
    expect(r.units.by_code["97112"].units):equals(1)
    expect(r.units.by_code["97110"].units):equals(1)
    expect(r.units.total_units):equals(2)
  end)
  it("14 minutes earn nothing", function()
    local r = check(day { { cpt = "97110", minutes = 14 } }, "acme-health")
    expect(#r.claims):equals(0)
  end)
end)

describe("acme-health telehealth", function()
  it("97112 by telehealth is an error", function()
    local r = check(day({ { cpt = "97112", minutes = 30 } },
      { pos = "10", telehealth = { modality = "audio_video", patient_at_home = true } }), "acme-health")
    expect(r):has_finding("acme-health.no-telehealth-97112", { severity = "error", line = 1 })
  end)
  it("97112 in person is fine", function()
    expect(check(day { { cpt = "97112", minutes = 30 } }, "acme-health"))
      :has_no_finding("acme-health.no-telehealth-97112")
  end)
end)
