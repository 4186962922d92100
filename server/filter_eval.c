/* SPDX-License-Identifier: MIT */
/* filter_eval.c: bound filter trees over blocks of rows. */
#include "filter_eval.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { BLOCK = 4096 }; /* rows evaluated together */

static int icase_equal(const uint8_t *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (tolower(a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Compare a cell with a literal: -1/0/1, or 2 when unordered (NaN). */
static int cmp_literal(enum demo_col_class cc, const struct demo_cell *c,
                       const struct demo_fvalue *v)
{
    if (c->is_null || v->kind == DEMO_FV_NULL)
        return (v->kind == DEMO_FV_NULL) - c->is_null;
    switch (cc) {
    case DEMO_CC_FLOAT:
        if (isnan(c->d) || isnan(v->d))
            return 2;
        return (c->d > v->d) - (c->d < v->d);
    case DEMO_CC_INT:
        if (v->is_int)
            return (c->i > v->i) - (c->i < v->i);
        if (isnan(v->d))
            return 2;
        return ((double)c->i > v->d) - ((double)c->i < v->d);
    case DEMO_CC_STRING: {
        size_t n = c->len < v->len ? c->len : v->len;
        int r = n ? memcmp(c->bytes, v->s, n) : 0;
        if (r)
            return r < 0 ? -1 : 1;
        return (c->len > v->len) - (c->len < v->len);
    }
    default: return (c->i > v->i) - (c->i < v->i);
    }
}

/* A leaf (comparison, in, string method, isNull) on one cell of its column. */
static int leaf_match(const struct demo_fnode *n, enum demo_col_class cc, const struct demo_cell *c)
{
    switch (n->kind) {
    case DEMO_FN_ISNULL: return c->is_null;
    case DEMO_FN_CONTAINS:
    case DEMO_FN_STARTS: {
        const struct demo_fvalue *v = &n->values[0];
        if (c->is_null || v->len > c->len)
            return 0;
        if (n->kind == DEMO_FN_STARTS)
            return v->len == 0 || memcmp(c->bytes, v->s, v->len) == 0;
        for (size_t i = 0; i + v->len <= c->len; i++)
            if (v->len == 0 || memcmp(c->bytes + i, v->s, v->len) == 0)
                return 1;
        return 0;
    }
    case DEMO_FN_IN: {
        int hit = 0;
        for (size_t i = 0; i < n->n_values && !hit; i++) {
            const struct demo_fvalue *v = &n->values[i];
            if (n->icase && cc == DEMO_CC_STRING && !c->is_null && v->kind == DEMO_FV_STRING)
                hit = icase_equal(c->bytes, c->len, v->s, v->len);
            else
                hit = cmp_literal(cc, c, v) == 0;
        }
        return n->negate ? !hit : hit;
    }
    default: break;
    }
    int r = cmp_literal(cc, c, &n->values[0]);
    switch (n->op) {
    case DEMO_OP_EQ: return r == 0;
    case DEMO_OP_NE: return r != 0;
    case DEMO_OP_LT: return r == -1;
    case DEMO_OP_LE: return r == -1 || r == 0;
    case DEMO_OP_GT: return r == 1 && !c->is_null;
    case DEMO_OP_GE: return (r == 1 || r == 0) && !c->is_null;
    }
    return 0;
}

static enum demo_col_class col_class(const struct demo_object *t, size_t col)
{
    return demo_col_class(demo_table_col_type(t, col));
}

int demo_filter_match(const struct demo_object *t, const struct demo_fnode *n, int64_t row)
{
    switch (n->kind) {
    case DEMO_FN_AND: return demo_filter_match(t, n->a, row) && demo_filter_match(t, n->b, row);
    case DEMO_FN_OR: return demo_filter_match(t, n->a, row) || demo_filter_match(t, n->b, row);
    case DEMO_FN_NOT: return !demo_filter_match(t, n->a, row);
    default: break;
    }
    struct demo_cell c;
    demo_table_cell(t, row, n->col, &c);
    return leaf_match(n, col_class(t, n->col), &c);
}

/* ---- one leaf over a block of rows read as arrays ---- */

/* Bytes per value of a source. */
static size_t source_width(enum demo_src_kind k)
{
    return k == DEMO_SRC_U8 ? 1 : k == DEMO_SRC_I32 ? 4 : 8;
}

/* The values of rows [r0, r0 + m), consecutive: in the source's own array when the
 * rows are its rows, else gathered into scratch (BLOCK values of up to 8 bytes). */
static const void *block_values(const struct demo_col_source *s, int64_t r0, size_t m,
                                void *scratch)
{
    size_t w = source_width(s->kind);
    if (!s->rows)
        return (const uint8_t *)s->vals + (size_t)r0 * w;
    const uint8_t *v = s->vals;
    uint8_t *out = scratch;
    for (size_t i = 0; i < m; i++)
        memcpy(out + i * w, v + (size_t)s->rows[r0 + (int64_t)i] * w, w);
    return scratch;
}

/* The cell of value i of a block (never null here). */
static void block_cell(const struct demo_col_source *s, const void *vals, size_t i,
                       struct demo_cell *c)
{
    memset(c, 0, sizeof *c);
    switch (s->kind) {
    case DEMO_SRC_F64: c->d = ((const double *)vals)[i]; break;
    case DEMO_SRC_I64: c->i = ((const int64_t *)vals)[i]; break;
    case DEMO_SRC_I32: c->i = ((const int32_t *)vals)[i]; break;
    case DEMO_SRC_U8: c->i = ((const uint8_t *)vals)[i]; break;
    }
}

/* A comparison with a number, one loop per operator; 0 when the leaf is not one. The
 * C operators on doubles are exactly cmp_literal's rules (NaN unordered, -0 == 0). */
static int compare_block(const struct demo_fnode *n, enum demo_src_kind kind, const void *vals,
                         size_t m, uint8_t *out)
{
    const struct demo_fvalue *v = n->n_values ? &n->values[0] : NULL;
    if (n->kind != DEMO_FN_CMP || !v || v->kind != DEMO_FV_NUMBER || kind == DEMO_SRC_U8)
        return 0;
#define CMP_LOOP(get, lit)                                                                         \
    switch (n->op) {                                                                               \
    case DEMO_OP_EQ:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) == (lit);                                                               \
        break;                                                                                     \
    case DEMO_OP_NE:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) != (lit);                                                               \
        break;                                                                                     \
    case DEMO_OP_LT:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) < (lit);                                                                \
        break;                                                                                     \
    case DEMO_OP_LE:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) <= (lit);                                                               \
        break;                                                                                     \
    case DEMO_OP_GT:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) > (lit);                                                                \
        break;                                                                                     \
    case DEMO_OP_GE:                                                                               \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = (get) >= (lit);                                                               \
        break;                                                                                     \
    }
    const double *f = vals;
    const int64_t *l = vals;
    const int32_t *w = vals;
    if (kind == DEMO_SRC_F64) {
        CMP_LOOP(f[i], v->d)
    } else if (kind == DEMO_SRC_I64 && v->is_int) {
        CMP_LOOP(l[i], v->i)
    } else if (kind == DEMO_SRC_I32 && v->is_int) {
        CMP_LOOP((int64_t)w[i], v->i)
    } else if (kind == DEMO_SRC_I64) {
        /* an integer column against a fractional literal: as doubles, as cmp_literal
         * compares (NaN matches only !=) */
        CMP_LOOP((double)l[i], v->d)
    } else {
        CMP_LOOP((double)w[i], v->d)
    }
