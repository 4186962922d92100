/* SPDX-License-Identifier: MIT */
/* prompt: readline's callback interface driven from the curses loop. Keys come
 * from curses, are turned back into the bytes readline expects and fed through
 * rl_getc_function; readline never touches the terminal itself (its output
 * stream is /dev/null, terminal preparation is stubbed, signals are ours). */
#include "prompt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "dh_text.h"
#include "dh_transport.h"
#include "draw.h"
#include "keymap.h"
#include "view.h"

/* Readline's state is process-global, so the prompt's is too (UI thread only). */
static struct {
    int ready; /* prompt_init ran */
    int open;
    enum prompt_kind kind;
    const struct prompt_ops *ops;
    void *ctx;
    struct app *app;
    unsigned char in[64]; /* bytes waiting to be read by readline */
    size_t in_len, in_pos;
    int line_ready;
    char *line; /* what the line handler got (readline allocates) */
    int paste;  /* inside a bracketed paste */
    char *last; /* the text last reported to ops->change */
    FILE *null_out;
    char hist_path[1024];
    /* Each kind with a history has its own list: readline holds the one of
     * hist_kind, the others wait here (NULL: empty so far). */
    enum prompt_kind hist_kind;
    HISTORY_STATE *hist[PROMPT_SAVE + 1];
} P;

/* rl_getc_function: hand readline the next queued byte. */
static int prompt_getc(FILE *f)
{
    (void)f;
    if (P.in_pos >= P.in_len)
        return EOF;
    return P.in[P.in_pos++];
}

/* rl_input_available_hook: readline asks whether a key sequence continues. */
static int prompt_input_available(void)
{
    return P.in_pos < P.in_len;
}

/* rl_redisplay_function: only note that the line must be drawn. */
static void prompt_redisplay(void)
{
    if (P.app)
        P.app->dirty |= UI_DIRTY_BOTTOM;
}

/* Terminal preparation belongs to curses. */
static void prompt_prep_term(int meta)
{
    (void)meta;
}

/* Terminal restoration belongs to curses too. */
static void prompt_deprep_term(void) {}

/* The line handler: keep the line for prompt_key to act on after readline
 * returns (acting inside the handler would fight readline's own cleanup). */
static void prompt_line(char *line)
{
    free(P.line);
    P.line = line;
    P.line_ready = 1;
}

/* Tab does nothing (no completion: it would list files). */
static int prompt_noop(int count, int key)
{
    (void)count;
    (void)key;
    return 0;
}

/* Which prompts recall earlier answers with up/down: tickets (kept in the
 * history file), filters, searches and file names (for this run only). */
static int has_history(enum prompt_kind kind)
{
    return kind == PROMPT_TICKET || kind == PROMPT_WHERE || kind == PROMPT_SEARCH ||
           kind == PROMPT_SAVE;
}

/* Up: the previous entry of this kind's history; other prompts ignore it. */
static int prompt_prev(int count, int key)
{
    if (!has_history(P.kind))
        return 0;
    return rl_get_previous_history(count, key);
}

/* Down: the next history entry. */
static int prompt_next(int count, int key)
{
    if (!has_history(P.kind))
        return 0;
    return rl_get_next_history(count, key);
}

/* Give readline the history list of kind (stashing the one it holds). */
static void history_switch(enum prompt_kind kind)
{
    if (!has_history(kind) || kind == P.hist_kind)
        return;
    HISTORY_STATE *held = history_get_history_state();
    if (!held)
        return; /* out of memory: this prompt shares the other kind's list */
    HISTORY_STATE empty;
    memset(&empty, 0, sizeof empty);
    empty.flags = held->flags & HS_STIFLED;
    HISTORY_STATE *want = P.hist[kind] ? P.hist[kind] : &empty;
    history_set_history_state(want);
    history_set_pos(history_length);
    free(P.hist[kind]);
    P.hist[kind] = NULL;
    P.hist[P.hist_kind] = held;
    P.hist_kind = kind;
}

/* Free a stashed history list and its entries. */
static void history_state_free(HISTORY_STATE *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->length; i++)
        free_history_entry(st->entries[i]);
    free(st->entries);
    free(st);
}

