/* sip_fast.h: SIP header framing and the fields the analysis needs, in one pass over the header
 * lines (RFC 3261 sections 7.1, 7.3, 8.1.1, 18.3, 20, 25.1); libosip2 takes whatever the fast
 * parser declines. */
#ifndef SIPSEC_SIP_FAST_H
#define SIPSEC_SIP_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "sip_fields.h"

/* The headers the scan remembers (first occurrence). */
enum sip_hdr {
    SH_CALL_ID, SH_FROM, SH_TO, SH_VIA, SH_CSEQ, SH_CONTACT, SH_CTYPE, SH_CLEN, SH_WARNING, SH_MSDIAG,
    SH_RECORD_ROUTE, SH_ROUTE, SH_COUNT
};

/*
 * One message's start line and headers, scanned line by line. The scan
 * can stop where the bytes end and resume when more arrive (a stream
 * message over many segments is scanned once, not once per segment), as
 * long as it is given the same message start again. All offsets count
 * from the message start. A zeroed struct is a fresh scan.
 */
struct sip_scan {
    uint32_t pos;            /* start of the next line to scan */
    uint32_t start_len;      /* the start line, without its line end */
    uint32_t header_len;     /* DONE: start line + headers + the empty line */
    uint32_t content_length; /* valid when has_length */
    bool has_length;
    bool declined;           /* a form the fast parser leaves to libosip2 */
    uint16_t seen, dup;      /* bit per enum sip_hdr */
    struct { uint32_t off, len; } val[SH_COUNT]; /* first value, blanks around it trimmed */
};

enum sip_scan_rc {
    SIP_SCAN_DONE,     /* header_len is set */
    SIP_SCAN_MORE,     /* no empty line yet within the bytes given */
    SIP_SCAN_TOO_BIG,  /* a line over 8 KiB, or no header end within max bytes */
    SIP_SCAN_BAD,      /* an unusable Content-Length (not a number, or two different ones) */
};

/*
 * Scan p[0..n) (the message start; n may grow between calls) for the
 * header end and Content-Length. Never reads outside p[0..n).
 */
enum sip_scan_rc sip_scan_head(struct sip_scan *s, const uint8_t *p, size_t n, size_t max);
/* After MORE: take p[pos..n) as the last header line, without its line
 * end (a datagram may end after its last header). */
void sip_scan_tail(struct sip_scan *s, const uint8_t *p, size_t n);

/* What one message's headers say: f's strings point into the message. */
struct sip_fast {
    struct sip_fields f;
};

/*
 * The fields of a scanned message (p: the message, head_len: the scanned
 * part). True when every header the analysis reads is in the plain form
 * this parser takes (docs/SIP.md), Call-ID, CSeq, From and To are all
 * there, and every value fits its buffer; false means "not decided
 * here": the caller hands the message to libosip2, which also judges it
 * malformed or not. On the messages it takes, the fields equal
 * libosip2's (tests/fuzz/fuzz_sip_fast.c checks that).
 * routing: also read the top Via, Contact, Record-Route and Route, which
 * only SIP over TLS needs (its certificate name checks); without it they
 * are headers the analysis does not read, left unvalidated and empty.
 */
bool sip_fast_fields(const struct sip_scan *s, const uint8_t *p, size_t head_len, bool routing,
                     struct sip_fast *out);

/* Scan and fields in one call, on head: the start line and headers,
 * with or without the empty line (tests and the differential fuzzer). */
bool sip_fast_parse(struct span head, bool routing, struct sip_fast *out);
/* Where the dissector's framer ends msg's headers (after the empty
 * line): false when it would not (no empty line, a line too long, a bad
 * Content-Length). */
bool sip_fast_head(struct span msg, size_t *head_len);

/* A header line split at its first ':' into name and value, blanks
 * trimmed around the value and after the name; false without a ':'. */
bool sip_header_split(struct span line, struct span *name, struct span *value);
/* name is full or compact (NULL: none), case-insensitively. */
bool sip_header_is(struct span name, const char *full, const char *compact);

#endif