#undef CMP_LOOP
    return 1;
}

/* A leaf on a column read as arrays: 0, or -1 when the column does not read so.
 * scratch: BLOCK values of 8 bytes. */
static int leaf_block(const struct demo_object *t, const struct demo_fnode *n, int64_t r0, size_t m,
                      uint8_t *out, void *scratch)
{
    struct demo_col_source s;
    if (!demo_table_column_source(t, n->col, &s))
        return -1;
    enum demo_col_class cc = col_class(t, n->col);
    const void *vals = block_values(&s, r0, m, scratch);
    if (s.kind == DEMO_SRC_U8) {  /* at most 256 values: the leaf once per value */
        uint8_t table[256] = {0}; /* values past a dictionary's end match nothing */
        size_t k = s.dict && s.dict_n < sizeof table ? s.dict_n : sizeof table;
        for (size_t v = 0; v < k; v++) {
            struct demo_cell c = {.i = (int64_t)v};
            if (s.dict) {
                c.bytes = (const uint8_t *)s.dict[v];
                c.len = strlen(s.dict[v]);
            }
            table[v] = (uint8_t)leaf_match(n, cc, &c);
        }
        const uint8_t *u = vals;
        for (size_t i = 0; i < m; i++)
            out[i] = table[u[i]];
    } else if (!compare_block(n, s.kind, vals, m, out)) {
        for (size_t i = 0; i < m; i++) {
            struct demo_cell c;
            block_cell(&s, vals, i, &c);
            out[i] = (uint8_t)leaf_match(n, cc, &c);
        }
    }
    if (s.nulls) { /* every null cell gets the leaf's answer for null */
        struct demo_cell c = {.is_null = 1};
        uint8_t on_null = (uint8_t)leaf_match(n, cc, &c);
        for (size_t i = 0; i < m; i++) {
            int64_t r = r0 + (int64_t)i;
            if (s.nulls[s.rows ? s.rows[r] : r])
                out[i] = on_null;
        }
    }
    return 0;
}

