/*
 * gen.c: writes a large classic pcap (Ethernet, microsecond timestamps) for the benchmark:
 * many concurrent RTP-like UDP flows and TCP connections, interleaved packet by packet.
 *
 *   gen OUT.pcap MEGABYTES [RTP_FLOWS [TCP_FLOWS [SEGMENTS]]]
 *                                  defaults: 4000 RTP, 1000 TCP, SEGMENTS 0
 *
 * Three packets in four are RTP (12-byte RTP header + 160 bytes of PCMU, 20 ms apart per
 * flow); one in four is a TCP segment of 1460 bytes to port 5061 carrying one TLS
 * application_data record. Every TCP connection opens with a real
 * three-way handshake and carries data segments with correct sequence numbers (the receiver
 * ACKs every second one). With SEGMENTS > 0 a connection closes with FIN/ACK both ways after
 * that many data segments and is replaced by a new one (new source port), so the flow table
 * and the report see connections come and go; with 0 the connections last the whole file,
 * so the state sipsec must keep is the same whatever the file size. Addresses: RTP from
 * 10.1.x.y to 10.2.x.y, TCP from 10.3.x.y to 10.4.x.y port 5061. IPv4 header checksums are
 * correct; UDP and TCP checksums are 0/unchecked, as with checksum offload.
 *
 * Deterministic: the same arguments give the same file. Not part of sipsec; built by
 * bench/run.sh with cc -O2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static uint64_t now_us = 1767225600ull * 1000000ull; /* 2026-01-01T00:00:00Z */
static uint64_t written, packets;

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Writes one record: Ethernet + IPv4 header built here, L4 header + payload given. */
static void emit(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t l4len)
{
    static uint8_t frame[2048];
    uint8_t rec[16];
    size_t len = 14 + 20 + l4len;
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
    memcpy(ip + 20, l4, l4len);

    now_us += 5;
    le32(rec, (uint32_t)(now_us / 1000000));
    le32(rec + 4, (uint32_t)(now_us % 1000000));
    le32(rec + 8, (uint32_t)len);
    le32(rec + 12, (uint32_t)len);
    fwrite(rec, 1, 16, out);
    fwrite(frame, 1, len, out);
    written += 16 + len;
    packets++;
}

struct rtp { uint16_t seq; uint32_t ts, ssrc; };
struct tcp { uint16_t sport; uint32_t cseq, sseq; int state, sent; };
static int segments_per_conn; /* 0: connections never close */

static void udp_rtp(int i, struct rtp *r)
{
    uint8_t b[8 + 12 + 160];
    uint32_t src = 0x0a010000u | (uint32_t)i, dst = 0x0a020000u | (uint32_t)i;

    put16(b, (unsigned)(20000 + 2 * (i % 10000)));
    put16(b + 2, (unsigned)(30000 + 2 * (i % 10000)));
    put16(b + 4, sizeof b);
    put16(b + 6, 0);
    b[8] = 0x80;
    b[9] = 0; /* PCMU */
    put16(b + 10, r->seq++);
    put32(b + 12, r->ts);
    r->ts += 160;
    put32(b + 16, r->ssrc);
    memset(b + 20, 0xff, 160); /* mu-law silence */
    emit(src, dst, 17, b, sizeof b);
}

static void tcp_seg(uint32_t src, uint32_t dst, unsigned sport, unsigned dport, uint32_t seq,
                    uint32_t ack, uint8_t flags, size_t paylen)
{
    static uint8_t b[20 + 1460];

    put16(b, sport);
    put16(b + 2, dport);
    put32(b + 4, seq);
    put32(b + 8, ack);
    b[12] = 5 << 4;
    b[13] = flags;
    put16(b + 14, 65535);
    put16(b + 16, 0);
    put16(b + 18, 0);
    /* Each data segment is one TLS 1.2 application_data record (5-byte header + 1455 bytes
     * of pseudo-ciphertext), as on a SIP-over-TLS connection after its handshake. */
    if (paylen >= 5) {
        b[20] = 0x17;
        b[21] = 0x03;
        b[22] = 0x03;
        put16(b + 23, (unsigned)(paylen - 5));
        for (size_t k = 5; k < paylen; k++)
            b[20 + k] = (uint8_t)(seq * 31u + k * 7u);
    }
    emit(src, dst, 6, b, 20 + paylen);
}

