/* SPDX-License-Identifier: MIT */
/* table.c: table descriptions (GetExportedTableCreationResponse) and rows read
 * through Barrage viewport snapshots (DoExchange) or Flight DoGet: request
 * building, per-message application, and the concatenation of record batches
 * into one window (docs/PROTOCOL.md, Arrow IPC and Barrage; upstream
 * BarrageSnapshotRequestHandler.java, BarrageMessageWriterImpl.SnapshotView,
 * pydeephaven _table_service.py fetch_etcr). */
#include "dh_table.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_barrage.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"
#include "dh_rowset.h"
#include "dh_session.h"
#include "dh_transport.h"
#include "table_internal.h"

void *dh_grow_array(void *items, size_t n, size_t *cap, size_t elem, size_t first_cap)
{
    if (n < *cap)
        return items;
    size_t next = *cap ? *cap * 2 : first_cap;
    if (next < *cap || (elem && next > SIZE_MAX / elem))
        return NULL;
    void *grown = realloc(items, next * elem);
    if (grown)
        *cap = next;
    return grown;
}

/* ---- table info ---- */

void dh_table_info_reset(struct dh_table_info *info)
{
    if (!info)
        return;
    dh_schema_reset(&info->schema);
    dh_ticket_reset(&info->ticket);
    info->size = -1;
    info->is_static = 0;
}

/* Fill info from a decoded reply. */
int dh_table_info_from_reply(
    const Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r,
    const struct dh_ticket *t, const char *what, struct dh_table_info *info, struct dh_error *err)
{
    if (!r->success) {
        dh_error_set(err, DH_EGRPC, "%s: the table failed on the server: %s", what,
                     r->error_info && r->error_info[0] ? r->error_info : "(no message)");
        if (err)
            err->grpc_status = DH_GRPC_FAILED_PRECONDITION; /* as the server's own refusals */
        return DH_EGRPC;
    }
    int rc = dh_schema_decode_encapsulated(r->schema_header.data, r->schema_header.len,
                                           &info->schema, err);
    if (rc != DH_OK) {
        dh_error_prefix(err, what);
        return rc;
    }
    info->ticket = *t;
    info->size = r->size;
    info->is_static = r->is_static ? 1 : 0;
    return DH_OK;
}

int dh_table_info_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_table_info *info,
                        struct dh_error *err)
{
    dh_schema_init(&info->schema);
    dh_table_info_reset(info);
    Io__Deephaven__Proto__Backplane__Grpc__Ticket req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    req.ticket.len = t->len;
    req.ticket.data = (uint8_t *)t->bytes;

    char what[192];
    dh_ticket_describe(what, sizeof what, "Describing table", t);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s),
                           DH_M_GET_EXPORTED_TABLE_CREATION_RESPONSE, &req.base,
                           dh_session_call_timeout_ms(s), &reply, what, err);
    if (rc != DH_OK)
        return rc;
    Io__Deephaven__Proto__Backplane__Grpc__ExportedTableCreationResponse *r =
        io__deephaven__proto__backplane__grpc__exported_table_creation_response__unpack(
            NULL, reply.len, reply.data);
    dh_buf_reset(&reply);
    if (!r)
        return dh_error_set(err, DH_EINVAL,
                            "%s: malformed ExportedTableCreationResponse from server", what);
    rc = dh_table_info_from_reply(r, t, what, info, err);
    io__deephaven__proto__backplane__grpc__exported_table_creation_response__free_unpacked(r, NULL);
    if (rc != DH_OK)
        dh_table_info_reset(info);
    return rc;
}

/* ---- rows ---- */

void dh_rows_reset(struct dh_rows *r)
{
    if (!r)
        return;
    dh_batch_reset(&r->batch);
    dh_schema_reset(&r->schema);
    free(r->origin);
    memset(r, 0, sizeof *r);
}

