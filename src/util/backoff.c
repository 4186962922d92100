/* SPDX-License-Identifier: MIT */
/* backoff.c: capped, jittered exponential back-off (see dh_backoff.h). */
#include "dh_backoff.h"

void dh_backoff_init(struct dh_backoff *b, int64_t min_ms, int64_t max_ms, int jitter_pct,
                     uint64_t seed)
{
    b->min_ms = min_ms < 1 ? 1 : min_ms;
    b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
    b->jitter_pct = jitter_pct < 0 ? 0 : jitter_pct > 100 ? 100 : jitter_pct;
    b->failures = 0;
    b->due_ms = 0;
    b->last_delay_ms = 0;
    b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* xorshift64: cheap, and plenty to spread clients' retries apart. */
static uint64_t next_random(struct dh_backoff *b)
{
    uint64_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->rng = x;
    return x;
}

int64_t dh_backoff_fail(struct dh_backoff *b, int64_t now_ms)
{
    int64_t base = b->min_ms;
    for (unsigned i = 1; i < b->failures + 1 && base < b->max_ms; i++)
        base *= 2; /* doubling stops at the cap, so it cannot overflow */
    if (base > b->max_ms)
        base = b->max_ms;
    if (b->failures < 1000)
        b->failures++;
    int64_t spread = base * b->jitter_pct / 100;
    int64_t delay = base - (spread > 0 ? (int64_t)(next_random(b) % (uint64_t)(spread + 1)) : 0);
    if (delay < 1)
        delay = 1;
    b->last_delay_ms = delay;
    b->due_ms = now_ms + delay;
    return delay;
}

void dh_backoff_reset(struct dh_backoff *b)
{
    b->failures = 0;
    b->due_ms = 0;
    b->last_delay_ms = 0;
}

int64_t dh_backoff_wait_ms(const struct dh_backoff *b, int64_t now_ms)
{
    int64_t w = b->due_ms - now_ms;
    return w > 0 ? w : 0;
}
