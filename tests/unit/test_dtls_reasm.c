/* test_dtls_reasm.c: DTLS handshake fragments in every order, duplicated, overlapping, with holes and over caps (dissect/dtls_reasm.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dtls_reasm.h"
#include "test_helpers.h"

struct incomplete_rec {
    int n;
    uint8_t type;
    uint32_t have, len;
    uint64_t frame;
    struct flow_key from;
};

static void on_incomplete(void *ctx, const struct flow_key *from, uint8_t type, uint32_t have, uint32_t len,
                          const struct frame_ref *last)
{
    struct incomplete_rec *r = ctx;
    r->n++;
    r->type = type;
    r->have = have;
    r->len = len;
    r->frame = last->frame;
    r->from = *from;
}

static struct flow_key key(uint8_t host, uint16_t sport, uint16_t dport)
{
    struct flow_key k = { .sport = sport, .dport = dport, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = 10;
    k.src.b[3] = host;
    k.dst.b[0] = 10;
    k.dst.b[3] = 200;
    return k;
}

static uint8_t msg[1000];

static void fill_msg(void)
{
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + i / 256);
}

static struct dtls_frag frag(uint8_t type, uint16_t seq, uint32_t len, uint32_t off, uint32_t n)
{
    struct dtls_frag f = { .type = type, .len = len, .seq = seq, .off = off, .data = { msg + off, n } };
    return f;
}

/* Touch k at frame/time and add one fragment. */
static enum dtls_frag_rc add(struct dtls_reasm *r, const struct flow_key *k, const struct dtls_frag *f,
                             uint64_t frame, ts_ns ts, struct dtls_msg *out)
{
    struct frame_ref at = { frame, ts };
    assert_true(dtls_reasm_touch(r, k, &at));
    return dtls_reasm_add(r, f, &at, out);
}

/* Five fragments of a 1000-byte Certificate, in all 120 orders: one
 * COMPLETE with the original bytes, at the last fragment, and a
 * retransmission of the flight afterwards is a duplicate. */
static void test_fragments_in_every_order_give_the_message_once(void **state)
{
    (void)state;
    static const uint32_t cut[6] = { 0, 121, 324, 527, 730, 1000 };
    int perm[5] = { 0, 1, 2, 3, 4 };
    size_t orders = 0;
    for (;;) {
        struct incomplete_rec inc = { 0 };
        struct dtls_reasm *r = dtls_reasm_new(&limits_default, on_incomplete, &inc);
        struct flow_key k = key(1, 4400, 5000);
        int complete = 0;
        for (int i = 0; i < 5; i++) {
            struct dtls_frag f = frag(11, 2, 1000, cut[perm[i]], cut[perm[i] + 1] - cut[perm[i]]);
            struct dtls_msg m;
            enum dtls_frag_rc rc = add(r, &k, &f, (uint64_t)i + 1, 1, &m);
            if (i < 4) {
                assert_int_equal(rc, DTLS_FRAG_HELD);
                continue;
            }
            assert_int_equal(rc, DTLS_FRAG_COMPLETE);
            assert_int_equal(m.type, 11);
            assert_int_equal(m.seq, 2);
            assert_int_equal(m.body.n, 1000);
            assert_memory_equal(m.body.p, msg, 1000);
            complete++;
        }
        assert_int_equal(complete, 1);
        assert_int_equal(dtls_reasm_stats(r)->held_bytes, 0);
        for (int i = 0; i < 5; i++) {
            struct dtls_frag f = frag(11, 2, 1000, cut[i], cut[i + 1] - cut[i]);
            struct dtls_msg m;
            assert_int_equal(add(r, &k, &f, 10, 2, &m), DTLS_FRAG_DUPLICATE);
        }
        dtls_reasm_free(r);
        assert_int_equal(inc.n, 0);
        orders++;
        if (!perm_next(perm, 5))
            break;
    }
    assert_int_equal(orders, 120);
}

/* Overlapping and repeated fragments, then the rest in a retransmission
 * cut differently: the message comes out once, byte for byte. */
