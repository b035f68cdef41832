/* sip_osip.c: SIP headers through libosip2 (RFC 3261 section 7; osip_message_parse), for the
 * messages the one-pass parser declines. */
#include "sip_osip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "cursor.h"
#include "sip_fast.h"

enum { URI_STR_MAX = 256, HEADER_LINE_MAX = 8192 };

static bool g_parser_ready;
static char *g_buf; /* the NUL-terminated copy libosip2 needs, reused */
static size_t g_buf_cap;
static osip_message_t *g_msg; /* the last parse, which *out points into */
static char g_from[URI_STR_MAX], g_to[URI_STR_MAX], g_callid[URI_STR_MAX];

static const char *nz(const char *s)
{
    return s ? s : "";
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

static void parser_ready(void)
{
    if (g_parser_ready)
        return;
    parser_init();
    osip_trace_initialize_func(END_TRACE_LEVEL, osip_quiet);
    for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; l++)
        osip_trace_disable_level((osip_trace_level_t)l);
    g_parser_ready = true;
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
        if (!sip_header_split(line, &name, &value) || !sip_header_is(name, "Content-Length", "l") ||
            value.n == 0)
            continue;
        size_t at = (size_t)(value.p - (const uint8_t *)g_buf); /* inside our own copy */
        g_buf[at] = '0';
        memset(g_buf + at + 1, ' ', value.n - 1);
    }
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

static const char *header_value(const osip_message_t *msg, const char *name)
{
    osip_header_t *h = NULL;
    if (osip_message_header_get_byname(msg, name, 0, &h) >= 0 && h)
        return nz(h->hvalue);
    return "";
}

void sip_osip_release(void)
{
    if (g_msg)
        osip_message_free(g_msg);
    g_msg = NULL;
}

enum sip_osip_rc sip_osip_parse(const uint8_t *head, size_t n, struct sip_fields *out)
{
    sip_osip_release();
    parser_ready();
    if (!ensure_buffer(n + 5))
        return SIP_OSIP_NOMEM;
    struct cur c = cur_make(head, n);
    if (n && !cur_copy(&c, g_buf, n))
        return SIP_OSIP_MALFORMED;
    zero_content_length(n);
    /* A datagram may end after its last header without the empty line
     * (sip.c takes it so); libosip2 insists on one: give it one. */
    bool lf1 = n >= 1 && g_buf[n - 1] == '\n';
    bool empty_line = lf1 && ((n >= 2 && g_buf[n - 2] == '\n') || (n >= 3 && g_buf[n - 2] == '\r' && g_buf[n - 3] == '\n'));
    if (!empty_line) {
        const char *add = lf1 ? "\r\n" : "\r\n\r\n";
        memcpy(g_buf + n, add, strlen(add));
        n += strlen(add);
    }
    g_buf[n] = '\0';

    osip_message_t *msg = NULL;
    if (osip_message_init(&msg) != 0)
        return SIP_OSIP_NOMEM;
    g_msg = msg;
    if (osip_message_parse(msg, g_buf, n) != 0 || msg->call_id == NULL || msg->cseq == NULL ||
        msg->from == NULL || msg->to == NULL || (MSG_IS_REQUEST(msg) && msg->sip_method == NULL)) {
        sip_osip_release();
        return SIP_OSIP_MALFORMED;
    }
    memset(out, 0, sizeof *out);
    out->is_request = MSG_IS_REQUEST(msg);
    out->status = out->is_request ? 0 : msg->status_code;
    out->method = sip_str_c(out->is_request ? nz(msg->sip_method) : "");
    out->reason = sip_str_c(nz(msg->reason_phrase));
    out->request_uri_host = sip_str_c(msg->req_uri ? nz(msg->req_uri->host) : "");
    out->cseq_method = sip_str_c(nz(msg->cseq->method));
    unsigned long cseq = strtoul(nz(msg->cseq->number), NULL, 10);
    out->cseq = cseq > UINT32_MAX ? UINT32_MAX : (uint32_t)cseq;
    if (msg->call_id->host)
        snprintf(g_callid, sizeof g_callid, "%s@%s", nz(msg->call_id->number), msg->call_id->host);
    else
        snprintf(g_callid, sizeof g_callid, "%s", nz(msg->call_id->number));
    out->call_id = sip_str_c(g_callid);
    uri_format(msg->from->url, g_from, sizeof g_from);
    uri_format(msg->to->url, g_to, sizeof g_to);
    out->from_uri = sip_str_c(g_from);
    out->to_uri = sip_str_c(g_to);
    out->from_tag = sip_str_c(from_tag(msg->from));
    out->to_tag = sip_str_c(from_tag(msg->to));
    osip_via_t *via = NULL;
    if (osip_message_get_via(msg, 0, &via) >= 0 && via) {
        out->via_transport = sip_str_c(nz(via->protocol));
        out->via_host = sip_str_c(nz(via->host));
    } else {
        out->via_transport = out->via_host = sip_str_c("");
    }
    osip_contact_t *contact = NULL;
    if (osip_message_get_contact(msg, 0, &contact) >= 0 && contact && contact->url)
        out->contact_host = sip_str_c(nz(contact->url->host));
    else
        out->contact_host = sip_str_c("");
    osip_record_route_t *rr = NULL;
    if (osip_message_get_record_route(msg, 0, &rr) >= 0 && rr && rr->url)
        out->record_route_host = sip_str_c(nz(rr->url->host));
    else
        out->record_route_host = sip_str_c("");
    osip_route_t *route = NULL;
    osip_uri_param_t *lr = NULL;
    out->route_host = sip_str_c("");
    if (osip_message_get_route(msg, 0, &route) >= 0 && route && route->url &&
        osip_uri_uparam_get_byname(route->url, "lr", &lr) == 0 && lr)
        out->route_host = sip_str_c(nz(route->url->host));
    out->warning = sip_str_c(header_value(msg, "warning"));
    out->ms_diagnostics = sip_str_c(header_value(msg, "ms-diagnostics"));
    const osip_content_type_t *ct = msg->content_type;
    out->ct_type = sip_str_c(ct ? nz(ct->type) : "");
    out->ct_subtype = sip_str_c(ct ? nz(ct->subtype) : "");
    out->ct_boundary = sip_str_c("");
    osip_generic_param_t *b = NULL;
    if (ct && osip_generic_param_get_byname((osip_list_t *)&ct->gen_params, "boundary", &b) == 0 && b &&
        b->gvalue)
        out->ct_boundary = sip_str_c(b->gvalue);
    return SIP_OSIP_OK;
}
