/* test_tls_session.c: handshake events become sessions, certificates and findings (analyze/tls_session.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules.h"
#include "tls_event.h"
#include "tls_test_certs.h"
#include "x509.h"

struct fixture {
    struct analyze_opts opts;
    struct report_out out;
    struct analyze_ctx ctx;
    struct tls_state *tls;
    char *json;
    size_t json_len;
};

static void fx_init(struct fixture *fx, const char *ca_file, uint16_t server_port)
{
    memset(fx, 0, sizeof *fx);
    fx->opts.profile = PROFILE_GENERIC;
    fx->opts.lim = &limits_default;
    fx->opts.ca_file = ca_file;
    fx->opts.has_now = true;
    fx->opts.now = (ts_ns)time(NULL) * 1000000000LL;
    fx->out.fmt = FMT_JSON;
    fx->out.f = stdout;
    fx->ctx.opts = &fx->opts;
    fx->ctx.out = &fx->out;
    fx->ctx.findings = findings_new(100, NULL, NULL);
    fx->tls = tls_state_new(&fx->ctx);
    (void)server_port;
}

static void fx_free(struct fixture *fx)
{
    tls_state_free(fx->tls);
    findings_free(fx->ctx.findings);
    free(fx->json);
}

static struct flow_key conn(uint16_t cport, uint16_t sport)
{
    struct flow_key k = { .sport = cport, .dport = sport, .proto = L4_TCP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = 10;
    k.src.b[3] = 1;
    k.dst.b[0] = 10;
    k.dst.b[3] = 2;
    return k;
}

static void send_ev(struct fixture *fx, struct ev_tls *e, uint64_t frame)
{
    struct event ev = { .kind = EV_TLS, .at = { frame, fx->opts.now }, .flow = &e->conn, .body = e };
    tls_state_event(fx->tls, &ev);
}

static void simple(struct fixture *fx, struct flow_key k, enum tls_ev_kind kind, enum dir from, uint64_t frame)
{
    struct ev_tls e = { .kind = kind, .conn = k, .from = from, .first = { 1, 0 } };
    send_ev(fx, &e, frame);
}

/* ClientHello .. ServerHelloDone with the given chain and a CertificateRequest. */
static void server_side(struct fixture *fx, struct flow_key k, const struct tcert *chain, size_t n)
{
    struct ev_tls e = { .kind = TLS_EV_CLIENT_HELLO, .conn = k, .from = DIR_C2S, .version = 0x0303 };
    e.sni.p = (const uint8_t *)"um.example.com";
    e.sni.n = 14;
    send_ev(fx, &e, 4);
    memset(&e, 0, sizeof e);
    e.kind = TLS_EV_SERVER_HELLO;
    e.conn = k;
    e.from = DIR_S2C;
    e.version = 0x0303;
    e.cipher_suite = 0xc030;
    send_ev(fx, &e, 6);
    e.kind = TLS_EV_CERTIFICATE;
    for (size_t i = 0; i < n; i++)
        e.certs[e.n_certs++] = (struct span){ chain[i].der, chain[i].der_len };
    send_ev(fx, &e, 6);
    simple(fx, k, TLS_EV_CERTIFICATE_REQUEST, DIR_S2C, 6);
    simple(fx, k, TLS_EV_SERVER_HELLO_DONE, DIR_S2C, 6);
}

static void render(struct fixture *fx)
{
    free(fx->json);
    FILE *f = open_memstream(&fx->json, &fx->json_len);
    struct jw w;
    jw_init(&w, f, false);
    jw_obj_begin(&w);
    jw_key(&w, "tls_sessions");
    tls_write_sessions_json(fx->tls, &w);
    jw_key(&w, "certificates");
    tls_write_certificates_json(fx->tls, &w);
    jw_obj_end(&w);
    fclose(f);
}

static bool has_code(const struct fixture *fx, enum finding_code c)
{
    for (size_t i = 0; i < findings_count(fx->ctx.findings); i++)
        if (finding_code(findings_at(fx->ctx.findings, i)) == c)
            return true;
    return false;
}

static struct tcert root, leaf, other_leaf;

