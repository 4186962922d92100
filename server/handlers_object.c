/* SPDX-License-Identifier: MIT */
/* handlers_object: ApplicationService.ListFields and ObjectService (FetchObject,
 * MessageStream for fetch-only plugins such as figures). */

#include "handlers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/application.pb-c.h"
#include "deephaven_core/proto/object.pb-c.h"
#include "dh_ticket.h"
#include "deephaven_core/proto/hierarchicaltable.pb-c.h"
#include "fields.h"
#include "rollup.h"

/* Figures reference at most this many tables. */
#define MAX_FIGURE_TABLES 64

/* ApplicationServiceGrpcImpl.listFields: everything as created, then deltas. */
static void h_list_fields(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    uint8_t *data;
    size_t n;
    struct demo_fields_sub *sub = demo_fields_subscribe(x->app->reg, x->s, &data, &n);
    if (!sub) {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        return;
    }
    if (demo_call_send_owned(x->c, data, n) == 0) {
        for (;;) {
            int rc = demo_fields_next(x->app->reg, sub, call_stop_hook, x, &data, &n);
            if (rc == 1 && demo_call_send_owned(x->c, data, n) == 0)
                continue;
            if (rc == 0) /* Subscription.notifyObserverCancelled */
                call_finish(x, GRPC_STATUS_CANCELLED, "subscription cancelled");
            break;
        }
    }
    demo_fields_unsubscribe(x->app->reg, sub);
}

/* ---------------------------------------------------------------- ObjectService */

/* A plugin's one message: payload plus exported references. */
struct plugin_data {
    uint8_t *payload;
    size_t payload_len;
    int32_t ids[MAX_FIGURE_TABLES];
    const char *types[MAX_FIGURE_TABLES]; /* TypeLookup.type of each reference */
    size_t n_refs;
};

/* HierarchicalTableTypePlugin: a HierarchicalTableDescriptor whose snapshot_schema is
 * the views' schema (IPC-encapsulated, as BarrageUtil.schemaBytes). 0, or -1 after
 * finishing the call. */
static int hier_descriptor(struct call_ctx *x, const struct demo_object *h, struct plugin_data *pd)
{
    const struct demo_object *view;
    struct demo_status st;
    if (demo_rollup_view(h, NULL, NULL, &view, &st) != 0) {
        call_finish_status(x, &st);
        return -1;
    }
    uint8_t *schema;
    size_t schema_len;
    char err[DEMO_ERR_MAX] = "";
    int rc = demo_encode_schema_ipc(view, &schema, &schema_len, err);
    demo_object_unref(view);
    if (rc != 0) {
        call_finish_internal(x, err);
        return -1;
    }
    DHPB(HierarchicalTableDescriptor) d = DHPB_INIT(HIERARCHICAL_TABLE_DESCRIPTOR);
    d.snapshot_schema.data = schema;
    d.snapshot_schema.len = schema_len;
    d.is_static = demo_object_is_static(demo_hier_source(h));
    rc = demo_pb_pack(&d.base, &pd->payload, &pd->payload_len);
    free(schema);
    if (rc != 0) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* 1 for an object whose payload encode_figure.c writes. */
static int has_payload(const struct demo_object *obj)
{
    return demo_figure_kind(obj) >= 0;
}

/* ObjectServiceGrpcImpl.getObjectTypeInstance plus the FetchOnly plugin's single message
 * (FigureWidgetTypePlugin for figures, PartitionedTableTypePlugin for partitioned
 * tables; other plugin objects send an empty payload). 0, or
 * -1 after finishing the call. */
static int plugin_fetch(struct call_ctx *x, const char *type, const struct demo_object *obj,
                        struct plugin_data *pd)
{
    memset(pd, 0, sizeof *pd);
    char msg[600];
    if (demo_object_is_table(obj)) {
        snprintf(msg, sizeof msg, "No ObjectType found, expected type '%s'", type);
        call_finish(x, GRPC_STATUS_NOT_FOUND, msg);
        return -1;
    }
    const char *actual = demo_object_type(obj);
    if (strcmp(type, actual) != 0) {
        snprintf(msg, sizeof msg, "Unexpected ObjectType, expected type '%s', actual type '%s'",
                 type, actual);
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        return -1;
    }
    if (strcmp(actual, "PartitionedTable") == 0) {
        const struct demo_object *table;
        if (partitioned_fetch(x, obj, &pd->payload, &pd->payload_len, &table) != 0)
            return -1;
        int rc = demo_server_export(x->app->reg, x->s, table, &pd->ids[0]);
        demo_object_unref(table);
        if (rc != 0) {
            free(pd->payload);
            pd->payload = NULL;
            call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
            return -1;
        }
        pd->types[0] = "Table";
        pd->n_refs = 1;
        return 0;
    }
    if (demo_hier_state(obj))
        return hier_descriptor(x, obj, pd);
    if (!has_payload(obj))
        return 0;
    const struct demo_object *tables[MAX_FIGURE_TABLES];
    size_t n_tables = MAX_FIGURE_TABLES;
    char err[DEMO_ERR_MAX] = "";
    if (demo_encode_figure(obj, &pd->payload, &pd->payload_len, tables, &n_tables, err) != 0) {
        call_finish_internal(x, err);
        return -1;
    }
    for (size_t i = 0; i < n_tables && i < MAX_FIGURE_TABLES; i++) {
        if (demo_server_export(x->app->reg, x->s, tables[i], &pd->ids[i]) != 0) {
            free(pd->payload);
            pd->payload = NULL;
            call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
            return -1;
        }
        pd->types[i] = demo_object_is_table(tables[i]) ? "Table" : demo_object_type(tables[i]);
        pd->n_refs++;
    }
    return 0;
}

/* Typed tickets 'e'+id for the references. */
struct typed_refs {
    uint8_t bytes[MAX_FIGURE_TABLES][5];
    DHPB(Ticket) t[MAX_FIGURE_TABLES];
    DHPB(TypedTicket) tt[MAX_FIGURE_TABLES];
    DHPB(TypedTicket) * ptrs[MAX_FIGURE_TABLES];
};

static void typed_refs_fill(struct typed_refs *r, const struct plugin_data *pd)
{
    for (size_t i = 0; i < pd->n_refs; i++) {
        struct dh_ticket et;
        dh_ticket_make_export(&et, pd->ids[i]);
        uint8_t *b = r->bytes[i];
        memcpy(b, et.bytes, sizeof r->bytes[i]);
        DHPB(Ticket) t0 = DHPB_INIT(TICKET);
        DHPB(TypedTicket) tt0 = DHPB_INIT(TYPED_TICKET);
        r->t[i] = t0;
        r->t[i].ticket.data = b;
        r->t[i].ticket.len = sizeof r->bytes[i];
        r->tt[i] = tt0;
        r->tt[i].ticket = &r->t[i];
        r->tt[i].type = (char *)pd->types[i];
        r->ptrs[i] = &r->tt[i];
    }
}

/* The type and ticket of the object a FetchObject or MessageStream names; 0, or -1
 * after finishing the call when one is missing. */
static int typed_ticket_parts(struct call_ctx *x, const DHPB(TypedTicket) * id, const char **type,
                              const DHPB(Ticket) * *tk)
{
    *type = id && id->type ? id->type : "";
    *tk = id ? id->ticket : NULL;
    if (!**type) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No type supplied");
        return -1;
    }
    if (!*tk || (*tk)->ticket.len == 0) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No ticket supplied");
        return -1;
    }
    return 0;
}

