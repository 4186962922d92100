/* SPDX-License-Identifier: MIT */
/* itest_client.c: the asynchronous client (dh_client) against the demo server:
 * live object list, publish, fetch, rows, release, and recovery when the
 * server expires the session. Usage: itest_client PORT CONTROL_FIFO */
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

static int objects_with(const struct dh_event *ev, void *arg)
{
    const char *name = arg;
    return ev->kind == DH_EV_OBJECTS && dh_object_list_find(ev->objects, name) != NULL;
}

static int objects_without(const struct dh_event *ev, void *arg)
{
    return ev->kind == DH_EV_OBJECTS && dh_object_list_find(ev->objects, arg) == NULL;
}

static int is_req(const struct dh_event *ev, void *arg)
{
    return ev->req == *(uint64_t *)arg;
}

static int conn_is(const struct dh_event *ev, void *arg)
{
    return ev->kind == DH_EV_CONNECTION && ev->conn_state == *(enum dh_conn_state *)arg;
}

/* A tickets event in which ticket arg has a state other than VALID/CHECKING. */
static int ticket_invalid(const struct dh_event *ev, void *arg)
{
    const struct dh_ticket *t = arg;
    if (ev->kind != DH_EV_TICKETS)
        return 0;
    for (size_t i = 0; i < ev->n_tickets; i++)
        if (dh_ticket_equal(&ev->tickets[i].ticket, t) && ev->tickets[i].state != DH_TS_VALID &&
            ev->tickets[i].state != DH_TS_CHECKING)
            return 1;
    return 0;
}

/* The status of ticket t in a tickets event, or NULL. */
static const struct dh_ticket_status *find_status(const struct dh_event *ev,
                                                  const struct dh_ticket *t)
{
    for (size_t i = 0; i < ev->n_tickets; i++)
        if (dh_ticket_equal(&ev->tickets[i].ticket, t))
            return &ev->tickets[i];
    return NULL;
}

/* A tickets event in which ticket arg ended with its session. */
static int ticket_ended(const struct dh_event *ev, void *arg)
{
    const struct dh_ticket_status *st = ev->kind == DH_EV_TICKETS ? find_status(ev, arg) : NULL;
    return st && st->state == DH_TS_SESSION_ENDED;
}

static int session_ended(const struct dh_event *ev, void *arg)
{
    (void)arg;
    return ev->kind == DH_EV_SESSION_ENDED;
}

static struct dh_client *open_client(int probe_ms)
{
    return it_client_new(g_port, probe_ms);
}

/* Wait for the object list to show `name` and copy that object into out. */
static int object_named(struct dh_client *c, const char *name, struct dh_object *out)
{
    struct dh_event *ev = it_wait_event(c, objects_with, (void *)name, 10000);
    int rc = ev ? dh_object_copy(out, dh_object_list_find(ev->objects, name)) : DH_ETIMEOUT;
    dh_event_free(ev);
    return rc;
}

static void test_live_objects(void)
{
    struct dh_client *c = open_client(500);
    CHECK_REQ(c != NULL);
    struct dh_event *ev = it_wait_event(c, objects_with, "trades", 10000);
    CHECK_REQ(ev != NULL);
    CHECK_INT(ev->objects->n, 10);
    dh_event_free(ev);
    CHECK_INT(dh_client_conn_state(c), DH_CONN_CONNECTED);
    ctl("add itest_live");
    ev = it_wait_event(c, objects_with, "itest_live", 5000);
    CHECK(ev != NULL);
    dh_event_free(ev);
    ctl("remove itest_live");
    ev = it_wait_event(c, objects_without, "itest_live", 5000);
    CHECK(ev != NULL);
    dh_event_free(ev);
    dh_client_free(c);
}

