/* test_seclevel.c: media security, client policy, call level and the mismatch diagnosis (analyze/seclevel.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "seclevel.h"

static struct sdp_info sdp_a, sdp_b;

static struct sdp_view view(struct sdp_info *s, const char *text, uint64_t frame)
{
    assert_true(sdp_parse((const uint8_t *)text, strlen(text), s));
    struct sdp_view v = { s->media, s->n_media, frame };
    return v;
}

#define AVP "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0 8\r\n"
#define AVP_CRYPTO AVP "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:k\r\n"
#define SAVP "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:k\r\n"
#define DTLS "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n"

static enum media_sec first_media_sec(const char *text)
{
    struct sdp_view v = view(&sdp_a, text, 1);
    return seclevel_media(&v.media[0]);
}

static void seclevel_classifies_media_lines(void **state)
{
    (void)state;
    assert_int_equal(first_media_sec(AVP), MEDIA_SEC_NONE);
    assert_int_equal(first_media_sec(AVP_CRYPTO), MEDIA_SEC_OPPORTUNISTIC);
    assert_int_equal(first_media_sec(SAVP), MEDIA_SEC_SDES);
    assert_int_equal(first_media_sec(DTLS), MEDIA_SEC_DTLS);
    assert_int_equal(first_media_sec("v=0\r\nm=audio 1 RTP/SAVP 0\r\n"), MEDIA_SEC_SRTP_OTHER);
    assert_int_equal(first_media_sec("v=0\r\nm=audio 1 RTP/SAVP 0\r\na=fingerprint:sha-1 AA\r\n"),
                     MEDIA_SEC_DTLS);
}

static void seclevel_weakest_active_media_decides(void **state)
{
    (void)state;
    struct sdp_view v = view(&sdp_a, SAVP "m=video 0 RTP/AVP 96\r\n", 1);
    assert_int_equal(seclevel_sdp(v.media, v.n), MEDIA_SEC_SDES); /* port 0: rejected, ignored */
    v = view(&sdp_a, SAVP "m=video 5000 RTP/AVP 96\r\n", 1);
    assert_int_equal(seclevel_sdp(v.media, v.n), MEDIA_SEC_NONE);
    /* The same with each line's own, rejected lines too. */
    enum media_sec each[SDP_MEDIA_MAX];
    v = view(&sdp_a, SAVP "m=video 0 RTP/AVP 96\r\n", 1);
    assert_int_equal(seclevel_sdp_each(v.media, v.n, each), MEDIA_SEC_SDES);
    assert_int_equal(each[0], MEDIA_SEC_SDES);
    assert_int_equal(each[1], MEDIA_SEC_NONE);
    v = view(&sdp_a, "v=0\r\nm=audio 0 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:k\r\n"
                     "m=video 0 RTP/AVP 96\r\n", 1);
    assert_int_equal(seclevel_sdp_each(v.media, v.n, each), MEDIA_SEC_SDES); /* all rejected: the first */
    assert_int_equal(seclevel_sdp(v.media, v.n), MEDIA_SEC_SDES);
    assert_int_equal(each[1], MEDIA_SEC_NONE);
}

static enum enc_policy policy(const char *text)
{
    struct sdp_view v = view(&sdp_a, text, 1);
    return seclevel_offer_policy(v.media, v.n);
}

static void seclevel_offer_policy_from_profile_and_crypto(void **state)
{
    (void)state;
    assert_int_equal(policy(SAVP), POLICY_REQUIRED);
    assert_int_equal(policy(DTLS), POLICY_REQUIRED);
    assert_int_equal(policy(AVP), POLICY_NOT_SUPPORTED);
    assert_int_equal(policy(AVP_CRYPTO), POLICY_SUPPORTED);
}

static void seclevel_microsoft_encryption_attribute_overrides_profile(void **state)
{
    (void)state;
    assert_int_equal(policy(SAVP "a=encryption:optional\r\n"), POLICY_SUPPORTED);
    assert_int_equal(policy(AVP "a=encryption:rejected\r\n"), POLICY_NOT_SUPPORTED);
    assert_int_equal(policy(AVP_CRYPTO "a=encryption:required\r\n"), POLICY_REQUIRED);
}

static enum sec_level level(bool tls, const char *offer, const char *answer)
{
    char ev[512];
    struct sdp_view o, a;
    if (offer)
        o = view(&sdp_a, offer, 1);
    if (answer)
        a = view(&sdp_b, answer, 2);
    return seclevel_call(tls, offer ? &o : NULL, answer ? &a : NULL, ev, sizeof ev);
}

