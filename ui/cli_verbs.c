/* SPDX-License-Identifier: MIT */
/* cli_verbs.c: the verb and option tables and the help printed from them. */
#include "cli_verbs.h"

#include <string.h>

#include "dhtui_config.h"

/* Help text starts in this column; usage summaries in SUMMARY_COL. */
enum { HELP_COL = 23, SUMMARY_COL = 43, WRAP_COL = 79 };

/* clang-format off */
const struct cli_opt cli_opts[] = {
    {"help", NULL, OPT_HELP, 1, NULL},
    {"version", NULL, OPT_VERSION, 1, NULL},
    {"host", "HOST", OPT_HOST, 1, "server host (default localhost)"},
    {"port", "PORT", OPT_PORT, 1, "server port (default 10000)"},
    {"tls", NULL, OPT_TLS, 1, "use TLS (--ca, --cert and --key imply it)"},
    {"ca", "FILE", OPT_CA, 1, "PEM file of trusted roots (default: the system's)"},
    {"cert", "FILE", OPT_CERT, 1, "client certificate (PEM), with --key FILE"},
    {"key", "FILE", OPT_KEY, 1, "its private key (PEM)"},
    {"auth", "TYPE", OPT_AUTH, 1,
     "Anonymous (default), Basic, psk (the pre-shared-key\n"
     "handler), or any authentication handler type name"},
    {"auth-value", "VALUE", OPT_AUTH_VALUE, 1,
     "the credential: user:password for Basic, the key for\n"
     "psk; default $DHTUI_AUTH_VALUE, which keeps secrets out\n"
     "of the process list"},
    {"auth-value-command", "CMD", OPT_AUTH_VALUE_COMMAND, 1,
     "run CMD with /bin/sh -c and use what it prints (one\n"
     "trailing line break trimmed) as the credential, like\n"
     "git's credential helpers: `pass show deephaven`; up to\n"
     "65536 bytes (OIDC tokens fit)"},
    {"profile", "NAME", OPT_PROFILE, 1,
     "connect with the settings of [profile NAME] in the\n"
     "configuration file ($XDG_CONFIG_HOME/dhtui/config,\n"
     "default ~/.config/dhtui/config); options given win"},
    {"connect-timeout", "MS", OPT_CONNECT_TIMEOUT, 1, "give up connecting after MS (default 5000)"},
    {"timeout", "MS", OPT_TIMEOUT, 1,
     "a command gives up after MS in all; the browser waits\n"
     "up to MS for each call (default 15000)"},
    {"demo", NULL, OPT_DEMO, 1,
     "start the bundled dhtui-demo-server on a free loopback\n"
     "port and use it (instead of --host/--port); it stops\n"
     "when dhtui exits"},
    {"demo-rows", "N", OPT_DEMO_ROWS, 1, "rows of the demo's `trades` table (default 1000000)"},
    {"no-osc52", NULL, OPT_NO_OSC52, 0, "do not copy tickets to the clipboard with OSC 52"},
    {"no-mouse", NULL, OPT_NO_MOUSE, 0,
     "leave the mouse to the terminal (by default the wheel\n"
     "scrolls, a click selects, a double click opens, a click\n"
     "on a key hint runs it)"},
    {"log", "FILE", OPT_LOG, 0, "append a log of what happens to FILE"},
    {"theme", "NAME", OPT_THEME, 0,
     "colours: dark (default), light or mono (attributes\n"
     "only; also whenever $NO_COLOR is set)"},
    {"exit-after", "N", OPT_EXIT_AFTER, 0, "quit after drawing N frames (for tests)"},
    {"probe-interval", "MS", OPT_PROBE_INTERVAL, 0,
     "how often tickets of others are probed (default 5000)"},
    {"tz", "ZONE", OPT_TZ, 0,
     "show instants in ZONE (an IANA name such as Europe/Paris,\n"
     "local, or UTC, the default) with its offset (+01:00)"},
    {"json", NULL, OPT_JSON, 0, "print JSON (its shape is given with each command)"},
    {"offset", "N", OPT_OFFSET, 0, "first row (default 0)"},
    {"limit", "N", OPT_LIMIT, 0, "at most N rows (default: to the end)"},
    {"columns", "A,B", OPT_COLUMNS, 0, "only these columns, in this order"},
    {"where", "FILTER", OPT_WHERE, 0,
     "keep the rows matching a Deephaven filter string (as\n"
     "pydeephaven's where(); repeat it: each is one conjunct),\n"
     "e.g. --where 'Price > 180' --where 'Sym in `AAPL`'"},
    {"sort", "KEYS", OPT_SORT, 0,
     "sort by these columns, '-' first for descending:\n"
     "--sort -Price,Id (the server filters and sorts: one\n"
     "Batch call, whatever the table's size)"},
    {"format", "F", OPT_FORMAT, 0,
     "table (default): aligned columns for reading, header once\n"
     "csv: RFC 4180, header line; a field is quoted when it is\n"
     "  empty or holds , \" CR or LF (or starts or ends with a\n"
     "  space), quotes doubled; null is an empty unquoted\n"
     "  field, the empty string \"\" (PostgreSQL COPY's rule)\n"
     "tsv: header line; \\ tab LF CR written as \\\\ \\t \\n \\r,\n"
     "  null as \\N (PostgreSQL COPY text format)\n"
     "json: one array, an object per row and per line\n"
     "jsonl: JSON Lines, one object per line\n"
     "arrow: an Arrow IPC stream (the schema, then the record\n"
     "  batches as the server sent them; every column)\n"
     "Values are exact: floats as the shortest text that reads\n"
     "back to the same bits (NaN, Infinity, -Infinity; -0\n"
     "keeps its sign), integers in full, instants ISO 8601 in\n"
     "UTC (\"Z\"), decimals exact, binary as 0x + hex, lists as\n"
     "JSON arrays. JSON: integers beyond +-2^53 and decimals\n"
     "are strings, NaN and infinities the strings \"NaN\",\n"
     "\"Infinity\", \"-Infinity\", -0 is -0.0; invalid UTF-8\n"
     "becomes U+FFFD (everywhere else bytes are kept)."},
    {"null", "STRING", OPT_NULL, 0, "text for nulls (table, csv, tsv)"},
    {"column", "NAME", OPT_COLUMN, 0, "the column to describe"},
    {"escape", NULL, OPT_ESCAPE, 0,
     "csv and tsv: show control characters as visible escapes\n"
     "(\\e, \\x07); the default when stdout is a terminal"},
    {"raw", NULL, OPT_RAW, 0,
     "csv and tsv: write the exact bytes; the default when\n"
     "stdout is not a terminal"},
};
const size_t cli_n_opts = sizeof cli_opts / sizeof cli_opts[0];

