/* SPDX-License-Identifier: MIT */
/* dh_tableops: derived views of a table, computed by the server (TableService
 * Sort, UnstructuredFilter, Filter, DropColumns, Aggregate count-by,
 * ComputeColumnStatistics; deephaven-core table.proto), and SeekRow. A view is its
 * source plus a chain of operations (filters in the order the user added them,
 * and the latest sort); the whole chain goes to the server as ONE
 * BatchTableRequest whose last operation alone is exported, so a change of
 * view costs one round trip and one export. Building the request is pure and
 * unit-tested; dh_table_derive makes the call. The chain, not the export, is
 * what a view keeps: it can be re-derived in any session. */
#ifndef DH_TABLEOPS_H
#define DH_TABLEOPS_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_table.h"
#include "dh_ticket.h"

struct dh_session;

/* A value to compare a column with (table.proto Literal). */
enum dh_literal_kind {
    DH_LIT_STRING = 1,
    DH_LIT_DOUBLE,
    DH_LIT_BOOL,
    DH_LIT_LONG,
    DH_LIT_NANOS, /* an Instant: nanoseconds since the epoch */
};
struct dh_literal {
    enum dh_literal_kind kind;
    char *s;   /* DH_LIT_STRING: owned, UTF-8 */
    double d;  /* DH_LIT_DOUBLE */
    int64_t i; /* DH_LIT_BOOL (0/1), DH_LIT_LONG, DH_LIT_NANOS */
};

struct dh_sort_key {
    char *column; /* owned */
    int descending;
};

enum dh_op_kind {
    DH_OP_SORT = 1, /* the whole sort (replaces an earlier sort op) */
    DH_OP_WHERE,    /* a Deephaven filter string (UnstructuredFilter) */
    DH_OP_MATCH,    /* column == value, or != when negate (Filter, CompareCondition) */
    DH_OP_DROP,     /* hide the column `text` (DropColumns) */
    DH_OP_COUNT_BY, /* one row per value of column `text` with its row count in a column
                     * named dh_view_ops_count_column(text) (Aggregate, Count) */
    DH_OP_STATS,    /* statistics of column `text` (ComputeColumnStatistics): a one-row table */
};

struct dh_table_op {
    enum dh_op_kind kind;
    struct dh_sort_key *keys; /* SORT: owned */
    size_t n_keys;
    char *text;              /* WHERE: the filter; MATCH: the column (owned) */
    int negate;              /* MATCH */
    struct dh_literal value; /* MATCH */
};

/* The operations of a view, oldest first. Zero it (or _init) before use. */
struct dh_view_ops {
    struct dh_table_op *ops;
    size_t n, cap;
};

#define DH_VIEW_MAX_OPS 64
#define DH_VIEW_MAX_SORT_KEYS 32

void dh_view_ops_init(struct dh_view_ops *v);
/* Free everything and empty the chain. Idempotent; NULL-safe. */
void dh_view_ops_reset(struct dh_view_ops *v);
/* Deep copy into *dst (reset first). DH_ENOMEM. */
int dh_view_ops_copy(struct dh_view_ops *dst, const struct dh_view_ops *src, struct dh_error *err);

/* Append an operation (strings are copied). DH_EINVAL (empty column or filter,
 * too many operations or keys), DH_ENOMEM. */
int dh_view_ops_add_where(struct dh_view_ops *v, const char *filter, struct dh_error *err);
int dh_view_ops_add_match(struct dh_view_ops *v, const char *column, int negate,
                          const struct dh_literal *value, struct dh_error *err);
int dh_view_ops_add_sort(struct dh_view_ops *v, const struct dh_sort_key *keys, size_t n,
                         struct dh_error *err);
/* Hide a column (DH_OP_DROP); DH_EINVAL if it is hidden already. */
int dh_view_ops_add_drop(struct dh_view_ops *v, const char *column, struct dh_error *err);
/* Count rows by the values of a column (DH_OP_COUNT_BY): the operations
 * after it apply to the counts. */
int dh_view_ops_add_count_by(struct dh_view_ops *v, const char *column, struct dh_error *err);
/* Statistics of a column (DH_OP_STATS); nothing may follow it. */
int dh_view_ops_add_stats(struct dh_view_ops *v, const char *column, struct dh_error *err);
/* The frequency view of a column of view v: v's operations without the sort
 * of its last stage (it cannot change the counts), then a count-by of the
 * column and a sort by the count, most first (v->n afterwards is the
 * frequency view's base: undo should not go below it). */
int dh_view_ops_add_frequency(struct dh_view_ops *v, const char *column, struct dh_error *err);
/* Remove every DH_OP_DROP after the last count-by (show all columns again);
 * returns how many were removed. */
size_t dh_view_ops_show_all(struct dh_view_ops *v);
/* 1 if `column` is hidden in the view's last stage (a DH_OP_DROP after the
 * last count-by). */
int dh_view_ops_hides(const struct dh_view_ops *v, const char *column);
/* Copy src into dst (reset first) without the hidden columns of its last
 * stage: what the server derives for a view that leaves those columns out of
 * its live window instead (dh_client_watch_window), so that hiding or showing
 * one keeps the table and its subscription. DH_ENOMEM. */
