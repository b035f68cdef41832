/* tls_keylog.c: NSS key log lines (the SSLKEYLOGFILE format), server RSA keys and the
 * resumption cache: the secrets the TLS decryptor looks up by ClientHello.random. */
#include "tls_keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "cursor.h"

enum {
    LINE_MAX_BYTES = 512,  /* "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + 64 + 1 + 96 hex fits easily */
    RSA_KEYS_MAX = 16,
    RESUME_SLOTS = 1024,   /* resumption cache: direct-mapped */
    FILE_BYTES_MAX = 256 << 20,
    FOLLOW_FILES_MAX = 16,     /* as many as --keylog may name */
    FOLLOW_CHUNK = 64 << 10,   /* one read of a followed file */
    FOLLOW_READ_MAX = 4 << 20, /* bytes read by one check: a burst of lines is caught up over a few */
    PARTIAL_STALE_MS = 1000,   /* a last line without newline this old is taken as it is */
};

/* A --keylog file that live keeps reading as it grows. */
struct followed {
    char *path;
    int fd;                    /* -1: not there (yet) */
    dev_t dev;
    ino_t ino;
    uint64_t off;              /* bytes read */
    uint8_t tail[16];          /* the last bytes read: a file rewritten past off differs there */
    size_t tail_n;
    uint8_t part[LINE_MAX_BYTES]; /* the last line read without its newline yet */
    size_t part_n;
    uint64_t part_ms;          /* when part last grew */
    bool skipping;             /* inside an overlong line, up to its newline */
};

struct rsa_key {
    void *pkey;            /* EVP_PKEY */
    bool bound;
    struct ip_addr ip;
    uint16_t port;
};

struct resume_slot {
    bool used;
    uint8_t id_len;
    uint8_t id[32];
    uint8_t master[48];
};

struct tls_keystore {
    uint32_t entries_max;
    struct tls_keylog_entry *e;
    size_t n, cap;
    uint32_t *index;       /* entry index + 1, 0 empty; open addressing */
    size_t index_cap;
    struct rsa_key rsa[RSA_KEYS_MAX];
    size_t n_rsa;
    struct resume_slot *resume;
    struct followed *fw[FOLLOW_FILES_MAX];
    size_t n_fw;
    uint8_t *fbuf;             /* FOLLOW_CHUNK, for the followed files' reads */
    uint32_t follow_interval_ms;
    bool checked;
    uint64_t last_check_ms;
    struct tls_keystore_stats st;
};

struct tls_keystore *tls_keystore_new(uint32_t entries_max)
{
    struct tls_keystore *ks = calloc(1, sizeof *ks);
    if (ks == NULL)
        return NULL;
    ks->entries_max = entries_max;
    ks->follow_interval_ms = TLS_KEYLOG_FOLLOW_INTERVAL_MS;
    return ks;
}

static void followed_free(struct followed *f)
{
    if (f == NULL)
        return;
    if (f->fd >= 0)
        close(f->fd);
    OPENSSL_cleanse(f->part, sizeof f->part);
    OPENSSL_cleanse(f->tail, sizeof f->tail);
    free(f->path);
    free(f);
}

void tls_keystore_free(struct tls_keystore *ks)
{
    if (ks == NULL)
        return;
    if (ks->e)
        OPENSSL_cleanse(ks->e, ks->cap * sizeof *ks->e);
    free(ks->e);
    free(ks->index);
    for (size_t i = 0; i < ks->n_rsa; i++)
        EVP_PKEY_free(ks->rsa[i].pkey);
    if (ks->resume)
        OPENSSL_cleanse(ks->resume, RESUME_SLOTS * sizeof *ks->resume);
    free(ks->resume);
    for (size_t i = 0; i < ks->n_fw; i++)
        followed_free(ks->fw[i]);
    if (ks->fbuf)
        OPENSSL_cleanse(ks->fbuf, FOLLOW_CHUNK);
    free(ks->fbuf);
    free(ks);
}

/* Client randoms are chosen by the peers, so a crafted DSB could collide
 * them: the mixer spreads all 32 bytes, the cap bounds the rest. */
