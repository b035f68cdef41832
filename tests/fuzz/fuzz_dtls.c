/* fuzz_dtls.c: DTLS datagrams through handshake reassembly (dissect/dtls_reasm.c, dtls_datagram) and tls_session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "dtls_reasm.h"
#include "fuzz_harness.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Datagrams are separated by these 4 bytes (STYLE.md 9). */
static const uint8_t SEP[4] = { 0xd7, 0x15, 0xd7, 0x15 };

static void registry_like_incomplete(void *ctx, const struct flow_key *from, uint8_t type, uint32_t have,
                                     uint32_t len, const struct frame_ref *last)
{
    (void)type;
    if (have > len)
        __builtin_trap();
    dissect_anomaly(ctx, last, from, "dtls", "incomplete_message", NULL, false);
}

/*
 * Input: datagrams separated by SEP. The first byte of each chunk picks
 * its 5-tuple (one of four connections, either direction) and whether the
 * capture clock jumps past the idle timeout; the rest is the datagram,
 * copied into its own allocation so ASan sees a read one byte past it.
 * The caps are tiny, so eviction, idle expiry, the global budget and the
 * per-message cap all run.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limits lim = limits_default;
    lim.tls_sessions_max = 8;
    lim.certs_max = 8;
    lim.dtls_conns_max = 2;
    lim.dtls_idle_ms = 1000;
    lim.dtls_msg_bytes_max = 4096;
    lim.dtls_reasm_bytes_max = 6000;
    struct fuzz_report rep;
    if (!fuzz_report_open(&rep, FMT_NDJSON, PROFILE_GENERIC, &lim, NULL))
        return 0;
    struct dissect_ctx dc = { .sink = analyzer_sink(rep.an), .lim = &lim };
    dc.dtls = dtls_reasm_new(&lim, registry_like_incomplete, &dc);

    uint64_t frame = 0;
    ts_ns now = 1000000000;
    size_t off = 0;
    while (off < size && dc.dtls) {
        size_t end = off;
        while (end < size && !(end + 4 <= size && memcmp(data + end, SEP, 4) == 0))
            end++;
        if (end > off) {
            uint8_t sel = data[off];
            struct flow_key k = { .sport = (uint16_t)(40000 + (sel & 3)), .dport = 4433, .proto = L4_UDP };
            k.src.family = k.dst.family = 4;
            k.src.b[3] = 1;
            k.dst.b[3] = 2;
            if (sel & 4)
                k = flow_key_reverse(&k);
            now += (sel & 8) ? 2000000000LL : 1000000;
            size_t n = end - off - 1;
            uint8_t *dgram = malloc(n ? n : 1);
            if (dgram) {
                memcpy(dgram, data + off + 1, n);
                struct frame_ref at = { ++frame, now };
                dtls_datagram(&dc, &k, dgram, n, &at);
                free(dgram);
                const struct dtls_reasm_stats *st = dtls_reasm_stats(dc.dtls);
                if (st->held_bytes > lim.dtls_reasm_bytes_max || st->conns_live > lim.dtls_conns_max)
                    __builtin_trap();
            }
        }
        off = end + 4;
    }
    if (dc.dtls) {
        dtls_reasm_flush(dc.dtls);
        if (dtls_reasm_stats(dc.dtls)->held_bytes != 0)
            __builtin_trap();
    }

    struct input_summary sum;
    fuzz_report_finish(&rep, frame, &sum);
    dtls_reasm_free(dc.dtls);
    fuzz_report_close(&rep);
    return 0;
}