enum { SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01 };

/* One step of connection i: handshake, data, close, then a fresh connection. */
static void tcp_step(int i, struct tcp *t)
{
    uint32_t c = 0x0a030000u | (uint32_t)i, s = 0x0a040000u | (uint32_t)i;

    switch (t->state) {
    case 0:
        t->cseq = 0x10000000u * (uint32_t)(i % 16) + t->sport * 7919u; /* wraps for some */
        t->sseq = 0xfff00000u + (uint32_t)i;
        tcp_seg(c, s, t->sport, 5061, t->cseq, 0, SYN, 0);
        t->state = 1;
        break;
    case 1:
        tcp_seg(s, c, 5061, t->sport, t->sseq, t->cseq + 1, SYN | ACK, 0);
        t->cseq++;
        t->sseq++;
        t->state = 2;
        break;
    case 2:
        tcp_seg(c, s, t->sport, 5061, t->cseq, t->sseq, ACK | PSH, 1460);
        t->cseq += 1460;
        if (++t->sent % 2 == 0)
            tcp_seg(s, c, 5061, t->sport, t->sseq, t->cseq, ACK, 0);
        if (segments_per_conn > 0 && t->sent == segments_per_conn)
            t->state = 3;
        break;
    case 3:
        tcp_seg(c, s, t->sport, 5061, t->cseq, t->sseq, FIN | ACK, 0);
        tcp_seg(s, c, 5061, t->sport, t->sseq, t->cseq + 1, FIN | ACK, 0);
        tcp_seg(c, s, t->sport, 5061, t->cseq + 1, t->sseq + 1, ACK, 0);
        t->sport = (uint16_t)(t->sport + 1 < 1024 ? 1024 : t->sport + 1);
        t->sent = 0;
        t->state = 0;
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.pcap MEGABYTES [RTP_FLOWS [TCP_FLOWS [SEGMENTS]]]\n",
                argv[0]);
        return 64;
    }
    uint64_t limit = strtoull(argv[2], NULL, 10) * 1000000ull;
    int nrtp = argc > 3 ? atoi(argv[3]) : 4000, ntcp = argc > 4 ? atoi(argv[4]) : 1000;
    segments_per_conn = argc > 5 ? atoi(argv[5]) : 0;
    if (nrtp < 1 || nrtp > 65535 || ntcp < 1 || ntcp > 65535) {
        fprintf(stderr, "gen: flows must be 1..65535\n");
        return 64;
    }
    struct rtp *r = calloc((size_t)nrtp, sizeof *r);
    struct tcp *t = calloc((size_t)ntcp, sizeof *t);
    out = fopen(argv[1], "wb");
    if (!r || !t || !out) {
        perror("gen");
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    for (int i = 0; i < nrtp; i++) {
        r[i].ssrc = 0x5e000000u + (uint32_t)i * 2654435761u % 0xffffff;
        r[i].seq = (uint16_t)(i * 97);
    }
    for (int i = 0; i < ntcp; i++)
        t[i].sport = (uint16_t)(40000 + i);

    uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    le32(hdr + 16, 65535);
    le32(hdr + 20, 1); /* LINKTYPE_ETHERNET */
    fwrite(hdr, 1, 24, out);
    written = 24;

    uint64_t n = 0;
    int ri = 0, ti = 0;
    while (written < limit) {
        if (n++ % 4 != 3) {
            udp_rtp(ri, &r[ri]);
            ri = (ri + 1) % nrtp;
        } else {
            tcp_step(ti, &t[ti]);
            ti = (ti + 1) % ntcp;
        }
    }
    if (fclose(out) != 0) {
        perror("gen");
        return 1;
    }
    printf("%s: %llu packets, %llu bytes\n", argv[1], (unsigned long long)packets,
           (unsigned long long)written);
    free(r);
    free(t);
    return 0;
}
