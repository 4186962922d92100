/* SPDX-License-Identifier: MIT */
/* derive.c: sort and filter computed tables into derived tables (index arrays). */
#include "derive.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "filter_parse.h"
#include "group.h"
#include "aggregate.h"
#include "pbutil.h"
#include "stats.h"

/* Column index of name, or -1. */
static long find_column(const struct demo_object *t, const char *name)
{
    size_t n = demo_table_ncols(t);
    for (size_t c = 0; c < n; c++)
        if (strcmp(demo_table_col_name(t, c), name) == 0)
            return (long)c;
    return -1;
}

/* ---- sort ---- */

struct sort_key {
    size_t col;
    enum demo_col_class cc;
    int desc;
};

struct sort_ctx {
    const struct demo_object *t;
    const struct sort_key *keys;
    size_t n_keys;
    const uint64_t *k; /* fast keys: k[row * n_keys + key] */
};

/* An order-preserving (not always strict) key of a cell, so most comparisons
 * need no cell: nulls 0, NaN last, -0 == 0; strings by their first 7 bytes and
 * length. */
static uint64_t fast_key(enum demo_col_class cc, const struct demo_cell *c)
{
    if (c->is_null)
        return 0;
    uint64_t k;
    switch (cc) {
    case DEMO_CC_FLOAT: {
        if (isnan(c->d))
            return UINT64_MAX;
        double d = c->d == 0 ? 0.0 : c->d; /* -0 == 0 */
        memcpy(&k, &d, sizeof k);
        k = (k >> 63) ? ~k : k | (1ull << 63);
        break;
    }
    case DEMO_CC_STRING: {
        k = 0;
        for (size_t i = 0; i < 7; i++)
            k = (k << 8) | (i < c->len ? c->bytes[i] : 0);
        return ((k << 8) | (c->len < 8 ? c->len : 8)) + 1;
    }
    default: k = (uint64_t)c->i ^ (1ull << 63); break;
    }
    if (k == 0)
        k = 1;
    if (k == UINT64_MAX)
        k = UINT64_MAX - 1;
    return k;
}

/* Equal fast keys mean equal cells (no need to compute them). */
static int fast_key_exact(enum demo_col_class cc, uint64_t k)
{
    if (k == 0 || k == UINT64_MAX)
        return 1;
    if (cc == DEMO_CC_STRING)
        return ((k - 1) & 0xff) <= 7;
    return k != 1 && k != UINT64_MAX - 1;
}

static int cmp_rows(const struct sort_ctx *x, int64_t a, int64_t b)
{
    for (size_t i = 0; i < x->n_keys; i++) {
        const struct sort_key *key = &x->keys[i];
        uint64_t ka = x->k[(size_t)a * x->n_keys + i], kb = x->k[(size_t)b * x->n_keys + i];
        int c = 0;
        if (ka != kb) {
            c = ka < kb ? -1 : 1;
        } else if (!fast_key_exact(key->cc, ka)) {
            struct demo_cell ca, cb;
            demo_table_cell(x->t, a, key->col, &ca);
            demo_table_cell(x->t, b, key->col, &cb);
            c = demo_cell_compare(key->cc, &ca, &cb);
        }
        if (c)
            return key->desc ? -c : c;
    }
    return (a > b) - (a < b); /* stable */
}

struct sort_item {
    uint64_t k; /* the first key's fast key, inverted when descending */
    int64_t row;
};

/* Bottom-up merge sort of items by every key (for runs of equal first fast keys;
 * qsort has no context argument in C11). */
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
                dst[k++] = cmp_rows(x, src[j].row, src[i].row) < 0 ? src[j++] : src[i++];
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
 * has the same byte are skipped). Linear: 10M rows sort in well under a second. */
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

/* Sort items (in row order, k = key `level`'s fast key) by keys level.. : a stable
 * radix sort by this key, then each run of equal keys by the next key, or, when the
 * fast key cannot tell cells apart, by a merge sort on every key. */
