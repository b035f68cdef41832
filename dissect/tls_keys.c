/* tls_keys.c: TLS key schedules: PRFs (RFC 2246 5, RFC 5246 5, RFC 6101 6.2.2), RFC 7627
 * extended master secret, TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1, 7.2, 7.3; RFC 5869 2.3).
 * Written from the RFC text on OpenSSL's HMAC and digests. */
#include "tls_keys.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

enum { SEED_MAX = 192, HASH_MAX = 64 };

/* P_hash(secret, seed) of RFC 5246 section 5, XORed into out when xor_into. */
static bool p_hash(const EVP_MD *md, const uint8_t *secret, size_t secret_len, const uint8_t *seed,
                   size_t seed_len, uint8_t *out, size_t out_len, bool xor_into)
{
    uint8_t a[HASH_MAX], block[HASH_MAX], in[HASH_MAX + SEED_MAX];
    unsigned hl = (unsigned)EVP_MD_get_size(md);
    unsigned len = 0;
    if (hl == 0 || hl > HASH_MAX || seed_len > SEED_MAX)
        return false;
    /* A(1) = HMAC(secret, seed) */
    if (HMAC(md, secret, (int)secret_len, seed, seed_len, a, &len) == NULL)
        return false;
    size_t done = 0;
    while (done < out_len) {
        memcpy(in, a, hl);
        memcpy(in + hl, seed, seed_len);
        if (HMAC(md, secret, (int)secret_len, in, hl + seed_len, block, &len) == NULL)
            return false;
        size_t take = out_len - done < hl ? out_len - done : hl;
        for (size_t i = 0; i < take; i++)
            out[done + i] = xor_into ? (uint8_t)(out[done + i] ^ block[i]) : block[i];
        done += take;
        if (HMAC(md, secret, (int)secret_len, a, hl, block, &len) == NULL) /* A(i+1) = HMAC(secret, A(i)) */
            return false;
        memcpy(a, block, hl);
    }
    return true;
}

/* SSL 3.0 (RFC 6101 6.2.2): block i = MD5(secret + SHA-1("A"*i + secret + seed)). */
static bool ssl3_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed, size_t seed_len,
                     uint8_t *out, size_t out_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL;
    uint8_t sha[20], md5[16], letters[16];
    for (size_t i = 0, done = 0; ok && done < out_len; i++) {
        if (i >= sizeof letters) {
            ok = false;
            break;
        }
        memset(letters, 'A' + (int)i, i + 1);
        ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, letters, i + 1) &&
             EVP_DigestUpdate(ctx, secret, secret_len) && EVP_DigestUpdate(ctx, seed, seed_len) &&
             EVP_DigestFinal_ex(ctx, sha, NULL) && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
             EVP_DigestUpdate(ctx, secret, secret_len) && EVP_DigestUpdate(ctx, sha, sizeof sha) &&
             EVP_DigestFinal_ex(ctx, md5, NULL);
        size_t take = out_len - done < 16 ? out_len - done : 16;
        memcpy(out + done, md5, take);
        done += take;
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool tls_prf(enum tls_prf prf, const uint8_t *secret, size_t secret_len, const char *label,
             const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
             uint8_t *out, size_t out_len)
{
    uint8_t seed[SEED_MAX];
    size_t ll = prf == TLS_PRF_SSL3 ? 0 : strlen(label);
    if (ll + seed1_len + seed2_len > sizeof seed)
        return false;
    memcpy(seed, label, ll);
    memcpy(seed + ll, seed1, seed1_len);
    if (seed2_len)
        memcpy(seed + ll + seed1_len, seed2, seed2_len);
    size_t n = ll + seed1_len + seed2_len;
    switch (prf) {
    case TLS_PRF_SSL3:
        return ssl3_prf(secret, secret_len, seed, n, out, out_len);
    case TLS_PRF_MD5SHA1: {
        /* RFC 2246 5: S1 and S2 are the halves of the secret, sharing the
         * middle byte when its length is odd. */
        size_t half = (secret_len + 1) / 2;
        return p_hash(EVP_md5(), secret, half, seed, n, out, out_len, false) &&
               p_hash(EVP_sha1(), secret + (secret_len - half), half, seed, n, out, out_len, true);
    }
    case TLS_PRF_SHA256:
        return p_hash(EVP_sha256(), secret, secret_len, seed, n, out, out_len, false);
    case TLS_PRF_SHA384:
        return p_hash(EVP_sha384(), secret, secret_len, seed, n, out, out_len, false);
    }
    return false;
}

bool tls_master_from_premaster(enum tls_prf prf, const uint8_t *pms, size_t pms_len,
                               const uint8_t client_random[32], const uint8_t server_random[32],
                               const uint8_t *session_hash, size_t session_hash_len, uint8_t master[48])
{
    if (session_hash && prf != TLS_PRF_SSL3)
        return tls_prf(prf, pms, pms_len, "extended master secret", session_hash, session_hash_len, NULL, 0,
                       master, 48);
    return tls_prf(prf, pms, pms_len, "master secret", client_random, 32, server_random, 32, master, 48);
}

bool tls_key_block(enum tls_prf prf, const uint8_t master[48], const uint8_t client_random[32],
                   const uint8_t server_random[32], uint8_t *out, size_t out_len)
{
    return tls_prf(prf, master, 48, "key expansion", server_random, 32, client_random, 32, out, out_len);
}

/*
 * HkdfLabel (RFC 8446 7.1):
 *   uint16 length;
 *   opaque label<7..255> = "tls13 " + Label;
 *   opaque context<0..255>;
 * then HKDF-Expand(secret, HkdfLabel, length) (RFC 5869 2.3):
 *   T(i) = HMAC(secret, T(i-1) | info | i), output T(1) | T(2) | ...
 */
bool tls13_expand_label(bool sha384, const uint8_t *secret, size_t secret_len, const char *label,
                        const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t ll = strlen(label);
    if (6 + ll > 255 || context_len > 255 || out_len > 255 * 48)
        return false;
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    n += context_len;

    const EVP_MD *md = sha384 ? EVP_sha384() : EVP_sha256();
    size_t hl = sha384 ? 48 : 32;
    uint8_t t[HASH_MAX], in[HASH_MAX + sizeof info + 1];
    size_t t_len = 0, done = 0;
    for (uint8_t i = 1; done < out_len; i++) {
        memcpy(in, t, t_len);
        memcpy(in + t_len, info, n);
        in[t_len + n] = i;
        unsigned len = 0;
        if (HMAC(md, secret, (int)secret_len, in, t_len + n + 1, t, &len) == NULL)
            return false;
        t_len = hl;
        size_t take = out_len - done < hl ? out_len - done : hl;
        memcpy(out + done, t, take);
        done += take;
    }
    return true;
}

bool tls13_traffic_keys(bool sha384, const uint8_t *secret, size_t secret_len, uint8_t *key, size_t key_len,
                        uint8_t iv[12])
{
    return tls13_expand_label(sha384, secret, secret_len, "key", NULL, 0, key, key_len) &&
           tls13_expand_label(sha384, secret, secret_len, "iv", NULL, 0, iv, 12);
}

bool tls13_next_secret(bool sha384, uint8_t *secret, size_t secret_len)
{
    uint8_t next[HASH_MAX];
    if (secret_len > sizeof next ||
        !tls13_expand_label(sha384, secret, secret_len, "traffic upd", NULL, 0, next, secret_len))
        return false;
    memcpy(secret, next, secret_len);
    return true;
}
