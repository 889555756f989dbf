-- A rule whose pattern backtracks for hours in stock Lua: the matching
-- steps are charged to the instruction budget, which stops it.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: pattern-bomb",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        local found = (("a"):rep(40)):find(("a*"):rep(30) .. "b")
        ctx:report(nil, "not reached " .. tostring(found))
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id:match("^(%u%d+)$")) end },
  },
}
