/* SPDX-License-Identifier: MIT */
/* format.c: display text for Arrow cells. Values are read with memcpy from the
 * column buffers as dh_arrow.h documents them; wire facts follow
 * docs/PROTOCOL.md, Column types (BarrageUtil, QueryConstants). */
#include "dh_format.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_encoding.h"
#include "dh_numtext.h"
#include "dh_text.h"
#include "dh_timetext.h"

#define BIG_MAX_BYTES 1024  /* longest BigInteger/BigDecimal converted exactly */
#define BIG_MAX_DIGITS 2480 /* decimal digits of BIG_MAX_BYTES bytes, rounded up */
#define LIST_MAX_DEPTH 8    /* nested lists deeper than this show as "[…]" */
#define PAD_ZEROS_MAX 32    /* decimals needing more padding zeros use E notation */

static const char ellipsis[] = "\xe2\x80\xa6";

/* ---- output ---- */

/* The output buffer; `cut` once something did not fit. */
struct out {
    char *buf;
    size_t cap;
    size_t len;
    int cut;
};

/* Append n bytes, cutting at a UTF-8 character boundary when they do not fit. */
static void put(struct out *o, const char *s, size_t n)
{
    if (o->cut || o->cap == 0)
        return;
    size_t room = o->cap - 1 - o->len;
    if (n > room) {
        size_t k = room;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        n = k;
        o->cut = 1;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Append a C string. */
static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Append untrusted text, sanitised. */
static void put_text(struct out *o, const char *s, size_t n)
{
    if (o->cut || o->cap == 0)
        return;
    size_t used = 0;
    o->len += dh_text_sanitize(s, n, o->buf + o->len, o->cap - o->len, 0, &used);
    if (used < n)
        o->cut = 1;
}

/* NUL-terminate; cut output ends with '…' when there is room for it. */
static size_t finish(struct out *o)
{
    if (o->cap == 0)
        return 0;
    if (o->cut && o->cap > 3) {
        size_t end = o->len < o->cap - 4 ? o->len : o->cap - 4;
        /* Drop a character the cut point falls inside of. */
        while (end < o->len && end > 0 && ((unsigned char)o->buf[end] & 0xC0) == 0x80)
            end--;
        memcpy(o->buf + end, ellipsis, 3);
        o->len = end + 3;
    }
    o->buf[o->len] = '\0';
    return o->len;
}

/* ---- numbers ---- */

/* Append decimal digits `d` (an integer part), with "," every three digits
 * when grouping. */
static void put_grouped(struct out *o, const char *d, size_t n, int group)
{
    if (!group) {
        put(o, d, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            put(o, ",", 1);
        put(o, d + i, 1);
    }
}

/* Append a signed or unsigned 64-bit integer (neg: the value is -mag). */
static void put_int(struct out *o, int neg, uint64_t mag, int group)
{
    char d[24];
    size_t n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (neg)
        put(o, "-", 1);
    put_grouped(o, d + sizeof d - n, n, group);
}

/* Append a signed value. */
static void put_i64(struct out *o, int64_t v, int group)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    put_int(o, v < 0, mag, group);
}

/* Append a plain decimal number text (optional '-', digits, optional '.'
 * fraction), grouping its integer part. */
static void put_plain_number(struct out *o, const char *s, int group)
{
    if (*s == '-')
        put(o, s++, 1);
    size_t ip = strcspn(s, ".");
    put_grouped(o, s, ip, group);
    puts_(o, s + ip);
}

/* Remove trailing zeros (and a trailing '.') after the '.' of s[0..*n). */
static void trim_fraction(char *s, size_t *n)
{
    if (!memchr(s, '.', *n))
        return;
    while (*n > 0 && s[*n - 1] == '0')
        (*n)--;
    if (*n > 0 && s[*n - 1] == '.')
        (*n)--;
    s[*n] = '\0';
}

/* Append a float with `prec` significant digits: fixed notation for moderate
 * magnitudes, else Java-like "1.5E20"; trailing zeros trimmed. */
static void put_double(struct out *o, double v, int prec, int group)
{
    char e[64], f[400];
    if (isnan(v)) {
        puts_(o, "NaN");
        return;
    }
    if (isinf(v)) {
        puts_(o, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (v == 0) {
        puts_(o, "0");
        return;
    }
    /* %e rounds first, so its exponent is the one of the shown value. */
    snprintf(e, sizeof e, "%.*e", prec - 1, v);
    char *ep = strchr(e, 'e');
    int exp10 = ep ? (int)strtol(ep + 1, NULL, 10) : 0;
    if (exp10 >= -5 && exp10 < 15) {
        int decimals = prec - 1 - exp10;
        if (decimals < 0)
            decimals = 0;
        size_t n = (size_t)snprintf(f, sizeof f, "%.*f", decimals, v);
        if (n >= sizeof f)
            n = sizeof f - 1;
        trim_fraction(f, &n);
        put_plain_number(o, f, group);
        return;
    }
    if (!ep)
        return;
    size_t mn = (size_t)(ep - e);
    *ep = '\0';
    trim_fraction(e, &mn);
    put(o, e, mn);
    char x[16];
    snprintf(x, sizeof x, "E%d", exp10);
    puts_(o, x);
}

/* Append the shortest digits that read back to the same bits, digits *
 * 10^exp10 (neg: negative), in put_double's notation: fixed for
 * 1e-5 <= |x| < 1e15, else "1.5E20". */
static void put_shortest(struct out *o, int neg, uint64_t digits, int exp10, int group)
{
    char ds[DH_NUMTEXT_MAX];
    size_t n = dh_u64_text(digits, ds);
    int point = (int)n + exp10; /* digits before the decimal point */
    if (neg)
        put(o, "-", 1);
    if (point - 1 < -5 || point - 1 >= 15) {
        put(o, ds, 1);
        if (n > 1) {
            put(o, ".", 1);
            put(o, ds + 1, n - 1);
        }
        char x[1 + DH_NUMTEXT_MAX];
        x[0] = 'E';
        size_t xn = 1 + dh_i64_text(point - 1, x + 1);
        put(o, x, xn);
        return;
    }
    static const char zeros[] = "00000000000000000000";
    if (point <= 0) {
        put(o, "0.", 2);
        put(o, zeros, (size_t)-point);
        put(o, ds, n);
    } else if ((size_t)point >= n) {
        char whole[24];
        memcpy(whole, ds, n);
        memset(whole + n, '0', (size_t)point - n);
        put_grouped(o, whole, (size_t)point, group);
    } else {
        put_grouped(o, ds, (size_t)point, group);
        put(o, ".", 1);
        put(o, ds + point, n - (size_t)point);
    }
}

/* Append a double or float (is_float: v holds a float exactly) with the
 * shortest digits that read back to the same bits; "-0" keeps its sign. */
static void put_exact(struct out *o, double v, int is_float, int group)
{
    if (isnan(v) || isinf(v)) {
        put_double(o, v, 1, group);
        return;
    }
    if (v == 0) {
        puts_(o, signbit(v) ? "-0" : "0");
        return;
    }
    uint64_t d;
    int x;
    if (is_float) {
        uint32_t d32;
        dh_float_decimal((float)v, &d32, &x);
        d = d32;
    } else {
        dh_double_decimal(v, &d, &x);
    }
    put_shortest(o, signbit(v) != 0, d, x, group);
}

/* An IEEE 754 half-precision value as a double. */
static double half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 0x1F;
    int man = h & 0x3FF;
    double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exp == 0)
        return sign * ldexp(man, -24);
    if (exp == 31)
        return man ? NAN : sign * INFINITY;
    return sign * ldexp(man + 1024, exp - 25);
}

/* ---- big integers and decimals ---- */

/* Write the decimal digits of the big-endian magnitude mag[0..n) into
 * d[0..cap) (no leading zeros; "0" for zero); returns the digit count. mag is
 * consumed (divided down to zero). */
static size_t magnitude_digits(uint8_t *mag, size_t n, char *d, size_t cap)
{
    uint32_t limbs[BIG_MAX_BYTES / 4 + 1];
    size_t nl = 0;
    /* Big-endian bytes to big-endian base-2^32 limbs. */
    size_t first = n % 4;
    if (first) {
        uint32_t v = 0;
        for (size_t i = 0; i < first; i++)
            v = v << 8 | mag[i];
        limbs[nl++] = v;
    }
    for (size_t i = first; i < n; i += 4)
        limbs[nl++] = (uint32_t)mag[i] << 24 | (uint32_t)mag[i + 1] << 16 |
                      (uint32_t)mag[i + 2] << 8 | mag[i + 3];
    size_t top = 0, nd = 0;
    char rev[BIG_MAX_DIGITS + 16];
    for (;;) {
        while (top < nl && limbs[top] == 0)
            top++;
        if (top == nl)
            break;
        /* Divide by 10^9, collecting the remainder as nine digits. */
        uint64_t rem = 0;
        for (size_t i = top; i < nl; i++) {
            uint64_t cur = rem << 32 | limbs[i];
            limbs[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        for (int k = 0; k < 9 && nd < sizeof rev; k++) {
            rev[nd++] = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    while (nd > 1 && rev[nd - 1] == '0')
        nd--;
    if (nd == 0)
        rev[nd++] = '0';
    size_t w = 0;
    for (; w < nd && w < cap; w++)
        d[w] = rev[nd - 1 - w];
    return w;
}

/* Append an unscaled two's complement integer (big-endian be[0..n)) divided by
 * 10^scale: plain notation, or Java BigDecimal.toString's E notation when plain
 * would need more than PAD_ZEROS_MAX padding zeros. */
static void put_big_decimal(struct out *o, const uint8_t *be, size_t n, int64_t scale, int group)
{
    uint8_t mag[BIG_MAX_BYTES];
    char d[BIG_MAX_DIGITS + PAD_ZEROS_MAX + 16];
    if (n > BIG_MAX_BYTES) {
        char msg[48];
        snprintf(msg, sizeof msg, "(number of %zu bytes)", n);
        puts_(o, msg);
        return;
    }
    int neg = n > 0 && (be[0] & 0x80);
    memcpy(mag, be, n);
    if (neg) { /* negate: invert and add one */
        int carry = 1;
        for (size_t i = n; i-- > 0;) {
            unsigned v = (uint8_t)~mag[i] + (unsigned)carry;
            mag[i] = (uint8_t)v;
            carry = v > 0xFF;
        }
    }
    size_t nd = magnitude_digits(mag, n, d, BIG_MAX_DIGITS + 16);
    int zero = nd == 1 && d[0] == '0';
    if (neg && !zero)
        put(o, "-", 1);
    if (scale <= 0) {
        if (zero || -scale <= PAD_ZEROS_MAX) {
            size_t zeros = zero ? 0 : (size_t)-scale;
            memset(d + nd, '0', zeros); /* d has room for PAD_ZEROS_MAX more */
            put_grouped(o, d, nd + zeros, group);
            return;
        }
    } else if (scale < (int64_t)nd) {
        size_t ip = nd - (size_t)scale;
        put_grouped(o, d, ip, group);
        put(o, ".", 1);
        put(o, d + ip, nd - ip);
        return;
    } else if (scale - (int64_t)nd <= PAD_ZEROS_MAX) {
        put(o, "0.", 2);
        for (int64_t i = 0; i < scale - (int64_t)nd; i++)
            put(o, "0", 1);
        put(o, d, nd);
        return;
    }
    /* E notation: d[0].d[1..]E<adjusted exponent>, as Java writes it. */
    int64_t adjusted = (int64_t)nd - 1 - scale;
    char x[32];
    put(o, d, 1);
    if (nd > 1) {
        put(o, ".", 1);
        put(o, d + 1, nd - 1);
    }
    snprintf(x, sizeof x, "E%s%lld", adjusted >= 0 ? "+" : "", (long long)adjusted);
    puts_(o, x);
}

/* ---- dates and times ---- */

/* Units per second and fraction digits of a time unit. */
static int64_t unit_per_second(int unit, int *digits)
{
    static const int64_t per[] = {1, 1000, 1000000, 1000000000};
    static const int dig[] = {0, 3, 6, 9};
    if (unit < 0 || unit > 3)
        unit = 3;
    *digits = dig[unit];
    return per[unit];
}

/* Append a date. */
static void put_date(struct out *o, int64_t days)
{
    char s[DH_TIMETEXT_MAX];
    put(o, s, dh_date_text(days, s));
}

/* Append an instant v (in `unit` since the epoch) as ISO 8601. */
static void put_timestamp(struct out *o, int64_t v, int unit, int local)
{
    char s[DH_TIMETEXT_MAX];
    put(o, s, dh_timestamp_text(v, unit, local, NULL, s));
}

/* Append a time of day v (in `unit` since midnight). */
static void put_time_of_day(struct out *o, int64_t v, int unit)
{
    char s[DH_TIMETEXT_MAX];
    size_t n = dh_time_of_day_text(v, unit, s);
    if (n == 0) { /* not a time of day: show the raw count */
        put_i64(o, v, 0);
        return;
    }
    put(o, s, n);
}

/* Append a duration v (in `unit`) as Java's Duration.toString does:
 * "PT8H6M12.345S", "PT-0.5S", "PT0S". */
static void put_duration(struct out *o, int64_t v, int unit)
{
    int digits;
    int64_t per = unit_per_second(unit, &digits);
    int64_t seconds = dh_floor_div(v, per);
    int64_t nanos = dh_floor_mod(v, per) * (1000000000 / per);
    char s[64];
    if (seconds == 0 && nanos == 0) {
        puts_(o, "PT0S");
        return;
    }
    int64_t total = seconds < 0 && nanos > 0 ? seconds + 1 : seconds;
    int64_t hours = total / 3600;
    int minutes = (int)(total % 3600 / 60);
    int secs = (int)(total % 60);
    put(o, "PT", 2);
    int parts = 0;
    if (hours != 0) {
        snprintf(s, sizeof s, "%lldH", (long long)hours);
        puts_(o, s);
        parts = 1;
    }
    if (minutes != 0) {
        snprintf(s, sizeof s, "%dM", minutes);
        puts_(o, s);
        parts = 1;
    }
    if (secs == 0 && nanos == 0 && parts)
        return;
    if (seconds < 0 && nanos > 0 && secs == 0)
        puts_(o, "-0");
    else {
        snprintf(s, sizeof s, "%d", secs);
        puts_(o, s);
    }
    if (nanos > 0) {
        /* Nine fraction digits, trailing zeros dropped. */
        int64_t f = seconds < 0 ? 1000000000 - nanos : nanos;
        size_t n = (size_t)snprintf(s, sizeof s, ".%09lld", (long long)f);
        while (s[n - 1] == '0')
            n--;
        put(o, s, n);
    }
    put(o, "S", 1);
}

/* Append a period of months and days as Java's Period.toString writes
 * Period.of(0, months, days): "P17M", "P1M-3D", "P0D". */
static void put_period(struct out *o, int32_t months, int32_t days)
{
    char s[32];
    put(o, "P", 1);
    if (months == 0 && days == 0) {
        put(o, "0D", 2);
        return;
    }
    if (months != 0) {
        put(o, s, (size_t)snprintf(s, sizeof s, "%dM", (int)months));
    }
    if (days != 0)
        put(o, s, (size_t)snprintf(s, sizeof s, "%dD", (int)days));
}

/* Append an Interval cell as Deephaven reads it back (DefaultChunkReaderFactory
 * intervalToPeriod / intervalToPeriodDuration / intervalToDuration):
 * YEAR_MONTH a Period ("P17M"), MONTH_DAY_NANO a PeriodDuration, whose
 * toString is the Period, a space and the Duration ("P1M3D PT1.5S"), DAY_TIME
 * a Duration of its milliseconds ("PT49H0.5S"). */
static void put_interval(struct out *o, const struct dh_interval *iv, int unit)
{
    if (unit == DH_INTERVAL_DAY_TIME) {
        put_duration(o, (int64_t)iv->days * 86400000 + iv->nanos / 1000000, DH_UNIT_MILLI);
        return;
    }
    put_period(o, iv->months, iv->days);
    if (unit == DH_INTERVAL_MONTH_DAY_NANO) {
        put(o, " ", 1);
        put_duration(o, iv->nanos, DH_UNIT_NANO);
    }
}

/* ---- reading the column ---- */

/* Whether row is valid per the validity bitmap (LSB first). */
static int is_valid(const struct dh_column_view *col, int64_t row)
{
    if (!col->validity)
        return 1;
    return (col->validity[row >> 3] >> (row & 7)) & 1;
}

/* Copy the width-byte fixed value of row into dst; 0 if out of the buffer. */
static int read_fixed(const struct dh_column_view *col, int64_t row, size_t width, void *dst)
{
    size_t off = (size_t)row * width;
    if (!col->values || off + width > col->values_len)
        return 0;
    memcpy(dst, col->values + off, width);
    return 1;
}

/* Read the little-endian integer of row (bits 8..64), sign-extended when
 * is_signed; the bits are returned in *u either way. */
static int read_int(const struct dh_column_view *col, int64_t row, int bits, int is_signed,
                    uint64_t *u)
{
    size_t width = (size_t)bits / 8;
    uint8_t b[8];
    if (!read_fixed(col, row, width, b))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++)
        v |= (uint64_t)b[i] << (8 * i);
    if (is_signed && bits < 64 && ((v >> (bits - 1)) & 1))
        v |= ~(uint64_t)0 << bits;
    *u = v;
    return 1;
}

/* The byte range [start, end) of a variable-length row (offsets int32, or
 * int64 when large); 0 if the offsets are out of order or outside values. */
static int read_range(const struct dh_column_view *col, int64_t row, int large, size_t *start,
                      size_t *end)
{
    int64_t s, e;
    if (!col->offsets)
        return 0;
    if (large) {
        memcpy(&s, col->offsets + (size_t)row * 8, 8);
        memcpy(&e, col->offsets + (size_t)row * 8 + 8, 8);
    } else {
        int32_t s32, e32;
        memcpy(&s32, col->offsets + (size_t)row * 4, 4);
        memcpy(&e32, col->offsets + (size_t)row * 4 + 4, 4);
        s = s32;
        e = e32;
    }
    if (s < 0 || e < s || (uint64_t)e > col->values_len)
        return 0;
    *start = (size_t)s;
    *end = (size_t)e;
    return 1;
}

/* Whether the field's deephaven:type is t. */
static int dh_type_is(const struct dh_field *f, const char *t)
{
    return f->dh_type && strcmp(f->dh_type, t) == 0;
}

/* Whether the field is a Deephaven char column (Int(16, unsigned), "char"). */
static int is_char(const struct dh_field *f)
{
    return f->type == DH_TYPE_INT && f->bit_width == 16 && !f->is_signed &&
           (!f->dh_type || dh_type_is(f, "char"));
}

/* Append one UTF-16 code unit as a character (sanitised; a lone surrogate
 * shows as U+FFFD). */
static void put_char(struct out *o, uint16_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | c >> 6);
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
        memcpy(u, "\xef\xbf\xbd", 3);
        n = 3;
    } else {
        u[0] = (char)(0xE0 | c >> 12);
        u[1] = (char)(0x80 | (c >> 6 & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    }
    put_text(o, u, n);
}

/* Append bytes as "0x" + hex, at most max bytes, then "…". */
static void put_binary(struct out *o, const uint8_t *p, size_t n, size_t max)
{
    char two[3];
    put(o, "0x", 2);
    for (size_t i = 0; i < n && i < max && !o->cut; i++) {
        dh_hex_encode(p + i, 1, two, sizeof two);
        put(o, two, 2);
    }
    if (n > max)
        puts_(o, ellipsis);
}

/* Effective options: caller's or the defaults. */
struct eff {
    int group, local, prec, prec32, dh_nulls;
    size_t max_items, max_bin;
    int64_t list_cut;
    const char *null_text;
};

/* Resolve opts (may be NULL) into effective settings. */
static void resolve_opts(const struct dh_format_opts *opts, struct eff *e)
{
    struct dh_format_opts d;
    if (!opts) {
        dh_format_opts_init(&d);
        opts = &d;
    }
    e->group = opts->group_digits;
    e->local = opts->local_time;
    /* prec 0: the shortest digits that read back exactly (DH_FORMAT_SHORTEST). */
    e->prec =
        opts->float_precision > 0 ? (opts->float_precision > 17 ? 17 : opts->float_precision) : 0;
    e->prec32 = e->prec > 9 ? 9 : e->prec;
    e->dh_nulls = opts->deephaven_nulls;
    e->max_items = opts->max_list_items > 0 ? (size_t)opts->max_list_items : 10;
    e->max_bin = opts->max_binary_bytes > 0 ? (size_t)opts->max_binary_bytes : 32;
    e->list_cut = opts->list_cut > 0 ? opts->list_cut : 0;
    e->null_text = opts->null_text ? opts->null_text : "(null)";
}

static void put_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                     const struct eff *e, int depth);

/* Append an integer cell; 0 if it is a Deephaven null sentinel. */
static int put_int_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                        const struct eff *e)
{
    const struct dh_field *f = col->field;
    int bits = f->bit_width == 8 || f->bit_width == 16 || f->bit_width == 32 ? f->bit_width : 64;
    uint64_t u;
    if (!read_int(col, row, bits, f->is_signed, &u))
        return 1;
    if (f->is_signed) {
        int64_t v;
        memcpy(&v, &u, sizeof v);
        int64_t min = bits == 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
        if (e->dh_nulls && v == min)
            return 0;
        put_i64(o, v, e->group);
        return 1;
    }
    if (is_char(f)) {
        if (e->dh_nulls && u == 0xFFFF)
            return 0;
        put_char(o, (uint16_t)u);
        return 1;
    }
    put_int(o, 0, u, e->group);
    return 1;
}

/* Append a float cell; 0 if it is a Deephaven null sentinel. */
static int put_float_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                          const struct eff *e)
{
    int bits = col->field->bit_width;
    if (bits == 16) {
        uint16_t h;
        if (!read_fixed(col, row, 2, &h))
            return 1;
        if (e->dh_nulls && h == 0x8000) /* NULL_SHORT, which is also -0.0 */
            return 0;
        if (e->prec32 == 0)
            put_exact(o, half_to_double(h), 1, e->group); /* a half is a float exactly */
        else
            put_double(o, half_to_double(h), e->prec32 < 4 ? e->prec32 : 4, e->group);
        return 1;
    }
    if (bits == 32) {
        float v;
        if (!read_fixed(col, row, 4, &v))
            return 1;
        if (e->dh_nulls && v == -FLT_MAX)
            return 0;
        if (e->prec32 == 0)
            put_exact(o, (double)v, 1, e->group);
        else
            put_double(o, (double)v, e->prec32, e->group);
        return 1;
    }
    double d;
    if (!read_fixed(col, row, 8, &d))
        return 1;
    if (e->dh_nulls && d == -DBL_MAX)
        return 0;
    if (e->prec == 0)
        put_exact(o, d, 0, e->group);
    else
        put_double(o, d, e->prec, e->group);
    return 1;
}

/* Append a Date cell (DAY: int32 days, MILLI: int64 ms); 0 if it is a
 * Deephaven null sentinel. */
static int put_date_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                         const struct eff *e)
{
    if (col->field->unit == DH_DATE_DAY) {
        int32_t days;
        if (!read_fixed(col, row, 4, &days))
            return 1;
        if (e->dh_nulls && days == INT32_MIN)
            return 0;
        put_date(o, days);
        return 1;
    }
    int64_t ms;
    if (!read_fixed(col, row, 8, &ms))
        return 1;
    if (e->dh_nulls && ms == INT64_MIN)
        return 0;
    put_date(o, dh_floor_div(ms, 86400000));
    return 1;
}

/* Append an Arrow Decimal cell (little-endian two's complement, 16 or 32 bytes). */
static void put_decimal_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                             const struct eff *e)
{
    size_t width = col->field->bit_width == 256 ? 32 : 16;
    uint8_t le[32], be[32];
    if (!read_fixed(col, row, width, le))
        return;
    for (size_t i = 0; i < width; i++)
        be[i] = le[width - 1 - i];
    put_big_decimal(o, be, width, col->field->scale, e->group);
}

