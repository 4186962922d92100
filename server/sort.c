/* SPDX-License-Identifier: MIT */
/* sort.c: stable sorts of computed tables, whole or lazily by windows. */
#include "sort.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- order-preserving keys ----
 * A cell's key is a uint64 in the cells' order, so most comparisons need no cell:
 * null 0, NaN UINT64_MAX, -0 == 0; strings by their first 7 bytes and length (not
 * exact beyond). Exact keys avoid 1 and UINT64_MAX - 1, which mark inexact ones. */

static inline uint64_t clamp_key(uint64_t k)
{
    return k == 0 ? 1 : k == UINT64_MAX ? UINT64_MAX - 1 : k;
}

static inline uint64_t double_key(double d)
{
    d += 0.0; /* -0 + 0 is +0: -0 == 0 */
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    uint64_t k = b ^ ((uint64_t)((int64_t)b >> 63) | (1ull << 63)); /* never 0, 1 or MAX - 1 */
    return d != d ? UINT64_MAX : k;
}

static inline uint64_t int_key(int64_t i)
{
    return clamp_key((uint64_t)i ^ (1ull << 63));
}

static uint64_t cell_key(enum demo_col_class cc, const struct demo_cell *c)
{
    if (c->is_null)
        return 0;
    switch (cc) {
    case DEMO_CC_FLOAT: return double_key(c->d);
    case DEMO_CC_STRING: {
        uint64_t k = 0;
        for (size_t i = 0; i < 7; i++)
            k = (k << 8) | (i < c->len ? c->bytes[i] : 0);
        return ((k << 8) | (c->len < 8 ? c->len : 8)) + 1;
    }
    default: return int_key(c->i);
    }
}

/* Equal keys mean equal cells (no need to compute them). */
static int key_exact(enum demo_col_class cc, uint64_t k)
{
    if (k == 0 || k == UINT64_MAX)
        return 1;
    if (cc == DEMO_CC_STRING)
        return ((k - 1) & 0xff) <= 7;
    return k != 1 && k != UINT64_MAX - 1;
}

/* The value position of the i-th of rows pos (NULL: first..) of a table read through s. */
static inline int64_t row_at(const struct demo_col_source *s, const int64_t *pos, int64_t first,
                             size_t i)
{
    int64_t r = pos ? pos[i] : first + (int64_t)i;
    return s->rows ? s->rows[r] : r;
}

/* Whether string a orders before string b (as demo_cell_compare orders cells). */
static int dict_less(const char *a, const char *b)
{
    size_t an = strlen(a), bn = strlen(b), n = an < bn ? an : bn;
    int c = memcmp(a, b, n);
    return c < 0 || (c == 0 && an < bn);
}

/* Keys of key `key` (inverted when descending) of t's rows pos[0..m) (NULL: rows
 * first..first + m) into k[0..m): from arrays when the column reads as arrays,
 * else cell by cell. */
static void fill_keys(const struct demo_object *t, const struct demo_sort_key *key,
                      const int64_t *pos, int64_t first, size_t m, uint64_t *k)
{
    uint64_t flip = key->desc ? UINT64_MAX : 0;
    struct demo_col_source s;
    if (!demo_table_column_source(t, key->col, &s)) {
        for (size_t i = 0; i < m; i++) {
            struct demo_cell c;
            demo_table_cell(t, pos ? pos[i] : first + (int64_t)i, key->col, &c);
            k[i] = cell_key(key->cc, &c) ^ flip;
        }
        return;
    }
    uint64_t small[256]; /* U8 columns: the key of every value */
    for (size_t v = 0; s.kind == DEMO_SRC_U8 && v < 256; v++) {
        struct demo_cell c = {.i = (int64_t)v};
        if (s.dict && v < s.dict_n) {
            c.bytes = (const uint8_t *)s.dict[v];
            c.len = strlen(s.dict[v]);
        }
        small[v] = cell_key(key->cc, &c);
    }
    for (size_t v = 0; s.kind == DEMO_SRC_U8 && s.dict && v < s.dict_n; v++) {
        /* a string's rank among the column's few strings: exact and compact keys (so
         * several keys pack into one: pack_keys) */
        uint64_t rank = 0;
        for (size_t w = 0; w < s.dict_n; w++)
            rank += (uint64_t)dict_less(s.dict[w], s.dict[v]);
        small[v] = (rank << 8) + 1;
    }
    for (size_t v = 0; s.kind == DEMO_SRC_U8 && v < 256; v++)
        small[v] ^= flip;
    const double *f = s.vals;
    const int64_t *l = s.vals;
    const int32_t *w = s.vals;
    const uint8_t *u = s.vals;
    /* one loop per kind; the common case (consecutive rows of the table itself) gets
     * loops the compiler can vectorise */
#define KEY_LOOPS(at)                                                                              \
    switch (s.kind) {                                                                              \
    case DEMO_SRC_F64:                                                                             \
        for (size_t i = 0; i < m; i++)                                                             \
            k[i] = double_key(f[at]) ^ flip;                                                       \
        break;                                                                                     \
    case DEMO_SRC_I64:                                                                             \
        for (size_t i = 0; i < m; i++)                                                             \
            k[i] = int_key(l[at]) ^ flip;                                                          \
        break;                                                                                     \
    case DEMO_SRC_I32:                                                                             \
        for (size_t i = 0; i < m; i++)                                                             \
            k[i] = int_key(w[at]) ^ flip;                                                          \
        break;                                                                                     \
    case DEMO_SRC_U8:                                                                              \
        for (size_t i = 0; i < m; i++)                                                             \
            k[i] = small[u[at]];                                                                   \
        break;                                                                                     \
    }
    if (!pos && !s.rows) {
        KEY_LOOPS(first + (int64_t)i)
    } else {
        KEY_LOOPS(row_at(&s, pos, first, i))
    }
#undef KEY_LOOPS
    for (size_t i = 0; s.nulls && i < m; i++)
        if (s.nulls[row_at(&s, pos, first, i)])
            k[i] = flip;
}

