/* tls_test_sealer.h: a TLS record encryptor written from RFC 5246 6.2.3, RFC 7366, RFC 8446 5.2
 * and RFC 6101 5.2.3 on plain EVP/HMAC calls, independent of dissect/tls_decrypt.c: unit tests
 * and the fuzz target check the decryptor against it. Header-only (static functions). */
#ifndef SIPSEC_TLS_TEST_SEALER_H
#define SIPSEC_TLS_TEST_SEALER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tls_decrypt.h"
#include "tls_event.h"


struct sealer {
    const struct tls_suite *suite;
    uint16_t version;
    bool etm;
    uint8_t key[32], iv[16], mac_key[48];
    size_t key_len, iv_len, mac_len, bs, tag;
    uint64_t seq;
    EVP_CIPHER_CTX *chain; /* CBC/RC4 state across records */
};

static const EVP_CIPHER *cipher_for(enum tls_cipher c)
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
    default: return NULL;
    }
}

static const EVP_MD *md_for(enum tls_mac m)
{
    switch (m) {
    case TM_MD5: return EVP_md5();
    case TM_SHA1: return EVP_sha1();
    case TM_SHA256: return EVP_sha256();
    case TM_SHA384: return EVP_sha384();
    default: return NULL;
    }
}

static bool sealer_init(struct sealer *s, uint16_t suite, uint16_t version, bool etm)
{
    memset(s, 0, sizeof *s);
    s->suite = tls_suite_find(suite);
    if (s->suite == NULL)
        return false;
    s->version = version;
    s->etm = etm;
    enum tls_cipher c = s->suite->cipher;
    s->key_len = (size_t)EVP_CIPHER_get_key_length(cipher_for(c));
    bool aead = c <= TC_AES256_CCM8 && c != TC_NULL;
    s->tag = (c == TC_AES128_CCM8 || c == TC_AES256_CCM8) ? 8 : 16;
    s->bs = aead ? 0 : (size_t)EVP_CIPHER_get_block_size(cipher_for(c));
    s->iv_len = aead ? (version == TLS_V_TLS13 || c == TC_CHACHA20_POLY1305 ? 12 : 4) : s->bs;
    s->mac_len = s->suite->mac == TM_AEAD ? 0 : (size_t)EVP_MD_get_size(md_for(s->suite->mac));
    for (size_t i = 0; i < sizeof s->key; i++)
        s->key[i] = (uint8_t)(0x10 + i);
    for (size_t i = 0; i < sizeof s->iv; i++)
        s->iv[i] = (uint8_t)(0xa0 + i);
    for (size_t i = 0; i < sizeof s->mac_key; i++)
        s->mac_key[i] = (uint8_t)(0x55 ^ i);
    if (!aead) {
        s->chain = EVP_CIPHER_CTX_new();
        EVP_EncryptInit_ex(s->chain, cipher_for(c), NULL, s->key, s->iv);
        EVP_CIPHER_CTX_set_padding(s->chain, 0);
    }
    return true;
}

static void be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void mac_of(struct sealer *s, uint64_t seq, uint8_t type, const uint8_t *d, size_t n, uint8_t *out)
{
    uint8_t buf[20000];
    size_t k = 0;
    unsigned l;
    if (s->version == TLS_V_SSL3) {
        /* hash(secret | pad2 | hash(secret | pad1 | seq | type | length | data)) */
        size_t padn = s->suite->mac == TM_MD5 ? 48 : 40;
        memcpy(buf, s->mac_key, s->mac_len);
        k = s->mac_len;
        memset(buf + k, 0x36, padn);
        k += padn;
        be64(buf + k, seq);
        k += 8;
        buf[k++] = type;
        buf[k++] = (uint8_t)(n >> 8);
        buf[k++] = (uint8_t)n;
        memcpy(buf + k, d, n);
        k += n;
        uint8_t inner[48];
        EVP_Digest(buf, k, inner, &l, md_for(s->suite->mac), NULL);
        k = 0;
        memcpy(buf, s->mac_key, s->mac_len);
        k = s->mac_len;
        memset(buf + k, 0x5c, padn);
        k += padn;
        memcpy(buf + k, inner, l);
        k += l;
        EVP_Digest(buf, k, out, &l, md_for(s->suite->mac), NULL);
        return;
    }
    be64(buf, seq);
    buf[8] = type;
    buf[9] = (uint8_t)(s->version >> 8);
    buf[10] = (uint8_t)s->version;
    buf[11] = (uint8_t)(n >> 8);
    buf[12] = (uint8_t)n;
    memcpy(buf + 13, d, n);
    HMAC(md_for(s->suite->mac), s->mac_key, (int)s->mac_len, buf, 13 + n, out, &l);
}

