/* SPDX-License-Identifier: MIT */
/* numtext.c: exact number text (see dh_numtext.h).
 * The shortest digits are found by asking the C library for 1..17 significant
 * digits and keeping the first that strtod reads back to the same bits:
 * simple and correct, if slow; a faster digit generator can replace
 * dh_double_decimal and dh_float_decimal without changing any caller. */
#include "dh_numtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split "d.ddde±x" (as %.*e writes it) into integer digits and exponent. */
static void split_e(const char *e, uint64_t *digits, int *exp10)
{
    uint64_t d = 0;
    int nfrac = 0, seen_point = 0;
    const char *p = e;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_point = 1;
            continue;
        }
        d = d * 10 + (uint64_t)(*p - '0');
        nfrac += seen_point;
    }
    int x = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
    x -= nfrac;
    while (d && d % 10 == 0) {
        d /= 10;
        x++;
    }
    *digits = d;
    *exp10 = x;
}

void dh_double_decimal(double v, uint64_t *digits, int *exp10)
{
    char e[48];
    v = fabs(v);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    split_e(e, digits, exp10);
}

void dh_float_decimal(float v, uint32_t *digits, int *exp10)
{
    char e[48];
    v = fabsf(v);
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, (double)v);
        if (strtof(e, NULL) == v)
            break;
    }
    uint64_t d;
    split_e(e, &d, exp10);
    *digits = (uint32_t)d;
}

/* Lay out sign, digits and exponent: plain for 1e-7 <= |v| < 1e21. */
static size_t layout(int neg, uint64_t digits, int exp10, char *out)
{
    char ds[24];
    size_t nd = dh_u64_text(digits, ds);
    int point = (int)nd + exp10; /* position of the decimal point in ds */
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (point > 21 || point < -5) {
        out[n++] = ds[0];
        if (nd > 1) {
            out[n++] = '.';
            memcpy(out + n, ds + 1, nd - 1);
            n += nd - 1;
        }
        int x = point - 1;
        out[n++] = 'e';
        out[n++] = x < 0 ? '-' : '+';
        n += dh_u64_text((uint64_t)(x < 0 ? -x : x), out + n);
        return n;
    }
    if (point <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = point; i < 0; i++)
            out[n++] = '0';
        memcpy(out + n, ds, nd);
        n += nd;
    } else if ((size_t)point >= nd) {
        memcpy(out + n, ds, nd);
        n += nd;
        for (size_t i = nd; i < (size_t)point; i++)
            out[n++] = '0';
    } else {
        memcpy(out + n, ds, (size_t)point);
        n += (size_t)point;
        out[n++] = '.';
        memcpy(out + n, ds + point, nd - (size_t)point);
        n += nd - (size_t)point;
    }
    out[n] = '\0';
    return n;
}

/* NaN, infinities and zeros, shared by both widths; 0 if v is none of them. */
static size_t special_text(double v, char *out)
{
    const char *s = isnan(v) ? "NaN"
                    : isinf(v) ? (v < 0 ? "-Infinity" : "Infinity")
                    : v == 0 ? (signbit(v) ? "-0" : "0")
                             : NULL;
    if (!s)
        return 0;
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

size_t dh_double_text(double v, char *out)
{
    size_t n = special_text(v, out);
    if (n)
        return n;
    uint64_t d;
    int x;
    dh_double_decimal(v, &d, &x);
    return layout(signbit(v) != 0, d, x, out);
}

size_t dh_float_text(float v, char *out)
{
    size_t n = special_text((double)v, out);
    if (n)
        return n;
    uint32_t d;
    int x;
    dh_float_decimal(v, &d, &x);
    return layout(signbit(v) != 0, d, x, out);
}

size_t dh_u64_text(uint64_t v, char *out)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

size_t dh_i64_text(int64_t v, char *out)
{
    if (v >= 0)
        return dh_u64_text((uint64_t)v, out);
    out[0] = '-';
    /* -(v+1)+1 avoids overflow at INT64_MIN. */
    return 1 + dh_u64_text((uint64_t)(-(v + 1)) + 1, out + 1);
}
