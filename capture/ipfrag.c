/* ipfrag.c: IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5) fragment reassembly. */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

/*
 * Layout. Every pending datagram owns a data buffer, filled at each
 * fragment's offset, and a bitmap with one bit per 8-byte block. Fragment
 * offsets count in 8-byte units on the wire (RFC 791, RFC 8200) and every
 * fragment but the last is a whole number of blocks, so a block is either
 * wholly present or absent; only the final block may be short, and only
 * the last fragment (which fixes the total) can fill it. First copy wins:
 * a block already present is never overwritten, which defeats the
 * overlapping-fragment rewrites used for IDS evasion (RFC 5722 forbids
 * overlaps for IPv6 outright; we keep the datagram but count them).
 *
 * Datagrams sit in a hash table for lookup and in a list ordered by
 * creation for expiry and eviction: the timer starts with the first
 * fragment and is not refreshed by later ones (RFC 791's reassembly timer,
 * as Linux does), so a trickle of fragments cannot hold a slot forever.
 *
 * Memory: data and bitmaps come from the caller's mem_acct (they grow with
 * hostile input); the fixed-size entries and buckets, bounded by
 * limits.ipfrag_max, come from plain malloc and are reused via a free list.
 */

/* Timed-out datagrams popped per ipfrag_add: bounded work per packet,
 * yet faster than the one new datagram a packet can create. */
enum { IPFRAG_EXPIRE_BUDGET = 8, IPFRAG_BLOCK = 8 };
/* 2^22 buckets (32 MiB of pointers) is plenty for any sane ipfrag_max. */
enum { IPFRAG_BUCKETS_MIN = 16, IPFRAG_BUCKETS_MAX = 1u << 22 };

struct ipfrag_dgram {
    struct ipfrag_key key;
    uint64_t hash;
    struct ipfrag_dgram *hnext;        /* hash chain; free list link when unused */
    struct ipfrag_dgram *older, *newer; /* creation order */
    ts_ns born;                        /* capture time of the first fragment */
    uint8_t *data;
    uint32_t cap;                      /* bytes allocated for data */
    uint8_t *have;                     /* one bit per 8-byte block of data */
    uint32_t have_n;                   /* bytes allocated for have */
    uint32_t blocks_have;              /* bits set in have */
    uint32_t end_max;                  /* highest fragment end seen */
    uint32_t total;                    /* valid when has_total */
    bool has_total;                    /* the last fragment (MF=0) arrived */
};

struct ipfrag_table {
    struct limits lim;
    struct mem_acct *acct;
    struct ipfrag_stats stats;
    uint64_t seed;
    struct ipfrag_dgram **buckets;
    uint32_t nbuckets; /* power of two */
    uint32_t count;
    struct ipfrag_dgram *oldest, *newest;
    struct ipfrag_dgram *free_list;
    /* The last DONE buffer, kept until the next call (see ipfrag.h). */
    uint8_t *done;
    uint32_t done_cap;
};

static uint64_t addr_hash(const struct ip_addr *a, uint64_t h)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    h = hash_mix64(h ^ w0);
    h = hash_mix64(h ^ w1);
    return hash_mix64(h ^ a->family);
}

/* Field by field: the key struct has padding that memcmp/hashing must not see. */
static uint64_t key_hash(const struct ipfrag_table *t, const struct ipfrag_key *k)
{
    uint64_t h = addr_hash(&k->src, t->seed);
    h = addr_hash(&k->dst, h);
    return hash_mix64(h ^ ((uint64_t)k->id << 8) ^ k->proto);
}

static bool key_eq(const struct ipfrag_key *a, const struct ipfrag_key *b)
{
    return a->id == b->id && a->proto == b->proto && ip_addr_eq(&a->src, &b->src) &&
           ip_addr_eq(&a->dst, &b->dst);
}

static uint32_t blocks_for(uint32_t bytes)
{
    return bytes / IPFRAG_BLOCK + (bytes % IPFRAG_BLOCK != 0);
}

static bool block_has(const struct ipfrag_dgram *g, uint32_t b)
{
    return (g->have[b / 8] >> (b % 8)) & 1u;
}

static void block_set(struct ipfrag_dgram *g, uint32_t b)
{
    g->have[b / 8] |= (uint8_t)(1u << (b % 8));
    g->blocks_have++;
}

static void done_release(struct ipfrag_table *t)
{
    mem_free(t->acct, t->done, t->done_cap);
    t->done = NULL;
    t->done_cap = 0;
}

