/* report.c: the SPEC report as one JSON object, as ndjson lines, or as text for a person. */
#include "report.h"

#include <string.h>

#include "analyzer.h"
#include "modules.h"

void report_stream_object(struct report_out *out, const char *type,
                          void (*write_fields)(struct jw *w, const void *obj), const void *obj)
{
    if (out->fmt != FMT_NDJSON)
        return;
    struct jw w;
    jw_init(&w, out->f, false);
    jw_obj_begin(&w);
    jw_kstr(&w, "type", type);
    write_fields(&w, obj);
    jw_obj_end(&w);
    putc_unlocked('\n', out->f); /* single-threaded: no lock per line (see json_writer.c) */
    if (out->flush_each)
        fflush(out->f);
}

static void input_write_fields(struct jw *w, const struct input_summary *in)
{
    if (in->interface)
        jw_kstr(w, "interface", in->interface);
    jw_key(w, "files");
    jw_arr_begin(w);
    for (size_t i = 0; i < in->n_files; i++)
        jw_str(w, in->files[i]);
    jw_arr_end(w);
    jw_kuint(w, "packets", in->packets);
    jw_kuint(w, "bytes", in->bytes);
    jw_key(w, "link_types");
    jw_arr_begin(w);
    for (size_t i = 0; i < in->n_link_types; i++)
        jw_str(w, in->link_types[i]);
    jw_arr_end(w);
    if (in->has_time) {
        jw_ktime(w, "first_time", in->first_time);
        jw_ktime(w, "last_time", in->last_time);
    } else {
        jw_knull(w, "first_time");
        jw_knull(w, "last_time");
    }
    jw_kuint(w, "truncated_packets", in->truncated_packets);
    jw_kuint(w, "decode_errors", in->decode_errors);
    jw_kbool(w, "damaged", in->file_truncated);
    if (in->file_truncated)
        jw_kstr(w, "damage", in->truncated_reason);
}

static void stats_write(struct jw *w, const struct input_summary *in, const struct findings *fs)
{
    jw_obj_begin(w);
    if (in->has_capture_stats) {
        /* pcap_stats: what the capture itself saw and lost */
        jw_key(w, "capture");
        jw_obj_begin(w);
        jw_kuint(w, "received", in->capture_received);
        jw_kuint(w, "dropped_kernel", in->capture_dropped_kernel);
        jw_kuint(w, "dropped_interface", in->capture_dropped_interface);
        jw_obj_end(w);
    }
    if (in->write_stats)
        in->write_stats(in->stats_ctx, w);
    jw_kuint(w, "findings_dropped", findings_dropped(fs));
    jw_obj_end(w);
}

static void summary_counts(const struct findings *fs, size_t count[3])
{
    for (int sev = SEV_INFO; sev <= SEV_ERROR; sev++)
        count[sev] = findings_severity_count(fs, (enum severity)sev);
}

