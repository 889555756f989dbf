-- An endless loop inside pcall: the budget must not be swallowed.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: pcall-loop",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        while true do pcall(function() while true do end end) end
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
