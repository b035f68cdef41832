/* fuzz_tls.c: TLS stream bytes, DTLS datagrams and X.509 DER through the dissector and tls_session. */
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "fuzz_harness.h"
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
    struct fuzz_report rep;
    if (!fuzz_report_open(&rep, FMT_NDJSON, (enum profile)(data[0] % 3), &lim, NULL))
        return 0;
    struct dissect_ctx dc = { .sink = analyzer_sink(rep.an), .lim = &lim };

    struct stream_info si = test_tcp_stream(5061, 1);
    void *st = tls_stream_ops.open(&dc, &si);
    size_t chunk = (size_t)(data[0] & 63) + 1;
    enum dir d = (data[0] & 64) ? DIR_S2C : DIR_C2S;
    static struct fuzz_pending pend;
    pend.n[0] = pend.n[1] = 0;
    uint64_t frame = 1;
    for (size_t off = 1; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        frame++;
        struct frame_ref at = { frame, (ts_ns)frame * 1000000 };
        fuzz_pending_feed(&pend, &tls_stream_ops, st, d, data + off, n, &at);
        if (data[off] == 0xee) /* sometimes switch sides, sometimes lose bytes */
            d = d == DIR_C2S ? DIR_S2C : DIR_C2S;
        else if (data[off] == 0xef) {
            pend.n[d] = 0;
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

    struct input_summary sum;
    fuzz_report_finish(&rep, frame, &sum);
    fuzz_report_close(&rep);
    return 0;
}
