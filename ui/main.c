/* SPDX-License-Identifier: MIT */
/* main.c: the dhtui entry point: parses the command line, starts the demo
 * server for --demo, and runs the browser (app_run) or one CLI verb. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "demo.h"
#include "tz.h"
#include "dh_error.h"
#include "dh_session.h"
#include "dh_ticket.h"
#include "dhtui_config.h"
#include "secret.h"

/* Which verb runs; also the bit an option's scope mask uses. */
enum main_verb {
    VERB_TUI = 0,
    VERB_LS,
    VERB_PUBLISH,
    VERB_FETCH,
    VERB_CHECK,
    VERB_ROWS,
    VERB_COUNT,
};

static const char *const main_verb_names[VERB_COUNT] = {"", "ls", "publish", "fetch", "check",
                                                        "rows"};

#define SCOPE(v) (1u << (v))
#define SCOPE_ALL 0xFFu
#define SCOPE_JSON (SCOPE(VERB_LS) | SCOPE(VERB_PUBLISH) | SCOPE(VERB_FETCH) | SCOPE(VERB_CHECK))

enum main_opt_id {
    OPT_HELP = 1, OPT_VERSION, OPT_HOST, OPT_PORT, OPT_TLS, OPT_CA, OPT_CERT, OPT_KEY, OPT_AUTH,
    OPT_AUTH_VALUE, OPT_AUTH_VALUE_COMMAND, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_DEMO, OPT_DEMO_ROWS, OPT_NO_OSC52,
    OPT_LOG, OPT_EXIT_AFTER, OPT_PROBE_INTERVAL, OPT_JSON, OPT_OFFSET, OPT_LIMIT, OPT_COLUMNS,
    OPT_FORMAT, OPT_NULL, OPT_RAW, OPT_ESCAPE, OPT_TZ, OPT_WHERE, OPT_SORT, OPT_COUNT,
};

/* One command-line option. */
struct main_opt {
    const char *name; /* without the leading "--" */
    int has_arg;
    enum main_opt_id id;
    unsigned scope;   /* SCOPE() bits of the verbs that accept it */
};

static const struct main_opt main_opts[] = {
    {"help", 0, OPT_HELP, SCOPE_ALL},
    {"version", 0, OPT_VERSION, SCOPE_ALL},
    {"host", 1, OPT_HOST, SCOPE_ALL},
    {"port", 1, OPT_PORT, SCOPE_ALL},
    {"tls", 0, OPT_TLS, SCOPE_ALL},
    {"ca", 1, OPT_CA, SCOPE_ALL},
    {"cert", 1, OPT_CERT, SCOPE_ALL},
    {"key", 1, OPT_KEY, SCOPE_ALL},
    {"auth", 1, OPT_AUTH, SCOPE_ALL},
    {"auth-value", 1, OPT_AUTH_VALUE, SCOPE_ALL},
    {"auth-value-command", 1, OPT_AUTH_VALUE_COMMAND, SCOPE_ALL},
    {"timeout", 1, OPT_TIMEOUT, SCOPE_ALL},
    {"connect-timeout", 1, OPT_CONNECT_TIMEOUT, SCOPE_ALL},
    {"demo", 0, OPT_DEMO, SCOPE_ALL},
    {"demo-rows", 1, OPT_DEMO_ROWS, SCOPE_ALL},
    {"no-osc52", 0, OPT_NO_OSC52, SCOPE(VERB_TUI)},
    {"log", 1, OPT_LOG, SCOPE(VERB_TUI)},
    {"exit-after", 1, OPT_EXIT_AFTER, SCOPE(VERB_TUI)},
    {"probe-interval", 1, OPT_PROBE_INTERVAL, SCOPE(VERB_TUI)},
    {"json", 0, OPT_JSON, SCOPE_JSON},
    {"offset", 1, OPT_OFFSET, SCOPE(VERB_ROWS)},
    {"limit", 1, OPT_LIMIT, SCOPE(VERB_ROWS)},
    {"columns", 1, OPT_COLUMNS, SCOPE(VERB_ROWS)},
    {"format", 1, OPT_FORMAT, SCOPE(VERB_ROWS)},
    {"null", 1, OPT_NULL, SCOPE(VERB_ROWS)},
    {"raw", 0, OPT_RAW, SCOPE(VERB_ROWS)},
    {"escape", 0, OPT_ESCAPE, SCOPE(VERB_ROWS)},
    {"tz", 1, OPT_TZ, SCOPE(VERB_TUI) | SCOPE(VERB_ROWS)},
    {"where", 1, OPT_WHERE, SCOPE(VERB_ROWS)},
    {"sort", 1, OPT_SORT, SCOPE(VERB_ROWS)},
};

