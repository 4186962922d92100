/* SPDX-License-Identifier: MIT */
/* term_guard.c: signals into a self-pipe, and a terminal restore that is safe
 * to run inside a signal handler (write(2) and tcsetattr(3) only). */
#include "term_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Signals handled like keys or quit requests (through the pipe). */
static const int guard_plain[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
/* Signals that end the process: restore the terminal, then let them act. */
static const int guard_fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define GUARD_N_FATAL (sizeof guard_fatal / sizeof guard_fatal[0])

/* Signal handlers can only reach process-global state. */
static int guard_pipe[2] = {-1, -1};
static volatile sig_atomic_t guard_armed;    /* curses owns the terminal */
static volatile sig_atomic_t guard_quitting; /* a quit signal already came */
static volatile sig_atomic_t guard_left;     /* the loop ended */
static int guard_tty = -1;
static struct termios guard_termios;
static int guard_have_termios;
static char guard_undo[256];
static size_t guard_undo_len;
static struct sigaction guard_old_fatal[GUARD_N_FATAL];

/* Put the terminal back as it was before curses. Async-signal-safe. */
static void guard_restore(void)
{
    if (!guard_armed)
        return;
    guard_armed = 0;
    size_t off = 0;
    while (off < guard_undo_len) {
        ssize_t w = write(guard_tty, guard_undo + off, guard_undo_len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (guard_have_termios)
        tcsetattr(guard_tty, TCSANOW, &guard_termios);
}

/* Quit requests, resizes and Ctrl-C: a byte on the pipe for the UI loop; a
 * quit signal when one is already being handled, or after the loop ended,
 * ends the process here (the loop may be the thing that is stuck). */
static void guard_on_signal(int sig)
{
    int saved = errno;
    int quit = sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
    if ((quit && guard_quitting) || (guard_left && sig != SIGWINCH)) {
        guard_restore();
        _exit(128 + sig);
    }
    if (quit)
        guard_quitting = 1;
    unsigned char b = (unsigned char)sig;
    if (guard_pipe[1] >= 0) {
        ssize_t r = write(guard_pipe[1], &b, 1);
        (void)r;
    }
    errno = saved;
}

/* A crash: restore the terminal, then hand over to whoever handled the
 * signal before us (a sanitizer), or to the default action. */
static void guard_on_fatal(int sig, siginfo_t *info, void *uctx)
{
    guard_restore();
    for (size_t i = 0; i < GUARD_N_FATAL; i++) {
        if (guard_fatal[i] != sig)
            continue;
        const struct sigaction *old = &guard_old_fatal[i];
        if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
            old->sa_sigaction(sig, info, uctx);
            return;
        }
        if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler) {
            old->sa_handler(sig);
            return;
        }
    }
    /* The default action: the raised signal stays blocked until this handler
     * returns, then ends the process (a real fault would also recur, but a
     * kill(2)-sent one would not). */
    signal(sig, SIG_DFL);
    raise(sig);
}

int term_guard_install(void)
{
    if (pipe(guard_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(guard_pipe[i], F_SETFL, fcntl(guard_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(guard_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    guard_quitting = 0;
    guard_left = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = guard_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof guard_plain / sizeof guard_plain[0]; i++)
        sigaction(guard_plain[i], &sa, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = guard_on_fatal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    for (size_t i = 0; i < GUARD_N_FATAL; i++)
        sigaction(guard_fatal[i], &sa, &guard_old_fatal[i]);
    return 0;
}

void term_guard_remove(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof guard_plain / sizeof guard_plain[0]; i++)
        sigaction(guard_plain[i], &sa, NULL);
    for (size_t i = 0; i < GUARD_N_FATAL; i++)
        sigaction(guard_fatal[i], &guard_old_fatal[i], NULL);
    for (int i = 0; i < 2; i++) {
        if (guard_pipe[i] >= 0)
            close(guard_pipe[i]);
        guard_pipe[i] = -1;
    }
}

int term_guard_fd(void)
{
    return guard_pipe[0];
}

size_t term_guard_read(unsigned char *sigs, size_t n)
{
    if (guard_pipe[0] < 0)
        return 0;
    ssize_t r = read(guard_pipe[0], sigs, n);
    return r > 0 ? (size_t)r : 0;
}

void term_guard_save(int fd)
{
    guard_tty = fd;
    guard_have_termios = tcgetattr(fd, &guard_termios) == 0;
}

void term_guard_arm(const char *undo)
{
    size_t n = strlen(undo);
    if (n >= sizeof guard_undo)
        n = sizeof guard_undo - 1;
    memcpy(guard_undo, undo, n);
    guard_undo[n] = '\0';
    guard_undo_len = n;
    guard_armed = guard_tty >= 0;
}

void term_guard_disarm(void)
{
    guard_armed = 0;
}

void term_guard_leaving(void)
{
    guard_left = 1;
}
