/* test_tls_decrypt.c: key schedules against published vectors (RFC 8448, the TLS 1.2 PRF
 * vector), the key log parser, and record decryption round-trips for every cipher family
 * against an encryptor written here from the RFCs on plain EVP calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tls_decrypt.h"
#include "tls_event.h"
#include "tls_keylog.h"
#include "tls_keys.h"

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void assert_hex(const uint8_t *got, const char *want)
{
    uint8_t w[512];
    size_t n = unhex(want, w);
    assert_memory_equal(got, w, n);
}

/* ---- key schedules ---- */

static void prf_sha256_gives_the_published_vector(void **state)
{
    (void)state;
    uint8_t secret[16], seed[16], out[100];
    unhex("9bbe436ba940f017b17652849a71db35", secret);
    unhex("a0ba9f936cda311827a6f796ffd5198c", seed);
    assert_true(tls_prf(TLS_PRF_SHA256, secret, 16, "test label", seed, 16, NULL, 0, out, sizeof out));
    assert_hex(out, "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                    "87347b66");
    /* the seed split in two gives the same output (label + seed1 + seed2) */
    uint8_t out2[100];
    assert_true(tls_prf(TLS_PRF_SHA256, secret, 16, "test label", seed, 7, seed + 7, 9, out2, sizeof out2));
    assert_memory_equal(out, out2, sizeof out);
}

/* TLS 1.0's PRF against HMAC written out by hand: P_MD5(S1) xor P_SHA1(S2), halves sharing a byte. */
static void prf_md5sha1_splits_the_secret(void **state)
{
    (void)state;
    uint8_t secret[5] = { 1, 2, 3, 4, 5 }, seed[4] = { 9, 8, 7, 6 }, out[20], md5[16], sha[20];
    assert_true(tls_prf(TLS_PRF_MD5SHA1, secret, 5, "L", seed, 4, NULL, 0, out, 20));
    uint8_t ls[5] = { 'L', 9, 8, 7, 6 }, a[20], in[64];
    unsigned l;
    /* P_MD5 first block: HMAC(S1, A(1) + seed), A(1) = HMAC(S1, seed) */
    HMAC(EVP_md5(), secret, 3, ls, 5, a, &l);
    memcpy(in, a, 16);
    memcpy(in + 16, ls, 5);
    HMAC(EVP_md5(), secret, 3, in, 21, md5, &l);
    HMAC(EVP_sha1(), secret + 2, 3, ls, 5, a, &l);
    memcpy(in, a, 20);
    memcpy(in + 20, ls, 5);
    HMAC(EVP_sha1(), secret + 2, 3, in, 25, sha, &l);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[i], md5[i] ^ sha[i]);
}

