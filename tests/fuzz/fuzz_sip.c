/* fuzz_sip.c: SIP framing (UDP and TCP), libosip2 parsing, SDP and the call analyzer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "media_expect.h"
#include "modules.h"
#include "sip.h"
#include "sip_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one mode byte (bit 0: 0 = UDP datagrams, 1 = TCP stream), then
 * chunks separated by "\r\n##". Each chunk gets its own allocation so ASan
 * sees a read one past it; TCP chunks alternate direction and leftovers
 * are offered again prefixed, as the reassembler does. Events go through
 * the call analyzer in ndjson mode, so emit-and-free runs too.
 */
static const uint8_t SEP[4] = { '\r', '\n', '#', '#' };
enum { HOLD_MAX = 65536 + 4096 };

struct held {
    uint8_t buf[HOLD_MAX];
    size_t n;
};

static struct analyze_ctx *g_actx;

static void forward(void *ctx, const struct event *ev)
{
    (void)ctx;
    if (ev->kind == EV_SIP)
        calls_event(g_actx->calls, ev);
}

static size_t next_chunk(const uint8_t *data, size_t size, size_t pos, size_t *len)
{
    size_t i = pos;
    while (i + sizeof SEP <= size && memcmp(data + i, SEP, sizeof SEP) != 0)
        i++;
    if (i + sizeof SEP > size)
        i = size;
    *len = i - pos;
    return i + sizeof SEP > size ? size : i + sizeof SEP;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static struct held held[2];
    struct limits lim = limits_default;
    lim.sip_msg_bytes_max = 4096; /* small, so the oversize paths run */
    lim.calls_max = 8;
    struct analyze_opts opts = { .lim = &lim };
    FILE *null_out = fopen("/dev/null", "w");
    if (null_out == NULL)
        return 0;
    struct report_out out = { .fmt = FMT_NDJSON, .f = null_out };
    struct analyze_ctx actx = { .opts = &opts, .out = &out };
    actx.findings = findings_new(64, NULL, NULL);
    actx.media = media_expect_new(&lim);
    actx.calls = calls_new(&actx);
    g_actx = &actx;
    struct dissect_ctx dc = { .sink = { forward, NULL }, .lim = &lim };
    struct flow_key k = { .sport = 40000, .dport = 5060, .proto = L4_UDP };
    k.src.family = k.dst.family = 4;
    k.src.b[0] = 10;
    k.dst.b[0] = 10;
    k.dst.b[3] = 2;
    struct flow_key keys[2] = { k, flow_key_reverse(&k) };
    struct sip_framer_dir fd[2];
    memset(fd, 0, sizeof fd);
    held[0].n = held[1].n = 0;

    bool tcp = data[0] & 1;
    size_t pos = 1;
    uint64_t frame = 0;
    int dir = 0;
    while (pos < size) {
        size_t len;
        size_t next = next_chunk(data, size, pos, &len);
        frame++;
        struct frame_ref at = { frame, (ts_ns)frame * 1000000 };
        if (!tcp) {
            uint8_t *copy = malloc(len ? len : 1);
            if (copy) {
                memcpy(copy, data + pos, len);
                sip_datagram(&dc, &keys[dir], copy, len, &at);
                free(copy);
            }
        } else {
            struct held *h = &held[dir];
            size_t take = len < HOLD_MAX - h->n ? len : HOLD_MAX - h->n;
            memcpy(h->buf + h->n, data + pos, take);
            h->n += take;
            uint8_t *copy = malloc(h->n ? h->n : 1);
            if (copy) {
                memcpy(copy, h->buf, h->n);
                size_t used = sip_stream_feed(&dc, &fd[dir], &keys[dir], SIP_TR_TCP, copy, h->n, &at);
                if (used > h->n)
                    abort(); /* a consumer may never claim more than it was given */
                memmove(h->buf, h->buf + used, h->n - used);
                h->n -= used;
                free(copy);
            }
            if (h->n == HOLD_MAX) { /* the reassembler's hold cap: drop and gap */
                h->n = 0;
                sip_stream_gap(&fd[dir]);
            }
        }
        dir ^= 1;
        pos = next;
    }
    calls_finish(actx.calls);
    calls_free(actx.calls);
    media_expect_free(actx.media);
    findings_free(actx.findings);
    fclose(null_out);
    return 0;
}
