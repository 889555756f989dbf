-- lib/billing.lua: rule code shared by the payer scripts. Loaded with
-- `local billing = require "lib.billing"`; returns one table. The rule
-- constructors return fresh rule tables, so each payer can give its own
-- citation and method label.
-- luacheck: read globals eightmin

local billing = {}

-- Supervised modalities (hot packs, traction, whirlpool...): the only
-- services that may share a 15-minute period with another [NCCI ch11 §P].
local SUPERVISED_FIRST, SUPERVISED_LAST = 97010, 97028

local METHOD_LABEL = {
  cms = "CMS 8-minute rule",
  ama = "AMA per-code rule",
}

-- The code table entry, or nil for a code eightmin does not know.
function billing.code(cpt)
  if type(cpt) ~= "string" then return nil end
  local ok, c = pcall(eightmin.code, cpt)
  if ok and type(c) == "table" then return c end
  return nil
end

function billing.is_timed(cpt)
  local c = billing.code(cpt)
  if not c then return false end
  if c.timed ~= nil then return c.timed == true end
  return c.kind == "timed"
end

function billing.is_supervised(cpt)
  local c = billing.code(cpt)
  if c and c.supervised ~= nil then return c.supervised == true end
  local n = tonumber(cpt)
  return n ~= nil and n >= SUPERVISED_FIRST and n <= SUPERVISED_LAST
end

-- The list as a plain array (views, plain tables and nil alike).
function billing.list(v)
  local out = {}
  if v == nil then return out end
  for _, x in ipairs(v) do out[#out + 1] = x end
  return out
end

function billing.has_modifier(line, mod)
  for _, m in ipairs(billing.list(line.modifiers)) do
    if m == mod then return true end
  end
  return false
end

-- Seconds of a clock time "HH:MM[:SS]" or a date-time "YYYY-MM-DDTHH:MM..."
-- on the visit's timeline (a date other than the visit's moves it by whole
-- days). Offsets are ignored: segments of one visit share a clock. nil when
-- unreadable.
function billing.clock_seconds(s, visit_date)
  if type(s) ~= "string" then return nil end
  local date, rest = s:match("^(%d%d%d%d%-%d%d%-%d%d)T(.*)$")
  rest = rest or s
  local h, m = rest:match("^(%d%d?):(%d%d)")
  if not h then return nil end
  local sec = rest:match("^%d%d?:%d%d:(%d%d)") or "0"
  local t = tonumber(h) * 3600 + tonumber(m) * 60 + tonumber(sec)
  if date and visit_date and date ~= visit_date then
    local ok, d = pcall(eightmin.days_between, visit_date, date)
    if ok and math.type(d) == "integer" then t = t + d * 86400 end
  end
  return t
end

-- Billed units per code, as sent on the visit's lines: {[cpt] = {units=, line=}}
-- (line: the first line of that code that carried units).
function billing.billed_units(visit)
  local billed, order = {}, {}
  for i, line in ipairs(visit.lines) do
    if line.units ~= nil and line.cpt then
      local b = billed[line.cpt]
      if not b then
        b = { units = 0, line = i }
        billed[line.cpt] = b
        order[#order + 1] = line.cpt
      end
      b.units = b.units + line.units
      b.no_minutes = b.no_minutes or line.minutes == nil
    end
  end
  return billed, order
end

local function method_name(ctx, opts)
  return opts.method or (ctx.units and ctx.units.method) or "payer"
end

-- units-match: the units sent per code against the units the payer's
-- policy gives (ctx.units). More than computed is an error (overbilling),
-- fewer a warning (money left on the table).
function billing.units_match(opts)
  opts = opts or {}
  return {
    id = "units-match",
    severity = "error",
    cite = opts.cite or "CMS Pub. 100-04 ch. 5 §20.2",
    description = "billed units per code agree with the units the minutes earn",
    check = function(visit, ctx)
      local billed, order = billing.billed_units(visit)
      local method = method_name(ctx, opts)
      local label = METHOD_LABEL[method] or "payer's unit policy"
      for _, cpt in ipairs(order) do
        local b = billed[cpt]
        local u = ctx.units.by_code[cpt]
        -- A line without minutes is minutes-missing's finding, not this one's.
        if u and u.units ~= nil and b.units ~= u.units and not b.no_minutes then
          local why = string.format("%s: billed %d, but %d min earn %d unit%s under the %s",
            cpt, b.units, u.minutes or 0, u.units, u.units == 1 and "" or "s", label)
          if method == "cms" and ctx.units.timed_minutes then
            local n = ctx.units.timed_units or ctx.units.total_units or 0
            why = why .. string.format(": %d timed minutes in the day give %d timed unit%s",
              ctx.units.timed_minutes, n, n == 1 and "" or "s")
          end
          if b.units > u.units then
            ctx:report(b.line, why .. "; bill " .. u.units)
          else
            ctx:report(b.line, why .. "; " .. (u.units - b.units) .. " unit"
              .. (u.units - b.units == 1 and "" or "s") .. " not billed",
              { severity = "warning" })
          end
        end
      end
    end,
  }
end

-- minutes-missing: a timed code cannot be billed without its time.
function billing.minutes_missing(opts)
  opts = opts or {}
  return {
    id = "minutes-missing",
    severity = "error",
    cite = opts.cite or "CMS Pub. 100-04 ch. 5 §20.2; Pub. 100-02 ch. 15 §220.3",
    description = "every timed line has minutes or start/end times",
    check = function(visit, ctx)
      for i, line in ipairs(visit.lines) do
        if line.minutes == nil and billing.is_timed(line.cpt) then
          ctx:report(i, line.cpt .. " is a timed code but the line has no minutes"
            .. " and no start/end times; units cannot be computed")
        end
      end
    end,
  }
end

return billing
