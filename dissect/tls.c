/* tls.c: TLS records and handshake messages on TCP streams, DTLS on UDP (RFC 5246, 8446, 6347). */
#include "tls.h"

#include <stdlib.h>
#include <string.h>

#include "dtls_reasm.h"
#include "sip.h"
#include "tls_decrypt.h"
#include "tls_event.h"

/* Record and handshake limits from RFC 5246 section 6.2 (2^14 plaintext,
 * +2048 for ciphertext expansion) and our own cap on one handshake message:
 * a 10-certificate chain is ~15 KiB, 64 KiB leaves room for odd PKIs. */
enum {
    TLS_RECORD_MAX = 16384 + 2048,
    TLS_HS_MSG_MAX = 65536,
    TLS_CERT_MSG_MAX = 1 << 20, /* a certificate with thousands of SANs is legal and seen */
    DTLS_HDR = 13,
};

enum {
    CT_CCS = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPDATA = 23,
};

enum {
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_HELLO_VERIFY_REQUEST = 3,
    HS_NEW_SESSION_TICKET = 4,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14,
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
};

/* Handshake bytes held by all streams together: with the per-message caps
 * this bounds what hostile connections can pin (the TCP reassembler's own
 * memcap does not see this buffer). Single-threaded, like the pipeline. */
static size_t hs_held_total;
static const size_t HS_HELD_MAX = (size_t)64 << 20;

struct tls_dir;
static void hs_release(struct tls_dir *td);

/* RFC 8446 section 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static bool record_version_ok(uint8_t major, uint8_t minor)
{
    return major == 3 && minor <= 4;
}

static bool record_type_ok(uint8_t t)
{
    return t >= CT_CCS && t <= CT_APPDATA;
}

/* An SSLv2-compatible ClientHello (RFC 5246 appendix E.2): 2-byte length
 * with the top bit set, msg_type 1, version 2.0 or 3.x. */
static bool sslv2_hello(const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    uint16_t len = cur_be16(&c);
    uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
    return cur_ok(&c) && (len & 0x8000) && (len & 0x7fff) >= 9 && type == 1 &&
           ((major == 3 && minor <= 3) || (major == 0 && minor == 2));
}

bool tls_probe(const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
    uint16_t len = cur_be16(&c);
    if (!cur_ok(&c))
        return false;
    if (record_type_ok(type) && record_version_ok(major, minor) && len > 0 && len <= TLS_RECORD_MAX)
        return true;
    return sslv2_hello(p, n);
}

/* ---- shared handshake parsing (TLS and DTLS) ---- */

struct hs_ctx {
    struct dissect_ctx *dc;
    struct ev_tls ev;          /* conn, from, dtls, first filled by the caller */
    const struct frame_ref *at;
    bool *tls13;               /* set when the ServerHello selects TLS 1.3 */
};

static void emit(struct hs_ctx *h, enum tls_ev_kind kind)
{
    h->ev.kind = kind;
    sink_emit(&h->dc->sink, EV_TLS, h->at, &h->ev.conn, &h->ev);
}

static void hs_anomaly(struct hs_ctx *h, const char *code, const char *detail)
{
    dissect_anomaly(h->dc, h->at, &h->ev.conn, h->ev.dtls ? "dtls" : "tls", code, detail, true);
}

/* Fresh per-event fields; the connection identity stays. */
static void ev_reset(struct ev_tls *ev)
{
    struct ev_tls keep = *ev;
    memset(ev, 0, sizeof *ev);
    ev->conn = keep.conn;
    ev->from = keep.from;
    ev->dtls = keep.dtls;
    ev->first = keep.first;
    ev->decrypted = keep.decrypted;
}

/* Hello extensions: SNI (RFC 6066), ALPN (RFC 7301), supported_versions (RFC 8446 4.2.1). */
static void parse_hello_extensions(struct cur exts, struct ev_tls *ev, bool client)
{
    while (cur_ok(&exts) && cur_left(&exts) >= 4) {
        uint16_t type = cur_be16(&exts);
        struct cur e = cur_take(&exts, cur_be16(&exts));
        if (exts.short_read)
            return;
        if (type == 0 && client) {
            struct cur list = cur_take(&e, cur_be16(&e));
            while (cur_ok(&list) && cur_left(&list) >= 3) {
                uint8_t nt = cur_u8(&list);
                struct cur name = cur_take(&list, cur_be16(&list));
                if (list.short_read)
                    break;
                if (nt == 0 && ev->sni.n == 0)
                    ev->sni = cur_span(&name);
            }
        } else if (type == 16) {
            struct cur list = cur_take(&e, cur_be16(&e));
            struct cur proto = cur_take(&list, cur_u8(&list));
            if (!list.short_read)
                ev->alpn_first = cur_span(&proto);
        } else if (type == 43 && client) {
            struct cur list = cur_take(&e, cur_u8(&e));
            uint16_t best = 0;
            while (cur_ok(&list) && cur_left(&list) >= 2) {
                uint16_t v = cur_be16(&list);
                /* GREASE values (RFC 8701) are 0x?a?a: never a real version */
                if ((v & 0x0f0f) == 0x0a0a)
                    continue;
                if ((v >> 8) == 3 && v > best)
                    best = v;
            }
            if (best)
                ev->version = best;
        } else if (type == 43 && !client) {
            uint16_t v = cur_be16(&e);
            if (cur_ok(&e))
                ev->version = v;
        }
    }
}

