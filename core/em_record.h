/* em_record.h: the record types: visit, service line, segment, provider,
 * patient, note, episode, finding and claim line. A visit and everything it
 * points to live in the visit's arena. Absent numbers are -1, absent dates
 * EM_DATE_NONE, absent strings NULL. */
#ifndef EM_RECORD_H
#define EM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "em_arena.h"
#include "em_time.h"

/* A JSON-shaped value, for fields eightmin has no struct member for (kept
 * so that a rule can read a field an EMR adds). Integers are exact. */
typedef enum em_value_type {
    EM_VALUE_NULL = 0,
    EM_VALUE_BOOL,
    EM_VALUE_INT,     /* a number with no fraction or exponent that fits int64 */
    EM_VALUE_NUMBER,  /* any other number */
    EM_VALUE_STRING,
    EM_VALUE_ARRAY,
    EM_VALUE_OBJECT
} em_value_type;

typedef struct em_value em_value;
struct em_value {
    em_value_type type;
    union {
        bool b;
        int64_t i;
        double n;
        const char *s;
        struct {
            em_value *items;    /* array items; object values */
            const char **keys;  /* object keys, NULL for arrays */
            size_t n;
        } list;
    } u;
};

/* The value under key in an object value, or NULL. */
const em_value *em_value_get(const em_value *obj, const char *key);

/* A time segment of a service line: start/end, or minutes, and who did it. */
typedef struct em_segment {
    bool has_interval;      /* start/end given */
    em_timepoint start, end;
    em_interval interval;   /* resolved against the visit's date */
    int32_t minutes;        /* whole minutes of this part */
    const char *by;         /* "PT", "PTA", "OT", "OTA", "SLP", ... or NULL (the line's) */
} em_segment;

typedef struct em_intervention {
    const char *text;       /* free text as documented */
    const char *goal;       /* optional goal tag ("balance") or NULL */
} em_intervention;

typedef struct em_line {
    const char *cpt;
    int32_t minutes;          /* total: given "minutes", else the segments' sum; -1 if neither */
    bool minutes_given;       /* "minutes" was in the record */
    int32_t units;            /* billed units as sent, -1 if absent */
    const char *by;           /* performed-by role, or NULL */
    const char **modifiers;
    size_t n_modifiers;
    em_segment *segments;     /* "start"/"end" on the line is one segment */
    size_t n_segments;
    em_intervention *interventions;
    size_t n_interventions;
    int32_t *dx_pointers;     /* 1-based indexes into visit diagnoses */
    size_t n_dx_pointers;
    em_value *extra;          /* unknown fields (an object), or NULL */
} em_line;

typedef struct em_patient {
    const char *id;
    int32_t dob;              /* EM_DATE_NONE if absent */
} em_patient;

typedef struct em_provider {
    const char *npi;
    const char *discipline;   /* "PT", "OT", "SLP" */
    const char *credential;   /* "PT", "PTA", "DPT", ... */
} em_provider;

typedef struct em_telehealth {
    bool present;             /* the visit has a "telehealth" object */
    const char *modality;     /* "audio_video", "audio_only", ... */
    int patient_at_home;      /* 1, 0, or -1 when not said */
} em_telehealth;

typedef struct em_measure {
    const char *name;         /* "BBS", "TUG", ... */
    bool has_value, has_prior;
    double value, prior;      /* clinical scores (seconds, points); not billing numbers */
} em_measure;

typedef struct em_note {
    bool present;
    const char *impairments;
    const char *functional_progress;
    const char *medical_necessity;
    const char *text;         /* optional free text of the whole note */
    em_measure *measures;
    size_t n_measures;
    int32_t total_timed_minutes;  /* -1 if absent */
    int32_t total_minutes;        /* -1 if absent */
    em_value *extra;
} em_note;

typedef struct em_episode {
    bool present;
    int32_t start_of_care;        /* dates: EM_DATE_NONE if absent */
    int32_t treatment_day;        /* -1 if absent */
    int32_t last_progress_report;
    int32_t poc_signed_on;
    int32_t poc_certified_through;
    int32_t poc_recertified_on;
    int32_t authorized_visits;    /* -1 if absent */
    int64_t spend_pt_slp_cents;   /* -1 if absent */
    int64_t spend_ot_cents;       /* -1 if absent */
    em_value *extra;
} em_episode;

typedef struct em_visit {
    em_arena *arena;          /* owns the visit and everything below it */
    const char *source;       /* input name, for messages */
    long record;              /* line number in the input */
    const char *id;
    int32_t date;
    const char *payer;        /* NULL if absent */
    const char *pos;          /* place of service, NULL if absent */
    em_patient patient;
    em_provider provider;
    em_telehealth telehealth;
    const char **diagnoses;
    size_t n_diagnoses;
    em_line *lines;
    size_t n_lines;
    em_note note;
    em_episode episode;
    em_value *extra;          /* unknown top-level fields, or NULL */
} em_visit;

/* A new empty visit in a new arena (limit as for em_arena_new). */
em_visit *em_visit_new(size_t arena_limit);
/* Frees the visit and everything in its arena. NULL is fine. */
void em_visit_free(em_visit *v);

typedef enum em_severity {
    EM_SEV_INFO = 0,
    EM_SEV_WARNING,
    EM_SEV_ERROR
} em_severity;

const char *em_severity_name(em_severity s);        /* "info", "warning", "error" */
/* Parses "info"/"warning"/"error"; false if none. */
bool em_severity_parse(const char *s, em_severity *out);

typedef struct em_finding {
    const char *visit;     /* visit id */
    int line;              /* 1-based service line, 0 for the visit as a whole */
    const char *rule;      /* "medicare.units-match" */
    em_severity severity;
    const char *message;
    const char *cite;      /* "CMS Pub. 100-04 ch. 5 s20.2", or NULL */
} em_finding;

typedef struct em_claim_line {
    const char *visit;
    const char *cpt;
    int units;
    const char *const *modifiers;
    size_t n_modifiers;
    const int *dx_pointers;  /* 1-based, at most 4 used on a claim */
    size_t n_dx_pointers;
} em_claim_line;

#endif
