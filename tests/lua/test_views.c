/* test_views.c: the read-only Lua views of visits, lines, segments, notes,
 * episodes and their lists. Scripts assert in Lua; C checks the outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "emL.h"
#include "em_json.h"

/* Every field the record format has, plus unknown ones at three levels. */
static const char full_visit[] =
    "{\"id\":\"V1001\",\"date\":\"2026-03-04\",\"payer\":\"medicare\",\"pos\":\"11\","
    "\"patient\":{\"id\":\"P17\",\"dob\":\"1948-02-11\"},"
    "\"provider\":{\"npi\":\"1234567893\",\"discipline\":\"PT\",\"credential\":\"DPT\"},"
    "\"telehealth\":{\"modality\":\"audio_video\",\"patient_at_home\":true},"
    "\"diagnoses\":[\"I69.354\",\"R26.81\"],"
    "\"lines\":["
    "{\"cpt\":\"97112\",\"minutes\":24,\"by\":\"PT\",\"units\":2,\"modifiers\":[\"GP\"],"
    "\"start\":\"09:00\",\"end\":\"09:24\",\"dx_pointers\":[1,2],"
    "\"interventions\":[{\"text\":\"tandem stance on foam, eyes closed, 3x30 s\","
    "\"goal\":\"balance\"}],\"device\":\"foam pad\"},"
    "{\"cpt\":\"97110\",\"by\":\"PTA\",\"units\":1,\"modifiers\":[\"GP\",\"CQ\"],"
    "\"segments\":[{\"start\":\"09:30\",\"end\":\"09:40\",\"by\":\"PTA\"},"
    "{\"start\":\"09:40\",\"end\":\"09:53\",\"by\":\"PT\"}]},"
    "{\"cpt\":\"97530\",\"segments\":[{\"minutes\":10,\"by\":\"PTA\"}]},"
    "{\"cpt\":\"97010\"}],"
    "\"note\":{\"impairments\":\"impaired standing balance\","
    "\"measures\":[{\"name\":\"BBS\",\"value\":41,\"prior\":35},{\"name\":\"TUG\",\"value\":12.5}],"
    "\"functional_progress\":\"walks without the cane\","
    "\"medical_necessity\":\"fall risk (BBS 41 < 45)\",\"text\":\"seen for balance\","
    "\"total_timed_minutes\":47,\"total_minutes\":57,\"signed_by\":\"A. Smith\"},"
    "\"episode\":{\"start_of_care\":\"2026-02-10\",\"treatment_day\":7,"
    "\"last_progress_report\":\"2026-02-24\",\"plan_of_care\":{\"signed_on\":\"2026-02-20\","
    "\"certified_through\":\"2026-05-10\",\"recertified_on\":null},\"authorized_visits\":12,"
    "\"therapy_spend_ytd_cents\":{\"PT_SLP\":182000,\"OT\":0},\"auth_number\":\"A-77\"},"
    "\"clinic\":{\"id\":\"C3\",\"tags\":[\"north\",2,true,1.5]}}";

/* Small assertion helpers the snippets share. */
static const char lua_prelude[] =
    "function eq(got, want, what)\n"
    "  if got ~= want or math.type(got) ~= math.type(want) then\n"
    "    error((what or '?') .. ': got ' .. tostring(got) .. ' (' .. (math.type(got) or type(got))\n"
    "      .. '), want ' .. tostring(want) .. ' (' .. (math.type(want) or type(want)) .. ')', 2)\n"
    "  end\n"
    "end\n"
    "function deq(got, want, path)\n"
    "  path = path or 'value'\n"
    "  if type(want) ~= 'table' then return eq(got, want, path) end\n"
    "  if type(got) ~= 'table' then error(path .. ': got ' .. type(got) .. ', want table', 2) end\n"
    "  for k, v in pairs(want) do deq(got[k], v, path .. '.' .. tostring(k)) end\n"
    "  for k in pairs(got) do\n"
    "    if want[k] == nil then error(path .. ': unexpected key ' .. tostring(k), 2) end\n"
    "  end\n"
    "end\n"
    "function errmsg(f, ...)\n"
    "  local ok, e = pcall(f, ...)\n"
    "  if ok then error('no error raised', 2) end\n"
    "  return tostring(e)\n"
    "end\n"
    "function has(s, sub, what)\n"
    "  if not string.find(s, sub, 1, true) then\n"
    "    error((what or 'message') .. ': \"' .. s .. '\" lacks \"' .. sub .. '\"', 2)\n"
    "  end\n"
    "end\n";

