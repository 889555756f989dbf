/* test_error.c: filling, locating, prefixing and formatting em_error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "em_error.h"

static void test_clear(void **state)
{
    (void)state;
    em_error err;
    memset(&err, 'x', sizeof err);
    em_error_clear(&err);
    assert_string_equal(err.file, "");
    assert_string_equal(err.field, "");
    assert_string_equal(err.message, "");
    assert_int_equal(err.record, 0);
    em_error_clear(NULL);  /* allowed, does nothing */
}

static void test_set(void **state)
{
    (void)state;
    em_error err;
    em_error_clear(&err);
    em_error_locate(&err, "visits.ndjson", 3);
    assert_int_equal(em_error_set(&err, EM_ERANGE, "minutes", "%d is more than %s",
                                  1500, "a day"), EM_ERANGE);
    assert_string_equal(err.field, "minutes");
    assert_string_equal(err.message, "1500 is more than a day");
    /* file and record are kept */
    assert_string_equal(err.file, "visits.ndjson");
    assert_int_equal(err.record, 3);
    /* NULL field clears the field */
    assert_int_equal(em_error_set(&err, EM_EINVAL, NULL, "bad"), EM_EINVAL);
    assert_string_equal(err.field, "");
    assert_string_equal(err.message, "bad");
    /* NULL err still returns the status */
    assert_int_equal(em_error_set(NULL, EM_ENOMEM, "x", "y"), EM_ENOMEM);
}

static void test_set_truncates(void **state)
{
    (void)state;
    em_error err;
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    em_error_clear(&err);
    em_error_set(&err, EM_EINVAL, big, "%s%s", big, "tail");
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    assert_int_equal(err.message[0], 'a');
}

