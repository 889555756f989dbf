-- eightmin units --payer: units under a payer script's policy (plain
-- `eightmin units` is C: lua/cli_units.c).
local em = require "eightmin"
local core = require "eightmin.core"
local check = require "eightmin.check"
local args_lib = require "eightmin.args"

local usage_error, parse_args = args_lib.usage_error, args_lib.parse
local EXIT_USAGE = args_lib.EXIT_USAGE

local UNITS_USAGE = [[
usage: eightmin units --payer NAME|FILE [--json] [--explain] CODE=MINUTES ...

Units per code under the payer script's unit policy. Without --payer,
'eightmin units' uses --method cms|ama (see 'eightmin units --help').
]]

local function run(args)
  local opts, pos = parse_args("units", UNITS_USAGE, args,
    { payer = "value", json = "flag", explain = "flag", method = "value" })
  if not opts then return pos end
  if opts.method then
    return usage_error("units", UNITS_USAGE, "give --payer or --method, not both")
  end
  local payer, err = em.load_payer(opts.payer)
  if not payer then return usage_error("units", UNITS_USAGE, "%s", err) end
  if #pos == 0 then return usage_error("units", UNITS_USAGE, "no CODE=MINUTES given") end
  local lines = {}
  for _, a in ipairs(pos) do
    local cpt, minutes = a:match("^([^=]*)=(.*)$")
    if not cpt then
      return usage_error("units", UNITS_USAGE, "'%s': expected CODE=MINUTES, like 97112=24", a)
    end
    cpt = cpt:upper()
    if not core.code(cpt) then return usage_error("units", UNITS_USAGE, "unknown code %s", cpt) end
    if not minutes:match("^%d+$") then
      return usage_error("units", UNITS_USAGE, "%s: minutes must be a whole number", a)
    end
    local m = tonumber(minutes)
    if #minutes > 5 or m > 1440 then
      return usage_error("units", UNITS_USAGE, "%s: minutes must be 0 to 1440 (a day)", a)
    end
    lines[#lines + 1] = { cpt = cpt, minutes = m }
  end
  local result
  if type(payer.units) == "function" then
    local visit, verr = core.visit({ id = "units", date = os.date("%Y-%m-%d"), lines = lines })
    if not visit then return usage_error("units", UNITS_USAGE, "%s", verr) end
    local r = check.visit(visit, payer, nil, {})
    if not r.units then
      io.stderr:write("eightmin units: " .. (r.findings[1] and r.findings[1].message or "no units") .. "\n")
      return EXIT_USAGE
    end
    result = r.units
  else
    result, err = core.units(lines, payer.units)
    if not result then io.stderr:write("eightmin units: " .. err .. "\n"); return EXIT_USAGE end
  end
  if opts.json then
    core.write_units(result, io.stdout)
    return 0
  end
  for _, l in ipairs(result.lines) do
    if opts.explain then
      io.stdout:write(("%s %d  %s: %d min\n"):format(l.cpt, l.units, l.reason, l.minutes))
    else
      io.stdout:write(("%s %d\n"):format(l.cpt, l.units))
    end
  end
  io.stdout:write(("total %d\n"):format(result.total_units))
  if opts.explain then
    io.stdout:write(("timed minutes %d -> %d timed units (%s, payer %s)\n"):format(
      result.timed_minutes, result.timed_units, result.method, payer.id))
  end
  return 0
end

return run
