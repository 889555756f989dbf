/* json.c: json_decode and json_encode for the eightmin.hash module. Lua
 * never parses JSON itself: the core's em_value_parse builds a value tree
 * and emL_pushvaluetree turns it into plain tables. */
#include <lauxlib.h>
#include <lua.h>
#include <stddef.h>

#include "emL.h"
#include "em_json.h"

#define EML_JSONARENA "eightmin.JsonArena"
#define DECODE_MAX_BYTES EM_JSON_DEFAULT_MAX_LINE  /* one record's worth */
#define DECODE_ARENA_LIMIT ((size_t)256 << 20)

/* The arena lives in a userdata so that raising (out of memory while the
 * tables are made) still frees it. */
typedef struct arena_box {
    em_arena *a;
} arena_box;

static int arena_gc(lua_State *L)
{
    arena_box *b = luaL_checkudata(L, 1, EML_JSONARENA);
    em_arena_free(b->a);
    b->a = NULL;
    return 0;
}

/* json_decode(text) -> value | nil, msg. Objects and arrays become tables;
 * JSON null becomes nil (a key holding null is absent). */
static int l_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    if (len > DECODE_MAX_BYTES) {
        lua_pushnil(L);
        lua_pushfstring(L, "JSON text of %I bytes is over the %I-byte limit",
                        (lua_Integer)len, (lua_Integer)DECODE_MAX_BYTES);
        return 2;
    }
    arena_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->a = NULL;
    if (luaL_newmetatable(L, EML_JSONARENA)) {
        lua_pushcfunction(L, arena_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    b->a = em_arena_new(DECODE_ARENA_LIMIT);
    if (!b->a)
        return luaL_error(L, "not enough memory");
    em_value *v = NULL;
    em_error err;
    em_error_clear(&err);
    if (em_value_parse(text, len, b->a, &v, &err) != EM_OK) {
        em_arena_free(b->a);
        b->a = NULL;
        lua_pushnil(L);
        if (err.field[0])
            lua_pushfstring(L, "%s: %s", err.field, err.message);
        else
            lua_pushstring(L, err.message);
        return 2;
    }
    emL_pushvaluetree(L, v);
    em_arena_free(b->a);  /* now, rather than at the next collection */
    b->a = NULL;
    return 1;
}

/* json_encode(value) -> text: compact, object keys sorted (so equal tables
 * give equal text, which content hashes rely on); raises for values JSON
 * cannot hold. */
static int l_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    emL_pushjson(L, 1, "value");
    return 1;
}

static const luaL_Reg json_funcs[] = {
    {"json_decode", l_decode},
    {"json_encode", l_encode},
    {NULL, NULL},
};

void emL_register_json(lua_State *L)
{
    luaL_setfuncs(L, json_funcs, 0);
}
