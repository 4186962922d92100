/* SPDX-License-Identifier: MIT */
/* tz: the --tz option. Instants are shown in UTC unless --tz names another
 * zone; libdh then shows them in the C library's local zone (dh_timetext.h),
 * so --tz sets TZ once, at start, before any thread exists. */
#ifndef DHTUI_TZ_H
#define DHTUI_TZ_H

#include <stddef.h>

/* Apply --tz ZONE: "UTC" (or "Z") gives 0, instants in UTC; "local" gives 1,
 * the system's zone (TZ as inherited); an IANA name ("Europe/Paris") found
 * in the zoneinfo database ($TZDIR, else /usr/share/zoneinfo) sets TZ to it
 * and gives 1. An unknown zone gives -1 and a sentence in why[0..n). Call
 * before any other thread starts (setenv is not thread-safe). */
int tz_select(const char *zone, char *why, size_t n);

#endif