/* The parsed command line. */
struct main_args {
    enum main_verb verb;
    const char *seen[OPT_COUNT]; /* value (or "" for flags) of each option given */
    char **pos;                  /* positional arguments (verb name excluded) */
    char **pos_alloc;            /* the allocation pos points into */
    size_t n_pos;
    char *secret;                /* read from --auth-value-command (wiped at exit) */
    const char **wheres;         /* every --where, in order (repeatable) */
    size_t n_wheres;
};

/* The synopsis of every form of the command line. */
static void main_usage(FILE *f)
{
    fputs(
        "Usage:\n"
        "  dhtui [CONNECTION] [--no-osc52] [--log FILE] [--exit-after N]\n"
        "        [--probe-interval MS] [TICKET]     browse the server (full screen)\n"
        "  dhtui --demo [--demo-rows N] [...]       browse the bundled demo server\n"
        "  dhtui ls [CONNECTION] [--json]           list the server's objects\n"
        "  dhtui publish NAME [CONNECTION] [--json] publish an object, hold its ticket\n"
        "  dhtui fetch TICKET [CONNECTION] [--json] say what a ticket holds\n"
        "  dhtui check TICKET... [CONNECTION] [--json]\n"
        "                                           is each ticket still valid?\n"
        "  dhtui rows TICKET|NAME [CONNECTION] [--offset N] [--limit N]\n"
        "        [--columns A,B,...] [--format table|csv|tsv|json|jsonl|arrow]\n"
        "        [--null STRING] [--escape|--raw] [--tz ZONE]\n"
        "        [--where FILTER]... [--sort -Price,Id]\n"
        "                                           print a table's rows\n"
        "  dhtui --help | --version\n",
        f);
}