const struct cli_verb cli_verbs[] = {
    {"", NULL,
     "[CONNECTION] [--no-osc52] [--log FILE] [--exit-after N]\n"
     "[--probe-interval MS] [--theme dark|light|mono] [--no-mouse]\n"
     "[TICKET]",
     "browse the server (full screen)",
     "TICKET", "open this ticket at start (as if pasted)",
     "--no-osc52 --log --exit-after --probe-interval --tz --theme --no-mouse"},
    {"ls", cli_ls, "[CONNECTION] [--json]", "list the server's objects",
     "ls",
     "NAME, TYPE, APPLICATION and DESCRIPTION of each object.\n"
     "--json: an array of {name, type, application_id,\n"
     "application_name, description, ticket}, plus\n"
     "unusable (why) for an object dhtui cannot open.",
     "--json"},
    {"publish", cli_publish,
     "NAME|TICKET [CONNECTION] [--where FILTER]... [--sort -Price,Id]\n"
     "[--json]",
     "publish an object or a view of it, hold its ticket",
     "publish NAME|TICKET",
     "export the object NAME (as `ls` shows it) or TICKET and\n"
     "publish it to a fresh random shared ticket; with --where\n"
     "and --sort, publish the view the server derives (the\n"
     "table itself, filtered and sorted: whoever fetches the\n"
     "ticket reads those rows in that order). Print the\n"
     "ticket as the first line of stdout (--json: {ticket,\n"
     "name, type}; a view's name is its derivation, `trades |\n"
     "Price > 180 | sort -Price`), then keep the session open\n"
     "so the ticket stays valid, until Ctrl-C (SIGINT),\n"
     "SIGTERM or SIGHUP; then release it and exit.\n"
     "In a script (bash):\n"
     "  exec 3< <(dhtui publish trades); read -r t <&3",
     "--json --where --sort"},
    {"fetch", cli_fetch, "TICKET [CONNECTION] [--json]", "say what a ticket holds",
     "fetch TICKET",
     "copy the ticket into this session and describe it: a\n"
     "table's size, static/ticking and schema; a figure's\n"
     "title, charts and series; else the object's type.",
     "--json"},
    {"check", cli_check, "TICKET... [CONNECTION] [--json]", "is each ticket still valid?",
     "check TICKET...",
     "one line per ticket: TICKET  STATE  DETAIL, where STATE\n"
     "is valid, not found, failed or error. Creates nothing\n"
     "on the server. Exit 0 only if every ticket is valid.",
     "--json"},
    {"rows", cli_rows,
     "TICKET|NAME [CONNECTION] [--offset N] [--limit N]\n"
     "[--columns A,B,...] [--format table|csv|tsv|json|jsonl|arrow]\n"
     "[--null STRING] [--escape|--raw] [--tz ZONE]\n"
     "[--where FILTER]... [--sort -Price,Id]",
     "print a table's rows",
     "rows TICKET|NAME",
     "rows of a table (a ticket, or an object name from `ls`),\n"
     "streamed in record batches from consecutive Barrage\n"
     "snapshots, so any --limit runs in bounded memory.",
     "--offset --limit --columns --where --sort --format --null --escape --raw --tz"},
    {"stats", cli_stats,
     "TICKET|NAME --column NAME [CONNECTION] [--where FILTER]...\n"
     "[--json]",
     "a column's statistics, computed by the server",
     "stats TICKET|NAME --column NAME",
     "the server's statistics of one column of a table (or of\n"
     "the view --where gives), without reading the table\n"
     "(ComputeColumnStatistics): numbers COUNT, SIZE, SUM,\n"
     "SUM_ABS, SUM_SQRD, MIN, MAX, MIN_ABS, MAX_ABS, AVG,\n"
     "AVG_ABS, STD_DEV; instants COUNT, SIZE, MIN, MAX; other\n"
     "columns COUNT, SIZE, UNIQUE_VALUES and the most common\n"
     "values with their row counts. One `NAME  value` line\n"
     "each; --json: {column, statistics: {NAME: value}}, values\n"
     "exact as `rows --format json` writes them.",
     "--column --where --json"},
};
const size_t cli_n_verbs = sizeof cli_verbs / sizeof cli_verbs[0];
/* clang-format on */

