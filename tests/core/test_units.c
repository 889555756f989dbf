/* test_units.c: CMS pooling, AMA per code, custom policies, errors.
 * Expected values come from domain.md sections 1.4, 1.5 and 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "em_codes.h"
#include "em_units.h"

#define MAXL 64

static em_code_table *codes;

static int group_setup(void **state)
{
    (void)state;
    codes = em_codes_new();
    return codes ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    em_codes_free(codes);
    return 0;
}

/* One computation: items from parallel arrays; asserts success. */
typedef struct run {
    em_unit_item items[MAXL];
    em_unit_line lines[MAXL];
    em_unit_result r;
} run;

static void run_do(run *x, const em_unit_policy *p, const char *const *cpts, const int *mins,
                   size_t n, const char *const *prefer, size_t n_prefer)
{
    assert_true(n <= MAXL);
    for (size_t i = 0; i < n; i++) {
        x->items[i].cpt = cpts[i];
        x->items[i].minutes = mins[i];
    }
    em_error err;
    em_error_clear(&err);
    em_status st = em_units_compute(codes, p, x->items, n, prefer, n_prefer, x->lines, &x->r,
                                    &err);
    if (st != EM_OK)
        fail_msg("unexpected error: %s: %s", err.field, err.message);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define RUN(x, p, cpts, mins) run_do((x), (p), (cpts), (mins), N(cpts), NULL, 0)
#define RUNP(x, p, cpts, mins, pref) run_do((x), (p), (cpts), (mins), N(cpts), (pref), N(pref))

static const char *R_UNT = "untimed", *R_FULL = "full-units", *R_LEFT = "leftover-unit",
                  *R_BELOW = "below-threshold", *R_OUT = "outranked";

/* Checks line i: code, minutes, units, reason. */
static void line_is(const run *x, size_t i, const char *cpt, int minutes, int units,
                    const char *reason)
{
    assert_true(i < x->r.n_lines);
    const em_unit_line *l = &x->lines[i];
    assert_string_equal(l->cpt, cpt);
    assert_string_equal(l->code->cpt, cpt);
    assert_int_equal(l->minutes, minutes);
    assert_int_equal(l->units, units);
    assert_string_equal(em_unit_reason_name(l->reason), reason);
}

static void totals_are(const run *x, em_unit_method m, size_t n_lines, int timed_minutes,
                       int timed_units, int total_units)
{
    assert_int_equal(x->r.method, m);
    assert_int_equal(x->r.n_lines, n_lines);
    assert_int_equal(x->r.timed_minutes, timed_minutes);
    assert_int_equal(x->r.timed_units, timed_units);
    assert_int_equal(x->r.total_units, total_units);
}

/* ---- em_units_for_minutes and the CMS unit table ---- */

static int cms_formula(int m)
{
    return m < 8 ? 0 : (m + 7) / 15;
}

static void test_unit_table_rows(void **state)
{
    (void)state;
    /* [CPM5 s20.2] rows, both ends of each band */
    static const int rows[][3] = {
        {8, 22, 1},   {23, 37, 2},  {38, 52, 3},   {53, 67, 4},   {68, 82, 5},
        {83, 97, 6},  {98, 112, 7}, {113, 127, 8}, {128, 142, 9}, {143, 157, 10},
    };
    for (size_t i = 0; i < N(rows); i++) {
        assert_int_equal(em_units_for_minutes(rows[i][0] - 1, 15, 8), rows[i][2] - 1);
        assert_int_equal(em_units_for_minutes(rows[i][0], 15, 8), rows[i][2]);
        assert_int_equal(em_units_for_minutes(rows[i][1], 15, 8), rows[i][2]);
        assert_int_equal(em_units_for_minutes(rows[i][1] + 1, 15, 8), rows[i][2] + 1);
    }
    assert_int_equal(em_units_for_minutes(0, 15, 8), 0);
    assert_int_equal(em_units_for_minutes(7, 15, 8), 0);
    assert_int_equal(em_units_for_minutes(60, 15, 8), 4);
    assert_int_equal(em_units_for_minutes(1440, 15, 8), 96);
    /* "the pattern remains the same": band k is 15k-7 .. 15k+7 */
    for (int m = 0; m <= 200; m++) {
        int k = (m + 7) / 15;
        int want = m < 8 ? 0 : k;
        assert_int_equal(em_units_for_minutes(m, 15, 8), want);
        assert_int_equal(em_units_for_minutes(m, 15, 8), cms_formula(m));
        if (m >= 8)
            assert_true(m >= 15 * want - 7 && m <= 15 * want + 7);
    }
}

static void test_units_for_minutes_guards(void **state)
{
    (void)state;
    assert_int_equal(em_units_for_minutes(-1, 15, 8), 0);
    assert_int_equal(em_units_for_minutes(-1000, 15, 8), 0);
    assert_int_equal(em_units_for_minutes(30, 0, 8), 0);
    assert_int_equal(em_units_for_minutes(30, -15, 8), 0);
    assert_int_equal(em_units_for_minutes(30, 15, 0), 0);
    assert_int_equal(em_units_for_minutes(30, 15, -8), 0);
    /* other shapes */
    assert_int_equal(em_units_for_minutes(14, 15, 15), 0);
    assert_int_equal(em_units_for_minutes(15, 15, 15), 1);
    assert_int_equal(em_units_for_minutes(29, 15, 15), 1);
    assert_int_equal(em_units_for_minutes(30, 15, 15), 2);
    assert_int_equal(em_units_for_minutes(30, 60, 31), 0);
    assert_int_equal(em_units_for_minutes(31, 60, 31), 1);
    assert_int_equal(em_units_for_minutes(90, 60, 31), 1);
    assert_int_equal(em_units_for_minutes(91, 60, 31), 2);
    assert_int_equal(em_units_for_minutes(1, 1, 1), 1);
    assert_int_equal(em_units_for_minutes(1440, 1, 1), 1440);
}

/* A single code 0..200 through em_units_compute, CMS and AMA alike. */
static void test_single_code_0_to_200(void **state)
{
    (void)state;
    const em_unit_policy *ps[] = {&em_policy_cms, &em_policy_ama};
    for (size_t p = 0; p < N(ps); p++) {
        for (int m = 0; m <= 200; m++) {
            run x;
            const char *c[] = {"97112"};
            int mins[] = {m};
            RUN(&x, ps[p], c, mins);
            int want = cms_formula(m);
            const char *why = want == 0 ? R_BELOW : want > m / 15 ? R_LEFT : R_FULL;
            line_is(&x, 0, "97112", m, want, why);
            assert_int_equal(x.lines[0].full_units, m / 15);
            assert_int_equal(x.lines[0].leftover_minutes, m % 15);
            assert_int_equal(x.lines[0].pooled, p == 0);
            totals_are(&x, ps[p]->method, 1, m, want, want);
        }
    }
}

/* ---- the manual's worked examples, CPM5 s20.2 ---- */

static void test_cms_example1(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112", "97110"};
    int m[] = {24, 23};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97112", 24, 2, R_LEFT);
    line_is(&x, 1, "97110", 23, 1, R_FULL);
    assert_int_equal(x.lines[0].full_units, 1);
    assert_int_equal(x.lines[0].leftover_minutes, 9);
    assert_int_equal(x.lines[1].full_units, 1);
    assert_int_equal(x.lines[1].leftover_minutes, 8);
    assert_true(x.lines[0].pooled && x.lines[1].pooled);
    totals_are(&x, EM_METHOD_CMS, 2, 47, 3, 3);
}

static void test_cms_example2(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112", "97110"};
    int m[] = {20, 20};
    RUN(&x, &em_policy_cms, c, m);
    /* either code may take 2; never 3 on one code; default: input order */
    line_is(&x, 0, "97112", 20, 2, R_LEFT);
    line_is(&x, 1, "97110", 20, 1, R_FULL);
    totals_are(&x, EM_METHOD_CMS, 2, 40, 3, 3);
}

static void test_cms_example3(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97110", "97140"};
    int m[] = {33, 7};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97110", 33, 2, R_FULL);
    line_is(&x, 1, "97140", 7, 1, R_LEFT);
    assert_int_equal(x.lines[0].leftover_minutes, 3);
    totals_are(&x, EM_METHOD_CMS, 2, 40, 3, 3);
}

static void test_cms_example4(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97110", "97140", "97116", "97035"};
    int m[] = {18, 13, 10, 8};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97110", 18, 1, R_FULL);
    line_is(&x, 1, "97140", 13, 1, R_LEFT);
    line_is(&x, 2, "97116", 10, 1, R_LEFT);
    line_is(&x, 3, "97035", 8, 0, R_OUT); /* not 4 units under 53 minutes */
    totals_are(&x, EM_METHOD_CMS, 4, 49, 3, 3);
}

static void test_cms_example5(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112", "97110", "97140"};
    int m[] = {7, 7, 7};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97112", 7, 1, R_LEFT);
    line_is(&x, 1, "97110", 7, 0, R_OUT);
    line_is(&x, 2, "97140", 7, 0, R_OUT);
    totals_are(&x, EM_METHOD_CMS, 3, 21, 1, 1);
}

static void test_cms_97530_60(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97530"};
    int m[] = {60};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97530", 60, 4, R_FULL);
    totals_are(&x, EM_METHOD_CMS, 1, 60, 4, 4);
}

/* MAC article A52758 */
static void test_mac_a52758(void **state)
{
    (void)state;
    run x;
    const char *c1[] = {"97140", "97110"};
    int m1[] = {20, 20};
    RUN(&x, &em_policy_cms, c1, m1);
    line_is(&x, 0, "97140", 20, 2, R_LEFT);
    line_is(&x, 1, "97110", 20, 1, R_FULL);
    totals_are(&x, EM_METHOD_CMS, 2, 40, 3, 3);

    const char *c2[] = {"97140", "97035"};
    int m2[] = {35, 7};
    RUN(&x, &em_policy_cms, c2, m2);
    line_is(&x, 0, "97140", 35, 2, R_FULL);
    line_is(&x, 1, "97035", 7, 1, R_LEFT);
    totals_are(&x, EM_METHOD_CMS, 2, 42, 3, 3);
}

/* WebPT scenario 1: three acceptable billings; ours must be one of them. */
static void test_webpt_scenario1(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97116", "97110", "97112"};
    int m[] = {25, 25, 10};
    RUN(&x, &em_policy_cms, c, m);
    totals_are(&x, EM_METHOD_CMS, 3, 60, 4, 4);
    /* valid answers as (97116, 97110, 97112) */
    static const int valid[][3] = {{1, 2, 1}, {2, 2, 0}, {2, 1, 1}};
    int got[3] = {x.lines[0].units, x.lines[1].units, x.lines[2].units};
    int matches = 0;
    for (size_t i = 0; i < N(valid); i++)
        matches += !memcmp(got, valid[i], sizeof got);
    assert_int_equal(matches, 1);
    /* and exactly: a 3-way tie on 10 leftover minutes, input order wins */
    line_is(&x, 0, "97116", 25, 2, R_LEFT);
    line_is(&x, 1, "97110", 25, 2, R_LEFT);
    line_is(&x, 2, "97112", 10, 0, R_OUT);

    /* prefer 97112: it takes one of the two, then input order: 97116 */
    const char *pref[] = {"97112"};
    RUNP(&x, &em_policy_cms, c, m, pref);
    line_is(&x, 0, "97116", 25, 2, R_LEFT);
    line_is(&x, 1, "97110", 25, 1, R_FULL);
    line_is(&x, 2, "97112", 10, 1, R_LEFT);
    int got2[3] = {x.lines[0].units, x.lines[1].units, x.lines[2].units};
    matches = 0;
    for (size_t i = 0; i < N(valid); i++)
        matches += !memcmp(got2, valid[i], sizeof got2);
    assert_int_equal(matches, 1);

    /* prefer 97112 then 97110: the listed-first answer of WebPT */
    const char *pref2[] = {"97112", "97110"};
    RUNP(&x, &em_policy_cms, c, m, pref2);
    line_is(&x, 0, "97116", 25, 1, R_FULL);
    line_is(&x, 1, "97110", 25, 2, R_LEFT);
    line_is(&x, 2, "97112", 10, 1, R_LEFT);
}

static void test_uthealth(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97110", "97140"};
    int m[] = {18, 10};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97110", 18, 1, R_FULL);
    line_is(&x, 1, "97140", 10, 1, R_LEFT);
    totals_are(&x, EM_METHOD_CMS, 2, 28, 2, 2);
}

/* ---- domain.md section 2: the same inputs under CMS and AMA ---- */

typedef struct cmp_row {
    size_t n;
    const char *cpt[4];
    int min[4];
    int cms[4];
    int ama[4];
    int cms_total, ama_total;
} cmp_row;

static void test_ama_vs_cms_table(void **state)
{
    (void)state;
    static const cmp_row rows[] = {
        {2, {"97112", "97110"}, {24, 23}, {2, 1}, {2, 2}, 3, 4},
        {2, {"97112", "97110"}, {20, 20}, {2, 1}, {1, 1}, 3, 2},
        {2, {"97110", "97140"}, {33, 7}, {2, 1}, {2, 0}, 3, 2},
        {4, {"97110", "97140", "97116", "97035"}, {18, 13, 10, 8}, {1, 1, 1, 0}, {1, 1, 1, 1}, 3, 4},
        {3, {"97112", "97110", "97140"}, {7, 7, 7}, {1, 0, 0}, {0, 0, 0}, 1, 0},
        {3, {"97110", "97112", "97140"}, {10, 10, 10}, {1, 1, 0}, {1, 1, 1}, 2, 3},
        {1, {"97530"}, {60}, {4}, {4}, 4, 4},
    };
    for (size_t r = 0; r < N(rows); r++) {
        const cmp_row *row = &rows[r];
        run x;
        int total = 0;
        for (size_t i = 0; i < row->n; i++)
            total += row->min[i];
        run_do(&x, &em_policy_cms, row->cpt, row->min, row->n, NULL, 0);
        totals_are(&x, EM_METHOD_CMS, row->n, total, row->cms_total, row->cms_total);
        for (size_t i = 0; i < row->n; i++)
            assert_int_equal(x.lines[i].units, row->cms[i]);
        run_do(&x, &em_policy_ama, row->cpt, row->min, row->n, NULL, 0);
        totals_are(&x, EM_METHOD_AMA, row->n, total, row->ama_total, row->ama_total);
        for (size_t i = 0; i < row->n; i++) {
            assert_int_equal(x.lines[i].units, row->ama[i]);
            assert_false(x.lines[i].pooled);
        }
    }
}

static void test_ama_reasons(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112", "97110", "97140", "97116", "97530"};
    int m[] = {24, 22, 7, 0, 30};
    RUN(&x, &em_policy_ama, c, m);
    line_is(&x, 0, "97112", 24, 2, R_LEFT);
    line_is(&x, 1, "97110", 22, 1, R_FULL);
    line_is(&x, 2, "97140", 7, 0, R_BELOW); /* never outranked per code */
    line_is(&x, 3, "97116", 0, 0, R_BELOW);
    line_is(&x, 4, "97530", 30, 2, R_FULL);
    totals_are(&x, EM_METHOD_AMA, 5, 83, 5, 5);
}

/* ---- tie-breaks ---- */

static void test_tiebreak_prefer(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112", "97110"};
    int m[] = {20, 20};

    const char *p1[] = {"97110"};
    RUNP(&x, &em_policy_cms, c, m, p1);
    line_is(&x, 0, "97112", 20, 1, R_FULL);
    line_is(&x, 1, "97110", 20, 2, R_LEFT);

    const char *p2[] = {"97112", "97110"};
    RUNP(&x, &em_policy_cms, c, m, p2);
    assert_int_equal(x.lines[0].units, 2);
    assert_int_equal(x.lines[1].units, 1);

    const char *p3[] = {"97140", NULL, "97110", "97112"}; /* unused and NULL entries skipped */
    RUNP(&x, &em_policy_cms, c, m, p3);
    assert_int_equal(x.lines[0].units, 1);
    assert_int_equal(x.lines[1].units, 2);

    const char *p4[] = {"97999"}; /* nothing listed applies: input order */
    RUNP(&x, &em_policy_cms, c, m, p4);
    assert_int_equal(x.lines[0].units, 2);
    assert_int_equal(x.lines[1].units, 1);

    /* prefer only breaks ties: more leftover minutes still win */
    const char *c3[] = {"97110", "97140"};
    int m3[] = {33, 7};
    const char *p5[] = {"97110"};
    RUNP(&x, &em_policy_cms, c3, m3, p5);
    line_is(&x, 0, "97110", 33, 2, R_FULL);
    line_is(&x, 1, "97140", 7, 1, R_LEFT);

    /* Ex5: the listed code takes the one unit */
    const char *c5[] = {"97112", "97110", "97140"};
    int m5[] = {7, 7, 7};
    const char *p6[] = {"97140"};
    RUNP(&x, &em_policy_cms, c5, m5, p6);
    line_is(&x, 0, "97112", 7, 0, R_OUT);
    line_is(&x, 1, "97110", 7, 0, R_OUT);
    line_is(&x, 2, "97140", 7, 1, R_LEFT);

    /* prefer does nothing under AMA */
    RUNP(&x, &em_policy_ama, c, m, p1);
    assert_int_equal(x.lines[0].units, 1);
    assert_int_equal(x.lines[1].units, 1);
}

/* Units above the cut go regardless of prefer; prefer splits the cut. */
static void test_tiebreak_partial_cut(void **state)
{
    (void)state;
    run x;
    /* leftovers 14, 10, 10, 10, 3: T = 47 -> 3 units, R = 3:
     * 97110 (14) gets one, two of the three 10s */
    const char *c[] = {"97110", "97112", "97116", "97140", "97530"};
    int m[] = {14, 10, 10, 10, 3};
    RUN(&x, &em_policy_cms, c, m);
    assert_int_equal(x.lines[0].units, 1);
    assert_int_equal(x.lines[1].units, 1);
    assert_int_equal(x.lines[2].units, 1);
    assert_int_equal(x.lines[3].units, 0);
    assert_int_equal(x.lines[4].units, 0);
    assert_string_equal(em_unit_reason_name(x.lines[4].reason), R_OUT);
    const char *p[] = {"97530", "97140", "97110"};
    RUNP(&x, &em_policy_cms, c, m, p);
    assert_int_equal(x.lines[0].units, 1);
    assert_int_equal(x.lines[1].units, 1);
    assert_int_equal(x.lines[2].units, 0);
    assert_int_equal(x.lines[3].units, 1);
    assert_int_equal(x.lines[4].units, 0); /* 3 min never beats 10 */
    totals_are(&x, EM_METHOD_CMS, 5, 47, 3, 3);
}

/* ---- merging, untimed, bounds ---- */

static void test_repeated_codes_summed(void **state)
{
    (void)state;
    run x;
    char other[] = "97112"; /* same code, another string */
    const char *c[] = {"97112", "97110", other};
    int m[] = {12, 23, 12};
    RUN(&x, &em_policy_cms, c, m);
    assert_int_equal(x.r.n_lines, 2);
    line_is(&x, 0, "97112", 24, 2, R_LEFT);
    line_is(&x, 1, "97110", 23, 1, R_FULL);
    assert_true(x.lines[0].cpt == c[0]); /* the first item's string */
    totals_are(&x, EM_METHOD_CMS, 2, 47, 3, 3);

    /* split time blocks (NCCI ch1 s E): A, B, A again */
    const char *c2[] = {"97530", "97140", "97530", "97140", "97010", "97010"};
    int m2[] = {5, 5, 5, 5, 10, 10};
    RUN(&x, &em_policy_ama, c2, m2);
    assert_int_equal(x.r.n_lines, 3);
    line_is(&x, 0, "97530", 10, 1, R_LEFT);
    line_is(&x, 1, "97140", 10, 1, R_LEFT);
    line_is(&x, 2, "97010", 20, 1, R_UNT);
    totals_are(&x, EM_METHOD_AMA, 3, 20, 2, 3);
}

static void test_untimed(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97010", "97110", "97140"};
    int m[] = {15, 18, 10};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97010", 15, 1, R_UNT);
    line_is(&x, 1, "97110", 18, 1, R_FULL);
    line_is(&x, 2, "97140", 10, 1, R_LEFT);
    assert_false(x.lines[0].pooled);
    assert_int_equal(x.lines[0].full_units, 0);
    assert_int_equal(x.lines[0].leftover_minutes, 0);
    totals_are(&x, EM_METHOD_CMS, 3, 28, 2, 3);

    const char *c2[] = {"97161", "97112"};
    int m2[] = {45, 10};
    RUN(&x, &em_policy_cms, c2, m2);
    line_is(&x, 0, "97161", 45, 1, R_UNT);
    line_is(&x, 1, "97112", 10, 1, R_LEFT);
    totals_are(&x, EM_METHOD_CMS, 2, 10, 1, 2);

    /* untimed with no minutes is still 1 unit, under every policy */
    const char *c3[] = {"97010", "G0283", "97150", "92521", "97039"};
    int m3[] = {0, 0, 60, 30, 1440};
    RUN(&x, &em_policy_ama, c3, m3);
    for (size_t i = 0; i < N(c3); i++)
        line_is(&x, i, c3[i], m3[i], 1, R_UNT);
    totals_are(&x, EM_METHOD_AMA, 5, 0, 0, 5);

    /* untimed minutes never push the timed total over a day */
    const char *c4[] = {"97010", "97110"};
    int m4[] = {1440, 1440};
    RUN(&x, &em_policy_cms, c4, m4);
    totals_are(&x, EM_METHOD_CMS, 2, 1440, 96, 97);
}

static void test_zero_minutes(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97112"};
    int m[] = {0};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97112", 0, 0, R_BELOW);
    totals_are(&x, EM_METHOD_CMS, 1, 0, 0, 0);

    /* a pooled code with 0 minutes is below-threshold, not outranked */
    const char *c2[] = {"97112", "97110"};
    int m2[] = {0, 30};
    RUN(&x, &em_policy_cms, c2, m2);
    line_is(&x, 0, "97112", 0, 0, R_BELOW);
    line_is(&x, 1, "97110", 30, 2, R_FULL);

    /* pooled total under 8: everyone below-threshold */
    int m3[] = {3, 4};
    RUN(&x, &em_policy_cms, c2, m3);
    line_is(&x, 0, "97112", 3, 0, R_BELOW);
    line_is(&x, 1, "97110", 4, 0, R_BELOW);
    totals_are(&x, EM_METHOD_CMS, 2, 7, 0, 0);

    /* pooled units all full: the leftover minutes are outranked anyway */
    const char *c4[] = {"97110", "97140"};
    int m4[] = {30, 3};
    RUN(&x, &em_policy_cms, c4, m4);
    line_is(&x, 0, "97110", 30, 2, R_FULL);
    line_is(&x, 1, "97140", 3, 0, R_OUT);
    totals_are(&x, EM_METHOD_CMS, 2, 33, 2, 2);

    /* no items at all */
    em_unit_result r;
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_units_compute(codes, &em_policy_cms, NULL, 0, NULL, 0, NULL, &r, &err),
                     EM_OK);
    assert_int_equal(r.n_lines, 0);
    assert_int_equal(r.total_units, 0);
    assert_int_equal(r.timed_minutes, 0);
}

