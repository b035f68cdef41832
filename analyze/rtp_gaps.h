/* rtp_gaps.h: gaps in an RTP stream and the periodic-drop detector (docs/RTP.md). */
#ifndef SIPSEC_RTP_GAPS_H
#define SIPSEC_RTP_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/* No packet for at least 3 packetization intervals. */
struct rtp_gap {
    ts_ns start;           /* arrival of the last packet before the gap */
    int64_t duration_ns;   /* to the arrival of the packet that ended it */
    uint32_t lost_packets; /* sequence numbers skipped across it (0: silence) */
    uint64_t frame;        /* the packet that ended it */
};

struct rtp_periodic {
    double period_ms; /* start to start */
    double gap_ms;    /* median length of the gaps in the train */
    uint32_t count;   /* gaps in the train */
};

/* Knobs, with the defaults below; tests and docs refer to them. */
enum {
    PERIODIC_MIN_GAPS = 3,         /* a train needs at least this many gaps */
    PERIODIC_MIN_GAP_MS = 150,     /* shorter holes are ordinary burst loss */
    PERIODIC_MIN_PERIOD_MS = 500,
    PERIODIC_MAX_PERIOD_MS = 60000,
    PERIODIC_TOLERANCE_PCT = 10,   /* timing jitter allowed per interval */
};

/*
 * Looks for a regular train of loss gaps in gaps[0..n) (in time order).
 * Only gaps that lost packets count: silence suppression skips no
 * sequence numbers. Tolerates +-10% timing jitter per interval, one
 * missing or merged gap, and a capture that starts mid-pattern. Fills
 * *out and returns true when a train is found. Pure: no state, no I/O.
 */
bool rtp_find_periodic_drop(const struct rtp_gap *gaps, size_t n, struct rtp_periodic *out);

#endif
