/* test_rtp_stats.c: RFC 3550 stream statistics, the stream table and the RTP findings. */
#define _GNU_SOURCE /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_loss.h"
#include "modules.h"
#include "rtp_event.h"
#include "rtp_stats.h"

#define MS 1000000LL
#define T0 (1700000000000LL * MS)

/* ---- rtp_stats on hand-built packet runs ----------------------------- */

static void pkt(struct rtp_stats *st, uint16_t seq, int64_t t_ms, uint64_t frame)
{
    /* timestamps follow the sequence: 160 samples per packet at 8 kHz */
    struct rtp_pkt p = { seq, (uint32_t)seq * 160u, 8000, false, T0 + t_ms * MS, frame, 0 };
    rtp_stats_packet(st, &p);
}

static void stats_clean_stream_has_no_loss_and_no_jitter(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 500; i++)
        pkt(&st, (uint16_t)(100 + i), i * 20, (uint64_t)i + 1);
    assert_int_equal(st.packets, 500);
    assert_int_equal(rtp_stats_expected(&st), 500);
    assert_int_equal(rtp_stats_lost(&st), 0);
    assert_int_equal(st.duplicates + st.out_of_order, 0);
    assert_true(rtp_stats_mean_jitter_ms(&st) < 1e-9);
    assert_int_equal(st.max_delta_ns, 20 * MS);
    assert_int_equal(st.n_gaps, 0);
    assert_true(rtp_stats_ptime_ms(&st) > 19.99 && rtp_stats_ptime_ms(&st) < 20.01);
    rtp_stats_fini(&st);
}

static void stats_counts_loss_from_sequence_jump(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 100; i++)
        if (i < 40 || i >= 45) /* 5 lost */
            pkt(&st, (uint16_t)i, i * 20, (uint64_t)i + 1);
    assert_int_equal(st.packets, 95);
    assert_int_equal(rtp_stats_expected(&st), 100);
    assert_int_equal(rtp_stats_lost(&st), 5);
    assert_int_equal(st.max_delta_ns, 120 * MS);
    assert_int_equal(st.n_gaps, 1);
    assert_int_equal(st.gaps[0].lost_packets, 5);
    assert_int_equal(st.gaps[0].frame, 46);
    assert_int_equal(st.gaps[0].start, T0 + 39 * 20 * MS);
    rtp_stats_fini(&st);
}

static void stats_sequence_wraparound_is_not_loss(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 40; i++)
        pkt(&st, (uint16_t)(65520 + i), i * 20, (uint64_t)i + 1);
    assert_int_equal(rtp_stats_expected(&st), 40);
    assert_int_equal(rtp_stats_lost(&st), 0);
    assert_int_equal(st.out_of_order, 0);
    rtp_stats_fini(&st);
}

static void stats_loss_across_wraparound_is_counted(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 40; i++)
        if (i != 15 && i != 16 && i != 17) /* 65535, 0, 1 lost */
            pkt(&st, (uint16_t)(65520 + i), i * 20, (uint64_t)i + 1);
    assert_int_equal(rtp_stats_expected(&st), 40);
    assert_int_equal(rtp_stats_lost(&st), 3);
    rtp_stats_fini(&st);
}

static void stats_duplicate_is_counted_not_lost(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 20; i++) {
        pkt(&st, (uint16_t)i, i * 20, (uint64_t)i + 1);
        if (i == 10)
            pkt(&st, 10, i * 20 + 1, 100);
        if (i == 12)
            pkt(&st, 9, i * 20 + 2, 101); /* an older one, again */
    }
    assert_int_equal(st.packets, 22);
    assert_int_equal(st.duplicates, 2);
    assert_int_equal(rtp_stats_lost(&st), 0);
    assert_int_equal(st.out_of_order, 0);
    rtp_stats_fini(&st);
}

