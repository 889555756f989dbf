/* time.c: dates, clock times, durations and intervals, in exact integers.
 * Every parser reads exactly len bytes (no NUL needed) and says what is
 * wrong in words; the caller fills in err->field. */
#include "em_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY 86400
#define OFFSET_MAX (18 * 3600)
#define QUOTE_BYTES 40          /* input bytes shown in a message at most */
#define QUOTE_SIZE (QUOTE_BYTES * 4 + 8)

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"
};

/* ---- small helpers ---- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Number of digits at s[i..len). */
static size_t digits_at(const char *s, size_t len, size_t i)
{
    size_t n = 0;
    while (i + n < len && is_digit(s[i + n]))
        n++;
    return n;
}

/* Value of n (n <= 9) digits at s. */
static int32_t digits_value(const char *s, size_t n)
{
    int32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Writes input as a quoted, escaped, bounded string for a message: the
 * input is untrusted, so control bytes are escaped and long input is cut. */
static const char *quote(char out[QUOTE_SIZE], const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    size_t shown = len < QUOTE_BYTES ? len : QUOTE_BYTES;
    out[o++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (shown < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* ---- dates ---- */

bool em_date_is_leap_year(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int em_date_days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && em_date_is_leap_year(y))
        return 29;
    return days[m - 1];
}

/* Days from civil (proleptic Gregorian), in int64 so no input overflows. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int32_t em_date_from_ymd(int y, int m, int d)
{
    return (int32_t)days_from_civil(y, m, d);
}

void em_date_to_ymd(int32_t days, int *y, int *m, int *d)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = yoe + era * 400 + (mm <= 2);
    if (y)
        *y = (int)yy;
    if (m)
        *m = (int)mm;
    if (d)
        *d = (int)dd;
}

static int32_t date_min(void)
{
    return em_date_from_ymd(EM_DATE_MIN_YEAR, 1, 1);
}

static int32_t date_max(void)
{
    return em_date_from_ymd(EM_DATE_MAX_YEAR, 12, 31);
}

void em_date_format(int32_t days, char out[11])
{
    int y, m, d;
    em_date_to_ymd(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        memcpy(out, "?\?\?\?-\?\?-\?\?", 11);  /* no room for such a year */
        return;
    }
    int parts[3][2] = { { y, 4 }, { m, 2 }, { d, 2 } };
    size_t o = 0;
    for (int p = 0; p < 3; p++) {
        int v = parts[p][0], w = parts[p][1];
        for (int i = w - 1; i >= 0; i--) {
            out[o + (size_t)i] = (char)('0' + v % 10);
            v /= 10;
        }
        o += (size_t)w;
        if (p < 2)
            out[o++] = '-';
    }
    out[o] = '\0';
}

int32_t em_date_days_between(int32_t a, int32_t b)
{
    int64_t diff = (int64_t)b - a;
    if (diff > INT32_MAX)
        return INT32_MAX;
    if (diff < INT32_MIN)
        return INT32_MIN;
    return (int32_t)diff;
}

em_status em_date_add_days(int32_t date, int32_t n, int32_t *out, em_error *err)
{
    int64_t r = (int64_t)date + n;
    char from[11];
    if (r < date_min() || r > date_max()) {
        em_date_format(date, from);
        return em_error_set(err, EM_ERANGE, NULL,
                            "%s %s %lld days is %s %s", from,
                            n < 0 ? "minus" : "plus",
                            n < 0 ? -(long long)n : (long long)n,
                            r < date_min() ? "before" : "after",
                            r < date_min() ? "1800-01-01" : "9999-12-31");
    }
    *out = (int32_t)r;
    return EM_OK;
}

int em_date_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)(((days % 7) + 7 + 3) % 7);
}

static bool date_shape(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-dd";
    if (len < 10)
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != '-')
            return false;
    }
    return true;
}

