/* netaddr.h: IP addresses, endpoints, flow keys and capture time. */
#ifndef SIPSEC_NETADDR_H
#define SIPSEC_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IPv4 addresses sit in the first 4 bytes, the rest zero, so keys hash
 * and compare the same way for both families. */
struct ip_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t b[16];
};

enum { IP_ADDR_STR_MAX = 48, ENDPOINT_STR_MAX = 56 };

/* "1.2.3.4" or "2001:db8::1"; these formatters return the length written (without the NUL). */
size_t ip_addr_format(const struct ip_addr *a, char out[IP_ADDR_STR_MAX]);
/* "1.2.3.4:5060" or "[2001:db8::1]:5060", as SPEC's endpoints */
size_t endpoint_format(const struct ip_addr *a, uint16_t port, char out[ENDPOINT_STR_MAX]);
bool ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b);
int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b);
bool ip_addr_parse(const char *s, struct ip_addr *out);
/* The same over s[0..n) (up to a NUL in it, as the C string would end there). */
bool ip_addr_parse_n(const char *s, size_t n, struct ip_addr *out);

enum l4_proto { L4_TCP = 6, L4_UDP = 17, L4_ESP = 50 };

/* A unidirectional 5-tuple as seen on the wire. */
struct flow_key {
    struct ip_addr src, dst;
    uint16_t sport, dport;
    uint8_t proto;
};

/* The same key with the ends swapped. */
struct flow_key flow_key_reverse(const struct flow_key *k);
bool flow_key_eq(const struct flow_key *a, const struct flow_key *b);
/* splitmix64's finalizer: cheap, and every input bit moves every output
 * bit. The one mixer behind every hash table in capture/; inline, as the
 * flow and media lookups call it two or three times a packet. */
static inline uint64_t hash_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
/* Direction-independent hash: a key and its reverse hash alike. */
uint64_t flow_key_hash(const struct flow_key *k, uint64_t seed);

/* Capture time in nanoseconds since the epoch (pcapng may carry ns). */
typedef int64_t ts_ns;

/* Seconds + nanoseconds as capture time, saturating: a crafted pcapng
 * timestamp (64 bits of ticks) can hold seconds whose nanoseconds overflow. */
static inline ts_ns ts_from_sec_ns(int64_t sec, int64_t ns)
{
    const int64_t max_sec = (INT64_MAX - 999999999) / 1000000000;
    if (sec > max_sec)
        return INT64_MAX;
    if (sec < -max_sec)
        return -INT64_MAX;
    return sec * 1000000000 + ns;
}

/* "2024-01-02T03:04:05.123456Z" */
enum { ISO_TIME_MAX = 40 };
size_t ts_format_iso(ts_ns t, char out[ISO_TIME_MAX]);
bool ts_parse_iso(const char *s, ts_ns *out);

/* Where an event came from: packet number (1-based) and time. */
struct frame_ref {
    uint64_t frame;
    ts_ns ts;
};

#endif
