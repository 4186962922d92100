/* SPDX-License-Identifier: MIT */
/* sessions: the demo server's sessions, bearer tokens, authentication handlers and expiry
 * (upstream SessionService and SessionState, much smaller). State lives in the registry
 * (registry.h); all functions lock it internally. */
#ifndef DEMO_SESSIONS_H
#define DEMO_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

struct demo_session;

/* Authenticate an `authorization` header value: "Bearer <uuid>" finds a live session,
 * any other "<type> <payload>" creates one if that handler accepts it. 0 with a new
 * session reference in *out, or -1 (UNAUTHENTICATED "Authentication details invalid").
 * Any thread. */
int demo_auth(struct demo_registry *r, const char *value, struct demo_session **out);

/* Drop a reference from demo_auth. NULL-safe. Any thread. */
void demo_session_unref(struct demo_registry *r, struct demo_session *s);

/* 1 if the session has neither expired nor been closed. Any thread. */
int demo_session_alive(struct demo_registry *r, struct demo_session *s);

/* Write "Bearer <uuid>" for a response header, rotating the token when it is older than
 * a fifth of the duration (SessionService.refreshToken). 0 if the session is over.
 * Any thread. */
int demo_session_bearer(struct demo_registry *r, struct demo_session *s, char *out, size_t cap);

/* Close the session now (CloseSession): release its exports, end its streams. Any thread. */
void demo_session_close(struct demo_registry *r, struct demo_session *s);

/* Expire every session now, as if its duration had passed. Any thread. */
void demo_registry_expire_all(struct demo_registry *r);

/* The session duration in milliseconds. Any thread. */
int64_t demo_registry_duration(const struct demo_registry *r);

/* The AuthHandlers configuration value (comma-separated handler classes). Any thread. */
const char *demo_registry_auth_handlers(const struct demo_registry *r);

#endif
