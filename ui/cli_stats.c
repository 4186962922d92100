/* SPDX-License-Identifier: MIT */
/* cli_stats: dhtui stats TICKET|NAME --column C: one Batch call has the
 * server compute the column's statistics (ComputeColumnStatistics, after the
 * --where filters if any), a DoGet reads the one-row answer; printed as
 * `NAME  value` lines (dh_stats_text) or as JSON with exact values. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dh_exports.h"
#include "dh_table.h"
#include "dh_tableops.h"
#include "rows_out.h"
#include "rows_value.h"

/* {"column": C, "statistics": {NAME: value, ...}} with the values as
 * `rows --format json` writes them. */
static int stats_json(const char *column, const struct dh_rows *rows)
{
    struct rows_buf b;
    memset(&b, 0, sizeof b);
    struct rows_value_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    rows_buf_str(&b, "{\"column\":");
    rows_json_string(&b, column, strlen(column));
    rows_buf_str(&b, ",\"statistics\":{");
    size_t n = rows->schema.n_fields < rows->batch.n_columns ? rows->schema.n_fields
                                                             : rows->batch.n_columns;
    for (size_t f = 0; f < n; f++) {
        const struct dh_field *field = &rows->schema.fields[f];
        const char *name = field->name ? field->name : "";
        if (f)
            rows_buf_byte(&b, ',');
        rows_json_string(&b, name, strlen(name));
        rows_buf_byte(&b, ':');
        rows_value_json(&ctx, &b, &rows->batch.columns[f], 0, rows_kind_of(field));
    }
    rows_buf_str(&b, "}}\n");
    rows_buf_free(&ctx.scratch);
    int ok = !b.oom && fwrite(b.p, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
    rows_buf_free(&b);
    if (!ok)
        cli_errorf("could not write the statistics");
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int stats_print(const struct cli_options *o, const struct dh_rows *rows)
{
    if (o->json)
        return stats_json(o->column, rows);
    char *text = NULL;
    size_t len = 0;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_stats_text(rows, &text, &len, &err) != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    int ok = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
    free(text);
    if (!ok)
        cli_errorf("could not write the statistics");
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* After connecting: resolve, copy, one Batch (filters, statistics), read, print. */
static int stats_session(struct dh_session *s, const struct cli_options *o)
{
    const char *text = o->operands[0];
    struct dh_ticket src, copy, result;
    dh_ticket_init(&src);
    if (cli_looks_like_ticket(text) ? cli_parse_ticket(text, &src) != 0
                                    : cli_resolve_table(s, text, &src) != 0)
        return CLI_EXIT_FAIL;
    struct dh_view_ops v;
    int code = cli_view_ops(o, &v);
    if (code != 0)
        return code;
    struct dh_error err;
    dh_error_clear(&err);
    if (dh_view_ops_add_stats(&v, o->column, &err) != DH_OK) {
        dh_view_ops_reset(&v);
        cli_error_line(err.msg);
        return CLI_EXIT_USAGE;
    }
    if (dh_export_from_ticket(s, &src, &copy, &err) != DH_OK) {
        dh_view_ops_reset(&v);
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_ticket_make_export(&result, dh_session_next_export_id(s));
    int rc = dh_table_derive(s, &copy, &v, &result, &info, &err);
    dh_view_ops_reset(&v);
    dh_table_info_reset(&info);
    dh_release(s, &copy, NULL);
    if (rc != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    rc = dh_table_doget(s, &result, &rows, NULL, &err);
    dh_release(s, &result, NULL);
    if (rc != DH_OK) {
        cli_error_line(err.msg);
        return CLI_EXIT_FAIL;
    }
    code = stats_print(o, &rows);
    dh_rows_reset(&rows);
    return code;
}

int cli_stats(const struct cli_options *o)
{
    if (o->n_operands != 1 || !o->column || !o->column[0]) {
        cli_errorf("usage: dhtui stats TICKET|NAME --column NAME [connection options] "
                   "[--where FILTER]... [--json]");
        return CLI_EXIT_USAGE;
    }
    cli_ignore_sigpipe();
    struct dh_session *s = cli_connect(o);
    if (!s)
        return CLI_EXIT_FAIL;
    int code = stats_session(s, o);
    dh_session_free(s);
    return code;
}
