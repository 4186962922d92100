/* SPDX-License-Identifier: MIT */
/* encode_arrow.c: Arrow Schema and RecordBatch messages for catalogue tables. */
#include "encode_arrow.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_fbb.h"

/* Arrow Type union (Schema.fbs). */
enum {
    AT_INT = 2,
    AT_FLOAT = 3,
    AT_BINARY = 4,
    AT_UTF8 = 5,
    AT_BOOL = 6,
    AT_DATE = 8,
    AT_TIME = 9,
    AT_TIMESTAMP = 10,
    AT_INTERVAL = 11,
    AT_LIST = 12,
    AT_STRUCT = 13,
    AT_MAP = 17,
};
/* MessageHeader union (Message.fbs). */
enum { MH_SCHEMA = 1, MH_DICTIONARY_BATCH = 2, MH_RECORD_BATCH = 3 };

int demo_fail(char *err, const char *msg)
{
    if (err)
        snprintf(err, DEMO_ERR_MAX, "%s", msg);
    return -1;
}

int demo_colset_has(const uint8_t *cols, size_t len, size_t col)
{
    if (!cols)
        return 1;
    return col / 8 < len && (cols[col / 8] >> (col % 8)) & 1;
}

/* ---- Schema (BarrageUtil.makeSchema / columnDefinitionsToFields / arrowFieldFor) ---- */

/* The Java canonical type name Deephaven puts in "deephaven:type". */
static const char *java_type(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BYTE: return "byte";
    case DEMO_COL_SHORT: return "short";
    case DEMO_COL_INT: return "int";
    case DEMO_COL_LONG: return "long";
    case DEMO_COL_CHAR: return "char";
    case DEMO_COL_FLOAT: return "float";
    case DEMO_COL_DOUBLE: return "double";
    case DEMO_COL_BOOL: return "java.lang.Boolean";
    case DEMO_COL_STRING: return "java.lang.String";
    case DEMO_COL_INSTANT: return "java.time.Instant";
    case DEMO_COL_DATE: return "java.time.LocalDate";
    case DEMO_COL_TIME: return "java.time.LocalTime";
    case DEMO_COL_BIGDECIMAL: return "java.math.BigDecimal";
    case DEMO_COL_BIGINTEGER: return "java.math.BigInteger";
    case DEMO_COL_BYTES: return "byte[]";
    case DEMO_COL_INT_ARRAY: return "int[]";
    case DEMO_COL_LONG_ARRAY: return "long[]";
    case DEMO_COL_PERIOD: return "java.time.Period";
    case DEMO_COL_PERIOD_DURATION: return "org.apache.arrow.vector.PeriodDuration";
    case DEMO_COL_DICT_STRING: return "java.lang.String";
    case DEMO_COL_MAP: return "java.util.Map";
    default: return "java.lang.String[]";
    }
}

/* "deephaven:componentType" of array columns (ColumnDefinition infers it), else NULL. */
static const char *java_component_type(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BYTES: return "byte";
    case DEMO_COL_INT_ARRAY: return "int";
    case DEMO_COL_LONG_ARRAY: return "long";
    case DEMO_COL_STRING_ARRAY: return "java.lang.String";
    default: return NULL;
    }
}

static uint32_t key_value(struct dh_fbb *b, const char *k, const char *v)
{
    uint32_t kr = dh_fbb_create_cstring(b, k);
    uint32_t vr = dh_fbb_create_cstring(b, v);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, kr);
    dh_fbb_add_offset(b, 1, vr);
    return dh_fbb_end_table(b);
}

static uint32_t empty_table(struct dh_fbb *b)
{
    dh_fbb_start_table(b);
    return dh_fbb_end_table(b);
}

static uint32_t int_type(struct dh_fbb *b, int32_t bits, int is_signed)
{
    dh_fbb_start_table(b);
    dh_fbb_add_i32(b, 0, bits, 0);
    dh_fbb_add_bool(b, 1, is_signed, 0);
    return dh_fbb_end_table(b);
}

