/* json_writer.h: a streaming JSON writer (RFC 8259) with fixed key order. */
#ifndef SIPSEC_JSON_WRITER_H
#define SIPSEC_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

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

#endif
