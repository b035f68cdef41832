/* sip.c: SIP over UDP and TCP (RFC 3261 sections 7, 18.3, 20.14): framing, bodies, events. */
#include "sip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "sdp.h"
#include "sip_event.h"
#include "sip_fast.h"
#include "sip_osip.h"

/*
 * A SIP message (RFC 3261 section 7):
 *
 *   INVITE sip:bob@example.com SIP/2.0        request line, or
 *   SIP/2.0 415 Unsupported Media Type        status line
 *   Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK..
 *   Call-ID: a84b4c76e66710                   (compact i:)
 *   Content-Type: application/sdp             (compact c:)
 *   Content-Length: 142                       (compact l:)
 *                                             empty line ends the headers
 *   v=0 ...                                   Content-Length bytes of body
 *
 * Framing and the common message are read in one pass over the header
 * lines (dissect/sip_fast.c: no copy, no allocation); what that parser
 * declines goes to libosip2 (dissect/sip_osip.c) on a NUL-terminated copy
 * of the headers, at most limits.sip_msg_bytes_max.
 */

enum {
    START_LINE_MAX = 1024,  /* a longer first line is not one we can use */
    PROBE_BYTES = 512,      /* the probe sees at most this much of the first line */
    HEADER_LINE_MAX = 8192, /* one header line, folded lines included */
    RESYNC_TAIL_MAX = START_LINE_MAX,
};

const char *sip_transport_name(enum sip_transport t)
{
    switch (t) {
    case SIP_TR_TCP: return "tcp";
    case SIP_TR_TLS: return "tls";
    default: return "udp";
    }
}

/* RFC 3261 section 25.1 token characters, the ones methods use. */
static bool is_method_char(uint8_t b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
           b == '.' || b == '!' || b == '%' || b == '*' || b == '_' || b == '+' || b == '`' ||
           b == '\'' || b == '~';
}

static const char *const known_methods[] = {
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "UPDATE", "INFO",
    "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH", "SERVICE", "BENOTIFY", NULL,
};

static bool span_is_known_method(struct span s)
{
    for (size_t i = 0; known_methods[i]; i++)
        if (span_eq(s, known_methods[i]))
            return true;
    return false;
}

/*
 * Is this (possibly incomplete) first line a SIP start line?
 * "SIP/2.0 NNN ..." or "METHOD SP Request-URI SP SIP/2.0". Without its
 * line end yet, a request is accepted on a known method alone. Run on
 * every datagram (the probe) and every stream message: indexes checked
 * against line.n, no cursor call per byte.
 */
static bool start_line_is_sip(struct span line, bool complete)
{
    if (line.n >= 8 && memcmp(line.p, "SIP/2.0 ", 8) == 0) {
        if (line.n < 11)
            return false;
        uint8_t d0 = line.p[8], d1 = line.p[9], d2 = line.p[10];
        return d0 >= '1' && d0 <= '6' && d1 >= '0' && d1 <= '9' && d2 >= '0' && d2 <= '9';
    }
    size_t len = 0;
    while (len < line.n && is_method_char(line.p[len]))
        len++;
    if (len == 0 || len > 32 || len >= line.n || line.p[len] != ' ')
        return false;
    if (complete)
        return line.n >= 8 && memcmp(line.p + line.n - 8, " SIP/2.0", 8) == 0 && line.n > len + 9;
    struct span m = { line.p, len };
    return span_is_known_method(m);
}

bool sip_probe(const uint8_t *p, size_t n)
{
    if (p == NULL || n < 8)
        return false;
    struct cur c = cur_make(p, n < PROBE_BYTES ? n : PROBE_BYTES);
    struct span line;
    if (cur_line(&c, &line, PROBE_BYTES))
        return start_line_is_sip(line, true);
    return start_line_is_sip(cur_span(&c), false);
}

/* ---- one whole message: libosip2 and the event ---- */

static struct sdp_info g_sdp;
static struct sip_fast g_fast;

/*
 * Multipart bodies (RFC 2046 section 5.1.1), as Microsoft clients send
 * (SDP alternatives, ms-* parts):
 *
 *   preamble
 *   --BOUNDARY
 *   Content-Type: application/sdp
 *                                    empty line ends the part headers
 *   v=0 ...                          content, up to the CRLF before the next delimiter
 *   --BOUNDARY--                     close delimiter
 *
 * Split here with the cursor rather than by libosip2, which leaks on some
 * malformed parts (found by fuzz_sip) and would copy the SDES keys into its
 * own heap strings.
 */
