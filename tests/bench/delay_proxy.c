/* SPDX-License-Identifier: MIT */
/* delay_proxy: a loopback TCP proxy that adds a fixed one-way delay, for the
 * paging benchmark and the prefetch e2e test (a remote server, on one machine).
 *
 * usage: delay_proxy --target PORT --delay MS [--port N] [--max-seconds S]
 * Listens on 127.0.0.1:N (0, the default, picks a free port), prints
 * "listening on 127.0.0.1:<port>", and forwards every connection to
 * 127.0.0.1:PORT (never anywhere else). Every chunk read from either side is
 * passed on MS milliseconds after it arrived, in order; chunks pipeline (a
 * queue per direction), so the delay is latency, not a throughput cap: a round
 * trip through it takes 2 * MS more. Bounded: at most MAX_CONNS connections,
 * QUEUE_MAX bytes queued per direction (reading pauses beyond). Exits after
 * --max-seconds (default 900) or on SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 32
#define CHUNK 16384
#define QUEUE_MAX (8 << 20)

/* Bytes read at one instant, due to go on at ready_at. */
struct chunk {
    struct chunk *next;
    int64_t ready_at;
    size_t len, off;
    uint8_t data[CHUNK];
};

/* One direction: read from fd[from], queued, written to fd[1 - from]. */
struct flow {
    struct chunk *head, *tail;
    size_t queued;
    int eof; /* the reading side closed: shut the other's write side once drained */
};

struct conn {
    int fd[2]; /* 0 the client, 1 the server */
    struct flow flow[2];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_socket_opts(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void conn_free(struct conn *c)
{
    for (int d = 0; d < 2; d++) {
        close(c->fd[d]);
        struct chunk *k = c->flow[d].head;
        while (k) {
            struct chunk *next = k->next;
            free(k);
            k = next;
        }
    }
    free(c);
}

static struct conn *conn_open(int client, int target_port)
{
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0)
        return NULL;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)target_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(server, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(server);
        return NULL;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(server);
        return NULL;
    }
    c->fd[0] = client;
    c->fd[1] = server;
    set_socket_opts(client);
    set_socket_opts(server);
    return c;
}

/* Read what side `from` has into its queue, stamped with the delay. 0 on
 * success (or nothing to read), -1 on a reset. */
static int flow_read(struct conn *c, int from, int delay_ms)
{
    struct flow *f = &c->flow[from];
    struct chunk *k = malloc(sizeof *k);
    if (!k)
        return -1;
    ssize_t got = read(c->fd[from], k->data, sizeof k->data);
    if (got <= 0) {
        free(k);
        if (got == 0) {
            f->eof = 1;
            return 0;
        }
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    }
    k->next = NULL;
    k->len = (size_t)got;
    k->off = 0;
    k->ready_at = now_ms() + delay_ms;
    if (f->tail)
        f->tail->next = k;
    else
        f->head = k;
    f->tail = k;
    f->queued += k->len;
    return 0;
}

/* Write the due chunks of flow `from` to the other side. -1 on a reset. */
static int flow_write(struct conn *c, int from, int64_t now)
{
    struct flow *f = &c->flow[from];
    while (f->head && f->head->ready_at <= now) {
        struct chunk *k = f->head;
        ssize_t put = write(c->fd[1 - from], k->data + k->off, k->len - k->off);
        if (put < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        k->off += (size_t)put;
        if (k->off < k->len)
            return 0;
        f->head = k->next;
        if (!f->head)
            f->tail = NULL;
        f->queued -= k->len;
        free(k);
    }
    if (f->eof && !f->head)
        shutdown(c->fd[1 - from], SHUT_WR);
    return 0;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    int target = 0, port = 0, delay = -1;
    long max_seconds = 900;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--target") == 0)
            target = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--delay") == 0)
            delay = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--max-seconds") == 0)
            max_seconds = atol(argv[i + 1]);
    }
    if (target <= 0 || target > 65535 || port < 0 || port > 65535 || delay < 0) {
        fprintf(stderr, "usage: delay_proxy --target PORT --delay MS [--port N] "
                        "[--max-seconds S]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
        perror("delay_proxy: listen");
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
    fflush(stdout);

    struct conn *conns[MAX_CONNS] = {0};
    int64_t end = now_ms() + max_seconds * 1000;
    while (!stop && now_ms() < end) {
        struct pollfd pfd[1 + 2 * MAX_CONNS];
        int np = 0, owner[1 + 2 * MAX_CONNS];
        pfd[np] = (struct pollfd){.fd = lfd, .events = POLLIN};
        owner[np++] = -1;
        int64_t now = now_ms(), wake = now + 1000;
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = conns[i];
            if (!c)
                continue;
            for (int d = 0; d < 2; d++) {
                short ev = 0;
                const struct flow *in = &c->flow[d], *out = &c->flow[1 - d];
                if (!in->eof && in->queued < QUEUE_MAX)
                    ev |= POLLIN;
                if (out->head && out->head->ready_at <= now)
                    ev |= POLLOUT; /* bytes due to side d */
                if (out->head && out->head->ready_at > now && out->head->ready_at < wake)
                    wake = out->head->ready_at;
                pfd[np] = (struct pollfd){.fd = c->fd[d], .events = ev};
                owner[np++] = i * 2 + d;
            }
        }
        int timeout = (int)(wake - now);
        if (poll(pfd, (nfds_t)np, timeout < 0 ? 0 : timeout) < 0 && errno != EINTR)
            break;
        if (pfd[0].revents & POLLIN) {
            int cfd = accept(lfd, NULL, NULL);
            int slot = -1;
            for (int i = 0; i < MAX_CONNS && cfd >= 0; i++) {
                if (!conns[i]) {
                    slot = i;
                    break;
                }
            }
            struct conn *c = slot >= 0 ? conn_open(cfd, target) : NULL;
            if (c)
                conns[slot] = c;
            else if (cfd >= 0)
                close(cfd);
        }
        for (int p = 1; p < np; p++) {
            int i = owner[p] / 2, d = owner[p] % 2;
            struct conn *c = conns[i];
            if (!c)
                continue;
            int bad = 0;
            if (pfd[p].revents & POLLERR)
                bad = -1;
            else if (!c->flow[d].eof && (pfd[p].revents & (POLLIN | POLLHUP)))
                bad = flow_read(c, d, delay);
            if (!bad)
                bad = flow_write(c, 1 - d, now_ms());
            int done = c->flow[0].eof && c->flow[1].eof && !c->flow[0].head && !c->flow[1].head;
            if (bad || done) {
                conn_free(c);
                conns[i] = NULL;
            }
        }
        /* Chunks that fell due while nothing was readable or writable. */
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i] &&
                (flow_write(conns[i], 0, now_ms()) || flow_write(conns[i], 1, now_ms()))) {
                conn_free(conns[i]);
                conns[i] = NULL;
            }
        }
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i])
            conn_free(conns[i]);
    }
    close(lfd);
    return 0;
}
