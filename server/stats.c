/* SPDX-License-Identifier: MIT */
/* stats.c: column statistics as a one-row computed table. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/status.h>

#include "group.h"

/* ColumnStatisticsGrpcImpl's defaults (ColumnStatistics.* configuration). */
#define STATS_DEFAULT_UNIQUE_LIMIT 20
#define STATS_MAX_UNIQUE_LIMIT 200
#define STATS_MAX_UNIQUE_TO_COLLECT 1000000
/* ChunkedStatsKernel.CHUNK_SIZE: floating sums are summed per chunk, then added. */
#define STATS_CHUNK 2048

#define MAX_OUT 12

struct out {
    struct demo_out_col cols[MAX_OUT];
    size_t n;
    int oom;
};

/* The next one-value column, its null flag set; NULL when out of memory. */
static struct demo_out_col *put_col(struct out *o, const char *name, enum demo_col_type type,
                                    int null)
{
    struct demo_out_col *c = &o->cols[o->n++];
    c->name = name;
    c->type = type;
    c->src = -1;
    c->nulls = null ? calloc(1, 1) : NULL;
    if (null && !c->nulls) {
        o->oom = 1;
        return NULL;
    }
    if (null)
        c->nulls[0] = 1;
    return c;
}

/* Append a one-value column: integer (or null), or double. */
static void put_i(struct out *o, const char *name, enum demo_col_type type, int64_t v, int null)
{
    struct demo_out_col *c = put_col(o, name, type, null);
    if (c && (c->i = malloc(sizeof *c->i)) != NULL)
        c->i[0] = v;
    else
        o->oom = 1;
}

static void put_d(struct out *o, const char *name, enum demo_col_type type, double v, int null)
{
    struct demo_out_col *c = put_col(o, name, type, null);
    if (c && (c->d = malloc(sizeof *c->d)) != NULL)
        c->d[0] = v;
    else
        o->oom = 1;
}

static int finish_out(struct out *o, const struct demo_object **out, struct demo_status *st)
{
    if (!o->oom)
        *out = demo_object_new_computed(NULL, NULL, 1, o->cols, o->n);
    else
        demo_out_cols_free(o->cols, o->n);
    if (o->oom || !*out) {
        demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
        return -1;
    }
    return 0;
}

/* ChunkedNumericalStatsKernel.avg and stdDev (NULL_DOUBLE when undefined). */
static void put_avg(struct out *o, const char *name, int64_t count, double sum)
{
    put_d(o, name, DEMO_COL_DOUBLE, count ? sum / (double)count : 0, count == 0);
}

static void put_std(struct out *o, int64_t count, double sum, double sq)
{
    double n = (double)count;
    put_d(o, "STD_DEV", DEMO_COL_DOUBLE, count > 1 ? sqrt((sq - sum * sum / n) / (n - 1)) : 0,
          count <= 1);
}

/* ---- reading a column a chunk at a time ---- */

/* A column read STATS_CHUNK rows at a time: from arrays when it reads so (catalog.h,
 * demo_table_column_source; a generated column is then kept whole in the column
 * cache), else cell by cell. Both give the cells demo_table_cell gives, so every
 * statistic is the same, summed in the same order. */
struct reader {
    const struct demo_object *t;
    size_t col;
    int arrays;
    struct demo_col_source s;
    int64_t vi[STATS_CHUNK];
    double vd[STATS_CHUNK];
    uint8_t nulls[STATS_CHUNK];
};

/* A reader of column col of t (malloc'd; the caller frees); floating: the values are
 * doubles (else integers). NULL when out of memory. */
static struct reader *reader_new(const struct demo_object *t, size_t col, int floating)
{
    struct reader *rd = malloc(sizeof *rd);
    if (!rd)
        return NULL;
    rd->t = t;
    rd->col = col;
    rd->arrays = demo_table_column_source(t, col, &rd->s) &&
                 (floating ? rd->s.kind == DEMO_SRC_F64
                           : rd->s.kind == DEMO_SRC_I64 || rd->s.kind == DEMO_SRC_I32);
    return rd;
}

