/* sip.c: SIP over UDP and TCP (RFC 3261 sections 7, 18.3, 20.14), parsed with libosip2. */
#include "sip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "cursor.h"
#include "sdp.h"
#include "sip_event.h"
#include "sip_fast.h"

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
 * Framing is ours (cursor, no copy); the headers are left to libosip2,
 * which needs a NUL-terminated copy: one reused buffer, capped at
 * limits.sip_msg_bytes_max.
 */

enum {
    START_LINE_MAX = 1024,  /* a longer first line is not one we can use */
    PROBE_BYTES = 512,      /* the probe sees at most this much of the first line */
    HEADER_LINE_MAX = 8192, /* one header line, folded lines included */
    URI_STR_MAX = 256,
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

static bool span_ends_with(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n < n)
        return false;
    struct cur c = cur_make(s.p, s.n);
    cur_skip(&c, s.n - n);
    return span_eq(cur_span(&c), lit);
}

/*
 * Is this (possibly incomplete) first line a SIP start line?
 * "SIP/2.0 NNN ..." or "METHOD SP Request-URI SP SIP/2.0". Without its
 * line end yet, a request is accepted on a known method alone.
 */
static bool start_line_is_sip(struct span line, bool complete)
{
    struct cur c = cur_make(line.p, line.n);
    if (span_starts_with(line, "SIP/2.0 ")) {
        cur_skip(&c, 8);
        uint8_t d0 = cur_u8(&c), d1 = cur_u8(&c), d2 = cur_u8(&c);
        return d0 >= '1' && d0 <= '6' && d1 >= '0' && d1 <= '9' && d2 >= '0' && d2 <= '9';
    }
    size_t len = 0;
    uint8_t b;
    while (cur_peek_u8(&c, len, &b) && is_method_char(b))
        len++;
    if (len == 0 || len > 32 || !cur_peek_u8(&c, len, &b) || b != ' ')
        return false;
    struct cur m = cur_take(&c, len);
    if (complete)
        return span_ends_with(line, " SIP/2.0") && line.n > len + 9;
    return span_is_known_method(cur_span(&m));
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

/* "Content-Length: 12" or compact "l: 12" (RFC 3261 section 7.3.3). */
static bool header_is(struct span name, const char *full, const char *compact)
{
    return span_case_eq(name, full) || (compact && span_case_eq(name, compact));
}

/* Could this line be Content-Length / l:? A one-byte look before the
 * full split, which every header line would otherwise pay. */
static bool maybe_length_header(struct span line)
{
    struct cur c = cur_make(line.p, line.n);
    uint8_t b = 0, b1 = 0, b8 = 0;
    cur_peek_u8(&c, 0, &b);
    cur_peek_u8(&c, 1, &b1);
    cur_peek_u8(&c, 8, &b8);
    /* "l:" / "l :" / "Content-Length": the 9th byte of "Content-L..." is L */
    if (b == 'l' || b == 'L')
        return b1 == ':' || b1 == ' ' || b1 == '\t';
    return (b == 'C' || b == 'c') && (b8 == 'L' || b8 == 'l');
}

/* Split a header line into trimmed name and value; false if no ':'. */
/* The span without trailing spaces and tabs. */
static struct span span_trim_blanks_right(struct span s)
{
    while (s.n > 0) {
        struct cur t = cur_make(s.p, s.n);
        uint8_t last = 0;
        cur_peek_u8(&t, s.n - 1, &last);
        if (last != ' ' && last != '\t')
            break;
        s.n--;
    }
    return s;
}

static bool header_split(struct span line, struct span *name, struct span *value)
{
    struct cur c = cur_make(line.p, line.n);
    size_t i = 0;
    uint8_t b;
    while (cur_peek_u8(&c, i, &b) && b != ':')
        i++;
    if (i == line.n)
        return false;
    struct cur nc = cur_take(&c, i);
    cur_skip(&c, 1);
    /* trim the name's trailing blanks ("Content-Length : 5" is legal) */
    struct span nm = span_trim_blanks_right(cur_span(&nc));
    while (cur_peek_u8(&c, 0, &b) && (b == ' ' || b == '\t'))
        cur_skip(&c, 1);
    struct span v = span_trim_blanks_right(cur_span(&c));
    *name = nm;
    *value = v;
    return true;
}

enum frame_rc { FRAME_OK, FRAME_NEED_MORE, FRAME_TOO_BIG, FRAME_BAD };

struct frame_info {
    size_t header_len;     /* start line + headers + the empty line */
    bool has_length;
    uint64_t content_length;
};

/*
 * Finds the end of the headers and the Content-Length in c (not moved).
 * TOO_BIG: no header end within max bytes. BAD: an unusable length.
 */
static enum frame_rc sip_frame_headers(const struct cur *c, size_t max, struct frame_info *fi)
{
    struct cur w = *c;
    struct span line;
    memset(fi, 0, sizeof *fi);
    bool first = true;
    for (;;) {
        size_t used = cur_left(c) - cur_left(&w);
        size_t budget = max > used ? max - used : 0;
        size_t limit = budget < HEADER_LINE_MAX ? budget : HEADER_LINE_MAX;
        if (!cur_line(&w, &line, limit)) {
            /* No line end within what we may look at, though the bytes are there. */
            if (limit == 0 || cur_left(&w) >= limit)
                return FRAME_TOO_BIG;
            return FRAME_NEED_MORE;
        }
        if (first) {
            first = false;
            continue;
        }
        if (line.n == 0)
            break;
        struct span name, value;
        if (!maybe_length_header(line) || !header_split(line, &name, &value) ||
            !header_is(name, "Content-Length", "l"))
            continue;
        uint64_t len;
        if (!span_to_u64(value, UINT32_MAX, &len))
            return FRAME_BAD;
        if (fi->has_length && len != fi->content_length)
            return FRAME_BAD; /* two different lengths: no safe framing */
        fi->has_length = true;
        fi->content_length = len;
    }
    fi->header_len = cur_left(c) - cur_left(&w);
    return FRAME_OK;
}

/* ---- one whole message: libosip2 and the event ---- */

static bool g_parser_ready;
static char *g_buf;        /* the NUL-terminated copy libosip2 needs, reused */
static size_t g_buf_cap;
static struct sdp_info g_sdp;
static struct sip_fast g_fast;
static char g_from[URI_STR_MAX], g_to[URI_STR_MAX], g_callid[URI_STR_MAX];

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* "sip:user@host:port" without parameters: what the report shows. */
static void uri_format(const osip_uri_t *u, char *out, size_t cap)
{
    out[0] = '\0';
    if (u == NULL)
        return;
    if (u->host == NULL && u->string) { /* absoluteURI libosip2 did not split */
        snprintf(out, cap, "%s", u->string);
        return;
    }
    snprintf(out, cap, "%s:%s%s%s%s%s", u->scheme ? u->scheme : "sip", nz(u->username),
             u->username ? "@" : "", nz(u->host), u->port ? ":" : "", nz(u->port));
}

static const char *from_tag(osip_from_t *f)
{
    osip_generic_param_t *tag = NULL;
    if (f && osip_from_get_tag(f, &tag) == 0 && tag)
        return nz(tag->gvalue);
    return "";
}

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

static bool find_sdp_part(struct span body, const char *boundary, struct span *out)
{
    char delim[BOUNDARY_MAX + 3];
    size_t bl = strlen(boundary);
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
            } else if (header_split(line, &name, &value) && header_is(name, "Content-Type", "c")) {
                is_sdp = span_case_eq(value, "application/sdp") ||
                         span_starts_with(value, "application/sdp;");
            }
        }
        if (!have)
            return false;
    }
}

