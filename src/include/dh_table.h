/* SPDX-License-Identifier: MIT */
/* dh_table: what a table ticket holds (GetExportedTableCreationResponse:
 * schema, size, static or ticking) and its rows, fetched a window at a time
 * with Barrage viewport snapshots over Flight DoExchange (docs/PROTOCOL.md, Barrage), or
 * whole with Flight DoGet (docs/PROTOCOL.md, Arrow IPC). The network calls are thin: building the
 * request and applying each reply message are separate, pure steps (so a live
 * viewport subscription can reuse them) and are tested without a server. */
#ifndef DH_TABLE_H
#define DH_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"
#include "dh_cancel.h"
#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;
struct dh_stream;

/* A table's description. Owns the schema. */
struct dh_table_info {
    struct dh_ticket ticket; /* the ticket the rows are read through */
    struct dh_schema schema;
    int64_t size;  /* rows; < 0 if the server does not know yet */
    int is_static; /* 0 = ticking */
};

/* GetExportedTableCreationResponse(ticket) -> info (the request is a bare
 * Ticket and creates nothing on the server). *info is overwritten, not freed;
 * on success the caller resets it with dh_table_info_reset. FAILED_PRECONDITION "Ticket is not a
 * table" comes back as DH_EGRPC with grpc_status 9; a reply with success=false also comes back as
 * DH_EGRPC, grpc_status 9, with the server's error_info. Any thread. */
int dh_table_info_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_table_info *info,
                        struct dh_error *err);
/* Free the schema and empty the info. Idempotent; NULL-safe. Any thread. */
void dh_table_info_reset(struct dh_table_info *info);

/* A window of rows: positions [first, first + batch.length). Owns everything
 * (batch's column views point at schema's fields and into batch.body). Zero it
 * (or dh_rows_reset it) before first use. */
struct dh_rows {
    int64_t first;      /* position of the first row */
    int64_t table_size; /* the table's size when the snapshot was taken */
    struct dh_schema schema;
    struct dh_batch batch; /* one column view per schema field (list children after
                            * them); columns not requested have length 0 */
    /* A live update of the same window: origin[j] is the index of row j in the
     * window this stream delivered before (the same row, moved or modified), or
     * -1 for a row that came. Exact where contents are not: rows have no keys
     * (docs/PROTOCOL.md, Barrage updates). NULL when there is no such relation
     * (a snapshot, a new window, a one-off read). batch.length entries. */
    int64_t *origin;
};
/* Free everything and zero the struct. Idempotent; NULL-safe. Any thread. */
void dh_rows_reset(struct dh_rows *r);

/* later is an update that followed earlier, whose origin says where earlier's
 * rows were in the window before it: make later's origin skip earlier (point
 * into that window too), so updates held back can be shown at once. A later
 * or earlier without origin leaves later without one. Any thread. */
void dh_rows_chain_origin(struct dh_rows *later, const struct dh_rows *earlier);

/* Safe access for drawing code, checked here once rather than by each caller:
 * the columns a window can show (fields that have a column view), field f of
 * its schema, and the column view of field f. They never return NULL: past the
 * end (or for r == NULL) they give a nameless NULL-typed field and an empty
 * column (length 0), whose cells format as empty text. Any thread. */
size_t dh_rows_n_columns(const struct dh_rows *r);
const struct dh_field *dh_rows_field(const struct dh_rows *r, size_t f);
const struct dh_column_view *dh_rows_column(const struct dh_rows *r, size_t f);

/* Which columns to fetch: NULL = all; else a bitset of n_columns bits
 * (column i is bit i % 8 of bits[i / 8], as Java's BitSet.toByteArray). */
struct dh_column_set {
    const uint8_t *bits;
    size_t n_columns;
};

/* A live window: positions [first, first + count), counted from the table's
 * end when reverse (the rows still come in table order; a reverse window's
 * rows start at table_size - its length), and the columns it carries:
 * n_columns 0 = all, else bit i of cols (as dh_column_set) for column i < n_columns.
 * Plain data (copy it by value). */