/* Validates the 10 bytes of a date already known to have its shape. */
static em_status date_check(const char *s, int32_t *days, em_error *err)
{
    int y = digits_value(s, 4), m = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
    if (y < EM_DATE_MIN_YEAR || y > EM_DATE_MAX_YEAR)
        return em_error_set(err, EM_ERANGE, NULL,
                            "year %d is out of range (%d..%d)", y,
                            EM_DATE_MIN_YEAR, EM_DATE_MAX_YEAR);
    if (m < 1 || m > 12)
        return em_error_set(err, EM_ERANGE, NULL,
                            "month %d is out of range (1..12)", m);
    int dim = em_date_days_in_month(y, m);
    if (d < 1)
        return em_error_set(err, EM_ERANGE, NULL, "day %d is out of range", d);
    if (d > dim)
        return em_error_set(err, EM_ERANGE, NULL, "%.10s: %s %d has %d days",
                            s, month_names[m - 1], y, dim);
    *days = em_date_from_ymd(y, m, d);
    return EM_OK;
}

em_status em_date_parse(const char *s, size_t len, int32_t *days, em_error *err)
{
    char q[QUOTE_SIZE];
    if (!s || len == 0)
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected a date YYYY-MM-DD, got an empty string");
    if (!date_shape(s, len))
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected a date YYYY-MM-DD, got %s", quote(q, s, len));
    if (len > 10) {
        char t[QUOTE_SIZE];
        return em_error_set(err, EM_EINVAL, NULL,
                            "unexpected %s after the date in %s",
                            quote(t, s + 10, len - 10), quote(q, s, len));
    }
    int32_t v;
    em_status st = date_check(s, &v, err);
    if (st == EM_OK)
        *days = v;
    return st;
}

/* ---- clock times and date-times ---- */

/* Parses "+hh:mm", "+hhmm", "+hh", "Z" filling all of s[0..len). */
static em_status offset_parse(const char *s, size_t len, const char *whole,
                              size_t whole_len, int32_t *offset, em_error *err)
{
    char q[QUOTE_SIZE], w[QUOTE_SIZE];
    if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *offset = 0;
        return EM_OK;
    }
    int sign = s[0] == '-' ? -1 : 1;
    int h = 0, m = 0;
    bool ok = (s[0] == '+' || s[0] == '-') && len >= 3 && is_digit(s[1]) &&
              is_digit(s[2]);
    if (ok) {
        h = digits_value(s + 1, 2);
        if (len == 3) {
            /* "+hh" */
        } else if (len == 5 && digits_at(s, len, 3) == 2) {
            m = digits_value(s + 3, 2);
        } else if (len == 6 && s[3] == ':' && digits_at(s, len, 4) == 2) {
            m = digits_value(s + 4, 2);
        } else {
            ok = false;
        }
    }
    if (!ok)
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected a UTC offset like Z, +05:30, +0530 or +05, "
                            "got %s in %s",
                            quote(q, s, len), quote(w, whole, whole_len));
    if (m > 59)
        return em_error_set(err, EM_ERANGE, NULL,
                            "offset minute %d is out of range (0..59)", m);
    int32_t v = h * 3600 + m * 60;
    if (v > OFFSET_MAX)
        return em_error_set(err, EM_ERANGE, NULL,
                            "offset %c%02d:%02d is out of range (-18:00..+18:00)",
                            sign < 0 ? '-' : '+', h, m);
    *offset = sign * v;
    return EM_OK;
}

/* Parses "H:MM", "HH:MM", "HH:MM:SS[.fff]" and an optional offset, from
 * s[0..len); whole is the full input for messages. */
