/* SPDX-License-Identifier: MIT */
/* fuzz_hier.c: libFuzzer target for dh_hier_info_decode (a HierarchicalTableDescriptor
 * from FetchObject): a decoded descriptor names in-range depth, expanded and key
 * columns of the right types, and its column names sanitise safely for display. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_hier.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_hier_info h;
    struct dh_error err;
    if (dh_hier_info_decode(data, size, &h, &err) != DH_OK) {
        if (h.schema.n_fields || h.depth_col != -1)
            __builtin_trap(); /* nothing kept on failure */
        return 0;
    }
    size_t n = h.schema.n_fields;
    if (h.depth_col < 0 || (size_t)h.depth_col >= n || h.expanded_col < 0 ||
        (size_t)h.expanded_col >= n || h.n_keys > DH_HIER_MAX_KEYS)
        __builtin_trap();
    if (h.schema.fields[h.depth_col].type != DH_TYPE_INT ||
        h.schema.fields[h.expanded_col].type != DH_TYPE_BOOL)
        __builtin_trap();
    for (size_t k = 0; k < h.n_keys; k++)
        if (h.key_cols[k] < 0 || (size_t)h.key_cols[k] >= n)
            __builtin_trap();
    for (size_t c = 0; c < n; c++) {
        const char *name = h.schema.fields[c].name;
        if (name)
            fc_check_sanitize(name, strlen(name), (unsigned)(size + c));
        (void)dh_hier_column_visible(&h, c);
    }
    dh_hier_info_reset(&h);
    return 0;
}
