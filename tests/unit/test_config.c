/* SPDX-License-Identifier: MIT */
/* test_config.c: the configuration file (libinih) and what a profile adds
 * to a command line: values, precedence, errors that name the line, no
 * secrets, and the start-up picker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#include "../../ui/config_file.c"
#include "../../ui/keybind.c"
#include "../../ui/keymap.c"
#include "../../ui/profile.c"

static char path[64];

/* Write text to a fresh temporary file named in path. */
static void write_config(const char *text)
{
    snprintf(path, sizeof path, "/tmp/dhtui-test-config-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static const char good[] = "# a comment\n"
                           "[defaults]\n"
                           "probe_interval = 2500\n"
                           "theme = light\n"
                           "tz = Europe/Paris\n"
                           "\n"
                           "[profile prod]\n"
                           "host = dh.example.com\n"
                           "port = 8443\n"
                           "tls = yes\n"
                           "auth = psk\n"
                           "auth_value_command = pass show deephaven\n"
                           "[profile local]\n"
                           "port = 10000\n";

static void test_load_and_apply(void)
{
    write_config(good);
    struct config *c = NULL;
    char err[512] = "";
    CHECK(config_load(path, &c, err, sizeof err) == 0);
    CHECK(c && c->n_profiles == 2);
    CHECK_STR(c->theme, "light");
    const char *seen[OPT_COUNT] = {0};
    seen[OPT_PORT] = "9999"; /* the command line wins */
    CHECK(profile_apply(c, "prod", seen, err, sizeof err) == 0);
    CHECK_STR(seen[OPT_HOST], "dh.example.com");
    CHECK_STR(seen[OPT_PORT], "9999");
    CHECK(seen[OPT_TLS] != NULL);
    CHECK_STR(seen[OPT_AUTH], "psk");
    CHECK_STR(seen[OPT_AUTH_VALUE_COMMAND], "pass show deephaven");
    CHECK_STR(seen[OPT_PROBE_INTERVAL], "2500");
    CHECK_STR(seen[OPT_TZ], "Europe/Paris");
    /* a credential on the command line: the profile's command stays out */
    const char *seen2[OPT_COUNT] = {0};
    seen2[OPT_AUTH_VALUE] = "k";
    CHECK(profile_apply(c, "prod", seen2, err, sizeof err) == 0);
    CHECK(seen2[OPT_AUTH_VALUE_COMMAND] == NULL);
    /* unknown profile: the names there are */
    const char *seen3[OPT_COUNT] = {0};
    CHECK(profile_apply(c, "prd", seen3, err, sizeof err) == -1);
    CHECK(strstr(err, "no profile 'prd'") && strstr(err, "prod, local"));
    config_free(c);
    unlink(path);
}

/* Errors name the file and line; secrets are refused. */
static void expect_error(const char *text, const char *want)
{
    write_config(text);
    struct config *c = (struct config *)1;
    char err[512] = "";
    CHECK(config_load(path, &c, err, sizeof err) == -1);
    CHECK(c == NULL);
    if (!strstr(err, want))
        fprintf(stderr, "  error was: %s (wanted %s)\n", err, want);
    CHECK(strstr(err, want) != NULL);
    CHECK(strstr(err, path) == err);
    unlink(path);
}

static void test_errors(void)
{
    expect_error("[profile p]\nhots = x\n", ":2: unknown key 'hots' in [profile p]");
    expect_error("[profile p]\nport = 0\n", ":2: port must be a number from 1 to 65535");
    expect_error("[profile p]\ntls = maybe\n", ":2: tls must be yes or no");
    expect_error("[profile p]\nauth_value = hunter2\n", ":2: auth_value: dhtui keeps no secret");
    expect_error("[server]\nhost = x\n", ":2: unknown section [server]");
    expect_error("[defaults]\ntheme = pink\n", ":2: theme must be dark, light or mono");
    expect_error("[defaults]\n\nprobe_interval = soon\n", ":3: probe_interval must be");
    expect_error("[defaults\n", ":1:");
    expect_error("[keys]\npager.srot_desc = >\n",
                 ":2: unknown action 'srot_desc' in table pager (");
    expect_error("[keys]\nviewer.open = o\n", ":2: 'viewer.open' is not TABLE.ACTION");
    expect_error("[keys]\n\npager.sort_desc = Hyper\n", ":3: 'Hyper' is not a key");
    expect_error("[keys]\npager.sort_desc =\n", ":2: no key given for pager.sort_desc");
}

/* [keys]: the user's keys reach the key tables (keybind.h). */
static void test_keys_section(void)
{
    write_config("[keys]\npager.sort_desc = > F5\nglobal.quit_now = ^X\n");
    struct config *c = NULL;
    char err[512] = "";
    CHECK_REQ(config_load(path, &c, err, sizeof err) == 0);
    CHECK(c->keys.n == 3);
    CHECK(keybinds_translate(&c->keys, &keymap_pager, '>') == ']');
    CHECK(keybinds_translate(&c->keys, &keymap_pager, UI_KEY_F1 + 4) == ']');
    CHECK(keybinds_translate(&c->keys, &keymap_objects, '>') == '>'); /* that table only */
    CHECK(keybinds_translate(&c->keys, &keymap_global, 'X' - '@') == 'Q');
    config_free(c);
    unlink(path);
}

/* No file is an empty configuration; the default path follows XDG. */
static void test_missing_and_path(void)
{
    struct config *c = NULL;
    char err[256];
    CHECK(config_load("/nonexistent/dhtui/config", &c, err, sizeof err) == 0);
    CHECK(c && c->n_profiles == 0 && c->path == NULL);
    config_free(c);
    char buf[256];
    setenv("XDG_CONFIG_HOME", "/x/y", 1);
    CHECK(config_default_path(buf, sizeof buf) == 0);
    CHECK_STR(buf, "/x/y/dhtui/config");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK(config_default_path(buf, sizeof buf) == 0);
    CHECK_STR(buf, "/home/u/.config/dhtui/config");
}

/* The default profile applies unless a server is named; the picker. */
static void test_choice_and_picker(void)
{
    write_config("[defaults]\nprofile = local\n"
                 "[profile prod]\nhost = h\n"
                 "[profile local]\nport = 10000\n");
    struct config *c = NULL;
    char err[256];
    CHECK(config_load(path, &c, err, sizeof err) == 0);
    const char *seen[OPT_COUNT] = {0};
    CHECK_STR(profile_chosen(c, seen), "local");
    CHECK(!profile_should_pick(c, seen));
    seen[OPT_HOST] = "other";
    CHECK(profile_chosen(c, seen) == NULL);
    seen[OPT_HOST] = NULL;
    seen[OPT_PROFILE] = "prod";
    CHECK_STR(profile_chosen(c, seen), "prod");
    free(c->profile);
    c->profile = NULL;
    const char *none[OPT_COUNT] = {0};
    CHECK(profile_should_pick(c, none));
    char answers[] = "9\nlocal\n";
    FILE *in = fmemopen(answers, strlen(answers), "r");
    char shown[2048] = "";
    FILE *out = fmemopen(shown, sizeof shown - 1, "w");
    CHECK_STR(profile_pick(c, in, out, err, sizeof err), "local");
    fclose(out);
    CHECK(strstr(shown, "1  prod") && strstr(shown, "h:10000") && strstr(shown, "No profile '9'"));
    fclose(in);
    char empty[] = "\n";
    in = fmemopen(empty, 1, "r");
    out = fopen("/dev/null", "w");
    CHECK_STR(profile_pick(c, in, out, err, sizeof err), "prod");
    fclose(in);
    in = fmemopen(empty, 0 + 1, "r");
    fgetc(in);
    CHECK(profile_pick(c, in, out, err, sizeof err) == NULL);
    CHECK(strstr(err, "end of input") != NULL);
    fclose(in);
    fclose(out);
    config_free(c);
    unlink(path);
}

int main(void)
{
    CHECK_RUN(T(test_load_and_apply), T(test_errors), T(test_missing_and_path),
              T(test_choice_and_picker), T(test_keys_section));
}
