/* cursor.c: bounds-checked reads over borrowed bytes (see cursor.h). */
#include "cursor.h"

#include <string.h>

uint32_t cur_be24(struct cur *c)
{
    if (!cur_want(c, 3))
        return 0;
    uint32_t v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
    c->p += 3;
    return v;
}

uint64_t cur_be64(struct cur *c)
{
    if (!cur_want(c, 8))
        return 0;
    uint64_t hi = cur_be32(c);
    return (hi << 32) | cur_be32(c);
}

uint16_t cur_le16(struct cur *c)
{
    if (!cur_want(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->p[0] | (c->p[1] << 8));
    c->p += 2;
    return v;
}

uint32_t cur_le32(struct cur *c)
{
    if (!cur_want(c, 4))
        return 0;
    uint32_t v = c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
                 ((uint32_t)c->p[3] << 24);
    c->p += 4;
    return v;
}

bool cur_line(struct cur *c, struct span *line, size_t max)
{
    if (c->short_read)
        return false;
    size_t left = cur_left(c);
    size_t limit = left < max ? left : max;
    const uint8_t *lf = limit ? memchr(c->p, '\n', limit) : NULL;
    if (lf == NULL)
        return false;
    size_t len = (size_t)(lf - c->p);
    line->p = c->p;
    line->n = (len > 0 && c->p[len - 1] == '\r') ? len - 1 : len;
    c->p = lf + 1;
    return true;
}

bool span_to_u64(struct span s, uint64_t max, uint64_t *out)
{
    if (s.n == 0 || s.n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s.p[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool span_eq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool span_starts_with(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n >= n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool span_case_eq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s.p[i], b = (uint8_t)lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}