struct ipfrag_table *ipfrag_new(const struct limits *lim, struct mem_acct *acct)
{
    struct ipfrag_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->lim = *lim;
    t->acct = acct;
    /* Load factor at most 1 when full. */
    uint32_t nb = IPFRAG_BUCKETS_MIN;
    while (nb < lim->ipfrag_max && nb < IPFRAG_BUCKETS_MAX)
        nb <<= 1;
    t->nbuckets = nb;
    t->buckets = calloc(nb, sizeof *t->buckets);
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    /* Per-table seed from the table's address (ASLR): the key is chosen
     * by the sender, so a fixed seed would let it pile every datagram into
     * one chain. Output never depends on bucket order. */
    t->seed = hash_mix64((uint64_t)(uintptr_t)t ^ 0x6970667261677331ULL);
    return t;
}

/* Unlink g from the table and recycle it; its buffers go back to acct. */
static void dgram_drop(struct ipfrag_table *t, struct ipfrag_dgram *g)
{
    struct ipfrag_dgram **pp = &t->buckets[g->hash & (t->nbuckets - 1)];
    while (*pp != g)
        pp = &(*pp)->hnext;
    *pp = g->hnext;
    if (g->older)
        g->older->newer = g->newer;
    else
        t->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        t->newest = g->older;
    mem_free(t->acct, g->data, g->cap);
    mem_free(t->acct, g->have, g->have_n);
    memset(g, 0, sizeof *g);
    g->hnext = t->free_list;
    t->free_list = g;
    t->count--;
}

void ipfrag_free(struct ipfrag_table *t)
{
    if (t == NULL)
        return;
    while (t->oldest)
        dgram_drop(t, t->oldest);
    done_release(t);
    while (t->free_list) {
        struct ipfrag_dgram *g = t->free_list;
        t->free_list = g->hnext;
        free(g);
    }
    free(t->buckets);
    free(t);
}

/* Older than the timeout at now. Capture time may jump backwards in a
 * merged pcap; such a datagram just counts as young. */
static bool dgram_is_stale(const struct ipfrag_table *t, const struct ipfrag_dgram *g, ts_ns now)
{
    if (now <= g->born)
        return false;
    uint64_t age_ns = (uint64_t)now - (uint64_t)g->born; /* no signed overflow */
    return age_ns > (uint64_t)t->lim.ipfrag_timeout_ms * 1000000u;
}

/* The list is in creation order, so the stale ones are at its head; with
 * out-of-order timestamps this is approximate, and eviction still caps
 * the table. */
static void expire_some(struct ipfrag_table *t, ts_ns now, uint32_t budget)
{
    while (budget-- > 0 && t->oldest && dgram_is_stale(t, t->oldest, now)) {
        dgram_drop(t, t->oldest);
        t->stats.timed_out++;
    }
}

void ipfrag_expire(struct ipfrag_table *t, ts_ns now)
{
    done_release(t);
    expire_some(t, now, UINT32_MAX);
}

static struct ipfrag_dgram *dgram_find(struct ipfrag_table *t, const struct ipfrag_key *k, uint64_t h)
{
    for (struct ipfrag_dgram *g = t->buckets[h & (t->nbuckets - 1)]; g; g = g->hnext)
        if (g->hash == h && key_eq(&g->key, k))
            return g;
    return NULL;
}

/* A new, empty datagram, newest in age order; NULL if no slot or no memory. */
static struct ipfrag_dgram *dgram_create(struct ipfrag_table *t, const struct ipfrag_key *k,
                                         uint64_t h, ts_ns now)
{
    if (t->lim.ipfrag_max == 0)
        return NULL;
    if (t->count >= t->lim.ipfrag_max) {
        dgram_drop(t, t->oldest);
        t->stats.evicted++;
    }
    struct ipfrag_dgram *g = t->free_list;
    if (g)
        t->free_list = g->hnext;
    else if ((g = calloc(1, sizeof *g)) == NULL)
        return NULL;
    memset(g, 0, sizeof *g);
    g->key = *k;
    g->hash = h;
    g->born = now;
    struct ipfrag_dgram **head = &t->buckets[h & (t->nbuckets - 1)];
    g->hnext = *head;
    *head = g;
    g->older = t->newest;
    if (t->newest)
        t->newest->newer = g;
    else
        t->oldest = g;
    t->newest = g;
    t->count++;
    return g;
}

/*
 * Room for bytes [0, need). While the total is unknown, grow geometrically
 * (capped at ipfrag_bytes_max) so an in-order train costs O(log n)
 * reallocations; once known, grow straight to it. need <= ipfrag_bytes_max.
 */