/* RFC 8448 section 3 "Simple 1-RTT Handshake" */
static void tls13_schedule_matches_rfc8448(void **state)
{
    (void)state;
    uint8_t hs[32], hello[32], master[32], fin[32], s[32], key[16], iv[12];
    unhex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac", hs);
    unhex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8", hello);
    /* Derive-Secret(handshake secret, "c hs traffic", ClientHello..ServerHello) */
    assert_true(tls13_expand_label(false, hs, 32, "c hs traffic", hello, 32, s, 32));
    assert_hex(s, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    assert_true(tls13_traffic_keys(false, s, 32, key, 16, iv));
    assert_hex(key, "dbfaa693d1762c5b666af5d950258d01");
    assert_hex(iv, "5bd3c71b836e0b76bb73265f");
    assert_true(tls13_expand_label(false, hs, 32, "s hs traffic", hello, 32, s, 32));
    assert_hex(s, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    assert_true(tls13_traffic_keys(false, s, 32, key, 16, iv));
    assert_hex(key, "3fce516009c21727d0f2e4e86ee403bc");
    assert_hex(iv, "5d313eb2671276ee13000b30");
    /* application traffic secrets over ClientHello..server Finished */
    unhex("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919", master);
    unhex("9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13", fin);
    assert_true(tls13_expand_label(false, master, 32, "c ap traffic", fin, 32, s, 32));
    assert_hex(s, "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    assert_true(tls13_traffic_keys(false, s, 32, key, 16, iv));
    assert_hex(key, "17422dda596ed5d9acd890e3c63f5051");
    assert_hex(iv, "5b78923dee08579033e523d9");
    assert_true(tls13_expand_label(false, master, 32, "s ap traffic", fin, 32, s, 32));
    assert_hex(s, "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    assert_true(tls13_traffic_keys(false, s, 32, key, 16, iv));
    assert_hex(key, "9f02283b6c9c07efc26bb9f2ac92e356");
    assert_hex(iv, "cf782b88dd83549aadf1e984");
}

static void tls13_key_update_is_traffic_upd_label(void **state)
{
    (void)state;
    uint8_t s[32], want[32];
    unhex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", s);
    assert_true(tls13_expand_label(false, s, 32, "traffic upd", NULL, 0, want, 32));
    assert_true(tls13_next_secret(false, s, 32));
    assert_memory_equal(s, want, 32);
}

/* ---- key log ---- */

static const char *cr_hex = "5234c66d868de84097daee7e21c41d2e9fe9605f05b0ceaf7eb7958c33423fd5";

static void keylog_keeps_each_kind_by_client_random(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text,
             "# comment\n\n"
             "CLIENT_RANDOM %s %s\r\n"
             "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n"
             "SERVER_TRAFFIC_SECRET_0 %s %s\n"
             "EXPORTER_SECRET %s %s\n"
             "CLIENT_RANDOM %s 00\n"
             "CLIENT_RANDOM zz %s\n"
             "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s",
             cr_hex,
             "ED6402EABFA651B28A7B44ED8CCE91361D0145CA643F91D8DDD9D1C8EA62C238BA78146FB97798332820CD9F392ACFF8",
             cr_hex, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", cr_hex,
             "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", cr_hex,
             "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", cr_hex,
             "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", cr_hex,
             "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    struct tls_keystore *ks = tls_keystore_new(16);
    tls_keystore_add_text(ks, (const uint8_t *)text, strlen(text));
    uint8_t cr[32];
    unhex(cr_hex, cr);
    const struct tls_keylog_entry *e = tls_keystore_find(ks, cr);
    assert_non_null(e);
    assert_int_equal(e->s[TLS_SK_MASTER].len, 48);
    assert_int_equal(e->s[TLS_SK_MASTER].v[0], 0xED);
    assert_int_equal(e->s[TLS_SK_CHTS].len, 32);
    assert_int_equal(e->s[TLS_SK_SATS0].len, 32);
    assert_int_equal(e->s[TLS_SK_SHTS].len, 32); /* last line has no newline */
    assert_int_equal(e->s[TLS_SK_CATS0].len, 0);
    const struct tls_keystore_stats *st = tls_keystore_stats(ks);
    assert_int_equal(st->lines, 7);
    assert_int_equal(st->secrets, 4);
    assert_int_equal(st->other_lines, 1);
    assert_int_equal(st->bad_lines, 2);
    cr[0] ^= 1;
    assert_null(tls_keystore_find(ks, cr));
    tls_keystore_free(ks);
}

static void keylog_caps_distinct_randoms(void **state)
{
    (void)state;
    struct tls_keystore *ks = tls_keystore_new(100);
    char line[256];
    for (int i = 0; i < 1000; i++) {
        snprintf(line, sizeof line, "CLIENT_RANDOM %064x %096x\n", i, i);
        tls_keystore_add_text(ks, (const uint8_t *)line, strlen(line));
    }
    const struct tls_keystore_stats *st = tls_keystore_stats(ks);
    assert_int_equal(st->secrets, 100);
    assert_int_equal(st->dropped, 900);
    uint8_t cr[32] = { 0 };
    cr[31] = 99;
    assert_non_null(tls_keystore_find(ks, cr));
    cr[31] = 100;
    assert_null(tls_keystore_find(ks, cr));
    /* an overlong line is one bad line, and the next line still counts */
    char big[2000];
    memset(big, 'A', sizeof big);
    tls_keystore_add_text(ks, (const uint8_t *)big, sizeof big);
    assert_int_equal(st->bad_lines, 1);
    tls_keystore_free(ks);
}

static void resume_cache_recalls_by_id_and_ticket(void **state)
{
    (void)state;
    struct tls_keystore *ks = tls_keystore_new(4);
    uint8_t id[32], ticket[200], m[48], got[48];
    memset(id, 7, sizeof id);
    memset(ticket, 9, sizeof ticket);
    memset(m, 0x42, sizeof m);
    assert_false(tls_keystore_recall(ks, id, 32, got));
    tls_keystore_remember(ks, id, 32, m);
    tls_keystore_remember(ks, ticket, sizeof ticket, m);
    assert_true(tls_keystore_recall(ks, id, 32, got));
    assert_memory_equal(got, m, 48);
    assert_true(tls_keystore_recall(ks, ticket, sizeof ticket, got));
    ticket[5] = 0;
    assert_false(tls_keystore_recall(ks, ticket, sizeof ticket, got));
    tls_keystore_free(ks);
}

#include "tls_test_sealer.h"

struct rt_case {
    uint16_t suite, version;
    bool etm;
};

static const struct rt_case rt_cases[] = {
    { 0xC02F, TLS_V_TLS12, false }, /* ECDHE-RSA-AES128-GCM-SHA256 */
    { 0xC030, TLS_V_TLS12, false }, /* AES256-GCM */
    { 0xCCA8, TLS_V_TLS12, false }, /* ChaCha20-Poly1305 (RFC 7905) */
    { 0xC0AC, TLS_V_TLS12, false }, /* AES128-CCM */
    { 0xC0AE, TLS_V_TLS12, false }, /* AES128-CCM8 */
    { 0x002F, TLS_V_TLS10, false }, /* AES128-SHA, TLS 1.0 implicit IV */
    { 0x0035, TLS_V_TLS11, false }, /* AES256-SHA, explicit IV */
    { 0x003C, TLS_V_TLS12, false }, /* AES128-SHA256 */
    { 0xC028, TLS_V_TLS12, false }, /* ECDHE-RSA-AES256-SHA384 */
    { 0xC028, TLS_V_TLS12, true },  /* ... with encrypt_then_mac */
    { 0x002F, TLS_V_TLS10, true },  /* ETM with TLS 1.0's chained IV */
    { 0x000A, TLS_V_TLS12, false }, /* 3DES-EDE-CBC-SHA */
    { 0x0035, TLS_V_SSL3, false },  /* SSL 3.0 MAC and padding */
    { 0x000A, TLS_V_SSL3, false },
    { 0x1301, TLS_V_TLS13, false },
    { 0x1302, TLS_V_TLS13, false },
    { 0x1303, TLS_V_TLS13, false },
    { 0x1304, TLS_V_TLS13, false },
};

static void every_cipher_round_trips_and_rejects_tampering(void **state)
{
    (void)state;
    const char *msgs[] = { "INVITE sip:um@um.example.com SIP/2.0\r\n", "x", "a longer third record with SDP inside" };
    for (size_t ci = 0; ci < sizeof rt_cases / sizeof rt_cases[0]; ci++) {
        const struct rt_case *rc = &rt_cases[ci];
        struct sealer s;
        assert_true(sealer_init(&s, rc->suite, rc->version, rc->etm));
        struct tls_rp rp = { 0 };
        assert_true(tls_rp_init(&rp, s.suite, rc->version, rc->etm, s.key, s.iv, s.mac_key));
        uint16_t wire = rc->version == TLS_V_TLS13 ? TLS_V_TLS12 : rc->version;
        uint8_t rec[20000], out[20000], type = 0;
        size_t n = 0;
        for (int round = 0; round < 5; round++) {
            const char *m = msgs[round % 3];
            size_t len = seal(&s, 23, (const uint8_t *)m, strlen(m), rec);
            if (round == 2)
                rec[0] ^= 0x01; /* damaged on the wire: fails, and the next one still opens (a damaged
                                   last block would also break TLS 1.0's chained IV, as it does for real) */
            enum tls_open_rc r = tls_rp_open(&rp, rc->version == TLS_V_TLS13 ? 23 : 23, wire,
                                             (struct span){ rec, len }, out, &n, &type);
            if (round == 2) {
                assert_int_equal(r, TLS_OPEN_AUTH_FAIL);
                continue;
            }
            if (r != TLS_OPEN_OK)
                fail_msg("suite 0x%04x version 0x%04x etm %d round %d: %d", rc->suite, rc->version, rc->etm,
                         round, r);
            assert_int_equal(type, 23);
            assert_int_equal(n, strlen(m));
            assert_memory_equal(out, m, n);
        }
        /* TLS 1.3: the inner content type is the real one */
        if (rc->version == TLS_V_TLS13) {
            size_t len = seal(&s, 22, (const uint8_t *)"\x14\x00\x00\x00", 4, rec);
            assert_int_equal(tls_rp_open(&rp, 23, wire, (struct span){ rec, len }, out, &n, &type), TLS_OPEN_OK);
            assert_int_equal(type, 22);
            assert_int_equal(n, 4);
        }
        /* too short for the cipher: malformed, never a read past the record */
        assert_int_not_equal(tls_rp_open(&rp, 23, wire, (struct span){ rec, 3 }, out, &n, &type), TLS_OPEN_OK);
        tls_rp_fini(&rp);
        sealer_fini(&s);
    }
}

static void wrong_key_fails_authentication(void **state)
{
    (void)state;
    struct sealer s;
    assert_true(sealer_init(&s, 0xC02F, TLS_V_TLS12, false));
    uint8_t rec[256], out[256], type;
    size_t n, len = seal(&s, 23, (const uint8_t *)"hello", 5, rec);
    uint8_t bad[32];
    memcpy(bad, s.key, 32);
    bad[0] ^= 1;
    struct tls_rp rp = { 0 };
    assert_true(tls_rp_init(&rp, s.suite, TLS_V_TLS12, false, bad, s.iv, NULL));
    assert_int_equal(tls_rp_open(&rp, 23, TLS_V_TLS12, (struct span){ rec, len }, out, &n, &type), TLS_OPEN_AUTH_FAIL);
    tls_rp_fini(&rp);
    sealer_fini(&s);
}

/* ---- the stream consumer with keys: records and SIP framing over 1-byte segments ---- */

#include "sip_event.h"
#include "test_helpers.h"
#include "tls.h"

struct sip_rec {
    int sip, anomalies, decrypt_failed;
    int keys;                  /* TLS_EV_KEYS events */
    const char *key_source[4]; /* and what each said */
    bool keys_followed[4];
    char methods[8][16];
    uint32_t cseq[8];
    enum sip_transport tr[8];
};

static void sip_rec_emit(void *ctx, const struct event *ev)
{
    struct sip_rec *r = ctx;
    if (ev->kind == EV_ANOMALY)
        r->anomalies++;
    if (ev->kind == EV_TLS && ((const struct ev_tls *)ev->body)->kind == TLS_EV_DECRYPT_FAILED)
        r->decrypt_failed++;
    if (ev->kind == EV_TLS && ((const struct ev_tls *)ev->body)->kind == TLS_EV_KEYS && r->keys < 4) {
        r->key_source[r->keys] = ((const struct ev_tls *)ev->body)->key_source;
        r->keys_followed[r->keys++] = ((const struct ev_tls *)ev->body)->keys_followed;
    }
    if (ev->kind != EV_SIP || r->sip == 8)
        return;
    const struct ev_sip *m = ev->body;
    snprintf(r->methods[r->sip], sizeof r->methods[0], "%.*s", (int)m->method.n, m->method.p);
    r->cseq[r->sip] = m->cseq;
    r->tr[r->sip] = m->transport;
    r->sip++;
}

struct wbuf {
    uint8_t b[8192];
    size_t n;
};

static void wr(struct wbuf *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void wrec(struct wbuf *w, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t h[5] = { type, 3, 3, (uint8_t)(n >> 8), (uint8_t)n };
    wr(w, h, 5);
    wr(w, p, n);
}

/* Delivers w to the consumer one byte at a time, keeping what it leaves, as the reassembler does. */
static void deliver(void *st, enum dir d, const struct wbuf *w, uint8_t *pend, size_t *npend, uint64_t *frame)
{
    for (size_t i = 0; i < w->n; i++) {
        pend[(*npend)++] = w->b[i];
        struct frame_ref at = { ++*frame, (ts_ns)*frame };
        size_t used = tls_stream_ops.data(st, d, pend, *npend, &at);
        assert_true(used <= *npend);
        memmove(pend, pend + used, *npend - used);
        *npend -= used;
    }
}

/*
 * The TLS 1.2 session the SIP-inside-TLS tests replay: client random 0x11 * 32, server random
 * 0x40.., master secret 0x22 * 48, ECDHE-RSA-AES128-GCM-SHA256. The records up to the client's
 * first application data, the client's sealer for its next records, and the key log line.
 */
struct tls12_gcm_session {
    struct wbuf ch;       /* the ClientHello record */
    struct wbuf s2c;      /* ServerHello and the server's ChangeCipherSpec */
    struct wbuf finished; /* the client's ChangeCipherSpec and encrypted Finished */
    struct sealer seal_c;
    char keylog[256];
};

static void tls12_gcm_session_make(struct tls12_gcm_session *t)
{
    uint8_t cr[32], sr[32], master[48];
    memset(cr, 0x11, sizeof cr);
    for (int i = 0; i < 32; i++)
        sr[i] = (uint8_t)(0x40 + i);
    memset(master, 0x22, sizeof master);
    t->ch.n = t->s2c.n = t->finished.n = 0;
    uint8_t ch[4 + 2 + 32 + 1 + 4 + 2] = { 1, 0, 0, sizeof ch - 4, 3, 3 };
    memcpy(ch + 6, cr, 32);
    memcpy(ch + 38, "\x00\x00\x02\xc0\x2f\x01\x00", 7);
    wrec(&t->ch, 22, ch, sizeof ch);
    uint8_t sh[4 + 2 + 32 + 1 + 2 + 1] = { 2, 0, 0, sizeof sh - 4, 3, 3 };
    memcpy(sh + 6, sr, 32);
    memcpy(sh + 38, "\x00\xc0\x2f\x00", 4);
    wrec(&t->s2c, 22, sh, sizeof sh);
    wrec(&t->s2c, 20, (const uint8_t *)"\x01", 1);
    /* the client's keys from the key block: MAC keys none, client key 16, server key 16, IVs 4+4 */
    uint8_t kb[40];
    assert_true(tls_key_block(TLS_PRF_SHA256, master, cr, sr, kb, sizeof kb));
    assert_true(sealer_init(&t->seal_c, 0xC02F, TLS_V_TLS12, false));
    memcpy(t->seal_c.key, kb, 16);
    memcpy(t->seal_c.iv, kb + 32, 4);
    wrec(&t->finished, 20, (const uint8_t *)"\x01", 1);
    uint8_t fin[16] = { 20, 0, 0, 12 }, rb[64];
    size_t rn = seal(&t->seal_c, 22, fin, sizeof fin, rb);
    wrec(&t->finished, 22, rb, rn);
    snprintf(t->keylog, sizeof t->keylog, "CLIENT_RANDOM %064d %096d\n", 0, 0);
    memset(t->keylog + 14, '1', 64); /* the random 0x11 * 32 */
    memset(t->keylog + 79, '2', 96); /* the master 0x22 * 48 */
}

static void sip_inside_tls12_gcm_is_framed_across_records_and_segments(void **state)
{
    (void)state;
    static struct tls12_gcm_session t;
    tls12_gcm_session_make(&t);
    struct tls_keystore *ks = tls_keystore_new(8);
    tls_keystore_add_text(ks, (const uint8_t *)t.keylog, strlen(t.keylog));

    struct sip_rec rec = { 0 };
    struct limits lim = limits_default;
    struct dissect_ctx dc = { .sink = { sip_rec_emit, &rec }, .lim = &lim, .keys = ks };
    dc.sip_ports[dc.n_sip_ports++] = 5061;
    struct stream_info si = test_tcp_stream(5061, 1);
    void *st = tls_stream_ops.open(&dc, &si);

    /* after the client's Finished, two SIP messages over three records: the first record ends
     * inside the headers, the second ends inside the body and starts the next message */
    static struct wbuf rest;
    rest = t.finished;
    uint8_t rb[4096];
    size_t rn;
    const char *msg =
        "INVITE sip:um@um.example.com SIP/2.0\r\nVia: SIP/2.0/TLS gw.example.com;branch=z9hG4bK1\r\n"
        "From: <sip:gw@gw.example.com>;tag=1\r\nTo: <sip:um@um.example.com>\r\nCall-ID: c1\r\n"
        "CSeq: 7 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n"
        "OPTIONS sip:um@um.example.com SIP/2.0\r\nVia: SIP/2.0/TLS gw.example.com;branch=z9hG4bK2\r\n"
        "From: <sip:gw@gw.example.com>;tag=2\r\nTo: <sip:um@um.example.com>\r\nCall-ID: c2\r\n"
        "CSeq: 8 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    size_t ml = strlen(msg), cut1 = 60, cut2 = strlen(msg) - 150;
    rn = seal(&t.seal_c, 23, (const uint8_t *)msg, cut1, rb);
    wrec(&rest, 23, rb, rn);
    rn = seal(&t.seal_c, 23, (const uint8_t *)msg + cut1, cut2 - cut1, rb);
    wrec(&rest, 23, rb, rn);
    rn = seal(&t.seal_c, 23, (const uint8_t *)msg + cut2, ml - cut2, rb);
    wrec(&rest, 23, rb, rn);
    /* a record damaged on the wire: counted, reported once, no SIP lost after it */
    rn = seal(&t.seal_c, 23, (const uint8_t *)"\r\n", 2, rb);
    rb[0] ^= 1;
    wrec(&rest, 23, rb, rn);

    static uint8_t pend[2][8192];
    size_t np[2] = { 0, 0 };
    uint64_t frame = 0;
    deliver(st, DIR_C2S, &t.ch, pend[0], &np[0], &frame); /* the ClientHello first */
    deliver(st, DIR_S2C, &t.s2c, pend[1], &np[1], &frame);
    deliver(st, DIR_C2S, &rest, pend[0], &np[0], &frame);
    tls_stream_ops.close(st, CLOSE_FIN);

    assert_int_equal(rec.sip, 2);
    assert_string_equal(rec.methods[0], "INVITE");
    assert_int_equal(rec.cseq[0], 7);
    assert_string_equal(rec.methods[1], "OPTIONS");
    assert_int_equal(rec.cseq[1], 8);
    assert_int_equal(rec.tr[0], SIP_TR_TLS);
    assert_int_equal(rec.decrypt_failed, 1);
    assert_int_equal(dc.stats.tls_records_decrypted, 4);
    assert_int_equal(dc.stats.tls_auth_failures, 1);
    assert_int_equal(dc.stats.tls_sessions_with_keys, 1);
    sealer_fini(&t.seal_c);
    tls_keystore_free(ks);
}

/*
 * sipsec live follows its key log: here the session's line is appended only after the client's
 * Finished and first SIP record went by without keys. The keys event says "none, but followed"
 * at the first ChangeCipherSpec, "none" at the client's first protected record after both
 * (the wait is over), then "keylog" when the line is read: the keys are installed at the
 * sequence number the two skipped records used, and the next SIP messages are decrypted.
 */
static void late_keys_from_a_followed_key_log_tls12(void **state)
{
    (void)state;
    char dir[64], path[96];
    snprintf(dir, sizeof dir, "/tmp/sipsec-late-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/keys.log", dir);
    struct tls_keystore *ks = tls_keystore_new(8);
    char err[256];
    assert_int_equal(tls_keystore_follow_keylog(ks, path, err, sizeof err), 0); /* not there yet */
    tls_keystore_set_follow_interval(ks, 0);

    static struct tls12_gcm_session t;
    tls12_gcm_session_make(&t);
    struct sip_rec rec = { 0 };
    struct limits lim = limits_default;
    struct dissect_ctx dc = { .sink = { sip_rec_emit, &rec }, .lim = &lim, .keys = ks };
    dc.sip_ports[dc.n_sip_ports++] = 5061;
    struct stream_info si = test_tcp_stream(5061, 1);
    void *st = tls_stream_ops.open(&dc, &si);

    static struct wbuf early, later;
    early = t.finished; /* then the first SIP message, all before the key log has the line */
    later.n = 0;
    uint8_t rb[4096];
    size_t rn;
    const char *m0 = "OPTIONS sip:um@um.example.com SIP/2.0\r\nVia: SIP/2.0/TLS gw;branch=z9hG4bK0\r\n"
                     "From: <sip:gw@gw>;tag=0\r\nTo: <sip:um@um>\r\nCall-ID: c0\r\nCSeq: 6 OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n";
    const char *m1 = "INVITE sip:um@um.example.com SIP/2.0\r\nVia: SIP/2.0/TLS gw;branch=z9hG4bK1\r\n"
                     "From: <sip:gw@gw>;tag=1\r\nTo: <sip:um@um>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n"
                     "Content-Length: 0\r\n\r\n";
    const char *m2 = "OPTIONS sip:um@um.example.com SIP/2.0\r\nVia: SIP/2.0/TLS gw;branch=z9hG4bK2\r\n"
                     "From: <sip:gw@gw>;tag=2\r\nTo: <sip:um@um>\r\nCall-ID: c2\r\nCSeq: 8 OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n";
    rn = seal(&t.seal_c, 23, (const uint8_t *)m0, strlen(m0), rb);
    wrec(&early, 23, rb, rn);
    rn = seal(&t.seal_c, 23, (const uint8_t *)m1, strlen(m1), rb);
    wrec(&later, 23, rb, rn);
    rn = seal(&t.seal_c, 23, (const uint8_t *)m2, strlen(m2), rb);
    wrec(&later, 23, rb, rn);

    static uint8_t pend[2][8192];
    size_t np[2] = { 0, 0 };
    uint64_t frame = 0;
    deliver(st, DIR_C2S, &t.ch, pend[0], &np[0], &frame);
    deliver(st, DIR_S2C, &t.s2c, pend[1], &np[1], &frame);
    deliver(st, DIR_C2S, &early, pend[0], &np[0], &frame);
    assert_int_equal(rec.sip, 0);
    assert_int_equal(rec.keys, 2); /* at the server's CCS: none yet; at the Finished: the wait is over */
    assert_null(rec.key_source[0]);
    assert_true(rec.keys_followed[0]);
    assert_null(rec.key_source[1]);
    assert_false(rec.keys_followed[1]);
    assert_int_equal(dc.stats.tls_sessions_without_keys, 1);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(t.keylog, f);
    fclose(f);
    deliver(st, DIR_C2S, &later, pend[0], &np[0], &frame);
    tls_stream_ops.close(st, CLOSE_FIN);

    assert_int_equal(rec.keys, 3);
    assert_string_equal(rec.key_source[2], "keylog");
    assert_int_equal(rec.sip, 2); /* the INVITE and the second OPTIONS; the first went by */
    assert_string_equal(rec.methods[0], "INVITE");
    assert_int_equal(rec.cseq[1], 8);
    assert_int_equal(dc.stats.tls_records_decrypted, 2);
    assert_int_equal(dc.stats.tls_auth_failures, 0);
    assert_int_equal(rec.decrypt_failed, 0);
    assert_int_equal(dc.stats.tls_sessions_with_keys, 1);
    assert_int_equal(dc.stats.tls_sessions_without_keys, 0);
    assert_int_equal(dc.stats.tls_sessions_keys_late, 1);
    sealer_fini(&t.seal_c);
    tls_keystore_free(ks);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prf_sha256_gives_the_published_vector),
        cmocka_unit_test(prf_md5sha1_splits_the_secret),
        cmocka_unit_test(tls13_schedule_matches_rfc8448),
        cmocka_unit_test(tls13_key_update_is_traffic_upd_label),
        cmocka_unit_test(keylog_keeps_each_kind_by_client_random),
        cmocka_unit_test(keylog_caps_distinct_randoms),
        cmocka_unit_test(resume_cache_recalls_by_id_and_ticket),
        cmocka_unit_test(every_cipher_round_trips_and_rejects_tampering),
        cmocka_unit_test(wrong_key_fails_authentication),
        cmocka_unit_test(sip_inside_tls12_gcm_is_framed_across_records_and_segments),
        cmocka_unit_test(late_keys_from_a_followed_key_log_tls12),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
