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
 * Two more traffic mixes, for the SIP and media benchmarks (bench/run.sh sip, bench/run.sh media):
 *
 *   gen sip OUT.pcap CALLS [CALLS_PER_SECOND]           default 200 calls/s
 *
 * SIP only: CALLS calls started at a steady rate, each INVITE (SDP offer) / 100 / 180 / 200
 * (SDP answer) / ACK / BYE / 200 over 3 s, except one in 20 refused 415 (an RTP/SAVP offer with
 * a=crypto) and one in 20 refused 488 (INVITE / 100 / 4xx / ACK). Half the calls run over UDP
 * between 1000 phones (10.6.x.y:5060) and a PBX (10.7.0.1:5060), half over 200 long-lived TCP
 * connections (10.8.0.x -> 10.7.0.2:5060, one message per segment, real handshake and sequence
 * numbers). So about 3 x CALLS_PER_SECOND calls are live at any time, whatever CALLS is.
 *
 *   gen media OUT.pcap STREAMS PACKETS [LIFE_SECONDS]   default 30 s
 *
 * RTP only: STREAMS concurrent PCMU streams (20 ms, 172-byte RTP packets, 10.10.x.y ->
 * 10.11.x.y), each replaced by a new one (new SSRC and ports) after LIFE_SECONDS, until PACKETS
 * packets are written. Live streams stay STREAMS whatever PACKETS is.
 *
 * Deterministic: the same arguments give the same file. Not part of sipsec; built by
 * bench/run.sh with cc -O2.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_gen.h"

