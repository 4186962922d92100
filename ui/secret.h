/* SPDX-License-Identifier: MIT */
/* secret: credentials that never sit in argv. --auth-value-command CMD runs
 * CMD with /bin/sh -c and takes its standard output as the secret, like git's
 * credential helpers (one trailing line break trimmed), so a password
 * manager (`pass show deephaven`, `secret-tool lookup ...`) can supply it. */
#ifndef DHTUI_SECRET_H
#define DHTUI_SECRET_H

#include <stddef.h>

/* Run cmd and read the secret it prints (at most DH_CREDENTIAL_MAX bytes
 * after trimming). Its stdin and stderr are ours (it may prompt on the
 * terminal). Returns 0 and a new string in *out (free it with secret_free),
 * or -1 with one sentence in err that never quotes the output. UI thread,
 * before other threads start. */
int secret_from_command(const char *cmd, char **out, char *err, size_t errlen);

/* Wipe and free a secret. NULL-safe. */
void secret_free(char *s);

#endif
