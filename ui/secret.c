/* SPDX-License-Identifier: MIT */
/* secret.c: read a credential from a command's standard output. */
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dh_transport.h"

void secret_free(char *s)
{
    if (!s)
        return;
    dh_wipe(s, strlen(s));
    free(s);
}

/* Why the command failed, from its wait status. */
static void describe_status(int status, char *err, size_t errlen)
{
    if (WIFEXITED(status))
        snprintf(err, errlen, "--auth-value-command failed (exit status %d); no secret read",
                 WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(err, errlen, "--auth-value-command was killed by signal %d; no secret read",
                 WTERMSIG(status));
    else
        snprintf(err, errlen, "--auth-value-command failed; no secret read");
}

int secret_from_command(const char *cmd, char **out, char *err, size_t errlen)
{
    *out = NULL;
    fflush(NULL); /* the child must not repeat our buffered output */
    FILE *f = popen(cmd, "re");
    if (!f) {
        snprintf(err, errlen, "cannot run --auth-value-command: %s", strerror(errno));
        return -1;
    }
    /* Room for the longest secret plus a CR LF, and one byte to see excess. */
    size_t cap = DH_CREDENTIAL_MAX + 3;
    char *buf = malloc(cap + 1);
    size_t n = 0;
    while (buf && n < cap) {
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    int status = pclose(f);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading --auth-value-command");
        return -1;
    }
    int rc = -1;
    if (n == cap) {
        /* Checked first: the command may have died of SIGPIPE when we stopped. */
        snprintf(err, errlen,
                 "--auth-value-command printed more than the %d bytes a "
                 "credential may have",
                 DH_CREDENTIAL_MAX);
    } else if (status != 0) {
        describe_status(status, err, errlen);
    } else {
        if (n > 0 && buf[n - 1] == '\n')
            n--;
        if (n > 0 && buf[n - 1] == '\r')
            n--;
        buf[n] = '\0';
        if (n == 0)
            snprintf(err, errlen, "--auth-value-command printed nothing; no secret read");
        else if (n > DH_CREDENTIAL_MAX)
            snprintf(err, errlen,
                     "--auth-value-command printed more than the %d bytes a "
                     "credential may have",
                     DH_CREDENTIAL_MAX);
        else if (memchr(buf, '\0', n) || strchr(buf, '\n'))
            snprintf(err, errlen,
                     "--auth-value-command printed more than one line (or a NUL "
                     "byte); a secret is one line");
        else
            rc = 0;
    }
    if (rc == 0) {
        *out = buf;
        return 0;
    }
    dh_wipe(buf, cap + 1);
    free(buf);
    return -1;
}
