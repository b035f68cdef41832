/* test_pcap_writer.c: --write files: tcpdump's names, rotation by size, the -W ring, readable pcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "pcap_writer.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sipsec-writer-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *name)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* Packets in a file, and the first one's ns timestamp and first byte. */
static int count_packets(const char *name, int64_t *first_ts, int *first_byte)
{
    char p[128], e[PCAP_ERRBUF_SIZE];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO, e);
    if (pc == NULL)
        return -1;
    struct pcap_pkthdr *h;
    const u_char *d;
    int n = 0;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        if (n == 0 && first_ts)
            *first_ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
        if (n == 0 && first_byte)
            *first_byte = d[0];
        n++;
    }
    pcap_close(pc);
    return n;
}

static struct pcap_writer *open_writer(const char *stem, uint64_t rotate, uint32_t count)
{
    char path[128], err[ERRBUF_LEN];
    snprintf(path, sizeof path, "%s/%s", dir, stem);
    struct pcap_writer_params p = { path, rotate, count, 1 /* DLT_EN10MB */, 65535 };
    struct pcap_writer *w = pcap_writer_open(&p, err);
    assert_non_null(w);
    return w;
}

/* 100 bytes a packet: 116 with the record header. */
static void write_packets(struct pcap_writer *w, int n, int first)
{
    uint8_t pkt[100];
    char err[ERRBUF_LEN];
    for (int i = 0; i < n; i++) {
        memset(pkt, first + i, sizeof pkt);
        assert_int_equal(pcap_writer_write(w, pkt, sizeof pkt, 1500, 1767225600123456789LL + i, err), 0);
    }
}

static void names_follow_tcpdump(void **state)
{
    (void)state;
    char out[64];
    struct pcap_writer_params plain = { "cap", 0, 0, 1, 65535 };
    pcap_writer_name(&plain, 0, out, sizeof out);
    assert_string_equal(out, "cap");
    struct pcap_writer_params sized = { "cap", 1000, 0, 1, 65535 };
    pcap_writer_name(&sized, 0, out, sizeof out);
    assert_string_equal(out, "cap");
    pcap_writer_name(&sized, 2, out, sizeof out);
    assert_string_equal(out, "cap2");
    struct pcap_writer_params ring = { "cap", 1000, 3, 1, 65535 };
    pcap_writer_name(&ring, 0, out, sizeof out);
    assert_string_equal(out, "cap0");
    pcap_writer_name(&ring, 4, out, sizeof out); /* wraps */
    assert_string_equal(out, "cap1");
    struct pcap_writer_params ring100 = { "cap", 1000, 100, 1, 65535 };
    pcap_writer_name(&ring100, 7, out, sizeof out); /* zero-padded to the digits of 99 */
    assert_string_equal(out, "cap07");
}

static void one_file_keeps_every_packet_with_nanoseconds(void **state)
{
    (void)state;
    struct pcap_writer *w = open_writer("one", 0, 0);
    write_packets(w, 50, 0);
    pcap_writer_close(w);
    int64_t ts = 0;
    int b = -1;
    assert_int_equal(count_packets("one", &ts, &b), 50);
    assert_int_equal(ts, 1767225600123456789LL);
    assert_int_equal(b, 0);
}

static void rotation_by_size_starts_new_files(void **state)
{
    (void)state;
    /* 24-byte header + 116 per packet: past 1000 bytes after 9 packets */
    struct pcap_writer *w = open_writer("sz", 1000, 0);
    write_packets(w, 30, 0);
    assert_int_equal(pcap_writer_files_opened(w), 4); /* 30 = 9 + 9 + 9 + 3 */
    pcap_writer_close(w);
    int b = -1;
    assert_int_equal(count_packets("sz", NULL, &b), 9);
    assert_int_equal(b, 0);
    assert_int_equal(count_packets("sz1", NULL, &b), 9);
    assert_int_equal(b, 9);
    assert_int_equal(count_packets("sz2", NULL, &b), 9);
    assert_int_equal(count_packets("sz3", NULL, &b), 3);
    assert_int_equal(b, 27);
    assert_false(exists("sz4"));
    assert_false(exists("sz0"));
}

static void ring_overwrites_the_oldest_file(void **state)
{
    (void)state;
    struct pcap_writer *w = open_writer("ring", 1000, 3);
    write_packets(w, 9 * 3 + 2, 0); /* files 0, 1, 2, then 0 again */
    pcap_writer_close(w);
    assert_false(exists("ring"));
    assert_false(exists("ring3"));
    int b = -1;
    assert_int_equal(count_packets("ring0", NULL, &b), 2); /* rewritten: packets 27, 28 */
    assert_int_equal(b, 27);
    assert_int_equal(count_packets("ring1", NULL, &b), 9);
    assert_int_equal(b, 9);
    assert_int_equal(count_packets("ring2", NULL, &b), 9);
    assert_int_equal(b, 18);
}

static void unwritable_path_is_an_error(void **state)
{
    (void)state;
    char err[ERRBUF_LEN];
    struct pcap_writer_params p = { "/nonexistent-dir/x", 0, 0, 1, 65535 };
    assert_null(pcap_writer_open(&p, err));
    assert_non_null(strstr(err, "/nonexistent-dir/x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_follow_tcpdump),
        cmocka_unit_test(one_file_keeps_every_packet_with_nanoseconds),
        cmocka_unit_test(rotation_by_size_starts_new_files),
        cmocka_unit_test(ring_overwrites_the_oldest_file),
        cmocka_unit_test(unwritable_path_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
