/* caps.h: every cap on memory and time, in one place (docs/LIMITS.md). */
#ifndef SIPSEC_CAPS_H
#define SIPSEC_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct limits {
    uint32_t flows_max;            /* full: the least recently seen flow is evicted */
    uint32_t tcp_idle_ms;          /* capture time, never the wall clock */
    uint32_t udp_idle_ms;
    uint32_t reasm_ooo_bytes_max;  /* out-of-order bytes held per direction */
    uint32_t reasm_hold_bytes_max; /* unconsumed bytes a consumer may leave */
    uint64_t reasm_memcap_bytes;   /* all TCP streams together */
    uint32_t ipfrag_max;           /* datagrams being reassembled at once */
    uint32_t ipfrag_timeout_ms;
    uint32_t ipfrag_bytes_max;     /* largest reassembled datagram */
    uint32_t sip_msg_bytes_max;
    uint32_t calls_max;
    uint32_t call_setup_idle_ms;   /* streaming: a call not yet answered, without messages */
    uint32_t call_idle_ms;         /* streaming: an established call without messages */
    uint32_t rtp_streams_max;
    uint32_t tls_sessions_max;
    uint32_t certs_max;
    uint32_t findings_max;
    uint32_t ipsec_pairs_max;
    uint32_t tls_keylog_entries_max; /* distinct client randoms kept from key logs */
    uint32_t dtls_conns_max;       /* UDP connections with DTLS reassembly state */
    uint32_t dtls_idle_ms;         /* a DTLS connection without datagrams is forgotten */
    uint32_t dtls_msg_bytes_max;   /* one fragmented DTLS handshake message */
    uint32_t dtls_reasm_bytes_max; /* partial DTLS messages of all connections */
};

extern const struct limits limits_default;

/* "name=value" as given to the hidden --limit option; false on an unknown
 * name or a bad number, with a message in err. */
bool limits_set(struct limits *l, const char *assignment, char *err, unsigned err_len);

#endif
