/* SPDX-License-Identifier: MIT */
/* handlers_internal: what the per-service handler files share: the call being handled
 * (struct call_ctx), the helpers every handler starts and ends with (handlers_call.c)
 * and each service's method table (dispatched by handlers.c). No file outside
 * server/handlers*.c includes it. Every function here runs on the call's handler thread.
 *
 * Adding a method: write `static void h_<name>(struct call_ctx *x, const uint8_t *req,
 * size_t len)` in its service's file and add one row to that file's method table. */
#ifndef DEMO_HANDLERS_INTERNAL_H
#define DEMO_HANDLERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "deephaven_core/proto/ticket.pb-c.h"
#include "exports.h"
#include "handlers.h"
#include "pbutil.h"
#include "registry.h"
#include "rpc_server.h"
#include "sessions.h"

#define DHPB_REF_TICKET IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET

/* Method paths as gRPC spells them (docs/PROTOCOL.md, Services and method paths). */
#define DH_SVC(s, m) "/io.deephaven.proto.backplane.grpc." s "/" m
#define FLIGHT_SVC(m) "/arrow.flight.protocol.FlightService/" m

/* One call being handled; lives on demo_handle_call's stack. */
struct call_ctx {
    struct demo_app *app;
    struct demo_call *c;
    struct demo_session *s; /* NULL: no authorization header */
    /* objects the call reads, referenced until it ends (a derived table must not be
     * freed by a concurrent Release while a DoGet streams it) */
    const struct demo_object *held[8];
    size_t n_held;
};

enum method_kind { UNARY, SERVER_STREAM, BIDI };

/* One row of a service's method table; a table ends with a row whose path is NULL. */
struct method {
    const char *path;
    int kind;
    void (*fn)(struct call_ctx *x, const uint8_t *req, size_t len);
    const ProtobufCMessageDescriptor *request; /* checked before fn runs (not BIDI) */
};

/* The method tables, one per service file. */
extern const struct method config_methods[];      /* handlers_config.c */
extern const struct method session_methods[];     /* handlers_session.c */
extern const struct method table_methods[];       /* handlers_table.c */
extern const struct method object_methods[];      /* handlers_object.c (and Application) */
extern const struct method flight_methods[];      /* handlers_flight.c */
extern const struct method partitioned_methods[]; /* handlers_partitioned.c */
extern const struct method hier_methods[];        /* handlers_hier.c */

/* ---- finishing a call */

void call_finish(struct call_ctx *x, int code, const char *msg);
void call_finish_status(struct call_ctx *x, const struct demo_status *st);
/* Send a message and finish OK (a unary reply). */
void call_reply(struct call_ctx *x, const ProtobufCMessage *m);
/* An internal failure in a non-export's work: FAILED_PRECONDITION "Details Logged w/ID". */
void call_finish_internal(struct call_ctx *x, const char *why);

/* Reply with the ExportedTableCreationResponse of table t exported as `ticket` and
 * finish OK (handlers_table.c). */
void reply_table_creation(struct call_ctx *x, const uint8_t *ticket, size_t n,
                          const struct demo_object *t);

/* FetchObject / MessageStream of a "PartitionedTable": the PartitionedTableDescriptor
 * (*payload, malloc'd) and the underlying table to export with it (*table, referenced).
 * 0, or -1 after finishing the call (handlers_partitioned.c). */
int partitioned_fetch(struct call_ctx *x, const struct demo_object *pt, uint8_t **payload,
                      size_t *len, const struct demo_object **table);

/* ---- hooks (ctx is the struct call_ctx) */

/* Header hook: the current bearer token of the call's session. */
int call_bearer_hook(void *ctx, char *value, size_t cap);
/* Stop hook: the client went away. */
int call_stop_hook(void *ctx);
/* Stop hook: the client went away or the session ended. */
int call_stop_or_session_end(void *ctx);

/* ---- starting a call */

/* UNAUTHENTICATED with no message without a live session: 0, or -1 after finishing. */
int call_need_session(struct call_ctx *x);
/* Unpack a request (free it with protobuf_c_message_free_unpacked); NULL after
 * finishing the call. */
ProtobufCMessage *call_unpack(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                              const uint8_t *req, size_t len);
/* call_need_session, then call_unpack: how most handlers start. */
ProtobufCMessage *call_unpack_in_session(struct call_ctx *x, const ProtobufCMessageDescriptor *d,
                                         const uint8_t *req, size_t len);

/* ---- tickets and objects */

/* Keep a referenced object until the call ends. */
void call_hold(struct call_ctx *x, const struct demo_object *obj);
/* Resolve a ticket for the call's session; NULL after finishing the call. */
struct demo_source *call_resolve(struct call_ctx *x, const uint8_t *t, size_t n,
                                 const char *log_id);
/* Resolve a ticket and wait for its object (held). 0 with *obj; 1 when `stop` fired
 * (the call is not finished); -1 after finishing the call. */
int call_wait_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                     demo_stop_fn stop, const struct demo_object **obj);
/* The readable name of a ticket; 0, or -1 after finishing the call. */
int call_log_name(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id, char *out,
                  size_t cap);
/* call_log_name into `name`, then wait for the object until the client goes away. 0
 * with *obj; -1 when the call already ended. */
int call_fetch_source(struct call_ctx *x, const uint8_t *t, size_t n, const char *log_id,
                      char *name, size_t cap, const struct demo_object **obj);
/* Define export `result` as a copy of src (freed here); NULL after finishing the call. */
struct demo_export *call_export_source(struct call_ctx *x, struct demo_source *src,
                                       const DHPB(Ticket) * result, int require_table);
/* Wait for an export the call created, dropping its reference; the object is held. 0
 * with *obj; -1 when the call already ended. */
int call_wait_exported(struct call_ctx *x, struct demo_export *e, const struct demo_object **obj);

#endif
