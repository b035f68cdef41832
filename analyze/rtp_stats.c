/* rtp_stats.c: RTP streams: per-packet statistics (RFC 3550 A.1, A.3, A.8), gaps, findings, report. */
#include "rtp_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_loss.h"
#include "rtp_event.h"

enum {
    MAX_DROPOUT = 3000,     /* RFC 3550 A.1: a forward jump this small is loss */
    MAX_MISORDER = 100,     /* and a backward one this small is reordering */
    CONFIRM_STEPS = 1,      /* heuristic streams: a second packet, same SSRC, seq a little ahead */
    CONFIRM_STEP_MAX = 10,  /* a forward step up to this counts as in order */
    TENTATIVE_IDLE_MS = 2000, /* unconfirmed streams go quickly: they are mostly noise */
    EXPIRE_BUDGET = 8,      /* idle streams closed per event: bounded work per packet */
    TICK_EXPIRE_BUDGET = 4096, /* and per live tick, when packets may have stopped */
    INTERIM_FINDING_MIN_EXPECTED = 100, /* loss judged at an interim once 2 s of 20 ms audio are in */
    POOL_CHUNK = 256,
    GAP_FACTOR = 3,         /* a gap is no packet for 3 packetization intervals */
};

/* ---- per-packet statistics ------------------------------------------ */

uint32_t rtp_static_clock_rate(uint8_t pt)
{
    switch (pt) {
    case 0: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 13: case 15: case 18:
        return 8000;   /* PCMU GSM G723 DVI4 LPC PCMA G722 QCELP CN G728 G729 */
    case 6: return 16000;  /* DVI4/16000 */
    case 10: case 11: return 44100; /* L16 */
    case 16: return 11025; /* DVI4 */
    case 17: return 22050; /* DVI4 */
    case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
        return 90000;  /* MPA CelB JPEG nv H261 MPV MP2T H263 */
    default: return 0;
    }
}

static void seen_set(struct rtp_stats *st, uint64_t ext)
{
    st->seen[(ext >> 6) & 1] |= 1ULL << (ext & 63);
}

static bool seen_get(const struct rtp_stats *st, uint64_t ext)
{
    return (st->seen[(ext >> 6) & 1] >> (ext & 63)) & 1;
}

static void seen_clear(struct rtp_stats *st, uint64_t ext)
{
    st->seen[(ext >> 6) & 1] &= ~(1ULL << (ext & 63));
}

static void seq_start(struct rtp_stats *st, uint16_t seq)
{
    /* keep extended numbers above 2^16 so "seq - 1" below never wraps 0 */
    st->ext_max = ((st->ext_max >> 16) + 2) << 16 | seq;
    st->ext_base = st->ext_max;
    st->seen[0] = st->seen[1] = 0;
    seen_set(st, st->ext_max);
    st->bad_seq = 0x10000; /* no pending jump */
}

static void gap_add(struct rtp_stats *st, ts_ns start, int64_t dur, uint32_t lost, uint64_t frame)
{
    if (st->n_gaps == st->cap_gaps) {
        uint32_t cap = st->cap_gaps ? st->cap_gaps * 2 : 8;
        if (cap > RTP_GAPS_MAX)
            cap = RTP_GAPS_MAX;
        struct rtp_gap *g = cap > st->cap_gaps ? realloc(st->gaps, cap * sizeof *g) : NULL;
        if (g == NULL) {
            st->gaps_dropped++;
            return;
        }
        st->gaps = g;
        st->cap_gaps = cap;
    }
    st->gaps[st->n_gaps++] = (struct rtp_gap){ start, dur, lost, frame };
}

double rtp_stats_ptime_ms(const struct rtp_stats *st)
{
    if (st->samples_per_pkt && st->clock_rate)
        return st->samples_per_pkt * 1000.0 / st->clock_rate;
    return 20.0;
}

/* Returns the sequence numbers skipped by this packet (forward jumps only). */
static uint32_t seq_update(struct rtp_stats *st, uint16_t seq)
{
    uint16_t max_seq = (uint16_t)st->ext_max;
    uint16_t udelta = (uint16_t)(seq - max_seq);
    if (udelta == 0) {
        st->duplicates++;
        return 0;
    }
    if (udelta < MAX_DROPOUT) {
        /* in order, with a permissible gap; wrap-around is just carry */
        uint32_t clear = udelta > 128 ? 128 : udelta;
        for (uint32_t i = 1; i <= clear; i++)
            seen_clear(st, st->ext_max + i);
        st->ext_max += udelta;
        seen_set(st, st->ext_max);
        st->received++;
        st->bad_seq = 0x10000;
        return udelta - 1u;
    }
    if (udelta <= 65536 - MAX_MISORDER) {
        /* A large jump: a restart if the next packet follows it (A.1). */
        if (seq == st->bad_seq) {
            st->expected_prior += st->ext_max - st->ext_base + 1;
            seq_start(st, seq);
            st->ext_base--;    /* the packet that announced the jump */
            seen_set(st, st->ext_base);
            st->received += 2; /* it and this one */
            st->restarts++;
        } else {
            st->bad_seq = (uint16_t)(seq + 1);
        }
        return 0;
    }
    /* behind the highest: duplicate or late */
    uint16_t back = (uint16_t)(max_seq - seq);
    uint64_t ext = st->ext_max - back;
    if (back < 128 && ext >= st->ext_base) {
        if (seen_get(st, ext)) {
            st->duplicates++;
            return 0;
        }
        seen_set(st, ext);
    }
    if (ext >= st->ext_base)
        st->received++;
    st->out_of_order++;
    return 0;
}

