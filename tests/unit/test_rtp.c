/* test_rtp.c: RTP/RTCP header parsing and the heuristic probe (dissect/rtp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "media_expect.h"
#include "rtp.h"
#include "rtp_event.h"

/* A recording sink: the last RTP/RTCP event and the anomalies. */
struct rec {
    int n_rtp, n_rtcp, n_anomaly;
    struct ev_rtp rtp;
    struct ev_rtcp rtcp;
    char anomaly_code[32];
};

static void rec_emit(void *ctx, const struct event *ev)
{
    struct rec *r = ctx;
    switch (ev->kind) {
    case EV_RTP: r->n_rtp++; r->rtp = *(const struct ev_rtp *)ev->body; break;
    case EV_RTCP: r->n_rtcp++; r->rtcp = *(const struct ev_rtcp *)ev->body; break;
    case EV_ANOMALY: {
        const struct ev_anomaly *a = ev->body;
        r->n_anomaly++;
        strncpy(r->anomaly_code, a->code, sizeof r->anomaly_code - 1);
        break;
    }
    default: break;
    }
}

static struct flow_key test_flow(void)
{
    struct flow_key k = { .sport = 40000, .dport = 40002, .proto = L4_UDP };
    k.src.family = 4;
    k.src.b[0] = 10; k.src.b[3] = 1;
    k.dst.family = 4;
    k.dst.b[0] = 10; k.dst.b[3] = 2;
    return k;
}

static struct media_expect *test_media;

static void feed(struct rec *r, const uint8_t *p, size_t n)
{
    struct dissect_ctx dc = { .sink = { rec_emit, r }, .lim = &limits_default,
                              .media = test_media };
    struct flow_key k = test_flow();
    struct frame_ref at = { 7, 1000 };
    rtp_datagram(&dc, &k, p, n, &at);
}

/* V=2, PT 0, seq 0x1234, ts 0x01020304, SSRC 0xdeadbeef, 160 bytes of payload */
static size_t pcmu_packet(uint8_t *buf, bool marker)
{
    static const uint8_t hdr[12] = { 0x80, 0x00, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04,
                                     0xde, 0xad, 0xbe, 0xef };
    memcpy(buf, hdr, sizeof hdr);
    if (marker)
        buf[1] |= 0x80;
    memset(buf + 12, 0xff, 160);
    return 172;
}

static void probe_accepts_pcmu_packet(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    assert_true(rtp_probe(b, n));
}

static void probe_rejects_version_1(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    b[0] = 0x40;
    assert_false(rtp_probe(b, n));
}

static void probe_rejects_short_datagram(void **state)
{
    (void)state;
    uint8_t b[200];
    pcmu_packet(b, false);
    assert_false(rtp_probe(b, 11));
}

static void probe_rejects_unassigned_payload_type(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    b[1] = 50;
    assert_false(rtp_probe(b, n));
}

static void probe_rejects_csrc_list_past_end(void **state)
{
    (void)state;
    uint8_t b[200];
    pcmu_packet(b, false);
    b[0] = 0x8f; /* 15 CSRCs = 60 bytes */
    assert_false(rtp_probe(b, 40));
}

static const uint8_t rtcp_sr_sdes[] = {
    /* SR: V=2 RC=0 PT=200 len=6 (28 bytes) */
    0x80, 200, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2,
    /* SDES: V=2 SC=1 PT=202 len=2 (12 bytes): CNAME "ab" */
    0x81, 202, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 1, 2, 'a', 'b',
};

static void probe_accepts_rtcp_sender_report(void **state)
{
    (void)state;
    assert_true(rtp_probe(rtcp_sr_sdes, sizeof rtcp_sr_sdes));
}

static void probe_rejects_rtcp_length_past_end(void **state)
{
    (void)state;
    assert_false(rtp_probe(rtcp_sr_sdes, 20));
}

static void datagram_emits_header_fields(void **state)
{
    (void)state;
    struct rec r = { 0 };
    uint8_t b[200];
    size_t n = pcmu_packet(b, true);
    feed(&r, b, n);
    assert_int_equal(r.n_rtp, 1);
    assert_int_equal(r.rtp.ssrc, 0xdeadbeef);
    assert_int_equal(r.rtp.seq, 0x1234);
    assert_int_equal(r.rtp.timestamp, 0x01020304);
    assert_int_equal(r.rtp.pt, 0);
    assert_true(r.rtp.marker);
    assert_int_equal(r.rtp.payload_len, 160);
    assert_false(r.rtp.has_hint);
    assert_null(r.rtp.call_id);
}

static void datagram_skips_csrcs_and_extension(void **state)
{
    (void)state;
    uint8_t b[64] = { 0x92, 0x08, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9,
                      /* 2 CSRCs */ 0, 0, 0, 1, 0, 0, 0, 2,
                      /* extension: profile 0xbede, 1 word */ 0xbe, 0xde, 0, 1, 1, 2, 3, 4,
                      /* payload */ 'x', 'y', 'z' };
    struct rec r = { 0 };
    feed(&r, b, 31);
    assert_int_equal(r.n_rtp, 1);
    assert_int_equal(r.rtp.pt, 8);
    assert_int_equal(r.rtp.payload_len, 3);
}

static void datagram_strips_padding(void **state)
{
    (void)state;
    struct rec r = { 0 };
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    b[0] |= 0x20;
    b[n - 1] = 4; /* last 4 bytes are padding */
    feed(&r, b, n);
    assert_int_equal(r.rtp.payload_len, 156);
}

