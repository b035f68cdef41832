/* run.h: wiring capture -> dissect -> analyze -> report for one command. */
#ifndef SIPSEC_RUN_H
#define SIPSEC_RUN_H

#include "options.h"
#include "pcap_input.h"

/* Returns the process exit status; messages go to stderr. */
int run_analyze(const struct options *o);
int run_live(const struct options *o); /* live.c */

/*
 * The pipeline `analyze` and `live` share, so both analyze alike: packets
 * in (pipeline_packet is a packet_cb), the report out. live adds ticks
 * (capture time passing without packets) and interim stats lines.
 */
struct pipeline;
struct pipeline *pipeline_new(const struct options *o, struct report_out *out, bool live);
void pipeline_free(struct pipeline *p);
void pipeline_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                     const struct frame_ref *at);
struct analyzer *pipeline_analyzer(struct pipeline *p);
void pipeline_tick(struct pipeline *p, const struct frame_ref *now, bool interim);
/* The input section as of now (live fills its interface and pcap_stats fields). */
void pipeline_summary(struct pipeline *p, const struct options *o, const struct input_info *info,
                      struct input_summary *in);
void pipeline_stats_line(struct pipeline *p, struct report_out *out, const struct input_summary *in);
/* End of input: close flows, run end rules, write the report; the exit
 * status (--fail-on). live_in: the live fields for the input section. */
int pipeline_finish(struct pipeline *p, const struct options *o, struct report_out *out,
                    const struct input_info *info, const struct input_summary *live_in);

/* -o FILE or stdout; -1 with a message on stderr. */
int report_open(const struct options *o, struct report_out *out);
/* Closes -o; returns status, or EXIT_INPUT when the report could not be written. */
int report_close(const struct options *o, struct report_out *out, int status);
/* --ca-file, --keylog, --rsa-key readable; -1 with a message on stderr. */
int check_option_files(const struct options *o);

#endif
