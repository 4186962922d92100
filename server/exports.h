/* SPDX-License-Identifier: MIT */
/* exports: the demo server's session exports and their states, shared tickets and
 * ExportNotifications listeners (upstream SessionState, SharedTicketResolver.publish,
 * SessionServiceGrpcImpl.ExportListener, much smaller). State lives in the registry
 * (registry.h); all functions lock it internally. */
#ifndef DEMO_EXPORTS_H
#define DEMO_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "registry.h"
#include "rpc_server.h"

/* Export states, numbered as ExportNotification.State in session.proto. */
enum demo_export_state {
    DEMO_ES_UNKNOWN = 0,
    DEMO_ES_PENDING = 1,
    DEMO_ES_PUBLISHING = 2,
    DEMO_ES_QUEUED = 3,
    DEMO_ES_RUNNING = 4,
    DEMO_ES_EXPORTED = 5,
    DEMO_ES_RELEASED = 6,
    DEMO_ES_CANCELLED = 7,
    DEMO_ES_FAILED = 8,
    DEMO_ES_DEPENDENCY_FAILED = 9,
    DEMO_ES_DEPENDENCY_NEVER_FOUND = 10,
    DEMO_ES_DEPENDENCY_CANCELLED = 11,
    DEMO_ES_DEPENDENCY_RELEASED = 12,
};

struct demo_session;
struct demo_export;
struct demo_source;
struct demo_listener;

/* Define export `result` (an 'e' ticket, logged as log_id) of session s as a copy of
 * src (ExportFromTicket, publish to an export, FetchTable with require_table: a
 * non-table source then fails the export as an internal error). NULL with st on an
 * immediate error, else a reference to the new export (wait with demo_export_wait).
 * Any thread. */
struct demo_export *demo_export_create(struct demo_registry *r, struct demo_session *s,
                                       struct demo_source *src, const uint8_t *result, size_t n,
                                       const char *log_id, int require_table,
                                       struct demo_status *st);

/* demo_export_create of an object the caller holds (a derived table): the export
 * takes its own reference. Any thread. */
struct demo_export *demo_export_create_object(struct demo_registry *r, struct demo_session *s,
                                              const struct demo_object *obj, const uint8_t *result,
                                              size_t n, const char *log_id, struct demo_status *st);
/* Wait until the export is EXPORTED (0, *obj set and referenced: demo_object_unref
 * it) or failed (-1, st as the export's error handler reports it), or stop fired (1).
 * Handler thread. */
int demo_export_wait(struct demo_registry *r, struct demo_export *e, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st);

/* Drop a reference from demo_export_create. NULL-safe. Any thread. */
void demo_export_unref(struct demo_registry *r, struct demo_export *e);

/* Publish src to shared ticket 'h'+id (SharedTicketResolver.publish): 0, or -1 with
 * FAILED_PRECONDITION (source is no session export) or ALREADY_EXISTS. Any thread. */
int demo_publish_shared(struct demo_registry *r, struct demo_source *src, const uint8_t *id,
                        size_t n, const char *log_id, struct demo_status *st);

/* Release an export (SessionServiceGrpcImpl.release): 0, or -1 with st. Any thread. */
int demo_release(struct demo_registry *r, struct demo_session *s, const uint8_t *t, size_t n,
                 struct demo_status *st);

/* Export obj as the next server-allocated id (-1, -2, ...) of the session, EXPORTED at
 * once (SessionState.newServerSideExport). 0 with *id, or -1 if the session is over.
 * Any thread. */
int demo_server_export(struct demo_registry *r, struct demo_session *s,
                       const struct demo_object *obj, int32_t *id);

/* Register a listener: its queue starts with every non-terminal export, then the
 * "run is complete" marker for e0. NULL if the session is over. Handler thread. */
struct demo_listener *demo_listener_open(struct demo_registry *r, struct demo_session *s);

/* Next packed ExportNotification: 1 (caller frees *data), 0 when the session ended and
 * the queue is drained, -1 when stop fired. Handler thread. */
int demo_listener_next(struct demo_registry *r, struct demo_listener *l, demo_stop_fn stop,
                       void *ctx, uint8_t **data, size_t *len);

/* Unregister and free a listener. NULL-safe. Handler thread. */
void demo_listener_close(struct demo_registry *r, struct demo_listener *l);

#endif
