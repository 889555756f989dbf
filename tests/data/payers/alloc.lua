-- Allocates without bound: the memory cap stops it.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: alloc",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        local t = {}
        for i = 1, math.maxinteger do t[i] = string.rep("x", 4096) .. i end
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
