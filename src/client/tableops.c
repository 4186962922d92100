/* SPDX-License-Identifier: MIT */
/* tableops.c: derived views (Sort, UnstructuredFilter, Filter, DropColumns,
 * Aggregate count-by, ComputeColumnStatistics) as one Batch call; SeekRow;
 * the statistics table as text. */
#include "dh_tableops.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_exports.h"
#include "dh_format.h"
#include "dh_session.h"
#include "dh_text.h"
#include "dh_transport.h"
#include "table_internal.h"

#define DH_M_BATCH DH_SVC_TABLE "Batch"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x

/* ---- the chain ---- */

static void op_free(struct dh_table_op *op)
{
    for (size_t k = 0; k < op->n_keys; k++)
        free(op->keys[k].column);
    free(op->keys);
    free(op->text);
    free(op->value.s);
    memset(op, 0, sizeof *op);
}

void dh_view_ops_init(struct dh_view_ops *v)
{
    memset(v, 0, sizeof *v);
}

void dh_view_ops_reset(struct dh_view_ops *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        op_free(&v->ops[i]);
    free(v->ops);
    dh_view_ops_init(v);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Deep copy of one op into *dst (zeroed). DH_OK or DH_ENOMEM. */
static int op_copy(struct dh_table_op *dst, const struct dh_table_op *src)
{
    *dst = *src;
    dst->keys = NULL;
    dst->n_keys = 0;
    dst->text = dup_or_null(src->text);
    dst->value.s = dup_or_null(src->value.s);
    if ((src->text && !dst->text) || (src->value.s && !dst->value.s))
        goto oom;
    if (src->n_keys) {
        dst->keys = calloc(src->n_keys, sizeof *dst->keys);
        if (!dst->keys)
            goto oom;
        for (size_t k = 0; k < src->n_keys; k++) {
            dst->keys[k].descending = src->keys[k].descending;
            dst->keys[k].column = strdup(src->keys[k].column);
            dst->n_keys = k + 1;
            if (!dst->keys[k].column)
                goto oom;
        }
    }
    return DH_OK;
oom:
    op_free(dst);
    return DH_ENOMEM;
}

/* Append a deep copy of op. */
static int push_op(struct dh_view_ops *v, const struct dh_table_op *op, struct dh_error *err)
{
    if (v->n >= DH_VIEW_MAX_OPS)
        return dh_error_set(err, DH_EINVAL, "a view has at most %d operations", DH_VIEW_MAX_OPS);
    if (v->n && v->ops[v->n - 1].kind == DH_OP_STATS)
        return dh_error_set(err, DH_EINVAL, "nothing can follow column statistics");
    struct dh_table_op *ops = dh_grow_array(v->ops, v->n, &v->cap, sizeof *ops, 4);
    if (!ops)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    v->ops = ops;
    if (op_copy(&ops[v->n], op) != DH_OK)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    v->n++;
    return DH_OK;
}

int dh_view_ops_copy(struct dh_view_ops *dst, const struct dh_view_ops *src, struct dh_error *err)
{
    dh_view_ops_reset(dst);
    for (size_t i = 0; i < src->n; i++) {
        int rc = push_op(dst, &src->ops[i], err);
        if (rc != DH_OK) {
            dh_view_ops_reset(dst);
            return rc;
        }
    }
    return DH_OK;
}

int dh_view_ops_add_where(struct dh_view_ops *v, const char *filter, struct dh_error *err)
{
    if (!filter || !filter[strspn(filter, " \t")])
        return dh_error_set(err, DH_EINVAL, "empty filter");
    struct dh_table_op op = {.kind = DH_OP_WHERE, .text = (char *)filter};
    return push_op(v, &op, err);
}

int dh_view_ops_add_match(struct dh_view_ops *v, const char *column, int negate,
                          const struct dh_literal *value, struct dh_error *err)
{
    if (!column || !column[0])
        return dh_error_set(err, DH_EINVAL, "no column to match");
    if (value->kind < DH_LIT_STRING || value->kind > DH_LIT_NANOS ||
        (value->kind == DH_LIT_STRING && !value->s))
        return dh_error_set(err, DH_EINVAL, "no value to match");
    struct dh_table_op op = {
        .kind = DH_OP_MATCH, .text = (char *)column, .negate = negate ? 1 : 0, .value = *value};
    return push_op(v, &op, err);
}

int dh_view_ops_add_sort(struct dh_view_ops *v, const struct dh_sort_key *keys, size_t n,
                         struct dh_error *err)
{
    if (n == 0 || n > DH_VIEW_MAX_SORT_KEYS)
        return dh_error_set(err, DH_EINVAL, "a sort has 1 to %d keys", DH_VIEW_MAX_SORT_KEYS);
    for (size_t k = 0; k < n; k++)
        if (!keys[k].column || !keys[k].column[0])
            return dh_error_set(err, DH_EINVAL, "sort key %zu has no column", k + 1);
    struct dh_table_op op = {.kind = DH_OP_SORT, .keys = (struct dh_sort_key *)keys, .n_keys = n};
    return push_op(v, &op, err);
}

int dh_view_ops_add_sort_spec(struct dh_view_ops *v, const char *spec, struct dh_error *err)
{
    struct dh_sort_key keys[DH_VIEW_MAX_SORT_KEYS];
    char *copy = strdup(spec ? spec : "");
    if (!copy)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    size_t n = 0;
    int rc = DH_OK;
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        part += strspn(part, " ");
        size_t len = strlen(part);
        while (len > 0 && part[len - 1] == ' ')
            part[--len] = '\0';
        int desc = part[0] == '-';
        if (part[0] == '-' || part[0] == '+')
            part++;
        if (!part[0] || n == DH_VIEW_MAX_SORT_KEYS) {
            rc = dh_error_set(err, DH_EINVAL, "bad sort '%s': expected columns like -Price,Id",
                              spec);
            break;
        }
        keys[n].column = part;
        keys[n].descending = desc;
        n++;
    }
    if (rc == DH_OK && n == 0)
        rc = dh_error_set(err, DH_EINVAL, "bad sort '%s': expected columns like -Price,Id",
                          spec ? spec : "");
    if (rc == DH_OK)
        rc = dh_view_ops_add_sort(v, keys, n, err);
    free(copy);
    return rc;
}

