/* SPDX-License-Identifier: MIT */
/* itest_epochs.c: session epochs and back-off in the asynchronous client
 * against the demo server. After every session expires (export ids restart),
 * rows asked for trades are trades' rows (names and values), an export of the
 * old session is refused rather than sent, and a live window comes back on
 * its own; with the server gone, the rows and live threads make few attempts
 * a second. Usage: itest_epochs PORT CONTROL_FIFO (the last test stops the
 * server). */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dh_client.h"
#include "itest_util.h"

static int g_port;
static const char *g_ctl;

static void ctl(const char *cmd)
{
    it_control(g_ctl, cmd);
}

/* The next event within timeout_ms, or NULL. Caller frees. */
static struct dh_event *next_event(struct dh_client *c, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    for (;;) {
        struct dh_event *ev = dh_client_next_event(c);
        if (ev)
            return ev;
        int64_t left = until - dh_now_ms();
        if (left <= 0)
            return NULL;
        struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
        poll(&p, 1, left > 100 ? 100 : (int)left);
    }
}

/* Wait for the event of request req (others are dropped). */
static struct dh_event *wait_req(struct dh_client *c, uint64_t req, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    for (int64_t left; (left = until - dh_now_ms()) > 0;) {
        struct dh_event *ev = next_event(c, (int)left);
        if (ev && ev->req == req)
            return ev;
        dh_event_free(ev);
    }
    return NULL;
}

/* Wait for the first successful rows event of req; retrying errors are
 * counted in *retries, a final error ends the wait (returned). */
static struct dh_event *wait_rows(struct dh_client *c, uint64_t req, int timeout_ms, int *retries)
{
    int64_t until = dh_now_ms() + timeout_ms;
    for (int64_t left; (left = until - dh_now_ms()) > 0;) {
        struct dh_event *ev = wait_req(c, req, (int)left);
        if (!ev || ev->ok || !ev->retrying)
            return ev;
        if (retries)
            (*retries)++;
        dh_event_free(ev);
    }
    return NULL;
}

static struct dh_client *open_client(void)
{
    return it_client_new(g_port, 60000);
}

/* The objects named in names[], copied from the first object list that has
 * them all. */
static int objects_named(struct dh_client *c, const char *const *names, size_t n,
                         struct dh_object *out)
{
    int64_t until = dh_now_ms() + 10000;
    for (int64_t left; (left = until - dh_now_ms()) > 0;) {
        struct dh_event *ev = next_event(c, (int)left);
        size_t found = 0;
        for (size_t i = 0; ev && ev->kind == DH_EV_OBJECTS && i < n; i++)
            found += dh_object_list_find(ev->objects, names[i]) != NULL;
        if (found == n) {
            for (size_t i = 0; i < n; i++)
                dh_object_copy(&out[i], dh_object_list_find(ev->objects, names[i]));
            dh_event_free(ev);
            return DH_OK;
        }
        dh_event_free(ev);
    }
    return DH_ETIMEOUT;
}

/* Open an object (ExportFromTicket + table info); the fetched result, or NULL. */
static struct dh_event *open_object(struct dh_client *c, const struct dh_object *o)
{
    struct dh_event *ev = wait_req(c, dh_client_open(c, o), 10000);
    if (ev && (ev->kind != DH_EV_FETCHED || !ev->ok)) {
        fprintf(stderr, "  open %s: %s\n", o->name, ev->err.msg);
        dh_event_free(ev);
        return NULL;
    }
    return ev;
}

/* Wait until the client is connected on a session newer than epoch. */
static int wait_new_epoch(struct dh_client *c, uint64_t epoch, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_now_ms() < until) {
        if (dh_client_epoch(c) > epoch && dh_client_session_age_ms(c) >= 0)
            return 1; /* a session of a later epoch is up (not just the old one dropped) */
        dh_event_free(next_event(c, 50));
    }
    return 0;
}

