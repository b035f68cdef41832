/* cert_rules.c: is a certificate fit for SIP mutual TLS? Facts from docs/DOMAIN.md. */
#include "cert_rules.h"

#include <stdio.h>
#include <string.h>

enum { SUMMARY_MAX = 512, DETAIL_MAX = 1024 };

static const char *role_name(enum cert_role r)
{
    return r == CERT_ROLE_SERVER ? "server" : "client";
}

static const char *subject_of(const struct cert_check *c)
{
    if (c->xi->cn)
        return c->xi->cn;
    return c->xi->subject && c->xi->subject[0] ? c->xi->subject : c->xi->sha1;
}

static bool add(const struct cert_check *c, struct findings *fs, enum finding_code code, enum severity sev,
                const char *summary, const char *detail)
{
    struct finding_spec f = {
        .code = code,
        .severity = sev,
        .summary = summary,
        .detail = detail,
        .refs = { .tls_session = c->tls_session, .certificate = c->xi->sha1 },
    };
    if (c->frame)
        f.frames[f.n_frames++] = c->frame;
    findings_add(fs, &f);
    return true;
}

static size_t eku_rules(const struct cert_check *c, struct findings *fs)
{
    const struct x509_info *xi = c->xi;
    char s[SUMMARY_MAX], d[DETAIL_MAX];
    size_t n = 0;
    if (c->role == CERT_ROLE_SERVER && !xi->eku_server_auth && !xi->eku_any) {
        /* An absent EKU extension means "any use" to most TLS stacks, but
         * Exchange UM and OCS insist on the explicit Server Authentication. */
        enum severity sev = SEV_ERROR;
        if (!xi->has_eku)
            sev = c->profile == PROFILE_GENERIC ? SEV_WARNING : SEV_ERROR;
        snprintf(s, sizeof s,
                 "Re-issue the server certificate of %s (%s) with the Server Authentication EKU",
                 c->peer ? c->peer : "the server", subject_of(c));
        snprintf(d, sizeof d,
                 "%s. Servers in secured SIP deployments (Exchange UM, OCS, SBCs) need the Server "
                 "Authentication extended key usage (1.3.6.1.5.5.7.3.1); peers reject a server "
                 "certificate without it. Issue it from a template that includes Server Authentication "
                 "(e.g. the \"Computer\" or \"Web Server\" template).",
                 xi->has_eku ? "The certificate has an Extended Key Usage extension without serverAuth"
                             : "The certificate has no Extended Key Usage extension");
        n += add(c, fs, F_CERT_NO_SERVER_AUTH_EKU, sev, s, d);
    }
    if (c->role == CERT_ROLE_CLIENT && xi->has_eku && !xi->eku_client_auth && !xi->eku_any) {
        snprintf(s, sizeof s,
                 "Re-issue the client certificate of %s (%s) from a template with both Server "
                 "Authentication and Client Authentication",
                 c->peer ? c->peer : "the client", subject_of(c));
        snprintf(d, sizeof d,
                 "The certificate it sent as a TLS client lacks the Client Authentication EKU "
                 "(1.3.6.1.5.5.7.3.2)%s. In mutual TLS a gateway or PBX is the client of every call it "
                 "places, so the server rejects it. Gateways such as Dialogic 2000/4000 need the "
                 "\"Computer\" (v3) template, which has both; the \"Web Server\" template (server "
                 "authentication only) works only for devices that never authenticate as clients.",
                 xi->eku_server_auth ? "; it has Server Authentication only" : "");
        n += add(c, fs, F_CERT_NO_CLIENT_AUTH_EKU, SEV_ERROR, s, d);
    }
    return n;
}

