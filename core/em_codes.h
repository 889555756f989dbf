/* em_codes.h: the table of procedure codes eightmin knows, timed or not.
 * Built in: the physical-medicine codes of domain.md section 3; more can be
 * added at run time (a payer's own codes, a new year's codes). */
#ifndef EM_CODES_H
#define EM_CODES_H

#include <stdbool.h>
#include <stddef.h>

#include "em_error.h"

#define EM_CPT_MAX 15  /* longest code accepted, in bytes */
#define EM_CODES_MAX 10000      /* most codes a table holds, built-ins included */
#define EM_DESCRIPTOR_MAX 255   /* longest descriptor em_codes_add accepts, in bytes */

typedef enum em_code_kind {
    EM_CODE_UNTIMED = 0, /* one unit per day, whatever the minutes */
    EM_CODE_TIMED = 1    /* units by minutes, unit_minutes per unit */
} em_code_kind;

/* Flags: what a rule may need to know about a code. */
enum {
    EM_CODE_EVAL = 1u << 0,          /* evaluation or re-evaluation */
    EM_CODE_SUPERVISED = 1u << 1,    /* supervised modality 97010-97028 */
    EM_CODE_CONSTANT_ATTEND = 1u << 2, /* constant-attendance modality 97032-97036 */
    EM_CODE_ADDON = 1u << 3,         /* add-on code (97130) */
    EM_CODE_GROUP = 1u << 4,         /* group therapy (97150) */
    EM_CODE_UNLISTED = 1u << 5,      /* 97039, 97139 */
    EM_CODE_USER = 1u << 15          /* added at run time */
};

typedef struct em_code {
    char cpt[EM_CPT_MAX + 1];
    em_code_kind kind;
    int unit_minutes;        /* 15 for most timed codes; 120 for 97545 (the first
                                2 hours) and 60 for 97546 (each further hour);
                                0 for untimed codes */
    unsigned flags;
    const char *descriptor;  /* short descriptor in our own words */
} em_code;

typedef struct em_code_table em_code_table;

/* A new table holding the built-in codes; NULL when out of memory. */
em_code_table *em_codes_new(void);
void em_codes_free(em_code_table *t);

/* The code, or NULL. cpt is NUL-terminated; exact match (no case folding).
 * The pointer stays valid until em_codes_free, also across later adds. */
const em_code *em_codes_find(const em_code_table *t, const char *cpt);

/* Adds a code or replaces one of the same name (a run-time entry may
 * override a built-in). cpt: 1..EM_CPT_MAX letters and digits. Timed codes
 * need unit_minutes in 1..240; untimed ones take 0. descriptor is copied
 * (NULL means ""; at most EM_DESCRIPTOR_MAX bytes). EM_CODE_USER is added to
 * flags. A replacement updates the entry in place: it keeps its place in
 * iteration, and pointers to it stay valid and see the new values.
 * Errors: EM_EINVAL (cpt, kind), EM_ERANGE (unit_minutes, descriptor),
 * EM_ENOMEM (out of memory, or EM_CODES_MAX codes already). */
em_status em_codes_add(em_code_table *t, const char *cpt, em_code_kind kind,
                       int unit_minutes, unsigned flags, const char *descriptor,
                       em_error *err);

/* Iteration in table order: built-ins first, by code (strcmp order), then
 * codes added at run time in the order they were first added. */
size_t em_codes_count(const em_code_table *t);
const em_code *em_codes_at(const em_code_table *t, size_t i);

/* True when cpt has the shape of a code: 1..EM_CPT_MAX ASCII letters and digits. */
bool em_cpt_valid(const char *cpt);

const char *em_code_kind_name(em_code_kind kind); /* "timed" or "untimed" */

#endif
