/* tls_keylog.c: NSS key log lines (the SSLKEYLOGFILE format), server RSA keys and the
 * resumption cache: the secrets the TLS decryptor looks up by ClientHello.random. */
#include "tls_keylog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct tls_keystore_stats st;
};

struct tls_keystore *tls_keystore_new(uint32_t entries_max)
{
    struct tls_keystore *ks = calloc(1, sizeof *ks);
    if (ks == NULL)
        return NULL;
    ks->entries_max = entries_max;
    return ks;
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
