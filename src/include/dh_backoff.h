/* SPDX-License-Identifier: MIT */
/* dh_backoff: when to try again after a failure. Capped exponential back-off
 * with jitter: after the k-th failure in a row the next attempt is due after a
 * delay drawn from [base * (100 - jitter_pct) / 100, base], where base =
 * min_ms * 2^(k-1), at most max_ms. A success resets it. Pure: the caller
 * passes the clock and seeds the random source, so schedules are testable and
 * every retry loop (rows, subscriptions, probes, reconnects) can share it. No
 * threads, no globals; the caller serialises access. */
#ifndef DH_BACKOFF_H
#define DH_BACKOFF_H

#include <stdint.h>

struct dh_backoff {
    int64_t min_ms, max_ms; /* first delay and cap */
    int jitter_pct;         /* 0..100: how much of each delay is random */
    unsigned failures;      /* failures in a row since the last success */
    int64_t due_ms;         /* when the next attempt may start (caller's clock); 0: now */
    int64_t last_delay_ms;  /* the delay drawn at the last failure */
    uint64_t rng;           /* xorshift64 state, never 0 */
};

/* Set up a back-off (no failures yet). min_ms >= 1, max_ms >= min_ms are
 * enforced; jitter_pct is clamped to 0..100; seed 0 picks a fixed non-zero one. */
void dh_backoff_init(struct dh_backoff *b, int64_t min_ms, int64_t max_ms, int jitter_pct,
                     uint64_t seed);
/* Record a failure at now_ms: returns the delay drawn and sets due_ms. */
int64_t dh_backoff_fail(struct dh_backoff *b, int64_t now_ms);
/* Record a success: the next failure starts again from min_ms. */
void dh_backoff_reset(struct dh_backoff *b);
/* How long from now_ms until the next attempt is due; 0 when due. */
int64_t dh_backoff_wait_ms(const struct dh_backoff *b, int64_t now_ms);

#endif
