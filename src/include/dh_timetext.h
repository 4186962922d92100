/* SPDX-License-Identifier: MIT */
/* dh_timetext: ISO 8601 text of instants, dates and times of day, fast (no
 * stdio), in UTC or in the local zone with its offset. The local zone is the
 * C library's (localtime_r, so TZ as the program set it before starting any
 * thread: libdh never sets TZ itself). Pure otherwise; no allocation. */
#ifndef DH_TIMETEXT_H
#define DH_TIMETEXT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text any function here writes, NUL included. */
#define DH_TIMETEXT_MAX 64

/* What consecutive instants share, remembered: the local offset per
 * 15-minute slot of UTC (a slot is remembered only when its first and last
 * second have the same offset; zones change their offset at most once in 15
 * minutes, so a remembered slot is exact), the text of the last day written,
 * and the text of the last second written ("2024-01-02T03:04:05" and its
 * zone suffix: a second's text depends on nothing else). Zero-initialise it
 * or use dh_zone_cache_init. One per thread. */
struct dh_zone_cache {
    int64_t slot;
    int64_t offset;
    int valid;
    int64_t day;
    char day_text[24];
    size_t day_len;     /* 0: no day remembered */
    int64_t sec;        /* seconds since the epoch (UTC) of sec_text */
    int sec_local;      /* sec_text is in the local zone */
    char sec_text[48];  /* date, 'T', clock to the second */
    size_t sec_len;     /* 0: no second remembered */
    char zone_text[16]; /* "Z" or the offset, "+01:00" */
    size_t zone_len;
};
void dh_zone_cache_init(struct dh_zone_cache *c);

/* The local zone's offset from UTC in seconds at instant secs (seconds since
 * the epoch); *ok = 0 (and 0 returned) when the C library cannot say.
 * cache may be NULL. Any thread. */
int64_t dh_local_offset(int64_t secs, struct dh_zone_cache *cache, int *ok);

/* An instant v (in unit: enum dh_time_unit, seconds to nanoseconds, since
 * the epoch) as "2024-01-02T03:04:05.123456789Z" (fraction digits per unit),
 * or with local set, in the local zone with its offset:
 * "2024-01-02T04:04:05.123+01:00" ("+00:00" at offset zero, seconds added
 * when the offset has some, "Z" when the offset is unknown). Years outside
 * 0..9999 get a sign, as ISO 8601's expanded form. out holds at least
 * DH_TIMETEXT_MAX bytes; NUL-terminated; returns the length. Any thread. */
size_t dh_timestamp_text(int64_t v, int unit, int local, struct dh_zone_cache *cache, char *out);

/* A date, days since 1970-01-01: "2024-01-02" (signed years as above). */
size_t dh_date_text(int64_t days, char *out);

/* A time of day v (in unit since midnight): "03:04:05.123"; 0 (nothing
 * written but the NUL) when v is not within one day. */
size_t dh_time_of_day_text(int64_t v, int unit, char *out);

/* Floor division and its remainder (0 <= r < b) for a positive divisor b;
 * the remainder never overflows, even near INT64_MIN. */
int64_t dh_floor_div(int64_t a, int64_t b);
int64_t dh_floor_mod(int64_t a, int64_t b);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t dh_days_from_civil(int64_t y, unsigned m, unsigned d);
void dh_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
