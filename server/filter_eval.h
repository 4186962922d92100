/* SPDX-License-Identifier: MIT */
/* filter_eval: the demo server's evaluation of bound filter trees (filter_parse.h;
 * derive.c binds their columns to a table and checks the literals) over a table's
 * rows, a block of rows at a time. A comparison with a number on a column that reads
 * as arrays (catalog.h, demo_table_column_source) is one loop over the block, a test
 * of a string or boolean column runs once per distinct value, anything else cell by
 * cell; the answers are exactly demo_filter_match's. Semantics (upstream's): a range
 * comparison (<, <=) matches nulls, null being the lowest value, and never NaN; == on
 * NaN is false, != true; -0 equals 0. */
#ifndef DEMO_FILTER_EVAL_H
#define DEMO_FILTER_EVAL_H

#include <stdint.h>

#include "catalog.h"
#include "filter_parse.h"

/* Rows of t (ascending) for which every one of trees[0..n_trees) matches: 0 with
 * *index (malloc'd, the caller frees) and *n, or -1 when out of memory. Any thread. */
int demo_filter_rows(const struct demo_object *t, struct demo_fnode *const *trees, size_t n_trees,
                     int64_t **index, int64_t *n);

/* Tables of at least this many rows are filtered lazily (demo_filter_view). */
#define DEMO_FILTER_LAZY_MIN 65536

/* The rows of t that every one of trees[0..n_trees) matches, as a derived table (one
 * reference), or NULL when out of memory. Takes ownership of trees (the array, malloc'd,
 * and every tree). When t has at least lazy_min rows and every column the trees test
 * reads as arrays, the filter is lazy: one pass evaluates every row, keeping its answer
 * as a bit (1 bit per row) and counting the matches of each block of rows (the view's
 * size is known at once); a block's rows are listed from the bits when someone reads
 * them (all of them when the view is read as arrays), and a sort of the view reads the
 * parent's rows through the bits (catalog.h, demo_table_subset). Any thread. */
const struct demo_object *demo_filter_view(const struct demo_object *t, struct demo_fnode **trees,
                                           size_t n_trees, int64_t lazy_min);

/* Whether row of t matches tree, computed cell by cell. Any thread. */
int demo_filter_match(const struct demo_object *t, const struct demo_fnode *tree, int64_t row);

#endif
