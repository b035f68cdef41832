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

/*
 * Where a name the certificate must carry came from. The first three are
 * what the other side calls the certificate's holder (it sent them to the
 * holder); the last three are the holder's own name in a message it sent.
 */
enum cert_name_from {
    CERT_NAME_SNI,          /* the server_name of the client's ClientHello */
    CERT_NAME_REQUEST_URI,  /* the Request-URI host of a request sent to the holder */
    CERT_NAME_ROUTE,        /* the topmost loose Route of a request sent to the holder: the next hop */
    CERT_NAME_VIA,          /* the Via sent-by of a request the holder sent */
    CERT_NAME_CONTACT,      /* the Contact of a message the holder sent */
    CERT_NAME_RECORD_ROUTE, /* the topmost Record-Route of a request the holder forwarded */
};

struct cert_name_use {
    const char *host;       /* as the message wrote it (an IP literal in canonical form) */
    enum cert_name_from from;
    const char *message;    /* "INVITE", "200 response to INVITE"; NULL for SNI */
};

/* CERT_NAME_MISMATCH when u->host is in neither SAN nor CN of c's
 * certificate: which header of which message named it, whose certificate
 * lacks it and what to change. Returns whether it fired. */
bool cert_rules_name(const struct cert_check *c, const struct cert_name_use *u, struct findings *fs);

/* CERT_UNTRUSTED for a chain that did not verify with --ca-file: what to
 * change, by why it failed (v from x509_verify_chain). */
void cert_rules_untrusted(const struct cert_check *c, const struct x509_verdict *v, struct findings *fs);

/* CERT_MALFORMED: bytes in a Certificate message that are not a certificate. */
void cert_rules_malformed(const char *sha1, const char *err, const char *tls_session, uint64_t frame,
                          struct findings *fs);

#endif
