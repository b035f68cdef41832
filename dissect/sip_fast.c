/* sip_fast.c: SIP header framing and the fields the analysis reads in one pass, no allocation
 * (RFC 3261 sections 7.1, 7.3.1, 7.3.3, 8.1.1, 18.3, 19.1.1, 20.10, 20.14, 20.16, 20.20, 20.42, 25.1). */
#include "sip_fast.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * libosip2 builds a full object tree per message (a malloc per header,
 * parameter and URI part), which made it most of sipsec's time on a
 * SIP-heavy capture. The analysis reads a dozen fields, so the common
 * message is read here instead, in two steps over the same bytes:
 *
 *   sip_scan_head   one pass over the lines: finds the empty line and
 *                   Content-Length (the framing) and remembers where the
 *                   interesting headers' values are; resumable, so a stream
 *                   message over many segments is not scanned again each time;
 *   sip_fast_fields those values only, in their plain forms:
 *
 *   INVITE sip:bob@example.com SIP/2.0
 *   Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776, SIP/2.0/TCP p1
 *   From: "Alice" <sip:alice@example.com:5060;transport=tcp>;tag=1928
 *   To: sip:bob@example.com                    (addr-spec: params are header params)
 *   Call-ID: a84b4c76e66710@pc33.example.com
 *   CSeq: 314159 INVITE
 *   Contact: <sip:alice@pc33.example.com>;+sip.instance="<urn:uuid:1>"
 *   Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
 *   Content-Type: multipart/mixed;boundary="b1"
 *
 * The fields are libosip2's, as libosip2 5.3 reads these forms (its
 * header split on commas, its trimming, its URI and parameter rules), and
 * anything outside them is declined: folded or NUL-holding lines, a lone
 * CR, escapes, IPv6 references, tel: and other schemes, passwords, URI
 * headers, backslashes, a repeated From/To/Call-ID/CSeq/Content-Type/
 * Content-Length, a missing one, a value too long for its buffer. The
 * caller then parses the message with libosip2, so odd messages get the
 * full grammar and its verdict. tests/fuzz/fuzz_sip_fast.c holds the two
 * to the same answers. One leniency is on purpose (docs/SIP.md): headers
 * this parser does not read (Allow, Authorization, the second Via...) are
 * not validated, where libosip2 would refuse the whole message for one
 * bad Allow.
 *
 * Bounds: p[0..n) is the only memory read; every index is tested against
 * its span's length before the byte is read.
 */

enum { HEADER_LINE_MAX = 8192 }; /* one header line (as dissect/sip.c frames) */

/* ---- byte classes ---- */

enum {
    C_TOKEN = 1,  /* RFC 3261 25.1 token: alphanum -.!%*_+`'~ */
    C_HOST = 2,   /* hostname / IPv4: alphanum - . */
    C_USER = 4,   /* the user part we take: alphanum -_.!~*'+ */
    C_UPARAM = 8, /* URI parameters we take: alphanum -_.!~*'+:/= */
    C_DIGIT = 16,
    C_BLANK = 32, /* SP HT */
};

static uint8_t cls[256];
static bool cls_ready;
static void name_keys_init(void);

static void cls_mark(const char *chars, uint8_t c)
{
    for (const char *s = chars; *s; s++)
        cls[(uint8_t)*s] |= c;
}

static void cls_init(void)
{
    if (cls_ready)
        return;
    for (int b = '0'; b <= '9'; b++)
        cls[b] |= C_TOKEN | C_HOST | C_USER | C_UPARAM | C_DIGIT;
    for (int b = 'a'; b <= 'z'; b++) {
        cls[b] |= C_TOKEN | C_HOST | C_USER | C_UPARAM;
        cls[b - 32] |= C_TOKEN | C_HOST | C_USER | C_UPARAM;
    }
    cls_mark("-.!%*_+`'~", C_TOKEN);
    cls_mark("-.", C_HOST);
    cls_mark("-_.!~*'+", C_USER);
    cls_mark("-_.!~*'+:/=", C_UPARAM);
    cls_mark(" \t", C_BLANK);
    name_keys_init();
    cls_ready = true;
}

/* ---- span helpers ---- */

/* sp_run is the parser's inner loop: inlined where it is used, whatever
 * the size of its unrolled body. So are the helpers called with constant
 * arguments (header_params' wanted name, uri_scan's params flag), which
 * then fold away, and the per-line scan. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

static const struct span empty = { (const uint8_t *)"", 0 };

static struct span sp(const uint8_t *p, size_t n)
{
    return (struct span){ p, n };
}

/* s[off..], or empty when off is past the end. */
static struct span sp_from(struct span s, size_t off)
{
    return off <= s.n ? sp(s.p + off, s.n - off) : sp(s.p, 0);
}

/* Index of the first ch in s, or s.n. */
static size_t sp_find(struct span s, uint8_t ch)
{
    const uint8_t *f = s.n ? memchr(s.p, ch, s.n) : NULL;
    return f ? (size_t)(f - s.p) : s.n;
}

static bool sp_has(struct span s, uint8_t ch)
{
    return sp_find(s, ch) < s.n;
}

/* Length of the run of bytes of class c from off. */
static ALWAYS_INLINE size_t sp_run(struct span s, size_t off, uint8_t c)
{
    size_t i = off;
    /* four bytes per bounds check: users, hosts and tokens are runs of tens */
    for (; i + 4 <= s.n; i += 4) {
        if (!(cls[s.p[i]] & c))
            return i - off;
        if (!(cls[s.p[i + 1]] & c))
            return i + 1 - off;
        if (!(cls[s.p[i + 2]] & c))
            return i + 2 - off;
        if (!(cls[s.p[i + 3]] & c))
            return i + 3 - off;
    }
    while (i < s.n && (cls[s.p[i]] & c))
        i++;
    return i - off;
}

