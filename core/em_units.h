/* em_units.h: how many units each code of a day earns.
 *
 * Methods:
 *  - CMS total time (Pub. 100-04 ch. 5 s20.2): the day's timed minutes set
 *    the total units; each code keeps its full units and the leftover units
 *    go to the codes with the most leftover minutes.
 *  - AMA per code: each code rounded alone at the midpoint, no pooling.
 *  - custom: unit length, threshold for the first unit, pooled or not.
 * Untimed codes earn 1 unit and never count toward timed minutes.
 *
 * Which numbers apply to which code:
 *  - the policy (its unit_minutes, threshold and pooled) governs the timed
 *    codes whose table unit_minutes is 15; a custom policy's numbers replace
 *    15 and 8 for them;
 *  - a timed code with another unit length (work hardening: 97545 120
 *    minutes, 97546 60) is rounded alone at its own midpoint (threshold
 *    unit / 2 + 1: 61 and 31), never pooled, whatever the policy; its
 *    minutes and units still count in timed_minutes and timed_units;
 *  - untimed codes: 1 unit per day, even with 0 minutes.
 * The pooled total is the minutes of the pooled codes only, so 97112 7 +
 * 97545 5 earns 0 units under CMS though timed_minutes is 12. */
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

/* Checks a policy: 1 <= unit_minutes <= 240, 1 <= threshold <= unit_minutes,
 * method one of the three. err->field: "unit_minutes", "threshold" or
 * "method" (EM_ERANGE for numbers, EM_EINVAL for the method or NULL). */
em_status em_policy_check(const em_unit_policy *p, em_error *err);

/* Looks up "cms" or "ama"; NULL otherwise. */
const em_unit_policy *em_policy_by_name(const char *name);
const char *em_method_name(em_unit_method m); /* "cms", "ama", "custom" */

/* Units for a number of minutes under one code's rounding (no pooling):
 * 0 below threshold, else floor((minutes - threshold) / unit) + 1.
 * 0 as well for minutes < 0, unit_minutes < 1 or threshold < 1. */
int em_units_for_minutes(int minutes, int unit_minutes, int threshold);

/* Why a code got the units it got (stable strings via em_unit_reason_name).
 * A timed code always gets full or full + 1 units (threshold <= unit), and:
 *   units == full + 1             -> leftover-unit (so leftover_minutes > 0)
 *   units == full, full > 0       -> full-units
 *   units == 0, pooled, minutes > 0 and the pooled total >= threshold
 *                                 -> outranked; this includes a day whose
 *                                    pooled units are all full units (97110
 *                                    30 + 97140 3: 97140 is outranked)
 *   units == 0 otherwise          -> below-threshold: minutes < threshold
 *                                    alone, or the pooled total < threshold,
 *                                    or a pooled code with 0 minutes. */
typedef enum em_unit_reason {
    EM_REASON_UNTIMED = 0,     /* "untimed": 1 unit per day */
    EM_REASON_FULL,            /* "full-units": only its full units (leftover, if any, lost) */
    EM_REASON_LEFTOVER,        /* "leftover-unit": its full units plus one for its leftover minutes */
    EM_REASON_BELOW_THRESHOLD, /* "below-threshold": 0 units, too few minutes (alone, or the
                                  day's pooled total) */
    EM_REASON_OUTRANKED,       /* "outranked": 0 units; its leftover minutes lost the
                                  pooled leftover units to codes with more */
    EM_REASON_PAYER            /* "payer-function": set by a payer script's own units
                                  function (never given by em_units_compute) */
} em_unit_reason;
#define EM_REASON_LAST EM_REASON_PAYER

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
 * keep input order (NULL entries are skipped). Pooled leftover units: the
 * pooled total T gives em_units_for_minutes(T, unit, threshold) units; each
 * pooled code keeps floor(m / unit); the rest go one each to the codes with
 * the largest leftover minutes (never to a code with none).
 * Errors (result is zeroed, out is scratch):
 *   EM_EINVAL "items[i]": code missing, not code-shaped, or "unknown code X";
 *   EM_ERANGE "items[i].minutes": minutes outside 0..1440, or an untimed
 *     code repeated to more than 1440 minutes;
 *   EM_ERANGE "items": "timed minutes add up to N, more than a day (1440)";
 *   a bad policy: em_policy_check's error with field "policy.<field>";
 *   EM_EINVAL for NULL codes/result, NULL items/out with n > 0, NULL prefer
 *     with n_prefer > 0. */
em_status em_units_compute(const em_code_table *codes, const em_unit_policy *policy,
                           const em_unit_item *items, size_t n,
                           const char *const *prefer, size_t n_prefer,
                           em_unit_line *out, em_unit_result *result,
                           em_error *err);

#endif
