/* test_pattern.c: the bounded pattern functions (lua/pattern.c) give exactly
 * stock Lua 5.4's results and errors, and stop catastrophic patterns with
 * "pattern too complex: step budget exceeded". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "pattern.h"

#define STEP_LIMIT ((size_t)1000000)
#define TOO_COMPLEX "pattern too complex: step budget exceeded"

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return -1;
    luaL_openlibs(L);
    emL_pattern_open(L, 100000000, NULL, NULL); /* generous: only bombs reach it */
    lua_setglobal(L, "M");
    emL_pattern_open(L, STEP_LIMIT, NULL, NULL);
    lua_setglobal(L, "B");
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs src (globals M, B, string) and returns its result or error as text
 * in buf. */
static int run(lua_State *L, const char *src, char *buf, size_t n)
{
    int st = luaL_loadstring(L, src);
    if (st == LUA_OK)
        st = lua_pcall(L, 0, 1, 0);
    const char *s = lua_tostring(L, -1);
    snprintf(buf, n, "%s", s ? s : luaL_typename(L, -1));
    lua_pop(L, 1);
    return st;
}

static void expect_ok(lua_State *L, const char *src, const char *want)
{
    char got[512];
    int st = run(L, src, got, sizeof got);
    if (st != LUA_OK || strcmp(got, want) != 0)
        print_message("%s\n  got: %s\n", src, got);
    assert_int_equal(st, LUA_OK);
    assert_string_equal(got, want);
}

static void expect_error(lua_State *L, const char *src, const char *want)
{
    char got[512];
    int st = run(L, src, got, sizeof got);
    if (st == LUA_OK || !strstr(got, want))
        print_message("%s\n  got: %s\n", src, got);
    assert_int_equal(st, LUA_ERRRUN);
    assert_non_null(strstr(got, want));
}

/* ---- differential: stock against bounded, in one state ---- */

