/* flow.h: the TCP connection table: 5-tuple hash, LRU order, free list. */
#ifndef SIPSEC_FLOW_H
#define SIPSEC_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "caps.h"
#include "netaddr.h"
#include "stream.h"
#include "tcp_reasm.h"

enum flow_consumer { FLOW_UNDECIDED, FLOW_ATTACHED, FLOW_IGNORED };

struct flow {
    struct stream_info si;        /* key is client -> server */
    uint64_t hash;
    struct flow *hnext;           /* hash bucket chain */
    struct flow *older, *newer;   /* LRU list */
    ts_ns last_seen;
    enum flow_consumer consumer;
    bool has_isn[2];              /* SYN seen per direction, before a consumer attached */
    uint32_t isn[2];
    bool fin[2];
    struct tcp_reasm reasm;
};

struct flow_table;

/* Buckets are sized for limits.flows_max; flows come from chunks that are
 * reused through a free list, never returned to malloc until the end. */
struct flow_table *flow_table_new(const struct limits *lim);
void flow_table_free(struct flow_table *ft);

/* The flow for k in either direction; *d tells which (NULL if none). */
struct flow *flow_lookup(struct flow_table *ft, const struct flow_key *k, uint64_t hash, enum dir *d);
/* A new flow with si.key = client_key, newest in LRU order. NULL when full
 * and nothing can be evicted (the caller then evicts with flow_oldest). */
struct flow *flow_insert(struct flow_table *ft, const struct flow_key *client_key, uint64_t hash);
void flow_touch(struct flow_table *ft, struct flow *f, ts_ns now);
/* Unlink and put back on the free list; the caller closed it already. */
void flow_remove(struct flow_table *ft, struct flow *f);
struct flow *flow_oldest(const struct flow_table *ft);
uint32_t flow_count(const struct flow_table *ft);
bool flow_table_full(const struct flow_table *ft);

#endif
