-- Recursion without end: stack overflow, not a crash.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: recurse",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        local function deeper(n) return 1 + deeper(n + 1) end
        deeper(1)
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