/* Rows [lo, lo + m) (m <= STATS_CHUNK) into rd->vi or rd->vd and rd->nulls. */
static void reader_read(struct reader *rd, int64_t lo, size_t m)
{
    if (rd->arrays) {
        demo_col_source_block(&rd->s, lo, m, rd->vi, rd->vd, rd->nulls);
        return;
    }
    struct demo_cell c;
    for (size_t i = 0; i < m; i++) {
        demo_table_cell(rd->t, lo + (int64_t)i, rd->col, &c);
        rd->nulls[i] = (uint8_t)(c.is_null != 0);
        rd->vi[i] = c.i;
        rd->vd[i] = c.d;
    }
}

static int oom(struct demo_status *st)
{
    demo_status_set(st, GRPC_STATUS_RESOURCE_EXHAUSTED, "demo server: out of memory");
    return -1;
}

/* ---- DateTimeChunkedStats ---- */

static int stats_instant(const struct demo_object *t, size_t col, int64_t size,
                         const struct demo_object **out, struct demo_status *st)
{
    int64_t count = 0, min = 0, max = 0;
    struct reader *rd = reader_new(t, col, 0);
    if (!rd)
        return oom(st);
    for (int64_t lo = 0; lo < size; lo += STATS_CHUNK) {
        size_t m = size - lo < STATS_CHUNK ? (size_t)(size - lo) : STATS_CHUNK;
        reader_read(rd, lo, m);
        for (size_t i = 0; i < m; i++) {
            if (rd->nulls[i])
                continue;
            int64_t v = rd->vi[i];
            if (count == 0 || v < min)
                min = v;
            if (count == 0 || v > max)
                max = v;
            count++;
        }
    }
    free(rd);
    struct out o = {0};
    put_i(&o, "COUNT", DEMO_COL_LONG, count, 0);
    put_i(&o, "SIZE", DEMO_COL_LONG, size, 0);
    put_i(&o, "MIN", DEMO_COL_INSTANT, min, count == 0);
    put_i(&o, "MAX", DEMO_COL_INSTANT, max, count == 0);
    return finish_out(&o, out, st);
}

/* ---- Float/DoubleChunkedNumericalStats ---- */

static int stats_floating(const struct demo_object *t, size_t col, enum demo_col_type type,
                          int64_t size, const struct demo_object **out, struct demo_status *st)
{
    int64_t count = 0;
    double sum = 0, abs_sum = 0, sq = 0, min = 0, max = 0, amin = 0, amax = 0;
    struct reader *rd = reader_new(t, col, 1);
    if (!rd)
        return oom(st);
    for (int64_t lo = 0; lo < size; lo += STATS_CHUNK) {
        double csum = 0, cabs = 0, csq = 0;
        size_t m = size - lo < STATS_CHUNK ? (size_t)(size - lo) : STATS_CHUNK;
        reader_read(rd, lo, m);
        for (size_t i = 0; i < m; i++) {
            if (rd->nulls[i])
                continue;
            double d = rd->vd[i];
            double v = type == DEMO_COL_FLOAT ? (double)(float)d : d, a = fabs(v);
            if (count == 0) {
                min = max = v;
                amin = amax = a;
            } else { /* Java's < and > (false with NaN) */
                if (v < min)
                    min = v;
                if (v > max)
                    max = v;
                if (a < amin)
                    amin = a;
                if (a > amax)
                    amax = a;
            }
            count++;
            csum += v;
            cabs += a;
            csq += v * v;
        }
        sum += csum;
        abs_sum += cabs;
        sq += csq;
    }
    free(rd);
    struct out o = {0};
    put_i(&o, "COUNT", DEMO_COL_LONG, count, 0);
    put_i(&o, "SIZE", DEMO_COL_LONG, size, 0);
    put_d(&o, "SUM", DEMO_COL_DOUBLE, sum, 0);
    put_d(&o, "SUM_ABS", DEMO_COL_DOUBLE, abs_sum, 0);
    put_d(&o, "SUM_SQRD", DEMO_COL_DOUBLE, sq, 0);
    put_d(&o, "MIN", type, min, count == 0);
    put_d(&o, "MAX", type, max, count == 0);
    put_d(&o, "MIN_ABS", type, amin, count == 0);
    put_d(&o, "MAX_ABS", type, amax, count == 0);
    put_avg(&o, "AVG", count, sum);
    put_avg(&o, "AVG_ABS", count, abs_sum);
    put_std(&o, count, sum, sq);
    return finish_out(&o, out, st);
}