/* The Arrow type table of a scalar column type (arrowTypeFor); *type_id gets its union tag. */
static uint32_t scalar_type(struct dh_fbb *b, enum demo_col_type t, uint8_t *type_id)
{
    switch (t) {
    case DEMO_COL_BYTE: *type_id = AT_INT; return int_type(b, 8, 1);
    case DEMO_COL_SHORT: *type_id = AT_INT; return int_type(b, 16, 1);
    case DEMO_COL_INT: *type_id = AT_INT; return int_type(b, 32, 1);
    case DEMO_COL_LONG: *type_id = AT_INT; return int_type(b, 64, 1);
    case DEMO_COL_CHAR: *type_id = AT_INT; return int_type(b, 16, 0);
    case DEMO_COL_FLOAT:
    case DEMO_COL_DOUBLE:
        *type_id = AT_FLOAT;
        dh_fbb_start_table(b);
        dh_fbb_add_i16(b, 0, t == DEMO_COL_FLOAT ? 1 : 2, 0); /* SINGLE / DOUBLE */
        return dh_fbb_end_table(b);
    case DEMO_COL_BOOL: *type_id = AT_BOOL; return empty_table(b);
    case DEMO_COL_INSTANT: {
        *type_id = AT_TIMESTAMP;
        uint32_t tz = dh_fbb_create_cstring(b, "UTC");
        dh_fbb_start_table(b);
        dh_fbb_add_i16(b, 0, 3, 0); /* NANOSECOND */
        dh_fbb_add_offset(b, 1, tz);
        return dh_fbb_end_table(b);
    }
    case DEMO_COL_DATE:
        *type_id = AT_DATE;
        dh_fbb_start_table(b);
        dh_fbb_add_i16(b, 0, 1, 1); /* MILLISECOND is the default: omitted, as Java does */
        return dh_fbb_end_table(b);
    case DEMO_COL_TIME:
        *type_id = AT_TIME;
        dh_fbb_start_table(b);
        dh_fbb_add_i16(b, 0, 3, 1);   /* NANOSECOND (default MILLISECOND) */
        dh_fbb_add_i32(b, 1, 64, 32); /* bitWidth (default 32) */
        return dh_fbb_end_table(b);
    case DEMO_COL_BIGDECIMAL:
    case DEMO_COL_BIGINTEGER:
    case DEMO_COL_BYTES: *type_id = AT_BINARY; return empty_table(b);
    case DEMO_COL_DICT_STRING: *type_id = AT_UTF8; return empty_table(b);
    case DEMO_COL_PERIOD: /* BarrageUtil.arrowTypeFor: Interval YEAR_MONTH / MONTH_DAY_NANO */
    case DEMO_COL_PERIOD_DURATION:
        *type_id = AT_INTERVAL;
        dh_fbb_start_table(b);
        dh_fbb_add_i16(b, 0, t == DEMO_COL_PERIOD ? 0 : 2, 0);
        return dh_fbb_end_table(b);
    default: *type_id = AT_UTF8; return empty_table(b);
    }
}

/* One Field; children and custom_metadata vectors are always written (possibly
 * empty), as Arrow Java's Field.getField does. */
static uint32_t field_full(struct dh_fbb *b, const char *name, int nullable, uint8_t type_id,
                           uint32_t type, const uint32_t *children, size_t n_children,
                           const uint32_t *kvs, size_t n_kvs, uint32_t dictionary)
{
    uint32_t name_ref = dh_fbb_create_cstring(b, name);
    uint32_t ch = dh_fbb_create_vector_refs(b, children, n_children);
    uint32_t md = dh_fbb_create_vector_refs(b, kvs, n_kvs);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 4, dictionary);
    dh_fbb_add_offset(b, 0, name_ref);
    dh_fbb_add_bool(b, 1, nullable, 0);
    dh_fbb_add_union(b, 3, type_id, type);
    dh_fbb_add_offset(b, 5, ch);
    dh_fbb_add_offset(b, 6, md);
    return dh_fbb_end_table(b);
}

/* Every Deephaven column's field is nullable. */
static uint32_t field_dict(struct dh_fbb *b, const char *name, uint8_t type_id, uint32_t type,
                           const uint32_t *children, size_t n_children, const uint32_t *kvs,
                           size_t n_kvs, uint32_t dictionary)
{
    return field_full(b, name, 1, type_id, type, children, n_children, kvs, n_kvs, dictionary);
}

/* A Map<String, Long>'s one child (Schema.fbs Map): the non-null Struct
 * "entries" of a non-null Utf8 "key" and a nullable Int64 "value". */
static uint32_t map_entries_field(struct dh_fbb *b)
{
    uint8_t key_id, value_id;
    uint32_t kv[2];
    uint32_t key_type = scalar_type(b, DEMO_COL_STRING, &key_id);
    kv[0] = field_full(b, "key", 0, key_id, key_type, NULL, 0, NULL, 0, 0);
    uint32_t value_type = scalar_type(b, DEMO_COL_LONG, &value_id);
    kv[1] = field_full(b, "value", 1, value_id, value_type, NULL, 0, NULL, 0, 0);
    return field_full(b, "entries", 0, AT_STRUCT, empty_table(b), kv, 2, NULL, 0, 0);
}

static uint32_t field(struct dh_fbb *b, const char *name, uint8_t type_id, uint32_t type,
                      const uint32_t *children, size_t n_children, const uint32_t *kvs,
                      size_t n_kvs)
{
    return field_dict(b, name, type_id, type, children, n_children, kvs, n_kvs, 0);
}

/* The dictionary id of column col (dictionary-encoded columns: a stream-wide id). */
static int64_t dict_id(size_t col)
{
    return (int64_t)col + 1;
}

/* DictionaryEncoding{id, indexType Int(32, signed)} (DictionaryChunkWriter's int index). */
static uint32_t dictionary_encoding(struct dh_fbb *b, size_t col)
{
    uint32_t index_type = int_type(b, 32, 1);
    dh_fbb_start_table(b);
    dh_fbb_add_i64(b, 0, dict_id(col), 0);
    dh_fbb_add_offset(b, 1, index_type);
    return dh_fbb_end_table(b);
}

/* Extra metadata entries a column may carry (demo_out_col.meta). */
#define DEMO_META_MAX 6

