/* test_core.c: the eightmin.core module from Lua: units, codes, dates and
 * times, visits from JSON text and from tables, reading NDJSON, writing
 * findings and claim lines. Each test runs Lua snippets in a fresh state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>

#include "emL.h"

/* Helpers every snippet may use: eq, has, raises, deq (deep equality). */
static const char prelude[] =
    "core = require 'eightmin.core'\n"
    "function eq(got, want, what)\n"
    "  if got ~= want then\n"
    "    error(('%s: got %s, want %s'):format(what or 'value', tostring(got),\n"
    "          tostring(want)), 2)\n"
    "  end\n"
    "end\n"
    "function has(s, sub)\n"
    "  if type(s) ~= 'string' or not s:find(sub, 1, true) then\n"
    "    error(('%q does not contain %q'):format(tostring(s), sub), 2)\n"
    "  end\n"
    "end\n"
    "function raises(sub, f, ...)\n"
    "  local ok, err = pcall(f, ...)\n"
    "  if ok then error('no error; wanted one with ' .. sub, 2) end\n"
    "  if not tostring(err):find(sub, 1, true) then\n"
    "    error(('error %q does not contain %q'):format(tostring(err), sub), 2)\n"
    "  end\n"
    "end\n"
    "function deq(a, b, path)\n"
    "  path = path or 'value'\n"
    "  if type(a) ~= 'table' or type(b) ~= 'table' then\n"
    "    if a ~= b or math.type(a) ~= math.type(b) then\n"
    "      error(('%s: %s ~= %s'):format(path, tostring(a), tostring(b)), 2)\n"
    "    end\n"
    "    return\n"
    "  end\n"
    "  for k, v in pairs(a) do deq(v, b[k], path .. '.' .. tostring(k)) end\n"
    "  for k in pairs(b) do\n"
    "    if a[k] == nil then error(path .. '.' .. tostring(k) .. ' missing', 2) end\n"
    "  end\n"
    "end\n";