/* Publish on A, fetch and page on B, release on A, B sees it invalid. */
static void test_publish_fetch_release(void)
{
    struct dh_client *a = open_client(300), *b = open_client(300);
    CHECK_REQ(a && b);
    struct dh_object trades;
    CHECK_REQ(object_named(a, "trades", &trades) == DH_OK);
    struct dh_event *ev;

    uint64_t req = dh_client_publish(a, &trades);
    ev = it_wait_event(a, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_PUBLISHED);
    CHECK_REQ(ev->ok);
    struct dh_ticket shared = ev->ticket.ticket;
    CHECK_INT(dh_ticket_kind(&shared), DH_TICKET_SHARED);
    CHECK_INT(shared.len, 17);
    CHECK_INT(dh_client_live_published(a), 1);
    dh_event_free(ev);

    req = dh_client_fetch(b, &shared);
    ev = it_wait_event(b, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED);
    if (!ev->ok)
        fprintf(stderr, "fetch: %s\n", ev->err.msg);
    CHECK_REQ(ev->ok);
    CHECK_INT(ev->fetched->kind, DH_KIND_TABLE);
    CHECK_INT(ev->fetched->table.size, 1000000);
    CHECK_INT(ev->fetched->table.is_static, 1);
    struct dh_ticket copy = ev->fetched->export_ticket;
    CHECK_INT(dh_ticket_kind(&copy), DH_TICKET_EXPORT);
    struct dh_source src = ev->fetched->rows_source;
    CHECK(dh_ticket_equal(&src.ticket, &shared)); /* durable: the shared ticket itself */
    dh_event_free(ev);

    /* Rows through the source; a superseded request yields no event. */
    uint64_t old = dh_client_rows(b, &src, 0, 50);
    req = dh_client_rows(b, &src, 999990, 50);
    ev = it_wait_event(b, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_ROWS && ev->ok);
    CHECK_INT(ev->rows->first, 999990);
    CHECK_INT(ev->rows->batch.length, 10);
    CHECK_INT(ev->rows->table_size, 1000000);
    dh_event_free(ev);
    (void)old;

    req = dh_client_release(a, &shared);
    ev = it_wait_event(a, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_RELEASED && ev->ok);
    CHECK_INT(ev->ticket.state, DH_TS_RELEASED);
    dh_event_free(ev);
    CHECK_INT(dh_client_live_published(a), 0);

    int64_t t0 = dh_now_ms();
    ev = it_wait_event(b, ticket_invalid, &shared, 5000);
    CHECK(ev != NULL);
    printf("release seen as invalid by the other client after %lld ms (probe interval 300 ms)\n",
           (long long)(dh_now_ms() - t0));
    dh_event_free(ev);
    dh_object_reset(&trades);
    dh_client_free(a);
    dh_client_free(b);
}

/* The server forgets every session: the client gets a new one and says so;
 * what it had published is gone. */
static void test_session_expiry_recovery(void)
{
    struct dh_client *c = open_client(300);
    CHECK_REQ(c != NULL);
    struct dh_object plot;
    CHECK_REQ(object_named(c, "price_plot", &plot) == DH_OK);
    struct dh_event *ev;
    uint64_t req = dh_client_publish(c, &plot);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->ok);
    struct dh_ticket shared = ev->ticket.ticket;
    dh_event_free(ev);

    ctl("expire-all");
    /* "ended with session", not "released"; it remembers what it published. */
    ev = it_wait_event(c, ticket_ended, &shared, 10000);
    CHECK_REQ(ev != NULL);
    const struct dh_ticket_status *st = find_status(ev, &shared);
    CHECK_REQ(st != NULL);
    CHECK(dh_ticket_equal(&st->source, &plot.ticket));
    CHECK(st->detail[0] != '\0');
    dh_event_free(ev);
    /* One event says the session ended and what it cost. */
    ev = it_wait_event(c, session_ended, NULL, 10000);
    CHECK_REQ(ev != NULL);
    CHECK_INT(ev->n_ended, 1);
    CHECK(ev->err.msg[0] != '\0');
    dh_event_free(ev);
    enum dh_conn_state want = DH_CONN_CONNECTED;
    ev = it_wait_event(c, conn_is, &want, 10000);
    CHECK(ev != NULL);
    dh_event_free(ev);
    ev = it_wait_event(c, objects_with, "trades", 10000);
    CHECK(ev != NULL); /* the object list is live again on the new session */
    dh_event_free(ev);
    CHECK_INT(dh_client_live_published(c), 0);
    /* Publishing the same object again gives a new, live ticket. */
    req = dh_client_publish(c, &plot);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK(ev && ev->ok && !dh_ticket_equal(&ev->ticket.ticket, &shared));
    dh_event_free(ev);
    CHECK_INT(dh_client_live_published(c), 1);
    dh_object_reset(&plot);
    dh_client_free(c);
}

/* A live window on the ticking quotes table: updates arrive without asking,
 * the table grows, and the rows past the old end fill in. */
static int rows_of(const struct dh_event *ev, void *arg)
{
    return ev->kind == DH_EV_ROWS && ev->req == *(uint64_t *)arg;
}

