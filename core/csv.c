/* csv.c: visits from CSV (em_csv.h). libcsv splits the bytes into rows; the
 * rows of a visit become the visit's JSON text, which em_visit_parse checks
 * exactly as it checks NDJSON; an error's field path is mapped back to the
 * row and column it came from. */
#include "em_csv.h"

#include <csv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "em_json.h"

enum kind { K_STR, K_INT, K_BOOL, K_LIST, K_DX };

/* A visit field a column can feed. path is where it lands in the visit
 * record (and the prefix of the error paths that mean it). */
typedef struct field_def {
    const char *name;
    const char *obj;    /* enclosing object of a visit field, or NULL */
    const char *key;    /* member name in the record */
    const char *path;   /* error path prefix (below "lines[K]." for lines) */
    bool line;          /* a service-line field */
    enum kind kind;
} field_def;

enum {
    F_VISIT_ID, F_DATE, F_PAYER, F_POS, F_PATIENT_ID, F_PATIENT_DOB,
    F_PROVIDER_NPI, F_PROVIDER_DISCIPLINE, F_PROVIDER_CREDENTIAL,
    F_TELE_MODALITY, F_TELE_HOME, F_DIAGNOSES, F_NOTE_IMPAIRMENTS,
    F_NOTE_PROGRESS, F_NOTE_NECESSITY, F_NOTE_TEXT, F_NOTE_TIMED, F_NOTE_TOTAL,
    F_CPT, F_MINUTES, F_UNITS, F_BY, F_START, F_END, F_MODIFIERS, F_DX_POINTERS,
    F_INTERVENTION, F_GOAL, N_FIELDS
};

static const field_def fields[N_FIELDS] = {
    {"visit_id", NULL, "id", "id", false, K_STR},
    {"date", NULL, "date", "date", false, K_STR},
    {"payer", NULL, "payer", "payer", false, K_STR},
    {"pos", NULL, "pos", "pos", false, K_STR},
    {"patient_id", "patient", "id", "patient.id", false, K_STR},
    {"patient_dob", "patient", "dob", "patient.dob", false, K_STR},
    {"provider_npi", "provider", "npi", "provider.npi", false, K_STR},
    {"provider_discipline", "provider", "discipline", "provider.discipline", false, K_STR},
    {"provider_credential", "provider", "credential", "provider.credential", false, K_STR},
    {"telehealth_modality", "telehealth", "modality", "telehealth.modality", false, K_STR},
    {"telehealth_patient_at_home", "telehealth", "patient_at_home",
     "telehealth.patient_at_home", false, K_BOOL},
    {"diagnoses", NULL, "diagnoses", "diagnoses", false, K_LIST},
    {"note_impairments", "note", "impairments", "note.impairments", false, K_STR},
    {"note_functional_progress", "note", "functional_progress",
     "note.functional_progress", false, K_STR},
    {"note_medical_necessity", "note", "medical_necessity", "note.medical_necessity",
     false, K_STR},
    {"note_text", "note", "text", "note.text", false, K_STR},
    {"note_total_timed_minutes", "note", "total_timed_minutes",
     "note.total_timed_minutes", false, K_INT},
    {"note_total_minutes", "note", "total_minutes", "note.total_minutes", false, K_INT},
    {"cpt", NULL, "cpt", "cpt", true, K_STR},
    {"minutes", NULL, "minutes", "minutes", true, K_INT},
    {"units", NULL, "units", "units", true, K_INT},
    {"by", NULL, "by", "by", true, K_STR},
    {"start", NULL, "start", "start", true, K_STR},
    {"end", NULL, "end", "end", true, K_STR},
    {"modifiers", NULL, "modifiers", "modifiers", true, K_LIST},
    {"dx_pointers", NULL, "dx_pointers", "dx_pointers", true, K_DX},
    {"intervention", NULL, "text", "interventions", true, K_STR},
    {"intervention_goal", NULL, "goal", "interventions[1].goal", true, K_STR},
};

/* Visit objects, in the order they are written. */
static const char *const objects[] = {"patient", "provider", "telehealth", "note"};

#define MAX_COLS_PER_FIELD 12  /* diagnoses A-L, as on a CMS-1500 */
#define NAME_MAX_LEN 128
#define PIECE 4096             /* bytes fed to libcsv at once: bounds a field's overshoot */
#define CHUNK 65536
#define DX_MAX 12

struct em_csv_mapping {
    char *cols[N_FIELDS][MAX_COLS_PER_FIELD];
    size_t n[N_FIELDS];
    bool explicit_[N_FIELDS];
    char delim, sep;
};

