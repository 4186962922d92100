/* SPDX-License-Identifier: MIT */
/* catalog.c: the demo server's objects and their deterministic cell values. */
#include "catalog.h"

#include "colcache.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_DEFAULT_TRADES_ROWS 1000000
#define DEMO_QUOTES_START 100   /* rows when the catalogue is created */
#define DEMO_QUOTES_PER_TICK 10 /* rows added per tick */
#define DEMO_QUOTES_TICK_NS 250000000LL
#define DEMO_QUOTES_CAP 10000000
#define DEMO_COPY_MAX_ROWS 1000 /* a control-channel copy keeps at most this many rows */
#define DEMO_DEFAULT_COPY_ROWS 100
#define DEMO_WIDE_COLS 60
#define DEMO_WIDE_ROWS 1000
#define DEMO_PLOT_ROWS 500
#define DEMO_BY_ROWS 200     /* rows per key of the plot_by data */
#define DEMO_BIG_CHARS 10000 /* hostile: length of the two long strings, in characters */
#define DEMO_BIGLISTS_ROWS 5
#define DEMO_BIG_LIST 400000 /* biglists: the longest list (1.6 MB of int) */
#define DEMO_COL_NAME_MAX 48

/* 2024-01-02T14:30:00Z, the first trade, in ns since the epoch. */
#define DEMO_T0_NS 1704205800000000000LL
#define DEMO_NS_PER_MS 1000000LL
#define DEMO_NS_PER_S 1000000000LL
#define DEMO_NS_PER_DAY (86400LL * DEMO_NS_PER_S)

/* Which generator fills a table's cells. */
enum demo_gen {
    GEN_TRADES,
    GEN_QUOTES,
    GEN_EMPTY,
    GEN_WIDE,
    GEN_NULLS,
    GEN_HOSTILE,
    GEN_AWKWARD,
    GEN_ODD,
    GEN_PLOT,
    GEN_BY, /* plot_by data: Timestamp, Sym, Price for each of by_syms */
    GEN_DERIVED,
    GEN_LIVE,
    GEN_BIGLISTS,
};

enum demo_kind { KIND_TABLE, KIND_FIGURE, KIND_PARTITIONED, KIND_OTHER };

struct demo_column {
    char name[DEMO_COL_NAME_MAX];
    enum demo_col_type type;
    /* derived tables: the parent column, or -1 for the stored values below */
    long src;
    int64_t *pick; /* src >= 0: parent row of each row instead of the index's */
    int64_t *vi;
    double *vd;
    uint8_t *vnull;
    char **vstrs;
    int64_t *vlongs;
    size_t velems;
    const char *const *meta; /* extra field metadata: key, value, ..., NULL (static) */
};

struct demo_object {
    char *name;
    char *type;
    char *description;
    enum demo_kind kind;
    int app_field;
    int hidden;
    atomic_int removed;
    /* tables */
    enum demo_gen gen;
    struct demo_column *cols;
    size_t ncols;
    int64_t rows; /* fixed size, or the ticking table's cap */
    int ticking;
    struct timespec t0; /* ticking: when the table started growing */
    char *big_ascii;    /* hostile: DEMO_BIG_CHARS ASCII characters */
    char *big_cjk;      /* hostile: DEMO_BIG_CHARS CJK characters (3 bytes each) */
    int32_t *big_ints;  /* biglists: 0, 1, ... DEMO_BIG_LIST - 1 */
    size_t big_cjk_len;
    /* figures: the table a plot reads; a plot_by figure's partitioned table; a
     * plot-express figure's tables (one per key); a partitioned table's merge */
    const struct demo_object *plot_table;
    /* partitioned tables: the catalogue table partitioned by its column "Sym" */
    const struct demo_object *part_source;
    enum demo_figure_kind fig;
    const struct demo_object *const *by_tables;
    size_t n_by_tables;
    int by_sym; /* GEN_BY: the one key shown, -1 for all (the merged table) */
    /* derived tables (GEN_DERIVED): row i is row index[i] of parent (row i when index
     * is NULL); freed when the last reference goes */
    const struct demo_object *parent;
    int64_t *index;
    demo_rows_fn map; /* instead of index: row i is parent row map(map_ctx, i) */
    demo_all_rows_fn map_all;
    void (*map_free)(void *);
    void *map_ctx;
    const uint64_t *subset; /* a lazy filter's kept rows as bits (demo_object_set_subset) */
    atomic_int refs;
    struct demo_colcache *cache; /* bulk tables: whole columns once generated */
    /* live views (GEN_LIVE): parent is the source; cur the rows as of the last pin,
     * derived from live_src (referenced) when it had live_seen rows */
    pthread_mutex_t live_mu;
    const struct demo_object *cur, *live_src;
    int64_t live_seen;
    demo_refresh_fn refresh;
    uint8_t *recipe;
    size_t recipe_len;
    int appends_only;
    /* hierarchical tables (type "HierarchicalTable"): the state its module keeps, freed
     * with the object; hier_view marks the table a HierarchicalTableView materialises */
    void *hier;
    void (*hier_free)(void *);
    int hier_view;
};

struct demo_catalog {
    pthread_mutex_t mu;
    struct demo_object **objs; /* listed objects, creation order */
    size_t n, cap;
    struct demo_object *plot_data; /* hidden: the table every figure plots */
    demo_hier_new_fn hier_new;     /* makes the state of `add NAME rollup` */
    /* hidden plot_by data: all keys (the merge), one table per key, and the
     * partitioned table plot_by figures reference */
    struct demo_object *by_data;
    struct demo_object *by_key[3];
    struct demo_object *by_parts;
};

/* ---- static column layouts ---- */

struct demo_col_def {
    const char *name;
    enum demo_col_type type;
};

static const struct demo_col_def trades_cols[] = {
    {"Timestamp", DEMO_COL_INSTANT}, {"Sym", DEMO_COL_STRING},      {"Price", DEMO_COL_DOUBLE},
    {"Size", DEMO_COL_INT},          {"Exchange", DEMO_COL_STRING}, {"Flag", DEMO_COL_BOOL},
    {"Id", DEMO_COL_LONG},
};

static const struct demo_col_def quotes_cols[] = {
    {"Timestamp", DEMO_COL_INSTANT}, {"Sym", DEMO_COL_STRING},  {"Bid", DEMO_COL_DOUBLE},
    {"Ask", DEMO_COL_DOUBLE},        {"BidSize", DEMO_COL_INT}, {"AskSize", DEMO_COL_INT},
};

static const struct demo_col_def empty_cols[] = {
    {"Id", DEMO_COL_LONG},
    {"Name", DEMO_COL_STRING},
    {"Value", DEMO_COL_DOUBLE},
};

/* "Case" describes the row; then one column per supported Java type. */
static const struct demo_col_def nulls_cols[] = {
    {"Case", DEMO_COL_STRING},
    {"Byte", DEMO_COL_BYTE},
    {"Short", DEMO_COL_SHORT},
    {"Int", DEMO_COL_INT},
    {"Long", DEMO_COL_LONG},
    {"Char", DEMO_COL_CHAR},
    {"Float", DEMO_COL_FLOAT},
    {"Double", DEMO_COL_DOUBLE},
    {"Boolean", DEMO_COL_BOOL},
    {"String", DEMO_COL_STRING},
    {"Instant", DEMO_COL_INSTANT},
    {"LocalDate", DEMO_COL_DATE},
    {"LocalTime", DEMO_COL_TIME},
    {"BigDecimal", DEMO_COL_BIGDECIMAL},
    {"BigInteger", DEMO_COL_BIGINTEGER},
    {"Bytes", DEMO_COL_BYTES},
    {"IntArray", DEMO_COL_INT_ARRAY},
    {"StringArray", DEMO_COL_STRING_ARRAY},
};

/* `add NAME odd_types`: types a real server sends that the other tables do not
 * (upstream BarrageUtil: Period, PeriodDuration; a dictionary-encoded column and
 * a Map column as a table uploaded from pyarrow keeps them). */
static const struct demo_col_def odd_cols[] = {
    {"Case", DEMO_COL_STRING},
    {"Period", DEMO_COL_PERIOD},
    {"PeriodDuration", DEMO_COL_PERIOD_DURATION},
    {"Colour", DEMO_COL_DICT_STRING},
    {"Scores", DEMO_COL_MAP},
};
enum { ODD_ROWS = 6 };
const char *const demo_dict_strings[] = {"red", "green", "blue", "cyan"};
const size_t demo_dict_n = sizeof demo_dict_strings / sizeof *demo_dict_strings;

/* Two column names are hostile too: headers need sanitising as much as cells. */
static const struct demo_col_def hostile_cols[] = {
    {"Id", DEMO_COL_INT},
    {"Case", DEMO_COL_STRING},
    {"Payload", DEMO_COL_STRING},
    {"L\xc3\xa4nge \xe9\x95\xb7\xe3\x81\x95", DEMO_COL_INT},
    {"PayloadBytes", DEMO_COL_BYTES},
    {"Esc\x1b[31mName\x1b[0m", DEMO_COL_STRING},
};

/* Numbers and text that exports get wrong: see awkward_rows. */
static const struct demo_col_def awkward_cols[] = {
    {"Case", DEMO_COL_STRING},     {"Double", DEMO_COL_DOUBLE}, {"Float", DEMO_COL_FLOAT},
    {"Long", DEMO_COL_LONG},       {"Int", DEMO_COL_INT},       {"Short", DEMO_COL_SHORT},
    {"Byte", DEMO_COL_BYTE},       {"Char", DEMO_COL_CHAR},     {"String", DEMO_COL_STRING},
    {"Instant", DEMO_COL_INSTANT},
};

static const struct demo_col_def plot_cols[] = {
    {"Timestamp", DEMO_COL_INSTANT},
    {"Price", DEMO_COL_DOUBLE},
};

static const struct demo_col_def by_cols[] = {
    {"Timestamp", DEMO_COL_INSTANT},
    {"Sym", DEMO_COL_STRING},
    {"Price", DEMO_COL_DOUBLE},
};

/* The keys of the plot_by data, in partition (merge) order. */
static const char *const by_syms[] = {"AAPL", "GOOG", "MSFT"};

