/* x509.c: certificate fields via OpenSSL; DER comes from captured bytes, so every call may fail. */
#include "x509.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void x509_hex(const uint8_t *p, size_t n, char *out)
{
    hex(p, n, out);
}

/* The SHA-1 of every certificate of every handshake is on the packet path:
 * fetch the implementation and allocate the context once (EVP_Digest with
 * EVP_sha1() fetches and allocates on each call, most of its cost for a
 * 1 KB certificate). Single-threaded, like the pipeline. */
void x509_sha1(const uint8_t *p, size_t n, uint8_t out[20])
{
    static EVP_MD *md;
    static EVP_MD_CTX *ctx;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (md == NULL)
        md = EVP_MD_fetch(NULL, "SHA1", NULL);
    if (ctx == NULL)
        ctx = EVP_MD_CTX_new();
    if (md == NULL || ctx == NULL || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, p, n) ||
        !EVP_DigestFinal_ex(ctx, d, &len) || len != 20) {
        memset(out, 0, 20);
        return;
    }
    memcpy(out, d, 20);
}

void x509_sha1_hex(const uint8_t *p, size_t n, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(p, n, md, &len, EVP_sha1(), NULL) || len != 20) {
        out[0] = '\0';
        return;
    }
    hex(md, 20, out);
}

static void strs_add(struct x509_strs *l, const char *s, size_t n)
{
    if (l->n == X509_LIST_MAX) {
        l->truncated++;
        return;
    }
    if (n > X509_STR_MAX)
        n = X509_STR_MAX;
    if (l->n == l->cap) {
        uint16_t nc = l->cap ? (uint16_t)(l->cap * 2) : 2;
        if (nc > X509_LIST_MAX)
            nc = X509_LIST_MAX;
        char **nv = realloc(l->v, nc * sizeof *nv);
        if (nv == NULL)
            return;
        l->v = nv;
        l->cap = nc;
    }
    char *c = malloc(n + 1);
    if (c == NULL)
        return;
    /* An embedded NUL ("good.example\0.evil.example") must not shorten
     * the name a peer is matched against: it becomes '?'. */
    for (size_t i = 0; i < n; i++)
        c[i] = s[i] ? s[i] : '?';
    c[n] = '\0';
    l->v[l->n++] = c;
}

static void strs_free(struct x509_strs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* RFC 4514 string of a name; malloc'd. */
static char *name_string(const X509_NAME *nm)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return NULL;
    X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253);
    char *data = NULL;
    long len = BIO_get_mem_data(b, &data);
    if (len < 0)
        len = 0;
    if (len > X509_STR_MAX)
        len = X509_STR_MAX;
    char *s = malloc((size_t)len + 1);
    if (s) {
        if (len)
            memcpy(s, data, (size_t)len);
        s[len] = '\0';
    }
    BIO_free(b);
    return s;
}

static ts_ns asn1_time_ns(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
        return 0;
    return (ts_ns)timegm(&tm) * 1000000000LL;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void read_key(X509 *x, struct x509_info *out)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk == NULL) {
        copy_str(out->key_algorithm, sizeof out->key_algorithm, "unknown");
        return;
    }
    out->key_bits = EVP_PKEY_get_bits(pk);
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: copy_str(out->key_algorithm, sizeof out->key_algorithm, "RSA"); break;
    case EVP_PKEY_RSA_PSS: copy_str(out->key_algorithm, sizeof out->key_algorithm, "RSA-PSS"); break;
    case EVP_PKEY_EC: copy_str(out->key_algorithm, sizeof out->key_algorithm, "EC"); break;
    case EVP_PKEY_DSA: copy_str(out->key_algorithm, sizeof out->key_algorithm, "DSA"); break;
    case EVP_PKEY_ED25519: copy_str(out->key_algorithm, sizeof out->key_algorithm, "Ed25519"); break;
    case EVP_PKEY_ED448: copy_str(out->key_algorithm, sizeof out->key_algorithm, "Ed448"); break;
    default: copy_str(out->key_algorithm, sizeof out->key_algorithm, "unknown"); break;
    }
}

