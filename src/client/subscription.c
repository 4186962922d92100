/* SPDX-License-Identifier: MIT */
/* subscription.c: Barrage viewport subscriptions (docs/PROTOCOL.md, Barrage subscriptions and
 * 7.4): the type-5 request, a pure state applying each update in viewport
 * position space (upstream WebColumnData.applyUpdate and
 * WebBarrageSubscription.ViewportImpl; add/modify batch accounting as
 * barrage_processor.cc), and the DoExchange call around it. */
#include "dh_subscription.h"

#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "dh_arrow.h"
#include "dh_barrage.h"
#include "dh_cancel.h"
#include "dh_rowset.h"
#include "dh_session.h"
#include "dh_transport.h"
#include "table_internal.h"

/* ---- the viewport state ---- */

enum phase { AWAIT_METADATA, AWAIT_ADDS, AWAIT_MODS };

/* Decoded record batches of one update, in arrival order. */
struct batch_list {
    struct dh_batch *b;
    size_t n, cap;
};

/* A column bitset as effective_column_set carries it (Java's BitSet bytes);
 * all = 1 when the server named none (every column). */
struct colset {
    int all;
    uint8_t *bits;
    size_t len;
};

struct dh_viewport {
    int64_t first; /* table position of viewport row 0 */
    int64_t table_size;
    int64_t eff_lo;     /* the last effective_viewport's first position (in its direction) */
    int64_t eff_count;  /* positions in the last effective_viewport; -1 unknown */
    int eff_ranges;     /* ranges in it (1: one run of positions) */
    int eff_reverse;    /* it counts from the table's end */
    struct colset cols; /* the columns the rows carry; the others have no values */
    uint64_t n_updates;
    size_t n_messages; /* FlightData applied (for error texts) */
    int failed;        /* an earlier message was refused */
    int have_schema;
    struct dh_schema schema;
    uint8_t *schema_msg; /* the Schema message, re-decoded for each copy */
    size_t schema_len;
    struct dh_batch rows; /* the contents: rows.length viewport rows */
    int64_t *origin;      /* per row, its index before the last update or -1 (added);
                           * NULL after a snapshot (docs/PROTOCOL.md, Barrage updates) */

    /* The update being assembled. */
    enum phase phase;
    int64_t new_table_size;
    int64_t new_first; /* -1: no effective_viewport in this update */
    int new_is_snapshot;
    int64_t new_eff_count;
    int new_eff_ranges, new_eff_reverse;
    struct colset new_cols;
    struct dh_rowset removed, added;
    struct dh_rowset *mods; /* schema.n_fields entries */
    int64_t *mod_left;
    int64_t add_left;
    struct batch_list adds, modb;
};

static void batch_list_reset(struct batch_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        dh_batch_reset(&l->b[i]);
    free(l->b);
    memset(l, 0, sizeof *l);
}

/* Move *b into the list (b is left empty). */
static int batch_list_push(struct batch_list *l, struct dh_batch *b, struct dh_error *err)
{
    struct dh_batch *nb = dh_grow_array(l->b, l->n, &l->cap, sizeof *nb, 4);
    if (!nb)
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a subscription update");
    l->b = nb;
    l->b[l->n++] = *b;
    dh_batch_init(b);
    return DH_OK;
}

struct dh_viewport *dh_viewport_new(int64_t first)
{
    struct dh_viewport *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->first = first;
    v->eff_count = -1;
    v->eff_ranges = -1;
    v->cols.all = 1;
    dh_schema_init(&v->schema);
    dh_batch_init(&v->rows);
    dh_rowset_init(&v->removed);
    dh_rowset_init(&v->added);
    return v;
}

/* Drop the update being assembled. */
static void pending_reset(struct dh_viewport *v)
{
    batch_list_reset(&v->adds);
    batch_list_reset(&v->modb);
    dh_rowset_clear(&v->removed);
    dh_rowset_clear(&v->added);
    for (size_t c = 0; v->mods && c < v->schema.n_fields; c++)
        dh_rowset_clear(&v->mods[c]);
    v->phase = AWAIT_METADATA;
}

void dh_viewport_free(struct dh_viewport *v)
{
    if (!v)
        return;
    pending_reset(v);
    dh_rowset_reset(&v->removed);
    dh_rowset_reset(&v->added);
    for (size_t c = 0; v->mods && c < v->schema.n_fields; c++)
        dh_rowset_reset(&v->mods[c]);
    free(v->mods);
    free(v->mod_left);
    dh_batch_reset(&v->rows);
    free(v->origin);
    dh_schema_reset(&v->schema);
    free(v->schema_msg);
    free(v->cols.bits);
    free(v->new_cols.bits);
    free(v);
}

int64_t dh_viewport_length(const struct dh_viewport *v)
{
    return v->rows.length;
}

