/* SPDX-License-Identifier: MIT */
/* handlers_partitioned: PartitionedTableService (Merge, GetTable) and the payload
 * FetchObject sends for a "PartitionedTable" (upstream deephaven-core
 * server/.../partitionedtable/PartitionedTableServiceGrpcImpl.java and
 * plugin/partitionedtable/.../PartitionedTableTypePlugin.java). */

#include "handlers_internal.h"

#include <stdlib.h>

#include "deephaven_core/proto/partitionedtable.pb-c.h"
#include "derive.h"
#include "partition.h"

/* Finish with a computation's failure; one inside the engine is obfuscated as
 * upstream's export error handler does (SessionState.toErrorHandler). */
static void finish_failure(struct call_ctx *x, struct demo_status *st)
{
    if (st->code == DEMO_STATUS_DETAILS_LOGGED) {
        struct demo_status logged;
        demo_status_obfuscated(x->app->reg, &logged, st->msg);
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "%s", logged.msg);
    }
    call_finish_status(x, st);
}

int partitioned_fetch(struct call_ctx *x, const struct demo_object *pt, uint8_t **payload,
                      size_t *len, const struct demo_object **table)
{
    const char *key;
    const struct demo_object *src = demo_partitioned_source(pt, &key);
    struct demo_status st;
    uint8_t *schema = NULL;
    size_t schema_len = 0;
    char err[DEMO_ERR_MAX] = "";
    *table = NULL;
    if (!src || demo_encode_schema_ipc(src, &schema, &schema_len, err) != 0) {
        call_finish_internal(x, src ? err : "not a partitioned table");
        return -1;
    }
    if (demo_partition_table(pt, table, &st) != 0) {
        free(schema);
        finish_failure(x, &st);
        return -1;
    }
    DHPB(PartitionedTableDescriptor) d = DHPB_INIT(PARTITIONED_TABLE_DESCRIPTOR);
    char *keys[1] = {(char *)key};
    d.n_key_column_names = 1;
    d.key_column_names = keys;
    d.constituent_column_name = (char *)DEMO_CONSTITUENT_COLUMN;
    d.unique_keys = 1; /* partitionBy: one constituent per key */
    d.constituent_definition_schema.data = schema;
    d.constituent_definition_schema.len = schema_len;
    d.constituent_changes_permitted = 0; /* the source is static */
    int rc = demo_pb_pack(&d.base, payload, len);
    free(schema);
    if (rc != 0) {
        demo_object_unref(*table);
        *table = NULL;
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* Resolve the partitioned table a request names (TicketRouter.resolve); 0 with *pt
 * (held), or -1 after finishing the call. */
static int resolve_partitioned(struct call_ctx *x, const DHPB(Ticket) * t,
                               const struct demo_object **pt)
{
    char name[512];
    if (call_fetch_source(x, t ? t->ticket.data : NULL, t ? t->ticket.len : 0, "partitionedTable",
                          name, sizeof name, pt) != 0)
        return -1;
    const char *key;
    if (!demo_partitioned_source(*pt, &key)) {
        /* the export's value is not a PartitionedTable: a ClassCastException inside
         * the export's work */
        struct demo_status st;
        demo_status_set(&st, DEMO_STATUS_DETAILS_LOGGED, "%s is not a PartitionedTable", name);
        finish_failure(x, &st);
        return -1;
    }
    return 0;
}

/* Export a computed table as result and reply with its creation response; drops the
 * caller's reference to t. */
static void export_result(struct call_ctx *x, const DHPB(Ticket) * result,
                          const struct demo_object *t)
{
    struct demo_status st;
    if (!result || result->ticket.len == 0) {
        demo_object_unref(t);
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
        return;
    }
    struct demo_export *e = demo_export_create_object(x->app->reg, x->s, t, result->ticket.data,
                                                      result->ticket.len, "resultId", &st);
    demo_object_unref(t);
    const struct demo_object *obj;
    if (!e)
        call_finish_status(x, &st);
    else if (call_wait_exported(x, e, &obj) == 0)
        reply_table_creation(x, result->ticket.data, result->ticket.len, obj);
}

/* PartitionedTableServiceGrpcImpl.merge. */
static void h_merge(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(MergeRequest) *m =
        (DHPB(MergeRequest) *)call_unpack_in_session(x, &DHPB_DESC(merge_request), req, len);
    if (!m)
        return;
    const struct demo_object *pt, *merged;
    struct demo_status st;
    if (resolve_partitioned(x, m->partitioned_table, &pt) == 0) {
        if (demo_partition_merge(pt, &merged, &st) != 0)
            finish_failure(x, &st);
        else
            export_result(x, m->result_id, merged);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* PartitionedTableServiceGrpcImpl.getTable (lockAndGetConstituents). */
static void h_get_table(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(GetTableRequest) *m =
        (DHPB(GetTableRequest) *)call_unpack_in_session(x, &DHPB_DESC(get_table_request), req, len);
    if (!m)
        return;
    const struct demo_object *pt, *keys, *out;
    char name[512];
    struct demo_status st;
    const DHPB(Ticket) *kt = m->key_table_ticket;
    if (resolve_partitioned(x, m->partitioned_table, &pt) == 0 &&
        call_fetch_source(x, kt ? kt->ticket.data : NULL, kt ? kt->ticket.len : 0, "keyTable", name,
                          sizeof name, &keys) == 0) {
        if (!demo_object_is_table(keys)) {
            demo_status_set(&st, DEMO_STATUS_DETAILS_LOGGED, "%s is not a table", name);
            finish_failure(x, &st);
        } else {
            const struct demo_object *now = demo_object_pin(keys); /* the keys as they are */
            int rc = demo_partition_get(pt, now, (int)m->unique_behavior, &out, &st);
            demo_object_unref(now);
            if (rc != 0)
                finish_failure(x, &st);
            else
                export_result(x, m->result_id, out);
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

const struct method partitioned_methods[] = {
    {DH_SVC("PartitionedTableService", "Merge"), UNARY, h_merge, &DHPB_DESC(merge_request)},
    {DH_SVC("PartitionedTableService", "GetTable"), UNARY, h_get_table,
     &DHPB_DESC(get_table_request)},
    {NULL, 0, NULL, NULL},
};
