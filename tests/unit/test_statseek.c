/* SPDX-License-Identifier: MIT */
/* test_statseek: the demo server's ComputeColumnStatistics (server/stats.c) and SeekRow
 * (server/seek.c) read columns as arrays a block at a time (catalog.h,
 * demo_table_column_source); here every answer is compared with the same question
 * asked of a view of the same cells that does not read as arrays (a computed table
 * whose columns pick the parent's rows), which stats.c and seek.c read cell by cell.
 * Random stored columns with nulls, NaN, infinities, -0.0 and many ties, the same
 * through a derived table's index and a lazily sorted view, and trades' generated
 * columns (one-byte strings and booleans, int, double, Instant); and the grouping by
 * a one-byte column (server/group.c) against the row-by-row one. */
#include "../../server/catalog.c"
#include "../../server/colcache.c"
#include "../../server/filter_eval.c"
#include "../../server/filter_parse.c"
#include "../../server/group.c"
#include "../../server/seek.c"
#include "../../server/sort.c"
#include "../../server/stats.c"

#include "check.h"
#include "random_cells.h"

/* registry.c's, without the rest of the registry. */
void demo_status_set(struct demo_status *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st->code = code;
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

enum { ROWS = 60000 };

static uint64_t rng = 7;

static uint64_t next_rand(void)
{
    return rc_next(&rng);
}

enum { C_ID, C_D, C_L, C_B, C_T, C_F, NCOLS };

/* Id (unique), D (double: nulls, NaN, +-Infinity, -0.0, 0.0, ties, a few rare values
 * far apart), L (long: nulls, ties, the extremes), B (boolean with nulls), T
 * (Instant with nulls), F (float with nulls and NaN). */
static const struct demo_object *random_table(void)
{
    struct demo_out_col cols[NCOLS] = {
        {.name = "Id", .type = DEMO_COL_LONG, .src = -1},
        {.name = "D", .type = DEMO_COL_DOUBLE, .src = -1},
        {.name = "L", .type = DEMO_COL_LONG, .src = -1},
        {.name = "B", .type = DEMO_COL_BOOL, .src = -1},
        {.name = "T", .type = DEMO_COL_INSTANT, .src = -1},
        {.name = "F", .type = DEMO_COL_FLOAT, .src = -1},
    };
    cols[C_ID].i = malloc(ROWS * sizeof(int64_t));
    cols[C_D].d = malloc(ROWS * sizeof(double));
    cols[C_D].nulls = calloc(ROWS, 1);
    cols[C_L].i = malloc(ROWS * sizeof(int64_t));
    cols[C_L].nulls = calloc(ROWS, 1);
    cols[C_B].i = malloc(ROWS * sizeof(int64_t));
    cols[C_B].nulls = calloc(ROWS, 1);
    cols[C_T].i = malloc(ROWS * sizeof(int64_t));
    cols[C_T].nulls = calloc(ROWS, 1);
    cols[C_F].d = malloc(ROWS * sizeof(double));
    cols[C_F].nulls = calloc(ROWS, 1);
    for (int64_t r = 0; r < ROWS; r++) {
        uint64_t x = next_rand(), y = next_rand();
        cols[C_ID].i[r] = r;
        rc_double(x, &cols[C_D].d[r], &cols[C_D].nulls[r]);
        if (r == 17 || r == ROWS - 40)
            cols[C_D].d[r] = 1e300; /* two rare values: seeks scan far */
        rc_long(y, &cols[C_L].i[r], &cols[C_L].nulls[r]);
        rc_bool(y, &cols[C_B].i[r], &cols[C_B].nulls[r]);
        cols[C_T].nulls[r] = y % 11 == 0;
        cols[C_T].i[r] = 1700000000000000000 + (int64_t)((y >> 24) % 100000) * 1000;
        cols[C_F].nulls[r] = x % 19 == 0;
        cols[C_F].d[r] =
            x % 23 == 0 ? NAN : (double)(float)((double)((x >> 30) % 2001) / 8.0 - 125);
    }
    return demo_object_new_computed(NULL, NULL, ROWS, cols, NCOLS);
}

/* The same cells as t, read cell by cell: every column picks t's rows (a computed
 * table's picked column never reads as arrays). */
static const struct demo_object *cells_of(const struct demo_object *t)
{
    size_t ncols = demo_table_ncols(t);
    int64_t n = demo_object_size(t);
    struct demo_out_col cols[16];
    for (size_t c = 0; c < ncols; c++) {
        cols[c] = (struct demo_out_col){
            .name = demo_table_col_name(t, c), .type = demo_table_col_type(t, c), .src = (long)c};
        cols[c].pick = malloc((size_t)n * sizeof *cols[c].pick);
        for (int64_t r = 0; r < n; r++)
            cols[c].pick[r] = r;
    }
    const struct demo_object *v = demo_object_new_computed(t, NULL, n, cols, ncols);
    struct demo_col_source s;
    CHECK(v && !demo_table_column_source(v, 0, &s));
    return v;
}

/* ---- statistics ---- */

static const struct demo_object *stats_of(const struct demo_object *t, const char *col)
{
    Io__Deephaven__Proto__Backplane__Grpc__ColumnStatisticsRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COLUMN_STATISTICS_REQUEST__INIT;
    req.column_name = (char *)col;
    const struct demo_object *out = NULL;
    struct demo_status st = {0};
    if (demo_column_stats(t, &req, &out, &st) != 0) {
        fprintf(stderr, "  stats %s: %s\n", col, st.msg);
        return NULL;
    }
    return out;
}

/* Whether two one-row statistics tables are the same, bit for bit. */
static int same_stats(const struct demo_object *a, const struct demo_object *b, const char *what)
{
    if (!a || !b || demo_table_ncols(a) != demo_table_ncols(b))
        return 0;
    for (size_t c = 0; c < demo_table_ncols(a); c++) {
        struct demo_cell x, y;
        demo_table_cell(a, 0, c, &x);
        demo_table_cell(b, 0, c, &y);
        int same = strcmp(demo_table_col_name(a, c), demo_table_col_name(b, c)) == 0 &&
                   demo_table_col_type(a, c) == demo_table_col_type(b, c) &&
                   x.is_null == y.is_null && x.i == y.i && memcmp(&x.d, &y.d, sizeof x.d) == 0 &&
                   x.n == y.n;
        for (size_t k = 0; same && k < x.n; k++) {
            if (x.strs)
                same = y.strs && strcmp(x.strs[k], y.strs[k]) == 0;
            if (x.longs)
                same = same && y.longs && x.longs[k] == y.longs[k];
        }
        if (!same) {
            fprintf(stderr, "  %s: %s differs (%lld %.17g / %lld %.17g)\n", what,
                    demo_table_col_name(a, c), (long long)x.i, x.d, (long long)y.i, y.d);
            return 0;
        }
    }
    return 1;
}

/* Statistics of every column named of t equal those of its cells. */
static void check_stats(const struct demo_object *t, const char *const *cols, size_t n)
{
    const struct demo_object *cells = cells_of(t);
    CHECK_REQ(cells);
    for (size_t i = 0; i < n; i++) {
        const struct demo_object *a = stats_of(t, cols[i]), *b = stats_of(cells, cols[i]);
        CHECK(same_stats(a, b, cols[i]));
        demo_object_unref(a);
        demo_object_unref(b);
    }
    demo_object_unref(cells);
}

static const char *const random_cols[] = {"Id", "D", "L", "B", "T", "F"};

static void test_stats_random(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    struct demo_col_source s;
    CHECK(demo_table_column_source(t, C_D, &s) && s.nulls);
    check_stats(t, random_cols, NCOLS);
    /* through a derived table's index, and through a lazily sorted view */
    int64_t *index = malloc(ROWS * sizeof *index), n = 0;
    for (int64_t r = 0; r < ROWS; r++)
        if (r % 5 != 2)
            index[n++] = r;
    const struct demo_object *f = demo_object_new_derived(t, index, n);
    CHECK_REQ(f);
    CHECK(demo_table_column_source(f, C_L, &s) && s.rows);
    check_stats(f, random_cols, NCOLS);
    const struct demo_sort_key by_l[] = {{C_L, DEMO_CC_INT, 1}};
    const struct demo_object *v = demo_sort_view(f, by_l, 1, 1000);
    CHECK_REQ(v);
    check_stats(v, random_cols, NCOLS);
    demo_object_unref(v);
    demo_object_unref(f);
    demo_object_unref(t);
}

static const char *const trades_names[] = {"Timestamp", "Sym",  "Price", "Size",
                                           "Exchange",  "Flag", "Id"};

static void test_stats_trades(void)
{
    struct demo_catalog_options opt = {.trades_rows = 50000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    check_stats(t, trades_names, 7);
    /* the Sym counts, by hand */
    int64_t want[10] = {0};
    for (int64_t r = 0; r < 50000; r++) {
        struct demo_cell c;
        demo_table_cell(t, r, 1, &c);
        for (size_t k = 0; k < 10; k++)
            want[k] += c.len == strlen(syms[k]) && memcmp(c.bytes, syms[k], c.len) == 0;
    }
    const struct demo_object *st = stats_of(t, "Sym");
    CHECK_REQ(st);
    struct demo_cell keys, counts;
    demo_table_cell(st, 0, 3, &keys);
    demo_table_cell(st, 0, 4, &counts);
    CHECK_INT(keys.n, 10);
    for (size_t k = 0; k < keys.n && k < 10; k++) {
        size_t s = 0;
        while (s < 10 && strcmp(syms[s], keys.strs[k]) != 0)
            s++;
        CHECK(s < 10 && counts.longs[k] == want[s]);
        CHECK(k == 0 || counts.longs[k] <= counts.longs[k - 1]);
    }
    demo_object_unref(st);
    demo_catalog_free(cat);
}

/* Grouping by a one-byte column counts bytes: the same groups (first rows, counts,
 * order of first appearance) as row by row, and each row's group found. */
static void test_groups_bytes(void)
{
    struct demo_catalog_options opt = {.trades_rows = 30000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    int64_t *index = malloc(30000 * sizeof *index), n = 0;
    for (int64_t r = 0; r < 30000; r++) /* the first rows: few symbols */
        if (r >= 200 || r % 7 == 0)
            index[n++] = r;
    const struct demo_object *v = demo_object_new_derived(t, index, n);
    const struct demo_object *cells = cells_of(v);
    CHECK_REQ(v && cells);
    const size_t cols[] = {1, 4, 5};
    for (size_t i = 0; i < 3; i++) {
        struct demo_col_source s;
        CHECK(demo_table_column_source(v, cols[i], &s) && s.kind == DEMO_SRC_U8);
        struct demo_groups a, b;
        CHECK_REQ(demo_groups_build(&a, v, &cols[i], 1, n) == 0);
        CHECK_REQ(demo_groups_build(&b, cells, &cols[i], 1, n) == 0);
        CHECK_INT(a.n, b.n);
        int same = a.n == b.n;
        for (size_t g = 0; same && g < a.n; g++)
            same = a.first[g] == b.first[g] && a.count[g] == b.count[g];
        CHECK(same);
        int64_t bad = 0;
        for (int64_t r = 0; r < n; r += 7)
            bad += demo_groups_of(&a, r) != demo_groups_of(&b, r);
        CHECK_INT(bad, 0);
        demo_groups_reset(&a);
        demo_groups_reset(&b);
    }
    demo_object_unref(cells);
    demo_object_unref(v);
    demo_catalog_free(cat);
}

/* ---- seek ---- */

typedef Io__Deephaven__Proto__Backplane__Grpc__Literal Lit;

static int seek(const struct demo_object *t, const char *col, const Lit *value, int64_t start,
                int backward, int contains, int icase, int64_t *row)
{
    Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SEEK_ROW_REQUEST__INIT;
    req.column_name = (char *)col;
    req.seek_value = (Lit *)value;
    req.starting_row = start;
    req.is_backward = backward;
    req.contains = contains;
    req.insensitive = icase;
    struct demo_status st = {0};
    *row = -9;
    return demo_seek_row(t, &req, row, &st);
}

/* Seek every value in every way from random starts: the same answer (row, or the
 * failure) from t and from its cells. Returns how many answers lay farther than the
 * cell-by-cell stretch from the start (block scans). */
static int64_t check_seeks(const struct demo_object *t, const struct demo_object *cells,
                           const char *col, const Lit *values, size_t n_values)
{
    int64_t n = demo_object_size(t), far = 0, bad = 0;
    for (size_t v = 0; v < n_values; v++) {
        for (int k = 0; k < 16; k++) {
            int64_t start = k == 0 ? 0 : k == 1 ? n - 1 : (int64_t)(next_rand() % (uint64_t)n);
            int backward = k & 1, contains = (k >> 1) & 1, icase = (k >> 2) & 1;
            int64_t a, b;
            int ra = seek(t, col, &values[v], start, backward, contains, icase, &a);
            int rb = seek(cells, col, &values[v], start, backward, contains, icase, &b);
            if (ra != rb || a != b) {
                bad++;
                fprintf(stderr, "  seek %s value %zu from %lld%s%s%s: %d/%lld, cells %d/%lld\n",
                        col, v, (long long)start, backward ? " backward" : "",
                        contains ? " contains" : "", icase ? " icase" : "", ra, (long long)a, rb,
                        (long long)b);
            }
            int64_t dist = a < 0 ? n : backward ? (start - a + n) % n : (a - start + n) % n;
            far += ra == 0 && dist > SEEK_CELLS;
        }
    }
    CHECK_INT(bad, 0);
    return far;
}

static Lit lit_d(double d)
{
    Lit l = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    l.value_case = LIT(DOUBLE_VALUE);
    l.double_value = d;
    return l;
}

static Lit lit_l(int64_t i)
{
    Lit l = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    l.value_case = LIT(LONG_VALUE);
    l.long_value = i;
    return l;
}

static Lit lit_s(const char *s)
{
    Lit l = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    l.value_case = LIT(STRING_VALUE);
    l.string_value = (char *)s;
    return l;
}

static Lit lit_b(int b)
{
    Lit l = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    l.value_case = LIT(BOOL_VALUE);
    l.bool_value = b;
    return l;
}

static Lit lit_t(int64_t ns)
{
    Lit l = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__INIT;
    l.value_case = LIT(NANO_TIME_VALUE);
    l.nano_time_value = ns;
    return l;
}

static int64_t seek_random(const struct demo_object *t)
{
    const struct demo_object *cells = cells_of(t);
    if (!cells)
        return 0;
    const Lit d[] = {lit_d(1e300),     lit_d(NAN), lit_d(-0.0), lit_d(0.0),     lit_d(INFINITY),
                     lit_d(-INFINITY), lit_d(2.5), lit_l(180),  lit_d(12345.5), lit_b(1)};
    const Lit l[] = {lit_l(INT64_MAX), lit_l(INT64_MIN + 1), lit_l(-4), lit_d(3.7), lit_l(77),
                     lit_b(0)};
    const Lit b[] = {lit_b(1), lit_b(0), lit_s("true"), lit_l(1)};
    const Lit id[] = {lit_l(5), lit_l(ROWS - 3), lit_l(ROWS / 2), lit_l(-1), lit_s("5")};
    const Lit ts[] = {lit_t(1700000000000000000), lit_t(1700000000099999000), lit_t(1)};
    const Lit f[] = {lit_d(NAN), lit_d(-0.0), lit_d(0.125), lit_d(-125), lit_l(0)};
    int64_t far = check_seeks(t, cells, "D", d, sizeof d / sizeof d[0]) +
                  check_seeks(t, cells, "L", l, sizeof l / sizeof l[0]) +
                  check_seeks(t, cells, "B", b, sizeof b / sizeof b[0]) +
                  check_seeks(t, cells, "Id", id, sizeof id / sizeof id[0]) +
                  check_seeks(t, cells, "T", ts, sizeof ts / sizeof ts[0]) +
                  check_seeks(t, cells, "F", f, sizeof f / sizeof f[0]);
    demo_object_unref(cells);
    return far;
}

static void test_seek_random(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    CHECK(seek_random(t) > 50); /* many answers came from block scans */
    int64_t *index = malloc(ROWS * sizeof *index), n = 0;
    for (int64_t r = 0; r < ROWS; r++)
        if (r % 3 != 0)
            index[n++] = r;
    const struct demo_object *f = demo_object_new_derived(t, index, n);
    CHECK_REQ(f);
    CHECK(seek_random(f) > 50);
    const struct demo_sort_key by_d[] = {{C_D, DEMO_CC_FLOAT, 0}};
    const struct demo_object *v = demo_sort_view(f, by_d, 1, 1000);
    CHECK_REQ(v);
    CHECK(seek_random(v) > 50);
    demo_object_unref(v);
    demo_object_unref(f);
    demo_object_unref(t);
}

/* Seeks of trades' columns, from t (trades or a view of it). */
static int64_t seek_trades(const struct demo_object *t)
{
    const struct demo_object *cells = cells_of(t);
    if (!cells)
        return 0;
    int64_t n = demo_object_size(t);
    struct demo_cell c;
    demo_table_cell(t, n - 1000, 2, &c);
    const Lit sym[] = {lit_s("nvda"), lit_s("NVDA"), lit_s("A"), lit_s("zzz"),
                       lit_s(""),     lit_l(3),      lit_b(1)};
    const Lit exch[] = {lit_s("ARCA"), lit_s("s"), lit_s("Q")};
    const Lit flag[] = {lit_b(1), lit_b(0), lit_s("x")};
    const Lit price[] = {lit_d(c.d), lit_d(-1), lit_l(190), lit_s("1")};
    const Lit size[] = {lit_l(37), lit_l(5000), lit_d(100.9), lit_l(-1)};
    demo_table_cell(t, n - 2000, 0, &c);
    const Lit ts[] = {lit_t(c.i), lit_t(0), lit_l(1)};
    const Lit id[] = {lit_l(59999), lit_l(12), lit_l(60000)};
    int64_t far = check_seeks(t, cells, "Sym", sym, sizeof sym / sizeof sym[0]) +
                  check_seeks(t, cells, "Exchange", exch, sizeof exch / sizeof exch[0]) +
                  check_seeks(t, cells, "Flag", flag, sizeof flag / sizeof flag[0]) +
                  check_seeks(t, cells, "Price", price, sizeof price / sizeof price[0]) +
                  check_seeks(t, cells, "Size", size, sizeof size / sizeof size[0]) +
                  check_seeks(t, cells, "Timestamp", ts, sizeof ts / sizeof ts[0]) +
                  check_seeks(t, cells, "Id", id, sizeof id / sizeof id[0]);
    demo_object_unref(cells);
    return far;
}

static void test_seek_trades(void)
{
    struct demo_catalog_options opt = {.trades_rows = 60000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    CHECK(seek_trades(t) > 50);
    /* a view whose first 40000 rows hold no NVDA, no ARCA and no Flag: seeks of the
     * one-byte columns scan far, a block at a time */
    int64_t *index = malloc(60000 * sizeof *index), n = 0;
    for (int64_t r = 0; r < 60000; r++) {
        struct demo_cell sym, exch, flag;
        demo_table_cell(t, r, 1, &sym);
        demo_table_cell(t, r, 4, &exch);
        demo_table_cell(t, r, 5, &flag);
        if (r >= 40000 || (strcmp((const char *)sym.bytes, "NVDA") != 0 &&
                           strcmp((const char *)exch.bytes, "ARCA") != 0 && !flag.i))
            index[n++] = r;
    }
    const struct demo_object *v = demo_object_new_derived(t, index, n);
    CHECK_REQ(v);
    CHECK(seek_trades(v) > 100);
    demo_object_unref(v);
    demo_catalog_free(cat);
}

int main(void)
{
    CHECK_RUN(T(test_stats_random), T(test_stats_trades), T(test_groups_bytes), T(test_seek_random),
              T(test_seek_trades));
}
