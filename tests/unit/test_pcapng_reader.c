/* test_pcapng_reader.c: hand-built pcapng files through our reader (capture/pcapng_reader.c) and
 * through pcap_input, which hands libpcap's refusals to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap_input.h"
#include "pcapng_reader.h"

/* ---- a pcapng writer for the tests, either byte order ---- */

struct fbuf {
    uint8_t b[16384];
    size_t n;
    bool le;
};

static void w8(struct fbuf *f, uint8_t v)
{
    f->b[f->n++] = v;
}

static void w16(struct fbuf *f, uint16_t v)
{
    w8(f, (uint8_t)(f->le ? v : v >> 8));
    w8(f, (uint8_t)(f->le ? v >> 8 : v));
}

static void w32(struct fbuf *f, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w8(f, (uint8_t)(f->le ? v >> (8 * i) : v >> (24 - 8 * i)));
}

static void wbytes(struct fbuf *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
    while (f->n % 4)
        w8(f, 0);
}

static void block(struct fbuf *f, uint32_t type, const struct fbuf *body)
{
    uint32_t len = (uint32_t)(12 + body->n);
    w32(f, type);
    w32(f, len);
    memcpy(f->b + f->n, body->b, body->n);
    f->n += body->n;
    w32(f, len);
}

static void shb_v(struct fbuf *f, uint16_t major)
{
    struct fbuf b = { .le = f->le };
    w32(&b, 0x1A2B3C4D);
    w16(&b, major);
    w16(&b, 0);
    w32(&b, 0xffffffff);
    w32(&b, 0xffffffff);
    block(f, 0x0A0D0D0A, &b);
}

static void shb(struct fbuf *f)
{
    shb_v(f, 1);
}

/* An IDB; opts: raw option bytes already in f's byte order (built with opt_*), or NULL. */
static void idb(struct fbuf *f, uint16_t linktype, uint32_t snaplen, const struct fbuf *opts)
{
    struct fbuf b = { .le = f->le };
    w16(&b, linktype);
    w16(&b, 0);
    w32(&b, snaplen);
    if (opts) {
        memcpy(b.b + b.n, opts->b, opts->n);
        b.n += opts->n;
    }
    block(f, 1, &b);
}

static void opt(struct fbuf *o, uint16_t code, const void *val, uint16_t len)
{
    w16(o, code);
    w16(o, len);
    if (len)
        wbytes(o, val, len);
}

static void epb(struct fbuf *f, uint32_t ifid, uint64_t ticks, const void *data, uint32_t caplen, uint32_t wirelen)
{
    struct fbuf b = { .le = f->le };
    w32(&b, ifid);
    w32(&b, (uint32_t)(ticks >> 32));
    w32(&b, (uint32_t)ticks);
    w32(&b, caplen);
    w32(&b, wirelen);
    wbytes(&b, data, caplen);
    block(f, 6, &b);
}

static void spb(struct fbuf *f, const void *data, uint32_t n, uint32_t wirelen)
{
    struct fbuf b = { .le = f->le };
    w32(&b, wirelen);
    wbytes(&b, data, n);
    block(f, 3, &b);
}

static void pb(struct fbuf *f, uint16_t ifid, uint64_t ticks, const void *data, uint32_t n)
{
    struct fbuf b = { .le = f->le };
    w16(&b, ifid);
    w16(&b, 0);
    w32(&b, (uint32_t)(ticks >> 32));
    w32(&b, (uint32_t)ticks);
    w32(&b, n);
    w32(&b, n);
    wbytes(&b, data, n);
    block(f, 2, &b);
}

static void other(struct fbuf *f, uint32_t type, size_t body_len)
{
    struct fbuf b = { .le = f->le };
    for (size_t i = 0; i < body_len; i++)
        w8(&b, (uint8_t)i);
    block(f, type, &b);
}

/* ---- reading ---- */

struct rd {
    FILE *f;
    struct pcapng_reader *r;
};

static struct rd open_buf(struct fbuf *f)
{
    struct rd d;
    d.f = fmemopen(f->b, f->n, "rb");
    assert_non_null(d.f);
    d.r = pcapng_reader_new(d.f, false);
    assert_non_null(d.r);
    return d;
}

