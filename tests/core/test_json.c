/* test_json.c: visit parsing, the NDJSON reader and the JSON writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "em_json.h"

#define DATA "tests/data/"  /* tests run from the repository root */

/* ---- helpers ---- */

static em_visit *parse_ok(const char *json)
{
    em_visit *v = NULL;
    em_error err;
    em_status st = em_visit_parse(json, strlen(json), "t.ndjson", 7, 0, &v, &err);
    if (st != EM_OK) {
        char msg[600];
        em_error_format(&err, msg, sizeof msg);
        print_error("unexpected error: %s\n  for %s\n", msg, json);
    }
    assert_int_equal(st, EM_OK);
    assert_non_null(v);
    return v;
}

/* Parses len bytes and checks the status, the field path exactly and a
 * part of the message. */
static void check_error_len(const char *json, size_t len, em_status want,
                            const char *field, const char *part)
{
    em_visit *v = (em_visit *)1;
    em_error err;
    em_status st = em_visit_parse(json, len, "in.ndjson", 3, 0, &v, &err);
    bool ok = st == want && strcmp(err.field, field) == 0 &&
              strstr(err.message, part) != NULL && v == NULL &&
              strcmp(err.file, "in.ndjson") == 0 && err.record == 3;
    if (!ok)
        print_error("input:  %.*s\nstatus: %d (want %d)\nfield:  \"%s\" (want \"%s\")\n"
                    "message: %s (want part \"%s\")\n",
                    (int)(len > 300 ? 300 : len), json, st, want, err.field, field,
                    err.message, part);
    assert_true(ok);
}

static void check_error(const char *json, const char *field, const char *part)
{
    check_error_len(json, strlen(json), EM_EINVAL, field, part);
}

/* A visit around one service line. */
static void check_line_error(const char *line, const char *field, const char *part)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"diagnoses\":[\"A\",\"B\"],"
             "\"lines\":[%s]}", line);
    check_error(json, field, part);
}

/* A visit with one more top-level member. */
static void check_member_error(const char *member, const char *field, const char *part)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[],%s}", member);
    check_error(json, field, part);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        print_error("cannot open %s (run the tests from the repository root)\n", path);
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* ---- a full visit read back ---- */

static void test_full_visit(void **state)
{
    (void)state;
    size_t len;
    char *json = read_file(DATA "visit_full.json", &len);
    em_visit *v = NULL;
    em_error err;
    assert_int_equal(em_visit_parse(json, len, "visit_full.json", 1, 0, &v, &err), EM_OK);
    free(json);

    assert_string_equal(v->source, "visit_full.json");
    assert_int_equal(v->record, 1);
    assert_string_equal(v->id, "V1001");
    assert_int_equal(v->date, em_date_from_ymd(2026, 3, 4));
    assert_string_equal(v->payer, "medicare");
    assert_string_equal(v->pos, "11");
    assert_string_equal(v->patient.id, "P17");
    assert_int_equal(v->patient.dob, em_date_from_ymd(1948, 2, 11));
    assert_string_equal(v->provider.npi, "1234567893");
    assert_string_equal(v->provider.discipline, "PT");
    assert_string_equal(v->provider.credential, "PT");
    assert_true(v->telehealth.present);
    assert_string_equal(v->telehealth.modality, "audio_video");
    assert_int_equal(v->telehealth.patient_at_home, 1);
    assert_int_equal(v->n_diagnoses, 2);
    assert_string_equal(v->diagnoses[0], "I69.354");
    assert_string_equal(v->diagnoses[1], "R26.81");

    assert_int_equal(v->n_lines, 4);
    const em_line *l = &v->lines[0];
    assert_string_equal(l->cpt, "97112");
    assert_int_equal(l->minutes, 24);
    assert_true(l->minutes_given);
    assert_string_equal(l->by, "PT");
    assert_int_equal(l->units, 2);
    assert_int_equal(l->n_modifiers, 1);
    assert_string_equal(l->modifiers[0], "GP");
    assert_int_equal(l->n_segments, 1);
    assert_true(l->segments[0].has_interval);
    assert_int_equal(l->segments[0].start.second, 9 * 3600);
    assert_int_equal(l->segments[0].end.second, 9 * 3600 + 24 * 60);
    assert_int_equal(l->segments[0].minutes, 24);
    assert_null(l->segments[0].by);
    int64_t day = (int64_t)v->date * 86400;
    assert_true(l->segments[0].interval.start == day + 9 * 3600);
    assert_true(l->segments[0].interval.end == day + 9 * 3600 + 24 * 60);
    assert_int_equal(l->n_interventions, 1);
    assert_string_equal(l->interventions[0].text,
                        "tandem stance on foam, eyes closed, 3x30 s");
    assert_string_equal(l->interventions[0].goal, "balance");
    assert_int_equal(l->n_dx_pointers, 2);
    assert_int_equal(l->dx_pointers[0], 1);
    assert_int_equal(l->dx_pointers[1], 2);
    assert_null(l->extra);

    l = &v->lines[1];
    assert_string_equal(l->cpt, "97110");
    assert_int_equal(l->minutes, 23);
    assert_string_equal(l->by, "PTA");
    assert_int_equal(l->units, -1);
    assert_int_equal(l->n_modifiers, 0);
    assert_int_equal(l->n_segments, 0);

    l = &v->lines[2];
    assert_string_equal(l->cpt, "97010");
    assert_int_equal(l->minutes, -1);
    assert_false(l->minutes_given);
    assert_null(l->by);

    l = &v->lines[3];
    assert_string_equal(l->cpt, "97530");
    assert_int_equal(l->n_segments, 2);
    assert_int_equal(l->segments[0].minutes, 10);
    assert_string_equal(l->segments[0].by, "PTA");
    assert_true(l->segments[0].has_interval);
    assert_int_equal(l->segments[1].minutes, 5);
    assert_string_equal(l->segments[1].by, "PT");
    assert_false(l->segments[1].has_interval);
    assert_int_equal(l->minutes, 15);
    assert_false(l->minutes_given);
    assert_string_equal(l->interventions[0].text, "\xC3\x96" "dem, 3\xC3\x97" "30 s");
    assert_null(l->interventions[0].goal);
    assert_non_null(l->extra);
    assert_string_equal(em_value_get(l->extra, "room")->u.s, "gym 2");

    assert_true(v->note.present);
    assert_string_equal(v->note.impairments, "impaired standing balance");
    assert_string_equal(v->note.functional_progress, "walks 150 ft with cane");
    assert_string_equal(v->note.medical_necessity, "fall risk");
    assert_string_equal(v->note.text, "Ödem, 3×30 s");
    assert_int_equal(v->note.n_measures, 2);
    assert_string_equal(v->note.measures[0].name, "BBS");
    assert_true(v->note.measures[0].has_value && v->note.measures[0].has_prior);
    assert_true(v->note.measures[0].value == 41.0 && v->note.measures[0].prior == 35.0);
    assert_string_equal(v->note.measures[1].name, "TUG");
    assert_true(v->note.measures[1].has_value && !v->note.measures[1].has_prior);
    assert_true(v->note.measures[1].value == 12.5);
    assert_int_equal(v->note.total_timed_minutes, 47);
    assert_int_equal(v->note.total_minutes, 57);
    assert_int_equal(em_value_get(v->note.extra, "cosigned")->type, EM_VALUE_BOOL);

    assert_true(v->episode.present);
    assert_int_equal(v->episode.start_of_care, em_date_from_ymd(2026, 2, 10));
    assert_int_equal(v->episode.treatment_day, 7);
    assert_int_equal(v->episode.last_progress_report, em_date_from_ymd(2026, 2, 24));
    assert_int_equal(v->episode.poc_signed_on, em_date_from_ymd(2026, 2, 20));
    assert_int_equal(v->episode.poc_certified_through, em_date_from_ymd(2026, 5, 10));
    assert_int_equal(v->episode.poc_recertified_on, EM_DATE_NONE);
    assert_int_equal(v->episode.authorized_visits, 12);
    assert_true(v->episode.spend_pt_slp_cents == 182000);
    assert_true(v->episode.spend_ot_cents == 0);
    assert_string_equal(em_value_get(v->episode.extra, "referral")->u.s, "R-9");

    /* Unknown top-level fields, kept with exact integers. */
    const em_value *emr = em_value_get(v->extra, "emr");
    assert_non_null(emr);
    assert_int_equal(emr->type, EM_VALUE_OBJECT);
    assert_int_equal(emr->u.list.n, 5);
    assert_int_equal(em_value_get(emr, "ver")->type, EM_VALUE_INT);
    assert_true(em_value_get(emr, "ver")->u.i == 3);
    assert_int_equal(em_value_get(emr, "ratio")->type, EM_VALUE_NUMBER);
    assert_true(em_value_get(emr, "big")->u.i == INT64_C(12345678901234));
    const em_value *tags = em_value_get(emr, "tags");
    assert_int_equal(tags->type, EM_VALUE_ARRAY);
    assert_int_equal(tags->u.list.n, 3);
    assert_null(tags->u.list.keys);
    assert_int_equal(tags->u.list.items[1].type, EM_VALUE_NULL);
    assert_true(tags->u.list.items[2].u.b);

    /* ...and written back as they came. */
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_int_equal(em_json_write_value(f, v->extra), EM_OK);
    fclose(f);
    assert_string_equal(out, "{\"emr\":{\"vendor\":\"x\",\"ver\":3,\"ratio\":0.5,"
                             "\"tags\":[\"a\",null,true],\"big\":12345678901234}}\n");
    free(out);
    em_visit_free(v);
}

