/* tls_test_certs.h: certificates with chosen properties, made with OpenSSL inside the tests. */
#ifndef SIPSEC_TLS_TEST_CERTS_H
#define SIPSEC_TLS_TEST_CERTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

struct tcert_opts {
    const char *cn;
    int rsa_bits;            /* 0: EC P-256 */
    const char *eku;         /* "serverAuth,clientAuth", NULL: no EKU extension */
    const char *crl_dp;      /* "URI:http://...", NULL: none */
    const char *san;         /* "DNS:a.example,IP:10.0.0.1", NULL: none */
    bool ca;
    long not_before_days;    /* relative to now (negative: past) */
    long not_after_days;
    X509 *issuer;            /* NULL: self-signed */
    EVP_PKEY *issuer_key;
};

struct tcert {
    X509 *x;
    EVP_PKEY *key;
    uint8_t *der;
    size_t der_len;
};

static inline EVP_PKEY *tcert_key(int rsa_bits)
{
    if (rsa_bits)
        return EVP_RSA_gen((unsigned)rsa_bits);
    return EVP_EC_gen("P-256");
}

static inline void tcert_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (e) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
}

static inline struct tcert tcert_make(const struct tcert_opts *o)
{
    struct tcert c = { 0 };
    c.key = tcert_key(o->rsa_bits);
    c.x = X509_new();
    X509_set_version(c.x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c.x), 0x1234);
    X509_time_adj_ex(X509_getm_notBefore(c.x), (int)o->not_before_days, 0, NULL);
    X509_time_adj_ex(X509_getm_notAfter(c.x), (int)o->not_after_days, 0, NULL);
    X509_set_pubkey(c.x, c.key);
    X509_NAME *nm = X509_get_subject_name(c.x);
    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"sipsec test", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)o->cn, -1, -1, 0);
    X509 *issuer = o->issuer ? o->issuer : c.x;
    X509_set_issuer_name(c.x, X509_get_subject_name(issuer));
    tcert_ext(c.x, issuer, NID_basic_constraints, o->ca ? "critical,CA:TRUE" : "CA:FALSE");
    tcert_ext(c.x, issuer, NID_subject_key_identifier, "hash");
    if (o->issuer)
        tcert_ext(c.x, issuer, NID_authority_key_identifier, "keyid");
    if (o->eku)
        tcert_ext(c.x, issuer, NID_ext_key_usage, o->eku);
    if (o->crl_dp)
        tcert_ext(c.x, issuer, NID_crl_distribution_points, o->crl_dp);
    if (o->san)
        tcert_ext(c.x, issuer, NID_subject_alt_name, o->san);
    X509_sign(c.x, o->issuer_key ? o->issuer_key : c.key, EVP_sha256());
    unsigned char *der = NULL;
    int n = i2d_X509(c.x, &der);
    c.der = malloc((size_t)n);
    memcpy(c.der, der, (size_t)n);
    c.der_len = (size_t)n;
    OPENSSL_free(der);
    return c;
}

static inline void tcert_free(struct tcert *c)
{
    X509_free(c->x);
    EVP_PKEY_free(c->key);
    free(c->der);
    memset(c, 0, sizeof *c);
}

#endif