static void test_day_bounds(void **state)
{
    (void)state;
    run x;
    const char *c[] = {"97110"};
    int m[] = {1440};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97110", 1440, 96, R_FULL);
    totals_are(&x, EM_METHOD_CMS, 1, 1440, 96, 96);

    const char *c2[] = {"97110", "97112"};
    int m2[] = {720, 720};
    RUN(&x, &em_policy_cms, c2, m2);
    line_is(&x, 0, "97110", 720, 48, R_FULL);
    line_is(&x, 1, "97112", 720, 48, R_FULL);

    const char *c3[] = {"97110", "97110", "97110"};
    int m3[] = {480, 480, 480};
    RUN(&x, &em_policy_ama, c3, m3);
    line_is(&x, 0, "97110", 1440, 96, R_FULL);
    assert_int_equal(x.r.n_lines, 1);
}

/* Expects an error from one computation. */
static void expect_error(const em_unit_policy *p, const char *const *cpts, const int *mins,
                         size_t n, em_status st, const char *field, const char *message)
{
    em_unit_item items[MAXL];
    em_unit_line lines[MAXL];
    for (size_t i = 0; i < n; i++) {
        items[i].cpt = cpts[i];
        items[i].minutes = mins[i];
    }
    em_unit_result r;
    memset(&r, 0x55, sizeof r);
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_units_compute(codes, p, items, n, NULL, 0, lines, &r, &err), st);
    assert_string_equal(err.field, field);
    assert_string_equal(err.message, message);
    assert_int_equal(r.n_lines, 0);
    assert_int_equal(r.total_units, 0);
}

