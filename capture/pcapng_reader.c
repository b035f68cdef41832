/* pcapng_reader.c: pcapng blocks read with the cursor (draft-ietf-opsawg-pcapng sections 3.1,
 * 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.4 SPB, appendix A PB), for the files libpcap 1.10 refuses. */
#include "pcapng_reader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "cursor.h"

/*
 * Every block:
 *
 *   uint32 block_type, uint32 block_total_length, body..., uint32 block_total_length
 *
 * in the byte order of its section, which the SHB's byte-order magic gives:
 *
 *   SHB 0x0A0D0D0A: uint32 magic 0x1A2B3C4D, uint16 major (1), uint16 minor, int64 section_length, options
 *   IDB 0x00000001: uint16 link_type, uint16 reserved, uint32 snaplen, options
 *   EPB 0x00000006: uint32 interface_id, uint32 ts_high, uint32 ts_low, uint32 captured_len,
 *                   uint32 original_len, data (padded to 32 bits), options
 *   SPB 0x00000003: uint32 original_len, data (min(original_len, snaplen) bytes, padded)
 *   PB  0x00000002: uint16 interface_id, uint16 drops_count, uint32 ts_high, uint32 ts_low,
 *                   uint32 captured_len, uint32 original_len, data (padded), options  (obsolete)
 *
 * Options: uint16 code, uint16 length, value padded to 32 bits; code 0 ends them. The IDB's
 * if_tsresol (9, one byte: 10^-v seconds per tick, or 2^-v with the top bit set; default 10^-6)
 * and if_tsoffset (14, int64 seconds added to every timestamp) shape the timestamps. Other
 * blocks (NRB, ISB, DSB, custom, unknown) are skipped by their length.
 */
enum {
    BT_SHB = 0x0A0D0D0A,
    BT_IDB = 0x00000001,
    BT_PB = 0x00000002,
    BT_SPB = 0x00000003,
    BT_EPB = 0x00000006,
    BT_DSB = 0x0000000A,
    BOM = 0x1A2B3C4D,
    OPT_ENDOFOPT = 0,
    OPT_IF_TSRESOL = 9,
    OPT_IF_TSOFFSET = 14,
};

struct iface {
    int dlt;
    uint32_t snaplen;
    bool pow2;          /* ticks are 2^-exp seconds, else 10^-exp */
    uint8_t exp;
    uint64_t ticks_per_s; /* decimal resolutions: 10^exp */
    int64_t offset_s;   /* if_tsoffset */
};

struct pcapng_reader {
    FILE *f;
    bool headers_only;
    bool in_section;
    bool le;            /* the current section's byte order */
    bool done;
    enum pcapng_rc final;
    uint64_t offset;    /* of the next block */
    bool size_known;
    uint64_t size;
    uint8_t *buf;       /* one block's body and trailer, reused */
    size_t buf_cap;
    struct iface *ifaces;
    uint32_t n_ifaces, ifaces_cap;
    char err[PCAPNG_ERR_MAX];
};

/* LINKTYPE_ values that differ from the DLT_ of the same link (libpcap's pcap-common.c table). */
static int dlt_of_linktype(uint32_t lt)
{
    switch (lt) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    case 106: return DLT_ATM_CLIP;
    default: return (int)lt;
    }
}

static uint32_t rd32(struct cur *c, bool le)
{
    return le ? cur_le32(c) : cur_be32(c);
}

static uint16_t rd16(struct cur *c, bool le)
{
    return le ? cur_le16(c) : cur_be16(c);
}

__attribute__((format(printf, 2, 3)))
static enum pcapng_rc damage(struct pcapng_reader *r, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof r->err, "pcapng block at offset %llu: %s", (unsigned long long)r->offset, what);
    r->done = true;
    r->final = PCAPNG_DAMAGED;
    return PCAPNG_DAMAGED;
}

struct pcapng_reader *pcapng_reader_new(FILE *f, bool headers_only)
{
    struct pcapng_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->f = f;
    r->headers_only = headers_only;
    long start = ftell(f);
    if (start >= 0 && fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        if (end >= start && fseek(f, start, SEEK_SET) == 0) {
            r->size_known = true;
            r->size = (uint64_t)end;
        }
    }
    r->offset = start > 0 ? (uint64_t)start : 0;
    return r;
}

