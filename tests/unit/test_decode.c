/* test_decode.c: link layers, IPv4/IPv6, fragments, UDP/TCP/ESP through decoder_packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "decode.h"
#include "pkt_build.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* Records what reached the hooks. */
struct rec {
    int udp_count, esp_count, anomalies, attach_calls, opens, closes;
    struct flow_key last_udp;
    uint8_t udp_payload[2048];
    size_t udp_len;
    uint32_t last_spi;
    const char *last_anomaly;
    bool ignore_tcp;
    uint8_t stream[2][2048];
    size_t stream_len[2];
    enum close_reason last_close;
    struct stream_info si;
};

static void *rec_open(void *ctx, const struct stream_info *si)
{
    struct rec *r = ctx;
    r->opens++;
    r->si = *si;
    return r;
}

static size_t rec_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    (void)at;
    struct rec *r = st;
    if (r->stream_len[d] + n <= sizeof r->stream[d]) {
        memcpy(r->stream[d] + r->stream_len[d], p, n);
        r->stream_len[d] += n;
    }
    return n;
}

static void rec_gap(void *st, enum dir d, uint64_t off, uint32_t len)
{
    (void)st; (void)d; (void)off; (void)len;
}

static void rec_close(void *st, enum close_reason why)
{
    struct rec *r = st;
    r->closes++;
    r->last_close = why;
}

static const struct stream_ops rec_ops = { "rec", rec_open, rec_data, rec_gap, rec_close };

static const struct stream_ops *h_attach(void *ctx, const struct stream_info *si, enum dir d,
                                         const uint8_t *p, size_t n, void **cctx)
{
    (void)si; (void)d; (void)p; (void)n;
    struct rec *r = ctx;
    r->attach_calls++;
    *cctx = r;
    return r->ignore_tcp ? NULL : &rec_ops;
}

static void h_udp(void *ctx, const struct flow_key *k, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    (void)at;
    struct rec *r = ctx;
    r->udp_count++;
    r->last_udp = *k;
    r->udp_len = n < sizeof r->udp_payload ? n : sizeof r->udp_payload;
    memcpy(r->udp_payload, p, r->udp_len);
}

static void h_esp(void *ctx, const struct ip_addr *s, const struct ip_addr *d, uint32_t spi, const struct frame_ref *at)
{
    (void)s; (void)d; (void)at;
    struct rec *r = ctx;
    r->esp_count++;
    r->last_spi = spi;
}

static void h_anomaly(void *ctx, const char *layer, const char *code, const struct frame_ref *at)
{
    (void)layer; (void)at;
    struct rec *r = ctx;
    r->anomalies++;
    r->last_anomaly = code;
}

struct fixture {
    struct rec rec;
    struct decoder *dec;
    struct limits lim;
    uint64_t frame;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.lim = limits_default;
    f.lim.flows_max = 4;
    f.lim.tcp_idle_ms = 1000;
    struct decode_hooks hooks = { &f.rec, h_attach, h_udp, h_esp, h_anomaly };
    f.dec = decoder_new(&f.lim, &hooks);
    *state = &f;
    return f.dec ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    decoder_free(f->dec);
    return 0;
}

static void feed_at(struct fixture *f, int dlt, const struct pkt *p, uint32_t wirelen, ts_ns ts)
{
    struct frame_ref at = { .frame = ++f->frame, .ts = ts };
    decoder_packet(f->dec, dlt, p->b, (uint32_t)p->n, wirelen ? wirelen : (uint32_t)p->n, &at);
}

static void feed(struct fixture *f, int dlt, const struct pkt *p)
{
    feed_at(f, dlt, p, 0, 1000000000);
}

static void udp_in_ipv4(struct pkt *p, const char *payload)
{
    uint16_t n = (uint16_t)strlen(payload);
    ipv4(p, 17, 0x0a000001, 0x0a000002, (uint16_t)(8 + n), 1, 0);
    udp(p, 5060, 5070, n);
    putn(p, payload, n);
}

static void ethernet_ipv4_udp_reaches_hook(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    eth(&p, 0x0800);
    udp_in_ipv4(&p, "hello");
    feed(f, DLT_EN10MB, &p);
    assert_int_equal(f->rec.udp_count, 1);
    assert_int_equal(f->rec.last_udp.sport, 5060);
    assert_int_equal(f->rec.last_udp.dport, 5070);
    assert_int_equal(f->rec.last_udp.src.family, 4);
    assert_int_equal(f->rec.last_udp.src.b[3], 1);
    assert_int_equal(f->rec.udp_len, 5);
    assert_memory_equal(f->rec.udp_payload, "hello", 5);
    assert_int_equal(decoder_stats(f->dec)->decode_errors, 0);
}

