/* SPDX-License-Identifier: MIT */
/* live_marks: what the updates of a live (ticking) window changed, for the
 * pager's flash. Each window is compared with the previous one row by row: a
 * cell whose value differs from its row's old value is marked changed, a row
 * with no old counterpart inside the old window is marked new. Which old row
 * a new one is comes from the server's update (dh_rows.origin: removed and
 * added viewport positions) for the rows it kept; the rest (all of them
 * without an origin) are lined up by their contents (a row equal to an old
 * one in at least half of its cells is that row, moved by the inserts and
 * removes around it, or by a changed sort key). The marks
 * carry the time of the change, so a mark fades on its own; the lining up
 * also says where an old row went (the pager's cursor follows its row). */
#ifndef DHTUI_LIVE_MARKS_H
#define DHTUI_LIVE_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "dh_table.h"

/* How long a mark shows, in ms: bright for the first half, dim for the rest. */
enum { LIVE_MARK_MS = 1000, LIVE_MARK_BRIGHT_MS = 500 };

/* The marks of the window last given to live_marks_update. Zeroed = empty. */
struct live_marks {
    size_t n_rows, n_fields;
    uint64_t *row_hash;  /* n_rows: the row's contents */
    uint64_t *cell_hash; /* n_rows * n_fields: each cell's contents */
    int64_t *changed_ms; /* n_rows * n_fields: when the cell last changed, 0 never */
    int64_t *added_ms;   /* n_rows: when the row came, 0 if it was there before */
};

/* Free the arrays and zero m. NULL-safe. */
void live_marks_reset(struct live_marks *m);

/* Take the new window rows (first position rows->first) in place of the old
 * one (old_first, old_size: its first position and the table's size then).
 * compare: 1 when rows is an update of the same live window (marks are set),
 * 0 for another window (no marks; rows are still lined up). origin (may be
 * NULL): for each new row its old index or -1, as the server said
 * (dh_rows.origin); without it rows are lined up by their contents. *moved
 * (may be NULL): on entry an old window index, on return its new index, or -1
 * when that row is not in the new window.
 * Returns 0, or -1 when out of memory (m is then empty). */
int live_marks_update(struct live_marks *m, const struct dh_rows *rows, int compare,
                      const int64_t *origin, int64_t old_first, int64_t old_size, int64_t now_ms,
                      int64_t *moved);

/* The mark of the cell (row index i, field f) or of the row at now_ms:
 * 0 none, 2 bright, 1 fading. */
int live_marks_cell(const struct live_marks *m, int64_t i, size_t f, int64_t now_ms);
int live_marks_row(const struct live_marks *m, int64_t i, int64_t now_ms);

/* Milliseconds until the next mark changes its look (bright to fading, or
 * gone), or -1 when no mark is showing. */
int64_t live_marks_next_change(const struct live_marks *m, int64_t now_ms);

#endif
