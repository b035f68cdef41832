/* caps.c: default caps and the --limit name=value override. */
#include "caps.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sized for a day of span-port traffic on a 24 GiB machine: about 1 GiB
 * at worst, and far less in practice (docs/LIMITS.md). */
const struct limits limits_default = {
    .flows_max = 262144,
    .tcp_idle_ms = 300000,         /* 5 min: long-lived SIP/TLS trunks keep alive more often */
    .udp_idle_ms = 60000,          /* RTP ends a few seconds after BYE; keep some slack */
    .reasm_ooo_bytes_max = 262144, /* a full TCP window of 256 KiB */
    .reasm_hold_bytes_max = 131072,/* largest TLS record (16 KiB) or SIP message, with room */
    .reasm_memcap_bytes = 512ULL << 20,
    .ipfrag_max = 4096,
    .ipfrag_timeout_ms = 30000,    /* RFC 791 suggests 15 s; Linux uses 30 s */
    .ipfrag_bytes_max = 65535 + 40,
    .sip_msg_bytes_max = 65536,
    .calls_max = 200000,
    .call_setup_idle_ms = 180000,  /* RFC 3261 16.6 timer C: more than 3 min of ringing */
    .call_idle_ms = 3600000,       /* no BYE seen (lost, or captured elsewhere) */
    .rtp_streams_max = 200000,
    .tls_sessions_max = 200000,
    .certs_max = 50000,
    .findings_max = 100000,
    .ipsec_pairs_max = 4096,
    .tls_keylog_entries_max = 1000000, /* ~290 MB when full; allocated as lines arrive */
    .dtls_conns_max = 4096,        /* DTLS-SRTP: one connection per call leg being set up */
    .dtls_idle_ms = 60000,         /* RFC 6347 4.2.4.1: retransmission timers back off to 60 s */
    .dtls_msg_bytes_max = 262144,  /* a long chain is ~20 KiB; room for certificates with many SANs */
    .dtls_reasm_bytes_max = 16u << 20,
};

struct limit_field {
    const char *name;
    size_t offset;
    bool is64;
};

#define F32(n) { #n, offsetof(struct limits, n), false }
#define F64(n) { #n, offsetof(struct limits, n), true }
static const struct limit_field fields[] = {
    F32(flows_max), F32(tcp_idle_ms), F32(udp_idle_ms), F32(reasm_ooo_bytes_max),
    F32(reasm_hold_bytes_max), F64(reasm_memcap_bytes), F32(ipfrag_max),
    F32(ipfrag_timeout_ms), F32(ipfrag_bytes_max), F32(sip_msg_bytes_max), F32(calls_max),
    F32(call_setup_idle_ms), F32(call_idle_ms),
    F32(rtp_streams_max), F32(tls_sessions_max), F32(certs_max), F32(findings_max),
    F32(ipsec_pairs_max), F32(tls_keylog_entries_max), F32(dtls_conns_max), F32(dtls_idle_ms),
    F32(dtls_msg_bytes_max), F32(dtls_reasm_bytes_max),
};

bool limits_set(struct limits *l, const char *assignment, char *err, unsigned err_len)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL) {
        snprintf(err, err_len, "--limit %s: expected name=value", assignment);
        return false;
    }
    size_t name_len = (size_t)(eq - assignment);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strlen(fields[i].name) != name_len || strncmp(fields[i].name, assignment, name_len))
            continue;
        char *end = NULL;
        unsigned long long v = strtoull(eq + 1, &end, 10);
        if (eq[1] == '\0' || *end != '\0' || eq[1] == '-' || v == 0 ||
            (!fields[i].is64 && v > UINT32_MAX)) {
            snprintf(err, err_len, "--limit %s: bad value", assignment);
            return false;
        }
        char *base = (char *)l + fields[i].offset;
        if (fields[i].is64)
            *(uint64_t *)(void *)base = v;
        else
            *(uint32_t *)(void *)base = (uint32_t)v;
        return true;
    }
    snprintf(err, err_len, "--limit %s: unknown limit", assignment);
    return false;
}
