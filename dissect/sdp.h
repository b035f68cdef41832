/* sdp.h: SDP bodies (RFC 4566/8866) per media line, with SRTP keying facts (RFC 4568, 5763, 8643). */
#ifndef SIPSEC_SDP_H
#define SIPSEC_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/* Per body: more media lines, payload types or crypto lines are counted
 * (n_*_dropped), not kept. Microsoft offers carry several crypto lines and
 * candidates per m= line; 4 crypto lines cover the suites in use. */
enum {
    SDP_MEDIA_MAX = 6,
    SDP_PT_MAX = 12,
    SDP_CRYPTO_MAX = 4,
    SDP_TOKEN_MAX = 24,      /* media type, profile, setup, encryption, codec */
    SDP_SUITE_MAX = 40,
    SDP_FPR_MAX = 112,       /* "sha-512" + 64 bytes as colon hex would need 200: cut */
};

struct sdp_rtpmap {
    uint8_t pt;
    char encoding[SDP_TOKEN_MAX]; /* "PCMU"; "" when no a=rtpmap names it */
    uint32_t clock_rate;          /* 0 unknown */
};

/*
 * a=crypto:<tag> <suite> <key-params> (RFC 4568 section 9.1). Only the tag
 * and suite are kept: the key (inline:...) is never copied anywhere, only
 * the fact that one was present.
 */
struct sdp_crypto {
    uint32_t tag;
    char suite[SDP_SUITE_MAX];
    bool has_inline_key;
};

/*
 * A media line. The fields are in the order a kept copy is read at the
 * call's end (media table, security, report): the counts, flags and
 * first bytes of the strings lie together in the first cache lines, and
 * pt[] and crypto[] come last, set only up to their counts
 * (sdp_media_copy copies no more).
 */
struct sdp_media {
    uint16_t port;                  /* 0: rejected/disabled stream */
    uint8_t profile_flags;          /* sdp_profile_flags(profile), worked out once by sdp_parse */
    bool has_addr;
    bool is_inactive;               /* a=inactive */
    struct ip_addr addr;            /* media-level c=, else the session's */
    size_t n_pt, n_crypto;
    char fingerprint[SDP_FPR_MAX];  /* "sha-256 AB:CD:..." (media or session level), "" none */
    char type[SDP_TOKEN_MAX];       /* "audio", "video", "image", ... */
    char profile[SDP_TOKEN_MAX];    /* "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVP", ... */
    char setup[SDP_TOKEN_MAX];      /* a=setup: actpass/active/passive/holdconn */
    char encryption[SDP_TOKEN_MAX]; /* a=encryption: required/optional/rejected (Microsoft) */
    struct sdp_rtpmap pt[SDP_PT_MAX];
    struct sdp_crypto crypto[SDP_CRYPTO_MAX];
};

struct sdp_info {
    bool has_addr;               /* session-level c= */
    struct ip_addr addr;
    size_t n_media;
    struct sdp_media media[SDP_MEDIA_MAX]; /* only [0, n_media) is set */
    uint32_t n_media_dropped, n_pt_dropped, n_crypto_dropped;
};

/*
 * Parses an SDP body into *out. False when it is not SDP (no v= line
 * first) or a line is malformed beyond use; *out then holds what was
 * understood so far. Reads through the cursor only.
 */
bool sdp_parse(const uint8_t *p, size_t n, struct sdp_info *out);

/* *dst = *src as far as a reader may look: pt[] and crypto[] only up to
 * their counts (a kept copy then writes and later reads a third of it). */
void sdp_media_copy(struct sdp_media *dst, const struct sdp_media *src);

/* Asks for the cache lines a reader of a kept line reads (its head and
 * its first payload types) at once, ahead of use: a call's kept SDP is
 * read cold when the call ends, line after line otherwise. */
static inline void sdp_media_prefetch(const struct sdp_media *m)
{
#if defined(__GNUC__)
    const char *p = (const char *)m;
    for (size_t off = 0; off < offsetof(struct sdp_media, pt) + 4 * sizeof m->pt[0]; off += 64)
        __builtin_prefetch(p + off);
#else
    (void)m;
#endif
}

/* Profile facts. */
enum { SDP_PROFILE_SAVP = 1, SDP_PROFILE_DTLS = 2 };
unsigned sdp_profile_flags(const char *profile);  /* both of the two below */
bool sdp_profile_is_savp(const char *profile);   /* RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F), ... */
bool sdp_profile_is_dtls(const char *profile);   /* UDP/TLS/RTP/..., TCP/TLS/RTP/... */

#endif
