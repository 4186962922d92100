/* SPDX-License-Identifier: MIT */
/* config_file: the INI file through libinih's ini_parse; validation per key. */
#include "config_file.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int config_default_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int w;
    if (xdg && *xdg == '/')
        w = snprintf(buf, n, "%s/dhtui/config", xdg);
    else if (home && *home)
        w = snprintf(buf, n, "%s/.config/dhtui/config", home);
    else
        w = -1;
    if (w < 0 || (size_t)w >= n) {
        if (n)
            buf[0] = '\0';
        return -1;
    }
    return 0;
}

int config_bool(const char *value)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0)
            return 1;
        if (strcasecmp(value, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* ini_parse's user data: the configuration so far and the first error. */
struct parse {
    struct config *c;
    char why[256];
};

static void profile_reset(struct config_profile *p)
{
    free(p->name);
    free(p->host);
    free(p->port);
    free(p->tls);
    free(p->ca);
    free(p->auth);
    free(p->auth_value_command);
    memset(p, 0, sizeof *p);
}

/* The profile of section "profile NAME", created on first sight. */
static struct config_profile *profile_for(struct parse *ps, const char *name)
{
    struct config *c = ps->c;
    for (size_t i = 0; i < c->n_profiles; i++)
        if (strcmp(c->profiles[i].name, name) == 0)
            return &c->profiles[i];
    struct config_profile *grown = realloc(c->profiles, (c->n_profiles + 1) * sizeof *grown);
    if (!grown) {
        snprintf(ps->why, sizeof ps->why, "out of memory");
        return NULL;
    }
    c->profiles = grown;
    struct config_profile *p = &grown[c->n_profiles];
    memset(p, 0, sizeof *p);
    p->name = strdup(name);
    if (!p->name) {
        snprintf(ps->why, sizeof ps->why, "out of memory");
        return NULL;
    }
    c->n_profiles++;
    return p;
}

/* Set *slot to a copy of value (a later line wins). */
static int set(struct parse *ps, char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy) {
        snprintf(ps->why, sizeof ps->why, "out of memory");
        return 0;
    }
    free(*slot);
    *slot = copy;
    return 1;
}

/* A whole number within [lo, hi]. */
static int is_number(const char *s, long long lo, long long hi)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && v >= lo && v <= hi;
}

static int profile_key(struct parse *ps, const char *section, const char *key, const char *value)
{
    struct config_profile *p = profile_for(ps, section + 8);
    if (!p)
        return 0;
    if (strcmp(key, "auth_value") == 0) {
        snprintf(ps->why, sizeof ps->why,
                 "auth_value: dhtui keeps no secret in files; use auth_value_command "
                 "(a command that prints it) or $DHTUI_AUTH_VALUE");
        return 0;
    }
    if (strcmp(key, "port") == 0 && !is_number(value, 1, 65535)) {
        snprintf(ps->why, sizeof ps->why, "port must be a number from 1 to 65535, not '%.40s'",
                 value);
        return 0;
    }
    if (strcmp(key, "tls") == 0 && config_bool(value) < 0) {
        snprintf(ps->why, sizeof ps->why, "tls must be yes or no, not '%.40s'", value);
        return 0;
    }
    struct {
        const char *name;
        char **slot;
    } keys[] = {{"host", &p->host}, {"port", &p->port},
                {"tls", &p->tls},   {"ca", &p->ca},
                {"auth", &p->auth}, {"auth_value_command", &p->auth_value_command}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i].name) == 0)
            return set(ps, keys[i].slot, value);
    snprintf(ps->why, sizeof ps->why,
             "unknown key '%.40s' in [%.60s] (host, port, tls, ca, auth, auth_value_command)", key,
             section);
    return 0;
}