int64_t dh_viewport_table_size(const struct dh_viewport *v)
{
    return v->table_size;
}

int64_t dh_viewport_first(const struct dh_viewport *v)
{
    return v->first;
}

uint64_t dh_viewport_updates(const struct dh_viewport *v)
{
    return v->n_updates;
}

static int colset_has(const struct colset *cs, size_t i)
{
    return cs->all || (i / 8 < cs->len && (cs->bits[i / 8] >> (i % 8)) & 1);
}

int dh_viewport_shows(const struct dh_viewport *v, int64_t first, int64_t count)
{
    struct dh_window w = dh_window_of(first, count);
    return dh_viewport_shows_window(v, &w);
}

int dh_viewport_shows_window(const struct dh_viewport *v, const struct dh_window *w)
{
    if (v->n_updates == 0 || w->count <= 0 || v->eff_ranges != 1)
        return 0;
    if (v->eff_lo != w->first || v->eff_count != w->count || v->eff_reverse != (w->reverse != 0))
        return 0;
    for (size_t c = 0; c < v->schema.n_fields; c++)
        if (colset_has(&v->cols, c) != dh_window_has_column(w, c))
            return 0;
    return 1;
}

static int take_schema(struct dh_viewport *v, const uint8_t *header, size_t hlen,
                       struct dh_error *err)
{
    int rc = dh_take_schema_message(v->have_schema, v->n_messages, header, hlen, &v->schema, err);
    if (rc != DH_OK)
        return rc;
    size_t n = v->schema.n_fields ? v->schema.n_fields : 1;
    v->schema_msg = malloc(hlen);
    v->mods = calloc(n, sizeof *v->mods);
    v->mod_left = calloc(n, sizeof *v->mod_left);
    if (!v->schema_msg || !v->mods || !v->mod_left)
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a subscription's schema");
    memcpy(v->schema_msg, header, hlen);
    v->schema_len = hlen;
    for (size_t c = 0; c < v->schema.n_fields; c++)
        dh_rowset_init(&v->mods[c]);
    v->have_schema = 1;
    return DH_OK;
}

/* Decode an optional RowSet field (absent = empty). */
static int decode_rows(const uint8_t *p, size_t n, struct dh_rowset *rs, const char *what,
                       struct dh_error *err)
{
    dh_rowset_clear(rs);
    if (!p)
        return DH_OK;
    int rc = dh_rowset_decode(p, n, rs, err);
    if (rc != DH_OK)
        dh_error_prefix(err, what);
    return rc;
}

static int64_t last_of(const struct dh_rowset *rs)
{
    return rs->n ? rs->ranges[rs->n - 1].hi : -1;
}

/* The effective viewport of a snapshot: its first position and size. */
static int take_effective_viewport(struct dh_viewport *v, const struct dh_barrage_update *u,
                                   struct dh_error *err)
{
    v->new_first = -1;
    v->new_eff_count = v->eff_count;
    v->new_eff_ranges = v->eff_ranges;
    v->new_eff_reverse = v->eff_reverse;
    if (!u->effective_viewport)
        return DH_OK;
    v->new_eff_reverse = u->effective_reverse_viewport;
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    int rc = decode_rows(u->effective_viewport, u->effective_viewport_len, &rs,
                         "Barrage effective_viewport", err);
    if (rc == DH_OK) {
        v->new_eff_count = rs.size;
        v->new_eff_ranges = rs.n > 1 ? 2 : (int)rs.n;
        if (rs.n)
            v->new_first = rs.ranges[0].lo;
    }
    dh_rowset_reset(&rs);
    return rc;
}

/* The columns the update's rows carry: a snapshot names them in
 * effective_column_set (none named: every column); other updates keep the
 * last snapshot's (upstream BarrageMessageWriterImpl writes the set with
 * snapshots only). */
static int take_column_set(struct dh_viewport *v, const struct dh_barrage_update *u,
                           struct dh_error *err)
{
    int all = v->cols.all;
    const uint8_t *bits = v->cols.bits;
    size_t len = v->cols.len;
    if (u->is_snapshot) {
        all = u->effective_column_set == NULL;
        bits = u->effective_column_set;
        len = u->effective_column_set_len;
    }
    free(v->new_cols.bits);
    v->new_cols = (struct colset){.all = all};
    if (all || len == 0)
        return DH_OK;
    v->new_cols.bits = malloc(len);
    if (!v->new_cols.bits)
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a subscription's columns");
    memcpy(v->new_cols.bits, bits, len);
    v->new_cols.len = len;
    return DH_OK;
}

