/* tls_keylog.h: TLS secrets known before packets are read: NSS key log lines (--keylog files and
 * pcapng Decryption Secrets Blocks), server RSA keys (--rsa-key), and the master secrets learned
 * while decrypting (for resumed sessions). Never printed: only counts leave this module. */
#ifndef SIPSEC_TLS_KEYLOG_H
#define SIPSEC_TLS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

enum { TLS_RANDOM_LEN = 32, TLS_SECRET_MAX = 48, TLS_MASTER_LEN = 48 };

/* One key log line's secret kind (NSS key log format). */
enum tls_secret_kind {
    TLS_SK_MASTER, /* CLIENT_RANDOM: the TLS <= 1.2 master secret */
    TLS_SK_CHTS,   /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SK_SHTS,   /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SK_CATS0,  /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_SK_SATS0,  /* SERVER_TRAFFIC_SECRET_0 */
    TLS_SK_COUNT
};

struct tls_secret {
    uint8_t len;   /* 0: not known */
    uint8_t v[TLS_SECRET_MAX];
};

/* Everything the key logs said about one handshake (its ClientHello.random). */
struct tls_keylog_entry {
    uint8_t client_random[TLS_RANDOM_LEN];
    bool used;
    struct tls_secret s[TLS_SK_COUNT];
};

struct tls_keystore_stats {
    uint64_t lines;        /* key log lines read, comments and blanks excluded */
    uint64_t secrets;      /* lines whose secret was kept */
    uint64_t bad_lines;    /* malformed lines */
    uint64_t other_lines;  /* well-formed lines of kinds we do not use (EXPORTER_SECRET, ...) */
    uint64_t dropped;      /* past keylog_entries_max */
    uint64_t dsb_blocks;   /* pcapng Decryption Secrets Blocks read */
    uint64_t rsa_keys;
    /* followed --keylog files (live): */
    uint64_t follow_checks;  /* times the files were checked for new lines after a lookup missed */
    uint64_t follow_reads;   /* checks that found and read appended bytes */
    uint64_t follow_restarts; /* a file truncated, rotated or replaced: read again from its start */
};

struct tls_keystore;

/* entries_max caps the distinct client randoms kept (docs/LIMITS.md). */
struct tls_keystore *tls_keystore_new(uint32_t entries_max);
void tls_keystore_free(struct tls_keystore *ks);

/* Key log text (a file's or a DSB's contents): every usable line is kept,
 * the others counted. The bytes are untrusted (a DSB is capture data). */
void tls_keystore_add_text(struct tls_keystore *ks, const uint8_t *p, size_t n);
/* The TLS key log of a pcapng Decryption Secrets Block: add_text, counted as a block. */
void tls_keystore_add_dsb(struct tls_keystore *ks, const uint8_t *p, size_t n);
/* A --keylog file; -1 with "path: why" in err when it cannot be read. */
int tls_keystore_load_keylog(struct tls_keystore *ks, const char *path, char *err, size_t err_len);
/*
 * Follow a --keylog file (sipsec live): read what it holds now and keep it open, so that lines
 * appended later (an SSLKEYLOGFILE grows with every new session) are read when a lookup misses
 * (tls_keystore_lookup). A file that does not exist yet is opened once it appears. -1 with
 * "path: why" in err when it cannot be read (or is over the size cap).
 */
int tls_keystore_follow_keylog(struct tls_keystore *ks, const char *path, char *err, size_t err_len);
/* Whether any file is followed. */
bool tls_keystore_following(const struct tls_keystore *ks);
/* The shortest wall time between two checks of the followed files (default
 * TLS_KEYLOG_FOLLOW_INTERVAL_MS; 0: every miss checks, for tests). */
enum { TLS_KEYLOG_FOLLOW_INTERVAL_MS = 10 };
void tls_keystore_set_follow_interval(struct tls_keystore *ks, uint32_t ms);
/* Check the followed files now: read appended lines, restart a truncated or replaced file.
 * True when new bytes were read. */
bool tls_keystore_refresh(struct tls_keystore *ks);

/* A --rsa-key value: "PEM" or "ip:port=PEM" ("[v6]:port=PEM"); -1 with a message in err. */
int tls_keystore_load_rsa(struct tls_keystore *ks, const char *spec, char *err, size_t err_len);

/* The secrets for a ClientHello.random, or NULL. Borrowed until secrets are next added
 * (tls_keystore_add_*, tls_keystore_lookup): copy what is needed. */
const struct tls_keylog_entry *tls_keystore_find(const struct tls_keystore *ks, const uint8_t cr[TLS_RANDOM_LEN]);
/* find, and when the entry is missing or lacks one of the kinds in need (bits 1 << TLS_SK_*)
 * and files are followed, refresh them (at most once per follow interval of wall time) and
 * find again. The entry may still lack some kinds. */
const struct tls_keylog_entry *tls_keystore_lookup(struct tls_keystore *ks, const uint8_t cr[TLS_RANDOM_LEN],
                                                   unsigned need);
/* RSA keys (EVP_PKEY *) that may belong to the server ip:port: those bound
 * to it, then the unbound ones; returns how many were put in out. */
size_t tls_keystore_rsa_keys(const struct tls_keystore *ks, const struct ip_addr *ip, uint16_t port, void **out,
                             size_t max);
bool tls_keystore_has_rsa(const struct tls_keystore *ks);

/* Master secrets learned by RSA decryption, by session ID or by a hash of
 * the session ticket, for the abbreviated handshakes that resume them.
 * A fixed table: a newer entry may push out an older one. */
void tls_keystore_remember(struct tls_keystore *ks, const uint8_t *id, size_t id_len, const uint8_t master[48]);
bool tls_keystore_recall(const struct tls_keystore *ks, const uint8_t *id, size_t id_len, uint8_t master[48]);

const struct tls_keystore_stats *tls_keystore_stats(const struct tls_keystore *ks);

#endif
