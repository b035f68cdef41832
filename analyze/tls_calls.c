/* tls_calls.c: SIP over TLS seen only as a TLS session (no keys): one "calls" entry per such
 * session, its security level from the session and the RTP between the same two hosts. */
#include "tls_calls.h"

#include <stdlib.h>
#include <string.h>

#include "rtp_payload.h"
#include "seclevel.h"
#include "tls_event.h"

/*
 * Without keys a SIP-over-TLS call is invisible (DOMAIN.md): no Call-ID, no
 * 415, no SDP. What is visible is the TLS session on the SIP port and the
 * media that follows between the same two hosts. Every TLS connection to a
 * SIP port gets an entry here when it starts; a SIP message decrypted inside
 * it (issue 7) marks it as carrying real calls, and those sessions are left
 * out of the report. Each finished RTP stream without a call of its own is
 * linked to the newest session between its two hosts that began before it
 * (and had not closed more than LINK_SLACK_NS before it began).
 */

enum {
    STREAM_IDS_MAX = 16, /* stream ids listed per entry; more are counted */
    ID_MAX = 24,
    NIL = UINT32_MAX,
};
/* 64*T1: a stream set up just before the connection closed still belongs to it. */
static const ts_ns LINK_SLACK_NS = 32LL * 1000000000LL;

/* One representative stream per verdict, for the evidence sentence. */
struct sample {
    bool set;
    char id[ID_MAX];
    uint8_t pt;
    struct rtp_payload_verdict v;
};

struct tls_call {
    uint32_t hnext;          /* host-pair chain, newest first */
    char tls_id[ID_MAX];
    struct flow_key conn;    /* client -> server */
    uint64_t first_frame;
    ts_ns first_time, end_time;
    bool closed, sip_visible;
    /* The TLS module forgets ended sessions in streaming: what the entry
     * needs of its session is kept when the connection goes. */
    bool gone, has_facts;
    ts_ns last_time;          /* the last TLS event with a time (closes carry none) */
    ts_ns gone_time;
    struct tls_facts facts;   /* .id points at tls_id */
    char streams[STREAM_IDS_MAX][ID_MAX];
    uint32_t n_streams, n_listed, n_srtp, n_clear;
    struct sample clear, srtp, unknown;
};

struct tls_calls {
    struct analyze_ctx *ctx;
    struct tls_call *v;
    uint32_t n, cap;
    uint32_t *buckets; /* by unordered host pair */
    uint32_t n_buckets;
    uint64_t seed;
    uint64_t dropped;
    ts_ns last_scan;   /* streaming: the last retire pass */
};

struct tls_calls *tls_calls_new(struct analyze_ctx *ctx)
{
    struct tls_calls *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->ctx = ctx;
    t->seed = 0x3c1a11ab5e55ULL;
    t->n_buckets = 256;
    t->buckets = malloc(t->n_buckets * sizeof *t->buckets);
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    for (uint32_t i = 0; i < t->n_buckets; i++)
        t->buckets[i] = NIL;
    return t;
}

void tls_calls_free(struct tls_calls *t)
{
    if (t == NULL)
        return;
    free(t->v);
    free(t->buckets);
    free(t);
}

/* Unordered: a -> b and b -> a share a bucket. */
static uint32_t pair_bucket(const struct tls_calls *t, const struct ip_addr *a, const struct ip_addr *b)
{
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.src = *a;
    k.dst = *b;
    return (uint32_t)(flow_key_hash(&k, t->seed) & (t->n_buckets - 1));
}

static bool same_hosts(const struct flow_key *k, const struct ip_addr *a, const struct ip_addr *b)
{
    return (ip_addr_eq(&k->src, a) && ip_addr_eq(&k->dst, b)) ||
           (ip_addr_eq(&k->src, b) && ip_addr_eq(&k->dst, a));
}

static bool rehash(struct tls_calls *t, uint32_t n_buckets)
{
    uint32_t *b = malloc(n_buckets * sizeof *b);
    if (b == NULL)
        return false;
    for (uint32_t i = 0; i < n_buckets; i++)
        b[i] = NIL;
    free(t->buckets);
    t->buckets = b;
    t->n_buckets = n_buckets;
    /* oldest first, so each chain comes out newest first */
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t h = pair_bucket(t, &t->v[i].conn.src, &t->v[i].conn.dst);
        t->v[i].hnext = t->buckets[h];
        t->buckets[h] = i;
    }
    return true;
}