static void test_errors_items(void **state)
{
    (void)state;
    const char *c1[] = {"97110"};
    int m1441[] = {1441}, mneg[] = {-1}, mmin[] = {-2147483647 - 1};
    expect_error(&em_policy_cms, c1, m1441, 1, EM_ERANGE, "items[0].minutes",
                 "minutes must be 0 to 1440, got 1441");
    expect_error(&em_policy_ama, c1, mneg, 1, EM_ERANGE, "items[0].minutes",
                 "minutes must be 0 to 1440, got -1");
    expect_error(&em_policy_cms, c1, mmin, 1, EM_ERANGE, "items[0].minutes",
                 "minutes must be 0 to 1440, got -2147483648");

    const char *c2[] = {"97112", "97999"};
    int m2[] = {10, 10};
    expect_error(&em_policy_cms, c2, m2, 2, EM_EINVAL, "items[1]", "unknown code 97999");
    const char *c3[] = {"97112", "97110", "97-12"};
    int m3[] = {10, 10, 10};
    expect_error(&em_policy_cms, c3, m3, 3, EM_EINVAL, "items[2]",
                 "not a procedure code (1 to 15 letters and digits, like 97112)");
    const char *c4[] = {NULL};
    int m4[] = {10};
    expect_error(&em_policy_cms, c4, m4, 1, EM_EINVAL, "items[0]", "code missing");
    const char *c5[] = {"g0283"};
    expect_error(&em_policy_cms, c5, m4, 1, EM_EINVAL, "items[0]", "unknown code g0283");

    const char *c6[] = {"97112", "97110"};
    int m6[] = {1000, 1000};
    expect_error(&em_policy_cms, c6, m6, 2, EM_ERANGE, "items",
                 "timed minutes add up to 2000, more than a day (1440)");
    int m7[] = {1000, 441};
    expect_error(&em_policy_ama, c6, m7, 2, EM_ERANGE, "items",
                 "timed minutes add up to 1441, more than a day (1440)");
    /* the same code repeated: caught by the day's total */
    const char *c8[] = {"97112", "97112"};
    expect_error(&em_policy_cms, c8, m7, 2, EM_ERANGE, "items",
                 "timed minutes add up to 1441, more than a day (1440)");
    /* hourly codes count in the day too */
    const char *c9[] = {"97545", "97112"};
    expect_error(&em_policy_cms, c9, m7, 2, EM_ERANGE, "items",
                 "timed minutes add up to 1441, more than a day (1440)");
    /* an untimed code repeated past a day */
    const char *c10[] = {"97010", "97110", "97010"};
    int m10[] = {1000, 5, 441};
    expect_error(&em_policy_cms, c10, m10, 3, EM_ERANGE, "items[2].minutes",
                 "code 97010 adds up to 1441 minutes, more than a day (1440)");
    /* item errors come before the total: first bad item wins */
    const char *c11[] = {"97112", "97110", "97999"};
    int m11[] = {1000, 1000, 5};
    expect_error(&em_policy_cms, c11, m11, 3, EM_EINVAL, "items[2]", "unknown code 97999");
}

