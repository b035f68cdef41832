/* flow.c: TCP connection table (see flow.h): O(1) lookup, insert, touch, remove. */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

/* Flows are allocated this many at a time and recycled. */
enum { FLOW_CHUNK = 1024 };

struct flow_chunk {
    struct flow_chunk *next;
    struct flow flows[FLOW_CHUNK];
};

struct flow_table {
    struct flow **buckets;
    uint64_t mask;
    uint64_t buckets_max;   /* the power of two >= flows_max the buckets may grow to */
    uint32_t count, max;
    struct flow *oldest, *newest;
    struct flow *free_list; /* linked through hnext */
    struct flow_chunk *chunks;
};

struct flow_table *flow_table_new(const struct limits *lim)
{
    struct flow_table *ft = calloc(1, sizeof *ft);
    if (ft == NULL)
        return NULL;
    /* Start small and double with the flows held: buckets sized for
     * flows_max from the start (2 MiB at the default) spread a few hundred
     * connections over as many cache lines, a miss per TCP segment. */
    ft->buckets_max = 1024;
    while (ft->buckets_max < lim->flows_max)
        ft->buckets_max <<= 1;
    uint64_t n = ft->buckets_max < 1024 ? ft->buckets_max : 1024;
    ft->buckets = calloc(n, sizeof *ft->buckets);
    if (ft->buckets == NULL) {
        free(ft);
        return NULL;
    }
    ft->mask = n - 1;
    ft->max = lim->flows_max;
    return ft;
}

/* Double the buckets once there are more flows than buckets, relinking
 * every flow from the LRU list: O(1) amortized per new flow. */
static void buckets_grow(struct flow_table *ft)
{
    uint64_t n = ft->mask + 1;
    if (ft->count <= n || n >= ft->buckets_max)
        return;
    uint64_t nb = n * 2;
    struct flow **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return; /* longer chains, still correct */
    for (struct flow *f = ft->oldest; f; f = f->newer) {
        struct flow **head = &b[f->hash & (nb - 1)];
        f->hnext = *head;
        *head = f;
    }
    free(ft->buckets);
    ft->buckets = b;
    ft->mask = nb - 1;
}

void flow_table_free(struct flow_table *ft)
{
    if (ft == NULL)
        return;
    for (struct flow_chunk *c = ft->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(ft->buckets);
    free(ft);
}

struct flow *flow_lookup(struct flow_table *ft, const struct flow_key *k, uint64_t hash, enum dir *d)
{
    for (struct flow *f = ft->buckets[hash & ft->mask]; f; f = f->hnext) {
        if (f->hash != hash)
            continue;
        if (flow_key_eq(&f->si.key, k)) {
            *d = DIR_C2S;
            return f;
        }
        struct flow_key r = flow_key_reverse(k);
        if (flow_key_eq(&f->si.key, &r)) {
            *d = DIR_S2C;
            return f;
        }
    }
    return NULL;
}

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
    if (f->older)
        f->older->newer = f->newer;
    else
        ft->oldest = f->newer;
    if (f->newer)
        f->newer->older = f->older;
    else
        ft->newest = f->older;
    f->older = f->newer = NULL;
}

static void lru_push_newest(struct flow_table *ft, struct flow *f)
{
    f->older = ft->newest;
    f->newer = NULL;
    if (ft->newest)
        ft->newest->newer = f;
    else
        ft->oldest = f;
    ft->newest = f;
}

static struct flow *flow_alloc(struct flow_table *ft)
{
    if (ft->free_list == NULL) {
        struct flow_chunk *c = malloc(sizeof *c);
        if (c == NULL)
            return NULL;
        c->next = ft->chunks;
        ft->chunks = c;
        for (size_t i = 0; i < FLOW_CHUNK; i++) {
            c->flows[i].hnext = ft->free_list;
            ft->free_list = &c->flows[i];
        }
    }
    struct flow *f = ft->free_list;
    ft->free_list = f->hnext;
    return f;
}

struct flow *flow_insert(struct flow_table *ft, const struct flow_key *client_key, uint64_t hash)
{
    if (ft->count >= ft->max)
        return NULL;
    struct flow *f = flow_alloc(ft);
    if (f == NULL)
        return NULL;
    memset(f, 0, sizeof *f);
    f->si.key = *client_key;
    f->hash = hash;
    struct flow **b = &ft->buckets[hash & ft->mask];
    f->hnext = *b;
    *b = f;
    lru_push_newest(ft, f);
    ft->count++;
    buckets_grow(ft);
    return f;
}

void flow_touch(struct flow_table *ft, struct flow *f, ts_ns now)
{
    f->last_seen = now;
    if (ft->newest != f) {
        lru_unlink(ft, f);
        lru_push_newest(ft, f);
    }
}

void flow_remove(struct flow_table *ft, struct flow *f)
{
    struct flow **pp = &ft->buckets[f->hash & ft->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    lru_unlink(ft, f);
    f->hnext = ft->free_list;
    ft->free_list = f;
    ft->count--;
}

struct flow *flow_oldest(const struct flow_table *ft) { return ft->oldest; }
uint32_t flow_count(const struct flow_table *ft) { return ft->count; }
bool flow_table_full(const struct flow_table *ft) { return ft->count >= ft->max; }
