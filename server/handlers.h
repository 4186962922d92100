/* SPDX-License-Identifier: MIT */
/* handlers: the demo server's gRPC method table and handlers (authentication as in
 * upstream SessionServiceGrpcImpl.SessionServiceInterceptor, then one function per
 * method of the subset in docs/PROTOCOL.md). */
#ifndef DEMO_HANDLERS_H
#define DEMO_HANDLERS_H

#include <stdatomic.h>
#include <stdint.h>

#include "catalog.h"
#include "rpc_server.h"
#include "sessions.h"

/* Counts for the control channel's `exchanges` (tests count streams with it). */
struct demo_exchange_counts {
    _Atomic uint64_t exchanges;     /* DoExchange calls begun */
    _Atomic uint64_t subscriptions; /* of those, subscriptions started */
    _Atomic uint64_t changes;       /* later requests applied on an open subscription */
};

/* What every handler needs; owned by main, shared by handler threads (read-only but
 * for the counts). */
struct demo_app {
    struct demo_registry *reg;
    struct demo_catalog *cat;
    struct demo_exchange_counts counts;
};

/* Dispatch one call (a demo_call_fn; app is a struct demo_app). Handler thread. */
void demo_handle_call(void *app, struct demo_call *call);

#endif
