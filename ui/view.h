/* SPDX-License-Identifier: MIT */
/* view: the browser's shared state (struct app) and its screens. A view is a
 * const ops table (like tmux's window_mode) plus its own state; views sit on a
 * stack, the top one gets the keys, events go to all. Handlers only change
 * state and return a reaction bitmask (like htop's HandlerResult); drawing
 * happens once per loop pass from that state. */
#ifndef DHTUI_VIEW_H
#define DHTUI_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include <curses.h>

#include "app.h"
#include "dh_client.h"
#include "keymap.h"

/* What needs drawing (set by handlers, cleared by the draw pass). */
enum ui_dirty {
    UI_DIRTY_TITLE = 1,
    UI_DIRTY_BODY = 2,
    UI_DIRTY_STATUS = 4,
    UI_DIRTY_BOTTOM = 8,
    UI_DIRTY_CLEAR = 16, /* repaint the whole terminal (after resize, ^L) */
    UI_DIRTY_ALL = 31,
};

/* What a handler wants done (bitmask). */
enum ui_reaction {
    UR_NONE = 0,
    UR_HANDLED = 1, /* the key was consumed */
    UR_REDRAW = 2,  /* the view's body changed */
    UR_CLOSE = 4,   /* pop this view */
    UR_QUIT = 8,    /* leave dhtui (asks first when tickets would die) */
    UR_STATUS = 16, /* the title/status lines changed */
    UR_KEEP = 32,   /* prompt submit: keep the prompt open with its text */
};

struct app;
struct view;

/* A screen's behaviour. Every member but name and draw may be NULL. */
struct view_ops {
    const char *name;
    const struct keymap *keymap;
    int modal; /* a dialog drawn over the view below; global keys are off */
    /* Draw into the body window w (already erased unless modal). */
    void (*draw)(struct view *v, struct app *a, WINDOW *w);
    /* A key (and the action the view's keymap or the global one gives it). */
    unsigned (*key)(struct view *v, struct app *a, int key, enum ui_action act);
    /* An event from the client; a view may take ownership of a payload by
     * setting its pointer in ev to NULL (e.g. ev->rows). */
    unsigned (*on_event)(struct view *v, struct app *a, struct dh_event *ev);
    /* Timers: called on every loop pass; return a reaction. */
    unsigned (*on_tick)(struct view *v, struct app *a, int64_t now_ms);
    /* Milliseconds until the view next needs on_tick, or -1. */
    int64_t (*next_tick)(struct view *v, struct app *a, int64_t now_ms);
    /* Texts for the title bar: left (what this is), right (counts, state). */
    void (*title)(struct view *v, struct app *a, char *left, size_t nl, char *right, size_t nr);
    /* The mouse wheel: scroll by delta rows (NULL: the wheel moves the cursor). */
    unsigned (*on_wheel)(struct view *v, struct app *a, int delta);
    /* A mouse click at (y, x) of the body window (twice: a double click). */
    unsigned (*click)(struct view *v, struct app *a, int y, int x, int twice);
    /* Free the view (called after it is popped). */
    void (*destroy)(struct view *v, struct app *a);
};

/* Every view struct starts with this. */
struct view {
    const struct view_ops *ops;
};

/* Call wrappers: every member but draw may be missing. */
static inline void view_draw(struct view *v, struct app *a, WINDOW *w)
{
    v->ops->draw(v, a, w);
}

static inline unsigned view_key(struct view *v, struct app *a, int key, enum ui_action act)
{
    return v->ops->key ? v->ops->key(v, a, key, act) : UR_NONE;
}

static inline unsigned view_event(struct view *v, struct app *a, struct dh_event *ev)
{
    return v->ops->on_event ? v->ops->on_event(v, a, ev) : UR_NONE;
}

static inline unsigned view_tick(struct view *v, struct app *a, int64_t now_ms)
{
    return v->ops->on_tick ? v->ops->on_tick(v, a, now_ms) : UR_NONE;
}

static inline int64_t view_next_tick(struct view *v, struct app *a, int64_t now_ms)
{
    return v->ops->next_tick ? v->ops->next_tick(v, a, now_ms) : -1;
}

static inline void view_destroy(struct view *v, struct app *a)
{
    if (v->ops->destroy)
        v->ops->destroy(v, a);
}

enum { APP_MAX_VIEWS = 16, APP_MAX_PENDING = 8 };

/* What a pending command is for. */
enum pending_kind { PEND_FETCH, PEND_OPEN, PEND_PUBLISH, PEND_RELEASE };

/* What a pager of a partitioned table's result asks for again after a session
 * renewal (ui/view_partition.c). */
enum part_reopen { PART_REOPEN_NONE = 0, PART_REOPEN_KEYS, PART_REOPEN_MERGED, PART_REOPEN_KEY };

