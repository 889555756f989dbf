/* reader.c: read(): visits from an NDJSON file, one per step of a generic
 * for; a bad record is a step of its own, so the loop goes on. */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emL.h"
#include "em_json.h"

#define EML_READER "eightmin.Reader"

typedef struct reader {
    FILE *f;               /* NULL once closed */
    em_ndjson_reader *r;
    bool own;              /* f is ours to close (stdin is not) */
} reader;

static reader *reader_check(lua_State *L)
{
    return luaL_checkudata(L, 1, EML_READER);
}

static void reader_close(reader *rd)
{
    if (rd->r)
        em_ndjson_close(rd->r);
    if (rd->f && rd->own)
        fclose(rd->f);
    rd->r = NULL;
    rd->f = NULL;
}

/* __gc, __close */
static int reader_gc(lua_State *L)
{
    reader_close(reader_check(L));
    return 0;
}

/* r:close() -> true */
static int reader_closem(lua_State *L)
{
    reader_close(reader_check(L));
    lua_pushboolean(L, 1);
    return 1;
}

/* r:record() -> line number of the last record returned or reported */
static int reader_record(lua_State *L)
{
    reader *rd = reader_check(L);
    if (rd->r)
        lua_pushinteger(L, em_ndjson_record(rd->r));
    else
        lua_pushnil(L);
    return 1;
}

static int reader_tostring(lua_State *L)
{
    reader *rd = reader_check(L);
    lua_getiuservalue(L, 1, 1);
    lua_pushfstring(L, "eightmin.Reader (%s%s)", lua_tostring(L, -1),
                    rd->r ? "" : ", closed");
    return 1;
}

/* One step: visit, nil, record | false, "file:line: field: message", record
 * | nil at the end (the file is closed then). */
static int reader_call(lua_State *L)
{
    reader *rd = reader_check(L);
    if (!rd->r) {
        lua_pushnil(L);
        return 1;
    }
    em_visit *v = NULL;
    em_error err;
    em_error_clear(&err);
    em_status st = em_ndjson_next(rd->r, &v, &err);
    lua_Integer record = em_ndjson_record(rd->r);
    if (st == EM_EOF) {
        reader_close(rd);
        lua_pushnil(L);
        return 1;
    }
    if (st == EM_OK) {
        emL_pushvisit(L, v, true);
        lua_pushnil(L);
    } else {
        if (st == EM_EIO)
            reader_close(rd);  /* the stream failed: report it, then stop */
        lua_pushboolean(L, 0);
        emL_pusherror(L, &err);
        lua_remove(L, -2);
    }
    lua_pushinteger(L, record);
    return 3;
}

/* read(path | "-", [max_line]) -> reader, nil, nil, reader | nil, msg.
 * The reader is also the loop's closing value, so `break` closes it. */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer max_line = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, max_line >= 0 && (lua_Unsigned)max_line <= SIZE_MAX, 2,
                  "bytes per record must be 0 (default) or more");
    reader *rd = lua_newuserdatauv(L, sizeof *rd, 1);
    rd->f = NULL;
    rd->r = NULL;
    rd->own = false;
    luaL_setmetatable(L, EML_READER);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);  /* the reader's messages point at this name */
    if (strcmp(path, "-") == 0) {
        rd->f = stdin;
    } else {
        rd->f = fopen(path, "rb");
        if (!rd->f)
            return luaL_fileresult(L, 0, path);
        rd->own = true;
    }
    rd->r = em_ndjson_open(rd->f, path, (size_t)max_line);
    if (!rd->r) {
        reader_close(rd);
        return luaL_error(L, "out of memory opening %s", path);
    }
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, -3);
    return 4;
}

static const luaL_Reg reader_meta[] = {
    {"__call", reader_call},
    {"__gc", reader_gc},
    {"__close", reader_gc},
    {"__tostring", reader_tostring},
    {"__index", NULL},  /* set to reader_methods below */
    {NULL, NULL},
};

static const luaL_Reg reader_methods[] = {
    {"close", reader_closem},
    {"record", reader_record},
    {NULL, NULL},
};

static const luaL_Reg reader_funcs[] = {
    {"read", l_read},
    {NULL, NULL},
};

void emL_register_reader(lua_State *L)
{
    luaL_newmetatable(L, EML_READER);
    luaL_setfuncs(L, reader_meta, 0);
    luaL_newlib(L, reader_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_setfuncs(L, reader_funcs, 0);
}