static uint64_t random_hash(const uint8_t cr[TLS_RANDOM_LEN])
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < TLS_RANDOM_LEN; i += 8) {
        uint64_t w = 0;
        memcpy(&w, cr + i, 8);
        h = hash_mix64(h ^ w);
    }
    return h;
}

static bool index_rebuild(struct tls_keystore *ks, size_t cap)
{
    uint32_t *t = calloc(cap, sizeof *t);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < ks->n; i++) {
        size_t j = random_hash(ks->e[i].client_random) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(ks->index);
    ks->index = t;
    ks->index_cap = cap;
    return true;
}

const struct tls_keylog_entry *tls_keystore_find(const struct tls_keystore *ks, const uint8_t cr[TLS_RANDOM_LEN])
{
    if (ks == NULL || ks->index_cap == 0)
        return NULL;
    size_t j = random_hash(cr) & (ks->index_cap - 1);
    while (ks->index[j]) {
        const struct tls_keylog_entry *e = &ks->e[ks->index[j] - 1];
        if (memcmp(e->client_random, cr, TLS_RANDOM_LEN) == 0)
            return e;
        j = (j + 1) & (ks->index_cap - 1);
    }
    return NULL;
}

static struct tls_keylog_entry *entry_for(struct tls_keystore *ks, const uint8_t cr[TLS_RANDOM_LEN])
{
    struct tls_keylog_entry *e = (struct tls_keylog_entry *)tls_keystore_find(ks, cr);
    if (e)
        return e;
    if (ks->n >= ks->entries_max)
        return NULL;
    if (ks->n == ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 256;
        struct tls_keylog_entry *ne = realloc(ks->e, nc * sizeof *ne);
        if (ne == NULL)
            return NULL;
        ks->e = ne;
        ks->cap = nc;
    }
    if ((ks->n + 1) * 2 > ks->index_cap && !index_rebuild(ks, ks->index_cap ? ks->index_cap * 2 : 512))
        return NULL;
    e = &ks->e[ks->n];
    memset(e, 0, sizeof *e);
    memcpy(e->client_random, cr, TLS_RANDOM_LEN);
    e->used = true;
    size_t j = random_hash(cr) & (ks->index_cap - 1);
    while (ks->index[j])
        j = (j + 1) & (ks->index_cap - 1);
    ks->index[j] = (uint32_t)ks->n + 1;
    ks->n++;
    return e;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A whole span of hex digits into out; false unless it is exactly that. */
static bool hex_decode(struct span s, uint8_t *out, size_t max, size_t *len)
{
    if (s.n % 2 || s.n / 2 > max || s.n == 0)
        return false;
    struct cur c = cur_make(s.p, s.n);
    for (size_t i = 0; i < s.n / 2; i++) {
        int hi = hexval(cur_u8(&c)), lo = hexval(cur_u8(&c));
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = s.n / 2;
    return true;
}

/* The next space-separated field of a line. */
static struct span next_field(struct cur *c)
{
    uint8_t b;
    while (cur_peek_u8(c, 0, &b) && (b == ' ' || b == '\t'))
        cur_skip(c, 1);
    size_t n = 0;
    while (cur_peek_u8(c, n, &b) && b != ' ' && b != '\t')
        n++;
    struct cur f = cur_take(c, n);
    return cur_span(&f);
}

static const struct {
    const char *label;
    enum tls_secret_kind kind;
} labels[] = {
    { "CLIENT_RANDOM", TLS_SK_MASTER },
    { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_SK_CHTS },
    { "SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_SK_SHTS },
    { "CLIENT_TRAFFIC_SECRET_0", TLS_SK_CATS0 },
    { "SERVER_TRAFFIC_SECRET_0", TLS_SK_SATS0 },
};

/* LABEL <64 hex: client random> <hex secret> */
static void add_line(struct tls_keystore *ks, struct span line)
{
    struct cur c = cur_make(line.p, line.n);
    struct span label = next_field(&c);
    if (label.n == 0)
        return; /* blank */
    uint8_t first = 0;
    struct cur lc = cur_make(label.p, label.n);
    cur_peek_u8(&lc, 0, &first);
    if (first == '#')
        return;
    ks->st.lines++;
    struct span cr_hex = next_field(&c), sec_hex = next_field(&c), extra = next_field(&c);
    uint8_t cr[TLS_RANDOM_LEN], sec[TLS_SECRET_MAX];
    size_t cr_len = 0, sec_len = 0;
    if (extra.n || !hex_decode(cr_hex, cr, sizeof cr, &cr_len) || cr_len != TLS_RANDOM_LEN ||
        !hex_decode(sec_hex, sec, sizeof sec, &sec_len)) {
        /* "RSA <encrypted pms prefix> <pms>" and others have other shapes */
        bool known = false;
        for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
            known |= span_eq(label, labels[i].label);
        if (known)
            ks->st.bad_lines++;
        else
            ks->st.other_lines++;
        return;
    }
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (!span_eq(label, labels[i].label))
            continue;
        if (labels[i].kind == TLS_SK_MASTER && sec_len != TLS_MASTER_LEN) {
            ks->st.bad_lines++;
            return;
        }
        if (labels[i].kind != TLS_SK_MASTER && sec_len != 32 && sec_len != 48) {
            ks->st.bad_lines++;
            return;
        }
        struct tls_keylog_entry *e = entry_for(ks, cr);
        if (e == NULL) {
            ks->st.dropped++;
            return;
        }
        struct tls_secret *s = &e->s[labels[i].kind];
        s->len = (uint8_t)sec_len;
        memcpy(s->v, sec, sec_len);
        ks->st.secrets++;
        OPENSSL_cleanse(sec, sizeof sec);
        return;
    }
    ks->st.other_lines++;
}

void tls_keystore_add_text(struct tls_keystore *ks, const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    struct span line;
    while (cur_left(&c) > 0) {
        if (!cur_line(&c, &line, LINE_MAX_BYTES)) {
            if (cur_left(&c) < LINE_MAX_BYTES) { /* last line without a newline */
                add_line(ks, cur_rest(&c));
                break;
            }
            /* an overlong line: skip to its end */
            ks->st.lines++;
            ks->st.bad_lines++;
            uint8_t b = 0;
            while (cur_left(&c) > 0 && (b = cur_u8(&c)) != '\n')
                ;
            continue;
        }
        add_line(ks, line);
    }
}

void tls_keystore_add_dsb(struct tls_keystore *ks, const uint8_t *p, size_t n)
{
    ks->st.dsb_blocks++;
    tls_keystore_add_text(ks, p, n);
}

int tls_keystore_load_keylog(struct tls_keystore *ks, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (n == cap) {
            if (cap >= FILE_BYTES_MAX) {
                snprintf(err, err_len, "%s: larger than %d MiB", path, FILE_BYTES_MAX >> 20);
                rc = -1;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (buf == NULL) {
        snprintf(err, err_len, "%s: out of memory", path);
        rc = -1;
    } else if (ferror(f)) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        tls_keystore_add_text(ks, buf, n);
    if (buf) {
        OPENSSL_cleanse(buf, n);
        free(buf);
    }
    fclose(f);
    return rc;
}

/* ---- followed key logs: lines appended while live runs ---- */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void part_line(struct tls_keystore *ks, struct followed *f)
{
    struct span l = { .p = f->part, .n = f->part_n };
    if (l.n > 0 && f->part[l.n - 1] == '\r')
        l.n--;
    add_line(ks, l);
    OPENSSL_cleanse(f->part, f->part_n);
    f->part_n = 0;
}

/* Bytes of a followed file, in order: whole lines are added, a last line
 * without its newline is kept in part until the rest comes. */
static void feed(struct tls_keystore *ks, struct followed *f, const uint8_t *p, size_t n, uint64_t now)
{
    struct cur c = cur_make(p, n);
    while (cur_left(&c) > 0) {
        size_t left = cur_left(&c);
        struct span line;
        if (f->skipping) {
            if (!cur_line(&c, &line, left))
                return; /* the whole rest is still that line */
            f->skipping = false;
            continue;
        }
        /* as tls_keystore_add_text: a line and its newline within LINE_MAX_BYTES */
        size_t room = LINE_MAX_BYTES - 1 - f->part_n;
        if (cur_line(&c, &line, room + 1)) {
            bool had_cr = line.p + line.n < c.p - 1; /* cur_line dropped a '\r' */
            if (f->part_n == 0) {
                add_line(ks, line);
                continue;
            }
            memcpy(f->part + f->part_n, line.p, line.n + had_cr);
            f->part_n += line.n + had_cr;
            part_line(ks, f);
            continue;
        }
        if (left <= room) { /* no newline yet: keep it for the next read */
            struct cur rest = cur_take(&c, left);
            struct span r = cur_span(&rest);
            memcpy(f->part + f->part_n, r.p, r.n);
            f->part_n += r.n;
            f->part_ms = now;
            return;
        }
        /* an overlong line: count it, skip to its end */
        ks->st.lines++;
        ks->st.bad_lines++;
        OPENSSL_cleanse(f->part, f->part_n);
        f->part_n = 0;
        f->skipping = true;
    }
}

/* (Re)open the path; on success the file is read from its start. */
static bool follow_open(struct followed *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return false;
    }
    if (f->fd >= 0)
        close(f->fd);
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->off = 0;
    f->tail_n = 0;
    OPENSSL_cleanse(f->part, sizeof f->part);
    f->part_n = 0;
    f->skipping = false;
    return true;
}

/* Read what the file has past off, at most *budget bytes. */
static bool follow_read(struct tls_keystore *ks, struct followed *f, uint64_t size, size_t *budget, uint64_t now)
{
    bool got = false;
    while (f->off < size && *budget > 0) {
        size_t want = FOLLOW_CHUNK;
        if (size - f->off < want)
            want = (size_t)(size - f->off);
        if (*budget < want)
            want = *budget;
        ssize_t r = pread(f->fd, ks->fbuf, want, (off_t)f->off);
        if (r <= 0)
            break;
        feed(ks, f, ks->fbuf, (size_t)r, now);
        size_t t = (size_t)r < sizeof f->tail ? (size_t)r : sizeof f->tail;
        if (t < sizeof f->tail && f->tail_n + t > sizeof f->tail) { /* keep the newest 16 bytes */
            size_t keep = sizeof f->tail - t;
            memmove(f->tail, f->tail + f->tail_n - keep, keep);
            f->tail_n = keep;
        } else if (t == sizeof f->tail) {
            f->tail_n = 0;
        }
        memcpy(f->tail + f->tail_n, ks->fbuf + (size_t)r - t, t);
        f->tail_n += t;
        OPENSSL_cleanse(ks->fbuf, (size_t)r);
        f->off += (uint64_t)r;
        *budget -= (size_t)r;
        got = true;
    }
    return got;
}

/* Does the file still hold, just before off, the bytes last read? (Truncated and rewritten
 * past off between two checks, it most likely does not.) */
static bool tail_same(struct followed *f)
{
    if (f->tail_n == 0)
        return true;
    uint8_t b[sizeof f->tail];
    ssize_t r = pread(f->fd, b, f->tail_n, (off_t)(f->off - f->tail_n));
    bool same = r == (ssize_t)f->tail_n && memcmp(b, f->tail, f->tail_n) == 0;
    OPENSSL_cleanse(b, sizeof b);
    return same;
}

/* One file: replaced or rotated (another inode at the path) or truncated
 * (shorter than what was read): from its start again; then the new bytes. */
static bool follow_check(struct tls_keystore *ks, struct followed *f, size_t *budget, uint64_t now)
{
    struct stat st;
    bool had = f->fd >= 0;
    if (stat(f->path, &st) == 0 && S_ISREG(st.st_mode) && (!had || st.st_dev != f->dev || st.st_ino != f->ino) &&
        follow_open(f) && had)
        ks->st.follow_restarts++;
    if (f->fd < 0 || fstat(f->fd, &st) != 0)
        return false;
    if ((uint64_t)st.st_size < f->off || (st.st_size > (off_t)f->off && !tail_same(f))) {
        f->off = 0;
        f->tail_n = 0;
        OPENSSL_cleanse(f->part, sizeof f->part);
        f->part_n = 0;
        f->skipping = false;
        ks->st.follow_restarts++;
    }
    bool got = follow_read(ks, f, (uint64_t)st.st_size, budget, now);
    if (!got && f->part_n > 0 && now - f->part_ms >= PARTIAL_STALE_MS) {
        part_line(ks, f); /* a last line that will not be finished: a file written by hand */
        got = true;
    }
    return got;
}

static bool refresh_at(struct tls_keystore *ks, uint64_t now)
{
    size_t budget = FOLLOW_READ_MAX;
    bool got = false;
    for (size_t i = 0; i < ks->n_fw; i++)
        got |= follow_check(ks, ks->fw[i], &budget, now);
    if (got)
        ks->st.follow_reads++;
    return got;
}

bool tls_keystore_refresh(struct tls_keystore *ks)
{
    if (ks == NULL || ks->n_fw == 0)
        return false;
    uint64_t now = mono_ms();
    ks->checked = true;
    ks->last_check_ms = now;
    ks->st.follow_checks++;
    return refresh_at(ks, now);
}

int tls_keystore_follow_keylog(struct tls_keystore *ks, const char *path, char *err, size_t err_len)
{
    if (ks->n_fw == FOLLOW_FILES_MAX) {
        snprintf(err, err_len, "%s: more than %d followed key logs", path, FOLLOW_FILES_MAX);
        return -1;
    }
    struct followed *f = calloc(1, sizeof *f);
    if (f == NULL || (f->path = strdup(path)) == NULL ||
        (ks->fbuf == NULL && (ks->fbuf = malloc(FOLLOW_CHUNK)) == NULL)) {
        snprintf(err, err_len, "%s: out of memory", path);
        followed_free(f);
        return -1;
    }
    f->fd = -1;
    if (!follow_open(f)) {
        int e = errno;
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) { /* a pipe, <(...): read once */
            followed_free(f);
            return tls_keystore_load_keylog(ks, path, err, err_len);
        }
        if (e != ENOENT) { /* absent: read once it appears */
            snprintf(err, err_len, "%s: %s", path, strerror(e));
            followed_free(f);
            return -1;
        }
    } else {
        struct stat st;
        if (fstat(f->fd, &st) == 0 && (uint64_t)st.st_size > FILE_BYTES_MAX) {
            snprintf(err, err_len, "%s: larger than %d MiB", path, FILE_BYTES_MAX >> 20);
            followed_free(f);
            return -1;
        }
        size_t budget = FILE_BYTES_MAX;
        follow_read(ks, f, (uint64_t)st.st_size, &budget, mono_ms());
    }
    ks->fw[ks->n_fw++] = f;
    return 0;
}

bool tls_keystore_following(const struct tls_keystore *ks)
{
    return ks && ks->n_fw > 0;
}

void tls_keystore_set_follow_interval(struct tls_keystore *ks, uint32_t ms)
{
    ks->follow_interval_ms = ms;
}

static bool has_all(const struct tls_keylog_entry *e, unsigned need)
{
    if (e == NULL)
        return false;
    for (int k = 0; k < TLS_SK_COUNT; k++)
        if ((need & (1u << k)) && e->s[k].len == 0)
            return false;
    return true;
}

const struct tls_keylog_entry *tls_keystore_lookup(struct tls_keystore *ks, const uint8_t cr[TLS_RANDOM_LEN],
                                                   unsigned need)
{
    const struct tls_keylog_entry *e = tls_keystore_find(ks, cr);
    if (ks == NULL || ks->n_fw == 0 || has_all(e, need))
        return e;
    uint64_t now = mono_ms();
    if (ks->checked && now - ks->last_check_ms < ks->follow_interval_ms)
        return e;
    ks->checked = true;
    ks->last_check_ms = now;
    ks->st.follow_checks++;
    if (!refresh_at(ks, now))
        return e;
    return tls_keystore_find(ks, cr);
}

/* "1.2.3.4:5061" or "[::1]:5061" */
static bool parse_endpoint(const char *s, size_t len, struct ip_addr *ip, uint16_t *port)
{
    char host[IP_ADDR_STR_MAX + 2];
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':')
            colon = s + i;
    if (colon == NULL)
        return false;
    size_t hl = (size_t)(colon - s);
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h = s + 1;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host)
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    unsigned long p = 0;
    size_t pl = len - (size_t)(colon - s) - 1;
    if (pl == 0 || pl > 5)
        return false;
    for (size_t i = 0; i < pl; i++) {
        char ch = colon[1 + i];
        if (ch < '0' || ch > '9')
            return false;
        p = p * 10 + (unsigned long)(ch - '0');
    }
    if (p == 0 || p > 65535 || !ip_addr_parse(host, ip))
        return false;
    *port = (uint16_t)p;
    return true;
}

