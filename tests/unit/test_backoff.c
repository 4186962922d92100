/* SPDX-License-Identifier: MIT */
/* test_backoff.c: back-off schedules (doubling, the cap, jitter bounds and
 * spread, reset on success, due times). */
#include <stdint.h>

#include "check.h"
#include "dh_backoff.h"

/* Without jitter the schedule is exact: 250, 500, 1000, ... up to the cap. */
static void test_doubling_to_cap(void)
{
    struct dh_backoff b;
    dh_backoff_init(&b, 250, 10000, 0, 1);
    const int64_t want[] = {250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_INT(dh_backoff_fail(&b, 0), want[i]);
    for (int i = 0; i < 2000; i++) /* many failures never overflow or pass the cap */
        CHECK_REQ(dh_backoff_fail(&b, 0) == 10000);
}

/* Every delay lies in [base * (1 - jitter), base], and the draws vary. */
static void test_jitter_bounds(void)
{
    struct dh_backoff b;
    dh_backoff_init(&b, 100, 6400, 50, 42);
    int64_t base = 100;
    for (int k = 0; k < 12; k++) {
        int64_t d = dh_backoff_fail(&b, 1000);
        CHECK(d >= base / 2 && d <= base);
        CHECK_INT(b.due_ms, 1000 + d);
        if (base < 6400)
            base *= 2;
    }
    /* At the cap, 200 draws spread over the jitter range. */
    int64_t lo = 1 << 30, hi = 0;
    for (int i = 0; i < 200; i++) {
        int64_t d = dh_backoff_fail(&b, 0);
        CHECK_REQ(d >= 3200 && d <= 6400);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    CHECK(lo < 3800 && hi > 5800);
}

/* Two clients with different seeds do not retry in lockstep. */
static void test_seeds_differ(void)
{
    struct dh_backoff a, b;
    dh_backoff_init(&a, 1000, 1000, 50, 1);
    dh_backoff_init(&b, 1000, 1000, 50, 2);
    int same = 0;
    for (int i = 0; i < 50; i++)
        same += dh_backoff_fail(&a, 0) == dh_backoff_fail(&b, 0);
    CHECK(same < 10);
}

/* A success starts the schedule again; due times follow the clock. */
static void test_reset_and_due(void)
{
    struct dh_backoff b;
    dh_backoff_init(&b, 200, 1000, 0, 7);
    CHECK_INT(dh_backoff_wait_ms(&b, 5), 0); /* nothing failed: due now */
    dh_backoff_fail(&b, 100);
    dh_backoff_fail(&b, 100);
    CHECK_INT(b.failures, 2);
    CHECK_INT(dh_backoff_wait_ms(&b, 100), 400);
    CHECK_INT(dh_backoff_wait_ms(&b, 450), 50);
    CHECK_INT(dh_backoff_wait_ms(&b, 500), 0);
    dh_backoff_reset(&b);
    CHECK_INT(b.failures, 0);
    CHECK_INT(dh_backoff_wait_ms(&b, 0), 0);
    CHECK_INT(dh_backoff_fail(&b, 0), 200);
}

/* Bad parameters are made sane rather than dividing by zero or spinning. */
static void test_sane_parameters(void)
{
    struct dh_backoff b;
    dh_backoff_init(&b, 0, -5, 250, 0);
    CHECK_INT(b.min_ms, 1);
    CHECK_INT(b.max_ms, 1);
    CHECK_INT(b.jitter_pct, 100);
    CHECK(b.rng != 0);
    for (int i = 0; i < 10; i++)
        CHECK(dh_backoff_fail(&b, 0) >= 1);
}

int main(void)
{
    CHECK_RUN(T(test_doubling_to_cap), T(test_jitter_bounds), T(test_seeds_differ),
              T(test_reset_and_due), T(test_sane_parameters));
}
