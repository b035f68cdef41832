/* test_sip_fast.c: the one-pass SIP header parser (dissect/sip_fast.c) against libosip2 on tricky messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sip_fast.h"
#include "sip_osip.h"

/*
 * Every case runs both parsers on the same head. The fast parser must
 * either decline, or give exactly libosip2's fields (the fuzz target
 * tests/fuzz/fuzz_sip_fast.c checks the same on generated input); each
 * case also says which of the two it expects, so a form the fast parser
 * should take and silently stops taking fails here too.
 */
static struct sip_fast fast;
static struct sip_fields osip;

enum expect { FAST, DECLINED };

/* A field as a C string, checked to hold no NUL (four at a time: an assert compares two). */
static const char *z(struct sip_str s)
{
    static char buf[4][9000];
    static unsigned next;
    char *out = buf[next++ % 4];
    assert_non_null(s.p);
    assert_true(s.n < sizeof buf[0]);
    assert_null(memchr(s.p, '\0', s.n));
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    return out;
}

static void same_fields(const struct sip_fields *a, const struct sip_fields *b)
{
    assert_int_equal(a->is_request, b->is_request);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->cseq, b->cseq);
    assert_string_equal(z(a->method), z(b->method));
    assert_string_equal(z(a->reason), z(b->reason));
    assert_string_equal(z(a->request_uri_host), z(b->request_uri_host));
    assert_string_equal(z(a->call_id), z(b->call_id));
    assert_string_equal(z(a->from_uri), z(b->from_uri));
    assert_string_equal(z(a->to_uri), z(b->to_uri));
    assert_string_equal(z(a->from_tag), z(b->from_tag));
    assert_string_equal(z(a->to_tag), z(b->to_tag));
    assert_string_equal(z(a->cseq_method), z(b->cseq_method));
    assert_string_equal(z(a->via_transport), z(b->via_transport));
    assert_string_equal(z(a->via_host), z(b->via_host));
    assert_string_equal(z(a->contact_host), z(b->contact_host));
    assert_string_equal(z(a->record_route_host), z(b->record_route_host));
    assert_string_equal(z(a->route_host), z(b->route_host));
    assert_string_equal(z(a->warning), z(b->warning));
    assert_string_equal(z(a->ms_diagnostics), z(b->ms_diagnostics));
    assert_string_equal(z(a->ct_type), z(b->ct_type));
    assert_string_equal(z(a->ct_subtype), z(b->ct_subtype));
    assert_string_equal(z(a->ct_boundary), z(b->ct_boundary));
}

/* Both parsers on msg (cut after its empty line, as the framer does);
 * returns libosip2's verdict. */
static enum sip_osip_rc check(const char *msg, enum expect want)
{
    struct span head = { (const uint8_t *)msg, strlen(msg) };
    if (!sip_fast_head(head, &head.n))
        head.n = strlen(msg);
    bool took = sip_fast_parse(head, true, &fast);
    sip_osip_release();
    enum sip_osip_rc rc = sip_osip_parse(head.p, head.n, &osip);
    if (took) {
        assert_int_equal(rc, SIP_OSIP_OK);
        same_fields(&fast.f, &osip);
        /* without the routing headers (clear SIP): taken too, the same
         * fields but those, which stay empty */
        static struct sip_fast lean;
        assert_true(sip_fast_parse(head, false, &lean));
        struct sip_fields unread = osip;
        const struct sip_str none = { "", 0 };
        unread.via_transport = unread.via_host = unread.contact_host = none;
        unread.record_route_host = unread.route_host = none;
        same_fields(&lean.f, &unread);
    }
    if (took != (want == FAST))
        fail_msg("expected the fast parser to %s:\n%s", want == FAST ? "take it" : "decline", msg);
    return rc;
}

#define REQ "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
#define TAIL "Call-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\n\r\n"
#define PARTIES "From: <sip:alice@atlanta.example.com>;tag=1928\r\nTo: <sip:bob@biloxi.example.com>\r\n"

