/* SPDX-License-Identifier: MIT */
/* fields: the demo server's ListFields state, subscribers and update debounce (upstream
 * ApplicationServiceGrpcImpl, much smaller). State lives in the registry (registry.h); all
 * functions lock it internally. */
#ifndef DEMO_FIELDS_H
#define DEMO_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "registry.h"
#include "rpc_server.h"

struct demo_session;
struct demo_fields_sub;

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

/* The ticket bytes of a listed object (the scope ticket "s/<name>") into buf;
 * returns its length (0 if it does not fit). Any thread. */
size_t demo_object_ticket(const struct demo_object *o, char *buf, size_t cap);

#endif
