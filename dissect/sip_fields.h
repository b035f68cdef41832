/* sip_fields.h: the SIP start line and header fields the analysis reads (RFC 3261 sections 7.1,
 * 8.1.1, 20), as both header parsers deliver them: sip_fast.c and libosip2 (sip_osip.c). */
#ifndef SIPSEC_SIP_FIELDS_H
#define SIPSEC_SIP_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Every string is NUL-terminated, "" when the message lacks it, and owned
 * by the parser that filled the struct: valid until its next parse.
 */
struct sip_fields {
    bool is_request;
    int status;                    /* responses: 100..699; requests: 0 */
    uint32_t cseq;                 /* cut to UINT32_MAX */
    const char *method;            /* requests: the method; responses: "" */
    const char *reason;            /* responses: the reason phrase */
    const char *request_uri_host;  /* requests: host of the Request-URI */
    const char *call_id;           /* "number@host" or "number" */
    const char *from_uri, *to_uri; /* "scheme:user@host:port", no parameters */
    const char *from_tag, *to_tag;
    const char *cseq_method;
    const char *via_transport;     /* top Via: "UDP", "TCP", "TLS", ... */
    const char *via_host;          /* top Via: sent-by host */
    const char *contact_host;      /* first Contact's URI host */
    const char *record_route_host; /* topmost Record-Route entry's URI host */
    const char *route_host;        /* topmost Route entry's host when it is a loose route (;lr) */
    const char *warning;           /* the first Warning header's value */
    const char *ms_diagnostics;    /* the first ms-diagnostics header's value */
    const char *ct_type, *ct_subtype; /* Content-Type */
    const char *ct_boundary;       /* its boundary parameter as written (quotes kept) */
};

#endif
