/* SPDX-License-Identifier: MIT */
/* term_guard: the browser's signal handling and its promise that no signal
 * leaves the terminal broken. Owns the process's dispositions of SIGWINCH,
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and the fatal signals while the browser
 * runs: ordinary signals become bytes on a self-pipe the UI loop polls; a
 * second quit signal (or any after the loop ended) restores the terminal and
 * exits at once; a crash restores the terminal before the default action (or
 * a sanitizer's handler) runs. Process-global by nature (signal handlers). */
#ifndef DHTUI_TERM_GUARD_H
#define DHTUI_TERM_GUARD_H

#include <stddef.h>

/* Create the self-pipe and install the handlers. Call before curses starts
 * (so ncurses does not install its own SIGWINCH handler) and before other
 * threads exist. 0, or -1 with errno. UI thread. */
int term_guard_install(void);

/* Restore the default dispositions and close the pipe. UI thread. */
void term_guard_remove(void);

/* The pipe's read end, for poll(). */
int term_guard_fd(void);

/* Read the signal numbers waiting on the pipe into sigs[0..n); returns how
 * many (0 if none). UI thread. */
size_t term_guard_read(unsigned char *sigs, size_t n);

/* Remember the terminal's settings (fd is the tty curses is about to take)
 * so a signal or a crash can put them back. Call just before curses starts.
 * UI thread. */
void term_guard_save(int fd);

/* Curses owns the terminal: from now on a fatal or second quit signal
 * writes `undo` (the bytes that leave the alternate screen, bracketed paste
 * and keypad mode; copied, at most 255 bytes) and restores the saved
 * settings before the process ends. UI thread. */
void term_guard_arm(const char *undo);

/* The terminal is back to normal (after endwin): nothing to undo. UI thread. */
void term_guard_disarm(void);

/* The loop has ended and dhtui is shutting down: any further SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT exits at once (status 128 + signal). UI thread. */
void term_guard_leaving(void);

#endif
