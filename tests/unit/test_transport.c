/* SPDX-License-Identifier: MIT */
/* test_transport.c: the transport against a peer that never answers: the
 * deadline holds, and an interrupt ends a blocked call at once. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "deephaven_core/proto/config.pb-c.h"
#include "dh_session.h"
#include "dh_transport.h"

/* A loopback socket that listens but never accepts: the kernel completes the
 * TCP handshake, and then nothing ever answers. Returns the fd; *port set. */
static int silent_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

struct call_ctx {
    struct dh_channel *ch;
    int timeout_ms;
    int rc;
    int64_t elapsed_ms;
    struct dh_error err;
};

static void *run_call(void *arg)
{
    struct call_ctx *cx = arg;
    Io__Deephaven__Proto__Backplane__Grpc__ConfigurationConstantsRequest req =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIGURATION_CONSTANTS_REQUEST__INIT;
    struct dh_buf resp = {0};
    int64_t t0 = dh_now_ms();
    cx->rc = dh_call_unary(cx->ch, NULL, DH_M_GET_CONFIGURATION_CONSTANTS, &req.base,
                           cx->timeout_ms, &resp, "config", &cx->err);
    cx->elapsed_ms = dh_now_ms() - t0;
    dh_buf_reset(&resp);
    return NULL;
}

static struct dh_channel *channel_to(int port)
{
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    struct dh_channel_options o = {.target = target};
    return dh_channel_new(&o, NULL);
}

static void test_deadline(void)
{
    int port;
    int fd = silent_listener(&port);
    CHECK_REQ(fd >= 0);
    struct call_ctx cx = {.ch = channel_to(port), .timeout_ms = 500};
    CHECK_REQ(cx.ch != NULL);
    run_call(&cx);
    CHECK_INT(cx.rc, DH_EGRPC);
    CHECK_INT(cx.err.grpc_status, DH_GRPC_DEADLINE_EXCEEDED);
    CHECK(cx.elapsed_ms >= 400 && cx.elapsed_ms < 3000);
    dh_channel_free(cx.ch);
    close(fd);
}

static void test_interrupt_ends_blocked_call(void)
{
    int port;
    int fd = silent_listener(&port);
    CHECK_REQ(fd >= 0);
    struct call_ctx cx = {.ch = channel_to(port), .timeout_ms = 30000};
    CHECK_REQ(cx.ch != NULL);
    pthread_t th;
    CHECK_REQ(pthread_create(&th, NULL, run_call, &cx) == 0);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
    dh_channel_interrupt(cx.ch, 1);
    pthread_join(th, NULL);
    CHECK_INT(cx.rc, DH_ECANCELLED);
    CHECK(cx.elapsed_ms < 2000); /* not the 30 s deadline */
    /* While interrupted, new calls fail at once; allowed again, they run. */
    cx.timeout_ms = 300;
    run_call(&cx);
    CHECK_INT(cx.rc, DH_ECANCELLED);
    dh_channel_interrupt(cx.ch, 0);
    run_call(&cx);
    CHECK_INT(cx.err.grpc_status, DH_GRPC_DEADLINE_EXCEEDED);
    dh_channel_free(cx.ch);
    close(fd);
}

int main(void)
{
    CHECK_RUN(T(test_deadline), T(test_interrupt_ends_blocked_call));
}
