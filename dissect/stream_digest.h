/* stream_digest.h: a test consumer that fingerprints whole TCP streams (hidden --debug-streams). */
#ifndef SIPSEC_STREAM_DIGEST_H
#define SIPSEC_STREAM_DIGEST_H

#include <stdint.h>

#include "stream.h"

/* Streams beyond this are counted, not listed: it is for small test traces. */
enum { STREAM_DIGESTS_MAX = 64 };

struct stream_digest_result {
    struct stream_info si;
    uint64_t bytes[2];       /* delivered per direction */
    uint64_t gaps, gap_bytes;
    char sha256[2][65];      /* of the delivered bytes, per direction */
    enum close_reason why;
};

struct stream_digests {
    struct stream_digest_result done[STREAM_DIGESTS_MAX];
    size_t n;
    uint64_t not_listed;
};

/* open() takes a struct stream_digests *; results land there at close. */
extern const struct stream_ops stream_digest_ops;

#endif
