/* test_tcp_reasm.c: TCP reassembly ordering, overlaps, wrap, gaps, caps and the hold buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcp_reasm.h"

#define REC_BUF_MAX 8192
#define REC_GAPS_MAX 64

struct rec_gap {
    enum dir d;
    uint64_t offset;
    uint32_t len;
    size_t at_len; /* bytes delivered in d when the gap came */
};

/*
 * A recording consumer: appends consumed bytes per direction, logs gaps
 * and closes. msg_len > 0 makes it consume only whole msg_len-byte
 * messages, like a parser waiting for a complete record; take_nothing
 * makes it refuse everything.
 */
struct rec {
    uint8_t buf[2][REC_BUF_MAX];
    size_t len[2];
    struct rec_gap gaps[REC_GAPS_MAX];
    size_t ngaps;
    int data_calls;
    int closes;
    enum close_reason why;
    size_t msg_len;
    bool take_nothing;
    size_t largest_offer;
};

static size_t rec_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    (void)at;
    struct rec *rc = st;
    rc->data_calls++;
    if (n > rc->largest_offer)
        rc->largest_offer = n;
    if (rc->take_nothing)
        return 0;
    size_t take = rc->msg_len ? n / rc->msg_len * rc->msg_len : n;
    assert_true(rc->len[d] + take <= REC_BUF_MAX);
    memcpy(rc->buf[d] + rc->len[d], p, take);
    rc->len[d] += take;
    return take;
}

static void rec_gap(void *st, enum dir d, uint64_t offset, uint32_t len)
{
    struct rec *rc = st;
    assert_true(rc->ngaps < REC_GAPS_MAX);
    rc->gaps[rc->ngaps++] = (struct rec_gap){ d, offset, len, rc->len[d] };
}

static void rec_close(void *st, enum close_reason why)
{
    struct rec *rc = st;
    rc->closes++;
    rc->why = why;
}

static const struct stream_ops rec_ops = {
    .name = "rec", .data = rec_data, .gap = rec_gap, .close = rec_close,
};

struct fix {
    struct limits lim;
    struct mem_acct acct;
    struct reasm_ctx ctx;
    struct tcp_reasm r;
    struct rec rc;
    struct frame_ref at;
};

static int fix_setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->lim = limits_default;
    f->lim.reasm_ooo_bytes_max = 4096;
    f->lim.reasm_hold_bytes_max = 1024;
    mem_acct_init(&f->acct, 1 << 20);
    f->ctx.lim = &f->lim;
    f->ctx.acct = &f->acct;
    tcp_reasm_init(&f->r, &rec_ops, &f->rc);
    f->at.frame = 1;
    *state = f;
    return 0;
}

/* Every test ends with the connection closed once and all memory back. */
static int fix_teardown(void **state)
{
    struct fix *f = *state;
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_EOF, &f->at);
    assert_int_equal(f->rc.closes, 1);
    assert_int_equal(f->acct.used, 0);
    free(f);
    return 0;
}

static void seg(struct fix *f, enum dir d, uint32_t seq, const char *s)
{
    tcp_reasm_segment(&f->r, &f->ctx, d, seq, (const uint8_t *)s, strlen(s), false, &f->at);
}

static void assert_got(const struct fix *f, enum dir d, const char *want)
{
    assert_int_equal(f->rc.len[d], strlen(want));
    assert_memory_equal(f->rc.buf[d], want, strlen(want));
}

static void reasm_delivers_in_order_bytes(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 999);
    seg(f, DIR_C2S, 1000, "hello");
    seg(f, DIR_C2S, 1005, " world");
    assert_got(f, DIR_C2S, "hello world");
    assert_int_equal(f->rc.len[DIR_S2C], 0);
    assert_int_equal(f->rc.ngaps, 0);
}

static void reasm_in_order_path_allocates_nothing(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    for (uint32_t i = 0; i < 100; i++)
        seg(f, DIR_C2S, 1 + i * 4, "abcd");
    assert_int_equal(f->rc.len[DIR_C2S], 400);
    assert_int_equal(f->acct.peak, 0);
}

static void reasm_delivers_out_of_order_segments_in_sequence(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 999);
    seg(f, DIR_C2S, 1010, "!!");
    seg(f, DIR_C2S, 1005, "world");
    assert_int_equal(f->rc.len[DIR_C2S], 0);
    assert_true(f->acct.used > 0);
    seg(f, DIR_C2S, 1000, "hello");
    assert_got(f, DIR_C2S, "helloworld!!");
    assert_int_equal(f->rc.ngaps, 0);
    assert_int_equal(f->r.half[DIR_C2S].ooo_bytes, 0);
    assert_int_equal(f->acct.used, 0);
}

