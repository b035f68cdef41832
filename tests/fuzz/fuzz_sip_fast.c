/* fuzz_sip_fast.c: the one-pass SIP header parser (dissect/sip_fast.c) differential against libosip2. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "cursor.h"
#include "sip_fast.h"
#include "sip_osip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one SIP message. The fast parser is only safe if, on every
 * message it accepts, libosip2 (which the dissector uses for the rest)
 * reads the same fields. So: cut the input where the dissector's framer
 * would (after the empty line), give the head to both, and abort on any
 * difference in what the event carries, and in Content-Length.
 *
 * One difference is intended (docs/SIP.md): the fast parser does not
 * validate headers it does not read, where libosip2 refuses a whole
 * message for one malformed Allow, Authorization or second Via. When
 * libosip2 refuses the message, it gets it again reduced to what the fast
 * parser reads (the start line; Call-ID, From, To, CSeq, Content-Type and
 * Content-Length lines; the first Via, Contact, Record-Route, Route and
 * Warning, each cut to its first comma-separated element; the first
 * ms-diagnostics). It must take that, with the same fields: anything else
 * is a disagreement.
 *
 * Both ways the dissector calls it: with the routing headers (SIP over
 * TLS) and without (clear SIP: Via, Contact, Record-Route and Route are
 * then unread, so reduced away too, and their fields empty). Without
 * them it must take every message it takes with them.
 */
enum { REDUCED_MAX = 70000 };

static void disagree(const char *what, const char *fast, const char *osip)
{
    fprintf(stderr, "sip_fast and libosip2 disagree on %s: fast \"%s\", libosip2 \"%s\"\n", what, fast, osip);
    abort();
}

static void same_c(const char *what, const char *fast, const char *osip)
{
    if (strcmp(fast, osip) != 0)
        disagree(what, fast, osip);
}

/* Each field's bytes, and no NUL in them: the readers take them as strings. */
static void same(const char *what, struct sip_str fast, struct sip_str osip)
{
    if (fast.p == NULL || osip.p == NULL || memchr(fast.p, '\0', fast.n) || memchr(osip.p, '\0', osip.n))
        disagree(what, "(NULL or a NUL inside)", "");
    if (fast.n != osip.n || memcmp(fast.p, osip.p, fast.n) != 0) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%.*s", (int)(fast.n < 500 ? fast.n : 500), fast.p);
        snprintf(b, sizeof b, "%.*s", (int)(osip.n < 500 ? osip.n : 500), osip.p);
        disagree(what, a, b);
    }
}

/* routing: the fast parser read the routing headers (Via, Contact,
 * Record-Route, Route); without, their fields must be empty. */
static void compare(const struct sip_fields *f, const struct sip_fields *o, bool routing)
{
    struct sip_fields unread;
    if (!routing) {
        const struct sip_str none = { "", 0 };
        unread = *o;
        unread.via_transport = unread.via_host = unread.contact_host = none;
        unread.record_route_host = unread.route_host = none;
        o = &unread;
    }
    char a[64], b[64];
    snprintf(a, sizeof a, "%d/%d/%u", f->is_request, f->status, f->cseq);
    snprintf(b, sizeof b, "%d/%d/%u", o->is_request, o->status, o->cseq);
    same_c("request/status/cseq", a, b);
    same("method", f->method, o->method);
    same("reason", f->reason, o->reason);
    same("request_uri_host", f->request_uri_host, o->request_uri_host);
    same("call_id", f->call_id, o->call_id);
    same("from_uri", f->from_uri, o->from_uri);
    same("to_uri", f->to_uri, o->to_uri);
    same("from_tag", f->from_tag, o->from_tag);
    same("to_tag", f->to_tag, o->to_tag);
    same("cseq_method", f->cseq_method, o->cseq_method);
    same("via_transport", f->via_transport, o->via_transport);
    same("via_host", f->via_host, o->via_host);
    same("contact_host", f->contact_host, o->contact_host);
    same("record_route_host", f->record_route_host, o->record_route_host);
    same("route_host", f->route_host, o->route_host);
    same("warning", f->warning, o->warning);
    same("ms_diagnostics", f->ms_diagnostics, o->ms_diagnostics);
    same("ct_type", f->ct_type, o->ct_type);
    same("ct_subtype", f->ct_subtype, o->ct_subtype);
    same("ct_boundary", f->ct_boundary, o->ct_boundary);
}

