/* test_csv.c: visits from CSV: grouping, mapping, quoting, bounds, and
 * errors that name the row and the column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "em_csv.h"
#include "em_json.h"

#define DATA "tests/data/csv/"  /* tests run from the repository root */

/* One result of a reader, flattened for asserts: "OK id lines" or the
 * formatted error. */
typedef struct result {
    char text[640];
    em_status st;
    em_visit *v;
} result;

typedef struct run {
    result r[32];
    size_t n;
} run;

static void read_all(em_csv_reader *rd, run *out)
{
    memset(out, 0, sizeof *out);
    assert_non_null(rd);
    for (;;) {
        em_visit *v = NULL;
        em_error err;
        em_status st = em_csv_next(rd, &v, &err);
        if (st == EM_EOF) {
            assert_null(v);
            break;
        }
        assert_true(out->n < 32);
        result *res = &out->r[out->n++];
        res->st = st;
        res->v = v;
        if (st == EM_OK)
            snprintf(res->text, sizeof res->text, "OK %s %zu", v->id, v->n_lines);
        else
            em_error_format(&err, res->text, sizeof res->text);
    }
    /* after the end it stays at the end */
    em_visit *v = NULL;
    em_error err;
    assert_int_equal(em_csv_next(rd, &v, &err), EM_EOF);
}

static void run_free(run *out)
{
    for (size_t i = 0; i < out->n; i++)
        em_visit_free(out->r[i].v);
}

static void read_file(const char *path, const em_csv_mapping *m, const em_csv_limits *lim,
                      run *out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    em_csv_reader *rd = em_csv_open(f, path, m, lim);
    read_all(rd, out);
    em_csv_close(rd);
    fclose(f);
}

static void read_text(const char *text, const em_csv_mapping *m, const em_csv_limits *lim,
                      run *out)
{
    FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "rb");
    assert_non_null(f);
    em_csv_reader *rd = em_csv_open(f, "t.csv", m, lim);
    read_all(rd, out);
    em_csv_close(rd);
    fclose(f);
}

