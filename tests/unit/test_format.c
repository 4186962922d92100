/* SPDX-License-Identifier: MIT */
/* test_format.c: display text of Arrow cells, nulls, sentinels, grouping,
 * times, decimals and BigDecimal/BigInteger, and cutting at small buffers. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dh_format.h"
#include "dh_text.h"

/* A field of a type, with Deephaven's type name (or NULL). */
static struct dh_field fld(enum dh_type_id type, int bits, int is_signed, int unit,
                           const char *dh_type)
{
    struct dh_field f;
    memset(&f, 0, sizeof f);
    f.name = (char *)"c";
    f.type = type;
    f.bit_width = bits;
    f.is_signed = is_signed;
    f.unit = unit;
    f.timezone = (char *)"";
    f.dh_type = dh_type;
    f.nullable = 1;
    return f;
}

/* A fixed-width column of n values. */
static struct dh_column_view col_fixed(const struct dh_field *f, const void *values, size_t width,
                                       int64_t n)
{
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = f;
    c.length = n;
    c.values = values;
    c.values_len = width * (size_t)n;
    return c;
}

/* A variable-length column from int32 offsets. */
static struct dh_column_view col_var(const struct dh_field *f, const int32_t *offsets,
                                     const void *data, int64_t n)
{
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = f;
    c.length = n;
    c.offsets = (const uint8_t *)offsets;
    c.values = data;
    c.values_len = (size_t)offsets[n];
    return c;
}

static char cellbuf[4096];

/* Format one cell with opts (NULL: defaults) into a shared buffer. */
static const char *cell(const struct dh_column_view *c, int64_t row, const struct dh_format_opts *o)
{
    size_t n = dh_format_cell(c, row, o, cellbuf, sizeof cellbuf);
    if (n != strlen(cellbuf))
        return "(length mismatch)";
    return cellbuf;
}

/* Integers of every width, signed and unsigned; sentinels; grouping. */
static void test_ints(void)
{
    struct dh_format_opts o, dn;
    dh_format_opts_init(&o);
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field f8 = fld(DH_TYPE_INT, 8, 1, 0, "byte");
    int8_t v8[] = {-128, 127, 0};
    struct dh_column_view c8 = col_fixed(&f8, v8, 1, 3);
    CHECK_STR(cell(&c8, 0, &o), "-128");
    CHECK_STR(cell(&c8, 0, &dn), "(null)");
    CHECK_STR(cell(&c8, 1, &dn), "127");
    struct dh_field f16 = fld(DH_TYPE_INT, 16, 1, 0, "short");
    int16_t v16[] = {INT16_MIN, -300};
    struct dh_column_view c16 = col_fixed(&f16, v16, 2, 2);
    CHECK_STR(cell(&c16, 0, &dn), "(null)");
    CHECK_STR(cell(&c16, 1, &dn), "-300");
    struct dh_field f32 = fld(DH_TYPE_INT, 32, 1, 0, "int");
    int32_t v32[] = {INT32_MIN, 1234567, -1000};
    struct dh_column_view c32 = col_fixed(&f32, v32, 4, 3);
    CHECK_STR(cell(&c32, 0, NULL), "-2147483648");
    CHECK_STR(cell(&c32, 0, &dn), "(null)");
    o.group_digits = 1;
    CHECK_STR(cell(&c32, 1, &o), "1,234,567");
    CHECK_STR(cell(&c32, 2, &o), "-1,000");
    CHECK_STR(cell(&c32, 1, NULL), "1234567");
    o.group_digits = 0;
    struct dh_field f64 = fld(DH_TYPE_INT, 64, 1, 0, "long");
    int64_t v64[] = {INT64_MIN, INT64_MAX, 999};
    struct dh_column_view c64 = col_fixed(&f64, v64, 8, 3);
    CHECK_STR(cell(&c64, 0, &o), "-9223372036854775808");
    CHECK_STR(cell(&c64, 0, &dn), "(null)");
    CHECK_STR(cell(&c64, 1, &o), "9223372036854775807");
    o.group_digits = 1;
    CHECK_STR(cell(&c64, 0, &o), "-9,223,372,036,854,775,808");
    CHECK_STR(cell(&c64, 2, &o), "999");
    struct dh_field fu = fld(DH_TYPE_INT, 64, 0, 0, NULL);
    uint64_t vu[] = {UINT64_MAX};
    struct dh_column_view cu = col_fixed(&fu, vu, 8, 1);
    CHECK_STR(cell(&cu, 0, NULL), "18446744073709551615");
    struct dh_field fu8 = fld(DH_TYPE_INT, 8, 0, 0, NULL);
    uint8_t vu8[] = {255};
    struct dh_column_view cu8 = col_fixed(&fu8, vu8, 1, 1);
    CHECK_STR(cell(&cu8, 0, &dn), "255");
    /* A row outside the column gives "". */
    CHECK_STR(cell(&c64, 3, NULL), "");
    CHECK_STR(cell(&c64, -1, NULL), "");
}

