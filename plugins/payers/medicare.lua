-- plugins/payers/medicare.lua: Medicare Part B outpatient therapy (PT, OT,
-- SLP) furnished by therapists in private practice and clinics. Units by the
-- CMS 8-minute rule; discipline modifiers; CQ/CO for assistants; telehealth
-- by the dates Congress set. Facts and sources: domain.md §1, §4, §5, §6, §8.
-- luacheck: read globals eightmin

local billing = require "lib.billing"
local assistant = require "lib.assistant"
local telehealth = require "lib.telehealth"
local classification = require "lib.classification"
local documentation = require "lib.documentation"
local code_pairs = require "lib.code_pairs"

-- ---- data ----------------------------------------------------------------

local CITE = {
  units = "CMS Pub. 100-04 ch. 5 §20.2",
  minutes = "CMS Pub. 100-04 ch. 5 §20.2; Pub. 100-02 ch. 15 §220.3",
  single = "CMS Pub. 100-04 ch. 5 §20.2",
  overlap = "NCCI Policy Manual ch. 11 §P; CMS Pub. 100-04 ch. 5 §20.3",
  total = "CMS Pub. 100-02 ch. 15 §220.3",
  discipline = "CMS Pub. 100-04 ch. 5 §20.1",
  assistant = "CMS Pub. 100-04 ch. 5 §20.1; 42 CFR 410.59(a)(4), 410.60(a)(4)",
  telehealth = "CAA 2023 §4113; HR 5371 (2025); CAA 2026 (HR 7148); CMS CR 12427 (POS 02/10)",
  classification = "CPT descriptors of 97110/97112/97116/97530/97140; CMS Pub. 100-02 ch. 15 §220.3",
  note = "CMS Pub. 100-02 ch. 15 §220.3 (treatment note)",
  units_note = "CMS Pub. 100-04 ch. 5 §20.2; Pub. 100-02 ch. 15 §220.3",
  progress = "CMS Pub. 100-02 ch. 15 §220.3 D",
  certification = "CMS Pub. 100-02 ch. 15 §220.1.3",
  vague = "CMS Pub. 100-02 ch. 15 §220.2, §220.3",
  maintenance = "CMS Pub. 100-02 ch. 15 §220.2 C-D; Jimmo v. Sebelius (D. Vt. No. 11-cv-17, 2013)",
  measures = "CMS Pub. 100-02 ch. 15 §220.3 (objective measures); instrument scoring ranges",
  pairs = "NCCI Policy Manual ch. 1 §E, ch. 11 §P/§S; APTA/AOTA NCCI notes (domain.md §7)",
  ceilings = "NCCI Policy Manual ch. 1 §V; CMS Pub. 100-04 ch. 5 §20.2(D)",
}

-- Discipline modifier per discipline (GP/GO/GN plan of care), and back.
local MODIFIERS = { PT = "GP", OT = "GO", SLP = "GN" }
local DISCIPLINE_OF = { GP = "PT", GO = "OT", GN = "SLP" }

-- CQ/CO: required on claims from 1 Jan 2020 (BBA 2018 §53107, SSA
-- §1834(v)); the service is paid at 85% for dates of service from 1 Jan
-- 2022 (42 CFR 410.59(a)(4), 410.60(a)(4)) [domain.md §4].
local ASSISTANT_FROM = "2020-01-01"
local ASSISTANT_85_FROM = "2022-01-01"

local THERAPISTS = { "PT", "OT", "SLP" }
-- Places of service of an in-person visit: through 2023 a telehealth visit
-- reported the POS it would have had in person, with modifier 95.
local IN_PERSON_POS = { "11", "12", "19", "22", "49", "62", "71", "72" }
local TELEHEALTH_POS = { "02", "10" }

-- Codes on the telehealth list for PTs/OTs/SLPs since the 30 Apr 2020
-- waiver (APTQI, APTA [B]). From 2024 PT codes are "provisional" and their
-- status for 2026 was not seen directly [U]: a code off this list is a
-- warning, since eligibility turns on the practitioner (domain.md §6.2).
local TELEHEALTH_CODES = {
  "97161", "97162", "97163", "97164", "97110", "97112", "97116", "97150", "97530",
  "97535", "97542", "97750", "97755", "97760", "97761",
}
local POS_2024 = "from 2024-01-01 telehealth is reported with POS 02 or 10"

