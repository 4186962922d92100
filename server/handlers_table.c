/* SPDX-License-Identifier: MIT */
/* handlers_table: TableService (creation responses, FetchTable, Batch and the one-shot
 * operations, which run as a batch of one). A new operation: its case in op_refs and
 * run_op, and, for a one-shot method, a handler and a row in table_methods. */

#include "handlers_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "deephaven_core/proto/table.pb-c.h"
#include "derive.h"
#include "seek.h"
#include "tickets.h"

/* Send an ExportedTableCreationResponse for ref (ExportUtil.buildTableCreationResponse;
 * t NULL: a failure carrying error_info). 0, or -1 after finishing the call. */
static int send_table_creation(struct call_ctx *x, DHPB(TableReference) * ref,
                               const struct demo_object *t, const char *error_info)
{
    uint8_t *schema = NULL;
    size_t schema_len = 0;
    char err[DEMO_ERR_MAX] = "";
    if (t && demo_encode_schema_ipc(t, &schema, &schema_len, err) != 0) {
        call_finish_internal(x, err);
        return -1;
    }
    DHPB(ExportedTableCreationResponse) resp = DHPB_INIT(EXPORTED_TABLE_CREATION_RESPONSE);
    resp.result_id = ref;
    resp.success = t != NULL;
    resp.error_info = (char *)(t ? "" : error_info);
    resp.schema_header.data = schema;
    resp.schema_header.len = schema_len;
    resp.is_static = t && demo_object_is_static(t) ? 1 : 0;
    resp.size = t ? demo_object_size(t) : 0;
    uint8_t *buf;
    size_t len;
    int rc = demo_pb_pack(&resp.base, &buf, &len);
    free(schema);
    if (rc != 0) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return demo_call_send_owned(x->c, buf, len) == 0 ? 0 : -1;
}

/* Build and send an ExportedTableCreationResponse (ExportUtil.buildTableCreationResponse). */
void reply_table_creation(struct call_ctx *x, const uint8_t *ticket, size_t n,
                          const struct demo_object *t)
{
    DHPB(Ticket) tk = DHPB_INIT(TICKET);
    tk.ticket.data = (uint8_t *)ticket;
    tk.ticket.len = n;
    DHPB(TableReference) ref = DHPB_INIT(TABLE_REFERENCE);
    ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    ref.ticket = &tk;
    if (send_table_creation(x, &ref, t, NULL) == 0)
        call_finish(x, GRPC_STATUS_OK, "");
}

