/* fuzz_tls.c: TLS stream bytes, DTLS datagrams and X.509 DER through the dissector and tls_session. */
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "tls.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: byte 0 picks how the rest is cut into TCP deliveries (a chunk size
 * 1..64 and which direction starts); everything is then also tried as a
 * DTLS datagram and as one DER certificate. The analyzer behind the sink is
 * the real one, so certificate rules and the report run on what parses.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct limits lim = limits_default;
    lim.tls_sessions_max = 4;
    lim.certs_max = 4;
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        return 0;
    struct report_out out = { .fmt = FMT_NDJSON, .f = devnull };
    struct analyze_opts opts = { .profile = (enum profile)(data[0] % 3), .lim = &lim };
    struct analyzer *an = analyzer_new(&opts, &out, NULL);
    struct dissect_ctx dc = { .sink = analyzer_sink(an), .lim = &lim };

    struct stream_info si = { .saw_syn = true, .first = { 1, 1 } };
    si.key.src.family = si.key.dst.family = 4;
    si.key.src.b[3] = 1;
    si.key.dst.b[3] = 2;
    si.key.sport = 40000;
    si.key.dport = 5061;
    si.key.proto = L4_TCP;
    void *st = tls_stream_ops.open(&dc, &si);
    size_t chunk = (size_t)(data[0] & 63) + 1;
    enum dir d = (data[0] & 64) ? DIR_S2C : DIR_C2S;
    /* per-direction pending bytes, as the reassembler keeps them */
    static uint8_t pend[2][1 << 16];
    size_t npend[2] = { 0, 0 };
    uint64_t frame = 1;
    for (size_t off = 1; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (npend[d] + n > sizeof pend[d])
            npend[d] = 0;
        memcpy(pend[d] + npend[d], data + off, n);
        npend[d] += n;
        frame++;
        struct frame_ref at = { frame, (ts_ns)frame * 1000000 };
        size_t used = tls_stream_ops.data(st, d, pend[d], npend[d], &at);
        if (used > npend[d])
            __builtin_trap();
        memmove(pend[d], pend[d] + used, npend[d] - used);
        npend[d] -= used;
        if (data[off] == 0xee) /* sometimes switch sides, sometimes lose bytes */
            d = d == DIR_C2S ? DIR_S2C : DIR_C2S;
        else if (data[off] == 0xef) {
            npend[d] = 0;
            tls_stream_ops.gap(st, d, off, 10);
        }
    }
    tls_stream_ops.close(st, CLOSE_RST);

    frame++;
    struct frame_ref at = { frame, 1 };
    struct flow_key k = si.key;
    k.proto = L4_UDP;
    if (dtls_probe(data + 1, size - 1))
        dtls_datagram(&dc, &k, data + 1, size - 1, &at);
    else
        dtls_datagram(&dc, &k, data, size, &at);

    struct x509_info xi;
    char err[128];
    if (x509_parse(data + 1, size - 1, &xi, err, sizeof err)) {
        x509_name_matches(&xi, "sip.example.com");
        x509_info_free(&xi);
    }

    const char *files[] = { "fuzz" };
    struct input_summary sum = { .files = files, .n_files = 1, .packets = frame };
    analyzer_finish(an, &sum);
    report_write(&out, analyzer_ctx(an), &sum);
    analyzer_free(an);
    fclose(devnull);
    return 0;
}
