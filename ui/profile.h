/* SPDX-License-Identifier: MIT */
/* profile: what the configuration file (config.h) adds to a command line:
 * the chosen profile's connection settings and the [defaults], each only
 * where the command line said nothing; and the start-up picker for the
 * browser when several profiles exist and nothing names a server. */
#ifndef DHTUI_PROFILE_H
#define DHTUI_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "cli_verbs.h"
#include "config_file.h"

/* The profile to use: --profile (given), else [defaults] profile unless the
 * command line names a server (--host, --port or --demo); NULL for none. */
const char *profile_chosen(const struct config *c, const char *const seen[OPT_COUNT]);

/* Fill seen[] from profile `name` (NULL: none) and the [defaults] where the
 * command line gave nothing; values point into c (keep it alive). The
 * profile's auth_value_command is used only when the command line names no
 * credential. 0, or -1 with one sentence in err (an unknown profile: the
 * names there are). */
int profile_apply(const struct config *c, const char *name, const char *seen[OPT_COUNT], char *err,
                  size_t errlen);

/* Whether the browser should ask which profile: two or more profiles, and
 * nothing chosen and no server named. */
int profile_should_pick(const struct config *c, const char *const seen[OPT_COUNT]);

/* Ask on out, read the answer from in: a number, a name, or Enter for the
 * first. Returns the chosen profile's name (owned by c), or NULL with err set
 * (end of input, or no such choice after three tries). */
const char *profile_pick(const struct config *c, FILE *in, FILE *out, char *err, size_t errlen);

#endif
