/* test_codes.c: the code table: built-ins, lookup, run-time additions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "em_codes.h"

static int setup(void **state)
{
    em_code_table *t = em_codes_new();
    *state = t;
    return t ? 0 : -1;
}

static int teardown(void **state)
{
    em_codes_free(*state);
    return 0;
}

typedef struct expect_code {
    const char *cpt;
    em_code_kind kind;
    int unit_minutes;
    unsigned flags;
} expect_code;

/* Every built-in, in iteration (strcmp) order: domain.md section 3. */
static const expect_code builtins[] = {
    {"92507", EM_CODE_UNTIMED, 0, 0},
    {"92508", EM_CODE_UNTIMED, 0, EM_CODE_GROUP},
    {"92521", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"92522", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"92523", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"92524", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"92526", EM_CODE_UNTIMED, 0, 0},
    {"92610", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97010", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97012", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97014", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97016", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97018", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97022", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97024", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97026", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97028", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
    {"97032", EM_CODE_TIMED, 15, EM_CODE_CONSTANT_ATTEND},
    {"97033", EM_CODE_TIMED, 15, EM_CODE_CONSTANT_ATTEND},
    {"97034", EM_CODE_TIMED, 15, EM_CODE_CONSTANT_ATTEND},
    {"97035", EM_CODE_TIMED, 15, EM_CODE_CONSTANT_ATTEND},
    {"97036", EM_CODE_TIMED, 15, EM_CODE_CONSTANT_ATTEND},
    {"97039", EM_CODE_UNTIMED, 0, EM_CODE_UNLISTED},
    {"97110", EM_CODE_TIMED, 15, 0},
    {"97112", EM_CODE_TIMED, 15, 0},
    {"97113", EM_CODE_TIMED, 15, 0},
    {"97116", EM_CODE_TIMED, 15, 0},
    {"97124", EM_CODE_TIMED, 15, 0},
    {"97129", EM_CODE_TIMED, 15, 0},
    {"97130", EM_CODE_TIMED, 15, EM_CODE_ADDON},
    {"97139", EM_CODE_UNTIMED, 0, EM_CODE_UNLISTED},
    {"97140", EM_CODE_TIMED, 15, 0},
    {"97150", EM_CODE_UNTIMED, 0, EM_CODE_GROUP},
    {"97161", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97162", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97163", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97164", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97165", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97166", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97167", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97168", EM_CODE_UNTIMED, 0, EM_CODE_EVAL},
    {"97530", EM_CODE_TIMED, 15, 0},
    {"97533", EM_CODE_TIMED, 15, 0},
    {"97535", EM_CODE_TIMED, 15, 0},
    {"97537", EM_CODE_TIMED, 15, 0},
    {"97542", EM_CODE_TIMED, 15, 0},
    {"97545", EM_CODE_TIMED, 120, 0},
    {"97546", EM_CODE_TIMED, 60, EM_CODE_ADDON},
    {"97750", EM_CODE_TIMED, 15, 0},
    {"97755", EM_CODE_TIMED, 15, 0},
    {"97760", EM_CODE_TIMED, 15, 0},
    {"97761", EM_CODE_TIMED, 15, 0},
    {"97763", EM_CODE_TIMED, 15, 0},
    {"97799", EM_CODE_UNTIMED, 0, EM_CODE_UNLISTED},
    {"G0283", EM_CODE_UNTIMED, 0, EM_CODE_SUPERVISED},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

static void test_builtins_exact(void **state)
{
    const em_code_table *t = *state;
    assert_int_equal(em_codes_count(t), N_BUILTINS);
    for (size_t i = 0; i < N_BUILTINS; i++) {
        const em_code *c = em_codes_at(t, i);
        assert_non_null(c);
        assert_string_equal(c->cpt, builtins[i].cpt);
        assert_int_equal(c->kind, builtins[i].kind);
        assert_int_equal(c->unit_minutes, builtins[i].unit_minutes);
        assert_int_equal(c->flags, builtins[i].flags);
        assert_non_null(c->descriptor);
        assert_true(strlen(c->descriptor) > 3);
        assert_true(strlen(c->descriptor) <= EM_DESCRIPTOR_MAX);
        assert_true(c == em_codes_find(t, builtins[i].cpt));
        if (i > 0)
            assert_true(strcmp(builtins[i - 1].cpt, c->cpt) < 0);
    }
    assert_null(em_codes_at(t, N_BUILTINS));
}

static void test_builtin_spot_checks(void **state)
{
    const em_code_table *t = *state;
    const em_code *c = em_codes_find(t, "97112");
    assert_non_null(c);
    assert_int_equal(c->kind, EM_CODE_TIMED);
    assert_int_equal(c->unit_minutes, 15);
    assert_non_null(strstr(c->descriptor, "neuromuscular re-education"));
    c = em_codes_find(t, "G0283");
    assert_non_null(c);
    assert_int_equal(c->kind, EM_CODE_UNTIMED);
    assert_true(c->flags & EM_CODE_SUPERVISED);
    c = em_codes_find(t, "97545");
    assert_int_equal(c->unit_minutes, 120); /* its unit is the first 2 hours */
    c = em_codes_find(t, "92521");
    assert_int_equal(c->kind, EM_CODE_UNTIMED);
    assert_int_equal(c->unit_minutes, 0);
    /* caregiver training: timing not confirmed, so not built in */
    assert_null(em_codes_find(t, "97550"));
    assert_null(em_codes_find(t, "97551"));
    assert_null(em_codes_find(t, "97552"));
}

static void test_find_misses(void **state)
{
    const em_code_table *t = *state;
    assert_null(em_codes_find(t, "97999"));
    assert_null(em_codes_find(t, "9711"));
    assert_null(em_codes_find(t, "971120"));
    assert_null(em_codes_find(t, "g0283")); /* exact match, no folding */
    assert_null(em_codes_find(t, ""));
    assert_null(em_codes_find(t, NULL));
    assert_null(em_codes_find(NULL, "97112"));
    assert_null(em_codes_find(t, "97112 "));
    assert_null(em_codes_find(t, "0"));
    assert_null(em_codes_find(t, "ZZZZZZZZZZZZZZZ"));
    assert_null(em_codes_find(t, "ZZZZZZZZZZZZZZZZZZZZ"));
}

static void test_cpt_valid(void **state)
{
    (void)state;
    assert_true(em_cpt_valid("97112"));
    assert_true(em_cpt_valid("G0283"));
    assert_true(em_cpt_valid("a"));
    assert_true(em_cpt_valid("123456789012345"));
    assert_false(em_cpt_valid("1234567890123456"));
    assert_false(em_cpt_valid(""));
    assert_false(em_cpt_valid(NULL));
    assert_false(em_cpt_valid("97-12"));
    assert_false(em_cpt_valid("97112 "));
    assert_false(em_cpt_valid(" 97112"));
    assert_false(em_cpt_valid("9711\xc3\xa9"));
    assert_false(em_cpt_valid("97\t12"));
    assert_false(em_cpt_valid("971.2"));
}

static void test_kind_name(void **state)
{
    (void)state;
    assert_string_equal(em_code_kind_name(EM_CODE_TIMED), "timed");
    assert_string_equal(em_code_kind_name(EM_CODE_UNTIMED), "untimed");
    assert_string_equal(em_code_kind_name((em_code_kind)7), "unknown");
}

static void test_add_new(void **state)
{
    em_code_table *t = *state;
    em_error err;
    em_error_clear(&err);
    char desc[] = "a payer's own timed code";
    assert_int_equal(em_codes_add(t, "S9131", EM_CODE_TIMED, 15, 0, desc, &err), EM_OK);
    desc[0] = 'X'; /* the table holds its own copy */
    assert_int_equal(em_codes_add(t, "A0001", EM_CODE_UNTIMED, 0, EM_CODE_EVAL, NULL, &err),
                     EM_OK);
    assert_int_equal(em_codes_count(t), N_BUILTINS + 2);
    const em_code *c = em_codes_find(t, "S9131");
    assert_non_null(c);
    assert_string_equal(c->descriptor, "a payer's own timed code");
    assert_int_equal(c->kind, EM_CODE_TIMED);
    assert_int_equal(c->unit_minutes, 15);
    assert_int_equal(c->flags, EM_CODE_USER);
    c = em_codes_find(t, "A0001");
    assert_string_equal(c->descriptor, "");
    assert_int_equal(c->flags, EM_CODE_EVAL | EM_CODE_USER);
    /* built-ins first, then additions in the order added */
    assert_string_equal(em_codes_at(t, N_BUILTINS)->cpt, "S9131");
    assert_string_equal(em_codes_at(t, N_BUILTINS + 1)->cpt, "A0001");
    assert_string_equal(em_codes_at(t, 0)->cpt, "92507");
    /* lookups of built-ins still work around the new entries */
    for (size_t i = 0; i < N_BUILTINS; i++)
        assert_non_null(em_codes_find(t, builtins[i].cpt));
}

static void test_replace_builtin(void **state)
{
    em_code_table *t = *state;
    em_error err;
    em_error_clear(&err);
    const em_code *before = em_codes_find(t, "97545");
    const char *old_desc = before->descriptor;
    assert_int_equal(em_codes_add(t, "97545", EM_CODE_TIMED, 30, 0, "work hardening, 30 min",
                                  &err),
                     EM_OK);
    assert_int_equal(em_codes_count(t), N_BUILTINS);
    const em_code *after = em_codes_find(t, "97545");
    assert_true(before == after); /* in place */
    assert_int_equal(after->unit_minutes, 30);
    assert_int_equal(after->flags, EM_CODE_USER);
    assert_string_equal(after->descriptor, "work hardening, 30 min");
    assert_non_null(strstr(old_desc, "work hardening")); /* still readable */
    /* same position in iteration */
    size_t pos = 0;
    while (pos < N_BUILTINS && strcmp(builtins[pos].cpt, "97545") != 0)
        pos++;
    assert_true(em_codes_at(t, pos) == after);
    /* replace with its own descriptor (aliasing) and turn untimed */
    assert_int_equal(em_codes_add(t, "97545", EM_CODE_UNTIMED, 0, EM_CODE_GROUP,
                                  after->descriptor, &err),
                     EM_OK);
    assert_string_equal(after->descriptor, "work hardening, 30 min");
    assert_int_equal(after->kind, EM_CODE_UNTIMED);
    assert_int_equal(after->unit_minutes, 0);
    assert_int_equal(after->flags, EM_CODE_GROUP | EM_CODE_USER);
}

static void test_add_errors(void **state)
{
    em_code_table *t = *state;
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_codes_add(t, "97-12", EM_CODE_TIMED, 15, 0, "x", &err), EM_EINVAL);
    assert_string_equal(err.field, "cpt");
    assert_non_null(strstr(err.message, "1 to 15 letters and digits"));
    assert_int_equal(em_codes_add(t, NULL, EM_CODE_TIMED, 15, 0, "x", &err), EM_EINVAL);
    assert_int_equal(em_codes_add(t, "", EM_CODE_TIMED, 15, 0, "x", &err), EM_EINVAL);
    assert_int_equal(em_codes_add(t, "1234567890123456", EM_CODE_TIMED, 15, 0, "x", &err),
                     EM_EINVAL);
    assert_int_equal(em_codes_add(t, "X1", (em_code_kind)2, 15, 0, "x", &err), EM_EINVAL);
    assert_string_equal(err.field, "kind");
    assert_string_equal(err.message, "kind must be timed or untimed");
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_TIMED, 0, 0, "x", &err), EM_ERANGE);
    assert_string_equal(err.field, "unit_minutes");
    assert_string_equal(err.message, "a timed code's unit_minutes must be 1 to 240, got 0");
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_TIMED, 241, 0, "x", &err), EM_ERANGE);
    assert_string_equal(err.message, "a timed code's unit_minutes must be 1 to 240, got 241");
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_TIMED, -15, 0, "x", &err), EM_ERANGE);
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_UNTIMED, 15, 0, "x", &err), EM_ERANGE);
    assert_string_equal(err.field, "unit_minutes");
    assert_string_equal(err.message, "an untimed code takes unit_minutes 0, got 15");
    char longdesc[EM_DESCRIPTOR_MAX + 2];
    memset(longdesc, 'd', sizeof longdesc - 1);
    longdesc[sizeof longdesc - 1] = '\0';
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_TIMED, 15, 0, longdesc, &err), EM_ERANGE);
    assert_string_equal(err.field, "descriptor");
    assert_string_equal(err.message, "descriptor is longer than 255 bytes");
    longdesc[EM_DESCRIPTOR_MAX] = '\0'; /* exactly the limit is fine */
    assert_int_equal(em_codes_add(t, "X1", EM_CODE_TIMED, 1, 0, longdesc, &err), EM_OK);
    assert_int_equal(strlen(em_codes_find(t, "X1")->descriptor), EM_DESCRIPTOR_MAX);
    assert_int_equal(em_codes_add(t, "X2", EM_CODE_TIMED, 240, 0, "", &err), EM_OK);
    assert_int_equal(em_codes_add(NULL, "X3", EM_CODE_TIMED, 15, 0, "", &err), EM_EINVAL);
    assert_int_equal(em_codes_add(t, "97-12", EM_CODE_TIMED, 15, 0, "x", NULL), EM_EINVAL);
    /* failed adds changed nothing */
    assert_int_equal(em_codes_count(t), N_BUILTINS + 2);
    assert_null(em_codes_find(t, "X3"));
    assert_int_equal(em_codes_find(t, "97112")->unit_minutes, 15);
}

