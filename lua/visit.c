/* visit.c: eightmin.Visit, the read-only view a rule receives. Its parts
 * are views too (user value: this visit), so nothing is copied per visit. */
#include "emL.h"

enum {  /* __pairs order: the record format's, then where it came from */
    VISIT_ID, VISIT_DATE, VISIT_PAYER, VISIT_POS, VISIT_PATIENT, VISIT_PROVIDER,
    VISIT_TELEHEALTH, VISIT_DIAGNOSES, VISIT_LINES, VISIT_NOTE, VISIT_EPISODE, VISIT_EXTRA,
    VISIT_SOURCE, VISIT_RECORD
};

static const emL_field visit_fields[] = {  /* sorted by name */
    {"date", VISIT_DATE},
    {"diagnoses", VISIT_DIAGNOSES},
    {"episode", VISIT_EPISODE},
    {"extra", VISIT_EXTRA},
    {"id", VISIT_ID},
    {"lines", VISIT_LINES},
    {"note", VISIT_NOTE},
    {"patient", VISIT_PATIENT},
    {"payer", VISIT_PAYER},
    {"pos", VISIT_POS},
    {"provider", VISIT_PROVIDER},
    {"record", VISIT_RECORD},
    {"source", VISIT_SOURCE},
    {"telehealth", VISIT_TELEHEALTH},
};

em_visit *emL_checkvisit(lua_State *L, int idx)
{
    emL_visitud *ud = luaL_checkudata(L, idx, EML_VISIT);
    if (!ud->v)
        luaL_error(L, "%s: the visit was released", EML_VISIT);
    return ud->v;
}

static const void *visit_check(lua_State *L, int i)
{
    return emL_checkvisit(L, i);
}

/* User values of a visit view: its parts, made on first use, so a rule
 * that reads visit.lines in a loop makes one view, not one per read. */
enum { SLOT_PATIENT = 1, SLOT_PROVIDER, SLOT_TELEHEALTH, SLOT_DIAGNOSES, SLOT_LINES, SLOT_NOTE,
       SLOT_EPISODE, N_SLOTS = SLOT_EPISODE };

void emL_pushvisit(lua_State *L, em_visit *v, bool owned)
{
    /* the one allocation before the view owns v: if it raises, v is the
     * caller's still (it may free v in its handler) */
    emL_visitud *ud = lua_newuserdatauv(L, sizeof *ud, N_SLOTS);
    ud->v = v;
    ud->owned = owned;
    luaL_setmetatable(L, EML_VISIT);
}

void emL_releasevisit(lua_State *L, int idx)
{
    emL_visitud *ud = luaL_testudata(L, idx, EML_VISIT);
    if (!ud)
        return;
    if (ud->owned)
        em_visit_free(ud->v);
    ud->v = NULL;
}

static void visit_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit");
}

/* Pushes the cached view in slot, if made already. */
static bool cached(lua_State *L, int slot)
{
    if (lua_getiuservalue(L, 1, slot) == LUA_TUSERDATA)
        return true;
    lua_pop(L, 1);
    return false;
}

static void cache(lua_State *L, int slot)
{
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, slot);
}

static const int field_slot[] = {
    [VISIT_PATIENT] = SLOT_PATIENT, [VISIT_PROVIDER] = SLOT_PROVIDER,
    [VISIT_TELEHEALTH] = SLOT_TELEHEALTH, [VISIT_DIAGNOSES] = SLOT_DIAGNOSES,
    [VISIT_LINES] = SLOT_LINES, [VISIT_NOTE] = SLOT_NOTE, [VISIT_EPISODE] = SLOT_EPISODE,
    [VISIT_RECORD] = 0
};

static void visit_push(lua_State *L, const void *rec, int id)
{
    const em_visit *v = rec;
    int slot = field_slot[id];
    if (slot && cached(L, slot))
        return;
    switch (id) {
    case VISIT_ID: emL_pushstring_or_nil(L, v->id); break;
    case VISIT_DATE: emL_pushdate(L, v->date); break;
    case VISIT_PAYER: emL_pushstring_or_nil(L, v->payer); break;
    case VISIT_POS: emL_pushstring_or_nil(L, v->pos); break;
    case VISIT_PATIENT: emL_pushview(L, EML_PATIENT, &v->patient, 1); break;
    case VISIT_PROVIDER: emL_pushview(L, EML_PROVIDER, &v->provider, 1); break;
    case VISIT_TELEHEALTH:
        if (v->telehealth.present)
            emL_pushview(L, EML_TELEHEALTH, &v->telehealth, 1);
        else
            lua_pushnil(L);
        break;
    case VISIT_DIAGNOSES:
        emL_pushlist(L, EML_LIST_STRINGS, v->diagnoses, v->n_diagnoses, "diagnoses", 0, 1);
        break;
    case VISIT_LINES:
        emL_pushlist(L, EML_LIST_LINES, v->lines, v->n_lines, "lines", 0, 1);
        break;
    case VISIT_NOTE:
        if (v->note.present)
            emL_pushview(L, EML_NOTE, &v->note, 1);
        else
            lua_pushnil(L);
        break;
    case VISIT_EPISODE:
        if (v->episode.present)
            emL_pushview(L, EML_EPISODE, &v->episode, 1);
        else
            lua_pushnil(L);
        break;
    case VISIT_EXTRA: emL_pushvaluetree(L, v->extra); break;
    case VISIT_SOURCE: emL_pushstring_or_nil(L, v->source); break;
    case VISIT_RECORD:
        if (v->record > 0)
            lua_pushinteger(L, v->record);
        else
            lua_pushnil(L);  /* made by hand, not read from a file */
        break;
    default: lua_pushnil(L); break;
    }
    if (slot && !lua_isnil(L, -1))
        cache(L, slot);
}

