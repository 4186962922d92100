/* SPDX-License-Identifier: MIT */
/* view_save: S in the pager writes the view on screen (the derived table,
 * every row, the columns shown) to a file, exactly as `dhtui rows` writes it
 * (rows_write.h; the format from the file's extension), on a thread of its
 * own so that the pager stays usable: a progress bar on the status line, Esc
 * cancels. The rows go to a temporary file beside the target, renamed over it
 * only once complete: a failed or cancelled save leaves nothing behind, and
 * an existing file is replaced only after the user said yes. */
#ifndef DHTUI_VIEW_SAVE_H
#define DHTUI_VIEW_SAVE_H

#include <stdint.h>

#include "view.h"

struct table_view;
struct view_save;

/* S (ACT_SAVE) opens the file prompt; Esc (ACT_BACK) while a save runs
 * cancels it. UR_NONE for other keys, or Esc with no save running. UI thread. */
unsigned view_save_key(struct table_view *v, struct app *a, enum ui_action act);
/* Loop pass: the progress bar, and the end of a save (joined, reported). */
unsigned view_save_tick(struct table_view *v, struct app *a, int64_t now_ms);
/* Milliseconds until the progress bar next changes, or -1 (no save). */
int64_t view_save_next_tick(const struct table_view *v, int64_t now_ms);
/* The view goes away: cancel a running save (its file is removed) and wait
 * for its thread. UI thread. */
void view_save_destroy(struct table_view *v, struct app *a);

#endif
