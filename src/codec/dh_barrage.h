/* SPDX-License-Identifier: MIT */
/* dh_barrage: Barrage flatbuffers (barrage format/Barrage.fbs; docs/PROTOCOL.md,
 * Barrage flatbuffers): the BarrageMessageWrapper carried in FlightData.app_metadata, snapshot and
 * subscription requests, and BarrageUpdateMetadata, each encoded and decoded.
 * Pure over bytes. Decoded structs are VIEWS: their pointers point into the bytes
 * given to the decoder, which the caller keeps alive; nothing needs freeing.
 * Encoders return a malloc'd wrapper the caller frees. */
#ifndef DH_BARRAGE_H
#define DH_BARRAGE_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_flatbuf.h"

/* BarrageMessageWrapper.magic: its little-endian bytes spell "dphn". */
#define DH_BARRAGE_MAGIC 0x6E687064u

/* BarrageMessageType. */
enum dh_barrage_msg_type {
    DH_BARRAGE_MSG_NONE = 0,
    DH_BARRAGE_MSG_SERIALIZATION_OPTIONS = 4,
    DH_BARRAGE_MSG_SUBSCRIPTION_REQUEST = 5,
    DH_BARRAGE_MSG_UPDATE_METADATA = 6,
    DH_BARRAGE_MSG_SNAPSHOT_REQUEST = 7,
    DH_BARRAGE_MSG_PUBLICATION_REQUEST = 8,
};

/* A BarrageSnapshotRequest. For encoding, NULL columns means all columns and NULL
 * viewport the whole table (an empty rowset, 0x20, is not the same thing); decoding
 * sets them NULL when absent. Byte fields point at caller / input bytes. */
struct dh_barrage_snapshot_request {
    const uint8_t *ticket;
    size_t ticket_len;
    const uint8_t *columns; /* BitSet.toByteArray: column i is bit i%8 of byte i/8 */
    size_t columns_len;
    const uint8_t *viewport; /* an encoded RowSet of positions (dh_rowset) */
    size_t viewport_len;
    int reverse_viewport;
    int has_options; /* decode: snapshot_options was present (encode: always written) */
    int use_deephaven_nulls;
    int32_t batch_size;       /* 0 = the server's default */
    int32_t max_message_size; /* 0 = the server's default */
    int64_t preview_list_length_limit;
};

/* A BarrageSubscriptionRequest (fields as for the snapshot request, plus these). */
struct dh_barrage_subscription_request {
    const uint8_t *ticket;
    size_t ticket_len;
    const uint8_t *columns;
    size_t columns_len;
    const uint8_t *viewport;
    size_t viewport_len;
    int reverse_viewport;
    int has_options;
    int use_deephaven_nulls;
    int32_t min_update_interval_ms; /* 0 = the server's barrage.minUpdateInterval */
    int32_t batch_size;
    int32_t max_message_size;
    int columns_as_list;
    int64_t preview_list_length_limit;
    const uint8_t *subscription_token;
    size_t subscription_token_len;
};

/* One BarrageModColumnMetadata: the rows modified in one column (an encoded RowSet). */
struct dh_barrage_mod_column {
    const uint8_t *modified_rows; /* NULL when absent */
    size_t modified_rows_len;
};

/* A BarrageUpdateMetadata. RowSet fields are encoded bytes (decode with dh_rowset),
 * NULL when absent. */
struct dh_barrage_update {
    int64_t first_seq, last_seq;
    int is_snapshot;
    const uint8_t *effective_viewport;
    size_t effective_viewport_len;
    int effective_reverse_viewport;
    const uint8_t *effective_column_set; /* a column bitset */
    size_t effective_column_set_len;
    const uint8_t *added_rows;
    size_t added_rows_len;
    const uint8_t *removed_rows;
    size_t removed_rows_len;
    const uint8_t *shift_data; /* three RowSets back to back */
    size_t shift_data_len;
    const uint8_t *added_rows_included;
    size_t added_rows_included_len;
    size_t n_mod_columns; /* entries of mod_column_nodes */
    int has_table_size;   /* table_size was present (Java omits 0) */
    int64_t table_size;
    struct dh_fb_vector mod_columns; /* decode: the raw vector; use dh_barrage_update_mod_column */
};

/* Whether buf holds a BarrageMessageWrapper (a readable flatbuffer with the magic).
 * Any thread. */
int dh_barrage_is_wrapper(const uint8_t *buf, size_t len);

/* Wrap payload (a complete flatbuffer) as a BarrageMessageWrapper of msg_type into a
 * malloc'd *out. DH_OK, DH_EINVAL or DH_ENOMEM. Any thread. */
int dh_barrage_wrap(uint8_t msg_type, const uint8_t *payload, size_t payload_len, uint8_t **out,
                    size_t *out_len, struct dh_error *err);

/* Read a wrapper: *msg_type and the payload view (NULL, 0 when absent). DH_OK or
 * DH_EINVAL (not a flatbuffer, wrong magic). Any thread. */
int dh_barrage_unwrap(const uint8_t *buf, size_t len, uint8_t *msg_type, const uint8_t **payload,
                      size_t *payload_len, struct dh_error *err);

/* Encode a snapshot request wrapped as message type 7. Any thread. */
int dh_barrage_encode_snapshot_request(const struct dh_barrage_snapshot_request *req, uint8_t **out,
                                       size_t *out_len, struct dh_error *err);

/* Decode a wrapper holding a snapshot request. DH_OK, DH_EINVAL, or DH_ENOTSUP when the
 * wrapper holds another message type. Any thread. */
int dh_barrage_decode_snapshot_request(const uint8_t *buf, size_t len,
                                       struct dh_barrage_snapshot_request *req,
                                       struct dh_error *err);

/* Encode a subscription request wrapped as message type 5. Any thread. */
int dh_barrage_encode_subscription_request(const struct dh_barrage_subscription_request *req,
                                           uint8_t **out, size_t *out_len, struct dh_error *err);

/* Decode a wrapper holding a subscription request (as the snapshot decoder). Any thread. */
int dh_barrage_decode_subscription_request(const uint8_t *buf, size_t len,
                                           struct dh_barrage_subscription_request *req,
                                           struct dh_error *err);

/* Encode update metadata (u's view fields; n_mod_columns and mod_columns of u are
 * ignored: mods[0..n_mods) are written) wrapped as message type 6. has_table_size
 * selects whether table_size is written. Any thread. */
int dh_barrage_encode_update(const struct dh_barrage_update *u,
                             const struct dh_barrage_mod_column *mods, size_t n_mods, uint8_t **out,
                             size_t *out_len, struct dh_error *err);

/* Decode a wrapper holding update metadata (FlightData.app_metadata). DH_OK, DH_EINVAL,
 * or DH_ENOTSUP when the wrapper holds another message type. Any thread. */
int dh_barrage_decode_update(const uint8_t *buf, size_t len, struct dh_barrage_update *u,
                             struct dh_error *err);

/* Modified rows of column i (i < u->n_mod_columns) of a decoded update. DH_OK or
 * DH_EINVAL. Any thread. */
int dh_barrage_update_mod_column(const struct dh_barrage_update *u, size_t i,
                                 struct dh_barrage_mod_column *out, struct dh_error *err);

#endif
