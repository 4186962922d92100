/* SPDX-License-Identifier: MIT */
/* subscription.c: live Barrage viewport subscriptions (BarrageMessageProducer's viewport
 * path and BarrageMessageWriterImpl.getSubscriptionMetadata, docs/PROTOCOL.md, Barrage).
 *
 * Catalogue tables, and filters of them, only grow at the end and never change existing
 * rows, so a viewport's contents (its positions below the table size, in order) only
 * ever gain rows at their end: an update is "added positions [L0, L1)" plus the new
 * table_size. A sorted live view (catalog.h) reorders as its source grows: its update
 * removes every previous position of the viewport and adds the new contents whole.
 * There are never shifted or modified rows.
 *
 * A reverse viewport counts positions from the end of the table; what the client holds
 * is those rows in table order, so as the table grows rows leave the window at its
 * start and others join at its end (removed and added positions both). A full-table
 * subscription (no viewport) holds every row; its RowSets count row keys, which are
 * table positions here (tables are flat), and its updates carry shift data (none). */
#include "subscription.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_barrage.h"
#include "encode_arrow.h"

/* barrage.minUpdateInterval: the update period when the client asks for 0. */
#define DEMO_SUB_DEFAULT_INTERVAL_MS 1000
/* An empty encoded RowSet (END). */
static const uint8_t empty_rowset[1] = {0x20};

struct demo_sub {
    int full;                       /* no viewport: every row, RowSets in key space */
    int reverse;                    /* the viewport counts from the end of the table */
    const struct demo_object *live; /* the subscribed table (referenced) */
    const struct demo_object *t;    /* its rows as last sent (pinned, referenced) */
    size_t ncols;
    struct dh_rowset viewport; /* requested positions */
    uint8_t *cols;             /* subscribed columns (all when the request had none) */
    size_t cols_len;
    struct demo_batch_opts opts; /* opts.cols points at cols */
    int interval_ms;
    int64_t size;                       /* table size in the last message sent */
    int64_t seq;                        /* step of the last message sent */
    struct dh_barrage_mod_column *mods; /* one empty modified_rows per column */
};

static int sub_oom(char *err)
{
    return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory in a subscription");
}

/* ---- requests ---- */

void demo_sub_request_init(struct demo_sub_request *q)
{
    memset(q, 0, sizeof *q);
    dh_rowset_init(&q->viewport);
}

void demo_sub_request_reset(struct demo_sub_request *q)
{
    if (!q)
        return;
    dh_rowset_reset(&q->viewport);
    demo_sub_request_init(q);
}

int demo_sub_request_parse(const uint8_t *wrapper, size_t len, struct demo_sub_request *q,
                           char *err)
{
    struct dh_barrage_subscription_request r;
    struct dh_error e;
    demo_sub_request_reset(q);
    if (!wrapper || dh_barrage_decode_subscription_request(wrapper, len, &r, &e) != DH_OK) {
        if (err)
            snprintf(err, DEMO_ERR_MAX,
                     "INVALID_ARGUMENT: malformed BarrageSubscriptionRequest: %.180s",
                     wrapper ? e.msg : "no metadata");
        return -1;
    }
    q->ticket = r.ticket;
    q->ticket_len = r.ticket_len;
    if (r.viewport) {
        q->has_viewport = 1;
        if (dh_rowset_decode(r.viewport, r.viewport_len, &q->viewport, &e) != DH_OK) {
            if (err)
                snprintf(err, DEMO_ERR_MAX, "INVALID_ARGUMENT: malformed viewport: %.180s", e.msg);
            return -1;
        }
    }
    q->reverse = r.reverse_viewport;
    q->min_update_interval_ms = r.min_update_interval_ms;
    /* BitSet.valueOf: trailing zero bytes carry nothing; the echo is toByteArray */
    q->opts.cols = r.columns;
    q->opts.cols_len = r.columns_len;
    while (q->opts.cols && q->opts.cols_len > 0 && q->opts.cols[q->opts.cols_len - 1] == 0)
        q->opts.cols_len--;
    q->opts.use_dh_nulls = r.use_deephaven_nulls;
    q->opts.batch_size = r.batch_size;
    q->opts.max_message_size = r.max_message_size;
    q->opts.list_limit = r.preview_list_length_limit;
    return 0;
}

/* ---- state ---- */

/* Take q's viewport and columns (copied); absent columns become every column, as
 * BarrageMessageProducer subscribes them. */