int tls_keystore_load_rsa(struct tls_keystore *ks, const char *spec, char *err, size_t err_len)
{
    struct rsa_key k = { 0 };
    const char *path = spec;
    const char *eq = strchr(spec, '=');
    if (eq && parse_endpoint(spec, (size_t)(eq - spec), &k.ip, &k.port)) {
        k.bound = true;
        path = eq + 1;
    }
    if (ks->n_rsa == RSA_KEYS_MAX) {
        snprintf(err, err_len, "%s: more than %d RSA keys", path, RSA_KEYS_MAX);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (pk == NULL) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "%s: not a PEM private key (%s)", path, e ? ERR_reason_error_string(e) : "no key");
        ERR_clear_error();
        return -1;
    }
    if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
        snprintf(err, err_len, "%s: not an RSA key (only RSA key exchange can be decrypted with a key)", path);
        EVP_PKEY_free(pk);
        return -1;
    }
    k.pkey = pk;
    ks->rsa[ks->n_rsa++] = k;
    ks->st.rsa_keys++;
    return 0;
}

size_t tls_keystore_rsa_keys(const struct tls_keystore *ks, const struct ip_addr *ip, uint16_t port, void **out,
                             size_t max)
{
    size_t n = 0;
    if (ks == NULL)
        return 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ks->n_rsa && n < max; i++) {
            const struct rsa_key *k = &ks->rsa[i];
            if (pass == 0 && k->bound && k->port == port && ip_addr_eq(&k->ip, ip))
                out[n++] = k->pkey;
            else if (pass == 1 && !k->bound)
                out[n++] = k->pkey;
        }
    return n;
}