void dh_rows_chain_origin(struct dh_rows *later, const struct dh_rows *earlier)
{
    if (!later || !later->origin)
        return;
    if (!earlier || !earlier->origin) {
        free(later->origin);
        later->origin = NULL;
        return;
    }
    for (int64_t j = 0; j < later->batch.length; j++) {
        int64_t i = later->origin[j];
        later->origin[j] = i >= 0 && i < earlier->batch.length ? earlier->origin[i] : -1;
    }
}

/* Stand-ins for what a window does not have: a nameless NULL-typed field and
 * an empty column of it (every cell of which reads as null, out of range). */
static const struct dh_field no_field = {.name = "", .type = DH_TYPE_NULL};
static const struct dh_column_view no_column = {.field = &no_field};

size_t dh_rows_n_columns(const struct dh_rows *r)
{
    if (!r)
        return 0;
    return r->schema.n_fields < r->batch.n_columns ? r->schema.n_fields : r->batch.n_columns;
}

const struct dh_field *dh_rows_field(const struct dh_rows *r, size_t f)
{
    if (!r || f >= r->schema.n_fields || !r->schema.fields)
        return &no_field;
    return &r->schema.fields[f];
}

const struct dh_column_view *dh_rows_column(const struct dh_rows *r, size_t f)
{
    if (!r || f >= dh_rows_n_columns(r) || !r->batch.columns)
        return &no_column;
    return &r->batch.columns[f];
}

struct dh_window dh_window_of(int64_t first, int64_t count)
{
    struct dh_window w;
    memset(&w, 0, sizeof w);
    w.first = first;
    w.count = count;
    return w;
}

int dh_window_has_column(const struct dh_window *w, size_t i)
{
    if (!w->n_columns)
        return 1;
    return i < w->n_columns && i < DH_WINDOW_MAX_COLUMNS && (w->cols[i / 8] >> (i % 8)) & 1;
}

/* ---- requests ---- */

int dh_request_viewport(int64_t first, int64_t count, uint8_t **out, size_t *out_len,
                        struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (first < 0 || count < 0 || count > INT64_MAX - first)
        return dh_error_set(err, DH_EINVAL,
                            "expected a row range inside the table but found first %lld, "
                            "count %lld",
                            (long long)first, (long long)count);
    return dh_rowset_encode_range(first, first + count - 1, out, out_len, err);
}

int dh_flight_data_of_metadata(const uint8_t *md, size_t len, const char *what, uint8_t **out,
                               size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
    fd.app_metadata.data = (uint8_t *)md;
    fd.app_metadata.len = len;
    size_t n = arrow__flight__protocol__flight_data__get_packed_size(&fd);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return dh_error_set(err, DH_ENOMEM, "out of memory building a %s", what);
    arrow__flight__protocol__flight_data__pack(&fd, buf);
    *out = buf;
    *out_len = n;
    return DH_OK;
}

int dh_snapshot_request_sized(const struct dh_ticket *t, int64_t first, int64_t count,
                              const struct dh_column_set *cols, int32_t batch_size,
                              int64_t list_limit, uint8_t **out, size_t *out_len,
                              struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *viewport = NULL;
    size_t vlen = 0;
    int rc = dh_request_viewport(first, count, &viewport, &vlen, err);
    if (rc != DH_OK)
        return rc;
    struct dh_barrage_snapshot_request req = {
        .ticket = t->bytes,
        .ticket_len = t->len,
        .columns = cols ? cols->bits : NULL,
        .columns_len = cols ? (cols->n_columns + 7) / 8 : 0,
        .viewport = viewport,
        .viewport_len = vlen,
        .use_deephaven_nulls = 0,
        .batch_size = batch_size,
        .max_message_size = DH_TABLE_MAX_MESSAGE_SIZE,
        .preview_list_length_limit = list_limit,
    };
    uint8_t *wrapper = NULL;
    size_t wlen = 0;
    rc = dh_barrage_encode_snapshot_request(&req, &wrapper, &wlen, err);
    free(viewport);
    if (rc == DH_OK)
        rc = dh_flight_data_of_metadata(wrapper, wlen, "snapshot request", out, out_len, err);
    free(wrapper);
    return rc;
}

