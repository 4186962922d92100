/* SPDX-License-Identifier: MIT */
/* tickets: the demo server's ticket names, parsing and resolution into sources. */
#include "tickets.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "dh_encoding.h"
#include "registry_internal.h"

/* Copy up to DEMO_HEX_QUOTE_MAX bytes of a name into a C string for messages. */
static void name_quote(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t lim = n > DEMO_HEX_QUOTE_MAX ? DEMO_HEX_QUOTE_MAX : n;
    if (lim + 1 > cap)
        lim = cap - 1;
    memcpy(out, p, lim);
    out[lim] = '\0';
    for (size_t i = 0; i < lim; i++)
        if (out[i] == '\0')
            out[i] = '?';
}

/* Strict UTF-8 check (what Java's reporting CharsetDecoder accepts). */
static int utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3fu);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* ---------------------------------------------------------------- tickets */

/* Parse an 'a/<app>/f/<field>' ticket like ApplicationTicketResolver.appFieldIdFor:
 * 0 with the app and field spans, or -1 with the error. */
static int app_ticket_parts(const uint8_t *t, size_t n, const char *log_id, size_t *app_at,
                            size_t *app_len, size_t *field_at, struct demo_status *st)
{
    if (!utf8_valid(t, n)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': failed to decode: Input length = 1", log_id);
        return -1;
    }
    const uint8_t *s1 = memchr(t, '/', n);
    size_t end_route = s1 ? (size_t)(s1 - t) : (size_t)-1;
    size_t from = s1 ? end_route + 1 : 0;
    const uint8_t *s2 = from <= n ? memchr(t + from, '/', n - from) : NULL;
    size_t end_app = s2 ? (size_t)(s2 - t) : (size_t)-1;
    size_t from2 = s2 ? end_app + 1 : 0;
    const uint8_t *s3 = from2 <= n ? memchr(t + from2, '/', n - from2) : NULL;
    if (!s2 || !s3) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': ticket does conform to expected format", log_id);
        return -1;
    }
    *app_at = end_route + 1;
    *app_len = end_app - *app_at;
    *field_at = (size_t)(s3 - t) + 1;
    if (*app_len != strlen(DEMO_APP_ID) || memcmp(t + *app_at, DEMO_APP_ID, *app_len) != 0) {
        char app[DEMO_HEX_QUOTE_MAX * 2];
        name_quote(t + *app_at, *app_len, app, sizeof app);
        demo_status_set(st, GRPC_STATUS_NOT_FOUND,
                        "Could not resolve '%s': no application exists with the identifier: %s",
                        log_id, app);
        return -1;
    }
    return 0;
}

/* Check an 's/<name>' ticket like ScopeTicketResolver.nameForTicket. */
static int scope_ticket_check(const uint8_t *t, size_t n, const char *log_id,
                              struct demo_status *st)
{
    if (n < 3 || t[0] != 's' || t[1] != '/') {
        char hex[DEMO_HEX_QUOTE_MAX * 2 + 8];
        demo_hex_quote(t, n, hex, sizeof hex);
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': found 0x%s' (hex)", log_id, hex);
        return -1;
    }
    if (!utf8_valid(t + 2, n - 2)) {
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': failed to decode: Input length = 1", log_id);
        return -1;
    }
    return 0;
}