/* Check the update's RowSets against the viewport (docs/PROTOCOL.md, Barrage updates). */
static int check_positions(struct dh_viewport *v, int64_t *new_len, struct dh_error *err)
{
    int64_t len = v->rows.length;
    if (last_of(&v->removed) >= len)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: expected removed positions below %lld (the "
                            "viewport's rows) but found %lld",
                            (long long)len, (long long)last_of(&v->removed));
    int64_t nl = len - v->removed.size;
    if (v->added.size > DH_ARROW_MAX_ROWS || nl + v->added.size > DH_ARROW_MAX_ROWS)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: %lld added rows make the viewport too large",
                            (long long)v->added.size);
    nl += v->added.size;
    if (last_of(&v->added) >= nl)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: expected added positions below %lld (the new "
                            "viewport's rows) but found %lld",
                            (long long)nl, (long long)last_of(&v->added));
    if (nl > v->new_table_size)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: the viewport would hold %lld rows but the table "
                            "has only %lld",
                            (long long)nl, (long long)v->new_table_size);
    if (v->new_eff_count >= 0 && nl > v->new_eff_count)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: the viewport would hold %lld rows but covers only "
                            "%lld positions",
                            (long long)nl, (long long)v->new_eff_count);
    for (size_t c = 0; c < v->schema.n_fields; c++) {
        if (last_of(&v->mods[c]) >= nl)
            return dh_error_set(err, DH_EINVAL,
                                "Barrage update: column '%s': expected modified positions "
                                "below %lld but found %lld",
                                v->schema.fields[c].name, (long long)nl,
                                (long long)last_of(&v->mods[c]));
        v->mod_left[c] = v->mods[c].size;
    }
    *new_len = nl;
    return DH_OK;
}

/* Start an update from its BarrageUpdateMetadata. */
static int begin_update(struct dh_viewport *v, const struct dh_barrage_update *u,
                        struct dh_error *err)
{
    if (!v->have_schema)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow Schema message before the first Barrage update "
                            "(message %zu)",
                            v->n_messages);
    if (v->phase != AWAIT_METADATA)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: expected %lld more added rows or modified values "
                            "but message %zu starts a new update",
                            (long long)v->add_left, v->n_messages);
    if (u->n_mod_columns > v->schema.n_fields)
        return dh_error_set(err, DH_EINVAL,
                            "Barrage update: expected at most %zu mod_column_nodes but found "
                            "%zu",
                            v->schema.n_fields, u->n_mod_columns);
    v->new_table_size = u->has_table_size ? u->table_size : 0; /* Java omits 0 */
    v->new_is_snapshot = u->is_snapshot;
    if (v->new_table_size < 0)
        return dh_error_set(err, DH_EINVAL, "Barrage update: table_size %lld is negative",
                            (long long)v->new_table_size);
    int rc =
        decode_rows(u->removed_rows, u->removed_rows_len, &v->removed, "Barrage removed_rows", err);
    if (rc == DH_OK)
        rc = decode_rows(u->added_rows, u->added_rows_len, &v->added, "Barrage added_rows", err);
    for (size_t c = 0; rc == DH_OK && c < v->schema.n_fields; c++) {
        struct dh_barrage_mod_column mc = {0};
        if (c < u->n_mod_columns)
            rc = dh_barrage_update_mod_column(u, c, &mc, err);
        if (rc == DH_OK)
            rc = decode_rows(mc.modified_rows, mc.modified_rows_len, &v->mods[c],
                             "Barrage modified_rows", err);
    }
    if (rc == DH_OK)
        rc = take_effective_viewport(v, u, err);
    if (rc == DH_OK)
        rc = take_column_set(v, u, err);
    int64_t new_len = 0;
    if (rc == DH_OK)
        rc = check_positions(v, &new_len, err);
    if (rc != DH_OK)
        return rc;
    v->add_left = v->added.size;
    v->phase = AWAIT_ADDS;
    return DH_OK;
}

/* ---- applying a complete update ---- */

/* A run of viewport rows [dst, dst + n) taken from one source. */
enum source { SRC_OLD, SRC_ADD, SRC_MOD };
struct seg {
    int64_t dst, n;
    enum source src;
    int64_t at; /* the source's first row index */
};

struct seg_list {
    struct seg *s;
    size_t n, cap;
};

static int seg_push(struct seg_list *l, int64_t dst, int64_t n, enum source src, int64_t at)
{
    struct seg *ns = dh_grow_array(l->s, l->n, &l->cap, sizeof *ns, 16);
    if (!ns)
        return DH_ENOMEM;
    l->s = ns;
    l->s[l->n++] = (struct seg){.dst = dst, .n = n, .src = src, .at = at};
    return DH_OK;
}

/* The WebColumnData.applyUpdate loop over ranges instead of rows: the runs of
 * the new contents taken from the old rows and from the added data. */
