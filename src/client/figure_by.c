/* SPDX-License-Identifier: MIT */
/* figure_by.c: the least of PartitionedTableService a plot_by figure needs:
 * the "PartitionedTable" object's key column names (its descriptor, read
 * through ObjectService.MessageStream) and Merge, whose one table the figure
 * view splits into a series per key. Upstream's web client (JsMultiSeries,
 * JsPartitionedTable) asks GetTable per key instead; one merged read costs
 * one call and one snapshot whatever the number of keys. */
#include "dh_figure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deephaven_core/proto/partitionedtable.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_exports.h"
#include "dh_object_stream.h"
#include "dh_session.h"
#include "dh_transport.h"

#define M_MERGE "/io.deephaven.proto.backplane.grpc.PartitionedTableService/Merge"

/* Key columns a descriptor may name (upstream has no limit; a hostile payload
 * should not make us copy without one). */
#define MAX_KEYS 64

int dh_figure_partitioned_decode(struct dh_figure_partitioned *p, const uint8_t *payload,
                                 size_t len, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__PartitionedTableDescriptor *d =
        io__deephaven__proto__backplane__grpc__partitioned_table_descriptor__unpack(NULL, len,
                                                                                    payload);
    if (!d)
        return dh_error_set(err, DH_EINVAL, "malformed PartitionedTableDescriptor from server");
    int rc = DH_OK;
    if (d->n_key_column_names > MAX_KEYS)
        rc = dh_error_set(err, DH_EINVAL, "partitioned table has %zu key columns (at most %d)",
                          d->n_key_column_names, MAX_KEYS);
    char **keys = NULL;
    if (rc == DH_OK && d->n_key_column_names) {
        keys = calloc(d->n_key_column_names, sizeof *keys);
        if (!keys)
            rc = dh_error_set(err, DH_ENOMEM, "out of memory reading a partitioned table");
    }
    for (size_t i = 0; rc == DH_OK && i < d->n_key_column_names; i++) {
        const char *k = d->key_column_names[i] ? d->key_column_names[i] : "";
        keys[i] = malloc(strlen(k) + 1);
        if (!keys[i])
            rc = dh_error_set(err, DH_ENOMEM, "out of memory reading a partitioned table");
        else
            memcpy(keys[i], k, strlen(k) + 1);
    }
    if (rc == DH_OK) {
        for (size_t i = 0; i < p->n_keys; i++)
            free(p->keys[i]);
        free(p->keys);
        p->keys = keys;
        p->n_keys = d->n_key_column_names;
    } else if (keys) {
        for (size_t i = 0; i < d->n_key_column_names; i++)
            free(keys[i]);
        free(keys);
    }
    io__deephaven__proto__backplane__grpc__partitioned_table_descriptor__free_unpacked(d, NULL);
    return rc;
}

/* PartitionedTableService.Merge into a new export of ours. */
static int merge(struct dh_session *s, struct dh_figure_partitioned *p, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket src =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    src.ticket.len = p->ticket.len;
    src.ticket.data = (uint8_t *)p->ticket.bytes;
    struct dh_ticket out;
    dh_ticket_make_export(&out, dh_session_next_export_id(s));
    Io__Deephaven__Proto__Backplane__Grpc__Ticket res =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    res.ticket.len = out.len;
    res.ticket.data = out.bytes;
    Io__Deephaven__Proto__Backplane__Grpc__MergeRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__MERGE_REQUEST__INIT;
    req.partitioned_table = &src;
    req.result_id = &res;
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), M_MERGE, &req.base,
                           dh_session_call_timeout_ms(s), &reply, "merge", err);
    if (rc != DH_OK) {
        dh_release(s, &out, NULL); /* a failed export may stand under the id: best effort */
        return rc;
    }
    Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r =
        io__deephaven__proto__backplane__grpc__exported_table_creation_response__unpack(
            NULL, reply.len, reply.data);
    dh_buf_reset(&reply);
    if (!r || !r->success) {
        rc = r ? dh_error_set(err, DH_EGRPC, "merge: %s", r->error_info ? r->error_info : "")
               : dh_error_set(err, DH_EINVAL, "merge: malformed ExportedTableCreationResponse");
        if (r)
            io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(
                r, NULL);
        dh_release(s, &out, NULL);
        return rc;
    }
    io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(r, NULL);
    p->merged = out;
    return DH_OK;
}

int dh_figure_read_partitioned(struct dh_session *s, struct dh_figure_partitioned *p,
                               struct dh_error *err)
{
    if (p->ticket.len == 0)
        return dh_error_set(err, DH_EINVAL, "the server sent no ticket for it");
    struct dh_object_reply r = {0};
    int rc = dh_object_stream_fetch(s, &p->ticket, "PartitionedTable", &r, err);
    if (rc == DH_OK)
        rc = dh_figure_partitioned_decode(p, r.payload, r.payload_len, err);
    /* Its reference (the underlying table of keys and constituents) is not read. */
    dh_object_reply_release(s, &r);
    dh_object_reply_reset(&r);
    if (rc == DH_OK)
        rc = merge(s, p, err);
    return rc;
}