enum { BOUNDARY_MAX = 72 }; /* 70 characters (RFC 2046) + "--" */

static bool line_is_delimiter(struct span line, const char *delim)
{
    if (!span_starts_with(line, delim))
        return false;
    struct cur c = cur_make(line.p, line.n);
    cur_skip(&c, strlen(delim));
    uint8_t b;
    if (cur_peek_u8(&c, 0, &b) && b == '-') /* close delimiter "--B--" */
        cur_skip(&c, 2);
    while (cur_peek_u8(&c, 0, &b) && (b == ' ' || b == '\t'))
        cur_skip(&c, 1);
    return cur_left(&c) == 0;
}

static bool find_sdp_part(struct span body, struct sip_str b, struct span *out)
{
    char delim[BOUNDARY_MAX + 3];
    const char *boundary = b.p;
    size_t bl = b.n;
    if (bl >= 2 && boundary[0] == '"' && boundary[bl - 1] == '"') {
        boundary++;
        bl -= 2;
    }
    if (bl == 0 || bl > BOUNDARY_MAX - 2)
        return false;
    snprintf(delim, sizeof delim, "--%.*s", (int)bl, boundary);
    struct cur c = cur_make(body.p, body.n);
    struct span line;
    bool in_headers = false, is_sdp = false, in_content = false;
    struct cur content_start = c;
    for (;;) {
        struct cur before = c;
        bool have = cur_line(&c, &line, HEADER_LINE_MAX);
        if (!have) {
            if (cur_left(&c) == 0 || cur_left(&c) >= HEADER_LINE_MAX)
                return false;
            line = cur_rest(&c); /* last line without CRLF */
        }
        if (line_is_delimiter(line, delim)) {
            if (in_content && is_sdp) {
                size_t len = cur_left(&content_start) - cur_left(&before);
                struct cur part = cur_take(&content_start, len);
                *out = cur_span(&part);
                return true;
            }
            in_headers = true;
            in_content = false;
            is_sdp = false;
        } else if (in_headers) {
            struct span name, value;
            if (line.n == 0) {
                in_headers = false;
                in_content = true;
                content_start = c;
            } else if (sip_header_split(line, &name, &value) && sip_header_is(name, "Content-Type", "c")) {
                is_sdp = span_case_eq(value, "application/sdp") ||
                         span_starts_with(value, "application/sdp;");
            }
        }
        if (!have)
            return false;
    }
}