static int base_segments(const struct dh_viewport *v, int64_t new_len, struct seg_list *out,
                         struct dh_error *err)
{
    const struct dh_rowset *rem = &v->removed, *add = &v->added;
    int64_t len = v->rows.length, dst = 0, src = 0, k = 0;
    size_t ri = 0, ai = 0;
    while (dst < new_len) {
        int rc = DH_OK;
        if (ri < rem->n && rem->ranges[ri].lo <= src) {
            src = rem->ranges[ri].hi + 1; /* skip removed old rows */
            ri++;
            continue;
        }
        if (ai < add->n && add->ranges[ai].lo == dst) {
            int64_t n = add->ranges[ai].hi - add->ranges[ai].lo + 1;
            rc = seg_push(out, dst, n, SRC_ADD, k);
            k += n;
            dst += n;
            ai++;
        } else {
            int64_t n = (ri < rem->n ? rem->ranges[ri].lo : len) - src;
            if (ai < add->n && add->ranges[ai].lo - dst < n)
                n = add->ranges[ai].lo - dst;
            if (n <= 0) /* cannot happen after check_positions; never loop forever */
                return dh_error_set(err, DH_EINVAL,
                                    "Barrage update: its removed and added rows do not add "
                                    "up at position %lld",
                                    (long long)dst);
            rc = seg_push(out, dst, n, SRC_OLD, src);
            src += n;
            dst += n;
        }
        if (rc != DH_OK)
            return dh_error_set(err, DH_ENOMEM, "out of memory applying a Barrage update");
    }
    return DH_OK;
}

/* Where each new row was before the update (the base runs; a modified row
 * stays the row it was), or NULL for a snapshot: it answers a change of
 * window or columns, so its rows are a new window, not moved ones. */
static int64_t *origin_of(const struct dh_viewport *v, const struct seg_list *base, int64_t new_len)
{
    if (v->new_is_snapshot || new_len <= 0)
        return NULL;
    int64_t *o = malloc((size_t)new_len * sizeof *o);
    if (!o)
        return NULL; /* the rows are still right; only the relation is lost */
    for (size_t k = 0; k < base->n; k++) {
        const struct seg *sg = &base->s[k];
        for (int64_t j = 0; j < sg->n; j++)
            o[sg->dst + j] = sg->src == SRC_OLD ? sg->at + j : -1;
    }
    return o;
}

/* Pieces of one column under construction. */
struct piece_list {
    struct dh_piece *p;
    size_t n, cap;
};

static int piece_push(struct piece_list *l, const struct dh_column_view *view, int64_t start,
                      int64_t n)
{
    struct dh_piece *np = dh_grow_array(l->p, l->n, &l->cap, sizeof *np, 16);
    if (!np)
        return DH_ENOMEM;
    l->p = np;
    l->p[l->n++] = (struct dh_piece){.v = view, .start = start, .n = n};
    return DH_OK;
}

/* Where a source's row index lies in its batches; only moves forward. */
struct cursor {
    size_t bi;
    int64_t base; /* rows of the batches before bi */
};

/* Append column col's rows [at, at + n) of a batch list as pieces. The
 * accounting guaranteed the rows exist; running out is reported anyway. */
static int pieces_from(struct piece_list *out, const struct batch_list *l, size_t col,
                       struct cursor *cur, int64_t at, int64_t n)
{
    while (n > 0) {
        if (cur->bi >= l->n)
            return DH_EINVAL;
        const struct dh_column_view *cv = &l->b[cur->bi].columns[col];
        if (at >= cur->base + cv->length) {
            cur->base += cv->length;
            cur->bi++;
            continue;
        }
        int64_t off = at - cur->base, take = cv->length - off;
        if (take > n)
            take = n;
        if (piece_push(out, cv, off, take) != DH_OK)
            return DH_ENOMEM;
        at += take;
        n -= take;
    }
    return DH_OK;
}

static int emit(const struct dh_viewport *v, size_t col, struct piece_list *out,
                struct cursor *cur_add, struct cursor *cur_mod, enum source src, int64_t at,
                int64_t n)
{
    if (src == SRC_OLD) { /* a column not carried before has no old values */
        if (at + n > v->rows.columns[col].length)
            return DH_EINVAL;
        return piece_push(out, &v->rows.columns[col], at, n);
    }
    if (src == SRC_ADD)
        return pieces_from(out, &v->adds, col, cur_add, at, n);
    return pieces_from(out, &v->modb, col, cur_mod, at, n);
}