static void open_views(lua_State *L)
{
    emL_open_visit(L);
    emL_open_line(L);
    emL_open_segment(L);
    emL_open_provider(L);
    emL_open_patient(L);
    emL_open_telehealth(L);
    emL_open_note(L);
    emL_open_episode(L);
    emL_open_list(L);
}

static em_visit *parse(const char *json)
{
    em_visit *v = NULL;
    em_error err;
    em_error_clear(&err);
    em_status st = em_visit_parse(json, strlen(json), "visits.ndjson", 3, 0, &v, &err);
    if (st != EM_OK) {
        char msg[768];
        em_error_format(&err, msg, sizeof msg);
        fail_msg("em_visit_parse: %s", msg);
    }
    return v;
}

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return -1;
    luaL_openlibs(L);
    open_views(L);
    if (lua_gettop(L) != 0 || luaL_dostring(L, lua_prelude) != LUA_OK)
        return -1;
    emL_pushvisit(L, parse(full_visit), true);
    lua_setglobal(L, "visit");
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

/* Runs a snippet; a Lua error fails the test with its message. */
static void run(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        print_error("Lua: %s\n", msg ? msg : "(no message)");
        lua_pop(L, 1);
        fail();
    }
    lua_settop(L, 0);
}

/* Runs a snippet that must raise; the message must hold want. */
static void run_fails(lua_State *L, const char *code, const char *want)
{
    int rc = luaL_dostring(L, code);
    assert_int_not_equal(rc, LUA_OK);
    const char *msg = lua_tostring(L, -1);
    assert_non_null(msg);
    if (!strstr(msg, want)) {
        print_error("message \"%s\" lacks \"%s\"\n", msg, want);
        fail();
    }
    lua_settop(L, 0);
}

static void test_visit_fields(void **state)
{
    run(*state,
        "eq(visit.id, 'V1001', 'id')\n"
        "eq(visit.date, '2026-03-04', 'date')\n"
        "eq(visit.payer, 'medicare', 'payer')\n"
        "eq(visit.pos, '11', 'pos')\n"
        "eq(visit.source, 'visits.ndjson', 'source')\n"
        "eq(visit.record, 3, 'record')\n"
        "eq(visit.patient.id, 'P17', 'patient.id')\n"
        "eq(visit.patient.dob, '1948-02-11', 'patient.dob')\n"
        "eq(visit.provider.npi, '1234567893', 'npi')\n"
        "eq(visit.provider.discipline, 'PT', 'discipline')\n"
        "eq(visit.provider.credential, 'DPT', 'credential')\n"
        "eq(visit.telehealth.modality, 'audio_video', 'modality')\n"
        "eq(visit.telehealth.patient_at_home, true, 'patient_at_home')\n"
        "eq(type(visit.patient), 'userdata', 'patient type')\n"
        "eq(getmetatable(visit), 'eightmin.Visit', 'metatable is hidden')\n"
        "eq(getmetatable(visit.lines), 'eightmin.List', 'list metatable')\n"
        "eq(getmetatable(visit.lines[1]), 'eightmin.Line', 'line metatable')\n"
        "eq(#visit.diagnoses, 2, '#diagnoses')\n"
        "eq(visit.diagnoses[1], 'I69.354', 'diagnoses[1]')\n"
        "eq(visit.diagnoses[2], 'R26.81', 'diagnoses[2]')\n"
        "local x = visit.extra\n"
        "eq(type(x), 'table', 'extra is a plain table')\n"
        "deq(x, {clinic = {id = 'C3', tags = {'north', 2, true, 1.5}}}, 'extra')\n"
        "eq(math.type(x.clinic.tags[4]), 'float', 'a JSON 1.5 stays a float')\n");
}

