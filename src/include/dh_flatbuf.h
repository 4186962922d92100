/* SPDX-License-Identifier: MIT */
/* dh_flatbuf: a bounds-checked flatbuffer reader for untrusted bytes (Arrow and
 * Barrage messages from a server). Every offset is checked against the buffer
 * before it is followed; values are read byte-wise (unaligned is fine); tables
 * nest at most DH_FB_MAX_DEPTH deep. Views only: nothing here allocates or owns.
 * Field ids are the index of the field in the .fbs declaration (a union takes two
 * ids: X_type then X); the vtable slot is 4 + 2*id. */
#ifndef DH_FLATBUF_H
#define DH_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"

/* How many tables deep a chain of table references may go from the root. */
#define DH_FB_MAX_DEPTH 64

/* A view of one table inside a flatbuffer (present == 0 for an absent field). */
struct dh_fb_table {
    const uint8_t *buf; /* the whole flatbuffer */
    size_t len;
    size_t pos;       /* the table's first byte (its soffset to the vtable) */
    size_t vt;        /* the vtable's first byte */
    uint16_t vt_size; /* vtable bytes, at least 4 */
    int depth;        /* 0 for the root table */
    int present;
};

/* A view of one vector (present == 0 for an absent field). */
struct dh_fb_vector {
    const uint8_t *buf;
    size_t len;
    size_t pos; /* the first element's first byte */
    size_t n;   /* element count; n * elem_size bytes lie inside the buffer */
    size_t elem_size;
    int depth; /* depth of the table holding the vector */
    int present;
};

/* Little-endian loads from p (caller checked p..p+n is readable). Any thread. */
static inline uint16_t dh_fb_load_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dh_fb_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t dh_fb_load_u64(const uint8_t *p)
{
    return (uint64_t)dh_fb_load_u32(p) | ((uint64_t)dh_fb_load_u32(p + 4) << 32);
}

static inline int64_t dh_fb_load_i64(const uint8_t *p)
{
    return (int64_t)dh_fb_load_u64(p);
}

static inline int32_t dh_fb_load_i32(const uint8_t *p)
{
    return (int32_t)dh_fb_load_u32(p);
}

/* Open the root table of the flatbuffer buf[0..len) into *t (a view into buf).
 * DH_OK or DH_EINVAL. Any thread. */
int dh_fb_root(const uint8_t *buf, size_t len, struct dh_fb_table *t, struct dh_error *err);

/* Whether field id is present in the table (its vtable entry is non-zero). Any thread. */
int dh_fb_has(const struct dh_fb_table *t, int id);

/* Scalar field id, or def when absent (or when its bytes fall outside the buffer).
 * Any thread. */
uint8_t dh_fb_u8(const struct dh_fb_table *t, int id, uint8_t def);
int8_t dh_fb_i8(const struct dh_fb_table *t, int id, int8_t def);
int dh_fb_bool(const struct dh_fb_table *t, int id, int def);
int16_t dh_fb_i16(const struct dh_fb_table *t, int id, int16_t def);
uint16_t dh_fb_u16(const struct dh_fb_table *t, int id, uint16_t def);
int32_t dh_fb_i32(const struct dh_fb_table *t, int id, int32_t def);
uint32_t dh_fb_u32(const struct dh_fb_table *t, int id, uint32_t def);
int64_t dh_fb_i64(const struct dh_fb_table *t, int id, int64_t def);
uint64_t dh_fb_u64(const struct dh_fb_table *t, int id, uint64_t def);
float dh_fb_f32(const struct dh_fb_table *t, int id, float def);
double dh_fb_f64(const struct dh_fb_table *t, int id, double def);

/* Inline struct field id of `size` bytes: *p points at it, or NULL when absent.
 * DH_OK or DH_EINVAL (outside the buffer). Any thread. */
int dh_fb_struct(const struct dh_fb_table *t, int id, size_t size, const uint8_t **p,
                 struct dh_error *err);

/* Table field id into *out (out->present 0 when absent). DH_OK or DH_EINVAL. Any thread. */
int dh_fb_table_field(const struct dh_fb_table *t, int id, struct dh_fb_table *out,
                      struct dh_error *err);

/* String field id: *s points at its bytes (not necessarily NUL-terminated; *len of
 * them), or NULL with *len 0 when absent. DH_OK or DH_EINVAL. Any thread. */
int dh_fb_string(const struct dh_fb_table *t, int id, const char **s, size_t *len,
                 struct dh_error *err);

/* Vector field id with elements of elem_size bytes (4 for offsets to tables or
 * strings); the whole vector is checked to lie inside the buffer. DH_OK or DH_EINVAL.
 * Any thread. */
int dh_fb_vector_field(const struct dh_fb_table *t, int id, size_t elem_size,
                       struct dh_fb_vector *v, struct dh_error *err);

/* Byte-vector field id ([ubyte] or [byte], e.g. a nested flatbuffer): *p and *len,
 * or NULL and 0 when absent. DH_OK or DH_EINVAL. Any thread. */
int dh_fb_bytes(const struct dh_fb_table *t, int id, const uint8_t **p, size_t *len,
                struct dh_error *err);

/* Element i of a vector (NULL when i >= v->n). Any thread. */
const uint8_t *dh_fb_vector_at(const struct dh_fb_vector *v, size_t i);

/* Element i of a vector of tables into *out. DH_OK or DH_EINVAL. Any thread. */
int dh_fb_vector_table(const struct dh_fb_vector *v, size_t i, struct dh_fb_table *out,
                       struct dh_error *err);

/* Element i of a vector of strings. DH_OK or DH_EINVAL. Any thread. */
int dh_fb_vector_string(const struct dh_fb_vector *v, size_t i, const char **s, size_t *len,
                        struct dh_error *err);

/* Union field id (its type byte is field id-1): *type (0 = NONE) and the value table
 * in *out (out->present 0 when the type is NONE or the value absent). DH_OK or
 * DH_EINVAL. Any thread. */
int dh_fb_union(const struct dh_fb_table *t, int id, uint8_t *type, struct dh_fb_table *out,
                struct dh_error *err);

#endif