const struct cli_opt *cli_opt_find(const char *name, size_t len)
{
    for (size_t i = 0; i < cli_n_opts; i++)
        if (strlen(cli_opts[i].name) == len && strncmp(cli_opts[i].name, name, len) == 0)
            return &cli_opts[i];
    return NULL;
}

const struct cli_verb *cli_verb_find(const char *name)
{
    for (size_t i = 0; i < cli_n_verbs; i++)
        if (cli_verbs[i].name[0] && strcmp(cli_verbs[i].name, name) == 0)
            return &cli_verbs[i];
    return NULL;
}

const struct cli_verb *cli_verb_browser(void)
{
    return &cli_verbs[0];
}

/* Whether the space-separated list holds "--name" as a whole word. */
static int list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, "--")) != NULL; p += 2) {
        int starts = p == list || p[-1] == ' ';
        if (starts && strncmp(p + 2, name, n) == 0 && (p[2 + n] == ' ' || p[2 + n] == '\0'))
            return 1;
    }
    return 0;
}

int cli_verb_takes(const struct cli_verb *v, const struct cli_opt *o)
{
    return o->every_verb || list_has(v->options, o->name);
}

void cli_verb_list(const struct cli_opt *o, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 1; i < cli_n_verbs && len < cap; i++) {
        if (o && !cli_verb_takes(&cli_verbs[i], o))
            continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", cli_verbs[i].name);
        len += w > 0 ? (size_t)w : 0;
    }
}

/* ---------------------------------------------------------------- printing */

static void pad(FILE *f, int n)
{
    while (n-- > 0)
        fputc(' ', f);
}

/* Write the lines of text; every line after the first starts at column col. */
static void put_lines(FILE *f, const char *text, int col)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fwrite(p, 1, n, f);
        fputc('\n', f);
        if (!nl)
            break;
        p = nl + 1;
        pad(f, col);
    }
}

/* "<indent>label" then text from column col (on the next line when label reaches it). */
static void put_item(FILE *f, int indent, const char *label, const char *text, int col)
{
    pad(f, indent);
    int at = indent + fprintf(f, "%s", label);
    if (at >= col) {
        fputc('\n', f);
        at = 0;
    }
    pad(f, col - at);
    put_lines(f, text, col);
}

static void put_opt(FILE *f, int indent, const struct cli_opt *o)
{
    char label[64];
    snprintf(label, sizeof label, "--%s%s%s", o->name, o->value ? " " : "",
             o->value ? o->value : "");
    put_item(f, indent, label, o->help, HELP_COL);
}

/* One verb's synopsis: "  dhtui NAME usage", then (with_summary) the summary from
 * SUMMARY_COL. */