static void test_lists(void **state)
{
    run(*state,
        "local lines = visit.lines\n"
        "eq(#lines, 4, '#lines')\n"
        "local cpts = {}\n"
        "for i, l in ipairs(lines) do cpts[#cpts + 1] = l.cpt; eq(l.index, i, 'index') end\n"
        "eq(table.concat(cpts, ' '), '97112 97110 97530 97010', 'ipairs over lines')\n"
        "eq(lines[0], nil, 'lines[0]')\n"
        "eq(lines[5], nil, 'lines[5]')\n"
        "eq(lines[-1], nil, 'lines[-1]')\n"
        "eq(lines[1.5], nil, 'lines[1.5]')\n"
        "eq(lines[2.0].cpt, '97110', 'lines[2.0]')\n"
        "eq(lines[math.maxinteger], nil, 'lines[maxinteger]')\n"
        "local mods = {}\n"
        "for _, m in ipairs(lines[2].modifiers) do mods[#mods + 1] = m end\n"
        "eq(table.concat(mods, ','), 'GP,CQ', 'ipairs over modifiers')\n"
        "eq(#lines[4].modifiers, 0, 'no modifiers')\n"
        "eq(lines[4].modifiers[1], nil, 'empty list reads nil')\n"
        "local n = 0\n"
        "for _ in ipairs(lines[4].segments) do n = n + 1 end\n"
        "eq(n, 0, 'ipairs over no segments')\n"
        "local dx = lines[1].dx_pointers\n"
        "eq(#dx, 2, '#dx_pointers'); eq(dx[1], 1, 'dx[1]'); eq(dx[2], 2, 'dx[2]')\n"
        "local keys = {}\n"
        "for k, v in pairs(lines) do keys[#keys + 1] = k .. '=' .. v.cpt end\n"
        "eq(table.concat(keys, ' '), '1=97112 2=97110 3=97530 4=97010', 'pairs over a list')\n"
        "deq(visit.diagnoses:totable(), {'I69.354', 'R26.81'}, 'diagnoses:totable()')\n"
        "eq(lines == visit.lines, true, 'two views of one list are equal')\n"
        "eq(rawequal(visit.lines, visit.lines), true, 'a visit makes its parts once')\n"
        "eq(rawequal(visit.note, visit.note), true, 'the note too')\n"
        "eq(rawequal(lines[1], lines[1]), true, 'a line view is made once per list')\n"
        "eq(lines[1] == visit:line(1), true, 'two views of one line are equal')\n"
        "eq(lines[1] == lines[2], false, 'different lines differ')\n"
        "eq(visit.diagnoses == lines[1].modifiers, false, 'different lists differ')\n");
}

static void test_line_fields(void **state)
{
    run(*state,
        "local l = visit:line(1)\n"
        "eq(l.cpt, '97112', 'cpt')\n"
        "eq(l.minutes, 24, 'minutes')\n"
        "eq(l.minutes_given, true, 'minutes_given')\n"
        "eq(l.units, 2, 'units')\n"
        "eq(l.by, 'PT', 'by')\n"
        "eq(l.index, 1, 'index')\n"
        "eq(l.modifiers[1], 'GP', 'modifier')\n"
        "eq(l:has_modifier('GP'), true, 'has GP')\n"
        "eq(l:has_modifier('gp'), true, 'modifiers have no case')\n"
        "eq(l:has_modifier('59'), false, 'has no 59')\n"
        "deq(l.extra, {device = 'foam pad'}, 'line extra')\n"
        "local iv = l.interventions[1]\n"
        "deq(iv, {text = 'tandem stance on foam, eyes closed, 3x30 s', goal = 'balance'}, 'intervention')\n"
        "eq(#l.interventions, 1, '#interventions')\n"
        "local l2 = visit:line(2)\n"
        "eq(l2.minutes, 23, 'minutes summed from segments')\n"
        "eq(l2.minutes_given, false, 'minutes not given')\n"
        "eq(l2.units, 1, 'units')\n"
        "eq(l2.extra, nil, 'no extra')\n"
        "eq(#l2.interventions, 0, 'no interventions')\n"
        "local l4 = visit:line(4)\n"
        "eq(l4.cpt, '97010', 'cpt')\n"
        "eq(l4.minutes, nil, 'no minutes')\n"
        "eq(l4.units, nil, 'no units')\n"
        "eq(l4.by, nil, 'no by')\n"
        "eq(math.type(l.minutes), 'integer', 'minutes are integers')\n");
}

static void test_segments(void **state)
{
    run(*state,
        "local s = visit.lines[2].segments\n"
        "eq(#s, 2, '#segments')\n"
        "eq(s[1].start, '09:30', 'start'); eq(s[1]['end'], '09:40', 'end')\n"
        "eq(s[1].minutes, 10, 'minutes'); eq(s[1].by, 'PTA', 'by')\n"
        "eq(s[1].has_interval, true, 'has_interval')\n"
        "eq(s[2].start, '09:40'); eq(s[2].minutes, 13); eq(s[2].by, 'PT')\n"
        "eq(s[1].end_second - s[1].start_second, 600, 'seconds of the interval')\n"
        "eq(s[1].end_second, s[2].start_second, 'touching segments')\n"
        "eq(math.type(s[1].start_second), 'integer', 'seconds are integers')\n"
        "local day = (s[1].start_second - (9 * 3600 + 30 * 60)) / 86400\n"
        "eq(day, 20516.0, 'resolved against the visit date (2026-03-04)')\n"
        "local m = visit.lines[3].segments[1]\n"
        "eq(m.has_interval, false, 'minutes-only segment')\n"
        "eq(m.start, nil); eq(m['end'], nil); eq(m.start_second, nil); eq(m.end_second, nil)\n"
        "eq(m.minutes, 10); eq(m.by, 'PTA')\n"
        "eq(visit.lines[3].minutes, 10, 'line minutes from a minutes segment')\n"
        "local one = visit.lines[1].segments\n"
        "eq(#one, 1, 'start/end on the line is one segment')\n"
        "eq(one[1].start, '09:00'); eq(one[1]['end'], '09:24'); eq(one[1].minutes, 24)\n");
}

