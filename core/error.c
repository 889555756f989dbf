/* error.c: filling and formatting em_error. */
#include "em_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void em_error_clear(em_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

em_status em_error_set(em_error *err, em_status status, const char *field,
                       const char *fmt, ...)
{
    if (!err)
        return status;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void em_error_locate(em_error *err, const char *file, long record)
{
    if (!err)
        return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->record = record;
}

void em_error_prefix_field(em_error *err, const char *prefix)
{
    if (!err || !prefix || !*prefix)
        return;
    char joined[2 * sizeof err->field + 2];
    if (err->field[0] == '\0')
        snprintf(joined, sizeof joined, "%s", prefix);
    else if (err->field[0] == '[')
        snprintf(joined, sizeof joined, "%s%s", prefix, err->field);
    else
        snprintf(joined, sizeof joined, "%s.%s", prefix, err->field);
    size_t n = strlen(joined);
    if (n >= sizeof err->field)
        n = sizeof err->field - 1;  /* keep the start of a very deep path */
    memcpy(err->field, joined, n);
    err->field[n] = '\0';
}

int em_error_format(const em_error *err, char *buf, size_t size)
{
    char where[sizeof err->file + 32] = "";
    if (err->file[0] && err->record > 0)
        snprintf(where, sizeof where, "%s:%ld: ", err->file, err->record);
    else if (err->file[0])
        snprintf(where, sizeof where, "%s: ", err->file);
    else if (err->record > 0)
        snprintf(where, sizeof where, "record %ld: ", err->record);
    if (err->field[0])
        return snprintf(buf, size, "%s%s: %s", where, err->field, err->message);
    return snprintf(buf, size, "%s%s", where, err->message);
}

const char *em_status_name(em_status status)
{
    switch (status) {
    case EM_OK: return "ok";
    case EM_EOF: return "end of input";
    case EM_EINVAL: return "invalid input";
    case EM_ERANGE: return "out of range";
    case EM_ENOMEM: return "out of memory";
    case EM_EIO: return "input/output error";
    }
    return "unknown status";
}
