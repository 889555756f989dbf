-- lib/telehealth.lua: a payer's telehealth windows and the rule that checks
-- a telehealth visit against them (domain.md §6).
--
-- A window is a payer-table `telehealth` entry:
--   { name = "...", from = DATE, to = DATE (inclusive),
--     pos = {"02", "10"},       places of service a telehealth visit may report
--     home = "10",              the POS for a patient at home (optional; a
--                               patient away from home takes another of `pos`)
--     modifiers = {"95"},       modifiers every telehealth line must carry
--     codes = {...},            codes allowed by telehealth (optional)
--     disciplines = {"PT"},     disciplines allowed (optional)
--     note = "..." }            how the window reports POS, for messages
-- A gap is {from =, to =, why =}: what a person should read when a visit
-- falls between windows. ISO dates compare as strings.

local telehealth = {}

-- ---- data ----------------------------------------------------------------

-- Telehealth modifiers and what they mean [domain.md §6.1]. A line that
-- carries one the window does not ask for gets a warning with this advice.
local MODIFIERS = {
  ["95"] = { meaning = "synchronous audio/video",
             advice = "from 2024-01-01 Medicare professional claims report POS 02/10 instead;"
               .. " 95 stays on institutional claims only (NGS, Novitas, First Coast [B])" },
  ["93"] = { meaning = "audio-only",
             advice = "93 is for a patient at home without video or who declines it (Novitas [B])" },
  ["GT"] = { meaning = "interactive audio and video",
             advice = "since 2018-10-01 GT is only for CAH Method II institutional claims (NGS [B])" },
  ["GQ"] = { meaning = "asynchronous store-and-forward",
             advice = "GQ is only for the federal demonstrations in Alaska and Hawaii (Palmetto [B])" },
  ["FQ"] = { meaning = "audio-only at an RHC/FQHC",
             advice = "FQ is for RHCs and FQHCs only (Novitas, First Coast [B])" },
}

telehealth.MODIFIERS = MODIFIERS

-- ---- helpers ---------------------------------------------------------------

local function contains(list, x)
  for _, v in ipairs(list or {}) do
    if v == x then return true end
  end
  return false
end

local function has_modifier(line, m)
  for _, x in ipairs(line.modifiers or {}) do
    if x == m then return true end
  end
  return false
end

