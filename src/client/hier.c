/* SPDX-License-Identifier: MIT */
/* hier.c: hierarchical tables (dh_hier.h): the descriptor's column roles
 * (upstream HierarchicalTableSchemaUtil), the key table of expansions written as
 * Arrow and uploaded with DoPut (as JsTreeTable.makeKeyTable / WorkerConnection.newTable
 * do), View, and reading a view through a viewport subscription
 * (HierarchicalTableViewSubscription: a view ticket has no snapshots). */
#include "dh_hier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "deephaven_core/proto/hierarchicaltable.pb-c.h"
#include "deephaven_core/proto/object.pb-c.h"
#include "deephaven_core/proto/ticket.pb-c.h"
#include "dh_exports.h"
#include "dh_fbb.h"
#include "dh_session.h"
#include "dh_subscription.h"
#include "dh_transport.h"

#define HT_SVC "/io.deephaven.proto.backplane.grpc.HierarchicalTableService/"
#define DEPTH_NAME "__DEPTH__"
#define ACTION_NAME "__action__" /* JsTreeTable's action column */
#define MD_PREFIX "deephaven:"

/* ---- the descriptor ---- */

static int meta_true(const struct dh_field *f, const char *key)
{
    const char *v = dh_field_metadata(f, key);
    return v && strcmp(v, "true") == 0;
}

void dh_hier_info_reset(struct dh_hier_info *info)
{
    if (!info)
        return;
    dh_schema_reset(&info->schema);
    memset(info, 0, sizeof *info);
    info->depth_col = info->expanded_col = -1;
}

/* Find the structural and expand-by columns. */
static int find_roles(struct dh_hier_info *info, struct dh_error *err)
{
    for (size_t c = 0; c < info->schema.n_fields; c++) {
        const struct dh_field *f = &info->schema.fields[c];
        if (meta_true(f, MD_PREFIX "hierarchicalTable.isRowDepthColumn")) {
            info->depth_col = (long)c;
            info->is_rollup = meta_true(f, MD_PREFIX "hierarchicalTable.isExpandByColumn");
        } else if (meta_true(f, MD_PREFIX "hierarchicalTable.isRowExpandedColumn")) {
            info->expanded_col = (long)c;
        } else if (meta_true(f, MD_PREFIX "hierarchicalTable.isExpandByColumn")) {
            if (info->n_keys == DH_HIER_MAX_KEYS)
                return dh_error_set(err, DH_ENOTSUP, "more than %d expand-by columns",
                                    DH_HIER_MAX_KEYS);
            info->key_cols[info->n_keys++] = (long)c;
        }
    }
    if (info->depth_col < 0 || info->expanded_col < 0)
        return dh_error_set(err, DH_EINVAL, "hierarchical table schema has no %s column",
                            info->depth_col < 0 ? "row-depth" : "row-expanded");
    const struct dh_field *d = &info->schema.fields[info->depth_col];
    const struct dh_field *e = &info->schema.fields[info->expanded_col];
    if (d->type != DH_TYPE_INT || d->bit_width != 32 || e->type != DH_TYPE_BOOL)
        return dh_error_set(err, DH_EINVAL,
                            "hierarchical table schema: row-depth must be int32 and "
                            "row-expanded bool");
    return DH_OK;
}

int dh_hier_info_decode(const uint8_t *data, size_t len, struct dh_hier_info *info,
                        struct dh_error *err)
{
    memset(info, 0, sizeof *info);
    dh_schema_init(&info->schema);
    info->depth_col = info->expanded_col = -1;
    Io__Deephaven__Proto__Backplane__Grpc__HierarchicalTableDescriptor *d =
        io__deephaven__proto__backplane__grpc__hierarchical_table_descriptor__unpack(NULL, len,
                                                                                     data);
    if (!d)
        return dh_error_set(err, DH_EINVAL, "malformed HierarchicalTableDescriptor");
    int rc = dh_schema_decode_encapsulated(d->snapshot_schema.data, d->snapshot_schema.len,
                                           &info->schema, err);
    info->is_static = d->is_static;
    io__deephaven__proto__backplane__grpc__hierarchical_table_descriptor__free_unpacked(d, NULL);
    if (rc == DH_OK)
        rc = find_roles(info, err);
    if (rc != DH_OK) {
        dh_error_prefix(err, "hierarchical table descriptor");
        dh_hier_info_reset(info);
    }
    return rc;
}

