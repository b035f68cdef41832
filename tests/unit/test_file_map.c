/* test_file_map.c: the mapped file window and the plain pcap reader on it: windows moving
 * over a file larger than one, a file growing while read, a file cut short while read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_map.h"
#include "pcap_input.h"

enum { REC_LEN = 1000, REC_ALL = 16 + REC_LEN, HDR = 24 };

static uint8_t rec_byte(uint32_t i, uint32_t j)
{
    return (uint8_t)(i * 7u + j * 13u + 1u);
}

/* Appends records first..first+n to f: classic pcap, little-endian, Ethernet. */
static void put_records(FILE *f, uint32_t first, uint32_t n)
{
    uint8_t b[REC_ALL];
    for (uint32_t i = first; i < first + n; i++) {
        uint32_t h[4] = { 1700000000u + i, 0, REC_LEN, REC_LEN };
        memcpy(b, h, 16); /* the host is little-endian (x86-64, as the reader's fast case) */
        for (uint32_t j = 0; j < REC_LEN; j++)
            b[16 + j] = rec_byte(i, j);
        assert_int_equal(fwrite(b, 1, sizeof b, f), sizeof b);
    }
}

static void make_file(char *path, uint32_t n)
{
    strcpy(path, "/tmp/sipsec-file-map-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    uint32_t g[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1 };
    assert_int_equal(fwrite(g, 1, HDR, f), HDR);
    put_records(f, 0, n);
    assert_int_equal(fclose(f), 0);
}

struct seen {
    const char *path;
    uint32_t n, good;      /* delivered; of them, with every byte as written */
    uint32_t act_at;       /* the record at which to act on the file (0: never) */
    off_t cut_to;          /* act: truncate to this size, or ... */
    uint32_t grow_by;      /* ... append this many records */
};

static void on_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      const struct frame_ref *at)
{
    (void)wirelen;
    struct seen *s = ctx;
    assert_int_equal(linktype, 1);
    assert_int_equal(at->frame, (uint64_t)s->n + 1);
    uint32_t i = s->n++;
    bool same = caplen == REC_LEN;
    for (uint32_t j = 0; j < caplen; j++) /* every byte read: a cut file faults here */
        same &= j < REC_LEN && data[j] == rec_byte(i, j);
    s->good += same;
    if (s->act_at && s->n == s->act_at) {
        if (s->cut_to)
            assert_int_equal(truncate(s->path, s->cut_to), 0);
        if (s->grow_by) {
            struct stat st; /* the new records continue the numbering of those in the file */
            assert_int_equal(stat(s->path, &st), 0);
            FILE *f = fopen(s->path, "ab");
            assert_non_null(f);
            put_records(f, (uint32_t)((st.st_size - HDR) / REC_ALL), s->grow_by);
            assert_int_equal(fclose(f), 0);
        }
    }
}

static struct input_info read_file(struct seen *s)
{
    struct input_info info;
    memset(&info, 0, sizeof info);
    char err[ERRBUF_LEN] = "";
    const char *files[] = { s->path };
    assert_int_equal(pcap_input_read_files(files, 1, NULL, on_packet, s, &info, err), 0);
    return info;
}

/* 10000 records, ~10 MB: more than one window, records across window ends. */
static void test_reads_a_file_larger_than_a_window(void **state)
{
    (void)state;
    char path[64];
    enum { N = 10000 };
    make_file(path, N);
    struct seen s = { .path = path };
    struct input_info info = read_file(&s);
    assert_true((uint64_t)HDR + (uint64_t)N * REC_ALL > FILE_MAP_WINDOW);
    assert_int_equal(s.n, N);
    assert_int_equal(s.good, N);
    assert_int_equal(info.packets, N);
    assert_false(info.damaged);
    unlink(path);
}

/* A capture still being written: what is appended while reading is read too (as read() would). */
static void test_reads_what_is_appended_while_reading(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 10);
    struct seen s = { .path = path, .act_at = 3, .grow_by = 20 };
    struct input_info info = read_file(&s);
    assert_int_equal(s.n, 30);
    assert_int_equal(s.good, 30);
    assert_false(info.damaged);
    unlink(path);
}

/*
 * Cut by another program while mapped (here at a page boundary in the
 * middle of record 96): no SIGBUS reaches us; the reader stops with the
 * damage said, every record wholly before the cut as it was written.
 */
static void test_a_file_cut_while_reading_is_damage_not_a_crash(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 2000);
    const off_t cut = 98304; /* 24 pages */
    const uint32_t whole = (uint32_t)((cut - HDR) / REC_ALL);
    struct seen s = { .path = path, .act_at = 5, .cut_to = cut };
    struct input_info info = read_file(&s);
    assert_true(info.damaged);
    assert_non_null(strstr(info.damage, "shrank"));
    assert_int_equal(s.n, whole + 1); /* and the one across the cut, zeros past it */
    assert_int_equal(s.good, whole);
    unlink(path);

    /* the next file reads normally */
    make_file(path, 50);
    struct seen again = { .path = path };
    info = read_file(&again);
    assert_int_equal(again.good, 50);
    assert_false(info.damaged);
    unlink(path);
}

static void test_window_bounds(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 4);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct file_map m;
    assert_true(file_map_open(&m, fileno(f)));
    uint64_t size = HDR + 4u * REC_ALL;
    assert_int_equal(m.size, size);
    assert_non_null(file_map_at(&m, 0, (size_t)size));
    assert_null(file_map_at(&m, 1, (size_t)size));           /* one past the end */
    assert_null(file_map_at(&m, size, 1));
    assert_null(file_map_at(&m, UINT64_MAX - 2, 8));          /* no wrap-around */
    assert_null(file_map_at(&m, 0, FILE_MAP_WINDOW));         /* more than a window may hold */
    const uint8_t *p = file_map_at(&m, HDR + 16, REC_LEN);
    assert_non_null(p);
    assert_int_equal(p[0], rec_byte(0, 0));
    assert_int_equal(p[REC_LEN - 1], rec_byte(0, REC_LEN - 1));
    file_map_prefetch(&m, size + 4096, 64); /* outside the window: nothing, no fault */
    file_map_close(&m);
    fclose(f);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_false(file_map_open(&m, fds[0])); /* not a regular file: the caller reads it */
    close(fds[0]);
    close(fds[1]);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_file_larger_than_a_window),
        cmocka_unit_test(test_reads_what_is_appended_while_reading),
        cmocka_unit_test(test_a_file_cut_while_reading_is_damage_not_a_crash),
        cmocka_unit_test(test_window_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
