/* SPDX-License-Identifier: MIT */
/* demo.c: launching the bundled demo server for `dhtui --demo`. */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dh_text.h"
#include "dhtui_config.h"

#define DEMO_LISTEN_PREFIX "listening on "

void demo_server_init(struct demo_server *d)
{
    memset(d, 0, sizeof *d);
    d->ctl_fd = -1;
    d->out_fd = -1;
    d->err_fd = -1;
}

/* Monotonic milliseconds. */
static int64_t demo_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if path names an executable regular file. */
static int demo_is_executable(const char *path)
{
    return access(path, X_OK) == 0;
}

/* dir + "/" + name into buf; 0, or -1 when it does not fit. */
static int demo_join(char *buf, size_t n, const char *dir, size_t dirlen, const char *name)
{
    int w = snprintf(buf, n, "%.*s/%s", (int)dirlen, dir, name);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

int demo_server_find(char *buf, size_t n)
{
    const char *env = getenv("DHTUI_DEMO_SERVER");
    if (env && env[0]) {
        if (snprintf(buf, n, "%s", env) >= (int)n)
            return -1;
        return demo_is_executable(buf) ? 0 : -1;
    }
    /* Next to our own binary (the build tree), then in libexec relative to it
     * (an installed dhtui: bin/dhtui finds libexec/dhtui/dhtui-demo-server). */
    char self[1024];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        size_t dirlen = slash ? (size_t)(slash - self) : 0;
        if (slash && demo_join(buf, n, self, dirlen, DH_SERVER_BINARY_NAME) == 0 &&
            demo_is_executable(buf))
            return 0;
        if (slash &&
            demo_join(buf, n, self, dirlen,
                      DH_SERVER_LIBEXEC_FROM_BINDIR "/" DH_SERVER_BINARY_NAME) == 0 &&
            demo_is_executable(buf))
            return 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        return -1;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t dirlen = end ? (size_t)(end - path) : strlen(path);
        if (dirlen > 0 && demo_join(buf, n, path, dirlen, DH_SERVER_BINARY_NAME) == 0 &&
            demo_is_executable(buf))
            return 0;
        if (!end)
            break;
        path = end + 1;
    }
    return -1;
}

/* Mark fd close-on-exec (the child gets only the descriptors it dup2s). */
static void demo_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0)
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* An unlinked temporary file for the server's stderr, or -1. */
static int demo_stderr_file(void)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/dhtui-demo-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return -1;
    unlink(tmpl);
    demo_cloexec(fd);
    return fd;
}

/* The child's side of the fork: only async-signal-safe calls until exec. */
static void demo_child(const char *path, char *const argv[], int in_fd, int out_fd, int err_fd,
                       pid_t parent)
{
    /* Its own process group: the terminal's Ctrl-C is for dhtui, which then
     * stops the server in order (releasing what it published first). */
    setpgid(0, 0);
    /* And it must not outlive us if we are killed. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
        _exit(127);
    if (err_fd >= 0)
        dup2(err_fd, 2);
    execv(path, argv);
    _exit(127);
}

/* The first line of what the server wrote to stderr, sanitised, or "". */
static void demo_stderr_line(struct demo_server *d, char *buf, size_t n)
{
    buf[0] = '\0';
    if (d->err_fd < 0 || n == 0)
        return;
    char raw[512];
    ssize_t got = pread(d->err_fd, raw, sizeof raw - 1, 0);
    if (got <= 0)
        return;
    size_t len = (size_t)got;
    char *nl = memchr(raw, '\n', len);
    if (nl)
        len = (size_t)(nl - raw);
    dh_text_sanitize(raw, len, buf, n, DH_SANITIZE_TAB_AS_SPACE, NULL);
}

/* Describe how the child ended (it has exited or been signalled). */
static void demo_exit_text(int status, char *buf, size_t n)
{
    if (WIFEXITED(status))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, n, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, n, "stopped");
}

/* Parse "listening on HOST:PORT" into d; 0 or -1. */
static int demo_parse_listen(struct demo_server *d, const char *line)
{
    size_t plen = strlen(DEMO_LISTEN_PREFIX);
    if (strncmp(line, DEMO_LISTEN_PREFIX, plen) != 0)
        return -1;
    const char *addr = line + plen;
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof d->host)
        return -1;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || (*end != '\0' && *end != '\r') || port <= 0 || port > 65535)
        return -1;
    memcpy(d->host, addr, (size_t)(colon - addr));
    d->host[colon - addr] = '\0';
    d->port = (int)port;
    return 0;
}

/* Read the server's first stdout line within timeout_ms. Returns 0 with the
 * line in buf, 1 on EOF (the server died), -1 on timeout. */
static int demo_read_line(int fd, int timeout_ms, char *buf, size_t n)
{
    size_t used = 0;
    int64_t deadline = demo_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - demo_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        char c;
        ssize_t got = read(fd, &c, 1); /* byte by byte: nothing after the line is consumed */
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 1;
        if (c == '\n' || used + 1 >= n) {
            buf[used] = '\0';
            return 0;
        }
        buf[used++] = c;
    }
}

