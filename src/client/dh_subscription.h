/* SPDX-License-Identifier: MIT */
/* dh_subscription: live Barrage viewport subscriptions (message type 5 over
 * Flight DoExchange; docs/PROTOCOL.md, Barrage subscriptions and updates): the request, changing
 * the viewport on the open stream, and a pure viewport state that takes the
 * reply's FlightData one message at a time and applies each complete update
 * (removed / added / modified viewport positions) as upstream
 * WebColumnData.applyUpdate and barrage_processor.cc do. Memory stays
 * proportional to the viewport, never to the table. */
#ifndef DH_SUBSCRIPTION_H
#define DH_SUBSCRIPTION_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_table.h"
#include "dh_ticket.h"

struct dh_session;

/* ---- the pure viewport state (no gRPC) ---- */

/* The rows of one viewport as the updates of one subscription left them, and
 * the update being assembled. Opaque; _new / _free. */
struct dh_viewport;

/* A new, empty state whose first position is `first` until a snapshot says
 * otherwise. NULL when out of memory. Caller frees. Any thread. */
struct dh_viewport *dh_viewport_new(int64_t first);
/* Free everything. NULL-safe. Any thread. */
void dh_viewport_free(struct dh_viewport *v);

/* Apply one FlightData message given as its parts (data_header, data_body,
 * app_metadata; any may be empty): the Schema first, then per update the
 * BarrageUpdateMetadata (with its first batch), the add batches until every
 * added row arrived, the modify batches until every column got its modified
 * values. *updated (may be NULL) is set to 1 when this message completed an
 * update and it was applied, else 0. Every RowSet and count is checked
 * against the viewport: DH_EINVAL (malformed, inconsistent, out of order),
 * DH_ENOTSUP (dictionary, compression, an unsupported column type),
 * DH_ENOMEM. After an error the state refuses every further message. Any thread. */
int dh_viewport_apply_flight_data(struct dh_viewport *v, const uint8_t *header, size_t hlen,
                                  const uint8_t *body, size_t blen, const uint8_t *app_metadata,
                                  size_t alen, int *updated, struct dh_error *err);

/* As dh_viewport_apply_flight_data for one packed FlightData protobuf message. Any thread. */
int dh_viewport_apply_packed(struct dh_viewport *v, const uint8_t *msg, size_t len, int *updated,
                             struct dh_error *err);

/* Copy the current contents into *out (reset first): first = the effective
 * viewport's first position, table_size, the schema, one batch with the rows
 * in viewport order, and origin: where each row was before the last update
 * (NULL after a snapshot). DH_EINVAL before the Schema arrived, DH_ENOMEM. Any thread. */
int dh_viewport_copy(const struct dh_viewport *v, struct dh_rows *out, struct dh_error *err);

/* Rows held now (the viewport clipped to the table). Any thread. */
int64_t dh_viewport_length(const struct dh_viewport *v);
/* The table's size after the last applied update (0 before any). Any thread. */
int64_t dh_viewport_table_size(const struct dh_viewport *v);
/* The table position of viewport row 0 (from the last snapshot's
 * effective_viewport, else the first asked for). Any thread. */
int64_t dh_viewport_first(const struct dh_viewport *v);
/* Complete updates applied so far. Any thread. */
uint64_t dh_viewport_updates(const struct dh_viewport *v);
/* 1 when the server has taken up the window [first, first + count): the last
 * snapshot's effective_viewport is exactly those positions, forward. Until
 * then, after a viewport change, the rows held may still be the old window's
 * (a server applies a change at its next update cycle, and may send the new
 * window in several snapshots; upstream AbstractTableSubscription waits the
 * same way). Any thread. */
int dh_viewport_shows(const struct dh_viewport *v, int64_t first, int64_t count);
/* The same for a window: the last snapshot's effective_viewport is exactly
 * w's positions, in w's direction (effective_reverse_viewport), and its
 * effective_column_set names exactly w's columns (a column the rows do not
 * carry has no values: length 0). Any thread. */