/* wide cycles through these types. */
static const enum demo_col_type wide_types[] = {
    DEMO_COL_INT,     DEMO_COL_DOUBLE, DEMO_COL_STRING, DEMO_COL_LONG,
    DEMO_COL_INSTANT, DEMO_COL_BOOL,   DEMO_COL_FLOAT,  DEMO_COL_SHORT,
    DEMO_COL_BYTE,    DEMO_COL_CHAR,   DEMO_COL_DATE,   DEMO_COL_TIME,
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- value helpers ---- */

/* splitmix64: a cheap, well-mixed hash so every cell is a pure function of its row. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static double round_cents(double v)
{
    return round(v * 100.0) / 100.0;
}

static void cell_str(struct demo_cell *c, const char *s)
{
    c->bytes = (const uint8_t *)s;
    c->len = strlen(s);
}

static void cell_bytes(struct demo_cell *c, const void *p, size_t len)
{
    c->bytes = p;
    c->len = len;
}

/* Format into the cell's scratch and point the value at it. */
__attribute__((format(printf, 2, 3))) static void cell_printf(struct demo_cell *c, const char *fmt,
                                                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->scratch, sizeof c->scratch, fmt, ap);
    va_end(ap);
    c->bytes = (const uint8_t *)c->scratch;
    c->len = n < 0 ? 0 : (size_t)n < sizeof c->scratch ? (size_t)n : sizeof c->scratch - 1;
}

static const char *const syms[] = {
    "AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "IBM", "ORCL", "INTC",
};
static const double sym_base[] = {190, 370, 140, 150, 480, 350, 250, 160, 105, 45};
static const char *const exchanges[] = {"NYSE", "NASDAQ", "ARCA", "BATS", "IEX"};

/* ---- trades ---- */

/* Each trades value from its row and h = mix64(row); shared by trades_cell and
 * trades_column so both give the same values. */
static inline size_t trades_sym(uint64_t h)
{
    return (size_t)((h >> 8) % ARRAY_LEN(syms));
}

static inline int64_t trades_timestamp(int64_t row, uint64_t h)
{
    /* one slot of 100 ms per trade, jittered inside it */
    return DEMO_T0_NS + row * 100 * DEMO_NS_PER_MS + (int64_t)(h % (100 * DEMO_NS_PER_MS));
}

/* A price: the symbol's base times 1 + wave + noise, to the cent. The wave is +-4% over
 * 20000 rows, a symbol's phase 3183 rows (one radian) after the previous one's, a
 * sine's shape drawn as two parabolas; the noise +-0.5% in steps of 0.001%. All in
 * integers (units of 2e-10 of the base), so a 10M-row column is generated in tens of
 * milliseconds (a sine per row cost 0.2 s) and trades_cell and trades_column agree
 * exactly. */
static inline double trades_price(int64_t row, uint64_t h)
{
    /* sym_base in cents */
    static const uint64_t base_cents[] = {19000, 37000, 14000, 15000, 48000,
                                          35000, 25000, 16000, 10500, 4500};
    size_t sym = trades_sym(h);
    uint64_t p = ((uint64_t)row + sym * 3183) % 20000, half = p % 10000;
    uint64_t y = 8 * half * (10000 - half);      /* 0 .. 200,000,000 */
    uint64_t noise = 50000 * ((h >> 20) % 1000); /* 0 .. 49,950,000 */
    /* 5e9 * (1 + wave + noise), noise centred on 0 (its offset 25e6 taken off) */
    uint64_t scaled = (p < 10000 ? 5000000000 - 25000000 + y : 5000000000 - 25000000 - y) + noise;
    return (double)((base_cents[sym] * scaled + 2500000000) / 5000000000) / 100.0;
}

static inline int32_t trades_size(uint64_t h)
{
    /* mostly round lots, some odd lots */
    return (h >> 40) % 7 == 0 ? (int32_t)((h >> 44) % 99 + 1) : 100 * (int32_t)(1 + (h >> 32) % 50);
}

static inline size_t trades_exchange(uint64_t h)
{
    return (size_t)((h >> 48) % ARRAY_LEN(exchanges));
}

static inline int trades_flag(uint64_t h)
{
    return ((h >> 56) & 3) == 0;
}

static void trades_cell(int64_t row, size_t col, struct demo_cell *c)
{
    uint64_t h = mix64((uint64_t)row);
    switch (col) {
    case 0: c->i = trades_timestamp(row, h); break;
    case 1: cell_str(c, syms[trades_sym(h)]); break;
    case 2: c->d = trades_price(row, h); break;
    case 3: c->i = trades_size(h); break;
    case 4: cell_str(c, exchanges[trades_exchange(h)]); break;
    case 5: c->i = trades_flag(h); break;
    default: c->i = row; break;
    }
}

/* Little-endian stores (the Arrow body's byte order): one move on little-endian hosts. */
static inline void put_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* demo_table_column for trades: one loop per column, the hash once per value. */
static void trades_column(size_t col, const int64_t *rows, size_t n, uint8_t *out)
{
    switch (col) {
    case 0:
        for (size_t i = 0; i < n; i++)
            put_le64(out + 8 * i, (uint64_t)trades_timestamp(rows[i], mix64((uint64_t)rows[i])));
        break;
    case 1:
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)trades_sym(mix64((uint64_t)rows[i]));
        break;
    case 2:
        for (size_t i = 0; i < n; i++) {
            double d = trades_price(rows[i], mix64((uint64_t)rows[i]));
            uint64_t u;
            memcpy(&u, &d, 8);
            put_le64(out + 8 * i, u);
        }
        break;
    case 3:
        for (size_t i = 0; i < n; i++)
            put_le32(out + 4 * i, (uint32_t)trades_size(mix64((uint64_t)rows[i])));
        break;
    case 4:
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)trades_exchange(mix64((uint64_t)rows[i]));
        break;
    case 5:
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)trades_flag(mix64((uint64_t)rows[i]));
        break;
    default:
        for (size_t i = 0; i < n; i++)
            put_le64(out + 8 * i, (uint64_t)rows[i]);
        break;
    }
}

/* ---- quotes ---- */

static void quotes_cell(int64_t row, size_t col, struct demo_cell *c)
{
    uint64_t h = mix64((uint64_t)row ^ 0x51ED270B27A3C5D1ULL);
    size_t sym = (size_t)(row % (int64_t)ARRAY_LEN(syms));
    double mid = sym_base[sym] * (1.0 + 0.01 * sin((double)row / 300.0 + (double)sym));
    double bid = round_cents(mid - 0.01 * (double)(1 + h % 3));
    switch (col) {
    case 0: /* ten quotes per 250 ms tick */ c->i = DEMO_T0_NS + row * 25 * DEMO_NS_PER_MS; break;
    case 1: cell_str(c, syms[sym]); break;
    case 2: c->d = bid; break;
    case 3: c->d = round_cents(bid + 0.01 * (double)(1 + (h >> 4) % 5)); break;
    case 4: c->i = 100 * (int64_t)(1 + (h >> 12) % 20); break;
    default: c->i = 100 * (int64_t)(1 + (h >> 24) % 20); break;
    }
}

/* ---- empty (only the copies made through `like` ever have rows) ---- */

static void empty_cell(int64_t row, size_t col, struct demo_cell *c)
{
    switch (col) {
    case 0: c->i = row; break;
    case 1: cell_printf(c, "name-%lld", (long long)row); break;
    default: c->d = (double)row * 0.5; break;
    }
}

/* ---- wide ---- */

static void wide_cell(int64_t row, size_t col, struct demo_cell *c)
{
    uint64_t h = mix64((uint64_t)row * 64 + col);
    if (h % 23 == 0) { /* about 4% nulls, so validity buffers show up */
        c->is_null = 1;
        return;
    }
    switch (wide_types[col % ARRAY_LEN(wide_types)]) {
    case DEMO_COL_INT: c->i = (int64_t)(h % 2000001) - 1000000; break;
    case DEMO_COL_DOUBLE: c->d = (double)(h % 1000000) / 100.0 - 5000.0; break;
    case DEMO_COL_STRING: cell_printf(c, "r%lldc%u", (long long)row, (unsigned)col); break;
    case DEMO_COL_LONG: c->i = (int64_t)(h >> 2) - (INT64_C(1) << 60); break;
    case DEMO_COL_INSTANT:
        c->i = DEMO_T0_NS + row * DEMO_NS_PER_S + (int64_t)col * DEMO_NS_PER_MS;
        break;
    case DEMO_COL_BOOL: c->i = (int64_t)(h & 1); break;
    case DEMO_COL_FLOAT: c->d = (double)(float)((double)(h % 10000) / 16.0); break;
    case DEMO_COL_SHORT: c->i = (int64_t)(h % 60000) - 30000; break;
    case DEMO_COL_BYTE: c->i = (int64_t)(h % 250) - 125; break;
    case DEMO_COL_CHAR: c->i = 'A' + (int64_t)(h % 26); break;
    case DEMO_COL_DATE: c->i = 19724 + row % 365; break;
    default: c->i = ((row * 37 + (int64_t)col) * DEMO_NS_PER_S) % DEMO_NS_PER_DAY; break;
    }
}

/* ---- nulls: one row per case; row 0 is null everywhere ---- */

enum { NULLS_ROWS = 8 };

static const char *const nulls_case[NULLS_ROWS] = {
    NULL,
    "typical",
    "minimum non-null",
    "maximum",
    "zeros and specials",
    "every other column null",
    "null array elements",
    "negative",
};

/* BigDecimal wire form: int32 LE scale, then the unscaled value big-endian two's
 * complement, after stripTrailingZeros (DefaultChunkWriterFactory.binaryFromBigDecimal). */
static const uint8_t bd_123_45[] = {0x02, 0, 0, 0, 0x30, 0x39};
static const uint8_t bd_m0_5[] = {0x01, 0, 0, 0, 0xfb};
static const uint8_t bd_big[] = {
    0x09, 0,    0,    0,    0x27, 0xe4, 0x1b, 0x32,
    0x46, 0xbe, 0xc9, 0xb1, 0x6e, 0x39, 0x81, 0x15}; /* 12345678901234567890.123456789 */
