/* SPDX-License-Identifier: MIT */
/* arrow.c: Arrow IPC Message, Schema and RecordBatch decoding over untrusted bytes
 * (arrow format/Message.fbs, Schema.fbs; columnar layout per the Arrow spec and
 * Deephaven's BaseChunkWriter / VarBinaryChunkWriter / ListChunkWriter). */
#include "dh_arrow.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow_gather.h"

/* Field ids (index in the .fbs declaration; slot = 4 + 2*id). */
enum {
    MSG_VERSION = 0,
    MSG_HEADER = 2,
    MSG_BODY_LENGTH = 3,
    SCHEMA_ENDIANNESS = 0,
    SCHEMA_FIELDS = 1,
    SCHEMA_METADATA = 2,
    FIELD_NAME = 0,
    FIELD_NULLABLE = 1,
    FIELD_TYPE = 3,
    FIELD_DICTIONARY = 4,
    FIELD_CHILDREN = 5,
    FIELD_METADATA = 6,
    KV_KEY = 0,
    KV_VALUE = 1,
    RB_LENGTH = 0,
    RB_NODES = 1,
    RB_BUFFERS = 2,
    RB_COMPRESSION = 3,
    RB_VARIADIC = 4,
    DE_ID = 0, /* DictionaryEncoding */
    DE_INDEX_TYPE = 1,
    DB_ID = 0, /* DictionaryBatch */
    DB_DATA = 1,
    DB_IS_DELTA = 2,
};

/* Type union tags (Schema.fbs union Type). */
enum {
    T_NONE,
    T_NULL,
    T_INT,
    T_FLOAT,
    T_BINARY,
    T_UTF8,
    T_BOOL,
    T_DECIMAL,
    T_DATE,
    T_TIME,
    T_TIMESTAMP,
    T_INTERVAL,
    T_LIST,
    T_STRUCT,
    T_UNION,
    T_FIXED_BINARY,
    T_FIXED_LIST,
    T_MAP,
    T_DURATION,
    T_LARGE_BINARY,
    T_LARGE_UTF8,
    T_LARGE_LIST,
    T_RUN_END,
    T_BINARY_VIEW,
    T_UTF8_VIEW,
    T_LIST_VIEW,
    T_LARGE_LIST_VIEW,
    T_COUNT
};

static const char *const type_names[T_COUNT] = {
    "NONE",          "Null",      "Int",           "FloatingPoint",
    "Binary",        "Utf8",      "Bool",          "Decimal",
    "Date",          "Time",      "Timestamp",     "Interval",
    "List",          "Struct",    "Union",         "FixedSizeBinary",
    "FixedSizeList", "Map",       "Duration",      "LargeBinary",
    "LargeUtf8",     "LargeList", "RunEndEncoded", "BinaryView",
    "Utf8View",      "ListView",  "LargeListView",
};

/* ---- Message ---- */

int dh_ipc_message_decode(const uint8_t *buf, size_t len, struct dh_ipc_message *msg,
                          struct dh_error *err)
{
    memset(msg, 0, sizeof *msg);
    struct dh_fb_table root;
    int rc = dh_fb_root(buf, len, &root, err);
    if (rc) {
        dh_error_prefix(err, "Arrow message");
        return rc;
    }
    msg->version = dh_fb_i16(&root, MSG_VERSION, 0);
    uint8_t type;
    rc = dh_fb_union(&root, MSG_HEADER, &type, &msg->header, err);
    if (rc) {
        dh_error_prefix(err, "Arrow message header");
        return rc;
    }
    msg->kind = (enum dh_ipc_kind)type;
    msg->body_length = dh_fb_i64(&root, MSG_BODY_LENGTH, 0);
    if (msg->body_length < 0)
        return dh_error_set(err, DH_EINVAL, "Arrow message bodyLength %lld is negative",
                            (long long)msg->body_length);
    return DH_OK;
}

/* Read the 8-byte encapsulation prefix at buf[pos]: sets *meta_len and *skip (4 or 8). */
static int ipc_prefix(const uint8_t *buf, size_t len, size_t pos, size_t *meta_len, size_t *skip,
                      struct dh_error *err)
{
    *meta_len = 0; /* defined on every path: gcc -O3 cannot see that errors return non-zero */
    *skip = 4;
    if (len - pos < 4)
        return DH_NEED_MORE;
    uint32_t first = dh_fb_load_u32(buf + pos);
    size_t at = pos;
    if (first == 0xFFFFFFFFu) {
        if (len - pos < 8)
            return DH_NEED_MORE;
        at = pos + 4;
        *skip = 8;
    }
    int32_t ml = dh_fb_load_i32(buf + at);
    if (ml < 0)
        return dh_error_set(err, DH_EINVAL, "Arrow IPC metadata length %d is negative", ml);
    *meta_len = (size_t)ml;
    return DH_OK;
}

int dh_ipc_stream_next(const uint8_t *buf, size_t len, size_t *pos, struct dh_ipc_frame *frame,
                       struct dh_error *err)
{
    memset(frame, 0, sizeof *frame);
    if (!buf || *pos >= len)
        return DH_END;
    size_t meta_len, skip;
    int rc = ipc_prefix(buf, len, *pos, &meta_len, &skip, err);
    if (rc)
        return rc;
    if (meta_len == 0) { /* end-of-stream marker */
        *pos += skip;
        return DH_END;
    }
    size_t at = *pos + skip;
    if (meta_len > len - at)
        return DH_NEED_MORE;
    struct dh_ipc_message msg;
    rc = dh_ipc_message_decode(buf + at, meta_len, &msg, err);
    if (rc)
        return rc;
    size_t body_at = at + meta_len;
    if ((uint64_t)msg.body_length > len - body_at)
        return DH_NEED_MORE;
    frame->metadata = buf + at;
    frame->metadata_len = meta_len;
    frame->body = buf + body_at;
    frame->body_len = (size_t)msg.body_length;
    *pos = body_at + (size_t)msg.body_length;
    return DH_OK;
}

/* ---- Schema ---- */

/* Limits shared by one schema decode (DAG-shaped flatbuffers could otherwise make
 * small inputs expand without bound). */
struct schema_ctx {
    size_t fields_left;
    size_t bytes_left;
    struct dh_error *err;
};

/* Copy len bytes as a NUL-terminated string, charged to the byte budget. */
static int dup_bytes(struct schema_ctx *c, const char *s, size_t len, char **out)
{
    *out = NULL;
    if (len + 1 > c->bytes_left)
        return dh_error_set(c->err, DH_EINVAL,
                            "Arrow schema strings add up to more than the message allows");
    c->bytes_left -= len + 1;
    char *p = malloc(len + 1);
    if (!p)
        return dh_error_set(c->err, DH_ENOMEM, "out of memory decoding an Arrow schema");
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    *out = p;
    return DH_OK;
}

