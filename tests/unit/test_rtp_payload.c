/* test_rtp_payload.c: SRTP or clear RTP from the payload alone (dissect/rtp_payload.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "rtp_payload.h"

/* xorshift: reproducible "encrypted" bytes */
static uint32_t rng_state;
static uint8_t rnd8(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (uint8_t)(rng_state >> 11);
}

/* G.711 mu-law encoding of a 16-bit linear sample (ITU-T G.711, the classic bias-and-segment form). */
static uint8_t ulaw(int16_t pcm)
{
    int s = pcm;
    int sign = (s >> 8) & 0x80;
    if (sign)
        s = -s;
    if (s > 32635)
        s = 32635;
    s += 0x84;
    int exp = 7;
    for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1)
        exp--;
    int mant = (s >> (exp + 3)) & 0x0f;
    return (uint8_t)~(sign | (exp << 4) | mant);
}

enum kind { SPEECH, SILENCE, RANDOM };

/* Feed n packets of len bytes, timestamp step `step`, of the given content (plus tag random bytes). */
static void feed(struct rtp_payload_tally *t, int n, size_t len, size_t tag, uint32_t step, enum kind k)
{
    static double phase;
    uint8_t buf[2048];
    uint16_t seq = 65530; /* wraps inside the sample */
    uint32_t ts = 0xfffff000u;
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < len; j++) {
            if (k == SILENCE) {
                buf[j] = 0xff;
            } else if (k == SPEECH) {
                /* a voiced sound: two harmonics under a syllable envelope, plus noise */
                phase += 1.0;
                double env = 0.2 + 0.8 * fabs(sin(phase / 900.0));
                double x = env * (6000 * sin(phase * 0.11) + 2500 * sin(phase * 0.37)) + (rnd8() - 128) * 8;
                buf[j] = ulaw((int16_t)x);
            } else {
                buf[j] = rnd8();
            }
        }
        for (size_t j = 0; j < tag; j++)
            buf[len + j] = rnd8();
        struct span p = { buf, len + tag };
        rtp_payload_tally_add(t, seq, ts, p);
        seq++;
        ts += step;
    }
}

static void judge(enum kind k, uint8_t pt, size_t len, size_t tag, uint32_t step, int n,
                  struct rtp_payload_verdict *v)
{
    struct rtp_payload_tally t;
    memset(&t, 0, sizeof t);
    rng_state = 0x1234567u;
    feed(&t, n, len, tag, step, k);
    rtp_payload_judge(&t, pt, v);
}

static void pcmu_with_80_bit_tag_is_srtp(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 0, 160, 10, 160, 20, &v);
    assert_int_equal(v.guess, SRTP_GUESS_SRTP);
    assert_int_equal(v.basis, SRTP_BASIS_AUTH_TAG);
    assert_int_equal(v.tag_bytes, 10);
    assert_int_equal(v.frame_bytes, 160);
    assert_int_equal(v.payload_bytes, 170);
    char d[320];
    rtp_payload_describe(&v, 0, d, sizeof d);
    assert_non_null(strstr(d, "10-byte SRTP authentication tag"));
}

static void pcma_30ms_with_32_bit_tag_is_srtp(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 8, 240, 4, 240, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_SRTP);
    assert_int_equal(v.tag_bytes, 4);
}

static void g729_with_tag_is_srtp(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 18, 20, 10, 160, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_SRTP);
    assert_int_equal(v.frame_bytes, 20);
}

static void clear_pcmu_speech_is_clear(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(SPEECH, 0, 160, 0, 160, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_CLEAR);
    assert_int_equal(v.basis, SRTP_BASIS_SPEECH);
    assert_true(v.chi2 > 150);
}

static void clear_pcmu_silence_is_clear(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(SILENCE, 0, 160, 0, 160, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_CLEAR);
}

static void frame_sized_uniform_pcmu_is_srtp_without_tag(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 0, 160, 0, 160, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_SRTP);
    assert_int_equal(v.basis, SRTP_BASIS_UNIFORM);
}

/* Compressed codecs look random in clear: a frame-sized payload says nothing. */
static void clear_g729_stays_unknown(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 18, 20, 0, 160, 16, &v);
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
    assert_int_equal(v.basis, SRTP_BASIS_COMPRESSED);
}

/* Opus (dynamic type, variable length, random-looking): never called SRTP. */
static void opus_stays_unknown(void **state)
{
    (void)state;
    struct rtp_payload_tally t;
    memset(&t, 0, sizeof t);
    rng_state = 99;
    uint8_t buf[200];
    for (int i = 0; i < 16; i++) {
        size_t len = 60 + rnd8() % 100;
        for (size_t j = 0; j < len; j++)
            buf[j] = rnd8();
        rtp_payload_tally_add(&t, (uint16_t)(100 + i), 960u * (uint32_t)i, (struct span){ buf, len });
    }
    struct rtp_payload_verdict v;
    rtp_payload_judge(&t, 111, &v);
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
    assert_int_equal(v.basis, SRTP_BASIS_UNKNOWN_CODEC);
    /* even a constant-length dynamic type with 10 spare bytes stays unknown */
    memset(&t, 0, sizeof t);
    for (int i = 0; i < 16; i++)
        rtp_payload_tally_add(&t, (uint16_t)(100 + i), 960u * (uint32_t)i, (struct span){ buf, 170 });
    rtp_payload_judge(&t, 111, &v);
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
}

