/* SPDX-License-Identifier: MIT */
/* handlers: the demo server's gRPC method table and handlers (authentication as in
 * upstream SessionServiceGrpcImpl.SessionServiceInterceptor, then one function per
 * method of the subset in docs/PROTOCOL.md). */
#ifndef DEMO_HANDLERS_H
#define DEMO_HANDLERS_H

#include "catalog.h"
#include "rpc_server.h"
#include "sessions.h"

/* What every handler needs; owned by main, shared read-only by handler threads. */
struct demo_app {
    struct demo_registry *reg;
    struct demo_catalog *cat;
};

/* Dispatch one call (a demo_call_fn; app is a struct demo_app). Handler thread. */
void demo_handle_call(void *app, struct demo_call *call);

#endif