static void read_eku(X509 *x, struct x509_info *out)
{
    int crit = 0;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
    out->has_eku = eku != NULL || crit != -1;
    if (eku == NULL)
        return;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
        int nid = OBJ_obj2nid(o);
        char buf[128];
        if (nid == NID_server_auth)
            out->eku_server_auth = true;
        else if (nid == NID_client_auth)
            out->eku_client_auth = true;
        else if (nid == NID_anyExtendedKeyUsage)
            out->eku_any = true;
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (sn)
            strs_add(&out->eku, sn, strlen(sn));
        else if (OBJ_obj2txt(buf, sizeof buf, o, 1) > 0)
            strs_add(&out->eku, buf, strlen(buf));
    }
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static void add_ia5(struct x509_strs *l, const ASN1_IA5STRING *s)
{
    if (s && s->length > 0)
        strs_add(l, (const char *)s->data, (size_t)s->length);
}

static void read_crl_dp(X509 *x, struct x509_info *out)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    if (dps == NULL)
        return;
    for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) {
            GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type == GEN_URI)
                add_ia5(&out->crl_dp, gn->d.uniformResourceIdentifier);
        }
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

static void read_san(X509 *x, struct x509_info *out)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (names == NULL)
        return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_DNS) {
            add_ia5(&out->san_dns, gn->d.dNSName);
        } else if (gn->type == GEN_URI) {
            add_ia5(&out->san_uri, gn->d.uniformResourceIdentifier);
        } else if (gn->type == GEN_IPADD && gn->d.iPAddress) {
            struct ip_addr a = { 0 };
            char buf[IP_ADDR_STR_MAX];
            if (gn->d.iPAddress->length == 4) {
                a.family = 4;
                memcpy(a.b, gn->d.iPAddress->data, 4);
            } else if (gn->d.iPAddress->length == 16) {
                a.family = 6;
                memcpy(a.b, gn->d.iPAddress->data, 16);
            } else {
                continue;
            }
            ip_addr_format(&a, buf);
            strs_add(&out->san_ip, buf, strlen(buf));
        }
    }
    GENERAL_NAMES_free(names);
}

static char *last_cn(const X509_NAME *nm)
{
    int idx = -1, last = -1;
    while ((idx = X509_NAME_get_index_by_NID(nm, NID_commonName, idx)) >= 0)
        last = idx;
    if (last < 0)
        return NULL;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last));
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0)
        return NULL;
    char *out = malloc((size_t)len + 1);
    if (out) {
        for (int i = 0; i < len; i++)
            out[i] = utf8[i] ? (char)utf8[i] : '?'; /* as in strs_add */
        out[len] = '\0';
    }
    OPENSSL_free(utf8);
    return out;
}

bool x509_parse(const uint8_t *der, size_t n, struct x509_info *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(der, n, md, &len, EVP_sha1(), NULL) && len == 20)
        hex(md, 20, out->sha1);
    if (EVP_Digest(der, n, md, &len, EVP_sha256(), NULL) && len == 32)
        hex(md, 32, out->sha256);

    const unsigned char *p = der;
    X509 *x = n > 0 && n < (size_t)1 << 30 ? d2i_X509(NULL, &p, (long)n) : NULL;
    if (x == NULL || p != der + n) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "not a DER certificate: %s",
                 x == NULL ? (e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "decode error"
                                : "decode error")
                           : "trailing bytes after the certificate");
        ERR_clear_error();
        X509_free(x);
        return false;
    }

    out->subject = name_string(X509_get_subject_name(x));
    out->issuer = name_string(X509_get_issuer_name(x));
    out->cn = last_cn(X509_get_subject_name(x));

    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *sh = bn ? BN_bn2hex(bn) : NULL;
    copy_str(out->serial, sizeof out->serial, sh ? sh : "");
    for (char *c = out->serial; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    OPENSSL_free(sh);
    BN_free(bn);

    out->not_before = asn1_time_ns(X509_get0_notBefore(x));
    out->not_after = asn1_time_ns(X509_get0_notAfter(x));
    read_key(x, out);
    int sig_nid = X509_get_signature_nid(x);
    copy_str(out->signature_algorithm, sizeof out->signature_algorithm,
             sig_nid != NID_undef ? OBJ_nid2ln(sig_nid) : "unknown");
    read_eku(x, out);
    read_crl_dp(x, out);
    read_san(x, out);

    /* X509_check_ca also counts v1 self-signed roots; we report the
     * basicConstraints flag as it is written. */
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
    out->is_ca = bc && bc->ca;
    BASIC_CONSTRAINTS_free(bc);

    if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0) {
        EVP_PKEY *pk = X509_get0_pubkey(x);
        out->self_signature_ok = pk && X509_verify(x, pk) == 1;
        /* Self-issued with a signature that does not verify (seen in the
         * field: a mis-padded RSA signature) still has no other issuer a
         * peer could trust instead; only an authority key identifier that
         * names a different key says it was issued by a namesake CA. */
        const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);
        const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(x);
        bool other_key = skid && akid && ASN1_OCTET_STRING_cmp(skid, akid) != 0;
        out->self_signed = out->self_signature_ok || !other_key;
    }
    ERR_clear_error();
    X509_free(x);
    return true;
}

