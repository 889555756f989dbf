/* emL.h: helpers shared by the Lua bindings, and the openers of each
 * binding file. Stack effects use the Lua manual's notation [-o, +p, x]. */
#ifndef EML_H
#define EML_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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

/* ---- readers: a stream of visits as a generic-for iterator (reader.c) ---- */

/* How a reader gets its visits: the NDJSON reader, the CSV reader, ... */
typedef struct emL_visit_stream {
    em_status (*next)(void *r, em_visit **out, em_error *err);
    long (*record)(const void *r);  /* line of the last visit or bad record */
    void (*close)(void *r);
} emL_visit_stream;

typedef struct emL_reader {
    FILE *f;                         /* NULL once closed */
    bool own;                        /* f is ours to close (stdin is not) */
    void *r;                         /* the stream's state, NULL until opened */
    const emL_visit_stream *stream;
    void *aux;                       /* owned while a reader is being set up */
    void (*aux_free)(void *aux);
} emL_reader;

/* [-0, +1, m] A new closed reader userdata ("eightmin.Reader"); the string
 * at name_idx names it in messages. */
emL_reader *emL_newreader(lua_State *L, int name_idx);
/* [-0, +(0|3), m] Opens path ("-" = stdin) into rd->f. Returns 0, or the
 * count of luaL_fileresult's results (nil, msg, errno) pushed. */
int emL_reader_fopen(lua_State *L, emL_reader *rd, const char *path);
/* [-0, +3, -] With the reader on top: pushes nil, nil, reader, so that
 * `return 1 + emL_reader_loop(L)` hands a generic for the reader as its
 * iterator and its closing value (a `break` closes the file). */
int emL_reader_loop(lua_State *L);
void emL_register_encode(lua_State *L); /* visit, write_finding, write_claim, write_units */

/* [-0, +0, v] Raises a bad-argument error for argument arg: "path: expected
 * expected, got <type or number>", describing the value at idx. */
int emL_fielderror(lua_State *L, int arg, const char *path, const char *expected, int idx);
/* [-0, +0, v] The whole number at idx (a float with an integral value is
 * fine), or raises as emL_fielderror. */
lua_Integer emL_checkwhole(lua_State *L, int arg, int idx, const char *path);
/* [-0, +0, v] Raises "path: unknown field 'k'" unless every key of the
 * table at idx is one of known (NULL-terminated). */
void emL_checkkeys(lua_State *L, int arg, int idx, const char *path, const char *const known[]);
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
/* The eightmin.hash module (lua/hash.c): sha256, and json_decode and
 * json_encode, which lua/json.c adds with emL_register_json. */
int luaopen_eightmin_hash(lua_State *L);
void emL_register_json(lua_State *L);  /* [-0, +0, m] json_decode, json_encode */

/* ---- view internals shared by the binding files (added with them) ---- */

/* The userdata of an eightmin.Visit; v is NULL once freed or released. */
typedef struct emL_visitud {
    em_visit *v;
    bool owned;
} emL_visitud;

/* [-0, +0, -] Detaches the visit view at idx from its visit (freeing the
 * visit when the view owns it): any later use of it or of a view into it
 * raises "the visit was released" instead of reading freed memory. For
 * hosts that push a visit they free after the rules ran. */
void emL_releasevisit(lua_State *L, int idx);
/* [-0, +0, -] The live visit that owns the view at idx, or NULL. */
const em_visit *emL_ownervisit(lua_State *L, int idx);

/* A field of a view: name and its place in __pairs order. A type's fields
 * are kept sorted by name so a lookup is a binary search. */
typedef struct emL_field {
    const char *name;
    int id;
} emL_field;

/* What the generic __index and __pairs need to know of a view type. The
 * view is at stack index 1 when push and pushpath are called. */
typedef struct emL_viewtype {
    const char *tname;
    const emL_field *fields;   /* sorted by name */
    size_t n_fields;           /* ids run 0 .. n_fields-1 */
    const void *(*check)(lua_State *L, int idx);
    void (*push)(lua_State *L, const void *rec, int id);   /* [-0, +1] */
    void (*pushpath)(lua_State *L, const void *rec);       /* [-0, +1] */
} emL_viewtype;

/* [-0, +0, m] createmeta: registers metatable tname with the metamethods
 * of meta, each holding the table of methods as upvalue 1. */
void emL_newmeta(lua_State *L, const char *tname, const luaL_Reg *meta,
                 const luaL_Reg *methods);
/* [-0, +1, e] __index body: the field named by the key at 2, else a method
 * (upvalue 1 of the running function), else raises "<path> has no field
 * 'x'". */
int emL_viewindex(lua_State *L, const emL_viewtype *t, const void *rec);
/* [-0, +3, m] __pairs body: an iterator over the fields that are not nil,
 * in id order. */
int emL_viewpairs(lua_State *L, const emL_viewtype *t);
/* [-0, +1, -] __eq body for views: same record. */
int emL_vieweq(lua_State *L);
/* [-0, +1, m] Pushes an integer for an integral double, else a float. */
void emL_pushscore(lua_State *L, double d);
/* [-0, +0, m] t[k] = value at the top (popped) unless it is nil; t at -2. */
void emL_setfield_or_skip(lua_State *L, const char *k);
/* [-0, +0, m] Copies the keys of the object value x (may be NULL) into the
 * table at the top, leaving keys it already has alone. */
void emL_mergeextra(lua_State *L, const em_value *x);

/* ---- lists (lua/list.c): arrays of a record, read-only ---- */
typedef enum emL_listkind {
    EML_LIST_STRINGS,        /* const char *[] */
    EML_LIST_INTEGERS,       /* int32_t[] */
    EML_LIST_LINES,          /* em_line[]: Line views */
    EML_LIST_SEGMENTS,       /* em_segment[]: Segment views */
    EML_LIST_INTERVENTIONS,  /* em_intervention[]: {text=, goal=} */
    EML_LIST_MEASURES        /* em_measure[]: {name=, value=, prior=} */
} emL_listkind;

/* [-0, +1, m] Pushes a List view of n items. path names it in messages
 * ("lines", "note.measures", "modifiers"); line is the 1-based line it
 * belongs to, or 0 for the visit. owner as for emL_pushview. */
void emL_pushlist(lua_State *L, emL_listkind kind, const void *items, size_t n,
                  const char *path, int line, int owner);

/* [-0, +1, m] Plain deep tables in the record format's shape (unknown
 * fields merged back in), as :totable() returns them. */
void emL_pushvisittable(lua_State *L, const em_visit *v);
void emL_pushlinetable(lua_State *L, const em_line *l);
void emL_pushsegmenttable(lua_State *L, const em_segment *s);
void emL_pushintervention(lua_State *L, const em_intervention *iv);
void emL_pushmeasure(lua_State *L, const em_measure *m);
void emL_pushprovidertable(lua_State *L, const em_provider *p);
void emL_pushpatienttable(lua_State *L, const em_patient *p);
void emL_pushtelehealthtable(lua_State *L, const em_telehealth *t);
void emL_pushnotetable(lua_State *L, const em_note *n);
void emL_pushepisodetable(lua_State *L, const em_episode *e);
/* [-0, +1, m] A time point as written: "09:00", "2026-03-04T14:05Z". */
void emL_pushtimepoint(lua_State *L, const em_timepoint *tp);

#endif
