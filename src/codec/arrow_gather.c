/* SPDX-License-Identifier: MIT */
/* arrow_gather.c: a plain column built from picked cells (dictionary lookups,
 * run-end expansion, dictionary deltas). Sources were checked by the decoder;
 * sizes are checked here against overflow before anything is allocated. */
#include "arrow_gather.h"

#include <stdlib.h>
#include <string.h>

#include "dh_flatbuf.h"

int dh_value_width(const struct dh_field *f)
{
    switch (f->type) {
    case DH_TYPE_INT:
    case DH_TYPE_FLOAT:
    case DH_TYPE_DECIMAL:
    case DH_TYPE_TIME: return f->bit_width / 8;
    case DH_TYPE_DATE: return f->unit == DH_DATE_DAY ? 4 : 8;
    case DH_TYPE_TIMESTAMP:
    case DH_TYPE_DURATION: return 8;
    case DH_TYPE_FIXED_BINARY: return f->fixed_size;
    case DH_TYPE_INTERVAL: /* 4, 8 or 16 bytes (Schema.fbs IntervalUnit) */
        return f->unit == DH_INTERVAL_YEAR_MONTH ? 4 : f->unit == DH_INTERVAL_DAY_TIME ? 8 : 16;
    default: return 0;
    }
}

/* Bytes per offset of a variable-width type (4 or 8), else 0. */
static int offset_width(enum dh_type_id t)
{
    switch (t) {
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY: return 4;
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_LARGE_BINARY: return 8;
    default: return 0;
    }
}

int dh_gather_supported(const struct dh_field *f)
{
    if (!f || f->child)
        return 0;
    return f->type == DH_TYPE_BOOL || offset_width(f->type) || dh_value_width(f) > 0;
}

static int64_t load_offset(const uint8_t *offs, int64_t i, int w)
{
    const uint8_t *p = offs + (size_t)i * (size_t)w;
    return w == 4 ? dh_fb_load_i32(p) : dh_fb_load_i64(p);
}

static void store_offset(uint8_t *offs, int64_t i, int64_t v, int w)
{
    uint8_t *p = offs + (size_t)i * (size_t)w;
    if (w == 4) {
        int32_t x = (int32_t)v;
        memcpy(p, &x, 4);
    } else {
        memcpy(p, &v, 8);
    }
}

static int bit(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(uint8_t *bits, int64_t i)
{
    bits[i >> 3] = (uint8_t)(bits[i >> 3] | (1u << (i & 7)));
}

/* Whether pick p is a value (not a null pick, not a null source cell). */
static int pick_valid(const struct dh_pick *p)
{
    return p->v && (!p->v->validity || bit(p->v->validity, p->row));
}

static size_t pad8(uint64_t n)
{
    return (size_t)((n + 7) & ~(uint64_t)7);
}

int dh_gather(const struct dh_field *f, const struct dh_pick *picks, int64_t n, size_t max_bytes,
              struct dh_column_view *out, void **mem, size_t *bytes, struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    *mem = NULL;
    *bytes = 0;
    out->field = f;
    out->length = n;
    if (!dh_gather_supported(f))
        return dh_error_set(err, DH_ENOTSUP, "cannot expand a column of type %s", f->type_name);
    if (n < 0 || n > DH_ARROW_MAX_ROWS)
        return dh_error_set(err, DH_EINVAL, "cannot expand %lld rows", (long long)n);
    if (f->type == DH_TYPE_NULL) {
        out->null_count = n;
        return DH_OK;
    }
    int ow = offset_width(f->type), vw = dh_value_width(f);
    uint64_t data = 0;
    if (ow)
        for (int64_t i = 0; i < n; i++)
            if (pick_valid(&picks[i]))
                data += (uint64_t)(load_offset(picks[i].v->offsets, picks[i].row + 1, ow) -
                                   load_offset(picks[i].v->offsets, picks[i].row, ow));
    if (ow == 4 && data > INT32_MAX)
        return dh_error_set(err, DH_EINVAL, "expanded values exceed 2 GiB");
    uint64_t bitmap = ((uint64_t)n + 7) / 8;
    uint64_t main = ow   ? ((uint64_t)n + 1) * (uint64_t)ow
                    : vw ? (uint64_t)n * (uint64_t)vw
                         : bitmap; /* BOOL: bits */
    uint64_t total = pad8(bitmap) + pad8(main) + pad8(data);
    if (total > max_bytes)
        return dh_error_set(err, DH_EINVAL, "%lld rows expand to %llu bytes, more than %zu",
                            (long long)n, (unsigned long long)total, max_bytes);
    uint8_t *block = calloc(1, total ? (size_t)total : 1);
    if (!block)
        return dh_error_set(err, DH_ENOMEM, "out of memory expanding %lld rows", (long long)n);
    uint8_t *valid = block, *vals = block + pad8(bitmap), *dat = vals + pad8(main);
    int64_t nulls = 0, at = 0;
    for (int64_t i = 0; i < n; i++) {
        const struct dh_pick *p = &picks[i];
        int ok = pick_valid(p);
        if (ok)
            set_bit(valid, i);
        else
            nulls++;
        if (ow) {
            if (ok) {
                int64_t a = load_offset(p->v->offsets, p->row, ow);
                int64_t len = load_offset(p->v->offsets, p->row + 1, ow) - a;
                if (len)
                    memcpy(dat + at, p->v->values + a, (size_t)len);
                at += len;
            }
            store_offset(vals, i + 1, at, ow);
        } else if (vw) {
            if (p->v) /* a null source cell keeps its slot's bytes (a sentinel, say) */
                memcpy(vals + (size_t)i * (size_t)vw, p->v->values + (size_t)p->row * (size_t)vw,
                       (size_t)vw);
        } else if (ok && bit(p->v->values, p->row)) {
            set_bit(vals, i);
        }
    }
    out->null_count = nulls;
    out->validity = nulls ? valid : NULL;
    out->value_width = vw;
    if (ow) {
        out->offsets = n ? vals : NULL;
        out->values = data ? dat : NULL;
        out->values_len = (size_t)data;
    } else {
        out->values = main ? vals : NULL;
        out->values_len = (size_t)main;
    }
    *mem = block;
    *bytes = (size_t)total;
    return DH_OK;
}
