/* test_tls.c: TLS records and handshake messages through the stream consumer (dissect/tls.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dtls_reasm.h"
#include "test_helpers.h"
#include "tls.h"
#include "tls_event.h"

/* ---- a recording sink ---- */

struct rec_ev {
    enum tls_ev_kind kind;
    enum dir from;
    uint16_t version, suite;
    size_t n_certs, cert0_len, n_ca_names;
    uint8_t level, desc;
    bool encrypted, hello_retry;
    char sni[64];
    uint64_t frame;
};

struct rec {
    struct rec_ev ev[64];
    size_t n;
    int n_anomaly;
    char anomaly[32];
};

static void rec_emit(void *ctx, const struct event *ev)
{
    struct rec *r = ctx;
    if (ev->kind == EV_ANOMALY) {
        const struct ev_anomaly *a = ev->body;
        r->n_anomaly++;
        strncpy(r->anomaly, a->code, sizeof r->anomaly - 1);
        return;
    }
    if (ev->kind != EV_TLS || r->n == 64)
        return;
    const struct ev_tls *e = ev->body;
    struct rec_ev *o = &r->ev[r->n++];
    memset(o, 0, sizeof *o);
    o->kind = e->kind;
    o->from = e->from;
    o->version = e->version;
    o->suite = e->cipher_suite;
    o->n_certs = e->n_certs;
    o->cert0_len = e->n_certs ? e->certs[0].n : 0;
    o->n_ca_names = e->n_ca_names;
    o->level = e->alert_level;
    o->desc = e->alert_desc;
    o->encrypted = e->alert_encrypted;
    o->hello_retry = e->hello_retry;
    o->frame = ev->at.frame;
    size_t n = e->sni.n < sizeof o->sni - 1 ? e->sni.n : sizeof o->sni - 1;
    if (n)
        memcpy(o->sni, e->sni.p, n);
}

/* ---- byte builders ---- */

struct buf {
    uint8_t b[32768];
    size_t n;
};

static void b8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void b16(struct buf *b, uint16_t v) { b8(b, (uint8_t)(v >> 8)); b8(b, (uint8_t)v); }
static void b24(struct buf *b, uint32_t v) { b8(b, (uint8_t)(v >> 16)); b16(b, (uint16_t)v); }
static void bn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void bz(struct buf *b, size_t n) { memset(b->b + b->n, 0, n); b->n += n; }
static void set16(struct buf *b, size_t at, size_t v) { b->b[at] = (uint8_t)(v >> 8); b->b[at + 1] = (uint8_t)v; }
static void set24(struct buf *b, size_t at, size_t v) { b->b[at] = (uint8_t)(v >> 16); set16(b, at + 1, v & 0xffff); }

/* A handshake message: type, 24-bit length, body from the callback. */
static size_t hs_begin(struct buf *b, uint8_t type)
{
    b8(b, type);
    b24(b, 0);
    return b->n;
}
static void hs_end(struct buf *b, size_t body_at) { set24(b, body_at - 3, b->n - body_at); }

static void client_hello(struct buf *b, const char *sni, bool tls13)
{
    size_t at = hs_begin(b, 1);
    b16(b, 0x0303);
    bz(b, 32);
    b8(b, 0);
    b16(b, 4);
    b16(b, 0xc02f);
    b16(b, 0x1301);
    b8(b, 1);
    b8(b, 0);
    size_t ext_len = b->n;
    b16(b, 0);
    b16(b, 0); /* server_name */
    b16(b, (uint16_t)(strlen(sni) + 5));
    b16(b, (uint16_t)(strlen(sni) + 3));
    b8(b, 0);
    b16(b, (uint16_t)strlen(sni));
    bn(b, sni, strlen(sni));
    if (tls13) {
        b16(b, 43);
        b16(b, 7);
        b8(b, 6);
        b16(b, 0x3a3a); /* GREASE */
        b16(b, 0x0304);
        b16(b, 0x0303);
    }
    set16(b, ext_len, b->n - ext_len - 2);
    hs_end(b, at);
}