static const uint8_t bd_zero[] = {0, 0, 0, 0, 0};
static const uint8_t bd_100[] = {0xfe, 0xff, 0xff, 0xff, 0x01};          /* 1E+2 */
static const uint8_t bd_neg[] = {0x04, 0, 0, 0, 0xc5, 0x21, 0x97, 0x4f}; /* -98765.4321 */
/* BigInteger: BigInteger.toByteArray. */
static const uint8_t bi_2p64p1[] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const uint8_t bi_m1[] = {0xff};
static const uint8_t bi_m2p70[] = {0xc0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t bi_zero[] = {0x00};
static const uint8_t bi_m129[] = {0xff, 0x7f};
static const uint8_t bytes_deadbeef[] = {0xde, 0xad, 0xbe, 0xef};
static const uint8_t bytes_edge[] = {0x00, 0xff, 0x7f, 0x80};
static const uint8_t bytes_zero[] = {0x00};
static const uint8_t bytes_ff[] = {0xff};

static const int32_t ia_123[] = {1, 2, 3};
static const int32_t ia_max[] = {INT32_MAX, -1, 0};
static const int32_t ia_zero[] = {0};
static const int32_t ia_nullel[] = {1, INT32_MIN, 3};
static const int32_t ia_m1[] = {-1};
static const char *const sa_abc[] = {"a", "b", "c"};
static const char *const sa_max[] = {"x", "", "longer element"};
static const char *const sa_empty_str[] = {""};
static const char *const sa_nullel[] = {"a", NULL, "c"};
static const char *const sa_only[] = {"only"};

struct nulls_binary {
    const uint8_t *p;
    size_t len;
};

#define NB(a)                                                                                      \
    {                                                                                              \
        a, sizeof a                                                                                \
    }

static void nulls_cell(int64_t row, size_t col, struct demo_cell *c)
{
    /* per-row values; index = row */
    static const int64_t v_byte[] = {0, 42, -127, 127, 0, 0, 5, -1};
    static const int64_t v_short[] = {0, 1234, -32767, 32767, 0, 0, 6, -1};
    static const int64_t v_int[] = {0, 123456, -2147483647, 2147483647, 0, 0, 7, -1};
    static const int64_t v_long[] = {0, 1234567890123LL, INT64_MIN + 1, INT64_MAX, 0, 0, 8, -1};
    static const int64_t v_char[] = {0, 'A', 0, 0xFFFE, ' ', 0, 'z', 0xE9};
    static const int v_bool[] = {0, 1, 0, 1, 0, 0, 1, 0};
    static const char *const v_string[] = {
        NULL,
        "hello",
        "",
        "\xc3\xbcn\xc3\xaf"
        "c\xc3\xb6"
        "d\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
        "0",
        "s",
        "with \"quotes\", commas",
        "line\nbreak",
    };
    static const int64_t v_instant[] = {
        0,
        1704205800123456789LL,
        -1,
        INT64_MAX,
        0,
        0,
        1704205800000000000LL,
        -2208988800LL * DEMO_NS_PER_S,
    };
    static const int64_t v_date[] = {0, 19724, -1, 2932896, 0, 0, 19724, -25567};
    static const int64_t v_time[] = {
        0, 52200123456789LL, 0, DEMO_NS_PER_DAY - 1, 0, 0, 1, 43200LL * DEMO_NS_PER_S,
    };
    static const struct nulls_binary v_bigdec[] = {
        {NULL, 0},   NB(bd_123_45), NB(bd_m0_5), NB(bd_big),
        NB(bd_zero), NB(bd_zero),   NB(bd_100),  NB(bd_neg),
    };
    static const struct nulls_binary v_bigint[] = {
        {NULL, 0},   NB(bi_2p64p1), NB(bi_m1),   NB(bi_m2p70),
        NB(bi_zero), NB(bi_zero),   NB(bi_zero), NB(bi_m129),
    };
    static const struct nulls_binary v_bytes[] = {
        {NULL, 0},      NB(bytes_deadbeef), {bytes_zero, 0}, NB(bytes_edge),
        NB(bytes_zero), NB(bytes_zero),     NB(bytes_ff),    NB(bytes_ff),
    };
    struct int_arr {
        const int32_t *p;
        size_t n;
    };
    static const struct int_arr v_ia[] = {
        {NULL, 0},    {ia_123, 3},  {ia_zero, 0},   {ia_max, 3},
        {ia_zero, 1}, {ia_zero, 1}, {ia_nullel, 3}, {ia_m1, 1},
    };
    struct str_arr {
        const char *const *p;
        size_t n;
    };
    static const struct str_arr v_sa[] = {
        {NULL, 0},         {sa_abc, 3},       {sa_abc, 0},    {sa_max, 3},
        {sa_empty_str, 1}, {sa_empty_str, 1}, {sa_nullel, 3}, {sa_only, 1},
    };
    size_t r = (size_t)row % NULLS_ROWS;
    /* row 0: everything null; row 5: every other typed column null */
    if (r == 0 || (r == 5 && col % 2 == 1)) {
        c->is_null = 1;
        return;
    }
    switch (col) {
    case 0: cell_str(c, nulls_case[r]); break;
    case 1: c->i = v_byte[r]; break;
    case 2: c->i = v_short[r]; break;
    case 3: c->i = v_int[r]; break;
    case 4: c->i = v_long[r]; break;
    case 5: c->i = v_char[r]; break;
    case 6: {
        /* row 2: the float just above the null sentinel -FLT_MAX */
        static const float f[] = {0, 3.25f, 0, FLT_MAX, NAN, 0, -INFINITY, -1.5f};
        c->d = (double)(r == 2 ? nextafterf(-FLT_MAX, 0.0f) : f[r]);
        break;
    }
    case 7: {
        static const double d[] = {0, 2.718281828459045, 0, DBL_MAX, INFINITY, 0, -0.0, -1e-300};
        c->d = r == 2 ? nextafter(-DBL_MAX, 0.0) : d[r];
        break;
    }
    case 8: c->i = v_bool[r]; break;
    case 9: cell_str(c, v_string[r]); break;
    case 10: c->i = v_instant[r]; break;
    case 11: c->i = v_date[r]; break;
    case 12: c->i = v_time[r]; break;
    case 13: cell_bytes(c, v_bigdec[r].p, v_bigdec[r].len); break;
    case 14: cell_bytes(c, v_bigint[r].p, v_bigint[r].len); break;
    case 15: cell_bytes(c, v_bytes[r].p, v_bytes[r].len); break;
    case 16:
        c->ints = v_ia[r].p;
        c->n = v_ia[r].n;
        break;
    default:
        c->strs = v_sa[r].p;
        c->n = v_sa[r].n;
        break;
    }
}

/* ---- hostile: text that must never reach a terminal unsanitised ---- */

struct hostile_case {
    const char *name;
    const char *text; /* NULL: the long strings built at creation */
    size_t len;       /* 0: strlen(text) */
};

#define HC(n, t)                                                                                   \
    {                                                                                              \
        n, t, sizeof(t) - 1                                                                        \
    }

static const struct hostile_case hostile_cases[] = {
    HC("clear screen", "before\x1b[2J\x1b[Hafter"),
    HC("OSC 52 clipboard write", "\x1b]52;c;ZWNobyBwd25lZA==\x07"
                                 "copied?"),
    HC("OSC 8 hyperlink", "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\"),
    HC("BEL", "ding\x07\x07\x07"),
    HC("cursor moves", "\x1b[10;10H\x1b[Aup\x1b[5Cright\x1b[s\x1b[2Kgone\x1b[u"),
    HC("8-bit CSI (U+009B)", "\xc2\x9b"
                             "31mred\xc2\x9b"
                             "0m"),
    HC("window title", "\x1b]0;pwned title\x07\x1b]2;again\x1b\\"),
    HC("alt screen and mouse", "\x1b[?1049h\x1b[?1000h\x1b[?25l"),
    HC("DCS APC PM", "\x1bP+q544e\x1b\\ \x1b_apc\x1b\\ \x1b^pm\x1b\\"),
    HC("truncated escape", "dangling \x1b["),
    {"10,000 ASCII characters", NULL, 0},
    {"10,000 CJK characters", NULL, 1},
    HC("CJK wide",
       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad"
       "\xe3\x82\xb9\xe3\x83\x88 \xe4\xb8\xad\xe6\x96\x87 \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"),
    HC("combining marks", "e\xcc\x81\xcc\x82\xcc\x83 Z\xcd\x91\xcd\x92\xcd\x93\xcc\xb4\xcc\xb5"
                          "a\xcc\xb6\xcc\xb7\xcc\xb8lgo"),
    HC("Hebrew (RTL)", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d"),
    HC("Arabic (RTL)", "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xa8\xd8\xa7\xd9\x84"
                       "\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85"),
    HC("bidi override", "abc\xe2\x80\xae"
                        "dcba\xe2\x80\xac def \xe2\x81\xa6isolate\xe2\x81\xa9"),
    HC("invalid UTF-8", "bad \xff\xfe \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80 \xe2\x82 end"),
    HC("NUL inside", "before\0after"),
    HC("control characters", "line1\nline2\r\ttab\vvt\ffeed\b\bbs\x7f"
                             "del"),
    HC("zero-width and emoji", "a\xe2\x80\x8b"
                               "b\xe2\x80\x8c"
                               "c\xe2\x80\x8d"
                               "d\xef\xbb\xbf "
                               "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 \xf0\x9f\x87\xba"
                               "\xf0\x9f\x87\xb8"),
};

enum { HOSTILE_ROWS = (int)ARRAY_LEN(hostile_cases) };

static void hostile_payload(const struct demo_object *t, size_t r, const uint8_t **p, size_t *len)
{
    const struct hostile_case *hc = &hostile_cases[r];
    if (hc->text) {
        *p = (const uint8_t *)hc->text;
        *len = hc->len;
    } else if (hc->len == 0) {
        *p = (const uint8_t *)t->big_ascii;
        *len = t->big_ascii ? DEMO_BIG_CHARS : 0;
    } else {
        *p = (const uint8_t *)t->big_cjk;
        *len = t->big_cjk ? t->big_cjk_len : 0;
    }
}

static void hostile_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c)
{
    size_t r = (size_t)row % HOSTILE_ROWS;
    const uint8_t *p;
    size_t len;
    hostile_payload(t, r, &p, &len);
    switch (col) {
    case 0: c->i = row; break;
    case 1: cell_str(c, hostile_cases[r].name); break;
    case 2:
    case 4: cell_bytes(c, p, len); break;
    case 3: c->i = (int64_t)len; break;
    default: cell_printf(c, "\x1b[7m%s\x1b[0m", hostile_cases[r].name); break;
    }
}

static int hostile_alloc(struct demo_object *t)
{
    t->big_ascii = malloc(DEMO_BIG_CHARS + 1);
    t->big_cjk_len = (size_t)DEMO_BIG_CHARS * 3;
    t->big_cjk = malloc(t->big_cjk_len + 1);
    if (!t->big_ascii || !t->big_cjk)
        return -1;
    for (size_t i = 0; i < DEMO_BIG_CHARS; i++) {
        /* a ruler: digits, with a '|' every 10 so truncation is visible */
        t->big_ascii[i] = i % 10 == 9 ? '|' : (char)('0' + (i / 10) % 10);
        unsigned cp = 0x4E00u + (unsigned)(i % 500); /* CJK unified ideographs */
        t->big_cjk[3 * i] = (char)(0xE0 | (cp >> 12));
        t->big_cjk[3 * i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t->big_cjk[3 * i + 2] = (char)(0x80 | (cp & 0x3F));
    }
    t->big_ascii[DEMO_BIG_CHARS] = '\0';
    t->big_cjk[t->big_cjk_len] = '\0';
    return 0;
}

/* ---- biglists: list cells from 2 to DEMO_BIG_LIST elements ----
 * Row 2's list alone is larger than a 1 MiB message limit, row 1's longer
 * than a preview of 1,000 elements but small: the cases previewListLengthLimit
 * is for. Element k of every list is k. */

static const struct demo_col_def biglists_cols[] = {
    {"Id", DEMO_COL_LONG},
    {"Length", DEMO_COL_INT},
    {"Items", DEMO_COL_INT_ARRAY},
};

static const size_t biglists_len[DEMO_BIGLISTS_ROWS] = {3, 1500, DEMO_BIG_LIST, 0, 2};

static void biglists_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c)
{
    size_t n = biglists_len[(size_t)row % DEMO_BIGLISTS_ROWS];
    switch (col) {
    case 0: c->i = row; break;
    case 1: c->i = (int64_t)n; break;
    default:
        c->n = n;
        c->ints = t->big_ints;
        break;
    }
}

static int biglists_alloc(struct demo_object *t)
{
    t->big_ints = malloc(sizeof *t->big_ints * DEMO_BIG_LIST);
    if (!t->big_ints)
        return -1;
    for (int32_t k = 0; k < DEMO_BIG_LIST; k++)
        t->big_ints[k] = k;
    return 0;
}

/* ---- awkward: numbers and text that exports get wrong ----
 * Shortest-representation cases, subnormals, signed zeros, infinities, NaN,
 * integers around 2^53 and at the ends of every width, and strings holding
 * every character CSV and TSV must escape. The signed minimum of each width
 * is Deephaven's null (QueryConstants.NULL_BYTE ...), so the smallest values
 * a Deephaven column can hold are MIN + 1, as here; likewise -DBL_MAX,
 * -FLT_MAX and char 0xFFFF. */

struct awkward_row {
    const char *name;
    double d;
    float f;
    int64_t l;
    int32_t i;
    int16_t s;
    int8_t b;
    uint16_t c;
    const char *str; /* NULL: a null cell */
    int64_t instant;
};

static const struct awkward_row awkward_rows[] = {
    {"zero", 0.0, 0.0f, 0, 0, 0, 0, '0', "0", 0},
    {"negative zero", -0.0, -0.0f, -1, -1, -1, -1, '-', "-0", -1},
    {"one tenth, empty string", 0.1, 0.1f, 1, 1, 1, 1, 'A', "", 1},
    {"0.1 + 0.2, null string", 0.1 + 0.2, 0.1f + 0.2f, 10, 10, 10, 10, 'z', NULL,
     1704205800123456789LL},
    {"one third", 1.0 / 3.0, 1.0f / 3.0f, 1000000007, 1000000007, 1007, 107, ' ',
     "with \"quotes\", commas", 1000},
    {"2^53 + 1", 9007199254740992.0, 16777216.0f, 9007199254740993LL, 16777217, 4097, 65, '\t',
     "9007199254740993", 9007199254740993LL},
    {"-(2^53 + 1)", -9007199254740992.0, -16777216.0f, -9007199254740993LL, -16777217, -4097, -65,
     '\n', "line\nbreak", -9007199254740993LL},
    {"largest", DBL_MAX, FLT_MAX, INT64_MAX, INT32_MAX, INT16_MAX, INT8_MAX, 0xFFFE, "cr\rreturn",
     INT64_MAX},
    {"smallest non-null", -0x1.ffffffffffffep+1023, -0x1.fffffcp+127f, INT64_MIN + 1, INT32_MIN + 1,
     INT16_MIN + 1, INT8_MIN + 1, 0, "crlf\r\n", INT64_MIN + 1},
    {"smallest subnormal", 0x1p-1074, 0x1p-149f, 2, 2, 2, 2, 0xE9, "tab\there", 2},
    {"largest subnormal", 0x0.fffffffffffffp-1022, 0x0.fffffep-126f, 3, 3, 3, 3, 0x65E5,
     "back\\slash", 3},
    {"smallest normal", DBL_MIN, FLT_MIN, 4, 4, 4, 4, '"', "\\N", 4},
    {"negative subnormal", -0x1p-1074, -0x1p-149f, -2, -2, -2, -2, ',', "NULL", -2},
    {"infinity", INFINITY, INFINITY, INT32_MAX + 1LL, INT16_MAX + 1, INT8_MAX + 1, 0, '\\',
     " leading and trailing ", 86400000000000LL},
    {"-infinity", -INFINITY, -INFINITY, INT32_MIN - 1LL, INT16_MIN - 1, INT8_MIN - 1, -1, '\r',
     "\"", -86400000000000LL},
    {"NaN", NAN, NAN, 5, 5, 5, 5, 'N', "NaN", 5},
    {"1e21 and 1e-7", 1e21, 1e-7f, 6, 6, 6, 6, 'e', ",", 6},
    {"1e22 and 1e23", 1e23, 1e22f, 7, 7, 7, 7, 'E', "\\", 7},
    {"2^63 and long digits", 9223372036854775808.0, 1.2345678e-30f, 8, 8, 8, 8, 0x7F,
     "multi\nline\r\nwith \"all\", of\tit\\", 8},
    {"shortest long decimals", 1.2345678901234567e-300, 3.4028234e+38f, 9, 9, 9, 9, 0x80,
     "\xc3\xbc"
     "n\xc3\xaf"
     "c\xc3\xb6"
     "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
     9},
    {"5e-324 times 3", 1.5e-323, 2.8e-45f, 11, 11, 11, 11, '=', "=1+2", 11},
};

enum { AWKWARD_ROWS = (int)ARRAY_LEN(awkward_rows) };

static void awkward_cell(int64_t row, size_t col, struct demo_cell *c)
{
    const struct awkward_row *a = &awkward_rows[(size_t)row % AWKWARD_ROWS];
    switch (col) {
    case 0: cell_str(c, a->name); break;
    case 1: c->d = a->d; break;
    case 2: c->d = (double)a->f; break;
    case 3: c->i = a->l; break;
    case 4: c->i = a->i; break;
    case 5: c->i = a->s; break;
    case 6: c->i = a->b; break;
    case 7: c->i = a->c; break;
    case 8:
        c->is_null = a->str == NULL;
        if (a->str)
            cell_str(c, a->str);
        break;
    default: c->i = a->instant; break;
    }
}

/* ---- price_plot_data: a smooth series over the first trades' timestamps ---- */

static void plot_cell(int64_t row, size_t col, struct demo_cell *c)
{
    if (col == 0) {
        trades_cell(row, 0, c);
        return;
    }
    double x = (double)row;
    c->d = round_cents(100.0 + 10.0 * sin(x / 40.0) + 3.0 * sin(x / 7.0) + x / 50.0);
}

/* ---- plot_by data: a price per key; the merge holds each key's rows in turn ---- */

static void by_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c)
{
    int64_t sym = t->by_sym >= 0 ? t->by_sym : row / DEMO_BY_ROWS;
    int64_t k = t->by_sym >= 0 ? row : row % DEMO_BY_ROWS;
    double x = (double)k;
    switch (col) {
    case 0: c->i = DEMO_T0_NS + k * DEMO_NS_PER_S; break;
    case 1: cell_str(c, by_syms[sym % (int64_t)ARRAY_LEN(by_syms)]); break;
    default:
        c->d =
            round_cents(100.0 + 40.0 * (double)sym + 8.0 * sin(x / 25.0 + (double)sym) + x / 20.0);
        break;
    }
}

/* ---- derived and computed tables ---- */

static void derived_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c)
{
    const struct demo_column *dc = &t->cols[col];
    if (dc->pick) {
        if (dc->vnull && dc->vnull[row])
            c->is_null = 1;
        else
            demo_table_cell(t->parent, dc->pick[row], (size_t)dc->src, c);
        return;
    }
    if (dc->src >= 0) {
        int64_t prow = t->map ? t->map(t->map_ctx, row) : t->index ? t->index[row] : row;
        demo_table_cell(t->parent, prow, (size_t)dc->src, c);
        return;
    }
    c->is_null = dc->vnull && dc->vnull[row];
    if (dc->vi)
        c->i = dc->vi[row];
    if (dc->vd)
        c->d = dc->vd[row];
    if (dc->vstrs && dc->type == DEMO_COL_STRING) {
        c->bytes = (const uint8_t *)dc->vstrs[row];
        c->len = c->bytes ? strlen(dc->vstrs[row]) : 0;
        c->is_null = c->is_null || !c->bytes;
    } else if (dc->vstrs) {
        c->strs = (const char *const *)dc->vstrs;
        c->n = dc->velems;
    }
    if (dc->vlongs) {
        c->longs = dc->vlongs;
        c->n = dc->velems;
    }
}

