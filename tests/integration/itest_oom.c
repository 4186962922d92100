/* SPDX-License-Identifier: MIT */
/* itest_oom.c: the client's out-of-memory policy (docs/DESIGN.md): with every
 * event allocation failing, a lost reply still reaches its requester as an
 * error (DH_ENOMEM, the request's own kind) and lost updates come out as one
 * DH_EV_ERROR once memory is back; nothing is dropped silently and the
 * client works normally afterwards. Allocation fails through the client's
 * event_calloc hook. Usage: itest_oom PORT CONTROL_FIFO */
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_client.h"
#include "itest_util.h"

static int g_port;
static const char *g_ctl;
static atomic_int g_fail; /* 1: every event allocation fails */

static void *event_calloc(size_t n, size_t size)
{
    return atomic_load(&g_fail) ? NULL : calloc(n, size);
}

/* The next event within timeout_ms, or NULL. */
static struct dh_event *next_event(struct dh_client *c, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    for (;;) {
        struct dh_event *ev = dh_client_next_event(c);
        if (ev || dh_now_ms() >= until)
            return ev;
        struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
        poll(&p, 1, 50);
    }
}

/* Wait for an event matching kind (and req when non-zero); others are freed. */
static struct dh_event *wait_kind(struct dh_client *c, enum dh_event_kind kind, uint64_t req,
                                  int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_now_ms() < until) {
        struct dh_event *ev = next_event(c, 100);
        if (ev && ev->kind == kind && (req == 0 || ev->req == req))
            return ev;
        dh_event_free(ev);
    }
    return NULL;
}

static uint64_t events_lost(struct dh_client *c)
{
    struct dh_client_stats st;
    dh_client_get_stats(c, &st);
    return st.events_lost;
}

static void test_lost_events_become_errors(void)
{
    struct dh_client_options o;
    memset(&o, 0, sizeof o);
    o.connect.host = "127.0.0.1";
    o.connect.port = g_port;
    o.probe_interval_ms = 60000;
    o.event_calloc = event_calloc;
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_client *c = dh_client_new(&o, &e);
    CHECK_REQ(c);

    /* Open trades normally: its rows source. */
    struct dh_event *objs = NULL;
    const struct dh_object *trades = NULL;
    for (int64_t until = dh_now_ms() + 15000; !trades && dh_now_ms() < until;) {
        dh_event_free(objs);
        objs = wait_kind(c, DH_EV_OBJECTS, 0, 1000);
        trades = objs ? dh_object_list_find(objs->objects, "trades") : NULL;
    }
    CHECK_REQ(trades);
    uint64_t req = dh_client_open(c, trades);
    struct dh_event *ev = wait_kind(c, DH_EV_FETCHED, req, 15000);
    dh_event_free(objs);
    CHECK_REQ(ev && ev->ok);
    struct dh_source src = ev->fetched->rows_source;
    dh_event_free(ev);
    CHECK_INT(events_lost(c), 0);

    /* Every event allocation fails from here: the reply to a rows request is lost,
     * then an object-list update (the server adds an object). */
    atomic_store(&g_fail, 1);
    uint64_t rows_req = dh_client_rows(c, &src, 0, 10);
    int64_t until = dh_now_ms() + 15000;
    while (events_lost(c) < 1 && dh_now_ms() < until)
        it_sleep_ms(20);
    CHECK_REQ(events_lost(c) >= 1);
    it_control(g_ctl, "add oom_probe");
    uint64_t before = events_lost(c);
    until = dh_now_ms() + 15000;
    while (events_lost(c) == before && dh_now_ms() < until)
        it_sleep_ms(20);
    CHECK_REQ(events_lost(c) > before);

    /* Still failing: the reserve event reports the first loss, and nothing else
     * can come out (no event is made up, none is queued). */
    int saw_rows_error = 0, saw_update_error = 0, n_while_failing = 0;
    while ((ev = next_event(c, 1000)) != NULL) {
        n_while_failing++;
        CHECK(!ev->ok);
        CHECK_INT(ev->err.code, DH_ENOMEM);
        saw_rows_error |= ev->kind == DH_EV_ROWS && ev->req == rows_req;
        saw_update_error |= ev->kind == DH_EV_ERROR;
        dh_event_free(ev);
    }
    CHECK_INT(n_while_failing, 1);

    /* Memory is back: the remaining losses come out as errors, then events flow. */
    atomic_store(&g_fail, 0);
    until = dh_now_ms() + 15000;
    while (!(saw_rows_error && saw_update_error) && dh_now_ms() < until) {
        ev = next_event(c, 200);
        if (!ev)
            continue;
        if (ev->err.code == DH_ENOMEM) {
            CHECK(!ev->ok);
            saw_rows_error |= ev->kind == DH_EV_ROWS && ev->req == rows_req;
            if (ev->kind == DH_EV_ERROR) {
                saw_update_error = 1;
                CHECK(strstr(ev->err.msg, "update(s) lost") != NULL);
            }
        }
        dh_event_free(ev);
    }
    CHECK(saw_rows_error);   /* the requester hears about its lost reply */
    CHECK(saw_update_error); /* the lost object-list update is a status-line error */

    req = dh_client_rows(c, &src, 5, 10);
    ev = wait_kind(c, DH_EV_ROWS, req, 15000);
    CHECK_REQ(ev && ev->ok);
    CHECK_INT(ev->rows->first, 5);
    dh_event_free(ev);
    dh_client_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: itest_oom PORT CONTROL_FIFO\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    g_ctl = argv[2];
    CHECK_RUN(T(test_lost_events_become_errors));
}
