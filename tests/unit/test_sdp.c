/* test_sdp.c: SDP per media line, a=crypto without keys, DTLS attributes (dissect/sdp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sdp.h"

/* memmem is a GNU extension: a plain scan. */
static bool bytes_contain(const void *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const unsigned char *h = hay;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(h + i, needle, k) == 0)
            return true;
    return false;
}

static bool parse(const char *text, struct sdp_info *out)
{
    return sdp_parse((const uint8_t *)text, strlen(text), out);
}

static const char *const savp_offer =
    "v=0\r\n"
    "o=- 1 1 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/SAVP 0 8 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4\r\n";

static void sdp_parses_media_line_port_profile_and_payload_types(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse(savp_offer, &s));
    assert_int_equal(s.n_media, 1);
    assert_string_equal(s.media[0].type, "audio");
    assert_int_equal(s.media[0].port, 49170);
    assert_string_equal(s.media[0].profile, "RTP/SAVP");
    assert_int_equal(s.media[0].n_pt, 3);
    assert_int_equal(s.media[0].pt[2].pt, 101);
    assert_string_equal(s.media[0].pt[2].encoding, "telephone-event");
    assert_int_equal(s.media[0].pt[2].clock_rate, 8000);
    assert_string_equal(s.media[0].pt[0].encoding, "");
}

static void sdp_media_inherits_session_connection_address(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse(savp_offer, &s));
    assert_true(s.media[0].has_addr);
    assert_int_equal(s.media[0].addr.family, 4);
    assert_int_equal(s.media[0].addr.b[0], 192);
    assert_int_equal(s.media[0].addr.b[3], 10);
}

static void sdp_media_level_connection_wins(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP6 2001:db8::7\r\n", &s));
    assert_int_equal(s.media[0].addr.family, 6);
    assert_int_equal(s.media[0].addr.b[15], 7);
}

static void sdp_crypto_keeps_tag_and_suite_never_the_key(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse(savp_offer, &s));
    assert_int_equal(s.media[0].n_crypto, 2);
    assert_int_equal(s.media[0].crypto[0].tag, 1);
    assert_string_equal(s.media[0].crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
    assert_true(s.media[0].crypto[0].has_inline_key);
    assert_string_equal(s.media[0].crypto[1].suite, "AES_CM_128_HMAC_SHA1_32");
    /* No byte of the key may be anywhere in the parsed structure. */
    assert_false(bytes_contain(&s, sizeof s, "WVNfX19z"));
    assert_false(bytes_contain(&s, sizeof s, "NzB4d1BI"));
    assert_false(bytes_contain(&s, sizeof s, "inline"));
}

static void sdp_crypto_lines_over_the_cap_are_counted(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\r\nm=audio 1 RTP/SAVP 0\r\n"
                      "a=crypto:1 A inline:x\r\na=crypto:2 B inline:x\r\na=crypto:3 C inline:x\r\n"
                      "a=crypto:4 D inline:x\r\na=crypto:5 E inline:x\r\na=crypto:6 F inline:x\r\n",
                      &s));
    assert_int_equal(s.media[0].n_crypto, SDP_CRYPTO_MAX);
    assert_int_equal(s.n_crypto_dropped, 6 - SDP_CRYPTO_MAX);
}

static void sdp_session_fingerprint_and_setup_apply_to_media(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\r\na=fingerprint:sha-256 AB:CD:EF\r\na=setup:actpass\r\n"
                      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=setup:active\r\n",
                      &s));
    assert_int_equal(s.n_media, 2);
    assert_string_equal(s.media[0].fingerprint, "sha-256 AB:CD:EF");
    assert_string_equal(s.media[0].setup, "actpass");
    assert_string_equal(s.media[1].setup, "active");
    assert_string_equal(s.media[1].fingerprint, "sha-256 AB:CD:EF");
}

static void sdp_microsoft_encryption_attribute_is_kept(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\nm=audio 20000 RTP/SAVP 114\na=encryption:required\n"
                      "a=candidate:1 1 UDP 2130706431 10.0.0.1 20000 typ host\n", &s));
    assert_string_equal(s.media[0].encryption, "required");
}

static void sdp_several_media_lines_each_get_their_attributes(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\r\nm=audio 5000 RTP/AVP 0\r\na=crypto:1 X inline:k\r\n"
                      "m=image 6000 udptl t38\r\na=inactive\r\n", &s));
    assert_int_equal(s.n_media, 2);
    assert_int_equal(s.media[0].n_crypto, 1);
    assert_int_equal(s.media[1].n_crypto, 0);
    assert_int_equal(s.media[1].n_pt, 0);
    assert_true(s.media[1].is_inactive);
    assert_string_equal(s.media[1].profile, "udptl");
}