static int setup(void **state)
{
    (void)state;
    struct tcert_opts ro = { .cn = "Root", .rsa_bits = 2048, .ca = true, .not_before_days = -10,
                             .not_after_days = 3650 };
    root = tcert_make(&ro);
    struct tcert_opts lo = { .cn = "um.example.com", .rsa_bits = 2048, .eku = "serverAuth,clientAuth",
                             .crl_dp = "URI:http://x/c.crl", .san = "DNS:um.example.com", .not_before_days = -1,
                             .not_after_days = 300, .issuer = root.x, .issuer_key = root.key };
    leaf = tcert_make(&lo);
    lo.cn = "gw.example.com";
    lo.san = "DNS:gw.example.com";
    lo.issuer = NULL;
    lo.issuer_key = NULL;
    other_leaf = tcert_make(&lo); /* self-signed */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tcert_free(&root);
    tcert_free(&leaf);
    tcert_free(&other_leaf);
    return 0;
}

static void test_empty_client_certificate_on_5061_is_two_findings(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct flow_key k = conn(40000, 5061);
    server_side(&fx, k, &leaf, 1);
    struct ev_tls e = { .kind = TLS_EV_CERTIFICATE, .conn = k, .from = DIR_C2S };
    send_ev(&fx, &e, 8);
    struct ev_tls a = { .kind = TLS_EV_ALERT, .conn = k, .from = DIR_S2C, .alert_level = 2, .alert_desc = 40 };
    send_ev(&fx, &a, 9);
    simple(&fx, k, TLS_EV_CLOSE, DIR_C2S, 0);
    assert_true(has_code(&fx, F_TLS_CLIENT_CERT_NOT_SENT));
    assert_true(has_code(&fx, F_TLS_HANDSHAKE_ALERT));
    assert_true(has_code(&fx, F_TLS_SIP_NEVER_STARTED));
    render(&fx);
    assert_non_null(strstr(fx.json, "\"client_certificate_sent\":false"));
    assert_non_null(strstr(fx.json, "\"established\":false"));
    assert_non_null(strstr(fx.json, "{\"from\":\"server\",\"level\":\"fatal\",\"description\":\"handshake_failure\",\"frame\":9}"));
    assert_non_null(strstr(fx.json, "\"sni\":\"um.example.com\""));
    assert_non_null(strstr(fx.json, "\"cipher_suite\":\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\""));
    fx_free(&fx);
}

static void test_failed_handshake_off_sip_ports_is_not_a_sip_finding(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 443);
    struct flow_key k = conn(40000, 443);
    server_side(&fx, k, &leaf, 1);
    struct ev_tls a = { .kind = TLS_EV_ALERT, .conn = k, .from = DIR_C2S, .alert_level = 2, .alert_desc = 48 };
    send_ev(&fx, &a, 9);
    tls_state_finish(fx.tls);
    assert_true(has_code(&fx, F_TLS_HANDSHAKE_ALERT));
    assert_false(has_code(&fx, F_TLS_SIP_NEVER_STARTED));
    fx_free(&fx);
}

static void test_certificates_are_listed_once_with_every_session(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct flow_key k1 = conn(40000, 5061), k2 = conn(40002, 5061);
    server_side(&fx, k1, &leaf, 1);
    server_side(&fx, k2, &leaf, 1);
    assert_string_equal(tls_session_for_flow(fx.tls, &k1), "tls-1");
    struct flow_key r2 = flow_key_reverse(&k2);
    assert_string_equal(tls_session_for_flow(fx.tls, &r2), "tls-2");
    render(&fx);
    assert_non_null(strstr(fx.json, "\"seen_in\":[\"tls-1\",\"tls-2\"]"));
    /* one certificate object: its sha1 key appears once in the certificates array */
    const char *certs = strstr(fx.json, "\"certificates\":[");
    assert_non_null(certs);
    const char *first = strstr(certs, "\"sha1\"");
    assert_non_null(first);
    assert_null(strstr(first + 1, "\"sha1\""));
    /* rules run once per certificate, not per session: no duplicate findings */
    size_t n = findings_count(fx.ctx.findings);
    fx_free(&fx);
    assert_int_equal(n, 0);
}

static void test_ca_file_sets_trusted_and_reports_untrusted_chains(void **state)
{
    (void)state;
    char path[] = "/tmp/sipsec-tls-ca-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    PEM_write_X509(f, root.x);
    fclose(f);
    struct fixture fx;
    fx_init(&fx, path, 5061);
    server_side(&fx, conn(40000, 5061), &leaf, 1);
    server_side(&fx, conn(40002, 5061), &other_leaf, 1);
    render(&fx);
    assert_non_null(strstr(fx.json, "\"trusted\":true"));
    assert_non_null(strstr(fx.json, "\"trusted\":false,\"untrusted_reason\":\"self-signed certificate\""));
    assert_true(has_code(&fx, F_CERT_UNTRUSTED));
    fx_free(&fx);
    unlink(path);
}

