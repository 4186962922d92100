/* SPDX-License-Identifier: MIT */
/* client.c: the asynchronous client. Five threads talk to the server, each
 * with one job, and hand results to the caller through one event queue:
 *   conn  - connects, keeps the ListFields stream open, recovers when it drops;
 *   notes - the session's ExportNotifications stream (our own exports' fate);
 *   ctl   - commands (publish, fetch, release) and periodic ticket probes;
 *   rows  - row windows; a newer request supersedes an older one;
 *   live  - one live window (a Barrage viewport subscription) of a ticking table,
 *           or of a view of a hierarchical table over a ticking source;
 *   steer - moves that window on its open subscription (the live thread waits
 *           in a read meanwhile).
 * All shared state sits under one mutex. */
#include "dh_client.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deephaven_core/proto/session.pb-c.h"
#include "dh_backoff.h"
#include "dh_epoch.h"
#include "dh_exports.h"
#include "dh_express.h"
#include "dh_object_stream.h"
#include "dh_subscription.h"
#include "dh_transport.h"

#define DH_DEFAULT_PROBE_MS 5000
/* Reconnect attempts: jittered back-off from 250 ms, capped at 2 s, so a
 * returning server is found within about 2 s at one cheap call a second. */
#define DH_RETRY_INITIAL_MS 250
#define DH_RETRY_CAP_MS 2000
#define DH_RETRY_JITTER_PCT 50
/* Calls outstanding this long without a word from the server: "stalled". */
#define DH_STALLED_MS DH_CLIENT_STALLED_MS
/* A live window re-read this often when the server has no subscriptions. */
#define DH_LIVE_POLL_MS 1000
/* Rows and live windows that failed are tried again after 250 ms, doubling
 * up to 10 s, each delay shortened by up to half at random. */
#define DH_WINDOW_RETRY_MIN_MS 250
#define DH_WINDOW_RETRY_MAX_MS 10000
#define DH_WINDOW_RETRY_JITTER_PCT 50

enum cmd_kind {
    CMD_PUBLISH = 1,
    CMD_FETCH,
    CMD_OPEN,
    CMD_RELEASE,
    CMD_FORGET,
    CMD_DERIVE,
    CMD_SEEK,
    CMD_STATS,
    CMD_PART_GET,
    CMD_PART_KEY,
    CMD_PART_MERGE,
    CMD_TREE_ROWS,
    CMD_ROW
};

struct cmd {
    struct cmd *next;
    enum cmd_kind kind;
    uint64_t req;
    struct dh_ticket ticket;
    uint64_t epoch; /* an export ticket is only sent in this session epoch */
    char name[128];
    char type[64];
    struct dh_view_ops ops;     /* CMD_DERIVE, CMD_STATS, CMD_PART_KEY (the match): owned */
    struct dh_seek seek;        /* CMD_SEEK: column and value.s owned */
    struct dh_source keys;      /* CMD_PART_GET: the key table (or a view of it) ... */
    int64_t row;                /* ... the key's position in it; CMD_ROW: the row */
    int unique;                 /* ... and whether keys are unique */
    struct dh_hier_keys *hkeys; /* CMD_TREE_ROWS: owned, may be NULL */
    int64_t first, count;       /* CMD_TREE_ROWS */
};

static void cmd_free(struct cmd *cmd)
{
    if (!cmd)
        return;
    dh_view_ops_reset(&cmd->ops);
    free((char *)cmd->seek.column);
    free(cmd->seek.value.s);
    dh_hier_keys_free(cmd->hkeys);
    free(cmd);
}

/* An event with its link in the client's queue, so that queuing never allocates.
 * ev comes first: dh_event_free frees the whole. */
struct queued_event {
    struct dh_event ev;
    struct queued_event *next;
};

/* Replies lost to out-of-memory, remembered without allocating until
 * dh_client_next_event reports them (docs/DESIGN.md, Out of memory). */
enum { LOST_REPLIES_MAX = 16 };
struct lost_events {
    pthread_mutex_t mu; /* taken alone or inside dh_client.mu, never around it */
    struct {
        enum dh_event_kind kind;
        uint64_t req;
    } replies[LOST_REPLIES_MAX];
    size_t n_replies;
    uint64_t updates;  /* unsolicited events (objects, tickets, connection) lost */
    uint64_t overflow; /* replies lost beyond LOST_REPLIES_MAX */
    uint64_t total;    /* every loss so far (dh_client_get_stats) */
};

/* A window request; its source is resolved in the epoch it runs in. */
struct rows_req {
    uint64_t req;
    struct dh_source source;
    struct dh_window w; /* snapshots and trees: forward, every column */
    int tree;           /* live only: source is a hierarchical table, viewed with live_keys */
};

struct dh_client {
    struct dh_client_options opt;
    char host[256], auth_type[256], ca[512], cert[512], key[512];
    char *auth_value; /* heap: a credential may be up to DH_CREDENTIAL_MAX bytes */
    int wake_fd;
    /* The conn thread, refused for good, waits for dh_client_set_credentials:
     * only then may auth_value change (no thread reads it meanwhile). */
    int awaiting_credentials;
    uint64_t credentials_gen;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* commands, rows, session changes, stop */
    int stopping;
    uint64_t next_req;

    struct queued_event *ev_head, *ev_tail;
    struct lost_events lost;
    struct dh_event *reserve; /* UI thread: reports a loss when nothing can be allocated */

    struct dh_session *session; /* current (our reference), NULL while not connected */
    uint64_t session_gen;       /* bumped when the session is replaced */
    char target[300];
    enum dh_conn_state conn;
    int64_t next_try_ms;             /* DH_CONN_RETRYING: when the next attempt is due */
    struct dh_interrupt *stop_calls; /* quitting: every call of every session ends now */

    struct dh_objects_watch *watch; /* for cancellation at shutdown */
    struct dh_cancel *notes_cancel; /* the export-notifications stream attached while open */

    struct cmd *cmd_head, *cmd_tail;
    int64_t next_probe_ms;

    struct rows_req rows_pending;
    int rows_has_pending;
    uint64_t rows_latest;
    uint64_t rows_running;         /* request id being fetched, 0 if none */
    struct dh_cancel *rows_cancel; /* fired to stop the running rows call; reset per call */

    struct rows_req live_pending; /* the window to watch next */
    int live_has_pending;
    uint64_t live_latest;             /* request id of the live window, 0: none */
    struct dh_subscription *live_sub; /* running subscription, for cancel */
    uint64_t live_sub_gen;            /* the session epoch live_sub runs in */
    int live_sub_cancelled;           /* live_sub was cancelled: it moves no more */
    /* The window live_sub is to show: the latest request once it is on the
     * open stream. Rows are posted for it only when the server says it has
     * taken it up (dh_subscription_shows). */
    struct rows_req live_want;
    int64_t live_want_ms; /* when live_want was asked for */
    int live_steer;       /* live_want is yet to be sent on live_sub */
    int live_steering;    /* the steer thread is writing on live_sub */
    /* The expansions of the latest live tree window (live_pending and
     * live_want when tree); the live thread views with a copy. Owned. */
    struct dh_hier_keys *live_keys;

    /* Session epochs: sources resolved to exports per epoch (session_gen);
     * failed windows wait for their back-off before the next attempt. */
    struct dh_epoch_cache exports;
    struct dh_backoff rows_bo, live_bo;
    uint64_t rows_bo_epoch, live_bo_epoch; /* link_epoch() when the last attempt began */
    uint64_t conn_ups; /* times the connection came back (CONNECTED after another state) */
    uint64_t link_ups; /* times the current session's channel became READY (on_link_ready) */
    struct dh_client_stats stats;

    struct dh_monitor monitor;

    /* The plot-express figure followed (one at a time): its source, the
     * latest request (0: none), whether it is yet to be taken, the running
     * stream (for cancel). */
    struct dh_source fig_src;
    uint64_t fig_latest;
    int fig_has_pending;
    struct dh_object_watch *fig_watch;

    pthread_t conn_thread, notes_thread, ctl_thread, rows_thread, live_thread, steer_thread,
        fig_thread;
    int started;
};

static void cancel_epoch_work_locked(struct dh_client *c);

/* ---- small helpers ---- */

static void copy_opt(char *dst, size_t n, const char **field)
{
    if (*field) {
        snprintf(dst, n, "%s", *field);
        *field = dst;
    }
}

/* Wait on the client condition until woken or deadline_ms (monotonic). Locked. */
static void wait_until(struct dh_client *c, int64_t deadline_ms)
{
    dh_cond_wait_until(&c->cv, &c->mu, deadline_ms);
}

