/* SPDX-License-Identifier: MIT */
/* dh_object_stream: read a plugin object's first message through
 * ObjectService.MessageStream (a connect with the object's type, one
 * ServerData, half-close, read to the end): the payload and the exported
 * references, as figures, plot_by's partitioned tables and plot-express
 * figures send them (docs/PROTOCOL.md, Figures). */
#ifndef DH_OBJECT_STREAM_H
#define DH_OBJECT_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;

/* Upper bound on the references one object may send, so a hostile server
 * cannot make us allocate without limit. */
#define DH_OBJECT_MAX_REFS 4096

/* What the stream delivered. Owns everything; reset with dh_object_reply_reset. */
struct dh_object_reply {
    uint8_t *payload; /* the first ServerData's payload */
    size_t payload_len;
    int have_payload;
    size_t n_refs;          /* every reference received, in order (later messages' too) */
    struct dh_ticket *refs; /* a reference without a usable ticket is an empty ticket */
    char **types;           /* types[i] for refs[i], never NULL (may be "") */
};

/* Fetch object t of the given type. On success r holds the payload and the
 * server-side references (the caller releases them, dh_object_reply_release).
 * On failure r may still hold references received before it: release them
 * too. err must not be NULL. Any thread. */
int dh_object_stream_fetch(struct dh_session *s, const struct dh_ticket *t, const char *type,
                           struct dh_object_reply *r, struct dh_error *err);

/* Take one packed StreamResponse into r (pure; used by the fetch and tests):
 * its references, and its payload if r has none yet. DH_EINVAL for a
 * malformed message or too many references, DH_ENOMEM. */
int dh_object_reply_take(struct dh_object_reply *r, const uint8_t *msg, size_t len,
                         struct dh_error *err);

/* Release every non-empty reference on the server (best effort) and empty it. */
void dh_object_reply_release(struct dh_session *s, struct dh_object_reply *r);

/* Free what r holds (not the server references) and zero it. */
void dh_object_reply_reset(struct dh_object_reply *r);

/* ---- a stream kept open (a bidirectional plugin, e.g. plot-express) ----
 * The plugin sends a message whenever its object changes; each comes with
 * the references it exports (upstream MessageStream: onData(payload,
 * references)). */
struct dh_object_watch;

/* Connect to object t of type and keep the stream open (no deadline). NULL
 * with err filled on failure. Free with dh_object_watch_free. Any thread. */
struct dh_object_watch *dh_object_watch_open(struct dh_session *s, const struct dh_ticket *t,
                                             const char *type, struct dh_error *err);
/* Block until the next message; r (reset first) holds its payload and its
 * references (the caller releases them). DH_END when the server ended the
 * stream with OK, DH_ECANCELLED after dh_object_watch_cancel, else the
 * call's error. One reader at a time. Any thread. */
int dh_object_watch_next(struct dh_object_watch *w, struct dh_object_reply *r,
                         struct dh_error *err);
/* Make a waiting or later dh_object_watch_next return DH_ECANCELLED. Any thread. */
void dh_object_watch_cancel(struct dh_object_watch *w);
/* End the stream and free. No other call on w may be running. NULL-safe. */
void dh_object_watch_free(struct dh_object_watch *w);

#endif
