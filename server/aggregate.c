/* SPDX-License-Identifier: MIT */
/* aggregate.c: DropColumns, SelectDistinct and Aggregate as computed tables. */
#include "aggregate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "derive.h"
#include "group.h"

#define MAX_KEYS 16
#define MAX_AGGS 64

typedef Io__Deephaven__Proto__Backplane__Grpc__AggSpec PbAggSpec;
#define SPEC(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGG_SPEC__TYPE_##x

static long find_column(const struct demo_object *t, const char *name)
{
    size_t n = demo_table_ncols(t);
    for (size_t c = 0; c < n; c++)
        if (strcmp(demo_table_col_name(t, c), name ? name : "") == 0)
            return (long)c;
    return -1;
}

static int oom(struct demo_status *st)
{
    demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return -1;
}

/* ---- DropColumns ---- */

int demo_drop_columns(const struct demo_object *t,
                      const Io__Deephaven__Proto__Backplane__Grpc__DropColumnsRequest *req,
                      const struct demo_object **out, struct demo_status *st)
{
    size_t ncols = demo_table_ncols(t), k = 0;
    for (size_t i = 0; i < req->n_column_names; i++) {
        if (find_column(t, req->column_names[i]) < 0) { /* Table.dropColumns throws */
            demo_status_set(st, DEMO_STATUS_DETAILS_LOGGED,
                            "dropColumns: unknown column name '%.200s'", req->column_names[i]);
            return -1;
        }
    }
    struct demo_out_col *cols = calloc(ncols ? ncols : 1, sizeof *cols);
    if (!cols)
        return oom(st);
    for (size_t c = 0; c < ncols; c++) {
        int dropped = 0;
        for (size_t i = 0; i < req->n_column_names && !dropped; i++)
            dropped = strcmp(demo_table_col_name(t, c), req->column_names[i]) == 0;
        if (!dropped)
            cols[k++] = (struct demo_out_col){.name = demo_table_col_name(t, c),
                                              .type = demo_table_col_type(t, c),
                                              .src = (long)c};
    }
    *out = demo_object_new_computed(t, NULL, 0, cols, k);
    free(cols);
    return *out ? 0 : oom(st);
}

/* ---- grouping helpers ---- */

/* Bind key column names: 0, or -1 with st (FAILED_PRECONDITION listing the missing
 * ones when missing_status, else DETAILS_LOGGED). */
static int bind_keys(const struct demo_object *t, char **names, size_t n, size_t *cols,
                     int missing_status, struct demo_status *st)
{
    char missing[512] = "";
    size_t n_missing = 0; /* an empty name is missing too */
    if (n > MAX_KEYS) {
        demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                        "the demo server groups by at most %d columns", MAX_KEYS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        long c = find_column(t, names[i]);
        if (c < 0) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%.100s", n_missing++ ? ", " : "",
                     names[i]);
            continue;
        }
        cols[i] = (size_t)c;
        if (demo_col_class(demo_table_col_type(t, cols[i])) == DEMO_CC_OTHER) {
            demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                            "the demo server cannot group by column '%.100s' (its type)", names[i]);
            return -1;
        }
    }
    if (!n_missing)
        return 0;
    demo_status_set(st,
                    missing_status ? GRPC_STATUS_FAILED_PRECONDITION : DEMO_STATUS_DETAILS_LOGGED,
                    "column(s) not found: %s", missing);
    return -1;
}

/* The first row of each group, as the result's index (malloc'd). */
static int64_t *group_index(const struct demo_groups *g)
{
    int64_t *index = malloc((g->n ? g->n : 1) * sizeof *index);
    if (index && g->n)
        memcpy(index, g->first, g->n * sizeof *index);
    return index;
}

/* ---- SelectDistinct ---- */