int dh_hier_column_visible(const struct dh_hier_info *info, size_t c)
{
    if (c >= info->schema.n_fields)
        return 0;
    const struct dh_field *f = &info->schema.fields[c];
    return !f->hidden && !meta_true(f, MD_PREFIX "hierarchicalTable.isStructuralColumn") &&
           !meta_true(f, MD_PREFIX "rollupTable.isConstituentNodeColumn");
}

static void ticket_proto(Io__Deephaven__Proto__Backplane__Grpc__Ticket *pt,
                         const struct dh_ticket *t)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket init =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TICKET__INIT;
    *pt = init;
    pt->ticket.data = (uint8_t *)t->bytes;
    pt->ticket.len = t->len;
}

int dh_hier_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_hier_info *info,
                  struct dh_error *err)
{
    char what[192];
    dh_ticket_describe(what, sizeof what, "fetch", t);
    Io__Deephaven__Proto__Backplane__Grpc__Ticket pt;
    ticket_proto(&pt, t);
    Io__Deephaven__Proto__Backplane__Grpc__TypedTicket tt =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TYPED_TICKET__INIT;
    tt.ticket = &pt;
    tt.type = (char *)"HierarchicalTable";
    Io__Deephaven__Proto__Backplane__Grpc__FetchObjectRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__FETCH_OBJECT_REQUEST__INIT;
    req.source_id = &tt;
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), DH_M_FETCH_OBJECT,
                           &req.base, dh_session_call_timeout_ms(s), &reply, what, err);
    if (rc != DH_OK) {
        dh_buf_reset(&reply);
        return rc;
    }
    Io__Deephaven__Proto__Backplane__Grpc__FetchObjectResponse *r =
        io__deephaven__proto__backplane__grpc__fetch_object_response__unpack(NULL, reply.len,
                                                                             reply.data);
    dh_buf_reset(&reply);
    if (!r)
        rc = dh_error_set(err, DH_EINVAL, "malformed FetchObjectResponse");
    else
        rc = dh_hier_info_decode(r->data.data, r->data.len, info, err);
    if (r)
        io__deephaven__proto__backplane__grpc__fetch_object_response__free_unpacked(r, NULL);
    if (rc != DH_OK && rc != DH_EGRPC)
        dh_error_prefix(err, what);
    return rc;
}

/* ---- expansions ---- */

/* One key cell as the key table carries it: fixed-width values as their bytes, BOOL
 * as one byte 0/1, UTF8/BINARY as their bytes. */
struct key_cell {
    int is_null;
    uint8_t *bytes;
    size_t len;
};

struct directive {
    int32_t depth;
    int8_t action;
    struct key_cell cells[DH_HIER_MAX_KEYS];
};

/* What the key table's schema needs of a key column (a copy: the keys outlive the
 * descriptor they were made from). */
struct key_field {
    char name[128];
    char dh_type[64];
    char timezone[64];
    enum dh_type_id type;
    int bit_width, is_signed, unit;
};

struct dh_hier_keys {
    struct directive *d;
    size_t n, cap;
    size_t n_keys;
    struct key_field fields[DH_HIER_MAX_KEYS];
};

struct dh_hier_keys *dh_hier_keys_new(void)
{
    return calloc(1, sizeof(struct dh_hier_keys));
}