/* Append a variable-length (string/binary) cell. */
static void put_var_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                         const struct eff *e)
{
    const struct dh_field *f = col->field;
    int large = f->type == DH_TYPE_LARGE_UTF8 || f->type == DH_TYPE_LARGE_BINARY;
    size_t s, end;
    if (!read_range(col, row, large, &s, &end)) {
        puts_(o, "(bad offsets)");
        return;
    }
    /* values is NULL when the column holds no bytes (all cells empty) */
    const uint8_t *p = col->values ? col->values + s : (const uint8_t *)"";
    size_t n = end - s;
    if (f->type == DH_TYPE_UTF8 || f->type == DH_TYPE_LARGE_UTF8) {
        put_text(o, (const char *)p, n);
    } else if (dh_type_is(f, "java.math.BigDecimal")) {
        if (n < 4) {
            puts_(o, "(bad BigDecimal)");
            return;
        }
        int32_t scale;
        uint8_t le[4] = {p[0], p[1], p[2], p[3]};
        uint32_t u =
            (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
        memcpy(&scale, &u, 4);
        put_big_decimal(o, p + 4, n - 4, scale, e->group);
    } else if (dh_type_is(f, "java.math.BigInteger")) {
        put_big_decimal(o, p, n, 0, e->group);
    } else {
        put_binary(o, p, n, e->max_bin);
    }
}

/* Append a List cell "[a, b, …]". */
static void put_list_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                          const struct eff *e, int depth)
{
    size_t s, end;
    const struct dh_column_view *child = col->child;
    if (!child || !child->field || !col->offsets || depth >= LIST_MAX_DEPTH) {
        puts_(o, "[\xe2\x80\xa6]");
        return;
    }
    int32_t s32, e32;
    memcpy(&s32, col->offsets + (size_t)row * 4, 4);
    memcpy(&e32, col->offsets + (size_t)row * 4 + 4, 4);
    if (s32 < 0 || e32 < s32 || e32 > child->length) {
        puts_(o, "(bad offsets)");
        return;
    }
    s = (size_t)s32;
    end = (size_t)e32;
    if (e->list_cut > 0 && (int64_t)(end - s) > e->list_cut) {
        put_i64(o, e->list_cut, e->group); /* "1000+ [0, 1, …]": cut by the server */
        put(o, "+ ", 2);
        end = s + (size_t)e->list_cut;
    }
    put(o, "[", 1);
    for (size_t i = s; i < end && !o->cut; i++) {
        if (i > s)
            put(o, ", ", 2);
        if (i - s >= e->max_items) {
            puts_(o, ellipsis);
            break;
        }
        put_cell(o, child, (int64_t)i, e, depth + 1);
    }
    put(o, "]", 1);
}

