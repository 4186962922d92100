/* SPDX-License-Identifier: MIT */
/* dh_error: status codes and the error value every libdh call reports into. */
#ifndef DH_ERROR_H
#define DH_ERROR_H

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

#define DH_ERROR_MSG_MAX 512

/* One failure, described once for the user. Caller-allocated; no free needed. */
struct dh_error {
    int code;        /* enum dh_status */
    int grpc_status; /* a grpc_status_code when code == DH_EGRPC, else 0 */
    char msg[DH_ERROR_MSG_MAX];
};

/* Reset err to "no error". NULL-safe. Any thread. */
void dh_error_clear(struct dh_error *err);

/* Set err (if not NULL) from a printf-style message; returns code. Any thread. */
int dh_error_set(struct dh_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set err for a failed gRPC call: "<what>: <STATUS_NAME>: <details>" plus a hint
 * where the status has a known remedy. Returns DH_EGRPC. Any thread. */
int dh_error_set_grpc(struct dh_error *err, const char *what, int grpc_status,
                      const char *details);

/* Prefix err->msg with "<context>: " (for errors passed up a layer). Any thread. */
void dh_error_prefix(struct dh_error *err, const char *context);

/* The canonical name of a gRPC status code ("NOT_FOUND"), or "UNKNOWN_STATUS". */
const char *dh_grpc_status_name(int grpc_status);

#endif