/* s equals lit, ASCII case folded (strcasecmp on a string with no NUL). */
static bool str_ieq(struct sip_str s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* The application/sdp body: the whole body, or a part of a multipart one.
 * type/subtype/boundary as the Content-Type header gave them ("" none). */
static bool find_sdp_body(struct sip_str type, struct sip_str subtype, struct sip_str boundary,
                          struct span body, struct span *out)
{
    if (body.n == 0)
        return false;
    if (str_ieq(type, "application") && str_ieq(subtype, "sdp")) {
        *out = body;
        return true;
    }
    if (!str_ieq(type, "multipart") || boundary.n == 0)
        return false;
    return find_sdp_part(body, boundary, out);
}

/* The event from either parser's fields (borrowed until the next message):
 * every field set here, so no memset of the whole event first. */
static void fill_event(struct ev_sip *ev, const struct sip_fields *f, enum sip_transport tr)
{
    ev->is_request = f->is_request;
    ev->status = f->status;
    ev->reason = f->reason;
    ev->cseq_method = f->cseq_method;
    ev->method = f->is_request ? f->method : f->cseq_method;
    ev->cseq = f->cseq;
    ev->call_id = f->call_id;
    ev->from_uri = f->from_uri;
    ev->to_uri = f->to_uri;
    ev->from_tag = f->from_tag;
    ev->to_tag = f->to_tag;
    ev->transport = tr;
    ev->request_uri_host = f->request_uri_host;
    /* Read for SIP over TLS only (sip_fast_fields' routing): empty
     * otherwise, whichever parser took the message. */
    bool routing = tr == SIP_TR_TLS;
    const struct sip_str none = { "", 0 };
    ev->via_transport = routing ? f->via_transport : none;
    ev->via_host = routing ? f->via_host : none;
    ev->contact_host = routing ? f->contact_host : none;
    ev->record_route_host = routing ? f->record_route_host : none;
    ev->route_host = routing ? f->route_host : none;
    ev->warning = f->warning.n ? f->warning : f->ms_diagnostics;
    ev->content_type = f->ct_type;
    ev->sdp = NULL;
    ev->body_len = 0;
}

static void emit_with_body(struct dissect_ctx *dc, const struct flow_key *k, struct ev_sip *ev,
                           struct sip_str type, struct sip_str subtype, struct sip_str boundary,
                           struct span body, const struct frame_ref *at)
{
    ev->body_len = body.n;
    struct span sdp;
    if (find_sdp_body(type, subtype, boundary, body, &sdp)) {
        bool ok = sdp_parse(sdp.p, sdp.n, &g_sdp);
        if (ok || g_sdp.n_media > 0)
            ev->sdp = &g_sdp;
        if (!ok)
            dissect_anomaly(dc, at, k, "sdp", "malformed", NULL, true);
    }
    sink_emit(&dc->sink, EV_SIP, at, k, ev);
}

/* One whole message whose headers (scanned in *sc) end head_len bytes in (n: no empty line). */
static void sip_message_framed(struct dissect_ctx *dc, const struct flow_key *k, enum sip_transport tr,
                               const uint8_t *p, size_t n, const struct sip_scan *sc, size_t head_len,
                               const struct frame_ref *at)
{
    size_t max = dc->lim ? dc->lim->sip_msg_bytes_max : 65536;
    if (n > max) {
        dissect_anomaly(dc, at, k, "sip", "limit", "message over sip_msg_bytes_max dropped", false);
        return;
    }
    struct cur c = cur_make(p, n);
    struct cur head = cur_take(&c, head_len);
    struct span body = cur_rest(&c);
    struct ev_sip ev;
    /* The common, plain message: our own one-pass parser, no copy; the
     * routing headers only where the TLS checks read them. */
    if (sip_fast_fields(sc, p, head_len, tr == SIP_TR_TLS, &g_fast)) {
        const struct sip_fields *f = &g_fast.f;
        fill_event(&ev, f, tr);
        emit_with_body(dc, k, &ev, f->ct_type, f->ct_subtype, f->ct_boundary, body, at);
        return;
    }
    /* Anything else: libosip2, on a NUL-terminated copy of the start
     * line and headers; the body stays in the packet (find_sdp_part). */
    struct sip_fields f;
    struct span hs = cur_span(&head);
    enum sip_osip_rc rc = sip_osip_parse(hs.p, hs.n, &f);
    if (rc == SIP_OSIP_NOMEM) {
        dissect_anomaly(dc, at, k, "sip", "limit", "no memory for the message copy", false);
        return;
    }
    if (rc != SIP_OSIP_OK) {
        dissect_anomaly(dc, at, k, "sip", "malformed", NULL, true);
        return;
    }
    fill_event(&ev, &f, tr);
    emit_with_body(dc, k, &ev, f.ct_type, f.ct_subtype, f.ct_boundary, body, at);
    sip_osip_release();
}

void sip_message(struct dissect_ctx *dc, const struct flow_key *k, enum sip_transport tr,
                 const uint8_t *p, size_t n, const struct frame_ref *at)
{
    struct sip_scan sc;
    memset(&sc, 0, sizeof sc);
    size_t head_len = n; /* no empty line: all headers, no body */
    enum sip_scan_rc rc = n <= UINT32_MAX ? sip_scan_head(&sc, p, n, n + 1) : SIP_SCAN_TOO_BIG;
    if (rc == SIP_SCAN_DONE) {
        head_len = sc.header_len;
    } else if (rc == SIP_SCAN_MORE) {
        sip_scan_tail(&sc, p, n);
    } else {
        dissect_anomaly(dc, at, k, "sip", "malformed", "header line too long or bad Content-Length", true);
        return;
    }
    sip_message_framed(dc, k, tr, p, n, &sc, head_len, at);
}

/* ---- UDP: one datagram, one message ---- */

/* Keep-alives: CRLF CRLF (RFC 5626 section 3.5.1), and in the field a few
 * blanks or NUL bytes (NAT pinholes): nothing to parse, nothing wrong. */
static bool is_keepalive(struct cur c)
{
    uint8_t b;
    while (cur_left(&c) > 0) {
        b = cur_u8(&c);
        if (b != '\r' && b != '\n' && b != ' ' && b != '\t' && b != '\0')
            return false;
    }
    return true;
}

void sip_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at)
{
    struct cur c = cur_make(p, n);
    if (is_keepalive(c))
        return;
    size_t max = dc->lim ? dc->lim->sip_msg_bytes_max : 65536;
    if (n > UINT32_MAX) {
        dissect_anomaly(dc, at, k, "sip", "limit", NULL, false);
        return;
    }
    struct sip_scan sc;
    memset(&sc, 0, sizeof sc);
    enum sip_scan_rc rc = sip_scan_head(&sc, p, n, max);
    if (rc == SIP_SCAN_MORE && n < max) {
        /* No empty line: RFC 3261 section 18.3 lets a datagram end there. */
        sip_scan_tail(&sc, p, n);
        sip_message_framed(dc, k, SIP_TR_UDP, p, n, &sc, n, at);
        return;
    }
    if (rc != SIP_SCAN_DONE) {
        dissect_anomaly(dc, at, k, "sip", rc == SIP_SCAN_BAD ? "malformed" : "limit", NULL, rc == SIP_SCAN_BAD);
        return;
    }
    size_t len = n;
    /* Section 18.3: on UDP, bytes past Content-Length are discarded; a
     * length larger than the datagram makes the message unusable. */
    if (sc.has_length) {
        if (sc.content_length > n - sc.header_len) {
            dissect_anomaly(dc, at, k, "sip", "content_length", "Content-Length beyond the datagram",
                            true);
            return;
        }
        len = sc.header_len + (size_t)sc.content_length;
    }
    sip_message_framed(dc, k, SIP_TR_UDP, p, len, &sc, sc.header_len, at);
}

