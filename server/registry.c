/* SPDX-License-Identifier: MIT */
/* registry: the demo server's shared state object: its lifecycle, housekeeping, shutdown and
 * statistics, over sessions.c, exports.c, tickets.c and fields.c (their shared helpers are
 * in registry_base.c). */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/status.h>

#include "dh_clock.h"
#include "registry_internal.h"

/* ---------------------------------------------------------------- registry */

struct demo_registry *demo_registry_new(const struct demo_registry_options *opt)
{
    struct demo_registry *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    dh_cond_init_monotonic(&r->cond);
    r->duration_ms = opt->duration_ms;
    r->cat = opt->cat;
    r->quiet = opt->quiet;
    r->urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    r->counter = (unsigned long)demo_now_ms() ^ (unsigned long)getpid();
    if (opt->psk) {
        r->psk = strdup(opt->psk);
        if (!r->psk) {
            demo_registry_free(r);
            return NULL;
        }
    }
    if (demo_fields_init(r) != 0) {
        demo_registry_free(r);
        return NULL;
    }
    return r;
}

void demo_registry_free(struct demo_registry *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    demo_sessions_free_locked(r);
    demo_exports_free_locked(r);
    demo_fields_free_locked(r);
    pthread_mutex_unlock(&r->lock);
    free(r->psk);
    if (r->urandom >= 0)
        close(r->urandom);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int demo_registry_tick(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int64_t now = demo_now_ms();
    int64_t next = now + 1000;
    demo_sessions_tick_locked(r, now, &next);
    demo_fields_tick_locked(r, now, &next);
    pthread_mutex_unlock(&r->lock);
    int64_t wait = next - now;
    return wait < 1 ? 1 : (int)wait;
}

void demo_registry_wait(struct demo_registry *r, int ms)
{
    pthread_mutex_lock(&r->lock);
    if (!r->shutting_down)
        demo_cond_wait_ms(r, ms);
    pthread_mutex_unlock(&r->lock);
}

void demo_registry_begin_shutdown(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    r->shutting_down = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

int demo_registry_shutting_down(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int s = r->shutting_down;
    pthread_mutex_unlock(&r->lock);
    return s;
}

void demo_registry_stats(struct demo_registry *r, size_t *sessions, size_t *exports, size_t *shared)
{
    pthread_mutex_lock(&r->lock);
    size_t ns = 0, ne = 0, nsh = 0;
    int64_t now = demo_now_ms();
    for (struct demo_session *s = r->sessions; s; s = s->next) {
        if (s->expired || s->token_deadline <= now)
            continue;
        ns++;
        for (size_t i = 0; i < s->n_exports; i++)
            ne += !demo_export_state_terminal(s->exports[i]->state);
    }
    for (size_t i = 0; i < r->n_shared; i++) {
        const struct demo_export *e = r->shared[i].exp;
        nsh += e->state == DEMO_ES_EXPORTED && e->session && !e->session->expired &&
               e->session->token_deadline > now;
    }
    pthread_mutex_unlock(&r->lock);
    *sessions = ns;
    *exports = ne;
    *shared = nsh;
}

int demo_registry_termination_waiters(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    int n = r->term_waiters;
    pthread_mutex_unlock(&r->lock);
    return n;
}

int demo_wait_termination(struct demo_registry *r, struct demo_session *s, demo_stop_fn stop,
                          void *ctx)
{
    pthread_mutex_lock(&r->lock);
    r->term_waiters++;
    int rc;
    for (;;) {
        if (r->shutting_down) {
            rc = 1;
            break;
        }
        if (!demo_session_check_locked(r, s)) {
            rc = 0;
            break;
        }
        demo_cond_wait_ms(r, 50);
        if (!r->shutting_down && demo_stop_fired(r, stop, ctx)) {
            rc = -1;
            break;
        }
    }
    r->term_waiters--;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return rc;
}
