/* SPDX-License-Identifier: MIT */
/* subprocess: posix_spawnp with pipes, poll with a deadline, then waitpid. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dh_clock.h"

extern char **environ;

int subprocess_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!name || !*name || !path)
        return 0;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        char file[PATH_MAX];
        if (n > 0 &&
            snprintf(file, sizeof file, "%.*s/%s", (int)n, path, name) < (int)sizeof file) {
            struct stat st;
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

/* The pipes and the child of one run; -1 where closed. */
struct run {
    int to_child, from_child;
    pid_t pid;
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Start the child: its stdin reads in_fd, stdout writes out_fd (or /dev/null). */
static int start(char *const argv[], int in_fd, int out_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    int rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    if (rc == 0 && out_fd >= 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? 0 : -1;
}

/* Feed the input and collect output until both pipes are done or the deadline. */
static int pump(struct run *r, const char *in, size_t inlen, char *out, size_t outcap,
                int64_t deadline)
{
    size_t sent = 0, got = 0;
    if (inlen == 0)
        close_fd(&r->to_child);
    while (r->to_child >= 0 || r->from_child >= 0) {
        int64_t left = deadline - dh_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p[2] = {{r->to_child, POLLOUT, 0}, {r->from_child, POLLIN, 0}};
        int n = poll(p, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (p[0].revents & (POLLERR | POLLHUP)) {
            close_fd(&r->to_child); /* it stopped reading: fine, it decides */
        } else if (p[0].revents & POLLOUT) {
            ssize_t w = write(r->to_child, in + sent, inlen - sent);
            if (w > 0)
                sent += (size_t)w;
            if ((w < 0 && errno != EINTR && errno != EAGAIN) || sent == inlen)
                close_fd(&r->to_child);
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            char scratch[256];
            char *dst = got + 1 < outcap ? out + got : scratch;
            size_t room = got + 1 < outcap ? outcap - 1 - got : sizeof scratch;
            ssize_t rd = read(r->from_child, dst, room);
            if (rd > 0 && dst != scratch)
                got += (size_t)rd;
            if (rd == 0 || (rd < 0 && errno != EINTR && errno != EAGAIN))
                close_fd(&r->from_child);
        }
    }
    if (out && outcap)
        out[got] = '\0';
    return 0;
}

/* Reap the child by the deadline, or kill it. Its exit status, or -1. */
static int reap(pid_t pid, int64_t deadline)
{
    for (;;) {
        int status = 0;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (w < 0 && errno != EINTR)
            return -1;
        if (dh_now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            return -1;
        }
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int subprocess_pipe(char *const argv[], const char *in, size_t inlen, char *out, size_t outcap,
                    int timeout_ms)
{
    int in_pipe[2], out_pipe[2] = {-1, -1};
    if (out && outcap)
        out[0] = '\0';
    if (pipe2(in_pipe, O_CLOEXEC) != 0)
        return -1;
    if (out && outcap && pipe2(out_pipe, O_CLOEXEC) != 0) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        return -1;
    }
    /* A helper that exits before reading must not kill us with SIGPIPE. */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    struct run r = {in_pipe[1], out_pipe[0], -1};
    int started = start(argv, in_pipe[0], out_pipe[1], &r.pid) == 0;
    close(in_pipe[0]);
    if (out_pipe[1] >= 0)
        close(out_pipe[1]);
    int rc = -1;
    if (started) {
        fcntl(r.to_child, F_SETFL, O_NONBLOCK);
        int64_t deadline = dh_now_ms() + timeout_ms;
        int pumped = pump(&r, in, inlen, out, outcap, deadline);
        close_fd(&r.to_child);
        close_fd(&r.from_child);
        rc = reap(r.pid, pumped == 0 ? deadline : dh_now_ms());
    }
    close_fd(&r.to_child);
    close_fd(&r.from_child);
    /* Drop a SIGPIPE our writes raised before unblocking. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
