/* pcap_live.h: live capture from a network interface through libpcap (pcap_create/pcap_activate). */
#ifndef SIPSEC_PCAP_LIVE_H
#define SIPSEC_PCAP_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "pcap_input.h"

struct live_params {
    const char *iface;
    uint32_t snaplen;
    bool promisc;
    uint32_t buffer_kib; /* kernel ring size; 0: libpcap's default (2 MiB) */
    bool immediate;      /* deliver each packet at once instead of in kernel blocks (<= 100 ms) */
    const char *bpf;     /* capture filter, NULL for none */
};

/* pcap_stats(3PCAP): counted since the capture opened. */
struct live_stats {
    uint64_t received;          /* passed the filter (on Linux, dropped ones included) */
    uint64_t dropped_kernel;    /* no room in the kernel buffer: sipsec fell behind */
    uint64_t dropped_interface; /* dropped by the interface or its driver */
};

struct pcap_live;

/*
 * Opens and activates the interface and applies the filter. Returns NULL
 * with "IFACE: why" in err when it cannot (no such device, no permission,
 * bad filter); a non-fatal libpcap warning (e.g. promiscuous mode not
 * supported) goes to warn, else warn is "".
 */
struct pcap_live *pcap_live_open(const struct live_params *p, char err[ERRBUF_LEN], char warn[ERRBUF_LEN]);
void pcap_live_close(struct pcap_live *l);
int pcap_live_linktype(const struct pcap_live *l);
uint32_t pcap_live_snaplen(const struct pcap_live *l);

/*
 * Waits up to timeout_ms for packets, then delivers at most max of them
 * to cb, numbering frames on from info->packets and keeping info's times
 * and link types. Returns the number delivered (0: timeout or signal),
 * -1 with err filled when the capture failed (interface gone), -2 after
 * pcap_live_break.
 */
int pcap_live_poll(struct pcap_live *l, int timeout_ms, int max, packet_cb cb, void *ctx,
                   struct input_info *info, char err[ERRBUF_LEN]);

/* Makes the current or next pcap_live_poll return -2. Async-signal-safe
 * (pcap_breakloop(3PCAP) may be called from a signal handler). */
void pcap_live_break(struct pcap_live *l);

/* False when the platform has no statistics for this capture. */
bool pcap_live_stats(struct pcap_live *l, struct live_stats *out);

#endif