static em_status clock_parse(const char *s, size_t len, const char *whole,
                             size_t whole_len, int32_t *second, int32_t *offset,
                             em_error *err)
{
    char q[QUOTE_SIZE], w[QUOTE_SIZE];
    size_t nh = digits_at(s, len, 0);
    if (nh < 1 || nh > 2 || nh >= len || s[nh] != ':' ||
        digits_at(s, len, nh + 1) != 2)
        return em_error_set(err, EM_EINVAL, NULL, "expected HH:MM, got %s",
                            quote(w, whole, whole_len));
    int h = digits_value(s, nh), m = digits_value(s + nh + 1, 2), sec = 0;
    size_t i = nh + 3;
    if (i < len && s[i] == ':') {
        if (digits_at(s, len, i + 1) != 2)
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected HH:MM:SS, got %s",
                                quote(w, whole, whole_len));
        sec = digits_value(s + i + 1, 2);
        i += 3;
        /* Fractional seconds are accepted and dropped: minutes are billed. */
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            size_t nf = digits_at(s, len, i + 1);
            if (nf == 0)
                return em_error_set(err, EM_EINVAL, NULL,
                                    "expected digits after the decimal mark in %s",
                                    quote(w, whole, whole_len));
            i += 1 + nf;
        }
    }
    if (h > 23)
        return em_error_set(err, EM_ERANGE, NULL,
                            h == 24 ? "hour %d is out of range (0..23; a segment "
                                      "ends at 23:59 at the latest)"
                                    : "hour %d is out of range (0..23)", h);
    if (m > 59)
        return em_error_set(err, EM_ERANGE, NULL,
                            "minute %d is out of range (0..59)", m);
    if (sec > 59)
        return em_error_set(err, EM_ERANGE, NULL,
                            "second %d is out of range (0..59)", sec);
    int32_t off = EM_OFFSET_NONE;
    if (i < len) {
        char c = s[i];
        if (c != 'Z' && c != 'z' && c != '+' && c != '-')
            return em_error_set(err, EM_EINVAL, NULL,
                                "unexpected %s after the time in %s",
                                quote(q, s + i, len - i),
                                quote(w, whole, whole_len));
        em_status st = offset_parse(s + i, len - i, whole, whole_len, &off, err);
        if (st != EM_OK)
            return st;
    }
    *second = h * 3600 + m * 60 + sec;
    *offset = off;
    return EM_OK;
}

em_status em_timepoint_parse(const char *s, size_t len, em_timepoint *out,
                             em_error *err)
{
    char q[QUOTE_SIZE];
    if (!s || len == 0)
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected HH:MM, got an empty string");
    em_timepoint tp = { EM_DATE_NONE, 0, EM_OFFSET_NONE };
    const char *clock = s;
    size_t clock_len = len;
    /* Four digits and a dash start a date-time; anything else is a clock. */
    if (digits_at(s, len, 0) == 4 && len > 4 && s[4] == '-') {
        if (!date_shape(s, len))
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected a date-time YYYY-MM-DDTHH:MM, got %s",
                                quote(q, s, len));
        em_status st = date_check(s, &tp.date, err);
        if (st != EM_OK)
            return st;
        if (len == 10)
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected a time after the date in %s "
                                "(like 2026-03-04T09:05)", quote(q, s, len));
        if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected 'T' between the date and the time in %s",
                                quote(q, s, len));
        clock = s + 11;
        clock_len = len - 11;
    }
    em_status st = clock_parse(clock, clock_len, s, len, &tp.second, &tp.offset, err);
    if (st != EM_OK)
        return st;
    *out = tp;
    return EM_OK;
}

/* "+05:30", "-05:00" or "Z"; empty when there is no offset. */
static void offset_format(int32_t offset, char out[16])
{
    if (offset == EM_OFFSET_NONE) {
        out[0] = '\0';
        return;
    }
    if (offset == 0) {
        memcpy(out, "Z", 2);
        return;
    }
    long long a = offset < 0 ? -(long long)offset : (long long)offset;
    long long h = a / 3600 % 100, m = a / 60 % 60, sec = a % 60;
    if (sec)
        snprintf(out, 16, "%c%02lld:%02lld:%02lld", offset < 0 ? '-' : '+', h, m, sec);
    else
        snprintf(out, 16, "%c%02lld:%02lld", offset < 0 ? '-' : '+', h, m);
}

void em_timepoint_format(const em_timepoint *tp, char out[32])
{
    char date[11] = "", off[16];
    int32_t sec = tp->second;
    if (sec < 0 || sec >= SECONDS_PER_DAY)
        sec = 0;  /* not a valid time point; never print a 3-digit hour */
    if (tp->date != EM_DATE_NONE)
        em_date_format(tp->date, date);
    offset_format(tp->offset, off);
    int h = sec / 3600, m = sec / 60 % 60, s = sec % 60;
    const char *t = tp->date != EM_DATE_NONE ? "T" : "";
    if (s)
        snprintf(out, 32, "%s%s%02d:%02d:%02d%s", date, t, h, m, s, off);
    else
        snprintf(out, 32, "%s%s%02d:%02d%s", date, t, h, m, off);
}