static uint32_t column_field(struct dh_fbb *b, const struct demo_object *t, size_t col)
{
    enum demo_col_type ct = demo_table_col_type(t, col);
    uint32_t kvs[3 + DEMO_META_MAX];
    size_t n_kvs = 0;
    kvs[n_kvs++] = key_value(b, "deephaven:type", java_type(ct));
    /* a hierarchical view's column roles (HierarchicalTableSchemaUtil) */
    const char *const *meta = demo_table_col_meta(t, col);
    for (size_t m = 0; meta && meta[m] && meta[m + 1] && m / 2 < DEMO_META_MAX; m += 2)
        kvs[n_kvs++] = key_value(b, meta[m], meta[m + 1]);
    const char *component = java_component_type(ct);
    if (component)
        kvs[n_kvs++] = key_value(b, "deephaven:componentType", component);
    else if (ct != DEMO_COL_PERIOD && ct != DEMO_COL_PERIOD_DURATION && ct != DEMO_COL_MAP)
        kvs[n_kvs++] = key_value(b, "deephaven:isSortable", "true"); /* Comparables */

    uint8_t type_id;
    uint32_t type, child = 0;
    if (ct == DEMO_COL_INT_ARRAY || ct == DEMO_COL_LONG_ARRAY || ct == DEMO_COL_STRING_ARRAY) {
        /* List whose child is named "" with no metadata (arrowFieldFor). */
        uint8_t child_id;
        uint32_t child_type = scalar_type(b,
                                          ct == DEMO_COL_INT_ARRAY    ? DEMO_COL_INT
                                          : ct == DEMO_COL_LONG_ARRAY ? DEMO_COL_LONG
                                                                      : DEMO_COL_STRING,
                                          &child_id);
        child = field(b, "", child_id, child_type, NULL, 0, NULL, 0);
        type_id = AT_LIST;
        type = empty_table(b);
    } else if (ct == DEMO_COL_MAP) {
        child = map_entries_field(b);
        type_id = AT_MAP;
        type = empty_table(b); /* keysSorted false: the default, left out */
    } else {
        type = scalar_type(b, ct, &type_id);
    }
    uint32_t dictionary = ct == DEMO_COL_DICT_STRING ? dictionary_encoding(b, col) : 0;
    return field_dict(b, demo_table_col_name(t, col), type_id, type, child ? &child : NULL,
                      child ? 1 : 0, kvs, n_kvs, dictionary);
}

int demo_arrow_schema_message(const struct demo_object *t, uint8_t **out, size_t *len, char *err)
{
    if (!t || !demo_object_is_table(t))
        return demo_fail(err, "FAILED_PRECONDITION: object is not a table");
    size_t n = demo_table_ncols(t);
    uint32_t *fields = calloc(n ? n : 1, sizeof *fields);
    if (!fields)
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a schema");
    struct dh_fbb b;
    dh_fbb_init(&b);
    for (size_t i = 0; i < n; i++)
        fields[i] = column_field(&b, t, i);
    /* Table attributes (BarrageUtil.attributesToMetadata): static demo tables are
     * flat; quotes only ever appends. */
    uint32_t kvs[2];
    size_t n_attrs = 2;
    if (demo_object_is_hier_view(t)) {
        n_attrs = 0; /* a rollup's own attributes: the demo's has none */
    } else if (demo_object_is_static(t)) {
        kvs[0] = key_value(&b, "deephaven:attribute.IsFlat", "true");
        kvs[1] = key_value(&b, "deephaven:attribute_type.IsFlat", "java.lang.Boolean");
    } else {
        kvs[0] = key_value(&b, "deephaven:attribute.AppendOnly", "true");
        kvs[1] = key_value(&b, "deephaven:attribute_type.AppendOnly", "java.lang.Boolean");
    }
    uint32_t fv = dh_fbb_create_vector_refs(&b, fields, n);
    uint32_t md = dh_fbb_create_vector_refs(&b, kvs, n_attrs);
    free(fields);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 1, fv); /* endianness Little is the default */
    dh_fbb_add_offset(&b, 2, md);
    uint32_t schema = dh_fbb_end_table(&b);
    dh_fbb_start_table(&b);
    dh_fbb_add_i16(&b, 0, DEMO_ARROW_V5, 0);
    dh_fbb_add_union(&b, 2, MH_SCHEMA, schema);
    uint32_t msg = dh_fbb_end_table(&b);
    int rc = dh_fbb_finish(&b, msg);
    *out = rc == DH_OK ? dh_fbb_copy(&b, len) : NULL;
    dh_fbb_reset(&b);
    if (!*out)
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a schema");
    return 0;
}

/* MessageHelper.toIpcBytes: continuation, LE length (without padding), message, zero pad. */
int demo_encode_schema_ipc(const struct demo_object *t, uint8_t **out, size_t *len, char *err)
{
    uint8_t *msg;
    size_t mlen;
    if (demo_arrow_schema_message(t, &msg, &mlen, err) != 0)
        return -1;
    size_t pad = (8 - mlen % 8) % 8;
    uint8_t *p = calloc(1, 8 + mlen + pad);
    if (!p) {
        free(msg);
        return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a schema");
    }
    dh_fbb_put_u32(p, 0xFFFFFFFFu);
    dh_fbb_put_u32(p + 4, (uint32_t)mlen);
    memcpy(p + 8, msg, mlen);
    free(msg);
    *out = p;
    *len = 8 + mlen + pad;
    return 0;
}

/* ---- RecordBatch ---- */

/* A growable byte buffer; `oom` is sticky so writers need not check each call. */
struct ebuf {
    uint8_t *p;
    size_t len, cap;
    int oom;
};

static int ebuf_reserve(struct ebuf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    if (b->len + extra <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + extra)
        ncap *= 2;
    uint8_t *np = realloc(b->p, ncap);
    if (!np) {
        b->oom = 1;
        return -1;
    }
    b->p = np;
    b->cap = ncap;
    return 0;
}

