/* test_sip_calls.c: calls by Call-ID, offer/answer, final status and call findings (analyze/call.c),
 * fed through the real SIP dissector, plus the media_expect table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "media_expect.h"
#include "modules.h"
#include "sip.h"
#include "sip_event.h"

struct fixture {
    struct limits lim;
    struct analyze_opts opts;
    struct analyze_ctx ctx;
    struct report_out out;
    char *outbuf;
    size_t outlen;
    struct dissect_ctx dc;
    uint64_t frame;
};

static void forward(void *ctx, const struct event *ev)
{
    struct fixture *f = ctx;
    calls_event(f->ctx.calls, ev);
}

static struct fixture *fx_new(enum report_format fmt, uint32_t calls_max)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->lim = limits_default;
    f->lim.calls_max = calls_max;
    f->opts.lim = &f->lim;
    f->out.fmt = fmt;
    f->out.f = open_memstream(&f->outbuf, &f->outlen);
    f->ctx.opts = &f->opts;
    f->ctx.out = &f->out;
    f->ctx.findings = findings_new(100, NULL, NULL);
    f->ctx.media = media_expect_new(&f->lim);
    f->ctx.calls = calls_new(&f->ctx);
    assert_non_null(f->ctx.calls);
    f->dc.sink = (struct sink){ forward, f };
    f->dc.lim = &f->lim;
    return f;
}

/* After a change of f->lim: calls read their limits when made, as in the analyzer. */
static void fx_renew_calls(struct fixture *f)
{
    calls_free(f->ctx.calls);
    f->ctx.calls = calls_new(&f->ctx);
    assert_non_null(f->ctx.calls);
}

static void fx_free(struct fixture *f)
{
    calls_free(f->ctx.calls);
    findings_free(f->ctx.findings);
    media_expect_free(f->ctx.media);
    fclose(f->out.f);
    free(f->outbuf);
    free(f);
}

/* The report's calls array as text. */
static const char *fx_json(struct fixture *f)
{
    struct jw w;
    jw_init(&w, f->out.f, false);
    calls_write_json(f->ctx.calls, &w);
    fflush(f->out.f);
    return f->outbuf;
}

static size_t count_code(const struct fixture *f, enum finding_code code)
{
    size_t n = 0;
    for (size_t i = 0; i < findings_count(f->ctx.findings); i++)
        n += finding_code(findings_at(f->ctx.findings, i)) == code;
    return n;
}

