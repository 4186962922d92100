/* SPDX-License-Identifier: MIT */
/* registry: the demo server's shared state object with its clock, waits, ids, status and log
 * helpers, message queues, housekeeping and shutdown. */
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

/* ---------------------------------------------------------------- utilities */

/* Milliseconds on the monotonic clock. */
int64_t demo_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait on the registry condition for up to ms (lock held). */
void demo_cond_wait_ms(struct demo_registry *r, int ms)
{
    dh_cond_wait_until(&r->cond, &r->lock, dh_now_ms() + ms);
}

/* Ask the stop hook without holding the lock; 1 if it fired. */
int demo_stop_fired(struct demo_registry *r, demo_stop_fn stop, void *ctx)
{
    if (!stop)
        return 0;
    pthread_mutex_unlock(&r->lock);
    int s = stop(ctx);
    pthread_mutex_lock(&r->lock);
    return s;
}

/* Grow an array of elements of size sz so it holds at least need. 0 or -1. */
int demo_grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

/* Fill out with n random bytes from /dev/urandom, or a per-process sequence without it. */
static void random_bytes(struct demo_registry *r, uint8_t *out, size_t n)
{
    size_t got = 0;
    while (r->urandom >= 0 && got < n) {
        ssize_t k = read(r->urandom, out + got, n - got);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)k;
    }
    /* No /dev/urandom: still unique per process (not secret; a test peer). */
    for (; got < n; got++) {
        r->counter = r->counter * 6364136223846793005UL + 1442695040888963407UL +
                     (unsigned long)demo_now_ms();
        out[got] = (uint8_t)(r->counter >> 33);
    }
}

/* A random (version 4) UUID in lower case, as UuidCreator.toString prints it. */
void demo_make_uuid(struct demo_registry *r, char out[DEMO_UUID_LEN + 1])
{
    uint8_t b[16];
    random_bytes(r, b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, DEMO_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* ---------------------------------------------------------------- status and log */

void demo_status_set(struct demo_status *st, int code, const char *fmt, ...)
{
    if (!st)
        return;
    st->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
}

void demo_log(struct demo_registry *r, const char *fmt, ...)
{
    if (r && r->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dhtui-demo-server: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void demo_status_obfuscated(struct demo_registry *r, struct demo_status *st, const char *why)
{
    char id[DEMO_UUID_LEN + 1];
    pthread_mutex_lock(&r->lock);
    demo_make_uuid(r, id);
    pthread_mutex_unlock(&r->lock);
    demo_log(r, "Internal Error '%s' %s", id, why);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Details Logged w/ID '%s'", id);
}

/* The same, with the lock already held. */
void demo_obfuscated_locked(struct demo_registry *r, struct demo_status *st, const char *why)
{
    char id[DEMO_UUID_LEN + 1];
    demo_make_uuid(r, id);
    demo_log(r, "Internal Error '%s' %s", id, why);
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Details Logged w/ID '%s'", id);
}

/* ---------------------------------------------------------------- message queues */

/* Append a copy of data to the queue; 0 or -1 (out of memory). */
int demo_queue_push(struct demo_msg_queue *q, const uint8_t *data, size_t len)
{
    struct demo_msg_node *n = malloc(sizeof *n + len);
    if (!n)
        return -1;
    n->next = NULL;
    n->len = len;
    memcpy(n->data, data, len);
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    return 0;
}

/* Pop the head into a malloc'd copy; 1 if there was one. */
int demo_queue_pop(struct demo_msg_queue *q, uint8_t **data, size_t *len)
{
    struct demo_msg_node *n = q->head;
    if (!n)
        return 0;
    q->head = n->next;
    if (!q->head)
        q->tail = NULL;
    uint8_t *p = malloc(n->len ? n->len : 1);
    if (!p) {
        free(n);
        return 0;
    }
    memcpy(p, n->data, n->len);
    *data = p;
    *len = n->len;
    free(n);
    return 1;
}

/* Free every queued message. */
void demo_queue_clear(struct demo_msg_queue *q)
{
    while (q->head) {
        struct demo_msg_node *n = q->head;
        q->head = n->next;
        free(n);
    }
    q->tail = NULL;
}

/* Wait for the next message of a subscriber's or listener's queue: 1 with it, 0 when
 * the session or (*ended, may be NULL) the listener is over, -1 when stop fired. Lock
 * held. */
int demo_queue_wait_locked(struct demo_registry *r, struct demo_msg_queue *q,
                           struct demo_session *s, const int *ended, demo_stop_fn stop, void *ctx,
                           uint8_t **data, size_t *len)
{
    for (;;) {
        if (demo_queue_pop(q, data, len))
            return 1;
        if ((ended && *ended) || !demo_session_check_locked(r, s))
            return 0;
        demo_cond_wait_ms(r, 50);
        if (!q->head && !(ended && *ended) && demo_stop_fired(r, stop, ctx))
            return -1;
    }
}

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