static bool ieq(const uint8_t *p, size_t n, const char *lit)
{
    if (n != strlen(lit))
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
        if (c != (uint8_t)lit[i])
            return false;
    }
    return true;
}

/* The first element of a value as libosip2 splits at commas: outside
 * quotes, outside <sip:...>. Written apart from sip_fast.c on purpose. */
static size_t first_element_len(const uint8_t *v, size_t n)
{
    bool inq = false, inuri = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"') {
            inq = !inq;
        } else if (!inq && v[i] == '<' && !inuri) {
            static const char *const schemes[] = { "sip:", "sips:", "http:", "https:", "tel:" };
            for (size_t s = 0; s < 5; s++) {
                size_t l = strlen(schemes[s]);
                if (n - i - 1 >= l && ieq(v + i + 1, l, schemes[s]) && memchr(v + i, '>', n - i))
                    inuri = true;
            }
        } else if (!inq && v[i] == '>') {
            inuri = false;
        } else if (!inq && !inuri && v[i] == ',') {
            return i;
        }
    }
    return n;
}

struct out {
    char buf[REDUCED_MAX];
    size_t n;
};

static void emit(struct out *o, const void *p, size_t n)
{
    if (n > sizeof o->buf - o->n)
        n = sizeof o->buf - o->n;
    memcpy(o->buf + o->n, p, n);
    o->n += n;
}

/* What reduce() keeps: the start line and Content-Length lines only;
 * the headers the fast parser reads; those without the routing ones. */
enum keep { KEEP_LENGTH, KEEP_READ, KEEP_READ_NO_ROUTING };

/* The head reduced to the lines `keep` says, as written but each once
 * and cut to its first element where the fast parser reads only that. */
static void reduce(struct span head, struct out *o, enum keep keep)
{
    bool cl_only = keep == KEEP_LENGTH;
    o->n = 0;
    bool first = true, via = false, contact = false, warning = false, diag = false, rroute = false,
         route = false;
    size_t at = 0;
    while (at < head.n) {
        const uint8_t *lf = memchr(head.p + at, '\n', head.n - at);
        size_t end = lf ? (size_t)(lf - head.p) : head.n;
        size_t ce = end > at && head.p[end - 1] == '\r' ? end - 1 : end;
        const uint8_t *line = head.p + at;
        size_t len = ce - at;
        at = lf ? end + 1 : head.n;
        if (first) {
            emit(o, line, len);
            emit(o, "\r\n", 2);
            first = false;
            continue;
        }
        if (len == 0)
            break;
        const uint8_t *colon = memchr(line, ':', len);
        if (colon == NULL)
            continue;
        size_t nn = (size_t)(colon - line);
        while (nn && (line[nn - 1] == ' ' || line[nn - 1] == '\t'))
            nn--;
        const uint8_t *v = colon + 1;
        size_t vn = len - (size_t)(v - line);
        while (vn && (*v == ' ' || *v == '\t')) {
            v++;
            vn--;
        }
        bool is_cl = ieq(line, nn, "content-length") || ieq(line, nn, "l");
        if (cl_only) {
            if (is_cl) {
                emit(o, line, len);
                emit(o, "\r\n", 2);
            }
            continue;
        }
        bool *once = NULL, whole = false;
        const char *name = NULL;
        if (ieq(line, nn, "via") || ieq(line, nn, "v"))
            once = &via, name = "Via";
        else if (ieq(line, nn, "contact") || ieq(line, nn, "m"))
            once = &contact, name = "Contact";
        else if (ieq(line, nn, "record-route"))
            once = &rroute, name = "Record-Route";
        else if (ieq(line, nn, "route"))
            once = &route, name = "Route";
        else if (ieq(line, nn, "warning"))
            once = &warning, name = "Warning";
        else if (ieq(line, nn, "ms-diagnostics"))
            once = &diag, name = "ms-diagnostics", whole = true;
        bool is_routing = once == &via || once == &contact || once == &rroute || once == &route;
        if (once && is_routing && keep == KEEP_READ_NO_ROUTING)
            continue;
        if (once) {
            if (*once)
                continue;
            *once = true;
            emit(o, name, strlen(name));
            emit(o, ": ", 2);
            emit(o, v, whole ? vn : first_element_len(v, vn));
            emit(o, "\r\n", 2);
        } else if (is_cl || ieq(line, nn, "call-id") || ieq(line, nn, "i") || ieq(line, nn, "from") ||
                   ieq(line, nn, "f") || ieq(line, nn, "to") || ieq(line, nn, "t") || ieq(line, nn, "cseq") ||
                   ieq(line, nn, "content-type") || ieq(line, nn, "c")) {
            emit(o, line, len);
            emit(o, "\r\n", 2);
        }
    }
    emit(o, "\r\n", 2);
}