static void test_minimal_visit_defaults(void **state)
{
    (void)state;
    em_visit *v = parse_ok("{\"id\":\"V9\",\"date\":\"2024-02-29\",\"lines\":[]}");
    assert_string_equal(v->id, "V9");
    assert_int_equal(v->date, em_date_from_ymd(2024, 2, 29));
    assert_string_equal(v->source, "t.ndjson");
    assert_int_equal(v->record, 7);
    assert_null(v->payer);
    assert_null(v->pos);
    assert_null(v->patient.id);
    assert_int_equal(v->patient.dob, EM_DATE_NONE);
    assert_false(v->telehealth.present);
    assert_int_equal(v->telehealth.patient_at_home, -1);
    assert_int_equal(v->n_lines, 0);
    assert_null(v->lines);
    assert_false(v->note.present);
    assert_int_equal(v->note.total_minutes, -1);
    assert_false(v->episode.present);
    assert_int_equal(v->episode.treatment_day, -1);
    assert_true(v->episode.spend_ot_cents == -1);
    assert_null(v->extra);
    em_visit_free(v);
}

static void test_nulls_are_absent(void **state)
{
    (void)state;
    em_visit *v = parse_ok(
        "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"payer\":null,\"pos\":null,"
        "\"patient\":null,\"note\":{\"text\":null,\"total_minutes\":null},"
        "\"telehealth\":{\"patient_at_home\":null},"
        "\"lines\":[{\"cpt\":\"97112\",\"minutes\":null,\"units\":null,"
        "\"modifiers\":null,\"start\":null,\"end\":null}]}");
    assert_null(v->payer);
    assert_null(v->pos);
    assert_true(v->note.present);
    assert_null(v->note.text);
    assert_int_equal(v->note.total_minutes, -1);
    assert_true(v->telehealth.present);
    assert_int_equal(v->telehealth.patient_at_home, -1);
    assert_int_equal(v->lines[0].minutes, -1);
    assert_int_equal(v->lines[0].units, -1);
    assert_int_equal(v->lines[0].n_segments, 0);
    em_visit_free(v);
}

static void test_segments_and_minutes(void **state)
{
    (void)state;
    /* Overlapping segments are a rule's business, not the parser's; the
     * line's start/end come first; dates and offsets resolve. */
    em_visit *v = parse_ok(
        "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":["
        "{\"cpt\":\"97112\",\"start\":\"9:00\",\"end\":\"09:07:59\","
        " \"segments\":[{\"start\":\"09:05\",\"end\":\"09:15\",\"by\":\"PTA\"},"
        "              {\"start\":\"2026-03-04T14:00Z\",\"end\":\"2026-03-04T14:08:30Z\"}]},"
        "{\"cpt\":\"97110\",\"minutes\":20,\"segments\":[{\"minutes\":5}]},"
        "{\"cpt\":\"97116\",\"segments\":[]},"
        "{\"cpt\":\"97140\",\"segments\":[{\"start\":\"10:00\",\"end\":\"10:00\"}]}]}");
    const em_line *l = &v->lines[0];
    assert_int_equal(l->n_segments, 3);
    assert_int_equal(l->segments[0].minutes, 7);  /* 7:59 rounds down */
    assert_int_equal(l->segments[1].minutes, 10);
    assert_string_equal(l->segments[1].by, "PTA");
    assert_int_equal(l->segments[2].minutes, 8);
    assert_int_equal(l->segments[2].start.offset, 0);
    assert_int_equal(l->minutes, 25);
    assert_false(l->minutes_given);
    /* Given minutes win over the segments' sum. */
    assert_int_equal(v->lines[1].minutes, 20);
    assert_true(v->lines[1].minutes_given);
    assert_int_equal(v->lines[1].segments[0].minutes, 5);
    assert_int_equal(v->lines[2].minutes, -1);
    assert_int_equal(v->lines[2].n_segments, 0);
    assert_int_equal(v->lines[3].minutes, 0);
    em_visit_free(v);
}

static void test_dx_pointers_after_lines(void **state)
{
    (void)state;
    /* Diagnoses may come after the lines that point at them. */
    em_visit *v = parse_ok(
        "{\"lines\":[{\"cpt\":\"97112\",\"dx_pointers\":[2,1]}],"
        "\"diagnoses\":[\"A\",\"B\"],\"date\":\"2026-03-04\",\"id\":\"V1\"}");
    assert_int_equal(v->lines[0].n_dx_pointers, 2);
    assert_int_equal(v->lines[0].dx_pointers[0], 2);
    em_visit_free(v);
}

static void test_extras(void **state)
{
    (void)state;
    em_visit *v = parse_ok(
        "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[],"
        "\"x\":{\"neg\":-42,\"f\":1.5,\"e\":1e3,\"huge\":9007199254740993,"
        "\"s\":\"\\u00d6\\ud83d\\ude00\",\"empty\":{},\"list\":[]}}");
    const em_value *x = em_value_get(v->extra, "x");
    assert_true(em_value_get(x, "neg")->u.i == -42);
    assert_int_equal(em_value_get(x, "f")->type, EM_VALUE_NUMBER);
    assert_int_equal(em_value_get(x, "e")->type, EM_VALUE_INT);
    assert_true(em_value_get(x, "e")->u.i == 1000);
    /* Past 2^53 a double is not exact: not claimed as an integer. */
    assert_int_equal(em_value_get(x, "huge")->type, EM_VALUE_NUMBER);
    assert_string_equal(em_value_get(x, "s")->u.s, "\xC3\x96\xF0\x9F\x98\x80");
    assert_int_equal(em_value_get(x, "empty")->type, EM_VALUE_OBJECT);
    assert_int_equal(em_value_get(x, "empty")->u.list.n, 0);
    assert_int_equal(em_value_get(x, "list")->type, EM_VALUE_ARRAY);
    assert_null(em_value_get(x, "nope"));
    em_visit_free(v);

    /* 64 levels are fine (the visit is level 1). */
    char json[512];
    int o = snprintf(json, sizeof json, "{\"id\":\"V\",\"date\":\"2026-03-04\",\"lines\":[],\"d\":");
    for (int i = 0; i < 63; i++)
        json[o++] = '[';
    for (int i = 0; i < 63; i++)
        json[o++] = ']';
    json[o++] = '}';
    json[o] = '\0';
    v = parse_ok(json);
    em_visit_free(v);
}

/* ---- malformed visits: field path and message ---- */

static void test_errors_top_level(void **state)
{
    (void)state;
    check_error("[1,2]", "", "a visit must be a JSON object, got an array");
    check_error("\"V1\"", "", "a visit must be a JSON object, got a string");
    check_error("", "", "empty record");
    check_error("   ", "", "empty record");
    check_error("{\"id\":", "", "not valid JSON at byte");
    check_error("{\"id\":\"V1\" \"date\":1}", "", "not valid JSON at byte 12");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[]} x", "",
                "unexpected text after the visit at byte 44");
    check_error("{\"date\":\"2026-03-04\",\"lines\":[]}", "id", "id is required");
    check_error("{\"id\":null,\"date\":\"2026-03-04\",\"lines\":[]}", "id", "id is required");
    check_error("{\"id\":\"\",\"date\":\"2026-03-04\",\"lines\":[]}", "id", "id is empty");
    check_error("{\"id\":17,\"date\":\"2026-03-04\",\"lines\":[]}", "id",
                "id must be a string, got a number");
    check_error("{\"id\":\"V12345678901234567890123456789012345678901234567890123456789012345\","
                "\"date\":\"2026-03-04\",\"lines\":[]}", "id", "id is longer than 64 bytes");
    check_error("{\"id\":\"V1\",\"lines\":[]}", "date", "date is required");
    check_error("{\"id\":\"V1\",\"date\":\"2026-02-30\",\"lines\":[]}", "date",
                "February 2026 has 28 days");
    check_error("{\"id\":\"V1\",\"date\":\"03/04/2026\",\"lines\":[]}", "date",
                "expected a date YYYY-MM-DD");
    check_error("{\"id\":\"V1\",\"date\":20260304,\"lines\":[]}", "date",
                "date must be a date string (YYYY-MM-DD), got a number");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\"}", "lines", "lines is required");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":{}}", "lines",
                "lines must be an array, got an object");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[5]}", "lines[1]",
                "a service line must be an object, got a number");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[{\"cpt\":\"97112\"},null]}",
                "lines[2]", "a service line must be an object, got null");
    check_error("{\"id\":\"V1\",\"id\":\"V2\",\"date\":\"2026-03-04\",\"lines\":[]}", "id",
                "duplicate key \"id\"");
}

