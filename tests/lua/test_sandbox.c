/* test_sandbox.c: escapes from the script sandbox are stopped with the right
 * kind and message, and the state works for the next call. */
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

#include "sandbox.h"

#define MEM_LIMIT ((size_t)64 << 20)
#define BUDGET 1000000L

typedef struct outcome {
    int status;
    emL_fail kind;
    char text[512]; /* the message, or the first result as text */
} outcome;

static int setup(void **state)
{
    lua_State *L = emL_newstate(MEM_LIMIT);
    if (!L)
        return -1;
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

static void text_of(lua_State *L, int idx, char *buf, size_t n)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
    case LUA_TNUMBER:
        snprintf(buf, n, "%s", lua_tostring(L, idx));
        break;
    case LUA_TBOOLEAN:
        snprintf(buf, n, "%s", lua_toboolean(L, idx) ? "true" : "false");
        break;
    default:
        snprintf(buf, n, "<%s>", luaL_typename(L, idx));
    }
}

/* Loads src as chunk name in env (at env_idx) and calls it under a budget. */
static outcome run_in(lua_State *L, int env_idx, const char *src, const char *name, long budget)
{
    outcome o = {0};
    env_idx = lua_absindex(L, env_idx);
    int top = lua_gettop(L);
    int st = luaL_loadbufferx(L, src, strlen(src), name, "t");
    if (st != LUA_OK) {
        o.status = st;
        o.kind = emL_FAIL_ERROR;
        text_of(L, -1, o.text, sizeof o.text);
        lua_settop(L, top);
        return o;
    }
    lua_pushvalue(L, env_idx);
    assert_string_equal(lua_setupvalue(L, -2, 1), "_ENV");
    o.status = emL_pcall_budget(L, 0, 1, budget, &o.kind);
    assert_int_equal(lua_gettop(L), top + 1);
    text_of(L, -1, o.text, sizeof o.text);
    lua_settop(L, top);
    assert_null(lua_gethook(L)); /* removed after every call */
    return o;
}

/* A fresh env per script, as the host does. */
static outcome run(lua_State *L, const char *src)
{
    emL_sandbox_env(L);
    outcome o = run_in(L, -1, src, "@payer.lua", BUDGET);
    lua_pop(L, 1);
    return o;
}

static void expect(outcome o, int status, emL_fail kind, const char *text)
{
    if (strcmp(o.text, text) != 0)
        print_message("got: %s\n", o.text);
    assert_int_equal(o.status, status);
    assert_int_equal(o.kind, kind);
    assert_string_equal(o.text, text);
}

static void expect_has(outcome o, emL_fail kind, const char *part)
{
    if (!strstr(o.text, part))
        print_message("got: %s\n", o.text);
    assert_true(o.status != LUA_OK);
    assert_int_equal(o.kind, kind);
    assert_non_null(strstr(o.text, part));
}

/* After any failure the next ordinary call works. */
static void still_works(lua_State *L)
{
    expect(run(L, "local t = {} for i = 1, 100 do t[i] = i end return #t .. string.upper('x')"),
           LUA_OK, emL_FAIL_NONE, "100X");
    assert_int_equal(emL_last_fail(L), emL_FAIL_NONE);
}

