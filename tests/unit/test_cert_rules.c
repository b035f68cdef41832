/* test_cert_rules.c: the CERT_* rules and their profiles (analyze/cert_rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cert_rules.h"
#include "tls_test_certs.h"

static const ts_ns DAY = 86400LL * 1000000000LL;

struct parsed {
    struct tcert c;
    struct x509_info xi;
};

/* Leaves are issued by this root unless a test wants them self-signed. */
static struct tcert root;

static int make_root(void **state)
{
    (void)state;
    struct tcert_opts ro = { .cn = "Test Root", .rsa_bits = 2048, .ca = true, .not_before_days = -1000,
                             .not_after_days = 3650 };
    root = tcert_make(&ro);
    return 0;
}

static int free_root(void **state)
{
    (void)state;
    tcert_free(&root);
    return 0;
}

static void make(struct parsed *p, const struct tcert_opts *o)
{
    char err[128];
    struct tcert_opts issued = *o;
    if (issued.issuer == NULL) {
        issued.issuer = root.x;
        issued.issuer_key = root.key;
    }
    p->c = tcert_make(&issued);
    assert_true(x509_parse(p->c.der, p->c.der_len, &p->xi, err, sizeof err));
}

static void drop(struct parsed *p)
{
    x509_info_free(&p->xi);
    tcert_free(&p->c);
}

/* Severity of the first finding with this code, or -1 when none. */
static int sev_of(const struct findings *fs, enum finding_code code)
{
    for (size_t i = 0; i < findings_count(fs); i++)
        if (finding_code(findings_at(fs, i)) == code)
            return (int)finding_severity(findings_at(fs, i));
    return -1;
}

static struct findings *run(const struct parsed *p, enum cert_role role, enum profile prof, ts_ns ref)
{
    struct findings *fs = findings_new(100, NULL, NULL);
    struct cert_check c = { .xi = &p->xi, .role = role, .leaf = true, .profile = prof, .ref_time = ref,
                            .tls_session = "tls-1", .peer = "10.0.0.1:5061", .frame = 4 };
    cert_rules_check(&c, fs);
    return fs;
}

static ts_ns now(void)
{
    return (ts_ns)time(NULL) * 1000000000LL;
}

static void test_server_cert_with_client_auth_only_is_an_error(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "um.example.com", .rsa_bits = 2048, .eku = "clientAuth",
                            .crl_dp = "URI:http://x/c.crl", .not_before_days = -10, .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_SERVER_AUTH_EKU), SEV_ERROR);
    assert_int_equal(sev_of(fs, F_CERT_NO_CLIENT_AUTH_EKU), -1);
    findings_free(fs);
    drop(&p);
}

static void test_absent_eku_is_a_warning_in_generic_and_an_error_for_exchange(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "um.example.com", .rsa_bits = 2048, .crl_dp = "URI:http://x/c.crl",
                            .not_before_days = -10, .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_SERVER_AUTH_EKU), SEV_WARNING);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_EXCHANGE_UM, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_SERVER_AUTH_EKU), SEV_ERROR);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_OCS2007, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_SERVER_AUTH_EKU), SEV_ERROR);
    findings_free(fs);
    /* a client certificate without EKU may be used for anything */
    fs = run(&p, CERT_ROLE_CLIENT, PROFILE_EXCHANGE_UM, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_CLIENT_AUTH_EKU), -1);
    findings_free(fs);
    drop(&p);
}

static void test_client_cert_with_server_auth_only_says_use_both_ekus(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "gw.example.com", .rsa_bits = 2048, .eku = "serverAuth",
                            .crl_dp = "URI:http://x/c.crl", .not_before_days = -10, .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = run(&p, CERT_ROLE_CLIENT, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_CLIENT_AUTH_EKU), SEV_ERROR);
    assert_non_null(strstr(finding_summary(findings_at(fs, 0)), "both Server Authentication and Client Authentication"));
    assert_int_equal(findings_count(fs), 1);
    findings_free(fs);
    drop(&p);
}

static void test_missing_crl_dp_is_an_error_only_for_ocs2007(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "edge.example.com", .rsa_bits = 1024, .eku = "serverAuth",
                            .not_before_days = -10, .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_CRL_DP), SEV_WARNING);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_OCS2007, now());
    assert_int_equal(sev_of(fs, F_CERT_NO_CRL_DP), SEV_ERROR);
    findings_free(fs);
    drop(&p);
}