static void reasm_retransmission_of_delivered_bytes_delivers_nothing(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 99);
    seg(f, DIR_C2S, 100, "abcdef");
    int calls = f->rc.data_calls;
    seg(f, DIR_C2S, 100, "abcdef");
    seg(f, DIR_C2S, 102, "cd");
    assert_int_equal(f->rc.data_calls, calls);
    assert_got(f, DIR_C2S, "abcdef");
    assert_int_equal(f->ctx.stats.retransmitted_bytes, 8);
    assert_int_equal(f->ctx.stats.overlap_conflicts, 0);
}

static void reasm_conflicting_overlap_keeps_first_copy(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 999);
    seg(f, DIR_C2S, 1005, "world");
    seg(f, DIR_C2S, 1005, "WORLD"); /* differs in all 5 bytes */
    seg(f, DIR_C2S, 1003, "LOwo");  /* fills 1003-1004, 2 bytes match */
    seg(f, DIR_C2S, 1000, "hel");
    assert_got(f, DIR_C2S, "helLOworld");
    assert_int_equal(f->ctx.stats.retransmitted_bytes, 7);
    assert_int_equal(f->ctx.stats.overlap_conflicts, 5);
}

static void reasm_conflict_with_held_bytes_is_counted(void **state)
{
    struct fix *f = *state;
    f->rc.msg_len = 10;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abcdef");   /* held: not a whole message */
    seg(f, DIR_C2S, 3, "cXe");      /* already delivered, 1 byte differs */
    assert_int_equal(f->ctx.stats.retransmitted_bytes, 3);
    assert_int_equal(f->ctx.stats.overlap_conflicts, 1);
    seg(f, DIR_C2S, 7, "ghij");
    assert_got(f, DIR_C2S, "abcdefghij");
}

static void reasm_partial_overlap_is_trimmed(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abcd");
    seg(f, DIR_C2S, 3, "cdEF"); /* two old bytes, two new */
    seg(f, DIR_C2S, 9, "ij");
    seg(f, DIR_C2S, 6, "FGHIJK"); /* one old, two new, two queued, one new */
    assert_got(f, DIR_C2S, "abcdEFGHijK");
    assert_int_equal(f->ctx.stats.retransmitted_bytes, 5);
    assert_int_equal(f->ctx.stats.overlap_conflicts, 2); /* I/i, J/j */
    assert_int_equal(f->rc.ngaps, 0);
}

static void reasm_wraps_around_2_32(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_S2C, 0xfffffff9u); /* data at 0xfffffffa */
    seg(f, DIR_S2C, 0xfffffffau, "abc");
    seg(f, DIR_S2C, 0x00000002u, "ijk");        /* after the wrap, early */
    seg(f, DIR_S2C, 0xfffffffdu, "defgh");      /* crosses 2^32 */
    seg(f, DIR_S2C, 0xfffffffcu, "cX");         /* old: retransmission */
    assert_got(f, DIR_S2C, "abcdefghijk");
    assert_int_equal(f->r.half[DIR_S2C].next_seq, 5);
    assert_int_equal(f->ctx.stats.retransmitted_bytes, 2);
    assert_int_equal(f->rc.ngaps, 0);
}

static void reasm_picks_up_mid_stream_without_syn(void **state)
{
    struct fix *f = *state;
    seg(f, DIR_C2S, 123456789u, "middle");
    seg(f, DIR_C2S, 123456789u + 6, "end");
    seg(f, DIR_C2S, 123456789u - 3, "pre"); /* before the pickup point */
    assert_got(f, DIR_C2S, "middleend");
    assert_true(f->r.half[DIR_C2S].has_base);
    assert_false(f->r.half[DIR_S2C].has_base);
    assert_int_equal(f->rc.ngaps, 0);
}

static void reasm_ack_beyond_hole_reports_gap_and_continues(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abc");
    seg(f, DIR_C2S, 10, "jkl"); /* 4..9 never captured */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 13, &f->at);
    /* The ACK alone may have overtaken late data: nothing declared yet. */
    assert_int_equal(f->rc.ngaps, 0);
    seg(f, DIR_C2S, 13, "m"); /* the next segment leaves the hole open */
    assert_got(f, DIR_C2S, "abcjklm");
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].d, DIR_C2S);
    assert_int_equal(f->rc.gaps[0].offset, 3);
    assert_int_equal(f->rc.gaps[0].len, 6);
    assert_int_equal(f->rc.gaps[0].at_len, 3);
    assert_int_equal(f->ctx.stats.gaps, 1);
    assert_int_equal(f->ctx.stats.gap_bytes, 6);
    /* Acked beyond everything seen: the tail is a gap once data resumes. */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 20, &f->at);
    seg(f, DIR_C2S, 20, "t");
    assert_int_equal(f->rc.ngaps, 2);
    assert_int_equal(f->rc.gaps[1].offset, 13);
    assert_int_equal(f->rc.gaps[1].len, 6);
    assert_got(f, DIR_C2S, "abcjklmt");
}