static void sort_level(const struct sort_ctx *x, struct sort_item *items, struct sort_item *tmp,
                       size_t n, size_t level)
{
    const struct sort_key *key = &x->keys[level];
    if (n < 64) { /* a radix pass costs more than a short merge sort */
        merge_sort(x, items, tmp, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = x->k[(size_t)items[i].row * x->n_keys + level];
        items[i].k = key->desc ? ~k : k;
    }
    radix_sort(items, tmp, n);
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && items[hi].k == items[lo].k)
            hi++;
        if (hi - lo > 1) {
            uint64_t k = x->k[(size_t)items[lo].row * x->n_keys + level];
            if (!fast_key_exact(key->cc, k))
                merge_sort(x, items + lo, tmp, hi - lo);
            else if (level + 1 < x->n_keys)
                sort_level(x, items + lo, tmp, hi - lo, level + 1);
        }
        lo = hi;
    }
}

static int derive_sort(const struct demo_object *t,
                       const Io__Deephaven__Proto__Backplane__Grpc__SortTableRequest *req,
                       int64_t **index, int64_t *n_out, struct demo_status *st)
{
    struct sort_key keys[32];
    size_t n_keys = 0;
    char missing[256] = "";
    size_t n_missing = 0; /* an empty name is missing too */
    for (size_t i = 0; i < req->n_sorts; i++) {
        const char *name = req->sorts[i]->column_name ? req->sorts[i]->column_name : "";
        long c = find_column(t, name);
        if (c < 0) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%s", n_missing++ ? ", " : "", name);
        }
    }
    if (n_missing) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "column(s) not found: %s", missing);
        return -1;
    }
    for (size_t i = 0; i < req->n_sorts; i++) {
        const Io__Deephaven__Proto__Backplane__Grpc__SortDescriptor *d = req->sorts[i];
        int dir = (int)d->direction;
        if (dir != 1 && dir != -1) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Unexpected sort direction: %d (the demo server sorts ascending "
                            "or descending)",
                            dir);
            return -1;
        }
        size_t c = (size_t)find_column(t, d->column_name);
        enum demo_col_class cc = demo_col_class(demo_table_col_type(t, c));
        if (cc == DEMO_CC_OTHER || d->is_absolute) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "the demo server cannot sort column %s%s", d->column_name,
                            d->is_absolute ? " by absolute value" : " (its type)");
            return -1;
        }
        if (n_keys == sizeof keys / sizeof keys[0]) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "too many sort columns");
            return -1;
        }
        keys[n_keys++] = (struct sort_key){c, cc, dir < 0};
    }
    int64_t n = demo_object_size(t);
    *n_out = n;
    *index = malloc((size_t)(n ? n : 1) * sizeof **index);
    if (!*index) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    if (n_keys == 0) {
        for (int64_t r = 0; r < n; r++)
            (*index)[r] = r;
        return 0;
    }
    uint64_t *k = malloc((size_t)n * n_keys * sizeof *k + 1);
    struct sort_item *items = malloc((size_t)n * 2 * sizeof *items + 1);
    if (!k || !items) {
        free(k);
        free(items);
        free(*index);
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    for (int64_t r = 0; r < n; r++) {
        for (size_t i = 0; i < n_keys; i++) {
            struct demo_cell c;
            demo_table_cell(t, r, keys[i].col, &c);
            k[(size_t)r * n_keys + i] = fast_key(keys[i].cc, &c);
        }
        items[r].row = r;
    }
    struct sort_ctx x = {t, keys, n_keys, k};
    sort_level(&x, items, items + n, (size_t)n, 0);
    for (int64_t r = 0; r < n; r++)
        (*index)[r] = items[r].row;
    free(k);
    free(items);
    return 0;
}

/* ---- filters ---- */

/* Check a literal can be compared with a column of class cc. */
static int literal_fits(enum demo_col_class cc, const struct demo_fvalue *v)
{
    if (v->kind == DEMO_FV_NULL)
        return 1;
    switch (cc) {
    case DEMO_CC_INT:
    case DEMO_CC_FLOAT: return v->kind == DEMO_FV_NUMBER;
    case DEMO_CC_BOOL: return v->kind == DEMO_FV_BOOL;
    case DEMO_CC_STRING: return v->kind == DEMO_FV_STRING;
    default: return 0;
    }
}

