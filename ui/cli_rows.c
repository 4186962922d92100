/* SPDX-License-Identifier: MIT */
/* cli_rows.c: `dhtui rows`: a table's rows streamed batch by batch from one
 * Barrage viewport snapshot (dh_table_stream), as an aligned table, exact CSV,
 * TSV, JSON or JSON Lines (rows_value.h, rows_out.h), or an Arrow IPC stream,
 * in memory bounded by one batch whatever --limit says. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dh_exports.h"
#include "dh_format.h"
#include "dh_objects.h"
#include "dh_table.h"
#include "dh_tableops.h"
#include "dh_text.h"
#include "dh_ticket.h"
#include "rows_write.h"

/* Rows per record batch asked of the server for the table format's page
 * (the data formats: ROWS_DATA_BATCH, rows_write.h). */
#define ROWS_TABLE_BATCH 4096
/* Widest a column of --format table grows before cells are cut with '…'. */
#define ROWS_MAX_WIDTH 40
/* Longest cell text kept (longer values are cut by the formatter). */
#define ROWS_CELL_MAX 65536

/* State of one `dhtui rows` run. */
struct rows_run {
    const struct cli_options *o;
    const struct dh_schema *schema;
    size_t *cols; /* field index of each output column, in output order */
    size_t n_cols;
    uint8_t *bits;  /* the column-set bitset: which fields to fetch */
    size_t *widths; /* --format table: display width of each output column */
    int header_done;
    struct dh_format_opts fopts;
    char *cell;           /* the formatter's output */
    struct rows_writer w; /* the data formats */
};

/* Set by SIGINT/SIGTERM: stop after the current page, release, close. */
static volatile sig_atomic_t rows_interrupted;

/* Note the signal; the paging loop acts on it. */
static void rows_on_signal(int sig)
{
    rows_interrupted = sig;
}

/* Catch Ctrl-C so the session is closed (and our export released) in order. */
static void rows_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = rows_on_signal;
    sa.sa_flags = SA_RESTART; /* writes and gRPC's waits carry on; we look between pages */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- cell text ---- */

/* The display text of row r of output column k (--format table): formatted
 * and sanitised (NUL-terminated, in run->cell). */
static const char *rows_cell(struct rows_run *run, const struct dh_batch *b, size_t k, int64_t r)
{
    const struct dh_column_view *c = &b->columns[run->cols[k]];
    run->cell[0] = '\0';
    if (r < c->length)
        dh_format_cell(c, r, &run->fopts, run->cell, ROWS_CELL_MAX);
    return run->cell;
}

/* ---- output formats ---- */

/* 1 if the field is numeric (right-aligned in a table). */
static int rows_numeric(const struct dh_field *f)
{
    return dh_format_is_numeric(f);
}

/* Grow the table widths to fit this page (widths never shrink: aligned output). */
static void rows_table_measure(struct rows_run *run, const struct dh_batch *b, int64_t n)
{
    for (size_t k = 0; k < run->n_cols; k++) {
        for (int64_t r = 0; r < n && run->widths[k] < ROWS_MAX_WIDTH; r++) {
            const char *text = rows_cell(run, b, k, r);
            size_t w = cli_text_width(text, strlen(text));
            if (w > run->widths[k])
                run->widths[k] = w > ROWS_MAX_WIDTH ? ROWS_MAX_WIDTH : w;
        }
    }
}

/* One aligned cell: numbers to the right, text to the left. */
static void rows_table_cell(struct rows_run *run, size_t k, const char *text, int last)
{
    size_t width = run->widths[k];
    if (rows_numeric(&run->schema->fields[run->cols[k]])) {
        size_t w = cli_text_width(text, strlen(text));
        cli_pad(stdout, width > w ? width - w : 0);
        cli_text_cell(stdout, text, strlen(text), width, 0);
        return;
    }
    cli_text_cell(stdout, text, strlen(text), width, !last);
}

/* The column names, aligned like the cells. */
static void rows_header_table(struct rows_run *run)
{
    for (size_t k = 0; k < run->n_cols; k++) {
        const char *name = run->schema->fields[run->cols[k]].name;
        if (k)
            fputs("  ", stdout);
        rows_table_cell(run, k, name, k + 1 == run->n_cols);
    }
    fputc('\n', stdout);
}

