/* test_json_writer.c: the report's JSON is valid and escapes hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_writer.h"

static char *render(void (*fn)(struct jw *), bool pretty)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct jw w;
    jw_init(&w, f, pretty);
    fn(&w);
    fclose(f);
    return buf;
}

static void nested(struct jw *w)
{
    jw_obj_begin(w);
    jw_kstr(w, "a", "x");
    jw_key(w, "list");
    jw_arr_begin(w);
    jw_int(w, -1);
    jw_uint(w, 2);
    jw_null(w);
    jw_arr_end(w);
    jw_key(w, "empty");
    jw_obj_begin(w);
    jw_obj_end(w);
    jw_kbool(w, "t", true);
    jw_kdouble(w, "d", 1.23456);
    jw_obj_end(w);
}

static void writer_places_commas_and_nesting(void **state)
{
    (void)state;
    char *s = render(nested, false);
    assert_string_equal(s, "{\"a\":\"x\",\"list\":[-1,2,null],\"empty\":{},\"t\":true,\"d\":1.235}");
    free(s);
}

static void hostile(struct jw *w)
{
    const char bad[] = { 'q', '"', '\\', '\n', 0x01, (char)0xff, (char)0xc3, (char)0xa9, 0x7f };
    jw_strn(w, bad, sizeof bad);
}

static void writer_escapes_quotes_controls_and_invalid_utf8(void **state)
{
    (void)state;
    char *s = render(hostile, false);
    /* 0xff is not UTF-8: replaced; c3 a9 (e-acute) passes through. */
    assert_string_equal(s, "\"q\\\"\\\\\\n\\u0001\\ufffd\xc3\xa9\\u007f\"");
    free(s);
}

static void truncated_utf8(struct jw *w)
{
    const char bad[] = { 'a', (char)0xe2, (char)0x82 }; /* 3-byte sequence cut short */
    jw_strn(w, bad, sizeof bad);
}

static void writer_never_reads_past_a_cut_utf8_sequence(void **state)
{
    (void)state;
    char *s = render(truncated_utf8, false);
    assert_string_equal(s, "\"a\\ufffd\\ufffd\"");
    free(s);
}

static void times(struct jw *w)
{
    jw_arr_begin(w);
    jw_time(w, 1700000000123456789LL);
    jw_arr_end(w);
}

static void writer_formats_iso_times_in_utc(void **state)
{
    (void)state;
    char *s = render(times, false);
    assert_string_equal(s, "[\"2023-11-14T22:13:20.123456Z\"]");
    free(s);
}

/* The date part is kept between calls: times across days, back and forth,
 * before 1970 and past year 9999 come out right whatever came before. */
static void writer_formats_times_across_days(void **state)
{
    (void)state;
    static const struct { ts_ns t; const char *want; } cases[] = {
        { 1700000000123456789LL, "2023-11-14T22:13:20.123456Z" },
        { 1700000000123456789LL + 86400LL * 1000000000, "2023-11-15T22:13:20.123456Z" },
        { 1700000000000000999LL, "2023-11-14T22:13:20.000000Z" },
        { 1767225599999999999LL, "2025-12-31T23:59:59.999999Z" },
        { 1767225600000000000LL, "2026-01-01T00:00:00.000000Z" },
        { 0, "1970-01-01T00:00:00.000000Z" },
        { -1, "1969-12-31T23:59:59.999999Z" },
        { 951782400LL * 1000000000 + 7000, "2000-02-29T00:00:00.000007Z" },
        { INT64_MAX, "2262-04-11T23:47:16.854775Z" },
        { INT64_MIN, "1677-09-21T00:12:43.145224Z" },
        { 1700000000123456789LL, "2023-11-14T22:13:20.123456Z" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ISO_TIME_MAX];
        ts_format_iso(cases[i].t, out);
        assert_string_equal(out, cases[i].want);
    }
}

static void numbers(struct jw *w)
{
    static const uint64_t u[] = { 0, 9, 10, 99, 100, 101, 999, 1000, 9999, 10000, 10009, 65535, 99999,
                                  100000, 100001, 999999, 1000000, 9999999, 99999999, 100000000, 1000000007ULL, 4294967295ULL,
                                  4294967296ULL, 9999999999ULL, 18446744073709551615ULL };
    jw_arr_begin(w);
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        jw_uint(w, u[i]);
    jw_int(w, -1);
    jw_int(w, INT64_MIN);
    jw_arr_end(w);
}

