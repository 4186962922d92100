/* SPDX-License-Identifier: MIT */
/* rollup.c: the demo rollup's groups, the key-table directives of a view and the
 * expanded rows (see rollup.h). */
#include "rollup.h"

#include <grpc/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upstream's structural columns (HierarchicalTableImpl) and the key-table action
 * bytes (HierarchicalTableImpl.KEY_TABLE_ACTION_*). */
#define DEPTH_COL "__DEPTH__"
#define EXPANDED_COL "__EXPANDED__"
#define ACTION_EXPAND 1
#define ACTION_EXPAND_ALL 3
#define ACTION_CONTRACT 4
#define ACTION_EXPAND_TO_DEPTH_BASE 0x70
#define KEY_MAX 64

/* What a rollup groups by and aggregates: trades by Exchange, Sym (Size summed, Price
 * averaged), or ticking quotes by Sym, BidSize (AskSize summed, Bid averaged). The
 * source's column names; the view's columns are named after them. */
struct rollup_spec {
    const char *by[2];
    const char *sum, *avg;
};

static const struct rollup_spec specs[] = {
    {{"Exchange", "Sym"}, "Size", "Price"},
    {{"Sym", "BidSize"}, "AskSize", "Bid"},
};
enum { SPEC_COUNT = sizeof specs / sizeof specs[0] };

/* One group at one level: its first source row (where its key cells are read), its
 * aggregates, and at level 2 the index of its level-1 group. */
struct group {
    int64_t first_row;
    int64_t count, size_sum, price_n;
    double price_sum;
    size_t parent;
    char *key; /* this level's key value as text; NULL for the total */
};

/* The groups of a source at one moment. */
struct groups {
    struct group total;
    struct group *ex, *es; /* level 1 (by the first key), level 2 (by both) */
    size_t n_ex, cap_ex, n_es, cap_es;
};

struct rollup {
    size_t spec;
    long col[4]; /* the source's by[0], by[1], sum and avg columns */
    enum demo_col_type by_type[2];
    int ticking;     /* the source ticks: groups are computed per view (groups unused) */
    struct groups g; /* a static source's groups, computed once */
};

static void groups_free(struct groups *g)
{
    for (size_t i = 0; i < g->n_ex; i++)
        free(g->ex[i].key);
    for (size_t i = 0; i < g->n_es; i++)
        free(g->es[i].key);
    free(g->ex);
    free(g->es);
    memset(g, 0, sizeof *g);
}

static void rollup_free(void *p)
{
    struct rollup *r = p;
    if (!r)
        return;
    groups_free(&r->g);
    free(r);
}

static long find_col(const struct demo_object *t, const char *name)
{
    for (size_t c = 0; c < demo_table_ncols(t); c++)
        if (strcmp(demo_table_col_name(t, c), name) == 0)
            return (long)c;
    return -1;
}

/* The group with key k (and parent) in g[0..*n), added at the end when absent. */
static struct group *group_for(struct group **g, size_t *n, size_t *cap, size_t parent,
                               const uint8_t *k, size_t klen, int64_t row)
{
    for (size_t i = 0; i < *n; i++)
        if ((*g)[i].parent == parent && strlen((*g)[i].key) == klen &&
            memcmp((*g)[i].key, k, klen) == 0)
            return &(*g)[i];
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct group *p = realloc(*g, ncap * sizeof *p);
        if (!p)
            return NULL;
        *g = p;
        *cap = ncap;
    }
    struct group *ng = &(*g)[*n];
    memset(ng, 0, sizeof *ng);
    ng->key = malloc(klen + 1);
    if (!ng->key)
        return NULL;
    memcpy(ng->key, k, klen);
    ng->key[klen] = '\0';
    ng->first_row = row;
    ng->parent = parent;
    (*n)++;
    return ng;
}

static void group_add(struct group *g, int64_t size, const struct demo_cell *price)
{
    g->count++;
    g->size_sum += size;
    if (!price->is_null) {
        g->price_sum += price->d;
        g->price_n++;
    }
}