int demo_select_distinct(const struct demo_object *t,
                         const Io__Deephaven__Proto__Backplane__Grpc__SelectDistinctRequest *req,
                         const struct demo_object **out, struct demo_status *st)
{
    size_t keys[MAX_KEYS];
    struct demo_out_col cols[MAX_KEYS];
    /* SelectDistinctGrpcImpl checks the names before the engine runs */
    if (bind_keys(t, req->column_names, req->n_column_names, keys, 1, st) != 0)
        return -1;
    struct demo_groups g;
    if (demo_groups_build(&g, t, keys, req->n_column_names, demo_object_size(t)) != 0)
        return oom(st);
    int64_t *index = group_index(&g);
    int64_t n = (int64_t)g.n;
    demo_groups_reset(&g);
    if (!index)
        return oom(st);
    for (size_t i = 0; i < req->n_column_names; i++)
        cols[i] = (struct demo_out_col){.name = demo_table_col_name(t, keys[i]),
                                        .type = demo_table_col_type(t, keys[i]),
                                        .src = (long)keys[i]};
    *out = demo_object_new_computed(t, index, n, cols, req->n_column_names);
    return *out ? 0 : oom(st);
}

/* ---- Aggregate ---- */

enum agg_kind {
    AK_COUNT,
    AK_SUM,
    AK_ABS_SUM,
    AK_AVG,
    AK_STD,
    AK_VAR,
    AK_MIN,
    AK_MAX,
    AK_FIRST,
    AK_LAST
};

struct agg {
    enum agg_kind kind;
    char out[64];
    long in;                 /* input column (-1 for count) */
    enum demo_col_type type; /* input type */
    enum demo_col_class cc;
    /* per group state */
    int64_t *cnt, *isum, *pick;
    double *dsum, *dsum2;
};

static int agg_kind_of(const PbAggSpec *spec, enum agg_kind *k)
{
    switch (spec ? spec->type_case : 0) {
    case SPEC(ABS_SUM): *k = AK_ABS_SUM; return 0;
    case SPEC(AVG): *k = AK_AVG; return 0;
    case SPEC(FIRST): *k = AK_FIRST; return 0;
    case SPEC(LAST): *k = AK_LAST; return 0;
    case SPEC(MAX): *k = AK_MAX; return 0;
    case SPEC(MIN): *k = AK_MIN; return 0;
    case SPEC(STD): *k = AK_STD; return 0;
    case SPEC(SUM): *k = AK_SUM; return 0;
    case SPEC(VAR): *k = AK_VAR; return 0;
    default: return -1;
    }
}

/* "Out=In" or "Name" (Pair.parse), blanks trimmed. */
static int parse_pair(const char *pair, char *out, size_t cap, char *in, size_t in_cap)
{
    const char *eq = strchr(pair, '=');
    const char *a = pair, *a_end = eq ? eq : pair + strlen(pair);
    const char *b = eq ? eq + 1 : pair, *b_end = pair + strlen(pair);
    while (a < a_end && *a == ' ')
        a++;
    while (a_end > a && a_end[-1] == ' ')
        a_end--;
    while (b < b_end && *b == ' ')
        b++;
    while (b_end > b && b_end[-1] == ' ')
        b_end--;
    if (a == a_end || b == b_end || (size_t)(a_end - a) >= cap || (size_t)(b_end - b) >= in_cap)
        return -1;
    snprintf(out, cap, "%.*s", (int)(a_end - a), a);
    snprintf(in, in_cap, "%.*s", (int)(b_end - b), b);
    return 0;
}

static int is_numeric(enum demo_col_type t)
{
    return t == DEMO_COL_BYTE || t == DEMO_COL_SHORT || t == DEMO_COL_INT || t == DEMO_COL_LONG ||
           t == DEMO_COL_FLOAT || t == DEMO_COL_DOUBLE;
}

