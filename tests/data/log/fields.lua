-- Prints what each line of a decision log holds (run by tests/cli/log.t):
--   eightmin run fields.lua LOG VISITS
-- and checks each input hash against the visit read again from VISITS.
local json = require "eightmin.json"
local decisionlog = require "eightmin.decisionlog"
local em = require "eightmin"

local log, visits = ...
local want = {}
for v in em.read(visits) do
  if v then want[v.id] = decisionlog.visit_sha256(v) end
end
local n = 0
for line in io.lines(log) do
  n = n + 1
  local e = assert(json.decode(line))
  local keys = {}
  for k in pairs(e) do keys[#keys + 1] = k end
  table.sort(keys)
  print(("%s: %s"):format(e.visit, table.concat(keys, " ")))
  print(("  input hash matches: %s"):format(tostring(e.input_sha256 == want[e.visit])))
  print(("  payer %s %s, clinic %s %s"):format(e.payer.id, #e.payer.sha256, e.clinic.id,
    #e.clinic.sha256))
  print(("  ran %s; fired %s"):format(table.concat(e.rules_ran, ","),
    table.concat(e.rules_fired, ",")))
  local u = {}
  for i, l in ipairs(e.units.lines) do
    u[i] = ("%s=%dmin/%du/%s"):format(l.cpt, l.minutes, l.units, l.reason)
  end
  print(("  units %s %d -> %d: %s"):format(e.units.method, e.units.timed_minutes,
    e.units.timed_units, table.concat(u, " ")))
  print(("  %d claim lines, %d findings"):format(#e.claims, #e.findings))
end
print(("%d lines"):format(n))
