/* SPDX-License-Identifier: MIT */
/* cli.c: the verbs ls, publish, fetch and check, and the helpers every verb
 * shares (connecting, one-line errors, aligned text cells). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dh_exports.h"
#include "dh_figure.h"
#include "dh_format.h"
#include "dh_objects.h"
#include "dh_table.h"
#include "dh_text.h"
#include "dh_ticket.h"
#include "json.h"

/* Widest a column of `dhtui ls` may grow before text is cut with '…'. */
#define CLI_LS_MAX_WIDTH 48

/* ---- shared helpers ---- */

/* Sanitised copy of server text for a printf %s. */
static const char *cli_safe(const char *s, char *buf, size_t n)
{
    dh_text_sanitize(s ? s : "", s ? strlen(s) : 0, buf, n, DH_SANITIZE_TAB_AS_SPACE, NULL);
    return buf;
}

void cli_error_line(const char *msg)
{
    char safe[2 * DH_ERROR_MSG_MAX];
    dh_text_sanitize(msg, strlen(msg), safe, sizeof safe, DH_SANITIZE_TAB_AS_SPACE, NULL);
    fflush(stdout);
    fprintf(stderr, "dhtui: %s\n", safe);
}

void cli_errorf(const char *fmt, ...)
{
    char msg[DH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error_line(msg);
}

struct dh_session *cli_connect(const struct cli_options *o)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_connect_options copt = o->connect;
    if (o->command_timeout_ms > 0)
        copt.deadline_ms = dh_now_ms() + o->command_timeout_ms;
    struct dh_session *s = dh_session_connect(&copt, &err);
    if (!s)
        cli_error_line(err.msg[0] ? err.msg : "connect: failed for an unknown reason");
    return s;
}

struct dh_object_list *cli_list_objects(struct dh_session *s)
{
    struct dh_object_list *l = NULL;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_objects_list(s, &l, &err) == DH_OK)
        return l;
    cli_error_line(err.msg);
    return NULL;
}

int cli_parse_ticket(const char *text, struct dh_ticket *t)
{
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_ticket_parse(t, text, strlen(text), &err) == DH_OK)
        return 0;
    cli_error_line(err.msg);
    return -1;
}

