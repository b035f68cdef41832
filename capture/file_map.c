/* file_map.c: a regular file read through a sliding read-only mapping, guarded against SIGBUS. */
#define _GNU_SOURCE
#include "file_map.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Why a mapping: read() copies every byte of the file from the page cache
 * into our buffer, about a tenth of sipsec's CPU time on a large capture
 * (docs/PERFORMANCE.md); a mapping hands the page-cache pages over as
 * they are.
 *
 * What the handler may touch: only these, set before the window they
 * describe is used and cleared before it goes away.
 */
static uint8_t *volatile guard_base;
static volatile size_t guard_len;
static volatile size_t page_size = 4096;
static volatile sig_atomic_t shrank;
static struct sigaction previous;
static bool guarded;

/*
 * A fault inside the window means the file is now shorter than it: the
 * rest of the window becomes anonymous zero pages (mmap is a plain system
 * call, safe here on Linux), the faulting read is retried and succeeds.
 * Any other SIGBUS is not ours: the previous action is put back and the
 * retried access raises it again under that action.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    uint8_t *base = guard_base, *a = (uint8_t *)si->si_addr;
    size_t len = guard_len;
    if (base != NULL && a >= base && a < base + len) {
        uint8_t *page = base + (((size_t)(a - base)) & ~(page_size - 1));
        if (mmap(page, (size_t)(base + len - page), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
            MAP_FAILED) {
            shrank = 1;
            return;
        }
    }
    sigaction(SIGBUS, &previous, NULL);
}

bool file_map_open(struct file_map *m, int fd)
{
    struct stat st;
    memset(m, 0, sizeof *m);
    m->fd = fd;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return false;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0 || (ps & (ps - 1)) != 0 || ps > FILE_MAP_WINDOW / 2)
        return false;
    page_size = (size_t)ps;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) != 0)
        return false;
    guarded = true;
    shrank = 0;
    m->size = (uint64_t)st.st_size;
    return true;
}

static void unmap_window(struct file_map *m)
{
    if (m->base == NULL)
        return;
    guard_base = NULL; /* first: the handler must not see a window being unmapped */
    guard_len = 0;
    munmap(m->base, m->len);
    m->base = NULL;
    m->len = 0;
}

/* Outside the window: the size looked at again if need be, the window moved. */
const uint8_t *file_map_move(struct file_map *m, uint64_t at, size_t want)
{
    if (want > FILE_MAP_WINDOW - page_size || at > UINT64_MAX - want)
        return NULL;
    if (at + want > m->size) {
        struct stat st; /* still being written? */
        if (fstat(m->fd, &st) != 0 || (uint64_t)st.st_size <= m->size)
            return NULL;
        m->size = (uint64_t)st.st_size;
        if (at + want > m->size)
            return NULL;
    }
    if (m->base == NULL || at < m->off || at + want > m->off + m->len) {
        unmap_window(m);
        uint64_t off = at & ~(uint64_t)(page_size - 1);
        uint64_t rest = m->size - off;
        size_t len = rest < FILE_MAP_WINDOW ? (size_t)rest : FILE_MAP_WINDOW;
        void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m->fd, (off_t)off);
        if (p == MAP_FAILED)
            return NULL;
        /* MAP_POPULATE: the window's page-table entries in one go, not a
         * fault per few pages; MADV_SEQUENTIAL: read-ahead from disk */
        (void)madvise(p, len, MADV_SEQUENTIAL);
        m->base = p;
        m->off = off;
        m->len = len;
        guard_len = len;
        guard_base = p;
    }
    return m->base + (at - m->off);
}

bool file_map_shrank(void)
{
    return shrank != 0;
}

void file_map_close(struct file_map *m)
{
    unmap_window(m);
    if (guarded) {
        sigaction(SIGBUS, &previous, NULL);
        guarded = false;
    }
}
