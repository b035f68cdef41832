/* rtp_payload.c: SRTP or clear RTP from the payload alone (RFC 3711 sections 3.1, 4.2;
 * RFC 4568 section 6.2.1; RFC 7714 section 8; RFC 3551 section 4.5 codec frame sizes). */
#include "rtp_payload.h"

#include <stdio.h>
#include <string.h>

/*
 * An SRTP packet (RFC 3711 section 3.1) is an RTP packet whose payload is
 * encrypted in place (AES counter mode: same length) followed by an
 * authentication tag, 10 bytes for the *_HMAC_SHA1_80 suites, 4 for
 * *_HMAC_SHA1_32 (RFC 4568 section 6.2.1), 16 for AEAD_AES_*_GCM
 * (RFC 7714). So for a codec whose frame size follows from the timestamp
 * step (G.711: one byte per sample), payload = frame + tag says SRTP.
 * A frame-sized payload is clear RTP or SRTP without authentication
 * (UNAUTHENTICATED_SRTP, rare): for G.711 and linear PCM the byte
 * distribution tells, as encrypted bytes are uniform and speech, noise
 * and silence in G.711 are far from it. Compressed codecs (G.729, GSM,
 * Opus...) look nearly uniform in clear too, so for them only the tag
 * length decides and a frame-sized payload stays unknown.
 */

enum {
    MIN_PACKETS = 8,         /* fewer sampled packets: no verdict */
    MIN_BYTES = 1024,        /* at least 64 per nibble bin for the chi-square test */
};
/* Chi-square with 15 degrees of freedom: uniform bytes exceed 50 with
 * probability about 1e-5; G.711 speech or silence gives thousands. The
 * space between the two bounds is "cannot tell". */
static const double CHI2_UNIFORM_MAX = 50.0;
static const double CHI2_NOT_UNIFORM_MIN = 150.0;

static const uint32_t auth_tags[] = { 10, 4, 16 };

bool rtp_payload_tally_full(const struct rtp_payload_tally *t)
{
    return t->n >= RTP_PAYLOAD_SAMPLE_PACKETS;
}

void rtp_payload_tally_add(struct rtp_payload_tally *t, uint16_t seq, uint32_t ts, struct span payload)
{
    if (rtp_payload_tally_full(t))
        return;
    if (t->n > 0 && (uint16_t)(seq - t->last_seq) == 1) {
        uint32_t step = ts - t->last_ts;
        if (step > 0 && step <= UINT16_MAX)
            t->steps[t->n_steps++] = (uint16_t)step;
    }
    t->last_seq = seq;
    t->last_ts = ts;
    t->lens[t->n++] = payload.n > UINT16_MAX ? UINT16_MAX : (uint16_t)payload.n;
    struct cur c = cur_make(payload.p, payload.n < RTP_PAYLOAD_SAMPLE_BYTES ? payload.n : RTP_PAYLOAD_SAMPLE_BYTES);
    while (cur_left(&c) > 0) {
        uint8_t b = cur_u8(&c);
        t->hi[b >> 4]++;
        t->lo[b & 15]++;
    }
}

/* The value most of the first n entries share, and how many do. */
static uint16_t mode_u16(const uint16_t *v, size_t n, size_t *count)
{
    uint16_t best = 0;
    size_t best_n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += v[j] == v[i];
        if (k > best_n) {
            best_n = k;
            best = v[i];
        }
    }
    *count = best_n;
    return best;
}

