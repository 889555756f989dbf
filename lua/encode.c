/* encode.c: visit(), write_finding(), write_claim(), and the small JSON
 * encoder that turns a Lua table shaped like a visit into JSON text for
 * em_visit_parse (so a table and a line of NDJSON are checked alike). */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emL.h"
#include "em_json.h"

#define EML_JSONBUF "eightmin.JsonBuffer"
#define JSON_MAX_BYTES EM_JSON_DEFAULT_MAX_LINE /* what the reader would accept */
#define CLAIM_MAX_ITEMS 1000                    /* modifiers or pointers on one line */

/* ---- a growing buffer owned by a userdata, so that raising frees it; it
 * uses the state's allocator, so a sandbox's memory cap covers it ---- */

typedef struct jbuf {
    char *p;
    size_t len, cap;
} jbuf;

static void jbuf_release(lua_State *L, jbuf *b)
{
    void *ud;
    lua_Alloc alloc = lua_getallocf(L, &ud);
    if (b->p)
        alloc(ud, b->p, b->cap, 0);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int jbuf_gc(lua_State *L)
{
    jbuf_release(L, luaL_checkudata(L, 1, EML_JSONBUF));
    return 0;
}

/* ---- the encoder ---- */

typedef struct jenc {
    lua_State *L;
    jbuf *b;
    int seen;         /* stack index of a table: tables being encoded -> true */
    int depth;
    size_t plen;
    char path[256];   /* where we are, for messages: visit.lines[2].cpt */
} jenc;

static int enc_error(jenc *e, const char *fmt, const char *what)
{
    return luaL_error(e->L, fmt, e->path, what);
}

static void enc_add(jenc *e, const char *s, size_t n)
{
    jbuf *b = e->b;
    if (n > JSON_MAX_BYTES - b->len)
        luaL_error(e->L, "%s: the JSON text would be over %d bytes", e->path,
                   (int)JSON_MAX_BYTES);
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        void *ud;
        lua_Alloc alloc = lua_getallocf(e->L, &ud);
        char *p = alloc(ud, b->p, b->p ? b->cap : LUA_TSTRING, cap);
        if (!p)
            luaL_error(e->L, "not enough memory");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void enc_lit(jenc *e, const char *s)
{
    enc_add(e, s, strlen(s));
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* A JSON string per RFC 8259: quote, backslash and control bytes escaped. */
static void enc_string(jenc *e, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    enc_add(e, "\"", 1);
    size_t run = 0;  /* bytes copied as they are, added in one go */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = utf8_len((const unsigned char *)s + i, n - i);
        if (len == 0)
            enc_error(e, "%s: string is not valid UTF-8%s", "");
        if (c >= 0x20 && c != '"' && c != '\\') {
            i += len;
            run += len;
            continue;
        }
        enc_add(e, s + i - run, run);
        run = 0;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        enc_add(e, esc, elen);
        i++;
    }
    enc_add(e, s + n - run, run);
    enc_add(e, "\"", 1);
}

static void enc_number(jenc *e, int idx)
{
    char num[64];
    if (lua_isinteger(e->L, idx)) {
        snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(e->L, idx));
    } else {
        double d = (double)lua_tonumber(e->L, idx);
        if (!isfinite(d))
            enc_error(e, "%s: %s is not a number JSON can hold", isnan(d) ? "nan" : "inf");
        snprintf(num, sizeof num, "%.17g", d);
    }
    enc_lit(e, num);
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore. */
static size_t path_push(jenc *e, const char *key, lua_Integer i)
{
    size_t old = e->plen;
    size_t room = sizeof e->path - old;
    int n = key ? snprintf(e->path + old, room, ".%.*s", 60, key)
                : snprintf(e->path + old, room, "[%lld]", (long long)i);
    e->plen = n < 0 ? old : (size_t)n < room ? old + (size_t)n : sizeof e->path - 1;
    return old;
}

static void path_pop(jenc *e, size_t old)
{
    e->plen = old;
    e->path[old] = '\0';
}

static void enc_value(jenc *e, int idx);

typedef struct jkey {
    const char *s;
    size_t n;
} jkey;

static int jkey_cmp(const void *a, const void *b)
{
    const jkey *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Keys 1..n only: an array; string keys only: an object (keys sorted, so
 * the text is the same every time). Anything else is an error. */
static void enc_table(jenc *e, int idx)
{
    lua_State *L = e->L;
    luaL_checkstack(L, 8, "JSON nesting");
    if (++e->depth > EM_JSON_MAX_DEPTH)
        enc_error(e, "%s: nested deeper than 64 levels%s", "");
    lua_pushvalue(L, idx);
    if (lua_rawget(L, e->seen) != LUA_TNIL)
        enc_error(e, "%s: the table contains itself (a cycle)%s", "");
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, e->seen);

    size_t n = 0, n_str = 0;
    lua_Integer max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        n++;
        if (lua_type(L, -1) == LUA_TSTRING)
            n_str++;
        else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1)
            max = lua_tointeger(L, -1) > max ? lua_tointeger(L, -1) : max;
        else
            enc_error(e, "%s: key %s is neither a string nor an array index 1..n",
                      luaL_tolstring(L, -1, NULL));
    }
    if (n_str > 0 && n_str < n)
        enc_error(e, "%s: mixes string keys and array indexes%s", "");
    if (n_str == 0 && (size_t)max != n)
        enc_error(e, "%s: array has holes (keys must be 1..n)%s", "");

    if (n_str == 0) {  /* an array; an empty table is an empty array */
        enc_add(e, "[", 1);
        for (size_t i = 1; i <= n; i++) {
            if (i > 1)
                enc_add(e, ",", 1);
            size_t old = path_push(e, NULL, (lua_Integer)i);
            lua_rawgeti(L, idx, (lua_Integer)i);
            enc_value(e, lua_gettop(L));
            lua_pop(L, 1);
            path_pop(e, old);
        }
        enc_add(e, "]", 1);
    } else {
        jkey *keys = lua_newuserdatauv(L, n * sizeof *keys, 0);
        size_t k = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {  /* key strings stay anchored in the table */
            lua_pop(L, 1);
            keys[k].s = lua_tolstring(L, -1, &keys[k].n);
            k++;
        }
        qsort(keys, n, sizeof *keys, jkey_cmp);
        enc_add(e, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                enc_add(e, ",", 1);
            size_t old = path_push(e, keys[i].s, 0);
            enc_string(e, keys[i].s, keys[i].n);
            enc_add(e, ":", 1);
            lua_pushlstring(L, keys[i].s, keys[i].n);
            lua_rawget(L, idx);
            enc_value(e, lua_gettop(L));
            lua_pop(L, 1);
            path_pop(e, old);
        }
        enc_add(e, "}", 1);
        lua_pop(L, 1);
    }

    lua_pushvalue(L, idx);
    lua_pushnil(L);
    lua_rawset(L, e->seen);
    e->depth--;
}

