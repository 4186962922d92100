/* SPDX-License-Identifier: MIT */
/* test_sortfilter: the demo server's sort (whole and lazy, server/sort.c) and block
 * filter evaluation (server/filter_eval.c) against naive references, on random
 * stored columns with nulls, NaN, infinities, -0.0 and many ties, on a derived
 * (filtered) table read through its index, on lazy filters (sorted through their
 * bits), and on trades' generated columns. The
 * server sources are compiled in directly (a unit test links only dhclient). */
#include "../../server/catalog.c"
#include "../../server/colcache.c"
#include "../../server/filter_eval.c"
#include "../../server/filter_parse.c"
#include "../../server/group.c"
#include "../../server/sort.c"

#include "check.h"
#include "random_cells.h"

enum { ROWS = 150000, LAZY_MIN = 1000 };

static uint64_t rng = 42;

static uint64_t next_rand(void)
{
    return rc_next(&rng);
}

/* Columns of the random table. */
enum { C_ID, C_D, C_L, C_B, C_E, NCOLS };

/* A table of ROWS rows: Id (the row, unique), D (double: nulls, NaN, +-Infinity,
 * -0.0 and 0.0, a few values repeated many times, some random), L (long with nulls
 * and ties, the extremes), B (boolean with nulls), E (double without nulls: NaN,
 * +-Infinity, -0.0 and 0.0, ties, random values: sorts compare its numbers). */
static const struct demo_object *random_table(void)
{
    struct demo_out_col cols[NCOLS] = {
        {.name = "Id", .type = DEMO_COL_LONG, .src = -1},
        {.name = "D", .type = DEMO_COL_DOUBLE, .src = -1},
        {.name = "L", .type = DEMO_COL_LONG, .src = -1},
        {.name = "B", .type = DEMO_COL_BOOL, .src = -1},
        {.name = "E", .type = DEMO_COL_DOUBLE, .src = -1},
    };
    cols[C_ID].i = malloc(ROWS * sizeof(int64_t));
    cols[C_D].d = malloc(ROWS * sizeof(double));
    cols[C_D].nulls = calloc(ROWS, 1);
    cols[C_L].i = malloc(ROWS * sizeof(int64_t));
    cols[C_L].nulls = calloc(ROWS, 1);
    cols[C_B].i = malloc(ROWS * sizeof(int64_t));
    cols[C_B].nulls = calloc(ROWS, 1);
    cols[C_E].d = malloc(ROWS * sizeof(double));
    for (int64_t r = 0; r < ROWS; r++) {
        uint64_t x = next_rand();
        cols[C_ID].i[r] = r;
        rc_double(x, &cols[C_D].d[r], &cols[C_D].nulls[r]);
        uint64_t y = next_rand();
        rc_long(y, &cols[C_L].i[r], &cols[C_L].nulls[r]);
        rc_bool(y, &cols[C_B].i[r], &cols[C_B].nulls[r]);
        uint64_t z = next_rand();
        switch (z % 16) {
        case 0: cols[C_E].d[r] = NAN; break;
        case 1: cols[C_E].d[r] = (z >> 8) & 1 ? INFINITY : -INFINITY; break;
        case 2: cols[C_E].d[r] = (z >> 8) & 1 ? -0.0 : 0.0; break;
        case 3:
        case 4:
        case 5: cols[C_E].d[r] = rc_few[(z >> 8) % 8]; break;
        default: cols[C_E].d[r] = (double)((int64_t)((z >> 8) % 200001) - 100000) / 16.0; break;
        }
    }
    return demo_object_new_computed(NULL, NULL, ROWS, cols, NCOLS);
}

/* ---- the naive sort: a top-down merge sort with a comparator on cells ---- */

struct ref_ctx {
    const struct demo_object *t;
    const struct demo_sort_key *keys;
    size_t n_keys;
};

/* Deephaven's order of two cells of one column, written out plainly: null first,
 * NaN last, -0 == 0. */