/* Index just past the last count-by (0 if none): where the current stage starts. */
static size_t stage_start(const struct dh_view_ops *v)
{
    for (size_t i = v->n; i-- > 0;)
        if (v->ops[i].kind == DH_OP_COUNT_BY)
            return i + 1;
    return 0;
}

static int add_column_op(struct dh_view_ops *v, enum dh_op_kind kind, const char *column,
                         struct dh_error *err)
{
    if (!column || !column[0])
        return dh_error_set(err, DH_EINVAL, "no column");
    struct dh_table_op op = {.kind = kind, .text = (char *)column};
    return push_op(v, &op, err);
}

int dh_view_ops_add_drop(struct dh_view_ops *v, const char *column, struct dh_error *err)
{
    for (size_t i = stage_start(v); column && i < v->n; i++)
        if (v->ops[i].kind == DH_OP_DROP && strcmp(v->ops[i].text, column) == 0)
            return dh_error_set(err, DH_EINVAL, "column '%s' is hidden already", column);
    return add_column_op(v, DH_OP_DROP, column, err);
}

int dh_view_ops_add_count_by(struct dh_view_ops *v, const char *column, struct dh_error *err)
{
    return add_column_op(v, DH_OP_COUNT_BY, column, err);
}

int dh_view_ops_add_stats(struct dh_view_ops *v, const char *column, struct dh_error *err)
{
    return add_column_op(v, DH_OP_STATS, column, err);
}

int dh_view_ops_add_frequency(struct dh_view_ops *v, const char *column, struct dh_error *err)
{
    size_t start = stage_start(v), out = start;
    for (size_t i = start; i < v->n; i++) {
        if (v->ops[i].kind == DH_OP_SORT)
            op_free(&v->ops[i]);
        else
            v->ops[out++] = v->ops[i];
    }
    v->n = out;
    int rc = dh_view_ops_add_count_by(v, column, err);
    if (rc != DH_OK)
        return rc;
    struct dh_sort_key key = {(char *)dh_view_ops_count_column(column), 1};
    return dh_view_ops_add_sort(v, &key, 1, err);
}

size_t dh_view_ops_show_all(struct dh_view_ops *v)
{
    size_t start = stage_start(v), out = start, removed = 0;
    for (size_t i = start; i < v->n; i++) {
        if (v->ops[i].kind == DH_OP_DROP) {
            op_free(&v->ops[i]);
            removed++;
        } else {
            v->ops[out++] = v->ops[i];
        }
    }
    v->n = out;
    return removed;
}

int dh_view_ops_hides(const struct dh_view_ops *v, const char *column)
{
    for (size_t i = stage_start(v); column && i < v->n; i++)
        if (v->ops[i].kind == DH_OP_DROP && strcmp(v->ops[i].text, column) == 0)
            return 1;
    return 0;
}

/* 1 if op i of v is a hidden column of its last stage. */
static int is_hidden_op(const struct dh_view_ops *v, size_t i, size_t start)
{
    return i >= start && v->ops[i].kind == DH_OP_DROP;
}

int dh_view_ops_copy_shown(struct dh_view_ops *dst, const struct dh_view_ops *src,
                           struct dh_error *err)
{
    dh_view_ops_reset(dst);
    size_t start = stage_start(src);
    for (size_t i = 0; i < src->n; i++) {
        int rc = is_hidden_op(src, i, start) ? DH_OK : push_op(dst, &src->ops[i], err);
        if (rc != DH_OK) {
            dh_view_ops_reset(dst);
            return rc;
        }
    }
    return DH_OK;
}