/* Writes one record: Ethernet + IPv4 header built here, L4 header + payload given. */
static void emit(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t l4len)
{
    static uint8_t frame[2048];

    pcap_gen_eth_ip4(frame, src, dst, proto, l4len);
    memcpy(frame + PCAP_ETH_IP4_LEN, l4, l4len);
    pcap_gen_record(frame, PCAP_ETH_IP4_LEN + l4len, 5);
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

    pcap_gen_tcp(b, sport, dport, seq, ack, flags);
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

static void file_open(const char *path)
{
    if (pcap_gen_open(path) == NULL) {
        perror("gen");
        exit(1);
    }
}

static int file_close(const char *path)
{
    if (fclose(out) != 0) {
        perror("gen");
        return 1;
    }
    printf("%s: %llu packets, %llu bytes\n", path, (unsigned long long)packets,
           (unsigned long long)written);
    return 0;
}

/* ---- gen sip ---------------------------------------------------------- */

enum { SIP_UDP_PHONES = 1000, SIP_TCP_CONNS = 200 };

struct sip_conn { uint32_t cseq, sseq; int open; };
static struct sip_conn sip_tcp[SIP_TCP_CONNS];

/* One SIP message from the phone side (to_pbx) or the PBX side of call k. */
static void sip_send(uint32_t k, bool to_pbx, const char *text, size_t len)
{
    bool tcp = k % 2 == 1;
    if (!tcp) {
        uint32_t phone = 0x0a060000u | (1 + k / 2 % SIP_UDP_PHONES);
        uint32_t pbx = 0x0a070001u;
        static uint8_t b[8 + 2048];
        put16(b, 5060);
        put16(b + 2, 5060);
        put16(b + 4, (unsigned)(8 + len));
        put16(b + 6, 0);
        memcpy(b + 8, text, len);
        emit(to_pbx ? phone : pbx, to_pbx ? pbx : phone, 17, b, 8 + len);
        return;
    }
    unsigned ci = k / 2 % SIP_TCP_CONNS;
    struct sip_conn *c = &sip_tcp[ci];
    uint32_t phone = 0x0a080000u | (1 + ci), pbx = 0x0a070002u;
    unsigned sport = 30000 + ci;
    if (!c->open) { /* three-way handshake on first use */
        c->cseq = 0x7000000u * ci + 1;
        c->sseq = 0xfff00000u + ci;
        tcp_seg(phone, pbx, sport, 5060, c->cseq, 0, SYN, 0);
        tcp_seg(pbx, phone, 5060, sport, c->sseq, c->cseq + 1, SYN | ACK, 0);
        c->cseq++;
        c->sseq++;
        tcp_seg(phone, pbx, sport, 5060, c->cseq, c->sseq, ACK, 0);
        c->open = 1;
    }
    static uint8_t b[20 + 2048];
    pcap_gen_tcp(b, to_pbx ? sport : 5060, to_pbx ? 5060 : sport, to_pbx ? c->cseq : c->sseq,
                 to_pbx ? c->sseq : c->cseq, ACK | PSH);
    memcpy(b + 20, text, len);
    emit(to_pbx ? phone : pbx, to_pbx ? pbx : phone, 6, b, 20 + len);
    if (to_pbx)
        c->cseq += (uint32_t)len;
    else
        c->sseq += (uint32_t)len;
}

/* The steps of a call: 0 INVITE .. 6 the 200 to BYE; refused calls: 0, 1, 2 (4xx), 3 ACK. */
enum sip_kind { CALL_OK, CALL_415, CALL_488 };

static enum sip_kind sip_kind_of(uint32_t k)
{
    return k % 20 == 7 ? CALL_415 : k % 20 == 13 ? CALL_488 : CALL_OK;
}

/* Offsets of each step from the INVITE, microseconds. */
static const uint64_t ok_at[7] = { 0, 800, 400000, 1000000, 1001000, 3000000, 3001000 };
static const uint64_t refused_at[4] = { 0, 800, 2000, 3000 };

static void sip_step(uint32_t k, int step)
{
    char text[2048], sdp[512];
    enum sip_kind kind = sip_kind_of(k);
    bool tcp = k % 2 == 1;
    uint32_t host = tcp ? 0x0a080000u | (1 + k / 2 % SIP_TCP_CONNS) : 0x0a060000u | (1 + k / 2 % SIP_UDP_PHONES);
    char phone[20], pbx[20];
    snprintf(phone, sizeof phone, "10.%u.%u.%u", host >> 16 & 255, host >> 8 & 255, host & 255);
    snprintf(pbx, sizeof pbx, "10.7.0.%u", tcp ? 2 : 1);
    const char *tr = tcp ? "TCP" : "UDP";
    const char *start, *cseq_method = "INVITE";
    bool to_pbx = true, with_sdp = false, savp = false;
    unsigned cseq = 1;
    if (kind == CALL_OK) {
        switch (step) {
        case 0: start = "INVITE sip:um@pbx.example.test SIP/2.0"; with_sdp = true; break;
        case 1: start = "SIP/2.0 100 Trying"; to_pbx = false; break;
        case 2: start = "SIP/2.0 180 Ringing"; to_pbx = false; break;
        case 3: start = "SIP/2.0 200 OK"; to_pbx = false; with_sdp = true; break;
        case 4: start = "ACK sip:um@pbx.example.test SIP/2.0"; cseq_method = "ACK"; break;
        case 5: start = "BYE sip:um@pbx.example.test SIP/2.0"; cseq_method = "BYE"; cseq = 2; break;
        default: start = "SIP/2.0 200 OK"; to_pbx = false; cseq_method = "BYE"; cseq = 2; break;
        }
    } else {
        switch (step) {
        case 0: start = "INVITE sip:um@pbx.example.test SIP/2.0"; with_sdp = true; savp = kind == CALL_415; break;
        case 1: start = "SIP/2.0 100 Trying"; to_pbx = false; break;
        case 2: start = kind == CALL_415 ? "SIP/2.0 415 Unsupported Media Type" : "SIP/2.0 488 Not Acceptable Here";
                to_pbx = false; break;
        default: start = "ACK sip:um@pbx.example.test SIP/2.0"; cseq_method = "ACK"; break;
        }
    }
    size_t sdp_len = 0;
    if (with_sdp) {
        const char *who = to_pbx ? phone : pbx;
        unsigned port = 20000 + 2 * (k % 20000);
        sdp_len = (size_t)snprintf(sdp, sizeof sdp,
            "v=0\r\no=- %u 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %u %s 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n%s",
            k, who, who, port, savp ? "RTP/SAVP" : "RTP/AVP",
            savp ? "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n" : "");
    }
    bool resp = start[0] == 'S';
    size_t n = (size_t)snprintf(text, sizeof text,
        "%s\r\n"
        "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%08x%d\r\n"
        "Max-Forwards: 70\r\n"
        "From: \"Phone %u\" <sip:%u@example.test>;tag=%08x\r\n"
        "To: <sip:um@pbx.example.test>%s%s\r\n"
        "Call-ID: bench-%u-%08x@%s\r\n"
        "CSeq: %u %s\r\n"
        "Contact: <sip:%u@%s:5060;transport=%s>\r\n"
        "User-Agent: sipsec-bench\r\n"
        "%s"
        "Content-Length: %zu\r\n\r\n%s",
        start, tr, phone, k * 2654435761u, step == 5 ? 2 : step == 4 ? 3 : 1,
        k % 100000, k % 100000, k * 40503u,
        resp || step >= 4 ? ";tag=" : "", resp || step >= 4 ? "pbx1" : "",
        k, k * 2246822519u, phone, cseq, cseq_method, k % 100000, phone, tcp ? "tcp" : "udp",
        with_sdp ? "Content-Type: application/sdp\r\n" : "", sdp_len, with_sdp ? sdp : "");
    sip_send(k, to_pbx, text, n);
}

/* Pending steps, a binary min-heap on time. */
struct sip_ev { uint64_t at; uint32_t k; int step; };
static struct sip_ev *heap;
static size_t heap_n, heap_cap;

static void heap_push(struct sip_ev e)
{
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 4096;
        heap = realloc(heap, heap_cap * sizeof *heap);
        if (heap == NULL) {
            perror("gen");
            exit(1);
        }
    }
    size_t i = heap_n++;
    while (i > 0 && heap[(i - 1) / 2].at > e.at) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = e;
}

