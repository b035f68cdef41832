/* tls_event.h: what the TLS/DTLS dissector tells analyze/ (struct ev_tls, kind EV_TLS). */
#ifndef SIPSEC_TLS_EVENT_H
#define SIPSEC_TLS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "netaddr.h"
#include "stream.h"

enum tls_ev_kind {
    TLS_EV_CLIENT_HELLO,
    TLS_EV_SERVER_HELLO,
    TLS_EV_CERTIFICATE,         /* certs[] leaf first, from says whose */
    TLS_EV_CERTIFICATE_REQUEST,
    TLS_EV_SERVER_HELLO_DONE,
    TLS_EV_CLIENT_KEY_EXCHANGE,
    TLS_EV_CHANGE_CIPHER_SPEC,
    TLS_EV_ALERT,               /* clear alert, or an encrypted one (alert_encrypted) */
    TLS_EV_ENCRYPTED_HANDSHAKE, /* first encrypted handshake record of a side (Finished) */
    TLS_EV_APPLICATION_DATA,    /* first application-data record of a side */
    TLS_EV_CLOSE,               /* the TCP connection ended */
    /* With a key store (--keylog, --rsa-key, pcapng secrets): */
    TLS_EV_KEYS,                /* keys were looked up: key_source, NULL when none were found */
    TLS_EV_FINISHED,            /* a decrypted Finished from `from` */
    TLS_EV_DECRYPT_FAILED,      /* first record of a side that did not authenticate with the keys */
    TLS_EV_DECRYPT_STATS,       /* just before CLOSE: records, auth_failures, app_bytes */
};

/* More certificates than this in one message are counted, not listed. */
enum { TLS_EV_CERTS_MAX = 16 };

/* TLS versions as on the wire; DTLS ones are mapped to these by the dissector
 * only in names (tls_version_name). */
enum {
    TLS_V_SSL2 = 0x0002,
    TLS_V_SSL3 = 0x0300,
    TLS_V_TLS10 = 0x0301,
    TLS_V_TLS11 = 0x0302,
    TLS_V_TLS12 = 0x0303,
    TLS_V_TLS13 = 0x0304,
    TLS_V_DTLS10 = 0xfeff,
    TLS_V_DTLS12 = 0xfefd,
    TLS_V_DTLS13 = 0xfefc,
};

/*
 * One handshake fact. Every span borrows the dissector's buffers for the
 * duration of sink.emit only. ev->flow is conn (client -> server).
 */
struct ev_tls {
    enum tls_ev_kind kind;
    struct flow_key conn;      /* client -> server */
    enum dir from;             /* DIR_C2S: the client sent it */
    bool dtls;
    struct frame_ref first;    /* the connection's first packet */

    /* CLIENT_HELLO: legacy (or SSLv2) version, highest supported_versions
     * entry; SERVER_HELLO: selected version (supported_versions for 1.3). */
    uint16_t version;
    uint16_t cipher_suite;     /* SERVER_HELLO */
    bool hello_retry;          /* SERVER_HELLO that is a HelloRetryRequest */
    size_t n_cipher_suites;    /* CLIENT_HELLO */
    struct span sni;           /* CLIENT_HELLO: host_name, empty when absent */
    struct span alpn_first;    /* CLIENT_HELLO/SERVER_HELLO: first ALPN protocol */

    /* CERTIFICATE */
    struct span certs[TLS_EV_CERTS_MAX];
    size_t n_certs;            /* listed in certs[] */
    size_t n_certs_dropped;    /* past TLS_EV_CERTS_MAX */

    /* CERTIFICATE_REQUEST (TLS <= 1.2) */
    size_t n_ca_names;
    size_t n_sig_algs;

    /* ALERT */
    uint8_t alert_level;       /* 1 warning, 2 fatal; 0 when encrypted */
    uint8_t alert_desc;
    bool alert_encrypted;
    uint16_t record_len;       /* ALERT / APPLICATION_DATA: record length */

    /* CLOSE */
    enum close_reason close_why;

    /* The fact was read from decrypted bytes (CERTIFICATE, CERTIFICATE_REQUEST,
     * ALERT, APPLICATION_DATA, FINISHED in TLS 1.3; ALERT, APPLICATION_DATA,
     * FINISHED in TLS <= 1.2). */
    bool decrypted;
    const char *key_source;     /* KEYS: "keylog", "rsa_key", "resumed"; NULL: no keys */
    bool unsupported_cipher;    /* KEYS: the suite is not one sipsec decrypts (key_source NULL) */
    bool keys_followed;         /* KEYS: the key log is followed (live): keys may still come (a second KEYS) */
    const char *inner_protocol; /* decrypted APPLICATION_DATA: "sip", or NULL when not recognised */
    uint64_t records_decrypted; /* DECRYPT_STATS / DECRYPT_FAILED: both sides together */
    uint64_t auth_failures;
    uint64_t app_bytes;
    uint64_t records_lost;      /* DECRYPT_STATS: not decrypted because a gap hid their place */
};

/* Names for reports: "TLS1.2", "DTLS1.2", NULL if unknown. */
const char *tls_version_name(uint16_t v);
/* IANA cipher suite name, or NULL if not in the table. */
const char *tls_cipher_suite_name(uint16_t id);
/* RFC 8446 section 6 alert description name, or NULL. */
const char *tls_alert_name(uint8_t desc);

#endif