/* Same column names, in order. */
static int same_names(const struct dh_rows *a, const struct dh_rows *b)
{
    if (a->schema.n_fields != b->schema.n_fields)
        return 0;
    for (size_t i = 0; i < a->schema.n_fields; i++)
        if (strcmp(a->schema.fields[i].name, b->schema.fields[i].name) != 0)
            return 0;
    return 1;
}

/* Every session ends; wide is opened first in the new one, so it takes the
 * export id trades had. Rows asked for trades must still be trades' rows. */
static void test_rows_follow_source_across_sessions(void)
{
    struct dh_client *c = open_client();
    CHECK_REQ(c != NULL);
    const char *const names[] = {"trades", "wide"};
    struct dh_object obj[2];
    CHECK_REQ(objects_named(c, names, 2, obj) == DH_OK);
    struct dh_event *ev = open_object(c, &obj[0]);
    CHECK_REQ(ev != NULL);
    struct dh_source trades = ev->fetched->rows_source;
    struct dh_source trades_old_export = {ev->fetched->export_ticket, ev->fetched->epoch};
    CHECK(dh_source_durable(&trades));
    dh_event_free(ev);
    ev = open_object(c, &obj[1]);
    CHECK_REQ(ev != NULL);
    size_t wide_columns = ev->fetched->table.schema.n_fields;
    dh_event_free(ev);

    struct dh_event *before = wait_rows(c, dh_client_rows(c, &trades, 1000, 20), 10000, NULL);
    CHECK_REQ(before && before->ok);
    CHECK(before->rows->schema.n_fields != wide_columns);
    uint64_t epoch0 = dh_client_epoch(c);

    ctl("expire-all");
    CHECK_REQ(wait_new_epoch(c, epoch0, 15000));
    ev = open_object(c, &obj[1]); /* wide first: it gets the id trades had */
    CHECK_REQ(ev != NULL);
    dh_event_free(ev);

    int retries = 0;
    struct dh_event *after = wait_rows(c, dh_client_rows(c, &trades, 1000, 20), 15000, &retries);
    CHECK_REQ(after && after->ok);
    CHECK(after->epoch > epoch0);
    CHECK(same_names(after->rows, before->rows));
    CHECK_INT(after->rows->batch.length, before->rows->batch.length);
    CHECK_INT(it_compare_cells(after->rows, before->rows, 0, NULL), 0);
    printf("trades after the renewal: %zu columns, same names and values as before (%d retries)\n",
           after->rows->schema.n_fields, retries);

    /* The old session's export of trades names something else now: refused, never sent. */
    ev = wait_rows(c, dh_client_rows(c, &trades_old_export, 0, 5), 10000, NULL);
    CHECK_REQ(ev != NULL);
    CHECK(!ev->ok && ev->source_gone && !ev->retrying);
    CHECK(strstr(ev->err.msg, "earlier session") != NULL);
    dh_event_free(ev);

    /* Publishing it is refused the same way. */
    ev = wait_req(c, dh_client_publish_source(c, &trades_old_export, "trades", "Table"), 10000);
    CHECK_REQ(ev != NULL);
    CHECK(!ev->ok && strstr(ev->err.msg, "earlier session") != NULL);
    dh_event_free(ev);

    dh_event_free(before);
    dh_event_free(after);
    dh_object_reset(&obj[0]);
    dh_object_reset(&obj[1]);
    dh_client_free(c);
}

/* A live window on quotes resumes by itself after every session expires:
 * rows of the new epoch arrive without being asked for again. */