/* Append a Map cell as java.util.Map.toString writes it (DHC MapChunkReader.java
 * reads one into a LinkedHashMap, keeping the wire order): "{k1=v1, k2=v2}".
 * Upstream's list length limit does not cut maps (MapChunkWriter.java), so no
 * "1,000+" mark; past max_items entries the rest shows as "…". */
static void put_map_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                         const struct eff *e, int depth)
{
    const struct dh_column_view *ent = col->child;
    int64_t s, n;
    if (!ent || !ent->children || depth >= LIST_MAX_DEPTH) {
        puts_(o, "{\xe2\x80\xa6}");
        return;
    }
    if (dh_column_list_range(col, row, &s, &n) != DH_OK || s < 0 || n < 0 || s + n > ent->length) {
        puts_(o, "(bad offsets)");
        return;
    }
    put(o, "{", 1);
    for (int64_t i = 0; i < n && !o->cut; i++) {
        if (i > 0)
            put(o, ", ", 2);
        if ((uint64_t)i >= e->max_items) {
            puts_(o, ellipsis);
            break;
        }
        put_cell(o, &ent->children[0], s + i, e, depth + 1);
        put(o, "=", 1);
        put_cell(o, &ent->children[1], s + i, e, depth + 1);
    }
    put(o, "}", 1);
}

