-- The day's batch: reads visits as NDJSON (from the EMR's feed), checks
-- each against its payer, groups the clean ones by payer and writes, per
-- payer, an 837P and a CMS-1500-shaped CSV into OUTDIR/DATE/, with the
-- findings of every visit in findings.ndjson beside them. A visit the 837P
-- cannot carry (no diagnosis, no date of birth or address for the
-- subscriber) is held back like one with an error finding, and listed.
--   eightmin run plugins/examples/daily-batch.lua VISITS.ndjson OUTDIR [SETTINGS.lua]
-- Control numbers go on from OUTDIR/control (one number, kept between runs).
-- Exit code: 0 every visit billed, 1 some held back or skipped, 2 usage.
local em = require "eightmin"
local x12 = require "eightmin.x12"
local cms1500 = require "eightmin.cms1500"

local USAGE = "usage: eightmin run daily-batch.lua VISITS.ndjson OUTDIR [SETTINGS.lua]\n"
local here = arg[0]:match("^(.*)/") or "."
local input, outdir = arg[1], arg[2]
if not input or not outdir then io.stderr:write(USAGE); return 2 end
local settings = dofile(arg[3] or (here .. "/clinic-settings.lua"))
local epoch = tonumber(os.getenv("SOURCE_DATE_EPOCH") or "")
local today = os.date("!%Y-%m-%d", epoch)
local hhmm = os.date("!%H%M", epoch)

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then error(err, 0) end
  assert(f:write(text))
  assert(f:close())
end

local function read_control()
  local f = io.open(outdir .. "/control", "r")
  local n = f and tonumber(f:read("l") or "") or 0
  if f then f:close() end
  return math.tointeger(n) or 0
end

local day = outdir .. "/" .. today
os.execute("mkdir -p " .. shell_quote(day))
local findings_file = assert(io.open(day .. "/findings.ndjson", "wb"))

local payers, batches, order, reasons = {}, {}, {}, {}
local billed, held, bad = 0, 0, 0
for visit, err in em.read(input) do
  if not visit then
    bad = bad + 1
    io.stderr:write(err, "\n")
  else
    local pid = visit.payer or "medicare"
    if payers[pid] == nil then payers[pid] = em.load_payer(pid) or false end
    local payer = payers[pid]
    local result = payer and (settings.payers or {})[pid] and em.check(visit, payer)
    if not result then
      held = held + 1
      io.stderr:write(("%s: payer %s is unknown or not in the clinic settings\n"):format(visit.id, pid))
    else
      local errors = 0
      for _, f in ipairs(result.findings) do
        em.write_finding(f, findings_file)
        if f.severity == "error" then errors = errors + 1 end
      end
      -- what the 837P cannot carry (no diagnosis, date of birth, address)
      local why = x12.problems(settings, { visit = visit, claims = result.claims })
      if #why > 0 then reasons[#reasons + 1] = ("%s: %s"):format(visit.id, table.concat(why, "; ")) end
      if errors > 0 or #why > 0 then
        held = held + 1
      else
        billed = billed + 1
        if not batches[pid] then batches[pid] = {}; order[#order + 1] = pid end
        local b = batches[pid]
        b[#b + 1] = { visit = visit, payer = pid, claims = result.claims }
      end
    end
  end
end
findings_file:close()

local control = read_control()
table.sort(order)
for _, pid in ipairs(order) do
  control = control % 999999999 + 1
  local text, info = x12.build(settings, pid, batches[pid],
                               { control = control, date = today, time = hhmm })
  write_file(("%s/%s.837p"):format(day, pid), text)
  write_file(("%s/%s-cms1500.csv"):format(day, pid), (cms1500.csv(settings, batches[pid])))
  io.write(("%s: %d claims, %d lines, $%s, control %d\n"):format(pid, info.claims, info.lines,
    x12.dollars(info.total_cents), control))
end
write_file(outdir .. "/control", control .. "\n")
for _, r in ipairs(reasons) do io.write("held back: ", r, "\n") end
io.write(("%s: %d visits billed, %d held back, %d bad records skipped -> %s\n"):format(
  today, billed, held, bad, day))
return (held > 0 or bad > 0) and 1 or 0
