/* telehealth.c: eightmin.Telehealth, a read-only view of how a remote
 * visit was held (only pushed when the visit has a "telehealth" object). */
#include "emL.h"

enum { TH_MODALITY, TH_PATIENT_AT_HOME };  /* __pairs order */

static const emL_field telehealth_fields[] = {  /* sorted by name */
    {"modality", TH_MODALITY},
    {"patient_at_home", TH_PATIENT_AT_HOME},
};

static const void *telehealth_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_TELEHEALTH);
}

static void telehealth_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit.telehealth");
}

/* 1 true, 0 false, -1 (not said) nil */
static void push_tristate(lua_State *L, int b)
{
    if (b < 0)
        lua_pushnil(L);
    else
        lua_pushboolean(L, b);
}

static void telehealth_push(lua_State *L, const void *rec, int id)
{
    const em_telehealth *t = rec;
    switch (id) {
    case TH_MODALITY: emL_pushstring_or_nil(L, t->modality); break;
    case TH_PATIENT_AT_HOME: push_tristate(L, t->patient_at_home); break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype telehealth_type = {
    EML_TELEHEALTH, telehealth_fields, sizeof telehealth_fields / sizeof telehealth_fields[0],
    telehealth_check, telehealth_push, telehealth_pushpath
};

void emL_pushtelehealthtable(lua_State *L, const em_telehealth *t)
{
    lua_createtable(L, 0, 2);
    emL_pushstring_or_nil(L, t->modality);
    emL_setfield_or_skip(L, "modality");
    push_tristate(L, t->patient_at_home);
    emL_setfield_or_skip(L, "patient_at_home");
}

static int telehealth_index(lua_State *L)
{
    return emL_viewindex(L, &telehealth_type, telehealth_check(L, 1));
}

static int telehealth_pairs(lua_State *L)
{
    return emL_viewpairs(L, &telehealth_type);
}

/* "telehealth audio_video, patient at home" */
static int telehealth_tostring(lua_State *L)
{
    const em_telehealth *t = telehealth_check(L, 1);
    lua_pushfstring(L, "telehealth %s%s", t->modality ? t->modality : "(no modality)",
                    t->patient_at_home > 0    ? ", patient at home"
                    : t->patient_at_home == 0 ? ", patient not at home"
                                              : "");
    return 1;
}

static int telehealth_totable(lua_State *L)
{
    emL_pushtelehealthtable(L, telehealth_check(L, 1));
    return 1;
}

static const luaL_Reg telehealth_meta[] = {
    {"__index", telehealth_index},
    {"__newindex", emL_readonly},
    {"__pairs", telehealth_pairs},
    {"__tostring", telehealth_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg telehealth_methods[] = {
    {"totable", telehealth_totable},
    {NULL, NULL}
};

void emL_open_telehealth(lua_State *L)
{
    emL_newmeta(L, EML_TELEHEALTH, telehealth_meta, telehealth_methods);
}
