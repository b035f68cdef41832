/* tcp_reasm.c: per-direction TCP byte-stream reassembly (RFC 9293 sections 3.4, 3.10.7.4). */
#include "tcp_reasm.h"

#include <string.h>

/*
 * Sequence numbers wrap at 2^32 (RFC 9293 section 3.4): a is before b when
 * the signed distance from b to a is negative.
 */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)

/*
 * The largest window TCP can advertise is 2^30 bytes (window scale 14,
 * RFC 7323 section 2.3). Data or an ACK further ahead than that cannot
 * belong to this connection's current window: it is a bogus or desynced
 * packet, and believing it would declare a gigabyte-sized hole.
 */
#define REASM_WINDOW_MAX (1u << 30)

/* Hold buffers start this small and double up to reasm_hold_bytes_max. */
#define REASM_HOLD_INITIAL 2048u

/*
 * An out-of-order segment: bytes [seq, seq+len) with a hole before them.
 * The list is doubly linked and head->prev is the tail, because segments
 * after a hole usually arrive in ascending order and are appended: the
 * insertion search starts from the tail and is O(1) in that case.
 */
struct reasm_seg {
    struct reasm_seg *next;
    struct reasm_seg *prev;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
};

/*
 * What a queued segment costs against reasm_ooo_bytes_max and the memcap:
 * its header as well as its bytes, so a flood of one-byte segments cannot
 * build a list long enough to make each insertion slow.
 */
static size_t reasm_seg_size(uint32_t len)
{
    return sizeof(struct reasm_seg) + len;
}

void tcp_reasm_init(struct tcp_reasm *r, const struct stream_ops *ops, void *st)
{
    memset(r, 0, sizeof *r);
    r->ops = ops;
    r->st = st;
}

void tcp_reasm_syn(struct tcp_reasm *r, enum dir d, uint32_t isn)
{
    if (r->closed || (unsigned)d > DIR_S2C)
        return;
    struct reasm_half *h = &r->half[d];
    /* A retransmitted SYN carries the same ISN; one arriving after data
     * was already placed cannot move a base we are delivering from. */
    if (h->has_base)
        return;
    h->has_base = true;
    h->next_seq = isn + 1; /* the SYN occupies one sequence number */
}

/*
 * An empty hold buffer that grew past its initial size is given back:
 * idle connections must not sit on memory the memcap shares with the
 * rest. Small ones are kept, so a stream whose messages often straddle
 * segments does not allocate per packet; a large one costs one
 * allocation per long message, never one per packet.
 */
static void reasm_hold_release(struct reasm_half *h, struct reasm_ctx *ctx)
{
    if (h->hold_len > 0 || h->hold_cap <= REASM_HOLD_INITIAL)
        return;
    mem_free(ctx->acct, h->hold, h->hold_cap);
    h->hold = NULL;
    h->hold_cap = 0;
}

/* Report [offset, offset+len) of direction d as never delivered. The
 * consumer resynchronises after a gap, so its held bytes are dropped. */
static void reasm_emit_gap(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                           uint64_t offset, uint32_t len)
{
    struct reasm_half *h = &r->half[d];
    h->hold_len = 0;
    h->hold_offset = h->offset;
    reasm_hold_release(h, ctx);
    if (len == 0)
        return;
    ctx->stats.gaps++;
    ctx->stats.gap_bytes += len;
    if (r->ops->gap)
        r->ops->gap(r->st, d, offset, len);
}

/* Skip the hole [next_seq, to) of direction d: report it and move past it. */
static void reasm_skip_hole(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d, uint32_t to)
{
    struct reasm_half *h = &r->half[d];
    if (SEQ_LE(to, h->next_seq))
        return;
    uint32_t len = to - h->next_seq;
    reasm_emit_gap(r, ctx, d, h->offset, len);
    h->next_seq = to;
    h->offset += len;
    h->hold_offset = h->offset;
}

/*
 * Offer p[0..n) to the consumer until it consumes everything or stops
 * making progress. A consumer that returns 0 (it needs more bytes) ends
 * the loop, so it cannot spin; one that takes a message per call gets
 * called again for the next.
 */
static size_t reasm_consume(struct tcp_reasm *r, enum dir d, const uint8_t *p, size_t n,
                            const struct frame_ref *at)
{
    if (r->ops->data == NULL)
        return n;
    size_t total = 0;
    while (total < n) {
        size_t k = r->ops->data(r->st, d, p + total, n - total, at);
        if (k == 0)
            break;
        total += k > n - total ? n - total : k;
    }
    return total;
}

/* Make room for want bytes in the hold buffer, within reasm_hold_bytes_max
 * and the memcap. False when either refuses. */
