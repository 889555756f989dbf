/* reader.c: readers of visits as generic-for iterators, whatever the
 * format (NDJSON here; CSV in csv.c): each step is a visit, or a bad record
 * as a step of its own, so the loop goes on:
 *   for visit, err, line in core.read("visits.ndjson") do ... end */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emL.h"
#include "em_json.h"

#define EML_READER "eightmin.Reader"

static emL_reader *reader_check(lua_State *L)
{
    return luaL_checkudata(L, 1, EML_READER);
}

static void reader_close(emL_reader *rd)
{
    if (rd->r)
        rd->stream->close(rd->r);
    if (rd->aux)
        rd->aux_free(rd->aux);
    if (rd->f && rd->own)
        fclose(rd->f);
    rd->r = NULL;
    rd->aux = NULL;
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

/* r:record() -> line of the last visit returned or bad record reported */
static int reader_record(lua_State *L)
{
    emL_reader *rd = reader_check(L);
    if (rd->r)
        lua_pushinteger(L, rd->stream->record(rd->r));
    else
        lua_pushnil(L);
    return 1;
}

static int reader_tostring(lua_State *L)
{
    emL_reader *rd = reader_check(L);
    lua_getiuservalue(L, 1, 1);
    lua_pushfstring(L, "eightmin.Reader (%s%s)", lua_tostring(L, -1),
                    rd->r ? "" : ", closed");
    return 1;
}

/* One step: visit, nil, line | false, "file:line: field: message", line
 * | nil at the end (the file is closed then). */
static int reader_call(lua_State *L)
{
    emL_reader *rd = reader_check(L);
    if (!rd->r) {
        lua_pushnil(L);
        return 1;
    }
    /* the view first, so that no allocation can raise while the next
     * visit belongs to nobody */
    emL_pushvisit(L, NULL, true);
    emL_visitud *ud = lua_touserdata(L, -1);
    em_error err;
    em_error_clear(&err);
    em_status st = rd->stream->next(rd->r, &ud->v, &err);
    lua_Integer line = rd->stream->record(rd->r);
    if (st == EM_EOF) {
        reader_close(rd);
        lua_pushnil(L);
        return 1;
    }
    if (st == EM_OK) {
        lua_pushnil(L);
    } else {
        lua_pop(L, 1);
        if (st == EM_EIO)
            reader_close(rd);  /* the stream failed: report it, then stop */
        lua_pushboolean(L, 0);
        emL_pusherror(L, &err);
        lua_remove(L, -2);
    }
    lua_pushinteger(L, line);
    return 3;
}

emL_reader *emL_newreader(lua_State *L, int name_idx)
{
    name_idx = lua_absindex(L, name_idx);
    emL_reader *rd = lua_newuserdatauv(L, sizeof *rd, 1);
    memset(rd, 0, sizeof *rd);
    luaL_setmetatable(L, EML_READER);
    lua_pushvalue(L, name_idx);
    lua_setiuservalue(L, -2, 1);  /* the reader's messages point at this name */
    return rd;
}

int emL_reader_fopen(lua_State *L, emL_reader *rd, const char *path)
{
    if (strcmp(path, "-") == 0) {
        rd->f = stdin;
        return 0;
    }
    rd->f = fopen(path, "rb");
    if (!rd->f)
        return luaL_fileresult(L, 0, path);
    rd->own = true;
    return 0;
}

int emL_reader_loop(lua_State *L)
{
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, -3);
    return 3;
}

/* ---- NDJSON ---- */

static em_status ndjson_next(void *r, em_visit **out, em_error *err)
{
    return em_ndjson_next(r, out, err);
}

static long ndjson_record(const void *r)
{
    return em_ndjson_record(r);
}

static void ndjson_close(void *r)
{
    em_ndjson_close(r);
}

static const emL_visit_stream ndjson_stream = {ndjson_next, ndjson_record, ndjson_close};

/* read(path | "-", [max_line]) -> reader, nil, nil, reader | nil, msg */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer max_line = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, max_line >= 0 && (lua_Unsigned)max_line <= SIZE_MAX, 2,
                  "bytes per record must be 0 (default) or more");
    emL_reader *rd = emL_newreader(L, 1);
    int failed = emL_reader_fopen(L, rd, path);
    if (failed)
        return failed;
    rd->stream = &ndjson_stream;
    rd->r = em_ndjson_open(rd->f, path, (size_t)max_line);
    if (!rd->r) {
        reader_close(rd);
        return luaL_error(L, "out of memory opening %s", path);
    }
    return 1 + emL_reader_loop(L);
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
    if (luaL_newmetatable(L, EML_READER)) {
        luaL_setfuncs(L, reader_meta, 0);
        luaL_newlib(L, reader_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, reader_funcs, 0);
}
