/* tls_session.c: TLS handshakes as sessions, the certificates they carried, and their findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert_rules.h"
#include "modules.h"
#include "sip_event.h"
#include "tls_event.h"
#include "x509.h"

enum {
    SESS_CERTS_MAX = TLS_EV_CERTS_MAX,
    SESS_ALERTS_MAX = 8,
    SNI_MAX = 255,
    SEEN_IN_MAX = 1024, /* sessions listed per certificate; more are counted */
    SHA1_LEN = 20,
};

/* One alert, kept out of the session (most sessions have none or one):
 * a session's alerts are a list through next. */
struct alert_rec {
    uint64_t frame;
    uint32_t next;        /* index + 1 in tls_state.alerts, 0 ends the list */
    uint8_t from;         /* enum dir */
    uint8_t level, desc;
    bool encrypted;
};

struct cert_rec {
    struct x509_info xi;
    bool parsed;
    int8_t trusted;       /* -1 unknown (no --ca-file), 0, 1 */
    bool checked[2];      /* rules run for this role (enum cert_role) */
    bool name_checked;
    char *err;            /* why the DER did not parse; NULL when it did */
    struct x509_verdict *verdict; /* why, when trusted == 0 */
    uint32_t *seen_in;    /* session indices */
    uint32_t n_seen, cap_seen, seen_dropped;
};

/*
 * One handshake. Kept small (about 110 bytes, docs/LIMITS.md) because
 * tls_sessions_max of them may live until the report: what is variable or
 * rare lives in tls_state and is referenced by index. SNI strings and
 * certificate chains are interned, so a thousand handshakes to one server
 * share one copy of each.
 */
struct tls_sess {
    char id[16];               /* "tls-N", N <= 2^32 */
    struct flow_key conn;
    uint64_t first_frame, last_frame;
    uint32_t sni;              /* strtab reference, 0 none */
    uint32_t chain[2];         /* [DIR_S2C] server's, [DIR_C2S] client's: chain reference, 0 none */
    uint32_t alert_head, alert_tail; /* index + 1 in tls_state.alerts */
    uint32_t fatal_alert;      /* index + 1 of the first clear fatal alert, 0 none */
    uint16_t client_version, version, suite;
    uint8_t n_alerts;
    uint8_t last_msg[2];       /* enum tls_ev_kind + 1 of each side's last message, 0 none */
    uint8_t close_why;         /* enum close_reason, when closed */
    uint8_t ccs, enc_hs, appdata; /* bit (1 << enum dir): that side sent it */
    bool dtls : 1, have_server_hello : 1, hello_retry : 1, cert_request : 1;
    bool client_cert_msg : 1;  /* the client sent a Certificate message */
    bool closed : 1;
    bool ended : 1;            /* end-of-session rules ran and it was streamed */
    bool reported : 1;         /* written (ndjson): at handshake end, or at its end */
    /* decryption facts (TLS_EV_KEYS .. DECRYPT_STATS); keys_seen: a key store was configured */
    bool keys_seen : 1, decrypted : 1, decrypt_failed : 1, inner_sip : 1, unsupported : 1;
    bool keys_pending : 1;     /* no keys yet, but a followed key log (live) may still bring them */
    uint8_t key_source;        /* enum key_src */
    uint8_t app_plain;         /* bit (1 << enum dir): decrypted application data from that side */
    uint32_t dec;              /* index + 1 in tls_state.decs (counts), 0 none */
    ts_ns last_time;           /* streaming: the last event, for the idle timeout */
};

/* What a key source was, in a byte. */
enum key_src { KSRC_NONE, KSRC_KEYLOG, KSRC_RSA, KSRC_RESUMED };

/* Decryption counts of a session with keys: rare, so out of line. */
struct dec_rec {
    uint64_t records, auth_failures, app_bytes, lost;
};

/* docs/LIMITS.md states what a session costs; grow it only with a reason. */
_Static_assert(sizeof(struct tls_sess) <= 128, "struct tls_sess grew past 128 bytes: update docs/LIMITS.md");

/* Interned NUL-terminated strings: a reference is offset + 1 in buf. */
struct strtab {
    char *buf;
    size_t len, cap;
    uint32_t *slots;           /* open addressing: reference, 0 empty */
    size_t n, slot_cap;
};

/* A session's finding, for the text view: findings are one global list. */
struct sess_finding_ref {
    uint32_t sess, finding;
};

/*
 * SHA-1 of recently seen certificates by their bytes. Every handshake to
 * a server carries the same chain, and hashing each certificate of each
 * handshake was the analyzer's largest cost on a TLS-heavy capture: a
 * certificate that is byte for byte one of these is named without hashing
 * it. Direct-mapped, keyed by the DER's length and last 16 bytes (the end
 * of the signature, as good as random); a slot keeps a copy of the DER to
 * compare with, so a crafted key collision only costs a hash.
 */
enum { DER_CACHE_SLOTS = 256, DER_CACHE_DER_MAX = 8192 };

struct der_cache_slot {
    uint8_t *der;         /* copy of the certificate, cap bytes allocated */
    uint32_t len, cap;
    uint8_t sha1[SHA1_LEN];
};

struct tls_state {
    struct analyze_ctx *ctx;
    struct der_cache_slot der_cache[DER_CACHE_SLOTS];
    struct tls_sess *sess;     /* in id order, also after compaction */
    size_t n_sess, cap_sess;
    uint64_t next_id;          /* sessions ever made: "tls-N" */
    size_t n_done;             /* streaming: ended sessions not compacted away yet */
    ts_ns last_scan;           /* streaming: the last idle scan */
    uint64_t sess_dropped;
    uint32_t *by_flow; /* open addressing: session index + 1, 0 empty */
    size_t flow_cap;
    struct cert_rec *certs;
    size_t n_certs, cap_certs;
    uint64_t certs_dropped;
    uint32_t *by_sha1; /* cert index + 1 */
    size_t sha1_cap;
    uint8_t *cert_sha1; /* SHA1_LEN bytes per cert, by cert index */
    size_t cap_cert_sha1;
    struct strtab sni;
    /* Chains: [count][count x SHA-1] records in chain_bytes; a reference
     * is offset + 1, interned through chain_slots. */
    uint8_t *chain_bytes;
    size_t chain_len, chain_cap;
    uint32_t *chain_slots;
    size_t n_chains, chain_slot_cap;
    struct alert_rec *alerts;
    size_t n_alerts, cap_alerts;
    struct sess_finding_ref *frefs;
    size_t n_frefs, cap_frefs;
    struct dec_rec *decs;
    size_t n_decs, cap_decs;
    void *store;       /* X509_STORE from --ca-file */
    char store_err[256];
    uint64_t seed;
    /* SIP hosts already checked against a certificate: (cert index + 1) << 32 | host ref */
    uint64_t *names_seen;
    size_t n_names_seen, names_seen_cap;
};

static bool streaming(const struct tls_state *s)
{
    return s->ctx->out && report_is_streaming(s->ctx->out);
}

/* ---- tables ---- */

/* SHA-1 digests are uniform, but chosen by whoever made the certificate:
 * the per-state seed keeps a crafted set from sharing one bucket. */
static uint64_t sha1_hash(const struct tls_state *s, const uint8_t d[SHA1_LEN])
{
    uint64_t v;
    memcpy(&v, d, sizeof v);
    return hash_mix64(v ^ s->seed);
}

static uint64_t bytes_hash(const struct tls_state *s, const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ULL ^ s->seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return hash_mix64(h);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (np == NULL)
        return false;
    memset((char *)np + *cap * elem, 0, (nc - *cap) * elem);
    *p = np;
    *cap = nc;
    return true;
}

static bool flow_index_rebuild(struct tls_state *s, size_t cap)
{
    uint32_t *t = calloc(cap, sizeof *t);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < s->n_sess; i++) {
        size_t j = flow_key_hash(&s->sess[i].conn, s->seed) & (cap - 1);
        /* one slot per 5-tuple: a later session of a reused 5-tuple takes it over */
        while (t[j] && !flow_key_eq(&s->sess[t[j] - 1].conn, &s->sess[i].conn))
            j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(s->by_flow);
    s->by_flow = t;
    s->flow_cap = cap;
    return true;
}

/* The newest session on this connection (client -> server key), or NULL:
 * the index holds one slot per 5-tuple, naming its newest session. */
static struct tls_sess *find_sess(const struct tls_state *s, const struct flow_key *k)
{
    if (s->flow_cap == 0)
        return NULL;
    size_t j = flow_key_hash(k, s->seed) & (s->flow_cap - 1);
    while (s->by_flow[j]) {
        struct tls_sess *t = &s->sess[s->by_flow[j] - 1];
        if (flow_key_eq(&t->conn, k))
            return t;
        j = (j + 1) & (s->flow_cap - 1);
    }
    return NULL;
}

static void sess_compact(struct tls_state *s);

