/* SPDX-License-Identifier: MIT */
/* flatbuf.c: the bounds-checked flatbuffer reader (layout as in upstream
 * flatbuffers/include/flatbuffers/table.h and verifier.h, checks our own). */
#include "dh_flatbuf.h"

#include <string.h>

/* Open the table at pos into *t, checking its soffset, vtable and object size. */
static int fb_open_table(const uint8_t *buf, size_t len, size_t pos, int depth,
                         struct dh_fb_table *t, struct dh_error *err)
{
    memset(t, 0, sizeof *t);
    if (depth > DH_FB_MAX_DEPTH)
        return dh_error_set(err, DH_EINVAL, "flatbuffer tables nest more than %d deep",
                            DH_FB_MAX_DEPTH);
    if (pos > len || len - pos < 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer table at %zu lies outside the %zu-byte buffer", pos, len);
    int64_t vt = (int64_t)pos - (int64_t)dh_fb_load_i32(buf + pos);
    if (vt < 0 || (uint64_t)vt > len - 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer vtable of the table at %zu lies outside the buffer", pos);
    uint16_t vt_size = dh_fb_load_u16(buf + vt);
    uint16_t obj_size = dh_fb_load_u16(buf + vt + 2);
    if (vt_size < 4 || (vt_size & 1) || (uint64_t)vt_size > len - (uint64_t)vt)
        return dh_error_set(err, DH_EINVAL, "flatbuffer vtable at %lld has a bad size %u",
                            (long long)vt, (unsigned)vt_size);
    if (obj_size < 4 || obj_size > len - pos)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer table at %zu claims %u bytes beyond the buffer", pos,
                            (unsigned)obj_size);
    t->buf = buf;
    t->len = len;
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vt_size = vt_size;
    t->depth = depth;
    t->present = 1;
    return DH_OK;
}

int dh_fb_root(const uint8_t *buf, size_t len, struct dh_fb_table *t, struct dh_error *err)
{
    memset(t, 0, sizeof *t);
    if (!buf || len < 12)
        return dh_error_set(err, DH_EINVAL,
                            "expected a flatbuffer of at least 12 bytes but found %zu",
                            buf ? len : 0);
    uint32_t root = dh_fb_load_u32(buf);
    if (root > len - 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer root offset %u lies outside the %zu-byte buffer", root,
                            len);
    return fb_open_table(buf, len, root, 0, t, err);
}

/* Position of field id, or 0 when absent (0 can never be a field: the root offset). */
static size_t fb_field(const struct dh_fb_table *t, int id)
{
    if (!t || !t->present || id < 0 || id > 0x7FF0)
        return 0;
    size_t slot = 4 + 2 * (size_t)id;
    if (slot + 2 > t->vt_size)
        return 0;
    uint16_t off = dh_fb_load_u16(t->buf + t->vt + slot);
    if (off == 0)
        return 0;
    return t->pos + off;
}

/* Position of field id when its n bytes lie inside the buffer, else 0. */
static size_t fb_scalar(const struct dh_fb_table *t, int id, size_t n)
{
    size_t at = fb_field(t, id);
    if (!at || at > t->len || t->len - at < n)
        return 0;
    return at;
}

/* Field id's n-byte (n <= 8) little-endian value, or def when absent. */
static uint64_t fb_raw(const struct dh_fb_table *t, int id, size_t n, uint64_t def)
{
    size_t at = fb_scalar(t, id, n);
    if (!at)
        return def;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)t->buf[at + i] << (8 * i);
    return v;
}

/* Overwrite *v (a float when n is 4, else a double) with field id's bits, if present. */
static void fb_float(const struct dh_fb_table *t, int id, void *v, size_t n)
{
    if (!fb_scalar(t, id, n))
        return;
    uint64_t bits = fb_raw(t, id, n, 0);
    if (n == 4) {
        uint32_t b32 = (uint32_t)bits;
        memcpy(v, &b32, sizeof b32);
    } else {
        memcpy(v, &bits, sizeof bits);
    }
}

