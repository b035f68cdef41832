/* sip_event.h: the facts the SIP dissector hands up (RFC 3261 section 7, RFC 4566 via sdp.h). */
#ifndef SIPSEC_SIP_EVENT_H
#define SIPSEC_SIP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "sdp.h"

enum sip_transport { SIP_TR_UDP, SIP_TR_TCP, SIP_TR_TLS };

const char *sip_transport_name(enum sip_transport t); /* "udp" / "tcp" / "tls" */

/*
 * EV_SIP: one SIP message. Every string is NUL-terminated and borrowed
 * for the emit only (it points into the dissector's reused buffers); a
 * field the message lacks is "" (sdp: NULL). Long values are cut to their
 * buffer, never overrun it.
 */
struct ev_sip {
    bool is_request;
    const char *method;       /* request method, or the CSeq method of a response */
    int status;               /* responses: 100..699; requests: 0 */
    const char *reason;       /* reason phrase */
    const char *call_id;
    const char *from_uri, *to_uri; /* "sip:user@host" (no parameters) */
    const char *from_tag, *to_tag;
    uint32_t cseq;
    const char *cseq_method;
    enum sip_transport transport;  /* how it travelled (TLS only when decrypted) */
    const char *via_transport;     /* top Via's protocol: "UDP", "TCP", "TLS", ... */
    /* Host names a TLS certificate may have to match (issues 5 and 7). */
    const char *request_uri_host, *via_host, *contact_host;
    const char *record_route_host; /* URI host of the topmost Record-Route entry */
    const char *route_host;        /* topmost Route entry's host when it is a loose route (;lr),
                                    * i.e. the next hop (RFC 3261 section 16.12); "" otherwise */
    const char *warning;           /* Warning header, or Microsoft ms-diagnostics */
    const char *content_type;      /* of the message (multipart: the outer type) */
    const struct sdp_info *sdp;    /* the application/sdp body, NULL if none */
    size_t body_len;
};

#endif
