/* SPDX-License-Identifier: MIT */
/* test_monitor.c: ticket validity states. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_monitor.h"

static struct dh_ticket_status status(const struct dh_ticket *t, enum dh_ticket_dir dir)
{
    struct dh_ticket_status st;
    memset(&st, 0, sizeof st);
    st.ticket = *t;
    st.dir = dir;
    st.state = DH_TS_VALID;
    return st;
}

static void test_notification_releases_published(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    struct dh_ticket shared, exp;
    CHECK_REQ(dh_ticket_make_shared_random(&shared, NULL) == DH_OK);
    dh_ticket_make_export(&exp, 7);
    struct dh_ticket_status st = status(&shared, DH_DIR_PUBLISHED);
    CHECK_INT(dh_monitor_add(&m, &st, &exp), DH_OK);
    CHECK_INT(dh_monitor_live_published(&m), 1);
    /* Another export's release, and a non-terminal state, change nothing. */
    CHECK_INT(dh_monitor_on_export_state(&m, 8, 6, "", 10), 0);
    CHECK_INT(dh_monitor_on_export_state(&m, 7, 5, "", 10), 0);
    CHECK_INT(dh_monitor_on_export_state(&m, 7, 6, "", 20), 1);
    struct dh_monitor_entry *e = dh_monitor_find(&m, &shared, DH_DIR_PUBLISHED);
    CHECK_REQ(e != NULL);
    CHECK_INT(e->status.state, DH_TS_RELEASED);
    CHECK_INT(e->status.since_ms, 20);
    CHECK_INT(dh_monitor_live_published(&m), 0);
    /* A disconnect does not resurrect or blur a released ticket. */
    dh_monitor_on_disconnect(&m, 30);
    CHECK_INT(e->status.state, DH_TS_RELEASED);
    dh_monitor_reset(&m);
}

static void test_failure_state_and_context(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    struct dh_ticket shared, exp;
    dh_ticket_make_shared_random(&shared, NULL);
    dh_ticket_make_export(&exp, 3);
    struct dh_ticket_status st = status(&shared, DH_DIR_PUBLISHED);
    dh_monitor_add(&m, &st, &exp);
    CHECK_INT(dh_monitor_on_export_state(&m, 3, 8, "abc-uuid", 5), 1);
    CHECK_INT(m.items[0].status.state, DH_TS_FAILED);
    CHECK(strstr(m.items[0].status.detail, "abc-uuid") != NULL);
    dh_monitor_reset(&m);
}

static void test_probe_and_disconnect(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    struct dh_ticket t;
    dh_ticket_make_shared_random(&t, NULL);
    struct dh_ticket_status st = status(&t, DH_DIR_FETCHED);
    st.state = DH_TS_CHECKING;
    dh_monitor_add(&m, &st, NULL);
    struct dh_monitor_entry *e = dh_monitor_find(&m, &t, DH_DIR_FETCHED);
    CHECK_REQ(e != NULL);
    CHECK(dh_monitor_find(&m, &t, DH_DIR_PUBLISHED) == NULL);
    CHECK_INT(dh_monitor_on_probe(e, DH_PROBE_VALID_TABLE, "", 1), 1);
    CHECK_INT(e->status.state, DH_TS_VALID);
    CHECK_INT(dh_monitor_on_probe(e, DH_PROBE_VALID_TABLE, "", 2), 0); /* no change */
    CHECK_INT(e->status.since_ms, 1);
    CHECK_INT(e->status.checked_ms, 2);
    CHECK_INT(dh_monitor_on_probe(e, DH_PROBE_NOT_FOUND, "gone", 3), 1);
    CHECK_INT(e->status.state, DH_TS_RELEASED);
    CHECK_STR(e->status.detail, DH_MONITOR_GONE_DETAIL " (server: gone)");
    CHECK_INT(dh_monitor_on_disconnect(&m, 4), 1);
    CHECK_INT(e->status.state, DH_TS_UNKNOWN);
    CHECK_INT(dh_monitor_on_session_lost(&m, "expired", 5, NULL), 1);
    CHECK_INT(e->status.state, DH_TS_CHECKING);
    size_t n;
    struct dh_ticket_status *snap = dh_monitor_snapshot(&m, &n);
    CHECK_INT(n, 1);
    CHECK(snap && dh_ticket_equal(&snap[0].ticket, &t));
    free(snap);
    dh_monitor_reset(&m);
}

/* Add a fresh random ticket in direction dir (published ones kept alive by
 * export export_id) to m; returns its index. */
static size_t add_ticket(struct dh_monitor *m, enum dh_ticket_dir dir, int32_t export_id)
{
    struct dh_ticket t, exp;
    dh_ticket_make_shared_random(&t, NULL);
    dh_ticket_make_export(&exp, export_id);
    struct dh_ticket_status st = status(&t, dir);
    dh_monitor_add(m, &st, dir == DH_DIR_PUBLISHED ? &exp : NULL);
    return m->n - 1;
}

/* An outage the session survives: published tickets go UNKNOWN and come
 * back VALID; fetched ones are checked again; ended ones stay ended. */
