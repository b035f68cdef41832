/* dtls_reasm.h: DTLS handshake message reassembly per UDP connection and sender (RFC 6347 4.2.3). */
#ifndef SIPSEC_DTLS_REASM_H
#define SIPSEC_DTLS_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "cursor.h"
#include "netaddr.h"

/*
 * A DTLS handshake message may be cut into fragments, each with the whole
 * message's length, its message_seq and its own fragment_offset and
 * fragment_length, carried in any number of records and datagrams, which
 * may be lost, duplicated, reordered and retransmitted with different
 * fragmentation (RFC 6347 4.2.3, 4.2.4). This table keeps, per UDP
 * connection and per sender, the messages being put together and which
 * message_seq values were already handed on, so each message comes out
 * once, whole.
 *
 * Everything is capped (struct limits): connections tracked (the least
 * recently seen is evicted), bytes of one message, bytes held by all, and
 * an idle time on capture time after which a connection is forgotten.
 * Hostile fragments therefore cannot pin memory for long: when the global
 * budget is spent, the least recently seen connections lose their partial
 * messages first.
 */

struct dtls_reasm;

/* One fragment as read from a handshake record (all fields from the wire). */
struct dtls_frag {
    uint8_t type;        /* msg_type */
    uint32_t len;        /* length of the whole message */
    uint16_t seq;        /* message_seq */
    uint32_t off;        /* fragment_offset */
    struct span data;    /* fragment_length bytes */
};

enum dtls_frag_rc {
    DTLS_FRAG_COMPLETE,     /* *out is a whole message, not handed on before */
    DTLS_FRAG_HELD,         /* kept; the message is not complete yet */
    DTLS_FRAG_DUPLICATE,    /* this message was already handed on */
    DTLS_FRAG_INVALID,      /* offset + length past the message, or disagrees with earlier fragments */
    DTLS_FRAG_LIMIT,        /* over a cap: dropped */
    DTLS_FRAG_UNTRACKED,    /* a fragment of a connection that could not be tracked: dropped */
};

/* A whole message; body is borrowed until the next call on the table. */
struct dtls_msg {
    uint8_t type;
    uint16_t seq;
    struct span body;
};

/* Told when a partial message is thrown away (idle, evicted, budget, end):
 * its type, the sender -> receiver key, and the frame of its last fragment. */
typedef void (*dtls_incomplete_cb)(void *ctx, const struct flow_key *from, uint8_t type, uint32_t have,
                                   uint32_t len, const struct frame_ref *last);

struct dtls_reasm *dtls_reasm_new(const struct limits *lim, dtls_incomplete_cb on_incomplete, void *ctx);
/* End of input: report and drop every partial message (the table stays usable). */
void dtls_reasm_flush(struct dtls_reasm *r);
/* Frees everything, reporting nothing (flush first for that). */
void dtls_reasm_free(struct dtls_reasm *r);

/*
 * The connection of datagram k (sender -> receiver), created if new;
 * expires idle connections first (bounded work). Returns false when it
 * cannot be tracked (out of memory); the caller then reads the datagram on
 * its own. Must precede dtls_reasm_add for that datagram.
 */
bool dtls_reasm_touch(struct dtls_reasm *r, const struct flow_key *k, const struct frame_ref *at);

/* Add one fragment of the touched connection's sender. A fragment that is
 * the whole message goes through too, so a retransmission is recognised. */
enum dtls_frag_rc dtls_reasm_add(struct dtls_reasm *r, const struct dtls_frag *f, const struct frame_ref *at,
                                 struct dtls_msg *out);

/* The touched connection's sender sent a record of epoch > 0 (it went
 * encrypted): its next ClientHello with message_seq 0 starts a new handshake. */
void dtls_reasm_note_encrypted(struct dtls_reasm *r);

/* What the table knows of the touched connection: the sender is the client
 * (1), the server (0), or unknown (-1); and the connection's first frame. */
int dtls_reasm_sender_is_client(const struct dtls_reasm *r);
void dtls_reasm_set_sender_is_client(struct dtls_reasm *r, bool client);
struct frame_ref dtls_reasm_first(const struct dtls_reasm *r);

struct dtls_reasm_stats {
    uint64_t conns, evicted, expired;   /* connections created / evicted when full / idle */
    uint64_t reassembled, duplicates, incomplete, over_limit;
    size_t held_bytes, conns_live;
};
const struct dtls_reasm_stats *dtls_reasm_stats(const struct dtls_reasm *r);

#endif