static void datagram_bad_padding_is_anomaly(void **state)
{
    (void)state;
    struct rec r = { 0 };
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    b[0] |= 0x20;
    b[n - 1] = 200; /* more padding than payload */
    feed(&r, b, n);
    assert_int_equal(r.n_rtp, 0);
    assert_int_equal(r.n_anomaly, 1);
    assert_string_equal(r.anomaly_code, "bad_padding");
}

static void datagram_truncated_extension_is_anomaly(void **state)
{
    (void)state;
    uint8_t b[20] = { 0x90, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9, 0xbe, 0xde, 0x00, 0x10 };
    struct rec r = { 0 };
    feed(&r, b, 20); /* the extension claims 64 bytes */
    assert_int_equal(r.n_rtp, 0);
    assert_string_equal(r.anomaly_code, "truncated");
}

static void datagram_ignores_non_rtp_on_media_port(void **state)
{
    (void)state;
    /* ZRTP and STUN share SDP media ports: no event, no decode error */
    uint8_t zrtp[28] = { 0x10, 0x00, 0x00, 0x01, 'Z', 'R', 'T', 'P' };
    struct rec r = { 0 };
    feed(&r, zrtp, sizeof zrtp);
    assert_int_equal(r.n_rtp + r.n_rtcp + r.n_anomaly, 0);
}

static void datagram_copies_the_sdp_hint(void **state)
{
    (void)state;
    test_media = media_expect_new(&limits_default);
    struct flow_key k = test_flow();
    struct media_hint h = { .is_srtp = true, .clock_pt = 101, .clock_rate = 8000 };
    strcpy(h.call_id, "call-42@pbx");
    media_expect_add(test_media, &k.dst, k.dport, &h, 1);
    struct rec r = { 0 };
    uint8_t b[200];
    size_t n = pcmu_packet(b, false);
    feed(&r, b, n);
    assert_int_equal(r.n_rtp, 1);
    assert_non_null(r.rtp.call_id); /* borrowed from the table: read before freeing it */
    assert_string_equal(r.rtp.call_id, "call-42@pbx");
    media_expect_free(test_media);
    test_media = NULL;
    assert_true(r.rtp.has_hint);
    assert_true(r.rtp.is_srtp);
    assert_int_equal(r.rtp.hint_clock_pt, 101);
    assert_int_equal(r.rtp.hint_clock_rate, 8000);
}

static void rtcp_compound_counts_packet_types(void **state)
{
    (void)state;
    struct rec r = { 0 };
    feed(&r, rtcp_sr_sdes, sizeof rtcp_sr_sdes);
    assert_int_equal(r.n_rtcp, 1);
    assert_int_equal(r.rtcp.ssrc, 0x11223344);
    assert_int_equal(r.rtcp.n_sr, 1);
    assert_int_equal(r.rtcp.n_sdes, 1);
    assert_int_equal(r.rtcp.n_rr + r.rtcp.n_bye + r.rtcp.n_app, 0);
}

static void rtcp_srtcp_trailer_is_not_an_error(void **state)
{
    (void)state;
    uint8_t b[sizeof rtcp_sr_sdes + 14];
    memcpy(b, rtcp_sr_sdes, sizeof rtcp_sr_sdes);
    memset(b + sizeof rtcp_sr_sdes, 0x5a, 14); /* E+index and a 10-byte tag */
    b[sizeof rtcp_sr_sdes] = 0x80;             /* E flag set looks like V=2 */
    struct rec r = { 0 };
    feed(&r, b, sizeof b);
    assert_int_equal(r.n_rtcp, 1);
    assert_int_equal(r.rtcp.n_sr, 1);
    assert_int_equal(r.n_anomaly, 0);
}

static void rtcp_first_length_past_end_is_anomaly(void **state)
{
    (void)state;
    uint8_t b[8] = { 0x80, 201, 0x00, 0x07, 1, 2, 3, 4 };
    struct rec r = { 0 };
    feed(&r, b, sizeof b);
    assert_int_equal(r.n_rtcp, 0);
    assert_int_equal(r.n_anomaly, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_accepts_pcmu_packet),
        cmocka_unit_test(probe_rejects_version_1),
        cmocka_unit_test(probe_rejects_short_datagram),
        cmocka_unit_test(probe_rejects_unassigned_payload_type),
        cmocka_unit_test(probe_rejects_csrc_list_past_end),
        cmocka_unit_test(probe_accepts_rtcp_sender_report),
        cmocka_unit_test(probe_rejects_rtcp_length_past_end),
        cmocka_unit_test(datagram_emits_header_fields),
        cmocka_unit_test(datagram_skips_csrcs_and_extension),
        cmocka_unit_test(datagram_strips_padding),
        cmocka_unit_test(datagram_bad_padding_is_anomaly),
        cmocka_unit_test(datagram_truncated_extension_is_anomaly),
        cmocka_unit_test(datagram_ignores_non_rtp_on_media_port),
        cmocka_unit_test(datagram_copies_the_sdp_hint),
        cmocka_unit_test(rtcp_compound_counts_packet_types),
        cmocka_unit_test(rtcp_srtcp_trailer_is_not_an_error),
        cmocka_unit_test(rtcp_first_length_past_end_is_anomaly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