static void test_errors_args(void **state)
{
    (void)state;
    em_unit_item it[1] = {{"97112", 10}};
    em_unit_line out[1];
    em_unit_result r;
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_units_compute(NULL, &em_policy_cms, it, 1, NULL, 0, out, &r, &err),
                     EM_EINVAL);
    assert_string_equal(err.message, "no code table");
    assert_int_equal(em_units_compute(codes, NULL, it, 1, NULL, 0, out, &r, &err), EM_EINVAL);
    assert_string_equal(err.field, "policy");
    assert_string_equal(err.message, "no unit policy");
    assert_int_equal(em_units_compute(codes, &em_policy_cms, NULL, 1, NULL, 0, out, &r, &err),
                     EM_EINVAL);
    assert_string_equal(err.field, "items");
    assert_int_equal(em_units_compute(codes, &em_policy_cms, it, 1, NULL, 0, NULL, &r, &err),
                     EM_EINVAL);
    assert_int_equal(em_units_compute(codes, &em_policy_cms, it, 1, NULL, 0, out, NULL, &err),
                     EM_EINVAL);
    assert_int_equal(em_units_compute(codes, &em_policy_cms, it, 1, NULL, 2, out, &r, &err),
                     EM_EINVAL);
    assert_string_equal(err.field, "prefer");
    assert_string_equal(err.message, "prefer is NULL but n_prefer is 2");
    /* err may be NULL */
    assert_int_equal(em_units_compute(codes, NULL, it, 1, NULL, 0, out, &r, NULL), EM_EINVAL);
    assert_int_equal(em_units_compute(codes, &em_policy_cms, it, 1, NULL, 0, out, &r, NULL),
                     EM_OK);
    assert_int_equal(r.total_units, 1);
}

