-- eightmin.cms1500: claim lines as a CSV shaped like the CMS-1500 form,
-- one row per service line (box 24), for people and for systems that take
-- a spreadsheet:
--   local cms1500 = require "eightmin.cms1500"
--   local text = cms1500.csv(settings, { {visit = v, payer = "medicare", claims = result.claims}, ... })
-- Diagnosis pointers are letters A-L (box 21's order), charges dollars from
-- whole cents, quoting per RFC 4180.
local x12 = require "eightmin.x12"

local M = {}

M.COLUMNS = {
  "claim_id", "payer", "patient_id", "patient_dob", "date_of_service", "pos", "cpt",
  "modifier_1", "modifier_2", "modifier_3", "modifier_4", "dx_pointer", "diagnoses",
  "units", "charges", "rendering_npi",
}

-- One CSV field: quoted when it holds a comma, a quote, a line break or
-- space at either end; quotes doubled. Text that a spreadsheet would run as
-- a formula (first character =, +, -, @, tab or CR) gets a leading ' so it
-- stays text (OWASP CSV injection). Numbers are ours (units) and pass as
-- they are; ids, codes, modifiers and dates come from the EMR and are text.
local function field(v)
  local s = v == nil and "" or tostring(v)
  if type(v) ~= "number" and s:find("^[=+%-@\t\r]") then s = "'" .. s end
  if s:find('[,"\r\n]') or s:find("^%s") or s:find("%s$") then
    s = '"' .. s:gsub('"', '""') .. '"'
  end
  return s
end
M.field = field

local function row(values)
  local out = {}
  for i = 1, #M.COLUMNS do out[i] = field(values[M.COLUMNS[i]]) end
  return table.concat(out, ",") .. "\r\n"
end

local LETTERS = "ABCDEFGHIJKL"

-- items: {visit, payer, claims} each (visit a view or a table). Returns the
-- CSV text (header row first, CRLF line ends) and the number of rows.
function M.csv(settings, items)
  settings = settings or {}
  local out = { row(setmetatable({}, { __index = function(_, k) return k end })) }
  local n = 0
  for _, item in ipairs(items) do
    local vt = type(item.visit) == "userdata" and item.visit:totable() or item.visit
    local dx = {}
    for i, code in ipairs(vt.diagnoses or {}) do
      if i <= 12 then dx[i] = LETTERS:sub(i, i) .. "=" .. code end
    end
    for _, cl in ipairs(item.claims or {}) do
      local ptr = {}
      for j = 1, math.min(4, #(cl.dx_pointers or {})) do
        local p = cl.dx_pointers[j]
        if p >= 1 and p <= 12 then ptr[#ptr + 1] = LETTERS:sub(p, p) end
      end
      local mods = cl.modifiers or {}
      n = n + 1
      out[#out + 1] = row({
        claim_id = vt.id, payer = item.payer or vt.payer,
        patient_id = vt.patient and vt.patient.id, patient_dob = vt.patient and vt.patient.dob,
        date_of_service = vt.date, pos = vt.pos,
        cpt = cl.cpt, modifier_1 = mods[1], modifier_2 = mods[2], modifier_3 = mods[3],
        modifier_4 = mods[4], dx_pointer = table.concat(ptr), diagnoses = table.concat(dx, ";"),
        units = cl.units,
        charges = x12.dollars(x12.line_cents(settings, item.payer or vt.payer, cl.cpt, cl.units)),
        rendering_npi = vt.provider and vt.provider.npi,
      })
    end
  end
  return table.concat(out), n
end

return M
