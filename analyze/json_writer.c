/* json_writer.c: streaming JSON output (see json_writer.h). */
#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_flush(struct jw *w)
{
    if (w->n)
        fwrite(w->buf, 1, w->n, w->f);
    w->n = 0;
}

static void put_mem(struct jw *w, const void *p, size_t n)
{
    if (n > sizeof w->buf - w->n) {
        jw_flush(w);
        if (n > sizeof w->buf) {
            fwrite(p, 1, n, w->f);
            return;
        }
    }
    memcpy(w->buf + w->n, p, n);
    w->n += n;
}

/* At least n bytes free in the buffer (n <= its size): flush if not. */
static inline char *room(struct jw *w, size_t n)
{
    if (n > sizeof w->buf - w->n)
        jw_flush(w);
    return w->buf + w->n;
}

static inline void put_c(struct jw *w, char c)
{
    if (w->n == sizeof w->buf)
        jw_flush(w);
    w->buf[w->n++] = c;
}

static void put_s(struct jw *w, const char *s)
{
    put_mem(w, s, strlen(s));
}

void jw_init(struct jw *w, FILE *f, bool pretty)
{
    w->f = f;
    w->n = 0;
    w->pretty = pretty;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

enum { INDENT_MAX = 2 * JW_DEPTH_MAX + 2 };

/* Pretty: newline and two spaces per level, written at o (INDENT_MAX bytes free). */
static size_t indent_at(const struct jw *w, char *o)
{
    o[0] = '\n';
    memset(o + 1, ' ', 2 * (size_t)w->depth);
    return 1 + 2 * (size_t)w->depth;
}

static void jw_indent(struct jw *w)
{
    if (!w->pretty)
        return;
    char *o = room(w, INDENT_MAX);
    w->n += indent_at(w, o);
}

/* Separator before any value or key, unless a key was just written. */
static inline void jw_next(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            put_c(w, ',');
        jw_indent(w);
    }
    w->first[w->depth] = false;
}

/* A value just ended: at the top level the document is complete. */
static void jw_done(struct jw *w)
{
    if (w->depth == 0)
        jw_flush(w);
}

static void jw_open(struct jw *w, char c)
{
    jw_next(w);
    put_c(w, c);
    if (w->depth < JW_DEPTH_MAX - 1)
        w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        jw_indent(w);
    put_c(w, c);
    jw_done(w);
}

void jw_obj_begin(struct jw *w) { jw_open(w, '{'); }
void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
void jw_arr_begin(struct jw *w) { jw_open(w, '['); }
void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

/* No byte of the 8 in x needs escaping: none below 0x20, at or above 0x7f,
 * '"' or '\\'. May say no for a plain word (a borrow between bytes), never
 * yes for one that is not: the byte loop then decides. */
static inline bool word_plain(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t special = ((x - ones * 0x20) & ~x) | ((x + ones) | x) | ((q - ones) & ~q) | ((b - ones) & ~b);
    return (special & high) == 0;
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

static void jw_raw_string_slow(struct jw *f, const char *s, size_t n);

static void jw_raw_string(struct jw *f, const char *s, size_t n)
{
    /* The usual string is plain printable ASCII: one copy. */
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && !needs_care[u[i]])
        i++;
    if (i == n && n + 2 <= sizeof f->buf) {
        char *o = room(f, n + 2);
        o[0] = '"';
        memcpy(o + 1, s, n);
        o[n + 1] = '"';
        f->n += n + 2;
        return;
    }
    jw_raw_string_slow(f, s, n);
}

