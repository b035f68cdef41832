/* tls.c: placeholder until the TLS dissector lands (issue 3). */
#include "tls.h"

bool tls_probe(const uint8_t *p, size_t n) { (void)p; (void)n; return false; }
static void *tls_open(void *ctx, const struct stream_info *si) { (void)si; return ctx; }
static size_t tls_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{ (void)st; (void)d; (void)p; (void)at; return n; }
static void tls_gap(void *st, enum dir d, uint64_t off, uint32_t len) { (void)st; (void)d; (void)off; (void)len; }
static void tls_close(void *st, enum close_reason why) { (void)st; (void)why; }
const struct stream_ops tls_stream_ops = { "tls", tls_open, tls_data, tls_gap, tls_close };
bool dtls_probe(const uint8_t *p, size_t n) { (void)p; (void)n; return false; }
void dtls_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                   const struct frame_ref *at) { (void)dc; (void)k; (void)p; (void)n; (void)at; }
