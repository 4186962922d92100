/* SPDX-License-Identifier: MIT */
/* error.c: filling struct dh_error, and gRPC status names. */
#include "dh_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void dh_error_clear(struct dh_error *err)
{
    if (!err)
        return;
    err->code = DH_OK;
    err->grpc_status = 0;
    err->msg[0] = '\0';
}

int dh_error_set(struct dh_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->grpc_status = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

/* Status names from grpc/status.h, in code order. */
static const char *const status_names[] = {
    "OK",                "CANCELLED",          "UNKNOWN",
    "INVALID_ARGUMENT",  "DEADLINE_EXCEEDED",  "NOT_FOUND",
    "ALREADY_EXISTS",    "PERMISSION_DENIED",  "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION", "ABORTED",          "OUT_OF_RANGE",
    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS",         "UNAUTHENTICATED",
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
    case 14: return " (is the server running and reachable?)";
    case 16: return " (check --auth and --auth-value)";
    case 4:  return " (the server did not answer in time)";
    default: return "";
    }
}

int dh_error_set_grpc(struct dh_error *err, const char *what, int grpc_status,
                      const char *details)
{
    if (!err)
        return DH_EGRPC;
    const char *d = details && details[0] ? details : "(no message)";
    snprintf(err->msg, sizeof err->msg, "%s: %s: %s%s", what ? what : "call",
             dh_grpc_status_name(grpc_status), d, status_hint(grpc_status, details));
    err->code = DH_EGRPC;
    err->grpc_status = grpc_status;
    return DH_EGRPC;
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
