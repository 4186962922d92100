/* SPDX-License-Identifier: MIT */
/* handlers_session: SessionService (close, release, export and publish from a ticket,
 * export and termination notifications). */

#include "handlers_internal.h"

#include "deephaven_core/proto/session.pb-c.h"
#include "tickets.h"

/* SessionServiceGrpcImpl.closeSession */
static void h_close_session(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(HandshakeRequest) *m =
        (DHPB(HandshakeRequest) *)call_unpack(x, &DHPB_DESC(handshake_request), req, len);
    if (!m)
        return;
    int protocol = m->auth_protocol;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (protocol != 0) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Protocol version not allowed.");
        return;
    }
    if (call_need_session(x) != 0)
        return;
    demo_session_close(x->app->reg, x->s);
    DHPB(CloseSessionResponse) resp = DHPB_INIT(CLOSE_SESSION_RESPONSE);
    call_reply(x, &resp.base);
}

/* SessionServiceGrpcImpl.release */
static void h_release(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(ReleaseRequest) *m =
        (DHPB(ReleaseRequest) *)call_unpack_in_session(x, &DHPB_DESC(release_request), req, len);
    if (!m)
        return;
    struct demo_status st;
    if (!m->id) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Release ticket not supplied");
    } else if (demo_release(x->app->reg, x->s, m->id->ticket.data, m->id->ticket.len, &st) != 0) {
        call_finish_status(x, &st);
    } else {
        DHPB(ReleaseResponse) resp = DHPB_INIT(RELEASE_RESPONSE);
        call_reply(x, &resp.base);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Define export `res` as a copy of a resolved source (freed here); answer `ok` when it
 * is exported. */
static void export_into(struct call_ctx *x, struct demo_source *src, const DHPB(Ticket) * res,
                        const ProtobufCMessage *ok)
{
    const struct demo_object *obj;
    struct demo_export *e = call_export_source(x, src, res, 0);
    if (e && call_wait_exported(x, e, &obj) == 0)
        call_reply(x, ok);
}

/* What ExportFromTicket and PublishFromTicket check first: both tickets given, the
 * source named and resolved. The source, or NULL after finishing the call. */
static struct demo_source *resolve_for_result(struct call_ctx *x, const DHPB(Ticket) * source,
                                              const DHPB(Ticket) * result)
{
    char name[512];
    if (!source) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Source ticket not supplied");
        return NULL;
    }
    if (!result) {
        call_finish(x, GRPC_STATUS_INVALID_ARGUMENT, "Result ticket not supplied");
        return NULL;
    }
    if (call_log_name(x, source->ticket.data, source->ticket.len, "sourceId", name, sizeof name) !=
        0)
        return NULL;
    return call_resolve(x, source->ticket.data, source->ticket.len, "sourceId");
}

/* SessionServiceGrpcImpl.exportFromTicket */
static void h_export_from_ticket(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(ExportRequest) *m =
        (DHPB(ExportRequest) *)call_unpack_in_session(x, &DHPB_DESC(export_request), req, len);
    if (!m)
        return;
    DHPB(ExportResponse) ok = DHPB_INIT(EXPORT_RESPONSE);
    struct demo_source *src = resolve_for_result(x, m->source_id, m->result_id);
    if (src)
        export_into(x, src, m->result_id, &ok.base);
    protobuf_c_message_free_unpacked(&m->base, NULL);
}

/* Publish a resolved source to the result ticket (TicketRouter.publish, by route). */
static void publish_to(struct call_ctx *x, struct demo_source *src, const DHPB(Ticket) * res)
{
    const uint8_t *t = res->ticket.data;
    size_t n = res->ticket.len;
    struct demo_status st;
    DHPB(PublishResponse) ok = DHPB_INIT(PUBLISH_RESPONSE);
    switch (t[0]) {
    case 'h':
        if (demo_publish_shared(x->app->reg, src, t + 1, n - 1, "resultId", &st) == 0)
            call_reply(x, &ok.base);
        else
            call_finish_status(x, &st);
        break;
    case 'e': /* ExportTicketResolver.publish: a new export of this session */
        export_into(x, src, res, &ok.base);
        return; /* export_into freed src */
    case 'a':
        call_finish(x, GRPC_STATUS_FAILED_PRECONDITION,
                    "Could not publish 'resultId': application tickets cannot be published to");
        break;
    default: /* 's': upstream would assign the query scope variable */
        call_finish(x, GRPC_STATUS_UNIMPLEMENTED,
                    "dhtui demo server: publishing to a scope ticket is not supported");
        break;
    }
    demo_source_free(x->app->reg, src);
}

/* SessionServiceGrpcImpl.publishFromTicket */
static void h_publish_from_ticket(struct call_ctx *x, const uint8_t *req, size_t len)
{
    DHPB(PublishRequest) *m =
        (DHPB(PublishRequest) *)call_unpack_in_session(x, &DHPB_DESC(publish_request), req, len);
    if (!m)
        return;
    char name[512];
    struct demo_source *src = resolve_for_result(x, m->source_id, m->result_id);
    if (src && call_log_name(x, m->result_id->ticket.data, m->result_id->ticket.len, "resultId",
                             name, sizeof name) != 0)
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
    if (call_need_session(x) != 0)
        return;
    struct demo_listener *l = demo_listener_open(x->app->reg, x->s);
    if (!l) {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
        return;
    }
    for (;;) {
        uint8_t *data;
        size_t n;
        int rc = demo_listener_next(x->app->reg, l, call_stop_hook, x, &data, &n);
        if (rc == 1) {
            if (demo_call_send_owned(x->c, data, n) != 0)
                break;
            continue;
        }
        if (rc == 0)
            call_finish(x, GRPC_STATUS_OK, ""); /* ExportListener.onRemove: safelyComplete */
        break;
    }
    demo_listener_close(x->app->reg, l);
}

/* SessionServiceGrpcImpl.terminationNotification: held until shutdown. */
static void h_termination_notification(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    int rc = demo_wait_termination(x->app->reg, x->s, call_stop_hook, x);
    if (rc == 1) {
        DHPB(TerminationNotificationResponse) resp = DHPB_INIT(TERMINATION_NOTIFICATION_RESPONSE);
        resp.abnormal_termination = 0;
        call_reply(x, &resp.base);
    } else if (rc == 0) {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "Session has ended");
    }
}

const struct method session_methods[] = {
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
    {NULL, 0, NULL, NULL},
};
