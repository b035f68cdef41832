/* tls_decrypt.c: TLS record decryption: suites, key blocks (RFC 5246 6.3), AEAD records (RFC 5288,
 * RFC 6655, RFC 7905, RFC 8446 5.2-5.3), CBC/stream records with MAC-then-encrypt (RFC 5246
 * 6.2.3.1-2, RFC 6101 5.2.3) or encrypt-then-MAC (RFC 7366), and when each key applies. */
#include "tls_decrypt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

#include "tls_event.h"
#include "tls_keys.h"

enum {
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
    HS_KEY_UPDATE = 24,
    EXT_EMS = 23,
    EXT_ETM = 22,
    EXT_SESSION_TICKET = 35,
    EXT_SUPPORTED_VERSIONS = 43,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPDATA = 23,
    RSA_KEYS_TRIED_MAX = 16,
};

/* ---- cipher suites (IANA TLS Cipher Suites registry) ---- */

static const struct tls_suite suites[] = {
    /* TLS 1.3 (RFC 8446 B.4) */
    { 0x1301, TC_AES128_GCM, TM_AEAD, false, false },
    { 0x1302, TC_AES256_GCM, TM_AEAD, true, false },
    { 0x1303, TC_CHACHA20_POLY1305, TM_AEAD, false, false },
    { 0x1304, TC_AES128_CCM, TM_AEAD, false, false },
    { 0x1305, TC_AES128_CCM8, TM_AEAD, false, false },
    /* RSA key exchange */
    { 0x0004, TC_RC4_128, TM_MD5, false, true },
    { 0x0005, TC_RC4_128, TM_SHA1, false, true },
    { 0x000A, TC_3DES_CBC, TM_SHA1, false, true },
    { 0x002F, TC_AES128_CBC, TM_SHA1, false, true },
    { 0x0035, TC_AES256_CBC, TM_SHA1, false, true },
    { 0x003C, TC_AES128_CBC, TM_SHA256, false, true },
    { 0x003D, TC_AES256_CBC, TM_SHA256, false, true },
    { 0x009C, TC_AES128_GCM, TM_AEAD, false, true },
    { 0x009D, TC_AES256_GCM, TM_AEAD, true, true },
    { 0xC09C, TC_AES128_CCM, TM_AEAD, false, true },
    { 0xC09D, TC_AES256_CCM, TM_AEAD, false, true },
    { 0xC0A0, TC_AES128_CCM8, TM_AEAD, false, true },
    { 0xC0A1, TC_AES256_CCM8, TM_AEAD, false, true },
    /* DHE */
    { 0x0016, TC_3DES_CBC, TM_SHA1, false, false },
    { 0x0033, TC_AES128_CBC, TM_SHA1, false, false },
    { 0x0039, TC_AES256_CBC, TM_SHA1, false, false },
    { 0x0067, TC_AES128_CBC, TM_SHA256, false, false },
    { 0x006B, TC_AES256_CBC, TM_SHA256, false, false },
    { 0x009E, TC_AES128_GCM, TM_AEAD, false, false },
    { 0x009F, TC_AES256_GCM, TM_AEAD, true, false },
    { 0xC09E, TC_AES128_CCM, TM_AEAD, false, false },
    { 0xC09F, TC_AES256_CCM, TM_AEAD, false, false },
    { 0xCCAA, TC_CHACHA20_POLY1305, TM_AEAD, false, false },
    /* ECDH(E) */
    { 0xC002, TC_RC4_128, TM_SHA1, false, false },
    { 0xC007, TC_RC4_128, TM_SHA1, false, false },
    { 0xC011, TC_RC4_128, TM_SHA1, false, false },
    { 0xC008, TC_3DES_CBC, TM_SHA1, false, false },
    { 0xC012, TC_3DES_CBC, TM_SHA1, false, false },
    { 0xC004, TC_AES128_CBC, TM_SHA1, false, false },
    { 0xC005, TC_AES256_CBC, TM_SHA1, false, false },
    { 0xC009, TC_AES128_CBC, TM_SHA1, false, false },
    { 0xC00A, TC_AES256_CBC, TM_SHA1, false, false },
    { 0xC00E, TC_AES128_CBC, TM_SHA1, false, false },
    { 0xC00F, TC_AES256_CBC, TM_SHA1, false, false },
    { 0xC013, TC_AES128_CBC, TM_SHA1, false, false },
    { 0xC014, TC_AES256_CBC, TM_SHA1, false, false },
    { 0xC023, TC_AES128_CBC, TM_SHA256, false, false },
    { 0xC024, TC_AES256_CBC, TM_SHA384, true, false },
    { 0xC027, TC_AES128_CBC, TM_SHA256, false, false },
    { 0xC028, TC_AES256_CBC, TM_SHA384, true, false },
    { 0xC02B, TC_AES128_GCM, TM_AEAD, false, false },
    { 0xC02C, TC_AES256_GCM, TM_AEAD, true, false },
    { 0xC02F, TC_AES128_GCM, TM_AEAD, false, false },
    { 0xC030, TC_AES256_GCM, TM_AEAD, true, false },
    { 0xC0AC, TC_AES128_CCM, TM_AEAD, false, false },
    { 0xC0AD, TC_AES256_CCM, TM_AEAD, false, false },
    { 0xC0AE, TC_AES128_CCM8, TM_AEAD, false, false },
    { 0xC0AF, TC_AES256_CCM8, TM_AEAD, false, false },
    { 0xCCA8, TC_CHACHA20_POLY1305, TM_AEAD, false, false },
    { 0xCCA9, TC_CHACHA20_POLY1305, TM_AEAD, false, false },
};

const struct tls_suite *tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

const char *tls_key_source_name(enum tls_key_source s)
{
    switch (s) {
    case TLS_KEYS_KEYLOG: return "keylog";
    case TLS_KEYS_RSA: return "rsa_key";
    case TLS_KEYS_RESUMED: return "resumed";
    default: return NULL;
    }
}

static bool is_aead(enum tls_cipher c)
{
    return c >= TC_AES128_GCM && c <= TC_AES256_CCM8;
}

static bool is_ccm(enum tls_cipher c)
{
    return c >= TC_AES128_CCM && c <= TC_AES256_CCM8;
}

static size_t key_len_of(enum tls_cipher c)
{
    switch (c) {
    case TC_AES128_GCM: case TC_AES128_CCM: case TC_AES128_CCM8: case TC_AES128_CBC: case TC_RC4_128:
        return 16;
    case TC_3DES_CBC:
        return 24;
    case TC_NULL:
        return 0;
    default:
        return 32;
    }
}

static size_t block_of(enum tls_cipher c)
{
    switch (c) {
    case TC_AES128_CBC: case TC_AES256_CBC: return 16;
    case TC_3DES_CBC: return 8;
    default: return 0;
    }
}

static size_t tag_len_of(enum tls_cipher c)
{
    return c == TC_AES128_CCM8 || c == TC_AES256_CCM8 ? 8 : 16;
}

static size_t mac_len_of(enum tls_mac m)
{
    switch (m) {
    case TM_MD5: return 16;
    case TM_SHA1: return 20;
    case TM_SHA256: return 32;
    case TM_SHA384: return 48;
    default: return 0;
    }
}

