/* seclevel.c: SDP media security (RFC 3711, 4568, 5763, 8643), call security levels
 * (Exchange 2007 SP1 UM VoIPSecurity), and why a 415/488/606 refused an INVITE. */
#include "seclevel.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *sec_level_name(enum sec_level l)
{
    switch (l) {
    case SEC_UNSECURED: return "unsecured";
    case SEC_SIP_SECURED: return "sip-secured";
    case SEC_SECURED: return "secured";
    default: return "unknown";
    }
}

const char *sec_level_title(enum sec_level l)
{
    switch (l) {
    case SEC_UNSECURED: return "Unsecured";
    case SEC_SIP_SECURED: return "SIP Secured";
    case SEC_SECURED: return "Secured";
    default: return "Unknown";
    }
}

enum media_sec seclevel_media(const struct sdp_media *m)
{
    unsigned pf = m->profile_flags; /* per message and per report line: not the string again */
    bool savp = (pf & SDP_PROFILE_SAVP) != 0;
    bool fpr = m->fingerprint[0] != '\0';
    if ((pf & SDP_PROFILE_DTLS) || (savp && fpr && m->n_crypto == 0))
        return MEDIA_SEC_DTLS;
    if (savp)
        return m->n_crypto ? MEDIA_SEC_SDES : MEDIA_SEC_SRTP_OTHER;
    /* RTP/AVP with keys: RFC 8643 best-effort SRTP, clear RTP if refused. */
    if (m->n_crypto || fpr)
        return MEDIA_SEC_OPPORTUNISTIC;
    return MEDIA_SEC_NONE;
}

const char *media_sec_name(enum media_sec s)
{
    switch (s) {
    case MEDIA_SEC_OPPORTUNISTIC: return "opportunistic";
    case MEDIA_SEC_SDES: return "sdes-srtp";
    case MEDIA_SEC_DTLS: return "dtls-srtp";
    case MEDIA_SEC_SRTP_OTHER: return "srtp";
    default: return "rtp";
    }
}

bool media_sec_is_srtp(enum media_sec s)
{
    /* In an answer, crypto on RTP/AVP means the answerer took the
     * best-effort offer (RFC 8643 section 4): the media is SRTP. */
    return s != MEDIA_SEC_NONE;
}

static bool media_active(const struct sdp_media *m)
{
    return m->port != 0;
}

/* Rank for "weakest": clear RTP is weakest. */
static int sec_rank(enum media_sec s)
{
    switch (s) {
    case MEDIA_SEC_NONE: return 0;
    case MEDIA_SEC_OPPORTUNISTIC: return 1;
    case MEDIA_SEC_SRTP_OTHER: return 2;
    case MEDIA_SEC_SDES: return 3;
    default: return 4;
    }
}

enum media_sec seclevel_sdp_each(const struct sdp_media *media, size_t n, enum media_sec *each)
{
    bool any = false;
    enum media_sec weakest = MEDIA_SEC_NONE;
    for (size_t i = 0; i < n; i++) {
        bool active = media_active(&media[i]);
        if (!active && each == NULL)
            continue;
        enum media_sec s = seclevel_media(&media[i]);
        if (each)
            each[i] = s;
        if (!active)
            continue;
        if (!any || sec_rank(s) < sec_rank(weakest))
            weakest = s;
        any = true;
    }
    if (!any && n > 0) /* everything rejected (port 0): say what was offered */
        return each ? each[0] : seclevel_media(&media[0]);
    return weakest;
}

enum media_sec seclevel_sdp(const struct sdp_media *media, size_t n)
{
    return seclevel_sdp_each(media, n, NULL);
}

bool seclevel_sdp_has_inline_key(const struct sdp_media *media, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < media[i].n_crypto; j++)
            if (media[i].crypto[j].has_inline_key)
                return true;
    return false;
}

static enum enc_policy media_policy(const struct sdp_media *m)
{
    /* Microsoft states it outright ([MS-SDPEXT] a=encryption). */
    if (strcasecmp(m->encryption, "required") == 0)
        return POLICY_REQUIRED;
    if (strcasecmp(m->encryption, "optional") == 0)
        return POLICY_SUPPORTED;
    if (strcasecmp(m->encryption, "rejected") == 0)
        return POLICY_NOT_SUPPORTED;
    switch (seclevel_media(m)) {
    case MEDIA_SEC_NONE: return POLICY_NOT_SUPPORTED;
    case MEDIA_SEC_OPPORTUNISTIC: return POLICY_SUPPORTED;
    default: return POLICY_REQUIRED; /* a SAVP profile cannot fall back to RTP */
    }
}