bool rtp_codec_frame_bytes(uint8_t pt, uint32_t samples, uint32_t *bytes, bool *pcm)
{
    *pcm = false;
    if (samples == 0)
        return false;
    switch (pt) {
    case 0: case 8:            /* PCMU, PCMA: 8 bits per sample */
        *pcm = true;
        *bytes = samples;
        return true;
    case 9:                    /* G.722: 64 kbit/s on an 8000 Hz RTP clock (RFC 3551 4.5.2) */
        *bytes = samples;
        return true;
    case 10:                   /* L16 stereo: 2 x 16 bits per sample */
        *pcm = true;
        *bytes = samples * 4;
        return true;
    case 11:                   /* L16 mono */
        *pcm = true;
        *bytes = samples * 2;
        return true;
    case 3:                    /* GSM 06.10: 33 bytes per 160 samples */
        if (samples % 160)
            return false;
        *bytes = samples / 160 * 33;
        return true;
    case 15:                   /* G.728: 5 bytes per 20 samples */
        if (samples % 20)
            return false;
        *bytes = samples / 4;
        return true;
    case 18:                   /* G.729: 10 bytes per 80 samples (SID frames are shorter) */
        if (samples % 80)
            return false;
        *bytes = samples / 8;
        return true;
    case 4:                    /* G.723.1 6.3 kbit/s: 24 bytes per 240 samples (5.3: 20) */
        if (samples % 240)
            return false;
        *bytes = samples / 240 * 24;
        return true;
    default:
        return false;
    }
}

/* Pearson's statistic of a 16-bin histogram against the uniform. */
static double chi2_16(const uint16_t *h)
{
    double total = 0;
    for (int i = 0; i < 16; i++)
        total += h[i];
    if (total == 0)
        return -1;
    double e = total / 16.0, x = 0;
    for (int i = 0; i < 16; i++)
        x += (h[i] - e) * (h[i] - e) / e;
    return x;
}

static bool length_is_tag(uint32_t payload, uint32_t frame, uint32_t *tag)
{
    for (size_t i = 0; i < sizeof auth_tags / sizeof auth_tags[0]; i++) {
        if (payload == frame + auth_tags[i]) {
            *tag = auth_tags[i];
            return true;
        }
    }
    return false;
}

void rtp_payload_judge(const struct rtp_payload_tally *t, uint8_t pt, struct rtp_payload_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->chi2 = -1;
    out->guess = SRTP_GUESS_UNKNOWN;
    if (t->n < MIN_PACKETS) {
        out->basis = SRTP_BASIS_FEW_PACKETS;
        return;
    }
    size_t n_len = 0, n_step = 0;
    out->payload_bytes = mode_u16(t->lens, t->n, &n_len);
    out->samples = mode_u16(t->steps, t->n_steps, &n_step);
    uint32_t frame = 0;
    bool pcm = false;
    if (n_step == 0 || !rtp_codec_frame_bytes(pt, out->samples, &frame, &pcm)) {
        /* A fixed-rate codec whose step makes no whole frame, or a type
         * (dynamic, variable-rate) without a frame size at all. 480
         * samples is a whole number of frames of every fixed-rate type. */
        uint32_t any;
        bool any_pcm;
        out->basis = rtp_codec_frame_bytes(pt, 480, &any, &any_pcm) ? SRTP_BASIS_VARIABLE
                                                                    : SRTP_BASIS_UNKNOWN_CODEC;
        return;
    }
    /* Most packets must agree on length and step: a codec that changes
     * its rate or packetization mid-sample says nothing reliable. */
    if (n_len * 4 < (size_t)t->n * 3 || n_step * 4 < (size_t)t->n_steps * 3) {
        out->basis = SRTP_BASIS_VARIABLE;
        return;
    }
    out->frame_bytes = frame;
    uint32_t tag = 0;
    if (length_is_tag(out->payload_bytes, frame, &tag) ||
        (pt == 4 && length_is_tag(out->payload_bytes, out->samples / 240 * 20, &tag))) {
        if (pt == 4 && out->payload_bytes != frame + tag)
            out->frame_bytes = out->samples / 240 * 20;
        out->tag_bytes = tag;
        out->guess = SRTP_GUESS_SRTP;
        out->basis = SRTP_BASIS_AUTH_TAG;
        return;
    }
    bool frame_sized = out->payload_bytes == frame || (pt == 4 && out->payload_bytes == out->samples / 240 * 20);
    if (!frame_sized) {
        out->basis = SRTP_BASIS_OTHER_LENGTH;
        return;
    }
    if (!pcm) {
        out->basis = SRTP_BASIS_COMPRESSED;
        return;
    }
    uint32_t bytes = 0;
    for (int i = 0; i < 16; i++)
        bytes += t->hi[i];
    if (bytes < MIN_BYTES) {
        out->basis = SRTP_BASIS_FEW_PACKETS;
        return;
    }
    double a = chi2_16(t->hi), b = chi2_16(t->lo);
    out->chi2 = a > b ? a : b;
    if (out->chi2 <= CHI2_UNIFORM_MAX) {
        out->guess = SRTP_GUESS_SRTP;
        out->basis = SRTP_BASIS_UNIFORM;
    } else if (a >= CHI2_NOT_UNIFORM_MIN || b >= CHI2_NOT_UNIFORM_MIN) {
        out->guess = SRTP_GUESS_CLEAR;
        out->basis = SRTP_BASIS_SPEECH;
    } else {
        out->basis = SRTP_BASIS_INCONCLUSIVE;
    }
}

