/* em_arena.h: a bump allocator; everything of one visit lives in one arena
 * and is freed in one call. */
#ifndef EM_ARENA_H
#define EM_ARENA_H

#include <stddef.h>

typedef struct em_arena em_arena;

/* limit: most bytes the arena may hand out in all (0 = no limit). */
em_arena *em_arena_new(size_t limit);
void em_arena_free(em_arena *a);

/* Zeroed memory aligned for any type; NULL when out of memory or over the
 * limit. */
void *em_arena_alloc(em_arena *a, size_t size);
/* n elements of size bytes, with overflow check. */
void *em_arena_calloc(em_arena *a, size_t n, size_t size);
/* Copies len bytes of s and adds a NUL. */
char *em_arena_strndup(em_arena *a, const char *s, size_t len);
char *em_arena_strdup(em_arena *a, const char *s);

/* Bytes handed out so far. */
size_t em_arena_used(const em_arena *a);

#endif
