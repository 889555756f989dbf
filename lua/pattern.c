/* pattern.c: Lua 5.4 pattern matching (reference manual 6.4.1) with a step
 * count, see pattern.h. A backtracking interpreter over the pattern text:
 * each quantifier or capture that may have to be undone is a nested call,
 * at most PAT_MAXDEPTH deep, and every item tried costs a step. */
#include "pattern.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PAT_MAXCAPTURES 32 /* as LUA_MAXCAPTURES */
#define PAT_MAXDEPTH 200   /* nested choice points, as stock Lua */
#define PAT_ESC '%'
#define PAT_SPECIALS "^$*+?.([%-"
/* Capture lengths that are not lengths. */
#define CAP_OPEN ((ptrdiff_t)-1)
#define CAP_POS ((ptrdiff_t)-2)
/* Bytes compared per step by memcmp-like work. */
#define BYTES_PER_STEP 64

typedef struct pat_cfg {
    size_t max_steps; /* 0: no limit */
    emL_pattern_charge charge;
    void *ud;
} pat_cfg;

typedef struct pat_cap {
    const char *at;
    ptrdiff_t len; /* or CAP_OPEN, CAP_POS */
} pat_cap;

typedef struct pat_state {
    lua_State *L;
    const pat_cfg *cfg;
    const char *src, *src_end, *pat_end;
    int depth_left;
    int ncap;
    size_t steps, told, next_check;
    pat_cap cap[PAT_MAXCAPTURES];
} pat_state;

/* ---- steps ---- */

/* Tells the meter, enforces the limit and sets the next check. */
static void steps_check(pat_state *ms)
{
    const pat_cfg *cfg = ms->cfg;
    if (cfg->charge && ms->steps > ms->told) {
        size_t n = ms->steps - ms->told;
        ms->told = ms->steps;
        cfg->charge(ms->L, cfg->ud, n);
    }
    if (cfg->max_steps && ms->steps > cfg->max_steps)
        luaL_error(ms->L, "pattern too complex: step budget exceeded");
    size_t next = ms->steps + EML_PATTERN_QUANTUM;
    if (cfg->max_steps && next > cfg->max_steps)
        next = cfg->max_steps + 1; /* max_steps is capped at SIZE_MAX / 2 */
    ms->next_check = next;
}

static inline void step(pat_state *ms, size_t n)
{
    ms->steps += n;
    if (ms->steps >= ms->next_check)
        steps_check(ms);
}

static void steps_reset(pat_state *ms)
{
    ms->steps = ms->told = 0;
    ms->next_check = 0;
    steps_check(ms);
}

/* The end of a call: the meter hears about the rest. */
static void steps_done(pat_state *ms)
{
    if (ms->cfg->charge && ms->steps > ms->told) {
        size_t n = ms->steps - ms->told;
        ms->told = ms->steps;
        ms->cfg->charge(ms->L, ms->cfg->ud, n);
    }
}

static void state_init(pat_state *ms, lua_State *L, const pat_cfg *cfg, const char *s, size_t ls,
                       const char *p, size_t lp)
{
    ms->L = L;
    ms->cfg = cfg;
    ms->src = s;
    ms->src_end = s + ls;
    ms->pat_end = p + lp;
    ms->ncap = 0;
    ms->depth_left = PAT_MAXDEPTH;
    steps_reset(ms);
}

/* Before each start position: no captures, full depth, one step. */
static void attempt_reset(pat_state *ms)
{
    ms->ncap = 0;
    ms->depth_left = PAT_MAXDEPTH;
    step(ms, 1);
}

/* ---- single characters ---- */

/* c in %cl (cl a letter of a class, or any other character for itself). */
static bool class_has(int c, int cl)
{
    bool in;
    switch (tolower(cl)) {
    case 'a': in = isalpha(c); break;
    case 'c': in = iscntrl(c); break;
    case 'd': in = isdigit(c); break;
    case 'g': in = isgraph(c); break;
    case 'l': in = islower(c); break;
    case 'p': in = ispunct(c); break;
    case 's': in = isspace(c); break;
    case 'u': in = isupper(c); break;
    case 'w': in = isalnum(c); break;
    case 'x': in = isxdigit(c); break;
    case 'z': in = c == 0; break; /* not in the manual, but stock has it */
    default: return cl == c;
    }
    return isupper(cl) ? !in : in; /* %A is the complement of %a */
}