int dh_table_snapshot_request(const struct dh_ticket *t, int64_t first, int64_t count,
                              const struct dh_column_set *cols, uint8_t **out, size_t *out_len,
                              struct dh_error *err)
{
    return dh_snapshot_request_sized(t, first, count, cols, DH_TABLE_BATCH_SIZE, 0, out, out_len,
                                     err);
}

/* ---- reading reply messages ---- */

int dh_update_from_metadata(const uint8_t *md, size_t len, struct dh_barrage_update *u,
                            struct dh_error *err)
{
    if (len == 0 || !dh_barrage_is_wrapper(md, len))
        return DH_END;
    int rc = dh_barrage_decode_update(md, len, u, err);
    return rc == DH_ENOTSUP ? DH_END : rc; /* a wrapper of another type: nothing for us */
}

int dh_take_schema_message(int have_schema, size_t n_messages, const uint8_t *header, size_t hlen,
                           struct dh_schema *schema, struct dh_error *err)
{
    if (have_schema)
        return dh_error_set(err, DH_EINVAL,
                            "expected one Arrow Schema message but message %zu is another",
                            n_messages);
    int rc = dh_schema_decode(header, hlen, schema, err);
    if (rc == DH_OK)
        rc = dh_schema_check_readable(schema, err); /* other columns show without it */
    return rc;
}

int dh_error_before_schema(struct dh_error *err, size_t n_messages, enum dh_ipc_kind kind)
{
    return dh_error_set(err, DH_EINVAL,
                        "expected an Arrow Schema message first but message %zu has header "
                        "type %d",
                        n_messages, (int)kind);
}

/* ---- applying reply messages ---- */

void dh_table_reader_init(struct dh_table_reader *r, int64_t first, int64_t count)
{
    memset(r, 0, sizeof *r);
    r->first = first;
    r->count = count;
    r->table_size = -1;
    dh_schema_init(&r->schema);
}

void dh_table_reader_reset(struct dh_table_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_batches; i++)
        dh_batch_reset(&r->batches[i]);
    free(r->batches);
    dh_schema_reset(&r->schema);
    dh_table_reader_init(r, r->first, r->count);
}

/* Take what a Barrage app_metadata says (the table size). Metadata that is not
 * a Barrage wrapper (another Flight server's) is ignored. */
static int apply_metadata(struct dh_table_reader *r, const uint8_t *md, size_t len,
                          struct dh_error *err)
{
    struct dh_barrage_update u;
    int rc = dh_update_from_metadata(md, len, &u, err);
    if (rc != DH_OK)
        return rc == DH_END ? DH_OK : rc;
    if (u.has_table_size) {
        r->table_size = u.table_size;
    } else if (u.added_rows) {
        /* Snapshots: added_rows is the table's key space (docs/PROTOCOL.md, Barrage snapshots). */
        int64_t n = 0;
        rc = dh_rowset_cardinality(u.added_rows, u.added_rows_len, &n, err);
        if (rc != DH_OK)
            return rc;
        r->table_size = n;
    }
    if (r->table_size < 0)
        return dh_error_set(err, DH_EINVAL, "Barrage metadata says the table has %lld rows",
                            (long long)r->table_size);
    return DH_OK;
}

/* Keep a decoded batch (or its needed prefix); drops what lies beyond count. */
static int keep_batch(struct dh_table_reader *r, struct dh_batch *b, struct dh_error *err)
{
    if (r->count >= 0 && r->rows >= r->count) {
        dh_batch_reset(b); /* more than we asked for: bounded memory */
        return DH_OK;
    }
    struct dh_batch *nb = dh_grow_array(r->batches, r->n_batches, &r->cap_batches, sizeof *nb, 4);
    if (!nb) {
        dh_batch_reset(b);
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping table rows");
    }
    r->batches = nb;
    r->batches[r->n_batches++] = *b;
    r->rows += b->length;
    dh_batch_init(b);
    return DH_OK;
}