static void test_errors_minutes(void **state)
{
    (void)state;
    check_line_error("{\"cpt\":\"97112\",\"minutes\":-1}", "lines[1].minutes",
                     "minutes must be between 0 and 1440, got -1");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":1441}", "lines[1].minutes",
                     "minutes must be between 0 and 1440, got 1441");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":24.5}", "lines[1].minutes",
                     "minutes must be a whole number, got 24.5");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":\"24\"}", "lines[1].minutes",
                     "minutes must be a number, got a string");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":true}", "lines[1].minutes",
                     "minutes must be a number, got a boolean");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":1e999}", "lines[1].minutes",
                     "minutes is out of range");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":8},{\"cpt\":\"97110\",\"minutes\":[8]}",
                     "lines[2].minutes", "minutes must be a number, got an array");
    check_line_error("{\"cpt\":\"97112\",\"units\":1.5}", "lines[1].units",
                     "units must be a whole number, got 1.5");
    check_line_error("{\"cpt\":\"97112\",\"units\":-2}", "lines[1].units",
                     "units must be between 0 and 1440, got -2");
    check_line_error("{\"cpt\":\"97112\",\"minutes\":8,\"minutes\":9}", "lines[1].minutes",
                     "duplicate key \"minutes\"");
}

static void test_errors_line_fields(void **state)
{
    (void)state;
    check_line_error("{\"minutes\":8}", "lines[1].cpt", "cpt is required");
    check_line_error("{\"cpt\":97112}", "lines[1].cpt", "cpt must be a string, got a number");
    check_line_error("{\"cpt\":\"97-112\"}", "lines[1].cpt",
                     "cpt \"97-112\" is not a code (1 to 15 letters and digits)");
    check_line_error("{\"cpt\":\"\"}", "lines[1].cpt", "is not a code");
    check_line_error("{\"cpt\":\"97112\",\"by\":1}", "lines[1].by",
                     "by must be a string, got a number");
    check_line_error("{\"cpt\":\"97112\",\"modifiers\":\"GP\"}", "lines[1].modifiers",
                     "modifiers must be an array of strings, got a string");
    check_line_error("{\"cpt\":\"97112\",\"modifiers\":[\"G\"]}", "lines[1].modifiers[1]",
                     "a modifier is 2 letters or digits, got \"G\"");
    check_line_error("{\"cpt\":\"97112\",\"modifiers\":[\"GP\",\"G-\"]}",
                     "lines[1].modifiers[2]", "a modifier is 2 letters or digits");
    check_line_error("{\"cpt\":\"97112\",\"modifiers\":[\"GPX\"]}", "lines[1].modifiers[1]",
                     "got \"GPX\"");
    check_line_error("{\"cpt\":\"97112\",\"modifiers\":[59]}", "lines[1].modifiers[1]",
                     "modifiers[1] must be a string, got a number");
    check_line_error("{\"cpt\":\"97112\",\"interventions\":[5]}",
                     "lines[1].interventions[1]",
                     "interventions[1] must be a string or an object, got a number");
    check_line_error("{\"cpt\":\"97112\",\"interventions\":[\"a\",{\"goal\":\"balance\"}]}",
                     "lines[1].interventions[2].text", "text is required");
    check_line_error("{\"cpt\":\"97112\",\"interventions\":[{\"text\":\"a\",\"goal\":3}]}",
                     "lines[1].interventions[1].goal", "goal must be a string, got a number");
    check_line_error("{\"cpt\":\"97112\",\"interventions\":{}}", "lines[1].interventions",
                     "interventions must be an array, got an object");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":[3]}", "lines[1].dx_pointers[1]",
                     "dx_pointers[1] points at diagnosis 3, but the visit lists 2");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":[1,0]}", "lines[1].dx_pointers[2]",
                     "must be between 1 and 12, got 0");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":[13]}", "lines[1].dx_pointers[1]",
                     "must be between 1 and 12, got 13");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":[\"1\"]}", "lines[1].dx_pointers[1]",
                     "must be a number, got a string");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":[null]}", "lines[1].dx_pointers[1]",
                     "must be a number, got null");
    check_line_error("{\"cpt\":\"97112\",\"dx_pointers\":1}", "lines[1].dx_pointers",
                     "must be an array of numbers, got a number");
    check_error("{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[{\"cpt\":\"97112\","
                "\"dx_pointers\":[1]}]}", "lines[1].dx_pointers[1]", "the visit lists 0");
}