static void ebuf_put(struct ebuf *b, const void *src, size_t n)
{
    if (n == 0 || ebuf_reserve(b, n) != 0)
        return;
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void ebuf_zero(struct ebuf *b, size_t n)
{
    if (n == 0 || ebuf_reserve(b, n) != 0)
        return;
    memset(b->p + b->len, 0, n);
    b->len += n;
}

/* n zeroed bytes at offset 0 (scratch reuse); never NULL unless out of memory. */
static uint8_t *ebuf_zeroed(struct ebuf *b, size_t n)
{
    b->len = 0;
    if (ebuf_reserve(b, n ? n : 1) != 0)
        return NULL;
    memset(b->p, 0, n);
    b->len = n;
    return b->p;
}

static void ebuf_free(struct ebuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Everything one RecordBatch is being built from. */
struct batch {
    struct ebuf body;
    struct ebuf nodes;                /* FieldNode structs {i64 length, i64 null_count} */
    struct ebuf buffers;              /* Buffer structs {i64 offset, i64 length} */
    struct ebuf valid, vals, offs;    /* the column being written */
    struct ebuf cvalid, cvals, coffs; /* a list column's child */
    int use_dh_nulls;
    int64_t list_limit; /* previewListLengthLimit */
};

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Validity bytes for n values: whole 64-bit words (getValidityMapSerializationSizeFor). */
static size_t validity_len(size_t n)
{
    return (n + 63) / 64 * 8;
}

static void add_node(struct batch *bt, size_t length, size_t nulls)
{
    uint8_t s[16];
    dh_fbb_put_i64(s, (int64_t)length);
    dh_fbb_put_i64(s + 8, (int64_t)nulls);
    ebuf_put(&bt->nodes, s, sizeof s);
}

/* Record one buffer of len bytes at the body's end, zero padded to 8 (Buffer.length is
 * the padded size, offsets are relative to the body start), and return where its len
 * bytes go: valid until the body grows again. NULL when out of memory or len is 0. */
static uint8_t *add_buffer_room(struct batch *bt, size_t len)
{
    uint8_t s[16];
    size_t padded = pad8(len);
    dh_fbb_put_i64(s, (int64_t)bt->body.len);
    dh_fbb_put_i64(s + 8, (int64_t)padded);
    ebuf_put(&bt->buffers, s, sizeof s);
    if (padded == 0 || ebuf_reserve(&bt->body, padded) != 0)
        return NULL;
    uint8_t *p = bt->body.p + bt->body.len;
    memset(p + len, 0, padded - len);
    bt->body.len += padded;
    return p;
}

/* Append len bytes as one buffer. */
static void add_buffer(struct batch *bt, const uint8_t *data, size_t len)
{
    uint8_t *p = add_buffer_room(bt, len);
    if (p)
        memcpy(p, data, len);
}

/* The validity buffer: omitted (0 bytes) when there are no nulls. */
static void add_validity(struct batch *bt, const uint8_t *bits, size_t n, size_t nulls)
{
    add_buffer(bt, bits, nulls ? validity_len(n) : 0);
}

static void set_bit(uint8_t *bits, size_t i)
{
    bits[i / 8] = (uint8_t)(bits[i / 8] | (1u << (i % 8)));
}

static size_t fixed_width(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BYTE: return 1;
    case DEMO_COL_SHORT:
    case DEMO_COL_CHAR: return 2;
    case DEMO_COL_INT:
    case DEMO_COL_PERIOD:
    case DEMO_COL_FLOAT: return 4;
    case DEMO_COL_PERIOD_DURATION: return 16;
    default: return 8;
    }
}

/* Store one fixed-width value little-endian; null cells store the QueryConstants sentinel. */
static void put_fixed(uint8_t *p, enum demo_col_type t, const struct demo_cell *c)
{
    switch (t) {
    case DEMO_COL_BYTE: p[0] = (uint8_t)(c->is_null ? INT8_MIN : (int8_t)c->i); break;
    case DEMO_COL_SHORT:
        dh_fbb_put_u16(p, (uint16_t)(c->is_null ? INT16_MIN : (int16_t)c->i));
        break;
    case DEMO_COL_CHAR: dh_fbb_put_u16(p, c->is_null ? 0xFFFF : (uint16_t)c->i); break;
    case DEMO_COL_INT: dh_fbb_put_u32(p, (uint32_t)(c->is_null ? INT32_MIN : (int32_t)c->i)); break;
    case DEMO_COL_FLOAT: {
        float f = c->is_null ? -FLT_MAX : (float)c->d;
        uint32_t u;
        memcpy(&u, &f, 4);
        dh_fbb_put_u32(p, u);
        break;
    }
    case DEMO_COL_DOUBLE: {
        double d = c->is_null ? -DBL_MAX : c->d;
        uint64_t u;
        memcpy(&u, &d, 8);
        dh_fbb_put_u64(p, u);
        break;
    }
    case DEMO_COL_PERIOD: /* intervalFromPeriod: months, NULL_INT for null */
        dh_fbb_put_u32(p, (uint32_t)(c->is_null ? INT32_MIN : c->months));
        break;
    case DEMO_COL_PERIOD_DURATION: /* months, days, nanoseconds; zeros for null */
        dh_fbb_put_u32(p, (uint32_t)(c->is_null ? 0 : c->months));
        dh_fbb_put_u32(p + 4, (uint32_t)(c->is_null ? 0 : c->days));
        dh_fbb_put_i64(p + 8, c->is_null ? 0 : c->i);
        break;
    case DEMO_COL_DATE: /* Date(MILLISECOND): epochDay * 86400000 */
        dh_fbb_put_i64(p, c->is_null ? INT64_MIN : c->i * 86400000LL);
        break;
    default: /* LONG, INSTANT (ns), TIME (ns of day) */
        dh_fbb_put_i64(p, c->is_null ? INT64_MIN : c->i);
        break;
    }
}

/* FixedWidthChunkWriter: node, validity, values. All fixed-width types here have a
 * Deephaven null sentinel, so use_dh_nulls drops their validity. */
static void write_fixed(struct batch *bt, const struct demo_object *t, size_t col,
                        const int64_t *rows, size_t n)
{
    enum demo_col_type ct = demo_table_col_type(t, col);
    size_t w = fixed_width(ct), nulls = 0;
    uint8_t *bits = ebuf_zeroed(&bt->valid, validity_len(n));
    uint8_t *vals = ebuf_zeroed(&bt->vals, n * w);
    if (!bits || !vals)
        return;
    struct demo_cell c;
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null)
            nulls++;
        else
            set_bit(bits, i);
        put_fixed(vals + i * w, ct, &c);
    }
    if (bt->use_dh_nulls && ct != DEMO_COL_PERIOD_DURATION) /* it has no sentinel */
        nulls = 0;
    add_node(bt, n, nulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, vals, n * w);
}