static bool dgram_reserve(struct ipfrag_table *t, struct ipfrag_dgram *g, uint32_t need)
{
    if (need <= g->cap)
        return true;
    uint32_t new_cap = need;
    if (!g->has_total) {
        uint32_t max = t->lim.ipfrag_bytes_max;
        uint32_t doubled = g->cap > max / 2 ? max : g->cap * 2;
        if (doubled > new_cap)
            new_cap = doubled;
    }
    uint8_t *d = mem_realloc(t->acct, g->data, g->cap, new_cap);
    if (d == NULL)
        return false;
    g->data = d;
    g->cap = new_cap;
    uint32_t have_n = blocks_for(blocks_for(new_cap)); /* a bit per block, 8 bits a byte */
    if (have_n > g->have_n) {
        uint8_t *h = mem_realloc(t->acct, g->have, g->have_n, have_n);
        if (h == NULL)
            return false;
        memset(h + g->have_n, 0, have_n - g->have_n);
        g->have = h;
        g->have_n = have_n;
    }
    return true;
}

/* Hand g's buffer to the caller via out and retire g. */
static void dgram_complete(struct ipfrag_table *t, struct ipfrag_dgram *g, struct span *out)
{
    t->done = g->data;
    t->done_cap = g->cap;
    out->p = g->data;
    out->n = g->total;
    g->data = NULL;
    g->cap = 0;
    dgram_drop(t, g);
    t->stats.reassembled++;
}

enum ipfrag_rc ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *key, uint32_t off,
                          bool more, const uint8_t *p, size_t n, ts_ns now, struct span *out)
{
    out->p = NULL;
    out->n = 0;
    done_release(t);
    expire_some(t, now, IPFRAG_EXPIRE_BUDGET);

    if (off == 0 && !more) {
        /* Not a fragment at all: nothing to hold, the payload is whole. */
        out->p = p;
        out->n = n;
        return IPFRAG_DONE;
    }
    /* Wire offsets are in 8-byte units and only the last fragment may end
     * mid-block; anything else is a forged or corrupt fragment. An empty
     * non-last fragment carries nothing and only pins a slot. */
    if (off % IPFRAG_BLOCK != 0 || (more && (n == 0 || n % IPFRAG_BLOCK != 0)) ||
        (p == NULL && n != 0)) {
        t->stats.invalid++;
        return IPFRAG_DROPPED;
    }

    uint64_t h = key_hash(t, key);
    struct ipfrag_dgram *g = dgram_find(t, key, h);
    if (g && dgram_is_stale(t, g, now)) {
        /* Budgeted expiry has not reached it yet; never join a dead datagram. */
        dgram_drop(t, g);
        t->stats.timed_out++;
        g = NULL;
    }

    /* end = off + n, compared without overflowing either type. */
    uint32_t max = t->lim.ipfrag_bytes_max;
    if (n > max || off > max - n) {
        t->stats.too_large++;
        if (g)
            dgram_drop(t, g);
        return IPFRAG_DROPPED;
    }
    uint32_t end = off + (uint32_t)n;

    if (g == NULL && (g = dgram_create(t, key, h, now)) == NULL)
        return IPFRAG_DROPPED;

    /* The total length must stay consistent: one last fragment (or exact
     * copies of it), and no data past it. A conflict means the receiver's
     * result depends on arrival order, so nobody can trust the datagram. */
    bool conflict;
    if (!more)
        conflict = g->has_total ? end != g->total : end < g->end_max;
    else
        conflict = g->has_total && end > g->total;
    if (conflict) {
        t->stats.invalid++;
        dgram_drop(t, g);
        return IPFRAG_DROPPED;
    }
    if (!more) {
        g->has_total = true;
        g->total = end;
    }
    if (end > g->end_max)
        g->end_max = end;

    if (!dgram_reserve(t, g, g->has_total ? g->total : end)) {
        dgram_drop(t, g); /* the account counted the refusal */
        return IPFRAG_DROPPED;
    }

    /* Copy only blocks not yet present: first copy wins. */
    struct cur src = cur_make(p, n);
    bool overlapped = false;
    for (uint32_t pos = off; pos < end;) {
        uint32_t b = pos / IPFRAG_BLOCK;
        uint32_t len = end - pos < IPFRAG_BLOCK ? end - pos : IPFRAG_BLOCK;
        if (block_has(g, b)) {
            overlapped = true;
            cur_skip(&src, len);
        } else {
            cur_copy(&src, g->data + pos, len);
            block_set(g, b);
        }
        pos += len;
    }
    if (overlapped)
        t->stats.overlaps++;

    if (g->has_total && g->blocks_have == blocks_for(g->total)) {
        dgram_complete(t, g, out);
        return IPFRAG_DONE;
    }
    return IPFRAG_HELD;
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t)
{
    return &t->stats;
}

uint32_t ipfrag_pending(const struct ipfrag_table *t)
{
    return t->count;
}
