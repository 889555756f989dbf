/* codes.c: the procedure-code table: built-in physical-medicine codes
 * (domain.md section 3) plus codes added at run time.
 *
 * Entries live in fixed-size chunks that never move, so a pointer from
 * em_codes_find stays valid while codes are added; a separate index kept in
 * strcmp order gives binary-search lookup. */
#include "em_codes.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_CODES 64
#define MAX_CHUNKS ((EM_CODES_MAX + CHUNK_CODES - 1) / CHUNK_CODES)

typedef struct entry {
    em_code code;
    char desc[EM_DESCRIPTOR_MAX + 1]; /* run-time descriptors are copied here */
} entry;

struct em_code_table {
    entry *chunks[MAX_CHUNKS];
    size_t count;
    size_t *sorted;       /* entry numbers in strcmp order of cpt */
    size_t sorted_cap;
};

typedef struct builtin {
    const char *cpt;
    em_code_kind kind;
    int unit_minutes;
    unsigned flags;
    const char *descriptor;
} builtin;

#define T15 EM_CODE_TIMED, 15
#define UNT EM_CODE_UNTIMED, 0
#define SUP EM_CODE_SUPERVISED
#define CA EM_CODE_CONSTANT_ATTEND

/* In strcmp order, so iteration lists built-ins by code (a test checks it).
 * The SLP codes are untimed per-session services (92521 is CMS's own untimed
 * example, Pub. 100-04 ch. 5 s20.2).
 * 97550-97552 (caregiver training) are left out: domain.md does not say
 * whether they are timed. */
static const builtin builtins[] = {
    {"92507", UNT, 0, "speech, language, voice or communication treatment, individual (SLP)"},
    {"92508", UNT, EM_CODE_GROUP, "speech, language, voice or communication treatment, group (SLP)"},
    {"92521", UNT, EM_CODE_EVAL, "speech fluency evaluation (SLP)"},
    {"92522", UNT, EM_CODE_EVAL, "speech sound production evaluation (SLP)"},
    {"92523", UNT, EM_CODE_EVAL, "speech sound production and language evaluation (SLP)"},
    {"92524", UNT, EM_CODE_EVAL, "voice and resonance analysis (SLP)"},
    {"92526", UNT, 0, "swallowing dysfunction treatment (SLP)"},
    {"92610", UNT, EM_CODE_EVAL, "oral and pharyngeal swallowing evaluation (SLP)"},
    {"97010", UNT, SUP, "hot or cold packs"},
    {"97012", UNT, SUP, "mechanical traction"},
    {"97014", UNT, SUP, "unattended electrical stimulation (Medicare uses G0283)"},
    {"97016", UNT, SUP, "vasopneumatic device"},
    {"97018", UNT, SUP, "paraffin bath"},
    {"97022", UNT, SUP, "whirlpool"},
    {"97024", UNT, SUP, "diathermy"},
    {"97026", UNT, SUP, "infrared"},
    {"97028", UNT, SUP, "ultraviolet"},
    {"97032", T15, CA, "electrical stimulation applied by hand, constant attendance"},
    {"97033", T15, CA, "iontophoresis"},
    {"97034", T15, CA, "contrast baths"},
    {"97035", T15, CA, "ultrasound"},
    {"97036", T15, CA, "Hubbard tank"},
    {"97039", UNT, EM_CODE_UNLISTED, "unlisted modality"},
    {"97110", T15, 0, "therapeutic exercise: strength, endurance, range of motion, flexibility"},
    {"97112", T15, 0, "neuromuscular re-education: balance, coordination, posture, proprioception"},
    {"97113", T15, 0, "aquatic therapy with exercise"},
    {"97116", T15, 0, "gait training, stairs included"},
    {"97124", T15, 0, "massage"},
    {"97129", T15, 0, "cognitive-function intervention, first 15 minutes"},
    {"97130", T15, EM_CODE_ADDON, "cognitive-function intervention, each further 15 minutes"},
    {"97139", UNT, EM_CODE_UNLISTED, "unlisted therapeutic procedure"},
    {"97140", T15, 0, "manual therapy: mobilization, manipulation, lymphatic drainage, traction"},
    {"97150", UNT, EM_CODE_GROUP, "group therapeutic procedure"},
    {"97161", UNT, EM_CODE_EVAL, "PT evaluation, low complexity"},
    {"97162", UNT, EM_CODE_EVAL, "PT evaluation, moderate complexity"},
    {"97163", UNT, EM_CODE_EVAL, "PT evaluation, high complexity"},
    {"97164", UNT, EM_CODE_EVAL, "PT re-evaluation"},
    {"97165", UNT, EM_CODE_EVAL, "OT evaluation, low complexity"},
    {"97166", UNT, EM_CODE_EVAL, "OT evaluation, moderate complexity"},
    {"97167", UNT, EM_CODE_EVAL, "OT evaluation, high complexity"},
    {"97168", UNT, EM_CODE_EVAL, "OT re-evaluation"},
    {"97530", T15, 0, "therapeutic activities, dynamic and functional"},
    {"97533", T15, 0, "sensory integration techniques"},
    {"97535", T15, 0, "self-care and home management training"},
    {"97537", T15, 0, "community or work reintegration training"},
    {"97542", T15, 0, "wheelchair management and propulsion training"},
    {"97545", EM_CODE_TIMED, 120, 0, "work hardening or conditioning, first 2 hours"},
    {"97546", EM_CODE_TIMED, 60, EM_CODE_ADDON, "work hardening or conditioning, each further hour"},
    {"97750", T15, 0, "physical performance test or measurement"},
    {"97755", T15, 0, "assistive technology assessment"},
    {"97760", T15, 0, "orthotic management and training, first encounter"},
    {"97761", T15, 0, "prosthetic training, first encounter"},
    {"97763", T15, 0, "orthotic or prosthetic management, later encounter"},
    {"97799", UNT, EM_CODE_UNLISTED, "unlisted physical medicine or rehabilitation service"},
    {"G0283", UNT, SUP, "unattended electrical stimulation (Medicare)"},
};

