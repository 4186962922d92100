/* SPDX-License-Identifier: MIT */
/* derive.c: batch operations on computed tables (sort.c sorts, filter_eval.c filters). */
#include "derive.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "filter_eval.h"
#include "filter_parse.h"
#include "group.h"
#include "aggregate.h"
#include "pbutil.h"
#include "sort.h"
#include "stats.h"

/* Column index of name, or -1. */
static long find_column(const struct demo_object *t, const char *name)
{
    size_t n = demo_table_ncols(t);
    for (size_t c = 0; c < n; c++)
        if (strcmp(demo_table_col_name(t, c), name) == 0)
            return (long)c;
    return -1;
}

/* ---- sort ---- */

static int derive_sort(const struct demo_object *t,
                       const Io__Deephaven__Proto__Backplane__Grpc__SortTableRequest *req,
                       const struct demo_object **out, struct demo_status *st)
{
    struct demo_sort_key keys[32];
    size_t n_keys = 0;
    char missing[256] = "";
    size_t n_missing = 0; /* an empty name is missing too */
    for (size_t i = 0; i < req->n_sorts; i++) {
        const char *name = req->sorts[i]->column_name ? req->sorts[i]->column_name : "";
        long c = find_column(t, name);
        if (c < 0) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%s", n_missing++ ? ", " : "", name);
        }
    }
    if (n_missing) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "column(s) not found: %s", missing);
        return -1;
    }
    for (size_t i = 0; i < req->n_sorts; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__SortDescriptor *d = req->sorts[i];
        int dir = (int)d->direction;
        if (dir != 1 && dir != -1) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Unexpected sort direction: %d (the demo server sorts ascending "
                            "or descending)",
                            dir);
            return -1;
        }
        size_t c = (size_t)find_column(t, d->column_name);
        enum demo_col_class cc = demo_col_class(demo_table_col_type(t, c));
        if (cc == DEMO_CC_OTHER || d->is_absolute) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "the demo server cannot sort column %s%s", d->column_name,
                            d->is_absolute ? " by absolute value" : " (its type)");
            return -1;
        }
        if (n_keys == sizeof keys / sizeof keys[0]) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "too many sort columns");
            return -1;
        }
        keys[n_keys++] = (struct demo_sort_key){c, cc, dir < 0};
    }
    *out = demo_sort_view(t, keys, n_keys, DEMO_SORT_LAZY_MIN);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* ---- filters ---- */

/* Check a literal can be compared with a column of class cc. */
static int literal_fits(enum demo_col_class cc, const struct demo_fvalue *v)
{
    if (v->kind == DEMO_FV_NULL)
        return 1;
    switch (cc) {
    case DEMO_CC_INT:
    case DEMO_CC_FLOAT: return v->kind == DEMO_FV_NUMBER;
    case DEMO_CC_BOOL: return v->kind == DEMO_FV_BOOL;
    case DEMO_CC_STRING: return v->kind == DEMO_FV_STRING;
    default: return 0;
    }
}

/* Bind column names to t's columns and check literal types. */
static int bind(const struct demo_object *t, struct demo_fnode *n, const char *text,
                struct demo_status *st)
{
    if (!n)
        return 0;
    if (bind(t, n->a, text, st) != 0 || bind(t, n->b, text, st) != 0)
        return -1;
    if (!n->column)
        return 0;
    long c = find_column(t, n->column);
    if (c < 0) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Invalid filter '%.200s': column '%.100s' not found", text, n->column);
        return -1;
    }
    n->col = (size_t)c;
    enum demo_col_class cc = demo_col_class(demo_table_col_type(t, n->col));
    int string_method = n->kind == DEMO_FN_CONTAINS || n->kind == DEMO_FN_STARTS;
    if ((string_method && cc != DEMO_CC_STRING) ||
        (cc == DEMO_CC_OTHER && n->kind != DEMO_FN_ISNULL)) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Invalid filter '%.200s': the demo server cannot filter column '%.100s' "
                        "this way",
                        text, n->column);
        return -1;
    }
    for (size_t i = 0; i < n->n_values; i++) {
        if (!literal_fits(cc, &n->values[i])) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Invalid filter '%.200s': a value does not match the type of "
                            "column '%.100s'",
                            text, n->column);
            return -1;
        }
    }
    return 0;
}

