/* SPDX-License-Identifier: MIT */
/* seek.c: SeekRow over any table, cells near the start, then arrays by blocks. */
#include "seek.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

typedef Io__Deephaven__Proto__Backplane__Grpc__Literal PbLiteral;
#define LIT(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_##x

const char *demo_java_class_name(enum demo_col_type t)
{
    switch (t) {
    case DEMO_COL_BYTE: return "byte";
    case DEMO_COL_SHORT: return "short";
    case DEMO_COL_INT: return "int";
    case DEMO_COL_LONG: return "long";
    case DEMO_COL_CHAR: return "char";
    case DEMO_COL_FLOAT: return "float";
    case DEMO_COL_DOUBLE: return "double";
    case DEMO_COL_BOOL: return "class java.lang.Boolean";
    case DEMO_COL_STRING: return "class java.lang.String";
    case DEMO_COL_INSTANT: return "class java.time.Instant";
    case DEMO_COL_DATE: return "class java.time.LocalDate";
    case DEMO_COL_TIME: return "class java.time.LocalTime";
    case DEMO_COL_BIGDECIMAL: return "class java.math.BigDecimal";
    case DEMO_COL_BIGINTEGER: return "class java.math.BigInteger";
    case DEMO_COL_BYTES: return "class [B";
    case DEMO_COL_INT_ARRAY: return "class [I";
    case DEMO_COL_LONG_ARRAY: return "class [J";
    default: return "class [Ljava.lang.String;";
    }
}

/* The seek value once converted to the column's type (getSeekValue). */
enum seek_kind { SK_STRING, SK_INT, SK_FLOAT, SK_BOOL, SK_INSTANT };

struct seek_value {
    enum seek_kind kind;
    int64_t i;     /* INT (converted to the column's width), BOOL, INSTANT */
    double d;      /* FLOAT (rounded to float for float columns) */
    const char *s; /* STRING (lower-cased copy in buf when insensitive) */
    size_t len;
};

/* Java's d2i / d2l: NaN is 0, out-of-range values saturate. */
static int64_t java_d2l(double d, int64_t lo, int64_t hi)
{
    if (isnan(d))
        return 0;
    if (d <= (double)lo)
        return lo;
    if (d >= (double)hi)
        return hi;
    return (int64_t)d;
}

/* Narrow a long to the column's integer width as Long.byteValue() etc. do. */
static int64_t narrow(enum demo_col_type t, int64_t v)
{
    switch (t) {
    case DEMO_COL_BYTE: return (int8_t)(uint8_t)((uint64_t)v & 0xff);
    case DEMO_COL_SHORT: return (int16_t)(uint16_t)((uint64_t)v & 0xffff);
    case DEMO_COL_INT: return (int32_t)(uint32_t)((uint64_t)v & 0xffffffffu);
    default: return v;
    }
}

static int is_integer_col(enum demo_col_type t)
{
    return t == DEMO_COL_BYTE || t == DEMO_COL_SHORT || t == DEMO_COL_INT || t == DEMO_COL_LONG;
}

static int invalid(struct demo_status *st, const char *what, enum demo_col_type t)
{
    demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT, "Invalid %s type for seek: %s", what,
                    demo_java_class_name(t));
    return -1;
}

