/* test_time.c: dates, clock times, durations and intervals (core/time.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "em_time.h"

#define D20260304 20516  /* 2026-03-04, a Wednesday */

/* Every parse goes through an exact-size heap copy with no NUL after it,
 * so AddressSanitizer catches any read past len. */
static char *exact_copy(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, s, len);
    return p;
}

static em_status date_parse(const char *s, int32_t *days, em_error *err)
{
    size_t len = strlen(s);
    char *p = exact_copy(s, len);
    em_error_clear(err);
    em_status st = em_date_parse(p, len, days, err);
    free(p);
    return st;
}

static em_status tp_parse(const char *s, em_timepoint *tp, em_error *err)
{
    size_t len = strlen(s);
    char *p = exact_copy(s, len);
    em_error_clear(err);
    em_status st = em_timepoint_parse(p, len, tp, err);
    free(p);
    return st;
}

static em_status dur_parse(const char *s, int32_t *sec, em_error *err)
{
    size_t len = strlen(s);
    char *p = exact_copy(s, len);
    em_error_clear(err);
    em_status st = em_duration_parse(p, len, sec, err);
    free(p);
    return st;
}

/* The message contains want, and the field is left to the caller. */
static void assert_message(const em_error *err, const char *want)
{
    if (!strstr(err->message, want))
        fail_msg("message \"%s\" lacks \"%s\"", err->message, want);
    assert_string_equal(err->field, "");
}

/* ---- dates ---- */

static void test_date_parse_valid(void **state)
{
    (void)state;
    em_error err;
    int32_t d = -1;
    assert_int_equal(date_parse("2026-03-04", &d, &err), EM_OK);
    assert_int_equal(d, D20260304);
    assert_int_equal(date_parse("1970-01-01", &d, &err), EM_OK);
    assert_int_equal(d, 0);
    assert_int_equal(date_parse("2000-01-01", &d, &err), EM_OK);
    assert_int_equal(d, 10957);
    assert_int_equal(date_parse("1800-01-01", &d, &err), EM_OK);
    assert_int_equal(d, -62091);
    assert_int_equal(date_parse("9999-12-31", &d, &err), EM_OK);
    assert_int_equal(d, 2932896);
    assert_int_equal(date_parse("2026-01-31", &d, &err), EM_OK);
    assert_int_equal(date_parse("2026-04-30", &d, &err), EM_OK);
}

static void test_date_parse_errors(void **state)
{
    (void)state;
    em_error err;
    int32_t d = 77;
    assert_int_equal(date_parse("", &d, &err), EM_EINVAL);
    assert_message(&err, "expected a date YYYY-MM-DD, got an empty string");
    assert_int_equal(date_parse("2026-3-04", &d, &err), EM_EINVAL);
    assert_message(&err, "expected a date YYYY-MM-DD, got \"2026-3-04\"");
    assert_int_equal(date_parse("04/03/2026", &d, &err), EM_EINVAL);
    assert_message(&err, "expected a date YYYY-MM-DD, got \"04/03/2026\"");
    assert_int_equal(date_parse("2026-03-04x", &d, &err), EM_EINVAL);
    assert_message(&err, "unexpected \"x\" after the date in \"2026-03-04x\"");
    assert_int_equal(date_parse("2026-03-04T09:00", &d, &err), EM_EINVAL);
    assert_message(&err, "unexpected \"T09:00\" after the date");
    assert_int_equal(date_parse(" 2026-03-04", &d, &err), EM_EINVAL);
    assert_int_equal(date_parse("2026-13-01", &d, &err), EM_ERANGE);
    assert_message(&err, "month 13 is out of range");
    assert_int_equal(date_parse("2026-00-10", &d, &err), EM_ERANGE);
    assert_message(&err, "month 0 is out of range");
    assert_int_equal(date_parse("2026-01-00", &d, &err), EM_ERANGE);
    assert_message(&err, "day 0 is out of range");
    assert_int_equal(date_parse("2026-02-30", &d, &err), EM_ERANGE);
    assert_string_equal(err.message, "2026-02-30: February 2026 has 28 days");
    assert_int_equal(date_parse("2026-04-31", &d, &err), EM_ERANGE);
    assert_message(&err, "2026-04-31: April 2026 has 30 days");
    assert_int_equal(date_parse("2026-01-32", &d, &err), EM_ERANGE);
    assert_message(&err, "2026-01-32: January 2026 has 31 days");
    assert_int_equal(date_parse("1799-12-31", &d, &err), EM_ERANGE);
    assert_message(&err, "year 1799 is out of range (1800..9999)");
    assert_int_equal(date_parse("0000-01-01", &d, &err), EM_ERANGE);
    assert_message(&err, "year 0 is out of range");
    assert_int_equal(date_parse("10000-01-01", &d, &err), EM_EINVAL);
    assert_int_equal(d, 77);  /* untouched on error */
    /* A NULL err is allowed: the status still says what happened. */
    assert_int_equal(em_date_parse("2026-02-30", 10, &d, NULL), EM_ERANGE);
}

