-- eightmin.plugin: finds, loads and checks payer and clinic scripts.
--
-- Scripts are untrusted. Each runs in its own sandbox environment under an
-- instruction budget; what it returns is copied into host tables with raw
-- access (so no metamethod of the script ever runs outside the sandbox) and
-- checked field by field, NSE-style: each wrong key gets its own message.
local core = require "eightmin.core"

local sandbox = core.sandbox
local M = {}

M.LOAD_BUDGET = 50000000 -- instructions to run a script's top level
M.MAX_DEPTH = 16         -- nesting of a script's data tables
M.MAX_ITEMS = 100000     -- entries in one data table

-- The folders searched for payers/, clinics/ and lib/: built-in first,
-- then each folder of $EIGHTMIN_PATH.
function M.search_path()
  local dirs = {}
  if core.builtin_plugins then dirs[#dirs + 1] = core.builtin_plugins end
  local extra = os.getenv("EIGHTMIN_PATH")
  if extra then
    for dir in extra:gmatch("[^:]+") do dirs[#dirs + 1] = dir end
  end
  return dirs
end

-- A whole file, or nil and a message.
local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  if not text then return nil, path .. ": cannot read" end
  return text
end

-- A payer or clinic name (not a path): what a visit record may name.
function M.is_name(name)
  return type(name) == "string" and #name <= 64 and name:match("^[%w][%w%-_%.]*$") ~= nil
    and not name:match("%.lua$") and not name:match("_test$")
end

local function is_file_name(name)
  return name:find("/", 1, true) or name:match("%.lua$")
end

-- Path of a payer or clinic script: a file name as given, else
-- KIND/NAME.lua along the search path.
function M.find(kind, name)
  if is_file_name(name) then
    local f = io.open(name, "rb")
    if not f then return nil, ("%s script '%s' not found"):format(kind, name) end
    f:close()
    return name
  end
  if not name:match("^[%w][%w%-_%.]*$") then
    return nil, ("'%s' is not a %s name (letters, digits, '-', '_')"):format(name, kind)
  end
  local tried = {}
  for _, dir in ipairs(M.search_path()) do
    local path = ("%s/%ss/%s.lua"):format(dir, kind, name)
    local f = io.open(path, "rb")
    if f then f:close(); return path end
    tried[#tried + 1] = path
  end
  return nil, ("no %s named '%s' (looked for %s; see 'eightmin payers')"):format(
    kind, name, #tried > 0 and table.concat(tried, ", ") or "no plugin folder")
end

-- Copies a script's value into a host table with raw access only.
local function copy(value, where, depth)
  if type(value) ~= "table" then return value end
  if depth > M.MAX_DEPTH then error(where .. ": tables nested too deep", 0) end
  local out, n = {}, 0
  local k, v = next(value)
  while k ~= nil do
    n = n + 1
    if n > M.MAX_ITEMS then error(where .. ": table too large", 0) end
    local kt = type(k)
    if kt ~= "string" and kt ~= "number" then
      error(("%s: keys must be strings or numbers, got a %s"):format(where, kt), 0)
    end
    out[k] = copy(v, kt == "number" and ("%s[%d]"):format(where, k) or where .. "." .. k,
                  depth + 1)
    k, v = next(value, k)
  end
  return out
end

local function fail(where, fmt, ...)
  error(where .. ": " .. fmt:format(...), 0)
end

local function check_type(where, value, want, optional)
  if value == nil and optional then return end
  if type(value) ~= want then
    fail(where, "expected a %s, got %s", want, value == nil and "nothing" or type(value))
  end
end

local function check_keys(where, t, allowed)
  for k in pairs(t) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      fail(where, "unknown key '%s' (known: %s)", tostring(k), table.concat(names, ", "))
    end
  end
end

local function check_date(where, value)
  if value == nil then return nil end
  check_type(where, value, "string")
  local days, err = core.date(value)
  if not days then fail(where, "%s", err) end
  return value
end

local function check_list(where, value, optional)
  check_type(where, value, "table", optional)
  if value == nil then return {} end
  local n = #value
  for k in pairs(value) do
    if math.type(k) ~= "integer" or k < 1 or k > n then
      fail(where, "expected a list, found key '%s'", tostring(k))
    end
  end
  return value
end

local function check_strings(where, value, optional)
  check_list(where, value, optional)
  for i, s in ipairs(value or {}) do check_type(("%s[%d]"):format(where, i), s, "string") end
  return value
end

local SEVERITY = { error = 3, warning = 2, info = 1 }
M.SEVERITY = SEVERITY

local RULE_KEYS = { id = true, severity = true, cite = true, from = true, to = true,
                    description = true, check = true }

local function check_rules(where, rules, owner)
  check_list(where, rules, true)
  local seen = {}
  for i, r in ipairs(rules or {}) do
    local at = ("%s[%d]"):format(where, i)
    check_type(at, r, "table")
    check_keys(at, r, RULE_KEYS)
    check_type(at .. ".id", r.id, "string")
    if not r.id:match("^[%w][%w%-]*$") then
      fail(at .. ".id", "'%s' is not a rule id (letters, digits and '-')", r.id)
    end
    if seen[r.id] then fail(at .. ".id", "rule '%s' is defined twice", r.id) end
    seen[r.id] = true
    at = ("%s[%d] (%s)"):format(where, i, r.id)
    check_type(at .. ".severity", r.severity, "string")
    if not SEVERITY[r.severity] then
      fail(at .. ".severity", "expected \"error\", \"warning\" or \"info\", got \"%s\"", r.severity)
    end
    check_type(at .. ".cite", r.cite, "string")
    check_type(at .. ".description", r.description, "string", true)
    check_type(at .. ".check", r.check, "function")
    check_date(at .. ".from", r.from)
    check_date(at .. ".to", r.to)
    if r.from and r.to and r.from > r.to then
      fail(at, "'from' %s is after 'to' %s", r.from, r.to)
    end
    r.name = owner .. "." .. r.id
  end
  return rules or {}
end

local function check_units(where, units)
  if units == nil then return "cms" end
  if type(units) == "string" then
    if units ~= "cms" and units ~= "ama" then
      fail(where, "expected \"cms\", \"ama\", a table or a function, got \"%s\"", units)
    end
  elseif type(units) == "table" then
    check_keys(where, units, { unit_minutes = true, threshold = true, pooled = true })
    local ok, res, err = pcall(core.units, {}, units)
    if not ok or not res then fail(where, "%s", tostring(ok and err or res)) end
  elseif type(units) ~= "function" then
    fail(where, "expected \"cms\", \"ama\", a table or a function, got a %s", type(units))
  end
  return units
end

local function check_modifiers(where, mods)
  check_type(where, mods, "table", true)
  for k, v in pairs(mods or {}) do
    check_type(where .. "." .. tostring(k), v, "string")
  end
  return mods or {}
end

local WINDOW_KEYS = { from = true, to = true, pos = true, modifiers = true, codes = true,
                      disciplines = true, name = true, note = true, home = true }

local function check_telehealth(where, windows)
  check_list(where, windows, true)
  for i, w in ipairs(windows or {}) do
    local at = ("%s[%d]"):format(where, i)
    check_type(at, w, "table")
    check_keys(at, w, WINDOW_KEYS)
    check_date(at .. ".from", w.from)
    check_date(at .. ".to", w.to)
    for _, key in ipairs({ "pos", "modifiers", "codes", "disciplines" }) do
      check_strings(at .. "." .. key, w[key], true)
    end
  end
  return windows or {}
end

local PAYER_KEYS = { name = true, units = true, modifiers = true, telehealth = true,
                     rules = true, claim = true, effective = true, args = true,
                     description = true }
local CLINIC_KEYS = { name = true, prefer = true, hints = true, severity = true,
                      rules = true, args = true, description = true }

-- The sandbox environment of one script: the safe globals, a restricted
-- `eightmin` API and a `require` bounded to the lib/ folders.
local function script_env(api, loaded)
  local env = sandbox.env()
  local own = {} -- each script its own copy, so one cannot change another's
  for k, v in pairs(api or {}) do own[k] = v end
  rawset(env, "eightmin", own) -- the env refuses undeclared globals, even ours
  rawset(env, "require", function(name)
    if type(name) ~= "string" or not name:match("^lib%.[%w_%-]+$") then
      error(("require '%s': only the shared libraries lib.NAME can be required"):format(
        tostring(name)), 2)
    end
    if loaded[name] ~= nil then return loaded[name] end
    local file = name:sub(5)
    for _, dir in ipairs(M.search_path()) do
      local path = ("%s/lib/%s.lua"):format(dir, file)
      local text = read_file(path)
      if text then
        local chunk, err = load(text, "@" .. path, "t", script_env(api, loaded))
        if not chunk then error(err, 0) end
        local value = chunk(name)
        if value == nil then value = true end
        loaded[name] = value
        return value
      end
    end
    error(("require '%s': no lib/%s.lua in %s"):format(name, file,
      table.concat(M.search_path(), ", ")), 2)
  end)
  return env
end
M.script_env = script_env -- eightmin test gives each test file one

-- Runs a script file in a fresh sandbox and returns its value copied.
local function run_script(path, api)
  local text, err = read_file(path)
  if not text then return nil, err end
  local chunk, lerr = load(text, "@" .. path, "t", script_env(api, {}))
  if not chunk then return nil, lerr end
  local ok, value, kind = sandbox.run(M.LOAD_BUDGET, chunk)
  if not ok then
    return nil, ("%s: loading failed (%s): %s"):format(path, kind or "error", tostring(value))
  end
  if type(value) ~= "table" then
    return nil, ("%s: the script must return a table, it returned %s"):format(
      path, value == nil and "nothing" or type(value))
  end
  local cok, copied = pcall(copy, value, path, 0)
  if not cok then return nil, copied end
  return copied
end

M.read_file = read_file

local function id_of(path)
  return (path:match("([^/]+)%.lua$") or path)
end

-- Finds, runs and checks a payer or clinic script; validate(t, path, id)
-- raises with a message naming the script and the key at fault.
local function load_script(kind, name, api, validate)
  local path, err = M.find(kind, name)
  if not path then return nil, err end
  local t
  t, err = run_script(path, api)
  if not t then return nil, err end
  local id = id_of(path)
  local ok, verr = pcall(validate, t, path, id)
  if not ok then return nil, verr end
  t.id, t.path, t.kind = id, path, kind
  t.args = t.args or {}
  return t
end

local function validate_payer(t, path, id)
  check_keys(path, t, PAYER_KEYS)
  check_type(path .. ": name", t.name, "string")
  t.units = check_units(path .. ": units", t.units)
  t.modifiers = check_modifiers(path .. ": modifiers", t.modifiers)
  t.telehealth = check_telehealth(path .. ": telehealth", t.telehealth)
  t.rules = check_rules(path .. ": rules", t.rules, id)
  check_type(path .. ": claim", t.claim, "function", true)
  check_type(path .. ": args", t.args, "table", true)
  check_type(path .. ": description", t.description, "string", true)
  if t.effective ~= nil then
    check_type(path .. ": effective", t.effective, "table")
    check_keys(path .. ": effective", t.effective, { from = true, to = true })
    check_date(path .. ": effective.from", t.effective.from)
    check_date(path .. ": effective.to", t.effective.to)
  end
end

-- Lowering a payer rule's severity is refused by check_clinic_against,
-- once the payer is known.
local function validate_clinic(t, path, id)
  check_keys(path, t, CLINIC_KEYS)
  check_type(path .. ": name", t.name, "string")
  t.prefer = check_strings(path .. ": prefer", t.prefer, true)
  check_type(path .. ": hints", t.hints, "table", true)
  check_type(path .. ": severity", t.severity, "table", true)
  for rule, sev in pairs(t.severity or {}) do
    check_type(path .. ": severity." .. tostring(rule), sev, "string")
    if not SEVERITY[sev] then
      fail(path .. ": severity." .. rule, "expected \"error\", \"warning\" or \"info\", got \"%s\"", sev)
    end
  end
  t.rules = check_rules(path .. ": rules", t.rules, id)
  check_type(path .. ": args", t.args, "table", true)
  check_type(path .. ": description", t.description, "string", true)
  t.hints, t.severity = t.hints or {}, t.severity or {}
end

-- Loads and checks a payer script by name or file.
function M.load_payer(name, api)
  return load_script("payer", name, api, validate_payer)
end

-- Loads and checks a clinic script by name or file.
function M.load_clinic(name, api)
  return load_script("clinic", name, api, validate_clinic)
end

-- Refuses a clinic that would weaken one of the payer's rules.
function M.check_clinic_against(clinic, payer)
  if not clinic then return true end
  if clinic.id == payer.id then
    -- its rules and arguments would share the payer's names
    return nil, ("%s: a clinic script may not have the id of the payer '%s' (rename the file)"):format(
      clinic.path, payer.id)
  end
  local known = {}
  for _, r in ipairs(payer.rules) do known[r.name] = r end
  for name, sev in pairs(clinic.severity) do
    local r = known[name]
    if r and SEVERITY[sev] < SEVERITY[r.severity] then
      return nil, ("%s: severity.%s: a clinic may raise a payer rule's severity, not lower it"
        .. " (%s is %s, the clinic asks for %s)"):format(clinic.path, name, name, r.severity, sev)
    end
  end
  return true
end

-- Lists the payer scripts along the search path: {id, name, path, from, to}.
function M.list(api)
  local out, seen = {}, {}
  for _, dir in ipairs(M.search_path()) do
    local names = {}
    for _, file in ipairs(core.list_dir(dir .. "/payers") or {}) do
      if file:match("%.lua$") and not file:match("_test%.lua$") then names[#names + 1] = file end
    end
    for _, file in ipairs(names) do
      local id = file:sub(1, -5)
      if not seen[id] then
        seen[id] = true
        local path = dir .. "/payers/" .. file
        local payer, err = M.load_payer(path, api)
        out[#out + 1] = { id = id, path = path, payer = payer, error = err }
      end
    end
  end
  return out
end

return M
