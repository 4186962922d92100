/* SPDX-License-Identifier: MIT */
/* rowset.c: Deephaven RowSet encoding (commands and deltas as in deephaven-core
 * engine/rowset/.../ExternalizableRowSetUtils.java, little-endian) and the
 * in-memory range set. */
#include "dh_rowset.h"

#include <stdlib.h>
#include <string.h>

/* Command and width bits of an encoded RowSet. */
enum {
    RS_SHORT = 1,
    RS_INT = 2,
    RS_LONG = 3,
    RS_BYTE = 4,
    RS_VALUE_MASK = 7,
    RS_OFFSET = 0x08,
    RS_SHORT_ARRAY = 0x10,
    RS_BYTE_ARRAY = 0x18,
    RS_END = 0x20,
    RS_CMD_MASK = 0x38,
};

void dh_rowset_init(struct dh_rowset *rs)
{
    memset(rs, 0, sizeof *rs);
}

void dh_rowset_reset(struct dh_rowset *rs)
{
    if (!rs)
        return;
    free(rs->ranges);
    dh_rowset_init(rs);
}

void dh_rowset_clear(struct dh_rowset *rs)
{
    rs->n = 0;
    rs->size = 0;
}

static int rs_reserve(struct dh_rowset *rs, size_t need, struct dh_error *err)
{
    if (need <= rs->cap)
        return DH_OK;
    size_t cap = rs->cap ? rs->cap : 8;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof *rs->ranges)
            return dh_error_set(err, DH_ENOMEM, "row set grew too large");
        cap *= 2;
    }
    struct dh_range *nr = realloc(rs->ranges, cap * sizeof *nr);
    if (!nr)
        return dh_error_set(err, DH_ENOMEM, "out of memory growing a row set");
    rs->ranges = nr;
    rs->cap = cap;
    return DH_OK;
}

/* Whether range r touches or overlaps [lo, hi] from below (r could merge or follows). */
static int reaches(const struct dh_range *r, int64_t lo)
{
    return lo == 0 || r->hi >= lo - 1;
}

int dh_rowset_add_range(struct dh_rowset *rs, int64_t lo, int64_t hi, struct dh_error *err)
{
    if (lo < 0 || hi < lo)
        return dh_error_set(err, DH_EINVAL,
                            "expected a row range 0 <= lo <= hi but found [%lld, %lld]",
                            (long long)lo, (long long)hi);
    if (lo == 0 && hi == INT64_MAX) /* 2^63 keys: the size would not fit */
        return dh_error_set(err, DH_EINVAL, "row set cannot hold all 2^63 keys");
    /* i: the first range that reaches lo; j: one past the last that starts by hi + 1 */
    size_t a = 0, b = rs->n;
    if (rs->n && !reaches(&rs->ranges[rs->n - 1], lo)) {
        a = rs->n; /* fast path: append */
    } else {
        while (a < b) {
            size_t m = a + (b - a) / 2;
            if (reaches(&rs->ranges[m], lo))
                b = m;
            else
                a = m + 1;
        }
    }
    size_t i = a, j = i;
    while (j < rs->n && (hi == INT64_MAX || rs->ranges[j].lo <= hi + 1))
        j++;
    if (i == j) { /* nothing to merge: insert at i */
        int rc = rs_reserve(rs, rs->n + 1, err);
        if (rc)
            return rc;
        memmove(rs->ranges + i + 1, rs->ranges + i, (rs->n - i) * sizeof *rs->ranges);
        rs->ranges[i] = (struct dh_range){lo, hi};
        rs->n++;
        rs->size += hi - lo + 1;
        return DH_OK;
    }
    struct dh_range merged = {lo < rs->ranges[i].lo ? lo : rs->ranges[i].lo,
                              hi > rs->ranges[j - 1].hi ? hi : rs->ranges[j - 1].hi};
    if (merged.lo == 0 && merged.hi == INT64_MAX)
        return dh_error_set(err, DH_EINVAL, "row set cannot hold all 2^63 keys");
    for (size_t k = i; k < j; k++)
        rs->size -= rs->ranges[k].hi - rs->ranges[k].lo + 1;
    rs->size += merged.hi - merged.lo + 1;
    rs->ranges[i] = merged;
    memmove(rs->ranges + i + 1, rs->ranges + j, (rs->n - j) * sizeof *rs->ranges);
    rs->n -= j - i - 1;
    return DH_OK;
}

