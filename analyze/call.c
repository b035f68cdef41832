/* call.c: SIP calls by Call-ID (RFC 3261 sections 12-15), offer/answer (RFC 3264, 6337),
 * security level and the call findings (SPEC "calls"). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "media_expect.h"
#include "modules.h"
#include "rtp_stats.h"
#include "seclevel.h"
#include "sip_event.h"
#include "tls_calls.h"

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/*
 * A call lives from its first INVITE to its end (a final failure, a BYE, or
 * the end of input). Calls sit in a hash by Call-ID and in a list in the
 * order they started, which is the report's order. In ndjson mode an ended
 * call is written at once and freed; its Call-ID stays a while (LINGER_NS
 * of capture time, struct linger_rec) so the 200 to BYE or a retransmitted
 * final response does not start a new call under the same Call-ID.
 */

enum {
    CALL_LADDER_MAX = 32,  /* messages remembered per call for the text ladder */
    LABEL_MAX = 40,
    WRONG_PORT_SEEN_MAX = 64,
};
/* 64*T1: how long a transaction may still retransmit (RFC 3261 17.1.1.2). */
static const ts_ns LINGER_NS = 32LL * 1000000000LL;
enum { CALL_EXPIRE_BUDGET = 4, CALL_TICK_BUDGET = 4096 };

/* Why a call ended (ndjson "ended_by"). */
enum call_end_why { END_NONE, END_FINAL, END_BYE, END_TIMEOUT, END_CAPTURE };

static const char *end_why_name(uint8_t w)
{
    static const char *names[] = { NULL, "final_response", "bye", "timeout", "end_of_capture" };
    return w < sizeof names / sizeof names[0] ? names[w] : NULL;
}

struct ladder_step {
    uint64_t frame;
    ts_ns ts;
    struct flow_key flow;
    char label[LABEL_MAX];   /* "INVITE" or "415 Unsupported Media Type" */
    char sdp[16];            /* media security word, "" without SDP */
};

/* An SDP the call keeps: only the used media lines are copied. */
struct call_sdp {
    uint64_t frame;
    size_t n;
    struct sdp_media *media; /* NULL when absent */
};

struct call {
    uint64_t hash;                 /* of call_id (also in its slot) */
    char *call_id;                 /* into strs[] */
    size_t call_id_len;
    struct call *prev, *next;      /* start order (until written in ndjson) */
    bool in_list;
    struct call *act_prev, *act_next; /* setup or established list, least recently active first */
    uint8_t act_list;              /* 0 none, 1 setup, 2 established */
    uint8_t ended_by;              /* enum call_end_why */
    ts_ns last_time;
    char *from, *to;               /* into strs[] */
    size_t from_len, to_len;
    uint64_t first_frame;
    ts_ns first_time, end_time;
    struct flow_key first_flow;    /* the first INVITE as seen on the wire */
    enum sip_transport transport;
    bool any_tls;
    char tls_session[32];
    int final_status;              /* 0: none yet */
    char final_reason[64];
    bool established, cancelled, ended;
    struct call_sdp offer, answer; /* the latest completed negotiation */
    struct call_sdp pending;       /* an offer not answered yet */
    uint32_t pending_cseq;
    bool pending_in_request;
    uint32_t answered_cseq;
    uint32_t negotiations;
    bool security_changed;
    char first_sec[16];            /* media security of the first answer */
    bool sdes_reported, port_reported, mismatch_reported, failure_reported;
    uint32_t n_msgs;
    uint8_t n_ladder, cap_ladder;
    struct ladder_step *ladder;    /* grows by doubling up to CALL_LADDER_MAX */
    uint32_t rtp_head;             /* report time: first of this call's streams */
    char strs[];                   /* call_id, from, to: one allocation with the call */
};

struct wrong_port_seen {
    struct ip_addr addr;
    uint16_t port;
    bool tls;
};

/*
 * ndjson: a written call until LINGER_NS after its end, reduced to what a
 * late message needs, its Call-ID. The records sit in the order the calls
 * ended in a queue of chunks: the call's 500 bytes go back to malloc while
 * they are in the cache, and the expiry 32 s later reads the queue in
 * order instead of a cold struct call and its malloc header per call.
 */
struct linger_rec {
    ts_ns end_time;
    uint64_t hash;
    uint32_t id_len;
    char id[];                     /* not NUL-terminated */
};

struct linger_chunk {
    struct linger_chunk *next;     /* younger */
    size_t head, tail, cap;        /* oldest record, end of the records, size of data */
    uint64_t data[];               /* records, each rounded up to 8 bytes */
};

/* A Call-ID is one header line, at most 8 KiB (the SIP scan refuses
 * longer ones): a chunk holds hundreds of records. */
enum { LINGER_CHUNK_BYTES = 64 * 1024 };

struct call_slot {
    uint32_t hash;                 /* low half of the Call-ID's hash: its home and a first test */
    bool lingering;                /* l, not c */
    union {
        struct call *c;            /* NULL: empty */
        struct linger_rec *l;
    };
};

struct call_state {
    struct analyze_ctx *ctx;
    /* Call-ID -> call: open addressing, linear probing, the hash kept in
     * the slot, so neither a lookup nor an unlink reads other calls (a
     * chained table cost a cache miss per chain step, each message and
     * each lingering call freed). At most half full. */
    struct call_slot *slots;
    size_t n_slots;                /* power of two, grown with the calls held */
    size_t n_held;                 /* calls in the table (live and lingering) */
    size_t slots_max;
    struct call *head, *tail;
    struct linger_chunk *linger_head, *linger_tail; /* oldest chunk first */
    size_t n_linger;
    ts_ns linger_first_end;        /* the oldest record's end_time, when n_linger > 0 */
    /* Not ended yet, by last message: calls still being set up time out
     * after call_setup_idle_ms, established ones after call_idle_ms. */
    struct call *act_head[3], *act_tail[3];
    ts_ns idle_ns[3];              /* [1] setup, [2] established: call_setup_idle_ms, call_idle_ms,
                                    * read once by calls_new as the analyzer's other limits */
    size_t n_live;
    uint64_t n_total, n_dropped;
    struct wrong_port_seen wrong_port[WRONG_PORT_SEEN_MAX];
    size_t n_wrong_port;
    struct tls_calls *opaque; /* SIP over TLS not visible: entries from TLS + media */
};

/* snprintf(out, cap, "%s", src) without the format machinery: per message. */
static void copy_str(char *out, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, src, n);
    out[n] = '\0';
}

