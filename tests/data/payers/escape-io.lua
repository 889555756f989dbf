-- Tries to read a file: there is no io in the sandbox.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: escape-io",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        local f = io.open("/etc/passwd", "r")
        ctx:report(nil, f:read("a"))
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
