/* findings.h: the SPEC finding codes, their default severities, and the list. */
#ifndef SIPSEC_FINDINGS_H
#define SIPSEC_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_writer.h"

enum severity { SEV_INFO = 0, SEV_WARNING = 1, SEV_ERROR = 2 };

/* One table: code strings are the SPEC's, in findings.c. */
enum finding_code {
    F_TLS_HANDSHAKE_ALERT,
    F_TLS_CLIENT_CERT_NOT_SENT,
    F_TLS_SIP_NEVER_STARTED,
    F_TLS_DECRYPT_FAILED,
    F_CERT_NO_SERVER_AUTH_EKU,
    F_CERT_NO_CLIENT_AUTH_EKU,
    F_CERT_NO_CRL_DP,
    F_CERT_SELF_SIGNED,
    F_CERT_EXPIRED,
    F_CERT_NOT_YET_VALID,
    F_CERT_EXPIRES_SOON,
    F_CERT_WEAK_KEY,
    F_CERT_KEY_TOO_LONG,
    F_CERT_UNTRUSTED,
    F_CERT_NAME_MISMATCH,
    F_CERT_MALFORMED,
    F_SIP_TLS_WRONG_PORT,
    F_SIP_SECURITY_MISMATCH,
    F_SIP_INVITE_FAILED,
    F_SDES_KEYS_IN_CLEAR,
    F_RTP_PERIODIC_DROP,
    F_IPSEC_MEDIA_DROP,
    F_RTP_LOSS,
    F_CAPTURE_TRUNCATED,
    F_CAPTURE_UNREADABLE,
    F_CAPTURE_DROPPED,
    F_TCP_STREAM_GAP,
    F_DECODE_ERRORS,
    F_LIMIT_REACHED,
    F_CODE_COUNT
};

const char *finding_code_name(enum finding_code c);
enum severity finding_default_severity(enum finding_code c);
const char *severity_name(enum severity s);
/* "info" / "warning" / "error"; false if none matches. */
bool severity_parse(const char *s, enum severity *out);

enum { FINDING_FRAMES_MAX = 16 };

/* What a finding points at; NULL members are omitted from the report. */
struct finding_refs {
    const char *tls_session;
    const char *certificate; /* SHA-1 hex */
    const char *call_id;
    const char *rtp_stream;
};

struct finding_spec {
    enum finding_code code;
    enum severity severity;
    const char *summary; /* one line a person can act on */
    const char *detail;  /* why, and what to change */
    struct finding_refs refs;
    uint64_t frames[FINDING_FRAMES_MAX];
    size_t n_frames;
};

struct finding; /* a stored copy of a finding_spec */
struct findings;

/* Called with each finding as it is added (ndjson streams it at once). */
typedef void (*finding_cb)(void *ctx, const struct finding *f);

struct findings *findings_new(uint32_t max, finding_cb on_add, void *cb_ctx);
void findings_free(struct findings *fs);
/* Copies everything. Past the cap, findings are counted, not kept. */
void findings_add(struct findings *fs, const struct finding_spec *spec);
/* ndjson: each finding is written by the callback and then forgotten (counted
 * per severity only), so memory does not grow with the findings. */
void findings_pass_through(struct findings *fs);
size_t findings_severity_count(const struct findings *fs, enum severity sev);
size_t findings_count(const struct findings *fs);
uint64_t findings_dropped(const struct findings *fs);
const struct finding *findings_at(const struct findings *fs, size_t i);
enum severity finding_severity(const struct finding *f);
enum finding_code finding_code(const struct finding *f);
const char *finding_summary(const struct finding *f);
/* Highest severity present; false when there are none. */
bool findings_max_severity(const struct findings *fs, enum severity *out);

/* The SPEC finding object's fields (no braces). */
void finding_write_fields(struct jw *w, const struct finding *f);
/* The certificate a finding refers to (SHA-1 hex), or NULL. */
const char *finding_certificate(const struct finding *f);

/*
 * The text report lists every finding once, most severe first and then in
 * the order found, numbered from 1; a block about a session or a call
 * points at its findings by that number instead of repeating them.
 */
size_t findings_text_number(const struct findings *fs, size_t i);
/* "  #3 [ERROR] CODE: summary", then the detail and frames lines. */
void findings_write_text(FILE *out, const struct findings *fs, size_t i);
/* One finding as findings_write_text does, with the given number (the
 * live text view prints them in the order found). */
void finding_write_text(FILE *out, const struct finding *f, size_t number);
/* "#3 [ERROR] CODE" without newline: the pointer a block prints. */
void findings_write_ref_text(FILE *out, const struct findings *fs, size_t i);

#endif
