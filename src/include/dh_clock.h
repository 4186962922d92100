/* SPDX-License-Identifier: MIT */
/* dh_clock: monotonic time and timed waits on it. Every timeout in libdh is
 * measured on CLOCK_MONOTONIC, so a wall-clock step (NTP, a suspended laptop
 * resuming) neither fires a wait early nor stretches it. */
#ifndef DH_CLOCK_H
#define DH_CLOCK_H

#include <pthread.h>
#include <stdint.h>

/* Monotonic milliseconds. Any thread. */
int64_t dh_now_ms(void);

/* Initialise cv so that timed waits use CLOCK_MONOTONIC. Returns 0 or an
 * errno value. Destroy with pthread_cond_destroy. Any thread. */
int dh_cond_init_monotonic(pthread_cond_t *cv);

/* Wait on cv (initialised by dh_cond_init_monotonic; mu locked) until woken
 * or until deadline_ms (dh_now_ms time). Returns 0 when woken (spuriously
 * too, as pthread_cond_wait may), ETIMEDOUT once the deadline has passed. */
int dh_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ms);

#endif