static int set_view(struct demo_sub *s, const struct demo_sub_request *q, char *err)
{
    struct dh_error e;
    size_t len = q->opts.cols ? q->opts.cols_len : (s->ncols + 7) / 8;
    uint8_t *cols = calloc(len ? len : 1, 1);
    if (!cols)
        return sub_oom(err);
    if (q->opts.cols)
        memcpy(cols, q->opts.cols, len);
    else
        for (size_t c = 0; c < s->ncols; c++)
            cols[c / 8] |= (uint8_t)(1u << (c % 8));
    dh_rowset_clear(&s->viewport);
    for (size_t i = 0; i < q->viewport.n; i++) {
        if (dh_rowset_add_range(&s->viewport, q->viewport.ranges[i].lo, q->viewport.ranges[i].hi,
                                &e) != DH_OK) {
            free(cols);
            return sub_oom(err);
        }
    }
    free(s->cols);
    s->cols = cols;
    s->cols_len = len;
    s->opts.cols = cols;
    s->opts.cols_len = len;
    return 0;
}

struct demo_sub *demo_sub_new(const struct demo_object *t, const struct demo_sub_request *q,
                              char *err)
{
    if (!t || !demo_object_is_table(t)) {
        demo_fail(err, "FAILED_PRECONDITION: Ticket is not a subscribable table.");
        return NULL;
    }
    struct demo_sub *s = calloc(1, sizeof *s);
    if (!s) {
        sub_oom(err);
        return NULL;
    }
    s->full = !q->has_viewport;
    s->reverse = q->has_viewport && q->reverse;
    demo_object_ref(t);
    s->live = t;
    s->t = demo_object_pin(t);
    s->ncols = demo_table_ncols(t);
    dh_rowset_init(&s->viewport);
    s->opts = q->opts; /* the options are fixed at subscribe time, as upstream */
    s->interval_ms =
        q->min_update_interval_ms > 0 ? q->min_update_interval_ms : DEMO_SUB_DEFAULT_INTERVAL_MS;
    s->mods = calloc(s->ncols ? s->ncols : 1, sizeof *s->mods);
    if (!s->mods)
        sub_oom(err);
    if (!s->mods || set_view(s, q, err) != 0) {
        demo_sub_free(s);
        return NULL;
    }
    for (size_t c = 0; c < s->ncols; c++) {
        s->mods[c].modified_rows = empty_rowset;
        s->mods[c].modified_rows_len = sizeof empty_rowset;
    }
    return s;
}

void demo_sub_free(struct demo_sub *s)
{
    if (!s)
        return;
    dh_rowset_reset(&s->viewport);
    demo_object_unref(s->t);
    demo_object_unref(s->live);
    free(s->cols);
    free(s->mods);
    free(s);
}

int demo_sub_interval_ms(const struct demo_sub *s)
{
    return s->interval_ms;
}

/* ---- messages ---- */

/* The table positions the client holds at table size `size`, ascending, into out
 * (cleared first): every row (full), the viewport's positions below size (forward), or
 * position p counted from the end, size-1-p (reverse; build_target in encode_barrage.c
 * maps snapshots the same way). */
static int held_rows(const struct demo_sub *s, int64_t size, struct dh_rowset *out, char *err)
{
    struct dh_error e;
    const struct dh_rowset *vp = &s->viewport;
    dh_rowset_clear(out);
    if (s->full)
        return size > 0 && dh_rowset_add_range(out, 0, size - 1, &e) != DH_OK ? sub_oom(err) : 0;
    if (!s->reverse) {
        for (size_t i = 0; i < vp->n && vp->ranges[i].lo < size; i++) {
            int64_t hi = vp->ranges[i].hi < size ? vp->ranges[i].hi : size - 1;
            if (dh_rowset_add_range(out, vp->ranges[i].lo, hi, &e) != DH_OK)
                return sub_oom(err);
        }
        return 0;
    }
    for (size_t i = vp->n; i-- > 0;) { /* the last range maps to the lowest positions */
        if (vp->ranges[i].lo >= size)
            continue;
        int64_t hi = vp->ranges[i].hi < size ? vp->ranges[i].hi : size - 1;
        if (dh_rowset_add_range(out, size - 1 - hi, size - 1 - vp->ranges[i].lo, &e) != DH_OK)
            return sub_oom(err);
    }
    return 0;
}

/* The rows of a not in b (into keys) and where they stand in a (into ranks), both
 * ascending and cleared first. */