static void stats_reordered_packet_is_out_of_order_not_lost(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    static const uint16_t order[] = { 0, 1, 2, 4, 3, 5, 6, 8, 7, 9 };
    for (int i = 0; i < 10; i++)
        pkt(&st, order[i], i * 20, (uint64_t)i + 1);
    assert_int_equal(st.out_of_order, 2);
    assert_int_equal(st.duplicates, 0);
    assert_int_equal(rtp_stats_expected(&st), 10);
    assert_int_equal(rtp_stats_lost(&st), 0);
    rtp_stats_fini(&st);
}

static void stats_sequence_restart_starts_a_new_run(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    int f = 1;
    for (int i = 0; i < 50; i++, f++)
        pkt(&st, (uint16_t)(1000 + i), f * 20, (uint64_t)f);
    for (int i = 0; i < 50; i++, f++) /* the sender restarted at 30000 */
        pkt(&st, (uint16_t)(30000 + i), f * 20, (uint64_t)f);
    assert_int_equal(st.restarts, 1);
    assert_int_equal(rtp_stats_expected(&st), 100);
    assert_int_equal(rtp_stats_lost(&st), 0);
    rtp_stats_fini(&st);
}

static void stats_single_stray_jump_is_ignored(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 50; i++) {
        pkt(&st, (uint16_t)(1000 + i), i * 20, (uint64_t)i + 1);
        if (i == 20)
            pkt(&st, 40000, i * 20 + 5, 999); /* one corrupt header */
    }
    assert_int_equal(st.restarts, 0);
    assert_int_equal(rtp_stats_expected(&st), 50);
    assert_int_equal(rtp_stats_lost(&st), 0);
    rtp_stats_fini(&st);
}

static void stats_jitter_follows_rfc3550_estimator(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    /* every other packet 4 ms late: |D| = 4 ms on every packet after the
     * first, so J_n = 4 (1 - (15/16)^n) */
    for (int i = 0; i < 1000; i++)
        pkt(&st, (uint16_t)i, i * 20 + (i % 2 ? 4 : 0), (uint64_t)i + 1);
    assert_true(st.jitter_ms > 3.999 && st.jitter_ms < 4.001);
    double sum = 0, j = 0;
    for (int n = 1; n < 1000; n++) {
        j += (4.0 - j) / 16.0;
        sum += j;
    }
    double mean = rtp_stats_mean_jitter_ms(&st);
    assert_true(mean > sum / 999 - 1e-6 && mean < sum / 999 + 1e-6);
    rtp_stats_fini(&st);
}

static void stats_unknown_clock_gives_no_jitter(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 50; i++) {
        struct rtp_pkt p = { (uint16_t)i, (uint32_t)i * 960u, 0, false,
                             T0 + (i * 20 + (i % 2) * 7) * MS, (uint64_t)i + 1, 96 };
        rtp_stats_packet(&st, &p);
    }
    assert_true(rtp_stats_mean_jitter_ms(&st) == 0.0);
    assert_int_equal(st.clock_rate, 0);
    rtp_stats_fini(&st);
}

static void stats_silence_gap_loses_nothing(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    for (int i = 0; i < 20; i++) {
        /* 1 s of silence after packet 9: timestamps jump, sequence does not */
        int64_t t = i * 20 + (i >= 10 ? 1000 : 0);
        struct rtp_pkt p = { (uint16_t)i, (uint32_t)(t * 8), 8000, i == 10, T0 + t * MS,
                             (uint64_t)i + 1, 0 };
        rtp_stats_packet(&st, &p);
    }
    assert_int_equal(st.n_gaps, 1);
    assert_int_equal(st.gaps[0].lost_packets, 0);
    assert_int_equal(rtp_stats_lost(&st), 0);
    rtp_stats_fini(&st);
}

static void stats_gap_list_is_capped_and_counted(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    uint16_t seq = 0;
    int64_t t = 0;
    for (int g = 0; g < RTP_GAPS_MAX + 10; g++) {
        for (int i = 0; i < 3; i++, t += 20, seq++)
            pkt(&st, seq, t, (uint64_t)seq + 1);
        seq += 5; /* 5 lost: a 120 ms hole */
        t += 100;
    }
    pkt(&st, seq, t, 99999);
    assert_int_equal(st.n_gaps, RTP_GAPS_MAX);
    assert_int_equal(st.gaps_dropped, 10);
    rtp_stats_fini(&st);
}

