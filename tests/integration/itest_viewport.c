/* SPDX-License-Identifier: MIT */
/* itest_viewport: a ticking table scrolled through the asynchronous client
 * keeps one Barrage subscription and moves its viewport on the open stream
 * (dh_client_watch_rows). The demo server's control channel counts the
 * DoExchange streams (`exchanges`); every window that arrives is the one
 * asked for, cell for cell against a snapshot of the same positions.
 * Prints the streams opened and the time per viewport change.
 * Run by test_viewport.sh:  itest_viewport PORT CONTROL_FIFO SERVER_OUT */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_subscription.h"
#include "itest_util.h"

static int g_port;
static const char *g_ctl, *g_out;
static struct dh_session *g_sess; /* reads the reference snapshots */

struct counts {
    uint64_t exchanges, subscriptions, changes;
};

/* The server's `exchanges` reply: 0, or -1 when none came within 5 s. */
static int read_counts(struct counts *n)
{
    struct stat sb;
    if (stat(g_out, &sb) != 0)
        return -1;
    off_t start = sb.st_size;
    it_control(g_ctl, "exchanges");
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(g_out, "r");
        if (f && fseeko(f, start, SEEK_SET) == 0) {
            char line[256];
            while (fgets(line, sizeof line, f)) {
                if (sscanf(line, "exchanges=%" SCNu64 " subscriptions=%" SCNu64 " changes=%" SCNu64,
                           &n->exchanges, &n->subscriptions, &n->changes) == 3) {
                    fclose(f);
                    return 0;
                }
            }
        }
        if (f)
            fclose(f);
        it_sleep_ms(50);
    }
    return -1;
}

/* The next rows event of the client (others dropped), or NULL after timeout_ms. */
static struct dh_event *next_rows(struct dh_client *c, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_now_ms() < until) {
        struct dh_event *ev;
        while ((ev = dh_client_next_event(c))) {
            if (ev->kind == DH_EV_ROWS)
                return ev;
            dh_event_free(ev);
        }
        struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
        poll(&p, 1, 50);
    }
    return NULL;
}

/* Wait for the object list to show `name` and copy that object. */
static int object_named(struct dh_client *c, const char *name, struct dh_object *out)
{
    int64_t until = dh_now_ms() + 10000;
    while (dh_now_ms() < until) {
        struct dh_event *ev = dh_client_next_event(c);
        if (!ev) {
            struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
            poll(&p, 1, 50);
            continue;
        }
        const struct dh_object *o =
            ev->kind == DH_EV_OBJECTS ? dh_object_list_find(ev->objects, name) : NULL;
        int rc = o ? dh_object_copy(out, o) : DH_EINVAL;
        dh_event_free(ev);
        if (o)
            return rc;
    }
    return DH_ETIMEOUT;
}

/* Cells of window w that differ from a snapshot of the same positions, or -1. */
static long differ_from_snapshot(const struct dh_ticket *t, const struct dh_rows *w)
{
    struct dh_rows snap;
    memset(&snap, 0, sizeof snap);
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_table_snapshot(g_sess, t, w->first, w->batch.length, NULL, &snap, NULL, &err) != DH_OK) {
        fprintf(stderr, "  snapshot: %s\n", err.msg);
        return -1;
    }
    long bad = snap.batch.length == w->batch.length ? it_compare_cells(w, &snap, 0, NULL) : -1;
    dh_rows_reset(&snap);
    return bad;
}

/* A window of the request being waited for: where it starts, how long it is. */
static int window_ok(const struct dh_rows *r, int64_t first, int64_t count)
{
    int64_t want = r->table_size - first < count ? r->table_size - first : count;
    if (r->first == first && r->batch.length == (want > 0 ? want : 0))
        return 1;
    fprintf(stderr, "  window: asked %lld+%lld, got %lld+%lld of %lld\n", (long long)first,
            (long long)count, (long long)r->first, (long long)r->batch.length,
            (long long)r->table_size);
    return 0;
}