/* Sleep up to ms unless stopping; returns 1 when the client is stopping. */
static int nap(struct dh_client *c, int64_t ms)
{
    int64_t until = dh_now_ms() + ms;
    pthread_mutex_lock(&c->mu);
    while (!c->stopping && dh_now_ms() < until)
        wait_until(c, until);
    int stop = c->stopping;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

void dh_event_free(struct dh_event *ev)
{
    if (!ev)
        return;
    dh_object_list_free(ev->objects);
    free(ev->tickets);
    if (ev->fetched) {
        dh_table_info_reset(&ev->fetched->table);
        dh_figure_free(ev->fetched->figure);
        dh_partitioned_free(ev->fetched->partitioned);
        dh_hier_info_reset(ev->fetched->hier);
        free(ev->fetched->hier);
        free(ev->fetched);
    }
    if (ev->rows) {
        dh_rows_reset(ev->rows);
        free(ev->rows);
    }
    free(ev);
}

/* Remember an event that could not be allocated and wake the reader, which
 * reports it as an error (dh_client_next_event). Never allocates; any thread,
 * locked or not. */
static void event_lost(struct dh_client *c, enum dh_event_kind kind, uint64_t req)
{
    struct lost_events *l = &c->lost;
    pthread_mutex_lock(&l->mu);
    l->total++;
    if (req == 0)
        l->updates++;
    else if (l->n_replies < LOST_REPLIES_MAX) {
        l->replies[l->n_replies].kind = kind;
        l->replies[l->n_replies++].req = req;
    } else
        l->overflow++;
    pthread_mutex_unlock(&l->mu);
    uint64_t one = 1;
    ssize_t w = write(c->wake_fd, &one, sizeof one);
    (void)w;
}

/* A zeroed event (the options' event_calloc, for tests, else calloc). */
static struct dh_event *event_alloc(struct dh_client *c)
{
    void *(*alloc)(size_t, size_t) = c->opt.event_calloc ? c->opt.event_calloc : calloc;
    struct queued_event *q = alloc(1, sizeof *q);
    return q ? &q->ev : NULL;
}

/* A new event; NULL (the loss remembered, see event_lost) when out of memory. */
static struct dh_event *event_new(struct dh_client *c, enum dh_event_kind kind, uint64_t req)
{
    struct dh_event *ev = event_alloc(c);
    if (!ev) {
        event_lost(c, kind, req);
        return NULL;
    }
    ev->kind = kind;
    ev->req = req;
    ev->ok = 1;
    return ev;
}

/* Queue an event and wake the reader. Objects and tickets events replace a
 * queued one of the same kind, so a busy server cannot flood the queue. Locked. */
static void post_locked(struct dh_client *c, struct dh_event *ev)
{
    if (!ev)
        return;
    if (ev->kind == DH_EV_OBJECTS || ev->kind == DH_EV_TICKETS) {
        for (struct queued_event *n = c->ev_head; n; n = n->next) {
            if (n->ev.kind == ev->kind) {
                /* Take the newer event's contents in place (the queue keeps its links). */
                struct dh_event old = n->ev;
                n->ev = *ev;
                *ev = old;
                dh_event_free(ev);
                return; /* already signalled */
            }
        }
    }
    struct queued_event *node = (struct queued_event *)ev; /* ev is its first member */
    node->next = NULL;
    if (c->ev_tail)
        c->ev_tail->next = node;
    else
        c->ev_head = node;
    c->ev_tail = node;
    uint64_t one = 1;
    ssize_t w = write(c->wake_fd, &one, sizeof one);
    (void)w; /* the counter saturating is harmless: the reader drains the queue */
}

static void post(struct dh_client *c, struct dh_event *ev)
{
    pthread_mutex_lock(&c->mu);
    post_locked(c, ev);
    pthread_mutex_unlock(&c->mu);
}

static void post_error(struct dh_client *c, enum dh_event_kind kind, uint64_t req,
                       const struct dh_error *err)
{
    struct dh_event *ev = event_new(c, kind, req);
    if (!ev)
        return;
    ev->ok = 0;
    ev->err = *err;
    post(c, ev);
}

/* Post the current ticket list. Locked. */
static void post_tickets_locked(struct dh_client *c)
{
    struct dh_event *ev = event_new(c, DH_EV_TICKETS, 0);
    if (!ev)
        return;
    ev->tickets = dh_monitor_snapshot(&c->monitor, &ev->n_tickets);
    post_locked(c, ev);
}

static void set_conn_locked(struct dh_client *c, enum dh_conn_state st, const struct dh_error *err)
{
    if (st == DH_CONN_CONNECTED && c->conn != DH_CONN_CONNECTED) {
        /* Back: windows that failed meanwhile are due at once (take_request_locked). */
        c->conn_ups++;
    }
    if (st != c->conn)
        pthread_cond_broadcast(&c->cv); /* also wakes commands waiting for a session */
    c->conn = st;
    struct dh_event *ev = event_new(c, DH_EV_CONNECTION, 0);
    if (!ev)
        return;
    ev->conn_state = st;
    if (err && err->code != DH_OK) {
        ev->ok = 0;
        ev->err = *err;
    }
    post_locked(c, ev);
}

static void set_conn(struct dh_client *c, enum dh_conn_state st, const struct dh_error *err)
{
    pthread_mutex_lock(&c->mu);
    set_conn_locked(c, st, err);
    pthread_mutex_unlock(&c->mu);
}

/* The current session (a reference the caller drops with dh_session_free)
 * and its generation, or NULL. */
static struct dh_session *current_session(struct dh_client *c, uint64_t *gen)
{
    pthread_mutex_lock(&c->mu);
    struct dh_session *s = dh_session_hold(c->session);
    if (gen)
        *gen = c->session_gen;
    pthread_mutex_unlock(&c->mu);
    return s;
}

/* ---- conn thread ---- */

/* Windows retry at once when this changes: a new session, the connection
 * back (CONNECTED), or the channel's link up again. Locked. */
static uint64_t link_epoch(const struct dh_client *c)
{
    return c->session_gen + c->conn_ups + c->link_ups;
}

/* The current session's channel is READY again (its watcher thread): the
 * reconnect wait and failed windows are due now, not when their back-off
 * ends. Only a change to READY calls this, so a server that answers with
 * errors is still paced by the back-off. */
static void on_link_ready(void *ctx)
{
    struct dh_client *c = ctx;
    pthread_mutex_lock(&c->mu);
    c->link_ups++;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* A call on session s succeeded: if s is current and we said otherwise, we
 * are connected again. Locked. */
static void mark_connected_locked(struct dh_client *c, struct dh_session *s)
{
    if (c->conn == DH_CONN_CONNECTED || c->session != s)
        return;
    set_conn_locked(c, DH_CONN_CONNECTED, NULL);
    c->next_probe_ms = 0; /* settle fetched tickets now */
    if (dh_monitor_on_reconnect(&c->monitor, dh_now_ms()))
        post_tickets_locked(c);
    pthread_cond_broadcast(&c->cv);
}

struct objects_ctx {
    struct dh_client *c;
    struct dh_session *s;
    int heard; /* a message arrived on this watch */
};

static void on_objects(void *ctx, struct dh_object_list *snapshot)
{
    struct objects_ctx *oc = ctx;
    struct dh_client *c = oc->c;
    oc->heard = 1;
    struct dh_event *ev = event_new(c, DH_EV_OBJECTS, 0);
    pthread_mutex_lock(&c->mu);
    /* The object list came back after a cut: that is a call that succeeded. */
    mark_connected_locked(c, oc->s);
    if (ev) {
        ev->objects = snapshot;
        post_locked(c, ev);
    }
    pthread_mutex_unlock(&c->mu);
    if (!ev)
        dh_object_list_free(snapshot);
}

/* Retire the current session (expired or unusable) and say so in one event;
 * a new one will be made. Threads still using it hold their own references;
 * the last one frees it. */
static void drop_session(struct dh_client *c, const struct dh_error *why)
{
    pthread_mutex_lock(&c->mu);
    struct dh_session *old = c->session;
    c->session = NULL;
    c->session_gen++;
    cancel_epoch_work_locked(c);
    size_t ended = 0;
    if (dh_monitor_on_session_lost(&c->monitor, why->msg, dh_now_ms(), &ended))
        post_tickets_locked(c);
    struct dh_event *ev = event_new(c, DH_EV_SESSION_ENDED, 0);
    if (ev) {
        ev->err = *why;
        ev->n_ended = ended;
        post_locked(c, ev);
    }
    /* In the same step as the session goes: nobody may see "connected" with
     * no session while the old one is freed. */
    set_conn_locked(c, DH_CONN_CONNECTING, NULL);
    pthread_mutex_unlock(&c->mu);
    if (old) /* its link no longer concerns us (outside c->mu: see dh_channel_watch) */
        dh_channel_watch(dh_session_channel(old), NULL, NULL, NULL);
    dh_session_free(old);
}

/* Authentication problems will not go away by retrying. */
static int is_permanent(const struct dh_error *e)
{
    return e->code == DH_EINVAL || e->code == DH_ESYS ||
           (dh_error_is_status(e, DH_GRPC_UNAUTHENTICATED) ||
            dh_error_is_status(e, DH_GRPC_PERMISSION_DENIED));
}

static int connect_once(struct dh_client *c, struct dh_error *err)
{
    struct dh_session *s = dh_session_connect(&c->opt.connect, err);
    if (!s)
        return err->code;
    dh_session_start_keepalive(s, NULL);
    /* Without it, a retry after a cut waits for its back-off although the
     * link is back (a failed watcher only costs that promptness). */
    dh_channel_watch(dh_session_channel(s), on_link_ready, c, NULL);
    pthread_mutex_lock(&c->mu);
    c->session = s;
    c->session_gen++;
    c->next_probe_ms = 0; /* probe fetched tickets on the new session now */
    set_conn_locked(c, DH_CONN_CONNECTED, NULL);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return DH_OK;
}

/* Watch the object list until the stream ends; DH_ECANCELLED when stopping.
 * *heard is set when the server sent something. */
static int watch_objects(struct dh_client *c, struct dh_session *s, int *heard,
                         struct dh_error *err)
{
    struct dh_objects_watch *w = dh_objects_watch_new(s, err);
    if (!w)
        return err->code;
    pthread_mutex_lock(&c->mu);
    int stop = c->stopping;
    if (!stop)
        c->watch = w;
    pthread_mutex_unlock(&c->mu);
    struct objects_ctx oc = {c, s, 0};
    int rc = stop ? DH_ECANCELLED : dh_objects_watch_run(w, on_objects, &oc, err);
    *heard = oc.heard;
    pthread_mutex_lock(&c->mu);
    c->watch = NULL;
    pthread_mutex_unlock(&c->mu);
    dh_objects_watch_free(w);
    return rc;
}

/* Say we are down and when the next try is due, then wait for it, or until
 * the link comes up (link_ups moves past ups, its value when the failed
 * attempt began: a link back during the attempt counts too). */
static void wait_retry(struct dh_client *c, struct dh_backoff *r, const struct dh_error *e,
                       uint64_t ups)
{
    int64_t wait = dh_backoff_fail(r, dh_now_ms());
    pthread_mutex_lock(&c->mu);
    c->next_try_ms = dh_now_ms() + wait;
    set_conn_locked(c, DH_CONN_RETRYING, e);
    if (dh_monitor_on_disconnect(&c->monitor, dh_now_ms()))
        post_tickets_locked(c);
    int64_t until = dh_now_ms() + wait;
    while (!c->stopping && c->link_ups == ups && dh_now_ms() < until)
        wait_until(c, until);
    pthread_mutex_unlock(&c->mu);
}

/* The session is over: the server forgot it, or no refresh reached the
 * server within its lifetime. Says why in e. */
static int session_over(struct dh_session *s, struct dh_error *e)
{
    if (dh_session_known_dead(s)) {
        dh_session_state(s, e);
        return 1;
    }
    if (dh_now_ms() < dh_session_deadline_ms(s))
        return 0;
    dh_error_set(e, DH_ETIMEOUT, "no call reached the server within the session's lifetime");
    return 1;
}

/* The stream dropped: is the session still alive, expired, or unreachable? */
static void recover(struct dh_client *c, struct dh_session *s, struct dh_backoff *r, uint64_t ups)
{
    struct dh_error e;
    dh_error_clear(&e);
    if (!session_over(s, &e)) {
        if (dh_session_refresh(s, &e) == DH_OK) {
            dh_backoff_reset(r);
            pthread_mutex_lock(&c->mu);
            mark_connected_locked(c, s);
            pthread_mutex_unlock(&c->mu);
            nap(c, 250); /* the stream ended but the session lives: reopen soon */
            return;
        }
        if (!session_over(s, &e)) {
            wait_retry(c, r, &e, ups);
            return;
        }
    }
    if (dh_error_is_status(&e, DH_GRPC_UNAUTHENTICATED)) /* not a credentials problem here */
        snprintf(e.msg, sizeof e.msg,
                 "the server no longer knows it: it expired, or the "
                 "server restarted");
    drop_session(c, &e);
}

/* After a permanent failure: wait until the caller supplies new credentials
 * (1, connect again) or the client stops (0). */
static int wait_credentials(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t gen = c->credentials_gen;
    c->awaiting_credentials = 1;
    while (!c->stopping && c->credentials_gen == gen)
        pthread_cond_wait(&c->cv, &c->mu);
    c->awaiting_credentials = 0;
    int stop = c->stopping;
    if (!stop)
        set_conn_locked(c, DH_CONN_CONNECTING, NULL);
    pthread_mutex_unlock(&c->mu);
    return !stop;
}

static void *conn_main(void *arg)
{
    struct dh_client *c = arg;
    struct dh_backoff r;
    dh_backoff_init(&r, DH_RETRY_INITIAL_MS, DH_RETRY_CAP_MS, DH_RETRY_JITTER_PCT,
                    (uint64_t)dh_now_ms() ^ (uint64_t)(uintptr_t)c);
    for (;;) {
        pthread_mutex_lock(&c->mu);
        int stop = c->stopping;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        struct dh_error e;
        dh_error_clear(&e);
        pthread_mutex_lock(&c->mu);
        uint64_t ups = c->link_ups;
        pthread_mutex_unlock(&c->mu);
        struct dh_session *s = current_session(c, NULL);
        if (!s) {
            if (connect_once(c, &e) == DH_OK) {
                dh_backoff_reset(&r);
                continue;
            }
            if (e.code == DH_ECANCELLED)
                continue; /* stopping */
            if (is_permanent(&e)) {
                set_conn(c, DH_CONN_FAILED, &e);
                if (!wait_credentials(c))
                    break; /* stopping */
                continue;
            }
            wait_retry(c, &r, &e, ups);
            continue;
        }
        int heard = 0;
        if (watch_objects(c, s, &heard, &e) != DH_ECANCELLED) {
            if (heard)
                dh_backoff_reset(&r); /* it worked for a while: a new outage starts over */
            recover(c, s, &r, ups);
        }
        dh_session_free(s);
    }
    return NULL;
}

/* ---- notes thread: ExportNotifications ---- */

static void apply_notification(struct dh_client *c, const struct dh_buf *msg)
{
    Io__Deephaven__Proto__Backplane__Grpc__ExportNotification *n =
        io__deephaven__proto__backplane__grpc__export_notification__unpack(NULL, msg->len,
                                                                           msg->data);
    if (!n)
        return;
    struct dh_ticket t;
    int32_t id;
    if (n->ticket && n->ticket->ticket.len == 5) {
        dh_ticket_init(&t);
        if (dh_ticket_set_bytes(&t, n->ticket->ticket.data, 5, NULL) == DH_OK &&
            dh_ticket_export_id(&t, &id) == DH_OK && id != 0) {
            pthread_mutex_lock(&c->mu);
            if (dh_monitor_on_export_state(&c->monitor, id, (int)n->export_state, n->context,
                                           dh_now_ms()))
                post_tickets_locked(c);
            pthread_mutex_unlock(&c->mu);
        }
    }
    io__deephaven__proto__backplane__grpc__export_notification__free_unpacked(n, NULL);
}

/* Wait until there is a session (or stop); returns a reference to it (the
 * caller drops it with dh_session_free), NULL when stopping. */
static struct dh_session *await_session(struct dh_client *c, uint64_t *gen)
{
    pthread_mutex_lock(&c->mu);
    while (!c->stopping && !c->session)
        pthread_cond_wait(&c->cv, &c->mu);
    struct dh_session *s = c->stopping ? NULL : dh_session_hold(c->session);
    *gen = c->session_gen;
    pthread_mutex_unlock(&c->mu);
    return s;
}

static void *notes_main(void *arg)
{
    struct dh_client *c = arg;
    uint64_t gen;
    struct dh_session *s;
    while ((s = await_session(c, &gen))) {
        Io__Deephaven__Proto__Backplane__Grpc__ExportNotificationRequest req =
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__EXPORT_NOTIFICATION_REQUEST__INIT;
        struct dh_stream *st =
            dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_EXPORT_NOTIFICATIONS,
                           &req.base, DH_STREAM_HALF_CLOSE, 0, "export notifications", NULL);
        int stop = st && dh_cancel_attach(c->notes_cancel, st, NULL) != DH_OK;
        for (struct dh_buf msg = {0}; st && !stop && dh_stream_read(st, &msg, NULL) == DH_OK;) {
            apply_notification(c, &msg);
            dh_buf_reset(&msg);
        }
        dh_cancel_detach(c->notes_cancel, st);
        dh_stream_free(st);
        dh_session_free(s);
        /* Ended: the session closed, expired, or the server went away. Wait a
         * little, then follow whatever session is current. */
        if (nap(c, 1000))
            break;
    }
    return NULL;
}

/* ---- ctl thread: commands and probes ---- */

static void ticket_status_init(struct dh_ticket_status *st, const struct dh_ticket *t,
                               enum dh_ticket_dir dir, const char *name, const char *type,
                               enum dh_ticket_state state)
{
    memset(st, 0, sizeof *st);
    st->ticket = *t;
    st->dir = dir;
    snprintf(st->name, sizeof st->name, "%s", name ? name : "");
    snprintf(st->type, sizeof st->type, "%s", type ? type : "");
    st->state = state;
    st->since_ms = st->checked_ms = dh_now_ms();
}

static void do_publish(struct dh_client *c, struct dh_session *s, const struct cmd *cmd)
{
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_ticket shared, export_ticket;
    if (dh_publish_object(s, &cmd->ticket, &shared, &export_ticket, &e) != DH_OK) {
        dh_error_prefix(&e, "publish");
        post_error(c, DH_EV_PUBLISHED, cmd->req, &e);
        return;
    }
    struct dh_event *ev = event_new(c, DH_EV_PUBLISHED, cmd->req);
    struct dh_ticket_status st;
    ticket_status_init(&st, &shared, DH_DIR_PUBLISHED, cmd->name, cmd->type, DH_TS_VALID);
    st.source = cmd->ticket;
    pthread_mutex_lock(&c->mu);
    dh_monitor_add(&c->monitor, &st, &export_ticket);
    if (ev) {
        ev->ticket = st;
        post_locked(c, ev);
    }
    post_tickets_locked(c);
    pthread_mutex_unlock(&c->mu);
}

/* A partitioned table: its descriptor, and its key table derived from the
 * underlying table, which is then released (the key table stands alone). */
static int fetch_partitioned(struct dh_session *s, struct dh_fetched *f, struct dh_error *err)
{
    struct dh_partitioned *p = NULL;
    int rc = dh_partitioned_fetch(s, &f->export_ticket, &p, err);
    if (rc != DH_OK)
        return rc;
    struct dh_ticket keys;
    dh_ticket_make_export(&keys, dh_session_next_export_id(s));
    rc = dh_partitioned_keys(s, p, &keys, &f->table, err);
    dh_partitioned_release(s, p);
    if (rc != DH_OK) {
        dh_partitioned_free(p);
        return rc;
    }
    f->kind = DH_KIND_PARTITIONED;
    f->partitioned = p;
    snprintf(f->type, sizeof f->type, "%s", DH_PARTITIONED_TYPE);
    return DH_OK;
}

/* Find out what an export is: a table, a figure, a partitioned table, or
 * something else (pydeephaven fetch_table / plugin fetch). type: what the object
 * list says it is ("" when not known). */
static int detect_kind(struct dh_session *s, struct dh_fetched *f, const char *type,
                       struct dh_error *err)
{
    struct dh_error e;
    dh_error_clear(&e);
    if (dh_table_info_fetch(s, &f->export_ticket, &f->table, &e) == DH_OK) {
        f->kind = DH_KIND_TABLE;
        snprintf(f->type, sizeof f->type, "Table");
        return DH_OK;
    }
    if (!dh_error_is_not_a_table(&e)) {
        *err = e;
        return e.code;
    }
    dh_error_clear(&e);
    if (strcmp(type, DH_PARTITIONED_TYPE) != 0 &&
        dh_figure_fetch(s, &f->export_ticket, &f->figure, &e) == DH_OK) {
        f->kind = DH_KIND_FIGURE;
        snprintf(f->type, sizeof f->type, "%s", f->figure->is_express ? DH_EXPRESS_TYPE : "Figure");
        return DH_OK;
    }
    f->kind = DH_KIND_OTHER;
    dh_error_object_type(&e, f->type, sizeof f->type);
    if (strcmp(type, DH_PARTITIONED_TYPE) == 0 || strcmp(f->type, DH_PARTITIONED_TYPE) == 0)
        return fetch_partitioned(s, f, err);
    if (strcmp(f->type, "HierarchicalTable") == 0) {
        /* HierarchicalTableTypePlugin: the descriptor says how to read it */
        f->hier = calloc(1, sizeof *f->hier);
        if (!f->hier)
            return dh_error_set(err, DH_ENOMEM, "out of memory");
        dh_error_clear(&e);
        if (dh_hier_fetch(s, &f->export_ticket, f->hier, &e) != DH_OK) {
            free(f->hier);
            f->hier = NULL;
            *err = e;
            return e.code;
        }
        f->kind = DH_KIND_HIER;
    }
    return DH_OK;
}

/* What to call a fetched object in the tickets list: the server does not say
 * what a shared ticket's publisher named it, so describe what it holds. */
static void fetched_label(const struct dh_fetched *f, char *buf, size_t n)
{
    if (f->kind == DH_KIND_TABLE)
        snprintf(buf, n, "%lld rows, %zu columns%s", (long long)f->table.size,
                 f->table.schema.n_fields, f->table.is_static ? "" : ", ticking");
    else if (f->kind == DH_KIND_FIGURE && f->figure && f->figure->title && f->figure->title[0])
        snprintf(buf, n, "%s", f->figure->title);
    else
        snprintf(buf, n, "%s", f->type[0] ? f->type : "object");
}

/* A zeroed result for a fetch or derive, or NULL after posting the
 * out-of-memory failure of request req as event kind. */
static struct dh_fetched *fetched_new(struct dh_client *c, enum dh_event_kind kind, uint64_t req)
{
    struct dh_fetched *f = calloc(1, sizeof *f);
    if (!f) {
        struct dh_error e;
        dh_error_set(&e, DH_ENOMEM, "out of memory");
        post_error(c, kind, req, &e);
    }
    return f;
}

static void do_fetch(struct dh_client *c, struct dh_session *s, uint64_t gen, const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_fetched *f = fetched_new(c, DH_EV_FETCHED, cmd->req);
    if (!f)
        return;
    f->source = cmd->ticket;
    f->epoch = gen;
    if (dh_export_from_ticket(s, &cmd->ticket, &f->export_ticket, &e) != DH_OK ||
        detect_kind(s, f, cmd->type, &e) != DH_OK) {
        if (f->export_ticket.len)
            dh_release(s, &f->export_ticket, NULL);
        dh_table_info_reset(&f->table);
        free(f);
        dh_error_prefix(&e, "fetch");
        post_error(c, DH_EV_FETCHED, cmd->req, &e);
        return;
    }
    if (!f->type[0] && cmd->type[0])
        snprintf(f->type, sizeof f->type, "%s", cmd->type);
    /* A table's rows are read through the durable source, resolved again in
     * each session; this first export is its resolution in this one. */
    struct dh_source durable = {cmd->ticket, gen};
    int cache =
        (f->kind == DH_KIND_TABLE || f->kind == DH_KIND_PARTITIONED) && dh_source_durable(&durable);
    f->rows_source = cache ? durable : (struct dh_source){f->export_ticket, gen};
    if (f->kind == DH_KIND_PARTITIONED) /* the pager reads the key table */
        f->rows_source = (struct dh_source){f->table.ticket, gen};
    struct dh_event *ev = event_new(c, DH_EV_FETCHED, cmd->req);
    struct dh_ticket superseded;
    pthread_mutex_lock(&c->mu);
    int release = cache && gen == c->session_gen &&
                  dh_epoch_put(&c->exports, &cmd->ticket, gen, &f->export_ticket, &superseded);
    if (cmd->kind == CMD_FETCH) {
        struct dh_ticket_status st;
        char label[128];
        fetched_label(f, label, sizeof label);
        ticket_status_init(&st, &cmd->ticket, DH_DIR_FETCHED, label, f->type, DH_TS_VALID);
        dh_monitor_add(&c->monitor, &st, NULL);
        post_tickets_locked(c);
    }
    if (ev) {
        ev->fetched = f;
        ev->elapsed_ms = (double)(dh_now_ms() - t0);
        post_locked(c, ev);
    } else {
        if (f->kind == DH_KIND_PARTITIONED)
            dh_release(s, &f->table.ticket, NULL);
        dh_table_info_reset(&f->table);
        dh_figure_free(f->figure);
        dh_partitioned_free(f->partitioned);
        dh_hier_info_reset(f->hier);
        free(f->hier);
        free(f);
    }
    pthread_mutex_unlock(&c->mu);
    if (release)
        dh_release(s, &superseded, NULL);
}

static void do_release(struct dh_client *c, struct dh_session *s, const struct cmd *cmd)
{
    struct dh_error e;
    dh_error_clear(&e);
    pthread_mutex_lock(&c->mu);
    struct dh_monitor_entry *m = dh_monitor_find(&c->monitor, &cmd->ticket, DH_DIR_PUBLISHED);
    struct dh_ticket export_ticket = m ? m->export_ticket : cmd->ticket;
    /* Published tickets leave VALID when their session ends: their export id
     * may name something else in the current session, so it is never sent. */
    int live = m && m->status.state == DH_TS_VALID;
    pthread_mutex_unlock(&c->mu);
    if (!live) {
        dh_error_set(&e, DH_EINVAL,
                     m ? "release: that ticket already ended"
                       : "release: this session did not publish that ticket");
        post_error(c, DH_EV_RELEASED, cmd->req, &e);
        return;
    }
    if (dh_release(s, &export_ticket, &e) != DH_OK) {
        dh_error_prefix(&e, "release");
        post_error(c, DH_EV_RELEASED, cmd->req, &e);
        return;
    }
    struct dh_event *ev = event_new(c, DH_EV_RELEASED, cmd->req);
    pthread_mutex_lock(&c->mu);
    m = dh_monitor_find(&c->monitor, &cmd->ticket, DH_DIR_PUBLISHED);
    if (m) {
        dh_monitor_set(m, DH_TS_RELEASED, "released by you", dh_now_ms());
        if (ev)
            ev->ticket = m->status;
    }
    post_locked(c, ev);
    post_tickets_locked(c);
    pthread_mutex_unlock(&c->mu);
}

/* Forget a source: release its export if it is one of this epoch's. */
static void do_forget(struct dh_client *c, struct dh_session *s, uint64_t gen,
                      const struct cmd *cmd)
{
    struct dh_ticket release = cmd->ticket;
    int mine = cmd->epoch == gen;
    if (dh_ticket_kind(&cmd->ticket) != DH_TICKET_EXPORT) {
        pthread_mutex_lock(&c->mu);
        mine = dh_epoch_forget(&c->exports, &cmd->ticket, gen, &release);
        pthread_mutex_unlock(&c->mu);
    }
    if (mine)
        dh_release(s, &release, NULL);
}

/* The event a command answers with. */
static enum dh_event_kind cmd_event_kind(enum cmd_kind k)
{
    switch (k) {
    case CMD_PUBLISH: return DH_EV_PUBLISHED;
    case CMD_RELEASE: return DH_EV_RELEASED;
    case CMD_DERIVE: return DH_EV_DERIVED;
    case CMD_SEEK: return DH_EV_SEEK;
    case CMD_STATS: return DH_EV_STATS;
    case CMD_TREE_ROWS: return DH_EV_TREE_ROWS;
    case CMD_ROW: return DH_EV_ROW;
    default: return DH_EV_FETCHED; /* CMD_PART_GET, CMD_PART_KEY, CMD_PART_MERGE too */
    }
}

static int resolve_source(struct dh_client *c, struct dh_session *s, uint64_t gen,
                          const struct dh_source *src, struct dh_ticket *out, int *gone,
                          struct dh_error *e);

/* Post f, a table the command exported in epoch gen from its ticket (a derived view, a
 * constituent, a merge), as event kind; without memory for the event the export is
 * released and f freed. */
static void post_table_export(struct dh_client *c, struct dh_session *s, enum dh_event_kind kind,
                              const struct cmd *cmd, struct dh_fetched *f, uint64_t gen, int64_t t0)
{
    f->kind = DH_KIND_TABLE;
    f->source = cmd->ticket;
    f->epoch = gen;
    f->rows_source = (struct dh_source){f->export_ticket, gen};
    snprintf(f->type, sizeof f->type, "Table");
    struct dh_event *ev = event_new(c, kind, cmd->req);
    if (!ev) {
        dh_release(s, &f->export_ticket, NULL);
        dh_table_info_reset(&f->table);
        free(f);
        return;
    }
    ev->ok = 1;
    ev->fetched = f;
    ev->epoch = gen;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    post(c, ev);
}

/* Derive a view of a source in this epoch: resolve the source to an export,
 * then one Batch call exports the view (dh_table_derive). */
static void do_derive(struct dh_client *c, struct dh_session *s, uint64_t gen,
                      const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_fetched *f = fetched_new(c, DH_EV_DERIVED, cmd->req);
    if (!f)
        return;
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket base;
    int gone = 0;
    int rc = resolve_source(c, s, gen, &src, &base, &gone, &e);
    if (rc == DH_OK) {
        dh_ticket_make_export(&f->export_ticket, dh_session_next_export_id(s));
        rc = dh_table_derive(s, &base, &cmd->ops, &f->export_ticket, &f->table, &e);
    }
    if (rc != DH_OK) {
        free(f);
        post_error(c, DH_EV_DERIVED, cmd->req, &e);
        return;
    }
    post_table_export(c, s, DH_EV_DERIVED, cmd, f, gen, t0);
}

/* Search a column of a source on the server (SeekRow): no rows are read. */
static void do_seek(struct dh_client *c, struct dh_session *s, uint64_t gen, const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket base;
    int gone = 0;
    int64_t row = -1;
    int rc = resolve_source(c, s, gen, &src, &base, &gone, &e);
    if (rc == DH_OK)
        rc = dh_table_seek_row(s, &base, &cmd->seek, &row, &e);
    if (rc != DH_OK) {
        post_error(c, DH_EV_SEEK, cmd->req, &e);
        return;
    }
    struct dh_event *ev = event_new(c, DH_EV_SEEK, cmd->req);
    if (!ev)
        return;
    ev->row = row;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    post(c, ev);
}

/* Statistics of a column of a source: one Batch call exports the statistics
 * table (ComputeColumnStatistics), a DoGet reads its one row, and the export
 * is released. */
static void do_stats(struct dh_client *c, struct dh_session *s, uint64_t gen, const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket base, result;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int gone = 0;
    struct dh_rows *rows = calloc(1, sizeof *rows);
    int rc = rows ? resolve_source(c, s, gen, &src, &base, &gone, &e)
                  : dh_error_set(&e, DH_ENOMEM, "out of memory");
    if (rc == DH_OK) {
        dh_ticket_make_export(&result, dh_session_next_export_id(s));
        rc = dh_table_derive(s, &base, &cmd->ops, &result, &info, &e);
        if (rc == DH_OK) {
            dh_table_info_reset(&info);
            rc = dh_table_doget(s, &result, rows, NULL, &e);
            dh_release(s, &result, NULL);
        }
    }
    struct dh_event *ev = rc == DH_OK ? event_new(c, DH_EV_STATS, cmd->req) : NULL;
    if (!ev) {
        if (rows)
            dh_rows_reset(rows);
        free(rows);
        if (rc != DH_OK)
            post_error(c, DH_EV_STATS, cmd->req, &e);
        return;
    }
    ev->rows = rows;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    post(c, ev);
}

/* One row of a source with its lists whole (the pager's windows cut them):
 * a viewport snapshot of that row without previewListLengthLimit. */
static void do_row(struct dh_client *c, struct dh_session *s, uint64_t gen, const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket base;
    int gone = 0;
    struct dh_rows *rows = calloc(1, sizeof *rows);
    int rc = rows ? resolve_source(c, s, gen, &src, &base, &gone, &e)
                  : dh_error_set(&e, DH_ENOMEM, "out of memory");
    if (rc == DH_OK)
        rc = dh_table_snapshot_limited(s, &base, cmd->row, 1, NULL, 0, rows, NULL, &e);
    struct dh_event *ev = rc == DH_OK ? event_new(c, DH_EV_ROW, cmd->req) : NULL;
    if (!ev) {
        if (rows)
            dh_rows_reset(rows);
        free(rows);
        if (rc != DH_OK)
            post_error(c, DH_EV_ROW, cmd->req, &e);
        return;
    }
    ev->rows = rows;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    post(c, ev);
}

/* A partitioned table's constituent or merge: resolve the partitioned table
 * (and the keys) in this epoch, then one PartitionedTableService call exports
 * the table. */
static void do_partition(struct dh_client *c, struct dh_session *s, uint64_t gen,
                         const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_fetched *f = fetched_new(c, DH_EV_FETCHED, cmd->req);
    if (!f)
        return;
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket pt, keys;
    int gone = 0;
    int rc = resolve_source(c, s, gen, &src, &pt, &gone, &e);
    if (rc == DH_OK && cmd->kind == CMD_PART_GET)
        rc = resolve_source(c, s, gen, &cmd->keys, &keys, &gone, &e);
    if (rc == DH_OK) {
        dh_ticket_make_export(&f->export_ticket, dh_session_next_export_id(s));
        if (cmd->kind == CMD_PART_GET)
            rc = dh_partitioned_get(s, &pt, cmd->unique, &keys, cmd->row, &f->export_ticket,
                                    &f->table, &e);
        else if (cmd->kind == CMD_PART_KEY)
            rc = dh_partitioned_get_key(s, &pt, cmd->unique, &cmd->ops, &f->export_ticket,
                                        &f->table, &e);
        else
            rc = dh_partitioned_merge(s, &pt, &f->export_ticket, &f->table, &e);
    }
    if (rc != DH_OK) {
        free(f);
        post_error(c, DH_EV_FETCHED, cmd->req, &e);
        return;
    }
    post_table_export(c, s, DH_EV_FETCHED, cmd, f, gen, t0);
}

/* A window of a hierarchical table: a view with the command's expansions, read
 * through a viewport subscription, then released (dh_hier.h). */
static void do_tree_rows(struct dh_client *c, struct dh_session *s, uint64_t gen,
                         const struct cmd *cmd)
{
    int64_t t0 = dh_now_ms();
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_source src = {cmd->ticket, cmd->epoch};
    struct dh_ticket base, view;
    int gone = 0;
    struct dh_rows *rows = calloc(1, sizeof *rows);
    int rc = rows ? resolve_source(c, s, gen, &src, &base, &gone, &e)
                  : dh_error_set(&e, DH_ENOMEM, "out of memory");
    if (rc == DH_OK)
        rc = dh_hier_view(s, &base, cmd->hkeys, &view, &e);
    if (rc == DH_OK) {
        rc = dh_hier_read(s, &view, cmd->first, cmd->count, rows, &e);
        dh_release(s, &view, NULL);
    }
    struct dh_event *ev = rc == DH_OK ? event_new(c, DH_EV_TREE_ROWS, cmd->req) : NULL;
    if (!ev) {
        if (rows)
            dh_rows_reset(rows);
        free(rows);
        if (rc != DH_OK)
            post_error(c, DH_EV_TREE_ROWS, cmd->req, &e);
        return;
    }
    ev->rows = rows;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    post(c, ev);
}

/* A command given while connecting (a ticket pasted at start-up) waits this
 * long for the session before it fails. */
#define DH_CMD_SESSION_WAIT_MS 10000

/* The current session for a command, waiting up to DH_CMD_SESSION_WAIT_MS
 * while a connection is being made; NULL if none came (or the connection
 * failed for good, or the client is stopping). */
static struct dh_session *command_session(struct dh_client *c, uint64_t *gen)
{
    int64_t until = dh_now_ms() + DH_CMD_SESSION_WAIT_MS;
    pthread_mutex_lock(&c->mu);
    while (!c->session && !c->stopping && c->conn != DH_CONN_FAILED &&
           dh_cond_wait_until(&c->cv, &c->mu, until) == 0)
        ;
    struct dh_session *s = c->stopping ? NULL : dh_session_hold(c->session);
    *gen = c->session_gen;
    pthread_mutex_unlock(&c->mu);
    return s;
}

static void run_cmd(struct dh_client *c, const struct cmd *cmd)
{
    uint64_t gen;
    struct dh_session *s =
        cmd->kind == CMD_FORGET ? current_session(c, &gen) : command_session(c, &gen);
    if (s && cmd->kind != CMD_FORGET && cmd->epoch != gen &&
        dh_ticket_kind(&cmd->ticket) == DH_TICKET_EXPORT) {
        /* Export ids restart with each session: this one names something else now. */
        struct dh_error e;
        char what[160];
        dh_ticket_describe(what, sizeof what, "using", &cmd->ticket);
        dh_error_set(&e, DH_EINVAL,
                     "%s: it belonged to an earlier session, which ended; open the object again",
                     what);
        post_error(c, cmd_event_kind(cmd->kind), cmd->req, &e);
        dh_session_free(s);
        return;
    }
    if (!s) {
        struct dh_error e;
        dh_error_set(&e, DH_EGRPC, "not connected to the server yet; try again in a moment");
        if (cmd->kind == CMD_FORGET)
            return;
        post_error(c, cmd_event_kind(cmd->kind), cmd->req, &e);
        return;
    }
    switch (cmd->kind) {
    case CMD_PUBLISH: do_publish(c, s, cmd); break;
    case CMD_FETCH:
    case CMD_OPEN: do_fetch(c, s, gen, cmd); break;
    case CMD_RELEASE: do_release(c, s, cmd); break;
    case CMD_FORGET: do_forget(c, s, gen, cmd); break;
    case CMD_DERIVE: do_derive(c, s, gen, cmd); break;
    case CMD_SEEK: do_seek(c, s, gen, cmd); break;
    case CMD_STATS: do_stats(c, s, gen, cmd); break;
    case CMD_ROW: do_row(c, s, gen, cmd); break;
    case CMD_PART_GET:
    case CMD_PART_KEY:
    case CMD_PART_MERGE: do_partition(c, s, gen, cmd); break;
    case CMD_TREE_ROWS: do_tree_rows(c, s, gen, cmd); break;
    }
    dh_session_free(s);
}

/* Probe every fetched ticket once: nothing tells us their fate (docs/PROTOCOL.md,
 * Detecting an invalid ticket). */
static void probe_all(struct dh_client *c)
{
    struct dh_session *s = current_session(c, NULL);
    if (!s)
        return;
    pthread_mutex_lock(&c->mu);
    size_t n = c->monitor.n;
    struct dh_ticket *todo = n ? malloc(n * sizeof *todo) : NULL;
    size_t k = 0;
    for (size_t i = 0; todo && i < n; i++)
        if (c->monitor.items[i].status.dir == DH_DIR_FETCHED)
            todo[k++] = c->monitor.items[i].status.ticket;
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < k; i++) {
        struct dh_error e;
        dh_error_clear(&e);
        enum dh_probe_result r = dh_probe_ticket(s, &todo[i], &e);
        pthread_mutex_lock(&c->mu);
        struct dh_monitor_entry *m = dh_monitor_find(&c->monitor, &todo[i], DH_DIR_FETCHED);
        if (m && dh_monitor_on_probe(m, r, e.msg, dh_now_ms()))
            post_tickets_locked(c);
        pthread_mutex_unlock(&c->mu);
    }
    free(todo);
    dh_session_free(s);
}