static bool reasm_hold_reserve(struct reasm_half *h, struct reasm_ctx *ctx, uint32_t want)
{
    uint32_t max = ctx->lim->reasm_hold_bytes_max;
    if (want > max)
        return false;
    if (want <= h->hold_cap)
        return true;
    uint32_t cap = h->hold_cap ? h->hold_cap : REASM_HOLD_INITIAL;
    while (cap < want)
        cap = cap > max / 2 ? max : cap * 2;
    if (cap > max)
        cap = max;
    uint8_t *q = mem_realloc(ctx->acct, h->hold, h->hold_cap, cap);
    if (q == NULL)
        return false;
    h->hold = q;
    h->hold_cap = cap;
    return true;
}

/* Keep the unconsumed tail p[0..n), which starts at stream offset off, or
 * report it as a gap when it does not fit. */
static void reasm_hold_store(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                             const uint8_t *p, size_t n, uint64_t off)
{
    struct reasm_half *h = &r->half[d];
    if (n > UINT32_MAX || !reasm_hold_reserve(h, ctx, (uint32_t)n)) {
        ctx->stats.hold_dropped_bytes += n;
        reasm_emit_gap(r, ctx, d, off, (uint32_t)n);
        return;
    }
    memcpy(h->hold, p, n);
    h->hold_len = (uint32_t)n;
    h->hold_offset = off;
}

/*
 * Deliver p[0..n), the bytes at next_seq of direction d. Without held
 * bytes (the common case) they go straight from the caller's buffer: no
 * copy, no allocation. With held bytes the new ones are appended so the
 * consumer sees one contiguous run; if that would pass the hold cap, the
 * held bytes are reported as a gap and dropped instead.
 */
static void reasm_deliver(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                          const uint8_t *p, uint32_t n, const struct frame_ref *at)
{
    struct reasm_half *h = &r->half[d];
    uint64_t start = h->offset;
    h->next_seq += n;
    h->offset += n;

    if (h->hold_len > 0) {
        uint64_t want = (uint64_t)h->hold_len + n;
        if (want <= UINT32_MAX && reasm_hold_reserve(h, ctx, (uint32_t)want)) {
            memcpy(h->hold + h->hold_len, p, n);
            h->hold_len += n;
            size_t used = reasm_consume(r, d, h->hold, h->hold_len, at);
            h->hold_len -= (uint32_t)used;
            memmove(h->hold, h->hold + used, h->hold_len);
            h->hold_offset += used;
            reasm_hold_release(h, ctx);
            return;
        }
        ctx->stats.hold_dropped_bytes += h->hold_len;
        reasm_emit_gap(r, ctx, d, h->hold_offset, h->hold_len);
    }
    size_t used = reasm_consume(r, d, p, n, at);
    if (used < n)
        reasm_hold_store(r, ctx, d, p + used, n - used, start + used);
    else
        h->hold_offset = h->offset;
}

static void reasm_seg_unlink_head(struct reasm_half *h)
{
    struct reasm_seg *s = h->ooo;
    h->ooo = s->next;
    if (h->ooo)
        h->ooo->prev = s->prev;
}

static void reasm_seg_free(struct reasm_half *h, struct reasm_ctx *ctx, struct reasm_seg *s)
{
    size_t size = reasm_seg_size(s->len);
    h->ooo_bytes -= (uint32_t)size;
    mem_free(ctx->acct, s, size);
}

/* Deliver queued segments that have become in order. */
static void reasm_drain(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                        const struct frame_ref *at)
{
    struct reasm_half *h = &r->half[d];
    while (h->ooo && SEQ_LE(h->ooo->seq, h->next_seq)) {
        struct reasm_seg *s = h->ooo;
        reasm_seg_unlink_head(h);
        /* Queued segments never start before next_seq; the check keeps
         * delivery exact even if that ever stopped being true. */
        uint32_t skip = h->next_seq - s->seq;
        if (skip < s->len)
            reasm_deliver(r, ctx, d, s->data + skip, s->len - skip, at);
        reasm_seg_free(h, ctx, s);
    }
}

/* The last queued segment starting at or before seq, or NULL. */
static struct reasm_seg *reasm_find_le(const struct reasm_half *h, uint32_t seq)
{
    if (h->ooo == NULL || SEQ_LT(seq, h->ooo->seq))
        return NULL;
    struct reasm_seg *s = h->ooo->prev; /* the tail */
    while (SEQ_LT(seq, s->seq))
        s = s->prev;
    return s;
}

/* Copy p[0..n) at seq into the queue after q (NULL: at the head). False
 * when reasm_ooo_bytes_max or the memcap refuses. */
