-- eightmin.cli: the commands written in Lua: check, payers, run, and units
-- with --payer. Each returns the process exit code.
local em = require "eightmin"
local core = require "eightmin.core"
local plugin = require "eightmin.plugin"
local check = require "eightmin.check"
local report = require "eightmin.report"

local EXIT_FINDINGS, EXIT_USAGE = 1, 2
local M = {}

local function usage_error(cmd, _, fmt, ...)
  io.stderr:write(("eightmin %s: %s\n"):format(cmd, fmt:format(...)))
  io.stderr:write(("Run 'eightmin %s --help' for usage.\n"):format(cmd))
  return EXIT_USAGE
end

-- Parses "--name value", "--name=value" and flags; returns opts, positional.
local function parse_args(cmd, usage, args, spec)
  local opts, pos = { arg = {} }, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      for j = i + 1, #args do pos[#pos + 1] = args[j] end
      break
    elseif a == "--help" or a == "-h" then
      io.stdout:write(usage)
      return nil, 0
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([%w%-]+)=(.*)$")
      name = name or a:sub(3)
      local kind = spec[name]
      if not kind then return nil, usage_error(cmd, usage, "unknown option '%s'", a) end
      if kind == "flag" then
        if value then return nil, usage_error(cmd, usage, "--%s takes no value", name) end
        opts[name] = true
      else
        if not value then
          i = i + 1
          value = args[i]
          if not value then return nil, usage_error(cmd, usage, "--%s needs a value", name) end
        end
        if kind == "list" then opts[name][#opts[name] + 1] = value else opts[name] = value end
      end
    else
      pos[#pos + 1] = a
    end
    i = i + 1
  end
  return opts, pos
end

local CHECK_USAGE = [[
usage: eightmin check [--payer NAME|FILE] [--clinic NAME|FILE] [--format text|ndjson]
                      [--arg NAME=VALUE ...] [FILE|-]

Reads visits (one JSON object per line) from FILE or standard input and
prints, per visit, the claim lines (code, units, modifiers, diagnosis
pointers) and the findings of the payer's and the clinic's rules.

  --payer NAME|FILE   check every visit against this payer (default: each
                      visit's "payer" field); NAME is found as payers/NAME.lua
                      in the built-in plugins and in $EIGHTMIN_PATH
  --clinic NAME|FILE  add a clinic's rules and preferences
  --format text       a report for a person (default)
  --format ndjson     claim lines and findings, one JSON object per line
  --arg NAME=VALUE    a script argument, e.g. --arg medicare.tiebreak=97112

Exit code: 0 no error findings, 1 error findings or bad records, 2 usage
error or unreadable input.
]]

function M.check(args)
  local opts, pos = parse_args("check", CHECK_USAGE, args,
    { payer = "value", clinic = "value", format = "value", arg = "list" })
  if not opts then return pos end
  local format = opts.format or "text"
  if format ~= "text" and format ~= "ndjson" then
    return usage_error("check", CHECK_USAGE, "unknown format '%s': use text or ndjson", format)
  end
  if #pos > 1 then return usage_error("check", CHECK_USAGE, "one input file at most, got %d", #pos) end
  local run_args = {}
  for _, kv in ipairs(opts.arg) do
    local k, v = kv:match("^([%w%-_]+%.[%w%-_%.]+)=(.*)$")
    if not k then
      return usage_error("check", CHECK_USAGE, "--arg '%s': expected SCRIPT.NAME=VALUE", kv)
    end
    run_args[k] = tonumber(v) or v
  end
  local clinic, payer, err
  if opts.clinic then
    clinic, err = em.load_clinic(opts.clinic)
    if not clinic then return usage_error("check", CHECK_USAGE, "%s", err) end
  end
  if opts.payer then
    payer, err = em.load_payer(opts.payer)
    if not payer then return usage_error("check", CHECK_USAGE, "%s", err) end
    local ok, cerr = plugin.check_clinic_against(clinic, payer)
    if not ok then return usage_error("check", CHECK_USAGE, "%s", cerr) end
  end
  local input = pos[1] or "-"
  local reader, rerr = core.read(input)
  if not reader then
    io.stderr:write(("eightmin check: %s\n"):format(rerr))
    return EXIT_USAGE
  end
  local out = io.stdout
  local totals = { visits = 0, bad = 0, error = 0, warning = 0, info = 0 }
  local payers = {}
  for visit, verr in reader do
    if not visit then
      totals.bad = totals.bad + 1
      io.stderr:write(("eightmin check: %s (record skipped)\n"):format(verr))
    else
      totals.visits = totals.visits + 1
      local p = payer
      local r
      if not p then
        local name = visit.payer
        if not name then
          r = { visit = visit, claims = {}, findings = { { visit = visit.id, line = 0,
            rule = "eightmin.no-payer", severity = "error",
            message = "the visit names no payer and no --payer was given" } } }
        else
          if payers[name] == nil then
            local loaded, lerr = em.load_payer(name)
            payers[name] = loaded or { failed = lerr }
            if loaded then
              local ok, cerr = plugin.check_clinic_against(clinic, loaded)
              if not ok then
                io.stderr:write(("eightmin check: %s\n"):format(cerr))
                return EXIT_USAGE
              end
            end
          end
          p = payers[name]
          if p.failed then
            r = { visit = visit, claims = {}, findings = { { visit = visit.id, line = 0,
              rule = "eightmin.payer", severity = "error", message = p.failed } } }
          end
        end
      end
      r = r or check.visit(visit, p, clinic, { args = run_args })
      for _, f in ipairs(r.findings) do totals[f.severity] = totals[f.severity] + 1 end
      if format == "text" then report.text_visit(out, r) else report.ndjson_visit(out, r) end
    end
  end
  report.summary(format == "text" and out or io.stderr, totals)
  if totals.error > 0 or totals.bad > 0 then return EXIT_FINDINGS end
  return 0
end

local PAYERS_USAGE = [[
usage: eightmin payers

Lists the payer scripts eightmin can find: the built-in plugins folder, then
each folder of $EIGHTMIN_PATH (colon-separated), with their names and the
dates of service their rules cover.
]]

local function rule_dates(payer)
  if payer.effective then
    return ("%s to %s"):format(payer.effective.from or "any date", payer.effective.to or "today")
  end
  local from, to, open = nil, nil, false
  for _, r in ipairs(payer.rules) do
    if not r.from then
      from = "any date"
    elseif from ~= "any date" and (not from or r.from < from) then
      from = r.from
    end
    if not r.to then open = true elseif not to or r.to > to then to = r.to end
  end
  if open or not to then to = "today" end
  return ("%s to %s"):format(from or "any date", to)
end

function M.payers(args)
  local opts = parse_args("payers", PAYERS_USAGE, args, {})
  if not opts then return 0 end
  local list = em.payers()
  if #list == 0 then
    io.stderr:write("eightmin payers: no payer scripts found in " ..
      table.concat(plugin.search_path(), ", ") .. "\n")
    return EXIT_USAGE
  end
  local rc = 0
  for _, e in ipairs(list) do
    if e.payer then
      io.stdout:write(("%-16s %-36s %2d rules, %s  %s\n"):format(e.id, e.payer.name,
        #e.payer.rules, rule_dates(e.payer), e.path))
    else
      io.stdout:write(("%-16s %-36s %s\n"):format(e.id, "(does not load)", e.error))
      rc = EXIT_FINDINGS
    end
  end
  return rc
end

local UNITS_USAGE = [[
usage: eightmin units --payer NAME|FILE [--json] [--explain] CODE=MINUTES ...

Units per code under the payer script's unit policy. Without --payer,
'eightmin units' uses --method cms|ama (see 'eightmin units --help').
]]

function M.units(args)
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

local RUN_USAGE = [[
usage: eightmin run SCRIPT.lua [ARGS ...]

Runs a trusted workflow script with the full Lua library and the eightmin
API (require "eightmin"). The script sees its arguments in the global 'arg'
(arg[0] is the script). Its exit code is what it returns (an integer), else 0.
]]

function M.run(args)
  local script = args[1]
  if not script then return usage_error("run", RUN_USAGE, "no script given") end
  if script == "--help" or script == "-h" then io.stdout:write(RUN_USAGE); return 0 end
  local chunk, err = loadfile(script, "t")
  if not chunk then
    io.stderr:write(("eightmin run: %s\n"):format(err))
    return EXIT_USAGE
  end
  local arg = { [0] = script }
  for i = 2, #args do arg[i - 1] = args[i] end
  _G.arg = arg
  local ok, ret = xpcall(chunk, debug.traceback, table.unpack(arg))
  if not ok then
    io.stderr:write(("eightmin run: %s\n"):format(ret))
    return EXIT_FINDINGS
  end
  if math.type(ret) == "integer" then return ret end
  return 0
end

function M.main(command, args)
  local fn = M[command]
  if type(fn) ~= "function" or command == "main" then
    io.stderr:write(("eightmin: unknown command '%s'\n"):format(command))
    return EXIT_USAGE
  end
  return fn(args)
end

return M