/* Validate (AggregateGrpcImpl.validateRequest) and bind the aggregations. */
static int bind_aggs(const struct demo_object *t,
                     const Io__Deephaven__Proto__Backplane__Grpc__AggregateRequest *req,
                     struct agg *aggs, size_t *n_aggs, struct demo_status *st)
{
    *n_aggs = 0;
    if (req->n_aggregations == 0) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "io.deephaven.proto.backplane.grpc.AggregateRequest must have at least one "
                        "aggregations (5)");
        return -1;
    }
    if (req->initial_groups_id) {
        demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                        "the demo server does not support initial_groups_id");
        return -1;
    }
    for (size_t i = 0; i < req->n_aggregations; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__Aggregation *a = req->aggregations[i];
        if (a->type_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COUNT) {
            if (*n_aggs == MAX_AGGS)
                goto too_many;
            struct agg *g = &aggs[(*n_aggs)++];
            g->kind = AK_COUNT;
            g->in = -1;
            snprintf(g->out, sizeof g->out, "%s",
                     a->count->column_name ? a->count->column_name : "");
            continue;
        }
        if (a->type_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COLUMNS) {
            demo_status_set(
                st, a->type_case ? GRPC_STATUS_UNIMPLEMENTED : GRPC_STATUS_INVALID_ARGUMENT,
                a->type_case ? "the demo server supports count and column aggregations only"
                             : "io.deephaven.proto.backplane.grpc.Aggregation must have "
                               "oneof type. Note: this may also indicate that the server "
                               "is older than the client and doesn't know about this new "
                               "oneof option.");
            return -1;
        }
        enum agg_kind kind;
        if (agg_kind_of(a->columns->spec, &kind) != 0) {
            demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                            "the demo server supports the specs abs_sum, avg, first, last, max, "
                            "min, std, sum and var only");
            return -1;
        }
        if (a->columns->n_match_pairs == 0) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "io.deephaven.proto.backplane.grpc.Aggregation.AggregationColumns must "
                            "have at least one match_pairs (2)");
            return -1;
        }
        for (size_t p = 0; p < a->columns->n_match_pairs; p++) {
            if (*n_aggs == MAX_AGGS)
                goto too_many;
            struct agg *g = &aggs[(*n_aggs)++];
            char in[64];
            g->kind = kind;
            if (parse_pair(a->columns->match_pairs[p], g->out, sizeof g->out, in, sizeof in) != 0) {
                demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid column pair '%.200s'",
                                a->columns->match_pairs[p]);
                return -1;
            }
            g->in = find_column(t, in);
            if (g->in < 0) {
                demo_status_set(st, DEMO_STATUS_DETAILS_LOGGED, "aggBy: no input column '%s'", in);
                return -1;
            }
            g->type = demo_table_col_type(t, (size_t)g->in);
            g->cc = demo_col_class(g->type);
            int numeric_only =
                kind != AK_MIN && kind != AK_MAX && kind != AK_FIRST && kind != AK_LAST;
            if ((numeric_only && !is_numeric(g->type)) || g->cc == DEMO_CC_OTHER) {
                demo_status_set(st, DEMO_STATUS_DETAILS_LOGGED,
                                "aggBy: column '%s' has an unsupported type for this aggregation",
                                in);
                return -1;
            }
        }
    }
    return 0;
too_many:
    demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                    "the demo server computes at most %d aggregations", MAX_AGGS);
    return -1;
}

static void aggs_free(struct agg *aggs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(aggs[i].cnt);
        free(aggs[i].isum);
        free(aggs[i].pick);
        free(aggs[i].dsum);
        free(aggs[i].dsum2);
    }
}

/* Per-group state of every aggregation. */
static int aggs_alloc(struct agg *aggs, size_t n, size_t groups)
{
    size_t m = groups ? groups : 1;
    for (size_t i = 0; i < n; i++) {
        struct agg *a = &aggs[i];
        if (a->kind == AK_COUNT)
            continue;
        a->cnt = calloc(m, sizeof *a->cnt);
        a->isum = calloc(m, sizeof *a->isum);
        a->pick = malloc(m * sizeof *a->pick);
        a->dsum = calloc(m, sizeof *a->dsum);
        a->dsum2 = calloc(m, sizeof *a->dsum2);
        if (!a->cnt || !a->isum || !a->pick || !a->dsum || !a->dsum2)
            return -1;
        for (size_t k = 0; k < m; k++)
            a->pick[k] = -1;
    }
    return 0;
}

