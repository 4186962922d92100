/* SPDX-License-Identifier: MIT */
/* sessions: the demo server's sessions, bearer tokens, authentication handlers and expiry. */
#include "sessions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

#define ANON_TYPE "Anonymous"
#define PSK_TYPE "io.deephaven.authentication.psk.PskAuthenticationHandler"
#define ANON_CLASS "io.deephaven.auth.AnonymousAuthenticationHandler"

/* A bearer token and the session it authenticates until its deadline. */
struct demo_token {
    char uuid[DEMO_UUID_LEN + 1];
    int64_t deadline;
    struct demo_session *s;
};

/* Drop a session reference; the last one frees it. */
static void session_unref_locked(struct demo_registry *r, struct demo_session *s)
{
    (void)r;
    if (!s || --s->refs > 0)
        return;
    free(s->exports);
    free(s);
}

/* End a session (SessionState.onExpired): release every export, end listeners. */
void demo_session_expire_locked(struct demo_registry *r, struct demo_session *s)
{
    if (s->expired)
        return;
    s->expired = 1;
    for (size_t i = 0; i < r->n_tokens;) {
        if (r->tokens[i].s == s)
            r->tokens[i] = r->tokens[--r->n_tokens];
        else
            i++;
    }
    demo_exports_end_session_locked(r, s);
    for (struct demo_session **pp = &r->sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    pthread_cond_broadcast(&r->cond);
    session_unref_locked(r, s);
}

/* Expire s if its deadline passed (sessions die lazily and in the tick). 1 if alive. */
int demo_session_check_locked(struct demo_registry *r, struct demo_session *s)
{
    if (s->expired)
        return 0;
    if (s->token_deadline <= demo_now_ms()) {
        demo_session_expire_locked(r, s);
        return 0;
    }
    return 1;
}

/* Mint a token for s valid for the session duration (SessionService.checkTokenAndRotate). */
static int add_token_locked(struct demo_registry *r, struct demo_session *s)
{
    if (demo_grow((void **)&r->tokens, &r->cap_tokens, r->n_tokens + 1, sizeof *r->tokens) != 0)
        return -1;
    struct demo_token *t = &r->tokens[r->n_tokens++];
    demo_make_uuid(r, t->uuid);
    t->deadline = demo_now_ms() + r->duration_ms;
    t->s = s;
    memcpy(s->token, t->uuid, sizeof s->token);
    s->token_deadline = t->deadline;
    return 0;
}

/* A new live session with a fresh token, referenced by the list and the caller. */
static struct demo_session *session_new_locked(struct demo_registry *r)
{
    struct demo_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->refs = 2; /* the registry list and the caller */
    s->next_server_id = -1;
    if (add_token_locked(r, s) != 0) {
        free(s);
        return NULL;
    }
    s->next = r->sessions;
    r->sessions = s;
    return s;
}

/* Case-insensitive compare of a UUID string (UuidCreator.fromString accepts both cases). */
static int uuid_equal(const char *a, const char *b, size_t blen)
{
    if (blen != DEMO_UUID_LEN)
        return 0;
    for (size_t i = 0; i < DEMO_UUID_LEN; i++) {
        char x = a[i], y = b[i];
        if (y >= 'A' && y <= 'F')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* The session of a bearer token, or NULL (SessionService.getSessionForToken). */
static struct demo_session *token_session_locked(struct demo_registry *r, const char *uuid,
                                                 size_t len)
{
    int64_t now = demo_now_ms();
    for (size_t i = 0; i < r->n_tokens; i++) {
        struct demo_token *t = &r->tokens[i];
        if (!uuid_equal(t->uuid, uuid, len))
            continue;
        if (t->deadline <= now || !demo_session_check_locked(r, t->s))
            return NULL;
        return t->s;
    }
    return NULL;
}

/* Whether a registered handler accepts "<type> <payload>" (AuthenticationRequestHandler). */
static int handler_accepts(const struct demo_registry *r, const char *type, size_t tlen,
                           const char *payload)
{
    if (!r->psk)
        return tlen == strlen(ANON_TYPE) && memcmp(type, ANON_TYPE, tlen) == 0 && !*payload;
    return tlen == strlen(PSK_TYPE) && memcmp(type, PSK_TYPE, tlen) == 0 &&
           strcmp(payload, r->psk) == 0;
}

int demo_auth(struct demo_registry *r, const char *value, struct demo_session **out)
{
    *out = NULL;
    pthread_mutex_lock(&r->lock);
    const char *bearer_key = NULL;
    size_t bearer_key_len = 0;
    const char *bearer_payload = "";
    /* SessionService.getSessionForAuthToken */
    if (strncmp(value, "Bearer ", 7) == 0) {
        const char *tok = value + 7;
        struct demo_session *s = token_session_locked(r, tok, strlen(tok));
        if (s) {
            s->refs++;
            *out = s;
            pthread_mutex_unlock(&r->lock);
            return 0;
        }
        const char *sp = strchr(tok, ' ');
        bearer_key = tok;
        bearer_key_len = sp ? (size_t)(sp - tok) : strlen(tok);
        bearer_payload = sp ? sp + 1 : "";
    }
    const char *sp = strchr(value, ' ');
    size_t klen = sp ? (size_t)(sp - value) : strlen(value);
    const char *payload = sp ? sp + 1 : "";
    int ok = handler_accepts(r, value, klen, payload) ||
             (bearer_key && handler_accepts(r, bearer_key, bearer_key_len, bearer_payload));
    if (ok)
        *out = session_new_locked(r);
    pthread_mutex_unlock(&r->lock);
    return *out ? 0 : -1;
}

void demo_session_unref(struct demo_registry *r, struct demo_session *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&r->lock);
    session_unref_locked(r, s);
    pthread_mutex_unlock(&r->lock);
}

int demo_session_alive(struct demo_registry *r, struct demo_session *s)
{
    pthread_mutex_lock(&r->lock);
    int alive = demo_session_check_locked(r, s);
    pthread_mutex_unlock(&r->lock);
    return alive;
}

int demo_session_bearer(struct demo_registry *r, struct demo_session *s, char *out, size_t cap)
{
    pthread_mutex_lock(&r->lock);
    int ok = demo_session_check_locked(r, s);
    if (ok) {
        int64_t rotate_ms = r->duration_ms / 5;
        /* SessionService.checkTokenAndRotate: rotate once the token is older than 1/5. */
        if (s->token_deadline - r->duration_ms + rotate_ms <= demo_now_ms())
            add_token_locked(r, s);
        snprintf(out, cap, "Bearer %s", s->token);
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void demo_session_close(struct demo_registry *r, struct demo_session *s)
{
    pthread_mutex_lock(&r->lock);
    demo_session_expire_locked(r, s);
    pthread_mutex_unlock(&r->lock);
}

int64_t demo_registry_duration(const struct demo_registry *r)
{
    return r->duration_ms;
}

const char *demo_registry_auth_handlers(const struct demo_registry *r)
{
    return r->psk ? PSK_TYPE : ANON_CLASS;
}

/* Expire every session (lock held). */
static void expire_all_locked(struct demo_registry *r)
{
    while (r->sessions)
        demo_session_expire_locked(r, r->sessions);
}

void demo_registry_expire_all(struct demo_registry *r)
{
    pthread_mutex_lock(&r->lock);
    expire_all_locked(r);
    pthread_mutex_unlock(&r->lock);
}

void demo_sessions_tick_locked(struct demo_registry *r, int64_t now, int64_t *next)
{
    /* SessionService.SessionCleanupJob: drop dead tokens, expire dead sessions. */
    for (size_t i = 0; i < r->n_tokens;) {
        if (r->tokens[i].deadline <= now) {
            r->tokens[i] = r->tokens[--r->n_tokens];
        } else {
            if (r->tokens[i].deadline < *next)
                *next = r->tokens[i].deadline;
            i++;
        }
    }
    for (struct demo_session *s = r->sessions; s;) {
        struct demo_session *nx = s->next;
        if (s->token_deadline <= now)
            demo_session_expire_locked(r, s);
        else if (s->token_deadline < *next)
            *next = s->token_deadline;
        s = nx;
    }
}

void demo_sessions_free_locked(struct demo_registry *r)
{
    expire_all_locked(r);
    free(r->tokens);
    r->tokens = NULL;
    r->n_tokens = r->cap_tokens = 0;
}
