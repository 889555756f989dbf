-- CSV in, 837P out: reads an EMR's CSV export through the clinic's column
-- mapping, checks each visit against its own payer, and writes one 837P
-- file per payer and one CMS-1500-shaped CSV of every billed line.
--   eightmin run plugins/examples/csv-to-837p.lua VISITS.csv OUTDIR [SETTINGS.lua]
-- A visit with an error finding, or one the 837P cannot carry (no diagnosis,
-- no date of birth or address for the subscriber), is held back (not
-- billed) and listed; a bad row is reported with its line and column and
-- skips only its visit.
-- Exit code: 0 all billed, 1 something was held back or skipped, 2 usage.
-- SOURCE_DATE_EPOCH (seconds) fixes the date in the 837P headers.
local em = require "eightmin"
local csv = require "eightmin.csv"
local x12 = require "eightmin.x12"
local cms1500 = require "eightmin.cms1500"

local USAGE = "usage: eightmin run csv-to-837p.lua VISITS.csv OUTDIR [SETTINGS.lua]\n"
local here = arg[0]:match("^(.*)/") or "."
local input, outdir = arg[1], arg[2]
if not input or not outdir then io.stderr:write(USAGE); return 2 end
local settings = dofile(arg[3] or (here .. "/clinic-settings.lua"))

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then error(err, 0) end
  assert(f:write(text))
  assert(f:close())
end

local function mkdir(path)
  os.execute("mkdir -p '" .. path:gsub("'", "'\\''") .. "'")
end

local epoch = tonumber(os.getenv("SOURCE_DATE_EPOCH") or "")
local now = epoch and { date = os.date("!%Y-%m-%d", epoch), time = os.date("!%H%M", epoch) } or {}

local payers, batches, order, held, bad = {}, {}, {}, {}, 0
for visit, err in csv.read(input, settings.csv) do
  if not visit then
    bad = bad + 1
    io.stderr:write(err, "\n")
  else
    local pid = visit.payer or "medicare"
    local payer, perr = payers[pid]
    if payer == nil then
      payer, perr = em.load_payer(pid)
      payers[pid] = payer or false
    end
    if not payer then
      held[#held + 1] = ("%s: payer %s: %s"):format(visit.id, pid, perr or "could not be loaded")
    elseif not (settings.payers or {})[pid] then
      held[#held + 1] = ("%s: payer %s is not in the clinic settings"):format(visit.id, pid)
    else
      local result = assert(em.check(visit, payer))
      local errors = {}
      for _, f in ipairs(result.findings) do
        if f.severity == "error" then
          errors[#errors + 1] = ("line %d %s: %s"):format(f.line, f.rule, f.message)
        end
      end
      -- what the 837P cannot carry (no diagnosis, date of birth, address)
      for _, why in ipairs(x12.problems(settings, { visit = visit, claims = result.claims })) do
        errors[#errors + 1] = why
      end
      if #errors > 0 then
        held[#held + 1] = ("%s: %s"):format(visit.id, table.concat(errors, "; "))
      else
        if not batches[pid] then batches[pid] = {}; order[#order + 1] = pid end
        local b = batches[pid]
        b[#b + 1] = { visit = visit, payer = pid, claims = result.claims }
      end
    end
  end
end

mkdir(outdir)
local all = {}
for i, pid in ipairs(order) do
  local text, info = x12.build(settings, pid, batches[pid],
                               { control = i, date = now.date, time = now.time })
  local path = ("%s/837p-%s.x12"):format(outdir, pid)
  write_file(path, text)
  io.write(("%s: %d claims, %d lines, $%s -> %s\n"):format(pid, info.claims, info.lines,
    x12.dollars(info.total_cents), path))
  for _, item in ipairs(batches[pid]) do all[#all + 1] = item end
end
local table_text, rows = cms1500.csv(settings, all)
write_file(outdir .. "/cms1500.csv", table_text)
io.write(("cms1500.csv: %d lines\n"):format(rows))
for _, h in ipairs(held) do io.write("held back: ", h, "\n") end
io.write(("%d visits billed, %d held back, %d bad records skipped\n"):format(#all, #held, bad))
return (#held > 0 or bad > 0) and 1 or 0
