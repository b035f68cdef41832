/* stream_digest.c: hashes what reassembly delivers, so tests can prove that reordered,
 * retransmitted or re-encapsulated captures yield the same bytes. */
#include "stream_digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

struct digest_state {
    struct stream_digests *out;
    struct stream_digest_result r;
    EVP_MD_CTX *md[2];
};

static void *digest_open(void *ctx, const struct stream_info *si)
{
    struct digest_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->out = ctx;
    s->r.si = *si;
    for (int d = 0; d < 2; d++) {
        s->md[d] = EVP_MD_CTX_new();
        if (s->md[d])
            EVP_DigestInit_ex(s->md[d], EVP_sha256(), NULL);
    }
    return s;
}

static size_t digest_data(void *st, enum dir d, const uint8_t *p, size_t n, const struct frame_ref *at)
{
    (void)at;
    struct digest_state *s = st;
    if (s == NULL)
        return n;
    s->r.bytes[d] += n;
    if (s->md[d])
        EVP_DigestUpdate(s->md[d], p, n);
    return n;
}

static void digest_gap(void *st, enum dir d, uint64_t offset, uint32_t len)
{
    (void)d;
    (void)offset;
    struct digest_state *s = st;
    if (s == NULL)
        return;
    s->r.gaps++;
    s->r.gap_bytes += len;
}

static void digest_close(void *st, enum close_reason why)
{
    struct digest_state *s = st;
    if (s == NULL)
        return;
    s->r.why = why;
    for (int d = 0; d < 2; d++) {
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned int hn = 0;
        if (s->md[d] && EVP_DigestFinal_ex(s->md[d], h, &hn) == 1)
            for (unsigned int i = 0; i < hn && i < 32; i++)
                snprintf(&s->r.sha256[d][i * 2], 3, "%02x", h[i]);
        EVP_MD_CTX_free(s->md[d]);
    }
    if (s->out->n < STREAM_DIGESTS_MAX)
        s->out->done[s->out->n++] = s->r;
    else
        s->out->not_listed++;
    free(s);
}

const struct stream_ops stream_digest_ops = {
    "digest", digest_open, digest_data, digest_gap, digest_close,
};