static void writer_formats_numbers(void **state)
{
    (void)state;
    char *s = render(numbers, false);
    assert_string_equal(s, "[0,9,10,99,100,101,999,1000,9999,10000,10009,65535,99999,100000,100001,999999,"
                           "1000000,9999999,99999999,100000000,1000000007,4294967295,4294967296,9999999999,18446744073709551615,"
                           "-1,-9223372036854775808]");
    free(s);
}

/* Octets and ports of every digit count, as inet_ntop and %u write them. */
static void writer_formats_addresses_and_ports(void **state)
{
    (void)state;
    static const uint8_t oct[] = { 0, 9, 10, 99, 100, 199, 200, 255 };
    static const unsigned ports[] = { 0, 7, 10, 99, 100, 999, 1000, 5060, 9999, 10000, 30013, 65535 };
    for (size_t i = 0; i < sizeof oct; i++)
        for (size_t j = 0; j < sizeof ports / sizeof ports[0]; j++) {
            struct ip_addr a = { .family = 4, .b = { oct[i], oct[(i + 3) % 8], 1, oct[(i + 5) % 8] } };
            char got[ENDPOINT_STR_MAX], want[64], ip[IP_ADDR_STR_MAX];
            snprintf(want, sizeof want, "%u.%u.1.%u:%u", oct[i], oct[(i + 3) % 8], oct[(i + 5) % 8], ports[j]);
            endpoint_format(&a, (uint16_t)ports[j], got);
            assert_string_equal(got, want);
            ip_addr_format(&a, ip);
            *strrchr(want, ':') = '\0';
            assert_string_equal(ip, want);
        }
}

static void iso_parse_round_trips(void **state)
{
    (void)state;
    ts_ns t;
    assert_true(ts_parse_iso("2026-01-01T00:00:00Z", &t));
    assert_int_equal(t, 1767225600LL * 1000000000);
    assert_true(ts_parse_iso("2026-01-01T00:00:00.5Z", &t));
    assert_int_equal(t % 1000000000, 500000000);
    assert_false(ts_parse_iso("2026-13-01T00:00:00Z", &t));
    assert_false(ts_parse_iso("yesterday", &t));
}

/* The escaping of one byte, as RFC 8259 and the writer's rules say. */
static void expect_byte(char *out, size_t *n, unsigned char c)
{
    if (c == '"' || c == '\\')
        *n += (size_t)sprintf(out + *n, "\\%c", c);
    else if (c == '\n')
        *n += (size_t)sprintf(out + *n, "\\n");
    else if (c < 0x20 || c == 0x7f)
        *n += (size_t)sprintf(out + *n, "\\u%04x", c);
    else if (c >= 0x80)
        *n += (size_t)sprintf(out + *n, "\\ufffd"); /* alone, never valid UTF-8 */
    else
        out[(*n)++] = (char)c;
}

static char word_input[40];
static size_t word_len;

static bool word_nul_terminated;

static void word_string(struct jw *w)
{
    if (word_nul_terminated)
        jw_str(w, word_input); /* the same bytes through the strlen path */
    else
        jw_strn(w, word_input, word_len);
}

/* The writer skips plain text 8 bytes at a time: a byte that needs escaping
 * is found at every position of a word, next to every other kind. */
static void writer_escapes_every_position_of_a_long_string(void **state)
{
    (void)state;
    static const unsigned char specials[] = { '"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0xff, 0x20, 0x7e, '!' };
    for (size_t len = 1; len <= 33; len += 4) {
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                word_len = len;
                for (size_t i = 0; i < len; i++)
                    word_input[i] = (char)('A' + i % 26);
                word_input[pos] = (char)specials[k];
                char want[256];
                size_t n = 0;
                want[n++] = '"';
                for (size_t i = 0; i < len; i++)
                    expect_byte(want, &n, (unsigned char)word_input[i]);
                want[n++] = '"';
                want[n] = '\0';
                word_nul_terminated = false;
                char *got = render(word_string, false);
                assert_string_equal(got, want);
                free(got);
                word_input[len] = '\0';
                word_nul_terminated = true;
                got = render(word_string, false);
                assert_string_equal(got, want);
                free(got);
            }
        }
    }
}