static void close_rd(struct rd *d)
{
    pcapng_reader_free(d->r);
    fclose(d->f);
}

/* The next packet, passing over sections and interfaces. */
static enum pcapng_rc next_packet(struct rd *d, struct pcapng_event *ev)
{
    for (;;) {
        enum pcapng_rc rc = pcapng_reader_next(d->r, ev);
        if (rc != PCAPNG_SECTION && rc != PCAPNG_INTERFACE)
            return rc;
    }
}

static const uint8_t eth_frame[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0x45 };

static void pcapng_reads_both_byte_orders(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        struct fbuf f = { .le = le };
        shb(&f);
        idb(&f, 1, 65535, NULL);
        epb(&f, 0, 1500000, eth_frame, sizeof eth_frame, 60);
        struct rd d = open_buf(&f);
        struct pcapng_event ev;
        assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_SECTION);
        assert_int_equal(ev.big_endian, !le);
        assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_INTERFACE);
        assert_int_equal(ev.iface.dlt, DLT_EN10MB);
        assert_int_equal(ev.iface.snaplen, 65535);
        assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_PACKET);
        assert_int_equal(ev.packet.dlt, DLT_EN10MB);
        assert_int_equal(ev.packet.caplen, sizeof eth_frame);
        assert_int_equal(ev.packet.wirelen, 60);
        assert_memory_equal(ev.packet.data, eth_frame, sizeof eth_frame);
        assert_int_equal(ev.packet.ts, 1500000000); /* default resolution: microseconds */
        assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_EOF);
        assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_EOF);
        close_rd(&d);
    }
}

/* if_tsresol: powers of 10 and of 2; if_tsoffset; an option of length 0 before them. */
static void pcapng_applies_tsresol_and_tsoffset(void **state)
{
    (void)state;
    struct { uint8_t res; int64_t off; uint64_t ticks; ts_ns want; } cases[] = {
        { 9, 0, 1234567890123ull, 1234567890123ll },         /* ns */
        { 3, 0, 1500, 1500000000ll },                         /* ms */
        { 0, 0, 7, 7000000000ll },                            /* seconds */
        { 19, 0, 10000000000000000000ull, 1000000000ll },     /* 10^-19: one second is 10^19 ticks */
        { 0x80 | 10, 0, 1536, 1500000000ll },                 /* 2^-10: 1024 ticks a second */
        { 0x80 | 40, 0, (3ull << 40) | (1ull << 39), 3500000000ll }, /* 2^-40 */
        { 0x80 | 63, 0, 1ull << 62, 500000000ll },            /* 2^-63: half a second */
        { 6, 100, 1000000, 101000000000ll },                  /* if_tsoffset +100 s */
        { 6, -1, 1000000, 0 },                                /* -1 s */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int le = 0; le < 2; le++) {
            struct fbuf f = { .le = le }, o = { .le = le };
            opt(&o, 1, NULL, 0); /* opt_comment of length 0 */
            opt(&o, 9, &cases[i].res, 1);
            if (cases[i].off) {
                uint64_t u = (uint64_t)cases[i].off;
                struct fbuf v = { .le = le };
                w32(&v, le ? (uint32_t)u : (uint32_t)(u >> 32));
                w32(&v, le ? (uint32_t)(u >> 32) : (uint32_t)u);
                opt(&o, 14, v.b, 8);
            }
            opt(&o, 0, NULL, 0);
            shb(&f);
            idb(&f, 1, 0, &o);
            epb(&f, 0, cases[i].ticks, eth_frame, sizeof eth_frame, sizeof eth_frame);
            struct rd d = open_buf(&f);
            struct pcapng_event ev;
            assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
            assert_int_equal(ev.packet.ts, cases[i].want);
            close_rd(&d);
        }
    }
}