static void kv_free(struct dh_kv *kv, size_t n)
{
    for (size_t i = 0; kv && i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

/* Decode a [KeyValue] field into a new array. */
static int kv_decode(struct schema_ctx *c, const struct dh_fb_table *t, int id, struct dh_kv **out,
                     size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    struct dh_fb_vector v;
    int rc = dh_fb_vector_field(t, id, 4, &v, c->err);
    if (rc || !v.present || v.n == 0)
        return rc;
    if (v.n * sizeof(struct dh_kv) > c->bytes_left)
        return dh_error_set(c->err, DH_EINVAL,
                            "Arrow schema metadata adds up to more than the message allows");
    c->bytes_left -= v.n * sizeof(struct dh_kv);
    struct dh_kv *kv = calloc(v.n, sizeof *kv);
    if (!kv)
        return dh_error_set(c->err, DH_ENOMEM, "out of memory decoding Arrow metadata");
    for (size_t i = 0; i < v.n; i++) {
        struct dh_fb_table e;
        const char *k = NULL, *val = NULL;
        size_t kl = 0, vl = 0;
        rc = dh_fb_vector_table(&v, i, &e, c->err);
        if (!rc)
            rc = dh_fb_string(&e, KV_KEY, &k, &kl, c->err);
        if (!rc)
            rc = dh_fb_string(&e, KV_VALUE, &val, &vl, c->err);
        if (!rc)
            rc = dup_bytes(c, k ? k : "", kl, &kv[i].key);
        if (!rc)
            rc = dup_bytes(c, val ? val : "", vl, &kv[i].value);
        if (rc) {
            kv_free(kv, v.n);
            return rc;
        }
    }
    *out = kv;
    *n_out = v.n;
    return DH_OK;
}

static const char *kv_find(const struct dh_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

const char *dh_schema_metadata(const struct dh_schema *schema, const char *key)
{
    return schema ? kv_find(schema->metadata, schema->n_metadata, key) : NULL;
}

const char *dh_field_metadata(const struct dh_field *field, const char *key)
{
    return field ? kv_find(field->metadata, field->n_metadata, key) : NULL;
}

static void field_free_contents(struct dh_field *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->timezone);
    kv_free(f->metadata, f->n_metadata);
    if (f->child) {
        field_free_contents(f->child);
        free(f->child);
    }
    for (size_t i = 0; f->children && i < f->n_children; i++)
        field_free_contents(&f->children[i]);
    free(f->children);
    memset(f, 0, sizeof *f);
}

void dh_schema_init(struct dh_schema *schema)
{
    memset(schema, 0, sizeof *schema);
}

static void dicts_free(struct dh_dicts *d);

void dh_schema_reset(struct dh_schema *schema)
{
    if (!schema)
        return;
    dicts_free(schema->dicts);
    for (size_t i = 0; i < schema->n_fields; i++)
        field_free_contents(&schema->fields[i]);
    free(schema->fields);
    kv_free(schema->metadata, schema->n_metadata);
    dh_schema_init(schema);
}

static void set_unsupported(struct dh_field *f, unsigned tag)
{
    f->type = DH_TYPE_UNSUPPORTED;
    if (tag < T_COUNT)
        snprintf(f->type_name, sizeof f->type_name, "%s", type_names[tag]);
    else
        snprintf(f->type_name, sizeof f->type_name, "type #%u", tag);
}

/* Malformed type parameters: one message naming the column. */
static int bad_param(struct schema_ctx *c, const char *col, const char *what, long long v)
{
    return dh_error_set(c->err, DH_EINVAL, "Arrow schema: column '%s': %s %lld is invalid", col,
                        what, v);
}

static int valid_unit(int u)
{
    return u >= DH_UNIT_SECOND && u <= DH_UNIT_NANO;
}

static int field_decode(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                        const char *col, struct dh_field *f);
static int field_check(const struct dh_field *f, const char *col, struct dh_error *err);

/* Decode the List's single child. */
static int list_child_decode(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                             const char *col, struct dh_field *f)
{
    struct dh_fb_vector kids;
    int rc = dh_fb_vector_field(ft, FIELD_CHILDREN, 4, &kids, c->err);
    if (rc)
        return rc;
    if (kids.n != 1)
        return dh_error_set(c->err, DH_EINVAL,
                            "Arrow schema: column '%s': expected 1 List child but found %zu", col,
                            kids.n);
    struct dh_fb_table kt;
    rc = dh_fb_vector_table(&kids, 0, &kt, c->err);
    if (rc)
        return rc;
    f->child = calloc(1, sizeof *f->child);
    if (!f->child)
        return dh_error_set(c->err, DH_ENOMEM, "out of memory decoding an Arrow schema");
    return field_decode(c, &kt, depth + 1, col, f->child);
}

static int type_decode(struct schema_ctx *c, unsigned tag, const struct dh_fb_table *tt,
                       const struct dh_fb_table *ft, int depth, const char *col,
                       struct dh_field *f);

/* Decode a Struct's children, any number of them (each charged to the field budget). */
static int struct_children_decode(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                                  const char *col, struct dh_field *f)
{
    struct dh_fb_vector kids;
    int rc = dh_fb_vector_field(ft, FIELD_CHILDREN, 4, &kids, c->err);
    if (rc || kids.n == 0)
        return rc;
    if (kids.n > c->fields_left)
        return dh_error_set(c->err, DH_EINVAL, "Arrow schema has too many fields");
    f->children = calloc(kids.n, sizeof *f->children);
    if (!f->children)
        return dh_error_set(c->err, DH_ENOMEM, "out of memory decoding an Arrow schema");
    f->n_children = kids.n;
    for (size_t i = 0; i < kids.n; i++) {
        struct dh_fb_table kt;
        rc = dh_fb_vector_table(&kids, i, &kt, c->err);
        if (!rc)
            rc = field_decode(c, &kt, depth + 1, col, &f->children[i]);
        if (rc)
            return rc;
    }
    return DH_OK;
}

/* Map: a List of non-null entries, a Struct of key and value (Schema.fbs Map;
 * DHC MapChunkWriter.java writes it so). */
static int map_decode(struct schema_ctx *c, const struct dh_fb_table *tt,
                      const struct dh_fb_table *ft, int depth, const char *col, struct dh_field *f)
{
    f->type = DH_TYPE_MAP;
    f->keys_sorted = dh_fb_bool(tt, 0, 0);
    int rc = list_child_decode(c, ft, depth, col, f);
    if (rc)
        return rc;
    const struct dh_field *e = f->child;
    if (e->type == DH_TYPE_UNSUPPORTED || e->dictionary_encoded || e->run_end_width)
        return DH_OK; /* refused by field_check */
    if (e->type != DH_TYPE_STRUCT || e->n_children != 2)
        return dh_error_set(c->err, DH_EINVAL,
                            "Arrow schema: column '%s': expected Map entries of a Struct of key "
                            "and value",
                            col);
    return DH_OK;
}

/* RunEndEncoded: children run_ends (Int 16/32/64) and values; f takes the values'
 * type (Arrow columnar format, "Run-End Encoded Layout"). Values with a
 * dictionary of their own are left undecoded. */
static int run_end_decode(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                          const char *col, struct dh_field *f)
{
    struct dh_fb_vector kids;
    struct dh_fb_table rt, vt, rtt, vtt;
    uint8_t rtag, vtag;
    int rc = dh_fb_vector_field(ft, FIELD_CHILDREN, 4, &kids, c->err);
    if (!rc && kids.n != 2)
        rc = dh_error_set(c->err, DH_EINVAL,
                          "Arrow schema: column '%s': expected 2 RunEndEncoded children but "
                          "found %zu",
                          col, kids.n);
    if (!rc)
        rc = dh_fb_vector_table(&kids, 0, &rt, c->err);
    if (!rc)
        rc = dh_fb_vector_table(&kids, 1, &vt, c->err);
    if (!rc)
        rc = dh_fb_union(&rt, FIELD_TYPE, &rtag, &rtt, c->err);
    if (!rc)
        rc = dh_fb_union(&vt, FIELD_TYPE, &vtag, &vtt, c->err);
    if (rc)
        return rc;
    int bits = rtag == T_INT ? dh_fb_i32(&rtt, 0, 0) : 0;
    if (bits != 16 && bits != 32 && bits != 64)
        return bad_param(c, col, "RunEndEncoded run_ends bitWidth", bits);
    if (dh_fb_has(&vt, FIELD_DICTIONARY) || vtag == T_RUN_END) {
        set_unsupported(f, T_RUN_END);
        return DH_OK;
    }
    rc = type_decode(c, vtag, &vtt, &vt, depth + 1, col, f);
    f->run_end_width = f->type == DH_TYPE_UNSUPPORTED ? 0 : bits / 8;
    return rc;
}

/* Fill f's type from the Type union value. */
static int type_decode(struct schema_ctx *c, unsigned tag, const struct dh_fb_table *tt,
                       const struct dh_fb_table *ft, int depth, const char *col, struct dh_field *f)
{
    if (tag < T_COUNT)
        snprintf(f->type_name, sizeof f->type_name, "%s", type_names[tag]);
    switch (tag) {
    case T_NULL: f->type = DH_TYPE_NULL; return DH_OK;
    case T_BOOL: f->type = DH_TYPE_BOOL; return DH_OK;
    case T_UTF8: f->type = DH_TYPE_UTF8; return DH_OK;
    case T_BINARY: f->type = DH_TYPE_BINARY; return DH_OK;
    case T_LARGE_UTF8: f->type = DH_TYPE_LARGE_UTF8; return DH_OK;
    case T_LARGE_BINARY: f->type = DH_TYPE_LARGE_BINARY; return DH_OK;
    case T_INT:
        f->type = DH_TYPE_INT;
        f->bit_width = dh_fb_i32(tt, 0, 0);
        f->is_signed = dh_fb_bool(tt, 1, 0);
        if (f->bit_width != 8 && f->bit_width != 16 && f->bit_width != 32 && f->bit_width != 64)
            return bad_param(c, col, "Int bitWidth", f->bit_width);
        return DH_OK;
    case T_FLOAT: {
        int prec = dh_fb_i16(tt, 0, 0);
        if (prec < 0 || prec > 2)
            return bad_param(c, col, "FloatingPoint precision", prec);
        f->type = DH_TYPE_FLOAT;
        f->bit_width = 16 << prec;
        return DH_OK;
    }
    case T_DECIMAL:
        f->type = DH_TYPE_DECIMAL;
        f->precision = dh_fb_i32(tt, 0, 0);
        f->scale = dh_fb_i32(tt, 1, 0);
        f->bit_width = dh_fb_i32(tt, 2, 128);
        if (f->bit_width != 32 && f->bit_width != 64 && f->bit_width != 128 && f->bit_width != 256)
            return bad_param(c, col, "Decimal bitWidth", f->bit_width);
        return DH_OK;
    case T_DATE:
        f->type = DH_TYPE_DATE;
        f->unit = dh_fb_i16(tt, 0, DH_DATE_MILLI);
        if (f->unit != DH_DATE_DAY && f->unit != DH_DATE_MILLI)
            return bad_param(c, col, "Date unit", f->unit);
        return DH_OK;
    case T_TIME:
        f->type = DH_TYPE_TIME;
        f->unit = dh_fb_i16(tt, 0, DH_UNIT_MILLI);
        f->bit_width = dh_fb_i32(tt, 1, 32);
        if (!valid_unit(f->unit))
            return bad_param(c, col, "Time unit", f->unit);
        if (f->bit_width != 32 && f->bit_width != 64)
            return bad_param(c, col, "Time bitWidth", f->bit_width);
        return DH_OK;
    case T_TIMESTAMP: {
        f->type = DH_TYPE_TIMESTAMP;
        f->unit = dh_fb_i16(tt, 0, DH_UNIT_SECOND);
        if (!valid_unit(f->unit))
            return bad_param(c, col, "Timestamp unit", f->unit);
        const char *tz;
        size_t tzl;
        int rc = dh_fb_string(tt, 1, &tz, &tzl, c->err);
        if (rc)
            return rc;
        free(f->timezone);
        return dup_bytes(c, tz ? tz : "", tzl, &f->timezone);
    }
    case T_DURATION:
        f->type = DH_TYPE_DURATION;
        f->unit = dh_fb_i16(tt, 0, DH_UNIT_MILLI);
        if (!valid_unit(f->unit))
            return bad_param(c, col, "Duration unit", f->unit);
        return DH_OK;
    case T_FIXED_BINARY:
        f->type = DH_TYPE_FIXED_BINARY;
        f->fixed_size = dh_fb_i32(tt, 0, 0);
        if (f->fixed_size <= 0)
            return bad_param(c, col, "FixedSizeBinary byteWidth", f->fixed_size);
        return DH_OK;
    case T_INTERVAL:
        f->type = DH_TYPE_INTERVAL;
        f->unit = dh_fb_i16(tt, 0, DH_INTERVAL_YEAR_MONTH);
        if (f->unit < DH_INTERVAL_YEAR_MONTH || f->unit > DH_INTERVAL_MONTH_DAY_NANO)
            return bad_param(c, col, "Interval unit", f->unit);
        return DH_OK;
    case T_LIST: f->type = DH_TYPE_LIST; return list_child_decode(c, ft, depth, col, f);
    case T_FIXED_LIST: /* read as a List whose offsets step by listSize */
        f->type = DH_TYPE_LIST;
        f->list_size = dh_fb_i32(tt, 0, 0);
        if (f->list_size <= 0)
            return bad_param(c, col, "FixedSizeList listSize", f->list_size);
        return list_child_decode(c, ft, depth, col, f);
    case T_RUN_END: return run_end_decode(c, ft, depth, col, f);
    case T_STRUCT: f->type = DH_TYPE_STRUCT; return struct_children_decode(c, ft, depth, col, f);
    case T_MAP: return map_decode(c, tt, ft, depth, col, f);
    case T_NONE:
        return dh_error_set(c->err, DH_EINVAL, "Arrow schema: column '%s' has no type", col);
    default: set_unsupported(f, tag); return DH_OK;
    }
}

/* Nested types: their Field children are columns of the record batch too. */
static int has_child_columns(unsigned tag)
{
    switch (tag) {
    case T_LIST:
    case T_LARGE_LIST:
    case T_MAP:
    case T_FIXED_LIST:
    case T_STRUCT:
    case T_UNION:
    case T_RUN_END:
    case T_LIST_VIEW:
    case T_LARGE_LIST_VIEW: return 1;
    default: return 0;
    }
}

/* Buffers a field of type `tag` has of its own in a record batch (Arrow columnar
 * format, "Buffer Layout", MetadataVersion V5: unions have no validity bitmap;
 * a view type adds variadic data buffers counted by the batch), or -1 when
 * dhtui does not know the layout. */
static int own_buffers(unsigned tag, const struct dh_fb_table *tt)
{
    switch (tag) {
    case T_NULL:
    case T_RUN_END: return 0;
    case T_FIXED_LIST:
    case T_STRUCT: return 1;
    case T_UNION: /* type ids, plus offsets when Dense (Union.mode 1) */
        return dh_fb_i16(tt, 0, 0) == 1 ? 2 : 1;
    case T_INT:
    case T_FLOAT:
    case T_BOOL:
    case T_DECIMAL:
    case T_DATE:
    case T_TIME:
    case T_TIMESTAMP:
    case T_INTERVAL:
    case T_DURATION:
    case T_FIXED_BINARY:
    case T_LIST:
    case T_LARGE_LIST:
    case T_MAP:
    case T_BINARY_VIEW:
    case T_UTF8_VIEW: return 2;
    case T_BINARY:
    case T_UTF8:
    case T_LARGE_BINARY:
    case T_LARGE_UTF8:
    case T_LIST_VIEW:
    case T_LARGE_LIST_VIEW: return 3;
    default: return -1;
    }
}

/* Add what Field table ft (children included) takes in a record batch to f's
 * skip counts. 0, or -1 when the layout is unknown or the table malformed. */
static int layout_count(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                        struct dh_field *f)
{
    if (depth > DH_ARROW_MAX_NESTING || c->fields_left == 0)
        return -1;
    c->fields_left--; /* charged again: DAG-shaped children cannot expand without bound */
    f->skip_nodes++;
    if (dh_fb_has(ft, FIELD_DICTIONARY)) { /* the batch holds the indices only */
        f->skip_buffers += 2;
        return 0;
    }
    uint8_t tag;
    struct dh_fb_table tt;
    if (dh_fb_union(ft, FIELD_TYPE, &tag, &tt, NULL) != DH_OK)
        return -1;
    int own = own_buffers(tag, &tt);
    if (own < 0)
        return -1;
    f->skip_buffers += (size_t)own;
    f->skip_variadic += tag == T_BINARY_VIEW || tag == T_UTF8_VIEW;
    if (!has_child_columns(tag))
        return 0;
    struct dh_fb_vector kids;
    if (dh_fb_vector_field(ft, FIELD_CHILDREN, 4, &kids, NULL) != DH_OK)
        return -1;
    for (size_t i = 0; i < kids.n; i++) {
        struct dh_fb_table kt;
        if (dh_fb_vector_table(&kids, i, &kt, NULL) != DH_OK ||
            layout_count(c, &kt, depth + 1, f) != 0)
            return -1;
    }
    return 0;
}

/* Record what top-level field f, which dhtui cannot decode, takes in a batch. */
static void skip_layout(struct schema_ctx *c, const struct dh_fb_table *ft, struct dh_field *f)
{
    f->skip_nodes = f->skip_buffers = f->skip_variadic = 0;
    uint8_t tag = 0;
    struct dh_fb_table tt;
    if (dh_fb_union(ft, FIELD_TYPE, &tag, &tt, NULL) != DH_OK)
        tag = T_NONE;
    /* unions, run-end encoded and Null have no validity bitmap; indices do */
    f->skip_validity =
        dh_fb_has(ft, FIELD_DICTIONARY) || (tag != T_UNION && tag != T_RUN_END && tag != T_NULL);
    f->skip_known = layout_count(c, ft, 0, f) == 0;
}

/* What a field dhtui cannot decode is, for its type_name ("List<Union>"). */
static void undecodable_label(const struct dh_field *f, char *buf, size_t n, int depth)
{
    if (f->run_end_width) { /* type_name: the values' type */
        if (snprintf(buf, n, "RunEndEncoded<%s>", f->type_name) < 0)
            buf[0] = '\0';
        return;
    }
    if (f->dictionary_encoded || (f->type == DH_TYPE_LIST && f->child && depth < 4)) {
        char inner[32];
        if (f->dictionary_encoded) /* type_name: the dictionary's value type */
            memcpy(inner, f->type_name, sizeof inner);
        else
            undecodable_label(f->child, inner, sizeof inner, depth + 1);
        if (snprintf(buf, n, "%s<%s>", f->dictionary_encoded ? "Dictionary" : "List", inner) < 0)
            buf[0] = '\0';
        return;
    }
    if (snprintf(buf, n, "%s", f->type_name) < 0)
        buf[0] = '\0';
}

/* Make top-level field f a column dh_batch_decode skips. */
static void demote(struct dh_field *f)
{
    char label[sizeof f->type_name];
    undecodable_label(f, label, sizeof label, 0);
    memcpy(f->type_name, label, sizeof label);
    f->type = DH_TYPE_UNSUPPORTED;
}

/* Read Field.dictionary (DictionaryEncoding: id, indexType; an absent
 * indexType is a signed 32-bit index, per Schema.fbs). */
static int dictionary_decode(struct schema_ctx *c, const struct dh_fb_table *ft, const char *col,
                             struct dh_field *f)
{
    struct dh_fb_table de, it;
    int rc = dh_fb_table_field(ft, FIELD_DICTIONARY, &de, c->err);
    if (rc || !de.present)
        return rc;
    f->dictionary_encoded = 1;
    f->dict_id = dh_fb_i64(&de, DE_ID, 0);
    rc = dh_fb_table_field(&de, DE_INDEX_TYPE, &it, c->err);
    if (rc)
        return rc;
    int bits = it.present ? dh_fb_i32(&it, 0, 0) : 32;
    f->dict_index_signed = it.present ? dh_fb_bool(&it, 1, 0) : 1;
    if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
        return bad_param(c, col, "dictionary indexType bitWidth", bits);
    f->dict_index_width = bits / 8;
    return DH_OK;
}

/* Decode one Field table (recursively for List children) into f. */
static int field_decode(struct schema_ctx *c, const struct dh_fb_table *ft, int depth,
                        const char *col, struct dh_field *f)
{
    if (depth > DH_ARROW_MAX_NESTING)
        return dh_error_set(c->err, DH_EINVAL, "Arrow schema: column '%s' nests more than %d deep",
                            col, DH_ARROW_MAX_NESTING);
    if (c->fields_left == 0)
        return dh_error_set(c->err, DH_EINVAL, "Arrow schema has too many fields");
    c->fields_left--;
    const char *name;
    size_t nl;
    int rc = dh_fb_string(ft, FIELD_NAME, &name, &nl, c->err);
    if (!rc)
        rc = dup_bytes(c, name ? name : "", nl, &f->name);
    if (!rc)
        rc = dup_bytes(c, "", 0, &f->timezone);
    if (!rc)
        rc = kv_decode(c, ft, FIELD_METADATA, &f->metadata, &f->n_metadata);
    if (rc)
        return rc;
    if (!col)
        col = f->name;
    f->nullable = dh_fb_bool(ft, FIELD_NULLABLE, 0);
    f->dh_type = dh_field_metadata(f, "deephaven:type");
    f->dh_component_type = dh_field_metadata(f, "deephaven:componentType");
    static const char *const hide_keys[] = {"deephaven:isStyle", "deephaven:isRowStyle",
                                            "deephaven:isNumberFormat", "deephaven:isDateFormat"};
    for (size_t i = 0; i < sizeof hide_keys / sizeof *hide_keys; i++) {
        const char *v = dh_field_metadata(f, hide_keys[i]);
        if (v && strcmp(v, "true") == 0)
            f->hidden = 1;
    }
    rc = dictionary_decode(c, ft, col, f);
    if (rc)
        return rc;
    uint8_t tag;
    struct dh_fb_table tt;
    rc = dh_fb_union(ft, FIELD_TYPE, &tag, &tt, c->err);
    if (!rc)
        rc = type_decode(c, tag, &tt, ft, depth, col, f);
    if (rc || depth > 0 || field_check(f, col, NULL) == DH_OK)
        return rc;
    demote(f);
    skip_layout(c, ft, f);
    return DH_OK;
}

/* Decode a Schema table into *schema. */
static int schema_table_decode(const struct dh_fb_table *st, size_t len, struct dh_schema *schema,
                               struct dh_error *err)
{
    struct schema_ctx c = {.fields_left =
                               len / 4 < DH_ARROW_MAX_FIELDS ? len / 4 : DH_ARROW_MAX_FIELDS,
                           .bytes_left = 2 * len + 4096,
                           .err = err};
    schema->big_endian = dh_fb_i16(st, SCHEMA_ENDIANNESS, 0) != 0;
    int rc = kv_decode(&c, st, SCHEMA_METADATA, &schema->metadata, &schema->n_metadata);
    if (rc)
        return rc;
    struct dh_fb_vector v;
    rc = dh_fb_vector_field(st, SCHEMA_FIELDS, 4, &v, err);
    if (rc || v.n == 0)
        return rc;
    if (v.n > c.fields_left)
        return dh_error_set(err, DH_EINVAL, "Arrow schema has too many fields (%zu)", v.n);
    schema->fields = calloc(v.n, sizeof *schema->fields);
    if (!schema->fields)
        return dh_error_set(err, DH_ENOMEM, "out of memory decoding an Arrow schema");
    schema->n_fields = v.n;
    for (size_t i = 0; i < v.n; i++) {
        struct dh_fb_table ft;
        rc = dh_fb_vector_table(&v, i, &ft, err);
        if (!rc)
            rc = field_decode(&c, &ft, 0, NULL, &schema->fields[i]);
        if (rc)
            return rc;
    }
    return DH_OK;
}

int dh_schema_decode(const uint8_t *buf, size_t len, struct dh_schema *schema, struct dh_error *err)
{
    dh_schema_reset(schema);
    struct dh_ipc_message msg;
    int rc = dh_ipc_message_decode(buf, len, &msg, err);
    if (rc)
        return rc;
    if (msg.kind != DH_IPC_SCHEMA || !msg.header.present)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow Schema message but found header type %d",
                            (int)msg.kind);
    rc = schema_table_decode(&msg.header, len, schema, err);
    if (rc)
        dh_schema_reset(schema);
    return rc;
}

int dh_schema_decode_encapsulated(const uint8_t *buf, size_t len, struct dh_schema *schema,
                                  struct dh_error *err)
{
    dh_schema_reset(schema);
    size_t meta_len, skip;
    int rc = buf ? ipc_prefix(buf, len, 0, &meta_len, &skip, err) : DH_NEED_MORE;
    if (rc == DH_NEED_MORE)
        return dh_error_set(err, DH_EINVAL,
                            "expected an encapsulated Arrow schema but found only %zu bytes",
                            buf ? len : 0);
    if (rc)
        return rc;
    if (meta_len > len - skip)
        return dh_error_set(err, DH_EINVAL,
                            "encapsulated Arrow schema claims %zu bytes but only %zu follow",
                            meta_len, len - skip);
    return dh_schema_decode(buf + skip, meta_len, schema, err);
}

/* The first reason field f (or its element type) cannot be read, or DH_OK.
 * Dictionary encoding is read at the top level, of values without children. */
static int field_check_at(const struct dh_field *f, const char *col, int depth,
                          struct dh_error *err)
{
    if (f->dictionary_encoded && (depth > 0 || !dh_gather_supported(f)))
        return dh_error_set(err, DH_ENOTSUP, "column '%s': dictionary-encoded %s are not supported",
                            col, depth > 0 ? "elements" : "values of this type");
    if (f->type == DH_TYPE_UNSUPPORTED)
        return dh_error_set(err, DH_ENOTSUP, "column '%s': type %s is not supported", col,
                            f->type_name);
    if (f->run_end_width && (depth > 0 || !dh_gather_supported(f)))
        return dh_error_set(err, DH_ENOTSUP, "column '%s': run-end encoded %s are not supported",
                            col, depth > 0 ? "elements" : "values of this type");
    for (size_t i = 0; i < f->n_children; i++) {
        int rc = field_check_at(&f->children[i], col, depth + 1, err);
        if (rc)
            return rc;
    }
    if (f->child)
        return field_check_at(f->child, col, depth + 1, err);
    return DH_OK;
}

static int field_check(const struct dh_field *f, const char *col, struct dh_error *err)
{
    return field_check_at(f, col, 0, err);
}

int dh_schema_check_supported(const struct dh_schema *schema, struct dh_error *err)
{
    if (schema->big_endian)
        return dh_error_set(err, DH_ENOTSUP, "big-endian Arrow data is not supported");
    for (size_t i = 0; i < schema->n_fields; i++) {
        int rc = field_check(&schema->fields[i], schema->fields[i].name, err);
        if (rc)
            return rc;
    }
    return DH_OK;
}

int dh_field_decodable(const struct dh_field *f)
{
    return f && f->type != DH_TYPE_UNSUPPORTED;
}

int dh_schema_check_readable(const struct dh_schema *schema, struct dh_error *err)
{
    if (schema->big_endian)
        return dh_error_set(err, DH_ENOTSUP, "big-endian Arrow data is not supported");
    for (size_t i = 0; i < schema->n_fields; i++) {
        const struct dh_field *f = &schema->fields[i];
        if (!dh_field_decodable(f) && !f->skip_known)
            return field_check(f, f->name, err);
    }
    return DH_OK;
}

/* ---- RecordBatch ---- */

struct batch_ctx {
    const struct dh_schema *schema;
    struct dh_batch *batch; /* takes the blocks of expanded columns */
    const uint8_t *body;
    size_t blen;
    struct dh_fb_vector nodes, buffers, variadic;
    size_t ni, bi, vi;
    struct dh_column_view *views;
    size_t nv, vcap;
    size_t expand_left; /* DH_ARROW_MAX_EXPAND_BYTES, less what expansions took */
    struct dh_error *err;
};

/* Charge bytes an expansion allocates to the batch's budget. */
static int charge(struct batch_ctx *b, const char *col, uint64_t bytes)
{
    if (bytes > b->expand_left)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s' expands beyond %zu MiB", col,
                            DH_ARROW_MAX_EXPAND_BYTES >> 20);
    b->expand_left -= (size_t)bytes;
    return DH_OK;
}