void x509_info_free(struct x509_info *xi)
{
    free(xi->subject);
    free(xi->issuer);
    free(xi->cn);
    strs_free(&xi->eku);
    strs_free(&xi->crl_dp);
    strs_free(&xi->san_dns);
    strs_free(&xi->san_ip);
    strs_free(&xi->san_uri);
    xi->subject = xi->issuer = xi->cn = NULL;
}

/* RFC 6125 6.4.3: "*" only as the whole leftmost label, never matching a dot. */
static bool dns_match(const char *pattern, const char *host)
{
    if (pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = strchr(host, '.');
        if (dot == NULL || dot == host)
            return false;
        return strcasecmp(pattern + 1, dot) == 0;
    }
    return strcasecmp(pattern, host) == 0;
}

bool x509_name_matches(const struct x509_info *xi, const char *host)
{
    if (host == NULL || host[0] == '\0')
        return true;
    for (size_t i = 0; i < xi->san_dns.n; i++)
        if (dns_match(xi->san_dns.v[i], host))
            return true;
    for (size_t i = 0; i < xi->san_ip.n; i++)
        if (strcasecmp(xi->san_ip.v[i], host) == 0)
            return true;
    /* RFC 6125 6.4.4: the CN counts only when there are no DNS SANs; we
     * accept it in any case because SIP stacks commonly still do. */
    return xi->cn && dns_match(xi->cn, host);
}

void *x509_store_load(const char *pem_file, char *err, size_t err_len)
{
    X509_STORE *st = X509_STORE_new();
    if (st == NULL || X509_STORE_load_file(st, pem_file) != 1) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "%s: %s", pem_file, e ? ERR_reason_error_string(e) : "cannot load");
        ERR_clear_error();
        X509_STORE_free(st);
        return NULL;
    }
    return st;
}

void x509_store_free(void *store)
{
    X509_STORE_free(store);
}

static enum x509_fail fail_class(int error)
{
    switch (error) {
    case X509_V_OK: return X509_FAIL_NONE;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return X509_FAIL_NO_ISSUER;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return X509_FAIL_UNTRUSTED_ROOT;
    case X509_V_ERR_CERT_HAS_EXPIRED: return X509_FAIL_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID: return X509_FAIL_NOT_YET_VALID;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: return X509_FAIL_SIGNATURE;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN: return X509_FAIL_NOT_A_CA;
    default: return X509_FAIL_OTHER;
    }
}

static void name_into(char *out, size_t cap, const X509_NAME *nm)
{
    char *s = nm ? name_string(nm) : NULL;
    snprintf(out, cap, "%s", s ? s : "");
    free(s);
}

bool x509_verify_chain(void *store, const struct span *ders, size_t n, ts_ns at, struct x509_verdict *v)
{
    bool ok = false;
    X509 *leaf = NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    memset(v, 0, sizeof *v);
    v->fail = X509_FAIL_OTHER;
    v->n_sent = n;
    snprintf(v->reason, sizeof v->reason, "%s", "no certificate");
    if (n == 0 || untrusted == NULL || ctx == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = ders[i].p;
        X509 *x = d2i_X509(NULL, &p, (long)ders[i].n);
        if (x == NULL) {
            snprintf(v->reason, sizeof v->reason, "certificate %zu of the chain is not valid DER", i + 1);
            v->depth = i;
            goto out;
        }
        if (i == 0)
            leaf = x;
        else if (!sk_X509_push(untrusted, x))
            X509_free(x);
    }
    if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
        goto out;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)(at / 1000000000LL));
    if (X509_verify_cert(ctx) == 1) {
        ok = true;
        v->fail = X509_FAIL_NONE;
        v->reason[0] = '\0';
    } else {
        v->error = X509_STORE_CTX_get_error(ctx);
        v->fail = fail_class(v->error);
        int depth = X509_STORE_CTX_get_error_depth(ctx);
        v->depth = depth > 0 ? (size_t)depth : 0;
        snprintf(v->reason, sizeof v->reason, "%s", X509_verify_cert_error_string(v->error));
        X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
        if (cur) {
            name_into(v->subject, sizeof v->subject, X509_get_subject_name(cur));
            name_into(v->issuer, sizeof v->issuer, X509_get_issuer_name(cur));
        }
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    return ok;
}
