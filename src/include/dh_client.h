/* SPDX-License-Identifier: MIT */
/* dh_client: the asynchronous face of libdh for interactive programs. It owns
 * a session and the threads that talk to the server; the caller (the UI
 * thread) sends commands that return at once and receives results as events
 * from a queue whose wake-up descriptor it polls. Nothing here blocks. */
#ifndef DH_CLIENT_H
#define DH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "dh_epoch.h"
#include "dh_error.h"
#include "dh_figure.h"
#include "dh_hier.h"
#include "dh_monitor.h"
#include "dh_objects.h"
#include "dh_partitioned.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_tableops.h"
#include "dh_ticket.h"

struct dh_client_options {
    struct dh_connect_options connect;
    int probe_interval_ms; /* how often tickets from others are probed; default 5000 */
    /* Tests: allocates events instead of calloc (to make it fail); what it returns
     * must be freeable with free(). NULL: calloc. */
    void *(*event_calloc)(size_t n, size_t size);
};

/* Connection as the user sees it. */
enum dh_conn_state {
    DH_CONN_CONNECTING = 0,
    DH_CONN_CONNECTED,
    DH_CONN_RETRYING, /* lost; reconnecting with back-off */
    DH_CONN_FAILED,   /* gave up (bad credentials, ...) */
    DH_CONN_STALLED,  /* connected, but calls have waited DH_CLIENT_STALLED_MS for the server;
                       * reported by dh_client_conn_state, never in an event */
};

enum dh_event_kind {
    DH_EV_CONNECTION = 1, /* conn_state, err (when failing), target */
    DH_EV_OBJECTS,        /* objects: a new snapshot */
    DH_EV_TICKETS,        /* tickets: all known tickets, in order of addition */
    DH_EV_PUBLISHED, /* req; ok -> shared ticket + object name/type in ticket_status; else err */
    DH_EV_FETCHED,   /* req; fetched: kind + table info or figure; else err */
    DH_EV_RELEASED,  /* req; ok or err */
    DH_EV_ROWS,      /* req; rows (ok) or err; elapsed_ms */
    DH_EV_ERROR,     /* a background problem worth a status-line message: err */
    DH_EV_SESSION_ENDED, /* the session ended (err says why); n_ended published tickets
                          * ended with it (DH_TS_SESSION_ENDED); a new one is on its way */
    DH_EV_DERIVED,       /* req; ok -> fetched: the derived table (rows_source, an
                          * export of `epoch`; dh_client_forget it when replaced);
                          * else err with the server's message; elapsed_ms */
    DH_EV_SEEK,          /* req; ok -> row (-1: no match); else err; elapsed_ms */
    DH_EV_STATS,         /* req; ok -> rows: the one-row statistics table
                          * (dh_stats_text); else err; elapsed_ms */
    DH_EV_TREE_ROWS,     /* req; ok -> rows: a window of a hierarchical table's view
                          * (rows->table_size: all expanded rows); else err; elapsed_ms */
    DH_EV_ROW,           /* req; ok -> rows: one row with its lists whole; else err;
                          * elapsed_ms */
    DH_EV_FIGURE,        /* req; ok -> fetched: the followed plot-express figure as its
                          * latest message describes it (a DH_KIND_FIGURE of `epoch`
                          * whose tables belong to the watch: never forget them);
                          * else err: the watch ended (the last figure stays usable
                          * until the next watch) */
};

/* What a fetched ticket turned out to be. */
enum dh_object_kind {
    DH_KIND_TABLE = 1,
    DH_KIND_FIGURE,
    DH_KIND_PARTITIONED,
    DH_KIND_OTHER,
    DH_KIND_HIER
};

struct dh_fetched {
    enum dh_object_kind kind;
    char type[64];                      /* the server's type name if known */
    struct dh_ticket source;            /* what was pasted */
    uint64_t epoch;                     /* the session epoch export_ticket (and a figure's
                                         * table tickets) belong to */
    struct dh_ticket export_ticket;     /* our own copy (ExportFromTicket) */
    struct dh_source rows_source;       /* kind == TABLE: what to read rows through and
                                         * dh_client_forget at the end (the pasted ticket
                                         * when durable, else our export) */
    struct dh_table_info table;         /* kind == TABLE (ticket = export_ticket); kind ==
                                         * PARTITIONED: the key table, an export of `epoch`
                                         * (rows_source; dh_client_forget it at the end) */
    struct dh_figure *figure;           /* kind == FIGURE */
    struct dh_partitioned *partitioned; /* kind == PARTITIONED: key and constituent columns
                                         * (its underlying table already released);
                                         * export_ticket is the partitioned table */
    struct dh_hier_info *hier;          /* kind == HIER (a rollup or tree; read it through
                                         * export_ticket with dh_client_tree_rows) */
};