static void server_hello(struct buf *b, uint16_t suite, bool tls13)
{
    size_t at = hs_begin(b, 2);
    b16(b, 0x0303);
    for (int i = 0; i < 32; i++)
        b8(b, (uint8_t)i);
    b8(b, 0);
    b16(b, suite);
    b8(b, 0);
    if (tls13) {
        b16(b, 6);
        b16(b, 43);
        b16(b, 2);
        b16(b, 0x0304);
    }
    hs_end(b, at);
}

/* Certificate with n fake certificates of sizes len, len+1, ... */
static void certificate(struct buf *b, size_t n, size_t len)
{
    size_t at = hs_begin(b, 11);
    size_t list = b->n;
    b24(b, 0);
    for (size_t i = 0; i < n; i++) {
        b24(b, (uint32_t)(len + i));
        for (size_t k = 0; k < len + i; k++)
            b8(b, (uint8_t)(k * 7 + i));
    }
    set24(b, list, b->n - list - 3);
    hs_end(b, at);
}

static void certificate_request(struct buf *b)
{
    size_t at = hs_begin(b, 13);
    b8(b, 1);
    b8(b, 1); /* rsa_sign */
    b16(b, 4);
    b16(b, 0x0401);
    b16(b, 0x0804);
    b16(b, 2 + 5 + 2 + 3);
    b16(b, 5);
    bn(b, "\x30\x03\x31\x01\x00", 5);
    b16(b, 3);
    bn(b, "\x30\x01\x00", 3);
    hs_end(b, at);
}

static void empty_hs(struct buf *b, uint8_t type, size_t len)
{
    size_t at = hs_begin(b, type);
    bz(b, len);
    hs_end(b, at);
}

/* Wrap [from, b->n) of b in records of at most max payload bytes each. */
static void record(struct buf *out, uint8_t type, const uint8_t *p, size_t n, size_t max)
{
    size_t off = 0;
    do {
        size_t len = n - off < max ? n - off : max;
        b8(out, type);
        b16(out, 0x0303);
        b16(out, (uint16_t)len);
        bn(out, p + off, len);
        off += len;
    } while (off < n);
}

/* Where the ClientHello's records end in c2s. */
static size_t ch_end;

/* The flights of a mutual-TLS handshake where the client sends no certificate. */
static void flights(struct buf *c2s, struct buf *s2c, size_t max_record)
{
    struct buf hs = { .n = 0 };
    client_hello(&hs, "um.example.com", false);
    record(c2s, 22, hs.b, hs.n, max_record);
    ch_end = c2s->n;

    hs.n = 0;
    server_hello(&hs, 0xc02f, false);
    certificate(&hs, 2, 900);
    certificate_request(&hs);
    empty_hs(&hs, 14, 0);
    record(s2c, 22, hs.b, hs.n, max_record);

    hs.n = 0;
    certificate(&hs, 0, 0);
    empty_hs(&hs, 16, 66);
    record(c2s, 22, hs.b, hs.n, max_record);
    record(c2s, 20, (const uint8_t *)"\x01", 1, max_record);
    uint8_t fin[40] = { 0 };
    record(c2s, 22, fin, sizeof fin, max_record);

    record(s2c, 21, (const uint8_t *)"\x02\x28", 2, max_record);
}

/* ---- a reassembler stand-in: leftovers are offered again, prefixed ---- */

struct feeder {
    struct dissect_ctx dc;
    void *st;
    struct buf pend[2];
    uint64_t frame;
};

static void feeder_open(struct feeder *f, struct rec *r)
{
    memset(f, 0, sizeof *f);
    f->dc.sink.emit = rec_emit;
    f->dc.sink.ctx = r;
    f->dc.lim = &limits_default;
    struct stream_info si = test_tcp_stream(5061, 1000);
    f->st = tls_stream_ops.open(&f->dc, &si);
    assert_non_null(f->st);
}

static void feed(struct feeder *f, enum dir d, const uint8_t *p, size_t n)
{
    struct buf *pb = &f->pend[d];
    assert_true(pb->n + n <= sizeof pb->b);
    bn(pb, p, n);
    struct frame_ref at = { ++f->frame, 1000 + (ts_ns)f->frame };
    size_t used = tls_stream_ops.data(f->st, d, pb->b, pb->n, &at);
    assert_true(used <= pb->n);
    memmove(pb->b, pb->b + used, pb->n - used);
    pb->n -= used;
}

static void feeder_close(struct feeder *f)
{
    tls_stream_ops.close(f->st, CLOSE_FIN);
}

