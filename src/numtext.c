/* SPDX-License-Identifier: MIT */
/* numtext.c: exact number text (see dh_numtext.h).
 * Shortest digits by Schubfach (R. Giulietti, "The Schubfach way to render
 * doubles", 2020), written here from the paper: scale the value and the two
 * ends of its rounding interval by one 128-bit power of ten
 * (numtext_pow10.h), rounded to odd so comparisons stay exact, then keep the
 * one decimal of the shorter length that lies inside, else the closer of the
 * two neighbours at the longer length. Floats share the table (top 64 bits). */
#include "dh_numtext.h"

#include <math.h>
#include <string.h>

#include "numtext_pow10.h"

typedef unsigned __int128 u128;

/* floor(log10(2^q)), floor(log10(3/4 * 2^q)), floor(log2(10^e)) for the
 * exponents of doubles; scripts/gen_numtext_pow10.py checks every one. */
static int flog10_pow2(int q) { return (q * 315653) >> 20; }
static int flog10_3q_pow2(int q) { return (q * 315653 - 131237) >> 20; }
static int flog2_pow10(int e) { return (e * 1741647) >> 19; }

/* g * cp / 2^128 rounded to odd: the floor, with its lowest bit set when the
 * fraction is not zero. g exceeds the true power of ten by less than one unit,
 * so the product carries an error below 2^64 (doubles) or 2^32 (floats, whose
 * g has only its top 64 bits); the bits under `noise` are that error and are
 * not read, which keeps exact products exact (the paper bounds a true
 * fraction away from those bits). */
static uint64_t round_odd(uint64_t g_hi, uint64_t g_lo, uint64_t cp, uint64_t noise)
{
    u128 lo = (u128)g_lo * cp;
    u128 hi = (u128)g_hi * cp + (uint64_t)(lo >> 64);
    return (uint64_t)(hi >> 64) | (((uint64_t)hi & ~noise) != 0);
}

/* The shortest decimal (closest of the shortest; ties to even) that reads
 * back to c * 2^q, where c is the binary significand with its hidden bit;
 * `asym` when c is the smallest normal significand of a binade above the
 * first (the gap below is half the gap above); `wide` selects the full
 * 128-bit power (doubles) or its top 64 bits plus one (floats). */
static void shortest(uint64_t c, int q, int asym, int wide, uint64_t *digits, int *exp10)
{
    uint64_t out = c & 1; /* an odd c does not own its interval's ends */
    uint64_t cb = c << 2, cbr = cb + 2, cbl;
    int k;
    if (asym) {
        cbl = cb - 1;
        k = flog10_3q_pow2(q);
    } else {
        cbl = cb - 2;
        k = flog10_pow2(q);
    }
    int h = q + flog2_pow10(-k) + 1;
    const uint64_t *g = numtext_pow10[k - NUMTEXT_K_MIN];
    uint64_t g_hi = wide ? g[0] : g[0] + 1, g_lo = wide ? g[1] : 0;
    uint64_t noise = wide ? 0 : UINT32_MAX;
    /* 4 * x / 10^k, rounded to odd, for x the value and its interval's ends. */
    uint64_t vb = round_odd(g_hi, g_lo, cb << h, noise);
    uint64_t lower = round_odd(g_hi, g_lo, cbl << h, noise) + out;
    uint64_t upper = round_odd(g_hi, g_lo, cbr << h, noise) - out;
    uint64_t s = vb >> 2;
    if (s >= 10) {
        /* At most one multiple of 10^(k+1) fits in the interval. */
        uint64_t sp = s / 10;
        int up_in = lower <= 40 * sp, wp_in = 40 * sp + 40 <= upper;
        if (up_in != wp_in) {
            *digits = sp + (uint64_t)wp_in;
            *exp10 = k + 1;
            return;
        }
    }
    int u_in = lower <= 4 * s, w_in = 4 * s + 4 <= upper;
    if (u_in != w_in) {
        *digits = s + (uint64_t)w_in;
        *exp10 = k;
        return;
    }
    uint64_t mid = 4 * s + 2;
    *digits = s + (uint64_t)(vb > mid || (vb == mid && (s & 1)));
    *exp10 = k;
}

/* Drop trailing zeros from *d (non-zero), raising *x to match. */
static void strip_zeros(uint64_t *d, int *x)
{
    if (*d == 0)
        return;
    while (*d % 100000000 == 0) {
        *d /= 100000000;
        *x += 8;
    }
    if (*d % 10000 == 0) {
        *d /= 10000;
        *x += 4;
    }
    if (*d % 100 == 0) {
        *d /= 100;
        *x += 2;
    }
    if (*d % 10 == 0) {
        *d /= 10;
        *x += 1;
    }
}

/* The shortest decimal of the binary value with `mant` fraction bits,
 * exponent bias `bias` and fields frac, be (biased exponent); `wide` as in
 * shortest(). */
static void binary_decimal(uint64_t frac, int be, int mant, int bias, int wide,
                           uint64_t *digits, int *exp10)
{
    uint64_t c = be ? frac | (UINT64_C(1) << mant) : frac;
    int q = (be ? be : 1) - bias - mant;
    /* Integers below 2^(mant+1) are their own shortest text. */
    if (q <= 0 && q >= -mant && (c & ((UINT64_C(1) << -q) - 1)) == 0) {
        *digits = c >> -q;
        *exp10 = 0;
    } else {
        shortest(c, q, frac == 0 && be > 1, wide, digits, exp10);
    }
    strip_zeros(digits, exp10);
}

void dh_double_decimal(double v, uint64_t *digits, int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    binary_decimal(bits & ((UINT64_C(1) << 52) - 1), (int)((bits >> 52) & 0x7FF), 52, 1023, 1,
                   digits, exp10);
}

void dh_float_decimal(float v, uint32_t *digits, int *exp10)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t d;
    binary_decimal(bits & ((UINT32_C(1) << 23) - 1), (int)((bits >> 23) & 0xFF), 23, 127, 0, &d,
                   exp10);
    *digits = (uint32_t)d;
}

/* Lay out sign, digits and exponent: plain for 1e-6 <= |v| < 1e21. */
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

/* "00".."99": two digits per division. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t dh_u64_text(uint64_t v, char *out)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
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