/* The index of a dictionary string (0 for one not in it: the demo's cells are). */
static int32_t dict_index(const struct demo_cell *c)
{
    for (size_t k = 0; k < demo_dict_n; k++)
        if (strlen(demo_dict_strings[k]) == c->len &&
            memcmp(demo_dict_strings[k], c->bytes, c->len) == 0)
            return (int32_t)k;
    return 0;
}

/* DictionaryChunkWriter: node, validity, int32 indices into the column's dictionary
 * (sent before the batch by demo_arrow_dictionary_batch). */
static void write_dict_column(struct batch *bt, const struct demo_object *t, size_t col,
                              const int64_t *rows, size_t n)
{
    size_t nulls = 0;
    uint8_t *bits = ebuf_zeroed(&bt->valid, validity_len(n));
    uint8_t *vals = ebuf_zeroed(&bt->vals, n * 4);
    if (!bits || !vals)
        return;
    struct demo_cell c;
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null)
            nulls++;
        else
            set_bit(bits, i);
        dh_fbb_put_u32(vals + 4 * i, (uint32_t)(c.is_null ? 0 : dict_index(&c)));
    }
    add_node(bt, n, nulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, vals, n * 4);
}

/* BooleanChunkWriter: node, validity, bit-packed values in whole 64-bit words. */
static void write_bool(struct batch *bt, const struct demo_object *t, size_t col,
                       const int64_t *rows, size_t n)
{
    size_t nulls = 0, words = validity_len(n);
    uint8_t *bits = ebuf_zeroed(&bt->valid, words);
    uint8_t *vals = ebuf_zeroed(&bt->vals, words);
    if (!bits || !vals)
        return;
    struct demo_cell c;
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null) {
            nulls++;
            continue;
        }
        set_bit(bits, i);
        if (c.i)
            set_bit(vals, i);
    }
    add_node(bt, n, nulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, vals, words);
}

/* Append one int32 offset (little-endian) to an offsets scratch buffer. */
static void put_offset(struct ebuf *offs, size_t v)
{
    uint8_t s[4];
    dh_fbb_put_u32(s, (uint32_t)v);
    ebuf_put(offs, s, 4);
}

/* Start a variable-size column: zeroed validity for n rows, offsets holding the leading
 * 0 (none when n = 0). The validity bits, or NULL when out of memory. */
static uint8_t *begin_offsets(struct batch *bt, size_t n)
{
    uint8_t *bits = ebuf_zeroed(&bt->valid, validity_len(n));
    bt->offs.len = 0;
    if (bits && n)
        put_offset(&bt->offs, 0);
    return bits;
}

/* VarBinaryChunkWriter: node, validity, n+1 int32 offsets (none when n = 0), data. */
static int write_varbinary(struct batch *bt, const struct demo_object *t, size_t col,
                           const int64_t *rows, size_t n, char *err)
{
    size_t nulls = 0;
    bt->vals.len = 0;
    uint8_t *bits = begin_offsets(bt, n);
    if (!bits)
        return 0;
    struct demo_cell c;
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null)
            nulls++;
        else {
            set_bit(bits, i);
            ebuf_put(&bt->vals, c.bytes, c.len);
        }
        if (bt->vals.len > INT32_MAX)
            return demo_fail(err, "RESOURCE_EXHAUSTED: a column's data exceeds 2 GiB in one batch");
        put_offset(&bt->offs, bt->vals.len);
    }
    add_node(bt, n, nulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, bt->offs.p, bt->offs.len);
    add_buffer(bt, bt->vals.p, bt->vals.len);
    return 0;
}

/* ListChunkWriter: list node, child node; list validity, list offsets, child buffers.
 * int[] elements equal to NULL_INT are null children (dh-nullable: sentinel only
 * when use_dh_nulls); String[] NULL elements are null children (validity always). */