/* A command waiting for its event. */
struct app_pending {
    uint64_t req;
    enum pending_kind kind;
    char label[192]; /* for the status line: "fetching shared/0x1a…" */
    char name[128];  /* object name (OPEN/PUBLISH) */
    char type[64];
    char typed[2048];          /* FETCH from the prompt: the text as typed, given back on failure */
    struct dh_source merge_of; /* OPEN of a merge or a constituent: the partitioned table */
    struct dh_view_ops *key_of; /* ... of a constituent: its key's values (owned), else NULL */
    int unique;                 /* ... whether the keys are unique */
    int64_t started_ms;
};

/* Message severities for the status line. */
enum app_level { APP_INFO = 0, APP_WARN, APP_ERROR };

/* A past status-line message (the m key lists them). */
struct app_msg {
    long long wall; /* time(NULL) when it was set */
    enum app_level level;
    char text[512];
};

enum { APP_MSG_HISTORY = 32 };

/* The browser's state. Owned by the UI thread. */
struct app {
    const struct app_options *opt;
    struct dh_client *client;
    FILE *log;
    WINDOW *w_title, *w_body, *w_status, *w_bottom, *w_input;
    int too_small;
    unsigned dirty;
    int quit;
    int64_t now_ms;
    long frames;

    /* The latest model from the client (owned). */
    struct dh_object_list *objects;
    struct dh_ticket_status *tickets;
    size_t n_tickets;
    enum dh_conn_state conn;
    char conn_detail[256];

    /* The status line's message. */
    char msg[512];
    enum app_level msg_level;
    int64_t msg_ms;
    int msg_conn; /* the message tells of a connection problem (cleared with it) */
    struct app_msg history[APP_MSG_HISTORY]; /* a ring, newest at history_next - 1 */
    size_t history_next, history_n;

    struct view *views[APP_MAX_VIEWS];
    size_t n_views;
    struct app_pending pending[APP_MAX_PENDING];
    size_t n_pending;

    /* A ticket from the command line, fetched once connected. */
    struct dh_ticket deferred;
    char deferred_text[2048];
    int ever_connected; /* a session was up at some point */
    int auth_refused;   /* the server refused the credential (a: enter it again) */
    int cursor_shown;   /* the terminal cursor's visibility (-1 unknown) */
    int saved_stderr;   /* stderr while curses is up goes to the log or /dev/null */
};

/* Minimum terminal size for the full UI. */
enum { APP_MIN_COLS = 40, APP_MIN_LINES = 10 };