static void test_validity_is_judged_at_the_reference_time(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "um.example.com", .rsa_bits = 2048, .eku = "serverAuth",
                            .crl_dp = "URI:http://x/c.crl", .not_before_days = 0, .not_after_days = 100 };
    make(&p, &o);
    struct findings *fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, p.xi.not_after + DAY);
    assert_int_equal(sev_of(fs, F_CERT_EXPIRED), SEV_ERROR);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, p.xi.not_before - DAY);
    assert_int_equal(sev_of(fs, F_CERT_NOT_YET_VALID), SEV_ERROR);
    assert_int_equal(sev_of(fs, F_CERT_EXPIRED), -1);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, p.xi.not_after - 29 * DAY);
    assert_int_equal(sev_of(fs, F_CERT_EXPIRES_SOON), SEV_WARNING);
    findings_free(fs);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, p.xi.not_after - 31 * DAY);
    assert_int_equal(findings_count(fs), 0);
    findings_free(fs);
    drop(&p);
}

static void test_key_sizes_per_profile(void **state)
{
    (void)state;
    struct parsed weak, strong, ec;
    struct tcert_opts o = { .cn = "k", .rsa_bits = 1024, .eku = "serverAuth", .crl_dp = "URI:http://x/c.crl",
                            .not_before_days = -1, .not_after_days = 300 };
    make(&weak, &o);
    o.rsa_bits = 2048;
    make(&strong, &o);
    o.rsa_bits = 0;
    make(&ec, &o);
    struct findings *fs = run(&weak, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_WEAK_KEY), SEV_WARNING);
    findings_free(fs);
    fs = run(&strong, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(findings_count(fs), 0);
    findings_free(fs);
    fs = run(&strong, CERT_ROLE_SERVER, PROFILE_OCS2007, now());
    assert_int_equal(sev_of(fs, F_CERT_KEY_TOO_LONG), SEV_ERROR);
    findings_free(fs);
    fs = run(&ec, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_WEAK_KEY), -1);
    findings_free(fs);
    drop(&weak);
    drop(&strong);
    drop(&ec);
}

static void test_self_signed_leaf_is_flagged(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "pbx", .rsa_bits = 2048, .eku = "serverAuth", .crl_dp = "URI:http://x/c.crl",
                            .not_before_days = -1, .not_after_days = 300 };
    char err[128];
    p.c = tcert_make(&o); /* no issuer: self-signed */
    assert_true(x509_parse(p.c.der, p.c.der_len, &p.xi, err, sizeof err));
    struct findings *fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_SELF_SIGNED), SEV_WARNING);
    assert_int_equal(findings_count(fs), 1);
    findings_free(fs);
    drop(&p);
    make(&p, &o);
    fs = run(&p, CERT_ROLE_SERVER, PROFILE_GENERIC, now());
    assert_int_equal(sev_of(fs, F_CERT_SELF_SIGNED), -1);
    findings_free(fs);
    drop(&p);
}

static void test_name_mismatch_against_sni(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "um.example.com", .rsa_bits = 2048, .san = "DNS:um.example.com",
                            .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = findings_new(10, NULL, NULL);
    struct cert_check c = { .xi = &p.xi, .role = CERT_ROLE_SERVER, .leaf = true, .ref_time = now() };
    struct cert_name_use ok = { .host = "um.example.com", .from = CERT_NAME_SNI };
    struct cert_name_use bad = { .host = "um2.example.com", .from = CERT_NAME_SNI };
    assert_false(cert_rules_name(&c, &ok, fs));
    assert_true(cert_rules_name(&c, &bad, fs));
    assert_int_equal(sev_of(fs, F_CERT_NAME_MISMATCH), SEV_ERROR);
    assert_int_equal(findings_count(fs), 1);
    findings_free(fs);
    drop(&p);
}

/* The summary says which header of which message named the host and whose certificate lacks it. */
static void test_name_mismatch_says_which_header_named_the_host(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "gw.example.com", .rsa_bits = 2048, .san = "DNS:gw.example.com",
                            .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs = findings_new(10, NULL, NULL);
    struct cert_check c = { .xi = &p.xi, .role = CERT_ROLE_CLIENT, .leaf = true, .ref_time = now(),
                            .peer = "10.0.0.1:40000" };
    struct cert_name_use rr = { .host = "sbc.example.com", .from = CERT_NAME_RECORD_ROUTE, .message = "INVITE" };
    struct cert_name_use ruri = { .host = "10.0.0.1", .from = CERT_NAME_REQUEST_URI, .message = "BYE" };
    struct cert_name_use via = { .host = "GW.example.com", .from = CERT_NAME_VIA, .message = "INVITE" };
    assert_true(cert_rules_name(&c, &rr, fs));
    assert_true(cert_rules_name(&c, &ruri, fs));
    assert_false(cert_rules_name(&c, &via, fs)); /* names compare case-insensitively */
    assert_int_equal(findings_count(fs), 2);
    assert_string_equal(finding_summary(findings_at(fs, 0)),
                        "Add sbc.example.com to the client certificate gw.example.com of 10.0.0.1:40000: the "
                        "topmost Record-Route of the INVITE it sent names it");
    assert_string_equal(finding_summary(findings_at(fs, 1)),
                        "Add 10.0.0.1 to the client certificate gw.example.com of 10.0.0.1:40000: the "
                        "Request-URI of the BYE sent to it names it");
    findings_free(fs);
    drop(&p);
}