/* ---- hourly codes, custom policies, user codes ---- */

static void test_hourly_code(void **state)
{
    (void)state;
    static const int cases[][3] = {
        /* minutes, units, reason index: 0 below, 1 full, 2 leftover */
        {0, 0, 0},   {30, 0, 0},  {31, 1, 2},  {59, 1, 2},   {60, 1, 1},  {90, 1, 1},
        {91, 2, 2},  {120, 2, 1}, {150, 2, 1}, {151, 3, 2},  {1440, 24, 1},
    };
    const char *why[] = {R_BELOW, R_FULL, R_LEFT};
    const em_unit_policy *ps[] = {&em_policy_cms, &em_policy_ama};
    for (size_t p = 0; p < N(ps); p++) {
        for (size_t i = 0; i < N(cases); i++) {
            run x;
            const char *c[] = {"97546"};
            int m[] = {cases[i][0]};
            RUN(&x, ps[p], c, m);
            line_is(&x, 0, "97546", cases[i][0], cases[i][1], why[cases[i][2]]);
            assert_false(x.lines[0].pooled);
            assert_int_equal(x.lines[0].full_units, cases[i][0] / 60);
            assert_int_equal(x.lines[0].leftover_minutes, cases[i][0] % 60);
            totals_are(&x, ps[p]->method, 1, cases[i][0], cases[i][1], cases[i][1]);
        }
    }
    /* never pooled: 97110 10 alone in the pool -> 1; 97546 31 -> 1; not 41 pooled -> 3 */
    run x;
    const char *c[] = {"97110", "97546"};
    int m[] = {10, 31};
    RUN(&x, &em_policy_cms, c, m);
    line_is(&x, 0, "97110", 10, 1, R_LEFT);
    line_is(&x, 1, "97546", 31, 1, R_LEFT);
    assert_true(x.lines[0].pooled);
    assert_false(x.lines[1].pooled);
    totals_are(&x, EM_METHOD_CMS, 2, 41, 2, 2);
    /* 97545 is the first 2 hours: its unit is 120 minutes, earned past 60 */
    const char *c4[] = {"97545"};
    int m4a[] = {60}, m4b[] = {61}, m4c[] = {120}, m4d[] = {181};
    RUN(&x, &em_policy_cms, c4, m4a);
    line_is(&x, 0, "97545", 60, 0, R_BELOW);
    RUN(&x, &em_policy_cms, c4, m4b);
    line_is(&x, 0, "97545", 61, 1, R_LEFT);
    RUN(&x, &em_policy_cms, c4, m4c);
    line_is(&x, 0, "97545", 120, 1, R_FULL);
    RUN(&x, &em_policy_ama, c4, m4d);
    line_is(&x, 0, "97545", 181, 2, R_LEFT);
    /* the pool is the 15-minute codes only: 7 pooled minutes earn nothing */
    const char *c2[] = {"97112", "97545"};
    int m2[] = {7, 5};
    RUN(&x, &em_policy_cms, c2, m2);
    line_is(&x, 0, "97112", 7, 0, R_BELOW);
    line_is(&x, 1, "97545", 5, 0, R_BELOW);
    totals_are(&x, EM_METHOD_CMS, 2, 12, 0, 0);
    /* a custom policy does not touch hourly codes */
    const em_unit_policy full_only = {EM_METHOD_CUSTOM, 15, 15, true};
    const char *c3[] = {"97546"};
    int m3[] = {31};
    RUN(&x, &full_only, c3, m3);
    line_is(&x, 0, "97546", 31, 1, R_LEFT);
}