/* c in the set [...] that starts at p and whose ']' is at last. */
static bool set_has(int c, const char *p, const char *last)
{
    bool want = true;
    p++;
    if (*p == '^') {
        want = false;
        p++;
    }
    for (; p < last; p++) {
        if (*p == PAT_ESC) {
            p++;
            if (class_has(c, (unsigned char)*p))
                return want;
        } else if (p + 2 < last && p[1] == '-') { /* a range; "a-]" is not one */
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
                return want;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return want;
        }
    }
    return !want;
}

/* Where the single-character item at p ends (p < pat_end). */
static const char *item_end(pat_state *ms, const char *p)
{
    char c = *p++;
    if (c == PAT_ESC) {
        if (p >= ms->pat_end)
            luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < ms->pat_end && *p == '^')
            p++;
        do { /* the first character is never the closing ']' */
            if (p >= ms->pat_end)
                luaL_error(ms->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == PAT_ESC && p < ms->pat_end)
                p++;
        } while (p >= ms->pat_end || *p != ']');
        return p + 1;
    }
    return p;
}

/* Whether the item p..ep matches the character at s. */
static bool item_matches(const pat_state *ms, const char *s, const char *p, const char *ep)
{
    if (s >= ms->src_end)
        return false;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return true;
    case PAT_ESC: return class_has(c, (unsigned char)p[1]);
    case '[': return set_has(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* ---- the matcher ---- */

static const char *pat_match(pat_state *ms, const char *s, const char *p);

static const char *cap_open(pat_state *ms, const char *s, const char *p, ptrdiff_t kind)
{
    if (ms->ncap >= PAT_MAXCAPTURES)
        luaL_error(ms->L, "too many captures");
    int i = ms->ncap++;
    ms->cap[i].at = s;
    ms->cap[i].len = kind;
    const char *r = pat_match(ms, s, p);
    if (!r)
        ms->ncap--;
    return r;
}

static const char *cap_close(pat_state *ms, const char *s, const char *p)
{
    int i = ms->ncap - 1;
    while (i >= 0 && ms->cap[i].len != CAP_OPEN)
        i--;
    if (i < 0)
        luaL_error(ms->L, "invalid pattern capture");
    ms->cap[i].len = s - ms->cap[i].at;
    const char *r = pat_match(ms, s, p);
    if (!r)
        ms->cap[i].len = CAP_OPEN;
    return r;
}

/* %1-%9 (d the digit character; %0 is an error). */
static const char *backref(pat_state *ms, const char *s, int d)
{
    int i = d - '1';
    if (i < 0 || i >= ms->ncap || ms->cap[i].len == CAP_OPEN)
        luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    ptrdiff_t len = ms->cap[i].len;
    if (len < 0) /* a position capture never matches text */
        return NULL;
    step(ms, (size_t)len / BYTES_PER_STEP);
    if (ms->src_end - s >= len && memcmp(ms->cap[i].at, s, (size_t)len) == 0)
        return s + len;
    return NULL;
}

/* %bxy with p at x. */
static const char *balance(pat_state *ms, const char *s, const char *p)
{
    if (ms->pat_end - p < 2)
        luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != p[0])
        return NULL;
    char open = p[0], close = p[1];
    ptrdiff_t depth = 1;
    const char *t = s;
    while (++t < ms->src_end) {
        if (*t == close) { /* tested first: %baa closes at the second a */
            if (--depth == 0) {
                step(ms, (size_t)(t - s));
                return t + 1;
            }
        } else if (*t == open) {
            depth++;
        }
    }
    step(ms, (size_t)(t - s));
    return NULL;
}

/* x* and x+ (s already past the first x): longest first. */
static const char *greedy(pat_state *ms, const char *s, const char *p, const char *ep)
{
    size_t n = 0;
    while (item_matches(ms, s + n, p, ep))
        n++;
    step(ms, n);
    for (;;) {
        const char *r = pat_match(ms, s + n, ep + 1);
        if (r || n == 0)
            return r;
        n--;
    }
}

/* x-: shortest first. */
static const char *lazy(pat_state *ms, const char *s, const char *p, const char *ep)
{
    for (;;) {
        const char *r = pat_match(ms, s, ep + 1);
        if (r)
            return r;
        if (!item_matches(ms, s, p, ep))
            return NULL;
        s++;
    }
}

/* The end of the match of p at s, or NULL. Items that cannot need undoing
 * loop here; the others recurse. */
static const char *pat_match(pat_state *ms, const char *s, const char *p)
{
    if (ms->depth_left-- == 0)
        luaL_error(ms->L, "pattern too complex");
    while (s && p < ms->pat_end) {
        step(ms, 1);
        switch (*p) {
        case '(':
            if (p + 1 < ms->pat_end && p[1] == ')')
                s = cap_open(ms, s, p + 2, CAP_POS);
            else
                s = cap_open(ms, s, p + 1, CAP_OPEN);
            goto done;
        case ')':
            s = cap_close(ms, s, p + 1);
            goto done;
        case '$':
            if (p + 1 == ms->pat_end) { /* only a final $ anchors */
                if (s != ms->src_end)
                    s = NULL;
                goto done;
            }
            break;
        case PAT_ESC:
            if (p + 1 >= ms->pat_end)
                break; /* item_end reports it */
            switch (p[1]) {
            case 'b':
                s = balance(ms, s, p + 2);
                p += 4;
                continue;
            case 'f': {
                p += 2;
                if (p >= ms->pat_end || *p != '[')
                    luaL_error(ms->L, "missing '[' after '%%f' in pattern");
                const char *ep = item_end(ms, p);
                int prev = s == ms->src ? 0 : (unsigned char)s[-1];
                int cur = s < ms->src_end ? (unsigned char)*s : 0;
                if (set_has(prev, p, ep - 1) || !set_has(cur, p, ep - 1))
                    s = NULL;
                p = ep;
                continue;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = backref(ms, s, (unsigned char)p[1]);
                p += 2;
                continue;
            default:
                break;
            }
            break;
        default:
            break;
        }
        /* one single-character item and its quantifier, if any */
        const char *ep = item_end(ms, p);
        char q = ep < ms->pat_end ? *ep : '\0';
        if (!item_matches(ms, s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') { /* zero times is fine */
                p = ep + 1;
                continue;
            }
            s = NULL;
            goto done;
        }
        switch (q) {
        case '?': {
            const char *r = pat_match(ms, s + 1, ep + 1);
            if (r) {
                s = r;
                goto done;
            }
            p = ep + 1;
            continue;
        }
        case '+': s = greedy(ms, s + 1, p, ep); goto done;
        case '*': s = greedy(ms, s, p, ep); goto done;
        case '-': s = lazy(ms, s, p, ep); goto done;
        default:
            s++;
            p = ep;
            continue;
        }
    }
done:
    ms->depth_left++;
    return s;
}

/* ---- results ---- */

/* [-0, +1, e] Capture i; with no captures, i 0 is the whole match s..e. */
static void push_capture(pat_state *ms, int i, const char *s, const char *e)
{
    if (i >= ms->ncap) {
        if (i != 0)
            luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(ms->L, s, (size_t)(e - s));
        return;
    }
    ptrdiff_t len = ms->cap[i].len;
    if (len == CAP_OPEN)
        luaL_error(ms->L, "unfinished capture");
    if (len == CAP_POS)
        lua_pushinteger(ms->L, (lua_Integer)(ms->cap[i].at - ms->src) + 1);
    else
        lua_pushlstring(ms->L, ms->cap[i].at, (size_t)len);
}

/* [-0, +n, e] The captures, or the whole match when s is given and there
 * are none. */
static int push_captures(pat_state *ms, const char *s, const char *e)
{
    int n = (ms->ncap == 0 && s) ? 1 : ms->ncap;
    luaL_checkstack(ms->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(ms, i, s, e);
    return n;
}

/* ---- arguments ---- */

/* Stock messages. A call from C (the sandbox's charging wrapper) gives no
 * name, and luaL_argerror would then find none for these functions (they
 * are not in package.loaded): name them as stock Lua names its own. */
static int arg_error(lua_State *L, int arg, const char *fname, const char *msg)
{
    lua_Debug ar;
    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name == NULL)
        return luaL_error(L, "bad argument #%d to 'string.%s' (%s)", arg, fname, msg);
    return luaL_argerror(L, arg, msg);
}

static int type_error(lua_State *L, int arg, const char *fname, const char *want)
{
    const char *got;
    if (luaL_getmetafield(L, arg, "__name") == LUA_TSTRING)
        got = lua_tostring(L, -1);
    else if (lua_type(L, arg) == LUA_TLIGHTUSERDATA)
        got = "light userdata";
    else
        got = luaL_typename(L, arg);
    return arg_error(L, arg, fname, lua_pushfstring(L, "%s expected, got %s", want, got));
}

static const char *arg_string(lua_State *L, int arg, size_t *len, const char *fname)
{
    const char *s = lua_tolstring(L, arg, len);
    if (!s)
        type_error(L, arg, fname, "string");
    return s;
}

static lua_Integer arg_int(lua_State *L, int arg, lua_Integer def, const char *fname)
{
    if (lua_isnoneornil(L, arg))
        return def;
    int ok;
    lua_Integer n = lua_tointegerx(L, arg, &ok);
    if (!ok) {
        if (lua_isnumber(L, arg))
            arg_error(L, arg, fname, "number has no integer representation");
        else
            type_error(L, arg, fname, "number");
    }
    return n;
}

/* ---- find and match ---- */

/* A 1-based, possibly negative init as a 1-based position >= 1. */
static size_t pos_start(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len + (size_t)pos + 1;
}

static bool no_specials(const char *p, size_t lp)
{
    for (size_t i = 0; i < lp; i++)
        if (p[i] != '\0' && strchr(PAT_SPECIALS, p[i]))
            return false;
    return true;
}

/* First occurrence of p in s..s+ls; each candidate costs steps. */
static const char *plain_find(pat_state *ms, const char *s, size_t ls, const char *p, size_t lp)
{
    if (lp == 0)
        return s;
    if (lp > ls)
        return NULL;
    size_t cost = 1 + lp / BYTES_PER_STEP;
    const char *end = s + (ls - lp) + 1; /* candidates start before end */
    while (s < end) {
        const char *c = memchr(s, (unsigned char)p[0], (size_t)(end - s));
        if (!c)
            return NULL;
        step(ms, cost);
        if (memcmp(c + 1, p + 1, lp - 1) == 0)
            return c;
        s = c + 1;
    }
    return NULL;
}

static const pat_cfg *cfg_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static int find_aux(lua_State *L, bool find)
{
    const char *fname = find ? "find" : "match";
    size_t ls, lp;
    const char *s = arg_string(L, 1, &ls, fname);
    const char *p = arg_string(L, 2, &lp, fname);
    size_t init = pos_start(arg_int(L, 3, 1, fname), ls) - 1;
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    pat_state ms;
    state_init(&ms, L, cfg_of(L), s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
        const char *at = plain_find(&ms, s + init, ls - init, p, lp);
        steps_done(&ms);
        if (at) {
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(at - s) + (lua_Integer)lp);
            return 2;
        }
    } else {
        bool anchor = lp > 0 && *p == '^';
        if (anchor)
            p++; /* pat_end stays */
        for (const char *at = s + init;; at++) {
            attempt_reset(&ms);
            const char *e = pat_match(&ms, at, p);
            if (e) {
                steps_done(&ms);
                if (!find)
                    return push_captures(&ms, at, e);
                lua_pushinteger(L, (lua_Integer)(at - s) + 1);
                lua_pushinteger(L, (lua_Integer)(e - s));
                return push_captures(&ms, NULL, NULL) + 2;
            }
            if (anchor || at >= ms.src_end)
                break;
        }
        steps_done(&ms);
    }
    luaL_pushfail(L);
    return 1;
}

static int l_find(lua_State *L)
{
    return find_aux(L, true);
}

static int l_match(lua_State *L)
{
    return find_aux(L, false);
}

/* ---- gmatch ---- */

typedef struct gm_state {
    pat_state ms;
    const char *at;   /* where the next search starts; NULL: past the end */
    const char *last; /* end of the last match: an empty match there is skipped */
    const char *pat;
} gm_state;

/* upvalues: cfg, subject, pattern, gm_state */
static int gmatch_next(lua_State *L)
{
    gm_state *g = lua_touserdata(L, lua_upvalueindex(4));
    g->ms.L = L;
    steps_reset(&g->ms);
    for (const char *at = g->at; at; at++) {
        attempt_reset(&g->ms);
        const char *e = pat_match(&g->ms, at, g->pat);
        if (e && e != g->last) {
            g->at = g->last = e;
            steps_done(&g->ms);
            return push_captures(&g->ms, at, e);
        }
        if (at >= g->ms.src_end)
            break;
    }
    steps_done(&g->ms);
    return 0;
}

static int l_gmatch(lua_State *L)
{
    size_t ls, lp;
    const char *s = arg_string(L, 1, &ls, "gmatch");
    const char *p = arg_string(L, 2, &lp, "gmatch");
    size_t init = pos_start(arg_int(L, 3, 1, "gmatch"), ls) - 1;
    lua_settop(L, 2); /* the iterator keeps both strings alive */
    gm_state *g = lua_newuserdatauv(L, sizeof *g, 0);
    state_init(&g->ms, L, cfg_of(L), s, ls, p, lp);
    g->at = init > ls ? NULL : s + init;
    g->last = NULL;
    g->pat = p; /* '^' is an ordinary character here, as in stock gmatch */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/* ---- gsub ---- */

/* The replacement string (at 3) with %0-%9 and %% expanded. */
static void add_string(pat_state *ms, luaL_Buffer *b, const char *s, const char *e)
{
    lua_State *L = ms->L;
    size_t l;
    const char *r = lua_tolstring(L, 3, &l);
    const char *end = r + l, *pc;
    while ((pc = memchr(r, PAT_ESC, (size_t)(end - r))) != NULL) {
        luaL_addlstring(b, r, (size_t)(pc - r));
        char d = pc + 1 < end ? pc[1] : '\0';
        if (d == PAT_ESC) {
            luaL_addchar(b, PAT_ESC);
        } else if (d == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)d)) {
            push_capture(ms, d - '1', s, e);
            luaL_addvalue(b); /* positions become text */
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", PAT_ESC);
        }
        r = pc + 2;
    }
    luaL_addlstring(b, r, (size_t)(end - r));
}