static const char *mac_digest_name(enum tls_mac m)
{
    switch (m) {
    case TM_MD5: return "MD5";
    case TM_SHA1: return "SHA1";
    case TM_SHA256: return "SHA256";
    default: return "SHA384";
    }
}

/* RC4 lives in OpenSSL 3's legacy provider: loaded once, on first need,
 * with the default provider beside it (loading one turns off autoloading). */
static const EVP_CIPHER *rc4_cipher(void)
{
    static bool tried;
    static EVP_CIPHER *rc4;
    if (!tried) {
        tried = true;
        if (OSSL_PROVIDER_load(NULL, "legacy") && OSSL_PROVIDER_load(NULL, "default"))
            rc4 = EVP_CIPHER_fetch(NULL, "RC4", NULL);
    }
    return rc4;
}

static const EVP_CIPHER *evp_cipher_of(enum tls_cipher c)
{
    switch (c) {
    case TC_AES128_GCM: return EVP_aes_128_gcm();
    case TC_AES256_GCM: return EVP_aes_256_gcm();
    case TC_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    case TC_AES128_CCM: case TC_AES128_CCM8: return EVP_aes_128_ccm();
    case TC_AES256_CCM: case TC_AES256_CCM8: return EVP_aes_256_ccm();
    case TC_AES128_CBC: return EVP_aes_128_cbc();
    case TC_AES256_CBC: return EVP_aes_256_cbc();
    case TC_3DES_CBC: return EVP_des_ede3_cbc();
    case TC_RC4_128: return rc4_cipher();
    default: return NULL;
    }
}

/* ---- one direction's record protection ---- */

void tls_rp_fini(struct tls_rp *rp)
{
    EVP_CIPHER_CTX_free(rp->cctx);
    if (rp->mctx) {
        if (rp->version == TLS_V_SSL3)
            EVP_MD_CTX_free(rp->mctx);
        else
            EVP_MAC_CTX_free(rp->mctx);
    }
    OPENSSL_cleanse(rp, sizeof *rp);
}

static EVP_MAC *hmac_alg(void)
{
    static EVP_MAC *mac;
    if (mac == NULL)
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    return mac;
}

bool tls_rp_init(struct tls_rp *rp, const struct tls_suite *suite, uint16_t version, bool etm, const uint8_t *key,
                 const uint8_t *iv, const uint8_t *mac_key)
{
    tls_rp_fini(rp);
    rp->suite = suite;
    rp->version = version;
    rp->etm = etm && !is_aead(suite->cipher) && suite->cipher != TC_RC4_128 && version != TLS_V_TLS13;
    rp->key_len = key_len_of(suite->cipher);
    memcpy(rp->key, key, rp->key_len);
    if (is_aead(suite->cipher))
        rp->iv_len = version == TLS_V_TLS13 || suite->cipher == TC_CHACHA20_POLY1305 ? 12 : 4;
    else
        rp->iv_len = block_of(suite->cipher);
    if (rp->iv_len)
        memcpy(rp->iv, iv, rp->iv_len);
    rp->mac_len = mac_len_of(suite->mac);
    if (rp->mac_len)
        memcpy(rp->mac_key, mac_key, rp->mac_len);
    const EVP_CIPHER *c = evp_cipher_of(suite->cipher);
    rp->cctx = EVP_CIPHER_CTX_new();
    if (c == NULL || rp->cctx == NULL)
        goto fail;
    if (is_ccm(suite->cipher)) {
        /* CCM takes its whole setup per record (tag first, then key and nonce). */
    } else if (is_aead(suite->cipher)) {
        if (!EVP_DecryptInit_ex(rp->cctx, c, NULL, NULL, NULL) ||
            !EVP_CIPHER_CTX_ctrl(rp->cctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
            !EVP_DecryptInit_ex(rp->cctx, NULL, NULL, rp->key, NULL))
            goto fail;
    } else {
        /* CBC and RC4 keep their chaining state across records: TLS 1.0 and
         * SSL 3.0's implicit IV is exactly that; later versions' explicit IV
         * block decrypts to garbage and is dropped. */
        if (!EVP_DecryptInit_ex(rp->cctx, c, NULL, rp->key, rp->iv_len ? rp->iv : NULL))
            goto fail;
        EVP_CIPHER_CTX_set_padding(rp->cctx, 0);
    }
    if (rp->mac_len) {
        if (version == TLS_V_SSL3) {
            rp->mctx = EVP_MD_CTX_new();
        } else if (hmac_alg()) {
            EVP_MAC_CTX *m = EVP_MAC_CTX_new(hmac_alg());
            OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)mac_digest_name(suite->mac), 0),
                OSSL_PARAM_construct_end(),
            };
            if (m && !EVP_MAC_init(m, rp->mac_key, rp->mac_len, params)) {
                EVP_MAC_CTX_free(m);
                m = NULL;
            }
            rp->mctx = m;
        }
        if (rp->mctx == NULL)
            goto fail;
    }
    rp->active = true;
    return true;
fail:
    tls_rp_fini(rp);
    return false;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The record MAC: HMAC over seq | type | version | length | data (RFC 5246
 * 6.2.3.1), or SSL 3.0's hash(secret | pad2 | hash(secret | pad1 | seq | type
 * | length | data)) (RFC 6101 5.2.3.1). */
static bool record_mac(struct tls_rp *rp, uint64_t seq, uint8_t type, uint16_t version, const uint8_t *data,
                       size_t n, uint8_t out[48])
{
    uint8_t hdr[13];
    put_be64(hdr, seq);
    hdr[8] = type;
    if (rp->version == TLS_V_SSL3) {
        uint8_t pad1[48], pad2[48];
        memset(pad1, 0x36, sizeof pad1);
        memset(pad2, 0x5c, sizeof pad2);
        size_t padn = rp->suite->mac == TM_MD5 ? 48 : 40;
        const EVP_MD *md = rp->suite->mac == TM_MD5 ? EVP_md5() : EVP_sha1();
        hdr[9] = (uint8_t)(n >> 8);
        hdr[10] = (uint8_t)n;
        uint8_t inner[48];
        EVP_MD_CTX *c = rp->mctx;
        return EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, rp->mac_key, rp->mac_len) &&
               EVP_DigestUpdate(c, pad1, padn) && EVP_DigestUpdate(c, hdr, 11) && EVP_DigestUpdate(c, data, n) &&
               EVP_DigestFinal_ex(c, inner, NULL) && EVP_DigestInit_ex(c, md, NULL) &&
               EVP_DigestUpdate(c, rp->mac_key, rp->mac_len) && EVP_DigestUpdate(c, pad2, padn) &&
               EVP_DigestUpdate(c, inner, rp->mac_len) && EVP_DigestFinal_ex(c, out, NULL);
    }
    hdr[9] = (uint8_t)(version >> 8);
    hdr[10] = (uint8_t)version;
    hdr[11] = (uint8_t)(n >> 8);
    hdr[12] = (uint8_t)n;
    size_t len = 0;
    /* a NULL key re-initialises HMAC with the key given at setup */
    return EVP_MAC_init(rp->mctx, NULL, 0, NULL) && EVP_MAC_update(rp->mctx, hdr, 13) &&
           EVP_MAC_update(rp->mctx, data, n) && EVP_MAC_final(rp->mctx, out, &len, 48) && len == rp->mac_len;
}