static int rows_not_in(const struct dh_rowset *a, const struct dh_rowset *b, struct dh_rowset *keys,
                       struct dh_rowset *ranks, char *err)
{
    struct dh_error e;
    size_t j = 0;
    int64_t base = 0; /* rank of the current range's first row */
    dh_rowset_clear(keys);
    dh_rowset_clear(ranks);
    for (size_t i = 0; i < a->n; i++) {
        int64_t lo = a->ranges[i].lo, hi = a->ranges[i].hi, at = lo;
        while (at <= hi) {
            while (j < b->n && b->ranges[j].hi < at)
                j++;
            if (j < b->n && b->ranges[j].lo <= at) { /* at is in b: skip b's range */
                at = b->ranges[j].hi < hi ? b->ranges[j].hi + 1 : hi + 1;
                continue;
            }
            int64_t end = j < b->n && b->ranges[j].lo <= hi ? b->ranges[j].lo - 1 : hi;
            if (dh_rowset_add_range(keys, at, end, &e) != DH_OK ||
                dh_rowset_add_range(ranks, base + (at - lo), base + (end - lo), &e) != DH_OK)
                return sub_oom(err);
            at = end + 1;
        }
        base += hi - lo + 1;
    }
    return 0;
}

/* The step of a message now: ticking tables count in table size (monotonic, as the
 * snapshot encoder reports it); static ones report NULL_CLOCK_VALUE. */
static int64_t step_now(const struct demo_sub *s, int64_t size)
{
    return demo_object_is_static(s->live) ? -1 : size;
}

/* What one update says: its RowSets (added and removed as the client counts them,
 * included for full subscriptions' snapshots) and the table rows whose data follows. */
struct update {
    int is_snapshot;
    int64_t size;
    struct dh_rowset added, removed, rows;
    int has_included; /* full subscriptions: added_rows_included = rows */
};

static void update_init(struct update *u, int is_snapshot, int64_t size)
{
    memset(u, 0, sizeof *u);
    u->is_snapshot = is_snapshot;
    u->size = size;
    dh_rowset_init(&u->added);
    dh_rowset_init(&u->removed);
    dh_rowset_init(&u->rows);
}

static void update_reset(struct update *u)
{
    dh_rowset_reset(&u->added);
    dh_rowset_reset(&u->removed);
    dh_rowset_reset(&u->rows);
}

/* Send one update: its metadata, then the rows' batches. A snapshot also echoes the
 * viewport (none for full subscriptions) and the columns. */
static int send_update(struct demo_sub *s, const struct update *up, demo_emit_fn emit, void *ctx,
                       char *err)
{
    static const uint8_t empty_shifts[3] = {0x20, 0x20, 0x20}; /* three empty RowSets */
    struct dh_error e;
    uint8_t *vp = NULL, *added = NULL, *removed = NULL, *included = NULL, *meta = NULL;
    size_t vp_len = 0, added_len = 0, removed_len = 0, included_len = 0, meta_len = 0;
    int rc = 0;
    if ((up->is_snapshot && !s->full &&
         dh_rowset_encode(&s->viewport, &vp, &vp_len, &e) != DH_OK) ||
        dh_rowset_encode(&up->added, &added, &added_len, &e) != DH_OK ||
        dh_rowset_encode(&up->removed, &removed, &removed_len, &e) != DH_OK ||
        (up->has_included && dh_rowset_encode(&up->rows, &included, &included_len, &e) != DH_OK))
        rc = sub_oom(err);
    if (rc == 0) {
        struct dh_barrage_update u;
        memset(&u, 0, sizeof u);
        int64_t step = step_now(s, up->size);
        /* a snapshot is one step; an update covers the steps since the last message */
        u.first_seq = up->is_snapshot || step < 0 || s->seq >= step ? step : s->seq + 1;
        u.last_seq = step;
        u.is_snapshot = up->is_snapshot;
        u.effective_viewport = vp;
        u.effective_viewport_len = vp_len;
        u.effective_reverse_viewport = s->reverse;
        u.effective_column_set = up->is_snapshot ? s->cols : NULL;
        u.effective_column_set_len = up->is_snapshot ? s->cols_len : 0;
        u.added_rows = added;
        u.added_rows_len = added_len;
        u.removed_rows = removed;
        u.removed_rows_len = removed_len;
        if (s->full) { /* shifts go to full subscriptions only (there are none) */
            u.shift_data = empty_shifts;
            u.shift_data_len = sizeof empty_shifts;
        }
        u.added_rows_included = included;
        u.added_rows_included_len = included_len;
        u.has_table_size = 1; /* always set (docs/PROTOCOL.md) */
        u.table_size = up->size;
        if (dh_barrage_encode_update(&u, s->mods, s->ncols, &meta, &meta_len, &e) != DH_OK)
            rc = sub_oom(err);
        s->seq = step;
    }
    free(vp);
    free(added);
    free(removed);
    free(included);
    if (rc == 0) {
        s->size = up->size;
        rc = demo_barrage_send_rows(s->t, &up->rows, &s->opts, meta, meta_len, emit, ctx, err);
    }
    return rc;
}