static void reasm_ack_before_late_data_is_not_a_gap(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abc");
    seg(f, DIR_C2S, 7, "ghi");                          /* 4..6 still on the way */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 10, &f->at); /* captured before the data */
    seg(f, DIR_C2S, 4, "def");
    assert_int_equal(f->rc.ngaps, 0);
    assert_got(f, DIR_C2S, "abcdefghi");
}

static void reasm_ack_without_hole_or_out_of_window_is_ignored(void **state)
{
    struct fix *f = *state;
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 500, &f->at); /* no base yet */
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abc");
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 4, &f->at);            /* exactly up to date */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 2, &f->at);            /* behind */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 4u + (2u << 30), &f->at); /* 2 GiB ahead */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 4u + (1u << 30) + 1, &f->at);
    assert_int_equal(f->rc.ngaps, 0);
    seg(f, DIR_C2S, 4, "d");
    assert_got(f, DIR_C2S, "abcd");
}

static void reasm_ack_of_fin_is_not_a_gap(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 1, (const uint8_t *)"bye", 3, true, &f->at);
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 5, &f->at); /* acks the FIN */
    assert_int_equal(f->rc.ngaps, 0);
    assert_got(f, DIR_C2S, "bye");
}

static void reasm_ooo_flood_reports_gap_and_stays_under_cap(void **state)
{
    struct fix *f = *state;
    f->lim.reasm_ooo_bytes_max = 1000;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "ab");
    uint8_t chunk[100];
    uint32_t seq = 11; /* 3..10 lost */
    for (int i = 0; i < 30; i++) {
        memset(chunk, 'A' + i % 26, sizeof chunk);
        tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, seq, chunk, sizeof chunk, false, &f->at);
        seq += sizeof chunk;
        assert_true(f->acct.used <= f->lim.reasm_ooo_bytes_max);
        assert_true(f->r.half[DIR_C2S].ooo_bytes <= f->lim.reasm_ooo_bytes_max);
    }
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].offset, 2);
    assert_int_equal(f->rc.gaps[0].len, 8);
    /* After the gap, everything flooded in was delivered, in order. */
    assert_int_equal(f->rc.len[DIR_C2S], 2 + 30 * 100);
    assert_int_equal(f->rc.buf[DIR_C2S][2], 'A');
    assert_int_equal(f->rc.buf[DIR_C2S][2 + 29 * 100], 'A' + 29 % 26);
    assert_int_equal(f->ctx.stats.ooo_dropped_bytes, 0);
}

static void reasm_segment_larger_than_ooo_cap_is_dropped_and_counted(void **state)
{
    struct fix *f = *state;
    f->lim.reasm_ooo_bytes_max = 64;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    uint8_t big[200];
    memset(big, 'x', sizeof big);
    tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 50, big, sizeof big, false, &f->at);
    assert_int_equal(f->ctx.stats.ooo_dropped_bytes, 200);
    assert_int_equal(f->acct.used, 0);
    seg(f, DIR_C2S, 1, "ok");
    assert_got(f, DIR_C2S, "ok");
}

static void reasm_memcap_refusal_gaps_queued_data_then_drops(void **state)
{
    struct fix *f = *state;
    /* Room for the queued segment and its header, not for a second. */
    mem_acct_init(&f->acct, 60);
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 5, "efgh");            /* queued behind a hole at 1..4 */
    assert_true(f->acct.used > 0);
    seg(f, DIR_C2S, 20, "tuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
    /* The hole before the queued segment became a gap, the queued bytes were
     * delivered, then the new one was refused again and dropped. */
    assert_true(f->acct.refused >= 2);
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].offset, 0);
    assert_int_equal(f->rc.gaps[0].len, 4);
    assert_got(f, DIR_C2S, "efgh");
    assert_int_equal(f->ctx.stats.ooo_dropped_bytes, 43);
    assert_int_equal(f->acct.used, 0);
}

