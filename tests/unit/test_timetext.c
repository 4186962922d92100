/* SPDX-License-Identifier: MIT */
/* test_timetext.c: ISO 8601 text of instants, dates and times (src/util/timetext.c):
 * units, signs, expanded years, and local zones across daylight-saving changes,
 * where the 15-minute offset cache must agree with the C library second by
 * second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dh_arrow.h"
#include "dh_timetext.h"

static char buf[DH_TIMETEXT_MAX];

static const char *ts(int64_t v, int unit, int local, struct dh_zone_cache *c)
{
    dh_timestamp_text(v, unit, local, c, buf);
    return buf;
}

/* UTC text per unit, before 1970, and beyond the four-digit years. */
static void test_utc(void)
{
    CHECK_STR(ts(1704205800123456789LL, DH_UNIT_NANO, 0, NULL), "2024-01-02T14:30:00.123456789Z");
    CHECK_STR(ts(-1, DH_UNIT_NANO, 0, NULL), "1969-12-31T23:59:59.999999999Z");
    CHECK_STR(ts(INT64_MIN, DH_UNIT_NANO, 0, NULL), "1677-09-21T00:12:43.145224192Z");
    CHECK_STR(ts(INT64_MAX, DH_UNIT_NANO, 0, NULL), "2262-04-11T23:47:16.854775807Z");
    CHECK_STR(ts(1500, DH_UNIT_MILLI, 0, NULL), "1970-01-01T00:00:01.500Z");
    CHECK_STR(ts(-62135596800LL - 86400, DH_UNIT_SECOND, 0, NULL), "0000-12-31T00:00:00Z");
    CHECK_STR(ts(253402300800LL, DH_UNIT_SECOND, 0, NULL), "+10000-01-01T00:00:00Z");
    CHECK_STR(ts(-62167219200LL - 86400, DH_UNIT_SECOND, 0, NULL), "-0001-12-31T00:00:00Z");
    dh_date_text(19724, buf);
    CHECK_STR(buf, "2024-01-02");
    dh_date_text(-719529, buf);
    CHECK_STR(buf, "-0001-12-31");
    dh_time_of_day_text(52200123456789LL, DH_UNIT_NANO, buf);
    CHECK_STR(buf, "14:30:00.123456789");
    CHECK_INT(dh_time_of_day_text(86400LL * 1000, DH_UNIT_MILLI, buf), 0);
}

/* Paris: +01:00 in winter, +02:00 in summer, +00:09:21 before 1911. */
static void test_zone(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    CHECK_STR(ts(1704205800000000000LL, DH_UNIT_NANO, 1, NULL),
              "2024-01-02T15:30:00.000000000+01:00");
    CHECK_STR(ts(1719840600, DH_UNIT_SECOND, 1, NULL), "2024-07-01T15:30:00+02:00");
    CHECK_STR(ts(-2208988800LL, DH_UNIT_SECOND, 1, NULL), "1900-01-01T00:09:21+00:09:21");
    setenv("TZ", "UTC0", 1);
    tzset();
    CHECK_STR(ts(0, DH_UNIT_SECOND, 1, NULL), "1970-01-01T00:00:00+00:00");
}

/* The cache gives what the C library gives, every second around transitions
 * (and every 7 minutes over two years). */
static void test_cache_agrees(void)
{
    static const char *const zones[] = {"Europe/Paris", "America/New_York", "Australia/Lord_Howe",
                                        "Asia/Kolkata"};
    for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
        setenv("TZ", zones[z], 1);
        tzset();
        struct dh_zone_cache c;
        dh_zone_cache_init(&c);
        int mismatches = 0;
        int64_t from = 1704067200; /* 2024-01-01 */
        for (int64_t s = from; s < from + 2 * 366 * 86400; s += 419) {
            int ok1, ok2;
            if (dh_local_offset(s, &c, &ok1) != dh_local_offset(s, NULL, &ok2) || ok1 != ok2)
                mismatches++;
        }
        /* second by second across Paris's 2024 spring change (31 March 01:00 UTC) */
        for (int64_t s = 1711846800 - 3600; s < 1711846800 + 3600; s++) {
            int ok1, ok2;
            if (dh_local_offset(s, &c, &ok1) != dh_local_offset(s, NULL, &ok2) || ok1 != ok2)
                mismatches++;
        }
        CHECK_INT(mismatches, 0);
    }
    setenv("TZ", "UTC0", 1);
    tzset();
}

/* An instant in UTC from the C library (gmtime_r and snprintf): the
 * independent reference for years 0 to 9999. */
