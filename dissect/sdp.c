/* sdp.c: SDP per media line (RFC 8866 section 5), a=crypto (RFC 4568 section 9.1),
 * a=fingerprint/a=setup (RFC 8122, RFC 5763), a=encryption (Microsoft [MS-SDPEXT]). */
#include "sdp.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cursor.h"

/*
 * Our own cursor parser rather than libosip2's sdp_message_parse: that one
 * strdup()s every field, a=crypto keys included, so keys would sit in heap
 * memory we would have to scrub, and it costs dozens of allocations per
 * body. SDP is one "x=value" per line; what we need fits in one pass with
 * no allocation, and the key bytes are never copied.
 *
 *   v=0
 *   o=- 1 1 IN IP4 10.0.0.1
 *   c=IN IP4 10.0.0.1                        session-level address
 *   m=audio 49170 RTP/SAVP 0 8 101           type port[/n] profile fmt...
 *   c=IN IP4 10.0.0.2                        media-level address wins
 *   a=rtpmap:101 telephone-event/8000
 *   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20|1:32
 *   a=fingerprint:sha-256 AB:CD:...          DTLS-SRTP, session or media level
 *   a=setup:actpass
 *   a=encryption:required                    Microsoft: required|optional|rejected
 */

enum { SDP_LINE_MAX = 4096, ADDR_TOKEN_MAX = 64 };

/*
 * SDP is parsed for every offer and answer of a SIP-heavy capture, so the
 * body is read by index inside [p, p + n) rather than by a cursor call per
 * byte or per line: one pass finds the line ends sixteen bytes a step, and
 * each value is read in the pass that finds its tokens (a number is
 * converted while it is scanned). Every index is checked against its
 * line's length; no key byte is read past "inline:" nor copied.
 */

/* Copy a span into a NUL-terminated buffer, cut to fit. */
static void span_copy_str(struct span s, char *dst, size_t cap)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/*
 * span_copy_str for the short tokens of every body (media type, profile,
 * encoding name), into an array of cap >= 16 bytes: while sixteen bytes
 * lie in the body before `end`, one sixteen-byte copy and the NUL (the
 * bytes after the NUL are never read), not a copy of variable size.
 */
static inline void token_copy_str(struct span s, const uint8_t *end, char *dst, size_t cap)
{
#if defined(__SSE2__)
    if (s.n < 16 && end - s.p >= 16 && cap >= 16) {
        _mm_storeu_si128((__m128i *)(void *)dst, _mm_loadu_si128((const __m128i *)(const void *)s.p));
        dst[s.n] = '\0';
        return;
    }
#else
    (void)end;
#endif
    span_copy_str(s, dst, cap);
}

static inline unsigned lowest_bit(uint32_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* Byte classes: tokens are runs of non-blank bytes (RFC 8866 fields are
 * one space apart; tabs are taken too), and some values end at a '/'. */
enum { C_BLANK = 1, C_SLASH = 2 };
static const uint8_t cls[256] = { [' '] = C_BLANK, ['\t'] = C_BLANK, ['/'] = C_SLASH };

/* Both return the index where they stop. */
static inline size_t skip_blanks(struct span l, size_t i)
{
    while (i < l.n && (cls[l.p[i]] & C_BLANK))
        i++;
    return i;
}

static inline size_t token_end(struct span l, size_t i)
{
    while (i < l.n && !(cls[l.p[i]] & C_BLANK))
        i++;
    return i;
}

/*
 * The index of the first blank or '/' in l[i..], or l.n: a token's part
 * before a '/' (an encoding name, a host before its TTL). These are most
 * of the bytes a value has (telephone-event), so sixteen bytes a step
 * while sixteen lie in the body before `end`, then a byte at a time.
 */
static inline size_t slash_or_blank(struct span l, size_t i, const uint8_t *end)
{
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), sl = _mm_set1_epi8('/');
    while (i < l.n && end - (l.p + i) >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(l.p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, tab)),
                                   _mm_cmpeq_epi8(x, sl));
        uint32_t m = (uint32_t)_mm_movemask_epi8(hit);
        if (l.n - i < 16)
            m |= 1u << (l.n - i); /* the value ends inside these sixteen */
        if (m)
            return i + lowest_bit(m);
        i += 16;
    }
#else
    (void)end;
