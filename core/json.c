/* json.c: visits in from NDJSON; findings, claim lines, unit results and
 * values out. The only file that knows cJSON: each record is parsed once
 * and its tree walked once into the visit's arena. */
#include "em_json.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "em_codes.h"

#define ID_MAX 64               /* bytes in a visit id */
#define DX_POINTER_MAX 12       /* diagnosis pointers a claim form allows */
#define READ_CHUNK (64u * 1024u)
#define EXACT_INT_MAX 9007199254740991.0 /* 2^53 - 1: beyond it a double is not exact */

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is
 * invalid: overlong forms, surrogates and code points past U+10FFFF are. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return c ? 1 : 0;  /* NUL would cut a C string short */
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

/* Offset of the first byte that is not valid UTF-8 (or is NUL), or len. */
static size_t utf8_scan(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs 8 bytes at a time: no high bit and no zero byte. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080u) ||
                ((w - 0x0101010101010101u) & ~w & 0x8080808080808080u))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        size_t k = utf8_seq(s + i, len - i);
        if (k == 0)
            return i;
        i += k;
    }
    return len;
}

/* ---- small text helpers for messages ---- */

/* Shortest "%g" text that reads back as d; "null" when not finite. */
static void fmt_double(double d, char out[32])
{
    if (!isfinite(d)) {
        snprintf(out, 32, "null");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, d);
        if (prec == 17 || strtod(out, NULL) == d)
            break;
    }
    for (char *p = out; *p; p++) {
        if (*p == ',')
            *p = '.';  /* a locale's decimal comma is not JSON */
    }
}

/* A short, printable, quoted copy of s for messages. */
static const char *quote(char out[48], const char *s, size_t len)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len && o < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    if (len > 38) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* ---- the walk ---- */

typedef struct parse_ctx {
    em_arena *arena;
    em_error *err;
    bool utf8_ok;        /* the whole record is valid UTF-8: skip per-string checks */
    size_t arena_limit;
    int32_t date;        /* the visit date, for segment times without one */
    size_t n_diagnoses;
} parse_ctx;

/* "base[i]" with i 1-based, without printf: it runs for every item. */
static const char *item_name(char out[48], const char *base, size_t i)
{
    size_t n = strlen(base);
    if (n > 24)
        n = 24;
    memcpy(out, base, n);
    char digits[24];
    size_t k = 0;
    i++;
    do {
        digits[k++] = (char)('0' + i % 10);
        i /= 10;
    } while (i && k < sizeof digits);
    out[n++] = '[';
    while (k)
        out[n++] = digits[--k];
    out[n++] = ']';
    out[n] = '\0';
    return out;
}

static const char *type_name(const cJSON *n)
{
    if (cJSON_IsNull(n))
        return "null";
    if (cJSON_IsBool(n))
        return "a boolean";
    if (cJSON_IsNumber(n))
        return "a number";
    if (cJSON_IsString(n))
        return "a string";
    if (cJSON_IsArray(n))
        return "an array";
    if (cJSON_IsObject(n))
        return "an object";
    return "an unknown value";
}

static bool absent(const cJSON *n)
{
    return !n || cJSON_IsNull(n);
}

static em_status type_error(parse_ctx *c, const char *name, const char *want,
                            const cJSON *n)
{
    return em_error_set(c->err, EM_EINVAL, name, "%s must be %s, got %s", name,
                        want, type_name(n));
}

static em_status nomem(parse_ctx *c)
{
    if (c->arena_limit)
        return em_error_set(c->err, EM_ENOMEM, "",
                            "the visit needs more than its %zu bytes of memory",
                            c->arena_limit);
    return em_error_set(c->err, EM_ENOMEM, "", "out of memory");
}

static em_status missing(parse_ctx *c, const char *name)
{
    return em_error_set(c->err, EM_EINVAL, name, "%s is required", name);
}

/* Replaces the field of an error a time function filled (it leaves the
 * field to us) and makes it an input error. */
static em_status refield(parse_ctx *c, const char *name)
{
    snprintf(c->err->field, sizeof c->err->field, "%s", name);
    return EM_EINVAL;
}

static const char *key_of(const cJSON *n)
{
    return n->string ? n->string : "";
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int key_index(const char *const *names, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == key[0] && strcmp(names[i], key) == 0)
            return (int)i;
    }
    return -1;
}

static em_status dup_error(parse_ctx *c, const char *key)
{
    char q[48];
    return em_error_set(c->err, EM_EINVAL, key, "duplicate key %s",
                        quote(q, key, strlen(key)));
}

/* Duplicate keys are an error: which of two values would a payer see?
 * Checks the n members of obj whose keys are not in names (names may be
 * empty): a few compare in pairs, many are sorted, never quadratic. */
static em_status check_keys(parse_ctx *c, const cJSON *obj,
                            const char *const *names, size_t n_names, size_t n)
{
    if (n < 2)
        return EM_OK;
    const char *small[16];
    const char **keys = n <= 16 ? small : malloc(n * sizeof *keys);
    if (!keys)
        return em_error_set(c->err, EM_ENOMEM, "", "out of memory");
    size_t m = 0;
    for (const cJSON *k = obj->child; k && m < n; k = k->next) {
        if (!n_names || key_index(names, n_names, key_of(k)) < 0)
            keys[m++] = key_of(k);
    }
    const char *dup = NULL;
    if (m <= 16) {
        for (size_t i = 0; i < m && !dup; i++) {
            for (size_t j = i + 1; j < m; j++) {
                if (strcmp(keys[i], keys[j]) == 0) {
                    dup = keys[i];
                    break;
                }
            }
        }
    } else {
        qsort(keys, m, sizeof *keys, key_cmp);
        for (size_t i = 1; i < m && !dup; i++) {
            if (strcmp(keys[i - 1], keys[i]) == 0)
                dup = keys[i];
        }
    }
    if (keys != small)
        free(keys);
    return dup ? dup_error(c, dup) : EM_OK;
}

/* Checks obj is an object without duplicate keys and files its members by
 * name into slots (names[i] -> slots[i]); counts the others. */
static em_status object_fields(parse_ctx *c, const cJSON *obj, const char *name,
                               const char *const *names, size_t n_names,
                               const cJSON **slots, size_t *n_unknown)
{
    if (!cJSON_IsObject(obj))  /* the caller puts name in front of the path */
        return em_error_set(c->err, EM_EINVAL, "", "%s must be an object, got %s",
                            name, type_name(obj));
    size_t unknown = 0;
    for (size_t i = 0; i < n_names; i++)
        slots[i] = NULL;
    for (const cJSON *k = obj->child; k; k = k->next) {
        int i = key_index(names, n_names, key_of(k));
        if (i < 0)
            unknown++;
        else if (slots[i])
            return dup_error(c, names[i]);
        else
            slots[i] = k;
    }
    *n_unknown = unknown;
    return check_keys(c, obj, names, n_names, unknown);
}

static size_t count_items(const cJSON *arr)
{
    size_t n = 0;
    for (const cJSON *k = arr->child; k; k = k->next)
        n++;
    return n;
}

