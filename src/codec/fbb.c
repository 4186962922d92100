/* SPDX-License-Identifier: MIT */
/* fbb.c: the flatbuffer builder. The buffer grows downwards from its end, as in
 * upstream flatbuffers (flatbuffers/include/flatbuffers/flatbuffer_builder.h):
 * a reference is the object's distance from the end of the buffer. */
#include "dh_fbb.h"

#include <stdlib.h>
#include <string.h>

/* Fail (stickily) with code. */
static uint32_t fbb_fail(struct dh_fbb *b, int code)
{
    if (b->status == DH_OK)
        b->status = code;
    return 0;
}

/* True when the builder can take another call (no earlier error, not finished). */
static int fbb_ok(struct dh_fbb *b)
{
    if (b->status != DH_OK)
        return 0;
    if (b->finished) {
        fbb_fail(b, DH_EINVAL);
        return 0;
    }
    return 1;
}

void dh_fbb_init(struct dh_fbb *b)
{
    memset(b, 0, sizeof *b);
    b->minalign = 1;
    b->max_id = -1;
}

void dh_fbb_reset(struct dh_fbb *b)
{
    if (!b)
        return;
    free(b->buf);
    free(b->vtables);
    dh_fbb_init(b);
}

void dh_fbb_clear(struct dh_fbb *b)
{
    b->size = 0;
    b->minalign = 1;
    b->status = DH_OK;
    b->in_table = 0;
    b->table_start = 0;
    b->max_id = -1;
    b->n_vtables = 0;
    b->finished = 0;
}

int dh_fbb_status(const struct dh_fbb *b)
{
    return b->status;
}

/* Make room for `need` more bytes in front of the data. */
static int fbb_grow(struct dh_fbb *b, size_t need)
{
    if (b->cap - b->size >= need)
        return 1;
    if (need > DH_FBB_MAX_SIZE - b->size) {
        fbb_fail(b, DH_ENOMEM);
        return 0;
    }
    size_t want = b->size + need;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap = cap > DH_FBB_MAX_SIZE / 2 ? DH_FBB_MAX_SIZE : cap * 2;
    uint8_t *nb = malloc(cap);
    if (!nb) {
        fbb_fail(b, DH_ENOMEM);
        return 0;
    }
    if (b->size)
        memcpy(nb + cap - b->size, b->buf + b->cap - b->size, b->size);
    free(b->buf);
    b->buf = nb;
    b->cap = cap;
    return 1;
}

/* Prepend n bytes (zeros when data is NULL). */
static int fbb_push(struct dh_fbb *b, const void *data, size_t n)
{
    if (n == 0)
        return 1;
    if (!fbb_grow(b, n))
        return 0;
    b->size += n;
    uint8_t *p = b->buf + b->cap - b->size;
    if (data)
        memcpy(p, data, n);
    else
        memset(p, 0, n);
    return 1;
}

/* Pad so that after `additional` more bytes the size is a multiple of align. */
static int fbb_prep(struct dh_fbb *b, size_t align, size_t additional)
{
    if (align > b->minalign)
        b->minalign = align;
    size_t pad = (0 - (b->size + additional)) & (align - 1);
    return fbb_push(b, NULL, pad);
}

static int valid_align(size_t align)
{
    return align == 1 || align == 2 || align == 4 || align == 8 || align == 16;
}

/* Check that an object may be created now (not inside a table). */
static int fbb_can_create(struct dh_fbb *b)
{
    if (!fbb_ok(b))
        return 0;
    if (b->in_table) {
        fbb_fail(b, DH_EINVAL);
        return 0;
    }
    return 1;
}

uint32_t dh_fbb_create_string(struct dh_fbb *b, const char *s, size_t len)
{
    if (!fbb_can_create(b))
        return 0;
    if (len > DH_FBB_MAX_SIZE || (len && !s))
        return fbb_fail(b, len ? DH_EINVAL : DH_ENOMEM);
    uint8_t le[4];
    dh_fbb_put_u32(le, (uint32_t)len);
    if (!fbb_prep(b, 4, len + 1) || !fbb_push(b, NULL, 1) || !fbb_push(b, s, len) ||
        !fbb_push(b, le, 4))
        return 0;
    return (uint32_t)b->size;
}

uint32_t dh_fbb_create_cstring(struct dh_fbb *b, const char *s)
{
    return dh_fbb_create_string(b, s ? s : "", s ? strlen(s) : 0);
}

uint32_t dh_fbb_create_vector(struct dh_fbb *b, const void *elems, size_t elem_size, size_t count,
                              size_t align)
{
    if (!fbb_can_create(b))
        return 0;
    if (!valid_align(align) || elem_size == 0 || (count && !elems))
        return fbb_fail(b, DH_EINVAL);
    if (count > DH_FBB_MAX_SIZE / elem_size)
        return fbb_fail(b, DH_ENOMEM);
    size_t total = count * elem_size;
    uint8_t le[4];
    dh_fbb_put_u32(le, (uint32_t)count);
    if (!fbb_prep(b, 4, total) || !fbb_prep(b, align, total) || !fbb_push(b, elems, total) ||
        !fbb_push(b, le, 4))
        return 0;
    return (uint32_t)b->size;
}