static void test_overlaps_duplicates_and_refragmentation(void **state)
{
    (void)state;
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, NULL, NULL);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 200, 400); /* [200, 600) */
    assert_int_equal(add(r, &k, &f, 1, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 250, 100);                  /* inside it */
    assert_int_equal(add(r, &k, &f, 2, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 200, 400);                  /* the same again */
    assert_int_equal(add(r, &k, &f, 3, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 550, 300);                  /* overlaps the end: [550, 850) */
    assert_int_equal(add(r, &k, &f, 4, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 850, 0);                    /* empty */
    assert_int_equal(add(r, &k, &f, 5, 1, &m), DTLS_FRAG_HELD);
    /* retransmitted flight with other cuts: [0, 500) and [500, 1000) */
    f = frag(11, 2, 1000, 0, 500);
    assert_int_equal(add(r, &k, &f, 6, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 500, 500);
    assert_int_equal(add(r, &k, &f, 7, 1, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(m.body.n, 1000);
    assert_memory_equal(m.body.p, msg, 1000);
    f = frag(11, 2, 1000, 0, 1000);                   /* whole, later: already handed on */
    assert_int_equal(add(r, &k, &f, 8, 1, &m), DTLS_FRAG_DUPLICATE);
    dtls_reasm_free(r);
}

/* A whole message after some of its fragments completes it from the whole
 * copy, once; the fragments held are let go without an incomplete report. */
static void test_whole_retransmission_after_fragments(void **state)
{
    (void)state;
    struct incomplete_rec inc = { 0 };
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, on_incomplete, &inc);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 0, 300);
    assert_int_equal(add(r, &k, &f, 1, 1, &m), DTLS_FRAG_HELD);
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 1000);
    f = frag(11, 2, 1000, 0, 1000);
    assert_int_equal(add(r, &k, &f, 2, 1, &m), DTLS_FRAG_COMPLETE);
    assert_ptr_equal(m.body.p, msg); /* no copy */
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 0);
    f = frag(11, 2, 1000, 300, 700);
    assert_int_equal(add(r, &k, &f, 3, 1, &m), DTLS_FRAG_DUPLICATE);
    dtls_reasm_free(r);
    assert_int_equal(inc.n, 0);
}

/* A hole never completes: at the end the message is reported incomplete
 * with what arrived, from its sender, at its last fragment's frame. */
static void test_hole_is_reported_incomplete_at_the_end(void **state)
{
    (void)state;
    struct incomplete_rec inc = { 0 };
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, on_incomplete, &inc);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 0, 300);
    assert_int_equal(add(r, &k, &f, 6, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 1000, 600, 400);
    assert_int_equal(add(r, &k, &f, 9, 1, &m), DTLS_FRAG_HELD);
    dtls_reasm_flush(r);
    assert_int_equal(inc.n, 1);
    assert_int_equal(inc.type, 11);
    assert_int_equal(inc.have, 700);
    assert_int_equal(inc.len, 1000);
    assert_int_equal(inc.frame, 9);
    assert_true(flow_key_eq(&inc.from, &k));
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 0);
    dtls_reasm_flush(r);
    assert_int_equal(inc.n, 1); /* flushed already: not twice */
    dtls_reasm_free(r);
}

/* Fragments past their message, or unlike earlier ones of the same
 * message_seq, are refused; the message still completes from good ones. */
static void test_inconsistent_fragments_are_refused(void **state)
{
    (void)state;
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, NULL, NULL);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 900, 101); /* one byte past the end */
    assert_int_equal(add(r, &k, &f, 1, 1, &m), DTLS_FRAG_INVALID);
    f = frag(11, 2, 1000, 0, 0);
    f.off = 1001;                                      /* starts past the end */
    assert_int_equal(add(r, &k, &f, 1, 1, &m), DTLS_FRAG_INVALID);
    f = frag(11, 2, 1000, 0, 500);
    assert_int_equal(add(r, &k, &f, 2, 1, &m), DTLS_FRAG_HELD);
    f = frag(11, 2, 999, 500, 499);                    /* another length */
    assert_int_equal(add(r, &k, &f, 3, 1, &m), DTLS_FRAG_INVALID);
    f = frag(12, 2, 1000, 500, 500);                   /* another type */
    assert_int_equal(add(r, &k, &f, 4, 1, &m), DTLS_FRAG_INVALID);
    f = frag(11, 2, 1000, 500, 500);
    assert_int_equal(add(r, &k, &f, 5, 1, &m), DTLS_FRAG_COMPLETE);
    assert_memory_equal(m.body.p, msg, 1000);
    dtls_reasm_free(r);
}

/* Each direction of a connection numbers its own messages: the same
 * message_seq from the other side is another message. */