/* out[i] = whether row r0 + i matches n, for i < m; -1 when out of memory. scratch
 * holds BLOCK values of 8 bytes. */
static int eval_block(const struct demo_object *t, const struct demo_fnode *n, int64_t r0, size_t m,
                      uint8_t *out, void *scratch)
{
    if (n->kind == DEMO_FN_NOT) {
        if (eval_block(t, n->a, r0, m, out, scratch) != 0)
            return -1;
        for (size_t i = 0; i < m; i++)
            out[i] ^= 1;
        return 0;
    }
    if (n->kind == DEMO_FN_AND || n->kind == DEMO_FN_OR) {
        uint8_t *b = malloc(m);
        if (!b || eval_block(t, n->a, r0, m, out, scratch) != 0 ||
            eval_block(t, n->b, r0, m, b, scratch) != 0) {
            free(b);
            return -1;
        }
        for (size_t i = 0; i < m; i++)
            out[i] = n->kind == DEMO_FN_AND ? out[i] & b[i] : out[i] | b[i];
        free(b);
        return 0;
    }
    if (leaf_block(t, n, r0, m, out, scratch) != 0)
        for (size_t i = 0; i < m; i++)
            out[i] = (uint8_t)demo_filter_match(t, n, r0 + (int64_t)i);
    return 0;
}

/* keep[i] = whether row r0 + i matches every tree, for i < m; -1 out of memory. */
static int match_block(const struct demo_object *t, struct demo_fnode *const *trees, size_t n_trees,
                       int64_t r0, size_t m, uint8_t *keep, uint8_t *one, void *scratch)
{
    memset(keep, 1, m);
    for (size_t k = 0; k < n_trees; k++) {
        if (eval_block(t, trees[k], r0, m, one, scratch) != 0)
            return -1;
        for (size_t i = 0; i < m; i++)
            keep[i] &= one[i];
    }
    return 0;
}

/* Rows of a block kept by keep into out; how many. */
static int64_t list_block(const uint8_t *keep, int64_t r0, size_t m, int64_t *out)
{
    int64_t n = 0;
    for (size_t i = 0; i < m; i++) {
        out[n] = r0 + (int64_t)i; /* branch-free: kept rows advance n */
        n += keep[i];
    }
    return n;
}

int demo_filter_rows(const struct demo_object *t, struct demo_fnode *const *trees, size_t n_trees,
                     int64_t **index, int64_t *n_out)
{
    int64_t size = demo_object_size(t), n = 0;
    /* room for every row: pages no row is written to are never touched */
    int64_t *out = malloc((size_t)(size > 0 ? size : 1) * sizeof *out);
    uint8_t *keep = malloc(BLOCK), *one = malloc(BLOCK);
    uint64_t *scratch = malloc(BLOCK * sizeof *scratch);
    int rc = out && keep && one && scratch ? 0 : -1;
    for (int64_t r0 = 0; rc == 0 && r0 < size; r0 += BLOCK) {
        size_t m = size - r0 < BLOCK ? (size_t)(size - r0) : BLOCK;
        rc = match_block(t, trees, n_trees, r0, m, keep, one, scratch);
        if (rc == 0)
            n += list_block(keep, r0, m, out + n);
    }
    free(keep);
    free(one);
    free(scratch);
    if (rc != 0) {
        free(out);
        return -1;
    }
    int64_t *fit = realloc(out, (size_t)(n ? n : 1) * sizeof *out); /* 8 bytes per row kept */
    *index = fit ? fit : out;
    *n_out = n;
    return 0;
}

