/* SPDX-License-Identifier: MIT */
/* colcache: whole columns of a table the catalogue generates a column at a time
 * (catalog.h, demo_table_column_bulk), generated once on first use and kept for the
 * table's life, so sorts and filters read arrays instead of computing every cell
 * again (a trades price costs a sine). Only the columns someone sorts or filters
 * by are kept: 8 bytes per row for Price, Timestamp and Id, 4 for Size, 1 for Sym,
 * Exchange and Flag. Thread-safe. */
#ifndef DEMO_COLCACHE_H
#define DEMO_COLCACHE_H

#include <stddef.h>
#include <stdint.h>

struct demo_colcache;

/* Write the values of column col for the n rows ids[] to out, width bytes each (the
 * catalogue's demo_table_column). The cache calls back instead of calling the
 * catalogue, which owns it: no dependency cycle. */
typedef void (*demo_colcache_fill_fn)(const void *ctx, size_t col, const int64_t *ids, size_t n,
                                      uint8_t *out);

/* A cache for ncols columns; NULL when out of memory. Any thread. */
struct demo_colcache *demo_colcache_new(size_t ncols);
/* NULL-safe; only when no reader is left (the table is being freed). */
void demo_colcache_free(struct demo_colcache *cc);

/* Values of column col for rows [0, rows), width bytes each, generated through fill
 * (with ctx, always the table the cache belongs to) on the first call, which the
 * others wait for; NULL when out of memory. Any thread. */
const uint8_t *demo_colcache_get(struct demo_colcache *cc, size_t col, int64_t rows, size_t width,
                                 demo_colcache_fill_fn fill, const void *ctx);

#endif