#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

bool em_cpt_valid(const char *cpt)
{
    if (!cpt)
        return false;
    size_t i = 0;
    for (; cpt[i]; i++) {
        unsigned char c = (unsigned char)cpt[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (i >= EM_CPT_MAX || !alnum)
            return false;
    }
    return i > 0;
}

const char *em_code_kind_name(em_code_kind kind)
{
    switch (kind) {
    case EM_CODE_UNTIMED: return "untimed";
    case EM_CODE_TIMED: return "timed";
    }
    return "unknown";
}

static entry *table_entry(const em_code_table *t, size_t i)
{
    return &t->chunks[i / CHUNK_CODES][i % CHUNK_CODES];
}

/* Position in t->sorted where cpt is or would go; *found says which. */
static size_t table_search(const em_code_table *t, const char *cpt, bool *found)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(table_entry(t, t->sorted[mid])->code.cpt, cpt);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* Appends a new entry for cpt (valid, not yet present, at sorted position
 * pos); the caller fills the rest. NULL when out of memory or full. */
static entry *table_append(em_code_table *t, const char *cpt, size_t pos)
{
    if (t->count >= EM_CODES_MAX)
        return NULL;
    if (t->count == t->sorted_cap) {
        size_t cap = t->sorted_cap ? 2 * t->sorted_cap : 2 * CHUNK_CODES;
        if (cap > EM_CODES_MAX)
            cap = EM_CODES_MAX;
        size_t *s = realloc(t->sorted, cap * sizeof *s);
        if (!s)
            return NULL;
        t->sorted = s;
        t->sorted_cap = cap;
    }
    size_t chunk = t->count / CHUNK_CODES;
    if (!t->chunks[chunk]) {
        t->chunks[chunk] = calloc(CHUNK_CODES, sizeof(entry));
        if (!t->chunks[chunk])
            return NULL;
    }
    memmove(&t->sorted[pos + 1], &t->sorted[pos], (t->count - pos) * sizeof *t->sorted);
    t->sorted[pos] = t->count;
    entry *e = table_entry(t, t->count++);
    memset(e, 0, sizeof *e);
    memcpy(e->code.cpt, cpt, strlen(cpt) + 1);
    return e;
}

em_code_table *em_codes_new(void)
{
    em_code_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < N_BUILTINS; i++) {
        const builtin *b = &builtins[i];
        bool found;
        size_t pos = table_search(t, b->cpt, &found);
        entry *e = found ? NULL : table_append(t, b->cpt, pos);
        if (!e) {
            em_codes_free(t);
            return NULL;
        }
        e->code.kind = b->kind;
        e->code.unit_minutes = b->unit_minutes;
        e->code.flags = b->flags;
        e->code.descriptor = b->descriptor;
    }
    return t;
}