/* Column col's pieces: the base runs, overlaid by its modified positions. */
static int column_pieces(const struct dh_viewport *v, size_t col, const struct seg_list *base,
                         int64_t new_len, struct piece_list *out)
{
    const struct dh_rowset *mod = &v->mods[col];
    struct cursor ca = {0}, cm = {0};
    int64_t pos = 0, k = 0;
    size_t bi = 0, mi = 0;
    while (pos < new_len) {
        int rc;
        while (bi < base->n && base->s[bi].dst + base->s[bi].n <= pos)
            bi++;
        if (mi < mod->n && mod->ranges[mi].lo <= pos) {
            int64_t n = mod->ranges[mi].hi + 1 - pos;
            rc = emit(v, col, out, &ca, &cm, SRC_MOD, k, n);
            k += n;
            pos += n;
            mi++;
        } else {
            if (bi >= base->n)
                return DH_EINVAL;
            const struct seg *s = &base->s[bi];
            int64_t end = s->dst + s->n;
            if (mi < mod->n && mod->ranges[mi].lo < end)
                end = mod->ranges[mi].lo;
            rc = emit(v, col, out, &ca, &cm, s->src, s->at + (pos - s->dst), end - pos);
            pos = end;
        }
        if (rc != DH_OK)
            return rc;
    }
    return DH_OK;
}

/* Build the new contents and replace the old ones. */
static int finish_update(struct dh_viewport *v, struct dh_error *err)
{
    int64_t new_len = v->rows.length - v->removed.size + v->added.size;
    size_t nf = v->schema.n_fields;
    struct seg_list base = {0};
    struct piece_list *pl = calloc(nf ? nf : 1, sizeof *pl);
    const struct dh_piece **pieces = calloc(nf ? nf : 1, sizeof *pieces);
    size_t *n_pieces = calloc(nf ? nf : 1, sizeof *n_pieces);
    int rc = pl && pieces && n_pieces ? DH_OK : DH_ENOMEM;
    if (rc == DH_OK)
        rc = base_segments(v, new_len, &base, err);
    for (size_t c = 0; rc == DH_OK && c < nf; c++) {
        /* a column the rows do not carry stays without values (length 0) */
        rc = colset_has(&v->new_cols, c) ? column_pieces(v, c, &base, new_len, &pl[c]) : DH_OK;
        if (rc == DH_EINVAL)
            dh_error_set(err, rc, "Barrage update: column '%s' ran out of data while applying it",
                         v->schema.fields[c].name);
        pieces[c] = pl[c].p;
        n_pieces[c] = pl[c].n;
    }
    struct dh_batch next;
    dh_batch_init(&next);
    if (rc == DH_OK)
        rc = dh_concat_columns(&v->schema, pieces, n_pieces, new_len, &next, err);
    else if (rc == DH_ENOMEM)
        dh_error_set(err, rc, "out of memory applying a Barrage update");
    int64_t *origin = rc == DH_OK ? origin_of(v, &base, new_len) : NULL;
    for (size_t c = 0; pl && c < nf; c++)
        free(pl[c].p);
    free(pl);
    free(pieces);
    free(n_pieces);
    free(base.s);
    if (rc != DH_OK)
        return rc;
    dh_batch_reset(&v->rows);
    v->rows = next;
    free(v->origin);
    v->origin = origin;
    v->table_size = v->new_table_size;
    v->eff_count = v->new_eff_count;
    v->eff_ranges = v->new_eff_ranges;
    v->eff_reverse = v->new_eff_reverse;
    if (v->new_first >= 0)
        v->eff_lo = v->new_first;
    free(v->cols.bits);
    v->cols = v->new_cols;
    v->new_cols = (struct colset){.all = 1};
    /* A reverse viewport counts from the end: its rows, in table order,
     * start where the table's last eff_lo + eff_count positions start. */
    if (v->eff_reverse) {
        int64_t from = v->table_size - v->eff_lo - (v->eff_count > 0 ? v->eff_count : 0);
        v->first = from > 0 ? from : 0;
    } else if (v->new_first >= 0) {
        v->first = v->new_first;
    }
    v->n_updates++;
    pending_reset(v);
    return DH_OK;
}

/* Move on when the current phase has all its data; *updated when done. */
static int advance(struct dh_viewport *v, int *updated, struct dh_error *err)
{
    if (v->phase == AWAIT_ADDS && v->add_left == 0)
        v->phase = AWAIT_MODS;
    if (v->phase != AWAIT_MODS)
        return DH_OK;
    for (size_t c = 0; c < v->schema.n_fields; c++)
        if (v->mod_left[c] > 0)
            return DH_OK;
    int rc = finish_update(v, err);
    if (rc == DH_OK && updated)
        *updated = 1;
    return rc;
}

static int batch_is_empty(const struct dh_batch *b)
{
    if (b->length)
        return 0;
    for (size_t c = 0; c < b->n_columns; c++)
        if (b->columns[c].length)
            return 0;
    return 1;
}

