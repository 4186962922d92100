/* SPDX-License-Identifier: MIT */
/* dh_numtext: exact number text. The shortest decimal that reads back
 * (strtod / strtof) to the same bits, for doubles and floats, and fast
 * integer text. Pure; no allocation; no locale. */
#ifndef DH_NUMTEXT_H
#define DH_NUMTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text any function here writes, NUL included. */
#define DH_NUMTEXT_MAX 40

/* The shortest decimal of a finite, non-zero |v|: |v| == digits * 10^exp10
 * read back with round-to-nearest, digits without trailing zeros. Of several
 * shortest candidates the one closest to v is chosen. Any thread. */
void dh_double_decimal(double v, uint64_t *digits, int *exp10);
void dh_float_decimal(float v, uint32_t *digits, int *exp10);

/* Write v as the shortest text strtod reads back to the same bits, into out
 * (at least DH_NUMTEXT_MAX bytes, NUL-terminated); returns the length.
 * Plain notation for 1e-6 <= |v| < 1e21 (as JavaScript writes numbers) ("0.1", "123.5", "100"),
 * else scientific ("1.7976931348623157e+308", "5e-324"); "-0" keeps its sign; "NaN", "Infinity",
 * "-Infinity". Any thread. */
size_t dh_double_text(double v, char *out);
/* The same for a float, read back with strtof. Any thread. */
size_t dh_float_text(float v, char *out);

/* Decimal text of an integer into out (at least DH_NUMTEXT_MAX bytes,
 * NUL-terminated); returns the length. Any thread. */
size_t dh_i64_text(int64_t v, char *out);
size_t dh_u64_text(uint64_t v, char *out);

/* The low `width` decimal digits of v, zero-padded on the left, at
 * out[0..width) (no NUL): fraction digits of times. Any thread. */
void dh_digits_fixed(uint64_t v, size_t width, char *out);

#endif