/* Does s hold a SP or HT? Eight bytes a step (a zero byte of x ^ SP...
 * is a SP), the rest byte by byte. */
static bool sp_has_blank(struct span s)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= s.n; i += 8) {
        uint64_t x;
        memcpy(&x, s.p + i, 8);
        uint64_t a = x ^ (ones * ' '), b = x ^ (ones * '\t');
        if ((((a - ones) & ~a) | ((b - ones) & ~b)) & high)
            return true;
    }
    for (; i < s.n; i++)
        if (cls[s.p[i]] & C_BLANK)
            return true;
    return false;
}

static struct span sp_trim_right(struct span s)
{
    while (s.n && (cls[s.p[s.n - 1]] & C_BLANK))
        s.n--;
    return s;
}

/* Case-insensitive s == lit (lit lower-case ASCII, n its length). */
static bool sp_ieq(struct span s, const char *lit, size_t n)
{
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s.p[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (a != (uint8_t)lit[i])
            return false;
    }
    return true;
}
#define SP_IEQ(s, lit) sp_ieq((s), (lit), sizeof(lit) - 1)

/* Does s start with lit, case-insensitively? */
static bool sp_iprefix(struct span s, const char *lit, size_t n)
{
    return s.n >= n && sp_ieq(sp(s.p, n), lit, n);
}
#define SP_IPREFIX(s, lit) sp_iprefix((s), (lit), sizeof(lit) - 1)

/*
 * The longest value each field takes, plus one; a longer one sends the
 * message to libosip2. (The sizes of the buffers the fields were once
 * copied into, kept so the two parsers share the messages as before.)
 */
enum {
    CAP_METHOD = 40, CAP_REASON = 128, CAP_CALL_ID = 256, CAP_FROM_URI = 256, CAP_TO_URI = 256,
    CAP_FROM_TAG = 128, CAP_TO_TAG = 128, CAP_CSEQ_METHOD = 40, CAP_VIA_TRANSPORT = 16,
    CAP_VIA_HOST = 128, CAP_REQUEST_URI_HOST = 128, CAP_CONTACT_HOST = 128,
    CAP_RECORD_ROUTE_HOST = 128, CAP_ROUTE_HOST = 128, CAP_WARNING = 512, CAP_MS_DIAGNOSTICS = 512,
    CAP_CT_TYPE = 32, CAP_CT_SUBTYPE = 64, CAP_CT_BOUNDARY = 80,
};

/* Point *field at s (in the message, no copy); false when s is cap bytes or more. */
static ALWAYS_INLINE bool put(struct span s, size_t cap, struct sip_str *field)
{
    if (s.n >= cap)
        return false;
    *field = (struct sip_str){ (const char *)s.p, s.n };
    return true;
}

/* ---- the scan: lines, framing, where the values are ---- */

/*
 * Header names by 8-byte words: the name (at most 14 bytes) loaded into
 * two words, letters folded to lower case by OR-ing 0x20 where the
 * literal has a letter (only A-Z and a-z fold onto a-z that way), then
 * compared whole. Made once from the literals, in host byte order. Most
 * lines are headers we do not read (Max-Forwards, User-Agent, Allow...):
 * the name's length and first letter rule nearly all of them out before
 * any compare.
 */
struct name_key {
    const char *lit;    /* lower case */
    uint8_t hdr;        /* enum sip_hdr */
    uint8_t len, slot;  /* slot: name_slot() of the first letter */
    bool more;          /* the next key has the same len and slot */
    uint64_t word[2];   /* the literal, zero-padded */
    uint64_t fold[2];   /* 0x20 in each letter's byte */
};

/* Full and compact forms (RFC 3261 section 7.3.3); sorted by length and first letter at init. */
#define KEY(name, kind) { .lit = (name), .hdr = (kind) }
static struct name_key name_keys[] = {
    KEY("call-id", SH_CALL_ID), KEY("i", SH_CALL_ID),   KEY("from", SH_FROM),
    KEY("f", SH_FROM),          KEY("to", SH_TO),       KEY("t", SH_TO),
    KEY("via", SH_VIA),         KEY("v", SH_VIA),       KEY("cseq", SH_CSEQ),
    KEY("contact", SH_CONTACT), KEY("m", SH_CONTACT),   KEY("content-type", SH_CTYPE),
    KEY("c", SH_CTYPE),         KEY("content-length", SH_CLEN), KEY("l", SH_CLEN),
    KEY("warning", SH_WARNING), KEY("ms-diagnostics", SH_MSDIAG),
    KEY("record-route", SH_RECORD_ROUTE), KEY("route", SH_ROUTE),
};
#undef KEY
enum { NAME_KEYS = sizeof name_keys / sizeof name_keys[0], NAME_MAX_LEN = 14 };

static uint64_t keep_mask[NAME_MAX_LEN + 1][2]; /* the first n bytes of two words */
/* 1 + the first name_keys[] index of length n whose first byte b has
 * (b | 0x20) & 31 == slot (0: none); the others follow it. A letter's
 * slot is its place in the alphabet, whatever its case. */
static uint8_t key_at[NAME_MAX_LEN + 1][32];

static unsigned name_slot(uint8_t b)
{
    return (unsigned)((b | 0x20) & 31);
}

static bool key_before(const struct name_key *a, const struct name_key *b)
{
    return a->len != b->len ? a->len < b->len : a->slot < b->slot;
}