/* Interfaces of different link types: each packet carries its own; LINKTYPE_RAW is DLT_RAW. */
static void pcapng_gives_each_packet_its_interface_link_type(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    shb(&f);
    idb(&f, 113, 0, NULL); /* LINUX_SLL */
    idb(&f, 1, 0, NULL);
    idb(&f, 101, 0, NULL); /* LINKTYPE_RAW */
    epb(&f, 1, 1, eth_frame, sizeof eth_frame, sizeof eth_frame);
    epb(&f, 0, 2, eth_frame, 4, sizeof eth_frame);
    pb(&f, 2, 3, eth_frame, 8);
    struct rd d = open_buf(&f);
    struct pcapng_event ev;
    int want[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW };
    uint32_t caplen[] = { sizeof eth_frame, 4, 8 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
        assert_int_equal(ev.packet.dlt, want[i]);
        assert_int_equal(ev.packet.caplen, caplen[i]);
    }
    assert_int_equal(ev.packet.iface, 2); /* the PB's 16-bit interface id */
    assert_int_equal(next_packet(&d, &ev), PCAPNG_EOF);
    close_rd(&d);
}

/* SPB: interface 0, min(original length, snaplen) bytes, no timestamp. */
static void pcapng_reads_simple_packet_blocks(void **state)
{
    (void)state;
    struct fbuf f = { .le = false };
    shb(&f);
    idb(&f, 1, 10, NULL);
    spb(&f, eth_frame, 10, 1514);
    spb(&f, eth_frame, 6, 6);
    struct rd d = open_buf(&f);
    struct pcapng_event ev;
    assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
    assert_int_equal(ev.packet.caplen, 10);
    assert_int_equal(ev.packet.wirelen, 1514);
    assert_int_equal(ev.packet.ts, 0);
    assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
    assert_int_equal(ev.packet.caplen, 6);
    assert_memory_equal(ev.packet.data, eth_frame, 6);
    close_rd(&d);
}

/* NRB, ISB, DSB, custom and unknown blocks are passed over; a new section renumbers its
 * interfaces and may change byte order. */
static void pcapng_skips_other_blocks_and_follows_sections(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    shb(&f);
    other(&f, 4, 16);          /* NRB */
    idb(&f, 1, 0, NULL);
    other(&f, 5, 20);          /* ISB */
    other(&f, 0x0A, 24);       /* DSB */
    other(&f, 0x00000BAD, 8);  /* custom */
    other(&f, 0x40000BAD, 0);  /* custom, empty body */
    other(&f, 0x12345678, 4);  /* unknown */
    epb(&f, 0, 1, eth_frame, sizeof eth_frame, sizeof eth_frame);
    f.le = false;
    shb(&f);
    idb(&f, 276, 0, NULL);     /* LINUX_SLL2, interface 0 of the new section */
    epb(&f, 0, 2, eth_frame, sizeof eth_frame, sizeof eth_frame);
    epb(&f, 1, 3, eth_frame, sizeof eth_frame, sizeof eth_frame); /* no interface 1 here */
    struct rd d = open_buf(&f);
    struct pcapng_event ev;
    assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
    assert_int_equal(ev.packet.dlt, DLT_EN10MB);
    assert_int_equal(next_packet(&d, &ev), PCAPNG_PACKET);
    assert_int_equal(ev.packet.dlt, 276);
    assert_int_equal(next_packet(&d, &ev), PCAPNG_DAMAGED);
    assert_non_null(strstr(pcapng_reader_error(d.r), "packet on interface 1, but its section describes 1"));
    assert_int_equal(pcapng_reader_next(d.r, &ev), PCAPNG_DAMAGED);
    close_rd(&d);
}

/* Damage of every kind is reported where it is, with what came before it delivered. */
static const char *damage_of(struct fbuf *f, int *packets_before)
{
    static char err[PCAPNG_ERR_MAX];
    struct rd d = open_buf(f);
    struct pcapng_event ev;
    enum pcapng_rc rc;
    *packets_before = 0;
    while ((rc = next_packet(&d, &ev)) == PCAPNG_PACKET)
        (*packets_before)++;
    assert_int_equal(rc, PCAPNG_DAMAGED);
    snprintf(err, sizeof err, "%s", pcapng_reader_error(d.r));
    close_rd(&d);
    return err;
}

static void good_start(struct fbuf *f)
{
    shb(f);
    idb(f, 1, 0, NULL);
    epb(f, 0, 1, eth_frame, sizeof eth_frame, sizeof eth_frame);
}

