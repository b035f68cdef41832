/* test_helpers.h: small builders the unit tests (and fuzz targets) share. Header-only,
 * without cmocka, so a fuzz target can include it too. */
#ifndef SIPSEC_TEST_HELPERS_H
#define SIPSEC_TEST_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "stream.h"

/* Rearranges a[0..n) into the next permutation in lexicographic order; false (and a left
 * as it was) once a is the last, descending one. Start from the ascending order to visit
 * all n! orders. */
static inline bool perm_next(int *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] > a[i + 1])
        i--;
    if (i < 0)
        return false;
    int j = n - 1;
    while (a[j] < a[i])
        j--;
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) {
        t = a[l];
        a[l] = a[r];
        a[r] = t;
    }
    return true;
}

/* A TCP connection 0.0.0.1:40000 -> 0.0.0.2:dport seen from its SYN, its first packet at
 * frame 1, time first_ts: what tcp_reasm gives a stream consumer's open(). */
static inline struct stream_info test_tcp_stream(uint16_t dport, ts_ns first_ts)
{
    struct stream_info si = { .saw_syn = true, .first = { 1, first_ts } };
    si.key.src.family = si.key.dst.family = 4;
    si.key.src.b[3] = 1;
    si.key.dst.b[3] = 2;
    si.key.sport = 40000;
    si.key.dport = dport;
    si.key.proto = L4_TCP;
    return si;
}

#endif
