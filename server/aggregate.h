/* SPDX-License-Identifier: MIT */
/* aggregate: the demo server's column and grouping operations (upstream
 * DropColumnsGrpcImpl, SelectDistinctGrpcImpl, AggregateGrpcImpl and the engine's
 * aggBy): results are computed tables (catalog.h).
 *   DropColumns     the other columns, reading the source (live when it ticks).
 *   SelectDistinct  one row per distinct key tuple, in order of first appearance.
 *   Aggregate       group-by columns, then one column per aggregation, groups in order
 *                   of first appearance: count (long), sum / abs_sum (long for integer
 *                   input, double for floating), avg / std / var (double; std and var
 *                   are sample statistics, NaN for one value), min / max (the input's
 *                   type, nulls skipped), first / last (the group's first / last row).
 *                   Aggregations without group-by columns give one row.
 * Memory is per group, never per input row (but for the result's own index). A failure
 * upstream raises inside the engine (an unknown column) comes back with
 * st->code DEMO_STATUS_DETAILS_LOGGED (derive.h). */
#ifndef DEMO_AGGREGATE_H
#define DEMO_AGGREGATE_H

#include "catalog.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "registry.h"

/* Each: 0 with *out (a new reference), or -1 with st. Any thread. */
int demo_drop_columns(const struct demo_object *t,
                      const Io__Deephaven__Proto__Backplane__Grpc__DropColumnsRequest *req,
                      const struct demo_object **out, struct demo_status *st);
int demo_select_distinct(const struct demo_object *t,
                         const Io__Deephaven__Proto__Backplane__Grpc__SelectDistinctRequest *req,
                         const struct demo_object **out, struct demo_status *st);
int demo_aggregate(const struct demo_object *t,
                   const Io__Deephaven__Proto__Backplane__Grpc__AggregateRequest *req,
                   const struct demo_object **out, struct demo_status *st);

#endif
