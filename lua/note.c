/* note.c: eightmin.Note, a read-only view of the visit's documentation,
 * and its measures (plain {name=, value=, prior=} tables in a List). */
#include "emL.h"

enum {  /* __pairs order */
    NOTE_IMPAIRMENTS, NOTE_FUNCTIONAL_PROGRESS, NOTE_MEDICAL_NECESSITY, NOTE_TEXT,
    NOTE_MEASURES, NOTE_TOTAL_TIMED_MINUTES, NOTE_TOTAL_MINUTES, NOTE_EXTRA
};

static const emL_field note_fields[] = {  /* sorted by name */
    {"extra", NOTE_EXTRA},
    {"functional_progress", NOTE_FUNCTIONAL_PROGRESS},
    {"impairments", NOTE_IMPAIRMENTS},
    {"measures", NOTE_MEASURES},
    {"medical_necessity", NOTE_MEDICAL_NECESSITY},
    {"text", NOTE_TEXT},
    {"total_minutes", NOTE_TOTAL_MINUTES},
    {"total_timed_minutes", NOTE_TOTAL_TIMED_MINUTES},
};

static const void *note_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_NOTE);
}

static void note_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit.note");
}

static void note_push(lua_State *L, const void *rec, int id)
{
    const em_note *n = rec;
    switch (id) {
    case NOTE_IMPAIRMENTS: emL_pushstring_or_nil(L, n->impairments); break;
    case NOTE_FUNCTIONAL_PROGRESS: emL_pushstring_or_nil(L, n->functional_progress); break;
    case NOTE_MEDICAL_NECESSITY: emL_pushstring_or_nil(L, n->medical_necessity); break;
    case NOTE_TEXT: emL_pushstring_or_nil(L, n->text); break;
    case NOTE_MEASURES:
        emL_pushlist(L, EML_LIST_MEASURES, n->measures, n->n_measures, "note.measures", 0, 1);
        break;
    case NOTE_TOTAL_TIMED_MINUTES: emL_pushcount(L, n->total_timed_minutes); break;
    case NOTE_TOTAL_MINUTES: emL_pushcount(L, n->total_minutes); break;
    case NOTE_EXTRA: emL_pushvaluetree(L, n->extra); break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype note_type = {
    EML_NOTE, note_fields, sizeof note_fields / sizeof note_fields[0],
    note_check, note_push, note_pushpath
};

/* Scores are clinical numbers: 41 reads as the integer 41, 10.5 as 10.5. */
void emL_pushmeasure(lua_State *L, const em_measure *m)
{
    lua_createtable(L, 0, 3);
    emL_pushstring_or_nil(L, m->name);
    emL_setfield_or_skip(L, "name");
    if (m->has_value) {
        emL_pushscore(L, m->value);
        lua_setfield(L, -2, "value");
    }
    if (m->has_prior) {
        emL_pushscore(L, m->prior);
        lua_setfield(L, -2, "prior");
    }
}

void emL_pushnotetable(lua_State *L, const em_note *n)
{
    luaL_checkstack(L, 6, NULL);
    lua_createtable(L, 0, 7);
    emL_pushstring_or_nil(L, n->impairments);
    emL_setfield_or_skip(L, "impairments");
    if (n->n_measures) {
        lua_createtable(L, (int)(n->n_measures < 1024 ? n->n_measures : 0), 0);
        for (size_t i = 0; i < n->n_measures; i++) {
            emL_pushmeasure(L, &n->measures[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "measures");
    }
    emL_pushstring_or_nil(L, n->functional_progress);
    emL_setfield_or_skip(L, "functional_progress");
    emL_pushstring_or_nil(L, n->medical_necessity);
    emL_setfield_or_skip(L, "medical_necessity");
    emL_pushstring_or_nil(L, n->text);
    emL_setfield_or_skip(L, "text");
    emL_pushcount(L, n->total_timed_minutes);
    emL_setfield_or_skip(L, "total_timed_minutes");
    emL_pushcount(L, n->total_minutes);
    emL_setfield_or_skip(L, "total_minutes");
    emL_mergeextra(L, n->extra);
}

static int note_index(lua_State *L)
{
    return emL_viewindex(L, &note_type, note_check(L, 1));
}

static int note_pairs(lua_State *L)
{
    return emL_viewpairs(L, &note_type);
}

/* "note: 1 measure, 47 timed min, 57 min in all" */
static int note_tostring(lua_State *L)
{
    const em_note *n = note_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "note: %I measure%s", (lua_Integer)n->n_measures,
                    n->n_measures == 1 ? "" : "s");
    luaL_addvalue(&b);
    if (n->total_timed_minutes >= 0) {
        lua_pushfstring(L, ", %d timed min", (int)n->total_timed_minutes);
        luaL_addvalue(&b);
    }
    if (n->total_minutes >= 0) {
        lua_pushfstring(L, ", %d min in all", (int)n->total_minutes);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

static int note_totable(lua_State *L)
{
    emL_pushnotetable(L, note_check(L, 1));
    return 1;
}

static const luaL_Reg note_meta[] = {
    {"__index", note_index},
    {"__newindex", emL_readonly},
    {"__pairs", note_pairs},
    {"__tostring", note_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg note_methods[] = {
    {"totable", note_totable},
    {NULL, NULL}
};

void emL_open_note(lua_State *L)
{
    emL_newmeta(L, EML_NOTE, note_meta, note_methods);
}
