/* SPDX-License-Identifier: MIT */
/* view_save.c: S in the pager: the view on screen written to a file by a
 * thread of its own, through the writer of `dhtui rows` (see view_save.h). */
#include "view_save.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dh_clock.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_text.h"
#include "draw.h"
#include "prompt.h"
#include "rows_write.h"
#include "view_table.h"

/* How often the progress bar is redrawn while a save runs. */
#define SAVE_TICK_MS 250
/* A warning or error of something else is not painted over for this long. */
#define SAVE_KEEP_ERROR_MS 3000
/* Cells of the progress bar. */
#define SAVE_BAR 20

enum save_state {
    SAVE_IDLE = 0, /* nothing asked, or the last save reported */
    SAVE_ASKING,   /* the file exists: the y/n prompt is open */
    SAVE_RUNNING,  /* the thread runs (or ended and waits to be joined) */
};

/* One view's save: the file prompt's answer, then the job. A view has at most
 * one save at a time. */
struct view_save {
    enum save_state state;
    char path[4096];     /* the file to write */
    char tmp[4096 + 32]; /* the rows go here until complete, then renamed */
    char shown[160];     /* the path as the status line shows it */
    enum cli_rows_format format;

    /* The job: set before the thread starts, read-only while it runs. */
    int local_time;
    struct dh_session *session; /* our reference (dh_client_hold_session) */
    uint64_t epoch;             /* the session's epoch */
    struct dh_ticket source;    /* the view's table (copied with ExportFromTicket first) */
    struct dh_view_ops hidden;  /* the view's columns its window leaves out (view_table.c) */
    int fd;                     /* the temporary file */
    int64_t started_ms;
    pthread_t thread;
    struct dh_cancel *cancel; /* the streams open (current, next) run under it: Esc fires it */

    /* What the thread reports, under mu. */
    pthread_mutex_t mu;
    int64_t rows, total; /* total: the view's rows, -1 unknown */
    int done, ok, cancelled;
    char err[512];
    struct dh_ticket copy; /* our export of the view, released by the UI (copy.len 0: none) */
};

/* The format a file name asks for: its extension, or -1. */
static int save_format(const char *path)
{
    static const struct {
        const char *ext;
        enum cli_rows_format format;
    } exts[] = {{".csv", CLI_FORMAT_CSV},      {".tsv", CLI_FORMAT_TSV},
                {".json", CLI_FORMAT_JSON},    {".jsonl", CLI_FORMAT_JSONL},
                {".ndjson", CLI_FORMAT_JSONL}, {".arrow", CLI_FORMAT_ARROW}};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return -1;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i].ext) == 0)
            return (int)exts[i].format;
    return -1;
}

/* ---- the thread ---- */

/* Publish progress (rows written so far). */
static void save_progress(struct view_save *j, int64_t rows)
{
    pthread_mutex_lock(&j->mu);
    j->rows = rows;
    pthread_mutex_unlock(&j->mu);
}

/* The columns `dhtui rows` writes without --columns: every visible field,
 * less those the view hides in its window. */
static size_t save_columns(const struct dh_schema *sc, const struct dh_view_ops *hidden,
                           size_t *cols, uint8_t *bits)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->n_fields; i++) {
        if (sc->fields[i].hidden || dh_view_ops_hides(hidden, sc->fields[i].name))
            continue;
        cols[n++] = i;
        bits[i / 8] = (uint8_t)(bits[i / 8] | (1u << (i % 8)));
    }
    return n;
}

/* The stream of the next at most ROWS_SNAPSHOT rows of [*pos, *pos + *left). */
static int save_open(struct view_save *j, const struct dh_ticket *t, const struct dh_column_set *cs,
                     int64_t *pos, int64_t *left, struct dh_table_stream **st, int64_t *count,
                     struct dh_error *err)
{
    *count = *left < ROWS_SNAPSHOT ? *left : ROWS_SNAPSHOT;
    int rc =
        dh_table_stream_open(j->session, t, *pos, *count, j->format == CLI_FORMAT_ARROW ? NULL : cs,
                             ROWS_DATA_BATCH, j->cancel, st, err);
    if (rc != DH_OK)
        return rc;
    *pos += *count;
    *left -= *count;
    return DH_OK;
}

/* Stream the table t (described by info) through the writer, as `dhtui rows`
 * does: consecutive snapshots, the next opened once the current one has
 * arrived whole. DH_OK, DH_ECANCELLED, or an error in err. */