int demo_ticket_log_name(struct demo_registry *r, const uint8_t *t, size_t n, const char *log_id,
                         char *out, size_t cap, struct demo_status *st)
{
    char name[DEMO_HEX_QUOTE_MAX * 2 + 8];
    if (n == 0) {
        /* TicketRouter.getLogNameFor reads byte 0 of an empty buffer upstream. */
        demo_status_obfuscated(r, st, "IndexOutOfBoundsException: empty ticket in getLogNameFor");
        return -1;
    }
    switch (t[0]) {
    case 'e': {
        int32_t id;
        if (demo_export_ticket_parse(t, n, log_id, &id, st) != 0)
            return -1;
        snprintf(out, cap, "export/%d", (int)id);
        return 0;
    }
    case 'h':
        demo_hex_quote(t, n, name, sizeof name);
        if (n < 2) {
            demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                            "Could not resolve '%s': found 0x%s (hex)", log_id, name);
            return -1;
        }
        demo_hex_quote(t + 1, n - 1, name, sizeof name);
        snprintf(out, cap, "shared/%s", name);
        return 0;
    case 's':
        if (scope_ticket_check(t, n, log_id, st) != 0)
            return -1;
        name_quote(t + 2, n - 2, name, sizeof name);
        snprintf(out, cap, "scope/%s", name);
        return 0;
    case 'a': {
        size_t app_at, app_len, field_at;
        if (app_ticket_parts(t, n, log_id, &app_at, &app_len, &field_at, st) != 0)
            return -1;
        name_quote(t + field_at, n - field_at, name, sizeof name);
        snprintf(out, cap, "app/%s/field/%s", DEMO_APP_ID, name);
        return 0;
    }
    default:
        demo_status_set(st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': no resolver for route '%d' (byte)", log_id,
                        (int)(int8_t)t[0]);
        return -1;
    }
}

/* A failed source carrying status st (SessionState.wrapAsFailedExport). */
static void source_fail(struct demo_source *src, const struct demo_status *st)
{
    src->kind = DEMO_SRC_FAILED;
    src->sre = *st;
}

/* Look up a live catalogue object by the name bytes of a ticket; app_only: only the
 * built-ins (the "demo" application's fields), else any object (every object is a
 * query-scope variable). */
static const struct demo_object *find_named(struct demo_registry *r, const uint8_t *p, size_t n,
                                            int app_only)
{
    char name[512];
    if (n >= sizeof name || memchr(p, '\0', n))
        return NULL;
    memcpy(name, p, n);
    name[n] = '\0';
    const struct demo_object *o = demo_catalog_find(r->cat, name);
    if (!o || (app_only && !demo_object_is_app_field(o)))
        return NULL;
    return o;
}