/* getSeekValue: the literal as a value of the column's type, or the upstream error. */
static int seek_value_of(const PbLiteral *l, enum demo_col_type t, struct seek_value *v,
                         struct demo_status *st)
{
    memset(v, 0, sizeof *v);
    int is_float_col = t == DEMO_COL_FLOAT || t == DEMO_COL_DOUBLE;
    switch (l ? l->value_case : 0) {
    case LIT(STRING_VALUE):
        if (t == DEMO_COL_BIGDECIMAL || t == DEMO_COL_BIGINTEGER) {
            demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                            "the demo server cannot seek in a %s column", demo_java_class_name(t));
            return -1;
        }
        if (t != DEMO_COL_STRING && t != DEMO_COL_CHAR)
            return invalid(st, "String", t);
        v->kind = SK_STRING;
        v->s = l->string_value ? l->string_value : "";
        v->len = strlen(v->s);
        return 0;
    case LIT(NANO_TIME_VALUE):
        if (t != DEMO_COL_INSTANT)
            return invalid(st, "date", t);
        v->kind = SK_INSTANT;
        v->i = l->nano_time_value;
        return 0;
    case LIT(LONG_VALUE):
        if (is_integer_col(t)) {
            v->kind = SK_INT;
            v->i = narrow(t, l->long_value);
            return 0;
        }
        if (is_float_col) {
            v->kind = SK_FLOAT;
            v->d = t == DEMO_COL_FLOAT ? (double)(float)l->long_value : (double)l->long_value;
            return 0;
        }
        break;
    case LIT(DOUBLE_VALUE):
        if (is_integer_col(t)) {
            v->kind = SK_INT;
            /* Double.byteValue() and shortValue() are (byte)/(short) of the int value */
            v->i = t == DEMO_COL_LONG ? java_d2l(l->double_value, INT64_MIN, INT64_MAX)
                                      : narrow(t, java_d2l(l->double_value, INT32_MIN, INT32_MAX));
            return 0;
        }
        if (is_float_col) {
            v->kind = SK_FLOAT;
            v->d = t == DEMO_COL_FLOAT ? (double)(float)l->double_value : l->double_value;
            return 0;
        }
        break;
    case LIT(BOOL_VALUE):
        v->kind = SK_BOOL; /* upstream takes a boolean for any column type */
        v->i = l->bool_value ? 1 : 0;
        return 0;
    default: break;
    }
    return invalid(st, "column", t);
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int bytes_equal(const uint8_t *a, const char *b, size_t n, int icase)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = a[i], y = (unsigned char)b[i];
        if (icase ? ascii_lower(x) != ascii_lower(y) : x != y)
            return 0;
    }
    return 1;
}

/* The UTF-8 of one UTF-16 unit (a lone surrogate becomes U+FFFD, as String.valueOf
 * then getBytes would); returns the length. */
