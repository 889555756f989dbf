-- eightmin.repl: the read-eval-print loop of `eightmin repl`, after lua.c's
-- doREPL. A line is tried as "return " .. line first, then as a statement;
-- while the syntax error ends in "<eof>" more lines are read (prompt ">> ").
-- Results are pretty-printed; an error prints a traceback and the session
-- goes on. Lines that start with ':' are commands (:help lists them).
-- The environment is trusted: the whole API as `em`, plus `payer`,
-- `clinic`, `visit` and `result`, which the commands set.
local em = require "eightmin"
local core = require "eightmin.core"
local plugin = require "eightmin.plugin"
local report = require "eightmin.report"
local pretty = require "eightmin.pretty"
local rl = require "eightmin.readline"

local M = {}

M.PROMPT, M.PROMPT2 = "> ", ">> "
M.MAX_COMPLETIONS = 500

local Session = {}
Session.__index = Session

local function plural(n, word)
  return ("%d %s%s"):format(n, word, n == 1 and "" or "s")
end

-- ---- output ------------------------------------------------------------

function Session:say(fmt, ...)
  self.out:write(fmt:format(...), "\n")
end

-- Errors go to stderr, after what stdout holds so far (a pipe keeps order).
function Session:warn(fmt, ...)
  self.out:flush()
  io.stderr:write(fmt:format(...), "\n")
  io.stderr:flush()
end

-- An error: counted for the exit code of a piped session.
function Session:complain(fmt, ...)
  self.errors = self.errors + 1
  self:warn(fmt, ...)
end

-- ---- evaluation ----------------------------------------------------------

-- The traceback of an error in a line, without the REPL's own frames.
local function traceback(msg)
  if type(msg) ~= "string" then
    local mt = getmetatable(msg)
    if type(mt) == "table" and mt.__tostring then
      msg = tostring(msg)
    else
      msg = ("(error object is a %s value)"):format(type(msg))
    end
  end
  local tb = debug.traceback(msg, 2)
  local cut = tb:find("\n\t%[C%]: in function 'xpcall'")
  return cut and tb:sub(1, cut - 1) or tb
end

-- Runs fn(...) with Ctrl-C raising "interrupted!"; returns ok, results...
local function protected(fn, ...)
  rl.interruptible(true)
  local res = table.pack(xpcall(fn, traceback, ...))
  rl.interruptible(false)
  return table.unpack(res, 1, res.n)
end

local function print_results(self, ok, ...)
  if not ok then
    self:complain("%s", (...))
    return
  end
  local n = select("#", ...)
  if n == 0 then return end
  local parts = {}
  for i = 1, n do parts[i] = pretty.format((select(i, ...))) end
  self.out:write(table.concat(parts, "\t"), "\n")
end

local function incomplete(err)
  return err:sub(-5) == "<eof>"
end

-- A Lua line: read more while the chunk is incomplete, then run it.
function Session:eval(line)
  local src = line
  local fn, err = load("return " .. src, "=stdin", "t", self.env)
  if not fn then
    while true do
      fn, err = load(src, "=stdin", "t", self.env)
      if fn or not incomplete(err) then break end
      local more = self:read(M.PROMPT2)
      if not more then break end
      src = src .. "\n" .. more
    end
  end
  self:remember(src)
  if not fn then
    self:complain("%s", err)
    return
  end
  print_results(self, protected(fn))
end

-- ---- payers, clinics, visits --------------------------------------------

local function describe_units(units)
  if type(units) == "table" then
    return ("%d-min units, %d-min threshold, %s"):format(units.unit_minutes, units.threshold,
      units.pooled and "pooled" or "code by code")
  end
  return tostring(units)
end

function Session:load_payer(name)
  local p, err = em.load_payer(name)
  if not p then return nil, err end
  local ok, cerr = plugin.check_clinic_against(self.env.clinic, p)
  if not ok then return nil, cerr end
  self.env.payer, self.payer_source = p, name
  self.payer_cache = {}
  return p