static bool is_sip_port(const struct tls_calls *t, uint16_t p)
{
    if (p == 5060 || p == 5061)
        return true;
    const struct analyze_opts *o = t->ctx->opts;
    for (size_t i = 0; o && i < o->n_sip_ports; i++)
        if (o->sip_ports[i] == p)
            return true;
    return false;
}

/* The newest entry for this connection (either direction), or NULL. */
static struct tls_call *find_conn(struct tls_calls *t, const struct flow_key *k)
{
    for (uint32_t i = t->buckets[pair_bucket(t, &k->src, &k->dst)]; i != NIL; i = t->v[i].hnext) {
        struct tls_call *c = &t->v[i];
        if (flow_key_eq(&c->conn, k))
            return c;
        struct flow_key r = flow_key_reverse(k);
        if (flow_key_eq(&c->conn, &r))
            return c;
    }
    return NULL;
}

static struct tls_call *add_entry(struct tls_calls *t, const char *id, const struct ev_tls *e,
                                  const struct event *ev)
{
    const struct limits *lim = t->ctx->opts && t->ctx->opts->lim ? t->ctx->opts->lim : &limits_default;
    if (t->n >= lim->tls_sessions_max) {
        t->dropped++;
        return NULL;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        struct tls_call *nv = realloc(t->v, cap * sizeof *nv);
        if (nv == NULL)
            return NULL;
        t->v = nv;
        t->cap = cap;
    }
    if (t->n >= t->n_buckets && t->n_buckets < (1u << 20) && !rehash(t, t->n_buckets * 2))
        return NULL;
    struct tls_call *c = &t->v[t->n];
    memset(c, 0, sizeof *c);
    snprintf(c->tls_id, sizeof c->tls_id, "%s", id);
    c->conn = e->conn;
    c->first_frame = e->first.frame ? e->first.frame : ev->at.frame;
    c->first_time = e->first.frame ? e->first.ts : ev->at.ts;
    uint32_t h = pair_bucket(t, &c->conn.src, &c->conn.dst);
    c->hnext = t->buckets[h];
    t->buckets[h] = t->n++;
    return c;
}

void tls_calls_tls_event(struct tls_calls *t, const struct event *ev)
{
    if (t == NULL || ev->kind != EV_TLS)
        return;
    const struct ev_tls *e = ev->body;
    if (e->dtls || !(is_sip_port(t, e->conn.dport) || is_sip_port(t, e->conn.sport)))
        return;
    const char *id = tls_session_for_flow(t->ctx->tls, &e->conn);
    if (id == NULL)
        return;
    struct tls_call *c = find_conn(t, &e->conn);
    if (c == NULL || strcmp(c->tls_id, id) != 0) {
        if (e->kind == TLS_EV_CLOSE)
            return;
        c = add_entry(t, id, e, ev);
        if (c == NULL)
            return;
    }
    /* Only a FIN or RST dates the end; idle, eviction and the end of the
     * capture say nothing of when the connection stopped carrying SIP. */
    if (e->kind == TLS_EV_CLOSE && (e->close_why == CLOSE_FIN || e->close_why == CLOSE_RST) && ev->at.ts) {
        c->closed = true;
        c->end_time = ev->at.ts;
    }
    if (ev->at.ts)
        c->last_time = ev->at.ts;
    if (e->kind == TLS_EV_CLOSE && !c->gone) {
        c->gone = true;
        c->gone_time = ev->at.ts ? ev->at.ts : c->last_time;
        c->has_facts = tls_session_facts(t->ctx->tls, c->tls_id, &c->facts);
        c->facts.id = c->tls_id;
    }
}

void tls_calls_sip_seen(struct tls_calls *t, const struct flow_key *flow)
{
    if (t == NULL || flow == NULL)
        return;
    struct tls_call *c = find_conn(t, flow);
    if (c)
        c->sip_visible = true;
}

static bool entry_facts(const struct tls_calls *t, const struct tls_call *c, struct tls_facts *f)
{
    if (c->has_facts) {
        *f = c->facts;
        return true;
    }
    return tls_session_facts(t->ctx->tls, c->tls_id, f);
}

static void keep_sample(struct sample *s, const struct rtp_stream_view *v)
{
    if (s->set)
        return;
    s->set = true;
    snprintf(s->id, sizeof s->id, "%s", v->id);
    s->pt = v->payload_type;
    if (v->verdict)
        s->v = *v->verdict;
}