static enum tls_open_rc open_aead(struct tls_rp *rp, uint64_t seq, uint8_t type, uint16_t version,
                                  struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    enum tls_cipher ci = rp->suite->cipher;
    size_t tag = tag_len_of(ci);
    bool tls13 = rp->version == TLS_V_TLS13;
    size_t explicit = tls13 || ci == TC_CHACHA20_POLY1305 ? 0 : 8;
    if (frag.n < explicit + tag + (tls13 ? 1 : 0))
        return TLS_OPEN_MALFORMED;
    struct cur c = cur_make(frag.p, frag.n);
    uint8_t nonce[12];
    if (explicit) {
        memcpy(nonce, rp->iv, 4);
        cur_copy(&c, nonce + 4, 8);
    } else {
        /* RFC 8446 5.3 / RFC 7905 2: the IV XOR the 64-bit sequence number, left-padded */
        memcpy(nonce, rp->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    }
    size_t ct_len = cur_left(&c) - tag;
    struct cur ct = cur_take(&c, ct_len);
    uint8_t tagv[16];
    cur_copy(&c, tagv, tag);
    uint8_t aad[13];
    size_t aad_len;
    if (tls13) {
        /* the record header itself (RFC 8446 5.2) */
        aad[0] = type;
        aad[1] = (uint8_t)(version >> 8);
        aad[2] = (uint8_t)version;
        aad[3] = (uint8_t)(frag.n >> 8);
        aad[4] = (uint8_t)frag.n;
        aad_len = 5;
    } else {
        put_be64(aad, seq);
        aad[8] = type;
        aad[9] = (uint8_t)(version >> 8);
        aad[10] = (uint8_t)version;
        aad[11] = (uint8_t)(ct_len >> 8);
        aad[12] = (uint8_t)ct_len;
        aad_len = 13;
    }
    struct span cts = cur_span(&ct);
    EVP_CIPHER_CTX *x = rp->cctx;
    int len = 0;
    bool ok;
    if (is_ccm(ci)) {
        ok = EVP_DecryptInit_ex(x, evp_cipher_of(ci), NULL, NULL, NULL) &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tag, tagv) &&
             EVP_DecryptInit_ex(x, NULL, NULL, rp->key, nonce) &&
             EVP_DecryptUpdate(x, NULL, &len, NULL, (int)ct_len) &&
             EVP_DecryptUpdate(x, NULL, &len, aad, (int)aad_len) &&
             EVP_DecryptUpdate(x, out, &len, cts.p, (int)ct_len) > 0;
    } else {
        ok = EVP_DecryptInit_ex(x, NULL, NULL, NULL, nonce) && EVP_DecryptUpdate(x, NULL, &len, aad, (int)aad_len) &&
             EVP_DecryptUpdate(x, out, &len, cts.p, (int)ct_len) &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tag, tagv) &&
             EVP_DecryptFinal_ex(x, out + len, &len) > 0;
    }
    if (!ok)
        return TLS_OPEN_AUTH_FAIL;
    *out_len = ct_len;
    *inner_type = type;
    if (tls13) {
        /* TLSInnerPlaintext: content | type | zeros (RFC 8446 5.2) */
        size_t n = ct_len;
        while (n > 0 && out[n - 1] == 0)
            n--;
        if (n == 0)
            return TLS_OPEN_MALFORMED;
        *inner_type = out[n - 1];
        *out_len = n - 1;
    }
    return TLS_OPEN_OK;
}

static enum tls_open_rc open_cbc(struct tls_rp *rp, uint64_t seq, uint8_t type, uint16_t version, struct span frag,
                                 uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    size_t bs = block_of(rp->suite->cipher);
    size_t mac = rp->mac_len;
    bool stream = bs == 0;
    bool explicit_iv = !stream && rp->version >= TLS_V_TLS11;
    uint8_t want[48], got[48];
    size_t enc_len = frag.n;
    struct cur c = cur_make(frag.p, frag.n);
    if (rp->etm) {
        /* RFC 7366: the MAC covers the IV and ciphertext, and is checked first */
        if (frag.n < mac + bs)
            return TLS_OPEN_MALFORMED;
        enc_len = frag.n - mac;
        struct cur enc = cur_take(&c, enc_len);
        struct span es = cur_span(&enc);
        cur_copy(&c, got, mac);
        if (!record_mac(rp, seq, type, version, es.p, es.n, want))
            return TLS_OPEN_AUTH_FAIL;
        if (memcmp(want, got, mac) != 0) {
            /* keep the CBC chain in step for TLS 1.0's implicit IV */
            int l = 0;
            EVP_DecryptUpdate(rp->cctx, out, &l, es.p, (int)es.n);
            return TLS_OPEN_AUTH_FAIL;
        }
        c = cur_make(es.p, es.n);
    }
    if (!stream && (enc_len % bs != 0 || enc_len < bs + (explicit_iv ? bs : 0)))
        return TLS_OPEN_MALFORMED;
    if (!rp->etm && enc_len < mac + (stream ? 0 : 1))
        return TLS_OPEN_MALFORMED;
    int l = 0;
    size_t len = enc_len;
    if (explicit_iv) {
        uint8_t first[16];
        struct cur ivc = cur_take(&c, bs);
        struct span ivs = cur_span(&ivc);
        if (!EVP_DecryptUpdate(rp->cctx, first, &l, ivs.p, (int)bs))
            return TLS_OPEN_AUTH_FAIL;
        len -= bs;
    }
    struct span rest = cur_rest(&c);
    if (!EVP_DecryptUpdate(rp->cctx, out, &l, rest.p, (int)rest.n) || (size_t)l != len)
        return TLS_OPEN_AUTH_FAIL;
    if (!stream) {
        uint8_t pad = out[len - 1];
        if ((size_t)pad + 1 + (rp->etm ? 0 : mac) > len)
            return TLS_OPEN_AUTH_FAIL;
        if (rp->version == TLS_V_SSL3) {
            if (pad >= bs)
                return TLS_OPEN_AUTH_FAIL;
        } else {
            for (size_t i = len - 1 - pad; i < len - 1; i++)
                if (out[i] != pad)
                    return TLS_OPEN_AUTH_FAIL;
        }
        len -= (size_t)pad + 1;
    }
    if (!rp->etm) {
        len -= mac;
        if (!record_mac(rp, seq, type, version, out, len, want) || memcmp(want, out + len, mac) != 0)
            return TLS_OPEN_AUTH_FAIL;
    }
    *out_len = len;
    *inner_type = type;
    return TLS_OPEN_OK;
}

enum tls_open_rc tls_rp_open(struct tls_rp *rp, uint8_t type, uint16_t version, struct span frag, uint8_t *out,
                             size_t *out_len, uint8_t *inner_type)
{
    *out_len = 0;
    if (!rp->active)
        return TLS_OPEN_AUTH_FAIL;
    uint64_t seq = rp->seq++;
    if (is_aead(rp->suite->cipher))
        return open_aead(rp, seq, type, version, frag, out, out_len, inner_type);
    return open_cbc(rp, seq, type, version, frag, out, out_len, inner_type);
}