static void stats_comfort_noise_and_marker_are_not_delay(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    /* audio, then one CN packet 300 ms later, then audio with the marker
     * 1 s later: neither silence counts as delay */
    int64_t t[] = { 0, 20, 40, 340, 1340, 1360 };
    uint8_t pt[] = { 0, 0, 0, 13, 0, 0 };
    for (int i = 0; i < 6; i++) {
        struct rtp_pkt p = { (uint16_t)i, (uint32_t)(t[i] * 8), 8000, i == 4, T0 + t[i] * MS,
                             (uint64_t)i + 1, pt[i] };
        rtp_stats_packet(&st, &p);
    }
    assert_int_equal(st.max_delta_ns, 20 * MS);
    assert_int_equal(rtp_stats_lost(&st), 0);
    rtp_stats_fini(&st);
}

static void stats_packets_without_clock_are_skipped_by_jitter(void **state)
{
    (void)state;
    struct rtp_stats st = { 0 };
    /* perfect 20 ms audio with telephone-event packets (unknown clock,
     * frozen timestamp) in between: the events get no jitter sample, and
     * (as in tshark) the next audio packet is timed from the event's
     * arrival against the last audio timestamp: 13 ms for 20 ms of media */
    uint16_t seq = 0;
    for (int i = 0; i < 50; i++) {
        struct rtp_pkt a = { seq++, (uint32_t)i * 160u, 8000, false, T0 + i * 20 * MS,
                             seq, 0 };
        rtp_stats_packet(&st, &a);
        if (i % 10 == 5) {
            struct rtp_pkt e = { seq++, 999u, 0, false, T0 + (i * 20 + 7) * MS, seq, 101 };
            rtp_stats_packet(&st, &e);
        }
    }
    assert_int_equal(st.packets, 55);
    assert_int_equal(st.jitter_n, 49);
    assert_true(st.jitter_max_ms > 7.0 / 16 - 1e-6 && st.jitter_max_ms < 1.0);
    rtp_stats_fini(&st);
}

static void stats_static_clock_rates(void **state)
{
    (void)state;
    assert_int_equal(rtp_static_clock_rate(0), 8000);
    assert_int_equal(rtp_static_clock_rate(8), 8000);
    assert_int_equal(rtp_static_clock_rate(9), 8000); /* G.722: 8000 by RFC 3551's mistake */
    assert_int_equal(rtp_static_clock_rate(6), 16000);
    assert_int_equal(rtp_static_clock_rate(34), 90000);
    assert_int_equal(rtp_static_clock_rate(96), 0);
}

/* ---- the module: streams, findings, report --------------------------- */

struct fixture {
    struct limits lim;
    struct analyze_opts opts;
    struct analyze_ctx ctx;
    struct report_out out;
    char *buf;
    size_t len;
};

static struct fixture *fixture_new(enum report_format fmt)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->lim = limits_default;
    f->opts.lim = &f->lim;
    f->ctx.opts = &f->opts;
    f->ctx.findings = findings_new(1000, NULL, NULL);
    f->out.fmt = fmt;
    f->out.f = open_memstream(&f->buf, &f->len);
    f->ctx.out = &f->out;
    f->ctx.ipsec = ipsec_new(&f->ctx);
    return f;
}

static void fixture_free(struct fixture *f)
{
    ipsec_free(f->ctx.ipsec);
    findings_free(f->ctx.findings);
    fclose(f->out.f);
    free(f->buf);
    free(f);
}

