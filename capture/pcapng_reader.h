/* pcapng_reader.h: a pcapng reader of our own (draft-ietf-opsawg-pcapng sections 3 and 4), used
 * only for the files libpcap 1.10 refuses: interfaces of different link types, sections of
 * different byte orders (docs/LIMITS.md "pcapng"). */
#ifndef SIPSEC_PCAPNG_READER_H
#define SIPSEC_PCAPNG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netaddr.h"

enum {
    PCAPNG_BLOCK_BYTES_MAX = 16 << 20,  /* any block (libpcap 1.10 refuses larger ones too) */
    PCAPNG_DSB_BYTES_MAX = (16 << 20) + (64 << 10) + 20, /* 16 MiB of secrets + 64 KiB of options */
    PCAPNG_IFACES_MAX = 4096,           /* interfaces in one section */
    PCAPNG_ERR_MAX = 256,
};

enum pcapng_rc {
    PCAPNG_PACKET,    /* out->packet filled: an EPB, SPB or PB */
    PCAPNG_INTERFACE, /* out->iface filled: an IDB was read */
    PCAPNG_SECTION,   /* an SHB began a section (out->big_endian) */
    PCAPNG_EOF,       /* the file ended at a block boundary */
    PCAPNG_DAMAGED,   /* pcapng_reader_error() says where and why; nothing more is read */
};

struct pcapng_event {
    bool big_endian;                 /* PCAPNG_SECTION: the section's byte order */
    struct {
        uint32_t id;                 /* index in its section */
        int dlt;                     /* the IDB's LINKTYPE_ as a libpcap DLT_ (LINKTYPE_RAW -> DLT_RAW) */
        uint32_t snaplen;            /* 0: no limit */
    } iface;
    struct {
        uint32_t iface;
        int dlt;
        ts_ns ts;                    /* if_tsresol and if_tsoffset applied */
        uint32_t caplen, wirelen;    /* caplen bytes at data; wirelen as recorded (may be < caplen) */
        const uint8_t *data;         /* borrowed until the next call */
    } packet;
};

struct pcapng_reader;

/*
 * A reader on f, positioned at the file's first byte (an SHB). f stays the
 * caller's. headers_only: packet blocks are skipped unread (a quick walk
 * for pcapng_probe). NULL when out of memory.
 */
struct pcapng_reader *pcapng_reader_new(FILE *f, bool headers_only);
void pcapng_reader_free(struct pcapng_reader *r);

/* The next event. After PCAPNG_EOF or PCAPNG_DAMAGED it returns the same again. */
enum pcapng_rc pcapng_reader_next(struct pcapng_reader *r, struct pcapng_event *out);

/* After PCAPNG_DAMAGED: "block at offset 4096: why" (the reader's own static text otherwise ""). */
const char *pcapng_reader_error(const struct pcapng_reader *r);

/* What the headers of a file say, from a walk that reads no packet data. */
struct pcapng_probe {
    bool is_pcapng;          /* it starts with an SHB */
    bool libpcap_refuses;    /* interfaces of different link types, or sections of different byte
                              * orders: what libpcap 1.10 cannot read */
    uint32_t sections, interfaces;
    int dlts[8];             /* distinct link types in order of appearance (the first 8) */
    size_t n_dlts;
};

/* Walk f from its current position (rewound first when it can be). */
void pcapng_probe_file(FILE *f, struct pcapng_probe *out);

#endif