static int str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int op_same(const struct dh_table_op *a, const struct dh_table_op *b)
{
    if (a->kind != b->kind || !str_same(a->text, b->text) || a->negate != b->negate ||
        a->n_keys != b->n_keys || a->value.kind != b->value.kind ||
        !str_same(a->value.s, b->value.s) || a->value.i != b->value.i)
        return 0;
    if (memcmp(&a->value.d, &b->value.d, sizeof a->value.d) != 0)
        return 0;
    for (size_t k = 0; k < a->n_keys; k++)
        if (a->keys[k].descending != b->keys[k].descending ||
            !str_same(a->keys[k].column, b->keys[k].column))
            return 0;
    return 1;
}

int dh_view_ops_same_but_hidden(const struct dh_view_ops *a, const struct dh_view_ops *b)
{
    size_t sa = stage_start(a), sb = stage_start(b), i = 0, j = 0;
    for (;;) {
        while (i < a->n && is_hidden_op(a, i, sa))
            i++;
        while (j < b->n && is_hidden_op(b, j, sb))
            j++;
        if (i == a->n || j == b->n)
            return i == a->n && j == b->n;
        if (!op_same(&a->ops[i], &b->ops[j]))
            return 0;
        i++;
        j++;
    }
}

const char *dh_view_ops_count_column(const char *column)
{
    return column && strcmp(column, "Count") == 0 ? "Count_" : "Count";
}

int dh_view_ops_pop(struct dh_view_ops *v)
{
    if (!v->n)
        return 0;
    op_free(&v->ops[--v->n]);
    return 1;
}

/* The newest sort in ops [from, to), or NULL. */
static const struct dh_table_op *sort_in(const struct dh_view_ops *v, size_t from, size_t to)
{
    for (size_t i = to; i-- > from;)
        if (v->ops[i].kind == DH_OP_SORT)
            return &v->ops[i];
    return NULL;
}

const struct dh_table_op *dh_view_ops_sort(const struct dh_view_ops *v)
{
    return sort_in(v, stage_start(v), v->n);
}

/* ---- description ---- */

struct text {
    char *out;
    size_t n, len;
};

static void put(struct text *t, const char *s)
{
    for (; *s && t->len + 1 < t->n; s++)
        t->out[t->len++] = *s;
    t->out[t->len] = '\0';
}

static void put_literal(struct text *t, const struct dh_literal *l)
{
    char buf[64];
    switch (l->kind) {
    case DH_LIT_STRING: put(t, l->s ? l->s : ""); return;
    case DH_LIT_DOUBLE: snprintf(buf, sizeof buf, "%.17g", l->d); break;
    case DH_LIT_BOOL: snprintf(buf, sizeof buf, "%s", l->i ? "true" : "false"); break;
    case DH_LIT_LONG:
    case DH_LIT_NANOS: snprintf(buf, sizeof buf, "%lld", (long long)l->i); break;
    default: buf[0] = '\0'; break;
    }
    put(t, buf);
}

static void put_sep(struct text *t)
{
    if (t->len)
        put(t, " | ");
}

/* One stage, ops [from, to): filters in order, the sort in effect, the hidden
 * columns, then the count-by or statistics that ends it. */
static void describe_stage(struct text *t, const struct dh_view_ops *v, size_t from, size_t to)
{
    const struct dh_table_op *end = NULL;
    for (size_t i = from; i < to; i++) {
        const struct dh_table_op *op = &v->ops[i];
        if (op->kind == DH_OP_COUNT_BY || op->kind == DH_OP_STATS)
            end = op;
        if (op->kind != DH_OP_WHERE && op->kind != DH_OP_MATCH)
            continue;
        put_sep(t);
        put(t, op->text);
        if (op->kind == DH_OP_MATCH) {
            put(t, op->negate ? " != " : " = ");
            put_literal(t, &op->value);
        }
    }
    const struct dh_table_op *sort = sort_in(v, from, to);
    if (sort) {
        put_sep(t);
        put(t, "sort ");
        for (size_t k = 0; k < sort->n_keys; k++) {
            if (k)
                put(t, ",");
            if (sort->keys[k].descending)
                put(t, "-");
            put(t, sort->keys[k].column);
        }
    }
    int dropped = 0;
    for (size_t i = from; i < to; i++) {
        if (v->ops[i].kind != DH_OP_DROP)
            continue;
        if (!dropped++) {
            put_sep(t);
            put(t, "drop ");
        } else {
            put(t, ",");
        }
        put(t, v->ops[i].text);
    }
    if (end) {
        put_sep(t);
        put(t, end->kind == DH_OP_COUNT_BY ? "count by " : "stats ");
        put(t, end->text);
    }
}