static void test_errors_times(void **state)
{
    (void)state;
    check_line_error("{\"cpt\":\"97112\",\"start\":\"09:00\"}", "lines[1].end",
                     "start is given without end");
    check_line_error("{\"cpt\":\"97112\",\"end\":\"09:00\"}", "lines[1].start",
                     "end is given without start");
    check_line_error("{\"cpt\":\"97112\",\"start\":\"09:24\",\"end\":\"09:00\"}",
                     "lines[1].end", "ends at 09:00, before it starts at 09:24");
    check_line_error("{\"cpt\":\"97112\",\"start\":\"25:00\",\"end\":\"26:00\"}",
                     "lines[1].start", "hour 25 is out of range");
    check_line_error("{\"cpt\":\"97112\",\"start\":900,\"end\":\"09:10\"}",
                     "lines[1].start", "start must be a time string (HH:MM), got a number");
    check_line_error("{\"cpt\":\"97112\",\"start\":\"09:00Z\",\"end\":\"09:10\"}",
                     "lines[1].end", "has a UTC offset");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"start\":\"09:00\",\"end\":\"09:10\"},"
                     "{\"start\":\"09:30\",\"end\":\"09:20\"}]}",
                     "lines[1].segments[2].end", "before it starts at 09:30");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"start\":\"09:00\"}]}",
                     "lines[1].segments[1].end", "start is given without end");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"by\":\"PT\"}]}",
                     "lines[1].segments[1]", "a segment needs start and end, or minutes");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[5]}", "lines[1].segments[1]",
                     "segments[1] must be an object, got a number");
    check_line_error("{\"cpt\":\"97112\",\"segments\":{}}", "lines[1].segments",
                     "segments must be an array, got an object");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"minutes\":1441}]}",
                     "lines[1].segments[1].minutes", "between 0 and 1440");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"minutes\":1000},{\"minutes\":1000}]}",
                     "lines[1].segments", "the segments add up to 2000 minutes");
    check_line_error("{\"cpt\":\"97112\",\"segments\":[{\"minutes\":5,\"by\":\"PT\",\"by\":\"PTA\"}]}",
                     "lines[1].segments[1].by", "duplicate key \"by\"");
    check_line_error("{\"cpt\":\"97112\",\"start\":\"2026-03-04T23:50\","
                     "\"end\":\"2026-03-05T00:10\"}", "lines[1].end", "runs past midnight");
}

static void test_errors_sections(void **state)
{
    (void)state;
    check_member_error("\"pos\":11", "pos", "pos must be a string like \"11\"");
    check_member_error("\"pos\":\"1\"", "pos", "pos must be a string like \"11\"");
    check_member_error("\"pos\":\"1a\"", "pos", "pos must be a string like \"11\"");
    check_member_error("\"payer\":[]", "payer", "payer must be a string, got an array");
    check_member_error("\"patient\":5", "patient", "patient must be an object, got a number");
    check_member_error("\"patient\":{\"id\":5}", "patient.id", "id must be a string");
    check_member_error("\"patient\":{\"dob\":\"1948-02-30\"}", "patient.dob",
                       "February 1948 has 29 days");
    check_member_error("\"patient\":{\"id\":\"P\",\"id\":\"Q\"}", "patient.id",
                       "duplicate key \"id\"");
    check_member_error("\"provider\":{\"npi\":1234567893}", "provider.npi",
                       "npi must be a string, got a number");
    check_member_error("\"provider\":[]", "provider", "provider must be an object, got an array");
    check_member_error("\"telehealth\":{\"patient_at_home\":\"yes\"}",
                       "telehealth.patient_at_home",
                       "patient_at_home must be true or false, got a string");
    check_member_error("\"telehealth\":{\"modality\":false}", "telehealth.modality",
                       "must be a string, got a boolean");
    check_member_error("\"diagnoses\":\"I69\"", "diagnoses",
                       "diagnoses must be an array of strings, got a string");
    check_member_error("\"diagnoses\":[\"A\",1]", "diagnoses[2]",
                       "diagnoses[2] must be a string, got a number");
    check_member_error("\"diagnoses\":[\"\"]", "diagnoses[1]", "diagnoses[1] is empty");
    check_member_error("\"note\":\"x\"", "note", "note must be an object, got a string");
    check_member_error("\"note\":{\"text\":1}", "note.text", "text must be a string");
    check_member_error("\"note\":{\"measures\":[{\"value\":3}]}", "note.measures[1].name",
                       "name is required");
    check_member_error("\"note\":{\"measures\":[{\"name\":\"BBS\"},{\"name\":\"BBS\",\"value\":\"41\"}]}",
                       "note.measures[2].value", "value must be a number, got a string");
    check_member_error("\"note\":{\"measures\":[3]}", "note.measures[1]",
                       "measures[1] must be an object, got a number");
    check_member_error("\"note\":{\"measures\":{}}", "note.measures",
                       "measures must be an array");
    check_member_error("\"note\":{\"total_minutes\":1441}", "note.total_minutes",
                       "total_minutes must be between 0 and 1440, got 1441");
    check_member_error("\"note\":{\"total_timed_minutes\":4.5}", "note.total_timed_minutes",
                       "whole number, got 4.5");
    check_member_error("\"episode\":{\"treatment_day\":0}", "episode.treatment_day",
                       "treatment_day must be between 1 and 2147483647, got 0");
    check_member_error("\"episode\":{\"start_of_care\":\"2026-13-01\"}",
                       "episode.start_of_care", "month 13 is out of range");
    check_member_error("\"episode\":{\"plan_of_care\":{\"signed_on\":\"x\"}}",
                       "episode.plan_of_care.signed_on", "expected a date YYYY-MM-DD");
    check_member_error("\"episode\":{\"plan_of_care\":[]}", "episode.plan_of_care",
                       "plan_of_care must be an object, got an array");
    check_member_error("\"episode\":{\"therapy_spend_ytd_cents\":{\"PT_SLP\":-5}}",
                       "episode.therapy_spend_ytd_cents.PT_SLP", "got -5");
    check_member_error("\"episode\":{\"therapy_spend_ytd_cents\":{\"OT\":\"0\"}}",
                       "episode.therapy_spend_ytd_cents.OT", "must be a number, got a string");
    check_member_error("\"episode\":{\"authorized_visits\":1.5}", "episode.authorized_visits",
                       "whole number, got 1.5");
    check_member_error("\"episode\":{\"authorized_visits\":-1}", "episode.authorized_visits",
                       "between 0 and");
    check_member_error("\"episode\":7", "episode", "episode must be an object, got a number");
}

static void test_errors_unknown_fields(void **state)
{
    (void)state;
    check_member_error("\"emr\":{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", "emr.b.c",
                       "duplicate key \"c\"");
    check_member_error("\"emr\":[{\"a\":1},{\"a\":1,\"a\":2}]", "emr[2].a",
                       "duplicate key \"a\"");
    check_member_error("\"emr\":1,\"emr\":2", "emr", "duplicate key \"emr\"");
    check_member_error("\"emr\":[1,1e400]", "emr[2]", "number is out of range");
    check_line_error("{\"cpt\":\"97112\",\"room\":{\"x\":1,\"x\":1}}", "lines[1].room.x",
                     "duplicate key");
    check_member_error("\"note\":{\"z\":[1,{\"q\":true,\"q\":false}]}", "note.z[2].q",
                       "duplicate key");
    /* Ignored members of small objects are still checked. */
    check_member_error("\"patient\":{\"zz\":{\"k\":1,\"k\":2}}", "patient.zz.k",
                       "duplicate key");

    /* A big object: duplicates found by sorting, not pairwise. */
    char member[1024];
    int o = snprintf(member, sizeof member, "\"emr\":{");
    for (int i = 0; i < 40; i++)
        o += snprintf(member + o, sizeof member - (size_t)o, "%s\"k%d\":%d", i ? "," : "",
                      i == 33 ? 7 : i, i);
    snprintf(member + o, sizeof member - (size_t)o, "}");
    check_member_error(member, "emr.k7", "duplicate key \"k7\"");

    /* Too deep: 70 arrays inside the visit. */
    char json[1024];
    o = snprintf(json, sizeof json, "{\"id\":\"V\",\"date\":\"2026-03-04\",\"lines\":[],\"d\":");
    for (int i = 0; i < 70; i++)
        json[o++] = '[';
    for (int i = 0; i < 70; i++)
        json[o++] = ']';
    json[o++] = '}';
    json[o] = '\0';
    check_error(json, "d[1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1]"
                      "[1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1]",
                "nested more than 64 levels deep");
    /* Deeper than cJSON's own bound: still an error, never a crash. */
    size_t big = 5000;
    char *deep = malloc(2 * big + 64);
    assert_non_null(deep);
    o = snprintf(deep, 64, "{\"id\":\"V\",\"d\":");
    memset(deep + o, '[', big);
    memset(deep + o + big, ']', big);
    strcpy(deep + o + 2 * big, "}");
    check_error(deep, "", "not valid JSON");
    free(deep);
}

