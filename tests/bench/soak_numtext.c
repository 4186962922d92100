/* SPDX-License-Identifier: MIT */
/* soak_numtext.c: the long round-trip run for dh_numtext (make roundtrip-soak).
 *   soak_numtext [N] [--all-floats]
 * N random double bit patterns and N random float bit patterns (default 100
 * million each; one in four with its exponent forced small, so subnormals and
 * tiny values are well represented) are written with dh_double_text /
 * dh_float_text and read back with strtod / strtof; the bits must match. One
 * value in 1,000 is also compared digit for digit with the slow reference
 * (tests/unit/numtext_oracle.h). --all-floats checks every one of the 2^32
 * float patterns the same way (oracle: one in 10,000). Prints counts and
 * CPU ns/value; exits 1 on any mismatch. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/numtext_oracle.h"
#include "bench_util.h"
#include "dh_numtext.h"

struct tally {
    uint64_t values, special, bad_round_trip, oracle_checked, bad_digits;
};

static uint64_t rng_state = 0x243F6A8885A308D3u;

static uint64_t rng(void)
{
    return bench_rng(&rng_state);
}

static void report_bad(const char *what, double v, const char *text)
{
    static int budget = 20;
    if (budget-- > 0)
        fprintf(stderr, "soak_numtext: %s %a wrote \"%s\"\n", what, v, text);
}

/* Write and read back one double; with_oracle: compare digits too. */
static void soak_double(double v, int with_oracle, struct tally *t)
{
    char buf[DH_NUMTEXT_MAX];
    t->values++;
    if (!isfinite(v) || v == 0) {
        t->special++;
        return;
    }
    dh_double_text(v, buf);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &v, sizeof v) != 0) {
        t->bad_round_trip++;
        report_bad("double", v, buf);
    }
    if (with_oracle) {
        uint64_t d, od;
        int x, ox;
        dh_double_decimal(v, &d, &x);
        oracle_decimal(v, 0, &od, &ox);
        t->oracle_checked++;
        if (d != od || x != ox) {
            t->bad_digits++;
            report_bad("double digits differ from the oracle:", v, buf);
        }
    }
}

static void soak_float(float v, int with_oracle, struct tally *t)
{
    char buf[DH_NUMTEXT_MAX];
    t->values++;
    if (!isfinite(v) || v == 0) {
        t->special++;
        return;
    }
    dh_float_text(v, buf);
    float back = strtof(buf, NULL);
    if (memcmp(&back, &v, sizeof v) != 0) {
        t->bad_round_trip++;
        report_bad("float", (double)v, buf);
    }
    if (with_oracle) {
        uint32_t d;
        uint64_t od;
        int x, ox;
        dh_float_decimal(v, &d, &x);
        oracle_decimal((double)v, 1, &od, &ox);
        t->oracle_checked++;
        if (d != od || x != ox) {
            t->bad_digits++;
            report_bad("float digits differ from the oracle:", (double)v, buf);
        }
    }
}

static void print_tally(const char *what, const struct tally *t, double wall_s)
{
    printf("%-11s %11llu values (%llu NaN/inf/0 skipped), %llu round-trip failures, "
           "%llu of %llu oracle digit checks differ; %.1f CPU ns/value (format, strtod, compare)\n",
           what, (unsigned long long)t->values, (unsigned long long)t->special,
           (unsigned long long)t->bad_round_trip, (unsigned long long)t->bad_digits,
           (unsigned long long)t->oracle_checked,
           t->values ? wall_s * 1e9 / (double)t->values : 0.0);
    fflush(stdout);
}

/* The formatting rate alone: batches of random doubles timed whole. */
static double batch_ns_per_double(uint64_t n)
{
    enum { BATCH = 4096 };
    static double vals[BATCH];
    char buf[DH_NUMTEXT_MAX];
    size_t sink = 0;
    double total = 0;
    uint64_t done = 0;
    while (done < n) {
        for (int i = 0; i < BATCH; i++) {
            uint64_t b = rng();
            memcpy(&vals[i], &b, sizeof b);
        }
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            sink += dh_double_text(vals[i], buf);
        total += now_ns() - t0;
        done += BATCH;
    }
    if (sink == 0)
        printf("(sink)\n");
    return total / (double)done;
}

int main(int argc, char **argv)
{
    uint64_t n = 100000000;
    int all_floats = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all-floats") == 0)
            all_floats = 1;
        else
            n = strtoull(argv[i], NULL, 10);
    }
    struct tally td = {0}, tf = {0}, ta = {0};
    double t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t b = rng();
        if ((b & 3) == 0)
            b &= ~(UINT64_C(0x7F8) << 52); /* subnormal or tiny */
        double v;
        memcpy(&v, &b, sizeof v);
        soak_double(v, i % 1000 == 0, &td);
    }
    print_tally("doubles", &td, (now_ns() - t0) / 1e9);
    t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        uint32_t b = (uint32_t)(rng() >> 32);
        if ((b & 3) == 0)
            b &= ~(UINT32_C(0x78) << 24);
        float v;
        memcpy(&v, &b, sizeof v);
        soak_float(v, i % 1000 == 0, &tf);
    }
    print_tally("floats", &tf, (now_ns() - t0) / 1e9);
    if (all_floats) {
        t0 = now_ns();
        for (uint64_t b = 0; b <= UINT32_MAX; b++) {
            float v;
            uint32_t b32 = (uint32_t)b;
            memcpy(&v, &b32, sizeof v);
            soak_float(v, b % 10000 == 0, &ta);
        }
        print_tally("all floats", &ta, (now_ns() - t0) / 1e9);
    }
    printf("dh_double_text on random bit patterns, timed in batches: %.1f CPU ns/value\n",
           batch_ns_per_double(n < 10000000 ? n : 10000000));
    uint64_t bad = td.bad_round_trip + td.bad_digits + tf.bad_round_trip + tf.bad_digits +
                   ta.bad_round_trip + ta.bad_digits;
    printf("soak_numtext: %s\n", bad ? "FAILED" : "all values read back identical");
    return bad ? 1 : 0;
}
