/* test_rtp_gaps.c: the periodic-drop detector on synthetic stream timelines, positive and negative. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rtp_gaps.h"
#include "rtp_stats.h"

#define MS 1000000LL

/* A deterministic LCG so "random" cases are the same on every run. */
static uint32_t lcg_next(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/*
 * A 20 ms G.711 sender described by a predicate: lost(t_ms) says whether
 * the packet due at t is never delivered (its sequence number is spent).
 * silent(t_ms) says the sender sends nothing and spends no sequence number
 * (silence suppression; the next packet carries the marker bit).
 */
struct timeline {
    int64_t duration_ms;
    bool (*lost)(int64_t t_ms, void *arg);
    bool (*silent)(int64_t t_ms, void *arg);
    void *arg;
};

static void run_timeline(const struct timeline *tl, struct rtp_stats *st)
{
    memset(st, 0, sizeof *st);
    uint16_t seq = 1000;
    uint32_t ts = 12345;
    bool was_silent = false;
    uint64_t frame = 1;
    for (int64_t t = 0; t < tl->duration_ms; t += 20, ts += 160) {
        if (tl->silent && tl->silent(t, tl->arg)) {
            was_silent = true;
            continue;
        }
        if (tl->lost && tl->lost(t, tl->arg)) {
            seq++;
            continue;
        }
        struct rtp_pkt p = { seq++, ts, 8000, was_silent, 1700000000000LL * MS + t * MS, frame++, 0 };
        was_silent = false;
        rtp_stats_packet(st, &p);
    }
}

/* "1 s lost after every 3 s of audio", the pattern shifted by offset_ms. */
struct pattern {
    int64_t period_ms, gap_ms, offset_ms;
    int64_t skip_gap;   /* index of a gap that does not happen (-1 none) */
    int64_t merge_gap;  /* index of a gap that runs on through the next (-1 none) */
    int64_t jitter_pct; /* each gap start moves by up to +-jitter_pct/2 of the period */
    uint32_t noise_per_mille; /* independent random loss on top */
    uint32_t rng;
};

static bool pattern_lost(int64_t t, void *arg)
{
    struct pattern *p = arg;
    int64_t u = t + p->offset_ms;
    int64_t k = u / p->period_ms;
    int64_t start = p->period_ms - p->gap_ms; /* audio first, then the gap */
    if (p->jitter_pct) {
        /* a fixed, repeatable shift per cycle: k * 7919 mod 101 spreads evenly */
        int64_t spread = (k * 7919) % 101 - 50; /* -50..50 */
        start += spread * p->period_ms * p->jitter_pct / 10000;
    }
    int64_t in = u - k * p->period_ms;
    bool in_gap = in >= start && in < start + p->gap_ms;
    if (k == p->skip_gap)
        in_gap = false;
    if (k == p->merge_gap && in >= start)
        in_gap = true;
    if (k == p->merge_gap + 1 && p->merge_gap >= 0 && in < start + p->gap_ms)
        in_gap = true;
    if (!in_gap && p->noise_per_mille)
        in_gap = lcg_next(&p->rng) % 1000 < p->noise_per_mille;
    return in_gap;
}

static void assert_periodic(const struct rtp_stats *st, double period_ms, double gap_ms,
                            uint32_t min_count)
{
    struct rtp_periodic out = { 0 };
    assert_true(rtp_find_periodic_drop(st->gaps, st->n_gaps, &out));
    assert_true(out.period_ms > period_ms * 0.97 && out.period_ms < period_ms * 1.03);
    assert_true(out.gap_ms > gap_ms - 60 && out.gap_ms < gap_ms + 60);
    assert_true(out.count >= min_count);
}

static void assert_quiet(const struct rtp_stats *st)
{
    struct rtp_periodic out = { 0 };
    assert_false(rtp_find_periodic_drop(st->gaps, st->n_gaps, &out));
}

static void periodic_finds_one_second_lost_every_three(void **state)
{
    (void)state;
    struct pattern p = { 4000, 1000, 0, -1, -1, 0, 0, 1 };
    struct timeline tl = { 30000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 7);
    rtp_stats_fini(&st);
}

static void periodic_tolerates_ten_percent_timing_jitter(void **state)
{
    (void)state;
    struct pattern p = { 4000, 1000, 0, -1, -1, 10, 0, 1 };
    struct timeline tl = { 40000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 8);
    rtp_stats_fini(&st);
}

static void periodic_tolerates_one_missing_gap(void **state)
{
    (void)state;
    struct pattern p = { 4000, 1000, 0, 3, -1, 0, 0, 1 };
    struct timeline tl = { 32000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 6);
    rtp_stats_fini(&st);
}

static void periodic_tolerates_one_merged_gap(void **state)
{
    (void)state;
    struct pattern p = { 4000, 1000, 0, -1, 2, 0, 0, 1 };
    struct timeline tl = { 32000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 6);
    rtp_stats_fini(&st);
}

static void periodic_found_when_capture_starts_mid_pattern(void **state)
{
    (void)state;
    /* the capture opens 3.5 s into a cycle: inside the first gap */
    struct pattern p = { 4000, 1000, 3500, -1, -1, 0, 0, 1 };
    struct timeline tl = { 20000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 4);
    rtp_stats_fini(&st);
}

static void periodic_found_through_random_loss(void **state)
{
    (void)state;
    struct pattern p = { 4000, 1000, 0, -1, -1, 0, 20, 7 };
    struct timeline tl = { 40000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 4000, 1000, 8);
    rtp_stats_fini(&st);
}

static void periodic_finds_other_periods(void **state)
{
    (void)state;
    struct pattern p = { 2000, 400, 0, -1, -1, 0, 0, 1 };
    struct timeline tl = { 20000, pattern_lost, NULL, &p };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_periodic(&st, 2000, 400, 8);
    rtp_stats_fini(&st);
}

struct random_loss {
    uint32_t rng, per_mille;
};

static bool random_lost(int64_t t, void *arg)
{
    (void)t;
    struct random_loss *r = arg;
    return lcg_next(&r->rng) % 1000 < r->per_mille;
}

static void quiet_on_two_percent_random_loss(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 20; seed++) {
        struct random_loss r = { seed, 20 };
        struct timeline tl = { 120000, random_lost, NULL, &r };
        struct rtp_stats st;
        run_timeline(&tl, &st);
        assert_true(rtp_stats_lost(&st) > 0);
        assert_quiet(&st);
        rtp_stats_fini(&st);
    }
}

