/* test_cursor.c: the bounds-checked reader every parser relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cursor.h"

static void cursor_reads_big_and_little_endian(void **state)
{
    (void)state;
    const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b };
    struct cur c = cur_make(b, sizeof b);
    assert_int_equal(cur_u8(&c), 0x01);
    assert_int_equal(cur_be16(&c), 0x0203);
    assert_int_equal(cur_be24(&c), 0x040506);
    assert_int_equal(cur_le16(&c), 0x0807);
    assert_int_equal(cur_be16(&c), 0x090a);
    assert_int_equal(cur_left(&c), 1);
    assert_true(cur_ok(&c));
}

static void cursor_short_read_latches_and_returns_zero(void **state)
{
    (void)state;
    const uint8_t b[] = { 0xff, 0xff, 0xff };
    struct cur c = cur_make(b, sizeof b);
    assert_int_equal(cur_be32(&c), 0);
    assert_false(cur_ok(&c));
    /* Nothing moved, and later reads that would fit still give 0. */
    assert_int_equal(cur_left(&c), 3);
    assert_int_equal(cur_u8(&c), 0);
    assert_false(cur_skip(&c, 1));
}

static void cursor_take_bounds_the_child(void **state)
{
    (void)state;
    const uint8_t b[] = { 0, 3, 'a', 'b', 'c', 'X' };
    struct cur c = cur_make(b, sizeof b);
    struct cur child = cur_take(&c, cur_be16(&c));
    assert_int_equal(cur_left(&child), 3);
    cur_skip(&child, 3);
    assert_int_equal(cur_u8(&child), 0); /* cannot read the 'X' beyond */
    assert_false(cur_ok(&child));
    assert_true(cur_ok(&c));
    assert_int_equal(cur_u8(&c), 'X');
}

static void cursor_take_too_much_marks_parent(void **state)
{
    (void)state;
    const uint8_t b[] = { 1, 2 };
    struct cur c = cur_make(b, sizeof b);
    struct cur child = cur_take(&c, 3);
    assert_false(cur_ok(&c));
    assert_false(cur_ok(&child));
    assert_int_equal(cur_left(&child), 0);
}

static void cursor_huge_skip_does_not_overflow(void **state)
{
    (void)state;
    const uint8_t b[] = { 1, 2, 3 };
    struct cur c = cur_make(b, sizeof b);
    assert_false(cur_skip(&c, SIZE_MAX));
    assert_false(cur_ok(&c));
}

static void cursor_line_splits_crlf_and_lf(void **state)
{
    (void)state;
    const char *t = "INVITE sip:a@b SIP/2.0\r\nVia: x\nrest";
    struct cur c = cur_make(t, strlen(t));
    struct span line;
    assert_true(cur_line(&c, &line, 100));
    assert_true(span_eq(line, "INVITE sip:a@b SIP/2.0"));
    assert_true(cur_line(&c, &line, 100));
    assert_true(span_eq(line, "Via: x"));
    assert_false(cur_line(&c, &line, 100)); /* no terminator: wait for more */
    assert_true(cur_ok(&c));
    assert_int_equal(cur_left(&c), 4);
}

static void cursor_line_refuses_overlong_line(void **state)
{
    (void)state;
    const char *t = "0123456789\r\n";
    struct cur c = cur_make(t, strlen(t));
    struct span line;
    assert_false(cur_line(&c, &line, 5));
    assert_int_equal(cur_left(&c), strlen(t));
}

static void span_numbers_parse_strictly(void **state)
{
    (void)state;
    uint64_t v = 0;
    struct span ok = { (const uint8_t *)"1234", 4 };
    assert_true(span_to_u64(ok, 65535, &v));
    assert_int_equal(v, 1234);
    struct span sign = { (const uint8_t *)"-1", 2 };
    assert_false(span_to_u64(sign, 65535, &v));
    struct span space = { (const uint8_t *)"12 ", 3 };
    assert_false(span_to_u64(space, 65535, &v));
    struct span big = { (const uint8_t *)"65536", 5 };
    assert_false(span_to_u64(big, 65535, &v));
    struct span huge = { (const uint8_t *)"99999999999999999999", 20 };
    assert_false(span_to_u64(huge, UINT64_MAX, &v));
    struct span empty = { (const uint8_t *)"", 0 };
    assert_false(span_to_u64(empty, 10, &v));
}

static void span_case_insensitive_compare(void **state)
{
    (void)state;
    struct span s = { (const uint8_t *)"Content-Length", 14 };
    assert_true(span_case_eq(s, "content-length"));
    assert_false(span_case_eq(s, "content-lengt"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_reads_big_and_little_endian),
        cmocka_unit_test(cursor_short_read_latches_and_returns_zero),
        cmocka_unit_test(cursor_take_bounds_the_child),
        cmocka_unit_test(cursor_take_too_much_marks_parent),
        cmocka_unit_test(cursor_huge_skip_does_not_overflow),
        cmocka_unit_test(cursor_line_splits_crlf_and_lf),
        cmocka_unit_test(cursor_line_refuses_overlong_line),
        cmocka_unit_test(span_numbers_parse_strictly),
        cmocka_unit_test(span_case_insensitive_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
