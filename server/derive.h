/* SPDX-License-Identifier: MIT */
/* derive: the demo server's Sort, UnstructuredFilter and Filter (upstream
 * SortTableGrpcImpl, UnstructuredFilterTableGrpcImpl, FilterTableGrpcImpl) over
 * computed tables, and the dispatch of every batch operation (statistics and
 * aggregations live in stats.c and aggregate.c; sort.c sorts, filter_eval.c
 * evaluates filters). Results are derived tables (catalog.h): an index of source
 * rows, 8 bytes per row kept, which a large sort fills lazily. A sort, filter,
 * distinct or aggregation of a ticking table is a live view (catalog.h) that derives
 * again from the source's rows whenever it is pinned after the source changed. Semantics follow
 * Deephaven: nulls sort first and NaN last ascending, -0 equals 0, ties keep source order (stable);
 * a range comparison (<, <=) matches nulls (null is the lowest value) and never NaN; == on NaN is
 * false. */
#ifndef DEMO_DERIVE_H
#define DEMO_DERIVE_H

#include "catalog.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "registry.h"

/* A status code (never a gRPC one) for failures upstream raises inside the engine:
 * the handler logs the message and answers FAILED_PRECONDITION "Details Logged w/ID"
 * (SessionState.toErrorHandler). */
#define DEMO_STATUS_DETAILS_LOGGED (-1)

/* One batch operation applied to src: 0 with *out (a new reference), or -1 with st
 * (FAILED_PRECONDITION "column(s) not found: X" for a sort, INVALID_ARGUMENT naming
 * the filter or column for filters, as upstream). Any thread. */
int demo_derive(const struct demo_object *src,
                const Io__Deephaven__Proto__Backplane__Grpc__BatchTableRequest__Operation *op,
                const struct demo_object **out, struct demo_status *st);

#endif