static void enc_value(jenc *e, int idx)
{
    size_t len;
    const char *s;
    switch (lua_type(e->L, idx)) {
    case LUA_TNIL: enc_lit(e, "null"); break;
    case LUA_TBOOLEAN: enc_lit(e, lua_toboolean(e->L, idx) ? "true" : "false"); break;
    case LUA_TNUMBER: enc_number(e, idx); break;
    case LUA_TSTRING:
        s = lua_tolstring(e->L, idx, &len);
        enc_string(e, s, len);
        break;
    case LUA_TTABLE: enc_table(e, idx); break;
    default:
        enc_error(e, "%s: cannot encode a %s as JSON", luaL_typename(e->L, idx));
    }
}

void emL_pushjson(lua_State *L, int idx, const char *root)
{
    idx = lua_absindex(L, idx);
    jenc e;
    memset(&e, 0, sizeof e);
    e.L = L;
    snprintf(e.path, sizeof e.path, "%s", root ? root : "value");
    e.plen = strlen(e.path);
    e.b = lua_newuserdatauv(L, sizeof *e.b, 0);
    memset(e.b, 0, sizeof *e.b);
    if (luaL_newmetatable(L, EML_JSONBUF)) {
        lua_pushcfunction(L, jbuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_newtable(L);
    e.seen = lua_gettop(L);
    enc_value(&e, idx);
    lua_pushlstring(L, e.b->p ? e.b->p : "", e.b->len);
    jbuf_release(L, e.b);  /* now, rather than at the next collection */
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* visit(json_text | table, [source]) -> Visit | nil, msg */
static int l_visit(lua_State *L)
{
    const char *source = luaL_optstring(L, 2, NULL);
    int t = lua_type(L, 1);
    luaL_argexpected(L, t == LUA_TSTRING || t == LUA_TTABLE, 1, "JSON text or table");
    if (t == LUA_TTABLE)
        emL_pushjson(L, 1, "visit");
    else
        lua_pushvalue(L, 1);
    size_t len;
    const char *json = lua_tolstring(L, -1, &len);
    /* the view first, so that no allocation can raise while the parsed
     * visit belongs to nobody */
    emL_pushvisit(L, NULL, true);
    emL_visitud *ud = lua_touserdata(L, -1);
    em_error err;
    em_error_clear(&err);
    if (em_visit_parse(json, len, source, 0, 0, &ud->v, &err) != EM_OK)
        return emL_pusherror(L, &err);
    return 1;
}

/* ---- writers ---- */

/* The output: stdout, or the io file handle at idx. */
static FILE *out_file(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return stdout;
    luaL_Stream *p = luaL_checkudata(L, idx, LUA_FILEHANDLE);
    if (!p->closef)
        luaL_argerror(L, idx, "attempt to use a closed file");
    return p->f;
}

/* t[key] as a string (left on the stack, so it stays alive), or NULL when
 * absent and not required. */
static const char *field_string(lua_State *L, const char *obj, const char *key, bool required)
{
    char path[64];
    snprintf(path, sizeof path, "%s.%s", obj, key);
    int t = lua_getfield(L, 1, key);
    if (t == LUA_TNIL && !required)
        return NULL;
    if (t != LUA_TSTRING)
        emL_fielderror(L, 1, path, "string", -1);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len)
        luaL_argerror(L, 1, lua_pushfstring(L, "%s: contains a NUL byte", path));
    return s;
}

static int field_count(lua_State *L, const char *obj, const char *key, bool required)
{
    char path[64];
    snprintf(path, sizeof path, "%s.%s", obj, key);
    if (lua_getfield(L, 1, key) == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return 0;
    }
    lua_Integer v = emL_checkwhole(L, 1, -1, path);
    if (v < 0 || v > INT_MAX)
        luaL_argerror(L, 1, lua_pushfstring(L, "%s: %I is out of range (0 or more)", path, v));
    lua_pop(L, 1);
    return (int)v;
}

static int write_result(lua_State *L, em_status st)
{
    if (st != EM_OK)
        return luaL_fileresult(L, 0, NULL);
    lua_pushboolean(L, 1);
    return 1;
}

/* write_finding{visit=, line=, rule=, severity=, message=, cite=}, [file] -> true */
static int l_write_finding(lua_State *L)
{
    static const char *const keys[] = {"visit", "line", "rule", "severity", "message", "cite",
                                       NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    FILE *f = out_file(L, 2);
    lua_settop(L, 2);
    emL_checkkeys(L, 1, 1, "finding", keys);
    em_finding fd;
    fd.visit = field_string(L, "finding", "visit", false);
    fd.line = field_count(L, "finding", "line", false);
    fd.rule = field_string(L, "finding", "rule", true);
    const char *sev = field_string(L, "finding", "severity", true);
    if (!em_severity_parse(sev, &fd.severity))
        luaL_argerror(L, 1, lua_pushfstring(L, "finding.severity: '%s' is not info, warning "
                                               "or error", sev));
    fd.message = field_string(L, "finding", "message", true);
    fd.cite = field_string(L, "finding", "cite", false);
    return write_result(L, em_json_write_finding(f, &fd));
}

/* write_claim{visit=, cpt=, units=, modifiers={}, dx_pointers={}}, [file] -> true */
static int l_write_claim(lua_State *L)
{
    static const char *const keys[] = {"visit", "cpt", "units", "modifiers", "dx_pointers",
                                       NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    FILE *f = out_file(L, 2);
    lua_settop(L, 2);
    emL_checkkeys(L, 1, 1, "claim", keys);
    em_claim_line c;
    memset(&c, 0, sizeof c);
    c.visit = field_string(L, "claim", "visit", false);
    c.cpt = field_string(L, "claim", "cpt", true);
    c.units = field_count(L, "claim", "units", true);
    int tm = lua_getfield(L, 1, "modifiers"), idx_m = lua_gettop(L);
    int td = lua_getfield(L, 1, "dx_pointers"), idx_d = lua_gettop(L);
    if (tm != LUA_TNIL && tm != LUA_TTABLE)
        emL_fielderror(L, 1, "claim.modifiers", "array of strings", idx_m);
    if (td != LUA_TNIL && td != LUA_TTABLE)
        emL_fielderror(L, 1, "claim.dx_pointers", "array of whole numbers", idx_d);
    size_t nm = tm == LUA_TTABLE ? lua_rawlen(L, idx_m) : 0;
    size_t nd = td == LUA_TTABLE ? lua_rawlen(L, idx_d) : 0;
    luaL_argcheck(L, nm <= CLAIM_MAX_ITEMS, 1, "claim.modifiers: too many");
    luaL_argcheck(L, nd <= CLAIM_MAX_ITEMS, 1, "claim.dx_pointers: too many");
    const char **mods = lua_newuserdatauv(L, nm * sizeof *mods + nd * sizeof(int) + 1, 0);
    int *dx = (int *)(void *)(mods + nm);
    char path[48];
    for (size_t i = 0; i < nm; i++) {
        snprintf(path, sizeof path, "claim.modifiers[%zu]", i + 1);
        if (lua_rawgeti(L, idx_m, (lua_Integer)i + 1) != LUA_TSTRING)
            emL_fielderror(L, 1, path, "string", -1);
        mods[i] = lua_tostring(L, -1);  /* anchored in modifiers */
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < nd; i++) {
        snprintf(path, sizeof path, "claim.dx_pointers[%zu]", i + 1);
        lua_rawgeti(L, idx_d, (lua_Integer)i + 1);
        lua_Integer v = emL_checkwhole(L, 1, -1, path);
        if (v < 1 || v > INT_MAX)
            luaL_argerror(L, 1, lua_pushfstring(L, "%s: %I is not a diagnosis number (1 or "
                                                   "more)", path, v));
        dx[i] = (int)v;
        lua_pop(L, 1);
    }
    c.modifiers = mods;
    c.n_modifiers = nm;
    c.dx_pointers = dx;
    c.n_dx_pointers = nd;
    return write_result(L, em_json_write_claim_line(f, &c));
}

/* lines[i][key] as a count (0 or more); raises naming the path. */
static int line_count(lua_State *L, int line, lua_Integer i, const char *key)
{
    char path[64];
    snprintf(path, sizeof path, "result.lines[%lld].%s", (long long)i, key);
    lua_getfield(L, line, key);
    lua_Integer v = emL_checkwhole(L, 1, -1, path);
    if (v < 0 || v > INT_MAX)
        luaL_argerror(L, 1, lua_pushfstring(L, "%s: %I is out of range (0 or more)", path, v));
    lua_pop(L, 1);
    return (int)v;
}

/* write_units(result, [file]) -> true: a units() result as one JSON line,
 * as `eightmin units --json` prints it. Reasons must be core's. */
static int l_write_units(lua_State *L)
{
    static const char *const methods[] = {"cms", "ama", "custom", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    FILE *f = out_file(L, 2);
    lua_settop(L, 2);
    em_unit_result r;
    memset(&r, 0, sizeof r);
    const char *method = field_string(L, "result", "method", true);
    int m = 0;
    while (methods[m] && strcmp(methods[m], method) != 0)
        m++;
    if (!methods[m])
        luaL_argerror(L, 1, lua_pushfstring(L, "result.method: '%s' is not cms, ama or custom",
                                            method));
    r.method = (em_unit_method)m;
    r.timed_minutes = field_count(L, "result", "timed_minutes", true);
    r.timed_units = field_count(L, "result", "timed_units", false);
    r.total_units = field_count(L, "result", "total_units", true);
    if (lua_getfield(L, 1, "lines") != LUA_TTABLE)
        emL_fielderror(L, 1, "result.lines", "array of lines", -1);
    int lines = lua_gettop(L);
    size_t n = lua_rawlen(L, lines);
    luaL_argcheck(L, n <= CLAIM_MAX_ITEMS, 1, "result.lines: too many");
    em_unit_line *out = lua_newuserdatauv(L, n * sizeof *out + 1, 0);
    memset(out, 0, n * sizeof *out);
    char path[64];
    for (size_t i = 0; i < n; i++) {
        lua_Integer li = (lua_Integer)i + 1;
        snprintf(path, sizeof path, "result.lines[%zu]", i + 1);
        if (lua_rawgeti(L, lines, li) != LUA_TTABLE)
            emL_fielderror(L, 1, path, "table", -1);
        int line = lua_gettop(L);
        snprintf(path, sizeof path, "result.lines[%zu].cpt", i + 1);
        if (lua_getfield(L, line, "cpt") != LUA_TSTRING)
            emL_fielderror(L, 1, path, "string", -1);
        out[i].cpt = lua_tostring(L, -1);  /* anchored in the line, which lines anchors */
        out[i].code = em_codes_find(emL_codes(L), out[i].cpt);
        out[i].minutes = line_count(L, line, li, "minutes");
        out[i].units = line_count(L, line, li, "units");
        snprintf(path, sizeof path, "result.lines[%zu].reason", i + 1);
        if (lua_getfield(L, line, "reason") != LUA_TSTRING)
            emL_fielderror(L, 1, path, "string", -1);
        const char *reason = lua_tostring(L, -1);
        int k = EM_REASON_UNTIMED;
        while (k <= EM_REASON_LAST && strcmp(em_unit_reason_name((em_unit_reason)k), reason))
            k++;
        if (k > EM_REASON_LAST)
            luaL_argerror(L, 1, lua_pushfstring(L, "%s: '%s' is not a reason units() gives",
                                                path, reason));
        out[i].reason = (em_unit_reason)k;
        lua_settop(L, line - 1);
    }
    r.n_lines = n;
    return write_result(L, em_json_write_units(f, &r, out));
}

static const luaL_Reg encode_funcs[] = {
    {"visit", l_visit},
    {"write_finding", l_write_finding},
    {"write_claim", l_write_claim},
    {"write_units", l_write_units},
    {NULL, NULL},
};

void emL_register_encode(lua_State *L)
{
    luaL_setfuncs(L, encode_funcs, 0);
}
