-- eightmin.check: one visit through a payer's and a clinic's scripts:
-- units, rules, claim lines, findings.
local core = require "eightmin.core"
local plugin = require "eightmin.plugin"

local sandbox = core.sandbox
local SEVERITY = plugin.SEVERITY
local M = {}

M.RULE_BUDGET = 10000000   -- instructions for one rule on one visit
M.VISIT_BUDGET = 50000000  -- instructions for all the scripts of one visit
M.VISIT_MEMORY = 32 << 20  -- bytes one visit's scripts may add to the interpreter

-- Which discipline a performer's role belongs to.
local ROLE_DISCIPLINE = {
  PT = "PT", PTA = "PT", DPT = "PT",
  OT = "OT", OTA = "OT", COTA = "OT", OTR = "OT",
  SLP = "SLP", SLPA = "SLP", ["SLP-A"] = "SLP", CCC = "SLP",
}
M.ROLE_DISCIPLINE = ROLE_DISCIPLINE

local function applies(rule, date)
  return (not rule.from or rule.from <= date) and (not rule.to or date <= rule.to)
end

-- A read-only view of a host table for scripts (nested tables too).
local function readonly(t)
  if type(t) ~= "table" then return t end
  return setmetatable({}, {
    __index = function(_, k) return readonly(t[k]) end,
    __newindex = function() error("this table is read-only", 2) end,
    __pairs = function()
      local k
      return function()
        local v
        k, v = next(t, k)
        return k, readonly(v)
      end
    end,
    __len = function() return #t end,
    __metatable = false,
  })
end
M.readonly = readonly

local function finding(visit, line, rule, severity, message, cite)
  return { visit = visit.id, line = line or 0, rule = rule, severity = severity,
           message = message, cite = cite }
end

