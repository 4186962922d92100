/* SPDX-License-Identifier: MIT */
/* rollup: the demo server's one kind of HierarchicalTable, a two-level rollup with
 * Count, a sum and an average at every level: of trades by Exchange then Sym (Size,
 * Price), or of the ticking quotes by Sym then BidSize (AskSize, Bid); and the views of
 * it a HierarchicalTableService.View makes (upstream RollupTableImpl,
 * HierarchicalTableImpl's key-table directives, HierarchicalTableSchemaUtil's column
 * roles; docs/PROTOCOL.md, Hierarchical tables). Over a static source the groups are
 * computed once, when the object is made, and a view is the expanded rows materialised
 * as a computed table (catalog.h) that Barrage subscriptions read; over a ticking
 * source a view is a live view (catalog.h) computed again after every tick. */
#ifndef DEMO_ROLLUP_H
#define DEMO_ROLLUP_H

#include "catalog.h"
#include "registry.h"

/* demo_hier_new_fn: the rollup of source (trades- or quotes-shaped). NULL when out of
 * memory or when source lacks the columns. Any thread. */
void *demo_rollup_new(const struct demo_object *source, void (**free_fn)(void *));

/* The view of rollup `h` (a HierarchicalTable object) for the key table `keys` (NULL:
 * the default expansions, the root and the grand total) whose rows name nodes by
 * __DEPTH__ and the group-by columns, with the action byte in column `action_col`
 * (NULL or "": every row expands): 1 expand, 3 expand with descendants, 4 contract.
 * 0 with *out (a new reference, marked a hierarchical view), or -1 with st:
 * INVALID_ARGUMENT for a key table without the columns, UNIMPLEMENTED for
 * expand-to-depth actions. Any thread. */
int demo_rollup_view(const struct demo_object *h, const struct demo_object *keys,
                     const char *action_col, const struct demo_object **out,
                     struct demo_status *st);

#endif
