/* SPDX-License-Identifier: MIT */
/* test_numtext.c: shortest round-trip number text and integer text. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_numtext.h"

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

/* Random bit patterns (subnormals included) read back to the same bits. */
static void test_random_round_trips(void)
{
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = rng();
        double v;
        memcpy(&v, &bits, sizeof v);
        if (isnan(v))
            continue;
        double back = strtod(dtext(v), NULL);
        bad += memcmp(&back, &v, sizeof v) != 0;
        uint32_t fbits = (uint32_t)bits;
        float f;
        memcpy(&f, &fbits, sizeof f);
        if (isnan(f))
            continue;
        float fback = strtof(ftext(f), NULL);
        bad += memcmp(&fback, &f, sizeof f) != 0;
    }
    CHECK_INT(bad, 0);
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

int main(void)
{
    CHECK_RUN(T(test_spellings), T(test_random_round_trips), T(test_integers));
}
