/* em_time.h: dates, clock times, durations and time intervals.
 * All values are exact integers: dates are days since 1970-01-01 (proleptic
 * Gregorian), clock times are seconds since local midnight. */
#ifndef EM_TIME_H
#define EM_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "em_error.h"

#define EM_DATE_NONE INT32_MIN     /* "no date" in an int32_t date slot */
#define EM_OFFSET_NONE INT32_MIN   /* a time point without a UTC offset */
#define EM_DATE_MIN_YEAR 1800      /* years outside [1800, 9999] are errors */
#define EM_DATE_MAX_YEAR 9999

/* Parse errors: EM_EINVAL when the text has the wrong form, EM_ERANGE when
 * a number in it is out of range (hour 25, month 13, Feb 30, year 1700). */

/* ---- dates ---- */

/* Parses exactly "YYYY-MM-DD" (len bytes of s, no NUL needed) and validates
 * the calendar (no Feb 30, leap years right). On error fills err with the
 * reason ("month 13 is out of range", "2026-02-29: February 2026 has 28
 * days"); err->field is left to the caller. */
em_status em_date_parse(const char *s, size_t len, int32_t *days, em_error *err);

/* Days since 1970-01-01 for a valid y-m-d; no validation. */
int32_t em_date_from_ymd(int y, int m, int d);
void em_date_to_ymd(int32_t days, int *y, int *m, int *d);
/* Writes "YYYY-MM-DD" and a NUL into out (11 bytes); for a year outside
 * 0..9999, which cannot be written so, that shape in question marks. */
void em_date_format(int32_t days, char out[11]);
/* b - a in days. */
int32_t em_date_days_between(int32_t a, int32_t b);
/* date + n days; EM_ERANGE (and *out untouched) when the result leaves the
 * supported years. */
em_status em_date_add_days(int32_t date, int32_t n, int32_t *out, em_error *err);
/* 0 = Monday ... 6 = Sunday. */
int em_date_weekday(int32_t days);
bool em_date_is_leap_year(int y);
int em_date_days_in_month(int y, int m);

/* ---- clock times and date-times ---- */

/* A point in time as written: a clock time, possibly with a date and an
 * offset ("09:05", "9:05", "09:05:30", "2026-03-04T09:05:00-05:00",
 * "2026-03-04T14:05Z"). */
typedef struct em_timepoint {
    int32_t date;      /* days since epoch, or EM_DATE_NONE for a bare clock time */
    int32_t second;    /* seconds since local midnight, 0..86399 */
    int32_t offset;    /* seconds east of UTC, or EM_OFFSET_NONE */
} em_timepoint;

/* Parses a clock time or ISO-8601 date-time. Hours 0..23, minutes and
 * seconds 0..59 (24:00 is not accepted: a segment ends at 23:59 at the
 * latest); fractional seconds are accepted and dropped. Offsets "Z",
 * "+hh:mm", "+hhmm", "+hh" within +-18:00. Errors name the part at fault
 * ("hour 25 is out of range"). */
em_status em_timepoint_parse(const char *s, size_t len, em_timepoint *out,
                             em_error *err);

/* Writes "HH:MM" or "HH:MM:SS" (when seconds are not zero), with
 * "YYYY-MM-DDT" before it when the point has a date and the offset after it
 * when it has one ("Z" for zero, else "+05:30"), so that the text parses
 * back to the same point. out holds 32 bytes. */
void em_timepoint_format(const em_timepoint *tp, char out[32]);

/* ---- durations ---- */

/* Parses a duration into seconds: whole minutes ("24"), "H:MM" is NOT a
 * duration (it is a clock time), ISO-8601 "PT1H30M", "PT45M", "PT90S".
 * Negative or over 24 hours is EM_ERANGE. */
em_status em_duration_parse(const char *s, size_t len, int32_t *seconds,
                            em_error *err);

/* ---- intervals ---- */

/* A half-open interval [start, end) in seconds on one timeline: local
 * seconds since 1970-01-01 when both ends are local, UTC seconds when both
 * ends carry an offset. */
typedef struct em_interval {
    int64_t start;
    int64_t end;
} em_interval;

/* Makes an interval from two points. A point without a date takes
 * default_date (which may be EM_DATE_NONE: then both must be bare clock
 * times). Errors, each with its own message:
 *   end before start ("ends at 09:00, before it starts at 09:24"),
 *   crossing midnight ("runs past midnight (23:50 to 00:10 next day); split it at midnight"),
 *   an end with an offset and a start without one, or the reverse. */
em_status em_interval_make(const em_timepoint *start, const em_timepoint *end,
                           int32_t default_date, em_interval *out, em_error *err);

/* Length in seconds (end - start). */
int64_t em_interval_seconds(const em_interval *iv);

/* Whole minutes in a number of seconds, rounded down: time not spent is
 * never billed. */
int32_t em_seconds_to_minutes(int64_t seconds);

/* Total seconds covered by the union of n intervals (overlaps counted
 * once; empty or reversed intervals cover nothing). Does not modify v.
 * Sorts a copy: returns -1 when that copy cannot be allocated. */
int64_t em_intervals_union_seconds(const em_interval *v, size_t n);

/* True when any two of the n intervals overlap by at least one second
 * (touching ends do not overlap); then *a < *b are the indexes of the first
 * overlapping pair found (O(n log n); if the sorted copy cannot be
 * allocated it falls back to comparing every pair). a and b may be NULL. */
bool em_intervals_find_overlap(const em_interval *v, size_t n, size_t *a,
                               size_t *b);

#endif
