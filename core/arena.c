/* arena.c: a chunked bump allocator. One visit, one arena, one free. */
#include "em_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 4096u
#define ALIGN alignof(max_align_t)

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} chunk;

struct em_arena {
    chunk *head;
    size_t limit, handed_out;
};

em_arena *em_arena_new(size_t limit)
{
    em_arena *a = calloc(1, sizeof *a);
    if (a)
        a->limit = limit;
    return a;
}

void em_arena_free(em_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *em_arena_alloc(em_arena *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ALIGN)
        return NULL;
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (a->limit && (need > a->limit || a->handed_out > a->limit - need))
        return NULL;
    chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        size_t want = need > CHUNK_MIN ? need : CHUNK_MIN;
        if (c && c->size * 2 > want && c->size < (1u << 20))
            want = c->size * 2;  /* grow chunks geometrically, up to 1 MiB */
        if (want > SIZE_MAX - sizeof(chunk))
            return NULL;
        c = malloc(sizeof(chunk) + want);
        if (!c)
            return NULL;
        c->size = want;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->handed_out += need;
    memset(p, 0, size);
    return p;
}

void *em_arena_calloc(em_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return em_arena_alloc(a, n * size);
}

char *em_arena_strndup(em_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = em_arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *em_arena_strdup(em_arena *a, const char *s)
{
    return em_arena_strndup(a, s, strlen(s));
}

size_t em_arena_used(const em_arena *a)
{
    return a->handed_out;
}
