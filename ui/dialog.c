/* SPDX-License-Identifier: MIT */
/* dialog: the boxes drawn over a view: the publish dialog (the ticket to hand
 * on, on its own lines, never cut), yes/no questions, and scrollable wrapped
 * text (a whole cell, an object without a viewer). */
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"
#include "dh_text.h"
#include "draw.h"
#include "view.h"

/* One wrapped line: a slice of a sanitised text. */
struct wrap_line {
    size_t off, len;
};

/* A growable list of wrapped lines. */
struct wrap {
    struct wrap_line *lines;
    size_t n, cap;
    int width; /* the width the lines were made for */
};

/* Append a line; on allocation failure the line is dropped. */
static void wrap_push(struct wrap *w, size_t off, size_t len)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct wrap_line *l = realloc(w->lines, cap * sizeof *l);
        if (!l)
            return;
        w->lines = l;
        w->cap = cap;
    }
    w->lines[w->n].off = off;
    w->lines[w->n].len = len;
    w->n++;
}

/* Word-wrap s[0..len) (sanitised, no control characters) at width columns,
 * breaking at '\n' too; a word longer than the width is cut. */
static void wrap_text(struct wrap *w, const char *s, size_t len, int width)
{
    w->n = 0;
    w->width = width;
    if (width < 1)
        width = 1;
    size_t start = 0;
    while (start <= len) {
        size_t i = start, cols = 0, last_space = 0;
        int have_space = 0;
        while (i < len && s[i] != '\n') {
            uint32_t cp;
            size_t n = dh_text_utf8_next(s + i, len - i, &cp);
            size_t cw = (size_t)dh_text_codepoint_width(cp);
            if (cols + cw > (size_t)width)
                break;
            if (cp == ' ') {
                last_space = i;
                have_space = 1;
            }
            cols += cw;
            i += n;
        }
        if (i >= len || s[i] == '\n') {
            wrap_push(w, start, i - start);
            if (i >= len)
                break;
            start = i + 1;
            continue;
        }
        if (have_space && last_space > start) {
            wrap_push(w, start, last_space - start);
            start = last_space + 1;
        } else {
            if (i == start) /* a character wider than the width: take it anyway */
                i += dh_text_utf8_next(s + i, len - i, &(uint32_t){0});
            wrap_push(w, start, i - start);
            start = i;
        }
    }
}

/* Where a centred box of h x w goes in the body window. */
static void box_place(WINDOW *win, int want_h, int want_w, int *y, int *x, int *h, int *w)
{
    int H = getmaxy(win), W = getmaxx(win);
    *w = want_w < W - 2 ? want_w : W - 2;
    if (*w < 10)
        *w = W;
    *h = want_h < H ? want_h : H;
    *y = (H - *h) / 2;
    *x = (W - *w) / 2;
}

/* ---- publish dialog ---- */

struct publish_dialog {
    struct view base;
    struct dh_ticket ticket;
    char text[DH_TICKET_MAX * 4 + 64]; /* canonical text */
    char title[256];
    char copy_note[300];
};

/* Text width inside a dialog on win: the window less the frame, at most max. */
static int inner_width(WINDOW *win, int max)
{
    int inner = getmaxx(win) - 8;
    if (inner > max)
        inner = max;
    return inner < 4 ? 4 : inner;
}

/* The ticket on its own lines (never cut), then the notes. */
/* "Copied to the tmux buffer and the clipboard." */
static void copy_note_set(struct publish_dialog *d, unsigned paths)
{
    char where[96];
    clipboard_paths_describe(paths, where, sizeof where);
    snprintf(d->copy_note, sizeof d->copy_note, "Copied to %s.", where);
}

static void publish_draw(struct view *v, struct app *a, WINDOW *win)
{
    struct publish_dialog *d = (struct publish_dialog *)v;
    (void)a;
    size_t tlen = strlen(d->text);
    int inner = inner_width(win, (int)tlen > 60 ? (int)tlen : 60);
    /* The ticket wraps by characters (it has no spaces); notes by words. */
    int ticket_lines = (int)((tlen + (size_t)inner - 1) / (size_t)inner);
    static const char valid_note[] =
        "Valid while this dhtui session keeps the export: closing dhtui or releasing it "
        "(t, then r) invalidates it.";
    static const char use_note[] = "Paste it into another dhtui (f) or run: dhtui TICKET";
    struct wrap notes = {0};
    char body[1024];
    snprintf(body, sizeof body, "%s\n%s\n\n%s", d->copy_note, valid_note, use_note);
    wrap_text(&notes, body, strlen(body), inner);
    int h = 2 + 1 + ticket_lines + 1 + (int)notes.n + 1;
    int y, x, bh, bw;
    box_place(win, h, inner + 6, &y, &x, &bh, &bw);
    draw_frame(win, y, x, bh, bw, d->title);
    int row = y + 2;
    for (int i = 0; i < ticket_lines && row < y + bh - 1; i++, row++) {
        size_t off = (size_t)i * (size_t)inner;
        size_t n = tlen - off < (size_t)inner ? tlen - off : (size_t)inner;
        draw_text(win, row, x + 3, bw - 6, draw_attr(DR_TICKET), d->text + off, n, 0);
    }
    row++;
    for (size_t i = 0; i < notes.n && row < y + bh - 1; i++, row++) {
        attr_t at =
            i == 0 && strncmp(d->copy_note, "Copied", 6) == 0 ? draw_attr(DR_GOOD) : A_NORMAL;
        draw_text(win, row, x + 3, bw - 6, at, body + notes.lines[i].off, notes.lines[i].len,
                  DT_ELLIPSIS);
    }
    free(notes.lines);
}

