-- Deliberately failing tests for tests/cli/test.t (not *_test.lua, so
-- `eightmin test tests` skips it; the CLI test runs it by path).
-- luacheck: read globals describe it expect check fixture visit eightmin
describe("diffs", function()
  it("a table diff names the path", function()
    local got = { lines = { { units = 1 }, { units = 3 } } }
    expect(got):equals({ lines = { { units = 1 }, { units = 2 } } })
  end)
  it("a string diff quotes both", function()
    expect("GP CQ"):equals("GP")
  end)
  it("the first failure counts, even under pcall", function()
    pcall(function() expect(1):equals(2) end)
    expect(true):is_true()
  end)
end)

describe("findings", function()
  it("a missing finding lists the ones found", function()
    local v = visit { id = "F1", date = "2026-03-04", payer = "medicare", pos = "11",
      provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
      lines = { { cpt = "97112", minutes = 24, units = 3, modifiers = { "GP" } } } }
    expect(check(v, "medicare")):has_finding("medicare.telehealth")
  end)
end)

it("an error in a test", function()
  local t = nil
  return t.field
end)

it("this one passes", function()
  expect(1):equals(1)
end)
