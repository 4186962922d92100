/* SPDX-License-Identifier: MIT */
/* dh_table: what a table ticket holds (GetExportedTableCreationResponse:
 * schema, size, static or ticking) and its rows, fetched a window at a time
 * with Barrage viewport snapshots over Flight DoExchange (PROTOCOL.md §7). */
#ifndef DH_TABLE_H
#define DH_TABLE_H

#include <stdint.h>

#include "dh_arrow.h"
#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;

/* A table's description. Owns the schema. */
struct dh_table_info {
    struct dh_ticket ticket; /* the ticket the rows are read through */
    struct dh_schema schema;
    int64_t size;            /* rows; < 0 if the server does not know yet */
    int is_static;           /* 0 = ticking */
};

/* GetExportedTableCreationResponse(ticket) -> info (caller resets with
 * dh_table_info_reset). FAILED_PRECONDITION "Ticket is not a table" comes back
 * as DH_EGRPC with grpc_status 9. Any thread. */
int dh_table_info_fetch(struct dh_session *s, const struct dh_ticket *t,
                        struct dh_table_info *info, struct dh_error *err);
void dh_table_info_reset(struct dh_table_info *info);

/* A window of rows: positions [first, first + batch.length). Owns everything. */
struct dh_rows {
    int64_t first;       /* position of the first row */
    int64_t table_size;  /* the table's size when the snapshot was taken */
    struct dh_schema schema;
    struct dh_batch batch; /* columns not requested have length 0 */
};
void dh_rows_reset(struct dh_rows *r);

/* Which columns to fetch: NULL = all; else a bitset of n_columns bits. */
struct dh_column_set {
    const uint8_t *bits;
    size_t n_columns;
};

/* Barrage viewport snapshot of rows [first, first+count) and the given
 * columns. Blocks (deadline: the session's call timeout). The call can be
 * cancelled from another thread through *cancel_slot (if not NULL: the
 * transport stream is stored there while running). Any thread. */
struct dh_stream;
int dh_table_snapshot(struct dh_session *s, const struct dh_ticket *t, int64_t first,
                      int64_t count, const struct dh_column_set *cols, struct dh_rows *out,
                      struct dh_stream *volatile *cancel_slot, struct dh_error *err);

#endif
