/* embed.h: the Lua half of the API (the files of lua/eightmin), compiled in by
 * lua/embed.sh. */
#ifndef EML_EMBED_H
#define EML_EMBED_H

#include <stddef.h>

typedef struct emL_source {
    const char *module;            /* "eightmin", "eightmin.check", ... */
    const char *chunkname;         /* "@lua/eightmin/check.lua" */
    const unsigned char *text;
    size_t len;
} emL_source;

/* Ends with an entry whose module is NULL. */
extern const emL_source emL_sources[];

#endif