/* char columns show the character, sanitised; 0xFFFF is the sentinel. */
static void test_chars(void)
{
    struct dh_format_opts dn;
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field f = fld(DH_TYPE_INT, 16, 0, 0, "char");
    uint16_t v[] = {'A', 0xE9, 0x1B, 0xFFFF, 0x4E2D, 0xD800, 0x202E, 0x85};
    struct dh_column_view c = col_fixed(&f, v, 2, 8);
    CHECK_STR(cell(&c, 0, NULL), "A");
    CHECK_STR(cell(&c, 1, NULL), "\xc3\xa9");
    CHECK_STR(cell(&c, 2, NULL), "\\e");
    CHECK_STR(cell(&c, 3, &dn), "(null)");
    CHECK_STR(cell(&c, 4, NULL), "\xe4\xb8\xad");
    CHECK_STR(cell(&c, 5, NULL), "\xef\xbf\xbd");
    CHECK_STR(cell(&c, 6, NULL), "\\u202e");
    CHECK_STR(cell(&c, 7, NULL), "\\u0085");
    CHECK(!dh_format_is_numeric(&f));
    struct dh_field s = fld(DH_TYPE_INT, 16, 0, 0, "short");
    CHECK(dh_format_is_numeric(&s));
}

/* Floats: exact shortest digits by default, E notation at the extremes,
 * specials, sentinels; a fixed number of digits on request. */
static void test_floats(void)
{
    struct dh_format_opts o, dn;
    dh_format_opts_init(&o);
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field fd = fld(DH_TYPE_FLOAT, 64, 1, 0, "double");
    double vd[] = {0.1,      1.0 / 3,          1e20,       1.5e-7, 123456.789, NAN,
                   INFINITY, -INFINITY,        -DBL_MAX,   0.0,    -2.5,       1234567.5,
                   1e15,     99999999999999.0, 0.00001234, 2.0};
    struct dh_column_view cd = col_fixed(&fd, vd, 8, 16);
    CHECK_STR(cell(&cd, 0, NULL), "0.1");
    CHECK_STR(cell(&cd, 1, NULL), "0.3333333333333333");
    CHECK_STR(cell(&cd, 2, NULL), "1E20");
    CHECK_STR(cell(&cd, 3, NULL), "1.5E-7");
    CHECK_STR(cell(&cd, 4, NULL), "123456.789");
    CHECK_STR(cell(&cd, 5, NULL), "NaN");
    CHECK_STR(cell(&cd, 6, NULL), "Infinity");
    CHECK_STR(cell(&cd, 7, NULL), "-Infinity");
    CHECK_STR(cell(&cd, 8, &dn), "(null)");
    CHECK_STR(cell(&cd, 8, NULL), "-1.7976931348623157E308");
    CHECK_STR(cell(&cd, 9, NULL), "0");
    CHECK_STR(cell(&cd, 10, NULL), "-2.5");
    o.group_digits = 1;
    CHECK_STR(cell(&cd, 11, &o), "1,234,567.5");
    CHECK_STR(cell(&cd, 12, NULL), "1E15");
    CHECK_STR(cell(&cd, 13, &o), "99,999,999,999,999");
    CHECK_STR(cell(&cd, 14, NULL), "0.00001234");
    CHECK_STR(cell(&cd, 15, NULL), "2");
    o.group_digits = 0;
    o.float_precision = 10;
    CHECK_STR(cell(&cd, 1, &o), "0.3333333333");
    CHECK_STR(cell(&cd, 8, &o), "-1.797693135E308");
    o.float_precision = 3;
    CHECK_STR(cell(&cd, 1, &o), "0.333");
    CHECK_STR(cell(&cd, 4, &o), "123457");
    struct dh_field ff = fld(DH_TYPE_FLOAT, 32, 1, 0, "float");
    float vf[] = {0.1f, -FLT_MAX, 3.4028235e38f, 16777216.0f};
    struct dh_column_view cf = col_fixed(&ff, vf, 4, 4);
    CHECK_STR(cell(&cf, 0, NULL), "0.1");
    CHECK_STR(cell(&cf, 1, &dn), "(null)");
    CHECK_STR(cell(&cf, 2, NULL), "3.4028235E38");
    CHECK_STR(cell(&cf, 3, NULL), "16777216");
    o.float_precision = 7;
    CHECK_STR(cell(&cf, 2, &o), "3.402823E38");
    o.float_precision = DH_FORMAT_SHORTEST;
    struct dh_field fh = fld(DH_TYPE_FLOAT, 16, 1, 0, NULL);
    uint16_t vh[] = {0x3C00, 0xC000, 0x7C00, 0x3555};
    struct dh_column_view ch = col_fixed(&fh, vh, 2, 4);
    CHECK_STR(cell(&ch, 0, NULL), "1");
    CHECK_STR(cell(&ch, 1, NULL), "-2");
    CHECK_STR(cell(&ch, 2, NULL), "Infinity");
    CHECK_STR(cell(&ch, 3, NULL), "0.33325195"); /* exactly 0.333251953125 */
    o.float_precision = 7;
    CHECK_STR(cell(&ch, 3, &o), "0.3333");
    CHECK(dh_format_is_numeric(&fd));
}

/* The default digits read back to the same bits; -0 keeps its sign; the
 * notation switches at 1e-5 and 1e15 with the digits intact. */
