/* mem.c: capped allocation with a running account (see mem.h). */
#include "mem.h"

#include <stdlib.h>

void mem_acct_init(struct mem_acct *a, uint64_t cap)
{
    a->used = a->peak = a->refused = 0;
    a->cap = cap;
}

static int mem_would_pass(const struct mem_acct *a, size_t n)
{
    return n > a->cap || a->used > a->cap - n;
}

void *mem_alloc(struct mem_acct *a, size_t n)
{
    if (mem_would_pass(a, n)) {
        a->refused++;
        return NULL;
    }
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        a->refused++;
        return NULL;
    }
    a->used += n;
    if (a->used > a->peak)
        a->peak = a->used;
    return p;
}

void *mem_realloc(struct mem_acct *a, void *p, size_t old_n, size_t new_n)
{
    if (new_n > old_n && mem_would_pass(a, new_n - old_n)) {
        a->refused++;
        return NULL;
    }
    void *q = realloc(p, new_n ? new_n : 1);
    if (q == NULL) {
        a->refused++;
        return NULL;
    }
    a->used = a->used - old_n + new_n;
    if (a->used > a->peak)
        a->peak = a->used;
    return q;
}

void mem_free(struct mem_acct *a, void *p, size_t n)
{
    if (p == NULL)
        return;
    free(p);
    a->used = n > a->used ? 0 : a->used - n;
}
