/* SPDX-License-Identifier: MIT */
/* dh_cancel: the one way a blocking libdh call is cancelled from another thread.
 *
 * A struct dh_cancel is a switch a caller owns. Blocking calls that read a stream
 * (dh_table_snapshot, dh_table_doget, dh_table_stream_open and its reads) take one (or
 * NULL); objects that live on a stream (a subscription, an object-list watch) own one,
 * fired by their _cancel function. dh_cancel_fire, from any thread, ends the call
 * running under the switch at once (its gRPC call is cancelled: nothing polls) with
 * DH_ECANCELLED, and every call that starts under it until dh_cancel_reset. A fire
 * between two calls is therefore never lost.
 *
 * Inside libdh a call attaches its stream while it runs (dh_cancel_attach) and detaches
 * it before freeing it (dh_cancel_detach); the switch never frees a stream. */
#ifndef DH_CANCEL_H
#define DH_CANCEL_H

struct dh_cancel;
struct dh_stream;

/* A switch, not fired; NULL when out of memory. Free with dh_cancel_free after every
 * call that uses it has returned. Any thread. */
struct dh_cancel *dh_cancel_new(void);
void dh_cancel_free(struct dh_cancel *c); /* NULL-safe */

/* Fire: cancel the call running under c and every later one until a reset. NULL-safe.
 * Any thread. */
void dh_cancel_fire(struct dh_cancel *c);

/* Un-fire: calls started from now on run. NULL-safe. Any thread. */
void dh_cancel_reset(struct dh_cancel *c);

/* 1 once fired (until reset); 0 for NULL. Any thread. */
int dh_cancel_fired(struct dh_cancel *c);

/* The streams one switch can hold at once (a save reads the next window while it
 * writes the current one). */
#define DH_CANCEL_STREAMS 4

/* libdh's calls: attach the running stream s; when c is fired (DH_ECANCELLED) or holds
 * DH_CANCEL_STREAMS already (DH_ENOMEM), s is cancelled at once and err (may be NULL) says
 * so. Detach s before freeing it. c may be NULL (DH_OK, nothing to do). Any thread. */
struct dh_error;
int dh_cancel_attach(struct dh_cancel *c, struct dh_stream *s, struct dh_error *err);
void dh_cancel_detach(struct dh_cancel *c, struct dh_stream *s);

#endif
