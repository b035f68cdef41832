/* test_capture_loss.c: capture-drop windows: kept in order, merged up to 1 s, found by overlap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "capture_loss.h"

static const ts_ns S = 1000000000;

static void drops_are_found_where_they_overlap(void **state)
{
    (void)state;
    struct capture_loss *cl = malloc(sizeof *cl);
    capture_loss_init(cl);
    uint64_t k, i;
    capture_loss_between(cl, 0, 100 * S, &k, &i);
    assert_int_equal(k + i, 0);
    capture_loss_add(cl, 10 * S, 11 * S, 5, 1);
    capture_loss_add(cl, 20 * S, 21 * S, 7, 0);
    capture_loss_add(cl, 30 * S, 30 * S, 0, 0); /* nothing lost: no window */
    capture_loss_between(cl, 0, 9 * S, &k, &i);
    assert_int_equal(k + i, 0);
    capture_loss_between(cl, 10 * S + S / 2, 15 * S, &k, &i);
    assert_int_equal(k, 5);
    assert_int_equal(i, 1);
    capture_loss_between(cl, 0, 100 * S, &k, &i);
    assert_int_equal(k, 12);
    capture_loss_between(cl, 21 * S + 1, 100 * S, &k, &i);
    assert_int_equal(k, 0);
    assert_int_equal(cl->total_kernel, 12);
    free(cl);
}

static void adjacent_windows_merge_and_the_ring_forgets_the_oldest(void **state)
{
    (void)state;
    struct capture_loss *cl = malloc(sizeof *cl);
    capture_loss_init(cl);
    /* 0.2 s ticks, each with drops: merged into windows of at most 1 s */
    for (int t = 0; t < 50; t++)
        capture_loss_add(cl, t * S / 5, (t + 1) * S / 5, 1, 0);
    assert_true(cl->n >= 10 && cl->n <= 11);
    uint64_t k, i;
    capture_loss_between(cl, 0, 10 * S, &k, &i);
    assert_int_equal(k, 50);
    /* far more separate windows than the ring holds: totals stay exact, old ones go */
    for (int t = 0; t < CAPTURE_LOSS_WINDOWS + 10; t++)
        capture_loss_add(cl, (100 + 2 * t) * S, (101 + 2 * t) * S, 2, 0);
    assert_int_equal(cl->n, CAPTURE_LOSS_WINDOWS);
    assert_int_equal(cl->total_kernel, 50 + 2 * (CAPTURE_LOSS_WINDOWS + 10));
    capture_loss_between(cl, 0, 10 * S, &k, &i);
    assert_int_equal(k, 0);
    capture_loss_between(cl, (100 + 2 * (CAPTURE_LOSS_WINDOWS + 9)) * S, 1000000 * S, &k, &i);
    assert_int_equal(k, 2);
    free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drops_are_found_where_they_overlap),
        cmocka_unit_test(adjacent_windows_merge_and_the_ring_forgets_the_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
