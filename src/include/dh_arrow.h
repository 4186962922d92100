/* SPDX-License-Identifier: MIT */
/* dh_arrow: Arrow IPC Schema and RecordBatch decoding, as Deephaven sends them
 * in Flight data (a flatbuffer Message header plus a body of buffers).
 * Pure over bytes: no gRPC, no I/O. Every offset and length from the wire is
 * checked before use (Arrow format/Message.fbs, Schema.fbs). */
#ifndef DH_ARROW_H
#define DH_ARROW_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"
#include "dh_flatbuf.h"

/* Limits against hostile schemas: fields in all (children included), nesting. */
#define DH_ARROW_MAX_FIELDS 100000
#define DH_ARROW_MAX_NESTING 32
/* Rows in one column of one batch (Arrow and Deephaven batches stay below 2^31). */
#define DH_ARROW_MAX_ROWS ((int64_t)INT32_MAX)

/* The logical types dhtui understands (what Deephaven's BarrageUtil sends). */
enum dh_type_id {
    DH_TYPE_UNSUPPORTED = 0, /* decoded structurally refused: see field->type_name */
    DH_TYPE_NULL,
    DH_TYPE_BOOL,
    DH_TYPE_INT,   /* bit_width 8/16/32/64, is_signed */
    DH_TYPE_FLOAT, /* bit_width 16/32/64 */
    DH_TYPE_UTF8,
    DH_TYPE_BINARY,
    DH_TYPE_FIXED_BINARY, /* fixed_size bytes */
    DH_TYPE_DECIMAL,      /* precision, scale, bit_width 128/256 */
    DH_TYPE_DATE,         /* unit: DH_DATE_DAY (int32) or DH_DATE_MILLI (int64) */
    DH_TYPE_TIME,         /* unit, bit_width 32/64 */
    DH_TYPE_TIMESTAMP,    /* unit, timezone (may be empty) */
    DH_TYPE_DURATION,     /* unit */
    DH_TYPE_LIST,         /* child */
    DH_TYPE_LARGE_UTF8,
    DH_TYPE_LARGE_BINARY,
    DH_TYPE_INTERVAL, /* unit: enum dh_interval_unit */
    DH_TYPE_STRUCT,   /* children, n_children */
    DH_TYPE_MAP,      /* child: the entries, a STRUCT of key and value; keys_sorted */
};

enum dh_time_unit { DH_UNIT_SECOND = 0, DH_UNIT_MILLI = 1, DH_UNIT_MICRO = 2, DH_UNIT_NANO = 3 };
enum dh_date_unit { DH_DATE_DAY = 0, DH_DATE_MILLI = 1 };
/* Schema.fbs IntervalUnit: int32 months; int32 days + int32 milliseconds;
 * int32 months + int32 days + int64 nanoseconds. */
enum dh_interval_unit {
    DH_INTERVAL_YEAR_MONTH = 0,
    DH_INTERVAL_DAY_TIME = 1,
    DH_INTERVAL_MONTH_DAY_NANO = 2
};

/* One key/value pair of custom metadata. */
struct dh_kv {
    char *key;
    char *value;
};

/* A column description. Strings are NUL-terminated, owned by the schema. */
struct dh_field {
    char *name;
    enum dh_type_id type;
    char type_name[32]; /* Arrow's name for the type, for messages ("Int", "Union") */
    int nullable;
    int bit_width;                 /* INT, FLOAT, TIME, DECIMAL */
    int is_signed;                 /* INT */
    int unit;                      /* enum dh_time_unit; enum dh_date_unit for DATE,
                                      enum dh_interval_unit for INTERVAL */
    char *timezone;                /* TIMESTAMP; "" when absent */
    int precision, scale;          /* DECIMAL */
    int fixed_size;                /* FIXED_BINARY */
    int list_size;                 /* LIST read from a FixedSizeList: elements per row
                                      (offsets are made at decode); 0 for a List */
    int run_end_width;             /* run-end encoded: bytes per run end (2, 4, 8); the
                                      type above is the values' type, expanded at decode */
    const char *dh_type;           /* metadata "deephaven:type" or NULL (points into metadata) */
    const char *dh_component_type; /* "deephaven:componentType" or NULL */
    int hidden;                    /* a Deephaven style/format column: do not show */
    int dictionary_encoded;        /* Field.dictionary set: the type above is the values' type;
                                      a batch holds indices into the dictionary */
    int64_t dict_id;               /* DictionaryEncoding.id */
    int dict_index_width;          /* bytes per index: 1, 2, 4 or 8 */
    int dict_index_signed;
    int keys_sorted;        /* MAP: Map.keysSorted */
    struct dh_field *child; /* LIST element, MAP entries, else NULL */
    size_t n_children;      /* STRUCT: its fields, in children[] */
    struct dh_field *children;
    /* A top-level column dhtui cannot decode (its type, an element type, or a
     * dictionary encoding) has type DH_TYPE_UNSUPPORTED, type_name saying what it
     * is ("Interval", "List<Union>", "Dictionary<Utf8>"), and what it takes in a
     * record batch, so that dh_batch_decode skips exactly its nodes and buffers
     * (skip_known 0: a layout dhtui does not know; such a schema is refused). */
    int skip_known;
    int skip_validity;               /* its first buffer is a validity bitmap */
    size_t skip_nodes, skip_buffers; /* field nodes and fixed buffers, children included */
    size_t skip_variadic;            /* view-typed fields inside (variadicBufferCounts entries) */
    size_t n_metadata;
    struct dh_kv *metadata;
};