static struct tls_sess *new_sess(struct tls_state *s, const struct ev_tls *e, const struct frame_ref *at)
{
    const struct limits *lim = s->ctx->opts->lim ? s->ctx->opts->lim : &limits_default;
    /* Streaming: compact once a quarter of the table is done (amortized O(1)). */
    if (streaming(s) && s->n_done &&
        ((s->n_sess == s->cap_sess && s->n_done * 4 >= s->n_sess) || s->n_sess >= lim->tls_sessions_max))
        sess_compact(s);
    if (s->n_sess >= lim->tls_sessions_max) {
        s->sess_dropped++;
        return NULL;
    }
    if (!grow((void **)&s->sess, &s->cap_sess, s->n_sess + 1, sizeof *s->sess))
        return NULL;
    if ((s->n_sess + 1) * 2 > s->flow_cap && !flow_index_rebuild(s, s->flow_cap ? s->flow_cap * 2 : 128))
        return NULL;
    struct tls_sess *t = &s->sess[s->n_sess];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "tls-%llu", (unsigned long long)++s->next_id);
    t->conn = e->conn;
    t->dtls = e->dtls;
    t->first_frame = e->first.frame ? e->first.frame : at->frame;
    size_t j = flow_key_hash(&t->conn, s->seed) & (s->flow_cap - 1);
    while (s->by_flow[j] && !flow_key_eq(&s->sess[s->by_flow[j] - 1].conn, &t->conn))
        j = (j + 1) & (s->flow_cap - 1);
    s->by_flow[j] = (uint32_t)s->n_sess + 1;
    s->n_sess++;
    return t;
}

static bool sha1_index_rebuild(struct tls_state *s, size_t cap)
{
    uint32_t *t = calloc(cap, sizeof *t);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < s->n_certs; i++) {
        size_t j = sha1_hash(s, s->cert_sha1 + i * SHA1_LEN) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(s->by_sha1);
    s->by_sha1 = t;
    s->sha1_cap = cap;
    return true;
}

static struct cert_rec *find_cert(const struct tls_state *s, const uint8_t sha1[SHA1_LEN])
{
    if (s->sha1_cap == 0)
        return NULL;
    size_t j = sha1_hash(s, sha1) & (s->sha1_cap - 1);
    while (s->by_sha1[j]) {
        uint32_t i = s->by_sha1[j] - 1;
        if (memcmp(s->cert_sha1 + (size_t)i * SHA1_LEN, sha1, SHA1_LEN) == 0)
            return &s->certs[i];
        j = (j + 1) & (s->sha1_cap - 1);
    }
    return NULL;
}

/* Rehash an open-addressing set of arena references into ncap slots;
 * hash_ref hashes the bytes a reference stands for. For the SNI and chain tables. */
static bool slots_rebuild(uint32_t **slots, size_t *cap, size_t ncap, const struct tls_state *s,
                          uint64_t (*hash_ref)(const struct tls_state *s, uint32_t ref))
{
    uint32_t *t = calloc(ncap, sizeof *t);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < *cap; i++) {
        if ((*slots)[i] == 0)
            continue;
        size_t j = hash_ref(s, (*slots)[i]) & (ncap - 1);
        while (t[j])
            j = (j + 1) & (ncap - 1);
        t[j] = (*slots)[i];
    }
    free(*slots);
    *slots = t;
    *cap = ncap;
    return true;
}

static uint64_t sni_hash_ref(const struct tls_state *s, uint32_t ref)
{
    const char *p = s->sni.buf + ref - 1;
    return bytes_hash(s, p, strlen(p));
}

static const char *sni_get(const struct tls_state *s, uint32_t ref)
{
    return ref ? s->sni.buf + ref - 1 : NULL;
}

/* The reference for str[0..n) (no NUL inside), added if new; 0 when out of memory. */
static uint32_t sni_intern(struct tls_state *s, const char *str, size_t n)
{
    struct strtab *t = &s->sni;
    if ((t->n + 1) * 2 > t->slot_cap &&
        !slots_rebuild(&t->slots, &t->slot_cap, t->slot_cap ? t->slot_cap * 2 : 64, s, sni_hash_ref))
        return 0;
    uint64_t h = bytes_hash(s, str, n);
    size_t j = h & (t->slot_cap - 1);
    while (t->slots[j]) {
        const char *c = t->buf + t->slots[j] - 1;
        if (strncmp(c, str, n) == 0 && c[n] == '\0')
            return t->slots[j];
        j = (j + 1) & (t->slot_cap - 1);
    }
    if (t->len + n + 1 >= UINT32_MAX || !grow((void **)&t->buf, &t->cap, t->len + n + 1, 1))
        return 0;
    uint32_t ref = (uint32_t)t->len + 1;
    memcpy(t->buf + t->len, str, n);
    t->buf[t->len + n] = '\0';
    t->len += n + 1;
    t->slots[j] = ref;
    t->n++;
    return ref;
}

static size_t chain_count(const struct tls_state *s, uint32_t ref)
{
    return ref ? s->chain_bytes[ref - 1] : 0;
}

/* The i-th certificate's SHA-1 of a chain. */
static const uint8_t *chain_sha1(const struct tls_state *s, uint32_t ref, size_t i)
{
    return s->chain_bytes + ref + i * SHA1_LEN;
}

static uint64_t chain_hash_ref(const struct tls_state *s, uint32_t ref)
{
    return bytes_hash(s, s->chain_bytes + ref - 1, 1 + chain_count(s, ref) * SHA1_LEN);
}

/* rec is [n][n x SHA-1]; returns its reference (0: out of memory). */
static uint32_t chain_intern(struct tls_state *s, const uint8_t *rec, size_t len)
{
    if ((s->n_chains + 1) * 2 > s->chain_slot_cap &&
        !slots_rebuild(&s->chain_slots, &s->chain_slot_cap, s->chain_slot_cap ? s->chain_slot_cap * 2 : 64, s,
                       chain_hash_ref))
        return 0;
    size_t j = bytes_hash(s, rec, len) & (s->chain_slot_cap - 1);
    while (s->chain_slots[j]) {
        uint32_t r = s->chain_slots[j];
        if (s->chain_bytes[r - 1] == rec[0] && memcmp(s->chain_bytes + r - 1, rec, len) == 0)
            return r;
        j = (j + 1) & (s->chain_slot_cap - 1);
    }
    if (s->chain_len + len >= UINT32_MAX || !grow((void **)&s->chain_bytes, &s->chain_cap, s->chain_len + len, 1))
        return 0;
    uint32_t ref = (uint32_t)s->chain_len + 1;
    memcpy(s->chain_bytes + s->chain_len, rec, len);
    s->chain_len += len;
    s->chain_slots[j] = ref;
    s->n_chains++;
    return ref;
}

static const struct alert_rec *alert_at(const struct tls_state *s, uint32_t ref)
{
    return ref ? &s->alerts[ref - 1] : NULL;
}

/* ---- streaming: forget what was written ---- */

/*
 * A live capture runs for hours: once written, ended sessions go, so
 * memory follows the open connections. Survivors keep their order (ids
 * ascending: tls_session_facts searches them), the flow index is refilled
 * in place, the alerts, SNI strings and chains are rebuilt from the
 * survivors, and certificates forget the sessions they were seen in
 * (indices moved; in ndjson each certificate was written already).
 */
static void alerts_compact(struct tls_state *s)
{
    if (s->n_alerts == 0)
        return;
    struct alert_rec *na = malloc(s->n_alerts * sizeof *na);
    if (na == NULL)
        return; /* keep the old array: its references stay valid */
    size_t n = 0;
    for (size_t i = 0; i < s->n_sess; i++) {
        struct tls_sess *t = &s->sess[i];
        uint32_t head = 0, tail = 0, fatal = 0;
        for (uint32_t r = t->alert_head; r; r = s->alerts[r - 1].next) {
            na[n] = s->alerts[r - 1];
            na[n].next = 0;
            if (tail)
                na[tail - 1].next = (uint32_t)n + 1;
            else
                head = (uint32_t)n + 1;
            if (r == t->fatal_alert)
                fatal = (uint32_t)n + 1;
            tail = (uint32_t)++n;
        }
        t->alert_head = head;
        t->alert_tail = tail;
        t->fatal_alert = fatal;
    }
    free(s->alerts);
    s->alerts = na;
    s->cap_alerts = s->n_alerts;
    s->n_alerts = n;
}

/* Decryption counts of the survivors only. */
static void decs_compact(struct tls_state *s)
{
    if (s->n_decs == 0)
        return;
    size_t n = 0;
    for (size_t i = 0; i < s->n_sess; i++) {
        struct tls_sess *t = &s->sess[i];
        if (t->dec == 0)
            continue;
        s->decs[n] = s->decs[t->dec - 1]; /* t->dec - 1 >= n: survivors keep their order */
        t->dec = (uint32_t)++n;
    }
    s->n_decs = n;
}

static uint32_t sni_intern(struct tls_state *s, const char *str, size_t n);
static uint32_t chain_intern(struct tls_state *s, const uint8_t *rec, size_t len);
static size_t chain_count(const struct tls_state *s, uint32_t ref);

/* The interned SNI strings and chains of the survivors only, once the
 * tables hold far more than the survivors use. */
static void interned_compact(struct tls_state *s)
{
    if (s->sni.n > 2 * s->n_sess + 64) {
        struct strtab old = s->sni;
        memset(&s->sni, 0, sizeof s->sni);
        for (size_t i = 0; i < s->n_sess; i++) {
            struct tls_sess *t = &s->sess[i];
            if (t->sni) {
                const char *str = old.buf + t->sni - 1;
                t->sni = sni_intern(s, str, strlen(str));
            }
        }
        free(old.buf);
        free(old.slots);
    }
    if (s->n_chains > 4 * s->n_sess + 64) {
        uint8_t *old = s->chain_bytes;
        uint32_t *old_slots = s->chain_slots;
        s->chain_bytes = NULL;
        s->chain_len = s->chain_cap = 0;
        s->chain_slots = NULL;
        s->n_chains = s->chain_slot_cap = 0;
        for (size_t i = 0; i < s->n_sess; i++) {
            struct tls_sess *t = &s->sess[i];
            for (int d = 0; d < 2; d++) {
                if (t->chain[d] == 0)
                    continue;
                const uint8_t *rec = old + t->chain[d] - 1;
                t->chain[d] = chain_intern(s, rec, 1 + (size_t)rec[0] * SHA1_LEN);
            }
        }
        free(old);
        free(old_slots);
    }
}