/* Fail start-up: kill what was started, then write the sentence. */
static int demo_fail(struct demo_server *d, char *err, size_t errlen, const char *what)
{
    char said[256];
    demo_stderr_line(d, said, sizeof said);
    demo_server_stop(d);
    if (said[0])
        snprintf(err, errlen, "start the demo server %s: %s (it said: %s)", d->path, what, said);
    else
        snprintf(err, errlen, "start the demo server %s: %s", d->path, what);
    return -1;
}

int demo_server_start(struct demo_server *d, const struct demo_server_options *opt, char *err,
                      size_t errlen)
{
    if (demo_server_find(d->path, sizeof d->path) != 0) {
        snprintf(err, errlen,
                 "start the demo server: %s was found neither next to dhtui, nor "
                 "in " DH_SERVER_LIBEXEC_FROM_BINDIR " from there, nor in $PATH "
                 "(set DHTUI_DEMO_SERVER to its path)",
                 DH_SERVER_BINARY_NAME);
        return -1;
    }
    char rows[32] = "";
    char *argv[10];
    int argc = 0;
    argv[argc++] = d->path;
    argv[argc++] = (char *)"--port";
    argv[argc++] = (char *)"0";
    argv[argc++] = (char *)"--quiet";
    argv[argc++] = (char *)"--samples";
    if (opt && opt->rows > 0) {
        snprintf(rows, sizeof rows, "%" PRId64, opt->rows);
        argv[argc++] = (char *)"--rows";
        argv[argc++] = rows;
    }
    argv[argc] = NULL;

    int in[2], out[2];
    if (pipe(in) != 0)
        return demo_fail(d, err, errlen, strerror(errno));
    if (pipe(out) != 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        return demo_fail(d, err, errlen, strerror(e));
    }
    demo_cloexec(in[0]);
    demo_cloexec(in[1]);
    demo_cloexec(out[0]);
    demo_cloexec(out[1]);
    d->err_fd = demo_stderr_file();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        demo_child(d->path, argv, in[0], out[1], d->err_fd, parent);
    int fork_errno = errno;
    close(in[0]);
    close(out[1]);
    d->ctl_fd = in[1];
    d->out_fd = out[0];
    if (pid < 0)
        return demo_fail(d, err, errlen, strerror(fork_errno));
    setpgid(pid, pid); /* as the child does: whichever runs first, the group exists */
    d->pid = pid;

    char line[256];
    int timeout = opt && opt->startup_timeout_ms > 0 ? opt->startup_timeout_ms : 10000;
    int r = demo_read_line(d->out_fd, timeout, line, sizeof line);
    if (r < 0) {
        char what[96];
        snprintf(what, sizeof what, "it did not report its port within %d ms", timeout);
        return demo_fail(d, err, errlen, what);
    }
    if (r > 0) {
        int status = 0;
        char how[64] = "exited";
        if (waitpid(d->pid, &status, 0) == d->pid) {
            d->pid = 0;
            demo_exit_text(status, how, sizeof how);
        }
        return demo_fail(d, err, errlen, how);
    }
    if (demo_parse_listen(d, line) != 0) {
        char safe[256], what[320];
        dh_text_sanitize(line, strlen(line), safe, sizeof safe, 0, NULL);
        snprintf(what, sizeof what, "expected \"listening on HOST:PORT\" but it printed \"%s\"",
                 safe);
        return demo_fail(d, err, errlen, what);
    }
    return 0;
}

/* Wait up to ms for the child to exit; 1 if it did (and was reaped). */
static int demo_wait(struct demo_server *d, int ms)
{
    int64_t deadline = demo_now_ms() + ms;
    for (;;) {
        int status;
        pid_t r = waitpid(d->pid, &status, WNOHANG);
        if (r == d->pid || (r < 0 && errno == ECHILD))
            return 1;
        if (demo_now_ms() >= deadline)
            return 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Write `quit` to the control channel without dying of SIGPIPE if it is gone. */
static void demo_send_quit(int fd)
{
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    ssize_t w = write(fd, "quit\n", 5);
    (void)w;
    sigaction(SIGPIPE, &old, NULL);
}

void demo_server_stop(struct demo_server *d)
{
    if (d->pid > 0) {
        if (d->ctl_fd >= 0)
            demo_send_quit(d->ctl_fd);
        if (!demo_wait(d, 3000)) {
            /* The whole group: a wrapper script's children go too. */
            kill(-d->pid, SIGTERM);
            if (!demo_wait(d, 2000)) {
                kill(-d->pid, SIGKILL);
                demo_wait(d, 2000);
            }
        }
        d->pid = 0;
    }
    if (d->ctl_fd >= 0)
        close(d->ctl_fd);
    if (d->out_fd >= 0)
        close(d->out_fd);
    if (d->err_fd >= 0)
        close(d->err_fd);
    d->ctl_fd = d->out_fd = d->err_fd = -1;
}