static void jw_raw_string_slow(struct jw *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    put_c(f, '"');
    for (size_t i = 0; i < n; i++) {
        /* Runs of plain printable ASCII, the usual case, go out in one write. */
        size_t run = i;
        while (n - run >= 8) { /* 8 bytes a step on long strings */
            uint64_t x;
            memcpy(&x, u + run, 8);
            if (!word_plain(x))
                break;
            run += 8;
        }
        while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\')
            run++;
        if (run > i) {
            put_mem(f, u + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            put_c(f, '\\');
            put_c(f, (char)c);
        } else if (c == '\n') {
            put_mem(f, "\\n", 2);
        } else if (c == '\r') {
            put_mem(f, "\\r", 2);
        } else if (c == '\t') {
            put_mem(f, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put_mem(f, esc, sizeof esc);
        } else if (c < 0x80) {
            put_c(f, (char)c);
        } else {
            /* Pass well-formed UTF-8 through; map any other byte to U+FFFD. */
            size_t len = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                         : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
            bool ok = len > 0 && i + len <= n;
            for (size_t k = 1; ok && k < len; k++)
                ok = (u[i + k] & 0xc0) == 0x80;
            if (ok) {
                put_mem(f, u + i, len);
                i += len - 1;
            } else {
                put_mem(f, "\\ufffd", 6);
            }
        }
    }
    put_c(f, '"');
}

/* Decimal without printf: reports write millions of numbers. Written
 * straight into the buffer, two digits a step. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static void put_u64(struct jw *w, uint64_t v)
{
    size_t len = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        len++;
    char *o = room(w, 20); /* UINT64_MAX has 20 digits */
    size_t i = len;
    while (v >= 100) {
        i -= 2;
        memcpy(o + i, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        i -= 2;
        memcpy(o + i, digit_pairs + 2 * v, 2);
    } else {
        o[--i] = (char)('0' + v);
    }
    w->n += len;
}

void jw_key_n(struct jw *w, const char *key, size_t n)
{
    /* Keys are the program's own literals (plain ASCII, nothing to escape). */
    if (n + 4 + INDENT_MAX > sizeof w->buf) {
        jw_next(w);
        put_c(w, '"');
        put_mem(w, key, n);
        put_mem(w, "\": ", w->pretty ? 3 : 2);
        w->after_key = true;
        return;
    }
    char *o = room(w, n + 4 + INDENT_MAX);
    size_t k = 0;
    if (w->after_key) {
        w->after_key = false;
    } else {
        if (w->depth > 0) {
            if (!w->first[w->depth])
                o[k++] = ',';
            if (w->pretty)
                k += indent_at(w, o + k);
        }
        w->first[w->depth] = false;
    }
    o[k++] = '"';
    memcpy(o + k, key, n);
    k += n;
    o[k++] = '"';
    o[k++] = ':';
    if (w->pretty)
        o[k++] = ' ';
    w->n += k;
    w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
    if (s == NULL) {
        jw_null(w);
        return;
    }
    /* The end by strlen, then whether any byte needs escaping eight bytes
     * a step: the usual plain string is then one copy. */
    size_t n = strlen(s);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        if (!word_plain(x))
            break;
    }
    while (i < n && !needs_care[u[i]])
        i++;
    if (i < n || n + 2 > sizeof w->buf) {
        jw_strn(w, s, n);
        return;
    }
    jw_next(w);
    char *o = room(w, n + 2);
    o[0] = '"';
    memcpy(o + 1, s, n);
    o[n + 1] = '"';
    w->n += n + 2;
    jw_done(w);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    jw_next(w);
    jw_raw_string(w, s, n);
    jw_done(w);
}

void jw_int(struct jw *w, int64_t v)
{
    jw_next(w);
    if (v < 0) {
        put_c(w, '-');
        put_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(w, (uint64_t)v);
    }
    jw_done(w);
}

void jw_uint(struct jw *w, uint64_t v)
{
    jw_next(w);
    put_u64(w, v);
    jw_done(w);
}

void jw_double(struct jw *w, double v)
{
    jw_next(w);
    if (!isfinite(v)) {
        put_mem(w, "null", 4);
    } else {
        char b[64];
        int k = snprintf(b, sizeof b, "%.3f", v);
        if (k > 0)
            put_mem(w, b, (size_t)k < sizeof b ? (size_t)k : sizeof b - 1);
    }
    jw_done(w);
}

void jw_bool(struct jw *w, bool v)
{
    jw_next(w);
    put_s(w, v ? "true" : "false");
    jw_done(w);
}

void jw_null(struct jw *w)
{
    jw_next(w);
    put_mem(w, "null", 4);
    jw_done(w);
}

void jw_time(struct jw *w, ts_ns t)
{
    char buf[ISO_TIME_MAX];
    ts_format_iso(t, buf);
    jw_str(w, buf);
}

void jw_endpoint(struct jw *w, const struct ip_addr *a, uint16_t port)
{
    char buf[ENDPOINT_STR_MAX];
    endpoint_format(a, port, buf);
    jw_str(w, buf);
}

void jw_ip(struct jw *w, const struct ip_addr *a)
{
    char buf[IP_ADDR_STR_MAX];
    ip_addr_format(a, buf);
    jw_str(w, buf);
}

