/* SPDX-License-Identifier: MIT */
/* cli_rows.c: `dhtui rows`: a table's rows streamed page by page (Barrage
 * viewport snapshots of ROWS_WINDOW rows), as an aligned table, CSV, TSV, JSON
 * or JSON Lines, in memory bounded by one page whatever --limit says. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_exports.h"
#include "dh_format.h"
#include "dh_objects.h"
#include "dh_table.h"
#include "dh_text.h"
#include "dh_ticket.h"
#include "json.h"

/* Rows asked for per snapshot: one page of output. */
#define ROWS_WINDOW 4096
/* Widest a column of --format table grows before cells are cut with '…'. */
#define ROWS_MAX_WIDTH 40
/* Longest cell text kept (longer values are cut by the formatter). */
#define ROWS_CELL_MAX 65536

/* State of one `dhtui rows` run. */
struct rows_run {
    const struct cli_options *o;
    const struct dh_schema *schema;
    size_t *cols;        /* field index of each output column, in output order */
    size_t n_cols;
    uint8_t *bits;       /* the column-set bitset: which fields to fetch */
    size_t *widths;      /* --format table: display width of each output column */
    int header_done;
    int64_t rows_out;
    struct json_writer jw;
    struct dh_format_opts fopts;
    char *cell;          /* the formatter's output */
    char *esc;           /* escaped or sanitised cell text */
    size_t esc_cap;
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

/* The display text of row r of output column k: formatted and sanitised
 * (NUL-terminated, in run->cell). */
static const char *rows_cell(struct rows_run *run, const struct dh_batch *b, size_t k, int64_t r)
{
    const struct dh_column_view *c = &b->columns[run->cols[k]];
    run->cell[0] = '\0';
    if (r < c->length)
        dh_format_cell(c, r, &run->fopts, run->cell, ROWS_CELL_MAX);
    return run->cell;
}

/* The text of a cell for the data formats (CSV, TSV, JSON): a string column's
 * raw bytes (the format escapes them itself, losslessly where it can), else
 * the formatted text. */
static const char *rows_data(struct rows_run *run, const struct dh_batch *b, size_t k, int64_t r,
                             size_t *len)
{
    const struct dh_column_view *c = &b->columns[run->cols[k]];
    enum dh_type_id t = c->field ? c->field->type : DH_TYPE_NULL;
    const uint8_t *p = NULL;
    if ((t == DH_TYPE_UTF8 || t == DH_TYPE_LARGE_UTF8) &&
        dh_column_get_bytes(c, r, &p, len) == DH_OK)
        return p ? (const char *)p : "";
    const char *text = rows_cell(run, b, k, r);
    *len = strlen(text);
    return text;
}

/* Make room for n more bytes in the escape buffer; 0 or -1. */
static int rows_esc_room(struct rows_run *run, size_t used, size_t n)
{
    if (used + n + 1 <= run->esc_cap)
        return 0;
    size_t cap = run->esc_cap ? run->esc_cap : 256;
    while (cap < used + n + 1)
        cap *= 2;
    char *p = realloc(run->esc, cap);
    if (!p)
        return -1;
    run->esc = p;
    run->esc_cap = cap;
    return 0;
}

/* Append s[0..len) to the escape buffer sanitised (controls as \e, \xNN ...). */
static size_t rows_put_sanitized(struct rows_run *run, size_t used, const char *s, size_t len)
{
    /* The worst case: every byte becomes a 6-byte escape. */
    if (rows_esc_room(run, used, len * 6 + 8) != 0)
        return used;
    return used + dh_text_sanitize(s, len, run->esc + used, run->esc_cap - used, 0, NULL);
}

/* TSV: backslashes doubled; tab, newline, CR and every other control character
 * written as the sanitiser's backslash escapes (\t \n \r \e \xNN \uNNNN). */
static const char *rows_tsv_escape(struct rows_run *run, const char *s, size_t len)
{
    size_t used = 0, start = 0;
    if (rows_esc_room(run, 0, 8) != 0)
        return "";
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '\\')
            continue;
        used = rows_put_sanitized(run, used, s + start, i - start);
        if (i < len && rows_esc_room(run, used, 2) == 0) {
            run->esc[used++] = '\\';
            run->esc[used++] = '\\';
        }
        start = i + 1;
    }
    run->esc[used] = '\0';
    return run->esc;
}

/* CSV (RFC 4180): quoted when it holds a comma, quote, CR or LF (or starts or
 * ends with a space), quotes doubled. Tab, CR and LF stay as they are; other
 * control characters are written as the sanitiser's escapes so no escape
 * sequence from the server reaches a terminal. */
static const char *rows_csv_escape(struct rows_run *run, const char *s, size_t len)
{
    size_t used = 0, start = 0;
    if (rows_esc_room(run, 0, 8) != 0)
        return "";
    int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (quote)
        run->esc[used++] = '"';
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '\0';
        if (i < len && c != '"' && c != '\n' && c != '\r' && c != '\t')
            continue;
        used = rows_put_sanitized(run, used, s + start, i - start);
        if (i < len && rows_esc_room(run, used, 2) == 0) {
            if (c == '"')
                run->esc[used++] = '"';
            run->esc[used++] = c;
        }
        start = i + 1;
    }
    if (quote && rows_esc_room(run, used, 1) == 0)
        run->esc[used++] = '"';
    run->esc[used] = '\0';
    return run->esc;
}

