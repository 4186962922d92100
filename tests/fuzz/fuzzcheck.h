/* SPDX-License-Identifier: MIT */
/* fuzzcheck.h: helpers shared by the fuzz targets: length-prefixed message
 * splitting and the terminal-safety check of sanitised text. */
#ifndef DH_FUZZCHECK_H
#define DH_FUZZCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_format.h"
#include "dh_table.h"
#include "dh_text.h"

/* The next chunk of data[*at, size): a little-endian u32 length, then that many
 * bytes (a length past the end takes the rest). 0 when no length is left. */
static inline int fc_next_chunk(const uint8_t *data, size_t size, size_t *at, const uint8_t **p,
                                size_t *n)
{
    if (size - *at < 4)
        return 0;
    const uint8_t *h = data + *at;
    size_t len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24;
    *at += 4;
    if (len > size - *at)
        len = size - *at;
    *p = data + *at;
    *n = len;
    *at += len;
    return 1;
}

/* Whether sanitised text must never hold cp: C1 controls and the bidi
 * controls dh_text escapes. */
static inline int fc_forbidden_codepoint(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Check display text written into buf[0..cap) that reports `ret` bytes:
 * NUL-terminated at ret, no C0 control or DEL, valid UTF-8 (U+FFFD only as its
 * own three bytes), no C1 or bidi control. Traps on a violation. */
static inline void fc_check_text(const char *buf, size_t ret, size_t cap)
{
    if (cap == 0) {
        if (ret != 0)
            __builtin_trap();
        return;
    }
    if (ret >= cap || buf[ret] != '\0' || strlen(buf) != ret)
        __builtin_trap();
    for (size_t i = 0; i < ret; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c == 0x7F)
            __builtin_trap();
    }
    for (size_t i = 0; i < ret;) {
        uint32_t cp;
        size_t k = dh_text_utf8_next(buf + i, ret - i, &cp);
        if (k == 0 || k > ret - i)
            __builtin_trap();
        if (cp == 0xFFFD && (k != 3 || memcmp(buf + i, "\xef\xbf\xbd", 3) != 0))
            __builtin_trap(); /* an invalid sequence passed through */
        if (fc_forbidden_codepoint(cp))
            __builtin_trap();
        i += k;
    }
}

/* Sanitise untrusted text into a buffer of 1 + flags % 48 bytes and cut it to
 * flags % 13 columns; check both results. */
static inline void fc_check_sanitize(const char *s, size_t n, unsigned flags)
{
    char out[48], cut[48];
    size_t cap = 1 + flags % sizeof out;
    size_t used = 0;
    size_t w = dh_text_sanitize(s, n, out, cap, flags & 3u, &used);
    fc_check_text(out, w, cap);
    if (used > n)
        __builtin_trap();
    size_t cols = 0, max_cols = flags % 13;
    w = dh_text_truncate_to_width(out, w, max_cols, flags & DH_TRUNCATE_ELLIPSIS, cut, sizeof cut,
                                  &cols);
    fc_check_text(cut, w, sizeof cut);
    if (cols > max_cols || dh_text_width(cut, w) != cols)
        __builtin_trap();
}

/* Work caps, so one input stays fast (a Null column may claim 2^62 rows). */
#define FC_MAX_ROWS 256
#define FC_MAX_CELLS 4096

/* Format every cell (up to the caps) into a small and a large buffer. */
static inline void fc_format_rows(const struct dh_rows *rows, unsigned flags)
{
    struct dh_format_opts opts;
    dh_format_opts_init(&opts);
    opts.deephaven_nulls = (flags & 1) != 0;
    opts.group_digits = (flags & 2) != 0;
    opts.local_time = (flags & 4) != 0;
    opts.float_precision = (int)(flags >> 4) - 1;
    opts.max_list_items = (flags & 8) ? 2 : 0;
    opts.max_binary_bytes = (flags & 8) ? 3 : 0;
    char big[512], small[24];
    size_t small_cap = 1 + flags % sizeof small;
    size_t cells = 0;
    for (size_t c = 0; c < rows->batch.n_columns && c < rows->schema.n_fields; c++) {
        const struct dh_field *f = &rows->schema.fields[c];
        const struct dh_column_view *col = &rows->batch.columns[c];
        if (f->name)
            fc_check_sanitize(f->name, strlen(f->name), flags);
        size_t w = dh_format_type_label(f, small, small_cap);
        fc_check_text(small, w, small_cap);
        (void)dh_format_is_numeric(f);
        /* Rows outside the column give "". */
        if (dh_format_cell(col, -1, &opts, big, sizeof big) != 0 ||
            dh_format_cell(col, col->length, &opts, big, sizeof big) != 0)
            __builtin_trap();
        for (int64_t r = 0; r < col->length && r < FC_MAX_ROWS && cells < FC_MAX_CELLS;
             r++, cells++) {
            w = dh_format_cell(col, r, &opts, big, sizeof big);
            fc_check_text(big, w, sizeof big);
            w = dh_format_cell(col, r, &opts, small, small_cap);
            fc_check_text(small, w, small_cap);
        }
    }
}

#endif