static void sdp_media_lines_over_the_cap_are_dropped_with_their_attributes(void **state)
{
    (void)state;
    char buf[2048] = "v=0\r\n";
    for (int i = 0; i < SDP_MEDIA_MAX; i++)
        strcat(buf, "m=audio 1000 RTP/AVP 0\r\n");
    strcat(buf, "m=audio 2000 RTP/SAVP 0\r\na=crypto:1 S inline:k\r\n");
    struct sdp_info s;
    assert_true(parse(buf, &s));
    assert_int_equal(s.n_media, SDP_MEDIA_MAX);
    assert_int_equal(s.n_media_dropped, 1);
    assert_int_equal(s.media[SDP_MEDIA_MAX - 1].n_crypto, 0);
}

static void sdp_rejects_body_not_starting_with_version(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_false(parse("m=audio 1 RTP/AVP 0\r\n", &s));
    assert_false(parse("", &s));
    assert_false(parse("<xml/>", &s));
}

static void sdp_bad_port_does_not_create_media(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_false(parse("v=0\r\nm=audio 70000 RTP/AVP 0\r\na=crypto:1 S inline:k\r\n", &s));
    assert_int_equal(s.n_media, 0);
}

static void sdp_last_line_without_crlf_is_read(void **state)
{
    (void)state;
    struct sdp_info s;
    assert_true(parse("v=0\r\nm=audio 8000 RTP/AVP 0\r\na=crypto:7 SUITE inline:abc", &s));
    assert_int_equal(s.media[0].n_crypto, 1);
    assert_int_equal(s.media[0].crypto[0].tag, 7);
}

/* Numbers follow span_to_u64: up to 20 digits (leading zeros too), no
 * sign, nothing after; a c= address may carry /ttl, and a NUL ends it as
 * it would a C string. */
static void sdp_numbers_and_addresses_at_their_edges(void **state)
{
    (void)state;
    static const char body[] = "v=0\r\n"
                               "m=audio 00000000000000004000/2 RTP/AVP 00000000000000000008 000000000000000000008 128 9x 0\r\n"
                               "a=rtpmap:8 PCMA/00000000000000008000\r\n"
                               "a=rtpmap:0 PCMU/4294967296\r\n"
                               "c=IN IP4 10.1.2.3\0junk/127\r\n";
    struct sdp_info s;
    assert_true(sdp_parse((const uint8_t *)body, sizeof body - 1, &s));
    assert_int_equal(s.n_media, 1);
    assert_int_equal(s.media[0].port, 4000);
    assert_int_equal(s.media[0].n_pt, 2); /* 21 digits, 128 and 9x are not payload types */
    assert_int_equal(s.media[0].pt[0].pt, 8);
    assert_int_equal(s.media[0].pt[0].clock_rate, 8000);
    assert_string_equal(s.media[0].pt[1].encoding, "PCMU");
    assert_int_equal(s.media[0].pt[1].clock_rate, 0); /* over 32 bits */
    assert_true(s.media[0].has_addr);
    assert_int_equal(s.media[0].addr.b[3], 3);
    assert_false(parse("v=0\r\nm=audio 000000000000000000004000 RTP/AVP 0\r\n", &s));
    assert_false(parse("v=0\r\nm=audio 65536 RTP/AVP 0\r\n", &s));
    assert_true(parse("v=0\r\nm=audio 65535 RTP/AVP 0\r\nc=IN IP4 010.1.2.3\r\n", &s));
    assert_false(s.media[0].has_addr); /* a leading zero: not an address */
}

static void sdp_profile_predicates(void **state)
{
    (void)state;
    assert_true(sdp_profile_is_savp("RTP/SAVP"));
    assert_true(sdp_profile_is_savp("RTP/SAVPF"));
    assert_true(sdp_profile_is_savp("UDP/TLS/RTP/SAVPF"));
    assert_false(sdp_profile_is_savp("RTP/AVP"));
    assert_false(sdp_profile_is_savp("RTP/AVPF"));
    assert_true(sdp_profile_is_dtls("UDP/TLS/RTP/SAVP"));
    assert_false(sdp_profile_is_dtls("RTP/SAVP"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sdp_parses_media_line_port_profile_and_payload_types),
        cmocka_unit_test(sdp_media_inherits_session_connection_address),
        cmocka_unit_test(sdp_media_level_connection_wins),
        cmocka_unit_test(sdp_crypto_keeps_tag_and_suite_never_the_key),
        cmocka_unit_test(sdp_crypto_lines_over_the_cap_are_counted),
        cmocka_unit_test(sdp_session_fingerprint_and_setup_apply_to_media),
        cmocka_unit_test(sdp_microsoft_encryption_attribute_is_kept),
        cmocka_unit_test(sdp_several_media_lines_each_get_their_attributes),
        cmocka_unit_test(sdp_media_lines_over_the_cap_are_dropped_with_their_attributes),
        cmocka_unit_test(sdp_rejects_body_not_starting_with_version),
        cmocka_unit_test(sdp_bad_port_does_not_create_media),
        cmocka_unit_test(sdp_last_line_without_crlf_is_read),
        cmocka_unit_test(sdp_numbers_and_addresses_at_their_edges),
        cmocka_unit_test(sdp_profile_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