static void parse_client_hello(struct hs_ctx *h, struct cur b)
{
    struct ev_tls *ev = &h->ev;
    ev->version = cur_be16(&b);
    cur_skip(&b, 32);
    cur_skip(&b, cur_u8(&b));
    if (h->ev.dtls)
        cur_skip(&b, cur_u8(&b)); /* cookie */
    uint16_t suites = cur_be16(&b);
    cur_skip(&b, suites);
    ev->n_cipher_suites = suites / 2;
    cur_skip(&b, cur_u8(&b));
    struct cur exts = cur_take(&b, cur_left(&b) >= 2 ? cur_be16(&b) : 0);
    if (b.short_read) {
        hs_anomaly(h, "bad_client_hello", "ClientHello shorter than its fields");
        return;
    }
    parse_hello_extensions(exts, ev, true);
    emit(h, TLS_EV_CLIENT_HELLO);
}

static void parse_server_hello(struct hs_ctx *h, struct cur b)
{
    struct ev_tls *ev = &h->ev;
    ev->version = cur_be16(&b);
    uint8_t random[32] = { 0 };
    cur_copy(&b, random, sizeof random);
    /* TLS 1.3 drafts (0x7fNN) up to -21 dropped session id and compression */
    bool draft = (ev->version >> 8) == 0x7f;
    if (!draft)
        cur_skip(&b, cur_u8(&b));
    ev->cipher_suite = cur_be16(&b);
    if (!draft)
        cur_skip(&b, 1);
    struct cur exts = cur_take(&b, cur_left(&b) >= 2 ? cur_be16(&b) : 0);
    if (b.short_read) {
        hs_anomaly(h, "bad_server_hello", "ServerHello shorter than its fields");
        return;
    }
    ev->hello_retry = memcmp(random, hrr_random, sizeof random) == 0;
    parse_hello_extensions(exts, ev, false);
    if ((ev->version >> 8) == 0x7f)
        ev->version = TLS_V_TLS13; /* a draft of 1.3: same visibility */
    if (ev->version == TLS_V_TLS13 && !ev->hello_retry && h->tls13)
        *h->tls13 = true;
    emit(h, TLS_EV_SERVER_HELLO);
}

/* TLS <= 1.2 Certificate (RFC 5246 7.4.2); a 1.3 one is never in clear, but
 * its shape (context + per-entry extensions) is accepted too. */
static void parse_certificate(struct hs_ctx *h, struct cur b, bool tls13_shape)
{
    struct ev_tls *ev = &h->ev;
    if (tls13_shape)
        cur_skip(&b, cur_u8(&b));
    struct cur list = cur_take(&b, cur_be24(&b));
    while (cur_ok(&list) && cur_left(&list) >= 3) {
        struct cur der = cur_take(&list, cur_be24(&list));
        if (tls13_shape)
            cur_skip(&list, cur_be16(&list));
        if (list.short_read)
            break;
        if (ev->n_certs < TLS_EV_CERTS_MAX)
            ev->certs[ev->n_certs++] = cur_span(&der);
        else
            ev->n_certs_dropped++;
    }
    if (b.short_read || list.short_read || cur_left(&list))
        hs_anomaly(h, "bad_certificate_list", "Certificate message lengths do not add up");
    emit(h, TLS_EV_CERTIFICATE);
}

/* DistinguishedName certificate_authorities<0..2^16-1> (RFC 5246 7.4.4, RFC 8446 4.2.4): how
 * many whole names the list holds; a name cut short ends the count. */
static size_t count_ca_names(struct cur *c)
{
    struct cur names = cur_take(c, cur_be16(c));
    size_t n = 0;
    while (cur_ok(&names) && cur_left(&names) >= 2) {
        cur_skip(&names, cur_be16(&names));
        if (names.short_read)
            break;
        n++;
    }
    return n;
}

/* TLS 1.3 CertificateRequest (RFC 8446 4.3.2): context, then extensions:
 * signature_algorithms (13) and certificate_authorities (47). */
static void parse_certificate_request13(struct hs_ctx *h, struct cur b)
{
    struct ev_tls *ev = &h->ev;
    cur_skip(&b, cur_u8(&b)); /* certificate_request_context */
    struct cur exts = cur_take(&b, cur_be16(&b));
    while (cur_ok(&exts) && cur_left(&exts) >= 4) {
        uint16_t type = cur_be16(&exts);
        struct cur e = cur_take(&exts, cur_be16(&exts));
        if (type == 13) {
            ev->n_sig_algs = cur_be16(&e) / 2;
        } else if (type == 47) {
            ev->n_ca_names += count_ca_names(&e);
        }
    }
    emit(h, TLS_EV_CERTIFICATE_REQUEST);
}

static void parse_certificate_request(struct hs_ctx *h, struct cur b, uint16_t version)
{
    struct ev_tls *ev = &h->ev;
    if (version == TLS_V_TLS13) {
        parse_certificate_request13(h, b);
        return;
    }
    cur_skip(&b, cur_u8(&b)); /* certificate_types */
    if (version >= TLS_V_TLS12 && version <= TLS_V_TLS13) {
        uint16_t sig_len = cur_be16(&b);
        ev->n_sig_algs = sig_len / 2;
        cur_skip(&b, sig_len);
    }
    ev->n_ca_names += count_ca_names(&b);
    emit(h, TLS_EV_CERTIFICATE_REQUEST);
}

/* One whole handshake message body. version: what the ServerHello chose so far. */
static void handle_hs_message(struct hs_ctx *h, uint8_t type, struct cur body, uint16_t version)
{
    ev_reset(&h->ev);
    switch (type) {
    case HS_CLIENT_HELLO:
        if (h->ev.from == DIR_C2S)
            parse_client_hello(h, body);
        break;
    case HS_SERVER_HELLO:
        if (h->ev.from == DIR_S2C)
            parse_server_hello(h, body);
        break;
    case HS_CERTIFICATE:
        parse_certificate(h, body, version == TLS_V_TLS13);
        break;
    case HS_CERTIFICATE_REQUEST:
        parse_certificate_request(h, body, version);
        break;
    case HS_SERVER_HELLO_DONE:
        emit(h, TLS_EV_SERVER_HELLO_DONE);
        break;
    case HS_CLIENT_KEY_EXCHANGE:
        emit(h, TLS_EV_CLIENT_KEY_EXCHANGE);
        break;
    case HS_FINISHED:
        if (h->ev.decrypted)
            emit(h, TLS_EV_FINISHED);
        break;
    default:
        break; /* ServerKeyExchange, CertificateVerify, NewSessionTicket... carry nothing we report */
    }
}

