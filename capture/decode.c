/* decode.c: one packet through link, IPv4 (RFC 791), IPv6 (RFC 8200), fragments,
 * UDP (RFC 768), TCP (RFC 9293) and ESP (RFC 4303) to the hooks and reassembly. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "flow.h"
#include "ipfrag.h"
#include "link.h"
#include "mem.h"
#include "tcp_reasm.h"

/* IP-in-IP deeper than this is hostile, not a tunnel. */
enum { IP_NEST_MAX = 4, IPV6_EXT_MAX = 8, EXPIRE_BUDGET = 2, TICK_EXPIRE_BUDGET = 4096 };

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

struct decoder {
    struct limits lim;
    struct decode_hooks hooks;
    struct decode_stats stats;
    struct flow_table *flows;
    struct mem_acct reasm_acct, frag_acct;
    struct reasm_ctx reasm;
    struct ipfrag_table *frags;
    struct frame_ref last; /* the packet being decoded */
    uint64_t hash_seed;    /* per process, so crafted tuples cannot pick buckets */
};

const char *close_reason_name(enum close_reason why)
{
    static const char *names[] = { "fin", "rst", "idle", "evicted", "memcap", "eof" };
    return (unsigned)why < sizeof names / sizeof names[0] ? names[why] : "?";
}

struct decoder *decoder_new(const struct limits *lim, const struct decode_hooks *hooks)
{
    struct decoder *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->lim = *lim;
    d->hooks = *hooks;
    /* ASLR makes the heap address differ run to run; no output depends on it. */
    d->hash_seed = hash_mix64((uint64_t)(uintptr_t)d ^ 0x666c6f7773656564ULL);
    mem_acct_init(&d->reasm_acct, lim->reasm_memcap_bytes);
    /* Fragments: every pending datagram at its largest size, plus its
     * block bitmap (one bit per 8 bytes, 1/64 more). */
    uint64_t per_datagram = lim->ipfrag_bytes_max + lim->ipfrag_bytes_max / 64 + 64;
    mem_acct_init(&d->frag_acct, (uint64_t)lim->ipfrag_max * per_datagram);
    d->reasm.lim = &d->lim;
    d->reasm.acct = &d->reasm_acct;
    d->flows = flow_table_new(&d->lim);
    d->frags = ipfrag_new(&d->lim, &d->frag_acct);
    if (d->flows == NULL || d->frags == NULL) {
        decoder_free(d);
        return NULL;
    }
    return d;
}

static void anomaly(struct decoder *d, const char *layer, const char *code)
{
    d->stats.decode_errors++;
    if (d->hooks.anomaly)
        d->hooks.anomaly(d->hooks.ctx, layer, code, &d->last);
}

/* The one way a flow ends: consumer closed (if any), slot recycled. */
static void flow_close(struct decoder *d, struct flow *f, enum close_reason why)
{
    if (f->consumer == FLOW_ATTACHED)
        tcp_reasm_close(&f->reasm, &d->reasm, why, &d->last);
    if (why == CLOSE_EVICTED)
        d->stats.flows_evicted++;
    else if (why == CLOSE_IDLE)
        d->stats.flows_idle_closed++;
    flow_remove(d->flows, f);
}

/* Bounded work per packet: at most budget idle flows closed. */
static void flows_expire_some(struct decoder *d, ts_ns now, int budget)
{
    ts_ns idle = (ts_ns)d->lim.tcp_idle_ms * 1000000;
    for (int i = 0; i < budget; i++) {
        struct flow *f = flow_oldest(d->flows);
        if (f == NULL || now - f->last_seen <= idle)
            break;
        flow_close(d, f, CLOSE_IDLE);
    }
}

static void flows_expire(struct decoder *d, ts_ns now)
{
    flows_expire_some(d, now, EXPIRE_BUDGET);
}

void decoder_tick(struct decoder *d, const struct frame_ref *now)
{
    /* Events from closes carry the last packet's number and the tick's time. */
    d->last = *now;
    flows_expire_some(d, now->ts, TICK_EXPIRE_BUDGET);
    ipfrag_expire(d->frags, now->ts);
}

