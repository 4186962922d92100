/* SPDX-License-Identifier: MIT */
/* partitioned.c: partitioned tables through FetchObject and PartitionedTableService
 * (dh_partitioned.h). */
#include "dh_partitioned.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/partitionedtable.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_tableops.h"
#include "dh_transport.h"
#include "dh_text.h"
#include "table_internal.h"

#define DH_M_MERGE "/io.deephaven.proto.backplane.grpc.PartitionedTableService/Merge"
#define DH_M_GET_TABLE "/io.deephaven.proto.backplane.grpc.PartitionedTableService/GetTable"
#define DH_M_SLICE DH_SVC_TABLE "Slice"

/* More key columns than this is not a descriptor dhtui believes. */
#define DH_PARTITION_MAX_KEYS 256

typedef Io__Deephaven__Proto__Backplane__Grpc__Ticket PbTicket;

void dh_partitioned_free(struct dh_partitioned *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->key_columns && i < p->n_keys; i++)
        free(p->key_columns[i]);
    free(p->key_columns);
    free(p->constituent_column);
    free(p);
}

void dh_partitioned_release(struct dh_session *s, struct dh_partitioned *p)
{
    if (!p || !p->table.len)
        return;
    dh_release(s, &p->table, NULL);
    dh_ticket_reset(&p->table);
}

static int
copy_descriptor(const Io__Deephaven__Proto__Backplane__Grpc__PartitionedTableDescriptor *d,
                struct dh_partitioned *p, struct dh_error *err)
{
    if (d->n_key_column_names == 0 || d->n_key_column_names > DH_PARTITION_MAX_KEYS)
        return dh_error_set(err, DH_EINVAL, "malformed PartitionedTableDescriptor: %zu key columns",
                            d->n_key_column_names);
    p->key_columns = calloc(d->n_key_column_names, sizeof *p->key_columns);
    p->constituent_column = dh_str_dup(d->constituent_column_name);
    if (!p->key_columns || !p->constituent_column)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    for (; p->n_keys < d->n_key_column_names; p->n_keys++) {
        p->key_columns[p->n_keys] = dh_str_dup(d->key_column_names[p->n_keys]);
        if (!p->key_columns[p->n_keys])
            return dh_error_set(err, DH_ENOMEM, "out of memory");
    }
    p->unique_keys = d->unique_keys ? 1 : 0;
    p->changes_permitted = d->constituent_changes_permitted ? 1 : 0;
    return DH_OK;
}

int dh_partitioned_decode(const uint8_t *payload, size_t len, struct dh_partitioned **out,
                          struct dh_error *err)
{
    *out = NULL;
    Io__Deephaven__Proto__Backplane__Grpc__PartitionedTableDescriptor *d =
        io__deephaven__proto__backplane__grpc__partitioned_table_descriptor__unpack(NULL, len,
                                                                                    payload);
    if (!d)
        return dh_error_set(err, DH_EINVAL, "malformed PartitionedTableDescriptor");
    struct dh_partitioned *p = calloc(1, sizeof *p);
    int rc = p ? copy_descriptor(d, p, err) : dh_error_set(err, DH_ENOMEM, "out of memory");
    io__deephaven__proto__backplane__grpc__partitioned_table_descriptor__free_unpacked(d, NULL);
    if (rc != DH_OK) {
        dh_partitioned_free(p);
        return rc;
    }
    *out = p;
    return DH_OK;
}

/* Release every reference a FetchObjectResponse carries (best effort). */
static void release_refs(struct dh_session *s,
                         const Io__Deephaven__Proto__Backplane__Grpc__FetchObjectResponse *r)
{
    for (size_t i = 0; i < r->n_typed_export_ids; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt = r->typed_export_ids[i];
        struct dh_ticket t;
        dh_ticket_init(&t);
        if (tt && tt->ticket &&
            dh_ticket_set_bytes(&t, tt->ticket->ticket.data, tt->ticket->ticket.len, NULL) == DH_OK)
            dh_release(s, &t, NULL);
    }
}

/* Decode the response: the descriptor, and the first reference as the table. */
static int take_response(const Io__Deephaven__Proto__Backplane__Grpc__FetchObjectResponse *r,
                         struct dh_partitioned **out, struct dh_error *err)
{
    const Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt =
        r->n_typed_export_ids ? r->typed_export_ids[0] : NULL;
    if (!tt || !tt->ticket || strcmp(tt->type ? tt->type : "", "Table") != 0)
        return dh_error_set(err, DH_EINVAL,
                            "the server sent no underlying table with the partitioned table");
    int rc = dh_partitioned_decode(r->data.data, r->data.len, out, err);
    if (rc == DH_OK && dh_ticket_set_bytes(&(*out)->table, tt->ticket->ticket.data,
                                           tt->ticket->ticket.len, err) != DH_OK) {
        dh_partitioned_free(*out);
        *out = NULL;
        rc = DH_EINVAL;
    }
    return rc;
}