/* Bind column names to t's columns and check literal types. */
static int bind(const struct demo_object *t, struct demo_fnode *n, const char *text,
                struct demo_status *st)
{
    if (!n)
        return 0;
    if (bind(t, n->a, text, st) != 0 || bind(t, n->b, text, st) != 0)
        return -1;
    if (!n->column)
        return 0;
    long c = find_column(t, n->column);
    if (c < 0) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Invalid filter '%.200s': column '%.100s' not found", text, n->column);
        return -1;
    }
    n->col = (size_t)c;
    enum demo_col_class cc = demo_col_class(demo_table_col_type(t, n->col));
    int string_method = n->kind == DEMO_FN_CONTAINS || n->kind == DEMO_FN_STARTS;
    if ((string_method && cc != DEMO_CC_STRING) ||
        (cc == DEMO_CC_OTHER && n->kind != DEMO_FN_ISNULL)) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Invalid filter '%.200s': the demo server cannot filter column '%.100s' "
                        "this way",
                        text, n->column);
        return -1;
    }
    for (size_t i = 0; i < n->n_values; i++) {
        if (!literal_fits(cc, &n->values[i])) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Invalid filter '%.200s': a value does not match the type of "
                            "column '%.100s'",
                            text, n->column);
            return -1;
        }
    }
    return 0;
}

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

static int eval(const struct demo_object *t, const struct demo_fnode *n, int64_t row)
{
    switch (n->kind) {
    case DEMO_FN_AND: return eval(t, n->a, row) && eval(t, n->b, row);
    case DEMO_FN_OR: return eval(t, n->a, row) || eval(t, n->b, row);
    case DEMO_FN_NOT: return !eval(t, n->a, row);
    default: break;
    }
    struct demo_cell c;
    demo_table_cell(t, row, n->col, &c);
    enum demo_col_class cc = demo_col_class(demo_table_col_type(t, n->col));
    switch (n->kind) {
    case DEMO_FN_ISNULL: return c.is_null;
    case DEMO_FN_CONTAINS:
    case DEMO_FN_STARTS: {
        const struct demo_fvalue *v = &n->values[0];
        if (c.is_null || v->len > c.len)
            return 0;
        if (n->kind == DEMO_FN_STARTS)
            return v->len == 0 || memcmp(c.bytes, v->s, v->len) == 0;
        for (size_t i = 0; i + v->len <= c.len; i++)
            if (v->len == 0 || memcmp(c.bytes + i, v->s, v->len) == 0)
                return 1;
        return 0;
    }
    case DEMO_FN_IN: {
        int hit = 0;
        for (size_t i = 0; i < n->n_values && !hit; i++) {
            const struct demo_fvalue *v = &n->values[i];
            if (n->icase && cc == DEMO_CC_STRING && !c.is_null && v->kind == DEMO_FV_STRING)
                hit = icase_equal(c.bytes, c.len, v->s, v->len);
            else
                hit = cmp_literal(cc, &c, v) == 0;
        }
        return n->negate ? !hit : hit;
    }
    default: break;
    }
    int r = cmp_literal(cc, &c, &n->values[0]);
    switch (n->op) {
    case DEMO_OP_EQ: return r == 0;
    case DEMO_OP_NE: return r != 0;
    case DEMO_OP_LT: return r == -1;
    case DEMO_OP_LE: return r == -1 || r == 0;
    case DEMO_OP_GT: return r == 1 && !c.is_null;
    case DEMO_OP_GE: return (r == 1 || r == 0) && !c.is_null;
    }
    return 0;
}