static void test_floats_exact(void)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    CHECK_INT(o.float_precision, DH_FORMAT_SHORTEST);
    struct dh_field fd = fld(DH_TYPE_FLOAT, 64, 1, 0, "double");
    double vd[] = {2.718281828459045,
                   -0.0,
                   5e-324,
                   9007199254740993.0,
                   0.1 + 0.2,
                   123456789012345.67,
                   1.2345678901234567e15,
                   0.000012345678901234567,
                   1.2345678901234567e-6,
                   562949953421312.25};
    struct dh_column_view cd = col_fixed(&fd, vd, 8, 10);
    CHECK_STR(cell(&cd, 0, &o), "2.718281828459045");
    CHECK_STR(cell(&cd, 1, &o), "-0");
    CHECK_STR(cell(&cd, 2, &o), "5E-324");
    CHECK_STR(cell(&cd, 3, &o), "9.007199254740992E15");
    CHECK_STR(cell(&cd, 4, &o), "0.30000000000000004");
    CHECK_STR(cell(&cd, 5, &o), "123456789012345.67");
    CHECK_STR(cell(&cd, 6, &o), "1.2345678901234568E15");
    CHECK_STR(cell(&cd, 7, &o), "0.000012345678901234568");
    CHECK_STR(cell(&cd, 8, &o), "1.2345678901234567E-6");
    CHECK_STR(cell(&cd, 9, &o), "562949953421312.2"); /* a tie: to the even digit */
    o.group_digits = 1;
    CHECK_STR(cell(&cd, 5, &o), "123,456,789,012,345.67");
    /* Every text reads back to the same bits (grouping off). */
    o.group_digits = 0;
    for (int64_t i = 0; i < 10; i++) {
        double back = strtod(cell(&cd, i, &o), NULL);
        CHECK(memcmp(&back, &vd[i], sizeof back) == 0);
    }
    struct dh_field ff = fld(DH_TYPE_FLOAT, 32, 1, 0, "float");
    float vf[] = {0.3f, -0.0f, 1.4e-45f, 16777217.0f};
    struct dh_column_view cf = col_fixed(&ff, vf, 4, 4);
    CHECK_STR(cell(&cf, 0, &o), "0.3");
    CHECK_STR(cell(&cf, 1, &o), "-0");
    CHECK_STR(cell(&cf, 2, &o), "1E-45");
    CHECK_STR(cell(&cf, 3, &o), "16777216");
}

/* Booleans, strings (sanitised), binary, and validity nulls. */
static void test_bool_string_binary(void)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    struct dh_field fb = fld(DH_TYPE_BOOL, 0, 0, 0, "java.lang.Boolean");
    uint8_t bits[] = {0x05};
    uint8_t valid[] = {0x0B};
    struct dh_column_view cb = col_fixed(&fb, bits, 1, 4);
    cb.values_len = 1;
    cb.validity = valid;
    cb.null_count = 1;
    CHECK_STR(cell(&cb, 0, NULL), "true");
    CHECK_STR(cell(&cb, 1, NULL), "false");
    CHECK_STR(cell(&cb, 2, NULL), "(null)");
    o.null_text = "-";
    CHECK_STR(cell(&cb, 2, &o), "-");
    CHECK_STR(cell(&cb, 3, NULL), "false");

    struct dh_field fs = fld(DH_TYPE_UTF8, 0, 0, 0, "java.lang.String");
    static const char *const parts[] = {
        "hello",
        "a\x1b[31mb",
        "\x1b]8;;http://x\x07link\x1b]8;;\x07",
        "",
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
    };
    char data[128];
    int32_t offs[6] = {0};
    for (size_t i = 0; i < 5; i++) {
        size_t n = strlen(parts[i]);
        memcpy(data + offs[i], parts[i], n);
        offs[i + 1] = offs[i] + (int32_t)n;
    }
    uint8_t sv[] = {0x17};
    struct dh_column_view cs = col_var(&fs, offs, data, 5);
    cs.validity = sv;
    CHECK_STR(cell(&cs, 0, NULL), "hello");
    CHECK_STR(cell(&cs, 1, NULL), "a\\e[31mb");
    CHECK_STR(cell(&cs, 2, NULL), "\\e]8;;http://x\\alink\\e]8;;\\a");
    CHECK_STR(cell(&cs, 3, NULL), "(null)");
    CHECK_STR(cell(&cs, 4, NULL), "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
    CHECK(!dh_format_is_numeric(&fs));

    struct dh_field fbin = fld(DH_TYPE_BINARY, 0, 0, 0, "byte[]");
    uint8_t bin[40];
    for (int i = 0; i < 40; i++)
        bin[i] = (uint8_t)i;
    int32_t boffs[] = {0, 2, 2, 40};
    struct dh_column_view cbin = col_var(&fbin, boffs, bin, 3);
    CHECK_STR(cell(&cbin, 0, NULL), "0x0001");
    CHECK_STR(cell(&cbin, 1, NULL), "0x");
    o.max_binary_bytes = 4;
    CHECK_STR(cell(&cbin, 2, &o), "0x02030405\xe2\x80\xa6");
    const char *long_hex = cell(&cbin, 2, NULL);
    CHECK(strncmp(long_hex, "0x0203", 6) == 0);
    CHECK(strstr(long_hex, "\xe2\x80\xa6") != NULL);
    CHECK_INT(strlen(long_hex), 2 + 64 + 3);

    /* Offsets pointing outside the data are refused, not followed. */
    int32_t bad[] = {0, 1000, 1000};
    struct dh_column_view cbad = col_var(&fs, bad, data, 2);
    cbad.values_len = 10;
    CHECK_STR(cell(&cbad, 0, NULL), "(bad offsets)");
}