/* copy_str for a borrowed SIP string (no NUL in it, none after it). */
static void copy_sip_str(char *out, size_t cap, struct sip_str src)
{
    size_t n = src.n < cap ? src.n : cap - 1;
    memcpy(out, src.p, n);
    out[n] = '\0';
}

/* Per message: eight bytes a step (a byte-at-a-time FNV was a multiply
 * chain per character of every Call-ID); the last 1-7 bytes as the last
 * eight, overlapping, when there are eight. */
static uint64_t hash_mem(const char *s, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (uint64_t)n * k;
    size_t left = n;
    for (; left >= 8; s += 8, left -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (left) {
        uint64_t w = 0;
        if (n >= 8) {
            memcpy(&w, s + left - 8, 8); /* inside the string: n >= 8 */
            w >>= 8 * (8 - left);        /* only the bytes not hashed yet */
        } else {
            for (size_t i = 0; i < left; i++)
                w |= (uint64_t)(uint8_t)s[i] << (8 * i);
        }
        h = (h ^ w) * k;
    }
    h ^= h >> 32;
    return h * k ^ (h >> 29);
}

struct call_state *calls_new(struct analyze_ctx *ctx)
{
    struct call_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    const struct limits *lim = ctx && ctx->opts ? ctx->opts->lim : NULL;
    s->idle_ns[1] = (ts_ns)(lim ? lim->call_setup_idle_ms : 180000) * 1000000;
    s->idle_ns[2] = (ts_ns)(lim ? lim->call_idle_ms : 3600000) * 1000000;
    uint32_t max = lim ? lim->calls_max : 4096;
    /* Start small and double with the calls held (they are bounded by
     * calls_max): a table sized for calls_max from the start spreads a few
     * hundred live calls over megabytes, a cache miss per message. */
    s->slots_max = 128;
    while (s->slots_max < 2 * (size_t)max && s->slots_max < ((size_t)1 << 26))
        s->slots_max <<= 1;
    s->n_slots = s->slots_max < 2048 ? s->slots_max : 2048;
    s->slots = calloc(s->n_slots, sizeof *s->slots);
    s->opaque = ctx ? tls_calls_new(ctx) : NULL;
    if (s->slots == NULL || (ctx && s->opaque == NULL)) {
        free(s->slots);
        tls_calls_free(s->opaque);
        free(s);
        return NULL;
    }
    return s;
}

static void sdp_clear(struct call_sdp *d)
{
    free(d->media);
    memset(d, 0, sizeof *d);
}

static bool sdp_keep(struct call_sdp *d, const struct sdp_info *si, uint64_t frame)
{
    sdp_clear(d);
    d->frame = frame;
    if (si->n_media == 0)
        return true;
    d->media = malloc(si->n_media * sizeof *d->media);
    if (d->media == NULL)
        return false;
    for (size_t i = 0; i < si->n_media; i++)
        sdp_media_copy(&d->media[i], &si->media[i]);
    d->n = si->n_media;
    return true;
}

static void sdp_move(struct call_sdp *dst, struct call_sdp *src)
{
    sdp_clear(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

static struct sdp_view view_of(const struct call_sdp *d)
{
    struct sdp_view v = { d->media, d->n, d->frame };
    return v;
}

static void call_free_heavy(struct call *c)
{
    sdp_clear(&c->offer);
    sdp_clear(&c->answer);
    sdp_clear(&c->pending);
    free(c->ladder);
    c->ladder = NULL;
    c->n_ladder = c->cap_ladder = 0;
}

static void call_free(struct call *c)
{
    call_free_heavy(c);
    free(c);
}

/* The slot of a call or lingering record with this Call-ID, or NULL. */
static inline struct call_slot *slot_find(struct call_state *s, const char *call_id, size_t n, uint64_t h)
{
    size_t mask = s->n_slots - 1;
    for (size_t i = h & mask; s->slots[i].c; i = (i + 1) & mask) {
        struct call_slot *sl = &s->slots[i];
        if (sl->hash != (uint32_t)h)
            continue;
        if (sl->lingering ? sl->l->id_len == n && memcmp(sl->l->id, call_id, n) == 0
                          : sl->c->call_id_len == n && memcmp(sl->c->call_id, call_id, n) == 0)
            return sl;
    }
    return NULL;
}

/* A call not written yet, by Call-ID. */
static struct call *call_find(struct call_state *s, const char *call_id)
{
    size_t n = strlen(call_id);
    struct call_slot *sl = slot_find(s, call_id, n, hash_mem(call_id, n));
    return sl && !sl->lingering ? sl->c : NULL;
}

static void slot_put(struct call_slot *slots, size_t n_slots, const struct call_slot *e)
{
    size_t mask = n_slots - 1, i = e->hash & mask;
    while (slots[i].c)
        i = (i + 1) & mask;
    slots[i] = *e;
}

/* The slot holding p (a call or a record), or NULL. */
static struct call_slot *slot_of(struct call_state *s, uint64_t h, const void *p)
{
    size_t mask = s->n_slots - 1;
    for (size_t i = h & mask; s->slots[i].c; i = (i + 1) & mask)
        if ((s->slots[i].lingering ? (const void *)s->slots[i].l : (const void *)s->slots[i].c) == p)
            return &s->slots[i];
    return NULL;
}

/* Double the slots once they are half full: O(1) amortized. False when
 * the table cannot take one more call (full and no memory to grow). */
static bool slots_room(struct call_state *s)
{
    if (2 * (s->n_held + 1) <= s->n_slots)
        return true;
    if (s->n_slots < s->slots_max) {
        size_t nb = s->n_slots * 2;
        struct call_slot *b = calloc(nb, sizeof *b);
        if (b) {
            for (size_t i = 0; i < s->n_slots; i++)
                if (s->slots[i].c)
                    slot_put(b, nb, &s->slots[i]);
            free(s->slots);
            s->slots = b;
            s->n_slots = nb;
            return true;
        }
    }
    return s->n_held + 2 <= s->n_slots; /* fuller than half, still one slot empty */
}

/* Take p (a call or a record) out of the table: its slot, then the ones
 * after it shifted back where their home allows (no tombstones, probes
 * stay short). */
static bool slot_remove(struct call_state *s, uint64_t h, const void *p)
{
    struct call_slot *sl = slot_of(s, h, p);
    if (sl == NULL)
        return false;
    size_t mask = s->n_slots - 1, i = (size_t)(sl - s->slots);
    for (size_t j = (i + 1) & mask; s->slots[j].c; j = (j + 1) & mask) {
        size_t home = s->slots[j].hash & mask;
        /* j's entry may fill the hole at i unless its home lies in (i, j] */
        bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!home_between) {
            s->slots[i] = s->slots[j];
            i = j;
        }
    }
    s->slots[i] = (struct call_slot){ 0 };
    return true;
}

/* Out of the start-order list; c's own links are left as they were, so
 * a walk of the list standing on c goes on (calls_finish ends calls as
 * it walks). */
static void list_unlink(struct call_state *s, struct call *c)
{
    if (!c->in_list)
        return;
    c->in_list = false;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        s->tail = c->prev;
}

static struct call *call_create(struct call_state *s, const struct event *ev, const struct ev_sip *m)
{
    uint32_t max = s->ctx->opts && s->ctx->opts->lim ? s->ctx->opts->lim->calls_max : 4096;
    if (s->n_live >= max) {
        s->n_dropped++;
        return NULL;
    }
    if (!slots_room(s)) {
        s->n_dropped++; /* the table is full and cannot grow: over the limit in effect */
        return NULL;
    }
    size_t li = m->call_id.n + 1, lf = m->from_uri.n + 1, lt = m->to_uri.n + 1;
    struct call *c = calloc(1, sizeof *c + li + lf + lt); /* zeroed: each string's NUL */
    if (c == NULL)
        return NULL;
    c->call_id = memcpy(c->strs, m->call_id.p, li - 1);
    c->from = memcpy(c->strs + li, m->from_uri.p, lf - 1);
    c->to = memcpy(c->strs + li + lf, m->to_uri.p, lt - 1);
    c->call_id_len = li - 1;
    c->from_len = lf - 1;
    c->to_len = lt - 1;
    c->hash = hash_mem(c->call_id, c->call_id_len);
    c->first_frame = ev->at.frame;
    c->first_time = ev->at.ts;
    if (ev->flow)
        c->first_flow = *ev->flow;
    c->transport = m->transport;
    s->n_held++;
    slot_put(s->slots, s->n_slots, &(struct call_slot){ .hash = (uint32_t)c->hash, .c = c });
    c->prev = s->tail;
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    c->in_list = true;
    s->n_live++;
    s->n_total++;
    return c;
}

static void act_unlink(struct call_state *s, struct call *c)
{
    uint8_t l = c->act_list;
    if (l == 0)
        return;
    if (c->act_prev) c->act_prev->act_next = c->act_next; else s->act_head[l] = c->act_next;
    if (c->act_next) c->act_next->act_prev = c->act_prev; else s->act_tail[l] = c->act_prev;
    c->act_prev = c->act_next = NULL;
    c->act_list = 0;
}

/* A message of the call: to the young end of its list. O(1). */
static void act_touch(struct call_state *s, struct call *c, ts_ns when)
{
    act_unlink(s, c);
    uint8_t l = c->established ? 2 : 1;
    if (when > c->last_time)
        c->last_time = when;
    c->act_list = l;
    c->act_prev = s->act_tail[l];
    if (s->act_tail[l]) s->act_tail[l]->act_next = c; else s->act_head[l] = c;
    s->act_tail[l] = c;
}

/* ---- report pieces ---- */

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)

/*
 * A call is written as one piece (json_writer.h): in ndjson its sections
 * are plain stores into room reserved for each. A section's bound counts a
 * key with its quotes and colon, a number with its comma, each string (at
 * its array's size, or the piece's caps for names and spans) and array.
 */
enum {
    KEY_JSON_MAX = 20, /* "security_evidence": */
    NUM_JSON_MAX = 21,
    NAME_JSON_MAX = JW_NAME_MAX + 3,
    SPAN_JSON_MAX = JW_PIECE_STR_MAX + 3,
    PT_JSON_MAX = 2 + 3 * KEY_JSON_MAX + 2 * NUM_JSON_MAX + SDP_TOKEN_MAX + 3,
    CRYPTO_JSON_MAX = 2 + 3 * KEY_JSON_MAX + NUM_JSON_MAX + SDP_SUITE_MAX + 3 + 6,
    MEDIA_JSON_MAX = 2 + 10 * KEY_JSON_MAX + NUM_JSON_MAX + 4 * (SDP_TOKEN_MAX + 3) + IP_ADDR_STR_MAX + 3
                     + 2 + SDP_PT_MAX * PT_JSON_MAX + 2 + 2 + SDP_CRYPTO_MAX * CRYPTO_JSON_MAX + 2
                     + SDP_FPR_MAX + 3 + NAME_JSON_MAX + 2,
    /* "offer":{"frame":..,"security":..,"media":[ and, after the media, ]} */
    SDP_HEAD_JSON_MAX = 4 * KEY_JSON_MAX + 1 + NUM_JSON_MAX + NAME_JSON_MAX + 1,
    SDP_END_JSON_MAX = 4,
    CALL_HEAD_JSON_MAX = 13 * KEY_JSON_MAX + 3 * SPAN_JSON_MAX + 6 + 2 * NUM_JSON_MAX + ISO_TIME_MAX + 3
                         + NAME_JSON_MAX + MEMBER_SIZE(struct call, tls_session) + 3 + 2 * (ENDPOINT_STR_MAX + 3)
                         + MEMBER_SIZE(struct call, final_reason) + 3 + 6,
    EVIDENCE_MAX = 512,
    CALL_TAIL_JSON_MAX = 8 * KEY_JSON_MAX + 2 * NAME_JSON_MAX + EVIDENCE_MAX + 3 + 2 * NUM_JSON_MAX + 6 + 3
                         + ISO_TIME_MAX + 3,
};
_Static_assert((int)MEDIA_JSON_MAX <= (int)JW_PIECE_MAX && (int)CALL_HEAD_JSON_MAX <= (int)JW_PIECE_MAX &&
               (int)CALL_TAIL_JSON_MAX <= (int)JW_PIECE_MAX, "each section fits a piece");

static struct jw_piece write_media_json(struct jw_piece piece, const struct sdp_media *m, enum media_sec sec)
{
    struct jw_piece *p = &piece;
    jp_room(p, MEDIA_JSON_MAX);
    jp_open(p, '{');
    jp_key(p, "type");
    jp_str_arr(p, m->type);
    jp_key(p, "port");
    jp_uint(p, m->port);
    jp_key(p, "profile");
    jp_str_arr(p, m->profile);
    jp_key(p, "address");
    if (m->has_addr)
        jp_ip(p, &m->addr);
    else
        jp_null(p);
    jp_key(p, "payload_types");
    jp_open(p, '[');
    for (size_t j = 0; j < m->n_pt && j < SDP_PT_MAX; j++) {
        jp_open(p, '{');
        jp_key(p, "pt");
        jp_uint(p, m->pt[j].pt);
        if (m->pt[j].encoding[0]) {
            jp_key(p, "encoding");
            jp_str_arr(p, m->pt[j].encoding);
            jp_key(p, "clock_rate");
            jp_uint(p, m->pt[j].clock_rate);
        }
        jp_close(p, '}');
    }
    jp_close(p, ']');
    /* Tag and suite only: the inline key is never in the report. */
    jp_key(p, "crypto");
    jp_open(p, '[');
    for (size_t j = 0; j < m->n_crypto && j < SDP_CRYPTO_MAX; j++) {
        jp_open(p, '{');
        jp_key(p, "tag");
        jp_uint(p, m->crypto[j].tag);
        jp_key(p, "suite");
        jp_str_arr(p, m->crypto[j].suite);
        jp_key(p, "inline_key");
        jp_bool(p, m->crypto[j].has_inline_key);
        jp_close(p, '}');
    }
    jp_close(p, ']');
    jp_key(p, "fingerprint");
    jp_str_arr_or_null(p, m->fingerprint);
    jp_key(p, "setup");
    jp_str_arr_or_null(p, m->setup);
    jp_key(p, "encryption");
    jp_str_arr_or_null(p, m->encryption);
    jp_key(p, "security");
    jp_name(p, media_sec_name(sec));
    jp_close(p, '}');
    return piece;
}

/* After its key, in a section of SDP_HEAD_JSON_MAX bytes. */
static struct jw_piece write_sdp_json(struct jw_piece piece, const struct call_sdp *d, bool present)
{
    struct jw_piece *p = &piece;
    if (!present) {
        jp_null(p);
        return piece;
    }
    /* Each line's security once: the body's is the weakest of them. */
    enum media_sec sec[SDP_MEDIA_MAX];
    size_t n = d->n < SDP_MEDIA_MAX ? d->n : SDP_MEDIA_MAX; /* never more: copied from an sdp_info */
    jp_open(p, '{');
    jp_key(p, "frame");
    jp_uint(p, d->frame);
    jp_key(p, "security");
    jp_name(p, media_sec_name(seclevel_sdp_each(d->media, n, sec)));
    jp_key(p, "media");
    jp_open(p, '[');
    for (size_t i = 0; i < n; i++)
        piece = write_media_json(piece, &d->media[i], sec[i]);
    jp_room(p, SDP_END_JSON_MAX);
    jp_close(p, ']');
    jp_close(p, '}');
    return piece;
}

static enum sec_level call_level(const struct call *c, char *ev, size_t cap)
{
    struct sdp_view o = view_of(&c->offer), a = view_of(&c->answer);
    return seclevel_call(c->any_tls, c->offer.media ? &o : NULL, c->answer.media ? &a : NULL, ev, cap);
}

/* A call's fields. Everything but rtp_streams, which only the
 * end-of-capture report can list (streams outlive the call's last
 * message), unless ended: in ndjson a call is written when it ends, before
 * its streams are, and each stream names its call instead. */
static struct jw_piece write_call(struct jw_piece piece, const struct call *c, bool ended)
{
    struct jw_piece *p = &piece;
    jp_key(p, "call_id");
    jp_strn(p, c->call_id, c->call_id_len);
    jp_key(p, "opaque");
    jp_bool(p, false);
    jp_key(p, "from");
    jp_strn(p, c->from, c->from_len);
    jp_key(p, "to");
    jp_strn(p, c->to, c->to_len);
    jp_key(p, "first_frame");
    jp_uint(p, c->first_frame);
    jp_key(p, "first_time");
    jp_time(p, c->first_time);
    jp_key(p, "transport");
    jp_name(p, sip_transport_name(c->any_tls ? SIP_TR_TLS : c->transport));
    jp_key(p, "tls_session");
    jp_str_arr_or_null(p, c->tls_session);
    jp_key(p, "client");
    jp_endpoint(p, &c->first_flow.src, c->first_flow.sport);
    jp_key(p, "server");
    jp_endpoint(p, &c->first_flow.dst, c->first_flow.dport);
    if (c->final_status) {
        jp_key(p, "final_status");
        jp_int(p, c->final_status);
        jp_key(p, "final_reason");
        jp_str_arr(p, c->final_reason);
    } else {
        jp_key(p, "final_status");
        jp_null(p);
        jp_key(p, "final_reason");
        jp_null(p);
    }
    jp_key(p, "established");
    jp_bool(p, c->established);
    jp_room(p, SDP_HEAD_JSON_MAX);
    jp_key(p, "offer");
    piece = write_sdp_json(piece, &c->offer, c->offer.media != NULL || c->offer.frame != 0);
    jp_room(p, SDP_HEAD_JSON_MAX);
    jp_key(p, "answer");
    piece = write_sdp_json(piece, &c->answer, c->answer.media != NULL || c->answer.frame != 0);
    char evidence[EVIDENCE_MAX];
    enum sec_level l = call_level(c, evidence, sizeof evidence);
    jp_room(p, CALL_TAIL_JSON_MAX);
    jp_key(p, "security_level");
    jp_name(p, sec_level_name(l));
    jp_key(p, "security_evidence");
    jp_str_arr(p, evidence);
    jp_key(p, "negotiations");
    jp_uint(p, c->negotiations);
    jp_key(p, "security_changed");
    jp_bool(p, c->security_changed);
    jp_key(p, "messages");
    jp_uint(p, c->n_msgs);
    if (ended) {
        jp_key(p, "rtp_streams");
        jp_open(p, '[');
        jp_close(p, ']');
        jp_key(p, "ended_by");
        jp_name(p, end_why_name(c->ended_by));
        jp_key(p, "last_time");
        jp_time(p, c->last_time);
    }
    return piece;
}

static void call_write_core(struct jw *w, const struct call *c, bool ended)
{
    struct jw_piece p = write_call(jw_piece_begin(w, CALL_HEAD_JSON_MAX), c, ended);
    jw_piece_end(&p);
}

static void call_write_fields(struct jw *w, const void *obj)
{
    call_write_core(w, obj, true);
}

/* ---- findings ---- */

static void add_finding(struct call_state *s, enum finding_code code, const struct call *c,
                        const char *summary, const char *detail, const uint64_t *frames, size_t n)
{
    struct finding_spec f = { .code = code, .severity = finding_default_severity(code),
                              .summary = summary, .detail = detail };
    f.refs.call_id = c->call_id;
    if (c->tls_session[0])
        f.refs.tls_session = c->tls_session;
    for (size_t i = 0; i < n && f.n_frames < FINDING_FRAMES_MAX; i++)
        if (frames[i])
            f.frames[f.n_frames++] = frames[i];
    findings_add(s->ctx->findings, &f);
}

static bool is_auth_challenge(int status)
{
    return status == 401 || status == 407;
}

/* A failed INVITE not explained by security: info, with its status. */
static void report_invite_failed(struct call_state *s, struct call *c, int status, struct sip_str reason,
                                 struct sip_str warning, uint64_t invite_frame, uint64_t frame)
{
    if (c->failure_reported)
        return;
    c->failure_reported = true;
    char summary[320], detail[640];
    snprintf(summary, sizeof summary, "INVITE from %.96s to %.96s failed with %d %.*s", c->from, c->to,
             status, reason.n < 60 ? (int)reason.n : 60, reason.p);
    snprintf(detail, sizeof detail,
             "The call was refused by the other end or a proxy; its media security was not the "
             "reason as far as the capture shows.%s%.*s%s",
             warning.n ? " The response says: \"" : "", warning.n < 300 ? (int)warning.n : 300, warning.p,
             warning.n ? "\"." : "");
    uint64_t frames[2] = { invite_frame, frame };
    add_finding(s, F_SIP_INVITE_FAILED, c, summary, detail, frames, 2);
}

static void check_sdes(struct call_state *s, struct call *c, const struct ev_sip *m, uint64_t frame)
{
    if (c->sdes_reported || m->sdp == NULL || m->transport == SIP_TR_TLS ||
        !seclevel_sdp_has_inline_key(m->sdp->media, m->sdp->n_media))
        return;
    c->sdes_reported = true;
    char summary[256];
    snprintf(summary, sizeof summary,
             "SRTP keys (SDES a=crypto inline:) sent over clear SIP (%s) in call %.96s",
             sip_transport_name(m->transport), c->call_id);
    add_finding(s, F_SDES_KEYS_IN_CLEAR, c, summary,
                "RFC 4568 SDES puts the SRTP master key in the SDP. Carried over unencrypted SIP, "
                "anyone on the path can read it and decrypt the media, so the SRTP protects nothing. "
                "Carry SIP over TLS (port 5061, security level Secured) or use DTLS-SRTP.",
                &frame, 1);
}

/* SIP over TLS off 5061, or clear SIP on it: per message, so the test
 * is inline and the report (once per call) is not. */
static inline bool port_is_wrong(const struct call *c, const struct event *ev, const struct ev_sip *m)
{
    if (c->port_reported || ev->flow == NULL)
        return false;
    bool on_5061 = ev->flow->sport == 5061 || ev->flow->dport == 5061;
    return m->transport == SIP_TR_TLS ? !on_5061 : on_5061;
}

static void report_port(struct call_state *s, struct call *c, const struct event *ev, const struct ev_sip *m)
{
    const struct flow_key *k = ev->flow;
    bool tls = m->transport == SIP_TR_TLS;
    c->port_reported = true;
    /* The server end: the 5061 side, else the destination of a request. */
    const struct ip_addr *sa = &k->dst;
    uint16_t sp = k->dport;
    if (k->sport == 5061 || (!tls && !m->is_request)) {
        sa = &k->src;
        sp = k->sport;
    }
    for (size_t i = 0; i < s->n_wrong_port; i++)
        if (s->wrong_port[i].port == sp && s->wrong_port[i].tls == tls && ip_addr_eq(&s->wrong_port[i].addr, sa))
            return;
    if (s->n_wrong_port < WRONG_PORT_SEEN_MAX)
        s->wrong_port[s->n_wrong_port++] = (struct wrong_port_seen){ *sa, sp, tls };
    char ep[ENDPOINT_STR_MAX], summary[256];
    endpoint_format(sa, sp, ep);
    if (tls)
        snprintf(summary, sizeof summary, "SIP over TLS to %s, not the SIP-over-TLS port 5061", ep);
    else
        snprintf(summary, sizeof summary, "Clear SIP (%s) on port 5061 at %s, the port for SIP over TLS",
                 sip_transport_name(m->transport), ep);
    uint64_t frame = ev->at.frame;
    add_finding(s, F_SIP_TLS_WRONG_PORT, c, summary,
                tls ? "Peers that expect mutual TLS on 5061 (Exchange UM, OCS, gateways configured with "
                      "Set-UMIPGateway -Port 5061) will not find this listener; an unsecured peer may "
                      "be sending TLS to a port configured for TCP. Use 5061 for TLS and 5060 for clear SIP."
                    : "Port 5061 is where secured peers expect mutual TLS; clear SIP there means one end "
                      "runs Unsecured while the other expects SIP Secured or Secured. Set the gateway or "
                      "dial plan to the same level on both ends: TLS on 5061, or clear SIP on 5060.",
                &frame, 1);
}

/* ---- ndjson: emit ended calls, free them after the linger ---- */

/* An ended call's endpoints leave the media table now, not after its
 * TTL: on a SIP-heavy capture the ended calls' entries were most of the
 * table and made each announcement a cache miss. A stream already
 * running keeps the hint it started with. */
static void forget_media(struct call_state *s, const struct call *c)
{
    const struct call_sdp *kept[] = { &c->offer, &c->answer, &c->pending };
    /* The report reads these lines next, cold: asked for all at once,
     * their misses overlap rather than come one after another. */
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        for (size_t i = 0; i < kept[k]->n; i++)
            sdp_media_prefetch(&kept[k]->media[i]);
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        for (size_t i = 0; i < kept[k]->n; i++) {
            const struct sdp_media *m = &kept[k]->media[i];
            if (m->has_addr)
                media_expect_forget(s->ctx->media, &m->addr, m->port, c->call_id, c->call_id_len);
        }
}

static size_t linger_rec_size(size_t id_len)
{
    return (offsetof(struct linger_rec, id) + id_len + 7) & ~(size_t)7;
}

static struct linger_rec *linger_at(struct linger_chunk *k, size_t off)
{
    return (struct linger_rec *)((char *)k->data + off);
}

/* The record of a written call at the young end of the queue; NULL
 * without memory. */
static struct linger_rec *linger_push(struct call_state *s, const struct call *c, ts_ns when)
{
    size_t need = linger_rec_size(c->call_id_len);
    struct linger_chunk *k = s->linger_tail;
    if (k && k->head == k->tail)
        k->head = k->tail = 0; /* emptied: start it over */
    if (k == NULL || k->cap - k->tail < need) {
        size_t cap = need > LINGER_CHUNK_BYTES ? need : LINGER_CHUNK_BYTES;
        struct linger_chunk *nk = malloc(sizeof *nk + cap);
        if (nk == NULL)
            return NULL;
        *nk = (struct linger_chunk){ .cap = cap };
        if (k)
            k->next = nk;
        else
            s->linger_head = nk;
        s->linger_tail = k = nk;
    }
    struct linger_rec *r = linger_at(k, k->tail);
    k->tail += need;
    r->end_time = when;
    r->hash = c->hash;
    r->id_len = (uint32_t)c->call_id_len;
    memcpy(r->id, c->call_id, c->call_id_len);
    if (s->n_linger++ == 0)
        s->linger_first_end = when;
    return r;
}

static void call_end(struct call_state *s, struct call *c, ts_ns when, enum call_end_why why)
{
    if (c->ended)
        return;
    c->ended = true;
    c->end_time = when;
    c->ended_by = (uint8_t)why;
    act_unlink(s, c);
    forget_media(s, c);
    if (!report_is_streaming(s->ctx->out))
        return;
    report_stream_object(s->ctx->out, "call", call_write_fields, c);
    /* Written: its slot takes the record, the call is freed. */
    struct call_slot *sl = slot_of(s, c->hash, c);
    struct linger_rec *r = linger_push(s, c, when);
    if (sl && r) {
        sl->lingering = true;
        sl->l = r;
    } else if (sl) { /* no memory for the record: the Call-ID is forgotten now */
        slot_remove(s, c->hash, c);
        s->n_held--;
        s->n_live--;
    }
    list_unlink(s, c);
    call_free(c);
}

static void linger_expire(struct call_state *s, ts_ns now)
{
    while (s->n_linger && now - s->linger_first_end > LINGER_NS) {
        struct linger_chunk *k = s->linger_head;
        struct linger_rec *r = linger_at(k, k->head);
        if (slot_remove(s, r->hash, r))
            s->n_held--;
        s->n_live--;
        s->n_linger--;
        k->head += linger_rec_size(r->id_len);
        if (k->head == k->tail && k->next) {
            s->linger_head = k->next;
            free(k);
            k = s->linger_head;
        }
        if (s->n_linger) {
            const struct linger_rec *next = linger_at(k, k->head);
            s->linger_first_end = next->end_time;
            /* its slot, untouched for 32 s, is read when it expires: a
             * few messages from now, time enough for the line to come */
            PREFETCH(&s->slots[next->hash & (s->n_slots - 1)]);
        }
    }
}

/* Streaming: calls without messages for their timeout end (capture time). */
static void calls_expire(struct call_state *s, ts_ns now, int budget)
{
    for (int l = 1; l <= 2; l++) {
        for (int i = 0; i < budget; i++) {
            struct call *c = s->act_head[l];
            if (c == NULL || now - c->last_time <= s->idle_ns[l])
                break;
            if (!c->established && is_auth_challenge(c->final_status))
                report_invite_failed(s, c, c->final_status, sip_str_c(c->final_reason), sip_str_c(""), c->first_frame, 0);
            call_end(s, c, now, END_TIMEOUT);
        }
    }
}

/* ---- offer/answer ---- */

static void publish_media(struct call_state *s, const struct call *c, const struct sdp_info *sdp, ts_ns ts)
{
    if (s->ctx->media == NULL)
        return;
    for (size_t i = 0; i < sdp->n_media; i++) {
        const struct sdp_media *m = &sdp->media[i];
        if (!m->has_addr || m->port == 0)
            continue;
        struct media_hint h; /* but its call_id: the Call-ID goes to the table apart */
        memset(&h, 0, offsetof(struct media_hint, call_id));
        enum media_sec ms = seclevel_media(m);
        h.is_srtp = media_sec_is_srtp(ms) && ms != MEDIA_SEC_OPPORTUNISTIC;
        h.clock_pt = 255;
        for (size_t j = 0; j < m->n_pt; j++) {
            if (m->pt[j].pt >= 96 && m->pt[j].clock_rate) {
                h.clock_pt = m->pt[j].pt;
                h.clock_rate = m->pt[j].clock_rate;
                break;
            }
        }
        /* the hosts of the call's signaling, which IPsec may cover while
         * the c= media addresses differ (a PBX relaying media elsewhere) */
        if (c->first_flow.src.family) {
            h.has_sig = true;
            h.sig[0] = c->first_flow.src;
            h.sig[1] = c->first_flow.dst;
        }
        /* RTCP on port + 1 is found through this entry too (media_expect.h) */
        media_expect_add_id(s->ctx->media, &m->addr, m->port, &h, c->call_id, c->call_id_len, ts);
    }
}

static void complete_negotiation(struct call *c, const struct sdp_info *answer, uint64_t frame)
{
    sdp_move(&c->offer, &c->pending);
    sdp_keep(&c->answer, answer, frame);
    c->negotiations++;
    const char *sec = media_sec_name(seclevel_sdp(c->answer.media, c->answer.n));
    if (c->negotiations == 1)
        copy_str(c->first_sec, sizeof c->first_sec, sec);
    else if (strcmp(c->first_sec, sec) != 0)
        c->security_changed = true;
}

static void on_sdp(struct call *c, const struct ev_sip *m, uint64_t frame)
{
    const struct sdp_info *sdp = m->sdp;
    bool pending = c->pending.frame != 0;
    if (m->is_request) {
        if (pending && (SIP_STR_IS(m->method, "ACK") || SIP_STR_IS(m->method, "PRACK")) &&
            !c->pending_in_request) {
            complete_negotiation(c, sdp, frame);
            return;
        }
        if (SIP_STR_IS(m->method, "ACK") || SIP_STR_IS(m->method, "PRACK")) {
            if (pending) /* answer to an offer in a request cannot come in a request */
                return;
        }
        if (pending && c->pending_in_request && c->pending_cseq == m->cseq)
            return; /* a retransmission: the offer is the first copy's */
        sdp_keep(&c->pending, sdp, frame);
        c->pending_cseq = m->cseq;
        c->pending_in_request = true;
        return;
    }
    if (m->status >= 300)
        return;
    if (pending && c->pending_in_request && m->cseq == c->pending_cseq) {
        complete_negotiation(c, sdp, frame);
        c->answered_cseq = m->cseq;
        return;
    }
    if (!pending && c->answered_cseq == m->cseq && c->answer.frame) {
        /* The 200 repeating the answer a reliable 18x already gave. */
        return;
    }
    if (!pending && SIP_STR_IS(m->cseq_method, "INVITE")) {
        /* Late offer: INVITE without SDP, offer in the 2xx/18x, answer in ACK/PRACK. */
        sdp_keep(&c->pending, sdp, frame);
        c->pending_cseq = m->cseq;
        c->pending_in_request = false;
    }
}

static void on_invite_failure(struct call_state *s, struct call *c, const struct event *ev,
                              const struct ev_sip *m)
{
    bool offer_for_this = c->pending.frame && c->pending_in_request && c->pending_cseq == m->cseq;
    struct sdp_view offer = view_of(&c->pending);
    struct sdp_view err = { NULL, 0, 0 };
    if (m->sdp)
        err = (struct sdp_view){ m->sdp->media, m->sdp->n_media, ev->at.frame };
    uint64_t frames[2] = { offer_for_this ? c->pending.frame : 0, ev->at.frame };
    char summary[512], detail[2048];
    /* NUL-terminated for seclevel_mismatch; a header line is at most 8 KiB
     * (the scan refuses longer ones), so the copies never cut. */
    char reason[8193], warning[8193];
    copy_sip_str(reason, sizeof reason, m->reason);
    copy_sip_str(warning, sizeof warning, m->warning);
    if (!c->mismatch_reported && offer_for_this &&
        seclevel_mismatch(&offer, &err, m->status, reason, warning, m->transport == SIP_TR_TLS,
                          summary, sizeof summary, detail, sizeof detail)) {
        c->mismatch_reported = true;
        c->failure_reported = true;
        add_finding(s, F_SIP_SECURITY_MISMATCH, c, summary, detail, frames, 2);
    } else if (!c->established && !is_auth_challenge(m->status) && !(m->status == 487 && c->cancelled)) {
        report_invite_failed(s, c, m->status, m->reason, m->warning, frames[0], ev->at.frame);
    }
    /* Keep the refused offer in the report when nothing was negotiated. */
    if (offer_for_this && c->negotiations == 0)
        sdp_move(&c->offer, &c->pending);
    else if (offer_for_this)
        sdp_clear(&c->pending);
}

/* The text ladder; streaming output (ndjson, the live text view) never
 * prints it, so there only the messages are counted. */
static void ladder_add(struct call *c, const struct event *ev, const struct ev_sip *m, bool keep)
{
    c->n_msgs++;
    if (!keep || c->n_ladder >= CALL_LADDER_MAX)
        return;
    if (c->n_ladder == c->cap_ladder) {
        /* Most calls have under 8 messages: start small, a long call pays more. */
        uint8_t ncap = c->cap_ladder ? (uint8_t)(c->cap_ladder * 2) : 8;
        if (ncap > CALL_LADDER_MAX)
            ncap = CALL_LADDER_MAX;
        struct ladder_step *nl = realloc(c->ladder, ncap * sizeof *nl);
        if (nl == NULL)
            return;
        c->ladder = nl;
        c->cap_ladder = ncap;
    }
    struct ladder_step *st = &c->ladder[c->n_ladder++];
    memset(st, 0, sizeof *st);
    st->frame = ev->at.frame;
    st->ts = ev->at.ts;
    if (ev->flow)
        st->flow = *ev->flow;
    if (m->is_request)
        copy_sip_str(st->label, sizeof st->label, m->method);
    else if (m->status >= 100 && m->status <= 999) {
        /* "415 Unsupported Media Type" */
        char code[4] = { (char)('0' + m->status / 100), (char)('0' + m->status / 10 % 10),
                         (char)('0' + m->status % 10), ' ' };
        memcpy(st->label, code, 4);
        copy_sip_str(st->label + 4, sizeof st->label - 4, m->reason);
    }
    if (m->sdp)
        copy_str(st->sdp, sizeof st->sdp, media_sec_name(seclevel_sdp(m->sdp->media, m->sdp->n_media)));
}

void calls_event(struct call_state *s, const struct event *ev)
{
    if (s == NULL)
        return;
    if (ev->kind == EV_TLS) {
        tls_calls_tls_event(s->opaque, ev);
        return;
    }
    if (ev->kind != EV_SIP)
        return;
    const struct ev_sip *m = ev->body;
    if (m->transport == SIP_TR_TLS)
        tls_calls_sip_seen(s->opaque, ev->flow); /* any SIP, not only INVITE dialogs */
    /* The call's slot is asked for now and read after the expiries, whose
     * own cache misses (calls ended 32 s ago) then overlap with it. */
    size_t id_n = m->call_id.n;
    uint64_t id_h = hash_mem(m->call_id.p, id_n);
    PREFETCH(&s->slots[id_h & (s->n_slots - 1)]);
    if (s->n_linger && ev->at.ts - s->linger_first_end > LINGER_NS)
        linger_expire(s, ev->at.ts); /* the test first: a call per message cost more than it */
    if (report_is_streaming(s->ctx->out))
        calls_expire(s, ev->at.ts, CALL_EXPIRE_BUDGET);
    struct call_slot *sl = slot_find(s, m->call_id.p, id_n, id_h);
    if (sl && sl->lingering)
        return; /* a late retransmission or the 200 to BYE of a call already written */
    struct call *c = sl ? sl->c : NULL;
    if (c == NULL) {
        /* Only INVITE dialogs are calls; REGISTER, OPTIONS, SUBSCRIBE... are not. */
        if (!SIP_STR_IS(m->cseq_method, "INVITE") || m->call_id.n == 0)
            return;
        c = call_create(s, ev, m);
        if (c == NULL)
            return;
    }
    if (!c->ended)
        act_touch(s, c, ev->at.ts);
    ladder_add(c, ev, m, !report_is_streaming(s->ctx->out));
    if (m->transport == SIP_TR_TLS) {
        c->any_tls = true;
        if (c->tls_session[0] == '\0' && ev->flow && s->ctx->tls) {
            const char *id = tls_session_for_flow(s->ctx->tls, ev->flow);
            if (id)
                snprintf(c->tls_session, sizeof c->tls_session, "%s", id);
        }
    }
    if (port_is_wrong(c, ev, m))
        report_port(s, c, ev, m);
    if (m->sdp) {
        check_sdes(s, c, m, ev->at.frame);
        publish_media(s, c, m->sdp, ev->at.ts);
        on_sdp(c, m, ev->at.frame);
    }
    if (m->is_request) {
        if (SIP_STR_IS(m->method, "CANCEL"))
            c->cancelled = true;
        else if (SIP_STR_IS(m->method, "BYE"))
            call_end(s, c, ev->at.ts, END_BYE);
        return;
    }
    if (!SIP_STR_IS(m->cseq_method, "INVITE") || m->status < 200)
        return;
    if (!c->established) {
        c->final_status = m->status;
        copy_sip_str(c->final_reason, sizeof c->final_reason, m->reason);
    }
    if (m->status < 300) {
        c->established = true;
        if (!c->ended)
            act_touch(s, c, ev->at.ts); /* to the established list */
        return;
    }
    on_invite_failure(s, c, ev, m);
    /* A challenged INVITE is retried under the same Call-ID: not the end. */
    if (!c->established && !is_auth_challenge(m->status))
        call_end(s, c, ev->at.ts, END_FINAL);
}

void calls_finish(struct call_state *s)
{
    if (s == NULL)
        return;
    for (struct call *c = s->head, *next; c; c = next) {
        next = c->next; /* ndjson: call_end frees c */
        if (!c->established && is_auth_challenge(c->final_status))
            report_invite_failed(s, c, c->final_status, sip_str_c(c->final_reason), sip_str_c(""), c->first_frame, 0);
        call_end(s, c, c->end_time, END_CAPTURE);
    }
    if (s->n_dropped) {
        char summary[256];
        snprintf(summary, sizeof summary,
                 "calls: %llu calls over the calls_max limit were not analyzed",
                 (unsigned long long)s->n_dropped);
        struct finding_spec f = { .code = F_LIMIT_REACHED, .severity = finding_default_severity(F_LIMIT_REACHED),
                                  .summary = summary,
                                  .detail = "A safety cap (docs/LIMITS.md) was reached; the rest of the "
                                            "capture was still analyzed. Use --format ndjson (memory bounded "
                                            "by live calls), split the capture or raise the limit." };
        findings_add(s->ctx->findings, &f);
    }
}

void calls_note_stream(struct call_state *s, const struct rtp_stream_view *v)
{
    if (s)
        tls_calls_note_stream(s->opaque, v);
}

void calls_finish_media(struct call_state *s)
{
    if (s)
        tls_calls_finish(s->opaque);
}

void calls_tick(struct call_state *s, ts_ns now)
{
    if (s == NULL || !report_is_streaming(s->ctx->out))
        return;
    calls_expire(s, now, CALL_TICK_BUDGET);
    linger_expire(s, now);
    tls_calls_tick(s->opaque, now);
}

enum { RTP_LINK_NONE = UINT32_MAX };

/*
 * Link each call to its streams in one pass over the streams: every call
 * gets the head of a chain of stream indices threaded through next[], so
 * the report costs O(calls + streams), not their product.
 */
static uint32_t *link_rtp_streams(struct call_state *s)
{
    const struct rtp_state *rtp = s->ctx->rtp;
    size_t n = rtp ? rtp_state_stream_count(rtp) : 0;
    for (struct call *c = s->head; c; c = c->next)
        c->rtp_head = RTP_LINK_NONE;
    if (n == 0 || n >= RTP_LINK_NONE)
        return NULL;
    uint32_t *next = malloc(n * sizeof *next);
    if (next == NULL)
        return NULL;
    for (size_t i = n; i-- > 0;) { /* backwards: chains come out in id order */
        struct rtp_stream_view v;
        struct call *c;
        next[i] = RTP_LINK_NONE;
        if (!rtp_state_stream_at(rtp, i, &v) || v.call_id == NULL || (c = call_find(s, v.call_id)) == NULL)
            continue;
        next[i] = c->rtp_head;
        c->rtp_head = (uint32_t)i;
    }
    return next;
}

void calls_write_json(struct call_state *s, struct jw *w)
{
    jw_arr_begin(w);
    uint32_t *next = s ? link_rtp_streams(s) : NULL;
    for (struct call *c = s ? s->head : NULL; c; c = c->next) {
        jw_obj_begin(w);
        call_write_core(w, c, false);
        jw_key(w, "rtp_streams");
        jw_arr_begin(w);
        for (uint32_t i = next ? c->rtp_head : RTP_LINK_NONE; i != RTP_LINK_NONE; i = next[i]) {
            struct rtp_stream_view v;
            if (rtp_state_stream_at(s->ctx->rtp, i, &v))
                jw_str(w, v.id);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    free(next);
    if (s)
        tls_calls_write_json(s->opaque, w);
    jw_arr_end(w);
}

static void time_of_day(ts_ns t, char out[ISO_TIME_MAX])
{
    char iso[ISO_TIME_MAX];
    ts_format_iso(t, iso);
    const char *tpos = strchr(iso, 'T');
    snprintf(out, ISO_TIME_MAX, "%s", tpos ? tpos + 1 : iso);
}

void calls_write_text(struct call_state *s, FILE *out)
{
    if (s == NULL)
        return;
    size_t n = tls_calls_count(s->opaque);
    for (struct call *c = s->head; c; c = c->next)
        n++;
    if (n == 0)
        return;
    fprintf(out, "\nCalls: %zu\n", n);
    for (struct call *c = s->head; c; c = c->next) {
        char evidence[512];
        enum sec_level l = call_level(c, evidence, sizeof evidence);
        fprintf(out, "  %s  %s -> %s  (%s", c->call_id, c->from, c->to,
                sip_transport_name(c->any_tls ? SIP_TR_TLS : c->transport));
        if (c->tls_session[0])
            fprintf(out, ", %s", c->tls_session);
        if (c->final_status)
            fprintf(out, ", %d %s", c->final_status, c->final_reason);
        fprintf(out, ")\n    security: %s — %s%s\n", sec_level_name(l), evidence,
                c->security_changed ? "; a re-INVITE changed the media security" : "");
        for (size_t i = 0; i < c->n_ladder && c->ladder; i++) {
            const struct ladder_step *st = &c->ladder[i];
            char t[ISO_TIME_MAX], a[ENDPOINT_STR_MAX], b[ENDPOINT_STR_MAX];
            time_of_day(st->ts, t);
            endpoint_format(&st->flow.src, st->flow.sport, a);
            endpoint_format(&st->flow.dst, st->flow.dport, b);
            fprintf(out, "    %-16s %21s -> %-21s %-32s %s\n", t, a, b, st->label, st->sdp);
        }
        if (c->n_msgs > c->n_ladder)
            fprintf(out, "    ... %u more messages\n", c->n_msgs - c->n_ladder);
    }
    tls_calls_write_text(s->opaque, out);
}

void calls_free(struct call_state *s)
{
    if (s == NULL)
        return;
    struct call *c = s->head;
    while (c) {
        struct call *next = c->next;
        call_free(c);
        c = next;
    }
    for (struct linger_chunk *k = s->linger_head, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    free(s->slots);
    tls_calls_free(s->opaque);
    free(s);
}