static void pcapng_reports_damage_and_keeps_what_came_before(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    int n;
    /* the file ends inside a block */
    good_start(&f);
    size_t at = f.n;
    epb(&f, 0, 2, eth_frame, sizeof eth_frame, sizeof eth_frame);
    f.n -= 5;
    const char *e = damage_of(&f, &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(e, "the file ends inside a block"));
    char where[64];
    snprintf(where, sizeof where, "offset %zu:", at);
    assert_non_null(strstr(e, where));
    /* inside a block header */
    f.n = at + 5;
    assert_non_null(strstr(damage_of(&f, &n), "inside a block header (5 of 8 bytes)"));
    /* a block over the cap, whose claimed length the file does not even have */
    f.n = at;
    w32(&f, 6);
    w32(&f, 0x7ffffff0);
    w32(&f, 0);
    assert_non_null(strstr(damage_of(&f, &n), "block of 2147483632 bytes over the 16777216-byte cap"));
    assert_int_equal(n, 1);
    /* a length not a multiple of 4, one shorter than a block can be */
    f.n = at;
    w32(&f, 6);
    w32(&f, 30);
    assert_non_null(strstr(damage_of(&f, &n), "block length 30 is not a multiple of 4"));
    f.n = at;
    w32(&f, 6);
    w32(&f, 8);
    assert_non_null(strstr(damage_of(&f, &n), "block length 8"));
    /* trailing length differs */
    f.n = at;
    epb(&f, 0, 2, eth_frame, sizeof eth_frame, sizeof eth_frame);
    f.b[f.n - 4] ^= 4;
    assert_non_null(strstr(damage_of(&f, &n), "trailing block length"));
    /* captured length past the block */
    f.n = at;
    epb(&f, 0, 2, eth_frame, sizeof eth_frame, sizeof eth_frame);
    f.b[at + 8 + 12] = 200; /* caplen */
    assert_non_null(strstr(damage_of(&f, &n), "captured length 200 runs past the block"));
    /* a packet block too short for its header */
    f.n = at;
    other(&f, 6, 8);
    assert_non_null(strstr(damage_of(&f, &n), "too short"));
}

static void pcapng_refuses_bad_headers_and_options(void **state)
{
    (void)state;
    int n;
    struct fbuf f = { .le = true };
    /* no SHB first */
    idb(&f, 1, 0, NULL);
    assert_non_null(strstr(damage_of(&f, &n), "no Section Header Block"));
    /* a byte-order magic that is neither */
    f.n = 0;
    w32(&f, 0x0A0D0D0A);
    w32(&f, 28);
    w32(&f, 0x11223344);
    assert_non_null(strstr(damage_of(&f, &n), "byte-order magic 0x11223344"));
    /* version 2 */
    f.n = 0;
    shb_v(&f, 2);
    assert_non_null(strstr(damage_of(&f, &n), "section version 2.0"));
    /* if_tsresol out of range, of the wrong length; an option running past the block */
    uint8_t res[][2] = { { 0x80 | 64, 1 }, { 20, 1 }, { 6, 2 } };
    const char *want[] = { "if_tsresol 2^-64 is not usable", "if_tsresol 10^-20 is not usable",
                           "if_tsresol of 2 bytes" };
    for (int i = 0; i < 3; i++) {
        struct fbuf o = { .le = true };
        opt(&o, 9, res[i], res[i][1]);
        f.n = 0;
        shb(&f);
        idb(&f, 1, 0, &o);
        assert_non_null(strstr(damage_of(&f, &n), want[i]));
    }
    struct fbuf o = { .le = true };
    w16(&o, 2);
    w16(&o, 64); /* if_name of 64 bytes, none there */
    f.n = 0;
    shb(&f);
    idb(&f, 1, 0, &o);
    assert_non_null(strstr(damage_of(&f, &n), "option 2 of 64 bytes runs past the block"));
}