static int write_list(struct batch *bt, const struct demo_object *t, size_t col,
                      const int64_t *rows, size_t n, char *err)
{
    enum demo_col_type ct = demo_table_col_type(t, col);
    int longs = ct == DEMO_COL_LONG_ARRAY, ints = ct == DEMO_COL_INT_ARRAY || longs;
    size_t nulls = 0, m = 0, cnulls = 0;
    bt->cvals.len = bt->coffs.len = bt->cvalid.len = 0;
    uint8_t *bits = begin_offsets(bt, n);
    if (!bits)
        return 0;
    struct demo_cell c;
    /* first pass: list offsets and the child values; child validity after */
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null) {
            nulls++;
        } else {
            set_bit(bits, i);
            size_t lo = 0, hi = c.n; /* ListChunkWriter: the head, or the tail when < 0 */
            if (bt->list_limit > 0 && (uint64_t)bt->list_limit < c.n)
                hi = (size_t)bt->list_limit;
            else if (bt->list_limit < 0 && (uint64_t)(-(bt->list_limit + 1)) + 1 < c.n)
                lo = c.n - (size_t)(-(bt->list_limit + 1)) - 1;
            for (size_t k = lo; k < hi; k++, m++) {
                int is_null = longs  ? c.longs[k] == INT64_MIN
                              : ints ? c.ints[k] == INT32_MIN
                                     : c.strs[k] == NULL;
                size_t need = validity_len(m + 1);
                if (bt->cvalid.len < need)
                    ebuf_zero(&bt->cvalid, need - bt->cvalid.len);
                if (bt->cvalid.oom)
                    return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a list");
                if (is_null)
                    cnulls++;
                else
                    set_bit(bt->cvalid.p, m);
                if (longs) {
                    uint8_t s[8];
                    dh_fbb_put_u32(s, (uint32_t)((uint64_t)c.longs[k] & 0xffffffffu));
                    dh_fbb_put_u32(s + 4, (uint32_t)((uint64_t)c.longs[k] >> 32));
                    ebuf_put(&bt->cvals, s, 8);
                } else if (ints) {
                    uint8_t s[4];
                    dh_fbb_put_u32(s, (uint32_t)c.ints[k]);
                    ebuf_put(&bt->cvals, s, 4);
                } else {
                    if (m == 0)
                        put_offset(&bt->coffs, 0);
                    if (!is_null)
                        ebuf_put(&bt->cvals, c.strs[k], strlen(c.strs[k]));
                    put_offset(&bt->coffs, bt->cvals.len);
                }
            }
        }
        if (m > INT32_MAX || bt->cvals.len > INT32_MAX)
            return demo_fail(err, "RESOURCE_EXHAUSTED: a list column exceeds 2 GiB in one batch");
        put_offset(&bt->offs, m);
    }
    if (ints && bt->use_dh_nulls)
        cnulls = 0;
    add_node(bt, n, nulls);
    add_node(bt, m, cnulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, bt->offs.p, bt->offs.len);
    add_validity(bt, bt->cvalid.p, m, cnulls);
    if (!ints)
        add_buffer(bt, bt->coffs.p, bt->coffs.len);
    add_buffer(bt, bt->cvals.p, bt->cvals.len);
    return 0;
}

/* MapChunkWriter.java: the map's node, then the entries' Struct node with
 * the map's row count plus one (0 for no rows) and the map's null count (an
 * upstream quirk dhtui must read), then the key and value nodes; buffers: the
 * map's validity and offsets, an empty Struct validity, the key column
 * (VarBinary, never null), the value column (a long: NULL_LONG for null, its
 * validity dropped with use_dh_nulls). The list length limit is not applied. */
static int write_map(struct batch *bt, const struct demo_object *t, size_t col, const int64_t *rows,
                     size_t n, char *err)
{
    size_t nulls = 0, m = 0, vnulls = 0;
    bt->cvals.len = bt->coffs.len = bt->cvalid.len = bt->vals.len = 0;
    uint8_t *bits = begin_offsets(bt, n);
    if (!bits)
        return 0;
    struct demo_cell c;
    for (size_t i = 0; i < n; i++) {
        demo_table_cell(t, rows[i], col, &c);
        if (c.is_null)
            nulls++;
        else
            set_bit(bits, i);
        for (size_t k = 0; !c.is_null && k < c.n; k++, m++) {
            if (m == 0)
                put_offset(&bt->coffs, 0);
            ebuf_put(&bt->cvals, c.strs[k], strlen(c.strs[k]));
            put_offset(&bt->coffs, bt->cvals.len);
            ebuf_zero(&bt->cvalid, validity_len(m + 1) - bt->cvalid.len);
            if (bt->cvalid.oom)
                return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a map");
            if (c.longs[k] == INT64_MIN)
                vnulls++;
            else
                set_bit(bt->cvalid.p, m);
            uint8_t v[8];
            dh_fbb_put_i64(v, c.longs[k]);
            ebuf_put(&bt->vals, v, 8);
        }
        put_offset(&bt->offs, m);
    }
    if (bt->use_dh_nulls)
        vnulls = 0;
    add_node(bt, n, nulls);
    add_node(bt, n ? n + 1 : 0, nulls);
    add_node(bt, m, 0);
    add_node(bt, m, vnulls);
    add_validity(bt, bits, n, nulls);
    add_buffer(bt, bt->offs.p, bt->offs.len);
    add_buffer(bt, NULL, 0);
    add_validity(bt, NULL, m, 0);
    add_buffer(bt, bt->coffs.p, bt->coffs.len);
    add_buffer(bt, bt->cvals.p, bt->cvals.len);
    add_validity(bt, bt->cvalid.p, m, vnulls);
    add_buffer(bt, bt->vals.p, bt->vals.len);
    return 0;
}

/* A little-endian int32 offset: one move on little-endian hosts. */
static inline void put_offset_at(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    dh_fbb_put_u32(p, v);
#endif
}