static void reasm_partial_consumer_gets_leftovers_prefixed(void **state)
{
    struct fix *f = *state;
    f->rc.msg_len = 10;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "0123456789ab");     /* one message + 2 bytes held */
    assert_got(f, DIR_C2S, "0123456789");
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 2);
    seg(f, DIR_C2S, 13, "cdef");           /* offered "abcdef": still short */
    assert_int_equal(f->rc.largest_offer, 12);
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 6);
    seg(f, DIR_C2S, 17, "ghijKLMNOPQRSTU");   /* "abcdef" + 15: two messages */
    assert_got(f, DIR_C2S, "0123456789abcdefghijKLMNOPQRST");
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 1);
    assert_int_equal(f->r.half[DIR_C2S].hold_offset, 30);
    assert_int_equal(f->rc.ngaps, 0);
}

static void reasm_consumer_taking_nothing_does_not_loop(void **state)
{
    struct fix *f = *state;
    f->rc.take_nothing = true;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "abc");
    seg(f, DIR_C2S, 4, "def");
    assert_int_equal(f->rc.data_calls, 2);
    assert_int_equal(f->rc.largest_offer, 6);
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 6);
}

static void reasm_hold_grows_for_a_long_message(void **state)
{
    struct fix *f = *state;
    f->lim.reasm_hold_bytes_max = 6000;
    f->rc.take_nothing = true; /* waits for a 5000-byte message */
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    uint8_t part[1000];
    for (uint32_t i = 0; i < 5; i++) {
        memset(part, 'a' + (int)i, sizeof part);
        if (i == 4)
            f->rc.take_nothing = false;
        tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 1 + i * 1000, part, sizeof part, false, &f->at);
    }
    assert_int_equal(f->rc.largest_offer, 5000);
    assert_int_equal(f->rc.len[DIR_C2S], 5000);
    assert_int_equal(f->rc.buf[DIR_C2S][0], 'a');
    assert_int_equal(f->rc.buf[DIR_C2S][4999], 'e');
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 0);
    assert_int_equal(f->rc.ngaps, 0);
    /* The grown buffer went back once empty: an idle stream holds nothing. */
    assert_int_equal(f->r.half[DIR_C2S].hold_cap, 0);
    assert_int_equal(f->acct.used, 0);
    assert_true(f->acct.peak >= 5000);
    assert_true(f->acct.peak <= 6000);
}

static void reasm_hold_overflow_reports_gap_and_continues(void **state)
{
    struct fix *f = *state;
    f->lim.reasm_hold_bytes_max = 16;
    f->rc.msg_len = 10;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "0123456789ABCDEFGH"); /* 8 held */
    seg(f, DIR_C2S, 19, "abcdefghij");        /* 8 + 10 > 16 */
    assert_int_equal(f->ctx.stats.hold_dropped_bytes, 8);
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].offset, 10);
    assert_int_equal(f->rc.gaps[0].len, 8);
    assert_got(f, DIR_C2S, "0123456789abcdefghij");
    /* Unconsumed bytes that alone pass the cap are dropped as a gap too. */
    uint8_t big[40];
    memset(big, 'z', sizeof big);
    f->rc.take_nothing = true;
    tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 29, big, sizeof big, false, &f->at);
    assert_int_equal(f->ctx.stats.hold_dropped_bytes, 48);
    assert_int_equal(f->rc.ngaps, 2);
    assert_int_equal(f->rc.gaps[1].offset, 28);
    assert_int_equal(f->rc.gaps[1].len, 40);
    assert_int_equal(f->r.half[DIR_C2S].hold_len, 0);
}

static void reasm_gap_discards_held_bytes(void **state)
{
    struct fix *f = *state;
    f->rc.msg_len = 4;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "ab");  /* held, waiting for 2 more */
    tcp_reasm_ack(&f->r, &f->ctx, DIR_C2S, 5, &f->at); /* 3..4 were received */
    seg(f, DIR_C2S, 5, "WXYZ");                        /* but not captured */
    /* The held "ab" is not prefixed to what follows the gap. */
    assert_got(f, DIR_C2S, "WXYZ");
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].offset, 2);
    assert_int_equal(f->rc.gaps[0].len, 2);
}

static void reasm_close_flushes_queue_with_gaps(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    tcp_reasm_syn(&f->r, DIR_S2C, 500);
    seg(f, DIR_C2S, 1, "ab");
    seg(f, DIR_C2S, 10, "jk");
    seg(f, DIR_C2S, 5, "ef");
    seg(f, DIR_S2C, 511, "XY");
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_RST, &f->at);
    assert_int_equal(f->rc.closes, 1);
    assert_int_equal(f->rc.why, CLOSE_RST);
    assert_got(f, DIR_C2S, "abefjk");
    assert_got(f, DIR_S2C, "XY");
    assert_int_equal(f->rc.ngaps, 3);
    assert_int_equal(f->rc.gaps[0].offset, 2);
    assert_int_equal(f->rc.gaps[0].len, 2);
    assert_int_equal(f->rc.gaps[1].offset, 6);
    assert_int_equal(f->rc.gaps[1].len, 3);
    assert_int_equal(f->rc.gaps[2].d, DIR_S2C);
    assert_int_equal(f->rc.gaps[2].offset, 0);
    assert_int_equal(f->rc.gaps[2].len, 10);
    assert_int_equal(f->acct.used, 0);
}

