/* json_writer.c: streaming JSON output (see json_writer.h). */
#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void jw_init(struct jw *w, FILE *f, bool pretty)
{
    w->f = f;
    w->pretty = pretty;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void jw_indent(struct jw *w)
{
    if (!w->pretty)
        return;
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Separator before any value or key, unless a key was just written. */
static void jw_next(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->f);
        jw_indent(w);
    }
    w->first[w->depth] = false;
}

static void jw_open(struct jw *w, char c)
{
    jw_next(w);
    fputc(c, w->f);
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
    fputc(c, w->f);
}

void jw_obj_begin(struct jw *w) { jw_open(w, '{'); }
void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
void jw_arr_begin(struct jw *w) { jw_open(w, '['); }
void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

static void jw_raw_string(FILE *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\r') {
            fputs("\\r", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        } else if (c < 0x80) {
            fputc(c, f);
        } else {
            /* Pass well-formed UTF-8 through; map any other byte to U+FFFD. */
            size_t len = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                         : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
            bool ok = len > 0 && i + len <= n;
            for (size_t k = 1; ok && k < len; k++)
                ok = (u[i + k] & 0xc0) == 0x80;
            if (ok) {
                fwrite(u + i, 1, len, f);
                i += len - 1;
            } else {
                fputs("\\ufffd", f);
            }
        }
    }
    fputc('"', f);
}

void jw_key(struct jw *w, const char *key)
{
    jw_next(w);
    jw_raw_string(w->f, key, strlen(key));
    fputs(w->pretty ? ": " : ":", w->f);
    w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
    if (s == NULL) {
        jw_null(w);
        return;
    }
    jw_strn(w, s, strlen(s));
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    jw_next(w);
    jw_raw_string(w->f, s, n);
}

void jw_int(struct jw *w, int64_t v)
{
    jw_next(w);
    fprintf(w->f, "%" PRId64, v);
}

void jw_uint(struct jw *w, uint64_t v)
{
    jw_next(w);
    fprintf(w->f, "%" PRIu64, v);
}

void jw_double(struct jw *w, double v)
{
    jw_next(w);
    if (!isfinite(v))
        fputs("null", w->f);
    else
        fprintf(w->f, "%.3f", v);
}

void jw_bool(struct jw *w, bool v)
{
    jw_next(w);
    fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
    jw_next(w);
    fputs("null", w->f);
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

void jw_kstr(struct jw *w, const char *k, const char *s) { jw_key(w, k); jw_str(w, s); }
void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
void jw_kuint(struct jw *w, const char *k, uint64_t v) { jw_key(w, k); jw_uint(w, v); }
void jw_kdouble(struct jw *w, const char *k, double v) { jw_key(w, k); jw_double(w, v); }
void jw_kbool(struct jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }
void jw_knull(struct jw *w, const char *k) { jw_key(w, k); jw_null(w); }
void jw_ktime(struct jw *w, const char *k, ts_ns t) { jw_key(w, k); jw_time(w, t); }