local function join(list, last)
  local out = {}
  for _, v in ipairs(list or {}) do out[#out + 1] = v end
  if #out <= 1 then return out[1] or "" end
  return table.concat(out, ", ", 1, #out - 1) .. " " .. (last or "or") .. " " .. out[#out]
end

-- The window that covers a date, or nil.
function telehealth.window_for(windows, date)
  for _, w in ipairs(windows or {}) do
    if (not w.from or date >= w.from) and (not w.to or date <= w.to) then return w end
  end
  return nil
end

-- Why a date is outside every window: the gap's own words, or the windows
-- on either side of it.
function telehealth.gap_for(windows, gaps, date)
  for _, g in ipairs(gaps or {}) do
    if date >= g.from and date <= g.to then return g.why end
  end
  local before, after
  for _, w in ipairs(windows or {}) do
    if w.to and w.to < date and (not before or w.to > before.to) then before = w end
    if w.from and w.from > date and (not after or w.from < after.from) then after = w end
  end
  local function label(w) return w.name or (w.from .. " to " .. w.to) end
  if before and after then
    return string.format("it falls in the gap between %s (through %s) and %s (from %s)",
      label(before), before.to, label(after), after.from)
  elseif before then
    return string.format("the last window, %s, ended %s", label(before), before.to)
  elseif after then
    return string.format("the first window, %s, starts %s", label(after), after.from)
  end
  return "the payer has no telehealth windows"
end

-- Every problem of a telehealth visit under the windows, as a list of
-- {line = n or nil, message =, severity = nil|"warning"}. A visit without
-- a telehealth block is not telehealth and has none.
function telehealth.problems(visit, opts)
  local out = {}
  local th = visit.telehealth
  if not th then return out end
  local date = visit.date
  local w = telehealth.window_for(opts.windows, date)
  if not w then
    out[#out + 1] = { message = string.format("telehealth on %s is outside %s: %s; bill it"
      .. " only in person (an ABN may apply)", date, opts.label or "the payer's telehealth",
      telehealth.gap_for(opts.windows, opts.gaps, date)) }
    return out
  end
  -- A missing discipline or POS is named as missing, not printed as nil.
  local discipline = visit.provider and visit.provider.discipline
  if w.disciplines and discipline == nil then
    out[#out + 1] = { message = string.format("no provider discipline: telehealth on %s is"
      .. " covered only for %s; send provider.discipline", date, join(w.disciplines)) }
  elseif w.disciplines and not contains(w.disciplines, discipline) then
    out[#out + 1] = { message = string.format("telehealth by a %s is not covered for %s",
      tostring(discipline), date) }
  end
  local pos = visit.pos
  -- ", not POS 11" or ", but the visit has no place of service".
  local function was(prefix)
    if pos == nil then return ", but the visit has no place of service" end
    return ", not " .. prefix .. tostring(pos)
  end
  local at_home = th.patient_at_home
  if w.home and at_home == true and contains(w.pos, w.home) and pos ~= w.home then
    out[#out + 1] = { message = string.format("telehealth with the patient at home is POS %s%s",
      w.home, was("")) }
  elseif w.home and at_home == false and (pos == w.home or not contains(w.pos, pos)) then
    local away = {}
    for _, p in ipairs(w.pos) do if p ~= w.home then away[#away + 1] = p end end
    out[#out + 1] = { message = string.format("telehealth with the patient away from home is POS %s%s",
      join(away), was("")) }
  elseif w.pos and not contains(w.pos, pos) then
    out[#out + 1] = { message = string.format("%s%s", w.note or string.format(
      "from %s telehealth is reported with POS %s", w.from, join(w.pos)), was("POS ")) }
  end
  local audio = opts.audio_only_modifier
  local audio_only = audio and th.modality == "audio_only"
  for i, line in ipairs(visit.lines) do
    for _, m in ipairs(w.modifiers or {}) do
      if not has_modifier(line, m) then
        out[#out + 1] = { line = i, message = string.format(
          "%s lacks modifier %s: through %s each telehealth line carries %s", line.cpt, m, w.to, m) }
      end
    end
    if audio_only and not has_modifier(line, audio) then
      out[#out + 1] = { line = i, severity = "warning", message = string.format(
        "%s was furnished audio-only and lacks modifier %s", line.cpt, audio) }
    end
    for _, m in ipairs(line.modifiers or {}) do
      local known = MODIFIERS[m]
      if known and not contains(w.modifiers, m) and not (audio_only and m == audio) then
        out[#out + 1] = { line = i, severity = "warning", message = string.format(
          "%s carries modifier %s (%s), which telehealth from %s does not use: %s",
          line.cpt, m, known.meaning, w.from, known.advice) }
      end
    end
    if w.codes and not contains(w.codes, line.cpt) then
      out[#out + 1] = { line = i, severity = opts.codes_severity, message = string.format(
        "%s is not on the telehealth code list for %s to %s%s", line.cpt, w.from, w.to,
        opts.codes_note and ("; " .. opts.codes_note) or "") }
    end
  end
  return out
end

-- The rule: {id =, cite =, windows =, gaps =, label =, audio_only_modifier =,
-- codes_severity =, codes_note =}.
function telehealth.rule(opts)
  return {
    id = opts.id or "telehealth",
    severity = opts.severity or "error",
    cite = opts.cite,
    description = "telehealth dates, place of service, modifiers, codes and disciplines",
    check = function(visit, ctx)
      for _, p in ipairs(telehealth.problems(visit, opts)) do
        ctx:report(p.line, p.message, p.severity and { severity = p.severity } or nil)
      end
    end,
  }
end

return telehealth