void pcapng_reader_free(struct pcapng_reader *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r->ifaces);
    free(r);
}

const char *pcapng_reader_error(const struct pcapng_reader *r)
{
    return r->err;
}

/* Ticks of iface to capture time: whole seconds, then the fraction in nanoseconds (rounded
 * down), then if_tsoffset; saturating, as a crafted tick count can be anything. */
static ts_ns ticks_to_ts(const struct iface *ifc, uint64_t t)
{
    uint64_t sec, ns;
    if (ifc->pow2) {
        unsigned n = ifc->exp; /* <= 63 */
        sec = t >> n;
        uint64_t frac = t & ((UINT64_C(1) << n) - 1);
        /* frac * 1e9 fits 64 bits while frac < 2^34; finer ticks lose only what is below 1 ns */
        ns = n <= 34 ? (frac * 1000000000u) >> n : ((frac >> (n - 34)) * 1000000000u) >> 34;
    } else {
        uint64_t per = ifc->ticks_per_s; /* 10^exp, exp <= 19 */
        sec = t / per;
        uint64_t frac = t % per;
        ns = per <= 1000000000u ? frac * (1000000000u / per) : frac / (per / 1000000000u);
    }
    int64_t s = sec > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)sec;
    if (ifc->offset_s > 0 && s > INT64_MAX - ifc->offset_s)
        s = INT64_MAX;
    else if (ifc->offset_s < 0 && s < INT64_MIN - ifc->offset_s)
        s = INT64_MIN;
    else
        s += ifc->offset_s;
    return ts_from_sec_ns(s, (int64_t)ns);
}

static enum pcapng_rc read_section(struct pcapng_reader *r, struct cur body, struct pcapng_event *out)
{
    cur_skip(&body, 4); /* the byte-order magic, already read */
    uint16_t major = rd16(&body, r->le), minor = rd16(&body, r->le);
    cur_skip(&body, 8); /* section_length: -1 or a hint, not needed */
    if (body.short_read)
        return damage(r, "Section Header Block too short");
    if (major != 1)
        return damage(r, "section version %u.%u is not pcapng 1.x", major, minor);
    r->in_section = true;
    r->n_ifaces = 0; /* interfaces are numbered per section */
    out->big_endian = !r->le;
    return PCAPNG_SECTION;
}

static enum pcapng_rc read_interface(struct pcapng_reader *r, struct cur body, struct pcapng_event *out)
{
    uint32_t linktype = rd16(&body, r->le);
    cur_skip(&body, 2);
    uint32_t snaplen = rd32(&body, r->le);
    if (body.short_read)
        return damage(r, "Interface Description Block too short");
    if (r->n_ifaces >= PCAPNG_IFACES_MAX)
        return damage(r, "more than %d interfaces in one section", PCAPNG_IFACES_MAX);
    struct iface ifc = { .dlt = dlt_of_linktype(linktype), .snaplen = snaplen, .exp = 6, .ticks_per_s = 1000000 };
    while (cur_left(&body) >= 4) {
        uint16_t code = rd16(&body, r->le), len = rd16(&body, r->le);
        if (code == OPT_ENDOFOPT)
            break;
        struct cur v = cur_take(&body, len);
        if (body.short_read)
            return damage(r, "interface option %u of %u bytes runs past the block", code, len);
        cur_skip(&body, (4 - len % 4) % 4); /* padding; the last option may lack it */
        if (code == OPT_IF_TSRESOL) {
            uint8_t res = cur_u8(&v);
            if (len != 1)
                return damage(r, "if_tsresol of %u bytes (1 expected)", len);
            ifc.pow2 = res & 0x80;
            ifc.exp = res & 0x7f;
            if ((ifc.pow2 && ifc.exp > 63) || (!ifc.pow2 && ifc.exp > 19))
                return damage(r, "if_tsresol %s%u is not usable", ifc.pow2 ? "2^-" : "10^-", ifc.exp);
            ifc.ticks_per_s = 1;
            for (unsigned i = 0; !ifc.pow2 && i < ifc.exp; i++)
                ifc.ticks_per_s *= 10;
        } else if (code == OPT_IF_TSOFFSET) {
            if (len != 8)
                return damage(r, "if_tsoffset of %u bytes (8 expected)", len);
            uint32_t a = rd32(&v, r->le), b = rd32(&v, r->le);
            uint64_t u = r->le ? ((uint64_t)b << 32 | a) : ((uint64_t)a << 32 | b);
            ifc.offset_s = (int64_t)u;
        }
    }
    if (r->n_ifaces == r->ifaces_cap) {
        uint32_t nc = r->ifaces_cap ? r->ifaces_cap * 2 : 4;
        struct iface *ni = realloc(r->ifaces, nc * sizeof *ni);
        if (ni == NULL)
            return damage(r, "no memory for interface %u", r->n_ifaces);
        r->ifaces = ni;
        r->ifaces_cap = nc;
    }
    out->iface.id = r->n_ifaces;
    out->iface.dlt = ifc.dlt;
    out->iface.snaplen = snaplen;
    r->ifaces[r->n_ifaces++] = ifc;
    return PCAPNG_INTERFACE;
}