struct dh_hier_keys *dh_hier_keys_copy(const struct dh_hier_keys *k)
{
    struct dh_hier_keys *c = dh_hier_keys_new();
    if (!c || !k)
        return c;
    *c = *k;
    c->d = calloc(k->n ? k->n : 1, sizeof *c->d);
    c->n = c->cap = 0;
    for (size_t i = 0; c->d && i < k->n; i++, c->n++) {
        c->d[i] = k->d[i];
        for (size_t j = 0; j < k->n_keys; j++) {
            struct key_cell *kc = &c->d[i].cells[j];
            kc->bytes = NULL;
            if (kc->len && (kc->bytes = malloc(kc->len)) == NULL)
                break;
            if (kc->len)
                memcpy(kc->bytes, k->d[i].cells[j].bytes, kc->len);
        }
    }
    c->cap = k->n;
    int ok = c->d != NULL;
    for (size_t i = 0; ok && i < c->n; i++)
        for (size_t j = 0; j < c->n_keys; j++)
            ok = ok && (!c->d[i].cells[j].len || c->d[i].cells[j].bytes);
    if (!ok) {
        dh_hier_keys_free(c);
        return NULL;
    }
    return c;
}

static void key_field_set(struct key_field *kf, const struct dh_field *f)
{
    snprintf(kf->name, sizeof kf->name, "%s", f->name ? f->name : "");
    snprintf(kf->dh_type, sizeof kf->dh_type, "%s", f->dh_type ? f->dh_type : "");
    snprintf(kf->timezone, sizeof kf->timezone, "%s", f->timezone ? f->timezone : "");
    kf->type = f->type;
    kf->bit_width = f->bit_width;
    kf->is_signed = f->is_signed;
    kf->unit = f->unit;
}

/* The field a key column is written as (pointing into kf). */
static struct dh_field key_field_view(const struct key_field *kf)
{
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.name = (char *)kf->name;
    f.type = kf->type;
    f.bit_width = kf->bit_width;
    f.is_signed = kf->is_signed;
    f.unit = kf->unit;
    f.timezone = (char *)kf->timezone;
    f.dh_type = kf->dh_type[0] ? kf->dh_type : NULL;
    return f;
}

static void directive_reset(struct directive *d)
{
    for (size_t i = 0; i < DH_HIER_MAX_KEYS; i++)
        free(d->cells[i].bytes);
    memset(d, 0, sizeof *d);
}

void dh_hier_keys_free(struct dh_hier_keys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        directive_reset(&k->d[i]);
    free(k->d);
    free(k);
}

size_t dh_hier_keys_count(const struct dh_hier_keys *k)
{
    return k ? k->n : 0;
}

static int cell_equal(const struct key_cell *a, const struct key_cell *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    return a->len == b->len && (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
}

int dh_hier_keys_equal(const struct dh_hier_keys *a, const struct dh_hier_keys *b)
{
    size_t n = dh_hier_keys_count(a);
    if (n != dh_hier_keys_count(b))
        return 0;
    if (n == 0)
        return 1;
    if (a->n_keys != b->n_keys)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct directive *x = &a->d[i], *y = &b->d[i];
        if (x->depth != y->depth || x->action != y->action)
            return 0;
        for (size_t j = 0; j < a->n_keys; j++)
            if (!cell_equal(&x->cells[j], &y->cells[j]))
                return 0;
    }
    return 1;
}

/* Whether the key table can carry a column of this type (and how wide a value is). */
static int key_type_ok(const struct dh_field *f)
{
    switch (f->type) {
    case DH_TYPE_BOOL:
    case DH_TYPE_INT:
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_DATE:
    case DH_TYPE_TIME:
    case DH_TYPE_TIMESTAMP:
    case DH_TYPE_DURATION: return 1;
    case DH_TYPE_FLOAT: return f->bit_width == 32 || f->bit_width == 64;
    default: return 0;
    }
}

static int cell_read(const struct dh_column_view *v, int64_t row, struct key_cell *kc,
                     struct dh_error *err)
{
    memset(kc, 0, sizeof *kc);
    if (v->length <= row || dh_column_is_null(v, row)) {
        kc->is_null = 1;
        return DH_OK;
    }
    const uint8_t *p = NULL;
    uint8_t bit;
    size_t n = 0;
    if (v->field->type == DH_TYPE_BOOL) {
        bit = (uint8_t)dh_column_get_bool(v, row);
        p = &bit;
        n = 1;
    } else if (v->field->type == DH_TYPE_UTF8 || v->field->type == DH_TYPE_BINARY) {
        if (dh_column_get_bytes(v, row, &p, &n) != DH_OK)
            return dh_error_set(err, DH_EINVAL, "key cell out of range");
    } else {
        n = (size_t)v->value_width;
        if (n == 0 || !v->values || (size_t)(row + 1) * n > v->values_len)
            return dh_error_set(err, DH_EINVAL, "key cell out of range");
        p = v->values + (size_t)row * n;
    }
    kc->bytes = malloc(n ? n : 1);
    if (!kc->bytes)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    if (n)
        memcpy(kc->bytes, p, n);
    kc->len = n;
    return DH_OK;
}

