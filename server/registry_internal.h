/* SPDX-License-Identifier: MIT */
/* registry_internal: the registry struct, its mutex and the records and lock-held calls
 * that registry_base.c, registry.c, sessions.c, exports.c, tickets.c and fields.c share; no other
 * file includes it. Every function here needs r->lock held unless its comment says otherwise. */
#ifndef DEMO_REGISTRY_INTERNAL_H
#define DEMO_REGISTRY_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "exports.h"
#include "registry.h"
#include "rpc_server.h"

#define DEMO_UUID_LEN 36
/* Ticket bytes quoted in error messages are cut here (grpc-message must stay small). */
#define DEMO_HEX_QUOTE_MAX 128
/* The application the built-ins belong to (docs/PROTOCOL.md, Object list). */
#define DEMO_APP_ID "demo"

struct demo_token;      /* sessions.c */
struct demo_field;      /* fields.c */
struct demo_fields_sub; /* fields.c */
struct demo_listener;   /* exports.c */

/* A queue of packed messages waiting for a stream handler (registry.c). */
struct demo_msg_node {
    struct demo_msg_node *next;
    size_t len;
    uint8_t data[];
};

struct demo_msg_queue {
    struct demo_msg_node *head, *tail;
};

/* One export of a session (exports.c). */
struct demo_export {
    int32_t id;
    int state;
    int refs;
    struct demo_session *session;  /* owner; NULL once the session ended */
    const struct demo_object *obj; /* set when EXPORTED */
    int work_set;                  /* defined by an RPC (not a placeholder) */
    int require_table;             /* FetchTable: fails unless the source is a table */
    int ever_exported;
    int has_sre; /* failed with a StatusRuntimeException ... */
    int sre_code;
    char *sre_msg;
    int has_cause; /* ... or with another exception ("Details Logged") */
    char error_id[DEMO_UUID_LEN + 1];
    char dep_handle[16];
    struct demo_export *dep; /* while PENDING on another export */
    int dep_shared;
};

/* One session (sessions.c); exports, next_server_id and listeners belong to exports.c. */
struct demo_session {
    struct demo_session *next;
    int refs;
    int expired;
    char token[DEMO_UUID_LEN + 1];
    int64_t token_deadline;
    struct demo_export **exports; /* sorted by id */
    size_t n_exports, cap_exports;
    int32_t next_server_id;
    struct demo_listener *listeners;
};

/* A shared ticket and the export published to it (exports.c). */
struct demo_shared {
    uint8_t *id;
    size_t len;
    struct demo_export *exp;
};

/* What a ticket resolved to (tickets.c). */
enum demo_source_kind { DEMO_SRC_OBJECT, DEMO_SRC_FAILED, DEMO_SRC_EXPORT, DEMO_SRC_SHARED };

struct demo_source {
    int kind;
    const struct demo_object *obj;
    struct demo_export *exp;
    struct demo_status sre;
};

/* Everything, behind one mutex: config and ids (registry.c), sessions and tokens
 * (sessions.c), shared tickets and dependency waits (exports.c), ListFields state (fields.c),
 * shutdown (registry.c). */
struct demo_registry {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int64_t duration_ms;
    char *psk;
    struct demo_catalog *cat;
    int quiet;
    int urandom;
    struct demo_session *sessions;
    struct demo_token *tokens;
    size_t n_tokens, cap_tokens;
    struct demo_shared *shared;
    size_t n_shared, cap_shared;
    struct demo_export **waiting; /* exports PENDING on another export */
    size_t n_waiting, cap_waiting;
    struct demo_export **settle; /* exports whose dependents must be resolved */
    size_t n_settle, cap_settle;
    int settling;
    struct demo_field *known;
    size_t n_known, cap_known;
    char **touched;
    size_t n_touched, cap_touched;
    int fields_scheduled;
    int64_t fields_due, fields_last;
    struct demo_fields_sub *subs;
    int shutting_down;
    int term_waiters;
    unsigned long counter;
};

/* ---- registry_base.c: calls no other registry module */

/* Milliseconds on the monotonic clock. Any thread, no lock. */
int64_t demo_now_ms(void);

/* Wait on the registry condition for up to ms. */
void demo_cond_wait_ms(struct demo_registry *r, int ms);

/* Ask the stop hook with the lock dropped for the call; 1 if it fired. */
int demo_stop_fired(struct demo_registry *r, demo_stop_fn stop, void *ctx);