static struct flow_key flow(uint8_t a, uint8_t b, uint16_t sport, uint16_t dport)
{
    struct flow_key k = { .sport = sport, .dport = dport, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = k.dst.b[0] = 10;
    k.src.b[1] = k.dst.b[1] = 99;
    k.src.b[3] = a;
    k.dst.b[3] = b;
    return k;
}

static void send_rtp(struct rtp_state *s, const struct flow_key *k, uint32_t ssrc, uint16_t seq,
                     int64_t t_ms, uint64_t frame, const struct ev_rtp *hint)
{
    struct ev_rtp r = { .ssrc = ssrc, .seq = seq, .timestamp = (uint32_t)seq * 160u,
                        .pt = 0, .payload_len = 160, .hint_clock_pt = 255 };
    if (hint) {
        r.has_hint = true;
        r.is_srtp = hint->is_srtp;
        r.call_id = hint->call_id;
    }
    struct event ev = { EV_RTP, { frame, T0 + t_ms * MS }, k, &r };
    rtp_state_event(s, &ev);
}

static void send_ipsec(struct fixture *f, const struct flow_key *k, uint64_t frame)
{
    struct ev_ipsec e = { .kind = IPSEC_ESP, .src = k->src, .dst = k->dst, .spi = 0x1001 };
    struct event ev = { EV_IPSEC, { frame, T0 }, NULL, &e };
    ipsec_event(f->ctx.ipsec, &ev);
}

static size_t count_code(const struct fixture *f, enum finding_code c)
{
    size_t n = 0;
    for (size_t i = 0; i < findings_count(f->ctx.findings); i++)
        if (finding_code(findings_at(f->ctx.findings, i)) == c)
            n++;
    return n;
}

static const struct finding *first_code(const struct fixture *f, enum finding_code c)
{
    for (size_t i = 0; i < findings_count(f->ctx.findings); i++)
        if (finding_code(findings_at(f->ctx.findings, i)) == c)
            return findings_at(f->ctx.findings, i);
    return NULL;
}

/* 1 s lost every 4 s over 30 s: the IPsec signature */
static void send_periodic_stream(struct rtp_state *s, const struct flow_key *k)
{
    uint16_t seq = 0;
    for (int64_t t = 0; t < 30000; t += 20, seq++)
        if (t % 4000 < 3000)
            send_rtp(s, k, 0xabcd, seq, t, (uint64_t)seq + 1, NULL);
}

static void state_ids_follow_first_frames_not_confirmation(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key a = flow(1, 2, 4000, 5000), b = flow(3, 4, 4000, 5000);
    send_rtp(s, &a, 1, 10, 0, 1, NULL);   /* a starts first ... */
    send_rtp(s, &b, 2, 70, 5, 2, NULL);
    send_rtp(s, &b, 2, 71, 25, 3, NULL);  /* ... b is confirmed first */
    send_rtp(s, &a, 1, 11, 40, 4, NULL);
    rtp_state_finish(s);
    struct rtp_stream_view v;
    assert_true(rtp_state_stream_at(s, 0, &v));
    assert_string_equal(v.id, "rtp-1");
    assert_int_equal(v.ssrc, 1);
    assert_true(rtp_state_stream_at(s, 1, &v));
    assert_string_equal(v.id, "rtp-2");
    assert_int_equal(v.ssrc, 2);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_table_survives_churn_of_many_streams(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    f->lim.udp_idle_ms = 1000;
    struct rtp_state *s = rtp_state_new(&f->ctx);
    /* 3000 streams, 40 alive at a time, each 3 packets: every table slot
     * is freed and reused many times (backward-shift deletion) */
    uint64_t frame = 0;
    for (int st = 0; st < 3000; st++) {
        struct flow_key k = flow((uint8_t)(st % 250), (uint8_t)(st / 250), (uint16_t)(10000 + st), 5000);
        for (int i = 0; i < 3; i++)
            send_rtp(s, &k, (uint32_t)st * 2654435761u, (uint16_t)(st + i), st * 50 + i * 20, ++frame,
                     NULL);
    }
    rtp_state_finish(s);
    assert_int_equal(rtp_state_stream_count(s), 3000);
    for (size_t i = 0; i < 3000; i++) {
        struct rtp_stream_view v;
        assert_true(rtp_state_stream_at(s, i, &v));
        assert_int_equal(v.stats->packets, 3);
        assert_int_equal(v.stats->first_frame, 3 * i + 1);
    }
    rtp_state_free(s);
    fixture_free(f);
}

static void state_confirms_heuristic_stream_after_in_order_packets(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    for (int i = 0; i < 3; i++)
        send_rtp(s, &k, 7, (uint16_t)(10 + i), i * 20, (uint64_t)i + 1, NULL);
    rtp_state_finish(s);
    assert_int_equal(rtp_state_stream_count(s), 1);
    struct rtp_stream_view v;
    assert_true(rtp_state_stream_at(s, 0, &v));
    assert_string_equal(v.id, "rtp-1");
    assert_int_equal(v.stats->packets, 3);
    assert_int_equal(v.srtp, -1);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_drops_lone_datagrams(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 53, 5000);
    /* random bytes that pass the probe: a new SSRC and sequence each time */
    for (int i = 0; i < 50; i++)
        send_rtp(s, &k, 0x1000u + (uint32_t)i * 7919u, (uint16_t)(i * 4099), i * 20,
                 (uint64_t)i + 1, NULL);
    rtp_state_finish(s);
    assert_int_equal(rtp_state_stream_count(s), 0);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_sdp_hint_confirms_at_once_with_call_and_srtp(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    struct ev_rtp hint = { .is_srtp = true, .call_id = "abc@host" };
    send_rtp(s, &k, 7, 10, 0, 1, &hint);
    rtp_state_finish(s);
    struct rtp_stream_view v;
    assert_true(rtp_state_stream_at(s, 0, &v));
    assert_int_equal(v.srtp, 1);
    assert_string_equal(v.call_id, "abc@host");
    rtp_state_free(s);
    fixture_free(f);
}

/* A packet whose capture time is 50 years early (clock stepped, file
 * damaged) starts a gap long before the stream's first packet: the text
 * timeline clamps it to the line instead of walking 1.6e9 slots to it
 * (fuzz_pipeline: 45 s under ASan; pcaps/regress/rtp-time-backwards.pcap). */
static void state_text_timeline_clamps_gap_before_first_packet(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_TEXT);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key ab = flow(1, 2, 4000, 5000), ba = flow(2, 1, 5000, 4000);
    struct ev_rtp hint = { .call_id = "abc@host" };
    uint64_t frame = 1;
    uint16_t seq_ba = 0, seq_ab = 0;
    for (int64_t t = 0; t <= 3000; t += 20) {
        send_rtp(s, &ba, 8, seq_ba++, t, frame++, &hint);
        send_rtp(s, &ab, 7, seq_ab++, t, frame++, &hint);
        if (t == 1000) {
            /* one of ab's packets stamped 50 years early, the next on time:
             * ba heads the idle list meanwhile, so ab is not timed out */
            send_rtp(s, &ab, 7, seq_ab++, -50LL * 365 * 86400 * 1000, frame++, &hint);
            send_rtp(s, &ab, 7, seq_ab++, t + 10, frame++, &hint);
        }
    }
    rtp_state_finish(s);
    rtp_write_text(s, f->out.f);
    fflush(f->out.f);
    assert_int_equal(rtp_state_stream_count(s), 2);
    /* the gap from the early packet to the next covers the line up to 1.01 s */
    assert_non_null(strstr(f->buf, "gaps (1 s per char, x loss, _ silence): __..\n"));
    rtp_state_free(s);
    fixture_free(f);
}

static void state_keys_streams_by_ssrc_and_direction(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key ab = flow(1, 2, 4000, 5000), ba = flow(2, 1, 5000, 4000);
    for (int i = 0; i < 10; i++) {
        send_rtp(s, &ab, 7, (uint16_t)i, i * 20, (uint64_t)(4 * i + 1), NULL);
        send_rtp(s, &ba, 7, (uint16_t)i, i * 20, (uint64_t)(4 * i + 2), NULL);
        send_rtp(s, &ab, 8, (uint16_t)(500 + i), i * 20, (uint64_t)(4 * i + 3), NULL);
    }
    rtp_state_finish(s);
    assert_int_equal(rtp_state_stream_count(s), 3);
    for (size_t i = 0; i < 3; i++) {
        struct rtp_stream_view v;
        assert_true(rtp_state_stream_at(s, i, &v));
        assert_int_equal(v.stats->packets, 10);
        assert_int_equal(v.stats->first_frame, i + 1); /* ids follow first frames */
    }
    rtp_state_free(s);
    fixture_free(f);
}

static void state_idle_stream_ends_on_capture_time(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_NDJSON);
    f->lim.udp_idle_ms = 5000;
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000), other = flow(3, 4, 4000, 5000);
    for (int i = 0; i < 10; i++)
        send_rtp(s, &k, 7, (uint16_t)i, i * 20, (uint64_t)i + 1, NULL);
    fflush(f->out.f);
    assert_int_equal(f->len, 0);
    /* another stream's packet 6 s later closes the idle one, as an ndjson line */
    send_rtp(s, &other, 9, 1, 6200, 11, NULL);
    fflush(f->out.f);
    assert_non_null(strstr(f->buf, "\"type\":\"rtp_stream\""));
    assert_non_null(strstr(f->buf, "\"id\":\"rtp-1\""));
    assert_non_null(strstr(f->buf, "\"packets\":10"));
    rtp_state_finish(s);
    rtp_state_free(s);
    fixture_free(f);
}