static void reasm_close_twice_is_harmless(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 3, "cd");
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_IDLE, &f->at);
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_EOF, &f->at);
    assert_int_equal(f->rc.closes, 1);
    assert_int_equal(f->rc.why, CLOSE_IDLE);
    /* Closed: later packets are ignored and allocate nothing. */
    seg(f, DIR_C2S, 10, "late");
    assert_got(f, DIR_C2S, "cd");
    assert_int_equal(f->acct.used, 0);
}

static void reasm_close_without_data_still_closes(void **state)
{
    struct fix *f = *state;
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_EVICTED, &f->at);
    assert_int_equal(f->rc.closes, 1);
    assert_int_equal(f->rc.why, CLOSE_EVICTED);
    assert_int_equal(f->rc.data_calls, 0);
    assert_int_equal(f->rc.ngaps, 0);
}

/* Split a 3-message stream at every pair of byte boundaries, deliver the
 * pieces in order and in reverse: the consumer must see the same bytes. */
static void reasm_every_split_delivers_identical_bytes(void **state)
{
    struct fix *f = *state;
    (void)f;
    static const char msg[] = "INVITE-01:BYE-0002:ACK-00003";
    const size_t n = sizeof msg - 1;
    for (size_t a = 1; a < n; a++) {
        for (size_t b = a; b < n; b++) {
            for (int reverse = 0; reverse < 2; reverse++) {
                struct mem_acct acct;
                mem_acct_init(&acct, 1 << 20);
                struct limits lim = limits_default;
                struct reasm_ctx ctx = { .lim = &lim, .acct = &acct };
                struct rec *rc = calloc(1, sizeof *rc);
                assert_non_null(rc);
                rc->msg_len = 7;
                struct tcp_reasm r;
                tcp_reasm_init(&r, &rec_ops, rc);
                const uint32_t base = 0xfffffff0u; /* also crosses 2^32 */
                tcp_reasm_syn(&r, DIR_C2S, base - 1);
                const uint8_t *p = (const uint8_t *)msg;
                size_t cut[4] = { 0, a, b, n };
                for (int i = 0; i < 3; i++) {
                    int k = reverse ? 2 - i : i;
                    tcp_reasm_segment(&r, &ctx, DIR_C2S, base + (uint32_t)cut[k], p + cut[k],
                                      cut[k + 1] - cut[k], false, NULL);
                }
                assert_int_equal(rc->len[DIR_C2S], n / 7 * 7);
                assert_memory_equal(rc->buf[DIR_C2S], msg, n / 7 * 7);
                assert_int_equal(rc->ngaps, 0);
                tcp_reasm_close(&r, &ctx, CLOSE_EOF, NULL);
                assert_int_equal(rc->closes, 1);
                assert_int_equal(acct.used, 0);
                free(rc);
            }
        }
    }
}

static void reasm_fin_in_both_directions_finishes(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    tcp_reasm_syn(&f->r, DIR_S2C, 1000);
    seg(f, DIR_C2S, 1, "req");
    tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 4, NULL, 0, true, &f->at);
    assert_false(tcp_reasm_finished(&f->r));
    /* Server FIN arrives before its last data. */
    tcp_reasm_segment(&f->r, &f->ctx, DIR_S2C, 1005, (const uint8_t *)"onse", 4, true, &f->at);
    assert_false(tcp_reasm_finished(&f->r));
    seg(f, DIR_S2C, 1001, "resp");
    assert_true(tcp_reasm_finished(&f->r));
    assert_got(f, DIR_S2C, "response");
    /* Bytes claiming to follow the FIN are not delivered. */
    seg(f, DIR_C2S, 4, "more");
    assert_got(f, DIR_C2S, "req");
}

static void reasm_fin_with_missing_data_is_gap_at_close(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "ab");
    tcp_reasm_segment(&f->r, &f->ctx, DIR_C2S, 8, (const uint8_t *)"h", 1, true, &f->at);
    assert_false(tcp_reasm_finished(&f->r));
    tcp_reasm_close(&f->r, &f->ctx, CLOSE_FIN, &f->at);
    assert_got(f, DIR_C2S, "abh");
    assert_int_equal(f->rc.ngaps, 1);
    assert_int_equal(f->rc.gaps[0].offset, 2);
    assert_int_equal(f->rc.gaps[0].len, 5);
}

