-- Tries to run a command: os holds only time, date and clock.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: escape-os",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        os.execute("touch /tmp/eightmin-escaped")
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