void rtp_stats_packet(struct rtp_stats *st, const struct rtp_pkt *p)
{
    if (p->clock_rate)
        st->clock_rate = p->clock_rate;
    if (st->packets++ == 0) {
        st->ext_max = 0;
        seq_start(st, p->seq);
        st->received = 1;
        st->first_frame = st->last_frame = p->frame;
        st->first_time = st->last_time = p->arrival;
        st->prev_rtp_ts = st->timed_rtp_ts = p->rtp_ts;
        st->has_timed = p->clock_rate != 0;
        return;
    }
    int64_t delta = p->arrival - st->last_time;

    uint16_t prev_seq = (uint16_t)st->ext_max;
    uint32_t skipped = seq_update(st, p->seq);
    bool next_in_order = (uint16_t)(p->seq - prev_seq) == 1;
    int32_t ts_step = (int32_t)(p->rtp_ts - st->prev_rtp_ts);

    /*
     * Max delta is the longest wait between two packets. A marker bit
     * opens a talk spurt and comfort noise (RFC 3389) fills a silence: the
     * time around either is no delay, so max delta skips them (as tshark).
     *
     * Jitter (A.8) needs the payload's clock, so, as tshark does, it is
     * taken only at packets whose clock is known (not
     * telephone-event, RFC 4733 freezes its timestamp, nor an unmapped
     * dynamic type): arrival from the previous packet, whatever it was,
     * media time from the last packet with a clock. tshark's figures
     * (checked on SIP_DTMF2.cap) come out of exactly this rule.
     */
    bool is_cn = p->pt == 13 || p->pt == 19;
    if (!p->marker && !is_cn && !st->prev_was_cn && delta > st->max_delta_ns)
        st->max_delta_ns = delta;
    if (p->clock_rate) {
        if (st->has_timed) {
            int32_t tstep = (int32_t)(p->rtp_ts - st->timed_rtp_ts);
            double d = (double)delta / 1e6 - (double)tstep * 1000.0 / p->clock_rate;
            st->jitter_ms += (fabs(d) - st->jitter_ms) / 16.0;
            st->jitter_sum_ms += st->jitter_ms;
            st->jitter_n++;
            if (st->jitter_ms > st->jitter_max_ms)
                st->jitter_max_ms = st->jitter_ms;
        }
        st->has_timed = true;
        st->timed_rtp_ts = p->rtp_ts;
    }
    st->prev_was_cn = is_cn;
    /* The packetization interval: the timestamp step of consecutive
     * packets; talk-spurt starts (marker) and DTMF (step 0) say nothing. */
    if (next_in_order && !p->marker && ts_step > 0 && p->clock_rate &&
        (uint32_t)ts_step <= p->clock_rate)
        st->samples_per_pkt = (uint32_t)ts_step;

    if ((double)delta >= GAP_FACTOR * rtp_stats_ptime_ms(st) * 1e6)
        gap_add(st, st->last_time, delta, skipped, p->frame);

    st->prev_rtp_ts = p->rtp_ts;
    st->last_time = p->arrival;
    st->last_frame = p->frame;
}

uint64_t rtp_stats_expected(const struct rtp_stats *st)
{
    if (st->packets == 0)
        return 0;
    return st->expected_prior + (st->ext_max - st->ext_base + 1);
}

uint64_t rtp_stats_lost(const struct rtp_stats *st)
{
    uint64_t e = rtp_stats_expected(st);
    return e > st->received ? e - st->received : 0;
}

double rtp_stats_mean_jitter_ms(const struct rtp_stats *st)
{
    return st->jitter_n ? st->jitter_sum_ms / (double)st->jitter_n : 0.0;
}

void rtp_stats_fini(struct rtp_stats *st)
{
    free(st->gaps);
    st->gaps = NULL;
    st->n_gaps = st->cap_gaps = 0;
}

/* ---- streams: pool, hash table, idle expiry ------------------------- */

struct rtp_stream {
    struct rtp_stream *prev, *next; /* live list, least recently seen first */
    uint64_t hash;
    uint32_t ssrc;
    struct flow_key flow;
    uint32_t id;          /* 0 until confirmed */
    bool confirmed;
    uint8_t confirm_steps;
    uint8_t pt;
    int8_t srtp;          /* 1, 0, -1 unknown */
    bool has_periodic;
    struct rtp_periodic periodic;
    char *call_id;
    bool has_sig;         /* the call's signaling hosts, from its SDP hint */
    struct ip_addr sig[2];
    uint64_t rtcp_sr, rtcp_rr;
    char id_str[24];
    bool judged;          /* the payload verdict was taken (no SDP said) */
    struct rtp_payload_verdict verdict;
    struct rtp_payload_tally tally; /* the first packets' payloads, while srtp is unknown */
    /* live: findings raised early at an interim, and the last interim's counts */
    bool loss_reported, periodic_reported;
    uint8_t hint_clock_pt;    /* from SDP: a dynamic payload type's clock */
    uint32_t hint_clock_rate; /* 0: none */
    uint64_t iv_packets, iv_expected, iv_lost;
    struct rtp_stats st;
};

struct live_list {
    struct rtp_stream *head, *tail;
};

struct pool_chunk {
    struct pool_chunk *next;
    struct rtp_stream s[POOL_CHUNK];
};

struct rtp_state {
    struct analyze_ctx *ctx;
    uint64_t seed;
    struct rtp_stream **slots; /* open addressing, linear probing */
    size_t cap, used;
    struct pool_chunk *chunks;
    struct rtp_stream *free_list;
    struct live_list confirmed, tentative;
    struct rtp_stream **done; /* confirmed, finished, in id order (not in ndjson) */
    size_t n_done, cap_done;
    uint32_t next_id;
    size_t n_streams;         /* counted against rtp_streams_max */
    uint64_t streams_dropped, packets_dropped;
    bool limit_reported;
};

