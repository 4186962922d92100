/* SPDX-License-Identifier: MIT */
/* cli_fetch: dhtui fetch TICKET: say what a ticket points at (a table's size
 * and schema, a figure's charts and series, else the type the server names). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dh_exports.h"
#include "dh_express.h"
#include "dh_figure.h"
#include "dh_format.h"
#include "dh_table.h"
#include "json.h"

static const char *const cli_chart_types[] = {"XY",  "PIE",         "OHLC",   "CATEGORY",
                                              "XYZ", "CATEGORY_3D", "TREEMAP"};
static const char *const cli_plot_styles[] = {
    "BAR",       "STACKED_BAR", "LINE",    "AREA", "STACKED_AREA", "PIE",
    "HISTOGRAM", "OHLC",        "SCATTER", "STEP", "ERROR_BAR",    "TREEMAP"};

/* Name of an enum value from a table, or its number. */
static const char *cli_enum_name(const char *const *names, size_t n, int v, char *buf, size_t bufn)
{
    if (v >= 0 && (size_t)v < n)
        return names[v];
    snprintf(buf, bufn, "%d", v);
    return buf;
}

/* ChartType name (console.proto), or its number. */
static const char *cli_chart_type_name(int v, char *buf, size_t n)
{
    return cli_enum_name(cli_chart_types, sizeof cli_chart_types / sizeof *cli_chart_types, v, buf,
                         n);
}

/* SeriesPlotStyle name (console.proto), or its number. */
static const char *cli_plot_style_name(int v, char *buf, size_t n)
{
    return cli_enum_name(cli_plot_styles, sizeof cli_plot_styles / sizeof *cli_plot_styles, v, buf,
                         n);
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
               fl->hidden                ? "  (hidden)"
               : !dh_field_decodable(fl) ? "  (not shown by dhtui)"
                                         : "");
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
    cli_fetch_head_text(ticket, f->is_express ? DH_EXPRESS_TYPE : "Figure");
    printf("title    %s\n", cli_safe(f->title, a, sizeof a));
    printf("tables   %zu\n", f->n_tables);
    printf("charts   %zu\n", f->n_charts);
    for (size_t i = 0; i < f->n_charts; i++) {
        const struct dh_figure_chart *ch = &f->charts[i];
        printf("  chart %zu  %s%s%s\n", i + 1, cli_chart_type_name(ch->chart_type, num, sizeof num),
               ch->title && ch->title[0] ? "  " : "", cli_safe(ch->title, a, sizeof a));
        for (size_t j = 0; j < ch->n_series; j++) {
            const struct dh_figure_series *se = &ch->series[j];
            printf("    series %s  %s  x=%s  y=%s", cli_safe(se->name, a, sizeof a),
                   cli_plot_style_name(se->plot_style, num, sizeof num),
                   cli_safe(se->x_column, b, sizeof b), cli_safe(se->y_column, c, sizeof c));
            if (se->table_index >= 0)
                printf("  table %d", se->table_index);
            if (se->partitioned_index >= 0)
                printf("  partitioned table %d (a series per key)", se->partitioned_index);
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
    cli_fetch_head_json(&w, ticket, f->is_express ? DH_EXPRESS_TYPE : "Figure");
    json_member_string(&w, "title", f->title ? f->title : "");
    json_member_int(&w, "tables", (int64_t)f->n_tables);
    json_key(&w, "charts");
    json_begin_array(&w);
    for (size_t i = 0; i < f->n_charts; i++) {
        const struct dh_figure_chart *ch = &f->charts[i];
        json_begin_object(&w);
        json_member_string(&w, "title", ch->title ? ch->title : "");
        json_member_string(&w, "chart_type", cli_chart_type_name(ch->chart_type, num, sizeof num));
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
            if (se->partitioned_index >= 0) {
                /* plot_by: a series per key of this partitioned table */
                const struct dh_figure_partitioned *p = &f->partitioned[se->partitioned_index];
                json_member_int(&w, "partitioned_table", se->partitioned_index);
                json_key(&w, "keys");
                json_begin_array(&w);
                for (size_t k = 0; k < p->n_keys; k++)
                    json_string(&w, p->keys[k]);
                json_end_array(&w);
            }
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
