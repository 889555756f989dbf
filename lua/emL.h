/* emL.h: helpers shared by the Lua bindings, and the openers of each
 * binding file. Stack effects use the Lua manual's notation [-o, +p, x]. */
#ifndef EML_H
#define EML_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>

#include "em_codes.h"
#include "em_error.h"
#include "em_record.h"

/* Metatable names: luaL_checkudata messages read "eightmin.Visit expected". */
#define EML_VISIT "eightmin.Visit"
#define EML_LINE "eightmin.Line"
#define EML_SEGMENT "eightmin.Segment"
#define EML_PROVIDER "eightmin.Provider"
#define EML_PATIENT "eightmin.Patient"
#define EML_TELEHEALTH "eightmin.Telehealth"
#define EML_NOTE "eightmin.Note"
#define EML_EPISODE "eightmin.Episode"
#define EML_LIST "eightmin.List"

/* ---- visits (lua/visit.c) ---- */

/* [-0, +1, m] Pushes a read-only view of v. When owned, the view frees v
 * when collected; otherwise the caller keeps v alive longer than the view. */
void emL_pushvisit(lua_State *L, em_visit *v, bool owned);
/* [-0, +0, v] The visit at idx, or raises "eightmin.Visit expected". */
em_visit *emL_checkvisit(lua_State *L, int idx);

/* ---- views of a visit's parts (one file per record type) ---- */

/* [-0, +1, m] Pushes a view userdata of metatable tname holding ptr; the
 * value at owner (the visit view) is kept alive as the view's user value. */
void emL_pushview(lua_State *L, const char *tname, const void *ptr, int owner);
/* [-0, +0, v] The pointer held by a view of tname at idx. */
const void *emL_checkview(lua_State *L, int idx, const char *tname);
/* [-0, +1, -] Pushes the owner (visit view) of the view at idx. */
void emL_pushowner(lua_State *L, int idx);

/* ---- values ---- */

/* [-0, +1, m] A string, or nil for NULL. */
void emL_pushstring_or_nil(lua_State *L, const char *s);
/* [-0, +1, m] "YYYY-MM-DD", or nil for EM_DATE_NONE. */
void emL_pushdate(lua_State *L, int32_t days);
/* [-0, +1, -] An integer, or nil when v < 0 (absent). */
void emL_pushcount(lua_State *L, int64_t v);
/* [-0, +1, m] A JSON-shaped value as plain Lua tables (nil for NULL). */
void emL_pushvaluetree(lua_State *L, const em_value *v);
/* [-0, +0, v] __newindex for every view: raises "<type> is read-only". */
int emL_readonly(lua_State *L);

/* ---- openers: each registers its metatables; luaopen_eightmin_core
 * (lua/core.c) calls them all and returns the core module table ---- */
void emL_open_visit(lua_State *L);
void emL_open_line(lua_State *L);
void emL_open_segment(lua_State *L);
void emL_open_provider(lua_State *L);
void emL_open_patient(lua_State *L);
void emL_open_telehealth(lua_State *L);
void emL_open_note(lua_State *L);
void emL_open_episode(lua_State *L);
void emL_open_list(lua_State *L);

/* ---- the core module's own functions (lua/core.c, units.c, date.c,
 * reader.c, encode.c); each emL_register_* adds its functions to the
 * table on top of the stack ---- */

/* [-0, +0, m] */
void emL_register_units(lua_State *L);  /* units, units_for_minutes, code, codes, add_code */
void emL_register_date(lua_State *L);   /* date, date_string, days_between, add_days,
                                           weekday, time, minutes_between */
void emL_register_reader(lua_State *L); /* read */
void emL_register_encode(lua_State *L); /* visit, write_finding, write_claim */

/* [-0, +2, m] Pushes nil and err formatted as "file:record: field: message";
 * returns 2, so a binding can `return emL_pusherror(L, &err);`. */
int emL_pusherror(lua_State *L, const em_error *err);
/* [-0, +0, m] The lua_State's code table, made on first use and kept in
 * the registry (freed by its __gc); units() and code() share it. */
em_code_table *emL_codes(lua_State *L);
/* [-0, +0, v] A date at idx given as "YYYY-MM-DD" or as days since
 * 1970-01-01 (years 1800..9999); raises with the reason otherwise. */
int32_t emL_checkdate(lua_State *L, int idx);
/* [-0, +1, v] Pushes the value at idx (a table of tables, strings, numbers,
 * booleans) as JSON text; raises naming the path below root ("visit.lines[2]
 * .cpt: ...") for values JSON cannot hold, cycles, or nesting over 64. */
void emL_pushjson(lua_State *L, int idx, const char *root);

int luaopen_eightmin_core(lua_State *L);

#endif
