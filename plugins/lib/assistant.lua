-- lib/assistant.lua: the CQ/CO de minimis rule for services furnished in
-- whole or in part by a PT or OT assistant [CPM5 §20.1; 42 CFR 410.59(a)(4),
-- 410.60(a)(4)]. Pure functions of plain numbers and strings, so they can be
-- tested without a visit; `lines_by_code` is the one that reads a visit.
--
-- The rule (domain.md §4): only the assistant's minutes independent of the
-- therapist count. Per timed code with U units, the therapist's full
-- 15-minute blocks are billed without CQ/CO; the units left carry CQ/CO when
-- the assistant furnished more than 10% of the minutes left. An untimed code
-- carries CQ/CO when the assistant furnished more than 10% of its minutes.
-- [U] The CY2022 final-unit refinements (9-14 minutes each) are not encoded.

local assistant = {}

-- Credentials as EMRs send them, to the role the rule needs.
local ROLES = {
  PT = "PT", DPT = "PT", MPT = "PT", MSPT = "PT",
  PTA = "PTA", LPTA = "PTA",
  OT = "OT", OTR = "OT", ["OTR/L"] = "OT", OTD = "OT",
  OTA = "OTA", COTA = "OTA", ["COTA/L"] = "OTA",
  SLP = "SLP", ["CCC-SLP"] = "SLP", ["SLP-CCC"] = "SLP",
}

-- The modifier each assistant role brings, and the discipline modifier it
-- must pair with.
local ASSISTANT_MODIFIER = { PTA = "CQ", OTA = "CO" }
local PAIRED_WITH = { CQ = "GP", CO = "GO" }

local UNIT_MINUTES = 15
local DE_MINIMIS_PERCENT = 10

assistant.ASSISTANT_MODIFIER = ASSISTANT_MODIFIER
assistant.PAIRED_WITH = PAIRED_WITH

-- "PT", "PTA", "OT", "OTA", "SLP" or nil for an unknown credential.
function assistant.role(credential)
  if type(credential) ~= "string" then return nil end
  return ROLES[credential:upper()]
end

function assistant.is_assistant(role)
  return ASSISTANT_MODIFIER[role] ~= nil
end

-- True when the assistant's independent minutes are more than 10% of total.
function assistant.beyond_de_minimis(assistant_min, total_min)
  return assistant_min * 100 > total_min * DE_MINIMIS_PERCENT
end

-- Splits U units of one code into the units billed plain and the units
-- that carry CQ/CO. t = {units=, timed=, therapist=, assistant=, role=}
-- (minutes; role "PTA" or "OTA"). Returns plain_units, modified_units,
-- modifier (nil when no unit needs one), and the minutes the 10% test
-- was measured against.
function assistant.split(t)
  local units = t.units or 0
  local ther, asst = t.therapist or 0, t.assistant or 0
  local modifier = ASSISTANT_MODIFIER[t.role]
  if units <= 0 or asst <= 0 or not modifier then return units, 0, nil, ther + asst end
  if not t.timed then
    if assistant.beyond_de_minimis(asst, ther + asst) then return 0, units, modifier, ther + asst end
    return units, 0, nil, ther + asst
  end
  local ther_units = math.min(units, ther // UNIT_MINUTES)
  local left_units = units - ther_units
  local left_min = ther + asst - ther_units * UNIT_MINUTES
  if left_units > 0 and assistant.beyond_de_minimis(asst, left_min) then
    return ther_units, left_units, modifier, left_min
  end
  return units, 0, nil, left_min
end

-- Minutes of one line by role: therapist minutes, assistant minutes and the
-- assistant's role. Segments name who did them; a part without `by` is the
-- line's `by`, else the provider's credential (else the discipline's
-- therapist).
function assistant.line_minutes(line, provider)
  local default = assistant.role(line.by)
    or assistant.role(provider and provider.credential)
    or assistant.role(provider and provider.discipline)
  local ther, by_role = 0, {}
  local parts = {}
  if line.segments ~= nil then
    for _, seg in ipairs(line.segments) do parts[#parts + 1] = seg end
  end
  -- A line without any time (an untimed hot pack) is weighed as one
  -- nominal minute of whoever performed it: in whole by them, or not.
  if #parts == 0 then parts = { { minutes = line.minutes or 1 } } end
  for _, part in ipairs(parts) do
    local m = part.minutes or 0
    local role = assistant.role(part.by) or default
    if assistant.is_assistant(role) then
      by_role[role] = (by_role[role] or 0) + m
    else
      ther = ther + m
    end
  end
  local role, asst = nil, 0
  for r, m in pairs(by_role) do
    if m > asst or (m == asst and role and r < role) then role, asst = r, m end
  end
  -- A second assistant role on one line (rare) is still assistant time.
  for r, m in pairs(by_role) do
    if r ~= role then asst = asst + m end
  end
  return ther, asst, role
end

-- Per code of the visit, in order of first line: {cpt=, lines={i...},
-- therapist=, assistant=, role=}.
function assistant.lines_by_code(visit)
  local by, order = {}, {}
  for i, line in ipairs(visit.lines) do
    local cpt = line.cpt
    if cpt then
      local e = by[cpt]
      if not e then
        e = { cpt = cpt, lines = {}, therapist = 0, assistant = 0, role = nil }
        by[cpt] = e
        order[#order + 1] = e
      end
      e.lines[#e.lines + 1] = i
      local ther, asst, role = assistant.line_minutes(line, visit.provider)
      e.therapist = e.therapist + ther
      e.assistant = e.assistant + asst
      e.role = e.role or role
    end
  end
  return order, by
end

return assistant