static void seclevel_call_levels_follow_transport_and_answer(void **state)
{
    (void)state;
    assert_int_equal(level(false, AVP, AVP), SEC_UNSECURED);
    assert_int_equal(level(false, SAVP, SAVP), SEC_UNSECURED); /* SRTP keyed over clear SIP */
    assert_int_equal(level(true, AVP, AVP), SEC_SIP_SECURED);
    assert_int_equal(level(true, SAVP, SAVP), SEC_SECURED);
    assert_int_equal(level(true, DTLS, DTLS), SEC_SECURED);
    assert_int_equal(level(true, NULL, NULL), SEC_UNKNOWN);
    assert_int_equal(level(false, NULL, NULL), SEC_UNKNOWN);
}

static void seclevel_secured_offer_answered_clear_is_sip_secured(void **state)
{
    (void)state;
    assert_int_equal(level(true, SAVP, AVP), SEC_SIP_SECURED);
}

static void seclevel_opportunistic_offer_depends_on_answer(void **state)
{
    (void)state;
    assert_int_equal(level(true, AVP_CRYPTO, AVP_CRYPTO), SEC_SECURED);
    assert_int_equal(level(true, AVP_CRYPTO, AVP), SEC_SIP_SECURED);
    assert_int_equal(level(true, AVP_CRYPTO, NULL), SEC_SIP_SECURED);
}

static void seclevel_evidence_names_transport_and_answer_frame(void **state)
{
    (void)state;
    char ev[512];
    struct sdp_view o = view(&sdp_a, SAVP, 3), a = view(&sdp_b, SAVP, 9);
    seclevel_call(true, &o, &a, ev, sizeof ev);
    assert_non_null(strstr(ev, "SIP over TLS"));
    assert_non_null(strstr(ev, "frame 9"));
    assert_non_null(strstr(ev, "AES_CM_128_HMAC_SHA1_80"));
    assert_null(strstr(ev, "inline"));
}

static bool mismatch(const char *offer, int status, const char *warning, bool tls, char *detail, size_t cap)
{
    char summary[512];
    struct sdp_view o = view(&sdp_a, offer, 5);
    return seclevel_mismatch(&o, NULL, status, status == 415 ? "Unsupported Media Type" : "Not Acceptable Here",
                             warning, tls, summary, sizeof summary, detail, cap);
}

static void seclevel_srtp_offer_refused_415_is_a_mismatch_naming_levels_and_fix(void **state)
{
    (void)state;
    char d[2048];
    assert_true(mismatch(SAVP, 415, "", true, d, sizeof d));
    assert_non_null(strstr(d, "Unsecured"));
    assert_non_null(strstr(d, "SIP Secured"));
    assert_non_null(strstr(d, "Secured = SIP over mutual TLS and SRTP"));
    assert_non_null(strstr(d, "encryption required"));
    assert_non_null(strstr(d, "support, don't require"));
    assert_non_null(strstr(d, "frame 5"));
}

static void seclevel_rtp_offer_refused_488_is_a_mismatch_the_other_way(void **state)
{
    (void)state;
    char d[2048];
    assert_false(mismatch(AVP, 488, "", false, d, sizeof d)); /* could be a codec refusal */
    assert_true(mismatch(AVP, 488, "399 um.example.com \"SRTP is required\"", false, d, sizeof d));
    assert_non_null(strstr(d, "encryption not supported"));
    assert_non_null(strstr(d, "requires SRTP"));
    assert_non_null(strstr(d, "5061"));
}

static void seclevel_opportunistic_offer_488_needs_the_responses_word(void **state)
{
    (void)state;
    char d[2048];
    assert_false(mismatch(AVP_CRYPTO, 488, "", false, d, sizeof d));
    assert_true(mismatch(AVP_CRYPTO, 488, "399 gw \"SRTP required\"", false, d, sizeof d));
    assert_non_null(strstr(d, "SRTP required"));
}

static void seclevel_t38_reinvite_refused_is_not_a_security_mismatch(void **state)
{
    (void)state;
    char d[2048];
    assert_false(mismatch("v=0\r\nm=image 4000 udptl t38\r\n", 488, "", false, d, sizeof d));
}

static void seclevel_rtp_offer_refused_with_srtp_sdp_is_a_mismatch(void **state)
{
    (void)state;
    char summary[256], d[2048];
    struct sdp_view o = view(&sdp_a, AVP, 5), e = view(&sdp_b, SAVP, 6);
    assert_true(seclevel_mismatch(&o, &e, 488, "Not Acceptable Here", "", false, summary, sizeof summary,
                                  d, sizeof d));
}

