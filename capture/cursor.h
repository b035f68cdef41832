/* cursor.h: the only way sipsec reads packet bytes; every read is bounds-checked. */
#ifndef SIPSEC_CURSOR_H
#define SIPSEC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A borrowed run of bytes; it never owns memory. */
struct span {
    const uint8_t *p;
    size_t n;
};

/*
 * A read window over borrowed bytes. Once a read wants more than is left,
 * short_read latches, every later getter returns 0 and moves nothing, so a
 * parser reads straight down and checks short_read once at the end.
 */
struct cur {
    const uint8_t *p;   /* next unread byte */
    const uint8_t *end; /* one past the last byte this cursor may read */
    bool short_read;
};

/* Small getters (cur_make, cur_left, cur_ok, cur_u8, cur_be16, cur_be32,
 * cur_peek_u8, cur_peek_be16, cur_skip, cur_take, cur_span, cur_rest) are
 * inline at the end of this file. Their contracts:
 *   cur_u8/be16/be32: the value, or 0 once short (nothing moves);
 *   cur_peek_*: without moving; false (and *out untouched) when fewer bytes remain;
 *   cur_skip: false and short when fewer than n bytes remain;
 *   cur_take: child cursor over the next n bytes; too few bytes marks c short
 *     and returns an empty, short child;
 *   cur_span: what is left, as a span (empty once short);
 *   cur_rest: the rest of c as a span; c is left empty. */
uint32_t cur_be24(struct cur *c);
uint64_t cur_be64(struct cur *c);
uint16_t cur_le16(struct cur *c);
uint32_t cur_le32(struct cur *c);

/*
 * One line ending in CRLF (or bare LF): *line gets it without the ending.
 * Returns false, moving nothing, when no line end occurs within max bytes
 * or before the end of the window (short_read is not latched: the caller
 * may simply need more data).
 */
bool cur_line(struct cur *c, struct span *line, size_t max);

/* Strict decimal parse of a whole span into *out (no sign, no spaces,
 * no overflow past max). */
bool span_to_u64(struct span s, uint64_t max, uint64_t *out);
bool span_eq(struct span s, const char *lit);
bool span_starts_with(struct span s, const char *lit);
bool span_case_eq(struct span s, const char *lit);

/*
 * The getters run for every header field of every packet, so they are
 * inline here (the bounds rules are the same as the rest of cursor.c).
 */

static inline struct cur cur_make(const void *p, size_t n)
{
    /* NULL + 0 is undefined behaviour: check before any arithmetic. */
    if (p == NULL) {
        struct cur empty = { .p = NULL, .end = NULL, .short_read = false };
        return empty;
    }
    struct cur c = { .p = p, .end = (const uint8_t *)p + n, .short_read = false };
    return c;
}

static inline size_t cur_left(const struct cur *c)
{
    return (size_t)(c->end - c->p);
}

static inline bool cur_ok(const struct cur *c)
{
    return !c->short_read;
}

/* Compare against what is left, never pointer + n: that may overflow. */
static inline bool cur_want(struct cur *c, size_t n)
{
    if (c->short_read)
        return false;
    if (n > cur_left(c)) {
        c->short_read = true;
        return false;
    }
    return true;
}

static inline uint8_t cur_u8(struct cur *c)
{
    if (!cur_want(c, 1))
        return 0;
    return *c->p++;
}

static inline uint16_t cur_be16(struct cur *c)
{
    if (!cur_want(c, 2))
        return 0;
    uint16_t v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return v;
}

static inline uint32_t cur_be32(struct cur *c)
{
    if (!cur_want(c, 4))
        return 0;
    uint32_t v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
                 ((uint32_t)c->p[2] << 8) | c->p[3];
    c->p += 4;
    return v;
}

static inline bool cur_peek_u8(const struct cur *c, size_t at, uint8_t *out)
{
    if (c->short_read || at >= cur_left(c))
        return false;
    *out = c->p[at];
    return true;
}

static inline bool cur_peek_be16(const struct cur *c, size_t at, uint16_t *out)
{
    if (c->short_read || cur_left(c) < 2 || at > cur_left(c) - 2)
        return false;
    *out = (uint16_t)((c->p[at] << 8) | c->p[at + 1]);
    return true;
}

/* Inline: an address's 4 or 16 bytes per packet, where a call would cost more than the copy. */
static inline bool cur_copy(struct cur *c, void *dst, size_t n)
{
    if (!cur_want(c, n))
        return false;
    if (n)
        memcpy(dst, c->p, n);
    c->p += n;
    return true;
}

static inline bool cur_skip(struct cur *c, size_t n)
{
    if (!cur_want(c, n))
        return false;
    c->p += n;
    return true;
}

static inline struct cur cur_take(struct cur *c, size_t n)
{
    struct cur child = { .p = c->p, .end = c->p, .short_read = false };
    if (!cur_want(c, n)) {
        child.short_read = true;
        return child;
    }
    child.end = c->p + n;
    c->p += n;
    return child;
}

static inline struct span cur_span(const struct cur *c)
{
    struct span s = { .p = c->p, .n = c->short_read ? 0 : cur_left(c) };
    return s;
}

static inline struct span cur_rest(struct cur *c)
{
    struct span s = cur_span(c);
    c->p = c->end;
    return s;
}

#endif