/* Append a Struct cell like a map of its field names: "{a=1, b=x}". */
static void put_struct_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                            const struct eff *e, int depth)
{
    const struct dh_field *f = col->field;
    if ((!col->children && f->n_children) || depth >= LIST_MAX_DEPTH) {
        puts_(o, "{\xe2\x80\xa6}");
        return;
    }
    put(o, "{", 1);
    for (size_t i = 0; i < f->n_children && !o->cut; i++) {
        if (i > 0)
            put(o, ", ", 2);
        if (i >= e->max_items) {
            puts_(o, ellipsis);
            break;
        }
        put_text(o, f->children[i].name, strlen(f->children[i].name));
        put(o, "=", 1);
        put_cell(o, &col->children[i], row, e, depth + 1);
    }
    put(o, "}", 1);
}

/* Append the text of one cell (nulls included). */
static void put_cell(struct out *o, const struct dh_column_view *col, int64_t row,
                     const struct eff *e, int depth)
{
    const struct dh_field *f = col->field;
    if (!f || row < 0 || row >= col->length)
        return;
    if (!is_valid(col, row) || f->type == DH_TYPE_NULL) {
        put_text(o, e->null_text, strlen(e->null_text));
        return;
    }
    int shown = 1;
    int64_t v = 0;
    switch (f->type) {
    case DH_TYPE_BOOL:
        if (col->values && (size_t)(row >> 3) < col->values_len)
            puts_(o, (col->values[row >> 3] >> (row & 7)) & 1 ? "true" : "false");
        break;
    case DH_TYPE_INT: shown = put_int_cell(o, col, row, e); break;
    case DH_TYPE_FLOAT: shown = put_float_cell(o, col, row, e); break;
    case DH_TYPE_UTF8:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_BINARY: put_var_cell(o, col, row, e); break;
    case DH_TYPE_FIXED_BINARY:
        if (f->fixed_size > 0 &&
            (size_t)row * (size_t)f->fixed_size + (size_t)f->fixed_size <= col->values_len)
            put_binary(o, col->values + (size_t)row * (size_t)f->fixed_size, (size_t)f->fixed_size,
                       e->max_bin);
        break;
    case DH_TYPE_DECIMAL: put_decimal_cell(o, col, row, e); break;
    case DH_TYPE_DATE: shown = put_date_cell(o, col, row, e); break;
    case DH_TYPE_TIME:
        if (f->bit_width == 32) {
            int32_t t32;
            if (read_fixed(col, row, 4, &t32))
                put_time_of_day(o, t32, f->unit);
        } else if (read_fixed(col, row, 8, &v)) {
            put_time_of_day(o, v, f->unit);
        }
        break;
    case DH_TYPE_TIMESTAMP:
        if (read_fixed(col, row, 8, &v)) {
            if (e->dh_nulls && v == INT64_MIN)
                shown = 0;
            else
                put_timestamp(o, v, f->unit, e->local);
        }
        break;
    case DH_TYPE_DURATION:
        if (read_fixed(col, row, 8, &v))
            put_duration(o, v, f->unit);
        break;
    case DH_TYPE_INTERVAL: {
        struct dh_interval iv;
        if (dh_column_get_interval(col, row, &iv) == DH_OK) {
            if (e->dh_nulls && f->unit == DH_INTERVAL_YEAR_MONTH && iv.months == INT32_MIN)
                shown = 0;
            else
                put_interval(o, &iv, f->unit);
        }
        break;
    }
    case DH_TYPE_LIST: put_list_cell(o, col, row, e, depth); break;
    case DH_TYPE_MAP: put_map_cell(o, col, row, e, depth); break;
    case DH_TYPE_STRUCT: put_struct_cell(o, col, row, e, depth); break;
    default: /* a column dhtui does not decode: its Arrow type, as a placeholder */
        puts_(o, "\xe2\x80\xb9"); /* U+2039 */
        put_text(o, f->type_name, strnlen(f->type_name, sizeof f->type_name));
        puts_(o, "\xe2\x80\xba"); /* U+203A */
        break;
    }
    if (!shown)
        put_text(o, e->null_text, strlen(e->null_text));
}