/* ---- cell dispatch ---- */

static void odd_cell(int64_t row, size_t col, struct demo_cell *c)
{
    static const char *const cases[ODD_ROWS] = {"nulls", "one of each", "negative",
                                                "zero",  "years",       "big"};
    static const int32_t months[ODD_ROWS] = {0, 1, -1, 0, 17, INT32_MAX};
    static const int32_t days[ODD_ROWS] = {0, 3, -3, 0, 0, INT32_MIN};
    static const int64_t nanos[ODD_ROWS] = {0, 1500000000,      -1500000000,
                                            0, 3723000000001LL, INT64_MAX};
    static const int colour[ODD_ROWS] = {0, 0, 2, 1, 3, 0};
    /* Scores: {a=1, b=null}, {x=-5}, {}, {y=17, m=0}, {max=Long.MAX_VALUE} */
    static const char *const keys[] = {"a", "b", "x", "y", "m", "max"};
    static const int64_t scores[] = {1, INT64_MIN, -5, 17, 0, INT64_MAX};
    static const size_t first[ODD_ROWS] = {0, 0, 2, 3, 3, 5}, count[ODD_ROWS] = {0, 2, 1, 0, 2, 1};
    size_t r = (size_t)row % ODD_ROWS;
    if (r == 0 && col > 0) {
        c->is_null = 1;
        return;
    }
    switch (col) {
    case 0: cell_str(c, cases[r]); break;
    case 1: c->months = months[r]; break;
    case 2:
        c->months = months[r];
        c->days = days[r];
        c->i = nanos[r];
        break;
    case 3: cell_str(c, demo_dict_strings[colour[r]]); break;
    default:
        c->n = count[r];
        c->strs = keys + first[r];
        c->longs = scores + first[r];
        break;
    }
}