/* Timestamps in UTC and local time, before 1970, per unit, sentinels. */
static void test_timestamps(void)
{
    struct dh_format_opts o, dn;
    dh_format_opts_init(&o);
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field fns = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_NANO, "java.time.Instant");
    fns.timezone = (char *)"UTC";
    int64_t vns[] = {1704164645123456789LL, -1, INT64_MIN, 0};
    struct dh_column_view cns = col_fixed(&fns, vns, 8, 4);
    CHECK_STR(cell(&cns, 0, NULL), "2024-01-02T03:04:05.123456789Z");
    CHECK_STR(cell(&cns, 1, NULL), "1969-12-31T23:59:59.999999999Z");
    CHECK_STR(cell(&cns, 2, &dn), "(null)");
    CHECK_STR(cell(&cns, 2, NULL), "1677-09-21T00:12:43.145224192Z");
    CHECK_STR(cell(&cns, 3, NULL), "1970-01-01T00:00:00.000000000Z");
    struct dh_field fms = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_MILLI, NULL);
    int64_t vms[] = {-1, -62135596800000LL - 1, 253402300800000LL};
    struct dh_column_view cms = col_fixed(&fms, vms, 8, 3);
    CHECK_STR(cell(&cms, 0, NULL), "1969-12-31T23:59:59.999Z");
    CHECK_STR(cell(&cms, 1, NULL), "0000-12-31T23:59:59.999Z");
    CHECK_STR(cell(&cms, 2, NULL), "+10000-01-01T00:00:00.000Z");
    struct dh_field fs = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_SECOND, NULL);
    int64_t vs[] = {951782400, -62198755200LL, INT64_MAX, INT64_MIN};
    struct dh_column_view cs = col_fixed(&fs, vs, 8, 4);
    CHECK_STR(cell(&cs, 0, NULL), "2000-02-29T00:00:00Z");
    CHECK_STR(cell(&cs, 1, NULL), "-0001-01-01T00:00:00Z");
    CHECK_STR(cell(&cs, 2, NULL), "+292277026596-12-04T15:30:07Z");
    CHECK_STR(cell(&cs, 3, NULL), "-292277022657-01-27T08:29:52Z");
    struct dh_field fus = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_MICRO, NULL);
    int64_t vus[] = {1500000};
    struct dh_column_view cus = col_fixed(&fus, vus, 8, 1);
    CHECK_STR(cell(&cus, 0, NULL), "1970-01-01T00:00:01.500000Z");

    /* Local time: a fixed POSIX zone two hours east of UTC. */
    setenv("TZ", "XXX-2", 1);
    tzset();
    o.local_time = 1;
    CHECK_STR(cell(&cns, 0, &o), "2024-01-02T05:04:05.123456789+02:00");
    CHECK_STR(cell(&cns, 1, &o), "1970-01-01T01:59:59.999999999+02:00");
    setenv("TZ", "YYY+3:30", 1);
    tzset();
    CHECK_STR(cell(&cns, 0, &o), "2024-01-01T23:34:05.123456789-03:30");
    /* A zone at offset zero still says so: only UTC itself is "Z". */
    setenv("TZ", "UTC0", 1);
    tzset();
    CHECK_STR(cell(&cns, 0, &o), "2024-01-02T03:04:05.123456789+00:00");
    CHECK(!dh_format_is_numeric(&fns));
}