static void test_directions_are_reassembled_apart(void **state)
{
    (void)state;
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, NULL, NULL);
    struct flow_key c2s = key(1, 4400, 5000), s2c = flow_key_reverse(&c2s);
    struct dtls_msg m;
    struct dtls_frag a = frag(11, 2, 1000, 0, 500), b = frag(11, 2, 1000, 500, 500);
    assert_int_equal(add(r, &c2s, &a, 1, 1, &m), DTLS_FRAG_HELD);
    assert_int_equal(add(r, &s2c, &b, 2, 1, &m), DTLS_FRAG_HELD);
    assert_int_equal(dtls_reasm_stats(r)->conns_live, 1);
    assert_int_equal(add(r, &c2s, &b, 3, 1, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(add(r, &s2c, &a, 4, 1, &m), DTLS_FRAG_COMPLETE);
    /* the connection remembers who the client is, whichever way it is touched */
    struct frame_ref at = { 5, 1 };
    assert_true(dtls_reasm_touch(r, &c2s, &at));
    assert_int_equal(dtls_reasm_sender_is_client(r), -1);
    dtls_reasm_set_sender_is_client(r, true);
    assert_true(dtls_reasm_touch(r, &s2c, &at));
    assert_int_equal(dtls_reasm_sender_is_client(r), 0);
    assert_int_equal(dtls_reasm_first(r).frame, 1);
    dtls_reasm_free(r);
}

/* Whole messages are handed on once per (message_seq, type); a server that
 * reuses message_seq 0 for its ServerHello after a HelloVerifyRequest is
 * not retransmitting. A ClientHello at message_seq 0 after the client went
 * encrypted starts a new handshake. */
static void test_retransmissions_and_a_new_handshake(void **state)
{
    (void)state;
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, NULL, NULL);
    struct flow_key c2s = key(1, 4400, 5000), s2c = flow_key_reverse(&c2s);
    struct dtls_msg m;
    struct dtls_frag ch = frag(1, 0, 100, 0, 100), hvr = frag(3, 0, 20, 0, 20), sh = frag(2, 0, 50, 0, 50);
    assert_int_equal(add(r, &c2s, &ch, 1, 1, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(add(r, &c2s, &ch, 2, 1, &m), DTLS_FRAG_DUPLICATE);
    assert_int_equal(add(r, &s2c, &hvr, 3, 1, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(add(r, &s2c, &sh, 4, 1, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(add(r, &s2c, &sh, 5, 1, &m), DTLS_FRAG_DUPLICATE);
    struct frame_ref at = { 6, 1 };
    assert_true(dtls_reasm_touch(r, &c2s, &at));
    dtls_reasm_note_encrypted(r);
    assert_int_equal(dtls_reasm_add(r, &ch, &at, &m), DTLS_FRAG_COMPLETE);
    assert_int_equal(add(r, &s2c, &sh, 7, 1, &m), DTLS_FRAG_COMPLETE);
    /* message_seq far behind the newest handed on counts as seen */
    struct dtls_frag late = frag(11, 100, 10, 0, 10);
    assert_int_equal(add(r, &s2c, &late, 8, 1, &m), DTLS_FRAG_COMPLETE);
    late = frag(14, 20, 10, 0, 10);
    assert_int_equal(add(r, &s2c, &late, 9, 1, &m), DTLS_FRAG_DUPLICATE);
    dtls_reasm_free(r);
}

/* A message longer than dtls_msg_bytes_max is refused at its first
 * fragment; more holes than the range table holds are refused too. */
static void test_message_cap_and_too_many_holes(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.dtls_msg_bytes_max = 999;
    struct dtls_reasm *r = dtls_reasm_new(&lim, NULL, NULL);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 0, 100);
    assert_int_equal(add(r, &k, &f, 1, 1, &m), DTLS_FRAG_LIMIT);
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 0);
    f = frag(11, 3, 999, 0, 1);
    int limited = 0;
    for (uint32_t i = 0; i < 40; i++) {
        f = frag(11, 3, 999, i * 10, 1); /* 1 byte every 10: all disjoint */
        enum dtls_frag_rc rc = add(r, &k, &f, 2 + i, 1, &m);
        if (rc == DTLS_FRAG_LIMIT)
            limited++;
        else
            assert_int_equal(rc, DTLS_FRAG_HELD);
    }
    assert_int_equal(limited, 40 - 16);
    dtls_reasm_free(r);
}

/* With the global budget spent, the least recently seen connection loses
 * its partial message (reported) so a new one can be held; a fragment
 * that cannot fit even then is refused. */
static void test_global_budget_takes_from_the_oldest_connection(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.dtls_reasm_bytes_max = 1500;
    struct incomplete_rec inc = { 0 };
    struct dtls_reasm *r = dtls_reasm_new(&lim, on_incomplete, &inc);
    struct flow_key a = key(1, 4400, 5000), b = key(2, 4400, 5000);
    struct dtls_msg m;
    struct dtls_frag f = frag(11, 2, 1000, 0, 100);
    assert_int_equal(add(r, &a, &f, 1, 1, &m), DTLS_FRAG_HELD);
    assert_int_equal(add(r, &b, &f, 2, 1, &m), DTLS_FRAG_HELD);
    assert_int_equal(inc.n, 1);
    assert_true(flow_key_eq(&inc.from, &a));
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 1000);
    /* b's own second message does not fit and b is not taken from itself */
    struct dtls_frag g = frag(12, 3, 1000, 0, 100);
    assert_int_equal(add(r, &b, &g, 3, 1, &m), DTLS_FRAG_LIMIT);
    f = frag(11, 2, 1000, 100, 900);
    assert_int_equal(add(r, &b, &f, 4, 1, &m), DTLS_FRAG_COMPLETE);
    dtls_reasm_free(r);
}

/* Past dtls_conns_max the least recently seen connection is evicted; an
 * idle connection is forgotten after dtls_idle_ms of capture time. Both
 * report their partial messages. */
static void test_connection_cap_and_idle_timeout(void **state)
{
    (void)state;
    struct limits lim = limits_default;
    lim.dtls_conns_max = 2;
    lim.dtls_idle_ms = 1000;
    struct incomplete_rec inc = { 0 };
    struct dtls_reasm *r = dtls_reasm_new(&lim, on_incomplete, &inc);
    struct flow_key a = key(1, 4400, 5000), b = key(2, 4400, 5000), c = key(3, 4400, 5000);
    struct dtls_msg m;
    const ts_ns ms = 1000000;
    struct dtls_frag f = frag(11, 2, 1000, 0, 100);
    assert_int_equal(add(r, &a, &f, 1, 0, &m), DTLS_FRAG_HELD);
    assert_int_equal(add(r, &b, &f, 2, 10 * ms, &m), DTLS_FRAG_HELD);
    assert_int_equal(add(r, &a, &f, 3, 20 * ms, &m), DTLS_FRAG_HELD); /* a is now the most recent */
    assert_int_equal(add(r, &c, &f, 4, 30 * ms, &m), DTLS_FRAG_HELD); /* evicts b */
    assert_int_equal(inc.n, 1);
    assert_true(flow_key_eq(&inc.from, &b));
    assert_int_equal(dtls_reasm_stats(r)->evicted, 1);
    assert_int_equal(dtls_reasm_stats(r)->conns_live, 2);
    assert_int_equal(add(r, &c, &f, 5, 900 * ms, &m), DTLS_FRAG_HELD);
    /* at 1.1 s a (last seen at 20 ms) is idle and goes; c (900 ms) stays */
    assert_int_equal(add(r, &c, &f, 6, 1100 * ms, &m), DTLS_FRAG_HELD);
    assert_int_equal(inc.n, 2);
    assert_true(flow_key_eq(&inc.from, &a));
    assert_int_equal(dtls_reasm_stats(r)->expired, 1);
    assert_int_equal(dtls_reasm_stats(r)->conns_live, 1);
    assert_int_equal(dtls_reasm_stats(r)->held_bytes, 1000);
    dtls_reasm_flush(r);
    assert_int_equal(inc.n, 3); /* c's partial message at the end */
    dtls_reasm_free(r);
}

/* More messages in progress than a sender's slots: the least recently
 * added-to is dropped (reported), the newest is kept. */
static void test_pending_slots_drop_the_stalest(void **state)
{
    (void)state;
    struct incomplete_rec inc = { 0 };
    struct dtls_reasm *r = dtls_reasm_new(&limits_default, on_incomplete, &inc);
    struct flow_key k = key(1, 4400, 5000);
    struct dtls_msg m;
    for (uint16_t seq = 1; seq <= 5; seq++) {
        struct dtls_frag f = frag(11, seq, 1000, 0, 10);
        assert_int_equal(add(r, &k, &f, seq, 1, &m), DTLS_FRAG_HELD);
    }
    assert_int_equal(inc.n, 1);
    assert_int_equal(inc.frame, 1);
    struct dtls_frag f = frag(11, 5, 1000, 10, 990);
    assert_int_equal(add(r, &k, &f, 6, 1, &m), DTLS_FRAG_COMPLETE);
    dtls_reasm_flush(r);
    assert_int_equal(inc.n, 4);
    dtls_reasm_free(r);
    assert_int_equal(inc.n, 4); /* free reports nothing more */
}

int main(void)
{
    fill_msg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fragments_in_every_order_give_the_message_once),
        cmocka_unit_test(test_overlaps_duplicates_and_refragmentation),
        cmocka_unit_test(test_whole_retransmission_after_fragments),
        cmocka_unit_test(test_hole_is_reported_incomplete_at_the_end),
        cmocka_unit_test(test_inconsistent_fragments_are_refused),
        cmocka_unit_test(test_directions_are_reassembled_apart),
        cmocka_unit_test(test_retransmissions_and_a_new_handshake),
        cmocka_unit_test(test_message_cap_and_too_many_holes),
        cmocka_unit_test(test_global_budget_takes_from_the_oldest_connection),
        cmocka_unit_test(test_connection_cap_and_idle_timeout),
        cmocka_unit_test(test_pending_slots_drop_the_stalest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