static int defaults_key(struct parse *ps, const char *key, const char *value)
{
    struct config *c = ps->c;
    if (strcmp(key, "probe_interval") == 0) {
        if (!is_number(value, 1, 2147483647)) {
            snprintf(ps->why, sizeof ps->why,
                     "probe_interval must be milliseconds (a whole number), not '%.40s'", value);
            return 0;
        }
        return set(ps, &c->probe_interval, value);
    }
    if (strcmp(key, "theme") == 0) {
        if (strcmp(value, "dark") && strcmp(value, "light") && strcmp(value, "mono") &&
            strcmp(value, "monochrome")) {
            snprintf(ps->why, sizeof ps->why, "theme must be dark, light or mono, not '%.40s'",
                     value);
            return 0;
        }
        return set(ps, &c->theme, value);
    }
    if (strcmp(key, "tz") == 0)
        return set(ps, &c->tz, value);
    if (strcmp(key, "mouse") == 0) {
        if (config_bool(value) < 0) {
            snprintf(ps->why, sizeof ps->why, "mouse must be on or off, not '%.40s'", value);
            return 0;
        }
        return set(ps, &c->mouse, value);
    }
    if (strcmp(key, "profile") == 0)
        return set(ps, &c->profile, value);
    snprintf(ps->why, sizeof ps->why,
             "unknown key '%.40s' in [defaults] (probe_interval, tz, theme, mouse, profile)", key);
    return 0;
}

/* libinih calls this per name = value; 0 stops with the line's number. */
static int on_value(void *user, const char *section, const char *key, const char *value)
{
    struct parse *ps = user;
    if (strcmp(section, "defaults") == 0)
        return defaults_key(ps, key, value);
    if (strncmp(section, "profile ", 8) == 0 && section[8] && !strchr(section + 8, ' '))
        return profile_key(ps, section, key, value);
    if (strcmp(section, "keys") == 0)
        return keybinds_add(&ps->c->keys, key, value, ps->why, sizeof ps->why) == 0;
    snprintf(ps->why, sizeof ps->why,
             "unknown section [%.60s] ([defaults], [keys] or [profile NAME])", section);
    return 0;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
    *out = NULL;
    char def[4096];
    if (!path) {
        if (config_default_path(def, sizeof def) != 0) {
            *out = calloc(1, sizeof **out);
            return *out ? 0 : (snprintf(err, errlen, "out of memory"), -1);
        }
        path = def;
    }
    struct config *c = calloc(1, sizeof *c);
    struct parse ps = {c, ""};
    if (!c)
        return snprintf(err, errlen, "out of memory"), -1;
    FILE *f = fopen(path, "re");
    if (!f && errno == ENOENT) {
        *out = c;
        return 0;
    }
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        config_free(c);
        return -1;
    }
    int line = ini_parse_file(f, on_value, &ps);
    fclose(f);
    c->path = strdup(path);
    if (line != 0 || !c->path) {
        if (line > 0 && ps.why[0])
            snprintf(err, errlen, "%s:%d: %s", path, line, ps.why);
        else if (line > 0)
            snprintf(err, errlen, "%s:%d: not a section, a name = value line or a comment", path,
                     line);
        else
            snprintf(err, errlen, "%s: out of memory", path);
        config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_profiles; i++)
        profile_reset(&c->profiles[i]);
    free(c->profiles);
    free(c->path);
    free(c->probe_interval);
    free(c->tz);
    free(c->theme);
    free(c->profile);
    free(c->mouse);
    keybinds_clear(&c->keys);
    free(c);
}

const struct config_profile *config_profile_find(const struct config *c, const char *name)
{
    for (size_t i = 0; c && name && i < c->n_profiles; i++)
        if (strcmp(c->profiles[i].name, name) == 0)
            return &c->profiles[i];
    return NULL;
}

void config_profile_names(const struct config *c, char *buf, size_t n)
{
    size_t o = 0;
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; c && i < c->n_profiles && o < n; i++) {
        int w = snprintf(buf + o, n - o, "%s%s", i ? ", " : "", c->profiles[i].name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}