-- Medicare telehealth by PTs, OTs and SLPs, the timeline of domain.md §6.2.
-- `to` is inclusive; ISO dates compare as strings.
local TELEHEALTH = {
  -- 30 Mar 2020 IFC added therapy codes from 1 Mar 2020; the blanket waiver
  -- of 30 Apr 2020 let PTs/OTs/SLPs bill them for services from 1 Mar 2020.
  -- CAA 2022 (151 days past the PHE) and CAA 2023 §4113 (to 31 Dec 2024)
  -- carried it on; through 2023 a telehealth visit reported its in-person
  -- POS with modifier 95 [domain.md §6.1].
  { name = "PHE waiver, CAA 2022, CAA 2023 §4113 (in-person POS with 95)",
    from = "2020-03-01", to = "2023-12-31", pos = IN_PERSON_POS, modifiers = { "95" },
    codes = TELEHEALTH_CODES, disciplines = THERAPISTS,
    note = "through 2023-12-31 a telehealth visit reports the place of service it would"
      .. " have had in person (e.g. 11) with modifier 95" },
  -- From 1 Jan 2024 POS 02/10 (CR 12427); CAA 2023 to 31 Dec 2024, the
  -- American Relief Act 2025 to 31 Mar 2025, HR 1968 to 30 Sep 2025.
  { name = "CAA 2023, American Relief Act 2025, HR 1968 (POS 02/10)",
    from = "2024-01-01", to = "2025-09-30", pos = TELEHEALTH_POS, home = "10", modifiers = {},
    codes = TELEHEALTH_CODES, disciplines = THERAPISTS, note = POS_2024 },
  -- Lapsed 1 Oct 2025 (shutdown); HR 5371 of 12 Nov 2025 restored it
  -- retroactively from 1 Oct 2025 through 30 Jan 2026.
  { name = "HR 5371 (restored retroactively)",
    from = "2025-10-01", to = "2026-01-30", pos = TELEHEALTH_POS, home = "10", modifiers = {},
    codes = TELEHEALTH_CODES, disciplines = THERAPISTS, note = POS_2024 },
  -- Consolidated Appropriations Act 2026 (HR 7148), signed 3 Feb 2026.
  -- [U] Whether it covers 31 Jan - 2 Feb 2026 retroactively is unconfirmed
  -- (one blog says so, the law-firm summaries do not): the gap stays below
  -- until a CMS statement settles it.
  { name = "Consolidated Appropriations Act 2026 (HR 7148)",
    from = "2026-02-03", to = "2027-12-31", pos = TELEHEALTH_POS, home = "10", modifiers = {},
    codes = TELEHEALTH_CODES, disciplines = THERAPISTS, note = POS_2024 },
}

-- Why a date falls outside every window, for the finding's message.
local TELEHEALTH_GAPS = {
  { from = "0000-01-01", to = "2020-02-29",
    why = "before 2020-03-01 PTs, OTs and SLPs were not Medicare telehealth practitioners" },
  { from = "2026-01-31", to = "2026-02-02",
    why = "the flexibilities lapsed 2026-01-31 and the Consolidated Appropriations Act 2026"
      .. " restored them from 2026-02-03 (whether it covers the gap retroactively is"
      .. " unconfirmed [U])" },
  { from = "2028-01-01", to = "9999-12-31",
    why = "the Consolidated Appropriations Act 2026 extended the flexibilities only"
      .. " through 2027-12-31" },
}

-- ---- helpers ---------------------------------------------------------------

