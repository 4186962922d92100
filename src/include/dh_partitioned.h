/* SPDX-License-Identifier: MIT */
/* dh_partitioned: partitioned tables (docs/PROTOCOL.md, Partitioned tables). A
 * "PartitionedTable" object is read with ObjectService.FetchObject: a
 * PartitionedTableDescriptor (key columns, constituent column) and a reference to
 * its underlying table, one row per constituent. dhtui shows that table without
 * the constituent column as the key table; PartitionedTableService.GetTable gives
 * the constituent of one key row and Merge all constituents as one table
 * (upstream deephaven-core partitionedtable.proto, PartitionedTableTypePlugin.java,
 * PartitionedTableServiceGrpcImpl.java; the JS API's JsPartitionedTable does the
 * same). Every result is a new export of the caller's choosing, described as a
 * dh_table_info. */
#ifndef DH_PARTITIONED_H
#define DH_PARTITIONED_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_table.h"
#include "dh_ticket.h"

struct dh_session;

/* The upstream type name of a partitioned table in object lists and FetchObject. */
#define DH_PARTITIONED_TYPE "PartitionedTable"

/* A decoded descriptor and the underlying table. Owns its strings; free with
 * dh_partitioned_free. */
struct dh_partitioned {
    size_t n_keys;
    char **key_columns;       /* n_keys names, never NULL */
    char *constituent_column; /* never NULL (may be "") */
    int unique_keys;          /* each key names one constituent at most */
    int changes_permitted;    /* constituents may come and go (a ticking table) */
    struct dh_ticket table;   /* the underlying table: a server-made export of the
                               * session (release it with dh_partitioned_release);
                               * empty after a decode alone */
};

/* Decode a PartitionedTableDescriptor (pure). DH_EINVAL "malformed
 * PartitionedTableDescriptor" for bytes that do not decode or name no key column.
 * Caller frees *out. Any thread. */
int dh_partitioned_decode(const uint8_t *payload, size_t len, struct dh_partitioned **out,
                          struct dh_error *err);

/* FetchObject{t, "PartitionedTable"}: the descriptor and the underlying table
 * (the first reference, which must be typed "Table"). On failure every reference
 * the server sent is released and *out is NULL; a ticket of another type fails
 * with the server's FAILED_PRECONDITION (dh_error_object_type names the type).
 * Any thread. */
int dh_partitioned_fetch(struct dh_session *s, const struct dh_ticket *t,
                         struct dh_partitioned **out, struct dh_error *err);

/* Release the underlying table's export (best effort) and empty it. NULL-safe. */
void dh_partitioned_release(struct dh_session *s, struct dh_partitioned *p);
/* Free the struct (does not release). NULL-safe. */
void dh_partitioned_free(struct dh_partitioned *p);

/* The key table: the underlying table without its constituent column, exported as
 * `result` (one Batch call: DropColumns). Any thread. */
int dh_partitioned_keys(struct dh_session *s, const struct dh_partitioned *p,
                        const struct dh_ticket *result, struct dh_table_info *info,
                        struct dh_error *err);

/* The constituent of the key at position `row` of `keys` (a table with the key
 * columns, e.g. the key table or a sorted or filtered view of it): Slice(keys,
 * row, row + 1) exported for the call, then GetTable{pt, that slice, result}
 * requiring a unique result when the keys are unique (else the merge of every
 * constituent of the key), then the slice is released. On failure nothing is
 * left on the server. Any thread. */
int dh_partitioned_get(struct dh_session *s, const struct dh_ticket *pt, int unique_keys,
                       const struct dh_ticket *keys, int64_t row, const struct dh_ticket *result,
                       struct dh_table_info *info, struct dh_error *err);

/* The constituent of a key named by its values rather than by a row: match
 * holds one DH_OP_MATCH (or isNull filter) per key column. The partitioned
 * table's underlying table (FetchObject) filtered by match, then its first row
 * as the key table of GetTable (as JsPartitionedTable.getTable sends a table
 * of the key's values). What a constituent's pager asks for again after a
 * session renewal, when the old key table's rows mean nothing. DH_EINVAL when
 * no row has the key. Nothing is left on the server but result. Any thread. */
struct dh_view_ops;
int dh_partitioned_get_key(struct dh_session *s, const struct dh_ticket *pt, int unique_keys,
                           const struct dh_view_ops *match, const struct dh_ticket *result,
                           struct dh_table_info *info, struct dh_error *err);
/* Merge{pt, result}: every constituent, one after another, as one table. Any thread. */
int dh_partitioned_merge(struct dh_session *s, const struct dh_ticket *pt,
                         const struct dh_ticket *result, struct dh_table_info *info,
                         struct dh_error *err);

#endif
