-- Decision-log and HTML helpers through the API (run by tests/cli/log.t
-- with `eightmin run`): JSON decode and encode through the core, SHA-256,
-- log entries, HTML escaping and fix texts. Prints one line per group.
local json = require "eightmin.json"
local hash = require "eightmin.hash"
local html = require "eightmin.html"
local decisionlog = require "eightmin.decisionlog"
local em = require "eightmin"

local checks = 0
local function eq(got, want, what)
  checks = checks + 1
  if got ~= want then
    error(("%s: got %s, wanted %s"):format(what, tostring(got), tostring(want)), 2)
  end
end

-- JSON decode: plain tables, exact integers, null as nil; errors as nil, msg.
local t = assert(json.decode('{"a":[1,2.5,"x",true],"b":{"c":null,"d":-7},"e":"<\\u00e9>"}'))
eq(math.type(t.a[1]), "integer", "integers stay integers")
eq(t.a[2], 2.5, "fractions")
eq(t.a[3], "x", "strings")
eq(t.a[4], true, "booleans")
eq(t.b.c, nil, "null is nil")
eq(t.b.d, -7, "negative")
eq(t.e, "<\u{e9}>", "escapes")
eq(json.decode("42"), 42, "a bare number")
local v, err = json.decode('{"a":1,"a":2}')
eq(v, nil, "duplicate key fails")
eq(err, 'a: duplicate key "a"', "duplicate key message")
v, err = json.decode("[1,")
eq(v, nil, "truncated text fails")
eq(err:match("^not valid JSON") ~= nil, true, "truncated text message: " .. tostring(err))
err = select(2, json.decode("{} {}"))
eq(err, 'unexpected text after the value at byte 4 ("{}")', "trailing text")
-- Encode: sorted keys, so equal tables give equal text.
eq(json.encode({ b = 1, a = { 3, "x" } }), '{"a":[3,"x"],"b":1}', "encode sorts keys")
eq(json.encode(json.decode('{"z":[1,{"y":"q"}],"a":0.5}')), '{"a":0.5,"z":[1,{"y":"q"}]}',
   "round trip")
eq(pcall(json.encode, { 1, nil, 3 }), false, "holes raise")
print("json: ok")

-- SHA-256 test vectors (FIPS 180-2).
eq(hash.sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty")
eq(hash.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc")
eq(hash.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks")
eq(pcall(hash.sha256, {}), false, "a table is refused")
print("sha256: ok")

-- The input hash ignores key order and spacing.
local a = assert(em.visit('{"id":"V1","date":"2026-03-04","lines":[{"cpt":"97110","minutes":20}]}'))
local b = assert(em.visit('{ "lines" : [ {"minutes":20, "cpt":"97110"} ], "date":"2026-03-04", "id":"V1" }'))
local c = assert(em.visit('{"id":"V1","date":"2026-03-04","lines":[{"cpt":"97110","minutes":21}]}'))
eq(decisionlog.visit_sha256(a), decisionlog.visit_sha256(b), "same visit, same hash")
eq(decisionlog.visit_sha256(a) ~= decisionlog.visit_sha256(c), true, "other minutes, other hash")
local payer = assert(em.load_payer("tests/data/log/payer.lua"))
local r = assert(em.check(a, payer))
local e = decisionlog.entry(r)
eq(e.visit, "V1", "entry visit")
eq(e.payer.id, "payer", "entry payer id")
eq(e.payer.sha256, decisionlog.file_sha256("tests/data/log/payer.lua"), "entry payer hash")
eq(table.concat(e.rules_ran, ","), "payer.units-billed,payer.quiet", "rules ran")
eq(#e.rules_fired, 0, "nothing fired")
eq(e.units.lines[1].reason, "full-units", "units reason")
eq(e.units.timed_minutes, 20, "timed minutes")
-- An entry survives the trip through JSON text.
local back = json.decode(json.encode(e))
eq(back.units.lines[1].units, 1, "units after the round trip")
eq(back.input_sha256, e.input_sha256, "hash after the round trip")
print("decisionlog: ok")

-- HTML escaping and fix texts.
eq(html.escape([[<a href="x">'&'</a>]]), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", "escape")
eq(html.escape(nil), "", "escape nil")
eq(html.fix({ rule = "m.units-match", severity = "error", message = "billed 3 ...; bill 2" }),
   "Bill 2 units for this code.", "fix from 'bill N'")
eq(html.fix({ rule = "m.telehealth", severity = "error", message = "outside; bill it only in person" }),
   "Bill it only in person.", "fix from an imperative clause")
eq(html.fix({ rule = "m.x", severity = "error", message = "m", fix = "Do this." }), "Do this.",
   "a script's own fix wins")
eq(html.fix({ rule = "m.overlapping-segments", severity = "error", message = "overlaps" }),
   "Correct the start and end times so that timed services do not overlap.", "fix by rule")
eq(html.fix({ rule = "m.rule", severity = "error", message = "m.rule aborted: budget" }):match("^A payer"),
   "A payer", "aborted rules")
eq(html.fix({ rule = "m.zzz", severity = "info", message = "fyi" }),
   "Nothing to change; this is for your information.", "info")
local page = html.render({}, { title = "<day>" })
eq(page:find("<title>&lt;day&gt;</title>", 1, true) ~= nil, true, "title escaped")
eq(page:find("No visits were checked.", 1, true) ~= nil, true, "empty run")
print("html: ok")
print(("%d checks passed"):format(checks))