/* --help: the synopsis, every option, the output formats and exit codes. */
static void main_help(void)
{
    printf("dhtui %s: a terminal browser for Deephaven servers.\n\n", DHTUI_VERSION);
    main_usage(stdout);
    fputs(
        "\nConnection (every command):\n"
        "  --host HOST          server host (default localhost)\n"
        "  --port PORT          server port (default 10000)\n"
        "  --tls                use TLS (--ca, --cert and --key imply it)\n"
        "  --ca FILE            PEM file of trusted roots (default: the system's)\n"
        "  --cert FILE          client certificate (PEM), with --key FILE\n"
        "  --key FILE           its private key (PEM)\n"
        "  --auth TYPE          Anonymous (default), Basic, psk (the pre-shared-key\n"
        "                       handler), or any authentication handler type name\n"
        "  --auth-value VALUE   the credential: user:password for Basic, the key for\n"
        "                       psk; default $DHTUI_AUTH_VALUE, which keeps secrets out\n"
        "                       of the process list\n"
        "  --auth-value-command CMD\n"
        "                       run CMD with /bin/sh -c and use what it prints (one\n"
        "                       trailing line break trimmed) as the credential, like\n"
        "                       git's credential helpers: `pass show deephaven`; up to\n"
        "                       65536 bytes (OIDC tokens fit)\n"
        "  --connect-timeout MS give up connecting after MS (default 5000)\n"
        "  --timeout MS         a command gives up after MS in all; the browser waits\n"
        "                       up to MS for each call (default 15000)\n"
        "  --demo               start the bundled dhtui-demo-server on a free loopback\n"
        "                       port and use it (instead of --host/--port); it stops\n"
        "                       when dhtui exits\n"
        "  --demo-rows N        rows of the demo's `trades` table (default 1000000)\n"
        "\nFull screen:\n"
        "  TICKET               open this ticket at start (as if pasted)\n"
        "  --no-osc52           do not copy tickets to the clipboard with OSC 52\n"
        "  --log FILE           append a log of what happens to FILE\n"
        "  --exit-after N       quit after drawing N frames (for tests)\n"
        "  --probe-interval MS  how often tickets of others are probed (default 5000)\n"
        "\nCommands:\n"
        "  ls                   NAME, TYPE, APPLICATION and DESCRIPTION of each object.\n"
        "                       --json: an array of {name, type, application_id,\n"
        "                       application_name, description, ticket}, plus\n"
        "                       unusable (why) for an object dhtui cannot open.\n"
        "  publish NAME         export the object NAME (as `ls` shows it) and publish it\n"
        "                       to a fresh random shared ticket; print the ticket as\n"
        "                       the first line of stdout (--json: {ticket, name,\n"
        "                       type}), then keep the session open so the ticket\n"
        "                       stays valid, until Ctrl-C (SIGINT), SIGTERM or\n"
        "                       SIGHUP; then release it and exit.\n"
        "                       In a script (bash):\n"
        "                         exec 3< <(dhtui publish trades); read -r t <&3\n"
        "  fetch TICKET         copy the ticket into this session and describe it: a\n"
        "                       table's size, static/ticking and schema; a figure's\n"
        "                       title, charts and series; else the object's type.\n"
        "  check TICKET...      one line per ticket: TICKET  STATE  DETAIL, where STATE\n"
        "                       is valid, not found, failed or error. Creates nothing\n"
        "                       on the server. Exit 0 only if every ticket is valid.\n"
        "  rows TICKET|NAME     rows of a table (a ticket, or an object name from `ls`),\n"
        "                       streamed in record batches from consecutive Barrage\n"
        "                       snapshots, so any --limit runs in bounded memory.\n"
        "      --offset N       first row (default 0)\n"
        "      --limit N        at most N rows (default: to the end)\n"
        "      --columns A,B    only these columns, in this order\n"
        "      --where FILTER   keep the rows matching a Deephaven filter string (as\n"
        "                       pydeephaven's where(); repeat it: each is one conjunct),\n"
        "                       e.g. --where 'Price > 180' --where 'Sym in `AAPL`'\n"
        "      --sort KEYS      sort by these columns, '-' first for descending:\n"
        "                       --sort -Price,Id (the server filters and sorts: one\n"
        "                       Batch call, whatever the table's size)\n"
        "      --format F       table (default): aligned columns for reading, header once\n"
        "                       csv: RFC 4180, header line; a field is quoted when it is\n"
        "                         empty or holds , \" CR or LF (or starts or ends with a\n"
        "                         space), quotes doubled; null is an empty unquoted\n"
        "                         field, the empty string \"\" (PostgreSQL COPY's rule)\n"
        "                       tsv: header line; \\ tab LF CR written as \\\\ \\t \\n \\r,\n"
        "                         null as \\N (PostgreSQL COPY text format)\n"
        "                       json: one array, an object per row and per line\n"
        "                       jsonl: JSON Lines, one object per line\n"
        "                       arrow: an Arrow IPC stream (the schema, then the record\n"
        "                         batches as the server sent them; every column)\n"
        "                       Values are exact: floats as the shortest text that reads\n"
        "                       back to the same bits (NaN, Infinity, -Infinity; -0\n"
        "                       keeps its sign), integers in full, instants ISO 8601 in\n"
        "                       UTC (\"Z\"), decimals exact, binary as 0x + hex, lists as\n"
        "                       JSON arrays. JSON: integers beyond +-2^53 and decimals\n"
        "                       are strings, NaN and infinities the strings \"NaN\",\n"
        "                       \"Infinity\", \"-Infinity\", -0 is -0.0; invalid UTF-8\n"
        "                       becomes U+FFFD (everywhere else bytes are kept).\n"
        "      --null STRING    text for nulls (table, csv, tsv)\n"
        "      --escape, --raw  csv and tsv show control characters as visible escapes\n"
        "                       (\\e, \\x07) when stdout is a terminal, else write the\n"
        "                       exact bytes; --escape / --raw force either way\n"
        "      --tz ZONE        show instants in ZONE (an IANA name such as Europe/Paris,\n"
        "                       local, or UTC, the default) with its offset (+01:00);\n"
        "                       also for the full-screen browser\n"
        "\nTickets may be pasted as shared/0x<hex>, shared/<hex>, 0x<hex> or <hex>,\n"
        "base64, a Python bytes literal (b'h...'), s/NAME or scope/NAME, a/APP/f/FIELD\n"
        "or app/APP/field/FIELD, export/N.\n"
        "\nOutput to a terminal never carries control characters from the server.\n"
        "Errors are one line on stderr: dhtui: <what was tried>: <STATUS>: <message>.\n"
        "\nExit status: 0 success, 1 the server, network or a ticket check failed,\n"
        "2 usage error (bad option, malformed ticket, unknown column).\n"
        "\nEnvironment: DHTUI_AUTH_VALUE (see --auth-value); DHTUI_DEMO_SERVER (the\n"
        "demo server binary; default: next to dhtui, else " DH_SERVER_LIBEXEC_FROM_BINDIR "/\n"
        DH_SERVER_BINARY_NAME " from dhtui's directory, else $PATH).\n",
        stdout);
}

