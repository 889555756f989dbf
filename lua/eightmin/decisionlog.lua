-- eightmin.decisionlog: one JSON line per checked visit saying what
-- decided it (input hash, payer and clinic scripts with their content
-- hashes, rules that ran and fired, the units decision, claim lines and
-- findings), and the reading side behind `eightmin explain`.
local core = require "eightmin.core"
local hash = require "eightmin.hash"
local json = require "eightmin.json"

local M = {}

M.FORMAT = 1 -- bumped when a field changes meaning

-- SHA-256 of a file's bytes, or nil, msg.
function M.file_sha256(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  if not text then return nil, path .. ": cannot read" end
  return hash.sha256(text)
end

-- SHA-256 of a visit: of the canonical JSON (sorted keys) of its record,
-- so the same visit hashes the same whatever the key order or spacing of
-- the input line.
function M.visit_sha256(visit)
  return hash.sha256(json.encode(visit:totable()))
end

-- A script's path made absolute (from $PWD), so that `explain` run from
-- another folder still finds the file to compare hashes.
local function absolute(path)
  if not path or path:sub(1, 1) == "/" then return path end
  local cwd = os.getenv("PWD")
  if not cwd or cwd:sub(1, 1) ~= "/" then return path end
  return (cwd:gsub("/$", "")) .. "/" .. path:gsub("^%./", "")
end

-- {id, name, path, sha256} of a loaded payer or clinic script. Hashes are
-- cached per path: a run hashes each script once.
local function script_info(script, cache)
  if not script or not script.id then return nil end
  local info = { id = script.id, name = script.name, path = absolute(script.path) }
  if script.path then
    local h = cache[script.path]
    if h == nil then
      h = M.file_sha256(script.path) or false
      cache[script.path] = h
    end
    info.sha256 = h or nil
  end
  return info
end

local function units_entry(u)
  if not u then return nil end
  local lines = {}
  for i, l in ipairs(u.lines) do
    lines[i] = { cpt = l.cpt, minutes = l.minutes, units = l.units, reason = l.reason,
                 timed = l.timed, full_units = l.full_units,
                 leftover_minutes = l.leftover_minutes }
  end
  return { method = u.method, timed_minutes = u.timed_minutes, timed_units = u.timed_units,
           total_units = u.total_units, lines = lines }
end

-- The log entry of one check result r (from check.visit / em.check).
-- cache: table shared across a run for script hashes (optional).
function M.entry(r, cache)
  cache = cache or {}
  local v = r.visit
  local fired, seen = {}, {}
  local findings = {}
  for i, f in ipairs(r.findings) do
    findings[i] = { line = f.line, rule = f.rule, severity = f.severity, message = f.message,
                    cite = f.cite }
    if not seen[f.rule] then
      seen[f.rule] = true
      fired[#fired + 1] = f.rule
    end
  end
  local claims = {}
  for i, c in ipairs(r.claims) do
    claims[i] = { cpt = c.cpt, units = c.units, modifiers = c.modifiers,
                  dx_pointers = c.dx_pointers, lines = c.lines }
  end
  local ran = {}
  for i, name in ipairs(r.rules_ran or {}) do ran[i] = name end
  return {
    log_format = M.FORMAT,
    eightmin = core.version,
    visit = v.id,
    date = v.date,
    source = v.source,
    record = v.record,
    input_sha256 = M.visit_sha256(v),
    payer = script_info(r.payer, cache),
    clinic = script_info(r.clinic, cache),
    rules_ran = ran,
    rules_fired = fired,
    units = units_entry(r.units),
    claims = claims,
    findings = findings,
  }
end

-- A writer: w:write(r) adds r's line; w:close(). nil, msg when the file
-- cannot be opened.
function M.open(path)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local cache = {}
  local w = {}
  function w.write(_, r)
    local ok, werr = f:write(json.encode(M.entry(r, cache)), "\n")
    if not ok then return nil, werr end
    return true
  end
  function w.close()
    return f:close()
  end
  return w
end

-- The entries of a log for one visit id, in log order; bad lines are
-- returned as messages ("file:line: ...") in the second list. nil, msg
-- when the file cannot be read.
function M.find(path, visit_id)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local found, bad = {}, {}
  local n = 0
  for line in f:lines() do
    n = n + 1
    if line:match("%S") then
      local e, derr = json.decode(line)
      if type(e) ~= "table" or type(e.visit) ~= "string" then
        bad[#bad + 1] = ("%s:%d: not a decision log entry%s"):format(path, n,
          derr and (" (" .. derr .. ")") or "")
      elseif e.visit == visit_id then
        e.log_line = n
        found[#found + 1] = e
      end
    end
  end
  f:close()
  return found, bad
end

local function plural(n, word)
  return ("%d %s%s"):format(n, word, n == 1 and "" or "s")
end

local REASON_TEXT = {
  ["untimed"] = "untimed: 1 unit per day, not counted in timed minutes",
  ["full-units"] = "its full units only",
  ["leftover-unit"] = "its full units plus one for its leftover minutes",
  ["below-threshold"] = "too few minutes for a unit",
  ["outranked"] = "its leftover minutes lost to codes with more left over",
  ["payer-function"] = "set by the payer script's own units function",
}

local function script_line(out, kind, s)
  if not s then
    out:write(("  %-6s none\n"):format(kind))
    return
  end
  out:write(("  %-6s %s%s\n"):format(kind, s.id, s.name and (" (" .. s.name .. ")") or ""))
  if s.path then out:write(("         %s\n"):format(s.path)) end
  out:write(("         sha256 %s\n"):format(s.sha256 or "unknown"))
end

-- Warnings for scripts whose file is gone or changed since the entry was
-- logged: a list of strings.
function M.staleness(e)
  local warnings = {}
  for _, kind in ipairs({ "payer", "clinic" }) do
    local s = e[kind]
    if type(s) == "table" and s.path and s.sha256 then
      local now, err = M.file_sha256(s.path)
      if not now then
        warnings[#warnings + 1] = ("the %s script %s can no longer be read (%s); the log "
          .. "records what version %s decided"):format(kind, s.path, err, s.sha256:sub(1, 12))
      elseif now ~= s.sha256 then
        warnings[#warnings + 1] = ("the %s script %s has changed since visit %s was checked "
          .. "(logged sha256 %s, now %s): re-run check to see what it decides today"):format(
          kind, s.path, e.visit, s.sha256:sub(1, 12), now:sub(1, 12))
      end
    end
  end
  return warnings
end

-- A readable explanation of one log entry.
function M.explain(out, e)
  out:write(("visit %s of %s\n"):format(e.visit, e.date or "?"))
  if e.source then
    out:write(("  read from %s, record %s\n"):format(e.source, tostring(e.record or "?")))
  end
  out:write(("  input sha256 %s\n"):format(e.input_sha256 or "unknown"))
  out:write(("decided by eightmin %s with\n"):format(e.eightmin or "?"))
  script_line(out, "payer", e.payer)
  script_line(out, "clinic", e.clinic)

  local u = e.units
  if type(u) == "table" then
    out:write(("units (%s method): %s in the day -> %s, %s in all\n"):format(
      u.method or "?", plural(u.timed_minutes or 0, "timed minute"),
      plural(u.timed_units or 0, "timed unit"), plural(u.total_units or 0, "unit")))
    for _, l in ipairs(u.lines or {}) do
      local why = REASON_TEXT[l.reason] or l.reason or "?"
      if l.timed and l.full_units then
        out:write(("  %-6s %3d min -> %s: %s (%s + %d min left over)\n"):format(
          l.cpt, l.minutes or 0, plural(l.units or 0, "unit"), why,
          plural(l.full_units, "full unit"), l.leftover_minutes or 0))
      else
        out:write(("  %-6s %3d min -> %s: %s\n"):format(l.cpt, l.minutes or 0,
          plural(l.units or 0, "unit"), why))
      end
    end
  else
    out:write("units: not decided (see the findings)\n")
  end

  local ran, fired = e.rules_ran or {}, e.rules_fired or {}
  out:write(("rules that ran (%d): %s\n"):format(#ran, #ran > 0 and table.concat(ran, ", ")
    or "none"))
  out:write(("rules that fired (%d): %s\n"):format(#fired, #fired > 0 and
    table.concat(fired, ", ") or "none"))

  local claims = e.claims or {}
  out:write(("claim lines (%d):\n"):format(#claims))
  for _, c in ipairs(claims) do
    local dx = {}
    for i, d in ipairs(c.dx_pointers or {}) do dx[i] = tostring(d) end
    out:write(("  %-6s x%-2d %-14s dx %s\n"):format(c.cpt, c.units or 0,
      table.concat(c.modifiers or {}, " "), #dx > 0 and table.concat(dx, ",") or "-"))
  end

  local findings = e.findings or {}
  out:write(("findings (%d):\n"):format(#findings))
  for _, f in ipairs(findings) do
    local where = (f.line or 0) > 0 and ("line " .. f.line) or "visit"
    out:write(("  %-7s  %-7s %s: %s\n"):format(f.severity or "?", where, f.rule or "?",
      f.message or ""))
    if f.cite then out:write(("                   see %s\n"):format(f.cite)) end
  end
end

return M