static void *ctl_main(void *arg)
{
    struct dh_client *c = arg;
    int probe_ms = c->opt.probe_interval_ms > 0 ? c->opt.probe_interval_ms : DH_DEFAULT_PROBE_MS;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stopping && !c->cmd_head && !(c->session && dh_now_ms() >= c->next_probe_ms))
            wait_until(c, c->session ? c->next_probe_ms : dh_now_ms() + 1000);
        if (c->stopping)
            break;
        struct cmd *cmd = c->cmd_head;
        if (cmd) {
            c->cmd_head = cmd->next;
            if (!c->cmd_head)
                c->cmd_tail = NULL;
            pthread_mutex_unlock(&c->mu);
            run_cmd(c, cmd);
            cmd_free(cmd);
        } else {
            c->next_probe_ms = dh_now_ms() + probe_ms;
            pthread_mutex_unlock(&c->mu);
            probe_all(c);
        }
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---- rows and live threads ---- */

/* Failures a later attempt may get past: the link, the server's load, a
 * session being renewed. Anything else (bad range, not a table) is final. */
static int is_transient(int rc, const struct dh_error *e)
{
    if (rc == DH_ETIMEOUT || rc == DH_ECANCELLED || rc == DH_END)
        return 1;
    if (rc != DH_EGRPC)
        return 0;
    switch (e->grpc_status) {
    case DH_GRPC_CANCELLED: /* by the server */
    case DH_GRPC_UNKNOWN:
    case DH_GRPC_DEADLINE_EXCEEDED:
    case DH_GRPC_NOT_FOUND: /* our cached export went away: the source is resolved again */
    case DH_GRPC_RESOURCE_EXHAUSTED:
    case DH_GRPC_ABORTED:
    case DH_GRPC_INTERNAL:
    case DH_GRPC_UNAVAILABLE:
    case DH_GRPC_UNAUTHENTICATED: /* the session is being renewed */ return 1;
    default: return 0;
    }
}

