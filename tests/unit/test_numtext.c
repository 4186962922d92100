/* SPDX-License-Identifier: MIT */
/* test_numtext.c: shortest round-trip number text and integer text. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_numtext.h"
#include "numtext_oracle.h"

static const char *dtext(double v)
{
    static char buf[DH_NUMTEXT_MAX];
    dh_double_text(v, buf);
    return buf;
}

static const char *ftext(float v)
{
    static char buf[DH_NUMTEXT_MAX];
    dh_float_text(v, buf);
    return buf;
}

/* Known spellings: shortest digits, sign of zero, specials, notation bounds. */
static void test_spellings(void)
{
    CHECK_STR(dtext(2.718281828459045), "2.718281828459045");
    CHECK_STR(dtext(DBL_MAX), "1.7976931348623157e+308");
    CHECK_STR(dtext(-0.0), "-0");
    CHECK_STR(dtext(0.0), "0");
    CHECK_STR(dtext(0.1), "0.1");
    CHECK_STR(dtext(100), "100");
    CHECK_STR(dtext(123.5), "123.5");
    CHECK_STR(dtext(1e21), "1e+21");
    CHECK_STR(dtext(1e20), "100000000000000000000");
    CHECK_STR(dtext(1e-6), "0.000001");
    CHECK_STR(dtext(1e-7), "1e-7");
    CHECK_STR(dtext(5e-324), "5e-324");
    CHECK_STR(dtext(NAN), "NaN");
    CHECK_STR(dtext(INFINITY), "Infinity");
    CHECK_STR(dtext(-INFINITY), "-Infinity");
    CHECK_STR(dtext(9007199254740993.0), "9007199254740992");
    CHECK_STR(ftext(0.1f), "0.1");
    CHECK_STR(ftext(FLT_MAX), "3.4028235e+38");
    CHECK_STR(ftext(-0.0f), "-0");
    CHECK_STR(ftext(1.4e-45f), "1e-45");
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Values found wrong so far, printed once each. */
static int report_budget = 20;

/* v against strtod and the oracle: the text reads back to
 * the same bits and carries the oracle's digits. Returns 1 if it did. */
static int check_double(double v)
{
    if (!isfinite(v) || v == 0)
        return 1; /* spelled out, see test_spellings */
    char buf[DH_NUMTEXT_MAX];
    size_t n = dh_double_text(v, buf);
    double back = strtod(buf, NULL);
    uint64_t d, od;
    int x, ox;
    dh_double_decimal(v, &d, &x);
    oracle_decimal(v, 0, &od, &ox);
    int ok = n == strlen(buf) && memcmp(&back, &v, sizeof v) == 0 && d == od && x == ox;
    if (!ok && report_budget-- > 0)
        fprintf(stderr, "  double %a: \"%s\" digits %llu e%d, oracle %llu e%d\n", v, buf,
                (unsigned long long)d, x, (unsigned long long)od, ox);
    return ok;
}

/* The same for a float against strtof. */
static int check_float(float v)
{
    if (!isfinite(v) || v == 0)
        return 1;
    char buf[DH_NUMTEXT_MAX];
    size_t n = dh_float_text(v, buf);
    float back = strtof(buf, NULL);
    uint32_t d;
    uint64_t od;
    int x, ox;
    dh_float_decimal(v, &d, &x);
    oracle_decimal((double)v, 1, &od, &ox);
    int ok = n == strlen(buf) && memcmp(&back, &v, sizeof v) == 0 && d == od && x == ox;
    if (!ok && report_budget-- > 0)
        fprintf(stderr, "  float %a: \"%s\" digits %u e%d, oracle %llu e%d\n", (double)v, buf, d, x,
                (unsigned long long)od, ox);
    return ok;
}

static double from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static float from_bits32(uint32_t bits)
{
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Every edge: extremes of each binade kind, both signs, powers of two and
 * ten over the whole range and their neighbours, integers around 2^53 and
 * 2^24, the smallest subnormals, and ties (the two shortest candidates
 * equally close: the even one wins). */
static void test_edges(void)
{
    int bad = 0, n = 0;
    const double dv[] = {DBL_MIN,
                         DBL_MAX,
                         DBL_TRUE_MIN,
                         DBL_EPSILON,
                         0x1p-1022 - 0x1p-1074,
                         0x1p53,
                         0x1p53 - 1,
                         0x1p53 + 2,
                         9007199254740993.0,
                         0x1p63,
                         0x1p64,
                         1e15,
                         1e16,
                         1e17,
                         1e21,
                         1e22,
                         1e23,
                         0.1,
                         0.2,
                         0.3,
                         1.0 / 3,
                         2.718281828459045,
                         3.141592653589793,
                         (double)FLT_MAX,
                         (double)FLT_MIN,
                         (double)FLT_TRUE_MIN,
                         562949953421312.25,
                         1539213.25,
                         4.35,
                         5e-324,
                         1.7976931348623157e308};
    for (size_t i = 0; i < sizeof dv / sizeof dv[0]; i++) {
        bad += !check_double(dv[i]) + !check_double(-dv[i]);
        n += 2;
    }
    for (int e = -1074; e <= 1023; e++) {
        double p = ldexp(1.0, e);
        bad += !check_double(p) + !check_double(nextafter(p, 0)) +
               !check_double(nextafter(p, INFINITY));
        n += 3;
    }
    for (int e = -323; e <= 308; e++) {
        char t[16];
        snprintf(t, sizeof t, "1e%d", e);
        double p = strtod(t, NULL);
        bad += !check_double(p) + !check_double(nextafter(p, 0)) +
               !check_double(nextafter(p, INFINITY));
        n += 3;
    }
    for (uint64_t b = 1; b <= 2000; b++) { /* the smallest subnormals */
        bad += !check_double(from_bits(b)) + !check_float(from_bits32((uint32_t)b));
        n += 2;
    }
    for (int64_t i = -300; i <= 300; i++) { /* integers around 2^53 and 2^24 */
        bad += !check_double(0x1p53 + (double)i) + !check_float(0x1p24f + (float)i);
        n += 2;
    }
    const float fv[] = {FLT_MIN,  FLT_MAX,     FLT_TRUE_MIN, FLT_EPSILON, 0.1f,          0.3f,
                        1.0f / 3, 16777217.0f, 117760704.0f, 1539213.25f, 3.4028235e38f, 1e-45f};
    for (size_t i = 0; i < sizeof fv / sizeof fv[0]; i++) {
        bad += !check_float(fv[i]) + !check_float(-fv[i]);
        n += 2;
    }
    for (int e = -149; e <= 127; e++) {
        float p = ldexpf(1.0f, e);
        bad += !check_float(p) + !check_float(nextafterf(p, 0)) +
               !check_float(nextafterf(p, INFINITY));
        n += 3;
    }
    for (int e = -45; e <= 38; e++) {
        char t[16];
        snprintf(t, sizeof t, "1e%d", e);
        float p = strtof(t, NULL);
        bad += !check_float(p) + !check_float(nextafterf(p, 0)) +
               !check_float(nextafterf(p, INFINITY));
        n += 3;
    }
    CHECK_INT(bad, 0);
    CHECK(n > 10000);
    /* Ties pick the even digit; the asymmetric gap under a power of two. */
    CHECK_STR(dtext(562949953421312.25), "562949953421312.2");
    CHECK_STR(ftext(1539213.25f), "1539213.2");
    CHECK_STR(ftext(117760704.0f), "117760700");
    CHECK_STR(dtext(0x1p-44), "5.684341886080802e-14");
}

/* Random bit patterns (subnormals included) against strtod/strtof and the
 * oracle; the long run is `make roundtrip-soak`. */
static void test_random_round_trips(void)
{
    int bad = 0, n = 0;
    for (int i = 0; i < 25000; i++) {
        uint64_t bits = rng();
        /* one in four a subnormal or tiny exponent, which plain random bits rarely are */
        if ((bits & 3) == 0)
            bits &= ~(UINT64_C(0x7F8) << 52);
        double v = from_bits(bits);
        if (isfinite(v) && v != 0) {
            bad += !check_double(v);
            n++;
        }
        uint32_t fbits = (uint32_t)(bits >> 16);
        if ((fbits & 3) == 0)
            fbits &= ~(UINT32_C(0x78) << 24);
        float f = from_bits32(fbits);
        if (isfinite(f) && f != 0) {
            bad += !check_float(f);
            n++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK(n > 40000);
}

static void test_integers(void)
{
    char buf[DH_NUMTEXT_MAX];
    CHECK_INT(dh_i64_text(INT64_MIN, buf), 20);
    CHECK_STR(buf, "-9223372036854775808");
    dh_i64_text(INT64_MAX, buf);
    CHECK_STR(buf, "9223372036854775807");
    dh_u64_text(UINT64_MAX, buf);
    CHECK_STR(buf, "18446744073709551615");
    dh_i64_text(0, buf);
    CHECK_STR(buf, "0");
    dh_i64_text(-7, buf);
    CHECK_STR(buf, "-7");
}

/* Integers at every digit-count boundary (10^k - 1, 10^k, 10^k + 1, both
 * signs) and random ones of every length, against snprintf. */
static void test_integer_lengths(void)
{
    char buf[DH_NUMTEXT_MAX], want[48];
    int bad = 0;
    uint64_t p = 1;
    for (int k = 0; k <= 19; k++, p *= 10) {
        const uint64_t us[] = {p - 1, p, p + 1, p * 2 - 1};
        for (size_t i = 0; i < sizeof us / sizeof *us; i++) {
            size_t n = dh_u64_text(us[i], buf);
            snprintf(want, sizeof want, "%llu", (unsigned long long)us[i]);
            bad += n != strlen(want) || strcmp(buf, want) != 0;
            int64_t sv = -(int64_t)(us[i] & INT64_MAX);
            n = dh_i64_text(sv, buf);
            snprintf(want, sizeof want, "%lld", (long long)sv);
            bad += n != strlen(want) || strcmp(buf, want) != 0;
        }
    }
    for (int i = 0; i < 200000; i++) {
        uint64_t v = rng() >> (rng() % 64);
        size_t n = dh_u64_text(v, buf);
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        bad += n != strlen(want) || strcmp(buf, want) != 0;
        n = dh_i64_text((int64_t)v, buf);
        snprintf(want, sizeof want, "%lld", (long long)(int64_t)v);
        bad += n != strlen(want) || strcmp(buf, want) != 0;
    }
    CHECK_INT(bad, 0);
    char fixed[12] = "##########";
    dh_digits_fixed(42, 9, fixed);
    CHECK_STR(fixed, "000000042#");
    dh_digits_fixed(999999999, 9, fixed);
    CHECK_STR(fixed, "999999999#");
    dh_digits_fixed(UINT64_C(12345678901234), 3, fixed);
    CHECK_STR(fixed, "234999999#");
}

/* The shortcut's text is what the general layout writes: for values in
 * plain notation with the oracle's digits, glibc's exact %.*f with as many
 * decimals as the digits have (shortest, so they are that rounding). */
static int check_plain_text(double v)
{
    if (!(fabs(v) >= 1e-6 && fabs(v) < 1e21))
        return 1;
    uint64_t od;
    int ox;
    oracle_decimal(v, 0, &od, &ox);
    char want[400];
    snprintf(want, sizeof want, "%.*f", ox < 0 ? -ox : 0, v);
    int ok = strcmp(dtext(v), want) == 0;
    if (!ok && report_budget-- > 0)
        fprintf(stderr, "  double %a: \"%s\", want \"%s\"\n", v, dtext(v), want);
    return ok;
}

/* check_double and check_plain_text. */
static int check_short(double v)
{
    return check_double(v) & check_plain_text(v);
}

/* Doubles with few decimals take a shortcut (short_decimal and short_text
 * in numtext.c): prices, k / 10^f for every f up to 9, both sides of where
 * the shortcut stops (2^51 / 10^6) and each value's neighbours, against the
 * oracle's digits and the plain text the general path writes. */
static void test_short_decimals(void)
{
    int bad = 0, n = 0;
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    for (int i = 0; i < 12000; i++) {
        uint64_t r = rng();
        double k = (double)(r >> 20 & ((UINT64_C(1) << (r % 44)) - 1));
        double v = k / scale[(r >> 8) % 10];
        bad +=
            !check_short(v) + !check_short(nextafter(v, 0)) + !check_short(nextafter(v, INFINITY));
        n += 3;
    }
    for (int cents = 0; cents < 100000; cents += 37) { /* prices, two decimals */
        bad += !check_short((double)cents / 100) + !check_short(-(double)cents / 100 - 3e5);
        n += 2;
    }
    const double edge = 2251799813.0;
    for (int i = -1000; i <= 1000; i++) {
        double v = edge + (double)i * 0x1p-22;
        bad += !check_short(v) + !check_short(v + 0.25) + !check_short(v - 0.000001);
        n += 3;
    }
    CHECK_INT(bad, 0);
    CHECK(n > 40000);
    CHECK_STR(dtext(335.3), "335.3");
    CHECK_STR(dtext(-0.000001), "-0.000001");
    CHECK_STR(dtext(1e-7), "1e-7");
    CHECK_STR(dtext(100), "100");
    CHECK_STR(dtext(2251799813.25), "2251799813.25");
    CHECK_STR(dtext(0.1 + 0.2), "0.30000000000000004");
}

int main(void)
{
    CHECK_RUN(T(test_spellings), T(test_edges), T(test_random_round_trips), T(test_integers),
              T(test_integer_lengths), T(test_short_decimals));
}
