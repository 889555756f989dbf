/* record.c: visits (made and freed as one arena), value lookup, severities. */
#include "em_record.h"

#include <string.h>

em_visit *em_visit_new(size_t arena_limit)
{
    em_arena *a = em_arena_new(arena_limit);
    if (!a)
        return NULL;
    /* The visit lives in its own arena: one free releases everything. */
    em_visit *v = em_arena_alloc(a, sizeof *v);
    if (!v) {
        em_arena_free(a);
        return NULL;
    }
    v->arena = a;
    v->date = EM_DATE_NONE;
    v->patient.dob = EM_DATE_NONE;
    v->telehealth.patient_at_home = -1;
    v->note.total_timed_minutes = -1;
    v->note.total_minutes = -1;
    v->episode.start_of_care = EM_DATE_NONE;
    v->episode.treatment_day = -1;
    v->episode.last_progress_report = EM_DATE_NONE;
    v->episode.poc_signed_on = EM_DATE_NONE;
    v->episode.poc_certified_through = EM_DATE_NONE;
    v->episode.poc_recertified_on = EM_DATE_NONE;
    v->episode.authorized_visits = -1;
    v->episode.spend_pt_slp_cents = -1;
    v->episode.spend_ot_cents = -1;
    return v;
}

void em_visit_free(em_visit *v)
{
    if (v)
        em_arena_free(v->arena);
}

const em_value *em_value_get(const em_value *obj, const char *key)
{
    if (!obj || !key || obj->type != EM_VALUE_OBJECT || !obj->u.list.keys)
        return NULL;
    for (size_t i = 0; i < obj->u.list.n; i++) {
        const char *k = obj->u.list.keys[i];
        if (k && strcmp(k, key) == 0)
            return &obj->u.list.items[i];
    }
    return NULL;
}

static const char *const severity_names[] = { "info", "warning", "error" };

const char *em_severity_name(em_severity s)
{
    if ((unsigned)s < sizeof severity_names / sizeof severity_names[0])
        return severity_names[s];
    return "unknown";
}

bool em_severity_parse(const char *s, em_severity *out)
{
    if (!s)
        return false;
    for (unsigned i = 0; i < sizeof severity_names / sizeof severity_names[0]; i++) {
        if (strcmp(s, severity_names[i]) == 0) {
            if (out)
                *out = (em_severity)i;
            return true;
        }
    }
    return false;
}