static void test_watch_rows(void)
{
    struct dh_client *c = open_client(300);
    CHECK_REQ(c != NULL);
    struct dh_object quotes;
    CHECK_REQ(object_named(c, "quotes", &quotes) == DH_OK);
    struct dh_event *ev;
    uint64_t req = dh_client_open(c, &quotes);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED && ev->ok);
    CHECK_INT(ev->fetched->table.is_static, 0);
    struct dh_source src = ev->fetched->rows_source;
    int64_t size0 = ev->fetched->table.size;
    dh_event_free(ev);
    CHECK_REQ(size0 > 5);

    req = dh_client_watch_rows(c, &src, size0 - 5, 50);
    int64_t last_size = 0, last_len = 0;
    int updates = 0;
    for (int i = 0; i < 6; i++) {
        ev = it_wait_event(c, rows_of, &req, 5000);
        CHECK_REQ(ev && ev->ok && ev->rows);
        CHECK_INT(ev->rows->first, size0 - 5);
        CHECK(ev->rows->table_size >= last_size);
        CHECK(ev->rows->batch.length >= last_len); /* the window fills up */
        if (ev->rows->table_size > last_size)
            updates++;
        last_size = ev->rows->table_size;
        last_len = ev->rows->batch.length;
        dh_event_free(ev);
    }
    CHECK(updates >= 3);
    CHECK(last_len > 5);
    /* Cancelled: no more events for it. */
    dh_client_cancel(c, req);
    ev = it_wait_event(c, rows_of, &req, 1500);
    CHECK(ev == NULL);
    dh_event_free(ev);
    dh_object_reset(&quotes);
    dh_client_free(c);
}

/* The int64 statistic `name` of a statistics table, or INT64_MIN. */
static int64_t stat_i64(const struct dh_rows *r, const char *name)
{
    for (size_t f = 0; r && f < r->schema.n_fields && f < r->batch.n_columns; f++)
        if (strcmp(r->schema.fields[f].name, name) == 0 && r->batch.columns[f].length == 1)
            return dh_column_get_i64(&r->batch.columns[f], 0);
    return INT64_MIN;
}

/* Search and statistics through the asynchronous client: one call each, no
 * rows read; an unknown column comes back as an error event. */
static void test_seek_and_stats(void)
{
    struct dh_client *c = open_client(300);
    CHECK_REQ(c != NULL);
    struct dh_object trades;
    CHECK_REQ(object_named(c, "trades", &trades) == DH_OK);
    uint64_t req = dh_client_open(c, &trades);
    struct dh_event *ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_FETCHED && ev->ok);
    struct dh_source src = ev->fetched->rows_source;
    int64_t size = ev->fetched->table.size;
    dh_event_free(ev);
    CHECK_REQ(size > 20000);

    /* Id is the row number in the demo's trades. */
    struct dh_seek q;
    struct dh_error err;
    CHECK_REQ(dh_seek_prepare(&q, "Id", DH_TYPE_INT, 0, "12,345", &err) == DH_OK);
    q.start = 100;
    req = dh_client_seek(c, &src, &q);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_SEEK && ev->ok);
    CHECK_INT(ev->row, 12345);
    dh_event_free(ev);
    q.start = 20000; /* backward from after it */
    q.backward = 1;
    req = dh_client_seek(c, &src, &q);
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_SEEK && ev->ok);
    CHECK_INT(ev->row, 12345);
    dh_event_free(ev);
    CHECK_REQ(dh_seek_prepare(&q, "Sym", DH_TYPE_UTF8, 0, "no such symbol", &err) == DH_OK);
    req = dh_client_seek(c, &src, &q);
    ev = it_wait_event(c, is_req, &req, 30000);
    CHECK_REQ(ev && ev->kind == DH_EV_SEEK && ev->ok);
    CHECK_INT(ev->row, -1);
    dh_event_free(ev);

    req = dh_client_stats(c, &src, "Id");
    ev = it_wait_event(c, is_req, &req, 30000);
    CHECK_REQ(ev && ev->kind == DH_EV_STATS && ev->ok && ev->rows);
    CHECK_INT(stat_i64(ev->rows, "COUNT"), size);
    CHECK_INT(stat_i64(ev->rows, "MIN"), 0);
    CHECK_INT(stat_i64(ev->rows, "MAX"), size - 1);
    dh_event_free(ev);
    req = dh_client_stats(c, &src, "Nope");
    ev = it_wait_event(c, is_req, &req, 10000);
    CHECK_REQ(ev && ev->kind == DH_EV_STATS);
    CHECK(!ev->ok && ev->err.msg[0]);
    dh_event_free(ev);
    dh_object_reset(&trades);
    dh_client_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: itest_client PORT CONTROL_FIFO\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    g_ctl = argv[2];
    CHECK_RUN(T(test_live_objects), T(test_publish_fetch_release), T(test_session_expiry_recovery),
              T(test_watch_rows), T(test_seek_and_stats));
}
