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
 * the visit's memory (0: none). */
em_status em_visit_parse(const char *json, size_t len, const char *source,
                         long record, size_t arena_limit, em_visit **out,
                         em_error *err);

typedef struct em_ndjson_reader em_ndjson_reader;

/* Reads visits one per line from f (not closed by the reader). name is used
 * in messages ("-" for stdin). max_line bounds one record (0: default).
 * Blank lines are skipped; a UTF-8 BOM at the start and a missing final
 * newline are fine; CRLF line ends are fine. */
em_ndjson_reader *em_ndjson_open(FILE *f, const char *name, size_t max_line);
void em_ndjson_close(em_ndjson_reader *r);

/* Next visit: EM_OK and *out (free with em_visit_free); EM_EOF at the end;
 * EM_EINVAL/EM_ERANGE/EM_ENOMEM for a bad record, which is skipped (err has
 * file, record, field, reason; call again for the next one); EM_EIO when
 * the stream fails (stop). */
em_status em_ndjson_next(em_ndjson_reader *r, em_visit **out, em_error *err);

/* Line number of the last record returned or reported. */
long em_ndjson_record(const em_ndjson_reader *r);

/* Writers: one JSON object and a newline each. EM_EIO on write errors. */
em_status em_json_write_claim_line(FILE *f, const em_claim_line *c);
em_status em_json_write_finding(FILE *f, const em_finding *fd);
/* {"method":"cms","timed_minutes":47,"total_units":3,"lines":[...]} */
em_status em_json_write_units(FILE *f, const em_unit_result *r,
                              const em_unit_line *lines);
/* Any JSON-shaped value (used by the host to print extras). */
em_status em_json_write_value(FILE *f, const em_value *v);

#endif
