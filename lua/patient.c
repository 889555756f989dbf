/* patient.c: eightmin.Patient, a read-only view of whom the visit was for. */
#include "emL.h"

enum { PAT_ID, PAT_DOB };  /* __pairs order */

static const emL_field patient_fields[] = {  /* sorted by name */
    {"dob", PAT_DOB},
    {"id", PAT_ID},
};

static const void *patient_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_PATIENT);
}

static void patient_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit.patient");
}

static void patient_push(lua_State *L, const void *rec, int id)
{
    const em_patient *p = rec;
    switch (id) {
    case PAT_ID: emL_pushstring_or_nil(L, p->id); break;
    case PAT_DOB: emL_pushdate(L, p->dob); break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype patient_type = {
    EML_PATIENT, patient_fields, sizeof patient_fields / sizeof patient_fields[0],
    patient_check, patient_push, patient_pushpath
};

void emL_pushpatienttable(lua_State *L, const em_patient *p)
{
    lua_createtable(L, 0, 2);
    emL_pushstring_or_nil(L, p->id);
    emL_setfield_or_skip(L, "id");
    emL_pushdate(L, p->dob);
    emL_setfield_or_skip(L, "dob");
}

static int patient_index(lua_State *L)
{
    return emL_viewindex(L, &patient_type, patient_check(L, 1));
}

static int patient_pairs(lua_State *L)
{
    return emL_viewpairs(L, &patient_type);
}

/* "patient P17 born 1948-02-11" */
static int patient_tostring(lua_State *L)
{
    const em_patient *p = patient_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "patient ");
    luaL_addstring(&b, p->id ? p->id : "(no id)");
    if (p->dob != EM_DATE_NONE) {
        luaL_addstring(&b, " born ");
        emL_pushdate(L, p->dob);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

static int patient_totable(lua_State *L)
{
    emL_pushpatienttable(L, patient_check(L, 1));
    return 1;
}

static const luaL_Reg patient_meta[] = {
    {"__index", patient_index},
    {"__newindex", emL_readonly},
    {"__pairs", patient_pairs},
    {"__tostring", patient_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg patient_methods[] = {
    {"totable", patient_totable},
    {NULL, NULL}
};

void emL_open_patient(lua_State *L)
{
    emL_newmeta(L, EML_PATIENT, patient_meta, patient_methods);
}
