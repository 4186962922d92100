/* SPDX-License-Identifier: MIT */
/* subscription: live Barrage subscriptions (viewport, reverse viewport or full table)
 * of catalogue tables (DoExchange
 * message type 5; docs/PROTOCOL.md, Barrage): one subscription's state and the snapshot
 * and update messages it sends (BarrageMessageProducer, BarrageMessageWriterImpl
 * getSubscriptionMetadata), plus the batch writer it shares with snapshots
 * (encode_barrage.c). Errors follow catalog.h: -1 with err (char[DEMO_ERR_MAX], may be
 * NULL) starting with the gRPC status name. A subscription is used by one thread. */
#ifndef DEMO_SUBSCRIPTION_H
#define DEMO_SUBSCRIPTION_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "dh_rowset.h"

/* What the record batches of one message carry (Barrage{Snapshot,Subscription}Options). */
struct demo_batch_opts {
    const uint8_t *cols; /* column bitset (BitSet.toByteArray order), NULL = all */
    size_t cols_len;
    int use_dh_nulls;         /* sentinel nulls instead of validity buffers */
    int32_t batch_size;       /* rows per batch; <= 0: no limit but the demo's own */
    int32_t max_message_size; /* bytes per message; <= 0: 100 MiB */
    int64_t list_limit;       /* previewListLengthLimit: list elements sent per cell
                               * (the first n; the last -n when negative; 0: all) */
};

/* Send the rows at the ascending table positions `rows` (all below the table size) as
 * record batches, the first carrying meta (a malloc'd wrapper, freed here in every
 * case); no rows give one 0-row batch. Memory stays bounded by one batch. 0, or -1 with
 * err (also when emit stops it). Defined in encode_barrage.c. Any thread. */
int demo_barrage_send_rows(const struct demo_object *t, const struct dh_rowset *rows,
                           const struct demo_batch_opts *o, uint8_t *meta, size_t meta_len,
                           demo_emit_fn emit, void *ctx, char *err);

/* Send table t's Schema message (a FlightData with only data_header). 0, or -1 with
 * err. Defined in encode_barrage.c. Any thread. */
int demo_barrage_send_schema(const struct demo_object *t, demo_emit_fn emit, void *ctx, char *err);

/* A parsed BarrageSubscriptionRequest. Byte views point into the wrapper given to
 * demo_sub_request_parse; the viewport is owned. Caller-allocated: _init / _reset. */
struct demo_sub_request {
    const uint8_t *ticket; /* NULL when absent */
    size_t ticket_len;
    int has_viewport;          /* absent viewport: a full-table subscription */
    struct dh_rowset viewport; /* requested positions (may pass the end) */
    int reverse;
    int32_t min_update_interval_ms; /* 0 = barrage.minUpdateInterval (1000) */
    struct demo_batch_opts opts;    /* cols trimmed of trailing zero bytes */
};

/* Prepare an empty request (allocates nothing). Any thread. */
void demo_sub_request_init(struct demo_sub_request *q);

/* Free what the request owns and leave it empty. Idempotent, NULL-safe. Any thread. */
void demo_sub_request_reset(struct demo_sub_request *q);

/* Parse the BarrageMessageWrapper (type 5) wrapper[0..len) into q (reset first). 0, or
 * -1 with err "INVALID_ARGUMENT: ...". Any thread. */
int demo_sub_request_parse(const uint8_t *wrapper, size_t len, struct demo_sub_request *q,
                           char *err);

struct demo_sub;

/* A subscription to table t as q asks (q's bytes are copied): a viewport, a reverse
 * one, or without a viewport the full table. NULL with err: "FAILED_PRECONDITION: ..."
 * when t is not a table, "RESOURCE_EXHAUSTED: ..." when out of memory. Free with
 * demo_sub_free. Any thread. */
struct demo_sub *demo_sub_new(const struct demo_object *t, const struct demo_sub_request *q,
                              char *err);

/* Free a subscription. NULL-safe. Any thread. */
void demo_sub_free(struct demo_sub *s);

/* Milliseconds between update checks (min_update_interval_ms, 0 meaning 1000). Any thread. */
int demo_sub_interval_ms(const struct demo_sub *s);

/* Send the Schema and the initial snapshot update (removed {}, added the held rows
 * [0, L): viewport positions, or a full subscription's keys with added_rows_included
 * and empty shift data; table_size). 0, or -1 with err. Any thread. */
int demo_sub_start(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err);

/* Apply a later request on the stream (its ticket is ignored): change viewport,
 * direction and columns, then send a snapshot update whose removed_rows are all previous
 * positions (a full subscription's: none added or removed, every row included again).
 * "INVALID_ARGUMENT: cannot change from full subscription to viewport or vice versa"
 * when the request has a viewport and the subscription none, or the other way round.
 * Any thread. */
int demo_sub_change(struct demo_sub *s, const struct demo_sub_request *q, demo_emit_fn emit,
                    void *ctx, char *err);

/* If the table's size changed since the last message, send an update: the rows that
 * left the window (a reverse viewport slides) as removed positions, those that joined
 * it as added (possibly none: one 0-row batch), and the new table_size. 0 (sent or
 * nothing to send), or -1 with err. Any thread. */
int demo_sub_tick(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err);

#endif
