/* decode.h: one captured packet through link, IP, fragments, UDP/TCP to the hooks. */
#ifndef SIPSEC_DECODE_H
#define SIPSEC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "netaddr.h"
#include "stream.h"

/*
 * What the layer above capture/ provides. capture/ knows nothing of SIP or
 * TLS: it asks tcp_attach who consumes a new connection and passes UDP
 * datagrams and ESP packets up as they come.
 */
struct decode_hooks {
    void *ctx;
    /*
     * The first payload bytes of a TCP connection (direction d; p may be
     * short). Return the consumer's ops and set *consumer_ctx for its
     * open(), or NULL to ignore the connection (no reassembly at all).
     */
    const struct stream_ops *(*tcp_attach)(void *ctx, const struct stream_info *si, enum dir d,
                                           const uint8_t *p, size_t n, void **consumer_ctx);
    void (*udp)(void *ctx, const struct flow_key *k, const uint8_t *p, size_t n,
                const struct frame_ref *at);
    void (*esp)(void *ctx, const struct ip_addr *src, const struct ip_addr *dst, uint32_t spi,
                const struct frame_ref *at);
    /* Hostile or damaged input; layer and code are static strings. */
    void (*anomaly)(void *ctx, const char *layer, const char *code, const struct frame_ref *at);
};

struct decode_stats {
    uint64_t packets, bytes;
    uint64_t truncated_packets; /* caplen < wire length */
    uint64_t decode_errors;     /* malformed headers at any layer */
    uint64_t unknown_link, non_ip, ipv4, ipv6, tcp, udp, esp, other_l4;
    uint64_t fragments, tcp_connections, tcp_ignored;
    uint64_t flows_evicted, flows_idle_closed;
};

struct decoder;

struct decoder *decoder_new(const struct limits *lim, const struct decode_hooks *hooks);
/* Closes every open flow (CLOSE_EOF) and frees all memory. */
void decoder_free(struct decoder *d);

/* One captured packet of the given DLT_ link type. */
void decoder_packet(struct decoder *d, int linktype, const uint8_t *p, uint32_t caplen,
                    uint32_t wirelen, const struct frame_ref *at);

/*
 * Live capture: capture time is now (now->frame: the last packet's) with
 * few or no packets; idle flows and fragments time out as a packet at
 * that time would make them, with a larger budget.
 */
void decoder_tick(struct decoder *d, const struct frame_ref *now);

/* End of input: close every flow with CLOSE_EOF (consumers see close). */
void decoder_finish(struct decoder *d, const struct frame_ref *last);

const struct decode_stats *decoder_stats(const struct decoder *d);
/* Reassembly and fragment counters for the report's stats. */
void decoder_stats_json_fields(const struct decoder *d, void (*field)(void *ctx, const char *name, uint64_t v), void *ctx);

#endif