static bool outage_lost(int64_t t, void *arg)
{
    (void)arg;
    return t >= 8000 && t < 13000;
}

static void quiet_on_single_long_outage(void **state)
{
    (void)state;
    struct timeline tl = { 30000, outage_lost, NULL, NULL };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_int_equal(st.n_gaps, 1);
    assert_int_equal(st.gaps[0].lost_packets, 250);
    assert_quiet(&st);
    rtp_stats_fini(&st);
}

static bool periodic_silence(int64_t t, void *arg)
{
    (void)arg;
    return t % 4000 >= 3000; /* a talker who pauses 1 s every 4 s, regularly */
}

static void quiet_on_silence_suppression_with_marker(void **state)
{
    (void)state;
    struct timeline tl = { 40000, NULL, periodic_silence, NULL };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_true(st.n_gaps >= 9);          /* the holes are there ... */
    assert_int_equal(rtp_stats_lost(&st), 0);
    assert_quiet(&st);                    /* ... but lose nothing */
    rtp_stats_fini(&st);
}

static bool two_gaps_lost(int64_t t, void *arg)
{
    (void)arg;
    return (t >= 3000 && t < 4000) || (t >= 7000 && t < 8000);
}

static void quiet_on_two_gaps_only(void **state)
{
    (void)state;
    struct timeline tl = { 20000, two_gaps_lost, NULL, NULL };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_int_equal(st.n_gaps, 2);
    assert_quiet(&st);
    rtp_stats_fini(&st);
}

static bool irregular_lost(int64_t t, void *arg)
{
    (void)arg;
    static const int64_t starts[] = { 2000, 4500, 11000, 13200, 21000, 29500, 31000 };
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (t >= starts[i] && t < starts[i] + 700)
            return true;
    return false;
}

static void quiet_on_irregular_gaps(void **state)
{
    (void)state;
    struct timeline tl = { 40000, irregular_lost, NULL, NULL };
    struct rtp_stats st;
    run_timeline(&tl, &st);
    assert_int_equal(st.n_gaps, 7);
    assert_quiet(&st);
    rtp_stats_fini(&st);
}

static void quiet_on_empty_gap_list(void **state)
{
    (void)state;
    struct rtp_periodic out = { 0 };
    assert_false(rtp_find_periodic_drop(NULL, 0, &out));
}

static void detector_reads_gap_list_directly(void **state)
{
    (void)state;
    /* five 900 ms loss gaps, 4.1 s apart: the function needs no stream */
    struct rtp_gap g[5];
    for (int i = 0; i < 5; i++)
        g[i] = (struct rtp_gap){ (int64_t)i * 4100 * MS, 900 * MS, 45, (uint64_t)(100 + i) };
    struct rtp_periodic out = { 0 };
    assert_true(rtp_find_periodic_drop(g, 5, &out));
    assert_int_equal(out.count, 5);
    assert_true(out.period_ms > 4099 && out.period_ms < 4101);
    assert_true(out.gap_ms > 899 && out.gap_ms < 901);
}

static void quiet_when_gaps_fill_the_period(void **state)
{
    (void)state;
    /* 3.9 s holes every 4 s: that is a dead stream, not a periodic drop */
    struct rtp_gap g[5];
    for (int i = 0; i < 5; i++)
        g[i] = (struct rtp_gap){ (int64_t)i * 4000 * MS, 3900 * MS, 195, (uint64_t)(100 + i) };
    struct rtp_periodic out = { 0 };
    assert_false(rtp_find_periodic_drop(g, 5, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periodic_finds_one_second_lost_every_three),
        cmocka_unit_test(periodic_tolerates_ten_percent_timing_jitter),
        cmocka_unit_test(periodic_tolerates_one_missing_gap),
        cmocka_unit_test(periodic_tolerates_one_merged_gap),
        cmocka_unit_test(periodic_found_when_capture_starts_mid_pattern),
        cmocka_unit_test(periodic_found_through_random_loss),
        cmocka_unit_test(periodic_finds_other_periods),
        cmocka_unit_test(quiet_on_two_percent_random_loss),
        cmocka_unit_test(quiet_on_single_long_outage),
        cmocka_unit_test(quiet_on_silence_suppression_with_marker),
        cmocka_unit_test(quiet_on_two_gaps_only),
        cmocka_unit_test(quiet_on_irregular_gaps),
        cmocka_unit_test(quiet_on_empty_gap_list),
        cmocka_unit_test(detector_reads_gap_list_directly),
        cmocka_unit_test(quiet_when_gaps_fill_the_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