/* Copies text into the arena; what names it in the message. */
static em_status copy_text(parse_ctx *c, const char *s, const char *field,
                           const char *what, const char **out)
{
    size_t len = strlen(s);
    if (!c->utf8_ok) {
        size_t bad = utf8_scan(s, len);
        if (bad < len)
            return em_error_set(c->err, EM_EINVAL, field,
                                "%s is not valid UTF-8 (bad byte 0x%02X at "
                                "offset %zu)", what,
                                (unsigned)(unsigned char)s[bad], bad);
    }
    char *p = em_arena_strndup(c->arena, s, len);
    if (!p)
        return nomem(c);
    *out = p;
    return EM_OK;
}

static em_status copy_str(parse_ctx *c, const char *s, const char *name,
                          const char **out)
{
    return copy_text(c, s, name, name, out);
}

/* Optional string: *out untouched when absent. */
static em_status get_str(parse_ctx *c, const cJSON *n, const char *name,
                         const char **out)
{
    if (absent(n))
        return EM_OK;
    if (!cJSON_IsString(n) || !n->valuestring)
        return type_error(c, name, "a string", n);
    return copy_str(c, n->valuestring, name, out);
}

/* Optional whole number in [min, max]: exact, never rounded. */
static em_status get_int(parse_ctx *c, const cJSON *n, const char *name,
                         int64_t min, int64_t max, int64_t *out)
{
    if (absent(n))
        return EM_OK;
    if (!cJSON_IsNumber(n))
        return type_error(c, name, "a number", n);
    double d = n->valuedouble;
    if (d >= (double)min && d <= (double)max && d == floor(d)) {
        *out = (int64_t)d;
        return EM_OK;
    }
    char got[32];
    fmt_double(d, got);
    if (!isfinite(d))
        return em_error_set(c->err, EM_EINVAL, name, "%s is out of range", name);
    if (d != floor(d))
        return em_error_set(c->err, EM_EINVAL, name,
                            "%s must be a whole number, got %s", name, got);
    return em_error_set(c->err, EM_EINVAL, name,
                        "%s must be between %" PRId64 " and %" PRId64 ", got %s",
                        name, min, max, got);
}

static em_status get_int32(parse_ctx *c, const cJSON *n, const char *name,
                           int64_t min, int64_t max, int32_t *out)
{
    int64_t v = *out;
    em_status st = get_int(c, n, name, min, max, &v);
    if (st == EM_OK)
        *out = (int32_t)v;
    return st;
}

static em_status get_number(parse_ctx *c, const cJSON *n, const char *name,
                            bool *has, double *out)
{
    if (absent(n))
        return EM_OK;
    if (!cJSON_IsNumber(n))
        return type_error(c, name, "a number", n);
    if (!isfinite(n->valuedouble))
        return em_error_set(c->err, EM_EINVAL, name, "%s is out of range", name);
    *has = true;
    *out = n->valuedouble;
    return EM_OK;
}

static em_status get_date(parse_ctx *c, const cJSON *n, const char *name,
                          int32_t *out)
{
    if (absent(n))
        return EM_OK;
    if (!cJSON_IsString(n) || !n->valuestring)
        return type_error(c, name, "a date string (YYYY-MM-DD)", n);
    const char *s = n->valuestring;
    if (em_date_parse(s, strlen(s), out, c->err) != EM_OK)
        return refield(c, name);
    return EM_OK;
}

static em_status get_time(parse_ctx *c, const cJSON *n, const char *name,
                          em_timepoint *out)
{
    if (!cJSON_IsString(n) || !n->valuestring)
        return type_error(c, name, "a time string (HH:MM)", n);
    const char *s = n->valuestring;
    if (em_timepoint_parse(s, strlen(s), out, c->err) != EM_OK)
        return refield(c, name);
    return EM_OK;
}

/* Any JSON value into out (NULL: only check depth, keys and numbers).
 * depth is n's own nesting level, the visit object being 1. */
static em_status build_value(parse_ctx *c, const cJSON *n, int depth,
                             em_value *out)
{
    if (cJSON_IsNull(n)) {
        if (out)
            out->type = EM_VALUE_NULL;
        return EM_OK;
    }
    if (cJSON_IsBool(n)) {
        if (out) {
            out->type = EM_VALUE_BOOL;
            out->u.b = cJSON_IsTrue(n);
        }
        return EM_OK;
    }
    if (cJSON_IsNumber(n)) {
        double d = n->valuedouble;
        if (!isfinite(d))
            return em_error_set(c->err, EM_EINVAL, "", "number is out of range");
        if (out) {
            /* Integral and exact as a double: an integer, kept exactly. */
            if (d == floor(d) && fabs(d) <= EXACT_INT_MAX) {
                out->type = EM_VALUE_INT;
                out->u.i = (int64_t)d;
            } else {
                out->type = EM_VALUE_NUMBER;
                out->u.n = d;
            }
        }
        return EM_OK;
    }
    if (cJSON_IsString(n) && n->valuestring) {
        if (!out)
            return EM_OK;
        out->type = EM_VALUE_STRING;
        return copy_text(c, n->valuestring, "", "text", &out->u.s);
    }
    bool is_obj = cJSON_IsObject(n);
    if (!is_obj && !cJSON_IsArray(n))
        return em_error_set(c->err, EM_EINVAL, "", "unexpected value");
    if (depth > EM_JSON_MAX_DEPTH)
        return em_error_set(c->err, EM_EINVAL, "",
                            "nested more than %d levels deep", EM_JSON_MAX_DEPTH);
    size_t count = count_items(n);
    if (is_obj) {
        em_status st = check_keys(c, n, NULL, 0, count);
        if (st != EM_OK)
            return st;
    }
    em_value *items = NULL;
    const char **keys = NULL;
    if (out && count) {
        items = em_arena_calloc(c->arena, count, sizeof *items);
        if (is_obj)
            keys = em_arena_calloc(c->arena, count, sizeof *keys);
        if (!items || (is_obj && !keys))
            return nomem(c);
    }
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        em_status st = build_value(c, k, depth + 1, items ? &items[i] : NULL);
        if (st == EM_OK && keys)
            st = copy_text(c, key_of(k), "", "key", &keys[i]);
        if (st != EM_OK) {
            char idx[32];
            if (is_obj) {
                em_error_prefix_field(c->err, key_of(k));
            } else {
                snprintf(idx, sizeof idx, "[%zu]", i + 1);
                em_error_prefix_field(c->err, idx);
            }
            return st;
        }
    }
    if (out) {
        out->type = is_obj ? EM_VALUE_OBJECT : EM_VALUE_ARRAY;
        out->u.list.items = items;
        out->u.list.keys = keys;
        out->u.list.n = count;
    }
    return EM_OK;
}

/* The members of obj not in names: into *out as an object (keep), or only
 * checked (out NULL: a sub-object with no place for them). depth is obj's. */
