/* SPDX-License-Identifier: MIT */
/* sort: the demo server's Sort (upstream SortTableGrpcImpl) over computed tables:
 * nulls first and NaN last ascending, -0 equal to 0, ties in the source's order
 * (a stable sort), descending the reverse of each key but ties still in source order.
 *
 * A large table is sorted lazily: the view knows its size at once and orders only
 * the positions someone reads (a screen, a snapshot), a window of about 16K positions
 * around them at a time: a sample of the first key gives bounds that hold the window,
 * one pass over the rows finds those between the bounds (and counts those below),
 * and only they are sorted: a selection pass, not a sort. After a few windows, or when
 * every row is read, the rest is sorted at once. A sort of a lazy filter reads the
 * filter's parent through the filter's bits (catalog.h, demo_table_subset), so the
 * filter's rows are never listed. Results are exactly a full stable sort's. */
#ifndef DEMO_SORT_H
#define DEMO_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "group.h"

struct demo_sort_key {
    size_t col;
    enum demo_col_class cc; /* not DEMO_CC_OTHER */
    int desc;
};

/* Tables of at least this many rows are sorted lazily. */
#define DEMO_SORT_LAZY_MIN 65536

/* Rows 0..size of t in sorted order by keys[0..n_keys) (n_keys <= 32): 0 with *index
 * (malloc'd, size entries, the caller frees), or -1 when out of memory. Any thread. */
int demo_sort_rows(const struct demo_object *t, const struct demo_sort_key *keys, size_t n_keys,
                   int64_t **index);

/* t sorted by keys[0..n_keys) (n_keys <= 32) as a derived table (one reference), lazily
 * when t has at least lazy_min rows; NULL when out of memory. Any thread. */
const struct demo_object *demo_sort_view(const struct demo_object *t,
                                         const struct demo_sort_key *keys, size_t n_keys,
                                         int64_t lazy_min);

#endif
