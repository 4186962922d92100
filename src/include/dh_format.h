/* SPDX-License-Identifier: MIT */
/* dh_format: display text for Arrow cells as Deephaven sends them (numbers,
 * strings, times, decimals, BigDecimal/BigInteger, lists), already sanitised
 * for the terminal, plus column type labels. Pure; no allocation. */
#ifndef DH_FORMAT_H
#define DH_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "dh_arrow.h"

/* float_precision: exact digits (the shortest that read back identical). */
#define DH_FORMAT_SHORTEST 0

/* How cells are shown. Caller-allocated; start from dh_format_opts_init. */
struct dh_format_opts {
    int group_digits;      /* 1: "1,234,567" in integer parts of numbers */
    int local_time;        /* 1: timestamps in the local zone with its offset
                            * ("+01:00", dh_timetext.h); 0: UTC "Z" */
    int float_precision;   /* DH_FORMAT_SHORTEST (0, the default): the shortest
                            * digits that read back to the same bits (strtod,
                            * strtof; see dh_numtext.h), "-0" keeps its sign;
                            * > 0: that many significant digits (float32 at
                            * most 9), where digits before the point are never
                            * rounded away (123456.789 at 3 shows "123457").
                            * Fixed notation for 1e-5 <= |x| < 1e15, else
                            * "1.5E20" */
    const char *null_text; /* text for nulls; NULL means "(null)" */
    int deephaven_nulls;   /* 1: Deephaven sentinels (QueryConstants: MIN of the
                            * signed ints, char 0xFFFF, -FLT_MAX, -DBL_MAX, INT64_MIN
                            * timestamps and dates) are nulls too, as Barrage sends
                            * them with use_deephaven_nulls */
    int max_list_items;    /* list elements shown before ", …"; <= 0: 10 */
    int max_binary_bytes;  /* bytes of Binary shown in hex before "…"; <= 0: 32 */
    int64_t list_cut;      /* > 0: the server cut lists to list_cut + 1 elements
                            * (previewListLengthLimit): a list that long shows
                            * "1000+ " before its first list_cut elements; 0: none */
};

/* Fill opts with the defaults (no grouping, UTC, exact shortest digits, "(null)", Arrow
 * validity only). Any thread. */
void dh_format_opts_init(struct dh_format_opts *opts);

/* Write the display text of col[row] into out[0..n) (NUL-terminated when
 * n > 0; sanitised: no control or escape byte; cut on a character boundary and
 * ended with '…' when it does not fit). opts may be NULL (defaults). Texts:
 * integers "-1234"; char columns (uint16, deephaven:type "char") the character;
 * floats "0.1", "1.5E20", "NaN", "Infinity"; bool "true"/"false"; Binary
 * "0x0a1b…"; Timestamp "2024-01-02T03:04:05.123456789Z" (digits per unit);
 * Date "2024-01-02"; Time "03:04:05.123"; Duration as Java's Duration.toString
 * "PT1H2M3.5S"; Interval as Deephaven's Java types print (YEAR_MONTH a Period
 * "P17M", MONTH_DAY_NANO a PeriodDuration "P1M3D PT1.5S", DAY_TIME a Duration);
 * Decimal, BigDecimal and BigInteger exact ("-123.45"); List "[1, 2, 3]"; nulls the null text; a
 * row outside the column "". Returns the bytes written. The column's buffers must have been checked
 * by the decoder. No allocation. Any thread. */
size_t dh_format_cell(const struct dh_column_view *col, int64_t row,
                      const struct dh_format_opts *opts, char *out, size_t n);

/* Whether the column holds numbers (to right-align them): integers other than
 * char, floats, decimals, BigDecimal and BigInteger. Any thread. */
int dh_format_is_numeric(const struct dh_field *field);

/* Write a short type label for a column header into buf[0..n): the simple
 * name of deephaven:type ("long", "String", "Instant", "int[]") when present,
 * else the Arrow type ("int64", "timestamp[ns, UTC]", "list<int32>").
 * Sanitised, NUL-terminated, cut like dh_format_cell; returns the bytes
 * written. Any thread. */
size_t dh_format_type_label(const struct dh_field *field, char *buf, size_t n);

#endif