static em_status unknown_fields(parse_ctx *c, const cJSON *obj,
                                const char *const *names, size_t n_names,
                                size_t n_unknown, int depth, em_value **out)
{
    if (n_unknown == 0)
        return EM_OK;
    em_value *v = NULL;
    if (out) {
        v = em_arena_alloc(c->arena, sizeof *v);
        em_value *items = em_arena_calloc(c->arena, n_unknown, sizeof *items);
        const char **keys = em_arena_calloc(c->arena, n_unknown, sizeof *keys);
        if (!v || !items || !keys)
            return nomem(c);
        v->type = EM_VALUE_OBJECT;
        v->u.list.items = items;
        v->u.list.keys = keys;
        v->u.list.n = n_unknown;
    }
    size_t i = 0;
    for (const cJSON *k = obj->child; k && i < n_unknown; k = k->next) {
        if (key_index(names, n_names, key_of(k)) >= 0)
            continue;
        em_status st = build_value(c, k, depth + 1, v ? &v->u.list.items[i] : NULL);
        if (st == EM_OK && v)
            st = copy_text(c, key_of(k), "", "key", &v->u.list.keys[i]);
        if (st != EM_OK) {
            em_error_prefix_field(c->err, key_of(k));
            return st;
        }
        i++;
    }
    if (out)
        *out = v;
    return EM_OK;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- visit sections ---- */

static const char *const patient_keys[] = { "id", "dob" };

static em_status parse_patient(parse_ctx *c, const cJSON *n, em_patient *p)
{
    const cJSON *f[N_OF(patient_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, "patient", patient_keys, N_OF(patient_keys),
                                 f, &unknown);
    if (st == EM_OK)
        st = get_str(c, f[0], "id", &p->id);
    if (st == EM_OK)
        st = get_date(c, f[1], "dob", &p->dob);
    if (st == EM_OK)
        st = unknown_fields(c, n, patient_keys, N_OF(patient_keys), unknown, 2, NULL);
    return st;
}

static const char *const provider_keys[] = { "npi", "discipline", "credential" };

static em_status parse_provider(parse_ctx *c, const cJSON *n, em_provider *p)
{
    const cJSON *f[N_OF(provider_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, "provider", provider_keys,
                                 N_OF(provider_keys), f, &unknown);
    if (st == EM_OK)
        st = get_str(c, f[0], "npi", &p->npi);
    if (st == EM_OK)
        st = get_str(c, f[1], "discipline", &p->discipline);
    if (st == EM_OK)
        st = get_str(c, f[2], "credential", &p->credential);
    if (st == EM_OK)
        st = unknown_fields(c, n, provider_keys, N_OF(provider_keys), unknown, 2, NULL);
    return st;
}

static const char *const telehealth_keys[] = { "modality", "patient_at_home" };

static em_status parse_telehealth(parse_ctx *c, const cJSON *n, em_telehealth *t)
{
    const cJSON *f[N_OF(telehealth_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, "telehealth", telehealth_keys,
                                 N_OF(telehealth_keys), f, &unknown);
    if (st != EM_OK)
        return st;
    t->present = true;
    st = get_str(c, f[0], "modality", &t->modality);
    if (st == EM_OK && !absent(f[1])) {
        if (!cJSON_IsBool(f[1]))
            return type_error(c, "patient_at_home", "true or false", f[1]);
        t->patient_at_home = cJSON_IsTrue(f[1]) ? 1 : 0;
    }
    if (st == EM_OK)
        st = unknown_fields(c, n, telehealth_keys, N_OF(telehealth_keys), unknown,
                            2, NULL);
    return st;
}

static em_status parse_diagnoses(parse_ctx *c, const cJSON *n, em_visit *v)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "diagnoses", "an array of strings", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    v->diagnoses = em_arena_calloc(c->arena, count, sizeof *v->diagnoses);
    if (!v->diagnoses)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        char name[48];
        item_name(name, "diagnoses", i);
        if (!cJSON_IsString(k) || !k->valuestring)
            return type_error(c, name, "a string", k);
        if (k->valuestring[0] == '\0')
            return em_error_set(c->err, EM_EINVAL, name, "%s is empty", name);
        em_status st = copy_str(c, k->valuestring, name, &v->diagnoses[i]);
        if (st != EM_OK)
            return st;
    }
    v->n_diagnoses = count;
    return EM_OK;
}

static bool is_alnum(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= 'a' && ch <= 'z');
}

static em_status parse_modifiers(parse_ctx *c, const cJSON *n, em_line *ln)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "modifiers", "an array of strings", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    ln->modifiers = em_arena_calloc(c->arena, count, sizeof *ln->modifiers);
    if (!ln->modifiers)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        char name[48], q[48];
        item_name(name, "modifiers", i);
        if (!cJSON_IsString(k) || !k->valuestring)
            return type_error(c, name, "a string", k);
        const char *s = k->valuestring;
        size_t len = strlen(s);
        if (len != 2 || !is_alnum(s[0]) || !is_alnum(s[1]))
            return em_error_set(c->err, EM_EINVAL, name,
                                "a modifier is 2 letters or digits, got %s",
                                quote(q, s, len));
        em_status st = copy_str(c, s, name, &ln->modifiers[i]);
        if (st != EM_OK)
            return st;
    }
    ln->n_modifiers = count;
    return EM_OK;
}

/* A segment from start/end times (either node may be NULL when the caller
 * already checked both are given) and/or minutes. */
static em_status segment_fill(parse_ctx *c, const cJSON *start, const cJSON *end,
                              const cJSON *minutes, em_segment *sg)
{
    if (absent(start) != absent(end))
        return em_error_set(c->err, EM_EINVAL, absent(start) ? "start" : "end",
                            absent(start) ? "end is given without start"
                                          : "start is given without end");
    int64_t m = -1;
    em_status st = get_int(c, minutes, "minutes", 0, EM_DAY_MINUTES, &m);
    if (st != EM_OK)
        return st;
    if (!absent(start)) {
        st = get_time(c, start, "start", &sg->start);
        if (st == EM_OK)
            st = get_time(c, end, "end", &sg->end);
        if (st != EM_OK)
            return st;
        if (em_interval_make(&sg->start, &sg->end, c->date, &sg->interval,
                             c->err) != EM_OK)
            return refield(c, "end");
        sg->has_interval = true;
        if (m < 0) {
            int32_t from_times = em_seconds_to_minutes(em_interval_seconds(&sg->interval));
            if (from_times > EM_DAY_MINUTES)
                return em_error_set(c->err, EM_EINVAL, "end",
                                    "the segment is longer than a day");
            m = from_times;
        }
    }
    if (m < 0)
        return em_error_set(c->err, EM_EINVAL, "",
                            "a segment needs start and end, or minutes");
    sg->minutes = (int32_t)m;
    return EM_OK;
}

static const char *const segment_keys[] = { "start", "end", "minutes", "by" };