/* Bytes per value of a fixed-width type; 0 for the rest. */
static int value_width(const struct dh_field *f)
{
    return dh_value_width(f);
}

/* Count the views (fields, children included) a decodable field needs. */
static size_t count_views_at(const struct dh_field *f)
{
    size_t n = 1;
    for (size_t i = 0; i < f->n_children; i++)
        n += count_views_at(&f->children[i]);
    return f->child ? n + count_views_at(f->child) : n;
}

static size_t count_views(const struct dh_field *f)
{
    return dh_field_decodable(f) ? count_views_at(f) : 1;
}

static int take_node(struct batch_ctx *b, const char *col, int64_t *length, int64_t *nulls)
{
    const uint8_t *p = dh_fb_vector_at(&b->nodes, b->ni);
    if (!p)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': expected field node %zu but the "
                            "batch has %zu",
                            col, b->ni + 1, b->nodes.n);
    b->ni++;
    *length = dh_fb_load_i64(p);
    *nulls = dh_fb_load_i64(p + 8);
    if (*length < 0 || *length > DH_ARROW_MAX_ROWS || *nulls < 0 || *nulls > *length)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': field node length %lld with "
                            "null_count %lld is invalid",
                            col, (long long)*length, (long long)*nulls);
    return DH_OK;
}