/* The rows of t for which every tree matches, as a view (takes the trees). */
static int filter_view(const struct demo_object *t, struct demo_fnode **trees, size_t n_trees,
                       const struct demo_object **out, struct demo_status *st)
{
    *out = demo_filter_view(t, trees, n_trees, DEMO_FILTER_LAZY_MIN);
    if (*out)
        return 0;
    demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return -1;
}

static int derive_where(const struct demo_object *t, char *const *filters, size_t n_filters,
                        const struct demo_object **out, struct demo_status *st)
{
    struct demo_fnode **trees = calloc(n_filters ? n_filters : 1, sizeof *trees);
    if (!trees) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n_filters && rc == 0; i++) {
        char why[512];
        if (demo_filter_parse(filters[i], &trees[i], why, sizeof why) != 0) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid filter: %s", why);
            rc = -1;
        } else {
            rc = bind(t, trees[i], filters[i], st);
        }
    }
    if (rc == 0)
        return filter_view(t, trees, n_filters, out, st);
    for (size_t i = 0; i < n_filters; i++)
        demo_filter_free(trees[i]);
    free(trees);
    return rc;
}

/* ---- structured conditions ---- */

typedef Io__Deephaven__Proto__Backplane__Grpc__Condition PbCondition;

/* A Literal as a filter value. */
static int value_of_literal(const Io__Deephaven__Proto__Backplane__Grpc__Literal *l,
                            struct demo_fvalue *v)
{
    memset(v, 0, sizeof *v);
    switch (l->value_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE:
        v->kind = DEMO_FV_STRING;
        v->s = strdup(l->string_value ? l->string_value : "");
        v->len = v->s ? strlen(v->s) : 0;
        return v->s ? 0 : -1;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE:
        v->kind = DEMO_FV_NUMBER;
        v->d = l->double_value;
        return 0;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_BOOL_VALUE:
        v->kind = DEMO_FV_BOOL;
        v->i = l->bool_value ? 1 : 0;
        return 0;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE:
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_NANO_TIME_VALUE:
        v->kind = DEMO_FV_NUMBER;
        v->is_int = 1;
        v->i = l->value_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE
                   ? l->long_value
                   : l->nano_time_value;
        v->d = (double)v->i;
        return 0;
    default: return -1;
    }
}

/* A Condition as a filter tree (compare of a column reference and a literal; and,
 * or, not). NULL with st on what the demo server does not support. */