static void test_reconnect_restores_published(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    add_ticket(&m, DH_DIR_PUBLISHED, 1);
    add_ticket(&m, DH_DIR_PUBLISHED, 1);
    add_ticket(&m, DH_DIR_FETCHED, 0);
    dh_monitor_set(&m.items[1], DH_TS_RELEASED, "released by you", 1);
    CHECK_INT(dh_monitor_on_disconnect(&m, 2), 1);
    CHECK_INT(dh_monitor_live_published(&m), 0);
    CHECK_INT(m.items[0].status.state, DH_TS_UNKNOWN);
    CHECK_INT(dh_monitor_on_reconnect(&m, 3), 1);
    CHECK_INT(m.items[0].status.state, DH_TS_VALID);
    CHECK_INT(m.items[1].status.state, DH_TS_RELEASED);
    CHECK_INT(m.items[2].status.state, DH_TS_CHECKING);
    CHECK_INT(dh_monitor_live_published(&m), 1);
    CHECK_INT(dh_monitor_on_reconnect(&m, 4), 0);
    dh_monitor_reset(&m);
}

/* A session loss ends our published tickets ("ended with session", not
 * "released"), says how many were live, and a later session's export with
 * the same id cannot touch them. */
static void test_session_lost_ends_published(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    for (int i = 0; i < 3; i++)
        add_ticket(&m, DH_DIR_PUBLISHED, 1);
    dh_monitor_set(&m.items[2], DH_TS_RELEASED, "released by you", 2);
    size_t ended = 99;
    CHECK_INT(dh_monitor_on_session_lost(&m, "the session expired", 9, &ended), 1);
    CHECK_INT(ended, 2);
    CHECK_INT(m.items[0].status.state, DH_TS_SESSION_ENDED);
    CHECK_INT(m.items[1].status.state, DH_TS_SESSION_ENDED);
    CHECK_INT(m.items[2].status.state, DH_TS_RELEASED); /* already final: kept */
    CHECK_STR(m.items[0].status.detail, "the session expired");
    CHECK_STR(dh_ticket_state_name(DH_TS_SESSION_ENDED), "ended with session");
    CHECK_INT(dh_monitor_live_published(&m), 0);
    /* The new session's export 1 is released: the old tickets stay as they are. */
    CHECK_INT(dh_monitor_on_export_state(&m, 1, 6, "", 10), 0);
    CHECK_INT(m.items[0].status.state, DH_TS_SESSION_ENDED);
    /* Released by the server just before the loss (the session's end
     * releasing its exports): ended with the session; long before: released. */
    add_ticket(&m, DH_DIR_PUBLISHED, 2);
    add_ticket(&m, DH_DIR_PUBLISHED, 3);
    CHECK_INT(dh_monitor_on_export_state(&m, 3, 6, "", 20), 1);
    CHECK_INT(dh_monitor_on_export_state(&m, 2, 6, "", 20000), 1);
    CHECK_INT(dh_monitor_on_session_lost(&m, "lost", 21000, &ended), 1);
    CHECK_INT(ended, 1);
    CHECK_INT(m.items[3].status.state, DH_TS_SESSION_ENDED);
    CHECK_INT(m.items[4].status.state, DH_TS_RELEASED);
    /* A second loss counts nothing more. */
    CHECK_INT(dh_monitor_on_session_lost(&m, "again", 22000, &ended), 0);
    CHECK_INT(ended, 0);
    CHECK_STR(dh_ticket_state_name(DH_TS_NOT_FOUND), "not found");
    dh_monitor_reset(&m);
}

/* A fetched ticket whose export the publisher released: the same word as
 * on the publisher's side; other failures keep the server's words. */
static void test_fetched_release_vocabulary(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    size_t i = add_ticket(&m, DH_DIR_FETCHED, 0);
    struct dh_monitor_entry *e = &m.items[i];
    CHECK_INT(dh_monitor_on_probe(e, DH_PROBE_FAILED,
                                  "FAILED_PRECONDITION: Export in state DEPENDENCY_FAILED", 1),
              1);
    CHECK_INT(e->status.state, DH_TS_RELEASED);
    CHECK(strstr(e->status.detail, "keeps working") != NULL);
    CHECK_INT(dh_monitor_on_probe(e, DH_PROBE_FAILED, "PERMISSION_DENIED: no", 2), 1);
    CHECK_INT(e->status.state, DH_TS_FAILED);
    CHECK_STR(e->status.detail, "PERMISSION_DENIED: no");
    dh_monitor_reset(&m);
}

/* Removing keeps the others in order. */
static void test_remove(void)
{
    struct dh_monitor m;
    dh_monitor_init(&m);
    add_ticket(&m, DH_DIR_FETCHED, 0);
    size_t mid = add_ticket(&m, DH_DIR_PUBLISHED, 7);
    add_ticket(&m, DH_DIR_FETCHED, 0);
    struct dh_ticket first = m.items[0].status.ticket, last = m.items[2].status.ticket;
    struct dh_ticket t = m.items[mid].status.ticket;
    CHECK_INT(dh_monitor_remove(&m, &t, DH_DIR_FETCHED), 0); /* wrong direction */
    CHECK_INT(dh_monitor_remove(&m, &t, DH_DIR_PUBLISHED), 1);
    CHECK_INT(m.n, 2);
    CHECK(dh_ticket_equal(&m.items[0].status.ticket, &first));
    CHECK(dh_ticket_equal(&m.items[1].status.ticket, &last));
    CHECK_INT(dh_monitor_remove(&m, &t, DH_DIR_PUBLISHED), 0);
    dh_monitor_reset(&m);
}

int main(void)
{
    CHECK_RUN(T(test_notification_releases_published), T(test_failure_state_and_context),
              T(test_probe_and_disconnect), T(test_session_lost_ends_published),
              T(test_reconnect_restores_published), T(test_fetched_release_vocabulary),
              T(test_remove));
}
