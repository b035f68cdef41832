/* fuzz_sdp.c: the one-pass SDP parser (dissect/sdp.c) differential against the plain reference. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "sdp.h"
#include "sdp_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one SDP body. Both parsers get it, over different filler bytes,
 * and must agree on everything a reader of struct sdp_info may look at:
 * the verdict, the counters, the session address and each used media
 * line field by field (pt[] and crypto[] up to their counts, strings up
 * to their NUL, which must lie inside the array). The reference clears
 * more than it must; the fast parser clears only that.
 *
 * The input's first line is also an address for ip_addr_parse_n, against
 * libc's inet_pton: the SDP reference shares that function.
 */
static struct sdp_info fast, ref;

static void disagree(const char *what, size_t media)
{
    fprintf(stderr, "sdp_parse and the reference disagree on %s (media line %zu)\n", what, media);
    abort();
}

static void same_str(const char *what, size_t i, const char *a, size_t cap_a, const char *b, size_t cap_b)
{
    if (memchr(a, '\0', cap_a) == NULL || memchr(b, '\0', cap_b) == NULL)
        disagree(what, i); /* unterminated */
    if (strcmp(a, b) != 0)
        disagree(what, i);
}

#define SAME_STR(what, i, a, b) same_str(what, i, a, sizeof(a), b, sizeof(b))

static void same_media(size_t i, const struct sdp_media *a, const struct sdp_media *b)
{
    SAME_STR("type", i, a->type, b->type);
    SAME_STR("profile", i, a->profile, b->profile);
    if (a->profile_flags != sdp_profile_flags(b->profile))
        disagree("profile flags", i);
    if (a->port != b->port)
        disagree("port", i);
    if (a->has_addr != b->has_addr || (a->has_addr && !ip_addr_eq(&a->addr, &b->addr)))
        disagree("address", i);
    if (a->n_pt != b->n_pt || a->n_pt > SDP_PT_MAX)
        disagree("payload type count", i);
    for (size_t j = 0; j < a->n_pt; j++) {
        if (a->pt[j].pt != b->pt[j].pt || a->pt[j].clock_rate != b->pt[j].clock_rate)
            disagree("payload type", i);
        SAME_STR("encoding", i, a->pt[j].encoding, b->pt[j].encoding);
    }
    if (a->n_crypto != b->n_crypto || a->n_crypto > SDP_CRYPTO_MAX)
        disagree("crypto count", i);
    for (size_t j = 0; j < a->n_crypto; j++) {
        if (a->crypto[j].tag != b->crypto[j].tag || a->crypto[j].has_inline_key != b->crypto[j].has_inline_key)
            disagree("crypto", i);
        SAME_STR("crypto suite", i, a->crypto[j].suite, b->crypto[j].suite);
    }
    SAME_STR("fingerprint", i, a->fingerprint, b->fingerprint);
    SAME_STR("setup", i, a->setup, b->setup);
    SAME_STR("encryption", i, a->encryption, b->encryption);
    if (a->is_inactive != b->is_inactive)
        disagree("inactive", i);
}

static void check_address(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && n < 80 && data[n] != '\n')
        n++;
    char text[81];
    memcpy(text, data, n);
    text[n] = '\0'; /* a NUL inside ends it for inet_pton as for ip_addr_parse_n */
    struct ip_addr got;
    uint8_t want[16];
    bool ok = ip_addr_parse_n((const char *)data, n, &got);
    if (inet_pton(AF_INET, text, want) == 1) {
        if (!ok || got.family != 4 || memcmp(got.b, want, 4) != 0)
            abort();
    } else if (inet_pton(AF_INET6, text, want) == 1) {
        if (!ok || got.family != 6 || memcmp(got.b, want, 16) != 0)
            abort();
    } else if (ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&fast, 0xa5, sizeof fast);
    memset(&ref, 0x5a, sizeof ref);
    bool ok_fast = sdp_parse(data, size, &fast);
    bool ok_ref = ref_sdp_parse(data, size, &ref);
    if (ok_fast != ok_ref)
        disagree("the verdict", 0);
    if (fast.has_addr != ref.has_addr || !ip_addr_eq(&fast.addr, &ref.addr))
        disagree("the session address", 0);
    if (fast.n_media != ref.n_media || fast.n_media > SDP_MEDIA_MAX || fast.n_media_dropped != ref.n_media_dropped ||
        fast.n_pt_dropped != ref.n_pt_dropped || fast.n_crypto_dropped != ref.n_crypto_dropped)
        disagree("the counters", 0);
    for (size_t i = 0; i < fast.n_media; i++)
        same_media(i, &fast.media[i], &ref.media[i]);
    check_address(data, size);
    return 0;
}