/* Print "dhtui: <msg> (dhtui --help ...)" as one line; returns the usage exit code. */
static int main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int main_usage_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!strstr(msg, "--help")) {
        size_t len = strlen(msg);
        snprintf(msg + len, sizeof msg - len, " (dhtui --help lists the options)");
    }
    cli_error_line(msg);
    return CLI_EXIT_USAGE;
}

static const struct main_opt *main_find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof main_opts / sizeof *main_opts; i++)
        if (strlen(main_opts[i].name) == len && strncmp(main_opts[i].name, name, len) == 0)
            return &main_opts[i];
    return NULL;
}

/* Parse one "--name[=value]" at argv[*i] (advancing *i over a separate value). */
static int main_parse_opt(struct main_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct main_opt *o = main_find_opt(name, len);
    if (!o)
        return main_usage_error("unknown option '%s'", arg);
    const char *value = "";
    if (o->has_arg) {
        if (eq) {
            value = eq + 1;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            return main_usage_error("option '%s' needs a value", arg);
        }
    } else if (eq) {
        return main_usage_error("option '%s' takes no value", arg);
    }
    a->seen[o->id] = value;
    if (o->id == OPT_WHERE)
        a->wheres[a->n_wheres++] = value;
    return 0;
}

/* Split argv into options and positional arguments; find the verb. */
static int main_parse(struct main_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->pos = a->pos_alloc = calloc((size_t)argc + 1, sizeof *a->pos);
    a->wheres = calloc((size_t)argc + 1, sizeof *a->wheres);
    if (!a->pos || !a->wheres)
        return main_usage_error("out of memory");
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_pos && strcmp(arg, "--") == 0) {
            only_pos = 1;
        } else if (!only_pos && strncmp(arg, "--", 2) == 0) {
            if (main_parse_opt(a, argc, argv, &i) != 0)
                return CLI_EXIT_USAGE;
        } else if (!only_pos && (strcmp(arg, "-h") == 0 || strcmp(arg, "-V") == 0)) {
            a->seen[arg[1] == 'h' ? OPT_HELP : OPT_VERSION] = "";
        } else if (!only_pos && arg[0] == '-' && arg[1] != '\0') {
            return main_usage_error("unknown option '%s'", arg);
        } else {
            a->pos[a->n_pos++] = argv[i];
        }
    }
    if (a->n_pos > 0) {
        for (int v = VERB_LS; v < VERB_COUNT; v++) {
            if (strcmp(a->pos[0], main_verb_names[v]) == 0) {
                a->verb = (enum main_verb)v;
                a->pos++;
                a->n_pos--;
                break;
            }
        }
    }
    return 0;
}