static void vlan_and_qinq_tags_are_skipped(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    putz(&p, 12);
    put16(&p, 0x88a8); /* 802.1ad outer */
    put16(&p, 100);
    put16(&p, 0x8100); /* 802.1Q inner */
    put16(&p, 200);
    put16(&p, 0x0800);
    udp_in_ipv4(&p, "qinq");
    feed(f, DLT_EN10MB, &p);
    assert_int_equal(f->rec.udp_count, 1);
    assert_memory_equal(f->rec.udp_payload, "qinq", 4);
}

static void linux_cooked_v1_and_v2(void **state)
{
    struct fixture *f = *state;
    struct pkt p1 = { .n = 0 };
    putz(&p1, 14);
    put16(&p1, 0x0800);
    udp_in_ipv4(&p1, "sll1");
    feed(f, DLT_LINUX_SLL, &p1);
    struct pkt p2 = { .n = 0 };
    put16(&p2, 0x0800);
    putz(&p2, 18);
    udp_in_ipv4(&p2, "sll2");
    feed(f, DLT_LINUX_SLL2, &p2);
    assert_int_equal(f->rec.udp_count, 2);
    assert_memory_equal(f->rec.udp_payload, "sll2", 4);
}

static void bsd_null_in_either_byte_order_and_loop(void **state)
{
    struct fixture *f = *state;
    struct pkt le = { .n = 0 };
    put8(&le, 2); put8(&le, 0); put8(&le, 0); put8(&le, 0); /* AF_INET little-endian */
    udp_in_ipv4(&le, "le");
    feed(f, DLT_NULL, &le);
    struct pkt be = { .n = 0 };
    put32(&be, 2);
    udp_in_ipv4(&be, "be");
    feed(f, DLT_NULL, &be);
    struct pkt loop = { .n = 0 };
    put32(&loop, 2);
    udp_in_ipv4(&loop, "lo");
    feed(f, DLT_LOOP, &loop);
    assert_int_equal(f->rec.udp_count, 3);
}

static void raw_ipv6_with_extension_headers(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    /* hop-by-hop (8 bytes) -> destination options (16 bytes) -> UDP */
    ipv6(&p, 0, 1, 2, 8 + 16 + 8 + 3);
    put8(&p, 60); put8(&p, 0); putz(&p, 6);
    put8(&p, 17); put8(&p, 1); putz(&p, 14);
    udp(&p, 4000, 5060, 3);
    putn(&p, "six", 3);
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.udp_count, 1);
    assert_int_equal(f->rec.last_udp.src.family, 6);
    assert_int_equal(f->rec.last_udp.src.b[15], 1);
    assert_memory_equal(f->rec.udp_payload, "six", 3);
}

static void ipv4_options_are_skipped(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    put8(&p, 0x46); /* IHL 6: 4 bytes of options */
    put8(&p, 0);
    put16(&p, 24 + 8 + 2);
    put32(&p, 0);
    put8(&p, 64); put8(&p, 17); put16(&p, 0);
    put32(&p, 0x0a000001); put32(&p, 0x0a000002);
    put32(&p, 0x01010100); /* NOPs + EOL */
    udp(&p, 1, 2, 2);
    putn(&p, "op", 2);
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.udp_count, 1);
    assert_memory_equal(f->rec.udp_payload, "op", 2);
}

static void udp_length_trims_ethernet_padding(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    eth(&p, 0x0800);
    udp_in_ipv4(&p, "ab");
    putz(&p, 20); /* padding to the Ethernet minimum */
    feed(f, DLT_EN10MB, &p);
    assert_int_equal(f->rec.udp_len, 2);
}

static void esp_reports_spi(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    ipv4(&p, 50, 0x0a000001, 0x0a000002, 16, 1, 0);
    put32(&p, 0xc0ffee01);
    put32(&p, 1);
    putz(&p, 8);
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.esp_count, 1);
    assert_int_equal(f->rec.last_spi, 0xc0ffee01);
}

static void truncated_ipv4_header_is_an_anomaly(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    put8(&p, 0x45);
    putz(&p, 9);
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.udp_count, 0);
    assert_int_equal(f->rec.anomalies, 1);
    assert_int_equal(decoder_stats(f->dec)->decode_errors, 1);
}

static void snaplen_cut_packet_is_counted(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    eth(&p, 0x0800);
    udp_in_ipv4(&p, "0123456789");
    feed_at(f, DLT_EN10MB, &p, (uint32_t)p.n + 100, 1);
    assert_int_equal(decoder_stats(f->dec)->truncated_packets, 1);
}

static void ip_in_ip_is_decoded_inside(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    ipv4(&p, 4, 0x01010101, 0x02020202, 20 + 8 + 2, 1, 0);
    udp_in_ipv4(&p, "in");
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.udp_count, 1);
    assert_memory_equal(f->rec.udp_payload, "in", 2);
}