/* The application/sdp body: the whole body, or a part of a multipart one.
 * type/subtype/boundary as the Content-Type header gave them ("" none). */
static bool find_sdp_body(const char *type, const char *subtype, const char *boundary, struct span body,
                          struct span *out)
{
    if (body.n == 0)
        return false;
    if (strcasecmp(type, "application") == 0 && strcasecmp(subtype, "sdp") == 0) {
        *out = body;
        return true;
    }
    if (strcasecmp(type, "multipart") != 0 || boundary[0] == '\0')
        return false;
    return find_sdp_part(body, boundary, out);
}

static const char *header_value(const osip_message_t *msg, const char *name)
{
    osip_header_t *h = NULL;
    if (osip_message_header_get_byname(msg, name, 0, &h) >= 0 && h)
        return nz(h->hvalue);
    return "";
}

/* libosip2 logs parse errors to stdout, which is where our report goes:
 * route its trace into nothing (malformed input is counted, not logged). */
static void osip_quiet(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
    (void)fi;
    (void)li;
    (void)level;
    (void)chfr;
    (void)ap;
}

static void sip_parser_init(void)
{
    if (g_parser_ready)
        return;
    parser_init();
    osip_trace_initialize_func(END_TRACE_LEVEL, osip_quiet);
    for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; l++)
        osip_trace_disable_level((osip_trace_level_t)l);
    g_parser_ready = true;
}

