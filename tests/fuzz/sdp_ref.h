/* sdp_ref.h: the reference SDP parser for fuzz_sdp, the straightforward cursor
 * version dissect/sdp.c had before it was made one-pass (a cursor call per
 * line, a token scan then a span_to_u64 per number, a ':' search per
 * attribute). Slow and plain on purpose: dissect/sdp.c must agree with it
 * on every input. A change of what SDP means goes into both. */
#ifndef SIPSEC_FUZZ_SDP_REF_H
#define SIPSEC_FUZZ_SDP_REF_H

#include <string.h>

#include "cursor.h"
#include "sdp.h"

enum { ref_SDP_LINE_MAX = 4096, ref_ADDR_TOKEN_MAX = 64 };

/*
 * The helpers below read spans only inside [p, p + n), with plain index
 * checks rather than a cursor call per byte: SDP is parsed for every
 * offer and answer of a SIP-heavy capture.
 */

/* Copy a span into a NUL-terminated buffer, cut to fit. */
static void ref_span_copy_str(struct span s, char *dst, size_t cap)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static bool ref_is_blank(uint8_t b)
{
    return b == ' ' || b == '\t';
}

/* The next run of non-blank bytes; false when only blanks remain. */
static bool ref_next_token(struct cur *c, struct span *tok)
{
    size_t left = cur_left(c), i = 0;
    if (c->short_read)
        return false;
    while (i < left && ref_is_blank(c->p[i]))
        i++;
    size_t start = i;
    while (i < left && !ref_is_blank(c->p[i]))
        i++;
    if (i == start) {
        c->p += i;
        return false;
    }
    tok->p = c->p + start;
    tok->n = i - start;
    c->p += i;
    return true;
}

/* Index of the first ch in s, or s.n. */
static size_t ref_span_find(struct span s, uint8_t ch)
{
    const uint8_t *f = s.n ? memchr(s.p, ch, s.n) : NULL;
    return f ? (size_t)(f - s.p) : s.n;
}

/* Split "a/b" at the first '/': *head gets a, the return b (maybe empty). */
static struct span ref_split_slash(struct span s, struct span *head)
{
    size_t i = ref_span_find(s, '/');
    head->p = s.p;
    head->n = i;
    struct span rest = { s.p + i, 0 };
    if (i < s.n) {
        rest.p = s.p + i + 1;
        rest.n = s.n - i - 1;
    }
    return rest;
}

/* Split "name:value" at the first ':'. False when there is no ':'. */
static bool ref_split_colon(struct span s, struct span *name, struct span *value)
{
    size_t i = ref_span_find(s, ':');
    name->p = s.p;
    name->n = i;
    if (i == s.n) {
        value->p = s.p;
        value->n = 0;
        return false;
    }
    value->p = s.p + i + 1;
    value->n = s.n - i - 1;
    return true;
}