/* Fold row (whose input cell is c, NULL for first/last) into group gid of a. */
static void agg_row(const struct demo_object *t, struct agg *a, size_t gid, int64_t row,
                    const struct demo_cell *cell)
{
    struct demo_cell c;
    if (a->kind == AK_FIRST) {
        if (a->pick[gid] < 0)
            a->pick[gid] = row;
        return;
    }
    if (a->kind == AK_LAST) {
        a->pick[gid] = row;
        return;
    }
    c = *cell;
    if (c.is_null)
        return;
    if (a->kind == AK_MIN || a->kind == AK_MAX) {
        if (a->pick[gid] >= 0) {
            struct demo_cell best;
            if (a->cc == DEMO_CC_STRING) {
                demo_table_cell(t, a->pick[gid], (size_t)a->in, &best);
            } else { /* the best value so far is kept, not read again */
                memset(&best, 0, sizeof best);
                best.i = a->isum[gid];
                best.d = a->dsum[gid];
            }
            int cmp = demo_cell_compare(a->cc, &c, &best);
            if (a->kind == AK_MIN ? cmp >= 0 : cmp <= 0)
                return;
        }
        a->pick[gid] = row;
        a->isum[gid] = c.i;
        a->dsum[gid] = c.d;
        return;
    }
    double v = a->cc == DEMO_CC_FLOAT ? c.d : (double)c.i;
    int64_t iv = c.i;
    if (a->kind == AK_ABS_SUM) {
        v = fabs(v);
        iv = iv < 0 ? (int64_t)(0 - (uint64_t)iv) : iv;
    }
    a->cnt[gid]++;
    a->isum[gid] = (int64_t)((uint64_t)a->isum[gid] + (uint64_t)iv); /* Java long wraps */
    a->dsum[gid] += v;
    a->dsum2[gid] += v * v;
}

/* The result column of aggregation a over `groups` groups (stored arrays move into it). */
static int agg_column(struct agg *a, size_t groups, const int64_t *counts, struct demo_out_col *col)
{
    size_t m = groups ? groups : 1;
    *col = (struct demo_out_col){.name = a->out, .src = -1};
    if (a->kind == AK_COUNT) {
        col->type = DEMO_COL_LONG;
        col->i = malloc(m * sizeof *col->i);
        if (!col->i)
            return -1;
        for (size_t k = 0; k < groups; k++)
            col->i[k] = counts[k];
        return 0;
    }
    col->nulls = calloc(m, 1);
    if (!col->nulls)
        return -1;
    if (a->kind == AK_MIN || a->kind == AK_MAX || a->kind == AK_FIRST || a->kind == AK_LAST) {
        col->type = a->type;
        col->src = a->in;
        col->pick = a->pick;
        a->pick = NULL;
        for (size_t k = 0; k < groups; k++)
            col->nulls[k] = col->pick[k] < 0;
        return 0;
    }
    int integer_sum = (a->kind == AK_SUM || a->kind == AK_ABS_SUM) && a->cc != DEMO_CC_FLOAT;
    col->type = integer_sum ? DEMO_COL_LONG : DEMO_COL_DOUBLE;
    if (integer_sum) {
        col->i = a->isum;
        a->isum = NULL;
    } else {
        col->d = malloc(m * sizeof *col->d);
        if (!col->d)
            return -1;
    }
    for (size_t k = 0; k < groups; k++) {
        double n = (double)a->cnt[k], s = a->dsum[k];
        col->nulls[k] = a->cnt[k] == 0;
        if (integer_sum || col->nulls[k])
            continue;
        switch (a->kind) {
        case AK_AVG: col->d[k] = s / n; break;
        case AK_STD:
        case AK_VAR: {
            double var = a->cnt[k] == 1 ? NAN : (a->dsum2[k] - s * s / n) / (n - 1);
            col->d[k] = a->kind == AK_STD ? sqrt(var) : var;
            break;
        }
        default: col->d[k] = s; break;
        }
    }
    return 0;
}