static void test_locate(void **state)
{
    (void)state;
    em_error err;
    em_error_clear(&err);
    em_error_set(&err, EM_EINVAL, "date", "msg");
    em_error_locate(&err, "-", 12);
    assert_string_equal(err.file, "-");
    assert_int_equal(err.record, 12);
    assert_string_equal(err.field, "date");  /* kept */
    em_error_locate(&err, NULL, 0);
    assert_string_equal(err.file, "");
    assert_int_equal(err.record, 0);
    char longname[600];
    memset(longname, 'f', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    em_error_locate(&err, longname, 1);
    assert_int_equal(strlen(err.file), sizeof err.file - 1);
    em_error_locate(NULL, "x", 1);  /* allowed */
}

static void test_prefix_field(void **state)
{
    (void)state;
    em_error err;
    em_error_clear(&err);
    em_error_set(&err, EM_EINVAL, "minutes", "must be a whole number");
    em_error_prefix_field(&err, "lines[2]");
    assert_string_equal(err.field, "lines[2].minutes");
    em_error_prefix_field(&err, "visit");
    assert_string_equal(err.field, "visit.lines[2].minutes");

    /* An index path joins without a dot. */
    em_error_set(&err, EM_EINVAL, "[0]", "m");
    em_error_prefix_field(&err, "lines");
    assert_string_equal(err.field, "lines[0]");
    em_error_set(&err, EM_EINVAL, "[1].start", "m");
    em_error_prefix_field(&err, "segments");
    assert_string_equal(err.field, "segments[1].start");
    em_error_prefix_field(&err, "lines[0]");
    assert_string_equal(err.field, "lines[0].segments[1].start");
    em_error_set(&err, EM_EINVAL, "start", "m");
    em_error_prefix_field(&err, "[3]");
    assert_string_equal(err.field, "[3].start");

    /* An empty field becomes the prefix. */
    em_error_set(&err, EM_EINVAL, NULL, "m");
    em_error_prefix_field(&err, "lines[2]");
    assert_string_equal(err.field, "lines[2]");

    /* NULL or empty prefixes change nothing. */
    em_error_prefix_field(&err, NULL);
    em_error_prefix_field(&err, "");
    assert_string_equal(err.field, "lines[2]");
    em_error_prefix_field(NULL, "x");
}

static void test_prefix_long_paths(void **state)
{
    (void)state;
    em_error err;
    char prefix[300];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    em_error_clear(&err);
    em_error_set(&err, EM_EINVAL, "minutes", "m");
    em_error_prefix_field(&err, prefix);
    /* Truncated to the buffer, keeping the start of the path. */
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(err.field[0], 'p');
    assert_int_equal(err.field[sizeof err.field - 2], 'p');

    /* A full field and a long prefix still fit. */
    char field[200];
    memset(field, 'f', sizeof field - 1);
    field[sizeof field - 1] = '\0';
    em_error_set(&err, EM_EINVAL, field, "m");
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    em_error_prefix_field(&err, "lines[2]");
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(strncmp(err.field, "lines[2].fff", 12), 0);

    /* Deep nesting, one level at a time, never overflows. */
    em_error_set(&err, EM_EINVAL, "x", "m");
    for (int i = 0; i < 100; i++)
        em_error_prefix_field(&err, "items[123]");
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(strncmp(err.field, "items[123].items[123].", 22), 0);
}

static void test_format(void **state)
{
    (void)state;
    em_error err;
    char buf[512];
    em_error_clear(&err);
    em_error_locate(&err, "visits.ndjson", 3);
    em_error_set(&err, EM_EINVAL, "minutes", "must be a whole number");
    em_error_prefix_field(&err, "lines[2]");
    int n = em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "visits.ndjson:3: lines[2].minutes: must be a whole number");
    assert_int_equal(n, (int)strlen(buf));

    em_error_locate(&err, NULL, 3);  /* no file */
    em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "record 3: lines[2].minutes: must be a whole number");

    em_error_locate(&err, "visits.ndjson", 0);  /* no record */
    em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "visits.ndjson: lines[2].minutes: must be a whole number");

    em_error_locate(&err, "-", 7);
    em_error_set(&err, EM_EINVAL, NULL, "not JSON");  /* no field */
    em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "-:7: not JSON");

    em_error_clear(&err);  /* message only */
    em_error_set(&err, EM_ENOMEM, NULL, "out of memory");
    em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "out of memory");

    em_error_set(&err, EM_EINVAL, "date", "bad date");  /* field, no place */
    em_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "date: bad date");
}

static void test_format_small_buffer(void **state)
{
    (void)state;
    em_error err;
    em_error_clear(&err);
    em_error_locate(&err, "visits.ndjson", 3);
    em_error_set(&err, EM_EINVAL, "lines[2].minutes", "must be a whole number");
    const char *full = "visits.ndjson:3: lines[2].minutes: must be a whole number";
    char buf[10];
    memset(buf, 'z', sizeof buf);
    int n = em_error_format(&err, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(full));  /* the length it wanted */
    assert_string_equal(buf, "visits.nd");
    assert_int_equal(em_error_format(&err, NULL, 0), (int)strlen(full));

    /* Every part at its longest still formats without overflow. */
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    em_error_locate(&err, big, 2147483647L);
    em_error_set(&err, EM_EINVAL, big, "%s", big);
    char out[1024];
    n = em_error_format(&err, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(out));
    assert_non_null(strstr(out, ":2147483647: "));
}

static void test_status_name(void **state)
{
    (void)state;
    assert_string_equal(em_status_name(EM_OK), "ok");
    assert_string_equal(em_status_name(EM_EOF), "end of input");
    assert_string_equal(em_status_name(EM_EINVAL), "invalid input");
    assert_string_equal(em_status_name(EM_ERANGE), "out of range");
    assert_string_equal(em_status_name(EM_ENOMEM), "out of memory");
    assert_string_equal(em_status_name(EM_EIO), "input/output error");
    assert_string_equal(em_status_name((em_status)99), "unknown status");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_set_truncates),
        cmocka_unit_test(test_locate),
        cmocka_unit_test(test_prefix_field),
        cmocka_unit_test(test_prefix_long_paths),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_status_name),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