/* A key cell as text: a string's bytes, an integer's digits. */
static const uint8_t *key_text(const struct demo_cell *c, enum demo_col_type t, char *buf, size_t n,
                               size_t *len)
{
    if (t == DEMO_COL_STRING) {
        *len = c->len;
        return c->bytes;
    }
    int w = snprintf(buf, n, "%lld", (long long)c->i);
    *len = w > 0 ? (size_t)w : 0;
    return (const uint8_t *)buf;
}

/* Group rows [0, size of source) into g (empty before). -1 when out of memory. */
static int groups_compute(const struct rollup *r, const struct demo_object *source,
                          struct groups *g)
{
    int64_t n = demo_object_size(source);
    for (int64_t row = 0; row < n; row++) {
        struct demo_cell e, s, z, p;
        demo_table_cell(source, row, (size_t)r->col[0], &e);
        demo_table_cell(source, row, (size_t)r->col[1], &s);
        demo_table_cell(source, row, (size_t)r->col[2], &z);
        demo_table_cell(source, row, (size_t)r->col[3], &p);
        char eb[32], sb[32];
        size_t el, sl;
        const uint8_t *ek = key_text(&e, r->by_type[0], eb, sizeof eb, &el);
        const uint8_t *sk = key_text(&s, r->by_type[1], sb, sizeof sb, &sl);
        int64_t size = z.is_null ? 0 : z.i;
        struct group *ge = group_for(&g->ex, &g->n_ex, &g->cap_ex, 0, ek, el, row);
        size_t ei = ge ? (size_t)(ge - g->ex) : 0;
        struct group *gs = ge ? group_for(&g->es, &g->n_es, &g->cap_es, ei, sk, sl, row) : NULL;
        if (!gs)
            return -1;
        group_add(&g->total, size, &p);
        group_add(ge, size, &p);
        group_add(gs, size, &p);
    }
    return 0;
}

void *demo_rollup_new(const struct demo_object *source, void (**free_fn)(void *))
{
    struct rollup *r = NULL;
    for (size_t k = 0; k < SPEC_COUNT && !r; k++) {
        const struct rollup_spec *sp = &specs[k];
        const char *names[4] = {sp->by[0], sp->by[1], sp->sum, sp->avg};
        long col[4];
        int ok = 1;
        for (size_t i = 0; i < 4; i++)
            ok = ok && (col[i] = find_col(source, names[i])) >= 0;
        if (!ok || !(r = calloc(1, sizeof *r)))
            continue;
        r->spec = k;
        memcpy(r->col, col, sizeof col);
        for (size_t i = 0; i < 2; i++)
            r->by_type[i] = demo_table_col_type(source, (size_t)col[i]);
    }
    if (!r)
        return NULL;
    r->ticking = !demo_object_is_static(source);
    if (!r->ticking && groups_compute(r, source, &r->g) != 0) {
        rollup_free(r);
        return NULL;
    }
    *free_fn = rollup_free;
    return r;
}

/* ---- key-table directives (HierarchicalTableImpl.KeyTableDirective) ---- */

/* A node: depth 0 the root, 1 the grand total's children (the empty key), 2 an
 * exchange's children (key: the exchange). Deeper keys name leaves and are ignored. */
struct directive {
    int depth;
    char key[KEY_MAX];
    int action;
};

struct directives {
    struct directive *d;
    size_t n;
};

/* The action for a node (the last directive naming it wins), or 0 for none. */
static int action_for(const struct directives *ds, int depth, const char *key)
{
    for (size_t i = ds->n; i-- > 0;)
        if (ds->d[i].depth == depth && (depth < 2 || strcmp(ds->d[i].key, key) == 0))
            return ds->d[i].action;
    return 0;
}

