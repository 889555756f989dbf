-- eightmin.x12: an ANSI X12 837P (005010X222A1) claim file for one payer's
-- batch of checked visits.
--   local x12 = require "eightmin.x12"
--   local text, info = x12.build(settings, "medicare", { {visit = v, claims = result.claims}, ... },
--                                {control = 17, date = "2026-03-04", time = "1200"})
-- settings is the clinic settings table (plugins/examples/clinic-settings.lua):
-- submitter, billing provider, payers, fee schedule, interchange ids,
-- separators and subscriber(visit). The patient is always the subscriber.
-- A visit without a diagnosis, or whose subscriber has no date of birth or
-- address, cannot go out: build leaves it out and says why (info.skipped),
-- and x12.problems says so before a workflow batches it.
-- Money is whole cents and printed as dollars; nothing is a float.
local M = {}

M.VERSION = "005010X222A1"

M.DEFAULT_SEPARATORS = { segment = "~", element = "*", component = ":", repetition = "^" }

-- Money: whole cents printed as an X12 decimal ("90.00").
local function dollars(cents)
  return ("%d.%02d"):format(cents // 100, cents % 100)
end
M.dollars = dollars

local function fail(fmt, ...)
  error(("x12: " .. fmt):format(...), 0)
end

-- The separators, checked: one character each, all different, not a
-- letter, digit or space (those are data).
local function separators(settings)
  local sep = {}
  for k, v in pairs(M.DEFAULT_SEPARATORS) do sep[k] = v end
  for k, v in pairs(settings.separators or {}) do
    if sep[k] == nil then fail("separators.%s: unknown separator (segment, element, component, repetition)", k) end
    sep[k] = v
  end
  local seen = {}
  for k, v in pairs(sep) do
    if type(v) ~= "string" or #v ~= 1 or v:match("[%w ]") then
      fail("separators.%s must be one character that is not a letter, digit or space", k)
    end
    if seen[v] then fail("separators.%s and separators.%s are both %q", k, seen[v], v) end
    seen[v] = k
  end
  return sep
end

-- A data element: separators and control characters become spaces, runs
-- of spaces one, upper case (X12 text is uppercase by convention).
local function clean(sep, value, max)
  if value == nil then return "" end
  local s = tostring(value):upper():gsub("%c", " ")
  for _, ch in pairs(sep) do s = s:gsub(ch:gsub("%p", "%%%0"), " ") end
  s = s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if max and #s > max then s = s:sub(1, max) end
  return s
end

local function need(tbl, path, key)
  local v = tbl and tbl[key]
  if v == nil or v == "" then fail("settings: %s.%s is required", path, key) end
  return v
end

-- Digits of a date "YYYY-MM-DD".
local function d8(date)
  return (tostring(date):gsub("-", ""))
end

-- The subscriber of a visit (2010BA; the patient is the subscriber): the
-- visit's own "subscriber" object (an extra field of the record), else
-- settings.subscriber(visit). Fields: last, first, member_id, sex, dob,
-- address, address2, city, state, zip. Name and member id default to the
-- patient id, sex to U, dob to the patient's; the address has no default.
local function subscriber(settings, vt)
  local s = vt.subscriber
  if type(s) ~= "table" and type(settings.subscriber) == "function" then s = settings.subscriber(vt) end
  s = type(s) == "table" and s or {}
  local pid = vt.patient and vt.patient.id or vt.id
  return {
    last = s.last or pid, first = s.first, member_id = s.member_id or pid,
    sex = s.sex or "U", dob = s.dob or (vt.patient and vt.patient.dob),
    address = s.address, address2 = s.address2, city = s.city, state = s.state, zip = s.zip,
  }
end

-- A value a person gave: text or a number that is not blank once cleaned
-- (a table or a boolean from a visit's extra fields is not an address).
local function given(sep, v)
  local t = type(v)
  return (t == "string" or t == "number") and clean(sep, v) ~= ""
end

-- The diagnosis pointers of a claim line that point at one of the n codes
-- sent in HI (at most 4, SV107).
local function pointers(cl, n)
  local ptr = {}
  for _, p in ipairs(type(cl.dx_pointers) == "table" and cl.dx_pointers or {}) do
    if #ptr == 4 then break end
    if math.type(p) == "integer" and p >= 1 and p <= n then ptr[#ptr + 1] = tostring(p) end
  end
  return ptr
end

local SUBSCRIBER_ADDRESS = { "address", "city", "state", "zip" }

-- Why a visit's claims cannot go out in an 837P, as a list of reasons
-- (empty when they can). The patient is the subscriber, so 2010BA needs the
-- date of birth (DMG) and an address (N3, N4); 2300 needs a diagnosis (HI)
-- and each line a pointer to one (SV107).
local function claim_problems(sep, vt, s, claims)
  local why = {}
  local n_dx = math.min(12, #(type(vt.diagnoses) == "table" and vt.diagnoses or {}))
  if n_dx == 0 then
    why[#why + 1] = "no diagnosis: the 837P needs HI and SV107"
  else
    for i = 1, n_dx do
      if not given(sep, vt.diagnoses[i]) then
        why[#why + 1] = ("diagnosis %d is blank: HI needs a code"):format(i)
      end
    end
    for i, cl in ipairs(claims) do
      if #pointers(cl, n_dx) == 0 then
        why[#why + 1] = ("line %d (%s) points at no diagnosis: the 837P needs SV107"):format(
          i, clean(sep, cl.cpt))
      end
    end
  end
  if not given(sep, s.dob) then
    why[#why + 1] = "no date of birth: 2010BA needs DMG when the patient is the subscriber"
  elseif not tostring(s.dob):match("^%d%d%d%d%-%d%d%-%d%d$") then
    why[#why + 1] = ("date of birth %q is not YYYY-MM-DD: 2010BA needs DMG"):format(clean(sep, s.dob, 30))
  end
  local missing = {}
  for _, k in ipairs(SUBSCRIBER_ADDRESS) do
    if not given(sep, s[k]) then missing[#missing + 1] = k end
  end
  if #missing == #SUBSCRIBER_ADDRESS then
    why[#why + 1] = "no subscriber address: 2010BA needs N3 and N4 when the patient is the subscriber"
        .. " (the visit's subscriber object or settings.subscriber(visit))"
  elseif #missing > 0 then
    why[#why + 1] = ("subscriber address lacks %s: 2010BA needs N3 and N4"):format(table.concat(missing, ", "))
  end
  return why
end

local function as_table(visit)
  if type(visit) == "userdata" then return visit:totable() end
  return visit
end

-- The reasons an item ({visit, claims}) would be skipped by build, as a
-- list of text (empty when it would go out). A workflow asks before it
-- batches a visit, to hold it back like a visit with an error finding.
function M.problems(settings, item)
  local vt = as_table(item.visit)
  return claim_problems(separators(settings), vt, subscriber(settings, vt), item.claims or {})
end

-- The fee of a claim line in cents: settings.fees[payer][cpt] or
-- settings.fees[cpt], times its units; 0 when there is no fee.
local function line_cents(settings, payer, cpt, units)
  local fees = settings.fees or {}
  local fee = (type(fees[payer]) == "table" and fees[payer][cpt]) or fees[cpt] or 0
  if math.type(fee) ~= "integer" or fee < 0 then
    fail("settings: fees[%q] must be whole cents (an integer >= 0)", cpt)
  end
  return fee * units
end
M.line_cents = line_cents

-- Builds the 837P text for the payer's items ({visit, claims} each, claims
-- as em.check returns them). opts: control (interchange control number,
-- 1..999999999), date ("YYYY-MM-DD"), time ("HHMM"), usage ("T" test or
-- "P" production). Returns text, info {segments, claims, lines,
-- total_cents, control, skipped}. A visit whose claims cannot go out (see
-- M.problems) is left out and listed in skipped as {id, reason, item},
-- reason like "no diagnosis: the 837P needs HI and SV107"; when no claim
-- is left, text is nil (an 837P needs one). Raises "x12: ..." for bad settings.
function M.build(settings, payer_id, items, opts)
  opts = opts or {}
  local sep = separators(settings)
  local E, C, T = sep.element, sep.component, sep.segment
  local payers = settings.payers or {}
  local payer = payers[payer_id] or fail("settings: payers[%q] is missing", payer_id)
  local sub = need(settings, "settings", "submitter")
  local bill = need(settings, "settings", "billing_provider")
  local ic = settings.interchange or {}
  local control = opts.control or 1
  if math.type(control) ~= "integer" or control < 1 or control > 999999999 then
    fail("the control number must be a whole number from 1 to 999999999")
  end
  local date = opts.date or os.date("%Y-%m-%d")
  local time = opts.time or os.date("%H%M")
  if not tostring(date):match("^%d%d%d%d%-%d%d%-%d%d$") then fail("date must be YYYY-MM-DD") end
  if not tostring(time):match("^%d%d%d%d$") then fail("time must be HHMM") end
  local usage = opts.usage or ic.usage or "T"
  if usage ~= "T" and usage ~= "P" then fail("usage must be T (test) or P (production)") end

  local out, n_in_st = {}, 0
  local function seg(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = parts[i] == nil and "" or tostring(parts[i]) end
    local n = parts.n
    while n > 1 and parts[n] == "" do n = n - 1 end -- no trailing empty elements
    out[#out + 1] = table.concat(parts, E, 1, n) .. T
    n_in_st = n_in_st + 1
  end
  local function c(v, max) return clean(sep, v, max) end
  local function pad(v, width) -- ISA: fixed width, padded with spaces
    local s = c(v, width)
    return s .. (" "):rep(width - #s)
  end

  local sender_id = ic.sender_id or sub.id
  local receiver_id = payer.receiver_id or ic.receiver_id or payer.id
  local isa13 = ("%09d"):format(control)
  local st02 = ("%04d"):format(control % 10000)
  local yymmdd = d8(date):sub(3)
  -- ISA is fixed width: 106 characters with its terminator.
  out[#out + 1] = table.concat({ "ISA", "00", pad("", 10), "00", pad("", 10),
    pad(ic.sender_qualifier or "ZZ", 2), pad(sender_id, 15),
    pad(payer.receiver_qualifier or ic.receiver_qualifier or "ZZ", 2), pad(receiver_id, 15),
    yymmdd, time, sep.repetition, "00501", isa13, "0", usage, C }, E) .. T
  seg("GS", "HC", c(sender_id, 15), c(receiver_id, 15), d8(date), time, control, "X", M.VERSION)
  n_in_st = 0
  seg("ST", "837", st02, M.VERSION)
  seg("BHT", "0019", "00", c(opts.batch_id or ("B" .. control), 30), d8(date), time, "CH")
  -- 1000A submitter, 1000B receiver
  seg("NM1", "41", "2", c(need(sub, "submitter", "name"), 60), "", "", "", "", "46",
      c(need(sub, "submitter", "id"), 80))
  seg("PER", "IC", c(sub.contact or sub.name, 60), "TE", c(need(sub, "submitter", "phone"), 256))
  seg("NM1", "40", "2", c(payer.receiver_name or payer.name, 60), "", "", "", "", "46",
      c(receiver_id, 80))
  -- 2000A billing provider
  seg("HL", "1", "", "20", "1")
  seg("NM1", "85", "2", c(need(bill, "billing_provider", "name"), 60), "", "", "", "", "XX",
      c(need(bill, "billing_provider", "npi"), 80))
  seg("N3", c(need(bill, "billing_provider", "address"), 55))
  seg("N4", c(need(bill, "billing_provider", "city"), 30), c(need(bill, "billing_provider", "state"), 2),
      c(need(bill, "billing_provider", "zip"), 15))
  seg("REF", "EI", c(need(bill, "billing_provider", "tax_id"), 50))

  local hl, n_claims, n_lines, total, skipped = 1, 0, 0, 0, {}
  for _, item in ipairs(items) do
    local claims = item.claims or {}
    local vt = #claims > 0 and as_table(item.visit)
    local s = vt and subscriber(settings, vt)
    local why = vt and claim_problems(sep, vt, s, claims)
    if why and #why > 0 then
      skipped[#skipped + 1] = { id = vt.id, reason = table.concat(why, "; "), item = item }
    elseif vt then
      hl = hl + 1
      n_claims = n_claims + 1
      -- 2000B subscriber (the patient is the subscriber: no 2000C loop)
      seg("HL", hl, "1", "22", "0")
      seg("SBR", "P", "18", "", "", "", "", "", "", c(payer.filing or "CI", 2))
      seg("NM1", "IL", "1", c(s.last, 60), c(s.first, 35), "", "", "", "MI", c(s.member_id, 80))
      seg("N3", c(s.address, 55), c(s.address2, 55))
      seg("N4", c(s.city, 30), c(s.state, 2), c(tostring(s.zip):gsub("[%s-]", ""), 15))
      local sex = c(s.sex, 1)
      seg("DMG", "D8", d8(s.dob), sex:match("^[FMU]$") and sex or "U")
      seg("NM1", "PR", "2", c(payer.name, 60), "", "", "", "", "PI", c(need(payer, "payers." .. payer_id, "id"), 80))
      -- 2300 claim
      local claim_cents = 0
      for _, cl in ipairs(claims) do claim_cents = claim_cents + line_cents(settings, payer_id, cl.cpt, cl.units) end
      total = total + claim_cents
      seg("CLM", c(vt.id, 38), dollars(claim_cents), "", "",
          table.concat({ c(vt.pos or bill.pos or "11", 2), "B", "1" }, C), "Y", "A", "Y", "Y")
      local dx = {}
      for i, code in ipairs(vt.diagnoses or {}) do
        if i > 12 then break end
        dx[i] = table.concat({ i == 1 and "ABK" or "ABF", c(tostring(code):gsub("%.", ""), 30) }, C)
      end
      seg("HI", table.unpack(dx)) -- never empty: claim_problems saw a diagnosis
      -- 2310B rendering provider, when not the billing provider
      local npi = vt.provider and vt.provider.npi
      if npi and npi ~= bill.npi then
        local who = (settings.providers or {})[npi] or {}
        seg("NM1", "82", "1", c(who.last or npi, 60), c(who.first, 35), "", "", "", "XX", c(npi, 80))
      end
      -- 2400 service lines
      for i, cl in ipairs(claims) do
        n_lines = n_lines + 1
        local proc = { "HC", c(cl.cpt, 48) }
        for j = 1, math.min(4, #(cl.modifiers or {})) do proc[#proc + 1] = c(cl.modifiers[j], 2) end
        local ptr = pointers(cl, #dx)
        seg("LX", i)
        seg("SV1", table.concat(proc, C), dollars(line_cents(settings, payer_id, cl.cpt, cl.units)),
            "UN", cl.units, "", "", table.concat(ptr, C))
        seg("DTP", "472", "D8", d8(vt.date))
      end
    end
  end
  local info = { segments = n_in_st + 1, claims = n_claims, lines = n_lines, total_cents = total,
                 control = control, skipped = skipped }
  if n_claims == 0 then return nil, info end
  seg("SE", n_in_st + 1, st02) -- counts ST through SE
  out[#out + 1] = table.concat({ "GE", "1", tostring(control) }, E) .. T
  out[#out + 1] = table.concat({ "IEA", "1", isa13 }, E) .. T
  local text = table.concat(out, settings.line_breaks and "\n" or "")
  if settings.line_breaks then text = text .. "\n" end
  return text, info
end

-- Splits an 837 text back into segments of elements, finding the
-- separators in the ISA header (element at byte 4, component at 105,
-- segment terminator at 106). Returns a list of {id, e1, e2, ...} or nil, msg.
function M.parse(text)
  if #text < 106 or text:sub(1, 3) ~= "ISA" then return nil, "not an X12 interchange (no ISA)" end
  local E, C, T = text:sub(4, 4), text:sub(105, 105), text:sub(106, 106)
  local segs = {}
  for raw in text:gmatch("([^" .. T:gsub("%p", "%%%0") .. "]+)") do
    raw = raw:gsub("^[\r\n]+", "")
    if raw ~= "" then
      local s = {}
      for el in (raw .. E):gmatch("(.-)" .. E:gsub("%p", "%%%0")) do s[#s + 1] = el end
      segs[#segs + 1] = s
    end
  end
  return segs, { element = E, component = C, segment = T }
end

return M
