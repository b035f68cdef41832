/* media_expect.c: a capped hash of SDP media endpoints (c= address + m= port), oldest out. */
#include "media_expect.h"

#include <stdlib.h>
#include <string.h>

/*
 * Entries live in one pool that grows by doubling up to the cap, and are
 * linked two ways by index: a bucket chain for lookup and an age list
 * (oldest first) for eviction. Indices instead of pointers so the pool can
 * be reallocated. A refresh moves the entry to the young end, so an
 * endpoint a long call keeps re-announcing (re-INVITE) is not evicted.
 */
enum { NIL = UINT32_MAX, BUCKETS_MAX = 1u << 18, POOL_INITIAL = 64, EXPIRE_BUDGET = 4 };

struct me_entry {
    struct ip_addr addr;
    uint16_t port;
    uint32_t next;            /* bucket chain */
    uint32_t older, younger;  /* age list */
    ts_ns when;
    struct media_hint hint;
};

struct media_expect {
    struct me_entry *pool;
    uint32_t pool_cap;   /* allocated entries */
    uint32_t used;       /* entries handed out */
    uint32_t max;        /* the cap */
    uint32_t *buckets;
    uint32_t n_buckets;  /* power of two */
    uint32_t oldest, youngest;
    uint32_t free_head;  /* expired entries, chained by next */
    ts_ns ttl_ns;        /* an endpoint not announced again for this long is forgotten */
};

/* Two endpoints per media line (offer and answer) per call. */
static uint32_t cap_from_limits(const struct limits *lim)
{
    uint64_t m = lim ? (uint64_t)lim->calls_max * 2 : 4096;
    if (m < 16)
        m = 16;
    if (m > (1u << 24))
        m = 1u << 24;
    return (uint32_t)m;
}

struct media_expect *media_expect_new(const struct limits *lim)
{
    struct media_expect *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->max = cap_from_limits(lim);
    /* Media starts when the call is answered, which may be a while after
     * the offer (ringing, timer C); a stream keeps the hint it started
     * with, so the endpoint can go once no call could still start there.
     * Capture time, so a long live capture stays flat. */
    uint32_t ttl_ms = lim ? (lim->call_setup_idle_ms > lim->udp_idle_ms ? lim->call_setup_idle_ms : lim->udp_idle_ms)
                          : 180000;
    m->ttl_ns = (ts_ns)ttl_ms * 1000000;
    m->free_head = NIL;
    m->n_buckets = 16;
    while (m->n_buckets < m->max && m->n_buckets < BUCKETS_MAX)
        m->n_buckets <<= 1;
    m->buckets = malloc((size_t)m->n_buckets * sizeof *m->buckets);
    if (m->buckets == NULL) {
        free(m);
        return NULL;
    }
    for (uint32_t i = 0; i < m->n_buckets; i++)
        m->buckets[i] = NIL;
    m->oldest = m->youngest = NIL;
    return m;
}

void media_expect_free(struct media_expect *m)
{
    if (m == NULL)
        return;
    free(m->pool);
    free(m->buckets);
    free(m);
}

/* The address words and the port through capture's mixer: RTP looks an
 * endpoint up per packet, so this is a few multiplies, not a byte loop. */
