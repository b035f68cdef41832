/* test_pcapng_secrets.c: Decryption Secrets Blocks found in hand-built pcapng files (capture/pcapng_secrets.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapng_secrets.h"

struct fbuf {
    uint8_t b[4096];
    size_t n;
    bool le;
};

static void w32(struct fbuf *f, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        f->b[f->n++] = (uint8_t)(f->le ? v >> (8 * i) : v >> (24 - 8 * i));
}

static void block(struct fbuf *f, uint32_t type, const void *body, size_t n)
{
    size_t pad = (4 - n % 4) % 4;
    uint32_t len = (uint32_t)(12 + n + pad);
    w32(f, type);
    w32(f, len);
    memcpy(f->b + f->n, body, n);
    f->n += n;
    memset(f->b + f->n, 0, pad);
    f->n += pad;
    w32(f, len);
}

static void shb(struct fbuf *f)
{
    struct fbuf body = { .le = f->le };
    w32(&body, 0x1A2B3C4D);
    w32(&body, 0x00000001); /* version 1.0 */
    w32(&body, 0xffffffff);
    w32(&body, 0xffffffff); /* section length unknown */
    block(f, 0x0A0D0D0A, body.b, body.n);
}

static void dsb(struct fbuf *f, uint32_t type, const char *text, int32_t lie)
{
    struct fbuf body = { .le = f->le };
    w32(&body, type);
    w32(&body, (uint32_t)((int32_t)strlen(text) + lie));
    memcpy(body.b + body.n, text, strlen(text));
    body.n += strlen(text);
    while (body.n % 4)
        body.b[body.n++] = 0;
    block(f, 0x0000000A, body.b, body.n);
}

struct got {
    int n;
    uint32_t type[8];
    char text[8][128];
};

static void on_secret(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
    struct got *g = ctx;
    if (g->n == 8)
        return;
    g->type[g->n] = type;
    snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)len, (const char *)data);
    g->n++;
}

static const char *write_tmp(const struct fbuf *f)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sipsec-test-dsb-%d.pcapng", (int)getpid());
    FILE *fp = fopen(path, "wb");
    fwrite(f->b, 1, f->n, fp);
    fclose(fp);
    return path;
}

static void run_order(bool le)
{
    struct fbuf f = { .le = le };
    shb(&f);
    uint8_t idb[8] = { 1, 0, 0, 0, 0, 0, 4, 0 };
    block(&f, 0x00000001, idb, sizeof idb);
    dsb(&f, PCAPNG_SECRETS_TLS_KEYLOG, "CLIENT_RANDOM aa bb\n", 0);
    uint8_t epb[20] = { 0 };
    block(&f, 0x00000006, epb, sizeof epb);
    dsb(&f, 0x57474b4c, "wireguard", 0);           /* another secrets type: handed over as such */
    dsb(&f, PCAPNG_SECRETS_TLS_KEYLOG, "short", 500); /* secrets_length past the block: skipped */
    struct got g = { 0 };
    struct pcapng_secrets_stats st;
    const char *path = write_tmp(&f);
    assert_int_equal(pcapng_scan_secrets(path, on_secret, &g, &st), 0);
    unlink(path);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.type[0], PCAPNG_SECRETS_TLS_KEYLOG);
    assert_string_equal(g.text[0], "CLIENT_RANDOM aa bb\n");
    assert_int_equal(g.type[1], 0x57474b4c);
    assert_int_equal(st.blocks, 2);
    assert_int_equal(st.skipped, 1);
}

static void secrets_blocks_are_found_in_either_byte_order(void **state)
{
    (void)state;
    run_order(true);
    run_order(false);
}

static void a_broken_block_length_ends_the_walk(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    shb(&f);
    w32(&f, 0x00000006);
    w32(&f, 7); /* not a multiple of 4 */
    dsb(&f, PCAPNG_SECRETS_TLS_KEYLOG, "never reached", 0);
    struct got g = { 0 };
    struct pcapng_secrets_stats st;
    const char *path = write_tmp(&f);
    assert_int_equal(pcapng_scan_secrets(path, on_secret, &g, &st), 0);
    unlink(path);
    assert_int_equal(g.n, 0);
}

static void classic_pcap_and_stdin_have_none(void **state)
{
    (void)state;
    struct fbuf f = { .le = true };
    w32(&f, 0xa1b2c3d4);
    w32(&f, 0x00040002);
    struct got g = { 0 };
    struct pcapng_secrets_stats st;
    const char *path = write_tmp(&f);
    assert_int_equal(pcapng_scan_secrets(path, on_secret, &g, &st), 0);
    unlink(path);
    assert_int_equal(g.n, 0);
    assert_int_equal(pcapng_scan_secrets("-", on_secret, &g, &st), 0);
    assert_int_equal(pcapng_scan_secrets("/nonexistent/x.pcapng", on_secret, &g, &st), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secrets_blocks_are_found_in_either_byte_order),
        cmocka_unit_test(a_broken_block_length_ends_the_walk),
        cmocka_unit_test(classic_pcap_and_stdin_have_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