/* ---- output formats ---- */

/* 1 if the field is numeric (right-aligned in a table, bare in JSON). */
static int rows_numeric(const struct dh_field *f)
{
    return dh_format_is_numeric(f);
}

/* Write the header line of a delimited format. */
static void rows_header_delimited(struct rows_run *run, int tsv)
{
    for (size_t k = 0; k < run->n_cols; k++) {
        const char *name = run->schema->fields[run->cols[k]].name;
        if (k)
            fputc(tsv ? '\t' : ',', stdout);
        size_t len = strlen(name);
        fputs(tsv ? rows_tsv_escape(run, name, len) : rows_csv_escape(run, name, len), stdout);
    }
    fputc('\n', stdout);
}

/* CSV or TSV lines for n rows; nulls are empty fields. */
static void rows_page_delimited(struct rows_run *run, const struct dh_batch *b, int64_t n,
                                int tsv)
{
    for (int64_t r = 0; r < n; r++) {
        for (size_t k = 0; k < run->n_cols; k++) {
            if (k)
                fputc(tsv ? '\t' : ',', stdout);
            const struct dh_column_view *c = &b->columns[run->cols[k]];
            if (dh_column_is_null(c, r))
                continue; /* null: an empty field */
            size_t len = 0;
            const char *text = rows_data(run, b, k, r, &len);
            fputs(tsv ? rows_tsv_escape(run, text, len) : rows_csv_escape(run, text, len),
                  stdout);
        }
        fputc('\n', stdout);
    }
}

/* One JSON value for row r of output column k. */
static void rows_json_value(struct rows_run *run, const struct dh_batch *b, size_t k, int64_t r)
{
    const struct dh_column_view *c = &b->columns[run->cols[k]];
    const struct dh_field *f = &run->schema->fields[run->cols[k]];
    if (dh_column_is_null(c, r)) {
        json_null(&run->jw);
        return;
    }
    if (f->type == DH_TYPE_BOOL) {
        json_bool(&run->jw, dh_column_get_bool(c, r));
        return;
    }
    size_t len = 0;
    const char *text = rows_data(run, b, k, r, &len);
    if (rows_numeric(f))
        json_number_text(&run->jw, text);
    else
        json_string_n(&run->jw, text, len);
}

