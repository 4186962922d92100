/* SPDX-License-Identifier: MIT */
/* app: the browser's loop. One thread: poll() on the terminal, the client's
 * wake-up descriptor and a self-pipe for signals, with a timeout for timers;
 * keys and events only change state and set dirty flags; one draw pass per
 * loop turn (wnoutrefresh per window, one doupdate). docs/DESIGN.md, Threads
 * and Events. */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "clipboard.h"
#include "dh_text.h"
#include "draw.h"
#include "keymap.h"
#include "prompt.h"
#include "statusbar.h"
#include "term_guard.h"
#include "view.h"

/* How many events one loop pass handles before it looks at the keyboard. */
enum { EVENT_BUDGET = 64 };
/* Info messages fade after INFO_MESSAGE_MS; an error or warning stays until a
 * key is pressed after it has been on screen ERROR_READ_MS (the log, m,
 * keeps every message). */
enum { INFO_MESSAGE_MS = 5000, ERROR_READ_MS = 2000 };

/* ---- messages and the log ---- */

/* Write one sanitised, time-stamped line to the log file. */
static void log_line(struct app *a, const char *text)
{
    if (!a->log)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    time_t secs = ts.tv_sec;
    localtime_r(&secs, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    char clean[2048];
    dh_text_sanitize(text, strlen(text), clean, sizeof clean, 0, NULL);
    fprintf(a->log, "%s.%03ld %s\n", stamp, (long)(ts.tv_nsec / 1000000), clean);
    fflush(a->log);
}

/* Log a printf-style line. */
void app_log(struct app *a, const char *fmt, ...)
{
    if (!a->log)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_line(a, buf);
}

/* Set the status-line message, remember it for m, and log it. */
void app_message(struct app *a, enum app_level level, const char *fmt, ...)
{
    char buf[sizeof a->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* Keep it to one line: the status line shows the first line only. */
    dh_text_sanitize(buf, strlen(buf), a->msg, sizeof a->msg, DH_SANITIZE_TAB_AS_SPACE, NULL);
    a->msg_level = level;
    a->msg_ms = a->now_ms;
    a->msg_conn = 0;
    a->dirty |= UI_DIRTY_STATUS;
    struct app_msg *h = &a->history[a->history_next];
    h->wall = (long long)time(NULL);
    h->level = level;
    memcpy(h->text, a->msg, sizeof h->text);
    a->history_next = (a->history_next + 1) % APP_MSG_HISTORY;
    if (a->history_n < APP_MSG_HISTORY)
        a->history_n++;
    static const char *const names[] = {"info", "warning", "error"};
    app_log(a, "%s: %s", names[level], buf);
}

void app_error_message(struct app *a, enum app_level level, const char *fragment)
{
    char text[sizeof a->msg];
    ui_copy_sentence(text, sizeof text, fragment);
    app_message(a, level, "%s", text);
}

/* ---- pending commands ---- */

/* Free what a pending command owns and zero it. */
static void pending_clear(struct app_pending *p)
{
    if (p->key_of) {
        dh_view_ops_reset(p->key_of);
        free(p->key_of);
    }
    memset(p, 0, sizeof *p);
}

/* Remember a command until its event arrives; the oldest goes if full. */
static struct app_pending *pending_add(struct app *a, uint64_t req, enum pending_kind kind)
{
    if (a->n_pending == APP_MAX_PENDING) {
        dh_client_cancel(a->client, a->pending[0].req);
        pending_clear(&a->pending[0]);
        memmove(&a->pending[0], &a->pending[1], (APP_MAX_PENDING - 1) * sizeof a->pending[0]);
        a->n_pending--;
    }
    struct app_pending *p = &a->pending[a->n_pending++];
    memset(p, 0, sizeof *p); /* a free slot: what it held was moved or cleared */
    p->req = req;
    p->kind = kind;
    p->started_ms = a->now_ms;
    a->dirty |= UI_DIRTY_STATUS;
    return p;
}

/* Take the pending command for req out of the list into *out; 0 if unknown. */
static int pending_take(struct app *a, uint64_t req, struct app_pending *out)
{
    for (size_t i = 0; i < a->n_pending; i++) {
        if (a->pending[i].req != req)
            continue;
        *out = a->pending[i];
        memmove(&a->pending[i], &a->pending[i + 1], (a->n_pending - i - 1) * sizeof a->pending[0]);
        a->n_pending--;
        a->dirty |= UI_DIRTY_STATUS;
        return 1;
    }
    return 0;
}

/* Esc while something is pending: cancel the latest command. */
static int cancel_latest(struct app *a)
{
    if (a->n_pending == 0)
        return 0;
    struct app_pending p = a->pending[a->n_pending - 1];
    a->n_pending--;
    dh_client_cancel(a->client, p.req);
    app_message(a, APP_INFO, "Cancelled: %s.", p.label);
    pending_clear(&p);
    return 1;
}

/* ---- tickets ---- */

/* The canonical text, middle elided when long. */
void app_ticket_short(const struct dh_ticket *t, char *buf, size_t n)
{
    char full[DH_TICKET_MAX * 4 + 16];
    if (dh_ticket_format(t, full, sizeof full) < 0) {
        snprintf(buf, n, "(empty ticket)");
        return;
    }
    size_t len = strlen(full);
    if (len <= 24) {
        snprintf(buf, n, "%s", full);
        return;
    }
    /* shared/0x1a2b…9f0e: enough to tell tickets apart at a glance. */
    snprintf(buf, n, "%.13s%s%s", full, draw_glyph(DG_ELLIPSIS), full + len - 4);
}

/* Copy exactly these bytes by every path there is; the status line says
 * where they went (or why nowhere). *paths gets the CLIP_* bits. */
static int copy_bytes(struct app *a, const char *text, size_t len, const char *what,
                      const char *extra, unsigned *paths)
{
    *paths = 0;
    if (!a->opt->osc52) {
        app_message(a, APP_WARN,
                    "Clipboard copy is off (--no-osc52): select the text with the mouse.");
        return -1;
    }
    struct clipboard_env env;
    clipboard_env_current(&env);
    char err[256];
    if (clipboard_copy(&env, text, len, paths, err, sizeof err) != 0) {
        app_message(a, APP_ERROR, "%s", err);
        return -1;
    }
    char where[96];
    clipboard_paths_describe(*paths, where, sizeof where);
    app_message(a, APP_INFO, "Copied the %s to %s%s", what, where, extra);
    return 0;
}

/* Printable copy: control characters become the escapes the screen shows. */
int app_copy_where(struct app *a, const char *text, size_t len, const char *what, unsigned *paths)
{
    unsigned ignored = 0;
    if (!paths)
        paths = &ignored;
    *paths = 0;
    size_t n = 0;
    char *safe = clipboard_printable(text, len, &n);
    if (!safe) {
        app_message(a, APP_ERROR, "Not copied: out of memory.");
        return -1;
    }
    int escaped = n != len || memcmp(safe, text, len) != 0;
    int rc = copy_bytes(
        a, safe, n, what,
        escaped ? ", control characters as escapes (C copies the exact bytes)." : ".", paths);
    free(safe);
    return rc;
}

int app_copy(struct app *a, const char *text, size_t len, const char *what)
{
    return app_copy_where(a, text, len, what, NULL);
}

/* Raw copy: the exact bytes, control characters included. */
int app_copy_raw(struct app *a, const char *text, size_t len, const char *what)
{
    char whose[96];
    snprintf(whose, sizeof whose, "%s's exact bytes", what);
    unsigned paths = 0;
    return copy_bytes(a, text, len, whose, ".", &paths);
}

/* ---- commands ---- */

/* Record a queued command for the status line ("<doing> <name>") and the log
 * ("<verb> <name> (req N)"). */
static struct app_pending *pending_start(struct app *a, uint64_t req, enum pending_kind kind,
                                         const char *doing, const char *verb, const char *name,
                                         const char *type)
{
    struct app_pending *p = pending_add(a, req, kind);
    snprintf(p->label, sizeof p->label, "%s %s", doing, name);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->type, sizeof p->type, "%s", type ? type : "");
    app_log(a, "%s %s (req %llu)", verb, name, (unsigned long long)req);
    return p;
}

/* Queue a fetch and show a spinner until DH_EV_FETCHED. */
void app_fetch_ticket(struct app *a, const struct dh_ticket *t, const char *typed)
{
    char s[128];
    app_ticket_short(t, s, sizeof s);
    uint64_t req = dh_client_fetch(a->client, t);
    struct app_pending *p = pending_start(a, req, PEND_FETCH, "fetching", "fetch", s, NULL);
    ui_copy(p->typed, sizeof p->typed, typed);
}

/* Say why an object the server listed cannot be used; 1 if so. */
static int refuse_unusable(struct app *a, const struct dh_object *obj, const char *verb)
{
    if (!obj->unusable)
        return 0;
    app_message(a, APP_ERROR, "Cannot %s %.60s%s: %s", verb, obj->name,
                strlen(obj->name) > 60 ? draw_glyph(DG_ELLIPSIS) : "", obj->unusable);
    return 1;
}

/* Queue an open (a fetch that is not a known ticket) for an object. */
void app_open_object(struct app *a, const struct dh_object *obj)
{
    if (refuse_unusable(a, obj, "open"))
        return;
    uint64_t req = dh_client_open(a->client, obj);
    pending_start(a, req, PEND_OPEN, "opening", "open", obj->name, obj->type);
}

void app_open_partition(struct app *a, const char *name, const struct dh_source *pt, int unique,
                        const struct dh_source *keys, int64_t row, const struct dh_view_ops *key_of)
{
    uint64_t req = keys ? dh_client_partition_get(a->client, pt, unique, keys, row)
                        : dh_client_partition_merge(a->client, pt);
    struct app_pending *p = pending_start(a, req, PEND_OPEN, "opening", "open", name, "Table");
    if (keys && key_of) { /* without it the pager cannot follow a new session */
        p->key_of = calloc(1, sizeof *p->key_of);
        if (p->key_of && dh_view_ops_copy(p->key_of, key_of, NULL) != DH_OK) {
            free(p->key_of);
            p->key_of = NULL;
        }
    }
    if (!keys || p->key_of)
        p->merge_of = *pt;
    p->unique = unique;
}

/* Queue a publish; the dialog opens on DH_EV_PUBLISHED. */
void app_publish(struct app *a, const struct dh_object *obj)
{
    if (refuse_unusable(a, obj, "publish"))
        return;
    uint64_t req = dh_client_publish(a->client, obj);
    pending_start(a, req, PEND_PUBLISH, "publishing", "publish", obj->name, obj->type);
}

void app_publish_source(struct app *a, const char *name, const char *type,
                        const struct dh_source *src)
{
    uint64_t req = dh_client_publish_source(a->client, src, name, type);
    pending_start(a, req, PEND_PUBLISH, "publishing", "publish", name, type);
}

/* Queue a release of one of our published tickets. */
void app_release(struct app *a, const struct dh_ticket *shared)
{
    char s[128];
    app_ticket_short(shared, s, sizeof s);
    uint64_t req = dh_client_release(a->client, shared);
    pending_start(a, req, PEND_RELEASE, "releasing", "release", s, NULL);
}

/* Quit now, or ask first when published tickets would die with us. */
void app_request_quit(struct app *a)
{
    size_t live = dh_client_live_published(a->client);
    if (live == 0) {
        a->quit = 1;
        return;
    }
    struct view *top = app_top(a);
    if (top && strcmp(top->ops->name, "confirm") == 0)
        return;
    char q[256];
    snprintf(q, sizeof q, "%zu published ticket%s stop%s working when dhtui exits. Quit? (y/n)",
             live, live == 1 ? "" : "s", live == 1 ? "s" : "");
    app_push(a, dialog_confirm_new(a, q, CONFIRM_QUIT, NULL));
}

/* The ticket prompt: parse, keep the text on error, fetch on success. */
static unsigned ticket_submit(void *ctx, struct app *a, const char *text)
{
    (void)ctx;
    struct dh_ticket t;
    struct dh_error err;
    dh_error_clear(&err);
    size_t len = strlen(text);
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    if (i == len)
        return UR_STATUS; /* nothing typed: just close */
    if (dh_ticket_parse(&t, text, len, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg[0] ? err.msg : "not a ticket");
        return UR_KEEP | UR_STATUS;
    }
    app_fetch_ticket(a, &t, text);
    return UR_STATUS;
}

static const struct prompt_ops ticket_prompt_ops = {
    .submit = ticket_submit,
};

/* The f prompt. */
void app_open_fetch_prompt(struct app *a, const char *prefill)
{
    prompt_open(a, PROMPT_TICKET, "ticket: ", prefill, &ticket_prompt_ops, NULL);
}

/* ---- credentials ---- */

/* The secret prompt's Enter: connect again with what was typed. */
static unsigned credential_submit(void *ctx, struct app *a, const char *text)
{
    (void)ctx;
    if (!text[0])
        return UR_STATUS; /* nothing typed: just close */
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_client_set_credentials(a->client, text, &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        return UR_STATUS;
    }
    a->auth_refused = 0;
    app_message(a, APP_INFO, "Connecting with the new credential%s", draw_glyph(DG_ELLIPSIS));
    return UR_STATUS;
}

static const struct prompt_ops credential_prompt_ops = {
    .submit = credential_submit,
};

/* Ask for the credential again, without echo (a wrong one needs no restart). */
static void open_credential_prompt(struct app *a)
{
    const char *type = a->opt->client.connect.auth_type;
    const char *what = "credential";
    if (type && (strcmp(type, "psk") == 0 || strcmp(type, "PSK") == 0))
        what = "pre-shared key";
    else if (type && strcmp(type, "Basic") == 0)
        what = "user:password";
    char label[160];
    snprintf(label, sizeof label, "%s for %s (not shown): ", what, dh_client_target(a->client));
    prompt_open(a, PROMPT_SECRET, label, NULL, &credential_prompt_ops, NULL);
}

/* Whether a connection failure is the server refusing our credential. */
static int is_auth_refusal(const struct app *a, const struct dh_event *ev)
{
    const char *type = a->opt->client.connect.auth_type;
    return dh_error_is_status(&ev->err, DH_GRPC_UNAUTHENTICATED) && type &&
           strcmp(type, "Anonymous") != 0;
}

/* ---- events ---- */

/* Event kinds by name, for the log. */
static const char *event_name(enum dh_event_kind k)
{
    switch (k) {
    case DH_EV_CONNECTION: return "connection";
    case DH_EV_OBJECTS: return "objects";
    case DH_EV_TICKETS: return "tickets";
    case DH_EV_PUBLISHED: return "published";
    case DH_EV_FETCHED: return "fetched";
    case DH_EV_RELEASED: return "released";
    case DH_EV_ROWS: return "rows";
    case DH_EV_ERROR: return "error";
    case DH_EV_SESSION_ENDED: return "session ended";
    case DH_EV_DERIVED: return "derived";
    case DH_EV_TREE_ROWS: return "tree rows";
    case DH_EV_SEEK: return "seek";
    case DH_EV_STATS: return "stats";
    case DH_EV_ROW: return "row";
    case DH_EV_FIGURE: return "figure";
    default: return "unknown";
    }
}

/* A fetch nobody waits for any more (cancelled): give the server objects back. */
static void discard_fetched(struct app *a, struct dh_fetched *f)
{
    if (!f)
        return;
    if (f->figure) {
        for (size_t i = 0; i < f->figure->n_tables; i++)
            dh_client_forget(a->client, &(struct dh_source){f->figure->tables[i], f->epoch});
        for (size_t i = 0; i < f->figure->n_other_refs; i++)
            dh_client_forget(a->client, &(struct dh_source){f->figure->other_refs[i], f->epoch});
        for (size_t i = 0; i < f->figure->n_partitioned; i++) {
            const struct dh_figure_partitioned *p = &f->figure->partitioned[i];
            dh_client_forget(a->client, &(struct dh_source){p->ticket, f->epoch});
            if (p->merged.len)
                dh_client_forget(a->client, &(struct dh_source){p->merged, f->epoch});
        }
    }
    /* A table's export is its source's resolution (rows_source covers both). */
    if (f->kind == DH_KIND_PARTITIONED) {
        struct dh_source pt = {f->source, f->epoch};
        if (!dh_source_durable(&pt)) /* else the export is pt's resolution */
            pt.ticket = f->export_ticket;
        dh_client_forget(a->client, &f->rows_source); /* the key table */
        dh_client_forget(a->client, &pt);
    } else if (f->kind == DH_KIND_TABLE)
        dh_client_forget(a->client, &f->rows_source);
    else
        dh_client_forget(a->client, &(struct dh_source){f->export_ticket, f->epoch});
}

/* Open the view that fits what a fetch found. */
static void open_fetched(struct app *a, const struct app_pending *p, struct dh_fetched *f)
{
    char src[128];
    app_ticket_short(&f->source, src, sizeof src);
    const char *name = p->name[0] ? p->name : src;
    switch (f->kind) {
    case DH_KIND_TABLE: {
        struct view *v =
            view_table_new(a, name, f->type[0] ? f->type : "Table", &f->rows_source, &f->table, 1);
        if (v && p->key_of)
            view_table_set_constituent(v, &p->merge_of, p->unique, p->key_of);
        else if (v && p->merge_of.ticket.len)
            view_table_set_merged(v, &p->merge_of);
        app_push(a, v);
        break;
    }
    case DH_KIND_PARTITIONED: {
        /* The pager reads the key table; Enter and M ask for the partitioned
         * table by its source, resolved again in each session. */
        char title[160];
        snprintf(title, sizeof title, "%s: keys", name);
        struct view *v = view_table_new(a, title, f->type, &f->rows_source, &f->table, 1);
        struct dh_source pt = {f->source, f->epoch};
        if (!dh_source_durable(&pt)) /* else our export is its resolution in this session */
            pt.ticket = f->export_ticket;
        if (v) {
            view_table_set_partition(v, &pt, 1, f->partitioned);
            f->partitioned = NULL; /* the view owns it now */
        }
        app_push(a, v);
        break;
    }
    case DH_KIND_FIGURE: {
        struct view *v =
            view_figure_new(a, name, f->figure, &f->export_ticket, f->epoch, &f->source);
        if (v)
            f->figure = NULL; /* the view owns it now */
        app_push(a, v);
        break;
    }
    case DH_KIND_HIER: {
        struct dh_source hsrc = {f->export_ticket, f->epoch};
        struct dh_source origin = {f->source, f->epoch};
        struct view *v = view_tree_new(a, name, f->hier, &hsrc, &origin);
        if (v)
            f->hier = NULL; /* the view owns it and forgets the export */
        else
            dh_client_forget(a->client, &hsrc);
        app_push(a, v);
        break;
    }
    case DH_KIND_OTHER:
    default: {
        char text[DH_TICKET_MAX * 4 + 1024];
        char canon[DH_TICKET_MAX * 4 + 16];
        if (dh_ticket_format(&f->source, canon, sizeof canon) < 0)
            canon[0] = '\0';
        snprintf(text, sizeof text,
                 "Name:   %s\nType:   %s\nTicket: %s\n\n"
                 "dhtui has no viewer for this type. Its ticket can still be published "
                 "(p on the object list) and fetched by other clients.",
                 name, f->type[0] ? f->type : "(unknown)", canon);
        app_push(a, dialog_text_new(a, name, text, strlen(text)));
        dh_client_forget(a->client, &(struct dh_source){f->export_ticket, f->epoch});
        break;
    }
    }
}

/* A publish finished: copy the ticket and show the dialog. */
static void on_published(struct app *a, const struct app_pending *p, struct dh_event *ev)
{
    char canon[DH_TICKET_MAX * 4 + 16];
    if (dh_ticket_format(&ev->ticket.ticket, canon, sizeof canon) < 0)
        canon[0] = '\0';
    unsigned paths = 0;
    char err[256] = "";
    if (a->opt->osc52) {
        struct clipboard_env env;
        clipboard_env_current(&env);
        clipboard_copy(&env, canon, strlen(canon), &paths, err, sizeof err);
    } else {
        snprintf(err, sizeof err,
                 "Clipboard copy is off (--no-osc52): select the ticket above with the mouse.");
    }
    struct dh_ticket_status st = ev->ticket;
    if (!st.name[0])
        snprintf(st.name, sizeof st.name, "%s", p->name);
    if (!st.type[0])
        snprintf(st.type, sizeof st.type, "%s", p->type);
    app_push(a, dialog_publish_new(a, &st, paths, err));
    char where[96] = "";
    if (paths)
        clipboard_paths_describe(paths, where, sizeof where);
    app_message(a, APP_INFO, "Published %s as %s%s%s%s", st.name, canon,
                paths ? " (copied to " : "", where, paths ? ")" : "");
}

/* A connection problem told on the status line; it goes when the problem does. */
static void conn_message(struct app *a, enum app_level level, const char *text, const char *why)
{
    app_message(a, level, "%s: %s", text, why[0] ? why : "no reply from the server.");
    a->msg_conn = 1;
}

/* Connection changes: remember the state, say what happened once (the
 * status line's state part counts down to the next try). */
static void on_connection(struct app *a, struct dh_event *ev)
{
    enum dh_conn_state prev = a->conn;
    a->conn = ev->conn_state;
    if (ev->err.msg[0])
        ui_copy(a->conn_detail, sizeof a->conn_detail, ev->err.msg);
    if (a->conn == DH_CONN_FAILED) {
        conn_message(a, APP_ERROR, "Connection failed", ev->err.msg);
        a->auth_refused = is_auth_refusal(a, ev);
        if (a->auth_refused && !prompt_active())
            open_credential_prompt(a);
    } else if (a->conn == DH_CONN_RETRYING) {
        /* Say it when it starts, and again only if the cause changes. */
        if (prev != DH_CONN_RETRYING || (a->msg_conn && !strstr(a->msg, ev->err.msg)))
            conn_message(a, APP_WARN,
                         a->ever_connected ? "Connection lost, retrying"
                                           : "Cannot connect, retrying",
                         ev->err.msg);
    } else if (a->conn == DH_CONN_CONNECTED) {
        a->conn_detail[0] = '\0';
        if (a->msg_conn || (prev == DH_CONN_RETRYING && a->ever_connected))
            app_message(a, APP_INFO, a->ever_connected ? "Reconnected." : "Connected.");
        a->ever_connected = 1;
        if (a->deferred.len) {
            a->msg[0] = '\0';
            app_fetch_ticket(a, &a->deferred, a->deferred_text);
            dh_ticket_reset(&a->deferred);
        }
    }
    a->dirty |= UI_DIRTY_STATUS | UI_DIRTY_BODY | UI_DIRTY_TITLE;
}

/* Apply one event: app-level state first, then every view. */
static void handle_event(struct app *a, struct dh_event *ev)
{
    struct app_pending p;
    memset(&p, 0, sizeof p);
    int mine = 0;
    app_log(a, "event %s req=%llu ok=%d%s%s", event_name(ev->kind), (unsigned long long)ev->req,
            ev->ok, ev->err.msg[0] ? " err=" : "", ev->err.msg);
    switch (ev->kind) {
    case DH_EV_CONNECTION: on_connection(a, ev); break;
    case DH_EV_OBJECTS:
        if (ev->objects) {
            dh_object_list_free(a->objects);
            a->objects = ev->objects;
            ev->objects = NULL;
            a->dirty |= UI_DIRTY_BODY | UI_DIRTY_TITLE;
        }
        break;
    case DH_EV_TICKETS:
        free(a->tickets);
        a->tickets = ev->tickets;
        a->n_tickets = ev->tickets ? ev->n_tickets : 0;
        ev->tickets = NULL;
        ev->n_tickets = 0;
        a->dirty |= UI_DIRTY_BODY | UI_DIRTY_STATUS;
        break;
    case DH_EV_PUBLISHED:
        if (!pending_take(a, ev->req, &p)) {
            /* Cancelled, but it ran anyway: undo it rather than leave a live
             * ticket nobody saw. */
            if (ev->ok && ev->req) {
                app_log(a, "releasing a publish that was cancelled");
                dh_client_release(a->client, &ev->ticket.ticket);
            }
            break;
        }
        if (ev->ok)
            on_published(a, &p, ev);
        else
            app_message(a, APP_ERROR, "Could not publish %s: %s", p.name, ev->err.msg);
        break;
    case DH_EV_FETCHED:
        mine = pending_take(a, ev->req, &p);
        if (!mine)
            break; /* a view may take it (a figure fetched again); else discarded below */
        if (ev->ok && ev->fetched) {
            open_fetched(a, &p, ev->fetched);
            break;
        }
        app_message(a, APP_ERROR, "Could not open %s: %s", p.name, ev->err.msg);
        /* Nothing typed is lost: the text goes back into the prompt. */
        if (p.typed[0] && !prompt_active())
            app_open_fetch_prompt(a, p.typed);
        break;
    case DH_EV_RELEASED:
        if (!pending_take(a, ev->req, &p))
            break;
        if (ev->ok)
            app_message(a, APP_INFO, "Released %s: it no longer works for anyone.", p.name);
        else
            app_message(a, APP_ERROR, "Could not release %s: %s", p.name, ev->err.msg);
        break;
    case DH_EV_ERROR: app_error_message(a, APP_ERROR, ev->err.msg); break;
    case DH_EV_SESSION_ENDED:
        /* One line: why, and what it cost. */
        if (ev->n_ended)
            app_message(a, APP_WARN,
                        "%zu published ticket%s ended with the session (%s); t, then p, "
                        "publishes again.",
                        ev->n_ended, ev->n_ended == 1 ? "" : "s", ev->err.msg);
        else
            app_message(a, APP_INFO, "The session ended (%s); opening a new one.", ev->err.msg);
        break;
    case DH_EV_ROWS:
    default: break;
    }
    for (size_t i = a->n_views; i > 0; i--) {
        unsigned r = view_event(a->views[i - 1], a, ev);
        if (r & UR_REDRAW)
            a->dirty |= UI_DIRTY_BODY;
        if (r & UR_STATUS)
            a->dirty |= UI_DIRTY_STATUS | UI_DIRTY_TITLE;
    }
    /* A derived view nobody took (its pager closed, or a newer view replaced it):
     * release it so the server's exports stay bounded. */
    if (ev->kind == DH_EV_DERIVED && ev->ok && ev->fetched)
        dh_client_forget(a->client, &ev->fetched->rows_source);
    if (ev->kind == DH_EV_FETCHED && !mine && ev->ok && ev->fetched)
        discard_fetched(a, ev->fetched);
    pending_clear(&p);
}

/* Drain queued events (bounded, so keys stay responsive). Returns 1 if more wait. */
static int drain_events(struct app *a)
{
    for (int i = 0; i < EVENT_BUDGET; i++) {
        struct dh_event *ev = dh_client_next_event(a->client);
        if (!ev)
            return 0;
        handle_event(a, ev);
        dh_event_free(ev);
    }
    return 1;
}

/* ---- layout and drawing ---- */

/* Delete the layout windows (not the input window). */
static void free_windows(struct app *a)
{
    WINDOW **ws[] = {&a->w_title, &a->w_body, &a->w_status, &a->w_bottom};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        if (*ws[i])
            delwin(*ws[i]);
        *ws[i] = NULL;
    }
}

