/* media_expect.c: a capped hash of SDP media endpoints (c= address + m= port), oldest out. */
#include "media_expect.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

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
    struct media_hint hint;
};

/* The links apart from the entries (links[i] goes with pool[i]): a chain
 * step and its hash compare read a compact array, not a 200-byte entry;
 * taking an entry out of the age list writes its neighbours' links, and
 * the expiry reads the oldest one's time, not entries announced as long
 * ago as they were (cold). */
struct me_link {
    uint32_t next;            /* bucket chain, or the free list */
    uint32_t hash;
    uint32_t older, younger;  /* age list */
    ts_ns when;               /* last announced */
};

struct media_expect {
    struct me_entry *pool;
    struct me_link *links;
    uint32_t pool_cap;   /* allocated entries */
    uint32_t used;       /* entries handed out */
    uint32_t max;        /* the cap */
    uint32_t *buckets;
    uint32_t n_buckets;  /* power of two, grown with the entries held */
    uint32_t buckets_max;
    uint32_t live;       /* entries in the table */
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
    /* Start small and double with the entries held: a table sized for
     * the cap from the start (a megabyte at the default calls_max) made
     * every announcement a cache miss on its bucket. */
    m->buckets_max = 16;
    while (m->buckets_max < m->max && m->buckets_max < BUCKETS_MAX)
        m->buckets_max <<= 1;
    m->n_buckets = m->buckets_max < 1024 ? m->buckets_max : 1024;
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
    free(m->links);
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

static uint32_t me_lookup_h(const struct media_expect *m, const struct ip_addr *addr, uint16_t port, uint32_t h)
{
    for (uint32_t i = m->buckets[h & (m->n_buckets - 1)]; i != NIL; i = m->links[i].next) {
        if (m->links[i].hash != h)
            continue;
        const struct me_entry *e = &m->pool[i];
        if (e->port == port && ip_addr_eq(&e->addr, addr))
            return i;
    }
    return NIL;
}

static uint32_t me_lookup(const struct media_expect *m, const struct ip_addr *addr, uint16_t port)
{
    if (m->used == 0)
        return NIL; /* no SDP seen (yet): the common case on media-only captures */
    return me_lookup_h(m, addr, port, me_hash(addr, port));
}

static void age_unlink(struct media_expect *m, uint32_t i)
{
    struct me_link *e = &m->links[i];
    if (e->older != NIL)
        m->links[e->older].younger = e->younger;
    else
        m->oldest = e->younger;
    if (e->younger != NIL)
        m->links[e->younger].older = e->older;
    else
        m->youngest = e->older;
    e->older = e->younger = NIL;
}

static void age_push_young(struct media_expect *m, uint32_t i)
{
    struct me_link *e = &m->links[i];
    e->older = m->youngest;
    e->younger = NIL;
    if (m->youngest != NIL)
        m->links[m->youngest].younger = i;
    else
        m->oldest = i;
    m->youngest = i;
}

static void bucket_unlink(struct media_expect *m, uint32_t i)
{
    uint32_t *link = &m->buckets[m->links[i].hash & (m->n_buckets - 1)];
    while (*link != NIL && *link != i)
        link = &m->links[*link].next;
    if (*link == i)
        *link = m->links[i].next;
    m->links[i].next = NIL;
}

/* Double the buckets once there are more entries than buckets, relinking
 * every entry from the age list: O(1) amortized per announcement. */
static void buckets_grow(struct media_expect *m)
{
    if (m->live < m->n_buckets || m->n_buckets >= m->buckets_max)
        return;
    uint32_t nb = m->n_buckets * 2;
    uint32_t *b = malloc((size_t)nb * sizeof *b);
    if (b == NULL)
        return; /* longer chains, still correct */
    for (uint32_t i = 0; i < nb; i++)
        b[i] = NIL;
    for (uint32_t i = m->oldest; i != NIL; i = m->links[i].younger) {
        uint32_t h = m->links[i].hash & (nb - 1);
        m->links[i].next = b[h];
        b[h] = i;
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = nb;
}

/* Entry i out of the table, onto the free list. */
static void me_remove(struct media_expect *m, uint32_t i)
{
    age_unlink(m, i);
    bucket_unlink(m, i);
    m->live--;
    m->links[i].next = m->free_head;
    m->free_head = i;
}

/* Forget endpoints older than the TTL, a few per announcement. */
static void me_expire(struct media_expect *m, ts_ns now)
{
    for (int n = 0; n < EXPIRE_BUDGET && m->oldest != NIL; n++) {
        uint32_t i = m->oldest;
        if (now - m->links[i].when <= m->ttl_ns)
            break;
        me_remove(m, i);
    }
}

/* A free slot: an expired one, a new one, or the oldest entry evicted. */
static uint32_t me_slot(struct media_expect *m)
{
    if (m->free_head != NIL) {
        uint32_t i = m->free_head;
        m->free_head = m->links[i].next;
        return i;
    }
    if (m->used < m->max) {
        if (m->used == m->pool_cap) {
            uint32_t ncap = m->pool_cap ? m->pool_cap * 2 : POOL_INITIAL;
            if (ncap > m->max)
                ncap = m->max;
            struct me_link *nl = realloc(m->links, (size_t)ncap * sizeof *nl);
            if (nl == NULL)
                goto evict;
            m->links = nl;
            struct me_entry *np = realloc(m->pool, (size_t)ncap * sizeof *np);
            if (np == NULL)
                goto evict; /* links is larger than needed: harmless */
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
    m->live--;
    return i;
}

/* memcpy of a Call-ID: with the length bounded by the buffer GCC expands
 * memcpy inline as rep movs, whose start-up costs more than copying a
 * 20-40 byte Call-ID eight bytes at a time (the last eight overlapping). */
static void copy_short(char *dst, const char *src, size_t n)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
        return;
    }
    for (size_t i = 0; i + 8 < n; i += 8)
        memcpy(dst + i, src + i, 8);
    memcpy(dst + n - 8, src + n - 8, 8);
}

void media_expect_add(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                      const struct media_hint *hint, ts_ns when)
{
    if (hint)
        media_expect_add_id(m, addr, port, hint, hint->call_id, strnlen(hint->call_id, sizeof hint->call_id - 1),
                            when);
}

void media_expect_add_id(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                         const struct media_hint *hint, const char *call_id, size_t n, ts_ns when)
{
    if (m == NULL || addr == NULL || hint == NULL || port == 0)
        return;
    uint32_t h = me_hash(addr, port);
    /* asked for now, read after the expiry (whose misses then overlap) */
    PREFETCH(&m->buckets[h & (m->n_buckets - 1)]);
    me_expire(m, when);
    buckets_grow(m); /* before the entry is linked: the regrowth walks the age list */
    uint32_t i = m->used ? me_lookup_h(m, addr, port, h) : NIL;
    if (i != NIL) {
        age_unlink(m, i);
    } else {
        i = me_slot(m);
        if (i == NIL)
            return;
        struct me_entry *e = &m->pool[i]; /* every field is set below: no memset */
        e->addr = *addr;
        e->port = port;
        uint32_t b = h & (m->n_buckets - 1);
        m->links[i].hash = h;
        m->links[i].next = m->buckets[b];
        m->buckets[b] = i;
        m->live++;
    }
    struct me_entry *e = &m->pool[i];
    /* The fixed fields, then the Call-ID to its NUL (media_expect.h): every
     * endpoint stays for the setup timeout, and writing all 128 bytes of
     * each new entry was most of the cache misses of a SIP-heavy capture. */
    memcpy(&e->hint, hint, offsetof(struct media_hint, call_id));
    size_t idn = n < sizeof e->hint.call_id - 1 ? n : sizeof e->hint.call_id - 1;
    copy_short(e->hint.call_id, call_id, idn);
    e->hint.call_id[idn] = '\0';
    m->links[i].when = when;
    age_push_young(m, i);
}

void media_expect_forget(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                         const char *call_id, size_t n)
{
    if (m == NULL || addr == NULL || port == 0)
        return;
    uint32_t i = me_lookup(m, addr, port);
    if (i == NIL)
        return;
    const char *held = m->pool[i].hint.call_id; /* cut to its buffer, as added */
    size_t cut = n < sizeof m->pool[i].hint.call_id - 1 ? n : sizeof m->pool[i].hint.call_id - 1;
    if (strlen(held) != cut || memcmp(held, call_id, cut) != 0)
        return;
    me_remove(m, i);
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
