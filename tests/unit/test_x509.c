/* test_x509.c: certificate fields, self-signed, names and chain verification (dissect/x509.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tls_test_certs.h"
#include "x509.h"

static struct tcert gateway(void)
{
    struct tcert_opts o = { .cn = "gw.example.com", .rsa_bits = 2048, .eku = "serverAuth,clientAuth",
                            .crl_dp = "URI:http://pki.example.com/ca.crl",
                            .san = "DNS:gw.example.com,DNS:*.voice.example.com,IP:10.0.0.7",
                            .not_before_days = -1, .not_after_days = 365 };
    return tcert_make(&o);
}

static void test_fields_of_gateway_certificate(void **state)
{
    (void)state;
    struct tcert c = gateway();
    struct x509_info xi;
    char err[128];
    assert_true(x509_parse(c.der, c.der_len, &xi, err, sizeof err));
    assert_string_equal(xi.subject, "CN=gw.example.com,O=sipsec test");
    assert_string_equal(xi.subject, xi.issuer);
    assert_string_equal(xi.cn, "gw.example.com");
    assert_string_equal(xi.serial, "1234");
    assert_string_equal(xi.key_algorithm, "RSA");
    assert_int_equal(xi.key_bits, 2048);
    assert_string_equal(xi.signature_algorithm, "sha256WithRSAEncryption");
    assert_true(xi.has_eku);
    assert_int_equal(xi.eku.n, 2);
    assert_string_equal(xi.eku.v[0], "serverAuth");
    assert_string_equal(xi.eku.v[1], "clientAuth");
    assert_true(xi.eku_server_auth && xi.eku_client_auth);
    assert_int_equal(xi.crl_dp.n, 1);
    assert_string_equal(xi.crl_dp.v[0], "http://pki.example.com/ca.crl");
    assert_int_equal(xi.san_dns.n, 2);
    assert_string_equal(xi.san_ip.v[0], "10.0.0.7");
    assert_false(xi.is_ca);
    assert_true(xi.self_signed);
    assert_true(xi.not_after - xi.not_before > 365LL * 86400 * 1000000000LL);
    assert_int_equal(strlen(xi.sha1), 40);
    assert_int_equal(strlen(xi.sha256), 64);
    x509_info_free(&xi);
    tcert_free(&c);
}

static void test_absent_eku_is_not_an_empty_eku(void **state)
{
    (void)state;
    struct tcert_opts o = { .cn = "noeku", .rsa_bits = 0, .not_after_days = 10 };
    struct tcert c = tcert_make(&o);
    struct x509_info xi;
    char err[128];
    assert_true(x509_parse(c.der, c.der_len, &xi, err, sizeof err));
    assert_false(xi.has_eku);
    assert_int_equal(xi.eku.n, 0);
    assert_string_equal(xi.key_algorithm, "EC");
    assert_int_equal(xi.key_bits, 256);
    assert_int_equal(xi.crl_dp.n, 0);
    x509_info_free(&xi);
    tcert_free(&c);
}

static void test_ca_issued_leaf_is_not_self_signed(void **state)
{
    (void)state;
    struct tcert_opts ro = { .cn = "Test Root", .rsa_bits = 2048, .ca = true, .not_after_days = 3650 };
    struct tcert root = tcert_make(&ro);
    struct tcert_opts lo = { .cn = "leaf", .rsa_bits = 2048, .eku = "serverAuth", .not_after_days = 30,
                             .issuer = root.x, .issuer_key = root.key };
    struct tcert leaf = tcert_make(&lo);
    struct x509_info xi, ri;
    char err[128];
    assert_true(x509_parse(leaf.der, leaf.der_len, &xi, err, sizeof err));
    assert_true(x509_parse(root.der, root.der_len, &ri, err, sizeof err));
    assert_false(xi.self_signed);
    assert_string_equal(xi.issuer, "CN=Test Root,O=sipsec test");
    assert_true(ri.self_signed);
    assert_true(ri.is_ca);
    x509_info_free(&xi);
    x509_info_free(&ri);
    tcert_free(&leaf);
    tcert_free(&root);
}

static void test_malformed_der_is_an_error_with_a_thumbprint(void **state)
{
    (void)state;
    struct tcert c = gateway();
    struct x509_info xi;
    char err[128] = "";
    assert_false(x509_parse(c.der, c.der_len - 10, &xi, err, sizeof err));
    assert_true(strlen(err) > 0);
    assert_int_equal(strlen(xi.sha1), 40);
    assert_null(xi.subject);
    static const uint8_t junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01 };
    assert_false(x509_parse(junk, sizeof junk, &xi, err, sizeof err));
    assert_false(x509_parse(junk, 0, &xi, err, sizeof err));
    tcert_free(&c);
}

static void test_name_matching_uses_san_and_single_label_wildcards(void **state)
{
    (void)state;
    struct tcert c = gateway();
    struct x509_info xi;
    char err[128];
    assert_true(x509_parse(c.der, c.der_len, &xi, err, sizeof err));
    assert_true(x509_name_matches(&xi, "gw.example.com"));
    assert_true(x509_name_matches(&xi, "GW.Example.COM"));
    assert_true(x509_name_matches(&xi, "um1.voice.example.com"));
    assert_false(x509_name_matches(&xi, "a.b.voice.example.com"));
    assert_false(x509_name_matches(&xi, "voice.example.com"));
    assert_true(x509_name_matches(&xi, "10.0.0.7"));
    assert_false(x509_name_matches(&xi, "um.example.com"));
    x509_info_free(&xi);
    tcert_free(&c);
}

static void test_embedded_nul_in_san_never_matches_the_prefix(void **state)
{
    (void)state;
    struct tcert_opts o = { .cn = "x", .rsa_bits = 0, .not_after_days = 10 };
    struct tcert c = tcert_make(&o);
    /* SAN dNSName "gw.example.com\0.evil.example", signed again */
    GENERAL_NAMES *names = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, "gw.example.com\0.evil.example", 28);
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names, gn);
    X509_add1_ext_i2d(c.x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT);
    GENERAL_NAMES_free(names);
    X509_sign(c.x, c.key, EVP_sha256());
    unsigned char *der = NULL;
    int n = i2d_X509(c.x, &der);
    struct x509_info xi;
    char err[128];
    assert_true(x509_parse(der, (size_t)n, &xi, err, sizeof err));
    assert_int_equal(xi.san_dns.n, 1);
    assert_int_equal(strlen(xi.san_dns.v[0]), 28);
    assert_false(x509_name_matches(&xi, "gw.example.com"));
    x509_info_free(&xi);
    OPENSSL_free(der);
    tcert_free(&c);
}