static size_t count_substr(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void state_live_tick_ends_streams_and_writes_interims(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_NDJSON);
    f->lim.udp_idle_ms = 2000;
    struct capture_loss *cl = malloc(sizeof *cl);
    capture_loss_init(cl);
    f->ctx.capture_loss = cl;
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    /* 4 s of 20 ms packets, every 10th lost: 10 % loss */
    uint64_t frame = 0;
    for (int i = 0; i < 200; i++)
        if (i % 10 != 5)
            send_rtp(s, &k, 7, (uint16_t)i, i * 20, ++frame, NULL);
    /* the capture itself dropped packets 1 s in */
    capture_loss_add(cl, T0 + 1000 * MS, T0 + 1200 * MS, 30, 0);
    rtp_state_tick(s, T0 + 4000 * MS, true);
    fflush(f->out.f);
    /* an interim line: the stream so far, the interval, the capture's drops next to its loss */
    assert_int_equal(count_substr(f->buf, "\"interim\":true"), 1);
    assert_non_null(strstr(f->buf, "\"capture_dropped\":{\"kernel\":30,\"interface\":0}"));
    assert_non_null(strstr(f->buf, "\"interval\":{"));
    /* loss is known now: RTP_LOSS does not wait for the end of the stream, and says the capture dropped too */
    assert_int_equal(count_code(f, F_RTP_LOSS), 1);
    const struct finding *loss = first_code(f, F_RTP_LOSS);
    assert_non_null(strstr(finding_summary(loss), "the capture itself dropped 30 packets"));
    /* no packet comes: the tick alone ends the stream at its idle timeout */
    rtp_state_tick(s, T0 + 5000 * MS, false);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->buf, "\"interim\":false"), 0);
    rtp_state_tick(s, T0 + 6100 * MS, false);
    fflush(f->out.f);
    assert_int_equal(count_substr(f->buf, "\"interim\":false"), 1);
    assert_int_equal(count_code(f, F_RTP_LOSS), 1); /* not again at the end */
    rtp_state_finish(s);
    rtp_state_free(s);
    free(cl);
    fixture_free(f);
}