int dh_table_apply_flight_data(struct dh_table_reader *r, const uint8_t *header, size_t hlen,
                               const uint8_t *body, size_t blen, const uint8_t *app_metadata,
                               size_t alen, struct dh_error *err)
{
    r->n_messages++;
    int rc = apply_metadata(r, app_metadata, alen, err);
    if (rc != DH_OK)
        return rc;
    if (hlen == 0)
        return DH_OK; /* metadata only */
    struct dh_ipc_message msg;
    rc = dh_ipc_message_decode(header, hlen, &msg, err);
    if (rc != DH_OK)
        return rc;
    if (msg.kind == DH_IPC_SCHEMA) {
        rc = dh_take_schema_message(r->have_schema, r->n_messages, header, hlen, &r->schema, err);
        r->have_schema |= rc == DH_OK;
        return rc;
    }
    if (!r->have_schema)
        return dh_error_before_schema(err, r->n_messages, msg.kind);
    if (msg.kind == DH_IPC_DICTIONARY_BATCH) /* for the record batches after it */
        return dh_schema_apply_dictionary(&r->schema, header, hlen, body, blen, err);
    if (r->count >= 0 && r->rows >= r->count && msg.kind == DH_IPC_RECORD_BATCH)
        return DH_OK; /* beyond what we asked for: not even decoded */
    struct dh_batch b;
    dh_batch_init(&b);
    rc = dh_batch_decode(&r->schema, header, hlen, body, blen, &b, err);
    if (rc != DH_OK)
        return rc;
    return keep_batch(r, &b, err);
}

int dh_table_apply_packed(struct dh_table_reader *r, const uint8_t *msg, size_t len,
                          struct dh_error *err)
{
    Arrow__Flight__Protocol__FlightData *fd =
        arrow__flight__protocol__flight_data__unpack(NULL, len, msg);
    if (!fd)
        return dh_error_set(err, DH_EINVAL, "malformed FlightData from server");
    int rc = dh_table_apply_flight_data(r, fd->data_header.data, fd->data_header.len,
                                        fd->data_body.data, fd->data_body.len,
                                        fd->app_metadata.data, fd->app_metadata.len, err);
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    return rc;
}

/* ---- concatenating batches ---- */

/* Where concatenated column data goes: a sizing pass (body NULL) counts the
 * bytes, the filling pass writes them. Every buffer starts 8-aligned. */
struct concat {
    uint8_t *body;
    size_t used;
    size_t cap;
    struct dh_column_view *views; /* all views; top-level ones first */
    size_t n_views, next_child;
    int overflow;
};

/* Reserve n bytes (rounded up to 8) and return where they go (NULL when sizing). */
static uint8_t *reserve(struct concat *c, uint64_t n)
{
    uint64_t padded = (n + 7) & ~(uint64_t)7;
    if (padded < n || padded > SIZE_MAX - c->used) {
        c->overflow = 1;
        return NULL;
    }
    uint8_t *p = c->body ? c->body + c->used : NULL;
    c->used += (size_t)padded;
    if (p)
        memset(p, 0, (size_t)padded);
    return p;
}

static int bit_get(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}

static void bit_set(uint8_t *bits, int64_t i)
{
    bits[i >> 3] = (uint8_t)(bits[i >> 3] | (1u << (i & 7)));
}

/* Offset i of a variable-length column (int32, or int64 when wide). */
static int64_t offset_at(const struct dh_column_view *v, int64_t i, int wide)
{
    return wide ? dh_fb_load_i64(v->offsets + 8 * i) : dh_fb_load_i32(v->offsets + 4 * i);
}

static void offset_put(uint8_t *p, int64_t i, int64_t value, int wide)
{
    if (wide)
        dh_fbb_put_i64(p + 8 * i, value);
    else
        dh_fbb_put_u32(p + 4 * i, (uint32_t)(int32_t)value);
}