/* Dates, times of day and durations. */
static void test_dates_times_durations(void)
{
    struct dh_format_opts dn;
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field fday = fld(DH_TYPE_DATE, 32, 1, DH_DATE_DAY, NULL);
    int32_t vday[] = {19724, -1, -719528};
    struct dh_column_view cday = col_fixed(&fday, vday, 4, 3);
    CHECK_STR(cell(&cday, 0, NULL), "2024-01-02");
    CHECK_STR(cell(&cday, 1, NULL), "1969-12-31");
    CHECK_STR(cell(&cday, 2, NULL), "0000-01-01");
    struct dh_field fms = fld(DH_TYPE_DATE, 64, 1, DH_DATE_MILLI, "java.time.LocalDate");
    int64_t vms[] = {19724LL * 86400000, -86400000, INT64_MIN, -1};
    struct dh_column_view cms = col_fixed(&fms, vms, 8, 4);
    CHECK_STR(cell(&cms, 0, NULL), "2024-01-02");
    CHECK_STR(cell(&cms, 1, NULL), "1969-12-31");
    CHECK_STR(cell(&cms, 2, &dn), "(null)");
    CHECK_STR(cell(&cms, 3, NULL), "1969-12-31");

    struct dh_field ft = fld(DH_TYPE_TIME, 64, 1, DH_UNIT_NANO, "java.time.LocalTime");
    int64_t vt[] = {3723000000001LL, 0, -5};
    struct dh_column_view ct = col_fixed(&ft, vt, 8, 3);
    CHECK_STR(cell(&ct, 0, NULL), "01:02:03.000000001");
    CHECK_STR(cell(&ct, 1, NULL), "00:00:00.000000000");
    CHECK_STR(cell(&ct, 2, NULL), "-5");
    struct dh_field ft32 = fld(DH_TYPE_TIME, 32, 1, DH_UNIT_MILLI, NULL);
    int32_t vt32[] = {3723004, 86399999};
    struct dh_column_view ct32 = col_fixed(&ft32, vt32, 4, 2);
    CHECK_STR(cell(&ct32, 0, NULL), "01:02:03.004");
    CHECK_STR(cell(&ct32, 1, NULL), "23:59:59.999");
    struct dh_field fts = fld(DH_TYPE_TIME, 32, 1, DH_UNIT_SECOND, NULL);
    int32_t vts[] = {45296};
    struct dh_column_view cts = col_fixed(&fts, vts, 4, 1);
    CHECK_STR(cell(&cts, 0, NULL), "12:34:56");

    struct dh_field fd = fld(DH_TYPE_DURATION, 64, 1, DH_UNIT_NANO, "java.time.Duration");
    int64_t vd[] = {1500000000,  -500000000,    3723500000000LL,  0, 3600000000000LL,
                    -1500000000, 60000000001LL, -3600000000000LL, 1};
    struct dh_column_view cd = col_fixed(&fd, vd, 8, 9);
    CHECK_STR(cell(&cd, 0, NULL), "PT1.5S");
    CHECK_STR(cell(&cd, 1, NULL), "PT-0.5S");
    CHECK_STR(cell(&cd, 2, NULL), "PT1H2M3.5S");
    CHECK_STR(cell(&cd, 3, NULL), "PT0S");
    CHECK_STR(cell(&cd, 4, NULL), "PT1H");
    CHECK_STR(cell(&cd, 5, NULL), "PT-1.5S");
    CHECK_STR(cell(&cd, 6, NULL), "PT1M0.000000001S");
    CHECK_STR(cell(&cd, 7, NULL), "PT-1H");
    CHECK_STR(cell(&cd, 8, NULL), "PT0.000000001S");
    struct dh_field fds = fld(DH_TYPE_DURATION, 64, 1, DH_UNIT_MILLI, NULL);
    int64_t vds[] = {90061001};
    struct dh_column_view cds = col_fixed(&fds, vds, 8, 1);
    CHECK_STR(cell(&cds, 0, NULL), "PT25H1M1.001S");
}

/* Write v as a little-endian 16-byte two's complement value. */
static void le128(uint8_t out[16], int64_t hi, uint64_t lo)
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(lo >> (8 * i));
        out[8 + i] = (uint8_t)((uint64_t)hi >> (8 * i));
    }
}

/* Arrow Decimal128/256 with precision and scale. */
static void test_decimal(void)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    struct dh_field f = fld(DH_TYPE_DECIMAL, 128, 1, 0, NULL);
    f.precision = 38;
    f.scale = 2;
    uint8_t v[6][16];
    le128(v[0], 0, 12345);
    le128(v[1], -1, (uint64_t)-12345);
    le128(v[2], 0, 5);
    le128(v[3], INT64_MAX, UINT64_MAX);
    le128(v[4], INT64_MIN, 0);
    le128(v[5], 0, 0);
    struct dh_column_view c = col_fixed(&f, v, 16, 6);
    CHECK_STR(cell(&c, 0, NULL), "123.45");
    CHECK_STR(cell(&c, 1, NULL), "-123.45");
    CHECK_STR(cell(&c, 2, NULL), "0.05");
    CHECK_STR(cell(&c, 5, NULL), "0.00");
    f.scale = 0;
    CHECK_STR(cell(&c, 3, NULL), "170141183460469231731687303715884105727");
    CHECK_STR(cell(&c, 4, NULL), "-170141183460469231731687303715884105728");
    o.group_digits = 1;
    CHECK_STR(cell(&c, 0, &o), "12,345");
    f.scale = 7;
    CHECK_STR(cell(&c, 0, NULL), "0.0012345");
    CHECK_STR(cell(&c, 1, NULL), "-0.0012345");
    f.scale = -3;
    CHECK_STR(cell(&c, 2, NULL), "5000");
    CHECK_STR(cell(&c, 0, &o), "12,345,000");
    f.scale = -40;
    CHECK_STR(cell(&c, 0, NULL), "1.2345E+44");
    f.scale = 45;
    CHECK_STR(cell(&c, 0, NULL), "1.2345E-41");
    /* Exactly PAD_ZEROS_MAX (32) zeros after the point stay plain, as 32 before it do. */
    f.scale = 37;
    CHECK_STR(cell(&c, 0, NULL), "0.0000000000000000000000000000000012345");
    f.scale = 38;
    CHECK_STR(cell(&c, 0, NULL), "1.2345E-34");
    f.scale = -32;
    CHECK_STR(cell(&c, 2, NULL), "500000000000000000000000000000000");
    struct dh_field f256 = fld(DH_TYPE_DECIMAL, 256, 1, 0, NULL);
    f256.scale = 1;
    uint8_t w[32];
    memset(w, 0xFF, sizeof w);
    w[0] = 0xF6; /* -10 */
    struct dh_column_view c256 = col_fixed(&f256, w, 32, 1);
    CHECK_STR(cell(&c256, 0, NULL), "-1.0");
    CHECK(dh_format_is_numeric(&f));
}

