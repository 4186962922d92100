/* SPDX-License-Identifier: MIT */
/* dh_express: a deephaven.plot.express figure (the plotly-express plugin's
 * widget) read into the dh_figure model: its JSON document's plotly traces
 * become series, and its "deephaven" mappings name the table and columns of
 * each trace's x and y (docs/PROTOCOL.md, Plot-express figures). */
#ifndef DH_EXPRESS_H
#define DH_EXPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_figure.h"
#include "dh_ticket.h"

/* The plugin's object type name (ObjectType.name upstream). */
#define DH_EXPRESS_TYPE "deephaven.plot.express.DeephavenFigure"

/* Traces one figure may have (a hostile document cannot make us allocate
 * without limit beyond the document itself). */
#define DH_EXPRESS_MAX_TRACES 1024

/* Decode the first message's payload: {"type":"NEW_FIGURE","figure":{...},
 * "new_references":[...]} (or, from older plugins, the figure document
 * itself). One chart; a series per trace: name, style (line, scatter, bar;
 * others -1 with a line in f->errors), x/y columns and table_index (the
 * position in the message's references of the mapped table). Tables are
 * attached after (dh_figure_attach_refs). DH_EINVAL "malformed plot-express
 * figure: ..." when the document does not parse; DH_ENOMEM. Caller frees *out
 * with dh_figure_free. Pure. Any thread. */
int dh_express_decode(const uint8_t *payload, size_t len, struct dh_figure **out,
                      struct dh_error *err);

/* ---- a figure that changes ----
 * The plugin keeps the stream open and sends a new NEW_FIGURE message when
 * the figure changes (DeephavenFigureListener._on_update): the whole figure
 * again, its "revision", the objects it exports for the first time
 * ("new_references": their ids, in the order of the message's references)
 * and the ids it no longer uses ("removed_references"). A mapping's "table"
 * is an id, which may name a reference of an earlier message (the plugin's
 * Exporter keeps an object's id). */

/* References a figure may collect over its updates. */
#define DH_EXPRESS_MAX_REFS 65536

/* The references a figure's stream has sent, by id; a removed one keeps its
 * position with an empty ticket and id -1. Zero it before use. */
struct dh_express_refs {
    size_t n;
    int64_t *ids;
    struct dh_ticket *tickets; /* server exports: released by whoever holds k */
    char **types;
};
/* Free the arrays (the server references are not released) and zero k. */
void dh_express_refs_reset(struct dh_express_refs *k);

/* Take one message of the stream (the first or a later one) with its
 * references refs[0..n_refs) (moved into k: refs[i] are left empty): the
 * figure as the message describes it, every table id resolved through k, its
 * tables attached from k (each series' table_index a position in k). The
 * tickets of removed references go to removed[0..*n_removed) (at most
 * max_removed; the caller releases them). DH_EINVAL for a malformed message,
 * DH_ENOMEM. *out freed with dh_figure_free; its tables are k's, not its own
 * (release them through k). Pure. Any thread. */
int dh_express_take(struct dh_express_refs *k, const uint8_t *payload, size_t len,
                    struct dh_ticket *refs, const char *const *types, size_t n_refs,
                    struct dh_figure **out, struct dh_ticket *removed, size_t *n_removed,
                    size_t max_removed, struct dh_error *err);

#endif
