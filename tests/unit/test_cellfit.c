/* SPDX-License-Identifier: MIT */
/* test_cellfit.c: pager cells show numbers whole or as "###", never cut;
 * every double's exact text fits a number column. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dh_format.h"

#include "../../ui/cellfit.c"

static void test_fits_or_hashes(void)
{
    char h[CELLFIT_NUMBER_MAX + 1];
    CHECK_STR(cellfit_number("1,000,000", 9, h, sizeof h), "1,000,000");
    CHECK_STR(cellfit_number("1,000,000", 20, h, sizeof h), "1,000,000");
    CHECK_STR(cellfit_number("1,000,000", 8, h, sizeof h), "########");
    CHECK_STR(cellfit_number("-0.5", 3, h, sizeof h), "###");
    CHECK_STR(cellfit_number("12", 0, h, sizeof h), "");
    /* a text dh_format_cell had to cut is not the number either */
    CHECK_STR(cellfit_number("123\xe2\x80\xa6", 10, h, sizeof h), "##########");
    /* never more hashes than the buffer holds */
    char small[4];
    CHECK_STR(cellfit_number("123456", 5, small, sizeof small), "###");
    CHECK(cellfit_max_width(1) > cellfit_max_width(0));
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.type = DH_TYPE_TIMESTAMP;
    CHECK(cellfit_whole(&f));
    f.type = DH_TYPE_FLOAT;
    CHECK(cellfit_whole(&f));
    f.type = DH_TYPE_UTF8;
    CHECK(!cellfit_whole(&f));
}

/* The longest texts a double or float column can show (grouped, exact
 * digits) fit CELLFIT_NUMBER_MAX, so doubles never show as "###" in a
 * column fitted to them. */
static void test_doubles_fit(void)
{
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.name = (char *)"x";
    f.type = DH_TYPE_FLOAT;
    f.bit_width = 64;
    f.timezone = (char *)"";
    double v[] = {-DBL_MAX,
                  -DBL_TRUE_MIN,
                  -0.000012345678901234567,
                  -123456789012345.67,
                  -2.2250738585072014e-308,
                  -999999999999999.9,
                  -1.2345678901234567e-5};
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = &f;
    c.length = (int64_t)(sizeof v / sizeof v[0]);
    c.values = (const uint8_t *)v;
    c.values_len = sizeof v;
    c.value_width = 8;
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    o.group_digits = 1;
    char h[CELLFIT_NUMBER_MAX + 1];
    for (int64_t i = 0; i < c.length; i++) {
        char text[128];
        dh_format_cell(&c, i, &o, text, sizeof text);
        CHECK(strlen(text) <= 26);
        CHECK_STR(cellfit_number(text, CELLFIT_NUMBER_MAX, h, sizeof h), text);
    }
}

int main(void)
{
    CHECK_RUN(T(test_fits_or_hashes), T(test_doubles_fit));
}
