-- A claim hook whose claim line points at a function instead of a line.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: claim hook lines",
  rules = {},
  claim = function(visit, lines, ctx)
    return { { cpt = "97112", units = 1, modifiers = { "GP" }, lines = { function() end } } }
  end,
}