int demo_aggregate(const struct demo_object *t,
                   const Io__Deephaven__Proto__Backplane__Grpc__AggregateRequest *req,
                   const struct demo_object **out, struct demo_status *st)
{
    struct agg *aggs = calloc(MAX_AGGS, sizeof *aggs);
    size_t n_aggs = 0, keys[MAX_KEYS], k = req->n_group_by_columns;
    if (!aggs)
        return oom(st);
    int rc = bind_aggs(t, req, aggs, &n_aggs, st);
    if (rc == 0)
        rc = bind_keys(t, req->group_by_columns, k, keys, 0, st);
    for (size_t i = 0; rc == 0 && i < n_aggs + k; i++) { /* output names must be distinct */
        const char *a = i < k ? demo_table_col_name(t, keys[i]) : aggs[i - k].out;
        for (size_t j = i + 1; rc == 0 && j < n_aggs + k; j++) {
            const char *b = j < k ? demo_table_col_name(t, keys[j]) : aggs[j - k].out;
            if (strcmp(a, b) == 0 || !a[0]) {
                demo_status_set(st, DEMO_STATUS_DETAILS_LOGGED,
                                "aggBy: duplicate or empty output column '%.100s'", a);
                rc = -1;
            }
        }
    }
    struct demo_groups g;
    memset(&g, 0, sizeof g);
    int64_t n = demo_object_size(t);
    if (rc == 0 && demo_groups_build(&g, t, keys, k, n) != 0)
        rc = oom(st);
    /* no group-by columns: one row, even for an empty table */
    size_t groups = k ? g.n : 1;
    int64_t zero_count = 0, *counts = k ? g.count : g.n ? g.count : &zero_count;
    if (rc == 0 && aggs_alloc(aggs, n_aggs, groups) != 0)
        rc = oom(st);
    /* each input column's cell is read once per row, however many aggregations use it */
    size_t ncols = demo_table_ncols(t);
    struct demo_cell *cells = rc == 0 ? malloc((ncols ? ncols : 1) * sizeof *cells) : NULL;
    int64_t *cell_row = rc == 0 ? malloc((ncols ? ncols : 1) * sizeof *cell_row) : NULL;
    if (rc == 0 && (!cells || !cell_row))
        rc = oom(st);
    for (size_t c = 0; rc == 0 && c < ncols; c++)
        cell_row[c] = -1;
    int counts_only = 1; /* a count by needs no second pass: the groups hold it */
    for (size_t i = 0; i < n_aggs; i++)
        counts_only &= aggs[i].kind == AK_COUNT;
    for (int64_t r = 0; rc == 0 && !counts_only && r < n; r++) {
        size_t gid = k ? demo_groups_of(&g, r) : 0;
        for (size_t i = 0; i < n_aggs; i++) {
            struct agg *a = &aggs[i];
            if (a->kind == AK_COUNT)
                continue;
            if (a->kind != AK_FIRST && a->kind != AK_LAST && cell_row[a->in] != r) {
                demo_table_cell(t, r, (size_t)a->in, &cells[a->in]);
                cell_row[a->in] = r;
            }
            agg_row(t, a, gid, r, a->in >= 0 ? &cells[a->in] : NULL);
        }
    }
    free(cells);
    free(cell_row);
    struct demo_out_col *cols = rc == 0 ? calloc(k + n_aggs + 1, sizeof *cols) : NULL;
    if (rc == 0 && !cols)
        rc = oom(st);
    size_t made = 0;
    for (size_t i = 0; rc == 0 && i < k; i++, made++)
        cols[i] = (struct demo_out_col){.name = demo_table_col_name(t, keys[i]),
                                        .type = demo_table_col_type(t, keys[i]),
                                        .src = (long)keys[i]};
    for (size_t i = 0; rc == 0 && i < n_aggs; i++, made++)
        if (agg_column(&aggs[i], groups, counts, &cols[k + i]) != 0)
            rc = oom(st);
    /* zero keys: one row that reads no parent column through the index (only picks) */
    int64_t *index = NULL;
    if (rc == 0) {
        index = k ? group_index(&g) : calloc(1, sizeof *index);
        if (!index)
            rc = oom(st);
    }
    if (rc == 0) {
        *out = demo_object_new_computed(t, index, (int64_t)groups, cols, k + n_aggs);
        if (!*out)
            rc = oom(st);
    } else if (cols) {
        demo_out_cols_free(cols, made);
    }
    free(cols);
    demo_groups_reset(&g);
    aggs_free(aggs, n_aggs);
    free(aggs);
    return rc;
}