/* What libpcap 1.10 refuses, found by the probe without reading packets. */
static void pcapng_probe_finds_what_libpcap_refuses(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    good_start(&f);
    idb(&f, 1, 0, NULL);
    FILE *m = fmemopen(f.b, f.n, "rb");
    struct pcapng_probe pr;
    pcapng_probe_file(m, &pr);
    fclose(m);
    assert_true(pr.is_pcapng);
    assert_false(pr.libpcap_refuses); /* two interfaces, one link type */
    assert_int_equal(pr.interfaces, 2);
    idb(&f, 113, 0, NULL);
    m = fmemopen(f.b, f.n, "rb");
    pcapng_probe_file(m, &pr);
    fclose(m);
    assert_true(pr.libpcap_refuses);
    assert_int_equal(pr.n_dlts, 2);
    assert_int_equal(pr.dlts[1], DLT_LINUX_SLL);
    /* a second section in the other byte order, same link type */
    f.n = 0;
    good_start(&f);
    f.le = false;
    good_start(&f);
    m = fmemopen(f.b, f.n, "rb");
    pcapng_probe_file(m, &pr);
    fclose(m);
    assert_true(pr.libpcap_refuses);
    assert_int_equal(pr.sections, 2);
    /* not pcapng at all */
    uint8_t classic[24] = { 0xd4, 0xc3, 0xb2, 0xa1 };
    m = fmemopen(classic, sizeof classic, "rb");
    pcapng_probe_file(m, &pr);
    fclose(m);
    assert_false(pr.is_pcapng);
}

/* ---- through pcap_input: libpcap first, ours where libpcap gives up ---- */

struct seen {
    int n;
    int dlt[64];
    uint8_t mark[64];
    uint64_t frame[64];
};

static void on_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      const struct frame_ref *at)
{
    (void)wirelen;
    struct seen *s = ctx;
    if (s->n == 64)
        return;
    s->dlt[s->n] = linktype;
    s->mark[s->n] = caplen > 20 ? data[20] : 0;
    s->frame[s->n] = at->frame;
    s->n++;
}

static const char *write_tmp(const struct fbuf *f)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sipsec-test-pcapng-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f->b, f->n), (ssize_t)f->n);
    close(fd);
    return path;
}

/* An Ethernet frame carrying IPv4 UDP (proto 17) or TCP (6), its byte 20 a mark. */
static void eth_ip(uint8_t out[34], uint8_t proto, uint8_t mark)
{
    memset(out, 0, 34);
    out[12] = 0x08;
    out[14] = 0x45;
    out[16] = 0;
    out[17] = 20;
    out[20] = mark;
    out[22] = 64;
    out[23] = proto;
}

/* An SLL (v1) frame with the same IPv4 header, byte 20 a mark too. */
static void sll_ip(uint8_t out[36], uint8_t proto, uint8_t mark)
{
    memset(out, 0, 36);
    out[14] = 0x08;
    out[16] = 0x45;
    out[19] = 20;
    out[20] = mark;
    out[24] = 64;
    out[25] = proto;
}

