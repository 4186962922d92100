/* SPDX-License-Identifier: MIT */
/* partition.c: the underlying table, constituents and merge of a demo partitioned
 * table, grouped on demand from its source (nothing is kept per partitioned table). */
#include "partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "derive.h"
#include "group.h"

static long find_column(const struct demo_object *t, const char *name)
{
    size_t n = demo_table_ncols(t);
    for (size_t c = 0; c < n; c++)
        if (strcmp(demo_table_col_name(t, c), name) == 0)
            return (long)c;
    return -1;
}

static int oom(struct demo_status *st)
{
    demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return -1;
}

/* The source, its key column and its rows grouped by key. 0, or -1 with st. */
static int group_source(const struct demo_object *pt, const struct demo_object **src, size_t *col,
                        struct demo_groups *g, struct demo_status *st)
{
    const char *key;
    *src = demo_partitioned_source(pt, &key);
    long c = *src ? find_column(*src, key) : -1;
    if (c < 0) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "Object is not a PartitionedTable");
        return -1;
    }
    *col = (size_t)c;
    if (demo_groups_build(g, *src, col, 1, demo_object_size(*src)) != 0)
        return oom(st);
    return 0;
}

/* The rows of the selected groups, group after group in group order, each group's in
 * source order (a counting sort by group), as a derived table of src. */
static int rows_of_groups(const struct demo_object *src, const struct demo_groups *g,
                          const uint8_t *selected, const struct demo_object **out,
                          struct demo_status *st)
{
    int64_t *start = calloc(g->n + 1, sizeof *start);
    if (!start)
        return oom(st);
    for (size_t k = 0; k < g->n; k++)
        start[k + 1] = start[k] + (selected[k] ? g->count[k] : 0);
    int64_t n = start[g->n];
    int64_t *index = malloc((size_t)(n ? n : 1) * sizeof *index);
    if (!index) {
        free(start);
        return oom(st);
    }
    int64_t rows = demo_object_size(src);
    for (int64_t r = 0; r < rows && n > 0; r++) {
        size_t k = demo_groups_of(g, r);
        if (selected[k])
            index[start[k]++] = r;
    }
    free(start);
    *out = demo_object_new_derived(src, index, n);
    return *out ? 0 : oom(st);
}

int demo_partition_table(const struct demo_object *pt, const struct demo_object **out,
                         struct demo_status *st)
{
    const struct demo_object *src;
    size_t col;
    struct demo_groups g;
    if (group_source(pt, &src, &col, &g, st) != 0)
        return -1;
    int64_t *index = malloc((g.n ? g.n : 1) * sizeof *index);
    char **names = calloc(g.n ? g.n : 1, sizeof *names);
    int ok = index && names;
    for (size_t k = 0; ok && k < g.n; k++) {
        index[k] = g.first[k];
        struct demo_cell c;
        demo_table_cell(src, g.first[k], col, &c);
        char buf[320];
        /* Deephaven prints a table as its description */
        snprintf(buf, sizeof buf, "%s.where(%s == %.*s)", demo_object_name(src),
                 demo_table_col_name(src, col), c.is_null ? 4 : (int)c.len,
                 c.is_null ? "null" : (const char *)c.bytes);
        names[k] = strdup(buf);
        ok = names[k] != NULL;
    }
    struct demo_out_col cols[2] = {
        {.name = demo_table_col_name(src, col),
         .type = demo_table_col_type(src, col),
         .src = (long)col},
        {.name = DEMO_CONSTITUENT_COLUMN,
         .type = DEMO_COL_STRING,
         .src = -1,
         .strs = names,
         .n_elems = g.n},
    };
    int64_t n = (int64_t)g.n;
    demo_groups_reset(&g);
    if (!ok) {
        free(index);
        demo_out_cols_free(cols, 2);
        return oom(st);
    }
    *out = demo_object_new_computed(src, index, n, cols, 2);
    return *out ? 0 : oom(st);
}

int demo_partition_merge(const struct demo_object *pt, const struct demo_object **out,
                         struct demo_status *st)
{
    const struct demo_object *src;
    size_t col;
    struct demo_groups g;
    if (group_source(pt, &src, &col, &g, st) != 0)
        return -1;
    uint8_t *all = malloc(g.n ? g.n : 1);
    int rc = all ? 0 : oom(st);
    if (all) {
        memset(all, 1, g.n ? g.n : 1);
        rc = rows_of_groups(src, &g, all, out, st);
    }
    free(all);
    demo_groups_reset(&g);
    return rc;
}

/* Mark the groups whose key equals the key column of some row of keys; the count. */
static size_t select_groups(const struct demo_object *src, size_t col, const struct demo_groups *g,
                            const struct demo_object *keys, size_t kcol, uint8_t *selected)
{
    enum demo_col_class cc = demo_col_class(demo_table_col_type(src, col));
    int same = cc == demo_col_class(demo_table_col_type(keys, kcol));
    int64_t nkeys = demo_object_size(keys);
    size_t matched = 0;
    for (size_t k = 0; same && k < g->n; k++) {
        struct demo_cell a, b;
        demo_table_cell(src, g->first[k], col, &a);
        for (int64_t r = 0; r < nkeys && !selected[k]; r++) {
            demo_table_cell(keys, r, kcol, &b);
            selected[k] = demo_cell_compare(cc, &a, &b) == 0;
        }
        matched += selected[k];
    }
    return matched;
}

int demo_partition_get(const struct demo_object *pt, const struct demo_object *keys,
                       int unique_behavior, const struct demo_object **out, struct demo_status *st)
{
    if (unique_behavior < 0 || unique_behavior > 2) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid unique behavior %d",
                        unique_behavior);
        return -1;
    }
    int unique = unique_behavior != 2;
    int64_t nkeys = demo_object_size(keys);
    if (unique && nkeys != 1) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Provided key table does not have one row, instead has %lld",
                        (long long)nkeys);
        return -1;
    }
    const struct demo_object *src;
    size_t col;
    struct demo_groups g;
    if (group_source(pt, &src, &col, &g, st) != 0)
        return -1;
    long kcol = find_column(keys, demo_table_col_name(src, col));
    uint8_t *selected = kcol >= 0 ? calloc(g.n ? g.n : 1, 1) : NULL;
    int rc = -1;
    if (kcol < 0) /* Table.whereIn throws inside the engine */
        demo_status_set(st, DEMO_STATUS_DETAILS_LOGGED, "whereIn: key table has no column %s",
                        demo_table_col_name(src, col));
    else if (!selected)
        oom(st);
    else {
        size_t matched = select_groups(src, col, &g, keys, (size_t)kcol, selected);
        if (unique && matched != 1) /* upstream's words, "more than one" even for none */
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Filtered PartitionedTable has more than one constituent, %zu "
                            "constituents found",
                            matched);
        else
            rc = rows_of_groups(src, &g, selected, out, st);
    }
    free(selected);
    demo_groups_reset(&g);
    return rc;
}