static em_status parse_segment(parse_ctx *c, const cJSON *n, const char *name,
                               em_segment *sg)
{
    const cJSON *f[N_OF(segment_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, name, segment_keys, N_OF(segment_keys), f,
                                 &unknown);
    if (st == EM_OK)
        st = segment_fill(c, f[0], f[1], f[2], sg);
    if (st == EM_OK)
        st = get_str(c, f[3], "by", &sg->by);
    if (st == EM_OK)
        st = unknown_fields(c, n, segment_keys, N_OF(segment_keys), unknown, 5, NULL);
    if (st != EM_OK)
        em_error_prefix_field(c->err, name);
    return st;
}

static const char *const intervention_keys[] = { "text", "goal" };

static em_status parse_interventions(parse_ctx *c, const cJSON *n, em_line *ln)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "interventions", "an array", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    ln->interventions = em_arena_calloc(c->arena, count, sizeof *ln->interventions);
    if (!ln->interventions)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        char name[48];
        item_name(name, "interventions", i);
        em_intervention *iv = &ln->interventions[i];
        em_status st;
        if (cJSON_IsString(k) && k->valuestring) {
            st = copy_str(c, k->valuestring, name, &iv->text);
        } else if (cJSON_IsObject(k)) {
            const cJSON *f[N_OF(intervention_keys)];
            size_t unknown;
            st = object_fields(c, k, name, intervention_keys,
                               N_OF(intervention_keys), f, &unknown);
            if (st == EM_OK && absent(f[0]))
                st = missing(c, "text");
            if (st == EM_OK)
                st = get_str(c, f[0], "text", &iv->text);
            if (st == EM_OK)
                st = get_str(c, f[1], "goal", &iv->goal);
            if (st == EM_OK)
                st = unknown_fields(c, k, intervention_keys, N_OF(intervention_keys),
                                    unknown, 5, NULL);
            if (st != EM_OK)
                em_error_prefix_field(c->err, name);
        } else {
            st = type_error(c, name, "a string or an object", k);
        }
        if (st != EM_OK)
            return st;
    }
    ln->n_interventions = count;
    return EM_OK;
}

static em_status parse_dx_pointers(parse_ctx *c, const cJSON *n, em_line *ln)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "dx_pointers", "an array of numbers", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    ln->dx_pointers = em_arena_calloc(c->arena, count, sizeof *ln->dx_pointers);
    if (!ln->dx_pointers)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        char name[48];
        item_name(name, "dx_pointers", i);
        int32_t p = 0;
        em_status st = get_int32(c, k, name, 1, DX_POINTER_MAX, &p);
        if (st == EM_OK && absent(k))
            st = type_error(c, name, "a number", k);
        if (st != EM_OK)
            return st;
        if ((size_t)p > c->n_diagnoses)
            return em_error_set(c->err, EM_EINVAL, name,
                                "%s points at diagnosis %d, but the visit lists %zu",
                                name, (int)p, c->n_diagnoses);
        ln->dx_pointers[i] = p;
    }
    ln->n_dx_pointers = count;
    return EM_OK;
}

static const char *const line_keys[] = { "cpt", "minutes", "units", "by",
                                         "modifiers", "start", "end", "segments",
                                         "interventions", "dx_pointers" };
enum { L_CPT, L_MINUTES, L_UNITS, L_BY, L_MODIFIERS, L_START, L_END,
       L_SEGMENTS, L_INTERVENTIONS, L_DX };

static em_status parse_line(parse_ctx *c, const cJSON *n, em_line *ln)
{
    const cJSON *f[N_OF(line_keys)];
    size_t unknown;
    ln->minutes = -1;
    ln->units = -1;
    if (!cJSON_IsObject(n))
        return em_error_set(c->err, EM_EINVAL, "",
                            "a service line must be an object, got %s",
                            type_name(n));
    em_status st = object_fields(c, n, "", line_keys, N_OF(line_keys), f, &unknown);
    if (st != EM_OK)
        return st;
    if (absent(f[L_CPT]))
        return missing(c, "cpt");
    st = get_str(c, f[L_CPT], "cpt", &ln->cpt);
    if (st != EM_OK)
        return st;
    if (!em_cpt_valid(ln->cpt)) {
        char q[48];
        return em_error_set(c->err, EM_EINVAL, "cpt",
                            "cpt %s is not a code (1 to %d letters and digits)",
                            quote(q, ln->cpt, strlen(ln->cpt)), EM_CPT_MAX);
    }
    int32_t given = -1;
    st = get_int32(c, f[L_MINUTES], "minutes", 0, EM_DAY_MINUTES, &given);
    if (st == EM_OK)
        st = get_int32(c, f[L_UNITS], "units", 0, EM_DAY_MINUTES, &ln->units);
    if (st == EM_OK)
        st = get_str(c, f[L_BY], "by", &ln->by);
    if (st == EM_OK && !absent(f[L_MODIFIERS]))
        st = parse_modifiers(c, f[L_MODIFIERS], ln);
    if (st != EM_OK)
        return st;

    bool line_times = !absent(f[L_START]) || !absent(f[L_END]);
    const cJSON *segs = f[L_SEGMENTS];
    if (!absent(segs) && !cJSON_IsArray(segs))
        return type_error(c, "segments", "an array", segs);
    size_t count = (line_times ? 1 : 0) + (absent(segs) ? 0 : count_items(segs));
    if (count) {
        ln->segments = em_arena_calloc(c->arena, count, sizeof *ln->segments);
        if (!ln->segments)
            return nomem(c);
    }
    size_t i = 0;
    if (line_times) {
        st = segment_fill(c, f[L_START], f[L_END], NULL, &ln->segments[i++]);
        if (st != EM_OK)
            return st;
    }
    if (!absent(segs)) {
        size_t j = 0;
        for (const cJSON *k = segs->child; k; k = k->next, j++) {
            char name[48];
            item_name(name, "segments", j);
            st = parse_segment(c, k, name, &ln->segments[i++]);
            if (st != EM_OK)
                return st;
        }
    }
    ln->n_segments = count;

    if (given >= 0) {
        ln->minutes = given;
        ln->minutes_given = true;
    } else if (count) {
        int64_t sum = 0;
        for (i = 0; i < count; i++)
            sum += ln->segments[i].minutes;
        if (sum > EM_DAY_MINUTES)
            return em_error_set(c->err, EM_EINVAL, "segments",
                                "the segments add up to %" PRId64
                                " minutes, more than a day (%d)", sum,
                                EM_DAY_MINUTES);
        ln->minutes = (int32_t)sum;
    }

    if (!absent(f[L_INTERVENTIONS]))
        st = parse_interventions(c, f[L_INTERVENTIONS], ln);
    if (st == EM_OK && !absent(f[L_DX]))
        st = parse_dx_pointers(c, f[L_DX], ln);
    if (st == EM_OK)
        st = unknown_fields(c, n, line_keys, N_OF(line_keys), unknown, 3, &ln->extra);
    return st;
}

static em_status parse_lines(parse_ctx *c, const cJSON *n, em_visit *v)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "lines", "an array", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    v->lines = em_arena_calloc(c->arena, count, sizeof *v->lines);
    if (!v->lines)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        em_status st = parse_line(c, k, &v->lines[i]);
        if (st != EM_OK) {
            char name[48];
            item_name(name, "lines", i);
            em_error_prefix_field(c->err, name);
            return st;
        }
    }
    v->n_lines = count;
    return EM_OK;
}

static const char *const measure_keys[] = { "name", "value", "prior" };

