/* dtls_reasm.c: DTLS handshake fragments put back together per connection and sender (RFC 6347 4.2.3). */
#include "dtls_reasm.h"

#include <stdlib.h>
#include <string.h>

enum {
    /* Messages of one sender being put together at once: a flight is up to
     * five messages (ServerHello .. ServerHelloDone), of which usually only
     * the Certificate is fragmented; more in progress means loss or abuse. */
    PENDING_MAX = 4,
    /* Disjoint byte ranges received of one message: fragments arriving out
     * of order leave holes; more than this many holes is not a sender
     * fragmenting to fit its MTU. */
    RANGES_MAX = 16,
    /* Idle connections expired per datagram: bounded work per packet. */
    EXPIRE_BUDGET = 8,
    /* Least recently seen connections a full budget may take partial
     * messages from, per fragment. */
    RECLAIM_BUDGET = 32,
    HS_CLIENT_HELLO = 1,
};

struct range {
    uint32_t lo, hi; /* [lo, hi) */
};

struct pending {
    uint8_t *buf;        /* len bytes, NULL when the slot is free */
    uint32_t len;
    uint16_t seq;
    uint8_t type;
    uint8_t n_ranges;
    struct range ranges[RANGES_MAX]; /* sorted, disjoint, not touching */
    struct frame_ref last;           /* the frame of the last fragment added */
    uint64_t touched;                /* table clock at the last fragment, for slot eviction */
};

struct side {
    struct pending msgs[PENDING_MAX];
    /* message_seq values handed on: top is the highest + 1 (0 none), bit i
     * of bits stands for top - 1 - i. Older than 64 below top counts as seen. */
    uint32_t top;
    uint64_t bits;
    uint8_t type_of[64];  /* msg_type handed on with message_seq n, at n % 64 */
    bool saw_epoch1;     /* this sender went encrypted: a new ClientHello is a new handshake */
};

struct conn {
    struct flow_key key;            /* as first seen: side 0 sends key.src -> key.dst */
    struct side side[2];
    int8_t client_side;             /* 0, 1, or -1 unknown */
    struct frame_ref first;
    ts_ns last_seen;
    size_t held;                    /* bytes in this connection's buffers */
    struct conn *hnext;             /* hash chain */
    struct conn *lru_prev, *lru_next; /* lru_prev toward the most recent */
};

struct dtls_reasm {
    const struct limits *lim;
    dtls_incomplete_cb on_incomplete;
    void *cb_ctx;
    struct conn **buckets;
    size_t n_buckets;
    uint64_t seed;
    struct conn *lru_head, *lru_tail; /* head: most recently seen */
    struct conn *free_list;           /* freed connections, reused (chained by hnext) */
    size_t n_free;
    struct conn *cur;                 /* the touched connection */
    uint8_t *done;                    /* the last completed message, freed on the next call */
    int cur_side;
    uint64_t clock;
    struct dtls_reasm_stats st;
};

static void done_release(struct dtls_reasm *r)
{
    free(r->done);
    r->done = NULL;
}

static uint64_t conn_hash(const struct dtls_reasm *r, const struct flow_key *k)
{
    return flow_key_hash(k, r->seed); /* symmetric: both directions meet */
}

struct dtls_reasm *dtls_reasm_new(const struct limits *lim, dtls_incomplete_cb on_incomplete, void *ctx)
{
    struct dtls_reasm *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->lim = lim;
    r->on_incomplete = on_incomplete;
    r->cb_ctx = ctx;
    size_t nb = 64;
    while (nb < lim->dtls_conns_max && nb < ((size_t)1 << 24))
        nb <<= 1;
    r->buckets = calloc(nb, sizeof *r->buckets);
    if (r->buckets == NULL) {
        free(r);
        return NULL;
    }
    r->n_buckets = nb;
    /* From the table's address (ASLR): the 5-tuple is the sender's choice. */
    r->seed = hash_mix64((uint64_t)(uintptr_t)r ^ 0x64746c7372656173ULL);
    return r;
}

