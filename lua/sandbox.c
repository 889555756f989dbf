/* sandbox.c: the capped allocator, the per-script environment and the
 * instruction budget for untrusted payer and clinic scripts. */
#include "sandbox.h"
#include "pattern.h"

#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Instructions between two budget checks: small enough to stop a loop
 * promptly, large enough that the hook costs little (HAProxy uses ~10 000). */
#define BUDGET_TICK 1000
/* Bytes a library function or an allocation may touch per instruction. */
#define BYTES_PER_INSN 64
/* Pattern matching steps per instruction: a step (one item tried at one
 * place) costs a few ns, like an instruction; 4 keeps ordinary matching
 * cheap and stops a backtracking bomb within a rule's budget. */
#define STEPS_PER_INSN 4
/* Extra bytes the message handler may use when the cap was just hit. */
#define HANDLER_SLACK (16 * 1024)
#define WHERE_MAX 200

typedef struct sb_ctx {
    size_t used;       /* bytes handed out by sb_alloc, exactly */
    size_t limit;      /* 0: no cap */
    size_t slack;      /* extra bytes allowed while handling an error */
    bool lifted;       /* cap off while the host builds a message */
    bool capped;       /* a request was refused because of the cap */
    bool *freed;       /* set when the state closes during lua_newstate */
    void *main_block;  /* the state's own block: its free ends the ctx */
    /* the budgeted call in progress */
    bool active;       /* a budget is counting */
    bool spent;        /* it ran out: every instruction now raises */
    long left;         /* instructions left at the last check */
    long last_used;    /* what the last budgeted call spent (to ~1000) */
    int tick;          /* the hook's current count */
    lua_State *running;
    emL_fail last;
    char budget_where[WHERE_MAX];
    char mem_where[WHERE_MAX];
} sb_ctx;

/* Registry keys: addresses of these. */
static const char key_ctx = 0;        /* sb_ctx userdata in foreign states */
static const char key_template = 0;   /* what every env is copied from */
static const char key_envmeta = 0;    /* the env metatable */
static const char key_budget_msg = 0; /* the kill message, anchored */

static const char budget_msg[] = "instruction budget exceeded";

/* ---- context and where ---- */

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* The context without allocating (it may run inside the allocator's error
 * paths or a hook). NULL in a foreign state not yet set up. */
static sb_ctx *ctx_of(lua_State *L)
{
    void *ud;
    if (lua_getallocf(L, &ud) == sb_alloc)
        return ud;
    if (!lua_checkstack(L, 1))
        return NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_ctx);
    sb_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return c;
}

/* "path:line" of a frame: "@file" and "=name" chunk names lose their first
 * character so messages point at the file; string chunks use short_src. */
static void where_format(lua_Debug *ar, char *buf, size_t n)
{
    const char *src = ar->source;
    if (src && (src[0] == '@' || src[0] == '='))
        src++;
    else
        src = ar->short_src;
    if (ar->currentline > 0)
        snprintf(buf, n, "%s:%d", src, ar->currentline);
    else
        snprintf(buf, n, "%s", src);
}

/* The innermost Lua frame, skipping C ones; "" when there is none. Reads
 * only (no allocation), so the allocator may call it. */
static void where_find(lua_State *L, char *buf, size_t n)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar))
            return;
        if (strcmp(ar.what, "C") != 0) {
            where_format(&ar, buf, n);
            return;
        }
    }
}

