/* file_map.h: a regular file read through a sliding read-only mapping. */
#ifndef SIPSEC_FILE_MAP_H
#define SIPSEC_FILE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One window of the file mapped at a time (FILE_MAP_WINDOW bytes), moved
 * forward as the reader asks for later offsets, so resident memory stays
 * one window whatever the file's size. One file_map open per process at a
 * time (the SIGBUS guard below is process-wide).
 *
 * A file cut shorter by another process while mapped would raise SIGBUS
 * on the next page read past its new end. While a map is open a handler
 * puts zero-filled memory over that part of the window instead, and
 * file_map_shrank() says so: the reader sees zeros (hostile bytes like any
 * other) and stops at its next check.
 */
enum { FILE_MAP_WINDOW = 8 << 20, FILE_MAP_AHEAD = 8192 };

struct file_map {
    int fd;
    uint64_t size;   /* the file's size when last looked at */
    uint8_t *base;   /* the window: file bytes [off, off + len) */
    uint64_t off;
    size_t len;
};

/* False (nothing to close) when fd is not a regular file or cannot be mapped. */
bool file_map_open(struct file_map *m, int fd);

/*
 * want bytes from file offset at, valid until the next call; NULL when the
 * file ends before at + want (its size is looked at again first, for a
 * file still being written) or the window cannot move. want must be at most
 * FILE_MAP_WINDOW - 4096. Inline: called twice per record, and nearly
 * always inside the window; file_map_move does the rest.
 */
const uint8_t *file_map_move(struct file_map *m, uint64_t at, size_t want);

static inline const uint8_t *file_map_at(struct file_map *m, uint64_t at, size_t want)
{
    if (m->base != NULL && at >= m->off && want <= m->len && at - m->off <= m->len - want)
        return m->base + (at - m->off);
    return file_map_move(m, at, want);
}

/*
 * Where [at, at + n) holds the start of a page of the window, ask the CPU
 * to fetch that page's first lines. A reader going through the file asks
 * about what lies FILE_MAP_AHEAD bytes ahead of it: the hardware
 * prefetcher follows a stream within a page but does not cross into the
 * next one, so each new page would otherwise start with waits on memory
 * (read() avoided them: its copy left the bytes in cache). Only the first
 * lines: fetching all of every record cost more where sipsec reads only
 * the headers (encrypted TLS payload).
 */
static inline void file_map_prefetch(const struct file_map *m, uint64_t at, size_t n)
{
    if (m->base == NULL || at < m->off || at - m->off >= m->len)
        return;
    size_t from = (size_t)(at - m->off), to = m->len - from < n ? m->len : from + n;
    size_t page = (from + 4095) & ~(size_t)4095; /* the next page start, if [from, to) holds one */
    if (page >= to)
        return;
    for (size_t i = page; i < m->len && i < page + 256; i += 64)
        __builtin_prefetch(m->base + i);
}

/* Did the file shrink under the mapping (bytes read since may be zeros)? */
bool file_map_shrank(void);

/* Unmap and drop the SIGBUS guard; fd stays open (the caller's). */
void file_map_close(struct file_map *m);

#endif
