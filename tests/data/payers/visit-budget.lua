-- Eight rules that each loop until their budget runs out on visit T1: the
-- visit's shared budget ends after five, the rest are reported as not run.
-- luacheck: ignore (misbehaving on purpose)
local rules = {}
for i = 1, 8 do
  rules[i] = { id = "loop" .. i, severity = "error", cite = "test payer",
    check = function(visit)
      if visit.id ~= "T1" then return end
      while true do end
    end }
end
rules[9] = { id = "normal", severity = "info", cite = "test payer",
  check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end }
return { name = "Test payer: visit budget", units = "cms", rules = rules }