/* ---- sorting a set of rows ---- */

struct sort_ctx {
    const struct demo_object *t;
    const struct demo_sort_key *keys;
    size_t n_keys;
    const int64_t *pos; /* item i is row pos[i] of t */
    const uint64_t *k;  /* k[key * m + i] */
    size_t m;
};

static int cmp_items(const struct sort_ctx *x, int64_t a, int64_t b)
{
    for (size_t i = 0; i < x->n_keys; i++) {
        const struct demo_sort_key *key = &x->keys[i];
        uint64_t ka = x->k[i * x->m + (size_t)a], kb = x->k[i * x->m + (size_t)b];
        int c = 0;
        if (ka != kb) {
            c = ka < kb ? -1 : 1; /* keys of descending columns are inverted already */
        } else if (!key_exact(key->cc, ka ^ (key->desc ? UINT64_MAX : 0))) {
            struct demo_cell ca, cb;
            demo_table_cell(x->t, x->pos[a], key->col, &ca);
            demo_table_cell(x->t, x->pos[b], key->col, &cb);
            c = demo_cell_compare(key->cc, &ca, &cb);
            c = key->desc ? -c : c;
        }
        if (c)
            return c;
    }
    return (a > b) - (a < b); /* stable: items are in source order */
}

struct sort_item {
    uint64_t k; /* the current key level's key */
    int64_t i;  /* item number */
};

/* Bottom-up merge sort of items by every key (for runs of equal first keys; qsort has
 * no context argument in C11). */
static void merge_sort(const struct sort_ctx *x, struct sort_item *a, struct sort_item *tmp,
                       size_t n)
{
    struct sort_item *src = a, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = cmp_items(x, src[j].i, src[i].i) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        struct sort_item *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Stable LSD radix sort of items by k, a byte per pass (passes where every key
 * has the same byte are skipped). */
static void radix_sort(struct sort_item *a, struct sort_item *tmp, size_t n)
{
    struct sort_item *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((src[i].k >> shift) & 0xff) + 1]++;
        int trivial = 0;
        for (size_t b = 1; b <= 256; b++)
            trivial |= count[b] == n;
        if (trivial)
            continue;
        for (size_t b = 1; b <= 256; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].k >> shift) & 0xff]++] = src[i];
        struct sort_item *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Sort items (in item order) by keys level..: a stable radix sort by this key, then
 * each run of equal keys by the next key, or, when the key cannot tell cells apart,
 * by a merge sort on every key. */
static void sort_level(const struct sort_ctx *x, struct sort_item *items, struct sort_item *tmp,
                       size_t n, size_t level)
{
    const struct demo_sort_key *key = &x->keys[level];
    if (n < 64) { /* a radix pass costs more than a short merge sort */
        merge_sort(x, items, tmp, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        items[i].k = x->k[level * x->m + (size_t)items[i].i];
    radix_sort(items, tmp, n);
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && items[hi].k == items[lo].k)
            hi++;
        if (hi - lo > 1) {
            if (!key_exact(key->cc, items[lo].k ^ (key->desc ? UINT64_MAX : 0)))
                merge_sort(x, items + lo, tmp, hi - lo);
            else if (level + 1 < x->n_keys)
                sort_level(x, items + lo, tmp, hi - lo, level + 1);
        }
        lo = hi;
    }
}