/* Refuse options that mean nothing for the chosen verb. */
static int main_check_scope(const struct main_args *a)
{
    for (size_t i = 0; i < sizeof main_opts / sizeof *main_opts; i++) {
        const struct main_opt *o = &main_opts[i];
        if (!a->seen[o->id] || (o->scope & SCOPE(a->verb)))
            continue;
        char msg[160];
        if (a->verb == VERB_TUI)
            snprintf(msg, sizeof msg, "option '--%s' belongs to a command (dhtui ls, rows, ...)",
                     o->name);
        else
            snprintf(msg, sizeof msg, "option '--%s' does not apply to 'dhtui %s'", o->name,
                     main_verb_names[a->verb]);
        return main_usage_error("%s", msg);
    }
    return 0;
}

/* Parse a decimal integer option within [lo, hi]; 0 or the usage exit code. */
static int main_int(const struct main_args *a, enum main_opt_id id, const char *name, int64_t lo,
                    int64_t hi, int64_t *out)
{
    const char *s = a->seen[id];
    if (!s)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s expects a whole number from %" PRId64 " to %" PRId64
                                  " but found '%.40s'",
                 name, lo, hi, s);
        return main_usage_error("%s", msg);
    }
    *out = v;
    return 0;
}

/* The credential: --auth-value, else --auth-value-command's output, else
 * $DHTUI_AUTH_VALUE (not for Anonymous). 0, or the exit code after saying why. */
static int main_auth_value(struct main_args *a, struct dh_connect_options *c)
{
    const char *cmd = a->seen[OPT_AUTH_VALUE_COMMAND];
    c->auth_value = a->seen[OPT_AUTH_VALUE];
    if ((c->auth_value || cmd) && !a->seen[OPT_AUTH])
        return main_usage_error("%s needs --auth TYPE (Basic, psk, ...)",
                                cmd ? "--auth-value-command" : "--auth-value");
    if (c->auth_value && cmd)
        return main_usage_error("%s", "give --auth-value or --auth-value-command, not both");
    if (cmd) {
        char why[256];
        if (secret_from_command(cmd, &a->secret, why, sizeof why) != 0) {
            cli_error_line(why);
            return CLI_EXIT_FAIL;
        }
        c->auth_value = a->secret;
    }
    const char *env = getenv("DHTUI_AUTH_VALUE");
    if (!c->auth_value && env && strcmp(c->auth_type, "Anonymous") != 0)
        c->auth_value = env;
    return 0;
}

/* Fill the connection options; 0 or the usage exit code. */
static int main_connection(struct main_args *a, struct dh_connect_options *c)
{
    memset(c, 0, sizeof *c);
    c->host = a->seen[OPT_HOST] ? a->seen[OPT_HOST] : "localhost";
    int64_t port = 10000, timeout = 15000, connect_timeout = 5000;
    if (main_int(a, OPT_PORT, "--port", 1, 65535, &port) ||
        main_int(a, OPT_TIMEOUT, "--timeout", 1, INT32_MAX, &timeout) ||
        main_int(a, OPT_CONNECT_TIMEOUT, "--connect-timeout", 1, INT32_MAX, &connect_timeout))
        return CLI_EXIT_USAGE;
    c->port = (int)port;
    c->call_timeout_ms = (int)timeout;
    c->connect_timeout_ms = (int)connect_timeout;
    c->ca_file = a->seen[OPT_CA];
    c->cert_file = a->seen[OPT_CERT];
    c->key_file = a->seen[OPT_KEY];
    c->tls = a->seen[OPT_TLS] || c->ca_file || c->cert_file || c->key_file;
    if (!c->cert_file != !c->key_file)
        return main_usage_error("%s", "--cert and --key go together");
    c->auth_type = a->seen[OPT_AUTH] ? a->seen[OPT_AUTH] : "Anonymous";
    int rc = main_auth_value(a, c);
    if (rc != 0)
        return rc;
    char *header = malloc(DH_AUTH_HEADER_MAX);
    struct dh_error err;
    dh_error_clear(&err);
    int bad = !header || dh_auth_header(c, header, DH_AUTH_HEADER_MAX, &err) != DH_OK;
    free(header);
    if (bad)
        return main_usage_error("%s", err.msg[0] ? err.msg : "out of memory");
    if (a->seen[OPT_DEMO] && (a->seen[OPT_HOST] || a->seen[OPT_PORT] || c->tls))
        return main_usage_error("%s", "--demo starts its own server: leave out --host, --port "
                                      "and the TLS options");
    if (a->seen[OPT_DEMO_ROWS] && !a->seen[OPT_DEMO])
        return main_usage_error("%s", "--demo-rows goes with --demo");
    return 0;
}