static int is_var(enum dh_type_id t, int *wide)
{
    *wide = t == DH_TYPE_LARGE_UTF8 || t == DH_TYPE_LARGE_BINARY;
    return t == DH_TYPE_UTF8 || t == DH_TYPE_BINARY || t == DH_TYPE_LIST || t == DH_TYPE_MAP ||
           *wide;
}

static void concat_column(struct concat *c, const struct dh_field *f, const struct dh_piece *p,
                          size_t np, struct dh_column_view *out);

/* Validity: a bitmap only when some piece has nulls. */
static void concat_validity(struct concat *c, const struct dh_piece *p, size_t np, int64_t total,
                            struct dh_column_view *out)
{
    int any = 0;
    for (size_t i = 0; i < np; i++)
        any |= p[i].v->validity != NULL && p[i].n > 0;
    if (!any)
        return;
    uint8_t *bits = reserve(c, ((uint64_t)total + 7) / 8);
    if (!bits)
        return;
    int64_t k = 0, nulls = 0;
    for (size_t i = 0; i < np; i++) {
        for (int64_t j = 0; j < p[i].n; j++, k++) {
            if (!p[i].v->validity || bit_get(p[i].v->validity, p[i].start + j))
                bit_set(bits, k);
            else
                nulls++;
        }
    }
    out->validity = nulls ? bits : NULL;
    out->null_count = nulls;
}

/* Fixed-width values (value_width bytes each) or bit-packed booleans. */
static void concat_fixed(struct concat *c, const struct dh_piece *p, size_t np, int64_t total,
                         int width, struct dh_column_view *out)
{
    uint64_t bytes = width ? (uint64_t)total * (uint64_t)width : ((uint64_t)total + 7) / 8;
    uint8_t *dst = reserve(c, bytes);
    if (!dst)
        return;
    out->values = dst;
    out->values_len = (size_t)bytes;
    int64_t k = 0;
    for (size_t i = 0; i < np; i++) {
        if (width) {
            size_t n = (size_t)p[i].n * (size_t)width;
            if (n)
                memcpy(dst + (size_t)k * (size_t)width,
                       p[i].v->values + (size_t)p[i].start * (size_t)width, n);
            k += p[i].n;
            continue;
        }
        for (int64_t j = 0; j < p[i].n; j++, k++)
            if (bit_get(p[i].v->values, p[i].start + j))
                bit_set(dst, k);
    }
}

/* Variable-length values (strings, binary) or list offsets plus the child. */
static void concat_var(struct concat *c, const struct dh_field *f, const struct dh_piece *p,
                       size_t np, int64_t total, int wide, struct dh_column_view *out)
{
    uint8_t *offs = reserve(c, ((uint64_t)total + 1) * (wide ? 8u : 4u));
    uint64_t data = 0;
    for (size_t i = 0; i < np; i++)
        if (p[i].n > 0)
            data += (uint64_t)(offset_at(p[i].v, p[i].start + p[i].n, wide) -
                               offset_at(p[i].v, p[i].start, wide));
    if ((f->type == DH_TYPE_LIST || f->type == DH_TYPE_MAP) && f->child) {
        /* The child's pieces are the element ranges of this column's pieces. */
        struct dh_piece *cp = calloc(np ? np : 1, sizeof *cp);
        if (!cp) {
            c->overflow = 1;
            return;
        }
        for (size_t i = 0; i < np; i++) {
            cp[i].v = p[i].v->child;
            cp[i].start = p[i].n > 0 ? offset_at(p[i].v, p[i].start, 0) : 0;
            cp[i].n = p[i].n > 0 ? offset_at(p[i].v, p[i].start + p[i].n, 0) - cp[i].start : 0;
        }
        struct dh_column_view *child = &c->views[c->next_child++];
        out->child = child;
        concat_column(c, f->child, cp, np, child);
        free(cp);
    } else {
        uint8_t *dst = reserve(c, data);
        out->values = dst;
        out->values_len = (size_t)data;
        if (dst) {
            size_t at = 0;
            for (size_t i = 0; i < np; i++) {
                if (p[i].n <= 0)
                    continue;
                int64_t a = offset_at(p[i].v, p[i].start, wide);
                size_t n = (size_t)(offset_at(p[i].v, p[i].start + p[i].n, wide) - a);
                if (n)
                    memcpy(dst + at, p[i].v->values + a, n);
                at += n;
            }
        }
    }
    out->offsets = offs;
    if (!offs)
        return;
    int64_t k = 0, pos = 0;
    offset_put(offs, 0, 0, wide);
    for (size_t i = 0; i < np; i++) {
        if (p[i].n <= 0)
            continue;
        int64_t base = offset_at(p[i].v, p[i].start, wide);
        for (int64_t j = 1; j <= p[i].n; j++)
            offset_put(offs, k + j, pos + offset_at(p[i].v, p[i].start + j, wide) - base, wide);
        pos += offset_at(p[i].v, p[i].start + p[i].n, wide) - base;
        k += p[i].n;
    }
}