/* ---- TLS over TCP ---- */

/* Decrypted application data a consumer left unconsumed (a SIP message
 * split over records): grown once to what it needs, capped, reused. */
struct pt_buf {
    uint8_t *p;
    size_t len, cap;
};

struct tls_dir {
    uint8_t *hs;          /* handshake bytes not yet a whole message */
    size_t hs_len, hs_cap;
    uint64_t hs_discard;  /* bytes of an oversized message still to drop */
    bool encrypted;       /* after this side's ChangeCipherSpec (or 1.3 ServerHello) */
    bool lost;            /* out of sync: skip until a gap or a plausible record */
    bool saw_enc_hs, saw_appdata;
    bool first;           /* nothing seen yet in this direction */
    bool dec_failed;      /* a record did not authenticate (reported once) */
    struct pt_buf pt;
};

struct tls_stream {
    struct dissect_ctx *dc;
    struct stream_info si;
    struct tls_dir d[2];
    uint16_t version;     /* selected by ServerHello, 0 before */
    bool tls13;
    bool hrr13;           /* a TLS 1.3 HelloRetryRequest came: the CCS around it are no-ops */
    /* decryption (dc->keys set): the record state, and the consumer the
     * plaintext goes to, chosen by its first bytes (SIP, or nothing) */
    struct tls_decrypt *dec;
    bool keys_counted;
    bool keys_late;              /* counted again: keys from a followed key log after the key point */
    struct pt_buf held;          /* TLS 1.3 server records held until a followed key log has their keys */
    bool held_done;              /* released once: never held again */
    const struct stream_ops *inner;
    void *inner_st;
    bool inner_chosen;
};

/* One record's plaintext: single-threaded pipeline, one record at a time. */
static uint8_t pt_scratch[TLS_RECORD_MAX];

static void *tls_open(void *ctx, const struct stream_info *si)
{
    struct tls_stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->dc = ctx;
    s->si = *si;
    s->d[0].first = s->d[1].first = true;
    if (s->dc->keys)
        s->dec = tls_decrypt_new(s->dc->keys, &si->key);
    return s;
}

static void stream_hs_init(struct tls_stream *s, struct hs_ctx *h, enum dir d, const struct frame_ref *at)
{
    memset(h, 0, sizeof *h);
    h->dc = s->dc;
    h->at = at;
    h->tls13 = &s->tls13;
    h->ev.conn = s->si.key;
    h->ev.from = d;
    h->ev.first = s->si.first;
}

static void keys_event(struct tls_stream *s, enum dir d, const struct frame_ref *at);

/* Append a handshake record's payload (clear, or decrypted) and parse every whole message. */
/* Append to the direction's handshake buffer, within HS_HELD_MAX; false
 * (anomaly, buffer dropped) past it. */
static bool hs_append(struct tls_stream *s, struct tls_dir *td, struct span more, const struct frame_ref *at)
{
    if (td->hs_len + more.n > td->hs_cap) {
        size_t cap = td->hs_cap ? td->hs_cap : 4096;
        while (cap < td->hs_len + more.n)
            cap *= 2;
        uint8_t *nb = cap - td->hs_cap + hs_held_total <= HS_HELD_MAX ? realloc(td->hs, cap) : NULL;
        if (nb == NULL) {
            dissect_anomaly(s->dc, at, &s->si.key, "tls", "limit", "handshake reassembly memory cap reached", false);
            hs_release(td);
            return false;
        }
        hs_held_total += cap - td->hs_cap;
        td->hs = nb;
        td->hs_cap = cap;
    }
    memcpy(td->hs + td->hs_len, more.p, more.n);
    td->hs_len += more.n;
    return true;
}