static void test_without_ca_file_trust_is_unknown(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    server_side(&fx, conn(40000, 5061), &leaf, 1);
    render(&fx);
    assert_non_null(strstr(fx.json, "\"trusted\":null"));
    assert_false(has_code(&fx, F_CERT_UNTRUSTED));
    fx_free(&fx);
}

static void test_tls13_client_certificate_is_unknown_not_missing(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct flow_key k = conn(40000, 5061);
    struct ev_tls e = { .kind = TLS_EV_CLIENT_HELLO, .conn = k, .from = DIR_C2S, .version = 0x0304 };
    send_ev(&fx, &e, 4);
    struct ev_tls sh = { .kind = TLS_EV_SERVER_HELLO, .conn = k, .from = DIR_S2C, .version = 0x0304,
                         .cipher_suite = 0x1302 };
    send_ev(&fx, &sh, 6);
    simple(&fx, k, TLS_EV_APPLICATION_DATA, DIR_S2C, 6);
    simple(&fx, k, TLS_EV_APPLICATION_DATA, DIR_C2S, 8);
    simple(&fx, k, TLS_EV_CLOSE, DIR_C2S, 0);
    render(&fx);
    assert_non_null(strstr(fx.json, "\"version\":\"TLS1.3\""));
    assert_non_null(strstr(fx.json, "\"client_certificate_sent\":null"));
    assert_non_null(strstr(fx.json, "\"established\":true"));
    assert_false(has_code(&fx, F_TLS_SIP_NEVER_STARTED));
    fx_free(&fx);
}

static void test_dtls_events_from_either_side_join_one_session(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 0);
    struct flow_key k = conn(5000, 6000);
    k.proto = L4_UDP;
    struct ev_tls e = { .kind = TLS_EV_CLIENT_HELLO, .conn = k, .from = DIR_C2S, .dtls = true, .version = 0xfefd };
    send_ev(&fx, &e, 1);
    /* the dissector guessed wrong: the client's Certificate looked like a server's */
    struct ev_tls c = { .kind = TLS_EV_CERTIFICATE, .conn = flow_key_reverse(&k), .from = DIR_S2C, .dtls = true };
    c.certs[c.n_certs++] = (struct span){ other_leaf.der, other_leaf.der_len };
    send_ev(&fx, &c, 3);
    tls_state_finish(fx.tls);
    render(&fx);
    assert_null(strstr(fx.json, "tls-2"));
    assert_non_null(strstr(fx.json, "\"client_certificate_sent\":true"));
    fx_free(&fx);
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_sessions_keep_their_own_sni_and_chain_when_shared(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct tcert two[2] = { leaf, root };
    server_side(&fx, conn(40000, 5061), two, 2);
    server_side(&fx, conn(40002, 5061), &other_leaf, 1);
    server_side(&fx, conn(40004, 5061), two, 2);
    /* the client of the first session answers with its own chain */
    struct ev_tls c = { .kind = TLS_EV_CERTIFICATE, .conn = conn(40000, 5061), .from = DIR_C2S };
    c.certs[c.n_certs++] = (struct span){ other_leaf.der, other_leaf.der_len };
    send_ev(&fx, &c, 8);
    render(&fx);
    char leaf_sha1[41], root_sha1[41], other_sha1[41];
    x509_sha1_hex(leaf.der, leaf.der_len, leaf_sha1);
    x509_sha1_hex(root.der, root.der_len, root_sha1);
    x509_sha1_hex(other_leaf.der, other_leaf.der_len, other_sha1);
    char want2[200], want1[100];
    snprintf(want2, sizeof want2, "\"server_certificates\":[\"%s\",\"%s\"]", leaf_sha1, root_sha1);
    snprintf(want1, sizeof want1, "\"server_certificates\":[\"%s\"]", other_sha1);
    assert_int_equal(count_str(fx.json, want2), 2);
    assert_int_equal(count_str(fx.json, want1), 1);
    snprintf(want1, sizeof want1, "\"client_certificates\":[\"%s\"]", other_sha1);
    assert_int_equal(count_str(fx.json, want1), 1);
    assert_int_equal(count_str(fx.json, "\"client_certificates\":[]"), 2);
    assert_int_equal(count_str(fx.json, "\"sni\":\"um.example.com\""), 3);
    fx_free(&fx);
}

