/* test_sip.c: SIP probe, UDP messages, TCP framing by Content-Length (dissect/sip.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sip.h"
#include "sip_event.h"

/* A recording sink: copies of the SIP facts a test looks at. */
struct rec {
    int n_sip, n_anomaly, n_decode_err;
    char method[16][16];
    int status[16];
    char call_id[64], from[64], to[64], reason[64], via_tr[8], warning[64], rq_host[32];
    char rr_host[64], route_host[64], contact_host[64];
    uint32_t cseq;
    bool had_sdp[16];
    struct sdp_info sdp;
    char anomaly[32];
};

static void rec_emit(void *ctx, const struct event *ev)
{
    struct rec *r = ctx;
    if (ev->kind == EV_ANOMALY) {
        const struct ev_anomaly *a = ev->body;
        r->n_anomaly++;
        r->n_decode_err += a->counts_as_decode_error;
        snprintf(r->anomaly, sizeof r->anomaly, "%s", a->code);
        return;
    }
    if (ev->kind != EV_SIP || r->n_sip >= 16)
        return;
    const struct ev_sip *m = ev->body;
    snprintf(r->method[r->n_sip], sizeof r->method[0], "%.*s", (int)m->method.n, m->method.p);
    r->status[r->n_sip] = m->status;
    r->had_sdp[r->n_sip] = m->sdp != NULL;
    if (m->sdp)
        r->sdp = *m->sdp;
    snprintf(r->call_id, sizeof r->call_id, "%.*s", (int)m->call_id.n, m->call_id.p);
    snprintf(r->from, sizeof r->from, "%.*s", (int)m->from_uri.n, m->from_uri.p);
    snprintf(r->to, sizeof r->to, "%.*s", (int)m->to_uri.n, m->to_uri.p);
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)m->reason.n, m->reason.p);
    snprintf(r->via_tr, sizeof r->via_tr, "%.*s", (int)m->via_transport.n, m->via_transport.p);
    snprintf(r->warning, sizeof r->warning, "%.*s", (int)m->warning.n, m->warning.p);
    snprintf(r->rq_host, sizeof r->rq_host, "%.*s", (int)m->request_uri_host.n, m->request_uri_host.p);
    snprintf(r->rr_host, sizeof r->rr_host, "%.*s", (int)m->record_route_host.n, m->record_route_host.p);
    snprintf(r->route_host, sizeof r->route_host, "%.*s", (int)m->route_host.n, m->route_host.p);
    snprintf(r->contact_host, sizeof r->contact_host, "%.*s", (int)m->contact_host.n, m->contact_host.p);
    r->cseq = m->cseq;
    r->n_sip++;
}

static struct limits test_lim;

static struct dissect_ctx make_dc(struct rec *r)
{
    test_lim = limits_default;
    struct dissect_ctx dc = { .sink = { rec_emit, r }, .lim = &test_lim };
    return dc;
}