static void test_custom_full_units_only(void **state)
{
    (void)state;
    const em_unit_policy pooled = {EM_METHOD_CUSTOM, 15, 15, true};
    const em_unit_policy alone = {EM_METHOD_CUSTOM, 15, 15, false};
    assert_int_equal(em_policy_check(&pooled, NULL), EM_OK);
    run x;
    const char *c[] = {"97110", "97112"};

    int m1[] = {20, 20};
    RUN(&x, &pooled, c, m1);
    line_is(&x, 0, "97110", 20, 1, R_FULL);
    line_is(&x, 1, "97112", 20, 1, R_FULL);
    totals_are(&x, EM_METHOD_CUSTOM, 2, 40, 2, 2);
    RUN(&x, &alone, c, m1);
    line_is(&x, 0, "97110", 20, 1, R_FULL);
    line_is(&x, 1, "97112", 20, 1, R_FULL);

    int m2[] = {10, 10};
    RUN(&x, &pooled, c, m2); /* 20 pooled -> 1 unit, tie -> input order */
    line_is(&x, 0, "97110", 10, 1, R_LEFT);
    line_is(&x, 1, "97112", 10, 0, R_OUT);
    totals_are(&x, EM_METHOD_CUSTOM, 2, 20, 1, 1);
    RUN(&x, &alone, c, m2);
    line_is(&x, 0, "97110", 10, 0, R_BELOW);
    line_is(&x, 1, "97112", 10, 0, R_BELOW);
    totals_are(&x, EM_METHOD_CUSTOM, 2, 20, 0, 0);

    int m3[] = {14, 29};
    RUN(&x, &alone, c, m3);
    line_is(&x, 0, "97110", 14, 0, R_BELOW);
    line_is(&x, 1, "97112", 29, 1, R_FULL);
    RUN(&x, &pooled, c, m3); /* 43 -> 2 units: 97112 full, 97110's 14 beats 14 */
    line_is(&x, 0, "97110", 14, 1, R_LEFT);
    line_is(&x, 1, "97112", 29, 1, R_FULL);

    int m4[] = {7, 7};
    RUN(&x, &pooled, c, m4); /* 14 pooled < 15 */
    line_is(&x, 0, "97110", 7, 0, R_BELOW);
    line_is(&x, 1, "97112", 7, 0, R_BELOW);

    /* other shapes: 30-minute units, first at 16; single code 0..200 */
    const em_unit_policy half = {EM_METHOD_CUSTOM, 30, 16, false};
    for (int m = 0; m <= 200; m++) {
        const char *c1[] = {"97530"};
        int mm[] = {m};
        RUN(&x, &half, c1, mm);
        int want = m < 16 ? 0 : (m - 16) / 30 + 1;
        assert_int_equal(x.lines[0].units, want);
        assert_int_equal(x.lines[0].full_units, m / 30);
        assert_int_equal(x.lines[0].leftover_minutes, m % 30);
    }
    const em_unit_policy minute = {EM_METHOD_CUSTOM, 1, 1, true};
    int m5[] = {17, 3};
    RUN(&x, &minute, c, m5);
    line_is(&x, 0, "97110", 17, 17, R_FULL);
    line_is(&x, 1, "97112", 3, 3, R_FULL);
}

static void test_user_codes(void **state)
{
    (void)state;
    em_code_table *t = em_codes_new();
    assert_non_null(t);
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_codes_add(t, "S9131", EM_CODE_TIMED, 15, 0, "payer code", &err), EM_OK);
    assert_int_equal(em_codes_add(t, "X30", EM_CODE_TIMED, 30, 0, "half hour", &err), EM_OK);
    assert_int_equal(em_codes_add(t, "97112", EM_CODE_UNTIMED, 0, 0, "made untimed", &err),
                     EM_OK);
    em_unit_item it[] = {{"S9131", 7}, {"97110", 8}, {"X30", 16}, {"97112", 40}};
    em_unit_line out[4];
    em_unit_result r;
    assert_int_equal(em_units_compute(t, &em_policy_cms, it, 4, NULL, 0, out, &r, &err), EM_OK);
    /* S9131 pooled with 97110: 15 -> 1 unit to the larger leftover (97110) */
    assert_int_equal(out[0].units, 0);
    assert_int_equal(out[0].reason, EM_REASON_OUTRANKED);
    assert_int_equal(out[1].units, 1);
    /* X30 alone at its midpoint, 16 minutes */
    assert_int_equal(out[2].units, 1);
    assert_false(out[2].pooled);
    assert_int_equal(out[3].units, 1);
    assert_int_equal(out[3].reason, EM_REASON_UNTIMED);
    assert_int_equal(r.timed_minutes, 31);
    assert_int_equal(r.timed_units, 2);
    assert_int_equal(r.total_units, 3);
    em_codes_free(t);
}

static void test_many_items(void **state)
{
    (void)state;
    enum { MANY = 1440 };
    em_unit_item *it = calloc(MANY, sizeof *it);
    em_unit_line *out = calloc(MANY, sizeof *out);
    assert_non_null(it);
    assert_non_null(out);
    static const char *const cs[] = {"97110", "97112", "97140", "97530", "97010"};
    for (size_t i = 0; i < MANY; i++) {
        it[i].cpt = cs[i % 5];
        it[i].minutes = 1;
    }
    em_unit_result r;
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_units_compute(codes, &em_policy_cms, it, MANY, NULL, 0, out, &r, &err),
                     EM_OK);
    assert_int_equal(r.n_lines, 5);
    assert_int_equal(r.timed_minutes, 1152);
    assert_int_equal(r.timed_units, cms_formula(1152));
    assert_int_equal(out[4].minutes, 288);
    assert_int_equal(out[4].units, 1);
    free(it);
    free(out);
}

