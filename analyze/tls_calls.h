/* tls_calls.h: SIP over TLS whose content is not visible, reported from its TLS session and the
 * media between the same hosts (SPEC "calls" with call_id null; docs/SIP.md). */
#ifndef SIPSEC_TLS_CALLS_H
#define SIPSEC_TLS_CALLS_H

#include <stdio.h>

#include "modules.h"
#include "rtp_stats.h"

struct tls_calls;

struct tls_calls *tls_calls_new(struct analyze_ctx *ctx);
void tls_calls_free(struct tls_calls *t);
/* EV_TLS, after the TLS module saw it: a session on a SIP port starts, closes. */
void tls_calls_tls_event(struct tls_calls *t, const struct event *ev);
/* A SIP message travelled inside the TLS connection on this flow (decrypted):
 * that session carries real calls and gets no entry of its own. */
void tls_calls_sip_seen(struct tls_calls *t, const struct flow_key *flow);
/* A finished, numbered RTP stream: link it to the session it followed. */
void tls_calls_note_stream(struct tls_calls *t, const struct rtp_stream_view *v);
/* Capture time advanced (live): entries of connections long gone are written and freed. */
void tls_calls_tick(struct tls_calls *t, ts_ns now);
/* End of capture, after the RTP module finished: ndjson writes the entries. */
void tls_calls_finish(struct tls_calls *t);
/* json: the entries as elements of the open "calls" array; text: one block each. */
void tls_calls_write_json(struct tls_calls *t, struct jw *w);
void tls_calls_write_text(struct tls_calls *t, FILE *out);
/* Entries the report will list. */
size_t tls_calls_count(const struct tls_calls *t);

#endif