enum enc_policy seclevel_offer_policy(const struct sdp_media *media, size_t n)
{
    enum enc_policy p = POLICY_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        if (!media_active(&media[i]))
            continue;
        enum enc_policy mp = media_policy(&media[i]);
        if (p == POLICY_UNKNOWN)
            p = mp;
        else if (p != mp)
            p = POLICY_SUPPORTED; /* some lines secure, some clear: encryption is optional */
    }
    return p;
}

const char *enc_policy_text(enum enc_policy p)
{
    switch (p) {
    case POLICY_NOT_SUPPORTED: return "encryption not supported";
    case POLICY_SUPPORTED: return "encryption supported";
    case POLICY_REQUIRED: return "encryption required";
    default: return "unknown";
    }
}

/* Text built by appending, cut to its buffer as snprintf would cut it:
 * the evidence is written for every call of a report. */
struct text {
    char *p;
    size_t cap, n; /* cap > 0; p[n] is always '\0' */
};

static inline void text_addn(struct text *t, const char *s, size_t l)
{
    size_t room = t->cap - 1 - t->n;
    if (l <= room) /* the usual case: for a literal a copy of known size */
        memcpy(t->p + t->n, s, l);
    else
        memcpy(t->p + t->n, s, l = room);
    t->n += l;
    t->p[t->n] = '\0';
}

/* A literal: its length is known here. */
#define TEXT_LIT(t, lit) text_addn((t), (lit), sizeof(lit) - 1)

/* A token of the SDP, kept NUL-terminated in an array of cap bytes. */
static void text_token(struct text *t, const char *s, size_t cap)
{
    text_addn(t, s, strnlen(s, cap));
}
#define TEXT_ARR(t, a) text_token((t), (a), sizeof(a))

static void text_u64(struct text *t, uint64_t v)
{
    char b[24];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    text_addn(t, b + i, sizeof b - i);
}

/* "audio RTP/SAVP with SDES (AES_CM_128_HMAC_SHA1_80)" for the first active
 * line, at most DESCRIBE_MAX - 1 bytes of it. */
enum { DESCRIBE_MAX = 256 };

static void describe_media_to(struct text *t, const struct sdp_view *v)
{
    const struct sdp_media *m = NULL;
    for (size_t i = 0; i < v->n && m == NULL; i++)
        if (media_active(&v->media[i]))
            m = &v->media[i];
    if (m == NULL && v->n)
        m = &v->media[0];
    if (m == NULL) {
        TEXT_LIT(t, "no media lines");
        return;
    }
    TEXT_ARR(t, m->type);
    TEXT_LIT(t, " ");
    TEXT_ARR(t, m->profile);
    switch (seclevel_media(m)) {
    case MEDIA_SEC_NONE: TEXT_LIT(t, " without a=crypto or a=fingerprint (clear RTP)"); break;
    case MEDIA_SEC_OPPORTUNISTIC: TEXT_LIT(t, " with keys on an RTP/AVP line (best-effort SRTP, RFC 8643)"); break;
    case MEDIA_SEC_SDES: TEXT_LIT(t, " with SDES keys in a=crypto (SRTP)"); break;
    case MEDIA_SEC_DTLS: TEXT_LIT(t, " with a DTLS fingerprint (DTLS-SRTP)"); break;
    case MEDIA_SEC_SRTP_OTHER: TEXT_LIT(t, " without SDES or DTLS keying (SRTP keyed elsewhere)"); break;
    default: TEXT_LIT(t, " "); break;
    }
    if (m->n_crypto) {
        TEXT_LIT(t, ", suite ");
        TEXT_ARR(t, m->crypto[0].suite);
    }
    if (m->encryption[0]) {
        TEXT_LIT(t, ", a=encryption:");
        TEXT_ARR(t, m->encryption);
    }
}

static void describe_media(const struct sdp_view *v, char *out, size_t cap)
{
    struct text t = { out, cap, 0 };
    out[0] = '\0';
    describe_media_to(&t, v);
}

