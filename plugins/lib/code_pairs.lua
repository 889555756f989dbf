-- lib/code_pairs.lua: codes that need a distinct-service modifier when billed
-- together on one day (NCCI procedure-to-procedure edits), and per-code unit
-- ceilings per day (MUE-like), domain.md §7.
-- The NCCI PTP and MUE files are AMA-licensed and not bundled: the pairs and
-- ceilings below are the ones domain.md could source, each with its
-- confidence, and a payer extends or replaces them
-- (`code_pairs.pair_rule {pairs = ...}`, `code_pairs.ceiling_rule {ceilings = ...}`).
-- Findings built on [C]/[U] data say so and are warnings.

local code_pairs = {}

-- ---- data ----------------------------------------------------------------

-- Modifiers that bypass a PTP edit for therapy services [NCCI ch1 §E].
-- 22, 76 and 77 do not.
local BYPASS = { "59", "XE", "XS", "XP", "XU" }
local NOT_BYPASS = { ["22"] = true, ["76"] = true, ["77"] = true }

local EVALS = { "97161", "97162", "97163" }
local REEVALS = { "97164", "97168" }
local ALL_EVALS = { "97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168" }

-- A pair: codes `a` and `b` (a code or a list), `on` = the code that takes
-- the modifier (Column 2) or nil when the column order is not known;
-- confidence A/B/C/U and the source; `only` = the modifiers that fit when
-- fewer than all of BYPASS do.
local PAIRS = {
  { a = { "97110", "97112", "97116", "97140", "97150", "97530", "97535" }, b = REEVALS, on = "b",
    confidence = "A", source = "NCCI ch11 §P: therapy procedures are Column 1 to re-evaluations;"
      .. " 59/XU on 97164/97168 when the status changed; APTA (2020) for 97530/97150",
    only = { "59", "XU" } },
  { a = { "97750", "97755", "97763" }, b = ALL_EVALS, on = "a", confidence = "A",
    source = "NCCI ch11 §P: not separately reportable with an evaluation by the same"
      .. " practitioner; a modifier only when a PT does one and an OT the other" },
  { a = { "97760", "97761" }, b = REEVALS, on = "a", confidence = "A",
    source = "NCCI ch11 §P: not reportable with a re-evaluation by the same practitioner" },
  { a = { "98940", "98941", "98942" }, b = { "97112", "97124", "97140" }, on = "b", confidence = "A",
    source = "NCCI ch11 §S: not in a spinal region that had CMT; 59/XS in a different region",
    only = { "59", "XS" } },
  { a = EVALS, b = { "97140" }, on = "b", confidence = "B",
    source = "APTA NCCI pages (2020); AOTA: edits reinstated 1 Oct 2020" },
  { a = { "97530" }, b = { "97116" }, on = nil, confidence = "B",
    source = "AOTA: edit reinstated 1 Oct 2020" },
  { a = { "97150" }, b = { "97110" }, on = nil, confidence = "B",
    source = "AOTA: edit reinstated 1 Oct 2020" },
  { a = { "97140" }, b = { "97530" }, on = "b", confidence = "C",
    source = "WebPT on CMS's rescinded modifier-59 article, Example 9; column order"
      .. " disputed by prombs.com" },
  { a = { "97140" }, b = { "97012" }, on = "a", confidence = "C",
    source = "AAPC coding alert: mutually exclusive, 59 on 97140" },
}

-- Units per code per day. 1 for evaluations: once per provider, discipline,
-- date and patient [CPM5 §20.2(D); NCCI ch11 §P]. The rest are third-party
-- MUE figures [U]; load the CMS practitioner MUE file in production.
local CEILINGS = {
  { codes = { "97161", "97162", "97163", "97164" }, max = 1, label = "PT evaluation/re-evaluation",
    confidence = "A", source = "NCCI ch11 §P; CPM5 §20.2(D): one per date of service" },
  { codes = { "97165", "97166", "97167", "97168" }, max = 1, label = "OT evaluation/re-evaluation",
    confidence = "A", source = "NCCI ch11 §P; CPM5 §20.2(D): one per date of service" },
  { codes = { "97110" }, max = 6, confidence = "U", source = "payerready.com MUE figure [C]" },
  { codes = { "97112" }, max = 4, confidence = "U", source = "payerready.com MUE figure [C]" },
  { codes = { "97032" }, max = 4, confidence = "U", source = "functionalpathways.com 2017 table [C]" },
  { codes = { "97035" }, max = 2, confidence = "U", source = "functionalpathways.com 2017 table [C]" },
}

code_pairs.BYPASS = BYPASS
code_pairs.PAIRS = PAIRS
code_pairs.CEILINGS = CEILINGS

local UNCONFIRMED = { C = true, U = true }

-- ---- helpers ---------------------------------------------------------------

local function as_list(v)
  if type(v) == "string" then return { v } end
  return v or {}
end

local function set_of(v)
  local s = {}
  for _, x in ipairs(as_list(v)) do s[x] = true end
  return s
end

-- Units billed per code for the day: the line's units when sent, else the
-- units the payer's policy gives (ctx.units), else 1 per line of an untimed code.
local function day_units(visit, units)
  local out, first = {}, {}
  for i, line in ipairs(visit.lines) do
    local cpt = line.cpt
    if cpt then
      first[cpt] = first[cpt] or i
      if line.units ~= nil then
        out[cpt] = (out[cpt] or 0) + line.units
      end
    end
  end
  for cpt in pairs(first) do
    if out[cpt] == nil then
      local u = units and units.by_code and units.by_code[cpt]
      out[cpt] = u and u.units or 0
    end
  end
  return out, first