static void sess_compact(struct tls_state *s)
{
    size_t j = 0;
    for (size_t i = 0; i < s->n_sess; i++) {
        if (s->sess[i].ended)
            continue;
        if (i != j)
            s->sess[j] = s->sess[i];
        j++;
    }
    s->n_sess = j;
    s->n_done = 0;
    alerts_compact(s);
    decs_compact(s);
    interned_compact(s);
    s->n_frefs = 0; /* text view only, which does not stream */
    for (size_t i = 0; i < s->n_certs; i++)
        s->certs[i].n_seen = 0;
    if (s->flow_cap == 0)
        return;
    memset(s->by_flow, 0, s->flow_cap * sizeof *s->by_flow);
    for (size_t i = 0; i < s->n_sess; i++) {
        size_t k = flow_key_hash(&s->sess[i].conn, s->seed) & (s->flow_cap - 1);
        /* one slot per 5-tuple, naming its newest session (survivors keep id order) */
        while (s->by_flow[k] && !flow_key_eq(&s->sess[s->by_flow[k] - 1].conn, &s->sess[i].conn))
            k = (k + 1) & (s->flow_cap - 1);
        s->by_flow[k] = (uint32_t)i + 1;
    }
}

/* Streaming at certs_max: the older half is forgotten (a certificate seen
 * again after that is written again), so a capture with ever new
 * certificates keeps reporting them in bounded memory. */
static void certs_forget_oldest_half(struct tls_state *s)
{
    size_t drop = s->n_certs > 1 ? s->n_certs / 2 : s->n_certs;
    for (size_t i = 0; i < drop; i++) {
        x509_info_free(&s->certs[i].xi);
        free(s->certs[i].seen_in);
        free(s->certs[i].err);
        free(s->certs[i].verdict);
    }
    s->n_certs -= drop;
    memmove(s->certs, s->certs + drop, s->n_certs * sizeof *s->certs);
    memmove(s->cert_sha1, s->cert_sha1 + drop * SHA1_LEN, s->n_certs * SHA1_LEN);
    memset(s->by_sha1, 0, s->sha1_cap * sizeof *s->by_sha1);
    for (size_t i = 0; i < s->n_certs; i++) {
        size_t j = sha1_hash(s, s->cert_sha1 + i * SHA1_LEN) & (s->sha1_cap - 1);
        while (s->by_sha1[j])
            j = (j + 1) & (s->sha1_cap - 1);
        s->by_sha1[j] = (uint32_t)i + 1;
    }
}

static void der_sha1(struct tls_state *s, struct span der, uint8_t sha1[SHA1_LEN])
{
    if (der.n < 16 || der.n > DER_CACHE_DER_MAX) {
        x509_sha1(der.p, der.n, sha1);
        return;
    }
    uint64_t a, b;
    memcpy(&a, der.p + der.n - 16, 8);
    memcpy(&b, der.p + der.n - 8, 8);
    struct der_cache_slot *sl = &s->der_cache[hash_mix64(a ^ hash_mix64(b ^ der.n ^ s->seed)) & (DER_CACHE_SLOTS - 1)];
    if (sl->len == der.n && memcmp(sl->der, der.p, der.n) == 0) {
        memcpy(sha1, sl->sha1, SHA1_LEN);
        return;
    }
    x509_sha1(der.p, der.n, sha1);
    if (sl->cap < der.n) {
        uint8_t *nb = realloc(sl->der, der.n);
        if (nb == NULL) {
            sl->len = 0;
            return;
        }
        sl->der = nb;
        sl->cap = (uint32_t)der.n;
    }
    memcpy(sl->der, der.p, der.n);
    sl->len = (uint32_t)der.n;
    memcpy(sl->sha1, sha1, SHA1_LEN);
}

/* ---- findings bookkeeping ---- */

static void note_findings(struct tls_state *s, struct tls_sess *t, size_t before, size_t after)
{
    for (size_t i = before; i < after; i++) {
        if (!grow((void **)&s->frefs, &s->cap_frefs, s->n_frefs + 1, sizeof *s->frefs))
            return;
        s->frefs[s->n_frefs++] = (struct sess_finding_ref){ (uint32_t)(t - s->sess), (uint32_t)i };
    }
}

static void sess_finding(struct tls_state *s, struct tls_sess *t, enum finding_code code, const char *summary,
                         const char *detail, const char *cert, uint64_t frame)
{
    struct finding_spec f = {
        .code = code,
        .severity = finding_default_severity(code),
        .summary = summary,
        .detail = detail,
        .refs = { .tls_session = t->id, .certificate = cert },
    };
    if (frame)
        f.frames[f.n_frames++] = frame;
    size_t before = findings_count(s->ctx->findings);
    findings_add(s->ctx->findings, &f);
    note_findings(s, t, before, findings_count(s->ctx->findings));
}

/* ---- JSON ---- */

static void strs_json(struct jw *w, const struct x509_strs *l)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++)
        jw_str(w, l->v[i]);
    jw_arr_end(w);
}

struct cert_view {
    const struct tls_state *s;
    const struct cert_rec *c;
};

static void cert_fields(struct jw *w, const void *obj)
{
    const struct cert_view *v = obj;
    const struct cert_rec *c = v->c;
    const struct x509_info *xi = &c->xi;
    jw_kstr(w, "sha1", xi->sha1);
    jw_kstr(w, "sha256", xi->sha256);
    if (!c->parsed) {
        jw_kstr(w, "error", c->err ? c->err : "");
    } else {
        jw_kstr(w, "subject", xi->subject);
        jw_kstr(w, "issuer", xi->issuer);
        jw_kstr(w, "serial", xi->serial);
        jw_ktime(w, "not_before", xi->not_before);
        jw_ktime(w, "not_after", xi->not_after);
        jw_kstr(w, "key_algorithm", xi->key_algorithm);
        jw_kint(w, "key_bits", xi->key_bits);
        jw_kstr(w, "signature_algorithm", xi->signature_algorithm);
        jw_key(w, "eku");
        if (xi->has_eku)
            strs_json(w, &xi->eku);
        else
            jw_null(w);
        jw_key(w, "crl_distribution_points");
        strs_json(w, &xi->crl_dp);
        jw_key(w, "san");
        jw_obj_begin(w);
        jw_key(w, "dns");
        strs_json(w, &xi->san_dns);
        jw_key(w, "ip");
        strs_json(w, &xi->san_ip);
        jw_key(w, "uri");
        strs_json(w, &xi->san_uri);
        jw_obj_end(w);
        jw_kbool(w, "is_ca", xi->is_ca);
        jw_kbool(w, "self_signed", xi->self_signed);
        if (xi->self_signed)
            jw_kbool(w, "self_signature_valid", xi->self_signature_ok);
    }
    if (c->trusted < 0)
        jw_knull(w, "trusted");
    else
        jw_kbool(w, "trusted", c->trusted == 1);
    if (c->trusted == 0)
        jw_kstr(w, "untrusted_reason", c->verdict ? c->verdict->reason : "");
    jw_key(w, "seen_in");
    jw_arr_begin(w);
    for (size_t i = 0; i < c->n_seen; i++)
        jw_str(w, v->s->sess[c->seen_in[i]].id);
    jw_arr_end(w);
}

struct sess_view {
    const struct tls_state *s;
    const struct tls_sess *t;
};

static void chain_json(struct jw *w, const struct tls_state *s, uint32_t chain)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < chain_count(s, chain); i++) {
        char hexs[2 * SHA1_LEN + 1];
        x509_hex(chain_sha1(s, chain, i), SHA1_LEN, hexs);
        jw_str(w, hexs);
    }
    jw_arr_end(w);
}

static const char *version_str(uint16_t v)
{
    return tls_version_name(v);
}

static bool sess_established(const struct tls_sess *t)
{
    if (t->fatal_alert)
        return false;
    if (t->version == TLS_V_TLS13)
        return t->have_server_hello && ((t->appdata | t->enc_hs) & (1 << DIR_C2S));
    return t->ccs == ((1 << DIR_C2S) | (1 << DIR_S2C));
}

/*
 * A followed key log (live) may get a session's secrets after its handshake went by (a client
 * logs them as its key schedule runs): its line waits for the second keys event, at the client's
 * first protected data (dissect/tls_decrypt.c), so it says whether they came. Its end reports
 * it anyway.
 */
static bool late_keys_may_come(const struct tls_sess *t)
{
    return t->keys_pending;
}

