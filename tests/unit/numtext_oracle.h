/* SPDX-License-Identifier: MIT */
/* numtext_oracle.h: the slow reference for dh_double_decimal and
 * dh_float_decimal, shared by test_numtext, the round-trip soak and the fuzz
 * target. For n = 1, 2, ... significant digits it takes the correctly rounded
 * n-digit decimal (glibc's printf is exact), and if that does not read back,
 * the n-digit decimal on the other side of the value (at a power of two the
 * rounding interval is lopsided, so the nearer one can miss while the other
 * fits); the first that strtod/strtof reads back to the same bits wins. */
#ifndef DH_NUMTEXT_ORACLE_H
#define DH_NUMTEXT_ORACLE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "d.ddde±x" (as %.*e writes it) as integer digits and exponent. */
static void oracle_split(const char *e, uint64_t *digits, int *exp10)
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
    *digits = d;
    *exp10 = (*p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0) - nfrac;
}

/* Whether digits * 10^exp10 reads back to v (as a float when is_float). */
static int oracle_reads_back(uint64_t digits, int exp10, double v, int is_float)
{
    char t[48];
    snprintf(t, sizeof t, "%llue%d", (unsigned long long)digits, exp10);
    if (is_float)
        return strtof(t, NULL) == (float)v;
    return strtod(t, NULL) == v;
}

/* The shortest decimal of finite non-zero |v|, trailing zeros removed; v holds
 * a float exactly when is_float. */
static void oracle_decimal(double v, int is_float, uint64_t *digits, int *exp10)
{
    char e[48];
    v = fabs(v);
    for (int prec = 1; prec <= 17; prec++) {
        uint64_t d;
        int x;
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        oracle_split(e, &d, &x);
        int found = oracle_reads_back(d, x, v, is_float);
        if (!found) {
            /* the neighbour on the other side of v */
            char t[48];
            snprintf(t, sizeof t, "%llue%d", (unsigned long long)d, x);
            d = strtod(t, NULL) < v ? d + 1 : d - 1;
            found = d > 0 && oracle_reads_back(d, x, v, is_float);
        }
        if (found) {
            while (d != 0 && d % 10 == 0) {
                d /= 10;
                x++;
            }
            *digits = d;
            *exp10 = x;
            return;
        }
    }
    *digits = 0;
    *exp10 = 0;
}

#endif
