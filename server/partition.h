/* SPDX-License-Identifier: MIT */
/* partition: the tables behind the demo server's partitioned tables (catalog.h,
 * demo_partitioned_source): the underlying table FetchObject exports, a constituent
 * chosen by a key table (GetTable) and the merge of all constituents (Merge). Mimics
 * upstream deephaven-core PartitionedTableImpl as partitionBy builds it: one constituent
 * per distinct key, in order of first appearance; a constituent keeps its source's row
 * order; the merge is the constituents one after another. Results are computed tables
 * (static, referenced). */
#ifndef DEMO_PARTITION_H
#define DEMO_PARTITION_H

#include "catalog.h"
#include "registry.h"

/* The constituent column's name (PartitionedTableCreatorImpl.CONSTITUENT). */
#define DEMO_CONSTITUENT_COLUMN "__CONSTITUENT__"

/* The underlying table: one row per key, the key column and DEMO_CONSTITUENT_COLUMN (each
 * constituent as Deephaven prints a table: its description). 0 with *out, or -1 with st.
 * Any thread. */
int demo_partition_table(const struct demo_object *pt, const struct demo_object **out,
                         struct demo_status *st);

/* Every constituent's rows, constituent after constituent (PartitionedTable.merge). */
int demo_partition_merge(const struct demo_object *pt, const struct demo_object **out,
                         struct demo_status *st);

/* The constituent(s) whose key is in the key column of `keys`
 * (PartitionedTableServiceGrpcImpl.getConstituents). unique_behavior is GetTableRequest's:
 * 0 or 1 require one key row and exactly one constituent (INVALID_ARGUMENT otherwise),
 * 2 merges every match (none: an empty table). A key table without the key column is a
 * failure inside the engine (DEMO_STATUS_DETAILS_LOGGED, derive.h). Any thread. */
int demo_partition_get(const struct demo_object *pt, const struct demo_object *keys,
                       int unique_behavior, const struct demo_object **out, struct demo_status *st);

#endif