static bool reasm_seg_store(struct reasm_half *h, struct reasm_ctx *ctx, struct reasm_seg *q,
                            uint32_t seq, const uint8_t *p, uint32_t n)
{
    size_t size = reasm_seg_size(n);
    if (size > ctx->lim->reasm_ooo_bytes_max ||
        h->ooo_bytes > ctx->lim->reasm_ooo_bytes_max - size)
        return false;
    struct reasm_seg *s = mem_alloc(ctx->acct, size);
    if (s == NULL)
        return false;
    s->seq = seq;
    s->len = n;
    memcpy(s->data, p, n);
    h->ooo_bytes += (uint32_t)size;
    if (q == NULL) {
        s->next = h->ooo;
        s->prev = h->ooo ? h->ooo->prev : s;
        if (h->ooo)
            h->ooo->prev = s;
        h->ooo = s;
    } else {
        s->next = q->next;
        s->prev = q;
        if (q->next)
            q->next->prev = s;
        else
            h->ooo->prev = s; /* new tail */
        q->next = s;
    }
    return true;
}

/* Count bytes of p that differ from known[], both n long. */
static uint64_t reasm_count_diff(const uint8_t *known, const uint8_t *p, uint32_t n)
{
    uint64_t diff = 0;
    for (uint32_t i = 0; i < n; i++)
        diff += known[i] != p[i];
    return diff;
}

/*
 * p[0..n) at seq lies before next_seq: already delivered. Count it, and
 * compare whatever part the hold buffer still has (the consumer has not
 * used it yet, so a differing copy there is cheap to notice).
 */
static void reasm_retransmitted(struct reasm_half *h, struct reasm_ctx *ctx, uint32_t seq,
                                const uint8_t *p, uint32_t n)
{
    ctx->stats.retransmitted_bytes += n;
    if (h->hold_len == 0)
        return;
    uint32_t hold_seq = h->next_seq - h->hold_len;
    uint32_t skip = 0;
    if (SEQ_LT(seq, hold_seq))
        skip = hold_seq - seq;
    if (skip >= n)
        return;
    uint32_t at_hold = seq + skip - hold_seq;
    uint32_t k = n - skip;
    if (k > h->hold_len - at_hold)
        k = h->hold_len - at_hold;
    ctx->stats.overlap_conflicts += reasm_count_diff(h->hold + at_hold, p + skip, k);
}

static void reasm_gap_below_ack(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                                const struct frame_ref *at);

void tcp_reasm_segment(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d, uint32_t seq,
                       const uint8_t *p, size_t n, bool fin, const struct frame_ref *at)
{
    if (r->closed || (unsigned)d > DIR_S2C)
        return;
    struct reasm_half *h = &r->half[d];
    if (n == 0 && !fin)
        return; /* a bare ACK: its seq says nothing about data */
    if (n > REASM_WINDOW_MAX)
        n = REASM_WINDOW_MAX; /* no real segment is this long */
    uint32_t len = (uint32_t)n;
    if (!h->has_base) {
        /* Picked up mid-stream: the first bytes seen start the stream. */
        h->has_base = true;
        h->next_seq = seq;
    }
    /* A FIN behind what was delivered is an old copy, not the end. */
    if (fin && !h->fin_seen && !SEQ_LT(seq + len, h->next_seq)) {
        h->fin_seen = true;
        h->fin_seq = seq + len;
    }
    /* Nothing follows the FIN (RFC 9293 section 3.10.7.4). */
    if (h->fin_seen && SEQ_LT(h->fin_seq, seq + len))
        len = SEQ_LT(seq, h->fin_seq) ? h->fin_seq - seq : 0;

    while (len > 0) {
        if (SEQ_LT(seq, h->next_seq)) {
            uint32_t k = h->next_seq - seq;
            if (k > len)
                k = len;
            reasm_retransmitted(h, ctx, seq, p, k);
            seq += k;
            p += k;
            len -= k;
            continue;
        }
        struct reasm_seg *head = h->ooo;
        if (seq == h->next_seq) {
            uint32_t k = len;
            if (head && SEQ_LT(head->seq, seq + len))
                k = head->seq - seq; /* queued bytes win over this copy */
            if (k > 0) {
                /* Straight from the caller's buffer. The queue is drained
                 * after the loop, so bytes of this segment that overlap it
                 * are still compared with the queued copy first. */
                reasm_deliver(r, ctx, d, p, k, at);
                seq += k;
                p += k;
                len -= k;
                continue;
            }
        }
        if (seq - h->next_seq > REASM_WINDOW_MAX) {
            ctx->stats.ooo_dropped_bytes += len;
            break;
        }
        struct reasm_seg *q = reasm_find_le(h, seq);
        if (q && SEQ_LT(seq, q->seq + q->len)) {
            /* Already queued: the first copy wins; count and compare. */
            uint32_t off = seq - q->seq;
            uint32_t k = q->len - off;
            if (k > len)
                k = len;
            ctx->stats.retransmitted_bytes += k;
            ctx->stats.overlap_conflicts += reasm_count_diff(q->data + off, p, k);
            seq += k;
            p += k;
            len -= k;
            continue;
        }
        /* New bytes filling the hole up to the next queued segment. */
        struct reasm_seg *next = q ? q->next : head;
        uint32_t k = len;
        if (next && SEQ_LT(next->seq, seq + len))
            k = next->seq - seq;
        if (reasm_seg_store(h, ctx, q, seq, p, k)) {
            seq += k;
            p += k;
            len -= k;
            continue;
        }
        /*
         * No room. Queued bytes before this piece are not waiting for
         * anything the capture will show: the queue holds more than a
         * window past the hole, or memory is short. Declare the hole
         * before the first queued segment a gap and deliver that segment,
         * then try again. When nothing queued lies before the piece, the
         * piece itself is dropped.
         */
        if (head && SEQ_LT(head->seq, seq)) {
            reasm_skip_hole(r, ctx, d, head->seq);
            reasm_drain(r, ctx, d, at);
            continue;
        }
        ctx->stats.ooo_dropped_bytes += k;
        seq += k;
        p += k;
        len -= k;
    }
    reasm_drain(r, ctx, d, at);
    reasm_gap_below_ack(r, ctx, d, at);
}

