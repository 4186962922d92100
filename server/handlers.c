/* SPDX-License-Identifier: MIT */
/* handlers: the demo server's gRPC methods (config, session, table, app, object, flight). */
#include "handlers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/status.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "deephaven_core/proto/application.pb-c.h"
#include "deephaven_core/proto/config.pb-c.h"
#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "derive.h"
#include "dh_flatbuf.h"
#include "dh_ticket.h"
#include "exports.h"
#include "fields.h"
#include "pbutil.h"
#include "registry.h"
#include "sessions.h"
#include "subscription.h"
#include "tickets.h"

#define DHPB_REF_TICKET IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET

/* Reported as configuration constants (dh-defaults.prop client.configuration.list). */
#define DEMO_DEEPHAVEN_VERSION "42.4"
#define DEMO_BARRAGE_VERSION "1.0.0" /* deephaven-core gradle/libs.versions.toml */
/* BarrageMessageWrapper.magic: the little-endian bytes spell "dphn". */
#define BARRAGE_MAGIC 0x6E687064u
#define BARRAGE_SUBSCRIPTION_REQUEST 5
#define BARRAGE_SNAPSHOT_REQUEST 7
/* Figures reference at most this many tables. */
#define MAX_FIGURE_TABLES 64

/* One call being handled. */
struct call_ctx {
    struct demo_app *app;
    struct demo_call *c;
    struct demo_session *s; /* NULL: no authorization header */
    /* objects the call reads, referenced until it ends (a derived table must not be
     * freed by a concurrent Release while a DoGet streams it) */
    const struct demo_object *held[8];
    size_t n_held;
};

/* Keep a referenced object until the call ends. */
static void hold(struct call_ctx *x, const struct demo_object *obj)
{
    if (x->n_held < sizeof x->held / sizeof x->held[0])
        x->held[x->n_held++] = obj;
    else
        demo_object_unref(obj); /* only catalogue objects reach here in practice */
}

enum method_kind { UNARY, SERVER_STREAM, BIDI };

struct method {
    const char *path;
    int kind;
    void (*fn)(struct call_ctx *x, const uint8_t *req, size_t len);
    const ProtobufCMessageDescriptor *request; /* checked before fn runs (not BIDI) */
};

/* ---------------------------------------------------------------- helpers */

static void finish(struct call_ctx *x, int code, const char *msg)
{
    demo_call_finish(x->c, (grpc_status_code)code, msg);
}

static void finish_status(struct call_ctx *x, const struct demo_status *st)
{
    finish(x, st->code, st->msg);
}

/* Send a message and finish OK (a unary reply). */
static void reply(struct call_ctx *x, const ProtobufCMessage *m)
{
    uint8_t *buf;
    size_t len;
    if (demo_pb_pack(m, &buf, &len) != 0) {
        finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return;
    }
    if (demo_call_send_owned(x->c, buf, len) == 0)
        finish(x, GRPC_STATUS_OK, "");
}

/* Header hook: the current bearer token of the call's session (InterceptedCall.addHeaders). */
static int bearer_hook(void *ctx, char *value, size_t cap)
{
    struct call_ctx *x = ctx;
    return x->s && demo_session_bearer(x->app->reg, x->s, value, cap);
}

/* Stop hook: the client went away. */
static int stop_hook(void *ctx)
{
    struct call_ctx *x = ctx;
    return demo_call_is_dead(x->c);
}

/* SessionService.getCurrentSession: UNAUTHENTICATED with no message without a live session. */
static int need_session(struct call_ctx *x)
{
    if (x->s && demo_session_alive(x->app->reg, x->s))
        return 0;
    finish(x, GRPC_STATUS_UNAUTHENTICATED, "");
    return -1;
}

/* Unpack a request; on failure end the call as grpc-java does when a request does not
 * parse (ServerImpl.JumpToApplicationThreadServerStreamListener.internalClose). */
static ProtobufCMessage *unpack(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                                const uint8_t *req, size_t len)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, req);
    if (!m)
        finish(x, GRPC_STATUS_UNKNOWN, "Application error processing RPC");
    return m;
}

/* need_session, then unpack: how most handlers start. NULL after finishing the call. */
static ProtobufCMessage *unpack_in_session(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                                           const uint8_t *req, size_t len)
{
    return need_session(x) == 0 ? unpack(x, d, req, len) : NULL;
}

/* An internal failure in a non-export's work: FAILED_PRECONDITION "Details Logged w/ID". */
static void finish_internal(struct call_ctx *x, const char *why)
{
    struct demo_status st;
    demo_status_obfuscated(x->app->reg, &st, why);
    finish(x, GRPC_STATUS_FAILED_PRECONDITION, st.msg);
}

/* Resolve a ticket for the call's session; NULL after finishing the call (demo_resolve
 * fails only when out of memory). */
static struct demo_source *resolve(struct call_ctx *x, const uint8_t *t, size_t n,
                                   const char *log_id)
{
    struct demo_source *src = demo_resolve(x->app->reg, x->s, t, n, log_id);
    if (!src)
        finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return src;
}

/* Resolve a ticket and wait for its object as a non-export consumer. 0 with *obj; 1
 * when `stop` fired (the call is not finished); -1 after finishing the call. */
static int wait_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                       demo_stop_fn stop, const struct demo_object **obj)
{
    struct demo_source *src = resolve(x, t, n, log_id);
    if (!src)
        return -1;
    struct demo_status st;
    int rc = demo_source_wait(x->app->reg, src, stop, x, obj, &st);
    demo_source_free(x->app->reg, src);
    if (rc == 0)
        hold(x, *obj);
    if (rc < 0)
        finish_status(x, &st);
    return rc;
}

/* The readable name of a ticket (TicketRouter.getLogNameFor); -1 after finishing the
 * call with the error upstream throws. */
static int log_name(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id, char *out,
                    size_t cap)
{
    struct demo_status st;
    if (demo_ticket_log_name(x->app->reg, t, n, log_id, out, cap, &st) == 0)
        return 0;
    finish_status(x, &st);
    return -1;
}

/* Name a ticket into `name`, then wait for its object until the client goes away. 0
 * with *obj; -1 when the call already ended (status sent, or the client went away). */
static int fetch_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                        char *name, size_t cap, const struct demo_object **obj)
{
    if (log_name(x, t, n, log_id, name, cap) != 0)
        return -1;
    return wait_source(x, t, n, log_id, stop_hook, obj) == 0 ? 0 : -1;
}

/* Define export `result` as a copy of a resolved source, which this frees. The new
 * export, or NULL after finishing the call. */
static struct demo_export *export_source(struct call_ctx *x, struct demo_source *src,
                                         const DHPB(Ticket) *result, int require_table)
{
    struct demo_status st;
    struct demo_export *e = demo_export_create(x->app->reg, x->s, src, result->ticket.data,
                                               result->ticket.len, "resultId", require_table, &st);
    demo_source_free(x->app->reg, src);
    if (!e)
        finish_status(x, &st);
    return e;
}