/* Wait for the rows of request req; events of earlier requests are skipped
 * (they may still be queued). NULL on timeout or failure. */
static struct dh_event *rows_of(struct dh_client *c, uint64_t req)
{
    for (;;) {
        struct dh_event *ev = next_rows(c, 10000);
        if (!ev || ev->req == req) {
            if (ev && !ev->ok)
                fprintf(stderr, "  rows: %s\n", ev->err.msg);
            return ev && ev->ok ? ev : (dh_event_free(ev), NULL);
        }
        CHECK(ev->req < req); /* never a request not yet made */
        dh_event_free(ev);
    }
}

/* The window at `first` without column `hidden` (of n): its rows carry every
 * other column, that one without values, and match a snapshot elsewhere. */
static void check_hidden(const struct dh_rows *r, const struct dh_ticket *ref, size_t hidden)
{
    uint8_t mask[DH_WINDOW_MAX_COLUMNS / 8];
    memset(mask, 0xff, sizeof mask);
    mask[hidden / 8] &= (uint8_t) ~(1u << (hidden % 8));
    CHECK_REQ(r->schema.n_fields > hidden);
    CHECK_INT(r->batch.columns[hidden].length, 0);
    for (size_t f = 0; f < r->schema.n_fields; f++)
        if (f != hidden)
            CHECK_INT(r->batch.columns[f].length, r->batch.length);
    struct dh_rows snap;
    memset(&snap, 0, sizeof snap);
    struct dh_error err;
    dh_error_clear(&err);
    CHECK_REQ(dh_table_snapshot(g_sess, ref, r->first, r->batch.length, NULL, &snap, NULL, &err) ==
              DH_OK);
    CHECK_INT(it_compare_cells(r, &snap, 0, mask), 0);
    dh_rows_reset(&snap);
}

/* On the open subscription: hide column 1 (Sym), then follow the end
 * of the table (a reverse viewport of the last `count` rows) while it grows.
 * Counts the reference snapshots taken (each is one more DoExchange). */
static void hide_and_reverse(struct dh_client *c, const struct dh_source *src,
                             const struct dh_ticket *ref, int64_t count, int *snapshots)
{
    struct dh_window w = dh_window_of(40, count);
    w.n_columns = 6; /* quotes: Timestamp, Sym, Bid, Ask, BidSize, AskSize; all but Sym */
    w.cols[0] = 0x3f & (uint8_t)~0x02u;
    uint64_t req = dh_client_watch_window(c, src, &w);
    struct dh_event *ev = rows_of(c, req);
    CHECK_REQ(ev != NULL);
    CHECK_REQ(ev->rows->schema.n_fields == 6);
    CHECK(window_ok(ev->rows, 40, count));
    check_hidden(ev->rows, ref, 1);
    dh_event_free(ev);
    /* A later update keeps the same columns. */
    ev = next_rows(c, 5000);
    CHECK_REQ(ev && ev->ok && ev->req == req);
    CHECK_INT(ev->rows->batch.columns[1].length, 0);
    dh_event_free(ev);

    struct dh_window end = dh_window_of(0, count);
    end.reverse = 1;
    req = dh_client_watch_window(c, src, &end);
    ev = rows_of(c, req);
    CHECK_REQ(ev != NULL);
    const struct dh_rows *r = ev->rows;
    CHECK_INT(r->batch.length, count);
    CHECK_INT(r->first, r->table_size - count);
    for (size_t f = 0; f < r->schema.n_fields; f++)
        CHECK_INT(r->batch.columns[f].length, count);
    CHECK_INT(differ_from_snapshot(ref, r), 0);
    int64_t size = r->table_size;
    dh_event_free(ev);
    /* As the table grows the window stays at its end without another request. */
    for (int i = 0; i < 3; i++) {
        ev = next_rows(c, 5000);
        CHECK_REQ(ev && ev->ok && ev->req == req);
        CHECK(ev->rows->table_size >= size);
        CHECK_INT(ev->rows->first, ev->rows->table_size - count);
        CHECK_INT(ev->rows->batch.length, count);
        size = ev->rows->table_size;
        if (i == 2)
            CHECK_INT(differ_from_snapshot(ref, ev->rows), 0);
        dh_event_free(ev);
    }
    *snapshots += 3; /* check_hidden and two differ_from_snapshot */
}