/* ---- one connection: which keys, from when ---- */

struct tls_decrypt {
    struct tls_keystore *ks;
    struct flow_key conn;
    uint8_t cr[TLS_RANDOM_LEN], sr[TLS_RANDOM_LEN];
    bool have_cr, have_sr;
    uint16_t client_version;     /* ClientHello.legacy_version: the RSA pre-master starts with it */
    uint8_t ch_sid[32], sh_sid[32];
    uint8_t ch_sid_len, sh_sid_len;
    uint8_t ticket_key[32];      /* SHA-256 of the ticket the client offered */
    bool ch_ticket;
    bool ch_ems, sh_ems, ch_etm, sh_etm;
    uint16_t version;            /* negotiated, 0 before ServerHello */
    const struct tls_suite *suite;
    bool tls13;

    bool keys_decided, keys_event_taken;
    enum tls_key_source src;
    bool have_master;
    uint8_t master[TLS_MASTER_LEN];
    bool key_block_done;
    struct tls_rp pending[2];    /* TLS <= 1.2: installed by each side's CCS */
    struct tls_rp rp[2];
    struct tls_secret app[2];    /* TLS 1.3: next application secret, then the current one */
    bool app_installed[2];

    /* keys that came late: a followed key log (live) had no line yet at the key point */
    bool ccs_seen[2];            /* TLS <= 1.2: d's ChangeCipherSpec passed */
    bool wait_over;              /* the client's first protected data passed: no more waiting for keys */
    uint8_t events_due, events_taken; /* keys events after the first: keys came, or the wait ended */
    uint32_t skipped[2];         /* d's protected records of this epoch passed without keys */
    bool probe13[2];             /* TLS 1.3: keys came after d's records were skipped, epoch unknown */
    bool hs_wait[2];             /* TLS 1.3: d's handshake secret not logged yet */
    bool app_wait[2];            /* TLS 1.3: d finished its handshake before its application secret was logged */
    struct tls_secret hs[2];     /* TLS 1.3 handshake secrets, kept while probing */

    /* RFC 7627 session hash, only when an RSA key may need it */
    EVP_MD_CTX *th[4];           /* MD5, SHA-1, SHA-256, SHA-384 */
    bool th_done;

    /* after a gap: how many sequence numbers the next record may have skipped */
    bool resync[2], iv_seeded[2], gave_up[2];
    uint32_t resync_span[2], resync_records_left[2];
    uint8_t resync_iv[2][16];

    struct tls_decrypt_stats st;
};

static void th_free(struct tls_decrypt *t)
{
    for (int i = 0; i < 4; i++) {
        EVP_MD_CTX_free(t->th[i]);
        t->th[i] = NULL;
    }
    t->th_done = true;
}

/* The handshake hashes for RFC 7627's session hash: only an RSA key can need them. */
static bool th_init(struct tls_decrypt *t)
{
    th_free(t);
    if (!tls_keystore_has_rsa(t->ks))
        return true;
    const EVP_MD *mds[4] = { EVP_md5(), EVP_sha1(), EVP_sha256(), EVP_sha384() };
    for (int i = 0; i < 4; i++) {
        t->th[i] = EVP_MD_CTX_new();
        if (t->th[i] == NULL || !EVP_DigestInit_ex(t->th[i], mds[i], NULL)) {
            th_free(t);
            return false;
        }
    }
    t->th_done = false;
    return true;
}

struct tls_decrypt *tls_decrypt_new(struct tls_keystore *ks, const struct flow_key *conn)
{
    struct tls_decrypt *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->ks = ks;
    t->conn = *conn;
    if (!th_init(t)) {
        free(t);
        return NULL;
    }
    return t;
}

void tls_decrypt_free(struct tls_decrypt *t)
{
    if (t == NULL)
        return;
    for (int d = 0; d < 2; d++) {
        tls_rp_fini(&t->pending[d]);
        tls_rp_fini(&t->rp[d]);
    }
    th_free(t);
    OPENSSL_cleanse(t, sizeof *t);
    free(t);
}

bool tls_decrypt_unsupported(const struct tls_decrypt *t)
{
    return t->have_sr && t->suite == NULL;
}

uint16_t tls_decrypt_version(const struct tls_decrypt *t)
{
    return t->version;
}

const struct tls_decrypt_stats *tls_decrypt_get_stats(const struct tls_decrypt *t)
{
    return &t->st;
}

bool tls_decrypt_take_keys_event(struct tls_decrypt *t, enum tls_key_source *src)
{
    if (!t->keys_decided)
        return false;
    if (!t->keys_event_taken) {
        t->keys_event_taken = true;
        t->events_taken = t->events_due;
        *src = t->src;
        return true;
    }
    if (t->events_taken == t->events_due)
        return false;
    t->events_taken = t->events_due; /* the keys came after all, or the wait for them ended */
    *src = t->src;
    return true;
}

bool tls_decrypt_keys_pending(const struct tls_decrypt *t)
{
    return tls_keystore_following(t->ks) && t->keys_decided && t->src == TLS_KEYS_NONE && !t->wait_over &&
           !tls_decrypt_unsupported(t);
}

bool tls_decrypt_holds(const struct tls_decrypt *t, enum dir d, uint8_t type)
{
    return t->tls13 && d == DIR_S2C && type == CT_APPDATA && t->hs_wait[DIR_S2C] && t->skipped[DIR_S2C] == 0 &&
           !t->gave_up[DIR_S2C] && tls_decrypt_keys_pending(t);
}

static enum tls_prf prf_of(const struct tls_decrypt *t)
{
    if (t->version == TLS_V_SSL3)
        return TLS_PRF_SSL3;
    if (t->version < TLS_V_TLS12)
        return TLS_PRF_MD5SHA1;
    return t->suite && t->suite->sha384 ? TLS_PRF_SHA384 : TLS_PRF_SHA256;
}

/* Hello extensions we need: EMS, ETM, session ticket, supported_versions. */
static void hello_exts(struct tls_decrypt *t, struct cur exts, bool client)
{
    while (cur_ok(&exts) && cur_left(&exts) >= 4) {
        uint16_t type = cur_be16(&exts);
        struct cur e = cur_take(&exts, cur_be16(&exts));
        if (exts.short_read)
            return;
        if (type == EXT_EMS) {
            if (client)
                t->ch_ems = true;
            else
                t->sh_ems = true;
        } else if (type == EXT_ETM) {
            if (client)
                t->ch_etm = true;
            else
                t->sh_etm = true;
        } else if (type == EXT_SESSION_TICKET && client && cur_left(&e) > 0) {
            struct span tk = cur_span(&e);
            EVP_Digest(tk.p, tk.n, t->ticket_key, NULL, EVP_sha256(), NULL);
            t->ch_ticket = true;
        } else if (type == EXT_SUPPORTED_VERSIONS && !client) {
            uint16_t v = cur_be16(&e);
            if (cur_ok(&e))
                t->version = v;
        }
    }
}

