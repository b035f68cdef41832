/* pcap_input.c: offline capture files through libpcap (pcapng_reader.c where libpcap cannot),
 * several read as one. */
#include "pcap_input.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_map.h"
#include "link.h"
#include "pcapng_reader.h"

enum { READ_BUFFER = 1 << 16 };

/* An open capture: libpcap's handle and the stdio buffer under it. */
struct opened {
    pcap_t *p;
    char *buf;
};

/*
 * A named file through our own FILE with a 1 MiB buffer: libpcap's own
 * fopen reads in st_blksize pieces (4 KiB: 160000 read calls for a 640 MB
 * capture). libpcap still parses it and closes the FILE; standard input,
 * or a file we cannot open or buffer, goes to libpcap as before (which
 * then says why it cannot be opened, in its own words).
 */
static struct opened open_file(const char *file, char err[ERRBUF_LEN])
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct opened o = { NULL, NULL };
    FILE *f = NULL;
    if (strcmp(file, "-") != 0 && (o.buf = malloc(READ_BUFFER)) != NULL && (f = fopen(file, "rb")) != NULL &&
        setvbuf(f, o.buf, _IOFBF, READ_BUFFER) == 0) {
        /* Nanosecond precision keeps pcapng's finer timestamps. */
        o.p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
        if (o.p == NULL) {
            fclose(f);
            free(o.buf);
            o.buf = NULL;
        }
    } else {
        if (f)
            fclose(f);
        free(o.buf);
        o.buf = NULL;
        o.p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, perr);
    }
    if (o.p == NULL)
        snprintf(err, ERRBUF_LEN, "%s: %s", strcmp(file, "-") ? file : "standard input", perr);
    return o;
}

static void close_file(struct opened *o)
{
    pcap_close(o->p); /* closes the FILE before its buffer goes */
    free(o->buf);
    o->p = NULL;
    o->buf = NULL;
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

/*
 * Which reader: libpcap for every file, except where it fails on a pcapng
 * file whose headers show what libpcap 1.10 cannot read (interfaces of
 * different link types, sections of different byte orders). Only then
 * our reader (pcapng_reader.c) reads that file, from the record after
 * the last one libpcap delivered. The headers are walked only after such
 * a failure, so every other file costs nothing extra. Standard input can
 * be read once only: it stays libpcap's.
 */
static bool ours_can_read(const char *file)
{
    if (strcmp(file, "-") == 0)
        return false;
    FILE *f = fopen(file, "rb");
    if (f == NULL)
        return false;
    struct pcapng_probe pr;
    pcapng_probe_file(f, &pr);
    fclose(f);
    return pr.is_pcapng && pr.libpcap_refuses;
}

int pcap_input_check_files(const char *const *files, size_t n_files, char err[ERRBUF_LEN])
{
    for (size_t i = 0; i < n_files; i++) {
        if (strcmp(files[i], "-") == 0)
            continue; /* stdin can be read once only */
        struct opened o = open_file(files[i], err);
        if (o.p == NULL) {
            if (ours_can_read(files[i]))
                continue;
            return -1;
        }
        close_file(&o);
    }
    return 0;
}

/* Compiled -f programs, one per link type (pcap_open_dead: a filter is compiled for a link
 * type, and our reader's packets come with several). A few slots, reused round robin. */
enum { FILTER_SLOTS = 16 };
struct filters {
    const char *bpf;
    const char *file;
    struct { int dlt; bool used; struct bpf_program prog; } slot[FILTER_SLOTS];
    size_t next;
};

static void filters_fini(struct filters *fl)
{
    for (size_t i = 0; i < FILTER_SLOTS; i++)
        if (fl->slot[i].used)
            pcap_freecode(&fl->slot[i].prog);
    memset(fl->slot, 0, sizeof fl->slot);
}

static const struct bpf_program *filters_get(struct filters *fl, int dlt, char err[ERRBUF_LEN])
{
    for (size_t i = 0; i < FILTER_SLOTS; i++)
        if (fl->slot[i].used && fl->slot[i].dlt == dlt)
            return &fl->slot[i].prog;
    size_t i = fl->next++ % FILTER_SLOTS;
    if (fl->slot[i].used)
        pcap_freecode(&fl->slot[i].prog);
    fl->slot[i].used = false;
    pcap_t *dead = pcap_open_dead(dlt, 262144);
    if (dead == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: filter \"%s\": no memory", fl->file, fl->bpf);
        return NULL;
    }
    if (pcap_compile(dead, &fl->slot[i].prog, fl->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, ERRBUF_LEN, "%s: filter \"%s\" for link type %s: %s", fl->file, fl->bpf,
                 link_type_name(dlt), pcap_geterr(dead));
        pcap_close(dead);
        return NULL;
    }
    pcap_close(dead);
    fl->slot[i].used = true;
    fl->slot[i].dlt = dlt;
    return &fl->slot[i].prog;
}

