/* SPDX-License-Identifier: MIT */
/* subprocess: run a helper program (tmux, xclip, wl-copy) with bytes on its
 * standard input, optionally reading a little of its standard output, with a
 * deadline: the UI never waits on a helper longer than the caller allows. */
#ifndef DHTUI_SUBPROCESS_H
#define DHTUI_SUBPROCESS_H

#include <stddef.h>

/* Whether `name` is an executable file in one of $PATH's directories. */
int subprocess_in_path(const char *name);

/* Run argv[0] (looked up in $PATH) with in[0..inlen) on its stdin, stderr on
 * /dev/null, and stdout read into out[0..outcap) (NUL-terminated, excess
 * dropped) or on /dev/null when out is NULL. Waits at most timeout_ms for it
 * to read its input and exit; a helper still running then is killed.
 * Returns its exit status (0..255), or -1 when it could not run, was killed
 * or timed out. SIGPIPE is not raised if it stops reading early. Any thread
 * that has no SIGCHLD handler of its own. */
int subprocess_pipe(char *const argv[], const char *in, size_t inlen, char *out, size_t outcap,
                    int timeout_ms);

#endif