/*
 * libosip2 refuses headers whose Content-Length promises a body it was not
 * given; in our copy of the headers the value becomes "0" padded with
 * blanks (the real length was used for framing already).
 */
static void zero_content_length(size_t head_len)
{
    struct cur c = cur_make(g_buf, head_len);
    struct span line, name, value;
    while (cur_line(&c, &line, HEADER_LINE_MAX)) {
        if (line.n == 0)
            break;
        if (!maybe_length_header(line) || !header_split(line, &name, &value) ||
            !header_is(name, "Content-Length", "l") || value.n == 0)
            continue;
        size_t at = (size_t)(value.p - (const uint8_t *)g_buf); /* inside our own copy */
        g_buf[at] = '0';
        memset(g_buf + at + 1, ' ', value.n - 1);
    }
}

static bool ensure_buffer(size_t need)
{
    if (need <= g_buf_cap)
        return true;
    char *nb = realloc(g_buf, need);
    if (nb == NULL)
        return false;
    g_buf = nb;
    g_buf_cap = need;
    return true;
}

static void fill_event(struct ev_sip *ev, osip_message_t *msg, enum sip_transport tr)
{
    memset(ev, 0, sizeof *ev);
    ev->is_request = MSG_IS_REQUEST(msg);
    ev->status = ev->is_request ? 0 : msg->status_code;
    ev->reason = nz(msg->reason_phrase);
    ev->cseq_method = nz(msg->cseq->method);
    ev->method = ev->is_request ? nz(msg->sip_method) : ev->cseq_method;
    unsigned long cseq = strtoul(nz(msg->cseq->number), NULL, 10);
    ev->cseq = cseq > UINT32_MAX ? UINT32_MAX : (uint32_t)cseq;
    if (msg->call_id->host)
        snprintf(g_callid, sizeof g_callid, "%s@%s", nz(msg->call_id->number), msg->call_id->host);
    else
        snprintf(g_callid, sizeof g_callid, "%s", nz(msg->call_id->number));
    ev->call_id = g_callid;
    uri_format(msg->from->url, g_from, sizeof g_from);
    uri_format(msg->to->url, g_to, sizeof g_to);
    ev->from_uri = g_from;
    ev->to_uri = g_to;
    ev->from_tag = from_tag(msg->from);
    ev->to_tag = from_tag(msg->to);
    ev->transport = tr;
    ev->request_uri_host = msg->req_uri ? nz(msg->req_uri->host) : "";
    osip_via_t *via = NULL;
    if (osip_message_get_via(msg, 0, &via) >= 0 && via) {
        ev->via_transport = nz(via->protocol);
        ev->via_host = nz(via->host);
    } else {
        ev->via_transport = ev->via_host = "";
    }
    osip_contact_t *contact = NULL;
    if (osip_message_get_contact(msg, 0, &contact) >= 0 && contact && contact->url)
        ev->contact_host = nz(contact->url->host);
    else
        ev->contact_host = "";
    osip_record_route_t *rr = NULL;
    if (osip_message_get_record_route(msg, 0, &rr) >= 0 && rr && rr->url)
        ev->record_route_host = nz(rr->url->host);
    else
        ev->record_route_host = "";
    osip_route_t *route = NULL;
    osip_uri_param_t *lr = NULL;
    ev->route_host = "";
    if (osip_message_get_route(msg, 0, &route) >= 0 && route && route->url &&
        osip_uri_uparam_get_byname(route->url, "lr", &lr) == 0 && lr)
        ev->route_host = nz(route->url->host);
    ev->warning = header_value(msg, "warning");
    if (ev->warning[0] == '\0')
        ev->warning = header_value(msg, "ms-diagnostics");
    ev->content_type = msg->content_type ? nz(msg->content_type->type) : "";
}