static void fast_reads_a_plain_invite(void **state)
{
    (void)state;
    check(REQ "Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9\r\n"
              "Max-Forwards: 70\r\n"
              "From: \"Alice\" <sip:alice@atlanta.example.com:5060;transport=tcp>;tag=9fxced76sl\r\n"
              "To: Bob <sip:bob@biloxi.example.com>\r\n"
              "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
              "CSeq: 1 INVITE\r\n"
              "Contact: <sip:alice@client.atlanta.example.com;transport=tls>\r\n"
              "Content-Type: application/sdp\r\n"
              "Content-Length: 151\r\n\r\n",
          FAST);
    assert_true(fast.f.is_request);
    assert_string_equal(z(fast.f.method), "INVITE");
    assert_string_equal(z(fast.f.request_uri_host), "biloxi.example.com");
    assert_string_equal(z(fast.f.via_transport), "TLS");
    assert_string_equal(z(fast.f.via_host), "client.atlanta.example.com");
    assert_string_equal(z(fast.f.from_uri), "sip:alice@atlanta.example.com:5060");
    assert_string_equal(z(fast.f.from_tag), "9fxced76sl");
    assert_string_equal(z(fast.f.to_uri), "sip:bob@biloxi.example.com");
    assert_string_equal(z(fast.f.to_tag), "");
    assert_string_equal(z(fast.f.call_id), "3848276298220188511@atlanta.example.com");
    assert_int_equal(fast.f.cseq, 1);
    assert_string_equal(z(fast.f.contact_host), "client.atlanta.example.com");
    assert_string_equal(z(fast.f.ct_type), "application");
    assert_string_equal(z(fast.f.ct_subtype), "sdp");
}

/* RFC 3261 section 7.3.3 compact names, any case, blanks around the colon. */
static void fast_reads_compact_forms_case_and_blanks(void **state)
{
    (void)state;
    check("SIP/2.0 415 Unsupported Media Type\r\n"
          "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
          "f: sip:alice@10.0.0.1;tag=a1\r\n"
          "t: <sip:um@10.0.0.2>;tag=b2\r\n"
          "i: abc123\r\n"
          "CSeq : 7 INVITE\r\n"
          "m: <sip:um@10.0.0.2:5060>\r\n"
          "c: multipart/alternative;boundary=\"b-1\"\r\n"
          "l: 0\r\n\r\n",
          FAST);
    assert_int_equal(fast.f.status, 415);
    assert_string_equal(z(fast.f.reason), "Unsupported Media Type");
    /* addr-spec: ;tag is a header parameter, not part of the URI */
    assert_string_equal(z(fast.f.from_uri), "sip:alice@10.0.0.1");
    assert_string_equal(z(fast.f.from_tag), "a1");
    assert_string_equal(z(fast.f.ct_boundary), "\"b-1\"");
    check("ACK sip:bob@h SIP/2.0\r\nFROM:<sip:alice@h>;TAG=Up\r\nto :\t<sip:bob@h>\r\n"
          "call-id:\tx@y\r\ncSeQ:  2   ACK \r\nVIA:SIP/2.0/tcp h\r\nCONTENT-LENGTH : 0\r\n\r\n",
          FAST);
    assert_string_equal(z(fast.f.from_tag), "Up");
    assert_string_equal(z(fast.f.cseq_method), "ACK");
    assert_string_equal(z(fast.f.via_transport), "tcp");
    /* bare LF line ends, as both parsers accept */
    check("BYE sip:bob@h SIP/2.0\nFrom: <sip:alice@h>;tag=1\nTo: <sip:bob@h>;tag=2\nCall-ID: z\n"
          "CSeq: 3 BYE\n\n",
          FAST);
}

/* Tags among other parameters, in the URI (not a tag), unquoted and empty. */
static void fast_finds_tags_where_libosip2_does(void **state)
{
    (void)state;
    check(REQ "From: <sip:alice@h>;x=1;tag=abc;lr\r\nTo: <sip:bob@h;tag=not-this>;tag=real\r\n" TAIL, FAST);
    assert_string_equal(z(fast.f.from_tag), "abc");
    assert_string_equal(z(fast.f.to_tag), "real");
    check(REQ "From: sip:alice@h;transport=tcp;tag=t1\r\nTo: sip:bob@h\r\n" TAIL, FAST);
    assert_string_equal(z(fast.f.from_uri), "sip:alice@h");
    assert_string_equal(z(fast.f.from_tag), "t1");
    check(REQ "From: <sip:alice@h> ;tag=spaced\r\nTo: <sip:bob@h>;tag\r\n" TAIL, FAST);
    assert_string_equal(z(fast.f.from_tag), "spaced");
    assert_string_equal(z(fast.f.to_tag), "");
    /* an empty tag followed by another parameter: libosip2 refuses it */
    check(REQ "From: <sip:alice@h>;tag=;x=1\r\nTo: <sip:bob@h>\r\n" TAIL, DECLINED);
}

