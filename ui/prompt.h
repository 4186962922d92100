/* SPDX-License-Identifier: MIT */
/* prompt: the one-line input at the bottom of the screen, run by readline's
 * callback API inside curses (keys are fed in, readline's redisplay only marks
 * the line for drawing). Owns readline's global state and the ticket history
 * file ($XDG_STATE_HOME/dhtui/history, default ~/.local/state/dhtui/history). */
#ifndef DHTUI_PROMPT_H
#define DHTUI_PROMPT_H

#include <curses.h>

struct app;

/* What the prompt is for. Tickets, filters (where), searches and file names
 * (save) each have their own history (up/down; only tickets' outlive the
 * run, in the history file). A secret is never shown (no echo), never kept
 * in the history, and wiped after Enter. */
enum prompt_kind {
    PROMPT_TICKET = 0,
    PROMPT_FILTER,
    PROMPT_GOTO,
    PROMPT_SECRET,
    PROMPT_WHERE,
    PROMPT_SEARCH,
    PROMPT_SAVE
};

/* Who receives the text. Members may be NULL. ctx is borrowed while open. */
struct prompt_ops {
    /* The text changed (incremental filter). Returns a reaction. */
    unsigned (*change)(void *ctx, struct app *a, const char *text);
    /* Enter. Returns a reaction; UR_KEEP keeps the prompt open with the text. */
    unsigned (*submit)(void *ctx, struct app *a, const char *text);
    /* Esc or Ctrl-C. */
    void (*cancel)(void *ctx, struct app *a);
};

/* Set readline up for in-curses use and load the history. Call before
 * initscr (readline reads the terminal description first). UI thread. */
void prompt_init(void);
/* Save the history and release readline. UI thread. */
void prompt_done(void);
/* Open the prompt with a label ("ticket: ") and optional text, replacing any
 * open prompt (which is cancelled). UI thread. */
void prompt_open(struct app *a, enum prompt_kind kind, const char *label, const char *prefill,
                 const struct prompt_ops *ops, void *ctx);
/* Close without calling back (the owner went away). UI thread. */
void prompt_close(struct app *a);
/* 1 if the prompt is open. UI thread. */
int prompt_active(void);
/* The ctx of the open prompt, or NULL. UI thread. */
void *prompt_ctx(void);
/* Feed one key (see keymap.h). Returns a reaction. UI thread. */
unsigned prompt_key(struct app *a, int key);
/* Bracketed paste started / ended. Inside a paste every key is text: control
 * characters and escape sequences are inserted literally (shown escaped),
 * never run as editing commands; line breaks are dropped. UI thread. */
void prompt_paste(int active);
/* 1 while a bracketed paste is arriving. UI thread. */
int prompt_pasting(void);
/* Draw the prompt line into w (one line) and leave the cursor at the input
 * point. UI thread. */
void prompt_draw(WINDOW *w);

#endif
