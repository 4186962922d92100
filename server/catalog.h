/* SPDX-License-Identifier: MIT */
/* catalog: the demo server's objects (tables, figures, opaque plugin objects),
 * their deterministic cell values, and the Arrow / Barrage / Figure encoders
 * server-core calls (server/handlers_*.c).
 *
 * Every cell is a pure function of (table, row, column): nothing is stored per
 * row, so a 10M-row table costs no memory and any row range is generated on
 * demand; only a column someone sorts or filters by is kept whole once generated
 * (colcache.h). Encoders live in encode_arrow.c and encode_figure.c. */
#ifndef DEMO_CATALOG_H
#define DEMO_CATALOG_H

#include <stddef.h>
#include <stdint.h>

struct demo_catalog; /* thread-safe: internal mutex */

/* What a figure object draws (encode_figure.c shapes its payload). */
enum demo_figure_kind {
    DEMO_FIG_PLOT = 0, /* plot(...): a series from one table */
    DEMO_FIG_BY,       /* plot_by(...): a multi-series over a partitioned table */
    DEMO_FIG_EXPRESS,  /* a deephaven.plot.express figure: JSON, a table per trace */
};
struct demo_object; /* pointers stay valid until demo_catalog_free (removed objects
                       are kept, marked removed) */

struct demo_catalog_options {
    int64_t trades_rows; /* rows of "trades"; <= 0 means the default 1000000 */
};

/* Create the catalogue with the ten built-ins; NULL on allocation failure. Any thread. */
struct demo_catalog *demo_catalog_new(const struct demo_catalog_options *opt);

/* Free the catalogue and every object it ever held. NULL-safe. Any thread. */
void demo_catalog_free(struct demo_catalog *cat);

/* Number of listed objects, removed ones included (hidden helper tables such as
 * "price_plot_data" are not counted: they are reached only through a figure). Any thread. */
size_t demo_catalog_count(struct demo_catalog *cat);

/* The i-th listed object in creation order, or NULL when i >= count. Any thread. */
const struct demo_object *demo_catalog_at(struct demo_catalog *cat, size_t i);

/* The live (not removed), listed object called name, or NULL. Hidden objects are not
 * found: a real server exports a figure's tables only as 'e' tickets. Any thread. */
const struct demo_object *demo_catalog_find(struct demo_catalog *cat, const char *name);

/* Add a script variable (ticket s/<name>): type "PartitionedTable" partitions `like`
 * (a static table with a Sym column; else trades) by Sym; type "Table" gives a small static copy of
 * the built-in `like` (first min(size, 1000) rows; NULL or unknown `like` gives a
 * 100-row trades-shaped table); "Figure" gives a copy of price_plot; any other type
 * string gives an opaque plugin object. A live script variable of the same name is
 * replaced (marked removed); a live built-in of that name makes the call fail.
 * Returns the new object or NULL. Any thread. */
const struct demo_object *demo_catalog_add(struct demo_catalog *cat, const char *name,
                                           const char *type, const char *like);

/* Mark the live object called name removed: 0, or -1 when there is none. Any thread. */
int demo_catalog_remove(struct demo_catalog *cat, const char *name);

/* Object accessors (immutable after creation, except the removed flag). Any thread. */
const char *demo_object_name(const struct demo_object *o);
const char *demo_object_type(const struct demo_object *o); /* "Table", "Figure", other */
const char *demo_object_description(const struct demo_object *o);
int demo_object_removed(const struct demo_object *o);
int demo_object_is_table(const struct demo_object *o);
int demo_object_is_static(const struct demo_object *o); /* quotes ticks */
/* Current row count (quotes grows every 250 ms); 0 for non-tables. Any thread. */
int64_t demo_object_size(const struct demo_object *o);
/* 1 for the built-ins (application fields a/demo/f/<name>), 0 for script variables
 * added through the control channel (s/<name>). Any thread. */
int demo_object_is_app_field(const struct demo_object *o);
/* 1 for helper tables that are never listed (a figure's data table). Any thread. */
int demo_object_hidden(const struct demo_object *o);

/* ---- Derived tables (sorted or filtered views; derive.c computes them) ----
 * A derived table is row index[i] of its parent for i < n: 8 bytes per row, cells
 * still computed. It is static (a view of a ticking table is a snapshot of its rows
 * at derive time), reference counted (catalogue objects ignore ref/unref and live
 * until demo_catalog_free) and never listed. Computed tables (statistics, aggregations,
 * dropped columns) are derived tables whose columns are some of the parent's or values
 * stored once. */
