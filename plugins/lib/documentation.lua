-- lib/documentation.lua: Medicare documentation rules for outpatient therapy
-- (BPM15 §220.x, domain.md §8): the daily treatment note's elements, billed
-- units against the note's minutes, progress reports every 10 treatment
-- days, plan-of-care certification windows, vague and maintenance-only
-- wording, and outcome measures within their scales.
-- Each constructor returns a fresh rule table; a payer passes its own cite,
-- id or data (`documentation.vague_language {phrases = ...}`).
-- luacheck: read globals eightmin

local classification = require "lib.classification"
local words_of = classification.word_set

local documentation = {}

-- ---- data ----------------------------------------------------------------

local CITE = {
  note = "CMS Pub. 100-02 ch. 15 §220.3 (treatment note)",
  units = "CMS Pub. 100-04 ch. 5 §20.2; Pub. 100-02 ch. 15 §220.3",
  progress = "CMS Pub. 100-02 ch. 15 §220.3 D",
  certification = "CMS Pub. 100-02 ch. 15 §220.1.3",
  vague = "CMS Pub. 100-02 ch. 15 §220.2, §220.3 (skilled services, treatment note)",
  maintenance = "CMS Pub. 100-02 ch. 15 §220.2 C-D; Jimmo v. Sebelius (D. Vt. No. 11-cv-17, 2013)",
  measures = "CMS Pub. 100-02 ch. 15 §220.3 (objective measures); instrument scoring ranges",
}
documentation.CITE = CITE

-- The elements every treatment note shows [BPM15 §220.3]. Objective measures
-- are recommended, not required, so their absence is only information.
local NOTE_ELEMENTS = {
  { field = "impairments", label = "impairments" },
  { field = "functional_progress", label = "functional progress" },
  { field = "medical_necessity", label = "medical necessity (why a therapist's skill is needed)" },
  { field = "total_timed_minutes", label = "total timed-code minutes" },
  { field = "total_minutes", label = "total treatment minutes (timed and untimed)" },
}
local NARRATIVE = { "impairments", "functional_progress", "medical_necessity", "text", "measures" }

-- What counts as an intervention's parameters (sets, reps, time, distance,
-- resistance, grade or intensity), on lower-cased text.
local PARAMETERS = {
  "%d+%s*[x*]%s*%d+",                    -- 3x10, 3 x 30
  "%f[%w]x%s*%d+",                       -- x10
  "%d+%s*reps?%f[%A]", "%d+%s*repetitions?", "%d+%s*sets?%f[%A]",
  "%d+%s*s%f[%A]", "%d+%s*secs?%f[%A]", "%d+%s*seconds?", "%d+%s*min", "%d+%s*hours?",
  "%d+%s*ft%f[%A]", "%d+%s*feet", "%d+%s*m%f[%A]", "%d+%s*meters?", "%d+%s*metres?",
  "%d+%s*yards?", "%d+%s*laps?", "%d+%s*steps?", "%d+%s*stairs?",
  "%d+%s*trials?", "%d+%s*rounds?", "%d+%s*circuits?", "%d+%s*times",
  -- the assistance the patient needed is a parameter of functional training
  "%f[%a]min%s+assist", "%f[%a]mod%s+assist", "%f[%a]max%s+assist", "%f[%a]cga%f[%A]",
  "%f[%a]sba%f[%A]", "%f[%a]mod%s*i%f[%A]",
  "%d+%s*lbs?%f[%A]", "%d+%s*kg%f[%A]", "%d+%s*pounds?",
  "%a+%s+band", "%a+%s+theraband", "grade%s+[iv]+%f[%A]", "grade%s+%d", "level%s+%d",
  "%d+%s*mhz", "%d+%s*w/cm", "%d+%s*%%",
}

-- Progress reports [BPM15 §220.3 D]: at least once every 10 treatment days;
-- a late report is due within 7 calendar days after the period ends.
local PROGRESS_EVERY_DAYS = 10
local PROGRESS_LATE_DAYS = 7
-- eightmin cannot count treatment days since the last report (the EMR sends
-- only its date), so past this many calendar days it asks. A heuristic [U]
-- a payer script can change.
local PROGRESS_ASK_AFTER_CALENDAR_DAYS = 30