static void pcap_input_reads_interfaces_of_different_link_types(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    uint8_t e[34], s[36];
    shb(&f);
    idb(&f, 1, 0, NULL);
    /* libpcap delivers these two, then refuses the SLL interface: ours goes on from there */
    eth_ip(e, 17, 1);
    epb(&f, 0, 1, e, sizeof e, sizeof e);
    eth_ip(e, 6, 2);
    epb(&f, 0, 2, e, sizeof e, sizeof e);
    idb(&f, 113, 0, NULL);
    sll_ip(s, 17, 3);
    epb(&f, 1, 3, s, sizeof s, sizeof s);
    eth_ip(e, 6, 4);
    epb(&f, 0, 4, e, sizeof e, sizeof e);
    sll_ip(s, 6, 5);
    epb(&f, 1, 5, s, sizeof s, sizeof s);
    const char *path = write_tmp(&f);
    const char *files[] = { path };
    char err[ERRBUF_LEN];
    assert_int_equal(pcap_input_check_files(files, 1, err), 0);

    struct seen seen = { 0 };
    struct input_info info = { 0 };
    assert_int_equal(pcap_input_read_files(files, 1, NULL, on_packet, &seen, &info, err), 0);
    assert_false(info.damaged);
    assert_int_equal(info.packets, 5);
    assert_int_equal(seen.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(seen.mark[i], i + 1); /* each once, in file order */
        assert_int_equal(seen.frame[i], i + 1);
    }
    assert_int_equal(seen.dlt[0], DLT_EN10MB);
    assert_int_equal(seen.dlt[2], DLT_LINUX_SLL);
    assert_int_equal(seen.dlt[3], DLT_EN10MB);
    assert_int_equal(info.n_link_types, 2);
    assert_int_equal(info.link_types[0], DLT_EN10MB);
    assert_int_equal(info.link_types[1], DLT_LINUX_SLL);

    /* -f compiled per link type: TCP only, on both */
    memset(&seen, 0, sizeof seen);
    memset(&info, 0, sizeof info);
    assert_int_equal(pcap_input_read_files(files, 1, "tcp", on_packet, &seen, &info, err), 0);
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.mark[0], 2);
    assert_int_equal(seen.mark[1], 4);
    assert_int_equal(seen.mark[2], 5);
    assert_int_equal(seen.dlt[2], DLT_LINUX_SLL);
    assert_int_equal(seen.frame[2], 3);
    /* a filter one link type cannot take */
    memset(&info, 0, sizeof info);
    assert_int_equal(pcap_input_read_files(files, 1, "ether host 1:2:3:4:5:6", on_packet, &seen, &info, err), -1);
    assert_non_null(strstr(err, "for link type LINUX_SLL"));

    /* damage after the switch: what came before is delivered, the rest reported */
    f.n -= 10;
    path = write_tmp(&f);
    files[0] = path;
    memset(&seen, 0, sizeof seen);
    memset(&info, 0, sizeof info);
    assert_int_equal(pcap_input_read_files(files, 1, NULL, on_packet, &seen, &info, err), 0);
    assert_int_equal(seen.n, 4);
    assert_true(info.damaged);
    assert_int_equal(info.damage_frame, 5);
    assert_non_null(strstr(info.damage, "the file ends inside a block"));
    unlink(path);
}

/* One link type: libpcap reads it alone, and its damage is reported as libpcap says it. */
static void pcap_input_keeps_libpcap_for_one_link_type(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    uint8_t e[34];
    shb(&f);
    idb(&f, 1, 0, NULL);
    idb(&f, 1, 0, NULL);
    eth_ip(e, 17, 1);
    epb(&f, 1, 1, e, sizeof e, sizeof e);
    epb(&f, 0, 2, e, sizeof e, sizeof e);
    f.n -= 6;
    const char *path = write_tmp(&f);
    const char *files[] = { path };
    char err[ERRBUF_LEN];
    struct seen seen = { 0 };
    struct input_info info = { 0 };
    assert_int_equal(pcap_input_read_files(files, 1, NULL, on_packet, &seen, &info, err), 0);
    assert_int_equal(seen.n, 1);
    assert_true(info.damaged);
    assert_null(strstr(info.damage, "pcapng block at offset")); /* libpcap's words, not ours */
    unlink(path);
}

/* ---- classic pcap: our plain reader, libpcap for the rest ---- */

struct rec {
    int n;
    int dlt[16];
    uint32_t caplen[16], wirelen[16];
    ts_ns ts[16];
    uint8_t first[16];
};

static void on_rec(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   const struct frame_ref *at)
{
    struct rec *r = ctx;
    if (r->n == 16)
        return;
    r->dlt[r->n] = linktype;
    r->caplen[r->n] = caplen;
    r->wirelen[r->n] = wirelen;
    r->ts[r->n] = at->ts;
    r->first[r->n] = caplen ? data[0] : 0;
    assert_int_equal(at->frame, (uint64_t)r->n + 1);
    r->n++;
}

