/* run.c: builds the pipeline for `sipsec analyze` and maps results to exit codes. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "decode.h"
#include "link.h"
#include "media_expect.h"
#include "pcap_input.h"
#include "registry.h"
#include "stream_digest.h"
#include "tls_keylog.h"

struct pipeline {
    struct decoder *dec;
};

static void on_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      const struct frame_ref *at)
{
    struct pipeline *p = ctx;
    decoder_packet(p->dec, linktype, data, caplen, wirelen, at);
}

struct stats_writer {
    struct decoder *dec;
    struct dissect_ctx *dc;
};

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
        jw_kuint(w, "pcapng_secrets_blocks", ks->dsb_blocks);
        jw_kuint(w, "rsa_keys", ks->rsa_keys);
        jw_kuint(w, "sessions_with_keys", ds->tls_sessions_with_keys);
        jw_kuint(w, "sessions_without_keys", ds->tls_sessions_without_keys);
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

static int check_option_files(const struct options *o)
{
    if (o->ca_file && check_readable("--ca-file", o->ca_file) < 0)
        return -1;
    for (size_t i = 0; i < o->n_keylogs; i++)
        if (check_readable("--keylog", o->keylogs[i]) < 0)
            return -1;
    return 0;
}

/* The key store from --keylog and --rsa-key; NULL (and nothing to do) without them. */
static int load_keys(const struct options *o, struct tls_keystore **out)
{
    *out = NULL;
    if (o->n_keylogs == 0 && o->n_rsa_keys == 0)
        return 0;
    struct tls_keystore *ks = tls_keystore_new(o->lim.tls_keylog_entries_max);
    char err[ERRBUF_LEN];
    if (ks == NULL) {
        fprintf(stderr, "sipsec: out of memory for the key store\n");
        return -1;
    }
    for (size_t i = 0; i < o->n_keylogs; i++) {
        if (tls_keystore_load_keylog(ks, o->keylogs[i], err, sizeof err) < 0) {
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
    if (o->n_keylogs && st->secrets == 0)
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

int run_analyze(const struct options *o)
{
    char err[ERRBUF_LEN];
    if (pcap_input_check_files(o->files, o->n_files, err) < 0) {
        fprintf(stderr, "sipsec: %s\n", err);
        return EXIT_INPUT;
    }
    if (check_option_files(o) < 0)
        return EXIT_INPUT;
    struct tls_keystore *keys = NULL;
    if (load_keys(o, &keys) < 0)
        return EXIT_INPUT;
    struct report_out out = { .fmt = o->fmt, .f = stdout };
    if (o->output) {
        out.f = fopen(o->output, "w");
        if (out.f == NULL) {
            fprintf(stderr, "sipsec: -o %s: %s\n", o->output, strerror(errno));
            tls_keystore_free(keys);
            return EXIT_INPUT;
        }
    }

    struct analyze_opts aopts = {
        .profile = o->profile, .ca_file = o->ca_file, .has_now = o->has_now, .now = o->now, .lim = &o->lim,
        .sip_ports = o->sip_ports, .n_sip_ports = o->n_sip_ports,
    };
    struct media_expect *media = media_expect_new(&o->lim);
    struct analyzer *an = analyzer_new(&aopts, &out, media);
    struct sink sink = an ? analyzer_sink(an) : (struct sink){ 0 };
    struct dissect_registry *reg = an ? registry_new(&sink, &o->lim, o->sip_ports, o->n_sip_ports) : NULL;
    struct decoder *dec = reg ? decoder_new(&o->lim, registry_hooks(reg)) : NULL;
    int status = EXIT_INPUT;
    if (media == NULL || dec == NULL) {
        fprintf(stderr, "sipsec: out of memory setting up the analysis\n");
        goto done;
    }
    registry_ctx(reg)->media = media;
    registry_ctx(reg)->keys = keys;
    static struct stream_digests digests; /* large; one per process */
    if (o->debug_streams)
        registry_ctx(reg)->digests = &digests;

    struct pipeline pl = { .dec = dec };
    struct input_info info = { 0 };
    if (pcap_input_read_files(o->files, o->n_files, o->bpf, on_packet, &pl, &info, err) < 0) {
        fprintf(stderr, "sipsec: %s\n", err);
        goto done;
    }
    struct frame_ref last = { .frame = info.packets, .ts = info.last_time };
    decoder_finish(dec, &last);
    registry_finish(reg);

    const struct decode_stats *ds = decoder_stats(dec);
    struct stats_writer sw = { .dec = dec, .dc = registry_ctx(reg) };
    struct input_summary in = {
        .files = o->files, .n_files = o->n_files, .packets = info.packets, .bytes = ds->bytes,
        .truncated_packets = ds->truncated_packets,
        .decode_errors = ds->decode_errors + analyzer_decode_errors(an),
        .has_time = info.has_time, .first_time = info.first_time, .last_time = info.last_time,
        .file_truncated = info.damaged, .truncated_frame = info.damage_frame,
        .write_stats = write_stats, .stats_ctx = &sw,
    };
    snprintf(in.truncated_reason, sizeof in.truncated_reason, "%s", info.damage);
    for (size_t i = 0; i < info.n_link_types && i < 8; i++)
        in.link_types[in.n_link_types++] = link_type_name(info.link_types[i]);
    if (info.damaged)
        fprintf(stderr, "sipsec: warning: %s (analyzed up to frame %llu)\n", info.damage,
                (unsigned long long)info.packets);

    analyzer_finish(an, &in);
    report_write(&out, analyzer_ctx(an), &in);
    status = exit_status(o, analyzer_findings(an));
done:
    decoder_free(dec);
    registry_free(reg);
    analyzer_free(an);
    media_expect_free(media);
    tls_keystore_free(keys);
    if (out.f != stdout && fclose(out.f) != 0) {
        fprintf(stderr, "sipsec: -o %s: %s\n", o->output, strerror(errno));
        status = EXIT_INPUT;
    }
    return status;
}

int run_live(const struct options *o)
{
    fprintf(stderr, "sipsec: live -i %s: live capture is not in this version yet; "
                    "capture with tcpdump -w and run 'sipsec analyze'\n", o->iface);
    return EXIT_INPUT;
}