static size_t char_utf8(int64_t u, uint8_t out[4])
{
    uint32_t c = (uint32_t)u & 0xffff;
    if (c >= 0xd800 && c <= 0xdfff)
        c = 0xfffd;
    if (c < 0x80) {
        out[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (uint8_t)(0xc0 | (c >> 6));
        out[1] = (uint8_t)(0x80 | (c & 0x3f));
        return 2;
    }
    out[0] = (uint8_t)(0xe0 | (c >> 12));
    out[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    out[2] = (uint8_t)(0x80 | (c & 0x3f));
    return 3;
}

/* Float.equals / Double.equals: the same bits, so NaN equals NaN and -0 differs from 0. */
static int float_equal(enum demo_col_type t, double cell, double want)
{
    if (t == DEMO_COL_FLOAT) {
        float a = (float)cell, b = (float)want;
        uint32_t x, y;
        if (isnan(a) && isnan(b))
            return 1;
        memcpy(&x, &a, 4);
        memcpy(&y, &b, 4);
        return x == y;
    }
    uint64_t x, y;
    if (isnan(cell) && isnan(want))
        return 1;
    memcpy(&x, &cell, 8);
    memcpy(&y, &want, 8);
    return x == y;
}

/* SeekRow.findRow's test of one cell: 1 match, 0 no match, -1 the ClassCastException
 * upstream meets when `contains` is asked of a non-string value. */
static int cell_matches(const struct demo_cell *c, enum demo_col_type t, const struct seek_value *v,
                        int icase, int contains)
{
    if (c->is_null)
        return 0;
    if (v->kind != SK_STRING) {
        if (contains)
            return -1;
        switch (v->kind) {
        case SK_BOOL: return t == DEMO_COL_BOOL && c->i == v->i;
        case SK_INSTANT:
        case SK_INT: return c->i == v->i;
        default: return float_equal(t, c->d, v->d);
        }
    }
    uint8_t one[4];
    const uint8_t *p = c->bytes;
    size_t n = c->len;
    if (t == DEMO_COL_CHAR) {
        n = char_utf8(c->i, one);
        p = one;
    }
    if (!contains)
        return n == v->len && bytes_equal(p, v->s, n, icase);
    if (v->len > n)
        return 0;
    for (size_t i = 0; i + v->len <= n; i++)
        if (bytes_equal(p + i, v->s, v->len, icase))
            return 1;
    return 0;
}

/* A seek reads its first SEEK_CELLS positions cell by cell, then the column as arrays
 * a block at a time: a match near the cursor costs microseconds, and neither the
 * column's generation (kept in the column cache) nor the completion of a lazily sorted
 * or filtered view's index (catalog.h, demo_table_column_source) is paid for it. */
enum { SEEK_BLOCK = 4096, SEEK_CELLS = 2 * SEEK_BLOCK };

struct scanner {
    const struct demo_object *t;
    size_t col;
    enum demo_col_type type;
    const struct seek_value *v;
    int icase, contains, backward;
    int arrays; /* 0 not tried yet, 1 reads as arrays (s), -1 does not */
    struct demo_col_source s;
    int8_t byte_match[256]; /* a U8 source: cell_matches of each value */
    int byte_any;           /* a U8 source: whether any value matches (or throws) */
    int64_t vi[SEEK_BLOCK];
    double vd[SEEK_BLOCK];
    uint8_t nulls[SEEK_BLOCK];
};

/* Whether the column reads as arrays; fills the U8 table. */
static int scanner_arrays(struct scanner *x)
{
    if (x->arrays)
        return x->arrays > 0;
    x->arrays = demo_table_column_source(x->t, x->col, &x->s) ? 1 : -1;
    for (size_t b = 0; x->arrays > 0 && x->s.kind == DEMO_SRC_U8 && b < 256; b++) {
        struct demo_cell c = {.i = (int64_t)b};
        if (x->s.dict) {
            if (b >= x->s.dict_n)
                break; /* past the dictionary: no such value */
            c.bytes = (const uint8_t *)x->s.dict[b];
            c.len = strlen(x->s.dict[b]);
        }
        x->byte_match[b] = (int8_t)cell_matches(&c, x->type, x->v, x->icase, x->contains);
        x->byte_any |= x->byte_match[b] != 0;
    }
    return x->arrays > 0;
}

/* cell_matches of position p, cell by cell. */
static int match_cell(const struct scanner *x, int64_t p)
{
    struct demo_cell c;
    demo_table_cell(x->t, p, x->col, &c);
    return cell_matches(&c, x->type, x->v, x->icase, x->contains);
}

/* cell_matches of value i of the block read into x (not a U8 source). */
static int match_value(const struct scanner *x, size_t i)
{
    if (x->nulls[i])
        return 0;
    struct demo_cell c;
    c.is_null = 0;
    c.i = x->vi[i];
    c.d = x->vd[i];
    c.bytes = NULL;
    c.len = 0;
    return cell_matches(&c, x->type, x->v, x->icase, x->contains);
}

/* The first match among positions [lo, hi) (the last one backward) read as arrays:
 * 0 with *row (-1: none), or -1 on a ClassCastException. */
static int scan_block(struct scanner *x, int64_t lo, int64_t hi, int64_t *row)
{
    size_t m = (size_t)(hi - lo);
    if (x->s.kind == DEMO_SRC_U8 && !x->byte_any)
        return 0;                   /* no value matches: nor does a null */
    if (x->s.kind == DEMO_SRC_U8) { /* the bytes themselves, through the table */
        const uint8_t *u = x->s.vals;
        for (size_t k = 0; k < m; k++) {
            int64_t p = x->backward ? hi - 1 - (int64_t)k : lo + (int64_t)k;
            int64_t r = x->s.rows ? x->s.rows[p] : p;
            int hit = x->s.nulls && x->s.nulls[r] ? 0 : x->byte_match[u[r]];
            if (hit < 0)
                return -1;
            if (hit) {
                *row = p;
                return 0;
            }
        }
        return 0;
    }
    demo_col_source_block(&x->s, lo, m, x->vi, x->vd, x->nulls);
    int exact_int = !x->contains && (x->v->kind == SK_INT || x->v->kind == SK_INSTANT) &&
                    x->s.kind != DEMO_SRC_F64;
    for (size_t k = 0; k < m; k++) {
        size_t i = x->backward ? m - 1 - k : k;
        int r = exact_int ? x->vi[i] == x->v->i && !x->nulls[i] : match_value(x, i);
        if (r < 0)
            return -1;
        if (r) {
            *row = lo + (int64_t)i;
            return 0;
        }
    }
    return 0;
}

/* Scan positions [lo, hi) (backward: from hi - 1 down). 0 with *row (-1: none), or -1
 * on a ClassCastException. *budget: positions still to read cell by cell. */
static int scan(struct scanner *x, int64_t lo, int64_t hi, int64_t *budget, int64_t *row)
{
    *row = -1;
    for (int64_t done = 0; done < hi - lo;) {
        int64_t left = hi - lo - done;
        if (*budget > 0 || !scanner_arrays(x)) {
            int64_t p = x->backward ? hi - 1 - done : lo + done;
            int m = match_cell(x, p);
            if (m < 0)
                return -1;
            if (m) {
                *row = p;
                return 0;
            }
            done++;
            --*budget;
            continue;
        }
        int64_t m = left < SEEK_BLOCK ? left : SEEK_BLOCK;
        int64_t a = x->backward ? hi - done - m : lo + done;
        if (scan_block(x, a, a + m, row) != 0)
            return -1;
        if (*row >= 0)
            return 0;
        done += m;
    }
    return 0;
}

static int seek_pinned(const struct demo_object *t,
                       const Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest *req,
                       int64_t *row, struct demo_status *st);

int demo_seek_row(const struct demo_object *t,
                  const Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest *req, int64_t *row,
                  struct demo_status *st)
{
    const struct demo_object *now = demo_object_pin(t); /* a live view's rows now */
    int rc = seek_pinned(now, req, row, st);
    demo_object_unref(now);
    return rc;
}

static int seek_pinned(const struct demo_object *t,
                       const Io__Deephaven__Proto__Backplane__Grpc__SeekRowRequest *req,
                       int64_t *row, struct demo_status *st)
{
    *row = -1;
    const char *name = req->column_name ? req->column_name : "";
    size_t ncols = demo_table_ncols(t), col = ncols;
    for (size_t i = 0; i < ncols && col == ncols; i++)
        if (strcmp(demo_table_col_name(t, i), name) == 0)
            col = i;
    if (col == ncols) { /* getColumn returns null, then getDataType throws */
        snprintf(st->msg, sizeof st->msg, "SeekRow: no column '%.200s'", name);
        return -2;
    }
    enum demo_col_type type = demo_table_col_type(t, col);
    struct seek_value v;
    if (seek_value_of(req->seek_value, type, &v, st) != 0)
        return -1;
    int64_t n = demo_object_size(t);
    int64_t start = req->starting_row < 0 ? 0 : req->starting_row;
    if (start > n)
        start = n;
    /* forward: after the start, then wrap to the top through the start; backward:
     * before the start, then wrap to the bottom down to the start */
    int64_t a_lo = req->is_backward ? 0 : (start + 1 < n ? start + 1 : n);
    int64_t a_hi = req->is_backward ? start : n;
    int64_t b_lo = req->is_backward ? start : 0;
    int64_t b_hi = req->is_backward ? n : (start + 1 < n ? start + 1 : n);
    struct scanner *x = calloc(1, sizeof *x);
    if (!x) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    x->t = t;
    x->col = col;
    x->type = type;
    x->v = &v;
    x->icase = req->insensitive;
    x->contains = req->contains;
    x->backward = req->is_backward;
    int64_t budget = SEEK_CELLS;
    int rc = scan(x, a_lo, a_hi, &budget, row) == 0 &&
                     (*row >= 0 || scan(x, b_lo, b_hi, &budget, row) == 0)
                 ? 0
                 : -1;
    free(x);
    if (rc == 0)
        return 0;
    snprintf(st->msg, sizeof st->msg,
             "SeekRow: ClassCastException: a contains seek of a non-string value in column "
             "'%.200s'",
             name);
    return -2;
}
