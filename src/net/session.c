/* SPDX-License-Identifier: MIT */
/* session.c: connect, authenticate, keep alive and close a Deephaven session
 * the way pydeephaven does (py/client/pydeephaven/session.py). */
#include "dh_session.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deephaven_core/proto/config.pb-c.h"
#include "deephaven_core/proto/session.pb-c.h"
#include "dh_encoding.h"

#define DH_DEFAULT_PORT 10000
#define DH_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DH_DEFAULT_CALL_TIMEOUT_MS 15000
#define DH_CONFIG_MAX 64
/* With no http.session.durationMs the C++ client refreshes every 10 s
 * (cpp-client server.cc); a 20 s duration gives us the same schedule. */
#define DH_FALLBACK_DURATION_MS 20000
/* A refresh that cannot reach the server still ends after this, so the
 * keep-alive notices the deadline. */
#define DH_REFRESH_MIN_TIMEOUT_MS 1000
/* Half of each retry wait is random, so clients cut off together do not
 * come back together. */
#define DH_KEEPALIVE_JITTER_PCT 50
/* CloseSession is a courtesy (the server drops an idle session anyway):
 * never let it hold up quitting. */
#define DH_CLOSE_TIMEOUT_MS 400
#define DH_PSK_HANDLER "io.deephaven.authentication.psk.PskAuthenticationHandler"

struct dh_config_entry {
    char *key;
    char *value;
};

struct dh_session {
    struct dh_channel *channel;
    struct dh_bearer *bearer;
    char target[300];
    int call_timeout_ms;
    int64_t opened_ms;
    atomic_int next_export_id;
    atomic_int refs; /* dh_session_hold / dh_session_free */

    pthread_mutex_t mu; /* guards config, state, keepalive flags */
    struct dh_config_entry config[DH_CONFIG_MAX];
    size_t n_config;
    int64_t duration_ms;
    enum dh_session_state state;
    struct dh_error last_err;
    int64_t last_ok_ms; /* end of the last successful refresh (or of connecting) */

    pthread_cond_t wake;
    pthread_t keepalive;
    int keepalive_running;
    int stopping;
};

