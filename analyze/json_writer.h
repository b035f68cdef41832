/* json_writer.h: a streaming JSON writer (RFC 8259) with fixed key order. */
#ifndef SIPSEC_JSON_WRITER_H
#define SIPSEC_JSON_WRITER_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { JW_DEPTH_MAX = 32 };

/* Pretty output: what came last in the current container. */
enum { JW_FIRST, JW_AFTER_VALUE, JW_AFTER_KEY };

/*
 * Writes to a FILE through a small buffer: no document tree in memory, so a
 * report of a million streams costs no more than its output. Commas and indentation are
 * handled here; callers only say what comes next.
 */
struct jw {
    FILE *f;
    size_t n;        /* bytes in buf */
    /* The fast paths (a few stores straight into buf) apply while what they
     * write stays under this: the buffer's size inside a compact document, 0
     * in pretty output and at the top level (where a value ends the document). */
    size_t fast_lim;
    bool pretty;
    uint8_t state;   /* pretty output: JW_FIRST, ... */
    int depth;
    char buf[8192];  /* output is gathered here and written when full or a document ends */
};

void jw_init(struct jw *w, FILE *f, bool pretty);
/* Write out what is buffered. Done by itself whenever a top-level value is
 * complete; mid-document in compact output the last byte stays (it may be a
 * comma a close takes back), so write to the FILE directly only between
 * documents. */
void jw_flush(struct jw *w);
/* key: a literal of the program's own (plain ASCII), written as is; n its length. */
void jw_key_n(struct jw *w, const char *key, size_t n);
/* Any bytes: invalid UTF-8 and control characters are escaped safely. */
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
/* A string ending with a NUL in a char array of cap bytes, every byte of
 * which may be read: its end and whether it needs escaping are found in
 * one pass (no strlen). jw_str_arr() takes the array itself. */
void jw_str_in(struct jw *w, const char *s, size_t cap);
#define jw_str_arr(w, a) jw_str_in((w), (a), sizeof(a))
/* The same, or null when the array's string is empty. */
#define jw_str_arr_or_null(w, a) ((a)[0] ? jw_str_arr((w), (a)) : jw_null(w))
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
/* Fixed 3 decimals: stable across platforms for golden files. */
void jw_double(struct jw *w, double v);
void jw_time(struct jw *w, ts_ns t);
void jw_endpoint(struct jw *w, const struct ip_addr *a, uint16_t port);
void jw_ip(struct jw *w, const struct ip_addr *a);

/*
 * Containers, null and booleans: inline, as a report writes millions. The
 * fast paths are for compact output inside a document with room in the
 * buffer, where every value is followed by its comma at once and a close
 * takes back the last one (json_writer.c); the general paths are these.
 */
void jw_open_slow(struct jw *w, char c);
void jw_close_slow(struct jw *w, char c);
void jw_bool_slow(struct jw *w, bool v);
void jw_null_slow(struct jw *w);

static inline void jw_open(struct jw *w, char c)
{
    size_t at = w->n;
    if (at + 1 <= w->fast_lim && w->depth < JW_DEPTH_MAX - 1) {
        w->buf[at] = c;
        w->n = at + 1;
        w->depth++;
        return;
    }
    jw_open_slow(w, c);
}

static inline void jw_close(struct jw *w, char c)
{
    size_t at = w->n;
    if (at + 2 <= w->fast_lim && w->depth > 1) {
        at -= w->buf[at - 1] == ','; /* at > 0: the last byte is never written out */
        w->buf[at] = c;
        w->buf[at + 1] = ',';
        w->n = at + 2;
        w->depth--;
        return;
    }
    jw_close_slow(w, c);
}

static inline void jw_obj_begin(struct jw *w) { jw_open(w, '{'); }
static inline void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
static inline void jw_arr_begin(struct jw *w) { jw_open(w, '['); }
static inline void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

static inline void jw_null(struct jw *w)
{
    if (w->n + 5 <= w->fast_lim) {
        memcpy(w->buf + w->n, "null,", 5);
        w->n += 5;
        return;
    }
    jw_null_slow(w);
}

