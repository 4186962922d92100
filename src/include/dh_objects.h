/* SPDX-License-Identifier: MIT */
/* dh_objects: the server's exportable objects as ApplicationService.ListFields
 * reports them, folded into a sorted model (created / updated / removed). */
#ifndef DH_OBJECTS_H
#define DH_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;

/* One object. Strings are owned by the list that holds the object. */
struct dh_object {
    char *name;        /* field_name */
    char *type;        /* "Table", "Figure", ... ; "" = unknown */
    char *description; /* field_description */
    char *app_name;    /* application_name */
    char *app_id;      /* application_id ("scope" for script variables) */
    struct dh_ticket ticket;
    /* NULL for a usable object. Otherwise why it cannot be opened or published
     * (one sentence, e.g. its ticket is longer than DH_TICKET_MAX); such an
     * object is still listed, with an empty ticket, never dropped. */
    char *unusable;
};

/* An immutable, sorted snapshot (by name, then application id). Owns its
 * objects. Each snapshot is a separate copy with one owner (the event that
 * carries it, then the UI), so the UI can hold one while the net thread
 * builds the next. */
struct dh_object_list {
    size_t n;
    struct dh_object *items;
};

/* The mutable model fed by ListFields messages. */
struct dh_objects;

struct dh_objects *dh_objects_new(void);
void dh_objects_free(struct dh_objects *m);
/* Apply one packed FieldsChangeUpdate message. DH_EINVAL if it does not
 * decode. Owner thread. */
int dh_objects_apply(struct dh_objects *m, const uint8_t *msg, size_t len, struct dh_error *err);
/* A sorted snapshot of the current objects. Caller frees with
 * dh_object_list_free. NULL on allocation failure. Owner thread. */
struct dh_object_list *dh_objects_snapshot(const struct dh_objects *m);
size_t dh_objects_count(const struct dh_objects *m);

void dh_object_list_free(struct dh_object_list *l);
/* Find by name (first match) in a snapshot; NULL if absent. */
const struct dh_object *dh_object_list_find(const struct dh_object_list *l, const char *name);
/* Deep copy of one object into dst (strings duplicated); DH_ENOMEM. */
int dh_object_copy(struct dh_object *dst, const struct dh_object *src);
void dh_object_reset(struct dh_object *o);

/* One-shot listing, as pydeephaven does: open ListFields, read the first
 * message, cancel. Caller frees *out. Any thread. */
int dh_objects_list(struct dh_session *s, struct dh_object_list **out, struct dh_error *err);

/* A live watch: the ListFields stream is read on the calling thread until
 * cancelled. on_change is called (on the calling thread) after each applied
 * message with a fresh snapshot it then owns. Returns when the stream ends:
 * DH_ECANCELLED after dh_objects_watch_cancel, else the stream's error. */
struct dh_objects_watch;
typedef void (*dh_objects_fn)(void *ctx, struct dh_object_list *snapshot);
struct dh_objects_watch *dh_objects_watch_new(struct dh_session *s, struct dh_error *err);
int dh_objects_watch_run(struct dh_objects_watch *w, dh_objects_fn on_change, void *ctx,
                         struct dh_error *err);
/* Make a running dh_objects_watch_run return. Any thread. */
void dh_objects_watch_cancel(struct dh_objects_watch *w);
void dh_objects_watch_free(struct dh_objects_watch *w);

#endif