static void pending_drop(struct dtls_reasm *r, struct conn *c, int side, struct pending *m, bool report)
{
    if (m->buf == NULL)
        return;
    if (report) {
        r->st.incomplete++;
        if (r->on_incomplete) {
            uint32_t have = 0;
            for (size_t i = 0; i < m->n_ranges; i++)
                have += m->ranges[i].hi - m->ranges[i].lo;
            struct flow_key from = side == 0 ? c->key : flow_key_reverse(&c->key);
            r->on_incomplete(r->cb_ctx, &from, m->type, have, m->len, &m->last);
        }
    }
    free(m->buf);
    m->buf = NULL;
    c->held -= m->len;
    r->st.held_bytes -= m->len;
}

static void conn_drop_pending(struct dtls_reasm *r, struct conn *c, bool report)
{
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < PENDING_MAX; i++)
            pending_drop(r, c, s, &c->side[s].msgs[i], report);
}

static void lru_unlink(struct dtls_reasm *r, struct conn *c)
{
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        r->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        r->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

static void lru_push_front(struct dtls_reasm *r, struct conn *c)
{
    c->lru_prev = NULL;
    c->lru_next = r->lru_head;
    if (r->lru_head)
        r->lru_head->lru_prev = c;
    r->lru_head = c;
    if (r->lru_tail == NULL)
        r->lru_tail = c;
}

static void conn_remove(struct dtls_reasm *r, struct conn *c, bool report)
{
    conn_drop_pending(r, c, report);
    struct conn **pp = &r->buckets[conn_hash(r, &c->key) & (r->n_buckets - 1)];
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    lru_unlink(r, c);
    if (r->cur == c)
        r->cur = NULL;
    r->st.conns_live--;
    /* Keep a few for reuse: no malloc per new connection in steady state. */
    if (r->n_free < 64) {
        c->hnext = r->free_list;
        r->free_list = c;
        r->n_free++;
    } else {
        free(c);
    }
}

static void conns_free_all(struct dtls_reasm *r, bool report)
{
    while (r->lru_tail)
        conn_remove(r, r->lru_tail, report);
    while (r->free_list) {
        struct conn *c = r->free_list;
        r->free_list = c->hnext;
        free(c);
    }
    r->n_free = 0;
}

void dtls_reasm_free(struct dtls_reasm *r)
{
    if (r == NULL)
        return;
    conns_free_all(r, false);
    done_release(r);
    free(r->buckets);
    free(r);
}

void dtls_reasm_flush(struct dtls_reasm *r)
{
    if (r == NULL)
        return;
    done_release(r);
    for (struct conn *c = r->lru_head; c; c = c->lru_next)
        conn_drop_pending(r, c, true);
}

static void expire_idle(struct dtls_reasm *r, ts_ns now)
{
    ts_ns idle = (ts_ns)r->lim->dtls_idle_ms * 1000000LL;
    for (int n = 0; n < EXPIRE_BUDGET && r->lru_tail; n++) {
        struct conn *c = r->lru_tail;
        if (now - c->last_seen <= idle)
            break;
        r->st.expired++;
        conn_remove(r, c, true);
    }
}

bool dtls_reasm_touch(struct dtls_reasm *r, const struct flow_key *k, const struct frame_ref *at)
{
    done_release(r);
    r->clock++;
    expire_idle(r, at->ts);
    size_t b = conn_hash(r, k) & (r->n_buckets - 1);
    struct flow_key rev = flow_key_reverse(k);
    for (struct conn *c = r->buckets[b]; c; c = c->hnext) {
        int side = flow_key_eq(&c->key, k) ? 0 : flow_key_eq(&c->key, &rev) ? 1 : -1;
        if (side < 0)
            continue;
        r->cur = c;
        r->cur_side = side;
        if (at->ts > c->last_seen)
            c->last_seen = at->ts;
        lru_unlink(r, c);
        lru_push_front(r, c);
        return true;
    }
    if (r->st.conns_live >= r->lim->dtls_conns_max && r->lru_tail) {
        r->st.evicted++;
        conn_remove(r, r->lru_tail, true);
    }
    struct conn *c = r->free_list;
    if (c) {
        r->free_list = c->hnext;
        r->n_free--;
    } else {
        c = malloc(sizeof *c);
        if (c == NULL) {
            r->cur = NULL;
            return false;
        }
    }
    memset(c, 0, sizeof *c);
    c->key = *k;
    c->client_side = -1;
    c->first = *at;
    c->last_seen = at->ts;
    c->hnext = r->buckets[b];
    r->buckets[b] = c;
    lru_push_front(r, c);
    r->st.conns++;
    r->st.conns_live++;
    r->cur = c;
    r->cur_side = 0;
    return true;
}

/* Handed on already? The type must match too: a sender that numbers a
 * ServerHello 0 after its HelloVerifyRequest 0 is not retransmitting. */
static bool seq_seen(const struct side *s, uint16_t seq, uint8_t type)
{
    if (s->top == 0 || seq >= s->top)
        return false;
    uint32_t d = s->top - 1 - seq;
    return d >= 64 || (((s->bits >> d) & 1) && s->type_of[seq & 63] == type);
}

static void seq_mark(struct side *s, uint16_t seq, uint8_t type)
{
    s->type_of[seq & 63] = type;
    if (seq >= s->top) {
        uint32_t shift = (uint32_t)seq + 1 - s->top;
        s->bits = shift >= 64 ? 0 : s->bits << shift;
        s->bits |= 1;
        s->top = (uint32_t)seq + 1;
    } else {
        s->bits |= (uint64_t)1 << (s->top - 1 - seq);
    }
}

/* A ClientHello starting over at message_seq 0 after this side went
 * encrypted is a new handshake on the same 5-tuple: forget the old one. */
static void maybe_restart(struct dtls_reasm *r, struct conn *c, int side, const struct dtls_frag *f)
{
    if (f->type != HS_CLIENT_HELLO || f->seq != 0 || !c->side[side].saw_epoch1)
        return;
    conn_drop_pending(r, c, true);
    for (int s = 0; s < 2; s++) {
        c->side[s].top = 0;
        c->side[s].bits = 0;
        c->side[s].saw_epoch1 = false;
    }
}

/* Merge [lo, hi) into m's ranges; false when that would need more than RANGES_MAX. */
static bool ranges_add(struct pending *m, uint32_t lo, uint32_t hi)
{
    struct range out[RANGES_MAX + 2]; /* the new range and one old one may both go in before the check */
    size_t n = 0;
    bool placed = false;
    for (size_t i = 0; i < m->n_ranges; i++) {
        struct range g = m->ranges[i];
        if (g.hi < lo) {
            out[n++] = g;           /* wholly before, not touching */
        } else if (hi < g.lo) {
            if (!placed) {
                out[n++] = (struct range){ lo, hi };
                placed = true;
            }
            out[n++] = g;           /* wholly after */
        } else {
            lo = g.lo < lo ? g.lo : lo; /* overlapping or touching: absorb */
            hi = g.hi > hi ? g.hi : hi;
        }
        if (n > RANGES_MAX)
            return false;
    }
    if (!placed)
        out[n++] = (struct range){ lo, hi };
    if (n > RANGES_MAX)
        return false;
    memcpy(m->ranges, out, n * sizeof out[0]);
    m->n_ranges = (uint8_t)n;
    return true;
}

/* Take partial messages from the least recently seen other connections
 * until need more bytes fit the global budget; bounded work. */
static bool reclaim(struct dtls_reasm *r, size_t need)
{
    size_t cap = r->lim->dtls_reasm_bytes_max;
    struct conn *c = r->lru_tail;
    for (int n = 0; n < RECLAIM_BUDGET && c && r->st.held_bytes + need > cap; n++) {
        struct conn *prev = c->lru_prev;
        if (c != r->cur && c->held) {
            r->st.over_limit++;
            conn_drop_pending(r, c, true);
        }
        c = prev;
    }
    return r->st.held_bytes + need <= cap;
}

static struct pending *pending_find(struct side *s, uint16_t seq)
{
    for (size_t i = 0; i < PENDING_MAX; i++)
        if (s->msgs[i].buf && s->msgs[i].seq == seq)
            return &s->msgs[i];
    return NULL;
}

/* A free slot, or the least recently added-to one, dropped. */
static struct pending *pending_slot(struct dtls_reasm *r, struct conn *c, int side)
{
    struct side *s = &c->side[side];
    struct pending *old = &s->msgs[0];
    for (size_t i = 0; i < PENDING_MAX; i++) {
        if (s->msgs[i].buf == NULL)
            return &s->msgs[i];
        if (s->msgs[i].touched < old->touched)
            old = &s->msgs[i];
    }
    r->st.over_limit++;
    pending_drop(r, c, side, old, true);
    return old;
}

enum dtls_frag_rc dtls_reasm_add(struct dtls_reasm *r, const struct dtls_frag *f, const struct frame_ref *at,
                                 struct dtls_msg *out)
{
    done_release(r);
    struct conn *c = r->cur;
    if (f->off > f->len || f->data.n > f->len - f->off)
        return DTLS_FRAG_INVALID;
    bool whole = f->off == 0 && f->data.n == f->len;
    if (c == NULL) {
        if (!whole)
            return DTLS_FRAG_UNTRACKED;
        *out = (struct dtls_msg){ f->type, f->seq, f->data };
        return DTLS_FRAG_COMPLETE;
    }
    int side = r->cur_side;
    struct side *s = &c->side[side];
    maybe_restart(r, c, side, f);
    if (seq_seen(s, f->seq, f->type)) {
        r->st.duplicates++;
        return DTLS_FRAG_DUPLICATE;
    }
    struct pending *m = pending_find(s, f->seq);
    if (m && (m->type != f->type || m->len != f->len))
        return DTLS_FRAG_INVALID; /* RFC 6347 4.2.3: every fragment carries the same type and length */
    if (whole) {
        /* The whole message at once (first try or a retransmission with
         * other fragmentation): no copy needed. */
        if (m)
            pending_drop(r, c, side, m, false);
        seq_mark(s, f->seq, f->type);
        *out = (struct dtls_msg){ f->type, f->seq, f->data };
        return DTLS_FRAG_COMPLETE;
    }
    if (f->data.n == 0)
        return DTLS_FRAG_HELD; /* an empty fragment adds nothing */
    if (m == NULL) {
        if (f->len > r->lim->dtls_msg_bytes_max) {
            r->st.over_limit++;
            return DTLS_FRAG_LIMIT;
        }
        if (r->st.held_bytes + f->len > r->lim->dtls_reasm_bytes_max && !reclaim(r, f->len)) {
            r->st.over_limit++;
            return DTLS_FRAG_LIMIT;
        }
        m = pending_slot(r, c, side);
        m->buf = malloc(f->len);
        if (m->buf == NULL)
            return DTLS_FRAG_LIMIT;
        m->len = f->len;
        m->seq = f->seq;
        m->type = f->type;
        m->n_ranges = 0;
        c->held += f->len;
        r->st.held_bytes += f->len;
    }
    if (!ranges_add(m, f->off, f->off + (uint32_t)f->data.n)) {
        r->st.over_limit++;
        return DTLS_FRAG_LIMIT;
    }
    /* Overlapping bytes are the same message's bytes: a later copy simply
     * rewrites them. */
    memcpy(m->buf + f->off, f->data.p, f->data.n);
    m->last = *at;
    m->touched = r->clock;
    if (m->n_ranges != 1 || m->ranges[0].lo != 0 || m->ranges[0].hi != m->len)
        return DTLS_FRAG_HELD;
    /* Complete: the bytes move to done, which out borrows until the next call. */
    seq_mark(s, f->seq, f->type);
    r->st.reassembled++;
    r->done = m->buf;
    *out = (struct dtls_msg){ m->type, m->seq, { m->buf, m->len } };
    m->buf = NULL;
    c->held -= m->len;
    r->st.held_bytes -= m->len;
    return DTLS_FRAG_COMPLETE;
}

void dtls_reasm_note_encrypted(struct dtls_reasm *r)
{
    if (r->cur)
        r->cur->side[r->cur_side].saw_epoch1 = true;
}

int dtls_reasm_sender_is_client(const struct dtls_reasm *r)
{
    if (r->cur == NULL || r->cur->client_side < 0)
        return -1;
    return r->cur->client_side == r->cur_side;
}

void dtls_reasm_set_sender_is_client(struct dtls_reasm *r, bool client)
{
    if (r->cur)
        r->cur->client_side = (int8_t)(client ? r->cur_side : 1 - r->cur_side);
}

struct frame_ref dtls_reasm_first(const struct dtls_reasm *r)
{
    struct frame_ref none = { 0, 0 };
    return r->cur ? r->cur->first : none;
}

const struct dtls_reasm_stats *dtls_reasm_stats(const struct dtls_reasm *r)
{
    return &r->st;
}
