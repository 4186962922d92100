/* SPDX-License-Identifier: MIT */
/* bench_numtext.c: what a double costs to write, printed, not judged.
 *   bench_numtext [N]     (default 2,000,000 values per row)
 * For two value sets (random bit patterns; "prices", two decimals between 0
 * and 100,000) it prints ns per double for dh_double_text (shortest, exact),
 * snprintf("%.17g") (exact but long), snprintf("%.*e") + strtod per length
 * (the slow reference in tests/unit/numtext_oracle.h), and dh_format_cell with
 * float_precision 10 (the pager's old path) and DH_FORMAT_SHORTEST. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/numtext_oracle.h"
#include "dh_format.h"
#include "bench_util.h"
#include "dh_numtext.h"

static uint64_t rng_state = 0x13198A2E03707344u;

static uint64_t rng(void)
{
    return bench_rng(&rng_state);
}

/* Bytes written, summed so no call can be optimised away. */
static size_t sink;

static void run_numtext(const double *v, size_t n)
{
    char buf[DH_NUMTEXT_MAX];
    for (size_t i = 0; i < n; i++)
        sink += dh_double_text(v[i], buf);
}

static void run_printf17(const double *v, size_t n)
{
    char buf[48];
    for (size_t i = 0; i < n; i++)
        sink += (size_t)snprintf(buf, sizeof buf, "%.17g", v[i]);
}

static void run_oracle(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t d = 0;
        int x = 0;
        if (v[i] != 0 && v[i] - v[i] == 0)
            oracle_decimal(v[i], 0, &d, &x);
        sink += (size_t)d;
    }
}

static const struct dh_column_view *cell_col;

static void run_cell(const double *v, size_t n, int precision)
{
    (void)v;
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    o.float_precision = precision;
    char buf[64];
    for (size_t i = 0; i < n; i++)
        sink += dh_format_cell(cell_col, (int64_t)i, &o, buf, sizeof buf);
}

static void run_cell10(const double *v, size_t n)
{
    run_cell(v, n, 10);
}
static void run_cell_exact(const double *v, size_t n)
{
    run_cell(v, n, DH_FORMAT_SHORTEST);
}

/* ns per value of fn over v[0..n) (the oracle over a tenth of them). */
static double time_ns(void (*fn)(const double *, size_t), const double *v, size_t n)
{
    double t0 = now_ns();
    fn(v, n);
    return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    if (n == 0)
        n = 1;
    double *rnd = malloc(n * sizeof *rnd), *prices = malloc(n * sizeof *prices);
    if (!rnd || !prices)
        return 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t b = rng();
        memcpy(&rnd[i], &b, sizeof b);
        prices[i] = (double)(rng() % 10000000) / 100.0;
    }
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.name = (char *)"x";
    f.type = DH_TYPE_FLOAT;
    f.bit_width = 64;
    f.timezone = (char *)"";
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = &f;
    c.length = (int64_t)n;
    c.value_width = 8;
    c.values_len = n * sizeof(double);
    printf("%-12s %14s %14s %18s %14s %14s   (CPU ns per double, %zu values)\n", "values",
           "dh_double_text", "printf %.17g", "reference oracle", "cell 10-digit", "cell exact", n);
    const double *sets[] = {rnd, prices};
    const char *names[] = {"random bits", "prices"};
    for (int s = 0; s < 2; s++) {
        c.values = (const uint8_t *)sets[s];
        cell_col = &c;
        double a = time_ns(run_numtext, sets[s], n);
        double b = time_ns(run_printf17, sets[s], n);
        double r = time_ns(run_oracle, sets[s], n / 10 ? n / 10 : 1);
        double d = time_ns(run_cell10, sets[s], n);
        double e = time_ns(run_cell_exact, sets[s], n);
        printf("%-12s %14.1f %14.1f %18.1f %14.1f %14.1f\n", names[s], a, b, r, d, e);
    }
    free(rnd);
    free(prices);
    return sink == 0;
}
