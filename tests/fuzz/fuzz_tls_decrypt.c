/* fuzz_tls_decrypt.c: TLS record decryption with fixed keys, key log text, and the TLS stream
 * consumer with a key store, through the real analyzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "fuzz_harness.h"
#include "pcapng_secrets.h"
#include "tls.h"
#include "tls_decrypt.h"
#include "tls_keylog.h"
#include "../unit/tls_test_sealer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    uint16_t suite, version;
    bool etm;
} cases[] = {
    { 0xC02F, TLS_V_TLS12, false }, { 0xCCA8, TLS_V_TLS12, false }, { 0xC0AE, TLS_V_TLS12, false },
    { 0x002F, TLS_V_TLS10, false }, { 0xC028, TLS_V_TLS12, true },  { 0x0035, TLS_V_SSL3, false },
    { 0x1301, TLS_V_TLS13, false }, { 0x1303, TLS_V_TLS13, false },
};

/*
 * Byte 0 picks what the rest is:
 *  0-7:   records for cases[b0]: [type][len16][bytes]... decrypted as they are; and the
 *         same bytes sealed with the matching key, one byte flipped where byte 1 says,
 *         then decrypted (valid structure, hostile content)
 *  8:     key log text; also written in pieces to a file that a key store follows, which
 *         must read the same lines (when the text ends with a newline)
 *  9:     a pcapng file walked for Decryption Secrets Blocks (into a key store)
 *  10-255: TLS stream segments separated by "\xee\xee\xee\xee", each starting with a
 *         direction byte (even: client, odd: server; 0xef: a gap in that direction; with
 *         an odd byte 0, 0xed: the secrets are appended to the followed key log now), fed
 *         through the TLS stream consumer with a key store that holds the secrets of the
 *         all-zero client random and of pcaps/tlsdec/tls12-gcm-415 (seeds: that trace's
 *         segments, tests/fuzz/corpus/tls_decrypt/); with an odd byte 0 the store follows a
 *         key log file that is empty until a 0xed segment (as sipsec live: late keys, held
 *         TLS 1.3 server records)
 */
static void records(const uint8_t *p, size_t n, unsigned which)
{
    struct sealer s;
    if (!sealer_init(&s, cases[which].suite, cases[which].version, cases[which].etm))
        return;
    struct tls_rp rp = { 0 }, rp2 = { 0 };
    uint16_t wire = cases[which].version == TLS_V_TLS13 ? TLS_V_TLS12 : cases[which].version;
    static uint8_t out[20000], rec[20000];
    size_t olen;
    uint8_t type;
    if (tls_rp_init(&rp, s.suite, cases[which].version, cases[which].etm, s.key, s.iv, s.mac_key) &&
        tls_rp_init(&rp2, s.suite, cases[which].version, cases[which].etm, s.key, s.iv, s.mac_key)) {
        struct cur c = cur_make(p, n);
        uint8_t flip = cur_u8(&c);
        while (cur_left(&c) >= 3) {
            uint8_t t = cur_u8(&c);
            struct cur body = cur_take(&c, cur_be16(&c) % 4096);
            if (c.short_read)
                break;
            struct span b = cur_span(&body);
            tls_rp_open(&rp, t, wire, b, out, &olen, &type);
            size_t len = seal(&s, 23, b.p, b.n, rec);
            if (flip && len)
                rec[flip % len] ^= 0x20;
            enum tls_open_rc r = tls_rp_open(&rp2, 23, wire, (struct span){ rec, len }, out, &olen, &type);
            if (!flip && r != TLS_OPEN_OK)
                __builtin_trap(); /* an untouched sealed record must open */
            if (r == TLS_OPEN_OK && !flip && (olen != b.n || memcmp(out, b.p, b.n) != 0))
                __builtin_trap();
        }
    }
    tls_rp_fini(&rp);
    tls_rp_fini(&rp2);
    sealer_fini(&s);
}

#include "tls_decrypt_keylog.h"

static char follow_path[64];

static void follow_unlink(void)
{
    unlink(follow_path);
}

/* The scratch key log file a store follows, emptied; its descriptor, -1 when it cannot be made. */
static int follow_file(void)
{
    static int fd = -1;
    if (fd < 0) {
        snprintf(follow_path, sizeof follow_path, "/tmp/sipsec-fuzz-keylog-XXXXXX");
        if ((fd = mkstemp(follow_path)) < 0)
            return -1;
        atexit(follow_unlink);
    }
    return ftruncate(fd, 0) == 0 ? fd : -1;
}

