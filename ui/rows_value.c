/* SPDX-License-Identifier: MIT */
/* rows_value.c: exact cell text for the data formats of `dhtui rows`. Values
 * are read with memcpy from the column buffers the decoder checked. */
#include "rows_value.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "dh_format.h"
#include "dh_numtext.h"

#define JSON_SAFE_INT (INT64_C(1) << 53) /* beyond this a double rounds integers */

enum rows_kind rows_kind_of(const struct dh_field *f)
{
    if (!f)
        return RK_OTHER;
    int dh_char = f->dh_type && strcmp(f->dh_type, "char") == 0;
    switch (f->type) {
    case DH_TYPE_INT:
        if (f->is_signed)
            return RK_INT;
        return f->bit_width == 16 && (dh_char || !f->dh_type) ? RK_CHAR : RK_UINT;
    case DH_TYPE_FLOAT:
        return f->bit_width == 16 ? RK_FLOAT16 : f->bit_width == 32 ? RK_FLOAT32 : RK_FLOAT64;
    case DH_TYPE_BOOL: return RK_BOOL;
    case DH_TYPE_UTF8:
    case DH_TYPE_LARGE_UTF8: return RK_STRING;
    case DH_TYPE_TIMESTAMP: return RK_TIMESTAMP;
    case DH_TYPE_DATE: return RK_DATE;
    case DH_TYPE_TIME: return RK_TIME;
    case DH_TYPE_DECIMAL: return RK_DECIMAL;
    case DH_TYPE_LIST: return RK_LIST;
    case DH_TYPE_MAP: return f->child && f->child->n_children == 2 ? RK_MAP : RK_OTHER;
    case DH_TYPE_STRUCT: return RK_STRUCT;
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_BINARY:
        if (f->dh_type && (strcmp(f->dh_type, "java.math.BigDecimal") == 0 ||
                           strcmp(f->dh_type, "java.math.BigInteger") == 0))
            return RK_DECIMAL;
        return RK_OTHER;
    default: return RK_OTHER;
    }
}

