-- A workflow for the `eightmin run` test: counts visits and error findings.
local em = require "eightmin"
local path = assert(arg[1], "usage: count.lua VISITS.ndjson")
local payer = assert(em.load_payer(arg[2] or "medicare"))
local visits, bad, errors = 0, 0, 0
for visit in em.read(path) do
  if visit then
    visits = visits + 1
    for _, f in ipairs(em.check(visit, payer).findings) do
      if f.severity == "error" then errors = errors + 1 end
    end
  else
    bad = bad + 1
  end
end
io.write(("visits %d bad %d errors %d\n"):format(visits, bad, errors))
return errors > 0 and 3 or 0
