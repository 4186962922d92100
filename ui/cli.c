/* SPDX-License-Identifier: MIT */
/* cli.c: the helpers every verb shares (connecting, one-line errors, signal
 * setup, finishing stdout, aligned text cells). Each verb lives in its own
 * cli_<verb>.c; cli_verbs.c is the table that lists them. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dh_clock.h"
#include "dh_objects.h"
#include "dh_text.h"
#include "dh_ticket.h"

const char *cli_safe(const char *s, char *buf, size_t n)
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

int cli_finish_stdout(int code)
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

const char *cli_ticket_text(const struct dh_ticket *t, char *buf, size_t n)
{
    if (dh_ticket_format(t, buf, n) < 0)
        snprintf(buf, n, "(empty ticket)");
    return buf;
}

int cli_need_operands(const struct cli_options *o, size_t min, size_t max, const char *usage)
{
    if (o->n_operands >= min && o->n_operands <= max)
        return 0;
    cli_errorf("usage: %s (dhtui --help explains)", usage);
    return -1;
}

size_t cli_cap_width(const char *s, size_t cap)
{
    size_t w = cli_text_width(s, strlen(s));
    return w > cap ? cap : w;
}
