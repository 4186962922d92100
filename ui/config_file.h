/* SPDX-License-Identifier: MIT */
/* config_file: dhtui's configuration file, $XDG_CONFIG_HOME/dhtui/config (default
 * ~/.config/dhtui/config), INI read with libinih:
 *
 *   [defaults]              applied to every run (the command line wins)
 *   probe_interval = 5000   tz = Europe/Paris   theme = dark|light|mono
 *   mouse = on|off
 *   profile = prod          the profile used when no --host/--demo/--profile
 *
 *   [keys]                  your own keys (keybind.h): TABLE.ACTION = KEY [KEY ...]
 *   pager.sort_desc = >     pager.where = F4
 *
 *   [profile prod]          a named server: dhtui --profile prod
 *   host = dh.example.com   port = 10000   tls = yes   ca = /etc/ssl/dh.pem
 *   auth = psk              auth_value_command = pass show deephaven
 *
 * A profile exists through its keys (libinih reports values, not sections):
 * give each at least one. No secret is ever read from or written to this file: `auth_value` is
 * refused with a pointer to auth_value_command. Unknown sections and keys are
 * errors that name the line, so a typo never passes silently. */
#ifndef DHTUI_CONFIG_FILE_H
#define DHTUI_CONFIG_FILE_H

#include <stddef.h>

#include "keybind.h"

/* A profile's or the defaults' settings; NULL where not set. Strings owned. */
struct config_profile {
    char *name;
    char *host, *port, *tls, *ca, *auth, *auth_value_command;
};

struct config {
    char *path; /* the file read (NULL if there was none) */
    struct config_profile *profiles;
    size_t n_profiles;
    char *probe_interval, *tz, *theme, *profile, *mouse; /* [defaults] */
    struct keybinds keys;                                /* [keys] */
};

/* The default path into buf: $XDG_CONFIG_HOME/dhtui/config, else
 * $HOME/.config/dhtui/config. -1 (buf empty) when neither is set. */
int config_default_path(char *buf, size_t n);

/* Read the file at path (NULL: the default path). A missing file is an empty
 * configuration. Returns 0 with *out (config_free it), or -1 with one
 * sentence in err ("~/.config/dhtui/config:12: unknown key 'hots' in
 * [profile prod]"). Any thread. */
int config_load(const char *path, struct config **out, char *err, size_t errlen);

/* Free a configuration. NULL-safe. */
void config_free(struct config *c);

/* The profile called name, or NULL. */
const struct config_profile *config_profile_find(const struct config *c, const char *name);

/* "prod, staging": the profile names, cut to fit buf. */
void config_profile_names(const struct config *c, char *buf, size_t n);

/* A yes/no value: 1 for yes/true/on/1, 0 for no/false/off/0, -1 otherwise. */
int config_bool(const char *value);

#endif