end

function Session:load_clinic(name)
  local c, err = em.load_clinic(name)
  if not c then return nil, err end
  if self.env.payer then
    local ok, cerr = plugin.check_clinic_against(c, self.env.payer)
    if not ok then return nil, cerr end
  end
  self.env.clinic, self.clinic_source = c, name
  return c
end

function Session:show_payer(p)
  self:say("payer %s (%s): %s, units %s", p.id, p.name, plural(#p.rules, "rule"),
    type(p.units) == "function" and "by the script's function" or describe_units(p.units))
end

function Session:show_clinic(c)
  self:say("clinic %s (%s): %s", c.id, c.name, plural(#c.rules, "rule"))
end

-- The payer a visit is checked against: the loaded one, else the visit's.
function Session:payer_for(visit)
  if self.env.payer then return self.env.payer end
  local name = visit.payer
  if not name then return nil, "no payer loaded and the visit names none: use :payer NAME" end
  local cached = self.payer_cache[name]
  if cached then return cached end
  local p, err = em.load_payer(name)
  if not p then return nil, err end
  self.payer_cache[name] = p
  return p
end

function Session:set_visit(v)
  self.env.visit, self.env.result = v, nil
end

-- Checks the current visit; sets `result`.
function Session:check_current()
  local v = self.env.visit
  if v == nil then return nil, "no current visit: use :visits FILE and :visit ID, or set visit" end
  local p, err = self:payer_for(type(v) == "userdata" and v or { payer = v.payer })
  if not p then return nil, err end
  local r
  r, err = em.check(v, p, self.env.clinic)
  if not r then return nil, err end
  self.env.result = r
  return r
end

-- ---- :explain --------------------------------------------------------------

local METHOD_NAME = { cms = "CMS", ama = "AMA" }

local function policy_numbers(units)
  if type(units) == "table" then return units.unit_minutes, units.threshold end
  return 15, 8
end

-- Why one code got its units, in words.
local function explain_line(l, u, payer)
  if l.reason == "untimed" then
    return ("%s: untimed: 1 unit per day, not counted in the timed minutes"):format(l.cpt)
  end
  if l.reason == "payer-function" then
    return ("%s: %d min -> %s, as the payer's units function decided"):format(
      l.cpt, l.minutes, plural(l.units, "unit"))
  end
  local _, threshold = policy_numbers(payer.units)
  local method = METHOD_NAME[u.method] or "the payer's policy"
  local why
  if l.pooled then
    local full = 0
    local won, lost_tie = {}, {}
    for _, x in ipairs(u.lines) do
      if x.pooled then
        full = full + x.full_units
        if x ~= l and x.leftover_minutes == l.leftover_minutes and x.leftover_minutes > 0 then
          if x.reason == "leftover-unit" then won[#won + 1] = x.cpt else lost_tie[#lost_tie + 1] = x.cpt end
        end
      end
    end
    local extra = u.timed_units - full
    local units_word = extra == 1 and "leftover unit" or plural(extra, "leftover unit")
    local lost = #won > 0
      and ("tied with %s, which won the tie (the clinic's preference, then input order)"):format(
        table.concat(won, " and "))
      or ("lost the day's %s to codes with more left over"):format(units_word)
    if l.reason == "leftover-unit" then
      local who
      if #lost_tie > 0 then
        who = ("%s had as much left over as %s and won the tie (the clinic's preference, then input order)"):format(
          l.cpt, table.concat(lost_tie, " and "))
      elseif extra == 1 then
        who = l.cpt .. " had the most left over"
      else
        who = ("the %d leftover units went to the codes with the most left over, %s among them"):format(
          extra, l.cpt)
      end
      why = ("the day's %d timed minutes give %s (%s); %s"):format(u.timed_minutes,
        plural(u.timed_units, "unit"), method, who)
    elseif l.reason == "full-units" then
      if l.leftover_minutes == 0 then
        why = "its minutes are whole units"
      elseif extra > 0 then
        why = ("its %d min left over %s"):format(l.leftover_minutes, lost)
      else
        why = ("the day's %d timed minutes give %s (%s), no more than the full units"):format(
          u.timed_minutes, plural(u.timed_units, "unit"), method)
      end
    elseif l.reason == "outranked" then
      why = ("its %d min left over %s"):format(l.leftover_minutes, lost)
    elseif l.minutes == 0 then
      why = "no minutes"
    else
      why = ("the day's %d timed minutes are under the %d-minute threshold (%s)"):format(
        u.timed_minutes, threshold, method)
    end
  else
    local each = ("%s, code by code"):format(method)
    if l.reason == "leftover-unit" then
      why = ("its %d min left over reach the %d-minute threshold (%s)"):format(
        l.leftover_minutes, threshold, each)
    elseif l.reason == "full-units" then
      why = l.leftover_minutes == 0 and "its minutes are whole units"
        or ("its %d min left over are under the %d-minute threshold (%s)"):format(
          l.leftover_minutes, threshold, each)
    else
      why = ("%d min are under the %d-minute threshold (%s)"):format(l.minutes, threshold, each)
    end
  end
  return ("%s: %d min = %s + %d min left over; %s: %s -> %s"):format(l.cpt, l.minutes,
    plural(l.full_units, "full unit"), l.leftover_minutes, l.reason, why, plural(l.units, "unit"))
end

local function applies(rule, date)
  return (not rule.from or rule.from <= date) and (not rule.to or date <= rule.to)
end

function Session:explain(r)
  local v, p, c = r.visit, r.payer, r.clinic
  self:say("%s  %s  payer %s (%s)%s", v.id, v.date, p.id, p.name,
    c and ("  clinic " .. c.id) or "")
  local u = r.units
  if u then
    self:say("units (%s): %d timed minutes -> %s; %s in all", u.method, u.timed_minutes,
      plural(u.timed_units, "timed unit"), plural(u.total_units, "unit"))
    for _, l in ipairs(u.lines) do self:say("  %s", explain_line(l, u, p)) end
  else
    self:say("units: not worked out (see the findings)")
  end
  local count, aborted, skipped_all = {}, {}, nil
  for _, f in ipairs(r.findings) do
    count[f.rule] = (count[f.rule] or 0) + 1
    if f.message:find(f.rule .. " aborted: ", 1, true) == 1 then aborted[f.rule] = f.message end
    if f.rule == "eightmin.payer-dates" then skipped_all = f.message end
  end
  self:say("rules:")
  local rules = {}
  for _, rule in ipairs(p.rules) do rules[#rules + 1] = rule end
  for _, rule in ipairs(c and c.rules or {}) do rules[#rules + 1] = rule end
  local known = {}
  for _, rule in ipairs(rules) do
    known[rule.name] = true
    local state
    if skipped_all then
      state = "did not run (the payer script does not cover the date)"
    elseif not applies(rule, v.date) then
      state = ("not in force on %s (%s to %s)"):format(v.date, rule.from or "any", rule.to or "any")
    elseif aborted[rule.name] then
      state = "ran and aborted: " .. aborted[rule.name]:sub(#rule.name + 11)
    elseif count[rule.name] then
      state = "ran, fired: " .. plural(count[rule.name], "finding")
    else
      state = "ran, no findings"
    end
    self:say("  %-36s %s", rule.name, state)
  end
  for _, f in ipairs(r.findings) do
    if not known[f.rule] then
      known[f.rule] = true
      self:say("  %-36s %s", f.rule, "(eightmin) " .. plural(count[f.rule], "finding"))
    end
  end
  report.text_visit(self.out, r)
end

-- ---- commands ----------------------------------------------------------------

local commands, command_list = {}, {}

local function command(name, args, help, fn)
  local c = { name = name, args = args, help = help, run = fn }
  commands[name] = c
  command_list[#command_list + 1] = c
end

command("help", "[COMMAND]", "list the commands, or explain one", function(self, arg)
  if arg ~= "" then
    local c = commands[arg:gsub("^:", "")]
    if not c then return nil, ("no command :%s (:help lists them)"):format(arg) end
    self:say(":%s %s\n  %s", c.name, c.args, c.help)
    return true
  end
  self:say("Lua: type an expression to see its value, or a statement to run it.")
  self:say("Variables: em (the eightmin API), payer, clinic, visit, result.")
  self:say("Commands:")
  for _, c in ipairs(command_list) do
    self:say("  %-22s %s", (":%s %s"):format(c.name, c.args), c.help)
  end
  return true
end)

command("payer", "NAME|FILE", "load a payer script (payer); no argument: show it", function(self, arg)
  if arg == "" then
    if not self.env.payer then return nil, "no payer loaded: :payer NAME|FILE" end
    self:show_payer(self.env.payer)
    return true
  end
  local p, err = self:load_payer(arg)
  if not p then return nil, err end
  self:show_payer(p)
  return true
end)

command("clinic", "NAME|FILE", "load a clinic script (clinic); no argument: show it",
  function(self, arg)
    if arg == "" then
      if not self.env.clinic then return nil, "no clinic loaded: :clinic NAME|FILE" end
      self:show_clinic(self.env.clinic)
      return true
    end
    local c, err = self:load_clinic(arg)
    if not c then return nil, err end
    self:show_clinic(c)
    return true
  end)

command("reload", "", "load the payer and clinic scripts again (after an edit)", function(self)
  if not self.payer_source and not self.clinic_source then
    return nil, "nothing to reload: no :payer or :clinic loaded"
  end
  local payer_source, clinic_source = self.payer_source, self.clinic_source
  self.env.payer, self.env.clinic = nil, nil -- a clinic is checked against the new payer
  if payer_source then
    local p, err = self:load_payer(payer_source)
    if not p then return nil, err end
    self:show_payer(p)
  end
  if clinic_source then
    local c, err = self:load_clinic(clinic_source)
    if not c then return nil, err end
    self:show_clinic(c)
  end
  self.payer_cache = {}
  return true
end)

command("visits", "FILE", "load visits (NDJSON); no argument: list them", function(self, arg)
  if arg == "" then
    if #self.visits == 0 then return nil, "no visits loaded: :visits FILE" end
    for i, v in ipairs(self.visits) do
      self:say("%s%4d  %s", v == self.env.visit and "*" or " ", v.record or i, tostring(v))
    end
    return true
  end
  local reader, err = em.read(arg)
  if not reader then return nil, err end
  local list, bad = {}, 0
  for v, verr in reader do
    if v then
      list[#list + 1] = v
    else
      bad = bad + 1
      self:warn("%s (record skipped)", verr)
    end
  end
  self.visits, self.visits_file = list, arg
  self:say("%s loaded from %s%s", plural(#list, "visit"), arg,
    bad > 0 and (", " .. plural(bad, "bad record") .. " skipped") or "")
  if list[1] then
    self:set_visit(list[1])
    self:say("visit = %s", tostring(list[1]))
  end
  return true
end)

command("visit", "ID|N", "choose the current visit (visit) by id or line number", function(self, arg)
  if arg == "" then
    if self.env.visit == nil then return nil, "no current visit: :visit ID|N" end
    self:say("visit = %s", tostring(self.env.visit))
    return true
  end
  if #self.visits == 0 then return nil, "no visits loaded: :visits FILE" end
  local found
  for _, v in ipairs(self.visits) do
    if v.id == arg then found = v break end
  end
  local n = not found and arg:match("^%d+$") and tonumber(arg)
  if n then
    for _, v in ipairs(self.visits) do
      if v.record == n then found = v break end
    end
  end
  if not found then
    return nil, ("no visit %s in %s (ids and line numbers: :visits)"):format(arg, self.visits_file)
  end
  self:set_visit(found)
  self:say("visit = %s", tostring(found))
  return true
end)

command("check", "", "check the current visit: claim lines and findings (result)", function(self)
  local r, err = self:check_current()
  if not r then return nil, err end
  report.text_visit(self.out, r)
  return true
end)

command("explain", "", "which rules ran and fired, and how each code's units were decided",
  function(self)
    local r, err = self:check_current()
    if not r then return nil, err end
    self:explain(r)
    return true
  end)

command("units", "CODE=MIN ...", "units under the payer's policy (CMS without a payer)",
  function(self, arg)
    local items = {}
    for a in arg:gmatch("%S+") do
      local cpt, minutes = a:match("^([^=]+)=(%d+)$")
      if not cpt then return nil, ("'%s': expected CODE=MINUTES, like 97112=24"):format(a) end
      items[#items + 1] = { cpt = cpt:upper(), minutes = tonumber(minutes) }
    end
    if #items == 0 then return nil, "usage: :units CODE=MIN ..." end
    local payer = self.env.payer
    local policy = payer and payer.units or "cms"
    if type(policy) == "function" then
      return nil, ("%s works out units with a function; use :check on a visit"):format(payer.id)
    end
    local u, err = core.units(items, policy, self.env.clinic and self.env.clinic.prefer or nil)
    if not u then return nil, err end
    for _, l in ipairs(u.lines) do
      self:say("%s", explain_line(l, u, payer or { units = "cms" }))
    end
    self:say("total %s", plural(u.total_units, "unit"))
    return true
  end)

command("quit", "", "leave (so does Ctrl-D)", function(self)
  self.done = true
  return true
end)

function Session:command(line)
  local name, arg = line:match("^%s*:(%S*)%s*(.-)%s*$")
  local c = commands[name] or (name == "q" and commands.quit) or (name == "h" and commands.help)
  if not c then
    self:complain("unknown command :%s (:help lists them)", name)
    return
  end
  local ok, res, err = protected(c.run, self, arg)
  if not ok then
    self:complain("%s", res)
  elseif not res then
    self:complain(":%s: %s", c.name, err)
  end
end

-- ---- completion ----------------------------------------------------------------

local KEYWORDS = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
                   "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
                   "true", "until", "while" }
local VIEW_METHODS = { "totable", "line", "has_modifier" }

local function safe_index(v, k)
  local ok, r = pcall(function() return v[k] end)
  if ok then return r end
  return nil
end

-- The names one can put after "value." (or "value:" when methods_only).
local function member_names(v, methods_only)
  local names = {}
  local function add(k, x)
    if pretty.is_identifier(k) and (not methods_only or type(x) == "function") then
      names[#names + 1] = k
    end
  end
  local t = type(v)
  if t == "table" then
    pcall(function()
      for k, x in pairs(v) do add(k, x) end
    end)
    local mt = getmetatable(v)
    if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
      for k, x in pairs(rawget(mt, "__index")) do add(k, x) end
    end
  elseif t == "string" then
    for k, x in pairs(string) do add(k, x) end
  elseif pretty.view_type(v) then
    if not methods_only then
      pcall(function()
        for k in pairs(v) do add(k, true) end
      end)
    end
    for _, k in ipairs(VIEW_METHODS) do
      if type(safe_index(v, k)) == "function" then names[#names + 1] = k end
    end
  end
  return names
end

function Session:complete(word, line)
  local before = line:sub(1, #line - #word)
  local out, seen = {}, {}
  local function offer(s)
    if #out < M.MAX_COMPLETIONS and not seen[s] and s:sub(1, #word) == word then
      seen[s] = true
      out[#out + 1] = s
    end
  end
  if before:match("^%s*$") and word:sub(1, 1) == ":" then
    for _, c in ipairs(command_list) do offer(":" .. c.name) end
  elseif before:match("^%s*:") then
    local cmd = before:match("^%s*:(%a+)%s+$")
    if cmd == "payer" and not word:find("/", 1, true) then
      local ok, list = pcall(em.payers)
      for _, p in ipairs(ok and list or {}) do offer(p.id) end
      if #out == 0 then return false end
    elseif cmd == "visit" then
      for _, v in ipairs(self.visits) do offer(v.id) end
    elseif cmd == "help" then
      for _, c in ipairs(command_list) do offer(c.name) end
    elseif cmd == "clinic" or cmd == "visits" or cmd == "payer" then
      return false -- file names
    end
  else
    local base, sep, part = word:match("^(.-)([.:])([%w_]*)$")
    if base then
      if base:match("[^%w_.:]") or base == "" then return out end
      local v = self.env
      for name in base:gmatch("[^.:]+") do
        v = safe_index(v, name)
        if v == nil then return out end
      end
      for _, k in ipairs(member_names(v, sep == ":")) do
        if k:sub(1, #part) == part then offer(base .. sep .. k) end
      end
    else
      for k in pairs(self.env) do if pretty.is_identifier(k) then offer(k) end end
      for k in pairs(_G) do if pretty.is_identifier(k) then offer(k) end end
      for _, k in ipairs(KEYWORDS) do offer(k) end
    end
  end
  table.sort(out)
  return out
end

-- ---- the loop ------------------------------------------------------------------

function Session:read(prompt)
  if self.interactive then return rl.readline(prompt) end
  local line = io.stdin:read("l")
  return line
end

-- History keeps what was typed, one entry per statement (lua.c does too).
function Session:remember(src)
  if self.interactive and src:match("%S") and src ~= self.last_history then
    rl.add_history(src)
    self.last_history = src
  end
end

-- $XDG_STATE_HOME/eightmin/history, else ~/.eightmin_history.
function M.history_file()
  local state = os.getenv("XDG_STATE_HOME")
  if state and state ~= "" then return state .. "/eightmin/history" end
  local home = os.getenv("HOME")
  if home and home ~= "" then return home .. "/.eightmin_history" end
  return nil
end

-- Runs the loop. opts: payer, clinic (names or files, loaded first).
-- Returns the exit code: 0, or 1 when input from a pipe had errors.
function M.run(opts)
  local env = setmetatable({ em = em }, { __index = _G })
  local self = setmetatable({ env = env, out = io.stdout, errors = 0, visits = {},
                              payer_cache = {}, interactive = rl.isatty(0) }, Session)
  if opts.payer then
    local p, err = self:load_payer(opts.payer)
    if not p then return nil, err end
  end
  if opts.clinic then
    local c, err = self:load_clinic(opts.clinic)
    if not c then return nil, err end
  end
  local history = self.interactive and M.history_file()
  if self.interactive then
    self:say("eightmin %s  (Lua %s)  :help for commands, Ctrl-D to leave", core.version or "",
      _VERSION:match("%d.*") or "")
    if env.payer then self:show_payer(env.payer) end
    if env.clinic then self:show_clinic(env.clinic) end
    if history then rl.read_history(history) end
    rl.set_completer(function(word, line) return self:complete(word, line) end)
  end
  while not self.done do
    local line = self:read(M.PROMPT)
    if not line then break end
    if line:match("^%s*:[^:]") or line:match("^%s*:$") then
      self:remember(line)
      self:command(line)
    elseif line:match("%S") then
      self:eval(line)
    end
    self.out:flush()
  end
  if self.interactive then
    self.out:write(self.done and "" or "\n")
    rl.set_completer(nil)
    if history then
      local ok, err = rl.write_history(history)
      if not ok then io.stderr:write("eightmin repl: ", err, "\n") end
    end
  end
  if not self.interactive and self.errors > 0 then return 1 end
  return 0
end

return M