static void decoder_close_all(struct decoder *d, enum close_reason why)
{
    struct flow *f;
    while ((f = flow_oldest(d->flows)) != NULL)
        flow_close(d, f, why);
}

void decoder_free(struct decoder *d)
{
    if (d == NULL)
        return;
    if (d->flows) {
        decoder_close_all(d, CLOSE_EOF);
        flow_table_free(d->flows);
    }
    ipfrag_free(d->frags);
    free(d);
}

void decoder_finish(struct decoder *d, const struct frame_ref *last)
{
    if (last)
        d->last = *last;
    decoder_close_all(d, CLOSE_EOF);
}

const struct decode_stats *decoder_stats(const struct decoder *d)
{
    return &d->stats;
}

void decoder_stats_json_fields(const struct decoder *d,
                               void (*field)(void *ctx, const char *name, uint64_t v), void *ctx)
{
    const struct decode_stats *s = &d->stats;
    const struct reasm_stats *r = &d->reasm.stats;
    const struct ipfrag_stats *f = ipfrag_stats(d->frags);
    field(ctx, "ipv4_packets", s->ipv4);
    field(ctx, "ipv6_packets", s->ipv6);
    field(ctx, "non_ip_packets", s->non_ip);
    field(ctx, "unsupported_link_packets", s->unknown_link);
    field(ctx, "tcp_packets", s->tcp);
    field(ctx, "udp_packets", s->udp);
    field(ctx, "esp_packets", s->esp);
    field(ctx, "other_l4_packets", s->other_l4);
    field(ctx, "tcp_connections", s->tcp_connections);
    field(ctx, "tcp_connections_ignored", s->tcp_ignored);
    field(ctx, "flows_evicted", s->flows_evicted);
    field(ctx, "flows_idle_closed", s->flows_idle_closed);
    field(ctx, "tcp_gaps", r->gaps);
    field(ctx, "tcp_gap_bytes", r->gap_bytes);
    field(ctx, "tcp_retransmitted_bytes", r->retransmitted_bytes);
    field(ctx, "tcp_overlap_conflicts", r->overlap_conflicts);
    field(ctx, "tcp_ooo_dropped_bytes", r->ooo_dropped_bytes);
    field(ctx, "tcp_hold_dropped_bytes", r->hold_dropped_bytes);
    field(ctx, "reasm_peak_bytes", d->reasm_acct.peak);
    field(ctx, "ip_fragments", s->fragments);
    field(ctx, "ip_reassembled", f->reassembled);
    field(ctx, "ip_frag_timed_out", f->timed_out);
    field(ctx, "ip_frag_evicted", f->evicted);
    field(ctx, "ip_frag_too_large", f->too_large);
    field(ctx, "ip_frag_overlaps", f->overlaps);
    field(ctx, "ip_frag_invalid", f->invalid);
}

struct l3 {
    struct ip_addr src, dst;
    bool truncated; /* the captured bytes end before the datagram does */
};

static void decode_ip(struct decoder *d, struct cur c, int depth);

/* Without a SYN, guess the server as the side on the lower, service port. */
static struct flow_key client_key_for(const struct flow_key *k, uint8_t flags)
{
    if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
        return flow_key_reverse(k);
    if (!(flags & TCP_SYN) && k->sport < k->dport && k->sport < 49152 && k->dport >= 1024)
        return flow_key_reverse(k);
    return *k;
}

static struct flow *tcp_flow_for(struct decoder *d, const struct flow_key *k, uint8_t flags,
                                 bool opens_flow, enum dir *dir)
{
    uint64_t h = flow_key_hash(k, d->hash_seed);
    struct flow *f = flow_lookup(d->flows, k, h, dir);
    if (f)
        return f;
    /* Only a SYN or data opens a connection: a stray reset, or the last
     * ACK after both FINs closed the flow, must not start a new one. */
    if ((flags & TCP_RST) || !(opens_flow))
        return NULL;
    if (flow_table_full(d->flows))
        flow_close(d, flow_oldest(d->flows), CLOSE_EVICTED);
    struct flow_key ck = client_key_for(k, flags);
    f = flow_insert(d->flows, &ck, h);
    if (f == NULL)
        return NULL;
    d->stats.tcp_connections++;
    f->si.saw_syn = (flags & TCP_SYN) != 0;
    f->si.first = d->last;
    *dir = flow_key_eq(&ck, k) ? DIR_C2S : DIR_S2C;
    return f;
}

