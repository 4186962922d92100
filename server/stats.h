/* SPDX-License-Identifier: MIT */
/* stats: the demo server's ComputeColumnStatistics (upstream ColumnStatisticsGrpcImpl
 * and the server/table/stats kernels): a one-row table whose columns depend on
 * the column's type, with upstream's names and types:
 *   Instant:  COUNT, SIZE, MIN, MAX (Instant)
 *   numeric:  COUNT, SIZE, SUM, SUM_ABS, SUM_SQRD, MIN, MAX, MIN_ABS, MAX_ABS, AVG,
 *             AVG_ABS, STD_DEV (integer sums are long until they overflow, then double,
 *             the squares' column then named SQRD_SUM as upstream names it; MIN.. have
 *             the column's type)
 *   other:    COUNT, SIZE, UNIQUE_VALUES (int), UNIQUE_KEYS (String[]), UNIQUE_COUNTS
 *             (long[]): the most common values, most frequent first (ties: by value)
 * Every column is read a chunk of rows at a time, from arrays when it reads so
 * (catalog.h, demo_table_column_source: a generated column is kept in the column
 * cache), else cell by cell; numeric and Instant columns in one pass, the others
 * keeping one entry per distinct value (group.h). */
#ifndef DEMO_STATS_H
#define DEMO_STATS_H

#include "catalog.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "registry.h"

/* Statistics of req->column_name over t: 0 with *out (a new reference), or -1 with st
 * (INVALID_ARGUMENT "Table doesn't have a column with the specified name", as upstream).
 * Any thread. */
int demo_column_stats(const struct demo_object *t,
                      const Io__Deephaven__Proto__Backplane__Grpc__ColumnStatisticsRequest *req,
                      const struct demo_object **out, struct demo_status *st);

#endif