static size_t count_substr(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

enum { CALLER = 1, CALLEE = 2 };

/* One SIP message from `from_host` to the other host on `port`: a UDP
 * datagram, or (tls) a whole message on a decrypted TLS stream. */
static void send_any(struct fixture *f, bool tls, int from_host, uint16_t port, const char *first_line,
                     const char *call_id, const char *cseq, const char *sdp)
{
    char buf[4096];
    const char *body = sdp ? sdp : "";
    snprintf(buf, sizeof buf,
             "%s\r\n"
             "Via: SIP/2.0/UDP 10.0.0.1:%u;branch=z9hG4bK%s%s\r\n"
             "From: <sip:alice@example.com>;tag=a1\r\n"
             "To: <sip:bob@example.com>%s\r\n"
             "Call-ID: %s\r\n"
             "CSeq: %s\r\n"
             "%s"
             "Content-Length: %zu\r\n\r\n%s",
             first_line, port, call_id, cseq, strncmp(first_line, "SIP/", 4) == 0 ? ";tag=b2" : "", call_id,
             cseq, sdp ? "Content-Type: application/sdp\r\n" : "", strlen(body), body);
    struct flow_key k = { .sport = port, .dport = port, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = k.dst.b[0] = 10;
    k.src.b[3] = (uint8_t)from_host;
    k.dst.b[3] = (uint8_t)(from_host == CALLER ? CALLEE : CALLER);
    f->frame++;
    struct frame_ref at = { f->frame, (ts_ns)f->frame * 1000000000LL };
    if (!tls) {
        sip_datagram(&f->dc, &k, (const uint8_t *)buf, strlen(buf), &at);
        return;
    }
    k.proto = L4_TCP;
    struct sip_framer_dir fd = { 0 };
    size_t used = sip_stream_feed(&f->dc, &fd, &k, SIP_TR_TLS, (const uint8_t *)buf, strlen(buf), &at);
    assert_int_equal(used, strlen(buf));
}

static void send_msg(struct fixture *f, int from_host, uint16_t port, const char *first_line,
                     const char *call_id, const char *cseq, const char *sdp)
{
    send_any(f, false, from_host, port, first_line, call_id, cseq, sdp);
}

static const char *const sdp_savp =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SECRETKEYSECRETKEY\r\n";
static const char *const sdp_avp_caller =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";
static const char *const sdp_avp_callee =
    "v=0\r\no=- 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

static void good_call(struct fixture *f, const char *id)
{
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", id, "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 100 Trying", id, "1 INVITE", NULL);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", id, "1 INVITE", sdp_avp_callee);
    send_msg(f, CALLER, 5060, "ACK sip:bob@10.0.0.2 SIP/2.0", id, "1 ACK", NULL);
    send_msg(f, CALLER, 5060, "BYE sip:bob@10.0.0.2 SIP/2.0", id, "2 BYE", NULL);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", id, "2 BYE", NULL);
}

static void calls_good_udp_call_has_offer_answer_and_level(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    good_call(f, "call-1");
    calls_finish(f->ctx.calls);
    const char *j = fx_json(f);
    assert_int_equal(count_substr(j, "\"call_id\":\"call-1\""), 1);
    assert_non_null(strstr(j, "\"final_status\":200"));
    assert_non_null(strstr(j, "\"security_level\":\"unsecured\""));
    assert_non_null(strstr(j, "\"offer\":{\"frame\":1"));
    assert_non_null(strstr(j, "\"answer\":{\"frame\":3"));
    assert_non_null(strstr(j, "\"transport\":\"udp\""));
    assert_int_equal(findings_count(f->ctx.findings), 0);
    fx_free(f);
}

static void calls_announce_media_endpoints_for_rtp(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    const char *id = "call-m";
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", id, "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", id, "1 INVITE", sdp_avp_callee);
    struct ip_addr a = { .family = 4, .b = { 10, 0, 0, 2 } };
    const struct media_hint *h = media_expect_find(f->ctx.media, &a, 50000);
    assert_non_null(h);
    assert_string_equal(h->call_id, "call-m");
    assert_false(h->is_srtp);
    assert_non_null(media_expect_find(f->ctx.media, &a, 50001)); /* RTCP */
    assert_null(media_expect_find(f->ctx.media, &a, 50002));
    /* the BYE ends the call: no new media can start on its endpoints */
    send_msg(f, CALLER, 5060, "BYE sip:bob@10.0.0.2 SIP/2.0", id, "2 BYE", NULL);
    assert_null(media_expect_find(f->ctx.media, &a, 50000));
    fx_free(f);
}

static void calls_srtp_offer_refused_415_reports_security_mismatch(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:um@10.0.0.2 SIP/2.0", "c415", "1 INVITE", sdp_savp);
    send_msg(f, CALLEE, 5060, "SIP/2.0 415 Unsupported Media Type", "c415", "1 INVITE", NULL);
    send_msg(f, CALLER, 5060, "ACK sip:um@10.0.0.2 SIP/2.0", "c415", "1 ACK", NULL);
    calls_finish(f->ctx.calls);
    assert_int_equal(count_code(f, F_SIP_SECURITY_MISMATCH), 1);
    assert_int_equal(count_code(f, F_SIP_INVITE_FAILED), 0);
    assert_int_equal(count_code(f, F_SDES_KEYS_IN_CLEAR), 1);
    const char *j = fx_json(f);
    assert_non_null(strstr(j, "\"final_status\":415"));
    assert_non_null(strstr(j, "\"final_reason\":\"Unsupported Media Type\""));
    assert_non_null(strstr(j, "\"answer\":null"));
    assert_non_null(strstr(j, "\"suite\":\"AES_CM_128_HMAC_SHA1_80\""));
    assert_null(strstr(j, "SECRETKEY"));
    fx_free(f);
}

static void calls_rtp_offer_refused_488_reports_security_mismatch(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "c488", "1 INVITE", sdp_avp_caller);
    /* the refusal's own SDP shows what it wants: SRTP */
    send_msg(f, CALLEE, 5060, "SIP/2.0 488 Not Acceptable Here", "c488", "1 INVITE", sdp_savp);
    calls_finish(f->ctx.calls);
    assert_int_equal(count_code(f, F_SIP_SECURITY_MISMATCH), 1);
    assert_int_equal(count_code(f, F_SIP_INVITE_FAILED), 0);
    fx_free(f);
}

