/* SPDX-License-Identifier: MIT */
/* handlers: the demo server's call dispatch: find the method in the service tables
 * (handlers_<service>.c), authenticate, receive and check the request, run the
 * handler and release what the call held. */

#include "handlers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every served method, one table per service file. */
static const struct method *const services[] = {
    config_methods, session_methods,     table_methods, object_methods,
    flight_methods, partitioned_methods, hier_methods,
};

/* Upstream methods (docs/PROTOCOL.md, Services and method paths) this test peer does not serve. */
static const char *const unserved[] = {
    DH_SVC("SessionService", "NewSession"),
    DH_SVC("SessionService", "RefreshSessionToken"),
    DH_SVC("TableService", "EmptyTable"),
    DH_SVC("TableService", "TimeTable"),
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/StartConsole",
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/ExecuteCommand",
    "/io.deephaven.proto.backplane.script.grpc.ConsoleService/BindTableToVariable",
};

static const struct method *find_method(const char *path)
{
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
        for (const struct method *m = services[s]; m->path; m++)
            if (strcmp(m->path, path) == 0)
                return m;
    return NULL;
}

/* SessionServiceInterceptor.interceptCall: a header, if any, must authenticate. 0 or -1
 * after finishing the call. */
static int authenticate(struct call_ctx *x)
{
    /* Room for OIDC-sized credentials (clients send up to 64 KB). */
    enum { AUTH_HEADER_MAX = 96 * 1024 };
    char *value = malloc(AUTH_HEADER_MAX);
    if (!value) {
        call_finish(x, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    int too_long = 0;
    int rc = 0;
    if (demo_call_header(x->c, "authorization", value, AUTH_HEADER_MAX, &too_long) != 0 &&
        !too_long) {
        rc = 0; /* no header: handlers needing a session say UNAUTHENTICATED */
    } else if (too_long || demo_auth(x->app->reg, value, &x->s) != 0) {
        call_finish(x, GRPC_STATUS_UNAUTHENTICATED, "Authentication details invalid");
        rc = -1;
    }
    free(value);
    return rc;
}

/* A method this server lacks: UNIMPLEMENTED, saying so by name for upstream ones. */
static void finish_unknown_method(struct demo_call *call)
{
    char msg[600];
    const char *path = demo_call_method(call);
    int upstream = 0;
    for (size_t i = 0; i < sizeof unserved / sizeof unserved[0]; i++)
        upstream |= strcmp(path, unserved[i]) == 0;
    if (upstream) /* a real server has it: say that this one does not */
        snprintf(msg, sizeof msg, "dhtui demo server: %s is not implemented",
                 strrchr(path, '/') + 1);
    else /* grpc-java's answer for a method no service registered */
        snprintf(msg, sizeof msg, "Method not found: %.500s", path[0] == '/' ? path + 1 : path);
    demo_call_finish(call, GRPC_STATUS_UNIMPLEMENTED, msg);
}

/* Receive the one request of a non-BIDI call and check that it parses as m's request.
 * 0 with *req (free it); -1 when the call is over (finished, or the client went away). */
static int recv_request(struct call_ctx *x, const struct method *m, uint8_t **req, size_t *len)
{
    int rc = demo_call_recv(x->c, req, len, -1);
    while (rc == DEMO_RECV_TIMEOUT && !demo_call_is_dead(x->c))
        rc = demo_call_recv(x->c, req, len, -1);
    if (rc == DEMO_RECV_END)
        call_finish(x, GRPC_STATUS_INTERNAL, "Half-closed without a request");
    if (rc != DEMO_RECV_MSG)
        return -1;
    ProtobufCMessage *check = call_unpack(x, m->request, *req, *len);
    if (!check) {
        free(*req);
        *req = NULL;
        return -1;
    }
    protobuf_c_message_free_unpacked(check, NULL);
    return 0;
}

void demo_handle_call(void *app, struct demo_call *call)
{
    struct call_ctx x = {app, call, NULL, {NULL}, 0};
    const struct method *m = find_method(demo_call_method(call));
    if (!m) {
        finish_unknown_method(call);
        return;
    }
    if (authenticate(&x) != 0)
        return;
    demo_call_set_header_fn(call, call_bearer_hook, &x);
    demo_call_set_stop_fn(call, call_stop_hook, &x);
    uint8_t *req = NULL;
    size_t len = 0;
    if (m->kind == BIDI || recv_request(&x, m, &req, &len) == 0) {
        m->fn(&x, req, len);
        free(req);
        if (!demo_call_finished(call) && !demo_call_is_dead(call))
            demo_call_finish(call, GRPC_STATUS_INTERNAL,
                             "demo server: handler ended without a status");
    }
    demo_call_finish(call, GRPC_STATUS_CANCELLED, "");
    /* x lives on this stack: the rpc layer must not call back into it. */
    demo_call_set_header_fn(call, NULL, NULL);
    demo_call_set_stop_fn(call, NULL, NULL);
    demo_session_unref(x.app->reg, x.s);
    for (size_t i = 0; i < x.n_held; i++)
        demo_object_unref(x.held[i]);
}