/* The next buffer: *p into the body (NULL when empty) and its length. */
static int take_buffer(struct batch_ctx *b, const char *col, const uint8_t **p, size_t *len)
{
    const uint8_t *e = dh_fb_vector_at(&b->buffers, b->bi);
    if (!e)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': expected buffer %zu but the batch "
                            "has %zu",
                            col, b->bi + 1, b->buffers.n);
    b->bi++;
    int64_t off = dh_fb_load_i64(e), blen = dh_fb_load_i64(e + 8);
    if (off < 0 || blen < 0 || (uint64_t)off > b->blen || (uint64_t)blen > b->blen - (uint64_t)off)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': buffer %zu [%lld, +%lld) lies "
                            "outside the %zu-byte body",
                            col, b->bi - 1, (long long)off, (long long)blen, b->blen);
    *p = blen ? b->body + off : NULL;
    *len = (size_t)blen;
    return DH_OK;
}

/* A buffer of at least `need` bytes. */
static int take_sized(struct batch_ctx *b, const char *col, const char *what, uint64_t need,
                      const uint8_t **p, size_t *len)
{
    int rc = take_buffer(b, col, p, len);
    if (rc)
        return rc;
    if (*len < need)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': expected a %s buffer of %llu bytes "
                            "but found %zu",
                            col, what, (unsigned long long)need, *len);
    return DH_OK;
}

/* Offset i of width 4 or 8 (caller checked it lies inside the buffer). */
static inline int64_t load_offset(const uint8_t *offs, int64_t i, int width)
{
    const uint8_t *p = offs + (size_t)i * (size_t)width;
    return width == 4 ? dh_fb_load_i32(p) : dh_fb_load_i64(p);
}

/* Whether offsets[0..n] never descend. No early exit, and blocks of 8 pairs
 * of one width, so that compilers vectorize it at -O2: this pass is most of
 * the cost of decoding a batch with string columns. */
static int offsets_ascend(const uint8_t *offs, int64_t n, int width)
{
    unsigned bad = 0;
    int64_t i = 0;
    if (width == 4) {
        for (; i + 8 <= n; i += 8) {
            const uint8_t *p = offs + 4 * (size_t)i;
            for (size_t j = 0; j < 8; j++)
                bad |= dh_fb_load_i32(p + 4 * j + 4) < dh_fb_load_i32(p + 4 * j);
        }
    }
    for (; i < n; i++)
        bad |= load_offset(offs, i + 1, width) < load_offset(offs, i, width);
    return !bad;
}

/* Check offsets[0..n] (width 4 or 8) are monotonic and within [0, limit]. When
 * they never descend, the first and last bound all of them; otherwise one more
 * pass finds the row to name. */