static void reasm_segment_far_beyond_window_is_dropped(void **state)
{
    struct fix *f = *state;
    tcp_reasm_syn(&f->r, DIR_C2S, 0);
    seg(f, DIR_C2S, 1, "a");
    seg(f, DIR_C2S, 2u + (1u << 30) + 1, "bogus");
    assert_int_equal(f->ctx.stats.ooo_dropped_bytes, 5);
    assert_int_equal(f->acct.used, 0);
    seg(f, DIR_C2S, 2, "b");
    assert_got(f, DIR_C2S, "ab");
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Random segment sizes, random order, duplicates and overlapping resends of
 * the same bytes: with no loss and no cap reached, the consumer gets the
 * original stream exactly and nothing is reported missing. */
static void reasm_random_order_with_duplicates_delivers_original(void **state)
{
    struct fix *f = *state;
    (void)f;
    enum { LEN = 3000, SEGS_MAX = 600 };
    static uint8_t stream[LEN];
    uint32_t x = 12345;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < LEN; i++)
            stream[i] = (uint8_t)lcg(&x);
        struct mem_acct acct;
        mem_acct_init(&acct, 1 << 20);
        struct limits lim = limits_default;
        struct reasm_ctx ctx = { .lim = &lim, .acct = &acct };
        struct rec *rc = calloc(1, sizeof *rc);
        assert_non_null(rc);
        rc->msg_len = 1 + lcg(&x) % 50;
        struct tcp_reasm r;
        tcp_reasm_init(&r, &rec_ops, rc);
        uint32_t base = lcg(&x) << 8 | (lcg(&x) & 0xff);
        tcp_reasm_syn(&r, DIR_S2C, base - 1);
        /* Cut into segments, add some overlapping resends, shuffle. */
        uint32_t off[SEGS_MAX], len[SEGS_MAX];
        size_t nseg = 0;
        for (uint32_t o = 0; o < LEN;) {
            uint32_t l = 1 + lcg(&x) % 40;
            if (l > LEN - o)
                l = LEN - o;
            off[nseg] = o;
            len[nseg++] = l;
            if (lcg(&x) % 4 == 0 && nseg < SEGS_MAX) {
                uint32_t o2 = o > 10 ? o - lcg(&x) % 10 : 0;
                uint32_t l2 = 1 + lcg(&x) % 60;
                off[nseg] = o2;
                len[nseg++] = o2 + l2 > LEN ? LEN - o2 : l2;
            }
            o += l;
        }
        for (size_t i = nseg - 1; i > 0; i--) {
            size_t j = lcg(&x) % (i + 1);
            uint32_t t = off[i]; off[i] = off[j]; off[j] = t;
            t = len[i]; len[i] = len[j]; len[j] = t;
        }
        for (size_t i = 0; i < nseg; i++)
            tcp_reasm_segment(&r, &ctx, DIR_S2C, base + off[i], stream + off[i], len[i], false,
                              NULL);
        assert_int_equal(r.half[DIR_S2C].next_seq, base + LEN);
        assert_int_equal(rc->ngaps, 0);
        assert_int_equal(ctx.stats.overlap_conflicts, 0);
        assert_int_equal(rc->len[DIR_S2C], LEN / rc->msg_len * rc->msg_len);
        assert_memory_equal(rc->buf[DIR_S2C], stream, rc->len[DIR_S2C]);
        tcp_reasm_close(&r, &ctx, CLOSE_EOF, NULL);
        assert_int_equal(acct.used, 0);
        free(rc);
    }
}

/* Hostile mix: random seqs, acks, FINs, tiny caps. Nothing may crash or
 * leak, memory stays within the caps, and offsets only move forward. */
static size_t chaos_data(void *st, enum dir d, const uint8_t *p, size_t n,
                         const struct frame_ref *at)
{
    (void)d;
    (void)p;
    (void)at;
    uint32_t *x = st;
    return lcg(x) % 3 == 0 ? 0 : lcg(x) % (n + 1);
}

struct chaos {
    uint32_t x;
    uint64_t last_gap_end[2];
    int closes;
};

static void chaos_gap(void *st, enum dir d, uint64_t offset, uint32_t len)
{
    struct chaos *c = st;
    assert_true(len > 0);
    assert_true(offset >= c->last_gap_end[d]);
    c->last_gap_end[d] = offset + len;
}

static void chaos_close(void *st, enum close_reason why)
{
    (void)why;
    ((struct chaos *)st)->closes++;
}

