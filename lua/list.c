/* list.c: eightmin.List, a read-only view of one of a record's arrays
 * (lines, diagnoses, modifiers, segments, interventions, measures,
 * dx_pointers). Out-of-range indexes read nil, so ipairs and # work. */
#include "emL.h"

typedef struct list {
    const void *items;   /* first, like every view: emL_checkview reads it */
    size_t n;
    emL_listkind kind;
    int line;            /* 1-based line the array belongs to, 0: the visit */
    const char *path;    /* static text: "lines", "modifiers", "note.measures" */
} list;

static const list *list_check(lua_State *L, int i)
{
    emL_checkview(L, i, EML_LIST);  /* also checks the visit is alive */
    return lua_touserdata(L, i);
}

void emL_pushlist(lua_State *L, emL_listkind kind, const void *items, size_t n,
                  const char *path, int line, int owner)
{
    owner = lua_absindex(L, owner);
    list *ls = lua_newuserdatauv(L, sizeof *ls, 2);  /* owner, item views made */
    *ls = (list){items, n, kind, line, path};
    luaL_setmetatable(L, EML_LIST);
    emL_pushowner(L, owner);
    lua_setiuservalue(L, -2, 1);
}

static void list_pushpath(lua_State *L, const list *ls)
{
    if (ls->line > 0)
        lua_pushfstring(L, "visit.lines[%d].%s", ls->line, ls->path);
    else
        lua_pushfstring(L, "visit.%s", ls->path);
}

/* Item i (0-based) as a script sees it; the list is at stack index 1. */
static void list_pushitem(lua_State *L, const list *ls, size_t i, bool plain)
{
    switch (ls->kind) {
    case EML_LIST_STRINGS:
        emL_pushstring_or_nil(L, ((const char *const *)ls->items)[i]);
        break;
    case EML_LIST_INTEGERS:
        lua_pushinteger(L, ((const int32_t *)ls->items)[i]);
        break;
    case EML_LIST_LINES:
        if (plain)
            emL_pushlinetable(L, &((const em_line *)ls->items)[i]);
        else
            emL_pushview(L, EML_LINE, &((const em_line *)ls->items)[i], 1);
        break;
    case EML_LIST_SEGMENTS:
        if (plain)
            emL_pushsegmenttable(L, &((const em_segment *)ls->items)[i]);
        else
            emL_pushview(L, EML_SEGMENT, &((const em_segment *)ls->items)[i], 1);
        break;
    case EML_LIST_INTERVENTIONS:
        emL_pushintervention(L, &((const em_intervention *)ls->items)[i]);
        break;
    case EML_LIST_MEASURES:
        emL_pushmeasure(L, &((const em_measure *)ls->items)[i]);
        break;
    default:
        lua_pushnil(L);
        break;
    }
}

/* Item k (1-based) of a list of views: made once and kept in the list's
 * second user value, since rules walk visit.lines again and again. Plain
 * tables (interventions, measures) are made anew each time: a script may
 * change its copy, and the next rule must not see that. */
static void list_pushview(lua_State *L, const list *ls, lua_Integer k)
{
    if (lua_getiuservalue(L, 1, 2) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, ls->n < 64 ? (int)ls->n : 64, 0);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, 2);
    }
    if (lua_rawgeti(L, -1, k) == LUA_TNIL) {
        lua_pop(L, 1);
        list_pushitem(L, ls, (size_t)k - 1, false);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, k);
    }
    lua_remove(L, -2);
}

static int list_index(lua_State *L)
{
    const list *ls = list_check(L, 1);
    int isint;
    switch (lua_type(L, 2)) {
    case LUA_TNUMBER: {
        lua_Integer k = lua_tointegerx(L, 2, &isint);
        if (!isint || k < 1 || (lua_Unsigned)k > ls->n)
            lua_pushnil(L);  /* like a table: ipairs stops here */
        else if (ls->kind == EML_LIST_LINES || ls->kind == EML_LIST_SEGMENTS)
            list_pushview(L, ls, k);
        else
            list_pushitem(L, ls, (size_t)k - 1, false);
        return 1;
    }
    case LUA_TSTRING:
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
        list_pushpath(L, ls);
        return luaL_error(L, "%s has no field '%s' (it is a list: use [i], # or ipairs)",
                          lua_tostring(L, -1), lua_tostring(L, 2));
    default: {
        list_pushpath(L, ls);
        const char *path = lua_tostring(L, -1);
        return luaL_error(L, "%s has no field [%s]", path, luaL_tolstring(L, 2, NULL));
    }
    }
}

static int list_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)list_check(L, 1)->n);
    return 1;
}

static int list_tostring(lua_State *L)
{
    const list *ls = list_check(L, 1);
    list_pushpath(L, ls);
    lua_pushfstring(L, "%s (list of %I)", lua_tostring(L, -1), (lua_Integer)ls->n);
    return 1;
}

static int list_next(lua_State *L)
{
    const list *ls = list_check(L, 1);
    lua_Integer k = lua_isnoneornil(L, 2) ? 0 : luaL_checkinteger(L, 2);
    if (k < 0 || (lua_Unsigned)k >= ls->n) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, k + 1);
    list_pushitem(L, ls, (size_t)k, false);
    return 2;
}

static int list_pairs(lua_State *L)
{
    list_check(L, 1);
    lua_pushcfunction(L, list_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int list_eq(lua_State *L)
{
    const list *a = luaL_testudata(L, 1, EML_LIST), *b = luaL_testudata(L, 2, EML_LIST);
    lua_pushboolean(L, a && b && a->items == b->items && a->n == b->n && a->kind == b->kind &&
                           a->line == b->line && a->path == b->path);
    return 1;
}

static int list_totable(lua_State *L)
{
    const list *ls = list_check(L, 1);
    luaL_checkstack(L, 4, NULL);
    lua_createtable(L, ls->n <= INT32_MAX ? (int)ls->n : 0, 0);
    for (size_t i = 0; i < ls->n; i++) {
        list_pushitem(L, ls, i, true);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static const luaL_Reg list_meta[] = {
    {"__index", list_index},
    {"__newindex", emL_readonly},
    {"__len", list_len},
    {"__pairs", list_pairs},
    {"__tostring", list_tostring},
    {"__eq", list_eq},
    {NULL, NULL}
};

static const luaL_Reg list_methods[] = {
    {"totable", list_totable},
    {NULL, NULL}
};

void emL_open_list(lua_State *L)
{
    emL_newmeta(L, EML_LIST, list_meta, list_methods);
}
