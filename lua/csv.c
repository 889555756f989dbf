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

#define EML_CSVREADER "eightmin.CsvReader"

int luaopen_eightmin_csv(lua_State *L);

typedef struct csvreader {
    FILE *f;                /* NULL once closed */
    em_csv_reader *r;
    em_csv_mapping *map;    /* only while read() builds it */
    bool own;               /* f is ours to close (stdin is not) */
} csvreader;

static csvreader *csvreader_check(lua_State *L)
{
    return luaL_checkudata(L, 1, EML_CSVREADER);
}

static void csvreader_close(csvreader *cr)
{
    em_csv_close(cr->r);
    em_csv_mapping_free(cr->map);
    if (cr->f && cr->own)
        fclose(cr->f);
    cr->r = NULL;
    cr->map = NULL;
    cr->f = NULL;
}

/* __gc, __close */
static int csvreader_gc(lua_State *L)
{
    csvreader_close(csvreader_check(L));
    return 0;
}

/* r:close() -> true */
static int csvreader_closem(lua_State *L)
{
    csvreader_close(csvreader_check(L));
    lua_pushboolean(L, 1);
    return 1;
}

/* r:record() -> line of the first row of the last visit returned or reported */
static int csvreader_record(lua_State *L)
{
    csvreader *cr = csvreader_check(L);
    if (cr->r)
        lua_pushinteger(L, em_csv_record(cr->r));
    else
        lua_pushnil(L);
    return 1;
}

static int csvreader_tostring(lua_State *L)
{
    csvreader *cr = csvreader_check(L);
    lua_getiuservalue(L, 1, 1);
    lua_pushfstring(L, "eightmin.CsvReader (%s%s)", lua_tostring(L, -1),
                    cr->r ? "" : ", closed");
    return 1;
}

/* One step: visit, nil, line | false, "file:line: column X: message", line
 * | nil at the end (the file is closed then). */
static int csvreader_call(lua_State *L)
{
    csvreader *cr = csvreader_check(L);
    if (!cr->r) {
        lua_pushnil(L);
        return 1;
    }
    em_visit *v = NULL;
    em_error err;
    em_status st = em_csv_next(cr->r, &v, &err);
    lua_Integer line = em_csv_record(cr->r);
    if (st == EM_EOF) {
        csvreader_close(cr);
        lua_pushnil(L);
        return 1;
    }
    if (st == EM_OK) {
        emL_pushvisit(L, v, true);
        lua_pushnil(L);
    } else {
        lua_pushboolean(L, 0);
        emL_pusherror(L, &err);
        lua_remove(L, -2);
    }
    lua_pushinteger(L, line);
    return 3;
}

/* Fills cr->map from the mapping table at idx: field = "Column",
 * diagnoses = {"Dx 1", "Dx 2"}, field = false (not read). Raises on misuse;
 * cr owns the mapping, so nothing leaks. */
static void mapping_from_table(lua_State *L, int idx, csvreader *cr)
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
        if (em_csv_mapping_set(cr->map, field, cols, n, &err) != EM_OK)
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
    csvreader *cr = lua_newuserdatauv(L, sizeof *cr, 1);
    memset(cr, 0, sizeof *cr);
    luaL_setmetatable(L, EML_CSVREADER);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    cr->map = em_csv_mapping_new();
    if (!cr->map)
        return luaL_error(L, "out of memory");
    if (lua_istable(L, 2))
        mapping_from_table(L, 2, cr);
    em_csv_limits lim = {0};
    if (lua_istable(L, 3)) {
        static const char *const known[] = {"delimiter", "list_separator", "max_field",
                                            "max_row", "max_columns", "max_rows", NULL};
        emL_checkkeys(L, 3, 3, "options", known);
        em_error err;
        em_error_clear(&err);
        if (em_csv_mapping_separators(cr->map, opt_char(L, 3, "delimiter", ','),
                                      opt_char(L, 3, "list_separator", ';'), &err) != EM_OK)
            luaL_argerror(L, 3, lua_pushfstring(L, "options.%s: %s", err.field, err.message));
        lim.max_field = opt_size(L, 3, "max_field");
        lim.max_row = opt_size(L, 3, "max_row");
        lim.max_columns = opt_size(L, 3, "max_columns");
        lim.max_rows = opt_size(L, 3, "max_rows");
    }
    if (strcmp(path, "-") == 0) {
        cr->f = stdin;
    } else {
        cr->f = fopen(path, "rb");
        if (!cr->f)
            return luaL_fileresult(L, 0, path);
        cr->own = true;
    }
    cr->r = em_csv_open(cr->f, path, cr->map, &lim);
    em_csv_mapping_free(cr->map);  /* the reader keeps its own copy */
    cr->map = NULL;
    if (!cr->r) {
        csvreader_close(cr);
        return luaL_error(L, "out of memory opening %s", path);
    }
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, -3);
    return 4;
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

static const luaL_Reg csvreader_meta[] = {
    {"__call", csvreader_call},
    {"__gc", csvreader_gc},
    {"__close", csvreader_gc},
    {"__tostring", csvreader_tostring},
    {"__index", NULL},  /* set to csvreader_methods below */
    {NULL, NULL},
};

static const luaL_Reg csvreader_methods[] = {
    {"close", csvreader_closem},
    {"record", csvreader_record},
    {NULL, NULL},
};

static const luaL_Reg csv_funcs[] = {
    {"read", l_read},
    {"fields", l_fields},
    {NULL, NULL},
};

int luaopen_eightmin_csv(lua_State *L)
{
    luaL_checkversion(L);
    /* the views of the visits it yields need core's metatables */
    luaL_requiref(L, "eightmin.core", luaopen_eightmin_core, 0);
    lua_pop(L, 1);
    if (luaL_newmetatable(L, EML_CSVREADER)) {
        luaL_setfuncs(L, csvreader_meta, 0);
        luaL_newlib(L, csvreader_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_newlib(L, csv_funcs);
    return 1;
}
