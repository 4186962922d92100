/* SPDX-License-Identifier: MIT */
/* arrow_gather: build a plain column from cells picked out of other columns
 * of the same flat type, in one allocation. How libdh turns a dictionary-
 * encoded or run-end encoded column into the column of values it stands for,
 * and appends a delta to a dictionary. Pure over checked views; internal to
 * libdh (src/codec). */
#ifndef DH_ARROW_GATHER_H
#define DH_ARROW_GATHER_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"
#include "dh_error.h"

/* One cell to copy: row `row` of view v (checked by the caller to lie in
 * [0, v->length)), or a null cell when v is NULL. */
struct dh_pick {
    const struct dh_column_view *v;
    int64_t row;
};

/* Bytes per value of a fixed-width type (field f's own type, encodings
 * aside); 0 for the rest. */
int dh_value_width(const struct dh_field *f);

/* Whether a column of field f can be built by dh_gather: a type without
 * children (ints, floats, bool, strings, binary, decimals, times, intervals;
 * not Null, whose rows cost nothing on the wire). */
int dh_gather_supported(const struct dh_field *f);

/* Build *out, a column of field f with n rows, cell i copied from picks[i] (a
 * null pick, or a null source cell by its validity, is null). Every pick's
 * view must be of f's type and value width. Its buffers live in *mem, one
 * malloc'd block the caller frees after the view; *bytes is its size. DH_OK,
 * DH_ENOTSUP (f not supported), DH_EINVAL (int32 offsets would overflow; the block would exceed
 * max_bytes), DH_ENOMEM. Any thread. */
int dh_gather(const struct dh_field *f, const struct dh_pick *picks, int64_t n, size_t max_bytes,
              struct dh_column_view *out, void **mem, size_t *bytes, struct dh_error *err);

#endif
