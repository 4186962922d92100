/* SPDX-License-Identifier: MIT */
/* cli_ls: dhtui ls: the server's objects, as an aligned table (name, type,
 * application, description) or as JSON with their tickets. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dh_objects.h"
#include "json.h"

/* What `dhtui ls` shows as an object's application. */
static const char *cli_app_label(const struct dh_object *ob)
{
    if (ob->app_name && ob->app_name[0])
        return ob->app_name;
    return ob->app_id ? ob->app_id : "";
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