bool tls_keystore_has_rsa(const struct tls_keystore *ks)
{
    return ks && ks->n_rsa > 0;
}

/* Session IDs are at most 32 bytes; tickets are hashed to 32. */
static void resume_key(const uint8_t *id, size_t id_len, uint8_t out[32], uint8_t *out_len)
{
    if (id_len <= 32) {
        memcpy(out, id, id_len);
        *out_len = (uint8_t)id_len;
        return;
    }
    SHA256(id, id_len, out);
    *out_len = 32;
}

static size_t resume_slot(const uint8_t *key, size_t len)
{
    uint64_t h = 0x51ed270b27cd8a3bULL ^ len;
    for (size_t i = 0; i < len; i++)
        h = hash_mix64(h ^ key[i]);
    return (size_t)(h % RESUME_SLOTS);
}

void tls_keystore_remember(struct tls_keystore *ks, const uint8_t *id, size_t id_len, const uint8_t master[48])
{
    if (ks == NULL || id_len == 0)
        return;
    if (ks->resume == NULL && (ks->resume = calloc(RESUME_SLOTS, sizeof *ks->resume)) == NULL)
        return;
    uint8_t key[32], kl = 0;
    resume_key(id, id_len, key, &kl);
    struct resume_slot *s = &ks->resume[resume_slot(key, kl)];
    s->used = true;
    s->id_len = kl;
    memcpy(s->id, key, kl);
    memcpy(s->master, master, 48);
}

bool tls_keystore_recall(const struct tls_keystore *ks, const uint8_t *id, size_t id_len, uint8_t master[48])
{
    if (ks == NULL || ks->resume == NULL || id_len == 0)
        return false;
    uint8_t key[32], kl = 0;
    resume_key(id, id_len, key, &kl);
    const struct resume_slot *s = &ks->resume[resume_slot(key, kl)];
    if (!s->used || s->id_len != kl || memcmp(s->id, key, kl) != 0)
        return false;
    memcpy(master, s->master, 48);
    return true;
}

const struct tls_keystore_stats *tls_keystore_stats(const struct tls_keystore *ks)
{
    return &ks->st;
}