/* (Re)create the windows for the current terminal size. */
static void layout(struct app *a)
{
    free_windows(a);
    a->too_small = LINES < APP_MIN_LINES || COLS < APP_MIN_COLS;
    a->dirty = UI_DIRTY_ALL;
    if (a->too_small)
        return;
    a->w_title = newwin(1, COLS, 0, 0);
    a->w_body = newwin(LINES - 3, COLS, 1, 0);
    a->w_status = newwin(1, COLS, LINES - 2, 0);
    a->w_bottom = newwin(1, COLS, LINES - 1, 0);
    if (!a->w_title || !a->w_body || !a->w_status || !a->w_bottom) {
        free_windows(a);
        a->too_small = 1;
        return;
    }
    leaveok(a->w_title, TRUE);
    leaveok(a->w_body, TRUE);
    leaveok(a->w_status, TRUE);
}

/* The terminal changed size (SIGWINCH): ask the tty, tell curses, re-layout. */
static void handle_resize(struct app *a)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    layout(a);
}

/* What is shown when the terminal is below the minimum size. */
static void draw_too_small(struct app *a)
{
    (void)a;
    werase(stdscr);
    char need[64];
    snprintf(need, sizeof need, "(need %dx%d)", APP_MIN_COLS, APP_MIN_LINES);
    const char *msg = "terminal too small";
    int y = LINES / 2 > 0 ? LINES / 2 - (COLS < 31 ? 1 : 0) : 0;
    if (y < 0)
        y = 0;
    if (COLS >= 31) {
        draw_fmt(stdscr, y, (COLS - 31) / 2, COLS, A_BOLD, 0, "%s %s", msg, need);
    } else {
        draw_str(stdscr, y, 0, COLS, A_BOLD, msg, 0);
        if (y + 1 < LINES)
            draw_str(stdscr, y + 1, 0, COLS, A_NORMAL, need, 0);
    }
    wnoutrefresh(stdscr);
}

