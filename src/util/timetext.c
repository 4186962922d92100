/* SPDX-License-Identifier: MIT */
/* timetext.c: ISO 8601 text of instants, dates and times of day (see
 * dh_timetext.h). Digits are written by hand: this runs per cell of exports. */
#include "dh_timetext.h"

#include <string.h>
#include <time.h>

#include "dh_numtext.h"

#define ZONE_SLOT_SECONDS 900

/* dh_timestamp_text copies 32 bytes of a second's text (28 at most) and all
 * of the zone's after at most 10 of fraction. */
_Static_assert(sizeof((struct dh_zone_cache *)0)->sec_text >= 32, "second text copy");
_Static_assert(28 + 10 + sizeof((struct dh_zone_cache *)0)->zone_text < DH_TIMETEXT_MAX,
               "timestamp text fits");

int64_t dh_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

int64_t dh_floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

void dh_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t dh_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Two digits of v (0..99). */
static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* Units per second and fraction digits of a time unit (nanoseconds if unknown). */
static int64_t unit_per_second(int unit, int *digits)
{
    static const int64_t per[] = {1, 1000, 1000000, 1000000000};
    static const int dig[] = {0, 3, 6, 9};
    if (unit < 0 || unit > 3)
        unit = 3;
    *digits = dig[unit];
    return per[unit];
}

/* Write "YYYY-MM-DD" at out; returns the length. */
static size_t put_date(int64_t days, char *out)
{
    int64_t y;
    unsigned m, d;
    dh_civil_from_days(days, &y, &m, &d);
    size_t n = 0;
    if (y >= 0 && y <= 9999) {
        two(out, (unsigned)(y / 100));
        two(out + 2, (unsigned)(y % 100));
        n = 4;
    } else {
        out[n++] = y < 0 ? '-' : '+';
        uint64_t a = y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y;
        char digits[DH_NUMTEXT_MAX];
        size_t nd = dh_u64_text(a, digits);
        for (; nd < 4; nd++) /* at least four digits */
            out[n++] = '0';
        n += dh_u64_text(a, out + n);
    }
    out[n++] = '-';
    two(out + n, m);
    out[n + 2] = '-';
    two(out + n + 3, d);
    return n + 5;
}

/* Write "HH:MM:SS". */
static void put_hms(int64_t sod, char *out)
{
    two(out, (unsigned)(sod / 3600));
    out[2] = ':';
    two(out + 3, (unsigned)(sod / 60 % 60));
    out[5] = ':';
    two(out + 6, (unsigned)(sod % 60));
}

/* Write "HH:MM:SS" and, for digits > 0, "." and the fraction. */
static size_t put_clock(int64_t sod, int64_t frac, int digits, char *out)
{
    put_hms(sod, out);
    if (digits <= 0)
        return 8;
    out[8] = '.';
    dh_digits_fixed((uint64_t)frac, (size_t)digits, out + 9);
    return 9 + (size_t)digits;
}

/* The offset of the local zone at secs, straight from the C library. */
static int64_t offset_now(int64_t secs, int *ok)
{
    time_t t = (time_t)secs;
    struct tm tm;
    *ok = 0;
    if ((int64_t)t != secs || !localtime_r(&t, &tm))
        return 0;
    int64_t local = dh_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                       (unsigned)tm.tm_mday) *
                        86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    *ok = 1;
    return local - secs;
}

void dh_zone_cache_init(struct dh_zone_cache *c)
{
    memset(c, 0, sizeof *c);
}

int64_t dh_local_offset(int64_t secs, struct dh_zone_cache *cache, int *ok)
{
    if (!cache)
        return offset_now(secs, ok);
    int64_t slot = dh_floor_div(secs, ZONE_SLOT_SECONDS);
    if (cache->valid && cache->slot == slot) {
        *ok = 1;
        return cache->offset;
    }
    int ok_first = 0, ok_last = 0;
    int64_t start = slot * ZONE_SLOT_SECONDS;
    int64_t first = offset_now(start, &ok_first);
    int64_t last = offset_now(start + ZONE_SLOT_SECONDS - 1, &ok_last);
    if (ok_first && ok_last && first == last) {
        cache->slot = slot;
        cache->offset = first;
        cache->valid = 1;
        *ok = 1;
        return first;
    }
    return offset_now(secs, ok); /* a transition inside this slot */
}