/* Push v on the view stack (the app owns it from now on). UI thread. */
void app_push(struct app *a, struct view *v);
/* Pop and free the top view (never the root). UI thread. */
void app_pop(struct app *a);
/* The top view. UI thread. */
struct view *app_top(struct app *a);
/* Set the status-line message (sanitised when drawn) and log it. UI thread. */
void app_message(struct app *a, enum app_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show a libdh error message on the status line as a sentence
 * (ui_copy_sentence). UI thread. */
void app_error_message(struct app *a, enum app_level level, const char *fragment);
/* Append a line to the --log file, if any. UI thread. */
void app_log(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open an object from the list: fetch it, then show the matching view. UI thread. */
void app_open_object(struct app *a, const struct dh_object *obj);
/* Fetch a pasted ticket and show what it is; typed (may be NULL) is the text
 * the user entered, put back in the prompt if the fetch fails. UI thread. */
void app_fetch_ticket(struct app *a, const struct dh_ticket *t, const char *typed);
/* Publish an object to a new shared ticket (the dialog follows). UI thread. */
void app_publish(struct app *a, const struct dh_object *obj);
/* Publish what a view reads through (name and type for the dialog). UI thread. */
/* Open the constituent of key row `row` of `keys`, or (keys NULL) the merged
 * table, of the partitioned table pt, in a pager called name (dh_client.h).
 * key_of (may be NULL; copied): the key's values, by which the constituent's
 * pager asks for it again after a session renewal. */
void app_open_partition(struct app *a, const char *name, const struct dh_source *pt, int unique,
                        const struct dh_source *keys, int64_t row,
                        const struct dh_view_ops *key_of);
void app_publish_source(struct app *a, const char *name, const char *type,
                        const struct dh_source *src);
/* Release a ticket this session published. UI thread. */
void app_release(struct app *a, const struct dh_ticket *shared);
/* Copy text to the clipboard by every path there is (clipboard_copy; none
 * with --no-osc52) and say where it went; what = "ticket", "cell". Control
 * characters are copied as visible escapes (clipboard_printable), so no
 * copied text can act on a terminal or shell it is pasted into. UI thread. */
int app_copy(struct app *a, const char *text, size_t len, const char *what);
/* The same, telling the caller the paths taken (CLIP_* bits; 0 on failure). */
int app_copy_where(struct app *a, const char *text, size_t len, const char *what, unsigned *paths);
/* The same with the exact bytes (the user asked: C). UI thread. */
int app_copy_raw(struct app *a, const char *text, size_t len, const char *what);
/* Ask to quit (confirms when published tickets would die). UI thread. */
void app_request_quit(struct app *a);
/* Open the ticket prompt, optionally pre-filled. UI thread. */
void app_open_fetch_prompt(struct app *a, const char *prefill);

/* Copy the string src into dst[0..n), cut to fit, NUL-terminated. Any thread. */
void ui_copy(char *dst, size_t n, const char *src);
/* ui_copy of a libdh error message (a lower-case fragment, HACKING.md "Error
 * messages") shown on its own: the first word capitalised when it is an
 * ordinary lower-case word ("fetch s/x: ..." becomes "Fetch s/x: ..."; "s/x",
 * "gRPC" and "--tz" keep their case). The one place a fragment becomes the
 * start of a sentence. Any thread. */
void ui_copy_sentence(char *dst, size_t n, const char *fragment);

/* Short display form of a ticket ("shared/0x1a2b…9f0e") into buf. UI thread. */
void app_ticket_short(const struct dh_ticket *t, char *buf, size_t n);

/* Views (one file each). Constructors return NULL on allocation failure; the
 * caller hands the view to app_push. UI thread. */
struct view *view_objects_new(struct app *a);
struct view *view_tickets_new(struct app *a);
struct view *view_help_new(struct app *a);
/* The pager over a table: rows are read through rows_ticket; info (may be
 * NULL) is taken over (its schema moved out). If forget is set, rows_ticket is
 * our export and is released when the pager closes. */
struct view *view_table_new(struct app *a, const char *name, const char *type,
                            const struct dh_source *src, struct dh_table_info *info, int forget);
/* Make a pager (view_table_new) the key table of the partitioned table pt:
 * Enter opens a key's constituent, M the merged table (keymap_partition). It
 * takes desc; pt is forgotten when the pager closes if forget_pt is set. After a
 * session renewal the key table is fetched again from pt (when durable). */
void view_table_set_partition(struct view *v, const struct dh_source *pt, int forget_pt,
                              struct dh_partitioned *desc);
/* Make a pager the merge of the partitioned table pt: after a session renewal
 * the merge is asked for again from pt (when durable). */
void view_table_set_merged(struct view *v, const struct dh_source *pt);
/* The pager shows the constituent of the key *key_of (taken: left empty) of
 * the partitioned table pt: after a session renewal it asks for it again by
 * those values. */
void view_table_set_constituent(struct view *v, const struct dh_source *pt, int unique,
                                struct dh_view_ops *key_of);
/* The schema of a table as a list (copies what it shows). */
struct view *view_schema_new(struct app *a, const char *name, const struct dh_schema *schema);
/* The figure view; takes ownership of fig. export (may be NULL) is forgotten on close.
 * source (may be NULL) is what was opened: when durable, the figure is fetched
 * again in each new session epoch. */
/* The tree view of a hierarchical table (owns info; reads and at the end forgets
 * source, the table's export). origin is what was opened: when durable, the
 * table is fetched again after a session renewal. */
struct view *view_tree_new(struct app *a, const char *name, struct dh_hier_info *info,
                           const struct dh_source *source, const struct dh_source *origin);
struct view *view_figure_new(struct app *a, const char *name, struct dh_figure *fig,
                             const struct dh_ticket *export_ticket, uint64_t epoch,
                             const struct dh_ticket *source);

/* Dialogs (dialog.c), pushed like views. UI thread. */
/* paths: where the ticket was copied (CLIP_* bits, 0 = not copied: then
 * copy_error says why). */
struct view *dialog_publish_new(struct app *a, const struct dh_ticket_status *st, unsigned paths,
                                const char *copy_error);
enum confirm_kind { CONFIRM_QUIT, CONFIRM_RELEASE };
struct view *dialog_confirm_new(struct app *a, const char *question, enum confirm_kind kind,
                                const struct dh_ticket *t);
/* A scrollable, wrapped text pop-up; copies text[0..len). */
struct view *dialog_text_new(struct app *a, const char *title, const char *text, size_t len);

/* Shared list helpers: move a cursor in [0, n) for an action with a page of
 * `page` rows; returns 1 if the action was a movement. Any thread. */
int view_list_move(enum ui_action act, size_t n, size_t page, size_t *cursor);
/* A click on body line y of a list drawn with header_lines heading lines and
 * its first row `top`: sets *cursor and returns 1 when y is on one of the n
 * rows. */
int view_list_click(size_t n, size_t top, int header_lines, int y, size_t *cursor);
/* Scroll *top so that cursor is visible in a page of `page` rows. Any thread. */
void view_list_scroll(size_t n, size_t page, size_t cursor, size_t *top);
/* 1 if v is what the user sees: the top view, or under modal dialogs only. UI thread. */
int view_on_screen(const struct view *v, const struct app *a);
/* A destroy for views that own no memory besides themselves. UI thread. */
void view_free(struct view *v, struct app *a);

#endif
