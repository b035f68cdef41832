/* pcapng_secrets.h: Decryption Secrets Blocks of a pcapng file (draft-ietf-opsawg-pcapng
 * section 4.7), which libpcap skips: found by walking the file's block headers. */
#ifndef SIPSEC_PCAPNG_SECRETS_H
#define SIPSEC_PCAPNG_SECRETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    PCAPNG_SECRETS_TLS_KEYLOG = 0x544c534b, /* "TLSK": NSS key log text */
};

/* One block's secrets, borrowed for the call. */
typedef void (*secrets_cb)(void *ctx, uint32_t secrets_type, const uint8_t *data, size_t len);

struct pcapng_secrets_stats {
    uint64_t blocks;        /* Decryption Secrets Blocks handed to the callback */
    uint64_t skipped;       /* over the size caps, or malformed */
};

/*
 * Walks path's blocks (nothing happens for a classic pcap or "-") and calls
 * cb for each Decryption Secrets Block, in file order. Bounded: one block's
 * secrets at most 16 MiB, all of them 64 MiB; a damaged block structure ends
 * the walk (libpcap reports the damage itself). Returns 0, or -1 when the
 * file cannot be read at all.
 */
int pcapng_scan_secrets(const char *path, secrets_cb cb, void *ctx, struct pcapng_secrets_stats *st);
/* The same on an open stream (from its current position); f stays open. */
void pcapng_scan_secrets_file(FILE *f, secrets_cb cb, void *ctx, struct pcapng_secrets_stats *st);

#endif
