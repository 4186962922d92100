/* SPDX-License-Identifier: MIT */
/* group: the demo server's grouping of table rows by the values of some columns (the
 * hash keys of upstream's aggregations, SelectDistinct and column statistics), and the
 * value classes and total order of cells that sort and filter share. Memory is per
 * group (a hash table of representative rows), never per row. One key column that
 * reads as one-byte arrays (catalog.h: a string column of few values, a boolean) is
 * grouped by counting its bytes. */
#ifndef DEMO_GROUP_H
#define DEMO_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

enum demo_col_class { DEMO_CC_INT, DEMO_CC_FLOAT, DEMO_CC_BOOL, DEMO_CC_STRING, DEMO_CC_OTHER };

/* How cells of a column type compare: integer-like, floating, boolean, string bytes,
 * or not at all (arrays, big numbers). Any thread. */
enum demo_col_class demo_col_class(enum demo_col_type t);

/* Total order of two cells of one column class: null first, NaN last, -0 == 0.
 * -1, 0 or 1. Any thread. */
int demo_cell_compare(enum demo_col_class cc, const struct demo_cell *a, const struct demo_cell *b);

/* Distinct key tuples of some columns, in order of first appearance. */
struct demo_groups {
    size_t n;       /* groups */
    int64_t *first; /* n: the first row of each group */
    int64_t *count; /* n: rows in each group */
    /* private: the hash table (group ids + 1, 0 empty), each group's hash, the key
     * columns */
    uint32_t *slots;
    uint64_t *hash;
    size_t cap;
    const struct demo_object *t;
    size_t cols[16];
    enum demo_col_class cc[16];
    size_t k;
};

/* Group rows [0, n) of t by columns cols[0..k) (k <= 16; every column of a class other
 * than OTHER). 0, or -1 when out of memory (g is then empty). Free with
 * demo_groups_reset. Any thread. */
int demo_groups_build(struct demo_groups *g, const struct demo_object *t, const size_t *cols,
                      size_t k, int64_t n);

/* The group of row (a row of the table g was built from, below its n). Any thread. */
size_t demo_groups_of(const struct demo_groups *g, int64_t row);

/* Free what g holds and leave it empty. Idempotent. */
void demo_groups_reset(struct demo_groups *g);

#endif