enum sec_level seclevel_call(bool sip_over_tls, const struct sdp_view *offer,
                             const struct sdp_view *answer, char *ev, size_t cap)
{
    const struct sdp_view *v = (answer && answer->n) ? answer : (offer && offer->n) ? offer : NULL;
    struct text t = { ev, cap, 0 };
    ev[0] = '\0';
    if (sip_over_tls)
        TEXT_LIT(&t, "SIP over TLS");
    else
        TEXT_LIT(&t, "SIP in clear (UDP/TCP)");
    if (v == NULL) {
        TEXT_LIT(&t, "; no SDP seen, media security unknown");
        return SEC_UNKNOWN;
    }
    enum media_sec s = seclevel_sdp(v->media, v->n);
    /* Without an answer only the offer is known: an SRTP offer says what was
     * attempted, a clear one what would have flowed. */
    bool srtp = media_sec_is_srtp(s) && (v == answer || s != MEDIA_SEC_OPPORTUNISTIC);
    enum sec_level l;
    if (!sip_over_tls)
        l = SEC_UNSECURED;
    else
        l = srtp ? SEC_SECURED : SEC_SIP_SECURED;
    if (v == answer)
        TEXT_LIT(&t, "; answer (frame ");
    else
        TEXT_LIT(&t, "; offer (no answer) (frame ");
    text_u64(&t, v->frame);
    TEXT_LIT(&t, "): ");
    /* The description as it was cut to a buffer of its own before. */
    struct text media = { t.p + t.n, t.cap - t.n < DESCRIBE_MAX ? t.cap - t.n : DESCRIBE_MAX, 0 };
    describe_media_to(&media, v);
    t.n += media.n;
    if (!sip_over_tls && srtp)
        TEXT_LIT(&t, "; SRTP over clear signaling still counts as Unsecured");
    return l;
}

int seclevel_mutual_tls(bool cert_request, int client_cert)
{
    if (client_cert < 0)
        return -1;
    return cert_request && client_cert == 1;
}

enum sec_level seclevel_opaque(const struct opaque_evidence *o, char *ev, size_t cap)
{
    char tls[320];
    const char *mutual;
    switch (seclevel_mutual_tls(o->cert_request, o->client_cert)) {
    case 1: mutual = "mutual TLS (the client sent a certificate)"; break;
    case -1: mutual = "mutual TLS not visible (TLS 1.3 encrypts the client's Certificate)"; break;
    default:
        mutual = o->cert_request ? "not mutual TLS: the server asked for a client certificate and the "
                                   "client sent none"
                                 : "not mutual TLS: the server did not ask for a client certificate";
    }
    /* o->keys: enum tls_keys_state of modules.h (0 none given, 1 no match, 2 unsupported suite, 3 failed) */
    const char *why = o->keys == 1   ? ": the keys given have none for this session (its ClientHello random is "
                                       "in no key log line, and no RSA key applies)"
                      : o->keys == 2 ? ": its cipher suite is not one sipsec decrypts"
                      : o->keys == 3 ? ": the keys given for it did not decrypt its records (TLS_DECRYPT_FAILED)"
                                     : " without keys (--keylog or --rsa-key would show the calls and their SDP)";
    snprintf(tls, sizeof tls, "SIP over TLS (%s, %s, %s), its content not visible%s", o->tls_id,
             o->version ? o->version : "version unknown", mutual, why);
    size_t n_unknown = o->n_streams - o->n_srtp - o->n_clear;
    enum sec_level l;
    char media[512];
    if (o->n_streams == 0) {
        snprintf(media, sizeof media, "no RTP between these two hosts during or after the session: "
                                      "no call was made, or the media ran between other addresses "
                                      "(an SBC or media relay), so the level is unknown");
        l = SEC_UNKNOWN;
    } else if (o->n_clear > 0) {
        snprintf(media, sizeof media, "%zu RTP stream%s between the same hosts, %zu in clear (%s: %s)",
                 o->n_streams, o->n_streams == 1 ? "" : "s", o->n_clear, o->media_stream, o->media_detail);
        l = SEC_SIP_SECURED;
    } else if (n_unknown == 0) {
        snprintf(media, sizeof media, "%zu RTP stream%s between the same hosts, all SRTP (%s: %s)",
                 o->n_streams, o->n_streams == 1 ? "" : "s", o->media_stream, o->media_detail);
        l = SEC_SECURED;
    } else {
        snprintf(media, sizeof media, "%zu RTP stream%s between the same hosts, %zu whose encryption the "
                                      "payload cannot tell (%s: %s), so the level is unknown",
                 o->n_streams, o->n_streams == 1 ? "" : "s", n_unknown, o->media_stream, o->media_detail);
        l = SEC_UNKNOWN;
    }
    snprintf(ev, cap, "%s; %s", tls, media);
    return l;
}

