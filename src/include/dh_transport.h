/* SPDX-License-Identifier: MIT */
/* dh_transport: a thin, blocking layer over the gRPC core C API: channels,
 * unary calls and streams with per-call metadata and deadlines. Each call owns
 * its own completion queue, so any thread may run calls concurrently; one
 * thread may cancel another's stream. Responses are raw protobuf bytes. */
#ifndef DH_TRANSPORT_H
#define DH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"

struct ProtobufCMessage;

/* How to reach a server. Strings are borrowed for the duration of the call. */
struct dh_channel_options {
    const char *target;    /* "host:port" */
    int tls;               /* 0: plaintext h2c; 1: TLS */
    const char *ca_file;   /* TLS: PEM roots; NULL = system roots */
    const char *cert_file; /* TLS: optional client certificate (PEM) */
    const char *key_file;  /* TLS: its private key (PEM) */
    /* Optional, borrowed for the channel's life: while it is set the channel
     * behaves as under dh_channel_interrupt (an owner's one switch for every
     * channel it makes, even one still connecting). */
    struct dh_interrupt *interrupt;
    /* Optional: no call on the channel outlives this CLOCK_MONOTONIC time in
     * ms (dh_now_ms); calls after it fail at once with DH_ETIMEOUT. 0: none. */
    int64_t deadline_ms;
    /* Optional: the largest message received or sent, in bytes; 0: 128 MiB
     * (above the 100 MiB Deephaven sends at most; docs/PROTOCOL.md, gRPC). */
    int max_message_bytes;
};

/* A switch that cancels every call blocked on the channels that share it,
 * at once and from the thread that sets it (blocked calls do not poll).
 * Owned by its creator: free it after every channel that uses it. */
struct dh_interrupt;
struct dh_interrupt *dh_interrupt_new(void);     /* NULL when out of memory. Any thread. */
void dh_interrupt_free(struct dh_interrupt *in); /* NULL-safe. */
/* Turn the switch on (cancel every registered call and each call that starts
 * waiting later) or off. NULL-safe. Any thread. */
void dh_interrupt_set(struct dh_interrupt *in, int on);
int dh_interrupt_is_set(const struct dh_interrupt *in); /* NULL-safe. Any thread. */

/* The session's authorization header value, shared by every call of a session.
 * Calls send it and adopt any `authorization` value a reply carries (token
 * rotation). Thread-safe; embedded in the session. */
struct dh_bearer;

/* The longest credential accepted (an auth value or a bearer token): OIDC
 * tokens run from 1 to 16 KB; this leaves room to spare. */
#define DH_CREDENTIAL_MAX (64 * 1024)
/* The longest authorization header value: a handler type name, a space and
 * the credential (base64 for Basic: 4/3 of it). */
#define DH_AUTH_HEADER_MAX (DH_CREDENTIAL_MAX / 3 * 4 + 1024)

/* Overwrite n bytes at p with zeros in a way the compiler keeps (secrets are
 * wiped before their memory is freed). Any thread. */
void dh_wipe(void *p, size_t n);

/* A new bearer holding initial_value (cut to DH_AUTH_HEADER_MAX - 1 bytes);
 * NULL without memory. */
struct dh_bearer *dh_bearer_new(const char *initial_value);
void dh_bearer_free(struct dh_bearer *b);
/* Copy the current header value into buf (truncated to n). Any thread. */
void dh_bearer_get(struct dh_bearer *b, char *buf, size_t n);
/* A heap copy of the current header value (caller frees); NULL without
 * memory. Any thread. */
char *dh_bearer_dup(struct dh_bearer *b);
/* Replace the header value. Any thread. */
void dh_bearer_set(struct dh_bearer *b, const char *value);
/* How many times the value was replaced by a server reply. Any thread. */
uint64_t dh_bearer_generation(struct dh_bearer *b);

struct dh_channel;

/* Open a channel; connection happens lazily on the first call. Returns NULL
 * and fills err on failure (e.g. unreadable CA file). Caller frees. Any thread. */
struct dh_channel *dh_channel_new(const struct dh_channel_options *opt, struct dh_error *err);
/* Close and free. All calls on it must have finished. NULL-safe. Any thread. */
void dh_channel_free(struct dh_channel *ch);

/* While on, every call waiting on this channel is cancelled at once (and
 * any call that starts waiting later) and new unary calls fail at once with
 * DH_ECANCELLED: how an owner shutting
 * down stops threads blocked on a stalled server. Any thread. */
void dh_channel_interrupt(struct dh_channel *ch, int on);

/* Replace the channel's deadline (see dh_channel_options; 0 removes it). Any thread. */
void dh_channel_set_deadline(struct dh_channel *ch, int64_t deadline_ms);

/* How long calls that should end (those with a deadline) have been waiting
 * without hearing from the server: -1 when none is outstanding, 0 when one
 * just made progress. A stalled server shows here while the link looks
 * fine. Any thread. */
int64_t dh_channel_stalled_ms(struct dh_channel *ch);

/* Called from the channel's watcher thread each time the channel becomes
 * READY (a connection is up) after being in another state. */
typedef void (*dh_channel_ready_fn)(void *ctx);