/* Compact output puts a comma after each value at once and a close takes
 * the last one back; the buffer is written out when full. Documents that
 * cross the buffer's end at every position of their structure come out as
 * if written in one piece. */
static size_t boundary_pad;
static char *boundary_long;

static void boundary_doc(struct jw *w)
{
    jw_obj_begin(w);
    jw_kstr(w, "p", boundary_long + (8192 - boundary_pad)); /* the last boundary_pad bytes */
    jw_key(w, "a");
    jw_arr_begin(w);
    jw_uint(w, 1);
    jw_arr_begin(w);
    jw_int(w, -2);
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_arr_end(w);
    jw_obj_begin(w);
    jw_obj_end(w);
    jw_obj_begin(w);
    jw_knull(w, "k");
    jw_obj_end(w);
    jw_arr_end(w);
    jw_key(w, "b");
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_kstr(w, "s", "q\"x");
    jw_kbool(w, "t", false);
    jw_key(w, "e");
    jw_obj_begin(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

static void writer_crosses_its_buffer_at_every_position(void **state)
{
    (void)state;
    boundary_long = malloc(8193);
    assert_non_null(boundary_long);
    memset(boundary_long, 'x', 8192);
    boundary_long[8192] = '\0';
    const char *rest = "\",\"a\":[1,[-2,[]],{},{\"k\":null}],\"b\":[],\"s\":\"q\\\"x\",\"t\":false,\"e\":{}}";
    char *want = malloc(8192 + 200);
    assert_non_null(want);
    for (boundary_pad = 8050; boundary_pad <= 8192; boundary_pad++) {
        snprintf(want, 8192 + 200, "{\"p\":\"%s%s", boundary_long + (8192 - boundary_pad), rest);
        char *got = render(boundary_doc, false);
        assert_string_equal(got, want);
        free(got);
    }
    free(want);
    free(boundary_long);
}

/* A string longer than the buffer, with escapes all along, inside an array. */
static void long_escaped(struct jw *w)
{
    char *s = malloc(20001);
    assert_non_null(s);
    for (size_t i = 0; i < 20000; i++)
        s[i] = i % 7 == 0 ? '"' : 'a';
    s[20000] = '\0';
    jw_arr_begin(w);
    jw_str(w, s);
    jw_uint(w, 7);
    jw_arr_end(w);
    free(s);
}

static void writer_escapes_strings_longer_than_its_buffer(void **state)
{
    (void)state;
    char *got = render(long_escaped, false);
    size_t n = strlen(got);
    /* [ " + 20000 bytes, 2858 of them quotes escaped + " ,7] */
    assert_int_equal(n, 1 + 1 + 20000 + 2858 + 1 + 3);
    assert_memory_equal(got, "[\"\\\"aaaaaa\\\"a", 13);
    assert_string_equal(got + n - 4, "\",7]");
    free(got);
}

static void writer_indents_pretty_output(void **state)
{
    (void)state;
    char *s = render(nested, true);
    assert_string_equal(s, "{\n  \"a\": \"x\",\n  \"list\": [\n    -1,\n    2,\n    null\n  ],\n"
                           "  \"empty\": {},\n  \"t\": true,\n  \"d\": 1.235\n}");
    free(s);
}

/* Strings in char arrays: found and checked 16 bytes a step inside the
 * array, whatever the bytes after the NUL are; an array without a NUL is
 * written whole. */
static char arr_buf[64];
static size_t arr_cap;

static void array_string(struct jw *w)
{
    jw_arr_begin(w);
    jw_str_in(w, arr_buf, arr_cap);
    jw_uint(w, 1);
    jw_arr_end(w);
}

static void writer_takes_strings_from_arrays(void **state)
{
    (void)state;
    static const size_t caps[] = { 16, 17, 24, 31, 32, 40, 64 };
    static const unsigned char specials[] = { '"', '\\', '\n', 0x7f, 0x80, 0xff };
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
        arr_cap = caps[ci];
        for (size_t len = 0; len <= arr_cap; len++) {
            for (size_t pos = 0; pos <= len; pos++) { /* pos == len: no special */
                for (size_t k = 0; k < (pos < len ? sizeof specials : 1); k++) {
                    /* junk after the NUL: specials, non-ASCII, letters */
                    for (size_t i = 0; i < arr_cap; i++)
                        arr_buf[i] = (char)(i % 3 == 0 ? '"' : i % 3 == 1 ? 0xe9 : 'z');
                    for (size_t i = 0; i < len; i++)
                        arr_buf[i] = (char)('a' + i % 26);
                    if (pos < len)
                        arr_buf[pos] = (char)specials[k];
                    if (len < arr_cap)
                        arr_buf[len] = '\0';
                    char want[512];
                    size_t n = 0;
                    want[n++] = '[';
                    want[n++] = '"';
                    for (size_t i = 0; i < len; i++)
                        expect_byte(want, &n, (unsigned char)arr_buf[i]);
                    memcpy(want + n, "\",1]", 5);
                    char *got = render(array_string, false);
                    assert_string_equal(got, want);
                    free(got);
                }
            }
        }
    }
}

/* ---- pieces: run mode writes what the jw_ calls write ---- */

static size_t piece_pad; /* a string before the piece, to move it across the buffer's end */
static const char piece_hostile[] = { 'a', '"', '\n', (char)0xff, 'z' };
static char piece_long[300];

/* The same document twice: through a piece (as_piece) and through jw_ calls. */
static void piece_doc(struct jw *w, bool as_piece)
{
    static const char arr_plain[24] = "RTP/SAVP";
    static const char arr_quote[24] = "a\"b";
    static const char arr_full[16] = { 'n', 'o', ' ', 'N', 'U', 'L', ' ', 'h', 'e', 'r', 'e', '.', '.', '.', '.', '!' };
    static const char arr_small[8] = "tiny";
    struct ip_addr v4 = { .family = 4, .b = { 192, 0, 2, 7 } };
    char pad[9000];
    memset(pad, 'p', piece_pad);
    jw_obj_begin(w);
    jw_key(w, "pad");
    jw_strn(w, pad, piece_pad);
    struct jw_piece piece = jw_piece_begin(w, 600), *p = &piece;
    for (int round = 0; round < 2; round++) {
        if (as_piece) {
            jp_room(p, 600);
            jp_key(p, "o");
            jp_open(p, '{');
            jp_key(p, "u");
            jp_uint(p, 0);
            jp_key(p, "big");
            jp_uint(p, 18446744073709551615ULL);
            jp_key(p, "neg");
            jp_int(p, -42);
            jp_key(p, "list");
            jp_open(p, '[');
            jp_bool(p, true);
            jp_bool(p, false);
            jp_null(p);
            jp_open(p, '[');
            jp_close(p, ']');
            jp_open(p, '{');
            jp_close(p, '}');
            jp_close(p, ']');
            jp_key(p, "plain");
            jp_str_arr(p, arr_plain);
            jp_key(p, "quote");
            jp_str_arr(p, arr_quote);
            jp_key(p, "full");
            jp_str_arr(p, arr_full);
            jp_key(p, "small");
            jp_str_arr(p, arr_small);
            jp_key(p, "none");
            jp_str_arr_or_null(p, "");
            jp_key(p, "hostile");
            jp_strn(p, piece_hostile, sizeof piece_hostile);
            jp_key(p, "name");
            jp_name(p, "sdes-srtp");
            jp_key(p, "null_name");
            jp_name(p, NULL);
            jp_key(p, "long_name");
            jp_name(p, "a-name-longer-than-the-32-bytes-run-mode-copies");
            jp_key(p, "ip");
            jp_ip(p, &v4);
            jp_key(p, "ep");
            jp_endpoint(p, &v4, 5061);
            jp_key(p, "t");
            jp_time(p, 1700000000123456789LL);
            /* longer than run mode copies: the general way, in the middle */
            jp_key(p, "long");
            jp_strn(p, piece_long, sizeof piece_long);
            jp_key(p, "after");
            jp_uint(p, 7);
            jp_close(p, '}');
        } else {
            jw_key(w, "o");
            jw_obj_begin(w);
            jw_kuint(w, "u", 0);
            jw_kuint(w, "big", 18446744073709551615ULL);
            jw_kint(w, "neg", -42);
            jw_key(w, "list");
            jw_arr_begin(w);
            jw_bool(w, true);
            jw_bool(w, false);
            jw_null(w);
            jw_arr_begin(w);
            jw_arr_end(w);
            jw_obj_begin(w);
            jw_obj_end(w);
            jw_arr_end(w);
            jw_key(w, "plain");
            jw_str_arr(w, arr_plain);
            jw_key(w, "quote");
            jw_str_arr(w, arr_quote);
            jw_key(w, "full");
            jw_str_arr(w, arr_full);
            jw_key(w, "small");
            jw_str_arr(w, arr_small);
            jw_knull(w, "none");
            jw_key(w, "hostile");
            jw_strn(w, piece_hostile, sizeof piece_hostile);
            jw_kstr(w, "name", "sdes-srtp");
            jw_kstr(w, "null_name", NULL);
            jw_kstr(w, "long_name", "a-name-longer-than-the-32-bytes-run-mode-copies");
            jw_key(w, "ip");
            jw_ip(w, &v4);
            jw_key(w, "ep");
            jw_endpoint(w, &v4, 5061);
            jw_ktime(w, "t", 1700000000123456789LL);
            jw_key(w, "long");
            jw_strn(w, piece_long, sizeof piece_long);
            jw_kuint(w, "after", 7);
            jw_obj_end(w);
        }
    }
    if (as_piece)
        jw_piece_end(p);
    jw_obj_end(w);
}

static void piece_doc_run(struct jw *w) { piece_doc(w, true); }
static void piece_doc_calls(struct jw *w) { piece_doc(w, false); }

static void pieces_write_what_the_jw_calls_write(void **state)
{
    (void)state;
    memset(piece_long, 'L', sizeof piece_long);
    piece_long[100] = '\\';
    for (int pretty = 0; pretty <= 1; pretty++) {
        /* every position of the piece's sections against the buffer's end */
        for (piece_pad = 0; piece_pad <= 8192 + 10; piece_pad += piece_pad < 7000 ? 500 : 1) {
            char *want = render(piece_doc_calls, pretty);
            char *got = render(piece_doc_run, pretty);
            assert_string_equal(got, want);
            free(want);
            free(got);
        }
    }
    piece_pad = 0;
    char *s = render(piece_doc_run, false);
    assert_non_null(strstr(s, "\"quote\":\"a\\\"b\",\"full\":\"no NUL here....!\",\"small\":\"tiny\",\"none\":null,"
                              "\"hostile\":\"a\\\"\\n\\ufffdz\",\"name\":\"sdes-srtp\",\"null_name\":null,"
                              "\"long_name\":\"a-name-longer-than-the-32-bytes-run-mode-copies\","
                              "\"ip\":\"192.0.2.7\",\"ep\":\"192.0.2.7:5061\""));
    assert_non_null(strstr(s, "\"list\":[true,false,null,[],{}],"));
    free(s);
}

/* A piece begun outside a document (or in pretty output) is in general mode. */
static void pieces_need_a_compact_document(void **state)
{
    (void)state;
    struct jw w;
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    jw_init(&w, f, false);
    struct jw_piece p = jw_piece_begin(&w, 100);
    assert_null(p.o);
    jw_obj_begin(&w);
    p = jw_piece_begin(&w, 100);
    assert_non_null(p.o);
    jw_piece_end(&p);
    jw_obj_end(&w);
    jw_init(&w, f, true);
    jw_obj_begin(&w);
    p = jw_piece_begin(&w, 100);
    assert_null(p.o);
    jw_obj_end(&w);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_places_commas_and_nesting),
        cmocka_unit_test(writer_escapes_quotes_controls_and_invalid_utf8),
        cmocka_unit_test(writer_never_reads_past_a_cut_utf8_sequence),
        cmocka_unit_test(writer_escapes_every_position_of_a_long_string),
        cmocka_unit_test(writer_formats_iso_times_in_utc),
        cmocka_unit_test(writer_formats_times_across_days),
        cmocka_unit_test(writer_formats_numbers),
        cmocka_unit_test(writer_formats_addresses_and_ports),
        cmocka_unit_test(iso_parse_round_trips),
        cmocka_unit_test(writer_crosses_its_buffer_at_every_position),
        cmocka_unit_test(writer_escapes_strings_longer_than_its_buffer),
        cmocka_unit_test(writer_indents_pretty_output),
        cmocka_unit_test(writer_takes_strings_from_arrays),
        cmocka_unit_test(pieces_write_what_the_jw_calls_write),
        cmocka_unit_test(pieces_need_a_compact_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