/* CERT_UNTRUSTED says what to change, by why the chain failed. */
static const char *untrusted_summary(const struct parsed *p, const struct x509_verdict *v, struct findings **fs)
{
    *fs = findings_new(100, NULL, NULL);
    struct cert_check c = { .xi = &p->xi, .role = CERT_ROLE_SERVER, .leaf = true, .ref_time = now(),
                            .tls_session = "tls-1", .peer = "10.0.0.1:5061", .frame = 4 };
    cert_rules_untrusted(&c, v, *fs);
    assert_int_equal(findings_count(*fs), 1);
    assert_int_equal(finding_code(findings_at(*fs, 0)), F_CERT_UNTRUSTED);
    assert_int_equal(finding_severity(findings_at(*fs, 0)), SEV_ERROR);
    return finding_summary(findings_at(*fs, 0));
}

static void test_untrusted_chain_advice_follows_the_failure(void **state)
{
    (void)state;
    struct parsed p;
    struct tcert_opts o = { .cn = "um.example.com", .rsa_bits = 2048, .eku = "serverAuth", .not_after_days = 300 };
    make(&p, &o);
    struct findings *fs;
    struct x509_verdict v = { .fail = X509_FAIL_NO_ISSUER, .depth = 0, .n_sent = 1,
                              .reason = "unable to get local issuer certificate",
                              .subject = "CN=um.example.com", .issuer = "CN=Issuing CA" };
    const char *s = untrusted_summary(&p, &v, &fs);
    assert_non_null(strstr(s, "to send its intermediate CA certificate"));
    assert_non_null(strstr(s, "CN=Issuing CA"));
    assert_non_null(strstr(s, "(OpenSSL: unable to get local issuer certificate)"));
    findings_free(fs);
    /* a complete chain whose root is not trusted */
    v.depth = 1;
    v.n_sent = 2;
    snprintf(v.subject, sizeof v.subject, "CN=Issuing CA");
    snprintf(v.issuer, sizeof v.issuer, "CN=Root CA");
    s = untrusted_summary(&p, &v, &fs);
    assert_non_null(strstr(s, "Add the root CA CN=Root CA to the trusted roots"));
    findings_free(fs);
    /* intermediates sent, but not the leaf's issuer */
    v.depth = 0;
    v.n_sent = 3;
    snprintf(v.subject, sizeof v.subject, "CN=um.example.com");
    snprintf(v.issuer, sizeof v.issuer, "CN=Issuing CA 2");
    s = untrusted_summary(&p, &v, &fs);
    assert_non_null(strstr(s, "sent the wrong intermediate CA certificates"));
    findings_free(fs);
    v = (struct x509_verdict){ .fail = X509_FAIL_UNTRUSTED_ROOT, .n_sent = 1, .reason = "self-signed certificate",
                               .subject = "CN=um.example.com" };
    s = untrusted_summary(&p, &v, &fs);
    assert_non_null(strstr(s, "import it as a trusted root"));
    findings_free(fs);
    v = (struct x509_verdict){ .fail = X509_FAIL_EXPIRED, .n_sent = 2, .reason = "certificate has expired",
                               .subject = "CN=um.example.com" };
    s = untrusted_summary(&p, &v, &fs);
    assert_non_null(strstr(s, "has expired; renew it"));
    findings_free(fs);
    drop(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_cert_with_client_auth_only_is_an_error),
        cmocka_unit_test(test_absent_eku_is_a_warning_in_generic_and_an_error_for_exchange),
        cmocka_unit_test(test_client_cert_with_server_auth_only_says_use_both_ekus),
        cmocka_unit_test(test_missing_crl_dp_is_an_error_only_for_ocs2007),
        cmocka_unit_test(test_validity_is_judged_at_the_reference_time),
        cmocka_unit_test(test_key_sizes_per_profile),
        cmocka_unit_test(test_self_signed_leaf_is_flagged),
        cmocka_unit_test(test_name_mismatch_against_sni),
        cmocka_unit_test(test_name_mismatch_says_which_header_named_the_host),
        cmocka_unit_test(test_untrusted_chain_advice_follows_the_failure),
    };
    return cmocka_run_group_tests(tests, make_root, free_root);
}
