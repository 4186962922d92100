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

#endif
