/* SPDX-License-Identifier: MIT */
/* handlers_hier: HierarchicalTableService (upstream HierarchicalTableServiceGrpcImpl):
 * View and ExportSource over the demo rollup (rollup.h); Rollup, Tree and Apply of
 * other tables are not served. */

#include "handlers_internal.h"

#include <stdio.h>
#include <string.h>

#include "deephaven_core/proto/hierarchicaltable.pb-c.h"
#include "rollup.h"

#define HT_SVC(m) DH_SVC("HierarchicalTableService", m)

/* Wait for the object a ticket names (held by the call); NULL after finishing the call. */
static const struct demo_object *ticket_object(struct call_ctx *x, const DHPB(Ticket) * t,
                                               const char *log_id)
{
    char name[512];
    const struct demo_object *obj;
    if (!t || t->ticket.len == 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "No %s supplied", log_id);
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
        return NULL;
    }
    if (call_fetch_source(x, t->ticket.data, t->ticket.len, log_id, name, sizeof name, &obj) != 0)
        return NULL;
    return obj;
}

/* A HierarchicalTable target; NULL after finishing the call (upstream fails the
 * export when the target is something else). */
static const struct demo_object *hier_target(struct call_ctx *x, const DHPB(Ticket) * t,
                                             const char *log_id)
{
    const struct demo_object *h = ticket_object(x, t, log_id);
    if (h && !demo_hier_state(h)) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Target is not a HierarchicalTable");
        return NULL;
    }
    return h;
}

/* Export obj (a new reference, dropped here) as `result` and wait for it. 0, or -1
 * after finishing the call. */
static int export_result(struct call_ctx *x, const struct demo_object *obj,
                         const DHPB(Ticket) * result, const char *log_id)
{
    struct demo_status st;
    struct demo_export *e = demo_export_create_object(x->app->reg, x->s, obj, result->ticket.data,
                                                      result->ticket.len, log_id, &st);
    demo_object_unref(obj);
    if (!e) {
        call_finish_status(x, &st);
        return -1;
    }
    const struct demo_object *exported;
    return call_wait_exported(x, e, &exported);
}

/* HierarchicalTableServiceGrpcImpl.view: the expansions' key table, if any, and the
 * target; the result is the expanded rows (rollup.h), read by Barrage subscriptions. */
static void h_view(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(HierarchicalTableViewRequest) *m =
        (DHPB(HierarchicalTableViewRequest) *)call_unpack_in_session(
            x, &DHPB_DESC(hierarchical_table_view_request), req, len);
    if (!m)
        return;
    const DHPB(HierarchicalTableViewKeyTableDescriptor) *ex = m->expansions;
    const struct demo_object *h = NULL, *keys = NULL, *view = NULL;
    struct demo_status st;
    if (!m->result_view_id || m->result_view_id->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No result_view_id supplied");
    } else if (
        m->target_case ==
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HIERARCHICAL_TABLE_VIEW_REQUEST__TARGET_EXISTING_VIEW_ID) {
        call_finish(x, GRPC_STATUS_UNIMPLEMENTED,
                    "demo server: views from an existing view are not supported");
    } else if (
        m->target_case !=
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HIERARCHICAL_TABLE_VIEW_REQUEST__TARGET_HIERARCHICAL_TABLE_ID) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No target specified");
    } else if ((h = hier_target(x, m->hierarchical_table_id, "targetTableId")) == NULL) {
        /* finished */
    } else if (ex && (keys = ticket_object(x, ex->key_table_id, "expansions.keyTableId")) == NULL) {
        /* finished */
    } else if (keys && !demo_object_is_table(keys)) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Key table is not a table");
    } else if (demo_rollup_view(h, keys, ex ? ex->key_table_action_column : NULL, &view, &st) !=
               0) {
        call_finish_status(x, &st);
    } else if (export_result(x, view, m->result_view_id, "resultViewId") == 0) {
        DHPB(HierarchicalTableViewResponse) resp = DHPB_INIT(HIERARCHICAL_TABLE_VIEW_RESPONSE);
        call_reply(x, &resp.base);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* HierarchicalTableServiceGrpcImpl.exportSource. */
static void h_export_source(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(HierarchicalTableSourceExportRequest) *m =
        (DHPB(HierarchicalTableSourceExportRequest) *)call_unpack_in_session(
            x, &DHPB_DESC(hierarchical_table_source_export_request), req, len);
    if (!m)
        return;
    const struct demo_object *h;
    if (!m->result_table_id || m->result_table_id->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No result_table_id supplied");
    } else if ((h = hier_target(x, m->hierarchical_table_id, "hierarchicalTableId")) != NULL) {
        const struct demo_object *src = demo_hier_source(h);
        demo_object_ref(src);
        if (export_result(x, src, m->result_table_id, "resultTableId") == 0)
            reply_table_creation(x, m->result_table_id->ticket.data, m->result_table_id->ticket.len,
                                 src);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Rollup, Tree and Apply make new hierarchical tables: the demo has only its own. */
static void h_unserved(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) == 0)
        call_finish(x, GRPC_STATUS_UNIMPLEMENTED,
                    "demo server: only `add NAME rollup` makes hierarchical tables");
}

const struct method hier_methods[] = {
    {HT_SVC("View"), UNARY, h_view, &DHPB_DESC(hierarchical_table_view_request)},
    {HT_SVC("ExportSource"), UNARY, h_export_source,
     &DHPB_DESC(hierarchical_table_source_export_request)},
    {HT_SVC("Rollup"), UNARY, h_unserved, &DHPB_DESC(rollup_request)},
    {HT_SVC("Tree"), UNARY, h_unserved, &DHPB_DESC(tree_request)},
    {NULL, 0, NULL, NULL},
};