void tls_calls_note_stream(struct tls_calls *t, const struct rtp_stream_view *v)
{
    if (t == NULL || v->call_id != NULL || v->flow == NULL || v->stats == NULL)
        return;
    ts_ns start = v->stats->first_time;
    const struct ip_addr *a = &v->flow->src, *b = &v->flow->dst;
    for (uint32_t i = t->buckets[pair_bucket(t, a, b)]; i != NIL; i = t->v[i].hnext) {
        struct tls_call *c = &t->v[i];
                struct tls_facts f;
        if (!same_hosts(&c->conn, a, b) || c->first_time > start ||
            !entry_facts(t, c, &f) || !(f.established || f.app_data))
            continue;
        /* the newest session that began before the stream: it or none */
        if (c->closed && start > c->end_time + LINK_SLACK_NS)
            return;
        c->n_streams++;
        if (c->n_listed < STREAM_IDS_MAX)
            snprintf(c->streams[c->n_listed++], ID_MAX, "%s", v->id);
        if (v->srtp == 1) {
            c->n_srtp++;
            keep_sample(&c->srtp, v);
        } else if (v->srtp == 0) {
            c->n_clear++;
            keep_sample(&c->clear, v);
        } else {
            keep_sample(&c->unknown, v);
        }
        return;
    }
}

/* Only sessions that could have carried SIP: the handshake completed, or
 * data flowed (a capture that began after the handshake). A failed
 * handshake is TLS_SIP_NEVER_STARTED's business, not a call. */
static bool listed(const struct tls_calls *t, const struct tls_call *c, struct tls_facts *f)
{
    if (c->sip_visible || !entry_facts(t, c, f))
        return false;
    return f->established || f->app_data;
}

static enum sec_level entry_level(const struct tls_call *c, const struct tls_facts *f, char *ev, size_t cap)
{
    const struct sample *s = c->n_clear ? &c->clear : c->n_srtp == c->n_streams ? &c->srtp : &c->unknown;
    char detail[320] = "";
    if (s->set)
        rtp_payload_describe(&s->v, s->pt, detail, sizeof detail);
    struct opaque_evidence o = {
        .tls_id = c->tls_id, .version = f->version, .cert_request = f->cert_request,
        .client_cert = f->client_cert, .n_streams = c->n_streams, .n_srtp = c->n_srtp,
        .n_clear = c->n_clear, .media_detail = detail, .media_stream = s->set ? s->id : "",
        .keys = (int)f->keys,
    };
    return seclevel_opaque(&o, ev, cap);
}

struct entry_view {
    const struct tls_call *c;
    const struct tls_facts *f;
};

static void entry_fields(struct jw *w, const void *obj)
{
    const struct entry_view *ev = obj;
    const struct tls_call *c = ev->c;
    jw_knull(w, "call_id");
    jw_kbool(w, "opaque", true);
    jw_knull(w, "from");
    jw_knull(w, "to");
    jw_kuint(w, "first_frame", c->first_frame);
    jw_ktime(w, "first_time", c->first_time);
    jw_kstr(w, "transport", "tls");
    jw_kstr(w, "tls_session", c->tls_id);
    jw_key(w, "client");
    jw_endpoint(w, &c->conn.src, c->conn.sport);
    jw_key(w, "server");
    jw_endpoint(w, &c->conn.dst, c->conn.dport);
    jw_knull(w, "final_status");
    jw_knull(w, "final_reason");
    jw_knull(w, "established");
    jw_knull(w, "offer");
    jw_knull(w, "answer");
    char evidence[1024];
    enum sec_level l = entry_level(c, ev->f, evidence, sizeof evidence);
    jw_kstr(w, "security_level", sec_level_name(l));
    jw_kstr(w, "security_evidence", evidence);
    int mutual = seclevel_mutual_tls(ev->f->cert_request, ev->f->client_cert);
    if (mutual < 0)
        jw_knull(w, "mutual_tls");
    else
        jw_kbool(w, "mutual_tls", mutual == 1);
    jw_key(w, "media");
    jw_obj_begin(w);
    jw_kuint(w, "streams", c->n_streams);
    jw_kuint(w, "srtp", c->n_srtp);
    jw_kuint(w, "clear", c->n_clear);
    jw_kuint(w, "undecided", c->n_streams - c->n_srtp - c->n_clear);
    jw_obj_end(w);
    jw_kuint(w, "negotiations", 0);
    jw_kbool(w, "security_changed", false);
    jw_kuint(w, "messages", 0);
    jw_key(w, "rtp_streams");
    jw_arr_begin(w);
    for (uint32_t i = 0; i < c->n_listed; i++)
        jw_str(w, c->streams[i]);
    jw_arr_end(w);
    if (c->n_streams > c->n_listed)
        jw_kuint(w, "rtp_streams_more", c->n_streams - c->n_listed);
}

