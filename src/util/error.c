/* SPDX-License-Identifier: MIT */
/* error.c: filling struct dh_error, and gRPC status names. */
#include "dh_error.h"

#include <grpc/status.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The named codes are gRPC's own numbers. */
#define DH_SAME_CODE(ours, theirs) _Static_assert((int)(ours) == (int)(theirs), #ours)
DH_SAME_CODE(DH_GRPC_OK, GRPC_STATUS_OK);
DH_SAME_CODE(DH_GRPC_CANCELLED, GRPC_STATUS_CANCELLED);
DH_SAME_CODE(DH_GRPC_UNKNOWN, GRPC_STATUS_UNKNOWN);
DH_SAME_CODE(DH_GRPC_INVALID_ARGUMENT, GRPC_STATUS_INVALID_ARGUMENT);
DH_SAME_CODE(DH_GRPC_DEADLINE_EXCEEDED, GRPC_STATUS_DEADLINE_EXCEEDED);
DH_SAME_CODE(DH_GRPC_NOT_FOUND, GRPC_STATUS_NOT_FOUND);
DH_SAME_CODE(DH_GRPC_ALREADY_EXISTS, GRPC_STATUS_ALREADY_EXISTS);
DH_SAME_CODE(DH_GRPC_PERMISSION_DENIED, GRPC_STATUS_PERMISSION_DENIED);
DH_SAME_CODE(DH_GRPC_RESOURCE_EXHAUSTED, GRPC_STATUS_RESOURCE_EXHAUSTED);
DH_SAME_CODE(DH_GRPC_FAILED_PRECONDITION, GRPC_STATUS_FAILED_PRECONDITION);
DH_SAME_CODE(DH_GRPC_ABORTED, GRPC_STATUS_ABORTED);
DH_SAME_CODE(DH_GRPC_OUT_OF_RANGE, GRPC_STATUS_OUT_OF_RANGE);
DH_SAME_CODE(DH_GRPC_UNIMPLEMENTED, GRPC_STATUS_UNIMPLEMENTED);
DH_SAME_CODE(DH_GRPC_INTERNAL, GRPC_STATUS_INTERNAL);
DH_SAME_CODE(DH_GRPC_UNAVAILABLE, GRPC_STATUS_UNAVAILABLE);
DH_SAME_CODE(DH_GRPC_DATA_LOSS, GRPC_STATUS_DATA_LOSS);
DH_SAME_CODE(DH_GRPC_UNAUTHENTICATED, GRPC_STATUS_UNAUTHENTICATED);

void dh_error_clear(struct dh_error *err)
{
    if (!err)
        return;
    err->code = DH_OK;
    err->grpc_status = 0;
    err->reason = DH_REASON_NONE;
    err->msg[0] = '\0';
}

int dh_error_set(struct dh_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->grpc_status = 0;
    err->reason = DH_REASON_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

/* Status names from grpc/status.h, in code order. */
static const char *const status_names[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

const char *dh_grpc_status_name(int grpc_status)
{
    if (grpc_status < 0 || (size_t)grpc_status >= sizeof status_names / sizeof *status_names)
        return "UNKNOWN_STATUS";
    return status_names[grpc_status];
}

/* A short "what to do next" for statuses whose remedy is known. */
static const char *status_hint(int grpc_status, const char *details)
{
    if (details && strstr(details, "Details Logged w/ID"))
        return " (the server log has the details)";
    switch (grpc_status) {
    case DH_GRPC_UNAVAILABLE: return " (is the server running and reachable?)";
    case DH_GRPC_UNAUTHENTICATED: return " (check --auth and --auth-value)";
    case DH_GRPC_DEADLINE_EXCEEDED: return " (the server did not answer in time)";
    default: return "";
    }
}

/* What the server's message adds to its status (see enum dh_error_reason). */
static int status_reason(int grpc_status, const char *details)
{
    if (grpc_status == DH_GRPC_FAILED_PRECONDITION && details &&
        (strstr(details, "not a table") || strstr(details, "not a subscribable table")))
        return DH_REASON_NOT_A_TABLE;
    return DH_REASON_NONE;
}

int dh_error_set_grpc(struct dh_error *err, const char *what, int grpc_status, const char *details)
{
    if (!err)
        return DH_EGRPC;
    const char *d = details && details[0] ? details : "(no message)";
    snprintf(err->msg, sizeof err->msg, "%s: %s: %s%s", what ? what : "call",
             dh_grpc_status_name(grpc_status), d, status_hint(grpc_status, details));
    err->code = DH_EGRPC;
    err->grpc_status = grpc_status;
    err->reason = status_reason(grpc_status, details);
    return DH_EGRPC;
}

int dh_error_is_status(const struct dh_error *err, enum dh_grpc_code code)
{
    return err && err->code == DH_EGRPC && err->grpc_status == (int)code;
}

int dh_error_is_not_found(const struct dh_error *err)
{
    return dh_error_is_status(err, DH_GRPC_NOT_FOUND);
}

int dh_error_is_not_a_table(const struct dh_error *err)
{
    return err && err->code == DH_EGRPC && err->reason == DH_REASON_NOT_A_TABLE;
}

int dh_error_is_released(const struct dh_error *err)
{
    return dh_error_is_status(err, DH_GRPC_FAILED_PRECONDITION) && !dh_error_is_not_a_table(err);
}

int dh_error_object_type(const struct dh_error *err, char *buf, size_t n)
{
    static const char marker[] = "actual type '";
    if (!err || err->code != DH_EGRPC || n == 0)
        return 0;
    const char *p = strstr(err->msg, marker);
    if (!p)
        return 0;
    p += sizeof marker - 1;
    const char *q = strchr(p, '\'');
    if (!q || q == p || (size_t)(q - p) >= n)
        return 0;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    return 1;
}

void dh_error_prefix(struct dh_error *err, const char *context)
{
    if (!err || !context)
        return;
    char tmp[DH_ERROR_MSG_MAX];
    size_t clen = strlen(context);
    if (clen + 2 >= sizeof tmp)
        return;
    memcpy(tmp, context, clen);
    memcpy(tmp + clen, ": ", 2);
    size_t room = sizeof tmp - clen - 2;
    size_t mlen = strnlen(err->msg, sizeof err->msg);
    if (mlen >= room)
        mlen = room - 1;
    memcpy(tmp + clen + 2, err->msg, mlen);
    tmp[clen + 2 + mlen] = '\0';
    memcpy(err->msg, tmp, sizeof tmp);
}
