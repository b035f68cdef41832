/* test_ipfrag.c: IPv4/IPv6 fragment reassembly (capture/ipfrag.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ipfrag.h"

#define MS 1000000LL /* ns per ms */
#define T0 ((ts_ns)1700000000LL * 1000 * MS)

enum { PAYLOAD_MAX = 4000 };

struct fx {
    struct limits lim;
    struct mem_acct acct;
    struct ipfrag_table *t;
    uint8_t payload[PAYLOAD_MAX];
};

static struct fx *fx_new(uint32_t max, uint32_t timeout_ms, uint32_t bytes_max, uint64_t memcap)
{
    static struct fx f;
    memset(&f, 0, sizeof f);
    f.lim = limits_default;
    f.lim.ipfrag_max = max;
    f.lim.ipfrag_timeout_ms = timeout_ms;
    f.lim.ipfrag_bytes_max = bytes_max;
    mem_acct_init(&f.acct, memcap);
    f.t = ipfrag_new(&f.lim, &f.acct);
    assert_non_null(f.t);
    for (size_t i = 0; i < PAYLOAD_MAX; i++)
        f.payload[i] = (uint8_t)(i * 7 + (i >> 8));
    return &f;
}

static struct fx *fx_default(void)
{
    return fx_new(64, 1000, 65535 + 40, 1u << 20);
}

/* Freeing must give back every accounted byte. */
static void fx_free(struct fx *f)
{
    ipfrag_free(f->t);
    assert_int_equal(f->acct.used, 0);
}