static size_t validity_rules(const struct cert_check *c, struct findings *fs)
{
    const struct x509_info *xi = c->xi;
    char s[SUMMARY_MAX], d[DETAIL_MAX], nb[ISO_TIME_MAX], na[ISO_TIME_MAX], ref[ISO_TIME_MAX];
    ts_format_iso(xi->not_before, nb);
    ts_format_iso(xi->not_after, na);
    ts_format_iso(c->ref_time, ref);
    const ts_ns day = 86400LL * 1000000000LL;
    if (c->ref_time > xi->not_after) {
        snprintf(s, sizeof s, "Renew the expired %s certificate %s (expired %s)", role_name(c->role),
                 subject_of(c), na);
        snprintf(d, sizeof d,
                 "Valid %s to %s; at %s it had expired, so peers refuse the TLS handshake. Install a "
                 "renewed certificate on the %s%s.",
                 nb, na, ref, role_name(c->role), c->leaf ? "" : " chain (this is an issuing CA certificate)");
        return add(c, fs, F_CERT_EXPIRED, SEV_ERROR, s, d);
    }
    if (c->ref_time < xi->not_before) {
        snprintf(s, sizeof s, "The %s certificate %s is not valid before %s: check the clock of the "
                 "issuing CA and of both peers", role_name(c->role), subject_of(c), nb);
        snprintf(d, sizeof d, "Valid %s to %s; at %s it was not yet valid, so peers refuse it.", nb, na, ref);
        return add(c, fs, F_CERT_NOT_YET_VALID, SEV_ERROR, s, d);
    }
    if (xi->not_after - c->ref_time <= CERT_EXPIRES_SOON_DAYS * day) {
        long days = (long)((xi->not_after - c->ref_time) / day);
        snprintf(s, sizeof s, "Renew the %s certificate %s: it expires in %ld days (%s)", role_name(c->role),
                 subject_of(c), days, na);
        snprintf(d, sizeof d,
                 "Exchange UM warns from one month before a certificate expires; once it expires, "
                 "secured SIP to this peer stops.");
        return add(c, fs, F_CERT_EXPIRES_SOON, SEV_WARNING, s, d);
    }
    return 0;
}

static size_t key_rules(const struct cert_check *c, struct findings *fs)
{
    const struct x509_info *xi = c->xi;
    char s[SUMMARY_MAX], d[DETAIL_MAX];
    size_t n = 0;
    bool rsa = strncmp(xi->key_algorithm, "RSA", 3) == 0 || strcmp(xi->key_algorithm, "DSA") == 0;
    bool ec = strcmp(xi->key_algorithm, "EC") == 0;
    if ((rsa && xi->key_bits < 2048) || (ec && xi->key_bits < 256)) {
        snprintf(s, sizeof s, "Replace the %d-bit %s key of %s with a %s key", xi->key_bits, xi->key_algorithm,
                 subject_of(c), rsa ? "2048-bit or longer RSA" : "P-256 or stronger EC");
        snprintf(d, sizeof d, "RSA keys below 2048 bits and EC keys below 256 bits are breakable or "
                 "refused by current TLS stacks.%s",
                 c->profile == PROFILE_OCS2007 ? " Note: OCS 2007 itself supports keys up to 1024 bits only; "
                                                 "peers of OCS 2007 may need a separate certificate." : "");
        n += add(c, fs, F_CERT_WEAK_KEY, SEV_WARNING, s, d);
    }
    if (c->profile == PROFILE_OCS2007 && c->leaf && rsa && xi->key_bits > 1024) {
        snprintf(s, sizeof s, "Re-issue %s with a 1024-bit key for OCS 2007", subject_of(c));
        snprintf(d, sizeof d, "OCS 2007 supports certificate keys up to 1024 bits; this one has %d.",
                 xi->key_bits);
        n += add(c, fs, F_CERT_KEY_TOO_LONG, SEV_ERROR, s, d);
    }
    return n;
}

size_t cert_rules_check(const struct cert_check *c, struct findings *fs)
{
    const struct x509_info *xi = c->xi;
    char s[SUMMARY_MAX], d[DETAIL_MAX];
    size_t n = 0;
    if (c->leaf)
        n += eku_rules(c, fs);
    if (c->leaf && xi->crl_dp.n == 0) {
        snprintf(s, sizeof s, "Re-issue the %s certificate %s with a CRL distribution point",
                 role_name(c->role), subject_of(c));
        snprintf(d, sizeof d,
                 "Exchange UM and OCS require a CRL Distribution Point in server certificates: a peer "
                 "that checks revocation cannot, and refuses the certificate. Publish the CA's CRL at an "
                 "HTTP URL both peers reach and add it to the issuing template.");
        n += add(c, fs, F_CERT_NO_CRL_DP, c->profile == PROFILE_OCS2007 ? SEV_ERROR : SEV_WARNING, s, d);
    }
    if (c->leaf && xi->self_signed) {
        snprintf(s, sizeof s,
                 "The %s certificate %s is self-signed: import it into every peer's trusted root store, "
                 "or replace it with one from your PKI", role_name(c->role), subject_of(c));
        snprintf(d, sizeof d,
                 "Mutual TLS needs each side to trust the other's issuer. A self-signed certificate must "
                 "be imported as a trusted root on every peer, which scales badly; a certificate from a "
                 "PKI or commercial CA whose root is in every peer's store does not.");
        n += add(c, fs, F_CERT_SELF_SIGNED, SEV_WARNING, s, d);
    }
    n += validity_rules(c, fs);
    n += key_rules(c, fs);
    return n;
}