static void feed_handshake(struct tls_stream *s, enum dir d, struct span frag, const struct frame_ref *at,
                           bool decrypted)
{
    struct tls_dir *td = &s->d[d];
    struct cur in = cur_make(frag.p, frag.n);
    if (td->hs_discard) {
        size_t drop = cur_left(&in) < td->hs_discard ? cur_left(&in) : (size_t)td->hs_discard;
        cur_skip(&in, drop);
        td->hs_discard -= drop;
    }
    struct span rest = cur_rest(&in);
    if (rest.n == 0)
        return;
    /* Nothing held: the record's own bytes are read where they are (they
     * outlive this call), and only an unfinished message at its end is
     * copied. Most records hold whole messages, so certificates are not
     * copied at all. Decrypted records are always copied: their buffer
     * belongs to the decryptor. */
    struct span buf;
    if (td->hs_len == 0 && !decrypted) {
        buf = rest;
    } else {
        if (!hs_append(s, td, rest, at))
            return;
        buf = (struct span){ td->hs, td->hs_len };
    }

    struct hs_ctx h;
    stream_hs_init(s, &h, d, at);
    h.ev.decrypted = decrypted;
    struct cur c = cur_make(buf.p, buf.n);
    while (cur_ok(&c) && cur_left(&c) >= 4) {
        uint8_t type = 0;
        cur_peek_u8(&c, 0, &type);
        struct cur hdr = c;
        cur_skip(&hdr, 1);
        uint32_t len = cur_be24(&hdr);
        if (len > (type == HS_CERTIFICATE ? TLS_CERT_MSG_MAX : TLS_HS_MSG_MAX)) {
            dissect_anomaly(s->dc, at, &s->si.key, "tls", "limit",
                            "handshake message over the size cap (1 MiB Certificate, 64 KiB others) dropped", false);
            cur_skip(&c, 4);
            size_t have = cur_left(&c) < len ? cur_left(&c) : len;
            cur_skip(&c, have);
            td->hs_discard = len - have;
            continue;
        }
        if (cur_left(&c) < 4 + (size_t)len)
            break;
        struct cur whole = c;
        whole = cur_take(&whole, 4 + (size_t)len);
        cur_skip(&c, 4);
        struct cur body = cur_take(&c, len);
        handle_hs_message(&h, type, body, s->version);
        if (type == HS_SERVER_HELLO && d == DIR_S2C && h.ev.kind == TLS_EV_SERVER_HELLO && !h.ev.hello_retry)
            s->version = h.ev.version;
        if (type == HS_SERVER_HELLO && d == DIR_S2C && h.ev.kind == TLS_EV_SERVER_HELLO && h.ev.hello_retry &&
            h.ev.version == TLS_V_TLS13)
            s->hrr13 = true;
        if (s->dec) {
            tls_decrypt_handshake(s->dec, d, cur_span(&whole));
            keys_event(s, d, at);
        }
        if (s->tls13 && !decrypted) {
            /* Everything after the 1.3 ServerHello is encrypted, both ways. */
            s->d[0].encrypted = s->d[1].encrypted = true;
            c.p = c.end; /* the rest of the buffer is unreadable */
            break;
        }
    }
    size_t left = cur_left(&c);
    if (buf.p != td->hs) {
        td->hs_len = 0;
        if (left)
            hs_append(s, td, (struct span){ c.p, left }, at);
    } else {
        if (left && c.p != td->hs)
            memmove(td->hs, c.p, left);
        td->hs_len = left;
    }
    if (td->hs_len == 0 && td->hs_cap > 16384)
        hs_release(td);
}

static void hs_release(struct tls_dir *td)
{
    hs_held_total -= td->hs_cap;
    free(td->hs);
    td->hs = NULL;
    td->hs_cap = 0;
    td->hs_len = 0;
}

static void emit_simple(struct tls_stream *s, enum dir d, const struct frame_ref *at, enum tls_ev_kind k,
                        uint16_t record_len)
{
    struct hs_ctx h;
    stream_hs_init(s, &h, d, at);
    h.ev.record_len = record_len;
    emit(&h, k);
}

/* ---- decryption: keys, plaintext records, the inner consumer ---- */

/* Once per connection, when the decryptor has looked for keys. */
static void keys_event(struct tls_stream *s, enum dir d, const struct frame_ref *at)
{
    enum tls_key_source src;
    if (s->dec == NULL || !tls_decrypt_take_keys_event(s->dec, &src))
        return;
    bool unsupported = tls_decrypt_unsupported(s->dec);
    if (s->keys_counted) {
        /* found late (a followed key log): counted without keys at first */
        if (src != TLS_KEYS_NONE && !unsupported && !s->keys_late && s->dc->stats.tls_sessions_without_keys > 0) {
            s->keys_late = true;
            s->dc->stats.tls_sessions_without_keys--;
            s->dc->stats.tls_sessions_with_keys++;
            s->dc->stats.tls_sessions_keys_late++;
        }
    } else if (unsupported)
        s->dc->stats.tls_sessions_unsupported++;
    else if (src == TLS_KEYS_NONE)
        s->dc->stats.tls_sessions_without_keys++;
    else
        s->dc->stats.tls_sessions_with_keys++;
    s->keys_counted = true;
    struct hs_ctx h;
    stream_hs_init(s, &h, d, at);
    h.ev.key_source = tls_key_source_name(src);
    h.ev.unsupported_cipher = unsupported;
    h.ev.keys_followed = tls_decrypt_keys_pending(s->dec);
    emit(&h, TLS_EV_KEYS);
}

static void inner_gap(struct tls_stream *s, enum dir d)
{
    s->d[d].pt.len = 0;
    if (s->inner)
        s->inner->gap(s->inner_st, d, 0, 0);
}

/* Keep the unconsumed tail of a delivery for the next one, within the
 * reassembler's own hold cap; past it the consumer is told of a gap. */
static bool pt_keep(struct tls_stream *s, struct pt_buf *b, const uint8_t *p, size_t n)
{
    size_t cap_max = s->dc->lim ? s->dc->lim->reasm_hold_bytes_max : 131072;
    if (b->len + n > cap_max)
        return false;
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->len + n)
            nc *= 2;
        if (nc > cap_max)
            nc = cap_max;
        uint8_t *np = realloc(b->p, nc);
        if (np == NULL)
            return false;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return true;
}

/* Decrypted application data, in order, to the inner stream consumer:
 * the same contract a TCP consumer has with the reassembler. */
static void inner_data(struct tls_stream *s, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    if (!s->inner_chosen) {
        s->inner_chosen = true;
        bool sip_port = dissect_is_sip_port(s->dc, s->si.key.sport) || dissect_is_sip_port(s->dc, s->si.key.dport);
        if (sip_probe(p, n) || sip_port) {
            s->inner = &sip_tls_stream_ops;
            s->inner_st = s->inner->open(s->dc, &s->si);
            if (s->inner_st == NULL)
                s->inner = NULL;
        }
    }
    if (s->inner == NULL || n == 0)
        return;
    struct pt_buf *b = &s->d[d].pt;
    if (b->len == 0) {
        size_t used = s->inner->data(s->inner_st, d, p, n, at);
        if (used < n && !pt_keep(s, b, p + used, n - used))
            inner_gap(s, d);
        return;
    }
    if (!pt_keep(s, b, p, n)) {
        dissect_anomaly(s->dc, at, &s->si.key, "tls", "limit", "decrypted data over reasm_hold_bytes_max dropped",
                        false);
        inner_gap(s, d);
        return;
    }
    size_t used = s->inner->data(s->inner_st, d, b->p, b->len, at);
    if (used > b->len)
        used = b->len;
    memmove(b->p, b->p + used, b->len - used);
    b->len -= used;
}