static uint32_t me_hash(const struct ip_addr *a, uint16_t port)
{
    uint64_t w[2];
    memcpy(w, a->b, sizeof w); /* IPv4 leaves the rest zero (netaddr.h) */
    uint64_t h = hash_mix64(w[0] ^ ((uint64_t)port << 48) ^ ((uint64_t)a->family << 40));
    h = hash_mix64(h ^ w[1]);
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t me_lookup(const struct media_expect *m, const struct ip_addr *addr, uint16_t port)
{
    if (m->used == 0)
        return NIL; /* no SDP seen (yet): the common case on media-only captures */
    uint32_t i = m->buckets[me_hash(addr, port) & (m->n_buckets - 1)];
    while (i != NIL) {
        const struct me_entry *e = &m->pool[i];
        if (e->port == port && ip_addr_eq(&e->addr, addr))
            return i;
        i = e->next;
    }
    return NIL;
}

static void age_unlink(struct media_expect *m, uint32_t i)
{
    struct me_entry *e = &m->pool[i];
    if (e->older != NIL)
        m->pool[e->older].younger = e->younger;
    else
        m->oldest = e->younger;
    if (e->younger != NIL)
        m->pool[e->younger].older = e->older;
    else
        m->youngest = e->older;
    e->older = e->younger = NIL;
}

static void age_push_young(struct media_expect *m, uint32_t i)
{
    struct me_entry *e = &m->pool[i];
    e->older = m->youngest;
    e->younger = NIL;
    if (m->youngest != NIL)
        m->pool[m->youngest].younger = i;
    else
        m->oldest = i;
    m->youngest = i;
}

static void bucket_unlink(struct media_expect *m, uint32_t i)
{
    struct me_entry *e = &m->pool[i];
    uint32_t *link = &m->buckets[me_hash(&e->addr, e->port) & (m->n_buckets - 1)];
    while (*link != NIL && *link != i)
        link = &m->pool[*link].next;
    if (*link == i)
        *link = e->next;
    e->next = NIL;
}

/* Forget endpoints older than the TTL, a few per announcement. */
static void me_expire(struct media_expect *m, ts_ns now)
{
    for (int n = 0; n < EXPIRE_BUDGET && m->oldest != NIL; n++) {
        uint32_t i = m->oldest;
        if (now - m->pool[i].when <= m->ttl_ns)
            break;
        age_unlink(m, i);
        bucket_unlink(m, i);
        m->pool[i].next = m->free_head;
        m->free_head = i;
    }
}

/* A free slot: an expired one, a new one, or the oldest entry evicted. */
static uint32_t me_slot(struct media_expect *m)
{
    if (m->free_head != NIL) {
        uint32_t i = m->free_head;
        m->free_head = m->pool[i].next;
        return i;
    }
    if (m->used < m->max) {
        if (m->used == m->pool_cap) {
            uint32_t ncap = m->pool_cap ? m->pool_cap * 2 : POOL_INITIAL;
            if (ncap > m->max)
                ncap = m->max;
            struct me_entry *np = realloc(m->pool, (size_t)ncap * sizeof *np);
            if (np == NULL)
                goto evict;
            m->pool = np;
            m->pool_cap = ncap;
        }
        return m->used++;
    }
evict:
    if (m->oldest == NIL)
        return NIL;
    uint32_t i = m->oldest;
    age_unlink(m, i);
    bucket_unlink(m, i);
    return i;
}

void media_expect_add(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                      const struct media_hint *hint, ts_ns when)
{
    if (m == NULL || addr == NULL || hint == NULL || port == 0)
        return;
    me_expire(m, when);
    uint32_t i = me_lookup(m, addr, port);
    if (i != NIL) {
        age_unlink(m, i);
    } else {
        i = me_slot(m);
        if (i == NIL)
            return;
        struct me_entry *e = &m->pool[i];
        memset(e, 0, sizeof *e);
        e->addr = *addr;
        e->port = port;
        uint32_t b = me_hash(addr, port) & (m->n_buckets - 1);
        e->next = m->buckets[b];
        m->buckets[b] = i;
    }
    struct me_entry *e = &m->pool[i];
    e->hint = *hint;
    e->hint.call_id[sizeof e->hint.call_id - 1] = '\0';
    e->when = when;
    age_push_young(m, i);
}

const struct media_hint *media_expect_find(const struct media_expect *m, const struct ip_addr *addr,
                                           uint16_t port)
{
    if (m == NULL || addr == NULL)
        return NULL;
    uint32_t i = me_lookup(m, addr, port);
    /* RTCP on port + 1 (RFC 3550 section 11) unless muxed: one entry covers
     * both, so an SDP-heavy capture keeps half the entries and misses */
    if (i == NIL && port > 0)
        i = me_lookup(m, addr, (uint16_t)(port - 1));
    return i == NIL ? NULL : &m->pool[i].hint;
}