void em_codes_free(em_code_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < MAX_CHUNKS; i++)
        free(t->chunks[i]);
    free(t->sorted);
    free(t);
}

const em_code *em_codes_find(const em_code_table *t, const char *cpt)
{
    if (!t || !em_cpt_valid(cpt))
        return NULL;
    bool found;
    size_t pos = table_search(t, cpt, &found);
    return found ? &table_entry(t, t->sorted[pos])->code : NULL;
}

em_status em_codes_add(em_code_table *t, const char *cpt, em_code_kind kind,
                       int unit_minutes, unsigned flags, const char *descriptor,
                       em_error *err)
{
    if (!t)
        return em_error_set(err, EM_EINVAL, "", "no code table");
    if (!em_cpt_valid(cpt))
        return em_error_set(err, EM_EINVAL, "cpt",
                            "a code is 1 to %d letters and digits, like 97112", EM_CPT_MAX);
    if (kind != EM_CODE_TIMED && kind != EM_CODE_UNTIMED)
        return em_error_set(err, EM_EINVAL, "kind", "kind must be timed or untimed");
    if (kind == EM_CODE_TIMED && (unit_minutes < 1 || unit_minutes > 240))
        return em_error_set(err, EM_ERANGE, "unit_minutes",
                            "a timed code's unit_minutes must be 1 to 240, got %d", unit_minutes);
    if (kind == EM_CODE_UNTIMED && unit_minutes != 0)
        return em_error_set(err, EM_ERANGE, "unit_minutes",
                            "an untimed code takes unit_minutes 0, got %d", unit_minutes);
    if (!descriptor)
        descriptor = "";
    size_t len = strnlen(descriptor, EM_DESCRIPTOR_MAX + 1);
    if (len > EM_DESCRIPTOR_MAX)
        return em_error_set(err, EM_ERANGE, "descriptor",
                            "descriptor is longer than %d bytes", EM_DESCRIPTOR_MAX);

    bool found;
    size_t pos = table_search(t, cpt, &found);
    entry *e;
    if (found) {
        e = table_entry(t, t->sorted[pos]);
    } else if (t->count >= EM_CODES_MAX) {
        return em_error_set(err, EM_ENOMEM, "cpt",
                            "the code table is full (%d codes); %s not added", EM_CODES_MAX, cpt);
    } else if (!(e = table_append(t, cpt, pos))) {
        return em_error_set(err, EM_ENOMEM, "cpt", "out of memory adding code %s", cpt);
    }
    /* memmove: descriptor may be this entry's own buffer */
    memmove(e->desc, descriptor, len);
    e->desc[len] = '\0';
    e->code.kind = kind;
    e->code.unit_minutes = unit_minutes;
    e->code.flags = flags | EM_CODE_USER;
    e->code.descriptor = e->desc;
    return EM_OK;
}

size_t em_codes_count(const em_code_table *t)
{
    return t ? t->count : 0;
}

const em_code *em_codes_at(const em_code_table *t, size_t i)
{
    if (!t || i >= t->count)
        return NULL;
    return &table_entry(t, i)->code;
}