end

-- The day's billed lines per code: {[cpt] = {lines = {i...}, modifiers = {[m] = true}}}.
-- A code that bills no unit (6 minutes of 97140 alone) pairs with nothing.
local function by_code(visit, units)
  local per = day_units(visit, units)
  local out = {}
  for i, line in ipairs(visit.lines) do
    local cpt = line.cpt
    if cpt and (per[cpt] or 0) > 0 then
      local e = out[cpt]
      if not e then
        e = { lines = {}, modifiers = {} }
        out[cpt] = e
      end
      e.lines[#e.lines + 1] = i
      for _, m in ipairs(line.modifiers or {}) do e.modifiers[m] = true end
    end
  end
  return out
end

local function carries_any(e, mods)
  for _, m in ipairs(mods) do
    if e.modifiers[m] then return m end
  end
  return nil
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- Every pair billed on the visit without its modifier:
-- {line=, a=, b=, on=, want={...}, pair=, bad=modifier that does not bypass}.
function code_pairs.missing_modifiers(visit, pairs_list, units)
  local codes = by_code(visit, units)
  local out = {}
  for _, p in ipairs(pairs_list or PAIRS) do
    local a_set, b_set = set_of(p.a), set_of(p.b)
    for _, a in ipairs(sorted_keys(codes)) do
      if a_set[a] then
        for _, b in ipairs(sorted_keys(codes)) do
          if b_set[b] and a ~= b then
            local want = p.only or BYPASS
            local ea, eb = codes[a], codes[b]
            local ok
            if p.on == "a" then ok = carries_any(ea, want)
            elseif p.on == "b" then ok = carries_any(eb, want)
            else ok = carries_any(ea, want) or carries_any(eb, want) end
            if not ok then
              local target = p.on == "a" and a or b
              local bad
              for m in pairs(NOT_BYPASS) do
                if codes[target].modifiers[m] then bad = m end
              end
              out[#out + 1] = { line = codes[target].lines[1], a = a, b = b,
                                on = p.on and target or nil, want = want, pair = p, bad = bad }
            end
          end
        end
      end
    end
  end
  return out
end

-- Every ceiling the day exceeds: {line=, codes=, units=, max=, ceiling=}.
function code_pairs.over_ceilings(visit, units, ceilings)
  local per, first = day_units(visit, units)
  local out = {}
  for _, c in ipairs(ceilings or CEILINGS) do
    local total, line, seen = 0, nil, {}
    for _, cpt in ipairs(as_list(c.codes)) do
      if per[cpt] and per[cpt] > 0 then
        total = total + per[cpt]
        seen[#seen + 1] = cpt
        if not line or first[cpt] < line then line = first[cpt] end
      end
    end
    if total > c.max then
      out[#out + 1] = { line = line, codes = seen, units = total, max = c.max, ceiling = c }
    end
  end
  return out
end

-- ---- rules -----------------------------------------------------------------

function code_pairs.pair_rule(opts)
  opts = opts or {}
  return {
    id = opts.id or "code-pair-modifier", severity = "error",
    cite = opts.cite or "NCCI Policy Manual ch. 1 §E, ch. 11 §P/§S (PTP edits); pairs per domain.md §7",
    description = "codes billed together that need 59 or XE/XS/XP/XU",
    check = function(visit, ctx)
      for _, m in ipairs(code_pairs.missing_modifiers(visit, opts.pairs, ctx.units)) do
        local where = m.on and ("on " .. m.on) or ("on one of them (column order unknown)")
        local msg = string.format("%s and %s billed the same day need %s %s when the services"
          .. " were distinct (different time blocks or sessions); without it the Column 2 code"
          .. " is denied (%s [%s])", m.a, m.b, table.concat(m.want, " or "), where,
          m.pair.source, m.pair.confidence)
        if m.bad then
          msg = msg .. string.format("; modifier %s does not bypass a PTP edit", m.bad)
        end
        if UNCONFIRMED[m.pair.confidence] then
          msg = msg .. "; this pair is unconfirmed: check the CMS NCCI PTP file"
          ctx:report(m.line, msg, { severity = "warning" })
        else
          ctx:report(m.line, msg)
        end
      end
    end,
  }
end

function code_pairs.ceiling_rule(opts)
  opts = opts or {}
  return {
    id = opts.id or "units-per-day-ceiling", severity = "error",
    cite = opts.cite or "NCCI Policy Manual ch. 1 §V (MUE); CMS Pub. 100-04 ch. 5 §20.2(D)",
    description = "units per code per day within the MUE-like ceilings",
    check = function(visit, ctx)
      for _, o in ipairs(code_pairs.over_ceilings(visit, ctx.units, opts.ceilings)) do
        local c = o.ceiling
        local what = c.label or table.concat(o.codes, "/")
        local msg = string.format("%s: %d units on one date of service, above the ceiling of %d"
          .. " (%s [%s])", what, o.units, o.max, c.source, c.confidence)
        if UNCONFIRMED[c.confidence] then
          ctx:report(o.line, msg .. "; the value is unconfirmed: check the CMS practitioner MUE"
            .. " file (an MUE denial cannot be shifted to the patient with an ABN)",
            { severity = "warning" })
        else
          ctx:report(o.line, msg)
        end
      end
    end,
  }
end

return code_pairs