uint32_t dh_fbb_create_bytes(struct dh_fbb *b, const void *data, size_t len)
{
    return dh_fbb_create_vector(b, len ? data : "", 1, len, 8);
}

uint32_t dh_fbb_create_vector_refs(struct dh_fbb *b, const uint32_t *refs, size_t count)
{
    if (!fbb_can_create(b))
        return 0;
    if (count && !refs)
        return fbb_fail(b, DH_EINVAL);
    if (count > DH_FBB_MAX_SIZE / 4)
        return fbb_fail(b, DH_ENOMEM);
    if (!fbb_prep(b, 4, count * 4) || !fbb_grow(b, count * 4 + 4))
        return 0;
    for (size_t i = count; i-- > 0;) {
        if (refs[i] == 0 || refs[i] > b->size)
            return fbb_fail(b, DH_EINVAL);
        uint8_t le[4];
        dh_fbb_put_u32(le, (uint32_t)(b->size + 4 - refs[i]));
        fbb_push(b, le, 4);
    }
    uint8_t le[4];
    dh_fbb_put_u32(le, (uint32_t)count);
    fbb_push(b, le, 4);
    return (uint32_t)b->size;
}

void dh_fbb_start_table(struct dh_fbb *b)
{
    if (!fbb_can_create(b))
        return;
    b->in_table = 1;
    b->table_start = b->size;
    b->max_id = -1;
    memset(b->field_off, 0, sizeof b->field_off);
}

/* Check a field may be added now. */
static int fbb_field_ok(struct dh_fbb *b, int id)
{
    if (!fbb_ok(b))
        return 0;
    if (!b->in_table || id < 0 || id >= DH_FBB_MAX_FIELDS) {
        fbb_fail(b, DH_EINVAL);
        return 0;
    }
    return 1;
}

/* Write field id's bytes (already little-endian) aligned to align. */
static void fbb_add_field(struct dh_fbb *b, int id, const void *data, size_t size, size_t align)
{
    if (!fbb_field_ok(b, id))
        return;
    if (!valid_align(align) || size > 0xFFFF) {
        fbb_fail(b, DH_EINVAL);
        return;
    }
    if (!fbb_prep(b, align, size) || !fbb_push(b, data, size))
        return;
    b->field_off[id] = (uint32_t)b->size;
    if (id > b->max_id)
        b->max_id = id;
}

/* Add a scalar of n bytes (1, 2, 4 or 8) given as an unsigned bit pattern. */
static void fbb_add_scalar(struct dh_fbb *b, int id, uint64_t bits, size_t n, int is_default)
{
    if (is_default && !b->force_defaults) {
        fbb_field_ok(b, id); /* still report misuse */
        return;
    }
    uint8_t le[8];
    dh_fbb_put_u64(le, bits);
    fbb_add_field(b, id, le, n, n);
}

void dh_fbb_add_bool(struct dh_fbb *b, int id, int v, int def)
{
    fbb_add_scalar(b, id, v != 0, 1, (v != 0) == (def != 0));
}

void dh_fbb_add_u8(struct dh_fbb *b, int id, uint8_t v, uint8_t def)
{
    fbb_add_scalar(b, id, v, 1, v == def);
}

void dh_fbb_add_i8(struct dh_fbb *b, int id, int8_t v, int8_t def)
{
    fbb_add_scalar(b, id, (uint8_t)v, 1, v == def);
}

void dh_fbb_add_i16(struct dh_fbb *b, int id, int16_t v, int16_t def)
{
    fbb_add_scalar(b, id, (uint16_t)v, 2, v == def);
}

void dh_fbb_add_u16(struct dh_fbb *b, int id, uint16_t v, uint16_t def)
{
    fbb_add_scalar(b, id, v, 2, v == def);
}

void dh_fbb_add_i32(struct dh_fbb *b, int id, int32_t v, int32_t def)
{
    fbb_add_scalar(b, id, (uint32_t)v, 4, v == def);
}

void dh_fbb_add_u32(struct dh_fbb *b, int id, uint32_t v, uint32_t def)
{
    fbb_add_scalar(b, id, v, 4, v == def);
}

void dh_fbb_add_i64(struct dh_fbb *b, int id, int64_t v, int64_t def)
{
    fbb_add_scalar(b, id, (uint64_t)v, 8, v == def);
}

void dh_fbb_add_u64(struct dh_fbb *b, int id, uint64_t v, uint64_t def)
{
    fbb_add_scalar(b, id, v, 8, v == def);
}

