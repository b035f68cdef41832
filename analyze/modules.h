/* modules.h: the interface each analysis module gives the analyzer. */
#ifndef SIPSEC_MODULES_H
#define SIPSEC_MODULES_H

#include <stdio.h>

#include "analyzer.h"
#include "json_writer.h"

/*
 * Every module has the same life: new, one call per event of its kinds,
 * finish at end of input (rules that need the whole capture run there),
 * then its report sections, then free. ctx outlives the module.
 */

/* ipsec.c: ESP/IKE per host pair (SPEC "ipsec"). */
struct ipsec_state *ipsec_new(struct analyze_ctx *ctx);
void ipsec_event(struct ipsec_state *s, const struct event *ev);
void ipsec_write_json(struct ipsec_state *s, struct jw *w); /* the array */
void ipsec_write_text(struct ipsec_state *s, FILE *out);
void ipsec_free(struct ipsec_state *s);
/* ESP or IKE seen between the two hosts (either direction)? */
bool ipsec_between(const struct ipsec_state *s, const struct ip_addr *a, const struct ip_addr *b);

/* tls_session.c + cert_rules.c: SPEC "tls_sessions" and "certificates". */
struct tls_state *tls_state_new(struct analyze_ctx *ctx);
void tls_state_event(struct tls_state *s, const struct event *ev);
void tls_state_finish(struct tls_state *s);
/* Capture time advanced without TLS events (live): idle sessions end. */
void tls_state_tick(struct tls_state *s, ts_ns now);
void tls_write_sessions_json(struct tls_state *s, struct jw *w);
void tls_write_certificates_json(struct tls_state *s, struct jw *w);
void tls_write_text(struct tls_state *s, FILE *out);
void tls_state_free(struct tls_state *s);
/* EV_SIP over TLS: CERT_NAME_MISMATCH for the hosts the message names (a loose Route, else
 * the Request-URI, for the receiver; Via sent-by, Record-Route of a request and Contact for the
 * sender; docs/TLS.md), each (certificate, host) once. */
void tls_state_sip(struct tls_state *s, const struct event *ev);
/* The id ("tls-3") of the TLS session on this TCP connection, or NULL. */
const char *tls_session_for_flow(const struct tls_state *s, const struct flow_key *k);
/* What other modules may know of a session; strings live as long as s. */
struct tls_facts {
    const char *id;          /* "tls-3" */
    struct flow_key conn;    /* client -> server */
    uint64_t first_frame;
    bool dtls, established, app_data, decrypted;
    const char *version;     /* "TLS1.2", NULL unknown */
    bool cert_request;       /* the server asked for a client certificate */
    int client_cert;         /* 1 sent one, 0 sent none (empty or no Certificate), -1 not visible (TLS 1.3) */
    enum tls_keys_state { TLS_KEYS_NOT_GIVEN, TLS_KEYS_NO_MATCH, TLS_KEYS_UNSUPPORTED, TLS_KEYS_FAILED,
                          TLS_KEYS_USED } keys; /* what decryption made of the keys given */
};
bool tls_session_facts(const struct tls_state *s, const char *id, struct tls_facts *out);

/* call.c + seclevel.c: SPEC "calls". */
struct call_state *calls_new(struct analyze_ctx *ctx);
/* EV_SIP, and EV_TLS (after tls_state_event) for SIP over TLS that stays opaque. */
void calls_event(struct call_state *s, const struct event *ev);
void calls_finish(struct call_state *s);
struct rtp_stream_view;
/* A finished, numbered stream (rtp_stats.c calls this): links media to
 * SIP-over-TLS sessions whose calls are not visible. */
void calls_note_stream(struct call_state *s, const struct rtp_stream_view *v);
/* After rtp_state_finish: the calls that depend on the media (ndjson writes them). */
void calls_finish_media(struct call_state *s);
/* Capture time advanced (live): idle calls end, ended ones are freed. */
void calls_tick(struct call_state *s, ts_ns now);
void calls_write_json(struct call_state *s, struct jw *w);
void calls_write_text(struct call_state *s, FILE *out);
void calls_free(struct call_state *s);

/* rtp_stats.c + rtp_gaps.c: SPEC "rtp_streams". */
struct rtp_state *rtp_state_new(struct analyze_ctx *ctx);
void rtp_state_event(struct rtp_state *s, const struct event *ev);
void rtp_state_finish(struct rtp_state *s);
/* Capture time advanced (live): idle streams end; with interim, each
 * live stream writes its statistics so far (ndjson). */
void rtp_state_tick(struct rtp_state *s, ts_ns now, bool interim);
void rtp_write_json(struct rtp_state *s, struct jw *w);
void rtp_write_text(struct rtp_state *s, FILE *out);
void rtp_state_free(struct rtp_state *s);

#endif
