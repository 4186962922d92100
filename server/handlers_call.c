/* SPDX-License-Identifier: MIT */
/* handlers_call: the helpers every demo-server handler starts and ends a call with
 * (declared in handlers_internal.h). */

#include "handlers_internal.h"

#include "tickets.h"

/* Keep a referenced object until the call ends. */
void call_hold(struct call_ctx *x, const struct demo_object *obj)
{
    if (x->n_held < sizeof x->held / sizeof x->held[0])
        x->held[x->n_held++] = obj;
    else
        demo_object_unref(obj); /* only catalogue objects reach here in practice */
}

void call_finish(struct call_ctx *x, int code, const char *msg)
{
    demo_call_finish(x->c, (grpc_status_code)code, msg);
}

void call_finish_status(struct call_ctx *x, const struct demo_status *st)
{
    call_finish(x, st->code, st->msg);
}

/* Send a message and finish OK (a unary reply). */
void call_reply(struct call_ctx *x, const ProtobufCMessage *m)
{
    uint8_t *buf;
    size_t len;
    if (demo_pb_pack(m, &buf, &len) != 0) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return;
    }
    if (demo_call_send_owned(x->c, buf, len) == 0)
        call_finish(x, GRPC_STATUS_OK, "");
}

/* Header hook: the current bearer token of the call's session (InterceptedCall.addHeaders). */
int call_bearer_hook(void *ctx, char *value, size_t cap)
{
    struct call_ctx *x = ctx;
    return x->s && demo_session_bearer(x->app->reg, x->s, value, cap);
}

/* Stop hook: the client went away. */
int call_stop_hook(void *ctx)
{
    struct call_ctx *x = ctx;
    return demo_call_is_dead(x->c);
}

/* SessionService.getCurrentSession: UNAUTHENTICATED with no message without a live session. */
int call_need_session(struct call_ctx *x)
{
    if (x->s && demo_session_alive(x->app->reg, x->s))
        return 0;
    call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "");
    return -1;
}

/* Unpack a request; on failure end the call as grpc-java does when a request does not
 * parse (ServerImpl.JumpToApplicationThreadServerStreamListener.internalClose). */
ProtobufCMessage *call_unpack(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                              const uint8_t *req, size_t len)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, req);
    if (!m)
        call_finish(x, GRPC_STATUS_UNKNOWN, "Application error processing RPC");
    return m;
}

/* need_session, then unpack: how most handlers start. NULL after finishing the call. */
ProtobufCMessage *call_unpack_in_session(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                                         const uint8_t *req, size_t len)
{
    return call_need_session(x) == 0 ? call_unpack(x, d, req, len) : NULL;
}

/* An internal failure in a non-export's work: FAILED_PRECONDITION "Details Logged w/ID". */
void call_finish_internal(struct call_ctx *x, const char *why)
{
    struct demo_status st;
    demo_status_obfuscated(x->app->reg, &st, why);
    call_finish(x, GRPC_STATUS_FAILED_PRECONDITION, st.msg);
}

/* Resolve a ticket for the call's session; NULL after finishing the call (demo_resolve
 * fails only when out of memory). */
struct demo_source *call_resolve(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id)
{
    struct demo_source *src = demo_resolve(x->app->reg, x->s, t, n, log_id);
    if (!src)
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return src;
}

/* Resolve a ticket and wait for its object as a non-export consumer. 0 with *obj; 1
 * when `stop` fired (the call is not finished); -1 after finishing the call. */
int call_wait_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                     demo_stop_fn stop, const struct demo_object **obj)
{
    struct demo_source *src = call_resolve(x, t, n, log_id);
    if (!src)
        return -1;
    struct demo_status st;
    int rc = demo_source_wait(x->app->reg, src, stop, x, obj, &st);
    demo_source_free(x->app->reg, src);
    if (rc == 0)
        call_hold(x, *obj);
    if (rc < 0)
        call_finish_status(x, &st);
    return rc;
}

/* The readable name of a ticket (TicketRouter.getLogNameFor); -1 after finishing the
 * call with the error upstream throws. */
int call_log_name(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id, char *out,
                  size_t cap)
{
    struct demo_status st;
    if (demo_ticket_log_name(x->app->reg, t, n, log_id, out, cap, &st) == 0)
        return 0;
    call_finish_status(x, &st);
    return -1;
}

/* Name a ticket into `name`, then wait for its object until the client goes away. 0
 * with *obj; -1 when the call already ended (status sent, or the client went away). */
int call_fetch_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                      char *name, size_t cap, const struct demo_object **obj)
{
    if (call_log_name(x, t, n, log_id, name, cap) != 0)
        return -1;
    return call_wait_source(x, t, n, log_id, call_stop_hook, obj) == 0 ? 0 : -1;
}

/* Define export `result` as a copy of a resolved source, which this frees. The new
 * export, or NULL after finishing the call. */
struct demo_export *call_export_source(struct call_ctx *x, struct demo_source *src,
                                       const DHPB(Ticket) * result, int require_table)
{
    struct demo_status st;
    struct demo_export *e = demo_export_create(x->app->reg, x->s, src, result->ticket.data,
                                               result->ticket.len, "resultId", require_table, &st);
    demo_source_free(x->app->reg, src);
    if (!e)
        call_finish_status(x, &st);
    return e;
}

/* Wait for an export the call created, dropping its reference. 0 with *obj; -1 when
 * the call already ended (status sent, or the client went away). */
int call_wait_exported(struct call_ctx *x, struct demo_export *e, const struct demo_object **obj)
{
    struct demo_status st;
    int rc = demo_export_wait(x->app->reg, e, call_stop_hook, x, obj, &st);
    demo_export_unref(x->app->reg, e);
    if (rc == 0)
        call_hold(x, *obj);
    if (rc < 0)
        call_finish_status(x, &st);
    return rc == 0 ? 0 : -1;
}

/* Stop hook for MessageStream: the client went away or the session ended. */
int call_stop_or_session_end(void *ctx)
{
    struct call_ctx *x = ctx;
    return demo_call_is_dead(x->c) || !demo_session_alive(x->app->reg, x->s);
}