/* The dictionaries of a stream's dictionary-encoded columns (opaque). */
struct dh_dicts;

/* A decoded Schema. Owns everything it points at. A stream's schema also keeps
 * the dictionaries its DictionaryBatch messages defined so far (see
 * dh_schema_apply_dictionary). */
struct dh_schema {
    int big_endian; /* Schema.endianness Big: refused by dh_schema_check_supported */
    size_t n_fields;
    struct dh_field *fields;
    size_t n_metadata;
    struct dh_kv *metadata;
    struct dh_dicts *dicts; /* NULL until a dictionary arrives */
};

/* Most bytes the dictionaries of one stream may hold (deltas add up), and
 * values one dictionary may have. */
#define DH_ARROW_MAX_DICT_BYTES ((size_t)256 << 20)
#define DH_ARROW_MAX_DICT_VALUES ((int64_t)1 << 24)
/* Most bytes one record batch may grow by when decoded (expanded dictionary
 * and run-end encoded columns, FixedSizeList offsets): a few bytes on the
 * wire can stand for many rows. */
#define DH_ARROW_MAX_EXPAND_BYTES ((size_t)512 << 20)

/* A read-only view of one column of a record batch. Buffers point into the
 * batch's body; every buffer was checked to lie inside it and to be long
 * enough for `length` values. Values may be unaligned: read with memcpy. */
struct dh_column_view {
    const struct dh_field *field;
    int64_t length;
    int64_t null_count;
    const uint8_t *validity;         /* NULL when null_count == 0: all valid */
    const uint8_t *offsets;          /* UTF8/BINARY/LIST: length+1 int32 (int64 for LARGE_*),
                                        monotonic and inside values (or the child); NULL when
                                        length == 0 */
    const uint8_t *values;           /* fixed-width values, bits (BOOL) or variable-length data;
                                        NULL when it has 0 bytes */
    size_t values_len;               /* bytes available at values */
    struct dh_column_view *child;    /* LIST: the element column; MAP: its entries, a STRUCT
                                        view whose length is the number of entries (its
                                        own node and validity, which upstream fills
                                        oddly, are ignored: never null) */
    struct dh_column_view *children; /* STRUCT: field->n_children views, each at least
                                        `length` long */
    int value_width;                 /* bytes per fixed-width value; 0 for BOOL, variable, NULL */
    int deephaven_nulls;             /* also treat Deephaven's sentinel values as null */
};

/* A decoded RecordBatch. Owns its views and (unless decoded with
 * dh_batch_decode_borrowed) its body copy. Column views point at the schema's
 * fields: the schema must outlive the batch. */
struct dh_batch {
    int64_t length;
    size_t n_columns;
    struct dh_column_view *columns; /* n_columns top-level views, then their children */
    uint8_t *body;
    size_t body_len;
    int owns_body;
    void **extra; /* blocks holding expanded columns (dictionary-encoded ones) */
    size_t n_extra;
};

/* Which kind of IPC message a header holds (Message.header_type). */
enum dh_ipc_kind {
    DH_IPC_NONE = 0,
    DH_IPC_SCHEMA = 1,
    DH_IPC_DICTIONARY_BATCH = 2,
    DH_IPC_RECORD_BATCH = 3,
    DH_IPC_TENSOR = 4,
    DH_IPC_SPARSE_TENSOR = 5,
};

/* A decoded Message envelope. A view into the bytes given to dh_ipc_message_decode. */
struct dh_ipc_message {
    int version;           /* MetadataVersion: 4 = V5 */
    enum dh_ipc_kind kind; /* header_type (values above 5 are kept as they are) */
    int64_t body_length;
    struct dh_fb_table header; /* the header table (present 0 when absent) */
};

/* One message of an Arrow IPC stream (views into the stream bytes). */
struct dh_ipc_frame {
    const uint8_t *metadata; /* the Message flatbuffer */
    size_t metadata_len;
    const uint8_t *body; /* bodyLength bytes */
    size_t body_len;
};

