/* line.c: eightmin.Line, a read-only view of one service line. */
#include <strings.h>

#include "emL.h"

enum {  /* __pairs order */
    LINE_CPT, LINE_MINUTES, LINE_MINUTES_GIVEN, LINE_UNITS, LINE_BY, LINE_MODIFIERS,
    LINE_SEGMENTS, LINE_INTERVENTIONS, LINE_DX_POINTERS, LINE_EXTRA, LINE_INDEX, LINE_NFIELDS
};

static const emL_field line_fields[] = {  /* sorted by name */
    {"by", LINE_BY},
    {"cpt", LINE_CPT},
    {"dx_pointers", LINE_DX_POINTERS},
    {"extra", LINE_EXTRA},
    {"index", LINE_INDEX},
    {"interventions", LINE_INTERVENTIONS},
    {"minutes", LINE_MINUTES},
    {"minutes_given", LINE_MINUTES_GIVEN},
    {"modifiers", LINE_MODIFIERS},
    {"segments", LINE_SEGMENTS},
    {"units", LINE_UNITS},
};

static const void *line_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_LINE);
}

/* The line's 1-based place in its visit (view at i), 0 when unknown. */
static int line_number(lua_State *L, int i, const em_line *l)
{
    const em_visit *v = emL_ownervisit(L, i);
    if (!v || !v->lines || l < v->lines || l >= v->lines + v->n_lines)
        return 0;
    return (int)(l - v->lines) + 1;
}

static void line_pushpath(lua_State *L, const void *rec)
{
    int n = line_number(L, 1, rec);
    if (n > 0)
        lua_pushfstring(L, "visit.lines[%d]", n);
    else
        lua_pushliteral(L, "line");
}