/* ---- allocator ---- */

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sb_ctx *c = ud;
    size_t old = ptr ? osize : 0; /* with ptr NULL, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        c->used -= old;
        if (ptr && ptr == c->main_block) { /* the last free of lua_close */
            if (c->freed)
                *c->freed = true;
            free(c);
        }
        return NULL;
    }
    if (nsize <= old) { /* shrinking must succeed: keep the block if need be */
        void *p = realloc(ptr, nsize);
        c->used -= old - nsize;
        return p ? p : ptr;
    }
    size_t grow = nsize - old;
    if (c->limit && !c->lifted) {
        size_t cap = c->limit + c->slack;
        if (c->used > cap || grow > cap - c->used) {
            c->capped = true;
            if (c->running)
                where_find(c->running, c->mem_where, sizeof c->mem_where);
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    c->used += grow;
    if (!c->main_block)
        c->main_block = p; /* lua_newstate's first request is the state */
    if (c->active) /* big copies cost budget; the hook notices at its tick */
        c->left -= (long)(grow / BYTES_PER_INSN);
    return p;
}

static int sb_panic(lua_State *L)
{
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    fprintf(stderr, "eightmin: unprotected Lua error: %s\n",
            msg ? msg : "(error object is not a string)");
    return 0; /* Lua aborts */
}

/* ---- budget ---- */

static void hook_arm(lua_State *L, sb_ctx *c);

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    sb_ctx *c = ctx_of(L);
    if (!c || !c->active)
        return;
    if (!c->spent) {
        c->left -= c->tick;
        if (c->left > 0) {
            if (c->left < c->tick)
                hook_arm(L, c);
            return;
        }
        c->spent = true;
        if (lua_getinfo(L, "Sl", ar))
            where_format(ar, c->budget_where, sizeof c->budget_where);
        hook_arm(L, c); /* count 1 from now on: pcall cannot swallow it */
    }
    /* An interned, anchored string: pushing it allocates nothing. */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_budget_msg);
    lua_error(L);
}

static void hook_arm(lua_State *L, sb_ctx *c)
{
    long n = c->spent ? 1 : (c->left < BUDGET_TICK ? c->left : BUDGET_TICK);
    c->tick = (int)(n > 0 ? n : 1);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, c->tick);
}

/* Charges n instructions for work a C function does; raises the budget
 * error when that is more than what is left. */
static void budget_charge(lua_State *L, sb_ctx *c, size_t n)
{
    if (!c || !c->active)
        return;
    if (!c->spent && n < (size_t)LONG_MAX && (long)n < c->left) {
        c->left -= (long)n;
        return;
    }
    if (!c->spent) {
        c->spent = true;
        where_find(L, c->budget_where, sizeof c->budget_where);
        hook_arm(L, c);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_budget_msg);
    lua_error(L);
}

/* ---- charged library functions ---- */

enum charge_kind { CH_STRINGS, CH_REP, CH_INSERT, CH_REMOVE, CH_MOVE, CH_CONCAT, CH_UNPACK, CH_SORT };

/* Elements in t[i..j] (i at i_idx, j at j_idx, defaults 1 and #t); 0 when
 * the arguments are not integers: the library function reports that. */
static size_t count_range(lua_State *L, int i_idx, int j_idx, int t_idx)
{
    int ok = 1;
    lua_Integer i = lua_isnoneornil(L, i_idx) ? 1 : lua_tointegerx(L, i_idx, &ok);
    if (!ok)
        return 0;
    lua_Integer j = lua_isnoneornil(L, j_idx)
                        ? (lua_Integer)(lua_type(L, t_idx) == LUA_TTABLE ? lua_rawlen(L, t_idx) : 0)
                        : lua_tointegerx(L, j_idx, &ok);
    if (!ok || i > j)
        return 0;
    return (size_t)((lua_Unsigned)j - (lua_Unsigned)i) + 1; /* no overflow */
}

static size_t table_len(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TTABLE ? lua_rawlen(L, idx) : 0;
}

