/* sip_fast.c: the SIP start line and the headers the analysis needs, one pass, no allocation
 * (RFC 3261 sections 7.1, 7.3.1, 7.3.3, 8.1.1, 20.10, 20.14, 20.16, 20.20, 20.42, 25.1). */
#include "sip_fast.h"

#include <string.h>

/*
 * libosip2 builds a full object tree per message (a malloc per header,
 * parameter and URI part): most of sipsec's time on a SIP-heavy capture.
 * The analysis reads a dozen fields, so this parser reads only those, and
 * only in their plain forms:
 *
 *   From: "Alice" <sip:alice@example.com:5060;transport=tcp>;tag=1928
 *   To: sip:bob@example.com                    (addr-spec: params are header params)
 *   Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776
 *   Call-ID: a84b4c76e66710@pc33.example.com
 *   CSeq: 314159 INVITE
 *   Content-Type: multipart/mixed;boundary="b1"
 *
 * Anything else it declines (folded lines, escapes, IPv6 references,
 * quoted-pair display names, tel: and other schemes, a repeated From,
 * To, Call-ID or CSeq, a missing one): the caller then parses the message
 * with libosip2, so odd messages get the full grammar and the same verdict
 * (malformed or not) as before. Results equal libosip2's for the forms it
 * accepts (tests/unit/test_sip.c checks both paths on the same messages).
 */

/*
 * ---- span helpers ----
 * A span is a bounded view (capture/cursor.h). These are the cursor's
 * checks written in line, because this parser runs on every SIP message:
 * every index is tested against the span's length before the byte is
 * read, and a sub-span is formed only after off <= n and len <= n - off.
 */

static struct span sp_sub(struct span s, size_t off, size_t len)
{
    if (off > s.n || len > s.n - off)
        return (struct span){ s.p, 0 };
    return (struct span){ s.p + off, len };
}

static struct span sp_from(struct span s, size_t off)
{
    return off <= s.n ? (struct span){ s.p + off, s.n - off } : (struct span){ s.p, 0 };
}

static inline uint8_t sp_at(struct span s, size_t i)
{
    return i < s.n ? s.p[i] : 0;
}

/* Index of the first ch in s, or s.n. */
static size_t sp_find(struct span s, uint8_t ch)
{
    const uint8_t *f = s.n ? memchr(s.p, ch, s.n) : NULL;
    return f ? (size_t)(f - s.p) : s.n;
}

static bool sp_has(struct span s, uint8_t ch)
{
    return sp_find(s, ch) < s.n;
}

static struct span sp_trim(struct span s)
{
    size_t a = 0, b = s.n;
    while (a < b && (s.p[a] == ' ' || s.p[a] == '\t'))
        a++;
    while (b > a && (s.p[b - 1] == ' ' || s.p[b - 1] == '\t'))
        b--;
    return (struct span){ s.p + a, b - a };
}

static void sp_copy(struct span s, char *out, size_t cap)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(out, s.p, n);
    out[n] = '\0';
}