static void line_push(lua_State *L, const void *rec, int id)
{
    const em_line *l = rec;
    switch (id) {
    case LINE_CPT: emL_pushstring_or_nil(L, l->cpt); break;
    case LINE_MINUTES: emL_pushcount(L, l->minutes); break;
    case LINE_MINUTES_GIVEN: lua_pushboolean(L, l->minutes_given); break;
    case LINE_UNITS: emL_pushcount(L, l->units); break;
    case LINE_BY: emL_pushstring_or_nil(L, l->by); break;
    case LINE_MODIFIERS:
        emL_pushlist(L, EML_LIST_STRINGS, l->modifiers, l->n_modifiers, "modifiers",
                     line_number(L, 1, l), 1);
        break;
    case LINE_SEGMENTS:
        emL_pushlist(L, EML_LIST_SEGMENTS, l->segments, l->n_segments, "segments",
                     line_number(L, 1, l), 1);
        break;
    case LINE_INTERVENTIONS:
        emL_pushlist(L, EML_LIST_INTERVENTIONS, l->interventions, l->n_interventions,
                     "interventions", line_number(L, 1, l), 1);
        break;
    case LINE_DX_POINTERS:
        emL_pushlist(L, EML_LIST_INTEGERS, l->dx_pointers, l->n_dx_pointers, "dx_pointers",
                     line_number(L, 1, l), 1);
        break;
    case LINE_EXTRA: emL_pushvaluetree(L, l->extra); break;
    case LINE_INDEX: {
        int n = line_number(L, 1, l);
        if (n > 0)
            lua_pushinteger(L, n);
        else
            lua_pushnil(L);
        break;
    }
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype line_type = {
    EML_LINE, line_fields, sizeof line_fields / sizeof line_fields[0],
    line_check, line_push, line_pushpath
};

void emL_pushintervention(lua_State *L, const em_intervention *iv)
{
    lua_createtable(L, 0, 2);
    emL_pushstring_or_nil(L, iv->text);
    emL_setfield_or_skip(L, "text");
    emL_pushstring_or_nil(L, iv->goal);
    emL_setfield_or_skip(L, "goal");
}

static void push_strings(lua_State *L, const char *const *s, size_t n)
{
    lua_createtable(L, (int)(n < 1024 ? n : 0), 0);
    for (size_t i = 0; i < n; i++) {
        emL_pushstring_or_nil(L, s[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

void emL_pushlinetable(lua_State *L, const em_line *l)
{
    luaL_checkstack(L, 6, NULL);
    lua_createtable(L, 0, 8);
    emL_pushstring_or_nil(L, l->cpt);
    emL_setfield_or_skip(L, "cpt");
    if (l->minutes_given) {  /* else minutes is the segments' sum, not a field */
        emL_pushcount(L, l->minutes);
        emL_setfield_or_skip(L, "minutes");
    }
    emL_pushstring_or_nil(L, l->by);
    emL_setfield_or_skip(L, "by");
    emL_pushcount(L, l->units);
    emL_setfield_or_skip(L, "units");
    if (l->n_modifiers) {
        push_strings(L, l->modifiers, l->n_modifiers);
        lua_setfield(L, -2, "modifiers");
    }
    const em_segment *s = l->segments;
    if (l->n_segments == 1 && s->has_interval && !s->by) {
        /* one interval of the line's own performer: "start"/"end" on the line */
        emL_pushtimepoint(L, &s->start);
        lua_setfield(L, -2, "start");
        emL_pushtimepoint(L, &s->end);
        lua_setfield(L, -2, "end");
    } else if (l->n_segments) {
        lua_createtable(L, (int)(l->n_segments < 1024 ? l->n_segments : 0), 0);
        for (size_t i = 0; i < l->n_segments; i++) {
            emL_pushsegmenttable(L, &s[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "segments");
    }
    if (l->n_interventions) {
        lua_createtable(L, (int)(l->n_interventions < 1024 ? l->n_interventions : 0), 0);
        for (size_t i = 0; i < l->n_interventions; i++) {
            emL_pushintervention(L, &l->interventions[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "interventions");
    }
    if (l->n_dx_pointers) {
        lua_createtable(L, (int)(l->n_dx_pointers < 1024 ? l->n_dx_pointers : 0), 0);
        for (size_t i = 0; i < l->n_dx_pointers; i++) {
            lua_pushinteger(L, l->dx_pointers[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "dx_pointers");
    }
    emL_mergeextra(L, l->extra);
}

static int line_index(lua_State *L)
{
    return emL_viewindex(L, &line_type, line_check(L, 1));
}

static int line_pairs(lua_State *L)
{
    return emL_viewpairs(L, &line_type);
}

/* "97112 24 min 2 units [GP]": what a biller reads on a claim. */
static int line_tostring(lua_State *L)
{
    const em_line *l = line_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, l->cpt ? l->cpt : "(no cpt)");
    if (l->minutes >= 0) {
        lua_pushfstring(L, " %d min", (int)l->minutes);
        luaL_addvalue(&b);
    }
    if (l->units >= 0) {
        lua_pushfstring(L, " %d unit%s", (int)l->units, l->units == 1 ? "" : "s");
        luaL_addvalue(&b);
    }
    for (size_t i = 0; i < l->n_modifiers; i++) {
        luaL_addstring(&b, i ? "," : " [");
        luaL_addstring(&b, l->modifiers[i] ? l->modifiers[i] : "?");
    }
    if (l->n_modifiers)
        luaL_addchar(&b, ']');
    luaL_pushresult(&b);
    return 1;
}

static int line_has_modifier(lua_State *L)
{
    const em_line *l = line_check(L, 1);
    const char *m = luaL_checkstring(L, 2);
    bool has = false;
    for (size_t i = 0; i < l->n_modifiers && !has; i++)
        has = l->modifiers[i] && !strcasecmp(l->modifiers[i], m);  /* "gp" is GP */
    lua_pushboolean(L, has);
    return 1;
}

static int line_totable(lua_State *L)
{
    emL_pushlinetable(L, line_check(L, 1));
    return 1;
}

static const luaL_Reg line_meta[] = {
    {"__index", line_index},
    {"__newindex", emL_readonly},
    {"__pairs", line_pairs},
    {"__tostring", line_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg line_methods[] = {
    {"has_modifier", line_has_modifier},
    {"totable", line_totable},
    {NULL, NULL}
};

void emL_open_line(lua_State *L)
{
    emL_newmeta(L, EML_LINE, line_meta, line_methods);
}