static void on_client_hello(struct tls_decrypt *t, struct cur b)
{
    t->client_version = cur_be16(&b);
    cur_copy(&b, t->cr, TLS_RANDOM_LEN);
    uint8_t sl = cur_u8(&b);
    if (sl <= 32 && cur_copy(&b, t->ch_sid, sl))
        t->ch_sid_len = sl;
    cur_skip(&b, cur_be16(&b));
    cur_skip(&b, cur_u8(&b));
    struct cur exts = cur_take(&b, cur_left(&b) >= 2 ? cur_be16(&b) : 0);
    if (b.short_read)
        return;
    t->have_cr = true;
    t->ch_ems = t->ch_etm = t->ch_ticket = false;
    hello_exts(t, exts, true);
}

/*
 * SSLv2-compatible ClientHello (RFC 5246 E.2, RFC 6101 E.1):
 *   msg_type(1) version(2) cipher_spec_length(2) session_id_length(2)
 *   challenge_length(2) cipher_specs session_id challenge
 * The challenge, right-aligned and zero-padded to 32 bytes, is the client random.
 */
void tls_decrypt_sslv2_hello(struct tls_decrypt *t, struct span msg)
{
    struct cur b = cur_make(msg.p, msg.n);
    cur_skip(&b, 1);
    uint16_t version = cur_be16(&b);
    uint16_t specs = cur_be16(&b), sid = cur_be16(&b), chal = cur_be16(&b);
    cur_skip(&b, specs);
    cur_skip(&b, sid);
    if (chal < 16 || chal > 32 || !cur_ok(&b))
        return;
    memset(t->cr, 0, sizeof t->cr);
    if (!cur_copy(&b, t->cr + (32 - chal), chal))
        return;
    t->client_version = version;
    t->have_cr = true;
    t->ch_sid_len = 0;
    t->ch_ems = t->ch_etm = t->ch_ticket = false;
    if (!t->th_done)
        for (int i = 0; i < 4; i++)
            EVP_DigestUpdate(t->th[i], msg.p, msg.n);
}

static void install_tls13(struct tls_decrypt *t, enum dir d, const struct tls_secret *s)
{
    uint8_t key[32], iv[12];
    size_t kl = key_len_of(t->suite->cipher);
    if (tls13_traffic_keys(t->suite->sha384, s->v, s->len, key, kl, iv))
        tls_rp_init(&t->rp[d], t->suite, TLS_V_TLS13, false, key, iv, NULL);
    OPENSSL_cleanse(key, sizeof key);
}

/* TLS 1.3, a followed key log: d's handshake secret when e has it, at the sequence number d's
 * skipped records leave (probing the epoch when there were some). */
static void hs13_install(struct tls_decrypt *t, enum dir d, const struct tls_keylog_entry *e)
{
    enum tls_secret_kind k = d == DIR_C2S ? TLS_SK_CHTS : TLS_SK_SHTS;
    size_t hl = t->suite->sha384 ? 48 : 32;
    if (!t->hs_wait[d] || e == NULL || e->s[k].len != hl)
        return;
    t->hs_wait[d] = false;
    t->hs[d] = e->s[k];
    t->app[d] = e->s[d == DIR_C2S ? TLS_SK_CATS0 : TLS_SK_SATS0];
    install_tls13(t, d, &t->hs[d]);
    t->rp[d].seq = t->skipped[d];
    t->probe13[d] = t->skipped[d] > 0;
    if (t->src == TLS_KEYS_NONE) {
        t->src = TLS_KEYS_KEYLOG;
        t->events_due++;
    }
}

static void on_server_hello(struct tls_decrypt *t, struct cur b)
{
    uint16_t legacy = cur_be16(&b);
    uint8_t random[TLS_RANDOM_LEN];
    cur_copy(&b, random, sizeof random);
    uint8_t sl = cur_u8(&b);
    uint8_t sid[32];
    bool sid_ok = sl <= 32 && cur_copy(&b, sid, sl);
    uint16_t suite = cur_be16(&b);
    cur_skip(&b, 1);
    struct cur exts = cur_take(&b, cur_left(&b) >= 2 ? cur_be16(&b) : 0);
    if (b.short_read || !sid_ok)
        return;
    /* RFC 8446 4.1.3: HelloRetryRequest has this fixed random; the real ServerHello follows */
    static const uint8_t hrr[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };
    if (memcmp(random, hrr, sizeof hrr) == 0)
        return;
    memcpy(t->sr, random, sizeof random);
    memcpy(t->sh_sid, sid, sl);
    t->sh_sid_len = sl;
    t->have_sr = true;
    t->version = legacy;
    t->sh_ems = t->sh_etm = false;
    hello_exts(t, exts, false);
    t->suite = tls_suite_find(suite);
    if (t->version == TLS_V_TLS13) {
        t->tls13 = true;
        th_free(t);
        t->keys_decided = true;
        const struct tls_keylog_entry *e =
            t->have_cr && t->suite ? tls_keystore_lookup(t->ks, t->cr, 1u << TLS_SK_CHTS | 1u << TLS_SK_SHTS) : NULL;
        if (t->suite && t->have_cr && tls_keystore_following(t->ks)) {
            /* a client logs SERVER_HANDSHAKE_TRAFFIC_SECRET at the ServerHello, its own one
             * only before its Finished: each side takes its keys when they are there */
            t->hs_wait[DIR_C2S] = t->hs_wait[DIR_S2C] = true;
            hs13_install(t, DIR_S2C, e);
            hs13_install(t, DIR_C2S, e);
            return;
        }
        if (t->suite == NULL || e == NULL || e->s[TLS_SK_CHTS].len == 0 || e->s[TLS_SK_SHTS].len == 0)
            return;
        size_t hl = t->suite->sha384 ? 48 : 32;
        if (e->s[TLS_SK_CHTS].len != hl || e->s[TLS_SK_SHTS].len != hl)
            return;
        install_tls13(t, DIR_C2S, &e->s[TLS_SK_CHTS]);
        install_tls13(t, DIR_S2C, &e->s[TLS_SK_SHTS]);
        t->hs[DIR_C2S] = e->s[TLS_SK_CHTS];
        t->hs[DIR_S2C] = e->s[TLS_SK_SHTS];
        t->app[DIR_C2S] = e->s[TLS_SK_CATS0];
        t->app[DIR_S2C] = e->s[TLS_SK_SATS0];
        t->src = TLS_KEYS_KEYLOG;
        return;
    }
    if (t->version < TLS_V_SSL3 || t->version > TLS_V_TLS12)
        t->suite = NULL;
}

/* RFC 7627 4: the session hash is over every handshake message up to
 * and including ClientKeyExchange. */
static bool session_hash(struct tls_decrypt *t, uint8_t *out, size_t *len)
{
    if (t->th_done)
        return false;
    unsigned l = 0;
    if (t->version >= TLS_V_TLS12) {
        EVP_MD_CTX *c = t->th[t->suite->sha384 ? 3 : 2];
        if (!EVP_DigestFinal_ex(c, out, &l))
            return false;
        *len = l;
        return true;
    }
    unsigned l2 = 0;
    if (!EVP_DigestFinal_ex(t->th[0], out, &l) || !EVP_DigestFinal_ex(t->th[1], out + 16, &l2))
        return false;
    *len = 36;
    return true;
}

