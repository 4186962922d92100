/* SPDX-License-Identifier: MIT */
/* monitor.c: ticket validity states and the events that move them. */
#include "dh_monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ExportNotification.State values (session.proto). */
enum {
    EXPORT_STATE_RELEASED = 6,
    EXPORT_STATE_FAILURE_LAST = 12,
};

const char *dh_ticket_state_name(enum dh_ticket_state s)
{
    switch (s) {
    case DH_TS_CHECKING: return "checking";
    case DH_TS_VALID: return "valid";
    case DH_TS_RELEASED: return "released";
    case DH_TS_NOT_FOUND: return "not found";
    case DH_TS_FAILED: return "failed";
    case DH_TS_UNKNOWN: return "unknown";
    case DH_TS_SESSION_ENDED: return "ended with session";
    }
    return "?";
}

void dh_monitor_init(struct dh_monitor *m)
{
    memset(m, 0, sizeof *m);
}

void dh_monitor_reset(struct dh_monitor *m)
{
    free(m->items);
    memset(m, 0, sizeof *m);
}

struct dh_monitor_entry *dh_monitor_find(struct dh_monitor *m, const struct dh_ticket *t,
                                         enum dh_ticket_dir dir)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].status.dir == dir && dh_ticket_equal(&m->items[i].status.ticket, t))
            return &m->items[i];
    return NULL;
}

int dh_monitor_add(struct dh_monitor *m, const struct dh_ticket_status *st,
                   const struct dh_ticket *export_ticket)
{
    struct dh_monitor_entry *e = dh_monitor_find(m, &st->ticket, st->dir);
    if (!e) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 8;
            struct dh_monitor_entry *items = realloc(m->items, cap * sizeof *items);
            if (!items)
                return DH_ENOMEM;
            m->items = items;
            m->cap = cap;
        }
        e = &m->items[m->n++];
    }
    memset(e, 0, sizeof *e);
    e->status = *st;
    if (export_ticket)
        e->export_ticket = *export_ticket;
    return DH_OK;
}

int dh_monitor_remove(struct dh_monitor *m, const struct dh_ticket *t, enum dh_ticket_dir dir)
{
    struct dh_monitor_entry *e = dh_monitor_find(m, t, dir);
    if (!e)
        return 0;
    size_t i = (size_t)(e - m->items);
    memmove(e, e + 1, (m->n - i - 1) * sizeof *e);
    m->n--;
    return 1;
}

int dh_monitor_set(struct dh_monitor_entry *e, enum dh_ticket_state st, const char *detail,
                   int64_t now_ms)
{
    e->status.checked_ms = now_ms;
    const char *d = detail ? detail : "";
    int changed =
        e->status.state != st || strncmp(e->status.detail, d, sizeof e->status.detail - 1);
    if (e->status.state != st)
        e->status.since_ms = now_ms;
    e->status.state = st;
    snprintf(e->status.detail, sizeof e->status.detail, "%s", d);
    return changed;
}

/* A released, failed or ended published ticket stays so: nothing brings it back. */
static int is_final(const struct dh_monitor_entry *e)
{
    return e->status.dir == DH_DIR_PUBLISHED &&
           (e->status.state == DH_TS_RELEASED || e->status.state == DH_TS_FAILED ||
            e->status.state == DH_TS_SESSION_ENDED);
}

int dh_monitor_on_export_state(struct dh_monitor *m, int32_t export_id, int state,
                               const char *context, int64_t now_ms)
{
    if (state < EXPORT_STATE_RELEASED || state > EXPORT_STATE_FAILURE_LAST)
        return 0;
    int changed = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct dh_monitor_entry *e = &m->items[i];
        int32_t id;
        if (e->status.dir != DH_DIR_PUBLISHED || is_final(e) ||
            dh_ticket_export_id(&e->export_ticket, &id) != DH_OK || id != export_id)
            continue;
        if (state == EXPORT_STATE_RELEASED) {
            changed |= dh_monitor_set(e, DH_TS_RELEASED, "the export was released", now_ms);
            e->released_by_server = 1;
        } else {
            char detail[200];
            snprintf(detail, sizeof detail, "the export failed (state %d)%s%.100s", state,
                     context && context[0] ? ": " : "", context ? context : "");
            changed |= dh_monitor_set(e, DH_TS_FAILED, detail, now_ms);
        }
    }
    return changed;
}