static void test_errors_utf8(void **state)
{
    (void)state;
    check_member_error("\"payer\":\"a\xC3\x28\"", "payer",
                       "payer is not valid UTF-8 (bad byte 0xC3 at offset 1)");
    check_member_error("\"note\":{\"text\":\"\xC0\xAF\"}", "note.text",
                       "text is not valid UTF-8");   /* overlong '/' */
    check_member_error("\"note\":{\"text\":\"\xE0\x80\xAF\"}", "note.text", "not valid UTF-8");
    check_member_error("\"note\":{\"text\":\"\xF4\x90\x80\x80\"}", "note.text",
                       "not valid UTF-8");       /* past U+10FFFF */
    check_line_error("{\"cpt\":\"97112\",\"interventions\":[\"\xED\xA0\x80\"]}",
                     "lines[1].interventions[1]", "not valid UTF-8");  /* a surrogate */
    check_member_error("\"emr\":{\"x\":\"ok\xFF\"}", "emr.x", "not valid UTF-8");
    check_member_error("\"emr\":{\"k\xFE\":1}", "emr.k\xFE", "key is not valid UTF-8");
    check_member_error("\"diagnoses\":[\"I69\xA0\"]", "diagnoses[1]", "not valid UTF-8");
    /* In a member nobody keeps: the record is still refused, by byte. */
    check_member_error("\"patient\":{\"zz\":\"\xFF\"}", "", "invalid UTF-8 (bad byte 0xFF at byte");
    /* Escapes that would cut a string short or are broken. */
    check_member_error("\"payer\":\"a\\u0000b\"", "", "\\u0000 (a NUL character) at byte");
    check_member_error("\"payer\":\"a\\u00zzb\"", "", "bad \\u escape");
    check_member_error("\"payer\":\"\\ud800\"", "", "not valid JSON");
    static const char nul[] = "{\"id\":\"V\0\",\"date\":\"2026-03-04\",\"lines\":[]}";
    check_error_len(nul, sizeof nul - 1, EM_EINVAL, "", "NUL byte at byte 9");

    /* Escaped backslashes before "u0000" are plain text. */
    em_visit *v = parse_ok("{\"id\":\"V\",\"date\":\"2026-03-04\",\"lines\":[],"
                           "\"payer\":\"a\\\\u0000\"}");
    assert_string_equal(v->payer, "a\\u0000");
    em_visit_free(v);
}

static void test_parse_misc(void **state)
{
    (void)state;
    static const char good[] = "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[]}";
    em_visit *v = (em_visit *)1;
    /* err may be NULL; out must not be. */
    assert_int_equal(em_visit_parse("[]", 2, NULL, 0, 0, &v, NULL), EM_EINVAL);
    assert_null(v);
    em_error err;
    assert_int_equal(em_visit_parse(good, sizeof good - 1, "x", 1, 0, NULL, &err), EM_EINVAL);
    /* The length bounds the text: no NUL needed after it. */
    char buf[sizeof good + 8];
    memcpy(buf, good, sizeof good - 1);
    memcpy(buf + sizeof good - 1, "garbage", 8);
    assert_int_equal(em_visit_parse(buf, sizeof good - 1, "x", 1, 0, &v, &err), EM_OK);
    em_visit_free(v);
    /* An arena limit too small for the visit. */
    assert_int_equal(em_visit_parse(good, sizeof good - 1, "x", 2, 64, &v, &err), EM_ENOMEM);
    assert_null(v);
    assert_int_equal(err.record, 2);
    char big[4096];
    int o = snprintf(big, sizeof big, "{\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[],"
                                      "\"note\":{\"text\":\"");
    memset(big + o, 'a', 3000);
    strcpy(big + o + 3000, "\"}}");
    assert_int_equal(em_visit_parse(big, strlen(big), "x", 2, 2048, &v, &err), EM_ENOMEM);
    assert_non_null(strstr(err.message, "2048 bytes"));
    assert_int_equal(em_visit_parse(big, strlen(big), "x", 2, 8192, &v, &err), EM_OK);
    em_visit_free(v);
    /* Whitespace and a BOM around the object are fine. */
    v = parse_ok("\xEF\xBB\xBF  {\"id\":\"V1\",\"date\":\"2026-03-04\",\"lines\":[]} \r\n");
    em_visit_free(v);
}

/* ---- NDJSON ---- */

static FILE *file_with(const char *text, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    rewind(f);
    return f;
}

static void expect_visit(em_ndjson_reader *r, const char *id, long record)
{
    em_visit *v = NULL;
    em_error err;
    em_status st = em_ndjson_next(r, &v, &err);
    if (st != EM_OK) {
        char msg[600];
        em_error_format(&err, msg, sizeof msg);
        print_error("wanted visit %s at %ld, got: %s\n", id, record, msg);
    }
    assert_int_equal(st, EM_OK);
    assert_string_equal(v->id, id);
    assert_int_equal(v->record, record);
    assert_int_equal(em_ndjson_record(r), record);
    em_visit_free(v);
}

static void expect_bad(em_ndjson_reader *r, em_status want, const char *file, long record,
                       const char *field, const char *part)
{
    em_visit *v = (em_visit *)1;
    em_error err;
    em_status st = em_ndjson_next(r, &v, &err);
    if (st != want || strstr(err.message, part) == NULL)
        print_error("status %d (want %d), message: %s (want part %s)\n", st, want,
                    err.message, part);
    assert_int_equal(st, want);
    assert_null(v);
    assert_string_equal(err.file, file);
    assert_int_equal(err.record, record);
    assert_string_equal(err.field, field);
    assert_non_null(strstr(err.message, part));
    assert_int_equal(em_ndjson_record(r), record);
}

static void expect_eof(em_ndjson_reader *r)
{
    em_visit *v = (em_visit *)1;
    em_error err;
    assert_int_equal(em_ndjson_next(r, &v, &err), EM_EOF);
    assert_null(v);
    assert_int_equal(em_ndjson_next(r, &v, &err), EM_EOF);
}

static void test_ndjson_mixed_file(void **state)
{
    (void)state;
    FILE *f = fopen(DATA "visits_mixed.ndjson", "rb");
    assert_non_null(f);
    em_ndjson_reader *r = em_ndjson_open(f, "visits_mixed.ndjson", 0);
    assert_non_null(r);
    assert_int_equal(em_ndjson_record(r), 0);
    expect_visit(r, "V1", 1);
    expect_bad(r, EM_EINVAL, "visits_mixed.ndjson", 3, "date", "February 2026 has 28 days");
    expect_visit(r, "V3", 4);
    expect_bad(r, EM_EINVAL, "visits_mixed.ndjson", 5, "", "not valid JSON at byte 1");
    expect_bad(r, EM_EINVAL, "visits_mixed.ndjson", 7, "lines[1].minutes",
               "minutes must be a number, got a string");
    expect_visit(r, "V5", 8);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);
}