/* TableServiceGrpcImpl.getExportedTableCreationResponse (the request is a bare Ticket). */
static void h_get_etcr(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(Ticket) *m = (DHPB(Ticket) *)call_unpack_in_session(x, &DHPB_DESC(ticket), req, len);
    if (!m)
        return;
    char name[512];
    const struct demo_object *obj;
    if (m->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No request ticket supplied");
    } else if (call_fetch_source(x, m->ticket.data, m->ticket.len, "request", name, sizeof name,
                                 &obj) == 0) {
        if (!demo_object_is_table(obj) || demo_object_is_hier_view(obj))
            call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "Ticket is not a table");
        else
            reply_table_creation(x, m->ticket.data, m->ticket.len, obj);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* TableServiceGrpcImpl.fetchTable (oneShotOperationWrapper + FetchTableGrpcImpl). */
static void h_fetch_table(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(FetchTableRequest) *m = (DHPB(FetchTableRequest) *)call_unpack_in_session(
        x, &DHPB_DESC(fetch_table_request), req, len);
    if (!m)
        return;
    char name[512];
    const DHPB(TableReference) *src_ref = m->source_id;
    if (!m->result_id || m->result_id->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    } else if (call_log_name(x, m->result_id->ticket.data, m->result_id->ticket.len, "TableService",
                             name, sizeof name) != 0) {
        /* finished */
    } else if (!src_ref || src_ref->ref_case != DHPB_REF_TICKET || !src_ref->ticket) {
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION,
                    "One-shot operations must use ticket references");
    } else {
        const struct demo_object *obj;
        struct demo_source *src =
            call_resolve(x, src_ref->ticket->ticket.data, src_ref->ticket->ticket.len, "sourceId");
        struct demo_export *e = src ? call_export_source(x, src, m->result_id, 1) : NULL;
        if (e && call_wait_exported(x, e, &obj) == 0)
            reply_table_creation(x, m->result_id->ticket.data, m->result_id->ticket.len, obj);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* The source and result of a batch operation dhtui's subset knows. */
static void op_refs(const DHPB(BatchTableRequest__Operation) * op, DHPB(TableReference) * *src,
                    DHPB(Ticket) * *result)
{
    *src = NULL;
    *result = NULL;
    switch (op->op_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT:
        *src = op->sort->source_id;
        *result = op->sort->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER:
        *src = op->filter->source_id;
        *result = op->filter->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER:
        *src = op->unstructured_filter->source_id;
        *result = op->unstructured_filter->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FETCH_TABLE:
        *src = op->fetch_table->source_id;
        *result = op->fetch_table->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_COLUMN_STATISTICS:
        *src = op->column_statistics->source_id;
        *result = op->column_statistics->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_DROP_COLUMNS:
        *src = op->drop_columns->source_id;
        *result = op->drop_columns->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SELECT_DISTINCT:
        *src = op->select_distinct->source_id;
        *result = op->select_distinct->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_AGGREGATE:
        *src = op->aggregate->source_id;
        *result = op->aggregate->result_id;
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SLICE:
        *src = op->slice->source_id;
        *result = op->slice->result_id;
        break;
    default: break;
    }
}

/* Run operation i of a batch: 0 with *out (referenced), -1 with st. res: earlier results. */
static int run_op(struct call_ctx *x, const DHPB(BatchTableRequest__Operation) * op, size_t i,
                  const struct demo_object *const *res, const struct demo_object **out,
                  struct demo_status *st)
{
    DHPB(TableReference) * src_ref;
    DHPB(Ticket) * result;
    op_refs(op, &src_ref, &result);
    *out = NULL;
    const struct demo_object *src = NULL;
    if (!src_ref) {
        demo_status_set(st, op->op_case ? GRPC_STATUS_INVALID_ARGUMENT : GRPC_STATUS_UNIMPLEMENTED,
                        op->op_case ? "No source table reference supplied"
                                    : "the demo server does not implement this batch operation");
        return -1;
    }
    if (src_ref->ref_case ==
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_BATCH_OFFSET) {
        int32_t off = src_ref->batch_offset;
        if (off < 0 || (size_t)off >= i || !res[off]) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "invalid batch offset %d", (int)off);
            return -1;
        }
        src = res[off];
        demo_object_ref(src);
    } else if (src_ref->ref_case == DHPB_REF_TICKET && src_ref->ticket) {
        struct demo_source *ds = demo_resolve(x->app->reg, x->s, src_ref->ticket->ticket.data,
                                              src_ref->ticket->ticket.len, "sourceId");
        if (!ds) {
            demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
            return -1;
        }
        int rc = demo_source_wait(x->app->reg, ds, call_stop_hook, x, &src, st);
        demo_source_free(x->app->reg, ds);
        if (rc != 0) {
            if (rc > 0)
                demo_status_set(st, GRPC_STATUS_CANCELLED, "cancelled");
            return -1;
        }
    } else {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "No source table reference supplied");
        return -1;
    }
    int rc;
    if (op->op_case ==
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FETCH_TABLE) {
        *out = src;
        demo_object_ref(src);
        rc = 0;
    } else {
        rc = demo_derive(src, op, out, st);
        if (rc != 0 && st->code == DEMO_STATUS_DETAILS_LOGGED) {
            struct demo_status logged;
            demo_status_obfuscated(x->app->reg, &logged, st->msg);
            demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "%s", logged.msg);
        }
    }
    demo_object_unref(src);
    if (rc != 0 || !result || result->ticket.len == 0)
        return rc;
    struct demo_export *e = demo_export_create_object(x->app->reg, x->s, *out, result->ticket.data,
                                                      result->ticket.len, "resultId", st);
    const struct demo_object *exported = NULL;
    rc = e ? demo_export_wait(x->app->reg, e, call_stop_hook, x, &exported, st) : -1;
    demo_export_unref(x->app->reg, e);
    demo_object_unref(exported);
    if (rc != 0) {
        demo_object_unref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* TableServiceGrpcImpl.batch: one response per operation (result_id the export ticket,
 * or the batch offset for an operation not exported); after a failure, a failed
 * response for it and for every later operation, then the failure's status. One-shot
 * (Sort, Filter ...): the result's response alone, or the status. */
static void run_batch(struct call_ctx *x, DHPB(BatchTableRequest__Operation) *const *ops, size_t n,
                      int one_shot)
{
    const struct demo_object **res = calloc(n ? n : 1, sizeof *res);
    if (!res) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return;
    }
    struct demo_status first = {GRPC_STATUS_OK, ""};
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        struct demo_status st = {GRPC_STATUS_OK, ""};
        if (!failed && run_op(x, ops[i], i, res, &res[i], &st) != 0) {
            failed = 1;
            first = st;
        }
        if (one_shot)
            break;
        DHPB(TableReference) * src_ref;
        DHPB(Ticket) * result;
        op_refs(ops[i], &src_ref, &result);
        DHPB(TableReference) ref = DHPB_INIT(TABLE_REFERENCE);
        if (result && result->ticket.len) {
            ref.ref_case = DHPB_REF_TICKET;
            ref.ticket = result;
        } else {
            ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_BATCH_OFFSET;
            ref.batch_offset = (int32_t)i;
        }
        char info[DEMO_STATUS_MSG_MAX + 64];
        snprintf(info, sizeof info, "%s",
                 res[i]              ? ""
                 : failed && st.code ? st.msg
                                     : "dependency failed");
        if (send_table_creation(x, &ref, res[i], info) != 0)
            goto done;
    }
    if (failed) {
        call_finish_status(x, &first);
    } else if (one_shot) {
        DHPB(TableReference) * src_ref;
        DHPB(Ticket) * result;
        op_refs(ops[0], &src_ref, &result);
        if (result && result->ticket.len)
            reply_table_creation(x, result->ticket.data, result->ticket.len, res[0]);
        else
            call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    } else {
        call_finish(x, GRPC_STATUS_OK, "");
    }