static int open_core(lua_State *L)
{
    luaL_openlibs(L);
    luaL_requiref(L, "eightmin.core", luaopen_eightmin_core, 0);
    lua_pop(L, 1);
    if (luaL_loadbuffer(L, prelude, sizeof prelude - 1, "=prelude") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return -1;
    lua_pushcfunction(L, open_core);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fprintf(stderr, "setup: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return -1;
    }
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

static int traceback(lua_State *L)
{
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

/* Runs a snippet; a Lua error fails the test with the message. */
static void run_lua(lua_State *L, const char *src, const char *file, int line)
{
    lua_pushcfunction(L, traceback);
    int rc = luaL_loadbuffer(L, src, strlen(src), "=snippet");
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 0, -2);
    if (rc != LUA_OK) {
        print_error("%s\n", lua_tostring(L, -1));
        _fail(file, line);
    }
    lua_settop(L, 0);
}
#define RUN(src) run_lua(*state, (src), __FILE__, __LINE__)

/* ---- units ---- */

static void test_units_cms_example1(void **state)
{
    RUN("local r = core.units({ {cpt='97112', minutes=24}, {cpt='97110', minutes=23} })\n"
        "eq(r.method, 'cms'); eq(r.timed_minutes, 47); eq(r.timed_units, 3)\n"
        "eq(r.total_units, 3); eq(#r.lines, 2)\n"
        "local a, b = r.lines[1], r.lines[2]\n"
        "eq(a.cpt, '97112'); eq(a.minutes, 24); eq(a.units, 2); eq(a.full_units, 1)\n"
        "eq(a.leftover_minutes, 9); eq(a.reason, 'leftover-unit'); eq(a.timed, true)\n"
        "eq(a.pooled, true)\n"
        "eq(b.cpt, '97110'); eq(b.units, 1); eq(b.full_units, 1); eq(b.leftover_minutes, 8)\n"
        "eq(b.reason, 'full-units')\n"
        "-- the same as CODE=MINUTES strings, and with the policy named\n"
        "local s = core.units({ '97112=24', '97110=23' }, 'cms')\n"
        "eq(s.lines[1].units, 2); eq(s.lines[2].units, 1); eq(s.total_units, 3)\n"
        "-- example 3: leftover 3 minutes lose to 7 minutes of 97140\n"
        "local e3 = core.units({ '97110=33', '97140=7' })\n"
        "eq(e3.lines[1].units, 2); eq(e3.lines[2].units, 1)\n"
        "eq(e3.lines[2].reason, 'leftover-unit')\n"
        "-- an untimed code: 1 unit, not in the timed minutes\n"
        "local u = core.units({ '97112=24', '97010=10' })\n"
        "eq(u.timed_minutes, 24); eq(u.total_units, 3); eq(u.lines[2].units, 1)\n"
        "eq(u.lines[2].reason, 'untimed'); eq(u.lines[2].timed, false)\n"
        "-- no items: an empty day\n"
        "local z = core.units({})\n"
        "eq(z.total_units, 0); eq(#z.lines, 0)\n");
}

static void test_units_prefer(void **state)
{
    RUN("local r = core.units({ '97112=20', '97110=20' })\n"
        "eq(r.lines[1].units, 2); eq(r.lines[2].units, 1)  -- input order\n"
        "r = core.units({ '97112=20', '97110=20' }, nil, { '97110' })\n"
        "eq(r.lines[1].units, 1); eq(r.lines[2].units, 2)\n"
        "eq(r.lines[1].reason, 'full-units'); eq(r.total_units, 3)\n"
        "raises(\"bad argument #3 to 'eightmin.core.units' (prefer[2]: string expected, got 5)\",\n"
        "       core.units, { '97112=20' }, 'cms', { '97110', 5 })\n");
}

static void test_units_ama_and_custom(void **state)
{
    RUN("local r = core.units({ '97112=24', '97110=23' }, 'ama')\n"
        "eq(r.method, 'ama'); eq(r.lines[1].units, 2); eq(r.lines[2].units, 2)\n"
        "eq(r.total_units, 4); eq(r.lines[1].pooled, false)\n"
        "r = core.units({ '97110=33', '97140=7' }, 'ama')\n"
        "eq(r.lines[2].units, 0); eq(r.lines[2].reason, 'below-threshold'); eq(r.total_units, 2)\n"
        "-- a payer that pays full 15 minutes only, code by code\n"
        "local full = { unit_minutes = 15, threshold = 15, pooled = false }\n"
        "r = core.units({ '97112=24', '97110=14' }, full)\n"
        "eq(r.method, 'custom'); eq(r.lines[1].units, 1); eq(r.lines[2].units, 0)\n"
        "eq(r.lines[2].reason, 'below-threshold'); eq(r.total_units, 1)\n"
        "r = core.units({ '97112=24' }, { unit_minutes = 15, threshold = 8, pooled = true,\n"
        "                                method = 'cms' })\n"
        "eq(r.method, 'cms'); eq(r.total_units, 2)\n"
        "eq(core.units_for_minutes(24, 15, 8), 2); eq(core.units_for_minutes(7, 15, 8), 0)\n"
        "eq(core.units_for_minutes(60, 15, 8), 4); eq(core.units_for_minutes(29, 15, 15), 1)\n");
}

static void test_units_bad_policy(void **state)
{
    RUN("local items = { '97112=24' }\n"
        "raises(\"bad argument #2 to 'eightmin.core.units' (policy.threshold: threshold must be 1 to \"\n"
        "       .. 'unit_minutes (15), got 20)',\n"
        "       core.units, items, { unit_minutes = 15, threshold = 20, pooled = true })\n"
        "raises('policy.unit_minutes: unit_minutes must be 1 to 240, got 0',\n"
        "       core.units, items, { unit_minutes = 0, threshold = 8, pooled = true })\n"
        "raises('policy.pooled: boolean expected, got nil',\n"
        "       core.units, items, { unit_minutes = 15, threshold = 8 })\n"
        "raises('policy.threshold: whole number expected, got 7.5',\n"
        "       core.units, items, { unit_minutes = 15, threshold = 7.5, pooled = true })\n"
        "raises(\"policy: unknown field 'treshold'\",\n"
        "       core.units, items, { unit_minutes = 15, treshold = 8, pooled = true })\n"
        "raises(\"invalid option 'medicaid'\", core.units, items, 'medicaid')\n"
        "raises(\"policy.method: 'x' is not cms, ama or custom\",\n"
        "       core.units, items, { unit_minutes = 15, threshold = 8, pooled = true, method = 'x' })\n"
        "raises('\"cms\", \"ama\" or a policy table expected, got boolean',\n"
        "       core.units, items, true)\n"
        "raises('threshold must be 1 to unit_minutes', core.units_for_minutes, 10, 15, 16)\n"
        "raises(\"bad argument #1 to 'eightmin.core.units' (table expected, got string)\", core.units, '97112=8')\n");
}

static void test_units_bad_data(void **state)
{
    RUN("local r, err = core.units({ '97112=24', { cpt = '99999', minutes = 10 } })\n"
        "eq(r, nil); eq(err, 'items[2]: unknown code 99999')\n"
        "r, err = core.units({ { cpt = '97112', minutes = 2000 } })\n"
        "eq(r, nil); eq(err, 'items[1].minutes: minutes must be 0 to 1440, got 2000')\n"
        "r, err = core.units({ '97112=-5' })\n"
        "eq(err, 'items[1].minutes: minutes must be 0 to 1440, got -5')\n"
        "r, err = core.units({ '97110=8', '97112' })\n"
        "eq(err, \"items[2]: '97112': expected CODE=MINUTES, like 97112=24\")\n"
        "r, err = core.units({ '97112=1000', '97110=1000' })\n"
        "has(err, 'items: timed minutes add up to 2000, more than a day (1440)')\n"
        "r, err = core.units({ 'ABCDEFGHIJKLMNOPQ=8' })\n"
        "has(err, 'items[1]: not a procedure code')\n"
        "-- wrong types are the caller's mistake: they raise\n"
        "raises('items[1]: table or \"CODE=MINUTES\" expected, got 5', core.units, { 5 })\n"
        "raises('items[1].minutes: whole number expected, got string',\n"
        "       core.units, { { cpt = '97112', minutes = '24' } })\n"
        "raises('items[1].cpt: string expected, got nil', core.units, { { minutes = 24 } })\n");
}

/* ---- codes ---- */

static void test_codes(void **state)
{
    RUN("local c = core.code('97112')\n"
        "eq(c.cpt, '97112'); eq(c.timed, true); eq(c.unit_minutes, 15)\n"
        "eq(type(c.descriptor), 'string'); assert(#c.descriptor > 0)\n"
        "eq(c.eval, false); eq(c.user, false); eq(c.supervised, false)\n"
        "local hp = core.code('97010')\n"
        "eq(hp.timed, false); eq(hp.supervised, true); eq(hp.unit_minutes, 0)\n"
        "eq(core.code('97161').eval, true); eq(core.code('97150').group, true)\n"
        "eq(core.code('97032').constant_attendance, true)\n"
        "eq(core.code('99999'), nil)\n"
        "local all = core.codes()\n"
        "assert(#all > 30, 'built-in codes')\n"
        "local seen = {}\n"
        "for _, x in ipairs(all) do seen[x.cpt] = x end\n"
        "deq(seen['97112'], c)\n"
        "-- a payer's own code, used by units() of the same state\n"
        "eq(core.add_code{ cpt = 'X1234', timed = true, descriptor = 'test code' }, true)\n"
        "local x = core.code('X1234')\n"
        "eq(x.user, true); eq(x.timed, true); eq(x.unit_minutes, 15)\n"
        "eq(x.descriptor, 'test code')\n"
        "eq(core.units({ 'X1234=30' }).total_units, 2)\n"
        "eq(core.add_code{ cpt = 'U1', timed = false, group = true }, true)\n"
        "eq(core.code('U1').group, true); eq(core.code('U1').unit_minutes, 0)\n"
        "eq(#core.codes(), #all + 2)\n"
        "local ok, err = core.add_code{ cpt = 'bad code!', timed = true }\n"
        "eq(ok, nil); has(err, 'cpt: ')\n"
        "ok, err = core.add_code{ cpt = 'T9', timed = true, unit_minutes = 0 }\n"
        "eq(ok, nil); has(err, 'unit_minutes')\n"
        "raises('code.timed: boolean expected, got string', core.add_code,\n"
        "       { cpt = 'A1', timed = 'yes' })\n"
        "raises(\"code: unknown field 'minutes'\", core.add_code,\n"
        "       { cpt = 'A1', timed = true, minutes = 15 })\n"
        "raises('code.eval: boolean expected, got 1', core.add_code,\n"
        "       { cpt = 'A1', timed = false, eval = 1 })\n");
}

/* ---- dates and times ---- */

static void test_dates(void **state)
{
    RUN("eq(core.date('1970-01-01'), 0); eq(core.date('1970-01-02'), 1)\n"
        "eq(core.date('2024-02-29'), core.date('2024-03-01') - 1)\n"
        "local d, err = core.date('2026-02-29')\n"
        "eq(d, nil); eq(err, '2026-02-29: February 2026 has 28 days')\n"
        "d, err = core.date('2026-13-01')\n"
        "eq(d, nil); has(err, 'month 13 is out of range')\n"
        "d, err = core.date('March 4')\n"
        "eq(d, nil); has(err, 'expected a date YYYY-MM-DD')\n"
        "eq(core.date_string(0), '1970-01-01')\n"
        "eq(core.date_string(core.date('2026-03-04')), '2026-03-04')\n"
        "raises('outside the years 1800 to 9999', core.date_string, 10000000)\n"
        "eq(core.days_between('2026-03-01', '2026-03-04'), 3)\n"
        "eq(core.days_between('2026-03-04', '2026-03-01'), -3)\n"
        "eq(core.days_between(0, '1970-01-31'), 30)\n"
        "eq(core.days_between('2024-02-28', '2024-03-01'), 2)\n"
        "raises('2026-02-29: February 2026 has 28 days', core.days_between, '2026-02-29',\n"
        "       '2026-03-01')\n"
        "raises('date (\"YYYY-MM-DD\" or days since 1970-01-01) expected, got table',\n"
        "       core.days_between, {}, 0)\n"
        "eq(core.add_days('2026-02-28', 1), '2026-03-01')\n"
        "eq(core.add_days('2024-02-28', 1), '2024-02-29')\n"
        "eq(core.add_days('2026-03-04', -4), '2026-02-28')\n"
        "eq(core.add_days(0, 365), '1971-01-01')\n"
        "raises('9999-12-31 plus 1 days is after 9999-12-31', core.add_days, '9999-12-31', 1)\n"
        "raises('1800-01-01 minus 1 days is before 1800-01-01', core.add_days, '1800-01-01', -1)\n"
        "raises('leaves the years', core.add_days, '2026-01-01', math.maxinteger)\n"
        "eq(core.weekday('2026-03-02'), 1)  -- Monday\n"
        "eq(core.weekday('2026-03-04'), 3)\n"
        "eq(core.weekday('2026-03-08'), 7)  -- Sunday\n"
        "eq(core.weekday(0), 4)             -- 1970-01-01 was a Thursday\n"
        "eq(core.weekday('2024-02-29'), 4)\n"
        "raises('February 2025 has 28 days', core.weekday, '2025-02-29')\n");
}

static void test_times(void **state)
{
    RUN("local t = core.time('09:05')\n"
        "eq(t.date, nil); eq(t.second, 9 * 3600 + 5 * 60); eq(t.offset, nil)\n"
        "t = core.time('9:05:30')\n"
        "eq(t.second, 9 * 3600 + 5 * 60 + 30)\n"
        "t = core.time('2026-03-04T09:05:00-05:00')\n"
        "eq(t.date, '2026-03-04'); eq(t.second, 32700); eq(t.offset, -5 * 3600)\n"
        "t = core.time('2026-03-04T14:05Z')\n"
        "eq(t.offset, 0); eq(t.second, 14 * 3600 + 300)\n"
        "local bad, err = core.time('25:00')\n"
        "eq(bad, nil); has(err, 'hour 25 is out of range')\n"
        "bad, err = core.time('09:60')\n"
        "eq(bad, nil); has(err, 'minute 60 is out of range')\n"
        "bad, err = core.time('2026-02-30T09:00')\n"
        "eq(bad, nil); has(err, 'February 2026 has 28 days')\n"
        "raises('string expected, got no value', core.time)\n"
        "eq(core.minutes_between('09:00', '09:24'), 24)\n"
        "eq(core.minutes_between('09:00:30', '09:24'), 23)  -- rounded down\n"
        "eq(core.minutes_between('09:00', '09:00'), 0)\n"
        "eq(core.minutes_between('2026-03-04T09:00', '09:30', '2026-03-04'), 30)\n"
        "eq(core.minutes_between('09:00', '2026-03-04T09:45', core.date('2026-03-04')), 45)\n"
        "eq(core.minutes_between('2026-03-04T09:00-05:00', '2026-03-04T14:30Z'), 30)\n"
        "local m\n"
        "m, err = core.minutes_between('09:24', '09:00')\n"
        "eq(m, nil); has(err, 'ends at 09:00, before it starts at 09:24')\n"
        "m, err = core.minutes_between('2026-03-04T23:50', '2026-03-05T00:10')\n"
        "eq(m, nil); has(err, 'runs past midnight')\n"
        "m, err = core.minutes_between('09:00Z', '09:30')\n"
        "eq(m, nil); has(err, 'the start has a UTC offset and the end has none')\n"
        "m, err = core.minutes_between('09:00', '9h30')\n"
        "eq(m, nil); has(err, 'end: ')\n"
        "m, err = core.minutes_between('x', '09:30')\n"
        "eq(m, nil); has(err, 'start: ')\n"
        "raises('February 2026 has 28 days', core.minutes_between, '09:00', '09:30',\n"
        "       '2026-02-29')\n");
}

/* ---- visits ---- */

static const char full_visit[] =
    "full = {\n"
    "  id = 'V1001', date = '2026-03-04', payer = 'medicare', pos = '11',\n"
    "  patient = { id = 'P17', dob = '1948-02-11' },\n"
    "  provider = { npi = '1234567893', discipline = 'PT', credential = 'PT' },\n"
    "  telehealth = { modality = 'audio_video', patient_at_home = true },\n"
    "  diagnoses = { 'I69.354', 'R26.81' },\n"
    "  lines = {\n"
    "    { cpt = '97112', minutes = 24, by = 'PT', units = 2, modifiers = { 'GP' },\n"
    "      start = '09:00', ['end'] = '09:24',\n"
    "      interventions = { { text = 'tandem stance on foam, eyes closed, 3x30 s',\n"
    "                          goal = 'balance' } } },\n"
    "    { cpt = '97110', minutes = 23, by = 'PTA' },\n"
    "    { cpt = '97010' },\n"
    "  },\n"
    "  note = { impairments = 'poor balance', functional_progress = 'better',\n"
    "           medical_necessity = 'fall risk',\n"
    "           measures = { { name = 'BBS', value = 41, prior = 35 } },\n"
    "           total_timed_minutes = 47, total_minutes = 57 },\n"
    "}\n";

static void test_visit_from_json(void **state)
{
    RUN("local v = core.visit('{\"id\":\"V1\",\"date\":\"2026-03-04\",'\n"
        "  .. '\"lines\":[{\"cpt\":\"97112\",\"minutes\":24},{\"cpt\":\"97110\",\"minutes\":23}]}')\n"
        "assert(v, 'visit parsed')\n"
        "eq(v.id, 'V1'); eq(v.date, '2026-03-04'); eq(#v.lines, 2)\n"
        "eq(v.lines[1].cpt, '97112'); eq(v.lines[2].minutes, 23)\n"
        "has(tostring(v), 'V1')\n"
        "local src = core.visit('{\"id\":\"V2\",\"date\":\"2026-03-04\",\"lines\":[]}', 'inbox.ndjson')\n"
        "eq(src.source, 'inbox.ndjson')\n"
        "raises(\"bad argument #1 to 'eightmin.core.visit' (JSON text or table expected, got number)\",\n"
        "       core.visit, 5)\n");
}

static void test_visit_errors(void **state)
{
    RUN("local v, err = core.visit('{\"id\":\"V1\",\"date\":\"2026-02-29\",\"lines\":[]}')\n"
        "eq(v, nil); has(err, 'date: '); has(err, 'February 2026 has 28 days')\n"
        "v, err = core.visit('{\"id\":\"V1\",\"date\":\"2026-03-04\",'\n"
        "  .. '\"lines\":[{\"cpt\":\"97112\",\"minutes\":24},{\"cpt\":\"97110\",\"minutes\":-3}]}',\n"
        "  'in.ndjson')\n"
        "eq(v, nil); has(err, 'in.ndjson: '); has(err, 'lines[')\n"
        "has(err, '].minutes: ')\n"
        "v, err = core.visit('{\"id\":')\n"
        "eq(v, nil); eq(type(err), 'string')\n"
        "-- the same from a table: the message names the field path too\n"
        "v, err = core.visit({ id = 'V1', date = '2026-03-04',\n"
        "                      lines = { { cpt = '97112', minutes = -3 } } })\n"
        "eq(v, nil); has(err, 'lines['); has(err, '].minutes: ')\n");
}

static void test_visit_from_table(void **state)
{
    RUN(full_visit);
    RUN("local v, err = core.visit(full)\n"
        "assert(v, err)\n"
        "eq(v.id, 'V1001'); eq(v.payer, 'medicare'); eq(#v.lines, 3)\n"
        "eq(v.lines[1].minutes, 24); eq(v.lines[3].cpt, '97010')\n"
        "eq(v.provider.credential, 'PT'); eq(v.patient.dob, '1948-02-11')\n"
        "deq(v:totable(), full, 'visit')\n"
        "-- and once more through the text a table becomes\n"
        "deq(core.visit(v:totable()):totable(), full, 'again')\n");
}

static void test_visit_table_errors(void **state)
{
    RUN("local base = function(extra)\n"
        "  local t = { id = 'V1', date = '2026-03-04', lines = { { cpt = '97112', minutes = 24 } } }\n"
        "  for k, v in pairs(extra) do t.lines[1][k] = v end\n"
        "  return t\n"
        "end\n"
        "raises('visit.lines[1].f: cannot encode a function as JSON', core.visit,\n"
        "       base({ f = print }))\n"
        "raises('visit.lines[1].x: nan is not a number JSON can hold', core.visit,\n"
        "       base({ x = 0/0 }))\n"
        "raises('visit.lines[1].x: inf is not a number JSON can hold', core.visit,\n"
        "       base({ x = math.huge }))\n"
        "raises('visit.lines[1].x: mixes string keys and array indexes', core.visit,\n"
        "       base({ x = { 1, a = 2 } }))\n"
        "raises('visit.lines[1].x: array has holes', core.visit, base({ x = { 1, nil, 3 } }))\n"
        "raises('visit.lines[1].x: key true is neither a string nor an array index', core.visit,\n"
        "       base({ x = { [true] = 1 } }))\n"
        "raises('visit.lines[1].x: string is not valid UTF-8', core.visit, base({ x = 'a\\xff' }))\n"
        "raises('visit.lines[1].x: string is not valid UTF-8', core.visit,\n"
        "       base({ x = '\\xed\\xa0\\x80' }))  -- a surrogate\n"
        "local cyc = base({}); cyc.lines[1].self = cyc\n"
        "raises('visit.lines[1].self: the table contains itself (a cycle)', core.visit, cyc)\n"
        "local deep = {}\n"
        "for _ = 1, 70 do deep = { deep } end\n"
        "raises('nested deeper than 64 levels', core.visit, base({ x = deep }))\n"
        "-- the same table twice (not a cycle) is fine for the encoder\n"
        "local shared = { 'GP' }\n"
        "local t = { id = 'V1', date = '2026-03-04', lines = {\n"
        "  { cpt = '97112', minutes = 24, modifiers = shared },\n"
        "  { cpt = '97110', minutes = 23, modifiers = shared } } }\n"
        "local v = assert(core.visit(t))\n"
        "eq(v.lines[2].modifiers[1], 'GP')\n");
}

/* Calls emL_pushjson on the value at 1 (under pcall). */
static int push_json(lua_State *L)
{
    emL_pushjson(L, 1, "value");
    return 1;
}

/* The JSON text a value becomes, exactly. */
static void test_json_text(void **state)
{
    static const struct {
        const char *lua, *json;
    } cases[] = {
        {"return { b = 1, a = { 1, 2.5, 'x\"\\n' }, c = true }",
         "{\"a\":[1,2.5,\"x\\\"\\n\"],\"b\":1,\"c\":true}"},
        {"return {}", "[]"},
        {"return 'tab\\there \\\\ \\1 \\31 caf\\u{e9} \\u{1F600} /'",
         "\"tab\\there \\\\ \\u0001 \\u001f caf\xc3\xa9 \xf0\x9f\x98\x80 /\""},
        {"return { 0.1, -0.0, 1e300, math.mininteger, 3.0 }",
         "[0.10000000000000001,-0,1.0000000000000001e+300,-9223372036854775808,3]"},
        {"return { z = false, ['a b'] = { x = {} }, A = 'é' }",
         "{\"A\":\"\xc3\xa9\",\"a b\":{\"x\":[]},\"z\":false}"},
        {"return '\\b\\f\\r\\127'", "\"\\b\\f\\r\x7f\""},
    };
    lua_State *L = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lua_pushcfunction(L, push_json);
        assert_int_equal(luaL_dostring(L, cases[i].lua), LUA_OK);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK)
            fail_msg("case %zu: %s", i, lua_tostring(L, -1));
        assert_string_equal(lua_tostring(L, -1), cases[i].json);
        lua_settop(L, 0);
    }
}

