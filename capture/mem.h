/* mem.h: memory accounting for growable packet-path buffers. */
#ifndef SIPSEC_MEM_H
#define SIPSEC_MEM_H

#include <stddef.h>
#include <stdint.h>

/* One account per pool (e.g. all TCP reassembly). Allocation past cap is
 * refused, counted, and the caller drops data instead of growing. */
struct mem_acct {
    uint64_t used;
    uint64_t peak;
    uint64_t cap;
    uint64_t refused;
};

void mem_acct_init(struct mem_acct *a, uint64_t cap);
/* NULL when the account would pass its cap or malloc fails. */
void *mem_alloc(struct mem_acct *a, size_t n);
/* Resize p from old_n to new_n bytes; NULL (p untouched) when refused. */
void *mem_realloc(struct mem_acct *a, void *p, size_t old_n, size_t new_n);
void mem_free(struct mem_acct *a, void *p, size_t n);

#endif
