-- Tests of plugins/clinics/example.lua on top of Medicare: its tie-break
-- preference and its own rules.
-- luacheck: read globals describe it expect check fixture visit eightmin

local clinic = assert(eightmin.load_clinic("plugins/clinics/example.lua"))

local function day(lines)
  return visit { id = "C1", date = "2026-03-04", payer = "medicare", pos = "11",
                 provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
                 diagnoses = { "I69.354" }, lines = lines }
end

describe("example clinic", function()
  it("Ex2 20 + 20: the leftover unit goes to 97112, the clinic's preference", function()
    local r = check(day { { cpt = "97110", minutes = 20 }, { cpt = "97112", minutes = 20 } }, "medicare", clinic)
    expect(r.units.by_code["97112"].units):equals(2)
    expect(r.units.by_code["97110"].units):equals(1)
  end)
  it("without the clinic the first code in the visit wins the tie", function()
    local r = check(day { { cpt = "97110", minutes = 20 }, { cpt = "97112", minutes = 20 } }, "medicare")
    expect(r.units.by_code["97110"].units):equals(2)
  end)
  it("raises single-under-8 to an error", function()
    local r = check(day { { cpt = "97140", minutes = 6 } }, "medicare", clinic)
    expect(r):has_finding("medicare.single-under-8", { severity = "error" })
  end)
end)