static void run_whole(struct rec *r, size_t max_record)
{
    static struct buf c2s, s2c;
    c2s.n = s2c.n = 0;
    flights(&c2s, &s2c, max_record);
    struct feeder f;
    feeder_open(&f, r);
    /* ClientHello record first, then server flight, then the rest */
    size_t ch = ch_end;
    feed(&f, DIR_C2S, c2s.b, ch);
    feed(&f, DIR_S2C, s2c.b, s2c.n - 7);
    feed(&f, DIR_C2S, c2s.b + ch, c2s.n - ch);
    feed(&f, DIR_S2C, s2c.b + s2c.n - 7, 7);
    feeder_close(&f);
}

static const enum tls_ev_kind expected_kinds[] = {
    TLS_EV_CLIENT_HELLO, TLS_EV_SERVER_HELLO, TLS_EV_CERTIFICATE, TLS_EV_CERTIFICATE_REQUEST,
    TLS_EV_SERVER_HELLO_DONE, TLS_EV_CERTIFICATE, TLS_EV_CLIENT_KEY_EXCHANGE, TLS_EV_CHANGE_CIPHER_SPEC,
    TLS_EV_ENCRYPTED_HANDSHAKE, TLS_EV_ALERT, TLS_EV_CLOSE,
};

static void assert_mutual_tls_events(const struct rec *r)
{
    size_t n = sizeof expected_kinds / sizeof expected_kinds[0];
    if (r->n_anomaly)
        print_message("anomaly %s\n", r->anomaly);
    for (size_t i = 0; r->n != n && i < r->n; i++)
        print_message("event %zu kind %d\n", i, (int)r->ev[i].kind);
    assert_int_equal(r->n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(r->ev[i].kind, expected_kinds[i]);
    assert_string_equal(r->ev[0].sni, "um.example.com");
    assert_int_equal(r->ev[0].from, DIR_C2S);
    assert_int_equal(r->ev[1].version, 0x0303);
    assert_int_equal(r->ev[1].suite, 0xc02f);
    assert_int_equal(r->ev[1].from, DIR_S2C);
    assert_int_equal(r->ev[2].n_certs, 2);
    assert_int_equal(r->ev[2].cert0_len, 900);
    assert_int_equal(r->ev[2].from, DIR_S2C);
    assert_int_equal(r->ev[3].n_ca_names, 2);
    assert_int_equal(r->ev[5].n_certs, 0);
    assert_int_equal(r->ev[5].from, DIR_C2S);
    assert_int_equal(r->ev[9].level, 2);
    assert_int_equal(r->ev[9].desc, 40);
    assert_false(r->ev[9].encrypted);
    assert_int_equal(r->ev[9].from, DIR_S2C);
    assert_int_equal(r->n_anomaly, 0);
}

static void test_probe_accepts_tls_records_and_sslv2_hello(void **state)
{
    (void)state;
    assert_true(tls_probe((const uint8_t *)"\x16\x03\x01\x00\xb5\x01", 6));
    assert_true(tls_probe((const uint8_t *)"\x17\x03\x03\x40\x00", 5));
    assert_false(tls_probe((const uint8_t *)"INVITE sip:", 11));
    assert_false(tls_probe((const uint8_t *)"\x16\x03\x01", 3));
    assert_false(tls_probe((const uint8_t *)"\x16\x03\x01\x50\x00", 5)); /* longer than any record */
    assert_false(tls_probe((const uint8_t *)"\x18\x03\x01\x00\x10", 5)); /* heartbeat: not a start */
    assert_true(tls_probe((const uint8_t *)"\x80\x2e\x01\x03\x01\x00\x15", 7));
}

static void test_mutual_tls_handshake_without_client_certificate(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    run_whole(&r, 16384);
    assert_mutual_tls_events(&r);
}

static void test_handshake_messages_spread_over_small_records(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    run_whole(&r, 7); /* every message crosses records; some records hold parts of two */
    assert_mutual_tls_events(&r);
}

static void test_server_flight_split_at_every_byte(void **state)
{
    (void)state;
    static struct buf c2s, s2c;
    c2s.n = s2c.n = 0;
    flights(&c2s, &s2c, 16384);
    for (size_t cut = 1; cut < s2c.n; cut++) {
        struct rec r = { .n = 0 };
        struct feeder f;
        feeder_open(&f, &r);
        size_t ch = ch_end;
        feed(&f, DIR_C2S, c2s.b, ch);
        size_t last = s2c.n - 7; /* the alert comes after the client's reply */
        if (cut < last) {
            feed(&f, DIR_S2C, s2c.b, cut);
            feed(&f, DIR_S2C, s2c.b + cut, last - cut);
            feed(&f, DIR_C2S, c2s.b + ch, c2s.n - ch);
            feed(&f, DIR_S2C, s2c.b + last, 7);
        } else {
            feed(&f, DIR_S2C, s2c.b, last);
            feed(&f, DIR_C2S, c2s.b + ch, c2s.n - ch);
            feed(&f, DIR_S2C, s2c.b + last, cut - last);
            feed(&f, DIR_S2C, s2c.b + cut, s2c.n - cut);
        }
        feeder_close(&f);
        assert_mutual_tls_events(&r);
    }
}

static void test_client_flight_split_at_every_byte(void **state)
{
    (void)state;
    static struct buf c2s, s2c;
    c2s.n = s2c.n = 0;
    flights(&c2s, &s2c, 16384);
    size_t ch = ch_end;
    for (size_t cut = ch + 1; cut < c2s.n; cut++) {
        struct rec r = { .n = 0 };
        struct feeder f;
        feeder_open(&f, &r);
        feed(&f, DIR_C2S, c2s.b, ch);
        feed(&f, DIR_S2C, s2c.b, s2c.n - 7);
        feed(&f, DIR_C2S, c2s.b + ch, cut - ch);
        feed(&f, DIR_C2S, c2s.b + cut, c2s.n - cut);
        feed(&f, DIR_S2C, s2c.b + s2c.n - 7, 7);
        feeder_close(&f);
        assert_mutual_tls_events(&r);
    }
}

static void test_tls13_hides_everything_after_server_hello(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    struct buf hs = { .n = 0 }, out = { .n = 0 };
    struct feeder f;
    feeder_open(&f, &r);
    client_hello(&hs, "sip.example.org", true);
    record(&out, 22, hs.b, hs.n, 16384);
    feed(&f, DIR_C2S, out.b, out.n);
    hs.n = out.n = 0;
    server_hello(&hs, 0x1302, true);
    record(&out, 22, hs.b, hs.n, 16384);
    record(&out, 20, (const uint8_t *)"\x01", 1, 16384);
    uint8_t enc[300] = { 0 };
    record(&out, 23, enc, sizeof enc, 16384);
    record(&out, 23, enc, 100, 16384);
    feed(&f, DIR_S2C, out.b, out.n);
    out.n = 0;
    record(&out, 21, (const uint8_t *)"\x02\x2a", 2, 16384); /* a 1.3 "alert" record after keys: unreadable */
    feed(&f, DIR_C2S, out.b, out.n);
    feeder_close(&f);
    assert_int_equal(r.ev[0].kind, TLS_EV_CLIENT_HELLO);
    assert_int_equal(r.ev[0].version, 0x0304);
    assert_int_equal(r.ev[1].kind, TLS_EV_SERVER_HELLO);
    assert_int_equal(r.ev[1].version, 0x0304);
    assert_int_equal(r.ev[1].suite, 0x1302);
    assert_int_equal(r.ev[2].kind, TLS_EV_CHANGE_CIPHER_SPEC);
    assert_int_equal(r.ev[3].kind, TLS_EV_APPLICATION_DATA); /* only the first per side */
    assert_int_equal(r.ev[4].kind, TLS_EV_ALERT);
    assert_true(r.ev[4].encrypted);
    assert_int_equal(r.ev[5].kind, TLS_EV_CLOSE);
    assert_int_equal(r.n, 6);
}

static void test_hello_retry_request_is_marked(void **state)
{
    (void)state;
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };
    struct rec r = { .n = 0 };
    struct buf hs = { .n = 0 }, out = { .n = 0 };
    size_t at = hs_begin(&hs, 2);
    b16(&hs, 0x0303);
    bn(&hs, hrr_random, 32);
    b8(&hs, 0);
    b16(&hs, 0x1301);
    b8(&hs, 0);
    b16(&hs, 6);
    b16(&hs, 43);
    b16(&hs, 2);
    b16(&hs, 0x0304);
    hs_end(&hs, at);
    record(&out, 22, hs.b, hs.n, 16384);
    /* a second, real ServerHello may follow in clear */
    hs.n = 0;
    server_hello(&hs, 0x1301, true);
    record(&out, 22, hs.b, hs.n, 16384);
    struct feeder f;
    feeder_open(&f, &r);
    feed(&f, DIR_S2C, out.b, out.n);
    feeder_close(&f);
    assert_int_equal(r.ev[0].kind, TLS_EV_SERVER_HELLO);
    assert_true(r.ev[0].hello_retry);
    assert_int_equal(r.ev[1].kind, TLS_EV_SERVER_HELLO);
    assert_false(r.ev[1].hello_retry);
}

