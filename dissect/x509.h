/* x509.h: the certificate facts sipsec reports, decoded with OpenSSL (RFC 5280). */
#ifndef SIPSEC_X509_H
#define SIPSEC_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "netaddr.h"

/* Longer lists are cut (and counted in truncated) so a hostile certificate
 * with thousands of SANs costs bounded memory. */
enum { X509_LIST_MAX = 64, X509_STR_MAX = 1024 };

/* v grows as entries arrive (most lists hold 0-2 strings): an empty list
 * costs 16 bytes, not 64 pointers. */
struct x509_strs {
    char **v;
    uint16_t n, cap;
    uint32_t truncated;
};

struct x509_info {
    char sha1[41], sha256[65];
    char *subject, *issuer; /* RFC 4514 (RFC 2253 order: most specific first) */
    char *cn;               /* last CN of the subject, NULL if none */
    char serial[80];        /* hex, upper case, as OpenSSL prints it */
    ts_ns not_before, not_after;
    char key_algorithm[16]; /* "RSA", "EC", "DSA", "Ed25519", ... */
    int key_bits;
    char signature_algorithm[64];
    bool has_eku;           /* false: no EKU extension (eku is empty) */
    struct x509_strs eku;   /* "serverAuth", "clientAuth", or the dotted OID */
    bool eku_server_auth, eku_client_auth, eku_any;
    struct x509_strs crl_dp;
    struct x509_strs san_dns, san_ip, san_uri;
    bool is_ca, self_signed;
    bool self_signature_ok; /* self-issued and its signature verifies with its own key */
};

/* Decode DER; false (and err filled, *out zeroed) when it is not a
 * certificate. The hashes are filled even then, so a malformed certificate
 * can still be named. */
bool x509_parse(const uint8_t *der, size_t n, struct x509_info *out, char *err, size_t err_len);
void x509_info_free(struct x509_info *xi);

/* SHA-1 hex of any bytes (a malformed certificate's name). */
void x509_sha1_hex(const uint8_t *p, size_t n, char out[41]);
/* The same digest as 20 bytes (all zero if the digest failed), and its hex. */
void x509_sha1(const uint8_t *p, size_t n, uint8_t out[20]);
void x509_hex(const uint8_t *p, size_t n, char *out); /* out holds 2n+1 */

/* Does host match a SAN dNSName (wildcard in the leftmost label only) or,
 * when there are no DNS SANs, the CN? Case-insensitive (RFC 6125). */
bool x509_name_matches(const struct x509_info *xi, const char *host);

/* Trust anchors from a PEM file; NULL with err filled on failure. The
 * returned pointer is an X509_STORE *. */
void *x509_store_load(const char *pem_file, char *err, size_t err_len);
void x509_store_free(void *store);
/* Why a chain did not verify, in classes a person acts on differently. */
enum x509_fail {
    X509_FAIL_NONE,          /* it verified */
    X509_FAIL_NO_ISSUER,     /* a certificate's issuer was neither sent nor trusted */
    X509_FAIL_UNTRUSTED_ROOT, /* it ends at a self-signed certificate that is not trusted */
    X509_FAIL_EXPIRED,
    X509_FAIL_NOT_YET_VALID,
    X509_FAIL_SIGNATURE,     /* a signature does not verify */
    X509_FAIL_NOT_A_CA,      /* an issuer is not allowed to issue (basicConstraints, path length) */
    X509_FAIL_OTHER,
};

struct x509_verdict {
    enum x509_fail fail;
    int error;               /* OpenSSL's X509_V_ERR_* (0 when it verified) */
    size_t depth;            /* position in the chain of the certificate it failed at, 0 = leaf */
    size_t n_sent;           /* certificates given: the leaf and the intermediates after it */
    char reason[128];        /* OpenSSL's X509_verify_cert_error_string */
    char subject[256], issuer[256]; /* of the certificate it failed at (RFC 4514), "" if none */
};

/* Verify ders[0] with ders[1..n) as untrusted intermediates at time at.
 * Returns true when it verifies; v says why not otherwise. */
bool x509_verify_chain(void *store, const struct span *ders, size_t n, ts_ns at, struct x509_verdict *v);

#endif