/* Display names: quoted ones may hold '<', ';' and ','; escapes go to libosip2. */
static void fast_reads_quoted_display_names(void **state)
{
    (void)state;
    check(REQ "From: \"A <b>; c, d\" <sip:alice@h>;tag=q1\r\nTo: Bob Smith <sip:bob@h>\r\n" TAIL, FAST);
    assert_string_equal(z(fast.f.from_uri), "sip:alice@h");
    assert_string_equal(z(fast.f.from_tag), "q1");
    check(REQ "From: \"J\\\"r\\\" <x>\" <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\n" TAIL, DECLINED);
    /* libosip2 skips spaces between the quote and '<', not tabs */
    check(REQ "From: \"A\"\t<sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\n" TAIL, DECLINED);
    /* an unquoted display name with a character outside token */
    check(REQ "From: A@b <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\n" TAIL, DECLINED);
}

/* Several Via values in one line: the first is the top one. */
static void fast_reads_the_top_via_of_a_list(void **state)
{
    (void)state;
    check("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP p1.example.com:5060;branch=z9hG4bK1;received=10.0.0.9, "
          "SIP/2.0/TCP p2.example.com;branch=z9hG4bK2\r\nVia: SIP/2.0/TLS p3\r\n" PARTIES TAIL,
          FAST);
    assert_string_equal(z(fast.f.via_transport), "UDP");
    assert_string_equal(z(fast.f.via_host), "p1.example.com");
    /* an empty first element: libosip2 takes the next as the top Via */
    check("SIP/2.0 200 OK\r\nVia: , SIP/2.0/UDP p2\r\n" PARTIES TAIL, DECLINED);
    /* a tab after the transport: libosip2 refuses the Via */
    check("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP\tp1\r\n" PARTIES TAIL, DECLINED);
    /* a comment in parentheses */
    check("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP p1 (proxy)\r\n" PARTIES TAIL, DECLINED);
}

/* Contact lists, quoted parameters with commas, "*". */
static void fast_reads_the_first_contact(void **state)
{
    (void)state;
    check(REQ PARTIES "Contact: \"Al, Jr\" <sip:alice@pc33.example.com>;+sip.instance=\"<urn:uuid:1,2>\";"
                      "expires=60, <sip:alice@other>\r\n" TAIL,
          FAST);
    assert_string_equal(z(fast.f.contact_host), "pc33.example.com");
    check("REGISTER sip:registrar.example.com SIP/2.0\r\n" PARTIES "Contact: *\r\n"
          "Call-ID: r1\r\nCSeq: 1 REGISTER\r\n\r\n",
          DECLINED);
}

/* Record-Route: the topmost entry's host; Route: only a loose (;lr) topmost entry, the next hop. */
static void fast_reads_the_topmost_route_entries(void **state)
{
    (void)state;
    check("INVITE sip:um@pool.example.com SIP/2.0\r\n"
          "Record-Route: <sip:sbc.example.com:5061;transport=tls;lr>,<sip:p2.example.com;lr>\r\n"
          "Record-Route: <sip:p3.example.com;lr>\r\n"
          "Route: <sip:um1.example.com;transport=tls;LR>\r\n" PARTIES TAIL,
          FAST);
    assert_string_equal(z(fast.f.record_route_host), "sbc.example.com");
    assert_string_equal(z(fast.f.route_host), "um1.example.com");
    check("INVITE sip:um@pool.example.com SIP/2.0\r\nRoute: <sip:um1.example.com;lrx=1>\r\n" PARTIES TAIL, FAST);
    assert_string_equal(z(fast.f.route_host), "");
    assert_string_equal(z(fast.f.record_route_host), "");
    check("INVITE sip:um@pool.example.com SIP/2.0\r\nRoute: \"a, b\" <sip:p.example.com;lr>\r\n" PARTIES TAIL,
          FAST);
    assert_string_equal(z(fast.f.route_host), "p.example.com");
    /* an IPv6 reference: libosip2's */
    check("INVITE sip:um@h SIP/2.0\r\nRecord-Route: <sip:[2001:db8::1];lr>\r\n" PARTIES TAIL, DECLINED);
}

