/* date.c: dates and clock times: date(), date_string(), days_between(),
 * add_days(), weekday(), time(), minutes_between(). */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>

#include "emL.h"
#include "em_time.h"

static int32_t date_min(void)
{
    return em_date_from_ymd(EM_DATE_MIN_YEAR, 1, 1);
}

static int32_t date_max(void)
{
    return em_date_from_ymd(EM_DATE_MAX_YEAR, 12, 31);
}

int32_t emL_checkdate(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        int32_t days;
        em_error err;
        em_error_clear(&err);
        if (em_date_parse(s, len, &days, &err) != EM_OK) {
            emL_pusherror(L, &err);
            luaL_argerror(L, idx, lua_tostring(L, -1));
        }
        return days;
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_typeerror(L, idx, "date (\"YYYY-MM-DD\" or days since 1970-01-01)");
    lua_Integer days = luaL_checkinteger(L, idx);
    if (days < date_min() || days > date_max())
        luaL_argerror(L, idx, lua_pushfstring(L, "day %I is outside the years %d to %d", days,
                                              EM_DATE_MIN_YEAR, EM_DATE_MAX_YEAR));
    return (int32_t)days;
}

/* date("YYYY-MM-DD") -> days since 1970-01-01 | nil, msg */
static int l_date(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int32_t days;
    em_error err;
    em_error_clear(&err);
    if (em_date_parse(s, len, &days, &err) != EM_OK)
        return emL_pusherror(L, &err);
    lua_pushinteger(L, days);
    return 1;
}

/* date_string(days) -> "YYYY-MM-DD" */
static int l_date_string(lua_State *L)
{
    emL_pushdate(L, emL_checkdate(L, 1));
    return 1;
}

/* days_between(a, b) -> b - a in days */
static int l_days_between(lua_State *L)
{
    int32_t a = emL_checkdate(L, 1), b = emL_checkdate(L, 2);
    lua_pushinteger(L, em_date_days_between(a, b));
    return 1;
}

/* add_days(date, n) -> "YYYY-MM-DD"; raises when it leaves the years supported */
static int l_add_days(lua_State *L)
{
    int32_t date = emL_checkdate(L, 1), out;
    lua_Integer n = luaL_checkinteger(L, 2);
    em_error err;
    em_error_clear(&err);
    luaL_argcheck(L, n >= -date_max() + date_min() && n <= date_max() - date_min(), 2,
                  "leaves the years 1800 to 9999");
    if (em_date_add_days(date, (int32_t)n, &out, &err) != EM_OK) {
        emL_pusherror(L, &err);
        luaL_argerror(L, 2, lua_tostring(L, -1));
    }
    emL_pushdate(L, out);
    return 1;
}

/* weekday(date) -> 1 (Monday) .. 7 (Sunday) */
static int l_weekday(lua_State *L)
{
    lua_pushinteger(L, em_date_weekday(emL_checkdate(L, 1)) + 1);
    return 1;
}

/* Parses the string at idx; on error names which (start, end) was bad. */
static em_status time_parse(lua_State *L, int idx, const char *what, em_timepoint *tp,
                            em_error *err)
{
    size_t len;
    const char *s = luaL_checklstring(L, idx, &len);
    em_status st = em_timepoint_parse(s, len, tp, err);
    if (st != EM_OK)
        em_error_prefix_field(err, what);
    return st;
}

/* time(s) -> {date=, second=, offset=} | nil, msg */
static int l_time(lua_State *L)
{
    em_timepoint tp;
    em_error err;
    em_error_clear(&err);
    if (time_parse(L, 1, NULL, &tp, &err) != EM_OK)
        return emL_pusherror(L, &err);
    lua_createtable(L, 0, 3);
    emL_pushdate(L, tp.date);
    lua_setfield(L, -2, "date");
    lua_pushinteger(L, tp.second);
    lua_setfield(L, -2, "second");
    if (tp.offset != EM_OFFSET_NONE) {
        lua_pushinteger(L, tp.offset);
        lua_setfield(L, -2, "offset");
    }
    return 1;
}

/* minutes_between(start, end, [date]) -> whole minutes | nil, msg */
static int l_minutes_between(lua_State *L)
{
    em_timepoint start, end;
    em_interval iv;
    em_error err;
    em_error_clear(&err);
    luaL_checkstring(L, 1);
    luaL_checkstring(L, 2);
    int32_t date = lua_isnoneornil(L, 3) ? EM_DATE_NONE : emL_checkdate(L, 3);
    if (time_parse(L, 1, "start", &start, &err) != EM_OK ||
        time_parse(L, 2, "end", &end, &err) != EM_OK ||
        em_interval_make(&start, &end, date, &iv, &err) != EM_OK)
        return emL_pusherror(L, &err);
    lua_pushinteger(L, em_seconds_to_minutes(em_interval_seconds(&iv)));
    return 1;
}

static const luaL_Reg date_funcs[] = {
    {"date", l_date},
    {"date_string", l_date_string},
    {"days_between", l_days_between},
    {"add_days", l_add_days},
    {"weekday", l_weekday},
    {"time", l_time},
    {"minutes_between", l_minutes_between},
    {NULL, NULL},
};

void emL_register_date(lua_State *L)
{
    luaL_setfuncs(L, date_funcs, 0);
}
