/* SPDX-License-Identifier: MIT */
/* random_cells.h: the cells of the random tables that test_sortfilter and
 * test_statseek sort, filter, seek and describe, each made from one random
 * word, so every test draws its own sequence and the two share what a "hard"
 * double, long and boolean column holds. */
#ifndef DH_TEST_RANDOM_CELLS_H
#define DH_TEST_RANDOM_CELLS_H

#include <math.h>
#include <stdint.h>

/* xorshift64: the next word of *state (never 0). */
static inline uint64_t rc_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* The few values that repeat many times (ties, -0.0 and 0.0). */
static const double rc_few[8] = {-2.5, -1, -0.0, 0.0, 0.5, 1, 2.5, 180};

/* A double with nulls, NaN, +-Infinity, ties and scattered values. */
static inline void rc_double(uint64_t x, double *d, uint8_t *null)
{
    switch (x % 20) {
    case 0: *null = 1; break;
    case 1: *d = NAN; break;
    case 2: *d = (x >> 8) & 1 ? INFINITY : -INFINITY; break;
    case 3:
    case 4: *d = (double)((int64_t)((x >> 8) % 2000001) - 1000000) / 64.0; break;
    default: *d = rc_few[(x >> 8) % 8]; break;
    }
}

/* A long with nulls, ties and the extremes. */
static inline void rc_long(uint64_t y, int64_t *v, uint8_t *null)
{
    *null = y % 17 == 0;
    *v = y % 101 == 0 ? INT64_MAX : y % 103 == 0 ? INT64_MIN + 1 : (int64_t)((y >> 8) % 9) - 4;
}

/* A boolean (0 or 1) with nulls. */
static inline void rc_bool(uint64_t y, int64_t *v, uint8_t *null)
{
    *null = y % 13 == 0;
    *v = (int64_t)((y >> 20) & 1);
}

#endif
