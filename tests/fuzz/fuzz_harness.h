/* fuzz_harness.h: set-up the fuzz targets share: the real analyzer with its report written to
 * /dev/null, and held bytes fed to a stream consumer as tcp_reasm holds them (the TCP stream
 * itself: test_tcp_stream in tests/unit/test_helpers.h). Header-only: each target is its own
 * program. */
#ifndef SIPSEC_FUZZ_HARNESS_H
#define SIPSEC_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "stream.h"
#include "../unit/test_helpers.h"

/* The analyzer and where its report goes. out is borrowed by an: the struct must not move
 * between fuzz_report_open and fuzz_report_close. */
struct fuzz_report {
    FILE *devnull;
    struct report_out out;
    struct analyzer *an;
};

/* Opens /dev/null and an analyzer over it; false (nothing to free) if /dev/null cannot be
 * opened. lim (and media, may be NULL) must outlive the analyzer. */
static inline bool fuzz_report_open(struct fuzz_report *r, enum report_format fmt, enum profile profile,
                                    const struct limits *lim, struct media_expect *media)
{
    r->devnull = fopen("/dev/null", "w");
    if (r->devnull == NULL)
        return false;
    r->out = (struct report_out){ .fmt = fmt, .f = r->devnull };
    struct analyze_opts opts = { .profile = profile, .lim = lim };
    r->an = analyzer_new(&opts, &r->out, media);
    return true;
}

/* Ends the analysis of one input of `packets` frames and writes the report; its summary is
 * left in *sum for further report_write calls. */
static inline void fuzz_report_finish(struct fuzz_report *r, uint64_t packets, struct input_summary *sum)
{
    static const char *files[] = { "fuzz" };
    *sum = (struct input_summary){ .files = files, .n_files = 1, .packets = packets };
    analyzer_finish(r->an, sum);
    report_write(&r->out, analyzer_ctx(r->an), sum);
}

static inline void fuzz_report_close(struct fuzz_report *r)
{
    analyzer_free(r->an);
    fclose(r->devnull);
}

/* Bytes a consumer has not used yet, per direction, as the reassembler holds them. */
struct fuzz_pending {
    uint8_t b[2][1 << 16];
    size_t n[2];
};

/* Appends p[0..n) to direction d's held bytes (what does not fit is cut; a full buffer starts
 * over, as a gap would) and offers them all to ops->data; traps if the consumer claims more
 * than it was given, then keeps what it left. */
static inline void fuzz_pending_feed(struct fuzz_pending *pd, const struct stream_ops *ops, void *st, enum dir d,
                                     const uint8_t *p, size_t n, const struct frame_ref *at)
{
    if (n > sizeof pd->b[d])
        n = sizeof pd->b[d];
    if (pd->n[d] + n > sizeof pd->b[d])
        pd->n[d] = 0;
    if (n)
        memcpy(pd->b[d] + pd->n[d], p, n);
    pd->n[d] += n;
    size_t used = ops->data(st, d, pd->b[d], pd->n[d], at);
    if (used > pd->n[d])
        __builtin_trap();
    memmove(pd->b[d], pd->b[d] + used, pd->n[d] - used);
    pd->n[d] -= used;
}

#endif
