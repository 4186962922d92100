/* SPDX-License-Identifier: MIT */
/* view: the view stack and the cursor arithmetic the list views share. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "prompt.h"

/* Push a view; a NULL view (allocation failed) becomes a message. */
void app_push(struct app *a, struct view *v)
{
    if (!v) {
        app_message(a, APP_ERROR, "Could not open the view: out of memory.");
        return;
    }
    if (a->n_views >= APP_MAX_VIEWS) {
        view_destroy(v, a);
        app_message(a, APP_WARN, "Too many screens open: close some with Esc first.");
        return;
    }
    a->views[a->n_views++] = v;
    a->dirty |= UI_DIRTY_ALL & ~(unsigned)UI_DIRTY_CLEAR;
}

/* Pop and destroy the top view, closing a prompt that reports to it. */
void app_pop(struct app *a)
{
    if (a->n_views <= 1)
        return;
    struct view *v = a->views[--a->n_views];
    a->views[a->n_views] = NULL;
    /* A prompt that reports to this view must not outlive it. */
    if (prompt_active() && prompt_ctx() == v)
        prompt_close(a);
    view_destroy(v, a);
    a->dirty |= UI_DIRTY_ALL & ~(unsigned)UI_DIRTY_CLEAR;
}

/* The view that gets the keys. */
struct view *app_top(struct app *a)
{
    return a->n_views ? a->views[a->n_views - 1] : NULL;
}

/* Walk down from the top: only modal dialogs may sit above v. */
int view_on_screen(const struct view *v, const struct app *a)
{
    for (size_t i = a->n_views; i > 0; i--) {
        const struct view *x = a->views[i - 1];
        if (x == v)
            return 1;
        if (!x->ops->modal)
            return 0;
    }
    return 0;
}

void view_free(struct view *v, struct app *a)
{
    (void)a;
    free(v);
}

int view_list_click(size_t n, size_t top, int header_lines, int y, size_t *cursor)
{
    if (y < header_lines)
        return 0;
    size_t i = top + (size_t)(y - header_lines);
    if (i >= n)
        return 0;
    *cursor = i;
    return 1;
}

/* Cursor arithmetic for the movement actions. */
int view_list_move(enum ui_action act, size_t n, size_t page, size_t *cursor)
{
    size_t c = *cursor;
    if (page == 0)
        page = 1;
    switch (act) {
    case ACT_UP: c = c > 0 ? c - 1 : 0; break;
    case ACT_DOWN: c = c + 1 < n ? c + 1 : c; break;
    case ACT_PAGE_UP: c = c > page ? c - page : 0; break;
    case ACT_PAGE_DOWN: c = c + page < n ? c + page : (n ? n - 1 : 0); break;
    case ACT_TOP: c = 0; break;
    case ACT_BOTTOM: c = n ? n - 1 : 0; break;
    default: return 0;
    }
    if (n == 0)
        c = 0;
    *cursor = c;
    return 1;
}

/* Keep the cursor inside the page. */
void view_list_scroll(size_t n, size_t page, size_t cursor, size_t *top)
{
    if (page == 0)
        page = 1;
    if (cursor < *top)
        *top = cursor;
    else if (cursor >= *top + page)
        *top = cursor - page + 1;
    /* No empty space below the last row when the list could fill the page. */
    if (n >= page && *top > n - page)
        *top = n - page;
    if (n < page)
        *top = 0;
}

/* strlcpy with NULL meaning "". */
void ui_copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    size_t len = src ? strlen(src) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

void ui_copy_sentence(char *dst, size_t n, const char *fragment)
{
    ui_copy(dst, n, fragment);
    size_t w = 0;
    while (dst[w] >= 'a' && dst[w] <= 'z')
        w++;
    /* Only a whole word: "s/trades", "gRPC" or "x2" is a name and keeps its case. */
    if (w > 0 && (dst[w] == '\0' || strchr(" :,;", dst[w])))
        dst[0] = (char)(dst[0] - 'a' + 'A');
}
