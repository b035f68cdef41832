/* ipsec.c: ESP and IKE traffic per host pair, for the report and media correlation. */
#include <stdlib.h>
#include <string.h>

#include "modules.h"

/* SPIs listed per pair; more are counted, not listed. */
enum { IPSEC_SPIS_MAX = 16 };

struct ipsec_pair {
    struct ip_addr lo, hi; /* ordered so both directions share an entry */
    uint64_t esp_packets, ike_packets;
    uint32_t spis[IPSEC_SPIS_MAX];
    size_t n_spis;
    uint64_t first_frame;
};

struct ipsec_state {
    struct analyze_ctx *ctx;
    struct ipsec_pair *pairs; /* few pairs in practice: a linear scan is fine */
    size_t n, cap;
    uint64_t pairs_dropped;
};

struct ipsec_state *ipsec_new(struct analyze_ctx *ctx)
{
    struct ipsec_state *s = calloc(1, sizeof *s);
    if (s)
        s->ctx = ctx;
    return s;
}

void ipsec_free(struct ipsec_state *s)
{
    if (s)
        free(s->pairs);
    free(s);
}

static void order(const struct ip_addr *a, const struct ip_addr *b, struct ip_addr *lo, struct ip_addr *hi)
{
    if (ip_addr_cmp(a, b) <= 0) {
        *lo = *a;
        *hi = *b;
    } else {
        *lo = *b;
        *hi = *a;
    }
}

static struct ipsec_pair *pair_find(const struct ipsec_state *s, const struct ip_addr *a,
                                    const struct ip_addr *b)
{
    struct ip_addr lo, hi;
    order(a, b, &lo, &hi);
    for (size_t i = 0; i < s->n; i++)
        if (ip_addr_eq(&s->pairs[i].lo, &lo) && ip_addr_eq(&s->pairs[i].hi, &hi))
            return &s->pairs[i];
    return NULL;
}

static struct ipsec_pair *pair_get(struct ipsec_state *s, const struct ip_addr *a,
                                   const struct ip_addr *b, uint64_t frame)
{
    struct ipsec_pair *p = pair_find(s, a, b);
    if (p)
        return p;
    if (s->n >= s->ctx->opts->lim->ipsec_pairs_max) {
        s->pairs_dropped++;
        return NULL;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct ipsec_pair *np = realloc(s->pairs, cap * sizeof *np);
        if (np == NULL)
            return NULL;
        s->pairs = np;
        s->cap = cap;
    }
    p = &s->pairs[s->n++];
    memset(p, 0, sizeof *p);
    order(a, b, &p->lo, &p->hi);
    p->first_frame = frame;
    return p;
}

void ipsec_event(struct ipsec_state *s, const struct event *ev)
{
    const struct ev_ipsec *e = ev->body;
    struct ipsec_pair *p = pair_get(s, &e->src, &e->dst, ev->at.frame);
    if (p == NULL)
        return;
    if (e->kind == IPSEC_IKE) {
        p->ike_packets++;
        return;
    }
    p->esp_packets++;
    for (size_t i = 0; i < p->n_spis; i++)
        if (p->spis[i] == e->spi)
            return;
    if (p->n_spis < IPSEC_SPIS_MAX)
        p->spis[p->n_spis++] = e->spi;
}

bool ipsec_between(const struct ipsec_state *s, const struct ip_addr *a, const struct ip_addr *b)
{
    const struct ipsec_pair *p = pair_find(s, a, b);
    return p && (p->esp_packets || p->ike_packets);
}

static void pair_write_fields(struct jw *w, const void *obj)
{
    const struct ipsec_pair *p = obj;
    jw_key(w, "hosts");
    jw_arr_begin(w);
    jw_ip(w, &p->lo);
    jw_ip(w, &p->hi);
    jw_arr_end(w);
    jw_kuint(w, "esp_packets", p->esp_packets);
    jw_kuint(w, "ike_packets", p->ike_packets);
    jw_key(w, "spis");
    jw_arr_begin(w);
    for (size_t i = 0; i < p->n_spis; i++) {
        char spi[12];
        snprintf(spi, sizeof spi, "0x%08x", p->spis[i]);
        jw_str(w, spi);
    }
    jw_arr_end(w);
    jw_kuint(w, "first_frame", p->first_frame);
}

void ipsec_write_json(struct ipsec_state *s, struct jw *w)
{
    if (report_is_streaming(s->ctx->out)) {
        for (size_t i = 0; i < s->n; i++)
            report_stream_object(s->ctx->out, "ipsec", pair_write_fields, &s->pairs[i]);
        return;
    }
    jw_arr_begin(w);
    for (size_t i = 0; i < s->n; i++) {
        jw_obj_begin(w);
        pair_write_fields(w, &s->pairs[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void ipsec_write_text(struct ipsec_state *s, FILE *out)
{
    if (s->n == 0)
        return;
    fprintf(out, "\nIPsec\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct ipsec_pair *p = &s->pairs[i];
        char a[IP_ADDR_STR_MAX], b[IP_ADDR_STR_MAX];
        ip_addr_format(&p->lo, a);
        ip_addr_format(&p->hi, b);
        fprintf(out, "  %s <-> %s: %llu ESP (%zu SPI%s), %llu IKE\n", a, b,
                (unsigned long long)p->esp_packets, p->n_spis, p->n_spis == 1 ? "" : "s",
                (unsigned long long)p->ike_packets);
    }
}