/* Wait for an export the call created, dropping its reference. 0 with *obj; -1 when
 * the call already ended (status sent, or the client went away). */
static int wait_exported(struct call_ctx *x, struct demo_export *e, const struct demo_object **obj)
{
    struct demo_status st;
    int rc = demo_export_wait(x->app->reg, e, stop_hook, x, obj, &st);
    demo_export_unref(x->app->reg, e);
    if (rc == 0)
        hold(x, *obj);
    if (rc < 0)
        finish_status(x, &st);
    return rc == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- ConfigService */

/* One string entry of a config map (both responses share the entry layout). */
struct config_entry {
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry) entry;
    DHPB(ConfigValue) value;
};

static void config_entry_set(struct config_entry *e, const char *key, const char *value)
{
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry)
    e0 = DHPB_INIT(CONFIGURATION_CONSTANTS_RESPONSE__CONFIG_VALUES_ENTRY);
    DHPB(ConfigValue) v0 = DHPB_INIT(CONFIG_VALUE);
    e->entry = e0;
    e->value = v0;
    e->value.kind_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIG_VALUE__KIND_STRING_VALUE;
    e->value.string_value = (char *)value;
    e->entry.key = (char *)key;
    e->entry.value = &e->value;
}

/* ConfigServiceGrpcImpl.getAuthenticationConstants: no session needed. */
static void h_get_auth_constants(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    DHPB(AuthenticationConstantsResponse__ConfigValuesEntry)
    entry = DHPB_INIT(AUTHENTICATION_CONSTANTS_RESPONSE__CONFIG_VALUES_ENTRY);
    DHPB(ConfigValue) value = DHPB_INIT(CONFIG_VALUE);
    value.kind_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIG_VALUE__KIND_STRING_VALUE;
    value.string_value = (char *)demo_registry_auth_handlers(x->app->reg);
    entry.key = (char *)"AuthHandlers";
    entry.value = &value;
    DHPB(AuthenticationConstantsResponse__ConfigValuesEntry) *entries[] = {&entry};
    DHPB(AuthenticationConstantsResponse) resp = DHPB_INIT(AUTHENTICATION_CONSTANTS_RESPONSE);
    resp.n_config_values = 1;
    resp.config_values = entries;
    reply(x, &resp.base);
}

/* ConfigServiceGrpcImpl.getConfigurationConstants (client.configuration.list subset). */
static void h_get_config_constants(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    char duration[32];
    snprintf(duration, sizeof duration, "%lld", (long long)demo_registry_duration(x->app->reg));
    struct config_entry e[3];
    config_entry_set(&e[0], "deephaven.version", DEMO_DEEPHAVEN_VERSION);
    config_entry_set(&e[1], "barrage.version", DEMO_BARRAGE_VERSION);
    config_entry_set(&e[2], "http.session.durationMs", duration);
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry) *
        entries[] = {&e[0].entry, &e[1].entry, &e[2].entry};
    DHPB(ConfigurationConstantsResponse) resp = DHPB_INIT(CONFIGURATION_CONSTANTS_RESPONSE);
    resp.n_config_values = 3;
    resp.config_values = entries;
    reply(x, &resp.base);
}

/* ---------------------------------------------------------------- SessionService */

/* SessionServiceGrpcImpl.closeSession */
static void h_close_session(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(HandshakeRequest) *m =
        (DHPB(HandshakeRequest) *)unpack(x, &DHPB_DESC(handshake_request), req, len);
    if (!m)
        return;
    int protocol = m->auth_protocol;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (protocol != 0) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Protocol version not allowed.");
        return;
    }
    if (need_session(x) != 0)
        return;
    demo_session_close(x->app->reg, x->s);
    DHPB(CloseSessionResponse) resp = DHPB_INIT(CLOSE_SESSION_RESPONSE);
    reply(x, &resp.base);
}

/* SessionServiceGrpcImpl.release */
static void h_release(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(ReleaseRequest) *m =
        (DHPB(ReleaseRequest) *)unpack_in_session(x, &DHPB_DESC(release_request), req, len);
    if (!m)
        return;
    struct demo_status st;
    if (!m->id) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Release ticket not supplied");
    } else if (demo_release(x->app->reg, x->s, m->id->ticket.data, m->id->ticket.len, &st) != 0) {
        finish_status(x, &st);
    } else {
        DHPB(ReleaseResponse) resp = DHPB_INIT(RELEASE_RESPONSE);
        reply(x, &resp.base);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Define export `res` as a copy of a resolved source (freed here); answer `ok` when it
 * is exported. */
static void export_into(struct call_ctx *x, struct demo_source *src, const DHPB(Ticket) *res,
                        const ProtobufCMessage *ok)
{
    const struct demo_object *obj;
    struct demo_export *e = export_source(x, src, res, 0);
    if (e && wait_exported(x, e, &obj) == 0)
        reply(x, ok);
}

/* What ExportFromTicket and PublishFromTicket check first: both tickets given, the
 * source named and resolved. The source, or NULL after finishing the call. */
static struct demo_source *resolve_for_result(struct call_ctx *x, const DHPB(Ticket) *source,
                                              const DHPB(Ticket) *result)
{
    char name[512];
    if (!source) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Source ticket not supplied");
        return NULL;
    }
    if (!result) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Result ticket not supplied");
        return NULL;
    }
    if (log_name(x, source->ticket.data, source->ticket.len, "sourceId", name, sizeof name) != 0)
        return NULL;
    return resolve(x, source->ticket.data, source->ticket.len, "sourceId");
}

