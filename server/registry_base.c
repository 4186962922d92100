/* SPDX-License-Identifier: MIT */
/* registry_base: what every registry module shares and nothing more: the monotonic clock,
 * waits on the registry condition, array growth, ids, gRPC statuses and the log, message
 * queues, and export-ticket parsing. It calls no other registry module, so registry.c,
 * sessions.c, exports.c, tickets.c and fields.c form layers (base, exports, sessions,
 * tickets and fields, registry) instead of a cycle. */
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
#include "dh_encoding.h"
#include "registry.h"
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
        if ((ended && *ended) || !demo_session_live_locked(s))
            return 0;
        demo_cond_wait_ms(r, 50);
        if (!q->head && !(ended && *ended) && demo_stop_fired(r, stop, ctx))
            return -1;
    }
}

int demo_session_live_locked(const struct demo_session *s)
{
    return !s->expired && s->token_deadline > demo_now_ms();
}

/* ---------------------------------------------------------------- export tickets */

/* Lower-case hex of bytes (ByteHelper.byteBufToHex), cut after DEMO_HEX_QUOTE_MAX bytes. */
void demo_hex_quote(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t lim = n > DEMO_HEX_QUOTE_MAX ? DEMO_HEX_QUOTE_MAX : n;
    size_t o = dh_hex_encode(p, lim, out, cap);
    if (lim < n && o + sizeof "..." <= cap)
        memcpy(out + o, "...", sizeof "...");
}

/* The little-endian export id of an 'e' ticket of five bytes. */
static int32_t export_ticket_id(const uint8_t *t)
{
    return (int32_t)((uint32_t)t[1] | ((uint32_t)t[2] << 8) | ((uint32_t)t[3] << 16) |
                     ((uint32_t)t[4] << 24));
}

/* ExportTicketHelper.ticketToExportId: 0 with *id or -1 with the error. */
int demo_export_ticket_parse(const uint8_t *t, size_t n, const char *log_id, int32_t *id,
                             struct demo_status *st)
{
    if (n == 0) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve ticket '%s': ticket was not provided", log_id);
        return -1;
    }
    if (n != 5 || t[0] != 'e') {
        char hex[DEMO_HEX_QUOTE_MAX * 2 + 8];
        demo_hex_quote(t, n, hex, sizeof hex);
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve ticket '%s': found 0x%s (hex)", log_id, hex);
        return -1;
    }
    *id = export_ticket_id(t);
    return 0;
}