void dh_view_ops_describe(const struct dh_view_ops *v, char *out, size_t n)
{
    if (!n)
        return;
    struct text t = {out, n, 0};
    out[0] = '\0';
    size_t from = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->ops[i].kind == DH_OP_COUNT_BY || v->ops[i].kind == DH_OP_STATS) {
            describe_stage(&t, v, from, i + 1);
            from = i + 1;
        }
    }
    describe_stage(&t, v, from, v->n);
    if (t.len + 1 >= n && n > 4)
        memcpy(out + n - 4, "...", 4);
}

/* ---- the Batch request ---- */

/* Everything one Batch operation points at, so the request can be built on
 * the stack of one function and packed at once. */
struct op_msgs {
    PB(BatchTableRequest__Operation) op;
    PB(TableReference) source;
    PB(Ticket) source_ticket;
    PB(Ticket) result;
    PB(SortTableRequest) sort;
    PB(SortDescriptor) * descriptors[DH_VIEW_MAX_SORT_KEYS];
    PB(SortDescriptor) descriptor_store[DH_VIEW_MAX_SORT_KEYS];
    PB(UnstructuredFilterTableRequest) where;
    char *filters[1];
    PB(FilterTableRequest) filter;
    PB(Condition) cond;
    PB(Condition) * conds[1];
    PB(CompareCondition) compare;
    PB(Value) lhs, rhs;
    PB(Reference) ref;
    PB(Literal) lit;
    PB(DropColumnsRequest) drop;
    char *names[1];
    PB(AggregateRequest) agg;
    PB(Aggregation) aggregation;
    PB(Aggregation) * aggregations[1];
    PB(Aggregation__AggregationCount) count;
    PB(ColumnStatisticsRequest) stats;
};

static void set_literal(PB(Literal) * lit, const struct dh_literal *l)
{
    PB(Literal) init = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    *lit = init;
    switch (l->kind) {
    case DH_LIT_STRING:
        lit->value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE;
        lit->string_value = l->s;
        break;
    case DH_LIT_DOUBLE:
        lit->value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE;
        lit->double_value = l->d;
        break;
    case DH_LIT_BOOL:
        lit->value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_BOOL_VALUE;
        lit->bool_value = l->i ? 1 : 0;
        break;
    case DH_LIT_LONG:
        lit->value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE;
        lit->long_value = l->i;
        break;
    case DH_LIT_NANOS:
        lit->value_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_NANO_TIME_VALUE;
        lit->nano_time_value = l->i;
        break;
    }
}

/* Fill m as batch operation `index` applying op to the previous operation (or
 * to the source ticket for index 0); result: the last operation's export. */