/* SessionServiceGrpcImpl.exportFromTicket */
static void h_export_from_ticket(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(ExportRequest) *m =
        (DHPB(ExportRequest) *)unpack_in_session(x, &DHPB_DESC(export_request), req, len);
    if (!m)
        return;
    DHPB(ExportResponse) ok = DHPB_INIT(EXPORT_RESPONSE);
    struct demo_source *src = resolve_for_result(x, m->source_id, m->result_id);
    if (src)
        export_into(x, src, m->result_id, &ok.base);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Publish a resolved source to the result ticket (TicketRouter.publish, by route). */
static void publish_to(struct call_ctx *x, struct demo_source *src, const DHPB(Ticket) *res)
{
    const uint8_t *t = res->ticket.data;
    size_t n = res->ticket.len;
    struct demo_status st;
    DHPB(PublishResponse) ok = DHPB_INIT(PUBLISH_RESPONSE);
    switch (t[0]) {
    case 'h':
        if (demo_publish_shared(x->app->reg, src, t + 1, n - 1, "resultId", &st) == 0)
            reply(x, &ok.base);
        else
            finish_status(x, &st);
        break;
    case 'e': /* ExportTicketResolver.publish: a new export of this session */
        export_into(x, src, res, &ok.base);
        return; /* export_into freed src */
    case 'a':
        finish(x, GRPC_STATUS_FAILED_PRECONDITION,
               "Could not publish 'resultId': application tickets cannot be published to");
        break;
    default: /* 's': upstream would assign the query scope variable */
        finish(x, GRPC_STATUS_UNIMPLEMENTED,
               "dhtui demo server: publishing to a scope ticket is not supported");
        break;
    }
    demo_source_free(x->app->reg, src);
}

/* SessionServiceGrpcImpl.publishFromTicket */
static void h_publish_from_ticket(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(PublishRequest) *m =
        (DHPB(PublishRequest) *)unpack_in_session(x, &DHPB_DESC(publish_request), req, len);
    if (!m)
        return;
    char name[512];
    struct demo_source *src = resolve_for_result(x, m->source_id, m->result_id);
    if (src && log_name(x, m->result_id->ticket.data, m->result_id->ticket.len, "resultId", name,
                        sizeof name) != 0)
        demo_source_free(x->app->reg, src);
    else if (src)
        publish_to(x, src, m->result_id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* SessionServiceGrpcImpl.exportNotifications (SessionState.addExportListener). */
static void h_export_notifications(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    struct demo_listener *l = demo_listener_open(x->app->reg, x->s);
    if (!l) {
        finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        return;
    }
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_listener_next(x->app->reg, l, stop_hook, x, &data, &n);
        if (rc == 1) {
            if (demo_call_send_owned(x->c, data, n) != 0)
                break;
            continue;
        }
        if (rc == 0)
            finish(x, GRPC_STATUS_OK, ""); /* ExportListener.onRemove: safelyComplete */
        break;
    }
    demo_listener_close(x->app->reg, l);
}

/* SessionServiceGrpcImpl.terminationNotification: held until shutdown. */
static void h_termination_notification(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    int rc = demo_wait_termination(x->app->reg, x->s, stop_hook, x);
    if (rc == 1) {
        DHPB(TerminationNotificationResponse) resp = DHPB_INIT(TERMINATION_NOTIFICATION_RESPONSE);
        resp.abnormal_termination = 0;
        reply(x, &resp.base);
    } else if (rc == 0) {
        finish(x, GRPC_STATUS_UNAUTHENTICATED, "Session has ended");
    }
}

/* ---------------------------------------------------------------- TableService */

/* Send an ExportedTableCreationResponse for ref (ExportUtil.buildTableCreationResponse;
 * t NULL: a failure carrying error_info). 0, or -1 after finishing the call. */
static int send_table_creation(struct call_ctx *x, DHPB(TableReference) *ref,
                               const struct demo_object *t, const char *error_info)
{
    uint8_t *schema = NULL;
    size_t schema_len = 0;
    char err[DEMO_ERR_MAX] = "";
    if (t && demo_encode_schema_ipc(t, &schema, &schema_len, err) != 0) {
        finish_internal(x, err);
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
        finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return demo_call_send_owned(x->c, buf, len) == 0 ? 0 : -1;
}

/* Build and send an ExportedTableCreationResponse (ExportUtil.buildTableCreationResponse). */
static void reply_table_creation(struct call_ctx *x, const uint8_t *ticket, size_t n,
                                 const struct demo_object *t)
{
    DHPB(Ticket) tk = DHPB_INIT(TICKET);
    tk.ticket.data = (uint8_t *)ticket;
    tk.ticket.len = n;
    DHPB(TableReference) ref = DHPB_INIT(TABLE_REFERENCE);
    ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    ref.ticket = &tk;
    if (send_table_creation(x, &ref, t, NULL) == 0)
        finish(x, GRPC_STATUS_OK, "");
}

/* TableServiceGrpcImpl.getExportedTableCreationResponse (the request is a bare Ticket). */
static void h_get_etcr(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(Ticket) *m = (DHPB(Ticket) *)unpack_in_session(x, &DHPB_DESC(ticket), req, len);
    if (!m)
        return;
    char name[512];
    const struct demo_object *obj;
    if (m->ticket.len == 0) {
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No request ticket supplied");
    } else if (fetch_source(x, m->ticket.data, m->ticket.len, "request", name, sizeof name,
                            &obj) == 0) {
        if (!demo_object_is_table(obj))
            finish(x, GRPC_STATUS_FAILED_PRECONDITION, "Ticket is not a table");
        else
            reply_table_creation(x, m->ticket.data, m->ticket.len, obj);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* TableServiceGrpcImpl.fetchTable (oneShotOperationWrapper + FetchTableGrpcImpl). */
static void h_fetch_table(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(FetchTableRequest) *m =
        (DHPB(FetchTableRequest) *)unpack_in_session(x, &DHPB_DESC(fetch_table_request), req, len);
    if (!m)
        return;
    char name[512];
    const DHPB(TableReference) *src_ref = m->source_id;
    if (!m->result_id || m->result_id->ticket.len == 0) {
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    } else if (log_name(x, m->result_id->ticket.data, m->result_id->ticket.len, "TableService",
                        name, sizeof name) != 0) {
        /* finished */
    } else if (!src_ref || src_ref->ref_case != DHPB_REF_TICKET || !src_ref->ticket) {
        finish(x, GRPC_STATUS_FAILED_PRECONDITION,
               "One-shot operations must use ticket references");
    } else {
        const struct demo_object *obj;
        struct demo_source *src =
            resolve(x, src_ref->ticket->ticket.data, src_ref->ticket->ticket.len, "sourceId");
        struct demo_export *e = src ? export_source(x, src, m->result_id, 1) : NULL;
        if (e && wait_exported(x, e, &obj) == 0)
            reply_table_creation(x, m->result_id->ticket.data, m->result_id->ticket.len, obj);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* The source and result of a batch operation dhtui's subset knows. */
static void op_refs(const DHPB(BatchTableRequest__Operation) *op, DHPB(TableReference) **src,
                    DHPB(Ticket) **result)
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
    default: break;
    }
}

/* Run operation i of a batch: 0 with *out (referenced), -1 with st. res: earlier results. */
static int run_op(struct call_ctx *x, const DHPB(BatchTableRequest__Operation) *op, size_t i,
                  const struct demo_object *const *res, const struct demo_object **out,
                  struct demo_status *st)
{
    DHPB(TableReference) *src_ref;
    DHPB(Ticket) *result;
    op_refs(op, &src_ref, &result);
    *out = NULL;
    const struct demo_object *src = NULL;
    if (!src_ref) {
        demo_status_set(st, op->op_case ? GRPC_STATUS_INVALID_ARGUMENT : GRPC_STATUS_UNIMPLEMENTED,
                        op->op_case ? "No source table reference supplied"
                                    : "the demo server does not implement this batch operation");
        return -1;
    }
    if (src_ref->ref_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_BATCH_OFFSET) {
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
        int rc = demo_source_wait(x->app->reg, ds, stop_hook, x, &src, st);
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
    if (op->op_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FETCH_TABLE) {
        *out = src;
        demo_object_ref(src);
        rc = 0;
    } else {
        rc = demo_derive(src, op, out, st);
    }
    demo_object_unref(src);
    if (rc != 0 || !result || result->ticket.len == 0)
        return rc;
    struct demo_export *e = demo_export_create_object(x->app->reg, x->s, *out, result->ticket.data,
                                                      result->ticket.len, "resultId", st);
    const struct demo_object *exported = NULL;
    rc = e ? demo_export_wait(x->app->reg, e, stop_hook, x, &exported, st) : -1;
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
        finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
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
        DHPB(TableReference) *src_ref;
        DHPB(Ticket) *result;
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
        snprintf(info, sizeof info, "%s", res[i] ? "" : failed && st.code ? st.msg
                                                                         : "dependency failed");
        if (send_table_creation(x, &ref, res[i], info) != 0)
            goto done;
    }
    if (failed) {
        finish_status(x, &first);
    } else if (one_shot) {
        DHPB(TableReference) *src_ref;
        DHPB(Ticket) *result;
        op_refs(ops[0], &src_ref, &result);
        if (result && result->ticket.len)
            reply_table_creation(x, result->ticket.data, result->ticket.len, res[0]);
        else
            finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    } else {
        finish(x, GRPC_STATUS_OK, "");
    }
done:
    for (size_t i = 0; i < n; i++)
        demo_object_unref(res[i]);
    free(res);
}

static void h_batch(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(BatchTableRequest) *m =
        (DHPB(BatchTableRequest) *)unpack_in_session(x, &DHPB_DESC(batch_table_request), req, len);
    if (!m)
        return;
    if (m->n_ops == 0)
        finish(x, GRPC_STATUS_INVALID_ARGUMENT,
               "io.deephaven.proto.backplane.grpc.BatchTableRequest must have at least one ops");
    else
        run_batch(x, m->ops, m->n_ops, 0);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* One-shot Sort / Filter / UnstructuredFilter: a batch of one (oneShotOperationWrapper). */
static void one_shot(struct call_ctx *x, DHPB(BatchTableRequest__Operation) *op)
{
    DHPB(TableReference) *src_ref;
    DHPB(Ticket) *result;
    op_refs(op, &src_ref, &result);
    if (!result || result->ticket.len == 0)
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, "No result ticket supplied");
    else if (!src_ref || src_ref->ref_case != DHPB_REF_TICKET || !src_ref->ticket)
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, "One-shot operations must use ticket references");
    else
        run_batch(x, &op, 1, 1);
}

static void h_sort(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(SortTableRequest) *m =
        (DHPB(SortTableRequest) *)unpack_in_session(x, &DHPB_DESC(sort_table_request), req, len);
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
    DHPB(FilterTableRequest) *m = (DHPB(FilterTableRequest) *)unpack_in_session(
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
    DHPB(UnstructuredFilterTableRequest) *m = (DHPB(UnstructuredFilterTableRequest) *)
        unpack_in_session(x, &DHPB_DESC(unstructured_filter_table_request), req, len);
    if (!m)
        return;
    DHPB(BatchTableRequest__Operation) op = DHPB_INIT(BATCH_TABLE_REQUEST__OPERATION);
    op.op_case =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER;
    op.unstructured_filter = m;
    one_shot(x, &op);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* ---------------------------------------------------------------- ApplicationService */

/* ApplicationServiceGrpcImpl.listFields: everything as created, then deltas. */
static void h_list_fields(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    uint8_t *data;
    size_t n;
    struct demo_fields_sub *sub = demo_fields_subscribe(x->app->reg, x->s, &data, &n);
    if (!sub) {
        finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        return;
    }
    if (demo_call_send_owned(x->c, data, n) == 0) {
        for (;;) {
            int rc = demo_fields_next(x->app->reg, sub, stop_hook, x, &data, &n);
            if (rc == 1 && demo_call_send_owned(x->c, data, n) == 0)
                continue;
            if (rc == 0) /* Subscription.notifyObserverCancelled */
                finish(x, GRPC_STATUS_CANCELLED, "subscription cancelled");
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
    size_t n_refs;
};

/* ObjectServiceGrpcImpl.getObjectTypeInstance plus the FetchOnly plugin's single message
 * (FigureWidgetTypePlugin for figures; other plugin objects send an empty payload). 0, or
 * -1 after finishing the call. */
static int plugin_fetch(struct call_ctx *x, const char *type, const struct demo_object *obj,
                        struct plugin_data *pd)
{
    memset(pd, 0, sizeof *pd);
    char msg[600];
    if (demo_object_is_table(obj)) {
        snprintf(msg, sizeof msg, "No ObjectType found, expected type '%s'", type);
        finish(x, GRPC_STATUS_NOT_FOUND, msg);
        return -1;
    }
    const char *actual = demo_object_type(obj);
    if (strcmp(type, actual) != 0) {
        snprintf(msg, sizeof msg, "Unexpected ObjectType, expected type '%s', actual type '%s'",
                 type, actual);
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        return -1;
    }
    if (strcmp(actual, "Figure") != 0)
        return 0;
    const struct demo_object *tables[MAX_FIGURE_TABLES];
    size_t n_tables = MAX_FIGURE_TABLES;
    char err[DEMO_ERR_MAX] = "";
    if (demo_encode_figure(obj, &pd->payload, &pd->payload_len, tables, &n_tables, err) != 0) {
        finish_internal(x, err);
        return -1;
    }
    for (size_t i = 0; i < n_tables && i < MAX_FIGURE_TABLES; i++) {
        if (demo_server_export(x->app->reg, x->s, tables[i], &pd->ids[i]) != 0) {
            free(pd->payload);
            pd->payload = NULL;
            finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
            return -1;
        }
        pd->n_refs++;
    }
    return 0;
}

/* Typed tickets 'e'+id for the references, all typed "Table" (TypeLookup.type). */
struct typed_refs {
    uint8_t bytes[MAX_FIGURE_TABLES][5];
    DHPB(Ticket) t[MAX_FIGURE_TABLES];
    DHPB(TypedTicket) tt[MAX_FIGURE_TABLES];
    DHPB(TypedTicket) *ptrs[MAX_FIGURE_TABLES];
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
        r->tt[i].type = (char *)"Table";
        r->ptrs[i] = &r->tt[i];
    }
}

/* The type and ticket of the object a FetchObject or MessageStream names; 0, or -1
 * after finishing the call when one is missing. */
static int typed_ticket_parts(struct call_ctx *x, const DHPB(TypedTicket) *id, const char **type,
                              const DHPB(Ticket) **tk)
{
    *type = id && id->type ? id->type : "";
    *tk = id ? id->ticket : NULL;
    if (!**type) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No type supplied");
        return -1;
    }
    if (!*tk || (*tk)->ticket.len == 0) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "No ticket supplied");
        return -1;
    }
    return 0;
}

/* ObjectServiceGrpcImpl.fetchObject (deprecated, fetch-only objects). */
static void h_fetch_object(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(FetchObjectRequest) *m =
        (DHPB(FetchObjectRequest) *)unpack_in_session(x, &DHPB_DESC(fetch_object_request), req, len);
    if (!m)
        return;
    const char *type;
    const DHPB(Ticket) *tk;
    char name[512];
    const struct demo_object *obj;
    struct plugin_data pd;
    if (typed_ticket_parts(x, m->source_id, &type, &tk) == 0 &&
        fetch_source(x, tk->ticket.data, tk->ticket.len, "sourceId", name, sizeof name, &obj) == 0 &&
        plugin_fetch(x, type, obj, &pd) == 0) {
        struct typed_refs refs;
        typed_refs_fill(&refs, &pd);
        DHPB(FetchObjectResponse) resp = DHPB_INIT(FETCH_OBJECT_RESPONSE);
        resp.type = (char *)type;
        resp.data.data = pd.payload;
        resp.data.len = pd.payload_len;
        resp.n_typed_export_ids = pd.n_refs;
        resp.typed_export_ids = refs.ptrs;
        reply(x, &resp.base);
        free(pd.payload);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Stop hook for MessageStream: the client went away or the session ended. */
static int stop_or_session_end(void *ctx)
{
    struct call_ctx *x = ctx;
    return demo_call_is_dead(x->c) || !demo_session_alive(x->app->reg, x->s);
}

/* Handle the connect message of a MessageStream; finishes the call in every case
 * (a fetch-only plugin sends one message and closes: ObjectTypeBase.FetchOnly). */
static void message_stream_connect(struct call_ctx *x, const DHPB(ConnectRequest) *conn)
{
    const char *type;
    const DHPB(Ticket) *tk;
    const struct demo_object *obj;
    if (typed_ticket_parts(x, conn ? conn->source_id : NULL, &type, &tk) != 0)
        return;
    int rc = wait_source(x, tk->ticket.data, tk->ticket.len, "sourceId", stop_or_session_end, &obj);
    if (rc == 1 && !demo_call_is_dead(x->c))
        finish(x, GRPC_STATUS_CANCELLED, "Session closed");
    if (rc != 0)
        return;
    struct plugin_data pd;
    if (plugin_fetch(x, type, obj, &pd) != 0)
        return;
    struct typed_refs refs;
    typed_refs_fill(&refs, &pd);
    DHPB(ServerData) data = DHPB_INIT(SERVER_DATA);
    data.payload.data = pd.payload;
    data.payload.len = pd.payload_len;
    data.n_exported_references = pd.n_refs;
    data.exported_references = refs.ptrs;
    DHPB(StreamResponse) resp = DHPB_INIT(STREAM_RESPONSE);
    resp.message_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_RESPONSE__MESSAGE_DATA;
    resp.data = &data;
    reply(x, &resp.base);
    free(pd.payload);
}

/* ObjectServiceGrpcImpl.messageStream (SendMessageObserver). */
static void h_message_stream(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, 100);
        if (rc == DEMO_RECV_DEAD)
            return;
        if (rc == DEMO_RECV_END) {
            finish(x, GRPC_STATUS_OK, ""); /* onCompleted */
            return;
        }
        if (rc == DEMO_RECV_TIMEOUT) {
            /* SessionServiceInterceptor: MessageStream is cancelled when the session closes. */
            if (!demo_session_alive(x->app->reg, x->s)) {
                finish(x, GRPC_STATUS_CANCELLED, "Session closed");
                return;
            }
            continue;
        }
        DHPB(StreamRequest) *m =
            (DHPB(StreamRequest) *)unpack(x, &DHPB_DESC(stream_request), data, n);
        free(data);
        if (!m)
            return;
        switch (m->message_case) {
        case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_CONNECT:
            message_stream_connect(x, m->connect);
            break;
        case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__STREAM_REQUEST__MESSAGE_DATA:
            finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Data message sent before Connect message");
            break;
        default: /* GrpcErrorHelper.checkHasOneOf */
            finish(x, GRPC_STATUS_INVALID_ARGUMENT,
                   "io.deephaven.proto.backplane.grpc.StreamRequest must have oneof message. "
                   "Note: this may also indicate that the server is older than the client and "
                   "doesn't know about this new oneof option.");
            break;
        }
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return;
    }
}

/* ---------------------------------------------------------------- FlightService */

/* Encoder callback: wrap one message in FlightData and send it; non-zero stops. */
static int emit_flight(void *ctx, const struct demo_flight_msg *msg)
{
    struct call_ctx *x = ctx;
    FLPB(FlightData) fd = FLPB_INIT(FLIGHT_DATA);
    fd.data_header.data = msg->header;
    fd.data_header.len = msg->header_len;
    fd.app_metadata.data = msg->app_metadata;
    fd.app_metadata.len = msg->app_metadata ? msg->app_metadata_len : 0;
    fd.data_body.data = msg->body;
    fd.data_body.len = msg->body ? msg->body_len : 0;
    uint8_t *buf;
    size_t len;
    if (demo_pb_pack(&fd.base, &buf, &len) != 0)
        return 1;
    return demo_call_send_owned(x->c, buf, len) != 0;
}

/* An encoder error: "STATUS_NAME: message" gives that status, anything else is internal. */
static void finish_encoder_error(struct call_ctx *x, const char *err)
{
    static const struct {
        const char *name;
        int code;
    } names[] = {
        {"INVALID_ARGUMENT: ", GRPC_STATUS_INVALID_ARGUMENT},
        {"FAILED_PRECONDITION: ", GRPC_STATUS_FAILED_PRECONDITION},
        {"NOT_FOUND: ", GRPC_STATUS_NOT_FOUND},
        {"RESOURCE_EXHAUSTED: ", GRPC_STATUS_RESOURCE_EXHAUSTED},
        {"UNIMPLEMENTED: ", GRPC_STATUS_UNIMPLEMENTED},
    };
    if (demo_call_is_dead(x->c))
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i].name);
        if (strncmp(err, names[i].name, k) == 0) {
            finish(x, names[i].code, err + k);
            return;
        }
    }
    finish_internal(x, err);
}

/* ArrowFlightUtil.DoGetCustom */
static void h_do_get(struct call_ctx *x, const uint8_t *req, size_t len)
{
    FLPB(Ticket) *m = (FLPB(Ticket) *)unpack_in_session(x, &FLPB_DESC(ticket), req, len);
    if (!m)
        return;
    char name[512], msg[700];
    const struct demo_object *obj;
    if (fetch_source(x, m->ticket.data, m->ticket.len, "table", name, sizeof name, &obj) == 0) {
        if (!demo_object_is_table(obj)) {
            snprintf(msg, sizeof msg, "Ticket (%s) is not a subscribable table.", name);
            finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        } else {
            char err[DEMO_ERR_MAX] = "";
            if (demo_encode_doget(obj, emit_flight, x, err) == 0)
                finish(x, GRPC_STATUS_OK, "");
            else
                finish_encoder_error(x, err);
        }
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* The parts of a FlightData's Barrage app_metadata (BarrageProtoUtil.parseProtoMessage). */
struct barrage_msg {
    int has_wrapper;        /* app_metadata present with the right magic */
    int msg_type;           /* BarrageMessageType (a Java byte) */
    const uint8_t *payload; /* msg_payload: a nested flatbuffer */
    size_t payload_len;
};

/* Parse one client FlightData; 0, or -1 after finishing the call. *fd_out keeps the
 * unpacked message (the views point into it). */
static int parse_exchange_msg(struct call_ctx *x, const uint8_t *data, size_t n,
                              FLPB(FlightData) **fd_out, struct barrage_msg *bm)
{
    memset(bm, 0, sizeof *bm);
    *fd_out = NULL;
    struct demo_status st;
    FLPB(FlightData) *fd =
        (FLPB(FlightData) *)protobuf_c_message_unpack(&FLPB_DESC(flight_data), NULL, n, data);
    if (!fd) {
        demo_status_obfuscated(x->app->reg, &st, "IOException: malformed FlightData");
        finish_status(x, &st);
        return -1;
    }
    if (fd->app_metadata.len == 0) {
        *fd_out = fd;
        return 0;
    }
    struct dh_fb_table t;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_fb_root(fd->app_metadata.data, fd->app_metadata.len, &t, &err) != DH_OK)
        goto bad;
    if (dh_fb_u32(&t, 0, 0) == BARRAGE_MAGIC) {
        bm->has_wrapper = 1;
        bm->msg_type = dh_fb_i8(&t, 1, 0);
        if (dh_fb_bytes(&t, 2, &bm->payload, &bm->payload_len, &err) != DH_OK)
            goto bad;
    } /* else "received invalid magic": treated as no metadata */
    *fd_out = fd;
    return 0;
bad:
    protobuf_c_message_free_unpacked(&fd->base, NULL);
    memset(bm, 0, sizeof *bm);
    demo_status_obfuscated(x->app->reg, &st, err.msg);
    finish_status(x, &st);
    return -1;
}

/* Wait for the client's next FlightData of an exchange. 1 with *fd (free it) and *bm;
 * 0 when the client half-closed; -1 when the call is over (client gone, or finished
 * on a malformed message). */
static int next_exchange_msg(struct call_ctx *x, FLPB(FlightData) **fd, struct barrage_msg *bm)
{
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, -1);
        if (rc == DEMO_RECV_DEAD)
            return -1;
        if (rc == DEMO_RECV_END)
            return 0;
        if (rc != DEMO_RECV_MSG)
            continue;
        int prc = parse_exchange_msg(x, data, n, fd, bm);
        free(data);
        return prc == 0 ? 1 : -1;
    }
}