-- Certification [BPM15 §220.1.3]: timely when signed within 30 days of the
-- first treatment; each certification covers at most 90 calendar days.
-- Counting (domain.md §8): the 90 days run "from the initial treatment (the
-- evaluation counts)", so the first day is day 1 and a period's length is
-- through - from + 1: soc 2026-01-01 through 2026-03-31 is 90 days, through
-- 2026-04-01 is 91, too long. "Within 30 days following the first day of
-- treatment" counts days after it: signed on soc + 30 is timely, soc + 31
-- is not. A recertification's 90 days start on its own date
-- (recertified_on), not at the start of care.
local CERT_SIGN_DAYS = 30
local CERT_MAX_DAYS = 90

-- Phrases that say nothing a reviewer can use, with what to write instead.
-- Our own list of common examples [C]; a payer or clinic extends it.
local VAGUE = {
  { "tolerated well", "say how: vitals, pain 0-10, sets completed, cues or rest needed" },
  { "tolerated treatment well", "say how: vitals, pain 0-10, sets completed, cues or rest needed" },
  { "tolerated tx well", "say how: vitals, pain 0-10, sets completed, cues or rest needed" },
  { "pt did well", "name what improved, with a measure (BBS 41 from 35, 150 ft without the cane)" },
  { "patient did well", "name what improved, with a measure (BBS 41 from 35, 150 ft without the cane)" },
  { "progressing well", "name what improved, with a measure, against the goal" },
  { "continue poc", "say what the next visits change and why they need a therapist's skill" },
  { "continue plan of care", "say what the next visits change and why they need a therapist's skill" },
  { "continue per poc", "say what the next visits change and why they need a therapist's skill" },
  { "continue with poc", "say what the next visits change and why they need a therapist's skill" },
  { "good session", "record what was done, the response and the skilled input" },
  { "no complaints", "record the patient's response in measures (pain 0-10, vitals)" },
}

-- Maintenance wording, and wording that shows the skilled need behind it.
-- Lua patterns on lower-cased text.
local MAINTENANCE = {
  "%f[%a]maintain", "%f[%a]maintenance", "prevent%s+decline", "prevent%s+deterioration",
  "%f[%a]plateau", "no%s+further%s+progress", "no%s+further%s+improvement",
  "no%s+potential%s+for%s+improvement", "%f[%a]chronic%s+condition",
}
local SKILLED = {
  "%f[%a]skill", "requires?%s+a?%s*therapist", "%f[%a]complex", "%f[%a]spastic",
  "%f[%a]unstable", "parkinson", "multiple%s+sclerosis", "%f[%a]fracture",
  "caregiver", "establish", "%f[%a]design", "re%-?evaluat", "%f[%a]unsafe",
  "%f[%a]safety", "fall%s+risk", "complication",
}