/* The cost of one call, in instructions. */
static size_t charge_cost(lua_State *L, enum charge_kind kind)
{
    int n = lua_gettop(L);
    size_t cost = 1;
    switch (kind) {
    case CH_STRINGS:
        for (int i = 1; i <= n; i++)
            if (lua_type(L, i) == LUA_TSTRING)
                cost += lua_rawlen(L, i) / BYTES_PER_INSN;
        break;
    case CH_REP: { /* rep("", n) loops n times without allocating */
        int ok;
        lua_Integer k = lua_tointegerx(L, 2, &ok);
        if (ok && k > 0 && lua_rawlen(L, 1) == 0 && lua_rawlen(L, 3) == 0)
            cost += (size_t)k;
        for (int i = 1; i <= n; i++)
            if (lua_type(L, i) == LUA_TSTRING)
                cost += lua_rawlen(L, i) / BYTES_PER_INSN;
        break;
    }
    case CH_INSERT: /* insert(t, pos, v) shifts; insert(t, v) appends */
        if (n >= 3)
            cost += table_len(L, 1);
        break;
    case CH_REMOVE:
        if (n >= 2)
            cost += table_len(L, 1);
        break;
    case CH_MOVE: /* move(a1, f, e, t [,a2]) */
        cost += count_range(L, 2, 3, 1);
        break;
    case CH_CONCAT: /* concat(t, sep, i, j) */
        cost += count_range(L, 3, 4, 1);
        break;
    case CH_UNPACK: /* unpack(t, i, j) */
        cost += count_range(L, 2, 3, 1);
        break;
    case CH_SORT: {
        size_t len = table_len(L, 1), lg = 1;
        while ((len >> lg) > 0)
            lg++;
        cost += len > SIZE_MAX / lg ? SIZE_MAX / 2 : len * lg;
        break;
    }
    }
    return cost;
}

/* The table functions loop in C over #t and t[i], which metamethods can
 * make endless or huge where no hook sees it: in the sandbox they take
 * plain tables only, so what is charged (raw length) is what runs. */
static void check_plain_table(lua_State *L, enum charge_kind kind)
{
    static const char *const events[] = {"__len", "__index", "__newindex"};
    if (kind == CH_STRINGS || kind == CH_REP || !lua_getmetatable(L, 1))
        return;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        bool has = lua_getfield(L, -1, events[i]) != LUA_TNIL;
        lua_pop(L, 1);
        if (has)
            luaL_error(L, "table functions take plain tables in the sandbox "
                          "(this one has %s)", events[i]);
    }
    lua_pop(L, 1);
}

/* upvalues: the library function, the kind */
static int lib_charged(lua_State *L)
{
    sb_ctx *c = ctx_of(L);
    enum charge_kind kind = (enum charge_kind)lua_tointeger(L, lua_upvalueindex(2));
    if (c && c->active) {
        check_plain_table(L, kind);
        budget_charge(L, c, charge_cost(L, kind));
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* The bounded pattern functions' meter: steps cost like instructions. */
static void pattern_charge(lua_State *L, void *ud, size_t steps)
{
    (void)ud;
    budget_charge(L, ctx_of(L), steps / STEPS_PER_INSN);
}

/* [-0, +0, m] Replaces t[name] (t at -1) by a charged wrapper. */
static void wrap_field(lua_State *L, const char *name, enum charge_kind kind)
{
    if (lua_getfield(L, -1, name) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return;
    }
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, lib_charged, 2);
    lua_setfield(L, -2, name);
}

/* [-0, +0, m] Re-wraps t[name] (t at -1), already wrapped by wrap_all,
 * with another kind. */
static void wrap_field_raw(lua_State *L, const char *name, enum charge_kind kind)
{
    if (lua_getfield(L, -1, name) != LUA_TFUNCTION || !lua_getupvalue(L, -1, 1)) {
        lua_pop(L, 1);
        return;
    }
    lua_remove(L, -2);
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, lib_charged, 2);
    lua_setfield(L, -2, name);
}