static void test_oversized_handshake_message_is_dropped_and_parsing_goes_on(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    struct feeder f;
    feeder_open(&f, &r);
    /* a ServerKeyExchange claiming 200 KiB, sent as 13 full records (over the 64 KiB cap) */
    static struct buf out;
    static uint8_t chunk[16384];
    size_t total = 4 + 200000;
    for (size_t off = 0; off < total; off += sizeof chunk) {
        memset(chunk, 0, sizeof chunk);
        if (off == 0) {
            chunk[0] = 12;
            chunk[1] = (uint8_t)(200000 >> 16);
            chunk[2] = (uint8_t)(200000 >> 8);
            chunk[3] = (uint8_t)200000;
        }
        out.n = 0;
        size_t len = total - off < sizeof chunk ? total - off : sizeof chunk;
        record(&out, 22, chunk, len, 16384);
        feed(&f, DIR_S2C, out.b, out.n);
    }
    struct buf hs = { .n = 0 };
    empty_hs(&hs, 14, 0);
    out.n = 0;
    record(&out, 22, hs.b, hs.n, 16384);
    feed(&f, DIR_S2C, out.b, out.n);
    feeder_close(&f);
    assert_int_equal(r.n_anomaly, 1);
    assert_string_equal(r.anomaly, "limit");
    assert_int_equal(r.ev[0].kind, TLS_EV_SERVER_HELLO_DONE);
}