static void test_ndjson_bom_crlf_no_final_newline(void **state)
{
    (void)state;
    static const char text[] =
        "\xEF\xBB\xBF{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[]}\r\n"
        "\r\n"
        " \t \r\n"
        "{\"id\":\"B\",\"date\":\"2026-03-04\",\"lines\":[{\"cpt\":\"97112\",\"minutes\":8}]}\r\n"
        "\n"
        "{\"id\":\"C\",\"date\":\"2026-03-04\",\"lines\":[]}";
    FILE *f = file_with(text, sizeof text - 1);
    em_ndjson_reader *r = em_ndjson_open(f, "-", 0);
    expect_visit(r, "A", 1);
    expect_visit(r, "B", 4);
    expect_visit(r, "C", 6);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);

    /* A BOM on a later line (files joined with cat) is fine too. */
    static const char later[] =
        "{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[]}\n"
        "\xEF\xBB\xBF{\"id\":\"B\",\"date\":\"2026-03-04\",\"lines\":[]}\n";
    f = file_with(later, sizeof later - 1);
    r = em_ndjson_open(f, "-", 0);
    expect_visit(r, "A", 1);
    expect_visit(r, "B", 2);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);
}

static void test_ndjson_empty_inputs(void **state)
{
    (void)state;
    FILE *f = file_with("", 0);
    em_ndjson_reader *r = em_ndjson_open(f, "empty", 0);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);

    f = file_with("\n\n  \n\r\n", 7);
    r = em_ndjson_open(f, "blank", 0);
    expect_eof(r);
    assert_int_equal(em_ndjson_record(r), 0);
    em_ndjson_close(r);
    fclose(f);

    assert_null(em_ndjson_open(NULL, "x", 0));
    em_ndjson_close(NULL);
    assert_int_equal(em_ndjson_record(NULL), 0);
}

static void test_ndjson_long_lines(void **state)
{
    (void)state;
    /* max_line 64: a 200-byte record between good ones is skipped. */
    char text[1024];
    int o = snprintf(text, sizeof text, "{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[]}\n");
    o += snprintf(text + o, sizeof text - (size_t)o, "{\"id\":\"L\",\"x\":\"");
    memset(text + o, 'x', 200);
    o += 200;
    o += snprintf(text + o, sizeof text - (size_t)o, "\"}\n");
    o += snprintf(text + o, sizeof text - (size_t)o,
                  "{\"id\":\"B\",\"date\":\"2026-03-04\",\"lines\":[]}\n");
    FILE *f = file_with(text, (size_t)o);
    em_ndjson_reader *r = em_ndjson_open(f, "small", 64);
    expect_visit(r, "A", 1);
    expect_bad(r, EM_ERANGE, "small", 2, "", "record is longer than 64 bytes");
    expect_visit(r, "B", 3);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);

    /* Exactly max_line bytes is fine, with or without a CR; one more is not. */
    static const char rec[] = "{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[]}";
    size_t n = sizeof rec - 1;
    char buf[256];
    int k = snprintf(buf, sizeof buf, "%s\n%s\r\n %s\n%s", rec, rec, rec, rec);
    f = file_with(buf, (size_t)k);
    r = em_ndjson_open(f, "edge", n);
    expect_visit(r, "A", 1);
    expect_visit(r, "A", 2);
    expect_bad(r, EM_ERANGE, "edge", 3, "", "longer than");
    expect_visit(r, "A", 4);
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);

    /* A long last line without a newline. */
    o = snprintf(text, sizeof text, "{\"id\":\"A\",\"date\":\"2026-03-04\",\"lines\":[]}\n");
    memset(text + o, 'y', 100);
    f = file_with(text, (size_t)o + 100);
    r = em_ndjson_open(f, "tail", 64);
    expect_visit(r, "A", 1);
    expect_bad(r, EM_ERANGE, "tail", 2, "", "longer than 64");
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);
}

static void test_ndjson_records_across_reads(void **state)
{
    (void)state;
    /* Records bigger than the read buffer, and many small ones. */
    size_t big = 300 * 1024;
    size_t cap = 2 * big + 4096 * 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t o = 0;
    for (int i = 0; i < 2; i++) {
        o += (size_t)snprintf(text + o, cap - o,
                              "{\"id\":\"BIG%d\",\"date\":\"2026-03-04\",\"lines\":[],"
                              "\"note\":{\"text\":\"", i);
        memset(text + o, 'a' + i, big);
        o += big;
        o += (size_t)snprintf(text + o, cap - o, "\"}}\n");
    }
    for (int i = 0; i < 3000; i++)
        o += (size_t)snprintf(text + o, cap - o,
                              "{\"id\":\"S%d\",\"date\":\"2026-03-04\",\"lines\":[]}\n", i);
    FILE *f = file_with(text, o);
    free(text);
    em_ndjson_reader *r = em_ndjson_open(f, "big", 0);
    for (int i = 0; i < 2; i++) {
        em_visit *v = NULL;
        em_error err;
        assert_int_equal(em_ndjson_next(r, &v, &err), EM_OK);
        assert_int_equal(strlen(v->note.text), big);
        assert_int_equal(v->note.text[big - 1], 'a' + i);
        assert_int_equal(v->record, i + 1);
        em_visit_free(v);
    }
    for (int i = 0; i < 3000; i++) {
        char id[16];
        snprintf(id, sizeof id, "S%d", i);
        expect_visit(r, id, i + 3);
    }
    expect_eof(r);
    em_ndjson_close(r);
    fclose(f);
}

static void test_ndjson_read_error(void **state)
{
    (void)state;
    /* Reading a stream opened for writing fails: EM_EIO, and it stays failed. */
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    em_ndjson_reader *r = em_ndjson_open(f, "-", 0);
    em_visit *v = (em_visit *)1;
    em_error err;
    assert_int_equal(em_ndjson_next(r, &v, &err), EM_EIO);
    assert_null(v);
    assert_string_equal(err.file, "-");
    assert_non_null(strstr(err.message, "read error"));
    assert_int_equal(em_ndjson_next(r, &v, &err), EM_EIO);
    em_ndjson_close(r);
    fclose(f);
}

/* ---- writers ---- */

typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static void cap_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

static void cap_check(capture *c, const char *want)
{
    fclose(c->f);
    assert_string_equal(c->buf, want);
    free(c->buf);
}

static void test_write_claim_line(void **state)
{
    (void)state;
    capture c;
    const char *mods[] = { "GP", "CQ" };
    int dx[] = { 1, 2 };
    em_claim_line cl = { "V1001", "97112", 2, mods, 1, NULL, 0 };
    cap_open(&c);
    assert_int_equal(em_json_write_claim_line(c.f, &cl), EM_OK);
    cap_check(&c, "{\"visit\":\"V1001\",\"cpt\":\"97112\",\"units\":2,\"modifiers\":[\"GP\"]}\n");

    cl.n_modifiers = 2;
    cl.dx_pointers = dx;
    cl.n_dx_pointers = 2;
    cap_open(&c);
    assert_int_equal(em_json_write_claim_line(c.f, &cl), EM_OK);
    cap_check(&c, "{\"visit\":\"V1001\",\"cpt\":\"97112\",\"units\":2,"
                  "\"modifiers\":[\"GP\",\"CQ\"],\"dx_pointers\":[1,2]}\n");

    em_claim_line bare = { "V\"2", "97010", 1, NULL, 0, NULL, 0 };
    cap_open(&c);
    assert_int_equal(em_json_write_claim_line(c.f, &bare), EM_OK);
    cap_check(&c, "{\"visit\":\"V\\\"2\",\"cpt\":\"97010\",\"units\":1,\"modifiers\":[]}\n");
}