/* ObjectServiceGrpcImpl.fetchObject (deprecated, fetch-only objects). */
static void h_fetch_object(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(FetchObjectRequest) *m = (DHPB(FetchObjectRequest) *)call_unpack_in_session(
        x, &DHPB_DESC(fetch_object_request), req, len);
    if (!m)
        return;
    const char *type;
    const DHPB(Ticket) * tk;
    char name[512];
    const struct demo_object *obj;
    struct plugin_data pd;
    if (typed_ticket_parts(x, m->source_id, &type, &tk) == 0 &&
        call_fetch_source(x, tk->ticket.data, tk->ticket.len, "sourceId", name, sizeof name,
                          &obj) == 0 &&
        plugin_fetch(x, type, obj, &pd) == 0) {
        struct typed_refs refs;
        typed_refs_fill(&refs, &pd);
        DHPB(FetchObjectResponse) resp = DHPB_INIT(FETCH_OBJECT_RESPONSE);
        resp.type = (char *)type;
        resp.data.data = pd.payload;
        resp.data.len = pd.payload_len;
        resp.n_typed_export_ids = pd.n_refs;
        resp.typed_export_ids = refs.ptrs;
        call_reply(x, &resp.base);
        free(pd.payload);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Send a plugin's payload and references as one StreamResponse data message; frees
 * pd's payload. 0, or -1 when the call is over (finished here if out of memory). */
static int send_plugin_data(struct call_ctx *x, struct plugin_data *pd)
{
    struct typed_refs refs;
    typed_refs_fill(&refs, pd);
    DHPB(ServerData) data = DHPB_INIT(SERVER_DATA);
    data.payload.data = pd->payload;
    data.payload.len = pd->payload_len;
    data.n_exported_references = pd->n_refs;
    data.exported_references = refs.ptrs;
    DHPB(StreamResponse) resp = DHPB_INIT(STREAM_RESPONSE);
    resp.message_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_RESPONSE__MESSAGE_DATA;
    resp.data = &data;
    uint8_t *buf;
    size_t n;
    int packed = demo_pb_pack(&resp.base, &buf, &n) == 0;
    free(pd->payload);
    pd->payload = NULL;
    if (!packed) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return demo_call_send_owned(x->c, buf, n) == 0 ? 0 : -1;
}

/* The plot-express figure's later message (DeephavenFigureListener._on_update
 * sends one when the figure changes): the new figure and its one new reference.
 * 0, or -1 when the call was finished. */
static int express_update(struct call_ctx *x, const struct demo_object *fig)
{
    struct plugin_data pd;
    memset(&pd, 0, sizeof pd);
    const struct demo_object *table;
    char err[DEMO_ERR_MAX] = "";
    if (demo_encode_express_update(fig, &pd.payload, &pd.payload_len, &table, err) != 0) {
        call_finish_internal(x, err);
        return -1;
    }
    if (demo_server_export(x->app->reg, x->s, table, &pd.ids[0]) != 0) {
        free(pd.payload);
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        return -1;
    }
    pd.types[0] = "Table";
    pd.n_refs = 1;
    return send_plugin_data(x, &pd);
}

/* Handle the connect message of a MessageStream; finishes the call in every case
 * (a fetch-only plugin sends one message and closes: ObjectTypeBase.FetchOnly). */
static void message_stream_connect(struct call_ctx *x, const DHPB(ConnectRequest) * conn)
{
    const char *type;
    const DHPB(Ticket) * tk;
    const struct demo_object *obj;
    if (typed_ticket_parts(x, conn ? conn->source_id : NULL, &type, &tk) != 0)
        return;
    int rc = call_wait_source(x, tk->ticket.data, tk->ticket.len, "sourceId",
                              call_stop_or_session_end, &obj);
    if (rc == 1 && !demo_call_is_dead(x->c))
        call_finish(x, GRPC_STATUS_CANCELLED, "Session closed");
    if (rc != 0)
        return;
    struct plugin_data pd;
    if (plugin_fetch(x, type, obj, &pd) != 0)
        return;
    if (send_plugin_data(x, &pd) != 0)
        return;
    if (demo_figure_kind(obj) != DEMO_FIG_EXPRESS) {
        call_finish(x, GRPC_STATUS_OK, "");
        return;
    }
    /* A bidirectional plugin (plotly-express): the stream stays open until the
     * client half-closes; messages it sends (RETRIEVE, FILTER) get no answer here.
     * About a second in, the figure changes once (express_update). */
    for (int ticks = 0;; ticks++) {
        if (ticks == 10 && express_update(x, obj) != 0)
            return;
        uint8_t *in;
        size_t in_len;
        int got = demo_call_recv(x->c, &in, &in_len, 100);
        if (got == DEMO_RECV_DEAD)
            return;
        if (got == DEMO_RECV_END) {
            call_finish(x, GRPC_STATUS_OK, "");
            return;
        }
        if (got == DEMO_RECV_TIMEOUT) {
            if (!demo_session_alive(x->app->reg, x->s)) {
                call_finish(x, GRPC_STATUS_CANCELLED, "Session closed");
                return;
            }
            continue;
        }
        free(in);
    }
}

/* ObjectServiceGrpcImpl.messageStream (SendMessageObserver). */
static void h_message_stream(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, 100);
        if (rc == DEMO_RECV_DEAD)
            return;
        if (rc == DEMO_RECV_END) {
            call_finish(x, GRPC_STATUS_OK, ""); /* onCompleted */
            return;
        }
        if (rc == DEMO_RECV_TIMEOUT) {
            /* SessionServiceInterceptor: MessageStream is cancelled when the session closes. */
            if (!demo_session_alive(x->app->reg, x->s)) {
                call_finish(x, GRPC_STATUS_CANCELLED, "Session closed");
                return;
            }
            continue;
        }
        DHPB(StreamRequest) *m =
            (DHPB(StreamRequest) *)call_unpack(x, &DHPB_DESC(stream_request), data, n);
        free(data);
        if (!m)
            return;
        switch (m->message_case) {
        case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_CONNECT:
            message_stream_connect(x, m->connect);
            break;
        case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_DATA:
            call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                        "Data message sent before Connect message");
            break;
        default: /* GrpcErrorHelper.checkHasOneOf */
            call_finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                        "io.deephaven.proto.backplane.grpc.StreamRequest must have oneof message. "
                        "Note: this may also indicate that the server is older than the client and "
                        "doesn't know about this new oneof option.");
            break;
        }
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return;
    }
}

const struct method object_methods[] = {
    {DH_SVC("ApplicationService", "ListFields"), SERVER_STREAM, h_list_fields,
     &DHPB_DESC(list_fields_request)},
    {DH_SVC("ObjectService", "FetchObject"), UNARY, h_fetch_object,
     &DHPB_DESC(fetch_object_request)},
    {DH_SVC("ObjectService", "MessageStream"), BIDI, h_message_stream, NULL},
    {NULL, 0, NULL, NULL},
};