static int same_node(const struct directive *a, const struct directive *b, size_t n_keys)
{
    if (a->depth != b->depth)
        return 0;
    for (size_t i = 0; i < n_keys; i++) {
        const struct key_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->is_null != y->is_null || x->len != y->len ||
            (x->len && memcmp(x->bytes, y->bytes, x->len) != 0))
            return 0;
    }
    return 1;
}

int dh_hier_keys_set(struct dh_hier_keys *k, const struct dh_hier_info *info,
                     const struct dh_rows *r, int64_t row, enum dh_hier_action action,
                     struct dh_error *err)
{
    if (row < 0 || row >= r->batch.length)
        return dh_error_set(err, DH_EINVAL, "row %lld is outside the rows read", (long long)row);
    struct directive nd;
    memset(&nd, 0, sizeof nd);
    nd.depth = dh_hier_row_depth(info, r, row);
    nd.action = (int8_t)action;
    for (size_t i = 0; i < info->n_keys; i++) {
        const struct dh_field *f = &info->schema.fields[info->key_cols[i]];
        if (!key_type_ok(f)) {
            directive_reset(&nd);
            return dh_error_set(err, DH_ENOTSUP,
                                "key column '%s': type %s cannot be sent in a key table", f->name,
                                f->type_name);
        }
        int rc = cell_read(dh_rows_column(r, (size_t)info->key_cols[i]), row, &nd.cells[i], err);
        if (rc != DH_OK) {
            directive_reset(&nd);
            return rc;
        }
    }
    k->n_keys = info->n_keys;
    for (size_t i = 0; i < info->n_keys; i++)
        key_field_set(&k->fields[i], &info->schema.fields[info->key_cols[i]]);
    for (size_t i = 0; i < k->n; i++) {
        if (same_node(&k->d[i], &nd, info->n_keys)) {
            directive_reset(&k->d[i]);
            k->d[i] = nd;
            return DH_OK;
        }
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 8;
        struct directive *p = realloc(k->d, cap * sizeof *p);
        if (!p) {
            directive_reset(&nd);
            return dh_error_set(err, DH_ENOMEM, "out of memory");
        }
        k->d = p;
        k->cap = cap;
    }
    k->d[k->n++] = nd;
    return DH_OK;
}

/* ---- the key table as Arrow (Schema.fbs, Message.fbs) ---- */

enum {
    AT_INT = 2,
    AT_FLOAT = 3,
    AT_BINARY = 4,
    AT_UTF8 = 5,
    AT_BOOL = 6,
    AT_DATE = 8,
    AT_TIME = 9,
    AT_TIMESTAMP = 10,
    AT_DURATION = 18
};
enum { MH_SCHEMA = 1, MH_RECORD_BATCH = 3, ARROW_V5 = 4 };

static uint32_t key_value(struct dh_fbb *b, const char *k, const char *v)
{
    uint32_t kr = dh_fbb_create_cstring(b, k);
    uint32_t vr = dh_fbb_create_cstring(b, v);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, kr);
    dh_fbb_add_offset(b, 1, vr);
    return dh_fbb_end_table(b);
}