static void name_keys_init(void)
{
    for (size_t k = 0; k < NAME_KEYS; k++) {
        struct name_key *key = &name_keys[k];
        uint8_t lit[16] = { 0 }, fold[16] = { 0 };
        key->len = (uint8_t)strlen(key->lit);
        key->slot = (uint8_t)name_slot((uint8_t)key->lit[0]);
        memcpy(lit, key->lit, key->len);
        for (size_t i = 0; i < key->len; i++)
            if (lit[i] >= 'a' && lit[i] <= 'z')
                fold[i] = 0x20;
        memcpy(key->word, lit, 16);
        memcpy(key->fold, fold, 16);
    }
    for (size_t k = 1; k < NAME_KEYS; k++) /* insertion sort by length, then first letter */
        for (size_t i = k; i > 0 && key_before(&name_keys[i], &name_keys[i - 1]); i--) {
            struct name_key t = name_keys[i];
            name_keys[i] = name_keys[i - 1];
            name_keys[i - 1] = t;
        }
    for (size_t n = 0; n <= NAME_MAX_LEN; n++) {
        uint8_t keep[16] = { 0 };
        memset(keep, 0xff, n);
        memcpy(keep_mask[n], keep, 16);
    }
    for (size_t k = NAME_KEYS; k-- > 0;) { /* backwards: the first of a run wins */
        key_at[name_keys[k].len][name_keys[k].slot] = (uint8_t)(k + 1);
        name_keys[k].more = k + 1 < NAME_KEYS && name_keys[k + 1].len == name_keys[k].len &&
                            name_keys[k + 1].slot == name_keys[k].slot;
    }
}

/* The name's words (n <= NAME_MAX_LEN bytes) against name_keys[k] and the
 * keys after it of the same length and first letter. */
static ALWAYS_INLINE enum sip_hdr key_match(uint64_t w0, uint64_t w1, size_t k)
{
    for (const struct name_key *key = &name_keys[k];; key++) {
        if ((w0 | key->fold[0]) == key->word[0] && (w1 | key->fold[1]) == key->word[1])
            return (enum sip_hdr)key->hdr;
        if (!key->more)
            return SH_COUNT;
    }
}

/* A short line near the end of the bytes: the name copied into zeroed words. */
static enum sip_hdr header_kind_short(const uint8_t *name, size_t n, size_t k)
{
    uint8_t b[16] = { 0 };
    for (size_t i = 0; i < n; i++)
        b[i] = name[i];
    uint64_t w[2];
    memcpy(w, b, 16);
    return key_match(w[0], w[1], k);
}

/* name: n bytes, with at least `readable` bytes readable from name (>= n). */
static ALWAYS_INLINE enum sip_hdr header_kind(const uint8_t *name, size_t n, size_t readable)
{
    if (n == 0 || n > NAME_MAX_LEN)
        return SH_COUNT;
    size_t k = key_at[n][name_slot(name[0])];
    if (k == 0)
        return SH_COUNT;
    if (readable < 16)
        return header_kind_short(name, n, k - 1);
    uint64_t w0, w1;
    memcpy(&w0, name, 8);
    memcpy(&w1, name + 8, 8);
    return key_match(w0 & keep_mask[n][0], w1 & keep_mask[n][1], k - 1);
}

/* Content-Length: 1*DIGIT (span_to_u64's rule: at most 20 digits, at most UINT32_MAX). */
static bool parse_content_length(struct span v, uint32_t *out)
{
    if (v.n == 0 || v.n > 20)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!(cls[v.p[i]] & C_DIGIT))
            return false;
        x = x * 10 + (uint64_t)(v.p[i] - '0');
        if (x > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)x;
    return true;
}

/*
 * One header line p[at..ce) (no line end), `readable` bytes there from at
 * (the line end and what follows included). Its name is what comes before
 * the first ':', blanks after it trimmed (as libosip2 and the framing
 * before this one read it); Content-Length (or l) sets the framing,
 * everything else only matters to the fast parser.
 */
/* colon: the first ':' of the line if the caller found it (line length:
 * none), or COLON_UNKNOWN to search here. */
enum { COLON_UNKNOWN = SIZE_MAX };

static ALWAYS_INLINE enum sip_scan_rc scan_line(struct sip_scan *s, const uint8_t *p, size_t at, size_t ce,
                                                size_t readable, size_t colon)
{
    struct span line = sp(p + at, ce - at);
    if (cls[line.p[0]] & C_BLANK) {
        s->declined = true; /* a folded continuation line */
        return SIP_SCAN_MORE;
    }
    if (colon == COLON_UNKNOWN)
        colon = sp_find(line, ':');
    if (colon == line.n) {
        s->declined = true; /* no "name:" */
        return SIP_SCAN_MORE;
    }
    enum sip_hdr h = header_kind(line.p, sp_trim_right(sp(line.p, colon)).n, readable);
    if (h == SH_COUNT)
        return SIP_SCAN_MORE;
    size_t v = colon + 1, e = line.n; /* the value, blanks around it trimmed */
    while (v < e && (cls[line.p[v]] & C_BLANK))
        v++;
    while (e > v && (cls[line.p[e - 1]] & C_BLANK))
        e--;
    struct span val = sp(line.p + v, e - v);
    if (h == SH_CLEN) {
        uint32_t len;
        if (!parse_content_length(val, &len))
            return SIP_SCAN_BAD;
        if (s->has_length && len != s->content_length)
            return SIP_SCAN_BAD; /* two different lengths: no safe framing */
        s->has_length = true;
        s->content_length = len;
    }
    uint16_t bit = (uint16_t)(1u << h);
    if (s->seen & bit) {
        s->dup |= bit;
        return SIP_SCAN_MORE;
    }
    s->seen |= bit;
    s->val[h].off = (uint32_t)(at + v);
    s->val[h].len = (uint32_t)val.n;
    return SIP_SCAN_MORE;
}

/* The line p[at..ce): a lone CR (not ending the line) is a line end to
 * libosip2 and not to us: leave such a message to it. */
static void check_cr(struct sip_scan *s, const uint8_t *p, size_t at, size_t ce)
{
    if (ce > at && memchr(p + at, '\r', ce - at))
        s->declined = true;
}

