/* tcp_reasm.h: per-connection TCP reassembly delivering in-order bytes (RFC 9293). */
#ifndef SIPSEC_TCP_REASM_H
#define SIPSEC_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "mem.h"
#include "stream.h"

struct reasm_seg; /* an out-of-order segment waiting for the bytes before it */

/* Counters summed into the report's stats. */
struct reasm_stats {
    uint64_t gaps;              /* holes reported to consumers */
    uint64_t gap_bytes;
    uint64_t retransmitted_bytes; /* bytes seen again, already delivered or queued */
    uint64_t overlap_conflicts; /* retransmitted bytes that differed from the first copy */
    uint64_t ooo_dropped_bytes; /* refused by reasm_ooo_bytes_max or the memcap */
    uint64_t hold_dropped_bytes; /* unconsumed bytes over reasm_hold_bytes_max */
};

/* Shared by every connection: caps, the memory account, counters. */
struct reasm_ctx {
    const struct limits *lim;
    struct mem_acct *acct;
    struct reasm_stats stats;
};

struct reasm_half {
    bool has_base;        /* next_seq is known (SYN or first segment seen) */
    bool fin_seen;
    uint32_t next_seq;    /* next in-order sequence number wanted */
    uint32_t fin_seq;     /* sequence number of the FIN, when fin_seen */
    uint64_t offset;      /* stream offset of next_seq: bytes delivered + gaps */
    struct reasm_seg *ooo; /* sorted by sequence, no two overlapping */
    uint32_t ooo_bytes;
    uint8_t *hold;        /* bytes the consumer has not consumed yet */
    uint32_t hold_len, hold_cap;
    uint64_t hold_offset; /* stream offset of hold[0] */
    bool has_acked;       /* the peer acknowledged up to acked */
    uint32_t acked;
};

struct tcp_reasm {
    struct reasm_half half[2]; /* indexed by enum dir */
    const struct stream_ops *ops;
    void *st;
    bool closed;
};

void tcp_reasm_init(struct tcp_reasm *r, const struct stream_ops *ops, void *st);

/* A SYN in direction d: data starts at isn + 1. */
void tcp_reasm_syn(struct tcp_reasm *r, enum dir d, uint32_t isn);

/*
 * Payload of one segment of direction d starting at seq (fin: the segment
 * also carries FIN). Delivers whatever became in-order. Overlap policy:
 * the first copy of a byte wins (already delivered or queued bytes are
 * kept; a retransmission only fills holes), and differing copies are
 * counted in overlap_conflicts. Without a SYN, the first segment seen in a
 * direction fixes its base.
 */
void tcp_reasm_segment(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d, uint32_t seq,
                       const uint8_t *p, size_t n, bool fin, const struct frame_ref *at);

/*
 * The peer of direction d acknowledged everything before ack. A hole
 * below ack was received by the peer, so the capture missed it -- unless
 * the data is merely late: a span port or multi-queue capture can record
 * an ACK before the segment it acknowledges. So the hole is declared a gap
 * only when the next segment of direction d has been processed and the
 * hole is still open (or at close), then delivery continues after it.
 */
void tcp_reasm_ack(struct tcp_reasm *r, struct reasm_ctx *ctx, enum dir d, uint32_t ack,
                   const struct frame_ref *at);

/* True once both directions have delivered up to their FIN. */
bool tcp_reasm_finished(const struct tcp_reasm *r);

/*
 * End the connection: queued segments are delivered with their holes
 * reported as gaps, then ops->close(st, why) runs exactly once and all
 * memory is returned. Safe to call twice; the second call does nothing.
 */
void tcp_reasm_close(struct tcp_reasm *r, struct reasm_ctx *ctx, enum close_reason why,
                     const struct frame_ref *at);

#endif