static void build_op(struct op_msgs *m, const struct dh_table_op *op, size_t index,
                     const struct dh_ticket *source, const struct dh_ticket *result)
{
    PB(BatchTableRequest__Operation)
    op0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__INIT;
    PB(TableReference) ref0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__INIT;
    PB(Ticket) tk0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    m->op = op0;
    m->source = ref0;
    m->source_ticket = tk0;
    m->result = tk0;
    if (index == 0) {
        m->source_ticket.ticket.data = (uint8_t *)source->bytes;
        m->source_ticket.ticket.len = source->len;
        m->source.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
        m->source.ticket = &m->source_ticket;
    } else {
        m->source.ref_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_BATCH_OFFSET;
        m->source.batch_offset = (int32_t)(index - 1);
    }
    PB(Ticket) *res = NULL;
    if (result) {
        m->result.ticket.data = (uint8_t *)result->bytes;
        m->result.ticket.len = result->len;
        res = &m->result;
    }
    if (op->kind == DH_OP_SORT) {
        PB(SortTableRequest) s0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SORT_TABLE_REQUEST__INIT;
        m->sort = s0;
        for (size_t k = 0; k < op->n_keys; k++) {
            PB(SortDescriptor)
            d0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SORT_DESCRIPTOR__INIT;
            m->descriptor_store[k] = d0;
            m->descriptor_store[k].column_name = op->keys[k].column;
            m->descriptor_store[k].direction =
                op->keys[k].descending
                    ? IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SORT_DESCRIPTOR__SORT_DIRECTION__DESCENDING
                    : IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SORT_DESCRIPTOR__SORT_DIRECTION__ASCENDING;
            m->descriptors[k] = &m->descriptor_store[k];
        }
        m->sort.n_sorts = op->n_keys;
        m->sort.sorts = m->descriptors;
        m->sort.source_id = &m->source;
        m->sort.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT;
        m->op.sort = &m->sort;
    } else if (op->kind == DH_OP_WHERE) {
        PB(UnstructuredFilterTableRequest)
        w0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__UNSTRUCTURED_FILTER_TABLE_REQUEST__INIT;
        m->where = w0;
        m->filters[0] = op->text;
        m->where.n_filters = 1;
        m->where.filters = m->filters;
        m->where.source_id = &m->source;
        m->where.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER;
        m->op.unstructured_filter = &m->where;
    } else if (op->kind == DH_OP_DROP) {
        PB(DropColumnsRequest)
        d0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__DROP_COLUMNS_REQUEST__INIT;
        m->drop = d0;
        m->names[0] = op->text;
        m->drop.n_column_names = 1;
        m->drop.column_names = m->names;
        m->drop.source_id = &m->source;
        m->drop.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_DROP_COLUMNS;
        m->op.drop_columns = &m->drop;
    } else if (op->kind == DH_OP_COUNT_BY) {
        PB(AggregateRequest) a0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATE_REQUEST__INIT;
        PB(Aggregation) g0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__INIT;
        PB(Aggregation__AggregationCount)
        c0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__AGGREGATION_COUNT__INIT;
        m->agg = a0;
        m->aggregation = g0;
        m->count = c0;
        m->count.column_name = (char *)dh_view_ops_count_column(op->text);
        m->aggregation.type_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COUNT;
        m->aggregation.count = &m->count;
        m->aggregations[0] = &m->aggregation;
        m->names[0] = op->text;
        m->agg.n_aggregations = 1;
        m->agg.aggregations = m->aggregations;
        m->agg.n_group_by_columns = 1;
        m->agg.group_by_columns = m->names;
        m->agg.source_id = &m->source;
        m->agg.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_AGGREGATE;
        m->op.aggregate = &m->agg;
    } else if (op->kind == DH_OP_STATS) {
        PB(ColumnStatisticsRequest)
        s0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COLUMN_STATISTICS_REQUEST__INIT;
        m->stats = s0;
        m->stats.column_name = op->text;
        m->stats.source_id = &m->source;
        m->stats.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_COLUMN_STATISTICS;
        m->op.column_statistics = &m->stats;
    } else {
        PB(FilterTableRequest)
        f0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__FILTER_TABLE_REQUEST__INIT;
        PB(Condition) c0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__INIT;
        PB(CompareCondition)
        cc0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COMPARE_CONDITION__INIT;
        PB(Value) v0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__INIT;
        PB(Reference) r0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__REFERENCE__INIT;
        m->filter = f0;
        m->cond = c0;
        m->compare = cc0;
        m->lhs = v0;
        m->rhs = v0;
        m->ref = r0;
        m->ref.column_name = op->text;
        m->lhs.data_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_REFERENCE;
        m->lhs.reference = &m->ref;
        set_literal(&m->lit, &op->value);
        m->rhs.data_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_LITERAL;
        m->rhs.literal = &m->lit;
        m->compare.operation =
            op->negate
                ? IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COMPARE_CONDITION__COMPARE_OPERATION__NOT_EQUALS
                : IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COMPARE_CONDITION__COMPARE_OPERATION__EQUALS;
        m->compare.lhs = &m->lhs;
        m->compare.rhs = &m->rhs;
        m->cond.data_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_COMPARE;
        m->cond.compare = &m->compare;
        m->conds[0] = &m->cond;
        m->filter.n_filters = 1;
        m->filter.filters = m->conds;
        m->filter.source_id = &m->source;
        m->filter.result_id = res;
        m->op.op_case =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER;
        m->op.filter = &m->filter;
    }
}

/* One stage's operations, ops [from, to), in the order sent: every filter,
 * the sort in effect (so later filters never undo it), the hidden columns
 * (last: filters and sorts may name them), then what ends the stage. */
static size_t plan_stage(const struct dh_view_ops *v, size_t from, size_t to,
                         const struct dh_table_op **out)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (v->ops[i].kind == DH_OP_WHERE || v->ops[i].kind == DH_OP_MATCH)
            out[n++] = &v->ops[i];
    const struct dh_table_op *sort = sort_in(v, from, to);
    if (sort)
        out[n++] = sort;
    for (size_t i = from; i < to; i++)
        if (v->ops[i].kind == DH_OP_DROP)
            out[n++] = &v->ops[i];
    for (size_t i = from; i < to; i++)
        if (v->ops[i].kind == DH_OP_COUNT_BY || v->ops[i].kind == DH_OP_STATS)
            out[n++] = &v->ops[i];
    return n;
}

/* The operations sent, stage by stage (a count-by or statistics ends one). */
static size_t plan(const struct dh_view_ops *v, const struct dh_table_op **out)
{
    size_t n = 0, from = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->ops[i].kind == DH_OP_COUNT_BY || v->ops[i].kind == DH_OP_STATS) {
            n += plan_stage(v, from, i + 1, out + n);
            from = i + 1;
        }
    }
    return n + plan_stage(v, from, v->n, out + n);
}

