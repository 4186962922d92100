/* SPDX-License-Identifier: MIT */
/* test_timetext.c: ISO 8601 text of instants, dates and times (src/timetext.c):
 * units, signs, expanded years, and local zones across daylight-saving changes,
 * where the 15-minute offset cache must agree with the C library second by
 * second. */
#include <stdlib.h>
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

int main(void)
{
    static const struct check_test tests[] = {
        {"test_utc", test_utc},
        {"test_zone", test_zone},
        {"test_cache_agrees", test_cache_agrees},
    };
    return check_main(tests, sizeof tests / sizeof *tests);
}