void tcp_reasm_ack(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d, uint32_t ack,
                   const struct frame_ref *at)
{
    if (r->closed || (unsigned)d > DIR_S2C)
        return;
    (void)ctx;
    (void)at;
    struct reasm_half *h = &r->half[d];
    if (!h->has_base)
        return;
    if (!SEQ_LT(h->next_seq, ack) || ack - h->next_seq > REASM_WINDOW_MAX)
        return;
    if (!h->has_acked || SEQ_LT(h->acked, ack)) {
        h->has_acked = true;
        h->acked = ack;
    }
}

/* After a segment of d: a hole the peer acknowledged and this segment did
 * not fill was missed by the capture (see tcp_reasm_ack). */
static void reasm_gap_below_ack(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                                const struct frame_ref *at)
{
    struct reasm_half *h = &r->half[d];
    if (!h->has_acked)
        return;
    uint32_t ack = h->acked;
    /* The FIN takes a sequence number but carries no byte. */
    if (h->fin_seen && SEQ_LT(h->fin_seq, ack))
        ack = h->fin_seq;
    if (!SEQ_LT(h->next_seq, ack) || ack - h->next_seq > REASM_WINDOW_MAX) {
        h->has_acked = false;
        return;
    }
    while (!r->closed && SEQ_LT(h->next_seq, ack)) {
        uint32_t to = ack;
        if (h->ooo && SEQ_LT(h->ooo->seq, to))
            to = h->ooo->seq;
        reasm_skip_hole(r, ctx, d, to);
        reasm_drain(r, ctx, d, at);
    }
    h->has_acked = false;
}

bool tcp_reasm_finished(const struct tcp_reasm *r)
{
    for (int i = 0; i < 2; i++) {
        const struct reasm_half *h = &r->half[i];
        if (!h->has_base || !h->fin_seen || h->next_seq != h->fin_seq)
            return false;
    }
    return true;
}

/* Deliver everything queued in d with the holes between as gaps, up to the
 * FIN when one was seen, and return the memory. */
static void reasm_flush_half(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d,
                             const struct frame_ref *at)
{
    struct reasm_half *h = &r->half[d];
    while (h->ooo) {
        reasm_skip_hole(r, ctx, d, h->ooo->seq);
        reasm_drain(r, ctx, d, at);
    }
    if (h->has_base && h->fin_seen && SEQ_LT(h->next_seq, h->fin_seq) &&
        h->fin_seq - h->next_seq <= REASM_WINDOW_MAX)
        reasm_skip_hole(r, ctx, d, h->fin_seq);
    mem_free(ctx->acct, h->hold, h->hold_cap);
    h->hold = NULL;
    h->hold_len = h->hold_cap = 0;
}

void tcp_reasm_close(struct tcp_reasm *r, struct reasm_ctx *ctx, enum close_reason why,
                     const struct frame_ref *at)
{
    if (r->closed)
        return;
    /* Marked first, so a consumer calling back during the flush below
     * cannot queue more data or close twice. */
    r->closed = true;
    reasm_flush_half(r, ctx, DIR_C2S, at);
    reasm_flush_half(r, ctx, DIR_S2C, at);
    if (r->ops->close)
        r->ops->close(r->st, why);
}