static inline void jw_bool(struct jw *w, bool v)
{
    if (w->n + 6 <= w->fast_lim) {
        memcpy(w->buf + w->n, v ? "true," : "false", 5);
        w->buf[w->n + 5] = ','; /* after "false"; past "true," and not kept */
        w->n += v ? 5 : 6;
        return;
    }
    jw_bool_slow(w, v);
}

/*
 * A key, and key + value in one call. Inline so that the length of a
 * literal key is known at compile time (reports write millions of keys).
 */
static inline void jw_key(struct jw *w, const char *key)
{
    size_t n = strlen(key);
    /* Compact output, room in the buffer: the key is a few stores (n is a
     * constant here; the comma before it is there already); anything else
     * takes jw_key_n. */
    if (w->n + n + 3 <= w->fast_lim) {
        char *o = w->buf + w->n;
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        w->n += n + 3;
        return;
    }
    jw_key_n(w, key, n);
}
static inline void jw_kstr(struct jw *w, const char *k, const char *s) { jw_key(w, k); jw_str(w, s); } /* NULL: null */
static inline void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
static inline void jw_kuint(struct jw *w, const char *k, uint64_t v) { jw_key(w, k); jw_uint(w, v); }
static inline void jw_kdouble(struct jw *w, const char *k, double v) { jw_key(w, k); jw_double(w, v); }
static inline void jw_kbool(struct jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }
static inline void jw_knull(struct jw *w, const char *k) { jw_key(w, k); jw_null(w); }
static inline void jw_ktime(struct jw *w, const char *k, ts_ns t) { jw_key(w, k); jw_time(w, t); }

/*
 * Pieces: a part of a document (a call, with its SDPs) written by one
 * function two ways. In compact output inside a document it runs in run
 * mode: room is reserved for a section of known bounded size at once
 * (jw_piece_begin, then jp_room for each further section), and its keys
 * and values are plain stores at p->o, no room check or length update per
 * key or value. Otherwise (pretty output, deep nesting) each goes through
 * the jw_ calls above. A string that needs escaping goes the general way
 * in either mode. A piece's containers are balanced, at most
 * JW_PIECE_DEPTH deep; a section is at most JW_PIECE_MAX bytes.
 *
 * A function that writes a piece takes it and returns it by value, and no
 * address of it leaves the function: the bytes written then cannot alias
 * it, and p->o stays in a register rather than being reloaded after each
 * store.
 */
enum { JW_PIECE_MAX = 4096, JW_PIECE_DEPTH = 8 };

struct jw_piece {
    struct jw *w;
    char *o;      /* run mode: the next byte; NULL: through the jw_ calls */
#ifndef NDEBUG
    char *lim;    /* run mode: the end of the section's room, for the assert */
#endif
    /* Two words otherwise: passed and returned in registers. */
};

/* Room for max bytes in compact output inside a document with nesting to
 * spare: where it starts, else NULL. */
char *jw_piece_room(struct jw *w, size_t max);
/* The same in the middle of a run-mode piece (run mode's conditions hold
 * for all of it): a check, and a write out only when the buffer is full. */
char *jw_piece_flush(struct jw *w, size_t max);
static inline char *jw_piece_more(struct jw *w, size_t max)
{
    assert(max <= JW_PIECE_MAX);
    if (max > sizeof w->buf - w->n)
        return jw_piece_flush(w, max);
    return w->buf + w->n;
}

static inline struct jw_piece jw_piece_begin(struct jw *w, size_t max)
{
    char *o = jw_piece_room(w, max);
    struct jw_piece p = { .w = w, .o = o };
#ifndef NDEBUG
    p.lim = o ? o + max : NULL;
#endif
    return p;
}

/* What run mode wrote is kept: the buffer holds it. */
static inline void jw_piece_commit(struct jw_piece *p)
{
    assert(p->o <= p->lim); /* else a section's bound is wrong */
    p->w->n = (size_t)(p->o - p->w->buf);
}

/* The next section, of max bytes at most. */
static inline void jp_room(struct jw_piece *p, size_t max)
{
    if (p->o == NULL)
        return;
    jw_piece_commit(p);
    p->o = jw_piece_more(p->w, max);
#ifndef NDEBUG
    p->lim = p->o + max;
#endif
}