/* RFC 3261 section 25.1 token characters: alphanum and -.!%*_+`'~ */
static const uint8_t token_chars[256] = {
    ['!'] = 1, ['%'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['_'] = 1, ['`'] = 1,
    ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static bool sp_is_token(struct span s)
{
    if (s.n == 0)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!token_chars[s.p[i]])
            return false;
    return true;
}

/* Case-insensitive s == lit (lit lower-case ASCII, n its length). */
static bool sp_ieq(struct span s, const char *lit, size_t n)
{
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s.p[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (a != (uint8_t)lit[i])
            return false;
    }
    return true;
}
#define SP_IEQ(s, lit) sp_ieq((s), (lit), sizeof(lit) - 1)

/* ---- URIs: sip:user[:password]@host[:port][;params][?headers] ---- */

struct uri_parts {
    struct span scheme, user, host, port;
};

static bool scheme_is_sip(struct span s)
{
    return SP_IEQ(s, "sip") || SP_IEQ(s, "sips");
}

/* Only the plain sip/sips form; tel:, escapes and IPv6 go to libosip2.
 * One pass notes where the delimiters first occur. */
static bool uri_split(struct span u, struct uri_parts *out)
{
    memset(out, 0, sizeof *out);
    size_t colon = u.n, at = u.n, semi = u.n, q = u.n;
    for (size_t i = 0; i < u.n; i++) {
        switch (u.p[i]) {
        case '%': case '[': case ' ': case '\t': case '"':
            return false;
        case ':': if (colon == u.n) colon = i; break;
        case '@': if (at == u.n) at = i; break;
        case ';': if (semi == u.n) semi = i; break;
        case '?': if (q == u.n) q = i; break;
        default: break;
        }
    }
    if (colon == u.n)
        return false;
    out->scheme = sp_sub(u, 0, colon);
    if (!scheme_is_sip(out->scheme))
        return false;
    size_t host_at = colon + 1;
    if (at < u.n) {
        /* user parameters (';' or '?' before '@') or an empty user: libosip2's */
        if (at < colon || semi < at || q < at || at == colon + 1)
            return false;
        struct span userinfo = sp_sub(u, colon + 1, at - colon - 1);
        out->user = sp_sub(userinfo, 0, sp_find(userinfo, ':'));
        host_at = at + 1;
    }
    size_t end = semi < q ? semi : q;
    if (end < host_at)
        end = u.n; /* ';' / '?' only inside the user part: cannot be, checked above */
    struct span hostport = sp_sub(u, host_at, end - host_at);
    size_t pc = sp_find(hostport, ':');
    out->host = sp_sub(hostport, 0, pc);
    if (pc < hostport.n) {
        out->port = sp_from(hostport, pc + 1);
        if (out->port.n == 0)
            return false;
        for (size_t i = 0; i < out->port.n; i++)
            if (out->port.p[i] < '0' || out->port.p[i] > '9')
                return false;
    }
    return out->host.n > 0;
}

/* "scheme:user@host:port", as sip.c's uri_format writes libosip2's URI. */
static void uri_format_parts(const struct uri_parts *p, char *out, size_t cap)
{
    char scheme[8], user[128], host[128], port[8];
    sp_copy(p->scheme, scheme, sizeof scheme);
    sp_copy(p->user, user, sizeof user);
    sp_copy(p->host, host, sizeof host);
    sp_copy(p->port, port, sizeof port);
    size_t n = 0;
    const char *parts[] = { scheme, ":", user, p->user.n ? "@" : "", host, p->port.n ? ":" : "", port };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t l = strlen(parts[i]);
        if (n + l >= cap)
            l = cap - 1 - n;
        memcpy(out + n, parts[i], l);
        n += l;
    }
    out[n] = '\0';
}

/* The tag header parameter among ";a=b;tag=x" (case-insensitive name). */
static void find_tag(struct span params, char *out, size_t cap)
{
    out[0] = '\0';
    while (params.n) {
        size_t semi = sp_find(params, ';');
        struct span p = sp_trim(sp_sub(params, 0, semi));
        size_t eq = sp_find(p, '=');
        if (eq < p.n && SP_IEQ(sp_trim(sp_sub(p, 0, eq)), "tag")) {
            sp_copy(sp_trim(sp_from(p, eq + 1)), out, cap);
            return;
        }
        params = sp_from(params, semi < params.n ? semi + 1 : params.n);
    }
}

/*
 * From / To / Contact value: [display-name] <URI> *(;param), or an
 * addr-spec whose ;params are header parameters. uri gets the URI,
 * params what follows it.
 */
static bool name_addr(struct span v, struct span *uri, struct span *params)
{
    size_t lt = sp_find(v, '<');
    if (lt < v.n) {
        struct span display = sp_sub(v, 0, lt);
        if (sp_has(display, '\\') || sp_has(display, '>'))
            return false;
        /* a quoted display name holding '<' would fool this split */
        size_t quotes = 0;
        for (size_t i = 0; i < display.n; i++)
            quotes += sp_at(display, i) == '"';
        if (quotes % 2)
            return false;
        struct span after = sp_from(v, lt + 1);
        size_t gt = sp_find(after, '>');
        if (gt == after.n)
            return false;
        *uri = sp_sub(after, 0, gt);
        *params = sp_from(after, gt + 1);
        return params->n == 0 || sp_at(*params, 0) == ';' || sp_at(*params, 0) == ' ';
    }
    if (sp_has(v, '"') || sp_has(v, ','))
        return false;
    size_t semi = sp_find(v, ';');
    *uri = sp_trim(sp_sub(v, 0, semi));
    *params = sp_from(v, semi);
    return true;
}

