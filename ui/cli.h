/* SPDX-License-Identifier: MIT */
/* cli: the non-interactive verbs of dhtui (ls, publish, fetch, check, rows,
 * stats), one cli_<verb>.c each, and the helpers they share (cli.c). The
 * table in cli_verbs.c is the one place that lists them. Each connects with the synchronous libdh
 * session API, prints to stdout, reports failures as one line on stderr and returns the process
 * exit code: CLI_EXIT_OK, CLI_EXIT_FAIL (the server or the network said no) or CLI_EXIT_USAGE (the
 * command line or a pasted ticket is wrong). */
#ifndef DHTUI_CLI_H
#define DHTUI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dh_error.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_tableops.h"
#include "dh_ticket.h"

struct dh_object_list;

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Output formats of `dhtui rows`. */
enum cli_rows_format {
    CLI_FORMAT_TABLE = 0, /* aligned columns, header once (widths per page, only growing) */
    CLI_FORMAT_CSV,       /* RFC 4180 */
    CLI_FORMAT_TSV,       /* tab-separated, \t \n \r \\ and control characters escaped */
    CLI_FORMAT_JSON,      /* one JSON array of objects, one object per line */
    CLI_FORMAT_JSONL,     /* JSON Lines: one object per line, no enclosing array */
    CLI_FORMAT_ARROW,     /* an Arrow IPC stream: the schema, the record batches as received */
};

/* Control characters in csv/tsv output: visible escapes when stdout is a
 * terminal (auto), always (--escape), or never (--raw: the exact bytes). */
enum cli_escape { CLI_ESCAPE_AUTO = 0, CLI_ESCAPE_ALWAYS, CLI_ESCAPE_NEVER };

/* Everything a verb needs from the command line. Strings are borrowed from
 * argv (or the environment) for the life of the verb. */
struct cli_options {
    struct dh_connect_options connect;
    int json;            /* --json */
    int64_t offset;      /* rows: --offset (default 0) */
    int64_t limit;       /* rows: --limit, < 0 = to the end */
    const char *columns; /* rows: --columns a,b,c or NULL for all */
    enum cli_rows_format format;
    enum cli_escape escape;    /* rows: --escape / --raw */
    const char *null_text;     /* rows: --null STRING (table, csv, tsv) or NULL */
    int local_time;            /* instants in the local zone (--tz ZONE set TZ) rather than UTC */
    int command_timeout_ms;    /* --timeout: the whole command's time limit; 0: none */
    const char *const *wheres; /* rows: every --where filter, in order */
    size_t n_wheres;
    const char *sort;      /* rows: --sort "-Price,Id" or NULL */
    const char *column;    /* stats: --column NAME */
    char *const *operands; /* the verb's positional arguments */
    size_t n_operands;
};

/* dhtui ls: list the server's objects. UI thread. */
int cli_ls(const struct cli_options *o);

/* dhtui publish NAME: publish an object to a fresh shared ticket, print the
 * ticket, hold the session open until SIGINT/SIGTERM/SIGHUP, then release.
 * UI thread; must run before any other thread exists (it blocks signals). */
int cli_publish(const struct cli_options *o);

/* dhtui fetch TICKET: describe what a ticket points at. UI thread. */
int cli_fetch(const struct cli_options *o);

/* dhtui check TICKET...: probe tickets; exit 0 only if all are valid. UI thread. */
int cli_check(const struct cli_options *o);

/* dhtui rows TICKET_OR_NAME: stream a table's rows in pages. UI thread. */
int cli_rows(const struct cli_options *o);

/* dhtui stats TICKET_OR_NAME --column C: the column's statistics, computed by
 * the server (ComputeColumnStatistics) of the view --where/--sort give. UI thread. */
int cli_stats(const struct cli_options *o);

/* Shared by the verbs that take TICKET|NAME and --where/--sort (cli_rows.c). */

/* 1 if the text can only be a ticket (never an object name we look up). */
int cli_looks_like_ticket(const char *s);
/* Resolve TICKET_OR_NAME: an object name from the list, else a ticket; 0 or
 * the exit code after printing why. */
int cli_resolve_table(struct dh_session *s, const char *text, struct dh_ticket *t);
/* The chain --where/--sort ask for (empty without them); 0 or the usage exit
 * code after printing why. Reset *v when done. */
int cli_view_ops(const struct cli_options *o, struct dh_view_ops *v);
/* The view --where/--sort ask for, derived from src into *out (a new export;
 * *info describes it). 0, or the exit code after printing the server's message. */
int cli_derive_view(struct dh_session *s, const struct cli_options *o, const struct dh_ticket *src,
                    struct dh_ticket *out, struct dh_table_info *info, struct dh_error *err);

/* Shared helpers of the verbs (cli.c). */

/* Print "dhtui: <msg>" as one line on stderr, control characters escaped. */
void cli_error_line(const char *msg);
/* printf-style cli_error_line. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Connect; on failure print the error line and return NULL. UI thread. */
struct dh_session *cli_connect(const struct cli_options *o);
/* The server's objects (caller frees with dh_object_list_free); on failure
 * print the error line and return NULL. UI thread. */
struct dh_object_list *cli_list_objects(struct dh_session *s);
/* Parse a pasted ticket; on failure print the parser's sentence. UI thread. */
int cli_parse_ticket(const char *text, struct dh_ticket *t);
/* Ignore SIGPIPE so a closed stdout shows up as EPIPE from writes. */
void cli_ignore_sigpipe(void);
/* Write untrusted text s[0..len) sanitised and cut to `width` terminal columns
 * (ending with '…' when cut), then, if pad, spaces up to width. */
void cli_text_cell(FILE *f, const char *s, size_t len, size_t width, int pad);
/* Write n spaces. */
void cli_pad(FILE *f, size_t n);
/* Terminal columns s[0..len) takes once sanitised (counting at most 1 KiB). */
size_t cli_text_width(const char *s, size_t len);
/* Widest a text column (ls, fetch) may grow before text is cut with '…'. */
#define CLI_LS_MAX_WIDTH 48
/* cli_text_width of a C string, capped at cap. */
size_t cli_cap_width(const char *s, size_t cap);
/* Sanitised copy of server text into buf (for a printf %s); returns buf. */
const char *cli_safe(const char *s, char *buf, size_t n);
/* The canonical text of a ticket (cut to fit buf); returns buf. */
const char *cli_ticket_text(const struct dh_ticket *t, char *buf, size_t n);
/* Usage error (printed) unless the verb has min..max operands: 0 or -1. */
int cli_need_operands(const struct cli_options *o, size_t min, size_t max, const char *usage);
/* Finish stdout: code, or CLI_EXIT_FAIL after printing why when a write
 * failed (a closed pipe is not a failure). */
int cli_finish_stdout(int code);

#endif
