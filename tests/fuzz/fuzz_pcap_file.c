/* fuzz_pcap_file.c: any bytes as a capture file through pcap_input_read_files, twice: as
 * analyze reads a file (classic pcap files in place by our plain reader, libpcap or our pcapng
 * reader for the rest) and with an empty -f filter, which takes libpcap (or our pcapng reader)
 * for every record. Both must give the same packets, stamps and damage verdict; each packet's
 * bytes are read, so ASan sees any overrun. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcap_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
    uint64_t packets, h;
};

static void mix(struct digest *d, uint64_t v)
{
    d->h = (d->h ^ v) * 0x100000001b3ULL;
}

static void on_packet(void *ctx, int linktype, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                      const struct frame_ref *at)
{
    struct digest *d = ctx;
    d->packets++;
    mix(d, (uint64_t)(uint32_t)linktype);
    mix(d, caplen);
    mix(d, wirelen);
    mix(d, at->frame);
    mix(d, (uint64_t)at->ts);
    for (uint32_t i = 0; i < caplen; i++)
        mix(d, p[i]);
}

static int read_as(const char *path, const char *bpf, struct digest *d, struct input_info *info)
{
    char err[ERRBUF_LEN];
    const char *files[] = { path };
    memset(d, 0, sizeof *d);
    memset(info, 0, sizeof *info);
    d->h = 0xcbf29ce484222325ULL;
    return pcap_input_read_files(files, 1, bpf, on_packet, d, info, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_pcap_file", 0);
    if (fd < 0)
        return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return 0;
        }
        done += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct digest plain, filtered;
    struct input_info ip, ifl;
    int rp = read_as(path, NULL, &plain, &ip);
    int rf = read_as(path, "", &filtered, &ifl);
    close(fd);
    /* An empty filter keeps every packet: the two ways of reading must agree. (It cannot be
     * compiled for a link type libpcap does not know, so that read may fail alone.) */
    if (rf == 0 && (rp != 0 || plain.packets != filtered.packets || plain.h != filtered.h ||
                    ip.damaged != ifl.damaged || ip.packets != ifl.packets))
        __builtin_trap();
    return 0;
}
