/* SPDX-License-Identifier: MIT */
/* live_marks: the flash of a live window's changes (see live_marks.h). */
#include "live_marks.h"

#include <stdlib.h>
#include <string.h>

#include "dh_format.h"

void live_marks_reset(struct live_marks *m)
{
    if (!m)
        return;
    free(m->row_hash);
    free(m->cell_hash);
    free(m->changed_ms);
    free(m->added_ms);
    memset(m, 0, sizeof *m);
}

/* FNV-1a of the cell's text (nulls apart from any text). */
static uint64_t cell_hash(const struct dh_column_view *c, int64_t i)
{
    uint64_t h = 1469598103934665603ULL;
    if (i >= c->length)
        return h;
    if (dh_column_is_null(c, i))
        return h ^ 0x9e3779b97f4a7c15ULL;
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    o.float_precision = DH_FORMAT_SHORTEST;
    char buf[256];
    size_t n = dh_format_cell(c, i, &o, buf, sizeof buf);
    for (size_t k = 0; k < n && k < sizeof buf; k++) {
        h ^= (uint8_t)buf[k];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The new arrays for rows, hashes filled, marks zero. */
static int fill(struct live_marks *m, const struct dh_rows *rows)
{
    size_t nr = rows && rows->batch.length > 0 ? (size_t)rows->batch.length : 0;
    size_t nf = rows ? dh_rows_n_columns(rows) : 0;
    size_t cells = nr * nf;
    m->n_rows = nr;
    m->n_fields = nf;
    m->row_hash = calloc(nr ? nr : 1, sizeof *m->row_hash);
    m->cell_hash = calloc(cells ? cells : 1, sizeof *m->cell_hash);
    m->changed_ms = calloc(cells ? cells : 1, sizeof *m->changed_ms);
    m->added_ms = calloc(nr ? nr : 1, sizeof *m->added_ms);
    if (!m->row_hash || !m->cell_hash || !m->changed_ms || !m->added_ms)
        return -1;
    for (size_t f = 0; f < nf; f++) {
        const struct dh_column_view *c = dh_rows_column(rows, f);
        for (size_t i = 0; i < nr; i++)
            m->cell_hash[i * nf + f] = cell_hash(c, (int64_t)i);
    }
    for (size_t i = 0; i < nr; i++) {
        uint64_t h = 14695981039346656037ULL;
        for (size_t f = 0; f < nf; f++)
            h = (h ^ m->cell_hash[i * nf + f]) * 1099511628211ULL;
        m->row_hash[i] = h;
    }
    return 0;
}

/* 1 if old row i and new row j are the same row: equal, or changed in fewer
 * than half of their cells (a row's key cells stay while its values change). */
static int same_row(const struct live_marks *old, size_t i, const struct live_marks *m, size_t j)
{
    if (old->row_hash[i] == m->row_hash[j])
        return 1;
    size_t nf = m->n_fields, equal = 0;
    for (size_t f = 0; f < nf; f++)
        equal += old->cell_hash[i * nf + f] == m->cell_hash[j * nf + f];
    return nf > 0 && 2 * equal >= nf;
}

/* Line the new rows up with the old ones: old_of[j] is the old index of new
 * row j (the same row), or -1 (a row that came). Greedy, as a diff with unbounded look-ahead: the
 * old row further down being the new one means old rows were removed; the new row further down
 * being the old one means rows were inserted; neither means one row left and another came in its
 * place. */
static void line_up(const struct live_marks *old, const struct live_marks *m, int64_t *old_of)
{
    size_t i = 0, j = 0, no = old->n_rows, nn = m->n_rows;
    while (j < nn) {
        old_of[j] = -1;
        if (i >= no) {
            j++;
            continue;
        }
        if (same_row(old, i, m, j)) {
            old_of[j++] = (int64_t)i++;
            continue;
        }
        size_t k, far = no > nn ? no : nn;
        for (k = 1; k < far; k++) {
            if (i + k < no && same_row(old, i + k, m, j)) {
                i += k; /* old rows i..i+k-1 were removed */
                break;
            }
            if (j + k < nn && same_row(old, i, m, j + k)) {
                for (size_t s = 1; s < k; s++) /* new rows j..j+k-1 were inserted */
                    old_of[j + s] = -1;
                j += k;
                break;
            }
        }
        if (k == far) { /* nothing alike: old row i left and new row j came */
            i++;
            j++;
        }
    }
}

int live_marks_update(struct live_marks *m, const struct dh_rows *rows, int compare,
                      int64_t old_first, int64_t old_size, int64_t now_ms, int64_t *moved)
{
    struct live_marks old = *m;
    memset(m, 0, sizeof *m);
    int64_t want = moved ? *moved : -1;
    if (moved)
        *moved = -1;
    if (fill(m, rows) != 0) {
        live_marks_reset(m);
        live_marks_reset(&old);
        return -1;
    }
    if (old.n_fields != m->n_fields || !old.row_hash || m->n_rows == 0) {
        live_marks_reset(&old);
        return 0;
    }
    int64_t *old_of = calloc(m->n_rows, sizeof *old_of);
    if (!old_of) {
        live_marks_reset(&old);
        return 0; /* no marks this time */
    }
    line_up(&old, m, old_of);
    size_t nf = m->n_fields;
    int64_t old_end = old_first + (int64_t)old.n_rows;
    for (size_t j = 0; j < m->n_rows; j++) {
        int64_t i = old_of[j];
        if (moved && want >= 0 && i == want)
            *moved = (int64_t)j;
        if (!compare)
            continue;
        if (i < 0) {
            /* Inserted, or appended: not a row that scrolled into the window. */
            int64_t pos = rows->first + (int64_t)j;
            if (pos < old_end || pos >= old_size)
                m->added_ms[j] = now_ms;
            continue;
        }
        m->added_ms[j] = old.added_ms[i];
        for (size_t f = 0; f < nf; f++) {
            size_t o = (size_t)i * nf + f, n = j * nf + f;
            m->changed_ms[n] = old.cell_hash[o] == m->cell_hash[n] ? old.changed_ms[o] : now_ms;
        }
    }
    free(old_of);
    live_marks_reset(&old);
    return 0;
}

/* 2 bright, 1 fading, 0 gone, for a mark made at t (0: none). */
static int look(int64_t t, int64_t now_ms)
{
    if (t == 0 || now_ms - t >= LIVE_MARK_MS || now_ms < t)
        return 0;
    return now_ms - t < LIVE_MARK_BRIGHT_MS ? 2 : 1;
}

int live_marks_cell(const struct live_marks *m, int64_t i, size_t f, int64_t now_ms)
{
    if (i < 0 || (size_t)i >= m->n_rows || f >= m->n_fields)
        return 0;
    return look(m->changed_ms[(size_t)i * m->n_fields + f], now_ms);
}

int live_marks_row(const struct live_marks *m, int64_t i, int64_t now_ms)
{
    if (i < 0 || (size_t)i >= m->n_rows)
        return 0;
    return look(m->added_ms[i], now_ms);
}

/* The next look change of a mark made at t, folded into *best. */
static void next_of(int64_t t, int64_t now_ms, int64_t *best)
{
    if (!look(t, now_ms))
        return;
    int64_t age = now_ms - t;
    int64_t wait = age < LIVE_MARK_BRIGHT_MS ? LIVE_MARK_BRIGHT_MS - age : LIVE_MARK_MS - age;
    if (*best < 0 || wait < *best)
        *best = wait;
}

int64_t live_marks_next_change(const struct live_marks *m, int64_t now_ms)
{
    int64_t best = -1;
    for (size_t i = 0; i < m->n_rows; i++)
        next_of(m->added_ms[i], now_ms, &best);
    for (size_t c = 0; c < m->n_rows * m->n_fields; c++)
        next_of(m->changed_ms[c], now_ms, &best);
    return best;
}