static const char *reference_utc(int64_t v, int unit)
{
    static const int64_t per[] = {1, 1000, 1000000, 1000000000};
    static const int digits[] = {0, 3, 6, 9};
    static char ref[DH_TIMETEXT_MAX];
    int64_t s = dh_floor_div(v, per[unit]), f = dh_floor_mod(v, per[unit]);
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    int n = snprintf(ref, sizeof ref, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (digits[unit])
        n += snprintf(ref + n, sizeof ref - (size_t)n, ".%0*lld", digits[unit], (long long)f);
    snprintf(ref + n, sizeof ref - (size_t)n, "Z");
    return ref;
}

/* The second remembered in the cache (dh_timestamp_text reuses a second's
 * text) never leaks into another second, unit, zone setting or day: runs of
 * instants in one second, steps across seconds, days, leap days, 1970 and
 * the ends of the four-digit years, against the C library, with and without
 * a cache. */
static void test_second_cache(void)
{
    static const int64_t secs[] = {
        0,
        -1,
        1,
        59,
        60,
        86399,
        86400,
        -86400,
        -86401,
        951782400,      /* 2000-02-29 */
        1709164800,     /* 2024-02-29 */
        1709251199,     /* 2024-02-29T23:59:59 */
        -2203891200,    /* 1900-03-01 */
        -62135596800LL, /* 0001-01-01 */
        -62167219200LL, /* 0000-01-01 */
        253402300799LL, /* 9999-12-31T23:59:59 */
        1704205800,
    };
    static const int64_t fracs[] = {0, 1, 999999999, 500000000, 123456789, 999999, 1000};
    struct dh_zone_cache c;
    dh_zone_cache_init(&c);
    int bad = 0, n = 0;
    for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) {
        for (int unit = DH_UNIT_SECOND; unit <= DH_UNIT_NANO; unit++) {
            static const int64_t per[] = {1, 1000, 1000000, 1000000000};
            for (size_t j = 0; j < sizeof fracs / sizeof *fracs; j++) {
                int64_t v;
                if (__builtin_mul_overflow(secs[i], per[unit], &v))
                    continue; /* beyond this unit's range */
                v += fracs[j] % per[unit];
                char with[DH_TIMETEXT_MAX];
                dh_timestamp_text(v, unit, 0, &c, with);
                const char *plain = ts(v, unit, 0, NULL);
                bad += strcmp(with, plain) != 0 || strcmp(with, reference_utc(v, unit)) != 0;
                n++;
            }
        }
    }
    /* a sorted run of random instants, several per second, as a table holds */
    uint64_t x = 0x2545F4914F6CDD1DULL;
    int64_t v = -3000000000LL * 1000000000;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v += (int64_t)(x % 400000000) * (i % 1000 == 0 ? 100000 : 1);
        char with[DH_TIMETEXT_MAX];
        dh_timestamp_text(v, DH_UNIT_NANO, 0, &c, with);
        if (i % 7 == 0) /* another unit in between: the same second, other text */
            dh_timestamp_text(v / 1000000, DH_UNIT_MILLI, 0, &c, buf);
        bad += strcmp(with, reference_utc(v, DH_UNIT_NANO)) != 0;
        n++;
    }
    CHECK_INT(bad, 0);
    CHECK(n > 200000);
    /* the zone setting is part of what is remembered */
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    CHECK_STR(ts(1704205800000000000LL, DH_UNIT_NANO, 0, &c), "2024-01-02T14:30:00.000000000Z");
    CHECK_STR(ts(1704205800000000001LL, DH_UNIT_NANO, 1, &c),
              "2024-01-02T15:30:00.000000001+01:00");
    CHECK_STR(ts(1704205800000000002LL, DH_UNIT_NANO, 0, &c), "2024-01-02T14:30:00.000000002Z");
    CHECK_STR(ts(INT64_MIN, DH_UNIT_NANO, 0, &c), "1677-09-21T00:12:43.145224192Z");
    CHECK_STR(ts(INT64_MIN, DH_UNIT_SECOND, 0, &c), "-292277022657-01-27T08:29:52Z");
    CHECK_STR(ts(INT64_MAX, DH_UNIT_SECOND, 0, &c), "+292277026596-12-04T15:30:07Z");
    CHECK_STR(ts(INT64_MAX, DH_UNIT_MICRO, 0, &c), "+294247-01-10T04:00:54.775807Z");
    setenv("TZ", "UTC0", 1);
    tzset();
}

int main(void)
{
    static const struct check_test tests[] = {
        {"test_utc", test_utc},
        {"test_zone", test_zone},
        {"test_cache_agrees", test_cache_agrees},
        {"test_second_cache", test_second_cache},
    };
    return check_main(tests, sizeof tests / sizeof *tests);
}