static int save_stream(struct view_save *j, const struct dh_ticket *t,
                       const struct dh_table_info *info, struct rows_writer *w,
                       const struct dh_column_set *cs, struct dh_error *err)
{
    int64_t pos = 0, left = info->size >= 0 ? info->size : INT64_MAX;
    int64_t count = 0, next_count = 0, rows = 0;
    struct dh_table_stream *st = NULL, *next = NULL;
    int rc = save_open(j, t, cs, &pos, &left, &st, &count, err);
    if (rc != DH_OK)
        return rc;
    const uint8_t *h;
    size_t hlen;
    dh_table_stream_schema_message(st, &h, &hlen);
    rows_writer_begin(w, h, hlen);
    for (;;) {
        int64_t got = 0;
        while (rc == DH_OK) {
            const struct dh_batch *b;
            struct dh_raw_message raw;
            int n = dh_table_stream_next(st, &b, &raw, err);
            if (n == DH_END)
                break;
            if (dh_cancel_fired(j->cancel))
                n = DH_ECANCELLED;
            if (n != DH_OK) {
                rc = n;
                break;
            }
            rows_writer_batch(w, b, b->length, &raw);
            got += b->length;
            rows += b->length;
            save_progress(j, rows);
            if (rows_writer_error(w))
                rc = DH_ESYS;
            else if (!next && left > 0 && dh_table_stream_received(st))
                rc = save_open(j, t, cs, &pos, &left, &next, &next_count, err);
        }
        dh_table_stream_free(st);
        st = NULL;
        if (rc != DH_OK || got < count || (!next && left <= 0))
            break; /* failed, cancelled, the table ended before the range did, or done */
        if (!next && (rc = save_open(j, t, cs, &pos, &left, &next, &next_count, err)) != DH_OK)
            break;
        st = next;
        count = next_count;
        next = NULL;
    }
    dh_table_stream_free(next);
    if (rc == DH_OK) {
        rows_writer_end(w);
        if (rows_writer_error(w))
            rc = DH_ESYS;
    }
    return dh_cancel_fired(j->cancel) ? DH_ECANCELLED : rc;
}

/* Describe our copy of the view's table, set the writer up and stream. */
static int save_copy(struct view_save *j, const struct dh_ticket *copy, struct dh_error *err)
{
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int rc = dh_table_info_fetch(j->session, copy, &info, err);
    if (rc != DH_OK)
        return rc;
    const struct dh_schema *sc = &info.schema;
    size_t *cols = calloc(sc->n_fields + 1, sizeof *cols);
    uint8_t *bits = calloc(sc->n_fields / 8 + 1, 1);
    struct rows_writer w;
    memset(&w, 0, sizeof w);
    if (!cols || !bits) {
        rc = dh_error_set(err, DH_ENOMEM, "out of memory");
    } else {
        size_t n_cols = save_columns(sc, &j->hidden, cols, bits);
        pthread_mutex_lock(&j->mu);
        j->total = info.size;
        pthread_mutex_unlock(&j->mu);
        struct dh_column_set cs = {.bits = bits, .n_columns = sc->n_fields};
        if (rows_writer_init(&w, j->format, j->fd, sc, cols, n_cols, 0, NULL, j->local_time) != 0)
            rc = dh_error_set(err, DH_ENOMEM, "out of memory");
        else
            rc = save_stream(j, copy, &info, &w, &cs, err);
        if (rc == DH_ESYS)
            dh_error_set(err, DH_ESYS, "%s", strerror(rows_writer_error(&w)));
    }
    rows_writer_free(&w);
    free(cols);
    free(bits);
    dh_table_info_reset(&info);
    return rc;
}

/* Close the temporary file; rename it over the target when complete, else
 * remove it. */
static int save_finish_file(struct view_save *j, int rc, struct dh_error *err)
{
    if (close(j->fd) != 0 && rc == DH_OK)
        rc = dh_error_set(err, DH_ESYS, "%s", strerror(errno));
    j->fd = -1;
    if (rc == DH_OK && rename(j->tmp, j->path) != 0)
        rc = dh_error_set(err, DH_ESYS, "%s", strerror(errno));
    if (rc != DH_OK)
        unlink(j->tmp);
    return rc;
}

/* The thread: copy the view's table (the pager may replace its own export
 * meanwhile), stream it to the temporary file, then report. */