/* Scroll the quotes table 100 times: step by step (each window waited for
 * and checked), then in a burst (only the last one waited for). */
static void test_scroll_one_stream(void)
{
    struct dh_client *c = it_client_new(g_port, 300);
    CHECK_REQ(c != NULL);
    struct dh_object quotes;
    CHECK_REQ(object_named(c, "quotes", &quotes) == DH_OK);
    uint64_t req = dh_client_open(c, &quotes);
    struct dh_event *ev = NULL;
    for (int64_t until = dh_now_ms() + 10000; dh_now_ms() < until;) {
        ev = dh_client_next_event(c);
        if (ev && ev->req == req)
            break;
        dh_event_free(ev);
        ev = NULL;
        it_sleep_ms(20);
    }
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED && ev->ok);
    struct dh_source src = ev->fetched->rows_source;
    dh_event_free(ev);
    struct dh_ticket ref; /* the same table in the reference session */
    CHECK_REQ(it_export_app(g_sess, "quotes", &ref) == DH_OK);

    struct counts before, after;
    CHECK_REQ(read_counts(&before) == 0);
    const int64_t count = 30;
    req = dh_client_watch_rows(c, &src, 0, count);
    ev = rows_of(c, req);
    CHECK_REQ(ev != NULL);
    CHECK(window_ok(ev->rows, 0, count));
    int64_t size = ev->rows->table_size;
    dh_event_free(ev);
    while (size < 3 * count) { /* quotes grows by 40 rows a second */
        ev = next_rows(c, 5000);
        CHECK_REQ(ev && ev->ok && ev->req == req);
        size = ev->rows->table_size;
        dh_event_free(ev);
    }

    /* Step by step: each window arrives whole, is the one asked for and
     * matches a snapshot. */
    int64_t total_ms = 0, worst_ms = 0;
    const int steps = 50;
    int snapshots = 0;
    for (int i = 1; i <= steps; i++) {
        int64_t first = (int64_t)i * 37 % (size - count);
        int64_t t0 = dh_now_ms();
        req = dh_client_watch_rows(c, &src, first, count);
        ev = rows_of(c, req);
        CHECK_REQ(ev != NULL);
        int64_t ms = dh_now_ms() - t0;
        total_ms += ms;
        worst_ms = ms > worst_ms ? ms : worst_ms;
        CHECK(window_ok(ev->rows, first, count));
        if (i % 10 == 0) {
            CHECK_INT(differ_from_snapshot(&ref, ev->rows), 0);
            snapshots++;
        }
        dh_event_free(ev);
    }
    /* A burst: only the last window is waited for; none of the others may
     * show up under its request id. */
    int64_t first = 0;
    for (int i = 1; i <= 50; i++) {
        first = (int64_t)i * 53 % (size - count);
        req = dh_client_watch_rows(c, &src, first, count);
    }
    ev = rows_of(c, req);
    CHECK_REQ(ev != NULL);
    CHECK(window_ok(ev->rows, first, count));
    CHECK_INT(differ_from_snapshot(&ref, ev->rows), 0);
    snapshots++;
    dh_event_free(ev);
    /* Later updates of the window keep its place and contents. */
    for (int i = 0; i < 3; i++) {
        ev = next_rows(c, 5000);
        CHECK_REQ(ev && ev->ok && ev->req == req);
        CHECK(window_ok(ev->rows, first, count));
        dh_event_free(ev);
    }

    /* Hiding a column and following the end of the table (a reverse
     * viewport) are requests on the same stream too. */
    hide_and_reverse(c, &src, &ref, count, &snapshots);

    CHECK_REQ(read_counts(&after) == 0);
    struct dh_client_stats st;
    dh_client_get_stats(c, &st);
    uint64_t subs = after.subscriptions - before.subscriptions;
    uint64_t streams = after.exchanges - before.exchanges - (uint64_t)snapshots;
    uint64_t changes = after.changes - before.changes;
    printf("  100 scrolls: %" PRIu64 " stream(s) opened, %" PRIu64
           " viewport change(s) sent (the burst coalesces), %" PRIu64
           " subscription attempt(s); a change waited for: %.1f ms on average, %lld ms at most\n",
           streams, changes, st.live_attempts, (double)total_ms / steps, (long long)worst_ms);
    CHECK_INT(subs, 1);
    CHECK_INT(streams, 1);
    CHECK_INT(st.live_attempts, 1);
    CHECK(changes >= (uint64_t)steps + 2 && changes <= 102);
    CHECK_INT(st.live_changes, changes);

    dh_client_cancel(c, req);
    dh_object_reset(&quotes);
    dh_client_free(c);
}

