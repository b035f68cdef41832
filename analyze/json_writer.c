/* json_writer.c: streaming JSON output (see json_writer.h). */
#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>


/* The general paths stay out of line: the fast paths are then leaf
 * functions that need no registers saved. */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline))
#else
#define SLOW_PATH
#endif

/*
 * Compact output puts a comma after every value inside a document at once,
 * and a close takes back the one after the container's last element
 * ("[1,2," + "]" is "[1,2]"). So no key or value has to look at what came
 * before it: the fast paths (compact, inside a document, room in the
 * buffer: w->n + what they write <= w->fast_lim) are the bytes and a
 * length. The buffer is then never written out to its last byte inside a
 * document, as that byte may be a comma still to take back.
 *
 * Pretty output goes the general way: a separator (comma, newline and
 * indent) before each key or value as w->state says, nothing to take back.
 */

/* The program is single-threaded: glibc's fwrite takes the FILE's lock
 * for each of the tens of thousands of ndjson lines, its unlocked form not. */
#if defined(__GLIBC__)
#define JW_FWRITE fwrite_unlocked
#else
#define JW_FWRITE fwrite
#endif

static void write_out(struct jw *w, size_t n)
{
    if (n)
        JW_FWRITE(w->buf, 1, n, w->f);
    memmove(w->buf, w->buf + n, w->n - n);
    w->n -= n;
}

/* Room is needed: write out what may be (all but the last byte inside a
 * compact document). */
static void make_room(struct jw *w)
{
    write_out(w, !w->pretty && w->depth > 0 && w->n ? w->n - 1 : w->n);
}

void jw_flush(struct jw *w)
{
    make_room(w);
}

