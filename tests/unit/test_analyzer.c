/* test_analyzer.c: events in, findings and the ipsec section out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer.h"
#include "modules.h"

static struct ip_addr v4(uint8_t last)
{
    struct ip_addr a = { .family = 4, .b = { 10, 0, 0, last } };
    return a;
}

struct fixture {
    struct limits lim;
    struct analyze_opts opts;
    struct report_out out;
    char *buf;
    size_t len;
    struct analyzer *an;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.lim = limits_default;
    f.opts.lim = &f.lim;
    f.out.fmt = FMT_JSON;
    f.out.f = open_memstream(&f.buf, &f.len);
    f.an = analyzer_new(&f.opts, &f.out, NULL);
    *state = &f;
    return f.an ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    analyzer_free(f->an);
    fclose(f->out.f);
    free(f->buf);
    return 0;
}

static void emit_ipsec(struct analyzer *an, enum ipsec_kind kind, uint8_t src, uint8_t dst, uint32_t spi,
                       uint64_t frame)
{
    struct ev_ipsec e = { .kind = kind, .src = v4(src), .dst = v4(dst), .spi = spi };
    struct frame_ref at = { .frame = frame };
    struct sink s = analyzer_sink(an);
    sink_emit(&s, EV_IPSEC, &at, NULL, &e);
}

static void ipsec_pairs_merge_both_directions(void **state)
{
    struct fixture *f = *state;
    emit_ipsec(f->an, IPSEC_IKE, 1, 2, 0, 1);
    emit_ipsec(f->an, IPSEC_ESP, 1, 2, 0x1111, 2);
    emit_ipsec(f->an, IPSEC_ESP, 2, 1, 0x2222, 3);
    emit_ipsec(f->an, IPSEC_ESP, 2, 1, 0x2222, 4);
    struct analyze_ctx *ctx = analyzer_ctx(f->an);
    struct ip_addr a = v4(1), b = v4(2), c = v4(3);
    assert_true(ipsec_between(ctx->ipsec, &a, &b));
    assert_true(ipsec_between(ctx->ipsec, &b, &a));
    assert_false(ipsec_between(ctx->ipsec, &a, &c));
    struct jw w;
    jw_init(&w, f->out.f, false);
    ipsec_write_json(ctx->ipsec, &w);
    fflush(f->out.f);
    assert_non_null(strstr(f->buf, "\"hosts\":[\"10.0.0.1\",\"10.0.0.2\"]"));
    assert_non_null(strstr(f->buf, "\"esp_packets\":3"));
    assert_non_null(strstr(f->buf, "\"ike_packets\":1"));
    assert_non_null(strstr(f->buf, "\"spis\":[\"0x00001111\",\"0x00002222\"]"));
}

static void stream_gaps_become_one_tcp_stream_gap_finding(void **state)
{
    struct fixture *f = *state;
    struct sink s = analyzer_sink(f->an);
    struct ev_anomaly gap = { .layer = "sip", .code = "stream_gap" };
    for (uint64_t frame = 10; frame < 13; frame++) {
        struct frame_ref at = { .frame = frame };
        sink_emit(&s, EV_ANOMALY, &at, NULL, &gap);
    }
    struct input_summary in = { 0 };
    analyzer_finish(f->an, &in);
    const struct findings *fs = analyzer_findings(f->an);
    assert_int_equal(findings_count(fs), 1);
    assert_int_equal(finding_code(findings_at(fs, 0)), F_TCP_STREAM_GAP);
    assert_non_null(strstr(finding_summary(findings_at(fs, 0)), "3 sip messages"));
}

static void damaged_file_raises_capture_truncated(void **state)
{
    struct fixture *f = *state;
    struct input_summary in = { .packets = 41, .file_truncated = true, .truncated_frame = 42 };
    snprintf(in.truncated_reason, sizeof in.truncated_reason, "x.pcap: truncated dump file");
    analyzer_finish(f->an, &in);
    const struct findings *fs = analyzer_findings(f->an);
    assert_int_equal(findings_count(fs), 1);
    assert_int_equal(finding_code(findings_at(fs, 0)), F_CAPTURE_TRUNCATED);
    assert_int_equal(finding_severity(findings_at(fs, 0)), SEV_WARNING);
}

static void decode_error_anomalies_are_counted(void **state)
{
    struct fixture *f = *state;
    struct sink s = analyzer_sink(f->an);
    struct ev_anomaly bad = { .layer = "sip", .code = "malformed", .counts_as_decode_error = true };
    struct frame_ref at = { .frame = 5 };
    sink_emit(&s, EV_ANOMALY, &at, NULL, &bad);
    sink_emit(&s, EV_ANOMALY, &at, NULL, &bad);
    assert_int_equal(analyzer_decode_errors(f->an), 2);
}

static void findings_respect_their_cap(void **state)
{
    (void)state;
    struct findings *fs = findings_new(2, NULL, NULL);
    struct finding_spec spec = { .code = F_RTP_LOSS, .severity = SEV_WARNING, .summary = "x" };
    for (int i = 0; i < 5; i++)
        findings_add(fs, &spec);
    assert_int_equal(findings_count(fs), 2);
    assert_int_equal(findings_dropped(fs), 3);
    findings_free(fs);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ipsec_pairs_merge_both_directions),
        T(stream_gaps_become_one_tcp_stream_gap_finding),
        T(damaged_file_raises_capture_truncated),
        T(decode_error_anomalies_are_counted),
        cmocka_unit_test(findings_respect_their_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
