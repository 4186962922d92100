/* SPDX-License-Identifier: MIT */
/* sessions: the demo server's registry of sessions, bearer tokens, exports, shared
 * tickets, export-notification listeners and ListFields subscribers, behind one mutex.
 *
 * Mimics, in a much smaller form, upstream deephaven-core
 * server/src/main/java/io/deephaven/server/session/{SessionService,SessionState,
 * TicketRouter,ExportTicketResolver,SharedTicketResolver}.java,
 * console/ScopeTicketResolver.java, appmode/{ApplicationTicketResolver,
 * ApplicationServiceGrpcImpl}.java. Every gRPC status and message a client can see is
 * built here or in handlers.c. All functions lock internally; they never call into
 * grpc. Blocking waits poll a demo_stop_fn so a cancelled call does not hang. */
#ifndef DEMO_SESSIONS_H
#define DEMO_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "rpc_server.h"

#define DEMO_STATUS_MSG_MAX 1024

/* A gRPC status to report: code (grpc_status_code) and message. */
struct demo_status {
    int code;
    char msg[DEMO_STATUS_MSG_MAX];
};

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

struct demo_registry;
struct demo_session;
struct demo_export;
struct demo_source;
struct demo_listener;
struct demo_fields_sub;

struct demo_registry_options {
    int64_t duration_ms;      /* http.session.durationMs */
    const char *psk;          /* NULL: Anonymous auth; else only this pre-shared key */
    struct demo_catalog *cat; /* borrowed; must outlive the registry */
    int quiet;                /* no log lines on stderr */
};