/* strcasestr is a GNU extension; this is the portable few lines. */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

static bool warning_mentions_security(const char *w)
{
    static const char *const words[] = { "crypt", "srtp", "secur", "tls", "savp", NULL };
    for (size_t i = 0; words[i]; i++)
        if (contains_nocase(w, words[i]))
            return true;
    return false;
}

static void text_str(struct text *t, const char *s)
{
    text_addn(t, s, strlen(s));
}

/* "415 Unsupported Media Type" (the status is 415, 488 or 606 here) */
static void text_status(struct text *t, int status, const char *reason)
{
    text_u64(t, (uint64_t)status);
    TEXT_LIT(t, " ");
    text_str(t, reason);
}

/* "The caller's offer (frame N) has <media>; client policy \"<policy>\"" */
static void text_offer(struct text *t, const struct sdp_view *offer, const char *media, enum enc_policy pol)
{
    TEXT_LIT(t, "The caller's offer (frame ");
    text_u64(t, offer->frame);
    TEXT_LIT(t, ") has ");
    text_str(t, media);
    TEXT_LIT(t, "; client policy \"");
    text_str(t, enc_policy_text(pol));
    TEXT_LIT(t, "\"");
}

/* " The response says: \"<at most 256 bytes of the warning>\"." when there is one */
static void text_said(struct text *t, const char *warning)
{
    if (warning && warning[0]) {
        TEXT_LIT(t, " The response says: \"");
        text_addn(t, warning, strnlen(warning, 256));
        TEXT_LIT(t, "\".");
    }
}

static const char levels_text[] =
    "Security levels: Unsecured = clear SIP (UDP/TCP 5060) and RTP; SIP Secured = SIP over mutual TLS "
    "(5061) with RTP in clear; Secured = SIP over mutual TLS and SRTP.";