/* Read the key table into ds: the defaults (root and empty key expanded) first. */
static int read_keys(const struct rollup_spec *sp, const struct demo_object *keys,
                     const char *action_col, struct directives *ds, struct demo_status *st)
{
    int64_t n = keys ? demo_object_size(keys) : 0;
    ds->d = calloc((size_t)n + 2, sizeof *ds->d);
    if (!ds->d) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    ds->d[0] = (struct directive){.depth = 0, .action = ACTION_EXPAND};
    ds->d[1] = (struct directive){.depth = 1, .action = ACTION_EXPAND};
    ds->n = 2;
    if (!keys)
        return 0;
    long cd = find_col(keys, DEPTH_COL), ce = find_col(keys, sp->by[0]);
    long ca = action_col && *action_col ? find_col(keys, action_col) : -1;
    const char *missing = cd < 0                                ? DEPTH_COL
                          : ce < 0                              ? sp->by[0]
                          : find_col(keys, sp->by[1]) < 0       ? sp->by[1]
                          : ca < 0 && action_col && *action_col ? action_col
                                                                : NULL;
    if (missing) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Unknown column '%.100s' in key table",
                        missing);
        return -1;
    }
    for (int64_t row = 0; row < n; row++) {
        struct demo_cell d, e, a;
        demo_table_cell(keys, row, (size_t)cd, &d);
        demo_table_cell(keys, row, (size_t)ce, &e);
        int action = ACTION_EXPAND;
        if (ca >= 0) {
            demo_table_cell(keys, row, (size_t)ca, &a);
            action = a.is_null ? 0 : (int)a.i;
        }
        if (action >= ACTION_EXPAND_TO_DEPTH_BASE) {
            demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                            "demo server: expand-to-depth key table actions are not supported");
            return -1;
        }
        if (action != ACTION_EXPAND && action != ACTION_EXPAND_ALL && action != ACTION_CONTRACT) {
            demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Unknown key table action %d",
                            action);
            return -1;
        }
        struct directive *x = &ds->d[ds->n];
        x->depth = d.is_null ? -1 : (int)d.i;
        x->action = action;
        char kb[32];
        size_t kl;
        const uint8_t *k = key_text(&e, demo_table_col_type(keys, (size_t)ce), kb, sizeof kb, &kl);
        if (!e.is_null && kl < KEY_MAX)
            memcpy(x->key, k, kl);
        else if (x->depth == 2) /* a key no group has: upstream skips it */
            continue;
        ds->n++;
    }
    return 0;
}

/* Whether a node is expanded, and what its children inherit (ExpandAll flows down
 * until a Contract, or an Expand that expands only its own node). */
static int node_expanded(const struct directives *ds, int depth, const char *key, int inherit,
                         int *child_inherit)
{
    int a = action_for(ds, depth, key);
    *child_inherit = a == ACTION_EXPAND_ALL || (inherit && a != ACTION_EXPAND);
    if (a == ACTION_CONTRACT)
        return 0;
    return a == ACTION_EXPAND || a == ACTION_EXPAND_ALL || inherit;
}

/* ---- the view's rows ---- */

enum { C_DEPTH, C_EXPANDED, C_EXCH, C_SYM, C_COUNT, C_SIZE, C_PRICE, N_COLS };

/* The column roles upstream puts in the field metadata (HierarchicalTableSchemaUtil,
 * BarrageUtil.putMetadata adds the "deephaven:" prefix). */
static const char *const meta_depth[] = {"deephaven:hierarchicalTable.isStructuralColumn",
                                         "true",
                                         "deephaven:hierarchicalTable.isRowDepthColumn",
                                         "true",
                                         "deephaven:hierarchicalTable.isExpandByColumn",
                                         "true",
                                         NULL};
static const char *const meta_expanded[] = {
    "deephaven:hierarchicalTable.isStructuralColumn", "true",
    "deephaven:hierarchicalTable.isRowExpandedColumn", "true", NULL};
static const char *const meta_group_by[] = {"deephaven:rollupTable.isAggregatedNodeColumn",
                                            "true",
                                            "deephaven:rollupTable.isGroupByColumn",
                                            "true",
                                            "deephaven:hierarchicalTable.isExpandByColumn",
                                            "true",
                                            NULL};
static const char *const meta_count[] = {"deephaven:rollupTable.isAggregatedNodeColumn", "true",
                                         "deephaven:rollupTable.aggregationInputColumnName", "",
                                         NULL};
