/* pcap_input.c: offline capture files through libpcap, several read as one. */
#include "pcap_input.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

static pcap_t *open_file(const char *file, char err[ERRBUF_LEN])
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    /* Nanosecond precision keeps pcapng's finer timestamps. */
    pcap_t *p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (p == NULL)
        snprintf(err, ERRBUF_LEN, "%s: %s", strcmp(file, "-") ? file : "standard input", perr);
    return p;
}

int pcap_input_check_files(const char *const *files, size_t n_files, char err[ERRBUF_LEN])
{
    for (size_t i = 0; i < n_files; i++) {
        if (strcmp(files[i], "-") == 0)
            continue; /* stdin can be read once only */
        pcap_t *p = open_file(files[i], err);
        if (p == NULL)
            return -1;
        pcap_close(p);
    }
    return 0;
}

void input_info_note_link(struct input_info *info, int dlt)
{
    for (size_t i = 0; i < info->n_link_types; i++)
        if (info->link_types[i] == dlt)
            return;
    if (info->n_link_types < LINK_TYPES_MAX)
        info->link_types[info->n_link_types++] = dlt;
}

void input_info_note_time(struct input_info *info, ts_ns ts)
{
    /* Earliest and latest, as capinfos reports them: merged or badly
     * clocked captures are not in time order. */
    if (!info->has_time) {
        info->first_time = info->last_time = ts;
        info->has_time = true;
    }
    if (ts < info->first_time)
        info->first_time = ts;
    if (ts > info->last_time)
        info->last_time = ts;
}

static int apply_filter(pcap_t *p, const char *file, const char *bpf, char err[ERRBUF_LEN])
{
    struct bpf_program prog;
    if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0) {
        snprintf(err, ERRBUF_LEN, "%s: filter \"%s\": %s", file, bpf, pcap_geterr(p));
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

int pcap_input_read_files(const char *const *files, size_t n_files, const char *bpf,
                          packet_cb cb, void *ctx, struct input_info *info, char err[ERRBUF_LEN])
{
    for (size_t i = 0; i < n_files; i++) {
        pcap_t *p = open_file(files[i], err);
        if (p == NULL)
            return -1;
        if (bpf && apply_filter(p, files[i], bpf, err) < 0) {
            pcap_close(p);
            return -1;
        }
        int dlt = pcap_datalink(p);
        input_info_note_link(info, dlt);
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc;
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            struct frame_ref at = {
                .frame = ++info->packets,
                .ts = ts_from_sec_ns(h->ts.tv_sec, h->ts.tv_usec), /* usec field holds ns */
            };
            input_info_note_time(info, at.ts);
            /* libpcap caps caplen at its buffer, but never trust len < caplen. */
            uint32_t wire = h->len < h->caplen ? h->caplen : h->len;
            cb(ctx, dlt, data, h->caplen, wire, &at);
        }
        if (rc == PCAP_ERROR && !info->damaged) {
            info->damaged = true;
            info->damage_frame = info->packets + 1;
            snprintf(info->damage, sizeof info->damage, "%s: %s",
                     strcmp(files[i], "-") ? files[i] : "standard input", pcap_geterr(p));
        }
        pcap_close(p);
    }
    return 0;
}