/* The export to read src through in session s (epoch gen): the one resolved
 * before in this epoch, or a new one (ExportFromTicket). Never an export of
 * another epoch. *gone is set when the source cannot be resolved any more. */
static int resolve_source(struct dh_client *c, struct dh_session *s, uint64_t gen,
                          const struct dh_source *src, struct dh_ticket *out, int *gone,
                          struct dh_error *e)
{
    pthread_mutex_lock(&c->mu);
    enum dh_resolve r = dh_epoch_resolve(&c->exports, src, gen, out);
    pthread_mutex_unlock(&c->mu);
    if (r == DH_RESOLVE_CACHED || r == DH_RESOLVE_DIRECT)
        return DH_OK;
    if (r == DH_RESOLVE_STALE) {
        char what[160];
        dh_ticket_describe(what, sizeof what, "reading", &src->ticket);
        *gone = 1;
        return dh_error_set(e, DH_EINVAL,
                            "%s: it belonged to an earlier session, which ended (export ids "
                            "restart with each session); open the object again",
                            what);
    }
    int rc = dh_export_from_ticket(s, &src->ticket, out, e);
    pthread_mutex_lock(&c->mu);
    c->stats.exports_made += rc == DH_OK;
    struct dh_ticket superseded;
    /* Cached only while its session is current (a put for a dead epoch would
     * retire the live one's entries). */
    int release = rc == DH_OK && gen == c->session_gen &&
                  dh_epoch_put(&c->exports, &src->ticket, gen, out, &superseded);
    pthread_mutex_unlock(&c->mu);
    if (release)
        dh_release(s, &superseded, NULL);
    if (dh_error_is_not_found(e) || dh_error_is_released(e))
        *gone = 1; /* the server does not know it, or it can no longer be used */
    return rc;
}