void cli_ignore_sigpipe(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* Finish stdout: a write error other than a closed pipe is a failure. */
static int cli_finish_stdout(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            return code;
        cli_errorf("write the output: %s", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return code;
}

void cli_text_cell(FILE *f, const char *s, size_t len, size_t width, int pad)
{
    char safe[1024], cut[1024];
    dh_text_sanitize(s, len, safe, sizeof safe, DH_SANITIZE_TAB_AS_SPACE, NULL);
    size_t cols = 0;
    dh_text_truncate_to_width(safe, strlen(safe), width, DH_TRUNCATE_ELLIPSIS, cut, sizeof cut,
                              &cols);
    fputs(cut, f);
    if (pad)
        cli_pad(f, width > cols ? width - cols : 0);
}

void cli_pad(FILE *f, size_t n)
{
    static const char spaces[] = "                                                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite(spaces, 1, k, f);
        n -= k;
    }
}

size_t cli_text_width(const char *s, size_t len)
{
    char safe[1024];
    size_t n = dh_text_sanitize(s, len, safe, sizeof safe, DH_SANITIZE_TAB_AS_SPACE, NULL);
    return dh_text_width(safe, n);
}

/* The canonical text of a ticket (cut to fit buf). */
static const char *cli_ticket_text(const struct dh_ticket *t, char *buf, size_t n)
{
    if (dh_ticket_format(t, buf, n) < 0)
        snprintf(buf, n, "(empty ticket)");
    return buf;
}

/* Usage error for a verb's operand count. */
static int cli_need_operands(const struct cli_options *o, size_t min, size_t max,
                             const char *usage)
{
    if (o->n_operands >= min && o->n_operands <= max)
        return 0;
    cli_errorf("usage: %s (dhtui --help explains)", usage);
    return -1;
}

/* ---- ls ---- */

/* What `dhtui ls` shows as an object's application. */
static const char *cli_app_label(const struct dh_object *ob)
{
    if (ob->app_name && ob->app_name[0])
        return ob->app_name;
    return ob->app_id ? ob->app_id : "";
}

/* A display width for column text, capped. */
static size_t cli_cap_width(const char *s, size_t cap)
{
    size_t w = cli_text_width(s, strlen(s));
    return w > cap ? cap : w;
}

/* ls: an aligned table, one object per line. */
static void cli_ls_table(const struct dh_object_list *l)
{
    size_t wn = 4, wt = 4, wa = 11;
    for (size_t i = 0; i < l->n; i++) {
        const struct dh_object *ob = &l->items[i];
        size_t w = cli_cap_width(ob->name, CLI_LS_MAX_WIDTH);
        wn = w > wn ? w : wn;
        w = cli_cap_width(ob->type[0] ? ob->type : "?", CLI_LS_MAX_WIDTH);
        wt = w > wt ? w : wt;
        w = cli_cap_width(cli_app_label(ob), CLI_LS_MAX_WIDTH);
        wa = w > wa ? w : wa;
    }
    printf("%-*s  %-*s  %-*s  %s\n", (int)wn, "NAME", (int)wt, "TYPE", (int)wa, "APPLICATION",
           "DESCRIPTION");
    for (size_t i = 0; i < l->n; i++) {
        const struct dh_object *ob = &l->items[i];
        const char *type = ob->type[0] ? ob->type : "?";
        const char *app = cli_app_label(ob);
        char why[256];
        if (ob->unusable)
            snprintf(why, sizeof why, "(cannot be used: %s)", ob->unusable);
        const char *desc = ob->unusable ? why : ob->description ? ob->description : "";
        cli_text_cell(stdout, ob->name, strlen(ob->name), wn, 1);
        fputs("  ", stdout);
        cli_text_cell(stdout, type, strlen(type), wt, 1);
        fputs("  ", stdout);
        cli_text_cell(stdout, app, strlen(app), wa, desc[0] != '\0');
        if (desc[0]) {
            fputs("  ", stdout);
            cli_text_cell(stdout, desc, strlen(desc), 200, 0);
        }
        fputc('\n', stdout);
    }
}

/* ls --json: an array of objects, one per line. */
static void cli_ls_json(const struct dh_object_list *l)
{
    struct json_writer w;
    json_writer_init(&w, stdout);
    json_begin_array(&w);
    for (size_t i = 0; i < l->n; i++) {
        const struct dh_object *ob = &l->items[i];
        char ticket[2 * DH_TICKET_MAX + 64];
        json_break(&w);
        json_begin_object(&w);
        json_member_string(&w, "name", ob->name);
        json_member_string(&w, "type", ob->type);
        json_member_string(&w, "application_id", ob->app_id ? ob->app_id : "");
        json_member_string(&w, "application_name", ob->app_name ? ob->app_name : "");
        json_member_string(&w, "description", ob->description ? ob->description : "");
        json_member_string(&w, "ticket",
                           ob->unusable ? "" : cli_ticket_text(&ob->ticket, ticket, sizeof ticket));
        if (ob->unusable)
            json_member_string(&w, "unusable", ob->unusable);
        json_end_object(&w);
    }
    if (l->n)
        json_newline(&w);
    json_end_array(&w);
    json_newline(&w);
}

int cli_ls(const struct cli_options *o)
{
    if (cli_need_operands(o, 0, 0, "dhtui ls [connection options] [--json]") != 0)
        return CLI_EXIT_USAGE;
    cli_ignore_sigpipe();
    struct dh_session *s = cli_connect(o);
    if (!s)
        return CLI_EXIT_FAIL;
    struct dh_object_list *l = cli_list_objects(s);
    if (!l) {
        dh_session_free(s);
        return CLI_EXIT_FAIL;
    }
    if (o->json)
        cli_ls_json(l);
    else
        cli_ls_table(l);
    dh_object_list_free(l);
    dh_session_free(s);
    return cli_finish_stdout(CLI_EXIT_OK);
}

/* ---- publish ---- */

/* The handler that makes the signals sigwait-able even when the shell started
 * us with them ignored (a background job of a non-interactive shell). */
static void cli_signal_noop(int sig)
{
    (void)sig;
}

/* Block SIGINT, SIGTERM and SIGHUP in this thread (and in every thread created
 * after this), so that cli_publish collects them with sigtimedwait. */
static void cli_block_signals(sigset_t *set)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_signal_noop;
    sigemptyset(&sa.sa_mask);
    sigemptyset(set);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        sigaddset(set, sigs[i]);
        sigaction(sigs[i], &sa, NULL);
    }
    sigprocmask(SIG_BLOCK, set, NULL);
}

