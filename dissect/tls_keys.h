/* tls_keys.h: TLS key schedules: the PRFs of RFC 2246/5246 section 5, SSL 3.0's (RFC 6101
 * 6.2.2), and TLS 1.3's HKDF-Expand-Label (RFC 8446 section 7.1). */
#ifndef SIPSEC_TLS_KEYS_H
#define SIPSEC_TLS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which PRF a session uses: TLS 1.0/1.1 (MD5 xor SHA-1), TLS 1.2 with the
 * suite's hash, or SSL 3.0's nested MD5/SHA-1 construction. */
enum tls_prf {
    TLS_PRF_SSL3,
    TLS_PRF_MD5SHA1,
    TLS_PRF_SHA256,
    TLS_PRF_SHA384,
};

/*
 * PRF(secret, label, seed1 + seed2) into out[0..out_len). SSL 3.0 has no
 * label: it is ignored there (the seeds are given in the order its key
 * block or master secret wants). Returns false only when OpenSSL fails.
 */
bool tls_prf(enum tls_prf prf, const uint8_t *secret, size_t secret_len, const char *label,
             const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
             uint8_t *out, size_t out_len);

/* The master secret from a pre-master secret: RFC 5246 8.1 ("master
 * secret", client_random + server_random) or, with the extended master
 * secret (RFC 7627 4), "extended master secret" over the session hash. */
bool tls_master_from_premaster(enum tls_prf prf, const uint8_t *pms, size_t pms_len,
                               const uint8_t client_random[32], const uint8_t server_random[32],
                               const uint8_t *session_hash, size_t session_hash_len, uint8_t master[48]);

/* The key block (RFC 5246 6.3): PRF(master, "key expansion", server_random + client_random). */
bool tls_key_block(enum tls_prf prf, const uint8_t master[48], const uint8_t client_random[32],
                   const uint8_t server_random[32], uint8_t *out, size_t out_len);

/* HKDF-Expand-Label(secret, "tls13 " + label, context, out_len), hash
 * SHA-256 (sha384 false) or SHA-384; secret_len is the hash length. */
bool tls13_expand_label(bool sha384, const uint8_t *secret, size_t secret_len, const char *label,
                        const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);

/* Traffic key and IV of a TLS 1.3 traffic secret (RFC 8446 7.3). */
bool tls13_traffic_keys(bool sha384, const uint8_t *secret, size_t secret_len, uint8_t *key, size_t key_len,
                        uint8_t iv[12]);

/* The next application traffic secret after a KeyUpdate (RFC 8446 7.2), in place. */
bool tls13_next_secret(bool sha384, uint8_t *secret, size_t secret_len);

#endif