#define DH_WINDOW_MAX_COLUMNS 4096
struct dh_window {
    int64_t first, count;
    int reverse;
    size_t n_columns;
    uint8_t cols[DH_WINDOW_MAX_COLUMNS / 8];
};
/* A forward window of every column. */
struct dh_window dh_window_of(int64_t first, int64_t count);
/* 1 if column i is in w. */
int dh_window_has_column(const struct dh_window *w, size_t i);

/* Rows per Barrage batch and bytes per message we ask the server for (under
 * the channel's 128 MiB receive limit, with room for the metadata). A server
 * sends a single row larger than that anyway (upstream
 * BarrageMessageWriterImpl.processBatches), and the receive limit refuses it:
 * so the pager asks for lists cut to DH_TABLE_LIST_PREVIEW + 1 elements
 * (previewListLengthLimit; the one more tells a cut list from a whole one, as
 * upstream's BarrageOptions advises) and reads a cut row whole on request. */
#define DH_TABLE_BATCH_SIZE 4096
#define DH_TABLE_MAX_MESSAGE_SIZE (100 * 1024 * 1024)
#define DH_TABLE_LIST_PREVIEW 1000

/* The packed FlightData that opens a Barrage viewport snapshot (docs/PROTOCOL.md,
 * Barrage snapshots): app_metadata = BarrageMessageWrapper(type 7,
 * BarrageSnapshotRequest{ticket, columns (absent = all), viewport = positions
 * [first, first + count), options{use_deephaven_nulls = false, batch_size,
 * max_message_size}}). Nulls therefore arrive in validity bitmaps.
 * *out is malloc'd (caller frees). DH_EINVAL (bad range), DH_ENOMEM. Any thread. */
int dh_table_snapshot_request(const struct dh_ticket *t, int64_t first, int64_t count,
                              const struct dh_column_set *cols, uint8_t **out, size_t *out_len,
                              struct dh_error *err);

/* Rows being assembled from the FlightData of a Barrage snapshot or a DoGet:
 * first the Schema message, then RecordBatches (the first of each chunk with a
 * BarrageUpdateMetadata). Caller-allocated: _init, _apply per message,
 * _finish, _reset. Memory is bounded by the rows asked for: batches beyond
 * `count` rows are dropped. */
struct dh_table_reader {
    int64_t first;      /* position of the first row asked for */
    int64_t count;      /* rows asked for; < 0 = all (DoGet) */
    int64_t table_size; /* from the latest metadata; -1 until known */
    int64_t rows;       /* rows kept so far (<= count when count >= 0) */
    int have_schema;
    struct dh_schema schema;
    size_t n_batches, cap_batches;
    struct dh_batch *batches;
    size_t n_messages; /* FlightData messages applied (for error texts) */
};

/* Prepare a reader for rows [first, first + count) (count < 0: all). Any thread. */
void dh_table_reader_init(struct dh_table_reader *r, int64_t first, int64_t count);
/* Free what the reader holds and leave it as _init left it, with the same
 * range. Idempotent; NULL-safe. Any thread. */
void dh_table_reader_reset(struct dh_table_reader *r);

/* Apply one FlightData message given as its three parts (data_header, data_body,
 * app_metadata; any may be empty). Pure over bytes. DH_OK, DH_EINVAL (malformed
 * or out of order), DH_ENOTSUP (dictionary, compression, unsupported type),
 * DH_ENOMEM. Any thread. */
int dh_table_apply_flight_data(struct dh_table_reader *r, const uint8_t *header, size_t hlen,
                               const uint8_t *body, size_t blen, const uint8_t *app_metadata,
                               size_t alen, struct dh_error *err);

/* Apply one packed FlightData protobuf message (as read from the stream). Any thread. */
int dh_table_apply_packed(struct dh_table_reader *r, const uint8_t *msg, size_t len,
                          struct dh_error *err);

/* Move the rows read into *out (reset first): the schema, and one batch with the
 * rows of all batches in position order, clipped to the table size and to the
 * rows asked for. The reader is left empty. DH_EINVAL if no schema arrived,
 * DH_ENOMEM. Any thread. */
int dh_table_reader_finish(struct dh_table_reader *r, struct dh_rows *out, struct dh_error *err);

