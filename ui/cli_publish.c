/* SPDX-License-Identifier: MIT */
/* cli_publish: dhtui publish NAME|TICKET: publish an object (or the view
 * --where/--sort give of it) to a fresh shared ticket, print the ticket, hold
 * the session open until a signal, then release. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dh_exports.h"
#include "dh_objects.h"
#include "json.h"

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
static int cli_publish_view(struct dh_session *s, const struct cli_options *o, struct dh_object *ob,
                            struct dh_ticket *shared, struct dh_ticket *exported)
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
    fprintf(stderr,
            "dhtui: published '%s' as %s; keeping the session open so the ticket stays "
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