static void ipv4_fragments_are_reassembled(void **state)
{
    struct fixture *f = *state;
    uint8_t payload[8 + 24];
    struct pkt u = { .n = 0 };
    udp(&u, 5060, 5060, 24);
    memcpy(payload, u.b, 8);
    for (int i = 0; i < 24; i++)
        payload[8 + i] = (uint8_t)('a' + i);
    struct pkt p1 = { .n = 0 }, p2 = { .n = 0 };
    ipv4(&p1, 17, 0x0a000001, 0x0a000002, 16, 77, 0x2000); /* MF, offset 0 */
    putn(&p1, payload, 16);
    ipv4(&p2, 17, 0x0a000001, 0x0a000002, 16, 77, 2); /* offset 16 */
    putn(&p2, payload + 16, 16);
    feed(f, DLT_RAW, &p2);
    assert_int_equal(f->rec.udp_count, 0);
    feed(f, DLT_RAW, &p1);
    assert_int_equal(f->rec.udp_count, 1);
    assert_int_equal(f->rec.udp_len, 24);
    assert_memory_equal(f->rec.udp_payload, payload + 8, 24);
}

static void tcp_tuple(struct pkt *p, bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                      const char *data)
{
    uint16_t n = (uint16_t)(data ? strlen(data) : 0);
    uint32_t c = 0x0a000001, s = 0x0a000002;
    ipv4(p, 6, from_client ? c : s, from_client ? s : c, (uint16_t)(20 + n), 1, 0);
    tcp(p, from_client ? 40000 : 5061, from_client ? 5061 : 40000, seq, ack, flags);
    if (n)
        putn(p, data, n);
}

static void tcp_connection_is_reassembled_and_closed_once(void **state)
{
    struct fixture *f = *state;
    struct pkt syn = { .n = 0 }, synack = { .n = 0 }, d1 = { .n = 0 }, d2 = { .n = 0 };
    tcp_tuple(&syn, true, 100, 0, 0x02, NULL);
    tcp_tuple(&synack, false, 500, 101, 0x12, NULL);
    tcp_tuple(&d2, true, 106, 501, 0x18, "world");
    tcp_tuple(&d1, true, 101, 501, 0x18, "hello");
    feed(f, DLT_RAW, &syn);
    feed(f, DLT_RAW, &synack);
    feed(f, DLT_RAW, &d2); /* out of order: the consumer attaches on first payload */
    feed(f, DLT_RAW, &d1);
    assert_int_equal(f->rec.attach_calls, 1);
    assert_int_equal(f->rec.opens, 1);
    assert_true(f->rec.si.saw_syn);
    assert_int_equal(f->rec.si.key.sport, 40000); /* client side from the SYN */
    assert_int_equal(f->rec.stream_len[DIR_C2S], 10);
    assert_memory_equal(f->rec.stream[DIR_C2S], "helloworld", 10);
    struct pkt rst = { .n = 0 };
    tcp_tuple(&rst, false, 501, 111, 0x04, NULL);
    feed(f, DLT_RAW, &rst);
    assert_int_equal(f->rec.closes, 1);
    assert_int_equal(f->rec.last_close, CLOSE_RST);
}

static void ignored_tcp_connection_is_asked_once(void **state)
{
    struct fixture *f = *state;
    f->rec.ignore_tcp = true;
    struct pkt a = { .n = 0 }, b = { .n = 0 };
    tcp_tuple(&a, true, 1, 0, 0x18, "GET /");
    tcp_tuple(&b, true, 6, 0, 0x18, " HTTP");
    feed(f, DLT_RAW, &a);
    feed(f, DLT_RAW, &b);
    assert_int_equal(f->rec.attach_calls, 1);
    assert_int_equal(f->rec.opens, 0);
    assert_int_equal(decoder_stats(f->dec)->tcp_ignored, 1);
}

static void mid_stream_server_side_is_guessed_by_port(void **state)
{
    struct fixture *f = *state;
    struct pkt a = { .n = 0 };
    tcp_tuple(&a, false, 1, 0, 0x18, "data"); /* first packet seen is the server's */
    feed(f, DLT_RAW, &a);
    assert_false(f->rec.si.saw_syn);
    assert_int_equal(f->rec.si.key.dport, 5061);
    assert_int_equal(f->rec.stream_len[DIR_S2C], 4);
}

