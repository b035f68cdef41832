/*
 * bare_loop.c: the floor for reading a capture on this machine. Opens FILE with libpcap,
 * reads every record with pcap_next_ex and touches every captured byte (a running sum, printed
 * so the compiler cannot drop the loop). No decoding, no tables. Built by bench/run.sh with
 * cc -O2; not part of sipsec.
 *
 *   bare_loop FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0, sum = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 64;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "bare_loop: %s\n", err);
        return 2;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
        for (bpf_u_int32 i = 0; i < h->caplen; i++)
            sum += data[i];
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "bare_loop: %s\n", pcap_geterr(p));
    pcap_close(p);
    printf("packets %llu bytes %llu sum %llu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)sum);
    return 0;
}