/* A window cancelled (its view went off screen) and at once asked for again
 * elsewhere: the cancelled subscription is never moved, the new window comes
 * on a new one, and no error shows in between. */
static void test_cancel_then_move(void)
{
    struct dh_client *c = it_client_new(g_port, 300);
    CHECK_REQ(c != NULL);
    struct dh_object quotes;
    CHECK_REQ(object_named(c, "quotes", &quotes) == DH_OK);
    uint64_t req = dh_client_open(c, &quotes);
    struct dh_event *ev = NULL;
    for (int64_t until = dh_now_ms() + 10000; dh_now_ms() < until;) {
        ev = dh_client_next_event(c);
        if (ev && ev->req == req)
            break;
        dh_event_free(ev);
        ev = NULL;
        it_sleep_ms(20);
    }
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED && ev->ok);
    struct dh_source src = ev->fetched->rows_source;
    dh_event_free(ev);
    req = dh_client_watch_rows(c, &src, 0, 20);
    ev = rows_of(c, req);
    CHECK_REQ(ev != NULL);
    dh_event_free(ev);
    int errors = 0;
    for (int i = 1; i <= 20; i++) {
        dh_client_cancel(c, req);
        int64_t first = i % 2 ? 10 : 0;
        req = dh_client_watch_rows(c, &src, first, 20);
        for (;;) {
            ev = next_rows(c, 10000);
            CHECK_REQ(ev != NULL);
            if (ev->req == req && !ev->ok)
                fprintf(stderr, "  move %d: %s%s\n", i, ev->err.msg,
                        ev->retrying ? " (retrying)" : "");
            errors += ev->req == req && !ev->ok;
            int done = ev->req == req && ev->ok;
            if (done)
                CHECK(window_ok(ev->rows, first, 20));
            dh_event_free(ev);
            if (done)
                break;
        }
    }
    CHECK_INT(errors, 0);
    dh_client_cancel(c, req);
    dh_object_reset(&quotes);
    dh_client_free(c);
}

/* The list lengths of column 2 (Items) of a biglists window, into len[0..n). */
static int list_lengths(const struct dh_rows *r, int64_t *len, int64_t n)
{
    if (r->schema.n_fields != 3 || r->batch.length != n)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t start;
        if (dh_column_list_range(&r->batch.columns[2], i, &start, &len[i]) != DH_OK)
            return -1;
        for (int64_t k = 0; k < len[i]; k++) /* element k is k */
            if (dh_column_get_i64(r->batch.columns[2].child, start + k) != k)
                return -1;
    }
    return 0;
}

/* A table whose row 2 holds a list larger than the message limit (1 MiB
 * here; 128 MiB in dhtui): a window without previewListLengthLimit fails,
 * with it every list arrives cut to the limit and the page works; row 1 (1,500
 * elements) reads whole on its own, row 2 fails alone with a clear error. */