/* A read through src's export ended with rc. NOT_FOUND means the export went
 * away: a durable source's resolution is forgotten, so the next attempt
 * resolves it again; an export source is gone for good (returns 1). */
static int after_read(struct dh_client *c, uint64_t gen, const struct dh_source *src, int rc,
                      const struct dh_error *e)
{
    if (rc != DH_EGRPC || !dh_error_is_not_found(e))
        return 0;
    if (!dh_source_durable(src))
        return 1;
    struct dh_ticket unused;
    pthread_mutex_lock(&c->mu);
    dh_epoch_forget(&c->exports, &src->ticket, gen, &unused);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* Post a window's rows (or its error) as request req's DH_EV_ROWS, unless
 * *latest says a newer request replaced it; takes rows. Locked. */
static void post_rows_locked(struct dh_client *c, const uint64_t *latest, uint64_t req, int rc,
                             struct dh_rows *rows, const struct dh_error *e, int64_t t0,
                             uint64_t gen)
{
    struct dh_event *ev = *latest == req ? event_new(c, DH_EV_ROWS, req) : NULL;
    if (ev) {
        ev->elapsed_ms = (double)(dh_now_ms() - t0);
        ev->epoch = gen;
        if (rc == DH_OK) {
            ev->rows = rows;
            rows = NULL;
        } else {
            ev->ok = 0;
            ev->err = *e;
        }
        post_locked(c, ev);
    }
    if (rows) {
        dh_rows_reset(rows);
        free(rows);
    }
}

/* One window thread's request slot, back-off and latest request id. */
struct window_slot {
    struct rows_req *pending;
    int *has_pending;
    uint64_t *latest;
    struct dh_backoff *bo;
    uint64_t *bo_epoch; /* link_epoch() when the last attempt began */
};

/* Wait until a request is pending, a session is up and the back-off says the
 * next attempt is due, then take the request with a reference to its session
 * (the caller drops it with dh_session_free) and the epoch. A new session, or
 * the link coming back, makes a failed request due at once. 0 when
 * stopping. Locked. */
static int take_request_locked(struct dh_client *c, const struct window_slot *w,
                               struct rows_req *out, struct dh_session **s, uint64_t *gen)
{
    for (;;) {
        if (c->stopping)
            return 0;
        if (!*w->has_pending || !c->session) {
            pthread_cond_wait(&c->cv, &c->mu);
            continue;
        }
        if (*w->bo_epoch != link_epoch(c))
            dh_backoff_reset(w->bo); /* a new session, or the link is back */
        int64_t now = dh_now_ms(), wait = dh_backoff_wait_ms(w->bo, now);
        if (wait > 0) {
            wait_until(c, now + wait);
            continue;
        }
        *out = *w->pending;
        *w->has_pending = 0;
        /* Taken now, so a link that comes back while this attempt fails
         * still makes the next one due at once. */
        *w->bo_epoch = link_epoch(c);
        *s = dh_session_hold(c->session);
        *gen = c->session_gen;
        return 1;
    }
}

/* An attempt at request r ended with rc. Success resets the back-off; a
 * failure pushes the next attempt back, and a failure a later attempt may get
 * past puts r back as pending (unless replaced), so the client retries by
 * itself and says so (retrying, retry_ms). Takes rows. Locked. */
static void settle_locked(struct dh_client *c, const struct window_slot *w,
                          const struct rows_req *r, int rc, struct dh_rows *rows,
                          const struct dh_error *e, int gone, int64_t t0, uint64_t gen)
{
    if (rc == DH_OK) {
        dh_backoff_reset(w->bo);
        post_rows_locked(c, w->latest, r->req, rc, rows, e, t0, gen);
        return;
    }
    if (rows) {
        dh_rows_reset(rows);
        free(rows);
    }
    int wanted = !c->stopping && *w->latest == r->req && !*w->has_pending;
    if (!wanted)
        return; /* replaced or cancelled: nobody waits for this answer */
    int retry = !gone && is_transient(rc, e);
    /* Every failure delays the next attempt; only failures that may pass
     * escalate it (a final one must not hold up the next, unrelated window). */
    if (!retry)
        dh_backoff_reset(w->bo);
    dh_backoff_fail(w->bo, dh_now_ms());
    if (retry) {
        *w->pending = *r;
        *w->has_pending = 1;
    }
    struct dh_event *ev = event_new(c, DH_EV_ROWS, r->req);
    if (!ev)
        return;
    ev->ok = 0;
    ev->err = *e;
    if (rc == DH_END || rc == DH_ECANCELLED)
        dh_error_set(&ev->err, rc,
                     "the live window stopped (the server closed it or the session changed)");
    ev->epoch = gen;
    ev->elapsed_ms = (double)(dh_now_ms() - t0);
    ev->retrying = retry;
    ev->retry_ms = retry ? dh_backoff_wait_ms(w->bo, dh_now_ms()) : 0;
    ev->source_gone = gone;
    post_locked(c, ev);
}

/* Stop the running rows call: its result would be dropped anyway. Locked. */
static void cancel_running_rows(struct dh_client *c)
{
    if (c->rows_running)
        dh_cancel_fire(c->rows_cancel);
}

/* Cancel the running subscription; its window is not moved any more. Locked. */
static void cancel_live_locked(struct dh_client *c)
{
    if (!c->live_sub)
        return;
    c->live_sub_cancelled = 1;
    dh_subscription_cancel(c->live_sub);
}

/* The session is being replaced: stop the calls that use its exports, so the
 * rows and live threads resolve their sources again in the next one. Locked. */
static void cancel_epoch_work_locked(struct dh_client *c)
{
    cancel_running_rows(c);
    cancel_live_locked(c);
}

static struct window_slot rows_slot_of(struct dh_client *c)
{
    struct window_slot w = {&c->rows_pending, &c->rows_has_pending, &c->rows_latest, &c->rows_bo,
                            &c->rows_bo_epoch};
    return w;
}

static struct window_slot live_slot_of(struct dh_client *c)
{
    struct window_slot w = {&c->live_pending, &c->live_has_pending, &c->live_latest, &c->live_bo,
                            &c->live_bo_epoch};
    return w;
}

/* One window at a time; a newer request supersedes (and cancels) an older one. */
static void *rows_main(void *arg)
{
    struct dh_client *c = arg;
    struct window_slot w = rows_slot_of(c);
    struct rows_req r;
    struct dh_session *s;
    uint64_t gen;
    pthread_mutex_lock(&c->mu);
    while (take_request_locked(c, &w, &r, &s, &gen)) {
        dh_cancel_reset(c->rows_cancel); /* fired (under c->mu) only while a call runs */
        c->rows_running = r.req;
        c->stats.rows_attempts++;
        pthread_mutex_unlock(&c->mu);
        struct dh_error e;
        dh_error_clear(&e);
        struct dh_rows *rows = calloc(1, sizeof *rows);
        int64_t t0 = dh_now_ms();
        int gone = 0;
        struct dh_ticket ex;
        int rc = !rows ? dh_error_set(&e, DH_ENOMEM, "out of memory")
                       : resolve_source(c, s, gen, &r.source, &ex, &gone, &e);
        if (rc == DH_OK) {
            rc = dh_table_snapshot_limited(s, &ex, r.w.first, r.w.count, NULL,
                                           DH_TABLE_LIST_PREVIEW + 1, rows, c->rows_cancel, &e);
            gone = after_read(c, gen, &r.source, rc, &e);
        }
        dh_session_free(s);
        pthread_mutex_lock(&c->mu);
        c->rows_running = 0;
        settle_locked(c, &w, &r, rc, rows, &e, gone, t0, gen);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Post a live window's rows unless a newer request replaced it. The server
 * answered, so the next failure starts the back-off from the beginning. */
static void post_live(struct dh_client *c, uint64_t req, struct dh_rows *rows, int64_t t0,
                      uint64_t gen)
{
    pthread_mutex_lock(&c->mu);
    dh_backoff_reset(&c->live_bo);
    post_rows_locked(c, &c->live_latest, req, DH_OK, rows, NULL, t0, gen);
    pthread_mutex_unlock(&c->mu);
}

/* Whether the live window req is still the one wanted in epoch gen (not
 * replaced, not stopping, the session not renewed). */
static int live_wanted(struct dh_client *c, uint64_t req, uint64_t gen)
{
    pthread_mutex_lock(&c->mu);
    int wanted =
        !c->stopping && c->live_latest == req && !c->live_has_pending && c->session_gen == gen;
    pthread_mutex_unlock(&c->mu);
    return wanted;
}

/* Sleep up to ms while live window req stays wanted; 1 if it no longer is. */
static int nap_while(struct dh_client *c, uint64_t req, uint64_t gen, int64_t ms)
{
    int64_t until = dh_now_ms() + ms;
    pthread_mutex_lock(&c->mu);
    while (!c->stopping && c->live_latest == req && !c->live_has_pending && c->session_gen == gen &&
           dh_now_ms() < until)
        wait_until(c, until);
    pthread_mutex_unlock(&c->mu);
    return !live_wanted(c, req, gen);
}

/* One read of a live window by snapshot: its columns; a reverse window is
 * placed from the table size the last read saw (*size, -1 before any: then
 * a one-row read learns it first). */
static int poll_once(struct dh_session *s, const struct dh_ticket *ex, const struct dh_window *w,
                     int64_t *size, struct dh_rows *rows, struct dh_error *e)
{
    struct dh_column_set cs = {.bits = w->cols, .n_columns = w->n_columns};
    const struct dh_column_set *cols = w->n_columns ? &cs : NULL;
    int64_t first = w->first;
    if (w->reverse && *size < 0) {
        int rc = dh_table_snapshot_limited(s, ex, 0, 1, cols, 0, rows, NULL, e);
        if (rc != DH_OK)
            return rc;
        *size = rows->table_size;
        dh_rows_reset(rows);
    }
    if (w->reverse)
        first = *size - w->first - w->count > 0 ? *size - w->first - w->count : 0;
    int64_t count = w->reverse && *size - w->first < w->count ? *size - w->first : w->count;
    int rc = dh_table_snapshot_limited(s, ex, first, count > 0 ? count : 0, cols,
                                       DH_TABLE_LIST_PREVIEW + 1, rows, NULL, e);
    if (rc == DH_OK)
        *size = rows->table_size;
    return rc;
}

/* Without server subscriptions: re-read the window every DH_LIVE_POLL_MS
 * until it is no longer wanted (DH_ECANCELLED) or a read fails. */
static int live_poll(struct dh_client *c, struct dh_session *s, const struct rows_req *r,
                     const struct dh_ticket *ex, uint64_t gen, struct dh_error *e)
{
    int64_t size = -1;
    while (live_wanted(c, r->req, gen)) {
        struct dh_rows *rows = calloc(1, sizeof *rows);
        int64_t t0 = dh_now_ms();
        int rc = rows ? poll_once(s, ex, &r->w, &size, rows, e)
                      : dh_error_set(e, DH_ENOMEM, "out of memory");
        if (rc != DH_OK) {
            free(rows);
            return rc;
        }
        post_live(c, r->req, rows, t0, gen);
        if (nap_while(c, r->req, gen, DH_LIVE_POLL_MS))
            break;
    }
    dh_error_clear(e);
    return DH_ECANCELLED;
}

/* The rows of an update on the live window: posted for the window the view
 * wants when the server has taken that window up, else dropped (they belong
 * to a window asked for before, whose request nobody waits for). Rows posted
 * after a dropped update, or for another request than the last, say nothing
 * of where their rows were (origin): the view never saw the rows before. */
static void live_rows(struct dh_client *c, struct dh_subscription *sub, struct dh_rows *rows,
                      uint64_t *posted, int *dropped, uint64_t gen)
{
    pthread_mutex_lock(&c->mu);
    struct rows_req want = c->live_want;
    int64_t t0 = c->live_want_ms;
    pthread_mutex_unlock(&c->mu);
    if (!dh_subscription_shows_window(sub, &want.w)) {
        dh_rows_reset(rows);
        free(rows);
        *dropped = 1;
        return;
    }
    if (*dropped || *posted != want.req) {
        free(rows->origin);
        rows->origin = NULL;
        *dropped = 0;
    }
    /* The first rows of a window count from its request, later ones from now. */
    post_live(c, want.req, rows, *posted == want.req ? dh_now_ms() : t0, gen);
    *posted = want.req;
}

/* Follow one subscription until it ends, is replaced or fails; returns how it
 * ended (DH_END: the server closed it; a 12 UNIMPLEMENTED DH_EGRPC: the
 * server cannot subscribe, so the caller polls). While it runs, the steer
 * thread may move its window; *r is then the latest window asked for, for a
 * retry. */
static int live_subscribe(struct dh_client *c, struct dh_session *s, struct rows_req *r,
                          const struct dh_ticket *ex, uint64_t gen, struct dh_error *e)
{
    int64_t t0 = dh_now_ms();
    struct dh_subscription *sub =
        dh_subscription_open_window(s, ex, &r->w, 0, DH_TABLE_LIST_PREVIEW + 1, e);
    if (!sub)
        return e->code;
    pthread_mutex_lock(&c->mu);
    int replaced =
        c->stopping || c->live_latest != r->req || c->live_has_pending || c->session_gen != gen;
    if (!replaced) {
        c->live_sub = sub;
        c->live_sub_cancelled = 0;
        c->live_sub_gen = gen;
        c->live_want = *r;
        c->live_want_ms = t0;
        c->live_steer = 0;
    }
    pthread_mutex_unlock(&c->mu);
    int rc = replaced ? DH_ECANCELLED : DH_OK;
    uint64_t posted = 0;
    int dropped = 0;
    while (rc == DH_OK) {
        struct dh_rows *rows = calloc(1, sizeof *rows);
        rc =
            rows ? dh_subscription_next(sub, rows, e) : dh_error_set(e, DH_ENOMEM, "out of memory");
        if (rc != DH_OK) {
            free(rows);
            break;
        }
        live_rows(c, sub, rows, &posted, &dropped, gen);
    }
    pthread_mutex_lock(&c->mu);
    if (c->live_sub == sub) {
        c->live_sub = NULL;
        if (c->live_steer && c->live_latest == c->live_want.req && !c->live_has_pending) {
            c->live_pending = c->live_want; /* asked for but never sent: subscribe anew */
            c->live_has_pending = 1;
        }
        c->live_steer = 0;
        if (c->live_want.req)
            *r = c->live_want;
    }
    while (c->live_steering)
        pthread_cond_wait(&c->cv, &c->mu); /* the steer thread still writes on sub */
    pthread_mutex_unlock(&c->mu);
    dh_subscription_free(sub);
    return rc;
}

/* A live tree window: a view of hierarchical table ex with the keys, then a
 * viewport subscription of the view, followed as any live window (each update
 * of a view is a snapshot of its viewport: HierarchicalTableViewSubscription);
 * the view is released when the subscription ends. New expansions are a new
 * view and a new subscription, as JsTreeTable replaces its subscription when
 * its key table changes. */
static int live_tree(struct dh_client *c, struct dh_session *s, struct rows_req *r,
                     const struct dh_ticket *ex, const struct dh_hier_keys *keys, uint64_t gen,
                     struct dh_error *e)
{
    struct dh_ticket view;
    int rc = dh_hier_view(s, ex, keys, &view, e);
    if (rc != DH_OK)
        return rc;
    rc = live_subscribe(c, s, r, &view, gen, e);
    dh_release(s, &view, NULL);
    return rc;
}

/* Move the open subscription's window: one more request on its stream
 * (docs/DESIGN.md, Live rows). A request that cannot be sent ends that
 * subscription; the live thread subscribes again for the window wanted. */
static void *steer_main(void *arg)
{
    struct dh_client *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stopping && !(c->live_steer && c->live_sub))
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stopping)
            break;
        struct dh_subscription *sub = c->live_sub;
        struct rows_req want = c->live_want;
        c->live_steer = 0;
        c->live_steering = 1;
        c->stats.live_changes++;
        pthread_mutex_unlock(&c->mu);
        struct dh_error e;
        dh_error_clear(&e);
        int rc = dh_subscription_set_window(sub, &want.w, &e);
        pthread_mutex_lock(&c->mu);
        c->live_steering = 0;
        if (rc != DH_OK && c->live_sub == sub && c->live_latest == want.req) {
            c->live_pending = c->live_want;
            c->live_has_pending = 1;
            cancel_live_locked(c);
        }
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---- a plot-express figure that changes ---- */

/* Post one figure of watch req (its tables are the watch's: a copy of the
 * tickets in k), unless a newer request replaced it. */
static void post_figure(struct dh_client *c, uint64_t req, struct dh_figure *fig, uint64_t gen)
{
    struct dh_fetched *f = fetched_new(c, DH_EV_FIGURE, req);
    struct dh_event *ev = f ? event_new(c, DH_EV_FIGURE, req) : NULL;
    if (!ev) {
        free(f);
        dh_figure_free(fig);
        return;
    }
    f->kind = DH_KIND_FIGURE;
    f->figure = fig;
    f->epoch = gen;
    snprintf(f->type, sizeof f->type, "%s", DH_EXPRESS_TYPE);
    ev->ok = 1;
    ev->fetched = f;
    pthread_mutex_lock(&c->mu);
    if (c->fig_latest == req)
        post_locked(c, ev);
    else
        dh_event_free(ev);
    pthread_mutex_unlock(&c->mu);
}

/* Follow one figure's stream until it ends or is cancelled: each message
 * (the first and every later one) taken into the references so far and
 * posted as a whole figure; references the plugin removed are released at
 * once, the rest when the stream ends. */
static int follow_figure(struct dh_client *c, struct dh_session *s, uint64_t gen, uint64_t req,
                         struct dh_object_watch *w, struct dh_error *e)
{
    struct dh_express_refs k = {0};
    int rc = DH_OK;
    while (rc == DH_OK) {
        struct dh_object_reply r = {0};
        rc = dh_object_watch_next(w, &r, e);
        struct dh_figure *fig = NULL;
        size_t cap = k.n + r.n_refs, n_removed = 0;
        struct dh_ticket *removed = rc == DH_OK ? calloc(cap ? cap : 1, sizeof *removed) : NULL;
        if (rc == DH_OK && !removed)
            rc = dh_error_set(e, DH_ENOMEM, "out of memory reading a figure update");
        if (rc == DH_OK)
            rc = dh_express_take(&k, r.payload, r.payload_len, r.refs, (const char *const *)r.types,
                                 r.n_refs, &fig, removed, &n_removed, cap, e);
        dh_object_reply_release(s, &r); /* what k did not take */
        dh_object_reply_reset(&r);
        for (size_t i = 0; i < n_removed; i++)
            dh_release(s, &removed[i], NULL);
        free(removed);
        if (rc == DH_OK)
            post_figure(c, req, fig, gen);
    }
    for (size_t i = 0; i < k.n; i++)
        if (k.tickets[i].len)
            dh_release(s, &k.tickets[i], NULL);
    dh_express_refs_reset(&k);
    return rc;
}

/* One followed figure at a time: the latest dh_client_watch_figure. */
static void *fig_main(void *arg)
{
    struct dh_client *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stopping && !(c->fig_has_pending && c->session))
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stopping)
            break;
        uint64_t req = c->fig_latest;
        struct dh_source src = c->fig_src;
        c->fig_has_pending = 0;
        uint64_t gen = c->session_gen;
        struct dh_session *s = dh_session_hold(c->session);
        pthread_mutex_unlock(&c->mu);
        struct dh_error e;
        dh_error_clear(&e);
        struct dh_ticket ex;
        int gone = 0;
        int rc = resolve_source(c, s, gen, &src, &ex, &gone, &e);
        struct dh_object_watch *w =
            rc == DH_OK ? dh_object_watch_open(s, &ex, DH_EXPRESS_TYPE, &e) : NULL;
        pthread_mutex_lock(&c->mu);
        int wanted = w && !c->stopping && c->fig_latest == req && !c->fig_has_pending;
        if (wanted)
            c->fig_watch = w;
        pthread_mutex_unlock(&c->mu);
        if (wanted)
            rc = follow_figure(c, s, gen, req, w, &e);
        else if (w)
            rc = dh_error_set(&e, DH_ECANCELLED, "replaced");
        pthread_mutex_lock(&c->mu);
        if (c->fig_watch == w)
            c->fig_watch = NULL;
        pthread_mutex_unlock(&c->mu);
        dh_object_watch_free(w);
        if (rc != DH_ECANCELLED) { /* the stream ended: the view keeps its last figure */
            if (rc == DH_END)
                dh_error_set(&e, DH_END, "the figure's stream ended");
            post_error(c, DH_EV_FIGURE, req, &e);
        }
        dh_session_free(s);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* One live window at a time. When its subscription ends or fails while it is
 * still wanted (the server restarted, the session was renewed), it is taken up
 * again after the back-off, in whatever session is current then. */
static void *live_main(void *arg)
{
    struct dh_client *c = arg;
    struct window_slot w = live_slot_of(c);
    struct rows_req r;
    struct dh_session *s;
    uint64_t gen;
    pthread_mutex_lock(&c->mu);
    while (take_request_locked(c, &w, &r, &s, &gen)) {
        c->stats.live_attempts++;
        struct dh_hier_keys *keys = r.tree ? dh_hier_keys_copy(c->live_keys) : NULL;
        pthread_mutex_unlock(&c->mu);
        struct dh_error e;
        dh_error_clear(&e);
        int64_t t0 = dh_now_ms();
        int gone = 0;
        struct dh_ticket ex;
        int rc = r.tree && !keys ? dh_error_set(&e, DH_ENOMEM, "out of memory")
                                 : resolve_source(c, s, gen, &r.source, &ex, &gone, &e);
        if (rc == DH_OK && r.tree) {
            rc = live_tree(c, s, &r, &ex, keys, gen, &e);
            gone = after_read(c, gen, &r.source, rc, &e);
        } else if (rc == DH_OK) {
            rc = live_subscribe(c, s, &r, &ex, gen, &e);
            if (dh_error_is_status(&e, DH_GRPC_UNIMPLEMENTED))
                rc = live_poll(c, s, &r, &ex, gen, &e);
            gone = after_read(c, gen, &r.source, rc, &e);
        }
        dh_hier_keys_free(keys);
        dh_session_free(s);
        pthread_mutex_lock(&c->mu);
        settle_locked(c, &w, &r, rc, NULL, &e, gone, t0, gen);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---- public API ---- */

struct dh_client *dh_client_new(const struct dh_client_options *opt, struct dh_error *err)
{
    struct dh_client *c = calloc(1, sizeof *c);
    if (!c) {
        dh_error_set(err, DH_ENOMEM, "out of memory");
        return NULL;
    }
    c->opt = *opt;
    struct dh_connect_options *co = &c->opt.connect;
    copy_opt(c->host, sizeof c->host, &co->host);
    copy_opt(c->auth_type, sizeof c->auth_type, &co->auth_type);
    if (co->auth_value) {
        c->auth_value = strdup(co->auth_value);
        co->auth_value = c->auth_value;
        if (!c->auth_value) {
            dh_error_set(err, DH_ENOMEM, "out of memory");
            free(c);
            return NULL;
        }
    }
    copy_opt(c->ca, sizeof c->ca, &co->ca_file);
    copy_opt(c->cert, sizeof c->cert, &co->cert_file);
    copy_opt(c->key, sizeof c->key, &co->key_file);
    c->stop_calls = dh_interrupt_new();
    co->interrupt = c->stop_calls;
    snprintf(c->target, sizeof c->target, "%s:%d", co->host ? co->host : "localhost",
             co->port > 0 ? co->port : 10000);
    c->rows_cancel = dh_cancel_new();
    c->notes_cancel = dh_cancel_new();
    int have = c->stop_calls && c->rows_cancel && c->notes_cancel;
    c->wake_fd = have ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
    if (c->wake_fd < 0) {
        if (have)
            dh_error_set(err, DH_ESYS, "cannot create an eventfd: %s", strerror(errno));
        else
            dh_error_set(err, DH_ENOMEM, "out of memory");
        dh_interrupt_free(c->stop_calls);
        dh_cancel_free(c->rows_cancel);
        dh_cancel_free(c->notes_cancel);
        free(c->auth_value);
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->lost.mu, NULL);
    c->reserve = event_alloc(c);
    dh_cond_init_monotonic(&c->cv);
    dh_monitor_init(&c->monitor);
    dh_epoch_cache_init(&c->exports);
    /* Seeded per client and per start, so clients do not retry in step. */
    uint64_t seed = (uint64_t)(uintptr_t)c ^ ((uint64_t)dh_now_ms() << 20) ^ (uint64_t)getpid();
    dh_backoff_init(&c->rows_bo, DH_WINDOW_RETRY_MIN_MS, DH_WINDOW_RETRY_MAX_MS,
                    DH_WINDOW_RETRY_JITTER_PCT, seed);
    dh_backoff_init(&c->live_bo, DH_WINDOW_RETRY_MIN_MS, DH_WINDOW_RETRY_MAX_MS,
                    DH_WINDOW_RETRY_JITTER_PCT, seed * 31 + 7);
    c->conn = DH_CONN_CONNECTING;
    if (pthread_create(&c->conn_thread, NULL, conn_main, c) ||
        pthread_create(&c->notes_thread, NULL, notes_main, c) ||
        pthread_create(&c->ctl_thread, NULL, ctl_main, c) ||
        pthread_create(&c->rows_thread, NULL, rows_main, c) ||
        pthread_create(&c->live_thread, NULL, live_main, c) ||
        pthread_create(&c->steer_thread, NULL, steer_main, c) ||
        pthread_create(&c->fig_thread, NULL, fig_main, c)) {
        /* Threads that did start see stopping and exit; we cannot join the
         * ones that did not, so this is reported and the client leaked. */
        dh_error_set(err, DH_ESYS, "cannot start the client threads");
        pthread_mutex_lock(&c->mu);
        c->stopping = 1;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        return NULL;
    }
    c->started = 1;
    return c;
}

void dh_client_free(struct dh_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = 1;
    if (c->watch)
        dh_objects_watch_cancel(c->watch);
    dh_cancel_fire(c->notes_cancel);
    cancel_running_rows(c);
    cancel_live_locked(c);
    dh_object_watch_cancel(c->fig_watch);
    /* Calls blocked on a stalled server (or still connecting) must not hold
     * up quitting: every channel of ours cancels its calls now. */
    dh_interrupt_set(c->stop_calls, 1);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (c->started) {
        pthread_join(c->conn_thread, NULL);
        pthread_join(c->notes_thread, NULL);
        pthread_join(c->ctl_thread, NULL);
        pthread_join(c->rows_thread, NULL);
        pthread_join(c->live_thread, NULL);
        pthread_join(c->steer_thread, NULL);
        pthread_join(c->fig_thread, NULL);
    }
    /* The threads are gone and dropped their references: ours is the last.
     * CloseSession (the server releases our exports) is best effort with a
     * short deadline, skipped for a session known dead. */
    dh_interrupt_set(c->stop_calls, 0);
    dh_session_free(c->session);
    dh_hier_keys_free(c->live_keys);
    while (c->cmd_head) {
        struct cmd *n = c->cmd_head->next;
        cmd_free(c->cmd_head);
        c->cmd_head = n;
    }
    while (c->ev_head) {
        struct queued_event *n = c->ev_head->next;
        dh_event_free(&c->ev_head->ev);
        c->ev_head = n;
    }
    dh_event_free(c->reserve);
    pthread_mutex_destroy(&c->lost.mu);
    dh_monitor_reset(&c->monitor);
    close(c->wake_fd);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    dh_interrupt_free(c->stop_calls); /* after every channel that borrowed it */
    dh_cancel_free(c->rows_cancel);
    dh_cancel_free(c->notes_cancel);
    if (c->auth_value)
        dh_wipe(c->auth_value, strlen(c->auth_value));
    free(c->auth_value);
    free(c);
}

int dh_client_set_credentials(struct dh_client *c, const char *auth_value, struct dh_error *err)
{
    size_t n = auth_value ? strlen(auth_value) : 0;
    if (n > DH_CREDENTIAL_MAX)
        return dh_error_set(err, DH_EINVAL,
                            "the credential is %zu bytes; at most %d are "
                            "accepted",
                            n, DH_CREDENTIAL_MAX);
    char *copy = strdup(auth_value ? auth_value : "");
    if (!copy)
        return dh_error_set(err, DH_ENOMEM, "out of memory");
    pthread_mutex_lock(&c->mu);
    if (!c->awaiting_credentials) {
        pthread_mutex_unlock(&c->mu);
        free(copy);
        return dh_error_set(err, DH_EINVAL,
                            "not waiting for credentials (connected or "
                            "connecting)");
    }
    if (c->auth_value) {
        dh_wipe(c->auth_value, strlen(c->auth_value));
        free(c->auth_value);
    }
    c->auth_value = copy;
    c->opt.connect.auth_value = copy;
    c->credentials_gen++;
    c->awaiting_credentials = 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return DH_OK;
}

int dh_client_wake_fd(const struct dh_client *c)
{
    return c->wake_fd;
}

/* The oldest loss as an error event (from the reserve when nothing can be
 * allocated), or NULL when none is waiting or no event can be had yet (the
 * loss stays remembered). UI thread. */
static struct dh_event *lost_report(struct dh_client *c)
{
    struct lost_events *l = &c->lost;
    pthread_mutex_lock(&l->mu);
    if (l->n_replies == 0 && l->updates == 0 && l->overflow == 0) {
        pthread_mutex_unlock(&l->mu);
        return NULL;
    }
    struct dh_event *ev = event_alloc(c);
    if (!ev) {
        ev = c->reserve;
        c->reserve = NULL;
    }
    if (!ev) {
        pthread_mutex_unlock(&l->mu);
        return NULL;
    }
    ev->ok = 0;
    if (l->n_replies > 0) {
        ev->kind = l->replies[0].kind;
        ev->req = l->replies[0].req;
        memmove(&l->replies[0], &l->replies[1], --l->n_replies * sizeof l->replies[0]);
        dh_error_set(&ev->err, DH_ENOMEM, "out of memory: the result of this request was lost");
    } else {
        ev->kind = DH_EV_ERROR;
        dh_error_set(&ev->err, DH_ENOMEM,
                     "out of memory: %llu update(s) lost; the object list, tickets and "
                     "other requests may be out of date",
                     (unsigned long long)(l->updates + l->overflow));
        l->updates = l->overflow = 0;
    }
    pthread_mutex_unlock(&l->mu);
    return ev;
}

struct dh_event *dh_client_next_event(struct dh_client *c)
{
    if (!c->reserve)
        c->reserve = event_alloc(c);
    struct dh_event *lost = lost_report(c);
    if (lost)
        return lost;
    pthread_mutex_lock(&c->mu);
    struct queued_event *n = c->ev_head;
    if (!n) {
        uint64_t v;
        ssize_t r = read(c->wake_fd, &v, sizeof v); /* clear: the queue is empty */
        (void)r;
        pthread_mutex_unlock(&c->mu);
        return NULL;
    }
    c->ev_head = n->next;
    if (!c->ev_head)
        c->ev_tail = NULL;
    pthread_mutex_unlock(&c->mu);
    n->next = NULL;
    return &n->ev;
}

/* Queue a command. epoch: the session epoch an export ticket t belongs to;
 * UINT64_MAX for "the current one". */
static uint64_t queue_cmd_struct(struct dh_client *c, struct cmd *cmd, enum cmd_kind kind,
                                 const struct dh_ticket *t, uint64_t epoch)
{
    cmd->kind = kind;
    cmd->ticket = *t;
    pthread_mutex_lock(&c->mu);
    cmd->epoch = epoch == UINT64_MAX ? c->session_gen : epoch;
    cmd->req = ++c->next_req;
    if (c->cmd_tail)
        c->cmd_tail->next = cmd;
    else
        c->cmd_head = cmd;
    c->cmd_tail = cmd;
    uint64_t req = cmd->req;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return req;
}

/* A command that could not be queued for want of memory still gets a request id,
 * and its answer: an out-of-memory error (event_lost). */
static uint64_t queue_lost(struct dh_client *c, enum cmd_kind kind)
{
    pthread_mutex_lock(&c->mu);
    uint64_t req = ++c->next_req;
    pthread_mutex_unlock(&c->mu);
    event_lost(c, cmd_event_kind(kind), req);
    return req;
}

static uint64_t queue_cmd_ops(struct dh_client *c, enum cmd_kind kind, const struct dh_ticket *t,
                              uint64_t epoch, const char *name, const char *type,
                              struct dh_view_ops *ops)
{
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return queue_lost(c, kind);
    if (ops) { /* moved in */
        cmd->ops = *ops;
        dh_view_ops_init(ops);
    }
    snprintf(cmd->name, sizeof cmd->name, "%s", name ? name : "");
    snprintf(cmd->type, sizeof cmd->type, "%s", type ? type : "");
    return queue_cmd_struct(c, cmd, kind, t, epoch);
}

static uint64_t queue_cmd(struct dh_client *c, enum cmd_kind kind, const struct dh_ticket *t,
                          uint64_t epoch, const char *name, const char *type)
{
    return queue_cmd_ops(c, kind, t, epoch, name, type, NULL);
}

uint64_t dh_client_publish(struct dh_client *c, const struct dh_object *obj)
{
    return queue_cmd(c, CMD_PUBLISH, &obj->ticket, UINT64_MAX, obj->name, obj->type);
}

uint64_t dh_client_publish_source(struct dh_client *c, const struct dh_source *src,
                                  const char *name, const char *type)
{
    return queue_cmd(c, CMD_PUBLISH, &src->ticket, src->epoch, name, type);
}

uint64_t dh_client_fetch(struct dh_client *c, const struct dh_ticket *t)
{
    char label[128];
    dh_ticket_format(t, label, sizeof label);
    return queue_cmd(c, CMD_FETCH, t, UINT64_MAX, label, NULL);
}

uint64_t dh_client_fetch_again(struct dh_client *c, const struct dh_ticket *t)
{
    return queue_cmd(c, CMD_OPEN, t, UINT64_MAX, NULL, NULL);
}

uint64_t dh_client_open(struct dh_client *c, const struct dh_object *obj)
{
    return queue_cmd(c, CMD_OPEN, &obj->ticket, UINT64_MAX, obj->name, obj->type);
}

uint64_t dh_client_release(struct dh_client *c, const struct dh_ticket *shared)
{
    return queue_cmd(c, CMD_RELEASE, shared, UINT64_MAX, NULL, NULL);
}

int dh_client_remove_ticket(struct dh_client *c, const struct dh_ticket *t, enum dh_ticket_dir dir,
                            struct dh_error *err)
{
    pthread_mutex_lock(&c->mu);
    struct dh_monitor_entry *e = dh_monitor_find(&c->monitor, t, dir);
    int rc = DH_OK;
    if (!e) {
        rc = dh_error_set(err, DH_EINVAL, "that ticket is not in the list any more");
    } else if (dir == DH_DIR_PUBLISHED &&
               (e->status.state == DH_TS_VALID || e->status.state == DH_TS_CHECKING ||
                e->status.state == DH_TS_UNKNOWN)) {
        rc = dh_error_set(err, DH_EINVAL,
                          "that ticket may still work for others: r releases it first");
    } else {
        dh_monitor_remove(&c->monitor, t, dir);
        post_tickets_locked(c);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

uint64_t dh_client_derive(struct dh_client *c, const struct dh_source *src,
                          const struct dh_view_ops *ops)
{
    struct dh_view_ops copy;
    dh_view_ops_init(&copy);
    if (dh_view_ops_copy(&copy, ops, NULL) != DH_OK)
        return 0;
    uint64_t req = queue_cmd_ops(c, CMD_DERIVE, &src->ticket, src->epoch, NULL, NULL, &copy);
    dh_view_ops_reset(&copy); /* still ours only when queueing failed */
    return req;
}

uint64_t dh_client_seek(struct dh_client *c, const struct dh_source *src, const struct dh_seek *q)
{
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return queue_lost(c, CMD_SEEK);
    cmd->seek = *q;
    cmd->seek.column = q->column ? strdup(q->column) : NULL;
    cmd->seek.value.s = q->value.s ? strdup(q->value.s) : NULL;
    if (!cmd->seek.column || (q->value.s && !cmd->seek.value.s)) {
        cmd_free(cmd);
        return queue_lost(c, CMD_SEEK);
    }
    return queue_cmd_struct(c, cmd, CMD_SEEK, &src->ticket, src->epoch);
}

uint64_t dh_client_row_whole(struct dh_client *c, const struct dh_source *src, int64_t row)
{
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return queue_lost(c, CMD_ROW);
    cmd->row = row;
    return queue_cmd_struct(c, cmd, CMD_ROW, &src->ticket, src->epoch);
}

uint64_t dh_client_stats(struct dh_client *c, const struct dh_source *src, const char *column)
{
    struct dh_view_ops ops;
    dh_view_ops_init(&ops);
    if (dh_view_ops_add_stats(&ops, column, NULL) != DH_OK) {
        dh_view_ops_reset(&ops);
        return 0;
    }
    uint64_t req = queue_cmd_ops(c, CMD_STATS, &src->ticket, src->epoch, NULL, NULL, &ops);
    dh_view_ops_reset(&ops);
    return req;
}

uint64_t dh_client_partition_get(struct dh_client *c, const struct dh_source *pt, int unique_keys,
                                 const struct dh_source *keys, int64_t row)
{
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return queue_lost(c, CMD_PART_GET);
    cmd->keys = *keys;
    cmd->row = row;
    cmd->unique = unique_keys;
    return queue_cmd_struct(c, cmd, CMD_PART_GET, &pt->ticket, pt->epoch);
}

uint64_t dh_client_partition_get_key(struct dh_client *c, const struct dh_source *pt,
                                     int unique_keys, const struct dh_view_ops *match)
{
    struct dh_view_ops copy;
    dh_view_ops_init(&copy);
    if (dh_view_ops_copy(&copy, match, NULL) != DH_OK)
        return queue_lost(c, CMD_PART_KEY);
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd) {
        dh_view_ops_reset(&copy);
        return queue_lost(c, CMD_PART_KEY);
    }
    cmd->ops = copy;
    cmd->unique = unique_keys;
    return queue_cmd_struct(c, cmd, CMD_PART_KEY, &pt->ticket, pt->epoch);
}

uint64_t dh_client_watch_figure(struct dh_client *c, const struct dh_source *src)
{
    pthread_mutex_lock(&c->mu);
    uint64_t req = ++c->next_req;
    c->fig_src = *src;
    c->fig_latest = req;
    c->fig_has_pending = 1;
    dh_object_watch_cancel(c->fig_watch); /* the thread moves on to req */
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return req;
}

uint64_t dh_client_partition_merge(struct dh_client *c, const struct dh_source *pt)
{
    return queue_cmd(c, CMD_PART_MERGE, &pt->ticket, pt->epoch, NULL, NULL);
}

uint64_t dh_client_tree_rows(struct dh_client *c, const struct dh_source *src,
                             const struct dh_hier_keys *keys, int64_t first, int64_t count)
{
    struct cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return queue_lost(c, CMD_TREE_ROWS);
    cmd->hkeys = keys ? dh_hier_keys_copy(keys) : NULL;
    if (keys && !cmd->hkeys) {
        cmd_free(cmd);
        return queue_lost(c, CMD_TREE_ROWS);
    }
    cmd->first = first;
    cmd->count = count;
    return queue_cmd_struct(c, cmd, CMD_TREE_ROWS, &src->ticket, src->epoch);
}

void dh_client_forget(struct dh_client *c, const struct dh_source *src)
{
    queue_cmd(c, CMD_FORGET, &src->ticket, src->epoch, NULL, NULL);
}

uint64_t dh_client_rows(struct dh_client *c, const struct dh_source *src, int64_t first,
                        int64_t count)
{
    pthread_mutex_lock(&c->mu);
    cancel_running_rows(c);
    uint64_t req = ++c->next_req;
    c->rows_pending.req = req;
    c->rows_pending.source = *src;
    c->rows_pending.w = dh_window_of(first, count);
    c->rows_has_pending = 1;
    c->rows_latest = req;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return req;
}

/* A live window of src; keys (taken; NULL for a table) make it a tree's. */
static uint64_t watch(struct dh_client *c, const struct dh_source *src, const struct dh_window *w,
                      int tree, struct dh_hier_keys *keys)
{
    pthread_mutex_lock(&c->mu);
    uint64_t req = ++c->next_req;
    struct rows_req r = {.req = req, .source = *src, .w = *w, .tree = tree};
    c->live_latest = req;
    int same_keys = !tree || dh_hier_keys_equal(keys, c->live_keys);
    if (c->live_sub && !c->live_sub_cancelled && !c->live_has_pending &&
        c->live_sub_gen == c->session_gen && c->live_want.source.epoch == src->epoch &&
        dh_ticket_equal(&c->live_want.source.ticket, &src->ticket) && c->live_want.tree == tree &&
        same_keys) {
        /* The same table (or view) in the same session: the open stream moves. */
        c->live_want = r;
        c->live_want_ms = dh_now_ms();
        c->live_steer = 1;
    } else {
        c->live_pending = r;
        c->live_has_pending = 1;
        cancel_live_locked(c); /* the live thread moves on to req */
    }
    if (tree) { /* the old keys go; the live thread runs on its own copy */
        struct dh_hier_keys *old = c->live_keys;
        c->live_keys = keys;
        keys = old;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    dh_hier_keys_free(keys);
    return req;
}

uint64_t dh_client_watch_rows(struct dh_client *c, const struct dh_source *src, int64_t first,
                              int64_t count)
{
    struct dh_window w = dh_window_of(first, count);
    return watch(c, src, &w, 0, NULL);
}

uint64_t dh_client_watch_window(struct dh_client *c, const struct dh_source *src,
                                const struct dh_window *w)
{
    return watch(c, src, w, 0, NULL);
}

uint64_t dh_client_watch_tree(struct dh_client *c, const struct dh_source *src,
                              const struct dh_hier_keys *keys, int64_t first, int64_t count)
{
    struct dh_hier_keys *k = dh_hier_keys_copy(keys);
    if (!k) { /* reported like a lost command: an out-of-memory DH_EV_ROWS */
        pthread_mutex_lock(&c->mu);
        uint64_t req = ++c->next_req;
        pthread_mutex_unlock(&c->mu);
        event_lost(c, DH_EV_ROWS, req);
        return req;
    }
    struct dh_window w = dh_window_of(first, count);
    return watch(c, src, &w, 1, k);
}

void dh_client_cancel(struct dh_client *c, uint64_t req)
{
    pthread_mutex_lock(&c->mu);
    if (req && c->fig_latest == req) {
        c->fig_latest = 0;
        c->fig_has_pending = 0;
        dh_object_watch_cancel(c->fig_watch);
    }
    if (req && c->live_latest == req) {
        c->live_latest = 0;
        c->live_has_pending = 0;
        c->live_steer = 0;
        cancel_live_locked(c);
        pthread_cond_broadcast(&c->cv);
    }
    if (c->rows_latest == req) {
        c->rows_has_pending = 0;
        c->rows_latest = 0; /* a result still in flight is dropped */
        cancel_running_rows(c);
    }
    for (struct cmd **p = &c->cmd_head; *p; p = &(*p)->next) {
        if ((*p)->req == req && (*p)->kind != CMD_RELEASE) {
            struct cmd *dead = *p;
            *p = dead->next;
            if (c->cmd_tail == dead) {
                c->cmd_tail = NULL;
                for (struct cmd *q = c->cmd_head; q; q = q->next)
                    c->cmd_tail = q;
            }
            cmd_free(dead);
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

enum dh_conn_state dh_client_conn_state(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    enum dh_conn_state st = c->conn;
    if (st == DH_CONN_CONNECTED && dh_session_stalled_ms(c->session) >= DH_STALLED_MS)
        st = DH_CONN_STALLED;
    pthread_mutex_unlock(&c->mu);
    return st;
}

int64_t dh_client_stalled_ms(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    int64_t ms = c->conn == DH_CONN_CONNECTED ? dh_session_stalled_ms(c->session) : -1;
    pthread_mutex_unlock(&c->mu);
    return ms;
}

int64_t dh_client_next_try_in_ms(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    int64_t left = -1;
    if (c->conn == DH_CONN_RETRYING)
        left = c->next_try_ms > dh_now_ms() ? c->next_try_ms - dh_now_ms() : 0;
    pthread_mutex_unlock(&c->mu);
    return left;
}

size_t dh_client_live_published(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = dh_monitor_live_published(&c->monitor);
    pthread_mutex_unlock(&c->mu);
    return n;
}

int64_t dh_client_session_age_ms(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    int64_t age = c->session && c->conn == DH_CONN_CONNECTED ? dh_session_age_ms(c->session) : -1;
    pthread_mutex_unlock(&c->mu);
    return age;
}

struct dh_session *dh_client_hold_session(struct dh_client *c, uint64_t *epoch)
{
    return current_session(c, epoch);
}

uint64_t dh_client_epoch(struct dh_client *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t gen = c->session_gen;
    pthread_mutex_unlock(&c->mu);
    return gen;
}

void dh_client_get_stats(struct dh_client *c, struct dh_client_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_lock(&c->lost.mu);
    out->events_lost = c->lost.total;
    pthread_mutex_unlock(&c->lost.mu);
}

const char *dh_client_target(const struct dh_client *c)
{
    return c->target;
}
