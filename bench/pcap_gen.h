/*
 * pcap_gen.h: the classic pcap writer bench/gen.c and bench/gen_tls.c share: file header,
 * packet records with a capture clock, Ethernet + IPv4 and TCP header building, big- and
 * little-endian stores. Header-only (everything static) because each generator is built alone
 * from its one .c file (bench/run.sh, bench/tls.sh: cc -O2 gen.c).
 *
 * Link type Ethernet, microsecond timestamps, snaplen 65535. IPv4 header checksums are
 * correct; UDP and TCP checksums are 0/unchecked, as with checksum offload. One file per
 * program: the state below is the file being written.
 */
#ifndef BENCH_PCAP_GEN_H
#define BENCH_PCAP_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static FILE *out;                                    /* the pcap being written */
static uint64_t now_us = 1767225600ull * 1000000ull; /* capture clock: 2026-01-01T00:00:00Z */
static uint64_t written, packets;                    /* bytes (header included), records */

enum { PCAP_ETH_IP4_LEN = 14 + 20 };

static inline void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); put16(p + 1, v & 0xffff); }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static inline void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Opens path for writing with a 1 MiB buffer and writes the file header; NULL (errno set) if
 * the file cannot be created. */
static inline FILE *pcap_gen_open(const char *path)
{
    static char iobuf[1 << 20];
    uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };

    out = fopen(path, "wb");
    if (out == NULL)
        return NULL;
    setvbuf(out, iobuf, _IOFBF, sizeof iobuf);
    le32(hdr + 16, 65535);
    le32(hdr + 20, 1); /* LINKTYPE_ETHERNET */
    fwrite(hdr, 1, sizeof hdr, out);
    written = sizeof hdr;
    return out;
}

/* Writes the Ethernet header and an IPv4 header (IP ID = the record's number, DF, TTL 64)
 * for l4len bytes of protocol proto into frame[0..PCAP_ETH_IP4_LEN). */
static inline void pcap_gen_eth_ip4(uint8_t *frame, uint32_t src, uint32_t dst, uint8_t proto,
                                    size_t l4len)
{
    uint8_t *ip = frame + 14;
    uint32_t sum = 0;

    memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(20 + l4len));
    put16(ip + 4, (unsigned)(packets & 0xffff));
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, ~sum & 0xffff);
}

/* Writes a 20-byte TCP header (no options, window 65535, checksum 0) at p. */
static inline void pcap_gen_tcp(uint8_t *p, unsigned sport, unsigned dport, uint32_t seq,
                                uint32_t ack, uint8_t flags)
{
    put16(p, sport);
    put16(p + 2, dport);
    put32(p + 4, seq);
    put32(p + 8, ack);
    p[12] = 5 << 4;
    p[13] = flags;
    put16(p + 14, 65535);
    put16(p + 16, 0);
    put16(p + 18, 0);
}

/* Advances the capture clock by step_us and writes frame[0..len) as one record. */
static inline void pcap_gen_record(const uint8_t *frame, size_t len, unsigned step_us)
{
    uint8_t rec[16];

    now_us += step_us;
    le32(rec, (uint32_t)(now_us / 1000000));
    le32(rec + 4, (uint32_t)(now_us % 1000000));
    le32(rec + 8, (uint32_t)len);
    le32(rec + 12, (uint32_t)len);
    fwrite(rec, 1, 16, out);
    fwrite(frame, 1, len, out);
    written += 16 + len;
    packets++;
}

#endif
