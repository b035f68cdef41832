/* tls.h: TLS over TCP streams and DTLS over UDP (RFC 5246, 8446, 6347). */
#ifndef SIPSEC_TLS_H
#define SIPSEC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "stream.h"

/* First bytes of a stream look like a TLS record or an SSLv2 ClientHello. */
bool tls_probe(const uint8_t *p, size_t n);
/* Stream consumer; open() takes a struct dissect_ctx *. */
extern const struct stream_ops tls_stream_ops;

bool dtls_probe(const uint8_t *p, size_t n);
void dtls_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                   const struct frame_ref *at);

#endif
