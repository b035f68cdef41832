/*
 * gen_tls.c: writes a TLS-heavy classic pcap (Ethernet, microsecond timestamps) for the TLS
 * benchmark: thousands of TLS 1.2 handshakes with full certificate chains over TCP to 5061,
 * many connections open at once, interleaved packet by packet.
 *
 *   gen_tls OUT.pcap MEGABYTES CONCURRENT DERDIR
 *
 * DERDIR holds the certificates in DER (bench/run.sh converts pcaps/tls/pki/ into it):
 * server leaves um-server.der, sbc-ec.der, gw-serveronly.der, um-noeku.der, um-expiring.der,
 * pbx-selfsigned.der, the issuing CA inter.der and the client leaf gw-both.der. Connection n
 * uses server leaf n % 6; its chain is leaf + issuing CA (the self-signed one goes alone).
 * One connection in four is mutual TLS: CertificateRequest, and the client answers with
 * gw-both + issuing CA and a CertificateVerify.
 *
 * Each connection: three-way handshake; ClientHello (SNI, suites, groups, signature
 * algorithms); ServerHello, Certificate, ServerKeyExchange (ECDHE P-256, 256-byte signature),
 * [CertificateRequest], ServerHelloDone, one record each, cut into 1460-byte segments;
 * [Certificate, ] ClientKeyExchange, [CertificateVerify, ] ChangeCipherSpec and an encrypted
 * Finished; the server's ChangeCipherSpec and Finished; then DATA_RECORDS application_data
 * records of 1400 bytes each way (SIP over TLS), and FIN both ways. The receiver of each data
 * segment ACKs it. The next connection on the same slot uses a new source address/port.
 * Addresses: clients 10.5.x.y, servers 10.6.0.1..10.6.0.16, port 5061.
 *
 * Deterministic: the same arguments give the same file. Not part of sipsec; built by
 * bench/run.sh with cc -O2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_gen.h"

enum { DATA_RECORDS = 2, MSS = 1460, MAX_MSG = 8192 };

/* One record: Ethernet + IPv4 + TCP header built here, payload given. */
static void emit_tcp(uint32_t src, uint32_t dst, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
                     uint8_t flags, const uint8_t *pay, size_t paylen)
{
    static uint8_t frame[PCAP_ETH_IP4_LEN + 20 + MSS];
    uint8_t *tcp = frame + PCAP_ETH_IP4_LEN;

    pcap_gen_eth_ip4(frame, src, dst, 6, 20 + paylen);
    pcap_gen_tcp(tcp, sport, dport, seq, ack, flags);
    if (paylen)
        memcpy(tcp + 20, pay, paylen);
    pcap_gen_record(frame, PCAP_ETH_IP4_LEN + 20 + paylen, 20);
}

/* ---- TLS messages, built once ---- */

struct der {
    uint8_t *p;
    size_t n;
};

static struct der load(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    struct der d = { NULL, 0 };
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    d.p = malloc(65536);
    d.n = fread(d.p, 1, 65536, f);
    fclose(f);
    if (d.n == 0 || d.n >= 65536) {
        fprintf(stderr, "gen_tls: %s: empty or too large\n", path);
        exit(1);
    }
    return d;
}

struct buf {
    uint8_t b[MAX_MSG * 4];
    size_t n;
};

static void b8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void b16(struct buf *b, unsigned v) { put16(b->b + b->n, v); b->n += 2; }
static void b24(struct buf *b, uint32_t v) { put24(b->b + b->n, v); b->n += 3; }
static void bfill(struct buf *b, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        b->b[b->n++] = (uint8_t)(seed + i * 13);
}
static void bput(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }

/* A record of one handshake message: open with record_begin(type), close with record_end. */
static size_t record_begin(struct buf *b, uint8_t content, uint8_t hs_type)
{
    b8(b, content);
    b16(b, 0x0303);
    b16(b, 0);
    size_t at = b->n;
    if (content == 22) {
        b8(b, hs_type);
        b24(b, 0);
    }
    return at;
}

