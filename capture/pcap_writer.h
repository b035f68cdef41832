/* pcap_writer.h: saves captured packets to pcap files, rotated by size and count as tcpdump -C/-W. */
#ifndef SIPSEC_PCAP_WRITER_H
#define SIPSEC_PCAP_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "pcap_input.h"

struct pcap_writer_params {
    const char *path;      /* FILE, or the stem of FILE0, FILE1, ... */
    uint64_t rotate_bytes; /* start a new file once this many bytes are written; 0: never */
    uint32_t max_files;    /* with rotate_bytes: a ring of this many files; 0: no limit */
    int linktype;          /* DLT_ of the packets */
    uint32_t snaplen;
};

struct pcap_writer;

/*
 * Names follow tcpdump: without rotation the file is path itself; with
 * rotate_bytes alone the files are path, path1, path2, ...; with
 * max_files N they are path0 .. path(N-1), the number zero-padded to the
 * digits of N-1, and the oldest is overwritten once all exist. Files are
 * pcap with nanosecond timestamps. Opens the first file now; NULL with
 * "FILE: why" in err when it cannot.
 */
struct pcap_writer *pcap_writer_open(const struct pcap_writer_params *p, char err[ERRBUF_LEN]);

/* One packet (data borrowed for the call). Rotates first when the
 * current file is over the size. -1 with err when a write or the next
 * file's open failed: the writer is then closed for good. */
int pcap_writer_write(struct pcap_writer *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      ts_ns ts, char err[ERRBUF_LEN]);

/* Pushes buffered packets to the file, so a reader sees them. */
void pcap_writer_flush(struct pcap_writer *w);
/* Flushes and closes; w may be NULL. */
void pcap_writer_close(struct pcap_writer *w);

/* The file being written ("" once closed) and how many files were opened. */
const char *pcap_writer_current(const struct pcap_writer *w);
uint64_t pcap_writer_files_opened(const struct pcap_writer *w);

/* The name of file number i (0-based) for these parameters. */
void pcap_writer_name(const struct pcap_writer_params *p, uint64_t i, char *out, size_t cap);

#endif