static size_t put32(uint8_t *b, size_t at, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        b[at + (size_t)i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    return at + 4;
}

/* A classic pcap file: magic, snaplen, link type, records of caplen[i]
 * bytes (wire length caplen + 4, byte 0 the record number; one over 2000
 * bytes ends the file after its header); cut to `keep` bytes when non-zero. */
static const char *classic_file(uint32_t magic, bool be, uint32_t snaplen, uint32_t link, const uint32_t *caplen,
                                size_t n, size_t keep)
{
    static uint8_t b[4096];
    size_t at = put32(b, 0, magic, be);
    b[at++] = be ? 0 : 2;
    b[at++] = be ? 2 : 0;
    b[at++] = be ? 0 : 4;
    b[at++] = be ? 4 : 0;
    at = put32(b, at, 0, be);
    at = put32(b, at, 0, be);
    at = put32(b, at, snaplen, be);
    at = put32(b, at, link, be);
    for (size_t i = 0; i < n; i++) {
        /* seconds and fractions as written, bogus ones too: libpcap reads
         * them as signed 32-bit fields (1928 for 0xb1cea3e4) */
        static const uint32_t sec[] = { 1700000000u, 0xb1cea3e4u, 0xffffffffu, 1700000003u, 0x80000000u };
        static const uint32_t frac[] = { 999999u, 0xffffffffu, 5000000u, 0x80000000u, 0u };
        at = put32(b, at, sec[i % 5], be);
        at = put32(b, at, frac[i % 5], be);
        at = put32(b, at, caplen[i], be);
        at = put32(b, at, caplen[i] + 4, be);
        if (caplen[i] > 2000)
            break; /* a bogus length: the file ends after its header */
        memset(b + at, 0xee, caplen[i]);
        if (caplen[i])
            b[at] = (uint8_t)(i + 1);
        at += caplen[i];
    }
    struct fbuf f = { .n = keep ? keep : at };
    assert_true(f.n <= sizeof f.b);
    memcpy(f.b, b, f.n);
    return write_tmp(&f);
}

/* What libpcap alone gives for the file, at nanosecond precision. */
static void libpcap_reads(const char *path, struct rec *r, char *err, size_t cap)
{
    char perr[PCAP_ERRBUF_SIZE];
    err[0] = '\0';
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    assert_non_null(p);
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        struct frame_ref at = { .frame = (uint64_t)r->n + 1, .ts = ts_from_sec_ns(h->ts.tv_sec, h->ts.tv_usec) };
        on_rec(r, pcap_datalink(p), d, h->caplen, h->len < h->caplen ? h->caplen : h->len, &at);
    }
    if (rc == PCAP_ERROR)
        snprintf(err, cap, "%s", pcap_geterr(p));
    pcap_close(p);
}

/* Reads path through pcap_input_read_files and asserts that it gives what
 * libpcap alone gives, packet by packet, damage and libpcap's words for it
 * included. What came is left in *got, whether the file was damaged in
 * *damaged. */
static void assert_reads_as_libpcap(const char *path, struct rec *got, bool *damaged)
{
    struct rec want = { 0 };
    char why[256];
    libpcap_reads(path, &want, why, sizeof why);
    const char *files[] = { path };
    struct input_info info = { 0 };
    char err[ERRBUF_LEN];
    assert_int_equal(pcap_input_read_files(files, 1, NULL, on_rec, got, &info, err), 0);
    assert_int_equal(got->n, want.n);
    for (int i = 0; i < want.n; i++) {
        assert_int_equal(got->dlt[i], want.dlt[i]);
        assert_int_equal(got->caplen[i], want.caplen[i]);
        assert_int_equal(got->wirelen[i], want.wirelen[i]);
        assert_int_equal(got->ts[i], want.ts[i]);
        assert_int_equal(got->first[i], want.first[i]);
    }
    assert_int_equal(info.damaged, why[0] != '\0');
    if (why[0])
        assert_non_null(strstr(info.damage, why)); /* libpcap's own words */
    *damaged = info.damaged;
}