static void record_end(struct buf *b, size_t at, uint8_t content)
{
    put16(b->b + at - 2, (unsigned)(b->n - at));
    if (content == 22)
        put24(b->b + at + 1, (uint32_t)(b->n - at - 4));
}

static void client_hello(struct buf *b)
{
    static const char sni[] = "um.example.com";
    size_t at = record_begin(b, 22, 1);
    b16(b, 0x0303);
    bfill(b, 32, 1);
    b8(b, 0);
    static const uint16_t suites[] = { 0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009e, 0x009f, 0xc013, 0xc014, 0x009c, 0x003c };
    b16(b, sizeof suites);
    for (size_t i = 0; i < sizeof suites / 2; i++)
        b16(b, suites[i]);
    b8(b, 1);
    b8(b, 0);
    size_t ext = b->n;
    b16(b, 0);
    b16(b, 0); /* server_name */
    b16(b, (unsigned)(sizeof sni - 1 + 5));
    b16(b, (unsigned)(sizeof sni - 1 + 3));
    b8(b, 0);
    b16(b, (unsigned)(sizeof sni - 1));
    bput(b, sni, sizeof sni - 1);
    b16(b, 10); /* supported_groups: x25519, P-256, P-384 */
    b16(b, 8);
    b16(b, 6);
    b16(b, 29);
    b16(b, 23);
    b16(b, 24);
    b16(b, 11); /* ec_point_formats */
    b16(b, 2);
    b8(b, 1);
    b8(b, 0);
    b16(b, 13); /* signature_algorithms */
    b16(b, 10);
    b16(b, 8);
    b16(b, 0x0804);
    b16(b, 0x0403);
    b16(b, 0x0401);
    b16(b, 0x0501);
    put16(b->b + ext, (unsigned)(b->n - ext - 2));
    record_end(b, at, 22);
}

static void server_hello(struct buf *b)
{
    size_t at = record_begin(b, 22, 2);
    b16(b, 0x0303);
    bfill(b, 32, 2);
    b8(b, 32);
    bfill(b, 32, 3);
    b16(b, 0xc030);
    b8(b, 0);
    size_t ext = b->n;
    b16(b, 0);
    b16(b, 0xff01); /* renegotiation_info */
    b16(b, 1);
    b8(b, 0);
    b16(b, 11);     /* ec_point_formats */
    b16(b, 2);
    b8(b, 1);
    b8(b, 0);
    put16(b->b + ext, (unsigned)(b->n - ext - 2));
    record_end(b, at, 22);
}

static void certificate(struct buf *b, const struct der *chain, size_t n)
{
    size_t at = record_begin(b, 22, 11);
    size_t list = b->n;
    b24(b, 0);
    for (size_t i = 0; i < n; i++) {
        b24(b, (uint32_t)chain[i].n);
        bput(b, chain[i].p, chain[i].n);
    }
    put24(b->b + list, (uint32_t)(b->n - list - 3));
    record_end(b, at, 22);
}

static void server_key_exchange(struct buf *b)
{
    size_t at = record_begin(b, 22, 12);
    b8(b, 3);
    b16(b, 23);
    b8(b, 65);
    b8(b, 4);
    bfill(b, 64, 4);
    b16(b, 0x0804);
    b16(b, 256);
    bfill(b, 256, 5);
    record_end(b, at, 22);
}

static void certificate_request(struct buf *b, const struct der *ca)
{
    size_t at = record_begin(b, 22, 13);
    b8(b, 2);
    b8(b, 1);
    b8(b, 64);
    b16(b, 6);
    b16(b, 0x0804);
    b16(b, 0x0401);
    b16(b, 0x0403);
    /* one acceptable CA name, DER: CN=sipsec Test Issuing CA */
    (void)ca;
    static const uint8_t name[] = { 0x30, 0x21, 0x31, 0x1f, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x16,
                                    's', 'i', 'p', 's', 'e', 'c', ' ', 'T', 'e', 's', 't', ' ', 'I', 's', 's',
                                    'u', 'i', 'n', 'g', ' ', 'C', 'A' };
    b16(b, sizeof name + 2);
    b16(b, sizeof name);
    bput(b, name, sizeof name);
    record_end(b, at, 22);
}