/* ---- lazily listed filters ---- */

enum { MAX_LISTED = 64 }; /* blocks listed one by one; then every block at once */

/* Buffers for one block (the count pass). */
struct block_buf {
    uint8_t keep[BLOCK], one[BLOCK];
    uint64_t scratch[BLOCK];
};

struct lazy_filter {
    pthread_mutex_t mu;
    struct block_buf *buf;       /* the count pass's, freed after it */
    const struct demo_object *t; /* the source; the view holds its reference */
    struct demo_fnode **trees;
    size_t n_trees;
    int64_t size;        /* rows of t */
    int64_t *first;      /* first[b]: view position of block b's first kept row; nb + 1 */
    int64_t nb;          /* blocks of BLOCK rows */
    uint64_t *bits;      /* the count pass's answer: bit r set when row r of t is kept */
    int64_t *rows;       /* view position -> row of t, valid where the block is listed */
    atomic_uchar *ready; /* per block */
    atomic_int all;      /* every block listed */
    int listed;
    int segments; /* threads of a parallel count pass (count_compare), else 0 */
};

static void free_trees(struct demo_fnode **trees, size_t n)
{
    for (size_t i = 0; trees && i < n; i++)
        demo_filter_free(trees[i]);
    free(trees);
}

static void lazy_filter_free(void *ctx)
{
    struct lazy_filter *l = ctx;
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free_trees(l->trees, l->n_trees);
    free(l->first);
    free(l->bits);
    free(l->rows);
    free((void *)l->ready);
    free(l->buf);
    free(l);
}

/* List the kept rows of block b (under the mutex). -1 out of memory. */
static int list_lazy_block(struct lazy_filter *l, int64_t b)
{
    if (atomic_load_explicit(&l->ready[b], memory_order_relaxed))
        return 0;
    int64_t r0 = b * BLOCK, n = 0, *out = l->rows + l->first[b];
    size_t m = l->size - r0 < BLOCK ? (size_t)(l->size - r0) : BLOCK;
    for (size_t w = (size_t)r0 / 64; w < ((size_t)r0 + m + 63) / 64; w++) /* the kept bits */
        for (uint64_t x = l->bits[w]; x; x &= x - 1)
            out[n++] = (int64_t)(w * 64) + __builtin_ctzll(x);
    atomic_store_explicit(&l->ready[b], 1, memory_order_release);
    l->listed++;
    return 0;
}

static int list_all(struct lazy_filter *l)
{
    for (int64_t b = 0; b < l->nb; b++)
        if (list_lazy_block(l, b) != 0)
            return -1;
    atomic_store_explicit(&l->all, 1, memory_order_release);
    return 0;
}