static void few_packets_give_no_verdict(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 0, 160, 10, 160, 5, &v);
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
    assert_int_equal(v.basis, SRTP_BASIS_FEW_PACKETS);
}

static void unexplained_length_stays_unknown(void **state)
{
    (void)state;
    struct rtp_payload_verdict v;
    judge(RANDOM, 0, 160, 7, 160, 16, &v); /* 167: no SRTP tag is 7 bytes */
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
    assert_int_equal(v.basis, SRTP_BASIS_OTHER_LENGTH);
}

static void varying_lengths_stay_unknown(void **state)
{
    (void)state;
    struct rtp_payload_tally t;
    memset(&t, 0, sizeof t);
    uint8_t buf[400] = { 0 };
    for (int i = 0; i < 16; i++)
        rtp_payload_tally_add(&t, (uint16_t)i, 160u * (uint32_t)i, (struct span){ buf, (size_t)(160 + (i % 4) * 40) });
    struct rtp_payload_verdict v;
    rtp_payload_judge(&t, 0, &v);
    assert_int_equal(v.guess, SRTP_GUESS_UNKNOWN);
    assert_int_equal(v.basis, SRTP_BASIS_VARIABLE);
}

/* Bounded work: 16 packets, 256 bytes each, then adding is a no-op. */
static void tally_is_bounded(void **state)
{
    (void)state;
    struct rtp_payload_tally t;
    memset(&t, 0, sizeof t);
    uint8_t buf[1000] = { 0 };
    for (int i = 0; i < 100; i++)
        rtp_payload_tally_add(&t, (uint16_t)i, 160u * (uint32_t)i, (struct span){ buf, sizeof buf });
    assert_true(rtp_payload_tally_full(&t));
    assert_int_equal(t.n, RTP_PAYLOAD_SAMPLE_PACKETS);
    unsigned total = 0;
    for (int i = 0; i < 16; i++)
        total += t.hi[i];
    assert_int_equal(total, RTP_PAYLOAD_SAMPLE_PACKETS * RTP_PAYLOAD_SAMPLE_BYTES);
    /* a lost packet is no step: only consecutive sequence numbers count */
    memset(&t, 0, sizeof t);
    rtp_payload_tally_add(&t, 1, 0, (struct span){ buf, 160 });
    rtp_payload_tally_add(&t, 3, 320, (struct span){ buf, 160 });
    rtp_payload_tally_add(&t, 4, 480, (struct span){ buf, 160 });
    assert_int_equal(t.n_steps, 1);
    assert_int_equal(t.steps[0], 160);
}

static void codec_frame_sizes(void **state)
{
    (void)state;
    uint32_t b;
    bool pcm;
    assert_true(rtp_codec_frame_bytes(0, 160, &b, &pcm) && b == 160 && pcm);
    assert_true(rtp_codec_frame_bytes(3, 160, &b, &pcm) && b == 33 && !pcm);
    assert_true(rtp_codec_frame_bytes(18, 240, &b, &pcm) && b == 30);
    assert_true(rtp_codec_frame_bytes(4, 240, &b, &pcm) && b == 24);
    assert_true(rtp_codec_frame_bytes(11, 441, &b, &pcm) && b == 882);
    assert_false(rtp_codec_frame_bytes(18, 100, &b, &pcm));
    assert_false(rtp_codec_frame_bytes(96, 960, &b, &pcm));
    assert_false(rtp_codec_frame_bytes(0, 0, &b, &pcm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcmu_with_80_bit_tag_is_srtp),
        cmocka_unit_test(pcma_30ms_with_32_bit_tag_is_srtp),
        cmocka_unit_test(g729_with_tag_is_srtp),
        cmocka_unit_test(clear_pcmu_speech_is_clear),
        cmocka_unit_test(clear_pcmu_silence_is_clear),
        cmocka_unit_test(frame_sized_uniform_pcmu_is_srtp_without_tag),
        cmocka_unit_test(clear_g729_stays_unknown),
        cmocka_unit_test(opus_stays_unknown),
        cmocka_unit_test(few_packets_give_no_verdict),
        cmocka_unit_test(unexplained_length_stays_unknown),
        cmocka_unit_test(varying_lengths_stay_unknown),
        cmocka_unit_test(tally_is_bounded),
        cmocka_unit_test(codec_frame_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