static void test_normal_call(void **state)
{
    lua_State *L = *state;
    expect(run(L, "local s = ('%d-%s'):format(42, 'a') return s .. math.max(1, 2) .. _VERSION"),
           LUA_OK, emL_FAIL_NONE, "42-a2Lua 5.4");
    expect(run(L, "return os.date('!%Y-%m-%d', 0) .. type(os.time()) .. type(os.clock())"),
           LUA_OK, emL_FAIL_NONE, "1970-01-01numbernumber");
    expect(run(L, "return utf8.len('h\\u{e9}') + #table.concat({1, 2, 3}, ',')"),
           LUA_OK, emL_FAIL_NONE, "7");

    /* The overhead of one budgeted call of a loaded rule (printed, not
     * asserted: timings flake). */
    emL_sandbox_env(L);
    const char *src = "return 1 + 1";
    assert_int_equal(luaL_loadbufferx(L, src, strlen(src), "=rule", "t"), LUA_OK);
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1);
    enum { CALLS = 100000 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < CALLS; i++) {
        lua_pushvalue(L, -1);
        assert_int_equal(emL_pcall_budget(L, 0, 1, BUDGET, NULL), LUA_OK);
        assert_int_equal(lua_tointeger(L, -1), 2);
        lua_pop(L, 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / CALLS;
    printf("sandbox: %.0f ns per budgeted call of a trivial rule\n", ns);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < CALLS / 10; i++) {
        emL_sandbox_env(L);
        lua_pop(L, 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (CALLS / 10);
    printf("sandbox: %.0f ns per new environment\n", ns);
    lua_pop(L, 2);
}

static void test_infinite_loop(void **state)
{
    lua_State *L = *state;
    emL_sandbox_env(L);
    expect(run_in(L, -1, "local x = 0\nwhile true do x = x + 1 end", "@plugins/payers/medicare.lua", BUDGET),
           LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at plugins/payers/medicare.lua:2");
    lua_pop(L, 1);
    assert_int_equal(emL_last_fail(L), emL_FAIL_BUDGET);
    still_works(L);
}

static void test_loop_in_pcall_in_loop(void **state)
{
    lua_State *L = *state;
    expect(run(L, "while true do pcall(function() while true do end end) end"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:1");
    still_works(L);
    /* A loop in xpcall's handler: the handler is skipped once spent. */
    expect(run(L, "while true do\n"
                  "  xpcall(function() while true do end end,\n"
                  "         function() while true do end end)\nend"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:2");
    still_works(L);
    /* Nested pcalls unwind one level at a time. */
    expect_has(run(L, "pcall(pcall, pcall, function() while true do end end) while true do end"),
               emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:1");
    /* xpcall still works for ordinary errors. */
    expect(run(L, "return select(2, xpcall(function() error('x') end, function(m) return 'got ' .. m end))"),
           LUA_OK, emL_FAIL_NONE, "got payer.lua:1: x");
    still_works(L);
}

static void test_endless_recursion(void **state)
{
    lua_State *L = *state;
    /* Lua's stack limit (1M slots) needs more than 64 MB: under a lower cap
     * the same script is a memory failure, as clear. */
    emL_sandbox_env(L);
    expect_has(run_in(L, -1, "local function f() return 1 + f() end\nreturn f()", "@payer.lua", 100000000L),
               emL_FAIL_MEMORY, "memory limit exceeded (67108864 bytes) at payer.lua:1");
    still_works(L);
    emL_set_mem_limit(L, (size_t)256 << 20);
    expect_has(run_in(L, -1, "local function f() return 1 + f() end\nreturn f()", "@payer.lua", 100000000L),
               emL_FAIL_ERROR, "payer.lua:1: stack overflow");
    emL_set_mem_limit(L, MEM_LIMIT);
    lua_pop(L, 1);
    still_works(L);
    /* A metamethod recursion goes through C calls. */
    expect_has(run(L, "local t = setmetatable({}, {__index = function(t, k) return t[k] end})\n"
                      "return t.x"),
               emL_FAIL_ERROR, "payer.lua:1: C stack overflow");
    still_works(L);
    /* A tail call is a loop: the budget ends it. */
    expect(run(L, "local function f() return f() end\nreturn f()"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:1");
    still_works(L);
}

static void test_memory_cap(void **state)
{
    lua_State *L = *state;
    size_t before = emL_mem_used(L);
    expect(run(L, "local s = string.rep('x', 1 << 30)\nreturn #s"),
           LUA_ERRMEM, emL_FAIL_MEMORY, "memory limit exceeded (67108864 bytes) at payer.lua:1");
    assert_true(emL_mem_capped(L));
    still_works(L);
    emL_sandbox_env(L);
    expect(run_in(L, -1, "local t, i = {}, 0\nwhile true do\n  i = i + 1\n  t[i] = {i}\nend",
                  "@payer.lua", 100000000L),
           LUA_ERRMEM, emL_FAIL_MEMORY, "memory limit exceeded (67108864 bytes) at payer.lua:4");
    lua_pop(L, 1);
    /* The garbage is gone: the next call has room. */
    assert_true(emL_mem_used(L) < before + (1 << 20));
    still_works(L);
    expect_has(run(L, "local s = 'x' while true do s = s .. s end"), emL_FAIL_MEMORY,
               "memory limit exceeded (67108864 bytes) at payer.lua:1");
    still_works(L);
    /* A script may catch a refusal and go on within the cap. */
    expect(run(L, "local ok, e = pcall(string.rep, 'x', 1 << 30) return tostring(ok) .. ' ' .. e"),
           LUA_OK, emL_FAIL_NONE, "false not enough memory");
}

static void test_memory_accounting(void **state)
{
    lua_State *L = *state;
    /* The allocator counts exactly what Lua believes it holds, also after
     * stacks, tables and the string table grew and shrank. */
    expect(run(L, "local function f(n) if n > 0 then return 1 + f(n - 1) end return 0 end\n"
                  "local t = {} for i = 1, 50000 do t[i] = 'k' .. i end\n"
                  "for i = 1, 50000 do t[i] = nil end t.x = 1\n"
                  "return f(20000)"),
           LUA_OK, emL_FAIL_NONE, "20000");
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    size_t lua_count = (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
    assert_int_equal(emL_mem_used(L), lua_count);
    assert_int_equal(emL_mem_limit(L), MEM_LIMIT);
    /* A lower cap applies to growth only. */
    size_t used = emL_mem_used(L);
    emL_set_mem_limit(L, used + (256 << 10));
    expect_has(run(L, "local t = {} for i = 1, 1e6 do t[i] = i end"), emL_FAIL_MEMORY,
               "memory limit exceeded");
    emL_set_mem_limit(L, MEM_LIMIT);
    still_works(L);
    /* Too small for the libraries: no state, nothing leaked. */
    assert_null(emL_newstate(1000));
    assert_null(emL_newstate(20000));
    lua_State *L2 = emL_newstate(0); /* no cap */
    assert_non_null(L2);
    assert_int_equal(emL_mem_limit(L2), 0);
    lua_close(L2);
}

static void test_error_objects(void **state)
{
    lua_State *L = *state;
    expect(run(L, "error({})"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: error object is a table value");
    expect(run(L, "\nerror(setmetatable({}, {__tostring = function() while true do end end}))"),
           LUA_ERRRUN, emL_FAIL_ERROR, "payer.lua:2: error object is a table value");
    expect(run(L, "error()"), LUA_ERRRUN, emL_FAIL_ERROR, "payer.lua:1: error object is a nil value");
    expect(run(L, "error(42)"), LUA_ERRRUN, emL_FAIL_ERROR, "42");
    expect(run(L, "error('plain', 0)"), LUA_ERRRUN, emL_FAIL_ERROR, "plain");
    expect(run(L, "local x = nil\nreturn x.y"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:2: attempt to index a nil value (local 'x')");
    still_works(L);
}

static void test_no_escape_globals(void **state)
{
    lua_State *L = *state;
    static const char *const names[] = {
        "io", "dofile", "loadfile", "require", "debug", "collectgarbage", "package",
        "print", "coroutine", "rawset", "warn", "loadstring", "setfenv", "newproxy", NULL,
    };
    for (const char *const *p = names; *p; p++) {
        char src[64], want[128];
        snprintf(src, sizeof src, "return %s", *p);
        snprintf(want, sizeof want, "payer.lua:1: undefined global '%s'", *p);
        expect(run(L, src), LUA_ERRRUN, emL_FAIL_ERROR, want);
    }
    expect(run(L, "return os.execute, os.exit, os.getenv, os.remove, os.rename,"
                  " os.tmpname, string.dump, ('').dump, math.huge == 1/0"),
           LUA_OK, emL_FAIL_NONE, "<nil>");
    expect(run(L, "local n = 0 for k in pairs(os) do n = n + 1 end\n"
                  "return n .. tostring(os.execute == nil and os.exit == nil and os.getenv == nil)"),
           LUA_OK, emL_FAIL_NONE, "3true");
    expect(run(L, "os.execute('touch /tmp/eightmin-sandbox-escaped')"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: attempt to call a nil value (field 'execute')");
    expect(run(L, "os.exit(3)"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: attempt to call a nil value (field 'exit')");
    expect(run(L, "return string.dump(function() end)"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: attempt to call a nil value (field 'dump')");
    expect(run(L, "return ('').dump(function() end)"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: attempt to call a nil value (field 'dump')");
    still_works(L);
}

static void test_globals_locked(void **state)
{
    lua_State *L = *state;
    expect(run(L, "x = 1"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: assignment to undefined global 'x' (declare it local)");
    expect(run(L, "_G.y = 1"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: assignment to undefined global 'y' (declare it local)");
    expect(run(L, "return getmetatable(_G)"), LUA_OK, emL_FAIL_NONE, "false");
    expect(run(L, "setmetatable(_G, nil)"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: cannot change a protected metatable");
    expect(run(L, "return rawget(_G, 'nope') == nil and _G == _ENV"), LUA_OK, emL_FAIL_NONE, "true");
    /* Known globals may be replaced: the env is the script's own. */
    expect(run(L, "local t = table table = nil return rawget(_G, 'table') == nil and t ~= nil"),
           LUA_OK, emL_FAIL_NONE, "true");
    /* No finalizers: they would run later, outside any budget. */
    expect(run(L, "setmetatable({}, {__gc = function() while true do end end})"), LUA_ERRRUN,
           emL_FAIL_ERROR, "payer.lua:1: __gc metamethods are not allowed in the sandbox");
    expect(run(L, "return getmetatable(setmetatable({}, {__index = {a = 1}})).__index.a"),
           LUA_OK, emL_FAIL_NONE, "1");
    still_works(L);
}

static void test_load(void **state)
{
    lua_State *L = *state;
    /* A binary chunk made by the host (scripts cannot dump), handed over. */
    emL_sandbox_env(L);
    assert_int_equal(luaL_dostring(L, "return string.dump(load('return 7'))"), LUA_OK);
    assert_int_equal(lua_type(L, -1), LUA_TSTRING);
    lua_setfield(L, LUA_REGISTRYINDEX, "test_sandbox.bin");
    lua_pushliteral(L, "bin");
    lua_getfield(L, LUA_REGISTRYINDEX, "test_sandbox.bin");
    lua_rawset(L, -3); /* rawset: the env raises on new keys */
    expect(run_in(L, -1, "local f, err = load(bin) return tostring(f) .. ' ' .. err", "@payer.lua", BUDGET),
           LUA_OK, emL_FAIL_NONE, "nil attempt to load a binary chunk (mode is 't')");
    expect(run_in(L, -1, "local f, err = load(bin, 'x', 'b') return tostring(f) .. ' ' .. err", "@payer.lua",
                  BUDGET),
           LUA_OK, emL_FAIL_NONE, "nil attempt to load a binary chunk (mode is 't')");
    /* A reader function cannot sneak it in either. */
    expect(run_in(L, -1, "local done local f, err = load(function() if not done then done = true return bin end end)\n"
                         "return tostring(f) .. ' ' .. err", "@payer.lua", BUDGET),
           LUA_OK, emL_FAIL_NONE, "nil attempt to load a binary chunk (mode is 't')");
    lua_pop(L, 1);

    /* Text loads, and sees the sandbox env by default. */
    expect(run(L, "local f = assert(load('return _G, string.upper(\\'a\\')'))\n"
                  "local g, s = f() return tostring(g == _G) .. s"),
           LUA_OK, emL_FAIL_NONE, "trueA");
    expect(run(L, "local f = load('return io', '=inner') return f()"), LUA_ERRRUN, emL_FAIL_ERROR,
           "inner:1: undefined global 'io'");
    expect(run(L, "local f = load('x = 1', '=inner') f()"), LUA_ERRRUN, emL_FAIL_ERROR,
           "inner:1: assignment to undefined global 'x' (declare it local)");
    /* An explicit env is the script's own table. */
    expect(run(L, "local e = {v = 5} local f = load('w = v + 1', 'c', 't', e) f() return e.w"),
           LUA_OK, emL_FAIL_NONE, "6");
    expect(run(L, "local f = load('while true do end', '@inner.lua') f()"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at inner.lua:1");
    expect(run(L, "return select(2, load('return +', '=bad'))"), LUA_OK, emL_FAIL_NONE,
           "bad:1: unexpected symbol near '+'");
    still_works(L);
}

static void test_string_metatable(void **state)
{
    lua_State *L = *state;
    expect(run(L, "return getmetatable('')"), LUA_OK, emL_FAIL_NONE, "false");
    expect(run(L, "return getmetatable('').__index"), LUA_ERRRUN, emL_FAIL_ERROR,
           "payer.lua:1: attempt to index a boolean value");
    expect(run(L, "return ('ab'):rep(3) .. ('%d'):format(5) .. ('x'):upper()"), LUA_OK,
           emL_FAIL_NONE, "ababab5X");
    /* The host's string table is not what methods use. */
    lua_pushliteral(L, "");
    assert_true(lua_getmetatable(L, -1));
    lua_getfield(L, -1, "__index");
    lua_getglobal(L, "string");
    assert_false(lua_rawequal(L, -1, -2));
    lua_getfield(L, -1, "dump");
    assert_int_equal(lua_type(L, -1), LUA_TFUNCTION); /* the host keeps it */
    lua_getfield(L, -3, "dump");
    assert_int_equal(lua_type(L, -1), LUA_TNIL);
    lua_pop(L, 6);
}

static void test_env_copies(void **state)
{
    lua_State *L = *state;
    emL_sandbox_env(L);
    emL_sandbox_env(L);
    expect(run_in(L, -2, "string.upper = nil string.extra = 1 math.pi = 3 table.insert = nil\n"
                         "return ('x'):upper()", "@a.lua", BUDGET),
           LUA_OK, emL_FAIL_NONE, "X");
    expect(run_in(L, -1, "return string.upper('a') .. tostring(rawget(string, 'extra')) .. math.pi"
                         " .. type(table.insert)", "@b.lua", BUDGET),
           LUA_OK, emL_FAIL_NONE, "Anil3.1415926535898function");
    expect(run_in(L, -2, "return string.upper('a')", "@a.lua", BUDGET), LUA_ERRRUN, emL_FAIL_ERROR,
           "a.lua:1: attempt to call a nil value (field 'upper')");
    lua_pop(L, 2);
    /* The host's libraries are untouched. */
    assert_int_equal(luaL_dostring(L, "return string.upper('a') .. tostring(string.extra) .. math.pi"
                                      " .. type(table.insert)"), LUA_OK);
    assert_string_equal(lua_tostring(L, -1), "Anil3.1415926535898function");
    lua_pop(L, 1);
    /* Every env has its own tables. */
    emL_sandbox_env(L);
    emL_sandbox_env(L);
    lua_getfield(L, -1, "string");
    lua_getfield(L, -3, "string");
    assert_false(lua_rawequal(L, -1, -2));
    lua_pop(L, 4);
}

static void test_library_work_is_charged(void **state)
{
    lua_State *L = *state;
    expect(run(L, "return #string.rep('', 1 << 60)"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at payer.lua:1");
    expect(run(L, "return #(''):rep(1 << 60)"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at payer.lua:1");
    expect(run(L, "table.move({}, 1, math.maxinteger, 2)"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at payer.lua:1");
    expect(run(L, "local s = string.rep('x', 1 << 22)\n"
                  "for i = 1, 100 do s:find('y', 1, true) end"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:2");
    expect(run(L, "local t = {} for i = 1, 1000 do t[i] = i end\n"
                  "for i = 1, 1e6 do table.insert(t, 1, i) end"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:2");
    /* Ordinary use stays cheap. */
    expect(run(L, "local t = {} for i = 1, 1000 do table.insert(t, i) end\n"
                  "table.sort(t, function(a, b) return a > b end)\n"
                  "return table.concat(t, ',', 1, 3) .. #('-'):rep(80)"),
           LUA_OK, emL_FAIL_NONE, "1000,999,99880");
    expect(run(L, "return select('#', table.unpack({}, 1, 1e8))"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at payer.lua:1");
    still_works(L);
}

/* Backtracking patterns (hours in stock Lua) run out of budget like a loop,
 * pcall cannot swallow that, and ordinary matching still works. */
static void test_pattern_bomb(void **state)
{
    lua_State *L = *state;
    expect(run(L, "local s = ('a'):rep(40)\nreturn s:find(('a*'):rep(30) .. 'b')"), LUA_ERRRUN,
           emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:2");
    expect(run(L, "local function bomb(s) return string.match(s, ('a?'):rep(30) .. 'b') end\n"
                  "for i = 1, 10 do pcall(bomb, ('a'):rep(40)) end\nreturn 'swallowed'"),
           LUA_ERRRUN, emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:1");
    expect(run(L, "for w in string.gmatch(('a'):rep(40), ('a-'):rep(30) .. 'b') do end"), LUA_ERRRUN,
           emL_FAIL_BUDGET, "instruction budget exceeded at payer.lua:1");
    expect(run(L, "return (('('):rep(200000)):gsub('%b()', '')"), LUA_ERRRUN, emL_FAIL_BUDGET,
           "instruction budget exceeded at payer.lua:1");
    still_works(L);
    expect(run(L, "local n = 0 for k, v in ('a=1, b=22'):gmatch('(%w+)=(%w+)') do n = n + #v end\n"
                  "return ('x y'):gsub('%s', '_') .. n .. select(2, string.find('abc', '(b)'))"),
           LUA_OK, emL_FAIL_NONE, "x_y32");
    expect(run(L, "return string.find()"), LUA_ERRRUN, emL_FAIL_ERROR,
           "bad argument #1 to 'string.find' (string expected, got no value)");
    expect(run(L, "return ('a'):match('(')"), LUA_ERRRUN, emL_FAIL_ERROR, "unfinished capture");
}

/* ---- the Lua face ---- */

static void lua_ok(lua_State *L, const char *src, const char *want)
{
    int top = lua_gettop(L);
    if (luaL_loadstring(L, src) != LUA_OK || (lua_pushvalue(L, top), lua_pcall(L, 1, 1, 0)) != LUA_OK)
        print_message("lua error: %s\n", lua_tostring(L, -1));
    assert_int_equal(lua_gettop(L), top + 1);
    assert_string_equal(lua_tostring(L, -1), want);
    lua_settop(L, top);
}

static void test_lua_module(void **state)
{
    lua_State *L = *state;
    emL_open_sandbox(L); /* the module is passed to each chunk as ... */
    lua_ok(L, "local sb = ... local env = sb.env()\n"
              "local f = load('while true do end', '@plugins/payers/acme.lua', 't', env)\n"
              "return table.concat({tostring(select(1, sb.run(10000, f))), select(2, sb.run(10000, f))}, '|')",
           "false|instruction budget exceeded at plugins/payers/acme.lua:1|budget");
    lua_ok(L, "local sb = ... local ok, a, b = sb.run(100, function(x, y) return x + y, 'z' end, 1, 2)\n"
              "return tostring(ok) .. a .. b",
           "true3z");
    lua_ok(L, "local sb = ... local f = load('error({})', '=rule', 't', sb.env())\n"
              "local ok, msg, kind = sb.run(1000, f) return tostring(ok) .. '|' .. msg .. '|' .. kind",
           "false|rule:1: error object is a table value|error");
    lua_ok(L, "local sb = ... local f = load('local t = {} while true do t[#t + 1] = t end', '=rule', 't', sb.env())\n"
              "local ok, msg, kind = sb.run(1e9, f) return tostring(ok) .. '|' .. kind",
           "false|memory");
    lua_ok(L, "local sb = ... return math.type(sb.mem_used()) .. tostring(sb.mem_used() > 10000)"
              " .. tostring(sb.mem_limit() == 64 * 1024 * 1024)",
           "integertruetrue");
    lua_ok(L, "local sb = ... return (select(2, pcall(function() return sb.run(0, print) end)):match('bad.*'))",
           "bad argument #1 to 'run' (budget must be positive)");
    /* A nested run cannot outlive the outer budget. */
    lua_ok(L, "local sb = ...\n"
              "local inner\n"
              "local ok, msg, kind = sb.run(50000, function()\n"
              "  inner = {sb.run(1e15, function() while true do end end)}\n"
              "  return 'outer survived'\n"
              "end)\n"
              "return tostring(ok) .. '|' .. kind .. '|' .. tostring(inner)",
           "false|budget|nil"); /* the outer dies at its next instruction */
    lua_ok(L, "local sb = ...\n"
              "local ok, a, b = sb.run(50000, function()\n"
              "  return sb.run(100, function() return 'in' end)\n"
              "end)\n"
              "return tostring(ok) .. tostring(a) .. b",
           "truetruein");
    lua_pop(L, 1);
    assert_null(lua_gethook(L));
    still_works(L);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    alarm(300); /* a sandbox escape shows up as a hang: fail it instead */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normal_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_infinite_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop_in_pcall_in_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_recursion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_accounting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_escape_globals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_globals_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_metatable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_library_work_is_charged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lua_module, setup, teardown),
    };
    return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
