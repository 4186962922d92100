/* SPDX-License-Identifier: MIT */
/* app: the interactive browser's entry point (the curses front end). main.c
 * parses the command line and hands over here; everything interactive lives
 * behind app_run. */
#ifndef DHTUI_APP_H
#define DHTUI_APP_H

#include "dh_client.h"
#include "keybind.h"

/* What the interactive browser needs from the command line. Strings are
 * borrowed for the whole of app_run. */
struct app_options {
    struct dh_client_options client; /* connection (host/port/auth/tls) and probe interval */
    int osc52;                   /* copy tickets/cells to the clipboard with OSC 52 (default on) */
    int theme;                   /* enum draw_theme (0 = dark); NO_COLOR still wins */
    int mouse;                   /* wheel, clicks and hint clicks (default on; --no-mouse) */
    int exit_after_frames;       /* > 0: quit after N frames drawn (sanitizer runs); 0 = off */
    const char *log_file;        /* --log FILE: errors and events are logged there; NULL = none */
    const char *demo_note;       /* non-NULL when running against the bundled demo server */
    const char *initial_ticket;  /* optional: open this ticket at start (`dhtui TICKET`) */
    int local_time;              /* --tz: instants start in the local zone (z toggles) */
    const struct keybinds *keys; /* the [keys] of the configuration (borrowed), or NULL */
};

/* Run the browser until the user quits: sets the locale, takes over the
 * terminal, connects in the background and returns the process exit code
 * (0 on a normal quit, 1 if the terminal or the client could not start; the
 * reason is then printed on stderr after the terminal is restored). UI thread;
 * call once, before other threads that touch signals exist. */
int app_run(const struct app_options *opt);

#endif
