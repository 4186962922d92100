/* SPDX-License-Identifier: MIT */
/* profile: configuration applied under the command line; the picker. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

const char *profile_chosen(const struct config *c, const char *const seen[OPT_COUNT])
{
    if (seen[OPT_PROFILE])
        return seen[OPT_PROFILE];
    if (c && c->profile && !seen[OPT_HOST] && !seen[OPT_PORT] && !seen[OPT_DEMO])
        return c->profile;
    return NULL;
}

int profile_should_pick(const struct config *c, const char *const seen[OPT_COUNT])
{
    return c && c->n_profiles >= 2 && !profile_chosen(c, seen) && !seen[OPT_HOST] &&
           !seen[OPT_PORT] && !seen[OPT_DEMO];
}

/* seen[id] = value where the command line left it unset. */
static void fill(const char *seen[OPT_COUNT], enum cli_opt_id id, const char *value)
{
    if (value && !seen[id])
        seen[id] = value;
}

int profile_apply(const struct config *c, const char *name, const char *seen[OPT_COUNT], char *err,
                  size_t errlen)
{
    if (name) {
        const struct config_profile *p = config_profile_find(c, name);
        if (!p) {
            char names[256];
            config_profile_names(c, names, sizeof names);
            if (c && c->path && names[0])
                snprintf(err, errlen, "no profile '%.60s' in %s (profiles: %s)", name, c->path,
                         names);
            else
                snprintf(err, errlen, "no profile '%.60s': %s has none", name,
                         c && c->path ? c->path : "there is no configuration file");
            return -1;
        }
        fill(seen, OPT_HOST, p->host);
        fill(seen, OPT_PORT, p->port);
        fill(seen, OPT_CA, p->ca);
        if (p->tls && config_bool(p->tls) == 1)
            fill(seen, OPT_TLS, "");
        fill(seen, OPT_AUTH, p->auth);
        if (!seen[OPT_AUTH_VALUE])
            fill(seen, OPT_AUTH_VALUE_COMMAND, p->auth_value_command);
    }
    if (c) {
        fill(seen, OPT_PROBE_INTERVAL, c->probe_interval);
        fill(seen, OPT_TZ, c->tz);
        fill(seen, OPT_THEME, c->theme);
        if (c->mouse && config_bool(c->mouse) == 0)
            fill(seen, OPT_NO_MOUSE, "");
    }
    return 0;
}

/* "dh.example.com:10000, tls, psk" */
static void describe(const struct config_profile *p, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%s%s%s%s", p->host ? p->host : "localhost", p->port ? p->port : "10000",
             p->tls && config_bool(p->tls) == 1 ? ", tls" : "", p->auth ? ", " : "",
             p->auth ? p->auth : "");
}

/* The profile an answer names (number, name, or empty for the first). */
static const char *answer_profile(const struct config *c, const char *line)
{
    if (!*line)
        return c->profiles[0].name;
    char *end = NULL;
    long k = strtol(line, &end, 10);
    if (end != line && *end == '\0' && k >= 1 && (size_t)k <= c->n_profiles)
        return c->profiles[k - 1].name;
    const struct config_profile *p = config_profile_find(c, line);
    return p ? p->name : NULL;
}

const char *profile_pick(const struct config *c, FILE *in, FILE *out, char *err, size_t errlen)
{
    fprintf(out, "Profiles in %s:\n", c->path ? c->path : "the configuration");
    for (size_t i = 0; i < c->n_profiles; i++) {
        char what[320];
        describe(&c->profiles[i], what, sizeof what);
        fprintf(out, "  %zu  %-16s %s\n", i + 1, c->profiles[i].name, what);
    }
    for (int tries = 0; tries < 3; tries++) {
        fprintf(out, "Connect to which? [1] ");
        fflush(out);
        char line[256];
        if (!fgets(line, sizeof line, in)) {
            snprintf(err, errlen, "no profile chosen (end of input)");
            return NULL;
        }
        line[strcspn(line, "\r\n")] = '\0';
        const char *name = answer_profile(c, line);
        if (name)
            return name;
        fprintf(out, "No profile '%s': give its number (1-%zu) or name.\n", line, c->n_profiles);
    }
    snprintf(err, errlen, "no profile chosen");
    return NULL;
}