/* mkdir -p for the history directory (mode 0700). */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0700);
        *p = '/';
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Work out the history file path and create its directory. */
static void history_setup(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char dir[900];
    P.hist_path[0] = '\0';
    if (state && state[0] == '/')
        snprintf(dir, sizeof dir, "%s/dhtui", state);
    else if (home && home[0] == '/')
        snprintf(dir, sizeof dir, "%s/.local/state/dhtui", home);
    else
        return;
    if (make_dirs(dir) != 0)
        return;
    snprintf(P.hist_path, sizeof P.hist_path, "%s/history", dir);
}

/* Hook readline into our loop before curses starts. */
void prompt_init(void)
{
    if (P.ready)
        return;
    rl_readline_name = "dhtui";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_getc_function = prompt_getc;
    rl_input_available_hook = prompt_input_available;
    rl_redisplay_function = prompt_redisplay;
    rl_prep_term_function = prompt_prep_term;
    rl_deprep_term_function = prompt_deprep_term;
    P.null_out = fopen("/dev/null", "w");
    if (P.null_out)
        rl_outstream = P.null_out;
    rl_initialize();
    /* rl_ding writes BEL to stderr; bracketed paste is ours (curses reads it). */
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_variable_bind("horizontal-scroll-mode", "on");
    rl_bind_key('\t', prompt_noop);
    rl_bind_keyseq("\033[A", prompt_prev);
    rl_bind_keyseq("\033[B", prompt_next);
    rl_bind_key(16, prompt_prev); /* ^P */
    rl_bind_key(14, prompt_next); /* ^N */
    rl_bind_keyseq("\033[C", rl_forward_char);
    rl_bind_keyseq("\033[D", rl_backward_char);
    rl_bind_keyseq("\033[H", rl_beg_of_line);
    rl_bind_keyseq("\033[F", rl_end_of_line);
    rl_bind_keyseq("\033[3~", rl_delete);
    using_history();
    stifle_history(500);
    history_setup();
    if (P.hist_path[0])
        read_history(P.hist_path);
    P.ready = 1;
}

/* Trim the history file and let readline go. */
void prompt_done(void)
{
    if (!P.ready)
        return;
    if (P.open) {
        rl_callback_handler_remove();
        P.open = 0;
    }
    history_switch(PROMPT_TICKET);
    for (size_t k = 0; k < sizeof P.hist / sizeof P.hist[0]; k++) {
        history_state_free(P.hist[k]);
        P.hist[k] = NULL;
    }
    if (P.hist_path[0])
        history_truncate_file(P.hist_path, 500);
    clear_history();
    free(P.line);
    P.line = NULL;
    free(P.last);
    P.last = NULL;
    if (P.null_out) {
        rl_outstream = NULL;
        fclose(P.null_out);
        P.null_out = NULL;
    }
    P.ready = 0;
}

/* Remember a submitted line in its kind's history (no immediate repeats);
 * a ticket is persisted at once. */
static void history_add(const char *line)
{
    if (!line[0])
        return;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (last && last->line && strcmp(last->line, line) == 0)
        return;
    add_history(line);
    if (!P.hist_path[0] || P.hist_kind != PROMPT_TICKET)
        return;
    if (access(P.hist_path, F_OK) == 0)
        append_history(1, P.hist_path);
    else
        write_history(P.hist_path);
}

/* Remember the current text as reported. */
static void note_text(const char *text)
{
    free(P.last);
    P.last = strdup(text ? text : "");
}

/* Install readline's callback handler with a label and optional text. */
void prompt_open(struct app *a, enum prompt_kind kind, const char *label, const char *prefill,
                 const struct prompt_ops *ops, void *ctx)
{
    if (!P.ready)
        return;
    if (P.open)
        prompt_close(a);
    P.app = a;
    P.kind = kind;
    history_switch(kind);
    P.ops = ops;
    P.ctx = ctx;
    P.in_len = P.in_pos = 0;
    P.line_ready = 0;
    P.paste = 0;
    P.open = 1;
    rl_callback_handler_install(label ? label : "> ", prompt_line);
    if (prefill && prefill[0]) {
        rl_insert_text(prefill);
        rl_point = rl_end;
    }
    note_text(rl_line_buffer);
    a->dirty |= UI_DIRTY_BOTTOM | UI_DIRTY_STATUS;
}

