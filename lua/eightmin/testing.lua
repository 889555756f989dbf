-- eightmin.testing: the test-file API (describe, it, expect, check,
-- fixture, visit) and the runner behind `eightmin test`.
--
-- Each test file runs in a fresh sandbox environment, like a payer script,
-- with the API as extra globals. Its top level only registers tests
-- (describe runs its body at once, it records its function); then each test
-- runs under its own instruction budget, so an endless loop fails that test
-- and the run goes on. A failed expectation is recorded on the side before
-- it raises, so a test cannot pcall its way past one.
local core = require "eightmin.core"
local em = require "eightmin"
local plugin = require "eightmin.plugin"

local sandbox = core.sandbox
local M = {}

M.LOAD_BUDGET = 50000000  -- instructions for a test file's top level
M.TEST_BUDGET = 100000000 -- instructions for one test
M.MAX_DIFFS = 20          -- differences listed for one failed equals
M.MAX_WALK_DEPTH = 32     -- folder nesting searched for test files

local SEP = " > "

-- ---- discovery --------------------------------------------------------

local function is_dir(path)
  return core.list_dir(path) ~= nil
end

local function is_file(path)
  if is_dir(path) then return false end
  local f = io.open(path, "rb")
  if not f then return false end
  f:close()
  return true
end