/* Fill the options of the CLI verbs; 0 or the exit code. */
static int main_cli_options(struct main_args *a, struct cli_options *o)
{
    memset(o, 0, sizeof *o);
    int rc = main_connection(a, &o->connect);
    if (rc != 0)
        return rc;
    o->json = a->seen[OPT_JSON] != NULL;
    /* A command given --timeout finishes (or fails) within it, connecting included. */
    o->command_timeout_ms = a->seen[OPT_TIMEOUT] ? o->connect.call_timeout_ms : 0;
    o->limit = -1;
    if (main_int(a, OPT_OFFSET, "--offset", 0, INT64_MAX, &o->offset) ||
        main_int(a, OPT_LIMIT, "--limit", 0, INT64_MAX, &o->limit))
        return CLI_EXIT_USAGE;
    o->columns = a->seen[OPT_COLUMNS];
    const char *fmt = a->seen[OPT_FORMAT];
    static const char *const formats[] = {"table", "csv", "tsv", "json", "jsonl", "arrow"};
    if (fmt) {
        size_t i = 0;
        while (i < sizeof formats / sizeof *formats && strcmp(fmt, formats[i]) != 0)
            i++;
        if (i == sizeof formats / sizeof *formats)
            return main_usage_error("--format expects table, csv, tsv, json, jsonl or arrow but "
                                    "found '%.40s'",
                                    fmt);
        o->format = (enum cli_rows_format)i;
    }
    o->null_text = a->seen[OPT_NULL];
    if (a->seen[OPT_RAW] && a->seen[OPT_ESCAPE])
        return main_usage_error("%s", "--raw and --escape contradict each other");
    o->escape = a->seen[OPT_RAW]      ? CLI_ESCAPE_NEVER
                : a->seen[OPT_ESCAPE] ? CLI_ESCAPE_ALWAYS
                                      : CLI_ESCAPE_AUTO;
    if (a->seen[OPT_TZ]) {
        char why[256];
        int local = tz_select(a->seen[OPT_TZ], why, sizeof why);
        if (local < 0)
            return main_usage_error("%s", why);
        o->local_time = local;
    }
    o->wheres = a->wheres;
    o->n_wheres = a->n_wheres;
    o->sort = a->seen[OPT_SORT];
    o->operands = a->pos;
    o->n_operands = a->n_pos;
    return 0;
}

/* Run one CLI verb. */
static int main_run_verb(enum main_verb v, const struct cli_options *o)
{
    switch (v) {
    case VERB_LS: return cli_ls(o);
    case VERB_PUBLISH: return cli_publish(o);
    case VERB_FETCH: return cli_fetch(o);
    case VERB_CHECK: return cli_check(o);
    case VERB_ROWS: return cli_rows(o);
    default: return CLI_EXIT_USAGE;
    }
}