static void state_caps_streams_at_limit(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    f->lim.rtp_streams_max = 2;
    struct rtp_state *s = rtp_state_new(&f->ctx);
    for (int st = 0; st < 3; st++) {
        struct flow_key k = flow((uint8_t)(1 + st), 9, 4000, 5000);
        for (int i = 0; i < 5; i++)
            send_rtp(s, &k, 7, (uint16_t)i, i * 20, (uint64_t)(st * 10 + i + 1), NULL);
    }
    rtp_state_finish(s);
    assert_int_equal(rtp_state_stream_count(s), 2);
    assert_int_equal(count_code(f, F_LIMIT_REACHED), 1);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_periodic_drop_without_ipsec_is_rtp_periodic_drop_only(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    send_periodic_stream(s, &k);
    rtp_state_finish(s);
    struct rtp_stream_view v;
    assert_true(rtp_state_stream_at(s, 0, &v));
    assert_true(v.has_periodic);
    assert_true(v.periodic.period_ms > 3950 && v.periodic.period_ms < 4050);
    assert_int_equal(count_code(f, F_RTP_PERIODIC_DROP), 1);
    assert_int_equal(count_code(f, F_IPSEC_MEDIA_DROP), 0);
    assert_int_equal(count_code(f, F_RTP_LOSS), 1);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_periodic_drop_with_ipsec_names_the_policy(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    struct flow_key back = flow(2, 1, 5000, 4000);
    send_ipsec(f, &back, 1); /* ESP in the other direction counts too */
    send_periodic_stream(s, &k);
    rtp_state_finish(s);
    assert_int_equal(count_code(f, F_IPSEC_MEDIA_DROP), 1);
    const struct finding *fd = first_code(f, F_IPSEC_MEDIA_DROP);
    char *txt = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&txt, &n);
    struct jw w;
    jw_init(&w, m, false);
    jw_obj_begin(&w);
    finding_write_fields(&w, fd);
    jw_obj_end(&w);
    fclose(m);
    assert_non_null(strstr(txt, "exclude the IP gateway / IP PBX from the IPsec policy"));
    assert_non_null(strstr(txt, "rtp-1"));
    free(txt);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_ipsec_between_other_hosts_does_not_blame_ipsec(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000), elsewhere = flow(7, 8, 0, 0);
    send_ipsec(f, &elsewhere, 1);
    send_periodic_stream(s, &k);
    rtp_state_finish(s);
    assert_int_equal(count_code(f, F_RTP_PERIODIC_DROP), 1);
    assert_int_equal(count_code(f, F_IPSEC_MEDIA_DROP), 0);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_loss_threshold_is_one_percent(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key a = flow(1, 2, 4000, 5000), b = flow(3, 4, 4000, 5000);
    for (int i = 0; i < 1000; i++) {
        if (i % 100 != 50) /* exactly 1.0%: not above */
            send_rtp(s, &a, 1, (uint16_t)i, i * 20, (uint64_t)(2 * i + 1), NULL);
        if (i % 50 != 25)  /* 2%: above */
            send_rtp(s, &b, 2, (uint16_t)i, i * 20, (uint64_t)(2 * i + 2), NULL);
    }
    rtp_state_finish(s);
    assert_int_equal(count_code(f, F_RTP_LOSS), 1);
    assert_non_null(strstr(finding_summary(first_code(f, F_RTP_LOSS)), "rtp-2"));
    assert_int_equal(count_code(f, F_RTP_PERIODIC_DROP), 0);
    rtp_state_free(s);
    fixture_free(f);
}

static void state_rtcp_sender_report_counts_on_its_stream(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000), rk = flow(1, 2, 4001, 5001);
    for (int i = 0; i < 5; i++)
        send_rtp(s, &k, 0x77, (uint16_t)i, i * 20, (uint64_t)i + 1, NULL);
    struct ev_rtcp r = { .ssrc = 0x77, .n_sr = 1, .n_sdes = 1 };
    struct event ev = { EV_RTCP, { 6, T0 + 100 * MS }, &rk, &r };
    rtp_state_event(s, &ev);
    rtp_state_finish(s);
    struct jw w;
    jw_init(&w, f->out.f, false);
    rtp_write_json(s, &w);
    fflush(f->out.f);
    assert_non_null(strstr(f->buf, "\"rtcp\":{\"sr\":1,\"rr\":0}"));
    rtp_state_free(s);
    fixture_free(f);
}

static void state_json_has_the_spec_fields(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(FMT_JSON);
    struct rtp_state *s = rtp_state_new(&f->ctx);
    struct flow_key k = flow(1, 2, 4000, 5000);
    send_periodic_stream(s, &k);
    rtp_state_finish(s);
    struct jw w;
    jw_init(&w, f->out.f, false);
    rtp_write_json(s, &w);
    fflush(f->out.f);
    static const char *const keys[] = {
        "\"id\":\"rtp-1\"", "\"ssrc\":\"0x0000abcd\"", "\"src\":\"10.99.0.1:4000\"",
        "\"dst\":\"10.99.0.2:5000\"", "\"payload_type\":0", "\"first_frame\":1",
        "\"first_time\":", "\"last_time\":", "\"packets\":", "\"expected\":1500",
        "\"lost\":350", "\"duplicates\":0", "\"out_of_order\":0", "\"jitter_ms\":",
        "\"max_delta_ms\":1020.000", "\"gaps\":[{\"start_time\":", "\"duration_ms\":1020.000",
        "\"lost_packets\":50", "\"periodic_drop\":{\"period_ms\":4000.000",
        "\"gap_ms\":1020.000", "\"count\":7", "\"srtp\":null", "\"call_id\":null",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strstr(f->buf, keys[i]) == NULL)
            fail_msg("missing %s in %s", keys[i], f->buf);
    }
    rtp_state_free(s);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stats_clean_stream_has_no_loss_and_no_jitter),
        cmocka_unit_test(stats_counts_loss_from_sequence_jump),
        cmocka_unit_test(stats_sequence_wraparound_is_not_loss),
        cmocka_unit_test(stats_loss_across_wraparound_is_counted),
        cmocka_unit_test(stats_duplicate_is_counted_not_lost),
        cmocka_unit_test(stats_reordered_packet_is_out_of_order_not_lost),
        cmocka_unit_test(stats_sequence_restart_starts_a_new_run),
        cmocka_unit_test(stats_single_stray_jump_is_ignored),
        cmocka_unit_test(stats_jitter_follows_rfc3550_estimator),
        cmocka_unit_test(stats_unknown_clock_gives_no_jitter),
        cmocka_unit_test(stats_silence_gap_loses_nothing),
        cmocka_unit_test(stats_gap_list_is_capped_and_counted),
        cmocka_unit_test(stats_comfort_noise_and_marker_are_not_delay),
        cmocka_unit_test(stats_packets_without_clock_are_skipped_by_jitter),
        cmocka_unit_test(stats_static_clock_rates),
        cmocka_unit_test(state_confirms_heuristic_stream_after_in_order_packets),
        cmocka_unit_test(state_drops_lone_datagrams),
        cmocka_unit_test(state_sdp_hint_confirms_at_once_with_call_and_srtp),
        cmocka_unit_test(state_text_timeline_clamps_gap_before_first_packet),
        cmocka_unit_test(state_keys_streams_by_ssrc_and_direction),
        cmocka_unit_test(state_idle_stream_ends_on_capture_time),
        cmocka_unit_test(state_caps_streams_at_limit),
        cmocka_unit_test(state_live_tick_ends_streams_and_writes_interims),
        cmocka_unit_test(state_table_survives_churn_of_many_streams),
        cmocka_unit_test(state_ids_follow_first_frames_not_confirmation),
        cmocka_unit_test(state_periodic_drop_without_ipsec_is_rtp_periodic_drop_only),
        cmocka_unit_test(state_periodic_drop_with_ipsec_names_the_policy),
        cmocka_unit_test(state_ipsec_between_other_hosts_does_not_blame_ipsec),
        cmocka_unit_test(state_loss_threshold_is_one_percent),
        cmocka_unit_test(state_rtcp_sender_report_counts_on_its_stream),
        cmocka_unit_test(state_json_has_the_spec_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
