/* SPDX-License-Identifier: MIT */
/* group.c: hash grouping of rows by key cells. */
#include "group.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum demo_col_class demo_col_class(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BYTE:
    case DEMO_COL_SHORT:
    case DEMO_COL_INT:
    case DEMO_COL_LONG:
    case DEMO_COL_CHAR:
    case DEMO_COL_INSTANT:
    case DEMO_COL_DATE:
    case DEMO_COL_TIME: return DEMO_CC_INT;
    case DEMO_COL_FLOAT:
    case DEMO_COL_DOUBLE: return DEMO_CC_FLOAT;
    case DEMO_COL_BOOL: return DEMO_CC_BOOL;
    case DEMO_COL_STRING: return DEMO_CC_STRING;
    default: return DEMO_CC_OTHER;
    }
}

int demo_cell_compare(enum demo_col_class cc, const struct demo_cell *a, const struct demo_cell *b)
{
    if (a->is_null || b->is_null)
        return b->is_null - a->is_null;
    switch (cc) {
    case DEMO_CC_FLOAT: {
        int an = isnan(a->d), bn = isnan(b->d);
        if (an || bn)
            return an - bn;
        return (a->d > b->d) - (a->d < b->d);
    }
    case DEMO_CC_STRING: {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (a->len > b->len) - (a->len < b->len);
    }
    default: return (a->i > b->i) - (a->i < b->i);
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* A hash consistent with demo_cell_compare's equality. */
static uint64_t cell_hash(enum demo_col_class cc, const struct demo_cell *c)
{
    if (c->is_null)
        return 0x9e3779b97f4a7c15ULL;
    switch (cc) {
    case DEMO_CC_FLOAT: {
        double d = isnan(c->d) ? NAN : c->d == 0 ? 0.0 : c->d;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(bits);
    }
    case DEMO_CC_STRING: {
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < c->len; i++)
            h = (h ^ c->bytes[i]) * 1099511628211ULL;
        return mix(h ^ c->len);
    }
    default: return mix((uint64_t)c->i);
    }
}

/* The key cells of row, each read once. */
static void row_cells(const struct demo_groups *g, int64_t row, struct demo_cell *cur)
{
    for (size_t i = 0; i < g->k; i++)
        demo_table_cell(g->t, row, g->cols[i], &cur[i]);
}

static uint64_t cells_hash(const struct demo_groups *g, const struct demo_cell *cur)
{
    uint64_t h = 0;
    for (size_t i = 0; i < g->k; i++)
        h = mix(h * 31 + cell_hash(g->cc[i], &cur[i]));
    return h;
}

/* Whether the key cells cur equal group id's (its first row's, read again). */
static int equal_to_group(const struct demo_groups *g, const struct demo_cell *cur, size_t id)
{
    struct demo_cell c;
    for (size_t i = 0; i < g->k; i++) {
        demo_table_cell(g->t, g->first[id], g->cols[i], &c);
        if (demo_cell_compare(g->cc[i], &cur[i], &c) != 0)
            return 0;
    }
    return 1;
}

/* The slot of the key cur (hash h): its group's, or the empty one where it would go.
 * Groups keep their hash, so only an equal hash costs a read of the group's key. */
static size_t probe(const struct demo_groups *g, const struct demo_cell *cur, uint64_t h)
{
    size_t mask = g->cap - 1, s = (size_t)h & mask;
    while (g->slots[s] &&
           (g->hash[g->slots[s] - 1] != h || !equal_to_group(g, cur, g->slots[s] - 1)))
        s = (s + 1) & mask;
    return s;
}

static int grow(struct demo_groups *g)
{
    size_t cap = g->cap ? g->cap * 2 : 1024;
    uint32_t *slots = calloc(cap, sizeof *slots);
    int64_t *first = realloc(g->first, cap / 2 * sizeof *first);
    if (first)
        g->first = first;
    int64_t *count = first ? realloc(g->count, cap / 2 * sizeof *count) : NULL;
    if (count)
        g->count = count;
    uint64_t *hash = count ? realloc(g->hash, cap / 2 * sizeof *hash) : NULL;
    if (hash)
        g->hash = hash;
    if (!slots || !first || !count || !hash || cap / 2 > UINT32_MAX - 1) {
        free(slots);
        return -1;
    }
    free(g->slots);
    g->slots = slots;
    g->cap = cap;
    for (size_t id = 0; id < g->n; id++) {
        size_t s = (size_t)g->hash[id] & (cap - 1);
        while (slots[s])
            s = (s + 1) & (cap - 1);
        slots[s] = (uint32_t)(id + 1);
    }
    return 0;
}

/* Add a group whose first row is row (a key not seen yet) with count rows. -1 when out
 * of memory. */
static int add_group(struct demo_groups *g, const struct demo_cell *cur, uint64_t h, int64_t row,
                     int64_t count)
{
    size_t s = probe(g, cur, h);
    if (g->n + 1 > g->cap / 2) { /* keep the load under one half */
        if (grow(g) != 0)
            return -1;
        s = probe(g, cur, h);
    }
    g->first[g->n] = row;
    g->count[g->n] = count;
    g->hash[g->n] = h;
    g->slots[s] = (uint32_t)(++g->n);
    return 0;
}

/* One key column read as one-byte arrays (a string column of few values, a boolean):
 * the count and first row of each byte value and of null in one pass, then the groups
 * added in order of first appearance, as the row-by-row loop adds them. 1 when done, 0
 * when the column does not read so, -1 when out of memory. */
static int build_bytes(struct demo_groups *g, int64_t n)
{
    struct demo_col_source src;
    if (g->k != 1 || !demo_table_column_source(g->t, g->cols[0], &src) || src.kind != DEMO_SRC_U8)
        return 0;
    enum { CHUNK = 4096 };
    int64_t *vi = malloc(CHUNK * sizeof *vi), cnt[257] = {0}, at[257];
    uint8_t *nulls = malloc(CHUNK);
    if (!vi || !nulls) {
        free(vi);
        free(nulls);
        return -1;
    }
    for (int64_t lo = 0; lo < n; lo += CHUNK) {
        size_t m = n - lo < CHUNK ? (size_t)(n - lo) : CHUNK;
        demo_col_source_block(&src, lo, m, vi, NULL, nulls);
        for (size_t i = 0; i < m; i++) {
            size_t v = nulls[i] ? 256 : (size_t)vi[i]; /* [256]: null */
            if (cnt[v]++ == 0)
                at[v] = lo + (int64_t)i;
        }
    }
    free(vi);
    free(nulls);
    for (;;) { /* the value seen first among those not added yet */
        size_t v = 257;
        for (size_t b = 0; b < 257; b++)
            if (cnt[b] && (v == 257 || at[b] < at[v]))
                v = b;
        if (v == 257)
            return 1;
        struct demo_cell cur[1];
        row_cells(g, at[v], cur);
        uint64_t h = cells_hash(g, cur);
        size_t s = probe(g, cur, h);
        if (g->slots[s]) /* two bytes for one value: the row-by-row loop merges them too */
            g->count[g->slots[s] - 1] += cnt[v];
        else if (add_group(g, cur, h, at[v], cnt[v]) != 0)
            return -1;
        cnt[v] = 0;
    }
}

int demo_groups_build(struct demo_groups *g, const struct demo_object *t, const size_t *cols,
                      size_t k, int64_t n)
{
    memset(g, 0, sizeof *g);
    if (k > sizeof g->cols / sizeof g->cols[0])
        return -1;
    g->t = t;
    g->k = k;
    for (size_t i = 0; i < k; i++) {
        g->cols[i] = cols[i];
        g->cc[i] = demo_col_class(demo_table_col_type(t, cols[i]));
    }
    if (grow(g) != 0) {
        demo_groups_reset(g);
        return -1;
    }
    int bytes = build_bytes(g, n);
    if (bytes != 0) {
        if (bytes < 0)
            demo_groups_reset(g);
        return bytes < 0 ? -1 : 0;
    }
    struct demo_cell cur[sizeof g->cols / sizeof g->cols[0]];
    for (int64_t r = 0; r < n; r++) {
        row_cells(g, r, cur);
        uint64_t h = cells_hash(g, cur);
        size_t s = probe(g, cur, h);
        if (g->slots[s]) {
            g->count[g->slots[s] - 1]++;
            continue;
        }
        if (add_group(g, cur, h, r, 1) != 0) {
            demo_groups_reset(g);
            return -1;
        }
    }
    return 0;
}

size_t demo_groups_of(const struct demo_groups *g, int64_t row)
{
    struct demo_cell cur[sizeof g->cols / sizeof g->cols[0]];
    row_cells(g, row, cur);
    return g->slots[probe(g, cur, cells_hash(g, cur))] - 1;
}

void demo_groups_reset(struct demo_groups *g)
{
    free(g->slots);
    free(g->first);
    free(g->count);
    free(g->hash);
    memset(g, 0, sizeof *g);
}