static enum pcapng_rc read_packet(struct pcapng_reader *r, uint32_t type, struct cur body,
                                  struct pcapng_event *out)
{
    uint32_t ifid = 0, caplen, wirelen;
    uint64_t ticks = 0;
    if (type == BT_SPB) {
        wirelen = rd32(&body, r->le);
        caplen = wirelen;
    } else {
        if (type == BT_PB) {
            ifid = rd16(&body, r->le);
            cur_skip(&body, 2); /* drops_count */
        } else {
            ifid = rd32(&body, r->le);
        }
        uint32_t hi = rd32(&body, r->le), lo = rd32(&body, r->le);
        ticks = (uint64_t)hi << 32 | lo;
        caplen = rd32(&body, r->le);
        wirelen = rd32(&body, r->le);
    }
    if (body.short_read)
        return damage(r, "packet block (type %u) too short", type);
    if (ifid >= r->n_ifaces)
        return damage(r, "packet on interface %u, but its section describes %u", ifid, r->n_ifaces);
    const struct iface *ifc = &r->ifaces[ifid];
    if (type == BT_SPB) {
        /* the data is min(original_len, snaplen) bytes, then padding */
        if (ifc->snaplen && caplen > ifc->snaplen)
            caplen = ifc->snaplen;
        if (caplen > cur_left(&body))
            caplen = (uint32_t)cur_left(&body);
    }
    struct cur data = cur_take(&body, caplen);
    if (body.short_read)
        return damage(r, "captured length %u runs past the block", caplen);
    struct span d = cur_span(&data);
    out->packet.iface = ifid;
    out->packet.dlt = ifc->dlt;
    out->packet.ts = type == BT_SPB ? 0 : ticks_to_ts(ifc, ticks);
    out->packet.caplen = caplen;
    out->packet.wirelen = wirelen;
    out->packet.data = d.p;
    return PCAPNG_PACKET;
}

static bool ensure_buf(struct pcapng_reader *r, size_t n)
{
    if (n <= r->buf_cap)
        return true;
    size_t nc = r->buf_cap ? r->buf_cap : 65536;
    while (nc < n)
        nc *= 2;
    uint8_t *nb = realloc(r->buf, nc);
    if (nb == NULL)
        return false;
    r->buf = nb;
    r->buf_cap = nc;
    return true;
}