static void test_a_fatal_alert_past_the_listed_ones_still_ends_the_handshake(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct flow_key k = conn(40000, 5061);
    server_side(&fx, k, &leaf, 1);
    for (uint64_t i = 0; i < 10; i++) {
        struct ev_tls a = { .kind = TLS_EV_ALERT, .conn = k, .from = DIR_C2S, .alert_level = 1, .alert_desc = 90 };
        send_ev(&fx, &a, 10 + i);
    }
    struct ev_tls a = { .kind = TLS_EV_ALERT, .conn = k, .from = DIR_S2C, .alert_level = 2, .alert_desc = 42 };
    send_ev(&fx, &a, 30);
    simple(&fx, k, TLS_EV_CLOSE, DIR_C2S, 0);
    render(&fx);
    assert_int_equal(count_str(fx.json, "\"description\":\"user_canceled\""), 8);
    assert_null(strstr(fx.json, "bad_certificate"));
    assert_true(has_code(&fx, F_TLS_HANDSHAKE_ALERT));
    const struct finding *f = NULL;
    for (size_t i = 0; i < findings_count(fx.ctx.findings); i++)
        if (finding_code(findings_at(fx.ctx.findings, i)) == F_TLS_SIP_NEVER_STARTED)
            f = findings_at(fx.ctx.findings, i);
    assert_non_null(f);
    assert_non_null(strstr(finding_summary(f), "the server sent fatal alert bad_certificate"));
    fx_free(&fx);
}

/* Text view: each session block points at its findings (and at those of
 * the certificates it carried) by number; the full text is not repeated. */
static void test_text_blocks_point_at_findings_instead_of_repeating_them(void **state)
{
    (void)state;
    struct fixture fx;
    fx_init(&fx, NULL, 5061);
    struct flow_key k1 = conn(40000, 5061), k2 = conn(40002, 5061);
    server_side(&fx, k1, &other_leaf, 1); /* self-signed: CERT_SELF_SIGNED, once */
    struct ev_tls e = { .kind = TLS_EV_CERTIFICATE, .conn = k1, .from = DIR_C2S };
    send_ev(&fx, &e, 8);                  /* empty client Certificate: tls-1's own finding */
    server_side(&fx, k2, &other_leaf, 1);
    tls_state_finish(fx.tls);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tls_write_text(fx.tls, f);
    fclose(f);
    size_t self_signed = SIZE_MAX, not_sent = SIZE_MAX;
    for (size_t i = 0; i < findings_count(fx.ctx.findings); i++) {
        const struct finding *fi = findings_at(fx.ctx.findings, i);
        assert_null(strstr(text, finding_summary(fi)));
        if (finding_code(fi) == F_CERT_SELF_SIGNED)
            self_signed = findings_text_number(fx.ctx.findings, i);
        if (finding_code(fi) == F_TLS_CLIENT_CERT_NOT_SENT)
            not_sent = findings_text_number(fx.ctx.findings, i);
    }
    assert_int_not_equal(self_signed, SIZE_MAX);
    assert_int_not_equal(not_sent, SIZE_MAX);
    char want[96];
    const char *tls2 = strstr(text, "\ntls-2 ");
    assert_non_null(tls2);
    snprintf(want, sizeof want, "#%zu [WARN ] CERT_SELF_SIGNED (server [0])\n", self_signed);
    const char *in1 = strstr(text, want);
    assert_true(in1 != NULL && in1 < tls2);   /* in tls-1's block */
    assert_non_null(strstr(tls2, want));      /* and in tls-2's: the same certificate */
    snprintf(want, sizeof want, "#%zu [ERROR] TLS_CLIENT_CERT_NOT_SENT\n", not_sent);
    const char *ns = strstr(text, want);
    assert_true(ns != NULL && ns < tls2);     /* only tls-1's */
    assert_null(strstr(tls2, want));
    free(text);
    fx_free(&fx);
}

static size_t count_substr(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void stream_to_memory(struct fixture *fx, char **buf, size_t *len)
{
    fx->out.fmt = FMT_NDJSON;
    fx->out.f = open_memstream(buf, len);
}

static void established(struct fixture *fx, struct flow_key k)
{
    simple(fx, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_C2S, 7);
    simple(fx, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_S2C, 8);
}

static void test_ndjson_writes_a_session_at_handshake_end_once(void **state)
{
    (void)state;
    struct fixture fx;
    char *buf = NULL;
    size_t len = 0;
    fx_init(&fx, NULL, 5061);
    stream_to_memory(&fx, &buf, &len);
    struct flow_key k = conn(40000, 5061);
    server_side(&fx, k, &leaf, 1);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 0);
    established(&fx, k);
    fflush(fx.out.f);
    /* a trunk stays up for hours: its session is out as soon as the handshake is */
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 1);
    assert_non_null(strstr(buf, "\"established\":true"));
    simple(&fx, k, TLS_EV_APPLICATION_DATA, DIR_C2S, 9);
    simple(&fx, k, TLS_EV_CLOSE, DIR_C2S, 0);
    tls_state_finish(fx.tls);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 1);
    fclose(fx.out.f);
    free(buf);
    fx_free(&fx);
}