/* [-0, +0, m] Wraps every function of the table at -1 with CH_STRINGS. */
static void wrap_all(lua_State *L)
{
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -1) == LUA_TFUNCTION && lua_type(L, -2) == LUA_TSTRING) {
            lua_pushvalue(L, -2);          /* t k f k */
            lua_insert(L, -2);             /* t k k f */
            lua_pushinteger(L, CH_STRINGS);
            lua_pushcclosure(L, lib_charged, 2);
            lua_rawset(L, -4);             /* t k: replacing a key's value is fine in next */
        } else {
            lua_pop(L, 1);
        }
    }
}

/* [-0, +1, m] A shallow copy of the table at idx. */
static void copy_table(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
}

/* ---- what scripts call instead of the base functions ---- */

/* setmetatable without __gc: a finalizer would run later, in host code,
 * with hooks off (the GC disables them), so no budget could stop it. */
static int sb_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* xpcall's handler: not run once the budget is spent, because a handler
 * called for an error raised by the hook runs with hooks disabled. */
static int xpcall_guard(lua_State *L)
{
    sb_ctx *c = ctx_of(L);
    if (c && c->spent)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* upvalue: the base xpcall */
static int sb_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_guard, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* load(chunk [, name [, mode [, env]]]): text only, the env by default.
 * upvalues: the base load, the env */
static int sb_load(lua_State *L)
{
    bool has_env = lua_gettop(L) >= 4;
    sb_ctx *c = ctx_of(L);
    if (c && c->active && lua_type(L, 1) == LUA_TSTRING)
        budget_charge(L, c, 1 + lua_rawlen(L, 1) / BYTES_PER_INSN);
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    if (!has_env) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_replace(L, 4);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

static void key_name(lua_State *L, char *buf, size_t n)
{
    int t = lua_type(L, 2);
    if (t == LUA_TSTRING)
        snprintf(buf, n, "'%s'", lua_tostring(L, 2));
    else if (t == LUA_TNUMBER && lua_isinteger(L, 2))
        snprintf(buf, n, "[%lld]", (long long)lua_tointeger(L, 2));
    else
        snprintf(buf, n, "(a %s key)", luaL_typename(L, 2));
}

static int env_index(lua_State *L)
{
    char name[80];
    key_name(L, name, sizeof name);
    return luaL_error(L, "undefined global %s", name);
}

static int env_newindex(lua_State *L)
{
    char name[80];
    key_name(L, name, sizeof name);
    return luaL_error(L, "assignment to undefined global %s (declare it local)", name);
}

/* ---- set-up ---- */

static const char *const base_names[] = {
    "assert", "error", "ipairs", "next", "pairs", "pcall", "rawlen", "rawget",
    "select", "tostring", "type", "getmetatable", NULL,
};
static const char *const charged_base[] = {"tonumber", "rawequal", NULL};

/* [-0, +1, m] Pushes package.loaded[name], opening the library if needed. */
static void lib_get(lua_State *L, const char *name, lua_CFunction open)
{
    luaL_requiref(L, name, open, 0);
}

/* [-0, +0, m] Builds the template, the env metatable and the kill message,
 * and locks the string metatable. Once per state. */
static void sandbox_setup(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_template) == LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    luaL_checkstack(L, 10, NULL);
    if (!ctx_of(L)) { /* a foreign state: the budget still needs a home */
        sb_ctx *c = lua_newuserdatauv(L, sizeof *c, 0);
        memset(c, 0, sizeof *c);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &key_ctx);
    }
    lua_pushstring(L, budget_msg);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_budget_msg);

    lua_createtable(L, 0, 8); /* template */
    int tpl = lua_gettop(L);

    lua_createtable(L, 0, 20); /* base */
    lua_pushglobaltable(L);
    for (const char *const *p = base_names; *p; p++) {
        lua_getfield(L, -1, *p);
        lua_setfield(L, -3, *p);
    }
    for (const char *const *p = charged_base; *p; p++) {
        lua_getfield(L, -1, *p);
        lua_pushinteger(L, CH_STRINGS);
        lua_pushcclosure(L, lib_charged, 2);
        lua_setfield(L, -3, *p);
    }
    lua_getfield(L, -1, "xpcall");
    lua_pushcclosure(L, sb_xpcall, 1);
    lua_setfield(L, -3, "xpcall");
    lua_getfield(L, -1, "load");
    lua_setfield(L, tpl, "load"); /* env() makes a closure per env */
    lua_pop(L, 1);                /* globals */
    lua_pushcfunction(L, sb_setmetatable);
    lua_setfield(L, -2, "setmetatable");
    lua_setfield(L, tpl, "base");

    lib_get(L, LUA_STRLIBNAME, luaopen_string);
    copy_table(L, -1);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    emL_pattern_install(L, -1, 0, pattern_charge, NULL); /* stock matching has no bound */
    wrap_all(L);
    wrap_field_raw(L, "rep", CH_REP);
    /* The shared string metatable: methods from this copy, and no way for a
     * script to reach the host's string table through getmetatable(""). */
    lua_pushliteral(L, "");
    if (!lua_getmetatable(L, -1)) {
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setmetatable(L, -3);
    }
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    lua_setfield(L, tpl, "string");
    lua_pop(L, 1);

    lib_get(L, LUA_TABLIBNAME, luaopen_table);
    copy_table(L, -1);
    wrap_field(L, "insert", CH_INSERT);
    wrap_field(L, "remove", CH_REMOVE);
    wrap_field(L, "move", CH_MOVE);
    wrap_field(L, "concat", CH_CONCAT);
    wrap_field(L, "unpack", CH_UNPACK);
    wrap_field(L, "sort", CH_SORT);
    lua_setfield(L, tpl, "table");
    lua_pop(L, 1);

    lib_get(L, LUA_MATHLIBNAME, luaopen_math);
    copy_table(L, -1);
    lua_setfield(L, tpl, "math");
    lua_pop(L, 1);

    lib_get(L, LUA_UTF8LIBNAME, luaopen_utf8);
    copy_table(L, -1);
    wrap_all(L);
    lua_setfield(L, tpl, "utf8");
    lua_pop(L, 1);

    lib_get(L, LUA_OSLIBNAME, luaopen_os);
    lua_createtable(L, 0, 3);
    lua_getfield(L, -2, "time");
    lua_setfield(L, -2, "time");
    lua_getfield(L, -2, "clock");
    lua_setfield(L, -2, "clock");
    lua_getfield(L, -2, "date");
    lua_setfield(L, -2, "date");
    wrap_field(L, "date", CH_STRINGS);
    lua_setfield(L, tpl, "os");
    lua_pop(L, 1);

    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_template);

    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, env_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, env_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_envmeta);
}