local function walk(dir, out, depth)
  for _, name in ipairs(core.list_dir(dir) or {}) do
    local path = (dir == "/" and "" or dir) .. "/" .. name
    if is_dir(path) then
      -- list_dir leaves out hidden names; build/ holds copies, not sources
      if name ~= "build" and depth < M.MAX_WALK_DEPTH then walk(path, out, depth + 1) end
    elseif name:match("_test%.lua$") then
      out[#out + 1] = path
    end
  end
end

-- The test files under the given paths (a path may also be one file of
-- any name), each folder's sorted, without repeats. Returns files, or nil
-- and a message naming the path that is neither.
function M.discover(paths)
  local files, seen = {}, {}
  for _, given in ipairs(paths) do
    local path = given:gsub("(.)/+$", "%1")
    local found = {}
    if is_dir(path) then
      walk(path, found, 1)
      table.sort(found)
    elseif is_file(path) then
      found[1] = path
    else
      return nil, ("%s: no such file or folder"):format(given)
    end
    for _, f in ipairs(found) do
      if not seen[f] then
        seen[f] = true
        files[#files + 1] = f
      end
    end
  end
  return files
end

-- ---- showing values ---------------------------------------------------

local function quote(s)
  return (("%q"):format(s):gsub("\\\n", "\\n"))
end

local function is_container(v)
  local t = type(v)
  if t == "table" then return true end
  if t ~= "userdata" then return false end
  local mt = debug.getmetatable(v) -- views of records iterate with __pairs
  return type(mt) == "table" and rawget(mt, "__pairs") ~= nil
end

-- A plain copy of a container's pairs (a view gives its fields this way).
local function snapshot(v)
  local t = {}
  for k, x in pairs(v) do t[k] = x end
  return t
end

local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta == "number" end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function sorted_keys(...)
  local keys, seen = {}, {}
  for i = 1, select("#", ...) do
    for k in pairs((select(i, ...))) do
      if not seen[k] then seen[k] = true; keys[#keys + 1] = k end
    end
  end
  table.sort(keys, key_order)
  return keys
end

local function key_path(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return "." .. k end
  if type(k) == "string" then return "[" .. quote(k) .. "]" end
  return "[" .. tostring(k) .. "]"
end

local show

local function show_container(v, depth)
  if depth > 2 then return "{...}" end
  local t = snapshot(v)
  local parts, n = {}, #t
  for i = 1, n do parts[#parts + 1] = show(t[i], depth + 1) end
  for _, k in ipairs(sorted_keys(t)) do
    if math.type(k) ~= "integer" or k < 1 or k > n then
      local name = type(k) == "string" and k:match("^[%a_][%w_]*$") and k
        or "[" .. show(k, depth + 1) .. "]"
      parts[#parts + 1] = name .. " = " .. show(t[k], depth + 1)
    end
    if #parts >= 8 then parts[#parts + 1] = "..."; break end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- One value as a person reads it: strings quoted, tables inline and short.
function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then
    if #v > 2000 then return quote(v:sub(1, 2000)) .. "..." end
    return quote(v)
  end
  if is_container(v) then return show_container(v, depth) end
  if type(v) == "function" then return "a function" end
  local ok, s = pcall(tostring, v)
  return ok and tostring(s) or type(v)
end
M.show = show

-- ---- deep equality and the diff ---------------------------------------

local function same_scalar(a, e)
  if rawequal(a, e) then return true end
  return type(a) == type(e) and type(a) ~= "table" and a == e
end

-- Appends {path, expected, actual} for each difference, at most limit.
local function diff(actual, expected, path, out, limit, seen)
  if #out >= limit then return end
  if is_container(actual) and is_container(expected) then
    if rawequal(actual, expected) then return end
    seen[actual] = seen[actual] or {}
    if seen[actual][expected] then return end -- a cycle: already compared
    seen[actual][expected] = true
    local a, e = snapshot(actual), snapshot(expected)
    for _, k in ipairs(sorted_keys(e, a)) do
      diff(a[k], e[k], path .. key_path(k), out, limit, seen)
      if #out >= limit then return end
    end
  elseif not same_scalar(actual, expected) then
    out[#out + 1] = { path = path, expected = expected, actual = actual }
  end
end

function M.deep_equal(actual, expected)
  local out = {}
  diff(actual, expected, "", out, 1, {})
  return #out == 0
end

-- The differences as lines: `expected.lines[2].units = 2, got 3`.
function M.diff_lines(actual, expected)
  local out = {}
  diff(actual, expected, "", out, M.MAX_DIFFS + 1, {})
  local lines = {}
  for i, d in ipairs(out) do
    if i > M.MAX_DIFFS then lines[#lines + 1] = "... and more differences"; break end
    if d.path == "" then
      lines[#lines + 1] = ("expected %s, got %s"):format(show(d.expected), show(d.actual))
    else
      lines[#lines + 1] = ("expected%s = %s, got %s"):format(d.path, show(d.expected),
                                                            show(d.actual))
    end
  end
  return lines
end

-- ---- expectations -----------------------------------------------------

local ACTUAL = {} -- private key of an expectation's value

-- The line of the test file that called into the API.
local function caller_line(file)
  local source = "@" .. file
  for level = 3, 60 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == source then return info.currentline end
  end
  return nil
end

local function findings_text(findings, rule)
  local lines = {}
  for _, f in ipairs(findings) do
    if rule == nil or f.rule == rule then
      lines[#lines + 1] = ("  %s line %s %s: %s"):format(tostring(f.severity), tostring(f.line),
                                                       tostring(f.rule), tostring(f.message))
    end
  end
  if #lines == 0 then return "  (no findings)" end
  return table.concat(lines, "\n")
end

local function callable(v)
  if type(v) == "function" then return true end
  local mt = debug.getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__call") ~= nil
end

local FINDING_OPTS = { severity = true, line = true, message = true }

-- The expectation methods of one file; fail(msg) records and raises.
local function matchers(fail)
  local E = {}

  local function value(self, method)
    if type(self) ~= "table" or rawget(self, ACTUAL) == nil then
      error(("%s: call it with a colon, as expect(x):%s(...)"):format(method, method), 3)
    end
    return rawget(self, ACTUAL)[1]
  end

  function E.equals(self, expected)
    local actual = value(self, "equals")
    if not M.deep_equal(actual, expected) then
      fail(table.concat(M.diff_lines(actual, expected), "\n"))
    end
    return self
  end

  function E.is(self, expected)
    local actual = value(self, "is")
    if not rawequal(actual, expected) then
      local extra = ""
      if is_container(actual) and M.deep_equal(actual, expected) then
        extra = " (equal contents, but not the same table)"
      end
      fail(("expected the very value %s, got %s%s"):format(show(expected), show(actual), extra))
    end
    return self
  end

  local function is_value(name, want)
    E[name] = function(self)
      local actual = value(self, name)
      if not rawequal(actual, want) then
        fail(("expected %s, got %s"):format(tostring(want), show(actual)))
      end
      return self
    end
  end
  is_value("is_true", true)
  is_value("is_false", false)
  is_value("is_nil", nil)

  function E.is_not_nil(self)
    if value(self, "is_not_nil") == nil then fail("expected a value, got nil") end
    return self
  end

  function E.contains(self, x)
    local actual = value(self, "contains")
    if type(actual) == "string" then
      if type(x) ~= "string" then
        error(("contains: a string can only contain a string, got %s"):format(show(x)), 2)
      end
      if not actual:find(x, 1, true) then
        fail(("expected %s to contain %s"):format(show(actual), show(x)))
      end
    elseif is_container(actual) then
      for _, v in pairs(snapshot(actual)) do
        if M.deep_equal(v, x) then return self end
      end
      fail(("expected a list containing %s, got %s"):format(show(x), show(actual)))
    else
      fail(("contains: expected a string or a list, got %s"):format(show(actual)))
    end
    return self
  end

  function E.matches(self, pattern)
    local actual = value(self, "matches")
    if type(pattern) ~= "string" then error("matches: the pattern must be a string", 2) end
    if type(actual) ~= "string" then
      fail(("expected a string matching %s, got %s"):format(show(pattern), show(actual)))
    end
    local ok, found = pcall(string.find, actual, pattern)
    if not ok then error(("matches: bad pattern %s: %s"):format(show(pattern), found), 2) end
    if not found then
      fail(("expected %s to match the pattern %s"):format(show(actual), show(pattern)))
    end
    return self
  end

  function E.fails(self, substring)
    local fn = value(self, "fails")
    if substring ~= nil and type(substring) ~= "string" then
      error("fails: the expected part of the message must be a string", 2)
    end
    if not callable(fn) then fail(("fails: expected a function, got %s"):format(show(fn))) end
    local ok, err = pcall(fn)
    if ok then fail("expected the function to raise an error, it returned") end
    local msg = type(err) == "string" and err or show(err)
    if substring and not msg:find(substring, 1, true) then
      fail(("expected an error containing %s, got %s"):format(show(substring), show(msg)))
    end
    return self
  end

  local function findings_of(actual, method)
    local findings = type(actual) == "table" and actual.findings
    if type(findings) ~= "table" then
      fail(("%s: expected a result of check(), got %s"):format(method, show(actual)))
    end
    return findings
  end

  function E.has_finding(self, rule, opts)
    local actual = value(self, "has_finding")
    if type(rule) ~= "string" then error("has_finding: the rule must be a string", 2) end
    if opts ~= nil and type(opts) ~= "table" then
      error("has_finding: options must be a table {severity=, line=, message=}", 2)
    end
    opts = opts or {}
    for k in pairs(opts) do
      if not FINDING_OPTS[k] then
        error(("has_finding: unknown option '%s' (known: line, message, severity)"):format(
          tostring(k)), 2)
      end
    end
    local findings = findings_of(actual, "has_finding")
    for _, f in ipairs(findings) do
      if f.rule == rule and (opts.severity == nil or f.severity == opts.severity)
          and (opts.line == nil or f.line == opts.line)
          and (opts.message == nil or tostring(f.message):find(opts.message, 1, true)) then
        return self
      end
    end
    local want = {}
    if opts.severity then want[#want + 1] = "severity " .. tostring(opts.severity) end
    if opts.line then want[#want + 1] = "line " .. tostring(opts.line) end
    if opts.message then want[#want + 1] = "message containing " .. show(opts.message) end
    fail(("expected a finding %s%s, got:\n%s"):format(rule,
      #want > 0 and " (" .. table.concat(want, ", ") .. ")" or "", findings_text(findings)))
  end

  function E.has_no_finding(self, rule)
    local actual = value(self, "has_no_finding")
    if type(rule) ~= "string" then error("has_no_finding: the rule must be a string", 2) end
    local findings = findings_of(actual, "has_no_finding")
    for _, f in ipairs(findings) do
      if f.rule == rule then
        fail(("expected no finding %s, got:\n%s"):format(rule, findings_text(findings, rule)))
      end
    end
    return self
  end

  return E
end

-- ---- coverage ---------------------------------------------------------

local function new_coverage()
  return { scripts = {}, fired = {} }
end

local function cover_script(cov, script)
  if type(script) ~= "table" or not script.path or cov.scripts[script.path] then return end
  local rules = {}
  for i, r in ipairs(script.rules or {}) do rules[i] = r.name end
  cov.scripts[script.path] = { id = script.id, kind = script.kind, rules = rules }
end

local function cover_result(cov, result)
  for _, f in ipairs(result.findings or {}) do
    local rule = f.rule
    -- a rule that crashed did not fire; it is reported as "NAME aborted: ..."
    if type(rule) == "string" and not tostring(f.message):find(rule .. " aborted: ", 1, true) then
      cov.fired[rule] = true
    end
  end
end

-- The coverage lines: "coverage: medicare: 6 of 8 rules fired; never: ...".
function M.coverage_lines(cov)
  local list = {}
  for path, s in pairs(cov.scripts) do list[#list + 1] = { path = path, s = s } end
  table.sort(list, function(a, b)
    if a.s.kind ~= b.s.kind then return a.s.kind == "payer" end
    if a.s.id ~= b.s.id then return a.s.id < b.s.id end
    return a.path < b.path
  end)
  local lines = {}
  if #list == 0 then return { "coverage: the tests loaded no payer or clinic script" } end
  for _, item in ipairs(list) do
    local never = {}
    for _, name in ipairs(item.s.rules) do
      if not cov.fired[name] then never[#never + 1] = name end
    end
    local label = item.s.kind == "clinic" and "clinic " .. item.s.id or item.s.id
    local line = ("coverage: %s: %d of %d rules fired"):format(label,
      #item.s.rules - #never, #item.s.rules)
    if #never > 0 then line = line .. "; never: " .. table.concat(never, ", ") end
    lines[#lines + 1] = line
  end
  return lines
end

-- ---- one file's API ---------------------------------------------------

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

-- Where fixture(path) looks: beside the test file, then the tree top.
local function fixture_path(ctx, path)
  if path:sub(1, 1) == "/" then return is_file(path) and path or nil, { path } end
  local tried = { ctx.dir .. "/" .. path, path }
  if core.builtin_plugins then tried[#tried + 1] = dirname(core.builtin_plugins) .. "/" .. path end
  for _, p in ipairs(tried) do
    if is_file(p) then return p end
  end
  return nil, tried
end

-- The names that are not safe or not stable for a test: files, writers,
-- and the process-wide code table.
local NOT_FOR_TESTS = { read = true, write_claim = true, write_finding = true,
                        write_units = true, add_code = true, SCRIPT_API = true }

local function file_api(ctx, cov)
  local api = {}

  local function fail(msg)
    local line = caller_line(ctx.file)
    local test = ctx.current
    if test then
      if not test.failure then test.failure = { line = line, message = msg } end
      error("expectation failed", 0)
    end
    error(("%s:%s: %s"):format(ctx.file, tostring(line or "?"), msg), 0)
  end

  local E = matchers(fail)
  local expect_meta = { __index = E, __metatable = "expectation" }
  function api.expect(actual)
    return setmetatable({ [ACTUAL] = { actual } }, expect_meta)
  end

  function api.describe(name, fn)
    if type(name) ~= "string" then error("describe(name, fn): the name must be a string", 2) end
    if type(fn) ~= "function" then error("describe(name, fn): fn must be a function", 2) end
    if not ctx.collecting then error("describe() inside a test: groups go at the top level", 2) end
    local depth = #ctx.stack
    ctx.stack[depth + 1] = name
    local ok, err = pcall(fn)
    for i = #ctx.stack, depth + 1, -1 do ctx.stack[i] = nil end
    if not ok then error(err, 0) end
  end

  function api.it(name, fn)
    if type(name) ~= "string" then error("it(name, fn): the name must be a string", 2) end
    if type(fn) ~= "function" then error("it(name, fn): fn must be a function", 2) end
    if not ctx.collecting then error("it() inside a test: tests do not nest", 2) end
    local full = name
    if #ctx.stack > 0 then full = table.concat(ctx.stack, SEP) .. SEP .. name end
    local info = debug.getinfo(2, "l")
    ctx.tests[#ctx.tests + 1] = { name = full, fn = fn, line = info and info.currentline }
  end

  local function load_script(kind, name)
    local loader = kind == "payer" and em.load_payer or em.load_clinic
    local s, err = loader(name)
    if s then cover_script(cov, s) end
    return s, err
  end

  local function resolve(kind, given)
    if type(given) ~= "string" then return given end
    local cache = ctx.scripts[kind]
    if not cache[given] then
      local s, err = load_script(kind, given)
      if not s then error(err, 3) end
      cache[given] = s
    end
    return cache[given]
  end

  -- eightmin.check semantics (nil, msg on failure), with coverage.
  local function check(v, payer, clinic, opts)
    local ok, p = pcall(resolve, "payer", payer)
    if not ok then return nil, p end
    local c
    ok, c = pcall(resolve, "clinic", clinic)
    if not ok then return nil, c end
    cover_script(cov, p)
    cover_script(cov, c)
    local r, err = em.check(v, p, c, opts)
    if r then cover_result(cov, r) end
    return r, err
  end

  function api.check(v, payer, clinic, opts)
    if payer == nil then error("check(visit, payer [, clinic]): no payer given", 2) end
    local r, err = check(v, payer, clinic, opts)
    if not r then error(err, 2) end
    return r
  end

  function api.visit(t)
    local v, err = core.visit(t)
    if not v then error(err, 2) end
    return v
  end

  function api.fixture(path)
    if type(path) ~= "string" then error("fixture(path): the path must be a string", 2) end
    local found, tried = fixture_path(ctx, path)
    if not found then
      error(("fixture '%s': no such file (looked for %s)"):format(path, table.concat(tried, ", ")), 2)
    end
    local reader, rerr = core.read(found)
    if not reader then error(("fixture '%s': %s"):format(path, rerr), 2) end
    local visits = { by_id = {} }
    for v, err in reader do
      if not v then error(("fixture %s"):format(err), 2) end
      visits[#visits + 1] = v
      if v.id then visits.by_id[v.id] = v end
    end
    return visits
  end

  local full = {}
  for k, v in pairs(em) do
    if not NOT_FOR_TESTS[k] then full[k] = v end
  end
  full.check = check
  full.load_payer = function(name) return load_script("payer", name) end
  full.load_clinic = function(name) return load_script("clinic", name) end
  api.eightmin = full
  return api
end

-- ---- the runner -------------------------------------------------------

local function indent(msg)
  return "  " .. tostring(msg):gsub("\n", "\n  ")
end

local function report_fail(run, file, line, name, msg)
  run.failed = run.failed + 1
  run.out:write(("FAIL %s%s: %s\n%s\n"):format(file, line and ":" .. line or "", name,
                                               indent(msg)))
end

local function report_pass(run, file, line, name)
  run.passed = run.passed + 1
  if run.verbose then run.out:write(("ok   %s:%s: %s\n"):format(file, tostring(line), name)) end
end

-- The line of file named in an error message, if it names one.
local function line_in(msg, file)
  for where, line in tostring(msg):gmatch("([^%s:]+):(%d+)") do
    if where == file then return tonumber(line) end
  end
  return nil
end

local function failure_text(msg, kind, budget)
  if kind == "budget" then
    return ("ran out of its instruction budget (%d; an endless loop?): %s"):format(budget, msg)
  end
  return tostring(msg)
end

local read_file = plugin.read_file

local function run_file(run, file)
  local ctx = { file = file, dir = dirname(file), tests = {}, stack = {}, collecting = true,
                scripts = { payer = {}, clinic = {} } }
  local api = file_api(ctx, run.coverage)
  local env = plugin.script_env(api.eightmin, {})
  for _, name in ipairs({ "describe", "it", "expect", "check", "fixture", "visit" }) do
    rawset(env, name, api[name]) -- the env refuses undeclared globals, even ours
  end
  local text, err = read_file(file)
  local chunk
  if text then chunk, err = load(text, "@" .. file, "t", env) end
  local ok, kind = chunk ~= nil, nil
  if chunk then ok, err, kind = sandbox.run(M.LOAD_BUDGET, chunk) end
  ctx.collecting = false
  if not ok then
    report_fail(run, file, line_in(err, file), "(the file did not load)",
                failure_text(err, kind, M.LOAD_BUDGET))
    return
  end
  for _, test in ipairs(ctx.tests) do
    if not run.filter or test.name:find(run.filter) then
      run.matched = run.matched + 1
      ctx.current = test
      local tok, msg, tkind = sandbox.run(M.TEST_BUDGET, test.fn)
      ctx.current = nil
      if test.failure then
        report_fail(run, file, test.failure.line or test.line, test.name, test.failure.message)
      elseif not tok then
        report_fail(run, file, line_in(msg, file) or test.line, test.name,
                    failure_text(msg, tkind, M.TEST_BUDGET))
      else
        report_pass(run, file, test.line, test.name)
      end
      test.fn = nil -- let the test's data go
    end
  end
end

-- Runs the test files. opts: filter (a Lua pattern), verbose, coverage,
-- out (default io.stdout). Returns passed, failed, matched.
function M.run(files, opts)
  local run = { passed = 0, failed = 0, matched = 0, filter = opts.filter,
                verbose = opts.verbose, out = opts.out or io.stdout,
                coverage = new_coverage() }
  for _, file in ipairs(files) do
    run_file(run, file)
    collectgarbage()
  end
  if opts.coverage then
    for _, line in ipairs(M.coverage_lines(run.coverage)) do run.out:write(line, "\n") end
  end
  run.out:write(("%d passed, %d failed\n"):format(run.passed, run.failed))
  run.out:flush()
  return run.passed, run.failed, run.matched
end

return M
