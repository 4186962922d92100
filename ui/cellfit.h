/* SPDX-License-Identifier: MIT */
/* cellfit: what a pager cell of a given width shows. Numbers, and times and
 * dates, are shown whole or not at all: a number cut from the right
 * ("1,000,0…") reads as another number, so one that does not fit shows as
 * "###" like a spreadsheet; the column fitting widens number columns further
 * than text columns so that this stays rare. Pure; no curses. */
#ifndef DHTUI_CELLFIT_H
#define DHTUI_CELLFIT_H

#include <stddef.h>

#include "dh_arrow.h"

/* Widest a text column gets (its cells are cut with '…' beyond), and a
 * number column (wide enough for any double, float or decimal128, grouped). */
enum { CELLFIT_TEXT_MAX = 40, CELLFIT_NUMBER_MAX = 56 };

/* Whether the column's cells are shown whole or as "###", never cut: numbers
 * (dh_format_is_numeric) and dates, times, timestamps and durations. */
int cellfit_whole(const struct dh_field *f);

/* The widest a column may be fitted to: numeric columns get more room. */
int cellfit_max_width(int numeric);

/* The text to draw for a cellfit_whole cell's display text in `width` columns:
 * text itself when it fits, else `width` '#' written into hashes[0..n)
 * (NUL-terminated, at most n - 1 of them). Any thread. */
const char *cellfit_number(const char *text, int width, char *hashes, size_t n);

#endif
