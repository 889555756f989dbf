-- For `eightmin test --coverage` in tests/cli/test.t: only tiny.loud fires.
-- luacheck: read globals describe it expect check fixture visit eightmin
local v = visit { id = "C1", date = "2026-03-04", lines = { { cpt = "97112", minutes = 24 } } }

it("loud fires", function()
  expect(check(v, "tests/data/runner/tiny.lua")):has_finding("tiny.loud", { message = "always" })
end)

it("quiet does not", function()
  expect(check(v, "tests/data/runner/tiny.lua")):has_no_finding("tiny.quiet")
end)
