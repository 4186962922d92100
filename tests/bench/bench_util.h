/* SPDX-License-Identifier: MIT */
/* bench_util.h: a CPU clock and a seeded generator for the number-text
 * benchmarks (bench_numtext, soak_numtext). CPU time of this process, not
 * wall time: the figures stay meaningful on a loaded machine. */
#ifndef DH_BENCH_UTIL_H
#define DH_BENCH_UTIL_H

#include <stdint.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* splitmix64 over *state: every 64-bit pattern equally likely. */
static uint64_t bench_rng(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

#endif