/* Draw the views: from the topmost full-screen view up through its dialogs. */
static void draw_body(struct app *a)
{
    werase(a->w_body);
    if (a->n_views == 0)
        return;
    size_t base = a->n_views - 1;
    while (base > 0 && a->views[base]->ops->modal)
        base--;
    for (size_t i = base; i < a->n_views; i++)
        view_draw(a->views[i], a, a->w_body);
}

/* One frame: redraw what is dirty and push it to the terminal once. */
static void draw(struct app *a)
{
    if (a->dirty & UI_DIRTY_CLEAR)
        clearok(curscr, TRUE);
    if (a->too_small) {
        draw_too_small(a);
    } else {
        if (a->dirty & UI_DIRTY_TITLE) {
            statusbar_draw_title(a, a->w_title);
            wnoutrefresh(a->w_title);
        }
        if (a->dirty & UI_DIRTY_BODY) {
            draw_body(a);
            wnoutrefresh(a->w_body);
        }
        if (a->dirty & UI_DIRTY_STATUS) {
            statusbar_draw_status(a, a->w_status);
            wnoutrefresh(a->w_status);
        }
        if (prompt_active()) {
            /* Always last: its cursor is the terminal's cursor. */
            prompt_draw(a->w_bottom);
            wnoutrefresh(a->w_bottom);
        } else if (a->dirty & UI_DIRTY_BOTTOM) {
            statusbar_draw_hints(a, a->w_bottom);
            wnoutrefresh(a->w_bottom);
        }
    }
    int want_cursor = !a->too_small && prompt_active();
    if (want_cursor != a->cursor_shown) {
        curs_set(want_cursor ? 1 : 0);
        a->cursor_shown = want_cursor;
    }
    doupdate();
    a->dirty = 0;
    a->frames++;
}

