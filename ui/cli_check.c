/* SPDX-License-Identifier: MIT */
/* cli_check: dhtui check TICKET...: probe each ticket, print one line (or
 * JSON object) per ticket; exit 0 only if all are valid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dh_exports.h"
#include "json.h"

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
static void cli_check_print(const struct cli_options *o, const struct cli_check_row *rows, size_t n)
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