static em_status parse_measures(parse_ctx *c, const cJSON *n, em_note *note)
{
    if (!cJSON_IsArray(n))
        return type_error(c, "measures", "an array", n);
    size_t count = count_items(n);
    if (count == 0)
        return EM_OK;
    note->measures = em_arena_calloc(c->arena, count, sizeof *note->measures);
    if (!note->measures)
        return nomem(c);
    size_t i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        char name[48];
        item_name(name, "measures", i);
        em_measure *m = &note->measures[i];
        const cJSON *f[N_OF(measure_keys)];
        size_t unknown;
        em_status st = object_fields(c, k, name, measure_keys, N_OF(measure_keys),
                                     f, &unknown);
        if (st == EM_OK && absent(f[0]))
            st = missing(c, "name");
        if (st == EM_OK)
            st = get_str(c, f[0], "name", &m->name);
        if (st == EM_OK)
            st = get_number(c, f[1], "value", &m->has_value, &m->value);
        if (st == EM_OK)
            st = get_number(c, f[2], "prior", &m->has_prior, &m->prior);
        if (st == EM_OK)
            st = unknown_fields(c, k, measure_keys, N_OF(measure_keys), unknown, 4,
                                NULL);
        if (st != EM_OK) {
            em_error_prefix_field(c->err, name);
            return st;
        }
    }
    note->n_measures = count;
    return EM_OK;
}

static const char *const note_keys[] = { "impairments", "functional_progress",
                                         "medical_necessity", "text", "measures",
                                         "total_timed_minutes", "total_minutes" };

static em_status parse_note(parse_ctx *c, const cJSON *n, em_note *note)
{
    const cJSON *f[N_OF(note_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, "note", note_keys, N_OF(note_keys), f,
                                 &unknown);
    if (st != EM_OK)
        return st;
    note->present = true;
    st = get_str(c, f[0], "impairments", &note->impairments);
    if (st == EM_OK)
        st = get_str(c, f[1], "functional_progress", &note->functional_progress);
    if (st == EM_OK)
        st = get_str(c, f[2], "medical_necessity", &note->medical_necessity);
    if (st == EM_OK)
        st = get_str(c, f[3], "text", &note->text);
    if (st == EM_OK && !absent(f[4]))
        st = parse_measures(c, f[4], note);
    if (st == EM_OK)
        st = get_int32(c, f[5], "total_timed_minutes", 0, EM_DAY_MINUTES,
                       &note->total_timed_minutes);
    if (st == EM_OK)
        st = get_int32(c, f[6], "total_minutes", 0, EM_DAY_MINUTES,
                       &note->total_minutes);
    if (st == EM_OK)
        st = unknown_fields(c, n, note_keys, N_OF(note_keys), unknown, 2, &note->extra);
    return st;
}

static const char *const poc_keys[] = { "signed_on", "certified_through",
                                        "recertified_on" };
static const char *const spend_keys[] = { "PT_SLP", "OT" };
static const char *const episode_keys[] = { "start_of_care", "treatment_day",
                                            "last_progress_report", "plan_of_care",
                                            "authorized_visits",
                                            "therapy_spend_ytd_cents" };

static em_status parse_episode(parse_ctx *c, const cJSON *n, em_episode *ep)
{
    const cJSON *f[N_OF(episode_keys)];
    size_t unknown;
    em_status st = object_fields(c, n, "episode", episode_keys, N_OF(episode_keys),
                                 f, &unknown);
    if (st != EM_OK)
        return st;
    ep->present = true;
    st = get_date(c, f[0], "start_of_care", &ep->start_of_care);
    if (st == EM_OK)
        st = get_int32(c, f[1], "treatment_day", 1, INT32_MAX, &ep->treatment_day);
    if (st == EM_OK)
        st = get_date(c, f[2], "last_progress_report", &ep->last_progress_report);
    if (st == EM_OK && !absent(f[3])) {
        const cJSON *p[N_OF(poc_keys)];
        size_t pu;
        st = object_fields(c, f[3], "plan_of_care", poc_keys, N_OF(poc_keys), p, &pu);
        if (st == EM_OK)
            st = get_date(c, p[0], "signed_on", &ep->poc_signed_on);
        if (st == EM_OK)
            st = get_date(c, p[1], "certified_through", &ep->poc_certified_through);
        if (st == EM_OK)
            st = get_date(c, p[2], "recertified_on", &ep->poc_recertified_on);
        if (st == EM_OK)
            st = unknown_fields(c, f[3], poc_keys, N_OF(poc_keys), pu, 3, NULL);
        if (st != EM_OK)
            em_error_prefix_field(c->err, "plan_of_care");
    }
    if (st == EM_OK)
        st = get_int32(c, f[4], "authorized_visits", 0, INT32_MAX,
                       &ep->authorized_visits);
    if (st == EM_OK && !absent(f[5])) {
        const cJSON *s[N_OF(spend_keys)];
        size_t su;
        st = object_fields(c, f[5], "therapy_spend_ytd_cents", spend_keys,
                           N_OF(spend_keys), s, &su);
        if (st == EM_OK)
            st = get_int(c, s[0], "PT_SLP", 0, (int64_t)EXACT_INT_MAX,
                         &ep->spend_pt_slp_cents);
        if (st == EM_OK)
            st = get_int(c, s[1], "OT", 0, (int64_t)EXACT_INT_MAX,
                         &ep->spend_ot_cents);
        if (st == EM_OK)
            st = unknown_fields(c, f[5], spend_keys, N_OF(spend_keys), su, 3, NULL);
        if (st != EM_OK)
            em_error_prefix_field(c->err, "therapy_spend_ytd_cents");
    }
    if (st == EM_OK)
        st = unknown_fields(c, n, episode_keys, N_OF(episode_keys), unknown, 2,
                            &ep->extra);
    return st;
}

static const char *const visit_keys[] = { "id", "date", "payer", "pos", "patient",
                                          "provider", "telehealth", "diagnoses",
                                          "lines", "note", "episode" };
enum { V_ID, V_DATE, V_PAYER, V_POS, V_PATIENT, V_PROVIDER, V_TELEHEALTH,
       V_DIAGNOSES, V_LINES, V_NOTE, V_EPISODE };

/* Runs one section parser and puts its name in front of the error path. */
#define SECTION(st, name, call)                                          \
    do {                                                                 \
        if ((st) == EM_OK) {                                             \
            (st) = (call);                                               \
            if ((st) != EM_OK)                                           \
                em_error_prefix_field(c->err, (name));                   \
        }                                                                \
    } while (0)

static em_status parse_visit(parse_ctx *c, const cJSON *root, em_visit *v)
{
    if (!cJSON_IsObject(root))
        return em_error_set(c->err, EM_EINVAL, "",
                            "a visit must be a JSON object, got %s",
                            type_name(root));
    const cJSON *f[N_OF(visit_keys)];
    size_t unknown;
    em_status st = object_fields(c, root, "", visit_keys, N_OF(visit_keys), f,
                                 &unknown);
    if (st != EM_OK)
        return st;

    if (absent(f[V_ID]))
        return missing(c, "id");
    st = get_str(c, f[V_ID], "id", &v->id);
    if (st != EM_OK)
        return st;
    size_t id_len = strlen(v->id);
    if (id_len == 0)
        return em_error_set(c->err, EM_EINVAL, "id", "id is empty");
    if (id_len > ID_MAX)
        return em_error_set(c->err, EM_EINVAL, "id",
                            "id is longer than %d bytes", ID_MAX);

    if (absent(f[V_DATE]))
        return missing(c, "date");
    st = get_date(c, f[V_DATE], "date", &v->date);
    if (st != EM_OK)
        return st;
    c->date = v->date;

    st = get_str(c, f[V_PAYER], "payer", &v->payer);
    if (st == EM_OK && !absent(f[V_POS])) {
        const cJSON *pos = f[V_POS];
        const char *s = cJSON_IsString(pos) ? pos->valuestring : NULL;
        if (!s || strlen(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
            s[1] > '9')
            return em_error_set(c->err, EM_EINVAL, "pos",
                                "pos must be a string like \"11\"");
        st = copy_str(c, s, "pos", &v->pos);
    }
    SECTION(st, "patient", absent(f[V_PATIENT]) ? EM_OK
                             : parse_patient(c, f[V_PATIENT], &v->patient));
    SECTION(st, "provider", absent(f[V_PROVIDER]) ? EM_OK
                                : parse_provider(c, f[V_PROVIDER], &v->provider));
    SECTION(st, "telehealth", absent(f[V_TELEHEALTH]) ? EM_OK
                                : parse_telehealth(c, f[V_TELEHEALTH], &v->telehealth));
    if (st == EM_OK && !absent(f[V_DIAGNOSES]))
        st = parse_diagnoses(c, f[V_DIAGNOSES], v);
    c->n_diagnoses = v->n_diagnoses;
    if (st != EM_OK)
        return st;

    if (absent(f[V_LINES]))
        return missing(c, "lines");
    st = parse_lines(c, f[V_LINES], v);
    SECTION(st, "note", absent(f[V_NOTE]) ? EM_OK : parse_note(c, f[V_NOTE], &v->note));
    SECTION(st, "episode", absent(f[V_EPISODE]) ? EM_OK
                             : parse_episode(c, f[V_EPISODE], &v->episode));
    if (st == EM_OK)
        st = unknown_fields(c, root, visit_keys, N_OF(visit_keys), unknown, 1,
                            &v->extra);
    return st;
}

/* Checks the raw text before cJSON sees it: a NUL byte or an escaped NUL
 * would silently cut a string short, and cJSON reads a broken escape as
 * NUL. Also tells whether the whole text is valid UTF-8. */
static em_status precheck(const char *json, size_t len, bool *utf8_ok,
                          size_t *bad_at, em_error *err)
{
    size_t bad = utf8_scan(json, len);
    *utf8_ok = bad == len;
    *bad_at = bad;
    if (!*utf8_ok) {
        const char *nul = memchr(json, '\0', len);
        if (nul)
            return em_error_set(err, EM_EINVAL, "",
                                "the record has a NUL byte at byte %zu",
                                (size_t)(nul - json) + 1);
    }
    for (const char *p = memchr(json, '\\', len); p;) {
        size_t i = (size_t)(p - json);
        if (i + 1 < len && p[1] == 'u') {
            unsigned v = 0;
            size_t k = 0;
            for (; k < 4 && i + 2 + k < len; k++) {
                char h = p[2 + k];
                unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0')
                           : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                           : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10) : 16u;
                if (d == 16)
                    break;
                v = v * 16 + d;
            }
            if (k < 4)
                return em_error_set(err, EM_EINVAL, "",
                                    "bad \\u escape at byte %zu (4 hex digits "
                                    "expected)", i + 1);
            if (v == 0)
                return em_error_set(err, EM_EINVAL, "",
                                    "\\u0000 (a NUL character) at byte %zu is "
                                    "not allowed in text", i + 1);
        }
        if (i + 2 >= len)
            break;
        p = memchr(p + 2, '\\', len - i - 2);  /* skip the escaped character */
    }
    return EM_OK;
}

static bool json_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

em_status em_visit_parse(const char *json, size_t len, const char *source,
                         long record, size_t arena_limit, em_visit **out,
                         em_error *err)
{
    em_error local;
    em_error *e = err ? err : &local;
    em_error_clear(e);
    if (out)
        *out = NULL;
    if (!out || (!json && len)) {
        em_error_set(e, EM_EINVAL, "", "no input or no place for the visit");
        em_error_locate(e, source, record);
        return EM_EINVAL;
    }
    size_t start = 0;
    while (start < len && json_space(json[start]))
        start++;
    bool utf8_ok = true;
    size_t bad_at = 0;
    em_status st = EM_OK;
    cJSON *root = NULL;
    em_visit *v = NULL;
    if (start == len) {
        st = em_error_set(e, EM_EINVAL, "", "empty record: expected a visit object");
        goto done;
    }
    st = precheck(json, len, &utf8_ok, &bad_at, e);
    if (st != EM_OK)
        goto done;
    /* The arena before the tree: its chunk then sits below cJSON's nodes,
     * and freeing it later does not make malloc consolidate every visit. */
    v = em_visit_new(arena_limit);
    const char *src = v ? em_arena_strdup(v->arena, source ? source : "") : NULL;
    parse_ctx c = { v ? v->arena : NULL, e, utf8_ok, arena_limit, EM_DATE_NONE, 0 };
    if (!v || !src) {
        st = nomem(&c);
        goto done;
    }
    v->source = src;
    v->record = record;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        char q[48];
        st = em_error_set(e, EM_EINVAL, "", "not valid JSON at byte %zu (near %s)",
                          at + 1, quote(q, json + at, len - at));
        goto done;
    }
    size_t rest = (size_t)(end - json);
    while (rest < len && json_space(json[rest]))
        rest++;
    if (rest < len) {
        char q[48];
        st = em_error_set(e, EM_EINVAL, "",
                          "unexpected text after the visit at byte %zu (%s)",
                          rest + 1, quote(q, json + rest, len - rest));
        goto done;
    }
    st = parse_visit(&c, root, v);
    if (st == EM_OK && !utf8_ok)
        st = em_error_set(e, EM_EINVAL, "",
                          "invalid UTF-8 (bad byte 0x%02X at byte %zu)",
                          (unsigned)(unsigned char)json[bad_at], bad_at + 1);
done:
    cJSON_Delete(root);
    if (st != EM_OK) {
        em_visit_free(v);
        em_error_locate(e, source, record);
        return st;
    }
    *out = v;
    return EM_OK;
}