/* Deephaven BigDecimal (int32 LE scale + big-endian unscaled) and BigInteger. */
static void test_bigdecimal_biginteger(void)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    struct dh_field fbd = fld(DH_TYPE_BINARY, 0, 0, 0, "java.math.BigDecimal");
    static const uint8_t bd[] = {
        2,    0,    0,    0,    0x30, 0x39, /* 123.45 */
        2,    0,    0,    0,    0xCF, 0xC7, /* -123.45 */
        0xFD, 0xFF, 0xFF, 0xFF, 0x01,       /* scale -3, 1: 1000 (stripTrailingZeros) */
        0,    0,    0,    0,    0x00,       /* 0 */
        10,   0,    0,    0,    0x01,       /* 1E-10 */
        1,    0,    0,                      /* too short */
    };
    int32_t offs[] = {0, 6, 12, 17, 22, 27, 30};
    struct dh_column_view cbd = col_var(&fbd, offs, bd, 6);
    CHECK_STR(cell(&cbd, 0, NULL), "123.45");
    CHECK_STR(cell(&cbd, 1, NULL), "-123.45");
    CHECK_STR(cell(&cbd, 2, NULL), "1000");
    CHECK_STR(cell(&cbd, 3, NULL), "0");
    CHECK_STR(cell(&cbd, 4, NULL), "0.0000000001");
    CHECK_STR(cell(&cbd, 5, NULL), "(bad BigDecimal)");
    CHECK(dh_format_is_numeric(&fbd));

    struct dh_field fbi = fld(DH_TYPE_BINARY, 0, 0, 0, "java.math.BigInteger");
    uint8_t bi[2 + 1 + 26 + 27 + 1030];
    size_t k = 0;
    bi[k++] = 0x00;
    bi[k++] = 0xFF; /* 255 */
    bi[k++] = 0xFF; /* -1 */
    bi[k++] = 0x01; /* 2^200: 01 then 25 zero bytes */
    memset(bi + k, 0, 25);
    k += 25;
    static const char neg[] = "fffeffffffffffffffffffffffffffffffffffffffffffffffcfc7";
    for (size_t i = 0; i < 27; i++) {
        unsigned byte;
        sscanf(neg + 2 * i, "%2x", &byte);
        bi[k++] = (uint8_t)byte;
    }
    memset(bi + k, 0x7F, 1030);
    k += 1030;
    int32_t bo[] = {0, 2, 3, 29, 56, 56, 1086};
    struct dh_column_view cbi = col_var(&fbi, bo, bi, 6);
    CHECK_STR(cell(&cbi, 0, NULL), "255");
    CHECK_STR(cell(&cbi, 1, NULL), "-1");
    CHECK_STR(cell(&cbi, 2, NULL), "1606938044258990275541962092341162602522202993782792835301376");
    CHECK_STR(cell(&cbi, 3, NULL),
              "-1606938044258990275541962092341162602522202993782792835313721");
    CHECK_STR(cell(&cbi, 4, NULL), "0");
    CHECK_STR(cell(&cbi, 5, NULL), "(number of 1030 bytes)");
    o.group_digits = 1;
    CHECK_STR(cell(&cbi, 2, &o),
              "1,606,938,044,258,990,275,541,962,092,341,162,602,522,202,993,782,792,835,301,376");
    /* The largest exact conversion: 1024 bytes of 0x7F.. gives 2466 digits. */
    int32_t bo2[] = {56, 56 + 1024};
    struct dh_column_view cbig = col_var(&fbi, bo2, bi, 1);
    cbig.values_len = sizeof bi;
    CHECK_INT(strlen(cell(&cbig, 0, NULL)), 2466);
}

/* Lists: elements formatted by their type, nulls, long lists cut. */
static void test_lists(void)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    struct dh_field fe = fld(DH_TYPE_INT, 32, 1, 0, NULL);
    struct dh_field fl = fld(DH_TYPE_LIST, 0, 0, 0, "int[]");
    fl.child = &fe;
    int32_t elems[20];
    for (int i = 0; i < 20; i++)
        elems[i] = i;
    uint8_t ev[] = {0xFB, 0xFF, 0xFF};
    struct dh_column_view child = col_fixed(&fe, elems, 4, 20);
    child.validity = ev; /* element 2 is null */
    int32_t offs[] = {0, 4, 4, 20};
    struct dh_column_view c;
    memset(&c, 0, sizeof c);
    c.field = &fl;
    c.length = 3;
    c.offsets = (const uint8_t *)offs;
    c.child = &child;
    CHECK_STR(cell(&c, 0, NULL), "[0, 1, (null), 3]");
    CHECK_STR(cell(&c, 1, NULL), "[]");
    CHECK_STR(cell(&c, 2, NULL), "[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, \xe2\x80\xa6]");
    o.max_list_items = 2;
    CHECK_STR(cell(&c, 2, &o), "[4, 5, \xe2\x80\xa6]");
    /* Cut by the server at list_cut + 1 elements: said first, extra one hidden. */
    o.max_list_items = 10;
    o.list_cut = 3;
    CHECK_STR(cell(&c, 0, &o), "3+ [0, 1, (null)]");
    CHECK_STR(cell(&c, 1, &o), "[]");
    o.list_cut = 4;
    CHECK_STR(cell(&c, 0, &o), "[0, 1, (null), 3]"); /* 4 elements: whole */
    o.list_cut = 0;
    int32_t bad[] = {0, 30};
    c.offsets = (const uint8_t *)bad;
    c.length = 1;
    CHECK_STR(cell(&c, 0, NULL), "(bad offsets)");
    CHECK(!dh_format_is_numeric(&fl));
}