static void simple_hs(struct buf *b, uint8_t type, size_t body, uint8_t seed)
{
    size_t at = record_begin(b, 22, type);
    bfill(b, body, seed);
    record_end(b, at, 22);
}

static void ccs_finished(struct buf *b)
{
    size_t at = record_begin(b, 20, 0);
    b8(b, 1);
    record_end(b, at, 20);
    at = record_begin(b, 22, 0); /* encrypted Finished: 40 bytes of ciphertext, no header */
    b->n -= 4;
    bfill(b, 40, 7);
    put16(b->b + at - 2, (unsigned)(b->n - at));
}

static void app_data(struct buf *b, size_t n, uint8_t seed)
{
    size_t at = record_begin(b, 23, 0);
    bfill(b, n, seed);
    record_end(b, at, 23);
}

/* ---- connections ---- */

enum { N_SERVER = 6 };
static struct buf flight_server[N_SERVER][2]; /* [leaf][mutual]: ServerHello .. ServerHelloDone */
static struct buf flight_client[2];           /* [mutual]: [Certificate] CKE [CertVerify] CCS Finished */
static struct buf hello, server_finish, data_c2s, data_s2c;

struct conn {
    uint32_t c, s;
    unsigned cport;
    uint32_t cseq, sseq;
    int step;
    unsigned n;     /* connection number */
};

enum { SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01 };

/* Send bytes as MSS-sized segments from one side; the other side ACKs each. */
static void send_bytes(struct conn *k, int from_client, const struct buf *b)
{
    for (size_t off = 0; off < b->n; off += MSS) {
        size_t n = b->n - off < MSS ? b->n - off : MSS;
        if (from_client) {
            emit_tcp(k->c, k->s, k->cport, 5061, k->cseq, k->sseq, ACK | PSH, b->b + off, n);
            k->cseq += (uint32_t)n;
            emit_tcp(k->s, k->c, 5061, k->cport, k->sseq, k->cseq, ACK, NULL, 0);
        } else {
            emit_tcp(k->s, k->c, 5061, k->cport, k->sseq, k->cseq, ACK | PSH, b->b + off, n);
            k->sseq += (uint32_t)n;
            emit_tcp(k->c, k->s, k->cport, 5061, k->cseq, k->sseq, ACK, NULL, 0);
        }
    }
}

static void conn_start(struct conn *k, unsigned n)
{
    k->n = n;
    k->c = 0x0a050000u | ((n >> 6) & 0xffff);
    k->cport = 1024 + (n & 63) * 997 % 60000;
    k->s = 0x0a060001u + n % 16;
    k->cseq = n * 2654435761u;
    k->sseq = ~(n * 40503u);
    k->step = 0;
}