/* Take ownership of index (malloc'd, n entries, each < the parent's size; freed
 * here on failure); a derived parent is flattened. The new table with one reference,
 * or NULL. Any thread. */
const struct demo_object *demo_object_new_derived(const struct demo_object *parent, int64_t *index,
                                                  int64_t n);

/* ---- Live views (a sort, filter, distinct or aggregation of a ticking table) ----
 * A live view holds no rows itself: it remembers its source and how to derive from
 * it, and demo_object_pin gives the view as it is now, an ordinary static derived table
 * computed again whenever the source has changed since the last pin (a filter or sort
 * of the ticking quotes re-runs over all its current rows). Whoever reads cells of a table
 * that may be live pins it first and reads the pinned table; cells of the live view
 * itself read as null. */
typedef const struct demo_object *(*demo_refresh_fn)(const struct demo_object *source,
                                                     const uint8_t *recipe, size_t recipe_len);
/* A live view of source (referenced) whose current rows are `now` (the new view takes
 * that reference); refresh builds the view again from a pinned source and the recipe
 * bytes (copied). appends_only: the view only ever gains rows at its end (a filter of a
 * table that only grows), so subscribers may send appended rows instead of whole
 * viewports. NULL when out of memory (now is then released). Any thread. */
const struct demo_object *demo_object_new_live(const struct demo_object *source,
                                               const struct demo_object *now,
                                               demo_refresh_fn refresh, const uint8_t *recipe,
                                               size_t recipe_len, int appends_only);
/* The table as it is now, with a reference the caller drops: a live view's current
 * rows (refreshed if its source changed), any other table itself. Any thread. */
const struct demo_object *demo_object_pin(const struct demo_object *o);
/* 1 when the table's rows never move or vanish, it only gains rows at its end (static
 * tables, quotes, a filter of quotes); 0 for a sorted live view. Any thread. */
int demo_object_appends_only(const struct demo_object *o);
int demo_object_is_live(const struct demo_object *o);

void demo_object_ref(const struct demo_object *o);   /* NULL-safe. Any thread. */
void demo_object_unref(const struct demo_object *o); /* NULL-safe; the last one frees. */
int demo_object_is_derived(const struct demo_object *o);

/* ---- Column model (used by the encoders and tests) ---- */

/* The Java type of a column; each maps to one Arrow type (docs/PROTOCOL.md, Column types). */
enum demo_col_type {
    DEMO_COL_BYTE,
    DEMO_COL_SHORT,
    DEMO_COL_INT,
    DEMO_COL_LONG,
    DEMO_COL_CHAR,
    DEMO_COL_FLOAT,
    DEMO_COL_DOUBLE,
    DEMO_COL_BOOL,
    DEMO_COL_STRING,
    DEMO_COL_INSTANT,
    DEMO_COL_DATE,
    DEMO_COL_TIME,
    DEMO_COL_BIGDECIMAL,
    DEMO_COL_BIGINTEGER,
    DEMO_COL_BYTES,
    DEMO_COL_INT_ARRAY,
    DEMO_COL_STRING_ARRAY,
    DEMO_COL_LONG_ARRAY,      /* long[] (only computed tables: statistics' UNIQUE_COUNTS) */
    DEMO_COL_PERIOD,          /* java.time.Period: Interval(YEAR_MONTH), months in i */
    DEMO_COL_PERIOD_DURATION, /* PeriodDuration: Interval(MONTH_DAY_NANO): months, days, i ns */
    DEMO_COL_DICT_STRING,     /* java.lang.String sent dictionary-encoded (demo_dict_strings) */
    DEMO_COL_MAP,             /* java.util.Map<String, Long>: n entries, keys in strs, values
                                 in longs (INT64_MIN is a null value) */
};

/* The values of every DEMO_COL_DICT_STRING column, in dictionary order (static). */
extern const char *const demo_dict_strings[];
extern const size_t demo_dict_n;

/* One cell, filled by demo_table_cell. Pointers reference static data, the table's
 * own buffers, or scratch[] of this struct: valid while the struct and table live. */