static void test_ndjson_forgets_closed_sessions(void **state)
{
    (void)state;
    struct fixture fx;
    char *buf = NULL;
    size_t len = 0;
    fx_init(&fx, NULL, 5061);
    stream_to_memory(&fx, &buf, &len);
    struct flow_key first = conn(1000, 5061);
    for (uint16_t i = 0; i < 1000; i++) {
        struct flow_key k = conn((uint16_t)(1000 + i), 5061);
        server_side(&fx, k, &leaf, 1);
        established(&fx, k);
        simple(&fx, k, TLS_EV_CLOSE, DIR_C2S, 0);
    }
    /* the first connection closed long ago: its session is gone */
    assert_null(tls_session_for_flow(fx.tls, &first));
    struct flow_key open_k = conn(9, 5061);
    server_side(&fx, open_k, &leaf, 1);
    assert_string_equal(tls_session_for_flow(fx.tls, &open_k), "tls-1001");
    tls_state_finish(fx.tls);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 1001);
    assert_int_equal(count_substr(buf, "\"type\":\"certificate\""), 1);
    fclose(fx.out.f);
    free(buf);
    fx_free(&fx);
}

static void test_ndjson_tick_ends_idle_dtls_sessions(void **state)
{
    (void)state;
    struct fixture fx;
    char *buf = NULL;
    size_t len = 0;
    fx_init(&fx, NULL, 5061);
    stream_to_memory(&fx, &buf, &len);
    struct flow_key k = conn(5004, 5004);
    k.proto = L4_UDP;
    struct ev_tls e = { .kind = TLS_EV_CLIENT_HELLO, .conn = k, .from = DIR_C2S, .version = 0xfefd, .dtls = true };
    send_ev(&fx, &e, 1);
    tls_state_tick(fx.tls, fx.opts.now + 1000000000LL);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 0);
    /* no close comes on UDP: udp_idle_ms later the session ends */
    tls_state_tick(fx.tls, fx.opts.now + ((ts_ns)limits_default.udp_idle_ms + 2000) * 1000000LL);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 1);
    tls_state_finish(fx.tls);
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"tls_session\""), 1);
    fclose(fx.out.f);
    free(buf);
    fx_free(&fx);
}

static void test_ndjson_at_certs_max_forgets_old_certificates(void **state)
{
    (void)state;
    struct fixture fx;
    char *buf = NULL;
    size_t len = 0;
    fx_init(&fx, NULL, 443);
    struct limits lim = limits_default;
    lim.certs_max = 1;
    fx.opts.lim = &lim;
    stream_to_memory(&fx, &buf, &len);
    server_side(&fx, conn(1, 443), &leaf, 1);
    server_side(&fx, conn(2, 443), &other_leaf, 1); /* table full: leaf is forgotten */
    server_side(&fx, conn(3, 443), &leaf, 1);       /* so it is new again */
    fflush(fx.out.f);
    assert_int_equal(count_substr(buf, "\"type\":\"certificate\""), 3);
    fclose(fx.out.f);
    free(buf);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_client_certificate_on_5061_is_two_findings),
        cmocka_unit_test(test_failed_handshake_off_sip_ports_is_not_a_sip_finding),
        cmocka_unit_test(test_certificates_are_listed_once_with_every_session),
        cmocka_unit_test(test_ca_file_sets_trusted_and_reports_untrusted_chains),
        cmocka_unit_test(test_without_ca_file_trust_is_unknown),
        cmocka_unit_test(test_tls13_client_certificate_is_unknown_not_missing),
        cmocka_unit_test(test_dtls_events_from_either_side_join_one_session),
        cmocka_unit_test(test_ndjson_writes_a_session_at_handshake_end_once),
        cmocka_unit_test(test_ndjson_forgets_closed_sessions),
        cmocka_unit_test(test_ndjson_tick_ends_idle_dtls_sessions),
        cmocka_unit_test(test_ndjson_at_certs_max_forgets_old_certificates),
        cmocka_unit_test(test_sessions_keep_their_own_sni_and_chain_when_shared),
        cmocka_unit_test(test_a_fatal_alert_past_the_listed_ones_still_ends_the_handshake),
        cmocka_unit_test(test_text_blocks_point_at_findings_instead_of_repeating_them),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