int dh_viewport_shows_window(const struct dh_viewport *v, const struct dh_window *w);

/* The packed FlightData carrying a type-5 request: app_metadata =
 * BarrageMessageWrapper(BarrageSubscriptionRequest{ticket, viewport =
 * positions [first, first + count), all columns, options{use_deephaven_nulls
 * = false, min_update_interval_ms, batch_size, max_message_size,
 * preview_list_length_limit = list_limit}}). *out is malloc'd (caller frees).
 * DH_EINVAL (bad range or interval), DH_ENOMEM. Any thread. */
int dh_subscription_request(const struct dh_ticket *t, int64_t first, int64_t count,
                            int update_interval_ms, int64_t list_limit, uint8_t **out,
                            size_t *out_len, struct dh_error *err);
/* The same for a window: its viewport, its columns (absent when all) and
 * reverse_viewport. */
int dh_subscription_request_window(const struct dh_ticket *t, const struct dh_window *w,
                                   int update_interval_ms, int64_t list_limit, uint8_t **out,
                                   size_t *out_len, struct dh_error *err);

/* ---- the live subscription ---- */

struct dh_subscription;

/* Open a viewport subscription of rows [first, first + count), all columns:
 * DoExchange (no deadline) and the type-5 request; returns once it is sent,
 * without waiting for rows. update_interval_ms 0 = the server's default
 * (barrage.minUpdateInterval); list_limit as for dh_table_snapshot_limited
 * (every request on the stream asks for it). NULL with err filled on failure.
 * Caller frees with dh_subscription_free. Any thread. */
struct dh_subscription *dh_subscription_open(struct dh_session *s, const struct dh_ticket *t,
                                             int64_t first, int64_t count, int update_interval_ms,
                                             int64_t list_limit, struct dh_error *err);
/* The same for a window (its columns and direction too). */
struct dh_subscription *dh_subscription_open_window(struct dh_session *s, const struct dh_ticket *t,
                                                    const struct dh_window *w,
                                                    int update_interval_ms, int64_t list_limit,
                                                    struct dh_error *err);

/* Change the viewport to [first, first + count): another type-5 request on the
 * same stream; the server answers with a snapshot update. One writer at a
 * time (may run while another thread waits in dh_subscription_next). Any thread. */
int dh_subscription_set_viewport(struct dh_subscription *sub, int64_t first, int64_t count,
                                 struct dh_error *err);
/* Change the whole window: viewport, columns and direction in one request on
 * the same stream, as upstream BarrageSubscriptionRequestHandler.apply takes
 * it (BarrageMessageProducer.updateSubscription). Same threads as above. */
int dh_subscription_set_window(struct dh_subscription *sub, const struct dh_window *w,
                               struct dh_error *err);

/* dh_viewport_shows for the subscription's rows. The reader's thread. */
int dh_subscription_shows(const struct dh_subscription *sub, int64_t first, int64_t count);
/* dh_viewport_shows_window for the subscription's rows. The reader's thread. */
int dh_subscription_shows_window(const struct dh_subscription *sub, const struct dh_window *w);

/* Block until the next complete update has been applied, then copy the
 * current viewport contents into *out (reset first; see dh_viewport_copy).
 * DH_END when the server ended the stream with OK, DH_ECANCELLED after
 * dh_subscription_cancel, else an error (the call's status, or DH_EINVAL for
 * a malformed update). One reader at a time. Any thread. */
int dh_subscription_next(struct dh_subscription *sub, struct dh_rows *out, struct dh_error *err);

/* Cancel the call: a waiting dh_subscription_next returns DH_ECANCELLED soon,
 * and so do later calls. Any thread. */
void dh_subscription_cancel(struct dh_subscription *sub);

/* Cancel if needed, wait for the call to end, free. No other call on sub may
 * be running. NULL-safe. Owner thread. */
void dh_subscription_free(struct dh_subscription *sub);

#endif