void demo_table_cell(const struct demo_object *t, int64_t row, size_t col, struct demo_cell *c)
{
    c->is_null = 0;
    c->i = 0;
    c->d = 0;
    c->bytes = NULL;
    c->len = 0;
    c->months = c->days = 0;
    c->n = 0;
    c->ints = NULL;
    c->strs = NULL;
    c->longs = NULL;
    switch (t->gen) {
    case GEN_DERIVED: derived_cell(t, row, col, c); break;
    case GEN_LIVE: c->is_null = 1; break; /* readers pin first (catalog.h) */
    case GEN_TRADES: trades_cell(row, col, c); break;
    case GEN_QUOTES: quotes_cell(row, col, c); break;
    case GEN_EMPTY: empty_cell(row, col, c); break;
    case GEN_WIDE: wide_cell(row, col, c); break;
    case GEN_NULLS: nulls_cell(row, col, c); break;
    case GEN_HOSTILE: hostile_cell(t, row, col, c); break;
    case GEN_BIGLISTS: biglists_cell(t, row, col, c); break;
    case GEN_AWKWARD: awkward_cell(row, col, c); break;
    case GEN_ODD: odd_cell(row, col, c); break;
    case GEN_BY: by_cell(t, row, col, c); break;
    default: plot_cell(row, col, c); break;
    }
}

int demo_table_column_bulk(const struct demo_object *t, size_t col, const char *const **dict,
                           size_t *dict_n)
{
    if (!t || t->kind != KIND_TABLE || t->gen != GEN_TRADES || col >= t->ncols)
        return 0;
    *dict = col == 1 ? syms : col == 4 ? exchanges : NULL;
    *dict_n = col == 1 ? ARRAY_LEN(syms) : col == 4 ? ARRAY_LEN(exchanges) : 0;
    return 1;
}

void demo_table_column(const struct demo_object *t, size_t col, const int64_t *rows, size_t n,
                       uint8_t *out)
{
    trades_column(col, rows, n, out);
    (void)t;
}

size_t demo_table_ncols(const struct demo_object *t)
{
    return t && t->kind == KIND_TABLE ? t->ncols : 0;
}

const char *demo_table_col_name(const struct demo_object *t, size_t col)
{
    return col < demo_table_ncols(t) ? t->cols[col].name : "";
}

enum demo_col_type demo_table_col_type(const struct demo_object *t, size_t col)
{
    return col < demo_table_ncols(t) ? t->cols[col].type : DEMO_COL_INT;
}

const char *const *demo_table_col_meta(const struct demo_object *t, size_t col)
{
    return col < demo_table_ncols(t) ? t->cols[col].meta : NULL;
}

void demo_catalog_set_hier_fn(struct demo_catalog *cat, demo_hier_new_fn fn)
{
    pthread_mutex_lock(&cat->mu);
    cat->hier_new = fn;
    pthread_mutex_unlock(&cat->mu);
}

void *demo_hier_state(const struct demo_object *o)
{
    return o && o->kind == KIND_OTHER ? o->hier : NULL;
}

const struct demo_object *demo_hier_source(const struct demo_object *o)
{
    return o && o->kind == KIND_OTHER && o->hier ? o->parent : NULL;
}

void demo_object_set_subset(const struct demo_object *view, const uint64_t *bits)
{
    ((struct demo_object *)view)->subset = bits;
}

const uint64_t *demo_table_subset(const struct demo_object *t, const struct demo_object **parent)
{
    if (!t || t->gen != GEN_DERIVED || !t->subset)
        return NULL;
    *parent = t->parent;
    return t->subset;
}

void demo_object_mark_hier_view(const struct demo_object *t)
{
    ((struct demo_object *)t)->hier_view = 1;
}

int demo_object_is_hier_view(const struct demo_object *o)
{
    return o && o->hier_view;
}

const struct demo_object *demo_figure_table(const struct demo_object *fig)
{
    return fig && fig->kind == KIND_FIGURE ? fig->plot_table : NULL;
}

const struct demo_object *demo_partitioned_source(const struct demo_object *pt, const char **key)
{
    *key = DEMO_PARTITION_KEY;
    return pt && pt->kind == KIND_PARTITIONED ? pt->part_source : NULL;
}

int demo_figure_kind(const struct demo_object *o)
{
    return o && o->kind == KIND_FIGURE ? (int)o->fig : -1;
}

size_t demo_figure_by_tables(const struct demo_object *fig, const struct demo_object *const **out)
{
    *out = fig && fig->kind == KIND_FIGURE ? fig->by_tables : NULL;
    return *out ? fig->n_by_tables : 0;
}

/* ---- objects ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static void column_values_free(struct demo_column *c)
{
    free(c->pick);
    free(c->vi);
    free(c->vd);
    free(c->vnull);
    for (size_t k = 0; c->vstrs && k < c->velems; k++)
        free(c->vstrs[k]);
    free(c->vstrs);
    free(c->vlongs);
}

static void object_free(struct demo_object *o)
{
    if (!o)
        return;
    for (size_t c = 0; o->gen == GEN_DERIVED && o->cols && c < o->ncols; c++)
        column_values_free(&o->cols[c]);
    free(o->name);
    free(o->type);
    free(o->description);
    free(o->cols);
    free(o->big_ascii);
    free(o->big_cjk);
    free(o->big_ints);
    free(o->index);
    if (o->map_free)
        o->map_free(o->map_ctx);
    demo_colcache_free(o->cache);
    free(o->recipe);
    if (o->hier_free)
        o->hier_free(o->hier);
    free(o);
}

static struct demo_object *object_new(const char *name, const char *type, const char *desc,
                                      enum demo_kind kind, int app_field)
{
    struct demo_object *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->name = dup_str(name);
    o->type = dup_str(type);
    o->description = dup_str(desc);
    o->kind = kind;
    o->app_field = app_field;
    atomic_init(&o->removed, 0);
    if (!o->name || !o->type || !o->description) {
        object_free(o);
        return NULL;
    }
    return o;
}

static int set_columns(struct demo_object *o, const struct demo_col_def *defs, size_t n)
{
    o->cols = calloc(n ? n : 1, sizeof *o->cols);
    if (!o->cols)
        return -1;
    for (size_t i = 0; i < n; i++) {
        snprintf(o->cols[i].name, sizeof o->cols[i].name, "%s", defs[i].name);
        o->cols[i].type = defs[i].type;
    }
    o->ncols = n;
    return 0;
}

static int set_wide_columns(struct demo_object *o)
{
    o->cols = calloc(DEMO_WIDE_COLS, sizeof *o->cols);
    if (!o->cols)
        return -1;
    for (size_t i = 0; i < DEMO_WIDE_COLS; i++) {
        snprintf(o->cols[i].name, sizeof o->cols[i].name, "Col%02u", (unsigned)i);
        o->cols[i].type = wide_types[i % ARRAY_LEN(wide_types)];
    }
    o->ncols = DEMO_WIDE_COLS;
    return 0;
}

/* Give table o the layout (and any buffers) of generator gen. */
static int setup_table(struct demo_object *o, enum demo_gen gen, int64_t rows)
{
    int rc;
    o->gen = gen;
    o->rows = rows;
    switch (gen) {
    case GEN_TRADES:
        rc = set_columns(o, trades_cols, ARRAY_LEN(trades_cols));
        o->cache = rc == 0 ? demo_colcache_new(o->ncols) : NULL; /* none: no fast path */
        break;
    case GEN_QUOTES: rc = set_columns(o, quotes_cols, ARRAY_LEN(quotes_cols)); break;
    case GEN_EMPTY: rc = set_columns(o, empty_cols, ARRAY_LEN(empty_cols)); break;
    case GEN_WIDE: rc = set_wide_columns(o); break;
    case GEN_NULLS: rc = set_columns(o, nulls_cols, ARRAY_LEN(nulls_cols)); break;
    case GEN_HOSTILE:
        rc = set_columns(o, hostile_cols, ARRAY_LEN(hostile_cols));
        if (rc == 0)
            rc = hostile_alloc(o);
        break;
    case GEN_AWKWARD: rc = set_columns(o, awkward_cols, ARRAY_LEN(awkward_cols)); break;
    case GEN_ODD: rc = set_columns(o, odd_cols, ARRAY_LEN(odd_cols)); break;
    case GEN_BIGLISTS:
        rc = set_columns(o, biglists_cols, ARRAY_LEN(biglists_cols));
        if (rc == 0)
            rc = biglists_alloc(o);
        break;
    case GEN_BY: rc = set_columns(o, by_cols, ARRAY_LEN(by_cols)); break;
    default: rc = set_columns(o, plot_cols, ARRAY_LEN(plot_cols)); break;
    }
    return rc;
}

static struct demo_object *table_new(const char *name, const char *desc, int app_field,
                                     enum demo_gen gen, int64_t rows)
{
    struct demo_object *o = object_new(name, "Table", desc, KIND_TABLE, app_field);
    if (!o)
        return NULL;
    if (setup_table(o, gen, rows) != 0) {
        object_free(o);
        return NULL;
    }
    return o;
}

