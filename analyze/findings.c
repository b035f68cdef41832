/* findings.c: the finding table (SPEC "Findings") and the collected list. */
#include "findings.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum severity severity;
} code_table[F_CODE_COUNT] = {
    [F_TLS_HANDSHAKE_ALERT] = { "TLS_HANDSHAKE_ALERT", SEV_ERROR },
    [F_TLS_CLIENT_CERT_NOT_SENT] = { "TLS_CLIENT_CERT_NOT_SENT", SEV_ERROR },
    [F_TLS_SIP_NEVER_STARTED] = { "TLS_SIP_NEVER_STARTED", SEV_ERROR },
    [F_TLS_DECRYPT_FAILED] = { "TLS_DECRYPT_FAILED", SEV_WARNING },
    [F_CERT_NO_SERVER_AUTH_EKU] = { "CERT_NO_SERVER_AUTH_EKU", SEV_ERROR },
    [F_CERT_NO_CLIENT_AUTH_EKU] = { "CERT_NO_CLIENT_AUTH_EKU", SEV_ERROR },
    [F_CERT_NO_CRL_DP] = { "CERT_NO_CRL_DP", SEV_WARNING },
    [F_CERT_SELF_SIGNED] = { "CERT_SELF_SIGNED", SEV_WARNING },
    [F_CERT_EXPIRED] = { "CERT_EXPIRED", SEV_ERROR },
    [F_CERT_NOT_YET_VALID] = { "CERT_NOT_YET_VALID", SEV_ERROR },
    [F_CERT_EXPIRES_SOON] = { "CERT_EXPIRES_SOON", SEV_WARNING },
    [F_CERT_WEAK_KEY] = { "CERT_WEAK_KEY", SEV_WARNING },
    [F_CERT_KEY_TOO_LONG] = { "CERT_KEY_TOO_LONG", SEV_ERROR },
    [F_CERT_UNTRUSTED] = { "CERT_UNTRUSTED", SEV_ERROR },
    [F_CERT_NAME_MISMATCH] = { "CERT_NAME_MISMATCH", SEV_ERROR },
    [F_CERT_MALFORMED] = { "CERT_MALFORMED", SEV_ERROR },
    [F_SIP_TLS_WRONG_PORT] = { "SIP_TLS_WRONG_PORT", SEV_WARNING },
    [F_SIP_SECURITY_MISMATCH] = { "SIP_SECURITY_MISMATCH", SEV_ERROR },
    [F_SIP_INVITE_FAILED] = { "SIP_INVITE_FAILED", SEV_INFO },
    [F_SDES_KEYS_IN_CLEAR] = { "SDES_KEYS_IN_CLEAR", SEV_WARNING },
    [F_RTP_PERIODIC_DROP] = { "RTP_PERIODIC_DROP", SEV_ERROR },
    [F_IPSEC_MEDIA_DROP] = { "IPSEC_MEDIA_DROP", SEV_ERROR },
    [F_RTP_LOSS] = { "RTP_LOSS", SEV_WARNING },
    [F_CAPTURE_TRUNCATED] = { "CAPTURE_TRUNCATED", SEV_WARNING },
    [F_CAPTURE_UNREADABLE] = { "CAPTURE_UNREADABLE", SEV_ERROR },
    [F_CAPTURE_DROPPED] = { "CAPTURE_DROPPED", SEV_WARNING },
    [F_TCP_STREAM_GAP] = { "TCP_STREAM_GAP", SEV_INFO },
    [F_DECODE_ERRORS] = { "DECODE_ERRORS", SEV_INFO },
    [F_LIMIT_REACHED] = { "LIMIT_REACHED", SEV_WARNING },
};

const char *finding_code_name(enum finding_code c)
{
    return (unsigned)c < F_CODE_COUNT ? code_table[c].name : "UNKNOWN";
}

enum severity finding_default_severity(enum finding_code c)
{
    return (unsigned)c < F_CODE_COUNT ? code_table[c].severity : SEV_INFO;
}

const char *severity_name(enum severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    default: return "info";
    }
}

