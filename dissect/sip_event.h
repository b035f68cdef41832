/* sip_event.h: the facts the SIP dissector hands up (RFC 3261 section 7, RFC 4566 via sdp.h). */
#ifndef SIPSEC_SIP_EVENT_H
#define SIPSEC_SIP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "sdp.h"
#include "sip_fields.h"

enum sip_transport { SIP_TR_UDP, SIP_TR_TCP, SIP_TR_TLS };

const char *sip_transport_name(enum sip_transport t); /* "udp" / "tcp" / "tls" */

/*
 * EV_SIP: one SIP message. Every string is a struct sip_str (pointer and
 * length, not NUL-terminated) borrowed for the emit only: it points into
 * the message or the dissector's reused buffers. A field the message
 * lacks is "" with length 0 (sdp: NULL).
 */
struct ev_sip {
    bool is_request;
    struct sip_str method;            /* request method, or the CSeq method of a response */
    int status;                       /* responses: 100..699; requests: 0 */
    struct sip_str reason;            /* reason phrase */
    struct sip_str call_id;
    struct sip_str from_uri, to_uri;  /* "sip:user@host" (no parameters) */
    struct sip_str from_tag, to_tag;
    uint32_t cseq;
    struct sip_str cseq_method;
    enum sip_transport transport;     /* how it travelled (TLS only when decrypted) */
    struct sip_str via_transport;     /* top Via's protocol: "UDP", "TCP", "TLS", ... */
    /* Host names a TLS certificate may have to match (issues 5 and 7). */
    struct sip_str request_uri_host, via_host, contact_host;
    struct sip_str record_route_host; /* URI host of the topmost Record-Route entry */
    struct sip_str route_host;        /* topmost Route entry's host when it is a loose route (;lr),
                                       * i.e. the next hop (RFC 3261 section 16.12); "" otherwise */
    struct sip_str warning;           /* Warning header, or Microsoft ms-diagnostics */
    struct sip_str content_type;      /* of the message (multipart: the outer type) */
    const struct sdp_info *sdp;       /* the application/sdp body, NULL if none */
    size_t body_len;
};

#endif