/* One JSON object per row (array members, or JSON Lines). */
static void rows_page_json(struct rows_run *run, const struct dh_batch *b, int64_t n)
{
    for (int64_t r = 0; r < n; r++) {
        if (run->o->format == CLI_FORMAT_JSON)
            json_break(&run->jw);
        json_begin_object(&run->jw);
        for (size_t k = 0; k < run->n_cols; k++) {
            json_key(&run->jw, run->schema->fields[run->cols[k]].name);
            rows_json_value(run, b, k, r);
        }
        json_end_object(&run->jw);
        if (run->o->format == CLI_FORMAT_JSONL) {
            json_newline(&run->jw);
            json_writer_init(&run->jw, stdout); /* each line is its own document */
        }
    }
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

/* Print the header once (formats that have one). */
static void rows_header(struct rows_run *run)
{
    if (run->header_done)
        return;
    run->header_done = 1;
    switch (run->o->format) {
    case CLI_FORMAT_TABLE: rows_header_table(run); break;
    case CLI_FORMAT_CSV: rows_header_delimited(run, 0); break;
    case CLI_FORMAT_TSV: rows_header_delimited(run, 1); break;
    case CLI_FORMAT_JSON: json_begin_array(&run->jw); break;
    case CLI_FORMAT_JSONL: break;
    }
}

/* Write one page of n rows. */
static void rows_page(struct rows_run *run, const struct dh_batch *b, int64_t n)
{
    if (run->o->format == CLI_FORMAT_TABLE)
        rows_table_measure(run, b, n);
    rows_header(run);
    switch (run->o->format) {
    case CLI_FORMAT_TABLE: rows_page_table(run, b, n); break;
    case CLI_FORMAT_CSV: rows_page_delimited(run, b, n, 0); break;
    case CLI_FORMAT_TSV: rows_page_delimited(run, b, n, 1); break;
    case CLI_FORMAT_JSON:
    case CLI_FORMAT_JSONL: rows_page_json(run, b, n); break;
    }
    run->rows_out += n;
}

/* Close the output (the header of an empty result, the JSON array). */
static void rows_finish(struct rows_run *run)
{
    rows_header(run);
    if (run->o->format == CLI_FORMAT_JSON) {
        if (run->rows_out)
            json_newline(&run->jw);
        json_end_array(&run->jw);
        json_newline(&run->jw);
    }
}

/* ---- columns ---- */

/* "a, b, c": the names of the visible columns, for an error message. */
static void rows_column_list(const struct dh_schema *sc, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->n_fields && used + 1 < n; i++) {
        if (sc->fields[i].hidden)
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
        return 0;
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
        while (i < sc->n_fields && (strlen(sc->fields[i].name) != len ||
                                    strncmp(sc->fields[i].name, p, len) != 0))
            i++;
        if (i == sc->n_fields) {
            char list[1024];
            rows_column_list(sc, list, sizeof list);
            cli_errorf("no column named '%.*s' in this table (its columns: %s)", (int)len, p,
                       list);
            return CLI_EXIT_USAGE;
        }
        rows_add_column(run, i);
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* ---- resolving and paging ---- */

/* 1 if the text can only be a ticket (never an object name we look up). */
static int rows_looks_like_ticket(const char *s)
{
    return strchr(s, '/') != NULL || strncmp(s, "0x", 2) == 0 || strncmp(s, "b'", 2) == 0 ||
           strncmp(s, "b\"", 2) == 0;
}

/* Resolve TICKET_OR_NAME: an object name from the list, else a ticket. */
static int rows_resolve(struct dh_session *s, const char *text, struct dh_ticket *t)
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

/* Check the output stream after a page. 1 = stop (reader gone or error). */
static int rows_output_stopped(int *code)
{
    if (!ferror(stdout) && fflush(stdout) == 0)
        return 0;
    if (errno != EPIPE) {
        cli_errorf("write the rows: %s", strerror(errno));
        *code = CLI_EXIT_FAIL;
    }
    return 1;
}

/* Page through [offset, offset + limit) of the table and write it out. */
static int rows_stream(struct rows_run *run, struct dh_session *s, const struct dh_ticket *t,
                       int64_t size)
{
    const struct cli_options *o = run->o;
    int64_t pos = o->offset;
    int64_t left = o->limit;
    if (size >= 0) {
        int64_t avail = size > pos ? size - pos : 0;
        if (left < 0 || left > avail)
            left = avail;
    } else if (left < 0) {
        left = INT64_MAX;
    }
    struct dh_column_set cs = {.bits = run->bits, .n_columns = run->schema->n_fields};
    int code = CLI_EXIT_OK;
    while (left > 0) {
        int64_t count = left < ROWS_WINDOW ? left : ROWS_WINDOW;
        struct dh_rows rows;
        memset(&rows, 0, sizeof rows);
        struct dh_error err;
        dh_error_clear(&err);
        if (dh_table_snapshot(s, t, pos, count, &cs, &rows, NULL, &err) != DH_OK) {
            cli_error_line(err.msg);
            return CLI_EXIT_FAIL;
        }
        int64_t n = rows.batch.length < count ? rows.batch.length : count;
        if (n > 0)
            rows_page(run, &rows.batch, n);
        dh_rows_reset(&rows);
        if (rows_output_stopped(&code))
            return code;
        if (rows_interrupted)
            return 128 + rows_interrupted; /* as a shell reports a death by signal */
        if (n <= 0)
            break; /* the table shrank under us */
        pos += n;
        left -= n;
    }
    rows_finish(run);
    rows_output_stopped(&code);
    return code;
}

/* Everything after connecting: resolve, copy, describe, pick, stream. */
static int rows_run_session(struct rows_run *run, struct dh_session *s, struct dh_ticket *src)
{
    const char *text = run->o->operands[0];
    if (!rows_looks_like_ticket(text)) {
        int rc = rows_resolve(s, text, src);
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
    if (dh_table_info_fetch(s, &copy, &info, &err) != DH_OK) {
        if (err.code == DH_EGRPC && strstr(err.msg, "not a table"))
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

int cli_rows(const struct cli_options *o)
{
    if (o->n_operands != 1) {
        cli_errorf("usage: dhtui rows TICKET|NAME [connection options] [--offset N] "
                   "[--limit N] [--columns A,B] [--format table|csv|tsv|json|jsonl]");
        return CLI_EXIT_USAGE;
    }
    struct dh_ticket src;
    dh_ticket_init(&src);
    if (rows_looks_like_ticket(o->operands[0]) && cli_parse_ticket(o->operands[0], &src) != 0)
        return CLI_EXIT_USAGE;
    cli_ignore_sigpipe();
    rows_catch_signals();
    struct rows_run run;
    memset(&run, 0, sizeof run);
    run.o = o;
    json_writer_init(&run.jw, stdout);
    dh_format_opts_init(&run.fopts);
    run.cell = malloc(ROWS_CELL_MAX);
    if (!run.cell) {
        cli_errorf("out of memory");
        return CLI_EXIT_FAIL;
    }
    int code = CLI_EXIT_FAIL;
    struct dh_session *s = cli_connect(o);
    if (s) {
        code = rows_run_session(&run, s, &src);
        dh_session_free(s);
    }
    free(run.cell);
    free(run.esc);
    free(run.cols);
    free(run.bits);
    free(run.widths);
    return code;
}