/* ---- Byte/Short/Integer/LongChunkedNumericalStats ---- */

/* A long sum that turns into a double one on overflow (Math.addExact's exception). */
struct exact_sum {
    int64_t exact;
    int floating;
    double total, chunk;
};

static void exact_add(struct exact_sum *s, int64_t v, double as_double)
{
    if (!s->floating && !__builtin_add_overflow(s->exact, v, &s->exact))
        return;
    if (!s->floating) {
        s->floating = 1;
        s->total = (double)s->exact;
        s->chunk = as_double;
        return;
    }
    s->chunk += as_double;
}

static void exact_chunk_end(struct exact_sum *s)
{
    if (s->floating)
        s->total += s->chunk;
    s->chunk = 0;
}

static double exact_value(const struct exact_sum *s)
{
    return s->floating ? s->total : (double)s->exact;
}

static void put_exact(struct out *o, const char *name, const char *floating_name,
                      const struct exact_sum *s)
{
    if (s->floating)
        put_d(o, floating_name, DEMO_COL_DOUBLE, s->total, 0);
    else
        put_i(o, name, DEMO_COL_LONG, s->exact, 0);
}

/* The column's own width: Math.abs then the cast back, as upstream does. */
static int64_t narrow_abs(enum demo_col_type type, int64_t v)
{
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    switch (type) {
    case DEMO_COL_BYTE: return (int8_t)(uint8_t)(a & 0xff);
    case DEMO_COL_SHORT: return (int16_t)(uint16_t)(a & 0xffff);
    case DEMO_COL_INT: return (int32_t)(uint32_t)(a & 0xffffffffu);
    default: return (int64_t)a;
    }
}

static int stats_integer(const struct demo_object *t, size_t col, enum demo_col_type type,
                         int64_t size, const struct demo_object **out, struct demo_status *st)
{
    int64_t count = 0, min = 0, max = 0, amin = 0, amax = 0;
    struct exact_sum sum = {0}, abs_sum = {0}, sq = {0};
    struct reader *rd = reader_new(t, col, 0);
    if (!rd)
        return oom(st);
    for (int64_t lo = 0; lo < size; lo += STATS_CHUNK) {
        size_t m = size - lo < STATS_CHUNK ? (size_t)(size - lo) : STATS_CHUNK;
        reader_read(rd, lo, m);
        for (size_t i = 0; i < m; i++) {
            if (rd->nulls[i])
                continue;
            int64_t v = rd->vi[i], a = narrow_abs(type, v);
            if (count == 0) {
                min = max = v;
                amin = amax = a;
            } else {
                if (v < min)
                    min = v;
                if (v > max)
                    max = v;
                if (a < amin)
                    amin = a;
                if (a > amax)
                    amax = a;
            }
            count++;
            exact_add(&sum, v, (double)v);
            exact_add(&abs_sum, a, (double)a);
            /* Math.multiplyExact of two ints overflows int for int columns; byte and
             * short products always fit */
            int64_t p;
            int over =
                type == DEMO_COL_INT ? (v * v > INT32_MAX) : __builtin_mul_overflow(v, v, &p);
            p = over ? 0 : v * v;
            if (over && !sq.floating) {
                sq.floating = 1;
                sq.total = (double)sq.exact;
                sq.chunk = (double)v * (double)v;
            } else {
                exact_add(&sq, p, (double)v * (double)v);
            }
        }
        exact_chunk_end(&sum);
        exact_chunk_end(&abs_sum);
        exact_chunk_end(&sq);
    }
    free(rd);
    struct out o = {0};
    put_i(&o, "COUNT", DEMO_COL_LONG, count, 0);
    put_i(&o, "SIZE", DEMO_COL_LONG, size, 0);
    put_exact(&o, "SUM", "SUM", &sum);
    put_exact(&o, "SUM_ABS", "SUM_ABS", &abs_sum);
    put_exact(&o, "SUM_SQRD", "SQRD_SUM", &sq);
    put_i(&o, "MIN", type, min, count == 0);
    put_i(&o, "MAX", type, max, count == 0);
    put_i(&o, "MIN_ABS", type, amin, count == 0);
    put_i(&o, "MAX_ABS", type, amax, count == 0);
    put_avg(&o, "AVG", count, exact_value(&sum));
    put_avg(&o, "AVG_ABS", count, (double)abs_sum.exact); /* upstream averages the long sum */
    put_std(&o, count, exact_value(&sum), exact_value(&sq));
    return finish_out(&o, out, st);
}

