/* SPDX-License-Identifier: MIT */
/* cli_verbs: the one table of dhtui's command-line verbs and options. It says
 * which verbs exist, what each runs, which options each accepts and how the
 * usage, `dhtui --help` and `dhtui VERB --help` describe them; main.c parses
 * and dispatches with it, and tests/integration/test_cli_verbs.sh checks the
 * shell completions (completions/) against what it prints.
 *
 * Adding a verb: one row in cli_verbs (cli_verbs.c) and its `int cli_<verb>(const
 * struct cli_options *o)` (cli.h). Adding an option: an OPT_* id, a row in
 * cli_opts, its name in the `options` of the verbs that take it, and its field in
 * struct cli_options (main_cli_options fills it). Tables are constant; any thread. */
#ifndef DHTUI_CLI_VERBS_H
#define DHTUI_CLI_VERBS_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

enum cli_opt_id {
    OPT_HELP = 1,
    OPT_VERSION,
    OPT_HOST,
    OPT_PORT,
    OPT_TLS,
    OPT_CA,
    OPT_CERT,
    OPT_KEY,
    OPT_AUTH,
    OPT_AUTH_VALUE,
    OPT_AUTH_VALUE_COMMAND,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_DEMO,
    OPT_DEMO_ROWS,
    OPT_NO_OSC52,
    OPT_LOG,
    OPT_EXIT_AFTER,
    OPT_PROBE_INTERVAL,
    OPT_JSON,
    OPT_OFFSET,
    OPT_LIMIT,
    OPT_COLUMNS,
    OPT_FORMAT,
    OPT_NULL,
    OPT_RAW,
    OPT_ESCAPE,
    OPT_TZ,
    OPT_WHERE,
    OPT_SORT,
    OPT_PROFILE,
    OPT_THEME,
    OPT_COLUMN,
    OPT_NO_MOUSE,
    OPT_COUNT,
};

/* One long option. */
struct cli_opt {
    const char *name;  /* without the leading "--" */
    const char *value; /* its value's name in help ("N", "FILE"); NULL: a flag */
    enum cli_opt_id id;
    int every_verb;   /* accepted by every verb and the browser (connection, --help) */
    const char *help; /* lines of help text; NULL: listed in the usage only */
};

/* One verb. The browser is the row whose name is "". */
struct cli_verb {
    const char *name;
    int (*run)(const struct cli_options *o); /* NULL for the browser (main.c runs it) */
    const char *usage;                       /* after "dhtui NAME ": operands and options; lines */
    const char *summary;                     /* what it does, one short line */
    const char *label;                       /* how --help names it: "publish NAME" */
    const char *help;                        /* lines of help text */
    const char *options; /* the options it takes besides every_verb ones: "--json --tz" */
};

extern const struct cli_opt cli_opts[];
extern const size_t cli_n_opts;
extern const struct cli_verb cli_verbs[];
extern const size_t cli_n_verbs;

/* The option called name[0..len), or NULL. */
const struct cli_opt *cli_opt_find(const char *name, size_t len);
/* The verb called name (never the browser), or NULL. */
const struct cli_verb *cli_verb_find(const char *name);
/* The browser's row. */
const struct cli_verb *cli_verb_browser(void);
/* Whether verb v accepts option o. */
int cli_verb_takes(const struct cli_verb *v, const struct cli_opt *o);
/* "ls, publish, ..." : the verbs that accept o (all verbs when o is NULL). */
void cli_verb_list(const struct cli_opt *o, char *buf, size_t cap);

/* The synopsis of every form of the command line. */
void cli_usage(FILE *f);
/* dhtui --help: the synopsis, every option, formats, exit codes. */
void cli_help(FILE *f);
/* dhtui VERB --help: the verb's synopsis, text and options. */
void cli_verb_help(FILE *f, const struct cli_verb *v);

#endif