static const char *const meta_size[] = {"deephaven:rollupTable.isAggregatedNodeColumn", "true",
                                        "deephaven:rollupTable.aggregationInputColumnName", "Size",
                                        NULL};
static const char *const meta_price[] = {"deephaven:rollupTable.isAggregatedNodeColumn", "true",
                                         "deephaven:rollupTable.aggregationInputColumnName",
                                         "Price", NULL};
static const char *const meta_ask_size[] = {"deephaven:rollupTable.isAggregatedNodeColumn", "true",
                                            "deephaven:rollupTable.aggregationInputColumnName",
                                            "AskSize", NULL};
static const char *const meta_bid[] = {"deephaven:rollupTable.isAggregatedNodeColumn", "true",
                                       "deephaven:rollupTable.aggregationInputColumnName", "Bid",
                                       NULL};
/* The sum's and the average's metadata, by spec. */
static const char *const *const sum_meta[SPEC_COUNT] = {meta_size, meta_ask_size};
static const char *const *const avg_meta[SPEC_COUNT] = {meta_price, meta_bid};

struct rows_out {
    struct demo_out_col c[N_COLS];
    int64_t n;
};

static int rows_alloc(const struct rollup *r, struct rows_out *o, size_t cap)
{
    const struct rollup_spec *sp = &specs[r->spec];
    const struct {
        const char *name;
        enum demo_col_type type;
        const char *const *meta;
    } defs[N_COLS] = {
        {DEPTH_COL, DEMO_COL_INT, meta_depth},         {EXPANDED_COL, DEMO_COL_BOOL, meta_expanded},
        {sp->by[0], r->by_type[0], meta_group_by},     {sp->by[1], r->by_type[1], meta_group_by},
        {"Count", DEMO_COL_LONG, meta_count},          {sp->sum, DEMO_COL_LONG, sum_meta[r->spec]},
        {sp->avg, DEMO_COL_DOUBLE, avg_meta[r->spec]},
    };
    memset(o, 0, sizeof *o);
    int ok = 1;
    for (size_t k = 0; k < N_COLS; k++) {
        o->c[k].name = defs[k].name;
        o->c[k].type = defs[k].type;
        o->c[k].meta = defs[k].meta;
        o->c[k].src = -1;
        o->c[k].nulls = calloc(cap, 1);
        if (k == C_PRICE)
            o->c[k].d = calloc(cap, sizeof(double));
        else if (k == C_EXCH || k == C_SYM)
            o->c[k].pick = calloc(cap, sizeof(int64_t));
        else
            o->c[k].i = calloc(cap, sizeof(int64_t));
        ok = ok && o->c[k].nulls && (o->c[k].d || o->c[k].pick || o->c[k].i);
    }
    return ok ? 0 : -1;
}

/* Append one row of group g at __DEPTH__ depth; expanded: 1, 0, or -1 for a leaf. */
static void put_row(struct rows_out *o, const struct group *g, int depth, int expanded)
{
    int64_t r = o->n++;
    o->c[C_DEPTH].i[r] = depth;
    o->c[C_EXPANDED].i[r] = expanded > 0;
    o->c[C_EXPANDED].nulls[r] = expanded < 0;
    o->c[C_EXCH].pick[r] = g->first_row;
    o->c[C_EXCH].nulls[r] = depth < 2; /* the total has no key */
    o->c[C_SYM].pick[r] = g->first_row;
    o->c[C_SYM].nulls[r] = depth < 3;
    o->c[C_COUNT].i[r] = g->count;
    o->c[C_SIZE].i[r] = g->size_sum;
    o->c[C_PRICE].d[r] = g->price_n ? g->price_sum / (double)g->price_n : 0;
    o->c[C_PRICE].nulls[r] = g->price_n == 0;
}

/* Depth-first, as HierarchicalTableImpl's snapshot traverses: a row, then (when
 * expanded) its node's rows. Row __DEPTH__ is the node's depth + 1. */