/* Adds the replacement of the match s..e; false when the original text was
 * kept (a false or nil value). */
static bool add_value(pat_state *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
    lua_State *L = ms->L;
    if (tr == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(ms, s, e);
        lua_call(L, n, 1);
    } else if (tr == LUA_TTABLE) {
        push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_string(ms, b, s, e);
        return true;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return false;
    }
    if (!lua_isstring(L, -1))
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return true;
}

static int l_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *src = arg_string(L, 1, &ls, "gsub");
    const char *p = arg_string(L, 2, &lp, "gsub");
    int tr = lua_type(L, 3);
    lua_Integer max_n = arg_int(L, 4, (lua_Integer)ls + 1, "gsub");
    if (tr != LUA_TNUMBER && tr != LUA_TSTRING && tr != LUA_TFUNCTION && tr != LUA_TTABLE)
        type_error(L, 3, "gsub", "string/function/table");
    bool anchor = lp > 0 && *p == '^';
    if (anchor)
        p++;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    pat_state ms;
    state_init(&ms, L, cfg_of(L), src, ls, p, anchor ? lp - 1 : lp);
    const char *at = src, *last = NULL;
    lua_Integer n = 0;
    bool changed = false;
    while (n < max_n) {
        attempt_reset(&ms);
        const char *e = pat_match(&ms, at, p);
        if (e && e != last) {
            n++;
            changed = add_value(&ms, &b, at, e, tr) || changed;
            at = last = e;
        } else if (at < ms.src_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    steps_done(&ms);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, at, (size_t)(ms.src_end - at));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ---- opening ---- */

static const luaL_Reg pat_funcs[] = {
    {"find", l_find},
    {"match", l_match},
    {"gmatch", l_gmatch},
    {"gsub", l_gsub},
    {NULL, NULL},
};

void emL_pattern_install(lua_State *L, int idx, size_t max_steps, emL_pattern_charge charge,
                         void *ud)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 3, NULL);
    lua_pushvalue(L, idx);
    pat_cfg *cfg = lua_newuserdatauv(L, sizeof *cfg, 0);
    cfg->max_steps = max_steps > SIZE_MAX / 2 ? SIZE_MAX / 2 : max_steps;
    cfg->charge = charge;
    cfg->ud = ud;
    luaL_setfuncs(L, pat_funcs, 1);
    lua_pop(L, 1);
}

void emL_pattern_open(lua_State *L, size_t max_steps, emL_pattern_charge charge, void *ud)
{
    lua_createtable(L, 0, 4);
    emL_pattern_install(L, -1, max_steps, charge, ud);
}