/* Rows of t for which every tree matches. */
static int run_filters(const struct demo_object *t, struct demo_fnode *const *trees, size_t n_trees,
                       int64_t **index, int64_t *n_out, struct demo_status *st)
{
    int64_t size = demo_object_size(t);
    size_t cap = 1024, n = 0;
    int64_t *out = malloc(cap * sizeof *out);
    for (int64_t r = 0; out && r < size; r++) {
        int keep = 1;
        for (size_t i = 0; i < n_trees && keep; i++)
            keep = eval(t, trees[i], r);
        if (!keep)
            continue;
        if (n == cap) {
            int64_t *grown = realloc(out, 2 * cap * sizeof *out);
            if (!grown) {
                free(out);
                out = NULL;
                break;
            }
            out = grown;
            cap *= 2;
        }
        out[n++] = r;
    }
    if (!out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int64_t *fit = realloc(out, (n ? n : 1) * sizeof *out); /* keep 8 bytes per row */
    *index = fit ? fit : out;
    *n_out = (int64_t)n;
    return 0;
}

static int derive_where(const struct demo_object *t, char *const *filters, size_t n_filters,
                        int64_t **index, int64_t *n_out, struct demo_status *st)
{
    struct demo_fnode **trees = calloc(n_filters ? n_filters : 1, sizeof *trees);
    if (!trees) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n_filters && rc == 0; i++) {
        char why[512];
        if (demo_filter_parse(filters[i], &trees[i], why, sizeof why) != 0) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid filter: %s", why);
            rc = -1;
        } else {
            rc = bind(t, trees[i], filters[i], st);
        }
    }
    if (rc == 0)
        rc = run_filters(t, trees, n_filters, index, n_out, st);
    for (size_t i = 0; i < n_filters; i++)
        demo_filter_free(trees[i]);
    free(trees);
    return rc;
}

/* ---- structured conditions ---- */

typedef Io__Deephaven__Proto__Backplane__Grpc__Condition PbCondition;

/* A Literal as a filter value. */
static int value_of_literal(const Io__Deephaven__Proto__Backplane__Grpc__Literal *l,
                            struct demo_fvalue *v)
{
    memset(v, 0, sizeof *v);
    switch (l->value_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE:
        v->kind = DEMO_FV_STRING;
        v->s = strdup(l->string_value ? l->string_value : "");
        v->len = v->s ? strlen(v->s) : 0;
        return v->s ? 0 : -1;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE:
        v->kind = DEMO_FV_NUMBER;
        v->d = l->double_value;
        return 0;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_BOOL_VALUE:
        v->kind = DEMO_FV_BOOL;
        v->i = l->bool_value ? 1 : 0;
        return 0;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE:
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_NANO_TIME_VALUE:
        v->kind = DEMO_FV_NUMBER;
        v->is_int = 1;
        v->i = l->value_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE
                   ? l->long_value
                   : l->nano_time_value;
        v->d = (double)v->i;
        return 0;
    default: return -1;
    }
}

/* A Condition as a filter tree (compare of a column reference and a literal; and,
 * or, not). NULL with st on what the demo server does not support. */
