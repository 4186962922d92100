/* SPDX-License-Identifier: MIT */
/* table_internal: the column concatenation table.c uses to assemble record
 * batches into one window, shared with subscription.c (which builds viewport
 * contents from old rows, added rows and modified rows). Internal to libdh. */
#ifndef DH_TABLE_INTERNAL_H
#define DH_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"
#include "dh_error.h"

/* Rows [start, start + n) of one column view (the caller checked they exist). */
struct dh_piece {
    const struct dh_column_view *v;
    int64_t start;
    int64_t n;
};

/* Build *out (initialised here; the caller resets it) with one owned column per
 * schema field: column i is the concatenation of pieces[i][0..n_pieces[i]),
 * whose views must have the same field type as schema->fields[i]; the output
 * views point at schema's fields. out->length = length. The pieces are only
 * read. DH_OK or DH_ENOMEM. Any thread. */
int dh_concat_columns(const struct dh_schema *schema, const struct dh_piece *const *pieces,
                      const size_t *n_pieces, int64_t length, struct dh_batch *out,
                      struct dh_error *err);

#endif
