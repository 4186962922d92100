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

/* Line new rows up with old ones: old_of[nj[j]] becomes the old index (one of
 * oi) of new row nj[j] (the same row), or stays -1 (a row that came), for the
 * rows listed (ascending). Greedy, as a diff with unbounded look-ahead: the
 * old row further down being the new one means old rows were removed; the new
 * row further down being the old one means rows were inserted; neither means
 * one row left and another came in its place. */
static void line_up(const struct live_marks *old, const size_t *oi, size_t no,
                    const struct live_marks *m, const size_t *nj, size_t nn, int64_t *old_of)
{
    size_t i = 0, j = 0;
    while (j < nn) {
        if (i >= no) {
            j++;
            continue;
        }
        if (same_row(old, oi[i], m, nj[j])) {
            old_of[nj[j++]] = (int64_t)oi[i++];
            continue;
        }
        size_t k, far = no > nn ? no : nn;
        for (k = 1; k < far; k++) {
            if (i + k < no && same_row(old, oi[i + k], m, nj[j])) {
                i += k; /* old rows i..i+k-1 were removed */
                break;
            }
            if (j + k < nn && same_row(old, oi[i], m, nj[j + k])) {
                j += k; /* new rows j..j+k-1 were inserted */
                break;
            }
        }
        if (k == far) { /* nothing alike: old row i left and new row j came */
            i++;
            j++;
        }
    }
}

/* old_of for every new row. The server's origin (when given) is exact for
 * the rows it kept; the rows it says came are then lined up by contents with
 * the old rows it says left, since a row that moves (a sorted view's row whose
 * key changed) comes as one removed and one added position. 0, or -1 when out
 * of memory. */
static int line_up_all(const struct live_marks *old, const struct live_marks *m,
                       const int64_t *origin, int64_t *old_of)
{
    size_t *oi = calloc(old->n_rows ? old->n_rows : 1, sizeof *oi);
    size_t *nj = calloc(m->n_rows ? m->n_rows : 1, sizeof *nj);
    unsigned char *claimed = calloc(old->n_rows ? old->n_rows : 1, 1);
    if (!oi || !nj || !claimed) {
        free(oi);
        free(nj);
        free(claimed);
        return -1;
    }
    size_t no = 0, nn = 0;
    for (size_t j = 0; j < m->n_rows; j++) {
        int64_t i = origin ? origin[j] : -1;
        old_of[j] = -1;
        if (i >= 0 && (size_t)i < old->n_rows && !claimed[i]) {
            old_of[j] = i;
            claimed[i] = 1;
        } else {
            nj[nn++] = j;
        }
    }
    for (size_t i = 0; i < old->n_rows; i++)
        if (!claimed[i])
            oi[no++] = i;
    line_up(old, oi, no, m, nj, nn, old_of);
    free(oi);
    free(nj);
    free(claimed);
    return 0;
}

int live_marks_update(struct live_marks *m, const struct dh_rows *rows, int compare,
                      const int64_t *origin, int64_t old_first, int64_t old_size, int64_t now_ms,
                      int64_t *moved)
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
    if (!old_of || line_up_all(&old, m, origin, old_of) != 0) {
        free(old_of);
        live_marks_reset(&old);
        return 0; /* no marks this time */
    }
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