int dh_view_ops_batch_request(const struct dh_view_ops *v, const struct dh_ticket *source,
                              const struct dh_ticket *result, uint8_t **out, size_t *out_len,
                              struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    const struct dh_table_op *steps[DH_VIEW_MAX_OPS];
    size_t n = plan(v, steps);
    if (n == 0)
        return dh_error_set(err, DH_EINVAL, "no operation to send");
    struct op_msgs *msgs = calloc(n, sizeof *msgs);
    PB(BatchTableRequest__Operation) **ops = calloc(n, sizeof *ops);
    int rc = DH_OK;
    if (!msgs || !ops) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        build_op(&msgs[i], steps[i], i, source, i + 1 == n ? result : NULL);
        ops[i] = &msgs[i].op;
    }
    PB(BatchTableRequest) req = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__INIT;
    req.n_ops = n;
    req.ops = ops;
    size_t len = protobuf_c_message_get_packed_size(&req.base);
    *out = malloc(len ? len : 1);
    if (!*out) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    *out_len = protobuf_c_message_pack(&req.base, *out);
done:
    free(ops);
    free(msgs);
    return rc;
}

/* ---- the call ---- */

/* Read the Batch replies: the last operation's (the one with a ticket result)
 * fills *info; the first failed one becomes the error, unless the final status
 * says more. */
static int read_replies(struct dh_stream *st, const struct dh_ticket *result, const char *what,
                        struct dh_table_info *info, struct dh_error *err)
{
    int have = 0, failed = 0;
    struct dh_error first_fail;
    dh_error_clear(&first_fail);
    for (;;) {
        struct dh_buf msg = {0};
        struct dh_error e;
        dh_error_clear(&e);
        int rc = dh_stream_read(st, &msg, &e);
        if (rc == DH_END)
            break;
        if (rc != DH_OK) {
            if (have)
                dh_table_info_reset(info);
            *err = e; /* the final status names the failure best */
            return rc;
        }
        PB(ExportedTableCreationResponse) *r =
            io__deephaven__proto__backplane__grpc__exported_table_creation_response__unpack(
                NULL, msg.len, msg.data);
        dh_buf_reset(&msg);
        if (!r) {
            if (have)
                dh_table_info_reset(info);
            return dh_error_set(err, DH_EINVAL, "%s: malformed reply from the server", what);
        }
        int is_result = r->result_id &&
                        r->result_id->ref_case ==
                            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET &&
                        r->result_id->ticket && r->result_id->ticket->ticket.len == result->len &&
                        memcmp(r->result_id->ticket->ticket.data, result->bytes, result->len) == 0;
        if (!r->success && !failed) {
            failed = 1;
            dh_error_set(&first_fail, DH_EGRPC, "%s: %s", what,
                         r->error_info && r->error_info[0] ? r->error_info : "failed");
            first_fail.grpc_status = GRPC_STATUS_FAILED_PRECONDITION;
        } else if (r->success && is_result && !have) {
            dh_schema_init(&info->schema);
            if (dh_table_info_from_reply(r, result, what, info, &first_fail) == DH_OK)
                have = 1;
            else
                failed = 1;
        }
        io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(
            r, NULL);
    }
    if (failed || !have) {
        if (have)
            dh_table_info_reset(info);
        if (!failed)
            return dh_error_set(err, DH_EINVAL, "%s: the server did not answer for the result",
                                what);
        *err = first_fail;
        return err->code;
    }
    return DH_OK;
}

int dh_table_derive(struct dh_session *s, const struct dh_ticket *source,
                    const struct dh_view_ops *v, const struct dh_ticket *result,
                    struct dh_table_info *info, struct dh_error *err)
{
    dh_schema_init(&info->schema);
    dh_table_info_reset(info);
    uint8_t *req = NULL;
    size_t len = 0;
    int rc = dh_view_ops_batch_request(v, source, result, &req, &len, err);
    if (rc != DH_OK)
        return rc;
    /* Short: the server's message names the filter or column at fault. */
    const char *what = v->n && v->ops[v->n - 1].kind == DH_OP_STATS      ? "Statistics"
                       : v->n && v->ops[v->n - 1].kind == DH_OP_COUNT_BY ? "Count"
                                                                         : "Sort/filter";
    /* Batch is server-streaming: one request, then half-close. */
    struct dh_stream *st = dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_BATCH,
                                          NULL, 0, dh_session_call_timeout_ms(s), what, err);
    if (!st) {
        free(req);
        return err ? err->code : DH_EGRPC;
    }
    rc = dh_stream_write_bytes(st, req, len, err);
    free(req);
    if (rc == DH_OK)
        rc = dh_stream_writes_done(st, err);
    if (rc != DH_OK)
        dh_prefer_final_status(st, err);
    else
        rc = read_replies(st, result, what, info, err);
    dh_stream_free(st);
    if (rc != DH_OK) {
        struct dh_error ignored;
        dh_release(s, result, &ignored);
    }
    return rc;
}

