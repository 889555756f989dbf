/* em_units.h: how many units each code of a day earns.
 *
 * Methods:
 *  - CMS total time (Pub. 100-04 ch. 5 s20.2): the day's timed minutes set
 *    the total units; each code keeps its full units and the leftover units
 *    go to the codes with the most leftover minutes.
 *  - AMA per code: each code rounded alone at the midpoint, no pooling.
 *  - custom: unit length, threshold for the first unit, pooled or not.
 * Untimed codes earn 1 unit and never count toward timed minutes. */
#ifndef EM_UNITS_H
#define EM_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#include "em_codes.h"
#include "em_error.h"

#define EM_DAY_MINUTES 1440

typedef enum em_unit_method {
    EM_METHOD_CMS = 0,
    EM_METHOD_AMA,
    EM_METHOD_CUSTOM
} em_unit_method;

typedef struct em_unit_policy {
    em_unit_method method;  /* a label; the numbers below decide */
    int unit_minutes;       /* minutes in one unit: 15 */
    int threshold;          /* minutes that earn the first unit: 8; later
                               units at threshold + k * unit_minutes */
    bool pooled;            /* true: CMS-style pooling across codes */
} em_unit_policy;

extern const em_unit_policy em_policy_cms; /* 15, 8, pooled */
extern const em_unit_policy em_policy_ama; /* 15, 8, per code */

/* Checks a policy: 1 <= unit_minutes <= 240, 1 <= threshold <= unit_minutes. */
em_status em_policy_check(const em_unit_policy *p, em_error *err);

/* Looks up "cms" or "ama"; NULL otherwise. */
const em_unit_policy *em_policy_by_name(const char *name);
const char *em_method_name(em_unit_method m); /* "cms", "ama", "custom" */

/* Units for a number of minutes under one code's rounding (no pooling):
 * 0 below threshold, else floor((minutes - threshold) / unit) + 1. */
int em_units_for_minutes(int minutes, int unit_minutes, int threshold);

/* Why a code got the units it got (stable strings via em_unit_reason_name). */
typedef enum em_unit_reason {
    EM_REASON_UNTIMED = 0,     /* "untimed": 1 unit per day */
    EM_REASON_FULL,            /* "full-units": only its full units (leftover, if any, lost) */
    EM_REASON_LEFTOVER,        /* "leftover-unit": its full units plus one for its leftover minutes */
    EM_REASON_BELOW_THRESHOLD, /* "below-threshold": 0 units, too few minutes (alone, or the
                                  day's pooled total) */
    EM_REASON_OUTRANKED        /* "outranked": 0 units; its leftover minutes lost the
                                  pooled leftover units to codes with more */
} em_unit_reason;

const char *em_unit_reason_name(em_unit_reason r);

/* One code of the day as given. Repeated codes are summed. */
typedef struct em_unit_item {
    const char *cpt;   /* must be in the code table */
    int minutes;       /* 0..EM_DAY_MINUTES */
} em_unit_item;

/* One code's result; lines come out in order of first appearance. */
typedef struct em_unit_line {
    const char *cpt;        /* points at the first item's cpt */
    const em_code *code;    /* the table entry */
    int minutes;            /* summed over repeated items */
    int units;
    int full_units;         /* floor(minutes / unit) for timed codes */
    int leftover_minutes;   /* minutes % unit for timed codes */
    bool pooled;            /* counted in the pooled timed minutes */
    em_unit_reason reason;
} em_unit_line;

typedef struct em_unit_result {
    em_unit_method method;
    int timed_minutes;   /* sum of minutes of timed codes */
    int timed_units;     /* units of timed codes */
    int total_units;     /* every line's units, untimed too */
    size_t n_lines;
} em_unit_result;

/* Computes units. out must hold n lines. prefer (may be NULL) lists codes
 * in tie-break order for leftover units when leftover minutes are equal:
 * a listed code beats an unlisted one, earlier beats later; unlisted codes
 * keep input order. Errors: unknown code, minutes outside 0..1440, a day's
 * timed minutes over 1440, bad policy; err->field is "items[i]" or similar. */
em_status em_units_compute(const em_code_table *codes, const em_unit_policy *policy,
                           const em_unit_item *items, size_t n,
                           const char *const *prefer, size_t n_prefer,
                           em_unit_line *out, em_unit_result *result,
                           em_error *err);

#endif