static void pcap_input_reads_classic_pcap_as_libpcap_does(void **state)
{
    (void)state;
    static const uint32_t caps[] = { 60, 0, 1514, 42, 100 };
    static const struct {
        uint32_t magic;
        bool be;
        uint32_t snaplen, link;
        size_t keep_cut; /* bytes cut off the end */
        uint32_t cap3;   /* the fourth record's caplen */
    } v[] = {
        { 0xa1b2c3d4, false, 65535, 1, 0, 42 },   /* microseconds: ours */
        { 0xa1b23c4d, false, 65535, 1, 0, 42 },   /* nanoseconds: ours */
        { 0xa1b2c3d4, false, 65535, 1, 150, 42 }, /* cut inside the last record's data */
        { 0xa1b2c3d4, false, 65535, 1, 110, 42 }, /* cut inside the last record's header */
        { 0xa1b2c3d4, false, 1000, 1, 0, 1200 },  /* a record over the snaplen, mid-file */
        { 0xa1b2c3d4, false, 1000, 1, 0, 300000 },/* and over any snaplen */
        { 0xa1b2c3d4, true, 65535, 1, 0, 42 },    /* big-endian: libpcap */
        { 0xa1b2c3d4, false, 65535, 113, 0, 42 }, /* Linux SLL: libpcap */
        { 0xa1b2c3d4, false, 0, 1, 0, 42 },       /* snaplen 0: libpcap */
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        uint32_t c[5];
        memcpy(c, caps, sizeof c);
        c[3] = v[k].cap3;
        const char *probe = classic_file(v[k].magic, v[k].be, v[k].snaplen, v[k].link, c, 5, 0);
        struct stat st;
        assert_int_equal(stat(probe, &st), 0);
        unlink(probe);
        size_t keep = v[k].keep_cut ? (size_t)st.st_size - v[k].keep_cut : 0;
        const char *path = classic_file(v[k].magic, v[k].be, v[k].snaplen, v[k].link, c, 5, keep);
        struct rec got = { 0 };
        bool damaged;
        assert_reads_as_libpcap(path, &got, &damaged);
        unlink(path);
    }
}

/* A record longer than the plain reader's first buffer (64 KiB): it grows
 * to hold it, and the records after it come as libpcap gives them. */
static void pcap_input_reads_a_long_classic_record(void **state)
{
    (void)state;
    static uint8_t b[24 + 3 * 16 + 70000 + 200 + 60];
    static const uint32_t caplen[] = { 200, 70000, 60 };
    size_t at = put32(b, 0, 0xa1b2c3d4u, false);
    b[at++] = 2, b[at++] = 0, b[at++] = 4, b[at++] = 0;
    at = put32(b, at, 0, false);
    at = put32(b, at, 0, false);
    at = put32(b, at, 262144, false);
    at = put32(b, at, 1, false);
    for (size_t i = 0; i < 3; i++) {
        at = put32(b, at, 1700000000u, false);
        at = put32(b, at, (uint32_t)i, false);
        at = put32(b, at, caplen[i], false);
        at = put32(b, at, caplen[i], false);
        memset(b + at, (int)(i + 1), caplen[i]);
        at += caplen[i];
    }
    assert_int_equal(at, sizeof b);
    char path[64];
    snprintf(path, sizeof path, "/tmp/sipsec-test-pcap-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, sizeof b), (ssize_t)sizeof b);
    close(fd);
    struct rec got = { 0 };
    bool damaged;
    assert_reads_as_libpcap(path, &got, &damaged);
    assert_int_equal(got.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(got.caplen[i], caplen[i]);
        assert_int_equal(got.first[i], i + 1);
    }
    assert_false(damaged);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcapng_reads_both_byte_orders),
        cmocka_unit_test(pcapng_applies_tsresol_and_tsoffset),
        cmocka_unit_test(pcapng_gives_each_packet_its_interface_link_type),
        cmocka_unit_test(pcapng_reads_simple_packet_blocks),
        cmocka_unit_test(pcapng_skips_other_blocks_and_follows_sections),
        cmocka_unit_test(pcapng_reports_damage_and_keeps_what_came_before),
        cmocka_unit_test(pcapng_refuses_bad_headers_and_options),
        cmocka_unit_test(pcapng_probe_finds_what_libpcap_refuses),
        cmocka_unit_test(pcap_input_reads_interfaces_of_different_link_types),
        cmocka_unit_test(pcap_input_keeps_libpcap_for_one_link_type),
        cmocka_unit_test(pcap_input_reads_classic_pcap_as_libpcap_does),
        cmocka_unit_test(pcap_input_reads_a_long_classic_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