/* Write "+HH:MM" (and ":SS" when there are seconds). */
static size_t put_offset(int64_t offset, char *out)
{
    int64_t a = offset < 0 ? -offset : offset;
    out[0] = offset < 0 ? '-' : '+';
    two(out + 1, (unsigned)(a / 3600 % 100));
    out[3] = ':';
    two(out + 4, (unsigned)(a / 60 % 60));
    if (a % 60 == 0)
        return 6;
    out[6] = ':';
    two(out + 7, (unsigned)(a % 60));
    return 9;
}

/* Split v (in unit) into whole seconds (floor) and the fraction (0 <= frac
 * < units per second); *digits gets the fraction's digits. The division is
 * by a constant per unit (a multiplication): this runs per exported cell. */
static int64_t split_seconds(int64_t v, int unit, int64_t *frac, int *digits)
{
    int64_t q, r;
    switch (unit) {
    case 0:
        *frac = 0;
        *digits = 0;
        return v;
    case 1:
        q = v / 1000;
        r = v % 1000;
        *digits = 3;
        if (r < 0) {
            q--;
            r += 1000;
        }
        break;
    case 2:
        q = v / 1000000;
        r = v % 1000000;
        *digits = 6;
        if (r < 0) {
            q--;
            r += 1000000;
        }
        break;
    default:
        q = v / 1000000000;
        r = v % 1000000000;
        *digits = 9;
        if (r < 0) {
            q--;
            r += 1000000000;
        }
        break;
    }
    *frac = r;
    return q;
}

/* The text of second secs (UTC, or the local zone with local): date, 'T'
 * and clock into c->sec_text, the zone suffix into c->zone_text. */
static void second_text(int64_t secs, int local, struct dh_zone_cache *c)
{
    int ok = 0;
    int64_t offset = 0;
    if (local && secs > INT64_MIN + 86400 && secs < INT64_MAX - 86400)
        offset = dh_local_offset(secs, c, &ok);
    int64_t shown = secs + offset;
    int64_t day = dh_floor_div(shown, 86400);
    size_t n;
    if (c->day_len && c->day == day) {
        memcpy(c->sec_text, c->day_text, c->day_len);
        n = c->day_len;
    } else {
        n = put_date(day, c->sec_text);
        if (n < sizeof c->day_text) {
            memcpy(c->day_text, c->sec_text, n);
            c->day_len = n;
            c->day = day;
        }
    }
    c->sec_text[n++] = 'T';
    put_hms(dh_floor_mod(shown, 86400), c->sec_text + n);
    c->sec_len = n + 8;
    c->sec = secs;
    c->sec_local = local;
    if (ok) {
        c->zone_len = put_offset(offset, c->zone_text);
    } else {
        c->zone_text[0] = 'Z';
        c->zone_len = 1;
    }
}

size_t dh_timestamp_text(int64_t v, int unit, int local, struct dh_zone_cache *cache, char *out)
{
    struct dh_zone_cache own;
    if (!cache) {
        dh_zone_cache_init(&own);
        cache = &own;
    }
    int digits;
    int64_t frac;
    int64_t secs = split_seconds(v, unit, &frac, &digits);
    if (!cache->sec_len || cache->sec != secs || cache->sec_local != local)
        second_text(secs, local, cache);
    /* Fixed-size copies (the longest second is 28 bytes; out holds
     * DH_TIMETEXT_MAX): no call per cell. */
    size_t n = cache->sec_len;
    memcpy(out, cache->sec_text, 32);
    if (digits > 0) {
        out[n] = '.';
        dh_digits_fixed((uint64_t)frac, (size_t)digits, out + n + 1);
        n += 1 + (size_t)digits;
    }
    memcpy(out + n, cache->zone_text, sizeof cache->zone_text);
    n += cache->zone_len;
    out[n] = '\0';
    return n;
}

size_t dh_date_text(int64_t days, char *out)
{
    size_t n = put_date(days, out);
    out[n] = '\0';
    return n;
}

size_t dh_time_of_day_text(int64_t v, int unit, char *out)
{
    int digits;
    int64_t per = unit_per_second(unit, &digits);
    out[0] = '\0';
    if (v < 0 || v / per >= 86400)
        return 0;
    size_t n = put_clock(v / per, v % per, digits, out);
    out[n] = '\0';
    return n;
}