/* Folded (continuation) lines go to libosip2, which joins them. */
static void fast_leaves_folded_lines_to_libosip2(void **state)
{
    (void)state;
    enum sip_osip_rc rc = check(REQ "From: <sip:alice@h>\r\n ;tag=folded\r\nTo: <sip:bob@h>\r\n" TAIL, DECLINED);
    assert_int_equal(rc, SIP_OSIP_OK);
    assert_string_equal(z(osip.from_tag), "folded");
}

/* Warning: libosip2 splits it at commas outside quotes, ms-diagnostics not; the reason phrase
 * is kept as written, trailing blanks included. */
static void fast_reads_warning_and_reason_as_libosip2(void **state)
{
    (void)state;
    check("SIP/2.0 488 Not Acceptable Here  \r\n" PARTIES
          "Warning: 399 um.example.com \"SRTP required, sorry\", 370 x \"other\"\r\n"
          "ms-diagnostics: 1000;reason=\"a;b\";source=\"um, x\", 2\r\n" TAIL,
          FAST);
    assert_string_equal(z(fast.f.reason), "Not Acceptable Here  ");
    assert_string_equal(z(fast.f.warning), "399 um.example.com \"SRTP required, sorry\"");
    assert_string_equal(z(fast.f.ms_diagnostics), "1000;reason=\"a;b\";source=\"um, x\", 2");
    /* no reason phrase at all (no space after the code) */
    check("SIP/2.0 200\r\n" PARTIES TAIL, DECLINED);
    /* an empty one is fine */
    check("SIP/2.0 200 \r\n" PARTIES TAIL, FAST);
    assert_string_equal(z(fast.f.reason), "");
}

/* Forms the fast parser does not take; libosip2 judges them. */
static void fast_declines_what_libosip2_should_judge(void **state)
{
    (void)state;
    const char *t = "To: <sip:b@host.example>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n";
    char m[600];
    snprintf(m, sizeof m, "INVITE sip:b@[2001:db8::1] SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\n%s", t);
    check(m, DECLINED); /* IPv6 reference */
    snprintf(m, sizeof m, "INVITE tel:+15551234 SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\n%s", t);
    check(m, DECLINED); /* tel: URI */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a%%40x@host.example>;tag=1\r\n%s", t);
    check(m, DECLINED); /* escaped user */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a:secret@host.example>;tag=1\r\n%s", t);
    check(m, DECLINED); /* password */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\nFrom: <sip:c@h.example>\r\n%s", t);
    check(m, DECLINED); /* two From headers */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\nGarbage\r\n%s", t);
    check(m, DECLINED); /* a line without a colon */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\nX-A: 1\rX-B: 2\r\n%s", t);
    check(m, DECLINED); /* a lone CR, a line end to libosip2 only */
    /* even in a header the fast parser does not read: libosip2 would see a
     * Via there that the fast parser does not (fuzz_sip_fast found it) */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nX-A: 1\rVia: SIP/2.0/UDP hidden\r\n"
             "Via: SIP/2.0/UDP seen\r\nFrom: <sip:a@host.example>;tag=1\r\n%s", t);
    assert_int_equal(check(m, DECLINED), SIP_OSIP_OK);
    assert_string_equal(z(osip.via_host), "hidden");
    /* a NUL anywhere: libosip2 reads the headers up to it only */
    snprintf(m, sizeof m, "SIP/2.0 100 Trying\r\nFrom: <sip:a@host.example>;tag=1\r\n"
             "#:\r\nWarning: 399 h \"w\"\r\n%s", t);
    struct span hs = { (const uint8_t *)m, strlen(m) };
    *strchr(m, '#') = '\0'; /* a header named "\0", before the Warning */
    assert_false(sip_fast_parse(hs, true, &fast));
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a>;tag=1\r\n%s", t);
    assert_int_equal(check(m, DECLINED), SIP_OSIP_MALFORMED); /* libosip2 refuses a 5-character URI here */
    snprintf(m, sizeof m, "INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\nCSeq: 1\tINVITE\r\n"
             "To: <sip:b@host.example>\r\nCall-ID: x\r\n\r\n");
    check(m, DECLINED); /* a tab where libosip2 wants the space */
    check("INVITE sip:b@h SIP/2.0\r\nFrom: <sip:a@host.example>;tag=1\r\nTo: <sip:b@host.example>\r\n"
          "CSeq: 1 INVITE\r\n\r\n",
          DECLINED); /* no Call-ID */
    check("INVITE sip:b@h SIP/3.0\r\n\r\n", DECLINED);
    check("SIP/2.0 99 Odd\r\n\r\n", DECLINED);
}