/* ---- input ---- */

/* The m key: recent messages, newest first, in a scrollable pop-up. */
static void show_messages(struct app *a)
{
    static const char *const names[] = {"info", "warning", "error"};
    size_t cap = APP_MSG_HISTORY * (sizeof a->history[0].text + 32) + 64;
    char *text = malloc(cap);
    if (!text) {
        app_message(a, APP_ERROR, "Cannot show the messages: out of memory.");
        return;
    }
    size_t o = 0;
    if (a->history_n == 0)
        o += (size_t)snprintf(text, cap, "No messages yet.");
    for (size_t i = 0; i < a->history_n; i++) {
        size_t k = (a->history_next + APP_MSG_HISTORY - 1 - i) % APP_MSG_HISTORY;
        const struct app_msg *m = &a->history[k];
        struct tm tm;
        time_t t = (time_t)m->wall;
        localtime_r(&t, &tm);
        char stamp[16];
        strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
        int n = snprintf(text + o, cap - o, "%s%s %s: %s", i ? "\n\n" : "", stamp, names[m->level],
                         m->text);
        if (n < 0 || (size_t)n >= cap - o)
            break;
        o += (size_t)n;
    }
    app_push(a, dialog_text_new(a, "Messages (newest first)", text, o));
    free(text);
}