/* ---- ObjectChunkedStats / CharacterChunkedStats ---- */

/* Objects.toString of a cell (String, Boolean, Character, LocalDate). */
static char *cell_text(enum demo_col_type type, const struct demo_cell *c)
{
    char buf[64];
    switch (type) {
    case DEMO_COL_STRING: {
        char *s = malloc(c->len + 1);
        if (s) {
            if (c->len)
                memcpy(s, c->bytes, c->len);
            s[c->len] = 0;
        }
        return s;
    }
    case DEMO_COL_BOOL: snprintf(buf, sizeof buf, "%s", c->i ? "true" : "false"); break;
    case DEMO_COL_CHAR: {
        uint32_t u = (uint32_t)c->i & 0xffff;
        if (u >= 0xd800 && u <= 0xdfff)
            u = 0xfffd;
        if (u < 0x80)
            snprintf(buf, sizeof buf, "%c", (char)u);
        else if (u < 0x800)
            snprintf(buf, sizeof buf, "%c%c", (char)(0xc0 | (u >> 6)), (char)(0x80 | (u & 0x3f)));
        else
            snprintf(buf, sizeof buf, "%c%c%c", (char)(0xe0 | (u >> 12)),
                     (char)(0x80 | ((u >> 6) & 0x3f)), (char)(0x80 | (u & 0x3f)));
        break;
    }
    default: { /* LocalDate: days since the epoch, proleptic Gregorian (civil_from_days) */
        int64_t z = c->i + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
        int64_t m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2;
        snprintf(buf, sizeof buf, y > 9999 ? "+%04lld-%02lld-%02lld" : "%04lld-%02lld-%02lld",
                 (long long)y, (long long)m, (long long)d);
        break;
    }
    }
    size_t n = strlen(buf) + 1;
    char *s = malloc(n);
    if (s)
        memcpy(s, buf, n);
    return s;
}

/* Most frequent first; equal counts by value. */
static int rank_cmp(const struct demo_object *t, size_t col, enum demo_col_class cc,
                    const struct demo_groups *g, size_t a, size_t b)
{
    if (g->count[a] != g->count[b])
        return g->count[a] > g->count[b] ? -1 : 1;
    struct demo_cell x, y;
    demo_table_cell(t, g->first[a], col, &x);
    demo_table_cell(t, g->first[b], col, &y);
    return demo_cell_compare(cc, &x, &y);
}

