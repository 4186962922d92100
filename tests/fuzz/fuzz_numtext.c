/* SPDX-License-Identifier: MIT */
/* fuzz_numtext.c: libFuzzer target for dh_numtext. The first 8 bytes are a
 * double and the next 4 a float (missing bytes are zero); each must be
 * written as text strtod / strtof reads back to the same bits, with the
 * digits of the slow reference (tests/unit/numtext_oracle.h): no shorter, and
 * the closest of the shortest. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/numtext_oracle.h"
#include "dh_numtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t bytes[12] = {0};
    memcpy(bytes, data, size < sizeof bytes ? size : sizeof bytes);
    double v;
    float f;
    memcpy(&v, bytes, sizeof v);
    memcpy(&f, bytes + 8, sizeof f);
    char buf[DH_NUMTEXT_MAX];

    size_t n = dh_double_text(v, buf);
    if (n != strlen(buf) || n >= DH_NUMTEXT_MAX)
        __builtin_trap();
    double back = strtod(buf, NULL);
    if (isnan(v) ? !isnan(back) : memcmp(&back, &v, sizeof v) != 0)
        __builtin_trap();
    if (isfinite(v) && v != 0) {
        uint64_t d, od;
        int x, ox;
        dh_double_decimal(v, &d, &x);
        oracle_decimal(v, 0, &od, &ox);
        if (d != od || x != ox)
            __builtin_trap();
    }

    n = dh_float_text(f, buf);
    if (n != strlen(buf) || n >= DH_NUMTEXT_MAX)
        __builtin_trap();
    float fback = strtof(buf, NULL);
    if (isnan(f) ? !isnan(fback) : memcmp(&fback, &f, sizeof f) != 0)
        __builtin_trap();
    if (isfinite(f) && f != 0) {
        uint32_t d;
        uint64_t od;
        int x, ox;
        dh_float_decimal(f, &d, &x);
        oracle_decimal((double)f, 1, &od, &ox);
        if (d != od || x != ox)
            __builtin_trap();
    }
    return 0;
}