static const char *codec_label(uint8_t pt)
{
    switch (pt) {
    case 0: return "PCMU";
    case 3: return "GSM";
    case 4: return "G.723.1";
    case 8: return "PCMA";
    case 9: return "G.722";
    case 10: case 11: return "L16";
    case 15: return "G.728";
    case 18: return "G.729";
    default: return NULL;
    }
}

void rtp_payload_describe(const struct rtp_payload_verdict *v, uint8_t pt, char *out, size_t cap)
{
    char codec[16];
    const char *c = codec_label(pt);
    if (c == NULL) {
        snprintf(codec, sizeof codec, "PT %u", pt);
        c = codec;
    }
    switch (v->basis) {
    case SRTP_BASIS_FEW_PACKETS:
        snprintf(out, cap, "too few packets to judge the payload");
        break;
    case SRTP_BASIS_UNKNOWN_CODEC:
        snprintf(out, cap, "%s has no fixed frame size (dynamic or variable-rate codec): the payload "
                           "cannot tell SRTP from RTP", c);
        break;
    case SRTP_BASIS_VARIABLE:
        snprintf(out, cap, "%s payload lengths or timestamp steps vary: the payload cannot tell SRTP "
                           "from RTP", c);
        break;
    case SRTP_BASIS_AUTH_TAG:
        snprintf(out, cap, "payload %u bytes = %u-byte %s frame (%u samples) + %u-byte SRTP "
                           "authentication tag", v->payload_bytes, v->frame_bytes, c, v->samples, v->tag_bytes);
        break;
    case SRTP_BASIS_UNIFORM:
        snprintf(out, cap, "payload %u bytes = one %s frame with uniformly distributed bytes "
                           "(chi-square %.0f): encrypted, without an authentication tag",
                 v->payload_bytes, c, v->chi2);
        break;
    case SRTP_BASIS_SPEECH:
        snprintf(out, cap, "payload %u bytes = one %s frame (%u samples), no room for an SRTP "
                           "authentication tag, and its bytes are distributed as clear audio "
                           "(chi-square %.0f)", v->payload_bytes, c, v->samples, v->chi2);
        break;
    case SRTP_BASIS_COMPRESSED:
        snprintf(out, cap, "payload %u bytes = one %s frame: clear RTP, or SRTP without an "
                           "authentication tag (a compressed codec looks random either way)",
                 v->payload_bytes, c);
        break;
    case SRTP_BASIS_INCONCLUSIVE:
        snprintf(out, cap, "payload %u bytes = one %s frame, byte distribution inconclusive "
                           "(chi-square %.0f)", v->payload_bytes, c, v->chi2);
        break;
    case SRTP_BASIS_OTHER_LENGTH:
        snprintf(out, cap, "payload %u bytes against a %u-byte %s frame (%u samples): no known "
                           "SRTP tag length explains the difference", v->payload_bytes, v->frame_bytes,
                 c, v->samples);
        break;
    }
}