static struct flow_key test_flow(void)
{
    struct flow_key k = { .sport = 5060, .dport = 5060, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = k.dst.b[0] = 10;
    k.src.b[3] = 1;
    k.dst.b[3] = 2;
    return k;
}

static const char invite_sdp[] =
    "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.1>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 134\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 1 1 IN IP4 10.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY\r\n";

static const char resp_415[] =
    "SIP/2.0 415 Unsupported Media Type\r\n"
    "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
    "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static void udp(struct rec *r, const char *msg, size_t n)
{
    struct dissect_ctx dc = make_dc(r);
    struct flow_key k = test_flow();
    struct frame_ref at = { 1, 0 };
    sip_datagram(&dc, &k, (const uint8_t *)msg, n, &at);
}

/* One whole message as the framer hands it on, over transport tr. */
static void message_over(struct rec *r, enum sip_transport tr, const char *msg)
{
    struct dissect_ctx dc = make_dc(r);
    struct flow_key k = test_flow();
    struct frame_ref at = { 1, 0 };
    sip_message(&dc, &k, tr, (const uint8_t *)msg, strlen(msg), &at);
}

static void sip_probe_accepts_request_and_status_lines(void **state)
{
    (void)state;
    assert_true(sip_probe((const uint8_t *)invite_sdp, sizeof invite_sdp - 1));
    assert_true(sip_probe((const uint8_t *)resp_415, sizeof resp_415 - 1));
    /* first line not complete yet: a known method is enough */
    assert_true(sip_probe((const uint8_t *)"REGISTER sip:reg", 16));
}

static void sip_probe_rejects_other_protocols(void **state)
{
    (void)state;
    assert_false(sip_probe((const uint8_t *)"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27));
    assert_false(sip_probe((const uint8_t *)"\x16\x03\x01\x00\x50\x01\x00\x00", 8));
    assert_false(sip_probe((const uint8_t *)"SIP/2.0 9xx Bad\r\n", 17));
    assert_false(sip_probe((const uint8_t *)"HELLO", 5));
}

static void sip_udp_request_fields_reach_the_event(void **state)
{
    (void)state;
    struct rec r = { 0 };
    udp(&r, invite_sdp, sizeof invite_sdp - 1);
    assert_int_equal(r.n_sip, 1);
    assert_string_equal(r.method[0], "INVITE");
    assert_int_equal(r.status[0], 0);
    assert_string_equal(r.call_id, "a84b4c76e66710@pc33.example.com");
    assert_string_equal(r.from, "sip:alice@example.com");
    assert_string_equal(r.to, "sip:bob@example.com");
    assert_int_equal(r.cseq, 314159);
    assert_string_equal(r.via_tr, ""); /* routing headers: read for SIP over TLS only */
    assert_string_equal(r.contact_host, "");
    assert_string_equal(r.rq_host, "10.0.0.2");
    assert_true(r.had_sdp[0]);
    assert_string_equal(r.sdp.media[0].profile, "RTP/SAVP");
    assert_string_equal(r.sdp.media[0].crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
}

/*
 * The topmost Record-Route host and a loose topmost Route (the next hop), the same from the
 * one-pass parser (plain headers) and from libosip2 (the same message with a folded header
 * line, which the one-pass parser leaves to libosip2).
 */
static void sip_route_headers_reach_the_event_from_both_parsers(void **state)
{
    (void)state;
    static const char *const extra[] = { "", "Subject: folded\r\n  line\r\n" };
    for (size_t i = 0; i < 2; i++) {
        char m[1024];
        snprintf(m, sizeof m,
                 "INVITE sip:um@um-pool.example.com;transport=tls SIP/2.0\r\n"
                 "Via: SIP/2.0/TLS sbc.example.com:5061;branch=z9hG4bK-1\r\n"
                 "Record-Route: <sip:sbc-rr.example.com:5061;transport=tls;lr>, <sip:p2.example.com;lr>\r\n"
                 "Record-Route: <sip:p3.example.com;lr>\r\n"
                 "Route: \"next\" <sip:um1.example.com:5061;transport=tls;lr>\r\n"
                 "Route: <sip:um2.example.com;lr>\r\n"
                 "%s"
                 "From: <sip:gw@gw.example.com>;tag=1\r\n"
                 "To: <sip:um@um-pool.example.com>\r\n"
                 "Call-ID: rr-%zu\r\n"
                 "CSeq: 1 INVITE\r\n"
                 "Contact: <sip:gw@gw.example.com:5061;transport=tls>\r\n"
                 "Content-Length: 0\r\n\r\n",
                 extra[i], i);
        struct rec r = { 0 };
        message_over(&r, SIP_TR_TLS, m);
        assert_int_equal(r.n_sip, 1);
        assert_string_equal(r.rq_host, "um-pool.example.com");
        assert_string_equal(r.via_tr, "TLS");
        assert_string_equal(r.rr_host, "sbc-rr.example.com");
        assert_string_equal(r.route_host, "um1.example.com");
        assert_string_equal(r.contact_host, "gw.example.com");
        /* over clear transport nothing reads them: left empty by either parser */
        memset(&r, 0, sizeof r);
        message_over(&r, SIP_TR_TCP, m);
        assert_int_equal(r.n_sip, 1);
        assert_string_equal(r.rq_host, "um-pool.example.com");
        assert_string_equal(r.via_tr, "");
        assert_string_equal(r.rr_host, "");
        assert_string_equal(r.route_host, "");
        assert_string_equal(r.contact_host, "");
    }
    /* a strict route (no lr; RFC 2543): the Request-URI names the next hop, route_host stays ""; a
     * message without either header has both "" */
    static const char *const strict[] = {
        "BYE sip:um1.example.com SIP/2.0\r\nRoute: <sip:um@uas.example.com>\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: s1\r\nCSeq: 2 BYE\r\n\r\n",
        "BYE sip:um1.example.com SIP/2.0\r\nRoute: <sip:um@uas.example.com>\r\nSubject: x\r\n y\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: s2\r\nCSeq: 2 BYE\r\n\r\n",
        "BYE sip:um1.example.com SIP/2.0\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: s3\r\nCSeq: 2 BYE\r\n\r\n",
    };
    for (size_t i = 0; i < 3; i++) {
        struct rec r = { 0 };
        message_over(&r, SIP_TR_TLS, strict[i]);
        assert_int_equal(r.n_sip, 1);
        assert_string_equal(r.rq_host, "um1.example.com");
        assert_string_equal(r.route_host, "");
        assert_string_equal(r.rr_host, "");
    }
}

/*
 * The routing headers are read (and so validated) only for SIP over TLS:
 * over clear transport a Contact libosip2 cannot parse does not cost the
 * message, as an unparsable Allow never did (docs/SIP.md); over TLS the
 * name checks need it, and the message is malformed.
 */
static void sip_unread_routing_header_is_not_validated(void **state)
{
    (void)state;
    const char *m = "INVITE sip:um@10.0.0.2 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-9\r\n"
                    "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:um@example.com>\r\n"
                    "Call-ID: bad-contact-1\r\nCSeq: 1 INVITE\r\n"
                    "Contact: <sip:alice@10.0.0.1\r\n" /* no closing '>' */
                    "Content-Length: 0\r\n\r\n";
    struct rec r = { 0 };
    message_over(&r, SIP_TR_UDP, m);
    assert_int_equal(r.n_sip, 1);
    assert_int_equal(r.n_decode_err, 0);
    assert_string_equal(r.call_id, "bad-contact-1");
    memset(&r, 0, sizeof r);
    message_over(&r, SIP_TR_TLS, m);
    assert_int_equal(r.n_sip, 0);
    assert_int_equal(r.n_decode_err, 1);
}

static void sip_udp_response_gives_status_reason_and_cseq_method(void **state)
{
    (void)state;
    struct rec r = { 0 };
    udp(&r, resp_415, sizeof resp_415 - 1);
    assert_int_equal(r.n_sip, 1);
    assert_int_equal(r.status[0], 415);
    assert_string_equal(r.reason, "Unsupported Media Type");
    assert_string_equal(r.method[0], "INVITE");
    assert_false(r.had_sdp[0]);
}

static void sip_udp_malformed_message_counts_decode_error(void **state)
{
    (void)state;
    struct rec r = { 0 };
    static const char bad[] = "INVITE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\nContent-Length: 0\r\n\r\n";
    udp(&r, bad, sizeof bad - 1); /* no Call-ID, CSeq, To, Via */
    assert_int_equal(r.n_sip, 0);
    assert_int_equal(r.n_decode_err, 1);
}

static void sip_udp_content_length_beyond_datagram_is_rejected(void **state)
{
    (void)state;
    struct rec r = { 0 };
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)(strstr(resp_415, "Content-Length") - resp_415), resp_415);
    strcat(buf, "Content-Length: 500\r\n\r\nv=0\r\n");
    udp(&r, buf, strlen(buf));
    assert_int_equal(r.n_sip, 0);
    assert_int_equal(r.n_decode_err, 1);
    assert_string_equal(r.anomaly, "content_length");
}

static void sip_udp_keepalives_are_silent(void **state)
{
    (void)state;
    struct rec r = { 0 };
    udp(&r, "\r\n\r\n", 4);
    udp(&r, "     ", 5);          /* seen from real phones (aaa.pcap frame 193) */
    udp(&r, "\0\0\0\0", 4);
    assert_int_equal(r.n_sip, 0);
    assert_int_equal(r.n_anomaly, 0);
}

static void sip_udp_multipart_body_yields_the_sdp_part(void **state)
{
    (void)state;
    static const char body[] =
        "--b1\r\n"
        "Content-Type: application/sdp\r\n"
        "\r\n"
        "v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 7000 RTP/SAVP 0\r\na=encryption:required\r\n"
        "\r\n--b1\r\n"
        "Content-Type: application/x-ms-other\r\n"
        "\r\n"
        "hello\r\n"
        "--b1--\r\n";
    char buf[2048];
    snprintf(buf, sizeof buf,
             "INVITE sip:um@example.com;transport=tls SIP/2.0\r\n"
             "Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKms\r\n"
             "From: <sip:user@example.com>;tag=t1\r\nTo: <sip:um@example.com>\r\n"
             "Call-ID: ms1\r\nCSeq: 1 INVITE\r\nms-keep-alive: UAC;hop-hop=yes\r\n"
             "Content-Type: multipart/alternative;boundary=b1\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             sizeof body - 1, body);
    struct rec r = { 0 };
    udp(&r, buf, strlen(buf));
    assert_int_equal(r.n_sip, 1);
    assert_true(r.had_sdp[0]);
    assert_int_equal(r.sdp.media[0].port, 7000);
    assert_string_equal(r.sdp.media[0].encryption, "required");
}

/* ---- TCP ---- */

struct tcp {
    struct rec r;
    struct dissect_ctx dc;
    struct sip_framer_dir fd;
    struct flow_key k;
    char held[8192];
    size_t n_held;
};

static void tcp_init(struct tcp *t)
{
    memset(t, 0, sizeof *t);
    t->dc = make_dc(&t->r);
    t->k = test_flow();
    t->k.proto = L4_TCP;
}

/* Behaves like the reassembler: unconsumed bytes are offered again, prefixed. */
static void tcp_feed(struct tcp *t, const char *p, size_t n)
{
    assert_true(t->n_held + n <= sizeof t->held);
    memcpy(t->held + t->n_held, p, n);
    t->n_held += n;
    struct frame_ref at = { 3, 0 };
    size_t used = sip_stream_feed(&t->dc, &t->fd, &t->k, SIP_TR_TCP, (const uint8_t *)t->held, t->n_held, &at);
    assert_true(used <= t->n_held);
    memmove(t->held, t->held + used, t->n_held - used);
    t->n_held -= used;
}

static void sip_tcp_message_split_over_segments_arrives_once_whole(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    size_t n = sizeof invite_sdp - 1;
    tcp_feed(&t, invite_sdp, 40);            /* inside the headers */
    assert_int_equal(t.r.n_sip, 0);
    tcp_feed(&t, invite_sdp + 40, n - 60);   /* inside the body */
    assert_int_equal(t.r.n_sip, 0);
    tcp_feed(&t, invite_sdp + n - 20, 20);
    assert_int_equal(t.r.n_sip, 1);
    assert_true(t.r.had_sdp[0]);
    assert_int_equal(t.n_held, 0);
}

static void sip_tcp_two_messages_in_one_segment_are_both_emitted(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", invite_sdp, resp_415);
    tcp_feed(&t, buf, strlen(buf));
    assert_int_equal(t.r.n_sip, 2);
    assert_string_equal(t.r.method[0], "INVITE");
    assert_int_equal(t.r.status[1], 415);
    assert_int_equal(t.n_held, 0);
}

static void sip_tcp_crlf_keepalives_between_messages_are_skipped(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    char buf[4096];
    snprintf(buf, sizeof buf, "\r\n\r\n%s\r\n\r\n%s", resp_415, resp_415);
    tcp_feed(&t, buf, strlen(buf));
    assert_int_equal(t.r.n_sip, 2);
    assert_int_equal(t.r.n_anomaly, 0);
}

static void sip_tcp_missing_content_length_means_no_body_and_is_noted(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    char buf[2048];
    snprintf(buf, sizeof buf, "%.*s\r\n%s", (int)(strstr(resp_415, "Content-Length") - resp_415), resp_415,
             resp_415);
    tcp_feed(&t, buf, strlen(buf));
    assert_int_equal(t.r.n_sip, 2);
    assert_string_equal(t.r.anomaly, "no_content_length");
    assert_int_equal(t.r.n_decode_err, 0);
}

static void sip_tcp_gap_resyncs_on_next_start_line(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    tcp_feed(&t, invite_sdp, 100);
    /* capture lost the rest: the reassembler drops held bytes and says gap */
    t.n_held = 0;
    sip_stream_gap(&t.fd);
    char buf[2048];
    snprintf(buf, sizeof buf, "a=crypto:1 AES_CM inline:KEY\r\n%s", resp_415);
    tcp_feed(&t, buf, strlen(buf));
    assert_int_equal(t.r.n_sip, 1);
    assert_int_equal(t.r.status[0], 415);
}

static void sip_tcp_oversize_message_is_skipped_and_next_one_read(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    test_lim.sip_msg_bytes_max = 300; /* the INVITE is larger, the 415 smaller */
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", invite_sdp, resp_415);
    tcp_feed(&t, buf, 200);
    tcp_feed(&t, buf + 200, strlen(buf) - 200);
    assert_int_equal(t.r.n_sip, 1);
    assert_int_equal(t.r.status[0], 415);
    assert_int_equal(t.n_held, 0);
}

static void sip_tcp_garbage_before_message_is_skipped(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    char buf[4096];
    snprintf(buf, sizeof buf, "junk junk\r\nmore junk\r\n%s", resp_415);
    tcp_feed(&t, buf, strlen(buf));
    assert_int_equal(t.r.n_sip, 1);
    assert_string_equal(t.r.anomaly, "not_sip");
}

static void sip_tcp_incomplete_first_line_waits(void **state)
{
    (void)state;
    struct tcp t;
    tcp_init(&t);
    tcp_feed(&t, "SIP/2.0 41", 10);
    assert_int_equal(t.n_held, 10);
    tcp_feed(&t, resp_415 + 10, sizeof resp_415 - 11);
    assert_int_equal(t.r.n_sip, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sip_probe_accepts_request_and_status_lines),
        cmocka_unit_test(sip_probe_rejects_other_protocols),
        cmocka_unit_test(sip_udp_request_fields_reach_the_event),
        cmocka_unit_test(sip_route_headers_reach_the_event_from_both_parsers),
        cmocka_unit_test(sip_unread_routing_header_is_not_validated),
        cmocka_unit_test(sip_udp_response_gives_status_reason_and_cseq_method),
        cmocka_unit_test(sip_udp_malformed_message_counts_decode_error),
        cmocka_unit_test(sip_udp_content_length_beyond_datagram_is_rejected),
        cmocka_unit_test(sip_udp_keepalives_are_silent),
        cmocka_unit_test(sip_udp_multipart_body_yields_the_sdp_part),
        cmocka_unit_test(sip_tcp_message_split_over_segments_arrives_once_whole),
        cmocka_unit_test(sip_tcp_two_messages_in_one_segment_are_both_emitted),
        cmocka_unit_test(sip_tcp_crlf_keepalives_between_messages_are_skipped),
        cmocka_unit_test(sip_tcp_missing_content_length_means_no_body_and_is_noted),
        cmocka_unit_test(sip_tcp_gap_resyncs_on_next_start_line),
        cmocka_unit_test(sip_tcp_oversize_message_is_skipped_and_next_one_read),
        cmocka_unit_test(sip_tcp_garbage_before_message_is_skipped),
        cmocka_unit_test(sip_tcp_incomplete_first_line_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
