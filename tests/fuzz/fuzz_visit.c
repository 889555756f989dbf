/* fuzz_visit.c: libFuzzer target for em_visit_parse, em_value_parse and
 * the NDJSON reader. Not built by make test. From the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icore \
 *     $(pkg-config --cflags libcjson) core/[a-z]*.c tests/fuzz/fuzz_visit.c \
 *     -o /tmp/fuzz_visit $(pkg-config --libs libcjson) -lm
 *   mkdir -p /tmp/corpus && /tmp/fuzz_visit -max_total_time=60 \
 *     -dict=tests/fuzz/visit.dict /tmp/corpus tests/data */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "em_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks a value so that a bad pointer in an extra shows up here. */
static size_t value_touch(const em_value *v)
{
    size_t n = 1;
    if (v->type == EM_VALUE_STRING)
        n += strlen(v->u.s);
    if (v->type == EM_VALUE_ARRAY || v->type == EM_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.list.n; i++) {
            if (v->type == EM_VALUE_OBJECT)
                n += strlen(v->u.list.keys[i]);
            n += value_touch(&v->u.list.items[i]);
        }
    }
    return n;
}

static void visit_touch(const em_visit *v, FILE *out)
{
    size_t n = strlen(v->id) + strlen(v->source);
    for (size_t i = 0; i < v->n_lines; i++) {
        const em_line *l = &v->lines[i];
        n += strlen(l->cpt);
        for (size_t j = 0; j < l->n_segments; j++)
            n += (size_t)l->segments[j].minutes;
        for (size_t j = 0; j < l->n_modifiers; j++)
            n += strlen(l->modifiers[j]);
        for (size_t j = 0; j < l->n_interventions; j++)
            n += strlen(l->interventions[j].text);
        if (l->extra)
            n += value_touch(l->extra);
        /* Every number the parser accepted is a bounded integer. */
        if (l->minutes < -1 || l->minutes > 1440)
            __builtin_trap();
        for (size_t j = 0; j < l->n_dx_pointers; j++)
            if (l->dx_pointers[j] < 1 || (size_t)l->dx_pointers[j] > v->n_diagnoses)
                __builtin_trap();
    }
    if (v->extra)
        n += value_touch(v->extra);
    if (out)
        em_json_write_value(out, v->extra);
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    em_visit *v = NULL;
    em_error err;
    if (em_visit_parse((const char *)data, size, "fuzz", 1, 1u << 24, &v, &err) == EM_OK) {
        visit_touch(v, sink);
        em_visit_free(v);
    } else if (v != NULL || err.record != 1) {
        __builtin_trap();
    }

    /* The same bytes as any JSON value, in a bounded arena. */
    em_arena *a = em_arena_new(1u << 24);
    em_value *val = NULL;
    if (a && em_value_parse((const char *)data, size, a, &val, &err) == EM_OK) {
        value_touch(val);
        if (sink)
            em_json_write_value(sink, val);
    }
    em_arena_free(a);

    /* The same bytes as an NDJSON stream with a small line bound. */
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    em_ndjson_reader *r = em_ndjson_open(f, "-", 256);
    for (int i = 0; r && i < 10000; i++) {
        em_status st = em_ndjson_next(r, &v, &err);
        if (st == EM_EOF || st == EM_EIO)
            break;
        if (st == EM_OK) {
            visit_touch(v, NULL);
            em_visit_free(v);
        }
    }
    em_ndjson_close(r);
    fclose(f);
    return 0;
}