static void test_leap_years(void **state)
{
    (void)state;
    em_error err;
    int32_t d;
    assert_int_equal(date_parse("2024-02-29", &d, &err), EM_OK);
    assert_int_equal(d, 19782);
    assert_int_equal(date_parse("2026-02-29", &d, &err), EM_ERANGE);
    assert_message(&err, "2026-02-29: February 2026 has 28 days");
    assert_int_equal(date_parse("1900-02-29", &d, &err), EM_ERANGE);
    assert_message(&err, "February 1900 has 28 days");
    assert_int_equal(date_parse("2000-02-29", &d, &err), EM_OK);
    assert_int_equal(date_parse("2000-02-30", &d, &err), EM_ERANGE);
    assert_message(&err, "February 2000 has 29 days");
    assert_true(em_date_is_leap_year(2024));
    assert_true(em_date_is_leap_year(2000));
    assert_true(em_date_is_leap_year(1600));
    assert_false(em_date_is_leap_year(1900));
    assert_false(em_date_is_leap_year(2100));
    assert_false(em_date_is_leap_year(2026));
    assert_int_equal(em_date_days_in_month(2024, 2), 29);
    assert_int_equal(em_date_days_in_month(2026, 2), 28);
    assert_int_equal(em_date_days_in_month(2026, 12), 31);
    assert_int_equal(em_date_days_in_month(2026, 11), 30);
    assert_int_equal(em_date_days_in_month(2026, 0), 0);
    assert_int_equal(em_date_days_in_month(2026, 13), 0);
}

/* Walks every day from 1800-01-01 to 9999-12-31 with a plain calendar
 * counter and checks both conversions and a format/parse round trip. */