/* s == lit, lit a literal (its length known at compile time once inlined). */
static inline bool ref_name_is(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* c=IN IP4 192.0.2.1[/ttl[/n]] */
static bool ref_parse_connection(struct span v, struct ip_addr *out)
{
    struct cur c = cur_make(v.p, v.n);
    struct span nettype, addrtype, addr, host;
    if (!ref_next_token(&c, &nettype) || !ref_next_token(&c, &addrtype) || !ref_next_token(&c, &addr))
        return false;
    if (!span_case_eq(nettype, "IN"))
        return false;
    ref_split_slash(addr, &host);
    char buf[ref_ADDR_TOKEN_MAX];
    if (host.n == 0 || host.n >= sizeof buf)
        return false;
    ref_span_copy_str(host, buf, sizeof buf);
    return ip_addr_parse(buf, out);
}

static struct sdp_rtpmap *ref_find_pt(struct sdp_media *m, uint64_t pt)
{
    for (size_t i = 0; i < m->n_pt; i++)
        if (m->pt[i].pt == pt)
            return &m->pt[i];
    return NULL;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
static bool ref_parse_media(struct span v, struct sdp_media *m, struct sdp_info *out)
{
    struct cur c = cur_make(v.p, v.n);
    struct span type, port, proto, fmt, port_num;
    uint64_t port_v;
    if (!ref_next_token(&c, &type) || !ref_next_token(&c, &port) || !ref_next_token(&c, &proto))
        return false;
    ref_split_slash(port, &port_num);
    if (!span_to_u64(port_num, 65535, &port_v))
        return false;
    ref_span_copy_str(type, m->type, sizeof m->type);
    ref_span_copy_str(proto, m->profile, sizeof m->profile);
    m->port = (uint16_t)port_v;
    while (ref_next_token(&c, &fmt)) {
        uint64_t pt;
        /* Non-RTP profiles (image udptl t38, m=application ...) have
         * formats that are not payload types: skip them. */
        if (!span_to_u64(fmt, 127, &pt))
            continue;
        if (m->n_pt == SDP_PT_MAX) {
            out->n_pt_dropped++;
            continue;
        }
        m->pt[m->n_pt].pt = (uint8_t)pt;
        m->n_pt++;
    }
    return true;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>] */
static void ref_parse_rtpmap(struct span v, struct sdp_media *m)
{
    struct cur c = cur_make(v.p, v.n);
    struct span pt_s, enc, name, rest, rate;
    uint64_t pt, clock;
    if (!ref_next_token(&c, &pt_s) || !ref_next_token(&c, &enc) || !span_to_u64(pt_s, 127, &pt))
        return;
    struct sdp_rtpmap *r = ref_find_pt(m, pt);
    if (r == NULL)
        return;
    rest = ref_split_slash(enc, &name);
    ref_split_slash(rest, &rate);
    ref_span_copy_str(name, r->encoding, sizeof r->encoding);
    if (span_to_u64(rate, UINT32_MAX, &clock))
        r->clock_rate = (uint32_t)clock;
}

/* a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]. The key
 * params are looked at only to learn whether they are inline keys. */
static void ref_parse_crypto(struct span v, struct sdp_media *m, struct sdp_info *out)
{
    struct cur c = cur_make(v.p, v.n);
    struct span tag_s, suite, keyp;
    uint64_t tag;
    if (!ref_next_token(&c, &tag_s) || !ref_next_token(&c, &suite) || !span_to_u64(tag_s, 999999999, &tag))
        return;
    if (m->n_crypto == SDP_CRYPTO_MAX) {
        out->n_crypto_dropped++;
        return;
    }
    struct sdp_crypto *cr = &m->crypto[m->n_crypto++];
    cr->tag = (uint32_t)tag;
    ref_span_copy_str(suite, cr->suite, sizeof cr->suite);
    cr->has_inline_key = ref_next_token(&c, &keyp) && span_starts_with(keyp, "inline:");
}

/* a=fingerprint:<hash-func> <fingerprint>, kept as "hash-func value". */
static void ref_parse_fingerprint(struct span v, char *dst, size_t cap)
{
    struct cur c = cur_make(v.p, v.n);
    struct span alg, val;
    if (!ref_next_token(&c, &alg) || !ref_next_token(&c, &val))
        return;
    char a[SDP_TOKEN_MAX];
    ref_span_copy_str(alg, a, sizeof a);
    size_t n = strlen(a);
    if (n + 2 >= cap)
        return;
    memcpy(dst, a, n);
    dst[n] = ' ';
    ref_span_copy_str(val, dst + n + 1, cap - n - 1);
}

static void ref_parse_token_value(struct span v, char *dst, size_t cap)
{
    struct cur c = cur_make(v.p, v.n);
    struct span tok;
    if (ref_next_token(&c, &tok))
        ref_span_copy_str(tok, dst, cap);
}

/* Session-level attributes that apply to every media line lacking its own. */
struct ref_sdp_session_attrs {
    char fingerprint[SDP_FPR_MAX];
    char setup[SDP_TOKEN_MAX];
    char encryption[SDP_TOKEN_MAX];
};

static void ref_parse_attribute(struct span line, struct sdp_media *m, struct ref_sdp_session_attrs *sess,
                            struct sdp_info *out)
{
    struct span name, value;
    bool has_value = ref_split_colon(line, &name, &value);
    if (!has_value) {
        if (m && ref_name_is(name, "inactive"))
            m->is_inactive = true;
        return;
    }
    if (ref_name_is(name, "rtpmap")) {
        if (m)
            ref_parse_rtpmap(value, m);
    } else if (ref_name_is(name, "crypto")) {
        if (m)
            ref_parse_crypto(value, m, out);
    } else if (ref_name_is(name, "fingerprint")) {
        if (m)
            ref_parse_fingerprint(value, m->fingerprint, sizeof m->fingerprint);
        else
            ref_parse_fingerprint(value, sess->fingerprint, sizeof sess->fingerprint);
    } else if (ref_name_is(name, "setup")) {
        ref_parse_token_value(value, m ? m->setup : sess->setup, SDP_TOKEN_MAX);
    } else if (ref_name_is(name, "encryption")) {
        ref_parse_token_value(value, m ? m->encryption : sess->encryption, SDP_TOKEN_MAX);
    }
}

static bool ref_sdp_parse(const uint8_t *p, size_t n, struct sdp_info *out)
{
    /* Only what is used is cleared: media[] past n_media is never read
     * (sdp.h), and each media line is cleared when it starts. */
    out->has_addr = false;
    memset(&out->addr, 0, sizeof out->addr);
    out->n_media = 0;
    out->n_media_dropped = out->n_pt_dropped = out->n_crypto_dropped = 0;
    struct ref_sdp_session_attrs sess = { { 0 }, { 0 }, { 0 } };
    struct cur c = cur_make(p, n);
    struct sdp_media *m = NULL;
    bool in_dropped_media = false; /* a= lines of a media line over the cap */
    bool seen_version = false;
    bool ok = true;
    struct span line;

    while (cur_left(&c) > 0) {
        if (!cur_line(&c, &line, ref_SDP_LINE_MAX)) {
            /* Last line without CRLF, or a line over the cap. */
            if (cur_left(&c) > ref_SDP_LINE_MAX)
                return false;
            line = cur_rest(&c);
        }
        if (line.n == 0)
            continue;
        uint8_t type = 0, eq = 0;
        struct cur lc = cur_make(line.p, line.n);
        type = cur_u8(&lc);
        eq = cur_u8(&lc);
        if (eq != '=') {
            if (!seen_version)
                return false;
            ok = false; /* RFC 8866 section 5: every line is <type>=<value> */
            continue;
        }
        struct span value = cur_rest(&lc);
        if (!seen_version) {
            if (type != 'v')
                return false;
            seen_version = true;
            continue;
        }
        switch (type) {
        case 'c': {
            struct ip_addr a;
            if (!ref_parse_connection(value, &a))
                break;
            if (m) {
                m->addr = a;
                m->has_addr = true;
            } else if (!in_dropped_media) {
                out->addr = a;
                out->has_addr = true;
            }
            break;
        }
        case 'm':
            if (out->n_media == SDP_MEDIA_MAX) {
                out->n_media_dropped++;
                m = NULL;
                in_dropped_media = true;
                break;
            }
            m = &out->media[out->n_media];
            memset(m, 0, sizeof *m);
            if (!ref_parse_media(value, m, out)) {
                memset(m, 0, sizeof *m);
                m = NULL;
                in_dropped_media = true;
                ok = false;
                break;
            }
            out->n_media++;
            in_dropped_media = false;
            break;
        case 'a':
            if (!in_dropped_media)
                ref_parse_attribute(value, m, &sess, out);
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < out->n_media; i++) {
        struct sdp_media *md = &out->media[i];
        if (!md->has_addr && out->has_addr) {
            md->addr = out->addr;
            md->has_addr = true;
        }
        if (md->fingerprint[0] == '\0')
            memcpy(md->fingerprint, sess.fingerprint, sizeof md->fingerprint);
        if (md->setup[0] == '\0')
            memcpy(md->setup, sess.setup, sizeof md->setup);
        if (md->encryption[0] == '\0')
            memcpy(md->encryption, sess.encryption, sizeof md->encryption);
    }
    return seen_version && ok;
}

#endif