/* One step of a connection; returns 1 when it has closed. */
static int conn_step(struct conn *k)
{
    int mutual = k->n % 4 == 0;
    switch (k->step++) {
    case 0:
        emit_tcp(k->c, k->s, k->cport, 5061, k->cseq, 0, SYN, NULL, 0);
        return 0;
    case 1:
        emit_tcp(k->s, k->c, 5061, k->cport, k->sseq, k->cseq + 1, SYN | ACK, NULL, 0);
        k->cseq++;
        k->sseq++;
        emit_tcp(k->c, k->s, k->cport, 5061, k->cseq, k->sseq, ACK, NULL, 0);
        return 0;
    case 2:
        send_bytes(k, 1, &hello);
        return 0;
    case 3:
        send_bytes(k, 0, &flight_server[k->n % N_SERVER][mutual]);
        return 0;
    case 4:
        send_bytes(k, 1, &flight_client[mutual]);
        return 0;
    case 5:
        send_bytes(k, 0, &server_finish);
        return 0;
    default:
        if (k->step - 7 < DATA_RECORDS) {
            send_bytes(k, 1, &data_c2s);
            send_bytes(k, 0, &data_s2c);
            return 0;
        }
        emit_tcp(k->c, k->s, k->cport, 5061, k->cseq, k->sseq, FIN | ACK, NULL, 0);
        emit_tcp(k->s, k->c, 5061, k->cport, k->sseq, k->cseq + 1, FIN | ACK, NULL, 0);
        emit_tcp(k->c, k->s, k->cport, 5061, k->cseq + 1, k->sseq + 1, ACK, NULL, 0);
        return 1;
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s OUT.pcap MEGABYTES CONCURRENT DERDIR\n", argv[0]);
        return 64;
    }
    uint64_t limit = strtoull(argv[2], NULL, 10) * 1000000ull;
    int nconc = atoi(argv[3]);
    if (nconc < 1 || nconc > 65536) {
        fprintf(stderr, "gen_tls: CONCURRENT must be 1..65536\n");
        return 64;
    }
    static const char *leaves[N_SERVER] = { "um-server.der", "sbc-ec.der", "gw-serveronly.der",
                                            "um-noeku.der", "um-expiring.der", "pbx-selfsigned.der" };
    struct der inter = load(argv[4], "inter.der"), gw = load(argv[4], "gw-both.der");
    for (int i = 0; i < N_SERVER; i++) {
        struct der chain[2] = { load(argv[4], leaves[i]), inter };
        size_t n = i == N_SERVER - 1 ? 1 : 2; /* the self-signed one is sent alone */
        for (int m = 0; m < 2; m++) {
            struct buf *b = &flight_server[i][m];
            server_hello(b);
            certificate(b, chain, n);
            server_key_exchange(b);
            if (m)
                certificate_request(b, &inter);
            simple_hs(b, 14, 0, 0);
        }
        free(chain[0].p);
    }
    struct der cchain[2] = { gw, inter };
    certificate(&flight_client[1], cchain, 2);
    for (int m = 0; m < 2; m++) {
        struct buf *b = &flight_client[m];
        size_t at = record_begin(b, 22, 16); /* ClientKeyExchange: the client's P-256 point */
        b8(b, 65);
        b8(b, 4);
        bfill(b, 64, 8);
        record_end(b, at, 22);
        if (m) {
            at = record_begin(b, 22, 15);    /* CertificateVerify */
            b16(b, 0x0804);
            b16(b, 256);
            bfill(b, 256, 9);
            record_end(b, at, 22);
        }
        ccs_finished(b);
    }
    client_hello(&hello);
    ccs_finished(&server_finish);
    app_data(&data_c2s, 1400, 10);
    app_data(&data_s2c, 1400, 11);

    struct conn *k = calloc((size_t)nconc, sizeof *k);
    if (k == NULL || pcap_gen_open(argv[1]) == NULL) {
        perror("gen_tls");
        return 1;
    }
    unsigned next = 0;
    for (int i = 0; i < nconc; i++)
        conn_start(&k[i], next++);
    /* Round robin over the open connections until the size is reached, then let every open
     * connection finish so each handshake in the file is whole. */
    int open_n = nconc;
    while (open_n > 0) {
        for (int i = 0; i < nconc; i++) {
            if (k[i].step < 0)
                continue;
            if (conn_step(&k[i])) {
                if (written < limit) {
                    conn_start(&k[i], next++);
                } else {
                    k[i].step = -1;
                    open_n--;
                }
            }
        }
    }
    fclose(out);
    fprintf(stderr, "gen_tls: %s: %llu packets, %llu bytes, %u connections\n", argv[1],
            (unsigned long long)packets, (unsigned long long)written, next);
    free(k);
    free(inter.p);
    free(gw.p);
    return 0;
}