/* A Struct's fields: each concatenated over the same rows as the Struct. */
static void concat_struct(struct concat *c, const struct dh_field *f, const struct dh_piece *p,
                          size_t np, struct dh_column_view *out)
{
    if (!f->n_children)
        return;
    struct dh_piece *cp = calloc(np ? np : 1, sizeof *cp);
    if (!cp) {
        c->overflow = 1;
        return;
    }
    out->children = &c->views[c->next_child];
    c->next_child += f->n_children;
    for (size_t k = 0; k < f->n_children; k++) {
        for (size_t i = 0; i < np; i++)
            cp[i] = (struct dh_piece){p[i].v->children + k, p[i].start, p[i].n};
        concat_column(c, &f->children[k], cp, np, &out->children[k]);
    }
    free(cp);
}

/* Concatenate the pieces of one column into out (both passes). */
static void concat_column(struct concat *c, const struct dh_field *f, const struct dh_piece *p,
                          size_t np, struct dh_column_view *out)
{
    int64_t total = 0;
    for (size_t i = 0; i < np; i++)
        total += p[i].n;
    memset(out, 0, sizeof *out);
    out->field = f;
    out->length = total;
    out->value_width = np ? p[0].v->value_width : 0;
    out->deephaven_nulls = np ? p[0].v->deephaven_nulls : 0;
    if (f->type == DH_TYPE_NULL) {
        out->null_count = total;
        return;
    }
    concat_validity(c, p, np, total, out);
    if (!dh_field_decodable(f))
        return; /* a column dhtui does not decode: no values, only its nulls */
    int wide;
    if (f->type == DH_TYPE_STRUCT)
        concat_struct(c, f, p, np, out);
    else if (is_var(f->type, &wide))
        concat_var(c, f, p, np, total, wide, out);
    else
        concat_fixed(c, p, np, total, f->type == DH_TYPE_BOOL ? 0 : out->value_width, out);
}

/* How many views a field needs (itself, its list or map child, its struct fields). */
static size_t field_views(const struct dh_field *f)
{
    if (!dh_field_decodable(f))
        return 1;
    size_t n = 1;
    for (size_t i = 0; i < f->n_children; i++)
        n += field_views(&f->children[i]);
    return f->child && (f->type == DH_TYPE_LIST || f->type == DH_TYPE_MAP)
               ? n + field_views(f->child)
               : n;
}

/* One pass over every column (sizing when c->body is NULL). */
static int concat_pass(struct concat *c, const struct dh_schema *schema,
                       const struct dh_piece *const *pieces, const size_t *n_pieces)
{
    c->used = 0;
    c->next_child = schema->n_fields;
    for (size_t col = 0; col < schema->n_fields && !c->overflow; col++)
        concat_column(c, &schema->fields[col], pieces[col], n_pieces[col], &c->views[col]);
    return c->overflow ? DH_ENOMEM : DH_OK;
}