/* Global actions: what a key does when the top view did not take it. */
static unsigned global_action(struct app *a, enum ui_action act)
{
    struct view *top = app_top(a);
    switch (act) {
    case ACT_HELP:
        if (top && strcmp(top->ops->name, "help") != 0)
            app_push(a, view_help_new(a));
        return UR_HANDLED;
    case ACT_FETCH: app_open_fetch_prompt(a, NULL); return UR_HANDLED;
    case ACT_TICKETS:
        if (top && strcmp(top->ops->name, "tickets") != 0)
            app_push(a, view_tickets_new(a));
        return UR_HANDLED;
    case ACT_MESSAGES: show_messages(a); return UR_HANDLED;
    case ACT_CREDENTIAL:
        if (a->auth_refused && a->conn == DH_CONN_FAILED)
            open_credential_prompt(a);
        else
            app_message(a, APP_INFO,
                        "The server has not refused the credential: nothing to "
                        "enter.");
        return UR_HANDLED | UR_STATUS;
    case ACT_QUIT_NOW: return UR_HANDLED | UR_QUIT;
    case ACT_REDRAW: a->dirty |= UI_DIRTY_ALL; return UR_HANDLED;
    case ACT_QUIT: return UR_HANDLED | (a->n_views > 1 ? UR_CLOSE : UR_QUIT);
    case ACT_BACK: return a->n_views > 1 ? UR_HANDLED | UR_CLOSE : UR_NONE;
    default: return UR_NONE;
    }
}