static int newstate_open(lua_State *L)
{
    luaL_openlibs(L);
    sandbox_setup(L);
    return 0;
}

lua_State *emL_newstate(size_t mem_limit)
{
    sb_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    bool freed = false;
    c->limit = mem_limit;
    c->freed = &freed;
    lua_State *L = lua_newstate(sb_alloc, c);
    if (!L) {
        if (!freed) /* the state's block was never allocated */
            free(c);
        return NULL;
    }
    c->freed = NULL;
    lua_atpanic(L, sb_panic);
    lua_pushcfunction(L, newstate_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L); /* frees c */
        return NULL;
    }
    return L;
}

void emL_set_mem_limit(lua_State *L, size_t mem_limit)
{
    void *ud;
    if (lua_getallocf(L, &ud) == sb_alloc) {
        sb_ctx *c = ud;
        c->limit = mem_limit;
        c->capped = false;
    }
}

size_t emL_mem_limit(lua_State *L)
{
    void *ud;
    return lua_getallocf(L, &ud) == sb_alloc ? ((sb_ctx *)ud)->limit : 0;
}

size_t emL_mem_used(lua_State *L)
{
    void *ud;
    if (lua_getallocf(L, &ud) == sb_alloc)
        return ((sb_ctx *)ud)->used;
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

bool emL_mem_capped(lua_State *L)
{
    void *ud;
    return lua_getallocf(L, &ud) == sb_alloc && ((sb_ctx *)ud)->capped;
}

void emL_sandbox_env(lua_State *L)
{
    sandbox_setup(L);
    luaL_checkstack(L, 6, NULL);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_template);
    int tpl = lua_gettop(L);
    lua_getfield(L, tpl, "base");
    copy_table(L, -1); /* tpl base env */
    lua_remove(L, -2);
    static const char *const libs[] = {"string", "table", "math", "utf8", "os", NULL};
    for (const char *const *p = libs; *p; p++) {
        lua_getfield(L, tpl, *p);
        copy_table(L, -1);
        lua_setfield(L, -3, *p);
        lua_pop(L, 1);
    }
    lua_getfield(L, tpl, "load");
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, sb_load, 2);
    lua_setfield(L, -2, "load");
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    lua_pushliteral(L, LUA_VERSION);
    lua_setfield(L, -2, "_VERSION");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_envmeta);
    lua_setmetatable(L, -2);
    lua_remove(L, tpl);
}

