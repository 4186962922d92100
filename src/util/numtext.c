/* SPDX-License-Identifier: MIT */
/* numtext.c: exact number text (see dh_numtext.h).
 * Shortest digits by Schubfach (R. Giulietti, "The Schubfach way to render
 * doubles", 2020), written here from the paper: scale the value and the two
 * ends of its rounding interval by one 128-bit power of ten
 * (numtext_pow10.h), rounded to odd so comparisons stay exact, then keep the
 * one decimal of the shorter length that lies inside, else the closer of the
 * two neighbours at the longer length. Floats share the table (top 64 bits). */
#include "dh_numtext.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "numtext_pow10.h"

typedef unsigned __int128 u128;

/* floor(log10(2^q)), floor(log10(3/4 * 2^q)), floor(log2(10^e)) for the
 * exponents of doubles; scripts/gen_numtext_pow10.py checks every one. */
static int flog10_pow2(int q)
{
    return (q * 315653) >> 20;
}
static int flog10_3q_pow2(int q)
{
    return (q * 315653 - 131237) >> 20;
}
static int flog2_pow10(int e)
{
    return (e * 1741647) >> 19;
}

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
static void binary_decimal(uint64_t frac, int be, int mant, int bias, int wide, uint64_t *digits,
                           int *exp10)
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

/* Decimals with at most SHORT_FRACTION fraction digits (prices, amounts,
 * measurements: most doubles in tables) without Schubfach. For a value
 * a <= SHORT_MAX, a * 10^6 lies within 0.25 of any integer N whose N / 10^6
 * reads back to a (its rounding interval is at most 10^6 * ulp(a) <= 0.5
 * wide there), the product's own rounding adds at most 0.125, so rounding
 * the product to an integer finds N; and since candidates 10^-6 apart cannot
 * share that interval, N is the only one at that length, so N with its
 * trailing zeros dropped is the shortest decimal, Schubfach's answer. The
 * check t / 10^6 == a is exact: IEEE division rounds the quotient of two
 * exact operands as strtod rounds "t e-6". Needs double arithmetic without
 * extra precision (FLT_EVAL_METHOD 0). 0 when a has more digits (or none). */
#define SHORT_FRACTION 6
#define SHORT_SCALE 1e6
#define SHORT_MAX 2251799813.0 /* 2^51 / 10^6, rounded down */
static int short_units(double a, uint64_t *units)
{
#if FLT_EVAL_METHOD == 0
    if (!(a <= SHORT_MAX))
        return 0;
    const double round_int = 0x1.8p52; /* adding it rounds anything below 2^51 to an integer */
    double t = (a * SHORT_SCALE + round_int) - round_int;
    if (t == 0 || t / SHORT_SCALE != a)
        return 0;
    *units = (uint64_t)t; /* a == units / 10^6, shortest */
    return 1;
#else
    (void)a;
    (void)units;
    return 0;
#endif
}

static int short_decimal(double a, uint64_t *digits, int *exp10)
{
    if (!short_units(a, digits))
        return 0;
    *exp10 = -SHORT_FRACTION;
    strip_zeros(digits, exp10);
    return 1;
}