struct demo_cell {
    int is_null;
    int64_t i;            /* integer types, CHAR (UTF-16 unit), BOOL 0/1, INSTANT ns since the
                             epoch, DATE days since the epoch, TIME ns since midnight */
    double d;             /* FLOAT, DOUBLE */
    const uint8_t *bytes; /* STRING (UTF-8, hostile cells may be invalid), BIGDECIMAL and
                             BIGINTEGER (wire form), BYTES */
    size_t len;
    size_t n;                /* INT_ARRAY / STRING_ARRAY element count, MAP entries */
    const int32_t *ints;     /* INT_ARRAY elements; INT32_MIN is a null element */
    const char *const *strs; /* STRING_ARRAY elements; NULL is a null element */
    const int64_t *longs;    /* LONG_ARRAY elements; INT64_MIN is a null element */
    int32_t months, days;    /* PERIOD (months), PERIOD_DURATION */
    char scratch[64];
};

/* Number of columns of a table (0 for non-tables). Any thread. */
size_t demo_table_ncols(const struct demo_object *t);
/* Name of column col (may hold any bytes: hostile has escapes). Any thread. */
const char *demo_table_col_name(const struct demo_object *t, size_t col);
/* Type of column col. Any thread. */
enum demo_col_type demo_table_col_type(const struct demo_object *t, size_t col);
/* Fill *c with the value at (row, col); row < size. Pure and cheap. Any thread. */
void demo_table_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c);
/* Bulk generation for the encoders' hot path (trades, read directly): 1 when column col
 * of t can be written a column at a time by demo_table_column, with no null values;
 * for STRING columns *dict gets the column's *dict_n strings (static), else NULL and 0.
 * 0: read the column cell by cell. Any thread. */
int demo_table_column_bulk(const struct demo_object *t, size_t col, const char *const **dict,
                           size_t *dict_n);
/* The values of column col at rows[0..n) (each below the size), exactly as demo_table_cell
 * gives them, for a column demo_table_column_bulk accepted: fixed-width types as n
 * little-endian values of their Arrow width, BOOL as n bytes 0/1, STRING as n bytes,
 * each an index into the column's dict. Any thread. */
void demo_table_column(const struct demo_object *t, size_t col, const int64_t *rows, size_t n,
                       uint8_t *out);
/* ---- Whole columns (the fast paths of sort and filter: sort.c, filter_eval.c) ---- */

enum demo_src_kind {
    DEMO_SRC_F64, /* double (FLOAT and DOUBLE columns) */
    DEMO_SRC_I64, /* int64 (integer-like and BOOL 0/1 columns) */
    DEMO_SRC_I32, /* int32 */
    DEMO_SRC_U8,  /* one byte: BOOL 0/1, or for a STRING column an index into dict */
};

/* Where the values of one column of a table are, as arrays: cell (row i) is
 * vals[rows ? rows[i] : i], null when nulls does so; exactly what demo_table_cell
 * gives. Pointers stay valid while the table lives. */
struct demo_col_source {
    enum demo_src_kind kind;
    const void *vals;
    const uint8_t *nulls;    /* 1 = null, indexed like vals; NULL when none is */
    const int64_t *rows;     /* NULL: row i reads vals[i] */
    const char *const *dict; /* STRING: the strings a U8 value indexes (static) */
    size_t dict_n;
};

/* 1 and *s when column col of t can be read as arrays: a bulk column of a generated
 * table (the whole column is generated on the first call and kept for the table's
 * life: colcache.h), a stored column, or either read through one derived table's
 * index (a lazy one is completed). 0: read it cell by cell. Any thread. */
int demo_table_column_source(const struct demo_object *t, size_t col, struct demo_col_source *s);
/* Rows [first, first + m) read through s as numbers, for readers that go a block at a
 * time (statistics, seek): vd[i] the value of an F64 source, else vi[i] (a U8 value
 * is its byte, a dictionary index for strings); nulls[i] 1 when the cell is null (its
 * value then undefined). vd or vi may be NULL when the kind does not fill it. Any
 * thread. */
void demo_col_source_block(const struct demo_col_source *s, int64_t first, size_t m, int64_t *vi,
                           double *vd, uint8_t *nulls);