static void calls_retransmitted_invite_keeps_first_offer_frame(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "rx", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "rx", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "rx", "1 INVITE", sdp_avp_callee);
    calls_finish(f->ctx.calls);
    const char *j = fx_json(f);
    assert_non_null(strstr(j, "\"offer\":{\"frame\":1"));
    assert_non_null(strstr(j, "\"answer\":{\"frame\":3"));
    assert_non_null(strstr(j, "\"messages\":3"));
    fx_free(f);
}

static void calls_busy_is_an_info_invite_failure(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "c486", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 486 Busy Here", "c486", "1 INVITE", NULL);
    calls_finish(f->ctx.calls);
    assert_int_equal(count_code(f, F_SIP_INVITE_FAILED), 1);
    assert_int_equal(count_code(f, F_SIP_SECURITY_MISMATCH), 0);
    assert_int_equal(finding_severity(findings_at(f->ctx.findings, 0)), SEV_INFO);
    fx_free(f);
}

static void calls_auth_challenge_then_success_is_not_a_failure(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "c407", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 407 Proxy Authentication Required", "c407", "1 INVITE", NULL);
    send_msg(f, CALLER, 5060, "ACK sip:bob@10.0.0.2 SIP/2.0", "c407", "1 ACK", NULL);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "c407", "2 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "c407", "2 INVITE", sdp_avp_callee);
    calls_finish(f->ctx.calls);
    assert_int_equal(findings_count(f->ctx.findings), 0);
    const char *j = fx_json(f);
    assert_int_equal(count_substr(j, "\"call_id\""), 1);
    assert_non_null(strstr(j, "\"final_status\":200"));
    fx_free(f);
}

static void calls_clear_sip_on_5061_is_wrong_port_once_per_server(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5061, "INVITE sip:bob@10.0.0.2 SIP/2.0", "p1", "1 INVITE", NULL);
    send_msg(f, CALLER, 5061, "INVITE sip:bob@10.0.0.2 SIP/2.0", "p2", "1 INVITE", NULL);
    assert_int_equal(count_code(f, F_SIP_TLS_WRONG_PORT), 1);
    fx_free(f);
}

static void calls_sip_over_tls_with_srtp_is_secured_and_keys_not_in_clear(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_any(f, true, CALLER, 5061, "INVITE sip:um@10.0.0.2 SIP/2.0", "t1", "1 INVITE", sdp_savp);
    send_any(f, true, CALLEE, 5061, "SIP/2.0 200 OK", "t1", "1 INVITE", sdp_savp);
    calls_finish(f->ctx.calls);
    const char *j = fx_json(f);
    assert_non_null(strstr(j, "\"transport\":\"tls\""));
    assert_non_null(strstr(j, "\"security_level\":\"secured\""));
    assert_int_equal(count_code(f, F_SDES_KEYS_IN_CLEAR), 0);
    assert_int_equal(count_code(f, F_SIP_TLS_WRONG_PORT), 0);
    fx_free(f);
}

static void calls_sip_over_tls_off_5061_is_wrong_port(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_any(f, true, CALLER, 5062, "INVITE sip:um@10.0.0.2 SIP/2.0", "t2", "1 INVITE", sdp_avp_caller);
    send_any(f, true, CALLEE, 5062, "SIP/2.0 200 OK", "t2", "1 INVITE", sdp_avp_callee);
    calls_finish(f->ctx.calls);
    assert_int_equal(count_code(f, F_SIP_TLS_WRONG_PORT), 1);
    assert_non_null(strstr(fx_json(f), "\"security_level\":\"sip-secured\""));
    fx_free(f);
}

static void calls_other_dialogs_are_not_calls(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "REGISTER sip:example.com SIP/2.0", "r1", "1 REGISTER", NULL);
    send_msg(f, CALLER, 5060, "OPTIONS sip:example.com SIP/2.0", "o1", "1 OPTIONS", NULL);
    calls_finish(f->ctx.calls);
    assert_null(strstr(fx_json(f), "call_id"));
    fx_free(f);
}