/* Bottom-up merge sort of group ids by rank_cmp (qsort has no context argument). */
static int rank_sort(const struct demo_object *t, size_t col, enum demo_col_class cc,
                     const struct demo_groups *g, size_t *a, size_t n)
{
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = a, *dst = tmp;
    if (!tmp)
        return -1;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = rank_cmp(t, col, cc, g, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        size_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
    return 0;
}

static int stats_values(const struct demo_object *t, size_t col, enum demo_col_type type,
                        int64_t size, int limit, const struct demo_object **out,
                        struct demo_status *st)
{
    struct demo_groups g;
    if (demo_groups_build(&g, t, &col, 1, size) != 0) /* a one-byte column: by bytes */
        return oom(st);
    int64_t count = size;
    size_t null_group = g.n;
    struct demo_cell c;
    for (size_t i = 0; i < g.n; i++) {
        demo_table_cell(t, g.first[i], col, &c);
        if (c.is_null) { /* nulls are neither counted nor a value */
            null_group = i;
            count -= g.count[i];
        }
    }
    size_t uniques = g.n - (null_group < g.n);
    struct out o = {0};
    put_i(&o, "COUNT", DEMO_COL_LONG, count, 0);
    put_i(&o, "SIZE", DEMO_COL_LONG, size, 0);
    put_i(&o, "UNIQUE_VALUES", DEMO_COL_INT, (int64_t)uniques, 0);
    if (uniques <= STATS_MAX_UNIQUE_TO_COLLECT) {
        size_t *order = malloc((g.n ? g.n : 1) * sizeof *order), k = 0;
        for (size_t i = 0; order && i < g.n; i++)
            if (i != null_group)
                order[k++] = i;
        size_t shown = (size_t)limit < k ? (size_t)limit : k;
        struct demo_out_col *keys = &o.cols[o.n++], *counts = &o.cols[o.n++];
        *keys = (struct demo_out_col){
            .name = "UNIQUE_KEYS", .type = DEMO_COL_STRING_ARRAY, .src = -1, .n_elems = shown};
        *counts = (struct demo_out_col){
            .name = "UNIQUE_COUNTS", .type = DEMO_COL_LONG_ARRAY, .src = -1, .n_elems = shown};
        keys->strs = calloc(shown ? shown : 1, sizeof *keys->strs);
        counts->longs = calloc(shown ? shown : 1, sizeof *counts->longs);
        if (!order || !keys->strs || !counts->longs ||
            rank_sort(t, col, demo_col_class(type), &g, order, k) != 0) {
            o.oom = 1;
        } else {
            for (size_t i = 0; i < shown; i++) {
                demo_table_cell(t, g.first[order[i]], col, &c);
                keys->strs[i] = cell_text(type, &c);
                counts->longs[i] = g.count[order[i]];
                o.oom |= !keys->strs[i];
            }
        }
        free(order);
    }
    demo_groups_reset(&g);
    return finish_out(&o, out, st);
}

int demo_column_stats(const struct demo_object *t,
                      const Io__Deephaven__Proto__Backplane__Grpc__ColumnStatisticsRequest *req,
                      const struct demo_object **out, struct demo_status *st)
{
    *out = NULL;
    const char *name = req->column_name ? req->column_name : "";
    size_t ncols = demo_table_ncols(t), col = ncols;
    for (size_t i = 0; i < ncols && col == ncols; i++)
        if (strcmp(demo_table_col_name(t, i), name) == 0)
            col = i;
    if (col == ncols) {
        demo_status_set(st, GRPC_STATUS_INVALID_ARGUMENT,
                        "Table doesn't have a column with the specified name");
        return -1;
    }
    enum demo_col_type type = demo_table_col_type(t, col);
    int64_t size = demo_object_size(t);
    switch (type) {
    case DEMO_COL_INSTANT: return stats_instant(t, col, size, out, st);
    case DEMO_COL_FLOAT:
    case DEMO_COL_DOUBLE: return stats_floating(t, col, type, size, out, st);
    case DEMO_COL_BYTE:
    case DEMO_COL_SHORT:
    case DEMO_COL_INT:
    case DEMO_COL_LONG: return stats_integer(t, col, type, size, out, st);
    case DEMO_COL_STRING:
    case DEMO_COL_BOOL:
    case DEMO_COL_CHAR:
    case DEMO_COL_DATE: {
        int limit = STATS_DEFAULT_UNIQUE_LIMIT;
        if (req->unique_value_limit_set_case ==
            IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COLUMN_STATISTICS_REQUEST__UNIQUE_VALUE_LIMIT_SET_UNIQUE_VALUE_LIMIT)
            limit = req->unique_value_limit < STATS_MAX_UNIQUE_LIMIT ? req->unique_value_limit
                                                                     : STATS_MAX_UNIQUE_LIMIT;
        if (limit < 0)
            limit = 0;
        return stats_values(t, col, type, size, limit, out, st);
    }
    default:
        demo_status_set(st, GRPC_STATUS_UNIMPLEMENTED,
                        "the demo server cannot compute statistics of a %s column",
                        demo_table_col_name(t, col));
        return -1;
    }
}