/* A derived table whose index is computed on demand (a lazy sort or filter): row i of
 * it is row rows(ctx, i) of parent, for i < n; all(ctx) gives every row at once (n
 * entries, valid while the table lives; NULL when out of memory), for readers that
 * read the table as arrays. free(ctx) runs when the table goes. rows and all must be
 * thread-safe and pure (the same answer every time). The new table with one reference,
 * or NULL (ctx is then freed). Any thread. */
typedef int64_t (*demo_rows_fn)(void *ctx, int64_t i);
typedef const int64_t *(*demo_all_rows_fn)(void *ctx);
const struct demo_object *demo_object_new_mapped(const struct demo_object *parent, int64_t n,
                                                 demo_rows_fn rows, demo_all_rows_fn all,
                                                 void (*free_ctx)(void *), void *ctx);

/* A lazy filter's rows as bits over its parent's rows (bit r % 64 of bits[r / 64]: row
 * r kept; the view holds the kept rows in the parent's order), so that a reader of the
 * parent's columns (a sort of the filter) needs no list of them. Set once by the
 * view's maker before it is shared; bits live as long as the view. Any thread. */
void demo_object_set_subset(const struct demo_object *view, const uint64_t *bits);
/* The bits of t set by demo_object_set_subset, its parent in *parent; NULL for other
 * tables. Any thread. */
const uint64_t *demo_table_subset(const struct demo_object *t, const struct demo_object **parent);

/* Column col's extra field metadata (demo_out_col.meta), or NULL. Any thread. */
const char *const *demo_table_col_meta(const struct demo_object *t, size_t col);

/* ---- Hierarchical tables (rollup.c builds and reads them) ----
 * `add NAME rollup` makes a "HierarchicalTable" object over trades whose state comes
 * from the function set here (so the catalogue needs nothing of rollup.c); the state
 * is freed with the object through *free_fn. */
typedef void *(*demo_hier_new_fn)(const struct demo_object *source, void (**free_fn)(void *));
void demo_catalog_set_hier_fn(struct demo_catalog *cat, demo_hier_new_fn fn);
/* The state and source table of a HierarchicalTable object; NULL for others. Any thread. */
void *demo_hier_state(const struct demo_object *o);
const struct demo_object *demo_hier_source(const struct demo_object *o);
/* A computed table that materialises a HierarchicalTableView: only Barrage subscriptions
 * read it (snapshots and DoGet are refused, as upstream). Mark before sharing it. */
void demo_object_mark_hier_view(const struct demo_object *t);
int demo_object_is_hier_view(const struct demo_object *o);

/* The data table a figure plots (NULL for non-figures). Any thread. */
const struct demo_object *demo_figure_table(const struct demo_object *fig);
/* The one key column of every demo partitioned table. */
#define DEMO_PARTITION_KEY "Sym"
/* The table a "PartitionedTable" object partitions (a static catalogue table, alive
 * until demo_catalog_free), and its key column in *key; NULL for other objects. Any
 * thread. */
const struct demo_object *demo_partitioned_source(const struct demo_object *pt, const char **key);
/* A figure's enum demo_figure_kind, -1 for other objects. Any thread. */
int demo_figure_kind(const struct demo_object *o);
/* The objects a plot_by figure (its partitioned table) or a plot-express figure
 * (a table per trace) references, in reference order; 0 for others. Any thread. */
size_t demo_figure_by_tables(const struct demo_object *fig, const struct demo_object *const **out);

/* ---- Computed tables (derived tables with chosen or stored columns) ---- */

/* A column of a computed table (demo_object_new_computed). */
struct demo_out_col {
    const char *name; /* copied */
    enum demo_col_type type;
    long src;       /* >= 0: column src of the parent, read through the index (or
                       through pick); < 0: values stored below. Arrays are owned
                       by the table once created */
    int64_t *pick;  /* with src >= 0: row i reads parent row pick[i] (a group's
                       min, max, first or last), null when nulls[i] */
    int64_t *i;     /* integer-like types (LONG, INT, BOOL 0/1, INSTANT ...): n values */
    double *d;      /* FLOAT, DOUBLE: n values */
    uint8_t *nulls; /* n flags, 1 = null; NULL when no value is null */
    char **strs;    /* one-row STRING_ARRAY cell: n_elems malloc'd strings; or a STRING
                       column: one malloc'd string per row (n_elems = n) */
    int64_t *longs; /* one-row LONG_ARRAY cell: n_elems values */
    size_t n_elems;
    const char *const *meta; /* extra Arrow field metadata: key, value, ..., NULL; static */
};