enum pcapng_rc pcapng_reader_next(struct pcapng_reader *r, struct pcapng_event *out)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        if (r->done)
            return r->final;
        uint8_t hdr[12];
        size_t got = fread(hdr, 1, 8, r->f);
        if (ferror(r->f))
            return damage(r, "read error");
        if (got == 0) {
            r->done = true;
            r->final = PCAPNG_EOF;
            return PCAPNG_EOF;
        }
        if (got < 8)
            return damage(r, "the file ends inside a block header (%zu of 8 bytes)", got);
        struct cur h = cur_make(hdr, 8);
        uint32_t type = cur_le32(&h); /* the SHB's type reads the same in both orders */
        size_t pre = 8;               /* bytes of the block already read */
        if (type == BT_SHB) {
            if (fread(hdr + 8, 1, 4, r->f) != 4)
                return damage(r, "the file ends inside a Section Header Block");
            struct cur m = cur_make(hdr + 8, 4);
            uint32_t bom = cur_le32(&m);
            if (bom == BOM)
                r->le = true;
            else if (bom == 0x4D3C2B1Au)
                r->le = false;
            else
                return damage(r, "Section Header Block with byte-order magic 0x%08x", bom);
            pre = 12;
        } else if (!r->in_section) {
            return damage(r, "no Section Header Block before block type 0x%08x", type);
        } else {
            h = cur_make(hdr, 8);
            type = rd32(&h, r->le);
        }
        h = cur_make(hdr + 4, 4);
        uint32_t len = rd32(&h, r->le);
        uint32_t cap = type == BT_DSB ? PCAPNG_DSB_BYTES_MAX : PCAPNG_BLOCK_BYTES_MAX;
        if (len < 12 + (pre - 8) || len % 4 != 0)
            return damage(r, "block length %u is not a multiple of 4 of at least %zu", len, 12 + (pre - 8));
        if (len > cap)
            return damage(r, "block of %u bytes over the %u-byte cap", len, cap);
        if (r->size_known && (r->offset > r->size || len > r->size - r->offset))
            return damage(r, "the file ends inside a block of %u bytes (%llu left)", len,
                          (unsigned long long)(r->offset > r->size ? 0 : r->size - r->offset));
        bool is_packet = type == BT_EPB || type == BT_SPB || type == BT_PB;
        bool wanted = type == BT_SHB || type == BT_IDB || (is_packet && !r->headers_only);
        size_t rest = len - pre; /* the rest of the body and the trailing length */
        if (!wanted) {
            if (fseek(r->f, (long)rest, SEEK_CUR) != 0)
                return damage(r, "cannot skip a block of %u bytes", len);
            r->offset += len;
            continue;
        }
        if (!ensure_buf(r, rest + 4))
            return damage(r, "no memory for a block of %u bytes", len);
        /* the SHB's magic stays at the body's start, so its parser sees the whole body */
        size_t lead = pre - 8;
        memcpy(r->buf, hdr + 8, lead);
        got = fread(r->buf + lead, 1, rest, r->f);
        if (got != rest)
            return damage(r, "the file ends inside a block (%zu of %u bytes)", got + pre, len);
        struct cur all = cur_make(r->buf, lead + rest);
        struct cur body = cur_take(&all, lead + rest - 4);
        uint32_t trailer = rd32(&all, r->le);
        if (trailer != len)
            return damage(r, "trailing block length %u differs from the leading %u", trailer, len);
        enum pcapng_rc rc;
        if (type == BT_SHB)
            rc = read_section(r, body, out);
        else if (type == BT_IDB)
            rc = read_interface(r, body, out);
        else
            rc = read_packet(r, type, body, out);
        if (rc != PCAPNG_DAMAGED)
            r->offset += len;
        return rc;
    }
}

void pcapng_probe_file(FILE *f, struct pcapng_probe *out)
{
    memset(out, 0, sizeof *out);
    if (fseek(f, 0, SEEK_SET) != 0)
        clearerr(f);
    uint8_t magic[4];
    if (fread(magic, 1, 4, f) != 4)
        return;
    struct cur m = cur_make(magic, 4);
    if (cur_le32(&m) != BT_SHB || fseek(f, -4, SEEK_CUR) != 0)
        return;
    out->is_pcapng = true;
    struct pcapng_reader *r = pcapng_reader_new(f, true);
    if (r == NULL)
        return;
    struct pcapng_event ev;
    bool first_be = false;
    for (;;) {
        enum pcapng_rc rc = pcapng_reader_next(r, &ev);
        if (rc == PCAPNG_EOF || rc == PCAPNG_DAMAGED)
            break;
        if (rc == PCAPNG_SECTION) {
            if (out->sections++ == 0)
                first_be = ev.big_endian;
            else if (ev.big_endian != first_be)
                out->libpcap_refuses = true;
        } else if (rc == PCAPNG_INTERFACE) {
            out->interfaces++;
            bool seen = false;
            for (size_t i = 0; i < out->n_dlts; i++)
                seen |= out->dlts[i] == ev.iface.dlt;
            if (!seen && out->n_dlts < sizeof out->dlts / sizeof out->dlts[0])
                out->dlts[out->n_dlts++] = ev.iface.dlt;
            if (!seen && out->interfaces > 1)
                out->libpcap_refuses = true;
        }
    }
    pcapng_reader_free(r);
}
