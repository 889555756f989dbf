/* provider.c: eightmin.Provider, a read-only view of who treated. */
#include "emL.h"

enum { PROV_NPI, PROV_DISCIPLINE, PROV_CREDENTIAL };  /* __pairs order */

static const emL_field provider_fields[] = {  /* sorted by name */
    {"credential", PROV_CREDENTIAL},
    {"discipline", PROV_DISCIPLINE},
    {"npi", PROV_NPI},
};

static const void *provider_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_PROVIDER);
}

static void provider_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit.provider");
}

static void provider_push(lua_State *L, const void *rec, int id)
{
    const em_provider *p = rec;
    switch (id) {
    case PROV_NPI: emL_pushstring_or_nil(L, p->npi); break;
    case PROV_DISCIPLINE: emL_pushstring_or_nil(L, p->discipline); break;
    case PROV_CREDENTIAL: emL_pushstring_or_nil(L, p->credential); break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype provider_type = {
    EML_PROVIDER, provider_fields, sizeof provider_fields / sizeof provider_fields[0],
    provider_check, provider_push, provider_pushpath
};

void emL_pushprovidertable(lua_State *L, const em_provider *p)
{
    lua_createtable(L, 0, 3);
    emL_pushstring_or_nil(L, p->npi);
    emL_setfield_or_skip(L, "npi");
    emL_pushstring_or_nil(L, p->discipline);
    emL_setfield_or_skip(L, "discipline");
    emL_pushstring_or_nil(L, p->credential);
    emL_setfield_or_skip(L, "credential");
}

static int provider_index(lua_State *L)
{
    return emL_viewindex(L, &provider_type, provider_check(L, 1));
}

static int provider_pairs(lua_State *L)
{
    return emL_viewpairs(L, &provider_type);
}

/* "provider 1234567893 PT (credential DPT)" */
static int provider_tostring(lua_State *L)
{
    const em_provider *p = provider_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "provider ");
    luaL_addstring(&b, p->npi ? p->npi : "(no npi)");
    if (p->discipline) {
        luaL_addchar(&b, ' ');
        luaL_addstring(&b, p->discipline);
    }
    if (p->credential) {
        luaL_addstring(&b, " (credential ");
        luaL_addstring(&b, p->credential);
        luaL_addchar(&b, ')');
    }
    luaL_pushresult(&b);
    return 1;
}

static int provider_totable(lua_State *L)
{
    emL_pushprovidertable(L, provider_check(L, 1));
    return 1;
}

static const luaL_Reg provider_meta[] = {
    {"__index", provider_index},
    {"__newindex", emL_readonly},
    {"__pairs", provider_pairs},
    {"__tostring", provider_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg provider_methods[] = {
    {"totable", provider_totable},
    {NULL, NULL}
};

void emL_open_provider(lua_State *L)
{
    emL_newmeta(L, EML_PROVIDER, provider_meta, provider_methods);
}