static void test_basic(void **state)
{
    (void)state;
    run out;
    read_file(DATA "basic.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.r[0].text, "OK V1 2");
    assert_string_equal(out.r[1].text, "OK V2 1");
    const em_visit *v = out.r[0].v;
    assert_string_equal(v->source, DATA "basic.csv");
    assert_int_equal(v->record, 2);
    assert_string_equal(v->payer, "medicare");
    assert_string_equal(v->pos, "11");
    assert_string_equal(v->patient.id, "P17");
    assert_string_equal(v->provider.npi, "1234567893");
    assert_string_equal(v->provider.discipline, "PT");
    assert_int_equal(v->n_diagnoses, 2);
    assert_string_equal(v->diagnoses[0], "I69.354");
    assert_string_equal(v->diagnoses[1], "R26.81");
    assert_int_equal(v->note.total_timed_minutes, 47);
    const em_line *l1 = &v->lines[0], *l2 = &v->lines[1];
    assert_string_equal(l1->cpt, "97112");
    assert_int_equal(l1->minutes, 24);
    assert_int_equal(l1->units, 2);
    assert_string_equal(l1->by, "PT");
    assert_int_equal(l1->n_modifiers, 1);
    assert_string_equal(l1->modifiers[0], "GP");
    /* "A;2": a letter and a number */
    assert_int_equal(l1->n_dx_pointers, 2);
    assert_int_equal(l1->dx_pointers[0], 1);
    assert_int_equal(l1->dx_pointers[1], 2);
    /* a quoted comma and a quoted newline are kept */
    assert_int_equal(l1->n_interventions, 1);
    assert_string_equal(l1->interventions[0].text, "tandem stance on foam, eyes closed, 3x30 s");
    assert_string_equal(l1->interventions[0].goal, "balance");
    assert_string_equal(l2->interventions[0].text, "bridges\n3x10");
    assert_null(l2->interventions[0].goal);
    assert_int_equal(l2->minutes, 23);
    /* an empty cell is an absent field */
    const em_line *l3 = &out.r[1].v->lines[0];
    assert_int_equal(l3->units, -1);
    assert_int_equal(l3->n_modifiers, 0);
    assert_int_equal(out.r[1].v->record, 5);  /* the quoted newline counts as a line */
    run_free(&out);
}

static void test_bom_crlf_no_final_newline(void **state)
{
    (void)state;
    run out;
    read_file(DATA "bom_crlf.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.r[0].text, "OK W1 2");
    assert_string_equal(out.r[1].text, "OK W2 1");
    assert_int_equal(out.r[0].v->lines[1].minutes, -1);
    assert_string_equal(out.r[0].v->lines[1].cpt, "97010");
    assert_int_equal(out.r[1].v->record, 5);  /* the blank line counts */
    assert_int_equal(out.r[1].v->lines[0].minutes, 8);
    run_free(&out);
}

static void test_bad_rows(void **state)
{
    (void)state;
    run out;
    read_file(DATA "bad_rows.csv", NULL, NULL, &out);
    const char *want[] = {
        "OK B1 1",
        DATA "bad_rows.csv:4: column minutes: minutes must be a whole number, got \"abc\"",
        "OK B3 1",
        DATA "bad_rows.csv:7: column payer: \"aetna\" here, but \"medicare\" on line 6; "
             "the rows of one visit must agree",
        DATA "bad_rows.csv:8: column date: 2026-02-30: February 2026 has 28 days",
        DATA "bad_rows.csv:9: column dx_pointers: a dx pointer is a number 1-12 or a "
             "letter A-L, got \"M\"",
        DATA "bad_rows.csv:10: column telehealth_patient_at_home: patient_at_home must be "
             "yes or no, got \"maybe\"",
        DATA "bad_rows.csv:11: the row has more fields than the header's 8",
        DATA "bad_rows.csv:12: column visit_id: the visit id is empty: every row needs "
             "its visit's id",
        DATA "bad_rows.csv:13: column dx_pointers: dx_pointers[1] points at diagnosis 3, "
             "but the visit lists 2",
        DATA "bad_rows.csv:14: column minutes: minutes must be between 0 and 1440, got 2000",
    };
    assert_int_equal(out.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < out.n; i++) {
        assert_string_equal(out.r[i].text, want[i]);
        assert_int_equal(out.r[i].st, want[i][0] == 'O' ? EM_OK : EM_EINVAL);
    }
    run_free(&out);
}

static void test_split_visit(void **state)
{
    (void)state;
    run out;
    read_file(DATA "split.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 4);
    assert_string_equal(out.r[0].text, "OK S1 1");
    assert_string_equal(out.r[1].text, "OK S2 1");
    assert_string_equal(out.r[2].text,
                        DATA "split.csv:4: column visit_id: visit \"S1\" already came at line 2: "
                             "the rows of one visit must be next to each other (sort the "
                             "file by visit id)");
    assert_string_equal(out.r[3].text, "OK S3 1");
    run_free(&out);
}

static em_csv_mapping *clinic_mapping(void)
{
    em_csv_mapping *m = em_csv_mapping_new();
    assert_non_null(m);
    em_error err;
    const char *id[] = {"Encounter #"}, *date[] = {"DOS"}, *payer[] = {"payer name"},
               *cpt[] = {"CPT"}, *min[] = {"Mins"}, *dx[] = {"Dx 1", "Dx 2"},
               *mods[] = {"Mods"};
    assert_int_equal(em_csv_mapping_set(m, "visit_id", id, 1, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "date", date, 1, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "payer", payer, 1, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "cpt", cpt, 1, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "minutes", min, 1, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "diagnoses", dx, 2, &err), EM_OK);
    assert_int_equal(em_csv_mapping_set(m, "modifiers", mods, 1, &err), EM_OK);
    return m;
}

static void test_clinic_mapping(void **state)
{
    (void)state;
    em_csv_mapping *m = clinic_mapping();
    run out;
    read_file(DATA "mapped.csv", m, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "OK E-1 2");
    const em_visit *v = out.r[0].v;
    assert_string_equal(v->payer, "medicare");  /* header names match without case */
    assert_int_equal(v->n_diagnoses, 2);
    assert_string_equal(v->diagnoses[1], "R26.81");
    assert_int_equal(v->lines[0].n_modifiers, 2);
    assert_string_equal(v->lines[0].modifiers[1], "59");
    run_free(&out);

    /* the default mapping does not know these headers */
    read_file(DATA "mapped.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text,
                        DATA "mapped.csv:1: header: no column \"visit_id\" for visit_id, which "
                             "is required; name a column so or map the field to one");
    /* a column the clinic named must be there */
    em_error err;
    const char *typo[] = {"Units Billed"};
    assert_int_equal(em_csv_mapping_set(m, "units", typo, 1, &err), EM_OK);
    read_file(DATA "mapped.csv", m, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, DATA "mapped.csv:1: header: no column \"Units Billed\" "
                                            "for units (check the mapping)");
    em_csv_mapping_free(m);
}

static void test_mapping_errors(void **state)
{
    (void)state;
    em_csv_mapping *m = em_csv_mapping_new();
    em_error err;
    const char *one[] = {"A"}, *two[] = {"A", "B"}, *empty[] = {""};
    assert_int_equal(em_csv_mapping_set(m, "cptx", one, 1, &err), EM_EINVAL);
    assert_string_equal(err.message, "cptx is not a field a CSV column can feed");
    assert_int_equal(em_csv_mapping_set(m, "cpt", two, 2, &err), EM_EINVAL);
    assert_string_equal(err.message, "cpt takes at most 1 column, got 2");
    assert_int_equal(em_csv_mapping_set(m, "cpt", empty, 1, &err), EM_EINVAL);
    assert_int_equal(em_csv_mapping_separators(m, ',', ',', &err), EM_EINVAL);
    assert_int_equal(em_csv_mapping_separators(m, '"', ';', &err), EM_EINVAL);
    assert_int_equal(em_csv_mapping_separators(m, '\t', '|', &err), EM_OK);
    /* a field turned off is not read even when a column has its name */
    assert_int_equal(em_csv_mapping_set(m, "units", NULL, 0, &err), EM_OK);
    run out;
    read_text("visit_id\tdate\tcpt\tunits\tmodifiers\n"
              "T1\t2026-03-04\t97110\tnot a number\tGP|59\n", m, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "OK T1 1");
    assert_int_equal(out.r[0].v->lines[0].units, -1);
    assert_int_equal(out.r[0].v->lines[0].n_modifiers, 2);
    run_free(&out);
    em_csv_mapping_free(m);
    const char *const *names = em_csv_fields();
    assert_string_equal(names[0], "visit_id");
    size_t n = 0;
    while (names[n])
        n++;
    assert_int_equal(n, 28);
}

static void test_header_errors(void **state)
{
    (void)state;
    run out;
    read_file(DATA "missing_col.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text,
                        DATA "missing_col.csv:1: header: no column \"cpt\" for cpt, which is "
                             "required; name a column so or map the field to one");
    read_file(DATA "empty.csv", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, DATA "empty.csv: no header row: the file is empty");
    read_text("visit_id,date,cpt,CPT\nX,2026-03-04,97110,97110\n", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "t.csv:1: header: two columns are named cpt (for cpt); "
                                       "name them apart");
    em_csv_limits lim = {.max_columns = 3};
    read_text("visit_id,date,cpt,minutes\nX,2026-03-04,97110,8\n", NULL, &lim, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "t.csv:1: header: the header has more than 3 columns");
    assert_int_equal(out.r[0].st, EM_ERANGE);
}

static void test_bounds(void **state)
{
    (void)state;
    run out;
    /* rows per visit */
    em_csv_limits lim = {.max_rows = 2};
    read_text("visit_id,date,cpt\nA,2026-03-04,97110\nA,2026-03-04,97112\n"
              "A,2026-03-04,97140\nA,2026-03-04,97010\nB,2026-03-04,97110\n", NULL, &lim, &out);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.r[0].text, "t.csv:4: column visit_id: visit \"A\" has more than 2 "
                                       "rows (service lines)");
    assert_int_equal(out.r[0].st, EM_ERANGE);
    assert_string_equal(out.r[1].text, "OK B 1");
    run_free(&out);
    /* bytes per row: that visit only */
    em_csv_limits row = {.max_row = 40};
    read_text("visit_id,date,cpt,intervention\nA,2026-03-04,97110,short\n"
              "B,2026-03-04,97110,a text long enough to pass the bound\n"
              "C,2026-03-04,97110,ok\n", NULL, &row, &out);
    assert_int_equal(out.n, 3);
    assert_string_equal(out.r[0].text, "OK A 1");
    assert_string_equal(out.r[1].text, "t.csv:3: the row is longer than 40 bytes");
    assert_string_equal(out.r[2].text, "OK C 1");
    run_free(&out);
    /* a field over the bound ends the reading */
    em_csv_limits field = {.max_field = 16};
    read_file(DATA "unclosed.csv", NULL, &field, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text,
                        DATA "unclosed.csv:3: a field is longer than 16 bytes (an unclosed "
                             "quote?); reading stopped; visit \"U1\" (from line 2) is skipped "
                             "too, as the row may be one of its");
    assert_int_equal(out.r[0].st, EM_ERANGE);
    /* a long line fed in pieces still hits the bound without holding it */
    static char big[300000];
    static const char head[] = "visit_id,date,cpt,note_text\nA,2026-03-04,97110,\"";
    memcpy(big, head, sizeof head - 1);
    memset(big + sizeof head - 1, 'x', sizeof big - sizeof head);
    read_text(big, NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "t.csv:2: a field is longer than 65536 bytes (an "
                                       "unclosed quote?); reading stopped");
}

static void test_escaping(void **state)
{
    (void)state;
    run out;
    /* quotes, backslashes and control bytes reach the record unchanged */
    read_text("visit_id,date,cpt,note_text\n"
              "\"Q\"\"1\",2026-03-04,97110,\"say \"\"hi\"\" \\ back\ttab\"\n", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.r[0].text, "OK Q\"1 1");
    assert_string_equal(out.r[0].v->note.text, "say \"hi\" \\ back\ttab");
    run_free(&out);
    /* bad UTF-8 is the parser's error, pointed at its column */
    read_text("visit_id,date,cpt,note_text\nU,2026-03-04,97110,bad \xff byte\n", NULL, NULL,
              &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.r[0].st, EM_EINVAL);
    assert_non_null(strstr(out.r[0].text, "t.csv:2: column note_text: "));
    /* a CPT that is no code, on the second row of a visit */
    read_text("visit_id,date,cpt\nA,2026-03-04,97110\nA,2026-03-04,97-10\n", NULL, NULL, &out);
    assert_int_equal(out.n, 1);
    assert_non_null(strstr(out.r[0].text, "t.csv:3: column cpt: cpt \"97-10\" is not a code"));
    /* leading zeros are fine, signs and fractions are not */
    read_text("visit_id,date,cpt,minutes\nA,2026-03-04,97110,008\nB,2026-03-04,97110,7.5\n",
              NULL, NULL, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.r[0].v->lines[0].minutes, 8);
    assert_string_equal(out.r[1].text, "t.csv:3: column minutes: minutes must be a whole "
                                       "number, got \"7.5\"");
    run_free(&out);
}

static void test_open_null(void **state)
{
    (void)state;
    assert_null(em_csv_open(NULL, "x", NULL, NULL));
    em_csv_close(NULL);
    em_csv_mapping_free(NULL);
    assert_int_equal(em_csv_record(NULL), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_bom_crlf_no_final_newline),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_split_visit),
        cmocka_unit_test(test_clinic_mapping),
        cmocka_unit_test(test_mapping_errors),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_open_null),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