-- The context a rule sees: ctx:report, ctx.units, ctx.payer, ctx:arg ...
local function make_ctx(visit, env, rule, out)
  local fields = {
    units = env.units_view, payer = env.payer_view, clinic = env.clinic_view,
    hints = env.hints_view, date = visit.date, rule = rule.name,
  }
  local methods = {}
  function methods.report(_, line, message, opts)
    local n
    if line == nil then
      n = 0
    elseif math.type(line) == "integer" then
      n = line
    elseif type(line) == "userdata" then
      n = line.index -- a Line view
    else
      error("ctx:report: the first argument must be a line, a line number or nil", 2)
    end
    if n < 0 or n > #visit.lines then
      error(("ctx:report: visit %s has no line %d"):format(visit.id, n), 2)
    end
    if type(message) ~= "string" then
      error("ctx:report: the message must be a string", 2)
    end
    local severity, cite = rule.severity, rule.cite
    if opts ~= nil then
      if type(opts) ~= "table" then error("ctx:report: options must be a table", 2) end
      local s, c = rawget(opts, "severity"), rawget(opts, "cite")
      if s ~= nil then
        if not SEVERITY[s] then error("ctx:report: severity must be error, warning or info", 2) end
        severity = s
      end
      if c ~= nil then
        if type(c) ~= "string" then error("ctx:report: cite must be a string", 2) end
        cite = c
      end
    end
    out[#out + 1] = finding(visit, n, rule.name, severity, message, cite)
  end
  function methods.arg(_, name, default)
    local v = env.args[name]
    if v == nil then return default end
    return v
  end
  return setmetatable({}, {
    __index = function(_, k)
      local v = fields[k]
      if v == nil then v = methods[k] end
      return v
    end,
    __newindex = function() error("ctx is read-only", 2) end,
    __metatable = false,
  })
end

-- Runs fn under the rule budget; a failure becomes one error finding.
local function run_guarded(meter, visit, name, out, fn, ...)
  local budget = math.min(M.RULE_BUDGET, meter.left)
  if budget <= 0 then
    meter.skipped[#meter.skipped + 1] = name
    return false
  end
  meter.ran[#meter.ran + 1] = name -- for decision logs: what really ran
  local ok, result = sandbox.run(budget, fn, ...)
  meter.left = meter.left - sandbox.spent()
  if ok then return true, result end
  -- result is the sandbox's message: "instruction budget exceeded at f.lua:42", ...
  out[#out + 1] = finding(visit, 0, name, "error", ("%s aborted: %s"):format(name, tostring(result)))
  return false
end

-- Units of the visit under the payer's policy. Returns a units table
-- {method, timed_minutes, timed_units, total_units, lines, by_code}.
local function compute_units(visit, payer, clinic, out, env)
  -- One item per code, minutes summed (a code on several lines is one
  -- service of the day), so a visit of thousands of lines stays small.
  local items, by_cpt, unknown = {}, {}, {}
  for _, line in ipairs(visit.lines) do
    local item = by_cpt[line.cpt]
    if item then
      item.minutes = item.minutes + (line.minutes or 0)
    elseif core.code(line.cpt) then
      item = { cpt = line.cpt, minutes = line.minutes or 0 }
      by_cpt[line.cpt] = item
      items[#items + 1] = item
    elseif not unknown[line.cpt] then
      unknown[line.cpt] = true
      out[#out + 1] = finding(visit, line.index, "eightmin.unknown-code", "warning",
        ("%s is not a physical-medicine code eightmin knows; its units were not checked"):format(
          line.cpt), nil)
    end
  end
  for _, item in ipairs(items) do
    if item.minutes > core.DAY_MINUTES then
      out[#out + 1] = finding(visit, 0, "eightmin.units", "error",
        ("the lines of %s add up to %d minutes, more than a day (%d)"):format(
          item.cpt, item.minutes, core.DAY_MINUTES), "CMS Pub. 100-04 ch. 5 §20.2")
      return nil
    end
  end
  local result, err
  if type(payer.units) == "function" then
    local ok, given = run_guarded(env.meter, visit, payer.id .. ".units", out, payer.units, visit,
                                  make_ctx(visit, env, { name = payer.id .. ".units",
                                    severity = "error" }, out))
    if not ok then return nil end
    result = { method = "custom", timed_minutes = 0, timed_units = 0, total_units = 0, lines = {} }
    for _, item in ipairs(items) do
      local u = type(given) == "table" and rawget(given, item.cpt)
      if math.type(u) ~= "integer" or u < 0 then
        out[#out + 1] = finding(visit, 0, payer.id .. ".units", "error",
          ("the payer's units function gave no whole number of units for %s"):format(item.cpt), nil)
        return nil
      end
      local code = core.code(item.cpt)
      result.lines[#result.lines + 1] = { cpt = item.cpt, minutes = item.minutes, units = u,
        reason = "payer-function", timed = code.timed }
      result.total_units = result.total_units + u
      if code.timed then
        result.timed_minutes = result.timed_minutes + item.minutes
        result.timed_units = result.timed_units + u
      end
    end
  else
    result, err = core.units(items, payer.units, clinic and clinic.prefer or nil)
    if not result then
      out[#out + 1] = finding(visit, 0, "eightmin.units", "error", err,
                              "CMS Pub. 100-04 ch. 5 §20.2")
      return nil
    end
  end
  result.by_code = {}
  for _, l in ipairs(result.lines) do result.by_code[l.cpt] = l end
  M.adopt_billed_tie(visit, result)
  return result
end

-- Units billed per code, or nil when the visit gives no units at all (a
-- line without units, beside lines with them, bills none).
local function billed_by_code(visit)
  local billed, any = {}, false
  for _, line in ipairs(visit.lines) do
    any = any or line.units ~= nil
    billed[line.cpt] = (billed[line.cpt] or 0) + (line.units or 0)
  end
  return any and billed or nil
end

-- Where leftover minutes tie, the manual leaves the leftover unit to the
-- clinician ("choose either code", Pub. 100-04 ch. 5 s20.2 examples 2 and
-- 5). The engine picks one by preference and input order; when the units
-- billed are another allocation the pooled method allows, they are the
-- clinician's choice and stand: the same total, every code its full units,
-- and no code left without a leftover unit that had more leftover minutes
-- than a code given one.
function M.allocation_allowed(units, billed)
  local total, want, min_in, max_out = 0, 0, math.huge, -1
  for _, l in ipairs(units.lines) do
    local b = billed[l.cpt]
    if b == nil then return false end
    if not l.pooled then
      if b ~= l.units then return false end
    else
      total, want = total + b, want + l.units
      if b == l.full_units then
        max_out = math.max(max_out, l.leftover_minutes)
      elseif b == l.full_units + 1 and l.leftover_minutes > 0 then
        min_in = math.min(min_in, l.leftover_minutes)
      else
        return false
      end
    end
  end
  return total == want and min_in >= max_out
end

function M.adopt_billed_tie(visit, units)
  local billed = billed_by_code(visit)
  if not billed or not M.allocation_allowed(units, billed) then return end
  for _, l in ipairs(units.lines) do
    local b = billed[l.cpt]
    if l.pooled and b ~= l.units then
      l.units = b
      l.reason = b > l.full_units and "leftover-unit" or (b > 0 and "full-units" or "outranked")
      l.tie_choice = true -- the billed choice among equal leftover minutes
    end
  end
end

-- The discipline a line bills under: its performer's, else the provider's
-- discipline, else the provider's credential's. Also in the script API
-- (eightmin.discipline), so rules see what the claim line gets.
local function visit_discipline(visit, line)
  local p = visit.provider
  return (line and ROLE_DISCIPLINE[line.by or ""]) or (p and p.discipline)
    or (p and ROLE_DISCIPLINE[p.credential or ""])
end

M.discipline = visit_discipline

-- Claim lines: one per code with units, the sent modifiers plus the
-- payer's discipline modifier, and diagnosis pointers.
local function build_claims(visit, payer, units)
  local claims, by_code = {}, {}
  local discipline_mods = {}
  for _, m in pairs(payer.modifiers) do discipline_mods[m] = true end
  for _, line in ipairs(visit.lines) do
    local c = by_code[line.cpt]
    if not c then
      local u = units and units.by_code[line.cpt]
      c = { visit = visit.id, cpt = line.cpt, modifiers = {}, dx_pointers = {}, lines = {},
            units = u and u.units or line.units or 1, seen_mod = {}, seen_dx = {} }
      by_code[line.cpt] = c
      claims[#claims + 1] = c
    end
    c.lines[#c.lines + 1] = line.index
    for _, m in ipairs(line.modifiers) do
      if not c.seen_mod[m] then c.seen_mod[m] = true; c.modifiers[#c.modifiers + 1] = m end
    end
    for _, d in ipairs(line.dx_pointers) do
      if not c.seen_dx[d] then c.seen_dx[d] = true; c.dx_pointers[#c.dx_pointers + 1] = d end
    end
    local disc = visit_discipline(visit, line)
    local want = disc and payer.modifiers[disc]
    c.discipline = c.discipline or want
  end
  local out = {}
  for _, c in ipairs(claims) do
    local has_discipline = false
    for _, m in ipairs(c.modifiers) do has_discipline = has_discipline or discipline_mods[m] end
    if c.discipline and not has_discipline then table.insert(c.modifiers, 1, c.discipline) end
    if #c.dx_pointers == 0 then
      for i = 1, math.min(4, #visit.diagnoses) do c.dx_pointers[i] = i end
    end
    c.seen_mod, c.seen_dx, c.discipline = nil, nil, nil
    if c.units > 0 then out[#out + 1] = c end
  end
  return out
end

-- Copies claim lines back from a script's claim hook, checking each. The
-- tables are the script's: only raw access, so none of its metamethods
-- runs here, outside the sandbox's budget.
local MAX_CLAIM_LINES = 1000

-- The items 1..n of a script's list, raw; nil and a message if it is not one.
local function raw_list(t, at, what, check)
  if t == nil then return {} end
  if type(t) ~= "table" then return nil, ("%s: %s must be a list"):format(at, what) end
  local n = rawlen(t)
  if n > MAX_CLAIM_LINES then return nil, ("%s: %s has %d items, too many"):format(at, what, n) end
  local out = {}
  for j = 1, n do
    local v = rawget(t, j)
    if not check(v) then return nil, ("%s: %s[%d] is not valid"):format(at, what, j) end
    out[j] = v
  end
  return out
end

local function is_string(v) return type(v) == "string" end

local function take_claims(visit, given)
  if type(given) ~= "table" then return nil, "the claim hook must return the claim lines" end
  local n_lines = #visit.lines
  local function is_dx(v) return math.type(v) == "integer" and v >= 1 and v <= 12 end
  local function is_line(v) return math.type(v) == "integer" and v >= 1 and v <= n_lines end
  local out = {}
  local n = rawlen(given)
  if n > MAX_CLAIM_LINES then return nil, ("%d claim lines, too many"):format(n) end
  for i = 1, n do
    local c = rawget(given, i)
    local at = ("claim line %d"):format(i)
    if type(c) ~= "table" then return nil, at .. " is not a table" end
    local cpt, units = rawget(c, "cpt"), rawget(c, "units")
    if type(cpt) ~= "string" then return nil, at .. ": cpt must be a string" end
    if math.type(units) ~= "integer" or units < 0 then
      return nil, at .. ": units must be a whole number >= 0"
    end
    local mods, dx, lines, err
    mods, err = raw_list(rawget(c, "modifiers"), at, "modifiers", is_string)
    if not mods then return nil, err end
    dx, err = raw_list(rawget(c, "dx_pointers"), at, "dx_pointers", is_dx)
    if not dx then return nil, err end
    lines, err = raw_list(rawget(c, "lines"), at, "lines", is_line)
    if not lines then return nil, err end
    out[#out + 1] = { visit = visit.id, cpt = cpt, units = units, modifiers = mods,
                      dx_pointers = dx, lines = lines }
  end
  return out
end

local function copy_claims(claims)
  local out = {}
  for i, c in ipairs(claims) do
    local m, d, l = {}, {}, {}
    for j, v in ipairs(c.modifiers) do m[j] = v end
    for j, v in ipairs(c.dx_pointers) do d[j] = v end
    for j, v in ipairs(c.lines) do l[j] = v end
    out[i] = { visit = c.visit, cpt = c.cpt, units = c.units, modifiers = m, dx_pointers = d,
               lines = l }
  end
  return out
end

local check_visit

-- Checks one visit. opts.args: script arguments ("medicare.tiebreak" = ...).
-- The visit's scripts share one instruction budget (VISIT_BUDGET, at most
-- RULE_BUDGET each) and may add at most VISIT_MEMORY bytes to the state.
-- Returns {visit, payer, clinic, units, claims, findings, rules_ran}
-- (rules_ran: the names of the rules and hooks that ran, in order, for
-- decision logs).
function M.visit(visit, payer, clinic, opts)
  local cap = sandbox.mem_limit()
  local room = sandbox.mem_used() + M.VISIT_MEMORY
  sandbox.mem_limit((cap == 0 or room < cap) and room or cap)
  local meter = { left = M.VISIT_BUDGET, skipped = {}, ran = {} }
  local ok, result = pcall(check_visit, visit, payer, clinic, opts or {}, meter)
  sandbox.mem_limit(cap)
  if not ok then error(result, 0) end
  if #meter.skipped > 0 then
    result.findings[#result.findings + 1] = finding(visit, 0, "eightmin.visit-budget", "error",
      ("the visit's scripts spent its instruction budget (%d); not run: %s"):format(
        M.VISIT_BUDGET, table.concat(meter.skipped, ", ")))
  end
  return result
end

check_visit = function(visit, payer, clinic, opts, meter)
  local out = {}
  local result = { visit = visit, payer = payer, clinic = clinic, findings = out, claims = {},
                   rules_ran = meter.ran }
  local args = {}
  for k, v in pairs(payer.args or {}) do args[payer.id .. "." .. k] = v end
  for k, v in pairs(clinic and clinic.args or {}) do args[clinic.id .. "." .. k] = v end
  for k, v in pairs(opts.args or {}) do args[k] = v end
  local env = {
    payer_view = readonly({ id = payer.id, name = payer.name, telehealth = payer.telehealth,
                            modifiers = payer.modifiers }),
    clinic_view = clinic and readonly({ id = clinic.id, name = clinic.name }) or nil,
    hints_view = readonly(clinic and clinic.hints or {}),
    args = args,
    meter = meter,
  }
  local eff = payer.effective
  if eff and ((eff.from and visit.date < eff.from) or (eff.to and visit.date > eff.to)) then
    out[#out + 1] = finding(visit, 0, "eightmin.payer-dates", "error",
      ("%s (%s) covers dates of service %s to %s; this visit is on %s"):format(
        payer.id, payer.name, eff.from or "any", eff.to or "any", visit.date), nil)
    return result
  end
  local units = compute_units(visit, payer, clinic, out, env)
  result.units = units
  env.units_view = readonly(units or { by_code = {}, lines = {} })
  -- The payer's rules and claim hook first, then the clinic's rules: a
  -- clinic's scripts cannot starve the payer's of the visit's budget.
  local function run_rules(rules)
    for _, rule in ipairs(rules) do
      if applies(rule, visit.date) then
        local found = {}
        if run_guarded(env.meter, visit, rule.name, out, rule.check, visit,
                       make_ctx(visit, env, rule, found)) then
          for _, f in ipairs(found) do out[#out + 1] = f end
        end
      end
    end
  end
  run_rules(payer.rules)
  local claims = build_claims(visit, payer, units)
  if payer.claim then
    local hook = { name = payer.id .. ".claim", severity = "info", cite = nil }
    local found = {}
    local work = copy_claims(claims)
    local ok, ret = run_guarded(env.meter, visit, hook.name, out, payer.claim, visit, work,
                                make_ctx(visit, env, hook, found))
    if ok then
      local taken, err = take_claims(visit, ret == nil and work or ret)
      if taken then
        claims = taken
        for _, f in ipairs(found) do out[#out + 1] = f end
      else
        out[#out + 1] = finding(visit, 0, hook.name, "error", hook.name .. ": " .. err, nil)
      end
    end
  end
  if clinic then run_rules(clinic.rules) end
  result.claims = claims
  if clinic then
    for _, f in ipairs(out) do
      local want = clinic.severity[f.rule]
      if want and SEVERITY[want] > SEVERITY[f.severity] then f.severity = want end
    end
  end
  return result
end

return M