done:
    for (size_t i = 0; i < n; i++)
        demo_object_unref(res[i]);
    free(res);
}

static void h_batch(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(BatchTableRequest) *m = (DHPB(BatchTableRequest) *)call_unpack_in_session(
        x, &DHPB_DESC(batch_table_request), req, len);
    if (!m)
        return;
    if (m->n_ops == 0)
        call_finish(
            x, GRPC_STATUS_INVALID_ARGUMENT,
            "io.deephaven.proto.backplane.grpc.BatchTableRequest must have at least one ops");
    else
        run_batch(x, m->ops, m->n_ops, 0);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* One-shot Sort / Filter / UnstructuredFilter: a batch of one (oneShotOperationWrapper). */
static void one_shot(struct call_ctx *x, DHPB(BatchTableRequest__Operation) * op)
{
    DHPB(TableReference) * src_ref;
    DHPB(Ticket) * result;
    op_refs(op, &src_ref, &result);
    if (!result || result->ticket.len == 0)
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    else if (!src_ref || src_ref->ref_case != DHPB_REF_TICKET || !src_ref->ticket)
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION,
                    "One-shot operations must use ticket references");
    else
        run_batch(x, &op, 1, 1);
}

static void h_sort(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(SortTableRequest) *m = (DHPB(SortTableRequest) *)call_unpack_in_session(
        x, &DHPB_DESC(sort_table_request), req, len);
    if (!m)
        return;
    DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);
    op.op_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT;
    op.sort = m;
    one_shot(x, &op);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

static void h_filter(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(FilterTableRequest) *m = (DHPB(FilterTableRequest) *)call_unpack_in_session(
        x, &DHPB_DESC(filter_table_request), req, len);
    if (!m)
        return;
    DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);
    op.op_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER;
    op.filter = m;
    one_shot(x, &op);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

static void h_unstructured_filter(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(UnstructuredFilterTableRequest) *m =
        (DHPB(UnstructuredFilterTableRequest) *)call_unpack_in_session(
            x, &DHPB_DESC(unstructured_filter_table_request), req, len);
    if (!m)
        return;
    DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);
    op.op_case =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER;
    op.unstructured_filter = m;
    one_shot(x, &op);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* One-shot ComputeColumnStatistics, DropColumns, SelectDistinct and Aggregate (a batch
 * of one, as oneShotOperationWrapper runs them). */