static struct demo_fnode *tree_of_condition(const PbCondition *c, int depth, struct demo_status *st)
{
    struct demo_fnode *n = calloc(1, sizeof *n);
    if (!n || depth > 64 || !c) {
        free(n);
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid condition");
        return NULL;
    }
    switch (c->data_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_AND:
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_OR: {
        int is_and = c->data_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_AND;
        size_t k = is_and ? c->and_->n_filters : c->or_->n_filters;
        PbCondition **fs = is_and ? c->and_->filters : c->or_->filters;
        if (k == 0)
            break;
        free(n);
        n = tree_of_condition(fs[0], depth + 1, st);
        for (size_t i = 1; n && i < k; i++) {
            struct demo_fnode *join = calloc(1, sizeof *join);
            struct demo_fnode *right = join ? tree_of_condition(fs[i], depth + 1, st) : NULL;
            if (!right) {
                free(join);
                demo_filter_free(n);
                return NULL;
            }
            join->kind = is_and ? DEMO_FN_AND : DEMO_FN_OR;
            join->a = n;
            join->b = right;
            n = join;
        }
        return n;
    }
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_NOT:
        n->kind = DEMO_FN_NOT;
        n->a = tree_of_condition(c->not_->filter, depth + 1, st);
        if (!n->a) {
            free(n);
            return NULL;
        }
        return n;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_COMPARE: {
        const Io__Deephaven__Proto__Backplane__Grpc__CompareCondition *cc = c->compare;
        const Io__Deephaven__Proto__Backplane__Grpc__Value *ref = cc->lhs, *lit = cc->rhs;
        int swapped = 0;
        if (ref && ref->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_REFERENCE) {
            ref = cc->rhs;
            lit = cc->lhs;
            swapped = 1;
        }
        if (!ref || !lit ||
            ref->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_REFERENCE ||
            lit->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_LITERAL)
            break;
        static const enum demo_fop ops[] = {DEMO_OP_LT, DEMO_OP_LE, DEMO_OP_GT,
                                            DEMO_OP_GE, DEMO_OP_EQ, DEMO_OP_NE};
        if ((unsigned)cc->operation >= sizeof ops / sizeof ops[0])
            break;
        n->kind = DEMO_FN_CMP;
        n->op = ops[cc->operation];
        if (swapped) {
            static const enum demo_fop mirror[] = {DEMO_OP_EQ, DEMO_OP_NE, DEMO_OP_GT,
                                                   DEMO_OP_GE, DEMO_OP_LT, DEMO_OP_LE};
            n->op = mirror[n->op];
        }
        n->icase = cc->case_sensitivity ==
                   IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CASE_SENSITIVITY__IGNORE_CASE;
        n->column = strdup(ref->reference->column_name ? ref->reference->column_name : "");
        n->values = calloc(1, sizeof *n->values);
        if (!n->column || !n->values || value_of_literal(lit->literal, n->values) != 0) {
            demo_filter_free(n);
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid condition value");
            return NULL;
        }
        n->n_values = 1;
        if (n->icase && (n->op == DEMO_OP_EQ || n->op == DEMO_OP_NE)) {
            n->kind = DEMO_FN_IN; /* case-insensitive equality is an icase match */
            n->negate = n->op == DEMO_OP_NE;
        }
        return n;
    }
    default: break;
    }
    demo_filter_free(n);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                    "the demo server supports compare (column vs literal), and, or and not "
                    "conditions only");
    return NULL;
}

static int derive_filter(const struct demo_object *t,
                         const Io__Deephaven__Proto__Backplane__Grpc__FilterTableRequest *req,
                         const struct demo_object **out, struct demo_status *st)
{
    struct demo_fnode **trees = calloc(req->n_filters ? req->n_filters : 1, sizeof *trees);
    if (!trees) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < req->n_filters && rc == 0; i++) {
        trees[i] = tree_of_condition(req->filters[i], 0, st);
        rc = trees[i] ? bind(t, trees[i], "condition", st) : -1;
    }
    if (rc == 0)
        return filter_view(t, trees, req->n_filters, out, st);
    for (size_t i = 0; i < req->n_filters; i++)
        demo_filter_free(trees[i]);
    free(trees);
    return rc;
}

typedef Io__Deephaven__Proto__Backplane__Grpc__BatchTableRequest__Operation PbOperation;
#define OP(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_##x

static int derive_static(const struct demo_object *src, const PbOperation *op,
                         const struct demo_object **out, struct demo_status *st);

/* demo_refresh_fn of live views: the operation (packed) over the source's rows now. */
static const struct demo_object *refresh_view(const struct demo_object *source,
                                              const uint8_t *recipe, size_t len)
{
    PbOperation *op = (PbOperation *)protobuf_c_message_unpack(
        &DHPB_DESC(batch_table_request__operation), NULL, len, recipe);
    const struct demo_object *out = NULL;
    struct demo_status st;
    if (op && derive_static(source, op, &out, &st) != 0)
        out = NULL;
    if (op)
        protobuf_c_message_free_unpacked(&op->base, NULL);
    return out;
}