/* ClientKeyExchange of an RSA suite: the pre-master secret encrypted to the
 * server's key (RFC 5246 7.4.7.1; SSL 3.0 has no length prefix). */
static void on_client_key_exchange(struct tls_decrypt *t, struct cur b)
{
    uint8_t sh[64];
    size_t sh_len = 0;
    bool have_sh = t->sh_ems && t->ch_ems && t->suite && session_hash(t, sh, &sh_len);
    th_free(t);
    if (t->have_master || t->suite == NULL || !t->suite->rsa_kx || !t->have_cr || !t->have_sr)
        return;
    if (tls_keystore_find(t->ks, t->cr))
        return; /* the key log has this session */
    if (t->version != TLS_V_SSL3)
        b = cur_take(&b, cur_be16(&b));
    struct span enc = cur_rest(&b);
    if (enc.n == 0)
        return;
    void *keys[RSA_KEYS_TRIED_MAX];
    size_t nk = tls_keystore_rsa_keys(t->ks, &t->conn.dst, t->conn.dport, keys, RSA_KEYS_TRIED_MAX);
    for (size_t i = 0; i < nk; i++) {
        EVP_PKEY *pk = keys[i];
        if ((size_t)EVP_PKEY_get_size(pk) != enc.n)
            continue;
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
        uint8_t pms[512];
        size_t pms_len = sizeof pms;
        bool ok = pc && EVP_PKEY_decrypt_init(pc) > 0 && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
                  EVP_PKEY_decrypt(pc, pms, &pms_len, enc.p, enc.n) > 0;
        EVP_PKEY_CTX_free(pc);
        /* the pre-master secret is 48 bytes and starts with the version the
         * client offered: a wrong key (or implicit rejection) fails this */
        if (!ok || pms_len != 48 || pms[0] != (uint8_t)(t->client_version >> 8) ||
            pms[1] != (uint8_t)t->client_version) {
            OPENSSL_cleanse(pms, sizeof pms);
            continue;
        }
        ok = tls_master_from_premaster(prf_of(t), pms, 48, t->cr, t->sr, have_sh ? sh : NULL, sh_len, t->master);
        OPENSSL_cleanse(pms, sizeof pms);
        if (!ok)
            continue;
        t->have_master = true;
        t->src = TLS_KEYS_RSA;
        if (t->sh_sid_len)
            tls_keystore_remember(t->ks, t->sh_sid, t->sh_sid_len, t->master);
        break;
    }
    ERR_clear_error();
}

static void key_block(struct tls_decrypt *t);
static bool late12(struct tls_decrypt *t, enum dir d, bool count);

/* The master secret, and from it both directions' pending keys. */
static void ensure_keys(struct tls_decrypt *t)
{
    if (t->key_block_done || t->tls13)
        return;
    t->key_block_done = true;
    t->keys_decided = true;
    if (!t->have_cr || !t->have_sr || t->suite == NULL)
        return;
    if (!t->have_master) {
        const struct tls_keylog_entry *e = tls_keystore_lookup(t->ks, t->cr, 1u << TLS_SK_MASTER);
        if (e && e->s[TLS_SK_MASTER].len == TLS_MASTER_LEN) {
            memcpy(t->master, e->s[TLS_SK_MASTER].v, TLS_MASTER_LEN);
            t->have_master = true;
            t->src = TLS_KEYS_KEYLOG;
        } else if ((t->sh_sid_len && t->sh_sid_len == t->ch_sid_len &&
                    memcmp(t->sh_sid, t->ch_sid, t->sh_sid_len) == 0 &&
                    tls_keystore_recall(t->ks, t->sh_sid, t->sh_sid_len, t->master)) ||
                   (t->ch_ticket && tls_keystore_recall(t->ks, t->ticket_key, 32, t->master))) {
            t->have_master = true;
            t->src = TLS_KEYS_RESUMED;
        }
    }
    if (t->have_master)
        key_block(t);
}

/* Both directions' pending keys from the master secret. */
static void key_block(struct tls_decrypt *t)
{
    enum tls_cipher ci = t->suite->cipher;
    size_t mac = mac_len_of(t->suite->mac), key = key_len_of(ci);
    size_t iv = is_aead(ci) ? (ci == TC_CHACHA20_POLY1305 ? 12 : 4) : block_of(ci);
    uint8_t kb[2 * (48 + 32 + 16)];
    size_t need = 2 * (mac + key + iv);
    if (!tls_key_block(prf_of(t), t->master, t->cr, t->sr, kb, need))
        return;
    /* client MAC, server MAC, client key, server key, client IV, server IV */
    const uint8_t *cm = kb, *sm = kb + mac, *ck = kb + 2 * mac, *sk = ck + key, *civ = sk + key, *siv = civ + iv;
    bool etm = t->ch_etm && t->sh_etm;
    tls_rp_init(&t->pending[DIR_C2S], t->suite, t->version, etm, ck, civ, cm);
    tls_rp_init(&t->pending[DIR_S2C], t->suite, t->version, etm, sk, siv, sm);
    OPENSSL_cleanse(kb, sizeof kb);
}

void tls_decrypt_ccs(struct tls_decrypt *t, enum dir d)
{
    if (t->tls13)
        return; /* RFC 8446 D.4: a compatibility no-op */
    ensure_keys(t);
    tls_rp_fini(&t->rp[d]);
    t->rp[d] = t->pending[d];
    memset(&t->pending[d], 0, sizeof t->pending[d]); /* ownership moved */
    t->ccs_seen[d] = true;
    t->skipped[d] = 0;
    if (!t->rp[d].active)
        late12(t, d, false); /* the other side's CCS: a second chance for a followed key log */
}

void tls_decrypt_handshake(struct tls_decrypt *t, enum dir d, struct span msg)
{
    struct cur c = cur_make(msg.p, msg.n);
    uint8_t type = cur_u8(&c);
    struct cur body = cur_take(&c, cur_be24(&c));
    if (c.short_read)
        return;
    if (type == HS_CLIENT_HELLO && d == DIR_C2S && t->key_block_done && !t->tls13) {
        /* renegotiation (inside the protected channel): a new handshake,
         * new keys at the next ChangeCipherSpec of each side */
        t->key_block_done = false;
        t->have_master = false;
        th_init(t);
    }
    if (!t->th_done && !t->tls13) {
        for (int i = 0; i < 4; i++)
            EVP_DigestUpdate(t->th[i], msg.p, msg.n);
    }
    switch (type) {
    case HS_CLIENT_HELLO:
        if (d == DIR_C2S)
            on_client_hello(t, body);
        break;
    case HS_SERVER_HELLO:
        if (d == DIR_S2C)
            on_server_hello(t, body);
        break;
    case HS_CLIENT_KEY_EXCHANGE:
        if (d == DIR_C2S && !t->tls13)
            on_client_key_exchange(t, body);
        break;
    case HS_NEW_SESSION_TICKET:
        /* TLS <= 1.2 (RFC 5077 3.3): lifetime, then the ticket a later
         * ClientHello offers to resume this master secret */
        if (d == DIR_S2C && !t->tls13 && t->have_master && t->src == TLS_KEYS_RSA) {
            cur_skip(&body, 4);
            struct cur tk = cur_take(&body, cur_be16(&body));
            if (cur_ok(&body) && cur_left(&tk)) {
                struct span s = cur_span(&tk);
                tls_keystore_remember(t->ks, s.p, s.n, t->master);
            }
        }
        break;
    case HS_FINISHED:
        /* TLS 1.3: a side's Finished is its last message under handshake keys */
        if (t->tls13 && t->rp[d].active && !t->app_installed[d] && t->app[d].len == 0 &&
            tls_keystore_following(t->ks)) {
            /* a client logs its application secrets only now: look again, else wait for them */
            enum tls_secret_kind k = d == DIR_C2S ? TLS_SK_CATS0 : TLS_SK_SATS0;
            const struct tls_keylog_entry *e = tls_keystore_lookup(t->ks, t->cr, 1u << k);
            if (e && e->s[k].len == t->hs[d].len)
                t->app[d] = e->s[k];
            if (t->app[d].len == 0) {
                tls_rp_fini(&t->rp[d]);
                t->app_wait[d] = true;
                t->skipped[d] = 0;
            }
        }
        if (t->tls13 && t->rp[d].active && !t->app_installed[d] && t->app[d].len) {
            install_tls13(t, d, &t->app[d]);
            t->app_installed[d] = true;
        }
        break;
    case HS_KEY_UPDATE:
        /* RFC 8446 4.6.3: the sender's next records use the next secret */
        if (t->tls13 && t->app_installed[d] && tls13_next_secret(t->suite->sha384, t->app[d].v, t->app[d].len))
            install_tls13(t, d, &t->app[d]);
        break;
    default:
        break;
    }
}