/* Apply a reaction. */
static void apply(struct app *a, unsigned r)
{
    if (r & UR_REDRAW)
        a->dirty |= UI_DIRTY_BODY;
    if (r & UR_STATUS)
        a->dirty |= UI_DIRTY_STATUS | UI_DIRTY_TITLE;
    if (r & UR_CLOSE)
        app_pop(a);
    if (r & UR_QUIT)
        app_request_quit(a);
}

/* One key. */
/* A key after an error has been on screen long enough to read: the error
 * goes (what the key does next may say something new). Connection
 * problems stay while they last. */
static void message_read(struct app *a)
{
    if (!a->msg[0] || a->msg_level == APP_INFO || a->msg_conn ||
        a->now_ms - a->msg_ms < ERROR_READ_MS)
        return;
    a->msg[0] = '\0';
    a->dirty |= UI_DIRTY_STATUS;
}

static void handle_key(struct app *a, int key)
{
    if (key == UI_KEY_RESIZE) {
        handle_resize(a);
        return;
    }
    if (key == UI_KEY_PASTE_BEGIN) {
        /* A paste outside the prompt is a ticket: open the prompt with it. */
        if (!prompt_active() && !a->too_small)
            app_open_fetch_prompt(a, NULL);
        prompt_paste(1);
        return;
    }
    if (key == UI_KEY_PASTE_END) {
        prompt_paste(0);
        return;
    }
    if (a->too_small) {
        if (prompt_pasting())
            return; /* pasted text is never a command */
        if (key == 'q' || key == 'Q' || key == UI_KEY_INTERRUPT)
            app_request_quit(a);
        return;
    }
    if (prompt_active()) {
        apply(a, prompt_key(a, key));
        return;
    }
    if (key >= UI_KEY_ALT) {
        /* Only readline has Alt bindings: elsewhere this was Esc, then a key
         * typed (or sent) right after it. */
        handle_key(a, UI_KEY_ESC);
        if (!a->quit)
            handle_key(a, key - UI_KEY_ALT);
        return;
    }
    if ((key == UI_KEY_ESC || key == UI_KEY_INTERRUPT) && cancel_latest(a))
        return;
    message_read(a);
    struct view *top = app_top(a);
    if (!top)
        return;
    /* The user's keys first ([keys]): the view's table, then the global one. */
    int own = keybinds_translate(a->opt->keys, top->ops->keymap, key);
    if (own == key && !top->ops->modal && !keymap_lookup(top->ops->keymap, key))
        own = keybinds_translate(a->opt->keys, &keymap_global, key);
    key = own;
    enum ui_action act = keymap_lookup(top->ops->keymap, key);
    if (act == ACT_NONE && !top->ops->modal)
        act = keymap_lookup(&keymap_global, key);
    if (key == UI_KEY_INTERRUPT && !top->ops->modal)
        act = ACT_QUIT_NOW;
    unsigned r = view_key(top, a, key, act);
    if (!(r & UR_HANDLED) && !top->ops->modal)
        r |= global_action(a, act);
    a->dirty |= UI_DIRTY_BOTTOM | UI_DIRTY_TITLE;
    apply(a, r);
}

/* Scroll the top view by n rows (the wheel): its own scroll, else the cursor. */
static void wheel(struct app *a, enum ui_action act, int n)
{
    struct view *top = app_top(a);
    if (!top)
        return;
    if (top->ops->on_wheel) {
        apply(a, top->ops->on_wheel(top, a, act == ACT_UP ? -n : n));
        return;
    }
    unsigned r = 0;
    for (int i = 0; i < n; i++)
        r |= view_key(top, a, 0, act);
    apply(a, r);
}

/* A mouse event: the wheel scrolls, a click on the body goes to the top view,
 * a click on a key hint runs that key. Nothing while a prompt is open or the
 * terminal is too small. */
static void handle_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || prompt_active() || a->too_small)
        return;
    if (ev.bstate & BUTTON4_PRESSED) {
        wheel(a, ACT_UP, 3);
        return;
    }
    if (ev.bstate & BUTTON5_PRESSED) {
        wheel(a, ACT_DOWN, 3);
        return;
    }
    int twice = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
    if (!twice && !(ev.bstate & BUTTON1_CLICKED))
        return;
    if (a->w_bottom && ev.y == getbegy(a->w_bottom)) {
        int key = statusbar_hint_key(a, getmaxx(a->w_bottom), ev.x);
        if (key >= 0)
            handle_key(a, key);
        return;
    }
    struct view *top = app_top(a);
    if (!top || !top->ops->click || !a->w_body)
        return;
    int by = ev.y - getbegy(a->w_body), bx = ev.x - getbegx(a->w_body);
    if (by < 0 || by >= getmaxy(a->w_body) || bx < 0 || bx >= getmaxx(a->w_body))
        return;
    message_read(a);
    a->dirty |= UI_DIRTY_BOTTOM | UI_DIRTY_TITLE;
    apply(a, top->ops->click(top, a, by, bx, twice));
}

