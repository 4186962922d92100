/* SPDX-License-Identifier: MIT */
/* dh_session: one authenticated Deephaven session, as pydeephaven opens it
 * (py/client/pydeephaven/session.py): the channel, the bearer token, the
 * server's configuration constants, the keep-alive refresh, export ids. */
#ifndef DH_SESSION_H
#define DH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "dh_backoff.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_transport.h"

/* Where and how to connect. Strings are borrowed during dh_session_connect. */
struct dh_connect_options {
    const char *host; /* default "localhost" */
    int port;         /* default 10000 */
    int tls;
    const char *ca_file, *cert_file, *key_file;
    /* Authentication: auth_type "Anonymous" (default), "Basic" (auth_value is
     * "user:password", base64-encoded for the header), "psk" (shorthand for
     * io.deephaven.authentication.psk.PskAuthenticationHandler), or any handler
     * type name sent as "<type> <auth_value>". */
    const char *auth_type;
    const char *auth_value;
    int connect_timeout_ms; /* default 5000 */
    int call_timeout_ms;    /* unary call deadline, default 15000 */
    /* Optional (see dh_channel_options): the owner's interrupt switch, and a
     * dh_now_ms() time no call of the session outlives (0: none). */
    struct dh_interrupt *interrupt;
    int64_t deadline_ms;
    int max_message_bytes; /* dh_channel_options; 0: 128 MiB */
};

struct dh_session;

/* Connect and authenticate (first call: GetConfigurationConstants with the
 * authorization header), capture the bearer token. NULL with err filled on
 * failure (unreachable, refused, bad credentials, TLS). Caller frees with
 * dh_session_free. Does not start the keep-alive. Any thread. */
struct dh_session *dh_session_connect(const struct dh_connect_options *opt, struct dh_error *err);

/* Sessions are reference counted: dh_session_connect returns one reference,
 * dh_session_hold adds one (returns s; NULL-safe), dh_session_free drops one.
 * Dropping the last stops the keep-alive, sends CloseSession (best effort,
 * 400 ms deadline; skipped when the session is known dead) and frees
 * everything. NULL-safe. Any thread. */
struct dh_session *dh_session_hold(struct dh_session *s);
void dh_session_free(struct dh_session *s);

/* 1 once the session is known to be gone on the server (a refresh was
 * refused as unauthenticated, or none succeeded until its deadline). */
int dh_session_known_dead(struct dh_session *s);

/* Replace the deadline no call outlives (0: none), e.g. once a command's
 * timed part is done. Any thread. */
void dh_session_set_deadline(struct dh_session *s, int64_t deadline_ms);

/* dh_channel_stalled_ms of the session's channel (-1 for NULL). Any thread. */
int64_t dh_session_stalled_ms(struct dh_session *s);

/* Start the keep-alive thread: GetConfigurationConstants every
 * http.session.durationMs / 2; on failure it keeps trying with back-off
 * (dh_keepalive_wait_ms) until the session's deadline has passed, and only
 * then reports DH_SESSION_FAILED. Idempotent. Owner thread. */
int dh_session_start_keepalive(struct dh_session *s, struct dh_error *err);

/* Interrupt (on = 1) or allow again (0) every call of this session: calls
 * blocked on a stalled server end within 100 ms with DH_ECANCELLED. For
 * owners that must stop threads using the session. Any thread. */
void dh_session_interrupt(struct dh_session *s, int on);

/* One refresh now (GetConfigurationConstants). Any thread. */
int dh_session_refresh(struct dh_session *s, struct dh_error *err);

/* Session health as the keep-alive sees it. */
enum dh_session_state {
    DH_SESSION_OK = 0,
    DH_SESSION_RETRYING, /* refresh failed; backing off, the deadline not yet passed */
    DH_SESSION_EXPIRED,  /* the server no longer knows our token */
    DH_SESSION_FAILED,   /* no refresh succeeded until the session's deadline */
};
enum dh_session_state dh_session_state(struct dh_session *s, struct dh_error *last_err);

/* A configuration constant from the last GetConfigurationConstants reply,
 * copied into buf; DH_OK if present. Any thread. */
int dh_session_config(struct dh_session *s, const char *key, char *buf, size_t n);

/* When the server drops the session unless a refresh reaches it first:
 * the end of the last successful refresh (or of connecting) plus the
 * session duration, in dh_now_ms() time. Any thread. */
int64_t dh_session_deadline_ms(struct dh_session *s);

/* http.session.durationMs as a number (default 300000 if absent). */
int64_t dh_session_duration_ms(struct dh_session *s);

/* The next client export id: 1, 2, 3 ... never reused. Any thread. */
int32_t dh_session_next_export_id(struct dh_session *s);

/* Borrowed handles for the other modules' calls. Valid until dh_session_free. */
struct dh_channel *dh_session_channel(struct dh_session *s);
struct dh_bearer *dh_session_bearer(struct dh_session *s);
int dh_session_call_timeout_ms(struct dh_session *s);
/* "host:port" of the server. */
const char *dh_session_target(struct dh_session *s);
/* Milliseconds since the session was opened (CLOCK_MONOTONIC). */
int64_t dh_session_age_ms(struct dh_session *s);

/* Build the authorization header value for the options ("Anonymous",
 * "Basic <base64>", "<type> <value>"). DH_EINVAL on a bad combination. */
int dh_auth_header(const struct dh_connect_options *opt, char *buf, size_t n, struct dh_error *err);

/* The keep-alive's retry back-off for a session of duration_ms: from
 * duration/20 (0.1..1 s), doubling to duration/8 (up to 30 s), jitter_pct
 * of each wait random (dh_backoff). */
void dh_keepalive_backoff_init(struct dh_backoff *b, int64_t duration_ms, int jitter_pct,
                               uint64_t seed);

/* The keep-alive's next wait in ms, or -1 when the session is lost. With no
 * failure in b it is the regular refresh at last_ok_ms + duration_ms / 2.
 * After failures (dh_backoff_fail on b) it is b's wait, cut so the last try
 * falls on the deadline last_ok_ms + duration_ms; at or past the deadline
 * the session is lost. Pure. */
int64_t dh_keepalive_wait_ms(int64_t now_ms, int64_t last_ok_ms, int64_t duration_ms,
                             const struct dh_backoff *b);

#endif
