/* sip_fields.h: the SIP start line and header fields the analysis reads (RFC 3261 sections 7.1,
 * 8.1.1, 20), as both header parsers deliver them: sip_fast.c and libosip2 (sip_osip.c). */
#ifndef SIPSEC_SIP_FIELDS_H
#define SIPSEC_SIP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A string: n bytes at p, no NUL among them, not NUL-terminated (it
 * points into the message or the fallback parser's storage). p is never
 * NULL; a field the message lacks is "" with n 0.
 */
struct sip_str {
    const char *p;
    size_t n;
};

static inline struct sip_str sip_str_c(const char *z)
{
    return (struct sip_str){ z, strlen(z) };
}

/* s equals the literal lit, byte for byte. */
#define SIP_STR_IS(s, lit) ((s).n == sizeof(lit) - 1 && memcmp((s).p, (lit), sizeof(lit) - 1) == 0)

/*
 * Every string is owned by the parser that filled the struct: valid until
 * its next parse.
 */
struct sip_fields {
    bool is_request;
    int status;                         /* responses: 100..699; requests: 0 */
    uint32_t cseq;                      /* cut to UINT32_MAX */
    struct sip_str method;              /* requests: the method; responses: "" */
    struct sip_str reason;              /* responses: the reason phrase */
    struct sip_str request_uri_host;    /* requests: host of the Request-URI */
    struct sip_str call_id;             /* "number@host" or "number" */
    struct sip_str from_uri, to_uri;    /* "scheme:user@host:port", no parameters */
    struct sip_str from_tag, to_tag;
    struct sip_str cseq_method;
    struct sip_str via_transport;       /* top Via: "UDP", "TCP", "TLS", ... */
    struct sip_str via_host;            /* top Via: sent-by host */
    struct sip_str contact_host;        /* first Contact's URI host */
    struct sip_str record_route_host;   /* topmost Record-Route entry's URI host */
    struct sip_str route_host;          /* topmost Route entry's host when it is a loose route (;lr) */
    struct sip_str warning;             /* the first Warning header's value */
    struct sip_str ms_diagnostics;      /* the first ms-diagnostics header's value */
    struct sip_str ct_type, ct_subtype; /* Content-Type */
    struct sip_str ct_boundary;         /* its boundary parameter as written (quotes kept) */
};

#endif