static void full_flow_table_evicts_the_oldest(void **state)
{
    struct fixture *f = *state;
    for (uint16_t i = 0; i < 5; i++) {
        struct pkt p = { .n = 0 };
        ipv4(&p, 6, 0x0a000001, 0x0a000002, 21, 1, 0);
        tcp(&p, (uint16_t)(30000 + i), 5061, 1, 0, 0x18);
        put8(&p, 'x');
        feed(f, DLT_RAW, &p);
    }
    /* flows_max is 4: the fifth connection pushed out the first. */
    assert_int_equal(f->rec.opens, 5);
    assert_int_equal(f->rec.closes, 1);
    assert_int_equal(f->rec.last_close, CLOSE_EVICTED);
    assert_int_equal(decoder_stats(f->dec)->flows_evicted, 1);
}

/* The buckets start small and double with the flows (flow.c): every
 * connection is still found, and still removed, across the regrowths. */
static void many_flows_stay_found_as_the_table_grows(void **state)
{
    struct fixture *f = *state;
    decoder_free(f->dec);
    f->lim.flows_max = 8192;
    struct decode_hooks hooks = { &f->rec, h_attach, h_udp, h_esp, h_anomaly };
    f->dec = decoder_new(&f->lim, &hooks);
    assert_non_null(f->dec);
    enum { N = 5000 };
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < N; i++) {
            struct pkt p = { .n = 0 };
            ipv4(&p, 6, 0x0a000000 + i, 0x0a7f0001, round < 2 ? 21 : 20, 1, 0);
            /* rounds 0 and 1: one byte each; round 2: a reset */
            tcp(&p, (uint16_t)(30000 + i % 7), 5060, 1 + round, 0, round < 2 ? 0x18 : 0x04);
            if (round < 2)
                put8(&p, 'x');
            feed(f, DLT_RAW, &p);
        }
        if (round == 1) { /* the second segments found their connections */
            assert_int_equal(f->rec.opens, N);
            assert_int_equal(decoder_stats(f->dec)->tcp_connections, N);
            assert_int_equal(f->rec.closes, 0);
        }
    }
    assert_int_equal(f->rec.closes, N);
    assert_int_equal(f->rec.last_close, CLOSE_RST);
    assert_int_equal(decoder_stats(f->dec)->flows_evicted, 0);
}

static void idle_flow_times_out_on_capture_time(void **state)
{
    struct fixture *f = *state;
    struct pkt a = { .n = 0 }, b = { .n = 0 };
    tcp_tuple(&a, true, 1, 0, 0x18, "x");
    feed_at(f, DLT_RAW, &a, 0, 1000000000);
    udp_in_ipv4(&b, "tick");
    feed_at(f, DLT_RAW, &b, 0, 1000000000 + 2000000000LL); /* 2 s later, idle is 1 s */
    assert_int_equal(f->rec.closes, 1);
    assert_int_equal(f->rec.last_close, CLOSE_IDLE);
}

static void end_of_input_closes_with_eof(void **state)
{
    struct fixture *f = *state;
    struct pkt a = { .n = 0 };
    tcp_tuple(&a, true, 1, 0, 0x18, "x");
    feed(f, DLT_RAW, &a);
    decoder_finish(f->dec, NULL);
    assert_int_equal(f->rec.closes, 1);
    assert_int_equal(f->rec.last_close, CLOSE_EOF);
}

static void bad_tcp_data_offset_is_an_anomaly(void **state)
{
    struct fixture *f = *state;
    struct pkt p = { .n = 0 };
    ipv4(&p, 6, 1, 2, 20, 1, 0);
    tcp(&p, 1, 2, 0, 0, 0x18);
    p.b[20 + 12] = 0x40; /* data offset 4 < 5 */
    feed(f, DLT_RAW, &p);
    assert_int_equal(f->rec.anomalies, 1);
    assert_string_equal(f->rec.last_anomaly, "bad_data_offset");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ethernet_ipv4_udp_reaches_hook),
        T(vlan_and_qinq_tags_are_skipped),
        T(linux_cooked_v1_and_v2),
        T(bsd_null_in_either_byte_order_and_loop),
        T(raw_ipv6_with_extension_headers),
        T(ipv4_options_are_skipped),
        T(udp_length_trims_ethernet_padding),
        T(esp_reports_spi),
        T(truncated_ipv4_header_is_an_anomaly),
        T(snaplen_cut_packet_is_counted),
        T(ip_in_ip_is_decoded_inside),
        T(ipv4_fragments_are_reassembled),
        T(tcp_connection_is_reassembled_and_closed_once),
        T(ignored_tcp_connection_is_asked_once),
        T(mid_stream_server_side_is_guessed_by_port),
        T(full_flow_table_evicts_the_oldest),
        T(many_flows_stay_found_as_the_table_grows),
        T(idle_flow_times_out_on_capture_time),
        T(end_of_input_closes_with_eof),
        T(bad_tcp_data_offset_is_an_anomaly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
