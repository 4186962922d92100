/* SPDX-License-Identifier: MIT */
/* dh_monitor: the validity state of every ticket a client knows (published by
 * us, or fetched from others), with the time of its last change. Pure state:
 * the client feeds it export notifications, probe results and connection
 * changes. Not thread-safe: the owner locks. */
#ifndef DH_MONITOR_H
#define DH_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "dh_exports.h"
#include "dh_ticket.h"

/* Validity of a ticket (docs/DESIGN.md, Data flow: Validity). */
enum dh_ticket_state {
    DH_TS_CHECKING = 0,
    DH_TS_VALID,
    DH_TS_RELEASED,
    DH_TS_NOT_FOUND,
    DH_TS_FAILED,
    DH_TS_UNKNOWN,       /* disconnected: cannot tell */
    DH_TS_SESSION_ENDED, /* published: the session holding its export ended */
};
/* "checking", "valid", "released", "not found", "failed", "unknown",
 * "ended with session". */
const char *dh_ticket_state_name(enum dh_ticket_state s);

enum dh_ticket_dir { DH_DIR_PUBLISHED = 0, DH_DIR_FETCHED };

/* One known ticket, as shown to the user. */
struct dh_ticket_status {
    struct dh_ticket ticket; /* the shared (or pasted) ticket */
    struct dh_ticket source; /* published: the object's own ticket (to publish it again) */
    enum dh_ticket_dir dir;
    char name[128]; /* object name (published) or label (fetched) */
    char type[64];  /* "Table", "Figure", ... or "" */
    enum dh_ticket_state state;
    int64_t since_ms;   /* dh_now_ms() of the last state change */
    int64_t checked_ms; /* dh_now_ms() of the last probe/notification */
    char detail[256];   /* last server message, if any */
};

struct dh_monitor_entry {
    struct dh_ticket_status status;
    struct dh_ticket export_ticket; /* published: the export keeping it alive */
    int released_by_server;         /* RELEASED by a notification, not by us */
};

/* A session's end releases its exports, and their notifications can arrive
 * just before the client sees the session is gone: a published ticket the
 * server released this shortly before the loss ended with the session. */
#define DH_MONITOR_END_WINDOW_MS 5000

struct dh_monitor {
    size_t n, cap;
    struct dh_monitor_entry *items;
};

void dh_monitor_init(struct dh_monitor *m);
void dh_monitor_reset(struct dh_monitor *m);

/* Add (or replace, matched by ticket bytes and direction) a ticket.
 * export_ticket may be NULL. DH_ENOMEM on failure. */
int dh_monitor_add(struct dh_monitor *m, const struct dh_ticket_status *st,
                   const struct dh_ticket *export_ticket);
/* Find by ticket bytes and direction; NULL if absent. */
struct dh_monitor_entry *dh_monitor_find(struct dh_monitor *m, const struct dh_ticket *t,
                                         enum dh_ticket_dir dir);
/* Remove the entry (order of the others kept); 1 if there was one. */
int dh_monitor_remove(struct dh_monitor *m, const struct dh_ticket *t, enum dh_ticket_dir dir);
/* Set an entry's state; returns 1 if the state or detail changed. */
int dh_monitor_set(struct dh_monitor_entry *e, enum dh_ticket_state st, const char *detail,
                   int64_t now_ms);
/* An ExportNotification for our export id: RELEASED (6) and the failure
 * states (7..12) end the published tickets that depend on it. Tickets that
 * already ended are left alone (export ids restart with each session).
 * Returns 1 if anything changed. */
int dh_monitor_on_export_state(struct dh_monitor *m, int32_t export_id, int state,
                               const char *context, int64_t now_ms);
/* What a fetched ticket whose publisher let it go says. */
#define DH_MONITOR_GONE_DETAIL                                                                     \
    "released by its publisher (or their session ended); a copy you opened keeps working"
/* A probe result for a fetched ticket: NOT_FOUND, or a failure naming the
 * state of the shared export ("Export in state ..."), is DH_TS_RELEASED with
 * DH_MONITOR_GONE_DETAIL and the server's words. Returns 1 if anything
 * changed. */
int dh_monitor_on_probe(struct dh_monitor_entry *e, enum dh_probe_result r, const char *detail,
                        int64_t now_ms);
/* The connection dropped: every ticket becomes UNKNOWN (state kept aside is
 * not needed: the next probe or notification settles it). */
int dh_monitor_on_disconnect(struct dh_monitor *m, int64_t now_ms);
/* The link is back and the session lived through the outage: our published
 * tickets that became UNKNOWN are VALID again (their exports live as long
 * as the session); fetched ones are checked again. Returns 1 if anything
 * changed. */
int dh_monitor_on_reconnect(struct dh_monitor *m, int64_t now_ms);
/* The session ended (expired, or lost): our published tickets ended with it
 * (DH_TS_SESSION_ENDED, final), also those the server released within
 * DH_MONITOR_END_WINDOW_MS before; fetched ones are checked again. Returns 1 if
 * anything changed; *ended (may be NULL) counts the published tickets that
 * were live until now. */
int dh_monitor_on_session_lost(struct dh_monitor *m, const char *why, int64_t now_ms,
                               size_t *ended);
/* Published tickets still VALID. */
size_t dh_monitor_live_published(const struct dh_monitor *m);
/* A copy of all statuses in insertion order; caller frees. NULL if empty or
 * out of memory (*n says which). */
struct dh_ticket_status *dh_monitor_snapshot(const struct dh_monitor *m, size_t *n);

#endif
