/* sip_osip.h: SIP headers parsed with libosip2 (osip_message_parse), for every message the
 * one-pass parser (sip_fast.h) declines. */
#ifndef SIPSEC_SIP_OSIP_H
#define SIPSEC_SIP_OSIP_H

#include <stddef.h>
#include <stdint.h>

#include "sip_fields.h"

enum sip_osip_rc { SIP_OSIP_OK, SIP_OSIP_MALFORMED, SIP_OSIP_NOMEM };

/*
 * Parse the start line and headers in head (n bytes: up to and including
 * the empty line, or the whole message when it has none; the body is not
 * given: a Content-Length is zeroed in the copy libosip2 reads). OK: *out
 * filled, its strings valid until the next call or sip_osip_release().
 * MALFORMED: libosip2 refused it, or Call-ID, CSeq, From, To or a
 * request's method is missing.
 */
enum sip_osip_rc sip_osip_parse(const uint8_t *head, size_t n, struct sip_fields *out);
/* Free what the last parse holds (the copy buffer stays for reuse). */
void sip_osip_release(void);

#endif