/* One protected record's fragment for plaintext pt of type; returns its length. */
static size_t seal(struct sealer *s, uint8_t type, const uint8_t *pt, size_t n, uint8_t *out)
{
    uint64_t seq = s->seq++;
    enum tls_cipher c = s->suite->cipher;
    int l = 0;
    if (s->bs == 0 && s->mac_len == 0) {
        uint8_t in[20000], nonce[12];
        size_t in_n = n, explicit = 0;
        memcpy(in, pt, n);
        if (s->version == TLS_V_TLS13)
            in[in_n++] = type; /* TLSInnerPlaintext, plus two zero bytes of padding */
        if (s->version == TLS_V_TLS13) {
            in[in_n++] = 0;
            in[in_n++] = 0;
        }
        if (s->version == TLS_V_TLS13 || c == TC_CHACHA20_POLY1305) {
            memcpy(nonce, s->iv, 12);
            for (int i = 0; i < 8; i++)
                nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
        } else {
            memcpy(nonce, s->iv, 4);
            be64(nonce + 4, seq ^ 0x1122334455667788ULL); /* any explicit nonce */
            memcpy(out, nonce + 4, 8);
            explicit = 8;
        }
        size_t total = explicit + in_n + s->tag;
        uint8_t aad[13];
        size_t aad_n;
        if (s->version == TLS_V_TLS13) {
            aad[0] = 23;
            aad[1] = 3;
            aad[2] = 3;
            aad[3] = (uint8_t)(total >> 8);
            aad[4] = (uint8_t)total;
            aad_n = 5;
        } else {
            be64(aad, seq);
            aad[8] = type;
            aad[9] = (uint8_t)(s->version >> 8);
            aad[10] = (uint8_t)s->version;
            aad[11] = (uint8_t)(in_n >> 8);
            aad[12] = (uint8_t)in_n;
            aad_n = 13;
        }
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        bool ccm = c >= TC_AES128_CCM && c <= TC_AES256_CCM8;
        EVP_EncryptInit_ex(x, cipher_for(c), NULL, NULL, NULL);
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL);
        if (ccm)
            EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)s->tag, NULL);
        EVP_EncryptInit_ex(x, NULL, NULL, s->key, nonce);
        if (ccm)
            EVP_EncryptUpdate(x, NULL, &l, NULL, (int)in_n);
        EVP_EncryptUpdate(x, NULL, &l, aad, (int)aad_n);
        EVP_EncryptUpdate(x, out + explicit, &l, in, (int)in_n);
        EVP_EncryptFinal_ex(x, out + explicit + l, &l);
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)s->tag, out + explicit + in_n);
        EVP_CIPHER_CTX_free(x);
        return total;
    }
    /* CBC: [explicit IV] content [MAC] padding padlen, MAC before or after (ETM) */
    uint8_t buf[20000];
    size_t k = 0;
    bool explicit_iv = s->version >= TLS_V_TLS11;
    if (explicit_iv) {
        memset(buf, 0x77 ^ (uint8_t)seq, s->bs);
        k = s->bs;
    }
    memcpy(buf + k, pt, n);
    k += n;
    if (!s->etm) {
        mac_of(s, seq, type, pt, n, buf + k);
        k += s->mac_len;
    }
    size_t pad = s->bs - (k + 1) % s->bs;
    if (pad == s->bs)
        pad = 0;
    if (s->version != TLS_V_SSL3)
        pad += s->bs; /* TLS allows extra padding blocks */
    for (size_t i = 0; i <= pad; i++)
        buf[k++] = (uint8_t)pad;
    if (explicit_iv) {
        /* a fresh IV: encrypt with the record's IV block as the chaining value */
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        uint8_t iv[16];
        memset(iv, 0x3c ^ (uint8_t)seq, sizeof iv);
        memcpy(out, iv, s->bs);
        EVP_EncryptInit_ex(x, cipher_for(c), NULL, s->key, iv);
        EVP_CIPHER_CTX_set_padding(x, 0);
        EVP_EncryptUpdate(x, out + s->bs, &l, buf + s->bs, (int)(k - s->bs));
        EVP_CIPHER_CTX_free(x);
    } else {
        EVP_EncryptUpdate(s->chain, out, &l, buf, (int)k);
    }
    if (s->etm) {
        mac_of(s, seq, type, out, k, out + k);
        k += s->mac_len;
    }
    return k;
}

static void sealer_fini(struct sealer *s)
{
    EVP_CIPHER_CTX_free(s->chain);
}

#endif