static const emL_viewtype visit_type = {
    EML_VISIT, visit_fields, sizeof visit_fields / sizeof visit_fields[0],
    visit_check, visit_push, visit_pushpath
};

/* The record as the NDJSON input had it: re-encoding it gives the same
 * shape. Where it came from (source, record) is not part of the record. */
void emL_pushvisittable(lua_State *L, const em_visit *v)
{
    luaL_checkstack(L, 6, NULL);
    lua_createtable(L, 0, 12);
    emL_pushstring_or_nil(L, v->id);
    emL_setfield_or_skip(L, "id");
    emL_pushdate(L, v->date);
    emL_setfield_or_skip(L, "date");
    emL_pushstring_or_nil(L, v->payer);
    emL_setfield_or_skip(L, "payer");
    emL_pushstring_or_nil(L, v->pos);
    emL_setfield_or_skip(L, "pos");
    if (v->patient.id || v->patient.dob != EM_DATE_NONE) {
        emL_pushpatienttable(L, &v->patient);
        lua_setfield(L, -2, "patient");
    }
    if (v->provider.npi || v->provider.discipline || v->provider.credential) {
        emL_pushprovidertable(L, &v->provider);
        lua_setfield(L, -2, "provider");
    }
    if (v->telehealth.present) {
        emL_pushtelehealthtable(L, &v->telehealth);
        lua_setfield(L, -2, "telehealth");
    }
    if (v->n_diagnoses) {
        lua_createtable(L, (int)(v->n_diagnoses < 1024 ? v->n_diagnoses : 0), 0);
        for (size_t i = 0; i < v->n_diagnoses; i++) {
            emL_pushstring_or_nil(L, v->diagnoses[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "diagnoses");
    }
    lua_createtable(L, (int)(v->n_lines < 1024 ? v->n_lines : 0), 0);
    for (size_t i = 0; i < v->n_lines; i++) {
        emL_pushlinetable(L, &v->lines[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "lines");
    if (v->note.present) {
        emL_pushnotetable(L, &v->note);
        lua_setfield(L, -2, "note");
    }
    if (v->episode.present) {
        emL_pushepisodetable(L, &v->episode);
        lua_setfield(L, -2, "episode");
    }
    emL_mergeextra(L, v->extra);
}

static int visit_index(lua_State *L)
{
    return emL_viewindex(L, &visit_type, visit_check(L, 1));
}

static int visit_pairs(lua_State *L)
{
    return emL_viewpairs(L, &visit_type);
}

/* "visit V1001 2026-03-04 medicare (3 lines)" */
static int visit_tostring(lua_State *L)
{
    const emL_visitud *ud = luaL_checkudata(L, 1, EML_VISIT);
    const em_visit *v = ud->v;
    if (!v) {
        lua_pushliteral(L, "visit (released)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "visit ");
    luaL_addstring(&b, v->id ? v->id : "(no id)");
    if (v->date != EM_DATE_NONE) {
        luaL_addchar(&b, ' ');
        emL_pushdate(L, v->date);
        luaL_addvalue(&b);
    }
    if (v->payer) {
        luaL_addchar(&b, ' ');
        luaL_addstring(&b, v->payer);
    }
    lua_pushfstring(L, " (%I line%s)", (lua_Integer)v->n_lines, v->n_lines == 1 ? "" : "s");
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

static int visit_eq(lua_State *L)
{
    const emL_visitud *a = luaL_testudata(L, 1, EML_VISIT), *b = luaL_testudata(L, 2, EML_VISIT);
    lua_pushboolean(L, a && b && a->v && a->v == b->v);
    return 1;
}

static int visit_gc(lua_State *L)
{
    emL_visitud *ud = luaL_checkudata(L, 1, EML_VISIT);
    if (ud->owned)
        em_visit_free(ud->v);
    ud->v = NULL;  /* a view finalized after this raises, not reads */
    return 0;
}

/* visit:line(i): the i-th service line, or an error naming it. */
static int visit_line(lua_State *L)
{
    const em_visit *v = emL_checkvisit(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (lua_Unsigned)i > v->n_lines)
        return luaL_error(L, "visit.lines[%I]: no such line (the visit has %I)", i,
                          (lua_Integer)v->n_lines);
    emL_pushview(L, EML_LINE, &v->lines[i - 1], 1);
    return 1;
}

static int visit_totable(lua_State *L)
{
    emL_pushvisittable(L, emL_checkvisit(L, 1));
    return 1;
}

static const luaL_Reg visit_meta[] = {
    {"__index", visit_index},
    {"__newindex", emL_readonly},
    {"__pairs", visit_pairs},
    {"__tostring", visit_tostring},
    {"__eq", visit_eq},
    {"__gc", visit_gc},
    {NULL, NULL}
};

static const luaL_Reg visit_methods[] = {
    {"line", visit_line},
    {"totable", visit_totable},
    {NULL, NULL}
};

void emL_open_visit(lua_State *L)
{
    emL_newmeta(L, EML_VISIT, visit_meta, visit_methods);
}