/* Bits needed for values 0..range. */
static unsigned bit_width(uint64_t range)
{
    unsigned b = 0;
    for (; range; range >>= 1)
        b++;
    return b;
}

/* When every key is exact and their ranges fit in 64 bits together, one key per item
 * that orders as all the keys do (the first key in the top bits): items[i].k, and 1. */
static int pack_keys(const struct sort_ctx *x, struct sort_item *items)
{
    uint64_t lo[32];
    unsigned span[32], bits = 0;
    for (size_t j = 0; j < x->n_keys; j++) {
        const uint64_t *kj = x->k + j * x->m;
        uint64_t mn = UINT64_MAX, mx = 0, flip = x->keys[j].desc ? UINT64_MAX : 0;
        int exact = 1;
        for (size_t i = 0; i < x->m; i++) {
            mn = kj[i] < mn ? kj[i] : mn;
            mx = kj[i] > mx ? kj[i] : mx;
            exact &= key_exact(x->keys[j].cc, kj[i] ^ flip);
        }
        lo[j] = mn;
        span[j] = bit_width(mx - mn);
        bits += span[j];
        if (!exact || bits > 64)
            return 0;
    }
    for (size_t i = 0; i < x->m; i++) {
        uint64_t packed = 0;
        for (size_t j = 0; j < x->n_keys; j++) /* span < 64 unless it is the only key */
            packed = (span[j] < 64 ? packed << span[j] : 0) | (x->k[j * x->m + i] - lo[j]);
        items[i].k = packed;
    }
    return 1;
}

/* Sort t's rows pos[0..m) (ascending; NULL: rows 0..m) into out[0..m) (rows of t).
 * first_keys: the first key of each, already computed (or NULL). 0, or -1 when out
 * of memory. */
static int sort_positions(const struct demo_object *t, const struct demo_sort_key *keys,
                          size_t n_keys, const int64_t *pos, const uint64_t *first_keys, size_t m,
                          int64_t *out)
{
    uint64_t *k = malloc(m * n_keys * sizeof *k + 1);
    struct sort_item *items = malloc(m * 2 * sizeof *items + 1);
    int64_t *ident = pos ? NULL : malloc(m * sizeof *ident + 1);
    if (!k || !items || (!pos && !ident)) {
        free(k);
        free(items);
        free(ident);
        return -1;
    }
    for (size_t i = 0; ident && i < m; i++)
        ident[i] = (int64_t)i;
    for (size_t j = 0; j < n_keys; j++) {
        if (j == 0 && first_keys)
            memcpy(k, first_keys, m * sizeof *k);
        else
            fill_keys(t, &keys[j], pos, 0, m, k + j * m);
    }
    for (size_t i = 0; i < m; i++)
        items[i].i = (int64_t)i;
    struct sort_ctx x = {t, keys, n_keys, pos ? pos : ident, k, m};
    if (n_keys < 2 || !pack_keys(&x, items))
        sort_level(&x, items, items + m, m, 0);
    else
        radix_sort(items, items + m, m);
    for (size_t i = 0; i < m; i++)
        out[i] = pos ? pos[items[i].i] : items[i].i;
    free(k);
    free(items);
    free(ident);
    return 0;
}

int demo_sort_rows(const struct demo_object *t, const struct demo_sort_key *keys, size_t n_keys,
                   int64_t **index)
{
    int64_t n = demo_object_size(t);
    *index = malloc((size_t)(n > 0 ? n : 1) * sizeof **index);
    if (!*index)
        return -1;
    if (n_keys == 0) {
        for (int64_t r = 0; r < n; r++)
            (*index)[r] = r;
        return 0;
    }
    if (sort_positions(t, keys, n_keys, NULL, NULL, (size_t)n, *index) != 0) {
        free(*index);
        *index = NULL;
        return -1;
    }
    return 0;
}

/* ---- lazily sorted views ---- */

enum {
    BLOCK_SHIFT = 12,  /* positions are made ready a block of 4096 at a time */
    WINDOW = 16384,    /* positions ordered around the block asked for */
    SAMPLE = 65536,    /* first keys sampled to choose a window's bounds */
    MAX_WINDOWS = 8,   /* then the rest is sorted at once */
    PASS_BLOCK = 4096, /* rows whose keys one pass computes together */
};