/* ---- SeekRow ---- */

#define DH_M_SEEK_ROW DH_SVC_TABLE "SeekRow"

/* 1 if the pattern has an upper-case ASCII letter (smart case, as less -i). */
static int has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return 1;
    return 0;
}

/* s without its digit-group marks (',' '_') into buf; 0 if empty or too long. */
static int strip_groups(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ',' || *p == '_')
            continue;
        if (n + 1 >= cap)
            return 0;
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return n > 0;
}

/* Parse a whole number (digit groups ',' '_' allowed) into *out. */
static int parse_long(const char *s, int64_t *out)
{
    char buf[64];
    if (!strip_groups(s, buf, sizeof buf))
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || !end || *end)
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* Parse a number (digit groups allowed) into *out. */
static int parse_double(const char *s, double *out)
{
    char buf[128];
    if (!strip_groups(s, buf, sizeof buf))
        return 0;
    char *end = NULL;
    double v = strtod(buf, &end);
    if (!end || *end)
        return 0;
    *out = v;
    return 1;
}

int dh_seek_prepare(struct dh_seek *q, const char *column, int type, int is_char,
                    const char *pattern, struct dh_error *err)
{
    memset(q, 0, sizeof *q);
    q->column = column;
    if (!column || !column[0])
        return dh_error_set(err, DH_EINVAL, "no column to search");
    if (!pattern || !pattern[0])
        return dh_error_set(err, DH_EINVAL, "nothing to search for");
    if (type == DH_TYPE_UTF8 || type == DH_TYPE_LARGE_UTF8 || is_char) {
        q->value.kind = DH_LIT_STRING;
        q->value.s = (char *)pattern;
        q->contains = !is_char; /* upstream compares a char column by equality */
        q->insensitive = !has_upper(pattern);
        return DH_OK;
    }
    if (type == DH_TYPE_INT) {
        if (!parse_long(pattern, &q->value.i))
            return dh_error_set(err, DH_EINVAL,
                                "column %s holds whole numbers: search it for one, such as 42",
                                column);
        q->value.kind = DH_LIT_LONG;
        return DH_OK;
    }
    if (type == DH_TYPE_FLOAT) {
        if (!parse_double(pattern, &q->value.d))
            return dh_error_set(err, DH_EINVAL,
                                "column %s holds numbers: search it for one, such as 1.5", column);
        q->value.kind = DH_LIT_DOUBLE;
        return DH_OK;
    }
    return dh_error_set(err, DH_EINVAL, "/ searches text and number columns; use w to filter %s",
                        column);
}

/* The request on the stack; q's strings and the source's bytes are borrowed. */
static void seek_fill(PB(SeekRowRequest) * req, PB(Ticket) * tk, PB(Literal) * lit,
                      const struct dh_seek *q, const struct dh_ticket *source)
{
    PB(SeekRowRequest) r0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SEEK_ROW_REQUEST__INIT;
    PB(Ticket) t0 = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    *req = r0;
    *tk = t0;
    tk->ticket.data = (uint8_t *)source->bytes;
    tk->ticket.len = source->len;
    set_literal(lit, &q->value);
    req->source_id = tk;
    req->starting_row = q->start < 0 ? 0 : q->start;
    req->column_name = (char *)q->column;
    req->seek_value = lit;
    req->insensitive = q->insensitive ? 1 : 0;
    req->contains = q->contains ? 1 : 0;
    req->is_backward = q->backward ? 1 : 0;
}

int dh_seek_request(const struct dh_seek *q, const struct dh_ticket *source, uint8_t **out,
                    size_t *out_len, struct dh_error *err)
{
    PB(SeekRowRequest) req;
    PB(Ticket) tk;
    PB(Literal) lit;
    seek_fill(&req, &tk, &lit, q, source);
    size_t len = protobuf_c_message_get_packed_size(&req.base);
    *out = malloc(len ? len : 1);
    if (!*out)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    *out_len = protobuf_c_message_pack(&req.base, *out);
    return DH_OK;
}

int dh_seek_response_decode(const uint8_t *data, size_t len, int64_t *row, struct dh_error *err)
{
    *row = -1;
    PB(SeekRowResponse) *r =
        io__deephaven__proto__backplane__grpc__seek_row_response__unpack(NULL, len, data);
    if (!r)
        return dh_error_set(err, DH_EINVAL, "search: malformed SeekRowResponse from the server");
    int64_t v = r->result_row;
    io__deephaven__proto__backplane__grpc__seek_row_response__free_unpacked(r, NULL);
    if (v < -1)
        return dh_error_set(err, DH_EINVAL, "search: the server answered row %lld", (long long)v);
    *row = v;
    return DH_OK;
}