static void test_note_and_episode(void **state)
{
    run(*state,
        "local n = visit.note\n"
        "eq(n.impairments, 'impaired standing balance')\n"
        "eq(n.functional_progress, 'walks without the cane')\n"
        "eq(n.medical_necessity, 'fall risk (BBS 41 < 45)')\n"
        "eq(n.text, 'seen for balance')\n"
        "eq(n.total_timed_minutes, 47); eq(n.total_minutes, 57)\n"
        "deq(n.extra, {signed_by = 'A. Smith'}, 'note extra')\n"
        "local m = n.measures\n"
        "eq(#m, 2, '#measures')\n"
        "deq(m[1], {name = 'BBS', value = 41, prior = 35}, 'BBS')\n"
        "eq(math.type(m[1].value), 'integer', '41 is an integer')\n"
        "eq(m[2].value, 12.5, 'TUG'); eq(m[2].prior, nil, 'no prior')\n"
        "eq(math.type(m[2].value), 'float', '12.5 is a float')\n"
        "local e = visit.episode\n"
        "eq(e.start_of_care, '2026-02-10'); eq(e.treatment_day, 7)\n"
        "eq(e.last_progress_report, '2026-02-24'); eq(e.authorized_visits, 12)\n"
        "deq(e.plan_of_care, {signed_on = '2026-02-20', certified_through = '2026-05-10'}, 'poc')\n"
        "deq(e.therapy_spend_ytd_cents, {PT_SLP = 182000, OT = 0}, 'spend')\n"
        "eq(math.type(e.therapy_spend_ytd_cents.PT_SLP), 'integer', 'cents are integers')\n"
        "deq(e.extra, {auth_number = 'A-77'}, 'episode extra')\n");
}

static void test_errors(void **state)
{
    lua_State *L = *state;
    run_fails(L, "return visit:line(9)", "visit.lines[9]: no such line (the visit has 4)");
    run_fails(L, "return visit:line(0)", "visit.lines[0]: no such line (the visit has 4)");
    run_fails(L, "return visit:line('x')", "bad argument #1 to 'line' (number expected, got string)");
    run_fails(L, "return visit.line({}, 1)", "eightmin.Visit expected, got table");
    run_fails(L, "return visit.lnes", "visit has no field 'lnes'");
    run_fails(L, "return visit[1]", "visit has no field [1]");
    run_fails(L, "return visit.lines[2].cpf", "visit.lines[2] has no field 'cpf'");
    run_fails(L, "return visit.lines[2].segments[1].stop", "visit.lines[2].segments[1] has no field 'stop'");
    run_fails(L, "return visit.lines.count", "visit.lines has no field 'count'");
    run_fails(L, "return visit.lines[1].modifiers.n", "visit.lines[1].modifiers has no field 'n'");
    run_fails(L, "return visit.note.measures.x", "visit.note.measures has no field 'x'");
    run_fails(L, "return visit.note.txt", "visit.note has no field 'txt'");
    run_fails(L, "return visit.episode.sart_of_care", "visit.episode has no field 'sart_of_care'");
    run_fails(L, "return visit.provider.NPI", "visit.provider has no field 'NPI'");
    run_fails(L, "return visit.patient.name", "visit.patient has no field 'name'");
    run_fails(L, "return visit.telehealth.home", "visit.telehealth has no field 'home'");
    run_fails(L, "visit.id = 'V2'", "eightmin.Visit is read-only");
    run_fails(L, "visit.new = 1", "eightmin.Visit is read-only");
    run_fails(L, "visit.lines[1].units = 3", "eightmin.Line is read-only");
    run_fails(L, "visit.lines[1] = false", "eightmin.List is read-only");
    run_fails(L, "visit.lines[2].segments[1].by = 'PT'", "eightmin.Segment is read-only");
    run_fails(L, "visit.note.text = ''", "eightmin.Note is read-only");
    run_fails(L, "visit.episode.treatment_day = 1", "eightmin.Episode is read-only");
    run_fails(L, "visit.provider.npi = ''", "eightmin.Provider is read-only");
    run_fails(L, "visit.patient.id = ''", "eightmin.Patient is read-only");
    run_fails(L, "visit.telehealth.modality = ''", "eightmin.Telehealth is read-only");
    run_fails(L, "return visit.lines[1].has_modifier({}, 'GP')", "eightmin.Line expected, got table");
    run_fails(L, "return visit.lines[1]:has_modifier()", "bad argument #1 to 'has_modifier'");
    /* the message carries the script's position, like Lua's own errors */
    run_fails(L, "local x = 1\nreturn visit.lnes", "[string \"local x = 1...\"]:2: visit has no field 'lnes'");
    /* nothing changed */
    run(L, "eq(visit.id, 'V1001'); eq(visit.lines[1].units, 2); eq(#visit.lines, 4)");
}