/* Account one decoded batch to the current phase (it is moved or freed). */
static int feed_batch(struct dh_viewport *v, struct dh_batch *b, struct dh_error *err)
{
    if (v->phase == AWAIT_METADATA) {
        if (batch_is_empty(b))
            return DH_OK; /* the 0-row batch of an update that had nothing to send */
        return dh_error_set(err, DH_EINVAL,
                            "expected Barrage update metadata before a record batch of %lld "
                            "rows (message %zu)",
                            (long long)b->length, v->n_messages);
    }
    if (v->phase == AWAIT_ADDS) {
        if (b->length > v->add_left)
            return dh_error_set(err, DH_EINVAL,
                                "Barrage update: expected %lld more added rows but a batch "
                                "has %lld",
                                (long long)v->add_left, (long long)b->length);
        for (size_t c = 0; c < v->schema.n_fields; c++) {
            int64_t n = b->columns[c].length;
            if (n != b->length && (n != 0 || colset_has(&v->new_cols, c)))
                return dh_error_set(err, DH_EINVAL,
                                    "Barrage update: column '%s' has %lld added values in a "
                                    "batch of %lld rows",
                                    v->schema.fields[c].name, (long long)n, (long long)b->length);
        }
        v->add_left -= b->length;
        return b->length ? batch_list_push(&v->adds, b, err) : DH_OK;
    }
    int any = 0;
    for (size_t c = 0; c < v->schema.n_fields; c++) {
        int64_t n = b->columns[c].length;
        if (n > v->mod_left[c])
            return dh_error_set(err, DH_EINVAL,
                                "Barrage update: column '%s': expected %lld more modified "
                                "values but a batch has %lld",
                                v->schema.fields[c].name, (long long)v->mod_left[c], (long long)n);
        v->mod_left[c] -= n;
        any |= n > 0;
    }
    return any ? batch_list_push(&v->modb, b, err) : DH_OK;
}

/* Take the app_metadata: the start of an update. Non-Barrage metadata and
 * wrappers of other types are ignored. */
static int take_metadata(struct dh_viewport *v, const uint8_t *md, size_t len, struct dh_error *err)
{
    struct dh_barrage_update u;
    int rc = dh_update_from_metadata(md, len, &u, err);
    if (rc != DH_OK)
        return rc == DH_END ? DH_OK : rc;
    return begin_update(v, &u, err);
}

static int apply_message(struct dh_viewport *v, const uint8_t *header, size_t hlen,
                         const uint8_t *body, size_t blen, const uint8_t *md, size_t mlen,
                         int *updated, struct dh_error *err)
{
    struct dh_ipc_message msg = {0};
    if (hlen) {
        int rc = dh_ipc_message_decode(header, hlen, &msg, err);
        if (rc != DH_OK)
            return rc;
        if (msg.kind == DH_IPC_SCHEMA)
            return take_schema(v, header, hlen, err);
        if (msg.kind == DH_IPC_DICTIONARY_BATCH && mlen == 0) {
            if (!v->have_schema) /* for the record batches after it */
                return dh_error_before_schema(err, v->n_messages, msg.kind);
            return dh_schema_apply_dictionary(&v->schema, header, hlen, body, blen, err);
        }
    }
    int rc = take_metadata(v, md, mlen, err);
    if (rc == DH_OK)
        rc = advance(v, updated, err);
    if (rc != DH_OK || hlen == 0)
        return rc;
    if (!v->have_schema)
        return dh_error_before_schema(err, v->n_messages, msg.kind);
    struct dh_batch b;
    dh_batch_init(&b);
    rc = dh_batch_decode(&v->schema, header, hlen, body, blen, &b, err);
    if (rc == DH_OK)
        rc = feed_batch(v, &b, err);
    dh_batch_reset(&b);
    if (rc == DH_OK && v->phase != AWAIT_METADATA)
        rc = advance(v, updated, err);
    return rc;
}

int dh_viewport_apply_flight_data(struct dh_viewport *v, const uint8_t *header, size_t hlen,
                                  const uint8_t *body, size_t blen, const uint8_t *app_metadata,
                                  size_t alen, int *updated, struct dh_error *err)
{
    if (updated)
        *updated = 0;
    if (v->failed)
        return dh_error_set(err, DH_EINVAL,
                            "the subscription's rows are unusable after an earlier malformed "
                            "message");
    v->n_messages++;
    int rc = apply_message(v, header, hlen, body, blen, app_metadata, alen, updated, err);
    if (rc != DH_OK) {
        v->failed = 1;
        pending_reset(v);
    }
    return rc;
}

int dh_viewport_apply_packed(struct dh_viewport *v, const uint8_t *msg, size_t len, int *updated,
                             struct dh_error *err)
{
    if (updated)
        *updated = 0;
    Arrow__Flight__Protocol__FlightData *fd =
        arrow__flight__protocol__flight_data__unpack(NULL, len, msg);
    if (!fd)
        return dh_error_set(err, DH_EINVAL, "malformed FlightData from the server");
    int rc = dh_viewport_apply_flight_data(
        v, fd->data_header.data, fd->data_header.len, fd->data_body.data, fd->data_body.len,
        fd->app_metadata.data, fd->app_metadata.len, updated, err);
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    return rc;
}