bool severity_parse(const char *s, enum severity *out)
{
    static const enum severity all[] = { SEV_INFO, SEV_WARNING, SEV_ERROR };
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(s, severity_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

struct finding {
    enum finding_code code;
    enum severity severity;
    char *summary, *detail;
    char *tls_session, *certificate, *call_id, *rtp_stream;
    uint64_t frames[FINDING_FRAMES_MAX];
    size_t n_frames;
    size_t sev_ordinal; /* findings of the same severity added before this one */
};

struct findings {
    struct finding *items;
    size_t n, cap;
    size_t n_sev[3];   /* per enum severity */
    uint32_t max;
    uint64_t dropped;
    finding_cb on_add;
    void *cb_ctx;
    bool pass_through; /* written by on_add, counted, not kept (ndjson) */
};

void findings_pass_through(struct findings *fs)
{
    fs->pass_through = true;
}

size_t findings_severity_count(const struct findings *fs, enum severity sev)
{
    return sev <= SEV_ERROR ? fs->n_sev[sev] : 0;
}

struct findings *findings_new(uint32_t max, finding_cb on_add, void *cb_ctx)
{
    struct findings *fs = calloc(1, sizeof *fs);
    if (fs) {
        fs->max = max;
        fs->on_add = on_add;
        fs->cb_ctx = cb_ctx;
    }
    return fs;
}

static void finding_fini(struct finding *f)
{
    free(f->summary);
    free(f->detail);
    free(f->tls_session);
    free(f->certificate);
    free(f->call_id);
    free(f->rtp_stream);
}

void findings_free(struct findings *fs)
{
    if (fs == NULL)
        return;
    for (size_t i = 0; i < fs->n; i++)
        finding_fini(&fs->items[i]);
    free(fs->items);
    free(fs);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void findings_add(struct findings *fs, const struct finding_spec *spec)
{
    if (fs->pass_through) {
        /* ndjson: the line is the finding; memory must not grow with them */
        struct finding tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.code = spec->code;
        tmp.severity = spec->severity <= SEV_ERROR ? spec->severity : SEV_ERROR;
        tmp.sev_ordinal = fs->n_sev[tmp.severity]++;
        tmp.summary = (char *)(spec->summary ? spec->summary : "");
        tmp.detail = (char *)(spec->detail ? spec->detail : "");
        tmp.tls_session = (char *)spec->refs.tls_session;
        tmp.certificate = (char *)spec->refs.certificate;
        tmp.call_id = (char *)spec->refs.call_id;
        tmp.rtp_stream = (char *)spec->refs.rtp_stream;
        tmp.n_frames = spec->n_frames > FINDING_FRAMES_MAX ? FINDING_FRAMES_MAX : spec->n_frames;
        memcpy(tmp.frames, spec->frames, tmp.n_frames * sizeof tmp.frames[0]);
        if (fs->on_add)
            fs->on_add(fs->cb_ctx, &tmp);
        return;
    }
    if (fs->n >= fs->max) {
        fs->dropped++;
        return;
    }
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        struct finding *items = realloc(fs->items, cap * sizeof *items);
        if (items == NULL) {
            fs->dropped++;
            return;
        }
        fs->items = items;
        fs->cap = cap;
    }
    struct finding *f = &fs->items[fs->n++];
    memset(f, 0, sizeof *f);
    f->code = spec->code;
    f->severity = spec->severity <= SEV_ERROR ? spec->severity : SEV_ERROR;
    f->sev_ordinal = fs->n_sev[f->severity]++;
    f->summary = dup_or_null(spec->summary ? spec->summary : "");
    f->detail = dup_or_null(spec->detail ? spec->detail : "");
    f->tls_session = dup_or_null(spec->refs.tls_session);
    f->certificate = dup_or_null(spec->refs.certificate);
    f->call_id = dup_or_null(spec->refs.call_id);
    f->rtp_stream = dup_or_null(spec->refs.rtp_stream);
    f->n_frames = spec->n_frames > FINDING_FRAMES_MAX ? FINDING_FRAMES_MAX : spec->n_frames;
    memcpy(f->frames, spec->frames, f->n_frames * sizeof f->frames[0]);
    if (fs->on_add)
        fs->on_add(fs->cb_ctx, f);
}

size_t findings_count(const struct findings *fs) { return fs->n; }
uint64_t findings_dropped(const struct findings *fs) { return fs->dropped; }
const struct finding *findings_at(const struct findings *fs, size_t i) { return &fs->items[i]; }
enum severity finding_severity(const struct finding *f) { return f->severity; }
enum finding_code finding_code(const struct finding *f) { return f->code; }
const char *finding_summary(const struct finding *f) { return f->summary; }

bool findings_max_severity(const struct findings *fs, enum severity *out)
{
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
        if (fs->n_sev[sev]) {
            *out = (enum severity)sev;
            return true;
        }
    }
    return false;
}

void finding_write_fields(struct jw *w, const struct finding *f)
{
    jw_kstr(w, "code", finding_code_name(f->code));
    jw_kstr(w, "severity", severity_name(f->severity));
    jw_kstr(w, "summary", f->summary);
    jw_kstr(w, "detail", f->detail);
    jw_key(w, "refs");
    jw_obj_begin(w);
    if (f->tls_session)
        jw_kstr(w, "tls_session", f->tls_session);
    if (f->certificate)
        jw_kstr(w, "certificate", f->certificate);
    if (f->call_id)
        jw_kstr(w, "call_id", f->call_id);
    if (f->rtp_stream)
        jw_kstr(w, "rtp_stream", f->rtp_stream);
    jw_obj_end(w);
    jw_key(w, "frames");
    jw_arr_begin(w);
    for (size_t i = 0; i < f->n_frames; i++)
        jw_uint(w, f->frames[i]);
    jw_arr_end(w);
}

const char *finding_certificate(const struct finding *f) { return f->certificate; }

size_t findings_text_number(const struct findings *fs, size_t i)
{
    const struct finding *f = &fs->items[i];
    size_t n = f->sev_ordinal + 1;
    for (int sev = SEV_ERROR; sev > (int)f->severity; sev--)
        n += fs->n_sev[sev];
    return n;
}

static const char *const sev_tag[] = { "INFO ", "WARN ", "ERROR" };

void findings_write_ref_text(FILE *out, const struct findings *fs, size_t i)
{
    const struct finding *f = &fs->items[i];
    fprintf(out, "#%zu [%s] %s", findings_text_number(fs, i), sev_tag[f->severity], finding_code_name(f->code));
}

void findings_write_text(FILE *out, const struct findings *fs, size_t i)
{
    finding_write_text(out, &fs->items[i], findings_text_number(fs, i));
}

void finding_write_text(FILE *out, const struct finding *f, size_t number)
{
    fprintf(out, "  #%zu [%s] %s: %s\n", number, sev_tag[f->severity], finding_code_name(f->code), f->summary);
    if (f->detail && f->detail[0])
        fprintf(out, "          %s\n", f->detail);
    if (f->n_frames) {
        fputs("          frames:", out);
        for (size_t k = 0; k < f->n_frames; k++)
            fprintf(out, " %llu", (unsigned long long)f->frames[k]);
        fputc('\n', out);
    }
}