static bool parse_party(struct span v, char *uri_out, size_t uri_cap, char *tag_out, size_t tag_cap)
{
    struct span uri, params;
    struct uri_parts up;
    if (!name_addr(v, &uri, &params) || !uri_split(uri, &up))
        return false;
    uri_format_parts(&up, uri_out, uri_cap);
    if (tag_out)
        find_tag(params, tag_out, tag_cap);
    return true;
}

/* Via: SIP/2.0/UDP host[:port][;params][, next-via] -> "UDP", "host". */
static bool parse_via(struct span v, struct sip_fast *out)
{
    struct span first = sp_sub(v, 0, sp_find(v, ','));
    size_t s1 = sp_find(first, '/');
    struct span r1 = sp_from(first, s1 + 1);
    size_t s2 = sp_find(r1, '/');
    if (s1 == first.n || s2 == r1.n)
        return false;
    struct span r2 = sp_from(r1, s2 + 1);
    size_t sp = 0;
    while (sp < r2.n && sp_at(r2, sp) != ' ' && sp_at(r2, sp) != '\t')
        sp++;
    struct span proto = sp_sub(r2, 0, sp);
    struct span sent_by = sp_trim(sp_from(r2, sp));
    if (!sp_is_token(proto) || sent_by.n == 0 || sp_at(sent_by, 0) == '[')
        return false;
    size_t end = 0;
    while (end < sent_by.n && sp_at(sent_by, end) != ':' && sp_at(sent_by, end) != ';' &&
           sp_at(sent_by, end) != ' ')
        end++;
    sp_copy(proto, out->via_transport, sizeof out->via_transport);
    sp_copy(sp_sub(sent_by, 0, end), out->via_host, sizeof out->via_host);
    return out->via_host[0] != '\0';
}

/* Does a URI's parameter list (";transport=tls;lr") hold lr (RFC 3261 section 19.1.1)? */
static bool uri_is_loose_route(struct span uri)
{
    struct span params = sp_from(uri, sp_find(uri, ';'));
    params = sp_sub(params, 0, sp_find(params, '?'));
    while (params.n) {
        params = sp_from(params, 1); /* past ';' */
        size_t next = sp_find(params, ';');
        struct span p = sp_sub(params, 0, next);
        if (SP_IEQ(sp_trim(sp_sub(p, 0, sp_find(p, '='))), "lr"))
            return true;
        params = sp_from(params, next);
    }
    return false;
}

/*
 * Record-Route / Route: name-addr *(;rr-param) *(, ...) (RFC 3261 sections 20.30, 20.34): the
 * topmost entry's host. For Route only when it is a loose route, the next hop.
 */
static bool parse_route(struct span v, bool is_route, struct sip_fast *out)
{
    struct span u, params;
    struct uri_parts up;
    if (!name_addr(sp_sub(v, 0, sp_find(v, ',')), &u, &params) || !uri_split(u, &up))
        return false;
    if (!is_route)
        sp_copy(up.host, out->record_route_host, sizeof out->record_route_host);
    else if (uri_is_loose_route(u))
        sp_copy(up.host, out->route_host, sizeof out->route_host);
    return true;
}

/* CSeq: 1*DIGIT LWS Method */
static bool parse_cseq(struct span v, struct sip_fast *out)
{
    size_t i = 0;
    uint64_t n = 0;
    while (i < v.n && sp_at(v, i) >= '0' && sp_at(v, i) <= '9') {
        if (n < UINT32_MAX)
            n = n * 10 + (uint64_t)(sp_at(v, i) - '0');
        i++;
    }
    if (i == 0 || i > 10)
        return false;
    struct span m = sp_trim(sp_from(v, i));
    if (m.n == sp_from(v, i).n || !sp_is_token(m)) /* at least one blank, then a token */
        return false;
    out->cseq = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    sp_copy(m, out->cseq_method, sizeof out->cseq_method);
    return true;
}

