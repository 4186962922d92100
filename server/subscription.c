/* SPDX-License-Identifier: MIT */
/* subscription.c: live Barrage viewport subscriptions (BarrageMessageProducer's viewport
 * path and BarrageMessageWriterImpl.getSubscriptionMetadata, docs/PROTOCOL.md, Barrage).
 *
 * Catalogue tables, and filters of them, only grow at the end and never change existing
 * rows, so a viewport's contents (its positions below the table size, in order) only
 * ever gain rows at their end: an update is "added positions [L0, L1)" plus the new
 * table_size. A sorted live view (catalog.h) reorders as its source grows: its update
 * removes every previous position of the viewport and adds the new contents whole.
 * There are never shifted or modified rows. Full-table subscriptions and reverse
 * viewports are refused with UNIMPLEMENTED: the demo serves forward viewports only. */
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

/* Refuse what the demo does not serve (see the file comment). */
static int check_supported(const struct demo_sub_request *q, char *err)
{
    if (!q->has_viewport)
        return demo_fail(err, "UNIMPLEMENTED: dhtui demo server: full-table subscriptions are "
                              "not supported; subscribe with a viewport");
    if (q->reverse)
        return demo_fail(err, "UNIMPLEMENTED: dhtui demo server: reverse viewports are not "
                              "supported; subscribe with a forward viewport");
    return 0;
}

