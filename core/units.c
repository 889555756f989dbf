/* units.c: units per code for one day: CMS pooling, AMA per code, custom.
 * The allocation follows domain.md section 1.3: the pooled minutes set the
 * number of units, each code keeps its full units, and the units left over
 * go to the codes with the most leftover minutes. */
#include "em_units.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* The CMS and AMA rounding: 15-minute units, first unit at 8 minutes. */
#define STD_UNIT 15
#define STD_THRESHOLD 8
#define MAX_UNIT 240

const em_unit_policy em_policy_cms = {EM_METHOD_CMS, STD_UNIT, STD_THRESHOLD, true};
const em_unit_policy em_policy_ama = {EM_METHOD_AMA, STD_UNIT, STD_THRESHOLD, false};

em_status em_policy_check(const em_unit_policy *p, em_error *err)
{
    if (!p)
        return em_error_set(err, EM_EINVAL, "", "no unit policy");
    if (p->unit_minutes < 1 || p->unit_minutes > MAX_UNIT)
        return em_error_set(err, EM_ERANGE, "unit_minutes",
                            "unit_minutes must be 1 to %d, got %d", MAX_UNIT, p->unit_minutes);
    if (p->threshold < 1 || p->threshold > p->unit_minutes)
        return em_error_set(err, EM_ERANGE, "threshold",
                            "threshold must be 1 to unit_minutes (%d), got %d", p->unit_minutes,
                            p->threshold);
    if (p->method != EM_METHOD_CMS && p->method != EM_METHOD_AMA && p->method != EM_METHOD_CUSTOM)
        return em_error_set(err, EM_EINVAL, "method", "method must be cms, ama or custom, got %d",
                            (int)p->method);
    return EM_OK;
}

const em_unit_policy *em_policy_by_name(const char *name)
{
    if (!name)
        return NULL;
    if (!strcmp(name, "cms"))
        return &em_policy_cms;
    if (!strcmp(name, "ama"))
        return &em_policy_ama;
    return NULL;
}

const char *em_method_name(em_unit_method m)
{
    switch (m) {
    case EM_METHOD_CMS: return "cms";
    case EM_METHOD_AMA: return "ama";
    case EM_METHOD_CUSTOM: return "custom";
    }
    return "unknown";
}

const char *em_unit_reason_name(em_unit_reason r)
{
    switch (r) {
    case EM_REASON_UNTIMED: return "untimed";
    case EM_REASON_FULL: return "full-units";
    case EM_REASON_LEFTOVER: return "leftover-unit";
    case EM_REASON_BELOW_THRESHOLD: return "below-threshold";
    case EM_REASON_OUTRANKED: return "outranked";
    case EM_REASON_PAYER: return "payer-function";
    }
    return "unknown";
}

int em_units_for_minutes(int minutes, int unit_minutes, int threshold)
{
    if (minutes < 0 || unit_minutes < 1 || threshold < 1 || minutes < threshold)
        return 0;
    return (minutes - threshold) / unit_minutes + 1;
}

/* Reason for a line whose units are already set (timed codes). Units are
 * always full or full + 1 (threshold <= unit), so 0 units means full == 0. */
static em_unit_reason line_reason(const em_unit_line *l, bool pool_reached)
{
    if (l->units == l->full_units + 1)
        return EM_REASON_LEFTOVER;
    if (l->units > 0)
        return EM_REASON_FULL;
    if (l->pooled && pool_reached && l->minutes > 0)
        return EM_REASON_OUTRANKED;
    return EM_REASON_BELOW_THRESHOLD;
}

/* Checks every item and the day's timed total before anything is merged. */
static em_status items_check(const em_code_table *codes, const em_unit_item *items, size_t n,
                             em_error *err)
{
    char field[64];
    long long timed = 0;
    for (size_t i = 0; i < n; i++) {
        const em_unit_item *it = &items[i];
        snprintf(field, sizeof field, "items[%zu]", i);
        if (!it->cpt)
            return em_error_set(err, EM_EINVAL, field, "code missing");
        if (!em_cpt_valid(it->cpt))
            return em_error_set(err, EM_EINVAL, field,
                                "not a procedure code (1 to %d letters and digits, like 97112)",
                                EM_CPT_MAX);
        const em_code *c = em_codes_find(codes, it->cpt);
        if (!c)
            return em_error_set(err, EM_EINVAL, field, "unknown code %s", it->cpt);
        if (it->minutes < 0 || it->minutes > EM_DAY_MINUTES) {
            snprintf(field, sizeof field, "items[%zu].minutes", i);
            return em_error_set(err, EM_ERANGE, field, "minutes must be 0 to %d, got %d",
                                EM_DAY_MINUTES, it->minutes);
        }
        if (c->kind == EM_CODE_TIMED)
            timed += it->minutes;
    }
    if (timed > EM_DAY_MINUTES)
        return em_error_set(err, EM_ERANGE, "items",
                            "timed minutes add up to %lld, more than a day (%d)", timed,
                            EM_DAY_MINUTES);
    return EM_OK;
}

/* Sums repeated codes into lines, in order of first appearance. Timed sums
 * fit in a day (items_check); an untimed code's sum is checked here. A linear
 * scan per item: a day has a handful of distinct codes. */
static em_status items_merge(const em_code_table *codes, const em_unit_item *items, size_t n,
                             em_unit_line *out, size_t *n_lines, em_error *err)
{
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        const em_code *c = em_codes_find(codes, items[i].cpt);
        size_t j = 0;
        while (j < nl && out[j].code != c)
            j++;
        if (j == nl) {
            memset(&out[nl], 0, sizeof out[nl]);
            out[nl].cpt = items[i].cpt;
            out[nl].code = c;
            nl++;
        } else if (out[j].minutes + items[i].minutes > EM_DAY_MINUTES) {
            char field[64];
            snprintf(field, sizeof field, "items[%zu].minutes", i);
            return em_error_set(err, EM_ERANGE, field,
                                "code %s adds up to %d minutes, more than a day (%d)", c->cpt,
                                out[j].minutes + items[i].minutes, EM_DAY_MINUTES);
        }
        out[j].minutes += items[i].minutes;
    }
    *n_lines = nl;
    return EM_OK;
}

