/* em_error.h: status codes and the error record every core call fills.
 * Core never prints or exits; it says what went wrong, where, and returns. */
#ifndef EM_ERROR_H
#define EM_ERROR_H

#include <stddef.h>

typedef enum em_status {
    EM_OK = 0,
    EM_EOF,      /* no more records: not an error */
    EM_EINVAL,   /* malformed input; err says file, record, field, reason */
    EM_ERANGE,   /* a value outside its allowed range */
    EM_ENOMEM,   /* allocation failed or a size bound was hit */
    EM_EIO       /* the stream could not be read or written */
} em_status;

typedef struct em_error {
    char file[256];    /* input name ("-" for stdin), "" when none */
    long record;       /* 1-based line or record number, 0 when none */
    char field[128];   /* path of the field at fault ("lines[2].minutes"), "" when none */
    char message[256]; /* what is wrong, for a person */
} em_error;

/* Clears every part of err (err may be NULL: then nothing happens). */
void em_error_clear(em_error *err);

/* Sets field and a printf-style message; keeps file and record. Returns
 * status, so a caller can write `return em_error_set(err, EM_EINVAL, ...)`.
 * err may be NULL. */
em_status em_error_set(em_error *err, em_status status, const char *field,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Sets where the error happened (file may be NULL). */
void em_error_locate(em_error *err, const char *file, long record);

/* Prefixes the field path: "minutes" becomes "lines[2].minutes" after
 * em_error_prefix_field(err, "lines[2]"). */
void em_error_prefix_field(em_error *err, const char *prefix);

/* Writes "file:record: field: message" (parts that are empty are left out)
 * into buf; returns the length it wanted, like snprintf. */
int em_error_format(const em_error *err, char *buf, size_t size);

/* A short name for a status ("invalid input", ...). */
const char *em_status_name(em_status status);

#endif