/*
 * Streaming: an entry whose connection went longer ago than a stream
 * could still link to it (LINK_SLACK_NS, plus udp_idle_ms for such a
 * stream to end) is written and forgotten, so a live capture keeps only
 * the SIP-over-TLS connections still open. An entry whose session the
 * TLS module no longer knows (ended without a close) goes unwritten.
 */
void tls_calls_tick(struct tls_calls *t, ts_ns now)
{
    if (t == NULL || !report_is_streaming(t->ctx->out) || now - t->last_scan < 1000000000LL)
        return;
    t->last_scan = now;
    const struct limits *lim = t->ctx->opts && t->ctx->opts->lim ? t->ctx->opts->lim : &limits_default;
    ts_ns keep = LINK_SLACK_NS + (ts_ns)lim->udp_idle_ms * 1000000;
    uint32_t j = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        struct tls_call *c = &t->v[i];
        struct tls_facts f;
        bool known = entry_facts(t, c, &f);
        if (known && !(c->gone && now - c->gone_time > keep)) {
            if (i != j)
                t->v[j] = *c;
            j++;
            continue;
        }
        if (known && listed(t, c, &f)) {
            struct entry_view ev = { c, &f };
            report_stream_object(t->ctx->out, "call", entry_fields, &ev);
        }
    }
    if (j == t->n)
        return;
    t->n = j;
    /* chains hold indices: relink in place, oldest first so they come out newest first */
    for (uint32_t i = 0; i < t->n_buckets; i++)
        t->buckets[i] = NIL;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t h = pair_bucket(t, &t->v[i].conn.src, &t->v[i].conn.dst);
        t->v[i].hnext = t->buckets[h];
        t->buckets[h] = i;
    }
}

void tls_calls_finish(struct tls_calls *t)
{
    if (t == NULL || !report_is_streaming(t->ctx->out))
        return;
    for (uint32_t i = 0; i < t->n; i++) {
        struct tls_facts f;
        if (!listed(t, &t->v[i], &f))
            continue;
        struct entry_view ev = { &t->v[i], &f };
        report_stream_object(t->ctx->out, "call", entry_fields, &ev);
    }
}

void tls_calls_write_json(struct tls_calls *t, struct jw *w)
{
    for (uint32_t i = 0; t && i < t->n; i++) {
        struct tls_facts f;
        if (!listed(t, &t->v[i], &f))
            continue;
        struct entry_view ev = { &t->v[i], &f };
        jw_obj_begin(w);
        entry_fields(w, &ev);
        jw_obj_end(w);
    }
}

size_t tls_calls_count(const struct tls_calls *t)
{
    size_t n = 0;
    for (uint32_t i = 0; t && i < t->n; i++) {
        struct tls_facts f;
        n += listed(t, &t->v[i], &f);
    }
    return n;
}

void tls_calls_write_text(struct tls_calls *t, FILE *out)
{
    for (uint32_t i = 0; t && i < t->n; i++) {
        const struct tls_call *c = &t->v[i];
        struct tls_facts f;
        if (!listed(t, c, &f))
            continue;
        char cl[ENDPOINT_STR_MAX], sv[ENDPOINT_STR_MAX], evidence[1024];
        endpoint_format(&c->conn.src, c->conn.sport, cl);
        endpoint_format(&c->conn.dst, c->conn.dport, sv);
        enum sec_level l = entry_level(c, &f, evidence, sizeof evidence);
        fprintf(out, "  (SIP over TLS, content not visible)  %s -> %s  (tls, %s)\n", cl, sv, c->tls_id);
        fprintf(out, "    security: %s — %s\n", sec_level_name(l), evidence);
        if (c->n_streams) {
            fprintf(out, "    media:");
            for (uint32_t k = 0; k < c->n_listed; k++)
                fprintf(out, " %s", c->streams[k]);
            if (c->n_streams > c->n_listed)
                fprintf(out, " ... %u more", c->n_streams - c->n_listed);
            fputc('\n', out);
        }
    }
}