/* The snapshot request's ticket bytes (BarrageSnapshotRequest.ticket); -1 after
 * finishing the call (upstream: NullPointer/IndexOutOfBounds, obfuscated). */
static int snapshot_ticket(struct call_ctx *x, const struct barrage_msg *bm, const uint8_t **t,
                           size_t *n)
{
    struct dh_fb_table req;
    struct dh_error err;
    struct demo_status st;
    dh_error_clear(&err);
    *t = NULL;
    *n = 0;
    if (!bm->payload || dh_fb_root(bm->payload, bm->payload_len, &req, &err) != DH_OK ||
        dh_fb_bytes(&req, 0, t, n, &err) != DH_OK || !*t) {
        demo_status_obfuscated(x->app->reg, &st,
                               err.msg[0] ? err.msg : "NullPointerException: no snapshot ticket");
        finish_status(x, &st);
        return -1;
    }
    return 0;
}

/* Read the rest of a snapshot exchange until the client half-closes
 * (BarrageSnapshotRequestHandler: OK only after sending is done and the client closed). */
static void snapshot_drain(struct call_ctx *x)
{
    FLPB(FlightData) *fd;
    struct barrage_msg bm;
    int rc = next_exchange_msg(x, &fd, &bm);
    if (rc == 0)
        finish(x, GRPC_STATUS_OK, "");
    if (rc != 1)
        return;
    struct demo_status st;
    if (bm.has_wrapper && bm.msg_type != BARRAGE_SNAPSHOT_REQUEST) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT,
               "Request type cannot be changed after initialization, expected "
               "BarrageSnapshotRequest metadata");
    } else {
        demo_status_obfuscated(x->app->reg, &st,
                               bm.has_wrapper
                                   ? "IllegalStateException: Can't finish streaming twice"
                                   : "NullPointerException: message without app_metadata");
        finish_status(x, &st);
    }
    protobuf_c_message_free_unpacked(&fd->base, NULL);
}

