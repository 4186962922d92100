/* SPDX-License-Identifier: MIT */
/* rows_write: the data formats of `dhtui rows` (CSV, TSV, JSON, JSON Lines,
 * Arrow IPC stream) written from record batches as they arrive, through one
 * large buffer to a file descriptor. Every value is written exactly (see
 * README "Export formats"); only the safe mode (a terminal) shows control
 * characters as visible escapes instead. */
#ifndef DHTUI_ROWS_WRITE_H
#define DHTUI_ROWS_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "dh_arrow.h"
#include "dh_table.h"
#include "rows_out.h"
#include "rows_value.h"

/* Rows per record batch asked of the server for the data formats (the
 * Arrow format writes the batches as received, so every writer of the same
 * view asks for the same size). */
#define ROWS_DATA_BATCH 16384
/* Rows per snapshot stream: gRPC receives ahead of a reader slower than the
 * network (its flow-control window grows with the bandwidth), so a long
 * export is read as consecutive snapshots of this many rows, which bounds
 * what can pile up. */
#define ROWS_SNAPSHOT 262144

/* How the delimited formats write one column of the current batch (see
 * rows_write.c); one per output column, redone per batch. */
struct rows_cell_plan {
    int op; /* enum cell_op in rows_write.c */
    const struct dh_column_view *c;
    const uint8_t *validity; /* NULL: no null in this batch */
};

struct rows_writer {
    enum cli_rows_format format;
    int safe;              /* control characters as visible escapes (csv, tsv) */
    const char *null_text; /* csv/tsv null; NULL: "" (csv) or \N (tsv) */
    const struct dh_schema *schema;
    const size_t *cols; /* field index of each output column */
    size_t n_cols;
    enum rows_kind *kinds; /* per output column */
    struct rows_buf keys;  /* JSON: "name": of each column, back to back */
    size_t *key_end;       /* end of column k's key in keys */
    struct rows_out out;
    struct rows_value_ctx vctx;
    struct rows_cell_plan *plans; /* per output column (csv, tsv) */
    uint8_t special[256];         /* csv, tsv: bytes a field cannot hold as they are */
    struct rows_buf null_field;   /* csv, tsv: what a null is written as */
    int64_t rows;
};

/* Prepare to write the columns cols[0..n_cols) of schema (both borrowed for
 * the writer's life) to fd. 0 or -1 (out of memory). */
int rows_writer_init(struct rows_writer *w, enum cli_rows_format format, int fd,
                     const struct dh_schema *schema, const size_t *cols, size_t n_cols, int safe,
                     const char *null_text, int local_time);
/* The header line (csv, tsv), the opening bracket (json), or for arrow the
 * encapsulated Schema message (header: its flatbuffer as received). */
void rows_writer_begin(struct rows_writer *w, const uint8_t *schema_header, size_t hlen);
/* Rows [0, n) of a batch (text formats), or the batch's message as received
 * re-framed (arrow). */
void rows_writer_batch(struct rows_writer *w, const struct dh_batch *b, int64_t n,
                       const struct dh_raw_message *raw);
/* Close the document (json's bracket, arrow's end-of-stream marker) and flush. */
void rows_writer_end(struct rows_writer *w);
/* 0, or the errno of the first failed write (EPIPE: the reader went away). */
int rows_writer_error(const struct rows_writer *w);
void rows_writer_free(struct rows_writer *w);

#endif