/* Read every key curses has for us. */
static void handle_input(struct app *a)
{
    for (int guard = 0; guard < 4096 && !a->quit; guard++) {
        wint_t wch;
        int r = wget_wch(a->w_input, &wch);
        if (r == ERR)
            return;
        int key;
        if (r == KEY_CODE_YES && wch == KEY_MOUSE) {
            handle_mouse(a);
            continue;
        }
        if (r == KEY_CODE_YES) {
            key = wch == KEY_ENTER ? UI_KEY_ENTER : UI_KEYFN + (int)wch;
        } else {
            key = (int)wch;
            int typed = !(prompt_active() && prompt_pasting());
            if (key == UI_KEY_CTRL_Z && typed) {
                /* Raw mode: Ctrl-Z is a byte. Suspend through curses' own
                 * SIGTSTP handler, which gives the terminal back first and
                 * takes it again on fg. */
                raise(SIGTSTP);
                a->dirty |= UI_DIRTY_ALL;
                continue;
            }
            if (key == UI_KEY_CTRL_C && typed)
                key = UI_KEY_INTERRUPT; /* raw mode: Ctrl-C is a byte, not SIGINT */
            else if (key == '\n' || key == '\r')
                key = UI_KEY_ENTER;
            else if (key == 127 || key == 8)
                key = UI_KEY_BACKSPACE;
            else if (key == UI_KEY_ESC) {
                /* ESC immediately followed by a character: Alt+key. */
                wint_t next;
                int r2 = wget_wch(a->w_input, &next);
                if (r2 == OK && next != 27)
                    key = UI_KEY_ALT + (int)next;
                else if (r2 == OK)
                    unget_wch((wchar_t)next);
                else if (r2 == KEY_CODE_YES)
                    ungetch((int)next);
            }
        }
        handle_key(a, key);
    }
}

/* Signals that arrived through the self-pipe. */
static void handle_signals(struct app *a)
{
    unsigned char b[32];
    size_t n = term_guard_read(b, sizeof b);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == SIGWINCH)
            handle_resize(a);
        else if (b[i] == SIGINT)
            handle_key(a, UI_KEY_INTERRUPT);
        else if (b[i] == SIGTERM || b[i] == SIGHUP || b[i] == SIGQUIT) {
            app_log(a, "signal %d: quitting", b[i]);
            a->quit = 1;
        }
    }
}

/* ---- timers ---- */

/* Periodic work: the status line when its text changes by itself, the
 * spinner, info messages fading, the views' own timers. */
static void tick(struct app *a, int64_t *status_due, int64_t *last_frame)
{
    if (a->now_ms >= *status_due || (a->dirty & UI_DIRTY_STATUS)) {
        *status_due = a->now_ms + statusbar_next_change_ms(a);
        a->dirty |= UI_DIRTY_STATUS;
    }
    int64_t frame = a->now_ms / 100;
    if (a->n_pending && frame != *last_frame) {
        *last_frame = frame;
        a->dirty |= UI_DIRTY_STATUS;
    }
    if (a->msg[0] && a->msg_level == APP_INFO && a->now_ms - a->msg_ms > INFO_MESSAGE_MS) {
        a->msg[0] = '\0';
        a->dirty |= UI_DIRTY_STATUS;
    }
    for (size_t i = 0; i < a->n_views; i++) {
        apply(a, view_tick(a->views[i], a, a->now_ms) & ~(unsigned)(UR_CLOSE | UR_QUIT));
    }
}

/* Milliseconds poll() may sleep. */
static int next_timeout(struct app *a, int64_t status_due)
{
    int64_t t = status_due - a->now_ms;
    if (a->msg[0] && a->msg_level == APP_INFO) {
        int64_t fade = a->msg_ms + INFO_MESSAGE_MS + 1 - a->now_ms;
        if (fade < t)
            t = fade;
    }
    if (a->n_pending) {
        int64_t s = draw_spinner_wait(a->now_ms);
        if (s < t)
            t = s;
    }
    for (size_t i = 0; i < a->n_views; i++) {
        int64_t n = view_next_tick(a->views[i], a, a->now_ms);
        if (n >= 0 && n < t)
            t = n;
    }
    if (t < 0)
        t = 0;
    return (int)t;
}

/* ---- start and stop ---- */

/* While curses owns the terminal, anything a library writes to stderr would
 * tear the screen: send it to the log file (or /dev/null) until endwin. */
static void stderr_divert(struct app *a)
{
    a->saved_stderr = dup(STDERR_FILENO);
    if (a->saved_stderr < 0)
        return;
    fcntl(a->saved_stderr, F_SETFD, FD_CLOEXEC);
    int fd = -1;
    if (a->opt->log_file)
        fd = open(a->opt->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

/* Give stderr back after endwin. */
static void stderr_restore(struct app *a)
{
    if (a->saved_stderr < 0)
        return;
    dup2(a->saved_stderr, STDERR_FILENO);
    close(a->saved_stderr);
    a->saved_stderr = -1;
}

/* Append terminfo capability cap to buf (nothing if the terminal lacks it). */
static void append_cap(char *buf, size_t n, const char *cap)
{
    const char *v = tigetstr(cap);
    if (!v || v == (char *)-1)
        return;
    size_t have = strlen(buf), add = strlen(v);
    if (have + add < n)
        memcpy(buf + have, v, add + 1);
}

/* Tell the terminal guard what undoes our terminal setup, for signals and
 * crashes that end the process before curses_stop runs. */
static void guard_arm(void)
{
    /* Bracketed paste and every mouse mode off, then the terminfo undo. */
    char undo[256] = "\033[?2004l\033[?1000l\033[?1002l\033[?1006l";
    append_cap(undo, sizeof undo, "sgr0");
    append_cap(undo, sizeof undo, "rmkx");
    append_cap(undo, sizeof undo, "cnorm");
    append_cap(undo, sizeof undo, "rmcup");
    term_guard_arm(undo);
}

/* Curses setup. Returns 0, or -1 with a reason in err. */
static int curses_start(struct app *a, char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen,
                 "the interactive browser needs a terminal on stdin and stdout "
                 "(use the ls, fetch or rows commands in scripts)");
        return -1;
    }
    term_guard_save(STDOUT_FILENO);
    SCREEN *s = newterm(NULL, stdout, stdin);
    if (!s) {
        const char *term = getenv("TERM");
        snprintf(err, errlen, "cannot use the terminal type '%s' (check TERM)", term ? term : "");
        return -1;
    }
    set_term(s);
    guard_arm();
    /* A terminal that cannot move the cursor (TERM=dumb) cannot show a screen. */
    const char *cup = tigetstr("cup");
    if (!cup || cup == (char *)-1) {
        endwin();
        term_guard_disarm();
        delscreen(s);
        const char *term = getenv("TERM");
        snprintf(err, errlen,
                 "the terminal type '%s' cannot move the cursor; set TERM to your terminal "
                 "(e.g. xterm-256color)",
                 term ? term : "");
        return -1;
    }
    /* ncurses flushes after every cursor move until the screen has been
     * suspended and resumed once (lib_mvcur.c treats the first run as
     * "initial"): one endwin/doupdate pair makes a frame leave in one
     * write instead of one per line, which matters over SSH. */
    endwin();
    doupdate();
    stderr_divert(a);
    /* Raw, not cbreak: no key and no pasted byte may raise a signal (a
     * Ctrl-\ would kill us with the terminal left raw); Ctrl-C is a byte. */
    raw();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    set_escdelay(25);
    draw_init_colors(draw_theme_effective((enum draw_theme)a->opt->theme, getenv("NO_COLOR")));
    a->w_input = newwin(1, 1, 0, 0);
    if (!a->w_input) {
        endwin();
        term_guard_disarm();
        stderr_restore(a);
        snprintf(err, errlen, "cannot create a curses window");
        return -1;
    }
    keypad(a->w_input, TRUE);
    nodelay(a->w_input, TRUE);
    if (a->opt->mouse) {
        /* Wheel, click and double click; a drag is left to the terminal
         * (Shift+drag selects text in most terminals while we have the mouse). */
        mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
                  NULL);
        mouseinterval(200);
    }
    define_key("\033[200~", KEY_MAX + 1);
    define_key("\033[201~", KEY_MAX + 2);
    curs_set(0);
    /* Bracketed paste on: a pasted ticket arrives marked as a paste. */
    fputs("\033[?2004h", stdout);
    fflush(stdout);
    return 0;
}