/* The type table of field f again (the view's own type); *id its union tag. */
static uint32_t type_table(struct dh_fbb *b, const struct dh_field *f, uint8_t *id)
{
    uint32_t tz = f->type == DH_TYPE_TIMESTAMP && f->timezone && f->timezone[0]
                      ? dh_fbb_create_cstring(b, f->timezone)
                      : 0;
    dh_fbb_start_table(b);
    switch (f->type) {
    case DH_TYPE_INT:
        *id = AT_INT;
        dh_fbb_add_i32(b, 0, f->bit_width, 0);
        dh_fbb_add_bool(b, 1, f->is_signed, 0);
        break;
    case DH_TYPE_FLOAT:
        *id = AT_FLOAT;
        dh_fbb_add_i16(b, 0, f->bit_width == 32 ? 1 : 2, 0);
        break;
    case DH_TYPE_BINARY: *id = AT_BINARY; break;
    case DH_TYPE_BOOL: *id = AT_BOOL; break;
    case DH_TYPE_DATE:
        *id = AT_DATE;
        dh_fbb_add_i16(b, 0, (int16_t)f->unit, 1);
        break;
    case DH_TYPE_TIME:
        *id = AT_TIME;
        dh_fbb_add_i16(b, 0, (int16_t)f->unit, 1);
        dh_fbb_add_i32(b, 1, f->bit_width, 32);
        break;
    case DH_TYPE_TIMESTAMP:
        *id = AT_TIMESTAMP;
        dh_fbb_add_i16(b, 0, (int16_t)f->unit, 0);
        if (tz)
            dh_fbb_add_offset(b, 1, tz);
        break;
    case DH_TYPE_DURATION:
        *id = AT_DURATION;
        dh_fbb_add_i16(b, 0, (int16_t)f->unit, 1);
        break;
    default: *id = AT_UTF8; break;
    }
    return dh_fbb_end_table(b);
}

static uint32_t field_table(struct dh_fbb *b, const char *name, uint8_t id, uint32_t type,
                            const char *dh_type)
{
    uint32_t nm = dh_fbb_create_cstring(b, name);
    uint32_t kv = dh_type ? key_value(b, MD_PREFIX "type", dh_type) : 0;
    uint32_t md = dh_fbb_create_vector_refs(b, &kv, kv ? 1 : 0);
    uint32_t ch = dh_fbb_create_vector_refs(b, NULL, 0);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, nm);
    dh_fbb_add_bool(b, 1, 1, 0);
    dh_fbb_add_union(b, 3, id, type);
    dh_fbb_add_offset(b, 5, ch);
    dh_fbb_add_offset(b, 6, md);
    return dh_fbb_end_table(b);
}

static uint8_t *finish_message(struct dh_fbb *b, uint8_t kind, uint32_t header, int64_t body_len,
                               size_t *len)
{
    dh_fbb_start_table(b);
    dh_fbb_add_i16(b, 0, ARROW_V5, 0);
    dh_fbb_add_union(b, 2, kind, header);
    dh_fbb_add_i64(b, 3, body_len, 0);
    uint32_t msg = dh_fbb_end_table(b);
    return dh_fbb_finish(b, msg) == DH_OK ? dh_fbb_copy(b, len) : NULL;
}

static uint8_t *schema_message(const struct dh_hier_keys *k, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t fields[DH_HIER_MAX_KEYS + 2];
    size_t n = 0;
    uint8_t id;
    for (size_t i = 0; i < k->n_keys; i++) {
        struct dh_field f = key_field_view(&k->fields[i]);
        uint32_t t = type_table(&b, &f, &id);
        fields[n++] = field_table(&b, f.name, id, t, f.dh_type);
    }
    struct dh_field depth = {.type = DH_TYPE_INT, .bit_width = 32, .is_signed = 1};
    struct dh_field action = {.type = DH_TYPE_INT, .bit_width = 8, .is_signed = 1};
    uint32_t t = type_table(&b, &depth, &id);
    fields[n++] = field_table(&b, DEPTH_NAME, id, t, "int");
    t = type_table(&b, &action, &id);
    fields[n++] = field_table(&b, ACTION_NAME, id, t, "byte");
    uint32_t fv = dh_fbb_create_vector_refs(&b, fields, n);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 1, fv);
    uint32_t schema = dh_fbb_end_table(&b);
    uint8_t *out = finish_message(&b, MH_SCHEMA, schema, 0, len);
    dh_fbb_reset(&b);
    return out;
}

/* A growable body with its FieldNode and Buffer records. */
struct body {
    uint8_t *p;
    size_t len, cap;
    int64_t nodes[2 * (DH_HIER_MAX_KEYS + 2)];
    size_t n_nodes;
    int64_t bufs[2 * 3 * (DH_HIER_MAX_KEYS + 2)];
    size_t n_bufs;
    int oom;
};