/* Releasing may wait for a stalled server: a second Ctrl-C, SIGTERM or
 * SIGHUP now ends the process at once (default action; this thread is the
 * only one that has them unblocked). */
static void cli_second_signal_exits(const sigset_t *set)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    pthread_sigmask(SIG_UNBLOCK, set, NULL);
}

/* Wait for one of the blocked signals, checking once a second that the
 * session still lives. Returns the signal, or 0 when the session died. */
static int cli_wait_signal(struct dh_session *s, const sigset_t *set, struct dh_error *why)
{
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig > 0)
            return sig;
        enum dh_session_state st = dh_session_state(s, why);
        if (st == DH_SESSION_EXPIRED || st == DH_SESSION_FAILED)
            return 0;
    }
}

/* Print the published ticket as the first stdout line. */
static void cli_publish_print(const struct cli_options *o, const struct dh_object *ob,
                              const char *ticket)
{
    if (o->json) {
        struct json_writer w;
        json_writer_init(&w, stdout);
        json_begin_object(&w);
        json_member_string(&w, "ticket", ticket);
        json_member_string(&w, "name", ob->name);
        json_member_string(&w, "type", ob->type);
        json_end_object(&w);
        json_newline(&w);
    } else {
        printf("%s\n", ticket);
    }
    fflush(stdout);
}

/* Find the object to publish; prints the error when it is missing. */
static int cli_find_object(struct dh_session *s, const char *name, struct dh_object *out)
{
    struct dh_object_list *l = cli_list_objects(s);
    if (!l)
        return -1;
    const struct dh_object *ob = dh_object_list_find(l, name);
    int rc = -1;
    if (!ob)
        cli_errorf("no object named '%s' (dhtui ls lists them)", name);
    else if (ob->unusable)
        cli_errorf("'%.60s' cannot be used: %s", name, ob->unusable);
    else if (dh_object_copy(out, ob) != DH_OK)
        cli_errorf("out of memory");
    else
        rc = 0;
    dh_object_list_free(l);
    return rc;
}

/* Publish the view --where/--sort give of TICKET|NAME (or the table itself):
 * copy it into the session, derive the view, publish that. ob gets the
 * view's derivation as its name. 0 or an exit code after printing why. */
