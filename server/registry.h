/* SPDX-License-Identifier: MIT */
/* registry: the demo server's shared state object (its lifecycle, housekeeping, shutdown and
 * statistics) and the gRPC status and log helpers of every registry module.
 *
 * One registry holds, behind one mutex, the state of sessions.c (sessions, bearer tokens),
 * exports.c (exports, shared tickets, ExportNotifications listeners), tickets.c (ticket
 * resolution) and fields.c (ListFields subscribers); registry_internal.h is the shared layout.
 * Mimics, in a much smaller form, upstream deephaven-core
 * server/src/main/java/io/deephaven/server/session/{SessionService,SessionState,
 * TicketRouter,ExportTicketResolver,SharedTicketResolver}.java,
 * console/ScopeTicketResolver.java, appmode/{ApplicationTicketResolver,
 * ApplicationServiceGrpcImpl}.java. Every gRPC status and message a client can see is
 * built in these modules or in handlers*.c. All functions lock internally; they never call
 * into grpc. Blocking waits poll a demo_stop_fn so a cancelled call does not hang. */
#ifndef DEMO_REGISTRY_H
#define DEMO_REGISTRY_H

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

struct demo_registry;
struct demo_session;

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

/* Expire due sessions, forget old tokens, send due ListFields deltas. Returns the
 * milliseconds until it wants to run again. Housekeeping thread. */
int demo_registry_tick(struct demo_registry *r);

/* Sleep up to ms or until something changes. Housekeeping thread. */
void demo_registry_wait(struct demo_registry *r, int ms);

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

#endif
