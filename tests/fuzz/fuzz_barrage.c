/* SPDX-License-Identifier: MIT */
/* fuzz_barrage.c: libFuzzer target for the Barrage decoders (wrapper, requests,
 * update metadata and the RowSets inside it) and the RowSet decoder itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dh_barrage.h"
#include "dh_rowset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode a RowSet fully and query it. */
static void rowset(const uint8_t *p, size_t n, struct dh_rowset *rs)
{
    int64_t card, key;
    (void)dh_rowset_cardinality(p, n, &card, NULL);
    if (dh_rowset_decode(p, n, rs, NULL) == DH_OK && rs->size > 0) {
        (void)dh_rowset_nth(rs, rs->size - 1, &key);
        (void)dh_rowset_position(rs, key);
        (void)dh_rowset_contains(rs, key / 2);
        uint8_t *out;
        size_t len;
        if (dh_rowset_encode(rs, &out, &len, NULL) == DH_OK) {
            struct dh_rowset back;
            dh_rowset_init(&back);
            /* what we encode must decode to the same set */
            if (dh_rowset_decode(out, len, &back, NULL) != DH_OK || back.size != rs->size)
                __builtin_trap();
            dh_rowset_reset(&back);
            free(out);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    rowset(data, size, &rs);

    struct dh_barrage_update u;
    if (dh_barrage_decode_update(data, size, &u, NULL) == DH_OK) {
        rowset(u.added_rows, u.added_rows_len, &rs);
        rowset(u.removed_rows, u.removed_rows_len, &rs);
        rowset(u.effective_viewport, u.effective_viewport_len, &rs);
        rowset(u.added_rows_included, u.added_rows_included_len, &rs);
        size_t at = 0, used;
        for (int i = 0; i < 3 && u.shift_data; i++) {
            if (dh_rowset_decode_prefix(u.shift_data + at, u.shift_data_len - at, &rs, &used,
                                        NULL) != DH_OK)
                break;
            at += used;
        }
        for (size_t c = 0; c < u.n_mod_columns; c++) {
            struct dh_barrage_mod_column m;
            if (dh_barrage_update_mod_column(&u, c, &m, NULL) != DH_OK)
                __builtin_trap(); /* decode checked every entry */
            rowset(m.modified_rows, m.modified_rows_len, &rs);
        }
    }
    struct dh_barrage_snapshot_request sr;
    if (dh_barrage_decode_snapshot_request(data, size, &sr, NULL) == DH_OK)
        rowset(sr.viewport, sr.viewport_len, &rs);
    struct dh_barrage_subscription_request sub;
    if (dh_barrage_decode_subscription_request(data, size, &sub, NULL) == DH_OK)
        rowset(sub.viewport, sub.viewport_len, &rs);
    (void)dh_barrage_is_wrapper(data, size);
    dh_rowset_reset(&rs);
    return 0;
}
