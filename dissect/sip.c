/* sip.c: placeholder until the SIP dissector lands (issue 4). */
#include "sip.h"

bool sip_probe(const uint8_t *p, size_t n) { (void)p; (void)n; return false; }
static void *sip_open(void *ctx, const struct stream_info *si) { (void)si; return ctx; }
static size_t sip_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{ (void)st; (void)d; (void)p; (void)at; return n; }
static void sip_gap(void *st, enum dir d, uint64_t off, uint32_t len) { (void)st; (void)d; (void)off; (void)len; }
static void sip_close(void *st, enum close_reason why) { (void)st; (void)why; }
const struct stream_ops sip_stream_ops = { "sip", sip_open, sip_data, sip_gap, sip_close };
void sip_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at) { (void)dc; (void)k; (void)p; (void)n; (void)at; }