static void test_totable(void **state)
{
    run(*state,
        "local t = visit:totable()\n"
        "eq(type(t), 'table', 'a plain table')\n"
        "deq(t, {\n"
        "  id = 'V1001', date = '2026-03-04', payer = 'medicare', pos = '11',\n"
        "  patient = {id = 'P17', dob = '1948-02-11'},\n"
        "  provider = {npi = '1234567893', discipline = 'PT', credential = 'DPT'},\n"
        "  telehealth = {modality = 'audio_video', patient_at_home = true},\n"
        "  diagnoses = {'I69.354', 'R26.81'},\n"
        "  lines = {\n"
        "    {cpt = '97112', minutes = 24, by = 'PT', units = 2, modifiers = {'GP'},\n"
        "     start = '09:00', ['end'] = '09:24', dx_pointers = {1, 2},\n"
        "     interventions = {{text = 'tandem stance on foam, eyes closed, 3x30 s', goal = 'balance'}},\n"
        "     device = 'foam pad'},\n"
        "    {cpt = '97110', by = 'PTA', units = 1, modifiers = {'GP', 'CQ'},\n"
        "     segments = {{start = '09:30', ['end'] = '09:40', by = 'PTA'},\n"
        "                 {start = '09:40', ['end'] = '09:53', by = 'PT'}}},\n"
        "    {cpt = '97530', segments = {{minutes = 10, by = 'PTA'}}},\n"
        "    {cpt = '97010'}},\n"
        "  note = {impairments = 'impaired standing balance',\n"
        "    measures = {{name = 'BBS', value = 41, prior = 35}, {name = 'TUG', value = 12.5}},\n"
        "    functional_progress = 'walks without the cane',\n"
        "    medical_necessity = 'fall risk (BBS 41 < 45)', text = 'seen for balance',\n"
        "    total_timed_minutes = 47, total_minutes = 57, signed_by = 'A. Smith'},\n"
        "  episode = {start_of_care = '2026-02-10', treatment_day = 7,\n"
        "    last_progress_report = '2026-02-24',\n"
        "    plan_of_care = {signed_on = '2026-02-20', certified_through = '2026-05-10'},\n"
        "    authorized_visits = 12, therapy_spend_ytd_cents = {PT_SLP = 182000, OT = 0},\n"
        "    auth_number = 'A-77'},\n"
        "  clinic = {id = 'C3', tags = {'north', 2, true, 1.5}},\n"
        "}, 'visit')\n"
        /* every view has its own :totable(), and a list's is deep */
        "deq(visit.lines[2]:totable(), t.lines[2], 'line:totable()')\n"
        "deq(visit.lines:totable(), t.lines, 'lines:totable()')\n"
        "deq(visit.lines[2].segments[2]:totable(), t.lines[2].segments[2], 'segment')\n"
        "deq(visit.note:totable(), t.note, 'note')\n"
        "deq(visit.note.measures:totable(), t.note.measures, 'measures')\n"
        "deq(visit.episode:totable(), t.episode, 'episode')\n"
        "deq(visit.provider:totable(), t.provider, 'provider')\n"
        "deq(visit.patient:totable(), t.patient, 'patient')\n"
        "deq(visit.telehealth:totable(), t.telehealth, 'telehealth')\n"
        "deq(visit.lines[1].interventions:totable(), t.lines[1].interventions, 'interventions')\n"
        "deq(visit.lines[1].dx_pointers:totable(), {1, 2}, 'dx_pointers')\n"
        /* the copy is the script's: changing it leaves the visit alone */
        "t.id = 'X'; t.lines[1].cpt = 'X'\n"
        "eq(visit.id, 'V1001'); eq(visit.lines[1].cpt, '97112')\n"
        "local t2 = visit:totable()\n"
        "eq(t2.id, 'V1001'); eq(t2.lines[1].cpt, '97112')\n");
}