static void sess_fields(struct jw *w, const void *obj)
{
    const struct sess_view *v = obj;
    const struct tls_sess *t = v->t;
    jw_kstr(w, "id", t->id);
    jw_key(w, "client");
    jw_endpoint(w, &t->conn.src, t->conn.sport);
    jw_key(w, "server");
    jw_endpoint(w, &t->conn.dst, t->conn.dport);
    jw_kstr(w, "transport", t->dtls ? "udp" : "tcp");
    jw_kuint(w, "first_frame", t->first_frame);
    jw_kstr(w, "sni", sni_get(v->s, t->sni));
    jw_kstr(w, "version", version_str(t->have_server_hello ? t->version : t->client_version));
    jw_kbool(w, "version_negotiated", t->have_server_hello);
    const char *suite = t->have_server_hello ? tls_cipher_suite_name(t->suite) : NULL;
    char hexsuite[16];
    if (t->have_server_hello && suite == NULL) {
        snprintf(hexsuite, sizeof hexsuite, "0x%04X", t->suite);
        suite = hexsuite;
    }
    jw_kstr(w, "cipher_suite", suite);
    jw_kbool(w, "certificate_request", t->cert_request);
    jw_key(w, "server_certificates");
    chain_json(w, v->s, t->chain[DIR_S2C]);
    jw_key(w, "client_certificates");
    chain_json(w, v->s, t->chain[DIR_C2S]);
    jw_key(w, "client_certificate_sent");
    if (t->client_cert_msg)
        jw_bool(w, chain_count(v->s, t->chain[DIR_C2S]) > 0);
    else if (t->version == TLS_V_TLS13 && !t->decrypted)
        jw_null(w); /* the client's Certificate is encrypted in 1.3 */
    else
        jw_bool(w, false);
    jw_key(w, "alerts");
    jw_arr_begin(w);
    for (const struct alert_rec *a = alert_at(v->s, t->alert_head); a; a = alert_at(v->s, a->next)) {
        jw_obj_begin(w);
        jw_kstr(w, "from", a->from == DIR_C2S ? "client" : "server");
        if (a->encrypted) {
            jw_knull(w, "level");
            jw_kstr(w, "description", "encrypted_alert");
        } else {
            jw_kstr(w, "level", a->level == 2 ? "fatal" : a->level == 1 ? "warning" : "unknown");
            const char *name = tls_alert_name(a->desc);
            char num[8];
            if (name == NULL) {
                snprintf(num, sizeof num, "%u", a->desc);
                name = num;
            }
            jw_kstr(w, "description", name);
        }
        jw_kuint(w, "frame", a->frame);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kbool(w, "established", sess_established(t));
    jw_kbool(w, "decrypted", t->decrypted);
    if (t->keys_seen) {
        static const char *const src_names[] = { NULL, "keylog", "rsa_key", "resumed" };
        const struct dec_rec *d = t->dec ? &v->s->decs[t->dec - 1] : NULL;
        jw_key(w, "decryption");
        jw_obj_begin(w);
        jw_kstr(w, "keys", t->key_source < 4 ? src_names[t->key_source] : NULL);
        jw_kuint(w, "records", d ? d->records : 0);
        jw_kuint(w, "auth_failures", d ? d->auth_failures : 0);
        jw_kuint(w, "app_bytes", d ? d->app_bytes : 0);
        jw_kuint(w, "records_lost", d ? d->lost : 0);
        jw_kstr(w, "inner_protocol", t->inner_sip ? "sip" : NULL);
        if (t->unsupported)
            jw_kbool(w, "unsupported_cipher", true);
        jw_obj_end(w);
    }
    if (t->closed)
        jw_kstr(w, "closed_by", close_reason_name((enum close_reason)t->close_why));
}

/* ---- events ---- */

static void on_certificate(struct tls_state *s, struct tls_sess *t, const struct ev_tls *e, const struct event *ev)
{
    bool server = e->from == DIR_S2C;
    const struct limits *lim = s->ctx->opts->lim ? s->ctx->opts->lim : &limits_default;
    ts_ns ref = s->ctx->opts->has_now ? s->ctx->opts->now : ev->at.ts;
    if (!server)
        t->client_cert_msg = true;
    /* The chain as sent, [n][n x SHA-1]: a later Certificate from the same side replaces it. */
    uint8_t rec[1 + SESS_CERTS_MAX * SHA1_LEN];
    rec[0] = 0;
    /* who presented the chain, for findings' summaries: formatted only when a rule runs */
    char sess_peer[ENDPOINT_STR_MAX] = "";

    for (size_t i = 0; i < e->n_certs; i++) {
        uint8_t sha1[SHA1_LEN];
        der_sha1(s, e->certs[i], sha1);
        if (rec[0] < SESS_CERTS_MAX)
            memcpy(rec + 1 + SHA1_LEN * rec[0]++, sha1, SHA1_LEN);
        struct cert_rec *c = find_cert(s, sha1);
        bool is_new = false;
        if (c == NULL) {
            if (s->n_certs >= lim->certs_max && streaming(s))
                certs_forget_oldest_half(s);
            if (s->n_certs >= lim->certs_max) {
                s->certs_dropped++;
                continue;
            }
            if (!grow((void **)&s->certs, &s->cap_certs, s->n_certs + 1, sizeof *s->certs))
                continue;
            if (!grow((void **)&s->cert_sha1, &s->cap_cert_sha1, (s->n_certs + 1) * SHA1_LEN, 1))
                continue;
            if ((s->n_certs + 1) * 2 > s->sha1_cap && !sha1_index_rebuild(s, s->sha1_cap ? s->sha1_cap * 2 : 128))
                continue;
            c = &s->certs[s->n_certs];
            memset(c, 0, sizeof *c);
            char err[160];
            c->parsed = x509_parse(e->certs[i].p, e->certs[i].n, &c->xi, err, sizeof err);
            if (!c->parsed)
                c->err = strdup(err);
            x509_hex(sha1, SHA1_LEN, c->xi.sha1); /* same digest; set even if OpenSSL refused it */
            memcpy(s->cert_sha1 + s->n_certs * SHA1_LEN, sha1, SHA1_LEN);
            c->trusted = -1;
            size_t j = sha1_hash(s, sha1) & (s->sha1_cap - 1);
            while (s->by_sha1[j])
                j = (j + 1) & (s->sha1_cap - 1);
            s->by_sha1[j] = (uint32_t)s->n_certs + 1;
            s->n_certs++;
            is_new = true;
            if (s->store && c->parsed) {
                struct x509_verdict v;
                bool ok = x509_verify_chain(s->store, &e->certs[i], e->n_certs - i, ref, &v);
                c->trusted = ok ? 1 : 0;
                if (!ok && (c->verdict = malloc(sizeof *c->verdict)) != NULL)
                    *c->verdict = v;
            }
        }
        uint32_t si = (uint32_t)(t - s->sess);
        if (c->n_seen == 0 || c->seen_in[c->n_seen - 1] != si) {
            size_t cap = c->cap_seen;
            if (c->n_seen < SEEN_IN_MAX && grow((void **)&c->seen_in, &cap, c->n_seen + 1, sizeof *c->seen_in)) {
                c->cap_seen = (uint32_t)cap;
                c->seen_in[c->n_seen++] = si;
            } else {
                c->seen_dropped++;
            }
        }

        if (is_new) {
            struct cert_view cv = { s, c };
            report_stream_object(s->ctx->out, "certificate", cert_fields, &cv);
        }
        size_t before = findings_count(s->ctx->findings);
        if (!c->parsed) {
            if (is_new)
                cert_rules_malformed(c->xi.sha1, c->err ? c->err : "", t->id, ev->at.frame, s->ctx->findings);
        } else {
            struct cert_check chk = {
                .xi = &c->xi,
                .role = server ? CERT_ROLE_SERVER : CERT_ROLE_CLIENT,
                .leaf = i == 0,
                .profile = s->ctx->opts->profile,
                .ref_time = ref,
                .tls_session = t->id,
                .peer = sess_peer,
                .frame = ev->at.frame,
            };
            bool name_check = server && i == 0 && t->sni && !c->name_checked;
            if ((!c->checked[chk.role] || name_check) && sess_peer[0] == '\0') {
                if (server)
                    endpoint_format(&t->conn.dst, t->conn.dport, sess_peer);
                else
                    endpoint_format(&t->conn.src, t->conn.sport, sess_peer);
            }
            if (!c->checked[chk.role]) {
                c->checked[chk.role] = true;
                cert_rules_check(&chk, s->ctx->findings);
                if (i == 0 && c->trusted == 0 && c->verdict)
                    cert_rules_untrusted(&chk, c->verdict, s->ctx->findings);
            }
            if (name_check) {
                c->name_checked = true;
                struct cert_name_use use = { .host = sni_get(s, t->sni), .from = CERT_NAME_SNI };
                cert_rules_name(&chk, &use, s->ctx->findings);
            }
        }
        note_findings(s, t, before, findings_count(s->ctx->findings));
    }
    uint32_t chain = chain_intern(s, rec, 1 + (size_t)rec[0] * SHA1_LEN);
    t->chain[server ? DIR_S2C : DIR_C2S] = rec[0] ? chain : 0;
}

static const char *alert_desc_name(uint8_t d, char buf[8])
{
    const char *n = tls_alert_name(d);
    if (n)
        return n;
    snprintf(buf, 8, "%u", d);
    return buf;
}

static void on_alert(struct tls_state *s, struct tls_sess *t, const struct ev_tls *e, const struct event *ev)
{
    bool listed = t->n_alerts < SESS_ALERTS_MAX;
    /* A decrypted TLS 1.3 alert before the server sent application data
     * still ends the handshake: the client's Finished went first (e.g. a
     * server refusing the client certificate). */
    bool in_handshake = !sess_established(t) ||
                        (e->decrypted && t->version == TLS_V_TLS13 && !(t->app_plain & (1 << DIR_S2C)));
    bool fatal = !e->alert_encrypted && e->alert_level == 2 && in_handshake && !t->fatal_alert;
    if (!listed && !fatal)
        return;
    /* A fatal alert past the listed ones is kept unlisted: the findings name it. */
    if (s->n_alerts >= UINT32_MAX || !grow((void **)&s->alerts, &s->cap_alerts, s->n_alerts + 1, sizeof *s->alerts))
        return;
    struct alert_rec *a = &s->alerts[s->n_alerts++];
    uint32_t ref = (uint32_t)s->n_alerts;
    *a = (struct alert_rec){ .frame = ev->at.frame, .from = (uint8_t)e->from, .level = e->alert_level,
                             .desc = e->alert_desc, .encrypted = e->alert_encrypted };
    if (listed) {
        if (t->alert_tail)
            s->alerts[t->alert_tail - 1].next = ref;
        else
            t->alert_head = ref;
        t->alert_tail = ref;
        t->n_alerts++;
    }
    if (!fatal)
        return;
    t->fatal_alert = ref;
    char ep[ENDPOINT_STR_MAX], buf[8], summary[512], detail[1024];
    if (e->from == DIR_C2S)
        endpoint_format(&t->conn.src, t->conn.sport, ep);
    else
        endpoint_format(&t->conn.dst, t->conn.dport, ep);
    const char *name = alert_desc_name(e->alert_desc, buf);
    const char *hint = "";
    switch (e->alert_desc) {
    case 42: case 43: case 46: case 48:
        hint = " The sender did not accept the certificate its peer presented: check that peer's chain, "
               "its EKU (serverAuth for servers, clientAuth for clients) and that the sender trusts its root CA.";
        break;
    case 45:
        hint = " The sender saw an expired certificate from its peer: renew it.";
        break;
    case 116: case 41:
        hint = " The server required a client certificate and the client sent none: install a client "
               "certificate with the Client Authentication EKU on the client.";
        break;
    case 40: case 70: case 71:
        hint = " The two ends share no protocol version or cipher suite: align their TLS settings.";
        break;
    default:
        break;
    }
    snprintf(summary, sizeof summary, "The %s (%s) ended the TLS handshake with fatal alert %s",
             e->from == DIR_C2S ? "client" : "server", ep, name);
    snprintf(detail, sizeof detail, "Alert %s (%u) was sent %s before the handshake completed.%s", name,
             e->alert_desc, e->decrypted ? "encrypted (read with the session's keys)" : "in clear", hint);
    sess_finding(s, t, F_TLS_HANDSHAKE_ALERT, summary, detail, NULL, ev->at.frame);
}

static void on_client_certificate_check(struct tls_state *s, struct tls_sess *t, const struct event *ev)
{
    if (!t->cert_request || chain_count(s, t->chain[DIR_C2S]) > 0)
        return;
    char cl[ENDPOINT_STR_MAX], sv[ENDPOINT_STR_MAX], summary[512];
    endpoint_format(&t->conn.src, t->conn.sport, cl);
    endpoint_format(&t->conn.dst, t->conn.dport, sv);
    snprintf(summary, sizeof summary,
             "Install a client certificate on %s: the server %s asked for one and it sent none", cl, sv);
    sess_finding(s, t, F_TLS_CLIENT_CERT_NOT_SENT, summary,
                 "The server sent CertificateRequest (mutual TLS) and the client answered with an empty "
                 "Certificate message. Exchange UM and OCS require mutual TLS on 5061: the client needs a "
                 "certificate with the Client Authentication EKU, issued by a CA the server trusts (the "
                 "CertificateRequest lists the CA names the server accepts).",
                 NULL, ev->at.frame);
}

static void on_decrypt_failed(struct tls_state *s, struct tls_sess *t, const struct ev_tls *e,
                              const struct event *ev)
{
    if (t->decrypt_failed)
        return;
    t->decrypt_failed = true;
    char ep[ENDPOINT_STR_MAX], summary[512];
    if (e->from == DIR_C2S)
        endpoint_format(&t->conn.src, t->conn.sport, ep);
    else
        endpoint_format(&t->conn.dst, t->conn.dport, ep);
    snprintf(summary, sizeof summary,
             "Records from the %s (%s) do not decrypt with the keys given for this session: check that the "
             "key log or RSA key belongs to this capture", e->from == DIR_C2S ? "client" : "server", ep);
    sess_finding(s, t, F_TLS_DECRYPT_FAILED, summary,
                 "A key was found for this session (by its ClientHello random, or an RSA key for the server), but "
                 "a record's authentication tag or MAC did not verify with it: the key log was written for "
                 "another run, was edited, or the RSA key is not the server's. Records that fail stay opaque and "
                 "are counted in the session's decryption.auth_failures.",
                 NULL, ev->at.frame);
}

static void on_decrypt_stats(struct tls_state *s, struct tls_sess *t, const struct ev_tls *e)
{
    if (e->records_decrypted)
        t->decrypted = true;
    if (t->dec == 0) {
        if (s->n_decs >= UINT32_MAX || !grow((void **)&s->decs, &s->cap_decs, s->n_decs + 1, sizeof *s->decs))
            return;
        t->dec = (uint32_t)++s->n_decs;
    }
    struct dec_rec *d = &s->decs[t->dec - 1];
    d->records = e->records_decrypted;
    d->auth_failures = e->auth_failures;
    d->app_bytes = e->app_bytes;
    d->lost = e->records_lost;
}

static bool sip_port(const struct tls_state *s, uint16_t p)
{
    if (p == 5061 || p == 5060)
        return true;
    const struct analyze_opts *o = s->ctx->opts;
    for (size_t i = 0; i < o->n_sip_ports; i++)
        if (o->sip_ports[i] == p)
            return true;
    return false;
}

static const char *last_msg_name(const struct tls_sess *t, enum dir d);

/* Written once: in ndjson when the handshake completes (a SIP trunk may
 * stay up for hours), else when the session ends. */
static void sess_report(struct tls_state *s, struct tls_sess *t)
{
    if (t->reported)
        return;
    t->reported = true;
    struct sess_view v = { s, t };
    report_stream_object(s->ctx->out, "tls_session", sess_fields, &v);
}

static void sess_end(struct tls_state *s, struct tls_sess *t)
{
    if (t->ended)
        return;
    t->ended = true;
    s->n_done++;
    if (!sess_established(t) && !t->dtls && (sip_port(s, t->conn.dport) || sip_port(s, t->conn.sport)) &&
        !(t->version == TLS_V_TLS13 && t->have_server_hello && !t->decrypted)) {
        char cl[ENDPOINT_STR_MAX], sv[ENDPOINT_STR_MAX], why[512], summary[768], buf[8];
        endpoint_format(&t->conn.src, t->conn.sport, cl);
        endpoint_format(&t->conn.dst, t->conn.dport, sv);
        uint64_t frame = t->last_frame;
        if (t->fatal_alert) {
            const struct alert_rec *a = alert_at(s, t->fatal_alert);
            snprintf(why, sizeof why, "the %s sent fatal alert %s", a->from == DIR_C2S ? "client" : "server",
                     alert_desc_name(a->desc, buf));
            frame = a->frame;
        } else if (t->cert_request && t->client_cert_msg && chain_count(s, t->chain[DIR_C2S]) == 0) {
            snprintf(why, sizeof why, "the server required a client certificate and the client sent none");
        } else if (t->closed && t->close_why == CLOSE_RST) {
            snprintf(why, sizeof why, "the connection was reset after the %s's %s",
                     t->last_msg[DIR_S2C] && !t->last_msg[DIR_C2S] ? "server" : "last",
                     t->last_msg[DIR_C2S] || t->last_msg[DIR_S2C] ? "message" : "connect");
        } else if (!t->closed) {
            snprintf(why, sizeof why, "the capture ended before the handshake completed");
        } else {
            snprintf(why, sizeof why, "the connection closed (%s) after the client's %s and the server's %s",
                     close_reason_name((enum close_reason)t->close_why), last_msg_name(t, DIR_C2S),
                     last_msg_name(t, DIR_S2C));
        }
        snprintf(summary, sizeof summary,
                 "SIP signaling never started between %s and %s: the TLS handshake failed (%s)", cl, sv, why);
        sess_finding(s, t, F_TLS_SIP_NEVER_STARTED, summary,
                     "SIP over TLS starts only after the handshake completes, so SIP-centric tools never show "
                     "a call that died here. Fix the cause named above (certificates, EKU, trust, mutual TLS "
                     "settings) on the side that failed the handshake.",
                     NULL, frame);
    }
    sess_report(s, t);
}

static const char *msg_name(enum tls_ev_kind k)
{
    switch (k) {
    case TLS_EV_CLIENT_HELLO: return "ClientHello";
    case TLS_EV_SERVER_HELLO: return "ServerHello";
    case TLS_EV_CERTIFICATE: return "Certificate";
    case TLS_EV_CERTIFICATE_REQUEST: return "CertificateRequest";
    case TLS_EV_SERVER_HELLO_DONE: return "ServerHelloDone";
    case TLS_EV_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case TLS_EV_CHANGE_CIPHER_SPEC: return "ChangeCipherSpec";
    case TLS_EV_ALERT: return "Alert";
    case TLS_EV_ENCRYPTED_HANDSHAKE: return "Finished";
    case TLS_EV_APPLICATION_DATA: return "application data";
    case TLS_EV_CLOSE: return "close";
    case TLS_EV_KEYS: return "keys";
    case TLS_EV_FINISHED: return "Finished";
    case TLS_EV_DECRYPT_FAILED: return "undecryptable record";
    case TLS_EV_DECRYPT_STATS: return "close";
    }
    return "?";
}

static const char *last_msg_name(const struct tls_sess *t, enum dir d)
{
    return t->last_msg[d] ? msg_name((enum tls_ev_kind)(t->last_msg[d] - 1)) : "nothing";
}

void tls_state_event(struct tls_state *s, const struct event *ev)
{
    if (s == NULL || ev->kind != EV_TLS)
        return;
    const struct ev_tls *e = ev->body;
    struct tls_sess *t = find_sess(s, &e->conn);
    struct ev_tls flipped;
    if (e->dtls && (t == NULL || t->ended)) {
        /* DTLS events guess their direction datagram by datagram; a
         * session on the reversed 5-tuple settles it. */
        struct flow_key rev = flow_key_reverse(&e->conn);
        struct tls_sess *r = find_sess(s, &rev);
        if (r && !r->ended) {
            flipped = *e;
            flipped.conn = rev;
            flipped.from = e->from == DIR_C2S ? DIR_S2C : DIR_C2S;
            e = &flipped;
            t = r;
        }
    }
    if (e->kind == TLS_EV_CLOSE) {
        if (t && !t->ended) {
            t->closed = true;
            t->close_why = (uint8_t)e->close_why;
            sess_end(s, t);
        }
        return;
    }
    /* A new ClientHello on a finished session of a reused 5-tuple (or a
     * DTLS retransmission-free restart) starts a new session. */
    /* A decrypted hello is a renegotiation inside the same connection. */
    if (t && !t->ended && e->decrypted && (e->kind == TLS_EV_CLIENT_HELLO || e->kind == TLS_EV_SERVER_HELLO)) {
        t->decrypted = true;
        return;
    }
    if (t == NULL || t->ended || (e->kind == TLS_EV_CLIENT_HELLO && t->have_server_hello && !e->dtls)) {
        /* A stray DTLS datagram (retransmitted Finished, alert) is no session. */
        if (e->dtls && e->kind != TLS_EV_CLIENT_HELLO && e->kind != TLS_EV_SERVER_HELLO)
            return;
        if (t && !t->ended)
            sess_end(s, t);
        t = new_sess(s, e, &ev->at);
        if (t == NULL)
            return;
    }
    if (ev->at.frame)
        t->last_frame = ev->at.frame;
    if (ev->at.ts) /* closes and decryption counts carry no time */
        t->last_time = ev->at.ts;
    if (e->kind != TLS_EV_ALERT && e->kind != TLS_EV_KEYS && e->kind != TLS_EV_DECRYPT_STATS &&
        e->kind != TLS_EV_DECRYPT_FAILED)
        t->last_msg[e->from] = (uint8_t)(e->kind + 1);
    if (e->decrypted)
        t->decrypted = true;
    switch (e->kind) {
    case TLS_EV_CLIENT_HELLO:
        t->client_version = e->version;
        if (e->sni.n && t->sni == 0) {
            char sni[SNI_MAX + 1];
            size_t n = e->sni.n > SNI_MAX ? SNI_MAX : e->sni.n;
            for (size_t i = 0; i < n; i++) {
                uint8_t ch = e->sni.p[i];
                sni[i] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
            }
            t->sni = sni_intern(s, sni, n);
        }
        break;
    case TLS_EV_SERVER_HELLO:
        if (e->hello_retry) {
            t->hello_retry = true;
            break;
        }
        t->have_server_hello = true;
        t->version = e->version;
        t->suite = e->cipher_suite;
        break;
    case TLS_EV_CERTIFICATE:
        on_certificate(s, t, e, ev);
        if (e->from == DIR_C2S)
            on_client_certificate_check(s, t, ev);
        break;
    case TLS_EV_CERTIFICATE_REQUEST:
        t->cert_request = true;
        break;
    case TLS_EV_CHANGE_CIPHER_SPEC:
        if (t->version != TLS_V_TLS13)
            t->ccs |= (uint8_t)(1 << e->from);
        break;
    case TLS_EV_ALERT:
        on_alert(s, t, e, ev);
        break;
    case TLS_EV_ENCRYPTED_HANDSHAKE:
        t->enc_hs |= (uint8_t)(1 << e->from);
        break;
    case TLS_EV_APPLICATION_DATA:
        t->appdata |= (uint8_t)(1 << e->from);
        if (e->decrypted) {
            t->app_plain |= (uint8_t)(1 << e->from);
            if (e->inner_protocol)
                t->inner_sip = true;
        }
        break;
    case TLS_EV_KEYS:
        t->keys_seen = true;
        t->keys_pending = e->keys_followed;
        t->unsupported = e->unsupported_cipher;
        t->key_source = !e->key_source                        ? KSRC_NONE
                        : strcmp(e->key_source, "keylog") == 0  ? KSRC_KEYLOG
                        : strcmp(e->key_source, "rsa_key") == 0 ? KSRC_RSA
                                                                : KSRC_RESUMED;
        break;
    case TLS_EV_FINISHED:
        t->enc_hs |= (uint8_t)(1 << e->from);
        break;
    case TLS_EV_DECRYPT_FAILED:
        on_decrypt_failed(s, t, e, ev);
        break;
    case TLS_EV_DECRYPT_STATS:
        on_decrypt_stats(s, t, e);
        break;
    default:
        break;
    }
    if (!t->reported && streaming(s) && sess_established(t) && !late_keys_may_come(t))
        sess_report(s, t);
}

/* ---- the SIP hosts a TLS connection serves (decrypted SIP) ---- */

enum { NAMES_SEEN_MAX = 1 << 16 }; /* (certificate, host) pairs checked; more are not */

/* Adds the pair; false when it was there already or the set is full. */
static bool name_seen_add(struct tls_state *s, uint32_t cert, uint32_t host)
{
    uint64_t key = (uint64_t)(cert + 1) << 32 | host;
    if (s->n_names_seen >= NAMES_SEEN_MAX)
        return false;
    if ((s->n_names_seen + 1) * 2 > s->names_seen_cap) {
        size_t nc = s->names_seen_cap ? s->names_seen_cap * 2 : 256;
        uint64_t *t = calloc(nc, sizeof *t);
        if (t == NULL)
            return false;
        for (size_t i = 0; i < s->names_seen_cap; i++) {
            if (s->names_seen[i] == 0)
                continue;
            size_t j = hash_mix64(s->names_seen[i] ^ s->seed) & (nc - 1);
            while (t[j])
                j = (j + 1) & (nc - 1);
            t[j] = s->names_seen[i];
        }
        free(s->names_seen);
        s->names_seen = t;
        s->names_seen_cap = nc;
    }
    size_t j = hash_mix64(key ^ s->seed) & (s->names_seen_cap - 1);
    while (s->names_seen[j]) {
        if (s->names_seen[j] == key)
            return false;
        j = (j + 1) & (s->names_seen_cap - 1);
    }
    s->names_seen[j] = key;
    s->n_names_seen++;
    return true;
}

/*
 * CERT_NAME_MISMATCH against a host a SIP message names: whose is the side
 * whose certificate must carry it (DIR_S2C: the server's chain). IP literals
 * ("[v6]" too) are compared in canonical form with the SAN IP entries.
 */
static void check_sip_host(struct tls_state *s, struct tls_sess *t, enum dir whose, struct sip_str h,
                           enum cert_name_from from, const char *message, const struct event *ev)
{
    if (h.n == 0 || chain_count(s, t->chain[whose]) == 0)
        return;
    char name[256];
    const char *host = h.p;
    size_t n = h.n;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof name)
        return;
    memcpy(name, host, n);
    name[n] = '\0';
    struct ip_addr ip;
    if (ip_addr_parse(name, &ip)) {
        char canon[IP_ADDR_STR_MAX];
        ip_addr_format(&ip, canon);
        snprintf(name, sizeof name, "%s", canon);
    }
    /* the SNI check covered the server's name already */
    if (whose == DIR_S2C && t->sni && strcasecmp(sni_get(s, t->sni), name) == 0)
        return;
    struct cert_rec *c = find_cert(s, chain_sha1(s, t->chain[whose], 0));
    if (c == NULL || !c->parsed)
        return;
    uint32_t ref = sni_intern(s, name, strlen(name));
    if (ref == 0 || !name_seen_add(s, (uint32_t)(c - s->certs), ref))
        return;
    char peer[ENDPOINT_STR_MAX];
    if (whose == DIR_S2C)
        endpoint_format(&t->conn.dst, t->conn.dport, peer);
    else
        endpoint_format(&t->conn.src, t->conn.sport, peer);
    struct cert_check chk = {
        .xi = &c->xi,
        .role = whose == DIR_S2C ? CERT_ROLE_SERVER : CERT_ROLE_CLIENT,
        .leaf = true,
        .profile = s->ctx->opts->profile,
        .ref_time = s->ctx->opts->has_now ? s->ctx->opts->now : ev->at.ts,
        .tls_session = t->id,
        .peer = peer,
        .frame = ev->at.frame,
    };
    size_t before = findings_count(s->ctx->findings);
    struct cert_name_use use = { .host = name, .from = from, .message = message };
    cert_rules_name(&chk, &use, s->ctx->findings);
    note_findings(s, t, before, findings_count(s->ctx->findings));
}