int dh_view_ops_copy_shown(struct dh_view_ops *dst, const struct dh_view_ops *src,
                           struct dh_error *err);
/* 1 if a and b differ in the hidden columns of their last stage at most. */
int dh_view_ops_same_but_hidden(const struct dh_view_ops *a, const struct dh_view_ops *b);
/* The name of the count column of a count-by of `column`: "Count", or
 * "Count_" when the column itself is called Count. */
const char *dh_view_ops_count_column(const char *column);
/* Drop the newest operation; 0 if there was none. */
int dh_view_ops_pop(struct dh_view_ops *v);

/* The sort in effect (the newest sort op after the last count-by), or NULL. */
const struct dh_table_op *dh_view_ops_sort(const struct dh_view_ops *v);

/* Parse a sort spec "-Price,Id" ('-' = descending) into keys appended as a
 * sort op. DH_EINVAL with a message naming the bad part. */
int dh_view_ops_add_sort_spec(struct dh_view_ops *v, const char *spec, struct dh_error *err);

/* The view as the user reads it: "Sym = AAPL | Price > 180 | sort -Price |
 * drop Size" (filters in order, then the sort in effect, then the hidden
 * columns; a count-by starts again: "Sym = AAPL | count by Venue | sort
 * -Count"); empty for no operations.
 * Always NUL-terminated (truncated with "..." to n). */
void dh_view_ops_describe(const struct dh_view_ops *v, char *out, size_t n);

/* The packed BatchTableRequest deriving `result` (an export ticket of this
 * session) from `source`: per stage (a count-by starts a new one) the filters
 * in order, then the sort in effect, then one DropColumns, then the count-by
 * or statistics that ends the stage; each
 * operation reading the previous one by batch offset; only the last has a
 * result id. *out is malloc'd (caller frees). DH_EINVAL if the chain is empty,
 * DH_ENOMEM. Pure. */
int dh_view_ops_batch_request(const struct dh_view_ops *v, const struct dh_ticket *source,
                              const struct dh_ticket *result, uint8_t **out, size_t *out_len,
                              struct dh_error *err);

/* Derive the view: one Batch call exporting `result` (a fresh export ticket of
 * this session, dh_session_next_export_id). On success *info describes the
 * derived table (info->ticket = result; reset it with dh_table_info_reset).
 * On failure the server's message comes back (DH_EGRPC with the final gRPC
 * status, or a failed ExportedTableCreationResponse's error_info), and the
 * result export is released (best effort) so the server keeps nothing.
 * Any thread. */
int dh_table_derive(struct dh_session *s, const struct dh_ticket *source,
                    const struct dh_view_ops *v, const struct dh_ticket *result,
                    struct dh_table_info *info, struct dh_error *err);

/* ---- SeekRow: find a row without reading the table ---- */

/* A search of one column (SeekRowRequest). A string pattern matches cells
 * that contain it, ignoring case unless it has an upper-case letter (less's
 * smart case); a number matches equal cells. */
struct dh_seek {
    const char *column;
    struct dh_literal value;
    int contains, insensitive;
    int64_t start; /* the search begins after (or before, backward) this row */
    int backward;
};

/* Fill q for searching `column` of Arrow type `type` (a dh_type_id) for the
 * text the user typed: strings (and chars) by contains with smart case,
 * integer and floating-point columns by an equal number. value.s points into
 * pattern. DH_EINVAL with a line for the user when the column cannot be
 * searched that way (a number column and text that is not a number). */
int dh_seek_prepare(struct dh_seek *q, const char *column, int type, int is_char,
                    const char *pattern, struct dh_error *err);

/* The packed SeekRowRequest for q on `source`. *out is malloc'd. Pure. */
int dh_seek_request(const struct dh_seek *q, const struct dh_ticket *source, uint8_t **out,
                    size_t *out_len, struct dh_error *err);
/* Decode a SeekRowResponse: *row is the matching row, or -1 when none
 * matches. DH_EINVAL for malformed bytes or a row below -1. Pure. */
int dh_seek_response_decode(const uint8_t *data, size_t len, int64_t *row, struct dh_error *err);
/* One SeekRow call on `source` (an export or any table ticket the server
 * resolves). Any thread. */
int dh_table_seek_row(struct dh_session *s, const struct dh_ticket *source, const struct dh_seek *q,
                      int64_t *row, struct dh_error *err);

/* ---- ComputeColumnStatistics: the answer as text ---- */

struct dh_rows;
/* The statistics table (one row; its columns depend on the column's type:
 * COUNT, SIZE, SUM, ..., UNIQUE_KEYS) as lines "NAME  value" for a pop-up,
 * names padded to one width, values formatted exactly (dh_format, digit
 * groups). *out is malloc'd (caller frees). DH_EINVAL if rows has not exactly
 * one row. Pure. */
int dh_stats_text(const struct dh_rows *rows, char **out, size_t *out_len, struct dh_error *err);

#endif