/* True when this line's code is the one at prefer[p]. */
static bool prefer_is(const char *const *prefer, size_t p, const em_unit_line *l)
{
    return prefer[p] && !strcmp(prefer[p], l->code->cpt);
}

/* Gives the pooled leftover units: one each to the `extra` pooled lines with
 * the largest leftover minutes (all below unit, so a count per value finds
 * the cut); at the cut, listed codes first in prefer order, then input
 * order. Every pooled line starts at its full units. */
static void pool_distribute(em_unit_line *lines, size_t nl, int unit, int extra,
                            const char *const *prefer, size_t n_prefer)
{
    int count[MAX_UNIT] = {0};
    for (size_t i = 0; i < nl; i++)
        if (lines[i].pooled)
            count[lines[i].leftover_minutes]++;
    /* Lines with leftover > cut all get a unit; `extra` more at exactly cut. */
    int cut = unit - 1;
    while (cut >= 1 && extra >= count[cut])
        extra -= count[cut--];
    assert(extra == 0 || cut >= 1);  /* extra <= lines with leftover > 0 */
    for (size_t i = 0; i < nl; i++)
        if (lines[i].pooled && lines[i].leftover_minutes > cut)
            lines[i].units++;
    for (size_t p = 0; p < n_prefer && extra > 0; p++)
        for (size_t i = 0; i < nl && extra > 0; i++)
            if (lines[i].pooled && lines[i].leftover_minutes == cut &&
                lines[i].units == lines[i].full_units && prefer_is(prefer, p, &lines[i])) {
                lines[i].units++;
                extra--;
            }
    for (size_t i = 0; i < nl && extra > 0; i++)
        if (lines[i].pooled && lines[i].leftover_minutes == cut &&
            lines[i].units == lines[i].full_units) {
            lines[i].units++;
            extra--;
        }
    assert(extra == 0);
}

em_status em_units_compute(const em_code_table *codes, const em_unit_policy *policy,
                           const em_unit_item *items, size_t n,
                           const char *const *prefer, size_t n_prefer,
                           em_unit_line *out, em_unit_result *result,
                           em_error *err)
{
    if (result)
        memset(result, 0, sizeof *result);
    if (!codes)
        return em_error_set(err, EM_EINVAL, "", "no code table");
    if (!result)
        return em_error_set(err, EM_EINVAL, "", "no place for the result");
    if (n > 0 && (!items || !out))
        return em_error_set(err, EM_EINVAL, "items", "no items or no room for the lines");
    if (n_prefer > 0 && !prefer)
        return em_error_set(err, EM_EINVAL, "prefer", "prefer is NULL but n_prefer is %zu",
                            n_prefer);
    em_status st = em_policy_check(policy, err);
    if (st != EM_OK) {
        em_error_prefix_field(err, "policy");
        return st;
    }
    if ((st = items_check(codes, items, n, err)) != EM_OK)
        return st;
    size_t nl = 0;
    if (n > 0 && (st = items_merge(codes, items, n, out, &nl, err)) != EM_OK)
        return st;

    const int pu = policy->unit_minutes, ph = policy->threshold;
    int pool_minutes = 0, pool_full = 0, pool_leftovers = 0;
    for (size_t i = 0; i < nl; i++) {
        em_unit_line *l = &out[i];
        if (l->code->kind != EM_CODE_TIMED) {
            l->units = 1;
            l->reason = EM_REASON_UNTIMED;
            continue;
        }
        /* The policy governs 15-minute codes; others (work hardening,
         * hourly) round alone at their own midpoint. */
        bool governed = l->code->unit_minutes == STD_UNIT;
        int unit = governed ? pu : l->code->unit_minutes;
        int threshold = governed ? ph : unit / 2 + 1;
        l->full_units = l->minutes / unit;
        l->leftover_minutes = l->minutes % unit;
        l->pooled = governed && policy->pooled;
        if (l->pooled) {
            l->units = l->full_units;
            pool_minutes += l->minutes;
            pool_full += l->full_units;
            pool_leftovers += l->leftover_minutes > 0;
        } else {
            l->units = em_units_for_minutes(l->minutes, unit, threshold);
        }
        result->timed_minutes += l->minutes;
    }
    /* 0 <= extra <= pool_leftovers: with T = U * pool_full + S (S the sum of
     * leftovers, each <= U - 1) and 1 <= H <= U, the pooled units are
     * floor(T/U) or floor(T/U) + 1, and floor(S/U) < pool_leftovers when
     * any leftover is non-zero (when none is, T is a multiple of U and the
     * pooled units are exactly pool_full). */
    int extra = em_units_for_minutes(pool_minutes, pu, ph) - pool_full;
    assert(extra >= 0 && extra <= pool_leftovers);
    (void)pool_leftovers; /* only the assert reads it */
    if (extra > 0)
        pool_distribute(out, nl, pu, extra, prefer, n_prefer);

    bool pool_reached = pool_minutes >= ph;
    for (size_t i = 0; i < nl; i++) {
        em_unit_line *l = &out[i];
        if (l->code->kind == EM_CODE_TIMED) {
            l->reason = line_reason(l, pool_reached);
            result->timed_units += l->units;
        }
        result->total_units += l->units;
    }
    result->method = policy->method;
    result->n_lines = nl;
    return EM_OK;
}