/* ---- durations ---- */

#define NUM_CAP INT64_C(1000000000)  /* numbers saturate here; anything that big is out of range */

/* Reads digits at s[*i..len) into *v (saturating); returns the count. */
static size_t number_read(const char *s, size_t len, size_t *i, int64_t *v)
{
    size_t n = 0;
    int64_t x = 0;
    while (*i < len && is_digit(s[*i])) {
        if (x < NUM_CAP)
            x = x * 10 + (s[*i] - '0');
        if (x > NUM_CAP)
            x = NUM_CAP;
        (*i)++;
        n++;
    }
    *v = x;
    return n;
}

static em_status duration_iso(const char *s, size_t len, size_t i, int64_t *total,
                              em_error *err)
{
    char q[QUOTE_SIZE];
    static const char units[] = "HMS";
    static const int64_t scale[] = { 3600, 60, 1 };
    int64_t sum = 0;
    int next = 0;        /* index of the smallest unit still allowed */
    bool any = false, in_time = false, any_time = false;
    i++;                 /* the 'P' */
    while (i < len) {
        char c = s[i];
        if (c == 'T' || c == 't') {
            if (in_time)
                break;
            in_time = true;
            i++;
            continue;
        }
        int64_t v;
        size_t start = i;
        if (number_read(s, len, &i, &v) == 0)
            break;
        if (i < len && (s[i] == '.' || s[i] == ','))
            return em_error_set(err, EM_EINVAL, NULL,
                                "fractions are not accepted in ISO-8601 "
                                "durations (write PT1H30M, not PT1.5H), got %s",
                                quote(q, s, len));
        if (i >= len) {
            i = start;
            break;
        }
        char u = (char)(s[i] & ~0x20);  /* ASCII upper case */
        if (!in_time) {
            if (u == 'D' && !any) {
                sum += v * SECONDS_PER_DAY;
                any = true;
                i++;
                continue;
            }
            if (u == 'M')
                return em_error_set(err, EM_EINVAL, NULL,
                                    "%s means months in ISO-8601; write PT%lldM "
                                    "for minutes", quote(q, s, len), (long long)v);
            if (u == 'Y' || u == 'W')
                return em_error_set(err, EM_EINVAL, NULL,
                                    "years and weeks are not accepted in a "
                                    "duration, got %s", quote(q, s, len));
            i = start;
            break;
        }
        const char *pos = memchr(units, u, 3);
        if (!pos || (int)(pos - units) < next) {
            i = start;
            break;
        }
        next = (int)(pos - units) + 1;
        sum += v * scale[pos - units];
        any = any_time = true;
        i++;
    }
    if (!any && i >= len)
        return em_error_set(err, EM_EINVAL, NULL,
                            "the duration %s has no hours, minutes or seconds",
                            quote(q, s, len));
    if (i < len || (in_time && !any_time))  /* "P1DT": a T needs a time after it */
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected an ISO-8601 duration like PT1H30M, got %s",
                            quote(q, s, len));
    *total = sum;
    return EM_OK;
}

