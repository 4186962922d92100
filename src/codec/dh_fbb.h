/* SPDX-License-Identifier: MIT */
/* dh_fbb: a small flatbuffer builder (back to front, like upstream flatbuffers)
 * for the Arrow and Barrage messages dhtui and its demo server write.
 *
 * Objects are built children first; each create/end call returns a reference
 * (a uint32_t, 0 on failure) that a later table field or vector points at.
 * Errors are sticky: after the first failure every call returns 0 and
 * dh_fbb_finish reports the status, so building code need not check each call.
 * Field ids are the index of the field in the .fbs declaration (deprecated
 * fields keep theirs; a union takes two ids: X_type then X); slot = 4 + 2*id.
 * Scalars are written little-endian; raw vectors and structs are copied
 * verbatim, so callers fill them with the dh_fbb_put_* helpers. */
#ifndef DH_FBB_H
#define DH_FBB_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"

/* Largest buffer the builder will produce (flatbuffers offsets are 32-bit signed). */
#define DH_FBB_MAX_SIZE ((size_t)0x7FFFFFF0u)
/* Largest field id a table may use. */
#define DH_FBB_MAX_FIELDS 64

/* A builder. Caller-allocated: dh_fbb_init, build, dh_fbb_finish, dh_fbb_reset. */
struct dh_fbb {
    uint8_t *buf; /* capacity cap; data occupies the last `size` bytes */
    size_t cap;
    size_t size;
    size_t minalign;    /* largest alignment used: the finished size is a multiple */
    int status;         /* sticky enum dh_status */
    int force_defaults; /* write scalar fields even when equal to their default */
    int in_table;
    size_t table_start;                    /* size when dh_fbb_start_table was called */
    int max_id;                            /* highest field id set in the open table, -1 if none */
    uint32_t field_off[DH_FBB_MAX_FIELDS]; /* size after each field was written, 0 = absent */
    uint32_t *vtables; /* references (offsets from the end) of vtables written, for sharing */
    size_t n_vtables, vtables_cap;
    int finished;
};

/* Prepare an empty builder (allocates nothing). Any thread. */
void dh_fbb_init(struct dh_fbb *b);

/* Free the builder's memory and return it to the state dh_fbb_init leaves. Idempotent,
 * NULL-safe. Any thread. */
void dh_fbb_reset(struct dh_fbb *b);

/* Forget the contents but keep the memory, to build another buffer. Any thread. */
void dh_fbb_clear(struct dh_fbb *b);

/* The builder's sticky status (DH_OK, DH_ENOMEM, DH_EINVAL). Any thread. */
int dh_fbb_status(const struct dh_fbb *b);

/* Create a string (len bytes, any content, a NUL is appended); returns its reference
 * or 0. Not inside a table. Any thread. */
uint32_t dh_fbb_create_string(struct dh_fbb *b, const char *s, size_t len);

/* Create a string from a NUL-terminated C string (NULL gives ""). Any thread. */
uint32_t dh_fbb_create_cstring(struct dh_fbb *b, const char *s);

/* Create a vector of count elements of elem_size bytes each, copied verbatim from
 * elems (little-endian scalars or inline structs), with element data aligned to
 * align (1, 2, 4, 8 or 16). Returns its reference or 0. Any thread. */
uint32_t dh_fbb_create_vector(struct dh_fbb *b, const void *elems, size_t elem_size, size_t count,
                              size_t align);

/* Create a [ubyte]/[byte] vector holding len bytes (data aligned to 8, so it also
 * suits a nested flatbuffer such as a Barrage msg_payload). Any thread. */
uint32_t dh_fbb_create_bytes(struct dh_fbb *b, const void *data, size_t len);

/* Create a vector of offsets to tables or strings (refs from this builder, none 0).
 * Any thread. */
uint32_t dh_fbb_create_vector_refs(struct dh_fbb *b, const uint32_t *refs, size_t count);

/* Begin a table; add its fields with dh_fbb_add_*, then dh_fbb_end_table. Objects
 * a field refers to must be created before the table starts. Any thread. */
void dh_fbb_start_table(struct dh_fbb *b);

/* Add scalar field `id` unless it equals def (or force_defaults is set). Any thread. */
void dh_fbb_add_bool(struct dh_fbb *b, int id, int v, int def);
void dh_fbb_add_u8(struct dh_fbb *b, int id, uint8_t v, uint8_t def);
void dh_fbb_add_i8(struct dh_fbb *b, int id, int8_t v, int8_t def);
void dh_fbb_add_i16(struct dh_fbb *b, int id, int16_t v, int16_t def);
void dh_fbb_add_u16(struct dh_fbb *b, int id, uint16_t v, uint16_t def);
void dh_fbb_add_i32(struct dh_fbb *b, int id, int32_t v, int32_t def);
void dh_fbb_add_u32(struct dh_fbb *b, int id, uint32_t v, uint32_t def);
void dh_fbb_add_i64(struct dh_fbb *b, int id, int64_t v, int64_t def);
void dh_fbb_add_u64(struct dh_fbb *b, int id, uint64_t v, uint64_t def);
void dh_fbb_add_f32(struct dh_fbb *b, int id, float v, float def);
void dh_fbb_add_f64(struct dh_fbb *b, int id, double v, double def);

/* Add offset field `id` pointing at ref (a string, vector or table); ref 0 adds
 * nothing (the field stays absent). Any thread. */
void dh_fbb_add_offset(struct dh_fbb *b, int id, uint32_t ref);

/* Add an inline struct field (size bytes copied verbatim, aligned to align). Any thread. */
void dh_fbb_add_struct(struct dh_fbb *b, int id, const void *data, size_t size, size_t align);

/* Add a union: type byte at field id-1 and the value offset at field id (type 0 or
 * ref 0 adds nothing). Any thread. */
void dh_fbb_add_union(struct dh_fbb *b, int id, uint8_t type, uint32_t ref);

/* Finish the open table (writing or sharing its vtable); returns its reference or 0.
 * Any thread. */
uint32_t dh_fbb_end_table(struct dh_fbb *b);

/* Write the root offset to table `root`; the buffer is then complete. Returns DH_OK
 * or the sticky status. Any thread. */
int dh_fbb_finish(struct dh_fbb *b, uint32_t root);

/* The finished buffer (owned by the builder, valid until the next builder call),
 * or NULL if not finished. Any thread. */
const uint8_t *dh_fbb_data(const struct dh_fbb *b, size_t *len);

/* A malloc'd copy of the finished buffer that the caller frees, or NULL (not
 * finished, or out of memory). Any thread. */
uint8_t *dh_fbb_copy(const struct dh_fbb *b, size_t *len);

/* Little-endian stores for filling struct and scalar vector bytes. Any thread. */
static inline void dh_fbb_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void dh_fbb_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void dh_fbb_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void dh_fbb_put_i64(uint8_t *p, int64_t v)
{
    dh_fbb_put_u64(p, (uint64_t)v);
}

#endif