void tls_state_sip(struct tls_state *s, const struct event *ev)
{
    if (s == NULL || ev->kind != EV_SIP || ev->flow == NULL)
        return;
    const struct ev_sip *m = ev->body;
    if (m->transport != SIP_TR_TLS)
        return;
    enum dir from = DIR_C2S;
    struct tls_sess *t = find_sess(s, ev->flow);
    if (t == NULL) {
        struct flow_key r = flow_key_reverse(ev->flow);
        t = find_sess(s, &r);
        from = DIR_S2C;
    }
    if (t == NULL)
        return;
    /* chain[DIR_S2C] is the server's, chain[DIR_C2S] the client's */
    enum dir sender = from == DIR_C2S ? DIR_C2S : DIR_S2C, receiver = from == DIR_C2S ? DIR_S2C : DIR_C2S;
    char msg[64];
    if (m->is_request)
        snprintf(msg, sizeof msg, "%.*s", m->method.n < 40 ? (int)m->method.n : 40, m->method.p);
    else
        snprintf(msg, sizeof msg, "%d response to %.*s", m->status,
                 m->cseq_method.n < 40 ? (int)m->cseq_method.n : 40, m->cseq_method.p);
    if (m->is_request) {
        /* The receiver is the next hop: the topmost Route when it is a loose route (the
         * Request-URI then names the final target), else the Request-URI (RFC 3261 16.12). */
        if (m->route_host.n)
            check_sip_host(s, t, receiver, m->route_host, CERT_NAME_ROUTE, msg, ev);
        else
            check_sip_host(s, t, receiver, m->request_uri_host, CERT_NAME_REQUEST_URI, msg, ev);
        check_sip_host(s, t, sender, m->via_host, CERT_NAME_VIA, msg, ev);
        /* The topmost Record-Route of a request is the last proxy that record-routed: on the hop
         * from it, the sender. A response's topmost entry is the proxy nearest the UAS, which on
         * the UAC's side of a proxy is neither end of this hop: not checked. */
        check_sip_host(s, t, sender, m->record_route_host, CERT_NAME_RECORD_ROUTE, msg, ev);
    }
    /* a REGISTER response lists the registered bindings, not the responder */
    if (m->is_request || !(m->cseq_method.n == 8 && strncasecmp(m->cseq_method.p, "REGISTER", 8) == 0))
        check_sip_host(s, t, sender, m->contact_host, CERT_NAME_CONTACT, msg, ev);
}