/* ---- reading NDJSON ---- */

static void test_read(void **state)
{
    RUN("local name = os.tmpname()\n"
        "local f = assert(io.open(name, 'w'))\n"
        "f:write('{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[{\"cpt\":\"97112\",\"minutes\":24}]}\\n')\n"
        "f:write('\\n')\n"
        "f:write('{\"id\":\"B\",\"date\":\"2026-02-30\",\"lines\":[]}\\n')\n"
        "f:write('{\"id\":\"C\",\"date\":\"2026-03-05\",\"lines\":[{\"cpt\":\"97110\",\"minutes\":23}]}')\n"
        "f:close()\n"
        "local got = {}\n"
        "for v, err, record in core.read(name) do\n"
        "  if v then got[#got + 1] = v.id .. '@' .. record .. '/' .. #v.lines\n"
        "  else got[#got + 1] = err end\n"
        "end\n"
        "eq(#got, 3)\n"
        "eq(got[1], 'A@1/1')\n"
        "has(got[2], name .. ':3: date: '); has(got[2], 'February 2026 has 28 days')\n"
        "eq(got[3], 'C@4/1')\n"
        "-- the reader is the loop's closing value: break closes the file\n"
        "local r, s, c, closing = core.read(name, 1 << 20)\n"
        "eq(closing, r)\n"
        "for v in r, s, c, closing do eq(v.id, 'A'); break end\n"
        "eq(r(), nil)\n"
        "has(tostring(r), 'closed')\n"
        "r = core.read(name)\n"
        "eq(r():totable().id, 'A'); eq(r:record(), 1); eq(r:close(), true); eq(r(), nil)\n"
        "-- a line over max_line is a bad record, and the next one still comes\n"
        "local n, bad = 0, 0\n"
        "for v in core.read(name, 40) do if v then n = n + 1 else bad = bad + 1 end end\n"
        "eq(n + bad, 3); assert(bad >= 2, 'long records reported')\n"
        "os.remove(name)\n"
        "local none, err = core.read(name)\n"
        "eq(none, nil); has(err, name); has(err, 'No such file')\n"
        "raises('bytes per record', core.read, name, -1)\n");
}