static void test_write_finding(void **state)
{
    (void)state;
    capture c;
    em_finding fd = { "V1001", 1, "medicare.units-match", EM_SEV_ERROR,
                      "billed 3 units, 47 minutes support 2", "CMS Pub. 100-04 ch. 5 s20.2" };
    cap_open(&c);
    assert_int_equal(em_json_write_finding(c.f, &fd), EM_OK);
    cap_check(&c, "{\"visit\":\"V1001\",\"line\":1,\"rule\":\"medicare.units-match\","
                  "\"severity\":\"error\",\"message\":\"billed 3 units, 47 minutes support 2\","
                  "\"cite\":\"CMS Pub. 100-04 ch. 5 s20.2\"}\n");

    em_finding whole = { "V1", 0, "doc.note", EM_SEV_WARNING,
                         "tab\there \"q\" \\ nl\n\x01 Ödem, 3×30 s", NULL };
    cap_open(&c);
    assert_int_equal(em_json_write_finding(c.f, &whole), EM_OK);
    cap_check(&c, "{\"visit\":\"V1\",\"rule\":\"doc.note\",\"severity\":\"warning\","
                  "\"message\":\"tab\\there \\\"q\\\" \\\\ nl\\n\\u0001 Ödem, 3×30 s\"}\n");

    /* Bytes that are not UTF-8 never reach the output raw. */
    em_finding junk = { "V1", 2, "r", EM_SEV_INFO, "a\xFF\xC3", NULL };
    cap_open(&c);
    assert_int_equal(em_json_write_finding(c.f, &junk), EM_OK);
    cap_check(&c, "{\"visit\":\"V1\",\"line\":2,\"rule\":\"r\",\"severity\":\"info\","
                  "\"message\":\"a\\ufffd\\ufffd\"}\n");
}

static void test_write_utf8_round_trip(void **state)
{
    (void)state;
    em_visit *v = parse_ok("{\"id\":\"Ö1\",\"date\":\"2026-03-04\",\"lines\":[],"
                           "\"note\":{\"text\":\"Ödem, 3×30 s \\u00e9\\ud83d\\ude00\"}}");
    capture c;
    em_finding fd = { v->id, 0, "r", EM_SEV_INFO, v->note.text, NULL };
    cap_open(&c);
    assert_int_equal(em_json_write_finding(c.f, &fd), EM_OK);
    cap_check(&c, "{\"visit\":\"Ö1\",\"rule\":\"r\",\"severity\":\"info\","
                  "\"message\":\"Ödem, 3×30 s é\xF0\x9F\x98\x80\"}\n");
    em_visit_free(v);
}

static void test_write_units(void **state)
{
    (void)state;
    em_unit_line lines[3];
    memset(lines, 0, sizeof lines);
    lines[0].cpt = "97112";
    lines[0].minutes = 24;
    lines[0].units = 2;
    lines[0].reason = EM_REASON_LEFTOVER;
    lines[1].cpt = "97110";
    lines[1].minutes = 23;
    lines[1].units = 1;
    lines[1].reason = EM_REASON_FULL;
    lines[2].cpt = "97010";
    lines[2].minutes = 0;
    lines[2].units = 1;
    lines[2].reason = EM_REASON_UNTIMED;
    em_unit_result res = { EM_METHOD_CMS, 47, 3, 4, 3 };
    capture c;
    cap_open(&c);
    assert_int_equal(em_json_write_units(c.f, &res, lines), EM_OK);
    cap_check(&c, "{\"method\":\"cms\",\"timed_minutes\":47,\"total_units\":4,\"lines\":["
                  "{\"cpt\":\"97112\",\"minutes\":24,\"units\":2,\"reason\":\"leftover-unit\"},"
                  "{\"cpt\":\"97110\",\"minutes\":23,\"units\":1,\"reason\":\"full-units\"},"
                  "{\"cpt\":\"97010\",\"minutes\":0,\"units\":1,\"reason\":\"untimed\"}]}\n");

    em_unit_result none = { EM_METHOD_AMA, 0, 0, 0, 0 };
    cap_open(&c);
    assert_int_equal(em_json_write_units(c.f, &none, NULL), EM_OK);
    cap_check(&c, "{\"method\":\"ama\",\"timed_minutes\":0,\"total_units\":0,\"lines\":[]}\n");
}

static void test_write_value(void **state)
{
    (void)state;
    em_value items[6];
    const char *keys[6] = { "i", "n", "s", "b", "z", "a" };
    memset(items, 0, sizeof items);
    items[0].type = EM_VALUE_INT;
    items[0].u.i = INT64_MIN;
    items[1].type = EM_VALUE_NUMBER;
    items[1].u.n = 0.1;
    items[2].type = EM_VALUE_STRING;
    items[2].u.s = "x\"y";
    items[3].type = EM_VALUE_BOOL;
    items[3].u.b = false;
    items[4].type = EM_VALUE_NUMBER;
    items[4].u.n = 1e300 * 1e300;  /* not finite: JSON has no such number */
    em_value arr_items[2];
    memset(arr_items, 0, sizeof arr_items);
    arr_items[0].type = EM_VALUE_NUMBER;
    arr_items[0].u.n = -2.5e-7;
    arr_items[1].type = EM_VALUE_INT;
    arr_items[1].u.i = 1440;
    items[5].type = EM_VALUE_ARRAY;
    items[5].u.list.items = arr_items;
    items[5].u.list.n = 2;
    em_value obj = { .type = EM_VALUE_OBJECT };
    obj.u.list.items = items;
    obj.u.list.keys = keys;
    obj.u.list.n = 6;
    capture c;
    cap_open(&c);
    assert_int_equal(em_json_write_value(c.f, &obj), EM_OK);
    cap_check(&c, "{\"i\":-9223372036854775808,\"n\":0.1,\"s\":\"x\\\"y\",\"b\":false,"
                  "\"z\":null,\"a\":[-2.5e-07,1440]}\n");

    cap_open(&c);
    assert_int_equal(em_json_write_value(c.f, NULL), EM_OK);
    cap_check(&c, "null\n");

    /* A tree deeper than the bound is refused and nothing is written. */
    em_value chain[80];
    for (int i = 0; i < 80; i++) {
        chain[i].type = EM_VALUE_ARRAY;
        chain[i].u.list.items = i < 79 ? &chain[i + 1] : NULL;
        chain[i].u.list.keys = NULL;
        chain[i].u.list.n = i < 79 ? 1 : 0;
    }
    cap_open(&c);
    assert_int_equal(em_json_write_value(c.f, &chain[0]), EM_EINVAL);
    cap_check(&c, "");
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/null", "r");
    assert_non_null(f);
    em_finding fd = { "V1", 0, "r", EM_SEV_INFO, "m", NULL };
    assert_int_equal(em_json_write_finding(f, &fd), EM_EIO);
    fclose(f);
}

/* ---- em_value_parse: any JSON text as a value tree ---- */

static const em_value *vparse_ok(em_arena *a, const char *json)
{
    em_value *v = NULL;
    em_error err;
    em_status st = em_value_parse(json, strlen(json), a, &v, &err);
    if (st != EM_OK)
        print_error("unexpected error: %s: %s\n  for %s\n", err.field, err.message, json);
    assert_int_equal(st, EM_OK);
    assert_non_null(v);
    return v;
}

static void vparse_error(const char *json, size_t len, const char *field,
                         const char *part)
{
    em_arena *a = em_arena_new(0);
    assert_non_null(a);
    em_value *v = (em_value *)1;
    em_error err;
    em_status st = em_value_parse(json, len, a, &v, &err);
    assert_int_equal(st, EM_EINVAL);
    assert_null(v);
    assert_string_equal(err.field, field);
    if (!strstr(err.message, part))
        print_error("message \"%s\" lacks \"%s\"\n", err.message, part);
    assert_non_null(strstr(err.message, part));
    em_arena_free(a);
}