/* One event. Owns its payload; free with dh_event_free. */
struct dh_event {
    enum dh_event_kind kind;
    uint64_t req;        /* the command's request id, 0 for unsolicited events */
    int ok;              /* 1 on success */
    struct dh_error err; /* when !ok */
    enum dh_conn_state conn_state;
    struct dh_object_list *objects; /* DH_EV_OBJECTS */
    size_t n_tickets;               /* DH_EV_TICKETS */
    struct dh_ticket_status *tickets;
    struct dh_ticket_status ticket; /* DH_EV_PUBLISHED / DH_EV_RELEASED: the ticket concerned */
    struct dh_fetched *fetched;     /* DH_EV_FETCHED */
    struct dh_rows *rows;           /* DH_EV_ROWS: the rows with their own schema */
    double elapsed_ms;              /* DH_EV_ROWS / DH_EV_FETCHED: round trip */
    uint64_t epoch;                 /* DH_EV_ROWS: the session epoch they were read in */
    int retrying;                   /* DH_EV_ROWS error: the request stays pending and
                                     * the client tries again by itself ... */
    int64_t retry_ms;               /* ... in about this long (back-off) */
    int source_gone;                /* DH_EV_ROWS error: the source cannot be read any
                                     * more (its session ended, or the server no longer
                                     * knows it); final */
    size_t n_ended;                 /* DH_EV_SESSION_ENDED */
    int64_t row;                    /* DH_EV_SEEK: the row found, -1 if none */
};
void dh_event_free(struct dh_event *ev);

struct dh_client;

/* Session epochs. The client's session is renewed when the server forgets
 * it (expiry, restart); each session is an epoch (dh_client_epoch), and
 * export ids restart with it. Rows are therefore asked for by SOURCE
 * (struct dh_source, dh_epoch.h): a durable ticket (scope, application,
 * shared) is resolved to an export of the current epoch by the client and
 * again after every renewal; an export ticket is used only in the epoch it
 * names and fails, source_gone, after that. Nothing from an old epoch is ever
 * sent in a new session. */

/* Create the client and start connecting in the background (events report
 * progress). Returns NULL only on local failure (threads, memory). Caller
 * frees with dh_client_free. UI thread. */
struct dh_client *dh_client_new(const struct dh_client_options *opt, struct dh_error *err);
/* Close the session (the server releases our exports), stop and join the
 * threads, free pending events. NULL-safe. UI thread. */
void dh_client_free(struct dh_client *c);

/* A descriptor that becomes readable when events are queued. UI thread. */
int dh_client_wake_fd(const struct dh_client *c);
/* Pop the next event, or NULL if none. Caller frees it. No event is dropped for
 * want of memory: one the client could not allocate comes out later as an error,
 * the request's own kind with ok 0 and DH_ENOMEM (a reply), or DH_EV_ERROR saying
 * how many updates were lost (objects, tickets, connection). UI thread. */
struct dh_event *dh_client_next_event(struct dh_client *c);

/* Commands. Each returns a request id (> 0) at once; the result arrives as an
 * event carrying that id. UI thread. */
uint64_t dh_client_publish(struct dh_client *c, const struct dh_object *obj);
/* Publish what a view reads through (an export source only in its epoch). */
uint64_t dh_client_publish_source(struct dh_client *c, const struct dh_source *src,
                                  const char *name, const char *type);
uint64_t dh_client_fetch(struct dh_client *c, const struct dh_ticket *t);
/* Like fetch, for an object from the object list: the ticket is not added to
 * the known tickets (it is the server's name for it, not a shared ticket). */
uint64_t dh_client_open(struct dh_client *c, const struct dh_object *obj);
/* Fetch a durable ticket (scope, application, shared) again, e.g. in a new
 * session epoch; like dh_client_open, it is not added to the known tickets.
 * DH_EV_FETCHED carries the result: a view that takes it sets ev->fetched to
 * NULL (and frees it), else the app discards it. UI thread. */
uint64_t dh_client_fetch_again(struct dh_client *c, const struct dh_ticket *t);
uint64_t dh_client_release(struct dh_client *c, const struct dh_ticket *shared);
/* Take a ticket off the known tickets (a DH_EV_TICKETS follows): any fetched
 * one (it is no longer probed), or a published one that no longer works
 * (released, ended with its session, failed). DH_EINVAL with a sentence for
 * a published ticket still valid (release it first) or one not known. UI
 * thread. */
