/* SPDX-License-Identifier: MIT */
/* demo: starting and stopping the bundled demo server (dhtui-demo-server) for
 * `dhtui --demo`: find the binary, spawn it on a free loopback port, learn the
 * port from its first output line, and make sure it goes away with us. */
#ifndef DHTUI_DEMO_H
#define DHTUI_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A running demo server. Caller-allocated; demo_server_init, then
 * demo_server_start; demo_server_stop is idempotent. */
struct demo_server {
    pid_t pid;     /* 0 when not running */
    int ctl_fd;    /* write end of the server's stdin (control channel) */
    int out_fd;    /* read end of its stdout */
    int err_fd;    /* an unlinked temporary file holding its stderr, or -1 */
    char host[64]; /* "127.0.0.1" */
    int port;
    char path[1024]; /* the binary that was started */
};

/* How to start it. */
struct demo_server_options {
    int64_t rows;           /* rows of `trades`; <= 0 = the server's default */
    int startup_timeout_ms; /* <= 0 = 10000 */
};

/* Clear d so that demo_server_stop is safe. UI thread. */
void demo_server_init(struct demo_server *d);

/* Find dhtui-demo-server ($DHTUI_DEMO_SERVER, else next to this executable
 * (/proc/self/exe: the build tree), else in libexec relative to it (an
 * installed dhtui), else $PATH), start it with `--port 0 --quiet` in its own
 * process group, and wait for `listening on <host>:<port>`. Returns 0, or -1
 * with one sentence in err (what failed, and the server's own words when it
 * said any). UI thread, before any other thread exists. */
int demo_server_start(struct demo_server *d, const struct demo_server_options *opt, char *err,
                      size_t errlen);

/* Ask the server to quit (`quit` on its control channel), then SIGTERM, then
 * SIGKILL, waiting for it each time. Idempotent. UI thread. */
void demo_server_stop(struct demo_server *d);

/* Locate the server binary as demo_server_start does. Returns 0 with the path
 * in buf, or -1 if it cannot be found. UI thread. */
int demo_server_find(char *buf, size_t n);

#endif