static const char diff_src[] =
    "-- Differential test: stock string functions (S) against bounded ones (M).\n"
    "-- Returns the number of cases and a list of mismatches (at most 20).\n"
    "local S, M = ...\n"
    "local ops = {}\n"
    "local function ser(...)\n"
    "  local t = table.pack(...)\n"
    "  local out = {}\n"
    "  for i = 1, t.n do\n"
    "    local v = t[i]\n"
    "    if type(v) == \"string\" then out[i] = (\"%q\"):format(v)\n"
    "    elseif math.type(v) == \"integer\" then out[i] = \"i\" .. v\n"
    "    elseif type(v) == \"function\" then out[i] = \"function\"\n"
    "    else out[i] = tostring(v) .. \":\" .. type(v) end\n"
    "  end\n"
    "  return t.n .. \"[\" .. table.concat(out, \",\") .. \"]\"\n"
    "end\n"
    "function ops.find(L, s, p, i, plain) return ser(L.find(s, p, i, plain)) end\n"
    "function ops.match(L, s, p, i) return ser(L.match(s, p, i)) end\n"
    "function ops.gmatch(L, s, p, i)\n"
    "  local it, out = L.gmatch(s, p, i), {}\n"
    "  for _ = 1, 60 do\n"
    "    local r = table.pack(it())\n"
    "    if r.n == 0 then break end\n"
    "    out[#out + 1] = ser(table.unpack(r, 1, r.n))\n"
    "  end\n"
    "  return table.concat(out, \"|\")\n"
    "end\n"
    "local repls = {\n"
    "  \"<%0>\", \"%1\", \"%2\", \"[%1|%2]\", \"%%\", \"x\", \"%\", \"%x\", \"\", 7,\n"
    "  { a = \"A\", b = false, ab = 1, [\"\"] = \"E\" },\n"
    "  { a = {} },\n"
    "  function(...) return table.concat({ ... }, \",\") end,\n"
    "  function(a) if a == \"b\" then return nil end return \"(\" .. tostring(a) .. \")\" end,\n"
    "  function() return true end,\n"
    "}\n"
    "function ops.gsub(L, s, p, r, n) return ser(L.gsub(s, p, repls[r] or r, n)) end\n"
    "\n"
    "local count, bad = 0, {}\n"
    "local function check(op, s, p, a, b)\n"
    "  count = count + 1\n"
    "  local ok1, r1 = pcall(ops[op], S, s, p, a, b)\n"
    "  local ok2, r2 = pcall(ops[op], M, s, p, a, b)\n"
    "  if ok1 ~= ok2 or r1 ~= r2 then\n"
    "    if #bad < 20 then\n"
    "      bad[#bad + 1] = (\"%s(%q, %q, %s, %s): stock %s %s, bounded %s %s\"):format(\n"
    "        op, tostring(s), tostring(p), tostring(a), tostring(b), ok1, r1, ok2, r2)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "\n"
    "-- ---- hand-written edge cases ----\n"
    "local F = {\n"
    "  {\"hello world\", \"o w\"}, {\"hello\", \"l+\"}, {\"hello\", \"\", 10}, {\"hello\", \"\", 6}, {\"hello\", \"\", 5},\n"
    "  {\"hello\", \"\", -2}, {\"hello\", \"l\", -100}, {\"hello\", \"l\", 0}, {\"hello\", \"lo\", -2}, {\"a.b\", \".\", 1, true},\n"
    "  {\"a+b\", \"+\", 1, true}, {\"a+b\", \"a+b\"}, {\"a+b\", \"a%+b\"}, {\"\", \"\"}, {\"\", \"^$\"}, {\"\", \"$\"}, {\"abc\", \"^b\"},\n"
    "  {\"abc\", \"^a\"}, {\"abc\", \"b$\"}, {\"abc\", \"c$\"}, {\"a$b\", \"$b\"}, {\"a$b\", \"a$\"}, {\"a$b\", \"%$\"}, {\"aaa\", \"a-\"},\n"
    "  {\"aaa\", \"a-$\"}, {\"aaa\", \"^a-b?\"}, {\"x=1, y=2\", \"(%w+)=(%w+)\"}, {\"hello\", \"()ll()\"}, {\"hello\", \"()\"},\n"
    "  {\"THE (quick) fox\", \"%((%a+)%)\"}, {\"f(a(b)c)d\", \"%b()\"}, {\"f(a(b)c\", \"%b()\"}, {\"[[x]]\", \"%b[]\"},\n"
    "  {\"aaab\", \"%baa\"}, {\"abba\", \"%bab\"}, {\"THE (quick) fox\", \"%f[%a]%a+\"}, {\"THE (quick) fox\", \"%f[%A]\"},\n"
    "  {\"hello\", \"%f[%l]\"}, {\"x\", \"%f[%z]\"}, {\"\\0x\", \"%f[%z]\"}, {\"abcabc\", \"(abc)%1\"}, {\"abcabd\", \"(abc)%1\"},\n"
    "  {\"hello\", \"(l)(l)\"}, {\"hello\", \"(h)(e)(l)(l)(o)\"}, {\"hello\", \"((h)(e))\"}, {\"abc\", \"a(.-)c\"},\n"
    "  {\"abc\", \"a(.*)c\"}, {\"abc\", \"a(.+)c\"}, {\"abc\", \"a(.?)c\"}, {\"ac\", \"a(.?)c\"}, {\"aXb\", \"%u\"}, {\"aXb\", \"%U+\"},\n"
    "  {\"a1b22\", \"%d+\"}, {\"a1b22\", \"%D+\"}, {\" \\t\\nx\", \"%s*()\"}, {\"a,b;c\", \"%p\"}, {\"a,b;c\", \"%P+\"},\n"
    "  {\"0xFFg\", \"%x+\"}, {\"0xFFg\", \"%X\"}, {\"a_b\", \"%w+\"}, {\"a_b\", \"%W\"}, {\"a\\1b\", \"%c\"}, {\"a\\1b\", \"%C+\"},\n"
    "  {\"a b\", \"%g+\"}, {\"a b\", \"%G\"}, {\"a\\0b\", \"%z\"}, {\"a\\0b\", \"\\0\"}, {\"a\\0b\", \"[\\0]\"}, {\"a\\0b\", \"%c\"},\n"
    "  {\"a\\0b\", \"a%zb\"}, {\"a\\0b\", \"[%z]\"}, {\"a-z\", \"[%a-]+\"}, {\"-a\", \"[a-]+\"}, {\"-a\", \"[-a]+\"}, {\"]x\", \"[]]\"},\n"
    "  {\"]x\", \"[^]]\"}, {\"a-z\", \"[a%-z]+\"}, {\"]x\", \"[%]]\"}, {\"zab\", \"[z-a]\"}, {\"b\", \"[a-c]\"}, {\"^\", \"[^^]\"},\n"
    "  {\"^\", \"[%^]\"}, {\"x^\", \"^^\"}, {\"^a\", \"^^a\"}, {\"a\", \"[^%a]\"}, {\"a\", \"[%A]\"}, {\"a\", \"[^%A]\"},\n"
    "  {\"aaa\", \"a*\"}, {\"aaa\", \"a*\", 2}, {\"aaa\", \"a*\", 4}, {\"aaa\", \"a*\", 5}, {\"aaa\", \"b*\", -1},\n"
    "  -- malformed\n"
    "  {\"a\", \"%\"}, {\"a\", \"a%\"}, {\"\", \"%\"}, {\"a\", \"[a\"}, {\"a\", \"[]\"}, {\"a\", \"[^]\"}, {\"a\", \"[a%\"}, {\"a\", \"[%\"},\n"
    "  {\"a\", \"[%]\"}, {\"\", \"x[\"}, {\"x\", \"x[\"}, {\"a\", \"(()\"}, {\"a\", \"(a\"}, {\"a\", \"a)\"}, {\"a\", \")\"}, {\"a\", \"%1\"},\n"
    "  {\"a\", \"(a)%2\"}, {\"a\", \"(a%1)\"}, {\"a\", \"()%1\"}, {\"a\", \"%0\"}, {\"a\", \"%b\"}, {\"a\", \"%ba\"}, {\"a\", \"%f\"},\n"
    "  {\"a\", \"%fa\"}, {\"a\", \"%f[a\"}, {\"a\", (\"()\"):rep(32)}, {\"a\", (\"()\"):rep(33)}, {\"a\", (\"(a)\"):rep(40)},\n"
    "  {(\"a\"):rep(300), (\"a?\"):rep(300)}, {(\"a\"):rep(198), (\"a?\"):rep(198)}, {(\"a\"):rep(199), (\"a?\"):rep(199)},\n"
    "  {(\"a\"):rep(200), (\"a?\"):rep(200)}, {(\"a\"):rep(300), (\"a*\"):rep(198)}, {(\"a\"):rep(300), (\"a*\"):rep(199)},\n"
    "  {\"\", (\"a*\"):rep(500)}, {(\"a\"):rep(40), (\"(a)\"):rep(31) .. (\"a?\"):rep(140)},\n"
    "  {(\"a\"):rep(40), (\"()\"):rep(20) .. (\"a-\"):rep(180) .. \"$\"},\n"
    "  {123, 2}, {\"a\", nil}, {nil, \"a\"}, {\"a\", \"a\", \"x\"}, {\"a\", \"a\", 1.5}, {\"a\", {}}, {1e15, \"e\"},\n"
    "}\n"
    "for _, c in ipairs(F) do\n"
    "  check(\"find\", c[1], c[2], c[3], c[4])\n"
    "  check(\"find\", c[1], c[2], c[3], true)\n"
    "  check(\"match\", c[1], c[2], c[3])\n"
    "  check(\"gmatch\", c[1], c[2], c[3])\n"
    "  for r = 1, #repls do check(\"gsub\", c[1], c[2], r, c[3]) end\n"
    "end\n"
    "local G = {\n"
    "  {\"hello world\", \"o\", 1, 1}, {\"hello\", \"\", 1}, {\"abc\", \"%w\", 1}, {\"abc\", \"%w\", 2}, {\"abc\", \"(%w)\", 3},\n"
    "  {\"abc\", \"%w\", 7}, {\"abc\", \"%w\", 8}, {\"abc\", \"b\", 5}, {\"abc\", \"%w+\", 11}, {\"abc\", \"()\", 2},\n"
    "  {\"abc\", \"a\", 1, 0}, {\"abc\", \"a\", 1, -1}, {\"abcabc\", \"b\", 1, 1}, {\"aaa\", \"^a\", 1}, {\"aaa\", \"a\", 1, 2.0},\n"
    "  {\"aaa\", \"a\", 1, 2.5}, {\"aaa\", \"a\", 1, \"2\"}, {\"aaa\", \"a\", 1, \"x\"}, {\"abc\", \"b\", true}, {\"abc\", \"b\", nil},\n"
    "  {\"abc\", \"b\", \"%\"}, {\"a b\", \"%s\", \"%%%0\"}, {\"abc\", \"\", \"-\"}, {\"abc\", \"b*\", \"-\"}, {\"abc\", \"x*\", \"-\"},\n"
    "  {\"hello world\", \"(o)\", \"[%1%1]\"}, {\"abc\", \"(b)(c)\", \"%2%1\"}, {\"abc\", \".\", 14}, {\"abc\", \"b\", 15},\n"
    "  {\"abc\", \"(b)\", \"%0\\0%1\"}, {\"abc\", \"b\", \"%\\0\"},\n"
    "}\n"
    "for _, c in ipairs(G) do check(\"gsub\", c[1], c[2], c[3], c[4]) end\n"
    "local GM = {\n"
    "  {\"one two three\", \"%a+\"}, {\"abc\", \"\"}, {\"abc\", \"()\"}, {\"key=val, k2=v2\", \"(%w+)=(%w+)\"},\n"
    "  {\"abcabc\", \"b\", 3}, {\"abcabc\", \"b\", -2}, {\"abc\", \"^a\"}, {\"^a^a\", \"^a\"}, {\"abc\", \"a\", 10},\n"
    "  {\"abc\", \"\", 4}, {\"abc\", \"\", 5}, {\"aaa\", \"a*\"}, {\"ab\", \"b*\"}, {\"abc\", \"%w\", 0}, {\"abc\", \"%w\", -10},\n"
    "}\n"
    "for _, c in ipairs(GM) do check(\"gmatch\", c[1], c[2], c[3]) end\n"
    "-- every byte against every class and its complement\n"
    "local all = {}\n"
    "for i = 0, 255 do all[#all + 1] = string.char(i) end\n"
    "all = table.concat(all)\n"
    "for cl in (\"acdglpsuwxACDGLPSUWXz.%[]()\"):gmatch(\".\") do\n"
    "  check(\"gsub\", all, \"%\" .. cl, \"\")\n"
    "  check(\"gsub\", all, \"[%\" .. cl .. \"]+\", \"<%0>\")\n"
    "  check(\"gsub\", all, \"[^%\" .. cl .. \"]\", \"\")\n"
    "end\n"
    "for _, set in ipairs({\"[a-f]\", \"[^a-f]\", \"[%a_]\", \"[\\200-\\255]\", \"[^\\0-\\127]\", \"[-]\", \"[a-]\"}) do\n"
    "  check(\"gsub\", all, set, \"\")\n"
    "end\n"
    "\n"
    "-- argument errors, called from C (no name at the call site) and as methods\n"
    "local argsets = {\n"
    "  {n = 0}, {n = 1, \"a\"}, {n = 2, \"a\", {}}, {n = 3, \"a\", \"a\", \"x\"}, {n = 3, \"a\", \"a\", 1.5},\n"
    "  {n = 4, \"a\", \"a\", {}, \"x\"}, {n = 2, io.stdout, \"a\"}, {n = 3, \"a\", \"a\", \"2\"}, {n = 3, \"a\", \"a\", nil},\n"
    "}\n"
    "local function meth(f, ...) local o = {f = f} return o:f(...) end\n"
    "for _, op in ipairs({\"find\", \"match\", \"gmatch\", \"gsub\"}) do\n"
    "  for _, a in ipairs(argsets) do\n"
    "    count = count + 1\n"
    "    local r1 = ser(pcall(S[op], table.unpack(a, 1, a.n)))\n"
    "    local r2 = ser(pcall(M[op], table.unpack(a, 1, a.n)))\n"
    "    r1 = r1 .. ser(pcall(meth, S[op], table.unpack(a, 2, a.n)))\n"
    "    r2 = r2 .. ser(pcall(meth, M[op], table.unpack(a, 2, a.n)))\n"
    "    if r1 ~= r2 and #bad < 20 then bad[#bad + 1] = op .. \" args: stock \" .. r1 .. \", bounded \" .. r2 end\n"
    "  end\n"
    "end\n"
    "\n"
    "-- ---- generated cases ----\n"
    "local seed = 20240611\n"
    "local function rnd(n)\n"
    "  seed = (seed * 1103515245 + 12345) % 2147483648\n"
    "  return (seed >> 8) % n + 1\n"
    "end\n"
    "local chars = {\"a\", \"b\", \"c\", \"(\", \")\", \" \", \"1\", \"a\", \"b\"}\n"
    "local items = {\"a\", \"b\", \"c\", \".\", \"%a\", \"%d\", \"%s\", \"%w\", \"%A\", \"%S\", \"[ab]\", \"[^a]\", \"[a-c]\",\n"
    "               \"[%d)]\", \"%(\", \"%)\", \"a\", \"b\"}\n"
    "local quants = {\"\", \"\", \"\", \"*\", \"+\", \"-\", \"?\"}\n"
    "local specials = {\"(\", \")\", \"()\", \"%1\", \"%2\", \"%b()\", \"%bab\", \"%f[%w]\", \"%f[^a]\", \"$\", \"%\", \"[\",\n"
    "                  \"^\", \"(\", \")\"}\n"
    "local function subject()\n"
    "  local t = {}\n"
    "  for i = 1, rnd(11) - 1 do t[i] = chars[rnd(#chars)] end\n"
    "  return table.concat(t)\n"
    "end\n"
    "local function pattern()\n"
    "  local t = {}\n"
    "  if rnd(6) == 1 then t[1] = \"^\" end\n"
    "  for _ = 1, rnd(6) do\n"
    "    if rnd(5) == 1 then t[#t + 1] = specials[rnd(#specials)]\n"
    "    else t[#t + 1] = items[rnd(#items)] .. quants[rnd(#quants)] end\n"
    "  end\n"
    "  return table.concat(t)\n"
    "end\n"
    "local inits = {nil, nil, nil, 1, 2, 3, -1, -3, 0, 12, -20}\n"
    "for _ = 1, 1500 do\n"
    "  local s, p, init = subject(), pattern(), inits[rnd(#inits)]\n"
    "  check(\"find\", s, p, init)\n"
    "  check(\"match\", s, p, init)\n"
    "  check(\"gmatch\", s, p, init)\n"
    "  check(\"gsub\", s, p, rnd(#repls), rnd(3) == 1 and rnd(4) - 1 or nil)\n"
    "end\n"
    "return count, bad\n"
    ;