static void note_damage(struct input_info *info, const char *file, const char *why)
{
    if (info->damaged)
        return;
    info->damaged = true;
    info->damage_frame = info->packets + 1;
    /* a long path and reason are cut, which is fine for a message */
    if (snprintf(info->damage, sizeof info->damage, "%s: %s", strcmp(file, "-") ? file : "standard input",
                 why) >= (int)sizeof info->damage)
        info->damage[sizeof info->damage - 1] = '\0';
}

static void deliver(struct input_info *info, packet_cb cb, void *ctx, int dlt, const uint8_t *data,
                    uint32_t caplen, uint32_t len, ts_ns ts)
{
    struct frame_ref at = { .frame = ++info->packets, .ts = ts };
    input_info_note_time(info, at.ts);
    /* never trust len < caplen */
    cb(ctx, dlt, data, caplen, len < caplen ? caplen : len, &at);
}

/* Our pcapng reader on file, skipping its first `skip` packet records (libpcap's already). */
static int read_own(const char *file, uint64_t skip, const char *bpf, packet_cb cb, void *ctx,
                    struct input_info *info, char err[ERRBUF_LEN])
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        snprintf(err, ERRBUF_LEN, "%s: %s", file, strerror(errno));
        return -1;
    }
    struct pcapng_reader *r = pcapng_reader_new(f, false);
    if (r == NULL) {
        fclose(f);
        snprintf(err, ERRBUF_LEN, "%s: no memory for the pcapng reader", file);
        return -1;
    }
    struct filters fl = { .bpf = bpf, .file = file };
    int status = 0;
    uint64_t records = 0;
    struct pcapng_event ev;
    for (;;) {
        enum pcapng_rc rc = pcapng_reader_next(r, &ev);
        if (rc == PCAPNG_EOF)
            break;
        if (rc == PCAPNG_DAMAGED) {
            note_damage(info, file, pcapng_reader_error(r));
            break;
        }
        if (rc == PCAPNG_INTERFACE) {
            input_info_note_link(info, ev.iface.dlt);
            /* compile before the interface's first packet: a filter this link type cannot
             * take is refused like libpcap refuses it for a whole file */
            if (bpf && filters_get(&fl, ev.iface.dlt, err) == NULL) {
                status = -1;
                break;
            }
            continue;
        }
        if (rc != PCAPNG_PACKET || ++records <= skip)
            continue;
        if (bpf) {
            const struct bpf_program *prog = filters_get(&fl, ev.packet.dlt, err);
            if (prog == NULL) {
                status = -1;
                break;
            }
            struct pcap_pkthdr h = { .caplen = ev.packet.caplen, .len = ev.packet.wirelen };
            if (pcap_offline_filter(prog, &h, ev.packet.data) == 0)
                continue;
        }
        deliver(info, cb, ctx, ev.packet.dlt, ev.packet.data, ev.packet.caplen, ev.packet.wirelen, ev.packet.ts);
    }
    filters_fini(&fl);
    pcapng_reader_free(r);
    fclose(f);
    return status;
}

