-- eightmin check: visits in, claim lines and findings out.
local em = require "eightmin"
local core = require "eightmin.core"
local plugin = require "eightmin.plugin"
local check = require "eightmin.check"
local report = require "eightmin.report"
local args_lib = require "eightmin.args"
local html = require "eightmin.html"
local decisionlog = require "eightmin.decisionlog"

local usage_error, parse_args = args_lib.usage_error, args_lib.parse
local EXIT_FINDINGS, EXIT_USAGE = args_lib.EXIT_FINDINGS, args_lib.EXIT_USAGE

local CHECK_USAGE = [[
usage: eightmin check [--payer NAME|FILE] [--clinic NAME|FILE] [--format text|ndjson|html]
                      [--output FILE] [--log FILE] [--arg NAME=VALUE ...] [FILE|-]

Reads visits (one JSON object per line) from FILE or standard input and
prints, per visit, the claim lines (code, units, modifiers, diagnosis
pointers) and the findings of the payer's and the clinic's rules.

  --payer NAME|FILE   check every visit against this payer (default: each
                      visit's "payer" field); NAME is found as payers/NAME.lua
                      in the built-in plugins and in $EIGHTMIN_PATH
  --clinic NAME|FILE  add a clinic's rules and preferences
  --format text       a report for a person (default)
  --format ndjson     claim lines and findings, one JSON object per line
  --format html       one self-contained HTML page: claim lines, findings with
                      how to fix them, totals by rule and payer, a severity
                      filter; reads on a phone and prints
  --output FILE       write the report to FILE instead of standard output
  --log FILE          write a decision log: per visit one JSON line with the
                      input hash, the payer and clinic scripts and their
                      hashes, the rules that ran and fired, the units
                      decision, claim lines and findings (see 'eightmin explain')
  --arg NAME=VALUE    a script argument, e.g. --arg medicare.tiebreak=97112

Exit code: 0 no error findings, 1 error findings or bad records, 2 usage
error or unreadable input.
]]

local function run(args)
  local opts, pos = parse_args("check", CHECK_USAGE, args,
    { payer = "value", clinic = "value", format = "value", arg = "list", output = "value",
      log = "value" })
  if not opts then return pos end
  local format = opts.format or "text"
  if format ~= "text" and format ~= "ndjson" and format ~= "html" then
    return usage_error("check", CHECK_USAGE, "unknown format '%s': use text, ndjson or html",
      format)
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
  if opts.output then
    local f, oerr = io.open(opts.output, "wb")
    if not f then
      io.stderr:write(("eightmin check: cannot write the report: %s\n"):format(oerr))
      return EXIT_USAGE
    end
    out = f
  end
  local log
  if opts.log then
    local lerr
    log, lerr = decisionlog.open(opts.log)
    if not log then
      io.stderr:write(("eightmin check: cannot write the decision log: %s\n"):format(lerr))
      return EXIT_USAGE
    end
  end
  local results = {}
  local totals = { visits = 0, bad = 0, error = 0, warning = 0, info = 0 }
  local payers = {} -- name -> payer, or {failed = message, rule = finding's rule}
  local clinic_refused = false

  -- The payer a visit names, loaded once per name; or nil and the result
  -- that reports why the visit cannot be checked.
  local function visit_payer(visit)
    local name = visit.payer
    local function cannot(rule, message)
      return nil, { visit = visit, claims = {}, findings = { { visit = visit.id, line = 0,
        rule = rule, severity = "error", message = message } } }
    end
    if not name then return cannot("eightmin.no-payer", "the visit names no payer and no --payer was given") end
    if payers[name] == nil then
      -- The record is untrusted: it may name a payer, never a file.
      local loaded, lerr
      if plugin.is_name(name) then
        loaded, lerr = em.load_payer(name)
      else
        lerr = ("payer '%s' is not a payer name (letters, digits, '-', '_'); a visit"
          .. " cannot name a script file"):format(name)
      end
      local rule = "eightmin.payer"
      if loaded then
        local ok, cerr = plugin.check_clinic_against(clinic, loaded)
        if not ok then
          -- A clinic that would weaken this payer is a usage error: every
          -- visit of the payer says so, and the run ends with exit 2.
          loaded, lerr, rule = nil, cerr, "eightmin.clinic"
          clinic_refused = true
          io.stdout:flush()
          io.stderr:write(("eightmin check: %s\n"):format(cerr))
        end
      end
      payers[name] = loaded or { failed = lerr, rule = rule }
    end
    local p = payers[name]
    if p.failed then return cannot(p.rule, p.failed) end
    return p
  end
  for visit, verr in reader do
    if not visit then
      totals.bad = totals.bad + 1
      io.stdout:flush() -- keep the report and the complaint in order on a terminal
      io.stderr:write(("eightmin check: %s (record skipped)\n"):format(verr))
    else
      totals.visits = totals.visits + 1
      local p, r = payer, nil
      if not p then p, r = visit_payer(visit) end
      if not r then
        -- A fault of eightmin's own must not cost the other visits.
        local ok, res = xpcall(check.visit, debug.traceback, visit, p, clinic, { args = run_args })
        r = ok and res or { visit = visit, payer = p, claims = {}, findings = { {
          visit = visit.id, line = 0, rule = "eightmin.internal", severity = "error",
          message = "eightmin failed on this visit (please report it): " .. tostring(res) } } }
      end
      for _, f in ipairs(r.findings) do totals[f.severity] = totals[f.severity] + 1 end
      if log then log:write(r) end
      if format == "text" then
        report.text_visit(out, r)
      elseif format == "ndjson" then
        report.ndjson_visit(out, r)
      else
        results[#results + 1] = r
      end
    end
  end
  if format == "html" then
    out:write(html.render(results, { title = "eightmin check: " .. input, bad = totals.bad }))
  end
  if log then log:close() end
  report.summary(format == "text" and out or io.stderr, totals)
  if out ~= io.stdout then out:close() end
  if clinic_refused then return EXIT_USAGE end
  if totals.error > 0 or totals.bad > 0 then return EXIT_FINDINGS end
  return 0
end

return run
