/* ipfrag.h: IPv4 (RFC 791) and IPv6 (RFC 8200 section 4.5) fragment reassembly. */
#ifndef SIPSEC_IPFRAG_H
#define SIPSEC_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "caps.h"
#include "mem.h"
#include "netaddr.h"

struct ipfrag_key {
    struct ip_addr src, dst;
    uint32_t id;   /* 16 bits for IPv4, 32 for IPv6 */
    uint8_t proto; /* upper-layer protocol */
};

enum ipfrag_rc {
    IPFRAG_HELD,     /* kept; more fragments needed */
    IPFRAG_DONE,     /* *out holds the whole upper-layer payload */
    IPFRAG_DROPPED,  /* refused: cap, memcap, too large, or invalid */
};

struct ipfrag_stats {
    uint64_t reassembled;
    uint64_t timed_out;     /* incomplete datagrams given up after ipfrag_timeout_ms */
    uint64_t evicted;       /* incomplete datagrams pushed out by ipfrag_max */
    uint64_t too_large;     /* would exceed ipfrag_bytes_max */
    uint64_t overlaps;      /* fragments overlapping earlier ones (first copy wins) */
    uint64_t invalid;       /* e.g. a non-last fragment whose length is not a multiple of 8 */
};

struct ipfrag_table;

struct ipfrag_table *ipfrag_new(const struct limits *lim, struct mem_acct *acct);
void ipfrag_free(struct ipfrag_table *t);

/*
 * One fragment: payload p/n at byte offset off of the original payload;
 * more = the MF flag. On IPFRAG_DONE, *out points at the reassembled
 * payload, owned by the table and valid until the next ipfrag_* call.
 * Expires timed-out datagrams as a side effect (bounded work per call).
 */
enum ipfrag_rc ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *key, uint32_t off,
                          bool more, const uint8_t *p, size_t n, ts_ns now, struct span *out);

/* Give up on every datagram older than ipfrag_timeout_ms at now. */
void ipfrag_expire(struct ipfrag_table *t, ts_ns now);

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t);
/* Datagrams currently held (for tests and the stats line). */
uint32_t ipfrag_pending(const struct ipfrag_table *t);

#endif