static struct demo_fnode *tree_of_condition(const PbCondition *c, int depth, struct demo_status *st)
{
    struct demo_fnode *n = calloc(1, sizeof *n);
    if (!n || depth > 64 || !c) {
        free(n);
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid condition");
        return NULL;
    }
    switch (c->data_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_AND:
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_OR: {
        int is_and = c->data_case == IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_AND;
        size_t k = is_and ? c->and_->n_filters : c->or_->n_filters;
        PbCondition **fs = is_and ? c->and_->filters : c->or_->filters;
        if (k == 0)
            break;
        free(n);
        n = tree_of_condition(fs[0], depth + 1, st);
        for (size_t i = 1; n && i < k; i++) {
            struct demo_fnode *join = calloc(1, sizeof *join);
            struct demo_fnode *right = join ? tree_of_condition(fs[i], depth + 1, st) : NULL;
            if (!right) {
                free(join);
                demo_filter_free(n);
                return NULL;
            }
            join->kind = is_and ? DEMO_FN_AND : DEMO_FN_OR;
            join->a = n;
            join->b = right;
            n = join;
        }
        return n;
    }
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_NOT:
        n->kind = DEMO_FN_NOT;
        n->a = tree_of_condition(c->not_->filter, depth + 1, st);
        if (!n->a) {
            free(n);
            return NULL;
        }
        return n;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONDITION__DATA_COMPARE: {
        const Io__Deephaven__Proto__Backplane__Grpc__CompareCondition *cc = c->compare;
        const Io__Deephaven__Proto__Backplane__Grpc__Value *ref = cc->lhs, *lit = cc->rhs;
        int swapped = 0;
        if (ref && ref->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_REFERENCE) {
            ref = cc->rhs;
            lit = cc->lhs;
            swapped = 1;
        }
        if (!ref || !lit ||
            ref->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_REFERENCE ||
            lit->data_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__VALUE__DATA_LITERAL)
            break;
        static const enum demo_fop ops[] = {DEMO_OP_LT, DEMO_OP_LE, DEMO_OP_GT,
                                            DEMO_OP_GE, DEMO_OP_EQ, DEMO_OP_NE};
        if ((unsigned)cc->operation >= sizeof ops / sizeof ops[0])
            break;
        n->kind = DEMO_FN_CMP;
        n->op = ops[cc->operation];
        if (swapped) {
            static const enum demo_fop mirror[] = {DEMO_OP_EQ, DEMO_OP_NE, DEMO_OP_GT,
                                                   DEMO_OP_GE, DEMO_OP_LT, DEMO_OP_LE};
            n->op = mirror[n->op];
        }
        n->icase = cc->case_sensitivity ==
                   IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CASE_SENSITIVITY__IGNORE_CASE;
        n->column = strdup(ref->reference->column_name ? ref->reference->column_name : "");
        n->values = calloc(1, sizeof *n->values);
        if (!n->column || !n->values || value_of_literal(lit->literal, n->values) != 0) {
            demo_filter_free(n);
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid condition value");
            return NULL;
        }
        n->n_values = 1;
        if (n->icase && (n->op == DEMO_OP_EQ || n->op == DEMO_OP_NE)) {
            n->kind = DEMO_FN_IN; /* case-insensitive equality is an icase match */
            n->negate = n->op == DEMO_OP_NE;
        }
        return n;
    }
    default: break;
    }
    demo_filter_free(n);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                    "the demo server supports compare (column vs literal), and, or and not "
                    "conditions only");
    return NULL;
}

static int derive_filter(const struct demo_object *t,
                         const Io__Deephaven__Proto__Backplane__Grpc__FilterTableRequest *req,
                         int64_t **index, int64_t *n_out, struct demo_status *st)
{
    struct demo_fnode **trees = calloc(req->n_filters ? req->n_filters : 1, sizeof *trees);
    if (!trees) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < req->n_filters && rc == 0; i++) {
        trees[i] = tree_of_condition(req->filters[i], 0, st);
        rc = trees[i] ? bind(t, trees[i], "condition", st) : -1;
    }
    if (rc == 0)
        rc = run_filters(t, trees, req->n_filters, index, n_out, st);
    for (size_t i = 0; i < req->n_filters; i++)
        demo_filter_free(trees[i]);
    free(trees);
    return rc;
}

typedef Io__Deephaven__Proto__Backplane__Grpc__BatchTableRequest__Operation PbOperation;
#define OP(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_##x

static int derive_static(const struct demo_object *src, const PbOperation *op,
                         const struct demo_object **out, struct demo_status *st);

/* demo_refresh_fn of live views: the operation (packed) over the source's rows now. */
static const struct demo_object *refresh_view(const struct demo_object *source,
                                              const uint8_t *recipe, size_t len)
{
    PbOperation *op = (PbOperation *)protobuf_c_message_unpack(
        &DHPB_DESC(batch_table_request__operation), NULL, len, recipe);
    const struct demo_object *out = NULL;
    struct demo_status st;
    if (op && derive_static(source, op, &out, &st) != 0)
        out = NULL;
    if (op)
        protobuf_c_message_free_unpacked(&op->base, NULL);
    return out;
}

