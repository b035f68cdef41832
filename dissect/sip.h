/* sip.h: SIP over UDP and TCP (RFC 3261): one-pass parser, libosip2 for the rest. */
#ifndef SIPSEC_SIP_H
#define SIPSEC_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "sip_event.h"
#include "sip_fast.h"
#include "stream.h"

/* The first line looks like a SIP request or status line. */
bool sip_probe(const uint8_t *p, size_t n);
/* Stream consumer; open() takes a struct dissect_ctx *. */
extern const struct stream_ops sip_stream_ops;
/* The same on decrypted TLS plaintext (dissect/tls.c): messages say SIP_TR_TLS. */
extern const struct stream_ops sip_tls_stream_ops;
void sip_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at);

/*
 * Framing shared by TCP and (issue 7) decrypted TLS: a per-direction state
 * and a function that takes stream bytes, emits one EV_SIP per complete
 * message and returns how many bytes it consumed (stream_ops.data rules:
 * what is left is offered again, prefixed, with the next bytes).
 */
struct sip_framer_dir {
    uint64_t skip;   /* bytes of an oversize message still to drop */
    bool resync;     /* after a gap: drop until a SIP start line */
    struct sip_scan scan; /* the message being framed: its headers so far */
};

size_t sip_stream_feed(struct dissect_ctx *dc, struct sip_framer_dir *fd, const struct flow_key *k,
                       enum sip_transport tr, const uint8_t *p, size_t n, const struct frame_ref *at);
/* A gap (or TLS record loss) in that direction: resync on the next start line. */
void sip_stream_gap(struct sip_framer_dir *fd);
/* Parse one whole message (a datagram or a framed stream message) and emit it. */
void sip_message(struct dissect_ctx *dc, const struct flow_key *k, enum sip_transport tr,
                 const uint8_t *p, size_t n, const struct frame_ref *at);

#endif
