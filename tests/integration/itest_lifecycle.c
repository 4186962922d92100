/* SPDX-License-Identifier: MIT */
/* itest_lifecycle.c: the asynchronous client's connection lifecycle against a
 * demo server this program runs itself (so it can kill -9, stop and restart
 * it on the same port): prompt reconnection after a restart, quitting fast
 * after many session renewals on a stalled server, and the "stalled" state.
 * Usage: itest_lifecycle SERVER_BINARY. Prints the measured figures. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dh_client.h"

static const char *g_server_bin;

/* A demo server we run: its pid, port and control pipe (its stdin). */
struct server {
    pid_t pid;
    int port;
    int ctl_fd;
};

/* Start the server on port (0: any) and read its "listening on" line. */
static int server_start(struct server *sv, int port)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    char port_arg[16];
    snprintf(port_arg, sizeof port_arg, "%d", port);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(g_server_bin, g_server_bin, "--port", port_arg, "--quiet", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    sv->pid = pid;
    sv->ctl_fd = in[1];
    char line[128];
    size_t n = 0;
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    int64_t until = dh_now_ms() + 10000;
    while (n + 1 < sizeof line && dh_now_ms() < until && poll(&p, 1, 100) >= 0) {
        if (!(p.revents & (POLLIN | POLLHUP)))
            continue;
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(out[0]); /* the server ignores a closed stdout (--quiet) */
    const char *colon = strrchr(line, ':');
    if (strncmp(line, "listening on ", 13) != 0 || !colon) {
        fprintf(stderr, "server did not start: '%s'\n", line);
        return -1;
    }
    sv->port = atoi(colon + 1);
    return 0;
}

static void server_kill(struct server *sv)
{
    if (sv->pid <= 0)
        return;
    kill(sv->pid, SIGCONT);
    kill(sv->pid, SIGKILL);
    waitpid(sv->pid, NULL, 0);
    close(sv->ctl_fd);
    sv->pid = 0;
}

static void server_ctl(struct server *sv, const char *cmd)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    ssize_t w = write(sv->ctl_fd, line, (size_t)n);
    (void)w;
}

static struct dh_client *open_client(int port)
{
    struct dh_client_options o = {0};
    o.connect.host = "127.0.0.1";
    o.connect.port = port;
    struct dh_error e;
    struct dh_client *c = dh_client_new(&o, &e);
    if (!c)
        fprintf(stderr, "dh_client_new: %s\n", e.msg);
    return c;
}

/* Wait up to timeout_ms for a connection event with state st (other events
 * are dropped); 1 if it came. */
static int wait_conn(struct dh_client *c, enum dh_conn_state st, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_now_ms() < until) {
        struct dh_event *ev;
        while ((ev = dh_client_next_event(c))) {
            int hit = ev->kind == DH_EV_CONNECTION && ev->conn_state == st;
            if (getenv("IT_TRACE") && ev->kind == DH_EV_CONNECTION)
                fprintf(stderr, "%lld conn %d %s\n", (long long)dh_now_ms(), ev->conn_state,
                        ev->err.msg);
            dh_event_free(ev);
            if (hit)
                return 1;
        }
        struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
        poll(&p, 1, 50);
    }
    return 0;
}

/* A fresh server and a client connected to it; NULL on failure. */
static struct dh_client *start_connected(struct server *sv)
{
    if (server_start(sv, 0) != 0)
        return NULL;
    struct dh_client *c = open_client(sv->port);
    if (c && !wait_conn(c, DH_CONN_CONNECTED, 10000)) {
        dh_client_free(c);
        c = NULL;
    }
    if (!c)
        server_kill(sv);
    return c;
}

/* Wait up to timeout_ms for dh_client_conn_state to be st; 1 if it was. */
static int wait_state(struct dh_client *c, enum dh_conn_state st, int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_client_conn_state(c) != st && dh_now_ms() < until)
        poll(NULL, 0, 100);
    return dh_client_conn_state(c) == st;
}

/* Stop the server (SIGSTOP) and ask for rows it will not answer while stopped. */
static void stall_with_call(struct dh_client *c, const struct server *sv)
{
    kill(sv->pid, SIGSTOP);
    struct dh_source src = {0};
    dh_ticket_make_app(&src.ticket, "demo", "trades", NULL);
    dh_client_rows(c, &src, 0, 10);
}

/* kill -9 the server, keep it down 4 s (the client's back-off grows to its
 * cap), restart it on the same port: the client is back within seconds, not
 * after gRPC's own back-off (up to 120 s). */
static void test_reconnect_after_restart(void)
{
    struct server sv;
    struct dh_client *c = start_connected(&sv);
    CHECK_REQ(c != NULL);
    int port = sv.port;
    server_kill(&sv);
    CHECK(wait_conn(c, DH_CONN_RETRYING, 10000));
    CHECK(dh_client_next_try_in_ms(c) >= 0);
    struct timespec down = {4, 0};
    nanosleep(&down, NULL);
    CHECK_REQ(server_start(&sv, port) == 0);
    int64_t t0 = dh_now_ms();
    int back = wait_conn(c, DH_CONN_CONNECTED, 20000);
    int64_t took = dh_now_ms() - t0;
    printf("# reconnected %lld ms after the server's restart\n", (long long)took);
    CHECK(back);
    CHECK(took < 5000);
    CHECK_INT(dh_client_conn_state(c), DH_CONN_CONNECTED);
    dh_client_free(c);
    server_kill(&sv);
}

/* Renew the session many times, stall the server (SIGSTOP) with a call
 * outstanding: the state says "stalled", and quitting still takes well
 * under a second (it took 2 s per session ever held). */
static void test_quit_fast_after_renewals_on_stalled_server(void)
{
    struct server sv;
    struct dh_client *c = start_connected(&sv);
    CHECK_REQ(c != NULL);
    int renewals = 0;
    for (int i = 0; i < 20; i++) {
        server_ctl(&sv, "expire-all");
        if (!wait_conn(c, DH_CONN_CONNECTED, 10000))
            break;
        renewals++;
    }
    CHECK_INT(renewals, 20);
    stall_with_call(c, &sv);
    CHECK(wait_state(c, DH_CONN_STALLED, 8000));
    CHECK(dh_client_stalled_ms(c) >= 3000);
    int64_t t0 = dh_now_ms();
    dh_client_free(c);
    int64_t took = dh_now_ms() - t0;
    printf("# quit in %lld ms after %d renewals, server stalled\n", (long long)took, renewals);
    CHECK(took < 1000);
    server_kill(&sv);
}

/* A stall that ends: "stalled" goes back to "connected" by itself. */
static void test_stall_clears(void)
{
    struct server sv;
    struct dh_client *c = start_connected(&sv);
    CHECK_REQ(c != NULL);
    stall_with_call(c, &sv);
    CHECK(wait_state(c, DH_CONN_STALLED, 8000));
    kill(sv.pid, SIGCONT);
    CHECK(wait_state(c, DH_CONN_CONNECTED, 8000));
    dh_client_free(c);
    server_kill(&sv);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: itest_lifecycle SERVER_BINARY\n");
        return 2;
    }
    g_server_bin = argv[1];
    signal(SIGPIPE, SIG_IGN);
    CHECK_RUN(T(test_reconnect_after_restart), T(test_quit_fast_after_renewals_on_stalled_server),
              T(test_stall_clears));
}
