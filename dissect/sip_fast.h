/* sip_fast.h: the SIP start line and the few headers the analysis needs, in one pass with the
 * cursor (RFC 3261 sections 7.1, 7.3, 8.1.1, 20, 25.1); libosip2 takes whatever this declines. */
#ifndef SIPSEC_SIP_FAST_H
#define SIPSEC_SIP_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

/*
 * What one message's headers say, as NUL-terminated copies (each cut to
 * its buffer). A field the message lacks is "".
 */
struct sip_fast {
    bool is_request;
    int status;
    char method[40], reason[128];
    char call_id[256];
    char from_uri[256], to_uri[256], from_tag[128], to_tag[128];
    uint32_t cseq;
    char cseq_method[40];
    char via_transport[16], via_host[128];
    char request_uri_host[128], contact_host[128];
    char record_route_host[128], route_host[128]; /* route_host: only a loose (;lr) topmost Route */
    char warning[512], ms_diagnostics[512];
    char ct_type[32], ct_subtype[64], ct_boundary[80];
};

/*
 * Parse the start line and headers (head: up to, not including, the empty
 * line, or the whole message when it has none). True when every header the
 * analysis reads was in the plain form this parser accepts and Call-ID,
 * CSeq, From and To were all present; false means "not decided here": the
 * caller hands the message to libosip2, which also judges it malformed or
 * not. Never reads outside head.
 */
bool sip_fast_parse(struct span head, struct sip_fast *out);

#endif
