/* SPDX-License-Identifier: MIT */
/* chaos_proxy: a loopback TCP proxy for the chaos tests that cuts, resets and slows the
 * link between dhtui and the demo server on command.
 *
 * usage: chaos_proxy --target PORT [--port N] [--max-seconds S]
 * Listens on 127.0.0.1:N (0, the default, picks a free port), prints
 * "listening on 127.0.0.1:<port>", and forwards every connection to 127.0.0.1:PORT (it
 * never connects anywhere else). Commands on stdin, one per line, one reply line each:
 *   cut N     reset every open connection, and reset new ones as they arrive, for N s
 *   drop      reset every open connection now (mid-stream); new ones are served
 *   slow MS   hold each chunk MS milliseconds before passing it on (both directions)
 *   pass      end a cut and a slow link
 *   stats     "open=N accepted=N reset=N"
 *   quit      exit
 * It exits by itself at EOF on stdin or after --max-seconds (default 900), so a test that
 * dies cannot leave it behind. Bounded: at most MAX_CONNS connections (more are reset),
 * one BUF_SIZE chunk in flight per direction. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define BUF_SIZE 65536
#define LINE_MAX_LEN 256
#define IDLE_POLL_MS 200

/* One direction of a connection: bytes read from one side, waiting to go to the other. */
struct flow {
    uint8_t buf[BUF_SIZE];
    size_t len;       /* bytes in buf */
    size_t off;       /* bytes of buf already written */
    int64_t ready_at; /* monotonic ms before which buf is held (slow link) */
};

/* A proxied connection: side 0 is the client, side 1 the server; flow[i] carries bytes
 * read from side i to side 1-i. */
struct conn {
    int fd[2];
    int connecting; /* the connect to the server is still in progress */
    struct flow flow[2];
};

struct proxy {
    int listen_fd;
    int target_port;
    struct conn *conns[MAX_CONNS];
    int64_t cut_until; /* monotonic ms; new connections are reset until then */
    int slow_ms;
    unsigned long accepted, resets;
    char line[LINE_MAX_LEN];
    size_t line_len;
    int line_too_long;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Close fd so the peer sees a reset (RST), not an orderly end. */
static void close_with_reset(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* End connection i: with a reset when reset is set, else an orderly close. */
static void conn_close(struct proxy *p, int i, int reset)
{
    struct conn *c = p->conns[i];
    for (int side = 0; side < 2; side++) {
        if (c->fd[side] < 0)
            continue;
        if (reset)
            close_with_reset(c->fd[side]);
        else
            close(c->fd[side]);
    }
    if (reset)
        p->resets++;
    free(c);
    p->conns[i] = NULL;
}

static void reset_all(struct proxy *p)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (p->conns[i])
            conn_close(p, i, 1);
}

static int open_count(const struct proxy *p)
{
    int n = 0;
    for (int i = 0; i < MAX_CONNS; i++)
        n += p->conns[i] != NULL;
    return n;
}

/* Accept one client; start its connection to the target unless the link is cut. */
static void accept_one(struct proxy *p)
{
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    p->accepted++;
    int slot = -1;
    for (int i = 0; i < MAX_CONNS && slot < 0; i++)
        if (!p->conns[i])
            slot = i;
    if (slot < 0 || now_ms() < p->cut_until) {
        close_with_reset(fd);
        p->resets++;
        return;
    }
    int up = socket(AF_INET, SOCK_STREAM, 0);
    struct conn *c = up >= 0 ? calloc(1, sizeof *c) : NULL;
    if (!c || set_nonblocking(fd) != 0 || set_nonblocking(up) != 0) {
        if (up >= 0)
            close(up);
        free(c);
        close_with_reset(fd);
        p->resets++;
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in to = loopback(p->target_port);
    int rc = connect(up, (struct sockaddr *)&to, sizeof to);
    c->fd[0] = fd;
    c->fd[1] = up;
    c->connecting = rc != 0;
    p->conns[slot] = c;
    if (rc != 0 && errno != EINPROGRESS)
        conn_close(p, slot, 1); /* the server is down: the client sees the link fail */
}

/* Run one control command line. Returns 1 for quit. */
static int command(struct proxy *p, char *line)
{
    char cmd[32];
    long v = 0;
    int n = sscanf(line, "%31s %ld", cmd, &v);
    if (n < 1)
        return 0;
    if (strcmp(cmd, "cut") == 0 && n == 2 && v >= 0 && v <= 3600) {
        p->cut_until = now_ms() + v * 1000;
        reset_all(p);
    } else if (strcmp(cmd, "drop") == 0 && n == 1) {
        reset_all(p);
    } else if (strcmp(cmd, "slow") == 0 && n == 2 && v >= 0 && v <= 60000) {
        p->slow_ms = (int)v;
    } else if (strcmp(cmd, "pass") == 0 && n == 1) {
        p->cut_until = 0;
        p->slow_ms = 0;
    } else if (strcmp(cmd, "stats") == 0 && n == 1) {
        reply("open=%d accepted=%lu reset=%lu", open_count(p), p->accepted, p->resets);
        return 0;
    } else if (strcmp(cmd, "quit") == 0 && n == 1) {
        reply("ok");
        return 1;
    } else {
        reply("error: commands: cut SECONDS, drop, slow MS, pass, stats, quit");
        return 0;
    }
    reply("ok");
    return 0;
}

/* Read what stdin has and run each complete line. Returns 1 to exit (quit or EOF). */
static int read_commands(struct proxy *p)
{
    char chunk[256];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0)
        return n < 0 && errno == EINTR ? 0 : 1;
    for (ssize_t i = 0; i < n; i++) {
        char ch = chunk[i];
        if (ch != '\n') {
            if (p->line_len + 1 < sizeof p->line)
                p->line[p->line_len++] = ch;
            else
                p->line_too_long = 1;
            continue;
        }
        p->line[p->line_len] = '\0';
        int quit = 0;
        if (p->line_too_long)
            reply("error: line too long");
        else
            quit = command(p, p->line);
        p->line_len = 0;
        p->line_too_long = 0;
        if (quit)
            return 1;
    }
    return 0;
}

/* Move bytes of connection i after poll: finish the connect, read into empty flows,
 * write ready ones. Closes the connection when either side ends or fails. */
static void service(struct proxy *p, int i, const short rev[2])
{
    struct conn *c = p->conns[i];
    if (c->connecting) {
        if (!(rev[1] & (POLLOUT | POLLERR | POLLHUP)))
            return;
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            conn_close(p, i, 1); /* refused: the client sees a reset */
            return;
        }
        c->connecting = 0;
        return;
    }
    for (int side = 0; side < 2; side++) {
        struct flow *f = &c->flow[side];
        int src = c->fd[side], dst = c->fd[1 - side];
        if (f->len == 0 && (rev[side] & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(src, f->buf, sizeof f->buf);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                conn_close(p, i, n < 0);
                return;
            }
            if (n > 0) {
                f->len = (size_t)n;
                f->off = 0;
                f->ready_at = now_ms() + p->slow_ms;
            }
        }
        if (f->len > f->off && now_ms() >= f->ready_at &&
            (rev[1 - side] & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(dst, f->buf + f->off, f->len - f->off);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                conn_close(p, i, 1);
                return;
            }
            if (n > 0)
                f->off += (size_t)n;
            if (f->off == f->len)
                f->len = f->off = 0;
        }
    }
}