int dh_viewport_copy(const struct dh_viewport *v, struct dh_rows *out, struct dh_error *err)
{
    dh_rows_reset(out);
    if (!v->have_schema)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow Schema message but none arrived yet");
    int rc = dh_schema_decode(v->schema_msg, v->schema_len, &out->schema, err);
    if (rc != DH_OK)
        return rc;
    size_t nf = v->schema.n_fields;
    struct dh_piece *flat = calloc(nf ? nf : 1, sizeof *flat);
    const struct dh_piece **pieces = calloc(nf ? nf : 1, sizeof *pieces);
    size_t *n_pieces = calloc(nf ? nf : 1, sizeof *n_pieces);
    if (!flat || !pieces || !n_pieces) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory copying viewport rows");
    } else {
        for (size_t c = 0; c < nf; c++) {
            pieces[c] = &flat[c];
            /* a column the rows do not carry has no values (length 0) */
            int64_t n = v->rows.columns ? v->rows.columns[c].length : 0;
            if (n > 0) {
                flat[c] = (struct dh_piece){.v = &v->rows.columns[c], .n = n};
                n_pieces[c] = 1;
            }
        }
        rc = dh_concat_columns(&out->schema, pieces, n_pieces, v->rows.length, &out->batch, err);
    }
    free(flat);
    free(pieces);
    free(n_pieces);
    if (rc != DH_OK) {
        dh_rows_reset(out);
        return rc;
    }
    out->first = v->first;
    out->table_size = v->table_size;
    if (v->origin && v->rows.length > 0) {
        size_t bytes = (size_t)v->rows.length * sizeof *v->origin;
        out->origin = malloc(bytes);
        if (out->origin) /* without it the rows are still right */
            memcpy(out->origin, v->origin, bytes);
    }
    return DH_OK;
}

/* ---- the request ---- */

int dh_subscription_request(const struct dh_ticket *t, int64_t first, int64_t count,
                            int update_interval_ms, int64_t list_limit, uint8_t **out,
                            size_t *out_len, struct dh_error *err)
{
    struct dh_window w = dh_window_of(first, count);
    return dh_subscription_request_window(t, &w, update_interval_ms, list_limit, out, out_len, err);
}

int dh_subscription_request_window(const struct dh_ticket *t, const struct dh_window *w,
                                   int update_interval_ms, int64_t list_limit, uint8_t **out,
                                   size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *viewport = NULL;
    size_t vlen = 0;
    int rc = dh_request_viewport(w->first, w->count, &viewport, &vlen, err);
    if (rc == DH_OK && w->n_columns > DH_WINDOW_MAX_COLUMNS) {
        free(viewport);
        rc = dh_error_set(err, DH_EINVAL, "expected at most %d columns in a window but found %zu",
                          DH_WINDOW_MAX_COLUMNS, w->n_columns);
    }
    if (rc == DH_OK && update_interval_ms < 0) { /* a bad range is reported first */
        free(viewport);
        rc =
            dh_error_set(err, DH_EINVAL, "expected an update interval of 0 ms or more but found %d",
                         update_interval_ms);
    }
    if (rc != DH_OK)
        return rc;
    struct dh_barrage_subscription_request req = {
        .ticket = t->bytes,
        .ticket_len = t->len,
        .viewport = viewport,
        .viewport_len = vlen,
        .columns = w->n_columns ? w->cols : NULL, /* absent: every column */
        .columns_len = (w->n_columns + 7) / 8,
        .reverse_viewport = w->reverse != 0,
        .use_deephaven_nulls = 0,
        .min_update_interval_ms = update_interval_ms,
        .batch_size = DH_TABLE_BATCH_SIZE,
        .max_message_size = DH_TABLE_MAX_MESSAGE_SIZE,
        .preview_list_length_limit = list_limit,
    };
    uint8_t *wrapper = NULL;
    size_t wlen = 0;
    rc = dh_barrage_encode_subscription_request(&req, &wrapper, &wlen, err);
    free(viewport);
    if (rc == DH_OK)
        rc = dh_flight_data_of_metadata(wrapper, wlen, "subscription request", out, out_len, err);
    free(wrapper);
    return rc;
}

/* ---- the live subscription ---- */

struct dh_subscription {
    struct dh_stream *st;
    struct dh_ticket ticket;
    int interval_ms;
    int64_t list_limit;
    struct dh_viewport *vp;
    struct dh_cancel *cancel; /* fired by dh_subscription_cancel; st attached */
    int ended;                /* the stream finished: its result is in `end` */
    struct dh_error end;
};

/* Send one type-5 request on the stream. */
static int send_request(struct dh_subscription *sub, const struct dh_window *w,
                        struct dh_error *err)
{
    uint8_t *req = NULL;
    size_t len = 0;
    int rc = dh_subscription_request_window(&sub->ticket, w, sub->interval_ms, sub->list_limit,
                                            &req, &len, err);
    if (rc != DH_OK)
        return rc;
    rc = dh_stream_write_bytes(sub->st, req, len, err);
    free(req);
    return rc;
}