static struct sip_ev heap_pop(void)
{
    struct sip_ev top = heap[0], last = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_n)
            break;
        if (c + 1 < heap_n && heap[c + 1].at < heap[c].at)
            c++;
        if (heap[c].at >= last.at)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_n)
        heap[i] = last;
    return top;
}

static int main_sip(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s sip OUT.pcap CALLS [CALLS_PER_SECOND]\n", argv[0]);
        return 64;
    }
    uint32_t calls = (uint32_t)strtoul(argv[3], NULL, 10);
    double rate = argc > 4 ? atof(argv[4]) : 200.0;
    if (calls == 0 || rate <= 0) {
        fprintf(stderr, "gen sip: CALLS and CALLS_PER_SECOND must be positive\n");
        return 64;
    }
    file_open(argv[2]);
    uint64_t t0 = now_us, gap_us = (uint64_t)(1e6 / rate);
    uint32_t next = 0;
    while (next < calls || heap_n) {
        uint64_t start = t0 + (uint64_t)next * gap_us;
        if (next < calls && (heap_n == 0 || start <= heap[0].at)) {
            heap_push((struct sip_ev){ start, next, 0 });
            next++;
            continue;
        }
        struct sip_ev e = heap_pop();
        if (e.at > now_us)
            now_us = e.at - 5; /* emit() adds 5 us */
        sip_step(e.k, e.step);
        int last = sip_kind_of(e.k) == CALL_OK ? 6 : 3;
        if (e.step < last) {
            const uint64_t *at = sip_kind_of(e.k) == CALL_OK ? ok_at : refused_at;
            uint64_t base = e.at - at[e.step];
            heap_push((struct sip_ev){ base + at[e.step + 1], e.k, e.step + 1 });
        }
    }
    free(heap);
    return file_close(argv[2]);
}