int dh_client_remove_ticket(struct dh_client *c, const struct dh_ticket *t, enum dh_ticket_dir dir,
                            struct dh_error *err);
/* Rows [first, first+count) of a table source (e.g. dh_fetched.rows_source),
 * lists cut to DH_TABLE_LIST_PREVIEW + 1 elements (see dh_client_row_whole).
 * A newer rows request supersedes an unfinished one (its event comes back
 * with err.code DH_ECANCELLED or not at all). A failure that may pass (link,
 * server load, session renewal) comes back with retrying set: the request
 * stays pending and is tried again after a jittered, capped back-off (a new
 * session makes it due at once); every failure delays the next attempt, so no
 * loop can retry without waiting. A final failure has retrying 0. */
uint64_t dh_client_rows(struct dh_client *c, const struct dh_source *src, int64_t first,
                        int64_t count);
/* Rows [first, first+count) kept live: a Barrage viewport subscription (or,
 * if the server has none, a re-read every second). Every change arrives as a
 * DH_EV_ROWS event with this request id, the first being the whole window.
 * When the subscription ends or fails while still wanted (the server
 * restarted, the session was renewed) an error event with retrying set says
 * so and the client subscribes again, with back-off, in the current session.
 * One live window at a time: a newer call replaces it (a window of the same
 * source in the same session moves on the open subscription: one request, no
 * new stream; its first event comes once the server has taken the new window
 * up, and rows of the old one never carry the new request id);
 * dh_client_cancel stops it. UI thread. */
uint64_t dh_client_watch_rows(struct dh_client *c, const struct dh_source *src, int64_t first,
                              int64_t count);
/* The same for a window of some columns, or counted from the end (struct
 * dh_window): a change of any of them on the same table in the same session
 * is one more request on the open subscription; the rows come under the new
 * request id once the server's effective viewport, direction and columns are
 * the ones asked for. UI thread. */
uint64_t dh_client_watch_window(struct dh_client *c, const struct dh_source *src,
                                const struct dh_window *w);
/* Cancel a pending command if still possible. UI thread. */
void dh_client_cancel(struct dh_client *c, uint64_t req);
/* Derive a view of a table source: the server applies ops (one Batch call)
 * and exports the result in the current session epoch; DH_EV_DERIVED brings
 * it (an export source: after a session renewal its rows fail with
 * source_gone, and the view derives again from src, which should be
 * durable). ops is copied. 0 when out of memory. UI thread. */
uint64_t dh_client_derive(struct dh_client *c, const struct dh_source *src,
                          const struct dh_view_ops *ops);
/* Search a column of a table source on the server (SeekRow, dh_seek):
 * DH_EV_SEEK brings the row (an out-of-memory error when it cannot be queued).
 * q is copied. UI thread. */
uint64_t dh_client_seek(struct dh_client *c, const struct dh_source *src, const struct dh_seek *q);
/* Row `row` of a table source with every list (array) whole: the windows of
 * dh_client_rows and dh_client_watch_rows cut lists to DH_TABLE_LIST_PREVIEW
 * + 1 elements (a list that long was cut). DH_EV_ROW brings it; a row over
 * the message limit comes back as the call's error. 0 when out of memory.
 * UI thread. */
uint64_t dh_client_row_whole(struct dh_client *c, const struct dh_source *src, int64_t row);
/* Statistics of a column of a table source (ComputeColumnStatistics):
 * DH_EV_STATS brings the one-row table; the server keeps nothing. 0 when out
 * of memory. UI thread. */
uint64_t dh_client_stats(struct dh_client *c, const struct dh_source *src, const char *column);
/* Partitioned tables (dh_partitioned.h). pt is what a DH_KIND_PARTITIONED
 * fetch was opened from (its source, durable when it can be, in its epoch).
 * DH_EV_FETCHED brings the result as a DH_KIND_TABLE whose rows_source is a
 * new export of the current epoch (dh_client_forget it at the end). ...the
 * constituent of the key at position `row` of `keys` (the key table or a view
 * of it); unique_keys as the fetch's descriptor says: */
uint64_t dh_client_partition_get(struct dh_client *c, const struct dh_source *pt, int unique_keys,
                                 const struct dh_source *keys, int64_t row);