static void reasm_hostile_mix_stays_within_caps(void **state)
{
    struct fix *f = *state;
    (void)f;
    static const struct stream_ops chaos_ops = {
        .name = "chaos", .data = chaos_data, .gap = chaos_gap, .close = chaos_close,
    };
    uint8_t buf[300];
    memset(buf, 'q', sizeof buf);
    for (int round = 0; round < 200; round++) {
        struct chaos c = { .x = (uint32_t)round * 7919u + 1 };
        struct mem_acct acct;
        mem_acct_init(&acct, 1500);
        struct limits lim = limits_default;
        lim.reasm_ooo_bytes_max = 600;
        lim.reasm_hold_bytes_max = 400;
        struct reasm_ctx ctx = { .lim = &lim, .acct = &acct };
        struct tcp_reasm r;
        tcp_reasm_init(&r, &chaos_ops, &c);
        uint32_t base = lcg(&c.x);
        if (round % 2)
            tcp_reasm_syn(&r, DIR_C2S, base);
        for (int i = 0; i < 400; i++) {
            enum dir d = lcg(&c.x) % 2 ? DIR_C2S : DIR_S2C;
            uint32_t kind = lcg(&c.x) % 10;
            uint32_t seq = base + lcg(&c.x) % 2000;
            if (kind == 0)
                seq = lcg(&c.x) << 8; /* anywhere in the sequence space */
            if (kind == 1) {
                tcp_reasm_ack(&r, &ctx, d, seq, NULL);
                continue;
            }
            tcp_reasm_segment(&r, &ctx, d, seq, buf, lcg(&c.x) % sizeof buf, kind == 2, NULL);
            assert_true(acct.used <= acct.cap);
            for (int h = 0; h < 2; h++)
                assert_true(r.half[h].ooo_bytes <= lim.reasm_ooo_bytes_max);
        }
        tcp_reasm_close(&r, &ctx, CLOSE_EOF, NULL);
        tcp_reasm_close(&r, &ctx, CLOSE_EOF, NULL);
        assert_int_equal(c.closes, 1);
        assert_int_equal(acct.used, 0);
    }
}

/*
 * Lossy, reordered, resent traffic in both directions with small caps and
 * a consumer that consumes all, whole 13-byte messages, or at random. It
 * tracks the stream offset of the first byte each data() call offers
 * (moved by what it consumes and by gaps), and every byte offered must be
 * the true byte at its offset: gaps and drops may lose data, never shift
 * or corrupt it.
 */
enum { MODEL_LEN = 20000 };

struct model {
    uint8_t stream[2][MODEL_LEN];
    uint64_t pos[2];
    uint32_t x;
    int mode;
    int closes;
    uint64_t consumed;
};

static size_t model_data(void *st, enum dir d, const uint8_t *p, size_t n,
                         const struct frame_ref *at)
{
    (void)at;
    struct model *m = st;
    assert_true(m->pos[d] + n <= MODEL_LEN);
    assert_memory_equal(p, m->stream[d] + m->pos[d], n);
    size_t k = n;
    if (m->mode == 1)
        k = n / 13 * 13;
    else if (m->mode == 2)
        k = lcg(&m->x) % 4 == 0 ? 0 : lcg(&m->x) % (n + 1);
    m->pos[d] += k;
    m->consumed += k;
    return k;
}

static void model_gap(void *st, enum dir d, uint64_t offset, uint32_t len)
{
    struct model *m = st;
    assert_true(len > 0);
    assert_true(offset >= m->pos[d]);
    m->pos[d] = offset + len;
}

static void model_close(void *st, enum close_reason why)
{
    (void)why;
    ((struct model *)st)->closes++;
}