/* ---- gen media -------------------------------------------------------- */

struct media_stream { uint32_t ssrc, ts, gen; uint16_t seq; uint64_t born_us; };

static void media_packet(uint32_t i, struct media_stream *m)
{
    uint8_t b[8 + 12 + 160];
    /* a generation moves the stream to new ports and a new SSRC: a new stream */
    uint32_t slot = i + m->gen * 7919u;
    uint32_t src = 0x0a0a0000u | (i & 0xffff), dst = 0x0a0b0000u | (i & 0xffff);
    put16(b, (unsigned)(10000 + 2 * (slot % 20000)));
    put16(b + 2, (unsigned)(50000 + 2 * (m->gen % 7000)));
    put16(b + 4, sizeof b);
    put16(b + 6, 0);
    b[8] = 0x80;
    b[9] = 0;
    put16(b + 10, m->seq++);
    put32(b + 12, m->ts);
    m->ts += 160;
    put32(b + 16, m->ssrc);
    for (int j = 0; j < 160; j++) /* mu-law with some variation, as speech */
        b[20 + j] = (uint8_t)(0xe0 | ((m->seq + j) & 0x0f));
    emit(src, dst, 17, b, sizeof b);
}

static int main_media(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s media OUT.pcap STREAMS PACKETS [LIFE_SECONDS]\n", argv[0]);
        return 64;
    }
    uint32_t n = (uint32_t)strtoul(argv[3], NULL, 10);
    uint64_t total = strtoull(argv[4], NULL, 10);
    uint64_t life_us = (uint64_t)((argc > 5 ? atof(argv[5]) : 30.0) * 1e6);
    if (n == 0 || n > 65535 || total == 0) {
        fprintf(stderr, "gen media: STREAMS must be 1..65535, PACKETS positive\n");
        return 64;
    }
    struct media_stream *m = calloc(n, sizeof *m);
    if (m == NULL) {
        perror("gen");
        return 1;
    }
    file_open(argv[2]);
    uint64_t t0 = now_us;
    for (uint32_t i = 0; i < n; i++) {
        m[i].ssrc = 0x6d000000u ^ (i * 2654435761u);
        m[i].seq = (uint16_t)(i * 131);
        /* stagger the births so replacements spread over time */
        m[i].born_us = t0 - (uint64_t)i * life_us / n;
    }
    /* every 20 ms each stream sends one packet, spread evenly over the 20 ms */
    uint64_t tick = 0;
    while (packets < total) {
        uint64_t base = t0 + tick * 20000;
        for (uint32_t i = 0; i < n && packets < total; i++) {
            now_us = base + (uint64_t)i * 20000 / n;
            if (now_us - m[i].born_us >= life_us) {
                m[i].gen++;
                m[i].born_us = now_us;
                m[i].ssrc = 0x6d000000u ^ ((i + m[i].gen * 65536u) * 2654435761u);
            }
            now_us -= 5; /* emit() adds 5 us */
            media_packet(i, &m[i]);
        }
        tick++;
    }
    free(m);
    return file_close(argv[2]);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sip") == 0)
        return main_sip(argc, argv);
    if (argc > 1 && strcmp(argv[1], "media") == 0)
        return main_media(argc, argv);
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
    if (!r || !t || pcap_gen_open(argv[1]) == NULL) {
        perror("gen");
        return 1;
    }
    for (int i = 0; i < nrtp; i++) {
        r[i].ssrc = 0x5e000000u + (uint32_t)i * 2654435761u % 0xffffff;
        r[i].seq = (uint16_t)(i * 97);
    }
    for (int i = 0; i < ntcp; i++)
        t[i].sport = (uint16_t)(40000 + i);

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
    free(r);
    free(t);
    return file_close(argv[1]);
}