/* Index of the range holding key, or -1. */
static long long find_range(const struct dh_rowset *rs, int64_t key)
{
    size_t a = 0, b = rs->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (rs->ranges[m].hi < key)
            a = m + 1;
        else
            b = m;
    }
    if (a < rs->n && rs->ranges[a].lo <= key)
        return (long long)a;
    return -1;
}

int dh_rowset_contains(const struct dh_rowset *rs, int64_t key)
{
    return find_range(rs, key) >= 0;
}

int dh_rowset_nth(const struct dh_rowset *rs, int64_t pos, int64_t *key)
{
    *key = -1;
    if (pos < 0 || pos >= rs->size)
        return DH_EINVAL;
    for (size_t i = 0; i < rs->n; i++) {
        int64_t len = rs->ranges[i].hi - rs->ranges[i].lo + 1;
        if (pos < len) {
            *key = rs->ranges[i].lo + pos;
            return DH_OK;
        }
        pos -= len;
    }
    return DH_EINVAL;
}

int64_t dh_rowset_position(const struct dh_rowset *rs, int64_t key)
{
    long long idx = find_range(rs, key);
    if (idx < 0)
        return -1;
    int64_t pos = 0;
    for (size_t i = 0; i < (size_t)idx; i++)
        pos += rs->ranges[i].hi - rs->ranges[i].lo + 1;
    return pos + (key - rs->ranges[idx].lo);
}

/* ---- decoding ---- */

void dh_rowset_reader_init(struct dh_rowset_reader *r, const uint8_t *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = buf ? len : 0;
}

/* Read a little-endian signed value of n bytes (1, 2, 4 or 8). */
static int64_t rs_load(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    if (n < 8 && (v >> (8 * n - 1)) & 1)
        v |= ~(uint64_t)0 << (8 * n);
    return (int64_t)v;
}

static size_t width_bytes(int code)
{
    switch (code) {
    case RS_SHORT: return 2;
    case RS_INT: return 4;
    case RS_LONG: return 8;
    case RS_BYTE: return 1;
    default: return 0;
    }
}

static int rs_truncated(struct dh_rowset_reader *r, struct dh_error *err)
{
    return dh_error_set(err, DH_EINVAL, "row set ends at byte %zu before its END command", r->len);
}

/* The next raw value: DH_OK, DH_END or DH_EINVAL. */
static int rs_next_value(struct dh_rowset_reader *r, int64_t *v, struct dh_error *err)
{
    for (;;) {
        if (r->arr_left > 0) {
            size_t w = (size_t)r->arr_width;
            /* the whole array was checked to fit when its count was read */
            *v = rs_load(r->buf + r->pos, w);
            r->pos += w;
            r->arr_left--;
            return DH_OK;
        }
        if (r->pos >= r->len)
            return rs_truncated(r, err);
        uint8_t cmd = r->buf[r->pos];
        if ((cmd & RS_CMD_MASK) == RS_END && !(cmd & 0xC0)) {
            r->pos++;
            r->done = 1;
            return DH_END;
        }
        size_t w = width_bytes(cmd & RS_VALUE_MASK);
        int op = cmd & RS_CMD_MASK;
        if (!w || (cmd & 0xC0) || (op != RS_OFFSET && op != RS_SHORT_ARRAY && op != RS_BYTE_ARRAY))
            return dh_error_set(err, DH_EINVAL, "row set has a bad command byte 0x%02x at %zu", cmd,
                                r->pos);
        if (r->len - r->pos - 1 < w)
            return rs_truncated(r, err);
        int64_t val = rs_load(r->buf + r->pos + 1, w);
        r->pos += 1 + w;
        if (op == RS_OFFSET) {
            *v = val;
            return DH_OK;
        }
        int ew = op == RS_SHORT_ARRAY ? 2 : 1;
        if (val < 0 || (uint64_t)val > (r->len - r->pos) / (size_t)ew)
            return dh_error_set(err, DH_EINVAL,
                                "row set array of %lld values at %zu does not fit in its %zu bytes",
                                (long long)val, r->pos, r->len);
        r->arr_left = val;
        r->arr_width = ew;
    }
}