static void test_live_window_resumes(void)
{
    struct dh_client *c = open_client();
    CHECK_REQ(c != NULL);
    const char *const names[] = {"quotes"};
    struct dh_object quotes;
    CHECK_REQ(objects_named(c, names, 1, &quotes) == DH_OK);
    struct dh_event *ev = open_object(c, &quotes);
    CHECK_REQ(ev != NULL);
    struct dh_source src = ev->fetched->rows_source;
    int64_t size0 = ev->fetched->table.size;
    dh_event_free(ev);
    uint64_t req = dh_client_watch_rows(c, &src, size0 > 5 ? size0 - 5 : 0, 50);
    ev = wait_rows(c, req, 10000, NULL);
    CHECK_REQ(ev && ev->ok);
    dh_event_free(ev);
    uint64_t epoch0 = dh_client_epoch(c);

    ctl("expire-all");
    int64_t t0 = dh_now_ms();
    int stale_said = 0, resumed = 0;
    while (!resumed && dh_now_ms() - t0 < 20000) {
        ev = wait_req(c, req, 20000);
        if (!ev)
            break;
        if (!ev->ok)
            stale_said += ev->retrying;
        else if (ev->epoch > epoch0)
            resumed = 1;
        dh_event_free(ev);
    }
    CHECK(resumed);
    CHECK(stale_said >= 1); /* the end of the old subscription was told, not silent */
    printf("live window resumed in the new session after %lld ms\n", (long long)(dh_now_ms() - t0));
    /* And keeps ticking there. */
    ev = wait_rows(c, req, 5000, NULL);
    CHECK(ev && ev->ok && ev->epoch > epoch0);
    dh_event_free(ev);
    dh_client_cancel(c, req);
    dh_object_reset(&quotes);
    dh_client_free(c);
}

/* The server goes away: a pending rows window and a live window are retried
 * with back-off, not in a loop. Stops the server. */
static void test_no_storm_without_server(void)
{
    struct dh_client *c = open_client();
    CHECK_REQ(c != NULL);
    const char *const names[] = {"trades", "quotes"};
    struct dh_object obj[2];
    CHECK_REQ(objects_named(c, names, 2, obj) == DH_OK);
    struct dh_event *ev = open_object(c, &obj[0]);
    CHECK_REQ(ev != NULL);
    struct dh_source trades = ev->fetched->rows_source;
    dh_event_free(ev);
    ev = open_object(c, &obj[1]);
    CHECK_REQ(ev != NULL);
    struct dh_source quotes = ev->fetched->rows_source;
    dh_event_free(ev);
    uint64_t live = dh_client_watch_rows(c, &quotes, 0, 20);
    ev = wait_rows(c, live, 10000, NULL);
    CHECK_REQ(ev && ev->ok);
    dh_event_free(ev);

    ctl("quit");
    it_sleep_ms(300);
    struct dh_client_stats s0, s1;
    dh_client_get_stats(c, &s0);
    uint64_t req = dh_client_rows(c, &trades, 5000, 50);
    int retrying = 0, final = 0;
    int64_t t0 = dh_now_ms();
    while (dh_now_ms() - t0 < 4000) {
        ev = next_event(c, 100);
        if (ev && ev->kind == DH_EV_ROWS && ev->req == req && !ev->ok)
            *(ev->retrying ? &retrying : &final) += 1;
        dh_event_free(ev);
    }
    dh_client_get_stats(c, &s1);
    double secs = (double)(dh_now_ms() - t0) / 1000.0;
    uint64_t rows_n = s1.rows_attempts - s0.rows_attempts;
    uint64_t live_n = s1.live_attempts - s0.live_attempts;
    printf("server gone for %.1f s: %llu rows attempts, %llu live attempts (%.1f a second)\n", secs,
           (unsigned long long)rows_n, (unsigned long long)live_n,
           (double)(rows_n + live_n) / secs);
    CHECK(rows_n <= 12); /* back-off 250 ms doubling: at most ~6 in 4 s; a loop makes thousands */
    CHECK(live_n <= 12);
    CHECK_INT(final, 0); /* the window stays wanted: it is retried, not dropped */
    CHECK(retrying <= 12);
    dh_object_reset(&obj[0]);
    dh_object_reset(&obj[1]);
    dh_client_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: itest_epochs PORT CONTROL_FIFO\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    g_ctl = argv[2];
    CHECK_RUN(T(test_rows_follow_source_across_sessions), T(test_live_window_resumes),
              T(test_no_storm_without_server));
}