int dh_table_seek_row(struct dh_session *s, const struct dh_ticket *source, const struct dh_seek *q,
                      int64_t *row, struct dh_error *err)
{
    *row = -1;
    PB(SeekRowRequest) req;
    PB(Ticket) tk;
    PB(Literal) lit;
    seek_fill(&req, &tk, &lit, q, source);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), DH_M_SEEK_ROW, &req.base,
                           dh_session_call_timeout_ms(s), &reply, "search", err);
    if (rc != DH_OK)
        return rc;
    rc = dh_seek_response_decode(reply.data, reply.len, row, err);
    dh_buf_reset(&reply);
    return rc;
}

/* ---- statistics as text ---- */

/* The element range [*lo, *hi) of row 0 of a list column; 0 if it has none
 * (not a list, null, or offsets outside the child). */
static int list_range(const struct dh_column_view *c, int64_t *lo, int64_t *hi)
{
    if (!c->field || c->field->type != DH_TYPE_LIST || !c->child || !c->offsets || c->length < 1 ||
        dh_column_is_null(c, 0))
        return 0;
    int32_t a, b;
    memcpy(&a, c->offsets, 4);
    memcpy(&b, c->offsets + 4, 4);
    if (a < 0 || b < a || b > c->child->length)
        return 0;
    *lo = a;
    *hi = b;
    return 1;
}

static const struct dh_column_view *stats_column(const struct dh_rows *rows, size_t n,
                                                 const char *name)
{
    for (size_t f = 0; f < n; f++)
        if (rows->schema.fields[f].name && strcmp(rows->schema.fields[f].name, name) == 0)
            return &rows->batch.columns[f];
    return NULL;
}

struct growbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void gb_printf(struct growbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void gb_printf(struct growbuf *b, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !b->oom; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->len) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)k + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

int dh_stats_text(const struct dh_rows *rows, char **out, size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (!rows || rows->batch.length != 1)
        return dh_error_set(err, DH_EINVAL,
                            "statistics: expected one row from the server, got %lld",
                            rows ? (long long)rows->batch.length : 0LL);
    size_t n = rows->schema.n_fields;
    if (n > rows->batch.n_columns)
        n = rows->batch.n_columns;
    /* Upstream's most common values (ObjectChunkedStats): two lists, shown
     * as pairs rather than as two lines of lists. */
    const struct dh_column_view *keys = stats_column(rows, n, "UNIQUE_KEYS");
    const struct dh_column_view *counts = stats_column(rows, n, "UNIQUE_COUNTS");
    int64_t klo = 0, khi = 0, clo = 0, chi = 0;
    int pairs = keys && counts && list_range(keys, &klo, &khi) && list_range(counts, &clo, &chi) &&
                khi - klo == chi - clo;
    size_t width = 0;
    for (size_t f = 0; f < n; f++) {
        const char *name = rows->schema.fields[f].name ? rows->schema.fields[f].name : "";
        size_t w = strlen(name);
        if (w > width && w < 40)
            width = w;
    }
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    o.group_digits = 1;
    o.deephaven_nulls = 1;
    o.max_list_items = 50;
    struct growbuf b = {malloc(1024), 0, 1024, 0};
    if (!b.p)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    b.p[0] = '\0';
    char name[128], value[4000], count[64];
    for (size_t f = 0; f < n; f++) {
        const struct dh_column_view *c = &rows->batch.columns[f];
        if (pairs && (c == keys || c == counts))
            continue;
        const char *raw = rows->schema.fields[f].name ? rows->schema.fields[f].name : "";
        dh_text_sanitize(raw, strlen(raw), name, sizeof name, DH_SANITIZE_TAB_AS_SPACE, NULL);
        dh_format_cell(c, 0, &o, value, sizeof value);
        gb_printf(&b, "%-*s  %s\n", (int)width, name, value);
    }
    if (pairs && khi > klo) {
        size_t kw = strlen("MOST COMMON");
        for (int64_t i = klo; i < khi; i++) {
            size_t w = dh_format_cell(keys->child, i, &o, value, sizeof value);
            size_t cols = dh_text_width(value, w);
            if (cols > kw && cols < 60)
                kw = cols;
        }
        gb_printf(&b, "\n%-*s  %s\n", (int)kw, "MOST COMMON", "ROWS");
        for (int64_t i = 0; i < khi - klo; i++) {
            size_t w = dh_format_cell(keys->child, klo + i, &o, value, sizeof value);
            size_t cols = dh_text_width(value, w);
            dh_format_cell(counts->child, clo + i, &o, count, sizeof count);
            /* pad by display columns: a value may hold wide characters */
            gb_printf(&b, "%s%*s  %s\n", value, cols < kw ? (int)(kw - cols) : 0, "", count);
        }
    }
    if (b.oom) {
        free(b.p);
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    }
    *out = b.p;
    *out_len = b.len;
    return DH_OK;
}