/* The fixed-width value of row as a sign- or zero-extended 64-bit integer. */
static int64_t read_int(const struct dh_column_view *c, int64_t row, int is_signed)
{
    const uint8_t *p = c->values + (size_t)row * (size_t)c->value_width;
    switch (c->value_width) {
    case 1: {
        uint8_t v = p[0];
        return is_signed ? (int8_t)v : (int64_t)v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return is_signed ? (int16_t)v : (int64_t)v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return is_signed ? (int32_t)v : (int64_t)v;
    }
    default: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* An IEEE 754 half-precision value as a float (exact). */
static float half_to_float(uint16_t h)
{
    int exp = (h >> 10) & 0x1F;
    int man = h & 0x3FF;
    float sign = (h & 0x8000) ? -1.0f : 1.0f;
    if (exp == 0)
        return sign * ldexpf((float)man, -24);
    if (exp == 31)
        return man ? NAN : sign * INFINITY;
    return sign * ldexpf((float)(man + 1024), exp - 25);
}

/* A float cell as the shortest text of its own width. */
static size_t float_text(const struct dh_column_view *c, int64_t row, enum rows_kind k, char *out)
{
    const uint8_t *p = c->values + (size_t)row * (size_t)c->value_width;
    if (k == RK_FLOAT64) {
        double d;
        memcpy(&d, p, 8);
        return dh_double_text(d, out);
    }
    if (k == RK_FLOAT32) {
        float f;
        memcpy(&f, p, 4);
        return dh_float_text(f, out);
    }
    uint16_t h;
    memcpy(&h, p, 2);
    return dh_float_text(half_to_float(h), out);
}

/* One UTF-16 unit as UTF-8 (a lone surrogate becomes U+FFFD). */
static size_t char_text(uint16_t c, char *u)
{
    if (c < 0x80) {
        u[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        u[0] = (char)(0xC0 | c >> 6);
        u[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
        memcpy(u, "\xef\xbf\xbd", 3);
        return 3;
    }
    u[0] = (char)(0xE0 | c >> 12);
    u[1] = (char)(0x80 | (c >> 6 & 0x3F));
    u[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

/* Time-like cells (instant, date, time of day) into tmp. */
static size_t time_text(struct rows_value_ctx *ctx, const struct dh_column_view *c, int64_t row,
                        enum rows_kind k, char *tmp)
{
    const struct dh_field *f = c->field;
    if (k == RK_TIMESTAMP)
        return dh_timestamp_text(read_int(c, row, 1), f->unit, ctx->local_time, &ctx->zone, tmp);
    if (k == RK_DATE) {
        int64_t v = read_int(c, row, 1);
        if (f->unit != DH_DATE_DAY)
            v = v / 86400000 - (v % 86400000 < 0); /* floor: milliseconds to days */
        return dh_date_text(v, tmp);
    }
    int64_t v = read_int(c, row, 1);
    size_t n = dh_time_of_day_text(v, f->unit, tmp);
    return n ? n : dh_i64_text(v, tmp); /* not a time of day: the raw count */
}

/* The display text of a rare type (binary in hex, decimals, durations), in
 * full: dh_format_cell with no abbreviation, into ctx->scratch. */
static void display_text(struct rows_value_ctx *ctx, const struct dh_column_view *c, int64_t row,
                         const char **text, size_t *len)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    o.max_binary_bytes = INT_MAX;
    o.max_list_items = INT_MAX;
    const uint8_t *p;
    size_t n = 0;
    if (dh_column_get_bytes(c, row, &p, &n) != DH_OK)
        n = 0;
    size_t cap = 4 * n + 4096; /* hex doubles the bytes; decimals need fewer */
    ctx->scratch.len = 0;
    char *out = rows_buf_room(&ctx->scratch, cap);
    *text = "";
    *len = 0;
    if (!out)
        return;
    *len = dh_format_cell(c, row, &o, out, cap);
    *text = out;
}

void rows_value_text(struct rows_value_ctx *ctx, const struct dh_column_view *c, int64_t row,
                     enum rows_kind k, char *tmp, const char **text, size_t *len)
{
    *text = tmp;
    switch (k) {
    case RK_INT: *len = dh_i64_text(read_int(c, row, 1), tmp); return;
    case RK_UINT: *len = dh_u64_text((uint64_t)read_int(c, row, 0), tmp); return;
    case RK_CHAR: *len = char_text((uint16_t)read_int(c, row, 0), tmp); return;
    case RK_FLOAT16:
    case RK_FLOAT32:
    case RK_FLOAT64: *len = float_text(c, row, k, tmp); return;
    case RK_BOOL:
        *text = dh_column_get_bool(c, row) ? "true" : "false";
        *len = strlen(*text);
        return;
    case RK_STRING: {
        const uint8_t *p = NULL;
        *len = 0;
        dh_column_get_bytes(c, row, &p, len);
        *text = p ? (const char *)p : "";
        return;
    }
    case RK_TIMESTAMP:
    case RK_DATE:
    case RK_TIME: *len = time_text(ctx, c, row, k, tmp); return;
    case RK_LIST:
    case RK_MAP:
    case RK_STRUCT: { /* the JSON text */
        ctx->scratch.len = 0;
        struct rows_buf list = ctx->scratch;
        ctx->scratch = (struct rows_buf){0};
        rows_value_json(ctx, &list, c, row, k);
        rows_buf_free(&ctx->scratch);
        ctx->scratch = list;
        *text = list.p ? list.p : "";
        *len = list.len;
        return;
    }
    default: display_text(ctx, c, row, text, len); return;
    }
}

/* An integer as a JSON number, or a string beyond +-2^53. */
static void json_integer(struct rows_buf *b, int64_t v, int is_unsigned)
{
    char t[DH_NUMTEXT_MAX];
    uint64_t u = (uint64_t)v;
    int big = is_unsigned ? u > (uint64_t)JSON_SAFE_INT : (v > JSON_SAFE_INT || v < -JSON_SAFE_INT);
    size_t n = is_unsigned ? dh_u64_text(u, t) : dh_i64_text(v, t);
    if (big)
        rows_buf_byte(b, '"');
    rows_buf_put(b, t, n);
    if (big)
        rows_buf_byte(b, '"');
}

/* A float as a JSON number; the non-numbers as strings, -0 as -0.0 (a bare
 * -0 reads back as the integer 0 in some readers). */
static void json_float(struct rows_buf *b, const struct dh_column_view *c, int64_t row,
                       enum rows_kind k)
{
    char t[DH_NUMTEXT_MAX];
    size_t n = float_text(c, row, k, t);
    if (t[0] == 'N' || t[0] == 'I' || t[1] == 'I') {
        rows_json_string(b, t, n);
        return;
    }
    if (n == 2 && t[0] == '-' && t[1] == '0') {
        rows_buf_put(b, "-0.0", 4);
        return;
    }
    rows_buf_put(b, t, n);
}

/* A list cell as a JSON array of its elements. */
static void json_list(struct rows_value_ctx *ctx, struct rows_buf *b,
                      const struct dh_column_view *c, int64_t row)
{
    int64_t start = 0, count = 0;
    const struct dh_column_view *child = c->child;
    if (!child || dh_column_list_range(c, row, &start, &count) != DH_OK) {
        rows_buf_put(b, "[]", 2);
        return;
    }
    enum rows_kind ek = rows_kind_of(child->field);
    rows_buf_byte(b, '[');
    for (int64_t i = 0; i < count; i++) {
        if (i)
            rows_buf_byte(b, ',');
        rows_value_json(ctx, b, child, start + i, ek);
    }
    rows_buf_byte(b, ']');
}

/* Whether every key of entries [start, start + count) is a non-null string. */
static int string_keys(const struct dh_column_view *keys, int64_t start, int64_t count)
{
    if (rows_kind_of(keys->field) != RK_STRING)
        return 0;
    for (int64_t i = 0; i < count; i++)
        if (rows_cell_is_null(keys, start + i))
            return 0;
    return 1;
}

/* A map cell: {"key": value, ...} when its keys are strings, else
 * [[key, value], ...]; entries in wire order. */
static void json_map(struct rows_value_ctx *ctx, struct rows_buf *b, const struct dh_column_view *c,
                     int64_t row)
{
    int64_t start = 0, count = 0;
    const struct dh_column_view *e = c->child;
    if (!e || !e->children || dh_column_list_range(c, row, &start, &count) != DH_OK) {
        rows_buf_put(b, "[]", 2);
        return;
    }
    const struct dh_column_view *keys = &e->children[0], *vals = &e->children[1];
    enum rows_kind kk = rows_kind_of(keys->field), vk = rows_kind_of(vals->field);
    int object = string_keys(keys, start, count);
    rows_buf_byte(b, object ? '{' : '[');
    for (int64_t i = 0; i < count; i++) {
        if (i)
            rows_buf_byte(b, ',');
        if (!object)
            rows_buf_byte(b, '[');
        rows_value_json(ctx, b, keys, start + i, kk);
        rows_buf_byte(b, object ? ':' : ',');
        rows_value_json(ctx, b, vals, start + i, vk);
        if (!object)
            rows_buf_byte(b, ']');
    }
    rows_buf_byte(b, object ? '}' : ']');
}

/* A struct cell: {"field": value, ...}. */
static void json_struct(struct rows_value_ctx *ctx, struct rows_buf *b,
                        const struct dh_column_view *c, int64_t row)
{
    const struct dh_field *f = c->field;
    rows_buf_byte(b, '{');
    for (size_t i = 0; c->children && i < f->n_children; i++) {
        if (i)
            rows_buf_byte(b, ',');
        rows_json_string(b, f->children[i].name, strlen(f->children[i].name));
        rows_buf_byte(b, ':');
        rows_value_json(ctx, b, &c->children[i], row, rows_kind_of(&f->children[i]));
    }
    rows_buf_byte(b, '}');
}

void rows_value_json(struct rows_value_ctx *ctx, struct rows_buf *b, const struct dh_column_view *c,
                     int64_t row, enum rows_kind k)
{
    if (rows_cell_is_null(c, row)) {
        rows_buf_put(b, "null", 4);
        return;
    }
    switch (k) {
    case RK_INT: json_integer(b, read_int(c, row, 1), 0); return;
    case RK_UINT: json_integer(b, read_int(c, row, 0), 1); return;
    case RK_FLOAT16:
    case RK_FLOAT32:
    case RK_FLOAT64: json_float(b, c, row, k); return;
    case RK_BOOL: rows_buf_str(b, dh_column_get_bool(c, row) ? "true" : "false"); return;
    case RK_LIST: json_list(ctx, b, c, row); return;
    case RK_MAP: json_map(ctx, b, c, row); return;
    case RK_STRUCT: json_struct(ctx, b, c, row); return;
    default: {
        char tmp[ROWS_VALUE_TMP];
        const char *text;
        size_t len;
        rows_value_text(ctx, c, row, k, tmp, &text, &len);
        rows_json_string(b, text, len);
        return;
    }
    }
}