/* BarrageSnapshotRequestHandler.handleMessage (msg_type 7). */
static void exchange_snapshot(struct call_ctx *x, const FLPB(FlightData) *fd,
                              const struct barrage_msg *bm)
{
    const uint8_t *t;
    size_t n;
    char name[512], msg[700];
    const struct demo_object *obj;
    if (snapshot_ticket(x, bm, &t, &n) != 0 ||
        fetch_source(x, t, n, "table", name, sizeof name, &obj) != 0)
        return;
    if (!demo_object_is_table(obj)) {
        /* ExchangeMarshaller.getMarshaller finds none (the message's grammar is upstream's). */
        snprintf(msg, sizeof msg, "Ticket (%s) is has no associated exchange marshaller.", name);
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
        return;
    }
    char err[DEMO_ERR_MAX] = "";
    if (demo_encode_barrage_snapshot(obj, fd->app_metadata.data, fd->app_metadata.len, emit_flight,
                                     x, err) != 0) {
        finish_encoder_error(x, err);
        return;
    }
    snapshot_drain(x);
}

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A subscription failed: the session ending wins (CANCELLED, as MessageStream), else the
 * encoder's status (nothing when the client is gone). */
static void subscription_fail(struct call_ctx *x, const char *err)
{
    if (!demo_call_is_dead(x->c) && !demo_session_alive(x->app->reg, x->s))
        finish(x, GRPC_STATUS_CANCELLED, "Session closed");
    else
        finish_encoder_error(x, err);
}