struct demo_sub *demo_sub_new(const struct demo_object *t, const struct demo_sub_request *q,
                              char *err)
{
    if (!t || !demo_object_is_table(t)) {
        demo_fail(err, "FAILED_PRECONDITION: Ticket is not a subscribable table.");
        return NULL;
    }
    if (check_supported(q, err) != 0)
        return NULL;
    struct demo_sub *s = calloc(1, sizeof *s);
    if (!s) {
        sub_oom(err);
        return NULL;
    }
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

/* How many viewport positions lie below size (the contents' length). */
static int64_t contents_len(const struct dh_rowset *vp, int64_t size)
{
    int64_t n = 0;
    for (size_t i = 0; i < vp->n && vp->ranges[i].lo < size; i++) {
        int64_t hi = vp->ranges[i].hi < size ? vp->ranges[i].hi : size - 1;
        n += hi - vp->ranges[i].lo + 1;
    }
    return n;
}

/* The table positions of contents positions [from, to) into out (cleared first). */
static int contents_rows(const struct dh_rowset *vp, int64_t from, int64_t to,
                         struct dh_rowset *out, char *err)
{
    struct dh_error e;
    int64_t at = 0; /* contents position of the current range's first row */
    dh_rowset_clear(out);
    for (size_t i = 0; i < vp->n && at < to; i++) {
        /* only the first to - at rows of a range matter (and hi may be near INT64_MAX) */
        int64_t lo = vp->ranges[i].lo, span = vp->ranges[i].hi - lo;
        int64_t len = span < to - at ? span + 1 : to - at;
        int64_t a = from > at ? from - at : 0, b = to - at < len ? to - at : len;
        if (a < b && dh_rowset_add_range(out, lo + a, lo + b - 1, &e) != DH_OK)
            return sub_oom(err);
        at += len;
    }
    return 0;
}

/* The step of a message now: ticking tables count in table size (monotonic, as the
 * snapshot encoder reports it); static ones report NULL_CLOCK_VALUE. */
static int64_t step_now(const struct demo_sub *s, int64_t size)
{
    return demo_object_is_static(s->live) ? -1 : size;
}

/* One update message: metadata (positions [removed_to) removed, [add_from, add_to)
 * added), then the added rows' batches. A snapshot also echoes viewport and columns. */
static int send_update(struct demo_sub *s, int is_snapshot, int64_t size, int64_t removed_to,
                       int64_t add_from, int64_t add_to, demo_emit_fn emit, void *ctx, char *err)
{
    struct dh_error e;
    struct dh_rowset rows;
    uint8_t *vp = NULL, *added = NULL, *removed = NULL, *meta = NULL;
    size_t vp_len = 0, added_len = 0, removed_len = 0, meta_len = 0;
    int rc = 0;
    dh_rowset_init(&rows);
    if ((is_snapshot && dh_rowset_encode(&s->viewport, &vp, &vp_len, &e) != DH_OK) ||
        dh_rowset_encode_range(add_from, add_to - 1, &added, &added_len, &e) != DH_OK ||
        dh_rowset_encode_range(0, removed_to - 1, &removed, &removed_len, &e) != DH_OK)
        rc = sub_oom(err);
    if (rc == 0)
        rc = contents_rows(&s->viewport, add_from, add_to, &rows, err);
    if (rc == 0) {
        struct dh_barrage_update u;
        memset(&u, 0, sizeof u);
        int64_t step = step_now(s, size);
        /* a snapshot is one step; an update covers the steps since the last message */
        u.first_seq = is_snapshot || step < 0 || s->seq >= step ? step : s->seq + 1;
        u.last_seq = step;
        u.is_snapshot = is_snapshot;
        u.effective_viewport = vp;
        u.effective_viewport_len = vp_len;
        u.effective_column_set = is_snapshot ? s->cols : NULL;
        u.effective_column_set_len = is_snapshot ? s->cols_len : 0;
        u.added_rows = added; /* viewport positions, no added_rows_included */
        u.added_rows_len = added_len;
        u.removed_rows = removed;
        u.removed_rows_len = removed_len;
        u.has_table_size = 1; /* always set for viewports (docs/PROTOCOL.md); no shift data */
        u.table_size = size;
        if (dh_barrage_encode_update(&u, s->mods, s->ncols, &meta, &meta_len, &e) != DH_OK)
            rc = sub_oom(err);
        s->seq = step;
    }
    free(vp);
    free(added);
    free(removed);
    if (rc == 0) {
        s->size = size;
        rc = demo_barrage_send_rows(s->t, &rows, &s->opts, meta, meta_len, emit, ctx, err);
    }
    dh_rowset_reset(&rows);
    return rc;
}

int demo_sub_start(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err)
{
    int64_t size = demo_object_size(s->t);
    if (demo_barrage_send_schema(s->t, emit, ctx, err) != 0)
        return -1;
    return send_update(s, 1, size, 0, 0, contents_len(&s->viewport, size), emit, ctx, err);
}

int demo_sub_change(struct demo_sub *s, const struct demo_sub_request *q, demo_emit_fn emit,
                    void *ctx, char *err)
{
    if (!q->has_viewport) /* BarrageMessageProducer.updateSubscription */
        return demo_fail(err, "INVALID_ARGUMENT: cannot change from full subscription to "
                              "viewport or vice versa");
    if (check_supported(q, err) != 0)
        return -1;
    /* removed: every position of the previous contents (they are all re-sent) */
    int64_t old_len = contents_len(&s->viewport, s->size);
    if (set_view(s, q, err) != 0)
        return -1;
    int64_t size = demo_object_size(s->t);
    return send_update(s, 1, size, old_len, 0, contents_len(&s->viewport, size), emit, ctx, err);
}

int demo_sub_tick(struct demo_sub *s, demo_emit_fn emit, void *ctx, char *err)
{
    const struct demo_object *now = demo_object_pin(s->live);
    if (now != s->t) { /* a live view derived again */
        const struct demo_object *old = s->t;
        s->t = now;
        int reordered = !demo_object_appends_only(s->live);
        demo_object_unref(old);
        if (reordered) { /* rows moved: every previous position removed, all re-sent */
            int64_t size = demo_object_size(now);
            return send_update(s, 0, size, contents_len(&s->viewport, s->size), 0,
                               contents_len(&s->viewport, size), emit, ctx, err);
        }
    } else {
        demo_object_unref(now);
    }
    int64_t size = demo_object_size(s->t);
    if (size == s->size)
        return 0;
    int64_t from = contents_len(&s->viewport, s->size), to = contents_len(&s->viewport, size);
    return send_update(s, 0, size, 0, from, to, emit, ctx, err);
}