/* Content-Type: type/subtype *(;param), boundary kept as written. */
static bool parse_content_type(struct span v, struct sip_fast *out)
{
    size_t semi = sp_find(v, ';');
    struct span media = sp_trim(sp_sub(v, 0, semi));
    size_t slash = sp_find(media, '/');
    if (slash == media.n)
        return false;
    struct span type = sp_trim(sp_sub(media, 0, slash)), sub = sp_trim(sp_from(media, slash + 1));
    if (!sp_is_token(type) || !sp_is_token(sub))
        return false;
    sp_copy(type, out->ct_type, sizeof out->ct_type);
    sp_copy(sub, out->ct_subtype, sizeof out->ct_subtype);
    struct span params = sp_from(v, semi);
    while (params.n) {
        params = sp_from(params, 1); /* past ';' */
        size_t next = sp_find(params, ';');
        struct span p = sp_trim(sp_sub(params, 0, next));
        size_t eq = sp_find(p, '=');
        if (eq < p.n && SP_IEQ(sp_trim(sp_sub(p, 0, eq)), "boundary")) {
            struct span b = sp_trim(sp_from(p, eq + 1));
            if (sp_has(b, '\\'))
                return false;
            sp_copy(b, out->ct_boundary, sizeof out->ct_boundary);
        }
        params = sp_from(params, next);
    }
    return true;
}

/* ---- the message ---- */

static bool parse_start_line(struct span line, struct sip_fast *out)
{
    if (span_starts_with(line, "SIP/2.0 ")) {
        struct span r = sp_from(line, 8);
        if (r.n < 3)
            return false;
        int st = 0;
        for (size_t i = 0; i < 3; i++) {
            uint8_t d = sp_at(r, i);
            if (d < '0' || d > '9')
                return false;
            st = st * 10 + (d - '0');
        }
        if (st < 100 || st > 699 || (r.n > 3 && sp_at(r, 3) != ' '))
            return false;
        out->status = st;
        sp_copy(sp_trim(sp_from(r, 3)), out->reason, sizeof out->reason);
        return true;
    }
    size_t sp1 = sp_find(line, ' ');
    struct span method = sp_sub(line, 0, sp1);
    struct span rest = sp_from(line, sp1 + 1);
    size_t sp2 = sp_find(rest, ' ');
    struct span uri = sp_sub(rest, 0, sp2);
    struct span version = sp_from(rest, sp2 + 1);
    if (sp1 == line.n || sp2 == rest.n || !sp_is_token(method) || !span_eq(version, "SIP/2.0"))
        return false;
    struct uri_parts up;
    if (!uri_split(uri, &up))
        return false;
    out->is_request = true;
    sp_copy(method, out->method, sizeof out->method);
    sp_copy(up.host, out->request_uri_host, sizeof out->request_uri_host);
    return true;
}

enum hdr { H_OTHER, H_CALL_ID, H_FROM, H_TO, H_VIA, H_CSEQ, H_CONTACT, H_CTYPE, H_WARNING, H_MSDIAG,
           H_RECORD_ROUTE, H_ROUTE };

static enum hdr header_kind(struct span n)
{
    if (n.n == 1) {
        switch (sp_at(n, 0) | 0x20) {
        case 'i': return H_CALL_ID;
        case 'f': return H_FROM;
        case 't': return H_TO;
        case 'v': return H_VIA;
        case 'm': return H_CONTACT;
        case 'c': return H_CTYPE;
        default: return H_OTHER;
        }
    }
    switch (sp_at(n, 0) | 0x20) {
    case 'c':
        if (SP_IEQ(n, "call-id")) return H_CALL_ID;
        if (SP_IEQ(n, "cseq")) return H_CSEQ;
        if (SP_IEQ(n, "contact")) return H_CONTACT;
        if (SP_IEQ(n, "content-type")) return H_CTYPE;
        return H_OTHER;
    case 'f': return SP_IEQ(n, "from") ? H_FROM : H_OTHER;
    case 't': return SP_IEQ(n, "to") ? H_TO : H_OTHER;
    case 'v': return SP_IEQ(n, "via") ? H_VIA : H_OTHER;
    case 'w': return SP_IEQ(n, "warning") ? H_WARNING : H_OTHER;
    case 'm': return SP_IEQ(n, "ms-diagnostics") ? H_MSDIAG : H_OTHER;
    case 'r':
        if (SP_IEQ(n, "record-route")) return H_RECORD_ROUTE;
        return SP_IEQ(n, "route") ? H_ROUTE : H_OTHER;
    default: return H_OTHER;
    }
}