static void put_usage(FILE *f, const struct cli_verb *v, int with_summary)
{
    int at = fprintf(f, "  dhtui %s%s", v->name, v->name[0] ? " " : "");
    for (const char *p = v->usage;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        at += (int)fwrite(p, 1, n, f);
        if (!nl)
            break;
        fputs("\n        ", f);
        at = 8;
        p = nl + 1;
    }
    if (!with_summary) {
        fputc('\n', f);
        return;
    }
    if (at >= SUMMARY_COL) {
        fputc('\n', f);
        at = 0;
    }
    pad(f, SUMMARY_COL - at);
    fprintf(f, "%s\n", v->summary);
}

void cli_usage(FILE *f)
{
    fputs("Usage:\n", f);
    for (size_t i = 0; i < cli_n_verbs; i++) {
        put_usage(f, &cli_verbs[i], 1);
        if (i == 0)
            fputs("  dhtui --demo [--demo-rows N] [...]       browse the bundled demo server\n", f);
    }
    fputs("  dhtui --help | --version | COMMAND --help\n", f);
}

/* A verb's own options (not every_verb ones), in its list's order; with `shown`,
 * only those not described yet, marking them. */
static void put_verb_opts(FILE *f, const struct cli_verb *v, int indent, int *shown)
{
    for (const char *p = v->options; (p = strstr(p, "--")) != NULL;) {
        p += 2;
        size_t n = strcspn(p, " ");
        const struct cli_opt *o = cli_opt_find(p, n);
        p += n;
        if (!o || !o->help || (shown && shown[o->id]))
            continue;
        if (shown)
            shown[o->id] = 1;
        put_opt(f, indent, o);
    }
}

void cli_help(FILE *f)
{
    int shown[OPT_COUNT] = {0};
    fprintf(f, "dhtui %s: a terminal browser for Deephaven servers.\n\n", DHTUI_VERSION);
    cli_usage(f);
    fputs("\nConnection (every command):\n", f);
    for (size_t i = 0; i < cli_n_opts; i++)
        if (cli_opts[i].every_verb && cli_opts[i].help)
            put_opt(f, 2, &cli_opts[i]);
    fputs("\nFull screen:\n", f);
    put_item(f, 2, cli_verbs[0].label, cli_verbs[0].help, HELP_COL);
    put_verb_opts(f, &cli_verbs[0], 2, NULL); /* the commands list their own again */
    fputs("\nCommands:\n", f);
    for (size_t i = 1; i < cli_n_verbs; i++) {
        put_item(f, 2, cli_verbs[i].label, cli_verbs[i].help, HELP_COL);
        put_verb_opts(f, &cli_verbs[i], 6, shown);
    }
    fputs("\nTickets may be pasted as shared/0x<hex>, shared/<hex>, 0x<hex> or <hex>,\n"
          "base64, a Python bytes literal (b'h...'), s/NAME or scope/NAME, a/APP/f/FIELD\n"
          "or app/APP/field/FIELD, export/N.\n"
          "\nOutput to a terminal never carries control characters from the server.\n"
          "Errors are one line on stderr: dhtui: <what was tried>: <STATUS>: <message>.\n"
          "\nExit status: 0 success, 1 the server, network or a ticket check failed,\n"
          "2 usage error (bad option, malformed ticket, unknown column).\n"
          "\nEnvironment: DHTUI_AUTH_VALUE (see --auth-value); DHTUI_DEMO_SERVER (the\n"
          "demo server binary; default: next to dhtui, else " DH_SERVER_LIBEXEC_FROM_BINDIR
          "/\n" DH_SERVER_BINARY_NAME " from dhtui's directory, else $PATH).\n",
          f);
}

void cli_verb_help(FILE *f, const struct cli_verb *v)
{
    fprintf(f, "dhtui %s: %s\n\nUsage:\n", v->name, v->summary);
    put_usage(f, v, 0);
    fputs("\n  ", f);
    put_lines(f, v->help, 2);
    fputs("\nOptions:\n", f);
    put_verb_opts(f, v, 2, NULL);
    fputs("\nConnection options (every command; dhtui --help describes them):\n ", f);
    int at = 1;
    for (size_t i = 0; i < cli_n_opts; i++) {
        if (!cli_opts[i].every_verb)
            continue;
        int w = (int)strlen(cli_opts[i].name) + 3;
        if (at + w > WRAP_COL) {
            fputs("\n ", f);
            at = 1;
        }
        at += fprintf(f, " --%s", cli_opts[i].name);
    }
    fputc('\n', f);
}