/* Decode the Message flatbuffer buf[0..len) (FlightData.data_header). DH_OK or
 * DH_EINVAL. Any thread. */
int dh_ipc_message_decode(const uint8_t *buf, size_t len, struct dh_ipc_message *msg,
                          struct dh_error *err);

/* The next message of an IPC stream (FF FF FF FF, int32 LE metadata length, Message,
 * padding, body; the old form without FF FF FF FF is accepted) starting at *pos;
 * advances *pos past it. DH_OK, DH_END (end-of-stream marker or no bytes left),
 * DH_NEED_MORE (the stream stops inside a message) or DH_EINVAL. Any thread. */
int dh_ipc_stream_next(const uint8_t *buf, size_t len, size_t *pos, struct dh_ipc_frame *frame,
                       struct dh_error *err);

/* Prepare an empty schema (allocates nothing). Any thread. */
void dh_schema_init(struct dh_schema *schema);

/* Free everything the schema owns and leave it empty. Idempotent, NULL-safe. Any thread. */
void dh_schema_reset(struct dh_schema *schema);

/* Decode a Message flatbuffer with a Schema header into *schema (reset first; on
 * failure it is left empty). Types dhtui cannot read are decoded as
 * DH_TYPE_UNSUPPORTED with type_name set; dh_schema_check_supported refuses them.
 * DH_OK, DH_EINVAL or DH_ENOMEM. Any thread. */
int dh_schema_decode(const uint8_t *buf, size_t len, struct dh_schema *schema,
                     struct dh_error *err);

/* Decode an encapsulated schema (FF FF FF FF, int32 LE length L, L bytes of Message,
 * padding), as in ExportedTableCreationResponse.schema_header, FlightInfo.schema and
 * SchemaResult.schema. Like dh_schema_decode. Any thread. */
int dh_schema_decode_encapsulated(const uint8_t *buf, size_t len, struct dh_schema *schema,
                                  struct dh_error *err);

/* Apply a DictionaryBatch message (header: the Message flatbuffer; body: its
 * body, only read) to the schema's dictionaries: isDelta false defines or
 * replaces dictionary `id`, isDelta true appends to it (a delta for a
 * dictionary never defined defines it). Record batches decoded afterwards read
 * their indices against it. A dictionary of no column dhtui decodes is passed
 * over. The values are copied. DH_OK, DH_EINVAL (malformed; beyond
 * DH_ARROW_MAX_DICT_BYTES), DH_ENOTSUP (compressed), DH_ENOMEM. Any thread. */
int dh_schema_apply_dictionary(struct dh_schema *schema, const uint8_t *header, size_t hlen,
                               const uint8_t *body, size_t blen, struct dh_error *err);

/* DH_OK if every column can be decoded, else DH_ENOTSUP naming the first column that
 * cannot ("column 'X': type Union is not supported"). Any thread. */
int dh_schema_check_supported(const struct dh_schema *schema, struct dh_error *err);

/* DH_OK if every column can be decoded or skipped (a batch then decodes the rest,
 * and a skipped column's cells read as not decodable, see dh_field_decodable),
 * else DH_ENOTSUP (big-endian data; a type whose layout dhtui does not know).
 * Any thread. */
int dh_schema_check_readable(const struct dh_schema *schema, struct dh_error *err);

/* Whether the cells of top-level field f can be read (0: a column dh_batch_decode
 * skips; show its type_name instead of values). NULL-safe (0). Any thread. */
int dh_field_decodable(const struct dh_field *f);

/* The value of schema-level metadata `key`, or NULL. Points into the schema. Any thread. */
const char *dh_schema_metadata(const struct dh_schema *schema, const char *key);

/* The value of field metadata `key`, or NULL. Points into the field. Any thread. */
const char *dh_field_metadata(const struct dh_field *field, const char *key);

/* Prepare an empty batch (allocates nothing). Any thread. */
void dh_batch_init(struct dh_batch *batch);

/* Free what the batch owns and leave it empty. Idempotent, NULL-safe. Any thread. */
void dh_batch_reset(struct dh_batch *batch);

/* Decode a RecordBatch: header is the Message flatbuffer (FlightData.data_header),
 * body its body (data_body), which is COPIED into the batch. *batch is reset first.
 * Refuses with DH_ENOTSUP compressed bodies, DictionaryBatch messages (see
 * dh_schema_apply_dictionary) and schemas dh_schema_check_readable refuses. A
 * dictionary-encoded column is expanded into its values (owned by the batch);
 * an index with no dictionary value is DH_EINVAL; columns it cannot decode get a view with only
 * length, null_count and validity (when their layout has one); DH_EINVAL when any node or buffer is
 * malformed (every buffer is checked inside the body and long enough; offsets monotonic and inside
 * their data). The schema must outlive the batch. Any thread. */