static void handle_plain_record(struct tls_stream *s, enum dir d, uint8_t type, struct span pt,
                                uint16_t rlen, const struct frame_ref *at)
{
    struct tls_dir *td = &s->d[d];
    struct cur c = cur_make(pt.p, pt.n);
    switch (type) {
    case CT_HANDSHAKE:
        if (!td->saw_enc_hs) {
            td->saw_enc_hs = true;
            emit_simple(s, d, at, TLS_EV_ENCRYPTED_HANDSHAKE, rlen);
        }
        feed_handshake(s, d, pt, at, true);
        break;
    case CT_ALERT:
        while (cur_ok(&c) && cur_left(&c) >= 2) {
            struct hs_ctx h;
            stream_hs_init(s, &h, d, at);
            h.ev.decrypted = true;
            h.ev.alert_level = cur_u8(&c);
            h.ev.alert_desc = cur_u8(&c);
            h.ev.record_len = rlen;
            emit(&h, TLS_EV_ALERT);
        }
        break;
    case CT_APPDATA:
        tls_decrypt_count_app(s->dec, d, pt.n);
        s->dc->stats.tls_app_bytes_decrypted += pt.n;
        if (!td->saw_appdata) {
            td->saw_appdata = true;
            inner_data(s, d, pt.p, pt.n, at);
            struct hs_ctx h;
            stream_hs_init(s, &h, d, at);
            h.ev.decrypted = true;
            h.ev.record_len = rlen;
            h.ev.inner_protocol = s->inner ? "sip" : NULL;
            emit(&h, TLS_EV_APPLICATION_DATA);
            break;
        }
        inner_data(s, d, pt.p, pt.n, at);
        break;
    default:
        break;
    }
}

/* A protected record we have keys for. Returns false when it is to be
 * handled as opaque (it did not authenticate). */
static bool decrypt_record(struct tls_stream *s, enum dir d, uint8_t type, uint16_t version, struct cur frag,
                           const struct frame_ref *at)
{
    struct tls_dir *td = &s->d[d];
    uint16_t rlen = (uint16_t)cur_left(&frag);
    size_t n = 0;
    uint8_t inner_type = 0;
    enum tls_open_rc rc = tls_decrypt_record(s->dec, d, type, version, cur_span(&frag), pt_scratch, &n, &inner_type);
    if (rc == TLS_OPEN_LOST) {
        inner_gap(s, d);
        return false;
    }
    if (rc != TLS_OPEN_OK) {
        s->dc->stats.tls_auth_failures++;
        inner_gap(s, d);
        if (td->dec_failed)
            return false;
        td->dec_failed = true;
        struct hs_ctx h;
        stream_hs_init(s, &h, d, at);
        h.ev.record_len = rlen;
        h.ev.auth_failures = 1;
        emit(&h, TLS_EV_DECRYPT_FAILED);
        return false;
    }
    s->dc->stats.tls_records_decrypted++;
    struct cur pc = cur_make(pt_scratch, n);
    handle_plain_record(s, d, inner_type, cur_span(&pc), rlen, at);
    return true;
}

static void handle_record_as(struct tls_stream *s, enum dir d, uint8_t type, uint16_t version, struct cur frag,
                             const struct frame_ref *at);

/*
 * A TLS 1.3 server's flight (its certificates) usually reaches live before the client has
 * logged SERVER_HANDSHAKE_TRAFFIC_SECRET (it does so as it reads the ServerHello): while a
 * followed key log has no keys for the session, those records are held, at most
 * HELD_BYTES_MAX a connection and HELD_TOTAL_MAX in all, and replayed once the keys come or the
 * wait for them ends (the client's first protected record, a gap, the close).
 */
enum { HELD_BYTES_MAX = 32768, HELD_TOTAL_MAX = 16 << 20 };
static size_t held_total; /* one pipeline per process, as pt_scratch */

struct held_hdr {
    struct frame_ref at;
    uint16_t version, len;
    uint8_t type;
};

static void handle_record(struct tls_stream *s, enum dir d, uint8_t type, uint16_t version, struct cur frag,
                          const struct frame_ref *at);

static bool hold_record(struct tls_stream *s, uint8_t type, uint16_t version, struct cur frag,
                        const struct frame_ref *at)
{
    struct span f = cur_span(&frag);
    size_t need = sizeof(struct held_hdr) + f.n;
    struct pt_buf *b = &s->held;
    if (b->len + need > HELD_BYTES_MAX || held_total + need > HELD_TOTAL_MAX)
        return false;
    if (b->p == NULL && (b->p = malloc(HELD_BYTES_MAX)) == NULL)
        return false;
    b->cap = HELD_BYTES_MAX;
    struct held_hdr h = { .at = *at, .version = version, .len = (uint16_t)f.n, .type = type };
    memcpy(b->p + b->len, &h, sizeof h);
    memcpy(b->p + b->len + sizeof h, f.p, f.n);
    b->len += need;
    held_total += need;
    return true;
}

/* The held records, in order, through the normal path (keys or not). */
static void release_held(struct tls_stream *s)
{
    struct pt_buf b = s->held;
    memset(&s->held, 0, sizeof s->held);
    s->held_done = true; /* a replayed record is not held again */
    struct cur c = cur_make(b.p, b.len);
    while (cur_left(&c) >= sizeof(struct held_hdr)) {
        struct held_hdr h;
        cur_copy(&c, &h, sizeof h);
        struct cur frag = cur_take(&c, h.len);
        if (!cur_ok(&c))
            break;
        handle_record(s, DIR_S2C, h.type, h.version, frag, &h.at);
    }
    held_total -= b.len;
    free(b.p);
}

