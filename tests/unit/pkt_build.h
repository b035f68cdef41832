/* pkt_build.h: tiny builders for hand-made packets in unit tests. */
#ifndef SIPSEC_TEST_PKT_BUILD_H
#define SIPSEC_TEST_PKT_BUILD_H

#include <stdint.h>
#include <string.h>

struct pkt {
    uint8_t b[4096];
    size_t n;
};

static inline void put8(struct pkt *p, uint8_t v) { p->b[p->n++] = v; }
static inline void put16(struct pkt *p, uint16_t v) { put8(p, (uint8_t)(v >> 8)); put8(p, (uint8_t)v); }
static inline void put32(struct pkt *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p, (uint16_t)v); }
static inline void putn(struct pkt *p, const void *d, size_t n) { memcpy(p->b + p->n, d, n); p->n += n; }
static inline void putz(struct pkt *p, size_t n) { memset(p->b + p->n, 0, n); p->n += n; }

static inline void eth(struct pkt *p, uint16_t type)
{
    putz(p, 12);
    put16(p, type);
}

/* IPv4 header without options; total covers payload_len. */
static inline void ipv4(struct pkt *p, uint8_t proto, uint32_t src, uint32_t dst, uint16_t payload_len,
                        uint16_t id, uint16_t frag)
{
    put8(p, 0x45);
    put8(p, 0);
    put16(p, (uint16_t)(20 + payload_len));
    put16(p, id);
    put16(p, frag);
    put8(p, 64);
    put8(p, proto);
    put16(p, 0);
    put32(p, src);
    put32(p, dst);
}

static inline void ipv6(struct pkt *p, uint8_t nh, uint8_t last_src, uint8_t last_dst, uint16_t plen)
{
    put32(p, 0x60000000);
    put16(p, plen);
    put8(p, nh);
    put8(p, 64);
    putz(p, 15);
    put8(p, last_src);
    putz(p, 15);
    put8(p, last_dst);
}

static inline void udp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t payload_len)
{
    put16(p, sport);
    put16(p, dport);
    put16(p, (uint16_t)(8 + payload_len));
    put16(p, 0);
}

static inline void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
    put16(p, sport);
    put16(p, dport);
    put32(p, seq);
    put32(p, ack);
    put8(p, 5 << 4);
    put8(p, flags);
    put16(p, 65535);
    put32(p, 0);
}

#endif
