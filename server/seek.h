/* SPDX-License-Identifier: MIT */
/* seek: the demo server's TableService.SeekRow (upstream TableServiceGrpcImpl.seekRow,
 * getSeekValue, and clientsupport/gotorow/SeekRow.java): the position of the next (or
 * previous) row whose column equals, or with `contains` holds, the seek value,
 * wrapping around the table, or -1. The positions near the start are read cell by
 * cell; a longer scan reads the column as arrays (catalog.h, demo_table_column_source:
 * a generated column is kept in the column cache), a block at a time.
 * Differences from upstream: the sorted-column shortcut (a binary search when the
 * table is sorted by the column) is not taken, so a seek always scans; `insensitive`
 * lower-cases ASCII letters only. */
#ifndef DEMO_SEEK_H
#define DEMO_SEEK_H

#include <stdint.h>

#include "catalog.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "registry.h"

/* Seek in table t as req asks. 0 with *row (-1: not found); -1 with st (a status the
 * client sees: INVALID_ARGUMENT "Invalid ... type for seek: ..."); -2 with st->msg
 * naming an internal failure that upstream reports only as "Details Logged" (an
 * unknown column, a `contains` seek of a non-string value). Any thread. */
int demo_seek_row(const struct demo_object *t,
                  const Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest *req, int64_t *row,
                  struct demo_status *st);

/* Class.toString of the Java type a column holds ("int", "class java.lang.String"), for
 * messages that quote it as upstream does. Any thread. */
const char *demo_java_class_name(enum demo_col_type t);

#endif