static struct ipfrag_key v4key(uint32_t id)
{
    struct ipfrag_key k;
    memset(&k, 0, sizeof k);
    k.src.family = k.dst.family = 4;
    memcpy(k.src.b, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
    memcpy(k.dst.b, (const uint8_t[]){ 10, 0, 0, 2 }, 4);
    k.id = id;
    k.proto = 17;
    return k;
}

static struct ipfrag_key v6key(uint32_t id)
{
    struct ipfrag_key k;
    memset(&k, 0, sizeof k);
    k.src.family = k.dst.family = 6;
    k.src.b[0] = k.dst.b[0] = 0x20;
    k.src.b[1] = k.dst.b[1] = 0x01;
    k.src.b[15] = 1;
    k.dst.b[15] = 2;
    k.id = id;
    k.proto = 17;
    return k;
}

/* Payload bytes [off, off+n) of f->payload as one fragment. */
static enum ipfrag_rc add(struct fx *f, const struct ipfrag_key *k, uint32_t off, uint32_t n,
                          bool more, ts_ns now, struct span *out)
{
    return ipfrag_add(f->t, k, off, more, f->payload + off, n, now, out);
}

static void ipfrag_reassembles_in_order_fragments(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(1);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_null(out.p);
    assert_int_equal(add(f, &k, 1480, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_pending(f->t), 1);
    assert_int_equal(add(f, &k, 2960, 40, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 3000);
    assert_memory_equal(out.p, f->payload, 3000);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_int_equal(ipfrag_stats(f->t)->reassembled, 1);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 0);
    fx_free(f);
}

static void ipfrag_reassembles_reverse_order_fragments(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(2);
    struct span out;
    assert_int_equal(add(f, &k, 2960, 41, false, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 1480, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 3001);
    assert_memory_equal(out.p, f->payload, 3001);
    assert_int_equal(ipfrag_pending(f->t), 0);
    fx_free(f);
}

static void ipfrag_overlap_keeps_first_copy_and_counts_it(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(3);
    struct span out;
    uint8_t evil[64];
    memset(evil, 'X', sizeof evil);
    assert_int_equal(add(f, &k, 0, 32, true, T0, &out), IPFRAG_HELD);
    /* Rewrites bytes 16..31 (already held) and brings new bytes 32..79. */
    assert_int_equal(ipfrag_add(f->t, &k, 16, true, evil, 64, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 1);
    assert_int_equal(add(f, &k, 80, 20, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 100);
    assert_memory_equal(out.p, f->payload, 32);            /* first copy won */
    assert_memory_equal((const uint8_t *)out.p + 32, evil, 48); /* only source of 32..79 */
    assert_memory_equal((const uint8_t *)out.p + 80, f->payload + 80, 20);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 1);
    fx_free(f);
}

static void ipfrag_duplicate_fragment_is_held_and_counted_once(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(4);
    struct span out;
    assert_int_equal(add(f, &k, 0, 800, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 0, 800, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 1);
    assert_int_equal(ipfrag_pending(f->t), 1);
    assert_int_equal(add(f, &k, 800, 10, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 810);
    assert_memory_equal(out.p, f->payload, 810);
    assert_int_equal(ipfrag_stats(f->t)->reassembled, 1);
    fx_free(f);
}

static void ipfrag_duplicate_last_fragment_with_other_total_drops_datagram(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(5);
    struct span out;
    assert_int_equal(add(f, &k, 800, 100, false, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 800, 60, false, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->invalid, 1);
    assert_int_equal(ipfrag_pending(f->t), 0);
    /* The datagram is gone: the first part alone does not complete anything. */
    assert_int_equal(add(f, &k, 0, 800, true, T0, &out), IPFRAG_HELD);
    fx_free(f);
}

static void ipfrag_data_past_known_total_drops_datagram(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(6);
    struct span out;
    assert_int_equal(add(f, &k, 800, 4, false, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 800, 16, true, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->invalid, 1);
    assert_int_equal(ipfrag_pending(f->t), 0);
    /* And a last fragment ending before data already held. */
    assert_int_equal(add(f, &k, 0, 1600, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 800, 4, false, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->invalid, 2);
    assert_int_equal(ipfrag_pending(f->t), 0);
    fx_free(f);
}

static void ipfrag_missing_fragment_times_out_in_capture_time(void **state)
{
    (void)state;
    struct fx *f = fx_default(); /* timeout 1000 ms */
    struct ipfrag_key k = v4key(7);
    struct span out;
    assert_int_equal(add(f, &k, 0, 800, true, T0, &out), IPFRAG_HELD);
    ipfrag_expire(f->t, T0 + 1000 * MS); /* exactly the timeout: not older yet */
    assert_int_equal(ipfrag_pending(f->t), 1);
    assert_int_equal(ipfrag_stats(f->t)->timed_out, 0);
    ipfrag_expire(f->t, T0 + 1000 * MS + 1);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_int_equal(ipfrag_stats(f->t)->timed_out, 1);
    assert_int_equal(f->acct.used, 0);
    /* The late tail starts a new datagram instead of completing the dead one. */
    assert_int_equal(add(f, &k, 800, 8, false, T0 + 2000 * MS, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_pending(f->t), 1);
    fx_free(f);
}

static void ipfrag_add_expires_old_datagrams_as_a_side_effect(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key a = v4key(8), b = v4key(9);
    struct span out;
    assert_int_equal(add(f, &a, 0, 800, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &a, 800, 8, false, T0 + 1001 * MS, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->timed_out, 1);
    assert_int_equal(add(f, &b, 0, 8, true, T0 + 2500 * MS, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->timed_out, 2);
    assert_int_equal(ipfrag_pending(f->t), 1);
    fx_free(f);
}

static void ipfrag_stale_datagram_is_not_completed_past_the_expiry_budget(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct span out;
    /* More stale datagrams than one call expires, the wanted one last. */
    for (uint32_t id = 0; id < 20; id++) {
        struct ipfrag_key k = v4key(id);
        assert_int_equal(add(f, &k, 0, 8, true, T0, &out), IPFRAG_HELD);
    }
    struct ipfrag_key last = v4key(19);
    assert_int_equal(add(f, &last, 8, 8, false, T0 + 1001 * MS, &out), IPFRAG_HELD);
    assert_true(ipfrag_stats(f->t)->timed_out < 20); /* the budget held */
    ipfrag_expire(f->t, T0 + 1001 * MS);
    assert_int_equal(ipfrag_stats(f->t)->timed_out, 20);
    assert_int_equal(ipfrag_pending(f->t), 1); /* the tail, born at T0 + 1001 ms */
    fx_free(f);
}

static void ipfrag_full_table_evicts_the_oldest(void **state)
{
    (void)state;
    struct fx *f = fx_new(3, 1000, 65575, 1u << 20);
    struct span out;
    for (uint32_t id = 1; id <= 4; id++) {
        struct ipfrag_key k = v4key(id);
        assert_int_equal(add(f, &k, 0, 16, true, T0 + id, &out), IPFRAG_HELD);
    }
    assert_int_equal(ipfrag_pending(f->t), 3);
    assert_int_equal(ipfrag_stats(f->t)->evicted, 1);
    struct ipfrag_key k3 = v4key(3), k1 = v4key(1);
    /* 3 survived; 1 did not, so its tail starts a new datagram. */
    assert_int_equal(add(f, &k3, 16, 4, false, T0 + 10, &out), IPFRAG_DONE);
    assert_memory_equal(out.p, f->payload, 20);
    assert_int_equal(add(f, &k1, 16, 4, false, T0 + 11, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->evicted, 1); /* 3 freed a slot */
    struct ipfrag_key k5 = v4key(5);
    assert_int_equal(add(f, &k5, 0, 8, true, T0 + 12, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_stats(f->t)->evicted, 2);
    struct ipfrag_key k2 = v4key(2);
    assert_int_equal(add(f, &k2, 16, 4, false, T0 + 13, &out), IPFRAG_HELD); /* 2 was evicted */
    fx_free(f);
}

static void ipfrag_too_large_datagram_is_dropped_whole(void **state)
{
    (void)state;
    struct fx *f = fx_new(64, 1000, 2000, 1u << 20);
    struct ipfrag_key k = v4key(10);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 1480, 1480, false, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->too_large, 1);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_int_equal(f->acct.used, 0);
    /* Exactly bytes_max is fine. */
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 1480, 520, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 2000);
    fx_free(f);
}

static void ipfrag_offset_plus_length_overflow_is_too_large(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(11);
    struct span out;
    static uint8_t b[70000];
    /* 0xfffffff8 + 16 wraps to 8 in 32 bits. */
    assert_int_equal(ipfrag_add(f->t, &k, UINT32_MAX - 7, false, b, 16, T0, &out), IPFRAG_DROPPED);
    /* Longer than any datagram on its own. */
    assert_int_equal(ipfrag_add(f->t, &k, 8, true, b, sizeof b, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->too_large, 2);
    assert_int_equal(ipfrag_pending(f->t), 0);
    fx_free(f);
}

static void ipfrag_middle_fragment_not_multiple_of_8_is_invalid(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(12);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 1480, 1001, true, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_stats(f->t)->invalid, 1);
    /* Only that fragment went: the datagram still completes. */
    assert_int_equal(ipfrag_pending(f->t), 1);
    assert_int_equal(add(f, &k, 1480, 1000, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 2480);
    assert_memory_equal(out.p, f->payload, 2480);
    fx_free(f);
}

static void ipfrag_unaligned_offset_is_invalid(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(13);
    struct span out;
    assert_int_equal(add(f, &k, 4, 8, true, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(add(f, &k, 8, 0, true, T0, &out), IPFRAG_DROPPED); /* empty, not last */
    assert_int_equal(ipfrag_stats(f->t)->invalid, 2);
    assert_int_equal(ipfrag_pending(f->t), 0);
    fx_free(f);
}

static void ipfrag_interleaved_datagrams_reassemble_separately(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key a = v4key(100), b = v4key(101);
    uint8_t pb[1000];
    for (size_t i = 0; i < sizeof pb; i++)
        pb[i] = (uint8_t)~f->payload[i];
    struct span out;
    assert_int_equal(add(f, &a, 0, 496, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_add(f->t, &b, 496, false, pb + 496, 504, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_add(f->t, &b, 0, true, pb, 496, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 1000);
    assert_memory_equal(out.p, pb, 1000);
    assert_int_equal(add(f, &a, 496, 504, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(out.n, 1000);
    assert_memory_equal(out.p, f->payload, 1000);
    assert_int_equal(ipfrag_stats(f->t)->reassembled, 2);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 0);
    fx_free(f);
}

static void ipfrag_ipv6_key_uses_all_32_id_bits(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    /* Same low 16 bits: an IPv4-width key would merge them. */
    struct ipfrag_key a = v6key(0x12345678u), b = v6key(0x00005678u);
    uint8_t pb[100];
    memset(pb, 0xee, sizeof pb);
    struct span out;
    assert_int_equal(add(f, &a, 0, 48, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_add(f->t, &b, 0, true, pb, 48, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_pending(f->t), 2);
    assert_int_equal(add(f, &a, 48, 52, false, T0, &out), IPFRAG_DONE);
    assert_memory_equal(out.p, f->payload, 100);
    assert_int_equal(ipfrag_stats(f->t)->overlaps, 0);
    /* And an IPv4 key with the same address bytes and id is yet another datagram. */
    struct ipfrag_key c = b;
    c.src.family = c.dst.family = 4;
    assert_int_equal(ipfrag_add(f->t, &c, 48, false, pb + 48, 52, T0, &out), IPFRAG_HELD);
    assert_int_equal(ipfrag_add(f->t, &b, 48, false, pb + 48, 52, T0, &out), IPFRAG_DONE);
    assert_memory_equal(out.p, pb, 100);
    fx_free(f);
}

static void ipfrag_memcap_refusal_drops_datagram(void **state)
{
    (void)state;
    struct fx *f = fx_new(64, 1000, 65575, 64);
    struct ipfrag_key k = v4key(14);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_true(f->acct.refused > 0);
    assert_int_equal(f->acct.used, 0);
    /* Small fragments fit. */
    assert_int_equal(add(f, &k, 0, 16, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 16, 8, false, T0, &out), IPFRAG_DONE);
    assert_memory_equal(out.p, f->payload, 24);
    fx_free(f);
}

static void ipfrag_memcap_refusal_on_growth_drops_datagram(void **state)
{
    (void)state;
    struct fx *f = fx_new(64, 1000, 65575, 2000);
    struct ipfrag_key k = v4key(15);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_true(f->acct.used > 0);
    assert_int_equal(add(f, &k, 1480, 1480, true, T0, &out), IPFRAG_DROPPED);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_int_equal(f->acct.used, 0);
    fx_free(f);
}

static void ipfrag_unfragmented_payload_passes_through(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(16);
    struct span out;
    assert_int_equal(add(f, &k, 0, 77, false, T0, &out), IPFRAG_DONE);
    assert_ptr_equal(out.p, f->payload);
    assert_int_equal(out.n, 77);
    assert_int_equal(ipfrag_pending(f->t), 0);
    fx_free(f);
}

static void ipfrag_accepts_one_span_as_input_and_output(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(17);
    struct span s = { f->payload, 64 };
    assert_int_equal(ipfrag_add(f->t, &k, 0, true, s.p, s.n, T0, &s), IPFRAG_HELD);
    s.p = f->payload + 64;
    s.n = 36;
    assert_int_equal(ipfrag_add(f->t, &k, 64, false, s.p, s.n, T0, &s), IPFRAG_DONE);
    assert_int_equal(s.n, 100);
    assert_memory_equal(s.p, f->payload, 100);
    fx_free(f);
}

static void ipfrag_done_buffer_is_freed_on_the_next_call(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct ipfrag_key k = v4key(18);
    struct span out;
    assert_int_equal(add(f, &k, 0, 1480, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 1480, 20, false, T0, &out), IPFRAG_DONE);
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_true(f->acct.used >= 1500); /* still owned for the caller */
    ipfrag_expire(f->t, T0);
    assert_int_equal(f->acct.used, 0);
    fx_free(f);
}

static void ipfrag_many_pending_datagrams_are_found_by_key(void **state)
{
    (void)state;
    struct fx *f = fx_new(1000, 1000, 65575, 16u << 20);
    struct span out;
    for (uint32_t id = 0; id < 1000; id++) {
        struct ipfrag_key k = v4key(id);
        k.src.b[3] = (uint8_t)id;
        assert_int_equal(add(f, &k, 0, 8 + 8 * (id % 50), true, T0, &out), IPFRAG_HELD);
    }
    assert_int_equal(ipfrag_pending(f->t), 1000);
    for (uint32_t i = 1000; i-- > 0;) {
        struct ipfrag_key k = v4key(i);
        k.src.b[3] = (uint8_t)i;
        uint32_t off = 8 + 8 * (i % 50);
        assert_int_equal(add(f, &k, off, 5, false, T0, &out), IPFRAG_DONE);
        assert_int_equal(out.n, off + 5);
        assert_memory_equal(out.p, f->payload, off + 5);
    }
    assert_int_equal(ipfrag_pending(f->t), 0);
    assert_int_equal(ipfrag_stats(f->t)->evicted, 0);
    fx_free(f);
}

/* splitmix64 as a test PRNG: deterministic across platforms. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(rng_next(s) % n);
}

struct frag {
    uint32_t off, len;
    bool more;
};

static void ipfrag_random_fragmentations_rebuild_the_payload(void **state)
{
    (void)state;
    enum { TOTAL = 3000, FRAGS_MAX = 600 };
    struct fx *f = fx_default();
    uint64_t seed = 0x5eed1234abcdULL;
    static struct frag frags[FRAGS_MAX];
    for (uint32_t round = 0; round < 300; round++) {
        struct ipfrag_key k = v4key(round);
        uint32_t nf = 0;
        /* A partition into 8-byte-aligned pieces ... */
        for (uint32_t off = 0; off < TOTAL;) {
            uint32_t len = 8 * (1 + rng_below(&seed, 185)); /* 8..1480 */
            if (len >= TOTAL - off)
                len = TOTAL - off;
            frags[nf++] = (struct frag){ off, len, off + len < TOTAL };
            off += len;
        }
        /* ... plus overlapping copies and duplicates of the same bytes. */
        uint32_t extra = rng_below(&seed, 6);
        for (uint32_t e = 0; e < extra; e++) {
            uint32_t off = 8 * rng_below(&seed, TOTAL / 8);
            uint32_t len = 8 * (1 + rng_below(&seed, 100));
            bool more = true;
            if (len >= TOTAL - off) {
                len = TOTAL - off;
                more = false;
            }
            frags[nf++] = (struct frag){ off, len, more };
        }
        for (uint32_t i = nf; i > 1; i--) {
            uint32_t j = rng_below(&seed, i);
            struct frag tmp = frags[i - 1];
            frags[i - 1] = frags[j];
            frags[j] = tmp;
        }
        /* Independent model of coverage: DONE exactly when all bytes are in. */
        static bool covered[TOTAL];
        memset(covered, 0, sizeof covered);
        uint32_t have = 0;
        bool done = false;
        ts_ns now = T0 + (ts_ns)round * MS;
        for (uint32_t i = 0; i < nf && !done; i++) {
            for (uint32_t b = frags[i].off; b < frags[i].off + frags[i].len; b++)
                if (!covered[b]) {
                    covered[b] = true;
                    have++;
                }
            struct span out;
            enum ipfrag_rc rc = add(f, &k, frags[i].off, frags[i].len, frags[i].more, now, &out);
            if (have < TOTAL) {
                assert_int_equal(rc, IPFRAG_HELD);
                continue;
            }
            assert_int_equal(rc, IPFRAG_DONE);
            assert_int_equal(out.n, TOTAL);
            assert_memory_equal(out.p, f->payload, TOTAL);
            done = true;
        }
        assert_true(done);
        assert_int_equal(ipfrag_pending(f->t), 0);
    }
    assert_int_equal(ipfrag_stats(f->t)->reassembled, 300);
    assert_int_equal(ipfrag_stats(f->t)->invalid, 0);
    fx_free(f);
}

static void ipfrag_hostile_random_fragments_stay_within_caps(void **state)
{
    (void)state;
    struct fx *f = fx_new(8, 1000, 3000, 16000);
    uint64_t seed = 0xbadf00dULL;
    static uint8_t junk[4000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rng_next(&seed);
    for (uint32_t i = 0; i < 20000; i++) {
        struct ipfrag_key k = v4key(rng_below(&seed, 12));
        uint32_t off = rng_below(&seed, 4) == 0 ? rng_below(&seed, 4000) : 8 * rng_below(&seed, 400);
        uint32_t n = rng_below(&seed, 2) ? 8 * rng_below(&seed, 200) : rng_below(&seed, 1600);
        if (n > sizeof junk)
            n = sizeof junk;
        struct span out;
        ts_ns now = T0 + (ts_ns)i * 10 * MS;
        enum ipfrag_rc rc = ipfrag_add(f->t, &k, off, rng_below(&seed, 3) != 0, junk, n, now, &out);
        if (rc == IPFRAG_DONE)
            assert_true(out.n <= 3000 || (off == 0 && out.n == n));
        else
            assert_null(out.p);
        assert_true(ipfrag_pending(f->t) <= 8);
        assert_true(f->acct.used <= f->acct.cap);
    }
    const struct ipfrag_stats *s = ipfrag_stats(f->t);
    /* Each path ran at least once, or the test proves little. */
    assert_true(s->reassembled > 0 && s->timed_out > 0 && s->evicted > 0);
    assert_true(s->too_large > 0 && s->overlaps > 0 && s->invalid > 0 && f->acct.refused > 0);
    fx_free(f);
}

static void ipfrag_free_returns_all_accounted_memory(void **state)
{
    (void)state;
    struct fx *f = fx_default();
    struct span out;
    for (uint32_t id = 0; id < 10; id++) {
        struct ipfrag_key k = v4key(id);
        assert_int_equal(add(f, &k, 1480, 1480, true, T0, &out), IPFRAG_HELD);
    }
    struct ipfrag_key k = v4key(99);
    assert_int_equal(add(f, &k, 0, 8, true, T0, &out), IPFRAG_HELD);
    assert_int_equal(add(f, &k, 8, 8, false, T0, &out), IPFRAG_DONE); /* a DONE buffer is live */
    assert_true(f->acct.used >= 10 * 2960);
    fx_free(f); /* asserts used == 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipfrag_reassembles_in_order_fragments),
        cmocka_unit_test(ipfrag_reassembles_reverse_order_fragments),
        cmocka_unit_test(ipfrag_overlap_keeps_first_copy_and_counts_it),
        cmocka_unit_test(ipfrag_duplicate_fragment_is_held_and_counted_once),
        cmocka_unit_test(ipfrag_duplicate_last_fragment_with_other_total_drops_datagram),
        cmocka_unit_test(ipfrag_data_past_known_total_drops_datagram),
        cmocka_unit_test(ipfrag_missing_fragment_times_out_in_capture_time),
        cmocka_unit_test(ipfrag_add_expires_old_datagrams_as_a_side_effect),
        cmocka_unit_test(ipfrag_stale_datagram_is_not_completed_past_the_expiry_budget),
        cmocka_unit_test(ipfrag_full_table_evicts_the_oldest),
        cmocka_unit_test(ipfrag_too_large_datagram_is_dropped_whole),
        cmocka_unit_test(ipfrag_offset_plus_length_overflow_is_too_large),
        cmocka_unit_test(ipfrag_middle_fragment_not_multiple_of_8_is_invalid),
        cmocka_unit_test(ipfrag_unaligned_offset_is_invalid),
        cmocka_unit_test(ipfrag_interleaved_datagrams_reassemble_separately),
        cmocka_unit_test(ipfrag_ipv6_key_uses_all_32_id_bits),
        cmocka_unit_test(ipfrag_memcap_refusal_drops_datagram),
        cmocka_unit_test(ipfrag_memcap_refusal_on_growth_drops_datagram),
        cmocka_unit_test(ipfrag_unfragmented_payload_passes_through),
        cmocka_unit_test(ipfrag_accepts_one_span_as_input_and_output),
        cmocka_unit_test(ipfrag_done_buffer_is_freed_on_the_next_call),
        cmocka_unit_test(ipfrag_many_pending_datagrams_are_found_by_key),
        cmocka_unit_test(ipfrag_random_fragmentations_rebuild_the_payload),
        cmocka_unit_test(ipfrag_hostile_random_fragments_stay_within_caps),
        cmocka_unit_test(ipfrag_free_returns_all_accounted_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