static int64_t clamp_ms(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int dh_auth_header(const struct dh_connect_options *opt, char *buf, size_t n, struct dh_error *err)
{
    const char *type = opt->auth_type && opt->auth_type[0] ? opt->auth_type : "Anonymous";
    const char *value = opt->auth_value ? opt->auth_value : "";
    size_t vlen = strlen(value);
    if (vlen > DH_CREDENTIAL_MAX)
        return dh_error_set(err, DH_EINVAL,
                            "the authentication value is %zu bytes; at most %d "
                            "are accepted",
                            vlen, DH_CREDENTIAL_MAX);
    if (strcmp(type, "Anonymous") == 0) {
        if (value[0])
            return dh_error_set(err, DH_EINVAL, "anonymous authentication takes no value");
        snprintf(buf, n, "Anonymous");
        return DH_OK;
    }
    if (strcmp(type, "Basic") == 0) {
        /* BasicAuthMarshaller: "Basic " + base64(user:password). */
        if (!strchr(value, ':'))
            return dh_error_set(err, DH_EINVAL, "Basic authentication needs user:password");
        size_t cap = (vlen + 2) / 3 * 4 + 1;
        char *b64 = malloc(cap);
        if (!b64)
            return dh_error_set(err, DH_ENOMEM, "out of memory");
        dh_base64_encode((const uint8_t *)value, vlen, 0, b64, cap);
        int len = snprintf(buf, n, "Basic %s", b64);
        free(b64);
        if (len < 0 || (size_t)len >= n)
            return dh_error_set(err, DH_EINVAL, "the Basic credentials are too long");
        return DH_OK;
    }
    if (strcmp(type, "psk") == 0 || strcmp(type, "PSK") == 0)
        type = DH_PSK_HANDLER;
    if (strchr(type, ' '))
        return dh_error_set(err, DH_EINVAL, "an authentication type has no spaces: '%s'", type);
    int len = snprintf(buf, n, "%s %s", type, value);
    if (len < 0 || (size_t)len >= n)
        return dh_error_set(err, DH_EINVAL, "the authentication value is too long");
    return DH_OK;
}

void dh_keepalive_backoff_init(struct dh_backoff *b, int64_t duration_ms, int jitter_pct,
                               uint64_t seed)
{
    if (duration_ms < 1)
        duration_ms = DH_FALLBACK_DURATION_MS;
    int64_t initial = clamp_ms(duration_ms / 20, 100, 1000);
    dh_backoff_init(b, initial, clamp_ms(duration_ms / 8, initial, 30000), jitter_pct, seed);
}

int64_t dh_keepalive_wait_ms(int64_t now_ms, int64_t last_ok_ms, int64_t duration_ms,
                             const struct dh_backoff *b)
{
    if (duration_ms < 1)
        duration_ms = DH_FALLBACK_DURATION_MS;
    int64_t deadline = last_ok_ms + duration_ms;
    if (b->failures == 0) {
        int64_t w = last_ok_ms + duration_ms / 2 - now_ms;
        return w > 0 ? w : 0;
    }
    if (now_ms >= deadline)
        return -1;
    int64_t w = dh_backoff_wait_ms(b, now_ms);
    /* The last try is at the deadline itself, never after it. */
    return w < deadline - now_ms ? w : deadline - now_ms;
}

static void config_clear(struct dh_session *s)
{
    for (size_t i = 0; i < s->n_config; i++) {
        free(s->config[i].key);
        free(s->config[i].value);
    }
    s->n_config = 0;
}

/* Keep the string constants of a ConfigurationConstantsResponse. */
static int config_store(struct dh_session *s, const struct dh_buf *reply, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__ConfigurationConstantsResponse *r =
        io__deephaven__proto__backplane__grpc__configuration_constants_response__unpack(
            NULL, reply->len, reply->data);
    if (!r)
        return dh_error_set(err, DH_EINVAL, "malformed ConfigurationConstantsResponse from server");
    pthread_mutex_lock(&s->mu);
    config_clear(s);
    for (size_t i = 0; i < r->n_config_values && s->n_config < DH_CONFIG_MAX; i++) {
        const char *key = r->config_values[i]->key;
        const Io__Deephaven__Proto__Backplane__Grpc__ConfigValue *v = r->config_values[i]->value;
        if (!key || !v ||
            v->kind_case != IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIG_VALUE__KIND_STRING_VALUE)
            continue;
        struct dh_config_entry *e = &s->config[s->n_config];
        e->key = strdup(key);
        e->value = strdup(v->string_value ? v->string_value : "");
        if (!e->key || !e->value) {
            free(e->key);
            free(e->value);
            continue;
        }
        s->n_config++;
        if (strcmp(key, "http.session.durationMs") == 0) {
            long long ms = strtoll(e->value, NULL, 10);
            if (ms > 0)
                s->duration_ms = ms;
        }
    }
    pthread_mutex_unlock(&s->mu);
    io__deephaven__proto__backplane__grpc__configuration_constants_response__free_unpacked(r, NULL);
    return DH_OK;
}

/* GetConfigurationConstants: the first call authenticates, later ones refresh. */
static int get_config(struct dh_session *s, int timeout_ms, const char *what, struct dh_error *err)
{
    Io__Deephaven__Proto__Backplane__Grpc__ConfigurationConstantsRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIGURATION_CONSTANTS_REQUEST__INIT;
    struct dh_buf reply = {0};
    int rc = dh_call_unary(s->channel, s->bearer, DH_M_GET_CONFIGURATION_CONSTANTS, &req.base,
                           timeout_ms, &reply, what, err);
    if (rc == DH_OK)
        rc = config_store(s, &reply, err);
    dh_buf_reset(&reply);
    return rc;
}

struct dh_session *dh_session_connect(const struct dh_connect_options *opt, struct dh_error *err)
{
    char *auth = malloc(DH_AUTH_HEADER_MAX);
    if (!auth) {
        dh_error_set(err, DH_ENOMEM, "out of memory");
        return NULL;
    }
    if (dh_auth_header(opt, auth, DH_AUTH_HEADER_MAX, err) != DH_OK) {
        free(auth);
        return NULL;
    }
    struct dh_session *s = calloc(1, sizeof *s);
    if (!s) {
        free(auth);
        dh_error_set(err, DH_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    dh_cond_init_monotonic(&s->wake);
    atomic_init(&s->next_export_id, 1);
    atomic_init(&s->refs, 1);
    s->duration_ms = DH_FALLBACK_DURATION_MS;
    s->call_timeout_ms =
        opt->call_timeout_ms > 0 ? opt->call_timeout_ms : DH_DEFAULT_CALL_TIMEOUT_MS;
    const char *host = opt->host && opt->host[0] ? opt->host : "localhost";
    int port = opt->port > 0 ? opt->port : DH_DEFAULT_PORT;
    snprintf(s->target, sizeof s->target, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);

    struct dh_channel_options copt = {.target = s->target,
                                      .tls = opt->tls,
                                      .ca_file = opt->ca_file,
                                      .cert_file = opt->cert_file,
                                      .key_file = opt->key_file,
                                      .interrupt = opt->interrupt,
                                      .deadline_ms = opt->deadline_ms,
                                      .max_message_bytes = opt->max_message_bytes};
    s->channel = dh_channel_new(&copt, err);
    s->bearer = s->channel ? dh_bearer_new(auth) : NULL;
    free(auth);
    if (!s->bearer) {
        if (s->channel)
            dh_error_set(err, DH_ENOMEM, "out of memory");
        dh_session_free(s);
        return NULL;
    }
    char what[360];
    snprintf(what, sizeof what, "connect to %s", s->target);
    int timeout =
        opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : DH_DEFAULT_CONNECT_TIMEOUT_MS;
    if (get_config(s, timeout, what, err) != DH_OK) {
        dh_session_free(s);
        return NULL;
    }
    char token[8]; /* only the scheme matters here */
    dh_bearer_get(s->bearer, token, sizeof token);
    if (strncmp(token, "Bearer ", 7) != 0) {
        dh_error_set(err, DH_EINVAL,
                     "%s: the server sent no session token "
                     "(no 'authorization: Bearer' header); is it a Deephaven server?",
                     what);
        dh_session_free(s);
        return NULL;
    }
    s->opened_ms = dh_now_ms();
    s->last_ok_ms = s->opened_ms;
    return s;
}

void dh_session_interrupt(struct dh_session *s, int on)
{
    if (s && s->channel)
        dh_channel_interrupt(s->channel, on);
}

/* One refresh with the given deadline; a success moves the session's deadline. */
static int refresh(struct dh_session *s, int timeout_ms, struct dh_error *err)
{
    struct dh_error e;
    dh_error_clear(&e);
    int rc = get_config(s, timeout_ms, "refresh the session", &e);
    pthread_mutex_lock(&s->mu);
    if (rc == DH_OK) {
        s->last_ok_ms = dh_now_ms();
    } else if (dh_error_is_status(&e, DH_GRPC_UNAUTHENTICATED)) {
        s->state = DH_SESSION_EXPIRED; /* whoever asked: the server forgot us */
        s->last_err = e;
    }
    pthread_mutex_unlock(&s->mu);
    if (err && rc != DH_OK)
        *err = e;
    return rc;
}

int dh_session_refresh(struct dh_session *s, struct dh_error *err)
{
    return refresh(s, s->call_timeout_ms, err);
}

int64_t dh_session_deadline_ms(struct dh_session *s)
{
    pthread_mutex_lock(&s->mu);
    int64_t d = s->last_ok_ms + s->duration_ms;
    pthread_mutex_unlock(&s->mu);
    return d;
}

/* Wait on the keep-alive condition for ms; returns 1 if asked to stop. */
static int keepalive_sleep(struct dh_session *s, int64_t ms)
{
    int64_t until = dh_now_ms() + ms;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        if (dh_cond_wait_until(&s->wake, &s->mu, until) != 0)
            break;
    }
    int stop = s->stopping;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

static void set_state(struct dh_session *s, enum dh_session_state st, const struct dh_error *e)
{
    pthread_mutex_lock(&s->mu);
    s->state = st;
    if (e)
        s->last_err = *e;
    pthread_mutex_unlock(&s->mu);
}

/* Refresh every T/2 (as pydeephaven does). On failure keep trying with
 * jittered, capped back-off until the session's deadline (last success + T)
 * has passed: the server keeps a session that long however its link fares,
 * so giving up earlier would kill a live session. An UNAUTHENTICATED reply
 * means the server forgot us: no retry can help. */
static void *keepalive_main(void *arg)
{
    struct dh_session *s = arg;
    struct dh_backoff bo;
    dh_keepalive_backoff_init(&bo, dh_session_duration_ms(s), DH_KEEPALIVE_JITTER_PCT,
                              (uint64_t)dh_now_ms() ^ (uint64_t)(uintptr_t)s);
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int64_t last_ok = s->last_ok_ms, duration = s->duration_ms;
        pthread_mutex_unlock(&s->mu);
        int64_t wait = dh_keepalive_wait_ms(dh_now_ms(), last_ok, duration, &bo);
        if (wait < 0) {
            struct dh_error e;
            dh_error_set(&e, DH_ETIMEOUT,
                         "no refresh reached the server within the session's "
                         "lifetime (%lld s)",
                         (long long)(duration / 1000));
            set_state(s, DH_SESSION_FAILED, &e);
            break;
        }
        if (keepalive_sleep(s, wait))
            break;
        int64_t left = last_ok + duration - dh_now_ms();
        int timeout = (int)clamp_ms(left, DH_REFRESH_MIN_TIMEOUT_MS, s->call_timeout_ms);
        struct dh_error e;
        dh_error_clear(&e);
        if (refresh(s, timeout, &e) == DH_OK) {
            /* Reset, and follow a duration the server may have changed. */
            dh_keepalive_backoff_init(&bo, dh_session_duration_ms(s), DH_KEEPALIVE_JITTER_PCT,
                                      bo.rng);
            set_state(s, DH_SESSION_OK, NULL);
            continue;
        }
        if (dh_error_is_status(&e, DH_GRPC_UNAUTHENTICATED)) {
            set_state(s, DH_SESSION_EXPIRED, &e);
            break;
        }
        dh_backoff_fail(&bo, dh_now_ms());
        set_state(s, DH_SESSION_RETRYING, &e);
    }
    return NULL;
}

int dh_session_start_keepalive(struct dh_session *s, struct dh_error *err)
{
    pthread_mutex_lock(&s->mu);
    int running = s->keepalive_running;
    pthread_mutex_unlock(&s->mu);
    if (running)
        return DH_OK;
    if (pthread_create(&s->keepalive, NULL, keepalive_main, s) != 0)
        return dh_error_set(err, DH_ESYS, "cannot start the keep-alive thread");
    pthread_mutex_lock(&s->mu);
    s->keepalive_running = 1;
    pthread_mutex_unlock(&s->mu);
    return DH_OK;
}

enum dh_session_state dh_session_state(struct dh_session *s, struct dh_error *last_err)
{
    pthread_mutex_lock(&s->mu);
    enum dh_session_state st = s->state;
    if (last_err)
        *last_err = s->last_err;
    pthread_mutex_unlock(&s->mu);
    return st;
}

int dh_session_config(struct dh_session *s, const char *key, char *buf, size_t n)
{
    int rc = DH_EINVAL;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n_config; i++) {
        if (strcmp(s->config[i].key, key) == 0) {
            snprintf(buf, n, "%s", s->config[i].value);
            rc = DH_OK;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int64_t dh_session_duration_ms(struct dh_session *s)
{
    pthread_mutex_lock(&s->mu);
    int64_t d = s->duration_ms;
    pthread_mutex_unlock(&s->mu);
    return d;
}

int32_t dh_session_next_export_id(struct dh_session *s)
{
    return atomic_fetch_add(&s->next_export_id, 1);
}

struct dh_channel *dh_session_channel(struct dh_session *s)
{
    return s->channel;
}
struct dh_bearer *dh_session_bearer(struct dh_session *s)
{
    return s->bearer;
}
int dh_session_call_timeout_ms(struct dh_session *s)
{
    return s->call_timeout_ms;
}
const char *dh_session_target(struct dh_session *s)
{
    return s->target;
}
int64_t dh_session_age_ms(struct dh_session *s)
{
    return dh_now_ms() - s->opened_ms;
}

/* CloseSession(HandshakeRequest{0, "Bearer ..."}) (docs/PROTOCOL.md, Sessions). */
static void close_on_server(struct dh_session *s)
{
    char *token = dh_bearer_dup(s->bearer);
    if (!token || strncmp(token, "Bearer ", 7) != 0) {
        free(token);
        return;
    }
    Io__Deephaven__Proto__Backplane__Grpc__HandshakeRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__HANDSHAKE_REQUEST__INIT;
    req.auth_protocol = 0;
    req.payload.data = (uint8_t *)token;
    req.payload.len = strlen(token);
    struct dh_buf reply = {0};
    dh_call_unary(s->channel, s->bearer, DH_M_CLOSE_SESSION, &req.base, DH_CLOSE_TIMEOUT_MS, &reply,
                  "close the session", NULL);
    dh_buf_reset(&reply);
    free(token);
}

struct dh_session *dh_session_hold(struct dh_session *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void dh_session_set_deadline(struct dh_session *s, int64_t deadline_ms)
{
    dh_channel_set_deadline(s->channel, deadline_ms);
}

int64_t dh_session_stalled_ms(struct dh_session *s)
{
    return s ? dh_channel_stalled_ms(s->channel) : -1;
}

int dh_session_known_dead(struct dh_session *s)
{
    pthread_mutex_lock(&s->mu);
    int dead = s->state == DH_SESSION_EXPIRED || s->state == DH_SESSION_FAILED;
    pthread_mutex_unlock(&s->mu);
    return dead;
}

void dh_session_free(struct dh_session *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) > 1)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    int dead = s->state == DH_SESSION_EXPIRED || s->state == DH_SESSION_FAILED;
    int running = s->keepalive_running;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
    if (running) {
        dh_session_interrupt(s, 1); /* a refresh stuck on a stalled server */
        pthread_join(s->keepalive, NULL);
        dh_session_interrupt(s, 0);
    }
    if (s->channel && s->bearer && !dead)
        close_on_server(s);
    dh_bearer_free(s->bearer);
    dh_channel_free(s->channel);
    config_clear(s);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
