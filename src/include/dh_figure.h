/* SPDX-License-Identifier: MIT */
/* dh_figure: a "Figure" object read through ObjectService.MessageStream
 * (docs/PROTOCOL.md, Figures): the FigureDescriptor's XY subset, plot_by's
 * multi-series over partitioned tables, and its table references. A
 * deephaven.plot.express figure is read into the same model (dh_express.h). */
#ifndef DH_FIGURE_H
#define DH_FIGURE_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;

/* One series. Strings are owned by the figure, never NULL (may be ""). */
struct dh_figure_series {
    char *name;
    int plot_style;  /* FigureDescriptor.SeriesPlotStyle (LINE 2, SCATTER 8, ...) */
    char *x_column;  /* column_name of the first source of type X, "" if none */
    char *y_column;  /* column_name of the first source of type Y, "" if none */
    int table_index; /* index into dh_figure.tables (the X source's table_id, else
                      * the Y source's), -1 if none or out of range */
    char *x_axis_label, *y_axis_label; /* label of the axis whose id the source names */
    int partitioned_index;             /* plot_by (a MultiSeriesDescriptor): index into
                                        * dh_figure.partitioned, one series per key of its
                                        * merged table; -1 for a plain series */
};

/* One chart of the figure's grid. */
struct dh_figure_chart {
    char *title;
    int chart_type; /* ChartDescriptor.ChartType (XY 0, ...) */
    size_t n_series;
    struct dh_figure_series *series; /* the plain series, then the multi-series */
};

/* A partitioned table a plot_by series reads (upstream JsMultiSeries makes a
 * series per key; we read the merged table once and split it by key). */
struct dh_figure_partitioned {
    struct dh_ticket ticket; /* the figure's "PartitionedTable" reference */
    struct dh_ticket merged; /* PartitionedTableService.Merge, our export; len 0
                              * when it could not be read (f->errors says why) */
    size_t n_keys;
    char **keys; /* the descriptor's key column names */
};

/* A decoded figure. Owns everything; free with dh_figure_free. */
struct dh_figure {
    char *title;
    int64_t update_interval_ms;
    size_t n_charts;
    struct dh_figure_chart *charts;
    size_t n_errors;
    char **errors;            /* the server's figure errors: show them */
    size_t n_tables;          /* referenced tables ("Table" references, table_id order) */
    struct dh_ticket *tables; /* server-allocated export tickets: release with dh_figure_release */
    size_t n_partitioned;     /* "PartitionedTable" references, partitioned_table_id order */
    struct dh_figure_partitioned *partitioned;
    size_t n_other_refs;          /* references of other types */
    struct dh_ticket *other_refs; /* not read, but released with the tables */
    int is_express;               /* read from a deephaven.plot.express figure */
};

/* Fetch a figure: MessageStream connect{source_id={t,"Figure"}}, read one
 * payload, half-close, read to the end; then for each partitioned table its
 * key columns (its own MessageStream) and Merge (a failure there is a line in
 * f->errors, not a failed fetch). On success the caller owns *out and the
 * server-side references (call dh_figure_release, then dh_figure_free). On
 * failure every reference the server sent is released and *out is NULL.
 * Any thread. */
int dh_figure_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_figure **out,
                    struct dh_error *err);

/* Decode a FigureDescriptor payload (pure; used by dh_figure_fetch and tests).
 * table_index holds the raw table_id (no references yet). DH_EINVAL
 * "malformed FigureDescriptor ..." when the bytes do not decode. Caller frees
 * *out with dh_figure_free. Any thread. */
int dh_figure_decode(const uint8_t *payload, size_t len, struct dh_figure **out,
                     struct dh_error *err);

/* Attach the references of a ServerData message (types[i] for tickets[i];
 * "Table" ones go to f->tables in order, "PartitionedTable" ones to
 * f->partitioned, others to f->other_refs), then set each series' table_index
 * (partitioned_index) to -1 where it does not name one (adding a line to
 * f->errors). DH_ENOMEM. Pure. Any thread. */
int dh_figure_attach_refs(struct dh_figure *f, const struct dh_ticket *tickets,
                          const char *const *types, size_t n, struct dh_error *err);

/* Read partitioned table p's key columns and merge it (p->merged), through
 * dh_partitioned. DH_OK or the error (the figure fetch records it in
 * f->errors). Any thread. */
int dh_figure_read_partitioned(struct dh_session *s, struct dh_figure_partitioned *p,
                               struct dh_error *err);

/* Append one message to f->errors. DH_ENOMEM. Any thread. */
int dh_figure_add_error(struct dh_figure *f, const char *msg);

/* Release every referenced ticket on the server (best effort; errors are
 * ignored) and empty them, so a second call does nothing. NULL-safe. Any thread. */
void dh_figure_release(struct dh_session *s, struct dh_figure *f);

/* Free the figure (does not release server references). NULL-safe. Any thread. */
void dh_figure_free(struct dh_figure *f);

#endif
