/* netaddr.c: formatting, comparing and hashing addresses and flow keys. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Decimal digits of v at out, returns the length (reports format millions of these). */
static size_t put_dec(char *out, unsigned v)
{
    char b[10];
    size_t n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = b[n - 1 - i];
    return n;
}

void ip_addr_format(const struct ip_addr *a, char out[IP_ADDR_STR_MAX])
{
    if (a->family != 6) { /* dotted quad by hand: inet_ntop + its checks cost more than the rest */
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            if (i)
                out[n++] = '.';
            n += put_dec(out + n, a->b[i]);
        }
        out[n] = '\0';
        return;
    }
    if (inet_ntop(AF_INET6, a->b, out, IP_ADDR_STR_MAX) == NULL)
        snprintf(out, IP_ADDR_STR_MAX, "?");
}

void endpoint_format(const struct ip_addr *a, uint16_t port, char out[ENDPOINT_STR_MAX])
{
    char ip[IP_ADDR_STR_MAX];
    ip_addr_format(a, ip);
    if (a->family == 6) {
        snprintf(out, ENDPOINT_STR_MAX, "[%s]:%u", ip, port);
        return;
    }
    size_t n = strlen(ip); /* at most 15 */
    memcpy(out, ip, n);
    out[n++] = ':';
    n += put_dec(out + n, port);
    out[n] = '\0';
}

bool ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->b, b->b, 16);
}

bool ip_addr_parse(const char *s, struct ip_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->b) == 1) {
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1) {
        out->family = 6;
        return true;
    }
    return false;
}

struct flow_key flow_key_reverse(const struct flow_key *k)
{
    struct flow_key r = *k;
    r.src = k->dst;
    r.dst = k->src;
    r.sport = k->dport;
    r.dport = k->sport;
    return r;
}

bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return a->proto == b->proto && a->sport == b->sport && a->dport == b->dport &&
           ip_addr_eq(&a->src, &b->src) && ip_addr_eq(&a->dst, &b->dst);
}

uint64_t hash_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_end(const struct ip_addr *a, uint16_t port)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    return hash_mix64(w0 ^ hash_mix64(w1 ^ ((uint64_t)port << 8) ^ a->family));
}

uint64_t flow_key_hash(const struct flow_key *k, uint64_t seed)
{
    /* Sum of the two ends' hashes: symmetric, so both directions meet. */
    return hash_mix64(seed ^ k->proto ^ (hash_end(&k->src, k->sport) + hash_end(&k->dst, k->dport)));
}

void ts_format_iso(ts_ns t, char out[ISO_TIME_MAX])
{
    int64_t sec = t / 1000000000;
    int64_t ns = t % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    time_t tt = (time_t)sec;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(out, ISO_TIME_MAX, "1970-01-01T00:00:00.000000Z");
        return;
    }
    /* Years past 9999 would not fit the format: clamp, they are bogus anyway. */
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999)
        year = year < 0 ? 0 : 9999;
    /* "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" by hand: reports write two per call */
    int us = (int)(ns / 1000) % 1000000;
    int f[] = { year, (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
                tm.tm_sec % 100, us };
    static const int width[] = { 4, 2, 2, 2, 2, 2, 6 };
    static const char sep[] = "--T::.Z";
    size_t n = 0;
    for (int i = 0; i < 7; i++) {
        for (int d = width[i] - 1, v = f[i]; d >= 0; d--, v /= 10)
            out[n + (size_t)d] = (char)('0' + v % 10);
        n += (size_t)width[i];
        out[n++] = sep[i];
    }
    out[n] = '\0';
}

bool ts_parse_iso(const char *s, ts_ns *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return false;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m2) != 3)
            return false;
        p += 1 + m2;
    }
    int64_t frac_ns = 0;
    if (*p == '.') {
        int64_t scale = 100000000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac_ns += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *out = (ts_ns)t * 1000000000 + frac_ns;
    return true;
}