/* ... the constituent of the key whose values match names (one DH_OP_MATCH or
 * isNull filter per key column; copied), looked up in the current epoch
 * (dh_partitioned_get_key): a constituent's pager asks for it again so after
 * a session renewal: */
uint64_t dh_client_partition_get_key(struct dh_client *c, const struct dh_source *pt,
                                     int unique_keys, const struct dh_view_ops *match);
/* Follow a plot-express figure (src: the figure, durable or an export of its
 * epoch): its stream stays open and every message the plugin sends (the
 * figure now, then each change) comes as a DH_EV_FIGURE with this request id.
 * The tables of those figures are exports the client holds for the watch: it
 * releases one when the plugin stops using it, and the rest when the watch
 * ends (dh_client_cancel, a newer dh_client_watch_figure). One figure at a
 * time. UI thread. */
uint64_t dh_client_watch_figure(struct dh_client *c, const struct dh_source *src);
/* ... every constituent as one table (Merge): */
uint64_t dh_client_partition_merge(struct dh_client *c, const struct dh_source *pt);
/* Forget a source: release the export it resolved to (or the export it is)
 * if that belongs to the current epoch. UI thread. */
void dh_client_forget(struct dh_client *c, const struct dh_source *src);
/* Rows [first, first + count) of a view of the hierarchical table src with the
 * expansions keys (copied; NULL: the server's defaults): DoPut of the key table, View,
 * a viewport read, the view released (dh_hier.h). Answered by DH_EV_TREE_ROWS. */
uint64_t dh_client_tree_rows(struct dh_client *c, const struct dh_source *src,
                             const struct dh_hier_keys *keys, int64_t first, int64_t count);
/* The same window kept live, for a hierarchical table over a ticking source: the
 * live window of dh_client_watch_rows (DH_EV_ROWS events, retries, one live window
 * at a time, dh_client_cancel) on a view with the expansions keys (copied). Each
 * update is the whole window again (the server re-snapshots a view's viewport
 * whenever its source ticks). Moving the window with equal keys moves the open
 * subscription; other keys make a new view and a new subscription, the old view
 * released. UI thread. */
uint64_t dh_client_watch_tree(struct dh_client *c, const struct dh_source *src,
                              const struct dh_hier_keys *keys, int64_t first, int64_t count);

/* Connecting failed for good (DH_CONN_FAILED, e.g. UNAUTHENTICATED for a
 * wrong secret): connect again with this credential instead (the --auth
 * value; copied, at most DH_CREDENTIAL_MAX bytes). After such a failure the
 * client waits for this call; DH_EINVAL when it is not waiting (connected or
 * still trying). DH_EV_CONNECTION events follow as usual. UI thread. */
int dh_client_set_credentials(struct dh_client *c, const char *auth_value, struct dh_error *err);

/* Current connection state (with DH_CONN_STALLED) and published-ticket
 * count (cheap). Any thread. */
enum dh_conn_state dh_client_conn_state(struct dh_client *c);
size_t dh_client_live_published(struct dh_client *c);
/* How long calls have waited for the server while connected: -1 when none
 * waits, 0 when one just heard from it. Any thread. */
#define DH_CLIENT_STALLED_MS 3000
int64_t dh_client_stalled_ms(struct dh_client *c);
/* While DH_CONN_RETRYING: ms until the next attempt (>= 0); else -1. Any thread. */
int64_t dh_client_next_try_in_ms(struct dh_client *c);
/* Session age in ms, or -1 when not connected. Any thread. */
int64_t dh_client_session_age_ms(struct dh_client *c);
const char *dh_client_target(const struct dh_client *c);
/* The current session epoch (changes whenever the session is replaced). Any thread. */
uint64_t dh_client_epoch(struct dh_client *c);
/* A reference to the current session (drop it with dh_session_free) and its
 * epoch, or NULL while not connected: for a long job of the caller's own on
 * its own thread (the pager's save streams a view to a file), which must end
 * before dh_client_free. Any thread. */
struct dh_session *dh_client_hold_session(struct dh_client *c, uint64_t *epoch);

/* Counters for tests and benchmarks: attempts the rows and live threads made
 * (each a call to the server; a live attempt opens a subscription), live
 * windows moved on an open subscription, and exports made to resolve sources. */
struct dh_client_stats {
    uint64_t rows_attempts, live_attempts, live_changes, exports_made;
    uint64_t events_lost; /* events that could not be allocated (each reported as an error) */
};
void dh_client_get_stats(struct dh_client *c, struct dh_client_stats *out);

#endif