/* Index of the first CR or LF in p[0..n), or n, and in *colon the first
 * ':' before it (n: none): one pass where the lines end in CRLF (instead
 * of a search for the LF, one for a CR before it and one for the colon).
 * Sixteen bytes a step with SSE2 (every x86-64), loads inside p[0..n). */
static ALWAYS_INLINE size_t find_cr_or_lf(const uint8_t *p, size_t n, size_t *colon)
{
    size_t i = 0, col = n;
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), co = _mm_set1_epi8(':');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (col == n) {
            unsigned c = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, co));
            if (m)
                c &= (m & (0u - m)) - 1; /* only the colons before the line end */
            if (c)
                col = i + (size_t)__builtin_ctz(c);
        }
        if (m) {
            *colon = col;
            return i + (size_t)__builtin_ctz(m);
        }
    }
#endif
    for (; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n')
            break;
        if (p[i] == ':' && col == n)
            col = i;
    }
    *colon = col;
    return i;
}

/*
 * The line ends, 64 bytes at a time: a word of bits per 64 bytes, one for
 * CR and LF and one for ':' (SSE2: four 16-byte loads). The walk takes the
 * lowest bit for the next line end and clears what it has passed, so a
 * line costs a few bit operations instead of a search of its own. What
 * the words do not answer (a lone CR or LF, a line not all there yet, one
 * over HEADER_LINE_MAX) goes to one_line()'s byte searches.
 */
struct walk {
    const uint8_t *p;
    size_t n;       /* the bytes it may read: p[0..n) */
    size_t base;    /* the word's first byte */
    uint64_t e, c;  /* the word's CR/LF and ':' bits not yet passed */
};

#if defined(__SSE2__)
static ALWAYS_INLINE void bits16(const uint8_t *q, uint64_t *e, uint64_t *c)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
    *e = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    *c = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
}
#endif

/* The word at base < n when fewer than 64 bytes are left: bits only for p[base..n). */
static void walk_tail(struct walk *w)
{
    size_t left = w->n - w->base;
    uint64_t e = 0, c = 0;
    size_t k = 0;
#if defined(__SSE2__)
    for (; k + 16 <= left; k += 16) {
        uint64_t e16, c16;
        bits16(w->p + w->base + k, &e16, &c16);
        e |= e16 << k;
        c |= c16 << k;
    }
    if (k < left && w->n >= 16) {
        /* the last 16 bytes of p[0..n), of which the first ones are had */
        uint64_t e16, c16, drop = 16 - (left - k);
        bits16(w->p + w->n - 16, &e16, &c16);
        e |= (e16 >> drop) << k;
        c |= (c16 >> drop) << k;
        k = left;
    }
#endif
    for (; k < left; k++) {
        uint8_t b = w->p[w->base + k];
        e |= (uint64_t)(b == '\r' || b == '\n') << k;
        c |= (uint64_t)(b == ':') << k;
    }
    w->e = e;
    w->c = c;
}

static ALWAYS_INLINE void walk_load(struct walk *w, size_t base)
{
    if (base >= w->n) { /* nothing left to walk */
        w->base = w->n;
        w->e = w->c = 0;
        return;
    }
    w->base = base;
#if defined(__SSE2__)
    if (base + 64 <= w->n) {
        const uint8_t *q = w->p + base;
        uint64_t e0, c0, e1, c1, e2, c2, e3, c3;
        bits16(q, &e0, &c0);
        bits16(q + 16, &e1, &c1);
        bits16(q + 32, &e2, &c2);
        bits16(q + 48, &e3, &c3);
        w->e = e0 | e1 << 16 | e2 << 32 | e3 << 48;
        w->c = c0 | c1 << 16 | c2 << 32 | c3 << 48;
        return;
    }
#endif
    walk_tail(w);
}

/*
 * One line from s->pos by byte searches, for what the walk does not
 * take: a line not ending in a plain CRLF, one not all there yet, one
 * too long. MORE: line scanned, go on; DONE: the empty line, or no line
 * end yet (header_len still 0, pos unchanged).
 */
static enum sip_scan_rc one_line(struct sip_scan *s, const uint8_t *p, size_t n, size_t max)
{
    size_t at = s->pos;
    size_t budget = max > at ? max - at : 0;
    size_t limit = budget < HEADER_LINE_MAX ? budget : HEADER_LINE_MAX;
    size_t left = n - at;
    size_t look = left < limit ? left : limit;
    /* The usual line ends in CRLF and holds no other CR: its first CR
     * or LF is that CR. Anything else takes the two searches. */
    size_t colon;
    size_t first = find_cr_or_lf(p + at, look, &colon);
    size_t end, ce;
    if (first + 1 < look && p[at + first] == '\r' && p[at + first + 1] == '\n') {
        ce = at + first;
        end = ce + 1;
        if (colon == look)
            colon = first; /* none in the line: its length */
    } else {
        /* the line goes past that CR or LF: a colon seen before it is
         * still the line's first, else search the whole line */
        if (colon == look)
            colon = COLON_UNKNOWN;
        const uint8_t *lf = look ? memchr(p + at, '\n', look) : NULL;
        if (lf == NULL)
            /* no line end within what we may look at, though the bytes are there */
            return limit == 0 || left >= limit ? SIP_SCAN_TOO_BIG : SIP_SCAN_DONE;
        end = (size_t)(lf - p);
        ce = end > at && p[end - 1] == '\r' ? end - 1 : end;
        check_cr(s, p, at, ce);
    }
    s->pos = (uint32_t)(end + 1);
    if (at == 0) {
        s->start_len = (uint32_t)ce;
        return SIP_SCAN_MORE;
    }
    if (ce == at) {
        s->header_len = s->pos;
        return SIP_SCAN_DONE;
    }
    return scan_line(s, p, at, ce, n - at, colon); /* readable: all the bytes from at */
}