/* ---- NDJSON reader ---- */

struct em_ndjson_reader {
    FILE *f;
    char *name;
    size_t max_line;
    long line;           /* physical lines consumed */
    long record;         /* line of the last record returned or reported */
    bool eof, failed;
    int read_errno;
    char *in;            /* read buffer */
    size_t in_pos, in_len;
    char *buf;           /* a record that spans reads */
    size_t buf_len, buf_cap;
};

em_ndjson_reader *em_ndjson_open(FILE *f, const char *name, size_t max_line)
{
    if (!f)
        return NULL;
    em_ndjson_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    const char *nm = name ? name : "";
    r->name = malloc(strlen(nm) + 1);
    r->in = malloc(READ_CHUNK);
    if (!r->name || !r->in) {
        free(r->name);
        free(r->in);
        free(r);
        return NULL;
    }
    strcpy(r->name, nm);
    r->f = f;
    r->max_line = max_line ? max_line : EM_JSON_DEFAULT_MAX_LINE;
    if (r->max_line > SIZE_MAX / 4)
        r->max_line = SIZE_MAX / 4;
    return r;
}

void em_ndjson_close(em_ndjson_reader *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->in);
    free(r->buf);
    free(r);
}

long em_ndjson_record(const em_ndjson_reader *r)
{
    return r ? r->record : 0;
}

