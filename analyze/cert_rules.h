/* cert_rules.h: the SPEC's CERT_* rules for one certificate, per profile. */
#ifndef SIPSEC_CERT_RULES_H
#define SIPSEC_CERT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "findings.h"
#include "x509.h"

enum cert_role { CERT_ROLE_SERVER, CERT_ROLE_CLIENT };

/* One certificate as it was presented in a handshake. */
struct cert_check {
    const struct x509_info *xi;
    enum cert_role role;
    bool leaf;                 /* first of its chain */
    enum profile profile;
    ts_ns ref_time;            /* capture time of the carrying packet, or --now */
    const char *tls_session;   /* "tls-3", for refs */
    const char *peer;          /* "10.0.0.1:5061", who presented it, for summaries */
    uint64_t frame;
};

/* Days before expiry at which CERT_EXPIRES_SOON fires (Exchange UM warns
 * from one month before expiry). */
enum { CERT_EXPIRES_SOON_DAYS = 30 };

/* Adds every intrinsic finding (EKU, CRL DP, self-signed, validity, key
 * size) for c to fs; returns how many it added. */
size_t cert_rules_check(const struct cert_check *c, struct findings *fs);

/* CERT_NAME_MISMATCH when host (SNI, or the SIP host the connection
 * serves) is in neither SAN nor CN; returns whether it fired. */
bool cert_rules_name(const struct cert_check *c, const char *host, const char *host_source,
                     struct findings *fs);

/* CERT_UNTRUSTED for a chain that did not verify with --ca-file: what to
 * change, by why it failed (v from x509_verify_chain). */
void cert_rules_untrusted(const struct cert_check *c, const struct x509_verdict *v, struct findings *fs);

/* CERT_MALFORMED: bytes in a Certificate message that are not a certificate. */
void cert_rules_malformed(const char *sha1, const char *err, const char *tls_session, uint64_t frame,
                          struct findings *fs);

#endif
