/* rtp_stats.h: per-stream RTP statistics (RFC 3550 section 6.4.1 and appendices A.1, A.3, A.8). */
#ifndef SIPSEC_RTP_STATS_H
#define SIPSEC_RTP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules.h"
#include "rtp_gaps.h"
#include "rtp_payload.h"

/* Gaps kept per stream; later ones are counted in gaps_dropped. */
enum { RTP_GAPS_MAX = 128 };

/*
 * The counters of one stream. The per-packet update touches only these
 * fields; the gap array grows (doubling, up to RTP_GAPS_MAX) only when a
 * gap is seen, never per packet.
 */
struct rtp_stats {
    uint64_t packets;        /* every packet, duplicates included (as tshark) */
    uint64_t received;       /* distinct packets inside the sequence accounting */
    uint64_t duplicates, out_of_order, restarts;
    uint64_t ext_base, ext_max; /* extended sequence numbers (wrap-around counted) */
    uint64_t expected_prior;    /* expected before the last sequence restart */
    uint64_t seen[2];           /* 128 recent sequence numbers, for duplicates */
    uint32_t bad_seq;           /* RFC 3550 A.1: a large jump waits for its successor */
    uint64_t first_frame, last_frame;
    ts_ns first_time, last_time;
    uint32_t prev_rtp_ts;
    /* the last packet with a known clock: jitter takes media time from it */
    bool has_timed;
    bool prev_was_cn;           /* comfort noise: the next delta is no delay */
    uint32_t timed_rtp_ts;
    uint32_t clock_rate;        /* of the last packet with a known clock */
    uint32_t samples_per_pkt;   /* timestamp step between consecutive packets */
    double jitter_ms;           /* RFC 3550 A.8 running estimate */
    double jitter_sum_ms, jitter_max_ms;
    uint64_t jitter_n;
    int64_t max_delta_ns;
    struct rtp_gap *gaps;
    uint32_t n_gaps, cap_gaps, gaps_dropped;
};

/* One packet as the stats need it; clock_rate 0 when unknown. */
struct rtp_pkt {
    uint16_t seq;
    uint32_t rtp_ts;
    uint32_t clock_rate;
    bool marker;
    ts_ns arrival;
    uint64_t frame;
    uint8_t pt;
};

void rtp_stats_packet(struct rtp_stats *st, const struct rtp_pkt *p);
uint64_t rtp_stats_expected(const struct rtp_stats *st);
uint64_t rtp_stats_lost(const struct rtp_stats *st);
/* Mean of the running jitter over the packets after the first (tshark's
 * "Mean Jitter"), in ms; 0 when the clock rate was never known. */
double rtp_stats_mean_jitter_ms(const struct rtp_stats *st);
/* Packetization interval in ms: from the timestamp step, else 20. */
double rtp_stats_ptime_ms(const struct rtp_stats *st);
void rtp_stats_fini(struct rtp_stats *st);

/* Clock rate of a static payload type (RFC 3551 tables 4 and 5), 0 if none. */
uint32_t rtp_static_clock_rate(uint8_t pt);

/* How a stream's srtp was decided. */
enum rtp_srtp_evidence { SRTP_EVIDENCE_NONE, SRTP_EVIDENCE_SDP, SRTP_EVIDENCE_PAYLOAD };

/* Read-only view for tests and the call module: confirmed streams kept for
 * the report, in id order (json/text formats only; ndjson frees them). */
size_t rtp_state_stream_count(const struct rtp_state *s);
struct rtp_stream_view {
    const char *id;      /* "rtp-N" */
    uint32_t ssrc;
    const struct flow_key *flow;
    uint8_t payload_type;
    const struct rtp_stats *stats;
    bool has_periodic;
    struct rtp_periodic periodic;
    const char *call_id; /* NULL when unknown */
    int srtp;            /* 1, 0, or -1 unknown */
    enum rtp_srtp_evidence srtp_evidence;
    const struct rtp_payload_verdict *verdict; /* the payload's, NULL when SDP decided */
};
bool rtp_state_stream_at(const struct rtp_state *s, size_t i, struct rtp_stream_view *out);

#endif