/* Values too long for the fast parser's buffers go to libosip2, which
 * cuts Call-ID, From and To at 255 characters. */
static void fast_leaves_long_values_to_libosip2(void **state)
{
    (void)state;
    char m[4096], id[1200];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    snprintf(m, sizeof m, "BYE sip:b@h SIP/2.0\r\nFrom: <sip:a@h.example>;tag=1\r\nTo: <sip:b@h.example>;tag=2\r\n"
             "Call-ID: %s\r\nCSeq: 9999999999 BYE\r\n\r\n", id);
    assert_int_equal(check(m, DECLINED), SIP_OSIP_OK);
    assert_int_equal(osip.call_id.n, 255);
    assert_int_equal(osip.cseq, UINT32_MAX);
    snprintf(m, sizeof m, "BYE sip:b@h SIP/2.0\r\nFrom: <sip:a@h.example>;tag=1\r\nTo: <sip:b@h.example>;tag=2\r\n"
             "Call-ID: short\r\nCSeq: 4294967299 BYE\r\n\r\n");
    check(m, FAST);
    assert_int_equal(fast.f.cseq, UINT32_MAX);
}

/* A datagram may end after its last header, without the empty line. */
static void both_take_a_datagram_without_the_empty_line(void **state)
{
    (void)state;
    check("ACK sip:b@h SIP/2.0\r\nFrom: <sip:a@h.example>;tag=1\r\nTo: <sip:b@h.example>\r\nCall-ID: y\r\n"
          "CSeq: 1 ACK",
          FAST);
    assert_string_equal(z(fast.f.cseq_method), "ACK");
}

/* The scan resumes where it stopped: one message fed a byte at a time
 * gives the same framing as the whole, and is scanned once. */
static void scan_resumes_over_partial_input(void **state)
{
    (void)state;
    const char *msg = REQ PARTIES "Content-Length: 4\r\n" TAIL "v=0\n";
    size_t n = strlen(msg);
    struct sip_scan s;
    memset(&s, 0, sizeof s);
    enum sip_scan_rc rc = SIP_SCAN_MORE;
    size_t fed;
    for (fed = 1; fed <= n && rc == SIP_SCAN_MORE; fed++)
        rc = sip_scan_head(&s, (const uint8_t *)msg, fed, 65536);
    assert_int_equal(rc, SIP_SCAN_DONE);
    assert_int_equal(s.header_len, n - 4);
    assert_true(s.has_length);
    assert_int_equal(s.content_length, 4);
    assert_true(sip_fast_fields(&s, (const uint8_t *)msg, s.header_len, true, &fast));
    assert_string_equal(z(fast.f.call_id), "a84b4c76e66710@pc33");
    /* two different lengths cannot be framed */
    memset(&s, 0, sizeof s);
    const char *two = REQ "l: 1\r\nContent-Length: 2\r\n\r\n";
    assert_int_equal(sip_scan_head(&s, (const uint8_t *)two, strlen(two), 65536), SIP_SCAN_BAD);
}

/* Line ends are found from 64-byte words of bits (and byte searches for
 * the odd line): a header line of every length across two word edges
 * (the CR last in a word, its LF first in the next, ...), ending in CRLF,
 * in a bare LF, or holding a lone CR at every position, frames the same
 * and is taken or declined as it must. */
