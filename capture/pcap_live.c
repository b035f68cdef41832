/* pcap_live.c: live capture through libpcap: pcap_create, options, pcap_activate, poll loop. */
#include "pcap_live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap_live {
    pcap_t *p;
    int fd;          /* selectable descriptor, -1 when the platform has none */
    int dlt;
    uint32_t snaplen;
    bool nano;       /* timestamps in nanoseconds; else microseconds */
    struct input_info *info;
    packet_cb cb;
    void *ctx;
    /* pcap_stat counts are 32-bit: keep the last raw values and add the
     * differences, so hours at line rate do not wrap the totals. */
    uint32_t raw_recv, raw_drop, raw_ifdrop;
    struct live_stats total;
};

/* libpcap's activation errors as a person reads them, with how to fix the usual two. */
static void activate_error(pcap_t *p, int rc, const char *iface, char err[ERRBUF_LEN])
{
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, ERRBUF_LEN, "%s: no such interface (%s)", iface, detail);
        break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, ERRBUF_LEN,
                 "%s: permission denied: run as root or grant the capabilities "
                 "(setcap cap_net_raw,cap_net_admin=eip sipsec)", iface);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, ERRBUF_LEN, "%s: interface is down", iface);
        break;
    case PCAP_ERROR_RFMON_NOTSUP:
        snprintf(err, ERRBUF_LEN, "%s: monitor mode not supported", iface);
        break;
    default:
        snprintf(err, ERRBUF_LEN, "%s: %s", iface, detail[0] ? detail : pcap_statustostr(rc));
        break;
    }
}

struct pcap_live *pcap_live_open(const struct live_params *lp, char err[ERRBUF_LEN], char warn[ERRBUF_LEN])
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    warn[0] = '\0';
    struct pcap_live *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: out of memory", lp->iface);
        return NULL;
    }
    l->fd = -1;
    l->p = pcap_create(lp->iface, perr);
    if (l->p == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: %s", lp->iface, perr);
        free(l);
        return NULL;
    }
    pcap_set_snaplen(l->p, (int)lp->snaplen);
    pcap_set_promisc(l->p, lp->promisc ? 1 : 0);
    /* Without immediate mode Linux fills blocks of packets packed end to
     * end (TPACKET_V3) and hands a block over when it is full or this old:
     * events come at most 100 ms late. Immediate mode hands over each
     * packet but uses fixed frames sized for the largest packet (64 KiB
     * on an interface with offloads), so the same buffer holds a few
     * hundred packets and any pause drops (docs/PERFORMANCE.md). */
    pcap_set_timeout(l->p, 100);
    if (lp->immediate)
        pcap_set_immediate_mode(l->p, 1);
    if (lp->buffer_kib)
        pcap_set_buffer_size(l->p, (int)((lp->buffer_kib > 2097151 ? 2097151 : lp->buffer_kib) * 1024));
    l->nano = pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    int rc = pcap_activate(l->p);
    if (rc < 0) {
        activate_error(l->p, rc, lp->iface, err);
        pcap_close(l->p);
        free(l);
        return NULL;
    }
    if (rc > 0)
        snprintf(warn, ERRBUF_LEN, "%s: %s%s%s", lp->iface, pcap_statustostr(rc),
                 pcap_geterr(l->p)[0] ? ": " : "", pcap_geterr(l->p));
    if (pcap_get_tstamp_precision(l->p) != PCAP_TSTAMP_PRECISION_NANO)
        l->nano = false;
    l->dlt = pcap_datalink(l->p);
    l->snaplen = (uint32_t)pcap_snapshot(l->p);
    if (lp->bpf) {
        struct bpf_program prog;
        if (pcap_compile(l->p, &prog, lp->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(l->p, &prog) < 0) {
            snprintf(err, ERRBUF_LEN, "%s: filter \"%s\": %s", lp->iface, lp->bpf, pcap_geterr(l->p));
            pcap_close(l->p);
            free(l);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    if (pcap_setnonblock(l->p, 1, perr) < 0) {
        snprintf(err, ERRBUF_LEN, "%s: %s", lp->iface, perr);
        pcap_close(l->p);
        free(l);
        return NULL;
    }
    l->fd = pcap_get_selectable_fd(l->p);
    return l;
}

void pcap_live_close(struct pcap_live *l)
{
    if (l == NULL)
        return;
    pcap_close(l->p);
    free(l);
}

int pcap_live_linktype(const struct pcap_live *l)
{
    return l->dlt;
}

uint32_t pcap_live_snaplen(const struct pcap_live *l)
{
    return l->snaplen;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct pcap_live *l = (struct pcap_live *)(void *)user;
    struct input_info *info = l->info;
    ts_ns ts = (ts_ns)h->ts.tv_sec * 1000000000 + (ts_ns)h->ts.tv_usec * (l->nano ? 1 : 1000);
    struct frame_ref at = { .frame = ++info->packets, .ts = ts };
    input_info_note_time(info, ts);
    uint32_t wire = h->len < h->caplen ? h->caplen : h->len;
    l->cb(l->ctx, l->dlt, data, h->caplen, wire, &at);
}

int pcap_live_poll(struct pcap_live *l, int timeout_ms, int max, packet_cb cb, void *ctx,
                   struct input_info *info, char err[ERRBUF_LEN])
{
    if (info->n_link_types == 0)
        input_info_note_link(info, l->dlt);
    if (l->fd >= 0 && timeout_ms > 0) {
        struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
        /* EINTR is how a signal ends the wait: the caller checks its flag. */
        if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
            snprintf(err, ERRBUF_LEN, "poll: %s", strerror(errno));
            return -1;
        }
    }
    l->info = info;
    l->cb = cb;
    l->ctx = ctx;
    int n = pcap_dispatch(l->p, max, on_packet, (u_char *)(void *)l);
    if (n == PCAP_ERROR_BREAK)
        return -2;
    if (n < 0) {
        snprintf(err, ERRBUF_LEN, "%s", pcap_geterr(l->p));
        return -1;
    }
    return n;
}

void pcap_live_break(struct pcap_live *l)
{
    if (l)
        pcap_breakloop(l->p);
}

bool pcap_live_stats(struct pcap_live *l, struct live_stats *out)
{
    struct pcap_stat ps;
    if (pcap_stats(l->p, &ps) < 0) {
        *out = l->total;
        return false;
    }
    l->total.received += (uint32_t)(ps.ps_recv - l->raw_recv);
    l->total.dropped_kernel += (uint32_t)(ps.ps_drop - l->raw_drop);
    l->total.dropped_interface += (uint32_t)(ps.ps_ifdrop - l->raw_ifdrop);
    l->raw_recv = ps.ps_recv;
    l->raw_drop = ps.ps_drop;
    l->raw_ifdrop = ps.ps_ifdrop;
    *out = l->total;
    return true;
}