static void reasm_lossy_traffic_delivers_true_bytes_at_their_offsets(void **state)
{
    struct fix *f = *state;
    (void)f;
    static const struct stream_ops model_ops = {
        .name = "model", .data = model_data, .gap = model_gap, .close = model_close,
    };
    struct model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    uint64_t consumed = 0, gaps = 0;
    for (int round = 0; round < 150; round++) {
        uint32_t x = (uint32_t)round * 2654435761u + 7;
        for (int d = 0; d < 2; d++)
            for (size_t i = 0; i < MODEL_LEN; i++)
                m->stream[d][i] = (uint8_t)lcg(&x);
        m->pos[0] = m->pos[1] = 0;
        m->x = x;
        m->mode = round % 3;
        m->closes = 0;
        m->consumed = 0;
        struct limits lim = limits_default;
        lim.reasm_ooo_bytes_max = 200 + lcg(&x) % 5000;
        lim.reasm_hold_bytes_max = 50 + lcg(&x) % 3000;
        struct mem_acct acct;
        mem_acct_init(&acct, 300 + lcg(&x) % 12000);
        struct reasm_ctx ctx = { .lim = &lim, .acct = &acct };
        struct tcp_reasm r;
        tcp_reasm_init(&r, &model_ops, m);
        uint32_t base[2] = { lcg(&x) << 8, 0xffffff00u + lcg(&x) % 256 }; /* S2C wraps */
        bool syn = round % 2;
        if (syn) {
            tcp_reasm_syn(&r, DIR_C2S, base[0] - 1);
            tcp_reasm_syn(&r, DIR_S2C, base[1] - 1);
        }
        uint32_t sent[2] = { 0, 0 };
        bool started[2] = { false, false };
        uint32_t loss = lcg(&x) % 20, resend = lcg(&x) % 30;
        for (int i = 0; i < 3000; i++) {
            enum dir d = lcg(&x) % 2 ? DIR_C2S : DIR_S2C;
            uint32_t kind = lcg(&x) % 100;
            if (kind < 10) {
                /* The peer acknowledges something that was sent. */
                uint32_t a = lcg(&x) % (sent[d] + 1);
                tcp_reasm_ack(&r, &ctx, d, base[d] + a, NULL);
                continue;
            }
            uint32_t off = sent[d], n = 1 + lcg(&x) % 1460;
            if (!syn && !started[d])
                off = 0; /* where the capture picks the stream up */
            else if (kind < 10 + resend && sent[d] > 0)
                off = sent[d] > 3000 ? sent[d] - lcg(&x) % 3000 : lcg(&x) % sent[d];
            else if (kind < 45)
                off = sent[d] + lcg(&x) % 3000;
            if (off >= MODEL_LEN)
                continue;
            if (n > MODEL_LEN - off)
                n = MODEL_LEN - off;
            if (off + n > sent[d])
                sent[d] = off + n;
            if (started[d] && lcg(&x) % 100 < loss)
                continue;
            started[d] = true;
            tcp_reasm_segment(&r, &ctx, d, base[d] + off, m->stream[d] + off, n, false, NULL);
            assert_true(acct.used <= acct.cap);
            assert_true(r.half[d].ooo_bytes <= lim.reasm_ooo_bytes_max);
        }
        tcp_reasm_close(&r, &ctx, CLOSE_EOF, NULL);
        assert_int_equal(m->closes, 1);
        assert_int_equal(acct.used, 0);
        consumed += m->consumed;
        gaps += ctx.stats.gaps;
    }
    /* The run exercised both delivery and loss, not just one of them. */
    assert_true(consumed > 1000000);
    assert_true(gaps > 100);
    free(m);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(reasm_delivers_in_order_bytes),
        T(reasm_in_order_path_allocates_nothing),
        T(reasm_delivers_out_of_order_segments_in_sequence),
        T(reasm_retransmission_of_delivered_bytes_delivers_nothing),
        T(reasm_conflicting_overlap_keeps_first_copy),
        T(reasm_conflict_with_held_bytes_is_counted),
        T(reasm_partial_overlap_is_trimmed),
        T(reasm_wraps_around_2_32),
        T(reasm_picks_up_mid_stream_without_syn),
        T(reasm_ack_beyond_hole_reports_gap_and_continues),
        T(reasm_ack_before_late_data_is_not_a_gap),
        T(reasm_ack_without_hole_or_out_of_window_is_ignored),
        T(reasm_ack_of_fin_is_not_a_gap),
        T(reasm_ooo_flood_reports_gap_and_stays_under_cap),
        T(reasm_segment_larger_than_ooo_cap_is_dropped_and_counted),
        T(reasm_memcap_refusal_gaps_queued_data_then_drops),
        T(reasm_partial_consumer_gets_leftovers_prefixed),
        T(reasm_consumer_taking_nothing_does_not_loop),
        T(reasm_hold_grows_for_a_long_message),
        T(reasm_hold_overflow_reports_gap_and_continues),
        T(reasm_gap_discards_held_bytes),
        T(reasm_close_flushes_queue_with_gaps),
        T(reasm_close_twice_is_harmless),
        T(reasm_close_without_data_still_closes),
        T(reasm_every_split_delivers_identical_bytes),
        T(reasm_fin_in_both_directions_finishes),
        T(reasm_fin_with_missing_data_is_gap_at_close),
        T(reasm_segment_far_beyond_window_is_dropped),
        T(reasm_random_order_with_duplicates_delivers_original),
        T(reasm_hostile_mix_stays_within_caps),
        T(reasm_lossy_traffic_delivers_true_bytes_at_their_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
