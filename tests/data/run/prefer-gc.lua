-- units() reads the prefer list after the items, whose metamethods may
-- free it: under ASan a use-after-free here fails the test.
local em = require "eightmin"
local prefer = { ("97112"):rep(20) }
local item = setmetatable({}, { __index = function(_, k)
  if k == "cpt" then
    prefer[1] = nil
    collectgarbage(); collectgarbage()
    return "97112"
  end
  return 10
end })
local r = em.units({ item, { cpt = "97110", minutes = 10 } }, "cms", prefer)
print(r and r.total_units)