/* Up to three names the certificate carries (DNS SANs, then IP SANs, else its CN). */
static void carried_names(const struct x509_info *xi, char *out, size_t cap)
{
    size_t n = 0, listed = 0;
    out[0] = '\0';
    const struct x509_strs *lists[] = { &xi->san_dns, &xi->san_ip };
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n && listed < 3; i++, listed++) {
            int w = snprintf(out + n, cap - n, "%s%s", listed ? ", " : "", lists[l]->v[i]);
            if (w < 0 || (size_t)w >= cap - n)
                return;
            n += (size_t)w;
        }
    if (listed == 0)
        snprintf(out, cap, "%s", xi->cn ? xi->cn : "no host name at all");
}

/* Which header named the host, and why the holder's peer cares (RFC 5922 section 7: a SIP
 * peer checks a certificate against the name it used to reach its holder). */
static const char *name_header(enum cert_name_from f)
{
    switch (f) {
    case CERT_NAME_SNI: return "server_name (SNI)";
    case CERT_NAME_REQUEST_URI: return "Request-URI";
    case CERT_NAME_ROUTE: return "topmost Route (a loose route: the next hop)";
    case CERT_NAME_VIA: return "Via sent-by";
    case CERT_NAME_CONTACT: return "Contact";
    default: return "topmost Record-Route";
    }
}

static const char *name_why(enum cert_name_from f)
{
    switch (f) {
    case CERT_NAME_SNI:
        return "A TLS client checks the server's certificate against the name it asked for.";
    case CERT_NAME_REQUEST_URI:
    case CERT_NAME_ROUTE:
        return "The sender reached it by that name, and a SIP peer checks the certificate against the "
               "name it used (RFC 5922 section 7).";
    case CERT_NAME_VIA:
        return "Its peer takes the Via sent-by as its name: responses go there when this connection "
               "is gone (RFC 3261 section 18.2.2), over a new TLS connection checked against that name.";
    case CERT_NAME_CONTACT:
        return "Its peer sends the dialog's later requests to the Contact (the remote target), over a "
               "TLS connection checked against that name.";
    default:
        return "Its peer sends the dialog's later requests through the Record-Route entry (the route "
               "set, RFC 3261 section 12.1), over a TLS connection checked against that name "
               "(RFC 5922 section 7).";
    }
}

bool cert_rules_name(const struct cert_check *c, const struct cert_name_use *u, struct findings *fs)
{
    if (u == NULL || u->host == NULL || u->host[0] == '\0' || x509_name_matches(c->xi, u->host))
        return false;
    char s[SUMMARY_MAX], d[2 * DETAIL_MAX], names[512];
    const char *role = role_name(c->role), *other = c->role == CERT_ROLE_SERVER ? "client" : "server";
    const char *peer = c->peer ? c->peer : "";
    const char *hdr = name_header(u->from), *msg = u->message ? u->message : "message";
    bool own = u->from >= CERT_NAME_VIA; /* the holder wrote the name itself */
    carried_names(c->xi, names, sizeof names);
    if (u->from == CERT_NAME_SNI)
        snprintf(s, sizeof s, "Add %s to the server certificate %s%s%s: the client asked for it in SNI",
                 u->host, subject_of(c), peer[0] ? " of " : "", peer);
    else
        snprintf(s, sizeof s, "Add %s to the %s certificate %s%s%s: the %s of the %s %s names it", u->host,
                 role, subject_of(c), peer[0] ? " of " : "", peer, hdr, msg, own ? "it sent" : "sent to it");
    if (own) {
        char fix[DETAIL_MAX];
        if (u->from == CERT_NAME_RECORD_ROUTE)
            snprintf(fix, sizeof fix,
                     "Add %s to the SAN of the certificate the %s (the proxy or SBC that record-routed) "
                     "presents, or configure that proxy or SBC to record-route with the FQDN its "
                     "certificate carries.", u->host, role);
        else
            snprintf(fix, sizeof fix,
                     "Add %s to the SAN of the certificate the %s presents, or configure the %s with "
                     "the FQDN its certificate carries.", u->host, role, role);
        snprintf(d, sizeof d,
                 "The TLS %s%s%s put %s in the %s of the %s it sent over this connection, but the "
                 "certificate it presents (subject %s) has that name in neither a SAN nor its CN; it "
                 "carries %s. %s %s For Exchange UM the FQDN configured for the IP gateway "
                 "(Set-UMIPGateway) must be in the gateway's certificate.",
                 role, peer[0] ? " " : "", peer, u->host, hdr, msg, c->xi->subject ? c->xi->subject : "", names,
                 name_why(u->from), fix);
    } else if (u->from == CERT_NAME_SNI)
        snprintf(d, sizeof d,
                 "The client asked for %s in the SNI of its ClientHello, but the server's certificate "
                 "(subject %s) has that name in neither a SAN nor its CN; it carries %s. %s Add %s to "
                 "the SAN of the server's certificate, or configure the client with the FQDN the "
                 "certificate carries.",
                 u->host, c->xi->subject ? c->xi->subject : "", names, name_why(u->from), u->host);
    else
        snprintf(d, sizeof d,
                 "The TLS %s addressed the %s%s%s as %s in the %s of the %s it sent over this connection, "
                 "but the %s's certificate (subject %s) has that name in neither a SAN nor its CN; it "
                 "carries %s. %s Add %s to the SAN of the %s's certificate, or configure the %s to "
                 "address it by an FQDN the certificate carries. For Exchange UM the gateway must "
                 "address UM by a name in UM's certificate.",
                 other, role, peer[0] ? " " : "", peer, u->host, hdr, msg, role,
                 c->xi->subject ? c->xi->subject : "", names, name_why(u->from), u->host, role, other);
    return add(c, fs, F_CERT_NAME_MISMATCH, SEV_ERROR, s, d);
}

