/* onefile.c: runs a libFuzzer target over files and directories (replay without libFuzzer). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not seeds; skip them rather than slow ctest. */
enum { REPLAY_BYTES_MAX = 4 << 20, DEPTH_MAX = 8 };

static unsigned long ran, skipped;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || st.st_size > REPLAY_BYTES_MAX) {
        fclose(f);
        skipped++;
        return 0;
    }
    size_t n = (size_t)st.st_size;
    /* Exactly n bytes, so ASan sees a read one past the end. */
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL || fread(buf, 1, n, f) != n) {
        fclose(f);
        free(buf);
        fprintf(stderr, "%s: read failed\n", path);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    ran++;
    return 0;
}

static int run_path(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    if (depth > DEPTH_MAX)
        return 0;
    DIR *d = opendir(path);
    if (d == NULL) {
        perror(path);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        if (run_path(child, depth + 1) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (run_path(argv[i], 0) < 0)
            rc = 1;
    printf("replayed %lu inputs (%lu skipped as too large)\n", ran, skipped);
    if (ran == 0) {
        fprintf(stderr, "no inputs: a replay that runs nothing proves nothing\n");
        return 1;
    }
    return rc;
}