/* ---- policies and names ---- */

static void test_policies(void **state)
{
    (void)state;
    assert_int_equal(em_policy_cms.method, EM_METHOD_CMS);
    assert_int_equal(em_policy_cms.unit_minutes, 15);
    assert_int_equal(em_policy_cms.threshold, 8);
    assert_true(em_policy_cms.pooled);
    assert_int_equal(em_policy_ama.method, EM_METHOD_AMA);
    assert_int_equal(em_policy_ama.unit_minutes, 15);
    assert_int_equal(em_policy_ama.threshold, 8);
    assert_false(em_policy_ama.pooled);
    assert_true(em_policy_by_name("cms") == &em_policy_cms);
    assert_true(em_policy_by_name("ama") == &em_policy_ama);
    assert_null(em_policy_by_name("CMS"));
    assert_null(em_policy_by_name("custom"));
    assert_null(em_policy_by_name(""));
    assert_null(em_policy_by_name(NULL));
    assert_string_equal(em_method_name(EM_METHOD_CMS), "cms");
    assert_string_equal(em_method_name(EM_METHOD_AMA), "ama");
    assert_string_equal(em_method_name(EM_METHOD_CUSTOM), "custom");
    assert_string_equal(em_method_name((em_unit_method)9), "unknown");
    assert_string_equal(em_unit_reason_name(EM_REASON_UNTIMED), "untimed");
    assert_string_equal(em_unit_reason_name(EM_REASON_FULL), "full-units");
    assert_string_equal(em_unit_reason_name(EM_REASON_LEFTOVER), "leftover-unit");
    assert_string_equal(em_unit_reason_name(EM_REASON_BELOW_THRESHOLD), "below-threshold");
    assert_string_equal(em_unit_reason_name(EM_REASON_OUTRANKED), "outranked");
    assert_string_equal(em_unit_reason_name(EM_REASON_PAYER), "payer-function");
    assert_string_equal(em_unit_reason_name((em_unit_reason)99), "unknown");
}

static void check_bad_policy(em_unit_policy p, em_status st, const char *field,
                             const char *message)
{
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_policy_check(&p, &err), st);
    assert_string_equal(err.field, field);
    assert_string_equal(err.message, message);
    em_unit_item it[1] = {{"97112", 10}};
    em_unit_line out[1];
    em_unit_result r;
    em_error_clear(&err);
    assert_int_equal(em_units_compute(codes, &p, it, 1, NULL, 0, out, &r, &err), st);
    char want[64];
    snprintf(want, sizeof want, "policy.%s", field);
    assert_string_equal(err.field, want);
    assert_string_equal(err.message, message);
}

static void test_invalid_policies(void **state)
{
    (void)state;
    check_bad_policy((em_unit_policy){EM_METHOD_CUSTOM, 0, 1, true}, EM_ERANGE, "unit_minutes",
                     "unit_minutes must be 1 to 240, got 0");
    check_bad_policy((em_unit_policy){EM_METHOD_CUSTOM, -15, 8, true}, EM_ERANGE, "unit_minutes",
                     "unit_minutes must be 1 to 240, got -15");
    check_bad_policy((em_unit_policy){EM_METHOD_CUSTOM, 241, 8, false}, EM_ERANGE,
                     "unit_minutes", "unit_minutes must be 1 to 240, got 241");
    check_bad_policy((em_unit_policy){EM_METHOD_CUSTOM, 15, 0, true}, EM_ERANGE, "threshold",
                     "threshold must be 1 to unit_minutes (15), got 0");
    check_bad_policy((em_unit_policy){EM_METHOD_CUSTOM, 15, 16, true}, EM_ERANGE, "threshold",
                     "threshold must be 1 to unit_minutes (15), got 16");
    check_bad_policy((em_unit_policy){EM_METHOD_CMS, 15, -8, true}, EM_ERANGE, "threshold",
                     "threshold must be 1 to unit_minutes (15), got -8");
    check_bad_policy((em_unit_policy){(em_unit_method)3, 15, 8, true}, EM_EINVAL, "method",
                     "method must be cms, ama or custom, got 3");
    check_bad_policy((em_unit_policy){(em_unit_method)-1, 15, 8, true}, EM_EINVAL, "method",
                     "method must be cms, ama or custom, got -1");
    em_error err;
    em_error_clear(&err);
    assert_int_equal(em_policy_check(NULL, &err), EM_EINVAL);
    assert_string_equal(err.message, "no unit policy");
    assert_int_equal(em_policy_check(&em_policy_cms, &err), EM_OK);
    assert_int_equal(em_policy_check(&em_policy_ama, &err), EM_OK);
    const em_unit_policy edge[] = {
        {EM_METHOD_CUSTOM, 1, 1, true},
        {EM_METHOD_CUSTOM, 240, 240, false},
        {EM_METHOD_CUSTOM, 240, 1, true},
    };
    for (size_t i = 0; i < N(edge); i++)
        assert_int_equal(em_policy_check(&edge[i], NULL), EM_OK);
}

/* ---- property test: deterministic pseudo-random mixes ---- */

static uint32_t lcg_state;

static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

/* Reference allocation: sort pooled lines by (leftover desc, prefer rank,
 * input order) and give one unit each to the first R. */
typedef struct ref_key {
    int rem, rank;
    size_t index;
} ref_key;

