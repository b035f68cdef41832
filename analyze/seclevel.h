/* seclevel.h: media security from SDP, a call's security level, and the 415/488 mismatch diagnosis. */
#ifndef SIPSEC_SECLEVEL_H
#define SIPSEC_SECLEVEL_H

#include <stdbool.h>
#include <stddef.h>

#include "sdp.h"
#include "sip_event.h"

/* SPEC "security_level"; titles are the Exchange UM dial plan names. */
enum sec_level { SEC_UNKNOWN, SEC_UNSECURED, SEC_SIP_SECURED, SEC_SECURED };

const char *sec_level_name(enum sec_level l);  /* "unsecured", "sip-secured", ... */
const char *sec_level_title(enum sec_level l); /* "Unsecured", "SIP Secured", ... */

/* What one m= line says about media encryption. */
enum media_sec {
    MEDIA_SEC_NONE,          /* RTP/AVP, no crypto, no fingerprint: clear RTP */
    MEDIA_SEC_OPPORTUNISTIC, /* RTP/AVP with a=crypto or fingerprint (RFC 8643): SRTP if accepted */
    MEDIA_SEC_SDES,          /* SAVP/SAVPF with a=crypto (RFC 4568) */
    MEDIA_SEC_DTLS,          /* UDP/TLS/RTP/SAVP(F) or SAVP with a=fingerprint (RFC 5763) */
    MEDIA_SEC_SRTP_OTHER,    /* SAVP without SDES or DTLS (MIKEY, ZRTP, keys elsewhere) */
};

enum media_sec seclevel_media(const struct sdp_media *m);
/* "rtp", "opportunistic", "sdes-srtp", "dtls-srtp", "srtp" */
const char *media_sec_name(enum media_sec s);
/* Would media described so be SRTP once this SDP is the answer? */
bool media_sec_is_srtp(enum media_sec s);

/* The body's media security in one word: the weakest active (port != 0)
 * media line, so one clear stream makes the call's media clear. */
enum media_sec seclevel_sdp(const struct sdp_media *media, size_t n);
/* The same, and each line's own in each[0, n) (a report writes both). */
enum media_sec seclevel_sdp_each(const struct sdp_media *media, size_t n, enum media_sec *each);
/* Any a=crypto with an inline key (RFC 4568 section 6.1)? */
bool seclevel_sdp_has_inline_key(const struct sdp_media *media, size_t n);

/* The offering client's media encryption policy, as the SDP reveals it
 * (Office Communicator's PC2PCAVEncryption: 0 support, 1 require, 2 not supported). */
enum enc_policy { POLICY_UNKNOWN, POLICY_NOT_SUPPORTED, POLICY_SUPPORTED, POLICY_REQUIRED };

enum enc_policy seclevel_offer_policy(const struct sdp_media *media, size_t n);
/* "encryption not supported" / "encryption supported" / "encryption required" / "unknown" */
const char *enc_policy_text(enum enc_policy p);

/* One SDP as the call kept it. */
struct sdp_view {
    const struct sdp_media *media;
    size_t n;
    uint64_t frame;
};

/*
 * The call's level (SPEC): the transport of its signaling and the media
 * of the answer (the offer when there is no answer; unknown without SDP).
 * Writes one sentence of evidence into ev (cap bytes).
 */
enum sec_level seclevel_call(bool sip_over_tls, const struct sdp_view *offer,
                             const struct sdp_view *answer, char *ev, size_t cap);

/*
 * SIP over TLS whose content is not visible (no keys): the level comes from
 * the TLS session and the RTP seen between the same two hosts, each
 * stream's SRTP decided from its payload (dissect/rtp_payload.h).
 */
struct opaque_evidence {
    const char *tls_id;       /* "tls-2" */
    const char *version;      /* "TLS1.0", NULL unknown */
    bool cert_request;        /* the server asked for a client certificate */
    int client_cert;          /* 1 sent, 0 none, -1 not visible */
    size_t n_streams;         /* RTP streams between the hosts during/after the session */
    size_t n_srtp, n_clear;   /* decided SRTP / clear; the rest undecided */
    const char *media_detail; /* why, for one representative stream ("" none) */
    const char *media_stream; /* that stream's id */
    int keys;                 /* enum tls_keys_state (modules.h): why the content stayed opaque */
};

enum sec_level seclevel_opaque(const struct opaque_evidence *o, char *ev, size_t cap);
/* true, false, or -1 not visible: mutual TLS in the sense of SPEC (client certificate sent). */
int seclevel_mutual_tls(bool cert_request, int client_cert);

/*
 * An INVITE with this offer failed with status (415/488/606 are the
 * candidates). True when the offer's media security explains the refusal:
 * summary and detail then say which end wanted what, name the three levels
 * and the client policy, and which change aligns the ends. err_sdp is
 * the SDP the error response carried (may be NULL), warning its Warning or
 * ms-diagnostics header ("" if none).
 */
bool seclevel_mismatch(const struct sdp_view *offer, const struct sdp_view *err_sdp, int status,
                       const char *reason, const char *warning, bool sip_over_tls, char *summary,
                       size_t summary_cap, char *detail, size_t detail_cap);

#endif