static inline void jw_piece_end(struct jw_piece *p)
{
    if (p->o)
        jw_piece_commit(p);
}

/* Run mode's values at o: each returns the end (after its comma), or NULL
 * when the string needs escaping (o then holds junk, not kept). */
char *jw_put_strn(char *o, const char *s, size_t n);     /* n + 3 bytes */
char *jw_put_uint(char *o, uint64_t v);                  /* 21 bytes */
char *jw_put_int(char *o, int64_t v);                    /* 21 bytes */
char *jw_put_ip(char *o, const struct ip_addr *a);       /* IP_ADDR_STR_MAX + 3 bytes */
char *jw_put_endpoint(char *o, const struct ip_addr *a, uint16_t port); /* ENDPOINT_STR_MAX + 3 */
char *jw_put_time(char *o, ts_ns t);                     /* ISO_TIME_MAX + 3 bytes */

static inline void jp_key(struct jw_piece *p, const char *key)
{
    if (p->o == NULL) {
        jw_key(p->w, key);
        return;
    }
    size_t n = strlen(key);
    p->o[0] = '"';
    memcpy(p->o + 1, key, n);
    p->o[n + 1] = '"';
    p->o[n + 2] = ':';
    p->o += n + 3;
}

static inline void jp_open(struct jw_piece *p, char c)
{
    if (p->o == NULL) {
        jw_open(p->w, c);
        return;
    }
    *p->o++ = c;
}

static inline void jp_close(struct jw_piece *p, char c)
{
    if (p->o == NULL) {
        jw_close(p->w, c);
        return;
    }
    p->o -= p->o[-1] == ','; /* the last element's comma, taken back (see jw_close) */
    p->o[0] = c;
    p->o[1] = ',';
    p->o += 2;
}

static inline void jp_null(struct jw_piece *p)
{
    if (p->o == NULL) {
        jw_null(p->w);
        return;
    }
    memcpy(p->o, "null,", 5);
    p->o += 5;
}

static inline void jp_bool(struct jw_piece *p, bool v)
{
    if (p->o == NULL) {
        jw_bool(p->w, v);
        return;
    }
    memcpy(p->o, v ? "true," : "false", 5);
    p->o[5] = ','; /* after "false"; past "true," and not kept */
    p->o += v ? 5 : 6;
}

static inline void jp_uint(struct jw_piece *p, uint64_t v)
{
    if (p->o == NULL) {
        jw_uint(p->w, v);
    } else if (v < 10) { /* counts, payload types and tags: a third of the numbers */
        p->o[0] = (char)('0' + v);
        p->o[1] = ',';
        p->o += 2;
    } else {
        p->o = jw_put_uint(p->o, v);
    }
}

static inline void jp_int(struct jw_piece *p, int64_t v)
{
    if (p->o == NULL)
        jw_int(p->w, v);
    else
        p->o = jw_put_int(p->o, v);
}

/* Run mode, a string that needs escaping: what came before is kept, the
 * string goes the general way, and the rest of the section gets its room
 * again. */
struct jw_piece jw_piece_escaped(struct jw_piece p, const char *s, size_t n);
struct jw_piece jw_piece_escaped_in(struct jw_piece p, const char *s, size_t cap);

/* Any bytes, as jw_strn. Run mode copies up to JW_PIECE_STR_MAX of them
 * (a section's bound counts that much); longer goes the general way. */
enum { JW_PIECE_STR_MAX = 256 };
static inline void jp_strn(struct jw_piece *p, const char *s, size_t n)
{
    char *e;
    if (p->o == NULL)
        jw_strn(p->w, s, n);
    else if (n <= JW_PIECE_STR_MAX && (e = jw_put_strn(p->o, s, n)) != NULL)
        p->o = e;
    else
        *p = jw_piece_escaped(*p, s, n);
}

/* A name of the program's own (from a table): plain ASCII like a key, so
 * run mode copies it as it is, up to JW_NAME_MAX bytes (a section's bound
 * counts that much; a longer one goes the general way). NULL is null. */