/* The event from the fast parser's fields (strings point into g_fast). */
static void fill_event_fast(struct ev_sip *ev, const struct sip_fast *f, enum sip_transport tr)
{
    memset(ev, 0, sizeof *ev);
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
    ev->via_transport = f->via_transport;
    ev->via_host = f->via_host;
    ev->contact_host = f->contact_host;
    ev->record_route_host = f->record_route_host;
    ev->route_host = f->route_host;
    ev->warning = f->warning[0] ? f->warning : f->ms_diagnostics;
    ev->content_type = f->ct_type;
}

static void emit_with_body(struct dissect_ctx *dc, const struct flow_key *k, struct ev_sip *ev,
                           const char *type, const char *subtype, const char *boundary, struct span body,
                           const struct frame_ref *at)
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

/* One whole message whose headers end head_len bytes in (n: no empty line). */
static void sip_message_framed(struct dissect_ctx *dc, const struct flow_key *k, enum sip_transport tr,
                               const uint8_t *p, size_t n, size_t head_len, const struct frame_ref *at)
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
    /* The common, plain message: our own one-pass parser, no copy. */
    if (sip_fast_parse(cur_span(&head), &g_fast)) {
        fill_event_fast(&ev, &g_fast, tr);
        emit_with_body(dc, k, &ev, g_fast.ct_type, g_fast.ct_subtype, g_fast.ct_boundary, body, at);
        return;
    }
    /* Anything else: libosip2, on a NUL-terminated copy of the start
     * line and headers; the body stays in the packet (find_sdp_part). */
    sip_parser_init();
    if (!ensure_buffer(max + 1)) {
        dissect_anomaly(dc, at, k, "sip", "limit", "no memory for the message copy", false);
        return;
    }
    cur_copy(&head, g_buf, head_len);
    g_buf[head_len] = '\0';
    zero_content_length(head_len);

    osip_message_t *msg = NULL;
    if (osip_message_init(&msg) != 0)
        return;
    if (osip_message_parse(msg, g_buf, head_len) != 0 || msg->call_id == NULL || msg->cseq == NULL ||
        msg->from == NULL || msg->to == NULL || (MSG_IS_REQUEST(msg) && msg->sip_method == NULL)) {
        dissect_anomaly(dc, at, k, "sip", "malformed", NULL, true);
        osip_message_free(msg);
        return;
    }
    fill_event(&ev, msg, tr);
    const osip_content_type_t *ct = msg->content_type;
    osip_generic_param_t *b = NULL;
    const char *boundary = "";
    if (ct && osip_generic_param_get_byname((osip_list_t *)&ct->gen_params, "boundary", &b) == 0 && b &&
        b->gvalue)
        boundary = b->gvalue;
    emit_with_body(dc, k, &ev, ct ? nz(ct->type) : "", ct ? nz(ct->subtype) : "", boundary, body, at);
    osip_message_free(msg);
}

