/* core.c: the `eightmin.core` module: the record views' metatables and the
 * functions of units.c, date.c, reader.c and encode.c in one table. */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <string.h>

#include "emL.h"
#include "em_units.h"

#define EML_VERSION "0.1.0"

int emL_pusherror(lua_State *L, const em_error *err)
{
    char msg[sizeof err->file + sizeof err->field + sizeof err->message + 48];
    em_error_format(err, msg, sizeof msg);
    lua_pushnil(L);
    lua_pushstring(L, msg);
    return 2;
}

int emL_fielderror(lua_State *L, int arg, const char *path, const char *expected, int idx)
{
    const char *got = lua_type(L, idx) == LUA_TNUMBER ? luaL_tolstring(L, idx, NULL)
                                                       : luaL_typename(L, idx);
    return luaL_argerror(L, arg, lua_pushfstring(L, "%s: %s expected, got %s", path,
                                                 expected, got));
}

lua_Integer emL_checkwhole(lua_State *L, int arg, int idx, const char *path)
{
    int isnum = 0;
    lua_Integer v = lua_type(L, idx) == LUA_TNUMBER ? lua_tointegerx(L, idx, &isnum) : 0;
    if (!isnum)
        emL_fielderror(L, arg, path, "whole number", idx);
    return v;
}

void emL_checkkeys(lua_State *L, int arg, int idx, const char *path, const char *const known[])
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        bool ok = false;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; known[i] && !ok; i++)
                ok = strcmp(lua_tostring(L, -1), known[i]) == 0;
        if (!ok)
            luaL_argerror(L, arg, lua_pushfstring(L, "%s: unknown field '%s'", path,
                                                  luaL_tolstring(L, -1, NULL)));
    }
}

int luaopen_eightmin_core(lua_State *L)
{
    int top = lua_gettop(L);
    emL_open_visit(L);
    emL_open_line(L);
    emL_open_segment(L);
    emL_open_provider(L);
    emL_open_patient(L);
    emL_open_telehealth(L);
    emL_open_note(L);
    emL_open_episode(L);
    emL_open_list(L);
    lua_settop(L, top);  /* an opener that leaves its metatable changes nothing */
    lua_newtable(L);
    emL_register_units(L);
    emL_register_date(L);
    emL_register_reader(L);
    emL_register_encode(L);
    lua_pushliteral(L, EML_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushinteger(L, EM_DAY_MINUTES);
    lua_setfield(L, -2, "DAY_MINUTES");
    return 1;
}