/* Leave curses: bracketed paste off, endwin, stderr back. */
static void curses_stop(struct app *a)
{
    free_windows(a);
    if (a->w_input)
        delwin(a->w_input);
    a->w_input = NULL;
    fputs("\033[?2004l", stdout);
    fflush(stdout);
    if (a->opt->mouse)
        mousemask(0, NULL);
    endwin();
    term_guard_disarm();
    stderr_restore(a);
}

/* Open the ticket given on the command line (errors keep the text in the prompt). */
static void open_initial_ticket(struct app *a)
{
    const char *text = a->opt->initial_ticket;
    if (!text || !*text)
        return;
    struct dh_ticket t;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ticket_parse(&t, text, strlen(text), &err) != DH_OK) {
        app_error_message(a, APP_ERROR, err.msg);
        app_open_fetch_prompt(a, text);
        return;
    }
    if (a->conn == DH_CONN_CONNECTED) {
        app_fetch_ticket(a, &t, text);
        return;
    }
    /* Not connected yet: fetch as soon as we are. */
    a->deferred = t;
    ui_copy(a->deferred_text, sizeof a->deferred_text, text);
    char s[128];
    app_ticket_short(&t, s, sizeof s);
    app_message(a, APP_INFO, "Will open %s once connected.", s);
}

/* Free the model and the views. */
static void app_free_state(struct app *a)
{
    while (a->n_views > 0) {
        view_destroy(a->views[--a->n_views], a);
    }
    while (a->n_pending > 0)
        pending_clear(&a->pending[--a->n_pending]);
    dh_object_list_free(a->objects);
    a->objects = NULL;
    free(a->tickets);
    a->tickets = NULL;
    a->n_tickets = 0;
}

/* The loop itself. */
static void run_loop(struct app *a)
{
    int64_t status_due = 0, last_frame = -1;
    int more_events = 0;
    while (!a->quit) {
        a->now_ms = dh_now_ms();
        tick(a, &status_due, &last_frame);
        if (a->dirty)
            draw(a);
        if (a->opt->exit_after_frames > 0 && a->frames >= a->opt->exit_after_frames)
            break;
        struct pollfd fds[3] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = dh_client_wake_fd(a->client), .events = POLLIN},
            {.fd = term_guard_fd(), .events = POLLIN},
        };
        int timeout = more_events ? 0 : next_timeout(a, status_due);
        int n = poll(fds, 3, timeout);
        a->now_ms = dh_now_ms();
        if (n < 0) {
            if (errno == EINTR)
                continue;
            app_log(a, "poll failed: %s", strerror(errno));
            break;
        }
        if (fds[2].revents & POLLIN)
            handle_signals(a);
        more_events = 0;
        if (fds[1].revents & POLLIN || n == 0)
            more_events = drain_events(a);
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            app_log(a, "terminal closed: quitting");
            break;
        }
        if (fds[0].revents & POLLIN)
            handle_input(a);
    }
}

/* Open the log file (0600: it holds tickets, which are capabilities; an existing
 * file keeps its mode, never widened). 0, or -1 with why. */
static int open_log(struct app *a, const char *path, char *why, size_t cap)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    a->log = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (a->log)
        return 0;
    snprintf(why, cap, "cannot open the log file %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Start everything, run the loop, then one unwind path that undoes, in reverse
 * order, whatever was started: the terminal is given back on every way out. */
int app_run(const struct app_options *opt)
{
    struct app app;
    struct app *a = &app;
    memset(a, 0, sizeof *a);
    a->opt = opt;
    a->cursor_shown = -1;
    a->saved_stderr = -1;
    int code = 1, guarded = 0, prompted = 0, curses_on = 0;
    char why[DH_ERROR_MSG_MAX + 64] = "";
    struct dh_error err;
    dh_error_clear(&err);
    setlocale(LC_ALL, "");
    draw_init_locale();

    if (opt->log_file && open_log(a, opt->log_file, why, sizeof why) != 0)
        goto unwind;
    app_log(a, "dhtui starting");
    if (term_guard_install() != 0) {
        snprintf(why, sizeof why, "cannot create a pipe: %s", strerror(errno));
        goto unwind;
    }
    guarded = 1;
    a->client = dh_client_new(&opt->client, &err);
    if (!a->client) {
        snprintf(why, sizeof why, "%s", err.msg[0] ? err.msg : "cannot start the client");
        goto unwind;
    }
    prompt_init();
    prompted = 1;
    if (curses_start(a, why, sizeof why) != 0)
        goto unwind;
    curses_on = 1;
    a->now_ms = dh_now_ms();
    a->conn = dh_client_conn_state(a->client);
    layout(a);
    app_push(a, view_objects_new(a));
    if (a->n_views == 0) {
        snprintf(why, sizeof why, "out of memory");
        goto unwind;
    }
    open_initial_ticket(a);
    run_loop(a);
    code = 0;

unwind:
    /* Give the terminal back first; closing the session may take a moment,
     * and a second Ctrl-C or SIGTERM meanwhile ends the process at once. */
    if (curses_on)
        curses_stop(a);
    if (guarded)
        term_guard_leaving();
    if (prompted)
        prompt_done();
    app_free_state(a);
    if (code == 0)
        app_log(a, "dhtui exiting");
    else
        app_log(a, "dhtui could not start: %s", why);
    dh_client_free(a->client);
    if (guarded)
        term_guard_remove();
    if (why[0])
        fprintf(stderr, "dhtui: %s\n", why);
    if (a->log)
        fclose(a->log);
    return code;
}