/* Remove readline's handler and forget the line. */
void prompt_close(struct app *a)
{
    if (!P.open)
        return;
    if (P.kind == PROMPT_SECRET && rl_line_buffer)
        dh_wipe(rl_line_buffer, strlen(rl_line_buffer));
    rl_replace_line("", 1);
    if (P.kind == PROMPT_SECRET)
        rl_free_undo_list(); /* the undo list holds copies of what was typed */
    rl_callback_handler_remove();
    P.open = 0;
    P.ops = NULL;
    P.ctx = NULL;
    P.in_len = P.in_pos = 0;
    P.paste = 0;
    if (a)
        a->dirty |= UI_DIRTY_BOTTOM | UI_DIRTY_STATUS;
}

/* Whether keys go to the prompt. */
int prompt_active(void)
{
    return P.open;
}

/* Who the open prompt reports to. */
void *prompt_ctx(void)
{
    return P.open ? P.ctx : NULL;
}

/* Bracketed paste state (line breaks are dropped while on). */
void prompt_paste(int active)
{
    P.paste = active;
}

/* 1 while a bracketed paste is arriving. */
int prompt_pasting(void)
{
    return P.paste;
}

/* Queue bytes for readline. */
static void feed(const char *s, size_t n)
{
    if (P.in_pos >= P.in_len)
        P.in_len = P.in_pos = 0;
    if (n > sizeof P.in - P.in_len)
        n = sizeof P.in - P.in_len;
    memcpy(P.in + P.in_len, s, n);
    P.in_len += n;
}

/* UTF-8 encode a code point into out (4 bytes); returns the length. */
static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The bytes a terminal sends for a key, into b (at least 16 bytes); returns
 * the length, 0 for keys with no byte form. */
static size_t key_bytes(int key, char *b)
{
    const char *seq = NULL;
    switch (key) {
    case UI_KEY_ENTER: seq = "\r"; break;
    case UI_KEY_BACKSPACE: seq = "\177"; break;
    case UI_KEY_DC: seq = "\033[3~"; break;
    case UI_KEY_LEFT: seq = "\033[D"; break;
    case UI_KEY_RIGHT: seq = "\033[C"; break;
    case UI_KEY_UP: seq = "\033[A"; break;
    case UI_KEY_DOWN: seq = "\033[B"; break;
    case UI_KEY_HOME: seq = "\033[H"; break;
    case UI_KEY_END: seq = "\033[F"; break;
    default: break;
    }
    if (seq) {
        memcpy(b, seq, strlen(seq));
        return strlen(seq);
    }
    size_t n = 0;
    if (key >= UI_KEY_ALT && key - UI_KEY_ALT < 0x110000) {
        b[n++] = '\033';
        key -= UI_KEY_ALT;
    }
    if (key < 0 || key >= 0x110000 || (key >= 0xD800 && key < 0xE000))
        return 0;
    return n + utf8_encode((unsigned)key, b + n);
}

/* Turn a curses key back into what a terminal would have sent readline.
 * Returns 0 for keys readline should not see. */
static int key_to_bytes(int key)
{
    char b[16];
    size_t n = key_bytes(key, b);
    if (n == 0)
        return 0;
    feed(b, n);
    return 1;
}

/* A key inside a bracketed paste: its bytes go into the line as text, so a
 * pasted ^U or ESC sequence is shown (escaped) instead of editing the line.
 * NUL cannot be held in readline's C string and is dropped. */
static void paste_literal(int key)
{
    char b[17];
    size_t n = key_bytes(key, b);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (b[i] != '\0')
            b[k++] = b[i];
    b[k] = '\0';
    if (k)
        rl_insert_text(b);
}

/* Act on a line readline finished. */
static unsigned finish_line(struct app *a)
{
    char *line = P.line;
    P.line = NULL;
    P.line_ready = 0;
    const struct prompt_ops *ops = P.ops;
    void *ctx = P.ctx;
    enum prompt_kind kind = P.kind;
    if (!line) {
        /* ^D on an empty line: readline's end of file, i.e. cancel. */
        prompt_close(a);
        if (ops && ops->cancel)
            ops->cancel(ctx, a);
        return UR_HANDLED | UR_REDRAW;
    }
    if (has_history(P.kind))
        history_add(line);
    unsigned r = ops && ops->submit ? ops->submit(ctx, a, line) : 0;
    if ((r & UR_KEEP) && P.open) {
        /* Nothing typed is lost: readline started a new empty line; put the
         * text back. */
        rl_insert_text(line);
        rl_point = rl_end;
        P.in_len = P.in_pos = 0;
        note_text(rl_line_buffer);
        a->dirty |= UI_DIRTY_BOTTOM;
    } else if (P.open && P.ops == ops && P.ctx == ctx) {
        prompt_close(a);
    }
    if (kind == PROMPT_SECRET)
        dh_wipe(line, strlen(line));
    free(line);
    return (r & ~(unsigned)UR_KEEP) | UR_HANDLED;
}