enum sip_scan_rc sip_scan_head(struct sip_scan *s, const uint8_t *p, size_t n, size_t max)
{
    cls_init();
    if (s->header_len)
        return SIP_SCAN_DONE;
    if (s->pos > n)
        return SIP_SCAN_TOO_BIG; /* not the bytes it was scanning: cannot happen by the stream contract */
    /* A line the walk takes ends in CRLF before hi and is under
     * HEADER_LINE_MAX: within every limit one_line() applies. */
    size_t hi = n < max ? n : max;
    size_t at = s->pos;
    struct walk w = { p, hi, 0, 0, 0 };
    walk_load(&w, at);
    for (;;) {
        size_t col = SIZE_MAX;
        while (w.e == 0) {
            if (col == SIZE_MAX && w.c)
                col = w.base + (size_t)__builtin_ctzll(w.c);
            if (w.base + 64 >= hi)
                goto slow;
            walk_load(&w, w.base + 64);
        }
        unsigned xb = (unsigned)__builtin_ctzll(w.e);
        size_t x = w.base + xb;
        uint64_t below = (w.e & (0 - w.e)) - 1;
        if (col == SIZE_MAX)
            col = (w.c & below) ? w.base + (size_t)__builtin_ctzll(w.c & below) : x;
        if (x + 1 >= hi || x - at >= HEADER_LINE_MAX - 1 || p[x] != '\r' || p[x + 1] != '\n')
            goto slow;
        /* past the CR (bit xb) and its LF (the next bit, or the next word's first) */
        w.c &= ~below;
        w.e &= w.e - 1;
        w.e &= w.e - 1;
        s->pos = (uint32_t)(x + 2);
        if (at == 0) {
            s->start_len = (uint32_t)x;
        } else if (x == at) {
            s->header_len = s->pos;
            return SIP_SCAN_DONE;
        } else if (scan_line(s, p, at, x, n - at, col - at) == SIP_SCAN_BAD) {
            return SIP_SCAN_BAD;
        }
        at = x + 2;
        if (xb == 63)
            walk_load(&w, at); /* the LF was the next word's first byte */
        continue;
    slow:
        s->pos = (uint32_t)at;
        {
            enum sip_scan_rc rc = one_line(s, p, n, max);
            if (rc == SIP_SCAN_DONE)
                return s->header_len ? SIP_SCAN_DONE : SIP_SCAN_MORE;
            if (rc != SIP_SCAN_MORE)
                return rc;
        }
        at = s->pos;
        walk_load(&w, at);
    }
}

void sip_scan_tail(struct sip_scan *s, const uint8_t *p, size_t n)
{
    cls_init();
    size_t at = s->pos;
    if (at >= n)
        return;
    s->pos = (uint32_t)n;
    check_cr(s, p, at, n);
    if (at == 0)
        s->start_len = (uint32_t)n;
    else if (scan_line(s, p, at, n, n - at, COLON_UNKNOWN) == SIP_SCAN_BAD)
        s->declined = true;
}

/* ---- values ---- */

/*
 * The first element of a header value libosip2 splits at commas
 * (osip_message_set_multiple_header: Via, Contact, Content-Type, Warning;
 * not unknown headers such as ms-diagnostics): a ',' outside quotes and
 * outside a <sip:...> reference ends it.
 * False for what we do not follow (a backslash) or an empty element.
 */
static bool uri_open(struct span v, size_t i)
{
    struct span r = sp_from(v, i + 1);
    return (SP_IPREFIX(r, "sip:") || SP_IPREFIX(r, "sips:") || SP_IPREFIX(r, "http:") ||
            SP_IPREFIX(r, "https:") || SP_IPREFIX(r, "tel:")) &&
           sp_has(sp_from(v, i), '>');
}

static ALWAYS_INLINE bool first_element(struct span v, struct span *out)
{
    /* Most values have no comma at all, or none after a quote or '<'. */
    size_t comma = sp_find(v, ',');
    if (comma == v.n) {
        *out = v;
        return v.n > 0;
    }
    struct span before = sp(v.p, comma);
    if (!sp_has(before, '"') && !sp_has(before, '<')) {
        *out = sp_trim_right(before);
        return out->n > 0;
    }
    if (sp_has(v, '\\'))
        return false;
    bool inq = false, inuri = false;
    for (size_t i = 0; i < v.n; i++) {
        uint8_t c = v.p[i];
        if (c == '"')
            inq = !inq;
        else if (inq)
            continue;
        else if (c == '<' && !inuri)
            inuri = uri_open(v, i);
        else if (c == '>')
            inuri = false;
        else if (c == ',' && !inuri) {
            *out = sp_trim_right(sp(v.p, i));
            return out->n > 0;
        }
    }
    *out = v;
    return v.n > 0;
}

/*
 * Header parameters *( ";" name [ "=" ( token / quoted-string ) ] ), no
 * blanks, as libosip2's generic parameter parser takes them; *want (if
 * given, a lower-case name) gets the first such parameter's value as
 * written ("" without "=").
 */
static ALWAYS_INLINE bool header_params(struct span s, bool quoted_ok, const char *want, size_t want_n, struct span *got)
{
    size_t i = 0;
    bool found = false;
    while (i < s.n) {
        if (s.p[i] != ';')
            return false;
        i++;
        size_t name_at = i, name_n = sp_run(s, i, C_TOKEN);
        if (name_n == 0)
            return false;
        i += name_n;
        struct span val = empty;
        if (i < s.n && s.p[i] == '=') {
            size_t vs = ++i;
            if (i < s.n && s.p[i] == '"') {
                if (!quoted_ok)
                    return false;
                struct span in = sp_from(s, i + 1);
                size_t q = sp_find(in, '"');
                if (q == in.n || sp_has(sp(in.p, q), '\\'))
                    return false;
                i += q + 2;
            } else {
                i += sp_run(s, i, C_TOKEN);
            }
            if (i == vs)
                return false;
            val = sp(s.p + vs, i - vs);
        }
        if (i < s.n && s.p[i] != ';')
            return false;
        if (want && !found && sp_ieq(sp(s.p + name_at, name_n), want, want_n)) {
            *got = val;
            found = true;
        }
    }
    return true;
}