/* A float's bits: defaults compare by bits, so -0.0 and NaNs are written as given. */
static uint32_t f32_bits(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static uint64_t f64_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

void dh_fbb_add_f32(struct dh_fbb *b, int id, float v, float def)
{
    fbb_add_scalar(b, id, f32_bits(v), 4, f32_bits(v) == f32_bits(def));
}

void dh_fbb_add_f64(struct dh_fbb *b, int id, double v, double def)
{
    fbb_add_scalar(b, id, f64_bits(v), 8, f64_bits(v) == f64_bits(def));
}

void dh_fbb_add_offset(struct dh_fbb *b, int id, uint32_t ref)
{
    if (!fbb_field_ok(b, id) || ref == 0)
        return;
    if (ref > b->table_start) { /* must point at an object made before the table */
        fbb_fail(b, DH_EINVAL);
        return;
    }
    if (!fbb_prep(b, 4, 4))
        return;
    uint8_t le[4];
    dh_fbb_put_u32(le, (uint32_t)(b->size + 4 - ref));
    fbb_add_field(b, id, le, 4, 4);
}

void dh_fbb_add_struct(struct dh_fbb *b, int id, const void *data, size_t size, size_t align)
{
    if (!data || size == 0) {
        fbb_fail(b, DH_EINVAL);
        return;
    }
    fbb_add_field(b, id, data, size, align);
}

void dh_fbb_add_union(struct dh_fbb *b, int id, uint8_t type, uint32_t ref)
{
    if (!fbb_field_ok(b, id) || id < 1 || type == 0 || ref == 0) {
        if (b->status == DH_OK && id < 1)
            fbb_fail(b, DH_EINVAL);
        return;
    }
    dh_fbb_add_offset(b, id, ref);
    fbb_add_scalar(b, id - 1, type, 1, 0);
}

/* Find a vtable already written with the same bytes; 0 if none. */
static uint32_t fbb_find_vtable(const struct dh_fbb *b, const uint8_t *vt, size_t vt_size)
{
    for (size_t i = 0; i < b->n_vtables; i++) {
        const uint8_t *p = b->buf + b->cap - b->vtables[i];
        if (p[0] == vt[0] && p[1] == vt[1] && memcmp(p, vt, vt_size) == 0)
            return b->vtables[i];
    }
    return 0;
}

/* Remember a vtable for sharing; failure only costs sharing. */
static void fbb_note_vtable(struct dh_fbb *b, uint32_t ref)
{
    if (b->n_vtables == b->vtables_cap) {
        size_t ncap = b->vtables_cap ? b->vtables_cap * 2 : 16;
        uint32_t *nv = realloc(b->vtables, ncap * sizeof *nv);
        if (!nv)
            return;
        b->vtables = nv;
        b->vtables_cap = ncap;
    }
    b->vtables[b->n_vtables++] = ref;
}

uint32_t dh_fbb_end_table(struct dh_fbb *b)
{
    if (!fbb_ok(b))
        return 0;
    if (!b->in_table)
        return fbb_fail(b, DH_EINVAL);
    if (!fbb_prep(b, 4, 4) || !fbb_push(b, NULL, 4))
        return 0;
    size_t loc = b->size;
    size_t obj_size = loc - b->table_start;
    if (obj_size > 0xFFFF)
        return fbb_fail(b, DH_EINVAL);
    size_t n_slots = (size_t)(b->max_id + 1);
    size_t vt_size = 4 + 2 * n_slots;
    uint8_t vt[4 + 2 * DH_FBB_MAX_FIELDS];
    dh_fbb_put_u16(vt, (uint16_t)vt_size);
    dh_fbb_put_u16(vt + 2, (uint16_t)obj_size);
    for (size_t i = 0; i < n_slots; i++) {
        uint32_t off = b->field_off[i];
        dh_fbb_put_u16(vt + 4 + 2 * i, (uint16_t)(off ? loc - off : 0));
    }
    uint32_t vt_ref = fbb_find_vtable(b, vt, vt_size);
    if (!vt_ref) {
        if (!fbb_push(b, vt, vt_size))
            return 0;
        vt_ref = (uint32_t)b->size;
        fbb_note_vtable(b, vt_ref);
    }
    /* soffset: the vtable lies at table - soffset */
    int64_t soff = (int64_t)vt_ref - (int64_t)loc;
    dh_fbb_put_u32(b->buf + b->cap - loc, (uint32_t)(int32_t)soff);
    b->in_table = 0;
    return (uint32_t)loc;
}

int dh_fbb_finish(struct dh_fbb *b, uint32_t root)
{
    if (!fbb_ok(b))
        return b->status;
    if (b->in_table || root == 0 || root > b->size)
        return fbb_fail(b, DH_EINVAL), b->status;
    if (!fbb_prep(b, b->minalign < 8 ? 8 : b->minalign, 4))
        return b->status;
    uint8_t le[4];
    dh_fbb_put_u32(le, (uint32_t)(b->size + 4 - root));
    if (!fbb_push(b, le, 4))
        return b->status;
    b->finished = 1;
    return DH_OK;
}

const uint8_t *dh_fbb_data(const struct dh_fbb *b, size_t *len)
{
    if (!b->finished || b->status != DH_OK) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = b->size;
    return b->buf + b->cap - b->size;
}

uint8_t *dh_fbb_copy(const struct dh_fbb *b, size_t *len)
{
    size_t n = 0;
    const uint8_t *p = dh_fbb_data(b, &n);
    if (len)
        *len = 0;
    if (!p)
        return NULL;
    uint8_t *c = malloc(n);
    if (!c)
        return NULL;
    memcpy(c, p, n);
    if (len)
        *len = n;
    return c;
}