/* ---- streams: framing by Content-Length ---- */

/* Offset of the first line start in c that begins a SIP message, or
 * SIZE_MAX; *keep_from tells where the unexamined incomplete tail begins. */
static size_t find_start_line(struct cur c, size_t *keep_from)
{
    size_t total = cur_left(&c);
    struct span line;
    for (;;) {
        size_t at = total - cur_left(&c);
        *keep_from = at;
        if (!cur_line(&c, &line, START_LINE_MAX)) {
            if (cur_left(&c) >= START_LINE_MAX)
                *keep_from = total - (RESYNC_TAIL_MAX - 1);
            return SIZE_MAX;
        }
        if (start_line_is_sip(line, true))
            return at;
    }
}

size_t sip_stream_feed(struct dissect_ctx *dc, struct sip_framer_dir *fd, const struct flow_key *k,
                       enum sip_transport tr, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    struct cur all = cur_make(p, n);
    size_t max = dc->lim ? dc->lim->sip_msg_bytes_max : 65536;
    for (;;) {
        if (cur_left(&all) == 0)
            break;
        if (fd->skip) {
            size_t take = fd->skip < cur_left(&all) ? (size_t)fd->skip : cur_left(&all);
            cur_skip(&all, take);
            fd->skip -= take;
            continue;
        }
        if (fd->resync) {
            size_t keep_from = 0;
            size_t off = find_start_line(all, &keep_from);
            if (off == SIZE_MAX) {
                cur_skip(&all, keep_from);
                break;
            }
            cur_skip(&all, off);
            fd->resync = false;
        }
        /* CRLF keep-alives between messages (RFC 5626 section 3.5.1). */
        uint8_t b;
        while (cur_peek_u8(&all, 0, &b) && (b == '\r' || b == '\n'))
            cur_skip(&all, 1);
        if (cur_left(&all) == 0)
            break;

        struct sip_scan *sc = &fd->scan;
        if (sc->pos > cur_left(&all))
            memset(sc, 0, sizeof *sc); /* not the message it was scanning */
        struct span first;
        struct cur probe = all;
        if (sc->pos > 0) {
            /* the start line was checked when this message's scan began */
        } else if (cur_line(&probe, &first, START_LINE_MAX)) {
            if (!start_line_is_sip(first, true)) {
                dissect_anomaly(dc, at, k, "sip", "not_sip", "bytes between messages skipped", true);
                fd->resync = true;
                continue;
            }
        } else if (cur_left(&all) >= START_LINE_MAX) {
            dissect_anomaly(dc, at, k, "sip", "not_sip", "bytes between messages skipped", true);
            fd->resync = true;
            continue;
        } else {
            break; /* the first line is not complete yet */
        }

        enum sip_scan_rc rc = cur_left(&all) <= UINT32_MAX ? sip_scan_head(sc, all.p, cur_left(&all), max)
                                                           : SIP_SCAN_TOO_BIG;
        if (rc == SIP_SCAN_MORE)
            break; /* resumed where it stopped when more bytes come */
        if (rc == SIP_SCAN_TOO_BIG) {
            memset(sc, 0, sizeof *sc);
            dissect_anomaly(dc, at, k, "sip", "limit", "headers over sip_msg_bytes_max skipped", false);
            cur_skip(&all, 1); /* past this start line, then find the next */
            fd->resync = true;
            continue;
        }
        if (rc == SIP_SCAN_BAD) {
            memset(sc, 0, sizeof *sc);
            dissect_anomaly(dc, at, k, "sip", "malformed", "unusable Content-Length", true);
            cur_skip(&all, 1);
            fd->resync = true;
            continue;
        }
        /* RFC 3261 section 20.14: stream transports MUST carry
         * Content-Length. Without it the body's end is unknown; we take the
         * message as bodiless (what most stacks do) and say so. */
        uint64_t total = (uint64_t)sc->header_len + sc->content_length;
        if (total > max) {
            if (!sc->has_length)
                dissect_anomaly(dc, at, k, "sip", "no_content_length", "stream message without Content-Length",
                                false);
            memset(sc, 0, sizeof *sc);
            dissect_anomaly(dc, at, k, "sip", "limit", "message over sip_msg_bytes_max skipped", false);
            fd->skip = total;
            continue;
        }
        if (total > cur_left(&all))
            break; /* the body is not all here: the scan stays DONE */
        if (!sc->has_length)
            dissect_anomaly(dc, at, k, "sip", "no_content_length", "stream message without Content-Length",
                            false);
        struct cur msg = cur_take(&all, (size_t)total);
        struct span ms = cur_span(&msg);
        /* The scan is read in place (nothing feeds this direction while the
         * message is handled), then cleared for the next one. */
        sip_message_framed(dc, k, tr, ms.p, ms.n, sc, sc->header_len, at);
        memset(sc, 0, sizeof *sc);
    }
    return n - cur_left(&all);
}