/*
 * The plain case read here, without libpcap's two freads and copy per
 * record: a classic pcap file in little-endian order, version 2.4, micro-
 * or nanosecond stamps, Ethernet, a snaplen libpcap takes as is. Records
 * are parsed in place: in a sliding mapping of the file (file_map.c), or
 * where it cannot be mapped in a buffer filled by read(). Anything else, from
 * the file header or from any record on (a capture length over the
 * snaplen, a record cut by the end of the file, a read error), is left
 * to libpcap: PLAIN_HANDOVER says how many records were delivered here,
 * for libpcap to skip, so what it says about the rest is what it always
 * said. Not for standard input (it cannot be read twice) or a -f filter.
 */
/* The buffer starts at 64 KiB (it stays in the core's cache between the
 * kernel's copy and the parse) and grows to hold a longer record. */
enum { PLAIN_BUF = 1 << 16, PLAIN_BUF_MAX = 1 << 19, PLAIN_SNAP_MAX = 262144, DLT_ETHERNET = 1 };
enum plain_rc { PLAIN_DONE, PLAIN_HANDOVER };

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

struct plain {
    int fd;
    bool mapped;          /* through map, else read() into buf */
    struct file_map map;
    uint8_t *buf;
    size_t cap;
    uint64_t pos, end;    /* mapped: file offsets; else buf[pos..end) read, not consumed */
};

/* At least want (<= PLAIN_BUF_MAX) bytes unconsumed from pos, moved to the
 * front first; false at the end of the file, on an error or no memory. */
static bool plain_fill(struct plain *r, size_t want)
{
    if (r->end - r->pos >= want)
        return true;
    memmove(r->buf, r->buf + r->pos, r->end - r->pos);
    r->end -= r->pos;
    r->pos = 0;
    if (want > r->cap) {
        uint8_t *nb = realloc(r->buf, PLAIN_BUF_MAX);
        if (nb == NULL)
            return false;
        r->buf = nb;
        r->cap = PLAIN_BUF_MAX;
    }
    while (r->end < want) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - (size_t)r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        r->end += (size_t)n;
    }
    return true;
}

/* want bytes from pos, or NULL where the file (or memory) gives out. */
static const uint8_t *plain_get(struct plain *r, size_t want)
{
    if (r->mapped)
        return file_map_at(&r->map, r->pos, want);
    return plain_fill(r, want) ? r->buf + r->pos : NULL;
}

/* Is pos the end of the file (a clean end between two records)? */
static bool plain_at_end(const struct plain *r)
{
    return r->mapped ? r->pos == r->map.size : r->end == r->pos;
}