/* "1,000,000" */
static void format_thousands(char *out, size_t cap, int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0 && o + 2 < cap)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static int catalog_push(struct demo_catalog *cat, struct demo_object *o)
{
    if (cat->n == cat->cap) {
        size_t ncap = cat->cap ? cat->cap * 2 : 16;
        struct demo_object **p = realloc(cat->objs, ncap * sizeof *p);
        if (!p)
            return -1;
        cat->objs = p;
        cat->cap = ncap;
    }
    cat->objs[cat->n++] = o;
    return 0;
}

static struct demo_object *figure_new(struct demo_catalog *cat, const char *name, const char *desc,
                                      int app_field)
{
    struct demo_object *o = object_new(name, "Figure", desc, KIND_FIGURE, app_field);
    if (o)
        o->plot_table = cat->plot_data;
    return o;
}

/* plot_by("Price by Sym", data, "Timestamp", "Price", "Sym"): a Figure whose one
 * multi-series reads the partitioned table. */
static struct demo_object *figure_by_new(struct demo_catalog *cat, const char *name)
{
    struct demo_object *o =
        object_new(name, "Figure", "Prices by Sym (plot_by: a series per key)", KIND_FIGURE, 1);
    if (o) {
        o->fig = DEMO_FIG_BY;
        o->by_tables = (const struct demo_object *const *)&cat->by_parts;
        o->n_by_tables = 1;
    }
    return o;
}

/* px.line(data, x="Timestamp", y="Price", color="Sym"): the plugin's figure
 * sends a table per key. */
static struct demo_object *figure_px_new(struct demo_catalog *cat, const char *name)
{
    struct demo_object *o =
        object_new(name, "deephaven.plot.express.DeephavenFigure",
                   "Prices by Sym (deephaven.plot.express line chart)", KIND_FIGURE, 1);
    if (o) {
        o->fig = DEMO_FIG_EXPRESS;
        o->by_tables = (const struct demo_object *const *)cat->by_key;
        o->n_by_tables = ARRAY_LEN(cat->by_key);
    }
    return o;
}

/* The hidden plot_by data: the merged table, a table per key, the partitioned
 * table over them. 0 or -1. */
static int add_by_data(struct demo_catalog *cat)
{
    cat->by_data = table_new("price_by_sym_data", "Data of price_by_sym", 0, GEN_BY,
                             DEMO_BY_ROWS * (int64_t)ARRAY_LEN(by_syms));
    if (!cat->by_data)
        return -1;
    cat->by_data->by_sym = -1;
    cat->by_data->hidden = 1;
    for (size_t i = 0; i < ARRAY_LEN(cat->by_key); i++) {
        cat->by_key[i] =
            table_new(by_syms[i], "One key of price_by_sym_data", 0, GEN_BY, DEMO_BY_ROWS);
        if (!cat->by_key[i])
            return -1;
        cat->by_key[i]->by_sym = (int)i;
        cat->by_key[i]->hidden = 1;
    }
    cat->by_parts = object_new("price_by_sym_parts", "PartitionedTable",
                               "price_by_sym_data partitioned by Sym", KIND_PARTITIONED, 0);
    if (!cat->by_parts)
        return -1;
    cat->by_parts->part_source = cat->by_data;
    cat->by_parts->hidden = 1;
    return 0;
}

static int add_builtins(struct demo_catalog *cat, int64_t trades_rows)
{
    char desc[96], num[32];
    format_thousands(num, sizeof num, trades_rows);
    snprintf(desc, sizeof desc, "%s synthetic trades", num);

    struct demo_object *objs[10];
    objs[0] = table_new("trades", desc, 1, GEN_TRADES, trades_rows);
    objs[1] =
        table_new("quotes", "Ticking quotes: 10 more every 250 ms", 1, GEN_QUOTES, DEMO_QUOTES_CAP);
    if (objs[1]) {
        objs[1]->ticking = 1;
        clock_gettime(CLOCK_MONOTONIC, &objs[1]->t0);
    }
    objs[2] = table_new("empty", "A table with no rows", 1, GEN_EMPTY, 0);
    objs[3] = table_new("wide", "60 columns of mixed types", 1, GEN_WIDE, DEMO_WIDE_ROWS);
    objs[4] = table_new("nulls", "A null in every column type", 1, GEN_NULLS, NULLS_ROWS);
    objs[5] = table_new("hostile", "Escape sequences, huge, wide, bidi and invalid text", 1,
                        GEN_HOSTILE, HOSTILE_ROWS);
    objs[6] = figure_new(cat, "price_plot", "Line plot of a price over time", 1);
    objs[7] = table_new("awkward",
                        "Numbers and text exports get wrong: subnormals, -0, NaN, "
                        "2^53 + 1, quotes, CR, tabs",
                        1, GEN_AWKWARD, AWKWARD_ROWS);
    objs[8] = figure_by_new(cat, "price_by_sym");
    objs[9] = figure_px_new(cat, "price_px");
    int rc = 0;
    for (size_t i = 0; i < ARRAY_LEN(objs); i++) {
        if (rc != 0 || !objs[i] || catalog_push(cat, objs[i]) != 0) {
            object_free(objs[i]);
            rc = -1;
        }
    }
    return rc;
}

struct demo_catalog *demo_catalog_new(const struct demo_catalog_options *opt)
{
    int64_t trades_rows = opt && opt->trades_rows > 0 ? opt->trades_rows : DEMO_DEFAULT_TRADES_ROWS;
    struct demo_catalog *cat = calloc(1, sizeof *cat);
    if (!cat)
        return NULL;
    pthread_mutex_init(&cat->mu, NULL);
    int64_t plot_rows = trades_rows < DEMO_PLOT_ROWS ? trades_rows : DEMO_PLOT_ROWS;
    cat->plot_data = table_new("price_plot_data", "Data of price_plot", 0, GEN_PLOT, plot_rows);
    if (!cat->plot_data || add_by_data(cat) != 0 || add_builtins(cat, trades_rows) != 0) {
        demo_catalog_free(cat);
        return NULL;
    }
    cat->plot_data->hidden = 1;
    return cat;
}

void demo_catalog_free(struct demo_catalog *cat)
{
    if (!cat)
        return;
    /* churn first: it holds counted references and reads quotes when it goes */
    for (size_t i = 0; i < cat->n; i++) {
        if (cat->objs[i]->gen == GEN_LIVE) {
            demo_object_unref(cat->objs[i]);
            cat->objs[i] = NULL;
        }
    }
    for (size_t i = 0; i < cat->n; i++)
        object_free(cat->objs[i]); /* NULL-safe */
    free(cat->objs);
    object_free(cat->plot_data);
    object_free(cat->by_data);
    for (size_t i = 0; i < ARRAY_LEN(cat->by_key); i++)
        object_free(cat->by_key[i]);
    object_free(cat->by_parts);
    pthread_mutex_destroy(&cat->mu);
    free(cat);
}

size_t demo_catalog_count(struct demo_catalog *cat)
{
    pthread_mutex_lock(&cat->mu);
    size_t n = cat->n;
    pthread_mutex_unlock(&cat->mu);
    return n;
}

const struct demo_object *demo_catalog_at(struct demo_catalog *cat, size_t i)
{
    pthread_mutex_lock(&cat->mu);
    const struct demo_object *o = i < cat->n ? cat->objs[i] : NULL;
    pthread_mutex_unlock(&cat->mu);
    return o;
}

/* Caller holds the mutex. */
static struct demo_object *find_locked(struct demo_catalog *cat, const char *name)
{
    for (size_t i = cat->n; i-- > 0;) {
        struct demo_object *o = cat->objs[i];
        if (!atomic_load(&o->removed) && strcmp(o->name, name) == 0)
            return o;
    }
    return NULL;
}

const struct demo_object *demo_catalog_find(struct demo_catalog *cat, const char *name)
{
    if (!name)
        return NULL;
    pthread_mutex_lock(&cat->mu);
    const struct demo_object *o = find_locked(cat, name);
    pthread_mutex_unlock(&cat->mu);
    return o;
}

/* ---- churn (the control command `add NAME churn`) ----
 * A small live table for watching a table change: on every tick of quotes (its
 * clock) some rows leave, some come back between others, and some values
 * change; each tick re-derives it (demo_object_new_live), so subscribers get the
 * whole viewport again, as for a sorted live view. */
enum { CHURN_IDS = 20 };

/* Whether id k is in the table at tick g: of the first three, 0 to 2 are gone
 * (every row below moves), and each later id leaves for one tick in 7. */
static int churn_present(int64_t k, int64_t g)
{
    return k < 3 ? k >= g % 3 : (k * 3 + g) % 7 != 0;
}

static const struct demo_object *churn_refresh(const struct demo_object *quotes,
                                               const uint8_t *recipe, size_t recipe_len)
{
    (void)recipe;
    (void)recipe_len;
    int64_t g = demo_object_size(quotes) / DEMO_QUOTES_PER_TICK;
    int64_t *id = malloc(CHURN_IDS * sizeof *id), *value = malloc(CHURN_IDS * sizeof *value);
    if (!id || !value) {
        free(id);
        free(value);
        return NULL;
    }
    int64_t n = 0;
    for (int64_t k = 0; k < CHURN_IDS; k++) {
        if (!churn_present(k, g))
            continue;
        id[n] = 10 * (k + 1);
        value[n++] = 1000 * (k + 1) + (g + k) / 3; /* a third of the rows change per tick */
    }
    struct demo_out_col cols[2] = {
        {.name = "Id", .type = DEMO_COL_LONG, .src = -1, .i = id},
        {.name = "Value", .type = DEMO_COL_LONG, .src = -1, .i = value},
    };
    return demo_object_new_computed(NULL, NULL, n, cols, 2);
}

/* The churn table `name`, ticking with quotes (NULL without quotes). Caller holds
 * the mutex. */
static struct demo_object *churn_new(struct demo_catalog *cat, const char *name)
{
    const struct demo_object *quotes = find_locked(cat, "quotes");
    const struct demo_object *now = quotes ? churn_refresh(quotes, NULL, 0) : NULL;
    if (!now)
        return NULL;
    struct demo_object *o =
        (struct demo_object *)demo_object_new_live(quotes, now, churn_refresh, NULL, 0, 0);
    char *n = o ? dup_str(name) : NULL;
    char *d = o ? dup_str("Rows come, go and change on every quotes tick") : NULL;
    if (!n || !d) {
        free(n);
        free(d);
        demo_object_unref(o);
        return NULL;
    }
    free(o->name);
    free(o->description);
    o->name = n;
    o->description = d;
    o->hidden = 0;
    return o;
}