static void stream(const uint8_t *data, size_t size)
{
    struct limits lim = limits_default;
    lim.tls_sessions_max = 4;
    lim.certs_max = 4;
    struct fuzz_report rep;
    if (!fuzz_report_open(&rep, FMT_NDJSON, PROFILE_GENERIC, &lim, NULL))
        return;
    struct tls_keystore *ks = tls_keystore_new(16);
    static const char keylog[] =
        "CLIENT_RANDOM 0000000000000000000000000000000000000000000000000000000000000000 "
        "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30\n"
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET 0000000000000000000000000000000000000000000000000000000000000000 "
        "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21\n"
        "SERVER_HANDSHAKE_TRAFFIC_SECRET 0000000000000000000000000000000000000000000000000000000000000000 "
        "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38\n"
        "CLIENT_TRAFFIC_SECRET_0 0000000000000000000000000000000000000000000000000000000000000000 "
        "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5\n"
        "SERVER_TRAFFIC_SECRET_0 0000000000000000000000000000000000000000000000000000000000000000 "
        "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643\n"
        KEYLOG_TLS12_GCM_415;
    bool follow = data[0] & 1;
    int ffd = follow ? follow_file() : -1;
    char err[256];
    if (ffd < 0 || tls_keystore_follow_keylog(ks, follow_path, err, sizeof err) < 0)
        tls_keystore_add_text(ks, (const uint8_t *)keylog, sizeof keylog - 1);
    else
        tls_keystore_set_follow_interval(ks, 0);
    struct dissect_ctx dc = { .sink = analyzer_sink(rep.an), .lim = &lim, .keys = ks };
    dc.sip_ports[dc.n_sip_ports++] = 5061;
    struct stream_info si = test_tcp_stream(5061, 1);
    void *st = tls_stream_ops.open(&dc, &si);
    static struct fuzz_pending pend;
    pend.n[0] = pend.n[1] = 0;
    uint64_t frame = 1;
    struct cur in = cur_make(data + 1, size - 1);
    while (cur_left(&in) > 0) {
        /* one segment: up to the next separator */
        size_t seg = cur_left(&in), i = 0, run = 0;
        uint8_t byte;
        while (cur_peek_u8(&in, i, &byte)) {
            run = byte == 0xee ? run + 1 : 0;
            i++;
            if (run == 4) {
                seg = i - 4;
                break;
            }
        }
        struct cur sc = cur_take(&in, seg);
        if (cur_left(&in) >= 4)
            cur_skip(&in, 4);
        uint8_t db = cur_u8(&sc);
        enum dir d = (db & 1) ? DIR_S2C : DIR_C2S;
        if (db == 0xef) {
            tls_stream_ops.gap(st, d, 0, 10);
            continue;
        }
        if (db == 0xed && ffd >= 0) {
            if (pwrite(ffd, keylog, sizeof keylog - 1, 0) != (ssize_t)(sizeof keylog - 1))
                abort();
            continue;
        }
        struct span b = cur_rest(&sc);
        frame++;
        struct frame_ref at = { frame, (ts_ns)frame * 1000000 };
        fuzz_pending_feed(&pend, &tls_stream_ops, st, d, b.p, b.n, &at);
    }
    if (getenv("FUZZ_DEBUG"))
        fprintf(stderr, "decrypted %llu records\n", (unsigned long long)dc.stats.tls_records_decrypted);
    tls_stream_ops.close(st, CLOSE_EOF);
    struct input_summary sum;
    fuzz_report_finish(&rep, frame, &sum);
    fuzz_report_close(&rep);
    tls_keystore_free(ks);
}

/* The key log text appended to a followed file in pieces, a check after each: the same counts
 * as the text read at once. */
static void follow_pieces(const uint8_t *p, size_t n, const struct tls_keystore_stats *want)
{
    int fd = follow_file();
    if (fd < 0)
        return;
    struct tls_keystore *ks = tls_keystore_new(64);
    char err[256];
    if (tls_keystore_follow_keylog(ks, follow_path, err, sizeof err) < 0) {
        tls_keystore_free(ks);
        return;
    }
    tls_keystore_set_follow_interval(ks, 0);
    size_t off = 0;
    for (size_t i = 0; off < n; i++) {
        size_t piece = 1 + (size_t)p[(off * 31 + i) % n] % 200;
        if (piece > n - off)
            piece = n - off;
        if (pwrite(fd, p + off, piece, (off_t)off) != (ssize_t)piece)
            break;
        off += piece;
        tls_keystore_refresh(ks);
    }
    const struct tls_keystore_stats *got = tls_keystore_stats(ks);
    if (off == n && n > 0 && p[n - 1] == '\n' &&
        (got->lines != want->lines || got->secrets != want->secrets || got->bad_lines != want->bad_lines ||
         got->other_lines != want->other_lines || got->dropped != want->dropped))
        abort();
    tls_keystore_free(ks);
}

static void dsb_secret(void *ctx, uint32_t type, const uint8_t *p, size_t n)
{
    if (type == PCAPNG_SECRETS_TLS_KEYLOG)
        tls_keystore_add_dsb(ctx, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] < 8) {
        records(data + 1, size - 1, data[0]);
    } else if (data[0] == 8) {
        struct tls_keystore *ks = tls_keystore_new(64);
        tls_keystore_add_text(ks, data + 1, size - 1);
        follow_pieces(data + 1, size - 1, tls_keystore_stats(ks));
        tls_keystore_free(ks);
    } else if (data[0] == 9) {
        FILE *f = fmemopen((void *)(data + 1), size - 1, "rb");
        if (f) {
            struct tls_keystore *ks = tls_keystore_new(64);
            struct pcapng_secrets_stats st;
            pcapng_scan_secrets_file(f, dsb_secret, ks, &st);
            tls_keystore_free(ks);
            fclose(f);
        }
    } else {
        stream(data, size);
    }
    return 0;
}
