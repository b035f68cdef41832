/* analyzer.h: consumes dissector events, owns every analysis module, writes the report. */
#ifndef SIPSEC_ANALYZER_H
#define SIPSEC_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "findings.h"
#include "json_writer.h"
#include "caps.h"
#include "netaddr.h"
#include "report.h"

enum profile { PROFILE_GENERIC, PROFILE_EXCHANGE_UM, PROFILE_OCS2007 };

bool profile_parse(const char *s, enum profile *out);
const char *profile_name(enum profile p);

struct analyze_opts {
    enum profile profile;
    const char *ca_file;   /* NULL: chains are not verified, trusted = null */
    bool has_now;          /* --now given */
    ts_ns now;
    const struct limits *lim;
    const uint16_t *sip_ports; /* --sip-port: more ports carrying SIP (5060/5061 always do) */
    size_t n_sip_ports;
    bool live;                 /* sipsec live: capture drops are tracked and reported */
};

/* What the capture layer saw, for the report's input section. */
struct input_summary {
    const char *const *files;
    size_t n_files;
    uint64_t packets, bytes, truncated_packets, decode_errors;
    const char *link_types[8];
    size_t n_link_types;
    bool has_time;
    ts_ns first_time, last_time;
    bool file_truncated;       /* a file ended mid-record or a read failed */
    char truncated_reason[512];
    uint64_t truncated_frame;  /* the frame after the last good one */
    /* Writes the report's "stats" fields (capture-layer counters). */
    void (*write_stats)(void *ctx, struct jw *w);
    void *stats_ctx;
    /* live: the interface, and pcap_stats when has_capture_stats */
    const char *interface;
    bool has_capture_stats;
    uint64_t capture_received, capture_dropped_kernel, capture_dropped_interface;
};

struct ipsec_state;
struct tls_state;
struct call_state;
struct rtp_state;
struct media_expect;
struct capture_loss;

/* Shared by the modules: options, findings, the output, each other. */
struct analyze_ctx {
    const struct analyze_opts *opts;
    struct findings *findings;
    struct report_out *out;
    struct media_expect *media; /* SDP endpoints for the RTP dissector */
    struct ipsec_state *ipsec;
    struct tls_state *tls;
    struct call_state *calls;
    struct rtp_state *rtp;
    /* live: what the capture dropped, by time (NULL offline) */
    const struct capture_loss *capture_loss;
    /* live --stats-interval: capture time of the previous interim (0: none yet) */
    ts_ns interim_from;
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyze_opts *opts, struct report_out *out,
                              struct media_expect *media);
void analyzer_free(struct analyzer *a);
/* The sink dissectors emit into. */
struct sink analyzer_sink(struct analyzer *a);
/* End of input: close what is open, run the end-of-capture rules. */
void analyzer_finish(struct analyzer *a, const struct input_summary *in);
/* Write the whole report (text or json) or the final ndjson lines. */
const struct findings *analyzer_findings(const struct analyzer *a);
struct analyze_ctx *analyzer_ctx(struct analyzer *a);
/* Malformed upper-layer messages (SIP, TLS, ...) counted by dissectors. */
uint64_t analyzer_decode_errors(const struct analyzer *a);

/*
 * Live capture. A tick runs the capture-time timeouts when packets are
 * few or none (now: the later of the last packet's time and the clock);
 * with interim, streams also write their interim statistics (ndjson).
 */
void analyzer_tick(struct analyzer *a, ts_ns now, bool interim);
/* The capture dropped kernel + iface packets in (from, to]: kept for
 * the RTP findings, and CAPTURE_DROPS raised the first time. */
void analyzer_capture_drops(struct analyzer *a, ts_ns from, ts_ns to, uint64_t kernel, uint64_t iface);

/* report.c: the whole report in out->fmt (ndjson: the closing lines;
 * the live text view: a summary). */
void report_write(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in);
/* ndjson: a "stats" line now (interim: a periodic one, more will come). */
void report_write_stats_line(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in,
                             bool interim);

#endif