static int cli_publish_view(struct dh_session *s, const struct cli_options *o,
                            struct dh_object *ob, struct dh_ticket *shared,
                            struct dh_ticket *exported)
{
    const char *text = o->operands[0];
    struct dh_view_ops v;
    int code = cli_view_ops(o, &v);
    if (code != 0)
        return code;
    char label[512], desc[400];
    dh_view_ops_describe(&v, desc, sizeof desc);
    snprintf(label, sizeof label, v.n ? "%.100s | %s" : "%.100s%s", text, desc);
    dh_view_ops_reset(&v);
    struct dh_ticket src, copy, view;
    dh_ticket_init(&src);
    if (cli_looks_like_ticket(text) ? cli_parse_ticket(text, &src) != 0
                                    : cli_resolve_table(s, text, &src) != 0)
        return CLI_EXIT_FAIL;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_export_from_ticket(s, &src, &copy, &err) != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    view = copy;
    if (o->n_wheres || o->sort) {
        struct dh_table_info info;
        memset(&info, 0, sizeof info);
        code = cli_derive_view(s, o, &copy, &view, &info, &err);
        dh_table_info_reset(&info);
        dh_release(s, &copy, NULL);
        if (code != 0)
            return code;
    }
    int rc = dh_publish_object(s, &view, shared, exported, &err);
    dh_release(s, &view, NULL); /* the published export keeps the table */
    if (rc != DH_OK) {
        dh_error_prefix(&err, "publish");
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    ob->name = strdup(label);
    ob->type = strdup("Table");
    if (!ob->name || !ob->type) {
        dh_object_reset(ob);
        dh_release(s, exported, NULL);
        cli_errorf("out of memory");
        return CLI_EXIT_FAIL;
    }
    return 0;
}

int cli_publish(const struct cli_options *o)
{
    if (cli_need_operands(o, 1, 1,
                          "dhtui publish NAME|TICKET [connection options] [--where FILTER]... "
                          "[--sort -Price,Id] [--json]") != 0)
        return CLI_EXIT_USAGE;
    cli_ignore_sigpipe();
    sigset_t set;
    cli_block_signals(&set); /* before connecting: gRPC's threads inherit the mask */
    struct dh_session *s = cli_connect(o);
    if (!s)
        return CLI_EXIT_FAIL;
    struct dh_object ob;
    memset(&ob, 0, sizeof ob);
    struct dh_ticket shared, exported;
    struct dh_error err;
    dh_error_clear(&err);
    if (o->n_wheres || o->sort || cli_looks_like_ticket(o->operands[0])) {
        int code = cli_publish_view(s, o, &ob, &shared, &exported);
        if (code != 0) {
            dh_session_free(s);
            return code;
        }
    } else if (cli_find_object(s, o->operands[0], &ob) != 0) {
        dh_session_free(s);
        return CLI_EXIT_FAIL;
    } else if (dh_publish_object(s, &ob.ticket, &shared, &exported, &err) != DH_OK) {
        cli_error_line(err.msg);
        dh_object_reset(&ob);
        dh_session_free(s);
        return CLI_EXIT_FAIL;
    }
    /* Published: holding the ticket has no time limit. */
    dh_session_set_deadline(s, 0);
    char ticket[2 * DH_TICKET_MAX + 64];
    cli_ticket_text(&shared, ticket, sizeof ticket);
    cli_publish_print(o, &ob, ticket);
    char name[512];
    fprintf(stderr, "dhtui: published '%s' as %s; keeping the session open so the ticket stays "
                    "valid; press Ctrl-C to release it and exit\n",
            cli_safe(ob.name, name, sizeof name), ticket);
    dh_object_reset(&ob);

    int code = CLI_EXIT_OK;
    if (dh_session_start_keepalive(s, &err) != DH_OK) {
        cli_error_line(err.msg);
        code = CLI_EXIT_FAIL;
    } else if (cli_wait_signal(s, &set, &err) == 0) {
        cli_errorf("the session ended, so %s is no longer valid: %s", ticket, err.msg);
        dh_session_free(s);
        return CLI_EXIT_FAIL;
    }
    cli_second_signal_exits(&set);
    dh_error_clear(&err);
    if (dh_release(s, &exported, &err) != DH_OK) {
        cli_error_line(err.msg);
        code = CLI_EXIT_FAIL;
    } else {
        fprintf(stderr, "dhtui: released %s\n", ticket);
    }
    dh_session_free(s);
    return code;
}

/* ---- fetch ---- */

static const char *const cli_chart_types[] = {"XY", "PIE", "OHLC", "CATEGORY", "XYZ",
                                              "CATEGORY_3D", "TREEMAP"};
static const char *const cli_plot_styles[] = {
    "BAR",  "STACKED_BAR", "LINE",  "AREA", "STACKED_AREA", "PIE",
    "HISTOGRAM", "OHLC", "SCATTER", "STEP", "ERROR_BAR", "TREEMAP"};

/* Name of an enum value from a table, or its number. */
static const char *cli_enum_name(const char *const *names, size_t n, int v, char *buf,
                                 size_t bufn)
{
    if (v >= 0 && (size_t)v < n)
        return names[v];
    snprintf(buf, bufn, "%d", v);
    return buf;
}

/* ChartType name (console.proto), or its number. */
static const char *cli_chart_type_name(int v, char *buf, size_t n)
{
    return cli_enum_name(cli_chart_types, sizeof cli_chart_types / sizeof *cli_chart_types, v,
                         buf, n);
}

/* SeriesPlotStyle name (console.proto), or its number. */
static const char *cli_plot_style_name(int v, char *buf, size_t n)
{
    return cli_enum_name(cli_plot_styles, sizeof cli_plot_styles / sizeof *cli_plot_styles, v,
                         buf, n);
}

/* The Arrow type label of a field ("int64", "timestamp[ns, UTC]"), leaving
 * out the Deephaven type that dh_format_type_label prefers. */
static const char *cli_arrow_label(const struct dh_field *fl, char *buf, size_t n)
{
    struct dh_field arrow_only = *fl;
    arrow_only.dh_type = NULL;
    dh_format_type_label(&arrow_only, buf, n);
    return buf;
}

/* The short label the browser shows ("long", "Instant", else the Arrow type). */
static const char *cli_type_label(const struct dh_field *fl, char *buf, size_t n)
{
    dh_format_type_label(fl, buf, n);
    return buf;
}

/* fetch: the first lines, naming the ticket and what it points at. */
static void cli_fetch_head_text(const char *ticket, const char *type)
{
    char a[2 * DH_TICKET_MAX + 64], b[256];
    printf("ticket   %s\n", cli_safe(ticket, a, sizeof a));
    printf("type     %s\n", cli_safe(type, b, sizeof b));
}

/* fetch --json: open the object and write the ticket and its type. */
static void cli_fetch_head_json(struct json_writer *w, const char *ticket, const char *type)
{
    json_writer_init(w, stdout);
    json_begin_object(w);
    json_member_string(w, "ticket", ticket);
    json_member_string(w, "type", type);
}

/* fetch: a table's size, kind and schema as text. */
static void cli_fetch_table_text(const char *ticket, const struct dh_table_info *info)
{
    cli_fetch_head_text(ticket, "Table");
    if (info->size >= 0)
        printf("size     %" PRId64 " rows\n", info->size);
    else
        printf("size     unknown\n");
    printf("updates  %s\n", info->is_static ? "static" : "ticking");
    printf("columns  %zu\n", info->schema.n_fields);
    size_t wn = 4, wd = 14;
    for (size_t i = 0; i < info->schema.n_fields; i++) {
        const struct dh_field *fl = &info->schema.fields[i];
        size_t w = cli_cap_width(fl->name, CLI_LS_MAX_WIDTH);
        wn = w > wn ? w : wn;
        w = fl->dh_type ? cli_cap_width(fl->dh_type, CLI_LS_MAX_WIDTH) : 1;
        wd = w > wd ? w : wd;
    }
    printf("  %-*s  %-*s  %s\n", (int)wn, "NAME", (int)wd, "DEEPHAVEN TYPE", "ARROW TYPE");
    for (size_t i = 0; i < info->schema.n_fields; i++) {
        const struct dh_field *fl = &info->schema.fields[i];
        char label[128];
        const char *dht = fl->dh_type ? fl->dh_type : "-";
        fputs("  ", stdout);
        cli_text_cell(stdout, fl->name, strlen(fl->name), wn, 1);
        fputs("  ", stdout);
        cli_text_cell(stdout, dht, strlen(dht), wd, 1);
        char safe[256];
        printf("  %s%s\n", cli_safe(cli_arrow_label(fl, label, sizeof label), safe, sizeof safe),
               fl->hidden ? "  (hidden)" : "");
    }
}

/* fetch --json: the same for a table. */
static void cli_fetch_table_json(const char *ticket, const struct dh_table_info *info)
{
    struct json_writer w;
    cli_fetch_head_json(&w, ticket, "Table");
    json_member_int(&w, "size", info->size);
    json_member_bool(&w, "static", info->is_static);
    json_key(&w, "columns");
    json_begin_array(&w);
    for (size_t i = 0; i < info->schema.n_fields; i++) {
        const struct dh_field *fl = &info->schema.fields[i];
        char label[128];
        json_begin_object(&w);
        json_member_string(&w, "name", fl->name);
        json_member_string(&w, "type", cli_type_label(fl, label, sizeof label));
        json_member_string(&w, "deephaven_type", fl->dh_type);
        json_member_string(&w, "arrow_type", cli_arrow_label(fl, label, sizeof label));
        json_member_bool(&w, "nullable", fl->nullable);
        json_member_bool(&w, "hidden", fl->hidden);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_newline(&w);
}

/* fetch: a figure's title, charts and series as text. */
static void cli_fetch_figure_text(const char *ticket, const struct dh_figure *f)
{
    char a[512], b[512], c[512], num[16];
    cli_fetch_head_text(ticket, "Figure");
    printf("title    %s\n", cli_safe(f->title, a, sizeof a));
    printf("tables   %zu\n", f->n_tables);
    printf("charts   %zu\n", f->n_charts);
    for (size_t i = 0; i < f->n_charts; i++) {
        const struct dh_figure_chart *ch = &f->charts[i];
        printf("  chart %zu  %s%s%s\n", i + 1,
               cli_chart_type_name(ch->chart_type, num, sizeof num),
               ch->title && ch->title[0] ? "  " : "", cli_safe(ch->title, a, sizeof a));
        for (size_t j = 0; j < ch->n_series; j++) {
            const struct dh_figure_series *se = &ch->series[j];
            printf("    series %s  %s  x=%s  y=%s", cli_safe(se->name, a, sizeof a),
                   cli_plot_style_name(se->plot_style, num, sizeof num),
                   cli_safe(se->x_column, b, sizeof b), cli_safe(se->y_column, c, sizeof c));
            if (se->table_index >= 0)
                printf("  table %d", se->table_index);
            fputc('\n', stdout);
        }
    }
    for (size_t i = 0; i < f->n_errors; i++)
        printf("error    %s\n", cli_safe(f->errors[i], a, sizeof a));
}

/* fetch --json: the same for a figure. */
static void cli_fetch_figure_json(const char *ticket, const struct dh_figure *f)
{
    struct json_writer w;
    char num[16];
    cli_fetch_head_json(&w, ticket, "Figure");
    json_member_string(&w, "title", f->title ? f->title : "");
    json_member_int(&w, "tables", (int64_t)f->n_tables);
    json_key(&w, "charts");
    json_begin_array(&w);
    for (size_t i = 0; i < f->n_charts; i++) {
        const struct dh_figure_chart *ch = &f->charts[i];
        json_begin_object(&w);
        json_member_string(&w, "title", ch->title ? ch->title : "");
        json_member_string(&w, "chart_type",
                           cli_chart_type_name(ch->chart_type, num, sizeof num));
        json_key(&w, "series");
        json_begin_array(&w);
        for (size_t j = 0; j < ch->n_series; j++) {
            const struct dh_figure_series *se = &ch->series[j];
            json_begin_object(&w);
            json_member_string(&w, "name", se->name ? se->name : "");
            json_member_string(&w, "plot_style",
                               cli_plot_style_name(se->plot_style, num, sizeof num));
            json_member_string(&w, "x", se->x_column ? se->x_column : "");
            json_member_string(&w, "y", se->y_column ? se->y_column : "");
            json_member_int(&w, "table", se->table_index);
            json_end_object(&w);
        }
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "errors");
    json_begin_array(&w);
    for (size_t i = 0; i < f->n_errors; i++)
        json_string(&w, f->errors[i]);
    json_end_array(&w);
    json_end_object(&w);
    json_newline(&w);
}

/* The object's type as the server's refusal names it (dh_error_object_type), or "other". */
static void cli_actual_type(const struct dh_error *err, char *buf, size_t n)
{
    snprintf(buf, n, "other");
    char raw[128];
    if (dh_error_object_type(err, raw, sizeof raw))
        cli_safe(raw, buf, n);
}

/* fetch: neither a table nor a figure: only its type. */
static void cli_fetch_other(const struct cli_options *o, const char *ticket, const char *type)
{
    if (o->json) {
        struct json_writer w;
        cli_fetch_head_json(&w, ticket, type);
        json_end_object(&w);
        json_newline(&w);
    } else {
        cli_fetch_head_text(ticket, type);
    }
}

/* Describe our copy: a table, else a figure, else whatever the server says. */
static int cli_describe(const struct cli_options *o, struct dh_session *s,
                        const struct dh_ticket *copy, const char *ticket)
{
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    if (dh_table_info_fetch(s, copy, &info, &err) == DH_OK) {
        if (o->json)
            cli_fetch_table_json(ticket, &info);
        else
            cli_fetch_table_text(ticket, &info);
        dh_table_info_reset(&info);
        return CLI_EXIT_OK;
    }
    if (!dh_error_is_not_a_table(&err)) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    struct dh_figure *fig = NULL;
    dh_error_clear(&err);
    if (dh_figure_fetch(s, copy, &fig, &err) == DH_OK) {
        if (o->json)
            cli_fetch_figure_json(ticket, fig);
        else
            cli_fetch_figure_text(ticket, fig);
        dh_figure_release(s, fig);
        dh_figure_free(fig);
        return CLI_EXIT_OK;
    }
    char type[128];
    cli_actual_type(&err, type, sizeof type);
    cli_fetch_other(o, ticket, type);
    return CLI_EXIT_OK;
}

int cli_fetch(const struct cli_options *o)
{
    if (cli_need_operands(o, 1, 1, "dhtui fetch TICKET [connection options] [--json]") != 0)
        return CLI_EXIT_USAGE;
    struct dh_ticket src;
    if (cli_parse_ticket(o->operands[0], &src) != 0)
        return CLI_EXIT_USAGE;
    cli_ignore_sigpipe();
    struct dh_session *s = cli_connect(o);
    if (!s)
        return CLI_EXIT_FAIL;
    char ticket[2 * DH_TICKET_MAX + 64];
    cli_ticket_text(&src, ticket, sizeof ticket);
    struct dh_ticket copy;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_export_from_ticket(s, &src, &copy, &err) != DH_OK) {
        cli_error_line(err.msg);
        dh_session_free(s);
        return CLI_EXIT_FAIL;
    }
    int code = cli_describe(o, s, &copy, ticket);
    dh_error_clear(&err);
    dh_release(s, &copy, &err); /* best effort: closing the session releases it too */
    dh_session_free(s);
    return cli_finish_stdout(code);
}

/* ---- check ---- */

/* One probed ticket. */
struct cli_check_row {
    char ticket[512];
    const char *state;
    char detail[DH_ERROR_MSG_MAX];
    int valid;
};

/* Probe one ticket into row. */
static void cli_check_one(struct dh_session *s, const struct dh_ticket *t,
                          struct cli_check_row *row)
{
    struct dh_error err;
    dh_error_clear(&err);
    cli_ticket_text(t, row->ticket, sizeof row->ticket);
    enum dh_probe_result r = dh_probe_ticket(s, t, &err);
    row->valid = r == DH_PROBE_VALID_TABLE || r == DH_PROBE_VALID_OTHER;
    switch (r) {
    case DH_PROBE_VALID_TABLE:
        row->state = "valid";
        snprintf(row->detail, sizeof row->detail, "table");
        return;
    case DH_PROBE_VALID_OTHER:
        row->state = "valid";
        snprintf(row->detail, sizeof row->detail, "not a table");
        return;
    case DH_PROBE_NOT_FOUND: row->state = "not found"; break;
    case DH_PROBE_FAILED: row->state = "failed"; break;
    default: row->state = "error"; break;
    }
    cli_safe(err.msg, row->detail, sizeof row->detail);
}

/* Print the probe results (aligned lines, or a JSON array). */
static void cli_check_print(const struct cli_options *o, const struct cli_check_row *rows,
                            size_t n)
{
    if (o->json) {
        struct json_writer w;
        json_writer_init(&w, stdout);
        json_begin_array(&w);
        for (size_t i = 0; i < n; i++) {
            json_break(&w);
            json_begin_object(&w);
            json_member_string(&w, "ticket", rows[i].ticket);
            json_member_string(&w, "state", rows[i].state);
            json_member_bool(&w, "valid", rows[i].valid);
            json_member_string(&w, "detail", rows[i].detail);
            json_end_object(&w);
        }
        json_newline(&w);
        json_end_array(&w);
        json_newline(&w);
        return;
    }
    size_t wt = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(rows[i].ticket);
        wt = len > wt ? len : wt;
    }
    for (size_t i = 0; i < n; i++) {
        char safe[sizeof rows[i].ticket * 4];
        printf("%-*s  %-9s  %s\n", (int)wt, cli_safe(rows[i].ticket, safe, sizeof safe),
               rows[i].state, rows[i].detail);
    }
}