/* Append a buffer of n bytes (zeroed, padded to 8) and return where it starts. */
static uint8_t *body_buffer(struct body *bd, size_t n)
{
    size_t padded = (n + 7) & ~(size_t)7;
    if (bd->oom || bd->len + padded > bd->cap) {
        size_t cap = bd->cap ? bd->cap : 256;
        while (cap < bd->len + padded)
            cap *= 2;
        uint8_t *p = bd->oom ? NULL : realloc(bd->p, cap);
        if (!p) {
            bd->oom = 1;
            return NULL;
        }
        bd->p = p;
        bd->cap = cap;
    }
    uint8_t *at = bd->p + bd->len;
    memset(at, 0, padded);
    bd->bufs[2 * bd->n_bufs] = (int64_t)bd->len;
    bd->bufs[2 * bd->n_bufs + 1] = (int64_t)n;
    bd->n_bufs++;
    bd->len += padded;
    return at;
}

/* One column of the batch from cells cell(i) of every directive. */
static void body_column(struct body *bd, const struct dh_hier_keys *k, long key,
                        const struct dh_field *f)
{
    size_t n = k->n, nulls = 0;
    uint8_t *valid = body_buffer(bd, (n + 7) / 8);
    for (size_t i = 0; valid && i < n; i++) {
        int null = key >= 0 && k->d[i].cells[key].is_null;
        if (null)
            nulls++;
        else
            valid[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    bd->nodes[2 * bd->n_nodes] = (int64_t)n;
    bd->nodes[2 * bd->n_nodes + 1] = (int64_t)nulls;
    bd->n_nodes++;
    if (key < 0) { /* __DEPTH__ (int32) or __action__ (int8) */
        size_t w = f->bit_width == 32 ? 4 : 1;
        uint8_t *v = body_buffer(bd, n * w);
        for (size_t i = 0; v && i < n; i++) {
            if (w == 4)
                dh_fbb_put_u32(v + 4 * i, (uint32_t)k->d[i].depth);
            else
                v[i] = (uint8_t)k->d[i].action;
        }
        return;
    }
    if (f->type == DH_TYPE_BOOL) {
        uint8_t *bits = body_buffer(bd, (n + 7) / 8);
        for (size_t i = 0; bits && i < n; i++)
            if (!k->d[i].cells[key].is_null && k->d[i].cells[key].bytes[0])
                bits[i / 8] |= (uint8_t)(1u << (i % 8));
        return;
    }
    if (f->type == DH_TYPE_UTF8 || f->type == DH_TYPE_BINARY) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += k->d[i].cells[key].len;
        uint8_t *offs = body_buffer(bd, (n + 1) * 4);
        size_t at = offs ? (size_t)(offs - bd->p) : 0;
        uint8_t *data = body_buffer(bd, total);
        if (!offs || !data)
            return;
        offs = bd->p + at; /* the body may have moved */
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            dh_fbb_put_u32(offs + 4 * i, (uint32_t)o);
            if (k->d[i].cells[key].len)
                memcpy(data + o, k->d[i].cells[key].bytes, k->d[i].cells[key].len);
            o += k->d[i].cells[key].len;
        }
        dh_fbb_put_u32(offs + 4 * n, (uint32_t)o);
        return;
    }
    size_t w = 0;
    for (size_t i = 0; i < n && !w; i++)
        w = k->d[i].cells[key].len;
    if (!w)
        w = (size_t)(f->bit_width > 0 ? f->bit_width / 8 : 8);
    uint8_t *v = body_buffer(bd, n * w);
    for (size_t i = 0; v && i < n; i++)
        if (k->d[i].cells[key].len == w)
            memcpy(v + i * w, k->d[i].cells[key].bytes, w);
}