/* ---- lifecycle and report ---- */

struct tls_state *tls_state_new(struct analyze_ctx *ctx)
{
    struct tls_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    /* From the state's address (ASLR): certificates and names are chosen by
     * the sender, so a fixed seed would let them pick buckets. */
    s->seed = hash_mix64((uint64_t)(uintptr_t)s ^ 0x7ad5e55a1b2c3d4eULL);
    if (ctx->opts && ctx->opts->ca_file) {
        s->store = x509_store_load(ctx->opts->ca_file, s->store_err, sizeof s->store_err);
        if (s->store == NULL)
            fprintf(stderr, "sipsec: --ca-file %s\n", s->store_err);
    }
    return s;
}

void tls_state_finish(struct tls_state *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_sess; i++)
        sess_end(s, &s->sess[i]);
    if (s->sess_dropped || s->certs_dropped) {
        char summary[256];
        snprintf(summary, sizeof summary,
                 "tls: %llu TLS sessions and %llu certificates over the configured limits were not analyzed",
                 (unsigned long long)s->sess_dropped, (unsigned long long)s->certs_dropped);
        struct finding_spec f = {
            .code = F_LIMIT_REACHED,
            .severity = finding_default_severity(F_LIMIT_REACHED),
            .summary = summary,
            .detail = "A safety cap (docs/LIMITS.md: tls_sessions_max, certs_max) was reached; split the "
                      "capture or raise the limit.",
        };
        findings_add(s->ctx->findings, &f);
    }
}

