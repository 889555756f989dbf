-- Tests of lib/code_pairs.lua: distinct-service modifiers on pairs billed the
-- same day, and per-day unit ceilings (domain.md §7).
-- Run from the top of the tree: bin/eightmin test plugins/lib
-- luacheck: read globals describe it expect check fixture visit eightmin
local code_pairs = require "lib.code_pairs"

local function pv(lines)
  return {
    id = "Q1", date = "2026-03-04", payer = "medicare", pos = "11",
    patient = { id = "P1", dob = "1950-01-01" },
    provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
    diagnoses = { "R26.81" }, lines = lines,
  }
end

describe("lib.code_pairs missing_modifiers", function()
  it("eval with 97140: 97140 needs 59 or an X modifier", function()
    local m = code_pairs.missing_modifiers(pv {
      { cpt = "97161", units = 1 }, { cpt = "97140", minutes = 15, units = 1 } })
    expect(#m):is(1)
    expect(m[1].on):equals "97140"
    expect(m[1].line):is(2)
    expect(m[1].pair.confidence):equals "B"
  end)
  it("XU on the Column 2 code bypasses", function()
    expect(code_pairs.missing_modifiers(pv {
      { cpt = "97161", units = 1 }, { cpt = "97140", minutes = 15, units = 1, modifiers = { "XU" } } }))
      :equals {}
  end)
  it("the modifier on the wrong code does not", function()
    expect(#code_pairs.missing_modifiers(pv {
      { cpt = "97161", units = 1, modifiers = { "59" } }, { cpt = "97140", minutes = 15, units = 1 } })):is(1)
  end)
  it("76 does not bypass, and says so", function()
    local m = code_pairs.missing_modifiers(pv {
      { cpt = "97530", minutes = 15, units = 1 }, { cpt = "97164", units = 1, modifiers = { "76" } } })
    expect(m[1].bad):equals "76"
    expect(m[1].want):equals { "59", "XU" }
  end)
  it("column order unknown: the modifier on either code", function()
    expect(code_pairs.missing_modifiers(pv {
      { cpt = "97530", minutes = 15, units = 1, modifiers = { "59" } }, { cpt = "97116", minutes = 15, units = 1 } }))
      :equals {}
  end)
  it("a code that bills no unit pairs with nothing", function()
    expect(code_pairs.missing_modifiers(pv { { cpt = "97161", units = 1 }, { cpt = "97140", minutes = 6, units = 0 } }))
      :equals {}
  end)
  it("97110 with 97140 is not encoded ([U], no Medicare edit known)", function()
    expect(code_pairs.missing_modifiers(pv {
      { cpt = "97110", minutes = 23, units = 2 }, { cpt = "97140", minutes = 15, units = 1 } })):equals {}
  end)
  it("a payer's own pairs replace the defaults", function()
    local mine = { { a = { "97110" }, b = { "97140" }, on = "b", confidence = "C", source = "plan X" } }
    expect(#code_pairs.missing_modifiers(pv {
      { cpt = "97110", minutes = 23, units = 2 }, { cpt = "97140", minutes = 15, units = 1 } }, mine)):is(1)
  end)
end)

describe("lib.code_pairs over_ceilings", function()
  it("97112 above 4 units", function()
    local o = code_pairs.over_ceilings(pv { { cpt = "97112", minutes = 75, units = 5 } })
    expect(o[1].units):is(5)
    expect(o[1].max):is(4)
    expect(o[1].ceiling.confidence):equals "U"
  end)
  it("two PT evaluations on one date", function()
    local o = code_pairs.over_ceilings(pv { { cpt = "97161", units = 1 }, { cpt = "97164", units = 1 } })
    expect(o[1].codes):equals { "97161", "97164" }
    expect(o[1].ceiling.confidence):equals "A"
  end)
  it("within the ceilings", function()
    expect(code_pairs.over_ceilings(pv { { cpt = "97110", minutes = 90, units = 6 } })):equals {}
  end)
end)

describe("medicare.code-pair-modifier", function()
  it("fails: 97161 and 97140 without a modifier", function()
    expect(check(pv { { cpt = "97161", minutes = 30 }, { cpt = "97140", minutes = 15, units = 1 } }, "medicare"))
      :has_finding("medicare.code-pair-modifier", { severity = "error", line = 2,
        message = "97161 and 97140 billed the same day need 59 or XE or XS or XP or XU on 97140" })
  end)
  it("an unconfirmed pair is a warning that says so", function()
    expect(check(pv { { cpt = "97140", minutes = 15, units = 1 }, { cpt = "97530", minutes = 15, units = 1 } },
      "medicare")):has_finding("medicare.code-pair-modifier",
        { severity = "warning", message = "this pair is unconfirmed" })
  end)
  it("passes: XS on 97140", function()
    expect(check(pv { { cpt = "97161", minutes = 30 }, { cpt = "97140", minutes = 15, units = 1,
      modifiers = { "XS" } } }, "medicare")):has_no_finding("medicare.code-pair-modifier")
  end)
end)

describe("medicare.units-per-day-ceiling", function()
  it("an unconfirmed MUE value: a warning that says so", function()
    expect(check(pv { { cpt = "97112", minutes = 75, units = 5 } }, "medicare"))
      :has_finding("medicare.units-per-day-ceiling", { severity = "warning",
        message = "97112: 5 units on one date of service, above the ceiling of 4" })
  end)
  it("the evaluation limit is an error", function()
    expect(check(pv { { cpt = "97162", minutes = 40 }, { cpt = "97164", minutes = 20 } }, "medicare"))
      :has_finding("medicare.units-per-day-ceiling", { severity = "error",
        message = "PT evaluation/re-evaluation: 2 units on one date of service, above the ceiling of 1" })
  end)
  it("passes: 4 units of 97112", function()
    expect(check(pv { { cpt = "97112", minutes = 60, units = 4 } }, "medicare"))
      :has_no_finding("medicare.units-per-day-ceiling")
  end)
end)