struct lazy_sort {
    pthread_mutex_t mu;
    const struct demo_object *t; /* the source; the view holds its reference */
    struct demo_sort_key keys[32];
    size_t n_keys;
    int64_t n;
    /* a sort of a lazy filter (demo_table_subset): t is the filter's parent, of nbase
     * rows, of which those whose bit is set are sorted (n of them, in t's order); the
     * view's rows are t's rows */
    uint64_t *bits;
    int64_t nbase;
    int64_t *perm;       /* position -> row of t, valid where the block is ready */
    atomic_uchar *ready; /* per block of positions */
    uint64_t *kall;      /* every row's first key, when its column is read by cells, or
                            every row's packed keys (packed) */
    int packed;          /* kall orders by every key (pack_all): sort by it alone */
    uint64_t *sample;    /* sorted first keys of rows spread over the table */
    size_t n_sample;
    int windows; /* windows ordered so far */
    int all;     /* every block ready (under mu) */
};

static void lazy_free(void *ctx)
{
    struct lazy_sort *l = ctx;
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l->perm);
    free((void *)l->ready);
    free(l->kall);
    free(l->sample);
    free(l->bits);
    free(l);
}

static int64_t block_end(const struct lazy_sort *l, int64_t b)
{
    int64_t end = (b + 1) << BLOCK_SHIFT;
    return end < l->n ? end : l->n;
}

/* Copy sorted rows into positions first.., leaving blocks that are ready alone (a
 * reader may be reading them: the values would be the same), and mark the blocks
 * they fill whole ready. */
static void publish(struct lazy_sort *l, int64_t first, const int64_t *rows, int64_t m)
{
    for (int64_t b = first >> BLOCK_SHIFT; b << BLOCK_SHIFT < first + m; b++) {
        if (atomic_load_explicit(&l->ready[b], memory_order_relaxed))
            continue;
        int64_t lo = b << BLOCK_SHIFT, hi = block_end(l, b);
        int64_t from = lo > first ? lo : first, to = hi < first + m ? hi : first + m;
        memcpy(l->perm + from, rows + (from - first), (size_t)(to - from) * sizeof *rows);
        if (from == lo && to == hi)
            atomic_store_explicit(&l->ready[b], 1, memory_order_release);
    }
}

/* Sort rows pos[0..m) (NULL: every row) whose first keys are first_keys into out. */
static int sort_rows_of(const struct lazy_sort *l, const int64_t *pos, const uint64_t *first_keys,
                        size_t m, int64_t *out)
{
    if (!l->packed)
        return sort_positions(l->t, l->keys, l->n_keys, pos, first_keys, m, out);
    struct sort_item *items = malloc(m * 2 * sizeof *items + 1);
    if (!items)
        return -1;
    for (size_t i = 0; i < m; i++)
        items[i] = (struct sort_item){first_keys[i], (int64_t)i};
    radix_sort(items, items + m, m);
    for (size_t i = 0; i < m; i++)
        out[i] = pos ? pos[items[i].i] : items[i].i;
    free(items);
    return 0;
}

static inline int kept(const struct lazy_sort *l, int64_t r)
{
    return !l->bits || (l->bits[r >> 6] >> (r & 63)) & 1;
}

/* Sort every row. */
static int sort_all(struct lazy_sort *l)
{
    int64_t *all = malloc((size_t)l->n * sizeof *all + 1), *list = NULL, m = 0;
    if (all && l->bits && (list = malloc((size_t)l->n * sizeof *list + 1)) != NULL)
        for (int64_t w = 0; w < (l->nbase + 63) / 64 && m < l->n; w++) /* the kept rows */
            for (uint64_t x = l->bits[w]; x && m < l->n; x &= x - 1)
                list[m++] = w * 64 + __builtin_ctzll(x);
    if (!all || (l->bits && !list) || sort_rows_of(l, list, l->kall, (size_t)l->n, all) != 0) {
        free(all);
        free(list);
        return -1;
    }
    publish(l, 0, all, l->n);
    free(all);
    free(list);
    l->all = 1;
    return 0;
}

/* One pass over the rows: those whose first key is in [lo, hi) (has_lo / has_hi:
 * whether there is that bound) into *in (ascending) with their keys, how many are
 * below lo into *below. -1 when out of memory. */