#define ONE_SHOT_HANDLER(fn, Type, desc, CASE, member)                                             \
    static void fn(struct call_ctx *x, const uint8_t *req, size_t len)                             \
    {                                                                                              \
        DHPB(Type) *m = (DHPB(Type) *)call_unpack_in_session(x, &DHPB_DESC(desc), req, len);       \
        if (!m)                                                                                    \
            return;                                                                                \
        DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);         \
        op.op_case =                                                                               \
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_##CASE;      \
        op.member = m;                                                                             \
        one_shot(x, &op);                                                                          \
        protobuf_c_message_free_unpacked(&m->base, NULL);                                          \
    }

ONE_SHOT_HANDLER(h_column_statistics, ColumnStatisticsRequest, column_statistics_request,
                 COLUMN_STATISTICS, column_statistics)
ONE_SHOT_HANDLER(h_drop_columns, DropColumnsRequest, drop_columns_request, DROP_COLUMNS,
                 drop_columns)
ONE_SHOT_HANDLER(h_select_distinct, SelectDistinctRequest, select_distinct_request, SELECT_DISTINCT,
                 select_distinct)
ONE_SHOT_HANDLER(h_aggregate, AggregateRequest, aggregate_request, AGGREGATE, aggregate)

/* TableServiceGrpcImpl.seekRow: a non-export that waits for the source, then scans it
 * (seek.c); failures inside the scan are "Details Logged" as upstream's are. */
static void h_seek_row(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(SeekRowRequest) *m =
        (DHPB(SeekRowRequest) *)call_unpack_in_session(x, &DHPB_DESC(seek_row_request), req, len);
    if (!m)
        return;
    char name[512];
    const struct demo_object *obj;
    if (!m->source_id || m->source_id->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No consoleId supplied");
    } else if (call_fetch_source(x, m->source_id->ticket.data, m->source_id->ticket.len, "sourceId",
                                 name, sizeof name, &obj) == 0) {
        struct demo_status st = {GRPC_STATUS_OK, ""};
        int64_t row = -1;
        int rc = demo_object_is_table(obj) ? demo_seek_row(obj, m, &row, &st) : -2;
        if (rc == -2) {
            call_finish_internal(x, demo_object_is_table(obj) ? st.msg : "SeekRow: not a table");
        } else if (rc != 0) {
            call_finish_status(x, &st);
        } else {
            DHPB(SeekRowResponse) resp = DHPB_INIT(SEEK_ROW_RESPONSE);
            resp.result_row = row;
            call_reply(x, &resp.base);
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* TableServiceGrpcImpl.slice (SliceGrpcImpl): a batch of one. */
static void h_slice(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(SliceRequest) *m =
        (DHPB(SliceRequest) *)call_unpack_in_session(x, &DHPB_DESC(slice_request), req, len);
    if (!m)
        return;
    DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);
    op.op_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SLICE;
    op.slice = m;
    one_shot(x, &op);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

const struct method table_methods[] = {
    {DH_SVC("TableService", "GetExportedTableCreationResponse"), UNARY, h_get_etcr,
     &DHPB_DESC(ticket)},
    {DH_SVC("TableService", "FetchTable"), UNARY, h_fetch_table, &DHPB_DESC(fetch_table_request)},
    {DH_SVC("TableService", "Batch"), SERVER_STREAM, h_batch, &DHPB_DESC(batch_table_request)},
    {DH_SVC("TableService", "Sort"), UNARY, h_sort, &DHPB_DESC(sort_table_request)},
    {DH_SVC("TableService", "Filter"), UNARY, h_filter, &DHPB_DESC(filter_table_request)},
    {DH_SVC("TableService", "UnstructuredFilter"), UNARY, h_unstructured_filter,
     &DHPB_DESC(unstructured_filter_table_request)},
    {DH_SVC("TableService", "SeekRow"), UNARY, h_seek_row, &DHPB_DESC(seek_row_request)},
    {DH_SVC("TableService", "ComputeColumnStatistics"), UNARY, h_column_statistics,
     &DHPB_DESC(column_statistics_request)},
    {DH_SVC("TableService", "DropColumns"), UNARY, h_drop_columns,
     &DHPB_DESC(drop_columns_request)},
    {DH_SVC("TableService", "SelectDistinct"), UNARY, h_select_distinct,
     &DHPB_DESC(select_distinct_request)},
    {DH_SVC("TableService", "Aggregate"), UNARY, h_aggregate, &DHPB_DESC(aggregate_request)},
    {DH_SVC("TableService", "Slice"), UNARY, h_slice, &DHPB_DESC(slice_request)},
    {NULL, 0, NULL, NULL},
};