static void test_differential(void **state)
{
    lua_State *L = *state;
    assert_int_equal(luaL_loadbufferx(L, diff_src, sizeof diff_src - 1, "=diff", "t"), LUA_OK);
    lua_getglobal(L, "string");
    lua_getglobal(L, "M");
    if (lua_pcall(L, 2, 2, 0) != LUA_OK)
        fail_msg("harness: %s", lua_tostring(L, -1));
    lua_Integer cases = lua_tointeger(L, -2);
    lua_Integer bad = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= bad; i++) {
        lua_rawgeti(L, -1, i);
        print_message("mismatch: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    printf("pattern: %lld differential cases\n", (long long)cases);
    assert_true(cases > 8000);
    assert_int_equal(bad, 0);
    lua_pop(L, 2);
}

/* The harness itself can fail: a bounded table that differs is caught. */
static void test_differential_can_fail(void **state)
{
    lua_State *L = *state;
    assert_int_equal(luaL_loadbufferx(L, diff_src, sizeof diff_src - 1, "=diff", "t"), LUA_OK);
    expect_ok(L, "W = setmetatable({find = function() return 1 end}, {__index = M}) return 'x'", "x");
    lua_getglobal(L, "string");
    lua_getglobal(L, "W");
    assert_int_equal(lua_pcall(L, 2, 2, 0), LUA_OK);
    assert_true(lua_rawlen(L, -1) > 0);
    lua_pop(L, 2);
}

/* ---- the step budget ---- */

static void test_bombs_stop(void **state)
{
    lua_State *L = *state;
    static const char *const bombs[] = {
        "return B.find(('a'):rep(40), ('a*'):rep(30) .. 'b')",
        "return B.match(('a'):rep(40), ('a*'):rep(30) .. 'b')",
        "for x in B.gmatch(('a'):rep(40), ('a-'):rep(30) .. 'b') do end",
        "return B.gsub(('a'):rep(40), ('a?'):rep(30) .. 'b', '')",
        "return B.find(('a'):rep(40), ('(a*)'):rep(20) .. '%1b')",
        "return B.find(('('):rep(100000), '%b()')",
        "return B.find(('a'):rep(1 << 20), ('a'):rep(1 << 19) .. 'b', 1, true)",
        "return B.find(('a'):rep(1 << 20), ('a'):rep(1 << 19) .. 'b')",
        "return B.gsub(('a'):rep(5000), '.-b', 'x')",
        "return B.find(('a'):rep(40), ('[a%a]*'):rep(30) .. '[^a]')",
    };
    for (size_t i = 0; i < sizeof bombs / sizeof *bombs; i++) {
        double t0 = now();
        expect_error(L, bombs[i], TOO_COMPLEX);
        double secs = now() - t0;
        printf("pattern: bomb %zu stopped after %.3f s\n", i + 1, secs);
        assert_true(secs < 10.0); /* stock Lua takes hours on the first ones */
    }
    /* The limit is per call: the next call works, and so does a gmatch
     * iterator that stopped once. */
    expect_ok(L, "return B.match('key = value', '(%w+)%s*=%s*(%w+)')", "key");
    expect_ok(L, "local n = 0 for w in B.gmatch(('ab '):rep(100000), '%a+') do n = n + 1 end return n",
              "100000");
    expect_ok(L, "return select(2, B.gsub(('ab '):rep(100000), '%s', ''))", "100000");
}

/* The limit is exactly max_steps: a small limit fails an ordinary match. */
static void test_limit_exact(void **state)
{
    lua_State *L = *state;
    emL_pattern_open(L, 10, NULL, NULL);
    lua_setglobal(L, "T");
    expect_ok(L, "return T.find('abc', 'c')", "3");       /* plain: one candidate */
    expect_ok(L, "return T.match('abc', '^abc')", "abc"); /* 1 start + 3 items */
    expect_error(L, "return T.match(('x'):rep(20), 'y')", TOO_COMPLEX);
    expect_ok(L, "return tostring(T.match(('x'):rep(4), 'y'))", "nil");
}

/* ---- charging ---- */

static size_t charged;
static size_t charge_calls;

static void charge_count(lua_State *L, void *ud, size_t steps)
{
    size_t *cap = ud;
    charged += steps;
    charge_calls++;
    assert_true(steps > 0);
    if (*cap && charged > *cap)
        luaL_error(L, "charged out after %d steps", (int)charged);
}

static void test_charge(void **state)
{
    lua_State *L = *state;
    static size_t cap = 0;
    emL_pattern_open(L, 0, charge_count, &cap);
    lua_setglobal(L, "C");
    charged = charge_calls = 0;
    expect_ok(L, "return C.find('xxab', 'a(b)')", "3");
    assert_true(charged >= 4 && charged < 20); /* 3 start positions, a few items */
    assert_int_equal(charge_calls, 1);         /* once, at the end */
    charged = charge_calls = 0;
    expect_ok(L, "return #C.gsub(('ab '):rep(10000), '%s', '')", "20000");
    assert_true(charged >= 30000);
    assert_true(charge_calls >= charged / EML_PATTERN_QUANTUM);
    /* A meter that raises stops a bomb with its own error. */
    cap = 1000000;
    charged = 0;
    expect_error(L, "return C.find(('a'):rep(40), ('a*'):rep(30) .. 'b')", "charged out after");
    assert_true(charged < cap + 2 * EML_PATTERN_QUANTUM);
    cap = 0;
    expect_ok(L, "return C.match('abc', 'b')", "b");
}

/* ---- speed against stock (printed, not asserted) ---- */

static void test_speed(void **state)
{
    lua_State *L = *state;
    static const char *const work[][2] = {
        {"gsub %s+ over 64 KB", "local s = ('lorem ipsum  dolor\\tsit amet, '):rep(2500)\n"
                                "for _ = 1, 20 do L.gsub(s, '%s+', ' ') end"},
        {"gmatch %a+ words", "local s = ('lorem ipsum dolor sit amet, '):rep(2500) local n = 0\n"
                             "for _ = 1, 20 do for w in L.gmatch(s, '%a+') do n = n + 1 end end"},
        {"match dates", "local n = 0 for i = 1, 100000 do\n"
                        "local y, m, d = L.match('2026-03-' .. (i % 28 + 1), '^(%d%d%d%d)%-(%d%d)%-(%d%d?)$')\n"
                        "if y then n = n + 1 end end"},
        {"find code in text", "local s = ('visit 97110 x2; ').rep('', 0) .. ('note text without codes '):rep(4000)"
                              " .. '97112'\nfor _ = 1, 50 do L.find(s, '%f[%d]97%d%d%d%f[%D]') end"},
        {"trim", "for i = 1, 100000 do L.match('   padded value ' .. i .. '   ', '^%s*(.-)%s*$') end"},
    };
    for (size_t i = 0; i < sizeof work / sizeof *work; i++) {
        double t[2];
        for (int k = 0; k < 2; k++) {
            char src[1024], got[256];
            snprintf(src, sizeof src, "local L = %s\n%s\nreturn 'done'", k ? "M" : "string", work[i][1]);
            double t0 = now();
            assert_int_equal(run(L, src, got, sizeof got), LUA_OK);
            t[k] = now() - t0;
        }
        printf("pattern: %-20s stock %7.1f ms, bounded %7.1f ms (x%.2f)\n", work[i][0], t[0] * 1e3,
               t[1] * 1e3, t[1] / t[0]);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    alarm(300); /* a bomb that is not stopped shows up as a hang: fail it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_differential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_differential_can_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bombs_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_charge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_speed, setup, teardown),
    };
    return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}