int dh_concat_columns(const struct dh_schema *schema, const struct dh_piece *const *pieces,
                      const size_t *n_pieces, int64_t length, struct dh_batch *out,
                      struct dh_error *err)
{
    dh_batch_init(out);
    struct concat c = {0};
    for (size_t i = 0; i < schema->n_fields; i++)
        c.n_views += field_views(&schema->fields[i]);
    c.views = calloc(c.n_views ? c.n_views : 1, sizeof *c.views);
    int rc = c.views ? concat_pass(&c, schema, pieces, n_pieces) : DH_ENOMEM;
    if (rc == DH_OK) {
        c.cap = c.used;
        c.body = malloc(c.cap ? c.cap : 1);
        rc = c.body ? concat_pass(&c, schema, pieces, n_pieces) : DH_ENOMEM;
    }
    if (rc != DH_OK) {
        free(c.views);
        free(c.body);
        return dh_error_set(err, DH_ENOMEM, "out of memory assembling %lld table rows",
                            (long long)length);
    }
    out->length = length;
    out->n_columns = schema->n_fields;
    out->columns = c.views;
    out->body = c.body;
    out->body_len = c.used;
    out->owns_body = 1;
    return DH_OK;
}

/* Build the pieces of column col: the first `want` rows over all batches. */
static size_t column_pieces(const struct dh_table_reader *r, size_t col, int64_t want,
                            struct dh_piece *p)
{
    size_t np = 0;
    for (size_t i = 0; i < r->n_batches && want > 0; i++) {
        const struct dh_batch *b = &r->batches[i];
        int64_t take = b->length < want ? b->length : want;
        want -= take;
        if (col >= b->n_columns)
            continue;
        const struct dh_column_view *v = &b->columns[col];
        int64_t n = v->length < take ? v->length : take; /* unrequested columns: 0 */
        if (n > 0)
            p[np++] = (struct dh_piece){.v = v, .start = 0, .n = n};
    }
    return np;
}

/* Concatenate the first `want` rows of the reader's batches into *out. */
static int concat_batches(const struct dh_table_reader *r, int64_t want, struct dh_batch *out,
                          struct dh_error *err)
{
    size_t nf = r->schema.n_fields, nb = r->n_batches ? r->n_batches : 1;
    struct dh_piece *flat = nf ? calloc(nf, nb * sizeof *flat) : NULL;
    const struct dh_piece **pieces = calloc(nf ? nf : 1, sizeof *pieces);
    size_t *n_pieces = calloc(nf ? nf : 1, sizeof *n_pieces);
    int rc;
    if ((nf && !flat) || !pieces || !n_pieces) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory assembling %lld table rows",
                          (long long)want);
    } else {
        for (size_t col = 0; col < nf; col++) {
            pieces[col] = flat + col * nb;
            n_pieces[col] = column_pieces(r, col, want, flat + col * nb);
        }
        rc = dh_concat_columns(&r->schema, pieces, n_pieces, want, out, err);
    }
    free(flat);
    free(pieces);
    free(n_pieces);
    return rc;
}

int dh_table_reader_finish(struct dh_table_reader *r, struct dh_rows *out, struct dh_error *err)
{
    dh_rows_reset(out);
    if (!r->have_schema)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow Schema message but the stream ended after %zu "
                            "messages",
                            r->n_messages);
    int64_t want = r->rows;
    if (r->count >= 0 && want > r->count)
        want = r->count;
    if (r->table_size >= 0) {
        /* Clip to the table: rows past its end cannot be real. */
        int64_t avail = r->table_size > r->first ? r->table_size - r->first : 0;
        if (want > avail)
            want = avail;
    }
    int rc = concat_batches(r, want, &out->batch, err);
    if (rc != DH_OK)
        return rc;
    out->first = r->first;
    out->table_size = r->table_size >= 0 ? r->table_size : r->first + want;
    out->schema = r->schema; /* the views' field pointers move with it */
    dh_schema_init(&r->schema);
    r->have_schema = 0;
    dh_table_reader_reset(r);
    return DH_OK;
}

/* ---- the calls ---- */