/* A later FlightData of a subscription (BarrageSubscriptionRequestHandler.handleMessage
 * after subscribing: validateMessage, then apply). 0, or -1 after finishing the call. */
static int subscription_message(struct call_ctx *x, struct demo_sub *sub, const uint8_t *data,
                                size_t n)
{
    FLPB(FlightData) *fd;
    struct barrage_msg bm;
    struct demo_status st;
    if (parse_exchange_msg(x, data, n, &fd, &bm) != 0)
        return -1;
    char err[DEMO_ERR_MAX] = "";
    struct demo_sub_request q;
    demo_sub_request_init(&q);
    int rc = -1;
    if (!bm.has_wrapper) {
        demo_status_obfuscated(x->app->reg, &st,
                               "NullPointerException: message without app_metadata");
        finish_status(x, &st);
    } else if (bm.msg_type != BARRAGE_SUBSCRIPTION_REQUEST) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT,
               "Request type cannot be changed after initialization, expected "
               "BarrageSubscriptionRequest metadata");
    } else if (!bm.payload) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Subscription request not supplied");
    } else if (demo_sub_request_parse(fd->app_metadata.data, fd->app_metadata.len, &q, err) != 0 ||
               demo_sub_change(sub, &q, emit_flight, x, err) != 0) {
        subscription_fail(x, err);
    } else {
        rc = 0;
    }
    demo_sub_request_reset(&q);
    protobuf_c_message_free_unpacked(&fd->base, NULL);
    return rc;
}