struct dh_subscription *dh_subscription_open(struct dh_session *s, const struct dh_ticket *t,
                                             int64_t first, int64_t count, int update_interval_ms,
                                             int64_t list_limit, struct dh_error *err)
{
    struct dh_window w = dh_window_of(first, count);
    return dh_subscription_open_window(s, t, &w, update_interval_ms, list_limit, err);
}

struct dh_subscription *dh_subscription_open_window(struct dh_session *s, const struct dh_ticket *t,
                                                    const struct dh_window *w,
                                                    int update_interval_ms, int64_t list_limit,
                                                    struct dh_error *err)
{
    struct dh_subscription *sub = calloc(1, sizeof *sub);
    if (!sub) {
        dh_error_set(err, DH_ENOMEM, "out of memory opening a subscription");
        return NULL;
    }
    sub->ticket = *t;
    sub->interval_ms = update_interval_ms;
    sub->list_limit = list_limit;
    dh_error_clear(&sub->end);
    sub->vp = dh_viewport_new(w->reverse ? 0 : w->first);
    sub->cancel = dh_cancel_new();
    char what[192];
    dh_ticket_describe(what, sizeof what, "Subscribing to", t);
    struct dh_error e;
    dh_error_clear(&e);
    int rc =
        sub->vp && sub->cancel ? DH_OK : dh_error_set(&e, DH_ENOMEM, "%s: out of memory", what);
    if (rc == DH_OK) {
        /* No deadline: a subscription lives as long as its view. */
        sub->st = dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_DO_EXCHANGE,
                                 NULL, 0, 0, what, &e);
        rc = sub->st ? dh_cancel_attach(sub->cancel, sub->st, &e) : (e.code ? e.code : DH_EGRPC);
        if (rc == DH_OK)
            rc = send_request(sub, w, &e);
    }
    if (rc != DH_OK && sub->st)
        dh_prefer_final_status(sub->st, &e); /* a refused write: the status says why */
    if (rc != DH_OK) {
        if (err)
            *err = e;
        dh_subscription_free(sub);
        return NULL;
    }
    return sub;
}

int dh_subscription_shows(const struct dh_subscription *sub, int64_t first, int64_t count)
{
    return dh_viewport_shows(sub->vp, first, count);
}

int dh_subscription_shows_window(const struct dh_subscription *sub, const struct dh_window *w)
{
    return dh_viewport_shows_window(sub->vp, w);
}

int dh_subscription_set_viewport(struct dh_subscription *sub, int64_t first, int64_t count,
                                 struct dh_error *err)
{
    struct dh_window w = dh_window_of(first, count);
    return dh_subscription_set_window(sub, &w, err);
}

int dh_subscription_set_window(struct dh_subscription *sub, const struct dh_window *w,
                               struct dh_error *err)
{
    if (dh_cancel_fired(sub->cancel))
        return dh_error_set(err, DH_ECANCELLED, "the subscription was cancelled");
    return send_request(sub, w, err);
}

int dh_subscription_next(struct dh_subscription *sub, struct dh_rows *out, struct dh_error *err)
{
    dh_rows_reset(out);
    for (;;) {
        if (dh_cancel_fired(sub->cancel))
            return dh_error_set(err, DH_ECANCELLED, "the subscription was cancelled");
        if (sub->ended) {
            if (err)
                *err = sub->end;
            return sub->end.code != DH_OK ? sub->end.code : DH_END;
        }
        struct dh_buf msg = {0};
        struct dh_error e;
        dh_error_clear(&e);
        int rc = dh_stream_read(sub->st, &msg, &e);
        if (rc != DH_OK) {
            if (rc == DH_ECANCELLED || dh_cancel_fired(sub->cancel))
                return dh_error_set(err, DH_ECANCELLED, "the subscription was cancelled");
            sub->ended = 1;
            sub->end = e;
            if (rc != DH_END && sub->end.code == DH_OK)
                sub->end.code = rc;
            continue;
        }
        int updated = 0;
        rc = dh_viewport_apply_packed(sub->vp, msg.data, msg.len, &updated, err);
        dh_buf_reset(&msg);
        if (rc != DH_OK)
            return rc;
        if (updated)
            return dh_viewport_copy(sub->vp, out, err);
    }
}

void dh_subscription_cancel(struct dh_subscription *sub)
{
    if (sub)
        dh_cancel_fire(sub->cancel);
}

void dh_subscription_free(struct dh_subscription *sub)
{
    if (!sub)
        return;
    dh_cancel_detach(sub->cancel, sub->st);
    dh_stream_free(sub->st);
    dh_cancel_free(sub->cancel);
    dh_viewport_free(sub->vp);
    free(sub);
}
