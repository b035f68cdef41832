/* test_tls_calls.c: SIP over TLS seen only as TLS, in ndjson: its entry outlives the session and
 * is written once, when no stream can join it any more (analyze/tls_calls.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules.h"
#include "tls_event.h"

static const ts_ns S = 1000000000LL;
static const ts_ns T0 = 1767225600LL * 1000000000LL;

struct fixture {
    struct limits lim;
    struct analyze_opts opts;
    struct report_out out;
    struct analyze_ctx ctx;
    char *buf;
    size_t len;
};

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->lim = limits_default;
    f->lim.udp_idle_ms = 2000;
    f->opts.lim = &f->lim;
    f->out.fmt = FMT_NDJSON;
    f->out.f = open_memstream(&f->buf, &f->len);
    f->ctx.opts = &f->opts;
    f->ctx.out = &f->out;
    f->ctx.findings = findings_new(100, NULL, NULL);
    f->ctx.tls = tls_state_new(&f->ctx);
    f->ctx.calls = calls_new(&f->ctx);
    assert_non_null(f->ctx.calls);
    return f;
}

static void fx_free(struct fixture *f)
{
    calls_free(f->ctx.calls);
    tls_state_free(f->ctx.tls);
    findings_free(f->ctx.findings);
    fclose(f->out.f);
    free(f->buf);
    free(f);
}

static struct flow_key conn(uint16_t cport)
{
    struct flow_key k = { .sport = cport, .dport = 5061, .proto = L4_TCP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = k.dst.b[0] = 10;
    k.src.b[3] = 1;
    k.dst.b[3] = 2;
    return k;
}

/* As the analyzer routes it: the TLS module first, then the calls. */
static void send(struct fixture *f, struct flow_key k, enum tls_ev_kind kind, enum dir from, uint64_t frame, ts_ns ts)
{
    struct ev_tls e = { .kind = kind, .conn = k, .from = from, .version = 0x0303, .first = { 1, T0 } };
    struct event ev = { .kind = EV_TLS, .at = { frame, ts }, .flow = &e.conn, .body = &e };
    tls_state_event(f->ctx.tls, &ev);
    calls_event(f->ctx.calls, &ev);
}

static size_t count(const struct fixture *f, const char *needle)
{
    fflush(f->out.f);
    size_t n = 0;
    for (const char *p = f->buf; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_ndjson_entry_written_once_after_its_connection_is_long_gone(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    struct flow_key k = conn(40000);
    send(f, k, TLS_EV_CLIENT_HELLO, DIR_C2S, 1, T0);
    send(f, k, TLS_EV_SERVER_HELLO, DIR_S2C, 2, T0);
    send(f, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_C2S, 3, T0);
    send(f, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_S2C, 4, T0);
    send(f, k, TLS_EV_APPLICATION_DATA, DIR_C2S, 5, T0 + 1 * S);
    send(f, k, TLS_EV_CLOSE, DIR_C2S, 0, 0); /* closes carry no time */
    /* the TLS module forgets the ended session; the entry kept what it needs */
    tls_state_tick(f->ctx.tls, T0 + 5 * S);
    assert_null(tls_session_for_flow(f->ctx.tls, &k));
    calls_tick(f->ctx.calls, T0 + 10 * S);
    assert_int_equal(count(f, "\"opaque\":true"), 0); /* a stream may still join it */
    /* 32 s of slack + udp_idle_ms after the last record */
    calls_tick(f->ctx.calls, T0 + 1 * S + 32 * S + 3 * S);
    assert_int_equal(count(f, "\"opaque\":true"), 1);
    assert_non_null(strstr(f->buf, "\"tls_session\":\"tls-1\""));
    calls_finish(f->ctx.calls);
    calls_finish_media(f->ctx.calls);
    assert_int_equal(count(f, "\"opaque\":true"), 1);
    fx_free(f);
}

static void test_ndjson_open_connection_keeps_its_entry(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    struct flow_key k = conn(40002);
    send(f, k, TLS_EV_CLIENT_HELLO, DIR_C2S, 1, T0);
    send(f, k, TLS_EV_SERVER_HELLO, DIR_S2C, 2, T0);
    send(f, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_C2S, 3, T0);
    send(f, k, TLS_EV_CHANGE_CIPHER_SPEC, DIR_S2C, 4, T0);
    calls_tick(f->ctx.calls, T0 + 100 * S);
    assert_int_equal(count(f, "\"opaque\":true"), 0);
    calls_finish(f->ctx.calls);
    calls_finish_media(f->ctx.calls);
    assert_int_equal(count(f, "\"opaque\":true"), 1); /* at the end of the capture */
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson_entry_written_once_after_its_connection_is_long_gone),
        cmocka_unit_test(test_ndjson_open_connection_keeps_its_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