static void tcp_attach(struct decoder *d, struct flow *f, enum dir dir, const uint8_t *p, size_t n)
{
    void *cctx = NULL;
    const struct stream_ops *ops =
        d->hooks.tcp_attach ? d->hooks.tcp_attach(d->hooks.ctx, &f->si, dir, p, n, &cctx) : NULL;
    if (ops == NULL) {
        f->consumer = FLOW_IGNORED;
        d->stats.tcp_ignored++;
        return;
    }
    void *st = ops->open(cctx, &f->si);
    tcp_reasm_init(&f->reasm, ops, st);
    for (int i = 0; i < 2; i++)
        if (f->has_isn[i])
            tcp_reasm_syn(&f->reasm, (enum dir)i, f->isn[i]);
    f->consumer = FLOW_ATTACHED;
}

/*
 * TCP header: sport(2) dport(2) seq(4) ack(4) offset+flags(2) window(2)
 * checksum(2) urgent(2), options up to offset*4.
 */
static void decode_tcp(struct decoder *d, const struct l3 *ip, struct cur c)
{
    struct flow_key k = { .src = ip->src, .dst = ip->dst, .proto = L4_TCP };
    k.sport = cur_be16(&c);
    k.dport = cur_be16(&c);
    uint32_t seq = cur_be32(&c);
    uint32_t ack = cur_be32(&c);
    uint8_t off = cur_u8(&c) >> 4;
    uint8_t flags = cur_u8(&c);
    cur_skip(&c, 6);
    if (!cur_ok(&c)) {
        anomaly(d, "tcp", "truncated_header");
        return;
    }
    if (off < 5 || !cur_skip(&c, (size_t)(off - 5) * 4)) {
        anomaly(d, "tcp", "bad_data_offset");
        return;
    }
    d->stats.tcp++;
    struct span payload = cur_rest(&c);
    /* A segment cut by snaplen has unknown bytes: treat them as missing. */
    if (ip->truncated)
        payload.n = 0;

    enum dir dir;
    struct flow *f = tcp_flow_for(d, &k, flags, (flags & TCP_SYN) || payload.n > 0, &dir);
    if (f == NULL)
        return;
    flow_touch(d->flows, f, d->last.ts);

    if (flags & TCP_SYN) {
        f->has_isn[dir] = true;
        f->isn[dir] = seq;
        if (f->consumer == FLOW_ATTACHED)
            tcp_reasm_syn(&f->reasm, dir, seq);
    }
    if (f->consumer == FLOW_UNDECIDED && payload.n > 0)
        tcp_attach(d, f, dir, payload.p, payload.n);
    bool fin = (flags & TCP_FIN) != 0;
    if (fin)
        f->fin[dir] = true;
    if (f->consumer == FLOW_ATTACHED) {
        if (payload.n > 0 || fin) {
            uint32_t data_seq = (flags & TCP_SYN) ? seq + 1 : seq;
            tcp_reasm_segment(&f->reasm, &d->reasm, dir, data_seq, payload.p, payload.n, fin, &d->last);
        }
        if (flags & TCP_ACK)
            tcp_reasm_ack(&f->reasm, &d->reasm, dir == DIR_C2S ? DIR_S2C : DIR_C2S, ack, &d->last);
    }
    if (flags & TCP_RST)
        flow_close(d, f, CLOSE_RST);
    else if (f->consumer == FLOW_ATTACHED ? tcp_reasm_finished(&f->reasm) : (f->fin[0] && f->fin[1]))
        flow_close(d, f, CLOSE_FIN);
}