/* The number whose key (double_key) is k, for k the key of a number. */
static double key_double(uint64_t k)
{
    uint64_t b = k >> 63 ? k ^ (1ull << 63) : ~k;
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* A pass by a double column read straight from its array (no index, no nulls) compares
 * the numbers themselves with the window's bounds turned into numbers: the count below
 * and the search for rows that may be in the window are plain comparisons the compiler
 * vectorises, and only those few rows get their exact keys. */
struct dbounds {
    const double *f; /* the column; NULL: the pass computes every key */
    int desc;
    double below; /* below lo: v < below ascending, !(v <= below) descending (NaN too) */
    double g, h;  /* may be in [lo, hi): !(v < g) && !(v > h); NaN: no bound */
};

static struct dbounds double_bounds(const struct lazy_sort *l, int has_lo, uint64_t lo, int has_hi,
                                    uint64_t hi)
{
    struct dbounds db = {0};
    struct demo_col_source s;
    const struct demo_sort_key *key = &l->keys[0];
    if (l->kall || key->cc != DEMO_CC_FLOAT || !demo_table_column_source(l->t, key->col, &s) ||
        s.kind != DEMO_SRC_F64 || s.rows || s.nulls)
        return db;
    if ((has_lo && (lo == 0 || lo == UINT64_MAX)) || (has_hi && (hi == 0 || hi == UINT64_MAX)))
        return db; /* a bound at null or NaN: keys */
    uint64_t flip = key->desc ? UINT64_MAX : 0;
    db.desc = key->desc;
    db.below = has_lo ? key_double(lo ^ flip) : NAN;
    /* ascending, lo <= K(v) < hi: v >= number(lo) and v <= number(hi); descending, the
     * keys are ~K(v): ~hi < K(v) <= ~lo */
    double a = has_lo ? key_double(lo ^ flip) : NAN, b = has_hi ? key_double(hi ^ flip) : NAN;
    db.g = key->desc ? b : a;
    db.h = key->desc ? a : b;
    db.f = s.vals;
    return db;
}

/* How many of f[0..PASS_BLOCK) may be in the window, and how many are below it (below
 * ascending, !(v <= below) descending) into *nb: loops of a fixed count summing 1.0s
 * (exact: at most PASS_BLOCK), which gcc vectorises at -O2 (integer sums of
 * comparisons it does not). */
static size_t maybe_block(const double *f, const struct dbounds *db, int count_below, int64_t *nb,
                          uint8_t hit[PASS_BLOCK / 64])
{
    const double g = db->g, h = db->h, under = db->below;
    double maybe = 0, below = 0;
    for (size_t j = 0; j < PASS_BLOCK / 64; j++) { /* by 64 values: those the rows may be in */
        double in = 0;
        for (size_t i = 0; i < 64; i++)
            in += !(f[64 * j + i] < g) && !(f[64 * j + i] > h) ? 1.0 : 0.0;
        hit[j] = in > 0;
        maybe += in;
    }
    if (count_below && !db->desc)
        for (size_t i = 0; i < PASS_BLOCK; i++)
            below += f[i] < under ? 1.0 : 0.0;
    else if (count_below)
        for (size_t i = 0; i < PASS_BLOCK; i++)
            below += !(f[i] <= under) ? 1.0 : 0.0;
    *nb += (int64_t)below;
    return (size_t)maybe;
}

/* Rows of the block [r0, r0 + c) below lo (has_lo) into *nb, and those in [lo, hi)
 * appended to rows and keys at *m, by the numbers (double_bounds). */
static void pass_doubles(const struct lazy_sort *l, const struct dbounds *db, int has_lo,
                         uint64_t lo, uint64_t span, int empty, int64_t r0, size_t c, int64_t *nb,
                         int64_t *rows, uint64_t *keys, size_t *m)
{
    const double *f = db->f + r0;
    const uint64_t *w = l->bits ? l->bits + r0 / 64 : NULL; /* PASS_BLOCK: a multiple of 64 */
    size_t maybe = 0;
    uint8_t hit[PASS_BLOCK / 64];
    memset(hit, 1, sizeof hit);
    if (c == PASS_BLOCK) {
        maybe = maybe_block(f, db, has_lo && !w, nb, hit);
    } else {
        for (size_t i = 0; i < c; i++)
            maybe += !(f[i] < db->g) & !(f[i] > db->h);
        for (size_t i = 0; has_lo && !w && i < c; i++)
            *nb += db->desc ? !(f[i] <= db->below) : f[i] < db->below;
    }
    for (size_t i = 0; has_lo && w && i < c; i++) /* only the filter's rows count */
        *nb += (db->desc ? !(f[i] <= db->below) : f[i] < db->below) &
               (int)((w[i / 64] >> (i % 64)) & 1);
    uint64_t flip = db->desc ? UINT64_MAX : 0;
    for (size_t i = 0; maybe && i < c; i++) {
        if (!hit[i / 64]) {
            i += 63;
            continue;
        }
        if (!(f[i] < db->g) && !(f[i] > db->h)) {
            uint64_t k = double_key(f[i]) ^ flip;
            if (k - lo <= span && !empty && kept(l, r0 + (int64_t)i)) {
                rows[*m] = r0 + (int64_t)i;
                keys[(*m)++] = k;
            }
        }
    }
}

static int pass(const struct lazy_sort *l, int has_lo, uint64_t lo, int has_hi, uint64_t hi,
                int64_t **in, uint64_t **in_keys, size_t *n_in, int64_t *below)
{
    struct dbounds db = double_bounds(l, has_lo, lo, has_hi, hi);
    uint64_t buf[PASS_BLOCK];
    size_t cap = 4 * WINDOW, m = 0;
    int64_t *rows = malloc(cap * sizeof *rows), nb = 0;
    uint64_t *keys = malloc(cap * sizeof *keys);
    int ok = rows && keys;
    lo = has_lo ? lo : 0;
    uint64_t span = has_hi ? hi - lo - 1 : UINT64_MAX - lo; /* k - lo <= span: k in [lo, hi) */
    int empty = has_hi && hi <= lo;
    int64_t rows_t = l->bits ? l->nbase : l->n; /* rows of t to read */
    for (int64_t r0 = 0; ok && r0 < rows_t; r0 += PASS_BLOCK) {
        size_t c = rows_t - r0 < PASS_BLOCK ? (size_t)(rows_t - r0) : PASS_BLOCK;
        if (m + c > cap) {
            cap = 2 * cap;
            int64_t *r2 = realloc(rows, cap * sizeof *rows);
            rows = r2 ? r2 : rows;
            uint64_t *k2 = r2 ? realloc(keys, cap * sizeof *keys) : NULL;
            keys = k2 ? k2 : keys;
            ok = r2 && k2;
        }
        if (ok && db.f) {
            pass_doubles(l, &db, has_lo, lo, span, empty, r0, c, &nb, rows, keys, &m);
            continue;
        }
        const uint64_t *k = l->kall ? l->kall + r0 : buf;
        if (!l->kall)
            fill_keys(l->t, &l->keys[0], NULL, r0, c, buf);
        if (!l->bits) {
            for (size_t i = 0; has_lo && i < c; i++)
                nb += k[i] < lo;
        } else { /* only the filter's rows count: bit i % 64 of the block's word i / 64 */
            const uint64_t *w = l->bits + r0 / 64; /* PASS_BLOCK is a multiple of 64 */
            for (size_t i = 0; has_lo && i < c; i++)
                nb += (int64_t)((k[i] < lo) & (w[i / 64] >> (i % 64)) & 1);
        }
        for (size_t i = 0; ok && i < c; i++) {
            if (k[i] - lo <= span && !empty && kept(l, r0 + (int64_t)i)) {
                rows[m] = r0 + (int64_t)i; /* lo <= k < hi: rare, so well predicted */
                keys[m++] = k[i];
            }
        }
    }
    if (!ok) {
        free(rows);
        free(keys);
        return -1;
    }
    *in = rows;
    *in_keys = keys;
    *n_in = m;
    *below = nb;
    return 0;
}

/* Order a window of positions around block b: -1 when out of memory. */
static int order_window(struct lazy_sort *l, int64_t b)
{
    int64_t lo = b << BLOCK_SHIFT, hi = block_end(l, b);
    int64_t wlo = lo - WINDOW / 2 > 0 ? lo - WINDOW / 2 : 0;
    int64_t whi = hi + WINDOW / 2 < l->n ? hi + WINDOW / 2 : l->n;
    double per = (double)l->n_sample / (double)l->n; /* sampled keys per position */
    /* a sample quantile's rank is off by about sqrt(S p (1 - p)) samples: four times that */
    double p = ((double)lo + 0.5) / (double)l->n;
    double sd = sqrt((double)l->n_sample * p * (1 - p));
    for (double margin = 8 + 4 * sd; l->windows < MAX_WINDOWS; margin *= 4) {
        double ja = (double)wlo * per - margin, jb = (double)whi * per + margin;
        int has_lo = ja >= 1, has_hi = jb < (double)l->n_sample - 1;
        if (!has_lo && !has_hi)
            break;                          /* the window is everything */
        size_t j = has_hi ? (size_t)jb : 0; /* the bound's whole tie group goes in too */
        while (has_hi && j < l->n_sample && l->sample[j] == l->sample[(size_t)jb])
            j++;
        has_hi = has_hi && j < l->n_sample;
        double share = ((has_hi ? (double)j : (double)l->n_sample) - (has_lo ? ja : 0)) * 1.0 /
                       (double)l->n_sample;
        if (share > 0.5)
            break; /* most rows are in the window (a first key with few values) */
        uint64_t klo = has_lo ? l->sample[(size_t)ja] : 0;
        uint64_t khi = has_hi ? l->sample[j] : 0;
        int64_t *in = NULL, below = 0;
        uint64_t *in_keys = NULL;
        size_t m = 0;
        if (pass(l, has_lo, klo, has_hi, khi, &in, &in_keys, &m, &below) != 0)
            return -1;
        l->windows++;
        if (below <= lo && below + (int64_t)m >= hi) {
            int64_t *sorted = malloc((m ? m : 1) * sizeof *sorted);
            int rc = sorted && sort_rows_of(l, in, in_keys, m, sorted) == 0 ? 0 : -1;
            if (rc == 0)
                publish(l, below, sorted, (int64_t)m);
            free(sorted);
            free(in);
            free(in_keys);
            return rc;
        }
        free(in); /* the sample misled: wider bounds */
        free(in_keys);
    }
    return sort_all(l);
}

static int64_t lazy_row(void *ctx, int64_t i)
{
    struct lazy_sort *l = ctx;
    int64_t b = i >> BLOCK_SHIFT;
    if (!atomic_load_explicit(&l->ready[b], memory_order_acquire)) {
        pthread_mutex_lock(&l->mu);
        if (!atomic_load_explicit(&l->ready[b], memory_order_relaxed))
            order_window(l, b);
        pthread_mutex_unlock(&l->mu);
        if (!atomic_load_explicit(&l->ready[b], memory_order_acquire))
            return 0; /* out of memory: a wrong row rather than a crash */
    }
    return l->perm[i];
}

static const int64_t *lazy_all(void *ctx)
{
    struct lazy_sort *l = ctx;
    pthread_mutex_lock(&l->mu);
    int rc = l->all ? 0 : sort_all(l);
    pthread_mutex_unlock(&l->mu);
    return rc == 0 ? l->perm : NULL;
}

/* The sample: first keys of SAMPLE rows spread evenly over the table, sorted. */
static int take_sample(struct lazy_sort *l)
{
    l->n_sample = l->n < SAMPLE ? (size_t)l->n : SAMPLE;
    int64_t *pos = malloc(l->n_sample * sizeof *pos + 1);
    l->sample = malloc(l->n_sample * sizeof *l->sample + 1);
    if (!pos || !l->sample) {
        free(pos);
        return -1;
    }
    for (size_t j = 0; j < l->n_sample; j++)
        pos[j] = (int64_t)(((double)j + 0.5) * (double)l->n / (double)l->n_sample);
    if (l->bits) { /* rows spread over the filter's parent, those the filter keeps */
        size_t k = 0;
        for (size_t j = 0; j < l->n_sample; j++) {
            int64_t r = (int64_t)(((double)j + 0.5) * (double)l->nbase / (double)l->n_sample);
            if (kept(l, r))
                pos[k++] = r;
        }
        l->n_sample = k;
    }
    for (size_t j = 0; l->kall && j < l->n_sample; j++)
        l->sample[j] = l->kall[pos[j]];
    if (!l->kall)
        fill_keys(l->t, &l->keys[0], pos, 0, l->n_sample, l->sample);
    free(pos);
    struct sort_item *items = malloc(l->n_sample * 2 * sizeof *items + 1);
    if (!items)
        return -1;
    for (size_t j = 0; j < l->n_sample; j++)
        items[j] = (struct sort_item){l->sample[j], (int64_t)j};
    radix_sort(items, items + l->n_sample, l->n_sample);
    for (size_t j = 0; j < l->n_sample; j++)
        l->sample[j] = items[j].k;
    free(items);
    return 0;
}

/* Several keys that all read as arrays, are exact and fit in 64 bits together (as
 * pack_keys): every row's packed key into l->kall, and 1. Two reads of each column. */
static int pack_all(struct lazy_sort *l)
{
    uint64_t lo[32], buf[PASS_BLOCK];
    unsigned span[32], bits = 0;
    struct demo_col_source src;
    for (size_t j = 0; j < l->n_keys; j++) {
        if (!demo_table_column_source(l->t, l->keys[j].col, &src))
            return 0;
        uint64_t mn = UINT64_MAX, mx = 0, flip = l->keys[j].desc ? UINT64_MAX : 0;
        int exact = 1;
        for (int64_t r0 = 0; r0 < l->n; r0 += PASS_BLOCK) {
            size_t c = l->n - r0 < PASS_BLOCK ? (size_t)(l->n - r0) : PASS_BLOCK;
            fill_keys(l->t, &l->keys[j], NULL, r0, c, buf);
            for (size_t i = 0; i < c; i++) {
                mn = buf[i] < mn ? buf[i] : mn;
                mx = buf[i] > mx ? buf[i] : mx;
                exact &= key_exact(l->keys[j].cc, buf[i] ^ flip);
            }
        }
        lo[j] = mn;
        span[j] = bit_width(mx - mn);
        bits += span[j];
        if (!exact || bits > 64)
            return 0;
    }
    l->kall = calloc((size_t)l->n, sizeof *l->kall);
    if (!l->kall)
        return 0;
    for (size_t j = 0; j < l->n_keys; j++) {
        for (int64_t r0 = 0; r0 < l->n; r0 += PASS_BLOCK) {
            size_t c = l->n - r0 < PASS_BLOCK ? (size_t)(l->n - r0) : PASS_BLOCK;
            uint64_t *k = l->kall + r0;
            fill_keys(l->t, &l->keys[j], NULL, r0, c, buf);
            for (size_t i = 0; i < c; i++) /* the total is at most 64 bits: no key is 64 */
                k[i] = (span[j] < 64 ? k[i] << span[j] : 0) | (buf[i] - lo[j]);
        }
    }
    l->packed = 1;
    return 1;
}

/* A sort of a lazy filter whose parent reads key 0 as arrays: l set to sort the parent's
 * rows the filter keeps (t's rows, none listed); 1, or 0 when t is no such filter. */
static int sort_subset(struct lazy_sort *l, const struct demo_object *t)
{
    const struct demo_object *base = NULL;
    const uint64_t *bits = demo_table_subset(t, &base);
    struct demo_col_source src;
    if (!bits || !demo_table_column_source(base, l->keys[0].col, &src))
        return 0;
    l->nbase = demo_object_size(base);
    size_t words = (size_t)(l->nbase + 63) / 64;
    l->bits = malloc(words * sizeof *l->bits + 1);
    if (!l->bits)
        return 0;
    memcpy(l->bits, bits, words * sizeof *bits); /* the filter may go before the sort */
    l->t = base;
    return 1;
}

const struct demo_object *demo_sort_view(const struct demo_object *t,
                                         const struct demo_sort_key *keys, size_t n_keys,
                                         int64_t lazy_min)
{
    int64_t n = demo_object_size(t);
    if (n < lazy_min || n_keys == 0 || n_keys > 32) {
        int64_t *index = NULL;
        if (demo_sort_rows(t, keys, n_keys, &index) != 0)
            return NULL;
        return demo_object_new_derived(t, index, n);
    }
    struct lazy_sort *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->t = t;
    memcpy(l->keys, keys, n_keys * sizeof *keys);
    l->n_keys = n_keys;
    l->n = n;
    l->perm = malloc((size_t)n * sizeof *l->perm); /* pages are touched as blocks fill */
    l->ready = calloc((size_t)((n >> BLOCK_SHIFT) + 1), sizeof *l->ready);
    struct demo_col_source src;
    int arrays = sort_subset(l, t) || demo_table_column_source(t, keys[0].col, &src);
    if (arrays && n_keys > 1 && !l->bits)
        pack_all(l); /* else windows by the first key, sorted by every key */
    if (!arrays) {   /* read by cells: compute them once */
        l->kall = malloc((size_t)n * sizeof *l->kall);
        if (l->kall)
            fill_keys(t, &keys[0], NULL, 0, (size_t)n, l->kall);
    }
    if (!l->perm || !l->ready || (!arrays && !l->kall) || take_sample(l) != 0) {
        lazy_free(l);
        return NULL;
    }
    return demo_object_new_mapped(l->t, n, lazy_row, lazy_all, lazy_free, l);
}
