/* SPDX-License-Identifier: MIT */
/* test_golden_render.c: dh_format_cell against the display texts apache-arrow's side
 * computed independently (tests/data/golden/NAME.render, made by tests/golden/gen.mjs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_arrow.h"
#include "dh_format.h"
#include "testutil.h"

/* Cells compared over all streams, printed at the end. */
static long long rendered_cells;

/* The options gen.mjs documents for .render files: defaults plus grouping. */
static void render_opts(struct dh_format_opts *o)
{
    dh_format_opts_init(o);
    o->group_digits = 1;
}

/* Take the next line of *p (without its '\n') into line[0..*n); 0 at the end. */
static int next_line(const char **p, const char **line, size_t *n)
{
    if (!**p)
        return 0;
    *line = *p;
    *n = strcspn(*p, "\n");
    const char *end = *p + *n;
    *p = *end == '\n' ? end + 1 : end;
    return 1;
}

/* Compare every cell of stream stem.arrows with stem.render; returns the
 * mismatches (each reported with batch/col/row and both texts). */
static int compare_stream(const char *stem, long long *cells)
{
    size_t len, rlen;
    char *buf = tu_read_golden(stem, ".arrows", &len);
    char *want = tu_read_golden(stem, ".render", &rlen);
    int bad = 0;
    if (!buf || !want) {
        fprintf(stderr, "  %s: cannot read the .arrows or .render file\n", stem);
        free(buf);
        free(want);
        return 1;
    }
    struct tu_stream st;
    struct dh_error err;
    struct dh_format_opts opts;
    render_opts(&opts);
    dh_error_clear(&err);
    const char *p = want;
    int rc = tu_stream_open(&st, (const uint8_t *)buf, len, &err);
    for (int b = 0; rc == DH_OK; b++) {
        rc = tu_stream_next(&st, &err);
        if (rc != DH_OK)
            break;
        for (size_t c = 0; c < st.batch.n_columns; c++) {
            const struct dh_column_view *col = &st.batch.columns[c];
            for (int64_t r = 0; r < col->length; r++) {
                char key[64], text[4096];
                const char *line;
                size_t n;
                int kn = snprintf(key, sizeof key, "render,%d,%zu,%lld,", b, c, (long long)r);
                size_t tn = dh_format_cell(col, r, &opts, text, sizeof text);
                (*cells)++;
                if (!next_line(&p, &line, &n) || n < (size_t)kn || memcmp(line, key, (size_t)kn)) {
                    fprintf(stderr, "  %s: no line for batch %d col %zu row %lld\n", stem, b, c,
                            (long long)r);
                    bad++;
                    goto out;
                }
                if (n - (size_t)kn != tn || memcmp(line + kn, text, tn) != 0) {
                    fprintf(stderr,
                            "  %s: batch %d col %zu (%s) row %lld: got \"%s\", want \"%.*s\"\n",
                            stem, b, c, col->field->name, (long long)r, text, (int)(n - (size_t)kn),
                            line + kn);
                    bad++;
                }
            }
        }
    }
    if (rc != DH_END) {
        fprintf(stderr, "  %s: stream failed: %s\n", stem, err.msg);
        bad++;
    }
    if (*p) {
        fprintf(stderr, "  %s: .render has lines for cells the stream lacks: %.40s\n", stem, p);
        bad++;
    }
out:
    tu_stream_close(&st);
    free(buf);
    free(want);
    return bad;
}

/* Run one stream; require at least min_cells cells so a lost file cannot pass. */
static void check_render(const char *stem, long long min_cells)
{
    long long cells = 0;
    CHECK_INT(compare_stream(stem, &cells), 0);
    CHECK(cells >= min_cells);
    rendered_cells += cells;
}

static void test_render_types(void)
{
    check_render("types", 171);
}
static void test_render_nonulls(void)
{
    check_render("nonulls", 16);
}
static void test_render_empty(void)
{
    check_render("empty", 0);
}
static void test_render_sliced(void)
{
    check_render("sliced", 35);
}
static void test_render_dhmeta(void)
{
    check_render("dhmeta", 10);
}
static void test_render_display(void)
{
    check_render("display", 272);
}
static void test_render_maps(void)
{
    check_render("maps", 40);
}
static void test_render_coverage(void)
{
    check_render("coverage", 40);
}
static void test_render_dictionary(void)
{
    check_render("dictionary", 36);
}
static void test_render_fixedlist(void)
{
    check_render("fixedlist", 10);
}

/* The fixed options really group digits, as the .render files assume. */
static void test_render_opts(void)
{
    struct dh_format_opts o;
    render_opts(&o);
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.name = (char *)"x";
    f.type = DH_TYPE_INT;
    f.bit_width = 32;
    f.is_signed = 1;
    int32_t v = 1234567;
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = &f;
    c.length = 1;
    c.values = (const uint8_t *)&v;
    c.values_len = sizeof v;
    char text[64];
    dh_format_cell(&c, 0, &o, text, sizeof text);
    CHECK_STR(text, "1,234,567");
}

static void print_total(void)
{
    printf("%lld rendered cells compared\n", rendered_cells);
    CHECK(rendered_cells > 0);
}

int main(void)
{
    CHECK_RUN(T(test_render_types), T(test_render_nonulls), T(test_render_empty),
              T(test_render_sliced), T(test_render_dhmeta), T(test_render_display),
              T(test_render_coverage), T(test_render_maps), T(test_render_dictionary),
              T(test_render_fixedlist), T(test_render_opts), T(print_total));
}