static void test_table_full(void **state)
{
    em_code_table *t = *state;
    em_error err;
    em_error_clear(&err);
    char cpt[16];
    const em_code *first = NULL;
    /* descending names: every insert goes to the front of the sorted index */
    for (size_t i = N_BUILTINS; i < EM_CODES_MAX; i++) {
        snprintf(cpt, sizeof cpt, "U%05zu", EM_CODES_MAX - i);
        assert_int_equal(em_codes_add(t, cpt, EM_CODE_TIMED, 15, 0, cpt, &err), EM_OK);
        if (!first)
            first = em_codes_find(t, cpt);
    }
    assert_int_equal(em_codes_count(t), EM_CODES_MAX);
    assert_int_equal(em_codes_add(t, "V1", EM_CODE_TIMED, 15, 0, "x", &err), EM_ENOMEM);
    assert_string_equal(err.message, "the code table is full (10000 codes); V1 not added");
    /* replacing still works when full */
    assert_int_equal(em_codes_add(t, "97112", EM_CODE_TIMED, 15, 0, "mine", &err), EM_OK);
    assert_string_equal(em_codes_find(t, "97112")->descriptor, "mine");
    /* pointers taken early survive all the growth */
    snprintf(cpt, sizeof cpt, "U%05zu", EM_CODES_MAX - N_BUILTINS);
    assert_true(first == em_codes_find(t, cpt));
    assert_string_equal(first->descriptor, cpt);
    for (size_t i = 0; i < EM_CODES_MAX; i++) {
        const em_code *c = em_codes_at(t, i);
        assert_true(em_codes_find(t, c->cpt) == c);
    }
}

static void test_null_table(void **state)
{
    (void)state;
    assert_int_equal(em_codes_count(NULL), 0);
    assert_null(em_codes_at(NULL, 0));
    em_codes_free(NULL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtins_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_spot_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_misses, setup, teardown),
        cmocka_unit_test(test_cpt_valid),
        cmocka_unit_test(test_kind_name),
        cmocka_unit_test_setup_teardown(test_add_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_builtin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
        cmocka_unit_test(test_null_table),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