void dh_double_decimal(double v, uint64_t *digits, int *exp10)
{
    if (short_decimal(fabs(v), digits, exp10))
        return;
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

/* "00".."99": two digits per division. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Number of decimal digits of v (1 for 0): the bit length gives it within
 * one, a table of powers of ten settles it. */
static size_t digit_count(uint64_t v)
{
    static const uint64_t pow10[20] = {0, /* so that 0 counts one digit */
                                       UINT64_C(10),
                                       UINT64_C(100),
                                       UINT64_C(1000),
                                       UINT64_C(10000),
                                       UINT64_C(100000),
                                       UINT64_C(1000000),
                                       UINT64_C(10000000),
                                       UINT64_C(100000000),
                                       UINT64_C(1000000000),
                                       UINT64_C(10000000000),
                                       UINT64_C(100000000000),
                                       UINT64_C(1000000000000),
                                       UINT64_C(10000000000000),
                                       UINT64_C(100000000000000),
                                       UINT64_C(1000000000000000),
                                       UINT64_C(10000000000000000),
                                       UINT64_C(100000000000000000),
                                       UINT64_C(1000000000000000000),
                                       UINT64_C(10000000000000000000)};
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    unsigned t = (bits * 1233u) >> 12; /* floor(log10(2^bits)): the count or one less */
    return t + (v >= pow10[t]);
}

/* Write the low m decimal digits of *v (leading zeros included) so that they
 * end just before end, two per division; *v keeps the digits above them. */
static void put_low_digits(char *end, uint64_t *v, size_t m)
{
    uint64_t x = *v;
    for (; m >= 2 && x > UINT32_MAX; m -= 2) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (x % 100), 2);
        x /= 100;
    }
    if (x > UINT32_MAX) { /* m is 0 or 1 */
        if (m) {
            end[-1] = (char)('0' + x % 10);
            x /= 10;
        }
        *v = x;
        return;
    }
    uint32_t y = (uint32_t)x; /* the rest in 32-bit arithmetic: cheaper divisions */
    for (; m >= 4; m -= 4) {
        uint32_t r = y % 10000;
        y /= 10000;
        end -= 4;
        memcpy(end, digit_pairs + 2 * (r / 100), 2);
        memcpy(end + 2, digit_pairs + 2 * (r % 100), 2);
    }
    if (m >= 2) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (y % 100), 2);
        y /= 100;
        m -= 2;
    }
    if (m) {
        end[-1] = (char)('0' + y % 10);
        y /= 10;
    }
    *v = y;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_DIGITS 1

/* The 8 decimal digits of x < 10^8 (leading zeros included) as ASCII, the
 * first in the lowest byte, for one little-endian 8-byte store: two lanes
 * of 4 digits, split into pairs, then into digits, each lane at once by a
 * multiplication (x * 10486 >> 20 == x / 100 for x < 43,699; x * 103 >> 10
 * == x / 10 for x < 179; the lanes are wide enough not to carry). */
static inline uint64_t digits8(uint32_t x)
{
    uint64_t m = (uint64_t)(x / 10000) | (uint64_t)(x % 10000) << 32;
    uint64_t h = ((m * 10486) >> 20) & UINT64_C(0x0000007F0000007F);
    m = h | (m - h * 100) << 16;
    uint64_t t = ((m * 103) >> 10) & UINT64_C(0x000F000F000F000F);
    m = t | (m - t * 10) << 8;
    return m + UINT64_C(0x3030303030303030);
}
#endif

/* Write the n = digit_count(v) digits of v at out[0..n); may write up to
 * out[8) when n < 8 (callers' buffers hold DH_NUMTEXT_MAX). */
static void put_digits(char *out, uint64_t v, size_t n)
{
#ifdef SWAR_DIGITS
    uint64_t d;
    if (n <= 8) {
        d = digits8((uint32_t)v) >> (8 * (8 - n));
        memcpy(out, &d, 8);
        return;
    }
    if (n <= 16) {
        uint64_t q = v / 100000000;
        d = digits8((uint32_t)q) >> (8 * (16 - n));
        memcpy(out, &d, 8);
        d = digits8((uint32_t)(v - q * 100000000));
        memcpy(out + n - 8, &d, 8);
        return;
    }
    uint64_t q = v / UINT64_C(10000000000000000), r = v - q * UINT64_C(10000000000000000);
    uint64_t r1 = r / 100000000;
    d = digits8((uint32_t)q) >> (8 * (24 - n));
    memcpy(out, &d, 8);
    d = digits8((uint32_t)r1);
    memcpy(out + n - 16, &d, 8);
    d = digits8((uint32_t)(r - r1 * 100000000));
    memcpy(out + n - 8, &d, 8);
#else
    put_low_digits(out + n, &v, n);
#endif
}