#endif
    while (i < l.n && !(cls[l.p[i]] & (C_BLANK | C_SLASH)))
        i++;
    return i;
}

static inline struct span span_of(struct span l, size_t from, size_t to)
{
    struct span s = { l.p + from, to - from };
    return s;
}

/*
 * The digits at l[*i..], with span_to_u64's rules (1 to 20 digits, at
 * most max), ending at the line's end or a byte of class `ends`. *i is
 * left after the digits, so the caller goes on from there.
 */
static inline bool number_at(struct span l, size_t *i, uint64_t max, uint8_t ends, uint64_t *out)
{
    size_t at = *i, start = at;
    uint64_t v = 0;
    unsigned d;
    while (at < l.n && (d = (unsigned)l.p[at] - '0') <= 9) {
        v = v * 10 + d;
        at++;
    }
    *i = at;
    if (at == start || (at < l.n && !(cls[l.p[at]] & ends)))
        return false;
    if (at - start > 19) /* 20 digits may wrap: the careful parse */
        return span_to_u64(span_of(l, start, at), max, out);
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* s starts with the literal lit of n bytes (a constant once inlined):
 * two overlapping loads rather than a memcmp call. */
static inline bool starts_with(struct span s, const char *lit, size_t n)
{
    if (s.n < n)
        return false;
    if (n >= 4 && n <= 8) {
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, s.p, 4);
        memcpy(&a1, s.p + n - 4, 4);
        memcpy(&b0, lit, 4);
        memcpy(&b1, lit + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 8 && n <= 16) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, s.p, 8);
        memcpy(&a1, s.p + n - 8, 8);
        memcpy(&b0, lit, 8);
        memcpy(&b1, lit + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return memcmp(s.p, lit, n) == 0;
}

/* The token at v[*i..] as a number of at most max (its digits may stop at
 * a byte of class stop); *i moves past the token and the blanks after it.
 * False when the token is empty or is not such a number. */
static inline bool number_token(struct span v, size_t *i, uint64_t max, uint8_t stop, uint64_t *val)
{
    size_t at = *i;
    bool ok = number_at(v, i, max, stop, val);
    *i = token_end(v, *i);
    bool empty = *i == at;
    *i = skip_blanks(v, *i);
    return ok && !empty;
}

/* c=IN IP4 192.0.2.1[/ttl[/n]] */
static bool parse_connection(struct span v, const uint8_t *end, struct ip_addr *out)
{
    size_t i = skip_blanks(v, 0), net = i;
    i = token_end(v, i);
    size_t net_end = i;
    i = skip_blanks(v, i);
    size_t type = i;
    i = token_end(v, i);
    if (net_end == net || i == type)
        return false;
    i = skip_blanks(v, i);
    size_t host = i;
    i = slash_or_blank(v, i, end);
    /* case-insensitive "IN"; no host (or "/..." alone) is no address */
    if (net_end - net != 2 || (v.p[net] | 0x20) != 'i' || (v.p[net + 1] | 0x20) != 'n')
        return false;
    if (i == host || i - host >= ADDR_TOKEN_MAX)
        return false;
    return ip_addr_parse_n((const char *)v.p + host, i - host, out);
}

static struct sdp_rtpmap *find_pt(struct sdp_media *m, uint64_t pt)
{
    for (size_t i = 0; i < m->n_pt; i++)
        if (m->pt[i].pt == pt)
            return &m->pt[i];
    return NULL;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
static bool parse_media(struct span v, const uint8_t *end, struct sdp_media *m, struct sdp_info *out)
{
    size_t i = skip_blanks(v, 0), type = i;
    i = token_end(v, i);
    size_t type_end = i;
    i = skip_blanks(v, i);
    uint64_t port_v = 0;
    bool port_ok = number_token(v, &i, 65535, C_BLANK | C_SLASH, &port_v);
    size_t proto = i;
    i = token_end(v, i);
    if (type_end == type || !port_ok || i == proto)
        return false;
    token_copy_str(span_of(v, type, type_end), end, m->type, sizeof m->type);
    token_copy_str(span_of(v, proto, i), end, m->profile, sizeof m->profile);
    m->profile_flags = (uint8_t)sdp_profile_flags(m->profile);
    m->port = (uint16_t)port_v;
    for (;;) {
        i = skip_blanks(v, i);
        if (i == v.n)
            break;
        uint64_t pt;
        /* Non-RTP profiles (image udptl t38, m=application ...) have
         * formats that are not payload types: skip them. */
        if (!number_at(v, &i, 127, C_BLANK, &pt)) {
            i = token_end(v, i);
            continue;
        }
        if (m->n_pt == SDP_PT_MAX) {
            out->n_pt_dropped++;
            continue;
        }
        struct sdp_rtpmap *r = &m->pt[m->n_pt++];
        r->pt = (uint8_t)pt;
        r->encoding[0] = '\0';
        r->clock_rate = 0;
    }
    return true;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>] */
static void parse_rtpmap(struct span v, const uint8_t *end, struct sdp_media *m)
{
    size_t i = skip_blanks(v, 0);
    uint64_t pt = 0;
    if (!number_token(v, &i, 127, C_BLANK, &pt) || i == v.n)
        return; /* not a payload type, or no encoding token */
    struct sdp_rtpmap *r = find_pt(m, pt);
    if (r == NULL)
        return;
    size_t name = i;
    i = slash_or_blank(v, i, end);
    token_copy_str(span_of(v, name, i), end, r->encoding, sizeof r->encoding);
    uint64_t clock;
    if (i < v.n && v.p[i] == '/') {
        i++;
        if (number_at(v, &i, UINT32_MAX, C_BLANK | C_SLASH, &clock))
            r->clock_rate = (uint32_t)clock;
    }
}

/* a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]. Of the
 * key params only "inline:" is looked at: the key itself is not read. */
static void parse_crypto(struct span v, struct sdp_media *m, struct sdp_info *out)
{
    size_t i = skip_blanks(v, 0);
    uint64_t tag = 0;
    if (!number_token(v, &i, 999999999, C_BLANK, &tag))
        return;
    size_t suite = i;
    i = token_end(v, i);
    if (i == suite)
        return;
    if (m->n_crypto == SDP_CRYPTO_MAX) {
        out->n_crypto_dropped++;
        return;
    }
    struct sdp_crypto *cr = &m->crypto[m->n_crypto++];
    cr->tag = (uint32_t)tag;
    span_copy_str(span_of(v, suite, i), cr->suite, sizeof cr->suite);
    i = skip_blanks(v, i);
    cr->has_inline_key = starts_with(span_of(v, i, v.n), "inline:", 7);
}

/* a=fingerprint:<hash-func> <fingerprint>, kept as "hash-func value". */
static void parse_fingerprint(struct span v, char *dst, size_t cap)
{
    size_t i = skip_blanks(v, 0), alg = i;
    i = token_end(v, i);
    size_t alg_end = i;
    i = skip_blanks(v, i);
    size_t val = i;
    i = token_end(v, i);
    if (alg_end == alg || i == val)
        return;
    /* the hash name as a string: cut to a token, and to a NUL in it */
    size_t n = alg_end - alg < SDP_TOKEN_MAX - 1 ? alg_end - alg : SDP_TOKEN_MAX - 1;
    const uint8_t *nul = memchr(v.p + alg, '\0', n);
    if (nul)
        n = (size_t)(nul - (v.p + alg));
    if (n + 2 >= cap)
        return;
    memcpy(dst, v.p + alg, n);
    dst[n] = ' ';
    span_copy_str(span_of(v, val, i), dst + n + 1, cap - n - 1);
}

static void parse_token_value(struct span v, char *dst, size_t cap)
{
    size_t i = skip_blanks(v, 0), tok = i;
    i = token_end(v, i);
    if (i > tok)
        span_copy_str(span_of(v, tok, i), dst, cap);
}

/* A media line starts empty. Only what is read is cleared (an 800-byte
 * memset per line was a tenth of the parse): pt[] and crypto[] past their
 * counts are never read (sdp.h), nor strings past their NUL. */
static struct sdp_media *media_start(struct sdp_media *m)
{
    m->type[0] = m->profile[0] = '\0';
    m->profile_flags = 0;
    m->port = 0;
    m->has_addr = false;
    memset(&m->addr, 0, sizeof m->addr);
    m->n_pt = m->n_crypto = 0;
    m->fingerprint[0] = m->setup[0] = m->encryption[0] = '\0';
    m->is_inactive = false;
    return m;
}

/* Session-level attributes that apply to every media line lacking its own. */
struct sdp_session_attrs {
    char fingerprint[SDP_FPR_MAX];
    char setup[SDP_TOKEN_MAX];
    char encryption[SDP_TOKEN_MAX];
};

/* a=<name>[:<value>]: only the names below are used, so the name is
 * matched with its colon, on its first byte, with no search for the ':'. */
static void parse_attribute(struct span a, const uint8_t *end, struct sdp_media *m,
                            struct sdp_session_attrs *sess, struct sdp_info *out)
{
    if (a.n == 0)
        return;
#define AFTER(lit) span_of(a, sizeof lit - 1, a.n)
    switch (a.p[0]) {
    case 'r':
        if (m && starts_with(a, "rtpmap:", 7))
            parse_rtpmap(AFTER("rtpmap:"), end, m);
        break;
    case 'c':
        if (m && starts_with(a, "crypto:", 7))
            parse_crypto(AFTER("crypto:"), m, out);
        break;
    case 'f':
        if (starts_with(a, "fingerprint:", 12)) {
            if (m)
                parse_fingerprint(AFTER("fingerprint:"), m->fingerprint, sizeof m->fingerprint);
            else
                parse_fingerprint(AFTER("fingerprint:"), sess->fingerprint, sizeof sess->fingerprint);
        }
        break;
    case 's':
        if (starts_with(a, "setup:", 6))
            parse_token_value(AFTER("setup:"), m ? m->setup : sess->setup, SDP_TOKEN_MAX);
        break;
    case 'e':
        if (starts_with(a, "encryption:", 11))
            parse_token_value(AFTER("encryption:"), m ? m->encryption : sess->encryption, SDP_TOKEN_MAX);
        break;
    case 'i':
        if (m && a.n == 8 && starts_with(a, "inactive", 8))
            m->is_inactive = true;
        break;
    default:
        break;
    }
#undef AFTER
}

/* The LFs among the sixteen bytes at p[at..] (fewer at the end), bit i
 * for p[at + i]. Loads stay inside [p, p + n): the last partial block is
 * read as the body's last sixteen bytes, shifted down. */
static inline uint32_t lf_mask(const uint8_t *p, size_t n, size_t at)
{
    size_t left = n - at;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n');
    if (left >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
        return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
    }
    if (n >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) >> (16 - left);
    }
#endif
    uint32_t m = 0;
    size_t k = left < 16 ? left : 16;
    for (size_t j = 0; j < k; j++)
        m |= (uint32_t)(p[at + j] == '\n') << j;
    return m;
}

/* What sdp_parse carries from line to line. */
struct sdp_state {
    struct sdp_info *out;
    const uint8_t *end;            /* the body's end: loads stay before it */
    struct sdp_media *m;           /* the media line being read, NULL at session level */
    struct sdp_session_attrs sess;
    bool in_dropped_media;         /* a= lines of a media line over the cap */
    bool seen_version;
    bool ok;
};

/* One line, without its CRLF or LF. False: not SDP after all (no v=
 * first), which ends the parse. */
static inline bool sdp_line(struct sdp_state *st, struct span line)
{
    if (line.n < 2 || line.p[1] != '=' || !st->seen_version) {
        if (line.n == 0)
            return true;
        if (line.n < 2 || line.p[1] != '=') {
            if (!st->seen_version)
                return false;
            st->ok = false; /* RFC 8866 section 5: every line is <type>=<value> */
            return true;
        }
        if (line.p[0] != 'v')
            return false;
        st->seen_version = true;
        return true;
    }
    struct sdp_info *out = st->out;
    struct span value = span_of(line, 2, line.n);
    switch (line.p[0]) {
    case 'c': {
        struct ip_addr a;
        if (!parse_connection(value, st->end, &a))
            break;
        if (st->m) {
            st->m->addr = a;
            st->m->has_addr = true;
        } else if (!st->in_dropped_media) {
            out->addr = a;
            out->has_addr = true;
        }
        break;
    }
    case 'm':
        if (out->n_media == SDP_MEDIA_MAX) {
            out->n_media_dropped++;
            st->m = NULL;
            st->in_dropped_media = true;
            break;
        }
        st->m = media_start(&out->media[out->n_media]);
        if (!parse_media(value, st->end, st->m, out)) {
            st->m = NULL;
            st->in_dropped_media = true;
            st->ok = false;
            break;
        }
        out->n_media++;
        st->in_dropped_media = false;
        break;
    case 'a':
        if (!st->in_dropped_media)
            parse_attribute(value, st->end, st->m, &st->sess, out);
        break;
    default:
        break;
    }
    return true;
}

bool sdp_parse(const uint8_t *p, size_t n, struct sdp_info *out)
{
    /* Only what is used is cleared: media[] past n_media is never read
     * (sdp.h), and each media line is cleared when it starts (media_start). */
    out->has_addr = false;
    memset(&out->addr, 0, sizeof out->addr);
    out->n_media = 0;
    out->n_media_dropped = out->n_pt_dropped = out->n_crypto_dropped = 0;
    if (p == NULL)
        n = 0;
    /* Field by field: the session strings need only their first byte
     * cleared (zeroing all of them was a fifth of the set-up). */
    struct sdp_state st;
    st.out = out;
    st.end = p ? p + n : NULL;
    st.m = NULL;
    st.sess.fingerprint[0] = st.sess.setup[0] = st.sess.encryption[0] = '\0';
    st.in_dropped_media = st.seen_version = false;
    st.ok = true;

    /* Lines end at LF (a CR before it is dropped); the line ends are found
     * sixteen bytes at a time. A line over the cap ends the parse; the
     * last line may lack its LF. */
    size_t start = 0;
    for (size_t blk = 0; blk < n; blk += 16) {
        for (uint32_t lfs = lf_mask(p, n, blk); lfs; lfs &= lfs - 1) {
            size_t lf = blk + lowest_bit(lfs);
            if (lf - start >= SDP_LINE_MAX)
                return false;
            struct span line = { p + start, lf - start };
            if (line.n > 0 && p[lf - 1] == '\r')
                line.n--;
            start = lf + 1;
            if (!sdp_line(&st, line))
                return false;
        }
    }
    if (start < n) {
        if (n - start > SDP_LINE_MAX)
            return false;
        struct span line = { p + start, n - start };
        if (!sdp_line(&st, line))
            return false;
    }
    for (size_t i = 0; i < out->n_media; i++) {
        struct sdp_media *md = &out->media[i];
        if (!md->has_addr && out->has_addr) {
            md->addr = out->addr;
            md->has_addr = true;
        }
        /* inherited only when the session has one: "" stays "" */
        if (md->fingerprint[0] == '\0' && st.sess.fingerprint[0])
            memcpy(md->fingerprint, st.sess.fingerprint, sizeof md->fingerprint);
        if (md->setup[0] == '\0' && st.sess.setup[0])
            memcpy(md->setup, st.sess.setup, sizeof md->setup);
        if (md->encryption[0] == '\0' && st.sess.encryption[0])
            memcpy(md->encryption, st.sess.encryption, sizeof md->encryption);
    }
    return st.seen_version && st.ok;
}

void sdp_media_copy(struct sdp_media *dst, const struct sdp_media *src)
{
    memcpy(dst, src, offsetof(struct sdp_media, pt));
    memcpy(dst->pt, src->pt, src->n_pt * sizeof src->pt[0]);
    memcpy(dst->crypto, src->crypto, src->n_crypto * sizeof src->crypto[0]);
}

unsigned sdp_profile_flags(const char *profile)
{
    /* RFC 3711 SAVP, RFC 5124 SAVPF, RFC 5764 UDP/TLS/RTP/SAVP(F); one
     * strlen for both questions (asked per media line, several times a call). */
    size_t n = strlen(profile);
    unsigned f = 0;
    if ((n >= 4 && memcmp(profile + n - 4, "SAVP", 4) == 0) || (n >= 5 && memcmp(profile + n - 5, "SAVPF", 5) == 0))
        f |= SDP_PROFILE_SAVP;
    if ((n >= 8 && (memcmp(profile, "UDP/TLS/", 8) == 0 || memcmp(profile, "TCP/TLS/", 8) == 0)) ||
        (n >= 9 && memcmp(profile, "TCP/DTLS/", 9) == 0))
        f |= SDP_PROFILE_DTLS;
    return f;
}

bool sdp_profile_is_savp(const char *profile)
{
    return (sdp_profile_flags(profile) & SDP_PROFILE_SAVP) != 0;
}

bool sdp_profile_is_dtls(const char *profile)
{
    return (sdp_profile_flags(profile) & SDP_PROFILE_DTLS) != 0;
}