int cli_check(const struct cli_options *o)
{
    if (cli_need_operands(o, 1, 4096, "dhtui check TICKET... [connection options] [--json]") != 0)
        return CLI_EXIT_USAGE;
    struct dh_ticket *tickets = calloc(o->n_operands, sizeof *tickets);
    struct cli_check_row *rows = calloc(o->n_operands, sizeof *rows);
    int code = CLI_EXIT_USAGE;
    if (!tickets || !rows) {
        cli_errorf("out of memory");
        code = CLI_EXIT_FAIL;
        goto out;
    }
    for (size_t i = 0; i < o->n_operands; i++)
        if (cli_parse_ticket(o->operands[i], &tickets[i]) != 0)
            goto out;
    cli_ignore_sigpipe();
    struct dh_session *s = cli_connect(o);
    code = CLI_EXIT_FAIL;
    if (!s)
        goto out;
    int all_valid = 1;
    for (size_t i = 0; i < o->n_operands; i++) {
        cli_check_one(s, &tickets[i], &rows[i]);
        all_valid = all_valid && rows[i].valid;
    }
    dh_session_free(s);
    cli_check_print(o, rows, o->n_operands);
    code = cli_finish_stdout(all_valid ? CLI_EXIT_OK : CLI_EXIT_FAIL);
out:
    free(tickets);
    free(rows);
    return code;
}