static void expand(struct rows_out *o, const struct groups *r, const struct directives *ds)
{
    int inherit0, inherit1, inherit2;
    if (!node_expanded(ds, 0, "", 0, &inherit0))
        return;
    int total_open = node_expanded(ds, 1, "", inherit0, &inherit1);
    put_row(o, &r->total, 1, total_open);
    for (size_t e = 0; total_open && e < r->n_ex; e++) {
        int open = node_expanded(ds, 2, r->ex[e].key, inherit1, &inherit2);
        put_row(o, &r->ex[e], 2, open);
        for (size_t s = 0; open && s < r->n_es; s++)
            if (r->es[s].parent == e)
                put_row(o, &r->es[s], 3, -1);
    }
}

/* The expanded rows of groups g of src (a computed table reading its key cells), or
 * NULL when out of memory. */
static const struct demo_object *build_view(const struct rollup *r, const struct groups *g,
                                            const struct demo_object *src,
                                            const struct directives *ds)
{
    size_t cap = 1 + g->n_ex + g->n_es;
    struct rows_out o;
    int64_t *index = calloc(cap, sizeof *index); /* unused by the stored columns */
    if (rows_alloc(r, &o, cap) != 0 || !index) {
        free(index);
        demo_out_cols_free(o.c, N_COLS);
        return NULL;
    }
    expand(&o, g, ds);
    o.c[C_EXCH].src = r->col[0];
    o.c[C_SYM].src = r->col[1];
    return demo_object_new_computed(src, index, o.n, o.c, N_COLS);
}

/* A live view's recipe: the rollup (without groups), then its directives. */
static const struct demo_object *refresh_view(const struct demo_object *source,
                                              const uint8_t *recipe, size_t len)
{
    struct rollup r;
    if (len < sizeof r || (len - sizeof r) % sizeof(struct directive) != 0)
        return NULL;
    memcpy(&r, recipe, sizeof r);
    struct directives ds = {.n = (len - sizeof r) / sizeof(struct directive)};
    ds.d = malloc(ds.n ? len - sizeof r : 1);
    struct groups g;
    memset(&g, 0, sizeof g);
    const struct demo_object *out = NULL;
    if (ds.d) {
        memcpy(ds.d, recipe + sizeof r, len - sizeof r);
        if (groups_compute(&r, source, &g) == 0)
            out = build_view(&r, &g, source, &ds);
    }
    groups_free(&g);
    free(ds.d);
    return out;
}

/* The view of a ticking source: a live view (catalog.h) whose rows are the rollup
 * computed again from the source's rows whenever it ticked, so a subscription sends
 * the whole viewport again after each tick (HierarchicalTableViewSubscription). */
static const struct demo_object *live_view(const struct rollup *r, const struct demo_object *src,
                                           const struct directives *ds)
{
    struct rollup head = *r;
    memset(&head.g, 0, sizeof head.g);
    size_t len = sizeof head + ds->n * sizeof *ds->d;
    uint8_t *recipe = malloc(len);
    if (!recipe)
        return NULL;
    memcpy(recipe, &head, sizeof head);
    memcpy(recipe + sizeof head, ds->d, ds->n * sizeof *ds->d);
    const struct demo_object *pinned = demo_object_pin(src);
    const struct demo_object *now = refresh_view(pinned, recipe, len);
    demo_object_unref(pinned);
    const struct demo_object *out =
        now ? demo_object_new_live(src, now, refresh_view, recipe, len, 0) : NULL;
    free(recipe);
    return out;
}

int demo_rollup_view(const struct demo_object *h, const struct demo_object *keys,
                     const char *action_col, const struct demo_object **out, struct demo_status *st)
{
    const struct rollup *r = demo_hier_state(h);
    const struct demo_object *src = demo_hier_source(h);
    if (!r || !src) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "not a HierarchicalTable");
        return -1;
    }
    struct directives ds = {0};
    if (read_keys(&specs[r->spec], keys, action_col, &ds, st) != 0) {
        free(ds.d);
        return -1;
    }
    *out = r->ticking ? live_view(r, src, &ds) : build_view(r, &r->g, src, &ds);
    free(ds.d);
    if (!*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    demo_object_mark_hier_view(*out);
    return 0;
}
