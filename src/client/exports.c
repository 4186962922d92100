/* SPDX-License-Identifier: MIT */
/* exports.c: ExportFromTicket, PublishFromTicket, Release and the ticket probe
 * (pydeephaven session.py fetch/publish; docs/PROTOCOL.md, Tickets and Publish and fetch). */
#include "dh_exports.h"

#include <stdio.h>
#include <string.h>

#include "deephaven_core/proto/session.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_session.h"
#include "dh_transport.h"

/* Point a protobuf Ticket at a dh_ticket's bytes (borrowed, not copied). */
static void ticket_proto(Io__Deephaven__Proto__Backplane__Grpc__Ticket *pt,
                         const struct dh_ticket *t)
{
    io__deephaven__proto__backplane__grpc__ticket__init(pt);
    pt->ticket.len = t->len;
    pt->ticket.data = (uint8_t *)t->bytes;
}

/* Check that a reply decodes as the expected (empty) message type. */
static int check_reply(const ProtobufCMessageDescriptor *desc, const struct dh_buf *reply,
                       struct dh_error *err)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, reply->len, reply->data);
    if (!m)
        return dh_error_set(err, DH_EINVAL, "malformed %s from server", desc->short_name);
    protobuf_c_message_free_unpacked(m, NULL);
    return DH_OK;
}

/* A unary call whose reply carries nothing but success, and the verb its errors use. */
struct empty_call {
    const char *method;
    const ProtobufCMessageDescriptor *reply_desc;
    const char *verb;
};

static const struct empty_call EXPORT_CALL = {
    DH_M_EXPORT_FROM_TICKET, &io__deephaven__proto__backplane__grpc__export_response__descriptor,
    "Exporting"};
static const struct empty_call PUBLISH_CALL = {
    DH_M_PUBLISH_FROM_TICKET, &io__deephaven__proto__backplane__grpc__publish_response__descriptor,
    "Publishing"};
static const struct empty_call RELEASE_CALL = {
    DH_M_RELEASE, &io__deephaven__proto__backplane__grpc__release_response__descriptor,
    "Releasing"};

/* Run call with req; errors name the call's verb and ticket t. */
static int call_empty_reply(struct dh_session *s, const struct empty_call *call,
                            const ProtobufCMessage *req, const struct dh_ticket *t,
                            struct dh_error *err)
{
    char what[192];
    dh_ticket_describe(what, sizeof what, call->verb, t);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), call->method, req,
                           dh_session_call_timeout_ms(s), &reply, what, err);
    if (rc == DH_OK)
        rc = check_reply(call->reply_desc, &reply, err);
    dh_buf_reset(&reply);
    return rc;
}

int dh_export_from_ticket(struct dh_session *s, const struct dh_ticket *src, struct dh_ticket *out,
                          struct dh_error *err)
{
    struct dh_ticket result;
    dh_ticket_make_export(&result, dh_session_next_export_id(s));

    Io__Deephaven__Proto__Backplane__Grpc__Ticket src_pt, res_pt;
    ticket_proto(&src_pt, src);
    ticket_proto(&res_pt, &result);
    Io__Deephaven__Proto__Backplane__Grpc__ExportRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__EXPORT_REQUEST__INIT;
    req.source_id = &src_pt;
    req.result_id = &res_pt;
    int rc = call_empty_reply(s, &EXPORT_CALL, &req.base, src, err);
    if (rc != DH_OK) {
        /* A failed (or timed-out) export may still hold a slot on the server:
         * release it so nothing is left behind. Release of a terminal export is
         * OK and of an undefined one UNAVAILABLE; either way we ignore it. */
        dh_release(s, &result, NULL);
        dh_ticket_reset(out);
        return rc;
    }
    *out = result;
    return DH_OK;
}

int dh_publish_from_ticket(struct dh_session *s, const struct dh_ticket *src_export,
                           const struct dh_ticket *dst, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket src_pt, dst_pt;
    ticket_proto(&src_pt, src_export);
    ticket_proto(&dst_pt, dst);
    Io__Deephaven__Proto__Backplane__Grpc__PublishRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__PUBLISH_REQUEST__INIT;
    req.source_id = &src_pt;
    req.result_id = &dst_pt;
    return call_empty_reply(s, &PUBLISH_CALL, &req.base, src_export, err);
}

int dh_publish_object(struct dh_session *s, const struct dh_ticket *src, struct dh_ticket *shared,
                      struct dh_ticket *export_out, struct dh_error *err)
{
    struct dh_ticket exp, dst;
    int rc = dh_export_from_ticket(s, src, &exp, err);
    if (rc != DH_OK)
        return rc;
    rc = dh_ticket_make_shared_random(&dst, err);
    if (rc == DH_OK)
        rc = dh_publish_from_ticket(s, &exp, &dst, err);
    if (rc != DH_OK) {
        dh_release(s, &exp, NULL); /* the export would only keep the object alive */
        return rc;
    }
    *shared = dst;
    *export_out = exp;
    return DH_OK;
}

int dh_release(struct dh_session *s, const struct dh_ticket *t, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket pt;
    ticket_proto(&pt, t);
    Io__Deephaven__Proto__Backplane__Grpc__ReleaseRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__RELEASE_REQUEST__INIT;
    req.id = &pt;
    return call_empty_reply(s, &RELEASE_CALL, &req.base, t, err);
}

/* Classify a failed GetExportedTableCreationResponse (docs/PROTOCOL.md,
 * Detecting an invalid ticket). e holds the call's error. */
static enum dh_probe_result probe_classify(const struct dh_error *e)
{
    if (dh_error_is_not_found(e))
        return DH_PROBE_NOT_FOUND;
    if (dh_error_is_not_a_table(e))
        return DH_PROBE_VALID_OTHER;
    if (dh_error_is_released(e))
        return DH_PROBE_FAILED;
    return DH_PROBE_ERROR;
}

enum dh_probe_result dh_probe_ticket(struct dh_session *s, const struct dh_ticket *t,
                                     struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket req;
    ticket_proto(&req, t);

    struct dh_error e;
    dh_error_clear(&e);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s),
                           DH_M_GET_EXPORTED_TABLE_CREATION_RESPONSE, &req.base,
                           dh_session_call_timeout_ms(s), &reply, "Probing ticket", &e);
    enum dh_probe_result res;
    if (rc != DH_OK) {
        res = probe_classify(&e);
    } else {
        Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r =
            io__deephaven__proto__backplane__grpc__exported_table_creation_response__unpack(
                NULL, reply.len, reply.data);
        if (!r) {
            dh_error_set(&e, DH_EINVAL, "malformed ExportedTableCreationResponse from server");
            res = DH_PROBE_ERROR;
        } else if (!r->success) {
            dh_error_set(&e, DH_EGRPC, "the table behind the ticket failed on the server: %s",
                         r->error_info ? r->error_info : "");
            e.grpc_status = DH_GRPC_FAILED_PRECONDITION;
            res = DH_PROBE_FAILED;
        } else {
            res = DH_PROBE_VALID_TABLE;
        }
        if (r)
            io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(
                r, NULL);
    }
    dh_buf_reset(&reply);
    if (err)
        *err = e;
    return res;
}