static enum plain_rc read_plain(const char *file, packet_cb cb, void *ctx, struct input_info *info,
                                uint64_t *records)
{
    *records = 0;
    struct plain r = { .fd = open(file, O_RDONLY), .cap = PLAIN_BUF };
    if (r.fd < 0)
        return PLAIN_HANDOVER;
    r.mapped = file_map_open(&r.map, r.fd);
    if (!r.mapped)
        r.buf = malloc(r.cap);
    enum plain_rc rc = PLAIN_HANDOVER;
    const uint8_t *g = r.mapped || r.buf ? plain_get(&r, 24) : NULL;
    if (g == NULL)
        goto out;
    uint32_t magic = le32(g), snaplen = le32(g + 16), link = le32(g + 20);
    bool nano = magic == 0xa1b23c4du;
    if ((magic != 0xa1b2c3d4u && !nano) || g[4] != 2 || g[5] != 0 || g[6] != 4 || g[7] != 0 || snaplen == 0 ||
        snaplen > PLAIN_SNAP_MAX || link != DLT_ETHERNET)
        goto out;
    r.pos = 24;
    input_info_note_link(info, DLT_ETHERNET);
    for (;;) {
        const uint8_t *h = plain_get(&r, 16);
        if (h == NULL) {
            if (plain_at_end(&r))
                rc = PLAIN_DONE;
            break;
        }
        uint32_t sec = le32(h), frac = le32(h + 4), caplen = le32(h + 8), len = le32(h + 12);
        if (caplen > snaplen || (h = plain_get(&r, 16 + (size_t)caplen)) == NULL)
            break;
        if (r.mapped && file_map_shrank())
            break;
        /* as libpcap gives them at nanosecond precision: both fields are
         * signed 32-bit in its record header (0xb1cea3e4 is 1928) */
        int64_t fr = (int32_t)frac;
        ts_ns ts = ts_from_sec_ns((int64_t)(int32_t)sec, nano ? fr : fr * 1000);
        if (r.mapped)
            file_map_prefetch(&r.map, r.pos + FILE_MAP_AHEAD, 16 + (size_t)caplen);
        r.pos += 16 + (uint64_t)caplen;
        (*records)++;
        deliver(info, cb, ctx, DLT_ETHERNET, h + 16, caplen, len, ts);
        if (r.mapped && file_map_shrank())
            break;
    }
    if (r.mapped && file_map_shrank()) {
        /* what was read from the cut may be zeros; libpcap would see a shorter file, not these bytes */
        note_damage(info, file, "the file shrank while it was being read");
        rc = PLAIN_DONE;
    }
out:
    if (r.mapped)
        file_map_close(&r.map);
    free(r.buf);
    close(r.fd);
    return rc;
}

int pcap_input_read_files(const char *const *files, size_t n_files, const char *bpf,
                          packet_cb cb, void *ctx, struct input_info *info, char err[ERRBUF_LEN])
{
    for (size_t i = 0; i < n_files; i++) {
        uint64_t skip = 0; /* records our plain reader delivered already */
        if (bpf == NULL && strcmp(files[i], "-") != 0 &&
            read_plain(files[i], cb, ctx, info, &skip) == PLAIN_DONE)
            continue;
        struct opened o = open_file(files[i], err);
        pcap_t *p = o.p;
        if (p == NULL) {
            if (!ours_can_read(files[i]))
                return -1;
            if (read_own(files[i], 0, bpf, cb, ctx, info, err) < 0)
                return -1;
            continue;
        }
        struct bpf_program prog;
        if (bpf && pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(err, ERRBUF_LEN, "%s: filter \"%s\": %s", files[i], bpf, pcap_geterr(p));
            close_file(&o);
            return -1;
        }
        int dlt = pcap_datalink(p);
        input_info_note_link(info, dlt);
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc;
        uint64_t records = 0; /* read from this file, filtered or not */
        /* pcap_offline_filter rather than pcap_setfilter: the count of records read is what
         * our reader skips if libpcap gives up on the file */
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            records++;
            if (records <= skip)
                continue; /* delivered by read_plain before it handed over */
            if (bpf && pcap_offline_filter(&prog, h, data) == 0)
                continue;
            /* libpcap caps caplen at its buffer; the usec field holds ns */
            deliver(info, cb, ctx, dlt, data, h->caplen, h->len, ts_from_sec_ns(h->ts.tv_sec, h->ts.tv_usec));
        }
        if (bpf)
            pcap_freecode(&prog);
        if (rc == PCAP_ERROR && ours_can_read(files[i])) {
            close_file(&o);
            if (read_own(files[i], records, bpf, cb, ctx, info, err) < 0)
                return -1;
            continue;
        }
        if (rc == PCAP_ERROR) {
            char why[ERRBUF_LEN];
            /* standard input cannot be walked again: say what would help */
            bool stdin_ng = strcmp(files[i], "-") == 0 && pcap_major_version(p) == 1;
            snprintf(why, sizeof why, "%s%s", pcap_geterr(p),
                     stdin_ng ? " (standard input is read by libpcap alone; a pcapng file with interfaces "
                                "of different link types must be given by name)" : "");
            note_damage(info, files[i], why);
        }
        close_file(&o);
    }
    return 0;
}
