/* netaddr.c: formatting, comparing and hashing addresses and flow keys. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* "00" .. "99": two digits a step. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static void put2(char *o, unsigned v)
{
    memcpy(o, digit_pairs + 2 * v, 2);
}

/* Decimal digits of v at out, returns the length (reports format millions
 * of these: octets and ports), two digits a step from the table. */
static size_t put_dec(char *out, unsigned v)
{
    if (v < 10) {
        out[0] = (char)('0' + v);
        return 1;
    }
    if (v < 100) {
        put2(out, v);
        return 2;
    }
    if (v < 1000) {
        out[0] = (char)('0' + v / 100);
        put2(out + 1, v % 100);
        return 3;
    }
    if (v < 10000) {
        put2(out, v / 100);
        put2(out + 2, v % 100);
        return 4;
    }
    if (v < 100000) {
        out[0] = (char)('0' + v / 10000);
        put2(out + 1, v / 100 % 100);
        put2(out + 3, v % 100);
        return 5;
    }
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

/* Each octet's decimal digits, then their count in the last byte: a
 * dotted quad is four copies (reports write two per call and one per SDP). */
#define OCTET(v) { (char)('0' + ((v) >= 100 ? (v) / 100 : (v) >= 10 ? (v) / 10 : (v))), \
                   (char)((v) >= 100 ? '0' + (v) / 10 % 10 : (v) >= 10 ? '0' + (v) % 10 : 0), \
                   (char)((v) >= 100 ? '0' + (v) % 10 : 0), (char)(1 + ((v) >= 10) + ((v) >= 100)) }
#define OCTET4(v) OCTET(v), OCTET((v) + 1), OCTET((v) + 2), OCTET((v) + 3)
#define OCTET16(v) OCTET4(v), OCTET4((v) + 4), OCTET4((v) + 8), OCTET4((v) + 12)
#define OCTET64(v) OCTET16(v), OCTET16((v) + 16), OCTET16((v) + 32), OCTET16((v) + 48)
static const char octet_text[256][4] = { OCTET64(0), OCTET64(64), OCTET64(128), OCTET64(192) };

size_t ip_addr_format(const struct ip_addr *a, char out[IP_ADDR_STR_MAX])
{
    if (a->family != 6) { /* dotted quad by hand: inet_ntop + its checks cost more than the rest */
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            const char *t = octet_text[a->b[i]];
            memcpy(out + n, t, 4); /* the count byte lands where the dot goes */
            n += (size_t)t[3];
            out[n++] = '.';
        }
        out[n - 1] = '\0';
        return n - 1;
    }
    if (inet_ntop(AF_INET6, a->b, out, IP_ADDR_STR_MAX) == NULL)
        snprintf(out, IP_ADDR_STR_MAX, "?");
    return strlen(out);
}

size_t endpoint_format(const struct ip_addr *a, uint16_t port, char out[ENDPOINT_STR_MAX])
{
    if (a->family == 6) {
        char ip[IP_ADDR_STR_MAX];
        ip_addr_format(a, ip);
        int k = snprintf(out, ENDPOINT_STR_MAX, "[%s]:%u", ip, port);
        return k < 0 ? 0 : (size_t)k < ENDPOINT_STR_MAX ? (size_t)k : ENDPOINT_STR_MAX - 1;
    }
    size_t n = ip_addr_format(a, out); /* at most 15 */
    out[n++] = ':';
    n += put_dec(out + n, port);
    out[n] = '\0';
    return n;
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

/* One part of a dotted quad at s[*i..n): 0-255, one to three digits, no
 * leading zero. */
static inline bool ipv4_part(const char *s, size_t n, size_t *i, uint8_t *out)
{
    size_t k = *i;
    unsigned v, d;
    if (k >= n || (v = (unsigned)(s[k] - '0')) > 9)
        return false;
    k++;
    if (k < n && (d = (unsigned)(s[k] - '0')) <= 9) {
        if (v == 0)
            return false;
        v = v * 10 + d;
        k++;
        if (k < n && (d = (unsigned)(s[k] - '0')) <= 9) {
            v = v * 10 + d;
            k++;
            if (v > 255)
                return false;
        }
    }
    *out = (uint8_t)v;
    *i = k;
    return true;
}

/* inet_pton(AF_INET) by hand, the same grammar (four decimal parts of at
 * most 255, no leading zeros), over s[0..n) or up to a NUL in it: every
 * SDP c= line is parsed with it. A fourth digit fails on the '.' test. */
static bool parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    if (!ipv4_part(s, n, &i, &out[0]))
        return false;
    for (int part = 1; part < 4; part++) {
        if (i >= n || s[i] != '.')
            return false;
        i++;
        if (!ipv4_part(s, n, &i, &out[part]))
            return false;
    }
    return i == n || s[i] == '\0';
}

bool ip_addr_parse(const char *s, struct ip_addr *out)
{
    return ip_addr_parse_n(s, strlen(s), out);
}

bool ip_addr_parse_n(const char *s, size_t n, struct ip_addr *out)
{
    memset(out, 0, sizeof *out);
    if (parse_ipv4(s, n, out->b)) {
        out->family = 4;
        return true;
    }
    memset(out->b, 0, 4);
    const char *nul = memchr(s, '\0', n);
    if (nul)
        n = (size_t)(nul - s); /* as the C string would end there */
    /* The longest IPv6 text inet_pton takes is 45 characters. */
    char buf[IP_ADDR_STR_MAX];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, out->b) == 1) {
        out->family = 6;
        return true;
    }
    memset(out->b, 0, sizeof out->b);
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

/* Days since 1970-01-01 to a proleptic Gregorian date (the civil-from-days
 * arithmetic of the 400-year cycle): gmtime_r without its locking and
 * time-zone machinery, which cost most of a report's time formatting. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468; /* from 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

size_t ts_format_iso(ts_ns t, char out[ISO_TIME_MAX])
{
    int64_t sec = t / 1000000000;
    int64_t ns = t % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    int64_t days = sec / 86400, sod = sec % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    /* "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" by hand: reports write two per
     * call. The date ("YYYY-MM-DDT") of the last day asked is kept. */
    static _Thread_local int64_t last_days = INT64_MIN;
    static _Thread_local char last_date[11];
    if (days != last_days) {
        int64_t y;
        int mon, mday;
        civil_from_days(days, &y, &mon, &mday);
        /* Years past 9999 would not fit the format: clamp, they are bogus anyway. */
        unsigned year = y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;
        put2(last_date, year / 100);
        put2(last_date + 2, year % 100);
        last_date[4] = '-';
        put2(last_date + 5, (unsigned)mon);
        last_date[7] = '-';
        put2(last_date + 8, (unsigned)mday);
        last_days = days;
    }
    memcpy(out, last_date, 10);
    out[10] = 'T';
    unsigned s = (unsigned)sod, us = (unsigned)(ns / 1000) % 1000000;
    put2(out + 11, s / 3600);
    out[13] = ':';
    put2(out + 14, s / 60 % 60);
    out[16] = ':';
    put2(out + 17, s % 60);
    out[19] = '.';
    put2(out + 20, us / 10000);
    put2(out + 22, us / 100 % 100);
    put2(out + 24, us % 100);
    out[26] = 'Z';
    out[27] = '\0';
    return 27;
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