bool tls_decrypt_active(const struct tls_decrypt *t, enum dir d, uint8_t type)
{
    if (!t->rp[d].active)
        return false;
    /* in 1.3 every protected record says application_data on the wire */
    return t->tls13 ? type == CT_APPDATA : true;
}

enum {
    RESYNC_SPAN_MAX = 512,     /* sequence numbers tried after one gap */
    RESYNC_RECORDS = 4,        /* records tried before a side is given up */
    MIN_RECORD_BYTES = 21,     /* header + the smallest protected record (a 16-byte tag) */
};

void tls_decrypt_gap(struct tls_decrypt *t, enum dir d, uint64_t gap_bytes)
{
    if (!t->rp[d].active || t->gave_up[d])
        return;
    uint64_t span = gap_bytes / MIN_RECORD_BYTES + 2;
    if (t->resync[d])
        span += t->resync_span[d];
    t->resync_span[d] = span > RESYNC_SPAN_MAX ? RESYNC_SPAN_MAX : (uint32_t)span;
    t->resync[d] = true;
    t->iv_seeded[d] = false;
    t->resync_records_left[d] = RESYNC_RECORDS;
}

static bool chained_iv(const struct tls_rp *rp)
{
    return block_of(rp->suite->cipher) && rp->version <= TLS_V_TLS10;
}

/*
 * The first records after a gap: try the sequence numbers the lost bytes
 * could have used. A TLS 1.2 GCM record's explicit nonce is the sequence
 * number in most stacks, so it is tried first. TLS 1.0 and SSL 3.0 CBC
 * chain the IV from the previous record's last block: the first record
 * after the gap only provides it. RC4's keystream position cannot be
 * recovered.
 */
static enum tls_open_rc resync_record(struct tls_decrypt *t, enum dir d, uint8_t type, uint16_t version,
                                      struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    struct tls_rp *rp = &t->rp[d];
    if (rp->suite->cipher == TC_RC4_128) {
        t->gave_up[d] = true;
        return TLS_OPEN_LOST;
    }
    size_t bs = block_of(rp->suite->cipher);
    if (chained_iv(rp) && !t->iv_seeded[d]) {
        size_t enc = frag.n - (rp->etm && frag.n >= rp->mac_len ? rp->mac_len : 0);
        if (enc < bs || enc % bs)
            return TLS_OPEN_LOST;
        struct cur c = cur_make(frag.p, frag.n);
        cur_skip(&c, enc - bs);
        cur_copy(&c, t->resync_iv[d], bs);
        t->iv_seeded[d] = true;
        t->resync_span[d]++; /* this record used a sequence number too */
        return TLS_OPEN_LOST;
    }
    uint64_t base = rp->seq;
    uint64_t first = base;
    if (rp->suite->cipher != TC_CHACHA20_POLY1305 && rp->version == TLS_V_TLS12 &&
        (rp->suite->mac == TM_AEAD) && frag.n >= 8) {
        struct cur c = cur_make(frag.p, frag.n);
        uint64_t nonce = cur_be64(&c);
        if (nonce >= base && nonce - base < (1u << 24))
            first = nonce;
    }
    for (uint64_t k = 0; k <= t->resync_span[d] + 1; k++) {
        uint64_t seq = k == 0 ? first : base + k - 1;
        if (k > 0 && seq == first)
            continue;
        if (chained_iv(rp))
            EVP_DecryptInit_ex(rp->cctx, NULL, NULL, NULL, t->resync_iv[d]);
        rp->seq = seq;
        if (tls_rp_open(rp, type, version, frag, out, out_len, inner_type) == TLS_OPEN_OK) {
            t->resync[d] = false;
            t->st.resyncs[d]++;
            return TLS_OPEN_OK;
        }
    }
    rp->seq = base + 1;
    if (chained_iv(rp)) {
        /* this record's last block chains the next one */
        size_t enc = frag.n - (rp->etm && frag.n >= rp->mac_len ? rp->mac_len : 0);
        if (enc >= bs && enc % bs == 0) {
            struct cur c = cur_make(frag.p, frag.n);
            cur_skip(&c, enc - bs);
            cur_copy(&c, t->resync_iv[d], bs);
        }
    }
    if (--t->resync_records_left[d] == 0)
        t->gave_up[d] = true;
    return TLS_OPEN_LOST;
}

static enum tls_open_rc probe13(struct tls_decrypt *t, enum dir d, uint8_t type, uint16_t version,
                                struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type);

enum tls_open_rc tls_decrypt_record(struct tls_decrypt *t, enum dir d, uint8_t type, uint16_t version,
                                    struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    if (t->gave_up[d]) {
        t->st.lost[d]++;
        return TLS_OPEN_LOST;
    }
    if (t->probe13[d]) {
        enum tls_open_rc r = probe13(t, d, type, version, frag, out, out_len, inner_type);
        if (r == TLS_OPEN_OK)
            t->st.records[d]++;
        else
            t->st.lost[d]++;
        return r;
    }
    if (t->resync[d]) {
        enum tls_open_rc r = resync_record(t, d, type, version, frag, out, out_len, inner_type);
        if (r == TLS_OPEN_OK)
            t->st.records[d]++;
        else
            t->st.lost[d]++;
        return r;
    }
    enum tls_open_rc rc = tls_rp_open(&t->rp[d], type, version, frag, out, out_len, inner_type);
    if (rc == TLS_OPEN_OK)
        t->st.records[d]++;
    else
        t->st.auth_failures[d]++;
    return rc;
}

void tls_decrypt_count_app(struct tls_decrypt *t, enum dir d, size_t n)
{
    t->st.app_bytes[d] += n;
}

