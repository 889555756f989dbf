/* segment.c: eightmin.Segment, a read-only view of a timed part of a line
 * (start/end or minutes, and who did it). */
#include "emL.h"

enum {  /* __pairs order */
    SEG_START, SEG_END, SEG_MINUTES, SEG_BY, SEG_HAS_INTERVAL, SEG_START_SECOND,
    SEG_END_SECOND, SEG_NFIELDS
};

static const emL_field segment_fields[] = {  /* sorted by name */
    {"by", SEG_BY},
    {"end", SEG_END},
    {"end_second", SEG_END_SECOND},
    {"has_interval", SEG_HAS_INTERVAL},
    {"minutes", SEG_MINUTES},
    {"start", SEG_START},
    {"start_second", SEG_START_SECOND},
};

static const void *segment_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_SEGMENT);
}

static void segment_pushpath(lua_State *L, const void *rec)
{
    const em_segment *s = rec;
    const em_visit *v = emL_ownervisit(L, 1);
    for (size_t i = 0; v && i < v->n_lines; i++) {
        const em_line *l = &v->lines[i];
        if (l->segments && s >= l->segments && s < l->segments + l->n_segments) {
            lua_pushfstring(L, "visit.lines[%d].segments[%d]", (int)i + 1,
                            (int)(s - l->segments) + 1);
            return;
        }
    }
    lua_pushliteral(L, "segment");
}

static void segment_push(lua_State *L, const void *rec, int id)
{
    const em_segment *s = rec;
    switch (id) {
    case SEG_START:
        if (s->has_interval)
            emL_pushtimepoint(L, &s->start);
        else
            lua_pushnil(L);
        break;
    case SEG_END:
        if (s->has_interval)
            emL_pushtimepoint(L, &s->end);
        else
            lua_pushnil(L);
        break;
    case SEG_MINUTES: emL_pushcount(L, s->minutes); break;
    case SEG_BY: emL_pushstring_or_nil(L, s->by); break;
    case SEG_HAS_INTERVAL: lua_pushboolean(L, s->has_interval); break;
    case SEG_START_SECOND:
        if (s->has_interval)
            lua_pushinteger(L, (lua_Integer)s->interval.start);
        else
            lua_pushnil(L);
        break;
    case SEG_END_SECOND:
        if (s->has_interval)
            lua_pushinteger(L, (lua_Integer)s->interval.end);
        else
            lua_pushnil(L);
        break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype segment_type = {
    EML_SEGMENT, segment_fields, sizeof segment_fields / sizeof segment_fields[0],
    segment_check, segment_push, segment_pushpath
};

void emL_pushsegmenttable(lua_State *L, const em_segment *s)
{
    lua_createtable(L, 0, 3);
    if (s->has_interval) {
        emL_pushtimepoint(L, &s->start);
        lua_setfield(L, -2, "start");
        emL_pushtimepoint(L, &s->end);
        lua_setfield(L, -2, "end");
    } else {
        emL_pushcount(L, s->minutes);
        emL_setfield_or_skip(L, "minutes");
    }
    emL_pushstring_or_nil(L, s->by);
    emL_setfield_or_skip(L, "by");
}

static int segment_index(lua_State *L)
{
    return emL_viewindex(L, &segment_type, segment_check(L, 1));
}

static int segment_pairs(lua_State *L)
{
    return emL_viewpairs(L, &segment_type);
}

/* "segment 09:00-09:24 24 min PTA", "segment 10 min PTA" */
static int segment_tostring(lua_State *L)
{
    const em_segment *s = segment_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "segment");
    if (s->has_interval) {
        luaL_addchar(&b, ' ');
        emL_pushtimepoint(L, &s->start);
        luaL_addvalue(&b);
        luaL_addchar(&b, '-');
        emL_pushtimepoint(L, &s->end);
        luaL_addvalue(&b);
    }
    if (s->minutes >= 0) {
        lua_pushfstring(L, " %d min", (int)s->minutes);
        luaL_addvalue(&b);
    }
    if (s->by) {
        luaL_addchar(&b, ' ');
        luaL_addstring(&b, s->by);
    }
    luaL_pushresult(&b);
    return 1;
}

static int segment_totable(lua_State *L)
{
    emL_pushsegmenttable(L, segment_check(L, 1));
    return 1;
}

static const luaL_Reg segment_meta[] = {
    {"__index", segment_index},
    {"__newindex", emL_readonly},
    {"__pairs", segment_pairs},
    {"__tostring", segment_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg segment_methods[] = {
    {"totable", segment_totable},
    {NULL, NULL}
};

void emL_open_segment(lua_State *L)
{
    emL_newmeta(L, EML_SEGMENT, segment_meta, segment_methods);
}