static int ref_cmp(const void *a, const void *b)
{
    const ref_key *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static const char *const timed15[] = {
    "97032", "97033", "97034", "97035", "97036", "97110", "97112", "97113", "97116", "97124",
    "97129", "97130", "97140", "97530", "97533", "97535", "97537", "97542", "97750", "97755",
    "97760", "97761", "97763",
};

static void check_pooled(const run *x, const em_unit_policy *p, const char *const *prefer,
                         size_t n_prefer)
{
    const int U = p->unit_minutes, H = p->threshold;
    size_t n = x->r.n_lines;
    int T = 0, units = 0;
    for (size_t i = 0; i < n; i++) {
        T += x->lines[i].minutes;
        units += x->lines[i].units;
    }
    assert_int_equal(x->r.timed_minutes, T);
    assert_int_equal(x->r.timed_units, units);
    assert_int_equal(x->r.total_units, units);
    assert_int_equal(units, em_units_for_minutes(T, U, H));
    if (U == 15 && H == 8)
        assert_int_equal(units, cms_formula(T));
    ref_key keys[MAXL];
    int extra = units;
    for (size_t i = 0; i < n; i++) {
        const em_unit_line *l = &x->lines[i];
        int m = l->minutes;
        assert_true(l->pooled);
        assert_int_equal(l->full_units, m / U);
        assert_int_equal(l->leftover_minutes, m % U);
        assert_true(l->units >= m / U);     /* a full unit is never taken away */
        assert_true(l->units <= m / U + 1); /* never more than one leftover unit */
        extra -= m / U;
        keys[i].rem = m % U;
        keys[i].rank = (int)n_prefer;
        for (size_t k = 0; k < n_prefer; k++)
            if (prefer[k] && !strcmp(prefer[k], l->cpt)) {
                keys[i].rank = (int)k;
                break;
            }
        keys[i].index = i;
        /* the reason agrees with the numbers */
        em_unit_reason want = l->units == m / U + 1 ? EM_REASON_LEFTOVER
                              : l->units > 0         ? EM_REASON_FULL
                              : m > 0 && T >= H      ? EM_REASON_OUTRANKED
                                                     : EM_REASON_BELOW_THRESHOLD;
        assert_int_equal(l->reason, want);
        if (l->units == m / U + 1)
            assert_true(m % U > 0);
    }
    /* the extra units went to leftovers at least as large as every one left out */
    for (size_t g = 0; g < n; g++) {
        if (x->lines[g].units != x->lines[g].full_units + 1)
            continue;
        for (size_t o = 0; o < n; o++)
            if (x->lines[o].units == x->lines[o].full_units)
                assert_true(x->lines[g].leftover_minutes >= x->lines[o].leftover_minutes);
    }
    /* and exactly the reference choice */
    qsort(keys, n, sizeof keys[0], ref_cmp);
    int given[MAXL] = {0};
    for (int k = 0; k < extra; k++)
        given[keys[k].index] = 1;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(x->lines[i].units, x->lines[i].full_units + given[i]);
}

static void property_case(const em_unit_policy *pooled, const em_unit_policy *alone,
                          bool with_prefer)
{
    run x;
    size_t n = 1 + lcg() % 6;
    const char *cpts[6];
    int mins[6];
    /* distinct codes: steps 1-5 over 23 (a prime) never repeat within 6 */
    size_t start = lcg() % N(timed15), step = 1 + lcg() % 5;
    for (size_t i = 0; i < n; i++) {
        cpts[i] = timed15[(start + i * step) % N(timed15)];
        /* many small values so leftovers tie often */
        mins[i] = (lcg() % 3 == 0) ? (int)(lcg() % 16) : (int)(lcg() % 121);
    }
    const char *prefer[4];
    size_t n_prefer = 0;
    if (with_prefer) {
        n_prefer = lcg() % 5;
        for (size_t k = 0; k < n_prefer; k++)
            prefer[k] = lcg() % 4 == 0 ? NULL : cpts[lcg() % n];
    }
    run_do(&x, pooled, cpts, mins, n, prefer, n_prefer);
    assert_int_equal(x.r.n_lines, n);
    check_pooled(&x, pooled, prefer, n_prefer);

    run_do(&x, alone, cpts, mins, n, prefer, n_prefer);
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        const em_unit_line *l = &x.lines[i];
        int want = em_units_for_minutes(mins[i], alone->unit_minutes, alone->threshold);
        if (alone->unit_minutes == 15 && alone->threshold == 8)
            assert_int_equal(want, cms_formula(mins[i]));
        assert_int_equal(l->units, want);
        assert_false(l->pooled);
        em_unit_reason why = want == 0                               ? EM_REASON_BELOW_THRESHOLD
                             : want == mins[i] / alone->unit_minutes ? EM_REASON_FULL
                                                                     : EM_REASON_LEFTOVER;
        assert_int_equal(l->reason, why);
        total += want;
    }
    assert_int_equal(x.r.timed_units, total);
}

static void test_property_cms_ama(void **state)
{
    (void)state;
    lcg_state = 12345u;
    for (int i = 0; i < 20000; i++)
        property_case(&em_policy_cms, &em_policy_ama, false);
    for (int i = 0; i < 20000; i++)
        property_case(&em_policy_cms, &em_policy_ama, true);
}

static void test_property_custom(void **state)
{
    (void)state;
    lcg_state = 777u;
    for (int i = 0; i < 20000; i++) {
        int u = 1 + (int)(lcg() % 60);
        int h = 1 + (int)(lcg() % (uint32_t)u);
        em_unit_policy pooled = {EM_METHOD_CUSTOM, u, h, true};
        em_unit_policy alone = {EM_METHOD_CUSTOM, u, h, false};
        property_case(&pooled, &alone, i % 2 == 1);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_table_rows),
        cmocka_unit_test(test_units_for_minutes_guards),
        cmocka_unit_test(test_single_code_0_to_200),
        cmocka_unit_test(test_cms_example1),
        cmocka_unit_test(test_cms_example2),
        cmocka_unit_test(test_cms_example3),
        cmocka_unit_test(test_cms_example4),
        cmocka_unit_test(test_cms_example5),
        cmocka_unit_test(test_cms_97530_60),
        cmocka_unit_test(test_mac_a52758),
        cmocka_unit_test(test_webpt_scenario1),
        cmocka_unit_test(test_uthealth),
        cmocka_unit_test(test_ama_vs_cms_table),
        cmocka_unit_test(test_ama_reasons),
        cmocka_unit_test(test_tiebreak_prefer),
        cmocka_unit_test(test_tiebreak_partial_cut),
        cmocka_unit_test(test_repeated_codes_summed),
        cmocka_unit_test(test_untimed),
        cmocka_unit_test(test_zero_minutes),
        cmocka_unit_test(test_day_bounds),
        cmocka_unit_test(test_errors_items),
        cmocka_unit_test(test_errors_args),
        cmocka_unit_test(test_hourly_code),
        cmocka_unit_test(test_custom_full_units_only),
        cmocka_unit_test(test_user_codes),
        cmocka_unit_test(test_many_items),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_invalid_policies),
        cmocka_unit_test(test_property_cms_ama),
        cmocka_unit_test(test_property_custom),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("units", tests, group_setup, group_teardown);
}
