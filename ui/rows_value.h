/* SPDX-License-Identifier: MIT */
/* rows_value: the exact text of a cell for the data formats of `dhtui rows`
 * (CSV, TSV, JSON): integers in full, floats as the shortest text that reads
 * back to the same bits (dh_numtext.h), instants in ISO 8601 (UTC "Z" or the
 * local zone with its offset), strings as their bytes, decimals exact, lists
 * as JSON arrays, maps and structs as JSON objects (a map whose keys are not
 * strings as an array of [key, value] pairs). No snprintf on the hot paths. */
#ifndef DHTUI_ROWS_VALUE_H
#define DHTUI_ROWS_VALUE_H

#include <stdint.h>

#include "dh_arrow.h"
#include "dh_timetext.h"
#include "rows_out.h"

/* How a column's cells are written; decided once per column. */
enum rows_kind {
    RK_INT,  /* signed, 8 to 64 bits */
    RK_UINT, /* unsigned, 8 to 64 bits (not char) */
    RK_CHAR, /* Deephaven char: one UTF-16 unit */
    RK_FLOAT16,
    RK_FLOAT32,
    RK_FLOAT64,
    RK_BOOL,
    RK_STRING, /* UTF8 / LARGE_UTF8 bytes */
    RK_TIMESTAMP,
    RK_DATE,
    RK_TIME,
    RK_DECIMAL, /* Arrow Decimal, BigDecimal, BigInteger: exact decimal text */
    RK_LIST,
    RK_MAP,    /* JSON: an object when its keys are strings, else [key, value] pairs */
    RK_STRUCT, /* JSON: an object of its fields */
    RK_OTHER,  /* binary (hex), durations and the rest: the display text */
};

enum rows_kind rows_kind_of(const struct dh_field *f);

/* dh_column_is_null, with the common case (a validity bitmap or none) inline:
 * it runs once per cell. */
static inline int rows_cell_is_null(const struct dh_column_view *c, int64_t r)
{
    if (r >= c->length || c->deephaven_nulls || !c->field || c->field->type == DH_TYPE_NULL)
        return dh_column_is_null(c, r);
    return c->validity && !((c->validity[r >> 3] >> (r & 7)) & 1);
}

/* What the writers share for one run. */
struct rows_value_ctx {
    int local_time; /* instants in the local zone (dh_timetext.h) */
    struct dh_zone_cache zone;
    struct rows_buf scratch; /* display text of rare types, lists in CSV/TSV */
};

/* The exact text of the non-null cell col[row] (kind k) as CSV and TSV take
 * it before escaping: *text and *len point at it (into the column, into tmp,
 * which holds ROWS_VALUE_TMP bytes, or into ctx->scratch). NaN, Infinity and
 * -Infinity as spelled. */
#define ROWS_VALUE_TMP 64
void rows_value_text(struct rows_value_ctx *ctx, const struct dh_column_view *col, int64_t row,
                     enum rows_kind k, char *tmp, const char **text, size_t *len);

/* Append the cell as a JSON value (null included): numbers bare, but integers
 * beyond +-2^53 and decimals as strings (no JSON reader rounds them), NaN and
 * infinities as the strings "NaN", "Infinity", "-Infinity", -0 as -0.0;
 * instants, dates, times, chars and binary as strings; lists as arrays;
 * structs as objects of their fields; maps whose key type is a string as
 * objects, in wire order (a map with a null key, which Arrow forbids, as
 * pairs), other maps as arrays of [key, value] pairs. */
void rows_value_json(struct rows_value_ctx *ctx, struct rows_buf *b,
                     const struct dh_column_view *col, int64_t row, enum rows_kind k);

#endif