static void calls_ndjson_emits_each_call_once_when_it_ends(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_NDJSON, 100);
    good_call(f, "n1");
    fflush(f->out.f);
    /* written at BYE, before the end of input; the 200 to BYE starts no new call */
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 1);
    calls_finish(f->ctx.calls);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 1);
    assert_int_equal(count_substr(f->outbuf, "\"call_id\":\"n1\""), 1);
    fx_free(f);
}

/* The Call-ID table drops calls after their linger (open addressing,
 * entries shifted back on removal): over hundreds of calls in a small
 * table, a retransmission of a lingering or live call still finds it
 * (a lost entry would start a second call), and every call is written once. */
static void calls_ndjson_table_keeps_finding_calls_across_removals(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_NDJSON, 60); /* a table of 128 slots */
    f->lim.call_setup_idle_ms = 60000;
    fx_renew_calls(f); /* the timeouts are read when the state is made */
    enum { N = 300 };
    char id[32], old[32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "t%d@h", i);
        send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", id, "1 INVITE", NULL);
        if (i % 3 != 2) /* one in three is never answered and times out */
            send_msg(f, CALLEE, 5060, "SIP/2.0 486 Busy Here", id, "1 INVITE", NULL);
        if (i >= 9 && (i - 9) % 3 != 2) { /* ended ~25 s ago: lingering, a late 486 is ignored */
            snprintf(old, sizeof old, "t%d@h", i - 9);
            send_msg(f, CALLEE, 5060, "SIP/2.0 486 Busy Here", old, "1 INVITE", NULL);
        }
        if (i >= 6 && (i - 6) % 3 == 2) { /* unanswered, still live: the INVITE again */
            snprintf(old, sizeof old, "t%d@h", i - 6);
            send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", old, "1 INVITE", NULL);
        }
    }
    calls_finish(f->ctx.calls);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), N);
    assert_int_equal(count_substr(f->outbuf, "\"call_id\":\"t123@h\""), 1);
    assert_int_equal(count_code(f, F_LIMIT_REACHED), 0);
    fx_free(f);
}

static void calls_ndjson_time_out_on_capture_time(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_NDJSON, 100);
    f->lim.call_setup_idle_ms = 10000;
    f->lim.call_idle_ms = 60000;
    fx_renew_calls(f);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "ring", "1 INVITE", NULL); /* t = 1 s */
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "up", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "up", "1 INVITE", sdp_avp_callee);       /* t = 3 s */
    calls_tick(f->ctx.calls, 10LL * 1000000000);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 0);
    /* never answered: out after call_setup_idle_ms without a message */
    calls_tick(f->ctx.calls, 12LL * 1000000000);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 1);
    assert_non_null(strstr(f->outbuf, "\"call_id\":\"ring\""));
    assert_non_null(strstr(f->outbuf, "\"ended_by\":\"timeout\""));
    /* answered, no BYE seen: out after call_idle_ms */
    calls_tick(f->ctx.calls, 62LL * 1000000000);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 1);
    calls_tick(f->ctx.calls, 64LL * 1000000000);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"type\":\"call\""), 2);
    assert_non_null(strstr(f->outbuf, "\"call_id\":\"up\""));
    /* both shells freed after their linger: the Call-ID may start a new call */
    calls_tick(f->ctx.calls, 200LL * 1000000000);
    f->frame = 200;
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "ring", "1 INVITE", NULL);
    calls_finish(f->ctx.calls);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->outbuf, "\"call_id\":\"ring\""), 2);
    assert_non_null(strstr(f->outbuf, "\"ended_by\":\"end_of_capture\""));
    fx_free(f);
}

static void calls_over_the_cap_are_counted_and_reported(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 1);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "k1", "1 INVITE", NULL);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "k2", "1 INVITE", NULL);
    calls_finish(f->ctx.calls);
    assert_int_equal(count_code(f, F_LIMIT_REACHED), 1);
    assert_int_equal(count_substr(fx_json(f), "\"call_id\""), 1);
    fx_free(f);
}

static void calls_late_offer_in_200_is_answered_in_ack(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "late", "1 INVITE", NULL);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "late", "1 INVITE", sdp_avp_callee);
    send_msg(f, CALLER, 5060, "ACK sip:bob@10.0.0.2 SIP/2.0", "late", "1 ACK", sdp_avp_caller);
    calls_finish(f->ctx.calls);
    const char *j = fx_json(f);
    assert_non_null(strstr(j, "\"offer\":{\"frame\":2"));
    assert_non_null(strstr(j, "\"answer\":{\"frame\":3"));
    fx_free(f);
}

