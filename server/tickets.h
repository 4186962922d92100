/* SPDX-License-Identifier: MIT */
/* tickets: the demo server's ticket names and resolution into sources (upstream
 * TicketRouter with its export, shared, scope and application resolvers, much smaller).
 * State lives in the registry (registry.h); all functions lock it internally. */
#ifndef DEMO_TICKETS_H
#define DEMO_TICKETS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "registry.h"
#include "rpc_server.h"

struct demo_session;
struct demo_source;

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
 * Response, DoGet, FetchObject ...): 0 with the object (referenced: demo_object_unref
 * it), -1 with the error status, 1 if stop fired first. Handler thread. */
int demo_source_wait(struct demo_registry *r, struct demo_source *src, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st);

/* 1 if the source is a session export (the only thing PublishFromTicket accepts). */
int demo_source_is_export(const struct demo_source *src);

/* Free a source. NULL-safe. Any thread. */
void demo_source_free(struct demo_registry *r, struct demo_source *src);

#endif