/* A plain sip/sips URI: scheme ":" [user "@"] host [":" port] *(";" uri-param). */
struct uri_parts {
    struct span host;
    size_t shown;   /* "scheme:user@host:port", what the report shows: a prefix of the URI */
};

/*
 * The URI that starts at u.p[at], uri-params only when `params` (an
 * addr-spec's ';' starts header parameters). Returns where it stops: the
 * first byte that cannot go on with it, for the caller to check it is the
 * byte that ends the URI there ('>', SP, ';' or the end; none is a URI
 * byte here, so the URI up to the first of them is plain exactly when the
 * walk stops on it); SIZE_MAX when the bytes there are no such URI. One
 * walk, where finding the end first and then reading the URI took two.
 */
static ALWAYS_INLINE size_t uri_scan(struct span u, size_t at, bool params, struct uri_parts *out)
{
    /* "sip:" or "sips:", letters in either case: b | 0x20 is 's' for S
     * and s only (likewise i, p); "sip:" as one word. Per From, To,
     * Contact and route. */
    size_t i = at;
    if (u.n - i < 4)
        return SIZE_MAX;
    uint32_t w, sip, fold;
    memcpy(&w, u.p + i, 4);
    memcpy(&sip, "sip:", 4);
    memcpy(&fold, "\x20\x20\x20\x00", 4); /* the letters' bytes only */
    if ((w | fold) == sip)
        i += 4;
    else if (u.n - i >= 5 && (u.p[i] | 0x20) == 's' && (u.p[i + 1] | 0x20) == 'i' &&
             (u.p[i + 2] | 0x20) == 'p' && (u.p[i + 3] | 0x20) == 's' && u.p[i + 4] == ':')
        i += 5;
    else
        return SIZE_MAX;
    size_t user_n = sp_run(u, i, C_USER);
    if (i + user_n < u.n && u.p[i + user_n] == '@') {
        if (user_n == 0)
            return SIZE_MAX;
        i += user_n + 1;
    }
    size_t host_n = sp_run(u, i, C_HOST);
    if (host_n == 0)
        return SIZE_MAX;
    out->host = sp(u.p + i, host_n);
    i += host_n;
    if (i < u.n && u.p[i] == ':') {
        size_t port_n = sp_run(u, i + 1, C_DIGIT);
        if (port_n == 0 || port_n > 5)
            return SIZE_MAX;
        i += 1 + port_n;
    }
    out->shown = i - at;
    while (params && i < u.n && u.p[i] == ';') {
        size_t param_n = sp_run(u, i + 1, C_UPARAM);
        if (param_n == 0)
            return SIZE_MAX;
        i += 1 + param_n;
    }
    return i;
}

/*
 * From / To / Contact (osip_from_parse): name-addr, [display-name] <URI>
 * *(;param), or addr-spec, URI *(;param) where every ;param is a header
 * parameter. The display name is a quoted string or tokens and spaces.
 */
static bool party(struct span v, struct uri_parts *up, struct span *uri, struct span *tag)
{
    size_t lt;
    if (v.n && v.p[0] == '"') {
        /* a quoted display name may hold '<', ';' and ','; then spaces
         * (libosip2 skips spaces, not tabs) and the '<'. The closing quote
         * and any backslash before it in one short walk. */
        struct span in = sp_from(v, 1);
        size_t q = 0;
        while (q < in.n && in.p[q] != '"' && in.p[q] != '\\')
            q++;
        if (q == in.n || in.p[q] == '\\')
            return false;
        lt = q + 2;
        while (lt < v.n && v.p[lt] == ' ')
            lt++;
        if (lt == v.n || v.p[lt] != '<')
            return false;
    } else {
        /* A token display name (or none) up to the '<', in one walk; at
         * any other byte, a '<' after it means a display name libosip2
         * reads another way, none means an addr-spec. */
        lt = 0;
        while (lt < v.n && ((cls[v.p[lt]] & C_TOKEN) || v.p[lt] == ' '))
            lt++;
        if (lt < v.n && v.p[lt] != '<') {
            if (sp_has(sp_from(v, lt), '<'))
                return false; /* not a token display name */
            lt = v.n;
        }
    }
    struct span params;
    if (lt < v.n) { /* <URI> */
        size_t end = uri_scan(v, lt + 1, true, up);
        if (end >= v.n || v.p[end] != '>')
            return false;
        *uri = sp(v.p + lt + 1, end - (lt + 1));
        params = sp_from(v, end + 1);
        params = sp_from(params, sp_run(params, 0, C_BLANK));
    } else { /* URI, up to the first ';' */
        size_t end = uri_scan(v, 0, false, up);
        if (end > v.n || (end < v.n && v.p[end] != ';'))
            return false;
        *uri = sp(v.p, end);
        params = sp_from(v, end);
    }
    /* libosip2 refuses a URI under 6 characters in some positions: ours are longer */
    if (uri->n < 6)
        return false;
    return header_params(params, true, "tag", 3, tag);
}

