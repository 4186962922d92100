/* SPDX-License-Identifier: MIT */
/* dh_hier: hierarchical tables (rollups and trees) through HierarchicalTableService
 * (docs/PROTOCOL.md, Hierarchical tables), as the JS API's JsTreeTable drives them:
 *   1. FetchObject (type "HierarchicalTable") gives a HierarchicalTableDescriptor:
 *      the views' snapshot schema, whose field metadata names each column's role;
 *   2. the expanded and collapsed nodes go to the server as a key table (the
 *      expand-by columns, __DEPTH__ and an action byte), uploaded with Flight DoPut;
 *   3. View(hierarchical table, key table) exports a HierarchicalTableView;
 *   4. a Barrage viewport subscription of the view sends its rows: depth-first,
 *      each with its depth and whether it is expanded (null for a leaf).
 * Each call blocks (deadline: the session's call timeout) and returns errors as
 * values; any thread. */
#ifndef DH_HIER_H
#define DH_HIER_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"
#include "dh_error.h"
#include "dh_table.h"
#include "dh_ticket.h"

struct dh_session;

#define DH_HIER_MAX_KEYS 16

/* What a HierarchicalTableDescriptor says. Owns the schema. */
struct dh_hier_info {
    struct dh_schema schema; /* the views' rows: structural columns first */
    int is_static;
    int is_rollup;     /* 1: a rollup (depth is an expand-by column); 0: a tree */
    long depth_col;    /* "hierarchicalTable.isRowDepthColumn" (int32), or -1 */
    long expanded_col; /* "hierarchicalTable.isRowExpandedColumn" (bool), or -1 */
    size_t n_keys;     /* expand-by columns other than the depth, schema order */
    long key_cols[DH_HIER_MAX_KEYS];
};

/* Decode a packed HierarchicalTableDescriptor into *info (overwritten; reset it with
 * dh_hier_info_reset on success). DH_EINVAL when malformed or when the schema lacks
 * the depth or expanded column, DH_ENOTSUP for more than DH_HIER_MAX_KEYS expand-by
 * columns, DH_ENOMEM. Pure. */
int dh_hier_info_decode(const uint8_t *data, size_t len, struct dh_hier_info *info,
                        struct dh_error *err);
void dh_hier_info_reset(struct dh_hier_info *info);
/* Whether column c is for people to see (not structural, not a style column). */
int dh_hier_column_visible(const struct dh_hier_info *info, size_t c);

/* FetchObject(t, "HierarchicalTable") and dh_hier_info_decode. */
int dh_hier_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_hier_info *info,
                  struct dh_error *err);

/* Key-table actions (upstream HierarchicalTableImpl.KEY_TABLE_ACTION_*). */
enum dh_hier_action { DH_HIER_EXPAND = 1, DH_HIER_EXPAND_ALL = 3, DH_HIER_COLLAPSE = 4 };

/* The expansions of a view: one directive per node, named by the key cells of one of
 * its rows. Opaque; _new / _free. */
struct dh_hier_keys;
struct dh_hier_keys *dh_hier_keys_new(void); /* NULL when out of memory */
void dh_hier_keys_free(struct dh_hier_keys *k);
/* A deep copy (NULL k: an empty set); NULL when out of memory. */
struct dh_hier_keys *dh_hier_keys_copy(const struct dh_hier_keys *k);
size_t dh_hier_keys_count(const struct dh_hier_keys *k);
/* Whether a and b hold the same directives in the same order (NULL: an empty set). */
int dh_hier_keys_equal(const struct dh_hier_keys *a, const struct dh_hier_keys *b);
/* Set the directive for the node of row `row` of rows r (a window of a view of the
 * table info describes): a later directive for the same node replaces the earlier.
 * DH_ENOTSUP for a key column whose type the key table cannot carry, DH_EINVAL for a
 * row outside r, DH_ENOMEM. */
int dh_hier_keys_set(struct dh_hier_keys *k, const struct dh_hier_info *info,
                     const struct dh_rows *r, int64_t row, enum dh_hier_action action,
                     struct dh_error *err);

/* The packed FlightData messages of a key table upload to export `dest`: the Schema
 * (with the FlightDescriptor ["export", "<dest>"]) and one RecordBatch. Columns: the
 * expand-by columns (as the keys' rows had them), __DEPTH__ (int32), __action__
 * (int8). *msgs[0..2) malloc'd (caller frees both). Pure. */
int dh_hier_key_table_messages(const struct dh_hier_keys *k, int32_t dest, uint8_t *msgs[2],
                               size_t lens[2], struct dh_error *err);

/* A view of hierarchical table `t` with expansions k (NULL or empty: the server's
 * defaults): DoPut of the key table, View, then the key table is released. *view gets
 * the new export ticket (the caller releases it). */
int dh_hier_view(struct dh_session *s, const struct dh_ticket *t, const struct dh_hier_keys *k,
                 struct dh_ticket *view, struct dh_error *err);

/* Rows [first, first + count) of a view: a viewport subscription, its first update,
 * then cancelled (a view's ticket refuses snapshots). out->table_size is the number
 * of expanded rows. *out is reset first. */
int dh_hier_read(struct dh_session *s, const struct dh_ticket *view, int64_t first, int64_t count,
                 struct dh_rows *out, struct dh_error *err);

/* The depth of row `row` of a view's rows (1 for the top level), and whether it is
 * expanded: 1, 0 (expandable), -1 (a leaf). */
int dh_hier_row_depth(const struct dh_hier_info *info, const struct dh_rows *r, int64_t row);
int dh_hier_row_expanded(const struct dh_hier_info *info, const struct dh_rows *r, int64_t row);

#endif
