-- eightmin.html: a day's check results as one self-contained HTML page:
-- per visit the claim lines and the findings with how to fix them, totals
-- by rule and by payer, and a severity filter. No network references
-- (inline CSS and JS only, and a Content-Security-Policy that forbids
-- loading anything); every piece of visit data is escaped.
--   html.render(results, opts) -> text
-- results: a list of check results ({visit, payer, claims, findings,
-- units}); opts.title, opts.bad (bad records skipped), opts.generated
-- (a timestamp to print; none by default, so the page is reproducible).
local hash = require "eightmin.hash"
local report = require "eightmin.report"

local M = {}

local SEVERITIES = { "error", "warning", "info" }

local ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
                  ["'"] = "&#39;" }

-- Text for HTML content and quoted attribute values.
local function esc(s)
  if s == nil then return "" end
  return (tostring(s):gsub("[&<>\"']", ESCAPES))
end
M.escape = esc

local function plural(n, word)
  return ("%d %s%s"):format(n, word, (n == 1 or word == "info") and "" or "s")
end

-- ---- how to fix a finding ----

-- Verbs that start an instruction at the end of a rule's message ("...;
-- bill 2"): that clause is the fix.
local IMPERATIVE = {
  add = true, attach = true, bill = true, check = true, correct = true, document = true,
  drop = true, get = true, record = true, remove = true, send = true, sign = true,
  split = true, use = true, write = true, ask = true, obtain = true, update = true,
}

-- Advice by words in the rule id, for messages that carry no instruction.
local ADVICE = {
  { "aborted", "A payer or clinic script failed on this visit; the visit itself may be fine. "
    .. "Tell whoever maintains the script, then check the visit again." },
  { "no%-payer", "Put the payer in the visit's \"payer\" field, or check with --payer NAME." },
  { "payer%-dates", "Check the visit with the payer script that covers its date of service." },
  { "eightmin%.payer$", "Install the payer script, or fix the visit's \"payer\" field." },
  { "unknown%-code", "Check the code; bill its units by hand if it is right." },
  { "units", "Bill the units the minutes earn, or correct the minutes if the note says "
    .. "otherwise." },
  { "minutes", "Record the minutes (or the start and end times) from the treatment note." },
  { "overlap", "Correct the start and end times so that timed services do not overlap." },
  { "telehealth", "Bill the visit in person, or with the telehealth place of service and "
    .. "modifiers the payer covers." },
  { "modifier", "Correct the modifiers on the claim line." },
  { "assistant", "Check who furnished the minutes and the assistant modifier (CQ/CO)." },
  { "discipline", "Use the modifier of the discipline that furnished the service." },
  { "note", "Complete the treatment note before the claim goes out." },
  { "document", "Complete the documentation before the claim goes out." },
  { "progress", "Write the progress report before billing further visits." },
  { "plan%-of%-care", "Get the plan of care signed or recertified." },
  { "cert", "Get the plan of care signed or recertified." },
}

-- A short "how to fix" for finding f: f.fix when a script gave one, the
-- instruction at the end of the message, or advice by rule.
function M.fix(f)
  if type(f.fix) == "string" and f.fix ~= "" then return f.fix end
  local msg = f.message or ""
  local last = msg:match(".*;%s*(.-)%s*$")
  if last then
    local verb = last:match("^(%a+)")
    local units = last:match("^bill (%d+)$")
    if units then
      return ("Bill %s unit%s for this code."):format(units, units == "1" and "" or "s")
    end
    if verb and IMPERATIVE[verb:lower()] then
      return (last:gsub("^%l", string.upper)) .. (last:match("[.!?)]$") and "" or ".")
    end
  end
  local rule = f.rule or ""
  if msg:find(" aborted: ", 1, true) then rule = "aborted" end
  for _, a in ipairs(ADVICE) do
    if rule:find(a[1]) then
      return f.severity == "info" and ("Optional: " .. a[2]) or a[2]
    end
  end
  if f.severity == "info" then return "Nothing to change; this is for your information." end
  return "Correct the visit record or the claim line as the message says, then check again."
end

-- ---- totals ----