static int check_offsets(struct batch_ctx *b, const char *col, const uint8_t *offs, int64_t n,
                         int width, uint64_t limit)
{
    int64_t first = load_offset(offs, 0, width), last = load_offset(offs, n, width);
    if (first >= 0 && (uint64_t)last <= limit && offsets_ascend(offs, n, width))
        return DH_OK;
    int64_t prev = 0;
    for (int64_t i = 0; i <= n; i++) {
        int64_t o = load_offset(offs, i, width);
        if (o < 0 || (uint64_t)o > limit || (i > 0 && o < prev))
            return dh_error_set(b->err, DH_EINVAL,
                                "Arrow record batch: column '%s': offset %lld at row %lld is "
                                "out of order or beyond the %llu-byte data",
                                col, (long long)o, (long long)i, (unsigned long long)limit);
        prev = o;
    }
    return DH_OK;
}

static int column_decode(struct batch_ctx *b, const struct dh_field *f, const char *col,
                         struct dh_column_view *v);

/* Offsets and data (variable-width types and lists): n+1 offsets, or none when n = 0. */
static int offsets_decode(struct batch_ctx *b, const char *col, struct dh_column_view *v, int width)
{
    size_t olen;
    const uint8_t *offs;
    uint64_t need = v->length ? ((uint64_t)v->length + 1) * (uint64_t)width : 0;
    int rc = take_sized(b, col, "offsets", need, &offs, &olen);
    if (rc)
        return rc;
    v->offsets = v->length ? offs : NULL;
    return DH_OK;
}

/* Step over a column dhtui cannot decode: exactly its nodes and buffers (each
 * still checked inside the body), so that the columns after it decode right.
 * The view keeps its length, null count and, when its layout has one and it
 * is long enough, its validity bitmap. */
static int column_skip(struct batch_ctx *b, const struct dh_field *f, const char *col,
                       struct dh_column_view *v)
{
    int rc = take_node(b, col, &v->length, &v->null_count);
    for (size_t i = 1; !rc && i < f->skip_nodes; i++) {
        int64_t len, nulls;
        rc = take_node(b, col, &len, &nulls);
    }
    size_t n_buffers = f->skip_buffers;
    for (size_t i = 0; !rc && i < f->skip_variadic; i++) {
        const uint8_t *p = dh_fb_vector_at(&b->variadic, b->vi);
        int64_t k = p ? dh_fb_load_i64(p) : -1;
        if (k < 0 || (uint64_t)k > b->buffers.n)
            return dh_error_set(b->err, DH_EINVAL,
                                "Arrow record batch: column '%s': variadic buffer count %zu "
                                "is missing or invalid",
                                col, b->vi + 1);
        b->vi++;
        n_buffers += (size_t)k;
    }
    uint64_t bitmap = ((uint64_t)v->length + 7) / 8;
    for (size_t i = 0; !rc && i < n_buffers; i++) {
        const uint8_t *p;
        size_t len;
        rc = take_buffer(b, col, &p, &len);
        if (!rc && i == 0 && f->skip_validity && v->null_count && len >= bitmap)
            v->validity = p;
    }
    return rc;
}

/* ---- dictionaries ---- */

/* One dictionary: its values as one column (the field is the schema's). */
struct dh_dict {
    int64_t id;
    struct dh_column_view values;
    void *mem;
    size_t bytes;
};

struct dh_dicts {
    size_t n, cap;
    struct dh_dict *d;
    size_t bytes; /* all of them, against DH_ARROW_MAX_DICT_BYTES */
};

static void dicts_free(struct dh_dicts *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->d[i].mem);
    free(d->d);
    free(d);
}

static struct dh_dict *dict_find(const struct dh_dicts *d, int64_t id)
{
    for (size_t i = 0; d && i < d->n; i++)
        if (d->d[i].id == id)
            return &d->d[i];
    return NULL;
}

/* Keep an expanded column's block with the batch (freed by dh_batch_reset). */
static int keep_block(struct batch_ctx *b, void *mem)
{
    void **grown = realloc(b->batch->extra, (b->batch->n_extra + 1) * sizeof *grown);
    if (!grown) {
        free(mem);
        return dh_error_set(b->err, DH_ENOMEM, "out of memory expanding a dictionary column");
    }
    b->batch->extra = grown;
    grown[b->batch->n_extra++] = mem;
    return DH_OK;
}

/* A dictionary-encoded column: validity and indices, expanded into the values
 * they stand for (Arrow columnar format, "Dictionary-encoded Layout"). */
static int dictionary_column(struct batch_ctx *b, const struct dh_field *f, const char *col,
                             struct dh_column_view *v)
{
    int rc = take_node(b, col, &v->length, &v->null_count);
    const uint8_t *vb = NULL, *ib = NULL;
    size_t vlen, ilen;
    uint64_t n = (uint64_t)v->length;
    if (!rc)
        rc = take_sized(b, col, "validity", v->null_count ? (n + 7) / 8 : 0, &vb, &vlen);
    if (!rc)
        rc = take_sized(b, col, "indices", n * (uint64_t)f->dict_index_width, &ib, &ilen);
    if (rc)
        return rc;
    const struct dh_dict *d = dict_find(b->schema->dicts, f->dict_id);
    if (d && (d->values.field->type != f->type || d->values.value_width != dh_value_width(f)))
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': dictionary %lld holds values of "
                            "another type",
                            col, (long long)f->dict_id); /* columns sharing an id disagree */
    if (!d && n > (uint64_t)v->null_count)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': dictionary %lld was never sent", col,
                            (long long)f->dict_id);
    rc = charge(b, col, n * sizeof(struct dh_pick));
    struct dh_pick *picks = rc ? NULL : malloc((n ? n : 1) * sizeof *picks);
    if (!picks)
        return rc ? rc
                  : dh_error_set(b->err, DH_ENOMEM, "out of memory expanding a dictionary column");
    int w = f->dict_index_width;
    for (uint64_t i = 0; i < n; i++) {
        picks[i] = (struct dh_pick){NULL, 0};
        if (v->null_count && !((vb[i >> 3] >> (i & 7)) & 1))
            continue;
        uint8_t tmp[8] = {0};
        memcpy(tmp, ib + i * (uint64_t)w, (size_t)w);
        uint64_t u = dh_fb_load_u64(tmp);
        int neg = f->dict_index_signed && ((u >> (8 * w - 1)) & 1);
        if (neg || !d || u >= (uint64_t)d->values.length) {
            free(picks);
            return dh_error_set(b->err, DH_EINVAL,
                                "Arrow record batch: column '%s': row %llu has index %s%llu "
                                "outside its dictionary of %lld values",
                                col, (unsigned long long)i, neg ? "-" : "",
                                (unsigned long long)(neg ? (~u + 1) & (~0ULL >> (64 - 8 * w)) : u),
                                (long long)(d ? d->values.length : 0));
        }
        picks[i] = (struct dh_pick){&d->values, (int64_t)u};
    }
    b->expand_left += n * sizeof(struct dh_pick); /* freed below */
    void *mem;
    size_t bytes;
    rc = dh_gather(f, picks, v->length, b->expand_left, v, &mem, &bytes, b->err);
    free(picks);
    if (rc == DH_OK)
        b->expand_left -= bytes;
    if (rc == DH_OK && mem)
        rc = keep_block(b, mem);
    return rc;
}

/* A FixedSizeList has no offsets buffer: make them (row i starts at i *
 * listSize), kept with the batch, so that it reads as a List. */
static int fixed_offsets(struct batch_ctx *b, const struct dh_field *f, const char *col,
                         struct dh_column_view *v)
{
    uint64_t n = (uint64_t)v->length, size = (uint64_t)f->list_size;
    if (n * size > INT32_MAX)
        return dh_error_set(b->err, DH_EINVAL,
                            "Arrow record batch: column '%s': %llu lists of %d elements are too "
                            "many",
                            col, (unsigned long long)n, f->list_size);
    if (n == 0)
        return DH_OK;
    int rc = charge(b, col, (n + 1) * 4);
    if (rc)
        return rc;
    uint8_t *offs = malloc((size_t)(n + 1) * 4);
    if (!offs)
        return dh_error_set(b->err, DH_ENOMEM, "out of memory reading a FixedSizeList");
    for (uint64_t i = 0; i <= n; i++) {
        int32_t o = (int32_t)(i * size);
        memcpy(offs + 4 * i, &o, 4);
    }
    v->offsets = offs;
    return keep_block(b, offs);
}

/* A run-end encoded column (no buffers of its own; children run_ends and
 * values), expanded into the values of its logical rows. Run ends must rise
 * strictly and cover the length. */
static int run_end_column(struct batch_ctx *b, const struct dh_field *f, const char *col,
                          struct dh_column_view *v)
{
    int64_t nulls;
    int rc = take_node(b, col, &v->length, &nulls);
    struct dh_field ends_f = {
        .name = f->name, .type = DH_TYPE_INT, .bit_width = 8 * f->run_end_width, .is_signed = 1};
    struct dh_field plain = *f;
    plain.run_end_width = 0;
    struct dh_column_view ends, vals;
    if (!rc)
        rc = column_decode(b, &ends_f, col, &ends);
    if (!rc)
        rc = column_decode(b, &plain, col, &vals);
    if (rc)
        return rc;
    int64_t n = v->length;
    rc = charge(b, col, (uint64_t)n * sizeof(struct dh_pick));
    struct dh_pick *picks = rc ? NULL : malloc((size_t)(n ? n : 1) * sizeof *picks);
    if (!picks)
        return rc ? rc
                  : dh_error_set(b->err, DH_ENOMEM, "out of memory expanding a run-end column");
    int64_t run = 0, prev = 0;
    for (int64_t i = 0; i < n && !rc; i++) {
        while (run < ends.length && !rc) {
            int64_t end = dh_column_is_null(&ends, run) ? -1 : dh_column_get_i64(&ends, run);
            if (end <= prev)
                rc = dh_error_set(b->err, DH_EINVAL,
                                  "Arrow record batch: column '%s': run end %lld after %lld "
                                  "does not rise",
                                  col, (long long)end, (long long)prev);
            else if (end > i)
                break;
            else
                prev = end, run++;
        }
        if (!rc && (run >= ends.length || run >= vals.length))
            rc = dh_error_set(b->err, DH_EINVAL,
                              "Arrow record batch: column '%s': row %lld lies past the last run",
                              col, (long long)i);
        if (!rc)
            picks[i] = (struct dh_pick){&vals, run};
    }
    b->expand_left += (size_t)n * sizeof(struct dh_pick); /* freed below */
    void *mem = NULL;
    size_t bytes;
    if (!rc)
        rc = dh_gather(f, picks, n, b->expand_left, v, &mem, &bytes, b->err);
    free(picks);
    if (!rc)
        b->expand_left -= bytes;
    if (!rc && mem)
        rc = keep_block(b, mem);
    return rc;
}