/* Small buffers: never overflow, always NUL-terminated, never split UTF-8,
 * cut output ends with '…'. */
/* Intervals as Java prints the types Deephaven reads them into: Period
 * (YEAR_MONTH), PeriodDuration "Period Duration" (MONTH_DAY_NANO), Duration
 * (DAY_TIME); YEAR_MONTH's NULL_INT and the half float NULL_SHORT (-0.0). */
static void test_intervals_halves(void)
{
    struct dh_format_opts o, dn;
    dh_format_opts_init(&o);
    dh_format_opts_init(&dn);
    dn.deephaven_nulls = 1;
    struct dh_field fym = fld(DH_TYPE_INTERVAL, 0, 0, DH_INTERVAL_YEAR_MONTH, "java.time.Period");
    int32_t ym[] = {17, 0, -3, INT32_MIN, 12};
    struct dh_column_view cym = col_fixed(&fym, ym, 4, 5);
    cym.value_width = 4;
    CHECK_STR(cell(&cym, 0, &o), "P17M");
    CHECK_STR(cell(&cym, 1, &o), "P0D");
    CHECK_STR(cell(&cym, 2, &o), "P-3M");
    CHECK_STR(cell(&cym, 3, &o), "P-2147483648M");
    CHECK_STR(cell(&cym, 3, &dn), "(null)");
    CHECK_STR(cell(&cym, 4, &o), "P12M"); /* Period.ofMonths: not normalized to P1Y */

    struct dh_field fmdn = fld(DH_TYPE_INTERVAL, 0, 0, DH_INTERVAL_MONTH_DAY_NANO, NULL);
    struct {
        int32_t m, d;
        int64_t ns;
    } mdn[] = {{1, 3, 1500000000},    {0, 0, 0}, {-1, -3, -1500000000}, {0, 2, 0},
               {0, 0, 3723000000001}, {5, 0, -1}};
    struct dh_column_view cm = col_fixed(&fmdn, mdn, 16, 6);
    cm.value_width = 16;
    CHECK_STR(cell(&cm, 0, &o), "P1M3D PT1.5S");
    CHECK_STR(cell(&cm, 1, &o), "P0D PT0S");
    CHECK_STR(cell(&cm, 2, &o), "P-1M-3D PT-1.5S");
    CHECK_STR(cell(&cm, 3, &o), "P2D PT0S");
    CHECK_STR(cell(&cm, 4, &o), "P0D PT1H2M3.000000001S");
    CHECK_STR(cell(&cm, 5, &o), "P5M PT-0.000000001S");
    CHECK_STR(cell(&cm, 1, &dn), "P0D PT0S"); /* no sentinel: validity only */

    struct dh_field fdt = fld(DH_TYPE_INTERVAL, 0, 0, DH_INTERVAL_DAY_TIME, NULL);
    int32_t dt[] = {1, 500, 0, 0, -1, -1, 0, 86399999};
    struct dh_column_view cd = col_fixed(&fdt, dt, 8, 4);
    cd.value_width = 8;
    CHECK_STR(cell(&cd, 0, &o), "PT24H0.5S");
    CHECK_STR(cell(&cd, 1, &o), "PT0S");
    CHECK_STR(cell(&cd, 2, &o), "PT-24H-0.001S");
    CHECK_STR(cell(&cd, 3, &o), "PT23H59M59.999S");

    char label[64];
    dh_format_type_label(&fym, label, sizeof label);
    CHECK_STR(label, "Period");
    dh_format_type_label(&fmdn, label, sizeof label);
    CHECK_STR(label, "month_day_nano_interval");
    dh_format_type_label(&fdt, label, sizeof label);
    CHECK_STR(label, "day_time_interval");

    struct dh_field fh = fld(DH_TYPE_FLOAT, 16, 0, 0, NULL);
    uint16_t h[] = {0x3E00, 0x8000, 0x7BFF, 0x0001, 0xFC00, 0x7E00};
    struct dh_column_view ch = col_fixed(&fh, h, 2, 6);
    ch.value_width = 2;
    CHECK_STR(cell(&ch, 0, &o), "1.5");
    CHECK_STR(cell(&ch, 1, &o), "-0");
    CHECK_STR(cell(&ch, 1, &dn), "(null)");
    CHECK_STR(cell(&ch, 2, &o), "65504");
    CHECK_STR(cell(&ch, 3, &o), "5.9604645E-8");
    CHECK_STR(cell(&ch, 4, &o), "-Infinity");
    CHECK_STR(cell(&ch, 5, &o), "NaN");
    ch.deephaven_nulls = 1;
    CHECK(dh_column_is_null(&ch, 1));
    CHECK(!dh_column_is_null(&ch, 0));
    cym.deephaven_nulls = 1;
    CHECK(dh_column_is_null(&cym, 3));
    CHECK(!dh_column_is_null(&cym, 2));
}

