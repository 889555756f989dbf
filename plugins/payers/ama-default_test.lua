-- Tests of plugins/payers/ama-default.lua: the AMA per-code rule (each code
-- rounded alone at the midpoint, no pooling).
-- luacheck: read globals describe it expect check fixture visit eightmin

local function day(lines)
  return visit { id = "M1", date = "2026-03-04", payer = "ama-default", pos = "11",
                 provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
                 diagnoses = { "M54.5" }, lines = lines }
end

describe("ama-default units", function()
  it("24 + 23 minutes are 2 + 2 (CMS would give 3 in all)", function()
    local r = check(day { { cpt = "97112", minutes = 24 }, { cpt = "97110", minutes = 23 } }, "ama-default")
    expect(r.units.total_units):equals(4)
  end)
  it("7 + 7 + 7 minutes earn nothing", function()
    local r = check(day { { cpt = "97112", minutes = 7 }, { cpt = "97110", minutes = 7 },
                          { cpt = "97140", minutes = 7 } }, "ama-default")
    expect(r.units.total_units):equals(0)
  end)
  it("33 + 7: the 7 minutes of 97140 earn nothing", function()
    local r = check(day { { cpt = "97110", minutes = 33 }, { cpt = "97140", minutes = 7 } }, "ama-default")
    expect(r.units.by_code["97140"].units):equals(0)
    expect(r.units.by_code["97110"].units):equals(2)
  end)
  it("under-billing is a warning", function()
    local r = check(day { { cpt = "97110", minutes = 23, units = 1 } }, "ama-default")
    expect(r):has_finding("ama-default.units-match", { severity = "warning" })
  end)
end)