/* Aligned lines for n rows. */
static void rows_page_table(struct rows_run *run, const struct dh_batch *b, int64_t n)
{
    for (int64_t r = 0; r < n; r++) {
        for (size_t k = 0; k < run->n_cols; k++) {
            if (k)
                fputs("  ", stdout);
            rows_table_cell(run, k, rows_cell(run, b, k, r), k + 1 == run->n_cols);
        }
        fputc('\n', stdout);
    }
}

/* One batch of n rows as an aligned table (the header before the first). */
static void rows_table_batch(struct rows_run *run, const struct dh_batch *b, int64_t n)
{
    rows_table_measure(run, b, n);
    if (!run->header_done)
        rows_header_table(run);
    run->header_done = 1;
    rows_page_table(run, b, n);
}

/* ---- columns ---- */

/* "a, b, c": the names of the visible columns (only those dhtui can decode when
 * `decodable`), for an error message. */
static void rows_column_list(const struct dh_schema *sc, int decodable, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->n_fields && used + 1 < n; i++) {
        if (sc->fields[i].hidden || (decodable && !dh_field_decodable(&sc->fields[i])))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", sc->fields[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Add field i to the output columns (its width starts as its name's) and the bitset. */
static void rows_add_column(struct rows_run *run, size_t i)
{
    const char *name = run->schema->fields[i].name;
    size_t w = cli_text_width(name, strlen(name));
    run->widths[run->n_cols] = w > ROWS_MAX_WIDTH ? ROWS_MAX_WIDTH : w;
    run->cols[run->n_cols++] = i;
    run->bits[i / 8] = (uint8_t)(run->bits[i / 8] | (1u << (i % 8)));
}

/* Refuse a picked column whose values dhtui does not decode (a Union, a Map, a
 * dictionary of lists...): writing a placeholder would lose data silently.
 * --format arrow writes the server's bytes, so it keeps such columns.
 * Returns 0, or an exit code after printing the error. */
static int rows_check_decodable(struct rows_run *run)
{
    const struct dh_schema *sc = run->schema;
    if (run->o->format == CLI_FORMAT_ARROW)
        return 0; /* the server's bytes as they are: nothing is decoded */
    for (size_t k = 0; k < run->n_cols; k++) {
        const struct dh_field *f = &sc->fields[run->cols[k]];
        if (dh_field_decodable(f))
            continue;
        char list[1024];
        rows_column_list(sc, 1, list, sizeof list);
        cli_errorf("column '%s' has type %s, which dhtui cannot read; leave it out with "
                   "--columns (readable columns: %s)",
                   f->name, f->type_name, list);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* Pick the output columns: --columns in its order, else every visible one.
 * Returns 0, or an exit code after printing the error. */
static int rows_pick_columns(struct rows_run *run)
{
    const struct dh_schema *sc = run->schema;
    size_t n_names = 1;
    for (const char *p = run->o->columns; p && *p; p++)
        n_names += *p == ',';
    run->cols = calloc(sc->n_fields + n_names, sizeof *run->cols);
    run->bits = calloc(sc->n_fields / 8 + 1, 1);
    run->widths = calloc(sc->n_fields + n_names, sizeof *run->widths);
    if (!run->cols || !run->bits || !run->widths) {
        cli_errorf("out of memory");
        return CLI_EXIT_FAIL;
    }
    if (!run->o->columns) {
        for (size_t i = 0; i < sc->n_fields; i++)
            if (!sc->fields[i].hidden)
                rows_add_column(run, i);
        return rows_check_decodable(run);
    }
    const char *p = run->o->columns;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        size_t i = 0;
        while (i < sc->n_fields &&
               (strlen(sc->fields[i].name) != len || strncmp(sc->fields[i].name, p, len) != 0))
            i++;
        if (i == sc->n_fields) {
            char list[1024];
            rows_column_list(sc, 0, list, sizeof list);
            cli_errorf("no column named '%.*s' in this table (its columns: %s)", (int)len, p, list);
            return CLI_EXIT_USAGE;
        }
        rows_add_column(run, i);
        if (!end)
            break;
        p = end + 1;
    }
    return rows_check_decodable(run);
}

/* ---- resolving and paging ---- */

int cli_looks_like_ticket(const char *s)
{
    return strchr(s, '/') != NULL || strncmp(s, "0x", 2) == 0 || strncmp(s, "b'", 2) == 0 ||
           strncmp(s, "b\"", 2) == 0;
}

int cli_resolve_table(struct dh_session *s, const char *text, struct dh_ticket *t)
{
    struct dh_object_list *l = cli_list_objects(s);
    if (!l)
        return CLI_EXIT_FAIL;
    const struct dh_object *ob = dh_object_list_find(l, text);
    if (ob && ob->unusable) {
        cli_errorf("'%.60s' cannot be used: %s", text, ob->unusable);
        dh_object_list_free(l);
        return CLI_EXIT_FAIL;
    }
    if (ob)
        *t = ob->ticket;
    dh_object_list_free(l);
    if (ob)
        return 0;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ticket_parse(t, text, strlen(text), &err) == DH_OK)
        return 0;
    cli_errorf("no object named '%s' (dhtui ls lists them), and it is not a ticket either: %s",
               text, err.msg);
    return CLI_EXIT_FAIL;
}

/* After stdout (table) or the writer failed: 1 = stop. A reader that went
 * away (EPIPE) is no error. */
static int rows_output_stopped(struct rows_run *run, int *code)
{
    int e = 0;
    if (run->o->format == CLI_FORMAT_TABLE) {
        if (!ferror(stdout) && fflush(stdout) == 0)
            return 0;
        e = errno;
    } else if (!(e = rows_writer_error(&run->w))) {
        return 0;
    }
    if (e != EPIPE) {
        cli_errorf("write the rows: %s", strerror(e));
        *code = CLI_EXIT_FAIL;
    }
    return 1;
}

/* The rows [offset, offset + limit) clipped to the table's size. */
static int64_t rows_count(const struct cli_options *o, int64_t size)
{
    int64_t left = o->limit;
    if (size >= 0) {
        int64_t avail = size > o->offset ? size - o->offset : 0;
        if (left < 0 || left > avail)
            left = avail;
    } else if (left < 0 || left > INT64_MAX - o->offset) {
        left = INT64_MAX - o->offset;
    }
    return left;
}

/* Set up the writer of a data format and write its opening. */
static int rows_begin(struct rows_run *run, struct dh_table_stream *st)
{
    const struct cli_options *o = run->o;
    if (o->format == CLI_FORMAT_TABLE)
        return 0;
    int safe =
        o->escape == CLI_ESCAPE_ALWAYS || (o->escape == CLI_ESCAPE_AUTO && isatty(STDOUT_FILENO));
    if (rows_writer_init(&run->w, o->format, STDOUT_FILENO, run->schema, run->cols, run->n_cols,
                         safe, o->null_text, o->local_time) != 0) {
        cli_errorf("out of memory");
        return CLI_EXIT_FAIL;
    }
    const uint8_t *h;
    size_t hlen;
    dh_table_stream_schema_message(st, &h, &hlen);
    rows_writer_begin(&run->w, h, hlen);
    return 0;
}

/* The snapshot streams of one run: the range not yet asked for, and the
 * next range's stream, opened as soon as the current one has been received
 * whole so that the server produces it while the current batches are
 * written out (no idle round trip between snapshots). */
struct rows_windows {
    struct dh_session *s;
    const struct dh_ticket *t;
    struct dh_column_set cs;
    int64_t pos, left;            /* the range not yet asked for */
    struct dh_table_stream *next; /* opened ahead, or NULL */
    int64_t next_count;
};

/* Open the stream of the next at most ROWS_SNAPSHOT rows not yet asked for.
 * CLI_EXIT_OK, or the exit code after printing the error. */
static int rows_open(struct rows_run *run, struct rows_windows *win, struct dh_table_stream **st,
                     int64_t *count)
{
    const struct cli_options *o = run->o;
    *count = win->left < ROWS_SNAPSHOT ? win->left : ROWS_SNAPSHOT;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_table_stream_open(win->s, win->t, win->pos, *count,
                             o->format == CLI_FORMAT_ARROW ? NULL : &win->cs,
                             o->format == CLI_FORMAT_TABLE ? ROWS_TABLE_BATCH : ROWS_DATA_BATCH,
                             NULL, st, &err) != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    win->pos += *count;
    win->left -= *count;
    return CLI_EXIT_OK;
}

/* Write every batch of one snapshot stream; *rows gets the rows written.
 * Opens the next range's stream once this one is received whole.
 * CLI_EXIT_OK or the exit code to stop with. */
static int rows_drain(struct rows_run *run, struct dh_table_stream *st, struct rows_windows *win,
                      int64_t *rows)
{
    int table = run->o->format == CLI_FORMAT_TABLE;
    int code = CLI_EXIT_OK;
    *rows = 0;
    while (code == CLI_EXIT_OK) {
        const struct dh_batch *b;
        struct dh_raw_message raw;
        struct dh_error err;
        dh_error_clear(&err);
        int rc = dh_table_stream_next(st, &b, &raw, &err);
        if (rc == DH_END)
            break;
        if (rc != DH_OK) {
            cli_error_line(err.msg);
            return CLI_EXIT_FAIL;
        }
        if (table)
            rows_table_batch(run, b, b->length);
        else
            rows_writer_batch(&run->w, b, b->length, &raw);
        *rows += b->length;
        if (rows_output_stopped(run, &code))
            break;
        if (rows_interrupted)
            code = 128 + rows_interrupted; /* as a shell reports a death by signal */
        else if (!win->next && win->left > 0 && dh_table_stream_received(st))
            code = rows_open(run, win, &win->next, &win->next_count);
    }
    return code;
}

/* Stream [offset, offset + limit) of the table as consecutive snapshots of
 * at most ROWS_SNAPSHOT rows and write it out batch by batch. */
static int rows_stream(struct rows_run *run, struct dh_session *s, const struct dh_ticket *t,
                       int64_t size)
{
    const struct cli_options *o = run->o;
    struct rows_windows win = {
        .s = s,
        .t = t,
        .cs = {.bits = run->bits, .n_columns = run->schema->n_fields},
        .pos = o->offset,
        .left = rows_count(o, size),
    };
    int table = o->format == CLI_FORMAT_TABLE;
    struct dh_table_stream *st = NULL;
    int64_t count = 0;
    int code = rows_open(run, &win, &st, &count);
    if (code != CLI_EXIT_OK)
        return code;
    code = rows_begin(run, st);
    int stopped = 0;
    for (;;) {
        int64_t got = 0;
        if (code == CLI_EXIT_OK)
            code = rows_drain(run, st, &win, &got);
        dh_table_stream_free(st);
        st = NULL;
        stopped = code != CLI_EXIT_OK || rows_output_stopped(run, &code);
        if (stopped || got < count || (!win.next && win.left <= 0))
            break; /* failed, stopped, the table ended before the range did, or done */
        if (!win.next && (code = rows_open(run, &win, &win.next, &win.next_count)) != CLI_EXIT_OK)
            break;
        st = win.next;
        count = win.next_count;
        win.next = NULL;
    }
    dh_table_stream_free(win.next);
    if (stopped || code != CLI_EXIT_OK)
        return code;
    if (table && !run->header_done)
        rows_header_table(run);
    else if (!table)
        rows_writer_end(&run->w);
    rows_output_stopped(run, &code);
    return code;
}

int cli_view_ops(const struct cli_options *o, struct dh_view_ops *v)
{
    struct dh_error err;
    dh_error_clear(&err);
    dh_view_ops_init(v);
    int rc = DH_OK;
    for (size_t i = 0; i < o->n_wheres && rc == DH_OK; i++)
        rc = dh_view_ops_add_where(v, o->wheres[i], &err);
    if (rc == DH_OK && o->sort)
        rc = dh_view_ops_add_sort_spec(v, o->sort, &err);
    if (rc != DH_OK) {
        dh_view_ops_reset(v);
        cli_error_line(err.msg);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_derive_view(struct dh_session *s, const struct cli_options *o, const struct dh_ticket *src,
                    struct dh_ticket *out, struct dh_table_info *info, struct dh_error *err)
{
    struct dh_view_ops v;
    int code = cli_view_ops(o, &v);
    if (code != 0)
        return code;
    dh_ticket_make_export(out, dh_session_next_export_id(s));
    int rc = dh_table_derive(s, src, &v, out, info, err);
    dh_view_ops_reset(&v);
    if (rc != DH_OK) {
        cli_error_line(err->msg);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* Pick the columns of a described table and stream its rows. */
static int rows_pick_columns_and_stream(struct rows_run *run, struct dh_session *s,
                                        const struct dh_ticket *t, struct dh_table_info *info)
{
    run->schema = &info->schema;
    int code = rows_pick_columns(run);
    if (code == 0)
        code = rows_stream(run, s, t, info->size);
    return code;
}

/* Everything after connecting: resolve, copy, describe, pick, stream. */
static int rows_run_session(struct rows_run *run, struct dh_session *s, struct dh_ticket *src)
{
    const char *text = run->o->operands[0];
    if (!cli_looks_like_ticket(text)) {
        int rc = cli_resolve_table(s, text, src);
        if (rc != 0)
            return rc;
    }
    struct dh_ticket copy;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_export_from_ticket(s, src, &copy, &err) != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    int code = CLI_EXIT_FAIL;
    if (run->o->n_wheres || run->o->sort) {
        /* --where / --sort: the server derives the view from our copy (one Batch call) */
        struct dh_ticket derived;
        int rc = cli_derive_view(s, run->o, &copy, &derived, &info, &err);
        dh_error_clear(&err);
        dh_release(s, &copy, &err);
        if (rc != 0)
            return rc;
        copy = derived;
        code = rows_pick_columns_and_stream(run, s, &copy, &info);
        dh_table_info_reset(&info);
        dh_error_clear(&err);
        dh_release(s, &copy, &err);
        return code;
    }
    if (dh_table_info_fetch(s, &copy, &info, &err) != DH_OK) {
        if (dh_error_is_not_a_table(&err))
            cli_errorf("'%s' is not a table, so it has no rows: %s", text, err.msg);
        else
            cli_error_line(err.msg);
    } else {
        run->schema = &info.schema;
        code = rows_pick_columns(run);
        if (code == 0)
            code = rows_stream(run, s, &copy, info.size);
        dh_table_info_reset(&info);
    }
    dh_error_clear(&err);
    dh_release(s, &copy, &err); /* best effort: closing the session releases it too */
    return code;
}

/* Refuse option combinations that cannot be honoured; 0 or the usage code. */
static int rows_check_options(const struct cli_options *o)
{
    if (o->n_operands != 1) {
        cli_errorf("usage: dhtui rows TICKET|NAME [connection options] [--offset N] "
                   "[--limit N] [--columns A,B] [--format table|csv|tsv|json|jsonl|arrow] "
                   "[--null STRING] [--raw|--escape] [--tz ZONE]");
        return CLI_EXIT_USAGE;
    }
    int json = o->format == CLI_FORMAT_JSON || o->format == CLI_FORMAT_JSONL;
    if (o->null_text && (json || o->format == CLI_FORMAT_ARROW)) {
        cli_errorf("--null applies to table, csv and tsv output (JSON has null; Arrow has "
                   "validity bitmaps)");
        return CLI_EXIT_USAGE;
    }
    if (o->format != CLI_FORMAT_ARROW)
        return 0;
    if (o->columns) {
        cli_errorf("--format arrow writes the record batches as the server sent them, with "
                   "every column: leave out --columns");
        return CLI_EXIT_USAGE;
    }
    if (o->escape != CLI_ESCAPE_NEVER && isatty(STDOUT_FILENO)) {
        cli_errorf("--format arrow writes binary data: redirect it to a file or a pipe (or "
                   "add --raw)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_rows(const struct cli_options *o)
{
    int code = rows_check_options(o);
    if (code != 0)
        return code;
    struct dh_ticket src;
    dh_ticket_init(&src);
    if (cli_looks_like_ticket(o->operands[0]) && cli_parse_ticket(o->operands[0], &src) != 0)
        return CLI_EXIT_USAGE;
    cli_ignore_sigpipe();
    rows_catch_signals();
    struct rows_run run;
    memset(&run, 0, sizeof run);
    run.o = o;
    dh_format_opts_init(&run.fopts);
    run.fopts.local_time = o->local_time;
    if (o->null_text)
        run.fopts.null_text = o->null_text;
    run.cell = malloc(ROWS_CELL_MAX);
    if (!run.cell) {
        cli_errorf("out of memory");
        return CLI_EXIT_FAIL;
    }
    code = CLI_EXIT_FAIL;
    struct dh_session *s = cli_connect(o);
    if (s) {
        code = rows_run_session(&run, s, &src);
        dh_session_free(s);
    }
    rows_writer_free(&run.w);
    free(run.cell);
    free(run.cols);
    free(run.bits);
    free(run.widths);
    return code;
}