/* Tell the owner when the text changed; mark the line for drawing. */
static unsigned prompt_changed(struct app *a, unsigned r)
{
    if (P.open && P.ops && P.ops->change && strcmp(rl_line_buffer, P.last ? P.last : "") != 0) {
        note_text(rl_line_buffer);
        r |= P.ops->change(P.ctx, a, rl_line_buffer);
    }
    a->dirty |= UI_DIRTY_BOTTOM;
    return r;
}

/* Feed one key through readline and report changes and Enter. */
unsigned prompt_key(struct app *a, int key)
{
    if (!P.open)
        return UR_NONE;
    P.app = a;
    if ((key == UI_KEY_ESC && !P.paste) || key == UI_KEY_INTERRUPT) {
        const struct prompt_ops *ops = P.ops;
        void *ctx = P.ctx;
        prompt_close(a);
        if (ops && ops->cancel)
            ops->cancel(ctx, a);
        return UR_HANDLED | UR_REDRAW;
    }
    if (P.paste && (key == UI_KEY_ENTER || key == '\n' || key == '\r'))
        return UR_HANDLED; /* a pasted line break must not submit */
    if (P.paste && key == UI_KEY_TAB)
        key = ' ';
    if (P.paste) {
        paste_literal(key);
        return prompt_changed(a, UR_HANDLED);
    }
    if (!key_to_bytes(key))
        return UR_HANDLED;
    unsigned r = UR_HANDLED;
    while (P.open && P.in_pos < P.in_len) {
        rl_callback_read_char();
        if (P.line_ready)
            r |= finish_line(a);
    }
    P.in_len = P.in_pos = 0;
    return prompt_changed(a, r);
}

/* Label, text and cursor, scrolled to keep the cursor visible. */
void prompt_draw(WINDOW *w)
{
    int cols = getmaxx(w);
    werase(w);
    if (!P.open || cols < 4)
        return;
    const char *label = rl_display_prompt ? rl_display_prompt : "> ";
    int x = draw_str(w, 0, 0, cols / 2, draw_attr(DR_PROMPT), label, DT_ELLIPSIS);
    int avail = cols - x - 1;
    if (avail < 2) {
        wmove(w, 0, cols - 1);
        return;
    }
    if (P.kind == PROMPT_SECRET) {
        wmove(w, 0, x); /* no echo: not even the length */
        return;
    }
    size_t end = (size_t)(rl_end > 0 ? rl_end : 0);
    size_t point = (size_t)(rl_point > 0 ? rl_point : 0);
    if (point > end)
        point = end;
    char *before = draw_sanitize_dup(rl_line_buffer, point, DT_KEEP_TABS);
    char *after = draw_sanitize_dup(rl_line_buffer + point, end - point, DT_KEEP_TABS);
    if (!before || !after) {
        free(before);
        free(after);
        return;
    }
    size_t blen = strlen(before);
    size_t bw = dh_text_width(before, blen);
    size_t skip = 0;
    if (bw >= (size_t)avail) {
        /* Scroll: drop enough leading columns to keep the cursor on screen. */
        size_t drop = bw - (size_t)avail + 1 + (size_t)avail / 4;
        size_t got = 0;
        skip = dh_text_prefix_for_width(before, blen, drop, &got);
        if (got < drop && skip < blen) {
            uint32_t cp;
            skip += dh_text_utf8_next(before + skip, blen - skip, &cp);
        }
    }
    int cx = x;
    if (skip > 0)
        cx += draw_str(w, 0, cx, 1, draw_attr(DR_DIM), draw_glyph(DG_ELLIPSIS), 0);
    cx += draw_text(w, 0, cx, cols - cx - 1, A_NORMAL, before + skip, blen - skip, 0);
    int cursor_x = cx;
    draw_text(w, 0, cx, cols - cx, A_NORMAL, after, strlen(after), DT_ELLIPSIS);
    free(before);
    free(after);
    wmove(w, 0, cursor_x < cols ? cursor_x : cols - 1);
}