/* String column values: int32 offsets then the bytes of dict[codes[i]]. */
static int write_dict_strings(struct batch *bt, const uint8_t *codes, size_t n,
                              const char *const *dict, size_t dict_n, char *err)
{
    size_t lens[256], total = 0;
    for (size_t k = 0; k < dict_n && k < 256; k++)
        lens[k] = strlen(dict[k]);
    for (size_t i = 0; i < n; i++)
        total += lens[codes[i]];
    if (total > INT32_MAX)
        return demo_fail(err, "RESOURCE_EXHAUSTED: a column's data exceeds 2 GiB in one batch");
    uint8_t *offs = add_buffer_room(bt, (n + 1) * 4);
    if (!offs)
        return 0;
    size_t at = 0;
    put_offset_at(offs, 0);
    for (size_t i = 0; i < n; i++) {
        at += lens[codes[i]];
        put_offset_at(offs + 4 * (i + 1), (uint32_t)at);
    }
    uint8_t *data = add_buffer_room(bt, total);
    for (size_t i = 0; data && i < n; i++) {
        memcpy(data, dict[codes[i]], lens[codes[i]]);
        data += lens[codes[i]];
    }
    return 0;
}

/* A column the catalogue generates a column at a time (demo_table_column_bulk): no
 * nulls, so no validity buffer, and the values written straight into the body in the
 * same layout as write_fixed, write_bool and write_varbinary give. 1 when written (rc
 * in *rc), 0 when the column must be read cell by cell. */
static int write_bulk(struct batch *bt, const struct demo_object *t, size_t col,
                      const int64_t *rows, size_t n, int *rc, char *err)
{
    const char *const *dict;
    size_t dict_n;
    if (n == 0 || !demo_table_column_bulk(t, col, &dict, &dict_n) || dict_n > 256)
        return 0;
    enum demo_col_type ct = demo_table_col_type(t, col);
    *rc = 0;
    add_node(bt, n, 0);
    add_buffer_room(bt, 0); /* validity: omitted, as there are no nulls */
    if (ct != DEMO_COL_BOOL && ct != DEMO_COL_STRING) {
        uint8_t *vals = add_buffer_room(bt, n * fixed_width(ct));
        if (vals)
            demo_table_column(t, col, rows, n, vals);
        return 1;
    }
    /* one byte per value first: a dictionary index or 0/1 */
    bt->vals.len = 0;
    if (ebuf_reserve(&bt->vals, n) != 0)
        return 1;
    demo_table_column(t, col, rows, n, bt->vals.p);
    if (ct == DEMO_COL_STRING) {
        *rc = write_dict_strings(bt, bt->vals.p, n, dict, dict_n, err);
        return 1;
    }
    uint8_t *bits = add_buffer_room(bt, validity_len(n));
    if (bits) {
        memset(bits, 0, validity_len(n));
        for (size_t i = 0; i < n; i++)
            bits[i / 8] = (uint8_t)(bits[i / 8] | (bt->vals.p[i] & 1u) << (i % 8));
    }
    return 1;
}

static int write_column(struct batch *bt, const struct demo_object *t, size_t col,
                        const int64_t *rows, size_t n, char *err)
{
    int rc;
    if (write_bulk(bt, t, col, rows, n, &rc, err))
        return rc;
    switch (demo_table_col_type(t, col)) {
    case DEMO_COL_BOOL: write_bool(bt, t, col, rows, n); return 0;
    case DEMO_COL_STRING:
    case DEMO_COL_BIGDECIMAL:
    case DEMO_COL_BIGINTEGER:
    case DEMO_COL_BYTES: return write_varbinary(bt, t, col, rows, n, err);
    case DEMO_COL_INT_ARRAY:
    case DEMO_COL_LONG_ARRAY:
    case DEMO_COL_STRING_ARRAY: return write_list(bt, t, col, rows, n, err);
    case DEMO_COL_DICT_STRING: write_dict_column(bt, t, col, rows, n); return 0;
    case DEMO_COL_MAP: return write_map(bt, t, col, rows, n, err);
    default: write_fixed(bt, t, col, rows, n); return 0;
    }
}

static void batch_free(struct batch *bt)
{
    ebuf_free(&bt->body);
    ebuf_free(&bt->nodes);
    ebuf_free(&bt->buffers);
    ebuf_free(&bt->valid);
    ebuf_free(&bt->vals);
    ebuf_free(&bt->offs);
    ebuf_free(&bt->cvalid);
    ebuf_free(&bt->cvals);
    ebuf_free(&bt->coffs);
}

static int batch_oom(const struct batch *bt)
{
    return bt->body.oom || bt->nodes.oom || bt->buffers.oom || bt->valid.oom || bt->vals.oom ||
           bt->offs.oom || bt->cvalid.oom || bt->cvals.oom || bt->coffs.oom;
}

/* Message{V5, RecordBatch{length, nodes, buffers}, bodyLength} (wrapInMessage). */
static uint8_t *batch_header(const struct batch *bt, size_t n, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t nodes = dh_fbb_create_vector(&b, bt->nodes.p, 16, bt->nodes.len / 16, 8);
    uint32_t bufs = dh_fbb_create_vector(&b, bt->buffers.p, 16, bt->buffers.len / 16, 8);
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, (int64_t)n, 0);
    dh_fbb_add_offset(&b, 1, nodes);
    dh_fbb_add_offset(&b, 2, bufs);
    uint32_t rb = dh_fbb_end_table(&b);
    dh_fbb_start_table(&b);
    dh_fbb_add_i16(&b, 0, DEMO_ARROW_V5, 0);
    dh_fbb_add_union(&b, 2, MH_RECORD_BATCH, rb);
    dh_fbb_add_i64(&b, 3, (int64_t)bt->body.len, 0);
    uint32_t msg = dh_fbb_end_table(&b);
    uint8_t *out = dh_fbb_finish(&b, msg) == DH_OK ? dh_fbb_copy(&b, len) : NULL;
    dh_fbb_reset(&b);
    return out;
}