int dh_rowset_reader_next(struct dh_rowset_reader *r, int64_t *lo, int64_t *hi,
                          struct dh_error *err)
{
    for (;;) {
        if (r->done) {
            if (r->has_pending) {
                r->has_pending = 0;
                *lo = *hi = r->pending;
                return DH_OK;
            }
            return DH_END;
        }
        int64_t v = 0;
        int rc = rs_next_value(r, &v, err);
        if (rc == DH_END)
            continue;
        if (rc)
            return rc;
        if (v == INT64_MIN)
            return dh_error_set(err, DH_EINVAL, "row set delta at %zu overflows", r->pos);
        int64_t d = v < 0 ? -v : v;
        if (d > INT64_MAX - r->prev)
            return dh_error_set(err, DH_EINVAL, "row set key at %zu overflows", r->pos);
        int64_t key = r->prev + d;
        if (v < 0) { /* end of the range started by the pending key */
            if (!r->has_pending)
                return dh_error_set(err, DH_EINVAL,
                                    "row set has a range end at %zu without a start", r->pos);
            r->has_pending = 0;
            r->prev = key;
            *lo = r->pending;
            *hi = key;
            return DH_OK;
        }
        if (r->started && d == 0)
            return dh_error_set(err, DH_EINVAL,
                                "row set repeats key %lld at %zu (keys must ascend)",
                                (long long)key, r->pos);
        r->started = 1;
        r->prev = key;
        if (r->has_pending) {
            *lo = *hi = r->pending;
            r->pending = key;
            return DH_OK;
        }
        r->pending = key;
        r->has_pending = 1;
    }
}

int dh_rowset_decode_prefix(const uint8_t *buf, size_t len, struct dh_rowset *rs, size_t *used,
                            struct dh_error *err)
{
    dh_rowset_clear(rs);
    *used = 0;
    struct dh_rowset_reader r;
    dh_rowset_reader_init(&r, buf, len);
    int64_t lo, hi;
    int rc;
    while ((rc = dh_rowset_reader_next(&r, &lo, &hi, err)) == DH_OK) {
        rc = dh_rowset_add_range(rs, lo, hi, err);
        if (rc) {
            dh_rowset_clear(rs);
            return rc;
        }
    }
    if (rc != DH_END) {
        dh_rowset_clear(rs);
        return rc;
    }
    *used = r.pos;
    return DH_OK;
}

int dh_rowset_decode(const uint8_t *buf, size_t len, struct dh_rowset *rs, struct dh_error *err)
{
    size_t used;
    int rc = dh_rowset_decode_prefix(buf, len, rs, &used, err);
    if (rc)
        return rc;
    if (used != len) {
        dh_rowset_clear(rs);
        return dh_error_set(err, DH_EINVAL, "row set has %zu bytes after its END command",
                            len - used);
    }
    return DH_OK;
}

int dh_rowset_cardinality(const uint8_t *buf, size_t len, int64_t *n, struct dh_error *err)
{
    *n = 0;
    struct dh_rowset_reader r;
    dh_rowset_reader_init(&r, buf, len);
    int64_t lo, hi, total = 0;
    int rc;
    while ((rc = dh_rowset_reader_next(&r, &lo, &hi, err)) == DH_OK) {
        if (hi - lo >= INT64_MAX - total)
            return dh_error_set(err, DH_EINVAL, "row set holds more than 2^63 keys");
        total += hi - lo + 1;
    }
    if (rc != DH_END)
        return rc;
    *n = total;
    return DH_OK;
}

/* ---- encoding (mirrors writeExternalCompressedDeltas byte for byte) ---- */

struct rs_writer {
    uint8_t *out;
    size_t len;
    int16_t *shorts;
    size_t n_shorts;
    int64_t offset;
};

static void put_le(struct rs_writer *w, int64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        w->out[w->len++] = (uint8_t)((uint64_t)v >> (8 * i));
}

/* writeValue: command with the narrowest width that holds value. */
static void write_value(struct rs_writer *w, int command, int64_t value)
{
    if (value > INT32_MAX || value < INT32_MIN) {
        w->out[w->len++] = (uint8_t)(command | RS_LONG);
        put_le(w, value, 8);
    } else if (value > INT16_MAX || value < INT16_MIN) {
        w->out[w->len++] = (uint8_t)(command | RS_INT);
        put_le(w, value, 4);
    } else if (value > INT8_MAX || value < INT8_MIN) {
        w->out[w->len++] = (uint8_t)(command | RS_SHORT);
        put_le(w, value, 2);
    } else {
        w->out[w->len++] = (uint8_t)(command | RS_BYTE);
        put_le(w, value, 1);
    }
}