/* n views of the batch's array for a column's children. */
static int take_views(struct batch_ctx *b, size_t n, struct dh_column_view **out)
{
    if (n > b->vcap - b->nv)
        return dh_error_set(b->err, DH_EINVAL, "Arrow record batch: too many columns");
    *out = &b->views[b->nv];
    b->nv += n;
    return DH_OK;
}

/* A Struct's children, each at least `len` rows long (their rows past it unused). */
static int struct_children(struct batch_ctx *b, const struct dh_field *f, const char *col,
                           int64_t len, struct dh_column_view *v)
{
    int rc = f->n_children ? take_views(b, f->n_children, &v->children) : DH_OK;
    for (size_t i = 0; !rc && i < f->n_children; i++) {
        rc = column_decode(b, &f->children[i], col, &v->children[i]);
        if (!rc && len >= 0 && v->children[i].length < len)
            rc = dh_error_set(b->err, DH_EINVAL,
                              "Arrow record batch: column '%s': Struct field '%s' has %lld rows "
                              "but the Struct %lld",
                              col, f->children[i].name, (long long)v->children[i].length,
                              (long long)len);
    }
    return rc;
}

/* A Map's entries: a Struct node, a validity buffer, then the key and value
 * columns. Upstream's MapChunkWriter.java gives that node the map's row count
 * plus one and the map's null count, with an empty validity buffer; the Arrow
 * form gives it the number of entries, none null. Both read the same: the
 * node and the bitmap are taken (the buffer still checked inside the body)
 * and ignored, and the entries are as many as the shorter child has rows. */
static int map_entries(struct batch_ctx *b, const struct dh_field *f, const char *col,
                       struct dh_column_view *v)
{
    memset(v, 0, sizeof *v);
    v->field = f;
    int64_t len, nulls;
    const uint8_t *vb;
    size_t vlen;
    int rc = take_node(b, col, &len, &nulls);
    if (!rc)
        rc = take_buffer(b, col, &vb, &vlen);
    if (!rc)
        rc = struct_children(b, f, col, -1, v);
    if (rc)
        return rc;
    v->length = v->children[0].length < v->children[1].length ? v->children[0].length
                                                              : v->children[1].length;
    return DH_OK;
}

static int column_decode(struct batch_ctx *b, const struct dh_field *f, const char *col,
                         struct dh_column_view *v)
{
    memset(v, 0, sizeof *v);
    v->field = f;
    if (!dh_field_decodable(f))
        return column_skip(b, f, col, v);
    if (f->dictionary_encoded)
        return dictionary_column(b, f, col, v);
    if (f->run_end_width)
        return run_end_column(b, f, col, v);
    int rc = take_node(b, col, &v->length, &v->null_count);
    if (rc)
        return rc;
    uint64_t n = (uint64_t)v->length;
    if (f->type == DH_TYPE_NULL) { /* no buffers at all */
        v->null_count = v->length;
        return DH_OK;
    }
    const uint8_t *vb;
    size_t vlen;
    rc = take_sized(b, col, "validity", v->null_count ? (n + 7) / 8 : 0, &vb, &vlen);
    if (rc)
        return rc;
    v->validity = v->null_count ? vb : NULL;
    v->value_width = value_width(f);
    switch (f->type) {
    case DH_TYPE_BOOL: return take_sized(b, col, "values", (n + 7) / 8, &v->values, &v->values_len);
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_LARGE_BINARY: {
        int w = (f->type == DH_TYPE_UTF8 || f->type == DH_TYPE_BINARY) ? 4 : 8;
        rc = offsets_decode(b, col, v, w);
        if (!rc)
            rc = take_buffer(b, col, &v->values, &v->values_len);
        if (!rc && v->offsets)
            rc = check_offsets(b, col, v->offsets, v->length, w, v->values_len);
        return rc;
    }
    case DH_TYPE_LIST:
    case DH_TYPE_MAP: {
        rc = f->list_size ? fixed_offsets(b, f, col, v) : offsets_decode(b, col, v, 4);
        if (!rc)
            rc = take_views(b, 1, &v->child);
        if (rc)
            return rc;
        if (f->type == DH_TYPE_MAP)
            rc = map_entries(b, f->child, col, v->child);
        else
            rc = column_decode(b, f->child, col, v->child);
        if (!rc && v->offsets)
            rc = check_offsets(b, col, v->offsets, v->length, 4, (uint64_t)v->child->length);
        return rc;
    }
    case DH_TYPE_STRUCT: return struct_children(b, f, col, v->length, v);
    default:
        if (v->value_width <= 0)
            return dh_error_set(b->err, DH_ENOTSUP, "column '%s': type %s is not supported", col,
                                f->type_name);
        return take_sized(b, col, "values", n * (uint64_t)v->value_width, &v->values,
                          &v->values_len);
    }
}

void dh_batch_init(struct dh_batch *batch)
{
    memset(batch, 0, sizeof *batch);
}

void dh_batch_reset(struct dh_batch *batch)
{
    if (!batch)
        return;
    free(batch->columns);
    if (batch->owns_body)
        free(batch->body);
    for (size_t i = 0; i < batch->n_extra; i++)
        free(batch->extra[i]);
    free(batch->extra);
    dh_batch_init(batch);
}

/* Decode the RecordBatch in header against a body already placed in batch. */
static int batch_decode_views(const struct dh_schema *schema, const struct dh_fb_table *rb,
                              struct dh_batch *batch, struct dh_error *err)
{
    struct batch_ctx b = {.schema = schema,
                          .batch = batch,
                          .body = batch->body,
                          .blen = batch->body_len,
                          .expand_left = DH_ARROW_MAX_EXPAND_BYTES,
                          .err = err};
    if (dh_fb_has(rb, RB_COMPRESSION))
        return dh_error_set(err, DH_ENOTSUP, "compressed Arrow record batches are not supported");
    batch->length = dh_fb_i64(rb, RB_LENGTH, 0);
    if (batch->length < 0 || batch->length > DH_ARROW_MAX_ROWS)
        return dh_error_set(err, DH_EINVAL, "Arrow record batch length %lld is invalid",
                            (long long)batch->length);
    int rc = dh_fb_vector_field(rb, RB_NODES, 16, &b.nodes, err);
    if (!rc)
        rc = dh_fb_vector_field(rb, RB_BUFFERS, 16, &b.buffers, err);
    if (!rc)
        rc = dh_fb_vector_field(rb, RB_VARIADIC, 8, &b.variadic, err);
    if (rc)
        return rc;
    size_t total = 0;
    for (size_t i = 0; i < schema->n_fields; i++)
        total += count_views(&schema->fields[i]);
    if (total > b.nodes.n)
        return dh_error_set(err, DH_EINVAL,
                            "Arrow record batch: expected %zu field nodes but found %zu", total,
                            b.nodes.n);
    if (total) {
        b.views = calloc(total, sizeof *b.views);
        if (!b.views)
            return dh_error_set(err, DH_ENOMEM, "out of memory decoding an Arrow record batch");
    }
    b.vcap = total;
    b.nv = schema->n_fields;
    batch->columns = b.views;
    batch->n_columns = schema->n_fields;
    for (size_t i = 0; i < schema->n_fields; i++) {
        rc = column_decode(&b, &schema->fields[i], schema->fields[i].name, &b.views[i]);
        if (rc)
            return rc;
    }
    if (b.ni != b.nodes.n || b.bi != b.buffers.n)
        return dh_error_set(err, DH_EINVAL,
                            "Arrow record batch: expected %zu field nodes and %zu buffers but "
                            "found %zu and %zu",
                            b.ni, b.bi, b.nodes.n, b.buffers.n);
    return DH_OK;
}

static int batch_decode(const struct dh_schema *schema, const uint8_t *header, size_t hlen,
                        const uint8_t *body, size_t blen, int copy, struct dh_batch *batch,
                        struct dh_error *err)
{
    dh_batch_reset(batch);
    struct dh_ipc_message msg;
    int rc = dh_ipc_message_decode(header, hlen, &msg, err);
    if (rc)
        return rc;
    if (msg.kind == DH_IPC_DICTIONARY_BATCH)
        return dh_error_set(err, DH_ENOTSUP,
                            "Arrow DictionaryBatch messages (dictionary-encoded columns) are "
                            "not supported");
    if (msg.kind != DH_IPC_RECORD_BATCH || !msg.header.present)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow RecordBatch message but found header type %d",
                            (int)msg.kind);
    if ((uint64_t)msg.body_length > blen || (blen && !body))
        return dh_error_set(err, DH_EINVAL,
                            "Arrow record batch body has %zu bytes but the header says %lld",
                            body ? blen : 0, (long long)msg.body_length);
    rc = dh_schema_check_readable(schema, err);
    if (rc)
        return rc;
    size_t used = (size_t)msg.body_length;
    if (copy && used) {
        batch->body = malloc(used);
        if (!batch->body)
            return dh_error_set(err, DH_ENOMEM, "out of memory copying an Arrow record batch");
        memcpy(batch->body, body, used);
        batch->owns_body = 1;
    } else {
        batch->body = (uint8_t *)(uintptr_t)body; /* borrowed: never written or freed */
    }
    batch->body_len = used;
    rc = batch_decode_views(schema, &msg.header, batch, err);
    if (rc)
        dh_batch_reset(batch);
    return rc;
}

