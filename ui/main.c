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
#include "cli_verbs.h"
#include "demo.h"
#include "tz.h"
#include "dh_error.h"
#include "dh_session.h"
#include "dh_ticket.h"
#include "dhtui_config.h"
#include "config_file.h"
#include "draw.h"
#include "profile.h"
#include "secret.h"

/* The parsed command line. */
struct main_args {
    const struct cli_verb *verb; /* the browser's row when no verb is named */
    const char *seen[OPT_COUNT]; /* value (or "" for flags) of each option given */
    char **pos;                  /* positional arguments (verb name excluded) */
    char **pos_alloc;            /* the allocation pos points into */
    size_t n_pos;
    char *secret;        /* read from --auth-value-command (wiped at exit) */
    const char **wheres; /* every --where, in order (repeatable) */
    size_t n_wheres;
    struct config *config; /* the configuration file (seen[] may point into it) */
};

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

/* Parse one "--name[=value]" at argv[*i] (advancing *i over a separate value). */
static int main_parse_opt(struct main_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct cli_opt *o = cli_opt_find(name, len);
    if (!o)
        return main_usage_error("unknown option '%s'", arg);
    const char *value = "";
    if (o->value) {
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
    a->verb = cli_verb_browser();
    const struct cli_verb *v = a->n_pos > 0 ? cli_verb_find(a->pos[0]) : NULL;
    if (v) {
        a->verb = v;
        a->pos++;
        a->n_pos--;
    }
    return 0;
}

/* Refuse options that mean nothing for the chosen verb. */
static int main_check_scope(const struct main_args *a)
{
    for (size_t i = 0; i < cli_n_opts; i++) {
        const struct cli_opt *o = &cli_opts[i];
        if (!a->seen[o->id] || cli_verb_takes(a->verb, o))
            continue;
        if (a->verb == cli_verb_browser()) {
            char verbs[128];
            cli_verb_list(o, verbs, sizeof verbs);
            return main_usage_error("option '--%s' belongs to a command (dhtui %s)", o->name,
                                    verbs);
        }
        return main_usage_error("option '--%s' does not apply to 'dhtui %s' (dhtui %s --help "
                                "lists its options)",
                                o->name, a->verb->name, a->verb->name);
    }
    return 0;
}

/* Parse a decimal integer option within [lo, hi]; 0 or the usage exit code. */
static int main_int(const struct main_args *a, enum cli_opt_id id, const char *name, int64_t lo,
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
        snprintf(msg, sizeof msg,
                 "%s expects a whole number from %" PRId64 " to %" PRId64 " but found '%.40s'",
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
    o->column = a->seen[OPT_COLUMN];
    o->operands = a->pos;
    o->n_operands = a->n_pos;
    return 0;
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
    enum draw_theme theme = DRAW_THEME_DARK;
    if (a->seen[OPT_THEME] && draw_theme_parse(a->seen[OPT_THEME], &theme) != 0)
        return main_usage_error("--theme expects dark, light or mono but found '%.40s'",
                                a->seen[OPT_THEME]);
    app.theme = (int)theme;
    app.mouse = a->seen[OPT_NO_MOUSE] == NULL;
    app.demo_note = demo_note;
    app.initial_ticket = a->n_pos ? a->pos[0] : NULL;
    app.local_time = o->local_time;
    app.keys = a->config ? &a->config->keys : NULL;
    return app_run(&app);
}

/* The browser takes at most one positional argument, a ticket. */
static int main_check_tui_operands(const struct main_args *a)
{
    if (a->n_pos == 0)
        return 0;
    char verbs[128];
    cli_verb_list(NULL, verbs, sizeof verbs);
    if (a->n_pos > 1)
        return main_usage_error("unknown command '%s' (commands: %s)", a->pos[0], verbs);
    struct dh_ticket t;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ticket_parse(&t, a->pos[0], strlen(a->pos[0]), &err) == DH_OK)
        return 0;
    char msg[DH_ERROR_MSG_MAX + 256];
    snprintf(msg, sizeof msg, "'%.40s' is neither a command (%s) nor a ticket: %s", a->pos[0],
             verbs, err.msg);
    return main_usage_error("%s", msg);
}

/* The configuration file under the command line: a profile (--profile, the
 * default one, or picked at start by the browser) and the [defaults]. */
static int main_apply_config(struct main_args *a)
{
    char err[1024];
    if (config_load(NULL, &a->config, err, sizeof err) != 0) {
        cli_error_line(err);
        return CLI_EXIT_USAGE;
    }
    const char *name = profile_chosen(a->config, a->seen);
    if (!name && a->verb == cli_verb_browser() && profile_should_pick(a->config, a->seen)) {
        FILE *in = fopen("/dev/tty", "re"), *out = fopen("/dev/tty", "we");
        if (in && out)
            name = profile_pick(a->config, in, out, err, sizeof err);
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        if (in && out) {
            if (!name) {
                cli_error_line(err);
                return CLI_EXIT_USAGE;
            }
        }
    }
    if (profile_apply(a->config, name, a->seen, err, sizeof err) != 0)
        return main_usage_error("%s", err);
    return 0;
}

/* Everything after parsing: options, the demo server, the verb. */
static int main_dispatch(struct main_args *a)
{
    if (a->seen[OPT_HELP]) {
        if (a->verb == cli_verb_browser())
            cli_help(stdout);
        else
            cli_verb_help(stdout, a->verb);
        return CLI_EXIT_OK;
    }
    if (a->seen[OPT_VERSION]) {
        printf("dhtui %s\n", DHTUI_VERSION);
        return CLI_EXIT_OK;
    }
    struct cli_options o;
    if (main_check_scope(a) != 0)
        return CLI_EXIT_USAGE;
    int rc = main_apply_config(a);
    if (rc != 0)
        return rc;
    rc = main_cli_options(a, &o);
    if (rc != 0)
        return rc;
    if (a->verb == cli_verb_browser() && main_check_tui_operands(a) != 0)
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
    int code = a->verb->run ? a->verb->run(&o) : main_run_tui(a, &o, note[0] ? note : NULL);
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
    config_free(a.config);
    return code;
}