/* The full-screen browser; 0 or an exit code. */
static int main_run_tui(const struct main_args *a, const struct cli_options *o,
                        const char *demo_note)
{
    struct app_options app;
    memset(&app, 0, sizeof app);
    app.client.connect = o->connect;
    int64_t frames = 0, probe = 5000;
    if (main_int(a, OPT_EXIT_AFTER, "--exit-after", 0, INT32_MAX, &frames) ||
        main_int(a, OPT_PROBE_INTERVAL, "--probe-interval", 1, INT32_MAX, &probe))
        return CLI_EXIT_USAGE;
    app.client.probe_interval_ms = (int)probe;
    app.exit_after_frames = (int)frames;
    app.osc52 = a->seen[OPT_NO_OSC52] == NULL;
    app.log_file = a->seen[OPT_LOG];
    app.demo_note = demo_note;
    app.initial_ticket = a->n_pos ? a->pos[0] : NULL;
    app.local_time = o->local_time;
    return app_run(&app);
}

/* The browser takes at most one positional argument, a ticket. */
static int main_check_tui_operands(const struct main_args *a)
{
    if (a->n_pos == 0)
        return 0;
    if (a->n_pos > 1)
        return main_usage_error("unknown command '%s' (commands: ls, publish, fetch, check, "
                                "rows)",
                                a->pos[0]);
    struct dh_ticket t;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ticket_parse(&t, a->pos[0], strlen(a->pos[0]), &err) == DH_OK)
        return 0;
    char msg[DH_ERROR_MSG_MAX + 128];
    snprintf(msg, sizeof msg, "'%.40s' is neither a command (ls, publish, fetch, check, rows) "
                              "nor a ticket: %s",
             a->pos[0], err.msg);
    return main_usage_error("%s", msg);
}

/* Everything after parsing: options, the demo server, the verb. */
static int main_dispatch(struct main_args *a)
{
    if (a->seen[OPT_HELP]) {
        main_help();
        return CLI_EXIT_OK;
    }
    if (a->seen[OPT_VERSION]) {
        printf("dhtui %s\n", DHTUI_VERSION);
        return CLI_EXIT_OK;
    }
    struct cli_options o;
    if (main_check_scope(a) != 0)
        return CLI_EXIT_USAGE;
    int rc = main_cli_options(a, &o);
    if (rc != 0)
        return rc;
    if (a->verb == VERB_TUI && main_check_tui_operands(a) != 0)
        return CLI_EXIT_USAGE;
    int64_t demo_rows = 0;
    if (main_int(a, OPT_DEMO_ROWS, "--demo-rows", 1, INT64_MAX, &demo_rows) != 0)
        return CLI_EXIT_USAGE;

    struct demo_server demo;
    demo_server_init(&demo);
    char note[160] = "";
    if (a->seen[OPT_DEMO]) {
        struct demo_server_options dopt = {.rows = demo_rows, .startup_timeout_ms = 10000};
        char err[1024];
        if (demo_server_start(&demo, &dopt, err, sizeof err) != 0) {
            cli_error_line(err);
            return CLI_EXIT_FAIL;
        }
        o.connect.host = demo.host;
        o.connect.port = demo.port;
        snprintf(note, sizeof note, "demo server on %s:%d (stops when dhtui exits)", demo.host,
                 demo.port);
    }
    int code = a->verb == VERB_TUI ? main_run_tui(a, &o, note[0] ? note : NULL)
                                   : main_run_verb(a->verb, &o);
    demo_server_stop(&demo);
    return code;
}

int main(int argc, char **argv)
{
    /* gRPC core logs some failures (a TLS handshake) to stderr by itself: that
     * would break the one-line errors and scribble over the full-screen view.
     * The library reports every failure anyway; GRPC_VERBOSITY=DEBUG set by
     * the user still wins, for debugging. */
    setenv("GRPC_VERBOSITY", "NONE", 0);
    struct main_args a;
    int code = main_parse(&a, argc, argv);
    if (code == 0)
        code = main_dispatch(&a);
    free(a.pos_alloc);
    secret_free(a.secret);
    free(a.wheres);
    return code;
}
