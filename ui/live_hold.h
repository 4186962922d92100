/* SPDX-License-Identifier: MIT */
/* live_hold: `P` on a live view (the pager, a tree): while paused, updates of the
 * window on screen wait, the newest replacing older ones (its origin chained, so
 * its rows still say where they were on screen); resuming shows the newest. One
 * struct per view; it owns the held rows. */
#ifndef DHTUI_LIVE_HOLD_H
#define DHTUI_LIVE_HOLD_H

#include <stddef.h>

#include "dh_table.h"

struct app;

struct live_hold {
    int paused;
    struct dh_rows *held; /* the newest update that came while paused (owned) */
    int updates;          /* updates that came while paused */
};

/* Free the held rows and forget the count (paused stays). */
void live_hold_drop(struct live_hold *h);

/* Keep rows (owned from now on), an update of the window on screen that came while
 * paused, in place of an older one. */
void live_hold_keep(struct live_hold *h, struct dh_rows *rows);

/* P: pause, or resume. A static source has nothing to pause (says so). On resume
 * *show is the newest held update (the caller shows it and owns it), else NULL.
 * Returns the view's UR_ flags. */
unsigned live_hold_toggle(struct live_hold *h, struct app *a, const char *name, int is_static,
                          struct dh_rows **show);

/* ", N updates waiting" for a title, or "" when none wait. */
void live_hold_waiting(const struct live_hold *h, char *buf, size_t cap);

#endif