local function totals(results)
  local t = { visits = #results, claims = 0, units = 0, by_rule = {}, rules = {},
              by_payer = {}, payers = {}, error = 0, warning = 0, info = 0 }
  for _, r in ipairs(results) do
    local pid = r.payer and r.payer.id or (r.visit.payer or "(none)")
    local p = t.by_payer[pid]
    if not p then
      p = { id = pid, name = r.payer and r.payer.name, visits = 0, claims = 0, units = 0,
            error = 0, warning = 0, info = 0 }
      t.by_payer[pid] = p
      t.payers[#t.payers + 1] = p
    end
    p.visits = p.visits + 1
    for _, c in ipairs(r.claims) do
      p.claims, p.units = p.claims + 1, p.units + c.units
      t.claims, t.units = t.claims + 1, t.units + c.units
    end
    for _, f in ipairs(r.findings) do
      local e = t.by_rule[f.rule]
      if not e then
        e = { rule = f.rule, error = 0, warning = 0, info = 0, total = 0, cite = f.cite }
        t.by_rule[f.rule] = e
        t.rules[#t.rules + 1] = e
      end
      e[f.severity] = e[f.severity] + 1
      e.total = e.total + 1
      p[f.severity] = p[f.severity] + 1
      t[f.severity] = t[f.severity] + 1
    end
  end
  table.sort(t.rules, function(a, b)
    if a.error ~= b.error then return a.error > b.error end
    if a.total ~= b.total then return a.total > b.total end
    return a.rule < b.rule
  end)
  table.sort(t.payers, function(a, b) return a.id < b.id end)
  return t
end

-- ---- the page ----

local CSS = [[
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;
--err:#b3261e;--errbg:#fdecea;--warn:#8a5a00;--warnbg:#fff4d6;--info:#0b5cad;--infobg:#e8f1fb}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg);-webkit-text-size-adjust:100%}
.wrap{max-width:960px;margin:0 auto;padding:12px}
h1{font-size:1.35rem;margin:.2em 0}
h2{font-size:1.1rem;margin:0 0 .3em;overflow-wrap:anywhere}
h3{font-size:1rem;margin:1em 0 .4em}
.meta,.muted{color:var(--muted);font-size:.9rem}
.summary{display:flex;flex-wrap:wrap;gap:6px;margin:.5em 0;padding:0;list-style:none}
.summary li{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:2px 8px}
.filter{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;position:sticky;top:0;z-index:1;
background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;margin-bottom:8px}
.filter label{display:inline-flex;align-items:center;gap:5px;min-height:32px;cursor:pointer}
.filter input{width:20px;height:20px;margin:0}
.visit{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:8px;
padding:10px 12px;margin:10px 0;break-inside:avoid}
.visit.has-error{border-left-color:var(--err)}
.visit.has-warning:not(.has-error){border-left-color:#d4a72c}
.visit.clean{border-left-color:#2da44e}
.badge{display:inline-block;font-size:.75rem;font-weight:600;border-radius:10px;padding:0 7px;
margin-left:4px;vertical-align:middle}
.b-error{background:var(--errbg);color:var(--err)}.b-warning{background:var(--warnbg);color:var(--warn)}
.b-info{background:var(--infobg);color:var(--info)}.b-ok{background:#dafbe1;color:#116329}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:.85rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.findings{list-style:none;margin:.5em 0 0;padding:0}
.finding{border-radius:6px;padding:8px 10px;margin:6px 0}
.sev-error{background:var(--errbg)}.sev-warning{background:var(--warnbg)}.sev-info{background:var(--infobg)}
.finding .head{font-size:.85rem;color:var(--muted)}
.finding .sev{font-weight:700;text-transform:uppercase;font-size:.75rem}
.sev-error .sev{color:var(--err)}.sev-warning .sev{color:var(--warn)}.sev-info .sev{color:var(--info)}
.finding p{margin:.25em 0;overflow-wrap:anywhere}
.fix{margin-top:.4em}.cite{font-size:.85rem;color:var(--muted)}
details{margin-top:6px}summary{cursor:pointer;color:var(--muted);font-size:.9rem}
details p{margin:.2em 0;overflow-wrap:anywhere;white-space:pre-wrap}
.status{font-size:.85rem;color:var(--muted)}
body:has(#show-error:not(:checked)) .sev-error,body.hide-error .sev-error,
body:has(#show-warning:not(:checked)) .sev-warning,body.hide-warning .sev-warning,
body:has(#show-info:not(:checked)) .sev-info,body.hide-info .sev-info,
body:has(#show-clean:not(:checked)) .visit.clean,body.hide-clean .visit.clean,
.visit[hidden]{display:none}
@media (max-width:600px){.wrap{padding:8px}th,td{padding:3px 4px}.visit{padding:8px}}
@media print{body{font-size:11pt}.filter,.status{display:none}.wrap{max-width:none;padding:0}
.visit{border-left-width:3px}a{color:inherit;text-decoration:none}
.finding,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
]]

-- Hides a visit when the filter hides all its findings, and says how many
-- findings show. Without it the CSS filter still works (:has()).
local JS = [[
(function(){
var boxes=document.querySelectorAll('.filter input[type=checkbox]');
function apply(){
var shown=0,total=0;
boxes.forEach(function(b){document.body.classList.toggle('hide-'+b.value,!b.checked);});
document.querySelectorAll('.visit').forEach(function(v){
var fs=v.querySelectorAll('.finding'),n=0;
fs.forEach(function(f){total++;if(document.getElementById('show-'+f.dataset.severity).checked){n++;}});
shown+=n;v.hidden=fs.length>0&&n===0;});
var s=document.getElementById('status');if(s){s.textContent='Showing '+shown+' of '+total+' findings';}
}
boxes.forEach(function(b){b.addEventListener('change',apply);});apply();
})();
]]

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- Base64 of the bytes a hex string spells (for a CSP script hash).
local function hex_base64(hex)
  local bytes = {}
  for i = 1, #hex, 2 do bytes[#bytes + 1] = tonumber(hex:sub(i, i + 1), 16) end
  local out = {}
  for i = 1, #bytes, 3 do
    local a, b, c = bytes[i], bytes[i + 1], bytes[i + 2]
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local s = {}
    for k = 3, 0, -1 do
      local d = (n >> (6 * k)) & 63
      s[#s + 1] = B64:sub(d + 1, d + 1)
    end
    if not b then s[3], s[4] = "=", "=" elseif not c then s[4] = "=" end
    out[#out + 1] = table.concat(s)
  end
  return table.concat(out)
end


local function count_by_severity(findings)
  local n = { error = 0, warning = 0, info = 0 }
  for _, f in ipairs(findings) do n[f.severity] = (n[f.severity] or 0) + 1 end
  return n
end

local function badges(put, n)
  local any = false
  for _, sev in ipairs(SEVERITIES) do
    if n[sev] > 0 then
      any = true
      put(('<span class="badge b-%s">%s</span>'):format(sev, esc(plural(n[sev], sev))))
    end
  end
  if not any then put('<span class="badge b-ok">no findings</span>') end
end

-- The note's free-text parts, shown folded: often what a documentation
-- finding is about. Untrusted text, escaped like everything else.
local NOTE_FIELDS = { { "impairments", "Impairments" },
                      { "functional_progress", "Functional progress" },
                      { "medical_necessity", "Medical necessity" },
                      { "text", "Note" } }

local function note_details(put, visit)
  local ok, note = pcall(function() return visit.note end)
  if not ok or not note then return end
  local parts = {}
  for _, nf in ipairs(NOTE_FIELDS) do
    local got, text = pcall(function() return note[nf[1]] end)
    if got and type(text) == "string" and text ~= "" then
      parts[#parts + 1] = ("<p><strong>%s:</strong> %s</p>"):format(nf[2], esc(text))
    end
  end
  if #parts == 0 then return end
  put("<details><summary>Treatment note</summary>")
  put(table.concat(parts))
  put("</details>")
end

local function render_visit(put, r, idx)
  local v = r.visit
  local n = count_by_severity(r.findings)
  local classes = { "visit" }
  for _, sev in ipairs(SEVERITIES) do
    if n[sev] > 0 then classes[#classes + 1] = "has-" .. sev end
  end
  if #r.findings == 0 then classes[#classes + 1] = "clean" end
  put(('<section class="%s" id="visit-%d">'):format(table.concat(classes, " "), idx))
  put(("<h2>%s "):format(esc(v.id)))
  badges(put, n)
  put("</h2>")
  local payer = r.payer and (r.payer.id .. (r.payer.name and (" (" .. r.payer.name .. ")") or ""))
    or (v.payer or "no payer")
  put(('<p class="meta">%s &middot; %s'):format(esc(v.date), esc(payer)))
  if r.units then
    put((" &middot; %s &rarr; %s (%s)"):format(esc(plural(r.units.timed_minutes, "timed minute")),
      esc(plural(r.units.timed_units, "timed unit")), esc(r.units.method)))
  end
  put("</p>")
  if #r.claims == 0 then
    put('<p class="muted">No claim lines.</p>')
  else
    put('<div class="scroll"><table class="claims"><thead><tr><th>Code</th>'
      .. '<th class="n">Units</th><th>Modifiers</th><th>Dx</th></tr></thead><tbody>')
    for _, c in ipairs(r.claims) do
      local dx = {}
      for i, d in ipairs(c.dx_pointers or {}) do dx[i] = tostring(d) end
      put(('<tr><td><code>%s</code></td><td class="n">%d</td><td>%s</td><td>%s</td></tr>'):format(
        esc(c.cpt), c.units, esc(table.concat(c.modifiers or {}, " ")),
        esc(#dx > 0 and table.concat(dx, ",") or "-")))
    end
    put("</tbody></table></div>")
  end
  if #r.findings > 0 then
    put('<ul class="findings">')
    for _, f in ipairs(report.sorted_findings(r.findings)) do
      local where = (f.line or 0) > 0 and ("line " .. f.line) or "whole visit"
      put(('<li class="finding sev-%s" data-severity="%s">'):format(esc(f.severity),
        esc(f.severity)))
      put(('<div class="head"><span class="sev">%s</span> &middot; %s &middot; <code>%s</code>'
        .. '</div>'):format(esc(f.severity), esc(where), esc(f.rule)))
      put(('<p class="msg">%s</p>'):format(esc(f.message)))
      put(('<p class="fix"><strong>How to fix:</strong> %s</p>'):format(esc(M.fix(f))))
      if f.cite then put(('<p class="cite">See %s</p>'):format(esc(f.cite))) end
      put("</li>")
    end
    put("</ul>")
  end
  note_details(put, v)
  put("</section>\n")
end

local function render_totals(put, t)
  put('<section class="totals" id="totals"><h2>Totals</h2>')
  put("<h3>By rule</h3>")
  if #t.rules == 0 then
    put('<p class="muted">No rule fired.</p>')
  else
    put('<div class="scroll"><table><thead><tr><th>Rule</th><th class="n">Errors</th>'
      .. '<th class="n">Warnings</th><th class="n">Info</th><th class="n">Total</th></tr>'
      .. "</thead><tbody>")
    for _, e in ipairs(t.rules) do
      put(('<tr><td><code>%s</code></td><td class="n">%d</td><td class="n">%d</td>'
        .. '<td class="n">%d</td><td class="n">%d</td></tr>'):format(esc(e.rule), e.error,
        e.warning, e.info, e.total))
    end
    put("</tbody></table></div>")
  end
  put("<h3>By payer</h3>")
  put('<div class="scroll"><table><thead><tr><th>Payer</th><th class="n">Visits</th>'
    .. '<th class="n">Claim lines</th><th class="n">Units</th><th class="n">Errors</th>'
    .. '<th class="n">Warnings</th><th class="n">Info</th></tr></thead><tbody>')
  for _, p in ipairs(t.payers) do
    put(('<tr><td>%s%s</td><td class="n">%d</td><td class="n">%d</td><td class="n">%d</td>'
      .. '<td class="n">%d</td><td class="n">%d</td><td class="n">%d</td></tr>'):format(
      esc(p.id), p.name and ('<br><span class="muted">' .. esc(p.name) .. "</span>") or "",
      p.visits, p.claims, p.units, p.error, p.warning, p.info))
  end
  put("</tbody></table></div></section>\n")
end

function M.render(results, opts)
  opts = opts or {}
  local buf = {}
  local function put(s) buf[#buf + 1] = s end
  local t = totals(results)
  local title = opts.title or "eightmin check"
  local csp = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-%s'; "
    .. "img-src 'none'; form-action 'none'; base-uri 'none'"):format(hex_base64(hash.sha256(JS)))
  put('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
  put('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
  put(('<meta http-equiv="Content-Security-Policy" content="%s">\n'):format(esc(csp)))
  put(("<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n"):format(esc(title), CSS))
  put('<div class="wrap">\n<header>')
  put(("<h1>%s</h1>"):format(esc(title)))
  if opts.generated then put(('<p class="meta">Generated %s</p>'):format(esc(opts.generated))) end
  put('<ul class="summary">')
  put(("<li>%s</li><li>%s</li><li>%s</li>"):format(esc(plural(t.visits, "visit")),
    esc(plural(t.claims, "claim line")), esc(plural(t.units, "unit"))))
  for _, sev in ipairs(SEVERITIES) do
    put(('<li class="b-%s">%s</li>'):format(sev, esc(plural(t[sev], sev))))
  end
  if (opts.bad or 0) > 0 then
    put(('<li class="b-error">%s skipped</li>'):format(esc(plural(opts.bad, "bad record"))))
  end
  put("</ul></header>\n")
  put('<form class="filter" aria-label="Filter findings by severity"><strong>Show:</strong>')
  local labels = { error = "Errors", warning = "Warnings", info = "Info" }
  for _, sev in ipairs(SEVERITIES) do
    put(('<label><input type="checkbox" id="show-%s" value="%s" checked> %s (%d)</label>'):format(
      sev, sev, labels[sev], t[sev]))
  end
  put('<label><input type="checkbox" id="show-clean" value="clean" checked> Visits without '
    .. "findings</label>")
  put('<span class="status" id="status" aria-live="polite"></span></form>\n<main>\n')
  if #results == 0 then put('<p class="muted">No visits were checked.</p>') end
  for i, r in ipairs(results) do render_visit(put, r, i) end
  render_totals(put, t)
  put("</main>\n</div>\n<script>")
  put(JS)
  put("</script>\n</body>\n</html>\n")
  return table.concat(buf)
end

return M