static void handle_record(struct tls_stream *s, enum dir d, uint8_t type, uint16_t version, struct cur frag,
                          const struct frame_ref *at)
{
    if (s->dec && !s->held_done && tls_decrypt_holds(s->dec, d, type) && hold_record(s, type, version, frag, at))
        return;
    /* A followed key log (live) may bring a session's keys after its key point: they are
     * looked for before the record, and told after it, once it is decrypted with them. */
    bool keys_now = s->dec && type != CT_CCS && tls_decrypt_late_keys(s->dec, d, type);
    if (s->held.len && !tls_decrypt_holds(s->dec, DIR_S2C, CT_APPDATA))
        release_held(s);
    handle_record_as(s, d, type, version, frag, at);
    if (keys_now)
        keys_event(s, d, at);
}

static void handle_record_as(struct tls_stream *s, enum dir d, uint8_t type, uint16_t version, struct cur frag,
                             const struct frame_ref *at)
{
    struct tls_dir *td = &s->d[d];
    uint16_t rlen = (uint16_t)cur_left(&frag);
    /* A record that fails is opaque, and counted; the next one is tried
     * (its sequence number is known). After a gap the decryptor searches
     * for the sequence number again (tls_decrypt_gap). */
    if (s->dec && type != CT_CCS && tls_decrypt_active(s->dec, d, type) &&
        decrypt_record(s, d, type, version, frag, at))
        return;
    switch (type) {
    case CT_CCS:
        emit_simple(s, d, at, TLS_EV_CHANGE_CIPHER_SPEC, rlen);
        /* In 1.3 CCS is a middlebox-compatibility no-op (RFC 8446 D.4), also
         * the ones around a HelloRetryRequest, before the real ServerHello. */
        if (!s->tls13 && !s->hrr13)
            td->encrypted = true;
        if (s->dec && !s->tls13 && !s->hrr13) {
            tls_decrypt_ccs(s->dec, d);
            keys_event(s, d, at);
        }
        break;
    case CT_ALERT:
        if (td->encrypted) {
            struct hs_ctx h;
            stream_hs_init(s, &h, d, at);
            h.ev.alert_encrypted = true;
            h.ev.record_len = rlen;
            emit(&h, TLS_EV_ALERT);
            break;
        }
        while (cur_ok(&frag) && cur_left(&frag) >= 2) {
            struct hs_ctx h;
            stream_hs_init(s, &h, d, at);
            h.ev.alert_level = cur_u8(&frag);
            h.ev.alert_desc = cur_u8(&frag);
            h.ev.record_len = rlen;
            emit(&h, TLS_EV_ALERT);
        }
        break;
    case CT_HANDSHAKE:
        if (td->encrypted) {
            if (!td->saw_enc_hs) {
                td->saw_enc_hs = true;
                emit_simple(s, d, at, TLS_EV_ENCRYPTED_HANDSHAKE, rlen);
            }
            break;
        }
        feed_handshake(s, d, cur_rest(&frag), at, false);
        break;
    case CT_APPDATA:
        if (!td->saw_appdata) {
            td->saw_appdata = true;
            emit_simple(s, d, at, TLS_EV_APPLICATION_DATA, rlen);
        }
        break;
    default:
        break;
    }
}

/* SSLv2-compatible ClientHello: version, then cipher specs of 3 bytes. */
static size_t handle_sslv2(struct tls_stream *s, enum dir d, struct cur c, const struct frame_ref *at)
{
    uint16_t len = cur_be16(&c) & 0x7fff;
    if (cur_left(&c) < len)
        return 0;
    struct cur b = cur_take(&c, len);
    if (s->dec && d == DIR_C2S)
        tls_decrypt_sslv2_hello(s->dec, cur_span(&b));
    cur_skip(&b, 1);
    struct hs_ctx h;
    stream_hs_init(s, &h, d, at);
    h.ev.version = cur_be16(&b);
    uint16_t specs = cur_be16(&b);
    h.ev.n_cipher_suites = specs / 3;
    if (d == DIR_C2S)
        emit(&h, TLS_EV_CLIENT_HELLO);
    return 2 + (size_t)len;
}

static bool plausible_header(struct cur c, uint16_t *len)
{
    uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
    *len = cur_be16(&c);
    return cur_ok(&c) && record_type_ok(type) && record_version_ok(major, minor) && *len > 0 &&
           *len <= TLS_RECORD_MAX;
}

/*
 * Out of sync (joined mid-stream, or bytes lost without a gap report):
 * find an offset where one plausible record header is followed by another
 * (or by exactly the end of the data). Returns n when none is found.
 */
static size_t resync_offset(const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    for (size_t i = 0; cur_left(&c) >= 5; i++, cur_skip(&c, 1)) {
        uint16_t len, len2;
        if (!plausible_header(c, &len))
            continue;
        struct cur next = c;
        cur_skip(&next, 5);
        if (!cur_skip(&next, len))
            continue; /* the record runs past what we have: not proof enough */
        if (cur_left(&next) == 0 || plausible_header(next, &len2))
            return i;
    }
    return n;
}