static void test_list_limit(void)
{
    it_control(g_ctl, "add itest_big biglists");
    struct dh_connect_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = g_port;
    o.max_message_bytes = 1 << 20;
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_session *s = dh_session_connect(&o, &err);
    CHECK_REQ(s != NULL);
    struct dh_ticket t;
    CHECK_REQ(dh_ticket_make_scope(&t, "itest_big", &err) == DH_OK);
    struct dh_rows r;
    memset(&r, 0, sizeof r);
    int rc = DH_EINVAL;
    for (int i = 0; i < 40 && rc != DH_OK; i++) { /* the control command takes a moment */
        rc = dh_table_snapshot_limited(s, &t, 0, 1, NULL, 0, &r, NULL, &err);
        if (rc != DH_OK)
            it_sleep_ms(50);
    }
    CHECK_REQ(rc == DH_OK);

    /* Whole lists: row 2 alone is over the limit, so the page fails. */
    rc = dh_table_snapshot_limited(s, &t, 0, 5, NULL, 0, &r, NULL, &err);
    printf("  a page with whole lists: %s\n", rc == DH_OK ? "read" : err.msg);
    CHECK(rc != DH_OK);
    CHECK(strstr(err.msg, "RESOURCE_EXHAUSTED") != NULL || strstr(err.msg, "larger") != NULL);

    /* Cut to 1,001 elements: the page reads, each list its first elements. */
    rc = dh_table_snapshot_limited(s, &t, 0, 5, NULL, DH_TABLE_LIST_PREVIEW + 1, &r, NULL, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  cut page: %s\n", err.msg);
    CHECK_REQ(rc == DH_OK);
    int64_t len[5];
    CHECK_REQ(list_lengths(&r, len, 5) == 0);
    CHECK_INT(len[0], 3);
    CHECK_INT(len[1], DH_TABLE_LIST_PREVIEW + 1);
    CHECK_INT(len[2], DH_TABLE_LIST_PREVIEW + 1);
    CHECK_INT(len[3], 0);
    CHECK_INT(len[4], 2);
    CHECK_INT(dh_column_get_i64(&r.batch.columns[1], 2), 400000); /* Length says the truth */

    /* A subscription asks for the same cut. */
    struct dh_subscription *sub =
        dh_subscription_open(s, &t, 0, 5, 0, DH_TABLE_LIST_PREVIEW + 1, &err);
    CHECK_REQ(sub != NULL);
    rc = dh_subscription_next(sub, &r, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  subscription: %s\n", err.msg);
    CHECK_REQ(rc == DH_OK);
    CHECK_REQ(list_lengths(&r, len, 5) == 0);
    CHECK_INT(len[1], DH_TABLE_LIST_PREVIEW + 1);
    CHECK_INT(len[2], DH_TABLE_LIST_PREVIEW + 1);
    dh_subscription_free(sub);

    /* One row whole: row 1 reads, row 2 is over the limit on its own. */
    CHECK_REQ(dh_table_snapshot_limited(s, &t, 1, 1, NULL, 0, &r, NULL, &err) == DH_OK);
    CHECK_REQ(list_lengths(&r, len, 1) == 0);
    CHECK_INT(len[0], 1500);
    rc = dh_table_snapshot_limited(s, &t, 2, 1, NULL, 0, &r, NULL, &err);
    CHECK(rc != DH_OK);
    printf("  row 2 whole: %s\n", rc == DH_OK ? "read" : err.msg);
    dh_rows_reset(&r);
    dh_session_free(s);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: itest_viewport PORT CONTROL_FIFO SERVER_OUT\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    g_ctl = argv[2];
    g_out = argv[3];
    g_sess = it_connect(g_port);
    if (!g_sess)
        return 1;
    CHECK_RUN(T(test_scroll_one_stream), T(test_cancel_then_move), T(test_list_limit));
}