static void calls_reinvite_changing_media_security_is_flagged(void **state)
{
    (void)state;
    struct fixture *f = fx_new(FMT_JSON, 100);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "re", "1 INVITE", sdp_avp_caller);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "re", "1 INVITE", sdp_avp_callee);
    send_msg(f, CALLER, 5060, "INVITE sip:bob@10.0.0.2 SIP/2.0", "re", "2 INVITE", sdp_savp);
    send_msg(f, CALLEE, 5060, "SIP/2.0 200 OK", "re", "2 INVITE", sdp_savp);
    calls_finish(f->ctx.calls);
    const char *j = fx_json(f);
    assert_non_null(strstr(j, "\"negotiations\":2"));
    assert_non_null(strstr(j, "\"security_changed\":true"));
    fx_free(f);
}

static void media_expect_evicts_oldest_when_full(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.calls_max = 8; /* table of 16 */
    struct media_expect *m = media_expect_new(&lim);
    struct media_hint h = { .clock_pt = 255 };
    struct ip_addr a = { .family = 4, .b = { 192, 0, 2, 1 } };
    for (uint16_t p = 1000; p < 1032; p += 2)
        media_expect_add(m, &a, p, &h, p);
    assert_non_null(media_expect_find(m, &a, 1000));
    media_expect_add(m, &a, 1000, &h, 2000); /* refresh: now the youngest */
    media_expect_add(m, &a, 3000, &h, 3000); /* evicts 1002, the oldest */
    assert_non_null(media_expect_find(m, &a, 1000));
    assert_null(media_expect_find(m, &a, 1002));
    assert_null(media_expect_find(m, &a, 1003)); /* its RTCP went with it */
    assert_non_null(media_expect_find(m, &a, 3000));
    assert_non_null(media_expect_find(m, &a, 1030));
    media_expect_free(m);
}

/* An ended call takes back only the endpoints it announced last; the
 * freed slots are reused before the pool grows. */
static void media_expect_forget_only_the_announcing_call(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.calls_max = 8;
    struct media_expect *m = media_expect_new(&lim);
    struct media_hint a_hint = { .clock_pt = 255, .call_id = "call-a" };
    struct media_hint b_hint = { .clock_pt = 255, .call_id = "call-b" };
    struct ip_addr a = { .family = 4, .b = { 192, 0, 2, 1 } };
    media_expect_add(m, &a, 4000, &a_hint, 1);
    media_expect_add(m, &a, 4002, &a_hint, 1);
    media_expect_add(m, &a, 4002, &b_hint, 2); /* the port went to call-b since */
    media_expect_forget(m, &a, 4000, "call-", 5);      /* a prefix is not the call */
    assert_non_null(media_expect_find(m, &a, 4000));
    media_expect_forget(m, &a, 4000, "call-a", 6);
    media_expect_forget(m, &a, 4002, "call-a", 6);
    assert_null(media_expect_find(m, &a, 4000));
    assert_null(media_expect_find(m, &a, 4001));
    const struct media_hint *h = media_expect_find(m, &a, 4002);
    assert_non_null(h);
    assert_string_equal(h->call_id, "call-b");
    media_expect_forget(m, &a, 4100, "call-b", 6); /* never announced: nothing */
    for (uint16_t p = 5000; p < 5032; p += 2) /* the cap (16) holds: 4002 + 15 new */
        media_expect_add(m, &a, p, &a_hint, 3);
    assert_null(media_expect_find(m, &a, 4002)); /* the oldest, evicted */
    assert_non_null(media_expect_find(m, &a, 5000));
    assert_non_null(media_expect_find(m, &a, 5030));
    media_expect_free(m);
}

/* The buckets start small and double with the entries: every endpoint
 * stays findable across the regrowths, refreshed ones and expired ones
 * included. */