bool seclevel_mismatch(const struct sdp_view *offer, const struct sdp_view *err_sdp, int status,
                       const char *reason, const char *warning, bool sip_over_tls, char *summary,
                       size_t summary_cap, char *detail, size_t detail_cap)
{
    if ((status != 415 && status != 488 && status != 606) || offer == NULL || offer->n == 0)
        return false;
    /* Only RTP media carry a media-security choice; a T.38 (image udptl)
     * re-INVITE refused with 488 is a fax capability question. */
    bool any_rtp = false;
    for (size_t i = 0; i < offer->n; i++)
        if (offer->media[i].port != 0 && strstr(offer->media[i].profile, "RTP"))
            any_rtp = true;
    if (!any_rtp)
        return false;
    enum enc_policy pol = seclevel_offer_policy(offer->media, offer->n);
    enum media_sec err_sec = err_sdp && err_sdp->n ? seclevel_sdp(err_sdp->media, err_sdp->n) : MEDIA_SEC_NONE;
    bool err_wants_srtp = err_sdp && err_sdp->n && media_sec_is_srtp(err_sec) && err_sec != MEDIA_SEC_OPPORTUNISTIC;
    bool hint = warning && warning_mentions_security(warning);
    switch (pol) {
    case POLICY_REQUIRED:
        break;
    case POLICY_NOT_SUPPORTED:
        /* A clear RTP offer refused is more often a codec refusal: it
         * takes the response's word (an SRTP SDP, a Warning about
         * security), or TLS signaling that shows the peer is at least SIP
         * Secured, to call it a security mismatch. */
        if (!(err_wants_srtp || hint || (sip_over_tls && status == 415)))
            return false;
        break;
    case POLICY_SUPPORTED:
        /* Best effort: refused only if the peer insists on a SAVP profile
         * or on no crypto at all. 488 is also a codec refusal, so it takes
         * the response's own word (SDP or Warning) to call it security. */
        if (!(status == 415 || err_wants_srtp || hint))
            return false;
        break;
    default:
        return false;
    }

    /* Built by appending, as seclevel_call's evidence: the format
     * machinery was most of the cost of every refused INVITE. */
    char media[DESCRIBE_MAX];
    describe_media(offer, media, sizeof media);
    const char *peer_clear_level = sip_over_tls ? "SIP Secured (TLS signaling, RTP in clear)"
                                                : "Unsecured (clear SIP and RTP)";
    struct text sum = { summary, summary_cap, 0 }, det = { detail, detail_cap, 0 };
    summary[0] = detail[0] = '\0';
    switch (pol) {
    case POLICY_REQUIRED:
        TEXT_LIT(&sum, "INVITE offering only encrypted media (SRTP) was refused with ");
        text_status(&sum, status, reason);
        TEXT_LIT(&sum, ": the security levels of the two ends do not match");
        text_offer(&det, offer, media, pol);
        TEXT_LIT(&det, ": the caller will not fall back to RTP. The other end answered ");
        text_status(&det, status, reason);
        TEXT_LIT(&det, ", so it accepts only clear RTP: it runs at ");
        text_str(&det, peer_clear_level);
        TEXT_LIT(&det, ".");
        text_said(&det, warning);
        TEXT_LIT(&det, " ");
        TEXT_LIT(&det, levels_text);
        TEXT_LIT(&det, " To align the ends, either raise the peer (e.g. the UM dial plan) to Secured");
        if (!sip_over_tls)
            TEXT_LIT(&det, " (which also needs SIP over mutual TLS on port 5061)");
        TEXT_LIT(&det, ", or set the client's encryption policy to \"support, don't require\" "
                       "(Office Communicator PC2PCAVEncryption=0) so it can fall back to RTP.");
        break;
    case POLICY_NOT_SUPPORTED:
        TEXT_LIT(&sum, "INVITE offering only clear RTP was refused with ");
        text_status(&sum, status, reason);
        TEXT_LIT(&sum, ": the other end requires encrypted media (SRTP)");
        text_offer(&det, offer, media, pol);
        TEXT_LIT(&det, ". The other end answered ");
        text_status(&det, status, reason);
        TEXT_LIT(&det, ", so it requires SRTP: it runs at Secured (SIP over mutual TLS and SRTP).");
        text_said(&det, warning);
        TEXT_LIT(&det, " ");
        TEXT_LIT(&det, levels_text);
        TEXT_LIT(&det, " To align the ends, either set the client's encryption policy to \"support, don't "
                       "require\" (Office Communicator PC2PCAVEncryption=0, not 2) so it offers SRTP");
        if (!sip_over_tls)
            TEXT_LIT(&det, ", and carry its SIP over mutual TLS on port 5061 so the SRTP keys are not sent in clear");
        TEXT_LIT(&det, ", or lower the peer (e.g. the UM dial plan) to ");
        if (sip_over_tls)
            TEXT_LIT(&det, "SIP Secured.");
        else
            TEXT_LIT(&det, "SIP Secured or Unsecured.");
        break;
    case POLICY_SUPPORTED:
        TEXT_LIT(&sum, "INVITE offering optional encryption (RTP/AVP with keys) was refused with ");
        text_status(&sum, status, reason);
        TEXT_LIT(&sum, ": the other end's media security does not match");
        text_offer(&det, offer, media, pol);
        TEXT_LIT(&det, " (it does not require encryption). The other end answered ");
        text_status(&det, status, reason);
        if (err_wants_srtp)
            TEXT_LIT(&det, ": its SDP shows it requires SRTP with a SAVP profile (Secured).");
        else
            TEXT_LIT(&det, ": it rejects the keys in the offer, so it accepts only clear RTP.");
        text_said(&det, warning);
        TEXT_LIT(&det, " ");
        TEXT_LIT(&det, levels_text);
        if (err_wants_srtp)
            TEXT_LIT(&det, " To align the ends, set the client's encryption policy to \"require encryption\" "
                           "(PC2PCAVEncryption=1) so it offers RTP/SAVP, or lower the peer to SIP Secured.");
        else
            TEXT_LIT(&det, " To align the ends, raise the peer (e.g. the UM dial plan) to Secured, or set the "
                           "client to not offer encryption to this peer.");
        break;
    default:
        break;
    }
    return true;
}
