/* emL.c: helpers every record view shares: view userdata that keep their
 * visit alive, value pushers, and the generic __index/__pairs of a view
 * type (a binary search over its sorted field names). */
#include <math.h>
#include <string.h>

#include "emL.h"
#include "em_time.h"

/* A view: a pointer into a visit's arena; user value 1 is the visit view. */
typedef struct view {
    const void *ptr;
} view;

void emL_pushowner(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    /* a visit view is its own owner (its user values cache its parts) */
    if (lua_type(L, idx) == LUA_TUSERDATA && !luaL_testudata(L, idx, EML_VISIT)) {
        if (lua_getiuservalue(L, idx, 1) != LUA_TNONE)
            return;
        lua_pop(L, 1);
    }
    lua_pushvalue(L, idx);
}

void emL_pushview(lua_State *L, const char *tname, const void *ptr, int owner)
{
    owner = lua_absindex(L, owner);
    view *vw = lua_newuserdatauv(L, sizeof *vw, 1);
    vw->ptr = ptr;
    luaL_setmetatable(L, tname);
    emL_pushowner(L, owner);  /* the root, so chains of views never grow */
    lua_setiuservalue(L, -2, 1);
}

const void *emL_checkview(lua_State *L, int idx, const char *tname)
{
    idx = lua_absindex(L, idx);
    const view *vw = luaL_checkudata(L, idx, tname);
    /* a visit freed under a view (a finalizer ran first, or the host
     * released it) must raise, not let the view read freed memory */
    if (lua_getiuservalue(L, idx, 1) == LUA_TUSERDATA) {
        const emL_visitud *o = luaL_testudata(L, -1, EML_VISIT);
        if (o && !o->v)
            luaL_error(L, "%s: the visit it belongs to was released", tname);
    }
    lua_pop(L, 1);
    return vw->ptr;
}

const em_visit *emL_ownervisit(lua_State *L, int idx)
{
    emL_pushowner(L, idx);
    const emL_visitud *o = luaL_testudata(L, -1, EML_VISIT);
    lua_pop(L, 1);
    return o ? o->v : NULL;
}

void emL_pushstring_or_nil(lua_State *L, const char *s)
{
    if (s)
        lua_pushstring(L, s);
    else
        lua_pushnil(L);
}

void emL_pushdate(lua_State *L, int32_t days)
{
    if (days == EM_DATE_NONE) {
        lua_pushnil(L);
        return;
    }
    char buf[11];
    em_date_format(days, buf);
    lua_pushstring(L, buf);
}

void emL_pushcount(lua_State *L, int64_t v)
{
    if (v < 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, (lua_Integer)v);
}

void emL_pushscore(lua_State *L, double d)
{
    lua_Integer i;
    if (floor(d) == d && lua_numbertointeger(d, &i))
        lua_pushinteger(L, i);
    else
        lua_pushnumber(L, d);
}

void emL_pushtimepoint(lua_State *L, const em_timepoint *tp)
{
    char buf[32];
    em_timepoint_format(tp, buf);  /* with its offset, as a rule must compare it */
    lua_pushstring(L, buf);
}

void emL_pushvaluetree(lua_State *L, const em_value *v)
{
    if (!v) {
        lua_pushnil(L);
        return;
    }
    switch (v->type) {
    case EM_VALUE_BOOL:
        lua_pushboolean(L, v->u.b);
        break;
    case EM_VALUE_INT:
        lua_pushinteger(L, (lua_Integer)v->u.i);
        break;
    case EM_VALUE_NUMBER:
        lua_pushnumber(L, v->u.n);
        break;
    case EM_VALUE_STRING:
        emL_pushstring_or_nil(L, v->u.s);
        break;
    case EM_VALUE_ARRAY:
    case EM_VALUE_OBJECT: {
        bool obj = v->type == EM_VALUE_OBJECT;
        size_t n = v->u.list.n;
        luaL_checkstack(L, 3, "value nested too deeply");
        lua_createtable(L, obj || n > INT32_MAX ? 0 : (int)n, obj && n <= INT32_MAX ? (int)n : 0);
        for (size_t i = 0; i < n; i++) {
            emL_pushvaluetree(L, &v->u.list.items[i]);
            if (!obj)
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            else if (v->u.list.keys && v->u.list.keys[i])
                emL_setfield_or_skip(L, v->u.list.keys[i]);
            else
                lua_pop(L, 1);
        }
        break;
    }
    case EM_VALUE_NULL:
    default:
        lua_pushnil(L);  /* JSON null: a key that holds null is not there */
        break;
    }
}