void dh_format_opts_init(struct dh_format_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->null_text = "(null)";
}

size_t dh_format_cell(const struct dh_column_view *col, int64_t row,
                      const struct dh_format_opts *opts, char *out, size_t n)
{
    struct out o = {out, n, 0, 0};
    struct eff e;
    if (n == 0)
        return 0;
    out[0] = '\0';
    if (!col)
        return 0;
    resolve_opts(opts, &e);
    put_cell(&o, col, row, &e, 0);
    return finish(&o);
}

int dh_format_is_numeric(const struct dh_field *f)
{
    if (!f)
        return 0;
    switch (f->type) {
    case DH_TYPE_INT: return !is_char(f);
    case DH_TYPE_FLOAT:
    case DH_TYPE_DECIMAL: return 1;
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_BINARY:
        return dh_type_is(f, "java.math.BigDecimal") || dh_type_is(f, "java.math.BigInteger");
    default: return 0;
    }
}

/* Write the Arrow name of a type (pyarrow's spelling) into o. */
static void put_arrow_label(struct out *o, const struct dh_field *f, int depth)
{
    static const char *const units[] = {"s", "ms", "us", "ns"};
    const char *unit = f->unit >= 0 && f->unit <= 3 ? units[f->unit] : "?";
    char s[64];
    switch (f->type) {
    case DH_TYPE_NULL: puts_(o, "null"); break;
    case DH_TYPE_BOOL: puts_(o, "bool"); break;
    case DH_TYPE_INT:
        snprintf(s, sizeof s, "%sint%d", f->is_signed ? "" : "u", f->bit_width);
        puts_(o, s);
        break;
    case DH_TYPE_FLOAT:
        snprintf(s, sizeof s, "float%d", f->bit_width);
        puts_(o, s);
        break;
    case DH_TYPE_UTF8: puts_(o, "string"); break;
    case DH_TYPE_LARGE_UTF8: puts_(o, "large_string"); break;
    case DH_TYPE_BINARY: puts_(o, "binary"); break;
    case DH_TYPE_LARGE_BINARY: puts_(o, "large_binary"); break;
    case DH_TYPE_FIXED_BINARY:
        snprintf(s, sizeof s, "fixed_size_binary[%d]", f->fixed_size);
        puts_(o, s);
        break;
    case DH_TYPE_DECIMAL:
        snprintf(s, sizeof s, "decimal%d(%d, %d)", f->bit_width == 256 ? 256 : 128, f->precision,
                 f->scale);
        puts_(o, s);
        break;
    case DH_TYPE_DATE: puts_(o, f->unit == DH_DATE_DAY ? "date32" : "date64"); break;
    case DH_TYPE_TIME:
        snprintf(s, sizeof s, "time%d[%s]", f->bit_width == 32 ? 32 : 64, unit);
        puts_(o, s);
        break;
    case DH_TYPE_TIMESTAMP:
        snprintf(s, sizeof s, "timestamp[%s", unit);
        puts_(o, s);
        if (f->timezone && f->timezone[0]) {
            put(o, ", ", 2);
            put_text(o, f->timezone, strlen(f->timezone));
        }
        put(o, "]", 1);
        break;
    case DH_TYPE_DURATION:
        snprintf(s, sizeof s, "duration[%s]", unit);
        puts_(o, s);
        break;
    case DH_TYPE_INTERVAL:
        puts_(o, f->unit == DH_INTERVAL_YEAR_MONTH ? "month_interval"
                 : f->unit == DH_INTERVAL_DAY_TIME ? "day_time_interval"
                                                   : "month_day_nano_interval");
        break;
    case DH_TYPE_LIST:
        puts_(o, f->list_size ? "fixed_size_list<" : "list<");
        if (f->child && depth < LIST_MAX_DEPTH)
            put_arrow_label(o, f->child, depth + 1);
        else
            puts_(o, "?");
        put(o, ">", 1);
        if (f->list_size) {
            snprintf(s, sizeof s, "[%d]", f->list_size);
            puts_(o, s);
        }
        break;
    case DH_TYPE_MAP: /* pyarrow: map<string, int64> */
        puts_(o, "map<");
        if (f->child && f->child->n_children == 2 && depth < LIST_MAX_DEPTH) {
            put_arrow_label(o, &f->child->children[0], depth + 1);
            put(o, ", ", 2);
            put_arrow_label(o, &f->child->children[1], depth + 1);
        } else {
            puts_(o, "?");
        }
        puts_(o, f->keys_sorted ? ", keys_sorted>" : ">");
        break;
    case DH_TYPE_STRUCT: /* pyarrow: struct<a: int64, b: string> */
        puts_(o, "struct<");
        for (size_t i = 0; i < f->n_children && depth < LIST_MAX_DEPTH; i++) {
            if (i > 0)
                put(o, ", ", 2);
            put_text(o, f->children[i].name, strlen(f->children[i].name));
            put(o, ": ", 2);
            put_arrow_label(o, &f->children[i], depth + 1);
        }
        put(o, ">", 1);
        break;
    default: put_text(o, f->type_name, strnlen(f->type_name, sizeof f->type_name)); break;
    }
}

size_t dh_format_type_label(const struct dh_field *field, char *buf, size_t n)
{
    struct out o = {buf, n, 0, 0};
    if (n == 0)
        return 0;
    buf[0] = '\0';
    if (!field)
        return 0;
    if (field->dh_type && field->dh_type[0]) {
        /* Java's simple name: after the package and any outer class. */
        const char *name = field->dh_type;
        const char *dot = strrchr(name, '.');
        if (dot && dot[1])
            name = dot + 1;
        const char *dollar = strrchr(name, '$');
        if (dollar && dollar[1])
            name = dollar + 1;
        put_text(&o, name, strlen(name));
    } else {
        put_arrow_label(&o, field, 0);
    }
    return finish(&o);
}
