-- A test file that does not compile (for tests/cli/test.t).
-- luacheck: ignore (broken on purpose)
it("never runs", function()
  expect(1):equals(1)
