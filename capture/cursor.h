/* cursor.h: the only way sipsec reads packet bytes; every read is bounds-checked. */
#ifndef SIPSEC_CURSOR_H
#define SIPSEC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct cur cur_make(const void *p, size_t n);
size_t cur_left(const struct cur *c);
bool cur_ok(const struct cur *c);

uint8_t cur_u8(struct cur *c);
uint16_t cur_be16(struct cur *c);
uint32_t cur_be24(struct cur *c);
uint32_t cur_be32(struct cur *c);
uint64_t cur_be64(struct cur *c);
uint16_t cur_le16(struct cur *c);
uint32_t cur_le32(struct cur *c);

/* Peek without moving; false (and *out untouched) when fewer bytes remain. */
bool cur_peek_u8(const struct cur *c, size_t at, uint8_t *out);
bool cur_peek_be16(const struct cur *c, size_t at, uint16_t *out);

bool cur_skip(struct cur *c, size_t n);
bool cur_copy(struct cur *c, void *dst, size_t n);
/* Child cursor over the next n bytes; too few bytes marks c short and
 * returns an empty, short child. */
struct cur cur_take(struct cur *c, size_t n);
/* The rest of c as a span; c is left empty. */
struct span cur_rest(struct cur *c);
struct span cur_span(const struct cur *c);

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

#endif