static bool buf_append(em_ndjson_reader *r, const char *s, size_t n)
{
    if (r->buf_cap - r->buf_len < n) {
        size_t want = r->buf_cap ? r->buf_cap : 4096;
        while (want - r->buf_len < n)
            want *= 2;
        char *nb = realloc(r->buf, want);
        if (!nb)
            return false;
        r->buf = nb;
        r->buf_cap = want;
    }
    memcpy(r->buf + r->buf_len, s, n);
    r->buf_len += n;
    return true;
}

/* The next physical line without its '\n': EM_OK with the text in s and n (valid until
 * the next call), EM_EOF, EM_EIO, EM_ENOMEM; *too_long when the line was
 * longer than the bound (its bytes are skipped, not kept). */
static em_status read_line(em_ndjson_reader *r, const char **s, size_t *n,
                           bool *too_long)
{
    /* One byte of slack for a CR before the newline. */
    size_t limit = r->max_line + 1, total = 0;
    bool got_any = false, nl = false, oom = false;
    *too_long = false;
    r->buf_len = 0;
    *s = NULL;
    *n = 0;
    while (!nl) {
        if (r->in_pos == r->in_len) {
            if (r->eof)
                break;
            size_t k = fread(r->in, 1, READ_CHUNK, r->f);
            r->in_pos = 0;
            r->in_len = k;
            if (k == 0) {
                if (ferror(r->f)) {
                    r->read_errno = errno;
                    return EM_EIO;
                }
                r->eof = true;
                break;
            }
        }
        got_any = true;
        const char *from = r->in + r->in_pos;
        size_t avail = r->in_len - r->in_pos;
        const char *p = memchr(from, '\n', avail);
        size_t chunk = p ? (size_t)(p - from) : avail;
        nl = p != NULL;
        r->in_pos += chunk + (nl ? 1 : 0);
        if (*too_long || oom) {
            total += chunk;
            continue;
        }
        if (chunk > limit - total) {
            *too_long = true;
            total += chunk;
            continue;
        }
        if (nl && total == 0) {
            /* The whole line is in the read buffer: no copy. */
            *s = from;
            *n = chunk;
            return EM_OK;
        }
        if (!buf_append(r, from, chunk))
            oom = true;
        total += chunk;
    }
    if (!got_any)
        return EM_EOF;
    if (oom)
        return EM_ENOMEM;
    *s = r->buf ? r->buf : "";
    *n = r->buf_len;
    return EM_OK;
}

em_status em_ndjson_next(em_ndjson_reader *r, em_visit **out, em_error *err)
{
    if (out)
        *out = NULL;
    if (!r || !out)
        return em_error_set(err, EM_EINVAL, "", "no reader or no place for the visit");
    if (r->failed) {
        em_error_clear(err);
        em_error_locate(err, r->name, r->line + 1);
        return em_error_set(err, EM_EIO, "", "read error: %s",
                            r->read_errno ? strerror(r->read_errno) : "stream failed");
    }
    for (;;) {
        const char *s;
        size_t n;
        bool too_long;
        em_status st = read_line(r, &s, &n, &too_long);
        if (st == EM_EOF)
            return EM_EOF;
        if (st == EM_EIO) {
            r->failed = true;
            em_error_clear(err);
            em_error_locate(err, r->name, r->line + 1);
            return em_error_set(err, EM_EIO, "", "read error: %s",
                                r->read_errno ? strerror(r->read_errno)
                                              : "stream failed");
        }
        r->line++;
        if (st == EM_ENOMEM || too_long) {
            r->record = r->line;
            em_error_clear(err);
            em_error_locate(err, r->name, r->line);
            if (st == EM_ENOMEM)
                return em_error_set(err, EM_ENOMEM, "",
                                    "out of memory reading the record");
            return em_error_set(err, EM_ERANGE, "", "record is longer than %zu bytes",
                                r->max_line);
        }
        if (r->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
        }
        if (n && s[n - 1] == '\r')
            n--;
        if (n > r->max_line) {
            r->record = r->line;
            em_error_clear(err);
            em_error_locate(err, r->name, r->line);
            return em_error_set(err, EM_ERANGE, "", "record is longer than %zu bytes",
                                r->max_line);
        }
        size_t i = 0;
        while (i < n && json_space(s[i]))
            i++;
        if (i == n)
            continue;  /* blank line */
        r->record = r->line;
        return em_visit_parse(s, n, r->name, r->line, 0, out, err);
    }
}

/* ---- writers ---- */

/* Output is built in memory and written in one call, so a failed write
 * never leaves half an object behind from us. */
typedef struct jbuf {
    char *p;
    size_t len, cap;
    bool failed;
    char local[1024];
} jbuf;

static void jb_init(jbuf *b)
{
    b->p = b->local;
    b->len = 0;
    b->cap = sizeof b->local;
    b->failed = false;
}

static void jb_free(jbuf *b)
{
    if (b->p != b->local)
        free(b->p);
}

