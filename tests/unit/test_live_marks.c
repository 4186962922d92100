/* SPDX-License-Identifier: MIT */
/* test_live_marks.c: the pager's flash of a live window's changes: rows are
 * lined up by their cells through inserts, removes and changed values; a
 * changed cell and a new row are marked, bright then fading then gone; the
 * cursor's row is followed; another window marks nothing. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dh_table.h"

#include "../../ui/live_marks.c"

/* Two long columns (Id, Value) of n rows, in fixed storage. */
struct window {
    struct dh_field fields[2];
    struct dh_column_view cols[2];
    int64_t id[16], value[16];
    struct dh_rows rows;
};

static void make(struct window *w, int64_t first, const int64_t *id, const int64_t *value,
                 int64_t n)
{
    memset(w, 0, sizeof *w);
    for (int f = 0; f < 2; f++) {
        w->fields[f].type = DH_TYPE_INT;
        w->fields[f].bit_width = 64;
        w->fields[f].is_signed = 1;
        w->fields[f].name = f ? "Value" : "Id";
        w->cols[f].field = &w->fields[f];
        w->cols[f].length = n;
        w->cols[f].value_width = 8;
        w->cols[f].values = (const uint8_t *)(f ? w->value : w->id);
        w->cols[f].values_len = (size_t)n * 8;
    }
    memcpy(w->id, id, (size_t)n * sizeof *id);
    memcpy(w->value, value, (size_t)n * sizeof *value);
    w->rows.first = first;
    w->rows.table_size = first + n;
    w->rows.schema.n_fields = 2;
    w->rows.schema.fields = w->fields;
    w->rows.batch.length = n;
    w->rows.batch.n_columns = 2;
    w->rows.batch.columns = w->cols;
}

static void test_insert_remove_change(void)
{
    struct live_marks m;
    memset(&m, 0, sizeof m);
    struct window a, b;
    const int64_t id0[] = {10, 20, 30, 40, 50}, v0[] = {1, 2, 3, 4, 5};
    make(&a, 0, id0, v0, 5);
    CHECK_INT(live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL), 0);
    CHECK_INT(live_marks_next_change(&m, 1000), -1); /* a first window marks nothing */
    /* 20 removed, 25 inserted after 30, 40's value changed */
    const int64_t id1[] = {10, 30, 25, 40, 50}, v1[] = {1, 3, 9, 44, 5};
    make(&b, 0, id1, v1, 5);
    int64_t moved = 3; /* the cursor on 40 (old index 3) */
    CHECK_INT(live_marks_update(&m, &b.rows, 1, NULL, 0, 5, 2000, &moved), 0);
    CHECK_INT(moved, 3);
    CHECK_INT(live_marks_row(&m, 2, 2000), 2);     /* 25 came */
    CHECK_INT(live_marks_row(&m, 1, 2000), 0);     /* 30 moved up, was there */
    CHECK_INT(live_marks_cell(&m, 3, 1, 2000), 2); /* 40's value changed */
    CHECK_INT(live_marks_cell(&m, 3, 0, 2000), 0); /* its id did not */
    CHECK_INT(live_marks_cell(&m, 1, 1, 2000), 0); /* 30 moved, unchanged */
    CHECK_INT(live_marks_cell(&m, 3, 1, 2000 + LIVE_MARK_BRIGHT_MS), 1); /* fading */
    CHECK_INT(live_marks_cell(&m, 3, 1, 2000 + LIVE_MARK_MS), 0);        /* gone */
    CHECK_INT(live_marks_next_change(&m, 2100), LIVE_MARK_BRIGHT_MS - 100);
    CHECK_INT(live_marks_next_change(&m, 2000 + LIVE_MARK_MS), -1);
    /* rows inserted above the cursor's row: it follows; a removed row is lost */
    const int64_t id2[] = {5, 6, 10, 30, 25}, v2[] = {7, 8, 1, 3, 9};
    make(&a, 0, id2, v2, 5);
    moved = 1; /* 30 */
    live_marks_update(&m, &a.rows, 1, NULL, 0, 5, 2500, &moved);
    CHECK_INT(moved, 3);
    CHECK_INT(live_marks_row(&m, 0, 2500), 2);
    CHECK_INT(live_marks_row(&m, 4, 2500), 1); /* 25 kept its mark, fading */
    /* a row that left takes the cursor with it nowhere */
    const int64_t id3[] = {5, 6, 10, 25, 77}, v3[] = {7, 8, 1, 9, 0};
    make(&b, 0, id3, v3, 5);
    moved = 3; /* 30, now gone */
    live_marks_update(&m, &b.rows, 1, NULL, 0, 5, 2600, &moved);
    CHECK_INT(moved, -1);
    CHECK_INT(live_marks_row(&m, 4, 2600), 2); /* 77 took 30's place: a new row */
    live_marks_reset(&m);
}

