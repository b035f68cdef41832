/* tls_session.c: placeholder until TLS sessions land (issue 3). */
#include <stdlib.h>

#include "modules.h"

struct tls_state { struct analyze_ctx *ctx; };
struct tls_state *tls_state_new(struct analyze_ctx *ctx)
{ struct tls_state *s = calloc(1, sizeof *s); if (s) s->ctx = ctx; return s; }
void tls_state_event(struct tls_state *s, const struct event *ev) { (void)s; (void)ev; }
void tls_state_finish(struct tls_state *s) { (void)s; }
void tls_write_sessions_json(struct tls_state *s, struct jw *w) { (void)s; jw_arr_begin(w); jw_arr_end(w); }
void tls_write_certificates_json(struct tls_state *s, struct jw *w) { (void)s; jw_arr_begin(w); jw_arr_end(w); }
void tls_write_text(struct tls_state *s, FILE *out) { (void)s; (void)out; }
void tls_state_free(struct tls_state *s) { free(s); }
const char *tls_session_for_flow(const struct tls_state *s, const struct flow_key *k) { (void)s; (void)k; return NULL; }