/* Grow an array of elements of size sz so it holds at least need. 0 or -1. No lock. */
int demo_grow(void **arr, size_t *cap, size_t need, size_t sz);

/* A random (version 4) UUID in lower case, as UuidCreator.toString prints it. */
void demo_make_uuid(struct demo_registry *r, char out[DEMO_UUID_LEN + 1]);

/* demo_status_obfuscated with the lock already held. */
void demo_obfuscated_locked(struct demo_registry *r, struct demo_status *st, const char *why);

/* Append a copy of data to the queue; 0 or -1 (out of memory). */
int demo_queue_push(struct demo_msg_queue *q, const uint8_t *data, size_t len);

/* Pop the head into a malloc'd copy; 1 if there was one. */
int demo_queue_pop(struct demo_msg_queue *q, uint8_t **data, size_t *len);

/* Free every queued message. */
void demo_queue_clear(struct demo_msg_queue *q);

/* Wait for the next message of a subscriber's or listener's queue: 1 with it, 0 when the
 * session or (*ended, may be NULL) the listener is over, -1 when stop fired. */
int demo_queue_wait_locked(struct demo_registry *r, struct demo_msg_queue *q,
                           struct demo_session *s, const int *ended, demo_stop_fn stop, void *ctx,
                           uint8_t **data, size_t *len);

/* 1 while s has neither expired nor passed its deadline. It never expires s itself:
 * sessions.c does (demo_session_check_locked, the tick), so that exports.c need not call
 * back into sessions.c. */
int demo_session_live_locked(const struct demo_session *s);

/* Lower-case hex of bytes (ByteHelper.byteBufToHex), cut after DEMO_HEX_QUOTE_MAX. No lock. */
void demo_hex_quote(const uint8_t *p, size_t n, char *out, size_t cap);

/* ExportTicketHelper.ticketToExportId: 0 with *id or -1 with the error. No lock. */
int demo_export_ticket_parse(const uint8_t *t, size_t n, const char *log_id, int32_t *id,
                             struct demo_status *st);

/* ---- sessions.c */

/* Expire s if its deadline passed (sessions die lazily and in the tick). 1 if alive. */
int demo_session_check_locked(struct demo_registry *r, struct demo_session *s);

/* End a session (SessionState.onExpired): release every export, end listeners. */
void demo_session_expire_locked(struct demo_registry *r, struct demo_session *s);

/* Drop dead tokens, expire dead sessions (SessionService.SessionCleanupJob), lowering *next
 * to the next deadline. */
void demo_sessions_tick_locked(struct demo_registry *r, int64_t now, int64_t *next);

/* Expire every session and free the token table (registry teardown). */
void demo_sessions_free_locked(struct demo_registry *r);

/* ---- exports.c */

/* 1 for RELEASED and every state after it. No lock. */
int demo_export_state_terminal(int s);

/* Drop an export reference; the last one frees it. */
void demo_export_unref_locked(struct demo_registry *r, struct demo_export *e);

/* Export id of the session, or NULL. */
struct demo_export *demo_export_find(const struct demo_session *s, int32_t id);

/* Find or create (as a placeholder) export id of the session; NULL when out of memory. */
struct demo_export *demo_export_get_or_add(struct demo_session *s, int32_t id);

/* Release every export of an ending session and end its listeners. */
void demo_exports_end_session_locked(struct demo_registry *r, struct demo_session *s);

/* The status a non-export consumer of failed export p sees (onDependencyFailure, then
 * toErrorHandler); via_shared: p was reached through a shared ticket. */
void demo_export_consumer_status_locked(struct demo_registry *r, const struct demo_export *p,
                                        int via_shared, struct demo_status *st);

/* The export published to shared ticket id (without the 'h'), or NULL. */
struct demo_export *demo_shared_find_locked(struct demo_registry *r, const uint8_t *id, size_t n);

/* Drop every shared ticket and dependency wait and free their tables (registry teardown). */
void demo_exports_free_locked(struct demo_registry *r);

/* ---- fields.c */

/* List the catalogue's live objects as known fields (registry construction, no lock);
 * 0 or -1 (out of memory). */
int demo_fields_init(struct demo_registry *r);

/* Send the scheduled ListFields delta if due, else lower *next to when it is. */
void demo_fields_tick_locked(struct demo_registry *r, int64_t now, int64_t *next);

/* Free the known fields and touched keys (registry teardown). */
void demo_fields_free_locked(struct demo_registry *r);

#endif