/*
 * Ids follow first frames. The json and text reports number the streams
 * at the end, sorted; ndjson must name a stream when it writes it, so
 * there the id is given at confirmation (the same order unless a stream
 * needs longer to confirm than another that started after it).
 */
static bool streaming(const struct rtp_state *s)
{
    return s->ctx->out && report_is_streaming(s->ctx->out);
}

static uint64_t stream_hash(const struct rtp_state *s, uint32_t ssrc, const struct flow_key *k)
{
    uint64_t h = flow_key_hash(k, s->seed) ^ (ssrc * 0x9E3779B97F4A7C15ULL);
    return h ^ (h >> 29);
}

static bool stream_matches(const struct rtp_stream *st, uint64_t h, uint32_t ssrc,
                           const struct flow_key *k)
{
    return st->hash == h && st->ssrc == ssrc && st->flow.sport == k->sport &&
           st->flow.dport == k->dport && ip_addr_eq(&st->flow.src, &k->src) &&
           ip_addr_eq(&st->flow.dst, &k->dst);
}

static struct rtp_stream *table_find(const struct rtp_state *s, uint64_t h, uint32_t ssrc,
                                     const struct flow_key *k)
{
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct rtp_stream *st = s->slots[i];
        if (st == NULL)
            return NULL;
        if (stream_matches(st, h, ssrc, k))
            return st;
    }
}

static void table_put(struct rtp_stream **slots, size_t cap, struct rtp_stream *st)
{
    size_t mask = cap - 1;
    size_t i = st->hash & mask;
    while (slots[i] != NULL)
        i = (i + 1) & mask;
    slots[i] = st;
}

static bool table_grow(struct rtp_state *s)
{
    size_t cap = s->cap * 2;
    struct rtp_stream **slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            table_put(slots, cap, s->slots[i]);
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return true;
}