static void test_small_buffers(void)
{
    struct dh_field fs = fld(DH_TYPE_UTF8, 0, 0, 0, NULL);
    const char data[] = "\xe4\xb8\xad\xe6\x96\x87"
                        "abc\x1b[0mdef";
    int32_t offs[] = {0, (int32_t)sizeof data - 1};
    struct dh_column_view cs = col_var(&fs, offs, data, 1);
    struct dh_field f64 = fld(DH_TYPE_INT, 64, 1, 0, NULL);
    int64_t v = INT64_MIN;
    struct dh_column_view ci = col_fixed(&f64, &v, 8, 1);
    struct dh_field ft = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_NANO, NULL);
    struct dh_column_view ct = col_fixed(&ft, &v, 8, 1);
    const struct dh_column_view *cols[] = {&cs, &ci, &ct};
    char full[128];
    for (size_t k = 0; k < 3; k++) {
        size_t fn = dh_format_cell(cols[k], 0, NULL, full, sizeof full);
        for (size_t n = 0; n < 40; n++) {
            char buf[48];
            memset(buf, '#', sizeof buf);
            size_t w = dh_format_cell(cols[k], 0, NULL, buf, n);
            for (size_t i = n; i < sizeof buf; i++)
                CHECK(buf[i] == '#');
            if (n == 0) {
                CHECK_INT(w, 0);
                continue;
            }
            CHECK_INT(w, strlen(buf));
            CHECK(w < n);
            uint32_t cp;
            for (size_t i = 0; i < w; i += dh_text_utf8_next(buf + i, w - i, &cp))
                CHECK(dh_text_utf8_next(buf + i, w - i, &cp) && cp != 0xFFFD);
            if (fn < n)
                CHECK_STR(buf, full);
            else if (n > 3)
                CHECK(w >= 3 && memcmp(buf + w - 3, "\xe2\x80\xa6", 3) == 0);
        }
    }
}

/* Header labels: Deephaven simple names, else Arrow names. */
static void test_type_labels(void)
{
    char b[64];
    static const char *const simple[][2] = {
        {"long", "long"},
        {"java.lang.String", "String"},
        {"java.time.Instant", "Instant"},
        {"int[]", "int[]"},
        {"java.lang.String[]", "String[]"},
        {"io.deephaven.vector.IntVector", "IntVector"},
        {"com.x.Outer$Inner", "Inner"},
        {"evil\x1b[2J", "evil\\e[2J"},
    };
    struct dh_field f = fld(DH_TYPE_INT, 64, 1, 0, NULL);
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++) {
        f.dh_type = simple[i][0];
        dh_format_type_label(&f, b, sizeof b);
        CHECK_STR(b, simple[i][1]);
    }
    f.dh_type = NULL;
    dh_format_type_label(&f, b, sizeof b);
    CHECK_STR(b, "int64");
    struct dh_field ts = fld(DH_TYPE_TIMESTAMP, 64, 1, DH_UNIT_NANO, NULL);
    ts.timezone = (char *)"UTC";
    dh_format_type_label(&ts, b, sizeof b);
    CHECK_STR(b, "timestamp[ns, UTC]");
    struct dh_field el = fld(DH_TYPE_INT, 32, 1, 0, NULL);
    struct dh_field l = fld(DH_TYPE_LIST, 0, 0, 0, NULL);
    l.child = &el;
    dh_format_type_label(&l, b, sizeof b);
    CHECK_STR(b, "list<int32>");
    struct dh_field d = fld(DH_TYPE_DECIMAL, 128, 1, 0, NULL);
    d.precision = 10;
    d.scale = 2;
    dh_format_type_label(&d, b, sizeof b);
    CHECK_STR(b, "decimal128(10, 2)");
    struct dh_field u = fld(DH_TYPE_UNSUPPORTED, 0, 0, 0, NULL);
    memcpy(u.type_name, "Union", 6);
    dh_format_type_label(&u, b, sizeof b);
    CHECK_STR(b, "Union");
    int32_t x = 0;
    struct dh_column_view cu = col_fixed(&u, &x, 4, 1);
    CHECK_STR(cell(&cu, 0, NULL), "\xe2\x80\xb9Union\xe2\x80\xba");
    f.dh_type = "java.lang.String";
    CHECK_INT(dh_format_type_label(&f, b, 6), 5);
    CHECK_STR(b, "St\xe2\x80\xa6");
    CHECK_INT(dh_format_type_label(&f, b, 3), 2);
    CHECK_STR(b, "St");
    CHECK_INT(dh_format_type_label(&f, b, 0), 0);
}

int main(void)
{
    CHECK_RUN(T(test_ints), T(test_chars), T(test_floats), T(test_floats_exact),
              T(test_bool_string_binary), T(test_timestamps), T(test_dates_times_durations),
              T(test_decimal), T(test_bigdecimal_biginteger), T(test_lists),
              T(test_intervals_halves), T(test_small_buffers), T(test_type_labels));
}