/* Fill the poll set; returns the poll timeout (ms) that honours held chunks. */
static int build_poll(struct proxy *p, struct pollfd *pfd, int *idx)
{
    int timeout = IDLE_POLL_MS;
    int64_t now = now_ms();
    pfd[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    pfd[1] = (struct pollfd){p->listen_fd, POLLIN, 0};
    for (int i = 0; i < MAX_CONNS; i++) {
        struct conn *c = p->conns[i];
        idx[i] = -1;
        if (!c)
            continue;
        struct pollfd *q = &pfd[2 + 2 * i];
        idx[i] = 2 + 2 * i;
        q[0] = (struct pollfd){c->fd[0], 0, 0};
        q[1] = (struct pollfd){c->fd[1], 0, 0};
        if (c->connecting) {
            q[1].events = POLLOUT;
            continue;
        }
        for (int side = 0; side < 2; side++) {
            struct flow *f = &c->flow[side];
            if (f->len == 0) {
                q[side].events |= POLLIN;
            } else if (now >= f->ready_at) {
                q[1 - side].events |= POLLOUT;
            } else if (f->ready_at - now < timeout) {
                timeout = (int)(f->ready_at - now);
            }
        }
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (idx[i] < 0)
            pfd[2 + 2 * i] = pfd[3 + 2 * i] = (struct pollfd){-1, 0, 0};
    return timeout;
}

static int listen_on(int port, int *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(port);
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        set_nonblocking(fd) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

static int parse_port(const char *s, int lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    long target = -1, port = 0, max_seconds = 900;
    for (int i = 1; i + 1 < argc; i += 2) {
        long *dst = strcmp(argv[i], "--target") == 0        ? &target
                    : strcmp(argv[i], "--port") == 0        ? &port
                    : strcmp(argv[i], "--max-seconds") == 0 ? &max_seconds
                                                            : NULL;
        long hi = dst == &max_seconds ? 86400 : 65535;
        if (!dst || parse_port(argv[i + 1], dst == &target ? 1 : 0, hi, dst) != 0) {
            fprintf(stderr, "chaos_proxy: bad option '%s %s'\n", argv[i], argv[i + 1]);
            return 2;
        }
    }
    if (target < 0 || argc % 2 == 0) {
        fprintf(stderr, "usage: chaos_proxy --target PORT [--port N] [--max-seconds S]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    static struct proxy p; /* large (the connection table); zeroed */
    p.target_port = (int)target;
    int bound = 0;
    p.listen_fd = listen_on((int)port, &bound);
    if (p.listen_fd < 0) {
        fprintf(stderr, "chaos_proxy: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    reply("listening on 127.0.0.1:%d", bound);
    int64_t end = now_ms() + max_seconds * 1000;
    struct pollfd pfd[2 + 2 * MAX_CONNS];
    int idx[MAX_CONNS];
    while (now_ms() < end) {
        int timeout = build_poll(&p, pfd, idx);
        if (poll(pfd, 2 + 2 * MAX_CONNS, timeout) < 0 && errno != EINTR)
            break;
        if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) && read_commands(&p))
            break;
        for (int i = 0; i < MAX_CONNS; i++) {
            if (idx[i] < 0 || !p.conns[i])
                continue;
            short rev[2] = {pfd[idx[i]].revents, pfd[idx[i] + 1].revents};
            service(&p, i, rev);
        }
        if (pfd[1].revents & POLLIN)
            accept_one(&p);
    }
    reset_all(&p);
    close(p.listen_fd);
    return 0;
}
