/* test_record.c: visit lifetime, value lookup, severity names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "em_record.h"

static void test_visit_new_defaults(void **state)
{
    (void)state;
    em_visit *v = em_visit_new(0);
    assert_non_null(v);
    assert_non_null(v->arena);
    assert_null(v->id);
    assert_null(v->source);
    assert_int_equal(v->record, 0);
    assert_int_equal(v->date, EM_DATE_NONE);
    assert_null(v->payer);
    assert_null(v->pos);
    assert_null(v->patient.id);
    assert_int_equal(v->patient.dob, EM_DATE_NONE);
    assert_null(v->provider.npi);
    assert_false(v->telehealth.present);
    assert_int_equal(v->telehealth.patient_at_home, -1);
    assert_int_equal(v->n_diagnoses, 0);
    assert_int_equal(v->n_lines, 0);
    assert_false(v->note.present);
    assert_int_equal(v->note.total_timed_minutes, -1);
    assert_int_equal(v->note.total_minutes, -1);
    assert_int_equal(v->note.n_measures, 0);
    assert_false(v->episode.present);
    assert_int_equal(v->episode.start_of_care, EM_DATE_NONE);
    assert_int_equal(v->episode.treatment_day, -1);
    assert_int_equal(v->episode.last_progress_report, EM_DATE_NONE);
    assert_int_equal(v->episode.poc_signed_on, EM_DATE_NONE);
    assert_int_equal(v->episode.poc_certified_through, EM_DATE_NONE);
    assert_int_equal(v->episode.poc_recertified_on, EM_DATE_NONE);
    assert_int_equal(v->episode.authorized_visits, -1);
    assert_true(v->episode.spend_pt_slp_cents == -1);
    assert_true(v->episode.spend_ot_cents == -1);
    assert_null(v->extra);
    /* Everything else of the visit goes into its arena and is freed with it. */
    char *s = em_arena_strdup(v->arena, "V1001");
    assert_non_null(s);
    v->id = s;
    em_visit_free(v);
    em_visit_free(NULL);
}

static void test_visit_new_limit(void **state)
{
    (void)state;
    /* A limit smaller than the visit itself: no visit, no leak. */
    assert_null(em_visit_new(16));
    em_visit *v = em_visit_new(sizeof(em_visit) + 64);
    assert_non_null(v);
    assert_non_null(em_arena_alloc(v->arena, 32));
    assert_null(em_arena_alloc(v->arena, 4096));
    em_visit_free(v);
}

static void test_value_get(void **state)
{
    (void)state;
    em_value items[3];
    const char *keys[3] = { "vendor", "ver", "" };
    memset(items, 0, sizeof items);
    items[0].type = EM_VALUE_STRING;
    items[0].u.s = "x";
    items[1].type = EM_VALUE_INT;
    items[1].u.i = 3;
    items[2].type = EM_VALUE_NULL;
    em_value obj = { .type = EM_VALUE_OBJECT };
    obj.u.list.items = items;
    obj.u.list.keys = keys;
    obj.u.list.n = 3;

    assert_ptr_equal(em_value_get(&obj, "vendor"), &items[0]);
    assert_ptr_equal(em_value_get(&obj, "ver"), &items[1]);
    assert_ptr_equal(em_value_get(&obj, ""), &items[2]);
    assert_null(em_value_get(&obj, "Vendor"));
    assert_null(em_value_get(&obj, "ve"));
    assert_null(em_value_get(&obj, NULL));
    assert_null(em_value_get(NULL, "vendor"));

    /* Arrays and scalars have no keys. */
    em_value arr = { .type = EM_VALUE_ARRAY };
    arr.u.list.items = items;
    arr.u.list.n = 3;
    assert_null(em_value_get(&arr, "vendor"));
    assert_null(em_value_get(&items[0], "vendor"));
    em_value empty = { .type = EM_VALUE_OBJECT };
    assert_null(em_value_get(&empty, "vendor"));
}

static void test_severity(void **state)
{
    (void)state;
    assert_string_equal(em_severity_name(EM_SEV_INFO), "info");
    assert_string_equal(em_severity_name(EM_SEV_WARNING), "warning");
    assert_string_equal(em_severity_name(EM_SEV_ERROR), "error");
    assert_string_equal(em_severity_name((em_severity)7), "unknown");
    assert_string_equal(em_severity_name((em_severity)-1), "unknown");

    em_severity s = EM_SEV_INFO;
    assert_true(em_severity_parse("error", &s));
    assert_int_equal(s, EM_SEV_ERROR);
    assert_true(em_severity_parse("warning", &s));
    assert_int_equal(s, EM_SEV_WARNING);
    assert_true(em_severity_parse("info", &s));
    assert_int_equal(s, EM_SEV_INFO);
    s = EM_SEV_WARNING;
    assert_false(em_severity_parse("Error", &s));
    assert_false(em_severity_parse("err", &s));
    assert_false(em_severity_parse("", &s));
    assert_false(em_severity_parse(NULL, &s));
    assert_int_equal(s, EM_SEV_WARNING);  /* untouched on failure */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visit_new_defaults),
        cmocka_unit_test(test_visit_new_limit),
        cmocka_unit_test(test_value_get),
        cmocka_unit_test(test_severity),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