static void test_garbage_is_an_anomaly_and_records_after_it_are_found(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    struct feeder f;
    feeder_open(&f, &r);
    struct buf out = { .n = 0 };
    bn(&out, "GET / HTTP/1.1\r\n\r\n", 18);
    record(&out, 21, (const uint8_t *)"\x02\x30", 2, 16384);
    record(&out, 21, (const uint8_t *)"\x01\x00", 2, 16384);
    feed(&f, DIR_S2C, out.b, out.n);
    feeder_close(&f);
    assert_int_equal(r.n_anomaly, 1);
    assert_string_equal(r.anomaly, "bad_record");
    assert_int_equal(r.ev[0].kind, TLS_EV_ALERT);
    assert_int_equal(r.ev[0].desc, 48);
    assert_int_equal(r.ev[1].desc, 0);
}

static void test_hostile_lengths_never_read_past_the_message(void **state)
{
    (void)state;
    /* every byte of a valid ClientHello record replaced by 0xff in turn */
    struct buf hs = { .n = 0 }, out = { .n = 0 };
    client_hello(&hs, "x.example", true);
    record(&out, 22, hs.b, hs.n, 16384);
    for (size_t i = 5; i < out.n; i++) {
        struct buf m = out;
        m.b[i] = 0xff;
        struct rec r = { .n = 0 };
        struct feeder f;
        feeder_open(&f, &r);
        feed(&f, DIR_C2S, m.b, m.n);
        feeder_close(&f);
        assert_true(r.n >= 1); /* at least the close */
    }
}