static void put_mem(struct jw *w, const void *p, size_t n)
{
    const char *s = p;
    while (n > sizeof w->buf - w->n) {
        size_t k = sizeof w->buf - w->n;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
        make_room(w);
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

/* At least n bytes free in the buffer (n < its size): where they start. */
static inline char *room(struct jw *w, size_t n)
{
    if (n > sizeof w->buf - w->n)
        make_room(w);
    return w->buf + w->n;
}

static inline void put_c(struct jw *w, char c)
{
    room(w, 1)[0] = c;
    w->n++;
}

void jw_init(struct jw *w, FILE *f, bool pretty)
{
    w->f = f;
    w->n = 0;
    w->fast_lim = 0; /* top level */
    w->pretty = pretty;
    w->state = JW_FIRST;
    w->depth = 0;
}

enum { INDENT_MAX = 2 * JW_DEPTH_MAX + 2 };

/* Pretty: newline and two spaces per level, written at o (INDENT_MAX bytes free). */
static size_t indent_at(const struct jw *w, char *o)
{
    o[0] = '\n';
    memset(o + 1, ' ', 2 * (size_t)w->depth);
    return 1 + 2 * (size_t)w->depth;
}

/* Pretty: the separator before a key or value, unless a key was just written. */
static void pretty_next(struct jw *w)
{
    if (w->state == JW_AFTER_KEY || w->depth == 0)
        return;
    char *o = room(w, 1 + INDENT_MAX);
    size_t k = 0;
    if (w->state == JW_AFTER_VALUE)
        o[k++] = ',';
    w->n += k + indent_at(w, o + k);
}

/* The general path before a value of up to len bytes (len + 1 + INDENT_MAX
 * below the buffer's size): its separator, then room for it and a comma. */
static inline char *value_begin_slow(struct jw *w, size_t len)
{
    if (w->pretty)
        pretty_next(w);
    return room(w, len + 1);
}

static inline char *value_begin(struct jw *w, size_t len)
{
    if (w->n + len + 1 <= w->fast_lim)
        return w->buf + w->n;
    return value_begin_slow(w, len);
}

/* A value was written: at the top level the document is complete. */
static inline void value_done_slow(struct jw *w)
{
    if (w->depth == 0) {
        w->state = JW_FIRST; /* top-level values are not separated */
        write_out(w, w->n);
    } else if (w->pretty) {
        w->state = JW_AFTER_VALUE;
    } else {
        put_c(w, ',');
    }
}

static inline void value_done(struct jw *w)
{
    if (w->fast_lim && w->n < sizeof w->buf) { /* compact, inside a document */
        w->buf[w->n++] = ',';
        return;
    }
    value_done_slow(w);
}

void jw_open_slow(struct jw *w, char c)
{
    *value_begin_slow(w, 1) = c;
    w->n++;
    if (w->depth < JW_DEPTH_MAX - 1)
        w->depth++;
    w->state = JW_FIRST;
    w->fast_lim = w->pretty ? 0 : sizeof w->buf;
}

void jw_close_slow(struct jw *w, char c)
{
    if (w->pretty) {
        bool empty = w->state == JW_FIRST;
        if (w->depth > 0)
            w->depth--;
        if (!empty)
            w->n += indent_at(w, room(w, INDENT_MAX));
    } else {
        room(w, 2);
        if (w->n && w->buf[w->n - 1] == ',') /* the last element's: taken back */
            w->n--;
        if (w->depth > 0)
            w->depth--;
    }
    if (w->depth == 0)
        w->fast_lim = 0;
    put_c(w, c);
    value_done_slow(w);
}

/* Bytes a JSON string cannot hold as they are: controls, '"', '\\', DEL, and
 * everything from 0x80 (UTF-8 is checked on the slow path). */
static const unsigned char needs_care[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

#if defined(__SSE2__)
/*
 * Copies n bytes of s to o if none needs care, else says false (o then
 * holds junk the caller does not keep). Loads and stores stay inside the
 * n bytes: whole 16-byte blocks, then the last 16 again overlapping;
 * below 16, two overlapping halves filled out to a block with 'A'.
 */
static inline bool copy_plain(char *o, const char *s, size_t n)
{
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (jw_care16(x))
                return false;
            _mm_storeu_si128((__m128i *)(void *)(o + i), x);
        }
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
        if (jw_care16(x))
            return false;
        _mm_storeu_si128((__m128i *)(void *)(o + n - 16), x);
        return true;
    }
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        if (jw_care16(_mm_set_epi64x((long long)b, (long long)a)))
            return false;
        memcpy(o, &a, 8);
        memcpy(o + n - 8, &b, 8);
        return true;
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        if (jw_care16(_mm_set_epi32(0x41414141, 0x41414141, (int)b, (int)a)))
            return false;
        memcpy(o, &a, 4);
        memcpy(o + n - 4, &b, 4);
        return true;
    }
    /* 0 to 3 bytes: the first, middle and last cover them all. */
    if (n == 0)
        return true;
    unsigned char c0 = (unsigned char)s[0], c1 = (unsigned char)s[n / 2], c2 = (unsigned char)s[n - 1];
    if (needs_care[c0] | needs_care[c1] | needs_care[c2])
        return false;
    o[0] = (char)c0;
    o[n / 2] = (char)c1;
    o[n - 1] = (char)c2;
    return true;
}

