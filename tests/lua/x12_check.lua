-- Reads an 837P back and checks its envelopes, counts, control numbers and
-- loops; prints one summary line, or the first fault and exits 1.
--   eightmin run tests/lua/x12_check.lua FILE.x12      check a file
--   eightmin run tests/lua/x12_check.lua --self        build odd batches, check them
local x12 = require "eightmin.x12"
local cms1500 = require "eightmin.cms1500"

local function cents(s)
  local d, c = s:match("^(%d+)%.(%d%d)$")
  if not d then d, c = s:match("^(%d+)$"), "00" end
  assert(d, "not an amount: " .. tostring(s))
  return tonumber(d) * 100 + tonumber(c)
end

-- Walks the segments; raises "segment N (ID): what" at the first fault.
local function check(text)
  assert(#text >= 106, "shorter than an ISA")
  local segs, sep = assert(x12.parse(text))
  local i = 1
  local function at(msg, ...)
    local s = segs[i]
    error(("segment %d (%s): " .. msg):format(i, s and s[1] or "end", ...), 0)
  end
  local function peek(id, e1) local s = segs[i]; return s and s[1] == id and (e1 == nil or s[2] == e1) end
  local function take(id, e1)
    if not peek(id, e1) then at("expected %s%s", id, e1 and ("*" .. e1) or "") end
    i = i + 1
    return segs[i - 1]
  end
  local isa = take("ISA")
  if #isa ~= 17 then at("ISA has %d elements, wanted 16", #isa - 1) end
  local widths = { 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1 }
  for k, w in ipairs(widths) do
    if #isa[k + 1] ~= w then error(("ISA%02d is %d wide, wanted %d"):format(k, #isa[k + 1], w), 0) end
  end
  if isa[17] ~= sep.component then error("ISA16 is not the component separator", 0) end
  local n_gs, info = 0, { claims = 0, lines = 0, cents = 0, segments = 0, st = 0 }
  while peek("GS") do
    local gs = take("GS")
    n_gs = n_gs + 1
    if gs[9] ~= "005010X222A1" then at("GS08 is %s", gs[9]) end
    local n_st = 0
    while peek("ST") do
      local st_at = i
      local st = take("ST", "837")
      n_st = n_st + 1
      info.st = info.st + 1
      take("BHT", "0019")
      take("NM1", "41"); take("PER", "IC"); take("NM1", "40")
      local hl = take("HL")
      if hl[2] ~= "1" or hl[4] ~= "20" then at("2000A HL must be 1 with level 20") end
      local bp = take("NM1", "85")
      if bp[9] ~= "XX" or not bp[10]:match("^%d%d%d%d%d%d%d%d%d%d$") then at("2010AA needs an NPI") end
      take("N3"); take("N4"); take("REF", "EI")
      local next_hl = 2
      while peek("HL") do
        local h = take("HL")
        if tonumber(h[2]) ~= next_hl or h[3] ~= "1" or h[4] ~= "22" then
          at("subscriber HL must be %d under 1 at level 22", next_hl)
        end
        next_hl = next_hl + 1
        take("SBR", "P"); take("NM1", "IL")
        -- the patient is the subscriber: 2010BA needs the address and DMG
        local n3 = take("N3")
        if (n3[2] or "") == "" then at("N301 (address) is empty") end
        local n4 = take("N4")
        if (n4[2] or "") == "" or (n4[3] or "") == "" or (n4[4] or "") == "" then
          at("N4 needs city, state and zip")
        end
        local dmg = take("DMG", "D8")
        if not (dmg[3] or ""):match("^%d%d%d%d%d%d%d%d$") then at("DMG02 is not a date") end
        take("NM1", "PR")
        local clm = take("CLM")
        info.claims = info.claims + 1
        local hi = take("HI") -- required: a claim has a diagnosis
        local n_dx = #hi - 1
        for k = 2, #hi do
          local q = hi[k]:match("^(%u+)" .. sep.component:gsub("%p", "%%%0"))
          if q ~= (k == 2 and "ABK" or "ABF") then at("HI%02d qualifier %s", k - 1, tostring(q)) end
        end
        if peek("NM1", "82") then take("NM1", "82") end
        local lx, sum = 0, 0
        while peek("LX") do
          local l = take("LX")
          lx = lx + 1
          if tonumber(l[2]) ~= lx then at("LX must be %d", lx) end
          local sv = take("SV1")
          if not sv[2]:match("^HC" .. sep.component:gsub("%p", "%%%0")) then at("SV101 must start HC") end
          if sv[4] ~= "UN" or not sv[5]:match("^%d+$") then at("SV1 must give UN units") end
          if (sv[8] or "") == "" then at("SV107 (diagnosis pointer) is empty") end
          for p in sv[8]:gmatch("[^" .. sep.component:gsub("%p", "%%%0") .. "]+") do
            if tonumber(p) < 1 or tonumber(p) > n_dx then at("pointer %s past the HI codes", p) end
          end
          sum = sum + cents(sv[3])
          take("DTP", "472")
          info.lines = info.lines + 1
        end
        if lx == 0 then at("a claim without service lines") end
        if cents(clm[3]) ~= sum then at("CLM02 %s is not the lines' sum %s", clm[3], x12.dollars(sum)) end
        info.cents = info.cents + sum
      end
      local se = take("SE")
      local count = i - st_at
      if tonumber(se[2]) ~= count then at("SE01 is %s, the transaction has %d segments", se[2], count) end
      if se[3] ~= st[3] then at("SE02 %s differs from ST02 %s", se[3], st[3]) end
      info.segments = info.segments + count
    end
    local ge = take("GE")
    if tonumber(ge[2]) ~= n_st then at("GE01 is %s, the group has %d transactions", ge[2], n_st) end
    if ge[3] ~= gs[7] then at("GE02 %s differs from GS06 %s", ge[3], gs[7]) end
  end
  local iea = take("IEA")
  if tonumber(iea[2]) ~= n_gs then at("IEA01 is %s, the interchange has %d groups", iea[2], n_gs) end
  if iea[3] ~= isa[14] then at("IEA02 %s differs from ISA13 %s", iea[3], isa[14]) end
  if segs[i] then at("data after IEA") end
  info.groups = n_gs
  return info
end

local function summary(info)
  return ("ok: %d group, %d transaction, %d claims, %d lines, %d segments, $%s"):format(
    info.groups, info.st, info.claims, info.lines, info.segments, x12.dollars(info.cents))
end

local SETTINGS = {
  submitter = { name = "Clinic*With:Seps~", id = "SUB1", phone = "5555550100" },
  billing_provider = { name = "Clinic, LLC", npi = "1234567893", tax_id = "123456789",
                       address = "1 Main St", city = "Town", state = "IL", zip = "62701" },
  payers = { p = { name = "Payer", id = "P1" } },
  fees = { ["97110"] = 4550 },
}

local function self_test()
  local visit = { id = "V1", date = "2026-03-04", pos = "11", patient = { id = "P1", dob = "1950-01-01" },
                  provider = { npi = "1234567893" }, diagnoses = { "R26.81", "M62.81" },
                  subscriber = { address = "9 Side St", city = "Town", state = "IL", zip = "62701-0001",
                                 sex = "F" } }
  local claims = { { cpt = "97110", units = 2, modifiers = { "GP", "59" }, dx_pointers = { 1, 2 } },
                   { cpt = "97010", units = 1, modifiers = {}, dx_pointers = { 2 } } }
  local items = { { visit = visit, claims = claims }, { visit = visit, claims = {} } }
  -- default and custom separators, with separators inside the data
  for _, seps in ipairs({ {}, { segment = "\n", element = "|", component = ">", repetition = "}" } }) do
    SETTINGS.separators = seps
    local text, built = x12.build(SETTINGS, "p", items, { control = 123456789, date = "2026-03-06",
                                                         time = "0930" })
    local info = check(text)
    assert(info.claims == 1 and info.lines == 2 and info.cents == 9100, summary(info))
    assert(built.segments == info.segments, "build and check disagree on the segment count")
    assert(text:find(seps.element and "CLINIC*WITH:SEPS~" or "CLINIC WITH SEPS", 1, true),
           "separators in data must become spaces, other characters stay")
    local segs = x12.parse(text)
    assert(segs[1][14] == "123456789" and segs[#segs][3] == "123456789", "ISA13 and IEA02")
    assert(not seps.element or text:find("\nGS|HC|SUB1|", 1, true), "custom separators are used")
    local E = seps.element or "*"
    assert(text:find("N3" .. E .. "9 SIDE ST", 1, true) and text:find("N4" .. E .. "TOWN" .. E .. "IL" .. E
           .. "627010001", 1, true) and text:find("DMG" .. E .. "D8" .. E .. "19500101" .. E .. "F", 1, true),
           "2010BA has the subscriber's N3, N4 and DMG")
    assert(#built.skipped == 0)
  end
  SETTINGS.separators = nil
  -- a claim the 837P cannot carry is left out, with its reason
  local function copy(t, over)
    local u = {}
    for k, v in pairs(t) do u[k] = v end
    for k, v in pairs(over) do u[k] = v end
    return u
  end
  local function skip_reason(v, cls)
    local batch = { { visit = visit, claims = claims }, { visit = v, claims = cls or claims } }
    local t, info = x12.build(SETTINGS, "p", batch, { control = 5, date = "2026-03-06", time = "0930" })
    local got = check(t)
    assert(got.claims == 1 and info.claims == 1 and got.segments == info.segments, summary(got))
    assert(#info.skipped == 1 and info.skipped[1].id == v.id and info.skipped[1].item.visit == v,
           "one skipped claim")
    local why = x12.problems(SETTINGS, { visit = v, claims = cls or claims })
    assert(table.concat(why, "; ") == info.skipped[1].reason, "problems and build agree")
    return info.skipped[1].reason
  end
  local r = skip_reason(copy(visit, { id = "V2", diagnoses = {} }))
  assert(r == "no diagnosis: the 837P needs HI and SV107", r)
  r = skip_reason(copy(visit, { id = "V3", patient = { id = "P3" } }))
  assert(r == "no date of birth: 2010BA needs DMG when the patient is the subscriber", r)
  r = skip_reason(copy(visit, { id = "V3", subscriber = copy(visit.subscriber, { dob = "3/1/50" }) }))
  assert(r == 'date of birth "3/1/50" is not YYYY-MM-DD: 2010BA needs DMG', r)
  r = skip_reason(copy(visit, { id = "V4", subscriber = false }))
  assert(r == "no subscriber address: 2010BA needs N3 and N4 when the patient is the subscriber"
         .. " (the visit's subscriber object or settings.subscriber(visit))", r)
  r = skip_reason(copy(visit, { id = "V5", subscriber = { address = "1 A St", state = "IL", city = " ", zip = {} } }))
  assert(r == "subscriber address lacks city, zip: 2010BA needs N3 and N4", r)
  r = skip_reason(copy(visit, { id = "V6", diagnoses = { "R26.81" } }),
                  { { cpt = "97110", units = 1, dx_pointers = { 2 } },
                    { cpt = "97010", units = 1, dx_pointers = { 1 } } })
  assert(r == "line 1 (97110) points at no diagnosis: the 837P needs SV107", r)
  r = skip_reason(copy(visit, { id = "V7", diagnoses = {}, patient = { id = "P7" }, subscriber = false }))
  assert(r == "no diagnosis: the 837P needs HI and SV107; no date of birth: 2010BA needs DMG when the patient"
         .. " is the subscriber; no subscriber address: 2010BA needs N3 and N4 when the patient is the"
         .. " subscriber (the visit's subscriber object or settings.subscriber(visit))", r)
  assert(#x12.problems(SETTINGS, { visit = visit, claims = claims }) == 0, "a good visit has no problems")
  -- the date of birth and the address from the settings, when the visit has none
  SETTINGS.subscriber = function(v)
    return v.patient.id == "P8" and { address = "5 Far Rd", city = "Ville", state = "WI", zip = "53703",
                                      dob = "1961-02-03", last = "Doe", first = "Jo", member_id = "M8" } or nil
  end
  local v8 = copy(visit, { id = "V8", patient = { id = "P8" }, subscriber = false })
  local t8, i8 = x12.build(SETTINGS, "p", { { visit = v8, claims = claims } }, { control = 8 })
  assert(#i8.skipped == 0 and check(t8).claims == 1)
  assert(t8:find("NM1*IL*1*DOE*JO****MI*M8~N3*5 FAR RD~N4*VILLE*WI*53703~DMG*D8*19610203*U~", 1, true), t8)
  SETTINGS.subscriber = nil
  -- nothing left to send: no 837P
  local none, ninfo = x12.build(SETTINGS, "p", { { visit = copy(visit, { diagnoses = {} }), claims = claims } })
  assert(none == nil and ninfo.claims == 0 and #ninfo.skipped == 1, "an 837P without a claim")
  SETTINGS.separators = nil
  -- bad settings raise with a reason
  local ok, err = pcall(x12.build, SETTINGS, "q", items)
  assert(not ok and err:find('payers%["q"%] is missing'), err)
  SETTINGS.separators = { element = "*", component = "*" }
  ok, err = pcall(x12.build, SETTINGS, "p", items)
  assert(not ok and err:find("are both"), err)
  SETTINGS.separators = nil
  ok, err = pcall(x12.build, SETTINGS, "p", items, { control = 0 })
  assert(not ok and err:find("control number"), err)
  -- a broken count is caught
  local text = x12.build(SETTINGS, "p", items, { control = 7, date = "2026-03-06", time = "0930" })
  ok, err = pcall(check, (text:gsub("SE%*%d+", "SE*99")))
  assert(not ok and err:find("SE01 is 99"), err)
  ok, err = pcall(check, (text:gsub("IEA%*1%*000000007", "IEA*1*000000008")))
  assert(not ok and err:find("differs from ISA13"), err)
  -- CMS-1500 CSV quoting
  assert(cms1500.field('a "b", c') == '"a ""b"", c"')
  assert(cms1500.field("two\nlines") == '"two\nlines"')
  assert(cms1500.field(" pad") == '" pad"' and cms1500.field("plain") == "plain")
  -- CSV injection: text a spreadsheet would run as a formula starts with '
  for v, want in pairs({ ["=1+1"] = "'=1+1", ["+1"] = "'+1", ["-2+3"] = "'-2+3", ["@SUM(A1)"] = "'@SUM(A1)",
                         ["\tx"] = "'\tx", ["\r=x"] = "\"'\r=x\"", ["a=b"] = "a=b", ["1-2"] = "1-2",
                         ['=HYPERLINK("h","x")'] = '"\'=HYPERLINK(""h"",""x"")"', ["'"] = "'" }) do
    assert(cms1500.field(v) == want, ("field(%q) is %q, wanted %q"):format(v, cms1500.field(v), want))
  end
  assert(cms1500.field(-5) == "-5" and cms1500.field(2) == "2", "numbers we write pass as they are")
  local evil = { id = "=cmd|' /C calc'!A0", date = "2026-03-04", pos = "@11", payer = "p",
                 patient = { id = "+P1", dob = "1950-01-01" }, provider = { npi = "-1" }, diagnoses = { "=X" } }
  local ecsv = cms1500.csv(SETTINGS, { { visit = evil, payer = "p",
    claims = { { cpt = "\t97110", units = 2, modifiers = { "-GP", "@5" }, dx_pointers = { 1 } } } } })
  local erow = "'=cmd|' /C calc'!A0,p,'+P1,1950-01-01,2026-03-04,'@11,'\t97110,'-GP,'@5,,,A,A==X,2,0.00,'-1\r\n"
  assert(ecsv:find(erow, 1, true), ecsv)
  local csv, rows = cms1500.csv(SETTINGS, { { visit = visit, payer = "p", claims = claims } })
  assert(rows == 2)
  local want = "V1,p,P1,1950-01-01,2026-03-04,11,97110,GP,59,,,AB,A=R26.81;B=M62.81,2,91.00,1234567893\r\n"
  assert(csv:find(want, 1, true), csv)
  io.write("ok: self test\n")
end

if arg[1] == "--self" then
  self_test()
  return 0
end
local f = assert(io.open(assert(arg[1], "usage: x12_check.lua FILE.x12 | --self"), "rb"))
local text = f:read("a")
f:close()
local ok, info = pcall(check, text)
if not ok then
  io.stderr:write(arg[1], ": ", info, "\n")
  return 1
end
io.write(summary(info), "\n")
return 0
