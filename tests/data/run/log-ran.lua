-- Checks a decision log of tests/data/payers/visit-budget.lua: visit T1
-- ran five loops and then spent its budget, so loop6.. are not "ran".
local json = require("eightmin").json
local f = assert(io.open(arg[1]))
local first = json.decode(f:read("l"))
f:close()
local ran = table.concat(first.rules_ran, " ")
assert(ran == "visit-budget.loop1 visit-budget.loop2 visit-budget.loop3 visit-budget.loop4"
  .. " visit-budget.loop5", "rules_ran: " .. ran)
print("ok")