/* The resolvers, lock held. */
static void resolve_locked(struct demo_registry *r, struct demo_session *s, const uint8_t *t,
                           size_t n, const char *log_id, struct demo_source *src)
{
    struct demo_status st;
    char name[DEMO_HEX_QUOTE_MAX * 2 + 8];
    if (n == 0) {
        demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                        "could not resolve '%s' it's an empty ticket", log_id);
        source_fail(src, &st);
        return;
    }
    switch (t[0]) {
    case 'e': { /* ExportTicketResolver.resolve -> SessionState.getExport */
        int32_t id;
        if (demo_export_ticket_parse(t, n, log_id, &id, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        if (!demo_session_check_locked(r, s)) {
            demo_status_set(&st, GRPC_STATUS_UNAUTHENTICATED, "session has expired");
            source_fail(src, &st);
            return;
        }
        struct demo_export *e = NULL;
        if (id < 0) {
            e = demo_export_find(s, id);
            if (!e) {
                demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                                "Export id %d does not exist and cannot be used out-of-order!",
                                (int)id);
                source_fail(src, &st);
                return;
            }
        } else if (id == 0) {
            demo_status_set(&st, GRPC_STATUS_INVALID_ARGUMENT,
                            "Export id 0 refers to a non-export and cannot be requested!");
            source_fail(src, &st);
            return;
        } else {
            e = demo_export_get_or_add(s, id); /* out-of-order use creates a placeholder */
            if (!e) {
                demo_obfuscated_locked(r, &st, "out of memory creating an export");
                source_fail(src, &st);
                return;
            }
        }
        e->refs++;
        src->kind = DEMO_SRC_EXPORT;
        src->exp = e;
        return;
    }
    case 'h': { /* SharedTicketResolver.resolve */
        if (n < 2) {
            demo_hex_quote(t, n, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                            "Could not resolve '%s': found 0x%s (hex)", log_id, name);
            source_fail(src, &st);
            return;
        }
        struct demo_export *e = demo_shared_find_locked(r, t + 1, n - 1);
        if (e) {
            e->refs++;
            src->kind = DEMO_SRC_SHARED;
            src->exp = e;
            return;
        }
        demo_hex_quote(t + 1, n - 1, name, sizeof name);
        demo_status_set(&st, GRPC_STATUS_NOT_FOUND, "Could not resolve '%s': ticket '%s' not found",
                        log_id, name);
        source_fail(src, &st);
        return;
    }
    case 's': { /* ScopeTicketResolver.resolve (the message's missing quote is upstream's) */
        if (scope_ticket_check(t, n, log_id, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        const struct demo_object *o = find_named(r, t + 2, n - 2, 0);
        if (!o) {
            name_quote(t + 2, n - 2, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_NOT_FOUND,
                            "Could not resolve '%s: variable '%s' not found", log_id, name);
            source_fail(src, &st);
            return;
        }
        src->kind = DEMO_SRC_OBJECT;
        src->obj = o;
        return;
    }
    case 'a': { /* ApplicationTicketResolver.resolve */
        size_t app_at, app_len, field_at;
        if (app_ticket_parts(t, n, log_id, &app_at, &app_len, &field_at, &st) != 0) {
            source_fail(src, &st);
            return;
        }
        const struct demo_object *o = find_named(r, t + field_at, n - field_at, 1);
        if (!o) {
            name_quote(t + field_at, n - field_at, name, sizeof name);
            demo_status_set(&st, GRPC_STATUS_NOT_FOUND,
                            "Could not resolve '%s': field 'app/%s/field/%s' not found", log_id,
                            DEMO_APP_ID, name);
            source_fail(src, &st);
            return;
        }
        src->kind = DEMO_SRC_OBJECT;
        src->obj = o;
        return;
    }
    default:
        demo_status_set(&st, GRPC_STATUS_FAILED_PRECONDITION,
                        "Could not resolve '%s': no resolver for route '%d' (byte)", log_id,
                        (int)(int8_t)t[0]);
        source_fail(src, &st);
        return;
    }
}

struct demo_source *demo_resolve(struct demo_registry *r, struct demo_session *s, const uint8_t *t,
                                 size_t n, const char *log_id)
{
    struct demo_source *src = calloc(1, sizeof *src);
    if (!src)
        return NULL;
    pthread_mutex_lock(&r->lock);
    resolve_locked(r, s, t, n, log_id, src);
    pthread_mutex_unlock(&r->lock);
    return src;
}

int demo_source_is_export(const struct demo_source *src)
{
    return src->kind == DEMO_SRC_EXPORT;
}

void demo_source_free(struct demo_registry *r, struct demo_source *src)
{
    if (!src)
        return;
    if (src->exp) {
        pthread_mutex_lock(&r->lock);
        demo_export_unref_locked(r, src->exp);
        pthread_mutex_unlock(&r->lock);
    }
    free(src);
}

int demo_source_wait(struct demo_registry *r, struct demo_source *src, demo_stop_fn stop, void *ctx,
                     const struct demo_object **obj, struct demo_status *st)
{
    *obj = NULL;
    if (src->kind == DEMO_SRC_OBJECT) {
        *obj = src->obj;
        return 0;
    }
    if (src->kind == DEMO_SRC_FAILED) {
        *st = src->sre;
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    struct demo_export *p = src->exp;
    int rc = 0;
    /* A non-export requiring p waits (indefinitely upstream) for it to resolve. */
    while (p->state < DEMO_ES_EXPORTED) {
        demo_cond_wait_ms(r, 50);
        if (p->state < DEMO_ES_EXPORTED && demo_stop_fired(r, stop, ctx)) {
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        if (p->state == DEMO_ES_EXPORTED) {
            *obj = p->obj;
            demo_object_ref(*obj);
        } else {
            demo_export_consumer_status_locked(r, p, src->kind == DEMO_SRC_SHARED, st);
            rc = -1;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}
