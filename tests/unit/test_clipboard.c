/* SPDX-License-Identifier: MIT */
/* test_clipboard.c: helpers run with a deadline and never take the process
 * down; the OSC 52 bytes are exact; a copy says where it went. */
#define _GNU_SOURCE /* memmem, pipe2 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "check.h"

#include "../../ui/clipboard.c"
#include "../../ui/subprocess.c"

static void test_subprocess_pipe(void)
{
    char out[64];
    char *cat[] = {"cat", NULL};
    CHECK(subprocess_pipe(cat, "hello", 5, out, sizeof out, 2000) == 0);
    CHECK_STR(out, "hello");
    /* output past the buffer is dropped, NUL-terminated */
    char small[4];
    CHECK(subprocess_pipe(cat, "abcdefgh", 8, small, sizeof small, 2000) == 0);
    CHECK_STR(small, "abc");
    char *fail3[] = {"sh", "-c", "exit 3", NULL};
    CHECK(subprocess_pipe(fail3, NULL, 0, NULL, 0, 2000) == 3);
    char *missing[] = {"dhtui-no-such-helper", NULL};
    CHECK(subprocess_pipe(missing, "x", 1, NULL, 0, 2000) != 0);
    CHECK(!subprocess_in_path("dhtui-no-such-helper"));
    CHECK(subprocess_in_path("sh"));
}

/* A helper that never reads nor exits is killed at the deadline; one that
 * exits without reading 1 MB of input does not raise SIGPIPE in us. */
static void test_subprocess_deadline(void)
{
    static char big[1 << 20];
    memset(big, 'x', sizeof big);
    char *sleeper[] = {"sleep", "10", NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(subprocess_pipe(sleeper, big, sizeof big, NULL, 0, 200) == -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(s < 5.0);
    char *quitter[] = {"true", NULL};
    CHECK(subprocess_pipe(quitter, big, sizeof big, NULL, 0, 2000) == 0);
    sigset_t pending;
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGPIPE));
}

static void test_osc52_bytes(void)
{
    size_t n = 0;
    char *seq = clipboard_sequence("hi", 2, 0, 0, &n);
    CHECK(seq != NULL);
    CHECK(n == 12 && memcmp(seq, "\033]52;c;aGk=\a", 12) == 0);
    free(seq);
    seq = clipboard_sequence("hi", 2, 1, 0, &n);
    CHECK(seq != NULL);
    CHECK(n > 12 && memmem(seq, n, "\033Ptmux;\033\033]52;c;aGk=\a\033\\", 22) != NULL);
    free(seq);
    CHECK(clipboard_sequence("x", CLIPBOARD_MAX + 1, 0, 0, &n) == NULL);
}

static void test_describe(void)
{
    char b[96];
    clipboard_paths_describe(CLIP_TMUX | CLIP_TMUX_OUT, b, sizeof b);
    CHECK_STR(b, "the tmux buffer and the clipboard");
    clipboard_paths_describe(CLIP_TMUX, b, sizeof b);
    CHECK_STR(b, "the tmux buffer (tmux set-clipboard is off)");
    clipboard_paths_describe(CLIP_OSC52, b, sizeof b);
    CHECK_STR(b, "the terminal clipboard (OSC 52)");
    clipboard_paths_describe(CLIP_OSC52 | CLIP_X11, b, sizeof b);
    CHECK_STR(b, "the clipboard (X11)");
}

/* With OSC 52 off and no tmux or display, nothing can take the text. */
static void test_no_path(void)
{
    struct clipboard_env env = {0};
    unsigned paths = 7;
    char err[160];
    CHECK(clipboard_copy(&env, "x", 1, &paths, err, sizeof err) == -1);
    CHECK(paths == 0);
    CHECK(strstr(err, "Not copied") == err);
}

int main(void)
{
    CHECK_RUN(T(test_subprocess_pipe), T(test_subprocess_deadline), T(test_osc52_bytes),
              T(test_describe), T(test_no_path));
}
