/* dissect.h: what every dissector shares: the sink, caps, ports and counters. */
#ifndef SIPSEC_DISSECT_H
#define SIPSEC_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "caps.h"
#include "netaddr.h"

enum { SIP_PORTS_MAX = 16 };

struct dissect_stats {
    uint64_t tls_streams, sip_streams, sip_datagrams, rtp_packets, rtcp_packets;
    uint64_t dtls_datagrams, ike_packets, esp_in_udp_packets;
    uint64_t decode_errors; /* malformed messages of any upper protocol */
    /* TLS decryption (only reported when a key store is configured) */
    uint64_t tls_sessions_with_keys, tls_sessions_without_keys, tls_sessions_unsupported;
    uint64_t tls_sessions_keys_late; /* of those with keys: found in a followed key log after their key point */
    uint64_t tls_records_decrypted, tls_auth_failures, tls_app_bytes_decrypted;
};

struct media_expect; /* SDP-negotiated media endpoints (media_expect.h) */
struct dtls_reasm;   /* DTLS handshake reassembly (dtls_reasm.h) */
struct stream_digests; /* test consumer results (stream_digest.h) */
struct tls_keystore; /* TLS secrets (tls_keylog.h) */

/* Owned by the registry; every dissector gets a pointer to it. */
struct dissect_ctx {
    struct sink sink;
    const struct limits *lim;
    uint16_t sip_ports[SIP_PORTS_MAX]; /* 5060 and 5061 always, then --sip-port */
    size_t n_sip_ports;
    struct media_expect *media;
    struct dtls_reasm *dtls;        /* NULL: DTLS datagrams are read one by one */
    struct stream_digests *digests; /* non-NULL: digest unclaimed TCP streams */
    struct tls_keystore *keys;      /* non-NULL: decrypt TLS with these secrets */
    struct dissect_stats stats;
};

bool dissect_is_sip_port(const struct dissect_ctx *dc, uint16_t port);

/* Emit an EV_ANOMALY (and count it as a decode error when asked). */
void dissect_anomaly(struct dissect_ctx *dc, const struct frame_ref *at, const struct flow_key *k,
                     const char *layer, const char *code, const char *detail, bool decode_error);

#endif