enum { JW_NAME_MAX = 32 };
static inline void jp_name(struct jw_piece *p, const char *s)
{
    if (p->o == NULL) {
        jw_str(p->w, s);
        return;
    }
    if (s == NULL) {
        jp_null(p);
        return;
    }
    /* names are a few bytes: a loop beats strlen and a copy of unknown size */
    char *o = p->o + 1;
    size_t n = 0;
    for (; n < JW_NAME_MAX && s[n]; n++)
        o[n] = s[n];
    if (s[n]) {
        *p = jw_piece_escaped(*p, s, strlen(s));
        return;
    }
    p->o[0] = '"';
    o[n] = '"';
    o[n + 1] = ',';
    p->o = o + n + 2;
}

#if defined(__SSE2__)
/* One bit per byte of x a JSON string cannot hold as it is: controls, '"',
 * '\\', DEL and everything from 0x80 (json_writer.c checks UTF-8 on its
 * slow path). Adding 1 moves DEL and everything from 0x80 below zero
 * (signed) and keeps the controls below 0x21: one compare finds them all. */
static inline unsigned jw_care16(__m128i x)
{
    __m128i m = _mm_cmpgt_epi8(_mm_set1_epi8(0x21), _mm_add_epi8(x, _mm_set1_epi8(1)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    return (unsigned)_mm_movemask_epi8(m);
}

/*
 * A string that ends with a NUL inside a char array of cap bytes (16 at
 * least, all of them set), quoted with its comma at o (cap + 3 bytes
 * free): whole blocks from the start are copied and checked until one
 * holds a byte that needs care or the NUL, the tail of the array as its
 * last 16 bytes; nothing is read outside the array. The end, or NULL when
 * the string was not plain (o then holds junk the caller does not keep).
 * Inline: with the array's size known the blocks unroll.
 */
static inline char *jw_plain_in(char *o, const char *s, size_t cap)
{
    char *q = o + 1;
    unsigned m = 0;
    size_t i = 0;
    for (; i + 16 <= cap; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)(q + i), x);
        m = jw_care16(x);
        if (m)
            break;
    }
    if (m == 0 && i < cap) { /* the bytes from i to the end, shifted down */
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + cap - 16));
        _mm_storeu_si128((__m128i *)(void *)(q + cap - 16), x);
        m = jw_care16(x) >> (i - (cap - 16));
    }
    if (m == 0)
        return NULL; /* no NUL: not this function's kind of string */
    size_t len = i + (size_t)__builtin_ctz(m);
    if (s[len] != '\0')
        return NULL;
    o[0] = '"';
    q[len] = '"';
    q[len + 1] = ',';
    return q + len + 2;
}
#endif

/* Run mode: as jw_str_in, cap + 3 bytes at o. */
static inline char *jw_put_str_in(char *o, const char *s, size_t cap)
{
#if defined(__SSE2__)
    if (cap >= 16)
        return jw_plain_in(o, s, cap);
#endif
    return jw_put_strn(o, s, strnlen(s, cap));
}

static inline void jp_str_in(struct jw_piece *p, const char *s, size_t cap)
{
    char *e;
    if (p->o == NULL)
        jw_str_in(p->w, s, cap);
    else if ((e = jw_put_str_in(p->o, s, cap)) != NULL)
        p->o = e;
    else
        *p = jw_piece_escaped_in(*p, s, cap);
}
#define jp_str_arr(p, a) jp_str_in((p), (a), sizeof(a))
#define jp_str_arr_or_null(p, a) ((a)[0] ? jp_str_arr((p), (a)) : jp_null(p))

static inline void jp_ip(struct jw_piece *p, const struct ip_addr *a)
{
    if (p->o == NULL)
        jw_ip(p->w, a);
    else
        p->o = jw_put_ip(p->o, a);
}

static inline void jp_endpoint(struct jw_piece *p, const struct ip_addr *a, uint16_t port)
{
    if (p->o == NULL)
        jw_endpoint(p->w, a, port);
    else
        p->o = jw_put_endpoint(p->o, a, port);
}

static inline void jp_time(struct jw_piece *p, ts_ns t)
{
    if (p->o == NULL)
        jw_time(p->w, t);
    else
        p->o = jw_put_time(p->o, t);
}

#endif
