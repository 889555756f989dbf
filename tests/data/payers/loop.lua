-- A rule that never ends: the instruction budget stops it.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: loop",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        while true do end
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