em_status em_duration_parse(const char *s, size_t len, int32_t *seconds,
                            em_error *err)
{
    char q[QUOTE_SIZE];
    if (!s || len == 0)
        return em_error_set(err, EM_EINVAL, NULL,
                            "expected a duration in minutes (\"24\") or "
                            "ISO-8601 (\"PT24M\"), got an empty string");
    size_t i = 0;
    bool negative = s[0] == '-';
    if (negative)
        i++;
    int64_t total = 0;
    if (i < len && (s[i] == 'P' || s[i] == 'p')) {
        em_status st = duration_iso(s, len, i, &total, err);
        if (st != EM_OK)
            return st;
    } else {
        int64_t minutes;
        size_t nd = number_read(s, len, &i, &minutes);
        if (nd > 0 && i < len && s[i] == ':')
            return em_error_set(err, EM_EINVAL, NULL,
                                "%s is a clock time, not a duration; give minutes "
                                "(\"90\") or ISO-8601 (\"PT1H30M\")",
                                quote(q, s, len));
        if (nd > 0 && i < len && (s[i] == '.' || s[i] == ','))
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected whole minutes, got %s", quote(q, s, len));
        if (nd == 0 || i < len)
            return em_error_set(err, EM_EINVAL, NULL,
                                "expected a duration in minutes (\"24\") or "
                                "ISO-8601 (\"PT24M\"), got %s", quote(q, s, len));
        total = minutes * 60;
    }
    if (negative && total > 0)
        return em_error_set(err, EM_ERANGE, NULL,
                            "the duration %s is negative", quote(q, s, len));
    if (total > SECONDS_PER_DAY)
        return em_error_set(err, EM_ERANGE, NULL,
                            "the duration %s is over 24 hours", quote(q, s, len));
    *seconds = (int32_t)total;
    return EM_OK;
}

/* ---- intervals ---- */

static bool timepoint_valid(const em_timepoint *tp)
{
    return tp->second >= 0 && tp->second < SECONDS_PER_DAY &&
           (tp->offset == EM_OFFSET_NONE ||
            (tp->offset >= -OFFSET_MAX && tp->offset <= OFFSET_MAX));
}

/* A point for a message: its clock time, with its date when with_date. */
static void point_describe(const em_timepoint *tp, int32_t date, bool with_date,
                           char out[32])
{
    em_timepoint t = *tp;
    t.date = with_date ? date : EM_DATE_NONE;
    em_timepoint_format(&t, out);
}

em_status em_interval_make(const em_timepoint *start, const em_timepoint *end,
                           int32_t default_date, em_interval *out, em_error *err)
{
    char a[32], b[32], da[11], db[11];
    if (!start || !end || !out)
        return em_error_set(err, EM_EINVAL, NULL, "no time point given");
    if (!timepoint_valid(start) || !timepoint_valid(end))
        return em_error_set(err, EM_EINVAL, NULL,
                            "a time point has a second or offset out of range");
    bool start_dated = start->date != EM_DATE_NONE;
    bool end_dated = end->date != EM_DATE_NONE;
    if (default_date == EM_DATE_NONE && start_dated != end_dated)
        return em_error_set(err, EM_EINVAL, NULL,
                            "the %s has a date and the %s has none, and there is "
                            "no date to take; give both a date or neither",
                            start_dated ? "start" : "end",
                            start_dated ? "end" : "start");
    if ((start->offset == EM_OFFSET_NONE) != (end->offset == EM_OFFSET_NONE))
        return em_error_set(err, EM_EINVAL, NULL,
                            "the %s has a UTC offset and the %s has none; give "
                            "both an offset or neither",
                            start->offset != EM_OFFSET_NONE ? "start" : "end",
                            start->offset != EM_OFFSET_NONE ? "end" : "start");
    int32_t fallback = default_date == EM_DATE_NONE ? 0 : default_date;
    int32_t sd = start_dated ? start->date : fallback;
    int32_t ed = end_dated ? end->date : fallback;
    int64_t s = (int64_t)sd * SECONDS_PER_DAY + start->second;
    int64_t e = (int64_t)ed * SECONDS_PER_DAY + end->second;
    if (start->offset != EM_OFFSET_NONE) {
        s -= start->offset;  /* both have one: compare in UTC */
        e -= end->offset;
    }
    if (e < s) {
        point_describe(start, sd, sd != ed, a);
        point_describe(end, ed, sd != ed, b);
        return em_error_set(err, EM_EINVAL, NULL,
                            "ends at %s, before it starts at %s%s", b, a,
                            end_dated ? "" : " (a segment may not run past midnight)");
    }
    if (ed == sd + (int64_t)1) {
        point_describe(start, sd, false, a);
        point_describe(end, ed, false, b);
        return em_error_set(err, EM_EINVAL, NULL,
                            "runs past midnight (%s to %s next day); split it "
                            "at midnight", a, b);
    }
    if (ed > sd) {
        point_describe(start, sd, true, a);
        point_describe(end, ed, true, b);
        return em_error_set(err, EM_EINVAL, NULL,
                            "runs past midnight (%s to %s); split it at midnight",
                            a, b);
    }
    if (ed != sd) {
        /* Only possible with offsets: later in UTC, earlier by its own date. */
        em_date_format(sd, da);
        em_date_format(ed, db);
        return em_error_set(err, EM_EINVAL, NULL,
                            "starts on %s and ends on %s (local dates); a "
                            "segment must start and end on the same day", da, db);
    }
    out->start = s;
    out->end = e;
    return EM_OK;
}