static void test_other_window_marks_nothing(void)
{
    struct live_marks m;
    memset(&m, 0, sizeof m);
    struct window a, b;
    const int64_t id0[] = {1, 2, 3}, v0[] = {1, 2, 3};
    const int64_t id1[] = {3, 4, 5}, v1[] = {30, 4, 5};
    make(&a, 0, id0, v0, 3);
    make(&b, 2, id1, v1, 3);
    live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL);
    int64_t moved = 2;
    live_marks_update(&m, &b.rows, 0, NULL, 0, 3, 1000, &moved);
    CHECK_INT(moved, 0); /* the cursor's row is found in a scrolled window too */
    CHECK_INT(live_marks_next_change(&m, 1000), -1);
    live_marks_reset(&m);
    live_marks_reset(&m); /* idempotent */
}

/* Rows alike in every cell: contents cannot tell them apart, the server's
 * origin can. A row inserted above the cursor moves it down by one. */
static void test_origin_tells_equal_rows_apart(void)
{
    struct live_marks m;
    memset(&m, 0, sizeof m);
    struct window a, b;
    const int64_t id0[] = {1, 1, 1, 2}, v0[] = {7, 7, 7, 8};
    const int64_t id1[] = {1, 1, 1, 1, 2}, v1[] = {7, 7, 7, 7, 8};
    make(&a, 0, id0, v0, 4);
    make(&b, 0, id1, v1, 5);
    live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL);
    const int64_t origin[] = {-1, 0, 1, 2, 3}; /* a new row 0 */
    int64_t moved = 2;
    CHECK_INT(live_marks_update(&m, &b.rows, 1, origin, 0, 4, 2000, &moved), 0);
    CHECK_INT(moved, 3);
    CHECK_INT(live_marks_row(&m, 0, 2000), 2); /* the new row is the one marked */
    CHECK_INT(live_marks_row(&m, 3, 2000), 0);
    /* By contents alone the cursor would stay on the third equal row. */
    live_marks_reset(&m);
    live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL);
    moved = 2;
    live_marks_update(&m, &b.rows, 1, NULL, 0, 4, 2000, &moved);
    CHECK_INT(moved, 2);
    /* A row that moves comes as one removed and one added position (a sorted
     * view whose key changed): the contents still find it. */
    const int64_t id4[] = {10, 20, 30}, v4[] = {1, 2, 3};
    const int64_t id5[] = {20, 30, 10}, v5[] = {2, 3, 9};
    make(&a, 0, id4, v4, 3);
    make(&b, 0, id5, v5, 3);
    live_marks_reset(&m);
    live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL);
    const int64_t moves[] = {1, 2, -1};
    moved = 0; /* Id 10 */
    live_marks_update(&m, &b.rows, 1, moves, 0, 3, 2000, &moved);
    CHECK_INT(moved, 2);
    CHECK_INT(live_marks_row(&m, 2, 2000), 0);     /* not a new row */
    CHECK_INT(live_marks_cell(&m, 2, 1, 2000), 2); /* its value changed */
    make(&a, 0, id0, v0, 4);
    /* An origin index outside the old window, or claimed twice, is no origin
     * (the contents line that row up), not a crash. */
    make(&b, 0, id1, v1, 5);
    const int64_t bad[] = {0, 0, 1, 2, 99};
    live_marks_reset(&m);
    live_marks_update(&m, &a.rows, 0, NULL, 0, 0, 1000, NULL);
    moved = 3;
    CHECK_INT(live_marks_update(&m, &b.rows, 1, bad, 0, 4, 2000, &moved), 0);
    CHECK_INT(moved, 4);
    CHECK_INT(live_marks_row(&m, 1, 2000), 2);
    live_marks_reset(&m);
}

int main(void)
{
    CHECK_RUN(T(test_insert_remove_change), T(test_other_window_marks_nothing),
              T(test_origin_tells_equal_rows_apart));
}