static void test_tostring(void **state)
{
    run(*state,
        "eq(tostring(visit), 'visit V1001 2026-03-04 medicare (4 lines)')\n"
        "eq(tostring(visit.lines[1]), '97112 24 min 2 units [GP]')\n"
        "eq(tostring(visit.lines[2]), '97110 23 min 1 unit [GP,CQ]')\n"
        "eq(tostring(visit.lines[4]), '97010')\n"
        "eq(tostring(visit.lines[2].segments[1]), 'segment 09:30-09:40 10 min PTA')\n"
        "eq(tostring(visit.lines[3].segments[1]), 'segment 10 min PTA')\n"
        "eq(tostring(visit.lines), 'visit.lines (list of 4)')\n"
        "eq(tostring(visit.lines[2].modifiers), 'visit.lines[2].modifiers (list of 2)')\n"
        "eq(tostring(visit.note.measures), 'visit.note.measures (list of 2)')\n"
        "eq(tostring(visit.provider), 'provider 1234567893 PT (credential DPT)')\n"
        "eq(tostring(visit.patient), 'patient P17 born 1948-02-11')\n"
        "eq(tostring(visit.telehealth), 'telehealth audio_video, patient at home')\n"
        "eq(tostring(visit.note), 'note: 2 measures, 47 timed min, 57 min in all')\n"
        "eq(tostring(visit.episode), 'episode from 2026-02-10, treatment day 7')\n"
        "eq(('%s'):format(visit.lines[1]), '97112 24 min 2 units [GP]', 'string.format %s')\n");
}

static void test_pairs_order(void **state)
{
    run(*state,
        "local function keys(view)\n"
        "  local ks = {}\n"
        "  for k, v in pairs(view) do\n"
        "    assert(v ~= nil); ks[#ks + 1] = k\n"
        "    if k ~= 'extra' and type(v) ~= 'table' then eq(view[k], v, k) end\n"
        "  end\n"
        "  return table.concat(ks, ' ')\n"
        "end\n"
        "eq(keys(visit), 'id date payer pos patient provider telehealth diagnoses lines note '\n"
        "   .. 'episode extra source record', 'visit')\n"
        "eq(keys(visit.lines[1]), 'cpt minutes minutes_given units by modifiers segments '\n"
        "   .. 'interventions dx_pointers extra index', 'line 1')\n"
        "eq(keys(visit.lines[4]), 'cpt minutes_given modifiers segments interventions '\n"
        "   .. 'dx_pointers index', 'line 4 skips nil fields')\n"
        "eq(keys(visit.lines[2].segments[1]), 'start end minutes by has_interval start_second '\n"
        "   .. 'end_second', 'segment')\n"
        "eq(keys(visit.lines[3].segments[1]), 'minutes by has_interval', 'minutes segment')\n"
        "eq(keys(visit.note), 'impairments functional_progress medical_necessity text measures '\n"
        "   .. 'total_timed_minutes total_minutes extra', 'note')\n"
        "eq(keys(visit.episode), 'start_of_care treatment_day last_progress_report plan_of_care '\n"
        "   .. 'authorized_visits therapy_spend_ytd_cents extra', 'episode')\n"
        "eq(keys(visit.provider), 'npi discipline credential', 'provider')\n"
        "eq(keys(visit.patient), 'id dob', 'patient')\n"
        "eq(keys(visit.telehealth), 'modality patient_at_home', 'telehealth')\n");
}

/* A Line keeps its visit alive through its user value: after the script
 * drops the visit and collects, the line still reads (ASan watches). */
static void test_line_outlives_visit(void **state)
{
    lua_State *L = *state;
    emL_pushvisit(L, parse(full_visit), true);
    lua_setglobal(L, "v2");
    run(L,
        "line = v2:line(2)\n"
        "seg = v2.lines[2].segments[2]\n"
        "mods = v2.lines[2].modifiers\n"
        "note = v2.note\n"
        "v2 = nil\n"
        "collectgarbage(); collectgarbage()\n"
        "eq(line.cpt, '97110'); eq(line.index, 2); eq(line.minutes, 23)\n"
        "eq(seg.by, 'PT'); eq(seg.start, '09:40')\n"
        "eq(mods[2], 'CQ'); eq(note.measures[1].name, 'BBS')\n"
        "eq(tostring(seg), 'segment 09:40-09:53 13 min PT')\n"
        "deq(line:totable().segments[1], {start = '09:30', ['end'] = '09:40', by = 'PTA'})\n"
        "line, seg, mods, note = nil, nil, nil, nil\n"
        "collectgarbage(); collectgarbage()\n");
}

