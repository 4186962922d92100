/* SPDX-License-Identifier: MIT */
/* dh_error: status codes and the error value every libdh call reports into. */
#ifndef DH_ERROR_H
#define DH_ERROR_H

#include <stddef.h>

/* Return codes shared by every libdh module (nanoarrow style: 0 is success). */
enum dh_status {
    DH_OK = 0,
    DH_NEED_MORE = 1,   /* decoder: the buffer ends before the message does */
    DH_END = 2,         /* stream: no more messages (status OK) */
    DH_EINVAL = -1,     /* malformed input (pasted text, bytes from a server) */
    DH_ENOMEM = -2,     /* allocation failed or a size limit was exceeded */
    DH_EGRPC = -3,      /* the call failed: grpc_status and msg say how */
    DH_ETIMEOUT = -4,   /* a deadline passed */
    DH_ENOTSUP = -5,    /* valid but not supported (compression, a type) */
    DH_ECANCELLED = -6, /* cancelled by us */
    DH_ESYS = -7,       /* an operating-system call failed */
};

/* gRPC status codes by name: the values of grpc_status_code (grpc/status.h,
 * the same numbers on every gRPC implementation), so that libdh's users need
 * not include gRPC headers. error.c checks that they match. */
enum dh_grpc_code {
    DH_GRPC_OK = 0,
    DH_GRPC_CANCELLED = 1,
    DH_GRPC_UNKNOWN = 2,
    DH_GRPC_INVALID_ARGUMENT = 3,
    DH_GRPC_DEADLINE_EXCEEDED = 4,
    DH_GRPC_NOT_FOUND = 5,
    DH_GRPC_ALREADY_EXISTS = 6,
    DH_GRPC_PERMISSION_DENIED = 7,
    DH_GRPC_RESOURCE_EXHAUSTED = 8,
    DH_GRPC_FAILED_PRECONDITION = 9,
    DH_GRPC_ABORTED = 10,
    DH_GRPC_OUT_OF_RANGE = 11,
    DH_GRPC_UNIMPLEMENTED = 12,
    DH_GRPC_INTERNAL = 13,
    DH_GRPC_UNAVAILABLE = 14,
    DH_GRPC_DATA_LOSS = 15,
    DH_GRPC_UNAUTHENTICATED = 16,
};

/* What a server's words add to a status code, decided once, where the error is
 * made (dh_error_set_grpc), from the message alone: callers ask the predicates
 * below and never look at the text. */
enum dh_error_reason {
    DH_REASON_NONE = 0,
    /* FAILED_PRECONDITION "Ticket is not a table" (TableServiceGrpcImpl) or
     * "... is not a subscribable table." (ArrowFlightUtil, Barrage handlers):
     * the ticket resolves, to something that is not a table. */
    DH_REASON_NOT_A_TABLE,
};

#define DH_ERROR_MSG_MAX 512

/* One failure, described once for the user. Caller-allocated; no free needed. */
struct dh_error {
    int code;        /* enum dh_status */
    int grpc_status; /* an enum dh_grpc_code when code == DH_EGRPC, else 0 */
    int reason;      /* enum dh_error_reason (DH_EGRPC only), else DH_REASON_NONE */
    char msg[DH_ERROR_MSG_MAX];
};

/* Reset err to "no error". NULL-safe. Any thread. */
void dh_error_clear(struct dh_error *err);

/* Set err (if not NULL) from a printf-style message; returns code. Any thread. */
int dh_error_set(struct dh_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set err for a failed gRPC call: "<what>: <STATUS_NAME>: <details>" plus a hint
 * where the status has a known remedy. Returns DH_EGRPC. Any thread. */
int dh_error_set_grpc(struct dh_error *err, const char *what, int grpc_status, const char *details);

/* Prefix err->msg with "<context>: " (for errors passed up a layer). Any thread. */
void dh_error_prefix(struct dh_error *err, const char *context);

/* The canonical name of a gRPC status code ("NOT_FOUND"), or "UNKNOWN_STATUS". */
const char *dh_grpc_status_name(int grpc_status);

/* 1 if err is a failed call that ended with this gRPC status. NULL-safe. */
int dh_error_is_status(const struct dh_error *err, enum dh_grpc_code code);

/* 1 if the server does not know the ticket (NOT_FOUND: never existed, or its
 * publisher's session ended and the object was collected). NULL-safe. */
int dh_error_is_not_found(const struct dh_error *err);

/* 1 if the ticket resolves to an object that is not a table (a figure, a
 * plugin object): DH_REASON_NOT_A_TABLE. NULL-safe. */
int dh_error_is_not_a_table(const struct dh_error *err);

/* 1 if the ticket resolves to an export that can no longer be used: released
 * by its owner, failed, or a dependency of it failed (FAILED_PRECONDITION other
 * than not-a-table: "Export in state ...", "Details Logged w/ID ...", or a
 * table whose creation response says success=false). NULL-safe. */
int dh_error_is_released(const struct dh_error *err);

/* The actual type named by ObjectService's FAILED_PRECONDITION "Unexpected
 * ObjectType, expected type 'X', actual type 'Y'" (ObjectServiceGrpcImpl):
 * copies Y (raw server text: sanitise before display) into buf and returns 1,
 * or returns 0 and leaves buf alone. */
int dh_error_object_type(const struct dh_error *err, char *buf, size_t n);

#endif
