-- eightmin.report: the results of `check` for a person (text) or for a
-- machine (NDJSON through the core's writers).
local core = require "eightmin.core"

local M = {}

local ORDER = { error = 1, warning = 2, info = 3 }

-- Findings errors first, then warnings, then info; stable within each.
function M.sorted_findings(findings)
  local list = {}
  for i, f in ipairs(findings) do list[i] = { f = f, i = i } end
  table.sort(list, function(a, b)
    if a.f.severity ~= b.f.severity then return ORDER[a.f.severity] < ORDER[b.f.severity] end
    return a.i < b.i
  end)
  for i, e in ipairs(list) do list[i] = e.f end
  return list
end

-- A text report of one checked visit.
function M.text_visit(out, r)
  local v = r.visit
  out:write(("%s  %s  %s%s\n"):format(v.id, v.date, r.payer and r.payer.id or "?",
    r.payer and ("  (" .. r.payer.name .. ")") or ""))
  if r.units then
    out:write(("  %d timed minute%s -> %d timed unit%s (%s)\n"):format(
      r.units.timed_minutes, r.units.timed_minutes == 1 and "" or "s",
      r.units.timed_units, r.units.timed_units == 1 and "" or "s", r.units.method))
  end
  if #r.claims == 0 then out:write("  no claim lines\n") end
  for _, c in ipairs(r.claims) do
    local dx = {}
    for i, d in ipairs(c.dx_pointers) do dx[i] = tostring(d) end
    out:write(("  claim  %-6s x%-2d %-14s dx %s\n"):format(c.cpt, c.units,
      table.concat(c.modifiers, " "), #dx > 0 and table.concat(dx, ",") or "-"))
  end
  for _, f in ipairs(M.sorted_findings(r.findings)) do
    local where = f.line > 0 and ("line " .. f.line) or "visit"
    out:write(("  %-7s  %-7s %s: %s\n"):format(f.severity, where, f.rule, f.message))
    if f.cite then out:write(("                   see %s\n"):format(f.cite)) end
  end
  out:write("\n")
end

-- NDJSON: the visit's claim lines, then its findings.
function M.ndjson_visit(out, r)
  for _, c in ipairs(r.claims) do
    core.write_claim({ visit = c.visit, cpt = c.cpt, units = c.units, modifiers = c.modifiers,
                       dx_pointers = c.dx_pointers }, out)
  end
  for _, f in ipairs(r.findings) do core.write_finding(f, out) end
end

-- The closing summary (text format, and stderr for ndjson).
function M.summary(out, totals)
  local parts = {}
  for _, sev in ipairs({ "error", "warning", "info" }) do
    local n = totals[sev] or 0
    parts[#parts + 1] = ("%d %s%s"):format(n, sev, n == 1 and "" or "s")
  end
  out:write(("%d visit%s checked, %d bad record%s skipped; findings: %s\n"):format(
    totals.visits, totals.visits == 1 and "" or "s", totals.bad,
    totals.bad == 1 and "" or "s", table.concat(parts, ", ")))
end

return M