/* Set st to code and a printf-style message. Any thread. */
void demo_status_set(struct demo_status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set st to INVALID_ARGUMENT "Details Logged w/ID '<uuid>'" and log why (upstream
 * SessionService.ObfuscatingErrorTransformer). Any thread. */
void demo_status_obfuscated(struct demo_registry *r, struct demo_status *st, const char *why);

/* Create the registry, listing the catalogue's live objects as known fields. NULL on
 * failure. Main thread. */
struct demo_registry *demo_registry_new(const struct demo_registry_options *opt);

/* Free everything. Every handler thread must be gone. NULL-safe. Main thread. */
void demo_registry_free(struct demo_registry *r);

/* Print one line to stderr unless quiet. Any thread. */
void demo_log(struct demo_registry *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The session duration in milliseconds. Any thread. */
int64_t demo_registry_duration(const struct demo_registry *r);

/* The AuthHandlers configuration value (comma-separated handler classes). Any thread. */
const char *demo_registry_auth_handlers(const struct demo_registry *r);

/* ---- sessions and tokens (SessionService) ---- */

/* Authenticate an `authorization` header value: "Bearer <uuid>" finds a live session,
 * any other "<type> <payload>" creates one if that handler accepts it. 0 with a new
 * session reference in *out, or -1 (UNAUTHENTICATED "Authentication details invalid").
 * Any thread. */
int demo_auth(struct demo_registry *r, const char *value, struct demo_session **out);

/* Drop a reference from demo_auth. NULL-safe. Any thread. */
void demo_session_unref(struct demo_registry *r, struct demo_session *s);

/* 1 if the session has neither expired nor been closed. Any thread. */
int demo_session_alive(struct demo_registry *r, struct demo_session *s);

/* Write "Bearer <uuid>" for a response header, rotating the token when it is older than
 * a fifth of the duration (SessionService.refreshToken). 0 if the session is over.
 * Any thread. */
int demo_session_bearer(struct demo_registry *r, struct demo_session *s, char *out, size_t cap);

/* Close the session now (CloseSession): release its exports, end its streams. Any thread. */
void demo_session_close(struct demo_registry *r, struct demo_session *s);

/* Expire due sessions, forget old tokens, send due ListFields deltas. Returns the
 * milliseconds until it wants to run again. Housekeeping thread. */
int demo_registry_tick(struct demo_registry *r);

/* Sleep up to ms or until something changes. Housekeeping thread. */
void demo_registry_wait(struct demo_registry *r, int ms);

/* Expire every session now, as if its duration had passed. Any thread. */
void demo_registry_expire_all(struct demo_registry *r);

/* Mark the server as shutting down (wakes every wait). Any thread. */
void demo_registry_begin_shutdown(struct demo_registry *r);

/* 1 once demo_registry_begin_shutdown was called. Any thread. */
int demo_registry_shutting_down(struct demo_registry *r);

/* Live sessions, non-terminal exports in them, shared tickets whose export is still
 * EXPORTED in a live session. Any thread. */
void demo_registry_stats(struct demo_registry *r, size_t *sessions, size_t *exports,
                         size_t *shared);

/* Number of TerminationNotification calls waiting (for a clean shutdown). Any thread. */
int demo_registry_termination_waiters(struct demo_registry *r);

/* Wait until the server shuts down (1) or the session ends (0) or stop fires (-1),
 * counting the caller as a termination waiter. Handler thread. */
int demo_wait_termination(struct demo_registry *r, struct demo_session *s, demo_stop_fn stop,
                          void *ctx);

/* ---- tickets (TicketRouter) ---- */

/* The readable name of a ticket as upstream's getLogNameFor gives it ("export/3",
 * "shared/<hex>", "scope/x", "app/demo/field/x"), or -1 with the error that upstream
 * throws synchronously. Any thread. */
int demo_ticket_log_name(struct demo_registry *r, const uint8_t *t, size_t n, const char *log_id,
                         char *out, size_t cap, struct demo_status *st);

/* Resolve a ticket for the session (TicketRouter.resolve): never fails synchronously;
 * failures are carried by the source and reported by demo_source_wait. NULL only when
 * out of memory. Any thread. */
struct demo_source *demo_resolve(struct demo_registry *r, struct demo_session *s, const uint8_t *t,
                                 size_t n, const char *log_id);

/* Wait for a source to be ready, as a non-export consumer (GetExportedTableCreation-
 * Response, DoGet, FetchObject ...): 0 with the object, -1 with the error status, 1 if
 * stop fired first. Handler thread. */
int demo_source_wait(struct demo_registry *r, struct demo_source *src, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st);

/* 1 if the source is a session export (the only thing PublishFromTicket accepts). */
int demo_source_is_export(const struct demo_source *src);

/* Free a source. NULL-safe. Any thread. */
void demo_source_free(struct demo_registry *r, struct demo_source *src);

/* ---- exports (SessionState) ---- */

/* Define export `result` (an 'e' ticket, logged as log_id) of session s as a copy of
 * src (ExportFromTicket, publish to an export, FetchTable with require_table: a
 * non-table source then fails the export as an internal error). NULL with st on an
 * immediate error, else a reference to the new export (wait with demo_export_wait).
 * Any thread. */
struct demo_export *demo_export_create(struct demo_registry *r, struct demo_session *s,
                                       struct demo_source *src, const uint8_t *result, size_t n,
                                       const char *log_id, int require_table,
                                       struct demo_status *st);

/* Wait until the export is EXPORTED (0, *obj set) or failed (-1, st as the export's
 * error handler reports it), or stop fired (1). Handler thread. */
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

/* ---- ExportNotifications ---- */

/* Register a listener: its queue starts with every non-terminal export, then the
 * "run is complete" marker for e0. NULL if the session is over. Handler thread. */
struct demo_listener *demo_listener_open(struct demo_registry *r, struct demo_session *s);

/* Next packed ExportNotification: 1 (caller frees *data), 0 when the session ended and
 * the queue is drained, -1 when stop fired. Handler thread. */
int demo_listener_next(struct demo_registry *r, struct demo_listener *l, demo_stop_fn stop,
                       void *ctx, uint8_t **data, size_t *len);

/* Unregister and free a listener. NULL-safe. Handler thread. */
void demo_listener_close(struct demo_registry *r, struct demo_listener *l);

/* ---- ListFields (ApplicationServiceGrpcImpl) ---- */

/* Subscribe: *initial gets a packed FieldsChangeUpdate with every known field as
 * created (caller frees). NULL if the session is over or out of memory. Handler thread. */
struct demo_fields_sub *demo_fields_subscribe(struct demo_registry *r, struct demo_session *s,
                                              uint8_t **initial, size_t *len);

/* Next packed delta: 1 (caller frees), 0 when the session ended, -1 when stop fired.
 * Handler thread. */
int demo_fields_next(struct demo_registry *r, struct demo_fields_sub *sub, demo_stop_fn stop,
                     void *ctx, uint8_t **data, size_t *len);

/* Unsubscribe and free. NULL-safe. Handler thread. */
void demo_fields_unsubscribe(struct demo_registry *r, struct demo_fields_sub *sub);

/* Note that the field for object o (by its ticket) may have changed: a delta goes out
 * at once when nobody listens, else at most every 250 ms. Any thread. */
void demo_fields_touch(struct demo_registry *r, const struct demo_object *o);

/* The ticket bytes of a listed object ("a/demo/f/<name>" or "s/<name>") into buf;
 * returns its length (0 if it does not fit). Any thread. */
size_t demo_object_ticket(const struct demo_object *o, char *buf, size_t cap);

#endif