int dh_partitioned_fetch(struct dh_session *s, const struct dh_ticket *t,
                         struct dh_partitioned **out, struct dh_error *err)
{
    *out = NULL;
    PbTicket pt = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    pt.ticket.len = t->len;
    pt.ticket.data = (uint8_t *)t->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__TypedTicket tt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TYPED_TICKET__INIT;
    tt.ticket = &pt;
    tt.type = (char *)DH_PARTITIONED_TYPE;
    Io__Deephaven__Proto__Backplane__Grpc__FetchObjectRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__FETCH_OBJECT_REQUEST__INIT;
    req.source_id = &tt;

    char what[192];
    dh_ticket_describe(what, sizeof what, "fetching partitioned table", t);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), DH_M_FETCH_OBJECT,
                           &req.base, dh_session_call_timeout_ms(s), &reply, what, err);
    if (rc != DH_OK)
        return rc;
    Io__Deephaven__Proto__Backplane__Grpc__FetchObjectResponse *r =
        io__deephaven__proto__backplane__grpc__fetch_object_response__unpack(NULL, reply.len,
                                                                             reply.data);
    dh_buf_reset(&reply);
    if (!r)
        return dh_error_set(err, DH_EINVAL, "%s: malformed FetchObjectResponse", what);
    rc = take_response(r, out, err);
    if (rc != DH_OK) {
        dh_error_prefix(err, what);
        release_refs(s, r); /* leave nothing behind on the server */
    } else {
        for (size_t i = 1; i < r->n_typed_export_ids; i++) /* none expected: not kept */
            if (r->typed_export_ids[i] && r->typed_export_ids[i]->ticket) {
                struct dh_ticket extra;
                dh_ticket_init(&extra);
                if (dh_ticket_set_bytes(&extra, r->typed_export_ids[i]->ticket->ticket.data,
                                        r->typed_export_ids[i]->ticket->ticket.len, NULL) == DH_OK)
                    dh_release(s, &extra, NULL);
            }
    }
    io__deephaven__proto__backplane__grpc__fetch_object_response__free_unpacked(r, NULL);
    return rc;
}

int dh_partitioned_keys(struct dh_session *s, const struct dh_partitioned *p,
                        const struct dh_ticket *result, struct dh_table_info *info,
                        struct dh_error *err)
{
    struct dh_view_ops ops;
    dh_view_ops_init(&ops);
    int rc =
        p->constituent_column[0]
            ? dh_view_ops_add_drop(&ops, p->constituent_column, err)
            : dh_error_set(err, DH_EINVAL, "the partitioned table names no constituent column");
    if (rc == DH_OK)
        rc = dh_table_derive(s, &p->table, &ops, result, info, err);
    dh_view_ops_reset(&ops);
    if (rc != DH_OK)
        dh_error_prefix(err, "key table");
    return rc;
}

/* One unary PartitionedTableService / TableService call answered by an
 * ExportedTableCreationResponse for `result`. On failure result is released. */
static int creation_call(struct dh_session *s, const char *method,
                         const struct ProtobufCMessage *req, const struct dh_ticket *result,
                         const char *what, struct dh_table_info *info, struct dh_error *err)
{
    dh_schema_init(&info->schema);
    dh_table_info_reset(info);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), method, req,
                           dh_session_call_timeout_ms(s), &reply, what, err);
    Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r = NULL;
    if (rc == DH_OK) {
        r = io__deephaven__proto__backplane__grpc__exported_table_creation_response__unpack(
            NULL, reply.len, reply.data);
        rc = r ? dh_table_info_from_reply(r, result, what, info, err)
               : dh_error_set(err, DH_EINVAL, "%s: malformed ExportedTableCreationResponse", what);
    }
    dh_buf_reset(&reply);
    if (r)
        io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(
            r, NULL);
    if (rc != DH_OK) {
        dh_table_info_reset(info);
        dh_release(s, result, NULL);
    }
    return rc;
}

int dh_partitioned_merge(struct dh_session *s, const struct dh_ticket *pt,
                         const struct dh_ticket *result, struct dh_table_info *info,
                         struct dh_error *err)
{
    PbTicket src = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    src.ticket.len = pt->len;
    src.ticket.data = (uint8_t *)pt->bytes;
    PbTicket res = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    res.ticket.len = result->len;
    res.ticket.data = (uint8_t *)result->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__MergeRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__MERGE_REQUEST__INIT;
    req.partitioned_table = &src;
    req.result_id = &res;
    return creation_call(s, DH_M_MERGE, &req.base, result, "merge", info, err);
}