/* The top-level field that dictionary `id` is for, if dhtui decodes it. */
static const struct dh_field *dict_field(const struct dh_schema *schema, int64_t id)
{
    for (size_t i = 0; i < schema->n_fields; i++) {
        const struct dh_field *f = &schema->fields[i];
        if (f->dictionary_encoded && f->dict_id == id && dh_field_decodable(f))
            return f;
    }
    return NULL;
}

/* Store values (a column of f, in block mem of `bytes`) as dictionary id,
 * replacing what it held; mem is taken over either way. */
static int dict_store(struct dh_schema *schema, int64_t id, const struct dh_column_view *values,
                      void *mem, size_t bytes, struct dh_error *err)
{
    struct dh_dicts *d = schema->dicts;
    if (!d && !(d = schema->dicts = calloc(1, sizeof *d))) {
        free(mem);
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a dictionary");
    }
    struct dh_dict *old = dict_find(d, id);
    size_t others = d->bytes - (old ? old->bytes : 0);
    if (bytes > DH_ARROW_MAX_DICT_BYTES - others) {
        free(mem);
        return dh_error_set(err, DH_EINVAL, "dictionaries of more than %zu MiB",
                            DH_ARROW_MAX_DICT_BYTES >> 20);
    }
    if (!old) {
        if (d->n == d->cap) {
            size_t cap = d->cap ? 2 * d->cap : 4;
            struct dh_dict *grown = realloc(d->d, cap * sizeof *grown);
            if (!grown) {
                free(mem);
                return dh_error_set(err, DH_ENOMEM, "out of memory keeping a dictionary");
            }
            d->d = grown;
            d->cap = cap;
        }
        old = &d->d[d->n++];
        memset(old, 0, sizeof *old);
        old->id = id;
    }
    free(old->mem);
    old->values = *values;
    old->mem = mem;
    old->bytes = bytes;
    d->bytes = others + bytes;
    return DH_OK;
}

int dh_schema_apply_dictionary(struct dh_schema *schema, const uint8_t *header, size_t hlen,
                               const uint8_t *body, size_t blen, struct dh_error *err)
{
    struct dh_ipc_message msg;
    int rc = dh_ipc_message_decode(header, hlen, &msg, err);
    if (rc)
        return rc;
    if (msg.kind != DH_IPC_DICTIONARY_BATCH || !msg.header.present)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow DictionaryBatch message but found header type %d",
                            (int)msg.kind);
    if ((uint64_t)msg.body_length > blen || (blen && !body))
        return dh_error_set(err, DH_EINVAL,
                            "Arrow dictionary body has %zu bytes but the header says %lld",
                            body ? blen : 0, (long long)msg.body_length);
    int64_t id = dh_fb_i64(&msg.header, DB_ID, 0);
    int delta = dh_fb_bool(&msg.header, DB_IS_DELTA, 0);
    const struct dh_field *f = dict_field(schema, id);
    if (!f)
        return DH_OK; /* for a column dhtui does not decode (or none): nothing to keep */
    struct dh_fb_table rb;
    rc = dh_fb_table_field(&msg.header, DB_DATA, &rb, err);
    if (!rc && !rb.present)
        rc = dh_error_set(err, DH_EINVAL, "Arrow dictionary %lld has no data", (long long)id);
    if (rc)
        return rc;
    /* The values: a one-column record batch of the column's value type. */
    struct dh_field plain = *f;
    plain.dictionary_encoded = 0;
    struct dh_schema one = {.n_fields = 1, .fields = &plain};
    struct dh_batch vb;
    dh_batch_init(&vb);
    vb.body = (uint8_t *)(uintptr_t)body; /* borrowed: only read */
    vb.body_len = (size_t)msg.body_length;
    rc = batch_decode_views(&one, &rb, &vb, err);
    const struct dh_dict *old = delta ? dict_find(schema->dicts, id) : NULL;
    int64_t keep = old ? old->values.length : 0, add = rc ? 0 : vb.columns[0].length;
    struct dh_pick *picks = NULL;
    if (!rc && keep + add > DH_ARROW_MAX_DICT_VALUES)
        rc = dh_error_set(err, DH_EINVAL, "Arrow dictionary %lld grows beyond %lld values",
                          (long long)id, (long long)DH_ARROW_MAX_DICT_VALUES);
    if (!rc && !(picks = malloc((size_t)(keep + add ? keep + add : 1) * sizeof *picks)))
        rc = dh_error_set(err, DH_ENOMEM, "out of memory keeping a dictionary");
    if (!rc) {
        for (int64_t i = 0; i < keep; i++)
            picks[i] = (struct dh_pick){&old->values, i};
        for (int64_t i = 0; i < add; i++)
            picks[keep + i] = (struct dh_pick){&vb.columns[0], i};
        struct dh_column_view values;
        void *mem;
        size_t bytes;
        rc = dh_gather(f, picks, keep + add, DH_ARROW_MAX_DICT_BYTES, &values, &mem, &bytes, err);
        if (!rc)
            rc = dict_store(schema, id, &values, mem, bytes, err);
    }
    free(picks);
    dh_batch_reset(&vb);
    if (rc)
        dh_error_prefix(err, "dictionary");
    return rc;
}

int dh_batch_decode(const struct dh_schema *schema, const uint8_t *header, size_t hlen,
                    const uint8_t *body, size_t blen, struct dh_batch *batch, struct dh_error *err)
{
    return batch_decode(schema, header, hlen, body, blen, 1, batch, err);
}

int dh_batch_decode_borrowed(const struct dh_schema *schema, const uint8_t *header, size_t hlen,
                             const uint8_t *body, size_t blen, struct dh_batch *batch,
                             struct dh_error *err)
{
    return batch_decode(schema, header, hlen, body, blen, 0, batch, err);
}

static void set_deephaven_nulls(struct dh_column_view *v, int on)
{
    for (; v; v = v->child) {
        v->deephaven_nulls = on;
        for (size_t i = 0; v->children && v->field && i < v->field->n_children; i++)
            set_deephaven_nulls(&v->children[i], on);
    }
}

void dh_batch_set_deephaven_nulls(struct dh_batch *batch, int on)
{
    if (!batch || !batch->columns)
        return;
    for (size_t i = 0; i < batch->n_columns; i++)
        set_deephaven_nulls(&batch->columns[i], on != 0);
}

/* ---- accessors ---- */

static int in_range(const struct dh_column_view *col, int64_t row)
{
    return col && row >= 0 && row < col->length;
}

/* Fixed-width value bits of `row` (width 1..8), zero-extended. */
static uint64_t raw_bits(const struct dh_column_view *col, int64_t row)
{
    uint8_t tmp[8] = {0};
    size_t w = (size_t)col->value_width;
    memcpy(tmp, col->values + (size_t)row * w, w > 8 ? 8 : w);
    return dh_fb_load_u64(tmp);
}

/* The value sign-extended from w bytes. */
static int64_t sign_extend(uint64_t bits, int w)
{
    if (w >= 8)
        return (int64_t)bits;
    uint64_t m = (uint64_t)1 << (8 * w - 1);
    bits &= ((uint64_t)1 << (8 * w)) - 1;
    return (int64_t)((bits ^ m) - m);
}

/* Whether the fixed-width cell holds Deephaven's null sentinel for its type. */
static int is_sentinel(const struct dh_column_view *col, int64_t row)
{
    const struct dh_field *f = col->field;
    int w = col->value_width;
    switch (f->type) {
    case DH_TYPE_INT: {
        uint64_t bits = raw_bits(col, row);
        if (!f->is_signed)
            return w == 2 && bits == 0xFFFF; /* char */
        return sign_extend(bits, w) == (w == 8 ? INT64_MIN : -((int64_t)1 << (8 * w - 1)));
    }
    case DH_TYPE_FLOAT:
        if (w == 2) /* NULL_SHORT: the half writers of DefaultChunkWriterFactory */
            return raw_bits(col, row) == 0x8000;
        if (w == 4) {
            uint32_t bits = (uint32_t)raw_bits(col, row);
            float x;
            memcpy(&x, &bits, 4);
            return x == -FLT_MAX;
        }
        if (w == 8) {
            uint64_t bits = raw_bits(col, row);
            double x;
            memcpy(&x, &bits, 8);
            return x == -DBL_MAX;
        }
        return 0;
    case DH_TYPE_TIMESTAMP:
    case DH_TYPE_DATE:
    case DH_TYPE_TIME:
    case DH_TYPE_DURATION: return w == 8 && (int64_t)raw_bits(col, row) == INT64_MIN;
    case DH_TYPE_INTERVAL: /* NULL_INT: intervalFromPeriod's YEAR_MONTH writer */
        return w == 4 && raw_bits(col, row) == 0x80000000u;
    default: return 0;
    }
}

int dh_column_is_null(const struct dh_column_view *col, int64_t row)
{
    if (!in_range(col, row))
        return 1;
    if (col->field && col->field->type == DH_TYPE_NULL)
        return 1;
    if (col->validity && !((col->validity[row >> 3] >> (row & 7)) & 1))
        return 1;
    return col->deephaven_nulls && col->value_width > 0 && is_sentinel(col, row);
}

/* IEEE half to double. */
static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1F;
    double m = h & 0x3FF;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m != 0 ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* A FLOAT cell as double. */
