/* units.c: units(), units_for_minutes(), code(), codes(), add_code(). The
 * code table lives once per lua_State, in the registry. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "emL.h"
#include "em_codes.h"
#include "em_units.h"

#define EML_CODES "eightmin.CodeTable"
#define UNITS_MAX_ITEMS 10000  /* a day has a few codes; this only bounds memory */

static const char codes_key = 'c'; /* its address keys the table in the registry */

static int codes_gc(lua_State *L)
{
    em_code_table **box = luaL_checkudata(L, 1, EML_CODES);
    if (*box)
        em_codes_free(*box);
    *box = NULL;
    return 0;
}

em_code_table *emL_codes(lua_State *L)
{
    em_code_table **box;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &codes_key) == LUA_TUSERDATA) {
        box = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return *box;
    }
    lua_pop(L, 1);
    box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;  /* owned by __gc before the table exists */
    if (luaL_newmetatable(L, EML_CODES)) {
        lua_pushcfunction(L, codes_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    *box = em_codes_new();
    if (!*box)
        luaL_error(L, "out of memory making the code table");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &codes_key);
    return *box;
}

static int check_int(lua_State *L, int arg, int idx, const char *path)
{
    lua_Integer v = emL_checkwhole(L, arg, idx, path);
    if (v < INT_MIN || v > INT_MAX)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s: %I is out of range", path, v));
    return (int)v;
}

/* ---- units ---- */

static void policy_raise(lua_State *L, int arg, em_error *err)
{
    if (strncmp(err->field, "policy", 6) != 0)
        em_error_prefix_field(err, "policy");
    emL_pusherror(L, err);
    luaL_argerror(L, arg, lua_tostring(L, -1));
}

/* policy: nil (CMS), "cms", "ama" or {unit_minutes=, threshold=, pooled=}. */
static em_unit_policy units_policy(lua_State *L, int arg)
{
    static const char *const names[] = {"cms", "ama", NULL};
    static const char *const keys[] = {"unit_minutes", "threshold", "pooled", "method", NULL};
    static const char *const labels[] = {"cms", "ama", "custom", NULL};
    if (lua_isnoneornil(L, arg))
        return em_policy_cms;
    if (lua_type(L, arg) == LUA_TSTRING)
        return *em_policy_by_name(names[luaL_checkoption(L, arg, NULL, names)]);
    if (!lua_istable(L, arg))
        luaL_typeerror(L, arg, "\"cms\", \"ama\" or a policy table");
    emL_checkkeys(L, arg, arg, "policy", keys);
    em_unit_policy p = {EM_METHOD_CUSTOM, 0, 0, false};
    lua_getfield(L, arg, "unit_minutes");
    p.unit_minutes = check_int(L, arg, -1, "policy.unit_minutes");
    lua_getfield(L, arg, "threshold");
    p.threshold = check_int(L, arg, -1, "policy.threshold");
    if (lua_getfield(L, arg, "pooled") != LUA_TBOOLEAN)
        emL_fielderror(L, arg, "policy.pooled", "boolean", -1);
    p.pooled = lua_toboolean(L, -1);
    if (lua_getfield(L, arg, "method") != LUA_TNIL) {  /* a label: the numbers decide */
        if (lua_type(L, -1) != LUA_TSTRING)
            emL_fielderror(L, arg, "policy.method", "string", -1);
        const char *label = lua_tostring(L, -1);
        int m = 0;
        while (labels[m] && strcmp(labels[m], label) != 0)
            m++;
        if (!labels[m])
            luaL_argerror(L, arg, lua_pushfstring(L, "policy.method: '%s' is not cms, ama or "
                                                     "custom", label));
        p.method = (em_unit_method)m;
    }
    lua_pop(L, 4);
    em_error err;
    em_error_clear(&err);
    if (em_policy_check(&p, &err) != EM_OK)
        policy_raise(L, arg, &err);
    return p;
}

/* Minutes of a "CODE=MINUTES" string; false when not a whole number. */
static bool parse_minutes(const char *s, lua_Integer *out)
{
    bool neg = *s == '-';
    s += neg;
    if (!*s)
        return false;
    lua_Integer v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v < 1000000)  /* anything larger is out of range anyway */
            v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* items[i] as {cpt=, minutes=} or "CODE=MINUTES": copies the code into cpt.
 * Wrong types raise; bad data fills err and returns false. */
