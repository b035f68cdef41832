/* pcapng_secrets.c: Decryption Secrets Blocks (pcapng draft section 4.7), found by walking the
 * block headers of a pcapng file with the cursor. */
#include "pcapng_secrets.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

/*
 * Every pcapng block (section 3.1):
 *
 *   uint32 block_type, uint32 block_total_length, body..., uint32 block_total_length
 *
 * in the byte order the Section Header Block's magic 0x1A2B3C4D gives. The
 * Decryption Secrets Block (type 0x0000000A):
 *
 *   uint32 secrets_type, uint32 secrets_length, secrets (padded to 32 bits), options
 */
enum {
    BT_SHB = 0x0A0D0D0A,
    BT_DSB = 0x0000000A,
    BLOCK_SECRETS_MAX = 16 << 20,
    ALL_SECRETS_MAX = 64 << 20,
    HDR = 8,
};

static uint32_t u32_order(struct cur *c, bool le)
{
    return le ? cur_le32(c) : cur_be32(c);
}

int pcapng_scan_secrets(const char *path, secrets_cb cb, void *ctx, struct pcapng_secrets_stats *st)
{
    memset(st, 0, sizeof *st);
    if (strcmp(path, "-") == 0)
        return 0; /* standard input cannot be read twice */
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    pcapng_scan_secrets_file(f, cb, ctx, st);
    fclose(f);
    return 0;
}

void pcapng_scan_secrets_file(FILE *f, secrets_cb cb, void *ctx, struct pcapng_secrets_stats *st)
{
    memset(st, 0, sizeof *st);
    uint8_t hdr[12];
    size_t total_secrets = 0;
    uint8_t *buf = NULL;
    bool le = true;
    long long at = 0;
    for (;;) {
        if (fread(hdr, 1, HDR, f) != HDR)
            break;
        struct cur c = cur_make(hdr, HDR);
        uint32_t type_le = cur_le32(&c);
        if (at == 0 && type_le != BT_SHB)
            break; /* not pcapng */
        if (type_le == BT_SHB) {
            /* the byte-order magic follows the length */
            uint8_t magic[4];
            if (fread(magic, 1, 4, f) != 4)
                break;
            struct cur m = cur_make(magic, 4);
            uint32_t bom = cur_le32(&m);
            if (bom == 0x1A2B3C4D)
                le = true;
            else if (bom == 0x4D3C2B1A)
                le = false;
            else
                break;
            if (fseek(f, -4, SEEK_CUR) != 0)
                break;
        }
        c = cur_make(hdr, HDR);
        uint32_t type = u32_order(&c, le), len = u32_order(&c, le);
        if (len < 12 || len % 4 != 0)
            break;
        size_t body = len - 12; /* between the header and the trailing length */
        if (type == BT_DSB) {
            if (body < 8 || body > BLOCK_SECRETS_MAX + 8 + 65536 || total_secrets + body > ALL_SECRETS_MAX) {
                st->skipped++;
                if (fseek(f, (long)body + 4, SEEK_CUR) != 0)
                    break;
            } else {
                uint8_t *nb = realloc(buf, body);
                if (nb == NULL)
                    break;
                buf = nb;
                if (fread(buf, 1, body, f) != body || fseek(f, 4, SEEK_CUR) != 0)
                    break;
                struct cur b = cur_make(buf, body);
                uint32_t stype = u32_order(&b, le), slen = u32_order(&b, le);
                struct cur secrets = cur_take(&b, slen);
                if (b.short_read || slen > BLOCK_SECRETS_MAX) {
                    st->skipped++;
                } else {
                    struct span s = cur_span(&secrets);
                    total_secrets += s.n;
                    st->blocks++;
                    cb(ctx, stype, s.p, s.n);
                }
                memset(buf, 0, body); /* secrets do not outlive their use */
            }
        } else if (fseek(f, (long)body + 4, SEEK_CUR) != 0) {
            break;
        }
        at += len;
    }
    free(buf);
}
