/* event.h: the typed facts dissectors hand to analyze/ (the only way up). */
#ifndef SIPSEC_EVENT_H
#define SIPSEC_EVENT_H

#include <stdint.h>

#include "netaddr.h"

enum ev_kind {
    EV_ANOMALY,   /* struct ev_anomaly: hostile or broken input, analysis goes on */
    EV_IPSEC,     /* struct ev_ipsec: an ESP or IKE packet */
    EV_TLS,       /* struct ev_tls (tls_event.h) */
    EV_SIP,       /* struct ev_sip (sip_event.h) */
    EV_RTP,       /* struct ev_rtp (rtp_event.h) */
    EV_RTCP,      /* struct ev_rtcp (rtp_event.h) */
};

/*
 * One fact. Everything it points at is borrowed for the duration of
 * sink.emit only: a consumer copies what it keeps.
 */
struct event {
    enum ev_kind kind;
    struct frame_ref at;         /* the packet that completed this fact */
    const struct flow_key *flow; /* as seen on the wire; NULL if none */
    const void *body;
};

struct sink {
    void (*emit)(void *ctx, const struct event *ev);
    void *ctx;
};

static inline void sink_emit(const struct sink *s, enum ev_kind kind, const struct frame_ref *at,
                             const struct flow_key *flow, const void *body)
{
    struct event ev = { .kind = kind, .at = *at, .flow = flow, .body = body };
    s->emit(s->ctx, &ev);
}

/* Layers and codes are short fixed strings: "tcp", "truncated"... */
struct ev_anomaly {
    const char *layer;
    const char *code;
    const char *detail; /* may be NULL */
    bool counts_as_decode_error; /* input.decode_errors */
};

enum ipsec_kind { IPSEC_ESP, IPSEC_IKE };

struct ev_ipsec {
    enum ipsec_kind kind;
    struct ip_addr src, dst;
    uint32_t spi;       /* ESP only */
    bool udp_encap;     /* ESP in UDP (RFC 3948) */
};

#endif
