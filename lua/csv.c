/* csv.c: the eightmin.csv module: visits from a CSV file (core/em_csv.h),
 * one per step of a generic for, like eightmin.core's read():
 *   for visit, err, line in csv.read("visits.csv", {visit_id = "Encounter #"}) do
 * A bad visit is a step of its own (false, "file:line: column X: why"). */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emL.h"
#include "em_csv.h"

int luaopen_eightmin_csv(lua_State *L);

/* The CSV stream behind a generic reader (reader.c). */
static em_status csv_next(void *r, em_visit **out, em_error *err)
{
    return em_csv_next(r, out, err);
}

static long csv_record(const void *r)
{
    return em_csv_record(r);
}

static void csv_close(void *r)
{
    em_csv_close(r);
}

static void csv_mapping_free(void *map)
{
    em_csv_mapping_free(map);
}

static const emL_visit_stream csv_stream = {csv_next, csv_record, csv_close};

/* Fills map from the mapping table at idx: field = "Column",
 * diagnoses = {"Dx 1", "Dx 2"}, field = false (not read). Raises on misuse;
 * the reader owns the mapping meanwhile, so nothing leaks. */
static void mapping_from_table(lua_State *L, int idx, em_csv_mapping *map)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, idx, "mapping keys must be field names (strings)");
        const char *field = lua_tostring(L, -2);
        const char *cols[12];
        size_t n = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            cols[n++] = lua_tostring(L, -1);
        } else if (lua_istable(L, -1)) {
            lua_Integer len = luaL_len(L, -1);
            if (len > 12)
                luaL_argerror(L, idx, lua_pushfstring(L, "mapping.%s: at most 12 columns",
                                                      field));
            for (lua_Integer i = 1; i <= len; i++) {
                if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
                    luaL_argerror(L, idx, lua_pushfstring(
                        L, "mapping.%s[%d]: expected a column name (string)", field, (int)i));
                cols[n++] = lua_tostring(L, -1);
                lua_pop(L, 1);  /* the table still holds the string */
            }
        } else if (!(lua_isboolean(L, -1) && !lua_toboolean(L, -1))) {
            luaL_argerror(L, idx, lua_pushfstring(
                L, "mapping.%s: expected a column name, a list of names or false, got %s",
                field, luaL_typename(L, -1)));
        }
        em_error err;
        em_error_clear(&err);
        if (em_csv_mapping_set(map, field, cols, n, &err) != EM_OK)
            luaL_argerror(L, idx, lua_pushfstring(L, "mapping.%s: %s", field, err.message));
        lua_pop(L, 1);
    }
}

static char opt_char(lua_State *L, int idx, const char *key, char def)
{
    char c = def;
    if (lua_getfield(L, idx, key) != LUA_TNIL) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        if (!s || len != 1)
            luaL_argerror(L, idx, lua_pushfstring(L, "options.%s: expected one character", key));
        c = s[0];
    }
    lua_pop(L, 1);
    return c;
}

static size_t opt_size(lua_State *L, int idx, const char *key)
{
    lua_Integer v = 0;
    if (lua_getfield(L, idx, key) != LUA_TNIL) {
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < 1 || (lua_Unsigned)v > SIZE_MAX)
            luaL_argerror(L, idx, lua_pushfstring(L, "options.%s: expected a whole number >= 1",
                                                  key));
    }
    lua_pop(L, 1);
    return (size_t)v;
}

/* read(path | "-", [mapping], [options]) -> reader, nil, nil, reader |
 * nil, msg. options: delimiter, list_separator, max_field, max_row,
 * max_columns, max_rows. The reader is also the loop's closing value. */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    emL_reader *rd = emL_newreader(L, 1);
    em_csv_mapping *map = em_csv_mapping_new();
    if (!map)
        return luaL_error(L, "out of memory");
    rd->aux = map;
    rd->aux_free = csv_mapping_free;
    if (lua_istable(L, 2))
        mapping_from_table(L, 2, map);
    em_csv_limits lim = {0};
    if (lua_istable(L, 3)) {
        static const char *const known[] = {"delimiter", "list_separator", "max_field",
                                            "max_row", "max_columns", "max_rows", NULL};
        emL_checkkeys(L, 3, 3, "options", known);
        em_error err;
        em_error_clear(&err);
        if (em_csv_mapping_separators(map, opt_char(L, 3, "delimiter", ','),
                                      opt_char(L, 3, "list_separator", ';'), &err) != EM_OK)
            luaL_argerror(L, 3, lua_pushfstring(L, "options.%s: %s", err.field, err.message));
        lim.max_field = opt_size(L, 3, "max_field");
        lim.max_row = opt_size(L, 3, "max_row");
        lim.max_columns = opt_size(L, 3, "max_columns");
        lim.max_rows = opt_size(L, 3, "max_rows");
    }
    int failed = emL_reader_fopen(L, rd, path);
    if (failed)
        return failed;
    rd->stream = &csv_stream;
    rd->r = em_csv_open(rd->f, path, map, &lim);
    rd->aux = NULL;  /* the reader keeps its own copy of the mapping */
    em_csv_mapping_free(map);
    if (!rd->r)
        return luaL_error(L, "out of memory opening %s", path);  /* __gc closes f */
    return 1 + emL_reader_loop(L);
}

/* fields() -> the names a mapping may use, in order */
static int l_fields(lua_State *L)
{
    const char *const *names = em_csv_fields();
    lua_newtable(L);
    for (int i = 0; names[i]; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static const luaL_Reg csv_funcs[] = {
    {"read", l_read},
    {"fields", l_fields},
    {NULL, NULL},
};

int luaopen_eightmin_csv(lua_State *L)
{
    luaL_checkversion(L);
    /* the views of the visits it yields and the Reader need core's metatables */
    luaL_requiref(L, "eightmin.core", luaopen_eightmin_core, 0);
    lua_pop(L, 1);
    luaL_newlib(L, csv_funcs);
    return 1;
}
