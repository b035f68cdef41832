/* pcap_writer.c: packets to pcap files through pcap_dump, rotated by size (-C) into a ring (-W). */
#include "pcap_writer.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WRITER_PATH_MAX = 4096 };

struct pcap_writer {
    struct pcap_writer_params p;
    char *path_copy;
    pcap_t *dead;            /* gives pcap_dump_open the link type and snaplen */
    pcap_dumper_t *d;
    uint64_t index;          /* number of the file being written (not wrapped) */
    uint64_t bytes;          /* written to the current file, header included */
    uint64_t packets_in_file;
    char current[WRITER_PATH_MAX];
};

/* Digits of n - 1, as tcpdump pads its -W ring numbers (0 for n = 1). */
static int ring_digits(uint32_t n)
{
    int c = 0;
    for (uint32_t x = n ? n - 1 : 0; x > 0; x /= 10)
        c++;
    return c;
}

void pcap_writer_name(const struct pcap_writer_params *p, uint64_t i, char *out, size_t cap)
{
    if (p->rotate_bytes == 0) {
        snprintf(out, cap, "%s", p->path);
    } else if (p->max_files) {
        snprintf(out, cap, "%s%0*llu", p->path, ring_digits(p->max_files),
                 (unsigned long long)(i % p->max_files));
    } else if (i == 0) {
        snprintf(out, cap, "%s", p->path);
    } else {
        snprintf(out, cap, "%s%llu", p->path, (unsigned long long)i);
    }
}

static int open_file(struct pcap_writer *w, char err[ERRBUF_LEN])
{
    pcap_writer_name(&w->p, w->index, w->current, sizeof w->current);
    w->d = pcap_dump_open(w->dead, w->current);
    if (w->d == NULL) {
        snprintf(err, ERRBUF_LEN, "%s", pcap_geterr(w->dead));
        w->current[0] = '\0';
        return -1;
    }
    w->bytes = 24; /* the file header */
    w->packets_in_file = 0;
    return 0;
}

struct pcap_writer *pcap_writer_open(const struct pcap_writer_params *p, char err[ERRBUF_LEN])
{
    struct pcap_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: out of memory", p->path);
        return NULL;
    }
    w->p = *p;
    w->path_copy = strdup(p->path);
    w->dead = pcap_open_dead_with_tstamp_precision(p->linktype, (int)p->snaplen, PCAP_TSTAMP_PRECISION_NANO);
    if (w->path_copy == NULL || w->dead == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: out of memory", p->path);
        pcap_writer_close(w);
        return NULL;
    }
    w->p.path = w->path_copy;
    if (open_file(w, err) < 0) {
        pcap_writer_close(w);
        return NULL;
    }
    return w;
}

int pcap_writer_write(struct pcap_writer *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      ts_ns ts, char err[ERRBUF_LEN])
{
    if (w->d == NULL)
        return -1;
    /* tcpdump's rule: a file may pass the size by its last packet; the
     * next packet starts the next file (never an empty one). */
    if (w->p.rotate_bytes && w->bytes > w->p.rotate_bytes && w->packets_in_file > 0) {
        pcap_dump_close(w->d);
        w->d = NULL;
        w->index++;
        if (open_file(w, err) < 0)
            return -1;
    }
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(ts / 1000000000);
    h.ts.tv_usec = (suseconds_t)(ts % 1000000000); /* nanoseconds: the file says so */
    if (ts < 0 && h.ts.tv_usec != 0) {
        h.ts.tv_sec -= 1;
        h.ts.tv_usec += 1000000000;
    }
    h.caplen = caplen;
    h.len = wirelen;
    pcap_dump((u_char *)w->d, &h, data);
    w->bytes += 16 + (uint64_t)caplen;
    w->packets_in_file++;
    FILE *f = pcap_dump_file(w->d);
    if (ferror(f)) {
        snprintf(err, ERRBUF_LEN, "%.400s: %s", w->current, strerror(errno ? errno : EIO));
        pcap_dump_close(w->d);
        w->d = NULL;
        w->current[0] = '\0';
        return -1;
    }
    return 0;
}

void pcap_writer_flush(struct pcap_writer *w)
{
    if (w && w->d)
        pcap_dump_flush(w->d);
}

void pcap_writer_close(struct pcap_writer *w)
{
    if (w == NULL)
        return;
    if (w->d)
        pcap_dump_close(w->d);
    if (w->dead)
        pcap_close(w->dead);
    free(w->path_copy);
    free(w);
}

const char *pcap_writer_current(const struct pcap_writer *w)
{
    return w ? w->current : "";
}

uint64_t pcap_writer_files_opened(const struct pcap_writer *w)
{
    return w && (w->d || w->index) ? w->index + 1 : 0;
}