int dh_monitor_on_probe(struct dh_monitor_entry *e, enum dh_probe_result r, const char *detail,
                        int64_t now_ms)
{
    switch (r) {
    case DH_PROBE_VALID_TABLE:
    case DH_PROBE_VALID_OTHER: return dh_monitor_set(e, DH_TS_VALID, "", now_ms);
    case DH_PROBE_NOT_FOUND:
    case DH_PROBE_FAILED:
        /* A shared ticket a teammate fetched goes when its publisher releases
         * it or their session ends: NOT_FOUND, or FAILED_PRECONDITION "Export
         * in state ..." (the shared export is gone). Say it with the
         * publisher's word, what still works, and the server's own words. */
        if (e->status.dir == DH_DIR_FETCHED &&
            (r == DH_PROBE_NOT_FOUND || (detail && strstr(detail, "Export in state")))) {
            char gone[sizeof e->status.detail];
            snprintf(gone, sizeof gone, "%s (server: %s)", DH_MONITOR_GONE_DETAIL,
                     detail ? detail : "");
            return dh_monitor_set(e, DH_TS_RELEASED, gone, now_ms);
        }
        return dh_monitor_set(e, r == DH_PROBE_NOT_FOUND ? DH_TS_NOT_FOUND : DH_TS_FAILED, detail,
                              now_ms);
    case DH_PROBE_ERROR: return dh_monitor_set(e, DH_TS_UNKNOWN, detail, now_ms);
    }
    return 0;
}

int dh_monitor_on_disconnect(struct dh_monitor *m, int64_t now_ms)
{
    int changed = 0;
    for (size_t i = 0; i < m->n; i++)
        if (!is_final(&m->items[i]))
            changed |= dh_monitor_set(&m->items[i], DH_TS_UNKNOWN, "disconnected", now_ms);
    return changed;
}

int dh_monitor_on_reconnect(struct dh_monitor *m, int64_t now_ms)
{
    int changed = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct dh_monitor_entry *e = &m->items[i];
        if (e->status.state != DH_TS_UNKNOWN)
            continue;
        if (e->status.dir == DH_DIR_PUBLISHED)
            changed |= dh_monitor_set(e, DH_TS_VALID, "", now_ms);
        else
            changed |= dh_monitor_set(e, DH_TS_CHECKING, "", now_ms);
    }
    return changed;
}

int dh_monitor_on_session_lost(struct dh_monitor *m, const char *why, int64_t now_ms, size_t *ended)
{
    int changed = 0;
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct dh_monitor_entry *e = &m->items[i];
        int just_released = e->status.state == DH_TS_RELEASED && e->released_by_server &&
                            now_ms - e->status.since_ms <= DH_MONITOR_END_WINDOW_MS;
        if (e->status.dir == DH_DIR_PUBLISHED && (!is_final(e) || just_released)) {
            changed |= dh_monitor_set(e, DH_TS_SESSION_ENDED, why, now_ms);
            n++;
        } else if (e->status.dir == DH_DIR_FETCHED)
            changed |= dh_monitor_set(e, DH_TS_CHECKING, "", now_ms);
    }
    if (ended)
        *ended = n;
    return changed;
}

size_t dh_monitor_live_published(const struct dh_monitor *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].status.dir == DH_DIR_PUBLISHED && m->items[i].status.state == DH_TS_VALID)
            n++;
    return n;
}

struct dh_ticket_status *dh_monitor_snapshot(const struct dh_monitor *m, size_t *n)
{
    *n = m->n;
    if (!m->n)
        return NULL;
    struct dh_ticket_status *out = malloc(m->n * sizeof *out);
    if (!out) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++)
        out[i] = m->items[i].status;
    return out;
}