static void seclevel_other_statuses_are_not_mismatches(void **state)
{
    (void)state;
    char d[2048];
    assert_false(mismatch(SAVP, 486, "", true, d, sizeof d));
    assert_false(mismatch(SAVP, 404, "", true, d, sizeof d));
    char summary[256];
    assert_false(seclevel_mismatch(NULL, NULL, 415, "x", "", true, summary, sizeof summary, d, sizeof d));
}

/* SIP over TLS without keys: level from the session and the media between the hosts. */
static void seclevel_opaque_tls_with_clear_media_is_sip_secured(void **state)
{
    (void)state;
    char ev[1024];
    struct opaque_evidence o = { .tls_id = "tls-1", .version = "TLS1.0", .cert_request = true,
                                 .client_cert = 0, .n_streams = 2, .n_clear = 2,
                                 .media_detail = "payload 160 bytes = one PCMU frame", .media_stream = "rtp-2" };
    assert_int_equal(seclevel_opaque(&o, ev, sizeof ev), SEC_SIP_SECURED);
    assert_non_null(strstr(ev, "tls-1"));
    assert_non_null(strstr(ev, "not mutual TLS"));
    assert_non_null(strstr(ev, "rtp-2"));
    /* one clear stream among SRTP ones: the weakest media decides */
    o.n_srtp = 1;
    o.n_clear = 1;
    assert_int_equal(seclevel_opaque(&o, ev, sizeof ev), SEC_SIP_SECURED);
}

static void seclevel_opaque_tls_with_srtp_media_is_secured(void **state)
{
    (void)state;
    char ev[1024];
    struct opaque_evidence o = { .tls_id = "tls-2", .version = "TLS1.2", .cert_request = true,
                                 .client_cert = 1, .n_streams = 2, .n_srtp = 2,
                                 .media_detail = "tag", .media_stream = "rtp-1" };
    assert_int_equal(seclevel_opaque(&o, ev, sizeof ev), SEC_SECURED);
    assert_non_null(strstr(ev, "mutual TLS (the client sent a certificate)"));
    assert_int_equal(seclevel_mutual_tls(true, 1), 1);
    assert_int_equal(seclevel_mutual_tls(false, 0), 0);
    assert_int_equal(seclevel_mutual_tls(true, -1), -1);
}

static void seclevel_opaque_without_decided_media_is_unknown(void **state)
{
    (void)state;
    char ev[1024];
    struct opaque_evidence o = { .tls_id = "tls-3", .client_cert = -1, .media_detail = "", .media_stream = "" };
    assert_int_equal(seclevel_opaque(&o, ev, sizeof ev), SEC_UNKNOWN);
    assert_non_null(strstr(ev, "no RTP between these two hosts"));
    /* SRTP and an undecided stream: not all known, so unknown */
    o.n_streams = 2;
    o.n_srtp = 1;
    o.media_detail = "PT 111 has no fixed frame size";
    o.media_stream = "rtp-4";
    assert_int_equal(seclevel_opaque(&o, ev, sizeof ev), SEC_UNKNOWN);
    assert_non_null(strstr(ev, "cannot tell"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seclevel_classifies_media_lines),
        cmocka_unit_test(seclevel_weakest_active_media_decides),
        cmocka_unit_test(seclevel_offer_policy_from_profile_and_crypto),
        cmocka_unit_test(seclevel_microsoft_encryption_attribute_overrides_profile),
        cmocka_unit_test(seclevel_call_levels_follow_transport_and_answer),
        cmocka_unit_test(seclevel_secured_offer_answered_clear_is_sip_secured),
        cmocka_unit_test(seclevel_opportunistic_offer_depends_on_answer),
        cmocka_unit_test(seclevel_evidence_names_transport_and_answer_frame),
        cmocka_unit_test(seclevel_srtp_offer_refused_415_is_a_mismatch_naming_levels_and_fix),
        cmocka_unit_test(seclevel_rtp_offer_refused_488_is_a_mismatch_the_other_way),
        cmocka_unit_test(seclevel_opportunistic_offer_488_needs_the_responses_word),
        cmocka_unit_test(seclevel_t38_reinvite_refused_is_not_a_security_mismatch),
        cmocka_unit_test(seclevel_rtp_offer_refused_with_srtp_sdp_is_a_mismatch),
        cmocka_unit_test(seclevel_other_statuses_are_not_mismatches),
        cmocka_unit_test(seclevel_opaque_tls_with_clear_media_is_sip_secured),
        cmocka_unit_test(seclevel_opaque_tls_with_srtp_media_is_secured),
        cmocka_unit_test(seclevel_opaque_without_decided_media_is_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