static int64_t lazy_filter_row(void *ctx, int64_t i)
{
    struct lazy_filter *l = ctx;
    if (atomic_load_explicit(&l->all, memory_order_acquire))
        return l->rows[i];
    int64_t lo = 0, hi = l->nb; /* the last block b with first[b] <= i holds position i */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (l->first[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    if (!atomic_load_explicit(&l->ready[lo], memory_order_acquire)) {
        pthread_mutex_lock(&l->mu);
        if (l->listed >= MAX_LISTED)
            list_all(l);
        else
            list_lazy_block(l, lo);
        pthread_mutex_unlock(&l->mu);
        if (!atomic_load_explicit(&l->ready[lo], memory_order_acquire))
            return 0; /* out of memory: a wrong row rather than a crash */
    }
    return l->rows[i];
}

static const int64_t *lazy_filter_all(void *ctx)
{
    struct lazy_filter *l = ctx;
    if (atomic_load_explicit(&l->all, memory_order_acquire))
        return l->rows;
    pthread_mutex_lock(&l->mu);
    int rc = list_all(l);
    pthread_mutex_unlock(&l->mu);
    return rc == 0 ? l->rows : NULL;
}

/* Whether every column the tree tests reads as arrays. */
static int reads_as_arrays(const struct demo_object *t, const struct demo_fnode *n)
{
    if (!n)
        return 1;
    struct demo_col_source s;
    if (n->column && !demo_table_column_source(t, n->col, &s))
        return 0;
    return reads_as_arrays(t, n->a) && reads_as_arrays(t, n->b);
}

/* The answers of a comparison of 64 numbers with v, as bits (bit i: f[i] op v), with
 * the C operators' rules (NaN unordered, -0 == 0); SSE2 compares two at a time. */
static uint64_t compare_64(const double *f, enum demo_fop op, double v)
{
    uint64_t word = 0;
#if defined(__SSE2__)
    __m128d x = _mm_set1_pd(v);
    for (unsigned i = 0; i < 64; i += 2) {
        __m128d a = _mm_loadu_pd(f + i), c;
        switch (op) {
        case DEMO_OP_EQ: c = _mm_cmpeq_pd(a, x); break;
        case DEMO_OP_NE: c = _mm_cmpneq_pd(a, x); break;
        case DEMO_OP_LT: c = _mm_cmplt_pd(a, x); break;
        case DEMO_OP_LE: c = _mm_cmple_pd(a, x); break;
        case DEMO_OP_GT: c = _mm_cmpgt_pd(a, x); break;
        default: c = _mm_cmpge_pd(a, x); break;
        }
        word |= (uint64_t)_mm_movemask_pd(c) << i;
    }
#else
    for (unsigned i = 0; i < 64; i++) {
        int r = op == DEMO_OP_EQ   ? f[i] == v
                : op == DEMO_OP_NE ? f[i] != v
                : op == DEMO_OP_LT ? f[i] < v
                : op == DEMO_OP_LE ? f[i] <= v
                : op == DEMO_OP_GT ? f[i] > v
                                   : f[i] >= v;
        word |= (uint64_t)r << i;
    }
#endif
    return word;
}

/* One segment of count_compare's pass: blocks [b0, b1), each block's match count into
 * first[b] (not yet summed), each row's answer into bits. */
struct compare_segment {
    const double *f;
    enum demo_fop op;
    double v;
    int64_t b0, b1, size;
    int64_t *first;
    uint64_t *bits;
};

static void *compare_segment_run(void *arg)
{
    struct compare_segment *g = arg;
    for (int64_t b = g->b0; b < g->b1; b++) {
        int64_t r0 = b * BLOCK, end = r0 + BLOCK < g->size ? r0 + BLOCK : g->size, n = 0;
        for (int64_t r = r0; r < end; r += 64) {
            uint64_t word;
            if (end - r >= 64) {
                word = compare_64(g->f + r, g->op, g->v);
            } else { /* the last rows */
                double last[64] = {0};
                memcpy(last, g->f + r, (size_t)(end - r) * sizeof *last);
                word = compare_64(last, g->op, g->v) & ((1ull << (end - r)) - 1);
            }
            g->bits[r / 64] = word;
            n += __builtin_popcountll(word);
        }
        g->first[b] = n;
    }
    return NULL;
}

/* Rows per segment of a parallel count pass: below this a thread costs more than it
 * saves (upstream's QueryTable.PARALLEL_WHERE_ROWS_PER_SEGMENT plays the same part). */
#define COMPARE_SEGMENT_ROWS (1 << 20)
#define COMPARE_SEGMENTS_MAX 4

/* The count pass of one comparison of a double column read straight from its array (no
 * index, no nulls) with a number: 64 rows a word, in up to COMPARE_SEGMENTS_MAX segments
 * on threads of their own, as a real server splits an initial where
 * (InitialFilterExecution.java: segments run in parallel, then their results join).
 * 1 when done, 0 when the filter is not that. */
static int count_compare(struct lazy_filter *l)
{
    const struct demo_fnode *n = l->n_trees == 1 ? l->trees[0] : NULL;
    struct demo_col_source s;
    if (!n || n->kind != DEMO_FN_CMP || !n->n_values || n->values[0].kind != DEMO_FV_NUMBER ||
        !demo_table_column_source(l->t, n->col, &s) || s.kind != DEMO_SRC_F64 || s.rows || s.nulls)
        return 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t segs = l->size / COMPARE_SEGMENT_ROWS;
    if (segs > cpus)
        segs = cpus;
    if (segs > COMPARE_SEGMENTS_MAX)
        segs = COMPARE_SEGMENTS_MAX;
    if (segs < 1 || segs > l->nb)
        segs = 1;
    struct compare_segment g[COMPARE_SEGMENTS_MAX];
    pthread_t th[COMPARE_SEGMENTS_MAX];
    int started[COMPARE_SEGMENTS_MAX] = {0};
    for (int64_t k = 0; k < segs; k++) {
        g[k] = (struct compare_segment){.f = s.vals,
                                        .op = n->op,
                                        .v = n->values[0].d,
                                        .b0 = l->nb * k / segs,
                                        .b1 = l->nb * (k + 1) / segs,
                                        .size = l->size,
                                        .first = l->first,
                                        .bits = l->bits};
        /* Segment 0 runs on this thread; a thread that cannot start runs here too. */
        started[k] = k > 0 && pthread_create(&th[k], NULL, compare_segment_run, &g[k]) == 0;
    }
    for (int64_t k = 0; k < segs; k++)
        if (!started[k])
            compare_segment_run(&g[k]);
    for (int64_t k = 1; k < segs; k++)
        if (started[k])
            pthread_join(th[k], NULL);
    l->segments = (int)segs;
    int64_t total = 0;
    for (int64_t b = 0; b < l->nb; b++) {
        int64_t m = l->first[b];
        l->first[b] = total;
        total += m;
    }
    l->first[l->nb] = total;
    return 1;
}

/* The count pass: matches per block into l->first, each row's answer into l->bits. */
static int count_blocks(struct lazy_filter *l)
{
    if (count_compare(l))
        return 0;
    struct block_buf *u = l->buf;
    int64_t total = 0;
    for (int64_t b = 0; b < l->nb; b++) {
        int64_t r0 = b * BLOCK;
        size_t m = l->size - r0 < BLOCK ? (size_t)(l->size - r0) : BLOCK;
        if (match_block(l->t, l->trees, l->n_trees, r0, m, u->keep, u->one, u->scratch) != 0)
            return -1;
        l->first[b] = total;
        memset(u->keep + m, 0, BLOCK - m);
        uint64_t *w = l->bits + r0 / 64; /* BLOCK is a multiple of 64 */
        for (size_t i = 0; i < m; i += 8) {
            uint64_t v; /* eight answers of 0 or 1: the multiply gathers them in its top byte */
            memcpy(&v, u->keep + i, 8);
            w[i / 64] |= ((v * 0x0102040810204080ull) >> 56) << (i % 64);
        }
        for (size_t i = 0; i < m; i += 64)
            total += __builtin_popcountll(w[i / 64]);
    }
    l->first[l->nb] = total;
    return 0;
}

const struct demo_object *demo_filter_view(const struct demo_object *t, struct demo_fnode **trees,
                                           size_t n_trees, int64_t lazy_min)
{
    int64_t size = demo_object_size(t);
    int lazy = size >= lazy_min;
    for (size_t k = 0; lazy && k < n_trees; k++)
        lazy = reads_as_arrays(t, trees[k]);
    if (!lazy) {
        int64_t *index = NULL, n = 0;
        int rc = demo_filter_rows(t, trees, n_trees, &index, &n);
        free_trees(trees, n_trees);
        return rc == 0 ? demo_object_new_derived(t, index, n) : NULL;
    }
    struct lazy_filter *l = calloc(1, sizeof *l);
    if (!l) {
        free_trees(trees, n_trees);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    l->t = t;
    l->trees = trees;
    l->n_trees = n_trees;
    l->size = size;
    l->nb = (size + BLOCK - 1) / BLOCK;
    l->first = malloc((size_t)(l->nb + 1) * sizeof *l->first);
    l->bits = calloc((size_t)(size + 63) / 64 + 1, sizeof *l->bits);
    l->ready = calloc((size_t)l->nb + 1, sizeof *l->ready);
    l->buf = malloc(sizeof *l->buf);
    atomic_init(&l->all, 0);
    if (!l->first || !l->bits || !l->ready || !l->buf || count_blocks(l) != 0) {
        lazy_filter_free(l);
        return NULL;
    }
    free(l->buf);
    l->buf = NULL;
    int64_t n = l->first[l->nb];
    l->rows = malloc((size_t)(n > 0 ? n : 1) * sizeof *l->rows); /* touched as blocks list */
    if (!l->rows) {
        lazy_filter_free(l);
        return NULL;
    }
    const struct demo_object *view =
        demo_object_new_mapped(t, n, lazy_filter_row, lazy_filter_all, lazy_filter_free, l);
    if (view)
        demo_object_set_subset(view, l->bits);
    return view;
}
