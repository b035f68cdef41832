/* test_sip_fast.c: the one-pass SIP header parser (dissect/sip_fast.c) and what it leaves to libosip2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sip_fast.h"

static struct sip_fast f;

static bool parse(const char *msg)
{
    struct span s = { (const uint8_t *)msg, strlen(msg) };
    return sip_fast_parse(s, &f);
}

static void sip_fast_reads_a_plain_invite(void **state)
{
    (void)state;
    assert_true(parse("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                      "Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9\r\n"
                      "Max-Forwards: 70\r\n"
                      "From: \"Alice\" <sip:alice@atlanta.example.com:5060;transport=tcp>;tag=9fxced76sl\r\n"
                      "To: Bob <sip:bob@biloxi.example.com>\r\n"
                      "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
                      "CSeq: 1 INVITE\r\n"
                      "Contact: <sip:alice@client.atlanta.example.com;transport=tls>\r\n"
                      "Content-Type: application/sdp\r\n"
                      "Content-Length: 151\r\n\r\n"));
    assert_true(f.is_request);
    assert_string_equal(f.method, "INVITE");
    assert_string_equal(f.request_uri_host, "biloxi.example.com");
    assert_string_equal(f.via_transport, "TLS");
    assert_string_equal(f.via_host, "client.atlanta.example.com");
    assert_string_equal(f.from_uri, "sip:alice@atlanta.example.com:5060");
    assert_string_equal(f.from_tag, "9fxced76sl");
    assert_string_equal(f.to_uri, "sip:bob@biloxi.example.com");
    assert_string_equal(f.to_tag, "");
    assert_string_equal(f.call_id, "3848276298220188511@atlanta.example.com");
    assert_int_equal(f.cseq, 1);
    assert_string_equal(f.cseq_method, "INVITE");
    assert_string_equal(f.contact_host, "client.atlanta.example.com");
    assert_string_equal(f.ct_type, "application");
    assert_string_equal(f.ct_subtype, "sdp");
}

static void sip_fast_reads_a_response_with_compact_headers(void **state)
{
    (void)state;
    assert_true(parse("SIP/2.0 415 Unsupported Media Type\r\n"
                      "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.9\r\n"
                      "f: sip:alice@10.0.0.1;tag=a1\r\n"
                      "t: <sip:um@10.0.0.2>;tag=b2\r\n"
                      "i: abc123\r\n"
                      "CSeq : 7 INVITE\r\n"
                      "Warning: 399 um \"SRTP required\"\r\n"
                      "c: multipart/alternative;boundary=\"b-1\"\r\n"
                      "l: 0\r\n\r\n"));
    assert_false(f.is_request);
    assert_int_equal(f.status, 415);
    assert_string_equal(f.reason, "Unsupported Media Type");
    assert_string_equal(f.via_host, "10.0.0.1");
    /* addr-spec: ;tag is a header parameter, not part of the URI */
    assert_string_equal(f.from_uri, "sip:alice@10.0.0.1");
    assert_string_equal(f.from_tag, "a1");
    assert_string_equal(f.to_tag, "b2");
    assert_string_equal(f.call_id, "abc123");
    assert_int_equal(f.cseq, 7);
    assert_string_equal(f.warning, "399 um \"SRTP required\"");
    assert_string_equal(f.ct_type, "multipart");
    assert_string_equal(f.ct_boundary, "\"b-1\"");
}

/* Record-Route: the topmost entry's host; Route: only a loose (;lr) topmost entry, the next hop. */
static void sip_fast_reads_the_topmost_route_entries(void **state)
{
    (void)state;
    assert_true(parse("INVITE sip:um@pool.example.com SIP/2.0\r\n"
                      "Record-Route: <sip:sbc.example.com:5061;transport=tls;lr>,<sip:p2.example.com;lr>\r\n"
                      "Record-Route: <sip:p3.example.com;lr>\r\n"
                      "Route: <sip:um1.example.com;transport=tls;LR>\r\n"
                      "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
    assert_string_equal(f.record_route_host, "sbc.example.com");
    assert_string_equal(f.route_host, "um1.example.com");
    assert_true(parse("INVITE sip:um@pool.example.com SIP/2.0\r\n"
                      "Route: <sip:um1.example.com;lrx=1>\r\n"
                      "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
    assert_string_equal(f.route_host, "");
    assert_string_equal(f.record_route_host, "");
    /* an IPv6 reference or a quoted display name with a comma: libosip2's */
    assert_false(parse("INVITE sip:um@h SIP/2.0\r\nRecord-Route: <sip:[2001:db8::1];lr>\r\n"
                       "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
    assert_false(parse("INVITE sip:um@h SIP/2.0\r\nRoute: \"a, b\" <sip:p.example.com;lr>\r\n"
                       "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
}

/* Forms the fast parser does not take: libosip2 gets them. */
static void sip_fast_declines_what_libosip2_should_judge(void **state)
{
    (void)state;
    const char *base_tail = "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n";
    char m[512];
    /* folded header line */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@h>\r\n ;tag=1\r\n%s", base_tail);
    assert_false(parse(m));
    /* IPv6 reference */
    snprintf(m, sizeof m, "INVITE sip:b@[2001:db8::1] SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\n%s", base_tail);
    assert_false(parse(m));
    /* tel: URI */
    snprintf(m, sizeof m, "INVITE tel:+15551234 SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\n%s", base_tail);
    assert_false(parse(m));
    /* escaped user */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a%%40x@h>;tag=1\r\n%s", base_tail);
    assert_false(parse(m));
    /* two From headers */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\nFrom: <sip:c@h>\r\n%s", base_tail);
    assert_false(parse(m));
    /* quoted-pair in the display name */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: \"a \\\"q\\\" <x>\" <sip:a@h>;tag=1\r\n%s", base_tail);
    assert_false(parse(m));
    /* no Call-ID */
    assert_false(parse("INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCSeq: 1 INVITE\r\n\r\n"));
    /* a header line without a colon */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\nGarbage\r\n%s", base_tail);
    assert_false(parse(m));
    /* bad start lines */
    assert_false(parse("INVITE sip:b@h SIP/3.0\r\n\r\n"));
    assert_false(parse("SIP/2.0 99 Odd\r\n\r\n"));
    assert_false(parse(""));
}

/* The caps: long values are cut to their buffers, never overrun them. */
static void sip_fast_cuts_long_values(void **state)
{
    (void)state;
    char m[4096], id[1200];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    snprintf(m, sizeof m, "BYE sip:b@h SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: %s\r\n"
             "CSeq: 9999999999 BYE\r\n\r\n", id);
    assert_true(parse(m));
    assert_int_equal(strlen(f.call_id), sizeof f.call_id - 1);
    assert_int_equal(f.cseq, UINT32_MAX);
    /* no empty line at the end (a datagram cut after its headers) is fine */
    assert_true(parse("ACK sip:b@h SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: y\r\nCSeq: 1 ACK"));
    assert_string_equal(f.cseq_method, "ACK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sip_fast_reads_a_plain_invite),
        cmocka_unit_test(sip_fast_reads_a_response_with_compact_headers),
        cmocka_unit_test(sip_fast_reads_the_topmost_route_entries),
        cmocka_unit_test(sip_fast_declines_what_libosip2_should_judge),
        cmocka_unit_test(sip_fast_cuts_long_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