bool sip_fast_parse(struct span head, struct sip_fast *out)
{
    out->is_request = false;
    out->status = 0;
    out->cseq = 0;
    char *strs[] = { out->method, out->reason, out->call_id, out->from_uri, out->to_uri, out->from_tag,
                     out->to_tag, out->cseq_method, out->via_transport, out->via_host,
                     out->request_uri_host, out->contact_host, out->record_route_host, out->route_host,
                     out->warning, out->ms_diagnostics,
                     out->ct_type, out->ct_subtype, out->ct_boundary };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        strs[i][0] = '\0';

    struct cur c = cur_make(head.p, head.n);
    struct span line;
    if (!cur_line(&c, &line, head.n) || !parse_start_line(line, out))
        return false;
    unsigned seen = 0; /* bit per enum hdr */
    for (;;) {
        if (!cur_line(&c, &line, head.n)) {
            /* the last header may lack its line end (a datagram cut at the headers) */
            if (cur_left(&c) == 0)
                break;
            line = cur_rest(&c);
        }
        if (line.n == 0)
            break;
        uint8_t b0 = sp_at(line, 0);
        if (b0 == ' ' || b0 == '\t')
            return false; /* folded continuation line */
        size_t colon = sp_find(line, ':');
        if (colon == line.n)
            return false;
        struct span name = sp_trim(sp_sub(line, 0, colon));
        if (!sp_is_token(name))
            return false;
        enum hdr h = header_kind(name);
        if (h == H_OTHER)
            continue;
        struct span v = sp_trim(sp_from(line, colon + 1));
        bool first = !(seen & (1u << h));
        seen |= 1u << h;
        switch (h) {
        case H_CALL_ID:
            if (!first || v.n == 0 || sp_has(v, ' ') || sp_has(v, '\t'))
                return false;
            sp_copy(v, out->call_id, sizeof out->call_id);
            break;
        case H_FROM:
            if (!first || !parse_party(v, out->from_uri, sizeof out->from_uri, out->from_tag, sizeof out->from_tag))
                return false;
            break;
        case H_TO:
            if (!first || !parse_party(v, out->to_uri, sizeof out->to_uri, out->to_tag, sizeof out->to_tag))
                return false;
            break;
        case H_CSEQ:
            if (!first || !parse_cseq(v, out))
                return false;
            break;
        case H_VIA:
            if (first && !parse_via(v, out))
                return false;
            break;
        case H_CONTACT:
            if (first) {
                struct span u, params;
                struct uri_parts up;
                if (span_eq(v, "*") || !name_addr(sp_sub(v, 0, sp_find(v, ',')), &u, &params) ||
                    !uri_split(u, &up))
                    return false;
                sp_copy(up.host, out->contact_host, sizeof out->contact_host);
            }
            break;
        case H_RECORD_ROUTE:
        case H_ROUTE:
            if (first && !parse_route(v, h == H_ROUTE, out))
                return false;
            break;
        case H_CTYPE:
            if (!first || !parse_content_type(v, out))
                return false;
            break;
        case H_WARNING:
            if (first)
                sp_copy(v, out->warning, sizeof out->warning);
            break;
        case H_MSDIAG:
            if (first)
                sp_copy(v, out->ms_diagnostics, sizeof out->ms_diagnostics);
            break;
        default:
            break;
        }
    }
    unsigned need = 1u << H_CALL_ID | 1u << H_FROM | 1u << H_TO | 1u << H_CSEQ;
    return (seen & need) == need;
}
