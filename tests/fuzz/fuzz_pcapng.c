/* fuzz_pcapng.c: any bytes as a pcapng file through our reader (capture/pcapng_reader.c) and its
 * header walk (pcapng_probe_file); each packet's bytes are read back, so ASan sees any overrun. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    struct pcapng_probe pr;
    pcapng_probe_file(f, &pr);
    if (fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return 0;
    }
    struct pcapng_reader *r = pcapng_reader_new(f, false);
    if (r == NULL) {
        fclose(f);
        return 0;
    }
    struct pcapng_event ev;
    volatile uint8_t sum = 0;
    uint64_t events = 0;
    for (;;) {
        enum pcapng_rc rc = pcapng_reader_next(r, &ev);
        if (rc == PCAPNG_EOF || rc == PCAPNG_DAMAGED)
            break;
        /* every block moves the reader on: a file of n bytes has at most n / 12 blocks */
        if (++events > size / 12 + 1)
            __builtin_trap();
        if (rc == PCAPNG_PACKET)
            for (uint32_t i = 0; i < ev.packet.caplen; i++)
                sum ^= ev.packet.data[i];
    }
    (void)sum;
    if (pcapng_reader_next(r, &ev) == PCAPNG_PACKET) /* ended for good */
        __builtin_trap();
    if (pr.libpcap_refuses && !pr.is_pcapng)
        __builtin_trap();
    pcapng_reader_free(r);
    fclose(f);
    return 0;
}