/* A partitioned table of `like` by Sym (like: a static catalogue table with that column;
 * else trades). Caller holds the mutex. */
static struct demo_object *partitioned_new(struct demo_catalog *cat, const char *name,
                                           const struct demo_object *like)
{
    int fits = like && like->kind == KIND_TABLE && !like->ticking && like->gen != GEN_LIVE;
    for (size_t c = 0; fits && c < like->ncols; c++)
        if (strcmp(like->cols[c].name, DEMO_PARTITION_KEY) == 0)
            fits = 2;
    const struct demo_object *src = fits == 2 ? like : find_locked(cat, "trades");
    if (!src)
        return NULL;
    char desc[160];
    snprintf(desc, sizeof desc, "%s partitioned by %s", src->name, DEMO_PARTITION_KEY);
    struct demo_object *o = object_new(name, "PartitionedTable", desc, KIND_PARTITIONED, 0);
    if (o)
        o->part_source = src;
    return o;
}

/* `add NAME rollup [quotes]`: a HierarchicalTable over trades (or the ticking quotes),
 * its state made by cat->hier_new. */
static struct demo_object *rollup_new(struct demo_catalog *cat, const char *name,
                                      const struct demo_object *like)
{
    int quotes = like && strcmp(like->name, "quotes") == 0;
    const struct demo_object *src = quotes ? like : find_locked(cat, "trades");
    if (!src)
        return NULL;
    struct demo_object *o = object_new(name, "HierarchicalTable",
                                       quotes ? "Rollup of ticking quotes by Sym, BidSize"
                                              : "Rollup of trades by Exchange, Sym",
                                       KIND_OTHER, 0);
    if (!o)
        return NULL;
    o->parent = src;
    o->hier = cat->hier_new(src, &o->hier_free);
    if (!o->hier) {
        object_free(o);
        return NULL;
    }
    return o;
}

/* A new script-variable object of `type`, shaped after `like` where it applies. */
static struct demo_object *make_added(struct demo_catalog *cat, const char *name, const char *type,
                                      const struct demo_object *like)
{
    char desc[128];
    if (strcmp(type, "Figure") == 0)
        return figure_new(cat, name, "Line plot of a price over time", 0);
    if (strcmp(type, "churn") == 0)
        return churn_new(cat, name);
    if (strcmp(type, "biglists") == 0)
        return table_new(name, "Lists of up to 400,000 elements", 0, GEN_BIGLISTS,
                         DEMO_BIGLISTS_ROWS);
    if (strcmp(type, "PartitionedTable") == 0)
        return partitioned_new(cat, name, like);
    if (strcmp(type, "rollup") == 0 && cat->hier_new)
        return rollup_new(cat, name, like);
    if (strcmp(type, "odd_types") == 0)
        return table_new(name, "Intervals, a dictionary-encoded column, a map", 0, GEN_ODD,
                         ODD_ROWS);
    if (strcmp(type, "Table") != 0) {
        snprintf(desc, sizeof desc, "An opaque %s object", type);
        return object_new(name, type, desc, KIND_OTHER, 0);
    }
    enum demo_gen gen = GEN_TRADES;
    int64_t rows = DEMO_DEFAULT_COPY_ROWS;
    if (like && like->kind == KIND_TABLE) {
        gen = like->gen;
        rows = demo_object_size(like);
        if (rows > DEMO_COPY_MAX_ROWS)
            rows = DEMO_COPY_MAX_ROWS;
        snprintf(desc, sizeof desc, "A %lld-row copy of %s", (long long)rows, like->name);
    } else {
        snprintf(desc, sizeof desc, "A %lld-row table", (long long)rows);
    }
    return table_new(name, desc, 0, gen, rows);
}

const struct demo_object *demo_catalog_add(struct demo_catalog *cat, const char *name,
                                           const char *type, const char *like)
{
    if (!cat || !name || !name[0] || !type)
        return NULL;
    pthread_mutex_lock(&cat->mu);
    struct demo_object *old = find_locked(cat, name);
    struct demo_object *o = NULL;
    if (old && old->app_field)
        goto out; /* names stay unique among live objects, so find is unambiguous */
    o = make_added(cat, name, type, like ? find_locked(cat, like) : NULL);
    if (o && catalog_push(cat, o) != 0) {
        if (o->gen == GEN_LIVE)
            demo_object_unref(o);
        else
            object_free(o);
        o = NULL;
    }
    if (o && old)
        atomic_store(&old->removed, 1);
out:
    pthread_mutex_unlock(&cat->mu);
    return o;
}

int demo_catalog_remove(struct demo_catalog *cat, const char *name)
{
    if (!cat || !name)
        return -1;
    pthread_mutex_lock(&cat->mu);
    struct demo_object *o = find_locked(cat, name);
    if (o)
        atomic_store(&o->removed, 1);
    pthread_mutex_unlock(&cat->mu);
    return o ? 0 : -1;
}

const char *demo_object_name(const struct demo_object *o)
{
    return o->name;
}

const char *demo_object_type(const struct demo_object *o)
{
    return o->type;
}

const char *demo_object_description(const struct demo_object *o)
{
    return o->description;
}

int demo_object_removed(const struct demo_object *o)
{
    return atomic_load(&((struct demo_object *)o)->removed);
}

int demo_object_is_table(const struct demo_object *o)
{
    return o->kind == KIND_TABLE;
}

int demo_object_is_static(const struct demo_object *o)
{
    if (o->gen == GEN_LIVE)
        return 0;
    if (o->gen == GEN_DERIVED && !o->index && !o->map && o->parent)
        return demo_object_is_static(o->parent);
    return !o->ticking;
}

int demo_object_is_app_field(const struct demo_object *o)
{
    return o->app_field;
}

int demo_object_hidden(const struct demo_object *o)
{
    return o->hidden;
}

int64_t demo_object_size(const struct demo_object *o)
{
    if (o->kind != KIND_TABLE)
        return 0;
    if (o->gen == GEN_LIVE) {
        const struct demo_object *now = demo_object_pin(o);
        int64_t n = demo_object_size(now);
        demo_object_unref(now);
        return n;
    }
    if (o->gen == GEN_DERIVED && !o->index && !o->map && o->parent)
        return demo_object_size(o->parent);
    if (!o->ticking)
        return o->rows;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - o->t0.tv_sec) * DEMO_NS_PER_S +
                 (int64_t)(now.tv_nsec - o->t0.tv_nsec);
    int64_t ticks = ns > 0 ? ns / DEMO_QUOTES_TICK_NS : 0;
    if (ticks > (o->rows - DEMO_QUOTES_START) / DEMO_QUOTES_PER_TICK)
        return o->rows;
    return DEMO_QUOTES_START + ticks * DEMO_QUOTES_PER_TICK;
}

/* ---- derived tables ---- */

void demo_out_cols_free(struct demo_out_col *cols, size_t n)
{
    for (size_t c = 0; cols && c < n; c++) {
        struct demo_column tmp = {.pick = cols[c].pick,
                                  .vi = cols[c].i,
                                  .vd = cols[c].d,
                                  .vnull = cols[c].nulls,
                                  .vstrs = cols[c].strs,
                                  .vlongs = cols[c].longs,
                                  .velems = cols[c].n_elems};
        column_values_free(&tmp);
        cols[c].i = cols[c].longs = cols[c].pick = NULL;
        cols[c].d = NULL;
        cols[c].nulls = NULL;
        cols[c].strs = NULL;
    }
}

/* Whether a derived table's columns can be read straight from its parent's parent:
 * every column a parent column (so index and columns compose). */
static int can_flatten(const struct demo_object *parent, const struct demo_out_col *cols,
                       size_t ncols, const int64_t *index)
{
    if (parent->gen != GEN_DERIVED || parent->map || (!index && parent->index))
        return 0;
    for (size_t c = 0; c < ncols; c++)
        if (cols[c].src < 0 || cols[c].pick || (size_t)cols[c].src >= parent->ncols ||
            parent->cols[cols[c].src].src < 0 || parent->cols[cols[c].src].pick)
            return 0;
    return 1;
}

const struct demo_object *demo_object_new_computed(const struct demo_object *parent, int64_t *index,
                                                   int64_t n, struct demo_out_col *cols,
                                                   size_t ncols)
{
    long *src = malloc((ncols ? ncols : 1) * sizeof *src);
    for (size_t c = 0; src && c < ncols; c++)
        src[c] = cols[c].src;
    if (src && parent && can_flatten(parent, cols, ncols, index)) { /* rows of the base */
        for (int64_t i = 0; index && parent->index && i < n; i++)
            index[i] = parent->index[index[i]];
        for (size_t c = 0; c < ncols; c++)
            src[c] = parent->cols[src[c]].src;
        parent = parent->parent;
    }
    struct demo_object *o =
        src ? object_new(parent ? parent->name : "computed", "Table", "derived", KIND_TABLE, 0)
            : NULL;
    if (o)
        o->cols = calloc(ncols ? ncols : 1, sizeof *o->cols);
    if (!o || !o->cols) {
        free(src);
        object_free(o);
        free(index);
        demo_out_cols_free(cols, ncols);
        return NULL;
    }
    o->gen = GEN_DERIVED;
    for (size_t c = 0; c < ncols; c++) {
        struct demo_column *dc = &o->cols[c];
        snprintf(dc->name, sizeof dc->name, "%s", cols[c].name);
        dc->type = cols[c].type;
        dc->src = src[c];
        dc->pick = cols[c].pick;
        dc->vi = cols[c].i;
        dc->vd = cols[c].d;
        dc->vnull = cols[c].nulls;
        dc->vstrs = cols[c].strs;
        dc->vlongs = cols[c].longs;
        dc->velems = cols[c].n_elems;
        dc->meta = cols[c].meta;
    }
    free(src);
    o->hidden = 1;
    o->ncols = ncols;
    o->rows = n;
    o->parent = parent;
    o->index = index;
    atomic_init(&o->refs, 1);
    demo_object_ref(parent);
    return o;
}