int dh_fb_has(const struct dh_fb_table *t, int id)
{
    return fb_field(t, id) != 0;
}

/* Signed getters go through the unsigned bits: the casts wrap modulo 2^n. */

uint8_t dh_fb_u8(const struct dh_fb_table *t, int id, uint8_t def)
{
    return (uint8_t)fb_raw(t, id, 1, def);
}

int8_t dh_fb_i8(const struct dh_fb_table *t, int id, int8_t def)
{
    return (int8_t)fb_raw(t, id, 1, (uint64_t)def);
}

int dh_fb_bool(const struct dh_fb_table *t, int id, int def)
{
    return fb_raw(t, id, 1, (uint64_t)(def != 0)) != 0;
}

int16_t dh_fb_i16(const struct dh_fb_table *t, int id, int16_t def)
{
    return (int16_t)fb_raw(t, id, 2, (uint64_t)def);
}

uint16_t dh_fb_u16(const struct dh_fb_table *t, int id, uint16_t def)
{
    return (uint16_t)fb_raw(t, id, 2, def);
}

int32_t dh_fb_i32(const struct dh_fb_table *t, int id, int32_t def)
{
    return (int32_t)fb_raw(t, id, 4, (uint64_t)def);
}

uint32_t dh_fb_u32(const struct dh_fb_table *t, int id, uint32_t def)
{
    return (uint32_t)fb_raw(t, id, 4, def);
}

int64_t dh_fb_i64(const struct dh_fb_table *t, int id, int64_t def)
{
    return (int64_t)fb_raw(t, id, 8, (uint64_t)def);
}

uint64_t dh_fb_u64(const struct dh_fb_table *t, int id, uint64_t def)
{
    return fb_raw(t, id, 8, def);
}

float dh_fb_f32(const struct dh_fb_table *t, int id, float def)
{
    fb_float(t, id, &def, sizeof def);
    return def;
}

double dh_fb_f64(const struct dh_fb_table *t, int id, double def)
{
    fb_float(t, id, &def, sizeof def);
    return def;
}

int dh_fb_struct(const struct dh_fb_table *t, int id, size_t size, const uint8_t **p,
                 struct dh_error *err)
{
    *p = NULL;
    size_t at = fb_field(t, id);
    if (!at)
        return DH_OK;
    if (at > t->len || t->len - at < size)
        return dh_error_set(err, DH_EINVAL, "flatbuffer struct field %d lies outside the buffer",
                            id);
    *p = t->buf + at;
    return DH_OK;
}

