/* fuzz_pipeline.c: a whole capture file through decode, reassembly, dissectors and the report. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "decode.h"
#include "fuzz_harness.h"
#include "media_expect.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Small caps so eviction and memcap paths run within a short input. */
    struct limits lim = limits_default;
    lim.flows_max = 8;
    lim.reasm_ooo_bytes_max = 4096;
    lim.reasm_hold_bytes_max = 4096;
    lim.reasm_memcap_bytes = 32768;
    lim.ipfrag_max = 4;
    lim.calls_max = 8;
    lim.rtp_streams_max = 8;
    lim.tls_sessions_max = 8;
    lim.certs_max = 8;

    FILE *in = fmemopen((void *)data, size, "rb");
    if (in == NULL)
        return 0;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, err);
    if (p == NULL) {
        fclose(in);
        return 0;
    }
    struct media_expect *media = media_expect_new(&lim);
    struct fuzz_report rep;
    /* Both report forms: JSON at the end, or ndjson as each call, session
     * and stream ends (its own writer and lifecycle), by the input's size. */
    enum report_format fmt = size & 1 ? FMT_NDJSON : FMT_JSON;
    if (!fuzz_report_open(&rep, fmt, PROFILE_OCS2007, &lim, media)) {
        media_expect_free(media);
        pcap_close(p);
        return 0;
    }
    struct sink sink = analyzer_sink(rep.an);
    uint16_t extra_port = 5080;
    struct dissect_registry *reg = registry_new(&sink, &lim, &extra_port, 1);
    registry_ctx(reg)->media = media;
    struct decoder *dec = decoder_new(&lim, registry_hooks(reg));

    struct pcap_pkthdr *h;
    const u_char *pkt;
    uint64_t frame = 0;
    struct frame_ref at = { 0 };
    while (pcap_next_ex(p, &h, &pkt) == 1) {
        at.frame = ++frame;
        at.ts = ts_from_sec_ns(h->ts.tv_sec, h->ts.tv_usec);
        decoder_packet(dec, pcap_datalink(p), pkt, h->caplen, h->len < h->caplen ? h->caplen : h->len, &at);
    }
    decoder_finish(dec, &at);
    registry_finish(reg);
    struct input_summary sum;
    fuzz_report_finish(&rep, frame, &sum);
    rep.out.fmt = FMT_TEXT;
    report_write(&rep.out, analyzer_ctx(rep.an), &sum);

    decoder_free(dec);
    registry_free(reg);
    fuzz_report_close(&rep);
    media_expect_free(media);
    pcap_close(p); /* closes in */
    return 0;
}