/* Slice{keys, row, row + 1} exported as `result` (released on failure). */
static int slice_row(struct dh_session *s, const struct dh_ticket *keys, int64_t row,
                     const struct dh_ticket *result, struct dh_error *err)
{
    PbTicket src = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    src.ticket.len = keys->len;
    src.ticket.data = (uint8_t *)keys->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__TableReference ref =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__INIT;
    ref.ref_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET;
    ref.ticket = &src;
    PbTicket res = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    res.ticket.len = result->len;
    res.ticket.data = (uint8_t *)result->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__SliceRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SLICE_REQUEST__INIT;
    req.result_id = &res;
    req.source_id = &ref;
    req.first_position_inclusive = row;
    req.last_position_exclusive = row + 1;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int rc = creation_call(s, DH_M_SLICE, &req.base, result, "key row", &info, err);
    if (rc == DH_OK && info.size != 1) {
        rc = dh_error_set(err, DH_EINVAL, "key row %lld: no such row (the keys have %lld)",
                          (long long)row + 1, (long long)info.size);
        dh_release(s, result, NULL);
    }
    dh_table_info_reset(&info);
    return rc;
}

int dh_partitioned_get(struct dh_session *s, const struct dh_ticket *pt, int unique_keys,
                       const struct dh_ticket *keys, int64_t row, const struct dh_ticket *result,
                       struct dh_table_info *info, struct dh_error *err)
{
    dh_schema_init(&info->schema);
    dh_table_info_reset(info);
    if (row < 0)
        return dh_error_set(err, DH_EINVAL, "key row %lld: no such row", (long long)row + 1);
    struct dh_ticket key_row;
    dh_ticket_make_export(&key_row, dh_session_next_export_id(s));
    int rc = slice_row(s, keys, row, &key_row, err); /* released on failure */
    if (rc != DH_OK)
        return rc;
    PbTicket src = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    src.ticket.len = pt->len;
    src.ticket.data = (uint8_t *)pt->bytes;
    PbTicket kt = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    kt.ticket.len = key_row.len;
    kt.ticket.data = (uint8_t *)key_row.bytes;
    PbTicket res = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    res.ticket.len = result->len;
    res.ticket.data = (uint8_t *)result->bytes;
    Io__Deephaven__Proto__Backplane__Grpc__GetTableRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__GET_TABLE_REQUEST__INIT;
    req.partitioned_table = &src;
    req.key_table_ticket = &kt;
    req.result_id = &res;
    /* Unique keys: exactly that constituent (the server says so if not); else, as
     * JsPartitionedTable.getTable asks, every constituent of the key merged. */
    req.unique_behavior =
        unique_keys
            ? IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__GET_TABLE_REQUEST__UNIQUE_BEHAVIOR__REQUIRE_UNIQUE_RESULTS_STATIC_SINGLE_KEY
            : IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__GET_TABLE_REQUEST__UNIQUE_BEHAVIOR__PERMIT_MULTIPLE_KEYS;
    rc = creation_call(s, DH_M_GET_TABLE, &req.base, result, "constituent", info, err);
    dh_release(s, &key_row, NULL);
    return rc;
}

int dh_partitioned_get_key(struct dh_session *s, const struct dh_ticket *pt, int unique_keys,
                           const struct dh_view_ops *match, const struct dh_ticket *result,
                           struct dh_table_info *info, struct dh_error *err)
{
    dh_schema_init(&info->schema);
    dh_table_info_reset(info);
    struct dh_partitioned *p = NULL;
    int rc = dh_partitioned_fetch(s, pt, &p, err);
    if (rc != DH_OK)
        return rc;
    /* The key's rows of the underlying table: GetTable matches the key columns
     * only (whereIn), so the other columns may stay. */
    struct dh_ticket found;
    struct dh_table_info finfo;
    memset(&finfo, 0, sizeof finfo);
    dh_ticket_make_export(&found, dh_session_next_export_id(s));
    rc = dh_table_derive(s, &p->table, match, &found, &finfo, err);
    if (rc == DH_OK && finfo.size == 0) {
        rc = dh_error_set(err, DH_EINVAL, "the key is no longer in the partitioned table");
        dh_release(s, &found, NULL);
    } else if (rc == DH_OK) {
        rc = dh_partitioned_get(s, pt, unique_keys, &found, 0, result, info, err);
        dh_release(s, &found, NULL);
    }
    dh_table_info_reset(&finfo);
    dh_partitioned_release(s, p);
    dh_partitioned_free(p);
    return rc;
}