int demo_derive(const struct demo_object *src, const PbOperation *op,
                const struct demo_object **out, struct demo_status *st)
{
    *out = NULL;
    if (!demo_object_is_table(src)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION, "Ticket is not a table");
        return -1;
    }
    const struct demo_object *now = demo_object_pin(src);
    int rc = derive_static(now, op, out, st);
    demo_object_unref(now);
    /* a sort, filter, distinct or aggregation of a ticking table stays live, and so does
     * dropping columns of a live view (of quotes itself it reads quotes directly);
     * statistics are a snapshot, as upstream's are. A filter or distinct of a table that
     * only grows only grows; a sort or aggregation changes rows in place. */
    int reorders = op->op_case == OP(SORT) || op->op_case == OP(AGGREGATE);
    int stays_live = reorders || op->op_case == OP(FILTER) ||
                     op->op_case == OP(UNSTRUCTURED_FILTER) || op->op_case == OP(SELECT_DISTINCT) ||
                     (op->op_case == OP(DROP_COLUMNS) && demo_object_is_live(src));
    if (rc != 0 || demo_object_is_static(src) || !stays_live)
        return rc;
    uint8_t *recipe = NULL;
    size_t len = 0;
    if (demo_pb_pack(&op->base, &recipe, &len) == 0)
        *out = demo_object_new_live(src, *out, refresh_view, recipe, len,
                                    !reorders && demo_object_appends_only(src));
    else
        demo_object_unref(*out);
    free(recipe);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* SliceGrpcImpl.validateRequest, then Table.slice: a negative position counts from the
 * end; both are clamped to the table. */
static int derive_slice(const struct demo_object *t,
                        const Io__Deephaven__Proto__Backplane__Grpc__SliceRequest *req,
                        int64_t **index, int64_t *n, struct demo_status *st)
{
    int64_t first = req->first_position_inclusive, last = req->last_position_exclusive;
    if (first >= 0 && last >= 0 && last < first) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Cannot slice with a non-negative start position that is after a "
                        "non-negative end position.");
        return -1;
    }
    if (first < 0 && last < 0 && last < first) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Cannot slice with a negative start position that is after a negative "
                        "end position.");
        return -1;
    }
    int64_t size = demo_object_size(t);
    first = first < 0 ? (size + first > 0 ? size + first : 0) : (first < size ? first : size);
    last = last < 0 ? (size + last > 0 ? size + last : 0) : (last < size ? last : size);
    *n = last > first ? last - first : 0;
    *index = malloc((size_t)(*n ? *n : 1) * sizeof **index);
    if (!*index) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    for (int64_t i = 0; i < *n; i++)
        (*index)[i] = first + i;
    return 0;
}

static int derive_static(const struct demo_object *src, const PbOperation *op,
                         const struct demo_object **out, struct demo_status *st)
{
    int64_t *index = NULL, n = 0;
    int rc;
    switch (op->op_case) {
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_COLUMN_STATISTICS:
        return demo_column_stats(src, op->column_statistics, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_DROP_COLUMNS:
        return demo_drop_columns(src, op->drop_columns, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SELECT_DISTINCT:
        return demo_select_distinct(src, op->select_distinct, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_AGGREGATE:
        return demo_aggregate(src, op->aggregate, out, st);
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SORT:
        rc = derive_sort(src, op->sort, &index, &n, st);
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_UNSTRUCTURED_FILTER:
        rc = derive_where(src, op->unstructured_filter->filters, op->unstructured_filter->n_filters,
                          &index, &n, st);
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_FILTER:
        rc = derive_filter(src, op->filter, &index, &n, st);
        break;
    case IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_SLICE:
        rc = derive_slice(src, op->slice, &index, &n, st);
        break;
    default:
        demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                        "the demo server does not implement this batch operation");
        return -1;
    }
    if (rc != 0)
        return -1;
    *out = demo_object_new_derived(src, index, n);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}