const char *const *em_csv_fields(void)
{
    static const char *names[N_FIELDS + 1];
    if (!names[0]) {
        for (size_t i = 0; i < N_FIELDS; i++)
            names[i] = fields[i].name;
    }
    return names;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void mapping_clear_field(em_csv_mapping *m, size_t f)
{
    for (size_t j = 0; j < m->n[f]; j++) {
        free(m->cols[f][j]);
        m->cols[f][j] = NULL;
    }
    m->n[f] = 0;
}

void em_csv_mapping_free(em_csv_mapping *m)
{
    if (!m)
        return;
    for (size_t f = 0; f < N_FIELDS; f++)
        mapping_clear_field(m, f);
    free(m);
}

em_csv_mapping *em_csv_mapping_new(void)
{
    em_csv_mapping *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->delim = ',';
    m->sep = ';';
    for (size_t f = 0; f < N_FIELDS; f++) {
        m->cols[f][0] = dup_str(fields[f].name);
        if (!m->cols[f][0]) {
            em_csv_mapping_free(m);
            return NULL;
        }
        m->n[f] = 1;
    }
    return m;
}

static int field_index(const char *name)
{
    for (int i = 0; i < N_FIELDS; i++) {
        if (strcmp(fields[i].name, name) == 0)
            return i;
    }
    return -1;
}

em_status em_csv_mapping_set(em_csv_mapping *m, const char *field,
                             const char *const *columns, size_t n, em_error *err)
{
    if (!m || !field)
        return em_error_set(err, EM_EINVAL, "", "no mapping or no field");
    int f = field_index(field);
    if (f < 0)
        return em_error_set(err, EM_EINVAL, field,
                            "%.60s is not a field a CSV column can feed", field);
    size_t most = f == F_DIAGNOSES ? MAX_COLS_PER_FIELD : 1;
    if (n > most)
        return em_error_set(err, EM_EINVAL, field,
                            "%s takes at most %zu column%s, got %zu", field, most,
                            most == 1 ? "" : "s", n);
    for (size_t j = 0; j < n; j++) {
        size_t len = columns[j] ? strlen(columns[j]) : 0;
        if (len == 0 || len > NAME_MAX_LEN)
            return em_error_set(err, EM_EINVAL, field,
                                "a column name must be 1 to %d bytes", NAME_MAX_LEN);
    }
    char *copy[MAX_COLS_PER_FIELD] = {0};
    for (size_t j = 0; j < n; j++) {
        copy[j] = dup_str(columns[j]);
        if (!copy[j]) {
            for (size_t k = 0; k < j; k++)
                free(copy[k]);
            return em_error_set(err, EM_ENOMEM, field, "out of memory");
        }
    }
    mapping_clear_field(m, (size_t)f);
    for (size_t j = 0; j < n; j++)
        m->cols[f][j] = copy[j];
    m->n[f] = n;
    m->explicit_[f] = true;
    return EM_OK;
}

static bool sep_ok(char c)
{
    return c > ' ' && c < 127 && c != '"';
}

em_status em_csv_mapping_separators(em_csv_mapping *m, char delimiter,
                                    char list_separator, em_error *err)
{
    if (!m)
        return em_error_set(err, EM_EINVAL, "", "no mapping");
    if (!sep_ok(delimiter) && delimiter != '\t')
        return em_error_set(err, EM_EINVAL, "delimiter",
                            "the delimiter must be a printable character or a tab, not a quote");
    if (!sep_ok(list_separator))
        return em_error_set(err, EM_EINVAL, "list_separator",
                            "the list separator must be a printable character, not a quote");
    if (delimiter == list_separator)
        return em_error_set(err, EM_EINVAL, "list_separator",
                            "the list separator must differ from the delimiter");
    m->delim = delimiter;
    m->sep = list_separator;
    return EM_OK;
}

/* ---- rows and visits in the making ---- */

typedef struct row {
    struct row *next;
    long line;
    const char **val;     /* per slot: trimmed text, NULL when empty */
    char data[];
} row;

typedef struct group {
    struct group *next;
    char *id;             /* NULL for a row without a visit id */
    long first, last;
    size_t n;
    row *head, *tail;
    em_status st;         /* EM_OK unless bad */
    em_error err;
    bool stop;            /* reading ends after this one */
} group;

typedef struct slot {
    int field;
    size_t col;
    char header[NAME_MAX_LEN + 1];  /* as the file spells it */
} slot;

typedef struct seen {
    char *id;
    long first, last;
} seen;

struct em_csv_reader {
    FILE *f;
    char name[256];
    em_csv_mapping map;
    em_csv_limits lim;
    struct csv_parser p;
    bool p_ready;

    slot slots[N_FIELDS * MAX_COLS_PER_FIELD];
    size_t n_slots;
    int first_slot[N_FIELDS];   /* -1: field not read */

    bool have_header;
    size_t n_cols;              /* header columns */
    unsigned char *want;        /* per column: some slot reads it */

    /* the row being parsed */
    size_t col;
    char *rowbuf;
    size_t rowlen, rowcap;
    size_t *cell_off, *cell_len;  /* per column; len SIZE_MAX: none */
    size_t cells_cap;
    size_t row_bytes;
    bool row_nonempty;
    em_error row_err;
    em_status row_st;
    long line;                  /* physical line being fed */
    long row_start;
    bool row_started;

    group *cur, *q_head, *q_tail;
    seen *seen;
    size_t seen_cap, seen_n;

    bool done;                  /* no more input to parse */
    bool over;                  /* everything returned */
    bool bom_checked;
    long last_record;
    unsigned char buf[CHUNK];
    size_t buf_pos, buf_len;
};

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool same_name(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* "text" quoted and cut for a message. */
static const char *quoted(char *out, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (len > 40)
        snprintf(out, size, "\"%.37s...\"", s);
    else
        snprintf(out, size, "\"%s\"", s);
    for (char *p = out; *p; p++) {
        if ((unsigned char)*p < ' ')
            *p = ' ';
    }
    return out;
}

static void row_free(row *rw)
{
    if (!rw)
        return;
    free((void *)rw->val);
    free(rw);
}

static void group_free(group *g)
{
    if (!g)
        return;
    for (row *rw = g->head; rw;) {
        row *next = rw->next;
        row_free(rw);
        rw = next;
    }
    free(g->id);
    free(g);
}

static void queue_push(em_csv_reader *r, group *g)
{
    g->next = NULL;
    if (r->q_tail)
        r->q_tail->next = g;
    else
        r->q_head = g;
    r->q_tail = g;
}

/* Locates err at the line and names the column of slot s (or none). */
static em_status set_at(em_csv_reader *r, em_error *err, em_status st, long line,
                        const char *column, const char *fmt, const char *a,
                        const char *b)
{
    em_error_clear(err);
    em_error_locate(err, r->name, line);
    char field[sizeof err->field];
    if (column)
        snprintf(field, sizeof field, "column %s", column);
    else
        field[0] = '\0';
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return em_error_set(err, st, field, "%s", msg);
}

/* Ends the reading: a last bad record, after which next() says EM_EOF. */
static void fatal(em_csv_reader *r, em_status st, long line, const char *column,
                  const char *fmt, const char *a, const char *b)
{
    if (r->done)
        return;
    r->done = true;
    group *g = calloc(1, sizeof *g);
    char dropped[200] = "";
    if (r->cur && r->cur->id && r->cur->st == EM_OK) {
        char q[64];
        snprintf(dropped, sizeof dropped, "; visit %s (from line %ld) is skipped too, as the row may be one of its",
                 quoted(q, sizeof q, r->cur->id), r->cur->first);
    }
    group_free(r->cur);
    r->cur = NULL;
    if (!g)
        return;  /* out of memory: the end comes without its reason */
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    set_at(r, &g->err, st, line, column, "%s%s", msg, dropped);
    g->st = st;
    g->stop = true;
    g->first = line;
    queue_push(r, g);
}

/* ---- the set of visit ids already read (a visit split in two) ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static seen *seen_find(em_csv_reader *r, const char *id)
{
    if (!r->seen_cap)
        return NULL;
    size_t mask = r->seen_cap - 1;
    for (size_t i = (size_t)hash_str(id) & mask;; i = (i + 1) & mask) {
        if (!r->seen[i].id)
            return NULL;
        if (strcmp(r->seen[i].id, id) == 0)
            return &r->seen[i];
    }
}

static bool seen_add(em_csv_reader *r, const char *id, long first, long last)
{
    if ((r->seen_n + 1) * 2 > r->seen_cap) {
        size_t cap = r->seen_cap ? r->seen_cap * 2 : 256;
        seen *t = calloc(cap, sizeof *t);
        if (!t)
            return false;
        for (size_t i = 0; i < r->seen_cap; i++) {
            if (!r->seen[i].id)
                continue;
            size_t j = (size_t)hash_str(r->seen[i].id) & (cap - 1);
            while (t[j].id)
                j = (j + 1) & (cap - 1);
            t[j] = r->seen[i];
        }
        free(r->seen);
        r->seen = t;
        r->seen_cap = cap;
    }
    char *copy = dup_str(id);
    if (!copy)
        return false;
    size_t mask = r->seen_cap - 1;
    size_t i = (size_t)hash_str(id) & mask;
    while (r->seen[i].id)
        i = (i + 1) & mask;
    r->seen[i].id = copy;
    r->seen[i].first = first;
    r->seen[i].last = last;
    r->seen_n++;
    return true;
}

static void finish_current(em_csv_reader *r)
{
    group *g = r->cur;
    if (!g)
        return;
    r->cur = NULL;
    if (g->id && !seen_find(r, g->id) && !seen_add(r, g->id, g->first, g->last)) {
        group_free(g);
        fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
        return;
    }
    queue_push(r, g);
}

/* ---- header ---- */

static const char *cell(const em_csv_reader *r, size_t col, size_t *len)
{
    if (col >= r->cells_cap || r->cell_len[col] == SIZE_MAX) {
        *len = 0;
        return "";
    }
    const char *s = r->rowbuf + r->cell_off[col];
    size_t n = r->cell_len[col];
    while (n && is_blank((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n && is_blank((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

static void header_done(em_csv_reader *r)
{
    r->have_header = true;
    if (r->row_st != EM_OK) {
        fatal(r, r->row_st, r->row_start, NULL, "header: %s%s", r->row_err.message, "");
        return;
    }
    r->n_cols = r->col;
    r->want = calloc(r->n_cols ? r->n_cols : 1, 1);
    if (!r->want) {
        fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
        return;
    }
    for (int f = 0; f < N_FIELDS; f++) {
        r->first_slot[f] = -1;
        for (size_t j = 0; j < r->map.n[f]; j++) {
            const char *want = r->map.cols[f][j];
            size_t found = SIZE_MAX;
            for (size_t c = 0; c < r->n_cols; c++) {
                size_t len;
                const char *h = cell(r, c, &len);
                if (!same_name(h, len, want))
                    continue;
                if (found != SIZE_MAX) {
                    fatal(r, EM_EINVAL, r->row_start, NULL,
                          "header: two columns are named %s (for %s); name them apart",
                          want, fields[f].name);
                    return;
                }
                found = c;
            }
            if (found == SIZE_MAX) {
                bool required = f == F_VISIT_ID || f == F_DATE || f == F_CPT;
                if (r->map.explicit_[f] || required) {
                    char q[64];
                    fatal(r, EM_EINVAL, r->row_start, NULL,
                          r->map.explicit_[f] ? "header: no column %s for %s (check the mapping)"
                                              : "header: no column %s for %s, which is required; "
                                                "name a column so or map the field to one",
                          quoted(q, sizeof q, want), fields[f].name);
                    return;
                }
                continue;
            }
            slot *s = &r->slots[r->n_slots];
            s->field = f;
            s->col = found;
            size_t len;
            const char *h = cell(r, found, &len);
            snprintf(s->header, sizeof s->header, "%.*s", (int)len, h);
            if (r->first_slot[f] < 0)
                r->first_slot[f] = (int)r->n_slots;
            r->n_slots++;
            r->want[found] = 1;
        }
    }
    if (r->first_slot[F_VISIT_ID] < 0 || r->first_slot[F_DATE] < 0 ||
        r->first_slot[F_CPT] < 0)
        fatal(r, EM_EINVAL, r->row_start, NULL,
              "header: visit_id, date and cpt each need a column%s%s", "", "");
}

/* ---- data rows ---- */

static row *row_make(em_csv_reader *r)
{
    size_t data = 0;
    for (size_t s = 0; s < r->n_slots; s++) {
        size_t len;
        cell(r, r->slots[s].col, &len);
        data += len + 1;
    }
    row *rw = malloc(sizeof *rw + data + 1);
    const char **val = calloc(r->n_slots ? r->n_slots : 1, sizeof *val);
    if (!rw || !val) {
        free(rw);
        free(val);
        return NULL;
    }
    rw->next = NULL;
    rw->line = r->row_start;
    rw->val = NULL;
    char *p = rw->data;
    for (size_t s = 0; s < r->n_slots; s++) {
        size_t len;
        const char *c = cell(r, r->slots[s].col, &len);
        if (len == 0)
            continue;
        memcpy(p, c, len);
        p[len] = '\0';
        val[s] = p;
        p += len + 1;
    }
    rw->val = val;
    return rw;
}

static void row_done(em_csv_reader *r)
{
    if (!r->row_nonempty && r->row_st == EM_OK)
        return;  /* a row of empty cells is a blank line */
    if (!r->have_header) {
        header_done(r);
        return;
    }
    size_t idlen;
    const char *id = cell(r, r->slots[r->first_slot[F_VISIT_ID]].col, &idlen);
    char idbuf[NAME_MAX_LEN * 2 + 1];
    bool id_long = idlen >= sizeof idbuf;
    snprintf(idbuf, sizeof idbuf, "%.*s", (int)(id_long ? sizeof idbuf - 1 : idlen), id);
    const char *idcol = r->slots[r->first_slot[F_VISIT_ID]].header;

    if (idlen == 0 || id_long || memchr(id, '\0', idlen)) {
        /* A row that belongs to no visit: reported on its own, in file
         * order (it ends the visit before it). */
        finish_current(r);
        if (r->done)
            return;
        group *g = calloc(1, sizeof *g);
        if (!g) {
            fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
            return;
        }
        g->first = g->last = r->row_start;
        g->st = EM_EINVAL;
        if (r->row_st != EM_OK)
            g->err = r->row_err, g->st = r->row_st;
        else
            set_at(r, &g->err, EM_EINVAL, r->row_start, idcol,
                   idlen ? "the visit id is too long or holds a NUL byte%s%s"
                         : "the visit id is empty: every row needs its visit's id%s%s",
                   "", "");
        queue_push(r, g);
        return;
    }
    if (r->cur && strcmp(r->cur->id, idbuf) != 0)
        finish_current(r);
    if (r->done)
        return;
    group *g = r->cur;
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g || !(g->id = dup_str(idbuf))) {
            free(g);
            fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
            return;
        }
        g->first = r->row_start;
        r->cur = g;
        const seen *s = seen_find(r, idbuf);
        if (s) {
            char q[64], lines[64];
            if (s->first == s->last)
                snprintf(lines, sizeof lines, "line %ld", s->first);
            else
                snprintf(lines, sizeof lines, "lines %ld-%ld", s->first, s->last);
            g->st = set_at(r, &g->err, EM_EINVAL, r->row_start, idcol,
                           "visit %s already came at %s: the rows of one visit must be "
                           "next to each other (sort the file by visit id)",
                           quoted(q, sizeof q, idbuf), lines);
        }
    }
    g->last = r->row_start;
    if (g->st != EM_OK)
        return;  /* already bad: its rows are skipped with it */
    if (r->row_st != EM_OK) {
        g->st = r->row_st;
        g->err = r->row_err;
        return;
    }
    if (g->n >= r->lim.max_rows) {
        char q[64], n[32];
        snprintf(n, sizeof n, "%zu", r->lim.max_rows);
        g->st = set_at(r, &g->err, EM_ERANGE, r->row_start, idcol,
                       "visit %s has more than %s rows (service lines)",
                       quoted(q, sizeof q, idbuf), n);
        return;
    }
    row *rw = row_make(r);
    if (!rw) {
        fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
        return;
    }
    if (g->tail)
        g->tail->next = rw;
    else
        g->head = rw;
    g->tail = rw;
    g->n++;
}

static void row_error(em_csv_reader *r, em_status st, const char *fmt, const char *a)
{
    if (r->row_st != EM_OK)
        return;
    r->row_st = set_at(r, &r->row_err, st, r->row_start, NULL, fmt, a, "");
}

/* libcsv: one field ended. */
static void on_field(void *s, size_t len, void *data)
{
    em_csv_reader *r = data;
    if (r->done)
        return;
    if (!r->row_started) {  /* a row that began after another on one line */
        r->row_started = true;
        r->row_start = r->line;
    }
    size_t col = r->col++;
    if (len > r->lim.max_field) {
        char n[32];
        snprintf(n, sizeof n, "%zu", r->lim.max_field);
        fatal(r, EM_ERANGE, r->row_start, NULL,
              "a field is longer than %s bytes (an unclosed quote?); reading stopped%s",
              n, "");
        return;
    }
    if (len)
        r->row_nonempty = true;
    r->row_bytes += len;
    if (r->row_bytes > r->lim.max_row) {
        char n[32];
        snprintf(n, sizeof n, "%zu", r->lim.max_row);
        row_error(r, EM_ERANGE, "the row is longer than %s bytes", n);
        return;
    }
    size_t limit = r->have_header ? r->n_cols : r->lim.max_columns;
    if (col >= limit) {
        char n[32];
        snprintf(n, sizeof n, "%zu", limit);
        if (!r->have_header)
            row_error(r, EM_ERANGE, "the header has more than %s columns", n);
        else if (len)
            row_error(r, EM_EINVAL, "the row has more fields than the header's %s", n);
        return;
    }
    if (r->have_header && !r->want[col])
        return;
    if (col >= r->cells_cap) {
        size_t cap = r->cells_cap ? r->cells_cap * 2 : 64;
        if (cap > limit)
            cap = limit;
        size_t *off = realloc(r->cell_off, cap * sizeof *off);
        if (off)
            r->cell_off = off;
        size_t *ln = off ? realloc(r->cell_len, cap * sizeof *ln) : NULL;
        if (!ln) {
            fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
            return;
        }
        r->cell_len = ln;
        for (size_t i = r->cells_cap; i < cap; i++)
            r->cell_len[i] = SIZE_MAX;
        r->cells_cap = cap;
    }
    if (r->rowlen + len + 1 > r->rowcap) {
        size_t cap = r->rowcap ? r->rowcap : 1024;
        while (cap < r->rowlen + len + 1)
            cap *= 2;
        char *b = realloc(r->rowbuf, cap);
        if (!b) {
            fatal(r, EM_ENOMEM, r->row_start, NULL, "out of memory%s%s", "", "");
            return;
        }
        r->rowbuf = b;
        r->rowcap = cap;
    }
    if (len)
        memcpy(r->rowbuf + r->rowlen, s, len);
    r->cell_off[col] = r->rowlen;
    r->cell_len[col] = len;
    r->rowlen += len;
    r->rowbuf[r->rowlen++] = '\0';
}

static void row_reset(em_csv_reader *r)
{
    for (size_t i = 0; i < r->cells_cap; i++)
        r->cell_len[i] = SIZE_MAX;
    r->col = 0;
    r->rowlen = 0;
    r->row_bytes = 0;
    r->row_nonempty = false;
    r->row_st = EM_OK;
    em_error_clear(&r->row_err);
    r->row_started = false;
}

/* libcsv: a row ended. */
static void on_row(int c, void *data)
{
    (void)c;
    em_csv_reader *r = data;
    if (!r->done)
        row_done(r);
    row_reset(r);
}

/* ---- reading ---- */

em_csv_reader *em_csv_open(FILE *f, const char *name, const em_csv_mapping *m,
                           const em_csv_limits *limits)
{
    if (!f)
        return NULL;
    em_csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->f = f;
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    em_csv_mapping *def = NULL;
    if (!m) {
        def = em_csv_mapping_new();
        if (!def) {
            free(r);
            return NULL;
        }
        m = def;
    }
    r->map.delim = m->delim;
    r->map.sep = m->sep;
    bool ok = true;
    for (size_t i = 0; i < N_FIELDS; i++) {
        r->map.explicit_[i] = m->explicit_[i];
        r->map.n[i] = m->n[i];
        for (size_t j = 0; j < m->n[i]; j++) {
            r->map.cols[i][j] = dup_str(m->cols[i][j]);
            ok = ok && r->map.cols[i][j];
        }
    }
    em_csv_mapping_free(def);
    if (limits)
        r->lim = *limits;
    if (!r->lim.max_field)
        r->lim.max_field = EM_CSV_MAX_FIELD;
    if (!r->lim.max_row)
        r->lim.max_row = EM_CSV_MAX_ROW;
    if (!r->lim.max_columns)
        r->lim.max_columns = EM_CSV_MAX_COLUMNS;
    if (!r->lim.max_rows)
        r->lim.max_rows = EM_CSV_MAX_ROWS;
    if (!ok || csv_init(&r->p, 0) != 0) {
        em_csv_close(r);
        return NULL;
    }
    r->p_ready = true;
    csv_set_delim(&r->p, (unsigned char)r->map.delim);
    r->line = 1;
    row_reset(r);
    return r;
}

void em_csv_close(em_csv_reader *r)
{
    if (!r)
        return;
    if (r->p_ready)
        csv_free(&r->p);
    for (size_t i = 0; i < N_FIELDS; i++)
        mapping_clear_field(&r->map, i);
    group_free(r->cur);
    while (r->q_head) {
        group *g = r->q_head;
        r->q_head = g->next;
        group_free(g);
    }
    for (size_t i = 0; i < r->seen_cap; i++)
        free(r->seen[i].id);
    free(r->seen);
    free(r->want);
    free(r->rowbuf);
    free(r->cell_off);
    free(r->cell_len);
    free(r);
}

long em_csv_record(const em_csv_reader *r)
{
    return r ? r->last_record : 0;
}

/* Feeds one piece of input (a line, or PIECE bytes of a longer one). */
static void feed_piece(em_csv_reader *r)
{
    const unsigned char *s = r->buf + r->buf_pos;
    size_t avail = r->buf_len - r->buf_pos;
    size_t n = avail < PIECE ? avail : PIECE;
    const unsigned char *nl = memchr(s, '\n', n);
    if (nl)
        n = (size_t)(nl - s) + 1;
    if (!r->row_started) {
        for (size_t i = 0; i < n; i++) {
            if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
                r->row_started = true;
                r->row_start = r->line;
                break;
            }
        }
    }
    size_t done = csv_parse(&r->p, s, n, on_field, on_row, r);
    r->buf_pos += n;
    if (done != n)
        fatal(r, EM_ENOMEM, r->row_start, NULL, "the CSV parser failed: %s%s",
              csv_strerror(csv_error(&r->p)), "");
    else if (r->p.entry_pos > r->lim.max_field) {
        char lim[32];
        snprintf(lim, sizeof lim, "%zu", r->lim.max_field);
        fatal(r, EM_ERANGE, r->row_start, NULL,
              "a field is longer than %s bytes (an unclosed quote?); reading stopped%s",
              lim, "");
    }
    if (nl)
        r->line++;
}

/* Parses input until a visit or an error is queued, or the input ends. */
static void fill(em_csv_reader *r)
{
    while (!r->q_head && !r->done) {
        if (r->buf_pos == r->buf_len) {
            r->buf_len = fread(r->buf, 1, sizeof r->buf, r->f);
            r->buf_pos = 0;
            if (!r->bom_checked) {
                r->bom_checked = true;
                if (r->buf_len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
                    r->buf_pos = 3;
            }
            if (r->buf_len == 0) {
                if (ferror(r->f)) {
                    fatal(r, EM_EIO, r->line, NULL, "read error%s%s", "", "");
                    return;
                }
                csv_fini(&r->p, on_field, on_row, r);
                if (r->done)
                    return;
                if (!r->have_header)
                    fatal(r, EM_EINVAL, 0, NULL, "no header row: the file is empty%s%s", "", "");
                else
                    finish_current(r);
                r->done = true;
                return;
            }
            continue;
        }
        feed_piece(r);
    }
}

/* ---- a visit's JSON text ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_lit(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes
 * as they are (the parser checks the UTF-8). */
static void sb_json(sbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sb_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_put(b, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_put(b, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sb_put(b, e, 6);
        }
    }
    sb_put(b, s + run, n - run);
    sb_put(b, "\"", 1);
}

static void sb_key(sbuf *b, bool *first, const char *key)
{
    if (!*first)
        sb_put(b, ",", 1);
    *first = false;
    sb_json(b, key, strlen(key));
    sb_put(b, ":", 1);
}

/* Where a value of the visit came from, to point an error at it. */
typedef struct origin {
    const row *rw;
    int slot;
} origin;

typedef struct build {
    em_csv_reader *r;
    group *g;
    sbuf b;
    const char *vval[N_FIELDS * MAX_COLS_PER_FIELD];  /* per slot: the visit's value */
    const row *vrow[N_FIELDS * MAX_COLS_PER_FIELD];
    origin dx[DX_MAX + 1];
    size_t n_dx;
} build;

static em_status bad_value(build *c, em_error *err, const row *rw, int s, const char *fmt,
                           const char *a, const char *b)
{
    return set_at(c->r, err, EM_EINVAL, rw ? rw->line : c->g->first,
                  s >= 0 ? c->r->slots[s].header : NULL, fmt, a, b);
}

/* Checks a whole number's text and writes it without leading zeros. */
static em_status put_int(build *c, em_error *err, const row *rw, int s, const char *v)
{
    const char *p = v;
    bool neg = *p == '-';
    if (neg)
        p++;
    size_t digits = strspn(p, "0123456789");
    char q[64];
    if (digits == 0 || p[digits] != '\0')
        return bad_value(c, err, rw, s, "%s must be a whole number, got %s",
                         fields[c->r->slots[s].field].key, quoted(q, sizeof q, v));
    while (digits > 1 && *p == '0') {
        p++;
        digits--;
    }
    if (digits > 12)
        return bad_value(c, err, rw, s, "%s is too large, got %s",
                         fields[c->r->slots[s].field].key, quoted(q, sizeof q, v));
    if (neg)
        sb_put(&c->b, "-", 1);
    sb_put(&c->b, p, digits);
    return EM_OK;
}

static bool word_is(const char *v, const char *const *words)
{
    for (; *words; words++) {
        if (same_name(v, strlen(v), *words))
            return true;
    }
    return false;
}

static em_status put_bool(build *c, em_error *err, const row *rw, int s, const char *v)
{
    static const char *const yes[] = {"yes", "y", "true", "1", NULL};
    static const char *const no[] = {"no", "n", "false", "0", NULL};
    char q[64];
    if (word_is(v, yes))
        sb_lit(&c->b, "true");
    else if (word_is(v, no))
        sb_lit(&c->b, "false");
    else
        return bad_value(c, err, rw, s, "%s must be yes or no, got %s",
                         fields[c->r->slots[s].field].key, quoted(q, sizeof q, v));
    return EM_OK;
}

/* The items of a list cell, split at the separator, trimmed, empty ones
 * dropped. Calls put for each; stops at an error. */
static em_status each_item(build *c, const char *v, em_status (*put)(build *, const char *,
                                                                       size_t, void *),
                           void *arg)
{
    const char *p = v;
    for (;;) {
        const char *end = strchr(p, c->r->map.sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t len = n;
        while (len && is_blank((unsigned char)*s)) {
            s++;
            len--;
        }
        while (len && is_blank((unsigned char)s[len - 1]))
            len--;
        if (len) {
            em_status st = put(c, s, len, arg);
            if (st != EM_OK)
                return st;
        }
        if (!end)
            return EM_OK;
        p = end + 1;
    }
}

typedef struct item_ctx {
    bool first;
    em_error *err;
    const row *rw;
    int slot;
} item_ctx;

static em_status put_str_item(build *c, const char *s, size_t n, void *arg)
{
    item_ctx *x = arg;
    if (!x->first)
        sb_put(&c->b, ",", 1);
    x->first = false;
    sb_json(&c->b, s, n);
    if (x->slot >= 0 && c->r->slots[x->slot].field == F_DIAGNOSES && c->n_dx <= DX_MAX) {
        c->dx[c->n_dx].rw = x->rw;
        c->dx[c->n_dx].slot = x->slot;
        c->n_dx++;
    }
    return EM_OK;
}

static em_status put_dx_item(build *c, const char *s, size_t n, void *arg)
{
    item_ctx *x = arg;
    int v = 0;
    if (n == 1 && ((*s >= 'A' && *s <= 'L') || (*s >= 'a' && *s <= 'l')))
        v = (*s | 0x20) - 'a' + 1;
    else if (n <= 2 && strspn(s, "0123456789") >= n)
        v = n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    if (v < 1 || v > DX_MAX) {
        char text[48], q[64];
        snprintf(text, sizeof text, "%.*s", (int)(n < 40 ? n : 40), s);
        return bad_value(c, x->err, x->rw, x->slot,
                         "a dx pointer is a number 1-12 or a letter A-L, got %s%s",
                         quoted(q, sizeof q, text), "");
    }
    char num[8];
    snprintf(num, sizeof num, "%s%d", x->first ? "" : ",", v);
    x->first = false;
    sb_lit(&c->b, num);
    return EM_OK;
}

static em_status put_value(build *c, em_error *err, const row *rw, int s, const char *v)
{
    const field_def *fd = &fields[c->r->slots[s].field];
    switch (fd->kind) {
    case K_INT: return put_int(c, err, rw, s, v);
    case K_BOOL: return put_bool(c, err, rw, s, v);
    case K_LIST:
    case K_DX: {
        item_ctx x = {true, err, rw, s};
        sb_put(&c->b, "[", 1);
        em_status st = each_item(c, v, fd->kind == K_DX ? put_dx_item : put_str_item, &x);
        sb_put(&c->b, "]", 1);
        return st;
    }
    case K_STR: break;
    }
    sb_json(&c->b, v, strlen(v));
    return EM_OK;
}

/* The visit's value of each visit field: the first row that gives it;
 * another row that gives a different one is an error. */
static em_status resolve_visit(build *c, em_error *err)
{
    em_csv_reader *r = c->r;
    for (size_t s = 0; s < r->n_slots; s++) {
        if (fields[r->slots[s].field].line)
            continue;
        for (const row *rw = c->g->head; rw; rw = rw->next) {
            const char *v = rw->val[s];
            if (!v)
                continue;
            if (!c->vval[s]) {
                c->vval[s] = v;
                c->vrow[s] = rw;
            } else if (strcmp(c->vval[s], v) != 0) {
                char q1[64], q2[64], tail[160];
                snprintf(tail, sizeof tail, "%s on line %ld; the rows of one visit must agree",
                         quoted(q2, sizeof q2, c->vval[s]), c->vrow[s]->line);
                return bad_value(c, err, rw, (int)s, "%s here, but %s",
                                 quoted(q1, sizeof q1, v), tail);
            }
        }
    }
    return EM_OK;
}

static em_status write_visit(build *c, em_error *err)
{
    em_csv_reader *r = c->r;
    sbuf *b = &c->b;
    em_status st = EM_OK;
    bool first = true;
    sb_put(b, "{", 1);
    /* top-level members, then each object of the visit */
    for (size_t s = 0; s < r->n_slots && st == EM_OK; s++) {
        const field_def *fd = &fields[r->slots[s].field];
        if (fd->line || fd->obj || !c->vval[s] || r->slots[s].field == F_DIAGNOSES)
            continue;
        sb_key(b, &first, fd->key);
        st = put_value(c, err, c->vrow[s], (int)s, c->vval[s]);
    }
    for (size_t o = 0; o < sizeof objects / sizeof objects[0] && st == EM_OK; o++) {
        bool ofirst = true;
        for (size_t s = 0; s < r->n_slots && st == EM_OK; s++) {
            const field_def *fd = &fields[r->slots[s].field];
            if (!fd->obj || strcmp(fd->obj, objects[o]) != 0 || !c->vval[s])
                continue;
            if (ofirst) {
                sb_key(b, &first, objects[o]);
                sb_put(b, "{", 1);
            }
            sb_key(b, &ofirst, fd->key);
            st = put_value(c, err, c->vrow[s], (int)s, c->vval[s]);
        }
        if (!ofirst)
            sb_put(b, "}", 1);
    }
    /* diagnoses: every diagnoses column's items, in column order */
    bool any_dx = false;
    item_ctx x = {true, err, NULL, -1};
    for (size_t s = 0; s < r->n_slots && st == EM_OK; s++) {
        if (r->slots[s].field != F_DIAGNOSES || !c->vval[s])
            continue;
        if (!any_dx) {
            sb_key(b, &first, "diagnoses");
            sb_put(b, "[", 1);
            any_dx = true;
        }
        x.rw = c->vrow[s];
        x.slot = (int)s;
        st = each_item(c, c->vval[s], put_str_item, &x);
    }
    if (any_dx)
        sb_put(b, "]", 1);
    /* one service line per row */
    sb_key(b, &first, "lines");
    sb_put(b, "[", 1);
    for (const row *rw = c->g->head; rw && st == EM_OK; rw = rw->next) {
        sb_put(b, rw == c->g->head ? "{" : ",{", rw == c->g->head ? 1 : 2);
        bool lfirst = true;
        int text = -1, goal = -1;
        for (size_t s = 0; s < r->n_slots && st == EM_OK; s++) {
            int f = r->slots[s].field;
            if (!fields[f].line || !rw->val[s])
                continue;
            if (f == F_INTERVENTION || f == F_GOAL) {
                *(f == F_INTERVENTION ? &text : &goal) = (int)s;
                continue;
            }
            sb_key(b, &lfirst, fields[f].key);
            st = put_value(c, err, rw, (int)s, rw->val[s]);
        }
        if (st == EM_OK && (text >= 0 || goal >= 0)) {
            sb_key(b, &lfirst, "interventions");
            sb_put(b, "[{", 2);
            bool ifirst = true;
            if (text >= 0) {
                sb_key(b, &ifirst, "text");
                sb_json(b, rw->val[text], strlen(rw->val[text]));
            }
            if (goal >= 0) {
                sb_key(b, &ifirst, "goal");
                sb_json(b, rw->val[goal], strlen(rw->val[goal]));
            }
            sb_put(b, "}]", 2);
        }
        sb_put(b, "}", 1);
    }
    sb_put(b, "]}", 2);
    if (st == EM_OK && b->oom)
        st = set_at(r, err, EM_ENOMEM, c->g->first, NULL, "out of memory%s%s", "", "");
    return st;
}

/* The slot of a field whose path is the longest prefix of path. */
static int slot_for_path(const em_csv_reader *r, const char *path, bool line)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t s = 0; s < r->n_slots; s++) {
        const field_def *fd = &fields[r->slots[s].field];
        if (fd->line != line)
            continue;
        size_t n = strlen(fd->path);
        if (strncmp(path, fd->path, n) != 0)
            continue;
        if (path[n] != '\0' && path[n] != '.' && path[n] != '[')
            continue;
        if (n > best_len) {
            best = (int)s;
            best_len = n;
        }
    }
    return best;
}

/* Points an error of em_visit_parse at the row and column it came from. */
static void map_error(build *c, em_error *err)
{
    em_csv_reader *r = c->r;
    const char *path = err->field;
    const row *rw = c->g->head;
    int s = -1;
    if (strncmp(path, "lines[", 6) == 0) {
        char *end;
        long k = strtol(path + 6, &end, 10);
        const row *at = c->g->head;
        for (long i = 1; at && i < k; i++)
            at = at->next;
        if (at && *end == ']') {
            rw = at;
            end++;
            if (*end == '.')
                end++;
            s = slot_for_path(r, end, true);
        }
    } else if (strncmp(path, "diagnoses[", 10) == 0) {
        long k = strtol(path + 10, NULL, 10);
        if (k >= 1 && (size_t)k <= c->n_dx) {
            rw = c->dx[k - 1].rw;
            s = c->dx[k - 1].slot;
        }
    } else if (path[0]) {
        s = slot_for_path(r, path, false);
        if (s >= 0 && c->vrow[s])
            rw = c->vrow[s];
    }
    char field[sizeof err->field];
    if (s >= 0)
        snprintf(field, sizeof field, "column %s", r->slots[s].header);
    else
        snprintf(field, sizeof field, "%s", path);
    snprintf(err->field, sizeof err->field, "%s", field);
    em_error_locate(err, r->name, rw ? rw->line : c->g->first);
}

static em_status group_visit(em_csv_reader *r, group *g, em_visit **out, em_error *err)
{
    build *c = calloc(1, sizeof *c);
    if (!c)
        return set_at(r, err, EM_ENOMEM, g->first, NULL, "out of memory%s%s", "", "");
    c->r = r;
    c->g = g;
    em_status st = resolve_visit(c, err);
    if (st == EM_OK)
        st = write_visit(c, err);
    if (st == EM_OK) {
        em_error_clear(err);
        st = em_visit_parse(c->b.p, c->b.n, r->name, g->first, r->lim.arena_limit, out, err);
        if (st != EM_OK)
            map_error(c, err);
    }
    free(c->b.p);
    free(c);
    return st;
}

em_status em_csv_next(em_csv_reader *r, em_visit **out, em_error *err)
{
    if (out)
        *out = NULL;
    em_error_clear(err);
    if (!r || !out)
        return em_error_set(err, EM_EINVAL, "", "no reader or no place for the visit");
    fill(r);
    group *g = r->q_head;
    if (!g || r->over)
        return EM_EOF;
    r->q_head = g->next;
    if (!r->q_head)
        r->q_tail = NULL;
    r->last_record = g->first;
    em_status st;
    if (g->st != EM_OK) {
        st = g->st;
        if (err)
            *err = g->err;
        if (g->stop)
            r->over = true;
    } else {
        em_error scratch;
        st = group_visit(r, g, out, err ? err : &scratch);
    }
    group_free(g);
    return st;
}
