/* fuzz_rtp.c: RTP/RTCP datagrams through the dissector and the stream statistics (issue 5). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules.h"
#include "rtp.h"
#include "rtp_stats.h"

/*
 * The input is a run of datagrams split on "RTP!". Each gets its own
 * allocation of exactly its size, so ASan catches a read one byte past
 * it. All datagrams share one flow but alternate direction every 4th, so
 * several streams, duplicates and reordering all happen; a datagram whose
 * first byte is 0xff jumps capture time by a minute to exercise expiry.
 */
static const uint8_t SEP[4] = { 'R', 'T', 'P', '!' };

struct fuzz_ctx {
    struct rtp_state *rtp;
};

static void fuzz_emit(void *ctx, const struct event *ev)
{
    struct fuzz_ctx *f = ctx;
    if (ev->kind == EV_RTP || ev->kind == EV_RTCP)
        rtp_state_event(f->rtp, ev);
}

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + sizeof SEP <= n; i++)
        if (memcmp(p + i, SEP, sizeof SEP) == 0)
            return p + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limits lim = limits_default;
    lim.rtp_streams_max = 8; /* small, so the cap and eviction paths run */
    lim.udp_idle_ms = 30000;
    struct analyze_opts opts = { .lim = &lim };
    FILE *sinkf = fopen("/dev/null", "w");
    if (sinkf == NULL)
        return 0;
    struct report_out out = { .fmt = FMT_NDJSON, .f = sinkf };
    struct analyze_ctx ctx = { .opts = &opts, .out = &out };
    ctx.findings = findings_new(64, NULL, NULL);
    ctx.ipsec = ipsec_new(&ctx);
    struct fuzz_ctx f = { rtp_state_new(&ctx) };
    struct dissect_ctx dc = { .sink = { fuzz_emit, &f }, .lim = &lim };

    struct flow_key k = { .sport = 40000, .dport = 40002, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = 10, k.src.b[3] = 1;
    k.dst.b[0] = 10, k.dst.b[3] = 2;
    struct flow_key rk = flow_key_reverse(&k);

    ts_ns t = 1700000000LL * 1000000000LL;
    uint64_t frame = 0;
    while (size > 0) {
        const uint8_t *sep = find_sep(data, size);
        size_t n = sep ? (size_t)(sep - data) : size;
        uint8_t *copy = malloc(n ? n : 1);
        if (copy == NULL)
            break;
        memcpy(copy, data, n);
        frame++;
        t += (n > 0 && copy[0] == 0xff) ? 60000000000LL : 20000000LL;
        struct frame_ref at = { frame, t };
        const struct flow_key *fk = (frame % 4 == 0) ? &rk : &k;
        if (rtp_probe(copy, n) || (frame & 1))
            rtp_datagram(&dc, fk, copy, n, &at);
        free(copy);
        if (sep == NULL)
            break;
        size -= n + sizeof SEP;
        data = sep + sizeof SEP;
    }
    rtp_state_finish(f.rtp);
    struct jw w;
    jw_init(&w, sinkf, false);
    rtp_write_json(f.rtp, &w);
    rtp_write_text(f.rtp, sinkf);
    rtp_state_free(f.rtp);
    ipsec_free(ctx.ipsec);
    findings_free(ctx.findings);
    fclose(sinkf);
    return 0;
}
