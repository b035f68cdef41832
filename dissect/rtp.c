/* rtp.c: placeholder until the RTP dissector lands (issue 5). */
#include "rtp.h"

bool rtp_probe(const uint8_t *p, size_t n) { (void)p; (void)n; return false; }
void rtp_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at) { (void)dc; (void)k; (void)p; (void)n; (void)at; }