static uint8_t *batch_message(const struct dh_hier_keys *k, struct body *bd, size_t *len)
{
    static const struct dh_field depth = {.type = DH_TYPE_INT, .bit_width = 32};
    static const struct dh_field action = {.type = DH_TYPE_INT, .bit_width = 8};
    for (size_t i = 0; i < k->n_keys; i++) {
        struct dh_field f = key_field_view(&k->fields[i]);
        body_column(bd, k, (long)i, &f);
    }
    body_column(bd, k, -1, &depth);
    body_column(bd, k, -1, &action);
    if (bd->oom)
        return NULL;
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t nodes = dh_fbb_create_vector(&b, bd->nodes, 16, bd->n_nodes, 8);
    uint32_t bufs = dh_fbb_create_vector(&b, bd->bufs, 16, bd->n_bufs, 8);
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, (int64_t)k->n, 0);
    dh_fbb_add_offset(&b, 1, nodes);
    dh_fbb_add_offset(&b, 2, bufs);
    uint32_t rb = dh_fbb_end_table(&b);
    uint8_t *out = finish_message(&b, MH_RECORD_BATCH, rb, (int64_t)bd->len, len);
    dh_fbb_reset(&b);
    return out;
}

int dh_hier_key_table_messages(const struct dh_hier_keys *k, int32_t dest, uint8_t *msgs[2],
                               size_t lens[2], struct dh_error *err)
{
    msgs[0] = msgs[1] = NULL;
    char id[16];
    snprintf(id, sizeof id, "%d", (int)dest);
    char *path[2] = {(char *)"export", id};
    Arrow__Flight__Protocol__FlightDescriptor fdesc =
        ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__INIT;
    fdesc.type = ARROW__FLIGHT__PROTOCOL__FLIGHT_DESCRIPTOR__DESCRIPTOR_TYPE__PATH;
    fdesc.n_path = 2;
    fdesc.path = path;
    struct body bd;
    memset(&bd, 0, sizeof bd);
    size_t slen = 0, blen = 0;
    uint8_t *schema = schema_message(k, &slen);
    uint8_t *batch = schema ? batch_message(k, &bd, &blen) : NULL;
    int rc = DH_OK;
    if (!batch) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory writing a key table");
    } else {
        Arrow__Flight__Protocol__FlightData fd = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
        fd.flight_descriptor = &fdesc;
        fd.data_header.data = schema;
        fd.data_header.len = slen;
        lens[0] = protobuf_c_message_get_packed_size(&fd.base);
        msgs[0] = malloc(lens[0]);
        Arrow__Flight__Protocol__FlightData fb = ARROW__FLIGHT__PROTOCOL__FLIGHT_DATA__INIT;
        fb.data_header.data = batch;
        fb.data_header.len = blen;
        fb.data_body.data = bd.p;
        fb.data_body.len = bd.len;
        lens[1] = protobuf_c_message_get_packed_size(&fb.base);
        msgs[1] = malloc(lens[1]);
        if (!msgs[0] || !msgs[1]) {
            free(msgs[0]);
            free(msgs[1]);
            msgs[0] = msgs[1] = NULL;
            rc = dh_error_set(err, DH_ENOMEM, "out of memory writing a key table");
        } else {
            protobuf_c_message_pack(&fd.base, msgs[0]);
            protobuf_c_message_pack(&fb.base, msgs[1]);
        }
    }
    free(schema);
    free(batch);
    free(bd.p);
    return rc;
}

/* ---- the calls ---- */

/* DoPut the key table to export `dest`; the server answers one PutResult. */
static int put_keys(struct dh_session *s, const struct dh_hier_keys *k,
                    const struct dh_ticket *dest, int32_t dest_id, struct dh_error *err)
{
    uint8_t *msgs[2];
    size_t lens[2];
    int rc = dh_hier_key_table_messages(k, dest_id, msgs, lens, err);
    if (rc != DH_OK)
        return rc;
    char what[192];
    dh_ticket_describe(what, sizeof what, "upload key table to", dest);
    struct dh_stream *st =
        dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_SVC_FLIGHT "DoPut", NULL, 0,
                       dh_session_call_timeout_ms(s), what, err);
    rc = st ? DH_OK : err->code;
    for (int i = 0; rc == DH_OK && i < 2; i++)
        rc = dh_stream_write_bytes(st, msgs[i], lens[i], err);
    if (rc == DH_OK)
        rc = dh_stream_writes_done(st, err);
    struct dh_buf reply = {0};
    while (rc == DH_OK) {
        rc = dh_stream_read(st, &reply, err); /* PutResult, then the status */
        dh_buf_reset(&reply);                 /* a read fills it anew: free each */
    }
    if (rc == DH_END)
        rc = DH_OK;
    dh_stream_free(st);
    free(msgs[0]);
    free(msgs[1]);
    return rc;
}

