-- Prints what eightmin.csv reads from a file: one line per visit or bad
-- record. A mapping file (a Lua table of field = "Column") is optional.
--   eightmin run tests/lua/csv_check.lua FILE.csv [MAPPING.lua]
local csv = require "eightmin.csv"
local mapping = arg[2] and dofile(arg[2]) or nil
if type(mapping) == "table" and mapping.csv then mapping = mapping.csv end
local n_ok, n_bad = 0, 0
for visit, err, line in csv.read(assert(arg[1], "usage: csv_check.lua FILE.csv [MAPPING.lua]"), mapping) do
  if visit then
    n_ok = n_ok + 1
    local cpts = {}
    for _, l in ipairs(visit.lines) do cpts[#cpts + 1] = l.cpt .. "=" .. tostring(l.minutes) end
    io.write(("%d %s %s %s %s\n"):format(line, visit.id, visit.date, visit.payer or "-",
      table.concat(cpts, ",")))
  else
    n_bad = n_bad + 1
    io.write(("%d bad: %s\n"):format(line, err))
  end
end
io.write(("%d visits, %d bad\n"):format(n_ok, n_bad))
local ok, err = pcall(csv.read, arg[1], { cpt = 42 })
io.write(ok and "mapping accepted\n" or (err .. "\n"))
return 0