/* UDP header: sport(2) dport(2) length(2) checksum(2). */
static void decode_udp(struct decoder *d, const struct l3 *ip, struct cur c)
{
    struct flow_key k = { .src = ip->src, .dst = ip->dst, .proto = L4_UDP };
    k.sport = cur_be16(&c);
    k.dport = cur_be16(&c);
    uint16_t len = cur_be16(&c);
    cur_skip(&c, 2);
    if (!cur_ok(&c)) {
        anomaly(d, "udp", "truncated_header");
        return;
    }
    d->stats.udp++;
    struct span payload = cur_rest(&c);
    /* The length field bounds the payload (Ethernet padding follows); a
     * zero length is legal for jumbograms only: keep what was captured. */
    if (len >= 8 && (size_t)(len - 8) < payload.n)
        payload.n = (size_t)(len - 8);
    else if (len != 0 && len < 8) {
        anomaly(d, "udp", "bad_length");
        return;
    }
    if (d->hooks.udp)
        d->hooks.udp(d->hooks.ctx, &k, payload.p, payload.n, &d->last);
}

static void decode_l4(struct decoder *d, const struct l3 *ip, uint8_t proto, struct cur c, int depth)
{
    switch (proto) {
    case L4_TCP:
        decode_tcp(d, ip, c);
        break;
    case L4_UDP:
        decode_udp(d, ip, c);
        break;
    case L4_ESP: {
        uint32_t spi = cur_be32(&c);
        if (!cur_ok(&c)) {
            anomaly(d, "esp", "truncated_header");
            return;
        }
        d->stats.esp++;
        if (d->hooks.esp)
            d->hooks.esp(d->hooks.ctx, &ip->src, &ip->dst, spi, &d->last);
        break;
    }
    case 4:  /* IPv4 in IP */
    case 41: /* IPv6 in IP */
        decode_ip(d, c, depth + 1);
        break;
    default:
        d->stats.other_l4++;
        break;
    }
}

static void decode_fragment(struct decoder *d, const struct l3 *ip, uint8_t proto, uint32_t id,
                            uint32_t off, bool more, struct cur c, int depth)
{
    d->stats.fragments++;
    if (ip->truncated) {
        anomaly(d, "ip", "truncated_fragment");
        return;
    }
    struct ipfrag_key fk = { .src = ip->src, .dst = ip->dst, .id = id, .proto = proto };
    struct span whole = cur_span(&c);
    enum ipfrag_rc rc = ipfrag_add(d->frags, &fk, off, more, whole.p, whole.n, d->last.ts, &whole);
    if (rc == IPFRAG_DONE)
        decode_l4(d, ip, proto, cur_make(whole.p, whole.n), depth);
}

/*
 * IPv4: ver+ihl(1) tos(1) total(2) id(2) flags+frag(2) ttl(1) proto(1)
 * checksum(2) src(4) dst(4) options(ihl*4-20).
 */
static void decode_ipv4(struct decoder *d, struct cur c, int depth)
{
    size_t captured = cur_left(&c);
    uint8_t vihl = cur_u8(&c);
    cur_skip(&c, 1);
    uint16_t total = cur_be16(&c);
    uint16_t id = cur_be16(&c);
    uint16_t frag = cur_be16(&c);
    cur_skip(&c, 1);
    uint8_t proto = cur_u8(&c);
    cur_skip(&c, 2);
    struct l3 ip = { .src.family = 4, .dst.family = 4 };
    cur_copy(&c, ip.src.b, 4);
    cur_copy(&c, ip.dst.b, 4);
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if (!cur_ok(&c)) {
        anomaly(d, "ipv4", "truncated_header");
        return;
    }
    if (hlen < 20 || total < hlen || !cur_skip(&c, hlen - 20)) {
        anomaly(d, "ipv4", "bad_header_length");
        return;
    }
    d->stats.ipv4++;
    /* Bound the payload by the total length; fewer bytes means snaplen. */
    size_t payload_len = total - hlen;
    if (total > captured)
        ip.truncated = true;
    struct cur payload = cur_take(&c, payload_len < cur_left(&c) ? payload_len : cur_left(&c));
    uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
    bool more = (frag & 0x2000) != 0;
    if (off || more)
        decode_fragment(d, &ip, proto, id, off, more, payload, depth);
    else
        decode_l4(d, &ip, proto, payload, depth);
}

