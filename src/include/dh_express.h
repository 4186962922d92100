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

#endif