int demo_derive(const struct demo_object *src, const PbOperation *op,
                const struct demo_object **out, struct demo_status *st)
{
    *out = NULL;
    if (!demo_object_is_table(src)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "Ticket is not a table");
        return -1;
    }
    const struct demo_object *now = demo_object_pin(src);
    int rc = derive_static(now, op, out, st);
    demo_object_unref(now);
    /* a sort, filter, distinct or aggregation of a ticking table stays live, and so does
     * dropping columns of a live view (of quotes itself it reads quotes directly);
     * statistics are a snapshot, as upstream's are. A filter or distinct of a table that
     * only grows only grows; a sort or aggregation changes rows in place. */
    int reorders = op->op_case == OP(SORT) || op->op_case == OP(AGGREGATE);
    int stays_live = reorders || op->op_case == OP(FILTER) ||
                     op->op_case == OP(UNSTRUCTURED_FILTER) || op->op_case == OP(SELECT_DISTINCT) ||
                     (op->op_case == OP(DROP_COLUMNS) && demo_object_is_live(src));
    if (rc != 0 || demo_object_is_static(src) || !stays_live)
        return rc;
    uint8_t *recipe = NULL;
    size_t len = 0;
    if (demo_pb_pack(&op->base, &recipe, &len) == 0)
        *out = demo_object_new_live(src, *out, refresh_view, recipe, len,
                                    !reorders && demo_object_appends_only(src));
    else
        demo_object_unref(*out);
    free(recipe);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* SliceGrpcImpl.validateRequest, then Table.slice: a negative position counts from the
 * end; both are clamped to the table. */
static int derive_slice(const struct demo_object *t,
                        const Io__Deephaven__Proto__Backplane__Grpc__SliceRequest *req,
                        int64_t **index, int64_t *n, struct demo_status *st)
{
    int64_t first = req->first_position_inclusive, last = req->last_position_exclusive;
    if (first >= 0 && last >= 0 && last < first) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Cannot slice with a non-negative start position that is after a "
                        "non-negative end position.");
        return -1;
    }
    if (first < 0 && last < 0 && last < first) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Cannot slice with a negative start position that is after a negative "
                        "end position.");
        return -1;
    }
    int64_t size = demo_object_size(t);
    first = first < 0 ? (size + first > 0 ? size + first : 0) : (first < size ? first : size);
    last = last < 0 ? (size + last > 0 ? size + last : 0) : (last < size ? last : size);
    *n = last > first ? last - first : 0;
    *index = malloc((size_t)(*n ? *n : 1) * sizeof **index);
    if (!*index) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    for (int64_t i = 0; i < *n; i++)
        (*index)[i] = first + i;
    return 0;
}

static int derive_static(const struct demo_object *src, const PbOperation *op,
                         const struct demo_object **out, struct demo_status *st)
{
    int64_t *index = NULL, n = 0;
    int rc;
    switch (op->op_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_COLUMN_STATISTICS:
        return demo_column_stats(src, op->column_statistics, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_DROP_COLUMNS:
        return demo_drop_columns(src, op->drop_columns, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SELECT_DISTINCT:
        return demo_select_distinct(src, op->select_distinct, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_AGGREGATE:
        return demo_aggregate(src, op->aggregate, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT:
        return derive_sort(src, op->sort, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER:
        return derive_where(src, op->unstructured_filter->filters,
                            op->unstructured_filter->n_filters, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER:
        return derive_filter(src, op->filter, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SLICE:
        rc = derive_slice(src, op->slice, &index, &n, st);
        break;
    default:
        demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                        "the demo server does not implement this batch operation");
        return -1;
    }
    if (rc != 0)
        return -1;
    *out = demo_object_new_derived(src, index, n);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}