void cert_rules_untrusted(const struct cert_check *c, const struct x509_verdict *v, struct findings *fs)
{
    /* room for three names (256 each in the verdict) and OpenSSL's reason */
    char s[SUMMARY_MAX + 3 * sizeof v->subject], d[DETAIL_MAX + sizeof v->subject];
    const char *role = role_name(c->role), *who = subject_of(c);
    const char *at = v->subject[0] ? v->subject : who;
    const char *issuer = v->issuer[0] ? v->issuer : "its issuer";
    switch (v->fail) {
    case X509_FAIL_NO_ISSUER:
        if (v->depth == 0 && v->n_sent <= 1)
            snprintf(s, sizeof s,
                     "Configure the %s %s to send its intermediate CA certificate: it sent its certificate "
                     "alone and its issuer %s is not in --ca-file (if that issuer is a root CA, add it to "
                     "the trusted roots instead) (OpenSSL: %s)",
                     role, who, issuer, v->reason);
        else if (v->depth + 1 < v->n_sent)
            snprintf(s, sizeof s,
                     "The %s %s sent the wrong intermediate CA certificates: none of them issued %s, whose "
                     "issuer is %s (OpenSSL: %s)",
                     role, who, at, issuer, v->reason);
        else
            snprintf(s, sizeof s,
                     "Add the root CA %s to the trusted roots: the %s certificate chain of %s ends at %s, "
                     "issued by that CA, which is not in --ca-file (OpenSSL: %s)",
                     issuer, role, who, at, v->reason);
        break;
    case X509_FAIL_UNTRUSTED_ROOT:
        snprintf(s, sizeof s,
                 "The %s certificate chain of %s ends at the self-signed %s, which is not in --ca-file: "
                 "import it as a trusted root on every peer or replace it with a certificate from a "
                 "trusted CA (OpenSSL: %s)",
                 role, who, at, v->reason);
        break;
    case X509_FAIL_EXPIRED:
    case X509_FAIL_NOT_YET_VALID:
        snprintf(s, sizeof s, "The %s certificate chain of %s does not verify: %s %s; renew it (OpenSSL: %s)",
                 role, who, at, v->fail == X509_FAIL_EXPIRED ? "has expired" : "is not valid yet", v->reason);
        break;
    default:
        snprintf(s, sizeof s, "The %s certificate chain of %s does not verify against the trusted CAs at %s: %s",
                 role, who, at, v->reason);
        break;
    }
    snprintf(d, sizeof d,
             "OpenSSL verified the chain as sent (leaf first, %zu intermediate%s, untrusted) against --ca-file "
             "and failed at certificate %zu of the chain (%s): %s. Each peer of a mutual TLS connection must "
             "have the other's root CA in its trusted root store, and each side must send its intermediates.",
             v->n_sent ? v->n_sent - 1 : 0, v->n_sent == 2 ? "" : "s", v->depth + 1, at, v->reason);
    add(c, fs, F_CERT_UNTRUSTED, SEV_ERROR, s, d);
}

void cert_rules_malformed(const char *sha1, const char *err, const char *tls_session, uint64_t frame,
                          struct findings *fs)
{
    char s[SUMMARY_MAX];
    snprintf(s, sizeof s, "A certificate in a TLS handshake is malformed (%s)", err);
    struct finding_spec f = {
        .code = F_CERT_MALFORMED,
        .severity = finding_default_severity(F_CERT_MALFORMED),
        .summary = s,
        .detail = "The bytes in the Certificate message are not a valid DER X.509 certificate; a peer will "
                  "refuse it. Check the certificate file installed on the sender.",
        .refs = { .tls_session = tls_session, .certificate = sha1 },
    };
    if (frame)
        f.frames[f.n_frames++] = frame;
    findings_add(fs, &f);
}
