/* analyzer.c: routes dissector events to the analysis modules and runs end-of-capture rules. */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "capture_loss.h"
#include "modules.h"

/* Distinct anomaly kinds remembered for findings; more are counted. */
enum { ANOMALY_KINDS_MAX = 64 };

struct anomaly_kind {
    const char *layer, *code; /* static strings from the dissectors */
    uint64_t count;
    uint64_t frames[FINDING_FRAMES_MAX];
    size_t n_frames;
};

struct analyzer {
    struct analyze_opts opts;
    struct analyze_ctx ctx;
    struct anomaly_kind anomalies[ANOMALY_KINDS_MAX];
    size_t n_anomalies;
    uint64_t dissect_decode_errors;
    struct capture_loss *loss; /* live only */
    bool drops_reported;
};

bool profile_parse(const char *s, enum profile *out)
{
    static const enum profile all[] = { PROFILE_GENERIC, PROFILE_EXCHANGE_UM, PROFILE_OCS2007 };
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(s, profile_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

const char *profile_name(enum profile p)
{
    switch (p) {
    case PROFILE_EXCHANGE_UM: return "exchange-um";
    case PROFILE_OCS2007: return "ocs2007";
    default: return "generic";
    }
}

static void finding_fields(struct jw *w, const void *obj)
{
    finding_write_fields(w, obj);
}

static void stream_finding(void *ctx, const struct finding *f)
{
    struct analyzer *a = ctx;
    if (a->ctx.out->stream_text) {
        const struct findings *fs = a->ctx.findings;
        size_t number = findings_severity_count(fs, SEV_ERROR) + findings_severity_count(fs, SEV_WARNING) +
                        findings_severity_count(fs, SEV_INFO);
        finding_write_text(a->ctx.out->f, f, number);
        fflush(a->ctx.out->f);
        return;
    }
    report_stream_object(a->ctx.out, "finding", finding_fields, f);
}

struct analyzer *analyzer_new(const struct analyze_opts *opts, struct report_out *out,
                              struct media_expect *media)
{
    struct analyzer *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->opts = *opts;
    a->ctx.opts = &a->opts;
    a->ctx.out = out;
    a->ctx.media = media;
    a->ctx.findings = findings_new(opts->lim->findings_max, stream_finding, a);
    if (a->ctx.findings && out && report_is_streaming(out))
        findings_pass_through(a->ctx.findings);
    if (opts->live) {
        a->loss = malloc(sizeof *a->loss);
        if (a->loss == NULL) {
            analyzer_free(a);
            return NULL;
        }
        capture_loss_init(a->loss);
        a->ctx.capture_loss = a->loss;
    }
    a->ctx.ipsec = ipsec_new(&a->ctx);
    a->ctx.tls = tls_state_new(&a->ctx);
    a->ctx.calls = calls_new(&a->ctx);
    a->ctx.rtp = rtp_state_new(&a->ctx);
    if (!a->ctx.findings || !a->ctx.ipsec || !a->ctx.tls || !a->ctx.calls || !a->ctx.rtp) {
        analyzer_free(a);
        return NULL;
    }
    return a;
}

void analyzer_free(struct analyzer *a)
{
    if (a == NULL)
        return;
    rtp_state_free(a->ctx.rtp);
    calls_free(a->ctx.calls);
    tls_state_free(a->ctx.tls);
    ipsec_free(a->ctx.ipsec);
    findings_free(a->ctx.findings);
    free(a->loss);
    free(a);
}

static void note_anomaly(struct analyzer *a, const struct event *ev)
{
    const struct ev_anomaly *an = ev->body;
    if (an->counts_as_decode_error)
        a->dissect_decode_errors++;
    struct anomaly_kind *k = NULL;
    for (size_t i = 0; i < a->n_anomalies; i++) {
        if (strcmp(a->anomalies[i].layer, an->layer) == 0 && strcmp(a->anomalies[i].code, an->code) == 0) {
            k = &a->anomalies[i];
            break;
        }
    }
    if (k == NULL) {
        if (a->n_anomalies == ANOMALY_KINDS_MAX)
            return;
        k = &a->anomalies[a->n_anomalies++];
        k->layer = an->layer;
        k->code = an->code;
    }
    k->count++;
    if (k->n_frames < FINDING_FRAMES_MAX && ev->at.frame)
        k->frames[k->n_frames++] = ev->at.frame;
}

static void analyzer_emit(void *ctx, const struct event *ev)
{
    struct analyzer *a = ctx;
    switch (ev->kind) {
    case EV_ANOMALY:
        note_anomaly(a, ev);
        break;
    case EV_IPSEC:
        ipsec_event(a->ctx.ipsec, ev);
        break;
    case EV_TLS:
        tls_state_event(a->ctx.tls, ev);
        calls_event(a->ctx.calls, ev);
        break;
    case EV_SIP:
        tls_state_sip(a->ctx.tls, ev);
        calls_event(a->ctx.calls, ev);
        break;
    case EV_RTP:
    case EV_RTCP:
        rtp_state_event(a->ctx.rtp, ev);
        break;
    }
}

struct sink analyzer_sink(struct analyzer *a)
{
    struct sink s = { .emit = analyzer_emit, .ctx = a };
    return s;
}

static void add_simple(struct analyzer *a, enum finding_code code, const char *summary,
                       const char *detail, const uint64_t *frames, size_t n_frames)
{
    struct finding_spec f = { .code = code, .severity = finding_default_severity(code),
                              .summary = summary, .detail = detail };
    f.n_frames = n_frames > FINDING_FRAMES_MAX ? FINDING_FRAMES_MAX : n_frames;
    if (f.n_frames)
        memcpy(f.frames, frames, f.n_frames * sizeof *frames);
    findings_add(a->ctx.findings, &f);
}

static void capture_findings(struct analyzer *a, const struct input_summary *in)
{
    char summary[512], detail[768];
    if (in->file_truncated) {
        snprintf(summary, sizeof summary,
                 "The capture file is damaged; analysis covers the %llu packets before the damage",
                 (unsigned long long)in->packets);
        snprintf(detail, sizeof detail,
                 "%s. Everything after the damaged record is missing from this report; "
                 "recapture or repair the file (e.g. with pcapfix) to see the rest.",
                 in->truncated_reason);
        uint64_t frame = in->truncated_frame;
        add_simple(a, F_CAPTURE_TRUNCATED, summary, detail, &frame, frame ? 1 : 0);
    }
    if (in->truncated_packets) {
        snprintf(summary, sizeof summary,
                 "%llu packets were cut short by the capture's snapshot length; capture with -s 0",
                 (unsigned long long)in->truncated_packets);
        add_simple(a, F_CAPTURE_TRUNCATED, summary,
                   "Bytes past the snapshot length were never recorded: TLS certificates and SIP "
                   "bodies in those packets cannot be analyzed. Capture again with the full "
                   "packet length (tcpdump -s 0).",
                   NULL, 0);
    }
}

static void anomaly_findings(struct analyzer *a)
{
    char summary[512];
    for (size_t i = 0; i < a->n_anomalies; i++) {
        const struct anomaly_kind *k = &a->anomalies[i];
        if (strcmp(k->code, "stream_gap") == 0) {
            snprintf(summary, sizeof summary,
                     "%llu %s message%s could not be decoded because TCP bytes were missing from the capture",
                     (unsigned long long)k->count, k->layer, k->count == 1 ? "" : "s");
            add_simple(a, F_TCP_STREAM_GAP, summary,
                       "Segments were lost by the capture (not necessarily by the network): the "
                       "messages they carried are missing from this analysis. Capture closer to the "
                       "endpoints or with a larger buffer.",
                       k->frames, k->n_frames);
        } else if (strcmp(k->layer, "dtls") == 0 && strncmp(k->code, "incomplete_", 11) == 0) {
            bool cert = strcmp(k->code, "incomplete_certificate") == 0;
            snprintf(summary, sizeof summary,
                     "%llu DTLS handshake %s never complete: some of %s fragments are missing from the capture",
                     (unsigned long long)k->count, cert ? (k->count == 1 ? "Certificate message was" : "Certificate messages were")
                                                        : (k->count == 1 ? "message was" : "messages were"),
                     k->count == 1 ? "its" : "their");
            add_simple(a, F_DECODE_ERRORS, summary,
                       cert ? "The sender cut its Certificate message into fragments and not all of them are in the "
                              "capture (lost by the network or by the capture), so the certificates it carried are "
                              "not in this report. Capture closer to the endpoint, or a longer stretch so a "
                              "retransmitted flight is included."
                            : "The sender cut these handshake messages into fragments and not all of them are in the "
                              "capture (lost by the network or by the capture); what they carried is not in this "
                              "report. Capture closer to the endpoint.",
                       k->frames, k->n_frames);
        } else if (strcmp(k->code, "limit") == 0) {
            snprintf(summary, sizeof summary, "%s: %llu items over a configured limit were not analyzed",
                     k->layer, (unsigned long long)k->count);
            add_simple(a, F_LIMIT_REACHED, summary,
                       "A safety cap (docs/LIMITS.md) was reached; the rest of the capture was still "
                       "analyzed. Split the capture or raise the limit.",
                       k->frames, k->n_frames);
        } else {
            snprintf(summary, sizeof summary, "%llu malformed or unexpected %s packets (%s)",
                     (unsigned long long)k->count, k->layer, k->code);
            add_simple(a, F_DECODE_ERRORS, summary,
                       "These packets did not follow the protocol; they were skipped and the rest of "
                       "the capture was analyzed. Damaged captures and hostile traffic both cause this.",
                       k->frames, k->n_frames);
        }
    }
}

void analyzer_finish(struct analyzer *a, const struct input_summary *in)
{
    tls_state_finish(a->ctx.tls);
    calls_finish(a->ctx.calls);
    rtp_state_finish(a->ctx.rtp);
    calls_finish_media(a->ctx.calls);
    anomaly_findings(a);
    capture_findings(a, in);
}

void analyzer_tick(struct analyzer *a, ts_ns now, bool interim)
{
    tls_state_tick(a->ctx.tls, now);
    calls_tick(a->ctx.calls, now);
    rtp_state_tick(a->ctx.rtp, now, interim);
    if (interim)
        a->ctx.interim_from = now;
}

void analyzer_capture_drops(struct analyzer *a, ts_ns from, ts_ns to, uint64_t kernel, uint64_t iface)
{
    if (a->loss == NULL || (kernel == 0 && iface == 0))
        return;
    capture_loss_add(a->loss, from, to, kernel, iface);
    if (a->drops_reported)
        return;
    a->drops_reported = true;
    char summary[256];
    snprintf(summary, sizeof summary,
             "The capture is dropping packets (%llu in the kernel, %llu at the interface so far): "
             "sipsec is not seeing all the traffic",
             (unsigned long long)kernel, (unsigned long long)iface);
    add_simple(a, F_CAPTURE_DROPPED, summary,
               "Packets dropped by the capture never reach the analysis: RTP loss, TCP gaps and "
               "missing messages after this point may be the capture's, not the network's (RTP_LOSS "
               "findings say when they overlap capture drops; the stats lines count the drops). "
               "Raise the kernel buffer (-B KiB), narrow the capture with -f (e.g. SIP, TLS and the "
               "RTP port range), or lower --snaplen.",
               NULL, 0);
}

const struct findings *analyzer_findings(const struct analyzer *a)
{
    return a->ctx.findings;
}

struct analyze_ctx *analyzer_ctx(struct analyzer *a)
{
    return &a->ctx;
}

uint64_t analyzer_decode_errors(const struct analyzer *a)
{
    return a->dissect_decode_errors;
}