/* Follow the uoffset stored at `at` to its target; checks 4 bytes are there. */
static int fb_follow(const uint8_t *buf, size_t len, size_t at, size_t *target,
                     struct dh_error *err)
{
    if (at > len || len - at < 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer offset at %zu lies outside the %zu-byte buffer", at, len);
    uint64_t tgt = (uint64_t)at + dh_fb_load_u32(buf + at);
    if (tgt > len || len - tgt < 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer offset at %zu points outside the %zu-byte buffer", at, len);
    *target = (size_t)tgt;
    return DH_OK;
}

/* Where field id's offset leads: DH_OK with *target 0 when the field is absent
 * (a followed offset is never 0: it lies past the field). */
static int fb_field_target(const struct dh_fb_table *t, int id, size_t *target,
                           struct dh_error *err)
{
    *target = 0;
    size_t at = fb_field(t, id);
    if (!at)
        return DH_OK;
    return fb_follow(t->buf, t->len, at, target, err);
}

/* The vector whose length prefix is at `at` (already checked to lie in the buffer). */
static int fb_vector_at(const uint8_t *buf, size_t len, size_t at, size_t elem_size, int depth,
                        struct dh_fb_vector *v, struct dh_error *err)
{
    size_t n = dh_fb_load_u32(buf + at);
    size_t room = len - at - 4;
    if (elem_size == 0 || n > room / elem_size)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer vector at %zu claims %zu elements of %zu bytes but only "
                            "%zu bytes remain",
                            at, n, elem_size, room);
    v->buf = buf;
    v->len = len;
    v->pos = at + 4;
    v->n = n;
    v->elem_size = elem_size;
    v->depth = depth;
    v->present = 1;
    return DH_OK;
}

int dh_fb_table_field(const struct dh_fb_table *t, int id, struct dh_fb_table *out,
                      struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    size_t target;
    int rc = fb_field_target(t, id, &target, err);
    if (rc || !target)
        return rc;
    return fb_open_table(t->buf, t->len, target, t->depth + 1, out, err);
}

/* The string whose length prefix is at `at`. */
static int fb_string_at(const uint8_t *buf, size_t len, size_t at, const char **s, size_t *n,
                        struct dh_error *err)
{
    size_t sl = dh_fb_load_u32(buf + at);
    if (sl > len - at - 4)
        return dh_error_set(err, DH_EINVAL,
                            "flatbuffer string at %zu claims %zu bytes but only %zu remain", at, sl,
                            len - at - 4);
    *s = (const char *)buf + at + 4;
    *n = sl;
    return DH_OK;
}

int dh_fb_string(const struct dh_fb_table *t, int id, const char **s, size_t *len,
                 struct dh_error *err)
{
    *s = NULL;
    *len = 0;
    size_t target;
    int rc = fb_field_target(t, id, &target, err);
    if (rc || !target)
        return rc;
    return fb_string_at(t->buf, t->len, target, s, len, err);
}

int dh_fb_vector_field(const struct dh_fb_table *t, int id, size_t elem_size,
                       struct dh_fb_vector *v, struct dh_error *err)
{
    memset(v, 0, sizeof *v);
    size_t target;
    int rc = fb_field_target(t, id, &target, err);
    if (rc || !target)
        return rc;
    return fb_vector_at(t->buf, t->len, target, elem_size, t->depth, v, err);
}

int dh_fb_bytes(const struct dh_fb_table *t, int id, const uint8_t **p, size_t *len,
                struct dh_error *err)
{
    *p = NULL;
    *len = 0;
    struct dh_fb_vector v;
    int rc = dh_fb_vector_field(t, id, 1, &v, err);
    if (rc || !v.present)
        return rc;
    *p = v.buf + v.pos;
    *len = v.n;
    return DH_OK;
}

const uint8_t *dh_fb_vector_at(const struct dh_fb_vector *v, size_t i)
{
    if (!v->present || i >= v->n)
        return NULL;
    return v->buf + v->pos + i * v->elem_size;
}

/* Where element i's offset leads, for vectors of offsets. */
static int fb_vector_target(const struct dh_fb_vector *v, size_t i, size_t *target,
                            struct dh_error *err)
{
    if (!v->present || i >= v->n || v->elem_size != 4)
        return dh_error_set(err, DH_EINVAL, "flatbuffer vector element %zu of %zu is not an offset",
                            i, v->n);
    return fb_follow(v->buf, v->len, v->pos + 4 * i, target, err);
}

int dh_fb_vector_table(const struct dh_fb_vector *v, size_t i, struct dh_fb_table *out,
                       struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    size_t target;
    int rc = fb_vector_target(v, i, &target, err);
    if (rc)
        return rc;
    return fb_open_table(v->buf, v->len, target, v->depth + 1, out, err);
}

int dh_fb_vector_string(const struct dh_fb_vector *v, size_t i, const char **s, size_t *len,
                        struct dh_error *err)
{
    *s = NULL;
    *len = 0;
    size_t target;
    int rc = fb_vector_target(v, i, &target, err);
    if (rc)
        return rc;
    return fb_string_at(v->buf, v->len, target, s, len, err);
}

int dh_fb_union(const struct dh_fb_table *t, int id, uint8_t *type, struct dh_fb_table *out,
                struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    *type = id >= 1 ? dh_fb_u8(t, id - 1, 0) : 0;
    if (*type == 0)
        return DH_OK;
    return dh_fb_table_field(t, id, out, err);
}