int dh_batch_decode(const struct dh_schema *schema, const uint8_t *header, size_t hlen,
                    const uint8_t *body, size_t blen, struct dh_batch *batch, struct dh_error *err);

/* As dh_batch_decode, but the batch BORROWS body: the caller keeps body unchanged
 * and alive until dh_batch_reset. Any thread. */
int dh_batch_decode_borrowed(const struct dh_schema *schema, const uint8_t *header, size_t hlen,
                             const uint8_t *body, size_t blen, struct dh_batch *batch,
                             struct dh_error *err);

/* Treat Deephaven's sentinel values (QueryConstants: byte/short/int/long MIN, char
 * 0xFFFF, float -FLT_MAX, double -DBL_MAX; int64 MIN for timestamps, dates, times
 * and durations; int32 MIN for YEAR_MONTH intervals; half floats with the bits of
 * NULL_SHORT, 0x8000, which is also -0.0) as null in every column, as with
 * use_deephaven_nulls. Any thread. */
void dh_batch_set_deephaven_nulls(struct dh_batch *batch, int on);

/* Accessors: cheap, no allocation; a row outside [0, col->length) reads as null / 0.
 * Whether the cell is null (validity bit clear; NULL type; a sentinel when
 * col->deephaven_nulls). Any thread. */
int dh_column_is_null(const struct dh_column_view *col, int64_t row);

/* An integer-like cell: INT (sign- or zero-extended), BOOL (0/1), DATE (days or ms),
 * TIME, TIMESTAMP, DURATION (in their unit); FLOAT truncated; else 0. Any thread. */
int64_t dh_column_get_i64(const struct dh_column_view *col, int64_t row);

/* An INT cell zero-extended as unsigned (uint64 values above INT64_MAX); others as
 * dh_column_get_i64. Any thread. */
uint64_t dh_column_get_u64(const struct dh_column_view *col, int64_t row);

/* A FLOAT cell (half, single, double) as double; integer-like cells converted; else 0.
 * Any thread. */
double dh_column_get_f64(const struct dh_column_view *col, int64_t row);

/* Bulk reads for hot loops: rows [first, first + n) (clipped to the column)
 * converted as dh_column_get_i64 / dh_column_get_f64 would, into out[]. Null
 * cells read as their slot's value: check validity separately. Returns the
 * number of values written. Any thread. */
size_t dh_column_read_i64(const struct dh_column_view *col, int64_t first, size_t n, int64_t *out);
size_t dh_column_read_f64(const struct dh_column_view *col, int64_t first, size_t n, double *out);

/* An INTERVAL cell as months, days and nanoseconds (YEAR_MONTH: months only;
 * DAY_TIME: days and milliseconds * 10^6). DH_OK, or DH_EINVAL (another type,
 * row out of range) with *out zeroed. Any thread. */
struct dh_interval {
    int32_t months;
    int32_t days;
    int64_t nanos;
};
int dh_column_get_interval(const struct dh_column_view *col, int64_t row, struct dh_interval *out);

/* A BOOL cell (0/1); integer-like cells != 0. Any thread. */
int dh_column_get_bool(const struct dh_column_view *col, int64_t row);

/* The bytes of a UTF8/BINARY/LARGE_UTF8/LARGE_BINARY/FIXED_BINARY cell, or the raw little-endian
 * value of a DECIMAL (bit_width/8 bytes); *ptr points into the batch. DH_OK, or DH_EINVAL (other
 * type, row out of range) with *ptr NULL and *len 0. Any thread. */
int dh_column_get_bytes(const struct dh_column_view *col, int64_t row, const uint8_t **ptr,
                        size_t *len);

/* Bulk dh_column_get_bytes for hot loops: rows [first, first + n) (clipped to
 * the column) as ptrs[i] (into the batch, valid for lens[i] bytes; never NULL)
 * and lens[i]. Each offset is read once. Null cells read as their slot's bytes
 * (usually empty): check validity separately. Returns the number of rows
 * written, 0 for other types. Any thread. */
size_t dh_column_read_bytes(const struct dh_column_view *col, int64_t first, size_t n,
                            const uint8_t **ptrs, size_t *lens);

/* The elements of LIST cell `row`, or the entries of MAP cell `row`: col->child rows
 * [*start, *start + *count) (a MAP's child is a STRUCT: children[0] the keys,
 * children[1] the values). DH_OK or DH_EINVAL (another type, row out of range).
 * Any thread. */
int dh_column_list_range(const struct dh_column_view *col, int64_t row, int64_t *start,
                         int64_t *count);

#endif