int demo_arrow_record_batch(const struct demo_object *t, const int64_t *rows, size_t n,
                            const uint8_t *cols, size_t cols_len, int use_dh_nulls,
                            struct demo_flight_msg *msg, char *err)
{
    return demo_arrow_record_batch_cut(t, rows, n, cols, cols_len, use_dh_nulls, 0, msg, err);
}

int demo_arrow_record_batch_cut(const struct demo_object *t, const int64_t *rows, size_t n,
                                const uint8_t *cols, size_t cols_len, int use_dh_nulls,
                                int64_t list_limit, struct demo_flight_msg *msg, char *err)
{
    memset(msg, 0, sizeof *msg);
    if (!t || !demo_object_is_table(t))
        return demo_fail(err, "FAILED_PRECONDITION: object is not a table");
    struct batch bt;
    memset(&bt, 0, sizeof bt);
    bt.use_dh_nulls = use_dh_nulls;
    bt.list_limit = list_limit;
    int rc = 0;
    /* every column is in every batch; unrequested ones are 0-length */
    for (size_t col = 0; col < demo_table_ncols(t) && rc == 0; col++) {
        int want = demo_colset_has(cols, cols_len, col);
        rc = write_column(&bt, t, col, rows, want ? n : 0, err);
    }
    if (rc == 0 && batch_oom(&bt))
        rc = demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a record batch");
    if (rc == 0) {
        msg->header = batch_header(&bt, n, &msg->header_len);
        if (!msg->header)
            rc = demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a record batch");
    }
    if (rc == 0) {
        msg->body = bt.body.p;
        msg->body_len = bt.body.len;
        bt.body.p = NULL;
    }
    batch_free(&bt);
    return rc;
}

int demo_arrow_dictionary_batch(const struct demo_object *t, size_t col,
                                struct demo_flight_msg *msg, char *err)
{
    memset(msg, 0, sizeof *msg);
    if (!t || demo_table_col_type(t, col) != DEMO_COL_DICT_STRING)
        return demo_fail(err, "INTERNAL: not a dictionary-encoded column");
    struct batch bt;
    memset(&bt, 0, sizeof bt);
    uint8_t codes[256];
    size_t n = demo_dict_n < 256 ? demo_dict_n : 256;
    for (size_t k = 0; k < n; k++)
        codes[k] = (uint8_t)k;
    add_node(&bt, n, 0);
    add_validity(&bt, NULL, n, 0);
    int rc = write_dict_strings(&bt, codes, n, demo_dict_strings, n, err);
    if (rc == 0 && batch_oom(&bt))
        rc = demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a dictionary");
    if (rc == 0) { /* Message{V5, DictionaryBatch{id, data, isDelta false}, bodyLength} */
        struct dh_fbb b;
        dh_fbb_init(&b);
        uint32_t nodes = dh_fbb_create_vector(&b, bt.nodes.p, 16, bt.nodes.len / 16, 8);
        uint32_t bufs = dh_fbb_create_vector(&b, bt.buffers.p, 16, bt.buffers.len / 16, 8);
        dh_fbb_start_table(&b);
        dh_fbb_add_i64(&b, 0, (int64_t)n, 0);
        dh_fbb_add_offset(&b, 1, nodes);
        dh_fbb_add_offset(&b, 2, bufs);
        uint32_t rb = dh_fbb_end_table(&b);
        dh_fbb_start_table(&b);
        dh_fbb_add_i64(&b, 0, dict_id(col), 0);
        dh_fbb_add_offset(&b, 1, rb);
        uint32_t db = dh_fbb_end_table(&b);
        dh_fbb_start_table(&b);
        dh_fbb_add_i16(&b, 0, DEMO_ARROW_V5, 0);
        dh_fbb_add_union(&b, 2, MH_DICTIONARY_BATCH, db);
        dh_fbb_add_i64(&b, 3, (int64_t)bt.body.len, 0);
        uint32_t m = dh_fbb_end_table(&b);
        msg->header = dh_fbb_finish(&b, m) == DH_OK ? dh_fbb_copy(&b, &msg->header_len) : NULL;
        dh_fbb_reset(&b);
        if (!msg->header)
            rc = demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a dictionary");
    }
    if (rc == 0) {
        msg->body = bt.body.p;
        msg->body_len = bt.body.len;
        bt.body.p = NULL;
    }
    batch_free(&bt);
    return rc;
}

void demo_flight_msg_clear(struct demo_flight_msg *msg)
{
    if (!msg)
        return;
    free(msg->header);
    free(msg->body);
    free(msg->app_metadata);
    memset(msg, 0, sizeof *msg);
}

void demo_flight_msgs_free(struct demo_flight_msg *msgs, size_t n)
{
    if (!msgs)
        return;
    for (size_t i = 0; i < n; i++)
        demo_flight_msg_clear(&msgs[i]);
    free(msgs);
}
