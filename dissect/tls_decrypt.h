/* tls_decrypt.h: TLS record decryption for one connection (RFC 5246 6.2.3, RFC 8446 5.2,
 * RFC 7366, RFC 7627, RFC 7905, RFC 6655, RFC 6101 5.2.3): keys from the key store, the
 * handshake to know when they apply, and the record protection itself. */
#ifndef SIPSEC_TLS_DECRYPT_H
#define SIPSEC_TLS_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "stream.h"
#include "tls_keylog.h"

enum tls_cipher {
    TC_NULL,
    TC_AES128_GCM,
    TC_AES256_GCM,
    TC_CHACHA20_POLY1305,
    TC_AES128_CCM,
    TC_AES256_CCM,
    TC_AES128_CCM8,
    TC_AES256_CCM8,
    TC_AES128_CBC,
    TC_AES256_CBC,
    TC_3DES_CBC,
    TC_RC4_128,
};

enum tls_mac { TM_AEAD, TM_MD5, TM_SHA1, TM_SHA256, TM_SHA384 };

/* What a cipher suite means for decryption. */
struct tls_suite {
    uint16_t id;
    enum tls_cipher cipher;
    enum tls_mac mac;
    bool sha384;  /* PRF / HKDF hash is SHA-384 (else SHA-256) */
    bool rsa_kx;  /* RSA key exchange: the pre-master secret is in ClientKeyExchange */
};

/* The suite, or NULL when we cannot decrypt it. */
const struct tls_suite *tls_suite_find(uint16_t id);

/* One direction's record protection. */
struct tls_rp {
    bool active;
    const struct tls_suite *suite;
    uint16_t version;      /* TLS_V_SSL3 .. TLS_V_TLS13 */
    bool etm;              /* encrypt_then_mac (RFC 7366) */
    void *cctx;            /* EVP_CIPHER_CTX, kept for the connection */
    void *mctx;            /* EVP_MAC_CTX (HMAC) or EVP_MD_CTX (SSL 3.0 MAC) */
    uint8_t key[32];
    size_t key_len;
    uint8_t iv[16];        /* implicit IV / salt */
    size_t iv_len;
    uint8_t mac_key[48];
    size_t mac_len;
    uint64_t seq;
};

/* Set up rp for suite/version with the given material (mac_key may be NULL for AEAD). */
bool tls_rp_init(struct tls_rp *rp, const struct tls_suite *suite, uint16_t version, bool etm, const uint8_t *key,
                 const uint8_t *iv, const uint8_t *mac_key);
void tls_rp_fini(struct tls_rp *rp);

enum tls_open_rc {
    TLS_OPEN_OK,
    TLS_OPEN_AUTH_FAIL, /* tag, MAC or padding wrong: wrong keys, or damaged bytes */
    TLS_OPEN_MALFORMED, /* too short for the cipher */
    TLS_OPEN_LOST,      /* after a gap: the record's sequence number (or CBC IV) is not known yet */
};

/*
 * Decrypt and authenticate one record's fragment (its header gave type and
 * version). out must hold frag.n bytes; *out_len gets the plaintext length
 * and *inner_type the content type (TLS 1.3: from the inner plaintext).
 * The sequence number advances whatever the result.
 */
enum tls_open_rc tls_rp_open(struct tls_rp *rp, uint8_t type, uint16_t version, struct span frag, uint8_t *out,
                             size_t *out_len, uint8_t *inner_type);

/* ---- one connection ---- */

enum tls_key_source { TLS_KEYS_NONE, TLS_KEYS_KEYLOG, TLS_KEYS_RSA, TLS_KEYS_RESUMED };
const char *tls_key_source_name(enum tls_key_source s); /* "keylog", "rsa_key", "resumed"; NULL for none */

struct tls_decrypt_stats {
    uint64_t records[2];       /* decrypted and authenticated */
    uint64_t auth_failures[2];
    uint64_t app_bytes[2];     /* application-data plaintext */
    uint64_t lost[2];          /* records not decrypted because a gap hid their sequence number */
    uint64_t resyncs[2];       /* gaps after which decryption found its place again */
};

struct tls_decrypt;

/* ks outlives the connection; conn is client -> server. */
struct tls_decrypt *tls_decrypt_new(struct tls_keystore *ks, const struct flow_key *conn);
void tls_decrypt_free(struct tls_decrypt *t);

/* Every whole handshake message of direction d, header included, in the
 * order the connection carried them (clear ones, then decrypted ones). */
void tls_decrypt_handshake(struct tls_decrypt *t, enum dir d, struct span msg);
/* An SSLv2-compatible ClientHello (RFC 5246 E.2), the message without its 2-byte header. */
void tls_decrypt_sslv2_hello(struct tls_decrypt *t, struct span msg);
/* A ChangeCipherSpec from d (TLS <= 1.2): d's next records are protected. */
void tls_decrypt_ccs(struct tls_decrypt *t, enum dir d);
/* Before each record of d (but CCS): when the key store follows a key log (live) and this
 * session's keys were missing at its key point, look again; true when a keys event is due
 * (the keys were found just now, or the wait for them ended without): tls_decrypt_take_keys_event
 * then gives the session's key source once more. */
bool tls_decrypt_late_keys(struct tls_decrypt *t, enum dir d, uint8_t type);
/* No keys yet, but a followed key log may still bring them (until the client's first
 * protected data). */
bool tls_decrypt_keys_pending(const struct tls_decrypt *t);
/* TLS 1.3, a followed key log, no keys yet: the server's first protected records (its
 * certificates) are worth holding until the client has logged (tls.c replays them). */
bool tls_decrypt_holds(const struct tls_decrypt *t, enum dir d, uint8_t type);
/* Would a record of this type from d be decrypted now? */
bool tls_decrypt_active(const struct tls_decrypt *t, enum dir d, uint8_t type);
/* tls_rp_open on d's keys; counts the result. */
enum tls_open_rc tls_decrypt_record(struct tls_decrypt *t, enum dir d, uint8_t type, uint16_t version,
                                    struct span frag, uint8_t *out, size_t *out_len, uint8_t *inner_type);
void tls_decrypt_count_app(struct tls_decrypt *t, enum dir d, size_t n);
/* gap_bytes of d's stream were lost: its next records are tried at the
 * sequence numbers the lost bytes could have held (and, for TLS 1.0's
 * chained CBC IV, the first record after the gap seeds the IV). */
void tls_decrypt_gap(struct tls_decrypt *t, enum dir d, uint64_t gap_bytes);

/* True once, when the connection has reached the point where keys are
 * needed (TLS 1.3 ServerHello, first ChangeCipherSpec): *src says whether
 * and where they were found; and once more if they were found late. */
bool tls_decrypt_take_keys_event(struct tls_decrypt *t, enum tls_key_source *src);
/* The negotiated suite (or version) is one we cannot decrypt (export, NULL, ARIA, Camellia...). */
bool tls_decrypt_unsupported(const struct tls_decrypt *t);
const struct tls_decrypt_stats *tls_decrypt_get_stats(const struct tls_decrypt *t);
/* Version and suite as the decryptor understood them (0 / NULL before ServerHello). */
uint16_t tls_decrypt_version(const struct tls_decrypt *t);

#endif
