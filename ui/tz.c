/* SPDX-License-Identifier: MIT */
/* tz.c: the --tz option (see tz.h). */
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* 1 if name can be a zoneinfo path: letters, digits and "/_+-." with no
 * empty, "." or ".." component. */
static int tz_name_ok(const char *name)
{
    if (!name[0] || name[0] == '/' || strlen(name) > 200)
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok)
            return 0;
        if ((p == name || p[-1] == '/') && (c == '/' || c == '.'))
            return 0; /* empty component, or one starting with '.' ("..") */
    }
    return name[strlen(name) - 1] != '/';
}

/* 1 if dir/name is a compiled zone file (it starts with "TZif"). */
static int tz_file_ok(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    int ok = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    if (f)
        fclose(f);
    return ok;
}

int tz_select(const char *zone, char *why, size_t n)
{
    if (strcasecmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0)
        return 0;
    if (strcmp(zone, "local") == 0) {
        tzset();
        return 1;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !dir[0])
        dir = "/usr/share/zoneinfo";
    if (!tz_name_ok(zone) || !tz_file_ok(dir, zone)) {
        snprintf(why, n,
                 "--tz expects UTC, local or a time zone name such as Europe/Paris "
                 "(from %s) but found '%.60s'",
                 dir, zone);
        return -1;
    }
    setenv("TZ", zone, 1);
    tzset();
    return 1;
}
