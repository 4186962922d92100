/* SPDX-License-Identifier: MIT */
/* fuzz_flatbuf.c: libFuzzer target for the flatbuffer reader: open the root and
 * read every field of every reachable table in every way. */
#include <stddef.h>
#include <stdint.h>

#include "../unit/testutil.h"
#include "dh_flatbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_fb_table t;
    if (dh_fb_root(data, size, &t, NULL) == DH_OK) {
        int budget = 48;
        volatile uint64_t sum = tu_fb_walk(&t, 16, &budget);
        (void)sum;
    }
    return 0;
}
