-- eightmin: the Lua API. The same module is compiled into bin/eightmin and
-- lib/eightmin.so, so a workflow script and stock lua5.4 see one API:
--   package.cpath = "./lib/?.so;" .. package.cpath
--   local em = require "eightmin"
--   local payer = assert(em.load_payer("medicare"))
--   for visit, err in em.read("visits.ndjson") do ... em.check(visit, payer) ... end
local core = require "eightmin.core"
local plugin = require "eightmin.plugin"
local check = require "eightmin.check"

local M = {}

-- The pure functions payer and clinic scripts may call from their sandbox.
M.SCRIPT_API = {}
for _, name in ipairs({ "units", "units_for_minutes", "code", "codes", "date", "date_string",
                        "days_between", "add_days", "weekday", "time", "minutes_between",
                        "version" }) do
  M.SCRIPT_API[name] = core[name]
end
M.SCRIPT_API.discipline = check.discipline -- (visit, line) -> "PT" | "OT" | "SLP" | nil

for k, v in pairs(core) do
  if k ~= "sandbox" and k ~= "builtin_plugins" and k ~= "list_dir" then M[k] = v end
end
M.plugin_path = plugin.search_path
M.html = require "eightmin.html"               -- render(results, opts): the HTML report
M.decisionlog = require "eightmin.decisionlog" -- what check --log writes
M.json = require "eightmin.json"               -- decode/encode through the C core
M.sha256 = require("eightmin.hash").sha256
M.read_csv = require("eightmin.csv").read      -- (path, mapping, options): visits from CSV
M.csv_fields = require("eightmin.csv").fields
M.x12 = require "eightmin.x12"                 -- build/parse ANSI X12 837P
M.cms1500 = require "eightmin.cms1500"         -- CMS-1500-shaped CSV

-- Loads a payer script (a name along the plugin path, or a file).
function M.load_payer(name)
  return plugin.load_payer(name, M.SCRIPT_API)
end

-- Loads a clinic script (a name along the plugin path, or a file).
function M.load_clinic(name)
  return plugin.load_clinic(name, M.SCRIPT_API)
end

-- The payers along the plugin path: list of {id, path, payer | error}.
function M.payers()
  return plugin.list(M.SCRIPT_API)
end

-- Checks a visit (a view from em.read or em.visit, or a plain table shaped
-- like the visit record) against a payer and an optional clinic.
-- Returns {claims = {...}, findings = {...}, units = {...}} or nil, msg.
function M.check(visit, payer, clinic, opts)
  if type(visit) == "table" or type(visit) == "string" then
    local v, err = core.visit(visit)
    if not v then return nil, err end
    visit = v
  end
  if type(payer) == "string" then
    local p, err = M.load_payer(payer)
    if not p then return nil, err end
    payer = p
  end
  if type(clinic) == "string" then
    local c, err = M.load_clinic(clinic)
    if not c then return nil, err end
    clinic = c
  end
  local ok, err = plugin.check_clinic_against(clinic, payer)
  if not ok then return nil, err end
  return check.visit(visit, payer, clinic, opts)
end

return M