void sip_stream_gap(struct sip_framer_dir *fd)
{
    fd->skip = 0;
    fd->resync = true;
    memset(&fd->scan, 0, sizeof fd->scan);
}

struct sip_stream {
    struct dissect_ctx *dc;
    struct flow_key key[2]; /* as seen on the wire, per direction */
    struct sip_framer_dir dir[2];
    enum sip_transport tr;
};

static void *sip_open(void *ctx, const struct stream_info *si)
{
    struct sip_stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->dc = ctx;
    s->key[DIR_C2S] = si->key;
    s->key[DIR_S2C] = flow_key_reverse(&si->key);
    s->tr = SIP_TR_TCP;
    return s;
}

/* The same consumer on the plaintext of a decrypted TLS connection. */
static void *sip_tls_open(void *ctx, const struct stream_info *si)
{
    struct sip_stream *s = sip_open(ctx, si);
    if (s)
        s->tr = SIP_TR_TLS;
    return s;
}

static size_t sip_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    struct sip_stream *s = st;
    if (s == NULL)
        return n;
    unsigned i = d == DIR_S2C ? 1 : 0;
    return sip_stream_feed(s->dc, &s->dir[i], &s->key[i], s->tr, p, n, at);
}

static void sip_gap(void *st, enum dir d, uint64_t off, uint32_t len)
{
    (void)off;
    (void)len;
    struct sip_stream *s = st;
    if (s)
        sip_stream_gap(&s->dir[d == DIR_S2C ? 1 : 0]);
}

static void sip_close(void *st, enum close_reason why)
{
    (void)why;
    free(st);
}

const struct stream_ops sip_stream_ops = { "sip", sip_open, sip_data, sip_gap, sip_close };
const struct stream_ops sip_tls_stream_ops = { "sip", sip_tls_open, sip_data, sip_gap, sip_close };