/* ---- protected calls ---- */

/* Turns error objects into text without running any metamethod (a
 * __tostring could loop forever). Strings pass unchanged. */
static int sb_msgh(lua_State *L)
{
    sb_ctx *c = ctx_of(L);
    int t = lua_type(L, 1);
    if ((c && c->spent) || t == LUA_TSTRING)
        return 1; /* the budget message is written afterwards */
    if (c)
        c->slack = HANDLER_SLACK;
    if (t == LUA_TNUMBER) {
        lua_tostring(L, 1);
    } else {
        char where[WHERE_MAX];
        where_find(L, where, sizeof where);
        if (where[0])
            lua_pushfstring(L, "%s: error object is a %s value", where, luaL_typename(L, 1));
        else
            lua_pushfstring(L, "error object is a %s value", luaL_typename(L, 1));
    }
    if (c)
        c->slack = 0;
    return 1;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

typedef struct budget_save {
    bool active, spent;
    long left;
    lua_State *running;
    lua_Hook hook;
    int mask, count;
} budget_save;

int emL_pcall_budget(lua_State *L, int nargs, int nresults, long budget, emL_fail *fail)
{
    sb_ctx *c = ctx_of(L);
    if (!c || !lua_checkstack(L, 2)) {
        lua_settop(L, lua_gettop(L) - nargs - 1);
        lua_pushliteral(L, "sandbox not set up (call emL_open_sandbox) or no stack space");
        if (fail)
            *fail = emL_FAIL_ERROR;
        return LUA_ERRRUN;
    }
    budget_save outer = {c->active, c->spent, c->left, c->running,
                         lua_gethook(L), lua_gethookmask(L), lua_gethookcount(L)};
    bool nested = outer.active && outer.hook == budget_hook;
    if (nested && (budget <= 0 || budget > c->left))
        budget = c->left > 0 ? c->left : 1;
    c->active = budget > 0;
    c->spent = false;
    c->left = budget;
    c->running = L;
    c->capped = false;
    c->budget_where[0] = c->mem_where[0] = '\0';

    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, sb_msgh); /* a light C function: no allocation */
    lua_insert(L, base);
    if (c->active)
        hook_arm(L, c);
    else if (nested)
        lua_sethook(L, NULL, 0, 0);
    int st = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);

    bool spent = c->spent;
    long used = budget - c->left;
    c->last_used = used > 0 ? used : 0;
    c->active = outer.active;
    c->spent = outer.spent;
    c->left = outer.left;
    c->running = outer.running;
    if (nested) {
        c->left -= used > 0 ? used : 0;
        if (spent || c->left <= 0)
            c->spent = true;
        hook_arm(L, c);
    } else {
        lua_sethook(L, outer.hook, outer.mask, outer.count);
    }

    emL_fail kind = emL_FAIL_NONE;
    if (st != LUA_OK) {
        bool lifted = c->lifted;
        c->lifted = true; /* the message must not fail */
        size_t n = 0;
        const char *msg = lua_tolstring(L, -1, &n);
        if (spent)
            kind = emL_FAIL_BUDGET;
        else if (st == LUA_ERRMEM ||
                 (c->capped && msg && ends_with(msg, n, "not enough memory")))
            kind = emL_FAIL_MEMORY;
        else
            kind = emL_FAIL_ERROR;
        if (kind == emL_FAIL_MEMORY) {
            lua_pop(L, 1);
            lua_gc(L, LUA_GCCOLLECT, 0); /* room for the next call */
            if (!c->capped)
                lua_pushliteral(L, "not enough memory");
            else if (c->mem_where[0])
                lua_pushfstring(L, "memory limit exceeded (%I bytes) at %s",
                                (lua_Integer)c->limit, c->mem_where);
            else
                lua_pushfstring(L, "memory limit exceeded (%I bytes)", (lua_Integer)c->limit);
        } else if (kind == emL_FAIL_BUDGET) {
            lua_pop(L, 1);
            if (c->budget_where[0])
                lua_pushfstring(L, "%s at %s", budget_msg, c->budget_where);
            else
                lua_pushstring(L, budget_msg);
        } else if (!msg) {
            lua_pop(L, 1);
            lua_pushliteral(L, "error object is not a string");
        }
        c->lifted = lifted;
    }
    c->last = kind;
    if (fail)
        *fail = kind;
    return st;
}