static bool units_item(lua_State *L, lua_Integer i, em_unit_item *it, char *cpt,
                       em_error *err)
{
    char path[48], sub[64];
    snprintf(path, sizeof path, "items[%lld]", (long long)i);
    int top = lua_gettop(L);
    size_t len = 0;
    const char *code;
    lua_Integer minutes = 0;
    int t = lua_rawgeti(L, 1, i);
    if (t == LUA_TSTRING) {
        code = lua_tolstring(L, -1, &len);
        const char *eq = memchr(code, '=', len);
        if (!eq || strlen(code) != len || !parse_minutes(eq + 1, &minutes)) {
            em_error_set(err, EM_EINVAL, path, "'%s': expected CODE=MINUTES, like 97112=24",
                         code);
            lua_settop(L, top);
            return false;
        }
        len = (size_t)(eq - code);
    } else if (t == LUA_TTABLE) {
        snprintf(sub, sizeof sub, "%s.cpt", path);
        if (lua_getfield(L, -1, "cpt") != LUA_TSTRING)
            emL_fielderror(L, 1, sub, "string", -1);
        code = lua_tolstring(L, -1, &len);
        snprintf(sub, sizeof sub, "%s.minutes", path);
        lua_getfield(L, -2, "minutes");
        minutes = emL_checkwhole(L, 1, -1, sub);
    } else {
        emL_fielderror(L, 1, path, "table or \"CODE=MINUTES\"", -1);
        return false;
    }
    if (len > EM_CPT_MAX || strlen(code) < len) {  /* core would say the same */
        em_error_set(err, EM_EINVAL, path, "not a procedure code (1 to %d letters and "
                     "digits, like 97112)", EM_CPT_MAX);
        lua_settop(L, top);
        return false;
    }
    memcpy(cpt, code, len);
    cpt[len] = '\0';
    lua_settop(L, top);
    if (minutes < 0 || minutes > EM_DAY_MINUTES) {  /* before it could overflow an int */
        snprintf(sub, sizeof sub, "%s.minutes", path);
        em_error_set(err, EM_ERANGE, sub, "minutes must be 0 to %d, got %lld", EM_DAY_MINUTES,
                     (long long)minutes);
        return false;
    }
    it->cpt = cpt;
    it->minutes = (int)minutes;
    return true;
}

/* Core counts items from 0, Lua from 1: "items[0].minutes" -> "items[1].minutes". */
static void units_renumber(em_error *err)
{
    unsigned long i;
    int used = 0;
    if (sscanf(err->field, "items[%lu]%n", &i, &used) < 1 || used == 0)
        return;
    char head[32];
    int n = snprintf(head, sizeof head, "items[%lu]", i + 1);
    size_t rest = strlen(err->field + used);
    if (n <= 0 || (size_t)n + rest >= sizeof err->field)
        return;  /* cannot happen with a field core wrote; keep it as it is */
    memmove(err->field + n, err->field + used, rest + 1);
    memcpy(err->field, head, (size_t)n);
}

static void push_unit_line(lua_State *L, const em_unit_line *l)
{
    lua_createtable(L, 0, 8);
    lua_pushstring(L, l->cpt);
    lua_setfield(L, -2, "cpt");
    lua_pushinteger(L, l->minutes);
    lua_setfield(L, -2, "minutes");
    lua_pushinteger(L, l->units);
    lua_setfield(L, -2, "units");
    lua_pushinteger(L, l->full_units);
    lua_setfield(L, -2, "full_units");
    lua_pushinteger(L, l->leftover_minutes);
    lua_setfield(L, -2, "leftover_minutes");
    lua_pushstring(L, em_unit_reason_name(l->reason));
    lua_setfield(L, -2, "reason");
    lua_pushboolean(L, l->code && l->code->kind == EM_CODE_TIMED);
    lua_setfield(L, -2, "timed");
    lua_pushboolean(L, l->pooled);
    lua_setfield(L, -2, "pooled");
}