static void test_date_round_trip(void **state)
{
    (void)state;
    int y = 1800, m = 1, d = 1;
    int32_t first = em_date_from_ymd(1800, 1, 1);
    int32_t last = em_date_from_ymd(9999, 12, 31);
    assert_int_equal(last - first + 1, 8200 * 365 + 1988);  /* days in 8200 years */
    for (int32_t days = first; days <= last; days++) {
        int yy, mm, dd;
        assert_int_equal(em_date_from_ymd(y, m, d), days);
        em_date_to_ymd(days, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            fail_msg("day %d: got %d-%d-%d, want %d-%d-%d", (int)days, yy, mm,
                     dd, y, m, d);
        if (d == 1 || days % 97 == 0) {  /* parsing every day is slow under ASan */
            char text[11];
            int32_t back = 0;
            em_date_format(days, text);
            assert_int_equal(em_date_parse(text, 10, &back, NULL), EM_OK);
            assert_int_equal(back, days);
        }
        if (++d > em_date_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(y, 10000);
}

static void test_date_format(void **state)
{
    (void)state;
    char out[11];
    em_date_format(D20260304, out);
    assert_string_equal(out, "2026-03-04");
    em_date_format(-62091, out);
    assert_string_equal(out, "1800-01-01");
    em_date_format(2932896, out);
    assert_string_equal(out, "9999-12-31");
    em_date_format(em_date_from_ymd(5, 6, 7), out);
    assert_string_equal(out, "0005-06-07");
    em_date_format(INT32_MAX, out);  /* beyond 9999: no overflow of out */
    assert_string_equal(out, "?\?\?\?-\?\?-\?\?");
    em_date_format(INT32_MIN, out);
    assert_string_equal(out, "?\?\?\?-\?\?-\?\?");
}

static void test_date_add_days(void **state)
{
    (void)state;
    em_error err;
    int32_t out = 0;
    char text[11];
    struct { int y, m, d, n; const char *want; } cases[] = {
        { 2026, 1, 31, 1, "2026-02-01" },
        { 2026, 2, 28, 1, "2026-03-01" },
        { 2024, 2, 28, 1, "2024-02-29" },
        { 2024, 2, 29, 1, "2024-03-01" },
        { 2026, 12, 31, 1, "2027-01-01" },
        { 2026, 1, 1, -1, "2025-12-31" },
        { 2026, 3, 1, -1, "2026-02-28" },
        { 2026, 3, 4, 365, "2027-03-04" },
        { 2026, 3, 4, 0, "2026-03-04" },
        { 1800, 1, 1, 0, "1800-01-01" },
        { 9999, 12, 30, 1, "9999-12-31" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        em_error_clear(&err);
        int32_t from = em_date_from_ymd(cases[i].y, cases[i].m, cases[i].d);
        assert_int_equal(em_date_add_days(from, cases[i].n, &out, &err), EM_OK);
        em_date_format(out, text);
        assert_string_equal(text, cases[i].want);
    }
    out = 1234;
    em_error_clear(&err);
    assert_int_equal(em_date_add_days(2932896, 1, &out, &err), EM_ERANGE);
    assert_message(&err, "9999-12-31 plus 1 days is after 9999-12-31");
    assert_int_equal(out, 1234);
    assert_int_equal(em_date_add_days(-62091, -1, &out, &err), EM_ERANGE);
    assert_message(&err, "1800-01-01 minus 1 days is before 1800-01-01");
    assert_int_equal(em_date_add_days(D20260304, INT32_MAX, &out, &err), EM_ERANGE);
    assert_message(&err, "plus 2147483647 days is after 9999-12-31");
    assert_int_equal(em_date_add_days(D20260304, INT32_MIN, &out, &err), EM_ERANGE);
    assert_message(&err, "minus 2147483648 days is before 1800-01-01");
    assert_int_equal(em_date_add_days(INT32_MAX, INT32_MAX, &out, NULL), EM_ERANGE);
    assert_int_equal(em_date_add_days(INT32_MIN, INT32_MIN, &out, NULL), EM_ERANGE);
    assert_int_equal(out, 1234);
}

static void test_weekday_and_between(void **state)
{
    (void)state;
    assert_int_equal(em_date_weekday(D20260304), 2);   /* Wednesday */
    assert_int_equal(em_date_weekday(0), 3);           /* 1970-01-01 Thursday */
    assert_int_equal(em_date_weekday(10957), 5);       /* 2000-01-01 Saturday */
    assert_int_equal(em_date_weekday(-62091), 2);      /* 1800-01-01 Wednesday */
    assert_int_equal(em_date_weekday(2932896), 4);     /* 9999-12-31 Friday */
    assert_int_equal(em_date_weekday(em_date_from_ymd(2026, 3, 2)), 0);  /* Monday */
    assert_int_equal(em_date_weekday(em_date_from_ymd(2026, 3, 8)), 6);  /* Sunday */
    assert_int_equal(em_date_weekday(-1), 2);          /* 1969-12-31 Wednesday */
    for (int32_t d = -10; d < 10; d++)
        assert_int_equal(em_date_weekday(d + 1), (em_date_weekday(d) + 1) % 7);
    assert_true(em_date_weekday(INT32_MIN) >= 0);
    assert_true(em_date_weekday(INT32_MAX) < 7);

    assert_int_equal(em_date_days_between(D20260304, D20260304 + 10), 10);
    assert_int_equal(em_date_days_between(D20260304 + 10, D20260304), -10);
    assert_int_equal(em_date_days_between(em_date_from_ymd(2024, 1, 1),
                                          em_date_from_ymd(2025, 1, 1)), 366);
    assert_int_equal(em_date_days_between(INT32_MIN, INT32_MAX), INT32_MAX);
}

/* ---- time points ---- */

static void test_timepoint_clock_forms(void **state)
{
    (void)state;
    em_error err;
    em_timepoint tp;
    struct { const char *s; int32_t second; } cases[] = {
        { "09:05", 9 * 3600 + 5 * 60 },
        { "9:05", 9 * 3600 + 5 * 60 },
        { "00:00", 0 },
        { "0:00", 0 },
        { "23:59", 86340 },
        { "09:05:30", 32730 },
        { "23:59:59", 86399 },
        { "09:05:30.999", 32730 },   /* fractions are dropped, not rounded */
        { "09:05:30,5", 32730 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (tp_parse(cases[i].s, &tp, &err) != EM_OK)
            fail_msg("%s: %s", cases[i].s, err.message);
        assert_int_equal(tp.second, cases[i].second);
        assert_int_equal(tp.date, EM_DATE_NONE);
        assert_int_equal(tp.offset, EM_OFFSET_NONE);
    }
}

static void test_timepoint_datetime_forms(void **state)
{
    (void)state;
    em_error err;
    em_timepoint tp;
    struct { const char *s; int32_t date, second, offset; } cases[] = {
        { "2026-03-04T09:05:00-05:00", D20260304, 32700, -5 * 3600 },
        { "2026-03-04T14:05Z", D20260304, 50700, 0 },
        { "2026-03-04T14:05z", D20260304, 50700, 0 },
        { "2026-03-04T14:05+0530", D20260304, 50700, 5 * 3600 + 1800 },
        { "2026-03-04T14:05+05", D20260304, 50700, 5 * 3600 },
        { "2026-03-04T14:05:09.123456+05:30", D20260304, 50709, 19800 },
        { "2026-03-04T14:05-00:00", D20260304, 50700, 0 },
        { "2026-03-04T09:05", D20260304, 32700, EM_OFFSET_NONE },
        { "2026-03-04 09:05", D20260304, 32700, EM_OFFSET_NONE },
        { "2026-03-04t09:05", D20260304, 32700, EM_OFFSET_NONE },
        { "2026-03-04T23:59:59+18:00", D20260304, 86399, 18 * 3600 },
        { "2026-03-04T00:00-18:00", D20260304, 0, -18 * 3600 },
        { "09:05Z", EM_DATE_NONE, 32700, 0 },
        { "09:05-0330", EM_DATE_NONE, 32700, -(3 * 3600 + 1800) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (tp_parse(cases[i].s, &tp, &err) != EM_OK)
            fail_msg("%s: %s", cases[i].s, err.message);
        assert_int_equal(tp.date, cases[i].date);
        assert_int_equal(tp.second, cases[i].second);
        assert_int_equal(tp.offset, cases[i].offset);
    }
}

static void test_timepoint_errors(void **state)
{
    (void)state;
    em_error err;
    em_timepoint tp = { 1, 2, 3 };
    struct { const char *s; em_status st; const char *msg; } cases[] = {
        { "", EM_EINVAL, "expected HH:MM, got an empty string" },
        { "25:00", EM_ERANGE, "hour 25 is out of range" },
        { "24:00", EM_ERANGE, "hour 24 is out of range (0..23; a segment ends at 23:59" },
        { "99:99", EM_ERANGE, "hour 99 is out of range" },
        { "09:60", EM_ERANGE, "minute 60 is out of range" },
        { "09:05:60", EM_ERANGE, "second 60 is out of range" },
        { "9h05", EM_EINVAL, "expected HH:MM, got \"9h05\"" },
        { "09:5", EM_EINVAL, "expected HH:MM, got \"09:5\"" },
        { "123:00", EM_EINVAL, "expected HH:MM, got \"123:00\"" },
        { ":05", EM_EINVAL, "expected HH:MM, got \":05\"" },
        { "0905", EM_EINVAL, "expected HH:MM, got \"0905\"" },
        { "09", EM_EINVAL, "expected HH:MM, got \"09\"" },
        { " 09:05", EM_EINVAL, "expected HH:MM, got \" 09:05\"" },
        { "09:05 ", EM_EINVAL, "unexpected \" \" after the time in \"09:05 \"" },
        { "09:05x", EM_EINVAL, "unexpected \"x\" after the time in \"09:05x\"" },
        { "09:05am", EM_EINVAL, "unexpected \"am\" after the time" },
        { "09:05.5", EM_EINVAL, "unexpected \".5\" after the time" },
        { "09:05:3", EM_EINVAL, "expected HH:MM:SS, got \"09:05:3\"" },
        { "09:05:30.", EM_EINVAL, "expected digits after the decimal mark" },
        { "09:05:30Zx", EM_EINVAL, "expected a UTC offset like Z, +05:30, +0530 or +05, got \"Zx\"" },
        { "09:05+5", EM_EINVAL, "got \"+5\" in \"09:05+5\"" },
        { "09:05+05:3", EM_EINVAL, "got \"+05:3\"" },
        { "09:05+053", EM_EINVAL, "got \"+053\"" },
        { "09:05+05:300", EM_EINVAL, "got \"+05:300\"" },
        { "09:05+19:00", EM_ERANGE, "offset +19:00 is out of range (-18:00..+18:00)" },
        { "09:05-18:01", EM_ERANGE, "offset -18:01 is out of range" },
        { "09:05+05:60", EM_ERANGE, "offset minute 60 is out of range" },
        { "2026-03-04", EM_EINVAL, "expected a time after the date in \"2026-03-04\"" },
        { "2026-03-04X09:00", EM_EINVAL, "expected 'T' between the date and the time" },
        { "2026-03-04T", EM_EINVAL, "expected HH:MM, got \"2026-03-04T\"" },
        { "2026-03-04T9h", EM_EINVAL, "expected HH:MM, got \"2026-03-04T9h\"" },
        { "2026-3-04T09:00", EM_EINVAL, "expected a date-time YYYY-MM-DDTHH:MM, got \"2026-3-04T09:00\"" },
        { "2026-02-30T09:00", EM_ERANGE, "2026-02-30: February 2026 has 28 days" },
        { "2026-13-01T09:00", EM_ERANGE, "month 13 is out of range" },
        { "1700-01-01T09:00", EM_ERANGE, "year 1700 is out of range" },
        { "2026-03-04T25:00Z", EM_ERANGE, "hour 25 is out of range" },
        { "2026-03-04T09:00Z junk", EM_EINVAL, "expected a UTC offset" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        em_status st = tp_parse(cases[i].s, &tp, &err);
        if (st != cases[i].st)
            fail_msg("%s: status %d, want %d (%s)", cases[i].s, st, cases[i].st,
                     err.message);
        if (!strstr(err.message, cases[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].s, err.message,
                     cases[i].msg);
        assert_string_equal(err.field, "");
    }
    /* The output is untouched on error. */
    assert_int_equal(tp.date, 1);
    assert_int_equal(tp.second, 2);
    assert_int_equal(tp.offset, 3);
    /* NULL with no bytes is the empty string, not a crash. */
    assert_int_equal(em_timepoint_parse(NULL, 0, &tp, &err), EM_EINVAL);
}

/* Untrusted bytes are escaped and long input is cut in messages. */
static void test_timepoint_error_quoting(void **state)
{
    (void)state;
    em_error err;
    em_timepoint tp;
    assert_int_equal(tp_parse("\x01\"\\:05", &tp, &err), EM_EINVAL);
    assert_message(&err, "got \"\\x01\\\"\\\\:05\"");
    char longbuf[300];
    memset(longbuf, 'x', sizeof longbuf - 1);
    longbuf[sizeof longbuf - 1] = '\0';
    assert_int_equal(tp_parse(longbuf, &tp, &err), EM_EINVAL);
    assert_message(&err, "xxx...\"");
    assert_true(strlen(err.message) < 100);
    memcpy(longbuf, "09:05", 5);
    assert_int_equal(tp_parse(longbuf, &tp, &err), EM_EINVAL);
    assert_message(&err, "unexpected \"xxxx");
}

/* Parsers read exactly len bytes of a longer string. */
static void test_slices_stop_at_len(void **state)
{
    (void)state;
    em_error err;
    em_timepoint tp;
    const char *text = "09:05:30+05:00";
    assert_int_equal(em_timepoint_parse(text, 5, &tp, &err), EM_OK);
    assert_int_equal(tp.second, 32700);
    assert_int_equal(tp.offset, EM_OFFSET_NONE);
    assert_int_equal(em_timepoint_parse(text, 8, &tp, &err), EM_OK);
    assert_int_equal(tp.second, 32730);
    assert_int_equal(em_timepoint_parse(text, 11, &tp, &err), EM_OK);
    assert_int_equal(tp.offset, 5 * 3600);
    assert_int_equal(em_timepoint_parse(text, 4, &tp, &err), EM_EINVAL);
    assert_message(&err, "got \"09:0\"");
    assert_int_equal(em_timepoint_parse("2026-03-04T09:05Z", 16, &tp, &err), EM_OK);
    assert_int_equal(tp.offset, EM_OFFSET_NONE);
    int32_t d;
    assert_int_equal(em_date_parse("2026-03-04T09:05", 10, &d, &err), EM_OK);
    assert_int_equal(d, D20260304);
    assert_int_equal(em_date_parse("2026-03-045", 9, &d, &err), EM_EINVAL);
    assert_message(&err, "got \"2026-03-0\"");
    int32_t sec;
    assert_int_equal(em_duration_parse("245", 2, &sec, &err), EM_OK);
    assert_int_equal(sec, 24 * 60);
    assert_int_equal(em_duration_parse("PT45M30S", 5, &sec, &err), EM_OK);
    assert_int_equal(sec, 45 * 60);
    /* A slice of zero bytes is empty, whatever follows it. */
    assert_int_equal(em_duration_parse("24", 0, &sec, &err), EM_EINVAL);
    assert_message(&err, "empty string");
}

static void test_timepoint_format(void **state)
{
    (void)state;
    char out[32];
    em_timepoint tp = { EM_DATE_NONE, 32700, EM_OFFSET_NONE };
    em_timepoint_format(&tp, out);
    assert_string_equal(out, "09:05");
    tp.second = 32730;
    em_timepoint_format(&tp, out);
    assert_string_equal(out, "09:05:30");
    tp = (em_timepoint){ D20260304, 32700, -5 * 3600 };
    em_timepoint_format(&tp, out);
    assert_string_equal(out, "2026-03-04T09:05-05:00");
    tp.offset = 0;
    em_timepoint_format(&tp, out);
    assert_string_equal(out, "2026-03-04T09:05Z");
    tp.offset = 19800;
    tp.second = 86399;
    em_timepoint_format(&tp, out);
    assert_string_equal(out, "2026-03-04T23:59:59+05:30");
    /* Values no parser makes still give bounded text. */
    tp = (em_timepoint){ INT32_MAX, INT32_MAX, INT32_MAX };
    em_timepoint_format(&tp, out);
    assert_true(strlen(out) < 32);

    const char *texts[] = { "00:00", "23:59:59", "2026-03-04T14:05Z",
                            "1800-01-01T00:00-18:00", "9999-12-31T23:59:59+18:00",
                            "2026-03-04T09:05-05:30" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        em_timepoint back;
        assert_int_equal(tp_parse(texts[i], &back, NULL), EM_OK);
        em_timepoint_format(&back, out);
        assert_string_equal(out, texts[i]);
    }
}

/* ---- durations ---- */

static void test_duration_forms(void **state)
{
    (void)state;
    em_error err;
    int32_t sec;
    struct { const char *s; int32_t sec; } cases[] = {
        { "24", 1440 }, { "0", 0 }, { "007", 420 }, { "1440", 86400 },
        { "PT1H30M", 5400 }, { "PT45M", 2700 }, { "PT90S", 90 },
        { "PT1H", 3600 }, { "PT1M30S", 90 }, { "PT24H", 86400 },
        { "PT0S", 0 }, { "P1D", 86400 }, { "P0DT45M", 2700 },
        { "pt45m", 2700 }, { "-0", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (dur_parse(cases[i].s, &sec, &err) != EM_OK)
            fail_msg("%s: %s", cases[i].s, err.message);
        assert_int_equal(sec, cases[i].sec);
    }
}

static void test_duration_errors(void **state)
{
    (void)state;
    em_error err;
    int32_t sec = 5;
    struct { const char *s; em_status st; const char *msg; } cases[] = {
        { "", EM_EINVAL, "got an empty string" },
        { "-5", EM_ERANGE, "the duration \"-5\" is negative" },
        { "-PT5M", EM_ERANGE, "the duration \"-PT5M\" is negative" },
        { "1441", EM_ERANGE, "the duration \"1441\" is over 24 hours" },
        { "PT24H1S", EM_ERANGE, "is over 24 hours" },
        { "PT25H", EM_ERANGE, "the duration \"PT25H\" is over 24 hours" },
        { "P1DT1S", EM_ERANGE, "is over 24 hours" },
        { "99999999999999999999999", EM_ERANGE, "is over 24 hours" },
        { "PT99999999999999999999H", EM_ERANGE, "is over 24 hours" },
        { "1:30", EM_EINVAL, "\"1:30\" is a clock time, not a duration" },
        { "24.5", EM_EINVAL, "expected whole minutes, got \"24.5\"" },
        { "24 ", EM_EINVAL, "expected a duration in minutes (\"24\") or ISO-8601 (\"PT24M\"), got \"24 \"" },
        { "abc", EM_EINVAL, "got \"abc\"" },
        { "-", EM_EINVAL, "got \"-\"" },
        { "+5", EM_EINVAL, "got \"+5\"" },
        { "P", EM_EINVAL, "the duration \"P\" has no hours, minutes or seconds" },
        { "PT", EM_EINVAL, "has no hours, minutes or seconds" },
        { "P30M", EM_EINVAL, "\"P30M\" means months in ISO-8601; write PT30M for minutes" },
        { "P1Y", EM_EINVAL, "years and weeks are not accepted" },
        { "P2W", EM_EINVAL, "years and weeks are not accepted" },
        { "PT1.5H", EM_EINVAL, "fractions are not accepted" },
        { "PT30M1H", EM_EINVAL, "expected an ISO-8601 duration like PT1H30M, got \"PT30M1H\"" },
        { "PT1H1H", EM_EINVAL, "expected an ISO-8601 duration" },
        { "PT5", EM_EINVAL, "expected an ISO-8601 duration" },
        { "PTT5M", EM_EINVAL, "expected an ISO-8601 duration" },
        { "PT5M ", EM_EINVAL, "expected an ISO-8601 duration" },
        { "PT5X", EM_EINVAL, "expected an ISO-8601 duration" },
        { "P1DT", EM_EINVAL, "expected an ISO-8601 duration like PT1H30M, got \"P1DT\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        em_status st = dur_parse(cases[i].s, &sec, &err);
        if (st != cases[i].st)
            fail_msg("%s: status %d, want %d (%s)", cases[i].s, st, cases[i].st,
                     err.message);
        if (!strstr(err.message, cases[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].s, err.message,
                     cases[i].msg);
        if (st != EM_OK)
            assert_int_equal(sec, 5);  /* untouched on error */
    }
}

/* ---- intervals ---- */

static em_status make(const char *a, const char *b, int32_t date, em_interval *iv,
                      em_error *err)
{
    em_timepoint s, e;
    if (tp_parse(a, &s, err) != EM_OK || tp_parse(b, &e, err) != EM_OK)
        fail_msg("cannot parse %s or %s: %s", a, b, err->message);
    em_error_clear(err);
    return em_interval_make(&s, &e, date, iv, err);
}

static void test_interval_local(void **state)
{
    (void)state;
    em_error err;
    em_interval iv;
    int64_t day = (int64_t)D20260304 * 86400;
    assert_int_equal(make("09:00", "09:24", D20260304, &iv, &err), EM_OK);
    assert_true(iv.start == day + 9 * 3600);
    assert_true(iv.end == day + 9 * 3600 + 24 * 60);
    assert_int_equal(em_interval_seconds(&iv), 1440);
    assert_int_equal(em_seconds_to_minutes(em_interval_seconds(&iv)), 24);
    /* No default date: date 0 for both. */
    assert_int_equal(make("09:00", "09:24:59", EM_DATE_NONE, &iv, &err), EM_OK);
    assert_true(iv.start == 9 * 3600);
    assert_int_equal(em_seconds_to_minutes(em_interval_seconds(&iv)), 24);
    /* Zero length is allowed. */
    assert_int_equal(make("09:00", "09:00", D20260304, &iv, &err), EM_OK);
    assert_int_equal(em_interval_seconds(&iv), 0);
    /* An explicit date wins over the default; a bare point takes it. */
    assert_int_equal(make("2026-03-04T09:00", "09:30", D20260304, &iv, &err), EM_OK);
    assert_int_equal(em_interval_seconds(&iv), 1800);
    assert_int_equal(make("2026-03-04T09:00", "2026-03-04T09:30", EM_DATE_NONE, &iv,
                          &err), EM_OK);
    assert_true(iv.start == day + 9 * 3600);
    assert_int_equal(make("00:00", "23:59:59", D20260304, &iv, &err), EM_OK);
    assert_int_equal(em_interval_seconds(&iv), 86399);
}

static void test_interval_utc(void **state)
{
    (void)state;
    em_error err;
    em_interval iv;
    int64_t day = (int64_t)D20260304 * 86400;
    assert_int_equal(make("2026-03-04T09:00-05:00", "2026-03-04T14:30Z",
                          EM_DATE_NONE, &iv, &err), EM_OK);
    assert_true(iv.start == day + 14 * 3600);
    assert_true(iv.end == day + 14 * 3600 + 1800);
    assert_int_equal(em_interval_seconds(&iv), 1800);
    /* Bare clock times with offsets take the default date. */
    assert_int_equal(make("09:00+01:00", "09:10+01:00", D20260304, &iv, &err), EM_OK);
    assert_true(iv.start == day + 8 * 3600);
    assert_int_equal(em_interval_seconds(&iv), 600);
    /* Earlier by the clock, later in UTC: fine on the same local date. */
    assert_int_equal(make("2026-03-04T10:00+02:00", "2026-03-04T09:30+00:00",
                          EM_DATE_NONE, &iv, &err), EM_OK);
    assert_int_equal(em_interval_seconds(&iv), 5400);
    /* Later by the clock, earlier in UTC. */
    assert_int_equal(make("2026-03-04T09:00Z", "2026-03-04T09:30+01:00",
                          EM_DATE_NONE, &iv, &err), EM_EINVAL);
    assert_message(&err, "ends at 09:30+01:00, before it starts at 09:00Z");
    assert_null(strstr(err.message, "past midnight"));
}

static void test_interval_errors(void **state)
{
    (void)state;
    em_error err;
    em_interval iv = { 11, 22 };
    assert_int_equal(make("09:24", "09:00", D20260304, &iv, &err), EM_EINVAL);
    assert_string_equal(err.message, "ends at 09:00, before it starts at 09:24 "
                                     "(a segment may not run past midnight)");
    assert_string_equal(err.field, "");
    assert_int_equal(make("23:50", "00:10", EM_DATE_NONE, &iv, &err), EM_EINVAL);
    assert_message(&err, "ends at 00:10, before it starts at 23:50 (a segment may "
                         "not run past midnight)");
    assert_int_equal(make("2026-03-04T09:24", "2026-03-03T09:00", EM_DATE_NONE, &iv,
                          &err), EM_EINVAL);
    assert_string_equal(err.message, "ends at 2026-03-03T09:00, before it starts at "
                                     "2026-03-04T09:24");
    assert_int_equal(make("2026-03-04T09:24", "2026-03-04T09:00", D20260304, &iv,
                          &err), EM_EINVAL);
    assert_string_equal(err.message, "ends at 09:00, before it starts at 09:24");

    assert_int_equal(make("2026-03-04T23:50", "2026-03-05T00:10", EM_DATE_NONE, &iv,
                          &err), EM_EINVAL);
    assert_string_equal(err.message, "runs past midnight (23:50 to 00:10 next day); "
                                     "split it at midnight");
    assert_int_equal(make("2026-03-04T23:50", "2026-03-06T00:10", EM_DATE_NONE, &iv,
                          &err), EM_EINVAL);
    assert_string_equal(err.message, "runs past midnight (2026-03-04T23:50 to "
                                     "2026-03-06T00:10); split it at midnight");
    assert_int_equal(make("2026-03-04T23:50-05:00", "2026-03-05T00:10-05:00",
                          EM_DATE_NONE, &iv, &err), EM_EINVAL);
    assert_message(&err, "runs past midnight (23:50-05:00 to 00:10-05:00 next day)");
    /* A bare end takes the default date, so it can only end before it starts. */
    assert_int_equal(make("2026-03-04T23:50", "00:10", D20260304, &iv, &err),
                     EM_EINVAL);
    assert_message(&err, "(a segment may not run past midnight)");
    /* Later in UTC but on an earlier local date. */
    assert_int_equal(make("2026-03-04T00:30+05:00", "2026-03-03T23:00-05:00",
                          EM_DATE_NONE, &iv, &err), EM_EINVAL);
    assert_string_equal(err.message, "starts on 2026-03-04 and ends on 2026-03-03 "
                                     "(local dates); a segment must start and end "
                                     "on the same day");

    assert_int_equal(make("09:00Z", "09:30", D20260304, &iv, &err), EM_EINVAL);
    assert_string_equal(err.message, "the start has a UTC offset and the end has "
                                     "none; give both an offset or neither");
    assert_int_equal(make("09:00", "09:30+01:00", D20260304, &iv, &err), EM_EINVAL);
    assert_message(&err, "the end has a UTC offset and the start has none");
    assert_int_equal(make("2026-03-04T09:00", "09:30", EM_DATE_NONE, &iv, &err),
                     EM_EINVAL);
    assert_message(&err, "the start has a date and the end has none, and there is "
                         "no date to take");
    assert_int_equal(make("09:00", "2026-03-04T09:30", EM_DATE_NONE, &iv, &err),
                     EM_EINVAL);
    assert_message(&err, "the end has a date and the start has none");

    em_timepoint bad = { D20260304, 86400, EM_OFFSET_NONE };
    em_timepoint ok = { D20260304, 0, EM_OFFSET_NONE };
    assert_int_equal(em_interval_make(&ok, &bad, EM_DATE_NONE, &iv, &err), EM_EINVAL);
    assert_message(&err, "out of range");
    bad = (em_timepoint){ D20260304, 0, 18 * 3600 + 1 };
    assert_int_equal(em_interval_make(&bad, &bad, EM_DATE_NONE, &iv, NULL), EM_EINVAL);
    assert_int_equal(em_interval_make(NULL, &ok, EM_DATE_NONE, &iv, NULL), EM_EINVAL);
    assert_true(iv.start == 11 && iv.end == 22);  /* untouched on error */
}

static void test_seconds_to_minutes(void **state)
{
    (void)state;
    assert_int_equal(em_seconds_to_minutes(0), 0);
    assert_int_equal(em_seconds_to_minutes(59), 0);
    assert_int_equal(em_seconds_to_minutes(60), 1);
    assert_int_equal(em_seconds_to_minutes(479), 7);   /* 7:59 is not 8 minutes */
    assert_int_equal(em_seconds_to_minutes(480), 8);
    assert_int_equal(em_seconds_to_minutes(86400), 1440);
    assert_int_equal(em_seconds_to_minutes(-1), 0);
    assert_int_equal(em_seconds_to_minutes(-3600), 0);
    assert_int_equal(em_seconds_to_minutes(INT64_MIN), 0);
    assert_int_equal(em_seconds_to_minutes(INT64_MAX), INT32_MAX);
    em_interval huge = { INT64_MIN, INT64_MAX };
    assert_true(em_interval_seconds(&huge) == INT64_MAX);
    em_interval rev = { INT64_MAX, INT64_MIN };
    assert_true(em_interval_seconds(&rev) == INT64_MIN);
}

static void test_union(void **state)
{
    (void)state;
    assert_int_equal(em_intervals_union_seconds(NULL, 0), 0);
    em_interval one[] = { { 100, 160 } };
    assert_int_equal(em_intervals_union_seconds(one, 1), 60);
    em_interval disjoint[] = { { 300, 400 }, { 0, 100 } };
    assert_int_equal(em_intervals_union_seconds(disjoint, 2), 200);
    em_interval overlap[] = { { 50, 150 }, { 0, 100 } };
    assert_int_equal(em_intervals_union_seconds(overlap, 2), 150);
    em_interval nested[] = { { 0, 100 }, { 10, 20 }, { 30, 90 } };
    assert_int_equal(em_intervals_union_seconds(nested, 3), 100);
    em_interval touching[] = { { 10, 20 }, { 0, 10 }, { 20, 25 } };
    assert_int_equal(em_intervals_union_seconds(touching, 3), 25);
    em_interval dup[] = { { 0, 60 }, { 0, 60 }, { 0, 60 } };
    assert_int_equal(em_intervals_union_seconds(dup, 3), 60);
    em_interval chain[] = { { 0, 10 }, { 5, 15 }, { 12, 30 }, { 100, 110 }, { 29, 31 } };
    assert_int_equal(em_intervals_union_seconds(chain, 5), 41);
    em_interval empties[] = { { 5, 5 }, { 10, 0 }, { 0, 3 } };
    assert_int_equal(em_intervals_union_seconds(empties, 3), 3);
    /* v is not modified. */
    assert_true(overlap[0].start == 50 && overlap[1].start == 0);
    /* Real times: 09:00-09:24 and 09:15-09:40 cover 40 minutes. */
    em_error err;
    em_interval v[2];
    assert_int_equal(make("09:00", "09:24", D20260304, &v[0], &err), EM_OK);
    assert_int_equal(make("09:15", "09:40", D20260304, &v[1], &err), EM_OK);
    assert_int_equal(em_seconds_to_minutes(em_intervals_union_seconds(v, 2)), 40);
}

static bool overlaps(const em_interval *x, const em_interval *y)
{
    int64_t lo = x->start > y->start ? x->start : y->start;
    int64_t hi = x->end < y->end ? x->end : y->end;
    return lo < hi;
}

static void test_find_overlap(void **state)
{
    (void)state;
    size_t a = 99, b = 99;
    assert_false(em_intervals_find_overlap(NULL, 0, &a, &b));
    em_interval one[] = { { 0, 10 } };
    assert_false(em_intervals_find_overlap(one, 1, &a, &b));
    em_interval touching[] = { { 10, 20 }, { 0, 10 }, { 20, 30 } };
    assert_false(em_intervals_find_overlap(touching, 3, &a, &b));
    assert_int_equal(a, 99);
    em_interval v[] = { { 100, 200 }, { 0, 50 }, { 150, 160 } };
    assert_true(em_intervals_find_overlap(v, 3, &a, &b));
    assert_int_equal(a, 0);
    assert_int_equal(b, 2);
    em_interval w[] = { { 150, 160 }, { 0, 50 }, { 100, 200 } };
    assert_true(em_intervals_find_overlap(w, 3, &a, &b));
    assert_int_equal(a, 0);
    assert_int_equal(b, 2);
    assert_true(em_intervals_find_overlap(w, 3, NULL, NULL));
    em_interval by_one[] = { { 0, 10 }, { 9, 20 } };
    assert_true(em_intervals_find_overlap(by_one, 2, &a, &b));
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    /* An empty interval inside another overlaps nothing. */
    em_interval empty[] = { { 0, 10 }, { 5, 5 }, { 8, 3 } };
    assert_false(em_intervals_find_overlap(empty, 3, &a, &b));
    /* The earlier long interval is remembered past short ones. */
    em_interval longone[] = { { 0, 100 }, { 10, 10 }, { 20, 20 }, { 90, 95 } };
    assert_true(em_intervals_find_overlap(longone, 4, &a, &b));
    assert_int_equal(a, 0);
    assert_int_equal(b, 3);

    /* Against brute force on pseudo-random sets. */
    uint32_t seed = 12345;
    for (int trial = 0; trial < 2000; trial++) {
        em_interval r[12];
        size_t n = 2 + (size_t)trial % 11;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            int64_t s = (seed >> 8) % 1000;
            seed = seed * 1103515245u + 12345u;
            r[i].start = s;
            r[i].end = s + (int64_t)((seed >> 8) % 60);
        }
        bool want = false;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                want = want || overlaps(&r[i], &r[j]);
        bool got = em_intervals_find_overlap(r, n, &a, &b);
        assert_int_equal(got, want);
        if (got) {
            assert_true(a < b && b < n);
            assert_true(overlaps(&r[a], &r[b]));
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_valid),
        cmocka_unit_test(test_date_parse_errors),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_date_round_trip),
        cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_date_add_days),
        cmocka_unit_test(test_weekday_and_between),
        cmocka_unit_test(test_timepoint_clock_forms),
        cmocka_unit_test(test_timepoint_datetime_forms),
        cmocka_unit_test(test_timepoint_errors),
        cmocka_unit_test(test_timepoint_error_quoting),
        cmocka_unit_test(test_slices_stop_at_len),
        cmocka_unit_test(test_timepoint_format),
        cmocka_unit_test(test_duration_forms),
        cmocka_unit_test(test_duration_errors),
        cmocka_unit_test(test_interval_local),
        cmocka_unit_test(test_interval_utc),
        cmocka_unit_test(test_interval_errors),
        cmocka_unit_test(test_seconds_to_minutes),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_find_overlap),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