emL_fail emL_last_fail(lua_State *L)
{
    sb_ctx *c = ctx_of(L);
    return c ? c->last : emL_FAIL_NONE;
}

/* ---- the Lua face ---- */

static int l_env(lua_State *L)
{
    emL_sandbox_env(L);
    return 1;
}

static int l_run(lua_State *L)
{
    static const char *const kinds[] = {"ok", "error", "budget", "memory"};
    lua_Integer budget = luaL_checkinteger(L, 1);
    luaL_argcheck(L, budget > 0, 1, "budget must be positive");
    luaL_checkany(L, 2);
    lua_pushboolean(L, 1);
    lua_replace(L, 1); /* true fn args... */
    emL_fail kind;
    long b = budget > LONG_MAX ? LONG_MAX : (long)budget;
    if (emL_pcall_budget(L, lua_gettop(L) - 2, LUA_MULTRET, b, &kind) == LUA_OK)
        return lua_gettop(L);
    lua_pushboolean(L, 0);
    lua_replace(L, 1); /* false msg */
    lua_pushstring(L, kinds[kind]);
    return 3;
}

/* spent() -> instructions the last run spent, to the hook's granularity;
 * lets the host share one budget among a visit's rules. */
static int l_spent(lua_State *L)
{
    sb_ctx *c = ctx_of(L);
    lua_pushinteger(L, c ? c->last_used : 0);
    return 1;
}

static int l_mem_used(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)emL_mem_used(L));
    return 1;
}

static int l_mem_limit(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)emL_mem_limit(L));
    if (!lua_isnoneornil(L, 1)) {
        lua_Integer n = luaL_checkinteger(L, 1);
        luaL_argcheck(L, n >= 0, 1, "limit must be 0 (none) or positive");
        emL_set_mem_limit(L, (size_t)n);
    }
    return 1;
}

static const luaL_Reg sandbox_funcs[] = {
    {"env", l_env},
    {"run", l_run},
    {"spent", l_spent},
    {"mem_used", l_mem_used},
    {"mem_limit", l_mem_limit},
    {NULL, NULL},
};

int emL_open_sandbox(lua_State *L)
{
    sandbox_setup(L);
    luaL_newlib(L, sandbox_funcs);
    return 1;
}
