/* SPDX-License-Identifier: MIT */
/* live_hold: pausing a live view (see live_hold.h). */
#include "live_hold.h"

#include <stdio.h>
#include <stdlib.h>

#include "view.h"

void live_hold_drop(struct live_hold *h)
{
    if (h->held) {
        dh_rows_reset(h->held);
        free(h->held);
    }
    h->held = NULL;
    h->updates = 0;
}

void live_hold_keep(struct live_hold *h, struct dh_rows *rows)
{
    int n = h->updates;
    if (h->held)
        dh_rows_chain_origin(rows, h->held); /* relative to the rows on screen */
    live_hold_drop(h);
    h->held = rows;
    h->updates = n + 1;
}

unsigned live_hold_toggle(struct live_hold *h, struct app *a, const char *name, int is_static,
                          struct dh_rows **show)
{
    *show = NULL;
    if (is_static) {
        app_message(a, APP_INFO, "%s is static: there are no updates to pause.", name);
        return UR_HANDLED | UR_STATUS;
    }
    h->paused = !h->paused;
    if (h->paused) {
        app_message(a, APP_INFO, "Paused: the rows stay as they are; P resumes.");
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    }
    int n = h->updates;
    *show = h->held;
    h->held = NULL;
    live_hold_drop(h);
    app_message(a, APP_INFO, "Resumed (%d update%s came while paused).", n, n == 1 ? "" : "s");
    return UR_HANDLED | UR_REDRAW | UR_STATUS;
}

void live_hold_waiting(const struct live_hold *h, char *buf, size_t cap)
{
    if (!cap)
        return;
    buf[0] = '\0';
    if (h->updates)
        snprintf(buf, cap, ", %d update%s waiting", h->updates, h->updates == 1 ? "" : "s");
}
