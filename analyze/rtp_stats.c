/* rtp_stats.c: placeholder until RTP streams land (issue 5). */
#include <stdlib.h>

#include "modules.h"

struct rtp_state { struct analyze_ctx *ctx; };
struct rtp_state *rtp_state_new(struct analyze_ctx *ctx)
{ struct rtp_state *s = calloc(1, sizeof *s); if (s) s->ctx = ctx; return s; }
void rtp_state_event(struct rtp_state *s, const struct event *ev) { (void)s; (void)ev; }
void rtp_state_finish(struct rtp_state *s) { (void)s; }
void rtp_write_json(struct rtp_state *s, struct jw *w) { (void)s; jw_arr_begin(w); jw_arr_end(w); }
void rtp_write_text(struct rtp_state *s, FILE *out) { (void)s; (void)out; }
void rtp_state_free(struct rtp_state *s) { free(s); }