/*
 * IPv6: ver+class+label(4) payload length(2) next header(1) hop limit(1)
 * src(16) dst(16), then extension headers (RFC 8200 section 4).
 */
static void decode_ipv6(struct decoder *d, struct cur c, int depth)
{
    cur_skip(&c, 4);
    uint16_t plen = cur_be16(&c);
    uint8_t nh = cur_u8(&c);
    cur_skip(&c, 1);
    struct l3 ip = { .src.family = 6, .dst.family = 6 };
    cur_copy(&c, ip.src.b, 16);
    cur_copy(&c, ip.dst.b, 16);
    if (!cur_ok(&c)) {
        anomaly(d, "ipv6", "truncated_header");
        return;
    }
    d->stats.ipv6++;
    if (plen > cur_left(&c))
        ip.truncated = true;
    else if (plen != 0) /* 0: jumbogram, keep what is there */
        c = cur_take(&c, plen);

    for (int i = 0; i < IPV6_EXT_MAX; i++) {
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 51: { /* AH: length in 4-byte units minus 2 */
            uint8_t next = cur_u8(&c);
            uint8_t len = cur_u8(&c);
            size_t skip = nh == 51 ? (size_t)(len + 2) * 4 - 2 : (size_t)len * 8 + 6;
            if (!cur_skip(&c, skip)) {
                anomaly(d, "ipv6", "truncated_extension");
                return;
            }
            nh = next;
            continue;
        }
        case 44: { /* fragment: next(1) reserved(1) offset+flags(2) id(4) */
            uint8_t next = cur_u8(&c);
            cur_skip(&c, 1);
            uint16_t offm = cur_be16(&c);
            uint32_t id = cur_be32(&c);
            if (!cur_ok(&c)) {
                anomaly(d, "ipv6", "truncated_extension");
                return;
            }
            uint32_t off = (uint32_t)(offm >> 3) * 8;
            bool more = (offm & 1) != 0;
            if (off || more)
                decode_fragment(d, &ip, next, id, off, more, c, depth);
            else
                decode_l4(d, &ip, next, c, depth); /* atomic fragment */
            return;
        }
        case 59: /* no next header */
            return;
        default:
            decode_l4(d, &ip, nh, c, depth);
            return;
        }
    }
    anomaly(d, "ipv6", "too_many_extensions");
}

static void decode_ip(struct decoder *d, struct cur c, int depth)
{
    if (depth > IP_NEST_MAX) {
        anomaly(d, "ip", "nested_too_deep");
        return;
    }
    uint8_t first;
    if (!cur_peek_u8(&c, 0, &first)) {
        anomaly(d, "ip", "truncated_header");
        return;
    }
    if (first >> 4 == 4)
        decode_ipv4(d, c, depth);
    else if (first >> 4 == 6)
        decode_ipv6(d, c, depth);
    else
        anomaly(d, "ip", "bad_version");
}

void decoder_packet(struct decoder *d, int linktype, const uint8_t *p, uint32_t caplen,
                    uint32_t wirelen, const struct frame_ref *at)
{
    d->last = *at;
    d->stats.packets++;
    d->stats.bytes += wirelen;
    if (caplen < wirelen)
        d->stats.truncated_packets++;
    flows_expire(d, at->ts);

    struct cur c = cur_make(p, caplen);
    uint16_t ethertype = 0;
    switch (link_decode(linktype, &c, &ethertype)) {
    case LINK_OK:
        break;
    case LINK_NOT_IP:
        d->stats.non_ip++;
        return;
    case LINK_TRUNCATED:
        anomaly(d, "link", "truncated_header");
        return;
    case LINK_UNSUPPORTED:
        d->stats.unknown_link++;
        return;
    }
    if (ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6)
        decode_ip(d, c, 0);
    else
        d->stats.non_ip++;
}