/* Watch the channel's connectivity from a thread of its own, so an owner
 * waiting to retry learns the moment the link is back: fn(ctx) runs on every
 * change to READY, and an idle channel (its connection dropped) is asked to
 * connect again, so gRPC keeps trying, paced by its capped reconnect back-off
 * (connection attempts only, never calls). The thread sleeps between state
 * changes. fn NULL stops the callbacks (the watcher keeps running): once it
 * returns no callback runs, so the caller may free ctx. Call it without
 * holding any lock fn takes. Any thread. */
int dh_channel_watch(struct dh_channel *ch, dh_channel_ready_fn fn, void *ctx,
                     struct dh_error *err);

/* A response: protobuf bytes, owned by the struct; free with dh_buf_reset. */
struct dh_buf {
    uint8_t *data;
    size_t len;
};
void dh_buf_reset(struct dh_buf *b);

/* Run a unary call: send req (packed), wait for the reply or timeout_ms.
 * On OK returns DH_OK with the reply bytes in *resp (caller resets).
 * On failure returns DH_EGRPC (err->grpc_status set) or DH_ETIMEOUT.
 * `what` names the operation for the error text. Any thread. */
int dh_call_unary(struct dh_channel *ch, struct dh_bearer *bearer, const char *method,
                  const struct ProtobufCMessage *req, int timeout_ms, struct dh_buf *resp,
                  const char *what, struct dh_error *err);

struct dh_stream;

/* Flags for dh_stream_open. */
enum {
    DH_STREAM_HALF_CLOSE = 1, /* send writes-done right after the first message */
};

/* Open a streaming call (server-streaming or bidirectional). If first is not
 * NULL it is sent as the first message. timeout_ms <= 0 means no deadline
 * (streams that live for hours). Returns NULL with err filled on failure to
 * start. Caller frees with dh_stream_free. Any thread. */
struct dh_stream *dh_stream_open(struct dh_channel *ch, struct dh_bearer *bearer,
                                 const char *method, const struct ProtobufCMessage *first,
                                 int flags, int timeout_ms, const char *what, struct dh_error *err);
/* Send one more message (bidirectional streams). One writer at a time. */
int dh_stream_write(struct dh_stream *s, const struct ProtobufCMessage *msg, struct dh_error *err);
/* Send raw, already packed bytes. */
int dh_stream_write_bytes(struct dh_stream *s, const uint8_t *data, size_t len,
                          struct dh_error *err);
/* Half-close: tell the server we send no more. */
int dh_stream_writes_done(struct dh_stream *s, struct dh_error *err);
/* Block until the next message: DH_OK with bytes in *msg (caller resets),
 * DH_END when the server finished with OK, or an error (DH_EGRPC with the
 * final status, DH_ECANCELLED after dh_stream_cancel). One reader at a time. */
int dh_stream_read(struct dh_stream *s, struct dh_buf *msg, struct dh_error *err);
/* Cancel the call; a blocked dh_stream_read returns soon. Any thread. */
void dh_stream_cancel(struct dh_stream *s);
/* Cancel if needed, wait for the call to end, free. NULL-safe. Owner thread. */
void dh_stream_free(struct dh_stream *s);

/* Method paths: one const table (docs/PROTOCOL.md, Services and method paths). */
#define DH_SVC_CONFIG "/io.deephaven.proto.backplane.grpc.ConfigService/"
#define DH_SVC_SESSION "/io.deephaven.proto.backplane.grpc.SessionService/"
#define DH_SVC_TABLE "/io.deephaven.proto.backplane.grpc.TableService/"
#define DH_SVC_APPLICATION "/io.deephaven.proto.backplane.grpc.ApplicationService/"
#define DH_SVC_OBJECT "/io.deephaven.proto.backplane.grpc.ObjectService/"
#define DH_SVC_FLIGHT "/arrow.flight.protocol.FlightService/"

#define DH_M_GET_CONFIGURATION_CONSTANTS DH_SVC_CONFIG "GetConfigurationConstants"
#define DH_M_GET_AUTHENTICATION_CONSTANTS DH_SVC_CONFIG "GetAuthenticationConstants"
#define DH_M_CLOSE_SESSION DH_SVC_SESSION "CloseSession"
#define DH_M_RELEASE DH_SVC_SESSION "Release"
#define DH_M_EXPORT_FROM_TICKET DH_SVC_SESSION "ExportFromTicket"
#define DH_M_PUBLISH_FROM_TICKET DH_SVC_SESSION "PublishFromTicket"
#define DH_M_EXPORT_NOTIFICATIONS DH_SVC_SESSION "ExportNotifications"
#define DH_M_GET_EXPORTED_TABLE_CREATION_RESPONSE DH_SVC_TABLE "GetExportedTableCreationResponse"
#define DH_M_LIST_FIELDS DH_SVC_APPLICATION "ListFields"
#define DH_M_FETCH_OBJECT DH_SVC_OBJECT "FetchObject"
#define DH_M_MESSAGE_STREAM DH_SVC_OBJECT "MessageStream"
#define DH_M_DO_GET DH_SVC_FLIGHT "DoGet"
#define DH_M_DO_EXCHANGE DH_SVC_FLIGHT "DoExchange"

#endif