void emL_setfield_or_skip(lua_State *L, const char *k)
{
    if (lua_isnil(L, -1))
        lua_pop(L, 1);
    else
        lua_setfield(L, -2, k);
}

void emL_mergeextra(lua_State *L, const em_value *x)
{
    if (!x || x->type != EM_VALUE_OBJECT || !x->u.list.keys)
        return;
    for (size_t i = 0; i < x->u.list.n; i++) {
        const char *k = x->u.list.keys[i];
        if (!k || lua_getfield(L, -1, k) != LUA_TNIL) {
            lua_pop(L, 1);  /* a known field wins over an unknown one */
            continue;
        }
        lua_pop(L, 1);
        emL_pushvaluetree(L, &x->u.list.items[i]);
        emL_setfield_or_skip(L, k);
    }
}

int emL_readonly(lua_State *L)
{
    const char *name = "value";
    if (luaL_getmetafield(L, 1, "__name") == LUA_TSTRING)
        name = lua_tostring(L, -1);
    return luaL_error(L, "%s is read-only", name);
}

void emL_newmeta(lua_State *L, const char *tname, const luaL_Reg *meta,
                 const luaL_Reg *methods)
{
    luaL_newmetatable(L, tname);
    lua_newtable(L);
    if (methods)
        luaL_setfuncs(L, methods, 0);
    luaL_setfuncs(L, meta, 1);  /* every metamethod sees the methods */
    /* getmetatable() from a script gets a name, not the shared table */
    lua_pushstring(L, tname);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

static int field_find(const emL_field *f, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, f[mid].name);
        if (c == 0)
            return f[mid].id;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static const char *field_name(const emL_viewtype *t, int id)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (t->fields[i].id == id)
            return t->fields[i].name;
    return "?";
}

int emL_viewindex(lua_State *L, const emL_viewtype *t, const void *rec)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        int id = field_find(t->fields, t->n_fields, lua_tostring(L, 2));
        if (id >= 0) {
            t->push(L, rec, id);
            return 1;
        }
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
        lua_pop(L, 1);
        t->pushpath(L, rec);
        return luaL_error(L, "%s has no field '%s'", lua_tostring(L, -1), lua_tostring(L, 2));
    }
    t->pushpath(L, rec);
    const char *path = lua_tostring(L, -1);
    return luaL_error(L, "%s has no field [%s]", path, luaL_tolstring(L, 2, NULL));
}

static int view_next(lua_State *L)
{
    const emL_viewtype *t = lua_touserdata(L, lua_upvalueindex(1));
    const void *rec = t->check(L, 1);
    int id = -1;
    if (!lua_isnoneornil(L, 2)) {
        id = lua_type(L, 2) == LUA_TSTRING ? field_find(t->fields, t->n_fields, lua_tostring(L, 2)) : -1;
        if (id < 0)
            return luaL_error(L, "invalid key to 'next'");
    }
    while (++id < (int)t->n_fields) {
        t->push(L, rec, id);
        if (!lua_isnil(L, -1)) {
            lua_pushstring(L, field_name(t, id));
            lua_insert(L, -2);
            return 2;
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 1;
}

int emL_viewpairs(lua_State *L, const emL_viewtype *t)
{
    t->check(L, 1);
    lua_pushlightuserdata(L, (void *)t);
    lua_pushcclosure(L, view_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

int emL_vieweq(lua_State *L)
{
    bool eq = false;
    if (lua_type(L, 1) == LUA_TUSERDATA && lua_type(L, 2) == LUA_TUSERDATA &&
        lua_getmetatable(L, 1) && lua_getmetatable(L, 2)) {
        eq = lua_rawequal(L, -1, -2) &&
             ((const view *)lua_touserdata(L, 1))->ptr == ((const view *)lua_touserdata(L, 2))->ptr;
    }
    lua_pushboolean(L, eq);
    return 1;
}
