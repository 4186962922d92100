/* SPDX-License-Identifier: MIT */
/* tableops.c: derived views (Sort, UnstructuredFilter, Filter) as one Batch call. */
#include "dh_tableops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_exports.h"
#include "dh_session.h"
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
        return dh_error_set(err, DH_EINVAL, "a view has at most %d operations",
                            DH_VIEW_MAX_OPS);
    struct dh_table_op *ops = dh_grow_array(v->ops, v->n, &v->cap, sizeof *ops, 4);
    if (!ops)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    v->ops = ops;
    if (op_copy(&ops[v->n], op) != DH_OK)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    v->n++;
    return DH_OK;
}

int dh_view_ops_copy(struct dh_view_ops *dst, const struct dh_view_ops *src,
                     struct dh_error *err)
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

int dh_view_ops_pop(struct dh_view_ops *v)
{
    if (!v->n)
        return 0;
    op_free(&v->ops[--v->n]);
    return 1;
}

const struct dh_table_op *dh_view_ops_sort(const struct dh_view_ops *v)
{
    for (size_t i = v->n; i-- > 0;)
        if (v->ops[i].kind == DH_OP_SORT)
            return &v->ops[i];
    return NULL;
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

void dh_view_ops_describe(const struct dh_view_ops *v, char *out, size_t n)
{
    if (!n)
        return;
    struct text t = {out, n, 0};
    out[0] = '\0';
    for (size_t i = 0; i < v->n; i++) {
        const struct dh_table_op *op = &v->ops[i];
        if (op->kind == DH_OP_SORT)
            continue;
        if (t.len)
            put(&t, " | ");
        put(&t, op->text);
        if (op->kind == DH_OP_MATCH) {
            put(&t, op->negate ? " != " : " = ");
            put_literal(&t, &op->value);
        }
    }
    const struct dh_table_op *sort = dh_view_ops_sort(v);
    if (sort) {
        put(&t, t.len ? " | sort " : "sort ");
        for (size_t k = 0; k < sort->n_keys; k++) {
            if (k)
                put(&t, ",");
            if (sort->keys[k].descending)
                put(&t, "-");
            put(&t, sort->keys[k].column);
        }
    }
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
        m->op.op_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT;
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
        m->op.op_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER;
        m->op.filter = &m->filter;
    }
}

/* The operations sent, in order: every filter, then the sort in effect. */
static size_t plan(const struct dh_view_ops *v, const struct dh_table_op **out)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->ops[i].kind != DH_OP_SORT)
            out[n++] = &v->ops[i];
    const struct dh_table_op *sort = dh_view_ops_sort(v);
    if (sort)
        out[n++] = sort;
    return n;
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
    const char *what = "Sort/filter";
    /* Batch is server-streaming: one request, then half-close. */
    struct dh_stream *st =
        dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_BATCH, NULL, 0,
                       dh_session_call_timeout_ms(s), what, err);
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