/* c copies again; Enter/Esc close; other keys are swallowed. */
static unsigned publish_key(struct view *v, struct app *a, int key, enum ui_action act)
{
    struct publish_dialog *d = (struct publish_dialog *)v;
    (void)key;
    switch (act) {
    case ACT_COPY: {
        unsigned paths = 0;
        if (app_copy_where(a, d->text, strlen(d->text), "ticket", &paths) == 0)
            copy_note_set(d, paths);
        return UR_HANDLED | UR_REDRAW | UR_STATUS;
    }
    case ACT_BACK: return UR_HANDLED | UR_CLOSE;
    default: return UR_HANDLED; /* modal: swallow everything else */
    }
}

static const struct view_ops publish_ops = {
    .name = "publish",
    .keymap = &keymap_publish,
    .modal = 1,
    .draw = publish_draw,
    .key = publish_key,
    .destroy = view_free,
};

/* The publish dialog for a ticket status. */
struct view *dialog_publish_new(struct app *a, const struct dh_ticket_status *st, unsigned paths,
                                const char *copy_error)
{
    (void)a;
    struct publish_dialog *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->base.ops = &publish_ops;
    d->ticket = st->ticket;
    char raw[sizeof d->text];
    if (dh_ticket_format(&st->ticket, raw, sizeof raw) < 0)
        raw[0] = '\0';
    /* The canonical form is printable ASCII already; sanitise anyway. */
    dh_text_sanitize(raw, strlen(raw), d->text, sizeof d->text, 0, NULL);
    if (st->type[0])
        snprintf(d->title, sizeof d->title, "Published %s (%s)", st->name, st->type);
    else
        snprintf(d->title, sizeof d->title, "Published %s", st->name);
    if (paths)
        copy_note_set(d, paths);
    else if (copy_error && copy_error[0])
        snprintf(d->copy_note, sizeof d->copy_note, "%s", copy_error);
    else
        snprintf(d->copy_note, sizeof d->copy_note,
                 "Select the ticket above with the mouse to copy it.");
    return &d->base;
}

/* ---- yes/no question ---- */

struct confirm_dialog {
    struct view base;
    char question[512];
    enum confirm_kind kind;
    struct dh_ticket ticket;
};

/* The question and the answers. */
static void confirm_draw(struct view *v, struct app *a, WINDOW *win)
{
    struct confirm_dialog *d = (struct confirm_dialog *)v;
    (void)a;
    int inner = inner_width(win, 64);
    struct wrap q = {0};
    wrap_text(&q, d->question, strlen(d->question), inner);
    int y, x, bh, bw;
    box_place(win, (int)q.n + 5, inner + 6, &y, &x, &bh, &bw);
    draw_frame(win, y, x, bh, bw, "Are you sure?");
    int row = y + 2;
    for (size_t i = 0; i < q.n && row < y + bh - 2; i++, row++)
        draw_text(win, row, x + 3, bw - 6, draw_attr(DR_WARN), d->question + q.lines[i].off,
                  q.lines[i].len, 0);
    draw_str(win, y + bh - 2, x + 3, bw - 6, draw_attr(DR_DIM), "y: yes    n or Esc: no", 0);
    free(q.lines);
}

/* y does it, n/Esc closes; Ctrl-C twice quits. */
static unsigned confirm_key(struct view *v, struct app *a, int key, enum ui_action act)
{
    struct confirm_dialog *d = (struct confirm_dialog *)v;
    if (key == UI_KEY_INTERRUPT)
        act = d->kind == CONFIRM_QUIT ? ACT_YES : ACT_NO;
    switch (act) {
    case ACT_YES:
        if (d->kind == CONFIRM_QUIT)
            a->quit = 1;
        else
            app_release(a, &d->ticket);
        return UR_HANDLED | UR_CLOSE | UR_STATUS;
    case ACT_NO: return UR_HANDLED | UR_CLOSE;
    default: return UR_HANDLED;
    }
}

static const struct view_ops confirm_ops = {
    .name = "confirm",
    .keymap = &keymap_confirm,
    .modal = 1,
    .draw = confirm_draw,
    .key = confirm_key,
    .destroy = view_free,
};

/* A y/n question about quitting or releasing a ticket. */
struct view *dialog_confirm_new(struct app *a, const char *question, enum confirm_kind kind,
                                const struct dh_ticket *t)
{
    (void)a;
    struct confirm_dialog *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->base.ops = &confirm_ops;
    dh_text_sanitize(question, strlen(question), d->question, sizeof d->question,
                     DH_SANITIZE_TAB_AS_SPACE, NULL);
    d->kind = kind;
    if (t)
        d->ticket = *t;
    return &d->base;
}