-- Outcome measures and their valid values. BBS and TUG from domain.md §8
-- [C]; the others from the instruments' published scoring, not in
-- domain.md, so unconfirmed here [U].
local MEASURES = {
  { names = { "BBS", "BERG", "BERG BALANCE SCALE", "BERG BALANCE" }, min = 0, max = 56, integer = true,
    unit = "points", source = "14 items scored 0-4, domain.md §8" },
  { names = { "TUG", "TIMED UP AND GO", "TIMED UP AND GO TEST" }, above = 0, unit = "seconds",
    source = "a time in seconds, domain.md §8" },
  { names = { "FGA", "FUNCTIONAL GAIT ASSESSMENT" }, min = 0, max = 30, integer = true,
    unit = "points", source = "10 items scored 0-3", unconfirmed = true },
  { names = { "DGI", "DYNAMIC GAIT INDEX" }, min = 0, max = 24, integer = true,
    unit = "points", source = "8 items scored 0-3", unconfirmed = true },
  { names = { "POMA", "TINETTI", "TINETTI POMA" }, min = 0, max = 28, integer = true,
    unit = "points", source = "balance 16 + gait 12", unconfirmed = true },
  { names = { "ABC", "ABC SCALE" }, min = 0, max = 100, unit = "percent",
    source = "activities-specific balance confidence, 0-100%", unconfirmed = true },
  { names = { "LEFS" }, min = 0, max = 80, integer = true, unit = "points",
    source = "20 items scored 0-4", unconfirmed = true },
  { names = { "ODI", "OSWESTRY" }, min = 0, max = 100, unit = "percent",
    source = "0-100%", unconfirmed = true },
  { names = { "NPRS", "NRS", "PAIN" }, min = 0, max = 10, unit = "points",
    source = "numeric pain rating 0-10", unconfirmed = true },
  { names = { "5XSTS", "FTSTS", "FIVE TIMES SIT TO STAND" }, above = 0, unit = "seconds",
    source = "a time in seconds", unconfirmed = true },
  { names = { "10MWT", "GAIT SPEED" }, above = 0, unit = "m/s",
    source = "a speed", unconfirmed = true },
  { names = { "6MWT", "SIX MINUTE WALK" }, above = 0, unit = "meters",
    source = "a distance", unconfirmed = true },
}

documentation.NOTE_ELEMENTS = NOTE_ELEMENTS
documentation.PARAMETERS = PARAMETERS
documentation.VAGUE = VAGUE
documentation.MAINTENANCE = MAINTENANCE
documentation.SKILLED = SKILLED
documentation.MEASURES = MEASURES

-- ---- helpers ---------------------------------------------------------------

