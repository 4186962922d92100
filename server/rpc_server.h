/* SPDX-License-Identifier: MIT */
/* rpc_server: the demo server's gRPC core plumbing: listening socket, one thread per
 * call, and blocking helpers to read a message, send a message and finish with a status.
 *
 * Each accepted call gets its own completion queue and a detached handler thread that
 * runs the dispatch function. A RECV_CLOSE_ON_SERVER op is kept pending for the whole
 * call so a handler can notice client cancellation at any time. */
#ifndef DEMO_RPC_SERVER_H
#define DEMO_RPC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>

/* Deephaven's message size limit in both directions (docs/PROTOCOL.md, gRPC). */
#define DEMO_RPC_MAX_MESSAGE (100 * 1024 * 1024)

struct demo_rpc_server;
struct demo_call;

/* Handles one call on its own thread; the rpc layer finishes the call with INTERNAL if
 * the function returns without demo_call_finish. */
typedef void (*demo_call_fn)(void *app, struct demo_call *call);

/* Fills value (cap bytes) with the authorization header to send with the response
 * headers, or returns 0 to send none. Called once, when headers (or Trailers-Only
 * trailers) go out. */
typedef int (*demo_header_fn)(void *ctx, char *value, size_t cap);

/* Tells a blocking wait to give up (non-zero) because the handler has another reason to
 * stop (session ended, server shutting down). Called about every 50 ms without locks. */
typedef int (*demo_stop_fn)(void *ctx);

/* Results of demo_call_recv. */
enum demo_recv_result {
    DEMO_RECV_DEAD = -1,   /* the call is over (cancelled, or the stream failed) */
    DEMO_RECV_END = 0,     /* the client half-closed: no more messages */
    DEMO_RECV_MSG = 1,     /* *data holds one message */
    DEMO_RECV_TIMEOUT = 2, /* nothing yet; the receive stays pending, call again */
};

/* TLS settings for demo_rpc_server_start: PEM text owned by the caller (grpc copies it). */
struct demo_rpc_tls {
    const char *cert_chain;   /* the server's certificate chain */
    const char *private_key;  /* its private key */
    const char *client_roots; /* NULL, or roots that every client certificate must chain to */
};

/* Start serving HTTP/2 on 127.0.0.1:port (0 picks a free port), plaintext when tls is
 * NULL; *bound_port gets the port. NULL on failure with a message in err. Main thread. */
struct demo_rpc_server *demo_rpc_server_start(int port, const struct demo_rpc_tls *tls,
                                              demo_call_fn fn, void *app, int *bound_port,
                                              char *err, size_t err_cap);

/* Stop accepting, cancel every call still running, wait for all handler threads, free
 * everything and shut grpc down. NULL-safe. Main thread. */
void demo_rpc_server_stop(struct demo_rpc_server *s);

/* Hold every call accepted from now on unanswered for ms milliseconds (its handler runs
 * only then; a client that gives up meanwhile just ends its call); ms <= 0 ends a stall.
 * Calls already running and open streams carry on. Any thread. */
void demo_rpc_server_stall(struct demo_rpc_server *s, int ms);

/* Calls accepted since start, and calls accepted during the last whole second (a
 * client's request rate, for tests that check a waiting client stays quiet). Any thread. */
void demo_rpc_server_calls(struct demo_rpc_server *s, uint64_t *total, uint64_t *last_second);

/* The method path of the call, e.g. "/arrow.flight.protocol.FlightService/DoGet"
 * (NUL-terminated, owned by the call). Handler thread. */
const char *demo_call_method(const struct demo_call *c);

/* Value of the last request header called key (lower case) copied into buf, or -1 if
 * absent or longer than cap-1 bytes (then *too_long is set when not NULL). Handler thread. */
int demo_call_header(const struct demo_call *c, const char *key, char *buf, size_t cap,
                     int *too_long);

/* Install the hook that supplies the authorization response header. Handler thread. */
void demo_call_set_header_fn(struct demo_call *c, demo_header_fn fn, void *ctx);

/* Install the hook blocking waits poll to give up early. Handler thread. */
void demo_call_set_stop_fn(struct demo_call *c, demo_stop_fn fn, void *ctx);

/* Receive the next message: DEMO_RECV_MSG with a malloc'd copy in *data, *len (caller
 * frees), DEMO_RECV_END, DEMO_RECV_DEAD, or DEMO_RECV_TIMEOUT after timeout_ms (< 0:
 * wait until something happens or the stop hook fires; that also gives TIMEOUT).
 * Handler thread. */
int demo_call_recv(struct demo_call *c, uint8_t **data, size_t *len, int timeout_ms);

/* Send one message, taking ownership of data (malloc'd; freed here in every case).
 * Sends the response headers first if not yet sent. Blocks until grpc accepted the
 * message; 0, or -1 when the call is dead or the stop hook fired. Handler thread. */
int demo_call_send_owned(struct demo_call *c, uint8_t *data, size_t len);

/* Finish the call with a status code and message (Trailers-Only when no headers were
 * sent: the authorization header then goes in the trailers, as InterceptedCall.close
 * does upstream). Idempotent. Handler thread. */
void demo_call_finish(struct demo_call *c, grpc_status_code code, const char *msg);

/* Whether the client cancelled the call or it otherwise ended (non-blocking). Handler
 * thread. */
int demo_call_is_dead(struct demo_call *c);

/* Whether demo_call_finish was called. Handler thread. */
int demo_call_finished(const struct demo_call *c);

/* Wait up to ms milliseconds for the call to die (returns 1) or time out (0). Handler
 * thread. */
int demo_call_wait_dead(struct demo_call *c, int ms);

#endif