const struct demo_object *demo_object_new_derived(const struct demo_object *parent, int64_t *index,
                                                  int64_t n)
{
    size_t ncols = demo_table_ncols(parent);
    struct demo_out_col *cols = calloc(ncols ? ncols : 1, sizeof *cols);
    if (!cols) {
        free(index);
        return NULL;
    }
    for (size_t c = 0; c < ncols; c++) {
        cols[c].name = parent->cols[c].name;
        cols[c].type = parent->cols[c].type;
        cols[c].src = (long)c;
    }
    const struct demo_object *o = demo_object_new_computed(parent, index, n, cols, ncols);
    free(cols);
    return o;
}

const struct demo_object *demo_object_new_live(const struct demo_object *source,
                                               const struct demo_object *now,
                                               demo_refresh_fn refresh, const uint8_t *recipe,
                                               size_t recipe_len, int appends_only)
{
    struct demo_object *o = object_new(now->name, "Table", "live view", KIND_TABLE, 0);
    if (o) {
        o->cols = malloc((now->ncols ? now->ncols : 1) * sizeof *o->cols);
        o->recipe = malloc(recipe_len ? recipe_len : 1);
    }
    if (!o || !o->cols || !o->recipe) {
        object_free(o);
        demo_object_unref(now);
        return NULL;
    }
    for (size_t c = 0; c < now->ncols; c++) /* the schema only; values stay with now */
        o->cols[c] =
            (struct demo_column){.type = now->cols[c].type, .src = -1, .meta = now->cols[c].meta};
    for (size_t c = 0; c < now->ncols; c++)
        memcpy(o->cols[c].name, now->cols[c].name, sizeof o->cols[c].name);
    if (recipe_len)
        memcpy(o->recipe, recipe, recipe_len);
    o->gen = GEN_LIVE;
    o->hidden = 1;
    o->ncols = now->ncols;
    o->recipe_len = recipe_len;
    o->refresh = refresh;
    o->appends_only = appends_only;
    pthread_mutex_init(&o->live_mu, NULL);
    demo_object_ref(source);
    o->parent = source;
    o->cur = now;
    o->live_src = NULL; /* the first pin compares with nothing and may derive again */
    o->live_seen = -1;
    atomic_init(&o->refs, 1);
    return o;
}

const struct demo_object *demo_object_pin(const struct demo_object *o)
{
    if (!o || o->gen != GEN_LIVE) {
        demo_object_ref(o);
        return o;
    }
    struct demo_object *m = (struct demo_object *)o;
    pthread_mutex_lock(&m->live_mu);
    const struct demo_object *src = demo_object_pin(m->parent);
    int64_t n = demo_object_size(src);
    if (src != m->live_src || n != m->live_seen) {
        const struct demo_object *now = m->refresh(src, m->recipe, m->recipe_len);
        if (now) { /* else keep the last rows: a later pin tries again */
            demo_object_unref(m->cur);
            m->cur = now;
            demo_object_unref(m->live_src);
            m->live_src = src;
            m->live_seen = n;
            src = NULL;
        }
    }
    demo_object_unref(src);
    const struct demo_object *cur = m->cur;
    demo_object_ref(cur);
    pthread_mutex_unlock(&m->live_mu);
    return cur;
}

int demo_object_appends_only(const struct demo_object *o)
{
    if (o->gen == GEN_LIVE)
        return o->appends_only;
    if (o->gen == GEN_DERIVED && !o->index && !o->map && o->parent)
        return demo_object_appends_only(o->parent);
    return 1;
}

int demo_object_is_live(const struct demo_object *o)
{
    return o && o->gen == GEN_LIVE;
}

void demo_object_ref(const struct demo_object *o)
{
    if (o && (o->gen == GEN_DERIVED || o->gen == GEN_LIVE))
        atomic_fetch_add(&((struct demo_object *)o)->refs, 1);
}

void demo_object_unref(const struct demo_object *o)
{
    if (!o || (o->gen != GEN_DERIVED && o->gen != GEN_LIVE))
        return;
    struct demo_object *m = (struct demo_object *)o;
    if (atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    if (m->gen == GEN_LIVE) {
        demo_object_unref(m->cur);
        demo_object_unref(m->live_src);
        pthread_mutex_destroy(&m->live_mu);
    }
    demo_object_unref(m->parent);
    object_free(m);
}

int demo_object_is_derived(const struct demo_object *o)
{
    return o && (o->gen == GEN_DERIVED || o->gen == GEN_LIVE);
}

/* ---- whole columns ---- */

/* A stored column of a computed table as arrays. */
static int stored_source(const struct demo_column *dc, struct demo_col_source *s)
{
    enum demo_col_type t = dc->type;
    int number = t != DEMO_COL_STRING && t != DEMO_COL_BIGDECIMAL && t != DEMO_COL_BIGINTEGER &&
                 t != DEMO_COL_BYTES && t < DEMO_COL_INT_ARRAY;
    if (!number || (!dc->vd && !dc->vi))
        return 0;
    int is_float = t == DEMO_COL_FLOAT || t == DEMO_COL_DOUBLE;
    if (is_float ? !dc->vd : !dc->vi)
        return 0;
    s->kind = is_float ? DEMO_SRC_F64 : DEMO_SRC_I64;
    s->vals = is_float ? (const void *)dc->vd : (const void *)dc->vi;
    s->nulls = dc->vnull;
    return 1;
}

/* Bytes per value of a bulk column (demo_table_column's layout). */
static size_t bulk_value_width(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BOOL:
    case DEMO_COL_STRING:
    case DEMO_COL_BYTE: return 1;
    case DEMO_COL_SHORT:
    case DEMO_COL_CHAR: return 2;
    case DEMO_COL_INT:
    case DEMO_COL_FLOAT:
    case DEMO_COL_DATE: return 4;
    default: return 8;
    }
}

/* The column cache's fill callback: ctx is the table. */
static void bulk_fill(const void *ctx, size_t col, const int64_t *ids, size_t n, uint8_t *out)
{
    demo_table_column(ctx, col, ids, n, out);
}

/* A bulk column of a generated table, generated whole once. */
static int bulk_source(const struct demo_object *t, size_t col, struct demo_col_source *s)
{
    const char *const *dict = NULL;
    size_t dict_n = 0;
    if (!t->cache || !demo_table_column_bulk(t, col, &dict, &dict_n))
        return 0;
    s->vals = demo_colcache_get(t->cache, col, t->rows, bulk_value_width(t->cols[col].type),
                                bulk_fill, t);
    switch (t->cols[col].type) {
    case DEMO_COL_DOUBLE: s->kind = DEMO_SRC_F64; break;
    case DEMO_COL_LONG:
    case DEMO_COL_INSTANT: s->kind = DEMO_SRC_I64; break;
    case DEMO_COL_INT: s->kind = DEMO_SRC_I32; break;
    case DEMO_COL_BOOL:
    case DEMO_COL_STRING: s->kind = DEMO_SRC_U8; break;
    default: return 0;
    }
    s->dict = dict;
    s->dict_n = dict_n;
    return s->vals != NULL;
}

int demo_table_column_source(const struct demo_object *t, size_t col, struct demo_col_source *s)
{
    memset(s, 0, sizeof *s);
    if (!t || t->kind != KIND_TABLE || col >= t->ncols || t->ticking)
        return 0;
    if (t->gen != GEN_DERIVED)
        return bulk_source(t, col, s);
    const struct demo_column *dc = &t->cols[col];
    if (dc->pick)
        return 0;
    if (dc->src < 0)
        return stored_source(dc, s);
    if (!t->parent || !demo_table_column_source(t->parent, (size_t)dc->src, s))
        return 0;
    const int64_t *index = t->map ? t->map_all(t->map_ctx) : t->index;
    if ((t->map && !index) || (index && s->rows)) /* two indexes would have to be composed */
        return 0;
    if (index)
        s->rows = index;
    return 1;
}

void demo_col_source_block(const struct demo_col_source *s, int64_t first, size_t m, int64_t *vi,
                           double *vd, uint8_t *nulls)
{
    const double *f = s->vals;
    const int64_t *l = s->vals;
    const int32_t *w = s->vals;
    const uint8_t *u = s->vals;
    const int64_t *rows = s->rows ? s->rows + first : NULL;
#define AT(i) (rows ? rows[i] : first + (int64_t)(i))
    switch (s->kind) {
    case DEMO_SRC_F64:
        for (size_t i = 0; i < m; i++)
            vd[i] = f[AT(i)];
        break;
    case DEMO_SRC_I64:
        for (size_t i = 0; i < m; i++)
            vi[i] = l[AT(i)];
        break;
    case DEMO_SRC_I32:
        for (size_t i = 0; i < m; i++)
            vi[i] = w[AT(i)];
        break;
    case DEMO_SRC_U8:
        for (size_t i = 0; i < m; i++)
            vi[i] = u[AT(i)];
        break;
    }
    if (!s->nulls)
        memset(nulls, 0, m);
    for (size_t i = 0; s->nulls && i < m; i++)
        nulls[i] = s->nulls[AT(i)] != 0;
#undef AT
}

const struct demo_object *demo_object_new_mapped(const struct demo_object *parent, int64_t n,
                                                 demo_rows_fn rows, demo_all_rows_fn all,
                                                 void (*free_ctx)(void *), void *ctx)
{
    struct demo_object *o = object_new(parent->name, "Table", "derived", KIND_TABLE, 0);
    if (o)
        o->cols = calloc(parent->ncols ? parent->ncols : 1, sizeof *o->cols);
    if (!o || !o->cols) {
        object_free(o);
        free_ctx(ctx);
        return NULL;
    }
    for (size_t c = 0; c < parent->ncols; c++) { /* every column the parent's, never flattened */
        memcpy(o->cols[c].name, parent->cols[c].name, sizeof o->cols[c].name);
        o->cols[c].type = parent->cols[c].type;
        o->cols[c].src = (long)c;
    }
    o->gen = GEN_DERIVED;
    o->hidden = 1;
    o->ncols = parent->ncols;
    o->rows = n;
    o->parent = parent;
    o->map = rows;
    o->map_all = all;
    o->map_free = free_ctx;
    o->map_ctx = ctx;
    atomic_init(&o->refs, 1);
    demo_object_ref(parent);
    return o;
}