static void write_shorts_then_bytes(struct rs_writer *w, size_t index, size_t short_count,
                                    size_t byte_count)
{
    if (short_count == 1) {
        write_value(w, RS_OFFSET, w->shorts[index++]);
    } else if (short_count > 1) {
        write_value(w, RS_SHORT_ARRAY, (int64_t)short_count);
        for (size_t k = 0; k < short_count; k++)
            put_le(w, w->shorts[index++], 2);
    }
    if (byte_count == 1) {
        write_value(w, RS_OFFSET, w->shorts[index]);
    } else if (byte_count > 1) {
        write_value(w, RS_BYTE_ARRAY, (int64_t)byte_count);
        for (size_t k = 0; k < byte_count; k++)
            put_le(w, w->shorts[index++], 1);
    }
}

static void flush_shorts(struct rs_writer *w)
{
    size_t written = 0, trailing_bytes = 0;
    for (size_t i = 0; i < w->n_shorts; i++) {
        int16_t s = w->shorts[i];
        if (s <= INT8_MAX && s >= INT8_MIN) {
            trailing_bytes++;
            continue;
        }
        if (trailing_bytes >= 4) { /* Java's shouldWriteBytes cut-off */
            write_shorts_then_bytes(w, written, i - written - trailing_bytes, trailing_bytes);
            written = i;
        }
        trailing_bytes = 0;
    }
    write_shorts_then_bytes(w, written, w->n_shorts - written - trailing_bytes, trailing_bytes);
    w->n_shorts = 0;
}

static void append_delta(struct rs_writer *w, int64_t value, int negate)
{
    int64_t delta = value - w->offset;
    w->offset = value;
    if (delta >= INT16_MAX) {
        flush_shorts(w);
        write_value(w, RS_OFFSET, negate ? -delta : delta);
        return;
    }
    w->shorts[w->n_shorts++] = (int16_t)(negate ? -delta : delta);
}

int dh_rowset_encode(const struct dh_rowset *rs, uint8_t **out, size_t *len, struct dh_error *err)
{
    *out = NULL;
    *len = 0;
    size_t nv = rs->n * 2; /* at most two values per range */
    if (rs->n > SIZE_MAX / 64)
        return dh_error_set(err, DH_ENOMEM, "row set is too large to encode");
    for (size_t i = 0; i < rs->n; i++) /* deltas must ascend (a set built by hand) */
        if (rs->ranges[i].lo < 0 || rs->ranges[i].hi < rs->ranges[i].lo ||
            (i && rs->ranges[i].lo <= rs->ranges[i - 1].hi))
            return dh_error_set(err, DH_EINVAL,
                                "expected ascending disjoint row ranges but range %zu is "
                                "[%lld, %lld]",
                                i, (long long)rs->ranges[i].lo, (long long)rs->ranges[i].hi);
    /* each value costs at most 9 bytes plus, amortised, two array headers of 9 */
    struct rs_writer w = {.out = malloc(nv * 27 + 16),
                          .shorts = malloc((nv ? nv : 1) * sizeof(int16_t))};
    if (!w.out || !w.shorts) {
        free(w.out);
        free(w.shorts);
        return dh_error_set(err, DH_ENOMEM, "out of memory encoding a row set");
    }
    for (size_t i = 0; i < rs->n; i++) {
        append_delta(&w, rs->ranges[i].lo, 0);
        if (rs->ranges[i].hi != rs->ranges[i].lo)
            append_delta(&w, rs->ranges[i].hi, 1);
    }
    flush_shorts(&w);
    w.out[w.len++] = RS_END;
    free(w.shorts);
    *out = w.out;
    *len = w.len;
    return DH_OK;
}

int dh_rowset_encode_range(int64_t lo, int64_t hi, uint8_t **out, size_t *len, struct dh_error *err)
{
    *out = NULL;
    *len = 0;
    if (lo < 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected a row range starting at 0 or above but found %lld",
                            (long long)lo);
    if (lo == 0 && hi == INT64_MAX) /* 2^63 keys: the size would not fit */
        return dh_error_set(err, DH_EINVAL, "row set cannot hold all 2^63 keys");
    struct dh_range r = {lo, hi};
    struct dh_rowset rs = {
        .ranges = &r, .n = hi >= lo ? 1 : 0, .cap = 1, .size = hi >= lo ? hi - lo + 1 : 0};
    return dh_rowset_encode(&rs, out, len, err);
}