/* Serve a started subscription until the client half-closes (OK, as upstream completes
 * the listener when the subscription closes), cancels, or the session ends: read later
 * requests, and every interval send an update if the table grew. The wait never exceeds
 * 100 ms so cancellation and session end are noticed promptly. */
static void subscription_loop(struct call_ctx *x, struct demo_sub *sub)
{
    int64_t interval = demo_sub_interval_ms(sub);
    int64_t next = now_ms() + interval;
    char err[DEMO_ERR_MAX] = "";
    for (;;) {
        int64_t wait = next - now_ms();
        wait = wait < 0 ? 0 : wait > 100 ? 100 : wait;
        uint8_t *data;
        size_t n;
        int rc = demo_call_recv(x->c, &data, &n, (int)wait);
        if (rc == DEMO_RECV_DEAD)
            return;
        if (rc == DEMO_RECV_MSG) {
            int mrc = subscription_message(x, sub, data, n);
            free(data);
            if (mrc != 0)
                return;
            continue;
        }
        if (rc == DEMO_RECV_END) {
            finish(x, GRPC_STATUS_OK, "");
            return;
        }
        if (demo_call_is_dead(x->c))
            return;
        if (!demo_session_alive(x->app->reg, x->s)) {
            finish(x, GRPC_STATUS_CANCELLED, "Session closed");
            return;
        }
        int64_t now = now_ms();
        if (now < next)
            continue;
        next = next + interval > now ? next + interval : now + interval;
        if (demo_sub_tick(sub, emit_flight, x, err) != 0) {
            subscription_fail(x, err);
            return;
        }
    }
}

/* BarrageSubscriptionRequestHandler + BarrageMessageProducer (msg_type 5). The demo
 * serves viewport subscriptions only: full-table subscriptions and reverse viewports
 * end with UNIMPLEMENTED (demo_sub_new says so). */
static void exchange_subscription(struct call_ctx *x, const FLPB(FlightData) *fd,
                                  const struct barrage_msg *bm)
{
    char name[512], msg[700], err[DEMO_ERR_MAX] = "";
    const struct demo_object *obj;
    struct demo_sub_request q;
    demo_sub_request_init(&q);
    if (!bm->payload) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Subscription request not supplied");
    } else if (demo_sub_request_parse(fd->app_metadata.data, fd->app_metadata.len, &q, err) != 0) {
        finish_encoder_error(x, err);
    } else if (!q.ticket) {
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Ticket not specified.");
    } else if (fetch_source(x, q.ticket, q.ticket_len, "table", name, sizeof name, &obj) != 0) {
        /* finished, or the client went away */
    } else if (!demo_object_is_table(obj)) {
        snprintf(msg, sizeof msg, "Ticket (%s) is not a subscribable table.", name);
        finish(x, GRPC_STATUS_FAILED_PRECONDITION, msg);
    } else {
        struct demo_sub *sub = demo_sub_new(obj, &q, err);
        /* sends also give up when the session ends (then CANCELLED, below) */
        demo_call_set_stop_fn(x->c, stop_or_session_end, x);
        if (!sub)
            finish_encoder_error(x, err);
        else if (demo_sub_start(sub, emit_flight, x, err) != 0)
            subscription_fail(x, err);
        else
            subscription_loop(x, sub);
        demo_call_set_stop_fn(x->c, stop_hook, x);
        demo_sub_free(sub);
    }
    demo_sub_request_reset(&q);
}

/* ArrowFlightUtil.DoExchangeMarshaller.onNext: route a request by its type. */
static void exchange_route(struct call_ctx *x, const char *prefix, const FLPB(FlightData) *fd,
                           const struct barrage_msg *bm)
{
    char msg[256];
    if (!bm->has_wrapper) {
        snprintf(msg, sizeof msg, "%sfailed to receive Barrage request metadata", prefix);
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
    } else if (bm->msg_type == BARRAGE_SNAPSHOT_REQUEST) {
        exchange_snapshot(x, fd, bm);
    } else if (bm->msg_type == BARRAGE_SUBSCRIPTION_REQUEST) {
        exchange_subscription(x, fd, bm);
    } else {
        snprintf(msg, sizeof msg, "%sreceived a message with unhandled BarrageMessageType: %d",
                 prefix, bm->msg_type);
        finish(x, GRPC_STATUS_INVALID_ARGUMENT, msg);
    }
}

/* FlightService.DoExchange: the first request with Barrage metadata decides the exchange. */
static void h_do_exchange(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (need_session(x) != 0)
        return;
    char prefix[64];
    snprintf(prefix, sizeof prefix,
             "DoExchangeMarshaller{%x}: ", (unsigned)(((uintptr_t)x >> 4) & 0x7fffffffu));
    for (int first = 1;; first = 0) {
        FLPB(FlightData) *fd;
        struct barrage_msg bm;
        int rc = next_exchange_msg(x, &fd, &bm);
        if (rc == 0) {
            /* Upstream closes its side without completing the call: it stays open until
             * the client cancels (or the server stops). */
            while (!demo_call_wait_dead(x->c, 1000)) {
            }
        }
        if (rc != 1)
            return;
        if (first && !bm.has_wrapper) { /* pyarrow first sends only the "dphn" descriptor */
            protobuf_c_message_free_unpacked(&fd->base, NULL);
            continue;
        }
        exchange_route(x, prefix, fd, &bm);
        protobuf_c_message_free_unpacked(&fd->base, NULL);
        return;
    }
}

/* ---------------------------------------------------------------- dispatch */

#define DH_SVC(s, m) "/io.deephaven.proto.backplane.grpc." s "/" m
#define FLIGHT_SVC(m) "/arrow.flight.protocol.FlightService/" m

