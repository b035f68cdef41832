/* capture_loss.h: packets the capture itself dropped (live: pcap_stats), by window of capture time. */
#ifndef SIPSEC_CAPTURE_LOSS_H
#define SIPSEC_CAPTURE_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "netaddr.h"

/*
 * Live capture reads the kernel's drop counters every tick; each rise is
 * a window (previous tick, this tick] with the packets lost there. RTP
 * loss that overlaps such a window may be the capture's, not the
 * network's, and the findings say so. A fixed ring of windows: in a long
 * storm adjacent windows merge up to one second each, and the oldest are
 * forgotten past CAPTURE_LOSS_WINDOWS (the totals stay exact).
 */
enum { CAPTURE_LOSS_WINDOWS = 4096 };

struct capture_loss_window {
    ts_ns from, to;
    uint64_t kernel, iface;
};

struct capture_loss {
    struct capture_loss_window w[CAPTURE_LOSS_WINDOWS];
    uint32_t head, n;          /* oldest window, windows held */
    uint64_t total_kernel, total_iface;
};

void capture_loss_init(struct capture_loss *cl);
/* Drops counted in (from, to]; windows must come in time order. */
void capture_loss_add(struct capture_loss *cl, ts_ns from, ts_ns to, uint64_t kernel, uint64_t iface);
/* Drops in windows overlapping [from, to]; both 0 when none. */
void capture_loss_between(const struct capture_loss *cl, ts_ns from, ts_ns to, uint64_t *kernel,
                          uint64_t *iface);

#endif
