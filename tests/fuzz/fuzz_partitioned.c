/* SPDX-License-Identifier: MIT */
/* fuzz_partitioned.c: libFuzzer target for dh_partitioned_decode (a
 * PartitionedTableDescriptor from FetchObject), checking that a decoded
 * descriptor has at least one key column, every string present, and every
 * text sanitises safely for display (the UI shows key column names). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_partitioned.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_partitioned *p = NULL;
    struct dh_error err;
    if (dh_partitioned_decode(data, size, &p, &err) != DH_OK) {
        if (p)
            __builtin_trap(); /* *out is NULL on failure */
        return 0;
    }
    if (!p || p->n_keys == 0 || !p->key_columns || !p->constituent_column || p->table.len)
        __builtin_trap();
    for (size_t i = 0; i < p->n_keys; i++) {
        if (!p->key_columns[i])
            __builtin_trap();
        fc_check_sanitize(p->key_columns[i], strlen(p->key_columns[i]), (unsigned)(size + i));
    }
    fc_check_sanitize(p->constituent_column, strlen(p->constituent_column), (unsigned)size);
    dh_partitioned_free(p);
    return 0;
}
