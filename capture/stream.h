/* stream.h: how reassembled TCP bytes reach a consumer (TLS, SIP, tests). */
#ifndef SIPSEC_STREAM_H
#define SIPSEC_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/* The client is the side that sent the SYN; without a SYN, the sender of
 * the first segment seen (a connection picked up mid-stream). */
enum dir { DIR_C2S = 0, DIR_S2C = 1 };

enum close_reason {
    CLOSE_FIN,     /* both sides sent FIN */
    CLOSE_RST,
    CLOSE_IDLE,    /* no packet for limits.tcp_idle_ms of capture time */
    CLOSE_EVICTED, /* flow table full: least recently seen flow made room */
    CLOSE_MEMCAP,  /* reassembly memory cap reached */
    CLOSE_EOF,     /* end of input */
};

const char *close_reason_name(enum close_reason why);

struct stream_info {
    struct flow_key key;   /* client -> server */
    bool saw_syn;          /* false: picked up mid-stream */
    struct frame_ref first; /* the connection's first packet */
};

/*
 * A stream consumer. The reassembler owns nothing of the consumer's state:
 * it calls data/gap in sequence order and close exactly once, and close
 * frees st.
 */
struct stream_ops {
    const char *name;
    /* ctx is the consumer's own context, given at attach time. */
    void *(*open)(void *ctx, const struct stream_info *si);
    /*
     * In-order bytes of direction d. p points at everything not yet
     * consumed in that direction (earlier leftovers first), so a message
     * split over segments arrives whole once complete. Returns how many
     * bytes it consumed; the rest is offered again with the next data, up
     * to limits.reasm_hold_bytes_max. at names the segment that completed
     * the delivery.
     */
    size_t (*data)(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at);
    /* Bytes [offset, offset+len) of direction d were never seen (capture
     * loss) or dropped by a cap. Unconsumed bytes before the gap are
     * discarded: the consumer resynchronises on what follows. */
    void (*gap)(void *st, enum dir d, uint64_t offset, uint32_t len);
    void (*close)(void *st, enum close_reason why);
};

#endif
