/* pcap_input.h: read one or more capture files (pcap/pcapng) as one capture. */
#ifndef SIPSEC_PCAP_INPUT_H
#define SIPSEC_PCAP_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

enum { ERRBUF_LEN = 512, LINK_TYPES_MAX = 8 };

/* Called for each packet; data is borrowed for the call only. */
typedef void (*packet_cb)(void *ctx, int linktype, const uint8_t *data, uint32_t caplen,
                          uint32_t wirelen, const struct frame_ref *at);

struct input_info {
    uint64_t packets;
    int link_types[LINK_TYPES_MAX]; /* distinct DLTs in order of first use */
    size_t n_link_types;
    bool has_time;
    ts_ns first_time, last_time; /* earliest and latest timestamp */
    bool damaged;              /* a file ended mid-record or a read failed */
    char damage[ERRBUF_LEN];   /* "file: why" */
    uint64_t damage_frame;     /* the frame that could not be read */
};

/*
 * Read files in order ("-" is standard input), numbering frames 1.. across
 * them. bpf (may be NULL) filters every file. Returns 0 when the capture
 * was read (perhaps damaged: see info->damaged), -1 with err filled when
 * a file cannot be opened or is not a capture at all.
 */
int pcap_input_read_files(const char *const *files, size_t n_files, const char *bpf,
                          packet_cb cb, void *ctx, struct input_info *info, char err[ERRBUF_LEN]);

/* Bookkeeping shared with live capture: a DLT in use, a packet's time. */
void input_info_note_link(struct input_info *info, int dlt);
void input_info_note_time(struct input_info *info, ts_ns ts);

/* Open every file without reading packets: fails fast before any output. */
int pcap_input_check_files(const char *const *files, size_t n_files, char err[ERRBUF_LEN]);

#endif
