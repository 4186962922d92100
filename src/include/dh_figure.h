/* SPDX-License-Identifier: MIT */
/* dh_figure: a "Figure" object read through ObjectService.MessageStream
 * (docs/PROTOCOL.md, Figures): the FigureDescriptor's XY subset and its table references. */
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
};

/* One chart of the figure's grid. */
struct dh_figure_chart {
    char *title;
    int chart_type; /* ChartDescriptor.ChartType (XY 0, ...) */
    size_t n_series;
    struct dh_figure_series *series;
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
    size_t n_other_refs;      /* references of other types ("PartitionedTable", ...) */
    struct dh_ticket *other_refs; /* not read, but released with the tables */
};

/* Fetch a figure: MessageStream connect{source_id={t,"Figure"}}, read one
 * payload, half-close, read to the end. On success the caller owns *out and
 * the server-side references (call dh_figure_release, then dh_figure_free).
 * On failure every reference the server sent is released and *out is NULL.
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
 * "Table" ones go to f->tables in order, others to f->other_refs), then set
 * each series' table_index to -1 where it does not name a table (adding a
 * line to f->errors). DH_ENOMEM. Pure. Any thread. */
int dh_figure_attach_refs(struct dh_figure *f, const struct dh_ticket *tickets,
                          const char *const *types, size_t n, struct dh_error *err);

/* Release every referenced ticket on the server (best effort; errors are
 * ignored) and empty them, so a second call does nothing. NULL-safe. Any thread. */
void dh_figure_release(struct dh_session *s, struct dh_figure *f);

/* Free the figure (does not release server references). NULL-safe. Any thread. */
void dh_figure_free(struct dh_figure *f);

#endif