void tls_state_tick(struct tls_state *s, ts_ns now)
{
    if (s == NULL || !streaming(s) || now - s->last_scan < 1000000000LL)
        return;
    s->last_scan = now;
    /* TCP sessions end when the flow table closes their connection
     * (tcp_idle_ms at the latest); DTLS has no close, so idleness ends it.
     * Twice the TCP timeout is a safety net for a close never seen. */
    const struct limits *lim = s->ctx->opts->lim ? s->ctx->opts->lim : &limits_default;
    ts_ns udp_idle = (ts_ns)lim->udp_idle_ms * 1000000, tcp_idle = 2 * (ts_ns)lim->tcp_idle_ms * 1000000;
    for (size_t i = 0; i < s->n_sess; i++) {
        struct tls_sess *t = &s->sess[i];
        if (!t->ended && now - t->last_time > (t->dtls ? udp_idle : tcp_idle))
            sess_end(s, t);
    }
    if (s->n_done && s->n_done * 4 >= s->n_sess)
        sess_compact(s);
}

void tls_write_sessions_json(struct tls_state *s, struct jw *w)
{
    jw_arr_begin(w);
    for (size_t i = 0; s && i < s->n_sess; i++) {
        struct sess_view v = { s, &s->sess[i] };
        jw_obj_begin(w);
        sess_fields(w, &v);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void tls_write_certificates_json(struct tls_state *s, struct jw *w)
{
    jw_arr_begin(w);
    for (size_t i = 0; s && i < s->n_certs; i++) {
        struct cert_view v = { s, &s->certs[i] };
        jw_obj_begin(w);
        cert_fields(w, &v);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void chain_text(const struct tls_state *s, FILE *out, const char *label, uint32_t chain)
{
    for (size_t i = 0; i < chain_count(s, chain); i++) {
        const struct cert_rec *c = find_cert(s, chain_sha1(s, chain, i));
        fprintf(out, "    %s[%zu] ", label, i);
        if (c == NULL || !c->parsed) {
            char hexs[2 * SHA1_LEN + 1];
            x509_hex(chain_sha1(s, chain, i), SHA1_LEN, hexs);
            fprintf(out, "sha1 %s (%s)\n", hexs, c ? c->err : "not analyzed");
            continue;
        }
        const struct x509_info *xi = &c->xi;
        char na[ISO_TIME_MAX];
        ts_format_iso(xi->not_after, na);
        fprintf(out, "%s | issuer %s | %s %d | EKU ", xi->subject, xi->issuer, xi->key_algorithm, xi->key_bits);
        if (!xi->has_eku)
            fputs("none", out);
        for (size_t k = 0; k < xi->eku.n; k++)
            fprintf(out, "%s%s", k ? "," : "", xi->eku.v[k]);
        fprintf(out, " | CRL DP %s | until %.10s%s%s | sha1 %s\n", xi->crl_dp.n ? "yes" : "no", na,
                xi->self_signed ? " | self-signed" : "", c->trusted == 1 ? " | trusted" : c->trusted == 0 ? " | UNTRUSTED" : "",
                xi->sha1);
    }
}

/* "server [1]": where the certificate with this SHA-1 hex sits in the session's chains. */
static bool chain_position(const struct tls_state *s, const struct tls_sess *t, const char *sha1, char *out,
                           size_t cap)
{
    static const enum dir sides[] = { DIR_S2C, DIR_C2S };
    for (size_t d = 0; d < 2; d++) {
        uint32_t chain = t->chain[sides[d]];
        for (size_t i = 0; i < chain_count(s, chain); i++) {
            char hexs[2 * SHA1_LEN + 1];
            x509_hex(chain_sha1(s, chain, i), SHA1_LEN, hexs);
            if (strcmp(hexs, sha1) == 0) {
                snprintf(out, cap, "%s [%zu]", sides[d] == DIR_S2C ? "server" : "client", i);
                return true;
            }
        }
    }
    return false;
}

/* Values grouped by key (a counting sort): key k's values are
 * items[first[k] .. first[k + 1]), in the order given. */
struct buckets {
    size_t *first;
    uint32_t *items;
};

static bool buckets_build(struct buckets *b, size_t n_keys, const uint32_t *keys, const uint32_t *vals, size_t n)
{
    b->first = calloc(n_keys + 1, sizeof *b->first);
    b->items = malloc((n ? n : 1) * sizeof *b->items);
    size_t *next = calloc(n_keys ? n_keys : 1, sizeof *next);
    if (b->first == NULL || b->items == NULL || next == NULL) {
        free(next);
        return false;
    }
    for (size_t k = 0; k < n; k++)
        b->first[keys[k] + 1]++;
    for (size_t i = 0; i < n_keys; i++)
        b->first[i + 1] += b->first[i];
    for (size_t k = 0; k < n; k++)
        b->items[b->first[keys[k]] + next[keys[k]]++] = vals[k];
    free(next);
    return true;
}

static void buckets_free(struct buckets *b)
{
    free(b->first);
    free(b->items);
}

static bool sha1_from_hex(const char *hex, uint8_t out[SHA1_LEN])
{
    for (size_t i = 0; i < SHA1_LEN; i++) {
        unsigned v = 0;
        for (size_t j = 0; j < 2; j++) {
            char ch = hex[2 * i + j];
            unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) : 16;
            if (d == 16)
                return false;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return hex[2 * SHA1_LEN] == '\0';
}

/*
 * Which findings each session's text block points at: its own, and those
 * of every certificate in its chains, since a certificate's rules run once
 * (at the first session that carried it) but its problems are every
 * session's. CERT_NAME_MISMATCH stays with its session: it compared that
 * session's SNI.
 */
struct text_index {
    struct buckets by_sess, by_cert;
};

static bool text_index_build(const struct tls_state *s, struct text_index *ti)
{
    memset(ti, 0, sizeof *ti);
    size_t n = s->n_frefs;
    uint32_t *sk = malloc((n ? n : 1) * sizeof *sk), *sv = malloc((n ? n : 1) * sizeof *sv);
    uint32_t *ck = malloc((n ? n : 1) * sizeof *ck), *cv = malloc((n ? n : 1) * sizeof *cv);
    size_t ns = 0, nc = 0;
    bool ok = sk && sv && ck && cv;
    for (size_t k = 0; ok && k < n; k++) {
        const struct finding *f = findings_at(s->ctx->findings, s->frefs[k].finding);
        const char *hex = finding_certificate(f);
        uint8_t sha1[SHA1_LEN];
        const struct cert_rec *c = NULL;
        if (hex && finding_code(f) != F_CERT_NAME_MISMATCH && sha1_from_hex(hex, sha1))
            c = find_cert(s, sha1);
        if (c) {
            ck[nc] = (uint32_t)(c - s->certs);
            cv[nc++] = s->frefs[k].finding;
        } else {
            sk[ns] = s->frefs[k].sess;
            sv[ns++] = s->frefs[k].finding;
        }
    }
    ok = ok && buckets_build(&ti->by_sess, s->n_sess, sk, sv, ns) && buckets_build(&ti->by_cert, s->n_certs, ck, cv, nc);
    free(sk);
    free(sv);
    free(ck);
    free(cv);
    return ok;
}

static void text_index_free(struct text_index *ti)
{
    buckets_free(&ti->by_sess);
    buckets_free(&ti->by_cert);
}

/* Append bucket key's values to *list, skipping ones already there. */
static void list_add_bucket(uint32_t **list, size_t *n, size_t *cap, const struct buckets *b, size_t key)
{
    for (size_t k = b->first[key]; k < b->first[key + 1]; k++) {
        bool dup = false;
        for (size_t m = 0; m < *n && !dup; m++)
            dup = (*list)[m] == b->items[k];
        if (!dup && grow((void **)list, cap, *n + 1, sizeof **list))
            (*list)[(*n)++] = b->items[k];
    }
}

/* "  findings: #1 [ERROR] CODE (server [0])": pointers to the full text in
 * the list at the end of the report, in that list's order. */
static void sess_findings_text(const struct tls_state *s, const struct tls_sess *t, const struct text_index *ti,
                               FILE *out)
{
    uint32_t *list = NULL;
    size_t n = 0, cap = 0;
    list_add_bucket(&list, &n, &cap, &ti->by_sess, (size_t)(t - s->sess));
    for (size_t d = 0; d < 2; d++) {
        uint32_t chain = t->chain[d == 0 ? DIR_S2C : DIR_C2S];
        for (size_t i = 0; i < chain_count(s, chain); i++) {
            const struct cert_rec *c = find_cert(s, chain_sha1(s, chain, i));
            if (c)
                list_add_bucket(&list, &n, &cap, &ti->by_cert, (size_t)(c - s->certs));
        }
    }
    const struct findings *fs = s->ctx->findings;
    for (size_t k = 1; k < n; k++) {
        uint32_t v = list[k];
        size_t nv = findings_text_number(fs, v), m = k;
        for (; m > 0 && findings_text_number(fs, list[m - 1]) > nv; m--)
            list[m] = list[m - 1];
        list[m] = v;
    }
    for (size_t k = 0; k < n; k++) {
        fputs(k == 0 ? "  findings: " : "            ", out);
        findings_write_ref_text(out, fs, list[k]);
        const char *sha1 = finding_certificate(findings_at(fs, list[k]));
        char where[32];
        if (sha1 && chain_position(s, t, sha1, where, sizeof where))
            fprintf(out, " (%s)", where);
        fputc('\n', out);
    }
    free(list);
}

void tls_write_text(struct tls_state *s, FILE *out)
{
    if (s == NULL || s->n_sess == 0)
        return;
    struct text_index ti;
    bool have_index = text_index_build(s, &ti);
    size_t with_keys = 0, without = 0, unsupported = 0, decrypted = 0;
    for (size_t i = 0; i < s->n_sess; i++) {
        const struct tls_sess *t = &s->sess[i];
        if (t->keys_seen && t->unsupported)
            unsupported++;
        else if (t->keys_seen && t->key_source != KSRC_NONE)
            with_keys++;
        else if (t->keys_seen)
            without++;
        decrypted += t->decrypted;
    }
    fprintf(out, "TLS sessions: %zu\n", s->n_sess);
    if (with_keys || without || unsupported) {
        fprintf(out, "decryption: keys for %zu, no keys for %zu, decrypted %zu", with_keys, without, decrypted);
        if (unsupported)
            fprintf(out, ", %zu with a cipher suite sipsec does not decrypt", unsupported);
        fputc('\n', out);
    }
    for (size_t i = 0; i < s->n_sess; i++) {
        const struct tls_sess *t = &s->sess[i];
        char cl[ENDPOINT_STR_MAX], sv[ENDPOINT_STR_MAX];
        endpoint_format(&t->conn.src, t->conn.sport, cl);
        endpoint_format(&t->conn.dst, t->conn.dport, sv);
        const char *ver = version_str(t->have_server_hello ? t->version : t->client_version);
        const char *suite = t->have_server_hello ? tls_cipher_suite_name(t->suite) : NULL;
        fprintf(out, "\n%s  %s -> %s%s  frame %llu\n", t->id, cl, sv, t->dtls ? " (DTLS)" : "",
                (unsigned long long)t->first_frame);
        fprintf(out, "  %s  %s  SNI %s\n", ver ? ver : "version ?", suite ? suite : "suite ?",
                t->sni ? sni_get(s, t->sni) : "-");
        const char *mutual;
        if (!t->cert_request)
            mutual = t->version == TLS_V_TLS13 && !t->decrypted ? "not visible (TLS 1.3)"
                                                                : "no (server did not request a client certificate)";
        else if (chain_count(s, t->chain[DIR_C2S]))
            mutual = "yes";
        else if (t->client_cert_msg)
            mutual = "requested, client sent none";
        else
            mutual = "requested, no client Certificate seen";
        fprintf(out, "  mutual TLS: %s; established: %s\n", mutual, sess_established(t) ? "yes" : "no");
        if (t->keys_seen && t->key_source != KSRC_NONE) {
            static const char *const src_text[] = { "", "the key log", "the RSA key", "a resumed session" };
            const struct dec_rec *d = t->dec ? &s->decs[t->dec - 1] : NULL;
            fprintf(out, "  decrypted: %s (keys from %s), %llu records, %llu bytes of application data%s%s\n",
                    t->decrypted ? "yes" : "no", src_text[t->key_source & 3],
                    (unsigned long long)(d ? d->records : 0), (unsigned long long)(d ? d->app_bytes : 0),
                    t->inner_sip ? ", SIP inside" : "",
                    d && d->auth_failures ? ", some records failed authentication" : "");
        } else if (t->keys_seen) {
            fprintf(out, "  decrypted: no (%s)\n", t->unsupported ? "its cipher suite is not one sipsec decrypts"
                                                                 : "no keys for this session");
        }
        for (const struct alert_rec *a = alert_at(s, t->alert_head); a; a = alert_at(s, a->next)) {
            char buf[8];
            if (a->encrypted)
                fprintf(out, "  alert from %s: encrypted (frame %llu)\n", a->from == DIR_C2S ? "client" : "server",
                        (unsigned long long)a->frame);
            else
                fprintf(out, "  alert from %s: %s %s (frame %llu)\n", a->from == DIR_C2S ? "client" : "server",
                        a->level == 2 ? "fatal" : a->level == 1 ? "warning" : "unknown",
                        alert_desc_name(a->desc, buf), (unsigned long long)a->frame);
        }
        chain_text(s, out, "server ", t->chain[DIR_S2C]);
        chain_text(s, out, "client ", t->chain[DIR_C2S]);
        if (have_index)
            sess_findings_text(s, t, &ti, out);
    }
    fputc('\n', out);
    text_index_free(&ti);
}

void tls_state_free(struct tls_state *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_certs; i++) {
        x509_info_free(&s->certs[i].xi);
        free(s->certs[i].seen_in);
        free(s->certs[i].err);
        free(s->certs[i].verdict);
    }
    free(s->certs);
    free(s->cert_sha1);
    free(s->by_sha1);
    free(s->sni.buf);
    free(s->sni.slots);
    free(s->chain_bytes);
    free(s->chain_slots);
    free(s->alerts);
    free(s->frefs);
    for (size_t i = 0; i < DER_CACHE_SLOTS; i++)
        free(s->der_cache[i].der);
    free(s->decs);
    free(s->names_seen);
    free(s->sess);
    free(s->by_flow);
    if (s->store)
        x509_store_free(s->store);
    free(s);
}

const char *tls_session_for_flow(const struct tls_state *s, const struct flow_key *k)
{
    if (s == NULL || k == NULL)
        return NULL;
    const struct tls_sess *t = find_sess(s, k);
    if (t == NULL) {
        struct flow_key r = flow_key_reverse(k);
        t = find_sess(s, &r);
    }
    return t ? t->id : NULL;
}

bool tls_session_facts(const struct tls_state *s, const char *id, struct tls_facts *out)
{
    /* ids are "tls-N" in ascending order; streaming compaction removes
     * some, so search (N is the index + 1 until then) */
    if (s == NULL || id == NULL || strncmp(id, "tls-", 4) != 0)
        return false;
    char *end = NULL;
    unsigned long long n = strtoull(id + 4, &end, 10);
    if (end == id + 4 || *end != '\0' || n == 0)
        return false;
    size_t lo = 0, hi = s->n_sess;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strtoull(s->sess[mid].id + 4, NULL, 10) < n)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n_sess || strcmp(s->sess[lo].id, id) != 0)
        return false;
    const struct tls_sess *t = &s->sess[lo];
    memset(out, 0, sizeof *out);
    out->id = t->id;
    out->conn = t->conn;
    out->first_frame = t->first_frame;
    out->dtls = t->dtls;
    out->established = sess_established(t);
    out->app_data = t->appdata != 0;
    out->decrypted = t->decrypted;
    if (!t->keys_seen)
        out->keys = TLS_KEYS_NOT_GIVEN;
    else if (t->unsupported)
        out->keys = TLS_KEYS_UNSUPPORTED;
    else if (t->key_source == KSRC_NONE)
        out->keys = TLS_KEYS_NO_MATCH;
    else
        out->keys = t->decrypted ? TLS_KEYS_USED : TLS_KEYS_FAILED;
    out->version = version_str(t->have_server_hello ? t->version : t->client_version);
    out->cert_request = t->cert_request;
    if (t->client_cert_msg)
        out->client_cert = chain_count(s, t->chain[DIR_C2S]) > 0;
    else if (t->version == TLS_V_TLS13 && !t->decrypted)
        out->client_cert = -1;
    else
        out->client_cert = 0;
    return true;
}
