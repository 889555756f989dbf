-- An endless loop fails its test; the run goes on (for tests/cli/test.t).
-- luacheck: read globals describe it expect check fixture visit eightmin
it("loops forever", function()
  local n = 0
  while true do n = n + 1 end
end)

it("runs after the loop", function()
  expect(true):is_true()
end)
