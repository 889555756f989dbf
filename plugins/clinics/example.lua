-- plugins/clinics/example.lua: an outpatient PT clinic's own preferences
-- and checks, on top of whichever payer a visit goes to.

local billing = require "lib.billing"

-- ---- data ----------------------------------------------------------------

-- When leftover minutes tie (CMS Pub. 100-04 ch. 5 §20.2 Ex. 2 leaves the
-- choice to the clinician), this clinic bills the leftover unit to 97112.
local PREFER = { "97112", "97110" }

-- Documented goals and the code the clinic bills that work under.
local HINTS = {
  balance = "97112", proprioception = "97112", posture = "97112", coordination = "97112",
  strength = "97110", range_of_motion = "97110", endurance = "97110",
  gait = "97116", stairs = "97116",
  transfers = "97530", functional = "97530", self_care = "97535",
  mobilization = "97140", soft_tissue = "97140",
}

local LONG_VISIT_MINUTES = 90

local CITE = {
  interventions = "CMS Pub. 100-02 ch. 15 §220.3 (treatment note: each intervention, identifiable against the claim)",
  long_visit = "Example Physical Therapy policy CP-7 (example): visits over 90 timed minutes get a second look",
}

-- ---- rules -----------------------------------------------------------------

-- Timed lines with minutes, as {line=, cpt=, minutes=, interventions=}.
local function timed_lines(visit)
  local out = {}
  for i, line in ipairs(visit.lines) do
    if billing.is_timed(line.cpt) and line.minutes ~= nil and line.minutes > 0 then
      out[#out + 1] = { line = i, cpt = line.cpt, minutes = line.minutes,
                        interventions = line.interventions }
    end
  end
  return out
end

local function interventions_documented(visit, ctx)
  for _, l in ipairs(timed_lines(visit)) do
    local n = 0
    for _, iv in ipairs(l.interventions or {}) do
      n = n + 1
      local want = iv.goal and ctx.hints[iv.goal]
      if want and want ~= l.cpt then
        ctx:report(l.line, string.format(
          "an intervention for %s is documented under %s; this clinic bills %s work as %s",
          iv.goal, l.cpt, iv.goal, want), { severity = "info" })
      end
    end
    if n == 0 then
      ctx:report(l.line, string.format(
        "%s (%d min) has no intervention documented; the note must show what was done",
        l.cpt, l.minutes))
    end
  end
end

local function long_visit(visit, ctx)
  local total = 0
  for _, l in ipairs(timed_lines(visit)) do total = total + l.minutes end
  if total > LONG_VISIT_MINUTES then
    ctx:report(nil, string.format(
      "%d timed minutes in one visit (over %d): make sure the note supports the time",
      total, LONG_VISIT_MINUTES))
  end
end

return {
  name = "Example Physical Therapy",
  prefer = PREFER,
  hints = HINTS,
  -- A lone timed service under 8 minutes is never billed here: block the claim.
  severity = { ["medicare.single-under-8"] = "error" },
  rules = {
    { id = "interventions-documented", severity = "warning", cite = CITE.interventions,
      description = "each timed line documents at least one intervention",
      check = interventions_documented },
    { id = "long-visit", severity = "info", cite = CITE.long_visit,
      description = "visits over 90 timed minutes",
      check = long_visit },
  },
}