static void media_expect_finds_every_entry_across_growth(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.call_setup_idle_ms = lim.udp_idle_ms = 1000; /* TTL 1 s of capture time */
    struct media_expect *m = media_expect_new(&lim);
    struct media_hint h = { .clock_pt = 255 };
    enum { N = 5000 };
    for (uint32_t i = 0; i < N; i++) {
        struct ip_addr a = { .family = 4, .b = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 } };
        media_expect_add(m, &a, (uint16_t)(20000 + 2 * (i % 7)), &h, (ts_ns)i); /* 5 us apart */
        if (i % 1000 == 999) { /* a refresh of an early one */
            struct ip_addr r = { .family = 4, .b = { 10, 0, 3, 1 } };
            media_expect_add(m, &r, 20006, &h, (ts_ns)i);
        }
    }
    for (uint32_t i = 0; i < N; i++) {
        struct ip_addr a = { .family = 4, .b = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 } };
        assert_non_null(media_expect_find(m, &a, (uint16_t)(20000 + 2 * (i % 7))));
        assert_null(media_expect_find(m, &a, (uint16_t)(20100 + 2 * (i % 7))));
    }
    /* Two seconds later, announcements expire the old ones a few at a time. */
    struct ip_addr late = { .family = 4, .b = { 192, 0, 2, 9 } };
    for (uint32_t i = 0; i < N; i++)
        media_expect_add(m, &late, (uint16_t)(30000 + 2 * (i % 1000)), &h, 2000000000LL + i);
    struct ip_addr first = { .family = 4, .b = { 10, 0, 0, 1 } };
    assert_null(media_expect_find(m, &first, 20000));
    assert_non_null(media_expect_find(m, &late, 30000));
    assert_non_null(media_expect_find(m, &late, 31998));
    media_expect_free(m);
}

/* One entry answers for the RTP port and the RTCP port after it; a port
 * announced itself comes first. */
static void media_expect_covers_rtcp_on_the_next_port(void **state)
{
    (void)state;
    struct media_expect *m = media_expect_new(&limits_default);
    struct media_hint h1 = { .clock_pt = 255, .call_id = "one" }, h2 = { .clock_pt = 255, .call_id = "two" };
    struct ip_addr a = { .family = 4, .b = { 192, 0, 2, 1 } };
    media_expect_add(m, &a, 4000, &h1, 1);
    assert_string_equal(media_expect_find(m, &a, 4001)->call_id, "one");
    assert_null(media_expect_find(m, &a, 4002));
    assert_null(media_expect_find(m, &a, 3999));
    media_expect_add(m, &a, 4001, &h2, 2);
    assert_string_equal(media_expect_find(m, &a, 4001)->call_id, "two");
    assert_string_equal(media_expect_find(m, &a, 4002)->call_id, "two");
    assert_string_equal(media_expect_find(m, &a, 4000)->call_id, "one");
    media_expect_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calls_good_udp_call_has_offer_answer_and_level),
        cmocka_unit_test(calls_announce_media_endpoints_for_rtp),
        cmocka_unit_test(calls_srtp_offer_refused_415_reports_security_mismatch),
        cmocka_unit_test(calls_rtp_offer_refused_488_reports_security_mismatch),
        cmocka_unit_test(calls_retransmitted_invite_keeps_first_offer_frame),
        cmocka_unit_test(calls_busy_is_an_info_invite_failure),
        cmocka_unit_test(calls_auth_challenge_then_success_is_not_a_failure),
        cmocka_unit_test(calls_clear_sip_on_5061_is_wrong_port_once_per_server),
        cmocka_unit_test(calls_sip_over_tls_with_srtp_is_secured_and_keys_not_in_clear),
        cmocka_unit_test(calls_sip_over_tls_off_5061_is_wrong_port),
        cmocka_unit_test(calls_other_dialogs_are_not_calls),
        cmocka_unit_test(calls_ndjson_emits_each_call_once_when_it_ends),
        cmocka_unit_test(calls_over_the_cap_are_counted_and_reported),
        cmocka_unit_test(calls_late_offer_in_200_is_answered_in_ack),
        cmocka_unit_test(calls_ndjson_time_out_on_capture_time),
        cmocka_unit_test(calls_ndjson_table_keeps_finding_calls_across_removals),
        cmocka_unit_test(calls_reinvite_changing_media_security_is_flagged),
        cmocka_unit_test(media_expect_evicts_oldest_when_full),
        cmocka_unit_test(media_expect_forget_only_the_announcing_call),
        cmocka_unit_test(media_expect_finds_every_entry_across_growth),
        cmocka_unit_test(media_expect_covers_rtcp_on_the_next_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