static void test_dtls_client_hello_and_server_hello_in_one_datagram_each(void **state)
{
    (void)state;
    struct rec r = { .n = 0 };
    struct dissect_ctx dc = { .sink = { rec_emit, &r }, .lim = &limits_default };
    struct flow_key k = { .sport = 5000, .dport = 6000, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    struct frame_ref at = { 3, 1 };
    struct buf d = { .n = 0 };
    /* DTLS 1.2 record with a whole ClientHello (no extensions) */
    b8(&d, 22);
    b16(&d, 0xfefd);
    b16(&d, 0);
    bz(&d, 6);
    size_t len_at = d.n;
    b16(&d, 0);
    size_t body = d.n;
    b8(&d, 1);
    size_t hl = d.n;
    b24(&d, 0);
    b16(&d, 0);
    b24(&d, 0);
    size_t fl = d.n;
    b24(&d, 0);
    size_t msg = d.n;
    b16(&d, 0xfefd);
    bz(&d, 32);
    b8(&d, 0);
    b8(&d, 0); /* cookie */
    b16(&d, 2);
    b16(&d, 0xc02b);
    b8(&d, 1);
    b8(&d, 0);
    set24(&d, hl, d.n - msg);
    set24(&d, fl, d.n - msg);
    set16(&d, len_at, d.n - body);
    assert_true(dtls_probe(d.b, d.n));
    dtls_datagram(&dc, &k, d.b, d.n, &at);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].kind, TLS_EV_CLIENT_HELLO);
    assert_int_equal(r.ev[0].version, 0xfefd);
    assert_int_equal(r.ev[0].from, DIR_C2S);
    assert_false(dtls_probe((const uint8_t *)"\x16\x03\x03\x00\x10", 5));
    /* truncated: no crash, an anomaly */
    dtls_datagram(&dc, &k, d.b, d.n - 3, &at);
    assert_int_equal(r.n_anomaly, 1);
}

/* One DTLS 1.2 record in its own datagram, holding bytes [off, off + n) of
 * the TLS-framed handshake message m (type, length, body) as message_seq seq. */
static void dtls_fragment_datagram(struct buf *d, const struct buf *m, uint16_t seq, size_t off, size_t n)
{
    d->n = 0;
    b8(d, 22);
    b16(d, 0xfefd);
    b16(d, 0);
    bz(d, 6);
    b16(d, (uint16_t)(12 + n));
    b8(d, m->b[0]);
    bn(d, m->b + 1, 3);  /* the whole message's length */
    b16(d, seq);
    b24(d, (uint32_t)off);
    b24(d, (uint32_t)n);
    bn(d, m->b + 4 + off, n);
}

static size_t count_kind(const struct rec *r, enum tls_ev_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->ev[i].kind == k;
    return n;
}

/* A Certificate cut in five fragments, one per datagram, in all 120 orders
 * and with the first one sent twice: one Certificate event with the whole
 * chain, from the server (learnt from its ServerHello), no anomaly. */
static void test_dtls_certificate_fragments_in_every_order_are_one_message(void **state)
{
    (void)state;
    struct buf sh = { .n = 0 }, cert = { .n = 0 }, d;
    server_hello(&sh, 0xc02f, false);
    certificate(&cert, 2, 400);
    size_t body = cert.n - 4;
    size_t cut[6] = { 0, 121, 324, 527, 730, body };
    struct flow_key k = { .sport = 4400, .dport = 5000, .proto = L4_UDP }; /* server -> client */
    k.src.family = k.dst.family = 4;
    k.src.b[3] = 2;
    k.dst.b[3] = 1;
    int perm[5] = { 0, 1, 2, 3, 4 };
    size_t orders = 0;
    for (;;) {
        struct rec r = { .n = 0 };
        struct dissect_ctx dc = { .sink = { rec_emit, &r }, .lim = &limits_default };
        dc.dtls = dtls_reasm_new(&limits_default, NULL, NULL);
        struct frame_ref at = { 1, 1 };
        dtls_fragment_datagram(&d, &sh, 1, 0, sh.n - 4);
        dtls_datagram(&dc, &k, d.b, d.n, &at);
        for (int i = 0; i < 6; i++) {
            int p = perm[i == 5 ? 0 : i]; /* the first fragment again at the end */
            at.frame++;
            dtls_fragment_datagram(&d, &cert, 2, cut[p], cut[p + 1] - cut[p]);
            dtls_datagram(&dc, &k, d.b, d.n, &at);
        }
        assert_int_equal(r.n_anomaly, 0);
        assert_int_equal(count_kind(&r, TLS_EV_SERVER_HELLO), 1);
        assert_int_equal(count_kind(&r, TLS_EV_CERTIFICATE), 1);
        const struct rec_ev *c = &r.ev[r.n - 1];
        assert_int_equal(c->kind, TLS_EV_CERTIFICATE);
        assert_int_equal(c->n_certs, 2);
        assert_int_equal(c->cert0_len, 400);
        assert_int_equal(c->from, DIR_S2C);
        assert_int_equal(c->frame, 6); /* the datagram that completed it */
        dtls_reasm_free(dc.dtls);
        orders++;
        if (!perm_next(perm, 5))
            break;
    }
    assert_int_equal(orders, 120);
}