/* ---- writing findings and claim lines ---- */

static void test_write(void **state)
{
    RUN("local f = io.tmpfile()\n"
        "eq(core.write_finding({ visit = 'V1001', line = 1, rule = 'medicare.units-match',\n"
        "  severity = 'error', message = '97112: 3 units billed, 2 earned',\n"
        "  cite = 'CMS Pub. 100-04 ch. 5 s20.2' }, f), true)\n"
        "core.write_finding({ visit = 'V1001', rule = 'x.y', severity = 'info',\n"
        "  message = 'say \"hi\"' }, f)\n"
        "eq(core.write_claim({ visit = 'V1001', cpt = '97112', units = 2,\n"
        "  modifiers = { 'GP', 'CQ' }, dx_pointers = { 1, 2 } }, f), true)\n"
        "core.write_claim({ visit = 'V1001', cpt = '97010', units = 0 }, f)\n"
        "f:seek('set')\n"
        "local lines = {}\n"
        "for l in f:lines() do lines[#lines + 1] = l end\n"
        "f:close()\n"
        "eq(#lines, 4)\n"
        "eq(lines[1], '{\"visit\":\"V1001\",\"line\":1,\"rule\":\"medicare.units-match\",'\n"
        "  .. '\"severity\":\"error\",\"message\":\"97112: 3 units billed, 2 earned\",'\n"
        "  .. '\"cite\":\"CMS Pub. 100-04 ch. 5 s20.2\"}')\n"
        "eq(lines[2], '{\"visit\":\"V1001\",\"rule\":\"x.y\",\"severity\":\"info\",'\n"
        "  .. '\"message\":\"say \\\\\"hi\\\\\"\"}')\n"
        "eq(lines[3], '{\"visit\":\"V1001\",\"cpt\":\"97112\",\"units\":2,'\n"
        "  .. '\"modifiers\":[\"GP\",\"CQ\"],\"dx_pointers\":[1,2]}')\n"
        "has(lines[4], '\"cpt\":\"97010\",\"units\":0')\n"
        "-- a units() result, as `eightmin units --json` prints it\n"
        "f = io.tmpfile()\n"
        "eq(core.write_units(core.units({ '97112=24', '97110=23', '97010=5' }), f), true)\n"
        "f:seek('set')\n"
        "eq(f:read('a'), '{\"method\":\"cms\",\"timed_minutes\":47,\"total_units\":4,\"lines\":['\n"
        "  .. '{\"cpt\":\"97112\",\"minutes\":24,\"units\":2,\"reason\":\"leftover-unit\"},'\n"
        "  .. '{\"cpt\":\"97110\",\"minutes\":23,\"units\":1,\"reason\":\"full-units\"},'\n"
        "  .. '{\"cpt\":\"97010\",\"minutes\":5,\"units\":1,\"reason\":\"untimed\"}]}\\n')\n"
        "f:close()\n"
        "raises(\"result.lines[1].reason: 'made-up' is not a reason units() gives\",\n"
        "       core.write_units, { method = 'custom', timed_minutes = 1, total_units = 1,\n"
        "       lines = { { cpt = '97112', minutes = 1, units = 1, reason = 'made-up' } } })\n"
        "raises(\"result.method: 'x' is not cms, ama or custom\", core.write_units,\n"
        "       { method = 'x', timed_minutes = 0, total_units = 0, lines = {} })\n");
}