-- Minutes per timed code (lines with minutes only), in order of first line.
local function timed_minutes(visit)
  local by, order, total = {}, {}, 0
  for i, line in ipairs(visit.lines) do
    if line.minutes ~= nil and billing.is_timed(line.cpt) then
      if not by[line.cpt] then
        by[line.cpt] = { cpt = line.cpt, minutes = 0, line = i }
        order[#order + 1] = by[line.cpt]
      end
      by[line.cpt].minutes = by[line.cpt].minutes + line.minutes
      total = total + line.minutes
    end
  end
  return order, total
end

-- The discipline modifiers sent on a line (GP/GO/GN).
local function discipline_modifiers(line)
  local out = {}
  for _, m in ipairs(billing.list(line.modifiers)) do
    if DISCIPLINE_OF[m] then out[#out + 1] = m end
  end
  return out
end

-- Timed segments with clock times: {from=, to=, line=, cpt=, by=, text=}.
local function intervals(visit)
  local out = {}
  for i, line in ipairs(visit.lines) do
    if not billing.is_supervised(line.cpt) then
      for _, seg in ipairs(billing.list(line.segments)) do
        -- start_second/end_second: the host's exact interval (offsets too).
        local a = seg.start_second or billing.clock_seconds(seg.start, visit.date)
        local b = seg.end_second or billing.clock_seconds(seg["end"], visit.date)
        if a and b and b > a then
          out[#out + 1] = { from = a, to = b, line = i, cpt = line.cpt,
                            by = seg.by or line.by,
                            text = tostring(seg.start) .. "-" .. tostring(seg["end"]) }
        end
      end
    end
  end
  table.sort(out, function(x, y)
    if x.from ~= y.from then return x.from < y.from end
    return x.line < y.line
  end)
  return out
end

local function copy_claim_line(cl, units, modifiers)
  local c = {}
  for k, v in pairs(cl) do c[k] = v end
  c.units = units
  c.modifiers = modifiers
  return c
end

local function modifiers_with(list, add, drop)
  local out = {}
  for _, m in ipairs(billing.list(list)) do
    if m ~= add and m ~= drop then out[#out + 1] = m end
  end
  if add then out[#out + 1] = add end
  return out
end

-- CQ/CO split of each code the visit billed: {cpt=, plain=, modified=,
-- modifier=, left=, therapist=, assistant=, role=, line=}.
local function assistant_splits(visit, units_of)
  local out = {}
  local order = assistant.lines_by_code(visit)
  for _, e in ipairs(order) do
    local units = units_of(e.cpt)
    if units then
      local plain, modified, modifier, left = assistant.split {
        units = units, timed = billing.is_timed(e.cpt),
        therapist = e.therapist, assistant = e.assistant, role = e.role,
      }
      out[e.cpt] = { cpt = e.cpt, plain = plain, modified = modified, modifier = modifier,
                     left = left, therapist = e.therapist, assistant = e.assistant,
                     role = e.role, line = e.lines[1] }
    end
  end
  return out, order
end

-- ---- rules -----------------------------------------------------------------

local function single_under_8(visit, ctx)
  local codes, total = timed_minutes(visit)
  if #codes == 1 and total > 0 and total < 8 then
    ctx:report(codes[1].line, string.format(
      "%s for %d min is the only timed service of the day; a single timed service"
      .. " under 8 minutes is not billed", codes[1].cpt, total))
  elseif #codes > 1 and total > 0 and total < 8 then
    ctx:report(nil, string.format(
      "the day's timed services add up to %d min, under 8: no timed unit is billable", total))
  end
end

local function overlapping_segments(visit, ctx)
  local iv = intervals(visit)
  for i = 1, #iv do
    local a = iv[i]
    for j = i + 1, #iv do
      local b = iv[j]
      if b.from >= a.to then break end
      local overlap = (math.min(a.to, b.to) - b.from) // 60
      if a.line == b.line then
        ctx:report(b.line, string.format(
          "two parts of %s overlap (%s %s and %s %s, %d min): time two clinicians"
          .. " spend together counts once; record it once, as the therapist's",
          a.cpt, a.text, a.by or "?", b.text, b.by or "?", overlap))
      else
        ctx:report(b.line, string.format(
          "%s %s overlaps %s %s (line %d) by %d min: only one service per 15-minute"
          .. " period, except supervised modalities 97010-97028",
          b.cpt, b.text, a.cpt, a.text, a.line, overlap))
      end
    end
  end
end

local function total_timed_minutes(visit, ctx)
  local note = visit.note
  if not note then return end
  local codes, total = timed_minutes(visit)
  local said = note.total_timed_minutes
  if said ~= nil and said ~= total then
    local parts = {}
    for _, c in ipairs(codes) do parts[#parts + 1] = c.cpt .. " " .. c.minutes end
    ctx:report(nil, string.format(
      "the note says %d total timed minutes, but the timed lines add up to %d (%s);"
      .. " the billing and the total timed minutes must be consistent",
      said, total, #parts > 0 and table.concat(parts, " + ") or "none"))
  end
  if said ~= nil and note.total_minutes ~= nil and note.total_minutes < said then
    ctx:report(nil, string.format(
      "the note's total treatment time (%d min) is less than its total timed minutes (%d)",
      note.total_minutes, said))
  end
end

-- The discipline modifier the claim line of `line` gets when none is sent,
-- or nil: the host's own reading of the line's discipline.
local function derived_modifier(visit, line)
  return MODIFIERS[eightmin.discipline(visit, line) or ""]
end

-- An "always therapy" code [CPM5 §20.1]: every code of eightmin's built-in
-- table is a physical-medicine or SLP service; a code added at run time
-- (a payer's own) may not be, and an unknown one is reported elsewhere.
local function always_therapy(cpt)
  local c = billing.code(cpt)
  return c ~= nil and c.user ~= true
end

local function discipline_modifier(visit, ctx)
  local discipline = visit.provider and visit.provider.discipline
  local want = MODIFIERS[discipline]
  -- Per code, as the claim has one line per code: does any of its lines
  -- send GP/GO/GN or tell the discipline? {first line, told}.
  local codes, order = {}, {}
  for i, line in ipairs(visit.lines) do
    local c = codes[line.cpt]
    if not c then
      c = { line = i, cpt = line.cpt, told = false }
      codes[line.cpt] = c
      order[#order + 1] = c
    end
    c.told = c.told or #discipline_modifiers(line) > 0 or derived_modifier(visit, line) ~= nil
  end
  for _, c in ipairs(order) do
    if not c.told and always_therapy(c.cpt) then
      ctx:report(c.line, string.format("cannot tell whether %s is PT, OT or SLP: send"
        .. " provider.discipline or GP/GO/GN; every therapy code carries its discipline's"
        .. " modifier", c.cpt))
    end
  end
  for i, line in ipairs(visit.lines) do
    local sent = discipline_modifiers(line)
    if #sent > 1 then
      ctx:report(i, string.format("%s carries %s: a line takes only one of GP/GO/GN",
        line.cpt, table.concat(sent, " and ")))
    elseif #sent == 1 and want and sent[1] ~= want then
      ctx:report(i, string.format(
        "%s was sent with %s (%s plan of care), but the provider's discipline is %s: use %s",
        line.cpt, sent[1], DISCIPLINE_OF[sent[1]], discipline, want))
    end
  end
end

local function assistant_modifier(visit, ctx)
  local want = MODIFIERS[visit.provider and visit.provider.discipline]
  for i, line in ipairs(visit.lines) do
    local effective = discipline_modifiers(line)[1] or want
    for _, m in ipairs(billing.list(line.modifiers)) do
      local pair = assistant.PAIRED_WITH[m]
      if pair and effective ~= pair then
        ctx:report(i, string.format(
          "%s carries %s, which must pair with %s, but the line's discipline modifier is %s;"
          .. " unpaired claims are returned as unprocessable",
          line.cpt, m, pair, effective or "missing"))
      end
    end
  end
  -- The 15% reduction applies to dates of service from 2022-01-01 only.
  local paid = visit.date >= ASSISTANT_85_FROM and " (paid at 85%)" or ""
  local splits, order = assistant_splits(visit, function(cpt)
    local u = ctx.units.by_code[cpt]
    return u and u.units
  end)
  for _, e in ipairs(order) do
    local s = splits[e.cpt]
    if s and s.modified > 0 and not billing.is_timed(s.cpt) then
      ctx:report(s.line, string.format(
        "%s: the %s furnished more than 10%% of this untimed service on their own,"
        .. " so it bills with %s%s", s.cpt, s.role, s.modifier, paid), { severity = "info" })
    elseif s and s.modified > 0 and s.therapist == 0 then
      ctx:report(s.line, string.format(
        "%s: furnished in whole by the %s (%d min), so %d unit%s bill%s with %s%s",
        s.cpt, s.role, s.assistant, s.modified, s.modified == 1 and "" or "s",
        s.modified == 1 and "s" or "", s.modifier, paid), { severity = "info" })
    elseif s and s.modified > 0 then
      local msg = string.format(
        "%s: the %s furnished %d min on their own, more than 10%% of the %d min left after"
        .. " the therapist's full units, so %d unit%s bill%s with %s%s",
        s.cpt, s.role, s.assistant, s.left, s.modified, s.modified == 1 and "" or "s",
        s.modified == 1 and "s" or "", s.modifier, paid)
      if s.plain > 0 then
        msg = msg .. string.format(" and %d without", s.plain)
      end
      ctx:report(s.line, msg, { severity = "info" })
    end
  end
end

-- CQ/CO on the claim lines: a code furnished in part by an assistant beyond
-- the de minimis splits into units without and units with the modifier
-- (dates of service from 2020-01-01).
local function claim(visit, claim_lines, _)
  -- No CQ/CO before the modifiers were required.
  if visit.date < ASSISTANT_FROM then return claim_lines end
  local splits = assistant_splits(visit, function(cpt)
    for _, cl in ipairs(claim_lines) do
      if cl.cpt == cpt then return cl.units end
    end
    return nil
  end)
  local out = {}
  for _, cl in ipairs(claim_lines) do
    local s = splits[cl.cpt]
    if s and s.modified > 0 and cl.units == s.plain + s.modified then
      if s.plain > 0 then
        out[#out + 1] = copy_claim_line(cl, s.plain, modifiers_with(cl.modifiers, nil, s.modifier))
      end
      out[#out + 1] = copy_claim_line(cl, s.modified, modifiers_with(cl.modifiers, s.modifier))
    else
      out[#out + 1] = cl
    end
  end
  for i = 1, math.max(#claim_lines, #out) do claim_lines[i] = out[i] end
  return claim_lines
end

return {
  name = "Medicare Part B",
  units = "cms",
  modifiers = MODIFIERS,
  telehealth = TELEHEALTH,
  claim = claim,
  rules = {
    billing.units_match { cite = CITE.units, method = "cms" },
    billing.minutes_missing { cite = CITE.minutes },
    { id = "single-under-8", severity = "warning", cite = CITE.single,
      description = "a lone timed service under 8 minutes is not billed",
      check = single_under_8 },
    { id = "overlapping-segments", severity = "error", cite = CITE.overlap,
      description = "timed services do not share minutes",
      check = overlapping_segments },
    { id = "total-timed-minutes", severity = "error", cite = CITE.total,
      description = "the note's total timed minutes agree with the lines",
      check = total_timed_minutes },
    { id = "discipline-modifier", severity = "error", cite = CITE.discipline,
      description = "GP/GO/GN on every therapy code, agreeing with the provider's discipline",
      check = discipline_modifier },
    { id = "assistant-modifier", severity = "error", cite = CITE.assistant, from = ASSISTANT_FROM,
      description = "CQ/CO pair with GP/GO; assistant time beyond the 10% de minimis",
      check = assistant_modifier },
    telehealth.rule { id = "telehealth", cite = CITE.telehealth, windows = TELEHEALTH,
      gaps = TELEHEALTH_GAPS, label = "Medicare telehealth for therapists",
      audio_only_modifier = "93", codes_severity = "warning",
      codes_note = "the list is the 2020 waiver's as APTA summarises it [B]; 2026 status unconfirmed [U]" },
    classification.rule { cite = CITE.classification },
    documentation.note_elements { cite = CITE.note },
    documentation.minutes_support_units { cite = CITE.units_note },
    documentation.progress_report_due { cite = CITE.progress },
    documentation.poc_certification { cite = CITE.certification },
    documentation.vague_language { cite = CITE.vague },
    documentation.maintenance_language { cite = CITE.maintenance },
    documentation.outcome_measure_range { cite = CITE.measures },
    code_pairs.pair_rule { cite = CITE.pairs },
    code_pairs.ceiling_rule { cite = CITE.ceilings },
  },
}