static bool jb_reserve(jbuf *b, size_t n)
{
    if (b->failed)
        return false;
    if (b->cap - b->len >= n)
        return true;
    size_t want = b->cap;
    while (want - b->len < n) {
        if (want > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        want *= 2;
    }
    char *np = b->p == b->local ? malloc(want) : realloc(b->p, want);
    if (!np) {
        b->failed = true;
        return false;
    }
    if (b->p == b->local)
        memcpy(np, b->local, b->len);
    b->p = np;
    b->cap = want;
    return true;
}

static void jb_put(jbuf *b, const char *s, size_t n)
{
    if (jb_reserve(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void jb_lit(jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* A JSON string (null for NULL); invalid UTF-8 becomes U+FFFD so the
 * output is always valid JSON. */
static void jb_str(jbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        jb_lit(b, "null");
        return;
    }
    size_t len = strlen(s);
    if (!jb_reserve(b, len + 2))
        return;
    b->p[b->len++] = '"';
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' &&
               u[run] != '\\')
            run++;
        jb_put(b, s + i, run - i);
        i = run;
        if (i >= len)
            break;
        unsigned char ch = u[i];
        char esc[8];
        if (ch >= 0x80) {
            size_t k = utf8_seq(u + i, len - i);
            if (k) {
                jb_put(b, s + i, k);
                i += k;
            } else {
                jb_lit(b, "\\ufffd");
                i++;
            }
            continue;
        }
        switch (ch) {
        case '"': jb_lit(b, "\\\""); break;
        case '\\': jb_lit(b, "\\\\"); break;
        case '\n': jb_lit(b, "\\n"); break;
        case '\r': jb_lit(b, "\\r"); break;
        case '\t': jb_lit(b, "\\t"); break;
        case '\b': jb_lit(b, "\\b"); break;
        case '\f': jb_lit(b, "\\f"); break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            jb_put(b, esc, 6);
        }
        i++;
    }
    jb_put(b, "\"", 1);
}

static void jb_int(jbuf *b, int64_t v)
{
    char t[24];
    size_t k = sizeof t;
    /* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    do {
        t[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        t[--k] = '-';
    jb_put(b, t + k, sizeof t - k);
}

/* ,"key": */
static void jb_key(jbuf *b, const char *key)
{
    jb_put(b, ",", 1);
    jb_str(b, key);
    jb_put(b, ":", 1);
}

static em_status jb_flush(jbuf *b, FILE *f)
{
    jb_put(b, "\n", 1);
    em_status st = EM_OK;
    if (b->failed)
        st = EM_ENOMEM;
    else if (!f || fwrite(b->p, 1, b->len, f) != b->len)
        st = EM_EIO;
    jb_free(b);
    return st;
}

em_status em_json_write_claim_line(FILE *f, const em_claim_line *cl)
{
    if (!cl)
        return EM_EINVAL;
    jbuf b;
    jb_init(&b);
    jb_lit(&b, "{\"visit\":");
    jb_str(&b, cl->visit);
    jb_key(&b, "cpt");
    jb_str(&b, cl->cpt);
    jb_key(&b, "units");
    jb_int(&b, cl->units);
    jb_key(&b, "modifiers");
    jb_put(&b, "[", 1);
    for (size_t i = 0; cl->modifiers && i < cl->n_modifiers; i++) {
        if (i)
            jb_put(&b, ",", 1);
        jb_str(&b, cl->modifiers[i]);
    }
    jb_put(&b, "]", 1);
    if (cl->dx_pointers && cl->n_dx_pointers) {
        jb_key(&b, "dx_pointers");
        jb_put(&b, "[", 1);
        for (size_t i = 0; i < cl->n_dx_pointers; i++) {
            if (i)
                jb_put(&b, ",", 1);
            jb_int(&b, cl->dx_pointers[i]);
        }
        jb_put(&b, "]", 1);
    }
    jb_put(&b, "}", 1);
    return jb_flush(&b, f);
}

em_status em_json_write_finding(FILE *f, const em_finding *fd)
{
    if (!fd)
        return EM_EINVAL;
    jbuf b;
    jb_init(&b);
    jb_lit(&b, "{\"visit\":");
    jb_str(&b, fd->visit);
    if (fd->line > 0) {
        jb_key(&b, "line");
        jb_int(&b, fd->line);
    }
    jb_key(&b, "rule");
    jb_str(&b, fd->rule);
    jb_key(&b, "severity");
    jb_str(&b, em_severity_name(fd->severity));
    jb_key(&b, "message");
    jb_str(&b, fd->message);
    if (fd->cite) {
        jb_key(&b, "cite");
        jb_str(&b, fd->cite);
    }
    jb_put(&b, "}", 1);
    return jb_flush(&b, f);
}

em_status em_json_write_units(FILE *f, const em_unit_result *r,
                              const em_unit_line *lines)
{
    if (!r || (r->n_lines && !lines))
        return EM_EINVAL;
    jbuf b;
    jb_init(&b);
    jb_lit(&b, "{\"method\":");
    jb_str(&b, em_method_name(r->method));
    jb_key(&b, "timed_minutes");
    jb_int(&b, r->timed_minutes);
    jb_key(&b, "total_units");
    jb_int(&b, r->total_units);
    jb_key(&b, "lines");
    jb_put(&b, "[", 1);
    for (size_t i = 0; i < r->n_lines; i++) {
        const em_unit_line *l = &lines[i];
        jb_lit(&b, i ? ",{\"cpt\":" : "{\"cpt\":");
        jb_str(&b, l->cpt);
        jb_key(&b, "minutes");
        jb_int(&b, l->minutes);
        jb_key(&b, "units");
        jb_int(&b, l->units);
        jb_key(&b, "reason");
        jb_str(&b, em_unit_reason_name(l->reason));
        jb_put(&b, "}", 1);
    }
    jb_lit(&b, "]}");
    return jb_flush(&b, f);
}

static bool jb_value(jbuf *b, const em_value *v, int depth)
{
    if (depth > EM_JSON_MAX_DEPTH)
        return false;
    if (!v) {
        jb_lit(b, "null");
        return true;
    }
    char t[32];
    switch (v->type) {
    case EM_VALUE_NULL:
        jb_lit(b, "null");
        return true;
    case EM_VALUE_BOOL:
        jb_lit(b, v->u.b ? "true" : "false");
        return true;
    case EM_VALUE_INT:
        jb_int(b, v->u.i);
        return true;
    case EM_VALUE_NUMBER:
        fmt_double(v->u.n, t);
        jb_lit(b, t);
        return true;
    case EM_VALUE_STRING:
        jb_str(b, v->u.s);
        return true;
    case EM_VALUE_ARRAY:
    case EM_VALUE_OBJECT: {
        bool obj = v->type == EM_VALUE_OBJECT;
        jb_put(b, obj ? "{" : "[", 1);
        for (size_t i = 0; v->u.list.items && i < v->u.list.n; i++) {
            if (i)
                jb_put(b, ",", 1);
            if (obj) {
                jb_str(b, v->u.list.keys && v->u.list.keys[i] ? v->u.list.keys[i] : "");
                jb_put(b, ":", 1);
            }
            if (!jb_value(b, &v->u.list.items[i], depth + 1))
                return false;
        }
        jb_put(b, obj ? "}" : "]", 1);
        return true;
    }
    }
    return false;
}

em_status em_json_write_value(FILE *f, const em_value *v)
{
    jbuf b;
    jb_init(&b);
    if (!jb_value(&b, v, 1)) {
        jb_free(&b);
        return EM_EINVAL;  /* too deep or a bad type: nothing written */
    }
    return jb_flush(&b, f);
}

/* ---- any JSON text as a value tree ---- */

em_status em_value_parse(const char *json, size_t len, em_arena *arena,
                         em_value **out, em_error *err)
{
    em_error local;
    em_error *e = err ? err : &local;
    em_error_clear(e);
    if (out)
        *out = NULL;
    if (!out || !arena || (!json && len))
        return em_error_set(e, EM_EINVAL, "", "no input, arena or place for the value");
    size_t start = 0;
    while (start < len && json_space(json[start]))
        start++;
    if (start == len)
        return em_error_set(e, EM_EINVAL, "", "empty text: expected a JSON value");
    bool utf8_ok = true;
    size_t bad_at = 0;
    em_status st = precheck(json, len, &utf8_ok, &bad_at, e);
    if (st != EM_OK)
        return st;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        char q[48];
        return em_error_set(e, EM_EINVAL, "", "not valid JSON at byte %zu (near %s)",
                            at + 1, quote(q, json + at, len - at));
    }
    size_t rest = (size_t)(end - json);
    while (rest < len && json_space(json[rest]))
        rest++;
    if (rest < len) {
        char q[48];
        cJSON_Delete(root);
        return em_error_set(e, EM_EINVAL, "",
                            "unexpected text after the value at byte %zu (%s)",
                            rest + 1, quote(q, json + rest, len - rest));
    }
    /* Strings are checked one by one when the text is not all UTF-8. */
    parse_ctx c = { arena, e, utf8_ok, 0, EM_DATE_NONE, 0 };
    em_value *v = em_arena_alloc(arena, sizeof *v);
    st = v ? build_value(&c, root, 1, v) : nomem(&c);
    cJSON_Delete(root);
    if (st != EM_OK)
        return st;
    *out = v;
    return EM_OK;
}