/* Via: SIP/2.0/transport SP host [":" port] *(;param) (osip_via_parse). */
static bool parse_via(struct span v, struct sip_fast *out)
{
    struct span e;
    if (!first_element(v, &e) || e.n < 8)
        return false;
    uint64_t w, lit, fold; /* "SIP/2.0/" in either case, as one word */
    memcpy(&w, e.p, 8);
    memcpy(&lit, "sip/2.0/", 8);
    memcpy(&fold, "\x20\x20\x20\0\0\0\0\0", 8);
    if ((w | fold) != lit)
        return false;
    size_t proto_n = sp_run(e, 8, C_TOKEN);
    size_t i = 8 + proto_n;
    if (proto_n == 0 || i >= e.n || e.p[i] != ' ')
        return false;
    while (i < e.n && e.p[i] == ' ')
        i++;
    size_t host_at = i, host_n = sp_run(e, i, C_HOST);
    if (host_n == 0)
        return false;
    i += host_n;
    if (i < e.n && e.p[i] == ':') {
        size_t port_n = sp_run(e, i + 1, C_DIGIT);
        if (port_n == 0 || port_n > 5)
            return false;
        i += 1 + port_n;
    }
    return header_params(sp_from(e, i), false, NULL, 0, NULL) &&
           put(sp(e.p + 8, proto_n), CAP_VIA_TRANSPORT, &out->f.via_transport) &&
           put(sp(e.p + host_at, host_n), CAP_VIA_HOST, &out->f.via_host);
}

/* CSeq: 1*DIGIT SP Method (osip_cseq_parse splits at the first space). */
static bool parse_cseq(struct span v, struct sip_fast *out)
{
    size_t d = sp_run(v, 0, C_DIGIT);
    if (d == 0 || d > 10 || d >= v.n || v.p[d] != ' ')
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < d; i++)
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    struct span m = sp_from(v, d);
    m = sp_from(m, sp_run(m, 0, C_BLANK));
    if (m.n == 0 || sp_run(m, 0, C_TOKEN) != m.n)
        return false;
    out->f.cseq = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    return put(m, CAP_CSEQ_METHOD, &out->f.cseq_method);
}

/* Does a plain URI's parameter list (";transport=tls;lr") hold lr (RFC 3261
 * section 19.1.1)? Names compare case-insensitively, as libosip2's do. */
static bool uri_is_loose_route(struct span uri, const struct uri_parts *up)
{
    struct span params = sp_from(uri, up->shown); /* uri_scan: only ;params follow */
    while (params.n) {
        params = sp_from(params, 1); /* past ';' */
        size_t next = sp_find(params, ';');
        struct span p = sp(params.p, next);
        if (SP_IEQ(sp(p.p, sp_find(p, '=')), "lr"))
            return true;
        params = sp_from(params, next);
    }
    return false;
}

/*
 * Record-Route / Route: name-addr *(;rr-param) *(, ...) (RFC 3261 sections
 * 20.30, 20.34; libosip2 reads them as it reads From): the topmost entry's
 * host, for Route only when it is a loose route (the next hop).
 */
static bool parse_route(struct span v, bool is_route, struct sip_fast *out)
{
    struct span e, uri, params = empty;
    struct uri_parts up;
    if (!first_element(v, &e) || !party(e, &up, &uri, &params))
        return false;
    if (!is_route)
        return put(up.host, CAP_RECORD_ROUTE_HOST, &out->f.record_route_host);
    if (uri_is_loose_route(uri, &up))
        return put(up.host, CAP_ROUTE_HOST, &out->f.route_host);
    return true;
}

/* Content-Type: type "/" subtype *(;param) (osip_content_type_parse). */
static bool parse_content_type(struct span v, struct sip_fast *out)
{
    struct span e;
    if (!first_element(v, &e) || e.n != v.n) /* a second Content-Type: libosip2 refuses */
        return false;
    size_t type_n = sp_run(e, 0, C_TOKEN);
    if (type_n == 0 || type_n >= e.n || e.p[type_n] != '/')
        return false;
    size_t sub_n = sp_run(e, type_n + 1, C_TOKEN);
    if (sub_n == 0)
        return false;
    struct span params = sp_from(e, type_n + 1 + sub_n);
    params = sp_from(params, sp_run(params, 0, C_BLANK));
    struct span boundary = empty;
    return header_params(params, true, "boundary", 8, &boundary) &&
           put(sp(e.p, type_n), CAP_CT_TYPE, &out->f.ct_type) &&
           put(sp(e.p + type_n + 1, sub_n), CAP_CT_SUBTYPE, &out->f.ct_subtype) &&
           put(boundary, CAP_CT_BOUNDARY, &out->f.ct_boundary);
}

/* "SIP/2.0 415 Unsupported Media Type" or "INVITE sip:bob@host SIP/2.0". */
static bool parse_start_line(struct span line, struct sip_fast *out)
{
    if (line.n >= 8 && memcmp(line.p, "SIP/2.0 ", 8) == 0) {
        struct span r = sp_from(line, 8);
        if (r.n < 4 || sp_run(r, 0, C_DIGIT) != 3 || r.p[3] != ' ')
            return false;
        int st = (r.p[0] - '0') * 100 + (r.p[1] - '0') * 10 + (r.p[2] - '0');
        if (st < 100 || st > 699)
            return false;
        out->f.status = st;
        /* libosip2 keeps the reason phrase as written, blanks included */
        return put(sp_from(r, 4), CAP_REASON, &out->f.reason);
    }
    size_t m = sp_run(line, 0, C_TOKEN);
    if (m == 0 || m >= line.n || line.p[m] != ' ')
        return false;
    struct span rest = sp_from(line, m + 1);
    struct uri_parts up;
    size_t u = uri_scan(rest, 0, true, &up);
    if (u >= rest.n || rest.p[u] != ' ')
        return false;
    struct span version = sp_from(rest, u + 1);
    if (version.n != 7 || memcmp(version.p, "SIP/2.0", 7) != 0)
        return false;
    out->f.is_request = true;
    return put(sp(line.p, m), CAP_METHOD, &out->f.method) &&
           put(up.host, CAP_REQUEST_URI_HOST, &out->f.request_uri_host);
}

static struct span val(const struct sip_scan *s, const uint8_t *p, enum sip_hdr h)
{
    return (s->seen & (1u << h)) ? sp(p + s->val[h].off, s->val[h].len) : empty;
}

