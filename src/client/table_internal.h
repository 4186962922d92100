/* SPDX-License-Identifier: MIT */
/* table_internal: what the snapshot reader (table.c) shares with the viewport
 * state and live subscription (subscription.c): the column concatenation that
 * assembles record batches into one window, request building, the reading of
 * Schema messages and Barrage metadata, and small helpers for calls and growing
 * arrays. Implemented in table.c. Internal to libdh. */
#ifndef DH_TABLE_INTERNAL_H
#define DH_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"
#include "dh_error.h"

struct dh_barrage_update;
struct dh_table_info;
struct Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse;
struct dh_stream;
struct dh_ticket;

/* Rows [start, start + n) of one column view (the caller checked they exist). */
struct dh_piece {
    const struct dh_column_view *v;
    int64_t start;
    int64_t n;
};

/* Build *out (initialised here; the caller resets it) with one owned column per
 * schema field: column i is the concatenation of pieces[i][0..n_pieces[i]),
 * whose views must have the same field type as schema->fields[i]; the output
 * views point at schema's fields. out->length = length. The pieces are only
 * read. DH_OK or DH_ENOMEM. Any thread. */
int dh_concat_columns(const struct dh_schema *schema, const struct dh_piece *const *pieces,
                      const size_t *n_pieces, int64_t length, struct dh_batch *out,
                      struct dh_error *err);

/* Room for element n of an array of elem-byte elements with *cap slots: the
 * array itself when n < *cap, else the array grown (doubling from first_cap,
 * *cap updated). NULL when out of memory (items is then untouched). Any thread. */
void *dh_grow_array(void *items, size_t n, size_t *cap, size_t elem, size_t first_cap);

/* Fill *info (schema initialised, fields empty) from a decoded
 * ExportedTableCreationResponse for ticket t: success=false is DH_EGRPC,
 * FAILED_PRECONDITION with the server's error_info; `what` prefixes errors.
 * Any thread. */
int dh_table_info_from_reply(
    const struct Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r,
    const struct dh_ticket *t, const char *what, struct dh_table_info *info, struct dh_error *err);

/* After a failed write on st, replace *e with the call's final status when it
 * is an error: the server refusing the request says more than the bare write
 * error. Any thread. */
void dh_prefer_final_status(struct dh_stream *st, struct dh_error *e);

/* Encode the viewport positions [first, first + count) of a request as a RowSet
 * into *out (caller frees); a range outside the table is DH_EINVAL. Any thread. */
int dh_request_viewport(int64_t first, int64_t count, uint8_t **out, size_t *out_len,
                        struct dh_error *err);

/* Pack a FlightData message carrying only app_metadata md (an encoded Barrage
 * request) into *out (caller frees); `what` names the request in the
 * out-of-memory error. Any thread. */
int dh_flight_data_of_metadata(const uint8_t *md, size_t len, const char *what, uint8_t **out,
                               size_t *out_len, struct dh_error *err);

/* Decode a FlightData app_metadata as BarrageUpdateMetadata into *u (pointing
 * into md): DH_OK, or DH_END when md holds no update (empty, not a Barrage
 * wrapper as another Flight server's, or a wrapper of another message type),
 * else the decoding error. Any thread. */
int dh_update_from_metadata(const uint8_t *md, size_t len, struct dh_barrage_update *u,
                            struct dh_error *err);

/* Decode a stream's Schema message (message n_messages of it) into *schema and
 * check every column type is supported; a second Schema (have_schema set) is
 * DH_EINVAL. Any thread. */
int dh_take_schema_message(int have_schema, size_t n_messages, const uint8_t *header, size_t hlen,
                           struct dh_schema *schema, struct dh_error *err);

/* Refuse message n_messages (header type kind) for arriving before the Schema:
 * sets err and returns DH_EINVAL. Any thread. */
int dh_error_before_schema(struct dh_error *err, size_t n_messages, enum dh_ipc_kind kind);

/* The packed FlightData of a Barrage viewport snapshot request, as
 * dh_table_snapshot_request builds it, with batch_size rows per record batch
 * and lists cut to list_limit elements (previewListLengthLimit; 0: whole). */
struct dh_column_set;
int dh_snapshot_request_sized(const struct dh_ticket *t, int64_t first, int64_t count,
                              const struct dh_column_set *cols, int32_t batch_size,
                              int64_t list_limit, uint8_t **out, size_t *out_len,
                              struct dh_error *err);

/* The three parts of a packed FlightData (Flight.proto: data_header = 2,
 * app_metadata = 3, data_body = 1000), pointing into it; absent parts are
 * NULL with length 0. */
struct dh_flight_parts {
    const uint8_t *header, *body, *md;
    size_t hlen, blen, mdlen;
};

/* Split a packed FlightData without copying: every length is checked against
 * n, unknown fields are skipped, a repeated field's last occurrence wins (as
 * protobuf decoders do). DH_OK or DH_EINVAL. Any thread. */
int dh_flight_data_split(const uint8_t *p, size_t n, struct dh_flight_parts *out,
                         struct dh_error *err);

#endif
