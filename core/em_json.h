/* em_json.h: NDJSON in and out. The only part of eightmin that knows which
 * JSON library parses (json.c); everything else sees records. */
#ifndef EM_JSON_H
#define EM_JSON_H

#include <stdio.h>

#include "em_error.h"
#include "em_record.h"
#include "em_units.h"

#define EM_JSON_DEFAULT_MAX_LINE (16u * 1024u * 1024u) /* bytes per record */
#define EM_JSON_MAX_DEPTH 64                           /* nesting bound */

/* Parses one visit from len bytes of JSON text. source and record say where
 * it came from (for messages and em_visit.source/record). On EM_EINVAL err
 * names the field ("lines[2].minutes") and the reason. arena_limit bounds
 * the visit's memory (0: none; EM_ENOMEM when hit). On any error *out is
 * NULL, err->file/record are source/record, and nothing is kept.
 *
 * Field paths use 1-based indexes, like claim lines and findings do:
 * "lines[1]" is the first service line, "lines[1].segments[2].end" the end
 * of its second segment, "diagnoses[3]" the third diagnosis. A path is ""
 * when the fault is the record as a whole (not JSON, bad UTF-8 in a member
 * nobody keeps, a NUL byte or a NUL escape).
 *
 * Unknown members of the visit, a line, the note and the episode are kept
 * in their `extra` objects; unknown members of other objects (patient,
 * provider, telehealth, segments, ...) are checked and dropped. Numbers in
 * extras are EM_VALUE_INT when integral and within +-(2^53 - 1) (where a
 * double is exact), else EM_VALUE_NUMBER. null for an optional member means
 * absent. Duplicate keys, invalid UTF-8, nesting deeper than
 * EM_JSON_MAX_DEPTH and non-finite numbers are errors anywhere. */
em_status em_visit_parse(const char *json, size_t len, const char *source,
                         long record, size_t arena_limit, em_visit **out,
                         em_error *err);

typedef struct em_ndjson_reader em_ndjson_reader;

/* Reads visits one per line from f (not closed by the reader). name is used
 * in messages ("-" for stdin). max_line bounds one record in bytes, without
 * its line end (0: default). Blank lines are skipped; a UTF-8 BOM at the
 * start and a missing final newline are fine; CRLF line ends are fine.
 * NULL when f is NULL or out of memory. */
em_ndjson_reader *em_ndjson_open(FILE *f, const char *name, size_t max_line);
void em_ndjson_close(em_ndjson_reader *r);

/* Next visit: EM_OK and *out (free with em_visit_free); EM_EOF at the end;
 * EM_EINVAL/EM_ERANGE/EM_ENOMEM for a bad record, which is skipped (err has
 * file, record, field, reason; call again for the next one); EM_EIO when
 * the stream fails (stop). A record longer than max_line is EM_ERANGE and
 * is skipped without being kept in memory. Record numbers are physical
 * line numbers (blank lines count). */
em_status em_ndjson_next(em_ndjson_reader *r, em_visit **out, em_error *err);

/* Line number of the last record returned or reported. */
long em_ndjson_record(const em_ndjson_reader *r);

/* Writers: one compact JSON object and a newline each, written in one
 * fwrite (EM_EIO when it fails; EM_ENOMEM, nothing written, when out of
 * memory; EM_EINVAL for a NULL record). Strings are escaped; bytes that are
 * not UTF-8 become U+FFFD; NULL strings are null.
 * Claim line: {"visit":..,"cpt":..,"units":2,"modifiers":[..]} and
 * "dx_pointers":[1,2] only when there are any.
 * Finding: {"visit":..,"line":1,"rule":..,"severity":..,"message":..,
 * "cite":..}; "line" left out when 0, "cite" when NULL. */
em_status em_json_write_claim_line(FILE *f, const em_claim_line *c);
em_status em_json_write_finding(FILE *f, const em_finding *fd);
/* {"method":"cms","timed_minutes":47,"total_units":3,"lines":[...]} */
em_status em_json_write_units(FILE *f, const em_unit_result *r,
                              const em_unit_line *lines);
/* Any JSON-shaped value (used by the host to print extras); NULL is null.
 * Integers print exactly, other numbers as the shortest text that reads
 * back the same, non-finite numbers as null. EM_EINVAL (nothing written)
 * for a tree deeper than EM_JSON_MAX_DEPTH. */
em_status em_json_write_value(FILE *f, const em_value *v);

/* Parses any JSON text (an object, array, string, number, ...) into a
 * value tree in arena: the inverse of em_json_write_value, for tools that
 * read eightmin's own JSON back (decision logs). Rules as for extras:
 * integers within +-(2^53 - 1) are EM_VALUE_INT, duplicate keys, invalid
 * UTF-8, NUL characters, nesting deeper than EM_JSON_MAX_DEPTH, non-finite
 * numbers and text after the value are EM_EINVAL (err->field is the path,
 * "lines[2].cpt", "" for the text as a whole). On error *out is NULL;
 * what was allocated stays in the arena until it is freed. */
em_status em_value_parse(const char *json, size_t len, em_arena *arena,
                         em_value **out, em_error *err);

#endif