/* A view whose visit was freed first (finalizer order) or released by the
 * host raises instead of reading freed memory. */
static void test_released_visit(void **state)
{
    lua_State *L = *state;
    run(L,
        "keeper = setmetatable({}, {__gc = function(t)\n"
        "  got = errmsg(function() return t.line.cpt end)\n"
        "end})\n");
    /* the visit's finalizer is marked after keeper's: it runs first */
    emL_pushvisit(L, parse(full_visit), true);
    lua_setglobal(L, "v3");
    run(L,
        "keeper.line = v3:line(1)\n"
        "v3, keeper = nil, nil\n"
        "collectgarbage(); collectgarbage()\n"
        "has(got, 'eightmin.Line: the visit it belongs to was released')\n");

    /* a host that frees a visit after the rules ran */
    em_visit *v = parse(full_visit);
    emL_pushvisit(L, v, false);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "v4");
    run(L, "kept = v4.lines[1]; kept_list = v4.lines; eq(kept.cpt, '97112')");
    lua_getglobal(L, "v4");
    emL_releasevisit(L, -1);
    lua_settop(L, 0);
    em_visit_free(v);
    run(L,
        "has(errmsg(function() return kept.cpt end), 'the visit it belongs to was released')\n"
        "has(errmsg(function() return #kept_list end), 'the visit it belongs to was released')\n"
        "has(errmsg(function() return v4.id end), 'eightmin.Visit: the visit was released')\n"
        "eq(tostring(v4), 'visit (released)')\n"
        "has(errmsg(function() return v4:line(1) end), 'the visit was released')\n");
}

/* A visit made by hand: absent parts read nil and are left out of pairs
 * and totable; offsets in time points show. */
static void test_sparse_visit(void **state)
{
    lua_State *L = *state;
    em_visit *v = em_visit_new(0);
    assert_non_null(v);
    v->id = "H1";
    v->date = EM_DATE_NONE;
    v->patient.dob = EM_DATE_NONE;
    v->telehealth.patient_at_home = -1;
    v->note.total_minutes = v->note.total_timed_minutes = -1;
    em_line *l = em_arena_calloc(v->arena, 1, sizeof *l);
    assert_non_null(l);
    em_segment *s = em_arena_calloc(v->arena, 1, sizeof *s);
    assert_non_null(s);
    s->has_interval = true;
    s->start = (em_timepoint){em_date_from_ymd(2026, 3, 4), 14 * 3600 + 5 * 60, 0};
    s->end = (em_timepoint){em_date_from_ymd(2026, 3, 4), 9 * 3600 + 30 * 60 + 15, -5 * 3600};
    s->minutes = 25;
    l->cpt = "97112";
    l->minutes = 25;
    l->units = -1;
    l->segments = s;
    l->n_segments = 1;
    v->lines = l;
    v->n_lines = 1;
    emL_pushvisit(L, v, true);
    lua_setglobal(L, "h");
    run(L,
        "eq(h.date, nil); eq(h.payer, nil); eq(h.telehealth, nil); eq(h.note, nil)\n"
        "eq(h.episode, nil); eq(h.extra, nil); eq(h.source, nil); eq(h.record, nil)\n"
        "eq(h.patient.id, nil); eq(h.patient.dob, nil); eq(h.provider.npi, nil)\n"
        "eq(#h.diagnoses, 0); eq(h.diagnoses[1], nil)\n"
        "local ks = {}\n"
        "for k in pairs(h) do ks[#ks + 1] = k end\n"
        "eq(table.concat(ks, ' '), 'id patient provider diagnoses lines', 'pairs skips nil')\n"
        "deq(h:totable(), {id = 'H1', lines = {{cpt = '97112', start = '2026-03-04T14:05Z',\n"
        "    ['end'] = '2026-03-04T09:30:15-05:00'}}}, 'sparse totable')\n"
        "eq(tostring(h), 'visit H1 (1 line)')\n"
        "eq(tostring(h.lines[1]), '97112 25 min')\n"
        "eq(tostring(h.patient), 'patient (no id)')\n"
        "eq(tostring(h.provider), 'provider (no npi)')\n");
}

