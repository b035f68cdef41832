/* media_expect.h: media endpoints announced in SDP, so RTP is found on them. */
#ifndef SIPSEC_MEDIA_EXPECT_H
#define SIPSEC_MEDIA_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "netaddr.h"

/* What the SDP said about one media endpoint (c= address, m= port).
 * call_id comes last and is read only up to its NUL: the table copies no
 * more of it, so an entry's cache lines past a short Call-ID stay cold. */
struct media_hint {
    bool is_srtp;           /* SAVP/SAVPF profile or a=crypto/fingerprint accepted */
    uint8_t clock_pt;       /* a dynamic payload type with a known clock, or 255 */
    uint32_t clock_rate;    /* from rtpmap for clock_pt, 0 unknown */
    bool has_sig;           /* sig[] known: the call's signaling hosts (first INVITE's ends) */
    struct ip_addr sig[2];
    char call_id[128];      /* the call that announced it ("" unknown), NUL-terminated */
};

struct media_expect;

struct media_expect *media_expect_new(const struct limits *lim);
void media_expect_free(struct media_expect *m);
/* Announce (or refresh) an endpoint; the table is capped, oldest out, and
 * endpoints not announced for max(call_setup_idle_ms, udp_idle_ms) of
 * capture time are forgotten. */
void media_expect_add(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                      const struct media_hint *hint, ts_ns when);
/* The same with the Call-ID given apart (call_id, n bytes, cut to the
 * hint's buffer) and hint->call_id not read, so a caller holding the
 * Call-ID need not copy it into a hint first. */
void media_expect_add_id(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                         const struct media_hint *hint, const char *call_id, size_t n, ts_ns when);
/* A call has ended: its endpoints can carry no new media, so the entry
 * for addr:port goes now if that call (call_id, n bytes) announced it
 * last, rather than after the TTL. Another call's entry stays. */
void media_expect_forget(struct media_expect *m, const struct ip_addr *addr, uint16_t port,
                         const char *call_id, size_t n);
/* The hint for an endpoint, or NULL if SDP never named it. O(1). An
 * endpoint announced on port p also answers for p + 1 (its RTCP); an
 * announcement of p + 1 itself comes first. */
const struct media_hint *media_expect_find(const struct media_expect *m, const struct ip_addr *addr,
                                           uint16_t port);

#endif
