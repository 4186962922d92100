/* SPDX-License-Identifier: MIT */
/* statusbar: the three fixed lines around the views: the title bar (what is
 * shown), the status line (server, connection, session age, tickets, the last
 * message or a pending command) and the key-hint line built from the keymap. */
#ifndef DHTUI_STATUSBAR_H
#define DHTUI_STATUSBAR_H

#include <curses.h>
#include <stdint.h>

struct app;

/* Draw the title bar (one line). UI thread. */
void statusbar_draw_title(struct app *a, WINDOW *w);
/* Draw the status line (one line). UI thread. */
void statusbar_draw_status(struct app *a, WINDOW *w);
/* Milliseconds until the status line would change by itself (the session
 * age, countdowns while not connected), so an idle screen sleeps. UI thread. */
int64_t statusbar_next_change_ms(struct app *a);
/* Draw the key hints of the top view and the global keys (one line). UI thread. */
void statusbar_draw_hints(struct app *a, WINDOW *w);
/* The key of the hint drawn over column x of a hint line cols wide, or -1
 * (a click on a hint runs it). UI thread. */
int statusbar_hint_key(struct app *a, int cols, int x);

#endif
