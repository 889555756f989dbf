-- Stock lua5.4 loads lib/eightmin.so and uses the same API as bin/eightmin.
-- Run from the top of the tree: lua5.4 tests/lua/so_check.lua
package.cpath = "./lib/?.so;" .. package.cpath
local em = require "eightmin"

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    print(("FAIL %s%s"):format(name, detail and (": " .. detail) or ""))
  end
end

local r = assert(em.units({ "97112=24", "97110=23" }))
check("units: CMS example 1 total", r.total_units == 3, tostring(r.total_units))
check("units: 97112 gets the leftover unit", r.lines[1].units == 2 and r.lines[2].units == 1)
local ama = assert(em.units({ { cpt = "97112", minutes = 24 }, { cpt = "97110", minutes = 23 } }, "ama"))
check("units: AMA per code", ama.total_units == 4)

check("dates", em.days_between("2026-02-20", "2026-05-10") == 79)
check("bad date", em.date("2026-02-30") == nil)

local payer, err = em.load_payer("medicare")
check("the built-in medicare payer is found next to the .so", payer ~= nil, err)
if payer then
  local visit = assert(em.visit({
    id = "S1", date = "2026-03-04", payer = "medicare", pos = "11",
    provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
    diagnoses = { "I69.354" },
    lines = { { cpt = "97112", minutes = 24, units = 3 }, { cpt = "97110", minutes = 23, units = 1 } },
  }))
  local res = assert(em.check(visit, payer))
  check("check: two claim lines", #res.claims == 2, tostring(#res.claims))
  check("check: 97112 claims 2 units with GP", res.claims[1].units == 2 and res.claims[1].modifiers[1] == "GP")
  local found = false
  for _, f in ipairs(res.findings) do
    if f.rule == "medicare.units-match" and f.severity == "error" then found = true end
  end
  check("check: billing 3 units of 97112 for 24 minutes is an error", found)
end

local visit, verr = em.visit('{"id":"X","date":"2026-13-01","lines":[]}')
check("a bad visit is nil and a message", visit == nil and verr:find("date", 1, true) ~= nil, verr)

print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