/* Barrage viewport snapshot of rows [first, first+count) and the given
 * columns. Blocks (deadline: the session's call timeout). dh_cancel_fire(cancel)
 * from another thread ends it with DH_ECANCELLED (dh_cancel.h; cancel may be
 * NULL). *out (zeroed or holding rows) is reset first. Any thread. */
int dh_table_snapshot(struct dh_session *s, const struct dh_ticket *t, int64_t first, int64_t count,
                      const struct dh_column_set *cols, struct dh_rows *out,
                      struct dh_cancel *cancel, struct dh_error *err);
/* As dh_table_snapshot with every list (array) cell cut by the server to its
 * first list_limit elements (the last -list_limit when negative; 0: whole):
 * BarrageSnapshotOptions.previewListLengthLimit. Any thread. */
int dh_table_snapshot_limited(struct dh_session *s, const struct dh_ticket *t, int64_t first,
                              int64_t count, const struct dh_column_set *cols, int64_t list_limit,
                              struct dh_rows *out, struct dh_cancel *cancel, struct dh_error *err);

/* Rows streamed batch by batch: one Barrage viewport snapshot of
 * [first, first + count) over DoExchange, each record batch handed out as it
 * arrives and dropped at the next call, so memory is one batch whatever
 * count is (how `dhtui rows` exports a whole table). The server produces the
 * next batches while the caller works on this one (gRPC flow control bounds
 * how far it runs ahead). */
struct dh_table_stream;

/* Open the stream: send the snapshot request (batch_rows rows per record
 * batch; <= 0: DH_TABLE_BATCH_SIZE) and read up to the Schema message.
 * *out is NULL on failure. No deadline (exports of any size), cancellable
 * like dh_table_snapshot through cancel (may be NULL): a fire also ends the
 * reads that follow. Any thread. */
int dh_table_stream_open(struct dh_session *s, const struct dh_ticket *t, int64_t first,
                         int64_t count, const struct dh_column_set *cols, int64_t batch_rows,
                         struct dh_cancel *cancel, struct dh_table_stream **out,
                         struct dh_error *err);

/* The table's schema (the batches' views point at its fields) and the raw
 * Schema message flatbuffer as received. Valid until _free. Any thread. */
const struct dh_schema *dh_table_stream_schema(const struct dh_table_stream *st);
void dh_table_stream_schema_message(const struct dh_table_stream *st, const uint8_t **header,
                                    size_t *hlen);

/* The next record batch: DH_OK with *batch (valid until the next call or
 * _free; batch->length never goes past the rows asked for, and views of
 * columns not requested have length 0), DH_END after the last one, or an
 * error. raw (may be NULL) gets the batch's message as received (RecordBatch
 * flatbuffer and body) for re-framing, and the DictionaryBatch messages that
 * came since the previous batch (to write before it; copies, valid as the
 * batch). Any thread (one caller at a time). */
struct dh_raw_message {
    const uint8_t *header;
    size_t hlen;
    const uint8_t *body;
    size_t blen;
    const struct dh_raw_message *dicts; /* n_dicts DictionaryBatch messages */
    size_t n_dicts;
};
int dh_table_stream_next(struct dh_table_stream *st, const struct dh_batch **batch,
                         struct dh_raw_message *raw, struct dh_error *err);

/* 1 once the server's whole answer has arrived (what is left to hand out
 * is queued in memory, a few batches at most): the moment to open the
 * stream of the next range, so that the server works on it while these
 * batches are written out. Any thread. */
int dh_table_stream_received(struct dh_table_stream *st);

/* Cancel if still running and free. NULL-safe. Any thread. */
void dh_table_stream_free(struct dh_table_stream *st);

/* Flight DoGet of the whole table (all rows, all columns) into *out. Memory grows
 * with the table: for small tables, tests and the "DoGet vs first screen"
 * benchmark. No deadline. Cancellable like dh_table_snapshot. Any thread. */
int dh_table_doget(struct dh_session *s, const struct dh_ticket *t, struct dh_rows *out,
                   struct dh_cancel *cancel, struct dh_error *err);

#endif