/* Backward-shift deletion keeps probe chains whole without tombstones. */
static void table_remove(struct rtp_state *s, const struct rtp_stream *st)
{
    size_t mask = s->cap - 1;
    size_t i = st->hash & mask;
    while (s->slots[i] != st)
        i = (i + 1) & mask;
    s->slots[i] = NULL;
    s->used--;
    for (size_t j = (i + 1) & mask; s->slots[j] != NULL; j = (j + 1) & mask) {
        size_t home = s->slots[j]->hash & mask;
        /* move j back into the hole at i unless its home lies in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            s->slots[i] = s->slots[j];
            s->slots[j] = NULL;
            i = j;
        }
    }
}

static void list_unlink(struct live_list *l, struct rtp_stream *st)
{
    if (st->prev) st->prev->next = st->next; else l->head = st->next;
    if (st->next) st->next->prev = st->prev; else l->tail = st->prev;
    st->prev = st->next = NULL;
}

static void list_append(struct live_list *l, struct rtp_stream *st)
{
    st->prev = l->tail;
    st->next = NULL;
    if (l->tail) l->tail->next = st; else l->head = st;
    l->tail = st;
}

static struct rtp_stream *pool_get(struct rtp_state *s)
{
    if (s->free_list == NULL) {
        struct pool_chunk *c = calloc(1, sizeof *c);
        if (c == NULL)
            return NULL;
        c->next = s->chunks;
        s->chunks = c;
        for (size_t i = 0; i < POOL_CHUNK; i++) {
            c->s[i].next = s->free_list;
            s->free_list = &c->s[i];
        }
    }
    struct rtp_stream *st = s->free_list;
    s->free_list = st->next;
    memset(st, 0, sizeof *st);
    return st;
}

static void pool_put(struct rtp_state *s, struct rtp_stream *st)
{
    rtp_stats_fini(&st->st);
    free(st->call_id);
    st->call_id = NULL;
    st->next = s->free_list;
    s->free_list = st;
}

/* ---- report pieces -------------------------------------------------- */

static void write_stream_fields(struct jw *w, const void *obj)
{
    const struct rtp_stream *st = obj;
    char ssrc[16];
    snprintf(ssrc, sizeof ssrc, "0x%08x", st->ssrc);
    jw_kstr(w, "id", st->id_str);
    jw_kstr(w, "ssrc", ssrc);
    jw_key(w, "src");
    jw_endpoint(w, &st->flow.src, st->flow.sport);
    jw_key(w, "dst");
    jw_endpoint(w, &st->flow.dst, st->flow.dport);
    jw_kuint(w, "payload_type", st->pt);
    jw_kuint(w, "first_frame", st->st.first_frame);
    jw_ktime(w, "first_time", st->st.first_time);
    jw_ktime(w, "last_time", st->st.last_time);
    jw_kuint(w, "packets", st->st.packets);
    jw_kuint(w, "expected", rtp_stats_expected(&st->st));
    jw_kuint(w, "lost", rtp_stats_lost(&st->st));
    jw_kuint(w, "duplicates", st->st.duplicates);
    jw_kuint(w, "out_of_order", st->st.out_of_order);
    jw_kdouble(w, "jitter_ms", rtp_stats_mean_jitter_ms(&st->st));
    jw_kdouble(w, "jitter_last_ms", st->st.jitter_ms);
    jw_kdouble(w, "jitter_max_ms", st->st.jitter_max_ms);
    jw_kdouble(w, "max_delta_ms", (double)st->st.max_delta_ns / 1e6);
    if (st->st.clock_rate)
        jw_kuint(w, "clock_rate", st->st.clock_rate);
    else
        jw_knull(w, "clock_rate");
    jw_kdouble(w, "ptime_ms", rtp_stats_ptime_ms(&st->st));
    jw_key(w, "gaps");
    jw_arr_begin(w);
    for (uint32_t i = 0; i < st->st.n_gaps; i++) {
        const struct rtp_gap *g = &st->st.gaps[i];
        jw_obj_begin(w);
        jw_ktime(w, "start_time", g->start);
        jw_kdouble(w, "duration_ms", (double)g->duration_ns / 1e6);
        jw_kuint(w, "lost_packets", g->lost_packets);
        jw_kuint(w, "frame", g->frame);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kuint(w, "gaps_dropped", st->st.gaps_dropped);
    if (st->has_periodic) {
        jw_key(w, "periodic_drop");
        jw_obj_begin(w);
        jw_kdouble(w, "period_ms", st->periodic.period_ms);
        jw_kdouble(w, "gap_ms", st->periodic.gap_ms);
        jw_kuint(w, "count", st->periodic.count);
        jw_obj_end(w);
    } else {
        jw_knull(w, "periodic_drop");
    }
    if (st->srtp < 0)
        jw_knull(w, "srtp");
    else
        jw_kbool(w, "srtp", st->srtp == 1);
    /* "sdp": the call's SDP said; "payload": judged from the packets (no SDP seen) */
    jw_kstr(w, "srtp_evidence", st->srtp < 0 ? NULL : st->judged ? "payload" : "sdp");
    if (st->judged) {
        char why[320];
        rtp_payload_describe(&st->verdict, st->pt, why, sizeof why);
        jw_kstr(w, "srtp_detail", why);
    } else {
        jw_knull(w, "srtp_detail");
    }
    jw_kstr(w, "call_id", st->call_id);
    jw_key(w, "rtcp");
    jw_obj_begin(w);
    jw_kuint(w, "sr", st->rtcp_sr);
    jw_kuint(w, "rr", st->rtcp_rr);
    jw_obj_end(w);
}

/* Live capture: the stream object also says what the capture itself
 * dropped while the stream ran, next to the stream's own loss. */
struct stream_line {
    const struct rtp_state *s;
    const struct rtp_stream *st;
    bool interim;
    ts_ns from, to; /* interim: the interval */
};

static void write_capture_dropped(struct jw *w, const char *key, const struct capture_loss *cl, ts_ns from,
                                  ts_ns to)
{
    uint64_t k, i;
    capture_loss_between(cl, from, to, &k, &i);
    jw_key(w, key);
    jw_obj_begin(w);
    jw_kuint(w, "kernel", k);
    jw_kuint(w, "interface", i);
    jw_obj_end(w);
}

static void write_live_stream_fields(struct jw *w, const void *obj)
{
    const struct stream_line *l = obj;
    const struct rtp_stream *st = l->st;
    const struct capture_loss *cl = l->s->ctx->capture_loss;
    write_stream_fields(w, st);
    if (cl == NULL)
        return;
    write_capture_dropped(w, "capture_dropped", cl, st->st.first_time, st->st.last_time);
    uint32_t with_drops = 0;
    for (uint32_t i = 0; i < st->st.n_gaps; i++) {
        uint64_t k, f;
        const struct rtp_gap *g = &st->st.gaps[i];
        capture_loss_between(cl, g->start, g->start + g->duration_ns, &k, &f);
        with_drops += (k + f) > 0;
    }
    jw_kuint(w, "gaps_with_capture_drops", with_drops);
    jw_kbool(w, "interim", l->interim);
    if (!l->interim)
        return;
    jw_key(w, "interval");
    jw_obj_begin(w);
    jw_ktime(w, "from", l->from);
    jw_ktime(w, "to", l->to);
    uint64_t expected = rtp_stats_expected(&st->st), lost = rtp_stats_lost(&st->st);
    jw_kuint(w, "packets", st->st.packets - st->iv_packets);
    jw_kuint(w, "expected", expected >= st->iv_expected ? expected - st->iv_expected : 0);
    jw_kuint(w, "lost", lost >= st->iv_lost ? lost - st->iv_lost : 0);
    write_capture_dropped(w, "capture_dropped", cl, l->from, l->to);
    jw_obj_end(w);
}

static void stream_endpoints(const struct rtp_stream *st, char src[ENDPOINT_STR_MAX],
                             char dst[ENDPOINT_STR_MAX])
{
    endpoint_format(&st->flow.src, st->flow.sport, src);
    endpoint_format(&st->flow.dst, st->flow.dport, dst);
}

/* Frames of the loss gaps a person should look at first. */
static void gap_frames(const struct rtp_stream *st, struct finding_spec *f)
{
    for (uint32_t i = 0; i < st->st.n_gaps && f->n_frames < FINDING_FRAMES_MAX; i++)
        if (st->st.gaps[i].lost_packets > 0 &&
            st->st.gaps[i].duration_ns >= (int64_t)PERIODIC_MIN_GAP_MS * 1000000)
            f->frames[f->n_frames++] = st->st.gaps[i].frame;
    if (f->n_frames == 0)
        f->frames[f->n_frames++] = st->st.first_frame;
}

static void stream_findings(struct rtp_state *s, struct rtp_stream *st)
{
    struct findings *fs = s->ctx->findings;
    if (fs == NULL)
        return;
    char src[ENDPOINT_STR_MAX], dst[ENDPOINT_STR_MAX];
    char summary[512], detail[1024], pair[224];
    stream_endpoints(st, src, dst);
    struct finding_refs refs = { .call_id = st->call_id, .rtp_stream = st->id_str };

    if (st->has_periodic && !st->periodic_reported) {
        st->periodic_reported = true;
        struct finding_spec f = { .code = F_RTP_PERIODIC_DROP,
                                  .severity = finding_default_severity(F_RTP_PERIODIC_DROP),
                                  .summary = summary, .detail = detail, .refs = refs };
        snprintf(summary, sizeof summary,
                 "RTP stream %s (%s -> %s) loses %.0f ms of audio every %.1f s (%u times)",
                 st->id_str, src, dst, st->periodic.gap_ms, st->periodic.period_ms / 1000.0,
                 st->periodic.count);
        snprintf(detail, sizeof detail,
                 "Packets stop for about %.0f ms on a regular %.0f ms period, with sequence "
                 "numbers skipped: the network drops the media on a schedule, which random "
                 "congestion does not do. A known cause is an IPsec policy that covers an IP "
                 "gateway or IP PBX (1 s lost every 3 s of a voice mail).",
                 st->periodic.gap_ms, st->periodic.period_ms);
        gap_frames(st, &f);
        findings_add(fs, &f);

        /* IPsec between the stream's own hosts, or between the hosts of
         * its call's signaling (a gateway and PBX whose media addresses
         * differ from their SIP addresses): either policy explains it. */
        const struct ip_addr *ia = NULL, *ib = NULL;
        bool via_call = false;
        if (s->ctx->ipsec && ipsec_between(s->ctx->ipsec, &st->flow.src, &st->flow.dst)) {
            ia = &st->flow.src;
            ib = &st->flow.dst;
        } else if (s->ctx->ipsec && st->has_sig && ipsec_between(s->ctx->ipsec, &st->sig[0], &st->sig[1])) {
            ia = &st->sig[0];
            ib = &st->sig[1];
            via_call = true;
        }
        if (ia) {
            char a[IP_ADDR_STR_MAX], b[IP_ADDR_STR_MAX];
            ip_addr_format(ia, a);
            ip_addr_format(ib, b);
            struct finding_spec g = { .code = F_IPSEC_MEDIA_DROP,
                                      .severity = finding_default_severity(F_IPSEC_MEDIA_DROP),
                                      .summary = summary, .detail = detail, .refs = refs };
            snprintf(summary, sizeof summary,
                     "Periodic audio drop on %s coincides with IPsec between %s and %s%s",
                     st->id_str, a, b, via_call ? ", the hosts of its call's signaling" : "");
            if (via_call)
                snprintf(pair, sizeof pair, "the hosts that signal its call (%s and %s; the media "
                                            "runs between other addresses)", a, b);
            else
                snprintf(pair, sizeof pair, "the same hosts");
            snprintf(detail, sizeof detail,
                     "RTP stream %s (%s -> %s) loses %.0f ms every %.0f ms while ESP/IKE runs "
                     "between %s. An IPsec policy applied to the media of an IP gateway or IP "
                     "PBX drops about one second of voice every three seconds: exclude the IP "
                     "gateway / IP PBX from the IPsec policy.",
                     st->id_str, src, dst, st->periodic.gap_ms, st->periodic.period_ms, pair);
            gap_frames(st, &g);
            findings_add(fs, &g);
        }
    }

    uint64_t expected = rtp_stats_expected(&st->st), lost = rtp_stats_lost(&st->st);
    if (expected > 0 && lost * 100 > expected && !st->loss_reported) {
        st->loss_reported = true;
        struct finding_spec f = { .code = F_RTP_LOSS,
                                  .severity = finding_default_severity(F_RTP_LOSS),
                                  .summary = summary, .detail = detail, .refs = refs };
        double pct = 100.0 * (double)lost / (double)expected;
        snprintf(summary, sizeof summary,
                 "RTP stream %s (%s -> %s) lost %llu of %llu packets (%.1f%%)", st->id_str, src,
                 dst, (unsigned long long)lost, (unsigned long long)expected, pct);
        snprintf(detail, sizeof detail,
                 "Sequence numbers show %.1f%% of the packets missing where this capture was "
                 "taken (more than 1%% is audible). Capture closer to the sender to tell network "
                 "loss from capture loss; %u gap(s) of %.0f ms or more are listed in the stream.",
                 pct, st->st.n_gaps, GAP_FACTOR * rtp_stats_ptime_ms(&st->st));
        uint64_t ck = 0, ci = 0;
        if (s->ctx->capture_loss)
            capture_loss_between(s->ctx->capture_loss, st->st.first_time, st->st.last_time, &ck, &ci);
        if (ck + ci) {
            /* Capture loss is not network loss: say so where it overlaps. */
            size_t n = strlen(summary);
            snprintf(summary + n, sizeof summary - n, "; the capture itself dropped %llu packets meanwhile",
                     (unsigned long long)(ck + ci));
            char when_a[ISO_TIME_MAX], when_b[ISO_TIME_MAX];
            ts_format_iso(st->st.first_time, when_a);
            ts_format_iso(st->st.last_time, when_b);
            n = strlen(detail);
            snprintf(detail + n, sizeof detail - n,
                     " Between %s and %s sipsec's own capture dropped %llu packets in the kernel and %llu "
                     "at the interface: part or all of this loss may be capture loss, not network loss "
                     "(raise -B, narrow -f).",
                     when_a, when_b, (unsigned long long)ck, (unsigned long long)ci);
        }
        gap_frames(st, &f);
        findings_add(fs, &f);
    }
}

/* No SDP named the stream: its payload decides SRTP, when it can. */
static void stream_judge(struct rtp_stream *st)
{
    if (st->srtp >= 0 || st->judged)
        return;
    st->judged = true;
    rtp_payload_judge(&st->tally, st->pt, &st->verdict);
    if (st->verdict.guess != SRTP_GUESS_UNKNOWN)
        st->srtp = st->verdict.guess == SRTP_GUESS_SRTP ? 1 : 0;
}

static void stream_view(const struct rtp_stream *st, struct rtp_stream_view *out)
{
    *out = (struct rtp_stream_view){
        .id = st->id_str, .ssrc = st->ssrc, .flow = &st->flow, .payload_type = st->pt,
        .stats = &st->st, .has_periodic = st->has_periodic, .periodic = st->periodic,
        .call_id = st->call_id, .srtp = st->srtp,
        .srtp_evidence = st->judged ? (st->srtp >= 0 ? SRTP_EVIDENCE_PAYLOAD : SRTP_EVIDENCE_NONE)
                                    : (st->srtp >= 0 ? SRTP_EVIDENCE_SDP : SRTP_EVIDENCE_NONE),
        .verdict = st->judged ? &st->verdict : NULL,
    };
}

/* A stream is numbered and judged: the calls module may link it. */
static void stream_done(struct rtp_state *s, struct rtp_stream *st)
{
    struct rtp_stream_view v;
    stream_view(st, &v);
    calls_note_stream(s->ctx->calls, &v);
}

/* The one exit of a stream: idle timeout, eviction or end of capture. */
static void stream_finish(struct rtp_state *s, struct rtp_stream *st, struct live_list *l)
{
    list_unlink(l, st);
    table_remove(s, st);
    if (!st->confirmed) {
        s->n_streams--;
        pool_put(s, st);
        return;
    }
    if (streaming(s)) {
        stream_judge(st);
        st->has_periodic = rtp_find_periodic_drop(st->st.gaps, st->st.n_gaps, &st->periodic);
        stream_done(s, st);
        stream_findings(s, st);
        struct stream_line line = { .s = s, .st = st };
        report_stream_object(s->ctx->out, "rtp_stream", write_live_stream_fields, &line);
        s->n_streams--;
        pool_put(s, st);
        return;
    }
    if (s->n_done == s->cap_done) {
        size_t cap = s->cap_done ? s->cap_done * 2 : 64;
        struct rtp_stream **d = realloc(s->done, cap * sizeof *d);
        if (d == NULL) { /* keep the count honest; the stream is lost to the report */
            s->n_streams--;
            pool_put(s, st);
            return;
        }
        s->done = d;
        s->cap_done = cap;
    }
    s->done[s->n_done++] = st;
}

static void expire_some(struct rtp_state *s, ts_ns now, int budget)
{
    const int64_t idle_ns = (int64_t)s->ctx->opts->lim->udp_idle_ms * 1000000;
    const int64_t tent_ns = (int64_t)TENTATIVE_IDLE_MS * 1000000;
    for (int i = 0; i < budget; i++) {
        struct rtp_stream *st = s->tentative.head;
        if (st == NULL || now - st->st.last_time <= tent_ns)
            break;
        stream_finish(s, st, &s->tentative);
    }
    for (int i = 0; i < budget; i++) {
        struct rtp_stream *st = s->confirmed.head;
        if (st == NULL || now - st->st.last_time <= idle_ns)
            break;
        stream_finish(s, st, &s->confirmed);
    }
}

static void expire(struct rtp_state *s, ts_ns now)
{
    expire_some(s, now, EXPIRE_BUDGET);
}

static void limit_hit(struct rtp_state *s, uint64_t frame)
{
    if (s->limit_reported || s->ctx->findings == NULL)
        return;
    s->limit_reported = true;
    char summary[256];
    snprintf(summary, sizeof summary, "RTP stream table full (%u streams): later streams are not analyzed",
             s->ctx->opts->lim->rtp_streams_max);
    struct finding_spec f = {
        .code = F_LIMIT_REACHED, .severity = finding_default_severity(F_LIMIT_REACHED),
        .summary = summary,
        .detail = "limits.rtp_streams_max caps the RTP streams held at once; raise it with "
                  "--limit rtp_streams_max=N if the machine has the memory.",
        .frames = { frame }, .n_frames = 1,
    };
    findings_add(s->ctx->findings, &f);
}

static struct rtp_stream *stream_open(struct rtp_state *s, uint64_t h, const struct ev_rtp *r,
                                      const struct event *ev)
{
    if (s->n_streams >= s->ctx->opts->lim->rtp_streams_max) {
        /* make room from noise first: the oldest unconfirmed stream */
        if (s->tentative.head == NULL) {
            s->streams_dropped++;
            limit_hit(s, ev->at.frame);
            return NULL;
        }
        stream_finish(s, s->tentative.head, &s->tentative);
    }
    if ((s->used + 1) * 2 > s->cap && !table_grow(s))
        return NULL;
    struct rtp_stream *st = pool_get(s);
    if (st == NULL)
        return NULL;
    st->hash = h;
    st->ssrc = r->ssrc;
    st->flow = *ev->flow;
    st->pt = r->pt;
    st->srtp = r->has_hint ? (r->is_srtp ? 1 : 0) : -1;
    table_put(s->slots, s->cap, st);
    s->used++;
    s->n_streams++;
    list_append(&s->tentative, st);
    return st;
}

static void stream_set_id(struct rtp_state *s, struct rtp_stream *st)
{
    st->id = ++s->next_id;
    snprintf(st->id_str, sizeof st->id_str, "rtp-%u", st->id);
}

static void stream_confirm(struct rtp_state *s, struct rtp_stream *st)
{
    st->confirmed = true;
    if (streaming(s))
        stream_set_id(s, st);
    list_unlink(&s->tentative, st);
    list_append(&s->confirmed, st);
}

/*
 * A telephone-event (RFC 4733) packet inside an audio stream: a dynamic
 * type other than the stream's, carrying whole 4-byte event blocks. The
 * SDP hint may name its rtpmap clock, but its timestamp stays at the
 * event's start, so it must not feed jitter (tshark skips it too).
 */
static bool looks_like_dtmf_event(const struct rtp_stream *st, const struct ev_rtp *r)
{
    return r->pt >= 96 && r->pt != st->pt && r->payload_len > 0 && r->payload_len <= 16 &&
           r->payload_len % 4 == 0;
}

static void on_rtp(struct rtp_state *s, const struct event *ev)
{
    const struct ev_rtp *r = ev->body;
    uint64_t h = stream_hash(s, r->ssrc, ev->flow);
    struct rtp_stream *st = table_find(s, h, r->ssrc, ev->flow);
    if (st == NULL) {
        st = stream_open(s, h, r, ev);
        if (st == NULL) {
            s->packets_dropped++;
            return;
        }
    } else {
        struct live_list *l = st->confirmed ? &s->confirmed : &s->tentative;
        list_unlink(l, st);
        list_append(l, st);
    }
    if (r->has_hint) {
        if (st->srtp < 0)
            st->srtp = r->is_srtp ? 1 : 0;
        if (st->call_id == NULL && r->call_id != NULL) {
            st->call_id = strdup(r->call_id); /* once per stream, not per packet */
            if (r->sig_a && r->sig_b) {
                st->has_sig = true;
                st->sig[0] = *r->sig_a;
                st->sig[1] = *r->sig_b;
            }
        }
        /* kept: the SDP endpoint may be forgotten while the stream goes on */
        st->hint_clock_pt = r->hint_clock_pt;
        st->hint_clock_rate = r->hint_clock_rate;
    } else if (st->tally.n < RTP_PAYLOAD_SAMPLE_PACKETS && st->srtp < 0 && r->pt == st->pt) {
        /* no SDP: the first packets' payloads will say SRTP or not */
        rtp_payload_tally_add(&st->tally, r->seq, r->timestamp, r->payload);
    }
    uint8_t hint_pt = r->has_hint ? r->hint_clock_pt : st->hint_clock_pt;
    uint32_t hint_rate = r->has_hint ? r->hint_clock_rate : st->hint_clock_rate;

    uint32_t clock = 0;
    if (looks_like_dtmf_event(st, r))
        clock = 0; /* RFC 4733 freezes its timestamp: no clock for jitter */
    else if (hint_rate && r->pt == hint_pt)
        clock = hint_rate;
    else
        clock = rtp_static_clock_rate(r->pt);
    uint16_t prev_seq = (uint16_t)st->st.ext_max;
    bool had = st->st.packets > 0;
    struct rtp_pkt p = { r->seq, r->timestamp, clock, r->marker, ev->at.ts, ev->at.frame, r->pt };
    rtp_stats_packet(&st->st, &p);

    if (!st->confirmed) {
        uint16_t step = (uint16_t)(r->seq - prev_seq);
        if (had && step >= 1 && step <= CONFIRM_STEP_MAX)
            st->confirm_steps++;
        /* SDP named the endpoint: no need to guess */
        if (r->has_hint || st->confirm_steps >= CONFIRM_STEPS)
            stream_confirm(s, st);
    }
}

static void on_rtcp(struct rtp_state *s, const struct event *ev)
{
    const struct ev_rtcp *r = ev->body;
    if (r->n_sr == 0 && r->n_rr == 0)
        return;
    /* RTCP rides on the RTP port + 1 (RFC 3550 section 11) or on the RTP
     * port itself (RFC 5761); the sender's SSRC names its RTP stream. */
    struct flow_key k = *ev->flow;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 1) {
            k.sport = (uint16_t)(k.sport - 1);
            k.dport = (uint16_t)(k.dport - 1);
        }
        uint64_t h = stream_hash(s, r->ssrc, &k);
        struct rtp_stream *st = table_find(s, h, r->ssrc, &k);
        if (st != NULL) {
            st->rtcp_sr += r->n_sr;
            st->rtcp_rr += r->n_rr;
            return;
        }
    }
}

/* ---- module interface ----------------------------------------------- */

struct rtp_state *rtp_state_new(struct analyze_ctx *ctx)
{
    struct rtp_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    s->seed = 0x5a17c0ffee123457ULL;
    s->cap = 1024;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (s->slots == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

/* Interim statistics of a live stream; loss and periodic drops found so
 * far are reported now rather than when the stream ends. */
static void stream_interim(struct rtp_state *s, struct rtp_stream *st, ts_ns from, ts_ns to)
{
    uint64_t expected = rtp_stats_expected(&st->st);
    if (expected >= INTERIM_FINDING_MIN_EXPECTED) {
        if (!st->periodic_reported)
            st->has_periodic = rtp_find_periodic_drop(st->st.gaps, st->st.n_gaps, &st->periodic);
        stream_findings(s, st);
    }
    struct stream_line line = { .s = s, .st = st, .interim = true, .from = from, .to = to };
    report_stream_object(s->ctx->out, "rtp_stream", write_live_stream_fields, &line);
    st->iv_packets = st->st.packets;
    st->iv_expected = expected;
    st->iv_lost = rtp_stats_lost(&st->st);
}

void rtp_state_tick(struct rtp_state *s, ts_ns now, bool interim)
{
    if (s == NULL)
        return;
    expire_some(s, now, TICK_EXPIRE_BUDGET);
    if (!interim || !streaming(s))
        return;
    ts_ns from = s->ctx->interim_from ? s->ctx->interim_from : now;
    for (struct rtp_stream *st = s->confirmed.head; st; st = st->next)
        stream_interim(s, st, from, now);
}

void rtp_state_event(struct rtp_state *s, const struct event *ev)
{
    if (s == NULL || ev->flow == NULL || ev->body == NULL)
        return;
    expire(s, ev->at.ts);
    if (ev->kind == EV_RTP)
        on_rtp(s, ev);
    else if (ev->kind == EV_RTCP)
        on_rtcp(s, ev);
}

static int cmp_first_frame(const void *a, const void *b)
{
    const struct rtp_stream *x = *(struct rtp_stream *const *)a;
    const struct rtp_stream *y = *(struct rtp_stream *const *)b;
    if (x->st.first_frame != y->st.first_frame)
        return x->st.first_frame < y->st.first_frame ? -1 : 1;
    return (x->ssrc > y->ssrc) - (x->ssrc < y->ssrc);
}

void rtp_state_finish(struct rtp_state *s)
{
    if (s == NULL)
        return;
    while (s->tentative.head)
        stream_finish(s, s->tentative.head, &s->tentative);
    while (s->confirmed.head)
        stream_finish(s, s->confirmed.head, &s->confirmed);
    if (streaming(s))
        return;
    /* json and text: number by first frame, then judge each stream */
    if (s->n_done > 1)
        qsort(s->done, s->n_done, sizeof *s->done, cmp_first_frame);
    for (size_t i = 0; i < s->n_done; i++) {
        struct rtp_stream *st = s->done[i];
        stream_set_id(s, st);
        stream_judge(st);
        st->has_periodic = rtp_find_periodic_drop(st->st.gaps, st->st.n_gaps, &st->periodic);
        stream_done(s, st);
        stream_findings(s, st);
    }
}

void rtp_write_json(struct rtp_state *s, struct jw *w)
{
    jw_arr_begin(w);
    for (size_t i = 0; s && i < s->n_done; i++) {
        jw_obj_begin(w);
        struct stream_line line = { .s = s, .st = s->done[i] };
        write_live_stream_fields(w, &line);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static const char *codec_name(uint8_t pt)
{
    switch (pt) {
    case 0: return "PCMU";
    case 3: return "GSM";
    case 4: return "G723";
    case 8: return "PCMA";
    case 9: return "G722";
    case 13: return "CN";
    case 18: return "G729";
    default: return NULL;
    }
}

/* One character per second of the stream: '.' audio, 'x' a loss gap, '_' silence. */
static void write_timeline(const struct rtp_stream *st, FILE *out)
{
    enum { TIMELINE_MAX = 120 };
    int64_t span = st->st.last_time - st->st.first_time;
    if (st->st.n_gaps == 0 || span <= 0)
        return;
    int64_t slot_ns = 1000000000;
    while (span / slot_ns + 1 > TIMELINE_MAX)
        slot_ns *= 2;
    size_t n = (size_t)(span / slot_ns) + 1;
    char line[TIMELINE_MAX + 1];
    memset(line, '.', n);
    line[n] = '\0';
    for (uint32_t i = 0; i < st->st.n_gaps; i++) {
        const struct rtp_gap *g = &st->st.gaps[i];
        int64_t a = (g->start - st->st.first_time) / slot_ns;
        int64_t b = (g->start + g->duration_ns - st->st.first_time) / slot_ns;
        /* Capture time can run backwards: a gap may start long before the
         * stream's first packet. Clamp to the line, never walk to it. */
        if (b < 0 || a >= (int64_t)n)
            continue;
        if (a < 0)
            a = 0;
        if (b >= (int64_t)n)
            b = (int64_t)n - 1;
        for (int64_t j = a; j <= b; j++)
            if (line[j] != 'x')
                line[j] = g->lost_packets ? 'x' : '_';
    }
    fprintf(out, "    gaps (%lld s per char, x loss, _ silence): %s\n",
            (long long)(slot_ns / 1000000000), line);
}

void rtp_write_text(struct rtp_state *s, FILE *out)
{
    if (s == NULL || s->n_done == 0)
        return;
    fprintf(out, "RTP streams (%zu)\n", s->n_done);
    for (size_t i = 0; i < s->n_done; i++) {
        const struct rtp_stream *st = s->done[i];
        char src[ENDPOINT_STR_MAX], dst[ENDPOINT_STR_MAX], pt[16];
        stream_endpoints(st, src, dst);
        const char *codec = codec_name(st->pt);
        if (codec == NULL) {
            snprintf(pt, sizeof pt, "PT%u", st->pt);
            codec = pt;
        }
        uint64_t expected = rtp_stats_expected(&st->st), lost = rtp_stats_lost(&st->st);
        fprintf(out, "  %-7s %s -> %s ssrc 0x%08x %s%s: %llu pkts, lost %llu (%.1f%%), jitter %.2f ms, max delta %.1f ms",
                st->id_str, src, dst, st->ssrc, codec,
                st->srtp == 1 ? (st->judged ? " SRTP (by payload)" : " SRTP") : "",
                (unsigned long long)st->st.packets, (unsigned long long)lost,
                expected ? 100.0 * (double)lost / (double)expected : 0.0,
                rtp_stats_mean_jitter_ms(&st->st), (double)st->st.max_delta_ns / 1e6);
        if (st->has_periodic)
            fprintf(out, ", PERIODIC DROP %.0f ms every %.0f ms x%u", st->periodic.gap_ms,
                    st->periodic.period_ms, st->periodic.count);
        fputc('\n', out);
        write_timeline(st, out);
    }
}

void rtp_state_free(struct rtp_state *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i]) {
            rtp_stats_fini(&s->slots[i]->st);
            free(s->slots[i]->call_id);
        }
    for (size_t i = 0; i < s->n_done; i++) {
        rtp_stats_fini(&s->done[i]->st);
        free(s->done[i]->call_id);
    }
    while (s->chunks) {
        struct pool_chunk *c = s->chunks;
        s->chunks = c->next;
        free(c);
    }
    free(s->done);
    free(s->slots);
    free(s);
}

size_t rtp_state_stream_count(const struct rtp_state *s)
{
    return s ? s->n_done : 0;
}

bool rtp_state_stream_at(const struct rtp_state *s, size_t i, struct rtp_stream_view *out)
{
    if (s == NULL || i >= s->n_done)
        return false;
    stream_view(s->done[i], out);
    return true;
}
