/* registry.c: which dissector takes a TCP connection or a UDP datagram. */
#include "registry.h"

#include <stdlib.h>

#include "dtls_reasm.h"
#include "ipsec_udp.h"
#include "media_expect.h"
#include "rtp.h"
#include "sip.h"
#include "stream_digest.h"
#include "tls.h"

struct dissect_registry {
    struct dissect_ctx dc;
    struct decode_hooks hooks;
};

/* Ports are hints; first bytes decide. TLS before SIP: a TLS record never
 * starts like a SIP line, and 5061 may carry either. */
static const struct stream_ops *reg_tcp_attach(void *ctx, const struct stream_info *si, enum dir d,
                                               const uint8_t *p, size_t n, void **consumer_ctx)
{
    (void)d;
    struct dissect_registry *r = ctx;
    *consumer_ctx = &r->dc;
    if (tls_probe(p, n)) {
        r->dc.stats.tls_streams++;
        return &tls_stream_ops;
    }
    bool sip_port = dissect_is_sip_port(&r->dc, si->key.sport) || dissect_is_sip_port(&r->dc, si->key.dport);
    if (sip_probe(p, n) || (sip_port && !(si->key.sport == 5061 || si->key.dport == 5061))) {
        r->dc.stats.sip_streams++;
        return &sip_stream_ops;
    }
    /* 5061 mid-stream (a TLS record continuing): the TLS dissector resyncs. */
    if (si->key.sport == 5061 || si->key.dport == 5061) {
        r->dc.stats.tls_streams++;
        return &tls_stream_ops;
    }
    if (r->dc.digests) {
        *consumer_ctx = r->dc.digests;
        return &stream_digest_ops;
    }
    return NULL;
}

static void reg_udp(void *ctx, const struct flow_key *k, const uint8_t *p, size_t n,
                    const struct frame_ref *at)
{
    struct dissect_registry *r = ctx;
    struct dissect_ctx *dc = &r->dc;
    if (ipsec_udp_port(k->sport) || ipsec_udp_port(k->dport)) {
        ipsec_udp_datagram(dc, k, p, n, at);
        return;
    }
    if (sip_probe(p, n) || ((dissect_is_sip_port(dc, k->sport) || dissect_is_sip_port(dc, k->dport)) && n > 4)) {
        dc->stats.sip_datagrams++;
        sip_datagram(dc, k, p, n, at);
        return;
    }
    if (dtls_probe(p, n)) {
        dc->stats.dtls_datagrams++;
        dtls_datagram(dc, k, p, n, at);
        return;
    }
    /* the probe first: it is cheap and takes nearly every RTP datagram */
    if (rtp_probe(p, n) || (dc->media && (media_expect_find(dc->media, &k->dst, k->dport) ||
                                          media_expect_find(dc->media, &k->src, k->sport))))
        rtp_datagram(dc, k, p, n, at);
}

static void reg_esp(void *ctx, const struct ip_addr *src, const struct ip_addr *dst, uint32_t spi,
                    const struct frame_ref *at)
{
    struct dissect_registry *r = ctx;
    struct ev_ipsec ev = { .kind = IPSEC_ESP, .src = *src, .dst = *dst, .spi = spi };
    sink_emit(&r->dc.sink, EV_IPSEC, at, NULL, &ev);
}

static void reg_anomaly(void *ctx, const char *layer, const char *code, const struct frame_ref *at)
{
    struct dissect_registry *r = ctx;
    /* capture/ counts it in decode_errors itself; this only reports it. */
    struct ev_anomaly a = { .layer = layer, .code = code, .counts_as_decode_error = false };
    sink_emit(&r->dc.sink, EV_ANOMALY, at, NULL, &a);
}

/* A DTLS handshake message whose fragments never all arrived. */
static void dtls_incomplete(void *ctx, const struct flow_key *from, uint8_t type, uint32_t have, uint32_t len,
                            const struct frame_ref *last)
{
    (void)have;
    (void)len;
    dissect_anomaly(ctx, last, from, "dtls", type == 11 ? "incomplete_certificate" : "incomplete_message",
                    "DTLS handshake message whose fragments never all arrived", false);
}

struct dissect_registry *registry_new(const struct sink *sink, const struct limits *lim,
                                      const uint16_t *sip_ports, size_t n_sip_ports)
{
    struct dissect_registry *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->dc.sink = *sink;
    r->dc.lim = lim;
    r->dc.sip_ports[r->dc.n_sip_ports++] = 5060;
    r->dc.sip_ports[r->dc.n_sip_ports++] = 5061;
    for (size_t i = 0; i < n_sip_ports && r->dc.n_sip_ports < SIP_PORTS_MAX; i++)
        if (!dissect_is_sip_port(&r->dc, sip_ports[i]))
            r->dc.sip_ports[r->dc.n_sip_ports++] = sip_ports[i];
    r->dc.dtls = dtls_reasm_new(lim, dtls_incomplete, &r->dc);
    if (r->dc.dtls == NULL) {
        free(r);
        return NULL;
    }
    r->hooks = (struct decode_hooks){
        .ctx = r, .tcp_attach = reg_tcp_attach, .udp = reg_udp, .esp = reg_esp, .anomaly = reg_anomaly,
    };
    return r;
}

void registry_finish(struct dissect_registry *r)
{
    if (r)
        dtls_reasm_flush(r->dc.dtls);
}

void registry_free(struct dissect_registry *r)
{
    if (r == NULL)
        return;
    dtls_reasm_free(r->dc.dtls);
    free(r);
}

const struct decode_hooks *registry_hooks(struct dissect_registry *r)
{
    return &r->hooks;
}

struct dissect_ctx *registry_ctx(struct dissect_registry *r)
{
    return &r->dc;
}
