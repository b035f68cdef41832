/* sip.h: SIP over UDP and TCP (RFC 3261), parsed with libosip2. */
#ifndef SIPSEC_SIP_H
#define SIPSEC_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "stream.h"

/* The first line looks like a SIP request or status line. */
bool sip_probe(const uint8_t *p, size_t n);
/* Stream consumer; open() takes a struct dissect_ctx *. */
extern const struct stream_ops sip_stream_ops;
void sip_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at);

#endif