/* The client's Certificate in fragments carries nothing that says who sent
 * it; the connection learnt it from the ClientHello. Without a reassembler
 * the fragments are dropped, counted. */
static void test_dtls_client_certificate_fragments_keep_the_clients_side(void **state)
{
    (void)state;
    struct buf ch = { .n = 0 }, cert = { .n = 0 }, d;
    client_hello(&ch, "x", false);
    certificate(&cert, 1, 300);
    struct flow_key k = { .sport = 5000, .dport = 4400, .proto = L4_UDP }; /* client -> server */
    k.src.family = k.dst.family = 4;
    for (int with_reasm = 1; with_reasm >= 0; with_reasm--) {
        struct rec r = { .n = 0 };
        struct dissect_ctx dc = { .sink = { rec_emit, &r }, .lim = &limits_default };
        dc.dtls = with_reasm ? dtls_reasm_new(&limits_default, NULL, NULL) : NULL;
        struct frame_ref at = { 1, 1 };
        struct buf chd = { .n = 0 };
        b8(&chd, 1); /* a DTLS ClientHello has a cookie after the session id */
        bn(&chd, ch.b + 1, 3 + 2 + 32 + 1);
        b8(&chd, 0);
        bn(&chd, ch.b + 4 + 2 + 32 + 1, ch.n - (4 + 2 + 32 + 1));
        set24(&chd, 1, chd.n - 4);
        dtls_fragment_datagram(&d, &chd, 0, 0, chd.n - 4);
        dtls_datagram(&dc, &k, d.b, d.n, &at);
        size_t body = cert.n - 4;
        at.frame = 5;
        dtls_fragment_datagram(&d, &cert, 1, 200, body - 200);
        dtls_datagram(&dc, &k, d.b, d.n, &at);
        at.frame = 6;
        dtls_fragment_datagram(&d, &cert, 1, 0, 200);
        dtls_datagram(&dc, &k, d.b, d.n, &at);
        assert_int_equal(count_kind(&r, TLS_EV_CLIENT_HELLO), 1);
        assert_int_equal(r.ev[0].sni[0], 'x');
        if (with_reasm) {
            assert_int_equal(r.n_anomaly, 0);
            assert_int_equal(count_kind(&r, TLS_EV_CERTIFICATE), 1);
            assert_int_equal(r.ev[1].from, DIR_C2S);
            assert_int_equal(r.ev[1].n_certs, 1);
            assert_int_equal(r.ev[1].cert0_len, 300);
            dtls_reasm_free(dc.dtls);
        } else {
            assert_int_equal(count_kind(&r, TLS_EV_CERTIFICATE), 0);
            assert_int_equal(r.n_anomaly, 2);
            assert_string_equal(r.anomaly, "limit");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_accepts_tls_records_and_sslv2_hello),
        cmocka_unit_test(test_mutual_tls_handshake_without_client_certificate),
        cmocka_unit_test(test_handshake_messages_spread_over_small_records),
        cmocka_unit_test(test_server_flight_split_at_every_byte),
        cmocka_unit_test(test_client_flight_split_at_every_byte),
        cmocka_unit_test(test_tls13_hides_everything_after_server_hello),
        cmocka_unit_test(test_hello_retry_request_is_marked),
        cmocka_unit_test(test_oversized_handshake_message_is_dropped_and_parsing_goes_on),
        cmocka_unit_test(test_garbage_is_an_anomaly_and_records_after_it_are_found),
        cmocka_unit_test(test_hostile_lengths_never_read_past_the_message),
        cmocka_unit_test(test_dtls_client_hello_and_server_hello_in_one_datagram_each),
        cmocka_unit_test(test_dtls_certificate_fragments_in_every_order_are_one_message),
        cmocka_unit_test(test_dtls_client_certificate_fragments_keep_the_clients_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