static int view_call(struct dh_session *s, const struct dh_ticket *t, const struct dh_ticket *keys,
                     const struct dh_ticket *view, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__Ticket tp, kp, vp;
    ticket_proto(&tp, t);
    ticket_proto(&vp, view);
    Io__Deephaven__Proto__Backplane__Grpc__HierarchicalTableViewKeyTableDescriptor ex =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HIERARCHICAL_TABLE_VIEW_KEY_TABLE_DESCRIPTOR__INIT;
    Io__Deephaven__Proto__Backplane__Grpc__HierarchicalTableViewRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HIERARCHICAL_TABLE_VIEW_REQUEST__INIT;
    req.result_view_id = &vp;
    req.target_case =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HIERARCHICAL_TABLE_VIEW_REQUEST__TARGET_HIERARCHICAL_TABLE_ID;
    req.hierarchical_table_id = &tp;
    if (keys) {
        ticket_proto(&kp, keys);
        ex.key_table_id = &kp;
        ex.key_table_action_column = (char *)ACTION_NAME;
        req.expansions = &ex;
    }
    char what[192];
    dh_ticket_describe(what, sizeof what, "view", t);
    struct dh_buf reply = {0};
    int rc = dh_call_unary(dh_session_channel(s), dh_session_bearer(s), HT_SVC "View", &req.base,
                           dh_session_call_timeout_ms(s), &reply, what, err);
    dh_buf_reset(&reply);
    return rc;
}

int dh_hier_view(struct dh_session *s, const struct dh_ticket *t, const struct dh_hier_keys *k,
                 struct dh_ticket *view, struct dh_error *err)
{
    struct dh_ticket keys;
    int have_keys = k && k->n > 0;
    int rc = DH_OK;
    if (have_keys) {
        int32_t id = dh_session_next_export_id(s);
        dh_ticket_make_export(&keys, id);
        rc = put_keys(s, k, &keys, id, err);
    }
    if (rc == DH_OK) {
        dh_ticket_make_export(view, dh_session_next_export_id(s));
        rc = view_call(s, t, have_keys ? &keys : NULL, view, err);
        if (rc != DH_OK) {
            struct dh_error ignored;
            dh_release(s, view, &ignored);
        }
    }
    if (have_keys) { /* the view holds what it needs of it */
        struct dh_error ignored;
        dh_release(s, &keys, &ignored);
    }
    return rc;
}

int dh_hier_read(struct dh_session *s, const struct dh_ticket *view, int64_t first, int64_t count,
                 struct dh_rows *out, struct dh_error *err)
{
    dh_rows_reset(out);
    struct dh_subscription *sub = dh_subscription_open(s, view, first, count, 0, 0, err);
    if (!sub)
        return err->code ? err->code : DH_EGRPC;
    int rc = dh_subscription_next(sub, out, err);
    if (rc == DH_END)
        rc = dh_error_set(err, DH_EINVAL, "the view's subscription ended before any rows");
    dh_subscription_free(sub);
    return rc;
}

/* ---- rows ---- */

int dh_hier_row_depth(const struct dh_hier_info *info, const struct dh_rows *r, int64_t row)
{
    const struct dh_column_view *v = dh_rows_column(r, (size_t)info->depth_col);
    if (row < 0 || row >= v->length || dh_column_is_null(v, row))
        return 0;
    return (int)dh_column_get_i64(v, row);
}

int dh_hier_row_expanded(const struct dh_hier_info *info, const struct dh_rows *r, int64_t row)
{
    const struct dh_column_view *v = dh_rows_column(r, (size_t)info->expanded_col);
    if (row < 0 || row >= v->length || dh_column_is_null(v, row))
        return -1;
    return dh_column_get_bool(v, row) ? 1 : 0;
}