static double float_value(const struct dh_column_view *col, int64_t row)
{
    uint64_t bits = raw_bits(col, row);
    if (col->value_width == 2)
        return half_to_double((uint16_t)bits);
    if (col->value_width == 4) {
        uint32_t b32 = (uint32_t)bits;
        float x;
        memcpy(&x, &b32, 4);
        return x;
    }
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static int bool_value(const struct dh_column_view *col, int64_t row)
{
    return (col->values[row >> 3] >> (row & 7)) & 1;
}

/* Clamp a double into int64 (NaN is 0). */
static int64_t double_to_i64(double d)
{
    if (!(d == d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

int64_t dh_column_get_i64(const struct dh_column_view *col, int64_t row)
{
    if (!in_range(col, row) || !col->field)
        return 0;
    switch (col->field->type) {
    case DH_TYPE_BOOL: return bool_value(col, row);
    case DH_TYPE_INT:
        if (!col->field->is_signed)
            return (int64_t)raw_bits(col, row);
        return sign_extend(raw_bits(col, row), col->value_width);
    case DH_TYPE_DATE:
    case DH_TYPE_TIME:
    case DH_TYPE_TIMESTAMP:
    case DH_TYPE_DURATION: return sign_extend(raw_bits(col, row), col->value_width);
    case DH_TYPE_FLOAT: return double_to_i64(float_value(col, row));
    default: return 0;
    }
}

/* Rows [first, first + n) clipped to the column: how many can be read. */
static size_t read_count(const struct dh_column_view *col, int64_t first, size_t n)
{
    if (!col || !col->field || first < 0 || first >= col->length)
        return 0;
    uint64_t left = (uint64_t)(col->length - first);
    return (uint64_t)n > left ? (size_t)left : n;
}

static int is_integer_like(enum dh_type_id t)
{
    return t == DH_TYPE_INT || t == DH_TYPE_DATE || t == DH_TYPE_TIME || t == DH_TYPE_TIMESTAMP ||
           t == DH_TYPE_DURATION;
}

size_t dh_column_read_i64(const struct dh_column_view *col, int64_t first, size_t n, int64_t *out)
{
    size_t k = read_count(col, first, n);
    if (!k)
        return 0;
    const struct dh_field *f = col->field;
    const uint8_t *p = col->values + (size_t)first * (size_t)col->value_width;
    if (!is_integer_like(f->type)) {
        for (size_t i = 0; i < k; i++)
            out[i] = dh_column_get_i64(col, first + (int64_t)i);
        return k;
    }
    int sign = f->type != DH_TYPE_INT || f->is_signed;
    /* One loop per width, the branch taken once per call, not per value. */
    switch (col->value_width) {
    case 8:
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(out, p, k * 8);
#else
        for (size_t i = 0; i < k; i++)
            out[i] = (int64_t)dh_fb_load_u64(p + 8 * i);
#endif
        break;
    case 4: /* the sign test outside the loops: one load and one store per value */
        if (sign)
            for (size_t i = 0; i < k; i++)
                out[i] = dh_fb_load_i32(p + 4 * i);
        else
            for (size_t i = 0; i < k; i++)
                out[i] = dh_fb_load_u32(p + 4 * i);
        break;
    case 2:
        for (size_t i = 0; i < k; i++) {
            uint16_t v = dh_fb_load_u16(p + 2 * i);
            out[i] = sign ? (int64_t)(int16_t)v : (int64_t)v;
        }
        break;
    case 1:
        for (size_t i = 0; i < k; i++)
            out[i] = sign ? (int64_t)(int8_t)p[i] : (int64_t)p[i];
        break;
    default:
        for (size_t i = 0; i < k; i++)
            out[i] = dh_column_get_i64(col, first + (int64_t)i);
    }
    return k;
}

size_t dh_column_read_f64(const struct dh_column_view *col, int64_t first, size_t n, double *out)
{
    size_t k = read_count(col, first, n);
    if (!k)
        return 0;
    const uint8_t *p = col->values + (size_t)first * (size_t)col->value_width;
    if (col->field->type == DH_TYPE_FLOAT && col->value_width == 8) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(out, p, k * 8);
#else
        for (size_t i = 0; i < k; i++) {
            uint64_t b = dh_fb_load_u64(p + 8 * i);
            memcpy(&out[i], &b, 8);
        }
#endif
        return k;
    }
    if (col->field->type == DH_TYPE_FLOAT && col->value_width == 4) {
        for (size_t i = 0; i < k; i++) {
            uint32_t b = dh_fb_load_u32(p + 4 * i);
            float x;
            memcpy(&x, &b, 4);
            out[i] = x;
        }
        return k;
    }
    for (size_t i = 0; i < k; i++)
        out[i] = dh_column_get_f64(col, first + (int64_t)i);
    return k;
}

uint64_t dh_column_get_u64(const struct dh_column_view *col, int64_t row)
{
    if (in_range(col, row) && col->field && col->field->type == DH_TYPE_INT &&
        !col->field->is_signed)
        return raw_bits(col, row);
    return (uint64_t)dh_column_get_i64(col, row);
}

double dh_column_get_f64(const struct dh_column_view *col, int64_t row)
{
    if (!in_range(col, row) || !col->field)
        return 0;
    if (col->field->type == DH_TYPE_FLOAT)
        return float_value(col, row);
    if (col->field->type == DH_TYPE_INT && !col->field->is_signed)
        return (double)raw_bits(col, row);
    return (double)dh_column_get_i64(col, row);
}

int dh_column_get_interval(const struct dh_column_view *col, int64_t row, struct dh_interval *out)
{
    memset(out, 0, sizeof *out);
    if (!in_range(col, row) || !col->field || col->field->type != DH_TYPE_INTERVAL || !col->values)
        return DH_EINVAL;
    const uint8_t *p = col->values + (size_t)row * (size_t)col->value_width;
    switch (col->value_width) {
    case 4: out->months = dh_fb_load_i32(p); return DH_OK;
    case 8:
        out->days = dh_fb_load_i32(p);
        out->nanos = (int64_t)dh_fb_load_i32(p + 4) * 1000000;
        return DH_OK;
    case 16:
        out->months = dh_fb_load_i32(p);
        out->days = dh_fb_load_i32(p + 4);
        out->nanos = dh_fb_load_i64(p + 8);
        return DH_OK;
    default: return DH_EINVAL;
    }
}

int dh_column_get_bool(const struct dh_column_view *col, int64_t row)
{
    if (!in_range(col, row) || !col->field)
        return 0;
    if (col->field->type == DH_TYPE_BOOL)
        return bool_value(col, row);
    if (col->field->type == DH_TYPE_FLOAT)
        return float_value(col, row) != 0;
    return dh_column_get_i64(col, row) != 0;
}

/* Offset i of a variable-width column (checked at decode time). */
static int64_t offset_at(const struct dh_column_view *col, int64_t i, int width)
{
    return load_offset(col->offsets, i, width);
}

/* Bytes per offset of a variable-width column: 4 or 8; the value width (as a
 * negative number) of FIXED_BINARY and DECIMAL; 0 for other types. */
static int bytes_layout(const struct dh_column_view *col)
{
    switch (col->field->type) {
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY: return 4;
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_LARGE_BINARY: return 8;
    case DH_TYPE_FIXED_BINARY:
    case DH_TYPE_DECIMAL: return -col->value_width;
    default: return 0;
    }
}

int dh_column_get_bytes(const struct dh_column_view *col, int64_t row, const uint8_t **ptr,
                        size_t *len)
{
    *ptr = NULL;
    *len = 0;
    if (!in_range(col, row) || !col->field)
        return DH_EINVAL;
    int w = bytes_layout(col);
    if (w == 0)
        return DH_EINVAL;
    if (w < 0) {
        *ptr = col->values + (size_t)row * (size_t)-w;
        *len = (size_t)-w;
        return DH_OK;
    }
    int64_t a = offset_at(col, row, w), b = offset_at(col, row + 1, w);
    *ptr = b > a ? col->values + a : (const uint8_t *)"";
    *len = (size_t)(b - a);
    return DH_OK;
}

size_t dh_column_read_bytes(const struct dh_column_view *col, int64_t first, size_t n,
                            const uint8_t **ptrs, size_t *lens)
{
    size_t k = read_count(col, first, n);
    int w = k ? bytes_layout(col) : 0;
    if (w == 0)
        return 0;
    if (w < 0) {
        const uint8_t *p = col->values + (size_t)first * (size_t)-w;
        for (size_t i = 0; i < k; i++) {
            ptrs[i] = p + i * (size_t)-w;
            lens[i] = (size_t)-w;
        }
        return k;
    }
    /* Offsets were checked monotonic inside values at decode time, so each is
     * read once here and every [a, b) lies inside values. values is NULL only
     * when it has 0 bytes, and then every offset is 0. */
    const uint8_t *base = col->values ? col->values : (const uint8_t *)"";
    int64_t a = offset_at(col, first, w);
    if (w == 4) {
        const uint8_t *o = col->offsets + 4 * (size_t)first;
        for (size_t i = 0; i < k; i++) {
            int64_t b = dh_fb_load_i32(o + 4 * (i + 1));
            ptrs[i] = base + a;
            lens[i] = (size_t)(b - a);
            a = b;
        }
        return k;
    }
    for (size_t i = 0; i < k; i++) {
        int64_t b = offset_at(col, first + (int64_t)i + 1, w);
        ptrs[i] = base + a;
        lens[i] = (size_t)(b - a);
        a = b;
    }
    return k;
}

int dh_column_list_range(const struct dh_column_view *col, int64_t row, int64_t *start,
                         int64_t *count)
{
    *start = 0;
    *count = 0;
    if (!in_range(col, row) || !col->field ||
        (col->field->type != DH_TYPE_LIST && col->field->type != DH_TYPE_MAP))
        return DH_EINVAL;
    int64_t a = offset_at(col, row, 4), b = offset_at(col, row + 1, 4);
    *start = a;
    *count = b - a;
    return DH_OK;
}