/* ---- scrollable text ---- */

struct text_dialog {
    struct view base;
    char title[256];
    char *raw; /* what c copies */
    size_t raw_len;
    char *shown; /* sanitised, real line breaks kept */
    size_t shown_len;
    struct wrap wrap;
    size_t top;
    int page; /* rows of text visible at the last draw */
};

/* Wrapped lines from top, with a position in the frame. */
static void text_draw(struct view *v, struct app *a, WINDOW *win)
{
    struct text_dialog *d = (struct text_dialog *)v;
    (void)a;
    int inner = inner_width(win, 100);
    if (d->wrap.width != inner)
        wrap_text(&d->wrap, d->shown, d->shown_len, inner);
    int want_h = (int)d->wrap.n + 4;
    int y, x, bh, bw;
    box_place(win, want_h, inner + 6, &y, &x, &bh, &bw);
    draw_frame(win, y, x, bh, bw, d->title);
    d->page = bh - 4 > 1 ? bh - 4 : 1;
    size_t n = d->wrap.n;
    if (d->top + (size_t)d->page > n)
        d->top = n > (size_t)d->page ? n - (size_t)d->page : 0;
    for (int r = 0; r < d->page && d->top + (size_t)r < n; r++) {
        const struct wrap_line *l = &d->wrap.lines[d->top + (size_t)r];
        draw_text(win, y + 2 + r, x + 3, bw - 6, A_NORMAL, d->shown + l->off, l->len, 0);
    }
    if (n > (size_t)d->page)
        draw_fmt(win, y + bh - 1, x + 2, bw - 4, draw_attr(DR_BORDER), DT_RIGHT,
                 " lines %zu-%zu of %zu ", d->top + 1,
                 d->top + (size_t)d->page < n ? d->top + (size_t)d->page : n, n);
}

/* Scroll, copy, close. */
static unsigned text_key(struct view *v, struct app *a, int key, enum ui_action act)
{
    struct text_dialog *d = (struct text_dialog *)v;
    (void)key;
    size_t page = d->page > 0 ? (size_t)d->page : 1;
    size_t n = d->wrap.n;
    size_t max_top = n > page ? n - page : 0;
    switch (act) {
    case ACT_UP:
        if (d->top > 0)
            d->top--;
        break;
    case ACT_DOWN:
        if (d->top < max_top)
            d->top++;
        break;
    case ACT_PAGE_UP: d->top = d->top > page ? d->top - page : 0; break;
    case ACT_PAGE_DOWN: d->top = d->top + page < max_top ? d->top + page : max_top; break;
    case ACT_TOP: d->top = 0; break;
    case ACT_BOTTOM: d->top = max_top; break;
    case ACT_COPY: app_copy(a, d->raw, d->raw_len, "text"); return UR_HANDLED | UR_STATUS;
    case ACT_COPY_RAW: app_copy_raw(a, d->raw, d->raw_len, "text"); return UR_HANDLED | UR_STATUS;
    case ACT_BACK: return UR_HANDLED | UR_CLOSE;
    default: return UR_HANDLED;
    }
    return UR_HANDLED | UR_REDRAW;
}

/* Free the text dialog. */
static void text_destroy(struct view *v, struct app *a)
{
    struct text_dialog *d = (struct text_dialog *)v;
    (void)a;
    free(d->raw);
    free(d->shown);
    free(d->wrap.lines);
    free(d);
}

static const struct view_ops text_ops = {
    .name = "text",
    .keymap = &keymap_popup,
    .modal = 1,
    .draw = text_draw,
    .key = text_key,
    .destroy = text_destroy,
};

/* Sanitise line by line so real line breaks stay line breaks. */
static char *sanitize_keep_lines(const char *s, size_t len, size_t *out_len)
{
    size_t cap;
    char *out = draw_sanitize_alloc(len, &cap);
    if (!out)
        return NULL;
    size_t o = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '\n')
            continue;
        size_t seg = i - start;
        if (seg && s[i - 1] == '\r')
            seg--; /* CRLF */
        o += dh_text_sanitize(s + start, seg, out + o, cap - o, 0, NULL);
        if (i < len && o + 1 < cap)
            out[o++] = '\n';
        start = i + 1;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* A scrollable pop-up of untrusted text. */
struct view *dialog_text_new(struct app *a, const char *title, const char *text, size_t len)
{
    (void)a;
    struct text_dialog *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->base.ops = &text_ops;
    dh_text_sanitize(title, strlen(title), d->title, sizeof d->title, DH_SANITIZE_TAB_AS_SPACE,
                     NULL);
    d->raw = malloc(len + 1);
    d->shown = sanitize_keep_lines(text, len, &d->shown_len);
    if (!d->raw || !d->shown) {
        text_destroy(&d->base, a);
        return NULL;
    }
    memcpy(d->raw, text, len);
    d->raw[len] = '\0';
    d->raw_len = len;
    d->wrap.width = -1;
    return &d->base;
}