static void report_json(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in)
{
    struct jw w;
    jw_init(&w, out->f, true);
    jw_obj_begin(&w);
    jw_kstr(&w, "sipsec_version", SIPSEC_VERSION);
    jw_kstr(&w, "profile", profile_name(ctx->opts->profile));
    jw_key(&w, "input");
    jw_obj_begin(&w);
    input_write_fields(&w, in);
    jw_obj_end(&w);
    jw_key(&w, "stats");
    stats_write(&w, in, ctx->findings);
    jw_key(&w, "tls_sessions");
    tls_write_sessions_json(ctx->tls, &w);
    jw_key(&w, "certificates");
    tls_write_certificates_json(ctx->tls, &w);
    jw_key(&w, "calls");
    calls_write_json(ctx->calls, &w);
    jw_key(&w, "rtp_streams");
    rtp_write_json(ctx->rtp, &w);
    jw_key(&w, "ipsec");
    ipsec_write_json(ctx->ipsec, &w);
    jw_key(&w, "findings");
    jw_arr_begin(&w);
    for (size_t i = 0; i < findings_count(ctx->findings); i++) {
        jw_obj_begin(&w);
        finding_write_fields(&w, findings_at(ctx->findings, i));
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    fputc('\n', out->f);
}

struct ndjson_tail {
    const struct input_summary *in;
    const struct findings *fs;
    bool interim;
};

static void stats_line_fields(struct jw *w, const void *obj)
{
    const struct ndjson_tail *t = obj;
    if (t->in->interface)
        jw_kbool(w, "interim", t->interim);
    jw_key(w, "input");
    jw_obj_begin(w);
    input_write_fields(w, t->in);
    jw_obj_end(w);
    jw_key(w, "stats");
    stats_write(w, t->in, t->fs);
}

static void summary_line_fields(struct jw *w, const void *obj)
{
    const struct ndjson_tail *t = obj;
    size_t count[3];
    summary_counts(t->fs, count);
    jw_kstr(w, "sipsec_version", SIPSEC_VERSION);
    jw_kuint(w, "packets", t->in->packets);
    jw_kuint(w, "errors", count[SEV_ERROR]);
    jw_kuint(w, "warnings", count[SEV_WARNING]);
    jw_kuint(w, "infos", count[SEV_INFO]);
}

static void report_text(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in)
{
    FILE *f = out->f;
    fprintf(f, "sipsec %s — profile %s\n", SIPSEC_VERSION, profile_name(ctx->opts->profile));
    fprintf(f, "Input: ");
    for (size_t i = 0; i < in->n_files; i++)
        fprintf(f, "%s%s", i ? ", " : "", in->files[i]);
    fprintf(f, "\n  %llu packets, %llu bytes", (unsigned long long)in->packets,
            (unsigned long long)in->bytes);
    for (size_t i = 0; i < in->n_link_types; i++)
        fprintf(f, "%s%s", i ? ", " : "; link ", in->link_types[i]);
    fputc('\n', f);
    if (in->has_time) {
        char a[ISO_TIME_MAX], b[ISO_TIME_MAX];
        ts_format_iso(in->first_time, a);
        ts_format_iso(in->last_time, b);
        fprintf(f, "  %s .. %s\n", a, b);
    }
    if (in->truncated_packets || in->decode_errors || in->file_truncated)
        fprintf(f, "  %llu truncated packets, %llu decode errors%s\n",
                (unsigned long long)in->truncated_packets, (unsigned long long)in->decode_errors,
                in->file_truncated ? ", file damaged" : "");
    tls_write_text(ctx->tls, f);
    calls_write_text(ctx->calls, f);
    rtp_write_text(ctx->rtp, f);
    ipsec_write_text(ctx->ipsec, f);

    size_t count[3];
    summary_counts(ctx->findings, count);
    fprintf(f, "\nFindings: %zu error%s, %zu warning%s, %zu info\n", count[SEV_ERROR],
            count[SEV_ERROR] == 1 ? "" : "s", count[SEV_WARNING], count[SEV_WARNING] == 1 ? "" : "s",
            count[SEV_INFO]);
    /* Most severe first: what to fix comes before what to know. */
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
        for (size_t i = 0; i < findings_count(ctx->findings); i++)
            if ((int)finding_severity(findings_at(ctx->findings, i)) == sev)
                findings_write_text(f, ctx->findings, i);
    if (findings_count(ctx->findings) == 0)
        fprintf(f, "  nothing to report\n");
}

/* The live text view ends with this: findings went out as they came. */
static void report_text_summary(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in)
{
    FILE *f = out->f;
    fprintf(f, "\nsipsec %s — live on %s, profile %s\n", SIPSEC_VERSION, in->interface ? in->interface : "?",
            profile_name(ctx->opts->profile));
    fprintf(f, "  %llu packets, %llu bytes analyzed", (unsigned long long)in->packets,
            (unsigned long long)in->bytes);
    if (in->has_time) {
        char a[ISO_TIME_MAX], b[ISO_TIME_MAX];
        ts_format_iso(in->first_time, a);
        ts_format_iso(in->last_time, b);
        fprintf(f, "; %s .. %s", a, b);
    }
    fputc('\n', f);
    if (in->has_capture_stats)
        fprintf(f, "  capture: %llu received, %llu dropped by the kernel, %llu dropped by the interface\n",
                (unsigned long long)in->capture_received, (unsigned long long)in->capture_dropped_kernel,
                (unsigned long long)in->capture_dropped_interface);
    size_t count[3];
    summary_counts(ctx->findings, count);
    fprintf(f, "Findings: %zu error%s, %zu warning%s, %zu info (printed above as they came)\n", count[SEV_ERROR],
            count[SEV_ERROR] == 1 ? "" : "s", count[SEV_WARNING], count[SEV_WARNING] == 1 ? "" : "s",
            count[SEV_INFO]);
}

void report_write_stats_line(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in,
                             bool interim)
{
    struct ndjson_tail t = { .in = in, .fs = ctx->findings, .interim = interim };
    report_stream_object(out, "stats", stats_line_fields, &t);
}

void report_write(struct report_out *out, struct analyze_ctx *ctx, const struct input_summary *in)
{
    if (out->fmt == FMT_TEXT && out->stream_text) {
        report_text_summary(out, ctx, in);
        fflush(out->f);
        return;
    }
    switch (out->fmt) {
    case FMT_JSON:
        report_json(out, ctx, in);
        break;
    case FMT_TEXT:
        report_text(out, ctx, in);
        break;
    case FMT_NDJSON: {
        /* Sessions, calls, streams and findings went out as they completed. */
        ipsec_write_json(ctx->ipsec, NULL);
        struct ndjson_tail t = { .in = in, .fs = ctx->findings };
        report_write_stats_line(out, ctx, in, false);
        report_stream_object(out, "summary", summary_line_fields, &t);
        break;
    }
    }
    fflush(out->f);
}
