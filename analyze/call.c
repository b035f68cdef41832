/* call.c: placeholder until calls land (issue 4). */
#include <stdlib.h>

#include "modules.h"

struct call_state { struct analyze_ctx *ctx; };
struct call_state *calls_new(struct analyze_ctx *ctx)
{ struct call_state *s = calloc(1, sizeof *s); if (s) s->ctx = ctx; return s; }
void calls_event(struct call_state *s, const struct event *ev) { (void)s; (void)ev; }
void calls_finish(struct call_state *s) { (void)s; }
void calls_write_json(struct call_state *s, struct jw *w) { (void)s; jw_arr_begin(w); jw_arr_end(w); }
void calls_write_text(struct call_state *s, FILE *out) { (void)s; (void)out; }
void calls_free(struct call_state *s) { free(s); }