static const struct method methods[] = {
    {DH_SVC("ConfigService", "GetAuthenticationConstants"), UNARY, h_get_auth_constants,
     &DHPB_DESC(authentication_constants_request)},
    {DH_SVC("ConfigService", "GetConfigurationConstants"), UNARY, h_get_config_constants,
     &DHPB_DESC(configuration_constants_request)},
    {DH_SVC("SessionService", "CloseSession"), UNARY, h_close_session,
     &DHPB_DESC(handshake_request)},
    {DH_SVC("SessionService", "Release"), UNARY, h_release, &DHPB_DESC(release_request)},
    {DH_SVC("SessionService", "ExportFromTicket"), UNARY, h_export_from_ticket,
     &DHPB_DESC(export_request)},
    {DH_SVC("SessionService", "PublishFromTicket"), UNARY, h_publish_from_ticket,
     &DHPB_DESC(publish_request)},
    {DH_SVC("SessionService", "ExportNotifications"), SERVER_STREAM, h_export_notifications,
     &DHPB_DESC(export_notification_request)},
    {DH_SVC("SessionService", "TerminationNotification"), UNARY, h_termination_notification,
     &DHPB_DESC(termination_notification_request)},
    {DH_SVC("TableService", "GetExportedTableCreationResponse"), UNARY, h_get_etcr,
     &DHPB_DESC(ticket)},
    {DH_SVC("TableService", "FetchTable"), UNARY, h_fetch_table, &DHPB_DESC(fetch_table_request)},
    {DH_SVC("TableService", "Batch"), SERVER_STREAM, h_batch, &DHPB_DESC(batch_table_request)},
    {DH_SVC("TableService", "Sort"), UNARY, h_sort, &DHPB_DESC(sort_table_request)},
    {DH_SVC("TableService", "Filter"), UNARY, h_filter, &DHPB_DESC(filter_table_request)},
    {DH_SVC("TableService", "UnstructuredFilter"), UNARY, h_unstructured_filter,
     &DHPB_DESC(unstructured_filter_table_request)},
    {DH_SVC("ApplicationService", "ListFields"), SERVER_STREAM, h_list_fields,
     &DHPB_DESC(list_fields_request)},
    {DH_SVC("ObjectService", "FetchObject"), UNARY, h_fetch_object,
     &DHPB_DESC(fetch_object_request)},
    {DH_SVC("ObjectService", "MessageStream"), BIDI, h_message_stream, NULL},
    {FLIGHT_SVC("DoGet"), SERVER_STREAM, h_do_get, &FLPB_DESC(ticket)},
    {FLIGHT_SVC("DoExchange"), BIDI, h_do_exchange, NULL},
};

/* Upstream methods (docs/PROTOCOL.md, Services and method paths) this test peer does not serve. */
static const char *const unserved[] = {
    DH_SVC("SessionService", "NewSession"),
    DH_SVC("SessionService", "RefreshSessionToken"),
    DH_SVC("TableService", "EmptyTable"),
    DH_SVC("TableService", "TimeTable"),
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/StartConsole",
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/ExecuteCommand",
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/BindTableToVariable",
    FLIGHT_SVC("Handshake"),
    FLIGHT_SVC("GetFlightInfo"),
    FLIGHT_SVC("GetSchema"),
    FLIGHT_SVC("DoPut"),
    FLIGHT_SVC("ListFlights"),
};

static const struct method *find_method(const char *path)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].path, path) == 0)
            return &methods[i];
    return NULL;
}

/* SessionServiceInterceptor.interceptCall: a header, if any, must authenticate. 0 or -1
 * after finishing the call. */
static int authenticate(struct call_ctx *x)
{
    /* Room for OIDC-sized credentials (clients send up to 64 KB). */
    enum { AUTH_HEADER_MAX = 96 * 1024 };
    char *value = malloc(AUTH_HEADER_MAX);
    if (!value) {
        finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    int too_long = 0;
    int rc = 0;
    if (demo_call_header(x->c, "authorization", value, AUTH_HEADER_MAX, &too_long) != 0 &&
        !too_long) {
        rc = 0; /* no header: handlers needing a session say UNAUTHENTICATED */
    } else if (too_long || demo_auth(x->app->reg, value, &x->s) != 0) {
        finish(x, GRPC_STATUS_UNAUTHENTICATED, "Authentication details invalid");
        rc = -1;
    }
    free(value);
    return rc;
}

/* A method this server lacks: UNIMPLEMENTED, saying so by name for upstream ones. */
static void finish_unknown_method(struct demo_call *call)
{
    char msg[600];
    const char *path = demo_call_method(call);
    int upstream = 0;
    for (size_t i = 0; i < sizeof unserved / sizeof unserved[0]; i++)
        upstream |= strcmp(path, unserved[i]) == 0;
    if (upstream) /* a real server has it: say that this one does not */
        snprintf(msg, sizeof msg, "dhtui demo server: %s is not implemented",
                 strrchr(path, '/') + 1);
    else /* grpc-java's answer for a method no service registered */
        snprintf(msg, sizeof msg, "Method not found: %.500s", path[0] == '/' ? path + 1 : path);
    demo_call_finish(call, GRPC_STATUS_UNIMPLEMENTED, msg);
}

/* Receive the one request of a non-BIDI call and check that it parses as m's request.
 * 0 with *req (free it); -1 when the call is over (finished, or the client went away). */
static int recv_request(struct call_ctx *x, const struct method *m, uint8_t **req, size_t *len)
{
    int rc = demo_call_recv(x->c, req, len, -1);
    while (rc == DEMO_RECV_TIMEOUT && !demo_call_is_dead(x->c))
        rc = demo_call_recv(x->c, req, len, -1);
    if (rc == DEMO_RECV_END)
        finish(x, GRPC_STATUS_INTERNAL, "Half-closed without a request");
    if (rc != DEMO_RECV_MSG)
        return -1;
    ProtobufCMessage *check = unpack(x, m->request, *req, *len);
    if (!check) {
        free(*req);
        *req = NULL;
        return -1;
    }
    protobuf_c_message_free_unpacked(check, NULL);
    return 0;
}

void demo_handle_call(void *app, struct demo_call *call)
{
    struct call_ctx x = {app, call, NULL, {NULL}, 0};
    const struct method *m = find_method(demo_call_method(call));
    if (!m) {
        finish_unknown_method(call);
        return;
    }
    if (authenticate(&x) != 0)
        return;
    demo_call_set_header_fn(call, bearer_hook, &x);
    demo_call_set_stop_fn(call, stop_hook, &x);
    uint8_t *req = NULL;
    size_t len = 0;
    if (m->kind == BIDI || recv_request(&x, m, &req, &len) == 0) {
        m->fn(&x, req, len);
        free(req);
        if (!demo_call_finished(call) && !demo_call_is_dead(call))
            demo_call_finish(call, GRPC_STATUS_INTERNAL,
                             "demo server: handler ended without a status");
    }
    demo_call_finish(call, GRPC_STATUS_CANCELLED, "");
    /* x lives on this stack: the rpc layer must not call back into it. */
    demo_call_set_header_fn(call, NULL, NULL);
    demo_call_set_stop_fn(call, NULL, NULL);
    demo_session_unref(x.app->reg, x.s);
    for (size_t i = 0; i < x.n_held; i++)
        demo_object_unref(x.held[i]);
}