static void *save_main(void *arg)
{
    struct view_save *j = arg;
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_ticket copy;
    memset(&copy, 0, sizeof copy);
    int rc = dh_export_from_ticket(j->session, &j->source, &copy, &err);
    if (rc == DH_OK)
        rc = save_copy(j, &copy, &err);
    else
        memset(&copy, 0, sizeof copy);
    if (dh_cancel_fired(j->cancel))
        rc = DH_ECANCELLED;
    rc = save_finish_file(j, rc, &err);
    /* The copy is released by the client's own thread (dh_client_forget, after
     * the join): a release here would keep a cancel waiting on a stalled
     * server for a whole call timeout. */
    pthread_mutex_lock(&j->mu);
    j->copy = copy;
    j->done = 1;
    j->ok = rc == DH_OK;
    j->cancelled = rc == DH_ECANCELLED;
    snprintf(j->err, sizeof j->err, "%s", err.msg);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- the UI side ---- */

/* "12.3 MB": a byte count for the messages. */
static void save_size_text(int64_t bytes, char *buf, size_t n)
{
    if (bytes < 10 * 1024)
        snprintf(buf, n, "%lld bytes", (long long)bytes);
    else if (bytes < 10 * 1024 * 1024)
        snprintf(buf, n, "%.0f kB", (double)bytes / 1024.0);
    else
        snprintf(buf, n, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

/* Wait for the thread, hand our copy of the view to the client to release
 * (in the background), and let go of the session. */
static void save_join(struct view_save *j, struct app *a)
{
    pthread_join(j->thread, NULL);
    if (j->copy.len)
        dh_client_forget(a->client, &(struct dh_source){j->copy, j->epoch});
    memset(&j->copy, 0, sizeof j->copy);
    dh_session_free(j->session);
    j->session = NULL;
    dh_view_ops_reset(&j->hidden);
    j->state = SAVE_IDLE;
}

/* The progress bar, on the status line without going into the message
 * history (it changes four times a second). */
static void save_show_progress(struct view_save *j, struct app *a, int64_t now)
{
    pthread_mutex_lock(&j->mu);
    int64_t rows = j->rows, total = j->total;
    pthread_mutex_unlock(&j->mu);
    double secs = (double)(now - j->started_ms) / 1000.0;
    double rate = secs > 0.2 ? (double)rows / secs : 0.0;
    char bar[SAVE_BAR * 3 + 1];
    size_t used = 0;
    int filled = total > 0 ? (int)((double)rows * SAVE_BAR / (double)total) : 0;
    for (int i = 0; i < SAVE_BAR; i++) {
        const char *cell = i < filled ? "\xe2\x96\x88" : "\xc2\xb7"; /* █ · */
        size_t l = strlen(cell);
        memcpy(bar + used, cell, l);
        used += l;
    }
    bar[used] = '\0';
    char done[32], of[48] = "", left[48] = "";
    draw_thousands(rows, done, sizeof done);
    if (total >= 0) {
        char t[32];
        draw_thousands(total, t, sizeof t);
        snprintf(of, sizeof of, " of %s", t);
        if (rate > 0 && total > rows)
            snprintf(left, sizeof left, ", %.0f s left", (double)(total - rows) / rate + 0.5);
    }
    if (a->msg[0] && a->msg_level != APP_INFO && a->msg_ms >= j->started_ms &&
        now - a->msg_ms < SAVE_KEEP_ERROR_MS)
        return; /* an error of another operation during the save stays readable a while */
    char text[512];
    snprintf(text, sizeof text, "Saving %s %s %s%s rows, %.2f M rows/s%s (Esc cancels)", j->shown,
             bar, done, of, rate / 1e6, left);
    dh_text_sanitize(text, strlen(text), a->msg, sizeof a->msg, DH_SANITIZE_TAB_AS_SPACE, NULL);
    a->msg_level = APP_INFO;
    a->msg_ms = now;
    a->msg_conn = 0;
    a->dirty |= UI_DIRTY_STATUS;
}

/* The thread ended: join it and say how it went (one line). */
static void save_report(struct view_save *j, struct app *a, int64_t now)
{
    save_join(j, a);
    if (j->cancelled) {
        app_message(a, APP_INFO, "Save cancelled: %s was not written.", j->shown);
        return;
    }
    if (!j->ok) {
        app_message(a, APP_ERROR, "Could not save %s: %s (nothing was written)", j->shown, j->err);
        return;
    }
    struct stat sb;
    char size[48] = "";
    if (stat(j->path, &sb) == 0)
        save_size_text((int64_t)sb.st_size, size, sizeof size);
    char rows[32];
    draw_thousands(j->rows, rows, sizeof rows);
    app_message(a, APP_INFO, "Saved %s rows to %s (%s) in %.1f s.", rows, j->shown, size,
                (double)(now - j->started_ms) / 1000.0);
}

/* Create the temporary file beside the target (same file system: the rename
 * is atomic), with the mode a new file gets. DH_OK or err. */
static int save_create_tmp(struct view_save *j, struct dh_error *err)
{
    const char *slash = strrchr(j->path, '/');
    int dir_len = slash ? (int)(slash - j->path + 1) : 0;
    snprintf(j->tmp, sizeof j->tmp, "%.*s.%s.dhtui-XXXXXX", dir_len, j->path,
             slash ? slash + 1 : j->path);
    j->fd = mkstemp(j->tmp);
    if (j->fd < 0)
        return dh_error_set(err, DH_ESYS, "%s", strerror(errno));
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(j->fd, 0666 & ~mask) != 0) {
        /* Not fatal: the file is still the user's own (mkstemp's 0600). */
    }
    return DH_OK;
}

/* Start the thread on the view's source. */
static unsigned save_start(struct table_view *v, struct app *a)
{
    struct view_save *j = v->save;
    struct dh_error err;
    dh_error_clear(&err);
    uint64_t epoch = 0;
    j->session = dh_client_hold_session(a->client, &epoch);
    j->epoch = epoch;
    if (!j->session) {
        app_message(a, APP_ERROR, "Not connected: %s was not written.", j->shown);
        return UR_HANDLED | UR_STATUS;
    }
    if (!dh_source_durable(&v->source) && v->source.epoch != epoch) {
        dh_session_free(j->session);
        j->session = NULL;
        app_message(a, APP_ERROR,
                    "The session was renewed since this view was made: wait for "
                    "it to show again, then save.");
        return UR_HANDLED | UR_STATUS;
    }
    if (save_create_tmp(j, &err) != DH_OK) {
        dh_session_free(j->session);
        j->session = NULL;
        app_message(a, APP_ERROR, "Could not save %s: %s", j->shown, err.msg);
        return UR_HANDLED | UR_STATUS;
    }
    j->source = v->source.ticket;
    if (dh_view_ops_copy(&j->hidden, &v->ops, &err) != DH_OK) {
        close(j->fd);
        unlink(j->tmp);
        dh_session_free(j->session);
        j->session = NULL;
        app_message(a, APP_ERROR, "Could not save %s: out of memory", j->shown);
        return UR_HANDLED | UR_STATUS;
    }
    j->local_time = v->local_time;
    j->started_ms = a->now_ms;
    j->rows = 0;
    j->total = -1;
    j->done = j->ok = j->cancelled = 0;
    j->err[0] = '\0';
    dh_cancel_reset(j->cancel);
    if (pthread_create(&j->thread, NULL, save_main, j) != 0) {
        close(j->fd);
        unlink(j->tmp);
        dh_session_free(j->session);
        j->session = NULL;
        app_message(a, APP_ERROR, "Could not save %s: no thread", j->shown);
        return UR_HANDLED | UR_STATUS;
    }
    j->state = SAVE_RUNNING;
    save_show_progress(j, a, a->now_ms);
    return UR_HANDLED | UR_STATUS;
}

static unsigned save_confirm_submit(void *ctx, struct app *a, const char *text);
static void save_cancel_prompt(void *ctx, struct app *a);

static const struct prompt_ops confirm_ops = {
    .submit = save_confirm_submit,
    .cancel = save_cancel_prompt,
};

/* The answer to "overwrite?": y starts, anything else leaves the file alone. */
static unsigned save_confirm_submit(void *ctx, struct app *a, const char *text)
{
    struct table_view *v = ctx;
    struct view_save *j = v->save;
    j->state = SAVE_IDLE;
    if (strcmp(text, "y") != 0 && strcmp(text, "Y") != 0 && strcasecmp(text, "yes") != 0) {
        app_message(a, APP_INFO, "%s left as it was.", j->shown);
        return UR_HANDLED | UR_STATUS;
    }
    return save_start(v, a);
}

static void save_cancel_prompt(void *ctx, struct app *a)
{
    struct table_view *v = ctx;
    if (v->save && v->save->state == SAVE_ASKING) {
        v->save->state = SAVE_IDLE;
        app_message(a, APP_INFO, "%s left as it was.", v->save->shown);
    }
}

/* "~/x" is under $HOME, as a shell would have it. */
static void save_expand_path(const char *text, char *out, size_t n)
{
    const char *home = getenv("HOME");
    if (text[0] == '~' && text[1] == '/' && home && home[0])
        snprintf(out, n, "%s%s", home, text + 1);
    else
        snprintf(out, n, "%s", text);
}

/* The file name typed: check it, ask before overwriting, else start. */
static unsigned save_path_submit(void *ctx, struct app *a, const char *text)
{
    struct table_view *v = ctx;
    struct view_save *j = v->save;
    while (*text == ' ')
        text++;
    if (!text[0])
        return UR_HANDLED;
    int format = save_format(text);
    if (format < 0) {
        app_message(a, APP_ERROR,
                    "Name the file .csv, .tsv, .json, .jsonl or .arrow (the "
                    "extension picks the format).");
        return UR_HANDLED | UR_STATUS | UR_KEEP;
    }
    j->format = (enum cli_rows_format)format;
    save_expand_path(text, j->path, sizeof j->path);
    dh_text_sanitize(text, strlen(text), j->shown, sizeof j->shown,
                     DH_SANITIZE_TAB_AS_SPACE | DH_SANITIZE_ELLIPSIS, NULL);
    struct stat sb;
    if (stat(j->path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            app_message(a, APP_ERROR, "%s is a directory: name a file in it.", j->shown);
            return UR_HANDLED | UR_STATUS | UR_KEEP;
        }
        char label[256];
        snprintf(label, sizeof label, "%s exists: overwrite it? (y/n) ", j->shown);
        j->state = SAVE_ASKING;
        prompt_open(a, PROMPT_GOTO, label, NULL, &confirm_ops, v);
        return UR_HANDLED | UR_STATUS;
    }
    return save_start(v, a);
}

static const struct prompt_ops path_ops = {
    .submit = save_path_submit,
};

/* S: the file prompt (or say why not). */
static unsigned save_ask(struct table_view *v, struct app *a)
{
    if (!v->save) {
        v->save = calloc(1, sizeof *v->save);
        if (!v->save || !(v->save->cancel = dh_cancel_new())) {
            free(v->save);
            v->save = NULL;
            app_message(a, APP_ERROR, "Out of memory.");
            return UR_HANDLED | UR_STATUS;
        }
        pthread_mutex_init(&v->save->mu, NULL);
        v->save->fd = -1;
    }
    if (v->save->state == SAVE_RUNNING) {
        app_message(a, APP_INFO, "Still saving %s (Esc cancels it).", v->save->shown);
        return UR_HANDLED | UR_STATUS;
    }
    if (v->derive_req) {
        app_message(a, APP_INFO, "The view is still changing: save once it shows.");
        return UR_HANDLED | UR_STATUS;
    }
    prompt_open(a, PROMPT_SAVE, "save view to (.csv .tsv .json .jsonl .arrow): ", NULL, &path_ops,
                v);
    return UR_HANDLED;
}

/* Esc while saving: stop the thread's streams; the tick reports the end. */
static void save_cancel(struct view_save *j)
{
    dh_cancel_fire(j->cancel);
}

unsigned view_save_key(struct table_view *v, struct app *a, enum ui_action act)
{
    if (act == ACT_SAVE)
        return save_ask(v, a);
    if (act != ACT_BACK || !v->save || v->save->state != SAVE_RUNNING)
        return UR_NONE;
    save_cancel(v->save);
    app_message(a, APP_INFO, "Cancelling the save of %s...", v->save->shown);
    return UR_HANDLED | UR_STATUS;
}

unsigned view_save_tick(struct table_view *v, struct app *a, int64_t now_ms)
{
    struct view_save *j = v->save;
    if (!j || j->state != SAVE_RUNNING)
        return UR_NONE;
    pthread_mutex_lock(&j->mu);
    int done = j->done;
    pthread_mutex_unlock(&j->mu);
    if (done)
        save_report(j, a, now_ms);
    else if (!dh_cancel_fired(j->cancel))
        save_show_progress(j, a, now_ms);
    return UR_STATUS;
}

int64_t view_save_next_tick(const struct table_view *v, int64_t now_ms)
{
    (void)now_ms;
    return v->save && v->save->state == SAVE_RUNNING ? SAVE_TICK_MS : -1;
}

void view_save_destroy(struct table_view *v, struct app *a)
{
    struct view_save *j = v->save;
    if (!j)
        return;
    if (j->state == SAVE_RUNNING) {
        save_cancel(j);
        save_join(j, a); /* the thread removes its file */
    }
    pthread_mutex_destroy(&j->mu);
    dh_cancel_free(j->cancel);
    free(j);
    v->save = NULL;
}