static int ref_cell_cmp(enum demo_col_class cc, const struct demo_cell *a,
                        const struct demo_cell *b)
{
    if (a->is_null || b->is_null)
        return a->is_null && b->is_null ? 0 : a->is_null ? -1 : 1;
    if (cc == DEMO_CC_FLOAT) {
        if (a->d != a->d || b->d != b->d)
            return a->d != a->d && b->d != b->d ? 0 : a->d != a->d ? 1 : -1;
        return a->d < b->d ? -1 : a->d > b->d ? 1 : 0;
    }
    if (cc == DEMO_CC_STRING) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->bytes, b->bytes, n);
        return c ? (c < 0 ? -1 : 1) : a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
    }
    return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
}

static int ref_cmp(const struct ref_ctx *x, int64_t a, int64_t b)
{
    for (size_t i = 0; i < x->n_keys; i++) {
        struct demo_cell ca, cb;
        demo_table_cell(x->t, a, x->keys[i].col, &ca);
        demo_table_cell(x->t, b, x->keys[i].col, &cb);
        int c = ref_cell_cmp(x->keys[i].cc, &ca, &cb);
        if (c)
            return x->keys[i].desc ? -c : c;
    }
    return a < b ? -1 : a > b; /* ties in table order */
}

static void ref_merge(const struct ref_ctx *x, int64_t *a, int64_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    ref_merge(x, a, tmp, h);
    ref_merge(x, a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = ref_cmp(x, a[j], a[i]) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int64_t *ref_sort(const struct demo_object *t, const struct demo_sort_key *keys,
                         size_t n_keys)
{
    size_t n = (size_t)demo_object_size(t);
    int64_t *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        a[i] = (int64_t)i;
    struct ref_ctx x = {t, keys, n_keys};
    ref_merge(&x, a, tmp, n);
    free(tmp);
    return a;
}

/* The row of t (through column idcol, unique) that position i of view shows. */
static int64_t view_row(const struct demo_object *view, size_t idcol, int64_t i)
{
    struct demo_cell c;
    demo_table_cell(view, i, idcol, &c);
    return c.i;
}

/* Sort t by keys every way (whole, lazily from random positions, lazily read in
 * order) and compare with the naive sort. idcol: a column holding each row's own
 * number in t. */
static void check_sort(const struct demo_object *t, size_t idcol, const struct demo_sort_key *keys,
                       size_t n_keys, const int64_t *row_of_id)
{
    int64_t n = demo_object_size(t);
    int64_t *want = ref_sort(t, keys, n_keys), *got = NULL;
    CHECK_REQ(demo_sort_rows(t, keys, n_keys, &got) == 0);
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++)
        bad += got[i] != want[i];
    CHECK_INT(bad, 0);
    free(got);
    for (int round = 0; round < 3; round++) {
        const struct demo_object *v = demo_sort_view(t, keys, n_keys, LAZY_MIN);
        CHECK_REQ(v && demo_object_size(v) == n);
        bad = 0;
        /* round 0: a few random positions (windows only); 1: many (the rest sorted at
         * once); 2: every position in order */
        int64_t probes = round == 0 ? 5 : round == 1 ? 400 : n;
        for (int64_t k = 0; k < probes; k++) {
            int64_t i = round == 2 ? k : (int64_t)(next_rand() % (uint64_t)n);
            if (k == 0 && round == 0)
                i = n - 1;
            int64_t r = row_of_id ? row_of_id[view_row(v, idcol, i)] : view_row(v, idcol, i);
            bad += r != want[i];
        }
        CHECK_INT(bad, 0);
        demo_object_unref(v);
    }
    free(want);
}

static void test_sort_random_table(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    const struct demo_sort_key by_d[] = {{C_D, DEMO_CC_FLOAT, 0}};
    const struct demo_sort_key by_d_desc[] = {{C_D, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key by_b_d[] = {{C_B, DEMO_CC_BOOL, 0}, {C_D, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key by_l_d_b[] = {
        {C_L, DEMO_CC_INT, 1}, {C_D, DEMO_CC_FLOAT, 0}, {C_B, DEMO_CC_BOOL, 1}};
    check_sort(t, C_ID, by_d, 1, NULL);
    check_sort(t, C_ID, by_d_desc, 1, NULL);
    check_sort(t, C_ID, by_b_d, 2, NULL);
    check_sort(t, C_ID, by_l_d_b, 3, NULL);
    const struct demo_sort_key by_e[] = {{C_E, DEMO_CC_FLOAT, 0}};
    const struct demo_sort_key by_e_desc[] = {{C_E, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key by_e_l[] = {{C_E, DEMO_CC_FLOAT, 1}, {C_L, DEMO_CC_INT, 0}};
    struct demo_col_source s;
    CHECK(demo_table_column_source(t, C_E, &s) && !s.nulls && !s.rows); /* numbers compared */
    check_sort(t, C_ID, by_e, 1, NULL);
    check_sort(t, C_ID, by_e_desc, 1, NULL);
    check_sort(t, C_ID, by_e_l, 2, NULL);
    demo_object_unref(t);
}

/* A derived table (every row whose Id is not a multiple of 3) reads the stored
 * columns through its index. */
static void test_sort_derived_table(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    int64_t *index = malloc(ROWS * sizeof *index), n = 0;
    for (int64_t r = 0; r < ROWS; r++)
        if (r % 3)
            index[n++] = r;
    int64_t *row_of_id = malloc(ROWS * sizeof *row_of_id);
    for (int64_t i = 0; i < n; i++)
        row_of_id[index[i]] = i;
    const struct demo_object *f = demo_object_new_derived(t, index, n);
    CHECK_REQ(f);
    struct demo_col_source s;
    CHECK(demo_table_column_source(f, C_D, &s) && s.rows && s.nulls);
    const struct demo_sort_key by_d_desc[] = {{C_D, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key by_l_d[] = {{C_L, DEMO_CC_INT, 0}, {C_D, DEMO_CC_FLOAT, 0}};
    check_sort(f, C_ID, by_d_desc, 1, row_of_id);
    check_sort(f, C_ID, by_l_d, 2, row_of_id);
    free(row_of_id);
    demo_object_unref(f);
    demo_object_unref(t);
}

/* trades' generated columns, read whole from the column cache. */
static void test_sort_trades(void)
{
    struct demo_catalog_options opt = {.trades_rows = 120000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    struct demo_col_source s;
    CHECK(demo_table_column_source(t, 2, &s) && s.kind == DEMO_SRC_F64 && !s.rows);
    CHECK(demo_table_column_source(t, 1, &s) && s.kind == DEMO_SRC_U8 && s.dict_n == 10);
    const struct demo_sort_key price_desc[] = {{2, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key sym_price[] = {{1, DEMO_CC_STRING, 0}, {2, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key flag_exch_size[] = {
        {5, DEMO_CC_BOOL, 0}, {4, DEMO_CC_STRING, 1}, {3, DEMO_CC_INT, 1}};
    check_sort(t, 6, price_desc, 1, NULL);
    check_sort(t, 6, sym_price, 2, NULL);
    const struct demo_sort_key exch_flag_size_id[] = {
        {4, DEMO_CC_STRING, 1}, {5, DEMO_CC_BOOL, 0}, {3, DEMO_CC_INT, 0}, {6, DEMO_CC_INT, 1}};
    check_sort(t, 6, flag_exch_size, 3, NULL); /* these two pack into one key per row */
    check_sort(t, 6, exch_flag_size_id, 4, NULL);
    demo_catalog_free(cat);
}

/* ---- filters ---- */

static void bind_names(const struct demo_object *t, struct demo_fnode *n)
{
    if (!n)
        return;
    bind_names(t, n->a);
    bind_names(t, n->b);
    for (size_t c = 0; n->column && c < demo_table_ncols(t); c++)
        if (strcmp(demo_table_col_name(t, c), n->column) == 0)
            n->col = c;
}

static struct demo_fnode *parse_bound(const struct demo_object *t, const char *text)
{
    struct demo_fnode *tree = NULL;
    char err[200];
    if (demo_filter_parse(text, &tree, err, sizeof err) != 0) {
        fprintf(stderr, "  parse %s: %s\n", text, err);
        return NULL;
    }
    bind_names(t, tree);
    return tree;
}

/* demo_filter_rows against demo_filter_match row by row, and the lazy view
 * (demo_filter_view) read at random positions, then in order; the rows kept. idcol:
 * a column with a distinct value in every row. */
static int64_t check_filter(const struct demo_object *t, size_t idcol, const char *text)
{
    struct demo_fnode *tree = parse_bound(t, text);
    CHECK(tree);
    if (!tree)
        return -1;
    int64_t *index = NULL, n = 0, size = demo_object_size(t), k = 0, bad = 0;
    CHECK(demo_filter_rows(t, &tree, 1, &index, &n) == 0);
    for (int64_t r = 0; r < size; r++) {
        if (!demo_filter_match(t, tree, r))
            continue;
        bad += k >= n || index[k] != r;
        k++;
    }
    if (bad || k != n)
        fprintf(stderr, "  filter %s: %lld rows, want %lld (%lld differ)\n", text, (long long)n,
                (long long)k, (long long)bad);
    CHECK(bad == 0 && k == n);
    demo_filter_free(tree);
    struct demo_fnode **trees = malloc(sizeof *trees);
    trees[0] = parse_bound(t, text);
    const struct demo_object *v = demo_filter_view(t, trees, 1, LAZY_MIN);
    CHECK(v && demo_object_size(v) == n);
    for (int64_t j = 0, bad_view = 0; v && j < 40 + n; j++) {
        int64_t i = j < 40 ? (int64_t)(next_rand() % (uint64_t)(n ? n : 1)) : j - 40;
        if (n == 0)
            break;
        bad_view += view_row(v, idcol, i) != view_row(t, idcol, index[i]);
        if (j == 40 + n - 1)
            CHECK_INT(bad_view, 0);
    }
    demo_object_unref(v);
    free(index);
    return n;
}

/* How many rows a comparison of D with a number keeps, written out plainly: null is
 * below every number (so < and <= and != match it), NaN matches only !=. */
static int64_t naive_d_count(const struct demo_object *t, const char *op, double v)
{
    int64_t n = 0;
    for (int64_t r = 0; r < demo_object_size(t); r++) {
        struct demo_cell c;
        demo_table_cell(t, r, C_D, &c);
        int lt, eq, gt;
        if (c.is_null) {
            lt = 1, eq = 0, gt = 0;
        } else if (c.d != c.d) {
            lt = eq = gt = 0;
        } else {
            lt = c.d<v, eq = c.d == v, gt = c.d> v;
        }
        int unordered = !c.is_null && c.d != c.d;
        if (strcmp(op, "<") == 0)
            n += lt;
        else if (strcmp(op, "<=") == 0)
            n += lt || eq;
        else if (strcmp(op, ">") == 0)
            n += gt;
        else if (strcmp(op, ">=") == 0)
            n += gt || eq;
        else if (strcmp(op, "==") == 0)
            n += eq;
        else
            n += !eq || unordered;
    }
    return n;
}

static void test_filter_random_table(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    static const char *const lits[] = {"0", "-0.0", "0.5", "-2.5", "180", "1e300"};
    for (size_t i = 0; i < 6; i++) {
        for (size_t j = 0; j < 6; j++) {
            char text[64];
            snprintf(text, sizeof text, "D %s %s", ops[i], lits[j]);
            CHECK_INT(check_filter(t, C_ID, text), naive_d_count(t, ops[i], strtod(lits[j], NULL)));
        }
    }
    for (size_t i = 0; i < 6; i++) { /* E has no nulls: compared 64 rows a word */
        for (size_t j = 0; j < 6; j++) {
            char text[64];
            snprintf(text, sizeof text, "E %s %s", ops[i], lits[j]);
            check_filter(t, C_ID, text);
        }
    }
    check_filter(t, C_ID, "E == NaN");
    check_filter(t, C_ID, "E != NaN");
    check_filter(t, C_ID, "E < Infinity");
    check_filter(t, C_ID, "E >= -Infinity");
    static const char *const more[] = {
        "D == NaN",
        "D != NaN",
        "D < Infinity",
        "D >= -Infinity",
        "D == null",
        "D != null",
        "isNull(D)",
        "L < 3",
        "L > 2.5",
        "L <= -0.5",
        "L == NaN",
        "L != NaN",
        "L in 1, 2, null",
        "L not in 3, -4",
        "L >= 9223372036854775807",
        "B == true",
        "B != false",
        "B == null",
        "!(D > 1) && L >= 0 || isNull(B)",
        "(D < 0 || D > 100) && !(B == true)",
        "Id < 1000 || Id >= 149000",
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        check_filter(t, C_ID, more[i]);
    /* the same through a derived table's index */
    int64_t *index = malloc(ROWS * sizeof *index), n = 0;
    for (int64_t r = 0; r < ROWS; r++)
        if (r % 4 != 1)
            index[n++] = r;
    const struct demo_object *f = demo_object_new_derived(t, index, n);
    CHECK_REQ(f);
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        check_filter(f, C_ID, more[i]);
    CHECK_INT(check_filter(f, C_ID, "D > 0.5"), naive_d_count(f, ">", 0.5));
    /* a lazy filter read as arrays (completed) by a sort */
    struct demo_fnode **trees = malloc(sizeof *trees);
    trees[0] = parse_bound(t, "D > 0 || isNull(B)");
    const struct demo_object *lv = demo_filter_view(t, trees, 1, LAZY_MIN);
    CHECK_REQ(lv);
    int64_t *row_of_id = malloc(ROWS * sizeof *row_of_id);
    for (int64_t i = 0; i < demo_object_size(lv); i++)
        row_of_id[view_row(lv, C_ID, i)] = i;
    const struct demo_sort_key by_d_desc[] = {{C_D, DEMO_CC_FLOAT, 1}};
    check_sort(lv, C_ID, by_d_desc, 1, row_of_id);
    free(row_of_id);
    demo_object_unref(lv);
    demo_object_unref(f);
    demo_object_unref(t);
}

/* A sort of a lazy filter reads the filter's parent through the filter's bits and lists
 * none of its rows: its first windows, then all of it, are exactly the naive sort of
 * the filter's rows, for filters keeping most, half and few rows. */
static void test_sort_of_filter(void)
{
    const struct demo_object *t = random_table();
    CHECK_REQ(t);
    static const char *const filters[] = {"D > 0 || isNull(B)", "L >= 0", "!(D == 0.5)",
                                          "D < -1000 || isNull(D) || L == 9223372036854775807"};
    const struct demo_sort_key by_d_desc[] = {{C_D, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key by_l_d_b[] = {
        {C_L, DEMO_CC_INT, 0}, {C_D, DEMO_CC_FLOAT, 1}, {C_B, DEMO_CC_BOOL, 1}};
    const struct demo_sort_key by_b_id[] = {{C_B, DEMO_CC_BOOL, 1}, {C_ID, DEMO_CC_INT, 1}};
    const struct demo_sort_key by_e[] = {{C_E, DEMO_CC_FLOAT, 0}};
    const struct demo_sort_key by_e_desc[] = {{C_E, DEMO_CC_FLOAT, 1}};
    const struct demo_sort_key *sorts[] = {by_d_desc, by_l_d_b, by_b_id, by_e, by_e_desc};
    const size_t n_keys[] = {1, 3, 2, 1, 1};
    int64_t *row_of_id = malloc(ROWS * sizeof *row_of_id);
    for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
        for (size_t k = 0; k < sizeof sorts / sizeof sorts[0]; k++) {
            struct demo_fnode **trees = malloc(sizeof *trees);
            trees[0] = parse_bound(t, filters[f]);
            const struct demo_object *lv = demo_filter_view(t, trees, 1, LAZY_MIN);
            CHECK_REQ(lv);
            const struct demo_object *base = NULL;
            CHECK(demo_table_subset(lv, &base) && base == t);
            int64_t n = demo_object_size(lv);
            CHECK(n > LAZY_MIN);
            const struct demo_object *v = demo_sort_view(lv, sorts[k], n_keys[k], LAZY_MIN);
            CHECK_REQ(v);
            view_row(v, C_ID, 0);
            view_row(v, C_ID, n - 1);
            const struct lazy_filter *lf = lv->map_ctx;
            CHECK(lf->listed == 0 && !atomic_load(&lf->all)); /* nothing listed */
            demo_object_unref(v);
            for (int64_t i = 0; i < n; i++)
                row_of_id[view_row(lv, C_ID, i)] = i;
            check_sort(lv, C_ID, sorts[k], n_keys[k], row_of_id);
            demo_object_unref(lv);
        }
    }
    free(row_of_id);
    demo_object_unref(t);
}

static void test_filter_trades(void)
{
    struct demo_catalog_options opt = {.trades_rows = 50000};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    static const char *const filters[] = {
        "Price > 180",
        "Price <= 150.5 || Size >= 4900",
        "Sym in `AAPL`, `IBM`",
        "Sym icase in `aapl`, `nvda`",
        "Sym not in `MSFT`",
        "Sym.contains(`A`)",
        "Sym < `IBM`",
        "Exchange.startsWith(`N`) && Size < 500",
        "Flag == true",
        "Id < 5000",
        "Id > 4999.5",
        "Size == 100",
        "Timestamp > 1704206800000000000",
        "!(Price > 120) && Sym != `INTC`",
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (check_filter(t, 6, filters[i]) <= 0) {
            fprintf(stderr, "  nothing kept: %s\n", filters[i]);
            CHECK(0);
        }
    demo_catalog_free(cat);
}

/* A comparison of Price on a table large enough for a parallel count pass: its
 * segments' bits and counts join into the same answer as the row-by-row matcher (the
 * size is no multiple of a block or of 64, so the last segment ends mid-word). */
static void test_filter_segments(void)
{
    struct demo_catalog_options opt = {.trades_rows = 2 * 1048576 + 4099};
    struct demo_catalog *cat = demo_catalog_new(&opt);
    const struct demo_object *t = demo_catalog_find(cat, "trades");
    CHECK_REQ(t);
    static const char *const filters[] = {"Price > 180", "Price <= 150.5", "Price != 100"};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        CHECK(check_filter(t, 6, filters[i]) > 0);
        struct demo_fnode **trees = malloc(sizeof *trees);
        trees[0] = parse_bound(t, filters[i]);
        const struct demo_object *v = demo_filter_view(t, trees, 1, LAZY_MIN);
        CHECK_REQ(v);
        const struct lazy_filter *lf = v->map_ctx;
        CHECK_INT(lf->segments, cpus >= 2 ? 2 : 1);
        demo_object_unref(v);
    }
    demo_catalog_free(cat);
}

int main(void)
{
    CHECK_RUN(T(test_sort_random_table), T(test_sort_derived_table), T(test_sort_trades),
              T(test_filter_random_table), T(test_sort_of_filter), T(test_filter_trades),
              T(test_filter_segments));
}