int64_t em_interval_seconds(const em_interval *iv)
{
    /* Saturate rather than overflow on intervals no parser could make. */
    if (iv->start < 0 && iv->end > INT64_MAX + iv->start)
        return INT64_MAX;
    if (iv->start > 0 && iv->end < INT64_MIN + iv->start)
        return INT64_MIN;
    return iv->end - iv->start;
}

int32_t em_seconds_to_minutes(int64_t seconds)
{
    if (seconds <= 0)
        return 0;
    int64_t m = seconds / 60;
    return m > INT32_MAX ? INT32_MAX : (int32_t)m;
}

typedef struct span {
    int64_t start, end;
    size_t index;
} span;

static int span_cmp(const void *pa, const void *pb)
{
    const span *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* A sorted copy of the non-empty intervals; *m gets their count. NULL only
 * when allocation fails (or n is too large to allocate). */
static span *spans_sorted(const em_interval *v, size_t n, size_t *m)
{
    if (n > SIZE_MAX / sizeof(span))
        return NULL;
    span *sp = malloc(n ? n * sizeof *sp : 1);
    if (!sp)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].end > v[i].start)  /* empty or reversed ones cover nothing */
            sp[k++] = (span){ v[i].start, v[i].end, i };
    }
    qsort(sp, k, sizeof *sp, span_cmp);
    *m = k;
    return sp;
}

static int64_t add_sat(int64_t total, int64_t len)
{
    return total > INT64_MAX - len ? INT64_MAX : total + len;
}

int64_t em_intervals_union_seconds(const em_interval *v, size_t n)
{
    if (n == 0)
        return 0;
    size_t m;
    span *sp = spans_sorted(v, n, &m);
    if (!sp)
        return -1;
    int64_t total = 0;
    size_t i = 0;
    while (i < m) {
        int64_t s = sp[i].start, e = sp[i].end;
        for (i++; i < m && sp[i].start <= e; i++) {
            if (sp[i].end > e)
                e = sp[i].end;
        }
        em_interval run = { s, e };
        total = add_sat(total, em_interval_seconds(&run));
    }
    free(sp);
    return total;
}

static void pair_report(size_t i, size_t j, size_t *a, size_t *b)
{
    if (a)
        *a = i < j ? i : j;
    if (b)
        *b = i < j ? j : i;
}

bool em_intervals_find_overlap(const em_interval *v, size_t n, size_t *a,
                               size_t *b)
{
    if (n < 2)
        return false;
    size_t m;
    span *sp = spans_sorted(v, n, &m);
    if (!sp) {
        /* No memory for the sort: still give the right answer, slowly. */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                int64_t lo = v[i].start > v[j].start ? v[i].start : v[j].start;
                int64_t hi = v[i].end < v[j].end ? v[i].end : v[j].end;
                if (lo < hi) {
                    pair_report(i, j, a, b);
                    return true;
                }
            }
        }
        return false;
    }
    /* Sorted by start, an interval overlaps an earlier one exactly when it
     * starts before the furthest end seen so far. */
    bool found = false;
    size_t reach = 0;
    for (size_t i = 1; i < m; i++) {
        if (sp[i].start < sp[reach].end) {
            pair_report(sp[reach].index, sp[i].index, a, b);
            found = true;
            break;
        }
        if (sp[i].end > sp[reach].end)
            reach = i;
    }
    free(sp);
    return found;
}