/* Read every message of a stream into the reader, then finish. */
static int read_stream(struct dh_stream *st, struct dh_table_reader *r, struct dh_rows *out,
                       struct dh_error *err)
{
    for (;;) {
        struct dh_buf msg = {0};
        int rc = dh_stream_read(st, &msg, err);
        if (rc == DH_END)
            break;
        if (rc != DH_OK)
            return rc;
        rc = dh_table_apply_packed(r, msg.data, msg.len, err);
        dh_buf_reset(&msg);
        if (rc != DH_OK)
            return rc;
    }
    return dh_table_reader_finish(r, out, err);
}

void dh_prefer_final_status(struct dh_stream *st, struct dh_error *e)
{
    struct dh_buf msg = {0};
    struct dh_error fin;
    dh_error_clear(&fin);
    int rc = dh_stream_read(st, &msg, &fin);
    dh_buf_reset(&msg);
    if (rc != DH_OK && rc != DH_END)
        *e = fin;
}

int dh_table_snapshot(struct dh_session *s, const struct dh_ticket *t, int64_t first, int64_t count,
                      const struct dh_column_set *cols, struct dh_rows *out,
                      struct dh_cancel *cancel, struct dh_error *err)
{
    return dh_table_snapshot_limited(s, t, first, count, cols, 0, out, cancel, err);
}

int dh_table_snapshot_limited(struct dh_session *s, const struct dh_ticket *t, int64_t first,
                              int64_t count, const struct dh_column_set *cols, int64_t list_limit,
                              struct dh_rows *out, struct dh_cancel *cancel, struct dh_error *err)
{
    dh_rows_reset(out);
    uint8_t *req = NULL;
    size_t req_len = 0;
    int rc = dh_snapshot_request_sized(t, first, count, cols, DH_TABLE_BATCH_SIZE, list_limit, &req,
                                       &req_len, err);
    if (rc != DH_OK)
        return rc;
    char what[192];
    dh_ticket_describe(what, sizeof what, "Reading rows of", t);
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_stream *st =
        dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_DO_EXCHANGE, NULL, 0,
                       dh_session_call_timeout_ms(s), what, &e);
    if (!st) {
        free(req);
        if (err)
            *err = e;
        return e.code != DH_OK ? e.code : DH_EGRPC;
    }
    /* Send, then half-close; the server ends after both (docs/PROTOCOL.md, Barrage snapshots). */
    rc = dh_cancel_attach(cancel, st, &e);
    if (rc == DH_OK)
        rc = dh_stream_write_bytes(st, req, req_len, &e);
    free(req);
    if (rc == DH_OK)
        rc = dh_stream_writes_done(st, &e);
    struct dh_table_reader r;
    dh_table_reader_init(&r, first, count);
    if (rc == DH_OK)
        rc = read_stream(st, &r, out, &e);
    else if (dh_prefer_final_status(st, &e), e.code != DH_OK)
        rc = e.code;
    dh_table_reader_reset(&r);
    dh_cancel_detach(cancel, st);
    dh_stream_free(st);
    if (err)
        *err = e;
    return rc;
}

int dh_table_doget(struct dh_session *s, const struct dh_ticket *t, struct dh_rows *out,
                   struct dh_cancel *cancel, struct dh_error *err)
{
    dh_rows_reset(out);
    Arrow__Flight__Protocol__Ticket req = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
    req.ticket.len = t->len;
    req.ticket.data = (uint8_t *)t->bytes;
    char what[192];
    dh_ticket_describe(what, sizeof what, "Reading all rows of", t);
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_stream *st = dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_DO_GET,
                                          &req.base, DH_STREAM_HALF_CLOSE, 0, what, &e);
    if (!st) {
        if (err)
            *err = e;
        return e.code != DH_OK ? e.code : DH_EGRPC;
    }
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, -1);
    int rc = dh_cancel_attach(cancel, st, &e);
    if (rc == DH_OK)
        rc = read_stream(st, &r, out, &e);
    dh_table_reader_reset(&r);
    dh_cancel_detach(cancel, st);
    dh_stream_free(st);
    if (err)
        *err = e;
    return rc;
}