/*
 * ---- late keys: a followed key log got the session's line after its key point ----
 *
 * A client writes its secrets when its key schedule runs: TLS 1.3 handshake secrets after the
 * ServerHello, application secrets after the server's Finished, so live may see the records
 * before the lines. Each protected record of a direction without keys is counted (skipped) and
 * asks the key log again (tls_keystore_lookup: a check of the file at most once per interval);
 * once the secrets are there the keys are installed at the sequence number the skipped records
 * used. At most LATE_RECORDS_MAX records per direction ask.
 */
enum { LATE_RECORDS_MAX = 64 };

/* Keys from now on for d, whose skipped records used sequence numbers 0..skipped-1. */
static void place(struct tls_decrypt *t, enum dir d)
{
    struct tls_rp *rp = &t->rp[d];
    rp->seq = t->skipped[d];
    if (t->skipped[d] > 0 && (chained_iv(rp) || rp->suite->cipher == TC_RC4_128)) {
        /* the IV (or RC4's keystream) ran on through the skipped records */
        t->resync[d] = true;
        t->resync_span[d] = 0;
        t->iv_seeded[d] = false;
        t->resync_records_left[d] = RESYNC_RECORDS;
    }
}

/* TLS <= 1.2: the master secret, for the directions past their CCS. count: this is one of d's
 * records (else d's CCS). */
static bool late12(struct tls_decrypt *t, enum dir d, bool count)
{
    if (!tls_keystore_following(t->ks) || t->have_master || t->src != TLS_KEYS_NONE || t->suite == NULL ||
        !t->have_cr || !t->have_sr || t->skipped[d] >= LATE_RECORDS_MAX)
        return false;
    const struct tls_keylog_entry *e = tls_keystore_lookup(t->ks, t->cr, 1u << TLS_SK_MASTER);
    if (e == NULL || e->s[TLS_SK_MASTER].len != TLS_MASTER_LEN) {
        t->skipped[d] += count;
        return false;
    }
    memcpy(t->master, e->s[TLS_SK_MASTER].v, TLS_MASTER_LEN);
    t->have_master = true;
    t->src = TLS_KEYS_KEYLOG;
    t->events_due++;
    key_block(t);
    for (int x = 0; x < 2; x++) {
        if (!t->ccs_seen[x])
            continue; /* its CCS takes the pending keys */
        tls_rp_fini(&t->rp[x]);
        t->rp[x] = t->pending[x];
        memset(&t->pending[x], 0, sizeof t->pending[x]);
        if (t->rp[x].active)
            place(t, (enum dir)x);
    }
    return true;
}

/* TLS 1.3: d's handshake secret (and the other side's, if it waits too). */
static void late13(struct tls_decrypt *t, enum dir d)
{
    if (t->skipped[d] >= LATE_RECORDS_MAX)
        return;
    const struct tls_keylog_entry *e =
        tls_keystore_lookup(t->ks, t->cr, 1u << (d == DIR_C2S ? TLS_SK_CHTS : TLS_SK_SHTS));
    hs13_install(t, d, e);
    if (t->hs_wait[d])
        t->skipped[d]++;
    hs13_install(t, d == DIR_C2S ? DIR_S2C : DIR_C2S, e);
}

/* TLS 1.3: d's application secret, logged after its Finished went by. */
static void late_app(struct tls_decrypt *t, enum dir d)
{
    if (t->skipped[d] >= LATE_RECORDS_MAX)
        return;
    enum tls_secret_kind k = d == DIR_C2S ? TLS_SK_CATS0 : TLS_SK_SATS0;
    const struct tls_keylog_entry *e = tls_keystore_find(t->ks, t->cr);
    if (t->skipped[d] == 0 && (e == NULL || e->s[k].len == 0))
        tls_keystore_refresh(t->ks); /* the first record after the Finished: the writer has logged by now */
    e = tls_keystore_lookup(t->ks, t->cr, 1u << k);
    if (e == NULL || e->s[k].len != t->hs[d].len) {
        t->skipped[d]++;
        return;
    }
    t->app[d] = e->s[k];
    install_tls13(t, d, &t->app[d]);
    t->rp[d].seq = t->skipped[d];
    t->app_installed[d] = true;
    t->app_wait[d] = false;
}

/*
 * The first record of d after keys came late with records skipped: still under the handshake
 * secret (at the next sequence number), or already under the application secret (the epoch
 * began at one of the skipped records)? At most skipped + 2 trials, then d is given up.
 */
static enum tls_open_rc probe13(struct tls_decrypt *t, enum dir d, uint8_t type, uint16_t version,
                                struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    t->probe13[d] = false;
    uint32_t k = t->skipped[d];
    t->rp[d].seq = k;
    if (tls_rp_open(&t->rp[d], type, version, frag, out, out_len, inner_type) == TLS_OPEN_OK)
        return TLS_OPEN_OK;
    if (t->app[d].len == 0) {
        enum tls_secret_kind sk = d == DIR_C2S ? TLS_SK_CATS0 : TLS_SK_SATS0;
        const struct tls_keylog_entry *e = tls_keystore_lookup(t->ks, t->cr, 1u << sk);
        if (e && e->s[sk].len == t->hs[d].len)
            t->app[d] = e->s[sk];
    }
    if (t->app[d].len) {
        install_tls13(t, d, &t->app[d]);
        for (uint32_t j = 0; j <= k; j++) {
            t->rp[d].seq = j;
            if (tls_rp_open(&t->rp[d], type, version, frag, out, out_len, inner_type) == TLS_OPEN_OK) {
                t->app_installed[d] = true;
                return TLS_OPEN_OK;
            }
        }
    }
    t->gave_up[d] = true;
    return TLS_OPEN_LOST;
}

static void late_try(struct tls_decrypt *t, enum dir d, uint8_t type)
{
    if (t->suite == NULL || !t->have_cr || t->gave_up[d])
        return;
    if (!t->tls13) {
        if (t->ccs_seen[d] && !t->rp[d].active)
            late12(t, d, true);
        return;
    }
    if (type != CT_APPDATA)
        return;
    if (t->hs_wait[d])
        late13(t, d);
    else if (t->app_wait[d])
        late_app(t, d);
}

/*
 * The client's first protected record (TLS 1.3), or its first after both ChangeCipherSpecs
 * (TLS <= 1.2), is the point by which a client or server that logs its secrets has written
 * them: the key log is checked then whatever the interval (once per session), and the wait
 * ends there, found or not.
 */
bool tls_decrypt_late_keys(struct tls_decrypt *t, enum dir d, uint8_t type)
{
    if (!t->keys_decided || !tls_keystore_following(t->ks))
        return false;
    bool point = tls_decrypt_keys_pending(t) && d == DIR_C2S &&
                 (t->tls13 ? type == CT_APPDATA : t->ccs_seen[DIR_C2S] && t->ccs_seen[DIR_S2C]);
    if (point)
        tls_keystore_refresh(t->ks);
    uint8_t due = t->events_due;
    late_try(t, d, type);
    if (point && t->events_due == due) {
        t->wait_over = true; /* no keys for this session: say so now */
        t->events_due++;
    } else if (point) {
        t->wait_over = true;
    }
    return t->events_due != t->events_taken;
}
