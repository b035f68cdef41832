/* run.c: the pipeline both commands share (capture -> dissect -> analyze -> report), `sipsec analyze`,
 * and the mapping of results to exit codes. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "decode.h"
#include "link.h"
#include "media_expect.h"
#include "pcap_input.h"
#include "pcapng_secrets.h"
#include "registry.h"
#include "stream_digest.h"
#include "tls_keylog.h"

struct stats_writer {
    struct decoder *dec;
    struct dissect_ctx *dc;
};

struct pipeline {
    struct tls_keystore *keys;
    uint64_t keys_dropped_said; /* followed key logs: tls_keylog_entries_max reached, said once */
    struct media_expect *media;
    struct analyzer *an;
    struct dissect_registry *reg;
    struct decoder *dec;
    struct stats_writer sw;
    struct analyze_opts aopts;
};

void pipeline_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                     const struct frame_ref *at)
{
    struct pipeline *p = ctx;
    decoder_packet(p->dec, linktype, data, caplen, wirelen, at);
}

static void stat_field(void *ctx, const char *name, uint64_t v)
{
    jw_kuint(ctx, name, v);
}

static void write_stats(void *ctx, struct jw *w)
{
    const struct stats_writer *sw = ctx;
    decoder_stats_json_fields(sw->dec, stat_field, w);
    const struct dissect_stats *ds = &sw->dc->stats;
    jw_kuint(w, "tls_streams", ds->tls_streams);
    jw_kuint(w, "sip_streams", ds->sip_streams);
    jw_kuint(w, "sip_datagrams", ds->sip_datagrams);
    jw_kuint(w, "dtls_datagrams", ds->dtls_datagrams);
    jw_kuint(w, "rtp_packets", ds->rtp_packets);
    jw_kuint(w, "rtcp_packets", ds->rtcp_packets);
    jw_kuint(w, "ike_packets", ds->ike_packets);
    jw_kuint(w, "esp_in_udp_packets", ds->esp_in_udp_packets);
    if (sw->dc->keys) {
        /* counts only: no secret ever reaches the report */
        const struct tls_keystore_stats *ks = tls_keystore_stats(sw->dc->keys);
        jw_key(w, "tls_decryption");
        jw_obj_begin(w);
        jw_kuint(w, "keylog_lines", ks->lines);
        jw_kuint(w, "keylog_secrets", ks->secrets);
        jw_kuint(w, "keylog_bad_lines", ks->bad_lines);
        jw_kuint(w, "keylog_dropped", ks->dropped);
        if (tls_keystore_following(sw->dc->keys)) {
            jw_kuint(w, "keylog_follow_checks", ks->follow_checks);
            jw_kuint(w, "keylog_follow_reads", ks->follow_reads);
            jw_kuint(w, "keylog_follow_restarts", ks->follow_restarts);
            jw_kuint(w, "sessions_keys_late", ds->tls_sessions_keys_late);
        }
        jw_kuint(w, "pcapng_secrets_blocks", ks->dsb_blocks);
        jw_kuint(w, "rsa_keys", ks->rsa_keys);
        jw_kuint(w, "sessions_with_keys", ds->tls_sessions_with_keys);
        jw_kuint(w, "sessions_without_keys", ds->tls_sessions_without_keys);
        jw_kuint(w, "sessions_unsupported_cipher", ds->tls_sessions_unsupported);
        jw_kuint(w, "records_decrypted", ds->tls_records_decrypted);
        jw_kuint(w, "auth_failures", ds->tls_auth_failures);
        jw_kuint(w, "app_bytes", ds->tls_app_bytes_decrypted);
        jw_obj_end(w);
    }
    const struct stream_digests *sd = sw->dc->digests;
    if (sd == NULL)
        return;
    jw_key(w, "debug_streams");
    jw_arr_begin(w);
    for (size_t i = 0; i < sd->n; i++) {
        const struct stream_digest_result *r = &sd->done[i];
        jw_obj_begin(w);
        jw_key(w, "client");
        jw_endpoint(w, &r->si.key.src, r->si.key.sport);
        jw_key(w, "server");
        jw_endpoint(w, &r->si.key.dst, r->si.key.dport);
        jw_kbool(w, "saw_syn", r->si.saw_syn);
        jw_kuint(w, "first_frame", r->si.first.frame);
        jw_kuint(w, "bytes_c2s", r->bytes[DIR_C2S]);
        jw_kuint(w, "bytes_s2c", r->bytes[DIR_S2C]);
        jw_kstr(w, "sha256_c2s", r->sha256[DIR_C2S]);
        jw_kstr(w, "sha256_s2c", r->sha256[DIR_S2C]);
        jw_kuint(w, "gaps", r->gaps);
        jw_kuint(w, "gap_bytes", r->gap_bytes);
        jw_kstr(w, "closed_by", close_reason_name(r->why));
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kuint(w, "debug_streams_not_listed", sd->not_listed);
}

/* A file named by an option must be readable before anything starts. */
static int check_readable(const char *what, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "sipsec: %s %s: %s\n", what, path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

int check_option_files(const struct options *o)
{
    if (o->ca_file && check_readable("--ca-file", o->ca_file) < 0)
        return -1;
    for (size_t i = 0; i < o->n_keylogs; i++) {
        /* live follows its key logs: one that is not there yet is read once it appears */
        if (o->cmd == CMD_LIVE && access(o->keylogs[i], F_OK) != 0 && errno == ENOENT)
            continue;
        if (check_readable("--keylog", o->keylogs[i]) < 0)
            return -1;
    }
    return 0;
}

struct dsb_ctx {
    struct tls_keystore *ks;
    uint32_t entries_max;
    bool oom;
};

/* A pcapng Decryption Secrets Block: TLS key log text goes to the key store
 * (made here when no --keylog / --rsa-key made one). */
static void on_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
    struct dsb_ctx *d = ctx;
    if (type != PCAPNG_SECRETS_TLS_KEYLOG)
        return;
    if (d->ks == NULL && (d->ks = tls_keystore_new(d->entries_max)) == NULL) {
        d->oom = true;
        return;
    }
    tls_keystore_add_dsb(d->ks, data, len);
}

/* The key store from --keylog, --rsa-key and the files' pcapng secrets;
 * NULL (and nothing to do) without any. */
static int load_keys(const struct options *o, bool live, struct tls_keystore **out)
{
    *out = NULL;
    struct dsb_ctx dsb = { .entries_max = o->lim.tls_keylog_entries_max };
    for (size_t i = 0; i < o->n_files; i++) {
        struct pcapng_secrets_stats pst;
        pcapng_scan_secrets(o->files[i], on_secrets, &dsb, &pst);
        if (pst.skipped)
            fprintf(stderr, "sipsec: warning: %s: %llu Decryption Secrets Blocks over the size caps skipped\n",
                    o->files[i], (unsigned long long)pst.skipped);
    }
    if (dsb.oom) {
        fprintf(stderr, "sipsec: out of memory for the key store\n");
        tls_keystore_free(dsb.ks);
        return -1;
    }
    if (o->n_keylogs == 0 && o->n_rsa_keys == 0) {
        *out = dsb.ks;
        return 0;
    }
    struct tls_keystore *ks = dsb.ks ? dsb.ks : tls_keystore_new(o->lim.tls_keylog_entries_max);
    char err[ERRBUF_LEN];
    if (ks == NULL) {
        fprintf(stderr, "sipsec: out of memory for the key store\n");
        return -1;
    }
    for (size_t i = 0; i < o->n_keylogs; i++) {
        /* live: the files are followed, lines appended later are read when a lookup misses */
        int rc = live ? tls_keystore_follow_keylog(ks, o->keylogs[i], err, sizeof err)
                      : tls_keystore_load_keylog(ks, o->keylogs[i], err, sizeof err);
        if (rc == 0 && live && access(o->keylogs[i], F_OK) != 0)
            fprintf(stderr, "sipsec: --keylog %s: not there yet, read once it appears\n", o->keylogs[i]);
        if (rc < 0) {
            fprintf(stderr, "sipsec: --keylog %s\n", err);
            tls_keystore_free(ks);
            return -1;
        }
    }
    for (size_t i = 0; i < o->n_rsa_keys; i++) {
        if (tls_keystore_load_rsa(ks, o->rsa_keys[i], err, sizeof err) < 0) {
            fprintf(stderr, "sipsec: --rsa-key %s\n", err);
            tls_keystore_free(ks);
            return -1;
        }
    }
    const struct tls_keystore_stats *st = tls_keystore_stats(ks);
    if (live && o->n_keylogs && st->secrets == 0)
        fprintf(stderr, "sipsec: key log: no secret yet; lines appended to the --keylog files will be read\n");
    else if (o->n_keylogs && st->secrets == 0 && st->dsb_blocks == 0)
        fprintf(stderr, "sipsec: warning: the key log files hold no usable secret (%llu lines, %llu malformed)\n",
                (unsigned long long)st->lines, (unsigned long long)st->bad_lines);
    else if (st->bad_lines || st->dropped)
        fprintf(stderr, "sipsec: warning: key log: %llu malformed lines skipped, %llu secrets over "
                        "tls_keylog_entries_max dropped\n",
                (unsigned long long)st->bad_lines, (unsigned long long)st->dropped);
    *out = ks;
    return 0;
}

static int exit_status(const struct options *o, const struct findings *fs)
{
    enum severity max;
    if (o->has_fail_on && findings_max_severity(fs, &max) && max >= o->fail_on)
        return EXIT_FAIL_ON;
    return EXIT_DONE;
}

static char out_buf[1 << 16];
static FILE *out_buf_owner; /* the -o file using out_buf, if any */

int report_open(const struct options *o, struct report_out *out)
{
    out->f = stdout;
    if (o->output) {
        out->f = fopen(o->output, "w");
        if (out->f == NULL) {
            fprintf(stderr, "sipsec: -o %s: %s\n", o->output, strerror(errno));
            return -1;
        }
        /* ndjson of a SIP-heavy capture is ~1.4 KB a call: 64 KiB writes
         * rather than st_blksize ones, for the one -o file open at a time */
        if (out_buf_owner == NULL && setvbuf(out->f, out_buf, _IOFBF, sizeof out_buf) == 0)
            out_buf_owner = out->f;
    }
    return 0;
}

int report_close(const struct options *o, struct report_out *out, int status)
{
    if (out->f != NULL && out->f == out_buf_owner)
        out_buf_owner = NULL; /* free again once this FILE is closed below */
    if (out->f != NULL && out->f != stdout && fclose(out->f) != 0) {
        fprintf(stderr, "sipsec: -o %s: %s\n", o->output, strerror(errno));
        return EXIT_INPUT;
    }
    return status;
}

struct pipeline *pipeline_new(const struct options *o, struct report_out *out, bool live)
{
    struct tls_keystore *keys = NULL;
    if (load_keys(o, live, &keys) < 0)
        return NULL;
    struct pipeline *p = calloc(1, sizeof *p);
    if (p == NULL) {
        tls_keystore_free(keys);
        goto oom;
    }
    p->keys = keys;
    p->keys_dropped_said = keys ? tls_keystore_stats(keys)->dropped : 0; /* said by load_keys */
    p->aopts = (struct analyze_opts){
        .profile = o->profile, .ca_file = o->ca_file, .has_now = o->has_now, .now = o->now, .lim = &o->lim,
        .sip_ports = o->sip_ports, .n_sip_ports = o->n_sip_ports, .live = live,
    };
    p->media = media_expect_new(&o->lim);
    p->an = p->media ? analyzer_new(&p->aopts, out, p->media) : NULL;
    struct sink sink = p->an ? analyzer_sink(p->an) : (struct sink){ 0 };
    p->reg = p->an ? registry_new(&sink, &o->lim, o->sip_ports, o->n_sip_ports) : NULL;
    p->dec = p->reg ? decoder_new(&o->lim, registry_hooks(p->reg)) : NULL;
    if (p->dec == NULL)
        goto oom;
    registry_ctx(p->reg)->media = p->media;
    registry_ctx(p->reg)->keys = p->keys;
    static struct stream_digests digests; /* large; one per process */
    if (o->debug_streams)
        registry_ctx(p->reg)->digests = &digests;
    p->sw = (struct stats_writer){ .dec = p->dec, .dc = registry_ctx(p->reg) };
    return p;
oom:
    fprintf(stderr, "sipsec: out of memory setting up the analysis\n");
    pipeline_free(p);
    return NULL;
}

void pipeline_free(struct pipeline *p)
{
    if (p == NULL)
        return;
    decoder_free(p->dec);
    registry_free(p->reg);
    analyzer_free(p->an);
    media_expect_free(p->media);
    tls_keystore_free(p->keys);
    free(p);
}

struct analyzer *pipeline_analyzer(struct pipeline *p)
{
    return p->an;
}

void pipeline_tick(struct pipeline *p, const struct frame_ref *now, bool interim)
{
    decoder_tick(p->dec, now);
    if (tls_keystore_following(p->keys) && p->keys_dropped_said == 0 && tls_keystore_stats(p->keys)->dropped) {
        p->keys_dropped_said = tls_keystore_stats(p->keys)->dropped;
        fprintf(stderr, "sipsec: warning: key log: tls_keylog_entries_max reached, further secrets are dropped "
                        "(stats.tls_decryption.keylog_dropped)\n");
    }
    analyzer_tick(p->an, now->ts, interim);
}

void pipeline_summary(struct pipeline *p, const struct options *o, const struct input_info *info,
                      struct input_summary *in)
{
    const struct decode_stats *ds = decoder_stats(p->dec);
    memset(in, 0, sizeof *in);
    *in = (struct input_summary){
        .files = o->files, .n_files = o->n_files, .packets = info->packets, .bytes = ds->bytes,
        .truncated_packets = ds->truncated_packets,
        .decode_errors = ds->decode_errors + analyzer_decode_errors(p->an),
        .has_time = info->has_time, .first_time = info->first_time, .last_time = info->last_time,
        .file_truncated = info->damaged, .truncated_frame = info->damage_frame,
        .write_stats = write_stats, .stats_ctx = &p->sw,
    };
    snprintf(in->truncated_reason, sizeof in->truncated_reason, "%s", info->damage);
    for (size_t i = 0; i < info->n_link_types && i < 8; i++)
        in->link_types[in->n_link_types++] = link_type_name(info->link_types[i]);
}

void pipeline_stats_line(struct pipeline *p, struct report_out *out, const struct input_summary *in)
{
    report_write_stats_line(out, analyzer_ctx(p->an), in, true);
}

int pipeline_finish(struct pipeline *p, const struct options *o, struct report_out *out,
                    const struct input_info *info, const struct input_summary *live_in)
{
    struct frame_ref last = { .frame = info->packets, .ts = info->last_time };
    decoder_finish(p->dec, &last);
    registry_finish(p->reg);
    struct input_summary in;
    pipeline_summary(p, o, info, &in);
    if (live_in) {
        /* the capture counters, read after the last packet */
        in.files = NULL;
        in.n_files = 0;
        in.interface = live_in->interface;
        in.has_capture_stats = live_in->has_capture_stats;
        in.capture_received = live_in->capture_received;
        in.capture_dropped_kernel = live_in->capture_dropped_kernel;
        in.capture_dropped_interface = live_in->capture_dropped_interface;
    }
    analyzer_finish(p->an, &in);
    report_write(out, analyzer_ctx(p->an), &in);
    return exit_status(o, analyzer_findings(p->an));
}

int run_analyze(const struct options *o)
{
    char err[ERRBUF_LEN];
    if (pcap_input_check_files(o->files, o->n_files, err) < 0) {
        fprintf(stderr, "sipsec: %s\n", err);
        return EXIT_INPUT;
    }
    if (check_option_files(o) < 0)
        return EXIT_INPUT;
    /* The key files are read first: a bad one leaves no empty -o behind. */
    struct report_out out = { .fmt = o->fmt };
    for (size_t i = 0; i < o->n_files; i++)
        if (strcmp(o->files[i], "-") == 0)
            out.flush_each = true; /* a pipe: someone may be following the output */
    struct pipeline *p = pipeline_new(o, &out, false);
    if (p == NULL)
        return EXIT_INPUT;
    int status = EXIT_INPUT;
    if (report_open(o, &out) < 0) {
        pipeline_free(p);
        return EXIT_INPUT;
    }
    struct input_info info = { 0 };
    if (pcap_input_read_files(o->files, o->n_files, o->bpf, pipeline_packet, p, &info, err) < 0) {
        fprintf(stderr, "sipsec: %s\n", err);
        goto done;
    }
    if (info.damaged)
        fprintf(stderr, "sipsec: warning: %s (analyzed up to frame %llu)\n", info.damage,
                (unsigned long long)info.packets);
    status = pipeline_finish(p, o, &out, &info, NULL);
done:
    pipeline_free(p);
    return report_close(o, &out, status);
}
