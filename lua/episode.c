/* episode.c: eightmin.Episode, a read-only view of what the EMR says of
 * the episode of care (plan of care, progress reports, spend so far). */
#include "emL.h"

enum {  /* __pairs order */
    EP_START_OF_CARE, EP_TREATMENT_DAY, EP_LAST_PROGRESS_REPORT, EP_PLAN_OF_CARE,
    EP_AUTHORIZED_VISITS, EP_THERAPY_SPEND_YTD_CENTS, EP_EXTRA
};

static const emL_field episode_fields[] = {  /* sorted by name */
    {"authorized_visits", EP_AUTHORIZED_VISITS},
    {"extra", EP_EXTRA},
    {"last_progress_report", EP_LAST_PROGRESS_REPORT},
    {"plan_of_care", EP_PLAN_OF_CARE},
    {"start_of_care", EP_START_OF_CARE},
    {"therapy_spend_ytd_cents", EP_THERAPY_SPEND_YTD_CENTS},
    {"treatment_day", EP_TREATMENT_DAY},
};

static const void *episode_check(lua_State *L, int i)
{
    return emL_checkview(L, i, EML_EPISODE);
}

static void episode_pushpath(lua_State *L, const void *rec)
{
    (void)rec;
    lua_pushliteral(L, "visit.episode");
}

/* {signed_on=, certified_through=, recertified_on=}, or nil when the
 * record says nothing of the plan of care */
static void push_plan_of_care(lua_State *L, const em_episode *e)
{
    if (e->poc_signed_on == EM_DATE_NONE && e->poc_certified_through == EM_DATE_NONE &&
        e->poc_recertified_on == EM_DATE_NONE) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 3);
    emL_pushdate(L, e->poc_signed_on);
    emL_setfield_or_skip(L, "signed_on");
    emL_pushdate(L, e->poc_certified_through);
    emL_setfield_or_skip(L, "certified_through");
    emL_pushdate(L, e->poc_recertified_on);
    emL_setfield_or_skip(L, "recertified_on");
}

/* {PT_SLP=, OT=} in whole cents, or nil when neither is known */
static void push_spend(lua_State *L, const em_episode *e)
{
    if (e->spend_pt_slp_cents < 0 && e->spend_ot_cents < 0) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 2);
    emL_pushcount(L, e->spend_pt_slp_cents);
    emL_setfield_or_skip(L, "PT_SLP");
    emL_pushcount(L, e->spend_ot_cents);
    emL_setfield_or_skip(L, "OT");
}

static void episode_push(lua_State *L, const void *rec, int id)
{
    const em_episode *e = rec;
    switch (id) {
    case EP_START_OF_CARE: emL_pushdate(L, e->start_of_care); break;
    case EP_TREATMENT_DAY: emL_pushcount(L, e->treatment_day); break;
    case EP_LAST_PROGRESS_REPORT: emL_pushdate(L, e->last_progress_report); break;
    case EP_PLAN_OF_CARE: push_plan_of_care(L, e); break;
    case EP_AUTHORIZED_VISITS: emL_pushcount(L, e->authorized_visits); break;
    case EP_THERAPY_SPEND_YTD_CENTS: push_spend(L, e); break;
    case EP_EXTRA: emL_pushvaluetree(L, e->extra); break;
    default: lua_pushnil(L); break;
    }
}

static const emL_viewtype episode_type = {
    EML_EPISODE, episode_fields, sizeof episode_fields / sizeof episode_fields[0],
    episode_check, episode_push, episode_pushpath
};

void emL_pushepisodetable(lua_State *L, const em_episode *e)
{
    luaL_checkstack(L, 4, NULL);
    lua_createtable(L, 0, 7);
    emL_pushdate(L, e->start_of_care);
    emL_setfield_or_skip(L, "start_of_care");
    emL_pushcount(L, e->treatment_day);
    emL_setfield_or_skip(L, "treatment_day");
    emL_pushdate(L, e->last_progress_report);
    emL_setfield_or_skip(L, "last_progress_report");
    push_plan_of_care(L, e);
    emL_setfield_or_skip(L, "plan_of_care");
    emL_pushcount(L, e->authorized_visits);
    emL_setfield_or_skip(L, "authorized_visits");
    push_spend(L, e);
    emL_setfield_or_skip(L, "therapy_spend_ytd_cents");
    emL_mergeextra(L, e->extra);
}

static int episode_index(lua_State *L)
{
    return emL_viewindex(L, &episode_type, episode_check(L, 1));
}

static int episode_pairs(lua_State *L)
{
    return emL_viewpairs(L, &episode_type);
}

/* "episode from 2026-02-10, treatment day 7" */
static int episode_tostring(lua_State *L)
{
    const em_episode *e = episode_check(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "episode");
    if (e->start_of_care != EM_DATE_NONE) {
        luaL_addstring(&b, " from ");
        emL_pushdate(L, e->start_of_care);
        luaL_addvalue(&b);
    }
    if (e->treatment_day >= 0) {
        lua_pushfstring(L, "%s treatment day %d", e->start_of_care != EM_DATE_NONE ? "," : "",
                        (int)e->treatment_day);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

static int episode_totable(lua_State *L)
{
    emL_pushepisodetable(L, episode_check(L, 1));
    return 1;
}

static const luaL_Reg episode_meta[] = {
    {"__index", episode_index},
    {"__newindex", emL_readonly},
    {"__pairs", episode_pairs},
    {"__tostring", episode_tostring},
    {"__eq", emL_vieweq},
    {NULL, NULL}
};

static const luaL_Reg episode_methods[] = {
    {"totable", episode_totable},
    {NULL, NULL}
};

void emL_open_episode(lua_State *L)
{
    emL_newmeta(L, EML_EPISODE, episode_meta, episode_methods);
}