static void scan_finds_line_ends_at_every_offset(void **state)
{
    (void)state;
    char m[512], pad[160];
    for (size_t k = 0; k < 140; k++) {
        memset(pad, 'p', k);
        pad[k] = '\0';
        /* CRLF everywhere: taken, framed after the empty line */
        int n = snprintf(m, sizeof m, REQ "X-Pad: %s\r\n" PARTIES TAIL "body", pad);
        check(m, FAST);
        struct sip_scan sc;
        memset(&sc, 0, sizeof sc);
        assert_int_equal(sip_scan_head(&sc, (const uint8_t *)m, (size_t)n, 65536), SIP_SCAN_DONE);
        assert_int_equal(sc.header_len, (size_t)n - 4);
        assert_false(sc.declined);
        /* the pad line ended by a bare LF: still one line, same fields */
        n = snprintf(m, sizeof m, REQ "X-Pad: %s\n" PARTIES TAIL "body", pad);
        memset(&sc, 0, sizeof sc);
        assert_int_equal(sip_scan_head(&sc, (const uint8_t *)m, (size_t)n, 65536), SIP_SCAN_DONE);
        assert_int_equal(sc.header_len, (size_t)n - 4);
        assert_false(sc.declined);
        assert_true(sip_fast_fields(&sc, (const uint8_t *)m, sc.header_len, true, &fast));
        assert_string_equal(z(fast.f.call_id), "a84b4c76e66710@pc33");
        /* a lone CR anywhere in the pad line: left to libosip2 */
        for (size_t j = 0; j < k; j++) {
            pad[j] = '\r';
            n = snprintf(m, sizeof m, REQ "X-Pad: %s\r\n" PARTIES TAIL, pad);
            check(m, DECLINED);
            memset(&sc, 0, sizeof sc);
            assert_int_equal(sip_scan_head(&sc, (const uint8_t *)m, (size_t)n, 65536), SIP_SCAN_DONE);
            assert_int_equal(sc.header_len, (size_t)n);
            assert_true(sc.declined);
            pad[j] = 'p';
        }
        /* CR CR LF: the first CR is a lone one */
        n = snprintf(m, sizeof m, REQ "X-Pad: %s\r\r\n" PARTIES TAIL, pad);
        check(m, DECLINED);
    }
    /* the colon is found in the same pass: names of every length across
     * a word edge, unknown ones and a known one with blanks before it */
    char name[96];
    for (size_t k = 1; k < 80; k++) {
        memset(name, 'n', k);
        name[k] = '\0';
        snprintf(m, sizeof m, REQ "X-%s: v\r\n" PARTIES TAIL, name);
        check(m, FAST);
        snprintf(m, sizeof m, REQ "X-%s\r\n" PARTIES TAIL, name); /* no colon before the line end */
        check(m, DECLINED);
        memset(name, ' ', k);
        snprintf(m, sizeof m, REQ PARTIES "CSeq: 1 INVITE\r\nCall-ID%s: k%zu@h\r\n\r\n", name, k);
        check(m, FAST);
        assert_string_equal(z(fast.f.call_id), (snprintf(pad, sizeof pad, "k%zu@h", k), pad));
    }
    /* the line's CR as the last byte given: more to come, nothing decided */
    const char *cut = REQ "X-Pad: 1\r";
    struct sip_scan sc;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(sip_scan_head(&sc, (const uint8_t *)cut, strlen(cut), 65536), SIP_SCAN_MORE);
    assert_false(sc.declined);
    /* fewer bytes than one 16-byte load, and a head ending at every byte
     * of the last, partial word */
    size_t head_len = 0;
    struct span tiny = { (const uint8_t *)"X\r\nY: 1\r\n\r\n", 11 };
    assert_true(sip_fast_head(tiny, &head_len));
    assert_int_equal(head_len, 11);
    const char *full = REQ PARTIES TAIL;
    for (size_t n = strlen(full) - 70; n <= strlen(full); n++) {
        memset(&sc, 0, sizeof sc);
        assert_int_equal(sip_scan_head(&sc, (const uint8_t *)full, n, 65536),
                         n == strlen(full) ? SIP_SCAN_DONE : SIP_SCAN_MORE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_reads_a_plain_invite),
        cmocka_unit_test(fast_reads_compact_forms_case_and_blanks),
        cmocka_unit_test(fast_finds_tags_where_libosip2_does),
        cmocka_unit_test(fast_reads_quoted_display_names),
        cmocka_unit_test(fast_reads_the_top_via_of_a_list),
        cmocka_unit_test(fast_reads_the_first_contact),
        cmocka_unit_test(fast_reads_the_topmost_route_entries),
        cmocka_unit_test(fast_leaves_folded_lines_to_libosip2),
        cmocka_unit_test(fast_reads_warning_and_reason_as_libosip2),
        cmocka_unit_test(fast_declines_what_libosip2_should_judge),
        cmocka_unit_test(fast_leaves_long_values_to_libosip2),
        cmocka_unit_test(both_take_a_datagram_without_the_empty_line),
        cmocka_unit_test(scan_resumes_over_partial_input),
        cmocka_unit_test(scan_finds_line_ends_at_every_offset),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sip_osip_release();
    return rc;
}