local function list(v)
  local out = {}
  for _, x in ipairs(v or {}) do out[#out + 1] = x end
  return out
end

local function blank(v)
  return v == nil or (type(v) == "string" and not v:find("%S"))
end

local function is_timed(cpt)
  local ok, c = pcall(eightmin.code, cpt)
  return ok and type(c) == "table" and c.timed == true
end

-- The note's narrative pieces and the interventions, as {where=, text=}.
local function texts(visit)
  local out = {}
  local note = visit.note
  if note then
    for _, f in ipairs({ "impairments", "functional_progress", "medical_necessity", "text" }) do
      if type(note[f]) == "string" then out[#out + 1] = { where = "note." .. f, text = note[f] } end
    end
  end
  for i, line in ipairs(visit.lines) do
    for _, iv in ipairs(list(line.interventions)) do
      if type(iv.text) == "string" then
        out[#out + 1] = { where = "line " .. i .. " " .. tostring(line.cpt), text = iv.text, line = i }
      end
    end
  end
  return out
end

-- Does an intervention's text give parameters?
function documentation.has_parameters(text, patterns)
  if type(text) ~= "string" then return false end
  local t = text:lower()
  for _, p in ipairs(patterns or PARAMETERS) do
    if t:find(p) then return true end
  end
  return false
end

-- Does the word list contain the phrase?
local has_words = classification.has_phrase

local function find_any(text, patterns)
  local t = text:lower()
  for _, p in ipairs(patterns) do
    local a, b = t:find(p)
    if a then
      -- Widen to the whole words around the match and on to the end of
      -- the clause (at most 60 characters), for the message.
      while a > 1 and t:sub(a - 1, a - 1):match("%a") do a = a - 1 end
      while b < #t and b - a < 60 and not t:sub(b + 1, b + 1):match("[%.;,:!?]") do b = b + 1 end
      return text:sub(a, b)
    end
  end
  return nil
end

-- Days from a to b, or nil when either date is unreadable.
local function days(a, b)
  if type(a) ~= "string" or type(b) ~= "string" then return nil end
  local ok, d = pcall(eightmin.days_between, a, b)
  if ok and math.type(d) == "integer" then return d end
  return nil
end

local function add_days(date, n)
  local ok, d = pcall(eightmin.add_days, date, n)
  return ok and d or nil
end

local function measure_spec(name, measures)
  if type(name) ~= "string" then return nil end
  local key = name:upper():gsub("[%-_]", " "):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  for _, m in ipairs(measures or MEASURES) do
    for _, n in ipairs(m.names) do
      if n == key then return m end
    end
  end
  return nil
end
documentation.measure_spec = measure_spec

-- nil when the value fits the measure, else why not.
function documentation.measure_problem(spec, value)
  if type(value) ~= "number" then return "is not a number" end
  local range
  if spec.above then range = string.format("above %s %s", spec.above, spec.unit)
  else range = string.format("%s-%s %s", spec.min, spec.max, spec.unit) end
  if spec.above and value <= spec.above then return "is not " .. range end
  if spec.min and value < spec.min then return "is below the scale's range " .. range end
  if spec.max and value > spec.max then return "is above the scale's range " .. range end
  if spec.integer and math.type(value) ~= "integer" and value ~= math.floor(value) then
    return "is not a whole score (" .. range .. ")"
  end
  return nil
end

-- ---- rules -----------------------------------------------------------------

-- note-elements: the treatment note shows each element; each timed line
-- documents interventions with their parameters.
function documentation.note_elements(opts)
  opts = opts or {}
  local elements = opts.elements or NOTE_ELEMENTS
  return {
    id = opts.id or "note-elements", severity = "warning", cite = opts.cite or CITE.note,
    description = "the treatment note shows impairments, interventions with parameters,"
      .. " measures, progress, necessity and the minute totals",
    check = function(visit, ctx)
      -- Many EMRs send only the minute totals; the narrative is judged when
      -- it comes (a note field or an intervention), never guessed at.
      local note = visit.note
      local narrative = false
      for _, f in ipairs(NARRATIVE) do
        local v = note and note[f]
        if f == "measures" then v = #list(v) > 0 or nil end
        if not blank(v) then narrative = true end
      end
      local any_interventions = false
      for _, line in ipairs(visit.lines) do
        if #list(line.interventions) > 0 then any_interventions = true end
      end
      if not narrative and not any_interventions then return end
      if not note then
        ctx:report(nil, "interventions came without a treatment note; each treatment day needs"
          .. " one with the elements of §220.3")
      elseif narrative then
        local missing = {}
        for _, e in ipairs(elements) do
          if blank(note[e.field]) then missing[#missing + 1] = e.label end
        end
        if #missing > 0 then
          ctx:report(nil, "the treatment note does not show " .. table.concat(missing, "; "))
        end
        if #list(note.measures) == 0 then
          ctx:report(nil, "the note records no objective measure (BBS, TUG ...); measures are"
            .. " recommended, not required", { severity = "info" })
        end
      end
      for i, line in ipairs(visit.lines) do
        local ivs = list(line.interventions)
        if #ivs > 0 then
          local bare = {}
          for _, iv in ipairs(ivs) do
            if not documentation.has_parameters(iv.text, opts.parameters) then
              bare[#bare + 1] = "\"" .. tostring(iv.text) .. "\""
            end
          end
          if #bare > 0 then
            ctx:report(i, string.format("%s: %s give%s no parameters (sets, reps, seconds,"
              .. " distance, resistance or grade)", line.cpt, table.concat(bare, ", "),
              #bare == 1 and "s" or ""))
          end
        elseif narrative and is_timed(line.cpt) then
          ctx:report(i, line.cpt .. " documents no intervention; each intervention must be"
            .. " identifiable against the claim")
        end
      end
    end,
  }
end

-- minutes-support-units: the timed units billed are capped by the units the
-- note's total timed minutes earn under the payer's method [CPM5 §20.2 (9)].
-- The note against the lines' minutes is total-timed-minutes' job; this one
-- holds the billed units (lines with or without minutes) to the note.
function documentation.minutes_support_units(opts)
  opts = opts or {}
  return {
    id = opts.id or "minutes-support-units", severity = "error", cite = opts.cite or CITE.units,
    description = "the timed units billed do not exceed what the note's total timed minutes earn",
    check = function(visit, ctx)
      local note = visit.note
      local said = note and note.total_timed_minutes
      if math.type(said) ~= "integer" then return end
      local billed, first, minutes, unexplained = 0, nil, 0, false
      for i, line in ipairs(visit.lines) do
        if is_timed(line.cpt) then
          minutes = minutes + (line.minutes or 0)
          if line.units ~= nil then
            billed = billed + line.units
            first = first or i
            unexplained = unexplained or line.minutes == nil
          end
        end
      end
      -- When every billed line has minutes and they add up to the note's
      -- total, units-match already judged these units.
      if not first or (not unexplained and minutes == said) then return end
      local ok, u = pcall(eightmin.units, { { cpt = "97110", minutes = said } })
      local earn = ok and u and u.total_units
      if earn and billed > earn then
        ctx:report(nil, string.format("%d timed unit%s billed, but the note's %d total timed"
          .. " minutes earn at most %d; the billing and the total timed minutes must be consistent",
          billed, billed == 1 and " is" or "s are", said, earn))
      end
    end,
  }
end

-- progress-report-due: a progress report at least every 10 treatment days.
function documentation.progress_report_due(opts)
  opts = opts or {}
  local every = opts.every or PROGRESS_EVERY_DAYS
  local ask_after = opts.ask_after or PROGRESS_ASK_AFTER_CALENDAR_DAYS
  return {
    id = opts.id or "progress-report-due", severity = "error", cite = opts.cite or CITE.progress,
    description = "a progress report at least once every 10 treatment days",
    check = function(visit, ctx)
      local ep = visit.episode
      local day = ep and ep.treatment_day
      if math.type(day) ~= "integer" then return end
      local last = ep.last_progress_report
      local soc = ep.start_of_care
      if last and soc and last < soc then last = nil end -- an earlier episode's
      if last and last > visit.date then return end
      if not last then
        if day > every then
          ctx:report(nil, string.format("treatment day %d and no progress report since the"
            .. " start of care%s: one is due at least every %d treatment days (a late report"
            .. " within %d calendar days after the period ends)", day,
            soc and (" (" .. soc .. ")") or "", every, PROGRESS_LATE_DAYS))
        elseif day == every then
          ctx:report(nil, string.format("treatment day %d: the progress report is due today,"
            .. " written by the therapist", day), { severity = "info" })
        end
        return
      end
      local since = days(last, visit.date)
      if since and since > ask_after then
        ctx:report(nil, string.format("the last progress report was %s, %d calendar days ago;"
          .. " eightmin cannot count the treatment days since, so confirm no more than %d have"
          .. " passed (a %d-day reminder, not CMS policy [U])", last, since, every, ask_after),
          { severity = "warning" })
      end
    end,
  }
end

-- poc-certification: the plan of care certified within 30 days of the
-- first treatment, for at most 90 days at a time, and the visit inside it.
function documentation.poc_certification(opts)
  opts = opts or {}
  local sign_days = opts.sign_days or CERT_SIGN_DAYS
  local max_days = opts.max_days or CERT_MAX_DAYS
  return {
    id = opts.id or "poc-certification", severity = "error", cite = opts.cite or CITE.certification,
    description = "plan of care certified within 30 days, for at most 90 days, covering the visit",
    check = function(visit, ctx)
      local ep = visit.episode
      if not ep then return end
      local soc, date = ep.start_of_care, visit.date
      local poc = ep.plan_of_care
      local since = days(soc, date)
      -- A recertification is a signed certification too: its presence
      -- means the plan was certified even if the EMR lost the first date.
      if not poc or not (poc.signed_on or poc.recertified_on) then
        if since and since > sign_days then
          ctx:report(nil, string.format("the plan of care is not certified %d days after the"
            .. " start of care (%s); certification is timely when signed within %d days,"
            .. " and a delayed one needs the reason for the delay", since, soc, sign_days))
        elseif since and since >= 0 then
          ctx:report(nil, string.format("the plan of care is not certified yet; sign it by %s"
            .. " (%d days after the start of care)", add_days(soc, sign_days) or "?", sign_days),
            { severity = "info" })
        end
        if not poc then return end
      end
      local late = poc.signed_on and days(soc, poc.signed_on)
      if late and late > sign_days then
        ctx:report(nil, string.format("the plan of care was certified on %s, %d days after the"
          .. " start of care (%s): later than %d days, so the record needs the reason for the"
          .. " delay", poc.signed_on, late, soc, sign_days), { severity = "warning" })
      end
      local from = poc.recertified_on or soc
      local through = poc.certified_through
      -- Calendar days counted inclusively: both from and through are days
      -- the certification covers.
      local between = days(from, through)
      local span = between and between + 1
      if span and span > max_days then
        ctx:report(nil, string.format("the %s runs %d calendar days (%s through %s, both"
          .. " counted); a certification covers at most %d calendar days",
          poc.recertified_on and "recertification" or "certification", span, from, through,
          max_days))
      end
      if through and date > through then
        ctx:report(nil, string.format("the visit on %s is after the plan of care's"
          .. " certification through %s; recertify (at least every %d days) before billing",
          date, through, max_days))
      end
    end,
  }
end

-- vague-language: phrases that tell a reviewer nothing.
function documentation.vague_language(opts)
  opts = opts or {}
  local phrases = opts.phrases or VAGUE
  return {
    id = opts.id or "vague-language", severity = "warning", cite = opts.cite or CITE.vague,
    description = "no stock phrases in place of the skilled work and the response",
    check = function(visit, ctx)
      for _, t in ipairs(texts(visit)) do
        local ws = words_of(t.text)
        for _, p in ipairs(phrases) do
          if has_words(ws, p[1]) then
            ctx:report(t.line, string.format("%s says \"%s\", which shows no skilled care: %s",
              t.where, p[1], p[2]))
          end
        end
      end
    end,
  }
end

-- maintenance-language: maintenance wording without the skilled need.
-- Maintenance therapy IS covered when it needs a therapist's skill; only
-- the note that shows no such need is at risk.
function documentation.maintenance_language(opts)
  opts = opts or {}
  local maintenance = opts.maintenance or MAINTENANCE
  local skilled = opts.skilled or SKILLED
  return {
    id = opts.id or "maintenance-language", severity = "warning", cite = opts.cite or CITE.maintenance,
    description = "maintenance wording comes with the skilled need behind it",
    check = function(visit, ctx)
      local found, where
      for _, t in ipairs(texts(visit)) do
        if find_any(t.text, skilled) then return end
        if not found then
          found = find_any(t.text, maintenance)
          where = t.where
        end
      end
      if found then
        ctx:report(nil, string.format("%s speaks of maintenance (\"%s\") but not of the skilled"
          .. " need: maintenance therapy is covered when it needs a therapist's skill"
          .. " (establishing or revising the program, training caregivers, or complications"
          .. " such as spasticity or an unstable fracture), whatever the potential for"
          .. " improvement; say why a therapist is needed", where, found))
      end
    end,
  }
end

-- outcome-measure-range: a known measure's value and prior within its scale.
function documentation.outcome_measure_range(opts)
  opts = opts or {}
  local measures = opts.measures or MEASURES
  return {
    id = opts.id or "outcome-measure-range", severity = "error", cite = opts.cite or CITE.measures,
    description = "outcome measures within their scales",
    check = function(visit, ctx)
      local note = visit.note
      if not note then return end
      for _, m in ipairs(list(note.measures)) do
        local spec = measure_spec(m.name, measures)
        if spec then
          for _, which in ipairs({ "value", "prior" }) do
            local v = m[which]
            local why = (which == "value" or v ~= nil) and documentation.measure_problem(spec, v)
            if why then
              ctx:report(nil, string.format("%s %s %s %s (%s)%s", m.name,
                which == "prior" and "prior" or "value", tostring(v), why, spec.source,
                spec.unconfirmed and "; range from the instrument's scoring, unconfirmed [U]" or ""))
            end
          end
        end
      end
    end,
  }
end

return documentation