/* A table of n rows whose columns are cols[0..ncols): parent columns read at row
 * index[i] (index NULL: row i, and the size follows the parent's) and stored values.
 * Takes ownership of index and of every stored array (all freed here on failure).
 * parent may be NULL when every column is stored. A derived parent is flattened when
 * that needs no copy. The new table with one reference, or NULL. Any thread. */
const struct demo_object *demo_object_new_computed(const struct demo_object *parent, int64_t *index,
                                                   int64_t n, struct demo_out_col *cols,
                                                   size_t ncols);
/* Free the stored arrays of cols[0..n) (a builder that gives up). NULL-safe. */
void demo_out_cols_free(struct demo_out_col *cols, size_t n);

/* ---- Encoders (encode_arrow.c, encode_barrage.c, encode_figure.c) ----
 * Output buffers are malloc'd; the caller frees. Return 0, or -1 with a message in
 * err (char[DEMO_ERR_MAX], may be NULL) that always starts with the gRPC status name
 * to finish the call with: "INVALID_ARGUMENT: ...", "FAILED_PRECONDITION: ...",
 * "RESOURCE_EXHAUSTED: ..." or "CANCELLED: ..." (emit asked to stop). */

#define DEMO_ERR_MAX 256

/* Encapsulated IPC schema (FF FF FF FF, int32 LE len, Message(Schema), zero pad to 8)
 * for ExportedTableCreationResponse.schema_header and FlightInfo/SchemaResult.schema.
 * Any thread. */
int demo_encode_schema_ipc(const struct demo_object *t, uint8_t **out, size_t *len, char *err);

/* One FlightData payload: header = raw Message flatbuffer (data_header); body (data_body);
 * app_metadata (may be NULL). Buffers are malloc'd. */
struct demo_flight_msg {
    uint8_t *header;
    size_t header_len;
    uint8_t *body;
    size_t body_len;
    uint8_t *app_metadata;
    size_t app_metadata_len;
};

/* Free the buffers of msgs[0..n) and then the malloc'd array itself. NULL-safe. Any thread. */
void demo_flight_msgs_free(struct demo_flight_msg *msgs, size_t n);
/* Free one message's buffers and zero it (for a message that is not in a malloc'd
 * array). Idempotent, NULL-safe. Any thread. */
void demo_flight_msg_clear(struct demo_flight_msg *msg);

/* Called per message, on the encoding thread (the message is freed after it returns);
 * non-zero stops encoding. */
typedef int (*demo_emit_fn)(void *ctx, const struct demo_flight_msg *msg);

/* DoGet: the schema message, then record batches of the whole table in snapshot chunks,
 * the first batch of each chunk carrying BarrageUpdateMetadata (docs/PROTOCOL.md, Arrow IPC).
 * Memory stays bounded (one batch at a time). -1 also when emit stops it. Any thread. */
int demo_encode_doget(const struct demo_object *t, demo_emit_fn emit, void *ctx, char *err);

/* DoExchange Barrage snapshot: `request` is the BarrageMessageWrapper (type 7) from the
 * first FlightData app_metadata. Emits the schema, then the requested viewport/columns
 * (docs/PROTOCOL.md, Barrage). On a malformed request err starts with the grpc status name
 * ("INVALID_ARGUMENT: ..."). Any thread. */
int demo_encode_barrage_snapshot(const struct demo_object *t, const uint8_t *request,
                                 size_t request_len, demo_emit_fn emit, void *ctx, char *err);

/* The payload of a figure object and the objects it references, in order
 * (*n_tables: in = capacity of tables, out = count): FigureDescriptor bytes for a
 * "Figure" (plot: its table; plot_by: its partitioned table), the plugin's JSON
 * NEW_FIGURE message for a plot-express figure (a table per trace). Any thread. */
/* A plot-express figure's later message (revision 2): trace 0 on a new
 * reference, *table, which the caller exports as the message's one reference. */
int demo_encode_express_update(const struct demo_object *fig, uint8_t **out, size_t *len,
                               const struct demo_object **table, char *err);
int demo_encode_figure(const struct demo_object *fig, uint8_t **out, size_t *len,
                       const struct demo_object **tables, size_t *n_tables, char *err);

#endif
