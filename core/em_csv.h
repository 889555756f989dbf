/* em_csv.h: visits from a CSV file (an EMR export): a header row, then one
 * row per service line, parsed by libcsv. Rows are grouped into visits by
 * visit id and each visit goes through em_visit_parse, so a CSV visit is
 * checked exactly like an NDJSON one; an error names the row and column.
 *
 * The file:
 *   - the first row names the columns; a UTF-8 BOM, CRLF or LF line ends,
 *     quoted fields holding commas, quotes ("") and newlines, and a missing
 *     final newline are fine; header names match case-insensitively and
 *     without surrounding spaces; columns nobody maps are ignored;
 *   - an empty cell is an absent field; cells are trimmed of spaces;
 *   - the rows of one visit must be next to each other (the reader streams
 *     and keeps one visit in memory, as an EMR export sorted by encounter
 *     is); a visit id that comes back after other visits is an error for
 *     the later rows, which are skipped (the earlier rows were a visit of
 *     their own);
 *   - visit fields (date, payer, patient, provider, diagnoses, note, ...)
 *     are repeated on each row or given once; rows of a visit that give
 *     different values are an error;
 *   - lists (diagnoses, modifiers, dx_pointers) are one cell split at the
 *     list separator (';'), or for diagnoses several columns; dx pointers
 *     are numbers 1-12 or letters A-L as on a CMS-1500;
 *   - whole numbers (minutes, units, note totals) must be digits;
 *     telehealth_patient_at_home is yes/no, true/false, y/n or 1/0.
 *
 * Memory is bounded: a field by max_field bytes, a row by max_row bytes and
 * max_columns fields, a visit by max_rows rows. A bad row makes its visit a
 * bad record (reported, skipped; the next visit still comes). A field longer
 * than max_field (an unclosed quote, most often) stops the reading, because
 * where the rows after it begin is no longer known. */
#ifndef EM_CSV_H
#define EM_CSV_H

#include <stdio.h>

#include "em_error.h"
#include "em_record.h"

#define EM_CSV_MAX_FIELD (64u * 1024u)      /* bytes in one cell */
#define EM_CSV_MAX_ROW (1024u * 1024u)      /* bytes in one row */
#define EM_CSV_MAX_COLUMNS 1024u            /* fields in one row */
#define EM_CSV_MAX_ROWS 500u                /* rows (service lines) of one visit */

/* Which column feeds which visit field. A new mapping reads each field from
 * the column named like the field (visit_id, date, payer, pos, patient_id,
 * patient_dob, provider_npi, provider_discipline, provider_credential,
 * telehealth_modality, telehealth_patient_at_home, diagnoses,
 * note_impairments, note_functional_progress, note_medical_necessity,
 * note_text, note_total_timed_minutes, note_total_minutes, cpt, minutes,
 * units, by, start, end, modifiers, dx_pointers, intervention,
 * intervention_goal) when the file has such a column. */
typedef struct em_csv_mapping em_csv_mapping;

/* NULL when out of memory. */
em_csv_mapping *em_csv_mapping_new(void);
void em_csv_mapping_free(em_csv_mapping *m);

/* Reads field from the columns named (n of them; more than one only for
 * diagnoses; n == 0 reads the field from no column). A column set here must
 * be in the file's header, unlike a default one. EM_EINVAL (err->field is
 * the field) for an unknown field, an empty name or too many columns. */
em_status em_csv_mapping_set(em_csv_mapping *m, const char *field,
                             const char *const *columns, size_t n, em_error *err);

/* The cell delimiter (',' by default) and the list separator (';'). Both
 * must be printable ASCII other than '"', and differ. */
em_status em_csv_mapping_separators(em_csv_mapping *m, char delimiter,
                                    char list_separator, em_error *err);

/* The names of the fields a mapping knows, NULL-terminated. */
const char *const *em_csv_fields(void);

typedef struct em_csv_limits {
    size_t max_field;     /* 0: EM_CSV_MAX_FIELD */
    size_t max_row;       /* 0: EM_CSV_MAX_ROW */
    size_t max_columns;   /* 0: EM_CSV_MAX_COLUMNS */
    size_t max_rows;      /* 0: EM_CSV_MAX_ROWS */
    size_t arena_limit;   /* per visit, as for em_visit_parse (0: none) */
} em_csv_limits;

typedef struct em_csv_reader em_csv_reader;

/* Reads visits from f (not closed by the reader); name is used in messages.
 * The mapping is copied (m NULL: the default mapping); limits may be NULL.
 * NULL when f is NULL or out of memory. */
em_csv_reader *em_csv_open(FILE *f, const char *name, const em_csv_mapping *m,
                           const em_csv_limits *limits);
void em_csv_close(em_csv_reader *r);

/* Next visit: EM_OK and *out (free with em_visit_free; its record is the
 * line of its first row); EM_EOF at the end; EM_EINVAL/EM_ERANGE/EM_ENOMEM
 * for a bad visit or row, which is skipped (err: file, line of the row,
 * field "column NAME" when a column is at fault, reason; call again for
 * the next); EM_EIO when the stream fails. A bad header, a missing column,
 * a field over max_field or a failed stream end the reading: the next call
 * returns EM_EOF. Line numbers are physical lines of the file (a row's
 * first line when a quoted field holds newlines). */
em_status em_csv_next(em_csv_reader *r, em_visit **out, em_error *err);

/* Line of the first row of the last visit returned or reported. */
long em_csv_record(const em_csv_reader *r);

#endif