static void push_unit_result(lua_State *L, const em_unit_result *r, const em_unit_line *lines)
{
    lua_createtable(L, 0, 5);
    lua_pushstring(L, em_method_name(r->method));
    lua_setfield(L, -2, "method");
    lua_pushinteger(L, r->timed_minutes);
    lua_setfield(L, -2, "timed_minutes");
    lua_pushinteger(L, r->timed_units);
    lua_setfield(L, -2, "timed_units");
    lua_pushinteger(L, r->total_units);
    lua_setfield(L, -2, "total_units");
    lua_createtable(L, (int)r->n_lines, 0);
    for (size_t i = 0; i < r->n_lines; i++) {
        push_unit_line(L, &lines[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "lines");
}

/* Scratch for one units() call, in a userdata so that raising frees it. */
typedef struct units_scratch {
    em_unit_item *items;
    em_unit_line *lines;
    const char **prefer;
    char (*cpts)[EM_CPT_MAX + 1];
} units_scratch;

static units_scratch units_alloc(lua_State *L, size_t n, size_t n_prefer)
{
    size_t size = n * (sizeof(em_unit_item) + sizeof(em_unit_line) + EM_CPT_MAX + 1) +
                  n_prefer * sizeof(const char *);
    char *p = lua_newuserdatauv(L, size ? size : 1, 0);
    units_scratch s;
    s.items = (em_unit_item *)(void *)p;
    s.lines = (em_unit_line *)(void *)(p + n * sizeof(em_unit_item));
    s.prefer = (const char **)(void *)((char *)(s.lines + n));
    s.cpts = (char(*)[EM_CPT_MAX + 1])(void *)(s.prefer + n_prefer);
    return s;
}

/* units(items, [policy], [prefer]) -> result | nil, msg */
static int l_units(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    em_unit_policy policy = units_policy(L, 2);
    size_t n = lua_rawlen(L, 1), n_prefer = 0;
    luaL_argcheck(L, n <= UNITS_MAX_ITEMS, 1, "too many items");
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        n_prefer = lua_rawlen(L, 3);
        luaL_argcheck(L, n_prefer <= UNITS_MAX_ITEMS, 3, "too many codes");
    }
    lua_settop(L, 3);
    units_scratch s = units_alloc(L, n, n_prefer);
    em_error err;
    em_error_clear(&err);
    for (size_t i = 0; i < n; i++)
        if (!units_item(L, (lua_Integer)i + 1, &s.items[i], s.cpts[i], &err))
            return emL_pusherror(L, &err);
    /* After the items: their metamethods may run Lua (and the collector),
     * and the prefer strings below are anchored only by the caller's table.
     * From here on no Lua code runs until em_units_compute has returned. */
    for (size_t i = 0; i < n_prefer; i++) {
        if (lua_rawgeti(L, 3, (lua_Integer)i + 1) != LUA_TSTRING) {
            char path[40];
            snprintf(path, sizeof path, "prefer[%zu]", i + 1);
            emL_fielderror(L, 3, path, "string", -1);
        }
        s.prefer[i] = lua_tostring(L, -1);  /* anchored in prefer */
        lua_pop(L, 1);
    }
    em_unit_result result;
    if (em_units_compute(emL_codes(L), &policy, s.items, n, s.prefer, n_prefer, s.lines,
                         &result, &err) != EM_OK) {
        units_renumber(&err);
        return emL_pusherror(L, &err);
    }
    push_unit_result(L, &result, s.lines);
    return 1;
}

/* units_for_minutes(minutes, unit_minutes, threshold) -> integer */
static int l_units_for_minutes(lua_State *L)
{
    lua_Integer minutes = luaL_checkinteger(L, 1);
    em_unit_policy p = {EM_METHOD_CUSTOM, 0, 0, false};
    lua_Integer unit = luaL_checkinteger(L, 2), threshold = luaL_checkinteger(L, 3);
    luaL_argcheck(L, minutes >= 0 && minutes <= INT_MAX, 1, "minutes out of range");
    luaL_argcheck(L, unit >= INT_MIN && unit <= INT_MAX, 2, "out of range");
    luaL_argcheck(L, threshold >= INT_MIN && threshold <= INT_MAX, 3, "out of range");
    p.unit_minutes = (int)unit;
    p.threshold = (int)threshold;
    em_error err;
    em_error_clear(&err);
    if (em_policy_check(&p, &err) != EM_OK)
        policy_raise(L, strstr(err.field, "threshold") ? 3 : 2, &err);
    lua_pushinteger(L, em_units_for_minutes((int)minutes, p.unit_minutes, p.threshold));
    return 1;
}

/* ---- the code table ---- */

static const struct {
    const char *name;
    unsigned flag;
} code_flags[] = {
    {"eval", EM_CODE_EVAL},         {"supervised", EM_CODE_SUPERVISED},
    {"constant_attendance", EM_CODE_CONSTANT_ATTEND},
    {"addon", EM_CODE_ADDON},       {"group", EM_CODE_GROUP},
    {"unlisted", EM_CODE_UNLISTED}, {"user", EM_CODE_USER},
};
#define N_CODE_FLAGS (sizeof code_flags / sizeof code_flags[0])

static void push_code(lua_State *L, const em_code *c)
{
    lua_createtable(L, 0, 4 + (int)N_CODE_FLAGS);
    lua_pushstring(L, c->cpt);
    lua_setfield(L, -2, "cpt");
    lua_pushboolean(L, c->kind == EM_CODE_TIMED);
    lua_setfield(L, -2, "timed");
    lua_pushinteger(L, c->unit_minutes);
    lua_setfield(L, -2, "unit_minutes");
    lua_pushstring(L, c->descriptor ? c->descriptor : "");
    lua_setfield(L, -2, "descriptor");
    for (size_t i = 0; i < N_CODE_FLAGS; i++) {
        lua_pushboolean(L, (c->flags & code_flags[i].flag) != 0);
        lua_setfield(L, -2, code_flags[i].name);
    }
}

/* code(cpt) -> table | nil */
static int l_code(lua_State *L)
{
    const em_code *c = em_codes_find(emL_codes(L), luaL_checkstring(L, 1));
    if (!c)
        lua_pushnil(L);
    else
        push_code(L, c);
    return 1;
}

/* codes() -> array of code tables, in table order */
static int l_codes(lua_State *L)
{
    const em_code_table *t = emL_codes(L);
    size_t n = em_codes_count(t);
    lua_createtable(L, n < INT_MAX ? (int)n : 0, 0);
    for (size_t i = 0; i < n; i++) {
        push_code(L, em_codes_at(t, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* add_code{cpt=, timed=, [unit_minutes=], [descriptor=], [eval=, ...]} -> true | nil, msg */
static int l_add_code(lua_State *L)
{
    static const char *const keys[] = {"cpt", "timed", "unit_minutes", "descriptor", "eval",
                                       "supervised", "constant_attendance", "addon",
                                       "group", "unlisted", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    emL_checkkeys(L, 1, 1, "code", keys);
    if (lua_getfield(L, 1, "cpt") != LUA_TSTRING)
        emL_fielderror(L, 1, "code.cpt", "string", -1);
    if (lua_getfield(L, 1, "timed") != LUA_TBOOLEAN)
        emL_fielderror(L, 1, "code.timed", "boolean", -1);
    bool timed = lua_toboolean(L, -1);
    int unit_minutes = timed ? 15 : 0;
    if (lua_getfield(L, 1, "unit_minutes") != LUA_TNIL)
        unit_minutes = check_int(L, 1, -1, "code.unit_minutes");
    int desc = lua_getfield(L, 1, "descriptor");
    if (desc != LUA_TNIL && desc != LUA_TSTRING)
        emL_fielderror(L, 1, "code.descriptor", "string", -1);
    unsigned flags = EM_CODE_USER;
    for (size_t i = 0; i + 1 < N_CODE_FLAGS; i++) {  /* "user" is not the caller's to set */
        int t = lua_getfield(L, 1, code_flags[i].name);
        if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
            char path[48];
            snprintf(path, sizeof path, "code.%s", code_flags[i].name);
            emL_fielderror(L, 1, path, "boolean", -1);
        }
        if (lua_toboolean(L, -1))
            flags |= code_flags[i].flag;
        lua_pop(L, 1);
    }
    em_error err;
    em_error_clear(&err);
    if (em_codes_add(emL_codes(L), lua_tostring(L, 2), timed ? EM_CODE_TIMED : EM_CODE_UNTIMED,
                     unit_minutes, flags, desc == LUA_TSTRING ? lua_tostring(L, 5) : "", &err) !=
        EM_OK)
        return emL_pusherror(L, &err);
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg units_funcs[] = {
    {"units", l_units},
    {"units_for_minutes", l_units_for_minutes},
    {"code", l_code},
    {"codes", l_codes},
    {"add_code", l_add_code},
    {NULL, NULL},
};

void emL_register_units(lua_State *L)
{
    luaL_setfuncs(L, units_funcs, 0);
}