static size_t tls_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    struct tls_stream *s = st;
    if (s == NULL)
        return n;
    struct tls_dir *td = &s->d[d];
    struct cur c = cur_make(p, n);
    if (td->first && sslv2_hello(p, n)) {
        size_t used = handle_sslv2(s, d, c, at);
        if (used == 0)
            return 0;
        cur_skip(&c, used);
    }
    td->first = false;
    if (td->lost) {
        struct span rest = cur_span(&c);
        size_t skip = resync_offset(rest.p, rest.n);
        if (skip == rest.n)
            return n;
        cur_skip(&c, skip);
        td->lost = false;
        td->hs_len = 0;
        td->hs_discard = 0;
    }
    while (!td->lost && cur_ok(&c) && cur_left(&c) >= 5) {
        struct cur hdr = c;
        uint8_t type = cur_u8(&hdr), major = cur_u8(&hdr), minor = cur_u8(&hdr);
        uint16_t len = cur_be16(&hdr);
        if (!record_type_ok(type) || !record_version_ok(major, minor) || len > TLS_RECORD_MAX) {
            /* Not TLS, or we joined mid-record: look for the next record
             * boundary in what follows (a lost segment the reassembler did
             * not report looks exactly like this). */
            td->lost = true;
            dissect_anomaly(s->dc, at, &s->si.key, "tls", "bad_record", "bytes that are not a TLS record", true);
            struct span rest = cur_span(&c);
            size_t skip = resync_offset(rest.p, rest.n);
            if (skip == rest.n)
                break;
            cur_skip(&c, skip);
            td->lost = false;
            td->hs_len = 0;
            td->hs_discard = 0;
            continue;
        }
        if (cur_left(&hdr) < len)
            break;
        cur_skip(&c, 5);
        struct cur frag = cur_take(&c, len);
        handle_record(s, d, type, (uint16_t)(major << 8 | minor), frag, at);
    }
    if (td->lost)
        return n;
    return n - cur_left(&c);
}

static void tls_gap(void *st, enum dir d, uint64_t off, uint32_t len)
{
    (void)off;
    struct tls_stream *s = st;
    if (s == NULL)
        return;
    /* The bytes after a gap start mid-record as often as not; a partial
     * handshake message cannot be completed. */
    s->d[d].hs_len = 0;
    s->d[d].hs_discard = 0;
    s->d[d].lost = false;
    if (s->held.len && d == DIR_S2C)
        release_held(s);
    if (s->dec) {
        tls_decrypt_gap(s->dec, d, len);
        inner_gap(s, d);
    }
}

static void tls_close(void *st, enum close_reason why)
{
    struct tls_stream *s = st;
    if (s == NULL)
        return;
    struct hs_ctx h;
    struct frame_ref none = { 0, 0 };
    if (s->held.len)
        release_held(s);
    if (s->dec) {
        const struct tls_decrypt_stats *ds = tls_decrypt_get_stats(s->dec);
        stream_hs_init(s, &h, DIR_C2S, &none);
        h.ev.records_decrypted = ds->records[0] + ds->records[1];
        h.ev.auth_failures = ds->auth_failures[0] + ds->auth_failures[1];
        h.ev.app_bytes = ds->app_bytes[0] + ds->app_bytes[1];
        h.ev.records_lost = ds->lost[0] + ds->lost[1];
        emit(&h, TLS_EV_DECRYPT_STATS);
    }
    if (s->inner)
        s->inner->close(s->inner_st, why);
    stream_hs_init(s, &h, DIR_C2S, &none);
    h.ev.close_why = why;
    emit(&h, TLS_EV_CLOSE);
    hs_release(&s->d[0]);
    hs_release(&s->d[1]);
    for (int i = 0; i < 2; i++)
        free(s->d[i].pt.p);
    tls_decrypt_free(s->dec);
    free(s);
}

const struct stream_ops tls_stream_ops = { "tls", tls_open, tls_data, tls_gap, tls_close };

/* ---- DTLS over UDP (RFC 6347 section 4.1 / 4.2.2) ---- */

bool dtls_probe(const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
    cur_skip(&c, 8); /* epoch + sequence number */
    uint16_t len = cur_be16(&c);
    /* 0x0100 is OpenSSL's pre-RFC 4347 DTLS (DTLS1_BAD_VER) */
    bool version_ok = (major == 0xfe && (minor == 0xff || minor == 0xfd)) || (major == 1 && minor == 0);
    return cur_ok(&c) && record_type_ok(type) && version_ok && len <= cur_left(&c);
}

/* Which side sent a datagram, from the handshake messages it carries: 1
 * the client (ClientHello, ClientKeyExchange, CertificateVerify), 0 the
 * server (ServerHello, HelloVerifyRequest, NewSessionTicket,
 * ServerKeyExchange, CertificateRequest, ServerHelloDone), -1 when it
 * cannot tell (a Certificate, fragments of one, only records of later
 * epochs, or both kinds). */
static int dtls_sender_role(struct cur c)
{
    bool server = false, client = false;
    while (cur_ok(&c) && cur_left(&c) >= DTLS_HDR) {
        uint8_t type = cur_u8(&c);
        cur_skip(&c, 2);
        uint16_t epoch = cur_be16(&c);
        cur_skip(&c, 6);
        struct cur frag = cur_take(&c, cur_be16(&c));
        if (c.short_read)
            break;
        if (type != CT_HANDSHAKE || epoch != 0)
            continue;
        while (cur_ok(&frag) && cur_left(&frag) >= 12) {
            uint8_t mt = cur_u8(&frag);
            cur_skip(&frag, 8); /* length, message_seq, fragment_offset */
            cur_skip(&frag, cur_be24(&frag));
            switch (mt) {
            case HS_CLIENT_HELLO: case HS_CLIENT_KEY_EXCHANGE: case HS_CERTIFICATE_VERIFY:
                client = true;
                break;
            case HS_SERVER_HELLO: case HS_HELLO_VERIFY_REQUEST: case HS_NEW_SESSION_TICKET:
            case HS_SERVER_KEY_EXCHANGE: case HS_CERTIFICATE_REQUEST: case HS_SERVER_HELLO_DONE:
                server = true;
                break;
            default:
                break;
            }
        }
    }
    return client == server ? -1 : client;
}