/* A small JSON encoder in Lua: enough for what totable() returns. */
static const char lua_tojson[] =
    "local function enc(x)\n"
    "  local t = type(x)\n"
    "  if t == 'string' then\n"
    "    return '\"' .. x:gsub('[%c\"\\\\]', function(c)\n"
    "      return string.format('\\\\u%04x', c:byte()) end) .. '\"'\n"
    "  elseif math.type(x) == 'integer' then return string.format('%d', x)\n"
    "  elseif t == 'number' then return string.format('%.17g', x)\n"
    "  elseif t == 'boolean' then return tostring(x)\n"
    "  end\n"
    "  local parts = {}\n"
    "  if #x > 0 then\n"
    "    for _, v in ipairs(x) do parts[#parts + 1] = enc(v) end\n"
    "    return '[' .. table.concat(parts, ',') .. ']'\n"
    "  end\n"
    "  local keys = {}\n"
    "  for k in pairs(x) do keys[#keys + 1] = k end\n"
    "  table.sort(keys)\n"
    "  for _, k in ipairs(keys) do parts[#parts + 1] = enc(k) .. ':' .. enc(x[k]) end\n"
    "  return '{' .. table.concat(parts, ',') .. '}'\n"
    "end\n"
    "return enc(...)\n";

/* totable() gives the record format back: encoded and parsed again, the
 * visit reads the same. */
static void test_roundtrip(void **state)
{
    lua_State *L = *state;
    assert_int_equal(luaL_loadstring(L, lua_tojson), LUA_OK);
    lua_getglobal(L, "visit");
    lua_getfield(L, -1, "totable");
    lua_insert(L, -2);
    assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
    assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
    em_visit *v = parse(lua_tostring(L, -1));
    lua_settop(L, 0);
    emL_pushvisit(L, v, true);
    lua_setglobal(L, "back");
    run(L,
        "deq(back:totable(), visit:totable(), 'round trip')\n"
        "eq(tostring(back.lines[2]), tostring(visit.lines[2]))\n"
        "eq(back.lines[1].segments[1].start_second, visit.lines[1].segments[1].start_second)\n");
}

/* The value pushers on their own. */
static void test_value_helpers(void **state)
{
    lua_State *L = *state;
    emL_pushcount(L, -1);
    assert_true(lua_isnil(L, -1));
    emL_pushcount(L, 0);
    assert_int_equal(lua_tointeger(L, -1), 0);
    emL_pushdate(L, EM_DATE_NONE);
    assert_true(lua_isnil(L, -1));
    emL_pushdate(L, 0);
    assert_string_equal(lua_tostring(L, -1), "1970-01-01");
    emL_pushstring_or_nil(L, NULL);
    assert_true(lua_isnil(L, -1));
    emL_pushvaluetree(L, NULL);
    assert_true(lua_isnil(L, -1));
    emL_pushscore(L, 41.0);
    assert_true(lua_isinteger(L, -1));
    emL_pushscore(L, 1e300);
    assert_false(lua_isinteger(L, -1));
    lua_settop(L, 0);

    /* [1, null, {"a": null, "b": [true]}] */
    em_value inner_items[2] = {{.type = EM_VALUE_NULL}, {.type = EM_VALUE_ARRAY}};
    em_value b_items[1] = {{.type = EM_VALUE_BOOL, .u.b = true}};
    inner_items[1].u.list.items = b_items;
    inner_items[1].u.list.n = 1;
    const char *keys[2] = {"a", "b"};
    em_value items[3] = {{.type = EM_VALUE_INT, .u.i = INT64_MAX}, {.type = EM_VALUE_NULL},
                         {.type = EM_VALUE_OBJECT}};
    items[2].u.list.items = inner_items;
    items[2].u.list.keys = keys;
    items[2].u.list.n = 2;
    em_value arr = {.type = EM_VALUE_ARRAY};
    arr.u.list.items = items;
    arr.u.list.n = 3;
    emL_pushvaluetree(L, &arr);
    lua_setglobal(L, "tree");
    run(L,
        "eq(tree[1], math.maxinteger); eq(tree[2], nil); eq(tree[3].a, nil)\n"
        "eq(tree[3].b[1], true)\n"
        "local n = 0; for _ in pairs(tree[3]) do n = n + 1 end; eq(n, 1, 'null keys left out')\n");
    assert_int_equal(lua_gettop(L), 0);
}

/* The openers leave the stack as they found it and can run twice. */
static void test_openers(void **state)
{
    lua_State *L = *state;
    int top = lua_gettop(L);
    open_views(L);
    assert_int_equal(lua_gettop(L), top);
    run(L, "eq(visit.lines[1].cpt, '97112')");
    lua_getglobal(L, "visit");
    assert_non_null(emL_checkvisit(L, -1));
    lua_settop(L, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_visit_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_note_and_episode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_totable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tostring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pairs_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_outlives_visit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_released_visit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sparse_visit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_openers, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("views", tests, NULL, NULL);
}