static void test_value_parse_tree(void **state)
{
    (void)state;
    em_arena *a = em_arena_new(0);
    const em_value *v = vparse_ok(a,
        " {\"visit\":\"V1\",\"n\":47,\"neg\":-3,\"f\":2.5,\"big\":1e300,"
        "\"ok\":true,\"no\":false,\"z\":null,\"s\":\"caf\\u00e9 <b>\","
        "\"lines\":[{\"cpt\":\"97112\",\"units\":2},[]],\"e\":{}}\n");
    assert_int_equal(v->type, EM_VALUE_OBJECT);
    assert_int_equal(v->u.list.n, 11);
    assert_string_equal(v->u.list.keys[0], "visit");  /* input order is kept */
    assert_string_equal(em_value_get(v, "visit")->u.s, "V1");
    assert_int_equal(em_value_get(v, "n")->type, EM_VALUE_INT);
    assert_int_equal(em_value_get(v, "n")->u.i, 47);
    assert_int_equal(em_value_get(v, "neg")->u.i, -3);
    assert_int_equal(em_value_get(v, "f")->type, EM_VALUE_NUMBER);
    assert_true(em_value_get(v, "f")->u.n == 2.5);
    assert_int_equal(em_value_get(v, "big")->type, EM_VALUE_NUMBER);
    assert_int_equal(em_value_get(v, "ok")->type, EM_VALUE_BOOL);
    assert_true(em_value_get(v, "ok")->u.b);
    assert_false(em_value_get(v, "no")->u.b);
    assert_int_equal(em_value_get(v, "z")->type, EM_VALUE_NULL);
    assert_string_equal(em_value_get(v, "s")->u.s, "caf\xc3\xa9 <b>");
    const em_value *lines = em_value_get(v, "lines");
    assert_int_equal(lines->type, EM_VALUE_ARRAY);
    assert_null(lines->u.list.keys);
    assert_int_equal(lines->u.list.n, 2);
    assert_int_equal(em_value_get(&lines->u.list.items[0], "units")->u.i, 2);
    assert_int_equal(lines->u.list.items[1].type, EM_VALUE_ARRAY);
    assert_int_equal(lines->u.list.items[1].u.list.n, 0);
    assert_int_equal(em_value_get(v, "e")->type, EM_VALUE_OBJECT);
    assert_int_equal(em_value_get(v, "e")->u.list.n, 0);
    assert_null(em_value_get(v, "missing"));
    em_arena_free(a);
}

static void test_value_parse_scalars(void **state)
{
    (void)state;
    em_arena *a = em_arena_new(0);
    assert_int_equal(vparse_ok(a, "null")->type, EM_VALUE_NULL);
    assert_string_equal(vparse_ok(a, "\"x\"")->u.s, "x");
    assert_int_equal(vparse_ok(a, "9007199254740991")->u.i, INT64_C(9007199254740991));
    assert_int_equal(vparse_ok(a, "9007199254740992")->type, EM_VALUE_NUMBER);
    assert_int_equal(vparse_ok(a, "[1,2,3]")->u.list.n, 3);
    em_arena_free(a);
}

/* What em_json_write_value prints reads back as the same tree. */
static void test_value_parse_round_trip(void **state)
{
    (void)state;
    const char *text = "{\"a\":[1,-2,0.5,\"q\\\"\\\\\\n\",true,null],\"b\":{\"c\":{}}}";
    em_arena *a = em_arena_new(0);
    const em_value *v = vparse_ok(a, text);
    char buf[256] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    assert_int_equal(em_json_write_value(f, v), EM_OK);
    fclose(f);
    assert_string_equal(buf, "{\"a\":[1,-2,0.5,\"q\\\"\\\\\\n\",true,null],\"b\":{\"c\":{}}}\n");
    em_arena_free(a);
}

static void test_value_parse_errors(void **state)
{
    (void)state;
    vparse_error("", 0, "", "empty text");
    vparse_error("  \n", 3, "", "empty text");
    vparse_error("{\"a\":", 5, "", "not valid JSON at byte");
    vparse_error("{} x", 4, "", "unexpected text after the value at byte 4");
    vparse_error("{\"a\":1,\"a\":2}", 13, "a", "duplicate key \"a\"");
    vparse_error("{\"l\":[{\"k\":1,\"k\":1}]}", 21, "l[1].k", "duplicate key");
    vparse_error("\"a\\u0000b\"", 10, "", "NUL character");
    vparse_error("\"a\0b\"", 5, "", "NUL byte at byte 3");
    vparse_error("{\"s\":\"\xff\"}", 9, "s", "not valid UTF-8");
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        deep[n++] = '[';
    for (int i = 0; i < 65; i++)
        deep[n++] = ']';
    em_arena *d = em_arena_new(0);
    em_value *dv = (em_value *)1;
    em_error derr;
    assert_int_equal(em_value_parse(deep, n, d, &dv, &derr), EM_EINVAL);
    assert_null(dv);
    assert_true(strncmp(derr.field, "[1][1][1]", 9) == 0);  /* long paths are cut */
    assert_non_null(strstr(derr.message, "nested more than 64 levels"));
    em_arena_free(d);
    /* 64 levels are fine. */
    em_arena *a = em_arena_new(0);
    n = 0;
    for (int i = 0; i < 64; i++)
        deep[n++] = '[';
    for (int i = 0; i < 64; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    assert_int_equal(vparse_ok(a, deep)->type, EM_VALUE_ARRAY);
    em_value *v = (em_value *)1;
    assert_int_equal(em_value_parse("1", 1, NULL, &v, NULL), EM_EINVAL);
    assert_null(v);
    assert_int_equal(em_value_parse(NULL, 1, a, &v, NULL), EM_EINVAL);
    em_arena_free(a);
}

/* An arena limit turns a big text into EM_ENOMEM, not a crash. */
static void test_value_parse_arena_limit(void **state)
{
    (void)state;
    em_arena *a = em_arena_new(1024);
    assert_non_null(a);
    char text[8192];
    size_t n = 0;
    text[n++] = '[';
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"abc\"", i ? "," : "");
    text[n++] = ']';
    em_value *v = (em_value *)1;
    em_error err;
    assert_int_equal(em_value_parse(text, n, a, &v, &err), EM_ENOMEM);
    assert_null(v);
    em_arena_free(a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_visit),
        cmocka_unit_test(test_minimal_visit_defaults),
        cmocka_unit_test(test_nulls_are_absent),
        cmocka_unit_test(test_segments_and_minutes),
        cmocka_unit_test(test_dx_pointers_after_lines),
        cmocka_unit_test(test_extras),
        cmocka_unit_test(test_errors_top_level),
        cmocka_unit_test(test_errors_minutes),
        cmocka_unit_test(test_errors_line_fields),
        cmocka_unit_test(test_errors_times),
        cmocka_unit_test(test_errors_sections),
        cmocka_unit_test(test_errors_unknown_fields),
        cmocka_unit_test(test_errors_utf8),
        cmocka_unit_test(test_parse_misc),
        cmocka_unit_test(test_ndjson_mixed_file),
        cmocka_unit_test(test_ndjson_bom_crlf_no_final_newline),
        cmocka_unit_test(test_ndjson_empty_inputs),
        cmocka_unit_test(test_ndjson_long_lines),
        cmocka_unit_test(test_ndjson_records_across_reads),
        cmocka_unit_test(test_ndjson_read_error),
        cmocka_unit_test(test_write_claim_line),
        cmocka_unit_test(test_write_finding),
        cmocka_unit_test(test_write_utf8_round_trip),
        cmocka_unit_test(test_write_units),
        cmocka_unit_test(test_write_value),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_value_parse_tree),
        cmocka_unit_test(test_value_parse_scalars),
        cmocka_unit_test(test_value_parse_round_trip),
        cmocka_unit_test(test_value_parse_errors),
        cmocka_unit_test(test_value_parse_arena_limit),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