static void dtls_hs_init(struct hs_ctx *h, struct dissect_ctx *dc, const struct flow_key *k,
                         const struct frame_ref *at, const struct frame_ref *first, bool from_server)
{
    memset(h, 0, sizeof *h);
    h->dc = dc;
    h->at = at;
    h->ev.dtls = true;
    h->ev.first = *first;
    h->ev.from = from_server ? DIR_S2C : DIR_C2S;
    h->ev.conn = from_server ? flow_key_reverse(k) : *k;
}

static void dtls_fragment(struct dissect_ctx *dc, const struct flow_key *k, const struct frame_ref *at,
                          struct hs_ctx *h, const struct dtls_frag *f, uint16_t as_tls, bool tracked)
{
    struct dtls_msg m;
    enum dtls_frag_rc rc;
    if (tracked) {
        rc = dtls_reasm_add(dc->dtls, f, at, &m);
    } else if (f->off == 0 && f->data.n == f->len) {
        rc = DTLS_FRAG_COMPLETE;
        m = (struct dtls_msg){ f->type, f->seq, f->data };
    } else {
        rc = DTLS_FRAG_UNTRACKED;
    }
    switch (rc) {
    case DTLS_FRAG_COMPLETE:
        handle_hs_message(h, m.type, cur_make(m.body.p, m.body.n), as_tls);
        break;
    case DTLS_FRAG_INVALID:
        dissect_anomaly(dc, at, k, "dtls", "bad_fragment",
                        "DTLS handshake fragment past its message's length, or unlike earlier fragments", true);
        break;
    case DTLS_FRAG_LIMIT:
        dissect_anomaly(dc, at, k, "dtls", "limit", "DTLS handshake reassembly cap reached (docs/LIMITS.md)", false);
        break;
    case DTLS_FRAG_UNTRACKED:
        dissect_anomaly(dc, at, k, "dtls", "limit", "DTLS handshake fragment of an untracked connection dropped",
                        false);
        break;
    case DTLS_FRAG_HELD:
    case DTLS_FRAG_DUPLICATE:
        break;
    }
}

/*
 * One UDP datagram of DTLS records (RFC 6347 4.1). Handshake fragments go
 * through the connection's reassembler (dc->dtls) and each message is read
 * once, when whole; without a reassembler only messages carried whole in
 * one record are read. Which side sent a datagram is what the connection
 * learnt from earlier messages, else a guess from this one's; analyze/
 * still corrects it by the session on the reversed 5-tuple.
 */
void dtls_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                   const struct frame_ref *at)
{
    struct cur c = cur_make(p, n);
    bool tracked = dc->dtls && dtls_reasm_touch(dc->dtls, k, at);
    int known = tracked ? dtls_reasm_sender_is_client(dc->dtls) : -1;
    bool from_server;
    if (known >= 0) {
        from_server = !known;
    } else {
        int role = dtls_sender_role(c);
        if (role >= 0 && tracked)
            dtls_reasm_set_sender_is_client(dc->dtls, role == 1);
        from_server = role != 1; /* a lone Certificate counts as the server's */
    }
    struct frame_ref first = tracked ? dtls_reasm_first(dc->dtls) : *at;
    while (cur_ok(&c) && cur_left(&c) >= DTLS_HDR) {
        uint8_t type = cur_u8(&c);
        uint16_t version = cur_be16(&c);
        uint16_t epoch = cur_be16(&c);
        cur_skip(&c, 6);
        struct cur frag = cur_take(&c, cur_be16(&c));
        if (c.short_read || !record_type_ok(type)) {
            dissect_anomaly(dc, at, k, "dtls", "bad_record", "bytes that are not a DTLS record", true);
            return;
        }
        if (epoch != 0 && tracked)
            dtls_reasm_note_encrypted(dc->dtls);
        struct hs_ctx h;
        dtls_hs_init(&h, dc, k, at, &first, from_server);
        h.ev.record_len = (uint16_t)cur_left(&frag);
        if (type == CT_CCS) {
            emit(&h, TLS_EV_CHANGE_CIPHER_SPEC);
            continue;
        }
        if (type == CT_ALERT) {
            if (epoch != 0) {
                h.ev.alert_encrypted = true;
                emit(&h, TLS_EV_ALERT);
                continue;
            }
            h.ev.alert_level = cur_u8(&frag);
            h.ev.alert_desc = cur_u8(&frag);
            if (cur_ok(&frag))
                emit(&h, TLS_EV_ALERT);
            continue;
        }
        if (type != CT_HANDSHAKE)
            continue;
        if (epoch != 0) {
            emit(&h, TLS_EV_ENCRYPTED_HANDSHAKE);
            continue;
        }
        /* DTLS 1.2 is TLS 1.2 on the wire for CertificateRequest's shape */
        uint16_t as_tls = version == TLS_V_DTLS12 ? TLS_V_TLS12 : TLS_V_TLS11;
        /* handshake header, RFC 6347 4.2.2:
         * msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) body */
        while (cur_ok(&frag) && cur_left(&frag) >= 12) {
            struct dtls_frag f;
            f.type = cur_u8(&frag);
            f.len = cur_be24(&frag);
            f.seq = cur_be16(&frag);
            f.off = cur_be24(&frag);
            uint32_t flen = cur_be24(&frag);
            struct cur body = cur_take(&frag, flen);
            if (frag.short_read) {
                dissect_anomaly(dc, at, k, "dtls", "bad_fragment", "DTLS handshake fragment longer than its record",
                                true);
                break;
            }
            f.data = cur_span(&body);
            dtls_hs_init(&h, dc, k, at, &first, from_server);
            dtls_fragment(dc, k, at, &h, &f, as_tls, tracked);
        }
    }
}
