-- Tests of lib/assistant.lua: the CQ/CO de minimis split (domain.md §4).
-- A table of named test functions; each raises on failure. Until
-- `eightmin test` runs *_test.lua files, run it from the top of the tree:
--   bin/eightmin run plugins/lib/assistant_spec.lua --run
local args = { ... }
local package = rawget(_ENV, "package") -- only in a trusted workflow
if args[1] == "--run" and package then
  package.path = "plugins/?.lua;" .. package.path
end
local assistant = require "lib.assistant"

local function eq(want, got, what)
  if want ~= got then
    error(string.format("%s: wanted %s, got %s", what, tostring(want), tostring(got)), 2)
  end
end

local function split_is(t, plain, modified, modifier)
  local p, m, mod = assistant.split(t)
  eq(plain, p, "units without CQ/CO")
  eq(modified, m, "units with CQ/CO")
  eq(modifier, mod, "modifier")
end

local tests = {
  ["therapist alone: no modifier"] = function()
    split_is({ units = 2, timed = true, therapist = 30, assistant = 0, role = nil }, 2, 0, nil)
  end,
  ["APTA guide: PT furnishes both units in whole, PTA time irrelevant"] = function()
    split_is({ units = 2, timed = true, therapist = 30, assistant = 0, role = "PTA" }, 2, 0, nil)
  end,
  ["PT 15 + PTA 10 of 97110: one unit plain, one with CQ"] = function()
    split_is({ units = 2, timed = true, therapist = 15, assistant = 10, role = "PTA" }, 1, 1, "CQ")
  end,
  ["PT 30 then PTA 15: the PTA's unit carries CQ"] = function()
    split_is({ units = 3, timed = true, therapist = 30, assistant = 15, role = "PTA" }, 2, 1, "CQ")
  end,
  ["PTA 10 + PT 5 = 15 min: one unit with CQ"] = function()
    split_is({ units = 1, timed = true, therapist = 5, assistant = 10, role = "PTA" }, 0, 1, "CQ")
  end,
  ["PTA 1 min of a 15-minute unit is within 10%"] = function()
    split_is({ units = 1, timed = true, therapist = 14, assistant = 1, role = "PTA" }, 1, 0, nil)
  end,
  ["PTA 2 min of a 15-minute unit is beyond 10%"] = function()
    split_is({ units = 1, timed = true, therapist = 13, assistant = 2, role = "PTA" }, 0, 1, "CQ")
  end,
  ["exactly 10% is de minimis"] = function()
    split_is({ units = 1, timed = true, therapist = 9, assistant = 1, role = "PTA" }, 1, 0, nil)
    eq(false, assistant.beyond_de_minimis(2, 20), "2 of 20")
    eq(true, assistant.beyond_de_minimis(3, 20), "3 of 20")
  end,
  ["therapist's full units never exceed the units billed"] = function()
    split_is({ units = 3, timed = true, therapist = 45, assistant = 5, role = "PTA" }, 3, 0, nil)
  end,
  ["OTA brings CO"] = function()
    split_is({ units = 2, timed = true, therapist = 0, assistant = 30, role = "OTA" }, 0, 2, "CO")
  end,
  ["no units, no modifier"] = function()
    split_is({ units = 0, timed = true, therapist = 0, assistant = 7, role = "PTA" }, 0, 0, nil)
  end,
  ["untimed code: more than 10% of its minutes"] = function()
    split_is({ units = 1, timed = false, therapist = 10, assistant = 5, role = "PTA" }, 0, 1, "CQ")
    split_is({ units = 1, timed = false, therapist = 20, assistant = 2, role = "PTA" }, 1, 0, nil)
  end,
  ["roles from credentials"] = function()
    eq("PT", assistant.role("dpt"), "dpt")
    eq("OTA", assistant.role("COTA/L"), "COTA/L")
    eq("SLP", assistant.role("CCC-SLP"), "CCC-SLP")
    eq(nil, assistant.role("aide"), "aide")
    eq(nil, assistant.role(nil), "nil")
  end,
  ["line minutes: segments, then the line's by, then the provider"] = function()
    local provider = { discipline = "PT", credential = "DPT" }
    local line = { cpt = "97110", minutes = 25, by = nil, segments = {
      { minutes = 15, by = "PT" }, { minutes = 10, by = "PTA" } } }
    local t, a, r = assistant.line_minutes(line, provider)
    eq(15, t, "therapist"); eq(10, a, "assistant"); eq("PTA", r, "role")
    t, a, r = assistant.line_minutes({ cpt = "97110", minutes = 20, by = "PTA" }, provider)
    eq(0, t, "therapist"); eq(20, a, "assistant"); eq("PTA", r, "role")
    t, a, r = assistant.line_minutes({ cpt = "97110", minutes = 20 }, provider)
    eq(20, t, "therapist"); eq(0, a, "assistant"); eq(nil, r, "role")
    t, a = assistant.line_minutes({ cpt = "97010", by = "PTA" }, provider)
    eq(0, t, "untimed without minutes: therapist"); eq(1, a, "whole service by the PTA")
  end,
}

if args[1] == "--run" and package then
  local names, pass, fail = {}, 0, 0
  for name in pairs(tests) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local ok, err = pcall(tests[name])
    if ok then pass = pass + 1 else fail = fail + 1; print("FAIL " .. name .. ": " .. tostring(err)) end
  end
  print(pass .. " passed, " .. fail .. " failed")
  if fail > 0 then error("lib.assistant tests failed", 0) end
end

return tests