void sip_message(struct dissect_ctx *dc, const struct flow_key *k, enum sip_transport tr,
                 const uint8_t *p, size_t n, const struct frame_ref *at)
{
    struct cur c = cur_make(p, n);
    struct frame_info fi;
    size_t head_len = n; /* no empty line: all headers, no body */
    enum frame_rc rc = sip_frame_headers(&c, n + 1, &fi);
    if (rc == FRAME_OK) {
        head_len = fi.header_len;
    } else if (rc != FRAME_NEED_MORE) {
        dissect_anomaly(dc, at, k, "sip", "malformed", "header line too long or bad Content-Length", true);
        return;
    }
    sip_message_framed(dc, k, tr, p, n, head_len, at);
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
    struct frame_info fi;
    enum frame_rc rc = sip_frame_headers(&c, max, &fi);
    if (rc == FRAME_NEED_MORE && n < max) {
        /* No empty line: RFC 3261 section 18.3 lets a datagram end there. */
        sip_message_framed(dc, k, SIP_TR_UDP, p, n, n, at);
        return;
    }
    if (rc != FRAME_OK) {
        dissect_anomaly(dc, at, k, "sip", rc == FRAME_TOO_BIG ? "limit" : "malformed", NULL,
                        rc == FRAME_BAD);
        return;
    }
    size_t len = n;
    /* Section 18.3: on UDP, bytes past Content-Length are discarded; a
     * length larger than the datagram makes the message unusable. */
    if (fi.has_length) {
        if (fi.content_length > n - fi.header_len) {
            dissect_anomaly(dc, at, k, "sip", "content_length", "Content-Length beyond the datagram",
                            true);
            return;
        }
        len = fi.header_len + (size_t)fi.content_length;
    }
    sip_message_framed(dc, k, SIP_TR_UDP, p, len, fi.header_len, at);
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

        struct span first;
        struct cur probe = all;
        if (cur_line(&probe, &first, START_LINE_MAX)) {
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

        struct frame_info fi;
        enum frame_rc rc = sip_frame_headers(&all, max, &fi);
        if (rc == FRAME_NEED_MORE)
            break;
        if (rc == FRAME_TOO_BIG) {
            dissect_anomaly(dc, at, k, "sip", "limit", "headers over sip_msg_bytes_max skipped", false);
            cur_skip(&all, 1); /* past this start line, then find the next */
            fd->resync = true;
            continue;
        }
        if (rc == FRAME_BAD) {
            dissect_anomaly(dc, at, k, "sip", "malformed", "unusable Content-Length", true);
            cur_skip(&all, fi.header_len ? fi.header_len : 1);
            fd->resync = true;
            continue;
        }
        /* RFC 3261 section 20.14: stream transports MUST carry
         * Content-Length. Without it the body's end is unknown; we take the
         * message as bodiless (what most stacks do) and say so. */
        if (!fi.has_length)
            dissect_anomaly(dc, at, k, "sip", "no_content_length", "stream message without Content-Length",
                            false);
        uint64_t total = (uint64_t)fi.header_len + fi.content_length;
        if (total > max) {
            dissect_anomaly(dc, at, k, "sip", "limit", "message over sip_msg_bytes_max skipped", false);
            fd->skip = total;
            continue;
        }
        if (total > cur_left(&all))
            break;
        struct cur msg = cur_take(&all, (size_t)total);
        struct span ms = cur_span(&msg);
        sip_message_framed(dc, k, tr, ms.p, ms.n, fi.header_len, at);
    }
    return n - cur_left(&all);
}

void sip_stream_gap(struct sip_framer_dir *fd)
{
    fd->skip = 0;
    fd->resync = true;
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