/* The headers that say where a message came from and goes (Via, Contact,
 * Record-Route, Route): only the checks of SIP over TLS against the
 * certificate names read them (analyze/tls_session.c). */
static bool routing_fields(const struct sip_scan *s, const uint8_t *p, struct sip_fast *out)
{
    struct sip_fields *f = &out->f;
    struct uri_parts up;
    struct span uri, tag = empty;
    if ((s->seen & (1u << SH_VIA)) && !parse_via(val(s, p, SH_VIA), out))
        return false;
    if (s->seen & (1u << SH_CONTACT)) {
        struct span e;
        /* osip_contact_parse takes any value starting with '*' as "Contact: *" */
        if (!first_element(val(s, p, SH_CONTACT), &e) || e.p[0] == '*' ||
            !party(e, &up, &uri, &tag) ||
            !put(up.host, CAP_CONTACT_HOST, &f->contact_host))
            return false;
    }
    if ((s->seen & (1u << SH_RECORD_ROUTE)) && !parse_route(val(s, p, SH_RECORD_ROUTE), false, out))
        return false;
    if ((s->seen & (1u << SH_ROUTE)) && !parse_route(val(s, p, SH_ROUTE), true, out))
        return false;
    return true;
}

bool sip_fast_fields(const struct sip_scan *s, const uint8_t *p, size_t head_len, bool routing,
                     struct sip_fast *out)
{
    enum {
        NEED = 1u << SH_CALL_ID | 1u << SH_FROM | 1u << SH_TO | 1u << SH_CSEQ,
        ONCE = NEED | 1u << SH_CTYPE | 1u << SH_CLEN,
    };
    cls_init();
    if (s->declined || (s->seen & NEED) != NEED || (s->dup & ONCE) || head_len < s->start_len ||
        memchr(p, '\0', head_len))
        return false;
    struct sip_fields *f = &out->f;
    static const char none[] = "";
    const struct sip_str z = { none, 0 };
    *f = (struct sip_fields){ .method = z, .reason = z, .request_uri_host = z, .call_id = z,
                              .from_uri = z, .to_uri = z, .from_tag = z, .to_tag = z,
                              .cseq_method = z, .via_transport = z, .via_host = z,
                              .contact_host = z, .record_route_host = z, .route_host = z,
                              .warning = z, .ms_diagnostics = z,
                              .ct_type = z, .ct_subtype = z, .ct_boundary = z };
    if (!parse_start_line(sp(p, s->start_len), out))
        return false;

    /* Call-ID: word ["@" word], as written; libosip2 refuses a leading '@'. */
    struct span id = val(s, p, SH_CALL_ID);
    if (sp_has_blank(id))
        return false;
    if (id.n == 0 || id.p[0] == '@' || !put(id, CAP_CALL_ID, &f->call_id))
        return false;

    struct uri_parts up;
    struct span uri, tag = empty;
    if (!party(val(s, p, SH_FROM), &up, &uri, &tag) ||
        !put(sp(uri.p, up.shown), CAP_FROM_URI, &f->from_uri) ||
        !put(tag, CAP_FROM_TAG, &f->from_tag))
        return false;
    tag = empty;
    if (!party(val(s, p, SH_TO), &up, &uri, &tag) ||
        !put(sp(uri.p, up.shown), CAP_TO_URI, &f->to_uri) ||
        !put(tag, CAP_TO_TAG, &f->to_tag))
        return false;
    if (!parse_cseq(val(s, p, SH_CSEQ), out))
        return false;
    if (routing && !routing_fields(s, p, out))
        return false;
    if ((s->seen & (1u << SH_CTYPE)) && !parse_content_type(val(s, p, SH_CTYPE), out))
        return false;
    struct span e;
    if ((s->seen & (1u << SH_WARNING)) &&
        (!first_element(val(s, p, SH_WARNING), &e) || !put(e, CAP_WARNING, &f->warning)))
        return false;
    /* libosip2 5.3 splits Warning at commas but keeps an unknown header
     * such as ms-diagnostics whole */
    if ((s->seen & (1u << SH_MSDIAG)) &&
        (val(s, p, SH_MSDIAG).n == 0 ||
         !put(val(s, p, SH_MSDIAG), CAP_MS_DIAGNOSTICS, &f->ms_diagnostics)))
        return false;
    return true;
}

bool sip_fast_parse(struct span head, bool routing, struct sip_fast *out)
{
    struct sip_scan s;
    memset(&s, 0, sizeof s);
    if (head.n == 0 || head.n > UINT32_MAX)
        return false;
    enum sip_scan_rc rc = sip_scan_head(&s, head.p, head.n, head.n + 1);
    if (rc == SIP_SCAN_MORE)
        sip_scan_tail(&s, head.p, head.n);
    else if (rc != SIP_SCAN_DONE)
        return false;
    return sip_fast_fields(&s, head.p, rc == SIP_SCAN_DONE ? s.header_len : head.n, routing, out);
}

bool sip_fast_head(struct span msg, size_t *head_len)
{
    struct sip_scan s;
    memset(&s, 0, sizeof s);
    if (msg.n == 0 || msg.n > UINT32_MAX || sip_scan_head(&s, msg.p, msg.n, msg.n + 1) != SIP_SCAN_DONE)
        return false;
    *head_len = s.header_len;
    return true;
}

bool sip_header_split(struct span line, struct span *name, struct span *value)
{
    cls_init();
    size_t i = sp_find(line, ':');
    if (i == line.n)
        return false;
    /* trim the name's trailing blanks ("Content-Length : 5" is legal) */
    *name = sp_trim_right(sp(line.p, i));
    struct span v = sp_from(line, i + 1);
    *value = sp_trim_right(sp_from(v, sp_run(v, 0, C_BLANK)));
    return true;
}

bool sip_header_is(struct span name, const char *full, const char *compact)
{
    return span_case_eq(name, full) || (compact && span_case_eq(name, compact));
}
