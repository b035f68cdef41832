/* rtp.h: RTP and RTCP headers (RFC 3550) on UDP. */
#ifndef SIPSEC_RTP_H
#define SIPSEC_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"

/* A datagram that could be RTP or RTCP (version 2, sane header). */
bool rtp_probe(const uint8_t *p, size_t n);
/* Emits EV_RTP or EV_RTCP; hint is the SDP's word on this endpoint or NULL. */
void rtp_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at);

#endif