/* A snapshot or a reordering: the client drops all it held (prev_len rows; a full
 * subscription names their keys) and receives every row it now holds. initial: the
 * subscription's first message. */
static int send_whole(struct demo_sub *s, int is_snapshot, int initial, int64_t prev_len,
                      demo_emit_fn emit, void *ctx, char *err)
{
    struct dh_error e;
    struct update up;
    int64_t size = demo_object_size(s->t);
    update_init(&up, is_snapshot, size);
    int rc = held_rows(s, size, &up.rows, err);
    if (rc == 0 && prev_len > 0 && dh_rowset_add_range(&up.removed, 0, prev_len - 1, &e) != DH_OK)
        rc = sub_oom(err);
    if (rc == 0 && !(s->full && is_snapshot && !initial) && up.rows.size > 0 &&
        dh_rowset_add_range(&up.added, 0, up.rows.size - 1, &e) != DH_OK)
        rc = sub_oom(err); /* a full subscription's later snapshot adds no keys */
    up.has_included = s->full && is_snapshot;
    if (rc == 0)
        rc = send_update(s, &up, emit, ctx, err);
    update_reset(&up);
    return rc;
}

int demo_sub_start(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err)
{
    if (demo_barrage_send_schema(s->t, emit, ctx, err) != 0)
        return -1;
    return send_whole(s, 1, 1, 0, emit, ctx, err);
}

int demo_sub_change(struct demo_sub *s, const struct demo_sub_request *q, demo_emit_fn emit,
                    void *ctx, char *err)
{
    if ((q->has_viewport == 0) != (s->full != 0)) /* BarrageMessageProducer.updateSubscription */
        return demo_fail(err, "INVALID_ARGUMENT: cannot change from full subscription to "
                              "viewport or vice versa");
    /* removed: every row held before (they are all sent again); a full subscription
     * keeps its rows and only receives the new columns' data */
    struct dh_rowset prev;
    dh_rowset_init(&prev);
    int rc = held_rows(s, s->size, &prev, err);
    int64_t prev_len = s->full ? 0 : prev.size;
    dh_rowset_reset(&prev);
    if (rc != 0 || set_view(s, q, err) != 0)
        return -1;
    s->reverse = q->has_viewport && q->reverse;
    return send_whole(s, 1, 0, prev_len, emit, ctx, err);
}

/* The table grew from s->size to size, its rows unchanged: the rows that left the
 * client's window are removed, those that joined it added (a forward viewport or a full
 * subscription only gains rows at its end). */
static int send_growth(struct demo_sub *s, int64_t size, demo_emit_fn emit, void *ctx, char *err)
{
    struct update up;
    struct dh_rowset before, after, scratch;
    dh_rowset_init(&before);
    dh_rowset_init(&after);
    dh_rowset_init(&scratch);
    update_init(&up, 0, size);
    int rc = held_rows(s, s->size, &before, err);
    if (rc == 0)
        rc = held_rows(s, size, &after, err);
    /* the client counts viewport rows by where they stand in its window, full ones by
     * key: for those the window is [0, size), so a row's rank is its key */
    if (rc == 0)
        rc = rows_not_in(&before, &after, &scratch, &up.removed, err);
    if (rc == 0)
        rc = rows_not_in(&after, &before, &up.rows, &up.added, err);
    if (rc == 0)
        rc = send_update(s, &up, emit, ctx, err);
    update_reset(&up);
    dh_rowset_reset(&before);
    dh_rowset_reset(&after);
    dh_rowset_reset(&scratch);
    return rc;
}

int demo_sub_tick(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err)
{
    const struct demo_object *now = demo_object_pin(s->live);
    if (now != s->t) { /* a live view derived again */
        const struct demo_object *old = s->t;
        int64_t old_size = s->size;
        s->t = now;
        int reordered = !demo_object_appends_only(s->live);
        demo_object_unref(old);
        if (reordered) { /* rows moved: every previous row removed, all re-sent */
            struct dh_rowset prev;
            dh_rowset_init(&prev);
            int rc = held_rows(s, old_size, &prev, err);
            int64_t prev_len = prev.size;
            dh_rowset_reset(&prev);
            /* a hierarchical view's update is a snapshot of the viewport, as
             * HierarchicalTableViewSubscription.buildAndSendSnapshot sends it */
            int snap = demo_object_is_hier_view(s->live);
            return rc != 0 ? -1 : send_whole(s, snap, 0, prev_len, emit, ctx, err);
        }
    } else {
        demo_object_unref(now);
    }
    int64_t size = demo_object_size(s->t);
    if (size == s->size)
        return 0;
    return send_growth(s, size, emit, ctx, err);
}