/* Bytes at u that need no care, up to n. */
static size_t plain_prefix(const unsigned char *u, size_t n)
{
    size_t i = 0;
    for (; n - i >= 16; i += 16) {
        unsigned m = jw_care16(_mm_loadu_si128((const __m128i *)(const void *)(u + i)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    while (i < n && !needs_care[u[i]])
        i++;
    return i;
}
#else
static inline bool copy_plain(char *o, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++)
        if (needs_care[u[i]])
            return false;
    memcpy(o, s, n);
    return true;
}

static size_t plain_prefix(const unsigned char *u, size_t n)
{
    size_t i = 0;
    while (i < n && !needs_care[u[i]])
        i++;
    return i;
}
#endif

/* The quoted string with its escapes, written piece by piece (any length). */
static void put_string_escaped(struct jw *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    put_c(f, '"');
    size_t i = 0;
    for (;;) {
        /* Runs of plain printable ASCII, the usual case, go out in one write. */
        size_t run = plain_prefix(u + i, n - i);
        if (run)
            put_mem(f, u + i, run);
        i += run;
        if (i == n)
            break;
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            put_mem(f, esc, 2);
        } else if (c == '\n') {
            put_mem(f, "\\n", 2);
        } else if (c == '\r') {
            put_mem(f, "\\r", 2);
        } else if (c == '\t') {
            put_mem(f, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put_mem(f, esc, sizeof esc);
        } else {
            /* Pass well-formed UTF-8 through; map any other byte to U+FFFD. */
            size_t len = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                         : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
            bool ok = len > 0 && len <= n - i;
            for (size_t k = 1; ok && k < len; k++)
                ok = (u[i + k] & 0xc0) == 0x80;
            if (ok) {
                put_mem(f, u + i, len);
                i += len - 1;
            } else {
                put_mem(f, "\\ufffd", 6);
            }
        }
        i++;
    }
    put_c(f, '"');
}

/* Decimal without printf: reports write millions of numbers. Written
 * straight into the buffer, two digits a step. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v. */
static inline size_t dec_len32(uint32_t v)
{
    if (v < 100000)
        return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10000 ? 4 : 5;
    return v < 10000000 ? (v < 1000000 ? 6 : 7) : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

/* The len digits of v ending at e, two a step from the table. */
static inline void put_dec32(char *e, uint32_t v)
{
    while (v >= 100) {
        e -= 2;
        memcpy(e, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(e - 2, digit_pairs + 2 * v, 2);
    else
        e[-1] = (char)('0' + v);
}

/* Above 2^32: the low nine digits in 32 bits at a time. */
SLOW_PATH static size_t put_u64_long(char *o, uint64_t v)
{
    size_t len = 10;
    for (uint64_t t = v / 10000000000ULL; t; t /= 10)
        len++;
    char *e = o + len;
    while (v > UINT32_MAX) {
        uint32_t low = (uint32_t)(v % 1000000000);
        v /= 1000000000;
        e -= 9;
        for (int i = 8; i >= 0; i--) {
            e[i] = (char)('0' + low % 10);
            low /= 10;
        }
    }
    put_dec32(e, (uint32_t)v);
    return len;
}

/* v < 100 as one or two digits at o; returns the count. */
static inline size_t put_small(char *o, uint32_t v)
{
    if (v < 10) {
        o[0] = (char)('0' + v);
        return 1;
    }
    memcpy(o, digit_pairs + 2 * v, 2);
    return 2;
}

/* v < 10000 as exactly four digits at o. */
static inline void put4(char *o, uint32_t v)
{
    memcpy(o, digit_pairs + 2 * (v / 100), 2);
    memcpy(o + 2, digit_pairs + 2 * (v % 100), 2);
}

/* v below 10000 at o, returns the count of its digits. */
static inline size_t put_below_10k(char *o, uint32_t v)
{
    if (v < 100)
        return put_small(o, v);
    if (v < 1000) {
        o[0] = (char)('0' + v / 100);
        memcpy(o + 1, digit_pairs + 2 * (v % 100), 2);
        return 3;
    }
    put4(o, v);
    return 4;
}

/* v below 10^8 at o, returns the count of its digits. Most numbers in a
 * report are ports, frames, payload types and clock rates: their digits
 * in independent pairs, the count by comparisons. */
static inline size_t put_below_100m(char *o, uint32_t v)
{
    if (v < 10000)
        return put_below_10k(o, v);
    size_t k = put_below_10k(o, v / 10000);
    put4(o + k, v % 10000);
    return k + 4;
}

/* The digits of v at o (20 bytes free), returns their count. */
static size_t put_u64_at(char *o, uint64_t v)
{
    if (v < 100000000)
        return put_below_100m(o, (uint32_t)v);
    if (v > UINT32_MAX)
        return put_u64_long(o, v);
    size_t len = dec_len32((uint32_t)v);
    put_dec32(o + len, (uint32_t)v);
    return len;
}

void jw_key_n(struct jw *w, const char *key, size_t n)
{
    /* Keys are the program's own literals (plain ASCII, nothing to escape). */
    if (n + 4 + INDENT_MAX > sizeof w->buf) {
        if (w->pretty)
            pretty_next(w);
        put_c(w, '"');
        put_mem(w, key, n);
        put_mem(w, "\": ", w->pretty ? 3 : 2);
        w->state = JW_AFTER_KEY;
        return;
    }
    /* The separator (pretty), the quoted key and the colon in one room. */
    char *o = room(w, n + 4 + INDENT_MAX);
    size_t k = 0;
    if (w->pretty && w->state != JW_AFTER_KEY && w->depth > 0) {
        if (w->state == JW_AFTER_VALUE)
            o[k++] = ',';
        k += indent_at(w, o + k);
    }
    o[k++] = '"';
    memcpy(o + k, key, n);
    k += n;
    o[k++] = '"';
    o[k++] = ':';
    if (w->pretty)
        o[k++] = ' ';
    w->n += k;
    w->state = JW_AFTER_KEY;
}

/* Strings longer than this go out in pieces (the buffer holds a few). */
enum { JW_STR_ONE_COPY_MAX = 2048 };

SLOW_PATH static void str_slow(struct jw *w, const char *s, size_t n)
{
    char *o = value_begin_slow(w, n <= JW_STR_ONE_COPY_MAX ? n + 2 : 0);
    if (n <= JW_STR_ONE_COPY_MAX && copy_plain(o + 1, s, n)) {
        o[0] = '"';
        o[n + 1] = '"';
        w->n += n + 2;
    } else {
        put_string_escaped(w, s, n);
    }
    value_done_slow(w);
}

/* The usual string is plain printable ASCII: copied and checked in one pass
 * straight into the buffer; escaping only when that says so. */
static inline void str_value(struct jw *w, const char *s, size_t n)
{
    size_t at = w->n;
    if (n <= JW_STR_ONE_COPY_MAX && at + n + 3 <= w->fast_lim) {
        char *o = w->buf + at;
        o[0] = '"';
        if (copy_plain(o + 1, s, n)) {
            o[n + 1] = '"';
            o[n + 2] = ',';
            w->n = at + n + 3;
            return;
        }
    }
    str_slow(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
    if (s == NULL) {
        jw_null(w);
        return;
    }
    str_value(w, s, strlen(s));
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    str_value(w, s, n);
}

SLOW_PATH static void str_in_slow(struct jw *w, const char *s, size_t cap)
{
    jw_strn(w, s, strnlen(s, cap));
}

void jw_str_in(struct jw *w, const char *s, size_t cap)
{
#if defined(__SSE2__)
    if (cap >= 16 && cap <= JW_STR_ONE_COPY_MAX && w->n + cap + 3 <= w->fast_lim) {
        char *e = jw_plain_in(w->buf + w->n, s, cap);
        if (e) {
            w->n = (size_t)(e - w->buf);
            return;
        }
    }
#endif
    str_in_slow(w, s, cap);
}

SLOW_PATH static void int_slow(struct jw *w, bool neg, uint64_t u)
{
    char *o = value_begin_slow(w, 21);
    size_t k = 0;
    if (neg)
        o[k++] = '-';
    w->n += k + put_u64_at(o + k, u);
    value_done_slow(w);
}

void jw_uint(struct jw *w, uint64_t v)
{
    size_t at = w->n;
    if (v < 100000000 && at + 9 <= w->fast_lim) { /* eight digits at most, then the comma */
        char *o = w->buf + at;
        size_t k = put_below_100m(o, (uint32_t)v);
        o[k] = ',';
        w->n = at + k + 1;
        return;
    }
    int_slow(w, false, v);
}

void jw_int(struct jw *w, int64_t v)
{
    if (v >= 0)
        jw_uint(w, (uint64_t)v);
    else
        int_slow(w, true, (uint64_t)0 - (uint64_t)v);
}

void jw_double(struct jw *w, double v)
{
    char *o = value_begin(w, 64);
    if (!isfinite(v)) {
        memcpy(o, "null", 4);
        w->n += 4;
    } else {
        char b[64];
        int k = snprintf(b, sizeof b, "%.3f", v);
        if (k > 0) {
            size_t len = (size_t)k < sizeof b ? (size_t)k : sizeof b - 1;
            memcpy(o, b, len);
            w->n += len;
        }
    }
    value_done(w);
}

void jw_bool_slow(struct jw *w, bool v)
{
    char *o = value_begin_slow(w, 5);
    memcpy(o, v ? "true" : "false", 5); /* "true" has its NUL as fifth byte: not kept */
    w->n += v ? 4 : 5;
    value_done_slow(w);
}

void jw_null_slow(struct jw *w)
{
    char *o = value_begin_slow(w, 4);
    memcpy(o, "null", 4);
    w->n += 4;
    value_done_slow(w);
}

/* Times and addresses are plain ASCII: formatted straight into the buffer. */
void jw_time(struct jw *w, ts_ns t)
{
    char *o = value_begin(w, ISO_TIME_MAX + 2);
    o[0] = '"';
    size_t k = ts_format_iso(t, o + 1);
    o[k + 1] = '"';
    w->n += k + 2;
    value_done(w);
}

void jw_endpoint(struct jw *w, const struct ip_addr *a, uint16_t port)
{
    char *o = value_begin(w, ENDPOINT_STR_MAX + 2);
    o[0] = '"';
    size_t k = endpoint_format(a, port, o + 1);
    o[k + 1] = '"';
    w->n += k + 2;
    value_done(w);
}

void jw_ip(struct jw *w, const struct ip_addr *a)
{
    char *o = value_begin(w, IP_ADDR_STR_MAX + 2);
    o[0] = '"';
    size_t k = ip_addr_format(a, o + 1);
    o[k + 1] = '"';
    w->n += k + 2;
    value_done(w);
}

/* ---- pieces (json_writer.h) ---- */

char *jw_piece_room(struct jw *w, size_t max)
{
    /* The piece's own containers do not count in w->depth: it must stay
     * below the cap with them. */
    if (w->pretty || w->depth == 0 || w->depth > JW_DEPTH_MAX - 1 - JW_PIECE_DEPTH)
        return NULL;
    return jw_piece_more(w, max);
}

char *jw_piece_flush(struct jw *w, size_t max)
{
    return room(w, max);
}

/* The general value paths need nothing of the piece's containers: inside
 * a document, compact, each value gets its comma. What is left of the
 * section is not known here: it gets the most a section may need. */
static struct jw_piece piece_again(struct jw_piece p)
{
    p.o = jw_piece_more(p.w, JW_PIECE_MAX);
#ifndef NDEBUG
    p.lim = p.o + JW_PIECE_MAX;
#endif
    return p;
}

struct jw_piece jw_piece_escaped(struct jw_piece p, const char *s, size_t n)
{
    jw_piece_commit(&p);
    jw_strn(p.w, s, n);
    return piece_again(p);
}

struct jw_piece jw_piece_escaped_in(struct jw_piece p, const char *s, size_t cap)
{
    jw_piece_commit(&p);
    jw_str_in(p.w, s, cap);
    return piece_again(p);
}

char *jw_put_strn(char *o, const char *s, size_t n)
{
    if (!copy_plain(o + 1, s, n))
        return NULL;
    o[0] = '"';
    o[n + 1] = '"';
    o[n + 2] = ',';
    return o + n + 3;
}

char *jw_put_uint(char *o, uint64_t v)
{
    size_t k = v < 100000000 ? put_below_100m(o, (uint32_t)v) : put_u64_at(o, v);
    o[k] = ',';
    return o + k + 1;
}

char *jw_put_ip(char *o, const struct ip_addr *a)
{
    o[0] = '"';
    size_t k = ip_addr_format(a, o + 1);
    o[k + 1] = '"';
    o[k + 2] = ',';
    return o + k + 3;
}

char *jw_put_int(char *o, int64_t v)
{
    if (v >= 0)
        return jw_put_uint(o, (uint64_t)v);
    o[0] = '-';
    return jw_put_uint(o + 1, (uint64_t)0 - (uint64_t)v);
}

char *jw_put_endpoint(char *o, const struct ip_addr *a, uint16_t port)
{
    o[0] = '"';
    size_t k = endpoint_format(a, port, o + 1);
    o[k + 1] = '"';
    o[k + 2] = ',';
    return o + k + 3;
}

char *jw_put_time(char *o, ts_ns t)
{
    o[0] = '"';
    size_t k = ts_format_iso(t, o + 1);
    o[k + 1] = '"';
    o[k + 2] = ',';
    return o + k + 3;
}
