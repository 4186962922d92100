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

/* Whether row of t matches tree, computed cell by cell. Any thread. */
int demo_filter_match(const struct demo_object *t, const struct demo_fnode *tree, int64_t row);

#endif