static void test_write_errors(void **state)
{
    RUN("local f = io.tmpfile()\n"
        "local ok = { visit = 'V1', rule = 'r', severity = 'error', message = 'm' }\n"
        "local function with(k, v) local t = {} for a, b in pairs(ok) do t[a] = b end\n"
        "  t[k] = v return t end\n"
        "raises(\"finding.severity: 'fatal' is not info, warning or error\",\n"
        "       core.write_finding, with('severity', 'fatal'), f)\n"
        "raises('finding.message: string expected, got nil', core.write_finding,\n"
        "       with('message', nil), f)\n"
        "raises('finding.line: -1 is out of range', core.write_finding, with('line', -1), f)\n"
        "raises(\"finding: unknown field 'sevrity'\", core.write_finding, with('sevrity', 'x'), f)\n"
        "local c = { visit = 'V1', cpt = '97112', units = 2 }\n"
        "local function claim(k, v) local t = {} for a, b in pairs(c) do t[a] = b end\n"
        "  t[k] = v return t end\n"
        "raises('claim.units: -1 is out of range', core.write_claim, claim('units', -1), f)\n"
        "raises('claim.units: whole number expected, got 1.5', core.write_claim,\n"
        "       claim('units', 1.5), f)\n"
        "raises('claim.modifiers[2]: string expected, got 59', core.write_claim,\n"
        "       claim('modifiers', { 'GP', 59 }), f)\n"
        "raises('claim.dx_pointers[1]: 0 is not a diagnosis number', core.write_claim,\n"
        "       claim('dx_pointers', { 0 }), f)\n"
        "raises('FILE* expected, got table', core.write_claim, c, {})\n"
        "f:close()\n"
        "raises('attempt to use a closed file', core.write_claim, c, f)\n"
        "eq(core.version, '0.1.0')\n");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_units_cms_example1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_prefer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_ama_and_custom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_bad_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_bad_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visit_from_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visit_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visit_from_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visit_table_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("lua_core", tests, NULL, NULL);
}