static void test_chain_verifies_only_against_its_own_root(void **state)
{
    (void)state;
    struct tcert_opts ro = { .cn = "Root", .rsa_bits = 2048, .ca = true, .not_after_days = 3650 };
    struct tcert root = tcert_make(&ro);
    struct tcert_opts io = { .cn = "Issuing", .rsa_bits = 2048, .ca = true, .not_after_days = 1000,
                             .issuer = root.x, .issuer_key = root.key };
    struct tcert inter = tcert_make(&io);
    struct tcert_opts lo = { .cn = "leaf", .rsa_bits = 2048, .eku = "serverAuth", .not_after_days = 300,
                             .issuer = inter.x, .issuer_key = inter.key };
    struct tcert leaf = tcert_make(&lo);
    struct tcert_opts oo = { .cn = "Other Root", .rsa_bits = 2048, .ca = true, .not_after_days = 3650 };
    struct tcert other = tcert_make(&oo);

    char path[] = "/tmp/sipsec-test-ca-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    PEM_write_X509(f, root.x);
    fclose(f);
    char err[256];
    void *store = x509_store_load(path, err, sizeof err);
    assert_non_null(store);

    struct span chain[2] = { { leaf.der, leaf.der_len }, { inter.der, inter.der_len } };
    ts_ns now = (ts_ns)time(NULL) * 1000000000LL;
    struct x509_verdict v;
    assert_true(x509_verify_chain(store, chain, 2, now, &v));
    assert_int_equal(v.fail, X509_FAIL_NONE);
    /* without the intermediate the chain is incomplete: it fails at the leaf, whose issuer is missing */
    assert_false(x509_verify_chain(store, chain, 1, now, &v));
    assert_string_equal(v.reason, "unable to get local issuer certificate");
    assert_int_equal(v.fail, X509_FAIL_NO_ISSUER);
    assert_int_equal(v.depth, 0);
    assert_int_equal(v.n_sent, 1);
    assert_non_null(strstr(v.issuer, "CN=Issuing"));
    /* judged at a time after the leaf expired */
    assert_false(x509_verify_chain(store, chain, 2, now + 400LL * 86400 * 1000000000LL, &v));
    assert_string_equal(v.reason, "certificate has expired");
    assert_int_equal(v.fail, X509_FAIL_EXPIRED);
    x509_store_free(store);

    f = fopen(path, "w");
    PEM_write_X509(f, other.x);
    fclose(f);
    store = x509_store_load(path, err, sizeof err);
    /* another root in the file: the chain ends at the intermediate, whose issuer is not trusted */
    assert_false(x509_verify_chain(store, chain, 2, now, &v));
    assert_int_equal(v.fail, X509_FAIL_NO_ISSUER);
    assert_int_equal(v.depth, 1);
    assert_non_null(strstr(v.subject, "CN=Issuing"));
    assert_non_null(strstr(v.issuer, "CN=Root"));
    x509_store_free(store);
    unlink(path);
    assert_null(x509_store_load("/nonexistent/ca.pem", err, sizeof err));
    tcert_free(&leaf);
    tcert_free(&inter);
    tcert_free(&root);
    tcert_free(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_of_gateway_certificate),
        cmocka_unit_test(test_absent_eku_is_not_an_empty_eku),
        cmocka_unit_test(test_ca_issued_leaf_is_not_self_signed),
        cmocka_unit_test(test_malformed_der_is_an_error_with_a_thumbprint),
        cmocka_unit_test(test_name_matching_uses_san_and_single_label_wildcards),
        cmocka_unit_test(test_embedded_nul_in_san_never_matches_the_prefix),
        cmocka_unit_test(test_chain_verifies_only_against_its_own_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