/* libosip2's Content-Length for the head (0 without one), as it reads the value. */
static long osip_content_length(struct span head)
{
    static struct out o;
    reduce(head, &o, KEEP_LENGTH);
    if (o.n >= sizeof o.buf)
        return -1;
    o.buf[o.n] = '\0';
    osip_message_t *msg = NULL;
    long len = -1;
    if (osip_message_init(&msg) == 0 && osip_message_parse(msg, o.buf, o.n) == 0)
        len = msg->content_length && msg->content_length->value ? atol(msg->content_length->value) : 0;
    osip_message_free(msg);
    return len;
}

/* head as the fast parser took it (routing or not): libosip2 must read
 * the same fields, from head or else from head reduced to what the fast
 * parser read (the intended leniency). */
static void check_taken(struct span head, const struct sip_fast *fast, bool routing)
{
    static struct out reduced;
    struct sip_fields o;
    enum sip_osip_rc rc = sip_osip_parse(head.p, head.n, &o);
    if (rc == SIP_OSIP_NOMEM)
        return;
    if (rc != SIP_OSIP_OK) {
        sip_osip_release();
        reduce(head, &reduced, routing ? KEEP_READ : KEEP_READ_NO_ROUTING);
        if (reduced.n >= sizeof reduced.buf)
            return;
        rc = sip_osip_parse((const uint8_t *)reduced.buf, reduced.n, &o);
        if (rc == SIP_OSIP_NOMEM)
            return;
        if (rc != SIP_OSIP_OK) {
            fprintf(stderr, "sip_fast (routing %d) accepted a message libosip2 refuses, even reduced to "
                            "the headers sip_fast reads:\n%.*s\n", routing, (int)reduced.n, reduced.buf);
            abort();
        }
    }
    compare(&fast->f, &o, routing);
    sip_osip_release();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sip_fast fast, lean;
    struct span head = { data, size };
    if (!sip_fast_head(head, &head.n))
        head.n = size; /* no empty line: all headers, as a datagram may be */
    /* Without the routing headers (clear SIP) the parser takes at least
     * every message it takes with them, and the same fields. */
    bool took = sip_fast_parse(head, true, &fast);
    bool took_lean = sip_fast_parse(head, false, &lean);
    if (took && !took_lean) {
        fprintf(stderr, "sip_fast took a message with the routing headers, not without\n");
        abort();
    }
    if (took)
        check_taken(head, &fast, true);
    if (took_lean)
        check_taken(head, &lean, false);
    if (!took_lean)
        return 0;

    struct sip_scan sc;
    memset(&sc, 0, sizeof sc);
    if (sip_scan_head(&sc, head.p, head.n, head.n + 1) == SIP_SCAN_DONE) {
        long ol = osip_content_length(head);
        long fl = sc.has_length ? (long)sc.content_length : 0;
        if (ol >= 0 && ol != fl) {
            char a[32], b[32];
            snprintf(a, sizeof a, "%ld", fl);
            snprintf(b, sizeof b, "%ld", ol);
            disagree("content_length", a, b);
        }
    }
    return 0;
}