void dh_digits_fixed(uint64_t v, size_t width, char *out)
{
#ifdef SWAR_DIGITS
    for (; width >= 8; width -= 8) {
        uint64_t q = v / 100000000;
        uint64_t d = digits8((uint32_t)(v - q * 100000000));
        memcpy(out + width - 8, &d, 8);
        v = q;
    }
#endif
    if (width == 1) /* the nanoseconds' first digit */
        out[0] = (char)('0' + v % 10);
    else
        put_low_digits(out + width, &v, width);
}

/* Lay out sign, digits and exponent: plain for 1e-6 <= |v| < 1e21. The
 * digits (17 at most) are written once, then placed with fixed-size copies
 * (no length-dependent call); out holds DH_NUMTEXT_MAX bytes, which every
 * copy below stays inside. */
static size_t layout(int neg, uint64_t digits, int exp10, char *out)
{
    char ds[40] = {0};
    size_t nd = digit_count(digits);
    put_digits(ds, digits, nd);
    int point = (int)nd + exp10; /* position of the decimal point in ds */
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (point > 21 || point < -5) {
        out[n] = ds[0];
        if (nd > 1) {
            out[n + 1] = '.';
            memcpy(out + n + 2, ds + 1, 16);
            n += nd + 1;
        } else {
            n++;
        }
        int x = point - 1;
        out[n++] = 'e';
        out[n++] = x < 0 ? '-' : '+';
        n += dh_u64_text((uint64_t)(x < 0 ? -x : x), out + n);
        return n;
    }
    if (point <= 0) { /* 0.000ddd: at most five zeros */
        out[n++] = '0';
        out[n++] = '.';
        for (int i = point; i < 0; i++)
            out[n++] = '0';
        memcpy(out + n, ds, 24);
        n += nd;
    } else if ((size_t)point >= nd) { /* ddd000: at most 21 digits */
        memcpy(out + n, ds, 24);
        for (size_t i = nd; i < (size_t)point; i++)
            out[n + i] = '0';
        n += (size_t)point;
    } else { /* ddd.ddd */
        size_t ip = (size_t)point;
        memcpy(out + n, ds, 16);
        out[n + ip] = '.';
        memcpy(out + n + ip + 1, ds + ip, 16);
        n += nd + 1;
    }
    out[n] = '\0';
    return n;
}

/* NaN, infinities and zeros, shared by both widths; 0 if v is none of them. */
static size_t special_text(double v, char *out)
{
    const char *s = isnan(v)   ? "NaN"
                    : isinf(v) ? (v < 0 ? "-Infinity" : "Infinity")
                    : v == 0   ? (signbit(v) ? "-0" : "0")
                               : NULL;
    if (!s)
        return 0;
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

/* The text of a short decimal (see short_units): the integer part, then
 * the six fraction digits without their trailing zeros; what layout writes
 * for the same digits, in plain notation (1e-6 <= |v| < 2^51 / 10^6). */
static size_t short_text(int neg, uint64_t units, char *out)
{
    uint64_t ip = units / 1000000, fp = units % 1000000;
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    size_t nd = digit_count(ip);
    put_digits(out + n, ip, nd);
    n += nd;
    if (fp) {
        out[n++] = '.';
#ifdef SWAR_DIGITS
        /* the six digits (the first in the lowest byte), then their values:
         * the trailing zeros are the zero bytes at the top */
        uint64_t d = digits8((uint32_t)fp) >> 16;
        memcpy(out + n, &d, 8);
        uint64_t values = d - UINT64_C(0x303030303030);
        n += SHORT_FRACTION - ((size_t)__builtin_clzll(values) / 8 - 2);
#else
        dh_digits_fixed(fp, SHORT_FRACTION, out + n);
        size_t k = SHORT_FRACTION;
        while (out[n + k - 1] == '0')
            k--;
        n += k;
#endif
    }
    out[n] = '\0';
    return n;
}

size_t dh_double_text(double v, char *out)
{
    uint64_t units;
    if (short_units(fabs(v), &units))
        return short_text(signbit(v) != 0, units, out);
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
    size_t n = digit_count(v);
    put_digits(out, v, n);
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
